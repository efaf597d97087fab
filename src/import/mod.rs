//! The import pipeline: bring acts in from Normattiva (by URN:NIR), from any URL of an AKN or
//! NIR document, or from a manifest listing them; keep the knowledge base current from the
//! updated-acts feed ([`sync`]); and say after every import what changed for the procedures.
//!
//! Each source is fetched whole before anything is written; an expression already held
//! (same canonical hash, [`registry`]) is left alone; a new or changed one is written by
//! [`crate::ingest::ingest`], recorded in the registry, and compared with what the store
//! held before ([`impact`]). A source that fails writes nothing, and the others go on.

pub mod digest;
pub mod http;
pub mod impact;
pub mod manifest;
pub mod normattiva;
pub mod registry;
pub mod report;

use std::collections::BTreeSet;

use oxigraph::model::Quad;

use crate::ids;
use crate::ingest::{self, Input};
use crate::procedure::LookupError;
use crate::rdf::{ELI, PAESI};
use crate::store::{Kb, StoreError};
use http::{Http, HttpConfig, HttpError};
use normattiva::{Endpoints, Normattiva, NormattivaError, Publication};
use report::{ImportReport, ItemReport, Status, SyncReport};

/// Something to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An act by URN:NIR, resolved through Normattiva; `at` the day its text is taken in force
    /// (a `!vig=` in the URN wins; default: the run's day).
    Urn {
        /// The URN:NIR.
        urn: String,
        /// The day.
        at: Option<String>,
    },
    /// An AKN or NIR document at a URL.
    Url(String),
    /// A publication already known (from the updated-acts feed).
    Publication(Publication),
}

impl Source {
    /// The source as people wrote it.
    pub fn label(&self) -> String {
        match self {
            Source::Urn { urn, .. } => urn.clone(),
            Source::Url(u) => u.clone(),
            Source::Publication(p) => format!("{} ({})", p.title, p.codice_redazionale),
        }
    }
}

/// How an import runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where Normattiva lives.
    pub endpoints: Endpoints,
    /// HTTP behaviour.
    pub http: HttpConfig,
    /// The day texts are taken in force, `YYYY-MM-DD`.
    pub at: String,
    /// Language of procedure labels.
    pub lang: String,
    /// The annotator ingest runs (the same as `paesi ingest`'s, so that the hash of what
    /// import maps equals the hash of what ingest would write).
    pub annotator: Option<std::sync::Arc<crate::annotate::Annotator>>,
}

/// Why a run could not go on at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The HTTP client could not be set up.
    #[error("{0}")]
    Http(#[from] HttpError),
    /// Normattiva failed for the run as a whole (the updated-acts feed).
    #[error("{0}")]
    Normattiva(#[from] NormattivaError),
    /// The store failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// A lookup failed.
    #[error("{0}")]
    Lookup(#[from] LookupError),
    /// A date that is not one.
    #[error("{0:?} is not a date (YYYY-MM-DD)")]
    Date(String),
}

/// Why one source failed (nothing of it was written).
#[derive(Debug, thiserror::Error)]
enum ItemError {
    #[error("{0}")]
    Normattiva(#[from] NormattivaError),
    #[error("{document}: {message}")]
    Parse { document: String, message: String },
    #[error("{0}")]
    Ingest(String),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Lookup(#[from] LookupError),
}

/// Whether Normattiva's open-data API answers at all (any HTTP status will do): one attempt,
/// at most 15 seconds. The reason when it does not (no connection, no name, timeout).
pub fn reachable(settings: &Settings) -> Result<(), String> {
    let limit = std::time::Duration::from_secs(15);
    let config = http::HttpConfig {
        attempts: 1,
        timeout: settings.http.timeout.min(limit),
        connect_timeout: settings.http.connect_timeout.min(limit),
        ..settings.http.clone()
    };
    let http = Http::new(config).map_err(|e| e.to_string())?;
    match http.get(&settings.endpoints.api) {
        Ok(_) => Ok(()),
        Err(HttpError::Transport { reason, .. }) => Err(reason),
        Err(e) => Err(e.to_string()),
    }
}

/// Imports the sources, one after the other.
pub fn import(
    kb: &Kb,
    sources: &[Source],
    settings: &Settings,
) -> Result<ImportReport, ImportError> {
    let http = Http::new(settings.http.clone())?;
    let nt = Normattiva::new(&http, settings.endpoints.clone());
    Ok(import_with(kb, &http, &nt, sources, settings))
}

fn import_with(
    kb: &Kb,
    http: &Http,
    nt: &Normattiva,
    sources: &[Source],
    settings: &Settings,
) -> ImportReport {
    let mut report = ImportReport::default();
    let mut touched = BTreeSet::new();
    for source in sources {
        let mut item = ItemReport::new(source.label());
        if let Err(e) = import_one(kb, http, nt, source, settings, &mut item) {
            item.status = Status::Failed;
            item.error = Some(e.to_string());
        }
        match item.status {
            Status::Imported => report.imported += 1,
            Status::Unchanged => report.unchanged += 1,
            Status::Failed => report.failed += 1,
        }
        touched.extend(item.procedures.iter().map(|p| p.id.clone()));
        report.items.push(item);
    }
    report.procedures_touched = touched.into_iter().collect();
    report.attempts = http.attempts();
    // every attempt but the retries starts a request
    report.requests = report.attempts.len()
        - report
            .attempts
            .iter()
            .filter(|a| a.retry_because.is_some())
            .count();
    report
}

/// Fetches the document of a source: (its address, its bytes).
fn fetch(
    http: &Http,
    nt: &Normattiva,
    source: &Source,
    settings: &Settings,
    item: &mut ItemReport,
) -> Result<(String, Vec<u8>), ItemError> {
    let (url, publication) = match source {
        Source::Url(u) => (u.clone(), None),
        Source::Urn { urn, at } => {
            let vig = Normattiva::check_urn(urn)?;
            let day = vig.or(at.clone()).unwrap_or_else(|| settings.at.clone());
            let detail = nt.resolve(urn)?;
            let p = nt.publication(&detail)?;
            (nt.akn_url(&p, &day), Some(p))
        }
        Source::Publication(p) => (nt.akn_url(p, &settings.at), Some(p.clone())),
    };
    item.document = Some(url.clone());
    item.publication = publication;
    let bytes = normattiva::fetch_document(http, &url)?;
    Ok((url, bytes))
}

fn import_one(
    kb: &Kb,
    http: &Http,
    nt: &Normattiva,
    source: &Source,
    settings: &Settings,
    item: &mut ItemReport,
) -> Result<(), ItemError> {
    let (url, bytes) = fetch(http, nt, source, settings, item)?;
    let doc = crate::parse::parse(&bytes).map_err(|e| ItemError::Parse {
        document: url.clone(),
        message: e.to_string(),
    })?;
    let (graph, quads, _) = crate::rdf::map(&doc, settings.annotator.as_deref());
    let act = doc.work.iri();
    let hash = registry::canonical_hash(quads.iter().map(Quad::as_ref))?;
    item.act = Some(act.clone());
    item.graph = Some(graph.as_str().to_string());
    item.hash = Some(hash.clone());
    item.triples = quads.len();
    let held = kb.has_graph(&graph)?;
    item.new_graph = !held;
    if held {
        let recorded = registry::entry(kb, &graph)?.and_then(|e| e.hash);
        let same = match &recorded {
            Some(h) => *h == hash,
            None => registry::stored_graph_hash(kb, &graph)? == hash,
        };
        if same {
            // held as mapped but not recorded (written by `paesi ingest`, or by an import
            // killed between the document's transaction and the registry's): recorded now,
            // so that an interrupted import finishes with the registry of a whole one
            if recorded.is_none() {
                registry::record(kb, &graph, &url, &hash, &crate::dates::today())?;
            }
            item.status = Status::Unchanged;
            return Ok(());
        }
    }
    let before = impact::snapshot(kb, &act)?;
    let opts = ingest::Options {
        jobs: 1,
        progress: false,
        annotator: settings.annotator.clone(),
        compact: false,
    };
    let done = ingest::ingest(kb, vec![Input::Bytes(url.clone(), bytes)], &opts);
    let failures: Vec<String> = done.failures.iter().map(|f| f.to_string()).collect();
    if done.files.is_empty() {
        return Err(ItemError::Ingest(failures.join("; ")));
    }
    item.warnings = failures;
    registry::record(kb, &graph, &url, &hash, &crate::dates::today())?;
    item.status = Status::Imported;
    let after = impact::snapshot(kb, &act)?;
    item.changes = impact::diff(&before, &after);
    let amendments = impact::amendments_of(kb, graph.as_str(), &act)?;
    item.procedures = impact::procedures(kb, &item.changes, &amendments, &settings.lang)?;
    Ok(())
}

/// The longest window asked of the updated-acts feed at once (Normattiva refuses more than
/// twelve months).
const WINDOW_DAYS: i64 = 360;

/// Asks the updated-acts feed for `since`..=`until` (in windows Normattiva accepts) and
/// imports the acts the knowledge base holds or cites. The feed is read whole before
/// anything is written: a feed error writes nothing.
pub fn sync(
    kb: &Kb,
    since: &str,
    until: &str,
    settings: &Settings,
) -> Result<SyncReport, ImportError> {
    let since = crate::dates::parse(since).ok_or_else(|| ImportError::Date(since.to_string()))?;
    let until = crate::dates::parse(until).ok_or_else(|| ImportError::Date(until.to_string()))?;
    let http = Http::new(settings.http.clone())?;
    let nt = Normattiva::new(&http, settings.endpoints.clone());
    let mut report = SyncReport::default();
    let mut updated = Vec::new();
    if until < since {
        // Normattiva's own check, made before asking
        nt.updated(&since, &until)?;
    }
    let mut from = since.clone();
    while from <= until {
        let end = crate::dates::add_days(&from, WINDOW_DAYS - 1)
            .ok_or_else(|| ImportError::Date(from.clone()))?;
        let to = if end < until { end } else { until.clone() };
        updated.extend(nt.updated(&from, &to)?);
        report.windows.push((from.clone(), to.clone()));
        from = crate::dates::add_days(&to, 1).ok_or_else(|| ImportError::Date(to.clone()))?;
    }
    report.updated = updated.len();
    let known = known_acts(kb)?;
    let mut sources = Vec::new();
    let mut seen = BTreeSet::new();
    for p in updated {
        let urn = normattiva::urn_of(&p.denominazione, &p.year, &p.number);
        let act = urn
            .as_deref()
            .and_then(|u| ids::parse_urn_nir(u).ok())
            .map(|t| t.work.iri());
        let name = urn.clone().unwrap_or_else(|| p.title.clone());
        match act {
            Some(a) if known.contains(&a) => {
                if seen.insert(p.codice_redazionale.clone()) {
                    report.selected.push(name);
                    sources.push(Source::Publication(p));
                }
            }
            _ => report.skipped.push(name),
        }
    }
    report.import = import_with(kb, &http, &nt, &sources, settings);
    Ok(report)
}

/// The acts the knowledge base holds, or cites, amends or grounds a procedure on.
fn known_acts(kb: &Kb) -> Result<BTreeSet<String>, StoreError> {
    let rows = kb.string_rows(&format!(
        "SELECT DISTINCT ?t WHERE {{
           {{ ?t <{PAESI}sourceFormat> ?f }} UNION {{ ?x <{ELI}cites> ?t }} UNION
           {{ ?b <{PAESI}norm> ?t }} UNION {{ ?m <{PAESI}destination> ?t }} UNION
           {{ ?r <{PAESI}target> ?t }} }}"
    ))?;
    Ok(rows
        .into_iter()
        .filter_map(|r| r.into_iter().next().flatten())
        .filter_map(|t| ids::act_iri_of(&t))
        .collect())
}
