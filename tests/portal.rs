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

const TU: &str = "/act/stato/decreto.legislativo/1998/286";
const TU_CITATION: &str = "D.Lgs. 25 luglio 1998, n. 286";
const TU_FILE: &str = "corpus/nir/xmleges-samples/286-paesi.xml";

/// An act a URN:NIR names, read here without the library: (its server path, its citation as
/// the canonical IRI allows it: type, year and number). The spellings of the Testo unico's
/// relations only: `presidente.repubblica:decreto` is the D.P.R. (README, Identifiers).
fn act_of_urn(urn: &str) -> (String, String) {
    let urn = urn.split(['#', '~']).next().expect("urn");
    let parts: Vec<&str> = urn
        .strip_prefix("urn:nir:")
        .expect("a URN:NIR")
        .split(':')
        .collect();
    let (authority, doc_type) = match (parts[0], parts[1]) {
        ("presidente.repubblica", "decreto") => ("stato", "decreto.presidente.repubblica"),
        (a, t) => (a, t),
    };
    let (date, number) = parts[2].split_once(';').expect("date;number");
    let year = &date[..4];
    let abbreviation = match doc_type {
        "decreto.legislativo" => "D.Lgs.",
        "decreto.legge" => "D.L.",
        "legge" => "L.",
        "decreto.presidente.repubblica" => "D.P.R.",
        other => panic!("no abbreviation for {other} in this test"),
    };
    (
        format!("/act/{authority}/{doc_type}/{year}/{number}"),
        format!("{abbreviation} {year}, n. {number}"),
    )
}

/// The value of attribute `key` in a tag's text.
fn attr(tag: &str, key: &str) -> Option<String> {
    let pat = format!(" {key}=\"");
    let at = tag.find(&pat)? + pat.len();
    Some(tag[at..at + tag[at..].find('"')?].to_string())
}

/// The tags' texts of an XML document, split without a parser.
fn raw_tags(text: &str) -> impl Iterator<Item = &str> {
    text.split('<')
        .skip(1)
        .map(|t| t.split('>').next().unwrap_or(""))
}

/// The part of a page after `start` up to the first `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not on the page"))
        + start.len();
    let len = html[from..].find(end).expect("the end of the section");
    &html[from..from + len]
}

/// How a page names an act or partition: a link to its page (language kept) when the KB
/// holds it, else its citation as text.
fn named(path: Option<&str>, citation: &str, lang: &str) -> String {
    match path {
        Some(p) => format!("<a href=\"{p}?lang={lang}\">{}</a>", esc(citation)),
        None => format!("<span>{}</span>", esc(citation)),
    }
}

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
    // the TU, read here without the parser: its articles, the acts its lifecycle relations
    // and dispositions name as amending it, and the versions of art. 9 with their events' acts
    let tu_bytes = std::fs::read(shared.join(TU_FILE)).expect("read the TU");
    let tu_counts = common::count_xml(&tu_bytes);
    // ISO-8859-15: ids, dates and tag names are ASCII
    let tu_text: String = tu_bytes.iter().map(|&b| b as char).collect();
    let mut relations = BTreeMap::new();
    let mut event_source = BTreeMap::new();
    let mut tu_amending = BTreeSet::new();
    for tag in raw_tags(&tu_text) {
        let name = tag.split([' ', '/']).next().unwrap_or("");
        let href = attr(tag, "xlink:href");
        match name {
            "originale" | "passiva" | "attiva" => {
                relations.insert(attr(tag, "id").expect("id"), href.clone().expect("href"));
                if name == "passiva" {
                    tu_amending.insert(act_of_urn(&href.expect("href")));
                }
            }
            "dsp:norma" => {
                tu_amending.insert(act_of_urn(&href.expect("href")));
            }
            "evento" => {
                event_source.insert(
                    attr(tag, "id").expect("id"),
                    attr(tag, "fonte").expect("fonte"),
                );
            }
            _ => {}
        }
    }
    let periods = common::periods_in_xml(&tu_text);
    let by_event = |event: Option<String>| event.map(|e| act_of_urn(&relations[&event_source[&e]]));
    // (from, until, brought in by, ended by), oldest first
    type Act = Option<(String, String)>;
    let mut art9_versions: Vec<(String, Option<String>, Act, Act)> = raw_tags(&tu_text)
        .filter(|t| t.starts_with("articolo "))
        .filter(|t| attr(t, "id").is_some_and(|id| id == "art9" || id.starts_with("art9-t")))
        .zip(&periods[&("articolo".to_string(), "art9".to_string())])
        .map(|(t, (from, until))| {
            (
                from.clone(),
                until.clone(),
                by_event(attr(t, "iniziovigore")),
                by_event(attr(t, "finevigore")),
            )
        })
        .collect();
    art9_versions.sort();
    assert_eq!(art9_versions.len(), 2, "art. 9 has two versions in the TU");
    // the acts the KB holds, their title and citation parts, asked of the CLI before the
    // server holds the store
    let mut held_acts = BTreeSet::new();
    let mut held_citations = BTreeMap::new();
    let mut tu_title = String::new();
    for row in common::select(
        &data,
        "PREFIX eli: <http://data.europa.eu/eli/ontology#>
         SELECT ?a ?d ?t WHERE { ?a <https://w3id.org/paesi/ontology#sourceFormat> ?f ;
           eli:date_document ?d . OPTIONAL { ?a eli:title ?t } }",
    ) {
        let path = row["a"]
            .trim_start_matches("https://w3id.org/paesi")
            .to_string();
        if path == TU {
            tu_title = row.get("t").cloned().unwrap_or_default();
        }
        if let Some((_, citation)) = tu_amending.iter().find(|(p, _)| *p == path) {
            // `D.Lgs. 2007, n. 30` with its day and month: `D.Lgs. 6 febbraio 2007, n. 30`
            let (y, m, d) = (&row["d"][..4], &row["d"][5..7], &row["d"][8..10]);
            let month = [
                "gennaio",
                "febbraio",
                "marzo",
                "aprile",
                "maggio",
                "giugno",
                "luglio",
                "agosto",
                "settembre",
                "ottobre",
                "novembre",
                "dicembre",
            ][m.parse::<usize>().expect("month") - 1];
            let day = d.trim_start_matches('0');
            let day = if day == "1" { "1°" } else { day };
            held_citations.insert(
                path.clone(),
                citation.replace(y, &format!("{day} {month} {y}")),
            );
        }
        held_acts.insert(path);
    }
    assert!(!tu_title.is_empty());

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
    // the act page: citation, title, every article of the TU in its contents (counted on the
    // XML), the acts that amend it as its lifecycle relations name them, and the reverse
    // direction on the page of an amending act the KB holds (D.Lgs. 30/2007)
    let act_page = get(&http, &server.at(&format!("{TU}?lang=it")), &[]);
    assert_eq!(h1(&act_page), TU_CITATION);
    assert!(act_page.contains(&format!("<p class=\"title\">{}</p>", esc(&tu_title))));
    let contents = between(&act_page, "<h2 id=\"contents\">Indice</h2>", "</nav>");
    let articles: BTreeSet<String> = hrefs(contents)
        .into_iter()
        .filter_map(|h| {
            let path = h.strip_suffix("?lang=it")?;
            let last = path.strip_prefix(&format!("{TU}/"))?;
            (last.starts_with("art") && !last.contains('-')).then(|| last.to_string())
        })
        .collect();
    assert_eq!(articles.len(), tu_counts.articles, "{articles:?}");
    let amended_by = between(&act_page, "<h2>Modificato da</h2>", "</section>");
    let shown: Vec<&str> = amended_by
        .split("<li>")
        .skip(1)
        .filter_map(|li| li.split("</li>").next())
        .collect();
    let mut expected = BTreeMap::new();
    for (path, citation) in &tu_amending {
        let held = held_acts.contains(path);
        // an act the KB holds is cited with its full date, as its page says
        let citation = if held {
            held_citations[path].clone()
        } else {
            citation.clone()
        };
        expected.insert(
            path.clone(),
            named(held.then_some(path.as_str()), &citation, "it"),
        );
    }
    let mut shown_sorted: Vec<&str> = shown.clone();
    shown_sorted.sort();
    let mut expected_sorted: Vec<&str> = expected.values().map(String::as_str).collect();
    expected_sorted.sort();
    assert_eq!(shown_sorted, expected_sorted);
    let dlgs30 = "/act/stato/decreto.legislativo/2007/30";
    assert!(tu_amending.iter().any(|(p, _)| p == dlgs30));
    let amending_page = get(&http, &server.at(&format!("{dlgs30}?lang=it")), &[]);
    assert_eq!(h1(&amending_page), esc(&held_citations[dlgs30]));
    assert!(
        between(&amending_page, "<h2>Atti che modifica</h2>", "</section>").contains(&named(
            Some(TU),
            TU_CITATION,
            "it"
        ))
    );
    // the article pages name their act
    let art9_page = get(
        &http,
        &server.at(&format!("{TU}/art9?lang=it&at={DAY}")),
        &[],
    );
    assert!(art9_page.contains(&format!("Atto: {}", named(Some(TU), TU_CITATION, "it"))));

    // the norm page's timeline: art. 9 of the TU, its versions as the XML declares them,
    // each with the acts of its lifecycle events; the one in force on DAY marked
    let timeline = between(&art9_page, "<ol class=\"timeline\">", "</ol>");
    let items: Vec<&str> = timeline.split("<li").skip(1).collect();
    assert_eq!(items.len(), art9_versions.len(), "{timeline}");
    for (li, (from, until, introduced, ended)) in items.iter().zip(&art9_versions) {
        assert!(li.contains(&format!("<time datetime=\"{from}\">")), "{li}");
        match until {
            Some(u) => assert!(li.contains(&format!("<time datetime=\"{u}\">")), "{li}"),
            None => assert_eq!(li.matches("<time ").count(), 1, "{li}"),
        }
        let current = from.as_str() <= DAY && until.as_deref().is_none_or(|u| u > DAY);
        assert_eq!(li.starts_with(" class=\"current\""), current, "{li}");
        for (label, by) in [("introdotta da", introduced), ("cessata per", ended)] {
            match by {
                Some((path, citation)) => {
                    let path = path.as_str();
                    let shown = if path == TU {
                        named(Some(TU), TU_CITATION, "it")
                    } else {
                        named(None, citation, "it")
                    };
                    assert!(li.contains(&format!("{label} {shown}")), "{label} in {li}");
                }
                None => assert!(!li.contains(label), "{li}"),
            }
        }
    }
    // the procedure page cites each legal basis the Italian way
    let proc_it = get(
        &http,
        &server.at(&format!("/procedure/{REUNIFICATION}?lang=it&at={DAY}")),
        &[],
    );
    assert!(proc_it.contains(&format!(
        "<a href=\"{ART29_1}?at={DAY}&amp;lang=it\">art. 29, comma 1, {TU_CITATION}</a>"
    )));
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

    // every local link of these pages, and of every procedure's page (their last amendments
    // among them: linked only when the KB holds the amending act), answers 200
    let mut pages = vec![
        server.at("/?lang=ar"),
        server.at(&format!("/search?q=ricongiungimento&at={DAY}&lang=ar")),
        server.at(&format!("/procedure/{REUNIFICATION}?lang=ar")),
        server.at(&format!("{ART29_1}?lang=ar")),
    ];
    pages.extend(
        catalogue
            .keys()
            .map(|id| server.at(&format!("/procedure/{id}?lang=it&at={DAY}"))),
    );
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
