//! paesi: a knowledge base of Italian immigration law.
//!
//! Legislation marked up in Akoma Ntoso and NIR is parsed ([`parse`]) into one format-neutral
//! model ([`model`]), mapped to RDF ([`rdf`]) and kept in an embedded oxigraph store
//! ([`store`]), one named graph per document; [`ingest`] drives the whole flow. Every act and
//! partition gets one canonical IRI whatever spelling the source used ([`ids`]).

pub mod act;
pub mod annotate;
pub mod catalogue;
pub mod check;
pub mod dates;
pub mod entities;
pub mod export;
pub mod expressions;
pub mod figure;
pub mod history;
pub mod ids;
pub mod import;
pub mod ingest;
pub mod model;
pub mod named;
pub mod parse;
pub mod procedure;
pub mod query;
pub mod rdf;
pub mod remote;
pub mod search;
pub mod server;
pub mod source;
pub mod store;
pub mod xml;

/// Where the knowledge base lives unless `--data` or `PAESI_DATA` says otherwise.
pub const DEFAULT_DATA_DIR: &str = "./paesi-data";

/// An empty directory under the system's temp dir for one unit test (named after the test and
/// the process), removed again when it is dropped.
#[cfg(test)]
pub(crate) struct TestDir(pub std::path::PathBuf);

#[cfg(test)]
impl TestDir {
    /// Makes the directory, emptied of what an earlier run left.
    pub(crate) fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("paesi-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("test dir");
        TestDir(dir)
    }
}

#[cfg(test)]
impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
