//! The procedure catalogue (`ontology/procedures/`): SHACL conformance (CPSV-AP 3.2.0 and the
//! project's shapes), its legal bases against a KB built from `corpus/`, `ontology/` and the
//! shared corpus, the two directions procedure → norms and norm → procedures, and `gaps`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{fresh_dir, paesi, run_json};

fn project() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn procedures_dir() -> PathBuf {
    project().join("ontology/procedures")
}

/// The procedure files (one procedure each; `_…` files hold shared nodes).
fn procedure_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(procedures_dir())
        .expect("ontology/procedures")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "ttl")
                && !p
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('_'))
        })
        .collect();
    files.sort();
    files
}

/// The legal-basis URNs each procedure file writes, read from the Turtle text.
fn urns_in_files() -> BTreeMap<String, BTreeSet<String>> {
    procedure_files()
        .iter()
        .map(|f| {
            let id = f
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("stem")
                .to_string();
            let text = std::fs::read_to_string(f).expect("read procedure");
            let urns = text
                .split("paesi:urn \"")
                .skip(1)
                .filter_map(|r| r.split('"').next())
                .map(str::to_string)
                .collect();
            (id, urns)
        })
        .collect()
}

struct Built {
    data: PathBuf,
}

/// One KB for this test binary: the project's corpus and ontology and the shared AKN and NIR.
fn built() -> Option<&'static Built> {
    static KB: OnceLock<Option<Built>> = OnceLock::new();
    KB.get_or_init(|| {
        let shared = common::shared_dir()?;
        let data = fresh_dir("catalogue");
        let out = paesi()
            .arg("--data")
            .arg(&data)
            .arg("ingest")
            .arg(project().join("corpus"))
            .arg(project().join("ontology"))
            .arg(shared.join("corpus/akn"))
            .arg(shared.join("corpus/nir"))
            .output()
            .expect("run paesi ingest");
        // the German LegalDocML.de files are refused: exit 1, everything else ingested
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        // duplicate eIds of real Normattiva exports are kept with a located warning
        for line in stderr.lines() {
            assert!(
                line.contains("legaldocml-de") || line.contains(": warning: duplicate id "),
                "unexpected failure: {line}"
            );
        }
        Some(Built { data })
    })
    .as_ref()
}

/// Whether pyshacl can run here; under CI a missing validator is a failure.
fn pyshacl() -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import pyshacl"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok && std::env::var("CI").as_deref() == Ok("true") {
        panic!("pyshacl is not installed (pip install pyshacl); .ci/run installs it");
    }
    if !ok {
        eprintln!("skipped: pyshacl is not installed");
    }
    ok
}

fn validate(procedures: &Path) -> std::process::Output {
    let shared = common::shared_dir().expect("shared corpus");
    std::process::Command::new("python3")
        .arg(project().join("tests/shacl/validate.py"))
        .arg(&shared)
        .arg(procedures)
        .output()
        .expect("run validate.py")
}

#[test]
fn the_catalogue_conforms_to_cpsv_ap_and_to_the_project_shapes() {
    if common::shared_dir().is_none() || !pyshacl() {
        return;
    }
    let out = validate(&procedures_dir());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // a broken copy: one procedure loses its competent authority
    let broken = procedures_copy("catalogue-broken");
    let victim = broken.join("visto-ingresso.ttl");
    let text = std::fs::read_to_string(&victim).expect("read");
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("cv:hasCompetentAuthority"))
        .collect();
    assert_eq!(kept.len() + 1, text.lines().count(), "one line removed");
    std::fs::write(&victim, kept.join("\n")).expect("write");
    let out = validate(&broken);
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("hasCompetentAuthority"), "{report}");
}

/// A copy of ontology/procedures in a fresh directory, for a test to break.
fn procedures_copy(name: &str) -> PathBuf {
    let broken = fresh_dir(name).join("procedures");
    std::fs::create_dir_all(&broken).expect("mkdir");
    for e in std::fs::read_dir(procedures_dir()).expect("dir") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, broken.join(p.file_name().expect("name"))).expect("copy");
    }
    broken
}

#[test]
fn a_verification_outside_the_three_states_breaks_the_shapes() {
    if common::shared_dir().is_none() || !pyshacl() {
        return;
    }
    let broken = procedures_copy("catalogue-verification");
    let victim = broken.join("protezione-internazionale-domanda.ttl");
    let text = std::fs::read_to_string(&victim).expect("read");
    assert_eq!(text.matches("paesi:verification \"outdated\"").count(), 4);
    std::fs::write(
        &victim,
        text.replacen(
            "paesi:verification \"outdated\"",
            "paesi:verification \"probably\"",
            1,
        ),
    )
    .expect("write");
    let out = validate(&broken);
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("paesi:verification is one of"), "{report}");
}

#[test]
fn every_procedure_of_the_catalogue_is_listed() {
    let Some(kb) = built() else { return };
    let list = run_json(&kb.data, &["procedure", "--json"]);
    let ids: BTreeSet<String> = list
        .as_array()
        .expect("list")
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_string())
        .collect();
    let files: BTreeSet<String> = urns_in_files().into_keys().collect();
    assert_eq!(ids, files);
    assert!(ids.len() >= 21);
    // filters: words (accents ignored) and category
    let found = run_json(
        &kb.data,
        &["procedure", "--json", "cittadinanza", "matrimonio"],
    );
    assert_eq!(found[0]["id"], "cittadinanza-matrimonio");
    assert_eq!(found.as_array().map(Vec::len), Some(1));
    let citizenship = run_json(
        &kb.data,
        &["procedure", "--json", "--category", "Citizenship"],
    );
    let got: BTreeSet<&str> = citizenship
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(
        got,
        BTreeSet::from(["cittadinanza-matrimonio", "cittadinanza-residenza"])
    );
}

/// `procedure ID --json` for every procedure.
fn shown(data: &Path, at: &str) -> BTreeMap<String, serde_json::Value> {
    urns_in_files()
        .into_keys()
        .map(|id| {
            let v = run_json(data, &["procedure", "--json", "--at", at, &id]);
            (id, v)
        })
        .collect()
}

#[test]
fn every_legal_basis_is_in_the_kb_or_listed_by_gaps() {
    let Some(kb) = built() else { return };
    let views = shown(&kb.data, "2025-06-01");
    let gaps = run_json(&kb.data, &["gaps", "--json"]);
    let gaps = gaps.as_array().expect("gaps");
    let files = urns_in_files();
    let mut in_kb = 0;
    let mut listed = 0;
    for (id, view) in &views {
        let bases = view["legal_bases"].as_array().expect("bases");
        let urns: BTreeSet<String> = bases
            .iter()
            .map(|b| b["urn"].as_str().expect("urn").to_string())
            .collect();
        assert_eq!(&urns, &files[id], "{id}: the legal bases the file writes");
        for b in bases {
            let urn = b["urn"].as_str().expect("urn");
            let act_urn = urn.split('~').next().expect("act");
            if b["in_kb"] == true {
                in_kb += 1;
                assert!(b["text"].is_string() || b["text"].is_null());
                continue;
            }
            let gap = gaps.iter().find(|g| {
                g["missing_partitions"]
                    .as_array()
                    .is_some_and(|m| m.iter().any(|p| p == urn))
                    || (g["partial"] == false && g["urn"] == act_urn)
            });
            let Some(gap) = gap else {
                panic!("{id}: {urn} is neither in the KB nor listed by gaps");
            };
            assert!(
                gap["procedures"]
                    .as_array()
                    .is_some_and(|p| p.iter().any(|x| x == id.as_str())),
                "{id} missing from {gap}"
            );
            listed += 1;
        }
    }
    let total: usize = files.values().map(BTreeSet::len).sum();
    assert_eq!(in_kb + listed, total);
    // the Testo unico is in the KB: its bases found there are the partitions whose own URN
    // (kept on each node as `paesi:urn`) is the very URN the catalogue writes
    let tu_urns: BTreeSet<&String> = files
        .values()
        .flatten()
        .filter(|u| u.starts_with("urn:nir:stato:decreto.legislativo:1998-07-25;286~"))
        .collect();
    let rows = common::select(
        &kb.data,
        "SELECT DISTINCT ?u WHERE { ?p <https://w3id.org/paesi/ontology#urn> ?u ;
           <https://w3id.org/paesi/ontology#act> ?a
           FILTER(STRSTARTS(?u, \"urn:nir:stato:decreto.legislativo:1998-07-25;286~\")) }",
    );
    let in_tu: BTreeSet<String> = rows.into_iter().map(|r| r["u"].clone()).collect();
    let tu_in_kb: BTreeSet<&String> = tu_urns
        .iter()
        .copied()
        .filter(|u| in_tu.contains(*u))
        .collect();
    let shown_in_kb: BTreeSet<String> = views
        .values()
        .flat_map(|v| v["legal_bases"].as_array().cloned().unwrap_or_default())
        .filter(|b| b["in_kb"] == true)
        .filter_map(|b| b["urn"].as_str().map(str::to_string))
        .filter(|u| u.starts_with("urn:nir:stato:decreto.legislativo:1998-07-25;286~"))
        .collect();
    assert_eq!(
        tu_in_kb.into_iter().cloned().collect::<BTreeSet<_>>(),
        shown_in_kb
    );
}

#[test]
fn norm_to_procedures_is_the_inverse_of_procedure_to_norms() {
    let Some(kb) = built() else { return };
    let views = shown(&kb.data, "2025-06-01");
    let mut forward: BTreeSet<(String, String)> = BTreeSet::new();
    for (id, view) in &views {
        for b in view["legal_bases"].as_array().expect("bases") {
            forward.insert((id.clone(), b["norm"].as_str().expect("norm").to_string()));
        }
    }
    let norms: BTreeSet<&String> = forward.iter().map(|(_, n)| n).collect();
    let mut backward: BTreeSet<(String, String)> = BTreeSet::new();
    for n in norms {
        let v = run_json(&kb.data, &["norm", "--json", n]);
        for p in v["procedures"].as_array().expect("procedures") {
            backward.insert((
                p["id"].as_str().expect("id").to_string(),
                p["norm"].as_str().expect("norm").to_string(),
            ));
        }
    }
    assert_eq!(forward, backward);
    assert_eq!(
        forward.len(),
        urns_in_files().values().map(BTreeSet::len).sum::<usize>()
    );
}

#[test]
fn a_procedure_shows_the_text_of_its_norms_in_force() {
    let Some(kb) = built() else { return };
    // D.Lgs. 25/2008 art. 27 comma 2, from the project's excerpt, read on the XML
    let xml = std::fs::read_to_string(
        project().join("corpus/nir/dlgs_2008-01-28_n25_procedure_estratto.xml"),
    )
    .expect("read D.Lgs. 25/2008");
    let start = xml.find("<comma id=\"art27-com2\">").expect("art. 27 c. 2");
    let corpo = &xml[start..];
    let corpo =
        &corpo[corpo.find("<corpo>").expect("corpo") + 7..corpo.find("</corpo>").expect("end")];
    // the text without its markup (the `rif` elements), whitespace collapsed
    let mut plain = String::new();
    let mut in_tag = false;
    for c in corpo.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let expected = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    let view = run_json(
        &kb.data,
        &[
            "procedure",
            "--json",
            "--at",
            "2025-06-01",
            "protezione-internazionale-domanda",
        ],
    );
    let basis = view["legal_bases"]
        .as_array()
        .expect("bases")
        .iter()
        .find(|b| b["urn"] == "urn:nir:stato:decreto.legislativo:2008-01-28;25~art27-com2")
        .expect("the time-limit basis");
    assert_eq!(basis["text"], expected.as_str());
    assert_eq!(basis["in_kb"], true);
    // an act the KB lacks is marked, with its Normattiva link (DL 5/2012, for the registry
    // office registration)
    let view = run_json(
        &kb.data,
        &[
            "procedure",
            "--json",
            "--at",
            "2025-06-01",
            "iscrizione-anagrafica",
        ],
    );
    let missing = view["legal_bases"]
        .as_array()
        .expect("bases")
        .iter()
        .find(|b| b["urn"] == "urn:nir:stato:decreto.legge:2012-02-09;5~art5-com3")
        .expect("DL 5/2012");
    assert_eq!(missing["act_in_kb"], false);
    assert_eq!(missing["in_kb"], false);
    assert!(missing["text"].is_null());
    assert_eq!(
        missing["normattiva"],
        "https://www.normattiva.it/uri-res/N2Ls?urn:nir:stato:decreto.legge:2012-02-09;5"
    );
    // in another language
    let en = run_json(
        &kb.data,
        &[
            "procedure",
            "--json",
            "--lang",
            "ar",
            "cittadinanza-residenza",
        ],
    );
    assert_eq!(en["title"], "الجنسية الإيطالية بالإقامة (التجنّس)");
}

#[test]
fn gaps_rank_missing_acts_by_the_procedures_resting_on_them() {
    let Some(kb) = built() else { return };
    let gaps = run_json(&kb.data, &["gaps", "--json"]);
    let gaps = gaps.as_array().expect("gaps");
    // the ministerial decree of 6 October 2011 (the permit contribution) is not in the KB:
    // the procedures citing it, found in the Turtle text
    let expected: Vec<String> = urns_in_files()
        .into_iter()
        .filter(|(_, urns)| {
            urns.iter()
                .any(|u| u.starts_with("urn:nir:ministero.economia.finanze:decreto:2011-10-06"))
        })
        .map(|(id, _)| id)
        .collect();
    assert!(expected.len() > 1);
    let gap = gaps
        .iter()
        .find(|g| g["urn"] == "urn:nir:ministero.economia.finanze:decreto:2011-10-06")
        .expect("DM 6 ottobre 2011 listed");
    let got: Vec<String> = gap["procedures"]
        .as_array()
        .expect("procedures")
        .iter()
        .filter_map(|p| p.as_str().map(str::to_string))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(gap["partial"], false);
    // with their titles in the language asked for, read from the Turtle files
    let en = run_json(&kb.data, &["gaps", "--json", "--lang", "en"]);
    let en_gap = en
        .as_array()
        .expect("gaps")
        .iter()
        .find(|g| g["urn"] == "urn:nir:ministero.economia.finanze:decreto:2011-10-06")
        .expect("listed in English too");
    let titles: Vec<String> = expected
        .iter()
        .map(|id| {
            let text = std::fs::read_to_string(procedures_dir().join(format!("{id}.ttl")))
                .expect("procedure file");
            text.split("\"@en")
                .next()
                .and_then(|before| before.rsplit('"').next())
                .expect("an English title")
                .to_string()
        })
        .collect();
    assert_eq!(en_gap["procedure_titles"], serde_json::json!(titles));
    // ranked: procedures first, then citations
    let keys: Vec<(usize, u64)> = gaps
        .iter()
        .map(|g| {
            (
                g["procedures"].as_array().map_or(0, Vec::len),
                g["citations"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(keys, sorted);
}

#[test]
fn a_legal_basis_that_is_not_a_urn_is_refused_where_it_is_written() {
    let dir = fresh_dir("catalogue-bad").join("procedures");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let text =
        std::fs::read_to_string(procedures_dir().join("cittadinanza-residenza.ttl")).expect("read");
    let bad = text.replacen(
        "urn:nir:stato:legge:1992-02-05;91~art10",
        "urn:nir:legge:91/1992",
        1,
    );
    let offset = bad.find("urn:nir:legge:91/1992").expect("planted");
    let line = bad[..offset].lines().count();
    let col = offset - bad[..offset].rfind('\n').map_or(0, |i| i + 1) + 1;
    std::fs::write(dir.join("cittadinanza-residenza.ttl"), bad).expect("write");
    let data = fresh_dir("catalogue-bad-kb");
    let out = paesi()
        .arg("--data")
        .arg(&data)
        .args(["ingest", "--json"])
        .arg(&dir)
        .output()
        .expect("run ingest");
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let f = &report["failures"][0];
    assert_eq!(f["line"], line);
    assert_eq!(f["col"], col);
    assert!(
        f["message"]
            .as_str()
            .expect("message")
            .contains("urn:nir:legge:91/1992")
    );
    assert_eq!(report["documents"], 0);
    assert_eq!(report["ontology_files"], 0);
}

/// How many figures each procedure file states, counted in the Turtle text: each figure is
/// typed once, `a paesi:…Figure ;` (or `a cv:Cost , paesi:AmountFigure ;`).
fn figures_in_files() -> BTreeMap<String, usize> {
    procedure_files()
        .iter()
        .map(|f| {
            let id = f
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("stem")
                .to_string();
            let text = std::fs::read_to_string(f).expect("read procedure");
            let n = [
                "TimeLimitFigure ;",
                "ValidityFigure ;",
                "AmountFigure ;",
                "AuthorityFigure ;",
            ]
            .iter()
            .map(|c| text.matches(&format!("paesi:{c}")).count())
            .sum();
            (id, n)
        })
        .collect()
}

#[test]
fn every_catalogue_figure_has_its_comma_and_every_surface_marks_the_unverified() {
    let Some(kb) = built() else { return };
    let expected = figures_in_files();
    let bases = urns_in_files();
    let mut total = 0;
    for (id, view) in shown(&kb.data, "2025-06-01") {
        let figures = view["figures"].as_array().expect("figures");
        assert_eq!(figures.len(), expected[&id], "{id}");
        total += figures.len();
        for f in figures {
            let basis = f["basis"].as_str().expect("basis");
            assert!(
                bases[&id].contains(basis),
                "{id}: {basis} is not a legal basis"
            );
            assert!(
                f["norm"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("https://w3id.org/paesi/act/")),
                "{f}"
            );
            let v = f["verification"].as_str().expect("verification");
            assert!(["verified", "unverified", "outdated"].contains(&v), "{f}");
            assert_eq!(f["checked_on"].is_string(), v != "unverified", "{f}");
            assert_eq!(f["checked_against"].is_string(), v != "unverified", "{f}");
        }
    }
    assert_eq!(total, expected.values().sum::<usize>());

    // the CLI marks an unverified figure where it prints it: the citizenship time limit (24
    // months, art. 9-ter: nobody could check it) is never printed bare
    let out = paesi()
        .arg("--data")
        .arg(&kb.data)
        .args([
            "procedure",
            "cittadinanza-residenza",
            "--at",
            "2025-06-01",
            "--lang",
            "en",
        ])
        .output()
        .expect("procedure");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("processingTime"), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with("- time limit: 2 years"))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(
        lines[i + 1],
        "    basis urn:nir:stato:legge:1992-02-05;91~art9ter-com1; UNVERIFIED: nobody checked it against the law in force, not to be taken as law"
    );
    let verified = lines
        .iter()
        .position(|l| l.starts_with("- amount: 250 euro"))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(
        lines[verified + 1],
        "    basis urn:nir:stato:legge:1992-02-05;91~art9bis-com2; verified against the law in force on 2026-06-04"
    );
}

#[test]
fn a_figure_without_its_comma_breaks_the_shapes() {
    if common::shared_dir().is_none() || !pyshacl() {
        return;
    }
    let broken = procedures_copy("catalogue-figure");
    let victim = broken.join("permesso-ue-lungo-periodo.ttl");
    let text = std::fs::read_to_string(&victim).expect("read");
    let line = "    paesi:basis \"urn:nir:stato:decreto.legislativo:1998-07-25;286~art9-com2\" ;\n";
    assert_eq!(
        text.matches(line).count(),
        3,
        "time limit, validity, validity for minors"
    );
    std::fs::write(&victim, text.replacen(line, "", 1)).expect("write");
    let out = validate(&broken);
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("A figure has exactly one paesi:basis"),
        "{report}"
    );
}
