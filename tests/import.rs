//! The import pipeline against a local HTTP server on 127.0.0.1 that plays Normattiva with the
//! recorded answers of `../shared/normattiva-api/recorded/` and serves the shared corpus:
//! import by URN, by URL, by manifest; sync over a window; the impact report of DL 36/2025 on
//! the citizenship procedures; re-import as a no-op; every recorded error shape with its
//! message, a non-zero exit and an unchanged KB; retries on 503 and 429 (attempts counted).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::http::{Handler, Reply, Request, Server};
use common::{fresh_dir, paesi, run_json, shared_dir};
use serde_json::{Value, json};

// ------------------------------------------------------------------------------------------
// Normattiva, played from the recorded answers
// ------------------------------------------------------------------------------------------

const DL36_URN: &str = "urn:nir:stato:decreto.legge:2025-03-28;36";
const DL36_FILE: &str = "corpus/akn/normattiva/dl_2025-03-28_n36_cittadinanza_25G00049.xml";
const DL36_CODE: &str = "25G00049";
const L91_FILE: &str = "corpus/nir/legge_1992-02-05_n91_cittadinanza_estratto.xml";
const L232_URN: &str = "urn:nir:stato:legge:2016-12-11;232~art1";

/// A recorded answer (`{"stato", "tipo_contenuto", "corpo"}`) as a reply.
fn recorded(shared: &Path, name: &str) -> Reply {
    let v = recorded_json(shared, name);
    let body = match &v["corpo"] {
        Value::String(s) => s.clone().into_bytes(),
        other => other.to_string().into_bytes(),
    };
    Reply::new(
        v["stato"].as_u64().expect("stato") as u16,
        v["tipo_contenuto"].as_str().unwrap_or(""),
        body,
    )
}

fn recorded_json(shared: &Path, name: &str) -> Value {
    let path = shared.join(format!("normattiva-api/recorded/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("recorded answer"))
        .expect("recorded JSON")
}

/// The URNs the recorded URN answers were asked with (normattiva-sdk's sample list).
fn recorded_urns() -> Vec<(&'static str, &'static str)> {
    vec![
        ("urn:nir:stato:legge:1990-08-07;241", "urn_atto_intero"),
        ("urn:nir:stato:legge:1990-08-07;241~art2", "urn_articolo"),
        (L232_URN, "urn_troncato"),
        ("urn:nir:stato:legge:2001-12-28;448~art2", "urn_ambiguo"),
        (
            "urn:nir:stato:regio.decreto:1930-10-19;1398:1~art416bis!vig=1981-01-01",
            "urn_non_ancora_vigente",
        ),
        (
            "urn:nir:stato:legge:1970-12-01;898~art5!vig=2005-13-45",
            "urn_data_impossibile",
        ),
        (
            "urn:nir:stato:legge:2007-12-24;244~art2-com428",
            "urn_rifiuto_comma",
        ),
        (
            "urn:nir:stato:legge:1990-08-07;241~art5-bis",
            "urn_rifiuto_ordinale_con_trattino",
        ),
        (
            "urn:nir:stato:legge:1990-08-07;241~artXIV",
            "urn_rifiuto_numero_romano",
        ),
        (
            "urn:nir:stato:legge:1990-08-07;241!vig=NONSENSE",
            "urn_rifiuto_vigenza_malformata",
        ),
        (
            "urn:nir:stato:legge:1990-08-07;241~art999",
            "urn_articolo_inesistente",
        ),
        (
            "urn:nir:stato:legge:1990-08-07;9999",
            "urn_atto_inesistente",
        ),
        (
            "urn:nir:stato:regio.decreto:1942-03-16;262~art2043",
            "urn_codice_senza_allegato",
        ),
    ]
}

/// The recorded whole-act detail with another act's coordinates.
fn detail_of(
    shared: &Path,
    title: &str,
    kind: &str,
    date: (i64, i64, i64),
    number: i64,
    gu: (i64, i64, i64),
) -> Reply {
    let mut v = recorded_json(shared, "urn_atto_intero")["corpo"].clone();
    let a = &mut v["data"]["atto"];
    a["titolo"] = json!(title);
    a["tipoProvvedimentoDescrizione"] = json!(kind);
    a["annoProvvedimento"] = json!(date.0);
    a["meseProvvedimento"] = json!(date.1);
    a["giornoProvvedimento"] = json!(date.2);
    a["numeroProvvedimento"] = json!(number);
    a["annoGU"] = json!(gu.0);
    a["meseGU"] = json!(gu.1);
    a["giornoGU"] = json!(gu.2);
    Reply::json(200, &v)
}

/// A search answer (the recorded shape) listing these acts:
/// (kind, year, number, Gazzetta date, editorial code, title).
fn search_answer(shared: &Path, acts: &[(&str, &str, &str, &str, &str, &str)]) -> Value {
    let mut v = recorded_json(shared, "ricerca_avanzata")["corpo"].clone();
    let template = v["listaAtti"][0].clone();
    v["listaAtti"] = Value::Array(
        acts.iter()
            .map(|(kind, year, number, gu, code, title)| {
                let mut a = template.clone();
                a["denominazioneAtto"] = json!(kind);
                a["annoProvvedimento"] = json!(year);
                a["numeroProvvedimento"] = json!(number);
                a["numeroAtto"] = json!(number);
                a["dataGU"] = json!(gu);
                a["codiceRedazionale"] = json!(code);
                a["descrizioneAtto"] = json!(title);
                a
            })
            .collect(),
    );
    v["numeroAttiTrovati"] = json!(acts.len());
    v
}

/// DL 36/2025 as Normattiva searches it, with a namesake of another year the search also
/// returns (which the client must not take).
fn dl36_search(shared: &Path) -> Value {
    search_answer(
        shared,
        &[
            (
                "DECRETO-LEGGE",
                "2024",
                "36",
                "2024-03-20",
                "24G00051",
                "DECRETO-LEGGE 19 marzo 2024, n. 36",
            ),
            (
                "DECRETO-LEGGE",
                "2025",
                "36",
                "2025-03-28",
                DL36_CODE,
                "DECRETO-LEGGE 28 marzo 2025, n. 36",
            ),
        ],
    )
}

/// What the simulated Normattiva does: every path of the API and the site.
struct Script {
    shared: PathBuf,
    /// The body of the AKN export of DL 36/2025.
    dl36: Vec<u8>,
    /// The answer of the updated-acts feed.
    updated: Reply,
}

fn normattiva(script: Script) -> Arc<Handler> {
    Arc::new(move |r: &Request, _before: &[Request]| {
        let shared = &script.shared;
        let path = r.path.as_str();
        if path.ends_with("/api/v1/atto/dettaglio-atto-urn") && r.method == "POST" {
            let urn = r.json()["urn"].as_str().unwrap_or("").to_string();
            if urn == DL36_URN {
                return detail_of(
                    shared,
                    "DECRETO-LEGGE 28 marzo 2025, n. 36",
                    "DECRETO-LEGGE",
                    (2025, 3, 28),
                    36,
                    (2025, 3, 28),
                );
            }
            return match recorded_urns().into_iter().find(|(u, _)| *u == urn) {
                Some((_, name)) => recorded(shared, name),
                None => recorded(shared, "urn_atto_inesistente"),
            };
        }
        if path.ends_with("/api/v1/ricerca/avanzata") && r.method == "POST" {
            let q = r.json();
            let key = (
                q["denominazioneAtto"].as_str().unwrap_or("").to_string(),
                q["annoProvvedimento"].as_i64().unwrap_or(0),
                q["numeroProvvedimento"].as_i64().unwrap_or(0),
            );
            return match key {
                (k, 2025, 36) if k == "DECRETO-LEGGE" => Reply::json(200, &dl36_search(shared)),
                (k, 2016, 232) if k == "LEGGE" => Reply::json(
                    200,
                    &search_answer(
                        shared,
                        &[(
                            "LEGGE",
                            "2016",
                            "232",
                            "2016-12-21",
                            "16G00242",
                            "LEGGE 11 dicembre 2016, n. 232",
                        )],
                    ),
                ),
                _ => recorded(shared, "ricerca_senza_risultati"),
            };
        }
        if path.ends_with("/api/v1/ricerca/aggiornati") && r.method == "POST" {
            return script.updated.clone();
        }
        if let Some(query) = path.strip_prefix("/do/atto/caricaAKN?") {
            if query.contains(&format!("codiceRedaz={DL36_CODE}"))
                && query.contains("dataGU=20250328")
            {
                return Reply::new(200, "application/xml", script.dl36.clone());
            }
            if query.contains("codiceRedaz=16G00242") {
                // the long act served cut in half, without a word
                let whole = std::fs::read(shared.join(DL36_FILE)).expect("DL 36");
                return Reply::new(200, "application/xml", whole[..whole.len() / 2].to_vec());
            }
            return Reply::new(
                200,
                "text/html; charset=utf-8",
                b"<!DOCTYPE html><html><body>Atto non trovato</body></html>".to_vec(),
            );
        }
        if let Some(rel) = path.strip_prefix("/shared/") {
            return match std::fs::read(shared.join(rel)) {
                Ok(b) => Reply::new(200, "application/xml", b),
                Err(_) => Reply::new(404, "text/plain", b"not found".to_vec()),
            };
        }
        Reply::new(404, "text/plain", b"no such path".to_vec())
    })
}

fn script(shared: &Path) -> Script {
    Script {
        shared: shared.to_path_buf(),
        dl36: std::fs::read(shared.join(DL36_FILE)).expect("DL 36/2025 export"),
        updated: recorded(shared, "aggiornati_finestra_breve"),
    }
}

// ------------------------------------------------------------------------------------------
// Running paesi
// ------------------------------------------------------------------------------------------

fn project() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `paesi --data DATA ARGS…` against the server, no waits: (exit code, stdout, stderr).
fn run(data: &Path, server: &Server, args: &[&str]) -> (i32, String, String) {
    let out = paesi()
        .arg("--data")
        .arg(data)
        .args(args)
        .env("PAESI_NORMATTIVA_API", &server.base)
        .env("PAESI_NORMATTIVA_SITE", &server.base)
        .env("PAESI_HTTP_BACKOFF_MS", "1000")
        .env("PAESI_HTTP_INTERVAL_MS", "0")
        .env("PAESI_HTTP_WAIT_SCALE", "0")
        .output()
        .expect("run paesi");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn run_report(data: &Path, server: &Server, args: &[&str]) -> (i32, Value) {
    let (code, out, err) = run(data, server, args);
    let v =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("JSON report ({e}): {out}\n{err}"));
    (code, v)
}

fn quads(data: &Path) -> u64 {
    run_json(data, &["stats", "--json"])["quads"]
        .as_u64()
        .expect("quads")
}

/// A KB with L. 91/1992 (the project's excerpt) and the catalogue (ontology/).
fn kb_with_l91(name: &str, shared: &Path) -> PathBuf {
    let _ = shared;
    let data = fresh_dir(name);
    run_json(
        &data,
        &[
            "ingest",
            "--json",
            project().join(L91_FILE).to_str().expect("path"),
            project().join("ontology").to_str().expect("path"),
        ],
    );
    data
}

/// What a plain `paesi ingest` of a file reports (the independent figures of a document).
fn ingested_alone(name: &str, file: &Path) -> Value {
    let data = fresh_dir(name);
    let r = run_json(&data, &["ingest", "--json", file.to_str().expect("path")]);
    r["files"][0].clone()
}

// ------------------------------------------------------------------------------------------
// The expected impact of DL 36/2025, computed from the raw XML and the catalogue's Turtle
// ------------------------------------------------------------------------------------------

/// `(act URN, article id)` of each active modification of DL 36/2025 that names another act,
/// read with a plain scan of `<destination href="urn:…#N">`.
fn dl36_destinations(shared: &Path) -> BTreeSet<(String, String)> {
    let xml = std::fs::read_to_string(shared.join(DL36_FILE)).expect("DL 36");
    xml.split("<destination href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with("urn:nir:"))
        .filter_map(|h| h.split_once('#'))
        .map(|(act, frag)| {
            let frag = frag.to_lowercase().replace(' ', "");
            let id = if frag.starts_with("allegato") {
                "all".to_string()
            } else {
                format!("art{frag}")
            };
            (act.to_string(), id)
        })
        .collect()
}

/// Procedure → its legal-basis URNs, read from the Turtle text of ontology/procedures.
fn catalogue_bases() -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(project().join("ontology/procedures")).expect("procedures") {
        let p = e.expect("entry").path();
        let stem = p
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("stem")
            .to_string();
        if stem.starts_with('_') {
            continue;
        }
        let text = std::fs::read_to_string(&p).expect("ttl");
        let urns = text
            .split("paesi:urn \"")
            .skip(1)
            .filter_map(|r| r.split('"').next())
            .map(str::to_string)
            .collect();
        out.insert(stem, urns);
    }
    out
}

/// Procedure → the levels at which a destination of DL 36/2025 meets one of its bases.
fn expected_dl36_impact(shared: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let dest = dl36_destinations(shared);
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (proc_id, urns) in catalogue_bases() {
        for urn in urns {
            let (act, part) = match urn.split_once('~') {
                Some((a, p)) => (a.to_string(), Some(p.to_string())),
                None => (urn.clone(), None),
            };
            for (dact, did) in &dest {
                if *dact != act {
                    continue;
                }
                let level = match &part {
                    None => Some("container"),
                    Some(p) if p == did => Some("partition"),
                    Some(p) if p.starts_with(&format!("{did}-")) => Some("part"),
                    Some(p) if did.starts_with(&format!("{p}-")) => Some("container"),
                    _ => None,
                };
                if let Some(l) = level {
                    out.entry(proc_id.clone())
                        .or_default()
                        .insert(l.to_string());
                }
            }
        }
    }
    out
}

fn levels_by_procedure(item: &Value) -> BTreeMap<String, BTreeSet<String>> {
    item["procedures"]
        .as_array()
        .expect("procedures")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().expect("id").to_string(),
                p["links"]
                    .as_array()
                    .expect("links")
                    .iter()
                    .map(|l| {
                        assert_eq!(l["through"], "amendment", "{l}");
                        l["level"].as_str().expect("level").to_string()
                    })
                    .collect(),
            )
        })
        .collect()
}

// ------------------------------------------------------------------------------------------
// The tests
// ------------------------------------------------------------------------------------------

#[test]
fn import_by_urn_reports_the_citizenship_procedures_and_reimport_changes_nothing() {
    let Some(shared) = shared_dir() else { return };
    let server = Server::start(normattiva(script(&shared)));
    let data = kb_with_l91("import-urn", &shared);
    let before = quads(&data);
    let alone = ingested_alone("import-urn-alone", &shared.join(DL36_FILE));

    let (code, r) = run_report(
        &data,
        &server,
        &["import", DL36_URN, "--json", "--at", "2025-06-01"],
    );
    assert_eq!(code, 0, "{r}");
    assert_eq!(
        (
            r["imported"].as_u64(),
            r["unchanged"].as_u64(),
            r["failed"].as_u64()
        ),
        (Some(1), Some(0), Some(0))
    );
    let item = &r["items"][0];
    assert_eq!(item["status"], "imported");
    assert_eq!(
        item["act"],
        "https://w3id.org/paesi/act/stato/decreto.legge/2025/36"
    );
    assert_eq!(item["graph"], alone["graph"]);
    assert_eq!(item["triples"], alone["triples"]);
    assert_eq!(item["new_graph"], true);
    assert_eq!(item["publication"]["codice_redazionale"], DL36_CODE);
    assert_eq!(
        item["document"].as_str().expect("document"),
        format!(
            "{}/do/atto/caricaAKN?dataGU=20250328&codiceRedaz={DL36_CODE}&dataVigenza=20250601",
            server.base
        )
    );
    // every partition of the decree is new, none replaced or repealed
    assert_eq!(
        item["changes"]["added"].as_array().expect("added").len() as u64,
        alone["partitions"].as_u64().expect("partitions")
    );
    assert_eq!(item["changes"]["replaced"], json!([]));
    assert_eq!(item["changes"]["repealed"], json!([]));
    // the procedures resting on what the decree amends, at the levels the catalogue implies
    let expected = expected_dl36_impact(&shared);
    assert!(
        expected.contains_key("cittadinanza-residenza")
            && expected.contains_key("cittadinanza-matrimonio")
    );
    assert_eq!(levels_by_procedure(item), expected);
    let touched: Vec<&str> = r["procedures_touched"]
        .as_array()
        .expect("touched")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        touched,
        expected.keys().map(String::as_str).collect::<Vec<_>>()
    );
    // the KB grew by the document's triples and its registry entry (hash, source, date)
    let after = quads(&data);
    assert_eq!(
        after,
        before + alone["triples"].as_u64().expect("triples") + 3
    );
    // three requests: resolve, search, export; no retry
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|q| q.path.split('?').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "/api/v1/atto/dettaglio-atto-urn",
            "/api/v1/ricerca/avanzata",
            "/do/atto/caricaAKN"
        ]
    );
    assert!(
        server.requests()[2].header("content-type").is_none(),
        "a GET declares no Content-Type"
    );

    // the text report names them too
    let (code, text, _) = run(&data, &server, &["import", DL36_URN, "--at", "2025-06-01"]);
    assert_eq!(code, 0);
    assert_eq!(
        text.lines().next(),
        Some(
            format!(
                "unchanged {DL36_URN} (already held: {})",
                alone["graph"].as_str().expect("graph")
            )
            .as_str()
        )
    );

    // re-import: unchanged, nothing written, exit 0 even with --fail-on-impact
    let (code, r) = run_report(
        &data,
        &server,
        &[
            "import",
            DL36_URN,
            "--json",
            "--at",
            "2025-06-01",
            "--fail-on-impact",
        ],
    );
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["items"][0]["status"], "unchanged");
    assert_eq!(r["items"][0]["hash"], item["hash"]);
    assert_eq!(r["procedures_touched"], json!([]));
    assert_eq!(quads(&data), after);
}

#[test]
fn fail_on_impact_exits_3_and_the_text_report_says_the_level() {
    let Some(shared) = shared_dir() else { return };
    let server = Server::start(normattiva(script(&shared)));
    let data = kb_with_l91("import-alert", &shared);
    let (code, text, err) = run(&data, &server, &["import", DL36_URN, "--fail-on-impact"]);
    assert_eq!(code, 3, "{text}{err}");
    assert!(
        text.contains("  procedure cittadinanza-residenza ("),
        "{text}"
    );
    assert!(
        text.contains("    amended (insertion) https://w3id.org/paesi/act/stato/legge/1992/91/art9bis by https://w3id.org/paesi/act/stato/decreto.legge/2025/36/art1ter [level part]: legal basis https://w3id.org/paesi/act/stato/legge/1992/91/art9bis-com2"),
        "{text}"
    );
    assert!(
        text.contains("    amended (insertion) https://w3id.org/paesi/act/stato/legge/1992/91/art9 by https://w3id.org/paesi/act/stato/decreto.legge/2025/36/art1bis [level part]: legal basis https://w3id.org/paesi/act/stato/legge/1992/91/art9-com1"),
        "{text}"
    );
}

#[test]
fn import_by_url_and_by_manifest() {
    let Some(shared) = shared_dir() else { return };
    let server = Server::start(normattiva(script(&shared)));
    let other = "corpus/akn/normattiva/dlgs_2019-05-14_n52_19G00059_vig20200719.xml";
    let alone = ingested_alone("import-url-alone", &shared.join(other));
    let url = format!("{}/shared/{other}", server.base);

    let data = fresh_dir("import-url");
    let (code, r) = run_report(&data, &server, &["import", "--url", &url, "--json"]);
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["items"][0]["status"], "imported");
    assert_eq!(r["items"][0]["graph"], alone["graph"]);
    assert_eq!(r["items"][0]["triples"], alone["triples"]);
    assert_eq!(
        quads(&data),
        alone["triples"].as_u64().expect("triples") + 3
    );
    let registry = common::select(
        &data,
        "SELECT ?g ?s WHERE { GRAPH <https://w3id.org/paesi/graph/imports> { ?g <https://w3id.org/paesi/ontology#importedFrom> ?s } }",
    );
    assert_eq!(registry.len(), 1);
    assert_eq!(registry[0]["s"], url);
    assert_eq!(registry[0]["g"], alone["graph"].as_str().expect("graph"));

    // a manifest: the decree by URN, the same URL again (unchanged), a page that is not a document
    let manifest = data.join("manifest.toml");
    std::fs::write(
        &manifest,
        format!(
            "[[act]]\nurn = \"{DL36_URN}\"\ntitle = \"DL 36/2025\"\nat = \"2025-06-01\"\n\n[[act]]\nurl = \"{url}\"\n\n[[act]]\nurl = \"{}/do/atto/caricaAKN?dataGU=19000101&codiceRedaz=X\"\n",
            server.base
        ),
    )
    .expect("write manifest");
    let (code, r) = run_report(
        &data,
        &server,
        &[
            "import",
            "--manifest",
            manifest.to_str().expect("path"),
            "--json",
        ],
    );
    assert_eq!(code, 1, "a source failed: {r}");
    let statuses: Vec<&str> = r["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["status"].as_str())
        .collect();
    assert_eq!(statuses, ["imported", "unchanged", "failed"]);
    assert_eq!(
        r["items"][2]["error"],
        format!(
            "{}/do/atto/caricaAKN?dataGU=19000101&codiceRedaz=X is not an Akoma Ntoso or NIR document: an HTML page (content type text/html; charset=utf-8)",
            server.base
        )
    );
}

#[test]
fn the_committed_manifest_lists_the_immigration_corpus() {
    let text = std::fs::read_to_string(project().join("corpus/manifest.toml"))
        .expect("corpus/manifest.toml");
    let urns: BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("urn = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .map(str::to_string)
        .collect();
    for needed in [
        "urn:nir:stato:decreto.legislativo:1998-07-25;286",
        "urn:nir:presidente.repubblica:decreto:1999-08-31;394",
        "urn:nir:stato:legge:1992-02-05;91",
        "urn:nir:stato:decreto.legislativo:2007-11-19;251",
        "urn:nir:stato:decreto.legislativo:2008-01-28;25",
        "urn:nir:stato:decreto.legislativo:2015-08-18;142",
        "urn:nir:stato:decreto.legislativo:2007-02-06;30",
        "urn:nir:presidente.repubblica:decreto:2011-09-14;179",
        "urn:nir:presidente.repubblica:decreto:1989-05-30;223",
        DL36_URN,
        "urn:nir:stato:decreto.legge:2023-03-10;20",
        "urn:nir:stato:decreto.legge:2020-10-21;130",
        "urn:nir:stato:decreto.legge:2018-10-04;113",
    ] {
        assert!(urns.contains(needed), "corpus/manifest.toml lacks {needed}");
    }
    // every entry is a URN paesi parses (checked by the binary's manifest reader: a dry run
    // against a server that knows none of them fails each source, never the manifest)
    let Some(shared) = shared_dir() else { return };
    let server = Server::start(normattiva(script(&shared)));
    let data = fresh_dir("import-manifest-corpus");
    let (code, r) = run_report(
        &data,
        &server,
        &[
            "import",
            "--manifest",
            project()
                .join("corpus/manifest.toml")
                .to_str()
                .expect("path"),
            "--json",
        ],
    );
    assert_eq!(code, 1);
    let items = r["items"].as_array().expect("items");
    assert_eq!(items.len(), urns.len());
    // DL 36/2025 is the one act the local server knows
    assert_eq!(r["imported"], 1);
    for i in items.iter().filter(|i| i["status"] == "failed") {
        assert!(
            i["error"]
                .as_str()
                .expect("error")
                .starts_with("unknown act: Normattiva has no act urn:nir:"),
            "{i}"
        );
    }
}

#[test]
fn sync_imports_the_changed_acts_the_kb_holds_and_skips_the_others() {
    let Some(shared) = shared_dir() else { return };
    // a later expression of DL 36/2025: art. 2 comma 1 reworded
    let old = "Il presente decreto entra in vigore il giorno successivo";
    let new = "Il presente decreto entra in vigore il secondo giorno successivo";
    let original = std::fs::read_to_string(shared.join(DL36_FILE)).expect("DL 36");
    assert_eq!(original.matches(old).count(), 1);
    let changed = original
        .replace("2025-05-24", "2025-07-01")
        .replace(old, new);
    let mut s = script(&shared);
    s.dl36 = changed.into_bytes();
    let feed = search_answer(
        &shared,
        &[
            (
                "DECRETO-LEGGE",
                "2025",
                "36",
                "2025-03-28",
                DL36_CODE,
                "DECRETO-LEGGE 28 marzo 2025, n. 36",
            ),
            // an act the KB neither holds nor cites (the catalogue cites L. 199/2025, for the
            // 2026 citizenship-fee exemption, so the feed names another law of that day)
            (
                "LEGGE",
                "2025",
                "198",
                "2025-12-30",
                "25G00211",
                "LEGGE 30 dicembre 2025, n. 198",
            ),
        ],
    );
    s.updated = Reply::json(200, &feed);
    let server = Server::start(normattiva(s));
    let data = kb_with_l91("import-sync", &shared);
    run_json(
        &data,
        &[
            "ingest",
            "--json",
            shared.join(DL36_FILE).to_str().expect("path"),
        ],
    );

    let (code, r) = run_report(
        &data,
        &server,
        &[
            "sync",
            "--since",
            "2025-01-01",
            "--until",
            "2025-12-31",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{r}");
    // 2025 is 365 days: two windows of at most 360
    assert_eq!(
        r["windows"],
        json!([["2025-01-01", "2025-12-26"], ["2025-12-27", "2025-12-31"]])
    );
    // the feed answers both windows with the same two acts
    assert_eq!(r["updated"], 4);
    assert_eq!(
        r["selected"],
        json!(["urn:nir:stato:decreto.legge:2025;36"])
    );
    assert_eq!(
        r["skipped"],
        json!([
            "urn:nir:stato:legge:2025;198",
            "urn:nir:stato:legge:2025;198"
        ])
    );
    let item = &r["import"]["items"][0];
    assert_eq!(item["status"], "imported");
    assert_eq!(
        item["graph"],
        "https://w3id.org/paesi/graph/act/stato/decreto.legge/2025/36/@2025-07-01"
    );
    assert_eq!(item["changes"]["added"], json!([]));
    assert_eq!(
        item["changes"]["replaced"],
        json!(["https://w3id.org/paesi/act/stato/decreto.legge/2025/36/art2-com1"])
    );
    assert_eq!(item["changes"]["repealed"], json!([]));
    let asked: Vec<Value> = server
        .requests()
        .iter()
        .filter(|q| q.path.ends_with("/ricerca/aggiornati"))
        .map(Request::json)
        .collect();
    assert_eq!(
        asked,
        vec![
            json!({"dataInizioAggiornamento": "2025-01-01T00:00:00Z", "dataFineAggiornamento": "2025-12-26T23:59:59Z"}),
            json!({"dataInizioAggiornamento": "2025-12-27T00:00:00Z", "dataFineAggiornamento": "2025-12-31T23:59:59Z"}),
        ]
    );

    // an empty window (the recorded answer) imports nothing
    let server = Server::start(normattiva(script(&shared)));
    let before = quads(&data);
    let (code, r) = run_report(
        &data,
        &server,
        &[
            "sync",
            "--since",
            "2026-08-10",
            "--until",
            "2026-08-20",
            "--json",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(
        (r["updated"].as_u64(), r["import"]["imported"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(quads(&data), before);
}

/// Runs an import that must fail: exit 1 (a source failed) or 2 (the run), the message, the
/// KB unchanged; returns the requests the server saw.
fn assert_refused(
    shared: &Path,
    name: &str,
    handler: Arc<Handler>,
    args: &[&str],
    exit: i32,
    message: &str,
) -> Vec<Request> {
    let _ = shared;
    let server = Server::start(handler);
    let data = fresh_dir(name);
    run_json(
        &data,
        &[
            "ingest",
            "--json",
            project().join(L91_FILE).to_str().expect("path"),
        ],
    );
    let before = run_json(&data, &["stats", "--json"]);
    let (code, out, err) = run(&data, &server, args);
    assert_eq!(code, exit, "{args:?}: {out}{err}");
    let said = if exit == 1 {
        // the JSON report alone on stdout, the failure on stderr too
        let r: Value = serde_json::from_str(&out).expect("JSON report");
        let said = r["items"][0]["error"].as_str().expect("error").to_string();
        let source = r["items"][0]["source"].as_str().expect("source");
        assert_eq!(
            err.lines()
                .filter(|l| l.starts_with("paesi: import "))
                .collect::<Vec<_>>(),
            [format!("paesi: import {source}: {said}")],
            "{args:?}: stderr"
        );
        said
    } else {
        err.trim().to_string()
    };
    assert_eq!(said, message.replace("{BASE}", &server.base), "{args:?}");
    assert_eq!(
        run_json(&data, &["stats", "--json"]),
        before,
        "{args:?} changed the KB"
    );
    server.requests()
}

#[test]
fn every_recorded_error_answer_has_its_message_and_writes_nothing() {
    let Some(shared) = shared_dir() else { return };
    let h = || normattiva(script(&shared));
    let urn_case = |name: &str, urn: &str, message: &str| -> Vec<Request> {
        assert_refused(&shared, name, h(), &["import", urn, "--json"], 1, message)
    };
    urn_case(
        "err-unknown",
        "urn:nir:stato:legge:1990-08-07;9999",
        "unknown act: Normattiva has no act urn:nir:stato:legge:1990-08-07;9999 (atto non trovato)",
    );
    let article = recorded_json(&shared, "urn_articolo_inesistente")["corpo"]["message"]
        .as_str()
        .expect("message")
        .to_string();
    urn_case(
        "err-article",
        "urn:nir:stato:legge:1990-08-07;241~art999",
        &format!(
            "Normattiva has no partition urn:nir:stato:legge:1990-08-07;241~art999 ({article})"
        ),
    );
    let code_msg = recorded_json(&shared, "urn_codice_senza_allegato")["corpo"]["message"]
        .as_str()
        .expect("message")
        .to_string();
    urn_case(
        "err-code",
        "urn:nir:stato:regio.decreto:1942-03-16;262~art2043",
        &format!(
            "Normattiva has no partition urn:nir:stato:regio.decreto:1942-03-16;262~art2043: the articles of a code answer only through its annex (urn:nir:stato:regio.decreto:1942-03-16;262:1~…, urn:nir:stato:regio.decreto:1942-03-16;262:2~…) ({code_msg})"
        ),
    );
    urn_case(
        "err-ambiguous",
        "urn:nir:stato:legge:2001-12-28;448~art2",
        "ambiguous URN urn:nir:stato:legge:2001-12-28;448~art2: Normattiva has 2 publications of it: LEGGE 28 dicembre 2001, n. 448 (Gazzetta of 2001-12-29, suppl. SO 285: Disposizioni per la formazione del bilancio annuale e plur…); LEGGE 28 dicembre 2001, n. 448 (Gazzetta of 2002-01-30, suppl. SO 20: Ripubblicazione  del  testo  della  legge 28 dicembre 2001…); import the one meant with --url and its Akoma Ntoso export",
    );
    urn_case(
        "err-not-in-force",
        "urn:nir:stato:regio.decreto:1930-10-19;1398:1~art416bis!vig=1981-01-01",
        "urn:nir:stato:regio.decreto:1930-10-19;1398:1~art416bis!vig=1981-01-01: Normattiva has no text in force on that day (not yet existing or in force)",
    );
    let refused = " urn assente o non valido, il formato minimo deve essere urn:<emettitore> :<tipo> :<data> ;<numero>".trim();
    urn_case(
        "err-comma",
        "urn:nir:stato:legge:2007-12-24;244~art2-com428",
        &format!(
            "Normattiva refused the URN urn:nir:stato:legge:2007-12-24;244~art2-com428 (code 1003: {refused}); it does not take commi (~art2-com428): name the article only"
        ),
    );
    urn_case(
        "err-ordinal",
        "urn:nir:stato:legge:1990-08-07;241~art5-bis",
        &format!(
            "Normattiva refused the URN urn:nir:stato:legge:1990-08-07;241~art5-bis (code 1003: {refused}); ordinals are written without a hyphen (~art5bis instead of ~art5-bis)"
        ),
    );
    urn_case(
        "err-roman",
        "urn:nir:stato:legge:1990-08-07;241~artXIV",
        &format!(
            "Normattiva refused the URN urn:nir:stato:legge:1990-08-07;241~artXIV (code 1003: {refused}); article numbers are arabic, not roman (~artXIV)"
        ),
    );
    // dates are checked before asking: no request at all
    let asked = urn_case(
        "err-malformed-date",
        "urn:nir:stato:legge:1990-08-07;241!vig=NONSENSE",
        "urn:nir:stato:legge:1990-08-07;241!vig=NONSENSE: malformed date \"NONSENSE\" after !vig= (write YYYY-MM-DD)",
    );
    assert_eq!(asked.len(), 0);
    let asked = urn_case(
        "err-impossible-date",
        "urn:nir:stato:legge:1970-12-01;898~art5!vig=2005-13-45",
        "urn:nir:stato:legge:1970-12-01;898~art5!vig=2005-13-45: impossible date 2005-13-45 after !vig= (no such day)",
    );
    assert_eq!(asked.len(), 0);
    // the long act served cut in half: the XML ends before its root closes
    let asked = assert_refused(
        &shared,
        "err-truncated",
        h(),
        &["import", L232_URN, "--json", "--at", "2025-06-01"],
        1,
        &truncated_message(&shared),
    );
    assert_eq!(asked.len(), 3);

    // the firewall's answer (409, text/html, a JSON body) on any endpoint
    let waf = recorded(&shared, "waf_content_type_senza_corpo");
    let waf_handler: Arc<Handler> = Arc::new(move |_, _| waf.clone());
    let support = recorded_json(&shared, "waf_content_type_senza_corpo")["corpo"]["message"]
        .as_str()
        .expect("message")
        .to_string();
    let requests = assert_refused(
        &shared,
        "err-waf",
        waf_handler,
        &["import", DL36_URN, "--json"],
        1,
        &format!(
            "Normattiva's firewall blocked {{BASE}}/api/v1/atto/dettaglio-atto-urn (HTTP 409, text/html; charset=utf-8, support id 6159029531090193995): {support}"
        ),
    );
    assert_eq!(requests.len(), 1);

    // an empty answer with a content type
    let empty: Arc<Handler> = Arc::new(|_, _| Reply::new(200, "application/json", Vec::new()));
    assert_refused(
        &shared,
        "err-empty",
        empty,
        &["import", DL36_URN, "--json"],
        1,
        "unexpected answer from {BASE}/api/v1/atto/dettaglio-atto-urn: HTTP 200, content type application/json, an empty body",
    );

    // the feed: window over twelve months and inverted dates, as Normattiva answers them
    for (name, recorded_name, message) in [
        (
            "err-window",
            "aggiornati_oltre_dodici_mesi",
            "paesi: Normattiva refuses the updated-acts window 2025-01-01 to 2025-02-01: periodo di esportazione superiore a 12 mesi (code 1501)",
        ),
        (
            "err-inverted",
            "aggiornati_date_invertite",
            "paesi: the updated-acts window ends (2025-02-01) before it starts (2025-01-01) (Normattiva, code 1503: La data finale è precedente alla data iniziale, correggere i…)",
        ),
    ] {
        let mut s = script(&shared);
        s.updated = recorded(&shared, recorded_name);
        assert_refused(
            &shared,
            name,
            normattiva(s),
            &[
                "sync",
                "--since",
                "2025-01-01",
                "--until",
                "2025-02-01",
                "--json",
            ],
            2,
            message,
        );
    }
    // inverted dates are caught before asking
    let asked = assert_refused(
        &shared,
        "err-inverted-local",
        h(),
        &["sync", "--since", "2025-02-01", "--until", "2025-01-01"],
        2,
        "paesi: the updated-acts window ends (2025-01-01) before it starts (2025-02-01)",
    );
    assert_eq!(asked.len(), 0);
}

/// The parser's message for the first half of DL 36/2025, as `paesi parse` gives it.
fn truncated_message(shared: &Path) -> String {
    let whole = std::fs::read(shared.join(DL36_FILE)).expect("DL 36");
    let dir = fresh_dir("truncated");
    let file = dir.join("half.xml");
    std::fs::write(&file, &whole[..whole.len() / 2]).expect("write");
    let out = paesi()
        .args(["parse", "--json"])
        .arg(&file)
        .output()
        .expect("parse");
    let r: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let f = &r["failures"][0];
    let message = f["message"].as_str().expect("message");
    format!(
        "{{BASE}}/do/atto/caricaAKN?dataGU=20161221&codiceRedaz=16G00242&dataVigenza=20250601: {message}"
    )
}

#[test]
fn retries_503_twice_then_succeeds_and_honours_retry_after() {
    let Some(shared) = shared_dir() else { return };
    let other = "corpus/akn/normattiva/dlgs_2019-05-14_n52_19G00059_vig20200719.xml";
    let body = std::fs::read(shared.join(other)).expect("document");
    // 503, 503, then the document
    let b = body.clone();
    let flaky: Arc<Handler> = Arc::new(move |_, before| {
        if before.len() < 2 {
            Reply::new(503, "text/plain", b"busy".to_vec())
        } else {
            Reply::new(200, "application/xml", b.clone())
        }
    });
    let server = Server::start(flaky);
    let data = fresh_dir("retry-503");
    let url = format!("{}/doc.xml", server.base);
    let (code, r) = run_report(&data, &server, &["import", "--url", &url, "--json"]);
    assert_eq!(code, 0, "{r}");
    assert_eq!(server.requests().len(), 3);
    assert_eq!(r["requests"], 1);
    let attempts: Vec<(Value, Value, Value)> = r["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .map(|a| {
            (
                a["status"].clone(),
                a["retry_in_ms"].clone(),
                a["retry_because"].clone(),
            )
        })
        .collect();
    // exponential backoff from 1000 ms: 1000, 2000
    assert_eq!(
        attempts,
        vec![
            (json!(503), json!(1000), json!("backoff")),
            (json!(503), json!(2000), json!("backoff")),
            (json!(200), json!(0), Value::Null),
        ]
    );
    assert_eq!(r["items"][0]["status"], "imported");

    // 429 with Retry-After: 7 (seconds), then the document
    let b = body.clone();
    let limited: Arc<Handler> = Arc::new(move |_, before| {
        if before.is_empty() {
            let mut r = Reply::new(429, "text/plain", b"slow down".to_vec());
            r.headers.push(("Retry-After".into(), "7".into()));
            r
        } else {
            Reply::new(200, "application/xml", b.clone())
        }
    });
    let server = Server::start(limited);
    let data = fresh_dir("retry-429");
    let url = format!("{}/doc.xml", server.base);
    let (code, r) = run_report(&data, &server, &["import", "--url", &url, "--json"]);
    assert_eq!(code, 0, "{r}");
    assert_eq!(server.requests().len(), 2);
    assert_eq!(r["attempts"][0]["status"], 429);
    assert_eq!(r["attempts"][0]["retry_in_ms"], 7000);
    assert_eq!(r["attempts"][0]["retry_because"], "retry-after");

    // a server that always fails: the configured retries, then a clear error, nothing written
    let down: Arc<Handler> = Arc::new(|_, _| recorded_500());
    let server = Server::start(down);
    let data = fresh_dir("retry-500");
    let url = format!("{}/api/v1/ricerca/semplice", server.base);
    let (code, r) = run_report(
        &data,
        &server,
        &["import", "--url", &url, "--json", "--retries", "2"],
    );
    assert_eq!(code, 1);
    assert_eq!(server.requests().len(), 3);
    assert_eq!(
        r["items"][0]["error"],
        format!(
            "Normattiva failed on {url}: HTTP 500 after 3 attempts (Internal Server Error at /bff-opendata/api/v1/ricerca/semplice)"
        )
    );
    assert_eq!(run_json(&data, &["stats", "--json"])["quads"], 0);
}

/// The recorded Spring 500 (a request without pagination).
fn recorded_500() -> Reply {
    let shared = shared_dir().expect("shared");
    recorded(&shared, "ricerca_senza_paginazione")
}

/// The acts a KB holds (each document's act), sorted.
fn acts_held(data: &Path) -> Vec<String> {
    common::select(
        data,
        "SELECT DISTINCT ?a WHERE { ?a <https://w3id.org/paesi/ontology#sourceFormat> ?f } ORDER BY ?a",
    )
    .into_iter()
    .map(|r| r["a"].clone())
    .collect()
}

fn procedures_held(data: &Path) -> usize {
    common::select(
        data,
        "SELECT ?p WHERE { ?p a <https://w3id.org/paesi/ontology#Procedure> }",
    )
    .len()
}

#[test]
fn build_takes_the_law_from_normattiva_and_the_catalogue_from_ontology() {
    let Some(shared) = shared_dir() else { return };
    let server = Server::start(normattiva(script(&shared)));
    let data = fresh_dir("build-online");
    let manifest = data.join("manifest.toml");
    std::fs::write(
        &manifest,
        format!("[[act]]\nurn = \"{DL36_URN}\"\ntitle = \"DL 36/2025\"\nat = \"2025-06-01\"\n"),
    )
    .expect("write manifest");
    let (code, r) = run_report(
        &data,
        &server,
        &[
            "build",
            "--manifest",
            manifest.to_str().expect("path"),
            "--json",
            project().join("ontology").to_str().expect("path"),
            project().join("corpus").to_str().expect("path"),
        ],
    );
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["imported"], 1);
    assert_eq!(r["items"][0]["status"], "imported");
    // the law from Normattiva, not the local excerpts; the whole catalogue
    assert_eq!(
        acts_held(&data),
        ["https://w3id.org/paesi/act/stato/decreto.legge/2025/36"]
    );
    let files = std::fs::read_dir(project().join("ontology/procedures"))
        .expect("procedures")
        .flatten()
        .filter(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n.ends_with(".ttl") && !n.starts_with('_')
        })
        .count();
    assert_eq!(procedures_held(&data), files);
}

#[test]
fn build_offline_says_so_in_one_line_and_uses_the_local_documents() {
    // a port nobody listens on
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("address").port()
    };
    let data = fresh_dir("build-offline");
    let out = paesi()
        .arg("--data")
        .arg(&data)
        .args(["build", "--retries", "0"])
        .arg(project().join("ontology"))
        .arg(project().join("corpus"))
        .env("PAESI_NORMATTIVA_API", format!("http://127.0.0.1:{port}"))
        .env("PAESI_NORMATTIVA_SITE", format!("http://127.0.0.1:{port}"))
        .env("PAESI_HTTP_WAIT_SCALE", "0")
        .output()
        .expect("run paesi build");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let xml = common::xml_files(&project().join("corpus"));
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("paesi: Normattiva cannot be reached (")
            && lines[0].ends_with(&format!(
                "): building from the local documents ({} files)",
                xml.len()
            )),
        "{stderr}"
    );
    // every local document's act, and the whole catalogue
    assert_eq!(acts_held(&data).len(), xml.len());
    assert!(procedures_held(&data) >= 21);
}

#[test]
fn a_figure_whose_comma_an_import_amends_is_stale_and_fail_on_stale_exits_4() {
    let Some(shared) = shared_dir() else { return };
    let server = Server::start(normattiva(script(&shared)));
    // a catalogue whose EUR 250 (L. 91/1992 art. 9-bis c. 2) was checked on 2025-01-01, before
    // D.L. 36/2025 amended art. 9-bis
    let checked = "paesi:basis \"urn:nir:stato:legge:1992-02-05;91~art9bis-com2\" ;\n    paesi:checkedOn \"2026-06-04\"^^xsd:date";
    let (data, ontology) =
        common::ontology_copy("import-stale", "cittadinanza-residenza.ttl", |ttl| {
            assert_eq!(ttl.matches(checked).count(), 1, "{ttl}");
            ttl.replace(checked, &checked.replace("2026-06-04", "2025-01-01"))
        });
    run_json(
        &data,
        &[
            "ingest",
            "--json",
            project().join(L91_FILE).to_str().expect("path"),
            ontology.to_str().expect("path"),
        ],
    );
    let (code, r) = run_report(
        &data,
        &server,
        &[
            "import",
            DL36_URN,
            "--json",
            "--at",
            "2025-06-01",
            "--fail-on-stale",
        ],
    );
    assert_eq!(code, 4, "{r}");
    let procedures = r["figures"]["procedures"].as_array().expect("procedures");
    let residence = procedures
        .iter()
        .find(|p| p["id"] == "cittadinanza-residenza")
        .expect("cittadinanza-residenza");
    let stale: Vec<&Value> = residence["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .filter(|f| f["outcome"] == "stale")
        .collect();
    assert_eq!(stale.len(), 1, "{residence:#}");
    assert_eq!(
        stale[0]["figure"]["iri"],
        "https://w3id.org/paesi/procedure/cittadinanza-residenza/cost-contributo-250"
    );
    // the change named, with its date as the decree's XML gives it
    let dl36 = std::fs::read_to_string(shared.join(DL36_FILE)).expect("DL 36");
    assert!(
        dl36.contains("2025-05-23"),
        "the decree dates its amendments"
    );
    assert_eq!(
        stale[0]["changes"],
        json!(["insertion of art9bis by art1ter on 2025-05-23"])
    );
    assert_eq!(r["figures"]["totals"]["stale"], 1);
    // the same figures in the other procedure, checked on 2026-06-04, are not stale
    let marriage = procedures
        .iter()
        .find(|p| p["id"] == "cittadinanza-matrimonio")
        .expect("cittadinanza-matrimonio");
    assert!(
        marriage["figures"]
            .as_array()
            .expect("figures")
            .iter()
            .all(|f| f["outcome"] != "stale")
    );
}
