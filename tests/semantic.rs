//! Semantic markup and annotations through the real binary: the TLCs and inline semantic
//! elements of every shared AKN document (and the NIR definitions and subjects) against an
//! independent count on the XML; the annotator against hand labels on 50 commi of the Testo
//! unico; `procedure --check` on the real catalogue and on a copy with a planted error.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{fresh_dir, ontology_copy, paesi, select};

const PAESI: &str = "https://w3id.org/paesi/ontology#";
const ALLOT: &str = "https://w3id.org/akn/ontology/allot/";
const TU: &str = "https://w3id.org/paesi/act/stato/decreto.legislativo/1998/286";

/// The inline semantic elements of AKN the parser reads.
const INLINE: &[&str] = &[
    "term",
    "def",
    "person",
    "organization",
    "role",
    "location",
    "date",
    "quantity",
    "concept",
    "entity",
    "event",
    "object",
    "process",
];

/// Per element name: TLCs anywhere (they live in `<meta><references>`, an attachment's own
/// `<meta>` included), inline elements and NIR `def` outside `<meta>` and outside quoted
/// structures, NIR `materia` anywhere. A plain tag scanner, no XML library.
fn count_semantics(bytes: &[u8]) -> BTreeMap<String, usize> {
    let text = String::from_utf8_lossy(bytes);
    let mut counts = BTreeMap::new();
    let (mut meta, mut quoted) = (0usize, 0usize);
    for common::Tag {
        name,
        closing,
        empty,
        ..
    } in common::tags(&text)
    {
        let is_quote = common::is_quote(name);
        if closing {
            if name == "meta" {
                meta = meta.saturating_sub(1);
            }
            if is_quote {
                quoted = quoted.saturating_sub(1);
            }
            continue;
        }
        if name == "meta" && !empty {
            meta += 1;
        }
        if is_quote && !empty {
            quoted += 1;
        }
        let counted = if name.starts_with("TLC") || name == "materia" {
            true
        } else {
            meta == 0 && quoted == 0 && INLINE.contains(&name)
        };
        if counted {
            *counts.entry(name.to_string()).or_insert(0) += 1;
        }
    }
    counts
}

struct Built {
    data: PathBuf,
    report: serde_json::Value,
}

/// The KB of the shared AKN and NIR documents plus the catalogue, built once.
fn built() -> Option<&'static Built> {
    static KB: OnceLock<Option<Built>> = OnceLock::new();
    KB.get_or_init(|| {
        let shared = common::shared_dir()?;
        let data = fresh_dir("semantic");
        let out = paesi()
            .arg("--data")
            .arg(&data)
            .args(["ingest", "--json"])
            .arg(shared.join("corpus/akn"))
            .arg(shared.join("corpus/nir"))
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("ontology"))
            .output()
            .expect("run paesi ingest");
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("ingest --json prints a report");
        Some(Built { data, report })
    })
    .as_ref()
}

fn per_graph(data: &Path, sparql: &str) -> HashMap<(String, String), usize> {
    select(data, sparql)
        .into_iter()
        .map(|r| {
            (
                (r["g"].clone(), r["k"].clone()),
                r["n"].parse().expect("count"),
            )
        })
        .collect()
}

#[test]
fn tlcs_inline_elements_definitions_and_subjects_match_the_xml() {
    let Some(kb) = built() else { return };
    let entities = per_graph(
        &kb.data,
        &format!(
            "SELECT ?g ?k (COUNT(DISTINCT ?x) AS ?n) WHERE {{ GRAPH ?g {{ ?x <{PAESI}entityId> ?id ; a ?c }}
               FILTER(STRSTARTS(STR(?c), \"{ALLOT}\")) BIND(CONCAT(\"TLC\", STRAFTER(STR(?c), \"{ALLOT}\")) AS ?k) }} GROUP BY ?g ?k"
        ),
    );
    let mentions = per_graph(
        &kb.data,
        &format!(
            "SELECT ?g ?k (COUNT(DISTINCT ?m) AS ?n) WHERE {{ GRAPH ?g {{ ?m a <{PAESI}Mention> ; <{PAESI}element> ?k }} }} GROUP BY ?g ?k"
        ),
    );
    let subjects = per_graph(
        &kb.data,
        "SELECT ?g (\"materia\" AS ?k) (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?a <http://purl.org/dc/terms/subject> ?s } } GROUP BY ?g",
    );
    let mut last: HashMap<String, String> = HashMap::new();
    for f in kb.report["files"].as_array().expect("files") {
        if let (Some(g), Some(p)) = (f["graph"].as_str(), f["path"].as_str())
            && p.ends_with(".xml")
        {
            last.insert(g.to_string(), p.to_string());
        }
    }
    let (mut mismatches, mut total, mut documents) = (Vec::new(), 0usize, 0usize);
    for (graph, path) in &last {
        let xml = count_semantics(&std::fs::read(path).expect("read corpus file"));
        if xml.is_empty() {
            continue;
        }
        documents += 1;
        for (name, &n) in &xml {
            let key = (graph.clone(), name.clone());
            let got = if name.starts_with("TLC") {
                entities.get(&key)
            } else if name == "materia" {
                subjects.get(&key)
            } else {
                mentions.get(&key)
            }
            .copied()
            .unwrap_or(0);
            total += n;
            if got != n {
                mismatches.push(format!("{path}: {name}: KB {got}, XML {n}"));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    println!("{documents} documents, {total} semantic elements checked");
    // the shared corpus as it is (AKN documents with TLCs or inline elements, NIR documents
    // with `def` or `materia`): a change there must be looked at, not passed over
    assert_eq!((documents, total), (90, 1998));
}

#[test]
fn definitions_are_skos_concepts_of_the_defining_partition() {
    let Some(kb) = built() else { return };
    // Codice del consumo, art. 3, comma 1, lettera f): "codice: il presente decreto legislativo…"
    let rows = select(
        &kb.data,
        &format!(
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
             SELECT ?label ?where WHERE {{ ?c a skos:Concept ; skos:prefLabel ?label ; <{PAESI}definedIn> ?where ;
               skos:definition ?d FILTER(STRSTARTS(?d, \"codice: il presente decreto legislativo\")) }}"
        ),
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["label"], "codice");
    assert!(rows[0]["where"].ends_with("/art3-com1-letf"), "{rows:?}");
}

/// One hand label: kind, value, and the character span of its surface in the comma.
#[derive(Debug, Clone)]
struct Label {
    kind: String,
    value: String,
    start: usize,
    end: usize,
}

/// The hand labels by comma id, each surface located in the comma's text (word-bounded,
/// the n-th occurrence for the n-th label with that surface).
fn gold(texts: &HashMap<String, String>) -> BTreeMap<String, Vec<Label>> {
    let data = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/annotations-286.tsv"),
    )
    .expect("read labels");
    let mut out: BTreeMap<String, Vec<Label>> = BTreeMap::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for line in data
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        let id = f[0].to_string();
        let labels = out.entry(id.clone()).or_default();
        if f[1] == "none" {
            continue;
        }
        let text = texts.get(&id).unwrap_or_else(|| panic!("no text for {id}"));
        let chars: Vec<char> = text.to_lowercase().chars().collect();
        let surface: Vec<char> = f[2].to_lowercase().chars().collect();
        let nth = seen.entry((id.clone(), f[2].to_string())).or_insert(0);
        let mut found = 0;
        let mut at = None;
        for i in 0..chars.len().saturating_sub(surface.len() - 1) {
            let bounded = (i == 0 || !chars[i - 1].is_alphanumeric())
                && chars
                    .get(i + surface.len())
                    .is_none_or(|c| !c.is_alphanumeric());
            if bounded && chars[i..i + surface.len()] == surface[..] {
                if found == *nth {
                    at = Some(i);
                    break;
                }
                found += 1;
            }
        }
        let start = at.unwrap_or_else(|| panic!("{id}: {:?} not in the text", f[2]));
        *nth += 1;
        let value = if f[1] == "time-limit" {
            canonical_duration(f[3])
        } else {
            f[3].to_string()
        };
        labels.push(Label {
            kind: f[1].to_string(),
            value,
            start,
            end: start + surface.len(),
        });
    }
    out
}

/// The value of a stored annotation written the way the labels write it.
fn label_value(kind: &str, value: &str, currency: Option<&str>) -> String {
    let last = |s: &str| s.rsplit('/').next().unwrap_or(s).to_string();
    match kind {
        "amount" => format!("{value} {}", last(currency.unwrap_or(""))),
        "time-limit" => canonical_duration(value),
        _ => last(value),
    }
}

/// A one-unit duration written canonically, as the store writes it: 12 months are `P1Y`.
fn canonical_duration(d: &str) -> String {
    let body = d.trim_start_matches('P');
    let (n, unit) = body.split_at(body.len() - 1);
    match (n.parse::<u64>(), unit) {
        (Ok(n), "M") if n % 12 == 0 => format!("P{}Y", n / 12),
        _ => d.to_string(),
    }
}

#[test]
fn the_annotator_matches_hand_labels_on_fifty_commi() {
    let Some(kb) = built() else { return };
    let texts: HashMap<String, String> = select(
        &kb.data,
        &format!(
            "SELECT ?id ?t WHERE {{ ?c <{PAESI}act> <{TU}> ; <{PAESI}partitionId> ?id ; <{PAESI}text> ?t }}"
        ),
    )
    .into_iter()
    .map(|r| (r["id"].clone(), r["t"].clone()))
    .collect();
    let gold = gold(&texts);
    assert_eq!(gold.len(), 50);
    let classes = [
        ("TimeLimitAnnotation", "time-limit"),
        ("AmountAnnotation", "amount"),
        ("AuthorityAnnotation", "authority"),
        ("PermitAnnotation", "permit"),
    ];
    let mut predicted: HashMap<String, Vec<Label>> = HashMap::new();
    for r in select(
        &kb.data,
        &format!(
            "SELECT ?id ?c ?s ?e ?v ?cur WHERE {{ ?p <{PAESI}act> <{TU}> ; <{PAESI}partitionId> ?id ;
               <{PAESI}annotation> ?a . ?a a ?c ; <{PAESI}start> ?s ; <{PAESI}end> ?e ; <{PAESI}value> ?v .
               OPTIONAL {{ ?a <{PAESI}currency> ?cur }} }}"
        ),
    ) {
        if !gold.contains_key(&r["id"]) {
            continue;
        }
        let class = r["c"].trim_start_matches(PAESI);
        let Some((_, kind)) = classes.iter().find(|(c, _)| *c == class) else {
            continue;
        };
        predicted.entry(r["id"].clone()).or_default().push(Label {
            kind: kind.to_string(),
            value: label_value(kind, &r["v"], r.get("cur").map(String::as_str)),
            start: r["s"].parse().expect("start"),
            end: r["e"].parse().expect("end"),
        });
    }
    // a prediction is right when a label of its kind and value overlaps it (one to one)
    let mut per_kind: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new(); // tp, fp, fn
    let mut errors = Vec::new();
    for (id, labels) in &gold {
        let mut used = vec![false; labels.len()];
        for p in predicted.get(id).map(Vec::as_slice).unwrap_or(&[]) {
            let hit = labels.iter().enumerate().position(|(i, l)| {
                !used[i]
                    && l.kind == p.kind
                    && l.value == p.value
                    && l.start < p.end
                    && p.start < l.end
            });
            let e = per_kind.entry(p.kind.clone()).or_default();
            match hit {
                Some(i) => {
                    used[i] = true;
                    e.0 += 1;
                }
                None => {
                    e.1 += 1;
                    errors.push(format!(
                        "{id}: spurious {} {} at {}",
                        p.kind, p.value, p.start
                    ));
                }
            }
        }
        for (i, l) in labels.iter().enumerate() {
            if !used[i] {
                per_kind.entry(l.kind.clone()).or_default().2 += 1;
                errors.push(format!(
                    "{id}: missed {} {} at {}",
                    l.kind, l.value, l.start
                ));
            }
        }
    }
    let (tp, fp, fnn) = per_kind
        .values()
        .fold((0, 0, 0), |a, v| (a.0 + v.0, a.1 + v.1, a.2 + v.2));
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    for (k, (t, f, n)) in &per_kind {
        println!(
            "{k}: precision {:.3} ({t}/{}), recall {:.3} ({t}/{})",
            ratio(*t, t + f),
            t + f,
            ratio(*t, t + n),
            t + n
        );
    }
    let (precision, recall) = (ratio(tp, tp + fp), ratio(tp, tp + fnn));
    println!(
        "all: precision {precision:.3} ({tp}/{}), recall {recall:.3} ({tp}/{})",
        tp + fp,
        tp + fnn
    );
    for e in &errors {
        println!("  {e}");
    }
    assert!(precision >= 0.95, "precision {precision:.3}");
    assert!(recall >= 0.85, "recall {recall:.3}");
}

/// `paesi procedure ID --check --json` with its exit code.
fn check(data: &Path, id: &str, at: &str) -> (Option<i32>, serde_json::Value) {
    let out = paesi()
        .arg("--data")
        .arg(data)
        .args(["procedure", id, "--check", "--at", at, "--json"])
        .output()
        .expect("run paesi procedure --check");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    (out.status.code(), json)
}

fn disagreements(report: &serde_json::Value) -> Vec<String> {
    report["aspects"]
        .as_array()
        .expect("aspects")
        .iter()
        .filter(|a| a["outcome"] == "disagree")
        .map(|a| a["aspect"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The figures (last segment of their IRI) whose comma in force says something else.
fn figure_disagreements(report: &serde_json::Value) -> Vec<String> {
    report["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .filter(|f| f["reading"] == "disagree")
        .map(figure_name)
        .collect()
}

fn figure_name(f: &serde_json::Value) -> String {
    let iri = f["figure"]["iri"].as_str().unwrap_or_default();
    iri.rsplit('/').next().unwrap_or(iri).to_string()
}

#[test]
fn check_finds_a_planted_disagreement() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    // a copy of the catalogue where the long-term permit takes 120 days, not 90
    let (data, ontology) = ontology_copy("check-planted", "permesso-ue-lungo-periodo.ttl", |ttl| {
        // the processing time and the figure that states it
        assert_eq!(ttl.matches("\"P90D\"^^xsd:duration").count(), 2);
        ttl.replace("\"P90D\"^^xsd:duration", "\"P120D\"^^xsd:duration")
    });
    let status = paesi()
        .arg("--data")
        .arg(&data)
        .args(["ingest", "--json"])
        .arg(shared.join("corpus/nir/xmleges-samples/286-paesi.xml"))
        .arg(&ontology)
        .output()
        .expect("ingest")
        .status;
    assert!(status.success());
    let (code, report) = check(&data, "permesso-ue-lungo-periodo", "2025-06-01");
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(disagreements(&report), vec!["time-limit"]);
    // the time limit planted, and the validities the 2008 text does not state («a tempo
    // indeterminato»)
    assert_eq!(
        figure_disagreements(&report),
        vec![
            "figure-time-rilascio",
            "figure-validity-permesso",
            "figure-validity-permesso-minori"
        ]
    );
    let time = report["aspects"]
        .as_array()
        .expect("aspects")
        .iter()
        .find(|a| a["aspect"] == "time-limit")
        .expect("time-limit aspect");
    assert_eq!(time["catalogue"], serde_json::json!(["120 days (P120D)"]));
    assert_eq!(
        time["law"],
        serde_json::json!(["90 days («entro novanta giorni», art9-com2)"])
    );
    assert!(time["message"].as_str().expect("message").contains(
        "the catalogue says 120 days (P120D), the text in force on 2025-06-01 says 90 days"
    ));
    let figure = report["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .find(|f| figure_name(f) == "figure-time-rilascio")
        .expect("the time-limit figure");
    assert_eq!(
        figure["message"],
        "time limit 120 days: the catalogue cites art9-com2, which in force on 2025-06-01 says 90 days («entro novanta giorni», art9-com2)"
    );
    // the real catalogue agrees on that procedure's time limit
    let Some(kb) = built() else { return };
    let (_, real) = check(&kb.data, "permesso-ue-lungo-periodo", "2025-06-01");
    let time = real["aspects"]
        .as_array()
        .expect("aspects")
        .iter()
        .find(|a| a["aspect"] == "time-limit")
        .expect("time-limit aspect");
    assert_eq!(time["outcome"], "agree");
    let figure = real["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .find(|f| figure_name(f) == "figure-time-rilascio")
        .expect("the time-limit figure");
    assert_eq!(figure["outcome"], "agree");
}

#[test]
fn paesi_check_catches_a_figure_bound_to_the_wrong_comma() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    // the ninety days of the long-term permit bound to art. 9 c. 1 (a basis of the procedure,
    // which says nothing of them) instead of c. 2
    let (data, ontology) = ontology_copy(
        "check-wrong-comma",
        "permesso-ue-lungo-periodo.ttl",
        |ttl| {
            let right = "paesi:basis \"urn:nir:stato:decreto.legislativo:1998-07-25;286~art9-com2\" ;\n    paesi:states cv:processingTime";
            assert_eq!(ttl.matches(right).count(), 1);
            ttl.replace(right, &right.replace("art9-com2", "art9-com1"))
        },
    );
    let out = paesi()
        .arg("--data")
        .arg(&data)
        .args(["ingest", "--json"])
        .arg(shared.join("corpus/nir/xmleges-samples/286-paesi.xml"))
        .arg(&ontology)
        .output()
        .expect("ingest");
    assert!(out.status.success());
    let out = paesi()
        .arg("--data")
        .arg(&data)
        .args([
            "check",
            "permesso-ue-lungo-periodo",
            "--at",
            "2025-06-01",
            "--json",
        ])
        .output()
        .expect("check");
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let figures = report["procedures"][0]["figures"]
        .as_array()
        .expect("figures");
    let wrong = figures
        .iter()
        .find(|f| figure_name(f) == "figure-time-rilascio")
        .expect("the time-limit figure");
    assert_eq!(wrong["outcome"], "disagree");
    assert_eq!(wrong["stated_elsewhere"], serde_json::json!(["art9-com2"]));
    assert_eq!(
        wrong["message"],
        "time limit 90 days: the catalogue cites art9-com1, which in force on 2025-06-01 says 5 years («almeno cinque anni», art9-com1); the value is stated by art9-com2"
    );
    // the wrong comma and the validities the 2008 text does not state: 3 in all
    assert_eq!(report["totals"]["disagree"], 3);
}

#[test]
fn check_on_the_real_catalogue_lists_the_genuine_disagreements() {
    let Some(kb) = built() else { return };
    let ids: Vec<String> = select(
        &kb.data,
        &format!(
            "SELECT ?id WHERE {{ ?p a <{PAESI}Procedure> ; <http://purl.org/dc/terms/identifier> ?id }} ORDER BY ?id"
        ),
    )
    .into_iter()
    .map(|r| r["id"].clone())
    .collect();
    assert_eq!(ids.len(), 21);
    let mut found = BTreeMap::new();
    let mut found_figures = BTreeMap::new();
    for id in &ids {
        let (code, report) = check(&kb.data, id, "2025-06-01");
        let d = disagreements(&report);
        let f = figure_disagreements(&report);
        assert_eq!(
            code,
            Some(if d.is_empty() && f.is_empty() { 0 } else { 1 }),
            "{id}"
        );
        if !f.is_empty() {
            found_figures.insert(id.clone(), f);
        }
        for a in report["aspects"].as_array().expect("aspects") {
            println!("{id}: {}", a["message"].as_str().unwrap_or_default());
        }
        if !d.is_empty() {
            found.insert(id.clone(), d);
        }
    }
    println!("{found:#?}");
    assert_eq!(found, owned(EXPECTED_DISAGREEMENTS));
    assert_eq!(found_figures, owned(EXPECTED_FIGURE_DISAGREEMENTS));
}

/// A table of expected disagreements as the map the test collects.
fn owned(table: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    table
        .iter()
        .map(|(id, names)| {
            (
                id.to_string(),
                names.iter().map(|n| n.to_string()).collect(),
            )
        })
        .collect()
}

/// The figures whose own comma, in the shared Testo unico (a text of 2008), says something
/// else: each read in `corpus/nir/xmleges-samples/286-paesi.xml` of the shared corpus. The
/// figures were checked against the text in force on 2026-06-04 (LEGAL-FACTS.md); the KB's
/// older text disagrees, which is what `paesi check` must say.
const EXPECTED_FIGURE_DISAGREEMENTS: &[(&str, &[&str])] = &[
    // art. 5 c. 9: «entro venti giorni»
    ("conversione-permesso", &["figure-time-rilascio"]),
    // art. 22 c. 6: «Entro otto giorni dall'ingresso»; c. 5: «termine massimo di quaranta giorni»
    (
        "nulla-osta-lavoro-subordinato",
        &["figure-time-contratto-soggiorno", "figure-time-nulla-osta"],
    ),
    ("permesso-cure-mediche", &["figure-time-rilascio"]),
    // art. 5 c. 3-quater names the consular representation's certification, not the Questore
    (
        "permesso-lavoro-autonomo",
        // figures come by kind: time limits, validities, amounts, authorities
        &["figure-time-rilascio", "figure-authority-questura"],
    ),
    (
        "permesso-lavoro-subordinato",
        &["figure-time-contratto-soggiorno", "figure-time-rilascio"],
    ),
    ("permesso-motivi-familiari", &["figure-time-rilascio"]),
    ("permesso-studio", &["figure-time-rilascio"]),
    // art. 9 c. 2: «a tempo indeterminato»
    (
        "permesso-ue-lungo-periodo",
        &[
            "figure-validity-permesso",
            "figure-validity-permesso-minori",
        ],
    ),
    // art. 29 c. 8: «Trascorsi novanta giorni»
    ("ricongiungimento-nulla-osta", &["figure-time-nulla-osta"]),
    ("rinnovo-permesso", &["figure-time-rilascio"]),
];

/// The genuine disagreements between the 2025 catalogue and the shared Testo unico (a text
/// of 2008): explained in BENCHMARKS.md.
const EXPECTED_DISAGREEMENTS: &[(&str, &[&str])] = &[
    // art. 5, c. 9: "entro venti giorni" in the 2008 text, ninety days in the text in force
    // on 2026-06-04 (shared/reference/LEGAL-FACTS.md)
    ("conversione-permesso", &["time-limit"]),
    // art. 22, c. 5: "termine massimo di quaranta giorni" in the 2008 text, sixty today
    ("nulla-osta-lavoro-subordinato", &["time-limit"]),
    ("permesso-cure-mediche", &["time-limit"]),
    // art. 5, c. 9 as above (the catalogue now names the consular representation of
    // art. 26, c. 5 beside the Questore, so the authority agrees)
    ("permesso-lavoro-autonomo", &["time-limit"]),
    ("permesso-lavoro-subordinato", &["time-limit"]),
    ("permesso-motivi-familiari", &["time-limit"]),
    ("permesso-studio", &["time-limit"]),
    // art. 29, c. 8 (the comma of the 150 days in the text in force on 2026-06-04, per
    // shared/reference/LEGAL-FACTS.md) reads «Trascorsi novanta giorni» in the 2008 text
    ("ricongiungimento-nulla-osta", &["time-limit"]),
    ("rinnovo-permesso", &["time-limit"]),
];

#[test]
fn every_paesi_term_in_use_is_documented_in_italian_and_english() {
    let Some(kb) = built() else { return };
    let rows = select(
        &kb.data,
        &format!(
            "SELECT DISTINCT ?t WHERE {{ {{ ?s ?t ?o }} UNION {{ ?s a ?t }} FILTER(STRSTARTS(STR(?t), \"{PAESI}\")) }}"
        ),
    );
    let mut undocumented = Vec::new();
    for r in &rows {
        let t = &r["t"];
        let docs = select(
            &kb.data,
            &format!(
                "SELECT (LANG(?l) AS ?ll) (LANG(?c) AS ?cl) WHERE {{ <{t}> <http://www.w3.org/2000/01/rdf-schema#label> ?l ;
                   <http://www.w3.org/2000/01/rdf-schema#comment> ?c }}"
            ),
        );
        for lang in ["it", "en"] {
            if !docs.iter().any(|d| d["ll"] == lang) || !docs.iter().any(|d| d["cl"] == lang) {
                undocumented.push(format!("{t} ({lang})"));
            }
        }
    }
    assert!(undocumented.is_empty(), "{undocumented:#?}");
    assert!(rows.len() >= 60, "{}", rows.len());
}
