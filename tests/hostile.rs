//! Hostile documents (issue 16): each is ingested by the real `paesi ingest` in a batch with
//! a good small document, and must be refused with `path:line:col: message` (the position
//! found here by counting bytes, not by the library), leave nothing of itself in the store,
//! let the good document in, and make the run exit with 1. The corpus is `tests/hostile/`;
//! what is too big to keep there (1 GB, 10,000-deep nesting, a 100 KB id) or names a port
//! the test opens is written into a temporary directory.
//!
//! Two cases are accepted by policy, as DESIGN.md's bad-input rules allow for input that is
//! not broken: duplicate `eId`s (real Normattiva exports have them: the later partition is
//! kept as `…-2` with a `path:line:col: warning:` naming both places) and cyclic references
//! (articles citing each other, or themselves, are ordinary law).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

const PAESI: &str = "https://w3id.org/paesi/ontology#";
/// The URN:NIR of `tests/hostile/good.xml`.
const GOOD_URN: &str = "urn:nir:stato:legge:2099-01-01;100";
/// What `secret.txt` and `secret.dtd` hold: it must never reach the store or the output.
const SECRET: &str = "PAESI-HOSTILE-SECRET-7f3a";

fn hostile(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile")
        .join(name)
}

/// What one `paesi ingest` run did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    data: PathBuf,
    /// The child's peak resident set, in kilobytes (from `wait4`).
    max_rss_kb: i64,
}

/// Runs `paesi --data DIR ingest FILES…` in a fresh data directory, waiting for it with
/// `wait4` to learn its peak memory.
fn ingest(test: &str, files: &[&Path]) -> Run {
    ingest_fed(test, files, None)
}

/// What writes a child's standard input.
type Feeder = Box<dyn FnOnce(std::process::ChildStdin) + Send>;

/// Like [`ingest`], with standard input written by `feed` (on a thread of its own).
fn ingest_fed(test: &str, files: &[&Path], feed: Option<Feeder>) -> Run {
    let dir = common::fresh_dir(&format!("hostile-{test}"));
    let data = dir.join("data");
    let out_path = dir.join("stdout");
    let err_path = dir.join("stderr");
    let mut child = common::paesi()
        .arg("--data")
        .arg(&data)
        .arg("ingest")
        .args(files)
        .stdin(if feed.is_some() {
            std::process::Stdio::piped()
        } else {
            std::process::Stdio::null()
        })
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("start paesi ingest");
    let feeder = feed.map(|f| {
        let stdin = child.stdin.take().expect("stdin");
        std::thread::spawn(move || f(stdin))
    });
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child, not reaped yet; status and usage are valid for writes
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "wait4");
    assert!(
        libc::WIFEXITED(status),
        "paesi ingest did not exit: {status}"
    );
    drop(child);
    if let Some(f) = feeder {
        f.join().expect("the feeder");
    }
    Run {
        code: libc::WEXITSTATUS(status),
        stdout: std::fs::read_to_string(out_path).expect("stdout"),
        stderr: std::fs::read_to_string(err_path).expect("stderr"),
        data,
        max_rss_kb: usage.ru_maxrss,
    }
}

/// The 1-based line and column (in characters) of a byte offset, counted on the bytes:
/// newlines before it, and the bytes since the last one that do not continue a UTF-8 sequence.
fn position(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = before[start..]
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count()
        + 1;
    (line, col)
}

/// The byte offset of the first occurrence of `needle`.
fn find(bytes: &[u8], needle: &str) -> usize {
    bytes
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
        .unwrap_or_else(|| panic!("{needle:?} not in the document"))
}

/// The byte offsets of every occurrence of `needle`.
fn find_all(bytes: &[u8], needle: &str) -> Vec<usize> {
    bytes
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle.as_bytes())
        .map(|(i, _)| i)
        .collect()
}

/// The lines of `stderr` about `path`.
fn lines_about<'a>(stderr: &'a str, path: &Path) -> Vec<&'a str> {
    let prefix = format!("{}:", path.display());
    stderr.lines().filter(|l| l.starts_with(&prefix)).collect()
}

/// Asserts the one error `run` reports for `path`: at `offset` of `bytes`, its message
/// holding `words`.
fn assert_error_at(run: &Run, path: &Path, bytes: &[u8], offset: usize, words: &[&str]) {
    let (line, col) = position(bytes, offset);
    let lines = lines_about(&run.stderr, path);
    assert_eq!(
        lines.len(),
        1,
        "one error for {}: {}",
        path.display(),
        run.stderr
    );
    let prefix = format!("{}:{line}:{col}: ", path.display());
    assert!(
        lines[0].starts_with(&prefix),
        "expected {prefix:?}…, got {:?}",
        lines[0]
    );
    for w in words {
        assert!(lines[0].contains(w), "{w:?} not in {:?}", lines[0]);
    }
}

/// Each graph of the store with the URN:NIR of the acts in it (empty for a graph without one).
fn graphs(data: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in common::select(data, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }") {
        out.entry(row["g"].clone()).or_default();
    }
    let q = format!(
        "SELECT ?g ?urn WHERE {{ GRAPH ?g {{ ?a a <http://data.europa.eu/eli/ontology#LegalResource> ; <{PAESI}urn> ?urn }} }}"
    );
    for row in common::select(data, &q) {
        out.entry(row["g"].clone())
            .or_default()
            .insert(row["urn"].clone());
    }
    out
}

/// The partitions stored in the graph of the act with URN `urn`.
fn partitions_of(data: &Path, urn: &str) -> usize {
    let q = format!(
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ GRAPH ?g {{ ?a <{PAESI}urn> {urn:?} . ?p <{PAESI}partitionId> ?id }} }}"
    );
    common::select(data, &q)[0]["n"].parse().expect("a count")
}

/// Partitions in a document's XML, counted by the tests' own tag scanner.
fn partitions_in(path: &Path) -> usize {
    let counts = common::count_xml(&std::fs::read(path).expect("read"));
    counts.articles + counts.paragraphs
}

/// The store holds the good document alone, whole: the hostile ones wrote nothing.
fn assert_only_good(run: &Run) {
    let graphs = graphs(&run.data);
    assert_eq!(graphs.len(), 1, "one graph: {graphs:?}");
    let urns = graphs.values().next().expect("a graph");
    assert!(urns.contains(GOOD_URN), "the good act is in it: {urns:?}");
    assert_eq!(
        partitions_of(&run.data, GOOD_URN),
        partitions_in(&hostile("good.xml"))
    );
    assert_eq!(run.code, 1, "exit code: {}", run.stderr);
}

/// The common shape of a case: one hostile file, then the good one; one error at the
/// offset of `at` (or the end of the file when None), with `words` in its message.
fn refused(test: &str, path: &Path, at: Option<&str>, words: &[&str]) -> Run {
    let good = hostile("good.xml");
    let run = ingest(test, &[path, &good]);
    let bytes = std::fs::read(path).expect("read");
    let offset = at.map_or(bytes.len(), |needle| find(&bytes, needle));
    assert_error_at(&run, path, &bytes, offset, words);
    assert!(
        lines_about(&run.stderr, &good).is_empty(),
        "nothing said of the good file: {}",
        run.stderr
    );
    assert_only_good(&run);
    run
}

#[test]
fn truncated_file() {
    let path = hostile("truncated.xml");
    let bytes = std::fs::read(&path).expect("read");
    // the innermost element left open is the last <p>
    let (line, col) = position(&bytes, *find_all(&bytes, "<p>").last().expect("a <p>"));
    let opened = format!("<p> opened at {line}:{col} is not closed");
    refused(
        "truncated",
        &path,
        None,
        &["unexpected end of document", &opened],
    );
}

#[test]
fn wrong_namespace() {
    refused(
        "namespace",
        &hostile("wrong-namespace.xml"),
        Some("<akomaNtoso"),
        &["unsupported", "http://example.org/not-akoma-ntoso"],
    );
}

#[test]
fn billion_laughs() {
    let run = refused(
        "laughs",
        &hostile("billion-laughs.xml"),
        Some("<!DOCTYPE"),
        &["entity declarations"],
    );
    // nothing expanded: a few megabytes of laughter would show in the peak memory
    assert!(run.max_rss_kb < 256 * 1024, "peak {} kB", run.max_rss_kb);
}

/// The secret a hostile document points at is not in the output nor in the store.
fn assert_secret_unread(run: &Run) {
    assert!(!run.stdout.contains(SECRET) && !run.stderr.contains(SECRET));
    let out = common::paesi()
        .arg("--data")
        .arg(&run.data)
        .arg("export")
        .output()
        .expect("export");
    assert!(out.status.success());
    let export = String::from_utf8_lossy(&out.stdout);
    assert!(export.contains(GOOD_URN), "the export holds the good act");
    assert!(!export.contains(SECRET), "the secret reached the store");
}

#[test]
fn external_entity_reads_no_file() {
    let run = refused(
        "xxe",
        &hostile("external-entity.xml"),
        Some("<!DOCTYPE"),
        &["entity declarations"],
    );
    assert_secret_unread(&run);
}

#[test]
fn system_dtd_reads_no_file() {
    // secret.dtd would declare &leak; as the secret: unread, the entity is unknown
    let run = refused(
        "dtd-file",
        &hostile("system-dtd.xml"),
        Some("&leak;"),
        &["unknown entity &leak; (no DTD is read)"],
    );
    assert_secret_unread(&run);
}

#[test]
fn system_dtd_and_external_entity_open_no_connection() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("address").port();
    let dir = common::fresh_dir("hostile-network-files");
    let good = std::fs::read_to_string(hostile("good.xml")).expect("good.xml");
    let body = |number: u32, doctype: &str, extra: &str| {
        good.replacen("<akomaNtoso", &format!("{doctype}\n<akomaNtoso"), 1)
            .replace(";100\"", &format!(";{number}\""))
            .replace("/100/", &format!("/{number}/"))
            .replacen("Testo di prova 1.1.", &format!("Testo di prova {extra}"), 1)
    };
    let dtd = dir.join("system-dtd-url.xml");
    std::fs::write(
        &dtd,
        body(
            20,
            &format!("<!DOCTYPE akomaNtoso SYSTEM \"http://127.0.0.1:{port}/hostile.dtd\">"),
            "&net;",
        ),
    )
    .expect("write");
    let entity = dir.join("external-entity-url.xml");
    std::fs::write(
        &entity,
        body(
            21,
            &format!(
                "<!DOCTYPE akomaNtoso [<!ENTITY % remote SYSTEM \"http://127.0.0.1:{port}/remote.ent\"> %remote;]>"
            ),
            "&remote;",
        ),
    )
    .expect("write");
    let good_path = hostile("good.xml");
    let run = ingest("network", &[&dtd, &entity, &good_path]);
    let bytes = std::fs::read(&dtd).expect("read");
    assert_error_at(
        &run,
        &dtd,
        &bytes,
        find(&bytes, "&net;"),
        &["unknown entity &net;"],
    );
    let bytes = std::fs::read(&entity).expect("read");
    assert_error_at(
        &run,
        &entity,
        &bytes,
        find(&bytes, "<!DOCTYPE"),
        &["entity declarations"],
    );
    assert_only_good(&run);
    // a connection attempt would wait in the backlog: there is none
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("the listener was contacted: {other:?}"),
    }
}

#[test]
fn one_gigabyte_file_in_bounded_memory() {
    let dir = common::fresh_dir("hostile-gigabyte-files");
    let path = dir.join("gigabyte.xml");
    let size: u64 = 1 << 30;
    {
        let mut f = std::fs::File::create(&path).expect("create");
        f.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<akomaNtoso xmlns=\"http://docs.oasis-open.org/legaldocml/ns/akn/3.0\">\n")
            .expect("write");
        // the rest is a hole: a sparse file of 1 GB that takes no disk
        f.set_len(size).expect("set_len");
    }
    assert_eq!(std::fs::metadata(&path).expect("metadata").len(), size);
    let good = hostile("good.xml");
    let run = ingest("gigabyte", &[&path, &good]);
    let prefix = format!("{}:1:1: document too large ({size} bytes", path.display());
    let lines = lines_about(&run.stderr, &path);
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(lines[0].starts_with(&prefix), "{:?}", lines[0]);
    assert_only_good(&run);
    // refused from its size: the process never held a fraction of it
    assert!(
        run.max_rss_kb < 256 * 1024,
        "peak resident memory {} kB",
        run.max_rss_kb
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn standard_input_past_64_mb_is_refused_after_64_mb() {
    const LIMIT: usize = 64 * 1024 * 1024;
    const SENT: usize = 200 * 1024 * 1024;
    let written = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = written.clone();
    // an AKN opening and then 200 MB of spaces, written until the reader goes away
    let feed: Feeder = Box::new(move |mut stdin| {
        let head = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<akomaNtoso xmlns=\"http://docs.oasis-open.org/legaldocml/ns/akn/3.0\">\n";
        let block = vec![b' '; 1 << 20];
        if stdin.write_all(head).is_err() {
            return;
        }
        let mut n = head.len();
        while n < SENT {
            if stdin.write_all(&block).is_err() {
                break;
            }
            n += block.len();
        }
        counter.store(n, std::sync::atomic::Ordering::SeqCst);
    });
    let dash = Path::new("-");
    let good = hostile("good.xml");
    // the same ingest without standard input: what the process holds anyway
    let baseline = ingest_fed("stdin-baseline", &[&good], None);
    let run = ingest_fed("stdin", &[dash, &good], Some(feed));
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("<stdin>"))
        .collect();
    assert_eq!(
        lines,
        [format!(
            "<stdin>:1:1: standard input too large (more than {LIMIT} bytes, the limit of a document read from a stream): give the document as a file path"
        )],
        "{}",
        run.stderr
    );
    assert_only_good(&run);
    // the rest was never read: the writer met a closed pipe long before the end, and the
    // process never held more than the limit's buffer (and 16 MB) beyond what it holds without
    // standard input
    let sent = written.load(std::sync::atomic::Ordering::SeqCst);
    assert!(sent < SENT, "{sent} bytes taken");
    let bound = baseline.max_rss_kb + ((LIMIT + (16 << 20)) / 1024) as i64;
    assert!(
        run.max_rss_kb < bound,
        "peak resident memory {} kB, {} kB without standard input",
        run.max_rss_kb,
        baseline.max_rss_kb
    );
}

#[test]
fn invalid_utf8() {
    let path = hostile("invalid-utf8.xml");
    let bytes = std::fs::read(&path).expect("read");
    let at = bytes.iter().position(|&b| b == 0xFF).expect("a 0xFF byte");
    let good = hostile("good.xml");
    let run = ingest("utf8", &[&path, &good]);
    assert_error_at(
        &run,
        &path,
        &bytes,
        at,
        &["invalid UTF-8: byte 0xFF", "declares UTF-8"],
    );
    assert_only_good(&run);
}

#[test]
fn encoding_declared_utf8_written_latin1() {
    let path = hostile("lying-utf8.xml");
    let bytes = std::fs::read(&path).expect("read");
    let at = bytes.iter().position(|&b| b == 0xE9).expect("é in Latin-1");
    let good = hostile("good.xml");
    let run = ingest("lying-utf8", &[&path, &good]);
    assert_error_at(
        &run,
        &path,
        &bytes,
        at,
        &["invalid UTF-8: byte 0xE9", "declares UTF-8"],
    );
    assert_only_good(&run);
}

#[test]
fn encoding_declared_latin_written_utf8() {
    let path = hostile("lying-latin.xml");
    let bytes = std::fs::read(&path).expect("read");
    let at = bytes
        .iter()
        .position(|&b| b >= 0x80)
        .expect("a non-ASCII byte");
    let good = hostile("good.xml");
    let run = ingest("lying-latin", &[&path, &good]);
    assert_error_at(
        &run,
        &path,
        &bytes,
        at,
        &["declares \"iso-8859-15\" but is written in UTF-8"],
    );
    assert_only_good(&run);
}

#[test]
fn encoding_declared_utf16_written_in_bytes() {
    refused(
        "lying-utf16",
        &hostile("lying-utf16.xml"),
        Some("UTF-16\"?>"),
        &["declares \"utf-16\" but is written in single bytes"],
    );
}

#[test]
fn duplicate_eids_are_kept_apart_with_a_warning() {
    let path = hostile("duplicate-eids.xml");
    let good = hostile("good.xml");
    let run = ingest("duplicates", &[&path, &good]);
    assert_eq!(run.code, 0, "accepted: {}", run.stderr);
    let bytes = std::fs::read(&path).expect("read");
    let articles = find_all(&bytes, "<article eId=\"art_1\">");
    let paragraphs = find_all(&bytes, "<paragraph eId=\"art_1__para_1\">");
    let art2 = find(&bytes, "<article eId=\"art_2\">");
    let para_art2 = find(&bytes, "<paragraph eId=\"art_2\">");
    let warning = |at: usize, first: usize, id: &str, partition: &str, kept: &str| {
        let (l, c) = position(&bytes, at);
        let (fl, fc) = position(&bytes, first);
        format!(
            "{}:{l}:{c}: warning: duplicate id {id:?}: partition {partition} was already read at {fl}:{fc}; this one is kept as {kept}",
            path.display()
        )
    };
    let expected = vec![
        warning(articles[1], articles[0], "art_1", "art1", "art1-2"),
        warning(
            paragraphs[1],
            paragraphs[0],
            "art_1__para_1",
            "art1-com1",
            "art1-com1-2",
        ),
        warning(para_art2, art2, "art_2", "art2", "art2-2"),
    ];
    assert_eq!(lines_about(&run.stderr, &path), expected);
    let graphs = graphs(&run.data);
    assert_eq!(graphs.len(), 2, "{graphs:?}");
    // every partition element kept: none merged into another
    assert_eq!(
        partitions_of(&run.data, "urn:nir:stato:legge:2099-01-01;10"),
        partitions_in(&path)
    );
    assert_eq!(partitions_of(&run.data, GOOD_URN), partitions_in(&good));
}

#[test]
fn cyclic_references_are_ordinary_law() {
    let path = hostile("cyclic-references.xml");
    let good = hostile("good.xml");
    let run = ingest("cycles", &[&path, &good]);
    assert_eq!(run.code, 0, "accepted: {}", run.stderr);
    assert!(lines_about(&run.stderr, &path).is_empty(), "{}", run.stderr);
    let act = "https://w3id.org/paesi/act/stato/legge/2099/11";
    let cites: BTreeSet<(String, String)> = common::select(
        &run.data,
        &format!(
            "SELECT ?a ?b WHERE {{ ?a <http://data.europa.eu/eli/ontology#cites> ?b FILTER(STRSTARTS(STR(?a), \"{act}/\")) }}"
        ),
    )
    .into_iter()
    .map(|r| (r["a"].clone(), r["b"].clone()))
    .collect();
    let pair = |a: &str, b: &str| (format!("{act}/{a}"), format!("{act}/{b}"));
    // art. 1 → art. 2 → art. 1, art. 3 → art. 3: the references as written, one each
    let expected: BTreeSet<_> = [
        pair("art1-com1", "art2"),
        pair("art2-com1", "art1"),
        pair("art3-com1", "art3"),
    ]
    .into_iter()
    .collect();
    assert_eq!(cites, expected);
    let bytes = std::fs::read(&path).expect("read");
    assert_eq!(
        common::count_xml(&bytes).references,
        3,
        "the XML's references"
    );
    // a lookup that follows citations both ways ends
    let norm = common::run_json(&run.data, &["norm", &format!("{act}/art1"), "--json"]);
    assert!(norm.is_object(), "{norm}");
    assert_eq!(graphs(&run.data).len(), 2);
    assert_eq!(partitions_of(&run.data, GOOD_URN), partitions_in(&good));
}

#[test]
fn ten_thousand_deep_nesting() {
    let good = std::fs::read_to_string(hostile("good.xml")).expect("good.xml");
    let deep = good
        .replace(";100\"", ";30\"")
        .replace("/100/", "/30/")
        .replacen(
            "Testo di prova 1.1.",
            &format!("{}x{}", "<i>\n".repeat(10_000), "</i>\n".repeat(10_000)),
            1,
        );
    let dir = common::fresh_dir("hostile-deep-files");
    let path = dir.join("deep.xml");
    std::fs::write(&path, &deep).expect("write");
    // the start tag that opens the 1025th level, found by a depth count of our own
    let bytes = deep.as_bytes();
    let mut depth = 0usize;
    let mut at = None;
    for (i, _) in deep.match_indices('<') {
        let rest = &deep[i..];
        if rest.starts_with("<?") || rest.starts_with("<!") {
            continue;
        }
        if rest.starts_with("</") {
            depth -= 1;
            continue;
        }
        let end = rest.find('>').expect("tag end");
        if rest[..end].ends_with('/') {
            continue;
        }
        depth += 1;
        if depth == 1025 {
            at = Some(i);
            break;
        }
    }
    let at = at.expect("deeper than 1024");
    let run = ingest("deep", &[&path, &hostile("good.xml")]);
    assert_error_at(&run, &path, bytes, at, &["nested deeper than 1024"]);
    assert_only_good(&run);
}

#[test]
fn partition_id_of_100_kb() {
    let good = std::fs::read_to_string(hostile("good.xml")).expect("good.xml");
    let id = format!("art_1{}", "x".repeat(100 * 1024));
    let long = good
        .replace(";100\"", ";31\"")
        .replace("/100/", "/31/")
        .replacen(
            "<article eId=\"art_1\">",
            &format!("<article eId=\"{id}\">"),
            1,
        );
    let dir = common::fresh_dir("hostile-long-id-files");
    let path = dir.join("long-id.xml");
    std::fs::write(&path, &long).expect("write");
    let run = ingest("long-id", &[&path, &hostile("good.xml")]);
    let words = format!("attribute eId is {} bytes long", id.len());
    assert_error_at(
        &run,
        &path,
        long.as_bytes(),
        find(long.as_bytes(), "<article eId=\"art_1x"),
        &[&words],
    );
    assert_only_good(&run);
}

#[test]
fn urn_with_every_reserved_character() {
    let path = hostile("reserved-urn.xml");
    let text = std::fs::read_to_string(&path).expect("read");
    // the FRBRthis value as an XML reader gives it: entities resolved
    let start = text.find("<FRBRthis value=\"").expect("FRBRthis") + "<FRBRthis value=\"".len();
    let raw = &text[start..start + text[start..].find('"').expect("end of value")];
    let value = raw
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    // `%` before `<`: the first character no URN or IRI may hold
    let index = value.chars().position(|c| c == '%').expect("%") + 1;
    let words = format!("FRBRthis value {value:?} holds '%' (character {index})");
    refused(
        "reserved-urn",
        &path,
        Some("<FRBRthis"),
        &[&words, "which no URN or IRI may hold"],
    );
}
