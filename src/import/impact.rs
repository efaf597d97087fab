//! What an import changed for the procedures operators rely on: the partitions of the act
//! that were added, replaced (their text changed) or repealed, compared before and after
//! the write, and the procedures resting on them; and, through the imported act's textual
//! modifications of other acts, the procedures resting on what it amends. Each link says
//! at which level it was found.

use std::collections::{BTreeMap, BTreeSet};

use crate::ids;
use crate::procedure::{self, LookupError, Reach, RelyingProcedure};
use crate::rdf::{ELI, PAESI};
use crate::store::Kb;

/// The state of an act's partitions at one moment: partition → (text, repealed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    partitions: BTreeMap<String, (String, bool)>,
}

/// How a partition changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// New in the knowledge base.
    Added,
    /// Its text changed.
    Replaced,
    /// No longer in force (an end date, a repeal notice) or gone from the act.
    Repealed,
}

impl ChangeKind {
    /// The word for people.
    pub fn word(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Replaced => "replaced",
            ChangeKind::Repealed => "repealed",
        }
    }
}

/// The partitions an import changed, by kind (sorted IRIs).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Changes {
    /// Partitions new in the knowledge base.
    pub added: Vec<String>,
    /// Partitions whose text changed.
    pub replaced: Vec<String>,
    /// Partitions repealed or gone.
    pub repealed: Vec<String>,
}

impl Changes {
    /// Every changed partition with its kind.
    pub fn all(&self) -> impl Iterator<Item = (&String, ChangeKind)> {
        self.added
            .iter()
            .map(|p| (p, ChangeKind::Added))
            .chain(self.replaced.iter().map(|p| (p, ChangeKind::Replaced)))
            .chain(self.repealed.iter().map(|p| (p, ChangeKind::Repealed)))
    }
}

/// How the changed norm and the procedure's legal basis relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The legal basis is the changed (or amended) partition itself.
    Partition,
    /// The legal basis is a part of it (a comma of a changed article).
    Part,
    /// The legal basis contains it (the article of a changed comma, the whole act).
    Container,
    /// The amendment names the whole act, and the legal basis is in that act.
    Act,
}

/// Whether a link was found in the imported text or in what it amends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Through {
    /// A partition of the imported act changed.
    Text,
    /// A textual modification made by the imported act.
    Amendment,
}

/// Why a procedure is touched.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Link {
    /// Found in the imported text or through an amendment.
    pub through: Through,
    /// How the changed norm and the legal basis relate.
    pub level: Level,
    /// The changed partition, or the destination of the amendment.
    pub changed: String,
    /// What happened to it: added / replaced / repealed, or the modification type.
    pub change: String,
    /// The amending provision (amendments only).
    pub by: Option<String>,
    /// The procedure's legal basis.
    pub basis: String,
    /// The role of that basis for the procedure.
    pub role: Option<String>,
}

/// A procedure an import touched, with every link found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProcedureImpact {
    /// The procedure's identifier.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The links, sorted (text before amendments, closest level first).
    pub links: Vec<Link>,
}

/// The partitions of `act` as the store holds them now (its newest text per partition).
pub fn snapshot(kb: &Kb, act: &str) -> Result<Snapshot, LookupError> {
    let rows = kb.string_rows(&format!(
        "SELECT ?p ?t ?u WHERE {{ ?p <{PAESI}act> <{act}> .
           OPTIONAL {{ ?p <{PAESI}text> ?t }} OPTIONAL {{ ?p <{ELI}date_no_longer_in_force> ?u }} }}"
    ))?;
    let mut texts: BTreeMap<String, (BTreeSet<String>, bool)> = BTreeMap::new();
    for r in rows {
        let Some(p) = r[0].clone() else { continue };
        let e = texts.entry(p).or_default();
        if let Some(t) = r[1].clone() {
            e.0.insert(t);
        }
        e.1 |= r[2].is_some();
    }
    Ok(Snapshot {
        partitions: texts
            .into_iter()
            .map(|(p, (t, ended))| {
                let text = t.into_iter().collect::<Vec<_>>().join("\n");
                let repealed = ended || repeal_notice(&text);
                (p, (text, repealed))
            })
            .collect(),
    })
}

/// Normattiva writes a repealed provision's text as a notice in capitals
/// (`((ARTICOLO ABROGATO DAL D.L. …))`, `COMMA ABROGATO …`).
fn repeal_notice(text: &str) -> bool {
    text.contains("ABROGATO") || text.contains("ABROGATA") || text.contains("SOPPRESSO")
}

/// The partitions that changed from `before` to `after`.
pub fn diff(before: &Snapshot, after: &Snapshot) -> Changes {
    let mut c = Changes::default();
    for (p, (text, repealed)) in &after.partitions {
        match before.partitions.get(p) {
            None if *repealed => c.repealed.push(p.clone()),
            None => c.added.push(p.clone()),
            Some((_, was_repealed)) if *repealed && !was_repealed => c.repealed.push(p.clone()),
            Some((old, _)) if old != text => c.replaced.push(p.clone()),
            Some(_) => {}
        }
    }
    for p in before.partitions.keys() {
        if !after.partitions.contains_key(p) {
            c.repealed.push(p.clone());
        }
    }
    c.repealed.sort();
    c
}

/// The modifications the document graph `graph` makes to other acts than `act`:
/// (destination, type, amending provision).
pub fn amendments_of(
    kb: &Kb,
    graph: &str,
    act: &str,
) -> Result<Vec<(String, String, Option<String>)>, LookupError> {
    let rows = kb.string_rows(&format!(
        "SELECT DISTINCT ?d ?k ?s WHERE {{ GRAPH <{graph}> {{
           ?m a <{PAESI}Modification> ; <{PAESI}destination> ?d ; <{PAESI}modificationType> ?k .
           OPTIONAL {{ ?m <{PAESI}source> ?s }} }} }} ORDER BY ?d ?k ?s"
    ))?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((r[0].clone()?, r[1].clone()?, r[2].clone())))
        .filter(|(d, _, _)| ids::act_iri_of(d).as_deref() != Some(act))
        .collect())
}

/// The procedures touched by changed partitions and by amendments (destination, type,
/// source), with every link found; sorted by procedure.
pub fn procedures(
    kb: &Kb,
    changes: &Changes,
    amendments: &[(String, String, Option<String>)],
    lang: &str,
) -> Result<Vec<ProcedureImpact>, LookupError> {
    let bases = procedure::legal_basis_norms(kb)?;
    let acts_with_bases: BTreeSet<String> =
        bases.iter().filter_map(|b| ids::act_iri_of(b)).collect();
    let relevant = |iri: &str| {
        ids::act_iri_of(iri).is_some_and(|a| acts_with_bases.contains(&a)) || bases.contains(iri)
    };
    let mut found: BTreeMap<String, (String, BTreeSet<Link>)> = BTreeMap::new();
    let mut add = |relying: Vec<RelyingProcedure>,
                   through,
                   level,
                   changed: &str,
                   change: &str,
                   by: &Option<String>| {
        for r in relying {
            let e = found
                .entry(r.id.clone())
                .or_insert_with(|| (r.title.clone(), BTreeSet::new()));
            e.1.insert(Link {
                through,
                level,
                changed: changed.to_string(),
                change: change.to_string(),
                by: by.clone(),
                basis: r.norm,
                role: r.role,
            });
        }
    };
    for (p, kind) in changes.all() {
        if !relevant(p) {
            continue;
        }
        for (reach, level) in [
            (Reach::Itself, Level::Partition),
            (Reach::Parts, Level::Part),
            (Reach::Containers, Level::Container),
        ] {
            add(
                procedure::resting_on(kb, p, reach, lang)?,
                Through::Text,
                level,
                p,
                kind.word(),
                &None,
            );
        }
    }
    for (d, kind, by) in amendments {
        if !relevant(d) {
            continue;
        }
        let is_act = ids::act_iri_of(d).as_deref() == Some(d.as_str());
        let reaches: &[(Reach, Level)] = if is_act {
            &[
                (Reach::Itself, Level::Partition),
                (Reach::Parts, Level::Act),
            ]
        } else {
            &[
                (Reach::Itself, Level::Partition),
                (Reach::Parts, Level::Part),
                (Reach::Containers, Level::Container),
            ]
        };
        for (reach, level) in reaches {
            add(
                procedure::resting_on(kb, d, *reach, lang)?,
                Through::Amendment,
                *level,
                d,
                kind,
                by,
            );
        }
    }
    Ok(found
        .into_iter()
        .map(|(id, (title, links))| ProcedureImpact {
            id,
            title,
            links: links.into_iter().collect(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(items: &[(&str, &str, bool)]) -> Snapshot {
        Snapshot {
            partitions: items
                .iter()
                .map(|(p, t, r)| (p.to_string(), (t.to_string(), *r)))
                .collect(),
        }
    }

    #[test]
    fn diff_sorts_partitions_by_what_happened() {
        let before = snap(&[
            ("a", "one", false),
            ("b", "two", false),
            ("c", "three", false),
            ("d", "four", false),
        ]);
        let after = snap(&[
            ("a", "one", false),
            ("b", "two, amended", false),
            ("c", "((ARTICOLO ABROGATO DAL D.L. 1/2025))", true),
            ("e", "five", false),
        ]);
        let c = diff(&before, &after);
        assert_eq!(c.added, vec!["e"]);
        assert_eq!(c.replaced, vec!["b"]);
        assert_eq!(c.repealed, vec!["c", "d"]);
    }
}
