//! Who may write (issue 16): every write route and method of `paesi serve` refuses a missing
//! or wrong token on every try, and nothing changes; with the right token the writes work
//! (so the refusals are not a broken route); no route reads a file a client names.

mod common;

use std::path::{Path, PathBuf};

use reqwest::blocking::{Client, RequestBuilder};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};

const TOKEN: &str = "s3cret-write-token";
/// The triple the updates would insert.
const INSERT: &str = "INSERT DATA { GRAPH <urn:paesi:test:g> { <urn:paesi:test:s> <urn:paesi:test:p> \"written\" } }";
/// Tries of each (request, credentials) pair.
const TRIES: usize = 10;

fn hostile(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile")
        .join(name)
}

/// `url?k=v&…`, encoded.
fn with(url: &str, pairs: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    format!("{url}?{}", q.finish())
}

fn client() -> Client {
    Client::builder()
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .expect("client")
}

/// A store holding `tests/hostile/good.xml`.
fn small_kb(name: &str) -> PathBuf {
    let data = common::fresh_dir(name).join("data");
    let out = common::paesi()
        .arg("--data")
        .arg(&data)
        .arg("ingest")
        .arg(hostile("good.xml"))
        .output()
        .expect("ingest");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    data
}

/// Every quad of the store, sorted, as the server answers a query for them.
fn quads(server: &common::Server) -> Vec<String> {
    let r = client()
        .get(with(
            &server.at("/sparql"),
            &[(
                "query",
                "SELECT ?g ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
            )],
        ))
        .header("Accept", "text/tab-separated-values")
        .send()
        .expect("query");
    assert_eq!(r.status(), 200);
    let mut lines: Vec<String> = r
        .text()
        .expect("body")
        .lines()
        .skip(1)
        .map(String::from)
        .collect();
    lines.sort();
    lines
}

/// Makes a request against a server.
type MakeRequest = dyn Fn(&Client, &common::Server) -> RequestBuilder;

/// One write request, made afresh for each try.
struct Write {
    what: &'static str,
    make: Box<MakeRequest>,
}

/// Every write the server has: SPARQL Update in both POST forms, `POST /ingest` with a
/// document and with a list of paths.
fn writes() -> Vec<Write> {
    let document = std::fs::read(hostile("cyclic-references.xml")).expect("document");
    let paths = serde_json::json!([hostile("cyclic-references.xml")]).to_string();
    vec![
        Write {
            what: "POST /sparql application/sparql-update",
            make: Box::new(|c: &Client, s: &common::Server| {
                c.post(s.at("/sparql"))
                    .header(CONTENT_TYPE, "application/sparql-update")
                    .body(INSERT)
            }),
        },
        Write {
            what: "POST /sparql update= form",
            make: Box::new(|c: &Client, s: &common::Server| {
                c.post(s.at("/sparql"))
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(
                        form_urlencoded::Serializer::new(String::new())
                            .append_pair("update", INSERT)
                            .finish(),
                    )
            }),
        },
        Write {
            what: "POST /sparql DROP ALL",
            make: Box::new(|c: &Client, s: &common::Server| {
                c.post(s.at("/sparql"))
                    .header(CONTENT_TYPE, "application/sparql-update")
                    .body("DROP ALL")
            }),
        },
        Write {
            what: "POST /ingest document",
            make: Box::new(move |c: &Client, s: &common::Server| {
                c.post(s.at("/ingest?name=cyclic.xml"))
                    .header(CONTENT_TYPE, "application/xml")
                    .body(document.clone())
            }),
        },
        Write {
            what: "POST /ingest paths",
            make: Box::new(move |c: &Client, s: &common::Server| {
                c.post(s.at("/ingest"))
                    .header(CONTENT_TYPE, "application/json")
                    .body(paths.clone())
            }),
        },
    ]
}

/// The credentials a client without the token might try.
const WRONG: &[Option<&str>] = &[
    None,
    Some(""),
    Some("Bearer "),
    Some("Bearer wrong"),
    Some("Bearer s3cret-write-toke"),
    Some("Bearer s3cret-write-tokenX"),
    Some("Bearer S3CRET-WRITE-TOKEN"),
    Some("bearer s3cret-write-token"),
    Some("Basic czNjcmV0LXdyaXRlLXRva2Vu"),
    Some("s3cret-write-token"),
];

/// Sends every write with every wrong credential `TRIES` times: each answer must be
/// `expected`. Returns how many tries were made.
fn refuse_all(server: &common::Server, expected: u16) -> usize {
    let c = client();
    let mut tries = 0;
    for w in writes() {
        for cred in WRONG {
            for _ in 0..TRIES {
                let mut r = (w.make)(&c, server);
                if let Some(v) = cred {
                    r = r.header(AUTHORIZATION, *v);
                }
                let status = r.send().expect("send").status().as_u16();
                assert_eq!(status, expected, "{} with {cred:?}", w.what);
                tries += 1;
            }
        }
        // the token in the URL is no token either
        let r = (w.make)(&c, server).build().expect("request");
        let url = with(
            r.url().as_str(),
            &[("token", TOKEN), ("access_token", TOKEN)],
        );
        let mut r = r;
        *r.url_mut() =
            reqwest::Url::parse(&url.replacen("?name=cyclic.xml?", "?name=cyclic.xml&", 1))
                .expect("url");
        assert_eq!(c.execute(r).expect("send").status().as_u16(), expected);
        tries += 1;
    }
    tries
}

#[test]
fn a_missing_or_wrong_token_writes_nothing() {
    let data = small_kb("writes-token");
    let server = common::Server::start(&data, &["--update-token", TOKEN]);
    let before = quads(&server);
    assert!(before.len() > 10, "the store holds the good document");
    let tries = refuse_all(&server, 401);
    assert_eq!(tries, writes().len() * (WRONG.len() * TRIES + 1));
    eprintln!("{tries} write attempts without the right token, all refused");
    // methods that are not writes here change nothing either
    let c = client();
    for path in ["/sparql", "/ingest", "/act/stato/legge/2099/100", "/health"] {
        for method in ["PUT", "DELETE", "PATCH"] {
            let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
            let r = c
                .request(m, server.at(path))
                .header(AUTHORIZATION, format!("Bearer {TOKEN}"))
                .header(CONTENT_TYPE, "application/sparql-update")
                .body(INSERT)
                .send()
                .expect("send");
            assert_eq!(r.status(), 405, "{method} {path}");
        }
    }
    // an update by GET is refused whatever the token
    let r = c
        .get(with(&server.at("/sparql"), &[("update", INSERT)]))
        .header(AUTHORIZATION, format!("Bearer {TOKEN}"))
        .send()
        .expect("send");
    assert_eq!(r.status(), 400);
    assert_eq!(quads(&server), before, "nothing changed");

    // with the token, the same writes work: the refusals were the token's doing
    let r = (writes()[0].make)(&c, &server)
        .header(AUTHORIZATION, format!("Bearer {TOKEN}"))
        .send()
        .expect("send");
    assert_eq!(r.status(), 204);
    let after = quads(&server);
    // one triple in one named graph: a row in the union default graph and one in GRAPH ?g
    assert_eq!(after.len(), before.len() + 2, "one triple inserted");
    assert!(after.iter().any(|l| l.contains("\"written\"")));
    let r = (writes()[3].make)(&c, &server)
        .header(AUTHORIZATION, format!("Bearer {TOKEN}"))
        .send()
        .expect("send");
    assert_eq!(r.status(), 200, "{:?}", r.text());
    assert!(quads(&server).len() > after.len(), "the document went in");
}

#[test]
fn without_a_token_configured_the_server_takes_no_writes() {
    let data = small_kb("writes-readonly");
    let server = common::Server::start(&data, &[]);
    let before = quads(&server);
    let tries = refuse_all(&server, 403);
    // even the token another server would take
    let c = client();
    for w in writes() {
        let r = (w.make)(&c, &server)
            .header(AUTHORIZATION, format!("Bearer {TOKEN}"))
            .send()
            .expect("send");
        assert_eq!(r.status(), 403, "{}", w.what);
    }
    eprintln!(
        "{} write attempts on a read-only server, all refused",
        tries + writes().len()
    );
    assert_eq!(quads(&server), before, "nothing changed");
}

#[test]
fn no_route_reads_a_file_a_client_names() {
    let data = small_kb("writes-paths");
    let server = common::Server::start(&data, &["--update-token", TOKEN]);
    let before = quads(&server);
    let secret_path = hostile("secret.txt");
    let secret = std::fs::read_to_string(&secret_path).expect("secret");
    let secret = secret.trim();
    let c = client();
    let auth = format!("Bearer {TOKEN}");
    // with the right token: a list of paths is refused, and so is LOAD of a file
    let r = c
        .post(server.at("/ingest"))
        .header(AUTHORIZATION, &auth)
        .header(CONTENT_TYPE, "application/json")
        .body(serde_json::json!([hostile("cyclic-references.xml")]).to_string())
        .send()
        .expect("send");
    assert_eq!(r.status(), 415);
    let ttl = Path::new(env!("CARGO_MANIFEST_DIR")).join("ontology/paesi.ttl");
    for update in [
        format!("LOAD <file://{}>", ttl.display()),
        format!(
            "LOAD SILENT <file://{}> INTO GRAPH <urn:paesi:test:g>",
            ttl.display()
        ),
        format!("LOAD <file://{}>", secret_path.display()),
    ] {
        let r = c
            .post(server.at("/sparql"))
            .header(AUTHORIZATION, &auth)
            .header(CONTENT_TYPE, "application/sparql-update")
            .body(update.clone())
            .send()
            .expect("send");
        assert_eq!(r.status(), 400, "{update}");
        assert!(!r.text().expect("body").contains(secret));
    }
    // paths smuggled into the routes that take a name
    let rel = secret_path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .expect("relative")
        .display()
        .to_string();
    for url in [
        format!("/queries/..%2F{}", rel.replace('/', "%2F")),
        format!("/queries/{}", secret_path.display()),
        format!("/act/..%2F..%2F{}", rel.replace('/', "%2F")),
        format!("/akn/..%2F..%2F{}", rel.replace('/', "%2F")),
        format!("/procedure/..%2F..%2F{}", rel.replace('/', "%2F")),
        format!("/api/norms?urn=file://{}", secret_path.display()),
        format!("/api/procedures/..%2F..%2F{}", rel.replace('/', "%2F")),
        format!(
            "/sparql?query={}",
            form_urlencoded::byte_serialize(
                format!(
                    "SELECT * FROM <file://{}> WHERE {{ ?s ?p ?o }}",
                    secret_path.display()
                )
                .as_bytes()
            )
            .collect::<String>()
        ),
    ] {
        let r = c.get(server.at(&url)).send().expect("send");
        let status = r.status().as_u16();
        let body = r.text().expect("body");
        assert!(!body.contains(secret), "{url} answered the file");
        assert!(
            status == 200 && !body.contains(secret) || (400..500).contains(&status),
            "{url}: {status}"
        );
    }
    assert_eq!(quads(&server), before, "nothing changed");
}
