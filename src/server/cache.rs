//! The answers of named queries, kept until the next write.
//!
//! A named query is the same SPARQL text for the same parameters, and most clients (the
//! portal's operators, a dashboard) ask the same few. Its answer is kept under the bound text
//! and the negotiated media type, and is valid for one *generation* of the store: every write
//! the server makes (SPARQL Update, `POST /ingest`) moves the generation on once it has
//! committed ([`AnswerCache::writing`]), so an answer computed before or during a write is
//! never given once that write has answered. Until a write answers, the answers kept from
//! before it are still given: a query evaluated then may read a snapshot taken before the
//! commit, so it could answer the same (only a bulk load of several commits shows its first
//! commits before its end: the kept answer is then the state before the write).
//!
//! A write refreshes what readers asked for before it answers: once it has committed, it takes
//! the keys answered since the previous write ([`Writing::refresh_keys`]), evaluates them again
//! on the new state and leaves those answers kept for the new generation as it moves the
//! generation on ([`Writing::finish`]), so readers after a write find the answers they ask for
//! instead of all waiting for evaluations at once. The same work the readers would have caused
//! (one evaluation per asked key and write), done by the writer, whose answer waits for it.
//! Refreshed answers are left only when no other write ran or began meanwhile; otherwise the
//! generation just moves on.
//!
//! Concurrent requests for the same answer wait for one evaluation (single flight) instead of
//! running it each. An evaluation that fails (a timeout, too many results) is not kept; nor is
//! an answer larger than [`MAX_KEPT_BYTES`], and at most [`MAX_ENTRIES`] are kept at once.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use tokio::sync::OnceCell;

/// The most answers kept at once; past it, a new answer is computed and given but not kept.
pub const MAX_ENTRIES: usize = 256;

/// The largest answer kept (bytes of its body).
pub const MAX_KEPT_BYTES: usize = 1024 * 1024;

/// What identifies an answer: the SPARQL text as bound, and the media type asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    /// The query's text with its parameters bound.
    pub query: String,
    /// The `Accept` header or the media type a `format` parameter named.
    pub accept: Option<String>,
}

/// A serialized answer, cheap to clone.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: Bytes,
}

/// One answer being computed or computed, for one generation.
#[derive(Debug)]
struct Slot {
    generation: u64,
    answer: OnceCell<Answer>,
}

impl Slot {
    /// Whether this is an answer of `generation`, computed.
    fn is_ready(&self, generation: u64) -> bool {
        self.generation == generation && self.answer.initialized()
    }
}

/// Named-query answers valid until the next write (see the module's documentation).
#[derive(Debug, Default)]
pub struct AnswerCache {
    generation: Arc<AtomicU64>,
    /// Writes begun and not yet finished.
    writes: Arc<AtomicUsize>,
    slots: Arc<Mutex<HashMap<Key, Arc<Slot>>>>,
}

/// The most answers a write refreshes ([`Writing::refresh_keys`]).
pub const MAX_REFRESHED: usize = 64;

/// Held while a write runs: the generation moves on when it is finished or dropped, after the
/// commit.
#[derive(Debug)]
#[must_use = "the write must hold it until it has committed"]
pub struct Writing {
    generation: Arc<AtomicU64>,
    writes: Arc<AtomicUsize>,
    slots: Arc<Mutex<HashMap<Key, Arc<Slot>>>>,
    /// The generation when the refresh took its keys.
    refresh_from: Option<u64>,
    finished: bool,
}

impl Writing {
    /// The keys answered in the current generation (at most [`MAX_REFRESHED`]): what a write
    /// that has committed evaluates again before [`Writing::finish`].
    pub fn refresh_keys(&mut self) -> Vec<Key> {
        let slots = lock(&self.slots);
        let generation = self.generation.load(Ordering::SeqCst);
        self.refresh_from = Some(generation);
        slots
            .iter()
            .filter(|(_, s)| s.is_ready(generation))
            .map(|(k, _)| k.clone())
            .take(MAX_REFRESHED)
            .collect()
    }

    /// Ends the write: the generation moves on and `refreshed` (answers evaluated after the
    /// commit) are kept for the new one, unless another write finished or is running since
    /// [`Writing::refresh_keys`] (then they may predate its commit and are dropped).
    pub fn finish(mut self, refreshed: Vec<(Key, Answer)>) {
        let map = self.slots.clone();
        let mut slots = lock(&map);
        let alone = self.writes.load(Ordering::SeqCst) == 1
            && self.refresh_from == Some(self.generation.load(Ordering::SeqCst));
        let generation = self.end();
        if !alone {
            return;
        }
        // every slot is of an older generation now
        slots.clear();
        for (key, answer) in refreshed {
            if answer.body.len() <= MAX_KEPT_BYTES && slots.len() < MAX_ENTRIES {
                let answer = OnceCell::new_with(Some(answer));
                slots.insert(key, Arc::new(Slot { generation, answer }));
            }
        }
    }
}

impl Writing {
    /// Moves the generation on and counts this write out (the caller holds the slots' lock);
    /// the new generation.
    fn end(&mut self) -> u64 {
        self.finished = true;
        self.writes.fetch_sub(1, Ordering::SeqCst);
        self.generation.fetch_add(1, Ordering::SeqCst) + 1
    }
}

impl Drop for Writing {
    fn drop(&mut self) {
        if !self.finished {
            // a failed or abandoned write: its answers are not known, only that it may have
            // changed the store
            let map = self.slots.clone();
            let _slots = lock(&map);
            self.end();
        }
    }
}

fn lock(
    slots: &Mutex<HashMap<Key, Arc<Slot>>>,
) -> std::sync::MutexGuard<'_, HashMap<Key, Arc<Slot>>> {
    // a panic while the map was held leaves it whole (every change is one call)
    slots
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl AnswerCache {
    /// The generation of the store as the cache sees it (moves on at the end of every write).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Marks a write: take it before the write begins and drop it once the write has
    /// committed (or failed); answers kept before or during it are not given afterwards.
    pub fn writing(&self) -> Writing {
        let _slots = self.lock();
        self.writes.fetch_add(1, Ordering::SeqCst);
        Writing {
            generation: self.generation.clone(),
            writes: self.writes.clone(),
            slots: self.slots.clone(),
            refresh_from: None,
            finished: false,
        }
    }

    /// How many answers are kept now (computed or being computed).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// How many answers of the current generation are ready (`/health`'s
    /// `named_answers_kept`: right after a write, those it refreshed).
    pub fn current(&self) -> usize {
        let slots = self.lock();
        let generation = self.generation();
        slots.values().filter(|s| s.is_ready(generation)).count()
    }

    /// Whether no answer is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The answer for `key`: the one kept for this generation, or the one another request is
    /// computing now, or `compute`'s (kept when it succeeds and is small enough).
    pub async fn get_or_compute<E, F, Fut>(&self, key: Key, compute: F) -> Result<Answer, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Answer, E>>,
    {
        let Some(slot) = self.slot(&key) else {
            return compute().await;
        };
        let answer = slot.answer.get_or_try_init(compute).await?.clone();
        if answer.body.len() > MAX_KEPT_BYTES {
            let mut slots = self.lock();
            if slots.get(&key).is_some_and(|s| Arc::ptr_eq(s, &slot)) {
                slots.remove(&key);
            }
        }
        Ok(answer)
    }

    /// The slot of `key` for the current generation, made if need be; None when the cache is
    /// full of current answers.
    fn slot(&self, key: &Key) -> Option<Arc<Slot>> {
        // the generation is read under the lock: a write's finish moves it and leaves its
        // refreshed answers in one step
        let mut slots = self.lock();
        let generation = self.generation();
        if let Some(slot) = slots.get(key)
            && slot.generation == generation
        {
            return Some(slot.clone());
        }
        if slots.len() >= MAX_ENTRIES {
            slots.retain(|_, s| s.generation == generation);
            if slots.len() >= MAX_ENTRIES {
                return None;
            }
        }
        let slot = Arc::new(Slot {
            generation,
            answer: OnceCell::new(),
        });
        slots.insert(key.clone(), slot.clone());
        Some(slot)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Arc<Slot>>> {
        lock(&self.slots)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(q: &str) -> Key {
        Key {
            query: q.to_string(),
            accept: None,
        }
    }

    fn answer(body: &str) -> Answer {
        Answer {
            content_type: "text/plain",
            body: Bytes::from(body.to_string()),
        }
    }

    /// Counts the evaluations it makes; each answers "N" for the Nth.
    #[derive(Default)]
    struct Evaluations(AtomicUsize);

    impl Evaluations {
        async fn run(&self) -> Result<Answer, String> {
            let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(answer(&n.to_string()))
        }
        fn count(&self) -> usize {
            self.0.load(Ordering::SeqCst)
        }
    }

    /// The body `cache` answers for `k`, `e` evaluating when it must.
    async fn body_of(cache: &AnswerCache, k: Key, e: &Evaluations) -> Bytes {
        cache.get_or_compute(k, || e.run()).await.unwrap().body
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
    }

    #[test]
    fn an_answer_is_kept_until_a_write_ends() {
        runtime().block_on(async {
            let cache = AnswerCache::default();
            let e = Evaluations::default();
            let get = || cache.get_or_compute(key("q"), || e.run());
            assert_eq!(get().await.unwrap().body, "1");
            assert_eq!(get().await.unwrap().body, "1");
            assert_eq!(e.count(), 1);
            let write = cache.writing();
            // kept from before the write: given during it ...
            assert_eq!(get().await.unwrap().body, "1");
            drop(write);
            // ... but not once it has ended
            assert_eq!(get().await.unwrap().body, "2");
            assert_eq!(get().await.unwrap().body, "2");
            // nor one computed during a write
            let write = cache.writing();
            body_of(&cache, key("r"), &e).await;
            drop(write);
            assert_eq!(body_of(&cache, key("r"), &e).await, "4");
            assert_eq!(e.count(), 4);
            assert_eq!(cache.len(), 2);
        });
    }

    #[test]
    fn a_write_leaves_the_answers_it_refreshed() {
        runtime().block_on(async {
            let cache = AnswerCache::default();
            let e = Evaluations::default();
            assert_eq!(body_of(&cache, key("q"), &e).await, "1");
            assert_eq!(body_of(&cache, key("r"), &e).await, "2");
            // asked, but its evaluation failed: nothing to refresh
            let failed: Result<Answer, String> = cache
                .get_or_compute(key("failed"), || async { Err("timeout".to_string()) })
                .await;
            assert!(failed.is_err());
            let mut write = cache.writing();
            let mut keys = write.refresh_keys();
            keys.sort_by(|a, b| a.query.cmp(&b.query));
            assert_eq!(keys, vec![key("q"), key("r")]);
            // kept from before: given until the write finishes
            assert_eq!(body_of(&cache, key("q"), &e).await, "1");
            write.finish(vec![(key("q"), answer("fresh q"))]);
            assert_eq!(body_of(&cache, key("q"), &e).await, "fresh q");
            assert_eq!(
                e.count(),
                2,
                "the refreshed answer is given without evaluating"
            );
            // what the write did not refresh is evaluated again
            assert_eq!(body_of(&cache, key("r"), &e).await, "3");
        });
    }

    #[test]
    fn refreshed_answers_are_dropped_when_another_write_ran_meanwhile() {
        runtime().block_on(async {
            let cache = AnswerCache::default();
            let e = Evaluations::default();
            assert_eq!(body_of(&cache, key("q"), &e).await, "1");
            // another write began during the refresh and is still running
            let mut first = cache.writing();
            first.refresh_keys();
            let second = cache.writing();
            first.finish(vec![(key("q"), answer("stale"))]);
            assert_eq!(body_of(&cache, key("q"), &e).await, "2");
            drop(second);
            assert_eq!(body_of(&cache, key("q"), &e).await, "3");
            // another write began and ended during the refresh
            let mut first = cache.writing();
            first.refresh_keys();
            drop(cache.writing());
            first.finish(vec![(key("q"), answer("stale"))]);
            assert_eq!(body_of(&cache, key("q"), &e).await, "4");
            // alone: kept
            let mut only = cache.writing();
            only.refresh_keys();
            only.finish(vec![(key("q"), answer("fresh"))]);
            assert_eq!(body_of(&cache, key("q"), &e).await, "fresh");
            assert_eq!(e.count(), 4);
        });
    }

    #[test]
    fn keys_differ_by_query_and_by_media_type() {
        runtime().block_on(async {
            let cache = AnswerCache::default();
            let e = Evaluations::default();
            let json = Key {
                accept: Some("application/json".into()),
                ..key("q")
            };
            assert_eq!(body_of(&cache, key("q"), &e).await, "1");
            assert_eq!(body_of(&cache, json, &e).await, "2");
            assert_eq!(body_of(&cache, key("r"), &e).await, "3");
            assert_eq!(body_of(&cache, key("q"), &e).await, "1");
            assert_eq!(cache.len(), 3);
        });
    }

    #[test]
    fn failures_and_large_answers_are_not_kept() {
        runtime().block_on(async {
            let cache = AnswerCache::default();
            let failed: Result<Answer, String> = cache
                .get_or_compute(key("q"), || async { Err("timeout".to_string()) })
                .await;
            assert_eq!(failed.unwrap_err(), "timeout");
            let e = Evaluations::default();
            assert_eq!(body_of(&cache, key("q"), &e).await, "1");
            let large = "x".repeat(MAX_KEPT_BYTES + 1);
            for _ in 0..2 {
                let got: Result<Answer, String> = cache
                    .get_or_compute(key("big"), || async { Ok(answer(&large)) })
                    .await;
                assert_eq!(got.unwrap().body.len(), MAX_KEPT_BYTES + 1);
                assert_eq!(cache.len(), 1, "only the small answer is kept");
            }
        });
    }

    #[test]
    fn concurrent_requests_wait_for_one_evaluation() {
        runtime().block_on(async {
            let cache = Arc::new(AnswerCache::default());
            let e = Arc::new(Evaluations::default());
            // the evaluation waits until every request holds the slot
            let (release, released) = tokio::sync::watch::channel(false);
            let mut tasks = Vec::new();
            for _ in 0..8 {
                let (cache, e) = (cache.clone(), e.clone());
                let mut released = released.clone();
                tasks.push(tokio::spawn(async move {
                    let answer = cache
                        .get_or_compute(key("q"), || async move {
                            let _ = released.wait_for(|r| *r).await;
                            e.run().await
                        })
                        .await;
                    answer.map(|a| a.body)
                }));
            }
            // the map's reference and one per request
            while cache.lock().get(&key("q")).map(Arc::strong_count) != Some(9) {
                tokio::task::yield_now().await;
            }
            release.send(true).expect("the evaluation listens");
            for task in tasks {
                assert_eq!(task.await.expect("a task").unwrap(), "1");
            }
            assert_eq!(e.count(), 1);
        });
    }

    #[test]
    fn a_full_cache_of_current_answers_computes_without_keeping() {
        runtime().block_on(async {
            let cache = AnswerCache::default();
            let e = Evaluations::default();
            for i in 0..MAX_ENTRIES {
                cache
                    .get_or_compute(key(&i.to_string()), || e.run())
                    .await
                    .unwrap();
            }
            assert_eq!(cache.len(), MAX_ENTRIES);
            cache.get_or_compute(key("more"), || e.run()).await.unwrap();
            cache.get_or_compute(key("more"), || e.run()).await.unwrap();
            assert_eq!(e.count(), MAX_ENTRIES + 2);
            assert_eq!(cache.len(), MAX_ENTRIES);
            // after a write the stale answers make room
            drop(cache.writing());
            cache.get_or_compute(key("more"), || e.run()).await.unwrap();
            assert_eq!(cache.len(), 1);
        });
    }
}
