//! Full-text search over the knowledge base, in Italian and, for procedures, in the other
//! languages of the catalogue.
//!
//! The index (tantivy, in `{data dir}/index`) holds one entry per partition version (article,
//! comma, point) and per procedure, made from a graph's quads ([`entry`]), analysed for Italian
//! ([`analyzer`]) and a procedure's translations for their languages ([`languages`],
//! [`arabic`]), cited the way lawyers cite ([`citation`]). It is kept consistent with the
//! store ([`index`]: per-graph stamps checked at open, ingest hook) and reachable from SPARQL
//! through a `SERVICE` ([`sparql`]).

pub mod analyzer;
pub mod arabic;
pub mod citation;
pub mod entry;
pub mod index;
pub mod languages;
pub mod sparql;

use std::path::PathBuf;

pub use entry::{Entry, GraphEntries, Kind, Translation, entries_from_quads};
pub use index::{Filters, Hit, Hits, Indexed, IngestHook, Markers, Repair, TextIndex};
pub use languages::Lang;

/// Errors of the search layer.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// tantivy failed.
    #[error("text index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The index directory could not be opened.
    #[error("text index: {0}")]
    Index(String),
    /// A file of the index could not be read or written.
    #[error("text index {0}: {1}")]
    Io(PathBuf, std::io::Error),
    /// Another process (a running ingest) holds the index writer.
    #[error("text index {0}: another process keeps writing it")]
    Busy(PathBuf),
    /// Reading the store failed.
    #[error("store: {0}")]
    Store(String),
    /// The query cannot be searched.
    #[error("search query: {0}")]
    Query(String),
    /// A date is not `YYYY-MM-DD`.
    #[error("{0:?} is not a date (YYYY-MM-DD)")]
    Date(String),
    /// A page of hits asked beyond the bounds ([`index::MAX_LIMIT`], [`index::MAX_OFFSET`]).
    #[error("{name}={value} is too large: at most {max}")]
    Page {
        /// `limit` or `offset`.
        name: &'static str,
        /// What was asked.
        value: usize,
        /// The bound.
        max: usize,
    },
}

impl SearchError {
    /// True when the request itself is wrong (the query, a date, the page asked), not the
    /// index or the store: a server answers it 400.
    pub fn is_request_error(&self) -> bool {
        matches!(
            self,
            SearchError::Query(_) | SearchError::Date(_) | SearchError::Page { .. }
        )
    }
}

impl From<crate::store::StoreError> for SearchError {
    fn from(e: crate::store::StoreError) -> Self {
        SearchError::Store(e.to_string())
    }
}

/// Dates as day numbers since 1970-01-01, the form range filters use.
pub mod days {
    /// The day number of `YYYY-MM-DD` (a bare year `YYYY` is its first of January).
    pub fn from_iso(s: &str) -> Option<i64> {
        let s = s.trim();
        let (y, m, d) = if s.len() == 4 {
            (s.parse::<i64>().ok()?, 1, 1)
        } else {
            let date = crate::dates::parse(s)?;
            (
                date[..4].parse().ok()?,
                date[5..7].parse().ok()?,
                date[8..10].parse().ok()?,
            )
        };
        Some(crate::dates::days_from_civil(y, m, d))
    }

    /// `YYYY-MM-DD` of a day number.
    pub fn to_iso(days: i64) -> String {
        crate::dates::civil_from_days(days)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn day_numbers() {
            assert_eq!(from_iso("1970-01-01"), Some(0));
            assert_eq!(from_iso("2000-03-01"), Some(11_017));
            assert_eq!(from_iso("1998"), from_iso("1998-01-01"));
            assert_eq!(from_iso("1998-02-30"), None);
            assert_eq!(to_iso(11_016), "2000-02-29");
            assert_eq!(to_iso(from_iso("1998-07-25").unwrap_or(0)), "1998-07-25");
        }
    }
}
