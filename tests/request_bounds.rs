//! Request bounds (issue 16): a body announced at 100 MB is refused with 413 from its
//! `Content-Length`, before the client has sent it (the test sends 1 KB of it and reads the
//! answer); query strings and headers past hyper's bounds get 414 and 431; the server still
//! answers afterwards. Spoken in raw HTTP/1.1 over TCP, so nothing buffers on the client side.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};

const TOKEN: &str = "bounds-token";
const HUNDRED_MB: usize = 100 * 1024 * 1024;

fn hostile(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile")
        .join(name)
}

/// Sends `head` (request line and headers, without the blank line) and `body`, then reads
/// the answer until the server closes or the status line and headers are in: the status.
fn exchange(server: &common::Server, head: &str, body: &[u8]) -> u16 {
    let addr = server.url.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).expect("connect");
    // a guard against a server that would wait for the 100 MB: the test fails, never hangs
    s.set_read_timeout(Some(std::time::Duration::from_secs(120)))
        .expect("timeout");
    let mut request = format!("{head}\r\nHost: {addr}\r\nConnection: close\r\n\r\n").into_bytes();
    request.extend_from_slice(body);
    // a server refusing the head may close before all of it is sent: the answer still comes
    let _ = s.write_all(&request);
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                answer.extend_from_slice(&buf[..n]);
                if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            Err(e) => panic!("no answer to {head:?}: {e}"),
        }
    }
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .split_whitespace()
        .nth(1)
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    status.parse().expect("a status code")
}

fn small_kb(name: &str) -> PathBuf {
    let data = common::fresh_dir(name).join("data");
    let out = common::paesi()
        .arg("--data")
        .arg(&data)
        .arg("ingest")
        .arg(hostile("good.xml"))
        .output()
        .expect("ingest");
    assert!(out.status.success());
    data
}

#[test]
fn big_bodies_long_urls_and_headers_are_refused_early() {
    let data = small_kb("bounds");
    let server = common::Server::start(&data, &["--update-token", TOKEN]);
    let partial = vec![b'x'; 1024];
    // a query body of 100 MB: refused from its length
    let head = format!(
        "POST /sparql HTTP/1.1\r\nContent-Type: application/sparql-query\r\nContent-Length: {HUNDRED_MB}"
    );
    assert_eq!(exchange(&server, &head, &partial), 413);
    // an update of 100 MB, with the token
    let head = format!(
        "POST /sparql HTTP/1.1\r\nContent-Type: application/sparql-update\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: {HUNDRED_MB}"
    );
    assert_eq!(exchange(&server, &head, &partial), 413);
    // a document of 100 MB to /ingest: without the token 401 before anything is read, with
    // it 413 (the route takes 64 MB)
    let head = format!(
        "POST /ingest HTTP/1.1\r\nContent-Type: application/xml\r\nContent-Length: {HUNDRED_MB}"
    );
    assert_eq!(exchange(&server, &head, &partial), 401);
    let head = format!(
        "POST /ingest HTTP/1.1\r\nContent-Type: application/xml\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: {HUNDRED_MB}"
    );
    assert_eq!(exchange(&server, &head, &partial), 413);
    // a form body of 100 MB to a GET-only route: refused from its length too
    let head = format!(
        "POST /api/search HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {HUNDRED_MB}"
    );
    assert_eq!(exchange(&server, &head, &partial), 413);
    // a 100 KB query string
    let head = format!("GET /api/search?q={} HTTP/1.1", "a".repeat(100 * 1024));
    assert_eq!(exchange(&server, &head, &[]), 414);
    // a 512 KB header
    let head = format!("GET /health HTTP/1.1\r\nX-Big: {}", "b".repeat(512 * 1024));
    assert_eq!(exchange(&server, &head, &[]), 431);
    // a thousand headers
    let many: String = (0..1000).map(|i| format!("\r\nX-H{i}: v")).collect();
    let head = format!("GET /health HTTP/1.1{many}");
    assert_eq!(exchange(&server, &head, &[]), 431);
    // and the server goes on
    assert_eq!(exchange(&server, "GET /health HTTP/1.1", &[]), 200);
    let (status, stderr) = server.stop();
    assert!(status.success(), "{stderr}");
}
