//! Where the operator lookups read from: a [`Source`] answers SELECT queries as rows of RDF
//! terms, the local store ([`Kb`]) or a remote SPARQL endpoint ([`Remote`], SPARQL 1.1
//! Protocol). `procedure::{list, show, norm}`, `act::act` and the figures take a `&dyn Source`,
//! so one view code builds `paesi procedure`, `norm` and `act` over either, and a user can
//! compare what a remote store answers with what the local one does (`--endpoint`).
//!
//! None of these lookups uses the text index (a procedure's words are matched in SPARQL
//! answers, not by tantivy): the search `SERVICE` stays the local store's, and a query using
//! it is refused by a remote source ([`crate::remote::query::RemoteQueryError::Service`]).

use oxigraph::model::Term;

use crate::import::http::{Http, HttpError};
use crate::remote::Target;
use crate::remote::query::RemoteQueryError;
use crate::store::{Kb, StoreError};

/// One row of a SELECT answer: the value of each variable, in the order of the variables.
pub type Row = Vec<Option<Term>>;

/// Why a source could not answer.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The local store failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The remote endpoint failed or answered an error.
    #[error("{0}")]
    Remote(#[from] RemoteQueryError),
}

/// A store that answers SELECT queries over the union of its graphs.
pub trait Source {
    /// The rows of a SELECT query (none for any other form).
    fn rows(&self, sparql: &str) -> Result<Vec<Row>, SourceError>;

    /// Like [`Source::rows`], each value as a string (an IRI, a literal's lexical form,
    /// `_:id`).
    fn string_rows(&self, sparql: &str) -> Result<Vec<Vec<Option<String>>>, SourceError> {
        Ok(self
            .rows(sparql)?
            .into_iter()
            .map(|row| {
                row.iter()
                    .map(|t| t.as_ref().map(crate::store::term_string))
                    .collect()
            })
            .collect())
    }

    /// A single number from a `SELECT (COUNT(...) AS ?n)` query (0 when there is none).
    fn count(&self, sparql: &str) -> Result<usize, SourceError> {
        Ok(self
            .rows(sparql)?
            .into_iter()
            .next()
            .and_then(|row| match row.into_iter().next().flatten() {
                Some(Term::Literal(l)) => l.value().parse().ok(),
                _ => None,
            })
            .unwrap_or(0))
    }
}

impl Source for Kb {
    fn rows(&self, sparql: &str) -> Result<Vec<Row>, SourceError> {
        Ok(Kb::rows(self, sparql)?)
    }
}

/// A remote SPARQL endpoint as a source: one HTTP client (its credentials, retries and
/// timeouts) for every query of a lookup. Its answers are read by
/// [`crate::remote::query::rows`], which gives back the lexical forms Virtuoso does not keep.
pub struct Remote {
    target: Target,
    http: Http,
}

impl Remote {
    /// A source asking `target`'s SPARQL endpoint.
    pub fn new(target: Target) -> Result<Remote, HttpError> {
        let http = target.client()?;
        Ok(Remote { target, http })
    }

    /// The endpoint asked.
    pub fn endpoint(&self) -> &str {
        &self.target.endpoint
    }
}

impl Source for Remote {
    fn rows(&self, sparql: &str) -> Result<Vec<Row>, SourceError> {
        Ok(crate::remote::query::rows(
            &self.http,
            &self.target,
            sparql,
        )?)
    }
}
