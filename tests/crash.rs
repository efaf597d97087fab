//! Crash safety (issue 16): `paesi ingest` killed with SIGKILL at pseudo-random points
//! (seeded; `PAESI_CRASH_RUNS` runs, 20 by default). The store already holds half the batch,
//! so the killed run both replaces graphs (a transaction each) and adds new ones (the bulk
//! load). The kill point is a count, not a time: the run is killed once the data directory has
//! grown by a seeded share of what a clean run adds to it. After each kill: the store opens,
//! every graph in it is whole (its quad count that of the clean run), and finishing the
//! ingest gives exactly the quads and the search answers of the clean run.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A small deterministic generator (xorshift64*): the kill points of every run.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// The batch: the first 12 NIR documents of one collection and two Normattiva AKN acts,
/// each act once (no expressions to link).
fn batch(shared: &Path) -> Vec<PathBuf> {
    let corpus = shared.join("corpus");
    let mut files: Vec<PathBuf> = common::xml_files(&corpus.join("nir/xmleges-pacto-firenze"))
        .into_iter()
        .take(12)
        .collect();
    files.push(corpus.join("akn/normattiva/legge_56_2007.xml"));
    files.push(corpus.join("akn/normattiva/dl_2025-03-28_n36_cittadinanza_25G00049.xml"));
    files
}

/// Bytes under `dir`, recursively.
fn size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

fn ingest(data: &Path, files: &[PathBuf]) -> i32 {
    let out = common::paesi()
        .arg("--data")
        .arg(data)
        .arg("ingest")
        .args(files)
        .output()
        .expect("ingest");
    out.status.code().expect("exit code")
}

/// Each graph's quad count.
fn graph_sizes(data: &Path) -> BTreeMap<String, u64> {
    common::select(
        data,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    )
    .into_iter()
    .map(|r| (r["g"].clone(), r["n"].parse().expect("count")))
    .collect()
}

/// Every quad, sorted (blank node labels, if any, made alike).
fn export(data: &Path) -> Vec<String> {
    let out = common::paesi()
        .arg("--data")
        .arg(data)
        .arg("export")
        .output()
        .expect("export");
    assert!(out.status.success());
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            l.split(' ')
                .map(|t| if t.starts_with("_:") { "_:b" } else { t })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    lines.sort();
    lines
}

/// The search answers the tests compare: the total and the hits' IRIs (sorted: BM25 scores
/// may move with deleted entries not merged yet) for a few words.
fn searches(data: &Path) -> Vec<serde_json::Value> {
    ["comune", "consiglio", "cittadinanza", "regolamento"]
        .iter()
        .map(|q| {
            let out = common::paesi()
                .arg("--data")
                .arg(data)
                .args(["search", q, "--all-versions", "--limit", "1000", "--json"])
                .output()
                .expect("search");
            let v: serde_json::Value =
                serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
            let mut iris: Vec<String> = v["hits"]
                .as_array()
                .map(|h| {
                    h.iter()
                        .map(|x| x["iri"].as_str().unwrap_or_default().to_string())
                        .collect()
                })
                .unwrap_or_default();
            iris.sort();
            serde_json::json!({ "total": v["total"], "iris": iris })
        })
        .collect()
}

#[test]
fn killed_ingest_leaves_whole_documents_and_finishes_like_a_clean_run() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let runs: usize = std::env::var("PAESI_CRASH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20);
    let files = batch(&shared);
    let half = &files[..files.len() / 2];
    let root = common::fresh_dir("crash");
    // the starting store: half the batch
    let base = root.join("base");
    assert_eq!(ingest(&base, half), 0);
    let base_size = size(&base);
    // the clean run: the whole batch over the starting store
    let clean = root.join("clean");
    copy_dir(&base, &clean);
    let clean_code = ingest(&clean, &files);
    let growth = size(&clean).saturating_sub(base_size).max(1);
    let clean_graphs = graph_sizes(&clean);
    let clean_quads = export(&clean);
    let clean_search = searches(&clean);
    assert_eq!(clean_graphs.len(), files.len(), "one graph per document");
    assert!(
        clean_search
            .iter()
            .any(|h| h["iris"].as_array().is_some_and(|a| !a.is_empty())),
        "the searches find something: {clean_search:?}"
    );
    let mut rng = Seeded(0x5eed_1234_abcd_0016);
    let mut killed = 0;
    for run in 0..runs {
        let data = root.join(format!("run{run}"));
        copy_dir(&base, &data);
        let threshold = base_size + rng.next() % growth;
        let mut child = common::paesi()
            .arg("--data")
            .arg(&data)
            .arg("ingest")
            .args(&files)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        loop {
            if child.try_wait().expect("try_wait").is_some() {
                break;
            }
            if size(&data) >= threshold {
                child.kill().expect("SIGKILL");
                child.wait().expect("wait");
                killed += 1;
                break;
            }
            std::thread::yield_now();
        }
        // the store opens, and every graph in it is whole
        let sizes = graph_sizes(&data);
        for (g, n) in &sizes {
            assert_eq!(
                clean_graphs.get(g),
                Some(n),
                "run {run}: graph {g} holds {n} quads"
            );
        }
        // finishing the ingest: the store and the index of the clean run
        assert_eq!(ingest(&data, &files), clean_code, "run {run}");
        assert_eq!(export(&data), clean_quads, "run {run}: the quads");
        assert_eq!(
            searches(&data),
            clean_search,
            "run {run}: the search answers"
        );
        let _ = std::fs::remove_dir_all(&data);
    }
    eprintln!("{runs} runs, {killed} killed before they ended");
    assert!(
        killed * 2 >= runs,
        "most runs were killed: {killed} of {runs}"
    );
}
