//! Ingestion: expand the inputs, parse and map documents on all cores, write each document's
//! graph to the store, and report what happened per file and in total.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, NamedNode, Quad};

use crate::annotate::Annotator;
use crate::catalogue;
use crate::model::PartitionKind;
use crate::parse::{self, ParseFailure};
use crate::rdf;
use crate::store::Kb;

/// One thing to ingest.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file on disk.
    File(PathBuf),
    /// Bytes read from standard input (or elsewhere), with the name to report them by.
    Bytes(String, Vec<u8>),
    /// An input refused before it was read whole (standard input past
    /// [`MAX_IN_MEMORY_BYTES`]): its name and why.
    Refused(String, String),
}

/// The largest document taken whole into memory from a stream: standard input here, a
/// `POST /ingest` body in the server. A file is read from its path up to
/// [`crate::xml::MAX_DOCUMENT_BYTES`], since its size is known before it is read.
pub const MAX_IN_MEMORY_BYTES: usize = 64 * 1024 * 1024;

impl Input {
    /// The name used in reports.
    pub fn name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Bytes(n, _) | Input::Refused(n, _) => n.clone(),
        }
    }
}

/// True for the file names ingest picks up when walking a directory.
fn wanted(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("xml") | Some("akn") | Some("nir") | Some("ttl")
    )
}

/// Expands paths: files as they are, directories recursively (XML and Turtle files, sorted),
/// `-` for standard input.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<Input>, Failure> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(read_stdin(std::io::stdin().lock())?);
        } else if p.is_dir() {
            let mut files = Vec::new();
            walk(p, &mut files)
                .map_err(|e| Failure::plain(&p.display().to_string(), e.to_string()))?;
            files.sort();
            out.extend(files.into_iter().map(Input::File));
        } else if p.exists() {
            out.push(Input::File(p.clone()));
        } else {
            return Err(Failure::plain(
                &p.display().to_string(),
                "no such file or directory".into(),
            ));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if wanted(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// A document that was not ingested, and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Failure {
    /// The file.
    pub path: String,
    /// Line of the problem, when known.
    pub line: Option<usize>,
    /// Column of the problem, when known.
    pub col: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// True when the document is well-formed but in a format or profile paesi refuses.
    pub unsupported: bool,
}

impl Failure {
    fn plain(path: &str, message: String) -> Failure {
        Failure {
            path: path.to_string(),
            line: None,
            col: None,
            message,
            unsupported: false,
        }
    }
}

impl Failure {
    /// The line a warning is printed as: `path:line:col: warning: message`.
    pub fn as_warning(&self) -> String {
        match (self.line, self.col) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}: warning: {}", self.path, self.message),
            _ => format!("{}: warning: {}", self.path, self.message),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.col) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.path, self.message),
            _ => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// What one run of ingest did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    /// Documents (legal XML) ingested.
    pub documents: usize,
    /// Of which replaced a graph already in the store.
    pub replaced: usize,
    /// Ontology (Turtle) files loaded.
    pub ontology_files: usize,
    /// Inputs that failed.
    pub failed: usize,
    /// Partitions written.
    pub partitions: usize,
    /// Articles written.
    pub articles: usize,
    /// Paragraphs (commi) written.
    pub paragraphs: usize,
    /// References written.
    pub references: usize,
    /// References whose target could not be resolved to an IRI.
    pub unresolved_references: usize,
    /// Modifications written.
    pub modifications: usize,
    /// Modifications whose destination could not be resolved (kept as text).
    pub unresolved_destinations: usize,
    /// Triples written.
    pub triples: usize,
    /// Bytes read.
    pub bytes: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Of which compacting the store and merging the text index's segments at the end (None:
    /// not asked, `--compact`).
    pub compact_seconds: Option<f64>,
    /// Every failure, by path.
    pub failures: Vec<Failure>,
    /// What was ingested but is worth saying (a duplicate id kept under another one), by
    /// path: the documents are in the store.
    pub warnings: Vec<Failure>,
    /// What each ingested file became, in input order.
    pub files: Vec<FileReport>,
    /// Acts of this run that have several expressions (document graphs), linked in time.
    pub expressions: Vec<ActExpressions>,
    /// The text-index entries of the graphs written, by graph (not reported).
    #[serde(skip)]
    pub index_entries: std::collections::HashMap<String, crate::search::GraphEntries>,
    /// Graphs whose index entries went to the index writer but that a failed bulk load
    /// left out of the store: the index drops them at the end of the run (not reported).
    #[serde(skip)]
    pub unwritten: Vec<String>,
}

/// An act with several expressions, after they were linked in time.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ActExpressions {
    /// The act's canonical IRI.
    pub act: String,
    /// Its document graphs.
    pub expressions: usize,
    /// Versions made from the texts of its expressions in this run.
    pub versions_created: usize,
    /// Versions that a later expression closes.
    pub versions_closed: usize,
    /// Its document graphs, oldest first.
    pub graphs: Vec<String>,
}

/// What one ingested file became.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileReport {
    /// The file.
    pub path: String,
    /// The named graph it was written to.
    pub graph: String,
    /// The canonical IRI of its act (None for ontology files).
    pub act: Option<String>,
    /// True when it replaced a graph already in the store.
    pub replaced: bool,
    /// Partitions.
    pub partitions: usize,
    /// Articles.
    pub articles: usize,
    /// Paragraphs (commi).
    pub paragraphs: usize,
    /// References.
    pub references: usize,
    /// Triples.
    pub triples: usize,
}

/// How to run an ingest.
#[derive(Debug, Clone)]
pub struct Options {
    /// Parser threads.
    pub jobs: usize,
    /// Show a progress bar (only drawn on a terminal).
    pub progress: bool,
    /// The annotator run over every partition and version text (None: no annotations).
    pub annotator: Option<std::sync::Arc<crate::annotate::Annotator>>,
    /// Compact the store at the end of the run ([`Kb::compact`]): slower ingest, faster reads.
    pub compact: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            progress: false,
            annotator: None,
            compact: false,
        }
    }
}

/// A parsed and mapped input, ready to be written.
struct Mapped {
    name: String,
    bytes: u64,
    graph: NamedNode,
    quads: Vec<Quad>,
    triples: usize,
    is_document: bool,
    act: Option<String>,
    replaced: bool,
    partitions: usize,
    articles: usize,
    paragraphs: usize,
    references: usize,
    unresolved_references: usize,
    modifications: usize,
    unresolved_destinations: usize,
    /// Its text-index entries, made here (in parallel) from the quads it writes.
    entries: Option<crate::search::GraphEntries>,
    /// The parser's warnings, reported once the document is in the store.
    warnings: Vec<Failure>,
}

/// Standard input as one input: read up to one byte past [`MAX_IN_MEMORY_BYTES`] (enough to
/// know it is too large), then refused without reading the rest. The buffer is reserved whole
/// at the start (address space only: the pages are touched as bytes arrive), so that it never
/// grows by copying: growing it held the old and the new buffer at once, and the allocator kept
/// the ones let go, about 2.5 times the bytes read (tests/hostile.rs).
fn read_stdin(stdin: impl Read) -> Result<Input, Failure> {
    let mut bytes = Vec::with_capacity(MAX_IN_MEMORY_BYTES + 1);
    stdin
        .take(MAX_IN_MEMORY_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::plain("-", format!("cannot read standard input: {e}")))?;
    let name = "<stdin>".to_string();
    if bytes.len() > MAX_IN_MEMORY_BYTES {
        return Ok(Input::Refused(
            name,
            format!(
                "standard input too large (more than {MAX_IN_MEMORY_BYTES} bytes, the limit of a \
                 document read from a stream): give the document as a file path"
            ),
        ));
    }
    Ok(Input::Bytes(name, bytes))
}

/// The bytes of an input; a file larger than [`crate::xml::MAX_DOCUMENT_BYTES`] is refused
/// from its size, before anything is read (memory stays bounded whatever the file).
fn read_input(input: &Input) -> Result<std::borrow::Cow<'_, [u8]>, Failure> {
    match input {
        Input::File(p) => {
            let name = input.name();
            let size = std::fs::metadata(p)
                .map_err(|e| Failure::plain(&name, e.to_string()))?
                .len();
            if size > crate::xml::MAX_DOCUMENT_BYTES as u64 {
                return Err(Failure {
                    line: Some(1),
                    col: Some(1),
                    ..Failure::plain(
                        &name,
                        format!(
                            "document too large ({size} bytes, limit {})",
                            crate::xml::MAX_DOCUMENT_BYTES
                        ),
                    )
                });
            }
            let bytes = std::fs::read(p).map_err(|e| Failure::plain(&name, e.to_string()))?;
            Ok(std::borrow::Cow::Owned(bytes))
        }
        Input::Bytes(_, b) => Ok(std::borrow::Cow::Borrowed(b)),
        Input::Refused(name, why) => Err(Failure {
            line: Some(1),
            col: Some(1),
            ..Failure::plain(name, why.clone())
        }),
    }
}

/// Reads, parses and maps one input (no store access): the part that runs in parallel.
fn prepare(input: &Input, annotator: Option<&Annotator>) -> Result<Mapped, Failure> {
    let name = input.name();
    let bytes = read_input(input)?;
    let bytes: &[u8] = &bytes;
    let is_turtle = matches!(input, Input::File(p) if p.extension().is_some_and(|e| e == "ttl"));
    if is_turtle {
        return prepare_turtle(&name, input, bytes);
    }
    let doc = parse::parse(bytes).map_err(|e| match e {
        ParseFailure::Invalid(p) => Failure {
            path: name.clone(),
            line: Some(p.line),
            col: Some(p.col),
            message: p.message,
            unsupported: false,
        },
        ParseFailure::Unsupported { line, col, reason } => Failure {
            path: name.clone(),
            line: Some(line),
            col: Some(col),
            message: format!("unsupported: {reason}"),
            unsupported: true,
        },
    })?;
    let warnings = doc
        .warnings
        .iter()
        .map(|w| Failure {
            line: Some(w.line),
            col: Some(w.col),
            ..Failure::plain(&name, w.message.clone())
        })
        .collect();
    let (graph, quads, counts) = rdf::map(&doc, annotator);
    let entries = Some(crate::search::entries_from_quads(
        graph.as_str(),
        &quads,
        &[],
    ));
    Ok(Mapped {
        name,
        bytes: bytes.len() as u64,
        graph,
        triples: quads.len(),
        quads,
        is_document: true,
        act: Some(doc.work.iri()),
        replaced: false,
        partitions: counts.partitions,
        articles: doc.count(PartitionKind::Article),
        paragraphs: doc.count(PartitionKind::Paragraph),
        references: counts.references,
        unresolved_references: doc.references.iter().filter(|r| r.target.is_none()).count(),
        modifications: counts.modifications,
        unresolved_destinations: counts.unresolved_destinations,
        entries,
        warnings,
    })
}

fn prepare_turtle(name: &str, input: &Input, bytes: &[u8]) -> Result<Mapped, Failure> {
    let stem = match input {
        Input::File(p) => p.file_stem().map(|s| s.to_string_lossy().into_owned()),
        Input::Bytes(..) | Input::Refused(..) => None,
    }
    .unwrap_or_else(|| "ontology".into());
    let in_catalogue = matches!(input, Input::File(p) if catalogue::is_catalogue_file(p));
    let graph = if in_catalogue {
        catalogue::graph(&stem)
    } else {
        rdf::ontology_graph(&stem)
    };
    let parser = RdfParser::from_format(RdfFormat::Turtle)
        .with_default_graph(GraphName::NamedNode(graph.clone()))
        .rename_blank_nodes();
    let mut quads = Vec::new();
    for q in parser.for_slice(bytes) {
        match q {
            Ok(q) => quads.push(q),
            Err(e) => {
                let (line, col) = e
                    .location()
                    .map(|r| (r.start.line as usize + 1, r.start.column as usize + 1))
                    .unzip();
                return Err(Failure {
                    path: name.to_string(),
                    line,
                    col,
                    message: e.to_string(),
                    unsupported: false,
                });
            }
        }
    }
    if in_catalogue {
        let text = String::from_utf8_lossy(bytes);
        catalogue::resolve_legal_bases(&mut quads, &text).map_err(|e| Failure {
            path: name.to_string(),
            line: Some(e.line),
            col: Some(e.col),
            message: format!(
                "legal basis {:?} is not a URN:NIR paesi understands: {}",
                e.urn, e.reason
            ),
            unsupported: false,
        })?;
    }
    let entries = Some(crate::search::entries_from_quads(
        graph.as_str(),
        &quads,
        &[],
    ));
    Ok(Mapped {
        entries,
        name: name.to_string(),
        bytes: bytes.len() as u64,
        graph,
        triples: quads.len(),
        quads,
        is_document: false,
        act: None,
        replaced: false,
        partitions: 0,
        articles: 0,
        paragraphs: 0,
        references: 0,
        unresolved_references: 0,
        modifications: 0,
        unresolved_destinations: 0,
        warnings: Vec::new(),
    })
}

/// New graphs on their way into the store: quads gathered in memory up to [`BATCH_QUADS`],
/// then handed to a bulk load that stays open (and invisible) until it is committed: every
/// [`COMMIT_QUADS`], before a graph has to be replaced, and at the end of the run. The loader
/// sorts each batch into files on disk, so what stays in memory until the commit is only the
/// small record of each document (its quads and index entries are handed on as it joins).
struct Pending<'a> {
    loader: Option<crate::store::BulkWrite<'a>>,
    /// Graphs written since the last commit (not visible to `has_graph` yet).
    names: HashSet<NamedNode>,
    /// Of those, the graphs without quads, which the loader is told of apart.
    empty_graphs: Vec<NamedNode>,
    quads: Vec<Quad>,
    /// Documents loaded but not committed yet, without their quads and index entries.
    members: Vec<Mapped>,
    /// Quads handed to the bulk load since its last commit.
    loaded: usize,
}

impl<'a> Pending<'a> {
    fn new() -> Self {
        Pending {
            loader: None,
            names: HashSet::new(),
            empty_graphs: Vec::new(),
            quads: Vec::new(),
            members: Vec::new(),
            loaded: 0,
        }
    }

    /// Adds a new graph to the bulk load; its index entries go to the index writer at once
    /// (they are dropped from the index again if the bulk load fails).
    fn push(&mut self, kb: &'a Kb, mut m: Mapped, report: &mut Report) {
        self.names.insert(m.graph.clone());
        if m.quads.is_empty() {
            self.empty_graphs.push(m.graph.clone());
        }
        // moved out, so that the emptied vector's capacity is freed with it
        let quads = std::mem::take(&mut m.quads);
        if self.quads.is_empty() {
            self.quads = quads;
        } else {
            self.quads.extend(quads);
        }
        if let Some(e) = m.entries.take() {
            report.index_entries.insert(m.graph.as_str().to_string(), e);
        }
        self.members.push(m);
        if self.quads.len() >= BATCH_QUADS {
            self.flush(kb, report);
        }
    }

    /// Hands the gathered quads to the bulk load.
    fn flush(&mut self, kb: &'a Kb, report: &mut Report) {
        if self.quads.is_empty() && self.empty_graphs.is_empty() {
            return;
        }
        let loader = self.loader.get_or_insert_with(|| kb.bulk_write());
        let quads = std::mem::take(&mut self.quads);
        let empty_graphs = std::mem::take(&mut self.empty_graphs);
        self.loaded += quads.len();
        if let Err(e) = loader.add(empty_graphs, quads) {
            self.fail(report, &e.to_string());
        } else if self.loaded >= COMMIT_QUADS {
            self.commit(kb, report);
        }
    }

    /// Commits the bulk load: every document in it becomes visible, or none does.
    fn commit(&mut self, kb: &'a Kb, report: &mut Report) {
        self.flush(kb, report);
        if let Some(loader) = self.loader.take() {
            match loader.commit() {
                Ok(()) => {
                    for m in &mut self.members {
                        count(report, m);
                    }
                }
                Err(e) => self.fail(report, &e.to_string()),
            }
        }
        self.members.clear();
        self.names.clear();
        self.loaded = 0;
    }

    /// The bulk load failed: none of its documents is in the store, and their index entries
    /// are taken out again at the end of the run.
    fn fail(&mut self, report: &mut Report, message: &str) {
        self.loader = None;
        for m in self.members.drain(..) {
            let graph = m.graph.as_str().to_string();
            report.index_entries.remove(&graph);
            report.unwritten.push(graph);
            report
                .failures
                .push(Failure::plain(&m.name, message.to_string()));
        }
        self.names.clear();
        self.empty_graphs.clear();
        self.quads.clear();
    }
}

/// Quads gathered in memory before they are handed to the bulk load, which sorts them into
/// files in batches of its own ([`crate::store::BULK_LOADER_MEGABYTES`]).
const BATCH_QUADS: usize = 1_000_000;

/// Quads a bulk load takes before it is committed. One commit per run loads faster (73 s
/// instead of 104 s at 100,000 articles) but leaves all its files overlapping, which every
/// later read pays for (`export` over 13 minutes instead of 171 s) until the store is
/// compacted; committing every million quads lets RocksDB merge them while the ingest goes on
/// (BENCHMARKS.md, issue 15).
const COMMIT_QUADS: usize = 1_000_000;

/// Ingests the inputs into the store.
pub fn ingest(kb: &Kb, inputs: Vec<Input>, opts: &Options) -> Report {
    let started = Instant::now();
    // --- text index (issue 5): held from before the store is written ---
    let mut text_index = crate::search::IngestHook::begin(kb);
    let mut index_failure: Option<String> = None;
    // --- end text index ---
    let mut report = Report::default();
    let bar = progress_bar(inputs.len(), opts.progress);
    let next = AtomicUsize::new(0);
    let jobs = opts.jobs.max(1).min(inputs.len().max(1));
    let (tx, rx) = mpsc::sync_channel::<(usize, Result<Mapped, Failure>)>(jobs * 2);
    let inputs = &inputs;
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(input) = inputs.get(i) else { break };
                    if tx
                        .send((i, prepare(input, opts.annotator.as_deref())))
                        .is_err()
                    {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // written in input order, whatever order the parsers finish in, so that two files
        // of the same act always end the same way
        let mut waiting = std::collections::BTreeMap::new();
        let mut next_index = 0;
        let mut pending = Pending::new();
        for (i, result) in rx {
            waiting.insert(i, result);
            while let Some(result) = waiting.remove(&next_index) {
                next_index += 1;
                bar.inc(1);
                write_one(kb, result, &mut pending, &mut report, &bar);
                // the entries of what was just written go to the index writer now
                if report.index_entries.len() >= INDEX_BATCH_GRAPHS {
                    hand_to_index(&mut text_index, &mut report, &mut index_failure);
                }
            }
        }
        pending.commit(kb, &mut report);
        if opts.compact {
            let started = Instant::now();
            match kb.compact() {
                Ok(()) => report.compact_seconds = Some(started.elapsed().as_secs_f64()),
                Err(e) => report
                    .failures
                    .push(Failure::plain("<store>", format!("compacting: {e}"))),
            }
        }
    });
    link_expressions(kb, &mut report);
    bar.finish_and_clear();
    // --- text index (issue 5): the graphs written are searchable when ingest returns ---
    // the graphs written, and every graph of an act whose expressions were relinked (changed
    // after they were written: read back from the store)
    let mut made = std::mem::take(&mut report.index_entries);
    let relinked: HashSet<&String> = report.expressions.iter().flat_map(|l| &l.graphs).collect();
    made.retain(|g, _| !relinked.contains(g));
    // what the index writer has not been handed yet, and the relinked graphs (read back)
    let mut written: Vec<String> = made.keys().cloned().collect();
    written.extend(relinked.iter().map(|g| g.to_string()));
    written.append(&mut report.unwritten);
    if let Some(e) = index_failure {
        report.failures.push(Failure::plain("<text index>", e));
    }
    if let Err(e) = text_index.finish(kb, &written, made) {
        report
            .failures
            .push(Failure::plain("<text index>", e.to_string()));
    }
    if opts.compact {
        // the index's segments merged too (one segment per search instead of many)
        let started = Instant::now();
        match crate::search::TextIndex::open(kb).and_then(|(index, _)| index.merge_segments()) {
            Ok(_) => {
                let merged = started.elapsed().as_secs_f64();
                report.compact_seconds = Some(report.compact_seconds.unwrap_or(0.0) + merged);
            }
            Err(e) => report.failures.push(Failure::plain(
                "<text index>",
                format!("merging its segments: {e}"),
            )),
        }
    }
    // --- end text index ---
    report.failed = report.failures.len();
    report.failures.sort_by(|a, b| a.path.cmp(&b.path));
    report.seconds = started.elapsed().as_secs_f64();
    report
}

/// Graphs whose index entries are gathered before they are handed to the index writer.
const INDEX_BATCH_GRAPHS: usize = 64;

/// Hands the entries of the graphs written so far to the index writer.
fn hand_to_index(
    hook: &mut crate::search::IngestHook,
    report: &mut Report,
    failure: &mut Option<String>,
) {
    let made = std::mem::take(&mut report.index_entries);
    if let Err(e) = hook.add(made)
        && failure.is_none()
    {
        *failure = Some(e.to_string());
    }
}

/// Links in time the expressions of every act this run wrote a document of, where the act
/// now has more than one (see [`crate::expressions`]).
fn link_expressions(kb: &Kb, report: &mut Report) {
    let mut acts: Vec<&str> = report
        .files
        .iter()
        .filter_map(|f| f.act.as_deref())
        .collect();
    acts.sort_unstable();
    acts.dedup();
    let mut linked = Vec::new();
    let mut failures = Vec::new();
    for act in acts {
        match crate::expressions::relink(kb, act) {
            Ok(r) if r.expressions > 1 => linked.push(ActExpressions {
                act: act.to_string(),
                expressions: r.expressions,
                versions_created: r.versions_created,
                versions_closed: r.versions_closed,
                graphs: r.graphs,
            }),
            Ok(_) => {}
            Err(e) => failures.push(Failure::plain(act, format!("linking its expressions: {e}"))),
        }
    }
    report.expressions = linked;
    report.failures.extend(failures);
}

/// Writes one prepared input: a new graph joins the bulk load, an existing one is replaced
/// in a transaction of its own (after the bulk load so far is committed).
fn write_one<'a>(
    kb: &'a Kb,
    result: Result<Mapped, Failure>,
    pending: &mut Pending<'a>,
    report: &mut Report,
    bar: &indicatif::ProgressBar,
) {
    let mut m = match result {
        Ok(m) => m,
        Err(f) => {
            bar.println(f.to_string());
            report.failures.push(f);
            return;
        }
    };
    let exists = match kb.has_graph(&m.graph) {
        Ok(b) => b,
        Err(e) => {
            report.failures.push(Failure::plain(&m.name, e.to_string()));
            return;
        }
    };
    if exists || pending.names.contains(&m.graph) {
        pending.commit(kb, report);
        match kb.replace_graph(&m.graph, &m.quads) {
            Ok(()) => {
                m.replaced = true;
                if let Some(e) = m.entries.take() {
                    report.index_entries.insert(m.graph.as_str().to_string(), e);
                }
                count(report, &mut m);
            }
            Err(e) => report.failures.push(Failure::plain(&m.name, e.to_string())),
        }
    } else {
        pending.push(kb, m, report);
    }
}

/// Counts a document that is in the store now (its index entries were handed on already).
fn count(report: &mut Report, m: &mut Mapped) {
    if m.is_document {
        report.documents += 1;
    } else {
        report.ontology_files += 1;
    }
    report.replaced += usize::from(m.replaced);
    report.warnings.append(&mut m.warnings);
    report.files.push(FileReport {
        path: m.name.clone(),
        graph: m.graph.as_str().to_string(),
        act: m.act.clone(),
        replaced: m.replaced,
        partitions: m.partitions,
        articles: m.articles,
        paragraphs: m.paragraphs,
        references: m.references,
        triples: m.triples,
    });
    report.partitions += m.partitions;
    report.articles += m.articles;
    report.paragraphs += m.paragraphs;
    report.references += m.references;
    report.unresolved_references += m.unresolved_references;
    report.modifications += m.modifications;
    report.unresolved_destinations += m.unresolved_destinations;
    report.triples += m.triples;
    report.bytes += m.bytes;
}

fn progress_bar(len: usize, enabled: bool) -> indicatif::ProgressBar {
    if !enabled {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} documents  {elapsed_precise}  eta {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// Parses (and optionally maps) inputs on all cores without touching a store: the
/// parse-only figures of the benchmarks, and a dry run for checking input.
pub fn parse_only(inputs: Vec<Input>, map: bool, opts: &Options) -> Report {
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let jobs = opts.jobs.max(1);
    let (tx, rx) = mpsc::channel::<Result<Report, Failure>>();
    let inputs = &inputs;
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(input) = inputs.get(i) else { break };
                    let _ = tx.send(parse_one(input, map, opts.annotator.as_deref()));
                }
            });
        }
    });
    drop(tx);
    let mut report = Report::default();
    for r in rx {
        match r {
            Ok(r) => {
                report.documents += r.documents;
                report.partitions += r.partitions;
                report.articles += r.articles;
                report.paragraphs += r.paragraphs;
                report.references += r.references;
                report.unresolved_references += r.unresolved_references;
                report.modifications += r.modifications;
                report.triples += r.triples;
                report.bytes += r.bytes;
            }
            Err(f) => report.failures.push(f),
        }
    }
    report.failed = report.failures.len();
    report.failures.sort_by(|a, b| a.path.cmp(&b.path));
    report.seconds = started.elapsed().as_secs_f64();
    report
}

fn parse_one(input: &Input, map: bool, annotator: Option<&Annotator>) -> Result<Report, Failure> {
    if !map {
        let name = input.name();
        let bytes = read_input(input)?;
        let bytes: &[u8] = &bytes;
        if matches!(input, Input::File(p) if p.extension().is_some_and(|e| e == "ttl")) {
            return Ok(Report::default());
        }
        let doc = parse::parse(bytes).map_err(|e| Failure {
            path: name.clone(),
            line: None,
            col: None,
            message: e.to_string(),
            unsupported: matches!(e, ParseFailure::Unsupported { .. }),
        })?;
        return Ok(Report {
            documents: 1,
            partitions: doc.partitions.len(),
            articles: doc.count(PartitionKind::Article),
            paragraphs: doc.count(PartitionKind::Paragraph),
            references: doc.references.len(),
            modifications: doc.modifications.len(),
            bytes: bytes.len() as u64,
            ..Report::default()
        });
    }
    let m = prepare(input, annotator)?;
    Ok(Report {
        documents: usize::from(m.is_document),
        partitions: m.partitions,
        articles: m.articles,
        paragraphs: m.paragraphs,
        references: m.references,
        unresolved_references: m.unresolved_references,
        modifications: m.modifications,
        triples: m.triples,
        bytes: m.bytes,
        ..Report::default()
    })
}
