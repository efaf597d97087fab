//! Ingest of the whole shared corpus through the real binary: every document ingests or is
//! refused with a clear reason, and the KB (asked through SPARQL) holds exactly the articles,
//! paragraphs and references an independent count finds in the XML.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{count_xml, fresh_dir, paesi, select};

const PAESI: &str = "https://w3id.org/paesi/ontology#";

/// The KB built once for this test binary from ../shared/corpus (akn, nir, bulk).
struct Built {
    data: PathBuf,
    shared: PathBuf,
    report: serde_json::Value,
}

fn built() -> Option<&'static Built> {
    static KB: OnceLock<Option<Built>> = OnceLock::new();
    KB.get_or_init(|| {
        let shared = common::shared_dir()?;
        let data = fresh_dir("corpus");
        let corpus = shared.join("corpus");
        let out = paesi()
            .arg("--data")
            .arg(&data)
            .args(["ingest", "--json"])
            .arg(corpus.join("akn"))
            .arg(corpus.join("nir"))
            .arg(corpus.join("bulk"))
            .output()
            .expect("run paesi ingest");
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("ingest --json prints a report");
        // the German LegalDocML.de files are refused, so the exit code says "some failed"
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(Built {
            data,
            shared,
            report,
        })
    })
    .as_ref()
}

fn per_graph(data: &Path, class: &str) -> HashMap<String, usize> {
    select(
        data,
        &format!(
            "SELECT ?g (COUNT(DISTINCT ?x) AS ?n) WHERE {{ GRAPH ?g {{ ?x a <{PAESI}{class}> }} }} GROUP BY ?g"
        ),
    )
    .into_iter()
    .map(|r| (r["g"].clone(), r["n"].parse().expect("count")))
    .collect()
}

#[test]
fn every_document_ingests_or_is_refused_with_a_reason() {
    let Some(kb) = built() else { return };
    let failures = kb.report["failures"].as_array().expect("failures");
    // the only refusals: the German LegalDocML.de profile, every one of its files
    let german = common::xml_files(&kb.shared.join("corpus/akn/legaldocml-de"));
    assert_eq!(failures.len(), german.len(), "{failures:#?}");
    for f in failures {
        let path = f["path"].as_str().expect("path");
        assert!(path.contains("legaldocml-de"), "unexpected failure {f}");
        assert_eq!(f["unsupported"], true);
        assert!(
            f["message"]
                .as_str()
                .expect("message")
                .contains("LegalDocML.de profile"),
            "{f}"
        );
        println!("refused {path}: {}", f["message"]);
    }
    let all: usize = ["akn", "nir", "bulk"]
        .iter()
        .map(|d| common::xml_files(&kb.shared.join("corpus").join(d)).len())
        .sum();
    assert_eq!(
        kb.report["documents"].as_u64(),
        Some((all - german.len()) as u64)
    );
}

#[test]
fn articles_paragraphs_and_references_match_the_xml() {
    let Some(kb) = built() else { return };
    let articles = per_graph(&kb.data, "Article");
    let paragraphs = per_graph(&kb.data, "Paragraph");
    let references = per_graph(&kb.data, "Reference");
    // the last file written to each graph is what the KB holds
    let mut last: HashMap<String, String> = HashMap::new();
    for f in kb.report["files"].as_array().expect("files") {
        last.insert(
            f["graph"].as_str().expect("graph").to_string(),
            f["path"].as_str().expect("path").to_string(),
        );
    }
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for (graph, path) in &last {
        let xml = count_xml(&std::fs::read(path).expect("read corpus file"));
        let kb_counts = (
            articles.get(graph).copied().unwrap_or(0),
            paragraphs.get(graph).copied().unwrap_or(0),
            references.get(graph).copied().unwrap_or(0),
        );
        if kb_counts != (xml.articles, xml.paragraphs, xml.references) {
            mismatches.push(format!("{path}: KB {kb_counts:?} XML {xml:?}"));
        }
        checked += 1;
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(checked >= 90, "only {checked} documents checked");
}

#[test]
fn the_testo_unico_has_its_known_shape() {
    let Some(kb) = built() else { return };
    let tu = "https://w3id.org/paesi/act/stato/decreto.legislativo/1998/286";
    let rows = select(
        &kb.data,
        &format!(
            "PREFIX eli: <http://data.europa.eu/eli/ontology#>
             SELECT ?title ?date WHERE {{ <{tu}> eli:title ?title ; eli:date_document ?date }}"
        ),
    );
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0]["title"].starts_with(
            "Testo unico delle disposizioni concernenti la disciplina dell'immigrazione"
        )
    );
    assert_eq!(rows[0]["date"], "1998-07-25");
    // art. 3, comma 4 exists in two versions (t1–t7, then from t7), with the dates of the events
    let rows = select(
        &kb.data,
        &format!(
            "PREFIX eli: <http://data.europa.eu/eli/ontology#>
             PREFIX paesi: <{PAESI}>
             SELECT ?from ?until WHERE {{ <{tu}/art3-com4> paesi:version ?v .
               ?v eli:first_date_entry_in_force ?from .
               OPTIONAL {{ ?v eli:date_no_longer_in_force ?until }} }} ORDER BY ?from"
        ),
    );
    let got: Vec<(String, Option<String>)> = rows
        .iter()
        .map(|r| (r["from"].clone(), r.get("until").cloned()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("1998-09-02".to_string(), Some("2002-09-10".to_string())),
            ("2002-09-10".to_string(), None)
        ]
    );
}

#[test]
fn a_nir_rif_and_an_akn_ref_to_the_same_act_meet() {
    let Some(kb) = built() else { return };
    let rows = select(
        &kb.data,
        &format!(
            "PREFIX paesi: <{PAESI}>
             SELECT DISTINCT ?t WHERE {{
               ?a paesi:target ?t ; paesi:href ?ha . ?b paesi:target ?t ; paesi:href ?hb .
               FILTER(STRSTARTS(?ha, \"urn:nir:\") && STRSTARTS(?hb, \"/akn/it/\")) }}"
        ),
    );
    let targets: Vec<&str> = rows.iter().map(|r| r["t"].as_str()).collect();
    // L. 7 agosto 1990, n. 241 is cited as urn:nir:stato:legge:1990-08-07;241 by NIR documents
    // and as /akn/it/act/legge/stato/1990-08-07/241 by Normattiva exports
    assert!(
        targets.contains(&"https://w3id.org/paesi/act/stato/legge/1990/241"),
        "{targets:?}"
    );
    assert!(targets.len() > 20, "{}", targets.len());
}

#[test]
fn each_file_reports_the_quads_its_graph_holds() {
    let Some(kb) = built() else { return };
    // graphs an act's later expression changed after they were written are left out
    let relinked: std::collections::HashSet<&str> = kb.report["expressions"]
        .as_array()
        .expect("expressions")
        .iter()
        .flat_map(|e| e["graphs"].as_array().expect("graphs").iter())
        .filter_map(|g| g.as_str())
        .collect();
    let mut reported: HashMap<String, u64> = HashMap::new();
    for f in kb.report["files"].as_array().expect("files") {
        let g = f["graph"].as_str().expect("graph");
        if !relinked.contains(g) {
            reported.insert(g.to_string(), f["triples"].as_u64().expect("triples"));
        }
    }
    let stored: HashMap<String, u64> = select(
        &kb.data,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    )
    .into_iter()
    .filter(|r| reported.contains_key(&r["g"]))
    .map(|r| (r["g"].clone(), r["n"].parse().expect("count")))
    .collect();
    assert_eq!(stored, reported);
    assert!(reported.len() >= 90, "{}", reported.len());
}

/// Canonical id of a printed article number (`3 bis` → `art3bis`), as the test reads it.
fn article_id(number: &str) -> String {
    let n: String = number
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.'))
        .collect();
    format!("art{}", n.to_lowercase())
}

/// The partitions of `class` in `graph` under `act`, as ids relative to the act.
fn ids_in_graph(data: &Path, graph: &str, act: &str, class: &str) -> Vec<String> {
    let mut ids: Vec<String> = select(
        data,
        &format!("SELECT ?x WHERE {{ GRAPH <{graph}> {{ ?x a <{PAESI}{class}> }} }}"),
    )
    .into_iter()
    .map(|r| {
        r["x"]
            .strip_prefix(&format!("{act}/"))
            .unwrap_or(&r["x"])
            .to_string()
    })
    .collect();
    ids.sort();
    ids
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

#[test]
fn the_codice_penale_and_the_decree_that_approves_it_keep_apart() {
    let Some(kb) = built() else { return };
    let act = "https://w3id.org/paesi/act/stato/regio.decreto/1930/1398";
    let graph = |path_end: &str| -> String {
        kb.report["files"]
            .as_array()
            .expect("files")
            .iter()
            .find(|f| f["path"].as_str().is_some_and(|p| p.ends_with(path_end)))
            .and_then(|f| f["graph"].as_str())
            .unwrap_or_else(|| panic!("{path_end} ingested"))
            .to_string()
    };
    let read = |rel: &str| std::fs::read_to_string(kb.shared.join("corpus").join(rel)).expect(rel);
    let attr_values = |text: &str, pattern: &str| -> Vec<String> {
        text.split(pattern)
            .skip(1)
            .filter_map(|rest| Some(rest[..rest.find('"')?].to_string()))
            .collect()
    };

    // the NIR code (734 <articolo>, 1489 <comma>): every article is the code's, `all1-artN`
    let code = read("nir/cirsfid-lime-server/penale__allegato1.xml");
    let expected: Vec<String> = attr_values(&code, "<articolo id=\"")
        .iter()
        .map(|id| format!("all1-{id}"))
        .collect();
    assert_eq!(expected.len(), 734);
    let code_graph = graph("penale__allegato1.xml");
    assert_eq!(
        ids_in_graph(&kb.data, &code_graph, act, "Article"),
        sorted(expected)
    );
    let commi = ids_in_graph(&kb.data, &code_graph, act, "Paragraph");
    assert_eq!(commi.len(), code.matches("<comma ").count());
    assert_eq!(commi.len(), 1489);
    assert!(commi.iter().all(|c| c.starts_with("all1-art")), "{commi:?}");

    // the NIR decree (3 articles, 4 commi): its own articles, `artN`
    let decree = read("nir/cirsfid-lime-server/penale__main.xml");
    let decree_graph = graph("penale__main.xml");
    let own = sorted(attr_values(&decree, "<articolo id=\""));
    assert_eq!(own, ["art1", "art2", "art3"]);
    assert_eq!(ids_in_graph(&kb.data, &decree_graph, act, "Article"), own);
    assert_eq!(
        ids_in_graph(&kb.data, &decree_graph, act, "Paragraph").len(),
        decree.matches("<comma ").count()
    );

    // Normattiva's edition: the decree's 3 <article>, then one attachment per code article
    // (`<doc name="Codice Penale-art. 3 bis">`), the same identities as the NIR files
    let normattiva = read("bulk/normattiva/codice_penale.xml");
    let attachments = normattiva.find("<attachments").expect("attachments");
    let body_articles = sorted(
        attr_values(&normattiva[..attachments], "<article eId=\"")
            .iter()
            .map(|e| e.replace('_', ""))
            .collect(),
    );
    let code_articles: Vec<String> =
        attr_values(&normattiva[attachments..], "<doc name=\"Codice Penale-art.")
            .iter()
            .map(|n| format!("all1-{}", article_id(n)))
            .collect();
    assert_eq!(code_articles.len(), 987);
    let mut expected = body_articles.clone();
    expected.extend(code_articles.iter().cloned());
    let normattiva_graph = graph("bulk/normattiva/codice_penale.xml");
    assert_eq!(
        ids_in_graph(&kb.data, &normattiva_graph, act, "Article"),
        sorted(expected)
    );
    assert_eq!(body_articles, own);

    // the act holds the decree's 3 articles and the union of the code's, once each
    let all: Vec<String> = select(
        &kb.data,
        &format!(
            "SELECT DISTINCT ?x WHERE {{ ?x a <{PAESI}Article> .
               FILTER(STRSTARTS(STR(?x), \"{act}/\")) }}"
        ),
    )
    .into_iter()
    .map(|r| r["x"].clone())
    .collect();
    let code_ids: std::collections::BTreeSet<String> = code_articles
        .iter()
        .cloned()
        .chain(
            attr_values(&code, "<articolo id=\"")
                .iter()
                .map(|id| format!("all1-{id}")),
        )
        .collect();
    assert_eq!(all.len(), own.len() + code_ids.len());

    // the act's contents follow one edition, the fullest (Normattiva's): the decree's three
    // articles, then the code's attachment with its 987 articles in order
    let view = common::run_json(
        &kb.data,
        &[
            "act",
            "--json",
            "urn:nir:stato:regio.decreto:1930-10-19;1398",
        ],
    );
    assert_eq!(view["articles"].as_u64(), Some(all.len() as u64));
    assert_eq!(view["citation"], "R.D. 19 ottobre 1930, n. 1398");
    let top: Vec<&str> = view["contents"]
        .as_array()
        .expect("contents")
        .iter()
        .filter_map(|e| e["iri"].as_str())
        .collect();
    let expected_top: Vec<String> = ["art1", "art2", "art3", "all1"]
        .iter()
        .map(|id| format!("{act}/{id}"))
        .collect();
    assert_eq!(top, expected_top);
    let code_contents: Vec<String> = view["contents"][3]["parts"]
        .as_array()
        .expect("the code's articles")
        .iter()
        .filter_map(|e| e["iri"].as_str())
        .map(|iri| iri.trim_start_matches(&format!("{act}/")).to_string())
        .collect();
    assert_eq!(code_contents, code_articles);
    let code_article = common::run_json(
        &kb.data,
        &[
            "norm",
            "--json",
            "urn:nir:stato:codice.penale:1930-10-19;1398#art575",
        ],
    );
    assert_eq!(
        code_article["citation"],
        "art. 575, codice penale (R.D. 19 ottobre 1930, n. 1398)"
    );

    // every citation of the act lands on the code's articles or the decree's own ones
    let stray: Vec<String> = select(
        &kb.data,
        &format!(
            "SELECT DISTINCT ?t WHERE {{ ?r <{PAESI}target> ?t .
               FILTER(STRSTARTS(STR(?t), \"{act}/\") && !STRSTARTS(STR(?t), \"{act}/all1\")) }}"
        ),
    )
    .into_iter()
    .map(|r| r["t"].clone())
    .collect();
    assert_eq!(stray, Vec::<String>::new());
    // Normattiva cites the code's articles as the decree's (`…/1398/!main#art_589`): each
    // such citation lands on the code's article
    let spelled_as_decree = select(
        &kb.data,
        &format!(
            "SELECT DISTINCT ?h ?t WHERE {{ ?r <{PAESI}target> ?t ; <{PAESI}href> ?h .
               FILTER(CONTAINS(?h, \"/1930-10-19/1398/!main#art_\")) }}"
        ),
    );
    let mut in_files = std::collections::BTreeSet::new();
    for p in common::xml_files(&kb.shared.join("corpus")) {
        let text = String::from_utf8_lossy(&std::fs::read(p).expect("read")).into_owned();
        let mut quoted = 0usize;
        for tag in common::tags(&text) {
            if common::is_quote(tag.name) && !tag.empty {
                if tag.closing {
                    quoted = quoted.saturating_sub(1);
                } else {
                    quoted += 1;
                }
            }
            // citations inside quoted text are the quoted act's, not the document's
            if quoted > 0 || tag.closing || tag.name != "ref" {
                continue;
            }
            for h in attr_values(tag.body, "href=\"") {
                if h.contains("/1930-10-19/1398/!main#art_") {
                    in_files.insert(h);
                }
            }
        }
    }
    let in_kb: std::collections::BTreeSet<String> =
        spelled_as_decree.iter().map(|r| r["h"].clone()).collect();
    assert_eq!(in_kb, in_files);
    assert!(in_kb.len() > 300, "{}", in_kb.len());
    for r in &spelled_as_decree {
        let number = r["h"].rsplit("#art_").next().expect("art_");
        let number = number.split(['-', '_']).next().expect("number");
        if !number.starts_with(|c: char| c.is_ascii_digit()) {
            // `#art_com321`: Normattiva left the article number out; the act is all that is known
            assert_eq!(r["t"], act, "{}", r["h"]);
            continue;
        }
        let code_article = format!("{act}/all1-{}", article_id(number));
        assert!(
            r["t"] == code_article || r["t"].starts_with(&format!("{code_article}-")),
            "{} → {}",
            r["h"],
            r["t"]
        );
    }
}

/// `paesi compact` merges the text index's segments into one (a search runs in each): after
/// three ingest runs the index has at least three segments, counted in tantivy's `meta.json`,
/// then one, and every search answers as before.
#[test]
fn compaction_merges_the_text_index_into_one_segment() {
    let project = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = fresh_dir("compact-index");
    for dir in ["corpus/nir", "corpus/akn", "ontology"] {
        let path = project.join(dir);
        common::run_ok(&data, &["ingest", path.to_str().expect("a UTF-8 path")]);
    }
    let segments = || {
        let meta = std::fs::read_to_string(data.join("index/meta.json")).expect("meta.json");
        let meta: serde_json::Value = serde_json::from_str(&meta).expect("json");
        meta["segments"].as_array().map_or(0, Vec::len)
    };
    let searches = || {
        [
            "cittadinanza",
            "permesso di soggiorno",
            "residenza OR dimora",
        ]
        .map(|q| {
            let mut v = common::run_json(
                &data,
                &["search", "--json", "--all-versions", "--limit", "1000", q],
            );
            if let Some(hits) = v["hits"].as_array_mut() {
                // equal scores may come in another order from another segment layout
                hits.sort_by_key(|h| (h["iri"].to_string(), h["version"].to_string()));
            }
            v
        })
    };
    // at least one per run (each indexing thread of a run writes its own)
    let made = segments();
    assert!(made >= 3, "{made} segments");
    let before = searches();
    let out = common::run_ok(&data, &["compact"]);
    assert!(
        out.contains(&format!("text index: {made} segments merged into one")),
        "{out}"
    );
    assert_eq!(segments(), 1);
    assert_eq!(searches(), before);
    // and a second compaction has nothing to merge
    let again = common::run_ok(&data, &["compact"]);
    assert!(
        again.ends_with("text index: one segment already, nothing to merge\n"),
        "{again}"
    );
    assert_eq!(segments(), 1);
    assert!(before[0]["total"].as_u64() > Some(10), "{}", before[0]);
}

/// `ingest --compact` compacts the store at the end (its report says how long it took) and
/// leaves exactly the quads of an ingest without it; so does `paesi compact` afterwards.
#[test]
fn a_compacted_store_holds_the_same_quads() {
    let project = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = |name: &str, compact: bool| {
        let data = fresh_dir(name);
        let mut cmd = paesi();
        cmd.arg("--data").arg(&data).args(["ingest", "--json"]);
        if compact {
            cmd.arg("--compact");
        }
        let out = cmd
            .arg(project.join("corpus"))
            .arg(project.join("ontology"))
            .output()
            .expect("run paesi ingest");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a report");
        (data, report)
    };
    let (plain, plain_report) = run("ingest-plain", false);
    let (compacted, compacted_report) = run("ingest-compacted", true);
    assert!(plain_report["compact_seconds"].is_null());
    let took = compacted_report["compact_seconds"]
        .as_f64()
        .expect("compact_seconds");
    assert!(took <= compacted_report["seconds"].as_f64().expect("seconds"));
    let quads = common::export_sorted(&plain);
    assert_eq!(
        quads.len() as u64,
        plain_report["triples"].as_u64().expect("triples")
    );
    // `export` writes graph after graph, by IRI (its workers' output put back in order): the
    // graph of each line (its last term) never goes back
    let text = common::run_ok(&plain, &["export"]);
    let graphs: Vec<&str> = text
        .lines()
        .map(|l| l.trim_end_matches(" .").rsplit(' ').next().unwrap_or(""))
        .map(|g| g.trim_start_matches('<').trim_end_matches('>'))
        .collect();
    assert_eq!(graphs.len(), quads.len());
    assert!(
        graphs
            .iter()
            .all(|g| g.starts_with("https://w3id.org/paesi/graph/"))
    );
    assert!(
        graphs.windows(2).all(|w| w[0] <= w[1]),
        "graphs out of order"
    );
    let mut distinct = graphs.clone();
    distinct.dedup();
    let stats = common::run_json(&plain, &["stats", "--json"]);
    assert_eq!(Some(distinct.len() as u64), stats["graphs"].as_u64());
    assert_eq!(common::export_sorted(&compacted), quads);
    // and `paesi compact` on the store an ingest left as it was
    let out = paesi()
        .arg("--data")
        .arg(&plain)
        .arg("compact")
        .output()
        .expect("run paesi compact");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("store compacted in "));
    assert_eq!(common::export_sorted(&plain), quads);
}
