//! Scale-out against a real Virtuoso (Debian's `virtuoso-opensource`, started on 127.0.0.1
//! with a throwaway database by `tests/virtuoso/virtuoso.sh`): the shared-corpus KB pushed
//! over the Graph Store Protocol, every named query answered alike by both stores, and the
//! lookups (`procedure`, `norm`, `act --json --endpoint`) printing what they print over the
//! local store; a changed document pushed again writes its graph alone (here through the
//! SPARQL Update fallback); a push interrupted by stopping Virtuoso fails naming the graph, and
//! resumes; `import --push` and `sync --push` write what they changed and nothing else.
//!
//! Without Virtuoso the tests are skipped, except under `CI=true` or `PAESI_VIRTUOSO=required`
//! (which `.ci/run` sets), where they fail.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use common::{fresh_dir, paesi, run_json};

const PAESI: &str = "https://w3id.org/paesi/ontology#";

fn project(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A throwaway Virtuoso, stopped (and its database deleted) when dropped.
struct Virtuoso {
    dir: PathBuf,
    http: u16,
}

/// A port no one listens on now (the kernel's choice for port 0, released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Virtuoso {
    /// Starts one in a fresh directory; None (skip) when Virtuoso is not installed, a failure
    /// under `CI=true` or `PAESI_VIRTUOSO=required`.
    fn start(name: &str) -> Option<Virtuoso> {
        let installed = Command::new("sh")
            .args(["-c", "command -v virtuoso-t"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !installed {
            if std::env::var("CI").as_deref() == Ok("true")
                || std::env::var("PAESI_VIRTUOSO").as_deref() == Ok("required")
            {
                panic!("virtuoso-t is missing (apt-get install virtuoso-opensource)");
            }
            eprintln!("virtuoso-t not found: skipping");
            return None;
        }
        let dir =
            std::env::temp_dir().join(format!("paesi-virtuoso-{name}-{}", std::process::id()));
        let (sql, http) = (free_port(), free_port());
        let v = Virtuoso { dir, http };
        v.script(&["start", &sql.to_string(), &http.to_string()]);
        Some(v)
    }

    fn script(&self, args: &[&str]) {
        let mut a = vec![args[0].to_string(), self.dir.display().to_string()];
        a.extend(args[1..].iter().map(|s| s.to_string()));
        let out = Command::new(project("tests/virtuoso/virtuoso.sh"))
            .args(&a)
            .output()
            .expect("run virtuoso.sh");
        assert!(
            out.status.success(),
            "virtuoso.sh {a:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The SPARQL endpoint (queries and updates, no authentication: the throwaway database
    /// grants SPARQL_UPDATE to the SPARQL user).
    fn sparql(&self) -> String {
        format!("http://127.0.0.1:{}/sparql", self.http)
    }

    /// The Graph Store endpoint without authentication.
    fn graph_store(&self) -> String {
        format!("http://127.0.0.1:{}/sparql-graph-crud", self.http)
    }

    /// The Graph Store endpoint behind HTTP Digest (user dba).
    fn graph_store_auth(&self) -> String {
        format!("http://127.0.0.1:{}/sparql-graph-crud-auth", self.http)
    }

    fn stop(&self) {
        self.script(&["stop"]);
    }

    fn restart(&self) {
        self.script(&["restart"]);
    }
}

impl Drop for Virtuoso {
    fn drop(&mut self) {
        let _ = Command::new(project("tests/virtuoso/virtuoso.sh"))
            .arg("stop")
            .arg(&self.dir)
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The shared-corpus KB (as tests/named_queries.rs builds it, and the procedure catalogue of
/// `ontology/procedures`), made once.
fn corpus_kb() -> Option<&'static PathBuf> {
    static KB: OnceLock<Option<PathBuf>> = OnceLock::new();
    KB.get_or_init(|| {
        let shared = common::shared_dir()?;
        let data = fresh_dir("virtuoso-corpus");
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
            .arg(project("ontology/procedures"))
            .arg(project("tests/fixtures/procedures.ttl"))
            .output()
            .expect("run paesi ingest");
        assert!(out.status.code().is_some_and(|c| c <= 1), "ingest failed");
        Some(data)
    })
    .as_ref()
}

/// A small KB of the project corpus's NIR excerpts and the ontology, in its own directory
/// (`docs/` holds copies of the documents, which a test may edit).
fn small_kb(name: &str) -> PathBuf {
    let data = fresh_dir(name);
    let docs = data.join("docs");
    std::fs::create_dir_all(&docs).expect("mkdir");
    for e in std::fs::read_dir(project("corpus/nir"))
        .expect("corpus/nir")
        .flatten()
    {
        std::fs::copy(e.path(), docs.join(e.file_name())).expect("copy");
    }
    let store = data.join("store");
    let out = paesi()
        .arg("--data")
        .arg(&store)
        .args(["ingest", "--json"])
        .arg(&docs)
        .arg(project("ontology/paesi.ttl"))
        .output()
        .expect("ingest");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    data
}

/// `paesi push` with these arguments: (exit code, JSON report, stderr).
fn push(data: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = paesi()
        .arg("--data")
        .arg(data)
        .args(["push", "--json"])
        .args(args)
        .env("PAESI_HTTP_WAIT_SCALE", "0")
        .output()
        .expect("run paesi push");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "push report: {e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        out.status.code().unwrap_or(-1),
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A row of SPARQL JSON results: variable → the term, as (kind, value, datatype, language).
type Row = BTreeMap<String, (String, String, String, String)>;

/// The rows of a query's JSON answer, sorted (a result set compared as a multiset: neither
/// store promises the order of rows a query leaves unordered, and ties in ORDER BY may fall
/// either way).
///
/// Normalised, because provably the same: a blank node's label (labels are local to each
/// answer); an `xsd:string` literal and a simple literal (one term in RDF 1.1; the JSON
/// results of both stores pass through oxigraph's parser and serializer here, which already
/// write both alike, so this only guards the comparison); and an `xsd:duration` by its value,
/// because Virtuoso 7.2 keeps no duration's lexical form: it stores a year-month duration as
/// its total months (`"P3M"` comes back as `"3"`, `"P1Y"` as `"12"`) and a day-time one as its
/// total seconds in a double (`"P30D"` as `"2.592e+06"`); the value is the same (XSD's
/// duration value space is exactly months and seconds), the RDF term is not; likewise an
/// `xsd:boolean` comes back as `"1"`/`"0"`, lexical forms of true and false. A duration with
/// both months and seconds cannot be stored so, and would show as a difference. Nothing else
/// is normalised: a datatype, a language tag or a lexical form that differs is a difference.
fn result_rows(results: &serde_json::Value) -> Vec<Row> {
    let mut rows: Vec<Row> = results["results"]["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .map(|b| {
            b.as_object()
                .expect("row")
                .iter()
                .map(|(var, t)| {
                    let kind = t["type"].as_str().unwrap_or_default().to_string();
                    let mut value = t["value"].as_str().unwrap_or_default().to_string();
                    let mut datatype = t["datatype"].as_str().unwrap_or_default().to_string();
                    if kind == "bnode" {
                        value = "_:b".into();
                    }
                    if datatype == "http://www.w3.org/2001/XMLSchema#string" {
                        datatype.clear();
                    }
                    if datatype == "http://www.w3.org/2001/XMLSchema#boolean" {
                        match value.as_str() {
                            "1" => value = "true".into(),
                            "0" => value = "false".into(),
                            _ => {}
                        }
                    }
                    if datatype == "http://www.w3.org/2001/XMLSchema#duration"
                        && let Some((months, seconds)) = duration_value(&value)
                    {
                        value = format!("{months} months {seconds:.3} seconds");
                    }
                    let lang = t["xml:lang"].as_str().unwrap_or_default().to_string();
                    (var.clone(), (kind, value, datatype, lang))
                })
                .collect()
        })
        .collect();
    rows.sort();
    rows
}

/// The same rows locally and on Virtuoso, or the first that differs.
fn same_rows(what: &str, local: &[Row], remote: &[Row]) {
    if let Some(i) = (0..local.len().min(remote.len())).find(|&i| local[i] != remote[i]) {
        panic!(
            "{what}: first differing row: local {:?}, Virtuoso {:?}",
            local[i], remote[i]
        );
    }
    assert_eq!(
        local.len(),
        remote.len(),
        "{what}: rows locally and on Virtuoso"
    );
}

/// An `xsd:duration`'s value (months, seconds), from its lexical form (`P1Y2M3DT4H5M6.5S`) or
/// from the number Virtuoso writes instead (an integer: months; a decimal or a double:
/// seconds); None for anything else (kept as written).
fn duration_value(lexical: &str) -> Option<(i64, f64)> {
    if let Some(rest) = lexical.strip_prefix('P') {
        let (date, time) = rest.split_once('T').unwrap_or((rest, ""));
        let mut months = 0i64;
        let mut seconds = 0f64;
        for (part, units) in [(date, "YMD"), (time, "HMS")] {
            let mut number = String::new();
            for c in part.chars() {
                if c.is_ascii_digit() || c == '.' {
                    number.push(c);
                    continue;
                }
                let n: f64 = number.parse().ok()?;
                number.clear();
                match (units, c) {
                    ("YMD", 'Y') => months += 12 * n as i64,
                    ("YMD", 'M') => months += n as i64,
                    ("YMD", 'D') => seconds += n * 86400.0,
                    ("HMS", 'H') => seconds += n * 3600.0,
                    ("HMS", 'M') => seconds += n * 60.0,
                    ("HMS", 'S') => seconds += n,
                    _ => return None,
                }
            }
            if !number.is_empty() {
                return None;
            }
        }
        return Some((months, seconds));
    }
    if let Ok(m) = lexical.parse::<i64>() {
        return Some((m, 0.0));
    }
    lexical.parse::<f64>().ok().map(|s| (0, s))
}

/// `paesi query --format json ARGS…` on the local store, or on `endpoint`.
fn query(data: &Path, endpoint: Option<&str>, args: &[&str]) -> std::process::Output {
    let mut c = paesi();
    c.arg("--data")
        .arg(data)
        .arg("--queries")
        .arg(project("queries"))
        .args(["query", "--format", "json"])
        .args(args);
    if let Some(e) = endpoint {
        c.args(["--endpoint", e]);
    }
    c.output().expect("run paesi query")
}

fn query_rows(data: &Path, endpoint: Option<&str>, args: &[&str]) -> Vec<Row> {
    let out = query(data, endpoint, args);
    assert!(
        out.status.success(),
        "query {args:?} on {endpoint:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    result_rows(&serde_json::from_slice(&out.stdout).expect("JSON results"))
}

/// One number from a `SELECT (COUNT… AS ?n)`.
fn count(data: &Path, endpoint: Option<&str>, sparql: &str) -> usize {
    let rows = query_rows(data, endpoint, &[sparql]);
    rows[0]["n"].1.parse().expect("a count")
}

/// Quads in the named graphs of the paesi namespace (Virtuoso's own graphs left out).
const PAESI_QUADS: &str = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), \"https://w3id.org/paesi/\")) }";

#[test]
fn the_corpus_pushed_answers_every_named_query_and_lookup_as_the_local_store() {
    let Some(data) = corpus_kb() else { return };
    let Some(v) = Virtuoso::start("corpus") else {
        return;
    };
    let stats = run_json(data, &["stats", "--json"]);
    let graphs = stats["graphs"].as_u64().expect("graphs") as usize;
    let quads = stats["quads"].as_u64().expect("quads") as usize;
    let (code, report, err) = push(
        data,
        &["--endpoint", &v.sparql(), "--graph-store", &v.graph_store()],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(report["method"], "graph_store");
    assert_eq!(report["written"], graphs);
    assert_eq!(report["triples_written"], quads);
    // the store holds no default-graph quad, so every quad went into a named graph
    assert_eq!(count(data, Some(&v.sparql()), PAESI_QUADS), quads);
    // pushed again: nothing to write
    let (code, again, _) = push(
        data,
        &["--endpoint", &v.sparql(), "--graph-store", &v.graph_store()],
    );
    assert_eq!(code, 0);
    assert_eq!(
        (again["written"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(graphs as u64))
    );

    let mut compared = Vec::new();
    let mut local_only = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(project("queries"))
        .expect("queries/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rq"))
        .collect();
    files.sort();
    for file in &files {
        let name = file.file_stem().and_then(|s| s.to_str()).expect("name");
        let text = std::fs::read_to_string(file).expect("read");
        // a fixed day, so both stores are asked about the same one
        let args = ["--name", name, "--at", "2026-06-04"];
        if text.contains("<https://w3id.org/paesi/search>") {
            // the text-index SERVICE is paesi's own: a remote store cannot answer it, and
            // paesi says so instead of sending it
            let out = query(data, Some(&v.sparql()), &args);
            assert_eq!(out.status.code(), Some(2), "{name}");
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("text-index SERVICE"),
                "{name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            local_only.push(name.to_string());
            continue;
        }
        let local = query_rows(data, None, &args);
        let remote = query_rows(data, Some(&v.sparql()), &args);
        same_rows(name, &local, &remote);
        compared.push((name.to_string(), local.len()));
    }
    assert_eq!(local_only, ["search-cited-by", "search-in-force"]);
    assert_eq!(compared.len(), files.len() - 2);
    // the comparison means something: most queries answer rows on this corpus
    let answering = compared.iter().filter(|(_, n)| *n > 0).count();
    assert!(answering >= compared.len() - 3, "{compared:?}");

    lookups_answer_alike(data, &v);
}

/// The day the lookups are asked about (the one the catalogue's figures were checked on).
const AT: &str = "2026-06-04";
/// The Testo unico on immigration, D.Lgs. 286/1998.
const TU: &str = "urn:nir:stato:decreto.legislativo:1998-07-25;286";

/// `paesi ARGS…` (a lookup printing JSON) on the store in `data`, or with `--endpoint`: the
/// JSON it prints.
fn lookup(data: &Path, endpoint: Option<&str>, args: &[&str]) -> serde_json::Value {
    let mut c = paesi();
    c.arg("--data").arg(data).args(args);
    if let Some(e) = endpoint {
        c.args(["--endpoint", e]);
    }
    let out = c.output().expect("run paesi");
    assert!(
        out.status.success(),
        "{args:?} on {endpoint:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// The first place where two JSON values differ, as `path: local …, remote …`; None when
/// they are equal.
fn difference(path: &str, local: &serde_json::Value, remote: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match (local, remote) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter().find_map(|k| {
                difference(
                    &format!("{path}.{k}"),
                    a.get(k).unwrap_or(&Value::Null),
                    b.get(k).unwrap_or(&Value::Null),
                )
            })
        }
        (Value::Array(a), Value::Array(b)) => (0..a.len().max(b.len())).find_map(|i| {
            difference(
                &format!("{path}[{i}]"),
                a.get(i).unwrap_or(&Value::Null),
                b.get(i).unwrap_or(&Value::Null),
            )
        }),
        _ => (local != remote).then(|| format!("{path}: local {local}, remote {remote}")),
    }
}

/// The distinct values of `paesi:urn "…"` in a catalogue file, read as text: the URNs of its
/// legal bases.
fn catalogue_urns(file: &str) -> std::collections::BTreeSet<String> {
    let text = std::fs::read_to_string(project(file)).expect("catalogue file");
    text.split("paesi:urn \"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

/// The procedures (file names) of `ontology/procedures` with a legal basis whose URN starts
/// with `prefix`, read as text.
fn procedures_citing(prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(project("ontology/procedures"))
        .expect("ontology/procedures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ttl"))
        .filter(|p| {
            let name = format!(
                "ontology/procedures/{}",
                p.file_name().and_then(|n| n.to_str()).unwrap_or_default()
            );
            catalogue_urns(&name).iter().any(|u| u.starts_with(prefix))
        })
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
        .collect();
    out.sort();
    out
}

/// `paesi procedure`, `norm` and `act --json` over the endpoint (with an empty local data
/// directory, so nothing can come from a local store) print what they print over the local
/// store: the family-reunification procedures, art. 29 and art. 5 of the Testo unico, the
/// Testo unico itself.
fn lookups_answer_alike(data: &Path, v: &Virtuoso) {
    let nothing = fresh_dir("virtuoso-no-local-store");
    let endpoint = v.sparql();
    let art = |n: &str| format!("{TU}~art{n}");
    let (art29, art5) = (art("29"), art("5"));
    let cases: Vec<Vec<&str>> = vec![
        vec!["procedure", "--json"],
        vec![
            "procedure",
            "ricongiungimento-nulla-osta",
            "--at",
            AT,
            "--json",
        ],
        vec![
            "procedure",
            "ricongiungimento-nulla-osta",
            "--at",
            AT,
            "--lang",
            "en",
            "--json",
        ],
        vec![
            "procedure",
            "permesso-motivi-familiari",
            "--at",
            AT,
            "--json",
        ],
        vec!["norm", &art29, "--at", AT, "--json"],
        vec!["norm", &art5, "--at", AT, "--json"],
        vec!["act", TU, "--json"],
    ];
    let mut answers = BTreeMap::new();
    for args in &cases {
        let local = lookup(data, None, args);
        let remote = lookup(&nothing, Some(&endpoint), args);
        if let Some(d) = difference("", &local, &remote) {
            panic!("{args:?}: {d}");
        }
        answers.insert(args.join(" "), local);
    }
    // what the views hold, against the catalogue's Turtle read as text
    let at = |args: &[&str]| answers[&args.join(" ")].clone();
    for (id, file) in [
        (
            "ricongiungimento-nulla-osta",
            "ontology/procedures/ricongiungimento-nulla-osta.ttl",
        ),
        (
            "permesso-motivi-familiari",
            "ontology/procedures/permesso-motivi-familiari.ttl",
        ),
    ] {
        let view = at(&["procedure", id, "--at", AT, "--json"]);
        let urns: std::collections::BTreeSet<String> = view["legal_bases"]
            .as_array()
            .expect("legal bases")
            .iter()
            .filter_map(|b| b["urn"].as_str().map(str::to_string))
            .collect();
        assert_eq!(urns, catalogue_urns(file), "{id}");
    }
    let list = at(&["procedure", "--json"]);
    let listed = list.as_array().expect("list").len();
    let files = std::fs::read_dir(project("ontology/procedures"))
        .expect("ontology/procedures")
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.ends_with(".ttl") && !name.starts_with('_')
        })
        .count();
    // the catalogue's procedures, once each: of the fixture's two, one has no dct:identifier
    // (not listed) and the other is the catalogue's cittadinanza-residenza (the same IRI)
    assert_eq!(listed, files);
    for (norm, args) in [
        (&art29, ["norm", art29.as_str(), "--at", AT, "--json"]),
        (&art5, ["norm", art5.as_str(), "--at", AT, "--json"]),
    ] {
        let view = at(&args);
        let mut via_parts: Vec<String> = view["procedures_via_parts"]
            .as_array()
            .expect("procedures via parts")
            .iter()
            .filter_map(|p| p["id"].as_str().map(str::to_string))
            .collect();
        via_parts.dedup();
        assert_eq!(via_parts, procedures_citing(&format!("{norm}-")), "{norm}");
        assert_eq!(view["in_kb"], true, "{norm}");
    }
    let act = at(&["act", TU, "--json"]);
    assert_eq!(act["citation"], "D.Lgs. 25 luglio 1998, n. 286");
    let _ = std::fs::remove_dir_all(&nothing);
}

#[test]
fn a_changed_document_pushed_writes_its_graph_alone() {
    let Some(v) = Virtuoso::start("changed") else {
        return;
    };
    let data = small_kb("virtuoso-changed");
    let store = data.join("store");
    let graphs = run_json(&store, &["stats", "--json"])["graphs"]
        .as_u64()
        .expect("graphs");
    // no Graph Store at this address: Virtuoso answers 501 (not implemented: not retried), and
    // the push falls back to SPARQL Update on the SPARQL endpoint
    let missing = format!("http://127.0.0.1:{}/no-graph-store-here", v.http);
    let args = ["--endpoint", &v.sparql(), "--graph-store", &missing];
    let (code, first, err) = push(&store, &args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(first["method"], "update");
    assert!(
        first["fallback"]
            .as_str()
            .is_some_and(|f| f.contains("answered 501")),
        "{first}"
    );
    assert_eq!(first["attempts"][0]["status"], 501);
    assert_eq!(
        first["attempts"][0]["retry_because"],
        serde_json::Value::Null
    );
    assert_eq!(first["written"].as_u64(), Some(graphs));
    let quads = run_json(&store, &["stats", "--json"])["quads"]
        .as_u64()
        .expect("quads") as usize;
    assert_eq!(count(&store, Some(&v.sparql()), PAESI_QUADS), quads);

    let old = "se non venga provato il possesso di altra cittadinanza.";
    let new = "testo cambiato dalla prova di paesi.";
    let doc = data.join("docs/legge_1992-02-05_n91_cittadinanza_estratto.xml");
    let xml = std::fs::read_to_string(&doc).expect("read");
    assert_eq!(xml.matches(old).count(), 1);
    std::fs::write(&doc, xml.replace(old, new)).expect("write");
    let out = paesi()
        .arg("--data")
        .arg(&store)
        .args(["ingest", "--json"])
        .arg(&doc)
        .output()
        .expect("ingest");
    assert!(out.status.success());
    let graph = "https://w3id.org/paesi/graph/act/stato/legge/1992/91";
    let (code, second, err) = push(&store, &args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(second["written"], 1, "{second}");
    assert_eq!(second["unchanged"].as_u64(), Some(graphs - 1));
    let written: Vec<&str> = second["graphs"]
        .as_array()
        .expect("graphs")
        .iter()
        .filter(|g| g["status"] == "written")
        .filter_map(|g| g["graph"].as_str())
        .collect();
    assert_eq!(written, [graph]);
    let with = |text: &str| {
        format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?p <{PAESI}text> ?t }} FILTER(CONTAINS(STR(?t), \"{text}\")) }}"
        )
    };
    // Virtuoso holds the new text (the comma's, as the local store does: the edit is in one
    // comma of the XML), not the old
    let expected_new = count(&store, None, &with(new));
    assert_eq!(expected_new, 1);
    assert_eq!(count(&store, Some(&v.sparql()), &with(new)), expected_new);
    assert_eq!(count(&store, Some(&v.sparql()), &with(old)), 0);
    assert_eq!(
        count(&store, Some(&v.sparql()), PAESI_QUADS),
        count(&store, None, PAESI_QUADS)
    );
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn an_interrupted_push_fails_naming_the_graph_then_resumes_and_ends_equal() {
    let Some(v) = Virtuoso::start("interrupted") else {
        return;
    };
    let data = small_kb("virtuoso-interrupted");
    let store = data.join("store");
    let graphs = run_json(&store, &["stats", "--json"])["graphs"]
        .as_u64()
        .expect("graphs") as usize;
    assert!(graphs >= 5, "{graphs}");
    // the Graph Store behind HTTP Digest, as user dba
    let gsp = v.graph_store_auth();
    let args = [
        "--endpoint",
        &v.sparql(),
        "--graph-store",
        &gsp,
        "--user",
        "dba",
        "--password",
        "dba",
    ];
    // a wrong password: refused with the answer named, nothing recorded
    let (code, refused, err) = push(&store, &[&args[..6], &["--password", "wrong"]].concat());
    assert_eq!(code, 1);
    assert_eq!(refused["failed"], 1);
    assert_eq!(refused["graphs"][0]["http_status"], 401);
    assert!(err.contains("answered 401"), "{err}");

    // --step waits for a line after each graph written: Virtuoso is stopped after the second
    let mut child = paesi()
        .arg("--data")
        .arg(&store)
        .args(["push", "--json", "--step"])
        .args(args)
        .env("PAESI_HTTP_WAIT_SCALE", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start paesi push");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stderr = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let mut written = Vec::new();
    let mut line = String::new();
    while written.len() < 2 {
        line.clear();
        assert!(
            stderr.read_line(&mut line).expect("stderr") > 0,
            "push ended early"
        );
        if let Some(g) = line.trim().strip_prefix("push: written ") {
            written.push(g.to_string());
            if written.len() == 2 {
                v.stop();
            }
            writeln!(stdin, "go").expect("stdin");
        }
    }
    drop(stdin);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).expect("stderr");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(1), "{rest}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("report");
    assert_eq!(report["written"], 2);
    assert_eq!(report["failed"], 1);
    assert_eq!(report["pending"].as_u64(), Some(graphs as u64 - 3));
    let failed = report["graphs"]
        .as_array()
        .expect("graphs")
        .iter()
        .find(|g| g["status"] == "failed")
        .expect("the failed graph");
    let failed_graph = failed["graph"].as_str().expect("graph");
    // the stderr line names the graph and what the connection met, after every attempt
    assert!(
        rest.contains(&format!("paesi: push {failed_graph}: PUT {gsp}")),
        "{rest}"
    );
    assert!(rest.contains("no answer after 5 attempts"), "{rest}");

    v.restart();
    let (code, resumed, err) = push(&store, &args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(resumed["written"].as_u64(), Some(graphs as u64 - 2));
    assert_eq!(resumed["unchanged"], 2);
    let resumed_graphs: Vec<&str> = resumed["graphs"]
        .as_array()
        .expect("graphs")
        .iter()
        .filter(|g| g["status"] == "unchanged")
        .filter_map(|g| g["graph"].as_str())
        .collect();
    assert_eq!(resumed_graphs, written);
    // equal: every quad of the paesi graphs, blank nodes aside, on both sides
    let all = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), \"https://w3id.org/paesi/\")) }";
    let local = query_rows(&store, None, &[all]);
    let remote = query_rows(&store, Some(&v.sparql()), &[all]);
    assert_eq!(
        local.len(),
        run_json(&store, &["stats", "--json"])["quads"]
            .as_u64()
            .expect("quads") as usize
    );
    same_rows("every quad", &local, &remote);
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn durations_compare_by_value() {
    assert_eq!(duration_value("P3M"), duration_value("3"));
    assert_eq!(duration_value("P1Y"), duration_value("12"));
    assert_eq!(duration_value("P30D"), duration_value("2.592e+06"));
    assert_eq!(duration_value("PT1H"), duration_value("3600.0"));
    assert_ne!(duration_value("P3M"), duration_value("P3D"));
    assert_eq!(duration_value("P2W"), None);
}

#[test]
fn the_per_graph_export_matches_the_store_and_its_manifest() {
    let data = small_kb("virtuoso-export");
    let store = data.join("store");
    let dir = data.join("export");
    let manifest = run_json(
        &store,
        &[
            "export",
            "--per-graph",
            dir.to_str().expect("path"),
            "--json",
        ],
    );
    let stats = run_json(&store, &["stats", "--json"]);
    let entries = manifest["graphs"].as_array().expect("graphs");
    assert_eq!(
        entries.len() as u64,
        stats["graphs"].as_u64().expect("graphs")
    );
    let mut sum = 0;
    for e in entries {
        let file = dir.join(e["file"].as_str().expect("file"));
        let text = std::fs::read_to_string(&file).expect("file");
        // read back with a plain line scanner: the graph is the last term before " ."
        let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(
            lines.len() as u64,
            e["quads"].as_u64().expect("quads"),
            "{file:?}"
        );
        let graph = format!("<{}> .", e["graph"].as_str().expect("graph"));
        assert!(lines.iter().all(|l| l.ends_with(&graph)), "{file:?}");
        sum += lines.len();
    }
    assert_eq!(sum as u64, stats["quads"].as_u64().expect("quads"));
    assert_eq!(manifest["quads"].as_u64(), Some(sum as u64));
    let _ = std::fs::remove_dir_all(&data);
}

/// Serves one file over HTTP on 127.0.0.1 (any path) until the test ends: (its URL, the thread).
fn serve_file(bytes: Vec<u8>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!(
        "http://{}/document.xml",
        listener.local_addr().expect("addr")
    );
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut reader = std::io::BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                bytes.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&bytes);
        }
    });
    url
}

#[test]
fn import_with_push_sends_what_it_imported() {
    let Some(v) = Virtuoso::start("import") else {
        return;
    };
    let data = small_kb("virtuoso-import");
    let store = data.join("store");
    let graphs = run_json(&store, &["stats", "--json"])["graphs"]
        .as_u64()
        .expect("graphs");
    let target = ["--graph-store", &v.graph_store()];
    let (code, first, err) = push(
        &store,
        &[&["--endpoint", &v.sparql()][..], &target].concat(),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(first["written"].as_u64(), Some(graphs));

    let doc = project("corpus/akn/dpr_1993-10-12_n572_cittadinanza_regolamento_estratto.xml");
    let url = serve_file(std::fs::read(&doc).expect("read"));
    let out = paesi()
        .arg("--data")
        .arg(&store)
        .args(["import", "--url", &url, "--json", "--interval-ms", "0"])
        .args(["--push", &v.sparql()])
        .args(target)
        .env("PAESI_HTTP_WAIT_SCALE", "0")
        .output()
        .expect("import");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON report");
    assert_eq!(report["imported"], 1);
    let graph = report["items"][0]["graph"]
        .as_str()
        .expect("graph")
        .to_string();
    // the push after the import: the document's new graph and the import registry, nothing else
    let push = &report["push"];
    assert_eq!(push["written"], 2, "{push}");
    assert_eq!(push["unchanged"].as_u64(), Some(graphs));
    let mut written: Vec<&str> = push["graphs"]
        .as_array()
        .expect("graphs")
        .iter()
        .filter(|g| g["status"] == "written")
        .filter_map(|g| g["graph"].as_str())
        .collect();
    written.sort();
    let mut expected = vec![graph.as_str(), "https://w3id.org/paesi/graph/imports"];
    expected.sort();
    assert_eq!(written, expected);
    let in_graph = format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}");
    let local = count(&store, None, &in_graph);
    assert_eq!(
        local as u64,
        report["items"][0]["triples"].as_u64().expect("triples")
    );
    assert_eq!(count(&store, Some(&v.sparql()), &in_graph), local);
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn push_with_a_token_to_another_paesi_by_sparql_update() {
    // any SPARQL 1.1 store: here paesi's own server, whose updates want a bearer token
    let data = small_kb("push-token");
    let store = data.join("store");
    let remote = fresh_dir("push-token-remote");
    let server = common::Server::start(&remote, &["--update-token", "s3cret"]);
    let endpoint = server.at("/sparql");
    let (code, refused, _) = push(&store, &["--endpoint", &endpoint, "--token", "wrong"]);
    assert_eq!(code, 1);
    assert_eq!(refused["graphs"][0]["http_status"], 401, "{refused}");
    let (code, report, err) = push(&store, &["--endpoint", &endpoint, "--token", "s3cret"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(report["method"], "update");
    let graphs = run_json(&store, &["stats", "--json"])["graphs"]
        .as_u64()
        .expect("graphs");
    assert_eq!(report["written"].as_u64(), Some(graphs));
    let all = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }";
    let local = query_rows(&store, None, &[all]);
    let pushed = query_rows(&store, Some(&endpoint), &[all]);
    same_rows("every quad", &local, &pushed);
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
    let _ = std::fs::remove_dir_all(&remote);
}

/// DL 36/2025 as Normattiva exports it (the shared corpus's copy).
const DL36_FILE: &str = "corpus/akn/normattiva/dl_2025-03-28_n36_cittadinanza_25G00049.xml";

/// The per-graph RDFC-1.0 hashes of `paesi export --per-graph`'s manifest: graph → hash.
fn graph_hashes(store: &Path, dir: &Path) -> BTreeMap<String, String> {
    let manifest = run_json(
        store,
        &[
            "export",
            "--per-graph",
            dir.to_str().expect("path"),
            "--json",
        ],
    );
    manifest["graphs"]
        .as_array()
        .expect("graphs")
        .iter()
        .map(|g| {
            (
                g["graph"].as_str().expect("graph").to_string(),
                g["hash"].as_str().expect("hash").to_string(),
            )
        })
        .collect()
}

#[test]
fn sync_with_push_sends_the_synced_expression_and_nothing_else() {
    use common::http::{Reply, Request, Server};
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let Some(v) = Virtuoso::start("sync") else {
        return;
    };
    let data = fresh_dir("virtuoso-sync");
    let store = data.join("store");
    run_json(
        &store,
        &[
            "ingest",
            "--json",
            shared.join(DL36_FILE).to_str().expect("path"),
            project("ontology/paesi.ttl").to_str().expect("path"),
        ],
    );
    let target = ["--graph-store", &v.graph_store()];
    let (code, first, err) = push(
        &store,
        &[&["--endpoint", &v.sparql()][..], &target].concat(),
    );
    assert_eq!(code, 0, "{err}");
    let graphs = run_json(&store, &["stats", "--json"])["graphs"]
        .as_u64()
        .expect("graphs");
    assert_eq!(first["written"].as_u64(), Some(graphs));
    let before = graph_hashes(&store, &data.join("export-before"));

    // Normattiva's feed names DL 36/2025, whose export is now a later expression (consolidated
    // on 2025-07-01) with art. 2, comma 1 reworded (as tests/import.rs's sync test does)
    let old = "Il presente decreto entra in vigore il giorno successivo";
    let new = "Il presente decreto entra in vigore il secondo giorno successivo";
    let original = std::fs::read_to_string(shared.join(DL36_FILE)).expect("DL 36");
    assert_eq!(original.matches(old).count(), 1);
    let changed = original
        .replace("2025-05-24", "2025-07-01")
        .replace(old, new)
        .into_bytes();
    let recorded = shared.join("normattiva-api/recorded/ricerca_avanzata.json");
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(recorded).expect("recorded"))
            .expect("recorded JSON");
    let mut feed = recorded["corpo"].clone();
    let act = &mut feed["listaAtti"][0];
    for (key, value) in [
        ("denominazioneAtto", "DECRETO-LEGGE"),
        ("annoProvvedimento", "2025"),
        ("numeroProvvedimento", "36"),
        ("numeroAtto", "36"),
        ("dataGU", "2025-03-28"),
        ("codiceRedazionale", "25G00049"),
        ("descrizioneAtto", "DECRETO-LEGGE 28 marzo 2025, n. 36"),
    ] {
        act[key] = serde_json::Value::String(value.to_string());
    }
    let normattiva = Server::start(std::sync::Arc::new(
        move |r: &Request, _: &[Request]| -> Reply {
            if r.method == "POST" && r.path.ends_with("/api/v1/ricerca/aggiornati") {
                return Reply::json(200, &feed);
            }
            if r.path.starts_with("/do/atto/caricaAKN?")
                && r.path.contains("codiceRedaz=25G00049")
                && r.path.contains("dataGU=20250328")
            {
                return Reply::new(200, "application/xml", changed.clone());
            }
            Reply::new(404, "text/plain", b"no such path".to_vec())
        },
    ));
    let out = paesi()
        .arg("--data")
        .arg(&store)
        .args([
            "sync",
            "--since",
            "2025-06-01",
            "--until",
            "2025-07-31",
            "--json",
        ])
        .args(["--push", &v.sparql()])
        .args(target)
        .env("PAESI_NORMATTIVA_API", &normattiva.base)
        .env("PAESI_NORMATTIVA_SITE", &normattiva.base)
        .env("PAESI_HTTP_INTERVAL_MS", "0")
        .env("PAESI_HTTP_WAIT_SCALE", "0")
        .output()
        .expect("sync");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON report");
    assert_eq!(report["import"]["imported"], 1, "{report}");
    let expression = "https://w3id.org/paesi/graph/act/stato/decreto.legge/2025/36/@2025-07-01";
    assert_eq!(report["import"]["items"][0]["graph"], expression);

    // what the sync changed, from the hashes of the export before and after: the new
    // expression, and what it changed around it
    let after = graph_hashes(&store, &data.join("export-after"));
    let mut changed_graphs: Vec<&str> = after
        .iter()
        .filter(|(g, h)| before.get(*g) != Some(*h))
        .map(|(g, _)| g.as_str())
        .collect();
    changed_graphs.sort();
    assert!(before.keys().all(|g| after.contains_key(g)));
    let push = &report["import"]["push"];
    let mut written: Vec<&str> = push["graphs"]
        .as_array()
        .expect("graphs")
        .iter()
        .filter(|g| g["status"] == "written")
        .filter_map(|g| g["graph"].as_str())
        .collect();
    written.sort();
    assert_eq!(written, changed_graphs, "{push}");
    assert_eq!(
        written,
        [
            "https://w3id.org/paesi/graph/act/stato/decreto.legge/2025/36/@2025-05-24",
            expression,
            "https://w3id.org/paesi/graph/act/stato/decreto.legge/2025/36/timeline",
            "https://w3id.org/paesi/graph/imports",
        ]
    );
    assert_eq!(
        push["unchanged"].as_u64(),
        Some((after.len() - written.len()) as u64)
    );
    assert_eq!(push["failed"], 0);

    // on Virtuoso: the new expression whole, the reworded comma, and every quad the local
    // store holds
    for graph in &written {
        let in_graph =
            format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}");
        assert_eq!(
            count(&store, Some(&v.sparql()), &in_graph),
            count(&store, None, &in_graph),
            "{graph}"
        );
    }
    // the reworded comma: in the new expression its text and its version's, the old text
    // kept as the older expression's version (what `expressions::relink` makes of two
    // expressions), alike on both stores
    let holding = |text: &str| {
        format!(
            "SELECT ?g ?s WHERE {{ GRAPH ?g {{ ?s <{PAESI}text> ?t }} FILTER(CONTAINS(STR(?t), \"{text}\")) }}"
        )
    };
    let dl36 = "https://w3id.org/paesi/act/stato/decreto.legge/2025/36/art2-com1";
    let graph =
        |day: &str| format!("https://w3id.org/paesi/graph/act/stato/decreto.legge/2025/36/@{day}");
    let iri = |g: String, s: String| -> Row {
        let term = |v: String| ("uri".to_string(), v, String::new(), String::new());
        [("g".to_string(), term(g)), ("s".to_string(), term(s))]
            .into_iter()
            .collect()
    };
    let mut expected_new = vec![
        iri(graph("2025-07-01"), dl36.to_string()),
        iri(graph("2025-07-01"), format!("{dl36}/@2025-07-01")),
    ];
    expected_new.sort();
    let expected_old = vec![iri(graph("2025-05-24"), format!("{dl36}/@2025-05-24"))];
    for endpoint in [None, Some(v.sparql())] {
        let endpoint = endpoint.as_deref();
        assert_eq!(
            query_rows(&store, endpoint, &[&holding(new)]),
            expected_new,
            "{endpoint:?}"
        );
        assert_eq!(
            query_rows(&store, endpoint, &[&holding(old)]),
            expected_old,
            "{endpoint:?}"
        );
    }
    assert_eq!(
        count(&store, Some(&v.sparql()), PAESI_QUADS),
        count(&store, None, PAESI_QUADS)
    );
    drop(normattiva);
    let _ = std::fs::remove_dir_all(&data);
}
