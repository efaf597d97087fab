//! The tantivy index on disk (`{data dir}/index`): its schema, building it from the store,
//! keeping it consistent with the store, and searching it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use oxigraph::model::{NamedNode, Term as RdfTerm};
use oxigraph::sparql::QueryResults;
use tantivy::collector::{Count, DocSetCollector, FilterCollector, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query, QueryParser, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::analyzer::ITALIAN;
use super::entry::{Entry, GraphEntries, Kind, entries_for_graph};
use super::languages::{self, Lang};
use super::{SearchError, days};
use crate::store::Kb;

/// The `kind` of the one document per graph that records what was indexed from it.
const STAMP: &str = "stamp";

/// The version of the index's schema and analyzers, kept in [`SCHEMA_FILE`]: an index
/// written under another (an older paesi) is rebuilt from the store when opened. Bump it
/// whenever a field or an analyzer changes what is indexed.
pub const SCHEMA_VERSION: &str = "3";

/// The file of the index directory holding [`SCHEMA_VERSION`].
const SCHEMA_FILE: &str = "paesi-schema-version";

/// The most hits one page may hold (`limit`): a client asking for more gets an error, not an
/// allocation of that size.
pub const MAX_LIMIT: usize = 1000;

/// The deepest page start (`offset`): ranking keeps `offset + limit` hits in memory.
pub const MAX_OFFSET: usize = 100_000;

/// Memory for the index writer.
const WRITER_MEMORY: usize = 100_000_000;

/// The fields of the index.
#[derive(Debug, Clone, Copy)]
struct Fields {
    kind: Field,
    iri: Field,
    version: Field,
    act: Field,
    act_title: Field,
    act_type: Field,
    urn: Field,
    number: Field,
    heading: Field,
    text: Field,
    citation: Field,
    from: Field,
    until: Field,
    graph: Field,
    quads: Field,
    fingerprint: Field,
    /// A procedure's title and text in each language of [`Lang::TRANSLATIONS`].
    langs: [LangFields; 4],
}

/// The fields of one language other than Italian.
#[derive(Debug, Clone, Copy)]
struct LangFields {
    lang: Lang,
    heading: Field,
    text: Field,
}

/// Indexed with the analyzer of its language, with positions (phrases) and stored (snippets).
fn text_options(lang: Lang) -> TextOptions {
    TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(lang.analyzer_name())
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored()
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    debug_assert_eq!(Lang::It.analyzer_name(), ITALIAN);
    let italian = text_options(Lang::It);
    let fields = Fields {
        kind: b.add_text_field("kind", STRING | STORED),
        iri: b.add_text_field("iri", STRING | STORED),
        version: b.add_text_field("version", STRING | STORED),
        act: b.add_text_field("act", STRING | STORED),
        act_title: b.add_text_field("act_title", italian.clone()),
        act_type: b.add_text_field("act_type", STRING | STORED),
        urn: b.add_text_field("urn", STRING | STORED),
        number: b.add_text_field("number", STRING | STORED),
        heading: b.add_text_field("heading", italian.clone()),
        text: b.add_text_field("text", italian),
        citation: b.add_text_field("citation", STORED),
        from: b.add_i64_field("from", INDEXED | FAST | STORED),
        until: b.add_i64_field("until", INDEXED | FAST | STORED),
        graph: b.add_text_field("graph", STRING | STORED),
        quads: b.add_u64_field("quads", STORED),
        fingerprint: b.add_u64_field("fingerprint", STORED),
        langs: Lang::TRANSLATIONS.map(|lang| LangFields {
            lang,
            heading: b.add_text_field(&format!("heading_{}", lang.code()), text_options(lang)),
            text: b.add_text_field(&format!("text_{}", lang.code()), text_options(lang)),
        }),
    };
    (b.build(), fields)
}

/// The full-text index of the knowledge base. Cheap to clone (the SPARQL bridge keeps one).
#[derive(Clone)]
pub struct TextIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    dir: PathBuf,
}

/// What opening the index found and repaired.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Repair {
    /// Graphs in the store.
    pub graphs: usize,
    /// Graphs (re)indexed because they were missing from the index or stale.
    pub indexed: Vec<String>,
    /// Graphs deleted from the index because the store no longer has them.
    pub deleted: Vec<String>,
    /// True when an interrupted ingest was found and every graph's content was compared.
    pub verified: bool,
    /// True when a running ingest holds the index: nothing was checked.
    pub busy: bool,
}

impl Repair {
    /// True when the index needed no change.
    pub fn is_clean(&self) -> bool {
        self.indexed.is_empty() && self.deleted.is_empty()
    }
}

/// What indexing some graphs did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Indexed {
    /// Graphs indexed.
    pub graphs: usize,
    /// Entries written.
    pub entries: usize,
    /// Graphs deleted (no longer in the store).
    pub deleted: usize,
}

/// Filters of a search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Only entries of this kind.
    pub kind: Option<Kind>,
    /// Only entries of this act (canonical IRI).
    pub act: Option<String>,
    /// Only entries of acts of this canonical type (`decreto.legislativo`).
    pub doc_type: Option<String>,
    /// Only entries in force on this day (`YYYY-MM-DD`).
    pub at: Option<String>,
}

/// How the query words are marked in snippets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Markers {
    /// Before a matching word.
    pub before: String,
    /// After it.
    pub after: String,
}

impl Default for Markers {
    fn default() -> Self {
        Markers {
            before: "«".into(),
            after: "»".into(),
        }
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    /// BM25 score.
    pub score: f32,
    /// What it is.
    pub kind: String,
    /// The partition (or procedure) IRI.
    pub iri: String,
    /// The version node IRI, when the hit is one text version of a partition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The act IRI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub act: Option<String>,
    /// The act title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub act_title: Option<String>,
    /// The act's canonical type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub act_type: Option<String>,
    /// The partition URN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urn: Option<String>,
    /// The number as printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The heading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// The human citation.
    pub citation: String,
    /// The best passage, query words marked.
    pub snippet: String,
    /// The language of the snippet when it is not Italian: a procedure found through its
    /// text in another language shows that text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// First day in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Day it stops being in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// The named graph.
    pub graph: String,
}

/// A page of results.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Hits {
    /// Entries matching the query and the filters.
    pub total: usize,
    /// True when the hits have every word of the query; false when none had, and the hits
    /// are those with any of them, best first.
    pub all_words: bool,
    /// The hits of the page, best first.
    pub hits: Vec<Hit>,
}

/// The stamp of one graph: what the index was built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    quads: u64,
    fingerprint: u64,
}

impl TextIndex {
    /// The index directory of a knowledge base.
    pub fn dir_of(kb: &Kb) -> PathBuf {
        kb.path().join("index")
    }

    /// Opens (creating if needed) the index without checking it against the store. An index
    /// written by another schema or analyzers ([`SCHEMA_VERSION`] differs, or tantivy finds
    /// another schema) is emptied: the check at open then indexes every graph again.
    pub fn open_unchecked(kb: &Kb) -> Result<TextIndex, SearchError> {
        let dir = Self::dir_of(kb);
        std::fs::create_dir_all(&dir).map_err(|e| SearchError::Io(dir.clone(), e))?;
        let (schema, fields) = schema();
        let open = |dir: &Path| -> Result<Index, SearchError> {
            let d = MmapDirectory::open(dir).map_err(|e| SearchError::Index(e.to_string()))?;
            Ok(Index::open_or_create(d, schema.clone())?)
        };
        let version_file = dir.join(SCHEMA_FILE);
        let write_version = || {
            std::fs::write(&version_file, format!("{SCHEMA_VERSION}\n"))
                .map_err(|e| SearchError::Io(version_file.clone(), e))
        };
        let rebuild = || -> Result<Index, SearchError> {
            std::fs::remove_dir_all(&dir).map_err(|e| SearchError::Io(dir.clone(), e))?;
            std::fs::create_dir_all(&dir).map_err(|e| SearchError::Io(dir.clone(), e))?;
            write_version()?;
            open(&dir)
        };
        let index = if !dir.join("meta.json").exists() {
            // a new index: its version is written first, so that no one takes it for an old one
            write_version()?;
            open(&dir)?
        } else if std::fs::read_to_string(&version_file).is_ok_and(|v| v.trim() == SCHEMA_VERSION) {
            match open(&dir) {
                Ok(i) => i,
                // another schema under the same version: rebuilt from the store
                Err(SearchError::Tantivy(tantivy::TantivyError::SchemaError(_))) => rebuild()?,
                Err(e) => return Err(e),
            }
        } else {
            // written by an older paesi (no version, or another one): rebuilt from the store
            rebuild()?
        };
        languages::register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(TextIndex {
            index,
            reader,
            fields,
            dir,
        })
    }

    /// Opens the index and repairs what disagrees with the store, comparing the graphs the
    /// store and the index have (cheap: no quad is read): graphs missing from the index are
    /// indexed, graphs the store no longer has are deleted. After an interrupted ingest every
    /// graph's quad count and content are compared too. When a running ingest holds the
    /// index, nothing is repaired (`busy`): it updates the index when it ends.
    pub fn open(kb: &Kb) -> Result<(TextIndex, Repair), SearchError> {
        Self::open_checked(kb, false)
    }

    /// Like [`TextIndex::open`], also comparing every graph's quad count with its stamp (one
    /// pass over the store: for a long-running server, or after writes that bypassed ingest).
    pub fn open_verified(kb: &Kb) -> Result<(TextIndex, Repair), SearchError> {
        Self::open_checked(kb, true)
    }

    fn open_checked(kb: &Kb, counts: bool) -> Result<(TextIndex, Repair), SearchError> {
        let index = Self::open_unchecked(kb)?;
        let busy = Repair {
            busy: true,
            ..Repair::default()
        };
        if index.pending_marker().exists() {
            // an ingest is running, or was interrupted: only the second may be repaired
            let Some(mut writer) = index.try_writer()? else {
                return Ok((index, busy));
            };
            let repair = index.plan(kb, true, true)?;
            index.apply(kb, &mut writer, &repair)?;
            writer.wait_merging_threads()?;
            return Ok((index, repair));
        }
        let repair = index.plan(kb, counts, false)?;
        if repair.is_clean() {
            return Ok((index, repair));
        }
        let Some(mut writer) = index.try_writer()? else {
            return Ok((index, busy));
        };
        index.apply(kb, &mut writer, &repair)?;
        writer.wait_merging_threads()?;
        Ok((index, repair))
    }

    /// Rebuilds the whole index from the store, in one segment.
    pub fn reindex(kb: &Kb) -> Result<(TextIndex, Indexed), SearchError> {
        let index = Self::open_unchecked(kb)?;
        let mut writer = index.wait_writer()?;
        writer.delete_all_documents()?;
        let graphs: Vec<String> = store_graph_names(kb)?.into_keys().collect();
        let done = index.index_graphs(kb, &mut writer, &graphs)?;
        writer.commit()?;
        writer.wait_merging_threads()?;
        index.reader.reload()?;
        index.clear_pending()?;
        // a whole new index: its segments merged into one, as `paesi compact` does
        index.merge_segments()?;
        Ok((index, done))
    }

    /// Merges every segment of the index into one, and returns how many there were. A search
    /// runs its query and its snippets in each segment and an ingest leaves many (its merge
    /// policy keeps segments of similar sizes apart); `paesi compact`, `ingest --compact` and
    /// [`TextIndex::reindex`] merge them (BENCHMARKS.md: "the text index in one segment").
    pub fn merge_segments(&self) -> Result<usize, SearchError> {
        let mut writer = self.wait_writer()?;
        let segments = self.index.searchable_segment_ids()?;
        if segments.len() > 1 {
            writer.merge(&segments).wait()?;
        }
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        Ok(segments.len())
    }

    fn try_writer(&self) -> Result<Option<IndexWriter>, SearchError> {
        try_writer(&self.index)
    }

    /// The index writer, waiting (up to ten minutes) for another process to let it go.
    fn wait_writer(&self) -> Result<IndexWriter, SearchError> {
        let started = Instant::now();
        loop {
            if let Some(w) = self.try_writer()? {
                return Ok(w);
            }
            if started.elapsed() > Duration::from_secs(600) {
                return Err(SearchError::Busy(self.dir.clone()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn pending_marker(&self) -> PathBuf {
        self.dir.join("ingest-pending")
    }

    fn clear_pending(&self) -> Result<(), SearchError> {
        let m = self.pending_marker();
        match std::fs::remove_file(&m) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(SearchError::Io(m, e)),
        }
    }

    /// Compares the index with the store: the graph sets always, the quad counts when
    /// `counts`, the content fingerprints when `deep`.
    fn plan(&self, kb: &Kb, counts: bool, deep: bool) -> Result<Repair, SearchError> {
        let store = if counts || deep {
            store_graphs(kb)?
        } else {
            store_graph_names(kb)?
        };
        let stamps = self.stamps()?;
        let mut repair = Repair {
            graphs: store.len(),
            verified: deep,
            ..Repair::default()
        };
        for g in stamps.keys() {
            if !store.contains_key(g) {
                repair.deleted.push(g.clone());
            }
        }
        repair.deleted.sort();
        for (g, quads) in &store {
            let stale = match stamps.get(g) {
                None => true,
                Some(s) if (counts || deep) && Some(s.quads) != *quads => true,
                Some(s) if deep => {
                    let e = entries_for_graph(kb.store(), &NamedNode::new_unchecked(g.as_str()))?;
                    e.fingerprint != s.fingerprint || e.quads != s.quads
                }
                Some(_) => false,
            };
            if stale {
                repair.indexed.push(g.clone());
            }
        }
        Ok(repair)
    }

    /// Applies a plan in one commit and clears the mark of an interrupted ingest.
    fn apply(&self, kb: &Kb, writer: &mut IndexWriter, repair: &Repair) -> Result<(), SearchError> {
        for g in &repair.deleted {
            writer.delete_term(Term::from_field_text(self.fields.graph, g));
        }
        self.index_graphs(kb, writer, &repair.indexed)?;
        if !repair.is_clean() {
            writer.commit()?;
            self.reader.reload()?;
        }
        self.clear_pending()
    }

    /// Replaces the entries of these graphs by what the store holds now (deleting those the
    /// store no longer has). Not committed.
    fn index_graphs(
        &self,
        kb: &Kb,
        writer: &mut IndexWriter,
        graphs: &[String],
    ) -> Result<Indexed, SearchError> {
        self.index_graphs_with(kb, writer, graphs, &mut HashMap::new())
    }

    /// Like [`TextIndex::index_graphs`], taking a graph's entries from `made` (made by ingest
    /// from the quads it wrote) instead of reading the graph back, where they are.
    fn index_graphs_with(
        &self,
        kb: &Kb,
        writer: &mut IndexWriter,
        graphs: &[String],
        made: &mut HashMap<String, GraphEntries>,
    ) -> Result<Indexed, SearchError> {
        let f = &self.fields;
        let mut done = Indexed::default();
        for g in graphs {
            writer.delete_term(Term::from_field_text(f.graph, g));
            let node = NamedNode::new_unchecked(g.as_str());
            if !kb.has_graph(&node)? {
                done.deleted += 1;
                continue;
            }
            let ge = match made.remove(g) {
                Some(ge) => ge,
                None => entries_for_graph(kb.store(), &node)?,
            };
            self.write_graph(writer, g, &ge)?;
            done.graphs += 1;
            done.entries += ge.entries.len();
        }
        Ok(done)
    }

    /// Replaces a graph's entries and stamp in the writer (not committed).
    fn write_graph(
        &self,
        writer: &mut IndexWriter,
        graph: &str,
        ge: &GraphEntries,
    ) -> Result<(), SearchError> {
        let f = &self.fields;
        writer.delete_term(Term::from_field_text(f.graph, graph));
        for e in &ge.entries {
            writer.add_document(self.document(e))?;
        }
        let mut stamp = TantivyDocument::new();
        stamp.add_text(f.kind, STAMP);
        stamp.add_text(f.graph, graph);
        stamp.add_u64(f.quads, ge.quads);
        stamp.add_u64(f.fingerprint, ge.fingerprint);
        // in force on no day: every document has both days, so their columns are dense and
        // the `at` filter reads them without an optional-value index (a third of a search)
        stamp.add_i64(f.from, i64::MAX);
        stamp.add_i64(f.until, i64::MIN);
        writer.add_document(stamp)?;
        Ok(())
    }

    fn document(&self, e: &Entry) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::new();
        d.add_text(f.kind, e.kind.name());
        d.add_text(f.iri, &e.iri);
        d.add_text(f.version, &e.version);
        let mut opt = |field: Field, v: &Option<String>| {
            if let Some(v) = v {
                d.add_text(field, v);
            }
        };
        opt(f.act, &e.act);
        opt(f.act_title, &e.act_title);
        opt(f.act_type, &e.act_type);
        opt(f.urn, &e.urn);
        opt(f.number, &e.number);
        opt(f.heading, &e.heading);
        d.add_text(f.text, &e.text);
        d.add_text(f.citation, &e.citation);
        d.add_i64(
            f.from,
            e.from
                .as_deref()
                .and_then(days::from_iso)
                .unwrap_or(i64::MIN),
        );
        d.add_i64(
            f.until,
            e.until
                .as_deref()
                .and_then(days::from_iso)
                .unwrap_or(i64::MAX),
        );
        d.add_text(f.graph, &e.graph);
        for t in &e.translations {
            if let Some(lf) = f.langs.iter().find(|lf| lf.lang == t.lang) {
                if let Some(title) = &t.title {
                    d.add_text(lf.heading, title);
                }
                d.add_text(lf.text, &t.text);
            }
        }
        d
    }

    /// The stamp of every graph in the index.
    fn stamps(&self) -> Result<HashMap<String, Stamp>, SearchError> {
        let searcher = self.reader.searcher();
        let f = &self.fields;
        let q = TermQuery::new(
            Term::from_field_text(f.kind, STAMP),
            IndexRecordOption::Basic,
        );
        let mut out = HashMap::new();
        for addr in searcher.search(&q, &DocSetCollector)? {
            let d: TantivyDocument = searcher.doc(addr)?;
            let text = |field| {
                d.get_first(field)
                    .and_then(|v| v.as_str().map(str::to_string))
            };
            let num = |field| d.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
            if let Some(g) = text(f.graph) {
                out.insert(
                    g,
                    Stamp {
                        quads: num(f.quads),
                        fingerprint: num(f.fingerprint),
                    },
                );
            }
        }
        Ok(out)
    }

    /// Sees what other processes (an ingest) committed since the index was opened: a
    /// long-running reader (the HTTP server) calls it before searching, or periodically.
    pub fn reload(&self) -> Result<(), SearchError> {
        Ok(self.reader.reload()?)
    }

    /// Entries in the index (stamps not counted).
    pub fn entries(&self) -> Result<usize, SearchError> {
        let searcher = self.reader.searcher();
        let stamps = searcher.search(
            &TermQuery::new(
                Term::from_field_text(self.fields.kind, STAMP),
                IndexRecordOption::Basic,
            ),
            &Count,
        )?;
        Ok(searcher.num_docs() as usize - stamps)
    }

    /// Searches with the default markers « ».
    pub fn search(
        &self,
        query: &str,
        filters: &Filters,
        limit: usize,
        offset: usize,
    ) -> Result<Hits, SearchError> {
        self.search_marked(query, filters, limit, offset, &Markers::default())
    }

    /// Searches text, heading and act title (Italian analyzer, BM25; words are all required
    /// unless `OR` is written; `"…"` for phrases), keeps what passes the filters, and returns
    /// one page of hits with snippets marked by `markers`.
    pub fn search_marked(
        &self,
        query: &str,
        filters: &Filters,
        limit: usize,
        offset: usize,
        markers: &Markers,
    ) -> Result<Hits, SearchError> {
        if query.trim().is_empty() {
            return Err(SearchError::Query("the query is empty".into()));
        }
        check_page(limit, offset)?;
        let hits = self.run(query, filters, limit, offset, markers, true)?;
        if hits.total > 0 {
            return Ok(hits);
        }
        // no entry has every word (a question typed as a sentence): rank those with any
        let mut any = self.run(query, filters, limit, offset, markers, false)?;
        any.all_words = false;
        Ok(any)
    }

    fn run(
        &self,
        query: &str,
        filters: &Filters,
        limit: usize,
        offset: usize,
        markers: &Markers,
        conjunction: bool,
    ) -> Result<Hits, SearchError> {
        let f = &self.fields;
        let text_query = self.text_query(query, conjunction);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query.box_clone())];
        let filter = |q: Box<dyn Query>| -> (Occur, Box<dyn Query>) {
            (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)))
        };
        let term = |field: Field, v: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, v),
                IndexRecordOption::Basic,
            ))
        };
        if let Some(k) = filters.kind {
            clauses.push(filter(term(f.kind, k.name())));
        }
        if let Some(a) = &filters.act {
            clauses.push(filter(term(f.act, a)));
        }
        if let Some(t) = &filters.doc_type {
            clauses.push(filter(term(f.act_type, t)));
        }
        let day = match &filters.at {
            Some(at) => Some(days::from_iso(at).ok_or_else(|| SearchError::Date(at.clone()))?),
            None => None,
        };
        let full = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let page = (
            Count,
            TopDocs::with_limit(limit.max(1))
                .and_offset(offset)
                .order_by_score(),
        );
        let (total, top) = match day {
            Some(day) => searcher.search(&full, &in_force_on(day, page))?,
            None => searcher.search(&full, &page)?,
        };
        let mut text_snippets = SnippetGenerator::create(&searcher, &*text_query, f.text)?;
        text_snippets.set_max_num_chars(240);
        let heading_snippets = SnippetGenerator::create(&searcher, &*text_query, f.heading)?;
        // the other languages' generators, made when a hit first needs them
        let mut lang_snippets: Option<Vec<(Lang, SnippetGenerator, SnippetGenerator)>> = None;
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top.into_iter().take(limit) {
            let d: TantivyDocument = searcher.doc(addr)?;
            let text = |field| {
                d.get_first(field)
                    .and_then(|v| v.as_str().map(str::to_string))
            };
            let day = |field, none: i64| {
                d.get_first(field)
                    .and_then(|v| v.as_i64())
                    .filter(|x| *x != none)
                    .map(days::to_iso)
            };
            let best = |text_gen: &SnippetGenerator, heading_gen: &SnippetGenerator| {
                let s = text_gen.snippet_from_doc(&d);
                if s.highlighted().is_empty() {
                    heading_gen.snippet_from_doc(&d)
                } else {
                    s
                }
            };
            let mut chosen = best(&text_snippets, &heading_snippets);
            let words = |s: &tantivy::snippet::Snippet| -> usize {
                let f = s.fragment();
                s.highlighted()
                    .iter()
                    .filter_map(|r| f.get(r.clone()))
                    .map(str::to_lowercase)
                    .collect::<HashSet<_>>()
                    .len()
            };
            let mut lang = None;
            // a procedure: the passage of the language with the most distinct query words
            // (Italian first among equals)
            if text(f.kind).as_deref() == Some(Kind::Procedure.name()) {
                if lang_snippets.is_none() {
                    lang_snippets = Some(self.lang_snippets(&searcher, &*text_query)?);
                }
                for (l, text_gen, heading_gen) in lang_snippets.iter().flatten() {
                    let s = best(text_gen, heading_gen);
                    if words(&s) > words(&chosen) {
                        chosen = s;
                        lang = Some(l.code().to_string());
                    }
                }
            }
            let mut snippet = marked(&chosen, markers);
            if snippet.is_empty() {
                snippet = text(f.text).unwrap_or_default().chars().take(240).collect();
            }
            hits.push(Hit {
                score,
                kind: text(f.kind).unwrap_or_default(),
                iri: text(f.iri).unwrap_or_default(),
                version: text(f.version).filter(|v| !v.is_empty()),
                act: text(f.act),
                act_title: text(f.act_title),
                act_type: text(f.act_type),
                urn: text(f.urn),
                number: text(f.number),
                heading: text(f.heading),
                citation: text(f.citation).unwrap_or_default(),
                snippet,
                lang,
                from: day(f.from, i64::MIN),
                until: day(f.until, i64::MAX),
                graph: text(f.graph).unwrap_or_default(),
            });
        }
        Ok(Hits {
            total,
            all_words: true,
            hits,
        })
    }
}

impl TextIndex {
    /// The query over every language: the Italian fields (text, heading, act title) read with
    /// the Italian analyzer, and each translation's fields (text, title) with its own; an
    /// entry matches when it matches in one language (with `conjunction`, every word of the
    /// query in that language), scored by its best language (a word shared by two languages, such
    /// as `Questura`, does not count twice).
    fn text_query(&self, query: &str, conjunction: bool) -> Box<dyn Query> {
        let f = &self.fields;
        let parse = |fields: Vec<Field>, boosts: &[(Field, f32)]| -> Box<dyn Query> {
            let mut parser = QueryParser::for_index(&self.index, fields);
            if conjunction {
                parser.set_conjunction_by_default();
            }
            for &(field, boost) in boosts {
                parser.set_field_boost(field, boost);
            }
            // a query the grammar refuses (a stray quote or colon) is read leniently
            parser
                .parse_query(query)
                .unwrap_or_else(|_| parser.parse_query_lenient(query).0)
        };
        let mut languages = vec![parse(
            vec![f.text, f.heading, f.act_title],
            &[(f.heading, 2.0), (f.act_title, 0.3)],
        )];
        for lf in &f.langs {
            languages.push(parse(vec![lf.text, lf.heading], &[(lf.heading, 2.0)]));
        }
        Box::new(DisjunctionMaxQuery::new(languages))
    }

    /// Snippet generators for the text and the title of every translation.
    fn lang_snippets(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
    ) -> Result<Vec<(Lang, SnippetGenerator, SnippetGenerator)>, SearchError> {
        self.fields
            .langs
            .iter()
            .map(|lf| {
                let mut text = SnippetGenerator::create(searcher, query, lf.text)?;
                text.set_max_num_chars(240);
                let heading = SnippetGenerator::create(searcher, query, lf.heading)?;
                Ok((lf.lang, text, heading))
            })
            .collect()
    }
}

/// Keeps, of what the text query matched, the entries in force on `day` (`from` ≤ day <
/// `until`), reading the two days of each match from their columns: a range query would
/// scan both columns of the whole index on every search, and nearly every entry passes.
fn in_force_on<C: tantivy::collector::Collector>(
    day: i64,
    collector: C,
) -> impl tantivy::collector::Collector<Fruit = C::Fruit> {
    FilterCollector::new(
        "from".to_string(),
        move |from: i64| from <= day,
        FilterCollector::new(
            "until".to_string(),
            move |until: i64| until > day,
            collector,
        ),
    )
}

/// The index's writer, or None while another process holds it. A writer killed before its
/// commit leaves the files it had begun, and the next one may have to write a file of the same
/// name (tantivy names a segment's deletions by the segment and the operation number, which
/// start again from the last commit): `FileAlreadyExists`, and every document of that ingest
/// failed (tests/crash.rs). Those files are removed first: tantivy records each file before
/// it writes it, so whatever no commit refers to can go.
fn try_writer(index: &Index) -> Result<Option<IndexWriter>, SearchError> {
    match index.writer::<TantivyDocument>(WRITER_MEMORY) {
        Ok(w) => {
            w.garbage_collect_files().wait()?;
            Ok(Some(w))
        }
        Err(tantivy::TantivyError::LockFailure(_, _)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Refuses a page beyond [`MAX_LIMIT`] or [`MAX_OFFSET`].
fn check_page(limit: usize, offset: usize) -> Result<(), SearchError> {
    for (name, value, max) in [("limit", limit, MAX_LIMIT), ("offset", offset, MAX_OFFSET)] {
        if value > max {
            return Err(SearchError::Page { name, value, max });
        }
    }
    Ok(())
}

/// A snippet's fragment with each highlighted range between the markers.
fn marked(snippet: &tantivy::snippet::Snippet, markers: &Markers) -> String {
    let fragment = snippet.fragment();
    let mut out = String::with_capacity(fragment.len() + 16);
    let mut last = 0;
    for r in snippet.highlighted() {
        if r.start < last || r.end > fragment.len() {
            continue;
        }
        out.push_str(&fragment[last..r.start]);
        out.push_str(&markers.before);
        out.push_str(&fragment[r.start..r.end]);
        out.push_str(&markers.after);
        last = r.end;
    }
    out.push_str(&fragment[last..]);
    out.trim().to_string()
}

/// Every named graph of the store (without reading its quads).
fn store_graph_names(kb: &Kb) -> Result<BTreeMap<String, Option<u64>>, SearchError> {
    let mut out = BTreeMap::new();
    for g in kb.store().named_graphs() {
        let g = g.map_err(|e| SearchError::Store(e.to_string()))?;
        if let oxigraph::model::NamedOrBlankNode::NamedNode(n) = g {
            out.insert(n.as_str().to_string(), None);
        }
    }
    Ok(out)
}

/// Every named graph of the store with its number of quads (one pass over the store).
fn store_graphs(kb: &Kb) -> Result<BTreeMap<String, Option<u64>>, SearchError> {
    let mut out = store_graph_names(kb)?;
    for v in out.values_mut() {
        *v = Some(0);
    }
    let results = kb
        .query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        .map_err(|e| SearchError::Store(e.to_string()))?;
    if let QueryResults::Solutions(rows) = results {
        for row in rows {
            let row = row.map_err(|e| SearchError::Store(e.to_string()))?;
            if let (Some(RdfTerm::NamedNode(g)), Some(RdfTerm::Literal(n))) =
                (row.get("g"), row.get("n"))
            {
                out.insert(g.as_str().to_string(), Some(n.value().parse().unwrap_or(0)));
            }
        }
    }
    Ok(out)
}

/// Writes the index of an ingest run: [`IngestHook::begin`] before the store is written
/// (takes the index writer, marks the index as pending), [`IngestHook::finish`] after it is
/// committed (indexes the graphs written, in one commit, and clears the mark). A crash in
/// between leaves the mark: the next [`TextIndex::open`] compares every graph's content.
pub struct IngestHook {
    state: Result<(TextIndex, IndexWriter), SearchError>,
}

impl IngestHook {
    /// Opens the index for an ingest run (repairing it first if an earlier run was
    /// interrupted).
    pub fn begin(kb: &Kb) -> IngestHook {
        let state = (|| -> Result<(TextIndex, IndexWriter), SearchError> {
            let index = TextIndex::open_unchecked(kb)?;
            let mut writer = index.wait_writer()?;
            // a mark left by an interrupted ingest: repair before it is overwritten
            if index.pending_marker().exists() {
                let repair = index.plan(kb, true, true)?;
                index.apply(kb, &mut writer, &repair)?;
            }
            let marker = index.pending_marker();
            std::fs::write(&marker, b"an ingest is writing the store\n")
                .map_err(|e| SearchError::Io(marker, e))?;
            Ok((index, writer))
        })();
        IngestHook { state }
    }

    /// Hands the index writer the entries of graphs just committed to the store, so that
    /// they need not be held until the end of the run (tantivy buffers them within its own
    /// memory budget). Nothing is visible before [`IngestHook::finish`] commits.
    pub fn add(&mut self, made: HashMap<String, GraphEntries>) -> Result<usize, SearchError> {
        let (index, writer) = match &mut self.state {
            Ok(s) => s,
            Err(_) => return Ok(0),
        };
        let mut entries = 0;
        for (g, ge) in &made {
            index.write_graph(writer, g, ge)?;
            entries += ge.entries.len();
        }
        Ok(entries)
    }

    /// Indexes the graphs the run wrote, in one commit: each from the entries ingest made of
    /// the quads it wrote when `made` has them (a graph changed after it was written, such
    /// as an expression relinked, must not be there), else read back from the store.
    pub fn finish(
        self,
        kb: &Kb,
        graphs: &[String],
        mut made: HashMap<String, GraphEntries>,
    ) -> Result<Indexed, SearchError> {
        let (index, mut writer) = self.state?;
        let unique: Vec<String> = graphs
            .iter()
            .collect::<HashSet<_>>()
            .into_iter()
            .cloned()
            .collect();
        let done = index.index_graphs_with(kb, &mut writer, &unique, &mut made)?;
        writer.commit()?;
        writer.wait_merging_threads()?;
        index.clear_pending()?;
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::Path;

    use tantivy::directory::{Directory, TerminatingWrite};
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{Index, TantivyDocument, doc};

    #[test]
    fn a_file_left_by_a_killed_writer_is_gone_once_a_writer_is_taken() {
        let tmp = crate::TestDir::new("index-gc");
        let dir = &tmp.0;
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_dir(dir, schema.build()).expect("index");
        let mut writer = index.writer::<TantivyDocument>(50_000_000).expect("writer");
        writer.add_document(doc!(text => "permesso")).expect("add");
        writer.commit().expect("commit");
        drop(writer);
        // what a writer killed before its commit leaves: a file the directory recorded as its
        // own, which no commit names (tantivy's name for a segment's deletions)
        let orphan = Path::new("0123456789abcdef0123456789abcdef.7.del");
        let mut file = index.directory().open_write(orphan).expect("open");
        file.write_all(b"deletions").expect("write");
        file.into_inner()
            .map_err(|_| "flush")
            .expect("flush")
            .terminate()
            .expect("terminate");
        drop(index);
        assert!(dir.join(orphan).exists());
        let index = Index::open_in_dir(dir).expect("reopen");
        let writer = super::try_writer(&index)
            .expect("writer")
            .expect("not held");
        assert!(!dir.join(orphan).exists(), "the orphan is still there");
        // the committed document is still there
        drop(writer);
        let reader = index.reader().expect("reader");
        assert_eq!(reader.searcher().num_docs(), 1);
    }
}
