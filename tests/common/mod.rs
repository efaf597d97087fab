//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod http;

use std::path::PathBuf;

/// The shared corpus directory: `PAESI_SHARED`, else `../shared` beside the crate.
///
/// Returns `None` when it is missing outside CI (the caller skips); when `CI=true` a missing
/// shared corpus is a test failure.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("PAESI_SHARED") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    };
    if dir.join("corpus").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "CI=true but the shared corpus is missing at {}",
            dir.display()
        );
    }
    eprintln!("shared corpus not found at {}: skipping", dir.display());
    None
}

/// Every file under `dir` (recursively) whose name ends with `.xml`, sorted.
pub fn xml_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "xml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The `paesi` binary built for these tests (`PAESI_BIN` overrides it: the target directory
/// may be shared by several work trees, whose builds replace each other's binary).
pub fn paesi() -> std::process::Command {
    match std::env::var_os("PAESI_BIN") {
        Some(bin) => std::process::Command::new(bin),
        None => std::process::Command::new(env!("CARGO_BIN_EXE_paesi")),
    }
}

/// A fresh, empty directory under the system temp dir for one test's data.
pub fn fresh_dir(name: &str) -> PathBuf {
    static SWEPT: std::sync::Once = std::sync::Once::new();
    SWEPT.call_once(remove_dirs_of_ended_runs);
    let dir = std::env::temp_dir().join(format!("paesi-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// The directories of earlier test runs whose process has ended: a test binary keeps its KB
/// for its whole run (a static is never dropped), so each run removes what ended runs left.
/// Directories of running processes (another test binary, now) are kept.
fn remove_dirs_of_ended_runs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("paesi-test-")
            .and_then(|rest| rest.rsplit('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Runs `paesi --data DATA ARGS…`, which must succeed, and returns what it printed.
pub fn run_ok(data: &std::path::Path, args: &[&str]) -> String {
    let out = paesi()
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("run paesi");
    assert!(
        out.status.success(),
        "paesi {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Runs `paesi --data DATA ARGS…`, which must succeed, and parses what it prints as JSON.
pub fn run_json(data: &std::path::Path, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&run_ok(data, args)).expect("JSON output")
}

/// Runs a SELECT through `paesi query --format json` and returns each row as variable → value.
pub fn select(
    data: &std::path::Path,
    sparql: &str,
) -> Vec<std::collections::HashMap<String, String>> {
    rows(&run_json(data, &["query", "--format", "json", sparql]))
}

/// Like [`select`], asked about a day (`--at`, bound to `?at`).
pub fn select_at(
    data: &std::path::Path,
    at: &str,
    sparql: &str,
) -> Vec<std::collections::HashMap<String, String>> {
    rows(&run_json(
        data,
        &["query", "--format", "json", "--at", at, sparql],
    ))
}

/// The bindings of SPARQL JSON results, each row as variable → value.
fn rows(results: &serde_json::Value) -> Vec<std::collections::HashMap<String, String>> {
    results["results"]["bindings"]
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

/// One tag as the plain scanner [`tags`] sees it.
pub struct Tag<'a> {
    /// Local name (prefix dropped).
    pub name: &'a str,
    /// The tag's text between `<`/`</` and `>`/`/>` (name and attributes).
    pub body: &'a str,
    /// `</name>`.
    pub closing: bool,
    /// `<name/>`.
    pub empty: bool,
}

/// The tags of an XML text, read by a plain scanner (no XML library): comments, CDATA,
/// processing instructions and declarations skipped. The independent reader of the tests.
pub fn tags(text: &str) -> impl Iterator<Item = Tag<'_>> {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            let lt = rest.find('<')?;
            rest = &rest[lt..];
            if rest.starts_with("<!--") {
                rest = rest.find("-->").map_or("", |e| &rest[e + 3..]);
                continue;
            }
            if rest.starts_with("<![CDATA[") {
                rest = rest.find("]]>").map_or("", |e| &rest[e + 3..]);
                continue;
            }
            let gt = rest.find('>')?;
            let tag = &rest[1..gt];
            rest = &rest[gt + 1..];
            if tag.starts_with('?') || tag.starts_with('!') {
                continue;
            }
            let body = tag.trim_start_matches('/').trim_end_matches('/');
            let qname = body.split(|c: char| c.is_whitespace()).next().unwrap_or("");
            return Some(Tag {
                name: qname.rsplit(':').next().unwrap_or(qname),
                body,
                closing: tag.starts_with('/'),
                empty: tag.ends_with('/'),
            });
        }
    })
}

/// True for the elements whose content is quoted text of another act.
pub fn is_quote(name: &str) -> bool {
    matches!(
        name,
        "quotedStructure" | "quotedText" | "embeddedStructure" | "virgolette"
    )
}

/// Element counts made on the raw XML with a plain tag scanner (no XML library), quoted
/// structures excluded: the independent check of what the parsers store.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct XmlCounts {
    /// `<article>` / `<articolo>` (multi-version NIR: one per partition, not per version),
    /// plus Normattiva attachments named `…-art. N` / `…-art N` (a code's articles).
    pub articles: usize,
    /// `<paragraph>` / `<comma>`, same rules.
    pub paragraphs: usize,
    /// `<ref>` / `<rif>`.
    pub references: usize,
}

/// Counts articles, paragraphs and references of a document on its bytes.
pub fn count_xml(bytes: &[u8]) -> XmlCounts {
    let text = String::from_utf8_lossy(bytes);
    let mut counts = XmlCounts::default();
    let mut quoted = 0usize;
    // AKN <meta> is metadata, not text; but footnotes in <meta><notes> are text
    let mut meta = 0usize;
    let mut notes = 0usize;
    // open partition elements: (name, versioned)
    let mut stack: Vec<(String, bool)> = Vec::new();
    let mut seen_versioned: std::collections::HashSet<(String, String)> = Default::default();
    for Tag {
        name,
        body,
        closing,
        empty,
    } in tags(&text)
    {
        let is_quote = is_quote(name);
        let is_partition = matches!(name, "article" | "articolo" | "paragraph" | "comma");
        if name == "meta" {
            if closing {
                meta = meta.saturating_sub(1);
            } else if !empty {
                meta += 1;
            }
            continue;
        }
        if meta > 0 && name == "notes" {
            if closing {
                notes = notes.saturating_sub(1);
            } else if !empty {
                notes += 1;
            }
            continue;
        }
        if meta > 0 && notes == 0 {
            continue;
        }
        if closing {
            if is_quote {
                quoted = quoted.saturating_sub(1);
            }
            if is_partition && quoted == 0 {
                stack.pop();
            }
            continue;
        }
        let attr = |key: &str| -> Option<String> {
            let pat = format!(" {key}=\"");
            let at = body.find(&pat)? + pat.len();
            let end = body[at..].find('"')?;
            Some(body[at..at + end].to_string())
        };
        if is_quote {
            if !empty {
                quoted += 1;
            }
            continue;
        }
        if quoted > 0 {
            continue;
        }
        match name {
            "ref" | "rif" => counts.references += 1,
            "doc" => {
                if let Some(n) = attr("name") {
                    // `Codice Penale-art. 3 bis`, `Allegato I.4-art 1`
                    if let Some(at) = n.rfind("-art") {
                        let number = n[at + 4..].trim_start_matches('.').trim_start();
                        if number.starts_with(|c: char| c.is_ascii_digit()) {
                            counts.articles += 1;
                        }
                    }
                }
            }
            _ if is_partition => {
                let own_vigenza = body.contains("iniziovigore=") || body.contains("finevigore=");
                let versioned = own_vigenza || stack.iter().any(|(_, v)| *v);
                let mut new = true;
                if let Some(id) = attr("id") {
                    // drop multi-version components `t7` (`art22-t7-com1` is `art22-com1`)
                    let base = id
                        .split('-')
                        .filter(|c| {
                            !(c.len() > 1
                                && c.starts_with('t')
                                && c[1..].chars().all(|d| d.is_ascii_digit()))
                        })
                        .collect::<Vec<_>>()
                        .join("-");
                    let known = !seen_versioned.insert((name.to_string(), base));
                    new = !(versioned && known);
                }
                if new {
                    if matches!(name, "article" | "articolo") {
                        counts.articles += 1;
                    } else {
                        counts.paragraphs += 1;
                    }
                }
                if !empty {
                    stack.push((name.to_string(), versioned));
                }
            }
            _ => {}
        }
    }
    counts
}

/// (element name, id without version suffix) → the periods (from, until) its elements declare.
pub type Periods = std::collections::HashMap<(String, String), Vec<(String, Option<String>)>>;

/// On the raw NIR text, without the parser: for each article and comma (by id, version
/// suffixes `-tN` dropped) the periods its elements declare, inherited from the enclosing
/// element where an element declares none, the act's entry into force where nothing does.
pub fn periods_in_xml(text: &str) -> Periods {
    let attr = |tag: &str, key: &str| -> Option<String> {
        let pat = format!(" {key}=\"");
        let at = tag.find(&pat)? + pat.len();
        Some(tag[at..at + tag[at..].find('"')?].to_string())
    };
    let norm = |d: &str| format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..8]);
    let mut events = std::collections::HashMap::new();
    let mut entry = String::new();
    for tag in text.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        if tag.starts_with("evento ") {
            events.insert(
                attr(tag, "id").expect("id"),
                norm(&attr(tag, "data").expect("data")),
            );
        }
        if tag.starts_with("entratainvigore ") {
            entry = norm(&attr(tag, "norm").expect("norm"));
        }
    }
    let mut out = Periods::new();
    // open articolo/comma elements: their effective period
    let mut stack: Vec<(String, Option<String>)> = Vec::new();
    for tag in text.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        let closing = tag.starts_with('/');
        let name = tag
            .trim_start_matches('/')
            .split([' ', '/'])
            .next()
            .unwrap_or("");
        if name != "articolo" && name != "comma" {
            continue;
        }
        if closing {
            stack.pop();
            continue;
        }
        let (outer_from, outer_until) = stack.last().cloned().unwrap_or((entry.clone(), None));
        let from = attr(tag, "iniziovigore")
            .map(|t| events[&t].clone())
            .unwrap_or(outer_from);
        let until = attr(tag, "finevigore")
            .map(|t| events[&t].clone())
            .or(outer_until);
        let id = attr(tag, "id").expect("every TU partition has an id");
        let base: Vec<&str> = id
            .split('-')
            .filter(|c| {
                !(c.len() > 1 && c.starts_with('t') && c[1..].bytes().all(|b| b.is_ascii_digit()))
            })
            .collect();
        out.entry((name.to_string(), base.join("-")))
            .or_default()
            .push((from.clone(), until.clone()));
        stack.push((from, until));
    }
    out
}

/// A running `paesi serve`, stopped with SIGTERM when dropped.
pub struct Server {
    child: std::process::Child,
    /// `http://ADDR` the server listens on.
    pub url: String,
}

impl Server {
    /// Starts `paesi serve --bind 127.0.0.1:0 ARGS…` on `data` and reads the bound address
    /// from the first line it prints.
    pub fn start(data: &std::path::Path, args: &[&str]) -> Server {
        let mut child = paesi()
            .arg("--data")
            .arg(data)
            .arg("--queries")
            .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("queries"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start paesi serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
            .expect("read the first line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line {line:?}"))
            .to_string();
        Server { child, url }
    }

    /// The URL of a path on the server.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Sends SIGTERM and waits: the exit status and what the server printed on stderr.
    pub fn stop(mut self) -> (std::process::ExitStatus, String) {
        let status = self.terminate();
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            std::io::Read::read_to_string(&mut e, &mut err).expect("stderr");
        }
        (status, err)
    }

    /// Kills the server with SIGKILL (no shutdown of any kind) and waits for it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().expect("wait for the server")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.terminate();
        }
    }
}

/// A fresh data directory and, inside it, a copy of ontology/ with one procedure file changed
/// by `edit`: (data directory, ontology copy).
pub fn ontology_copy(
    name: &str,
    file: &str,
    edit: impl Fn(String) -> String,
) -> (PathBuf, PathBuf) {
    let data = fresh_dir(name);
    let ontology = data.join("ontology-copy");
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ontology");
    for sub in ["", "procedures", "shapes"] {
        std::fs::create_dir_all(ontology.join(sub)).expect("mkdir");
        for e in std::fs::read_dir(src.join(sub))
            .expect("read ontology")
            .flatten()
        {
            if e.path().is_file() {
                std::fs::copy(e.path(), ontology.join(sub).join(e.file_name())).expect("copy");
            }
        }
    }
    let path = ontology.join("procedures").join(file);
    let ttl = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, edit(ttl)).expect("write");
    (data, ontology)
}

/// A small deterministic generator (xorshift64*): the seeded choices of the crash tests' kill
/// points and of the fuzz replay's mutations, the same on every run.
pub struct Seeded(pub u64);

impl Seeded {
    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Every quad, sorted (blank node labels, if any, made alike).
pub fn export_sorted(data: &std::path::Path) -> Vec<String> {
    let out = paesi()
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
