//! Every named query in `queries/`, run through `paesi query --name` on a KB of the shared
//! corpus, the project corpus and the procedures fixture; expected values come from the XML
//! (scanned without the parser) or from the store's N-Quads export (scanned without SPARQL).

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{fresh_dir, paesi};

const TU: &str = "https://w3id.org/paesi/act/stato/decreto.legislativo/1998/286";
const DL36: &str = "https://w3id.org/paesi/act/stato/decreto.legge/2025/36";
const L91: &str = "https://w3id.org/paesi/act/stato/legge/1992/91";
const ELI: &str = "http://data.europa.eu/eli/ontology#";
const PAESI: &str = "https://w3id.org/paesi/ontology#";
const LAVORO: &str = "https://w3id.org/paesi/procedure/permesso-soggiorno-lavoro-subordinato";
const CITTADINANZA: &str = "https://w3id.org/paesi/procedure/cittadinanza-residenza";

fn project(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A quad of the export as strings: subject, predicate, object (IRIs bare, literals by value).
type Quad = (String, String, String);

struct Kb {
    data: PathBuf,
    shared: PathBuf,
    quads: Vec<Quad>,
    /// (subject, predicate) → objects, over `quads`.
    index: HashMap<(String, String), Vec<String>>,
    report: serde_json::Value,
}

fn kb() -> Option<&'static Kb> {
    static KB: OnceLock<Option<Kb>> = OnceLock::new();
    KB.get_or_init(|| {
        let shared = common::shared_dir()?;
        let data = fresh_dir("named-queries");
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
            .arg(project("tests/fixtures/procedures.ttl"))
            .output()
            .expect("run paesi ingest");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("report");
        let export = paesi()
            .arg("--data")
            .arg(&data)
            .arg("export")
            .output()
            .expect("run paesi export");
        assert!(export.status.success());
        let quads = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::NQuads)
            .for_slice(&export.stdout)
            .map(|q| {
                let q = q.expect("valid N-Quads");
                let term = |t: &oxigraph::model::Term| match t {
                    oxigraph::model::Term::NamedNode(n) => n.as_str().to_string(),
                    oxigraph::model::Term::Literal(l) => l.value().to_string(),
                    other => other.to_string(),
                };
                (
                    term(&q.subject.clone().into()),
                    q.predicate.as_str().to_string(),
                    term(&q.object),
                )
            })
            .collect::<Vec<Quad>>();
        let mut index: HashMap<(String, String), Vec<String>> = HashMap::new();
        for (s, p, o) in &quads {
            index
                .entry((s.clone(), p.clone()))
                .or_default()
                .push(o.clone());
        }
        Some(Kb {
            data,
            shared,
            quads,
            index,
            report,
        })
    })
    .as_ref()
}

/// Runs `paesi query --name NAME --param k=v… --format json` and returns the rows.
fn named(kb: &Kb, name: &str, params: &[(&str, &str)]) -> Vec<HashMap<String, String>> {
    let mut args = vec![
        "--queries".to_string(),
        project("queries").display().to_string(),
        "query".into(),
        "--format".into(),
        "json".into(),
        "--name".into(),
        name.into(),
    ];
    for (k, v) in params {
        args.push("--param".into());
        args.push(format!("{k}={v}"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let v = common::run_json(&kb.data, &args);
    v["results"]["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .map(|row| {
            row.as_object()
                .expect("row")
                .iter()
                .map(|(k, b)| {
                    (
                        k.clone(),
                        b["value"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .collect()
}

fn xml(kb: &Kb, path: &str) -> Vec<u8> {
    std::fs::read(kb.shared.join("corpus").join(path)).expect("corpus file")
}

fn objects<'a>(kb: &'a Kb, s: &str, p: &str) -> impl Iterator<Item = &'a str> + 'a {
    kb.index
        .get(&(s.to_string(), p.to_string()))
        .into_iter()
        .flatten()
        .map(String::as_str)
}

#[test]
fn the_list_names_every_file() {
    let out = paesi()
        .arg("--queries")
        .arg(project("queries"))
        .args(["query", "--list"])
        .output()
        .expect("run paesi query --list");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let listed: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let mut files: Vec<String> = std::fs::read_dir(project("queries"))
        .expect("queries")
        .filter_map(|e| {
            let p = e.ok()?.path();
            let stem = p.file_stem()?.to_string_lossy().into_owned();
            (p.extension()? == "rq").then_some(stem)
        })
        .collect();
    files.sort();
    assert_eq!(listed, files);
    assert!(files.len() >= 17, "{files:?}");
    // every query states its title
    assert_eq!(
        text.lines()
            .filter(|l| !l.starts_with(' ') && l.split_whitespace().count() > 1)
            .count(),
        files.len()
    );
}

#[test]
fn every_named_query_runs_with_its_defaults() {
    let Some(kb) = kb() else { return };
    for e in std::fs::read_dir(project("queries")).expect("queries") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "rq") {
            let name = p.file_stem().expect("stem").to_string_lossy().into_owned();
            named(kb, &name, &[]);
        }
    }
}

/// A default that names a procedure names one of the project's catalogue
/// (`ontology/procedures/`), so that the query answers on the README's knowledge base: the
/// default of `procedure-norms` named the test fixture's procedure, and answered nothing there.
#[test]
fn procedure_defaults_are_in_the_catalogue() {
    let mut catalogue = String::new();
    for e in std::fs::read_dir(project("ontology/procedures")).expect("catalogue") {
        let p = e.expect("entry").path();
        catalogue.push_str(&std::fs::read_to_string(&p).expect("read"));
    }
    let mut defaults = Vec::new();
    for e in std::fs::read_dir(project("queries")).expect("queries") {
        let text = std::fs::read_to_string(e.expect("entry").path()).expect("read");
        for line in text.lines().filter(|l| l.starts_with("# param:")) {
            if let Some(default) = line
                .rsplit_once("(default ")
                .and_then(|(_, d)| d.strip_suffix(')'))
                .filter(|d| d.contains("/procedure/"))
            {
                defaults.push(default.to_string());
            }
        }
    }
    assert_eq!(
        defaults,
        ["https://w3id.org/paesi/procedure/permesso-lavoro-subordinato"]
    );
    for d in &defaults {
        assert!(catalogue.contains(&format!("<{d}>")), "{d}");
    }
}

#[test]
fn bad_parameters_are_refused() {
    let Some(kb) = kb() else { return };
    for (params, message) in [
        (
            vec!["--param", "act=<x> } #"],
            "is not an act or partition identifier",
        ),
        (vec!["--param", "nope=1"], "has no parameter \"nope\""),
        (vec!["--param", "act"], "expected NAME=VALUE"),
    ] {
        let out = paesi()
            .arg("--data")
            .arg(&kb.data)
            .arg("--queries")
            .arg(project("queries"))
            .args(["query", "--name", "act-structure"])
            .args(&params)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{err}");
    }
}

#[test]
fn acts_and_acts_by_type() {
    let Some(kb) = kb() else { return };
    let acts: BTreeSet<&str> = kb.report["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["act"].as_str())
        .collect();
    let rows = named(kb, "acts", &[]);
    assert_eq!(
        rows.iter()
            .map(|r| r["act"].as_str())
            .collect::<BTreeSet<_>>(),
        acts
    );
    assert_eq!(rows.len(), acts.len());
    let tu_articles = common::count_xml(&xml(kb, "nir/xmleges-samples/286-paesi.xml")).articles;
    let tu = rows.iter().find(|r| r["act"] == TU).expect("TU");
    assert_eq!(tu["articles"], tu_articles.to_string());

    for ty in ["decreto.legislativo", "legge", "decreto.legge"] {
        let expected: BTreeSet<&str> = acts
            .iter()
            .copied()
            .filter(|a| {
                a.strip_prefix("https://w3id.org/paesi/act/")
                    .and_then(|rest| rest.split('/').nth(1))
                    == Some(ty)
            })
            .collect();
        let rows = named(kb, "acts-by-type", &[("type", ty)]);
        assert_eq!(
            rows.iter()
                .map(|r| r["act"].as_str())
                .collect::<BTreeSet<_>>(),
            expected,
            "{ty}"
        );
    }
}

#[test]
fn act_structure_lists_the_articles_in_order() {
    let Some(kb) = kb() else { return };
    for (file, act) in [
        ("nir/xmleges-samples/286-paesi.xml", TU),
        (
            "akn/normattiva/dl_2025-03-28_n36_cittadinanza_25G00049.xml",
            DL36,
        ),
    ] {
        let expected = common::count_xml(&xml(kb, file)).articles;
        let rows = named(kb, "act-structure", &[("act", act)]);
        assert_eq!(rows.len(), expected, "{act}");
        let orders: Vec<u64> = rows
            .iter()
            .map(|r| r["order"].parse().expect("order"))
            .collect();
        assert!(orders.windows(2).all(|w| w[0] < w[1]));
    }
    // by URN:NIR too
    let rows = named(
        kb,
        "act-structure",
        &[("act", "urn:nir:stato:decreto.legislativo:1998-07-25;286")],
    );
    assert_eq!(rows[0]["number"], "Art. 1");
}

/// Commi of the TU in force on `day`, from the XML periods.
fn commi_in_force(periods: &common::Periods, day: &str) -> usize {
    periods
        .iter()
        .filter(|((name, _), ps)| {
            name == "comma"
                && ps.iter().any(|(from, until)| {
                    from.as_str() <= day && until.as_deref().is_none_or(|u| u > day)
                })
        })
        .count()
}

#[test]
fn partitions_in_force_text_and_history_follow_the_xml_periods() {
    let Some(kb) = kb() else { return };
    // ISO-8859-15: the tags are ASCII
    let text = String::from_utf8_lossy(&xml(kb, "nir/xmleges-samples/286-paesi.xml")).into_owned();
    let periods = common::periods_in_xml(&text);
    for day in ["1998-09-01", "2003-01-01", "2010-06-15"] {
        let rows = named(kb, "partitions-in-force", &[("at", day)]);
        let commi = rows
            .iter()
            .filter(|r| r["kind"] == format!("{PAESI}Paragraph"))
            .count();
        assert_eq!(commi, commi_in_force(&periods, day), "{day}");
    }
    // art. 5 comma 2: three versions
    let mut expected = periods[&("comma".to_string(), "art5-com2".to_string())].clone();
    expected.sort();
    let history = named(kb, "partition-history", &[]);
    assert_eq!(
        history
            .iter()
            .map(|r| (r["from"].clone(), r.get("until").cloned()))
            .collect::<Vec<_>>(),
        expected
    );
    // the text on a day inside each period is that period's version
    for (from, until) in &expected {
        let rows = named(kb, "text-at", &[("at", from.as_str())]);
        assert_eq!(rows.len(), 1, "{from}");
        assert_eq!(&rows[0]["from"], from);
        assert_eq!(rows[0].get("until"), until.as_ref());
        let version = history
            .iter()
            .find(|r| &r["from"] == from)
            .expect("version");
        assert_eq!(rows[0]["text"], version["text"]);
    }
    // before the act, nothing
    assert_eq!(named(kb, "text-at", &[("at", "1990-01-01")]).len(), 0);
}

#[test]
fn citations_out_and_in() {
    let Some(kb) = kb() else { return };
    // out: every reference of DL 36/2025 with a target (its XML's refs minus unresolved ones)
    let refs = common::count_xml(&xml(
        kb,
        "akn/normattiva/dl_2025-03-28_n36_cittadinanza_25G00049.xml",
    ))
    .references;
    let dl36_partitions: BTreeSet<&str> = kb
        .quads
        .iter()
        .filter(|q| q.1 == format!("{PAESI}act") && q.2 == DL36)
        .map(|q| q.0.as_str())
        .collect();
    let refs_in_kb: Vec<&str> = kb
        .quads
        .iter()
        .filter(|q| {
            q.1 == format!("{PAESI}citing")
                && (q.2 == DL36 || dl36_partitions.contains(q.2.as_str()))
        })
        .map(|q| q.0.as_str())
        .collect();
    assert_eq!(refs_in_kb.len(), refs);
    let unresolved = refs_in_kb
        .iter()
        .filter(|r| {
            objects(kb, r, &format!("{PAESI}unresolved"))
                .next()
                .is_some()
        })
        .count();
    assert_eq!(named(kb, "cites", &[]).len(), refs - unresolved);

    // in: who cites L. 91/1992 or its partitions
    assert_cited_by(kb, L91, None);
}

#[test]
fn most_cited_partitions() {
    let Some(kb) = kb() else { return };
    let cites = format!("{ELI}cites");
    let mut citing: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for q in kb.quads.iter().filter(|q| q.1 == cites) {
        let last = q.2.rsplit('/').next().unwrap_or("");
        if last.starts_with("art") || last.starts_with("all") {
            citing.entry(q.2.as_str()).or_default().insert(q.0.as_str());
        }
    }
    let mut ranked: Vec<(usize, &str)> = citing.iter().map(|(p, s)| (s.len(), *p)).collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    ranked.truncate(50);
    let rows = named(kb, "most-cited", &[]);
    let got: Vec<(usize, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["citedBy"].parse().expect("count"),
                r["partition"].as_str(),
            )
        })
        .collect();
    assert_eq!(got, ranked);
}

#[test]
fn amendments_made_and_received() {
    let Some(kb) = kb() else { return };
    let dl36 = String::from_utf8(xml(
        kb,
        "akn/normattiva/dl_2025-03-28_n36_cittadinanza_25G00049.xml",
    ))
    .expect("UTF-8");
    let active = &dl36[dl36.find("<activeModifications").expect("active")
        ..dl36.find("</activeModifications>").expect("end")];
    let rows = named(kb, "amends", &[]);
    assert_eq!(rows.len(), active.matches("<textualMod").count());
    assert_eq!(
        rows.iter().filter(|r| r["type"] == "insertion").count(),
        active.matches("type=\"insertion\"").count()
    );

    // L. 91/1992 art. 3-bis: every <destination> naming it, in any corpus file
    let mut expected = 0;
    for dir in ["akn", "nir", "bulk"] {
        for f in common::xml_files(&kb.shared.join("corpus").join(dir)) {
            let text = String::from_utf8_lossy(&std::fs::read(&f).expect("read")).into_owned();
            expected += text
                .matches("<destination href=\"urn:nir:stato:legge:1992-02-05;91#3 bis\"")
                .count();
        }
    }
    let rows = named(kb, "amended-by", &[]);
    assert_eq!(rows.len(), expected);
    assert!(rows.iter().all(|r| r["source"] == format!("{DL36}/art1")));
}

#[test]
fn missing_eu_and_unresolved_references() {
    let Some(kb) = kb() else { return };
    let target = format!("{PAESI}target");
    let described: BTreeSet<&str> = kb
        .quads
        .iter()
        .filter(|q| q.1 == format!("{PAESI}sourceFormat"))
        .map(|q| q.0.as_str())
        .collect();
    let mut missing: BTreeMap<String, usize> = BTreeMap::new();
    // a reference is one node, though two editions of an act (the NIR code and Normattiva's
    // export of R.D. 1398/1930) may state it in two graphs
    let mut eu = BTreeSet::new();
    for q in kb.quads.iter().filter(|q| q.1 == target) {
        if let Some(rest) = q.2.strip_prefix("https://w3id.org/paesi/act/") {
            let act: Vec<&str> = rest.split('/').take(4).collect();
            let act = format!("https://w3id.org/paesi/act/{}", act.join("/"));
            if !described.contains(act.as_str()) {
                *missing.entry(act).or_default() += 1;
            }
        }
        if q.2.starts_with("https://w3id.org/paesi/act/eu/") {
            eu.insert((q.0.as_str(), q.2.as_str()));
        }
    }
    let rows = named(kb, "missing-acts", &[]);
    let got: BTreeMap<String, usize> = rows
        .iter()
        .map(|r| (r["act"].clone(), r["references"].parse().expect("count")))
        .collect();
    assert_eq!(rows.len(), got.len());
    assert_eq!(got, missing);
    assert_eq!(named(kb, "eu-references", &[]).len(), eu.len());
    let unresolved = kb
        .quads
        .iter()
        .filter(|q| q.1 == format!("{PAESI}unresolved"))
        .count();
    assert_eq!(named(kb, "unresolved-references", &[]).len(), unresolved);
}

#[test]
fn procedures_and_their_norms() {
    let Some(kb) = kb() else { return };
    let rows = named(kb, "procedure-norms", &[("procedure", LAVORO)]);
    let got: BTreeSet<(String, String, String)> = rows
        .iter()
        .map(|r| (r["norm"].clone(), r["role"].clone(), r["act"].clone()))
        .collect();
    assert_eq!(
        got,
        BTreeSet::from([
            (
                format!("{TU}/art22"),
                "procedura".to_string(),
                TU.to_string()
            ),
            (
                format!("{TU}/art5-com2"),
                "requisiti".to_string(),
                TU.to_string()
            ),
        ])
    );
    let rows = named(kb, "procedure-norms", &[("procedure", CITTADINANZA)]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["urn"], "urn:nir:stato:legge:1992-02-05;91~art9");

    for (norm, expected) in [
        (TU, vec![(LAVORO, "art22"), (LAVORO, "art5-com2")]),
        (
            "urn:nir:stato:decreto.legislativo:1998-07-25;286~art5",
            vec![(LAVORO, "art5-com2")],
        ),
        (
            "urn:nir:stato:legge:1992-02-05;91",
            vec![(CITTADINANZA, "art9")],
        ),
        ("urn:nir:stato:legge:1992-02-05;91~art10", vec![]),
    ] {
        let rows = named(kb, "procedures-on-norm", &[("norm", norm)]);
        let got: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r["procedure"].as_str(),
                    r["basis"].rsplit('/').next().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(got, expected, "{norm}");
    }

    // changed after a day: dated modifications and versions of the bases or of the
    // partitions inside them (eli:is_part_of, followed on the export)
    let bases = [
        (LAVORO, format!("{TU}/art5-com2")),
        (LAVORO, format!("{TU}/art22")),
        (CITTADINANZA, format!("{L91}/art9")),
    ];
    let since = "2002-01-01";
    let part_of = format!("{ELI}is_part_of");
    let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
    for q in kb.quads.iter().filter(|q| q.1 == part_of) {
        children.entry(q.2.as_str()).or_default().push(q.0.as_str());
    }
    let mut expected: BTreeSet<(String, String, String, String)> = BTreeSet::new();
    let modifications: Vec<&str> = kb
        .quads
        .iter()
        .filter(|q| {
            q.1 == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
                && q.2 == format!("{PAESI}Modification")
        })
        .map(|q| q.0.as_str())
        .collect();
    for (procedure, basis) in &bases {
        let mut inside: BTreeSet<&str> = BTreeSet::from([basis.as_str()]);
        let mut todo = vec![basis.as_str()];
        while let Some(p) = todo.pop() {
            for c in children.get(p).into_iter().flatten() {
                if inside.insert(c) {
                    todo.push(c);
                }
            }
        }
        let mut add = |changed: &str, date: &str| {
            if date > since {
                expected.insert((
                    procedure.to_string(),
                    basis.clone(),
                    changed.to_string(),
                    date.to_string(),
                ));
            }
        };
        for m in &modifications {
            for dest in objects(kb, m, &format!("{PAESI}destination")) {
                if inside.contains(dest) {
                    for date in objects(kb, m, &format!("{PAESI}date")) {
                        add(dest, date);
                    }
                }
            }
        }
        for changed in &inside {
            for v in objects(kb, changed, &format!("{PAESI}version")) {
                for date in objects(kb, v, &format!("{ELI}first_date_entry_in_force")) {
                    add(changed, date);
                }
            }
        }
    }
    let rows = named(kb, "procedures-changed-since", &[("since", since)]);
    let got: BTreeSet<(String, String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["procedure"].clone(),
                r["basis"].clone(),
                r["changed"].clone(),
                r["date"].clone(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert!(
        expected.len() >= 2,
        "the fixture's bases changed after {since}: {expected:?}"
    );
}

/// Checks `cited-by` for `act` (its default when `param` is None) against a scan of every
/// `eli:cites` of the export for the IRI, or the IRI as a prefix: the same rows, each once.
fn assert_cited_by(kb: &Kb, act: &str, param: Option<&str>) {
    let cites = format!("{ELI}cites");
    let act_of: HashMap<&str, &str> = kb
        .quads
        .iter()
        .filter(|q| q.1 == format!("{PAESI}act"))
        .map(|q| (q.0.as_str(), q.2.as_str()))
        .collect();
    let expected: BTreeSet<(String, String, String)> = kb
        .quads
        .iter()
        .filter(|q| q.1 == cites && (q.2 == act || q.2.starts_with(&format!("{act}/"))))
        .map(|q| {
            let citing_act = act_of.get(q.0.as_str()).copied().unwrap_or(q.0.as_str());
            (citing_act.to_string(), q.0.clone(), q.2.clone())
        })
        .collect();
    assert!(!expected.is_empty(), "{act} is cited");
    let params: Vec<(&str, &str)> = param.map(|p| ("act", p)).into_iter().collect();
    let rows = named(kb, "cited-by", &params);
    let got: BTreeSet<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["citingAct"].clone(),
                r["citing"].clone(),
                r["cited"].clone(),
            )
        })
        .collect();
    assert_eq!(rows.len(), got.len(), "{act}");
    assert_eq!(got, expected, "{act}");
}

/// The act an act or partition IRI belongs to, by the shape of the IRI alone: a partition's
/// IRI is its act's, "/" and one segment. `acts` are the act IRIs to choose from.
fn act_among<'a>(acts: &BTreeSet<&'a str>, iri: &str) -> Option<&'a str> {
    if let Some(a) = acts.get(iri) {
        return Some(a);
    }
    let (parent, _) = iri.rsplit_once('/')?;
    acts.get(parent).copied()
}

#[test]
fn cited_by_and_amended_by_are_lookups_that_miss_nothing() {
    let Some(kb) = kb() else { return };
    let cites = format!("{ELI}cites");
    let cites_act = format!("{PAESI}citesAct");
    let destination = format!("{PAESI}destination");

    // the mapping: each citing node names, once, the act of every partition or act it cites
    let said: BTreeSet<(&str, &str)> = kb
        .quads
        .iter()
        .filter(|q| q.1 == cites_act)
        .map(|q| (q.0.as_str(), q.2.as_str()))
        .collect();
    let acts: BTreeSet<&str> = said.iter().map(|(_, a)| *a).collect();
    let mut wanted = BTreeSet::new();
    for q in kb.quads.iter().filter(|q| q.1 == cites) {
        let act = act_among(&acts, &q.2).unwrap_or_else(|| panic!("no citesAct for {}", q.2));
        wanted.insert((q.0.as_str(), act));
    }
    assert_eq!(said, wanted);
    // and each modification what its destination lies inside: the act (the one prefix
    // ending at `/`, with no `/` after it), then each prefix of the id ending at a `-`
    let destination_within = format!("{PAESI}destinationWithin");
    let mut known_acts: BTreeSet<&str> = acts.clone();
    known_acts.extend(
        kb.quads
            .iter()
            .filter(|q| q.1 == format!("{PAESI}sourceFormat"))
            .map(|q| q.0.as_str()),
    );
    for q in kb.quads.iter().filter(|q| q.1 == destination) {
        let within = objects(kb, &q.0, &destination_within);
        known_acts.extend(within.filter(|w| q.2.as_bytes().get(w.len()) == Some(&b'/')));
    }
    let mut destinations = 0;
    let mut whole_acts = 0;
    for q in kb.quads.iter().filter(|q| q.1 == destination) {
        let within: BTreeSet<&str> = objects(kb, &q.0, &destination_within).collect();
        destinations += 1;
        if within.is_empty() {
            // the destination is an act: a partition of no act the store knows (an ingested
            // act, an act cited, the act of another modification's destination)
            let partition_of = known_acts.iter().find(|a| {
                q.2.strip_prefix(**a)
                    .is_some_and(|rest| rest.starts_with('/'))
            });
            assert_eq!(partition_of, None, "{q:?} has no destinationWithin");
            whole_acts += 1;
            continue;
        }
        let ends: Vec<u8> = within
            .iter()
            .map(|w| {
                assert!(
                    q.2.starts_with(w) && q.2.len() > w.len(),
                    "{q:?} within {w}"
                );
                q.2.as_bytes()[w.len()]
            })
            .collect();
        assert!(
            ends.iter().all(|b| *b == b'/' || *b == b'-'),
            "{q:?} {within:?}"
        );
        let act: Vec<&&str> = within
            .iter()
            .filter(|w| q.2.as_bytes()[w.len()] == b'/')
            .collect();
        assert_eq!(act.len(), 1, "{q:?} {within:?}");
        let id = &q.2[act[0].len() + 1..];
        assert!(!id.contains('/'), "{q:?}");
        assert_eq!(
            within.len(),
            1 + id.matches('-').count(),
            "{q:?} {within:?}"
        );
    }
    assert!(destinations > 1000, "{destinations} modifications");
    assert!(
        whole_acts < destinations / 10,
        "{whole_acts} of {destinations}"
    );

    // cited-by for the acts cited most, and for a partition
    let mut by_citations: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, a) in &said {
        *by_citations.entry(a).or_default() += 1;
    }
    let mut ranked: Vec<(usize, &str)> = by_citations.iter().map(|(a, n)| (*n, *a)).collect();
    ranked.sort_by(|x, y| y.cmp(x));
    let mut asked: Vec<String> = ranked.iter().take(6).map(|(_, a)| a.to_string()).collect();
    asked.push(format!("{TU}/art5"));
    for act in &asked {
        assert_cited_by(kb, act, Some(act));
    }

    // amended-by for the Testo unico as a whole, its articles amended most, a comma and
    // L. 91/1992 art. 3-bis: the rows a scan of every modification for the destination (or
    // one inside it) finds
    let declared_by: HashMap<&str, &str> = kb
        .quads
        .iter()
        .filter(|q| q.1 == format!("{PAESI}modification"))
        .map(|q| (q.2.as_str(), q.0.as_str()))
        .collect();
    let one = |m: &str, p: &str| objects(kb, m, &format!("{PAESI}{p}")).next().unwrap_or("");
    let expected_amended_by = |p: &str| -> Vec<[String; 5]> {
        let mut rows: Vec<[String; 5]> = kb
            .quads
            .iter()
            .filter(|q| {
                q.1 == destination
                    && (q.2 == p
                        || q.2.starts_with(&format!("{p}-"))
                        || q.2.starts_with(&format!("{p}/")))
            })
            .map(|q| {
                [
                    q.2.clone(),
                    one(&q.0, "modificationType").to_string(),
                    one(&q.0, "source").to_string(),
                    one(&q.0, "date").to_string(),
                    declared_by.get(q.0.as_str()).expect("declared").to_string(),
                ]
            })
            .collect();
        rows.sort();
        rows
    };
    let mut amended: BTreeMap<&str, usize> = BTreeMap::new();
    for q in kb.quads.iter().filter(|q| q.1 == destination) {
        *amended.entry(q.2.as_str()).or_default() += 1;
    }
    let tu_articles: BTreeMap<String, usize> = amended
        .iter()
        .filter_map(|(d, n)| {
            let id = d.strip_prefix(&format!("{TU}/"))?;
            Some((format!("{TU}/{}", id.split('-').next()?), *n))
        })
        .fold(BTreeMap::new(), |mut m, (a, n)| {
            *m.entry(a).or_default() += n;
            m
        });
    let mut articles: Vec<(usize, String)> = tu_articles.into_iter().map(|(a, n)| (n, a)).collect();
    articles.sort_by(|x, y| y.cmp(x));
    let mut asked: Vec<String> = vec![TU.to_string(), format!("{L91}/art3bis")];
    asked.extend(articles.iter().take(4).map(|(_, a)| a.clone()));
    let comma = amended
        .iter()
        .filter(|(d, _)| d.starts_with(&format!("{TU}/")) && d.contains("-com"))
        .max_by_key(|(d, n)| (**n, std::cmp::Reverse(**d)))
        .map(|(d, _)| d.to_string())
        .expect("an amended comma of the Testo unico");
    asked.push(comma);
    for p in &asked {
        let expected = expected_amended_by(p);
        assert!(!expected.is_empty(), "{p} is amended");
        let mut got: Vec<[String; 5]> = named(kb, "amended-by", &[("partition", p)])
            .into_iter()
            .map(|r| {
                let v = |k: &str| r.get(k).cloned().unwrap_or_default();
                [
                    v("destination"),
                    v("type"),
                    v("source"),
                    v("date"),
                    v("declaredBy"),
                ]
            })
            .collect();
        got.sort();
        assert_eq!(got, expected, "{p}");
    }
}
