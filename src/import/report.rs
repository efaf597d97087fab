//! What an import or a sync did, per source and in total, for people (text) and pipelines
//! (JSON): the status of each source, the partitions changed, the procedures touched and
//! at which level, and every HTTP attempt.

use std::io::Write;

use super::http::Attempt;
use super::impact::{Changes, ProcedureImpact, Through};
use super::normattiva::Publication;

/// What became of one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Its document was written (new, or a changed expression).
    Imported,
    /// The knowledge base already held this very expression: nothing was written.
    Unchanged,
    /// Nothing was written; `error` says why.
    Failed,
}

/// One source of an import.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ItemReport {
    /// The source as given (a URN:NIR or a URL).
    pub source: String,
    /// The document fetched.
    pub document: Option<String>,
    /// The publication a URN resolved to.
    pub publication: Option<Publication>,
    /// What became of it.
    pub status: Status,
    /// Why it failed.
    pub error: Option<String>,
    /// The act's canonical IRI.
    pub act: Option<String>,
    /// The document graph.
    pub graph: Option<String>,
    /// True when the graph was new to the knowledge base.
    pub new_graph: bool,
    /// The canonical (RDFC-1.0) hash of the document's quads.
    pub hash: Option<String>,
    /// Triples of the document.
    pub triples: usize,
    /// Partitions added, replaced, repealed.
    pub changes: Changes,
    /// Procedures touched, with how.
    pub procedures: Vec<ProcedureImpact>,
    /// Problems after the write (e.g. the text index).
    pub warnings: Vec<String>,
}

impl ItemReport {
    /// A report for a source, before anything happened.
    pub fn new(source: String) -> Self {
        ItemReport {
            source,
            document: None,
            publication: None,
            status: Status::Failed,
            error: None,
            act: None,
            graph: None,
            new_graph: false,
            hash: None,
            triples: 0,
            changes: Changes::default(),
            procedures: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// What one import run did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    /// Each source, in order.
    pub items: Vec<ItemReport>,
    /// Sources imported.
    pub imported: usize,
    /// Sources already held.
    pub unchanged: usize,
    /// Sources that failed.
    pub failed: usize,
    /// The identifiers of the procedures touched by any source, sorted.
    pub procedures_touched: Vec<String>,
    /// HTTP requests made (the first attempt of each).
    pub requests: usize,
    /// Every HTTP attempt, in order.
    pub attempts: Vec<Attempt>,
    /// The figures of the procedures touched, checked against their commi after the import
    /// (as `paesi check` reports them); None when no procedure was touched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub figures: Option<crate::check::CatalogueCheck>,
    /// The push to a remote store that followed the import (`--push`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub push: Option<crate::remote::push::PushReport>,
}

/// What one sync run did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SyncReport {
    /// The windows asked of the updated-acts feed (at most twelve months each).
    pub windows: Vec<(String, String)>,
    /// Acts the feed listed.
    pub updated: usize,
    /// Those the knowledge base holds or cites (imported), as URNs.
    pub selected: Vec<String>,
    /// The others, as URNs (or titles when paesi cannot name their type).
    pub skipped: Vec<String>,
    /// The import of the selected acts.
    pub import: ImportReport,
}

/// Writes each source that failed, one line each (`paesi: import SOURCE: MESSAGE`): for
/// stderr, so that the report on stdout (JSON for a pipeline) never mixes with errors.
pub fn render_failures(err: &mut impl Write, r: &ImportReport) -> std::io::Result<()> {
    for item in r.items.iter().filter(|i| i.status == Status::Failed) {
        writeln!(
            err,
            "paesi: import {}: {}",
            item.source,
            item.error.as_deref().unwrap_or("unknown error")
        )?;
    }
    Ok(())
}

/// Writes an import report for people (failures are left to [`render_failures`]: they go
/// to stderr).
pub fn render_import(out: &mut impl Write, r: &ImportReport) -> std::io::Result<()> {
    for item in &r.items {
        match item.status {
            Status::Failed => {}
            Status::Unchanged => writeln!(
                out,
                "unchanged {} (already held: {})",
                item.source,
                item.graph.as_deref().unwrap_or("?")
            )?,
            Status::Imported => {
                writeln!(
                    out,
                    "imported {} -> {} ({} triples, {} graph)",
                    item.source,
                    item.graph.as_deref().unwrap_or("?"),
                    item.triples,
                    if item.new_graph { "new" } else { "replaced" }
                )?;
                let c = &item.changes;
                writeln!(
                    out,
                    "  partitions: {} added, {} replaced, {} repealed",
                    c.added.len(),
                    c.replaced.len(),
                    c.repealed.len()
                )?;
                for (p, kind) in c
                    .replaced
                    .iter()
                    .map(|p| (p, "replaced"))
                    .chain(c.repealed.iter().map(|p| (p, "repealed")))
                {
                    writeln!(out, "    {kind} {p}")?;
                }
                if item.procedures.is_empty() {
                    writeln!(out, "  no procedure touched")?;
                }
                for p in &item.procedures {
                    writeln!(out, "  procedure {} ({})", p.id, p.title)?;
                    for l in &p.links {
                        let level = match l.level {
                            super::impact::Level::Partition => "partition",
                            super::impact::Level::Part => "part",
                            super::impact::Level::Container => "container",
                            super::impact::Level::Act => "act",
                        };
                        match l.through {
                            Through::Text => writeln!(
                                out,
                                "    {} {} [level {level}]: legal basis {}",
                                l.change, l.changed, l.basis
                            )?,
                            Through::Amendment => writeln!(
                                out,
                                "    amended ({}) {} by {} [level {level}]: legal basis {}",
                                l.change,
                                l.changed,
                                l.by.as_deref().unwrap_or("?"),
                                l.basis
                            )?,
                        }
                    }
                }
                for w in &item.warnings {
                    writeln!(out, "  warning: {w}")?;
                }
            }
        }
    }
    let retries = r.attempts.len().saturating_sub(r.requests);
    writeln!(
        out,
        "{} imported, {} unchanged, {} failed; {} procedures touched{}; {} HTTP requests ({} retries)",
        r.imported,
        r.unchanged,
        r.failed,
        r.procedures_touched.len(),
        if r.procedures_touched.is_empty() {
            String::new()
        } else {
            format!(" ({})", r.procedures_touched.join(", "))
        },
        r.requests,
        retries
    )?;
    if let Some(c) = &r.figures {
        crate::check::render_catalogue(out, c)?;
    }
    if let Some(p) = &r.push {
        crate::remote::push::render(out, p)?;
    }
    Ok(())
}

/// Writes a sync report for people.
pub fn render_sync(out: &mut impl Write, r: &SyncReport) -> std::io::Result<()> {
    for (from, to) in &r.windows {
        writeln!(out, "updated acts from {from} to {to}")?;
    }
    writeln!(
        out,
        "{} acts updated, {} held or cited by the knowledge base, {} skipped",
        r.updated,
        r.selected.len(),
        r.skipped.len()
    )?;
    render_import(out, &r.import)
}
