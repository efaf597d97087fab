//! The portal's pages over real HTTP: languages (`?lang=`, `Accept-Language`, Arabic right to
//! left), the choice kept in links, every value escaped, the catalogue on the home page, the
//! search page, a procedure page citing its norm with the text in force, the norm page
//! linking back, and every local link of these pages answering 200.
//!
//! Expected figures come from the catalogue's Turtle files (parsed here with oxigraph) and
//! from the CLI's `--json` answers taken before the server holds the store.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{Server, fresh_dir, paesi};
use reqwest::blocking::Client;
use reqwest::header::{ACCEPT, ACCEPT_LANGUAGE};

const DAY: &str = "2025-06-01";
const ESCAPE_ID: &str = "prova-escape";
const REUNIFICATION: &str = "ricongiungimento-nulla-osta";
const ART29_1: &str = "/act/stato/decreto.legislativo/1998/286/art29-com1";
const DCT_TITLE: &str = "http://purl.org/dc/terms/title";
const DCT_ID: &str = "http://purl.org/dc/terms/identifier";
const PROCEDURE: &str = "https://w3id.org/paesi/ontology#Procedure";

fn project(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Every procedure of the catalogue files and the escape fixture: id → (lang → title).
fn catalogue() -> BTreeMap<String, BTreeMap<String, String>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(project("ontology/procedures"))
        .expect("catalogue dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ttl"))
        .collect();
    files.push(project("tests/fixtures/portal-escape.ttl"));
    let mut graph = oxigraph::model::Graph::new();
    for f in files {
        let bytes = std::fs::read(&f).expect("read ttl");
        for t in
            oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle).for_slice(&bytes)
        {
            let q = t.expect("valid Turtle");
            graph.insert(oxigraph::model::TripleRef::new(
                q.subject.as_ref(),
                q.predicate.as_ref(),
                q.object.as_ref(),
            ));
        }
    }
    let rdf_type = oxigraph::model::vocab::rdf::TYPE;
    let procedure = oxigraph::model::NamedNodeRef::new(PROCEDURE).expect("IRI");
    let mut out = BTreeMap::new();
    for s in graph.subjects_for_predicate_object(rdf_type, procedure) {
        let mut id = None;
        let mut titles = BTreeMap::new();
        for t in graph.triples_for_subject(s) {
            if let oxigraph::model::TermRef::Literal(l) = t.object {
                if t.predicate.as_str() == DCT_ID {
                    id = Some(l.value().to_string());
                } else if t.predicate.as_str() == DCT_TITLE {
                    titles.insert(
                        l.language().unwrap_or("").to_string(),
                        l.value().to_string(),
                    );
                }
            }
        }
        out.insert(id.expect("every procedure has an identifier"), titles);
    }
    out
}

/// HTML escaping as maud writes text and attribute values.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The `href` values of a page, unescaped.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| s.replace("&amp;", "&"))
        .collect()
}

fn get(http: &Client, url: &str, headers: &[(reqwest::header::HeaderName, &str)]) -> String {
    let mut r = http.get(url).header(ACCEPT, "text/html");
    for (k, v) in headers {
        r = r.header(k.clone(), *v);
    }
    let r = r.send().expect("GET");
    assert_eq!(r.status(), 200, "{url}");
    assert_eq!(
        r.headers()["content-type"],
        "text/html; charset=utf-8",
        "{url}"
    );
    r.text().expect("body")
}

/// The text between `<h1>` and `</h1>`.
fn h1(html: &str) -> &str {
    html.split_once("<h1>")
        .and_then(|(_, rest)| rest.split_once("</h1>"))
        .map(|(h, _)| h)
        .expect("an h1")
}

#[test]
fn portal_pages_languages_escaping_and_links() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let data = fresh_dir("portal");
    let out = paesi()
        .arg("--data")
        .arg(&data)
        .arg("ingest")
        .arg(project("corpus"))
        .arg(project("ontology"))
        .arg(project("tests/fixtures/portal-escape.ttl"))
        .arg(shared.join("corpus/nir/xmleges-samples/286-paesi.xml"))
        .output()
        .expect("run paesi ingest");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // the text of art. 29, comma 1 in force on DAY, as the CLI gives it (before the server
    // holds the store)
    let norm = common::run_json(
        &data,
        &[
            "norm",
            "--json",
            "--at",
            DAY,
            &format!("https://w3id.org/paesi{ART29_1}"),
        ],
    );
    let art29_text = norm["text"]
        .as_str()
        .expect("art. 29, comma 1 in force")
        .to_string();
    let catalogue = catalogue();
    assert!(catalogue.contains_key(REUNIFICATION) && catalogue.contains_key(ESCAPE_ID));

    let server = Server::start(&data, &[]);
    let http = Client::builder().build().expect("HTTP client");

    // languages: lang=, then Accept-Language, then Italian; Arabic right to left
    for (lang, dir) in [
        ("it", "ltr"),
        ("en", "ltr"),
        ("fr", "ltr"),
        ("es", "ltr"),
        ("ar", "rtl"),
    ] {
        let home = get(&http, &server.at(&format!("/?lang={lang}")), &[]);
        assert!(
            home.starts_with(&format!(
                "<!DOCTYPE html><html lang=\"{lang}\" dir=\"{dir}\">"
            )),
            "{home:.120}"
        );
        // the search box of the issue
        assert!(home.contains("<form action=\"/search\" method=\"get\" role=\"search\">"));
        assert!(home.contains("name=\"q\""));
        // every local link keeps the language (the switch's own links name theirs)
        for h in hrefs(&home).iter().filter(|h| h.starts_with('/')) {
            assert!(h.contains("lang="), "{h}");
            if !home.contains(&format!(
                "hreflang=\"{}\" href=\"{}\"",
                &h[h.len() - 2..],
                esc(h)
            )) {
                assert!(h.ends_with(&format!("lang={lang}")), "{h}");
            }
        }
        // the catalogue: every procedure once per category, with its title in that language
        // (Italian where the catalogue has none)
        let linked: BTreeSet<String> = hrefs(&home)
            .iter()
            .filter_map(|h| h.strip_prefix("/procedure/"))
            .filter_map(|h| h.split('?').next())
            .map(str::to_string)
            .collect();
        assert_eq!(linked, catalogue.keys().cloned().collect::<BTreeSet<_>>());
        for (id, titles) in &catalogue {
            let title = titles
                .get(lang)
                .or_else(|| titles.get("it"))
                .expect("a title");
            assert!(
                home.contains(&format!(
                    "<a href=\"/procedure/{id}?lang={lang}\">{}</a>",
                    esc(title)
                )),
                "{id} in {lang}"
            );
        }
    }
    let fr = get(
        &http,
        &server.at("/"),
        &[(ACCEPT_LANGUAGE, "de-CH, fr;q=0.8, en;q=0.5")],
    );
    assert!(fr.starts_with("<!DOCTYPE html><html lang=\"fr\" dir=\"ltr\">"));
    let it = get(&http, &server.at("/"), &[]);
    assert!(it.starts_with("<!DOCTYPE html><html lang=\"it\" dir=\"ltr\">"));

    // escaping: the title with markup is text on every page that shows it
    let raw_title = &catalogue[ESCAPE_ID]["it"];
    let proc_page = get(
        &http,
        &server.at(&format!("/procedure/{ESCAPE_ID}?lang=it")),
        &[],
    );
    assert_eq!(h1(&proc_page), esc(raw_title));
    assert!(!proc_page.contains("<script>alert(1)") && !proc_page.contains("<img src=x"));
    assert!(!it.contains("<script>alert(1)"));
    let norm9 = get(
        &http,
        &server.at("/act/stato/legge/1992/91/art9?lang=en"),
        &[],
    );
    assert!(norm9.contains(&format!(
        "<a href=\"/procedure/{ESCAPE_ID}?lang=en\">{}</a>",
        esc(&catalogue[ESCAPE_ID]["en"])
    )));
    assert!(!norm9.contains("<script>alert(1)"));

    // the procedure page: title in the language, its basis art. 29 c. 1 linked with the
    // text in force on DAY; the norm page links back; the RDF forms are kept
    for lang in ["it", "en", "fr", "es", "ar"] {
        let page = get(
            &http,
            &server.at(&format!("/procedure/{REUNIFICATION}?lang={lang}&at={DAY}")),
            &[],
        );
        assert_eq!(h1(&page), esc(&catalogue[REUNIFICATION][lang]));
        assert!(page.contains(&format!("href=\"{ART29_1}?at={DAY}&amp;lang={lang}\"")));
        assert!(page.contains(&format!(
            "<blockquote lang=\"it\">{}</blockquote>",
            esc(&art29_text)
        )));
        let norm_page = get(
            &http,
            &server.at(&format!("{ART29_1}?at={DAY}&lang={lang}")),
            &[],
        );
        assert!(norm_page.contains(&format!(
            "<blockquote lang=\"it\">{}</blockquote>",
            esc(&art29_text)
        )));
        assert!(norm_page.contains(&format!(
            "<a href=\"/procedure/{REUNIFICATION}?lang={lang}\">{}</a>",
            esc(&catalogue[REUNIFICATION][lang])
        )));
    }
    let r = http
        .get(server.at(&format!("/procedure/{REUNIFICATION}")))
        .header(ACCEPT, "text/turtle")
        .send()
        .expect("Turtle");
    assert_eq!(r.headers()["content-type"], "text/turtle");

    // search: the page shows the library's answer (the JSON API's), procedures first, words
    // marked; filters and paging keep the language
    let api: serde_json::Value = http
        .get(server.at(&format!("/api/search?q=ricongiungimento&at={DAY}&limit=20")))
        .send()
        .expect("API")
        .json()
        .expect("JSON");
    let search = get(
        &http,
        &server.at(&format!("/search?q=ricongiungimento&at={DAY}&lang=es")),
        &[],
    );
    assert!(search.contains(&format!(
        "<p class=\"meta\">Encontrados: {}</p>",
        api["total"]
    )));
    let mut expected: Vec<(bool, String)> = api["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| {
            let iri = h["iri"].as_str().expect("iri");
            (
                h["kind"] != "procedure",
                iri.trim_start_matches("https://w3id.org/paesi").to_string(),
            )
        })
        .collect();
    expected.sort_by_key(|(norm, _)| *norm); // stable: procedures first, order kept
    let shown: Vec<String> = hrefs(&search)
        .into_iter()
        .filter(|h| h.ends_with(&format!("?at={DAY}&lang=es")))
        .filter(|h| !h.starts_with("/search"))
        .map(|h| h.split('?').next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        shown,
        expected.into_iter().map(|(_, p)| p).collect::<Vec<_>>()
    );
    assert!(search.contains("<mark>"));
    assert!(search.contains(&format!(
        "href=\"/search?at={DAY}&amp;q=ricongiungimento&amp;kind=procedure&amp;lang=es\""
    )));

    // every local link of these pages answers 200
    let pages = [
        server.at("/?lang=ar"),
        server.at(&format!("/search?q=ricongiungimento&at={DAY}&lang=ar")),
        server.at(&format!("/procedure/{REUNIFICATION}?lang=ar")),
        server.at(&format!("{ART29_1}?lang=ar")),
    ];
    let mut checked = BTreeSet::new();
    for p in &pages {
        let html = get(&http, p, &[]);
        for h in hrefs(&html).into_iter().filter(|h| h.starts_with('/')) {
            if checked.insert(h.clone()) {
                let r = http
                    .get(server.at(&h))
                    .header(ACCEPT, "text/html")
                    .send()
                    .expect("link");
                assert_eq!(r.status(), 200, "{h} on {p}");
            }
        }
    }
    assert!(checked.len() > catalogue.len());

    // bad input is refused, not guessed
    let r = http
        .get(server.at("/search?q=x&page=0"))
        .send()
        .expect("page 0");
    assert_eq!(r.status(), 400);
    let r = http
        .get(server.at("/search?q=x&at=tomorrow"))
        .send()
        .expect("bad date");
    assert_eq!(r.status(), 400);
    let (status, _) = server.stop();
    assert!(status.success());
}
