//! `paesi serve` driven over real HTTP: the SPARQL 1.1 Protocol (every result format, content
//! negotiation, errors, limits, updates and their token), CORS, the service description,
//! /health, Linked Data, named queries, ingest while serving, and a standard client
//! (SPARQLWrapper).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{Server, fresh_dir, paesi};
use reqwest::blocking::Client;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};

const TU: &str = "https://w3id.org/paesi/act/stato/decreto.legislativo/1998/286";
const L91: &str = "https://w3id.org/paesi/act/stato/legge/1992/91";
const PROCEDURE: &str = "https://w3id.org/paesi/procedure/permesso-soggiorno-lavoro-subordinato";

fn project(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// `pairs` as `application/x-www-form-urlencoded`.
fn encode(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// A URL with a query string.
fn with(url: &str, pairs: &[(&str, &str)]) -> String {
    format!("{url}?{}", encode(pairs))
}

fn client() -> Client {
    Client::builder().build().expect("HTTP client")
}

/// A KB of the whole shared corpus, the project corpus and ontology, and the procedures
/// fixture, built once for this binary.
fn corpus_kb() -> Option<&'static PathBuf> {
    static KB: OnceLock<Option<PathBuf>> = OnceLock::new();
    KB.get_or_init(|| {
        let shared = common::shared_dir()?;
        let data = fresh_dir("server-corpus");
        let corpus = shared.join("corpus");
        let out = paesi()
            .arg("--data")
            .arg(&data)
            .args(["ingest", "--json"])
            .arg(corpus.join("akn"))
            .arg(corpus.join("nir"))
            .arg(corpus.join("bulk"))
            .arg(project("corpus"))
            .arg(project("ontology/paesi.ttl"))
            .arg(project("tests/fixtures/procedures.ttl"))
            .output()
            .expect("run paesi ingest");
        // some corpus files are refused on purpose (German profile, bad input): exit code 1
        assert!(out.status.code().is_some_and(|c| c <= 1), "ingest failed");
        Some(data)
    })
    .as_ref()
}

/// A small KB: the project's own corpus (Legge 91/1992, an extract) and ontology.
fn small_kb(name: &str) -> PathBuf {
    let data = fresh_dir(name);
    let out = paesi()
        .arg("--data")
        .arg(&data)
        .args(["ingest", "--json"])
        .arg(project("corpus"))
        .arg(project("ontology"))
        .output()
        .expect("run paesi ingest");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    data
}

/// Runs a SELECT through the CLI (before the server holds the store) for expected values.
fn cli_count(data: &Path, sparql: &str) -> u64 {
    let rows = common::select(data, sparql);
    rows[0]["n"].parse().expect("a count")
}

fn json(response: reqwest::blocking::Response) -> serde_json::Value {
    let status = response.status();
    let text = response.text().expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}: not JSON ({e}): {text}"))
}

fn count_of(results: &serde_json::Value) -> u64 {
    results["results"]["bindings"][0]["n"]["value"]
        .as_str()
        .expect("n")
        .parse()
        .expect("number")
}

const COUNT_ARTICLES: &str = "PREFIX paesi: <https://w3id.org/paesi/ontology#>
    SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a paesi:Article }";

#[test]
fn sparql_protocol_formats_negotiation_errors_and_limits() {
    let Some(data) = corpus_kb() else { return };
    let articles = cli_count(data, COUNT_ARTICLES);
    let stats = common::run_json(data, &["stats", "--json"]);
    let xml_articles: usize = {
        let shared = common::shared_dir().expect("shared");
        // the TU's articles, counted on its XML without the parser
        common::count_xml(
            &std::fs::read(shared.join("corpus/nir/xmleges-samples/286-paesi.xml")).expect("TU"),
        )
        .articles
    };
    // every CLI read before the server holds the store (a read-only opening meanwhile can find
    // the write-ahead log rotated under it)
    let title = common::select(
        data,
        &format!("SELECT ?t WHERE {{ <{TU}> <http://data.europa.eu/eli/ontology#title> ?t }}"),
    );
    let top_parts = cli_count(
        data,
        &format!(
            "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ <{TU}> <http://data.europa.eu/eli/ontology#has_part> ?p }}"
        ),
    );
    // the TU's top-level containers and articles, which its page's contents list
    let top_listed: Vec<String> = common::select(
        data,
        &format!(
            "PREFIX paesi: <https://w3id.org/paesi/ontology#>
             SELECT DISTINCT ?p WHERE {{ <{TU}> <http://data.europa.eu/eli/ontology#has_part> ?p .
               ?p a ?c FILTER(?c IN (paesi:Book, paesi:Part, paesi:Title, paesi:Chapter,
                 paesi:Section, paesi:Subsection, paesi:Container, paesi:Attachment, paesi:Article)) }}"
        ),
    )
    .into_iter()
    .map(|r| r["p"].clone())
    .collect();
    let own = cli_count(
        data,
        &format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?p ?o WHERE {{ <{TU}> ?p ?o }} }}"
        ),
    );
    let server = Server::start(data, &[]);
    let http = client();
    let sparql = server.at("/sparql");

    // GET, POST form, POST direct: the same count
    let r = http
        .get(with(&sparql, &[("query", COUNT_ARTICLES)]))
        .send()
        .expect("GET");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_TYPE], "application/sparql-results+json");
    assert_eq!(count_of(&json(r)), articles);
    let r = http
        .post(&sparql)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(encode(&[("query", COUNT_ARTICLES)]))
        .send()
        .expect("POST form");
    assert_eq!(count_of(&json(r)), articles);
    let r = http
        .post(&sparql)
        .header(CONTENT_TYPE, "application/sparql-query")
        .body(COUNT_ARTICLES)
        .send()
        .expect("POST direct");
    assert_eq!(count_of(&json(r)), articles);

    // every results format, by Accept and by format=
    let tu_articles = format!(
        "PREFIX paesi: <https://w3id.org/paesi/ontology#>
         SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a a paesi:Article ; paesi:act <{TU}> }}"
    );
    let n = xml_articles.to_string();
    for (accept, content_type, expected) in [
        (
            "application/sparql-results+xml",
            "application/sparql-results+xml",
            format!("<literal datatype=\"http://www.w3.org/2001/XMLSchema#integer\">{n}</literal>"),
        ),
        (
            "text/csv",
            "text/csv; charset=utf-8",
            format!("n\r\n{n}\r\n"),
        ),
        (
            "text/tab-separated-values",
            "text/tab-separated-values; charset=utf-8",
            format!("?n\n{n}\n"),
        ),
        (
            "application/sparql-results+json",
            "application/sparql-results+json",
            format!("\"value\":\"{n}\""),
        ),
    ] {
        let r = http
            .get(with(&sparql, &[("query", tu_articles.as_str())]))
            .header(ACCEPT, accept)
            .send()
            .expect("GET");
        assert_eq!(r.status(), 200, "{accept}");
        let got_type = r.headers()[CONTENT_TYPE]
            .to_str()
            .expect("type")
            .to_string();
        assert_eq!(
            got_type.split(';').next(),
            content_type.split(';').next(),
            "{accept}"
        );
        let body = r.text().expect("body");
        assert!(body.contains(&expected), "{accept}: {body}");
    }
    // format= overrides Accept
    let r = http
        .get(with(
            &sparql,
            &[("query", tu_articles.as_str()), ("format", "csv")],
        ))
        .header(ACCEPT, "application/sparql-results+json")
        .send()
        .expect("GET");
    assert_eq!(r.text().expect("body"), format!("n\r\n{n}\r\n"));
    // q-values: the highest wins, wildcards count
    let r = http
        .get(with(&sparql, &[("query", tu_articles.as_str())]))
        .header(
            ACCEPT,
            "application/sparql-results+json;q=0.2, text/tab-separated-values;q=0.9, text/csv;q=0.5",
        )
        .send()
        .expect("GET");
    assert_eq!(r.text().expect("body"), format!("?n\n{n}\n"));
    let r = http
        .get(with(&sparql, &[("query", tu_articles.as_str())]))
        .header(ACCEPT, "text/*;q=0.8, application/json;q=0.1")
        .send()
        .expect("GET");
    assert_eq!(r.text().expect("body"), format!("n\r\n{n}\r\n"));

    // ASK in JSON and XML
    let ask = format!("ASK {{ <{TU}> a <http://data.europa.eu/eli/ontology#LegalResource> }}");
    let r = http
        .get(with(&sparql, &[("query", ask.as_str())]))
        .send()
        .expect("ASK");
    assert_eq!(json(r)["boolean"], true);
    let r = http
        .get(with(&sparql, &[("query", ask.as_str())]))
        .header(ACCEPT, "application/sparql-results+xml")
        .send()
        .expect("ASK");
    assert!(r.text().expect("body").contains("<boolean>true</boolean>"));

    // CONSTRUCT in four syntaxes: the TU's articles as (article, is_part_of TU?) triples
    let construct = format!(
        "PREFIX paesi: <https://w3id.org/paesi/ontology#>
         CONSTRUCT {{ ?a a paesi:Article }} WHERE {{ ?a a paesi:Article ; paesi:act <{TU}> }}"
    );
    let article_class = "<https://w3id.org/paesi/ontology#Article>";
    for (accept, content_type) in [
        ("application/n-triples", "application/n-triples"),
        ("text/turtle", "text/turtle"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
    ] {
        let r = http
            .get(with(&sparql, &[("query", construct.as_str())]))
            .header(ACCEPT, accept)
            .send()
            .expect("CONSTRUCT");
        assert_eq!(r.status(), 200, "{accept}");
        assert_eq!(r.headers()[CONTENT_TYPE], content_type);
        let body = r.text().expect("body");
        // parsed back with oxigraph's parser for the syntax
        let format = oxigraph::io::RdfFormat::from_media_type(content_type).expect("format");
        let triples = oxigraph::io::RdfParser::from_format(format)
            .for_slice(body.as_bytes())
            .map(|q| q.expect("valid RDF"))
            .filter(|q| {
                q.predicate.as_str() == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
                    && q.object.to_string() == article_class
            })
            .count();
        assert_eq!(triples, xml_articles, "{accept}: {body:.300}");
    }

    // unsupported Accept: 406; malformed query: 400 with the parser's message
    let r = http
        .get(with(&sparql, &[("query", tu_articles.as_str())]))
        .header(ACCEPT, "image/png")
        .send()
        .expect("GET");
    assert_eq!(r.status(), 406);
    assert_eq!(json(r)["error"], "not_acceptable");
    let r = http
        .get(with(&sparql, &[("query", "SELECT ?x WHERE { ?x ?p }")]))
        .send()
        .expect("GET");
    assert_eq!(r.status(), 400);
    let body = json(r);
    assert_eq!(body["error"], "bad_request");
    let message = body["message"].as_str().expect("message");
    assert!(
        message.starts_with("query does not parse: error at 1:"),
        "{message}"
    );
    let r = http
        .post(&sparql)
        .header(CONTENT_TYPE, "text/plain")
        .body("SELECT * {}")
        .send()
        .expect("POST");
    assert_eq!(r.status(), 415);

    // the result limit (100000 by default) against every triple of the store
    let r = http
        .get(with(&sparql, &[("query", "SELECT * WHERE { ?s ?p ?o }")]))
        .send()
        .expect("GET");
    assert_eq!(r.status(), 413);
    let body = json(r);
    assert_eq!(body["error"], "result_limit");
    assert_eq!(body["limit"], 100_000);
    assert_eq!(
        body["message"],
        "result limit: the query gives more than 100000 results (--max-results)"
    );

    // ?at binds like --at
    let at_query = "SELECT ?at WHERE {}";
    let r = http
        .get(with(&sparql, &[("query", at_query), ("at", "2003-01-01")]))
        .send()
        .expect("GET");
    assert_eq!(
        json(r)["results"]["bindings"][0]["at"]["value"],
        "2003-01-01"
    );
    let r = http
        .get(with(&sparql, &[("query", at_query), ("at", "2003-13-01")]))
        .send()
        .expect("GET");
    assert_eq!(r.status(), 400);

    // updates are refused on a server without a token
    let r = http
        .post(&sparql)
        .header(CONTENT_TYPE, "application/sparql-update")
        .header(AUTHORIZATION, "Bearer anything")
        .body("INSERT DATA { <http://e.org/a> <http://e.org/b> <http://e.org/c> }")
        .send()
        .expect("POST update");
    assert_eq!(r.status(), 403);
    assert_eq!(json(r)["error"], "forbidden");

    // CORS: a preflight and a simple request from another origin
    let r = http
        .request(reqwest::Method::OPTIONS, &sparql)
        .header("Origin", "https://example.org")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .expect("preflight");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let methods = r.headers()["access-control-allow-methods"]
        .to_str()
        .expect("methods")
        .to_string();
    assert_eq!(methods, "GET,POST,OPTIONS");
    let r = http
        .get(with(&sparql, &[("query", ask.as_str())]))
        .header("Origin", "https://example.org")
        .send()
        .expect("GET");
    assert_eq!(r.headers()["access-control-allow-origin"], "*");

    // the service description
    let r = http.get(&sparql).send().expect("GET");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_TYPE], "text/turtle");
    let body = r.text().expect("body");
    assert!(body.contains("a sd:Service"), "{body}");
    assert!(
        body.contains(&format!("sd:endpoint <{}>", server.at("/sparql"))),
        "{body}"
    );
    assert_eq!(body.matches("sd:resultFormat").count(), 1, "{body}");
    assert_eq!(
        body.matches("<http://www.w3.org/ns/formats/").count(),
        8,
        "{body}"
    );
    assert!(!body.contains("SPARQL11Update"), "{body}");

    // /health: the figures of `paesi stats`
    let health = json(http.get(server.at("/health")).send().expect("health"));
    assert_eq!(health["status"], "ok");
    assert_eq!(health["store"], stats);
    assert_eq!(health["updates"], false);

    // Linked Data: the TU in HTML, Turtle and JSON-LD; an unknown IRI is 404
    let tu_path = TU.strip_prefix("https://w3id.org/paesi").expect("path");
    let r = http
        .get(server.at(tu_path))
        .header(
            ACCEPT,
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        )
        .send()
        .expect("HTML");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    let html = r.text().expect("body");
    assert_eq!(title.len(), 1);
    // the portal's act page: its citation as the heading, its title (escaped as maud escapes
    // text), its top-level containers and articles linked on the server
    let escaped = title[0]["t"]
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    assert!(
        html.contains("<h1>D.Lgs. 25 luglio 1998, n. 286</h1>"),
        "{html:.600}"
    );
    assert!(
        html.contains(&format!("<p class=\"title\">{escaped}</p>")),
        "{html:.600}"
    );
    assert!(!top_listed.is_empty());
    for part in &top_listed {
        let path = part.strip_prefix("https://w3id.org/paesi").expect("path");
        assert_eq!(
            html.matches(&format!("<a href=\"{path}?lang=it\">"))
                .count(),
            1,
            "{path}"
        );
    }
    let r = http
        .get(server.at(tu_path))
        .header(ACCEPT, "text/turtle")
        .send()
        .expect("Turtle");
    assert_eq!(r.headers()[CONTENT_TYPE], "text/turtle");
    let turtle = r.text().expect("body");
    let mut graph = oxigraph::model::Graph::new();
    for t in oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
        .for_slice(turtle.as_bytes())
    {
        let q = t.expect("valid Turtle");
        graph.insert(oxigraph::model::TripleRef::new(
            q.subject.as_ref(),
            q.predicate.as_ref(),
            q.object.as_ref(),
        ));
    }
    let tu_node = oxigraph::model::NamedNode::new(TU).expect("IRI");
    assert_eq!(graph.triples_for_subject(&tu_node).count() as u64, own);
    let r = http
        .get(server.at(tu_path))
        .header(ACCEPT, "application/ld+json")
        .send()
        .expect("JSON-LD");
    assert_eq!(r.headers()[CONTENT_TYPE], "application/ld+json");
    let doc: serde_json::Value = serde_json::from_str(&r.text().expect("body")).expect("JSON");
    let nodes = doc
        .as_array()
        .or_else(|| doc["@graph"].as_array())
        .expect("nodes");
    let tu_json = nodes.iter().find(|n| n["@id"] == TU).expect("the TU node");
    assert_eq!(
        tu_json["http://data.europa.eu/eli/ontology#has_part"]
            .as_array()
            .expect("parts")
            .len() as u64,
        top_parts
    );
    let r = http
        .get(server.at("/act/stato/legge/1900/1"))
        .send()
        .expect("404");
    assert_eq!(r.status(), 404);
    assert_eq!(json(r)["error"], "not_found");
    let r = http
        .get(server.at(tu_path))
        .header(ACCEPT, "image/png")
        .send()
        .expect("406");
    assert_eq!(r.status(), 406);

    // a procedure: its legal bases (blank nodes) come with it
    let proc_path = PROCEDURE
        .strip_prefix("https://w3id.org/paesi")
        .expect("path");
    let r = http
        .get(server.at(proc_path))
        .header(ACCEPT, "application/n-triples")
        .send()
        .expect("procedure");
    assert_eq!(r.status(), 200);
    let nt = r.text().expect("body");
    assert_eq!(
        nt.lines()
            .filter(|l| l.contains("<https://w3id.org/paesi/ontology#norm>"))
            .count(),
        2,
        "{nt}"
    );
    // 2 types, 2 titles, 2 legal bases, 2 legal resources; 3 triples per basis
    assert_eq!(nt.lines().count(), 8 + 2 * 3, "{nt}");

    // named queries over HTTP: the list and one run with a parameter
    let list = json(http.get(server.at("/queries")).send().expect("list"));
    let files = std::fs::read_dir(project("queries"))
        .expect("queries")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "rq"))
        })
        .count();
    assert_eq!(list.as_array().expect("array").len(), files);
    let structure = list
        .as_array()
        .expect("array")
        .iter()
        .find(|q| q["name"] == "act-structure")
        .expect("act-structure");
    assert_eq!(structure["params"][0]["name"], "act");
    assert_eq!(structure["params"][0]["type"], "norm");
    let r = http
        .get(with(
            &server.at("/queries/act-structure"),
            &[
                ("act", "urn:nir:stato:decreto.legislativo:1998-07-25;286"),
                ("format", "csv"),
            ],
        ))
        .send()
        .expect("named");
    assert_eq!(r.status(), 200);
    let csv = r.text().expect("body");
    assert_eq!(csv.lines().count(), xml_articles + 1);
    let r = http
        .get(with(
            &server.at("/queries/act-structure"),
            &[("act", "not an identifier")],
        ))
        .send()
        .expect("named");
    assert_eq!(r.status(), 400);
    let r = http.get(server.at("/queries/nope")).send().expect("named");
    assert_eq!(r.status(), 404);

    drop(http);
    let (status, stderr) = server.stop();
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("paesi: server stopped"), "{stderr}");
}

#[test]
fn a_query_over_the_timeout_is_cancelled_with_503() {
    let data = small_kb("server-timeout");
    let triples = cli_count(&data, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }");
    assert!(triples > 100);
    let server = Server::start(&data, &["--timeout-ms", "1"]);
    // at least 100^4 = 10^8 solutions to count: far beyond 1 ms
    let r = client()
        .get(with(
            &server.at("/sparql"),
            &[(
                "query",
                "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
            )],
        ))
        .send()
        .expect("GET");
    assert_eq!(r.status(), 503);
    let body = json(r);
    assert_eq!(body["error"], "timeout");
    assert_eq!(body["limit"], 1);
    assert_eq!(
        body["message"],
        "query timeout: the query ran longer than 1 ms (--timeout-ms)"
    );
}

#[test]
fn updates_need_the_right_token() {
    let data = small_kb("server-update");
    let server = Server::start(&data, &["--update-token", "s3cret", "--max-results", "5"]);
    let http = client();
    let sparql = server.at("/sparql");
    let insert =
        "INSERT DATA { GRAPH <http://e.org/g> { <http://e.org/a> <http://e.org/b> 1, 2, 3 } }";
    let r = http
        .post(&sparql)
        .header(CONTENT_TYPE, "application/sparql-update")
        .body(insert)
        .send()
        .expect("POST");
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let r = http
        .post(&sparql)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(encode(&[("update", insert)]))
        .header(AUTHORIZATION, "Bearer wrong")
        .send()
        .expect("POST");
    assert_eq!(r.status(), 401);
    assert_eq!(json(r)["message"], "wrong token");
    let r = http
        .post(&sparql)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(encode(&[("update", insert)]))
        .header(AUTHORIZATION, "Bearer s3cret")
        .send()
        .expect("POST");
    assert_eq!(r.status(), 204);
    let r = http
        .post(&sparql)
        .header(CONTENT_TYPE, "application/sparql-update")
        .header(AUTHORIZATION, "Bearer s3cret")
        .body("INSERT DATA { GRAPH <http://e.org/g> { <http://e.org/a> <http://e.org/b> 4 } }")
        .send()
        .expect("POST");
    assert_eq!(r.status(), 204);
    let r = http
        .get(with(
            &sparql,
            &[(
                "query",
                "SELECT (SUM(?o) AS ?n) WHERE { <http://e.org/a> <http://e.org/b> ?o }",
            )],
        ))
        .send()
        .expect("GET");
    assert_eq!(count_of(&json(r)), 10);
    let r = http
        .post(&sparql)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(encode(&[("update", "INSERT DATA { <a> <b> }")]))
        .header(AUTHORIZATION, "Bearer s3cret")
        .send()
        .expect("POST");
    assert_eq!(r.status(), 400);
    // the service description says updates are on; a limit of 5 results
    let body = http.get(&sparql).send().expect("GET").text().expect("body");
    assert!(body.contains("sd:SPARQL11Update"), "{body}");
    let r = http
        .get(with(
            &sparql,
            &[(
                "query",
                "SELECT ?o WHERE { <http://e.org/a> <http://e.org/b> ?o }",
            )],
        ))
        .send()
        .expect("GET");
    assert_eq!(r.status(), 200);
    let r = http
        .get(with(
            &sparql,
            &[("query", "SELECT * WHERE { ?s ?p ?o } LIMIT 6")],
        ))
        .send()
        .expect("GET");
    assert_eq!(r.status(), 413);
    assert_eq!(json(r)["limit"], 5);
}

/// The acts a named query lists: the `act` of each row of `GET /queries/acts`.
fn listed_acts(http: &Client, server: &Server) -> std::collections::BTreeSet<String> {
    let r = http
        .get(server.at("/queries/acts?format=json"))
        .send()
        .expect("GET /queries/acts");
    assert_eq!(r.status(), 200);
    json(r)["results"]["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .map(|b| b["act"]["value"].as_str().expect("act").to_string())
        .collect()
}

/// Named-query answers are kept between writes (`src/server/cache.rs`): each write, by SPARQL
/// Update or `POST /ingest`, shows in the next answer, asked twice each time. Each write that
/// succeeds has evaluated again the one answer asked before it (`/health` shows it kept as the
/// write answers); a refused update leaves none.
#[test]
fn a_named_query_answers_what_the_last_write_left() {
    let data = small_kb("server-named-writes");
    let acts = "PREFIX eli: <http://data.europa.eu/eli/ontology#>
        PREFIX paesi: <https://w3id.org/paesi/ontology#>
        SELECT (COUNT(DISTINCT ?act) AS ?n) WHERE { ?act a eli:LegalResource ; paesi:sourceFormat ?f }";
    let expected = cli_count(&data, acts) as usize;
    let server = Server::start(&data, &["--update-token", "tok"]);
    let http = client();
    let before = listed_acts(&http, &server);
    assert_eq!(before.len(), expected);
    assert_eq!(listed_acts(&http, &server), before);
    let kept = || {
        let r = http.get(server.at("/health")).send().expect("GET /health");
        json(r)["named_answers_kept"]
            .as_u64()
            .expect("named_answers_kept")
    };
    assert_eq!(kept(), 1);
    let send_update = |text: &str| {
        http.post(server.at("/sparql"))
            .header(CONTENT_TYPE, "application/sparql-update")
            .header(AUTHORIZATION, "Bearer tok")
            .body(text.to_string())
            .send()
            .expect("POST /sparql")
            .status()
    };
    let update = |text: &str| {
        assert_eq!(send_update(text), 204);
        assert_eq!(kept(), 1, "the write refreshed the answer asked before it");
    };
    let act = "http://example.org/act/new";
    let triples = format!(
        "GRAPH <{act}> {{ <{act}> a <http://data.europa.eu/eli/ontology#LegalResource> ; \
         <https://w3id.org/paesi/ontology#sourceFormat> \"akn\" }}"
    );
    update(&format!("INSERT DATA {{ {triples} }}"));
    for _ in 0..2 {
        let after = listed_acts(&http, &server);
        assert_eq!(after.len(), expected + 1);
        assert!(after.contains(act) && after.is_superset(&before));
    }
    update(&format!("DELETE DATA {{ {triples} }}"));
    for _ in 0..2 {
        assert_eq!(listed_acts(&http, &server), before);
    }
    assert_eq!(send_update("INSERT DATA { this is not SPARQL }"), 400);
    assert_eq!(kept(), 0, "a refused update evaluates nothing again");
    assert_eq!(listed_acts(&http, &server), before);
    assert_eq!(kept(), 1);
    // a document by POST /ingest: one act more
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let file = shared.join("corpus/akn/normattiva/legge_56_2007.xml");
    let r = http
        .post(with(
            &server.at("/ingest"),
            &[("name", "legge_56_2007.xml")],
        ))
        .header(AUTHORIZATION, "Bearer tok")
        .header(CONTENT_TYPE, "application/xml")
        .body(std::fs::read(&file).expect("read"))
        .send()
        .expect("POST /ingest");
    assert_eq!(r.status(), 200);
    assert_eq!(kept(), 1, "the ingest refreshed the answer asked before it");
    for _ in 0..2 {
        let after = listed_acts(&http, &server);
        assert_eq!(after.len(), expected + 1);
        assert!(after.is_superset(&before));
    }
}

#[test]
fn ingest_while_serving_shows_each_document_whole() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let data = fresh_dir("server-ingest");
    let server = Server::start(&data, &["--update-token", "tok"]);
    let tu_file = shared.join("corpus/nir/xmleges-samples/286-paesi.xml");
    let tu_articles = common::count_xml(&std::fs::read(&tu_file).expect("TU")).articles as u64;
    let count = format!(
        "PREFIX paesi: <https://w3id.org/paesi/ontology#>
         SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a a paesi:Article ; paesi:act <{TU}> }}"
    );
    let done = std::sync::atomic::AtomicBool::new(false);
    let corpus = shared.join("corpus");
    // every AKN and NIR document, one request each (the server reads no path a client names;
    // the large bulk codes stay out: one commit per request made this test take minutes)
    let files: Vec<PathBuf> = [corpus.join("akn"), corpus.join("nir"), project("corpus")]
        .iter()
        .flat_map(|d| common::xml_files(d))
        .collect();
    let (observed, report, status) = std::thread::scope(|scope| {
        let readers: Vec<_> = (0..3)
            .map(|_| {
                scope.spawn(|| {
                    let http = client();
                    let mut seen = Vec::new();
                    // at least one query after the ingest ended
                    let mut last = false;
                    while !last {
                        last = done.load(std::sync::atomic::Ordering::SeqCst);
                        let r = http
                            .get(with(&server.at("/sparql"), &[("query", count.as_str())]))
                            .send()
                            .expect("query while ingesting");
                        assert_eq!(r.status(), 200);
                        seen.push(count_of(&json(r)));
                    }
                    seen
                })
            })
            .collect();
        let http = client();
        let (mut documents, mut failed, mut refused) = (0, 0, 0);
        for file in &files {
            let r = http
                .post(with(
                    &server.at("/ingest"),
                    &[("name", &file.display().to_string())],
                ))
                .header(AUTHORIZATION, "Bearer tok")
                .header(CONTENT_TYPE, "application/xml")
                .body(std::fs::read(file).expect("read"))
                .timeout(std::time::Duration::from_secs(3600))
                .send()
                .expect("POST /ingest");
            let status = r.status();
            let report = json(r);
            assert_eq!(
                report["failed"].as_u64(),
                Some(report["failures"].as_array().expect("failures").len() as u64)
            );
            assert_eq!(status == 422, report["failed"].as_u64() > Some(0));
            documents += report["documents"].as_u64().expect("documents");
            failed += report["failed"].as_u64().expect("failed");
            refused += u64::from(status == 422);
        }
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        let observed: Vec<u64> = readers
            .into_iter()
            .flat_map(|h| h.join().expect("reader"))
            .collect();
        (observed, (documents, failed), refused)
    });
    // some corpus files are refused on purpose: 422 with the report
    let ((documents, failed), refused) = (report, status);
    assert!(refused > 0, "the refused profiles answer 422");
    assert_eq!(refused, failed, "one failure per refused request");
    assert_eq!(documents + failed, files.len() as u64);
    eprintln!("{} queries answered while ingesting", observed.len());
    for n in &observed {
        assert!(
            *n == 0 || *n == tu_articles,
            "a query saw {n} articles of the TU (0 or {tu_articles})"
        );
    }
    assert_eq!(observed.last(), Some(&tu_articles));
    // without the token, nothing is ingested
    let r = client()
        .post(server.at("/ingest"))
        .header(CONTENT_TYPE, "application/xml")
        .body(std::fs::read(&tu_file).expect("TU"))
        .send()
        .expect("POST /ingest");
    assert_eq!(r.status(), 401);
    // a document in the body
    let r = client()
        .post(server.at("/ingest?name=l91.xml"))
        .header(AUTHORIZATION, "Bearer tok")
        .header(CONTENT_TYPE, "application/xml")
        .body(
            std::fs::read(project(
                "corpus/nir/legge_1992-02-05_n91_cittadinanza_estratto.xml",
            ))
            .expect("L91"),
        )
        .send()
        .expect("POST /ingest");
    assert_eq!(r.status(), 200);
    let report = json(r);
    assert_eq!(report["documents"], 1);
    assert_eq!(report["replaced"], 1);
    assert_eq!(report["files"][0]["path"], "l91.xml");
    assert_eq!(report["files"][0]["act"], L91);
}

#[test]
fn a_standard_client_sparqlwrapper() {
    let have = Command::new("python3")
        .args(["-c", "import SPARQLWrapper"])
        .status()
        .is_ok_and(|s| s.success());
    if !have {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("CI=true but python3 with SPARQLWrapper is missing (pip install SPARQLWrapper)");
        }
        eprintln!("SPARQLWrapper not installed: skipping (pip install SPARQLWrapper)");
        return;
    }
    let data = small_kb("server-sparqlwrapper");
    let query = format!(
        "PREFIX paesi: <https://w3id.org/paesi/ontology#>
         SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{
           ?p paesi:act <{L91}> ; a ?kind FILTER(?kind IN (paesi:Article, paesi:Paragraph)) }}"
    );
    // articles and commi of the extract, counted on its XML
    let xml = common::count_xml(
        &std::fs::read(project(
            "corpus/nir/legge_1992-02-05_n91_cittadinanza_estratto.xml",
        ))
        .expect("L91"),
    );
    let expected = (xml.articles + xml.paragraphs) as u64;
    let server = Server::start(&data, &[]);
    let script = r#"
import json, sys
from SPARQLWrapper import SPARQLWrapper, JSON, POST, CSV
endpoint, query, ask = sys.argv[1], sys.argv[2], sys.argv[3]
out = {}
s = SPARQLWrapper(endpoint)
s.setQuery(query)
s.setReturnFormat(JSON)
out["get"] = int(s.query().convert()["results"]["bindings"][0]["n"]["value"])
s.setMethod(POST)
out["post"] = int(s.query().convert()["results"]["bindings"][0]["n"]["value"])
s.setReturnFormat(CSV)
out["csv"] = s.query().convert().decode().split()[1]
s.setQuery(ask)
s.setReturnFormat(JSON)
out["ask"] = s.query().convert()["boolean"]
print(json.dumps(out))
"#;
    let ask = format!("ASK {{ <{L91}> a <http://data.europa.eu/eli/ontology#LegalResource> }}");
    let out = Command::new("python3")
        .args(["-c", script, &server.at("/sparql"), &query, &ask])
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(got["get"], expected);
    assert_eq!(got["post"], expected);
    assert_eq!(got["csv"], expected.to_string());
    assert_eq!(got["ask"], true);
}
