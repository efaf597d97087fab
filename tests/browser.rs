//! The portal in headless Chromium: `tests/browser/portal.py` (selenium) against a real
//! `paesi serve` on 127.0.0.1 over a KB built from the project's corpus and catalogue and the
//! shared Testo unico. What the script checks is listed at its top.
//!
//! The expectations it is given (the article's citation, its text in force) come from the
//! CLI, asked before the server holds the store; the citation is the one issue 13 writes.
//! With `CI=true` (or `PAESI_BROWSER=required`, which `.ci/run` sets) a missing chromium,
//! chromedriver, selenium or axe-core is a failure; otherwise the test says what is missing
//! and skips.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Server, fresh_dir, paesi};

const REUNIFICATION: &str = "ricongiungimento-nulla-osta";
const ART29_1: &str = "/act/stato/decreto.legislativo/1998/286/art29-com1";
const ART29_1_CITATION: &str = "art. 29, comma 1, D.Lgs. 25 luglio 1998, n. 286";

fn project(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A program on `PATH` (or at `fixed`), if it is there.
fn program(env: &str, fixed: &str, name: &str) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env) {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    if Path::new(fixed).is_file() {
        return Some(PathBuf::from(fixed));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// axe-core's `axe.min.js`: `PAESI_AXE`, else where `.ci/run` installs it, else the crate's
/// `node_modules`.
fn axe() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PAESI_AXE") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    [
        home.map(|h| h.join(".cache/paesi-node/node_modules/axe-core/axe.min.js")),
        Some(project("node_modules/axe-core/axe.min.js")),
    ]
    .into_iter()
    .flatten()
    .find(|p| p.is_file())
}

/// Skips, or fails (with `CI=true` or `PAESI_BROWSER=required`, as `.ci/run` sets it) for a
/// missing tool.
fn missing(what: &str) -> bool {
    if std::env::var("CI").as_deref() == Ok("true")
        || std::env::var("PAESI_BROWSER").as_deref() == Ok("required")
    {
        panic!("{what} is missing (.ci/run installs it)");
    }
    eprintln!("browser test skipped: {what} is missing (.ci/run installs it)");
    true
}

#[test]
fn portal_in_headless_chromium() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let Some(chromium) = program("PAESI_CHROMIUM", "/usr/bin/chromium", "chromium") else {
        missing("chromium (Debian package chromium)");
        return;
    };
    let Some(driver) = program(
        "PAESI_CHROMEDRIVER",
        "/usr/bin/chromedriver",
        "chromedriver",
    ) else {
        missing("chromedriver (Debian package chromium-driver)");
        return;
    };
    let selenium = Command::new("python3")
        .args(["-c", "import selenium"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !selenium {
        missing("python3 with selenium (pip install selenium)");
        return;
    }
    let Some(axe) = axe() else {
        missing("axe-core (npm install axe-core)");
        return;
    };

    let data = fresh_dir("browser");
    let out = paesi()
        .arg("--data")
        .arg(&data)
        .arg("ingest")
        .arg(project("corpus"))
        .arg(project("ontology"))
        .arg(shared.join("corpus/nir/xmleges-samples/286-paesi.xml"))
        .output()
        .expect("run paesi ingest");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // the text of art. 29, comma 1 today (the pages' default day), as the CLI gives it
    let norm = common::run_json(
        &data,
        &[
            "norm",
            "--json",
            &format!("https://w3id.org/paesi{ART29_1}"),
        ],
    );
    let expect = serde_json::json!({
        "procedure": REUNIFICATION,
        "norm_path": ART29_1,
        "citation": ART29_1_CITATION,
        "text": norm["text"].as_str().expect("art. 29, comma 1 in force today"),
    });
    let expect_file = data.join("expect.json");
    std::fs::write(&expect_file, expect.to_string()).expect("write expectations");
    let shots = data.join("screenshots");

    let server = Server::start(&data, &[]);
    let mut script = Command::new("python3");
    script
        .arg(project("tests/browser/portal.py"))
        .arg("--base")
        .arg(&server.url)
        .arg("--expect")
        .arg(&expect_file)
        .arg("--shots")
        .arg(&shots)
        .arg("--axe")
        .arg(&axe)
        .env("PAESI_CHROMIUM", &chromium)
        .env("PAESI_CHROMEDRIVER", &driver)
        // selenium must not look for drivers on the network
        .env("SE_OFFLINE", "true");
    // PAESI_DOCS=docs writes the README's screenshots (run by hand)
    if let Some(docs) = std::env::var_os("PAESI_DOCS") {
        script.arg("--docs").arg(project(&docs.to_string_lossy()));
    }
    let out = script.output().expect("run python3");
    print!("{}", String::from_utf8_lossy(&out.stdout));
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    let (status, _) = server.stop();
    assert!(out.status.success(), "the browser checks failed (above)");
    assert!(status.success());
    // the screenshots it took: the Italian procedure and norm pages at least
    for name in ["procedure-it.png", "norm-it.png"] {
        let png = std::fs::read(shots.join(name)).expect("screenshot");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{name}");
    }
}
