//! The server under load (issue 16): 50 concurrent clients on loopback run named queries,
//! searches and portal pages (home, search, a procedure, a norm) while an ingest runs through
//! `POST /ingest` (re-sending the KB's own documents: each replaces its graph, so every answer
//! before, during and after is the same). Every answer must equal the one the same server gave
//! before the load (named queries: the rows as a set; searches: the total and the hits' IRIs;
//! pages: the whole HTML), with no error, and the ingest must complete (200 for each document,
//! each one replacing its graph).
//!
//! Bounded in count, not in time: each client makes `PAESI_LOAD_REQUESTS` requests (8 by
//! default) and goes on until the ingest has ended, so the whole ingest runs under load; the
//! ingest sends the documents `PAESI_LOAD_ROUNDS` times (1 by default; more for a benchmark
//! whose p99 rests on more than a few hundred requests). The latencies (p50/p99 per kind, of
//! all requests and of those begun while the ingest ran) are printed; with
//! `PAESI_LOAD_REPORT=FILE` they are also written there as JSON (the benchmark run of
//! RELIABILITY.md: `PAESI_BIN` names the binary to serve with, a release build for the
//! figures).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;

const TOKEN: &str = "load-token";
const DAY: &str = "2025-06-01";
const CLIENTS: usize = 50;

/// What a request is, for the latency figures and for reading its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Named,
    Search,
    Page,
    /// The portal's search page: its hits as a set (their order follows the scores).
    SearchPage,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Named => "named query",
            Kind::Search => "search",
            Kind::Page | Kind::SearchPage => "portal page",
        }
    }
}

fn project(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The documents of the KB that the ingest under load sends again.
fn documents(shared: &Path) -> Vec<PathBuf> {
    let corpus = shared.join("corpus");
    vec![
        corpus.join("nir/xmleges-samples/286-paesi.xml"),
        corpus.join("akn/normattiva/legge_56_2007.xml"),
        corpus.join("akn/normattiva/dl_2025-03-28_n36_cittadinanza_25G00049.xml"),
        corpus.join("akn/normattiva/dlgs_2019-05-14_n52_19G00059_vig20200719.xml"),
    ]
}

/// The requests every client cycles through: (kind, path).
fn probes() -> Vec<(Kind, String)> {
    let mut out: Vec<(Kind, String)> = [
        "acts",
        "acts-by-type",
        "most-cited",
        "cites",
        "cited-by",
        "procedures-on-norm",
        "text-at",
    ]
    .iter()
    .map(|q| (Kind::Named, format!("/queries/{q}?format=json&at={DAY}")))
    .collect();
    out.push((
        Kind::Named,
        "/queries/procedure-norms?format=json&procedure=https://w3id.org/paesi/procedure/ricongiungimento-nulla-osta".into(),
    ));
    out.push((
        Kind::Named,
        format!(
            "/queries/partitions-in-force?format=json&at={DAY}&act=urn:nir:stato:decreto.legislativo:1998-07-25;286"
        ),
    ));
    for q in ["permesso", "cittadinanza", "ricongiungimento", "lavoro"] {
        out.push((
            Kind::Search,
            format!("/api/search?q={q}&at={DAY}&limit=1000"),
        ));
    }
    out.push((Kind::Page, "/?lang=it".into()));
    out.push((
        Kind::SearchPage,
        format!("/search?q=ricongiungimento&at={DAY}&lang=it"),
    ));
    out.push((
        Kind::Page,
        format!("/procedure/ricongiungimento-nulla-osta?lang=it&at={DAY}"),
    ));
    out.push((
        Kind::Page,
        format!("/act/stato/decreto.legislativo/1998/286/art29-com1?lang=it&at={DAY}"),
    ));
    out
}

/// The answer of a request in the form the test compares: rows as a sorted list (named
/// queries), total and sorted hit IRIs (searches: scores move while deleted entries are not
/// merged), the page itself.
fn answer(kind: Kind, body: &str) -> Result<String, String> {
    let json = || serde_json::from_str::<serde_json::Value>(body).map_err(|e| e.to_string());
    match kind {
        Kind::Named => {
            let v = json()?;
            let mut rows: Vec<String> = v["results"]["bindings"]
                .as_array()
                .ok_or("no bindings")?
                .iter()
                .map(|r| r.to_string())
                .collect();
            rows.sort();
            Ok(rows.join("\n"))
        }
        Kind::Search => {
            let v = json()?;
            let mut iris: Vec<&str> = v["hits"]
                .as_array()
                .ok_or("no hits")?
                .iter()
                .map(|h| h["iri"].as_str().unwrap_or_default())
                .collect();
            iris.sort_unstable();
            Ok(format!("{}\n{}", v["total"], iris.join("\n")))
        }
        Kind::Page => Ok(body.to_string()),
        Kind::SearchPage => {
            let mut links: Vec<&str> = body
                .split("href=\"")
                .skip(1)
                .filter_map(|l| l.split('"').next())
                .collect();
            links.sort_unstable();
            Ok(links.join("\n"))
        }
    }
}

/// A client without reqwest's 30 s default timeout: under load on two shared cores a debug
/// build may take longer; a guard of 10 minutes stays so that the test fails, never hangs.
fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(600))
        .build()
        .expect("HTTP client")
}

/// One request: its answer in comparable form and how long it took.
fn fetch(http: &Client, base: &str, kind: Kind, path: &str) -> Result<(String, Duration), String> {
    let start = Instant::now();
    let mut r = http.get(format!("{base}{path}"));
    if matches!(kind, Kind::Page | Kind::SearchPage) {
        r = r.header(reqwest::header::ACCEPT, "text/html");
    }
    let r = r.send().map_err(|e| format!("{path}: {e}"))?;
    let status = r.status();
    let body = r.text().map_err(|e| format!("{path}: {e}"))?;
    let took = start.elapsed();
    if status != 200 {
        return Err(format!("{path}: {status} {body}"));
    }
    Ok((
        answer(kind, &body).map_err(|e| format!("{path}: {e}"))?,
        took,
    ))
}

/// Where two answers first differ: 120 characters of each from a little before.
fn first_difference(expected: &str, got: &str) -> String {
    let at = expected
        .char_indices()
        .zip(got.chars())
        .find(|((_, a), b)| a != b)
        .map_or(expected.len().min(got.len()), |((i, _), _)| i);
    let from = expected[..at]
        .char_indices()
        .rev()
        .nth(40)
        .map_or(0, |(i, _)| i);
    let window = |s: &str| {
        s.get(from..)
            .unwrap_or("")
            .chars()
            .take(120)
            .collect::<String>()
    };
    format!(
        "at byte {at}: expected {:?}, got {:?}",
        window(expected),
        window(got)
    )
}

/// The `q`-quantile of sorted durations, in milliseconds.
fn quantile(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[at].as_secs_f64() * 1000.0
}

#[test]
fn fifty_clients_get_the_quiet_answers_while_an_ingest_runs() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let setting = |name: &str, default: usize| -> usize {
        std::env::var(name)
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(default)
    };
    let per_client = setting("PAESI_LOAD_REQUESTS", 8);
    let rounds = setting("PAESI_LOAD_ROUNDS", 1).max(1);
    let docs = documents(&shared);
    let data = common::fresh_dir("load");
    let out = common::paesi()
        .arg("--data")
        .arg(&data)
        .arg("ingest")
        .arg(project("corpus"))
        .arg(project("ontology"))
        .args(&docs)
        .output()
        .expect("ingest");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = common::Server::start(&data, &["--update-token", TOKEN]);
    let base = server.url.clone();
    let probes = Arc::new(probes());
    // the answers of the quiet server
    let http = client();
    let expected: Arc<Vec<String>> = Arc::new(
        probes
            .iter()
            .map(|(kind, path)| fetch(&http, &base, *kind, path).expect("quiet answer").0)
            .collect(),
    );
    // the answers the test relies on are not empty: a named query has rows, a search hits
    for ((kind, path), a) in probes.iter().zip(expected.iter()) {
        assert!(a.len() > 2, "{kind:?} {path}: {a}");
    }

    let ingest_done = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(CLIENTS + 1));
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let under_ingest = Arc::new(AtomicUsize::new(0));
    // (latency, begun while the ingest ran) of each answer, by kind
    let latencies = Arc::new(Mutex::new(BTreeMap::<Kind, Vec<(Duration, bool)>>::new()));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (probes, expected, base) = (probes.clone(), expected.clone(), base.clone());
            let (done, start, errors) = (ingest_done.clone(), start.clone(), errors.clone());
            let (under, latencies) = (under_ingest.clone(), latencies.clone());
            std::thread::spawn(move || {
                let http = client();
                let mut mine: Vec<(Kind, Duration, bool)> = Vec::new();
                start.wait();
                let mut n = 0;
                // N requests, and on until the ingest has ended
                while n < per_client || !done.load(Ordering::SeqCst) {
                    let during = !done.load(Ordering::SeqCst);
                    let i = (c + n) % probes.len();
                    let (kind, path) = &probes[i];
                    match fetch(&http, &base, *kind, path) {
                        Ok((a, _)) if a != expected[i] => {
                            errors.lock().expect("errors").push(format!(
                                "{path}: another answer under load: {}",
                                first_difference(&expected[i], &a)
                            ))
                        }
                        Ok((_, took)) => mine.push((*kind, took, during)),
                        Err(e) => errors.lock().expect("errors").push(e),
                    }
                    if during {
                        under.fetch_add(1, Ordering::SeqCst);
                    }
                    n += 1;
                }
                let mut all = latencies.lock().expect("latencies");
                for (k, d, during) in mine {
                    all.entry(k).or_default().push((d, during));
                }
            })
        })
        .collect();
    // the ingest: each document sent again, one POST each, under load
    let http = client();
    start.wait();
    let ingest_start = Instant::now();
    let mut ingested = Vec::new();
    for doc in std::iter::repeat_n(&docs, rounds).flatten() {
        let name = doc
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let r = http
            .post(format!("{base}/ingest?name={name}"))
            .bearer_auth(TOKEN)
            .header(reqwest::header::CONTENT_TYPE, "application/xml")
            .body(std::fs::read(doc).expect("document"))
            .send()
            .expect("POST /ingest");
        let status = r.status();
        let report: serde_json::Value = r.json().expect("ingest report");
        ingested.push((
            name,
            status.as_u16(),
            report["documents"].clone(),
            report["replaced"].clone(),
        ));
    }
    let ingest_took = ingest_start.elapsed();
    ingest_done.store(true, Ordering::SeqCst);
    for c in clients {
        c.join().expect("client thread");
    }
    // after the ingest, on a quiet server: the answers of before (the documents sent through
    // POST /ingest give the graphs `paesi ingest` gave them)
    let after: Vec<String> = probes
        .iter()
        .zip(expected.iter())
        .filter_map(|((kind, path), e)| match fetch(&http, &base, *kind, path) {
            Ok((a, _)) if &a == e => None,
            Ok((a, _)) => Some(format!(
                "{path} after the ingest: {}",
                first_difference(e, &a)
            )),
            Err(e) => Some(e),
        })
        .collect();
    let (status, stderr) = server.stop();

    let errors = errors.lock().expect("errors");
    let latencies = latencies.lock().expect("latencies");
    let total: usize = latencies.values().map(Vec::len).sum();
    let mut by_name = BTreeMap::<&str, Vec<(Duration, bool)>>::new();
    for (kind, ds) in latencies.iter() {
        by_name.entry(kind.name()).or_default().extend(ds);
    }
    let mut figures = serde_json::Map::new();
    for (kind, ds) in by_name {
        let mut all: Vec<Duration> = ds.iter().map(|(d, _)| *d).collect();
        let mut during: Vec<Duration> = ds.iter().filter(|(_, u)| *u).map(|(d, _)| *d).collect();
        let mut figure = serde_json::Map::new();
        for (which, ds) in [("all", &mut all), ("during_ingest", &mut during)] {
            ds.sort();
            let (p50, p99) = (quantile(ds, 0.5), quantile(ds, 0.99));
            eprintln!(
                "{kind} ({which}): {} requests, p50 {p50:.1} ms, p99 {p99:.1} ms, max {:.1} ms",
                ds.len(),
                quantile(ds, 1.0)
            );
            figure.insert(
                which.into(),
                serde_json::json!({"requests": ds.len(), "p50_ms": p50, "p99_ms": p99, "max_ms": quantile(ds, 1.0)}),
            );
        }
        figures.insert(kind.into(), figure.into());
    }
    let under = under_ingest.load(Ordering::SeqCst);
    eprintln!(
        "{CLIENTS} clients, {total} answers, {under} requests sent while the ingest ran ({:.1} s), {} errors",
        ingest_took.as_secs_f64(),
        errors.len()
    );
    if let Ok(file) = std::env::var("PAESI_LOAD_REPORT") {
        let report = serde_json::json!({
            "clients": CLIENTS,
            "requests_per_client": per_client,
            "ingest_rounds": rounds,
            "answers": total,
            "answers_during_ingest": under,
            "ingest_seconds": ingest_took.as_secs_f64(),
            "errors": errors.len(),
            "different_after_ingest": after.len(),
            "latency": figures,
        });
        std::fs::write(&file, serde_json::to_string_pretty(&report).expect("JSON"))
            .expect("write the report");
    }
    assert!(status.success(), "{stderr}");
    assert!(after.is_empty(), "{after:?}");
    assert!(
        errors.is_empty(),
        "{} errors: {:?}",
        errors.len(),
        &errors[..errors.len().min(10)]
    );
    assert!(total >= CLIENTS * per_client, "{total} answers");
    for (name, status, n, replaced) in &ingested {
        assert_eq!(
            (*status, n.as_u64(), replaced.as_u64()),
            (200, Some(1), Some(1)),
            "{name}"
        );
    }
    let _ = std::fs::remove_dir_all(&data);
}
