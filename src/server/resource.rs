//! Linked Data: every canonical IRI `https://w3id.org/paesi/act/…`,
//! `https://w3id.org/paesi/procedure/…` (and `…/akn/…`) dereferences on the server at the same path. The
//! description is the resource's own triples plus those of its versions and of the blank
//! nodes it points to (legal bases, events, modifications), from all graphs; HTML for a
//! browser (the portal's pages for procedures, acts and partitions, [`portal`]; this
//! generic description for the rest), an RDF syntax by `Accept` (Turtle by default), 404 when nothing is known.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use oxigraph::model::{NamedNode, NamedOrBlankNode, Term, Triple};
use oxigraph::sparql::{CancellationToken, QueryResults, SparqlEvaluator};

use super::error::ApiError;
use super::exec::{self, Output, PREFIXES};
use super::sparql::{accept, respond};
use super::{AppState, negotiate, portal};
use crate::ids::BASE;

/// `GET /act/…`.
pub async fn act(
    state: State<AppState>,
    Path(rest): Path<String>,
    query: RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    describe(state, format!("act/{rest}"), query, headers).await
}

/// `GET /akn/…` (acts known only by their AKN identity, e.g. foreign ones).
pub async fn akn(
    state: State<AppState>,
    Path(rest): Path<String>,
    query: RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    describe(state, format!("akn/{rest}"), query, headers).await
}

/// `GET /procedure/…`.
pub async fn procedure(
    state: State<AppState>,
    Path(rest): Path<String>,
    query: RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    describe(state, format!("procedure/{rest}"), query, headers).await
}

async fn describe(
    State(state): State<AppState>,
    path: String,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params: HashMap<String, String> =
        form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let format = params.get("format").cloned();
    let accept = accept(format.as_deref(), &headers)?;
    let iri = crate::rdf::iri(&format!("{BASE}{path}"));
    let media = negotiate::choose(accept.as_deref(), negotiate::RESOURCE).ok_or_else(|| {
        ApiError::NotAcceptable(format!(
            "no acceptable representation among: {}",
            negotiate::RESOURCE.join(", ")
        ))
    })?;
    // a browser gets the portal's pages for procedures, partitions and acts
    if matches!(media, "text/html" | "application/xhtml+xml") {
        if let Some(id) = path.strip_prefix("procedure/") {
            return portal::procedure_page(state, id.to_string(), params, headers).await;
        }
        if path.starts_with("act/") && portal::is_partition(&state, iri.as_str()).await? {
            return portal::norm_page(state, path, params, headers).await;
        }
        if path.starts_with("act/") && portal::is_act(&state, iri.as_str()).await? {
            return portal::act_page(state, path, params, headers).await;
        }
    }
    let store = state.kb().store().clone();
    let limits = state.limits();
    let subject = iri.clone();
    let token = CancellationToken::new();
    let cancel = token.clone();
    let task =
        tokio::task::spawn_blocking(move || triples(&store, &subject, limits.max_results, token));
    let triples =
        match tokio::time::timeout(std::time::Duration::from_millis(limits.timeout_ms), task).await
        {
            Err(_) => {
                cancel.cancel();
                return Err(ApiError::Timeout(limits.timeout_ms));
            }
            Ok(joined) => match joined.map_err(|e| ApiError::Internal(e.to_string()))? {
                Err(ApiError::Timeout(_)) => return Err(ApiError::Timeout(limits.timeout_ms)),
                other => other?,
            },
        };
    if triples.is_empty() {
        return Err(ApiError::NotFound(format!(
            "nothing is known about <{}>",
            iri.as_str()
        )));
    }
    let output = match media {
        "text/html" | "application/xhtml+xml" => Output {
            content_type: "text/html; charset=utf-8",
            body: html(&iri, &triples).into_bytes(),
        },
        m => {
            let format = exec::rdf_format(m)
                .ok_or_else(|| ApiError::Internal(format!("no serializer for {m}")))?;
            Output {
                content_type: format.media_type(),
                body: exec::write_graph(&triples, format)?,
            }
        }
    };
    Ok(respond(output))
}

/// The description of `iri`: its triples, and those of its versions and blank nodes (two
/// levels), deduplicated across graphs.
fn triples(
    store: &oxigraph::store::Store,
    iri: &NamedNode,
    max_results: usize,
    token: CancellationToken,
) -> Result<Vec<Triple>, ApiError> {
    let p = crate::rdf::PAESI;
    let i = iri.as_str();
    let q = format!(
        "CONSTRUCT {{ ?s ?p ?o }} WHERE {{
           {{ BIND(<{i}> AS ?s) ?s ?p ?o }}
           UNION {{ <{i}> ?p1 ?s . FILTER(isBlank(?s) || ?p1 IN (<{p}version>, <{p}legalBasis>)) ?s ?p ?o }}
           UNION {{ <{i}> ?p1 ?b . FILTER(isBlank(?b) || ?p1 = <{p}legalBasis>) ?b ?p2 ?s . FILTER(isBlank(?s)) ?s ?p ?o }}
         }}"
    );
    let mut prepared = SparqlEvaluator::new()
        .with_cancellation_token(token)
        .parse_query(&q)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    prepared.dataset_mut().set_default_graph_as_union();
    let results = prepared
        .on_store(store)
        .execute()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let QueryResults::Graph(it) = results else {
        return Err(ApiError::Internal("CONSTRUCT gave no graph".into()));
    };
    let mut graph = oxigraph::model::Graph::new();
    for t in it {
        let t = t.map_err(|e| match e {
            oxigraph::sparql::QueryEvaluationError::Cancelled => ApiError::Timeout(0),
            e => ApiError::Internal(e.to_string()),
        })?;
        graph.insert(&t);
        if graph.len() > max_results {
            return Err(ApiError::TooManyResults(max_results));
        }
    }
    Ok(graph.iter().map(|t| t.into_owned()).collect())
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Where a link to `iri` goes: the server's own path for IRIs it dereferences.
fn href(iri: &str) -> String {
    match iri.strip_prefix(BASE) {
        Some(rest)
            if rest.starts_with("act/")
                || rest.starts_with("procedure/")
                || rest.starts_with("akn/") =>
        {
            format!("/{rest}")
        }
        _ => iri.to_string(),
    }
}

/// An IRI as people read it: prefixed where a prefix is known.
fn compact(iri: &str) -> String {
    for (name, ns) in PREFIXES {
        if let Some(local) = iri.strip_prefix(ns) {
            return format!("{name}:{local}");
        }
    }
    iri.to_string()
}

fn cell(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => format!(
            "<a href=\"{}\">{}</a>",
            escape(&href(n.as_str())),
            escape(&compact(n.as_str()))
        ),
        Term::BlankNode(b) => format!("<a href=\"#b-{0}\">_:{0}</a>", escape(b.as_str())),
        Term::Literal(l) => {
            let mut s = escape(l.value());
            if let Some(lang) = l.language() {
                s.push_str(&format!(" <small>@{}</small>", escape(lang)));
            }
            s
        }
        #[allow(unreachable_patterns)]
        other => escape(&other.to_string()),
    }
}

fn subject_key(s: &NamedOrBlankNode) -> String {
    match s {
        NamedOrBlankNode::NamedNode(n) => n.as_str().to_string(),
        NamedOrBlankNode::BlankNode(b) => format!("_:{}", b.as_str()),
        #[allow(unreachable_patterns)]
        other => other.to_string(),
    }
}

/// A readable page: title, text, then every triple by subject, links rewritten to the server.
pub fn html(iri: &NamedNode, triples: &[Triple]) -> String {
    let own: Vec<&Triple> = triples
        .iter()
        .filter(|t| matches!(&t.subject, NamedOrBlankNode::NamedNode(n) if n == iri))
        .collect();
    let literal = |local: &str| -> Option<String> {
        let mut candidates: Vec<(bool, String)> = own
            .iter()
            .filter(|t| t.predicate.as_str() == local)
            .filter_map(|t| match &t.object {
                Term::Literal(l) => Some((l.language() != Some("it"), l.value().to_string())),
                _ => None,
            })
            .collect();
        candidates.sort();
        candidates.into_iter().next().map(|(_, v)| v)
    };
    let eli = crate::rdf::ELI;
    let paesi = crate::rdf::PAESI;
    // a partition by its id and number ("art5-com2 · 2."), then its heading when it has one
    let partition = [
        literal(&format!("{paesi}partitionId")),
        literal(&format!("{eli}number")),
        literal(&format!("{eli}title")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let title = literal(&format!("{paesi}partitionId"))
        .map(|_| partition)
        .or_else(|| literal(&format!("{eli}title")))
        .or_else(|| literal("http://purl.org/dc/terms/title"))
        .or_else(|| literal(&format!("{eli}number")))
        .unwrap_or_else(|| iri.as_str().to_string());
    let text = literal(&format!("{}text", crate::rdf::PAESI));
    let mut by_subject: BTreeMap<(bool, String), Vec<&Triple>> = BTreeMap::new();
    for t in triples {
        let key = subject_key(&t.subject);
        by_subject
            .entry((key != iri.as_str(), key))
            .or_default()
            .push(t);
    }
    let mut page = format!(
        "<!DOCTYPE html>\n<html lang=\"it\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif;max-width:60em;margin:auto;padding:1em}}\
         td{{vertical-align:top;padding:.2em .6em}}th{{text-align:left}}</style></head><body>\n\
         <h1>{t}</h1>\n<p><code>{i}</code> · <a href=\"?format=turtle\">Turtle</a> · \
         <a href=\"?format=jsonld\">JSON-LD</a></p>\n",
        t = escape(&title),
        i = escape(iri.as_str()),
    );
    if let Some(text) = text {
        page.push_str(&format!("<blockquote>{}</blockquote>\n", escape(&text)));
    }
    for ((_, key), ts) in &by_subject {
        let anchor = key
            .strip_prefix("_:")
            .map(|b| format!(" id=\"b-{}\"", escape(b)));
        page.push_str(&format!(
            "<h2{}>{}</h2>\n<table>\n",
            anchor.unwrap_or_default(),
            escape(&compact(key))
        ));
        for t in ts {
            page.push_str(&format!(
                "<tr><th>{}</th><td>{}</td></tr>\n",
                escape(&compact(t.predicate.as_str())),
                cell(&t.object)
            ));
        }
        page.push_str("</table>\n");
    }
    page.push_str("</body></html>\n");
    page
}
