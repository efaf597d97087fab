//! Exports for other stores: each named graph on its own, as N-Triples (what a Graph Store
//! `PUT` carries) or as an N-Quads file in a directory with a manifest (what bulk loaders read:
//! Virtuoso's `ld_dir`, QLever, Jena's xloader).

use std::io::Write;
use std::path::{Path, PathBuf};

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphNameRef, NamedNode, NamedOrBlankNode, Quad};

use crate::store::{Kb, StoreError};

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The store failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// A file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

/// One graph of a per-graph export.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ManifestEntry {
    /// The graph IRI.
    pub graph: String,
    /// Its file, relative to the manifest.
    pub file: String,
    /// Quads in the file.
    pub quads: usize,
    /// The graph's canonical hash (RDFC-1.0, SHA-256: [`crate::import::registry::canonical_hash`]).
    pub hash: String,
}

/// The manifest of a per-graph export (`manifest.json` in the directory).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// Every graph, by IRI.
    pub graphs: Vec<ManifestEntry>,
    /// Quads in all files.
    pub quads: usize,
}

/// The named graphs of the store, sorted by IRI (blank-node graph names are not exported:
/// paesi writes none).
pub fn named_graphs(kb: &Kb) -> Result<Vec<NamedNode>, StoreError> {
    let mut out = Vec::new();
    for g in kb.store().named_graphs() {
        match g.map_err(|e| StoreError::Evaluation(e.to_string()))? {
            NamedOrBlankNode::NamedNode(n) => out.push(n),
            NamedOrBlankNode::BlankNode(_) => {}
        }
    }
    out.sort();
    Ok(out)
}

/// The quads of one graph.
pub fn graph_quads(kb: &Kb, graph: &NamedNode) -> Result<Vec<Quad>, StoreError> {
    kb.store()
        .quads_for_pattern(None, None, None, Some(graph.as_ref().into()))
        .collect::<Result<_, _>>()
        .map_err(|e| StoreError::Evaluation(e.to_string()))
}

/// The triples of a graph's quads as N-Triples (UTF-8).
pub fn ntriples(quads: &[Quad]) -> Vec<u8> {
    let mut ser = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(Vec::new());
    for q in quads {
        // writing to memory cannot fail
        let _ = ser.serialize_triple(q.as_ref());
    }
    ser.finish().unwrap_or_default()
}

/// Writes the whole store as N-Quads to `out` and returns the number of quads: the default
/// graph's quads first, then each named graph (sorted by IRI, as [`named_graphs`]), its quads
/// in the store's order. Reading a quad back costs a store lookup per long term, one core's
/// work for a whole export: the graphs are read and serialised by one worker per core (worker
/// `k` takes graphs `k`, `k + n`, …), each at most [`AHEAD`] graphs ahead of the writer, and
/// written in order. `path` names the output in errors. Graphs named by a blank node are left
/// out, as in [`named_graphs`]: paesi writes none (ingest names every graph by an IRI, and a
/// SPARQL update cannot name one by a blank node).
pub fn nquads<W: Write>(kb: &Kb, out: &mut W, path: &Path) -> Result<u64, ExportError> {
    let graphs = named_graphs(kb)?;
    let serialize = |quads: &mut dyn Iterator<Item = Result<Quad, StoreError>>| {
        let mut ser = RdfSerializer::from_format(RdfFormat::NQuads).for_writer(Vec::new());
        let mut n = 0u64;
        for q in quads {
            // writing to memory cannot fail
            let _ = ser.serialize_quad(&q?);
            n += 1;
        }
        Ok::<_, StoreError>((n, ser.finish().unwrap_or_default()))
    };
    let read = |graph: GraphNameRef<'_>| {
        kb.store()
            .quads_for_pattern(None, None, None, Some(graph))
            .map(|q| q.map_err(|e| StoreError::Evaluation(e.to_string())))
    };
    let io = |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let (mut total, bytes) = serialize(&mut read(GraphNameRef::DefaultGraph))?;
    out.write_all(&bytes).map_err(io)?;
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, graphs.len().max(1));
    std::thread::scope(|scope| {
        let receivers: Vec<_> = (0..workers)
            .map(|k| {
                let (tx, rx) = std::sync::mpsc::sync_channel(AHEAD);
                let graphs = &graphs;
                scope.spawn(move || {
                    for graph in graphs.iter().skip(k).step_by(workers) {
                        let done = serialize(&mut read(graph.as_ref().into()));
                        let failed = done.is_err();
                        if tx.send(done).is_err() || failed {
                            return; // the writer stopped, or this graph failed
                        }
                    }
                });
                rx
            })
            .collect();
        // on an error the receivers are dropped as this returns, before the scope joins the
        // workers: a worker waiting to send then stops
        for i in 0..graphs.len() {
            let (n, bytes) = receivers[i % workers]
                .recv()
                .map_err(|_| StoreError::Evaluation("an export worker stopped".into()))??;
            out.write_all(&bytes).map_err(io)?;
            total += n;
        }
        Ok(total)
    })
}

/// How many serialised graphs each export worker may hold before the writer takes them.
pub const AHEAD: usize = 4;

/// A file name for a graph: its IRI after the paesi graph base (or whole), every character
/// other than a letter, digit, `-` or `.` made `_`, after its rank (so names never collide).
fn file_name(rank: usize, graph: &str) -> String {
    let tail = graph
        .strip_prefix("https://w3id.org/paesi/graph/")
        .unwrap_or(graph);
    let slug: String = tail
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .take(150)
        .collect();
    format!("{rank:05}-{slug}.nq")
}

/// Writes one N-Quads file per named graph into `dir` (created if needed) and
/// `dir/manifest.json`.
pub fn per_graph(kb: &Kb, dir: &Path) -> Result<Manifest, ExportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ExportError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut manifest = Manifest::default();
    for (rank, graph) in named_graphs(kb)?.iter().enumerate() {
        let quads = graph_quads(kb, graph)?;
        let hash = crate::import::registry::canonical_hash(quads.iter().map(Quad::as_ref))?;
        let file = file_name(rank + 1, graph.as_str());
        let path = dir.join(&file);
        let mut ser = RdfSerializer::from_format(RdfFormat::NQuads).for_writer(Vec::new());
        for q in &quads {
            let _ = ser.serialize_quad(q);
        }
        let bytes = ser.finish().unwrap_or_default();
        std::fs::write(&path, bytes).map_err(io(&path))?;
        manifest.quads += quads.len();
        manifest.graphs.push(ManifestEntry {
            graph: graph.as_str().to_string(),
            file,
            quads: quads.len(),
            hash,
        });
    }
    let path = dir.join("manifest.json");
    let mut f = std::fs::File::create(&path).map_err(io(&path))?;
    serde_json::to_writer_pretty(&mut f, &manifest)
        .map_err(std::io::Error::other)
        .map_err(io(&path))?;
    writeln!(f).map_err(io(&path))?;
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_ranked() {
        assert_eq!(
            file_name(
                3,
                "https://w3id.org/paesi/graph/act/stato/legge/1992/91/@2024-01-01"
            ),
            "00003-act_stato_legge_1992_91__2024-01-01.nq"
        );
        assert_eq!(file_name(12, "urn:x:a/b"), "00012-urn_x_a_b.nq");
    }
}
