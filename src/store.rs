//! The knowledge base on disk: an oxigraph store with one named graph per document, where a
//! document is replaced in one transaction so that readers see the old or the new, never half.

use std::path::{Path, PathBuf};

use oxigraph::model::{GraphNameRef, NamedNode, NamedOrBlankNode, Quad, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;

/// Errors of the store layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store could not be opened or written.
    #[error("store {path}: {source}")]
    Storage {
        /// The data directory.
        path: PathBuf,
        /// What RocksDB/oxigraph said.
        source: oxigraph::store::StorageError,
    },
    /// A SPARQL query did not parse.
    #[error("query does not parse: {0}")]
    Syntax(String),
    /// A SPARQL query failed while running.
    #[error("query failed: {0}")]
    Evaluation(String),
}

/// The paesi knowledge base: the oxigraph store and where it lives.
pub struct Kb {
    store: Store,
    path: PathBuf,
}

/// Figures about the whole store.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Stats {
    /// Quads in the store.
    pub quads: usize,
    /// Named graphs (documents and ontology files).
    pub graphs: usize,
    /// Acts (`eli:LegalResource`) described by an ingested document.
    pub acts: usize,
    /// Partitions of any kind.
    pub partitions: usize,
    /// Articles.
    pub articles: usize,
    /// Paragraphs (commi).
    pub paragraphs: usize,
    /// References.
    pub references: usize,
}

impl Kb {
    /// Opens (creating if needed) the store in `dir`.
    #[cfg(feature = "rocksdb")]
    pub fn open(dir: &Path) -> Result<Kb, StoreError> {
        let store = Store::open(dir).map_err(|source| StoreError::Storage {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(Kb {
            store,
            path: dir.to_path_buf(),
        })
    }

    /// Opens an existing store for reading only: many readers may do so at once, also
    /// while a writer holds it.
    #[cfg(feature = "rocksdb")]
    pub fn open_read_only(dir: &Path) -> Result<Kb, StoreError> {
        let store = Store::open_read_only(dir).map_err(|source| StoreError::Storage {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(Kb {
            store,
            path: dir.to_path_buf(),
        })
    }

    /// The data directory (the store's files; the text index lives in `index/` inside it).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying oxigraph store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    fn storage(&self, source: oxigraph::store::StorageError) -> StoreError {
        StoreError::Storage {
            path: self.path.clone(),
            source,
        }
    }

    /// True when the store already holds this named graph.
    pub fn has_graph(&self, graph: &NamedNode) -> Result<bool, StoreError> {
        self.store
            .contains_named_graph(NamedOrBlankNode::from(graph.clone()).as_ref())
            .map_err(|e| self.storage(e))
    }

    /// Replaces the content of `graph` by `quads` in one transaction.
    pub fn replace_graph(&self, graph: &NamedNode, quads: &[Quad]) -> Result<(), StoreError> {
        let mut t = self
            .store
            .start_transaction()
            .map_err(|e| self.storage(e))?;
        t.clear_graph(GraphNameRef::NamedNode(graph.as_ref()))
            .map_err(|e| self.storage(e))?;
        t.insert_named_graph(graph.as_ref());
        for q in quads {
            t.insert(q);
        }
        t.commit().map_err(|e| self.storage(e))
    }

    /// Removes and inserts quads and replaces whole graphs, all in one transaction.
    pub fn apply(
        &self,
        remove: &[Quad],
        insert: &[Quad],
        replace: &[(NamedNode, Vec<Quad>)],
    ) -> Result<(), StoreError> {
        let mut t = self
            .store
            .start_transaction()
            .map_err(|e| self.storage(e))?;
        for (graph, quads) in replace {
            t.clear_graph(GraphNameRef::NamedNode(graph.as_ref()))
                .map_err(|e| self.storage(e))?;
            if quads.is_empty() {
                t.remove_named_graph(graph.as_ref())
                    .map_err(|e| self.storage(e))?;
            } else {
                t.insert_named_graph(graph.as_ref());
                for q in quads {
                    t.insert(q);
                }
            }
        }
        for q in remove {
            t.remove(q);
        }
        for q in insert {
            t.insert(q);
        }
        t.commit().map_err(|e| self.storage(e))
    }

    /// Compacts the store (RocksDB's full compaction, oxigraph's `optimize`): after a large
    /// bulk load the store holds many overlapping files, which every read has to look into
    /// until they are merged; a read-only opening never merges them (`paesi ingest --compact`;
    /// BENCHMARKS.md: export and reindex 2-3x faster after it, at a cost about the ingest's).
    /// A store in memory (built without the `rocksdb` feature) has no files to merge: there
    /// it does nothing.
    pub fn compact(&self) -> Result<(), StoreError> {
        #[cfg(feature = "rocksdb")]
        self.store.optimize().map_err(|e| self.storage(e))?;
        Ok(())
    }

    /// Starts an atomic bulk load of graphs that are not in the store yet.
    pub fn bulk_write(&self) -> BulkWrite<'_> {
        BulkWrite {
            kb: self,
            loader: self
                .store
                .bulk_loader()
                .with_max_memory_size_in_megabytes(BULK_LOADER_MEGABYTES),
            empty_graphs: Vec::new(),
        }
    }

    /// Runs a SPARQL query over the union of all graphs (the default graph is their union).
    pub fn query(&self, sparql: &str) -> Result<QueryResults<'static>, StoreError> {
        self.query_with(sparql, SparqlEvaluator::new())
    }

    /// Like [`Kb::query`], with an evaluator that may answer `SERVICE` blocks itself (the
    /// text index: `search::sparql::evaluator`).
    pub fn query_with(
        &self,
        sparql: &str,
        evaluator: SparqlEvaluator,
    ) -> Result<QueryResults<'static>, StoreError> {
        let mut prepared = evaluator
            .parse_query(sparql)
            .map_err(|e| StoreError::Syntax(e.to_string()))?;
        if prepared.dataset().is_default_dataset() {
            prepared.dataset_mut().set_default_graph_as_union();
        }
        prepared
            .on_store(&self.store)
            .execute()
            .map_err(|e| StoreError::Evaluation(e.to_string()))
    }

    /// The rows of a SELECT query, each with its values in the order of the variables.
    pub fn rows(&self, sparql: &str) -> Result<Vec<Vec<Option<Term>>>, StoreError> {
        let mut out = Vec::new();
        if let QueryResults::Solutions(solutions) = self.query(sparql)? {
            let n = solutions.variables().len();
            for row in solutions {
                let row = row.map_err(|e| StoreError::Evaluation(e.to_string()))?;
                out.push((0..n).map(|i| row.get(i).cloned()).collect());
            }
        }
        Ok(out)
    }

    /// Like [`Kb::rows`], each value as a string (an IRI, a literal's lexical form, `_:id`).
    pub fn string_rows(&self, sparql: &str) -> Result<Vec<Vec<Option<String>>>, StoreError> {
        Ok(self
            .rows(sparql)?
            .into_iter()
            .map(|row| row.iter().map(|t| t.as_ref().map(term_string)).collect())
            .collect())
    }

    /// A single number from a `SELECT (COUNT(...) AS ?n)` query.
    pub fn count(&self, sparql: &str) -> Result<usize, StoreError> {
        if let QueryResults::Solutions(mut rows) = self.query(sparql)?
            && let Some(row) = rows.next()
        {
            let row = row.map_err(|e| StoreError::Evaluation(e.to_string()))?;
            if let Some(oxigraph::model::Term::Literal(l)) = row.get(0) {
                return Ok(l.value().parse().unwrap_or(0));
            }
        }
        Ok(0)
    }

    /// Figures about the whole store.
    pub fn stats(&self) -> Result<Stats, StoreError> {
        let p = crate::rdf::PAESI;
        let e = crate::rdf::ELI;
        let kind =
            |class: &str| format!("SELECT (COUNT(DISTINCT ?x) AS ?n) {{ ?x a <{p}{class}> }}");
        Ok(Stats {
            quads: self.store.len().map_err(|e| self.storage(e))?,
            graphs: self.store.named_graphs().count(),
            acts: self.count(&format!(
                "SELECT (COUNT(DISTINCT ?x) AS ?n) {{ ?x a <{e}LegalResource> ; <{p}sourceFormat> ?f }}"
            ))?,
            partitions: self.count(&format!(
                "SELECT (COUNT(DISTINCT ?x) AS ?n) {{ ?x <{p}act> ?a }}"
            ))?,
            articles: self.count(&kind("Article"))?,
            paragraphs: self.count(&kind("Paragraph"))?,
            references: self.count(&kind("Reference"))?,
        })
    }
}

/// The memory setting of oxigraph's bulk loader, which sets the size of the batches it sorts
/// into files (this many thousand quads, shared among its threads): measured against its
/// default in BENCHMARKS.md (issue 15).
pub const BULK_LOADER_MEGABYTES: usize = 512;

/// An atomic bulk load of new graphs through oxigraph's bulk loader: quads are sorted and
/// written to files as they come, in bounded memory, and nothing is visible to readers until
/// [`BulkWrite::commit`] ingests it all at once (one commit keeps RocksDB from compacting
/// after every batch). The loader registers the graph of every quad it loads.
pub struct BulkWrite<'a> {
    kb: &'a Kb,
    loader: oxigraph::store::BulkLoader<'a>,
    /// Graphs without a quad, which the loader cannot register: one transaction after it.
    empty_graphs: Vec<NamedNode>,
}

impl BulkWrite<'_> {
    /// Adds quads of new graphs, and new graphs that have no quads.
    pub fn add(
        &mut self,
        empty_graphs: Vec<NamedNode>,
        quads: Vec<Quad>,
    ) -> Result<(), StoreError> {
        self.loader
            .load_quads(quads)
            .map_err(|e| self.kb.storage(e))?;
        self.empty_graphs.extend(empty_graphs);
        Ok(())
    }

    /// Makes everything added visible at once (graphs without quads just after).
    pub fn commit(self) -> Result<(), StoreError> {
        let kb = self.kb;
        self.loader.commit().map_err(|e| kb.storage(e))?;
        if self.empty_graphs.is_empty() {
            return Ok(());
        }
        let mut t = kb.store.start_transaction().map_err(|e| kb.storage(e))?;
        for g in &self.empty_graphs {
            t.insert_named_graph(g.as_ref());
        }
        t.commit().map_err(|e| kb.storage(e))
    }
}

/// A term as a plain string: an IRI, a literal's lexical form, or `_:id` for a blank node.
pub fn term_string(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => n.as_str().to_string(),
        Term::Literal(l) => l.value().to_string(),
        Term::BlankNode(b) => format!("_:{}", b.as_str()),
        #[allow(unreachable_patterns)]
        _ => t.to_string(),
    }
}
