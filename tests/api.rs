//! The JSON API of `paesi serve` gives the same answers as the CLI's `--json`, over a KB of
//! the project's corpus and catalogue, the Testo unico and DL 36/2025; and the search SERVICE
//! works inside SPARQL over HTTP.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{Server, fresh_dir, paesi};
use reqwest::blocking::Client;

fn project(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The KB, built once for this binary.
fn kb() -> Option<&'static PathBuf> {
    static KB: OnceLock<Option<PathBuf>> = OnceLock::new();
    KB.get_or_init(|| {
        let shared = common::shared_dir()?;
        let data = fresh_dir("api");
        let out = paesi()
            .arg("--data")
            .arg(&data)
            .arg("ingest")
            .arg(project("corpus"))
            .arg(project("ontology"))
            .arg(shared.join("corpus/nir/xmleges-samples/286-paesi.xml"))
            .arg(shared.join("corpus/akn/normattiva/dl_2025-03-28_n36_cittadinanza_25G00049.xml"))
            .output()
            .expect("run paesi ingest");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(data)
    })
    .as_ref()
}

/// The tests of this binary take turns: a running server holds the store read-write, and a
/// read-only opening by the CLI meanwhile can find the write-ahead log rotated under it.
fn turn() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What the CLI prints as JSON (whatever its exit code: `--check` exits 1 on a disagreement).
fn cli(data: &Path, args: &[&str]) -> serde_json::Value {
    let out = paesi()
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("run paesi");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "paesi {args:?}: {e}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn get(client: &Client, url: &str) -> (u16, serde_json::Value) {
    let r = client.get(url).send().expect("GET");
    let status = r.status().as_u16();
    (status, r.json().expect("a JSON body"))
}

#[test]
fn the_api_answers_as_the_cli_does() {
    let Some(data) = kb() else { return };
    let _turn = turn();
    let at = "2025-06-01";
    // the CLI's answers first: the server takes the store's lock while it runs
    let list = cli(data, &["procedure", "--json"]);
    let filtered = cli(data, &["procedure", "--json", "cittadinanza"]);
    let shown = cli(
        data,
        &["procedure", "--json", "--at", at, "cittadinanza-residenza"],
    );
    let checked = cli(
        data,
        &[
            "procedure",
            "--json",
            "--check",
            "--at",
            at,
            "nulla-osta-lavoro-subordinato",
        ],
    );
    let norm = cli(
        data,
        &[
            "norm",
            "--json",
            "--at",
            at,
            "urn:nir:stato:legge:1992-02-05;91~art9",
        ],
    );
    let searched = cli(
        data,
        &[
            "search",
            "--json",
            "--at",
            "2003-01-01",
            "ricongiungimento familiare",
        ],
    );
    let procedures_found = cli(
        data,
        &[
            "search",
            "--json",
            "--kind",
            "procedure",
            "--at",
            at,
            "cittadinanza",
        ],
    );

    let server = Server::start(data, &[]);
    let client = Client::new();
    let api = |path: &str| get(&client, &server.at(path));
    assert_eq!(api("/api/procedures"), (200, list.clone()));
    assert_eq!(api("/api/procedures?q=cittadinanza"), (200, filtered));
    assert_eq!(
        api(&format!("/api/procedures/cittadinanza-residenza?at={at}")),
        (200, shown)
    );
    assert_eq!(
        api(&format!(
            "/api/procedures/nulla-osta-lavoro-subordinato?at={at}&check=true"
        )),
        (200, checked)
    );
    assert_eq!(
        api(&format!(
            "/api/norms?urn=urn:nir:stato:legge:1992-02-05;91~art9&at={at}"
        )),
        (200, norm)
    );
    assert_eq!(
        api("/api/search?q=ricongiungimento%20familiare&at=2003-01-01"),
        (200, searched.clone())
    );
    assert_eq!(
        api(&format!(
            "/api/search?q=cittadinanza&kind=procedure&at={at}"
        )),
        (200, procedures_found.clone())
    );
    // the answers are not empty ones: the figures the catalogue and the index give
    let procedure_files = std::fs::read_dir(project("ontology/procedures"))
        .expect("catalogue")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| !e.file_name().to_string_lossy().starts_with('_'))
        })
        .count();
    assert_eq!(list.as_array().map(Vec::len), Some(procedure_files));
    let hits: Vec<&str> = procedures_found["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["iri"].as_str())
        .collect();
    // the two citizenship procedures rank first for "cittadinanza"
    let top: std::collections::BTreeSet<&str> = hits.iter().take(2).copied().collect();
    assert_eq!(
        top,
        std::collections::BTreeSet::from([
            "https://w3id.org/paesi/procedure/cittadinanza-matrimonio",
            "https://w3id.org/paesi/procedure/cittadinanza-residenza"
        ])
    );

    // errors: a missing parameter, a bad day, an unknown procedure
    assert_eq!(api("/api/search").0, 400);
    assert_eq!(
        api("/api/procedures/cittadinanza-residenza?at=2025-13-45").0,
        400
    );
    assert_eq!(api("/api/procedures/no-such-procedure").0, 404);
    assert_eq!(api("/api/norms").0, 400);
    drop(server);
}

#[test]
fn the_search_service_answers_inside_sparql_over_http() {
    let Some(data) = kb() else { return };
    let query = "PREFIX paesi: <https://w3id.org/paesi/ontology#>
        SELECT ?hit ?act WHERE {
          SERVICE <https://w3id.org/paesi/search> {
            ?hit paesi:query \"ricongiungimento\" ; paesi:at \"2003-01-01\" ; paesi:limit 50 .
          }
          ?hit paesi:act ?act .
          FILTER(?act = <https://w3id.org/paesi/act/stato/decreto.legislativo/1998/286>)
        } ORDER BY ?hit";
    let _turn = turn();
    // the CLI's answers first: the server takes the store's lock while it runs
    let cli_rows = cli(data, &["query", "--format", "json", query]);
    let search = cli(
        data,
        &[
            "search",
            "--json",
            "--at",
            "2003-01-01",
            "--limit",
            "50",
            "--act",
            "urn:nir:stato:decreto.legislativo:1998-07-25;286",
            "ricongiungimento",
        ],
    );
    let server = Server::start(data, &[]);
    let client = Client::new();
    let r = client
        .post(server.at("/sparql"))
        .header("Content-Type", "application/sparql-query")
        .header("Accept", "application/sparql-results+json")
        .body(query)
        .send()
        .expect("POST /sparql");
    assert_eq!(r.status().as_u16(), 200);
    let http_rows: serde_json::Value = r.json().expect("JSON results");
    assert_eq!(
        http_rows["results"]["bindings"],
        cli_rows["results"]["bindings"]
    );
    // the hits of the Testo unico, as many as the CLI finds in that act
    let hits = http_rows["results"]["bindings"].as_array().expect("rows");
    assert!(
        hits.iter().all(|h| h["act"]["value"]
            == "https://w3id.org/paesi/act/stato/decreto.legislativo/1998/286")
    );
    assert_eq!(
        hits.len() as u64,
        search["total"].as_u64().expect("total").min(50)
    );
}

/// Requests a client controls and that once took the server down (an allocation of `limit`
/// hits aborted the process) or answered 500: each is refused with its status, and the same
/// server then answers a normal search exactly as before.
#[test]
fn no_request_can_take_the_server_down() {
    let Some(data) = kb() else { return };
    let _turn = turn();
    let server = Server::start(data, &[]);
    let client = Client::new();
    let normal = server.at("/api/search?q=permesso&limit=10&at=2025-06-01");
    let (status, before) = get(&client, &normal);
    assert_eq!(status, 200, "{before}");
    let service = |limit: &str| {
        format!(
            "PREFIX paesi: <https://w3id.org/paesi/ontology#>
             SELECT ?hit WHERE {{ SERVICE <https://w3id.org/paesi/search> {{
               ?hit paesi:query \"permesso\" ; paesi:limit {limit} . }} }}"
        )
    };
    let hostile: [(&str, String, u16, &str); 9] = [
        (
            "GET",
            "/api/search?q=permesso&limit=10000000000000".into(),
            400,
            "limit=10000000000000 is too large: at most 1000",
        ),
        (
            "GET",
            "/api/search?q=permesso&offset=10000000000000".into(),
            400,
            "offset=10000000000000 is too large: at most 100000",
        ),
        (
            "GET",
            "/api/search?q=permesso&limit=99999999999999999999999".into(),
            400,
            "limit=\"99999999999999999999999\" is not a number",
        ),
        (
            "POST",
            service("100000000"),
            400,
            "search SERVICE: limit=100000000 is too large: at most 1000",
        ),
        (
            "GET",
            "/api/procedures/http:%2F%2Fexample.org%2Fa%3E%20%7D".into(),
            400,
            "not a valid IRI",
        ),
        (
            "GET",
            "/api/procedures/https:%2F%2Fw3id.org%2Fpaesi%2Fprocedure%2Fa%20b".into(),
            400,
            "not a valid IRI",
        ),
        (
            "GET",
            "/api/norms?urn=https://w3id.org/paesi/act/stato/legge/1992/91%3E%20%7D".into(),
            400,
            "not a valid IRI",
        ),
        (
            "GET",
            "/api/norms?urn=https://w3id.org/paesi/act/stato/legge/1992/91/art%22x".into(),
            400,
            "not a valid IRI",
        ),
        (
            "GET",
            "/api/procedures/no-such-procedure".into(),
            404,
            "procedure \"no-such-procedure\" is not in the knowledge base",
        ),
    ];
    for (method, request, expected, message) in &hostile {
        let r = if *method == "GET" {
            client.get(server.at(request)).send()
        } else {
            client
                .post(server.at("/sparql"))
                .header("Content-Type", "application/sparql-query")
                .header("Accept", "application/sparql-results+json")
                .body(request.clone())
                .send()
        }
        .unwrap_or_else(|e| panic!("{method} {request}: the server did not answer: {e}"));
        let status = r.status().as_u16();
        let body: serde_json::Value = r.json().expect("a JSON error body");
        assert_eq!(status, *expected, "{method} {request}: {body}");
        let kind = if *expected == 400 {
            "bad_request"
        } else {
            "not_found"
        };
        assert_eq!(body["error"], kind, "{method} {request}: {body}");
        let said = body["message"].as_str().expect("message");
        assert!(
            said.contains(message),
            "{method} {request}: {said:?} does not say {message:?}"
        );
    }
    // still up, and the same answer as before
    let (status, after) = get(&client, &normal);
    assert_eq!(status, 200);
    assert_eq!(after, before);
    let (status, _) = server.stop();
    assert!(status.success(), "the server exited with {status}");
}

/// The act of the Testo unico through `paesi act --json` and `/api/acts`: the same view, and
/// the figures the XML gives (its distinct `<articolo>` ids, the acts its `<passiva>` name).
#[test]
fn the_act_view_answers_as_the_xml_says() {
    let Some(data) = kb() else { return };
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let _turn = turn();
    let urn = "urn:nir:stato:decreto.legislativo:1998-07-25;286";
    let shown = cli(data, &["act", "--json", urn]);
    let server = Server::start(data, &[]);
    let client = Client::new();
    assert_eq!(
        get(&client, &server.at(&format!("/api/acts?urn={urn}"))),
        (200, shown.clone())
    );
    assert_eq!(get(&client, &server.at("/api/acts")).0, 400);
    assert_eq!(
        get(
            &client,
            &server.at("/api/acts?urn=urn:nir:stato:legge:1900-01-01;1")
        )
        .0,
        404
    );
    drop(server);

    // the NIR file declares ISO-8859-15: the markup read here is ASCII either way
    let xml = String::from_utf8_lossy(
        &std::fs::read(shared.join("corpus/nir/xmleges-samples/286-paesi.xml"))
            .expect("read the Testo unico"),
    )
    .into_owned();
    let values = |pattern: &str| -> std::collections::BTreeSet<String> {
        xml.split(pattern)
            .skip(1)
            .filter_map(|rest| Some(rest[..rest.find('"')?].to_string()))
            .collect()
    };
    let articles = values("<articolo id=\"");
    assert_eq!(articles.len(), 56);
    assert_eq!(shown["articles"].as_u64(), Some(articles.len() as u64));
    assert_eq!(
        shown["citation"], "D.Lgs. 25 luglio 1998, n. 286",
        "{shown:#}"
    );
    // every act its <passiva> relations name is among the acts that amend it
    let passive: std::collections::BTreeSet<String> = xml
        .split("<passiva ")
        .skip(1)
        .filter_map(|rest| {
            let at = rest.find("xlink:href=\"")? + "xlink:href=\"".len();
            let href = &rest[at..at + rest[at..].find('"')?];
            Some(href.split(['#', '~']).next().unwrap_or(href).to_string())
        })
        .collect();
    // and DL 36/2025, in the KB, amends it by its own textual modifications
    let dl36 = std::fs::read_to_string(
        shared.join("corpus/akn/normattiva/dl_2025-03-28_n36_cittadinanza_25G00049.xml"),
    )
    .expect("read DL 36/2025");
    assert_eq!(
        dl36.matches("<destination href=\"urn:nir:stato:decreto.legislativo:1998-07-25;286")
            .count(),
        1
    );
    let mut passive = passive;
    passive.insert("urn:nir:stato:decreto.legge:2025-03-28;36".into());
    let amended_by: Vec<&str> = shown["amended_by"]
        .as_array()
        .expect("amended_by")
        .iter()
        .filter_map(|l| l["iri"].as_str())
        .collect();
    assert_eq!(
        amended_by.len(),
        passive.len(),
        "{amended_by:#?}\n{passive:#?}"
    );
}
