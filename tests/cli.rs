//! The command line on small inputs: re-ingest, failures that leave the store as it was,
//! standard input, bad input, query formats, the ontology graph.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use common::{fresh_dir, paesi, select};

const L91: &str = "corpus/nir/legge_1992-02-05_n91_cittadinanza_estratto.xml";
const L91_IRI: &str = "https://w3id.org/paesi/act/stato/legge/1992/91";

fn project(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn ingest(data: &Path, paths: &[&Path]) -> Output {
    paesi()
        .arg("--data")
        .arg(data)
        .arg("ingest")
        .arg("--json")
        .args(paths)
        .output()
        .expect("run paesi ingest")
}

fn report(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn quads(data: &Path) -> u64 {
    common::run_json(data, &["stats", "--json"])["quads"]
        .as_u64()
        .expect("quads")
}

fn run_query(data: &Path, format: &str, q: &str) -> String {
    let out = paesi()
        .arg("--data")
        .arg(data)
        .args(["query", "--format", format, q])
        .output()
        .expect("run paesi query");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn reingest_changes_nothing_and_a_truncated_copy_leaves_the_store_intact() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let tu = shared.join("corpus/nir/xmleges-samples/286-paesi.xml");
    let data = fresh_dir("reingest");
    let first = ingest(&data, &[&tu]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let before = quads(&data);
    let r = report(&first);
    assert_eq!(r["documents"], 1);
    assert_eq!(
        r["triples"].as_u64(),
        Some(before),
        "the report counts what the store holds"
    );

    let again = ingest(&data, &[&tu]);
    assert!(again.status.success());
    assert_eq!(report(&again)["replaced"], 1);
    assert_eq!(quads(&data), before);

    // a copy cut after line 2000: the document is not closed
    let bytes = std::fs::read(&tu).expect("read TU");
    let cut = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(1999)
        .map(|(i, _)| i + 1)
        .expect("the TU has more than 2000 lines");
    let dir = fresh_dir("truncated-file");
    let truncated = dir.join("286-paesi.xml");
    std::fs::write(&truncated, &bytes[..cut]).expect("write truncated copy");
    let failed = ingest(&data, &[&truncated]);
    assert_eq!(failed.status.code(), Some(1));
    let r = report(&failed);
    assert_eq!(r["documents"], 0);
    let f = &r["failures"][0];
    let newlines = bytes[..cut].iter().filter(|b| **b == b'\n').count();
    assert_eq!(f["line"].as_u64(), Some(newlines as u64 + 1));
    assert_eq!(f["col"], 1);
    assert!(
        f["message"]
            .as_str()
            .expect("message")
            .starts_with("unexpected end of document")
    );
    assert_eq!(
        quads(&data),
        before,
        "a failed document leaves the store as it was"
    );

    // without --json the failure is printed as path:line:col: message
    let plain = paesi()
        .arg("--data")
        .arg(&data)
        .arg("ingest")
        .arg(&truncated)
        .output()
        .expect("run paesi ingest");
    let stderr = String::from_utf8_lossy(&plain.stderr);
    let expected = format!(
        "{}:{}:1: unexpected end of document",
        truncated.display(),
        newlines + 1
    );
    assert!(stderr.contains(&expected), "{stderr}");
}

#[test]
fn standard_input_and_query_formats() {
    let data = fresh_dir("stdin");
    let mut child = paesi()
        .arg("--data")
        .arg(&data)
        .args(["ingest", "--json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn paesi ingest -");
    let xml = std::fs::read(project(L91)).expect("read L91 excerpt");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&xml)
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    let r = report(&out);
    assert_eq!(r["files"][0]["path"], "<stdin>");
    assert_eq!(r["files"][0]["act"], L91_IRI);
    // articles, commi and references counted on the XML; partitions = articles + commi +
    // lettere (`<el`) + numbered items (`<en`)
    let text = String::from_utf8_lossy(&xml);
    let counts = common::count_xml(&xml);
    let tags = |t: &str| text.matches(&format!("<{t} ")).count();
    assert_eq!(r["articles"], counts.articles);
    assert_eq!(r["paragraphs"], counts.paragraphs);
    assert_eq!(r["references"], counts.references);
    assert_eq!(
        r["partitions"],
        tags("articolo") + tags("comma") + tags("el") + tags("en")
    );
    assert_eq!(counts.articles, tags("articolo"));

    let q = format!(
        "PREFIX eli: <http://data.europa.eu/eli/ontology#>
         SELECT ?n ?t WHERE {{ <{L91_IRI}/art1-com1-letb> eli:number ?n ; eli:is_part_of ?t }}"
    );
    assert_eq!(
        run_query(&data, "csv", &q),
        format!("n,t\r\nb),{L91_IRI}/art1-com1\r\n")
    );
    assert_eq!(
        run_query(&data, "tsv", &q),
        format!("?n\t?t\n\"b)\"\t<{L91_IRI}/art1-com1>\n")
    );
    let json: serde_json::Value =
        serde_json::from_str(&run_query(&data, "json", &q)).expect("JSON results");
    assert_eq!(json["results"]["bindings"][0]["n"]["value"], "b)");
    let xml = run_query(&data, "xml", &q);
    assert!(xml.contains("<literal>b)</literal>"), "{xml}");
    let table = run_query(&data, "table", &q);
    assert_eq!(
        table.lines().collect::<Vec<_>>(),
        vec![
            format!("n  | t"),
            format!("---+-{}", "-".repeat(L91_IRI.len() + 10)),
            format!("b) | {L91_IRI}/art1-com1"),
            "(1 rows)".to_string(),
        ]
    );
    let ask = run_query(
        &data,
        "table",
        &format!("ASK {{ <{L91_IRI}/art1-com2> ?p ?o }}"),
    );
    assert_eq!(ask, "true\n");
    let nt = run_query(
        &data,
        "ntriples",
        &format!(
            "CONSTRUCT {{ <{L91_IRI}/art1> <http://data.europa.eu/eli/ontology#number> ?n }}
             WHERE {{ <{L91_IRI}/art1> <http://data.europa.eu/eli/ontology#number> ?n }}"
        ),
    );
    assert_eq!(
        nt,
        format!("<{L91_IRI}/art1> <http://data.europa.eu/eli/ontology#number> \"Art. 1.\" .\n")
    );
    let bad = paesi()
        .arg("--data")
        .arg(&data)
        .args(["query", "SELECT WHERE {"])
        .output()
        .expect("run paesi query");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("query does not parse"));
}

#[test]
fn bad_files_are_reported_and_the_batch_goes_on() {
    let dir = fresh_dir("bad-inputs");
    let entity = dir.join("a-unknown-entity.xml");
    std::fs::write(
        &entity,
        "<NIR xmlns=\"http://www.normeinrete.it/nir/2.2/\">\n<Legge>\n  <x>&nosuch;</x>\n</Legge></NIR>",
    )
    .expect("write");
    let laughs = dir.join("b-laughs.xml");
    std::fs::write(
        &laughs,
        "<?xml version=\"1.0\"?>\n<!DOCTYPE NIR [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]>\n<NIR>&b;</NIR>",
    )
    .expect("write");
    let other = dir.join("c-other.xml");
    std::fs::write(&other, "<html><body/></html>").expect("write");
    let good = dir.join("d-good.xml");
    std::fs::copy(project(L91), &good).expect("copy");
    let data = fresh_dir("bad-inputs-data");
    let out = ingest(&data, &[&dir]);
    assert_eq!(out.status.code(), Some(1));
    let r = report(&out);
    assert_eq!(r["documents"], 1);
    let failures: Vec<String> = r["failures"]
        .as_array()
        .expect("failures")
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{}: {}",
                Path::new(f["path"].as_str().expect("path"))
                    .file_name()
                    .expect("name")
                    .to_string_lossy(),
                f["line"],
                f["col"],
                f["message"].as_str().expect("message")
            )
        })
        .collect();
    assert_eq!(
        failures,
        vec![
            "a-unknown-entity.xml:3:6: unknown entity &nosuch; (no DTD is read)".to_string(),
            "b-laughs.xml:2:1: entity declarations in an internal DTD subset are not accepted"
                .to_string(),
            "c-other.xml:1:1: unsupported: root element <html> is neither Akoma Ntoso (<akomaNtoso>) nor NIR (<NIR>)"
                .to_string(),
        ]
    );
}

#[test]
fn the_ontology_has_its_own_graph_and_declares_every_term_used() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let data = fresh_dir("ontology");
    let out = ingest(
        &data,
        &[
            &project("ontology"),
            &project("corpus"),
            &shared.join("corpus/nir/xmleges-samples/286-paesi.xml"),
            &shared.join("corpus/akn/normattiva/dl_2025-03-28_n36_cittadinanza_25G00049.xml"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = report(&out);
    // every Turtle file under ontology/ (the ontology, shapes, the procedure catalogue)
    fn turtle_files(dir: &Path) -> usize {
        std::fs::read_dir(dir)
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .map(|p| {
                if p.is_dir() {
                    turtle_files(&p)
                } else {
                    usize::from(p.extension().is_some_and(|e| e == "ttl"))
                }
            })
            .sum()
    }
    assert_eq!(r["ontology_files"], turtle_files(&project("ontology")));
    let onto = "https://w3id.org/paesi/graph/ontology/paesi";
    let undeclared = select(
        &data,
        &format!(
            "SELECT DISTINCT ?term WHERE {{
               {{ ?s ?term ?o }} UNION {{ ?s a ?term }}
               FILTER(STRSTARTS(STR(?term), \"https://w3id.org/paesi/ontology#\"))
               FILTER NOT EXISTS {{ GRAPH <{onto}> {{ ?term a ?kind }} }} }}"
        ),
    );
    assert!(undeclared.is_empty(), "{undeclared:?}");
    let labelled = select(
        &data,
        &format!(
            "SELECT (COUNT(?t) AS ?n) WHERE {{ GRAPH <{onto}> {{
               ?t a ?k . FILTER(?k != <http://www.w3.org/2002/07/owl#Ontology>)
               FILTER NOT EXISTS {{ ?t <http://www.w3.org/2000/01/rdf-schema#label> ?it . FILTER(LANG(?it) = \"it\") }} }} }}"
        ),
    );
    assert_eq!(labelled[0]["n"], "0", "every term has an Italian label");
}
