//! Several expressions of one act, side by side: each document graph of an act (the NIR text,
//! each dated Normattiva export) keeps its own text, and this module links them in time.
//!
//! With a single document an act needs nothing: a partition's `paesi:text` is its text. When
//! an act has two or more document graphs (ordered: the undated one first, then by expression
//! date), [`relink`] makes every expression's text a `paesi:Version` of its partition
//! (`{partition}/@{date}`, in that expression's own graph, with `paesi:expressionDate` and
//! `eli:first_date_entry_in_force` = the expression date), keeps the partition-level
//! `paesi:text` only in the newest graph, and writes in the act's timeline graph when each
//! older version stopped being in force: the date of the next expression. Nothing is erased:
//! every expression's text stays queryable, and re-running it changes nothing.

use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, Quad, Term};

use crate::rdf::{ELI, PAESI, act_graph, eli, iri, paesi, timeline_graph};
use crate::store::{Kb, StoreError};

/// One document graph of an act.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Expression {
    graph: NamedNode,
    /// The expression date; None for a source without one (sorted first).
    date: Option<String>,
}

/// What [`relink`] found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Relinked {
    /// Document graphs (expressions) the act has.
    pub expressions: usize,
    /// Versions created from an expression's partition texts.
    pub versions_created: usize,
    /// Versions closed by a later expression (in the timeline graph).
    pub versions_closed: usize,
    /// The act's document graphs, oldest first (each may have changed).
    pub graphs: Vec<String>,
}

/// Links the expressions of the act with canonical IRI `act` (see the module doc).
pub fn relink(kb: &Kb, act: &str) -> Result<Relinked, StoreError> {
    let expressions = expressions_of(kb, act)?;
    let mut done = Relinked {
        expressions: expressions.len(),
        graphs: expressions
            .iter()
            .map(|e| e.graph.as_str().to_string())
            .collect(),
        ..Relinked::default()
    };
    let timeline = timeline_graph(act);
    if expressions.len() < 2 {
        if kb.has_graph(&timeline)? {
            kb.apply(&[], &[], &[(timeline, Vec::new())])?;
        }
        return Ok(done);
    }
    let mut insert = Vec::new();
    let mut remove = Vec::new();
    let mut closing = Vec::new();
    let newest = expressions.len() - 1;
    for (i, e) in expressions.iter().enumerate() {
        let g = GraphName::NamedNode(e.graph.clone());
        for (partition, text, heading) in unversioned_texts(kb, act, &e.graph)? {
            let version = iri(&format!(
                "{}/@{}",
                partition.as_str(),
                e.date.as_deref().unwrap_or("undated")
            ));
            let mut add = |s: &NamedNode, p: NamedNode, o: Term| {
                insert.push(Quad::new(s.clone(), p, o, g.clone()));
            };
            add(&partition, paesi("version"), version.clone().into());
            add(&version, rdf::TYPE.into(), paesi("Version").into());
            add(&version, paesi("text"), text);
            if let Some(h) = heading {
                add(&version, eli("title"), h);
            }
            if let Some(d) = &e.date {
                let d = Literal::new_typed_literal(d.as_str(), xsd::DATE);
                add(&version, paesi("expressionDate"), d.clone().into());
                add(&version, eli("first_date_entry_in_force"), d.into());
            }
            done.versions_created += 1;
        }
        if i < newest {
            remove.extend(partition_texts(kb, act, &e.graph)?);
        }
    }
    // when each version of an older expression stopped being in force: the next date, once
    // the versions created above exist (so they are read back after the write)
    kb.apply(&remove, &insert, &[])?;
    for (i, e) in expressions.iter().enumerate().take(newest) {
        let Some(next) = expressions[i + 1..].iter().find_map(|x| x.date.clone()) else {
            continue;
        };
        let next = Literal::new_typed_literal(next, xsd::DATE);
        for version in open_versions(kb, &e.graph)? {
            closing.push(Quad::new(
                version,
                eli("date_no_longer_in_force"),
                next.clone(),
                GraphName::NamedNode(timeline.clone()),
            ));
        }
    }
    done.versions_closed = closing.len();
    kb.apply(&[], &[], &[(timeline, closing)])?;
    Ok(done)
}

/// The document graphs of an act (its own graph and its expression graphs), oldest first.
fn expressions_of(kb: &Kb, act: &str) -> Result<Vec<Expression>, StoreError> {
    let base = act_graph(act);
    let rows = kb.rows(&format!(
        "SELECT ?g ?d WHERE {{ GRAPH ?g {{ <{act}> <{PAESI}sourceFormat> ?f .
               OPTIONAL {{ <{act}> <{PAESI}expressionDate> ?d }} }} }}"
    ))?;
    let mut out: Vec<Expression> = rows
        .into_iter()
        .filter_map(|row| {
            let Some(Term::NamedNode(g)) = row.first().cloned().flatten() else {
                return None;
            };
            let own = g == base
                || g.as_str()
                    .strip_prefix(base.as_str())
                    .is_some_and(|rest| rest.starts_with("/@"));
            let date = match row.get(1).cloned().flatten() {
                Some(Term::Literal(l)) => Some(l.value().to_string()),
                _ => None,
            };
            own.then_some(Expression { graph: g, date })
        })
        .collect();
    out.sort_by(|a, b| (a.date.is_some(), &a.date).cmp(&(b.date.is_some(), &b.date)));
    out.dedup_by(|a, b| a.graph == b.graph);
    Ok(out)
}

/// Partitions of `act` in `graph` with a text of their own and no version yet.
fn unversioned_texts(
    kb: &Kb,
    act: &str,
    graph: &NamedNode,
) -> Result<Vec<(NamedNode, Term, Option<Term>)>, StoreError> {
    let rows = kb.rows(&format!(
        "SELECT ?p ?t ?h WHERE {{ GRAPH <{g}> {{ ?p <{PAESI}act> <{act}> ; <{PAESI}text> ?t .
               OPTIONAL {{ ?p <{ELI}title> ?h }}
               FILTER NOT EXISTS {{ ?p <{PAESI}version> ?v }} }} }}",
        g = graph.as_str()
    ))?;
    Ok(rows
        .into_iter()
        .filter_map(|mut row| {
            let heading = row.pop().flatten();
            let text = row.pop().flatten()?;
            match row.pop().flatten()? {
                Term::NamedNode(p) => Some((p, text, heading)),
                _ => None,
            }
        })
        .collect())
}

/// The partition-level texts of `act` in `graph`, as quads to remove.
fn partition_texts(kb: &Kb, act: &str, graph: &NamedNode) -> Result<Vec<Quad>, StoreError> {
    let rows = kb.rows(&format!(
        "SELECT ?p ?t WHERE {{ GRAPH <{g}> {{ ?p <{PAESI}act> <{act}> ; <{PAESI}text> ?t }} }}",
        g = graph.as_str()
    ))?;
    Ok(rows
        .into_iter()
        .filter_map(|mut row| {
            let text = row.pop().flatten()?;
            match row.pop().flatten()? {
                Term::NamedNode(p) => Some(Quad::new(
                    p,
                    paesi("text"),
                    text,
                    GraphName::NamedNode(graph.clone()),
                )),
                _ => None,
            }
        })
        .collect())
}

/// Versions in `graph` whose end the graph does not give.
fn open_versions(kb: &Kb, graph: &NamedNode) -> Result<Vec<NamedNode>, StoreError> {
    let rows = kb.rows(&format!(
        "SELECT DISTINCT ?v WHERE {{ GRAPH <{g}> {{ ?p <{PAESI}version> ?v
               FILTER NOT EXISTS {{ ?v <{ELI}date_no_longer_in_force> ?u }} }} }}",
        g = graph.as_str()
    ))?;
    Ok(rows
        .into_iter()
        .filter_map(|mut row| match row.pop().flatten()? {
            Term::NamedNode(v) => Some(v),
            _ => None,
        })
        .collect())
}
