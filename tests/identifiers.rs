//! Every identifier in the shared corpus goes through `paesi::ids::resolve_href`.
//!
//! An independent, regex-free scan collects `href`/`xlink:href` values, FRBR `value`s of
//! `FRBRthis`/`FRBRuri`/`FRBRalias` and NIR `<urn>` values from every XML file under
//! `corpus/{akn,nir,bulk}`, then counts what parses and prints what does not, by reason.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use paesi::ids::{Target, Work, parse_eli, resolve_href};

/// Where a value was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Href,
    Frbr,
    Urn,
}

/// Decodes the five predefined XML entities (enough for attribute values holding ids).
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The quoted value starting right after `attr=` at `text[at..]`, if any.
fn quoted_at(text: &str, at: usize) -> Option<&str> {
    let rest = text.get(at..)?;
    let q = rest.chars().next()?;
    if q != '"' && q != '\'' {
        return None;
    }
    let body = &rest[1..];
    body.find(q).map(|end| &body[..end])
}

/// Every identifier-bearing value of one document, in document order.
fn scan(text: &str) -> Vec<(Kind, String)> {
    let mut out = Vec::new();
    // href="…" and xlink:href="…"
    for (i, _) in text.match_indices("href=") {
        let prev = text[..i].chars().next_back();
        if prev.is_some_and(|c| c.is_whitespace() || c == ':')
            && let Some(v) = quoted_at(text, i + 5)
        {
            out.push((i, Kind::Href, unescape(v)));
        }
    }
    // <FRBRthis value="…"/> (any namespace prefix), FRBRuri, FRBRalias.
    for name in ["FRBRthis", "FRBRuri", "FRBRalias"] {
        for (i, _) in text.match_indices(name) {
            let prev = text[..i].chars().next_back();
            let next = text[i + name.len()..].chars().next();
            if !prev.is_some_and(|c| c == '<' || c == ':')
                || !next.is_some_and(|c| c.is_whitespace())
            {
                continue;
            }
            let Some(end) = text[i..].find('>') else {
                continue;
            };
            let tag = &text[i..i + end];
            let mut pos = 0;
            while let Some(j) = tag[pos..].find("value=") {
                let at = pos + j;
                let before = tag[..at].chars().next_back();
                if before.is_some_and(char::is_whitespace) {
                    if let Some(v) = quoted_at(tag, at + 6) {
                        out.push((i, Kind::Frbr, unescape(v)));
                    }
                    break;
                }
                pos = at + 6;
            }
        }
    }
    // NIR <urn valore="…"/> and <urn>…</urn>
    for (i, _) in text.match_indices("<urn") {
        let rest = &text[i + 4..];
        let Some(end) = rest.find('>') else { continue };
        let tag = &rest[..end];
        if !(tag.is_empty() || tag.starts_with(char::is_whitespace) || tag.starts_with('/')) {
            continue;
        }
        if let Some(j) = tag.find("valore=")
            && let Some(v) = quoted_at(tag, j + 7)
        {
            out.push((i, Kind::Urn, unescape(v)));
        } else if !tag.ends_with('/')
            && let Some(close) = rest[end + 1..].find("</urn>")
        {
            out.push((
                i,
                Kind::Urn,
                unescape(rest[end + 1..end + 1 + close].trim()),
            ));
        }
    }
    out.sort_by_key(|(i, _, _)| *i);
    out.into_iter().map(|(_, k, v)| (k, v)).collect()
}

/// The document's own work: its first FRBRthis or `<urn>` that resolves.
fn own_work(values: &[(Kind, String)]) -> Option<Work> {
    values
        .iter()
        .filter(|(k, _)| *k != Kind::Href)
        .find_map(|(_, v)| resolve_href(v, None).ok().map(|t| t.work))
}

#[derive(Default)]
struct Tally {
    total: usize,
    parsed: usize,
    eli: usize,
    empty: usize,
    not_identifier: usize,
    failures: BTreeMap<String, (usize, Vec<String>)>,
}

fn is_not_identifier(reason: &str) -> bool {
    reason.starts_with("not an identifier") || reason.contains("ontology (TLC)")
}

fn read_lossy(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn corpus_identifiers_resolve() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let mut tally = Tally::default();
    let mut files = 0;
    for sub in ["akn", "nir", "bulk"] {
        for path in common::xml_files(&shared.join("corpus").join(sub)) {
            files += 1;
            let text = read_lossy(&path);
            let values = scan(&text);
            let base = own_work(&values);
            for (_, v) in &values {
                tally.total += 1;
                match resolve_href(v, base.as_ref()) {
                    Ok(_) => tally.parsed += 1,
                    // A Normattiva ELI alias parses, but names no act type/number to resolve.
                    Err(_) if parse_eli(v).is_ok() => tally.eli += 1,
                    Err(e) => {
                        if e.reason.starts_with("empty") {
                            tally.empty += 1;
                        } else if is_not_identifier(&e.reason) {
                            tally.not_identifier += 1;
                        }
                        let entry = tally.failures.entry(e.reason.clone()).or_default();
                        entry.0 += 1;
                        if entry.1.len() < 4 && !entry.1.contains(v) {
                            entry.1.push(v.clone());
                        }
                    }
                }
            }
        }
    }
    let non_empty = tally.total - tally.empty;
    let recognised = tally.parsed + tally.eli;
    let resolved_share = tally.parsed as f64 / non_empty.max(1) as f64;
    let share = recognised as f64 / non_empty.max(1) as f64;
    let share_ids = recognised as f64 / (non_empty - tally.not_identifier).max(1) as f64;
    println!("files scanned: {files}");
    println!(
        "values: {} ({} empty: href=\"\" or \"#\")",
        tally.total, tally.empty
    );
    println!(
        "resolved to a canonical target: {} = {:.2}% of non-empty values",
        tally.parsed,
        resolved_share * 100.0
    );
    println!(
        "ELI aliases parsed (no act type/number to resolve): {}",
        tally.eli
    );
    println!(
        "parsed (resolved + ELI): {recognised} = {:.2}% of non-empty values",
        share * 100.0
    );
    println!(
        "not identifiers (web URLs, TLC ontology refs): {}; parsed = {:.2}% of the remaining identifiers",
        tally.not_identifier,
        share_ids * 100.0
    );
    let mut by_count: Vec<_> = tally.failures.iter().collect();
    by_count.sort_by_key(|b| std::cmp::Reverse(b.1.0));
    for (reason, (count, examples)) in by_count {
        println!("  {count:6}  {reason}");
        for e in examples {
            println!("            {e:?}");
        }
    }
    assert!(files > 100, "too few files scanned: {files}");
    assert!(
        resolved_share >= RESOLVED_FLOOR,
        "only {:.2}% of non-empty values resolve",
        resolved_share * 100.0
    );
    assert!(
        share >= SHARE_FLOOR,
        "only {:.2}% of non-empty values parse",
        share * 100.0
    );
    assert!(
        share_ids >= SHARE_IDS_FLOOR,
        "only {:.2}% of identifiers resolve",
        share_ids * 100.0
    );
}

/// Floor for the share of non-empty values that resolve to a target (just under what is achieved).
const RESOLVED_FLOOR: f64 = 0.925;
/// Floor for the share of non-empty values that parse (resolved, or a recognised ELI).
const SHARE_FLOOR: f64 = 0.955;
/// Floor for the share of identifiers (non-empty values that are not web URLs or TLC refs).
const SHARE_IDS_FLOOR: f64 = 0.98;

/// The first FRBRthis and the `urn:nir` FRBRalias of a Normattiva AKN file.
fn this_and_alias(text: &str) -> (String, String) {
    let values = scan(text);
    let this = values
        .iter()
        .find(|(k, v)| *k == Kind::Frbr && v.starts_with("/akn/"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let alias = values
        .iter()
        .find(|(k, v)| *k == Kind::Frbr && v.starts_with("urn:nir:"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    (this, alias)
}

fn target(v: &str) -> Target {
    resolve_href(v, None).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn normattiva_frbrthis_meets_urn_alias() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let mut checked = 0;
    for sub in ["akn/normattiva", "bulk/normattiva"] {
        for path in common::xml_files(&shared.join("corpus").join(sub)) {
            let (this, alias) = this_and_alias(&read_lossy(&path));
            if this.is_empty() || alias.is_empty() {
                continue;
            }
            assert_eq!(
                target(&this).work.iri(),
                target(&alias).work.iri(),
                "{}: {this} vs {alias}",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 15,
        "only {checked} Normattiva files had FRBRthis + urn:nir alias"
    );
}

#[test]
fn known_corpus_identifiers() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let corpus = shared.join("corpus");
    // DL 36/2025 (cittadinanza): FRBRthis and urn:nir alias meet.
    let (this, alias) = this_and_alias(&read_lossy(
        &corpus.join("akn/normattiva/dl_2025-03-28_n36_cittadinanza_25G00049.xml"),
    ));
    assert_eq!(
        target(&this).iri(),
        "https://w3id.org/paesi/act/stato/decreto.legge/2025/36"
    );
    assert_eq!(
        target(&alias).iri(),
        "https://w3id.org/paesi/act/stato/decreto.legge/2025/36"
    );
    // CAD (d.lgs. 82/2005).
    let (this, alias) = this_and_alias(&read_lossy(
        &corpus.join("akn/normattiva/dlgs_2005-03-07_n82_CAD_005G0104_vig20250130.xml"),
    ));
    assert_eq!(
        target(&this).iri(),
        "https://w3id.org/paesi/act/stato/decreto.legislativo/2005/82"
    );
    assert_eq!(
        target(&alias).iri(),
        "https://w3id.org/paesi/act/stato/decreto.legislativo/2005/82"
    );
    // Testo unico immigrazione (NIR, ISO-8859-15): its two URNs.
    let tu = read_lossy(&corpus.join("nir/xmleges-samples/286-paesi.xml"));
    let urns: Vec<String> = scan(&tu)
        .into_iter()
        .filter(|(k, _)| *k == Kind::Urn)
        .map(|(_, v)| v)
        .collect();
    assert!(
        urns.contains(&"urn:nir:stato:decreto.legislativo:1998-07-25;286".to_string()),
        "{urns:?}"
    );
    assert_eq!(
        target("urn:nir:stato:decreto.legislativo:1998-07-25;286").iri(),
        "https://w3id.org/paesi/act/stato/decreto.legislativo/1998/286"
    );
    let alias = urns
        .iter()
        .find(|u| u.contains("testo.unico"))
        .unwrap_or_else(|| panic!("no testo.unico URN in {urns:?}"));
    let alias = target(alias);
    assert!(
        matches!(&alias.work, Work::Nir { doc_type, .. } if doc_type == "testo.unico"),
        "{alias:?}"
    );
    assert_eq!(
        alias.iri(),
        "https://w3id.org/paesi/act/stato/testo.unico/1998/286"
    );
    // Every <rif> and <ref> spelling of the same article lands on one node.
    for s in [
        "urn:nir:stato:decreto.legislativo:1998-07-25;286#art5-com2",
        "urn:nir:stato:decreto.legislativo:1998-07-25;286~art5-com2",
        "/akn/it/act/decretoLegislativo/stato/1998-07-25/286/!main#art_5-com2",
        "/akn/it/act/decreto_legislativo/stato/1998-07-25/286/ita@2024-12-31/!main/~art_5__para_2",
    ] {
        assert_eq!(
            target(s).iri(),
            "https://w3id.org/paesi/act/stato/decreto.legislativo/1998/286/art5-com2",
            "{s}"
        );
    }
}

/// The values of `eId="…"` and `id="…"` attributes in a document (found by their text).
fn element_ids(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for name in ["eId=", "id="] {
        for (i, _) in text.match_indices(name) {
            let prev = text[..i].chars().next_back();
            if prev.is_some_and(char::is_whitespace)
                && let Some(v) = quoted_at(text, i + name.len())
            {
                out.push(unescape(v));
            }
        }
    }
    out
}

#[test]
fn the_fast_path_of_partition_ids_agrees_with_the_general_one() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    // every element id, and every href's fragment, of the shared corpus: the fast path of
    // `normalize_partition` answers the common shapes itself and must give what the general
    // path gives, error included
    let (mut checked, mut differ) = (0, Vec::new());
    for sub in ["akn", "nir", "bulk"] {
        for path in common::xml_files(&shared.join("corpus").join(sub)) {
            let text = read_lossy(&path);
            let fragments = scan(&text)
                .into_iter()
                .filter(|(k, _)| *k == Kind::Href)
                .filter_map(|(_, v)| v.split_once('#').map(|(_, f)| f.to_string()));
            for value in element_ids(&text).into_iter().chain(fragments) {
                checked += 1;
                let (fast, general) = (
                    paesi::ids::normalize_partition(&value),
                    paesi::ids::normalize_partition_general(&value),
                );
                if fast != general {
                    differ.push(format!("{value:?}: {fast:?} vs {general:?}"));
                }
            }
        }
    }
    println!("{checked} ids and fragments checked");
    assert!(checked > 100_000, "only {checked} values read");
    assert_eq!(differ.len(), 0, "{:#?}", &differ[..differ.len().min(20)]);
}
