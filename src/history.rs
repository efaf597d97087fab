//! The history of a partition (or of every partition of an act): its text versions with the
//! period each was in force, the acts that brought them in and ended them, and the
//! modifications that name it. Read from the store with SPARQL, so it shows exactly what a
//! researcher's query would.

use crate::ids;
use crate::rdf::{ELI, PAESI};
use crate::store::{Kb, StoreError};

/// Why a history could not be given.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The identifier does not parse.
    #[error("{0}")]
    Identifier(#[from] ids::IdError),
    /// The store failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// Nothing with that identifier is in the knowledge base.
    #[error("{0} is not in the knowledge base")]
    NotFound(String),
}

/// One text version of a partition.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VersionEntry {
    /// First day in force.
    pub from: Option<String>,
    /// Day it stopped being in force (None: still in force).
    pub until: Option<String>,
    /// The act (or partition) whose amendment brought it in.
    pub introduced_by: Option<String>,
    /// The act (or partition) whose amendment ended it.
    pub ended_by: Option<String>,
    /// Status in the source (`abrogato`).
    pub status: Option<String>,
    /// Its text.
    pub text: String,
}

/// A modification that names the partition as its destination.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ModificationEntry {
    /// `insertion`, `substitution`, `sostituzione`...
    pub kind: String,
    /// The amending provision.
    pub source: Option<String>,
    /// When it applies.
    pub date: Option<String>,
}

/// The history of one partition.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PartitionHistory {
    /// Its canonical IRI.
    pub iri: String,
    /// Its number as printed.
    pub number: Option<String>,
    /// Its heading.
    pub heading: Option<String>,
    /// First day it exists.
    pub from: Option<String>,
    /// Day it stopped existing.
    pub until: Option<String>,
    /// Its text versions, oldest first (empty for single-version sources).
    pub versions: Vec<VersionEntry>,
    /// Modifications that name it.
    pub modifications: Vec<ModificationEntry>,
}

/// The history of the partition an identifier names, or of every partition of the act it
/// names (in document order).
pub fn history(kb: &Kb, identifier: &str) -> Result<Vec<PartitionHistory>, HistoryError> {
    let identifier = identifier.trim();
    // a canonical IRI as it is, any other identifier through its canonical form
    let (iri, is_partition) = if identifier.starts_with(ids::BASE) {
        let act = ids::act_iri_of(identifier);
        (identifier.to_string(), act.is_some_and(|a| a != identifier))
    } else {
        let target = ids::resolve_href(identifier, None)?;
        (target.iri(), target.partition.is_some())
    };
    let iri = ids::checked_iri(&iri)?;
    let partitions: Vec<String> = if is_partition {
        vec![iri.clone()]
    } else {
        kb.string_rows(&format!(
            "SELECT ?p WHERE {{ ?p <{PAESI}act> <{iri}> ; <{PAESI}order> ?o }} ORDER BY ?o"
        ))?
        .into_iter()
        .filter_map(|r| r.into_iter().next().flatten())
        .collect()
    };
    let mut out = Vec::new();
    for p in partitions {
        let head = kb.string_rows(&format!(
            "SELECT ?n ?h ?f ?u WHERE {{
                   {{ <{p}> <{PAESI}act> ?a }}
                   OPTIONAL {{ <{p}> <{ELI}number> ?n }} OPTIONAL {{ <{p}> <{ELI}title> ?h }}
                   OPTIONAL {{ <{p}> <{ELI}first_date_entry_in_force> ?f }}
                   OPTIONAL {{ <{p}> <{ELI}date_no_longer_in_force> ?u }} }} LIMIT 1"
        ))?;
        let Some(head) = head.into_iter().next() else {
            continue;
        };
        let versions = kb
            .string_rows(&format!(
                "SELECT ?f ?u ?i ?e ?s ?t WHERE {{ <{p}> <{PAESI}version> ?v .
                   OPTIONAL {{ ?v <{ELI}first_date_entry_in_force> ?f }}
                   OPTIONAL {{ ?v <{ELI}date_no_longer_in_force> ?u }}
                   OPTIONAL {{ ?v <{PAESI}introducedBy> ?i }}
                   OPTIONAL {{ ?v <{PAESI}endedBy> ?e }}
                   OPTIONAL {{ ?v <{PAESI}status> ?s }}
                   OPTIONAL {{ ?v <{PAESI}text> ?t }} }} ORDER BY ?f ?u"
            ))?
            .into_iter()
            .map(|r| VersionEntry {
                from: r[0].clone(),
                until: r[1].clone(),
                introduced_by: r[2].clone(),
                ended_by: r[3].clone(),
                status: r[4].clone(),
                text: r[5].clone().unwrap_or_default(),
            })
            .collect();
        let modifications = kb.string_rows(
            &format!(
                "SELECT ?k ?s ?d WHERE {{ ?m <{PAESI}destination> <{p}> ; <{PAESI}modificationType> ?k .
                   OPTIONAL {{ ?m <{PAESI}source> ?s }} OPTIONAL {{ ?m <{PAESI}date> ?d }} }}
                 ORDER BY ?d ?k ?s"
            ),
        )?
        .into_iter()
        .map(|r| ModificationEntry {
            kind: r[0].clone().unwrap_or_default(),
            source: r[1].clone(),
            date: r[2].clone(),
        })
        .collect();
        out.push(PartitionHistory {
            iri: p,
            number: head[0].clone(),
            heading: head[1].clone(),
            from: head[2].clone(),
            until: head[3].clone(),
            versions,
            modifications,
        });
    }
    if out.is_empty() {
        return Err(HistoryError::NotFound(iri));
    }
    Ok(out)
}
