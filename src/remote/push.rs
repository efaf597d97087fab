//! `paesi push`: the local graphs to a remote SPARQL 1.1 store. Each graph whose canonical
//! hash differs from what the endpoint was last sent ([`super::state`]) is written whole: a
//! Graph Store HTTP Protocol `PUT` (N-Triples: a `PUT` carries one graph's triples), so the
//! remote side replaces it at once; where the store has no Graph Store endpoint (none given,
//! or it answers 404, 405, 415 or 501), SPARQL 1.1 Update `DROP SILENT GRAPH; INSERT {…} WHERE {}`
//! in one request. A graph the endpoint holds from an earlier push and the store no longer has is
//! deleted. The record is saved after every graph acknowledged; at the first remote error the
//! push stops (naming the graph and the answer), and the next push resumes from there.

use std::io::Write;
use std::time::Instant;

use oxigraph::model::{Literal, NamedNode, Quad, Term};

use super::state::State;
use super::{Target, excerpt, form};
use crate::export::{graph_quads, named_graphs, ntriples};
use crate::import::http::{Attempt, Http, HttpError, Request};
use crate::import::registry::canonical_hash;
use crate::store::{Kb, StoreError};

/// Why a push could not run at all (a remote error is in the report instead).
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The store failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The HTTP client could not be set up.
    #[error("{0}")]
    Http(#[from] HttpError),
    /// The record of what was pushed could not be read or written.
    #[error("push record: {0}")]
    State(#[from] std::io::Error),
}

/// How a graph is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// SPARQL 1.1 Graph Store HTTP Protocol (`PUT`, `DELETE`).
    GraphStore,
    /// SPARQL 1.1 Update (`DROP SILENT GRAPH`, `INSERT`).
    Update,
}

/// What became of one graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Sent and acknowledged.
    Written,
    /// The endpoint already holds this content (same hash as last pushed).
    Unchanged,
    /// Gone from the local store: deleted from the remote one.
    Deleted,
    /// The remote store refused it or did not answer; `error` says how.
    Failed,
    /// Not tried: the push stopped at an earlier failure.
    Pending,
}

/// One graph of a push.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GraphReport {
    /// The graph IRI.
    pub graph: String,
    /// What became of it.
    pub status: Status,
    /// Its triples (0 for a graph not tried or deleted).
    pub triples: usize,
    /// Its canonical hash (RDFC-1.0, SHA-256), when it was computed.
    pub hash: Option<String>,
    /// The HTTP status of the answer that failed it.
    pub http_status: Option<u16>,
    /// Why it failed.
    pub error: Option<String>,
}

/// What a push did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PushReport {
    /// The SPARQL endpoint.
    pub endpoint: String,
    /// The Graph Store endpoint given.
    pub graph_store: Option<String>,
    /// How graphs were written (the last method used).
    pub method: Method,
    /// Why the push fell back from the Graph Store Protocol to Update, if it did.
    pub fallback: Option<String>,
    /// Every graph considered, in order.
    pub graphs: Vec<GraphReport>,
    /// Graphs written.
    pub written: usize,
    /// Graphs the endpoint already held.
    pub unchanged: usize,
    /// Graphs deleted from the endpoint.
    pub deleted: usize,
    /// Graphs that failed (0 or 1: the push stops at the first).
    pub failed: usize,
    /// Graphs not tried.
    pub pending: usize,
    /// Triples sent.
    pub triples_written: usize,
    /// Seconds the push took.
    pub seconds: f64,
    /// HTTP requests made (the first attempt of each).
    pub requests: usize,
    /// Every HTTP attempt, in order.
    pub attempts: Vec<Attempt>,
}

/// What to push.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Write every graph, whatever the record says.
    pub all: bool,
    /// After each graph written, wait for a line on standard input (lets a test stop the
    /// remote store between two graphs without timing anything).
    pub step: bool,
}

/// A remote refusal or silence.
struct Failure {
    status: Option<u16>,
    message: String,
}

/// Pushes the store's graphs to the target; `progress` hears of each graph as it is done.
pub fn push(
    kb: &Kb,
    target: &Target,
    options: &Options,
    progress: &mut dyn FnMut(&GraphReport),
) -> Result<PushReport, PushError> {
    let started = Instant::now();
    let http = target.client()?;
    let key = target.graph_store.as_deref().unwrap_or(&target.endpoint);
    let mut state = State::load(kb.path(), key)?;
    let mut method = if target.graph_store.is_some() {
        Method::GraphStore
    } else {
        Method::Update
    };
    let mut report = PushReport {
        endpoint: target.endpoint.clone(),
        graph_store: target.graph_store.clone(),
        method,
        fallback: None,
        graphs: Vec::new(),
        written: 0,
        unchanged: 0,
        deleted: 0,
        failed: 0,
        pending: 0,
        triples_written: 0,
        seconds: 0.0,
        requests: 0,
        attempts: Vec::new(),
    };
    let local = named_graphs(kb)?;
    let mut stopped = false;
    for graph in &local {
        let mut g = GraphReport {
            graph: graph.as_str().to_string(),
            status: Status::Pending,
            triples: 0,
            hash: None,
            http_status: None,
            error: None,
        };
        if stopped {
            report.graphs.push(g);
            continue;
        }
        let quads = graph_quads(kb, graph)?;
        let hash = canonical_hash(quads.iter().map(Quad::as_ref))?;
        g.triples = quads.len();
        g.hash = Some(hash.clone());
        if !options.all && state.graphs.get(graph.as_str()) == Some(&hash) {
            g.status = Status::Unchanged;
        } else {
            let mut outcome = write(&http, target, method, graph, &quads);
            if method == Method::GraphStore
                && let Err(f) = &outcome
                && matches!(f.status, Some(404 | 405 | 415 | 501))
            {
                report.fallback = Some(format!(
                    "the Graph Store endpoint answered {}: {}",
                    f.status.unwrap_or(0),
                    f.message
                ));
                method = Method::Update;
                outcome = write(&http, target, method, graph, &quads);
            }
            match outcome {
                Ok(()) => {
                    g.status = Status::Written;
                    state.graphs.insert(g.graph.clone(), hash);
                    state.save()?;
                }
                Err(f) => {
                    g.status = Status::Failed;
                    g.http_status = f.status;
                    g.error = Some(f.message);
                    stopped = true;
                }
            }
        }
        progress(&g);
        if options.step && g.status == Status::Written {
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
        }
        report.graphs.push(g);
    }
    // graphs the endpoint got from an earlier push that the store no longer has
    let gone: Vec<String> = state
        .graphs
        .keys()
        .filter(|g| local.binary_search_by(|l| l.as_str().cmp(g)).is_err())
        .cloned()
        .collect();
    for name in gone {
        let mut g = GraphReport {
            graph: name.clone(),
            status: Status::Pending,
            triples: 0,
            hash: None,
            http_status: None,
            error: None,
        };
        if !stopped {
            let graph = NamedNode::new_unchecked(name.clone());
            match delete(&http, target, method, &graph) {
                Ok(()) => {
                    g.status = Status::Deleted;
                    state.graphs.remove(&name);
                    state.save()?;
                }
                Err(f) => {
                    g.status = Status::Failed;
                    g.http_status = f.status;
                    g.error = Some(f.message);
                    stopped = true;
                }
            }
        }
        progress(&g);
        report.graphs.push(g);
    }
    report.method = method;
    for g in &report.graphs {
        match g.status {
            Status::Written => {
                report.written += 1;
                report.triples_written += g.triples;
            }
            Status::Unchanged => report.unchanged += 1,
            Status::Deleted => report.deleted += 1,
            Status::Failed => report.failed += 1,
            Status::Pending => report.pending += 1,
        }
    }
    report.attempts = http.attempts();
    report.requests = report
        .attempts
        .iter()
        .filter(|a| a.retry_because.is_none())
        .count();
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// The Graph Store address of one graph (indirect identification, `?graph=`).
fn graph_url(store: &str, graph: &NamedNode) -> String {
    let sep = if store.contains('?') { '&' } else { '?' };
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("graph", graph.as_str())
        .finish();
    format!("{store}{sep}{query}")
}

/// Replaces the remote graph by the triples of these quads.
fn write(
    http: &Http,
    target: &Target,
    method: Method,
    graph: &NamedNode,
    quads: &[Quad],
) -> Result<(), Failure> {
    match (method, &target.graph_store) {
        (Method::GraphStore, Some(store)) => send(
            http,
            &Request {
                method: "PUT",
                url: &graph_url(store, graph),
                accept: "*/*",
                body: Some(("application/n-triples; charset=utf-8", ntriples(quads))),
            },
        ),
        _ => {
            for update in replace_updates(graph, quads, UPDATE_TRIPLES) {
                update_request(http, target, &update)?;
            }
            Ok(())
        }
    }
}

/// The XSD duration types.
const DURATIONS: [&str; 3] = [
    "http://www.w3.org/2001/XMLSchema#duration",
    "http://www.w3.org/2001/XMLSchema#dayTimeDuration",
    "http://www.w3.org/2001/XMLSchema#yearMonthDuration",
];

/// The most triples one Update request carries: Virtuoso 7.2 refuses an update whose SQL
/// passes 10,000 lines (SP031), which a graph of a few thousand triples does.
const UPDATE_TRIPLES: usize = 500;

/// The SPARQL Updates replacing a graph: `DROP SILENT GRAPH`, then `INSERT { GRAPH … } WHERE
/// { … }` with one solution, in requests of about `limit` triples. Not `INSERT DATA`, which
/// Virtuoso 7.2 refuses with blank nodes (SP031); and each `xsd:duration` literal (of any
/// duration type) is a variable bound by `STRDT` in the WHERE clause, because Virtuoso cannot
/// read such a literal written in an update (SQ200, "No column P30DD"). Both are the same
/// triples in standard SPARQL: with one solution each blank node label is one fresh node
/// across the request, so the triples of a blank node (and of the blank nodes linked to it)
/// always travel in the same request. Unlike a Graph Store `PUT`, a graph of more than one
/// request is not replaced atomically: readers may see it partly written meanwhile; the record
/// is saved after the last request only, so an interrupted graph is written again, from its
/// `DROP`, by the next push.
fn replace_updates(graph: &NamedNode, quads: &[Quad], limit: usize) -> Vec<String> {
    let mut updates = Vec::new();
    let mut template = String::new();
    let mut binds = String::new();
    let mut triples = 0;
    let mut n = 0;
    for group in blank_node_groups(quads) {
        if triples > 0 && triples + group.len() > limit {
            updates.push(insert(graph, &template, &binds, updates.is_empty()));
            template.clear();
            binds.clear();
            triples = 0;
        }
        for q in group {
            let object = match &q.object {
                Term::Literal(l) if DURATIONS.contains(&l.datatype().as_str()) => {
                    n += 1;
                    binds.push_str(&format!(
                        "BIND(STRDT({}, {}) AS ?v{n})\n",
                        Literal::new_simple_literal(l.value()),
                        l.datatype()
                    ));
                    format!("?v{n}")
                }
                other => other.to_string(),
            };
            template.push_str(&format!("{} {} {object} .\n", q.subject, q.predicate));
            triples += 1;
        }
    }
    if triples > 0 || updates.is_empty() {
        updates.push(insert(graph, &template, &binds, updates.is_empty()));
    }
    updates
}

fn insert(graph: &NamedNode, template: &str, binds: &str, first: bool) -> String {
    let drop = if first {
        format!("DROP SILENT GRAPH {graph} ;\n")
    } else {
        String::new()
    };
    format!("{drop}INSERT {{ GRAPH {graph} {{\n{template}}} }} WHERE {{\n{binds}}}")
}

/// The quads in groups that share no blank node: each triple without one alone, the triples
/// of blank nodes linked to each other together (union-find over the blank node labels).
fn blank_node_groups(quads: &[Quad]) -> Vec<Vec<&Quad>> {
    use std::collections::HashMap;
    fn find(parent: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while parent[r] != r {
            r = parent[r];
        }
        let mut i = i;
        while parent[i] != r {
            let next = parent[i];
            parent[i] = r;
            i = next;
        }
        r
    }
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut parent: Vec<usize> = Vec::new();
    let mut blanks_of = Vec::with_capacity(quads.len());
    for q in quads {
        let mut blanks = Vec::new();
        if let oxigraph::model::NamedOrBlankNode::BlankNode(b) = &q.subject {
            blanks.push(b.as_str());
        }
        if let Term::BlankNode(b) = &q.object {
            blanks.push(b.as_str());
        }
        let mut nodes = Vec::new();
        for b in blanks {
            let next = parent.len();
            let id = *ids.entry(b).or_insert(next);
            if id == next {
                parent.push(next);
            }
            nodes.push(id);
        }
        if let [a, b] = nodes[..] {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            parent[ra] = rb;
        }
        blanks_of.push(nodes.first().copied());
    }
    let mut groups: Vec<Vec<&Quad>> = Vec::new();
    let mut group_of_root: HashMap<usize, usize> = HashMap::new();
    for (q, node) in quads.iter().zip(blanks_of) {
        match node {
            None => groups.push(vec![q]),
            Some(n) => {
                let root = find(&mut parent, n);
                let next = groups.len();
                let g = *group_of_root.entry(root).or_insert(next);
                if g == next {
                    groups.push(Vec::new());
                }
                groups[g].push(q);
            }
        }
    }
    groups
}

/// Deletes the remote graph.
fn delete(http: &Http, target: &Target, method: Method, graph: &NamedNode) -> Result<(), Failure> {
    match (method, &target.graph_store) {
        (Method::GraphStore, Some(store)) => match send(
            http,
            &Request {
                method: "DELETE",
                url: &graph_url(store, graph),
                accept: "*/*",
                body: None,
            },
        ) {
            // already gone
            Err(Failure {
                status: Some(404), ..
            }) => Ok(()),
            other => other,
        },
        _ => update_request(http, target, &format!("DROP SILENT GRAPH {graph}")),
    }
}

fn update_request(http: &Http, target: &Target, update: &str) -> Result<(), Failure> {
    send(
        http,
        &Request {
            method: "POST",
            url: &target.endpoint,
            accept: "*/*",
            body: Some(("application/x-www-form-urlencoded", form("update", update))),
        },
    )
}

/// Sends a request: Ok on a 2xx answer.
fn send(http: &Http, request: &Request<'_>) -> Result<(), Failure> {
    match http.request(request) {
        Ok(r) if (200..300).contains(&r.status) => Ok(()),
        Ok(r) => Err(Failure {
            status: Some(r.status),
            message: format!(
                "{} {} answered {}: {}",
                request.method,
                request.url,
                r.status,
                excerpt(&r.body)
            ),
        }),
        Err(e) => Err(Failure {
            status: None,
            message: e.to_string(),
        }),
    }
}

/// Writes a push report for people: the graphs written, deleted or failed, then the totals.
pub fn render(out: &mut impl Write, r: &PushReport) -> std::io::Result<()> {
    for g in &r.graphs {
        match g.status {
            Status::Written => writeln!(out, "written {} ({} triples)", g.graph, g.triples)?,
            Status::Deleted => writeln!(out, "deleted {}", g.graph)?,
            Status::Failed => writeln!(
                out,
                "FAILED {}: {}",
                g.graph,
                g.error.as_deref().unwrap_or("?")
            )?,
            Status::Unchanged | Status::Pending => {}
        }
    }
    if let Some(f) = &r.fallback {
        writeln!(
            out,
            "SPARQL Update used instead of the Graph Store Protocol: {f}"
        )?;
    }
    let retries = r
        .attempts
        .iter()
        .filter(|a| matches!(a.retry_because, Some("backoff" | "retry-after")))
        .count();
    writeln!(
        out,
        "{} written, {} unchanged, {} deleted, {} failed, {} pending; {} triples in {:.2} s ({:.0} triples/s) by {}; {} HTTP requests ({} retries)",
        r.written,
        r.unchanged,
        r.deleted,
        r.failed,
        r.pending,
        r.triples_written,
        r.seconds,
        r.triples_written as f64 / r.seconds.max(1e-9),
        match r.method {
            Method::GraphStore => "Graph Store PUT",
            Method::Update => "SPARQL Update",
        },
        r.requests,
        retries
    )
}

/// The failure of a push, for standard error: `push GRAPH: ANSWER`.
pub fn failure_line(r: &PushReport) -> Option<String> {
    r.graphs
        .iter()
        .find(|g| g.status == Status::Failed)
        .map(|g| {
            format!(
                "push {}: {} ({} graphs not pushed; run paesi push again to resume)",
                g.graph,
                g.error.as_deref().unwrap_or("?"),
                r.pending + 1
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{BlankNode, GraphName};

    #[test]
    fn blank_nodes_stay_in_one_request() {
        let n = |s: &str| NamedNode::new_unchecked(format!("https://e.org/{s}"));
        let g = GraphName::NamedNode(n("g"));
        let (b1, b2) = (
            BlankNode::new_unchecked("b1"),
            BlankNode::new_unchecked("b2"),
        );
        let quads = vec![
            Quad::new(n("s"), n("p"), b1.clone(), g.clone()),
            Quad::new(n("s"), n("p"), n("o1"), g.clone()),
            Quad::new(b1.clone(), n("p"), b2.clone(), g.clone()),
            Quad::new(n("s"), n("p"), n("o2"), g.clone()),
            Quad::new(
                b2,
                n("v"),
                Literal::new_typed_literal("P3M", oxigraph::model::vocab::xsd::DURATION),
                g.clone(),
            ),
        ];
        let groups = blank_node_groups(&quads);
        let sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
        assert_eq!(sizes, [3, 1, 1]);
        let updates = replace_updates(&n("g"), &quads, 2);
        // the linked blank nodes' three triples alone (over the limit, never split), then the
        // two others
        assert_eq!(updates.len(), 2);
        assert_eq!(updates[1].matches(" .\n").count(), 2, "{}", updates[1]);
        assert!(updates[0].starts_with("DROP SILENT GRAPH <https://e.org/g> ;\nINSERT"));
        assert!(!updates[1].contains("DROP"));
        // the three triples of _:b1 and _:b2 together, the duration bound in the same request
        assert_eq!(updates[0].matches(" .\n").count(), 3, "{}", updates[0]);
        assert!(
            updates[0].contains(
                r#"BIND(STRDT("P3M", <http://www.w3.org/2001/XMLSchema#duration>) AS ?v1)"#
            )
        );
        assert_eq!(replace_updates(&n("g"), &[], 2).len(), 1);
    }
}
