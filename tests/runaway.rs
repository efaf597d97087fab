//! A runaway query (issue 16): the cross product of the whole store with itself three times,
//! `SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }`, on a server whose timeout is 1 s and
//! whose result limit is far beyond what the query could stream in that time. Two of them run
//! at once (one per core); while they run, named queries and a search answer what the quiet
//! server answered; each runaway gets 503 with the timeout's message; afterwards no
//! evaluation is left running (`/health`'s `queries_running` back to 0: the evaluation saw the
//! cancellation and let its thread go) and the server stops cleanly on SIGTERM.
//!
//! Then aggregates over cross products and a sort of one, one after another: their solutions
//! never reach the serializer (which checks the deadline before each), so only the
//! evaluator's joins and sort can see the cancellation. Each must answer 503 and leave no
//! evaluation running. Upstream spareval 0.2.9 kept the four-fold product's evaluation for
//! hours after its 503 (a product of products joins in memory with no look at the token), and
//! sorted what the sort had gathered before its deadline (42 s after the 503, release build);
//! `vendor/spareval` checks the token in both.

mod common;

use std::path::Path;

use reqwest::blocking::Client;

const CROSS: &str = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }";

/// Aggregates and a sort whose whole cross product is joined (or sorted) inside the
/// evaluator.
const INSIDE_THE_EVALUATOR: [&str; 5] = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
    "SELECT ?c (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } GROUP BY ?c",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . FILTER(?c != ?i) }",
    "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i LIMIT 1",
];

/// A query sent to `/sparql`: its status and JSON body.
fn post_query(url: &str, query: &str) -> (u16, serde_json::Value) {
    let r = Client::new()
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/sparql-query")
        .body(query.to_string())
        .send()
        .expect("POST /sparql");
    let status = r.status().as_u16();
    (status, r.json::<serde_json::Value>().expect("JSON"))
}

/// The answer every runaway must get.
fn assert_timeout(status: u16, body: &serde_json::Value) {
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "timeout");
    assert_eq!(body["limit"], 1000);
    assert_eq!(
        body["message"],
        "query timeout: the query ran longer than 1000 ms (--timeout-ms)"
    );
}

fn get_json(http: &Client, url: &str) -> (u16, serde_json::Value) {
    let r = http.get(url).send().expect("GET");
    let status = r.status().as_u16();
    (status, r.json().expect("JSON"))
}

/// The rows of SPARQL JSON results, sorted.
fn rows(v: &serde_json::Value) -> Vec<String> {
    let mut rows: Vec<String> = v["results"]["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .map(|r| r.to_string())
        .collect();
    rows.sort();
    rows
}

fn queries_running(http: &Client, server: &common::Server) -> u64 {
    let (status, health) = get_json(http, &server.at("/health"));
    assert_eq!(status, 200);
    health["queries_running"].as_u64().expect("queries_running")
}

/// Polls `/health` until `queries_running` is `n` (at most 600 times, 100 ms apart: the
/// condition, not the time, is what the test asserts).
fn wait_running(http: &Client, server: &common::Server, n: u64) -> bool {
    for _ in 0..600 {
        if queries_running(http, server) == n {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    false
}

#[test]
fn cross_products_are_stopped_at_the_timeout_and_the_others_answer() {
    let data = common::fresh_dir("runaway");
    let project = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = common::paesi()
        .arg("--data")
        .arg(&data)
        .arg("ingest")
        .arg(project.join("corpus"))
        .arg(project.join("ontology"))
        .output()
        .expect("ingest");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let quads: u64 = common::select(&data, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]
        .parse()
        .expect("count");
    // N^3 solutions: more than a billion, the result limit below
    assert!(quads > 1000, "{quads} quads");
    let server = common::Server::start(
        &data,
        &["--timeout-ms", "1000", "--max-results", "1000000000"],
    );
    let http = Client::new();
    let others = [
        "/queries/acts?format=json",
        "/queries/acts-by-type?format=json",
        "/queries/most-cited?format=json",
    ];
    let quiet: Vec<Vec<String>> = others
        .iter()
        .map(|p| {
            let (status, v) = get_json(&http, &server.at(p));
            assert_eq!(status, 200, "{p}");
            rows(&v)
        })
        .collect();
    for (p, r) in others.iter().zip(&quiet) {
        assert!(!r.is_empty(), "{p} answers no row");
    }
    let search = server.at("/api/search?q=cittadinanza&limit=1000");
    let (_, quiet_search) = get_json(&http, &search);
    assert!(quiet_search["total"].as_u64().is_some_and(|t| t > 0));

    let url = server.at("/sparql");
    let runaways: Vec<_> = (0..2)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || post_query(&url, CROSS))
        })
        .collect();
    // the others while the runaways run (or right after, if they ended first: both are fine
    // for the answers; the count says which)
    let mut answered_during = 0;
    for _ in 0..3 {
        let during = queries_running(&http, &server) > 0;
        for (p, expected) in others.iter().zip(&quiet) {
            let (status, v) = get_json(&http, &server.at(p));
            assert_eq!(status, 200, "{p}");
            assert_eq!(&rows(&v), expected, "{p}");
        }
        let (status, v) = get_json(&http, &search);
        assert_eq!(status, 200);
        assert_eq!(v, quiet_search);
        answered_during += usize::from(during);
    }
    eprintln!("{answered_during} of 3 rounds of other requests began while a runaway ran");
    for r in runaways {
        let (status, body) = r.join().expect("runaway thread");
        assert_timeout(status, &body);
    }
    assert!(
        wait_running(&http, &server, 0),
        "an evaluation goes on after its 503"
    );
    for query in INSIDE_THE_EVALUATOR {
        let (status, body) = post_query(&url, query);
        assert_timeout(status, &body);
        assert!(
            wait_running(&http, &server, 0),
            "{query}: its evaluation goes on after its 503"
        );
    }
    let (status, stderr) = server.stop();
    assert!(status.success(), "{stderr}");
    let _ = std::fs::remove_dir_all(&data);
}
