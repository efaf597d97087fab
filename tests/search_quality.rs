//! Search quality on operator questions (tests/data/search-quality.tsv): recall@10 and mean
//! reciprocal rank per language over a KB of the Testo unico and the catalogue, each
//! question's expected partitions or procedures labelled by reading the text, not by running
//! the search. Questions in English, French, Spanish and Arabic find procedures through their
//! translations (issue 13).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{fresh_dir, paesi, run_json, select};

const TU_PREFIX: &str = "https://w3id.org/paesi/act/stato/decreto.legislativo/1998/286/";
const PROCEDURE_PREFIX: &str = "https://w3id.org/paesi/procedure/";

/// One question of the set.
struct Question {
    text: String,
    expected: Vec<String>,
    lang: String,
}

/// The questions of the TSV, `TU/` and `P/` expanded.
fn questions() -> Vec<Question> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/search-quality.tsv");
    let text = std::fs::read_to_string(&path).expect("read questions");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 4, "question, expected, note, language: {l}");
            let expected = cols[1]
                .split_whitespace()
                .map(|e| {
                    if let Some(rest) = e.strip_prefix("TU/") {
                        format!("{TU_PREFIX}{rest}")
                    } else if let Some(rest) = e.strip_prefix("P/") {
                        format!("{PROCEDURE_PREFIX}{rest}")
                    } else {
                        e.to_string()
                    }
                })
                .collect();
            Question {
                text: cols[0].to_string(),
                expected,
                lang: cols[3].to_string(),
            }
        })
        .collect()
}

/// The KB of the quality set, built once for this test binary: the Testo unico and
/// `ontology/` (the catalogue).
fn kb() -> Option<&'static PathBuf> {
    static KB: OnceLock<Option<PathBuf>> = OnceLock::new();
    KB.get_or_init(|| {
        let shared = common::shared_dir()?;
        let data = fresh_dir("search-quality");
        let out = paesi()
            .arg("--data")
            .arg(&data)
            .arg("ingest")
            .arg(shared.join("corpus/nir/xmleges-samples/286-paesi.xml"))
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("ontology"))
            .output()
            .expect("ingest");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(data)
    })
    .as_ref()
}

/// The IRIs of the first ten hits of `paesi search` (in force today).
fn top10(data: &Path, q: &str) -> Vec<String> {
    let hits = run_json(data, &["search", "--json", "--limit", "10", q]);
    hits["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["iri"].as_str().unwrap_or("").to_string())
        .collect()
}

/// A hit answers the question when it is an expected partition or inside one
/// (`…/art29-com1` inside `…/art29`).
fn relevant(hit: &str, expected: &[String]) -> bool {
    expected.iter().any(|e| {
        hit == e
            || hit
                .strip_prefix(e.as_str())
                .is_some_and(|r| r.starts_with('-'))
    })
}

/// Recall@10 and MRR floors per language: the figures measured when the set was made (in
/// the comments), rounded down, so that losing one question fails.
const FLOORS: &[(&str, usize, f64, f64)] = &[
    // (language, questions, recall floor, MRR floor)
    // it: 35/38 = 0.921, MRR 0.822 (the same before and after the cross-language fields)
    ("it", 38, 0.92, 0.82),
    // en: 9/9, MRR 0.889 (two questions at rank 2). It was 0.944 until the work
    // authorisation's output lost its unfounded "(valid for six months)" (95c4193): that moved
    // BM25's average length, and "Italian citizenship after marrying an Italian" fell to rank
    // 2 behind citizenship by residence, 4.67223 against 4.67217 ("marrying" stems to "marri",
    // "marriage" to "marriag": only "italian citizenship after" match, a near tie). Re-measured,
    // not tuned: the catalogue's English text was left as it is.
    ("en", 9, 1.0, 0.88),
    // fr: 7/8 = 0.875, MRR 0.812 ("permis de séjour pour se soigner" missed)
    ("fr", 8, 0.875, 0.81),
    // es: 8/8, MRR 0.812 (three questions at rank 2)
    ("es", 8, 1.0, 0.81),
    // ar: 8/8, MRR 1.000
    ("ar", 8, 1.0, 1.0),
];

#[test]
fn recall_at_10_and_mrr_on_operator_questions() {
    let Some(data) = kb() else {
        return;
    };
    let qs = questions();
    assert_eq!(qs.len(), 71);
    // per language: (questions, found, sum of reciprocal ranks)
    let mut by_lang: BTreeMap<&str, (usize, usize, f64)> = BTreeMap::new();
    for q in &qs {
        let hits = top10(data, &q.text);
        let rank = hits.iter().position(|h| relevant(h, &q.expected));
        let figures = by_lang.entry(q.lang.as_str()).or_default();
        figures.0 += 1;
        match rank {
            Some(r) => {
                figures.1 += 1;
                figures.2 += 1.0 / (r + 1) as f64;
                println!("{}  rank {:>2}  {}", q.lang, r + 1, q.text);
            }
            None => println!("{}     miss  {}", q.lang, q.text),
        }
    }
    let mut failed = Vec::new();
    for &(lang, n, recall_floor, mrr_floor) in FLOORS {
        let (count, found, reciprocal) = by_lang.get(lang).copied().unwrap_or_default();
        assert_eq!(count, n, "questions in {lang}");
        let recall = found as f64 / count as f64;
        let mrr = reciprocal / count as f64;
        println!("{lang}: recall@10 {recall:.3} ({found}/{count}), MRR {mrr:.3}");
        if recall < recall_floor || mrr < mrr_floor {
            failed.push(format!(
                "{lang}: recall@10 {recall:.3} (floor {recall_floor}), MRR {mrr:.3} (floor {mrr_floor})"
            ));
        }
    }
    let (count, found, reciprocal) = by_lang
        .values()
        .fold((0, 0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    println!(
        "all: recall@10 {:.3} ({found}/{count}), MRR {:.3}",
        found as f64 / count as f64,
        reciprocal / count as f64
    );
    assert!(failed.is_empty(), "{failed:?}");
}

/// The four questions of issue 13 put the nulla osta for family reunification among the
/// first three hits, and through it the Italian norms are reached: its legal bases include
/// art. 29, comma 1 of the Testo unico with the text the store holds (its own, then its
/// points).
#[test]
fn the_four_questions_of_the_issue_find_family_reunification_and_its_norms() {
    let Some(data) = kb() else {
        return;
    };
    let nulla_osta = format!("{PROCEDURE_PREFIX}ricongiungimento-nulla-osta");
    for (q, lang) in [
        ("family reunification with my wife", "en"),
        ("regroupement familial", "fr"),
        ("reagrupación familiar", "es"),
        ("لم شمل الأسرة", "ar"),
    ] {
        let hits = top10(data, q);
        let rank = hits.iter().position(|h| *h == nulla_osta);
        assert!(rank.is_some_and(|r| r < 3), "{q}: {hits:?}");
        // its snippet is the passage in the question's language, the words marked
        let found = run_json(data, &["search", "--json", "--kind", "procedure", q]);
        let hit = found["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .find(|h| h["iri"].as_str() == Some(nulla_osta.as_str()))
            .unwrap_or_else(|| panic!("{q}: {found}"));
        assert_eq!(hit["lang"].as_str(), Some(lang), "{q}: {hit}");
        assert!(
            hit["snippet"].as_str().is_some_and(|s| s.contains('«')),
            "{q}: {hit}"
        );
        let view = run_json(
            data,
            &[
                "procedure",
                "--json",
                "--lang",
                lang,
                "ricongiungimento-nulla-osta",
            ],
        );
        let art29 = format!("{TU_PREFIX}art29-com1");
        let basis = view["legal_bases"]
            .as_array()
            .expect("legal bases")
            .iter()
            .find(|b| b["norm"].as_str() == Some(art29.as_str()))
            .unwrap_or_else(|| panic!("{q}: no art. 29 c. 1 among {view}"));
        let stored = select(
            data,
            &format!("SELECT ?t WHERE {{ <{art29}> <https://w3id.org/paesi/ontology#text> ?t }}"),
        );
        assert_eq!(stored.len(), 1);
        // the comma's own text, then its points
        let text = basis["text"].as_str().unwrap_or("");
        assert!(text.starts_with(stored[0]["t"].as_str()), "{q}: {text}");
        assert!(text.contains("a) coniuge;"), "{q}: {text}");
    }
}

#[test]
fn relevance_covers_the_partitions_inside_an_expected_one() {
    let e = vec![format!("{TU_PREFIX}art29")];
    assert!(relevant(&format!("{TU_PREFIX}art29"), &e));
    assert!(relevant(&format!("{TU_PREFIX}art29-com1"), &e));
    assert!(!relevant(&format!("{TU_PREFIX}art29bis"), &e));
    assert!(!relevant(&format!("{TU_PREFIX}art2"), &e));
}
