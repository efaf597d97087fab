//! Law in time on the real sources: the Testo unico immigrazione (multi-version NIR) and the
//! citizenship decree-law DL 36/2025 (Normattiva AKN).

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{fresh_dir, paesi, select_at};

const TU: &str = "https://w3id.org/paesi/act/stato/decreto.legislativo/1998/286";
const L91: &str = "https://w3id.org/paesi/act/stato/legge/1992/91";

struct Built {
    data: PathBuf,
    shared: PathBuf,
}

/// One KB for this test binary: the Testo unico, DL 36/2025, and the project's corpus.
fn built() -> Option<&'static Built> {
    static KB: OnceLock<Option<Built>> = OnceLock::new();
    KB.get_or_init(|| {
        let shared = common::shared_dir()?;
        let data = fresh_dir("law-in-time");
        let out = paesi()
            .arg("--data")
            .arg(&data)
            .arg("ingest")
            .arg(shared.join("corpus/nir/xmleges-samples/286-paesi.xml"))
            .arg(shared.join("corpus/akn/normattiva/dl_2025-03-28_n36_cittadinanza_25G00049.xml"))
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"))
            .output()
            .expect("run paesi ingest");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(Built { data, shared })
    })
    .as_ref()
}

/// Partitions of a class in force on `?at`: through their versions when they have some.
fn in_force_query(class: &str) -> String {
    format!(
        "PREFIX eli: <http://data.europa.eu/eli/ontology#>
         PREFIX paesi: <https://w3id.org/paesi/ontology#>
         SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{
           ?p a paesi:{class} ; paesi:act <{TU}> .
           {{ ?p paesi:version ?v . ?v eli:first_date_entry_in_force ?from .
              OPTIONAL {{ ?v eli:date_no_longer_in_force ?until }} }}
           UNION
           {{ FILTER NOT EXISTS {{ ?p paesi:version ?any }}
              ?p eli:first_date_entry_in_force ?from .
              OPTIONAL {{ ?p eli:date_no_longer_in_force ?until }} }}
           FILTER(?from <= ?at && (!BOUND(?until) || ?until > ?at))
         }}"
    )
}

#[test]
fn articles_and_commi_in_force_on_four_dates_match_the_xml() {
    let Some(kb) = built() else { return };
    let bytes =
        std::fs::read(kb.shared.join("corpus/nir/xmleges-samples/286-paesi.xml")).expect("read TU");
    // ISO-8859-15: ids, dates and tag names are ASCII
    let text: String = bytes.iter().map(|&b| b as char).collect();
    let periods = common::periods_in_xml(&text);
    for at in ["1999-01-01", "2003-01-01", "2005-01-01", "2008-01-01"] {
        let count = |kind: &str| {
            periods
                .iter()
                .filter(|((k, _), ps)| {
                    k == kind
                        && ps
                            .iter()
                            .any(|(f, u)| f.as_str() <= at && u.as_deref().is_none_or(|u| u > at))
                })
                .count()
        };
        let (articles, commi) = (count("articolo"), count("comma"));
        let kb_articles: usize = select_at(&kb.data, at, &in_force_query("Article"))[0]["n"]
            .parse()
            .expect("n");
        let kb_commi: usize = select_at(&kb.data, at, &in_force_query("Paragraph"))[0]["n"]
            .parse()
            .expect("n");
        println!("{at}: {articles} articles, {commi} commi in force");
        assert_eq!((kb_articles, kb_commi), (articles, commi), "on {at}");
    }
}

#[test]
fn a_partition_text_changes_where_the_source_says() {
    let Some(kb) = built() else { return };
    let text_at = |at: &str| {
        let rows = select_at(
            &kb.data,
            at,
            &format!(
                "PREFIX eli: <http://data.europa.eu/eli/ontology#>
                 PREFIX paesi: <https://w3id.org/paesi/ontology#>
                 SELECT ?text WHERE {{ <{TU}/art3-com4> paesi:version ?v .
                   ?v paesi:text ?text ; eli:first_date_entry_in_force ?from .
                   OPTIONAL {{ ?v eli:date_no_longer_in_force ?until }}
                   FILTER(?from <= ?at && (!BOUND(?until) || ?until > ?at)) }}"
            ),
        );
        assert_eq!(rows.len(), 1, "one text in force on {at}");
        rows[0]["text"].clone()
    };
    let before = text_at("2002-09-09");
    let after = text_at("2002-09-10");
    // art. 3, comma 4 was replaced by L. 189/2002 with effect from event t7, 10 September 2002
    assert!(
        before.starts_with("Con uno o più decreti del Presidente del Consiglio dei Ministri"),
        "{before}"
    );
    assert!(
        after.starts_with(
            "Con decreto del Presidente del Consiglio dei ministri, sentiti il Comitato"
        ),
        "{after}"
    );
    assert_eq!(text_at("1999-06-01"), before);
    assert_eq!(text_at("2026-01-01"), after);
    // comma 5 did not change: the same text on both days
    let rows = select_at(
        &kb.data,
        "2002-09-10",
        &format!(
            "PREFIX paesi: <https://w3id.org/paesi/ontology#>
             SELECT ?t WHERE {{ <{TU}/art3-com5> paesi:text ?t FILTER NOT EXISTS {{ <{TU}/art3-com5> paesi:version ?v }} }}"
        ),
    );
    assert_eq!(rows.len(), 1);
}

#[test]
fn history_lists_versions_and_the_acts_that_changed_them() {
    let Some(kb) = built() else { return };
    let v = common::run_json(
        &kb.data,
        &[
            "history",
            "--json",
            "urn:nir:stato:decreto.legislativo:1998-07-25;286~art3-com4",
        ],
    );
    assert_eq!(v[0]["iri"], format!("{TU}/art3-com4"));
    let versions = v[0]["versions"].as_array().expect("versions");
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["from"], "1998-09-02");
    assert_eq!(versions[0]["until"], "2002-09-10");
    assert_eq!(versions[0]["status"], "abrogato");
    // t7 is the event of relation rp6: L. 30 luglio 2002, n. 189
    assert_eq!(
        versions[0]["ended_by"],
        "https://w3id.org/paesi/act/stato/legge/2002/189"
    );
    assert_eq!(
        versions[1]["introduced_by"],
        "https://w3id.org/paesi/act/stato/legge/2002/189"
    );
    assert_eq!(versions[1]["until"], serde_json::Value::Null);
}

#[test]
fn dl_36_2025_modifications_land_on_the_partitions_they_target() {
    let Some(kb) = built() else { return };
    let path = kb
        .shared
        .join("corpus/akn/normattiva/dl_2025-03-28_n36_cittadinanza_25G00049.xml");
    let xml = std::fs::read_to_string(path).expect("read DL 36/2025");
    // the active textual modifications, read as plain text: (type, destination)
    let active = &xml[xml.find("<activeModifications>").expect("active")
        ..xml.find("</activeModifications>").expect("end")];
    // the lifecycle: the decree's own publication, then its conversion law's
    let event_dates: Vec<&str> = xml
        .split("<eventRef date=\"")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .collect();
    assert_eq!(event_dates, ["2025-03-28", "2025-05-23"]);
    let mut expected: Vec<(String, String)> = Vec::new();
    let mut expected_dates: Vec<(String, String)> = Vec::new();
    for block in active.split("<textualMod ").skip(1) {
        let kind = block
            .split("type=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("type");
        let dest = block
            .split("<destination href=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("dest");
        // `urn:nir:stato:legge:1992-02-05;91#3 bis` → act IRI + `art3bis`
        let (act, article) = dest.split_once('#').expect("a partition");
        let act_iri = match act {
            "urn:nir:stato:legge:1992-02-05;91" => L91.to_string(),
            "urn:nir:stato:decreto.legislativo:1998-07-25;286" => TU.to_string(),
            other => {
                let (head, number) = other.rsplit_once(';').expect("number");
                let mut parts = head.trim_start_matches("urn:nir:").split(':');
                let (authority, kind, date) = (
                    parts.next().unwrap_or(""),
                    parts.next().unwrap_or(""),
                    parts.next().unwrap_or(""),
                );
                format!(
                    "https://w3id.org/paesi/act/{authority}/{kind}/{}/{number}",
                    &date[..4]
                )
            }
        };
        // `#3 bis` is article 3-bis; `#Allegato` the (only) annex of the act
        let fragment: String = article
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_lowercase();
        let partition = match fragment.strip_prefix("allegato") {
            Some(rest) => format!("all{rest}"),
            None => format!("art{fragment}"),
        };
        let date = if block.contains("convertito con modificazioni") {
            event_dates[1]
        } else {
            event_dates[0]
        };
        expected_dates.push((format!("{act_iri}/{partition}"), date.to_string()));
        expected.push((kind.to_string(), format!("{act_iri}/{partition}")));
    }
    // 10 active modifications (the 13 passive ones are the conversion law's insertions into
    // the decree itself)
    assert_eq!(expected.len(), 10);
    // each with its type and the date of the act that enacted it: the decree, or its
    // conversion law
    let rows = common::select(
        &kb.data,
        "PREFIX paesi: <https://w3id.org/paesi/ontology#>
         SELECT ?type ?dest ?date WHERE { ?m a paesi:Modification ; paesi:direction \"active\" ;
           paesi:modificationType ?type ; paesi:destination ?dest ; paesi:date ?date ;
           paesi:source ?s . FILTER(STRSTARTS(STR(?s), \"https://w3id.org/paesi/act/stato/decreto.legge/2025/36\")) }",
    );
    let mut got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r["type"].clone(), r["dest"].clone(), r["date"].clone()))
        .collect();
    got.sort();
    let mut expected_full: Vec<(String, String, String)> = expected
        .iter()
        .zip(&expected_dates)
        .map(|((kind, dest), (_, date))| (kind.clone(), dest.clone(), date.clone()))
        .collect();
    expected_full.sort();
    assert_eq!(got, expected_full);
    assert!(expected_dates.iter().any(|(_, d)| d == "2025-05-23"));
    assert!(expected_dates.iter().any(|(_, d)| d == "2025-03-28"));
    let on_l91 = expected.iter().filter(|(_, d)| d.starts_with(L91)).count();
    assert!(
        on_l91 * 2 > expected.len(),
        "most target L. 91/1992: {on_l91}"
    );
    // the one on the Testo unico is the very node the NIR Testo unico produced (art. 27)
    let tu: HashSet<&str> = expected
        .iter()
        .filter(|(_, d)| d.starts_with(TU))
        .map(|(_, d)| d.as_str())
        .collect();
    assert_eq!(tu, HashSet::from([format!("{TU}/art27").as_str()]));
    let rows = common::select(
        &kb.data,
        &format!(
            "PREFIX paesi: <https://w3id.org/paesi/ontology#>
             SELECT ?g WHERE {{ GRAPH ?g {{ <{TU}/art27> a paesi:Article }} }}"
        ),
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0]["g"],
        "https://w3id.org/paesi/graph/act/stato/decreto.legislativo/1998/286"
    );
    // the passive ones (`destination href="#ins_1"`) land on the partitions holding the
    // inserted text: every one a partition of the decree in the KB
    let rows = common::select(
        &kb.data,
        "PREFIX paesi: <https://w3id.org/paesi/ontology#>
         SELECT ?dest ?act WHERE { ?m paesi:direction \"passive\" ; paesi:destinationText ?t ;
           paesi:destination ?dest . OPTIONAL { ?dest paesi:act ?act }
           FILTER(STRSTARTS(?t, \"#ins_\")) }",
    );
    assert_eq!(rows.len(), 13);
    for r in &rows {
        assert_eq!(
            r.get("act").map(String::as_str),
            Some("https://w3id.org/paesi/act/stato/decreto.legge/2025/36"),
            "{r:?}"
        );
    }
}
