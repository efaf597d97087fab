//! Several expressions of one act coexist: a newer Normattiva export adds versions and never
//! erases history; re-ingesting an expression changes nothing; the order of ingest does not
//! matter. The later expression is made by the test from the real export of L. 56/2007 (its
//! expression date moved to 2020-01-01, one comma reworded, one article dropped).

mod common;

use std::path::{Path, PathBuf};

use common::{fresh_dir, paesi, run_json, select, select_at};

const ACT: &str = "https://w3id.org/paesi/act/stato/legge/2007/56";
const OLD_WORDS: &str = "possono essere organizzate";
const NEW_WORDS: &str = "sono organizzate";

/// The real export (expression of 2007-05-06) and the test's later expression (2020-01-01).
fn expressions(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let shared = common::shared_dir()?;
    let original = shared.join("corpus/akn/normattiva/legge_56_2007.xml");
    let xml = std::fs::read_to_string(&original).expect("read L. 56/2007");
    assert_eq!(xml.matches("ita@2007-05-06").count(), 4);
    assert_eq!(xml.matches("<FRBRdate date=\"2007-05-06\"").count(), 1);
    assert_eq!(xml.matches(OLD_WORDS).count(), 1);
    let start = xml.find("<article eId=\"art_2\">").expect("art. 2");
    let end = start + xml[start..].find("</article>").expect("end of art. 2") + "</article>".len();
    let later = format!("{}{}", &xml[..start], &xml[end..])
        .replace("ita@2007-05-06", "ita@2020-01-01")
        .replace(
            "<FRBRdate date=\"2007-05-06\"",
            "<FRBRdate date=\"2020-01-01\"",
        )
        .replace(OLD_WORDS, NEW_WORDS);
    let copy = dir.join("legge_56_2007_vig2020.xml");
    std::fs::write(&copy, later).expect("write the later expression");
    Some((original, copy))
}

fn ingest(data: &Path, files: &[&Path]) -> serde_json::Value {
    let mut args = vec!["ingest", "--json"];
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    run_json(data, &args)
}

/// The text of a partition on a day, through its versions.
fn text_at(data: &Path, partition: &str, at: &str) -> Vec<String> {
    select_at(
        data,
        at,
        &format!(
            "PREFIX eli: <http://data.europa.eu/eli/ontology#>
             PREFIX paesi: <https://w3id.org/paesi/ontology#>
             SELECT ?text WHERE {{ <{ACT}/{partition}> paesi:version ?v .
               ?v paesi:text ?text ; eli:first_date_entry_in_force ?from .
               OPTIONAL {{ ?v eli:date_no_longer_in_force ?until }}
               FILTER(?from <= ?at && (!BOUND(?until) || ?until > ?at)) }}"
        ),
    )
    .into_iter()
    .map(|r| r["text"].clone())
    .collect()
}

fn quads(data: &Path) -> u64 {
    run_json(data, &["stats", "--json"])["quads"]
        .as_u64()
        .expect("quads")
}

#[test]
fn a_newer_expression_adds_versions_and_keeps_history() {
    let data = fresh_dir("expressions");
    let Some((original, later)) = expressions(&data) else {
        return;
    };
    ingest(&data, &[&original]);
    // one expression: no versions, the partition's own text is the text
    assert_eq!(
        text_at(&data, "art1-com2", "2010-01-01"),
        Vec::<String>::new()
    );
    let report = ingest(&data, &[&later]);
    assert_eq!(report["replaced"], 0);
    let linked = &report["expressions"][0];
    assert_eq!(linked["act"], ACT);
    assert_eq!(linked["expressions"], 2);
    // the graphs: one per expression
    let graphs = select(
        &data,
        &format!(
            "SELECT ?g WHERE {{ GRAPH ?g {{ <{ACT}> <https://w3id.org/paesi/ontology#sourceFormat> ?f }} }} ORDER BY ?g"
        ),
    );
    let graphs: Vec<&str> = graphs.iter().map(|r| r["g"].as_str()).collect();
    assert_eq!(
        graphs,
        [
            "https://w3id.org/paesi/graph/act/stato/legge/2007/56/@2007-05-06",
            "https://w3id.org/paesi/graph/act/stato/legge/2007/56/@2020-01-01"
        ]
    );
    // the text on a day between the two expressions, and after the second
    let before = text_at(&data, "art1-com2", "2010-01-01");
    assert_eq!(before.len(), 1);
    assert!(before[0].contains(OLD_WORDS), "{before:?}");
    let after = text_at(&data, "art1-com2", "2021-01-01");
    assert_eq!(after.len(), 1);
    assert!(after[0].contains(NEW_WORDS) && !after[0].contains(OLD_WORDS));
    // the two texts differ exactly by the reworded words
    assert_eq!(before[0].replace(OLD_WORDS, NEW_WORDS), after[0]);
    // art. 2 is in the first expression only: in force in 2010, not in 2021
    assert_eq!(text_at(&data, "art2-com1", "2010-01-01").len(), 1);
    assert_eq!(text_at(&data, "art2-com1", "2021-01-01").len(), 0);
    // the partition's current text is the newest expression's, and only that
    let current = select(
        &data,
        &format!(
            "SELECT ?t WHERE {{ <{ACT}/art1-com2> <https://w3id.org/paesi/ontology#text> ?t }}"
        ),
    );
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["t"], after[0]);

    // the text index follows: the old wording is found on a day of the first expression only
    let search = |data: &Path, at: &str| -> u64 {
        let out = paesi()
            .arg("--data")
            .arg(data)
            .args(["search", "--json", "--at", at, &format!("\"{OLD_WORDS}\"")])
            .output()
            .expect("run search");
        let hits: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        hits["total"].as_u64().expect("total")
    };
    assert_eq!(search(&data, "2010-01-01"), 1);
    assert_eq!(search(&data, "2021-01-01"), 0);

    // re-ingesting either expression changes nothing
    let before_quads = quads(&data);
    let again = ingest(&data, &[&later, &original]);
    assert_eq!(again["replaced"], 2);
    assert_eq!(quads(&data), before_quads);
    assert_eq!(text_at(&data, "art1-com2", "2010-01-01"), before);

    // the other order gives the same KB
    let reversed = fresh_dir("expressions-reversed");
    ingest(&reversed, &[&later]);
    ingest(&reversed, &[&original]);
    assert_eq!(quads(&reversed), before_quads);
    assert_eq!(text_at(&reversed, "art1-com2", "2010-01-01"), before);
    assert_eq!(text_at(&reversed, "art1-com2", "2021-01-01"), after);
    assert_eq!(search(&reversed, "2010-01-01"), 1);
    assert_eq!(search(&reversed, "2021-01-01"), 0);

    // history lists both versions with their periods
    let out = paesi()
        .arg("--data")
        .arg(&data)
        .args(["history", "--json", &format!("{ACT}/art1-com2")])
        .output()
        .expect("run history");
    assert!(out.status.success());
    let history: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let text = history.to_string();
    assert!(
        text.contains("2007-05-06") && text.contains("2020-01-01"),
        "{text}"
    );
}
