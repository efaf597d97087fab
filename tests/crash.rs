//! Crash safety (issue 16): three writers killed with SIGKILL at pseudo-random points
//! (seeded): `paesi ingest` (`PAESI_CRASH_RUNS` runs, 20 by default), `paesi import` of a
//! manifest from a local stand-in for Normattiva (`PAESI_CRASH_IMPORT_RUNS`, 6), and
//! `paesi serve` while documents come in by `POST /ingest` (`PAESI_CRASH_SERVER_RUNS`, 6).
//! The store already holds half the batch, so a killed run both replaces graphs (a transaction
//! each) and adds new ones (the bulk load). The kill point is a count, not a time: the run is
//! killed once the data directory has grown by a seeded share of what a clean run adds to it.
//! After each kill: the store opens, every graph in it is whole (its quad count that of the
//! clean run), and finishing (the same command again) gives exactly the quads and the search
//! answers of the clean run. The clean runs of `POST /ingest` and of `paesi ingest` give the
//! same quads.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

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

/// Runs from the environment variable `var`, else `default`.
fn runs(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(default)
}

/// A starting store (half the batch, by `paesi ingest`) and what a clean run gives over it.
struct Clean {
    root: PathBuf,
    base: PathBuf,
    base_size: u64,
    /// What the clean run added to the data directory, in bytes.
    growth: u64,
    code: i32,
    graphs: BTreeMap<String, u64>,
    quads: Vec<String>,
    search: Vec<serde_json::Value>,
    /// The registry's entries (quads per document), when the clean run has one.
    registry_entries: Option<BTreeMap<String, u64>>,
}

/// The import registry's graph.
const REGISTRY: &str = "https://w3id.org/paesi/graph/imports";

/// The registry's quads per document.
fn registry_entries(data: &Path) -> BTreeMap<String, u64> {
    common::select(
        data,
        &format!(
            "SELECT ?s (COUNT(*) AS ?n) WHERE {{ GRAPH <{REGISTRY}> {{ ?s ?p ?o }} }} GROUP BY ?s"
        ),
    )
    .into_iter()
    .map(|r| (r["s"].clone(), r["n"].parse().expect("count")))
    .collect()
}

impl Clean {
    /// The starting store, and the clean run `finish` makes over a copy of it.
    fn new(name: &str, half: &[PathBuf], finish: impl Fn(&Path) -> i32) -> Clean {
        let root = common::fresh_dir(name);
        let base = root.join("base");
        assert_eq!(ingest(&base, half), 0);
        let base_size = size(&base);
        let clean = root.join("clean");
        copy_dir(&base, &clean);
        let code = finish(&clean);
        let growth = size(&clean).saturating_sub(base_size).max(1);
        let c = Clean {
            base,
            base_size,
            growth,
            code,
            graphs: graph_sizes(&clean),
            quads: common::export_sorted(&clean),
            search: searches(&clean),
            registry_entries: Some(registry_entries(&clean)).filter(|e| !e.is_empty()),
            root,
        };
        assert!(
            c.search
                .iter()
                .any(|h| h["iris"].as_array().is_some_and(|a| !a.is_empty())),
            "the searches find something: {:?}",
            c.search
        );
        c
    }

    /// A copy of the starting store for one run.
    fn run_dir(&self, run: usize) -> PathBuf {
        let data = self.root.join(format!("run{run}"));
        copy_dir(&self.base, &data);
        data
    }

    /// After a kill: the store opens and every graph in it is whole; the import registry
    /// holds fewer entries than at the end, but each one whole (its quads those of the clean
    /// run's entry for the same document).
    fn check_whole(&self, data: &Path, what: &str) {
        for (g, n) in &graph_sizes(data) {
            if g == REGISTRY {
                let clean = self
                    .registry_entries
                    .as_ref()
                    .expect("the clean run's registry");
                for (doc, n) in registry_entries(data) {
                    assert_eq!(clean.get(&doc), Some(&n), "{what}: registry entry of {doc}");
                }
                continue;
            }
            assert_eq!(
                self.graphs.get(g),
                Some(n),
                "{what}: graph {g} holds {n} quads"
            );
        }
    }

    /// After finishing: the quads and the search answers of the clean run.
    fn check_finished(&self, data: &Path, what: &str) {
        assert_eq!(common::export_sorted(data), self.quads, "{what}: the quads");
        assert_eq!(searches(data), self.search, "{what}: the search answers");
        let _ = std::fs::remove_dir_all(data);
    }
}

/// Kills `child` with SIGKILL once `data` has grown to `threshold` bytes: true if it was
/// killed, false if it ended first.
fn kill_when_grown(mut child: Child, data: &Path, threshold: u64) -> bool {
    loop {
        if child.try_wait().expect("try_wait").is_some() {
            return false;
        }
        if size(data) >= threshold {
            child.kill().expect("SIGKILL");
            child.wait().expect("wait");
            return true;
        }
        std::thread::yield_now();
    }
}

#[test]
fn killed_ingest_leaves_whole_documents_and_finishes_like_a_clean_run() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let runs = runs("PAESI_CRASH_RUNS", 20);
    let files = batch(&shared);
    let clean = Clean::new("crash", &files[..files.len() / 2], |d| ingest(d, &files));
    assert_eq!(clean.graphs.len(), files.len(), "one graph per document");
    let mut rng = common::Seeded(0x5eed_1234_abcd_0016);
    let mut killed = 0;
    for run in 0..runs {
        let data = clean.run_dir(run);
        let threshold = clean.base_size + rng.next() % clean.growth;
        let child = common::paesi()
            .arg("--data")
            .arg(&data)
            .arg("ingest")
            .args(&files)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        killed += usize::from(kill_when_grown(child, &data, threshold));
        let what = format!("ingest run {run}");
        clean.check_whole(&data, &what);
        assert_eq!(ingest(&data, &files), clean.code, "{what}");
        clean.check_finished(&data, &what);
    }
    eprintln!("ingest: {runs} runs, {killed} killed before they ended");
    assert!(
        killed * 2 >= runs,
        "most runs were killed: {killed} of {runs}"
    );
    let _ = std::fs::remove_dir_all(&clean.root);
}

/// `paesi import --manifest FILE --json` against the stand-in.
fn import(data: &Path, base: &str, manifest: &Path) -> Command {
    let mut c = common::paesi();
    c.arg("--data")
        .arg(data)
        .arg("import")
        .arg("--manifest")
        .arg(manifest)
        .arg("--json")
        .env("PAESI_NORMATTIVA_API", base)
        .env("PAESI_NORMATTIVA_SITE", base)
        .env("PAESI_HTTP_INTERVAL_MS", "0")
        .env("PAESI_HTTP_WAIT_SCALE", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

#[test]
fn killed_import_leaves_whole_documents_and_finishes_like_a_clean_run() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let runs = runs("PAESI_CRASH_IMPORT_RUNS", 6);
    let files = batch(&shared);
    // the stand-in serves the shared corpus by path; every act of the manifest is a URL
    let served = shared.clone();
    let server = common::http::Server::start(Arc::new(
        move |r: &common::http::Request, _: &[common::http::Request]| match r
            .path
            .strip_prefix("/shared/")
            .and_then(|rel| std::fs::read(served.join(rel)).ok())
        {
            Some(b) => common::http::Reply::new(200, "application/xml", b),
            None => common::http::Reply::new(404, "text/plain", b"not found".to_vec()),
        },
    ));
    let manifest_text: String = files
        .iter()
        .map(|f| {
            let rel = f.strip_prefix(&shared).expect("under the shared dir");
            format!(
                "[[act]]\nurl = \"{}/shared/{}\"\n\n",
                server.base,
                rel.display()
            )
        })
        .collect();
    let base_url = server.base.clone();
    let root_manifest = common::fresh_dir("crash-import-manifest").join("manifest.toml");
    std::fs::write(&root_manifest, manifest_text).expect("manifest");
    let manifest = root_manifest.clone();
    let clean = Clean::new("crash-import", &files[..files.len() / 2], |d| {
        import(d, &base_url, &manifest)
            .status()
            .expect("import")
            .code()
            .expect("exit code")
    });
    assert_eq!(clean.code, 0);
    // one graph per document, and the registry's
    assert_eq!(clean.graphs.len(), files.len() + 1);
    let mut rng = common::Seeded(0x5eed_1234_abcd_1616);
    let mut killed = 0;
    for run in 0..runs {
        let data = clean.run_dir(run);
        let threshold = clean.base_size + rng.next() % clean.growth;
        let child = import(&data, &server.base, &root_manifest)
            .spawn()
            .expect("spawn");
        killed += usize::from(kill_when_grown(child, &data, threshold));
        let what = format!("import run {run}");
        clean.check_whole(&data, &what);
        let out = import(&data, &server.base, &root_manifest)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .expect("import");
        assert_eq!(
            out.status.code(),
            Some(clean.code),
            "{what}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        clean.check_finished(&data, &what);
    }
    eprintln!("import: {runs} runs, {killed} killed before they ended");
    assert!(
        killed * 2 >= runs,
        "most runs were killed: {killed} of {runs}"
    );
    let _ = std::fs::remove_dir_all(&clean.root);
    let _ = std::fs::remove_dir_all(root_manifest.parent().expect("dir"));
}

const TOKEN: &str = "crash-token";

/// Sends every file to `POST /ingest`, one request each, until one fails (the server was
/// killed): how many went in, and what the first that did not go in got.
fn post_all(url: &str, files: &[PathBuf]) -> (usize, Option<String>) {
    let http = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(600))
        .build()
        .expect("client");
    for (n, f) in files.iter().enumerate() {
        let name = f.file_name().expect("name").to_string_lossy().into_owned();
        let sent = http
            .post(format!("{url}/ingest?name={name}"))
            .bearer_auth(TOKEN)
            .header(reqwest::header::CONTENT_TYPE, "application/xml")
            .body(std::fs::read(f).expect("document"))
            .send();
        match sent {
            Ok(r) if r.status() == 200 => {}
            Ok(r) => {
                let status = r.status();
                let body = r.text().unwrap_or_default();
                return (n, Some(format!("{name}: {status} {body}")));
            }
            Err(e) => return (n, Some(format!("{name}: {e}"))),
        }
    }
    (files.len(), None)
}

/// `paesi serve` on `data`, every file sent to it, then stopped: the exit code `paesi
/// ingest` would give (0 when every document went in), and why one did not.
fn serve_and_post(data: &Path, files: &[PathBuf]) -> (i32, Option<String>) {
    let server = common::Server::start(data, &["--update-token", TOKEN]);
    let (n, why) = post_all(&server.url, files);
    let (status, stderr) = server.stop();
    assert!(status.success(), "{stderr}");
    (
        i32::from(n != files.len()),
        why.map(|w| format!("{w}\nserver: {stderr}")),
    )
}

#[test]
fn killed_server_during_post_ingest_leaves_whole_documents_and_finishes_like_a_clean_run() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    // PAESI_CRASH_SERVER_FROM=N: start at run N (the kill points of the runs before skipped,
    // so a long benchmark can go on where a stopped one ended)
    let from = runs("PAESI_CRASH_SERVER_FROM", 0);
    let runs = runs("PAESI_CRASH_SERVER_RUNS", 6);
    let files = batch(&shared);
    let half = &files[..files.len() / 2];
    let clean = Clean::new("crash-server", half, |d| serve_and_post(d, &files).0);
    assert_eq!(clean.code, 0);
    // POST /ingest writes what `paesi ingest` writes
    let by_cli = clean.root.join("by-cli");
    copy_dir(&clean.base, &by_cli);
    assert_eq!(ingest(&by_cli, &files), 0);
    assert_eq!(
        common::export_sorted(&by_cli),
        clean.quads,
        "POST /ingest and paesi ingest"
    );
    let _ = std::fs::remove_dir_all(&by_cli);
    let mut rng = common::Seeded(0x5eed_1234_abcd_2616);
    let mut killed = 0;
    for run in 0..runs {
        let threshold = clean.base_size + rng.next() % clean.growth;
        if run < from {
            continue;
        }
        let data = clean.run_dir(run);
        let server = common::Server::start(&data, &["--update-token", TOKEN]);
        let url = server.url.clone();
        let sender = {
            let files = files.clone();
            std::thread::spawn(move || post_all(&url, &files).0)
        };
        // killed once the store has grown, or after the last document
        loop {
            if size(&data) >= threshold {
                killed += 1;
                break;
            }
            if sender.is_finished() {
                break;
            }
            std::thread::yield_now();
        }
        server.kill();
        let went_in = sender.join().expect("sender");
        let what = format!("server run {run} ({went_in} documents answered 200)");
        clean.check_whole(&data, &what);
        // the next command: a server again (it repairs the text index on start), every
        // document sent again
        let (code, why) = serve_and_post(&data, &files);
        assert_eq!(code, clean.code, "{what}: {why:?}");
        clean.check_finished(&data, &what);
    }
    eprintln!(
        "POST /ingest: {} runs, {killed} killed before they ended",
        runs - from
    );
    assert!(
        killed * 2 >= runs - from,
        "most runs were killed: {killed} of {}",
        runs - from
    );
    let _ = std::fs::remove_dir_all(&clean.root);
}
