//! The demonstration excerpts in `corpus/` hold no unverified legal text: every comma (NIR
//! `comma`, AKN `paragraph`) names its source just before it, and the commi kept are exactly those
//! the review in the shared `reference/LEGAL-FACTS.md` found identical to a published text.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// (act key, article, comma): `("legge 1992 91", "9", "2")`.
type Comma = (String, String, String);

/// The act key of a URN:NIR: its type, year and number (`legge 1992 91`).
fn act_key_of_urn(urn: &str) -> String {
    // urn:nir:AUTHORITY:TYPE:DATE;NUMBER
    let parts: Vec<&str> = urn.split(':').collect();
    let (authority, kind, rest) = (parts[2], parts[3], parts[4]);
    let (date, number) = rest.split_once(';').expect("a numbered act");
    let kind = match (authority, kind) {
        ("presidente.repubblica", "decreto") => "dpr",
        (_, "decreto.legislativo") => "dlgs",
        (_, k) => k,
    };
    format!("{kind} {} {number}", &date[..4])
}

/// The act key of a citation in LEGAL-FACTS.md (`L. 91/1992`, `DPR 394/1999`, `D.Lgs. 30/2007`).
fn act_key_of_label(label: &str) -> String {
    let (kind, numbers) = label.trim().rsplit_once(' ').expect("type and number");
    let (number, year) = numbers.split_once('/').expect("number/year");
    let kind = match kind {
        "L." => "legge",
        "DPR" => "dpr",
        "D.Lgs." => "dlgs",
        other => panic!("unknown act type {other:?}"),
    };
    format!("{kind} {year} {number}")
}

/// The commi LEGAL-FACTS.md lists as found identical to a published text, and the articles it
/// gives only a count of commi for (`DPR 179/2011 art. 1 (two commi)`).
fn commi_of_legal_facts(text: &str) -> (BTreeSet<Comma>, BTreeMap<(String, String), usize>) {
    let start = text
        .find("Commi found identical to a published text:")
        .expect("the list of verified commi");
    let rest = &text[start..];
    let list = &rest[rest.find(':').expect("colon") + 1..rest.find("\n\n").expect("paragraph end")];
    let list = list.replace('\n', " ");
    let mut commi = BTreeSet::new();
    let mut counted = BTreeMap::new();
    for group in list.split(';') {
        let group = group.trim().trim_end_matches('.');
        let at = group.find(" art. ").expect("an article");
        let act = act_key_of_label(&group[..at]);
        for article_part in group[at..].split("art. ").skip(1) {
            let article_part = article_part
                .trim()
                .trim_end_matches(" and")
                .trim_end_matches(',');
            let (article, tail) = article_part.split_once(' ').unwrap_or((article_part, ""));
            let article = article.replace('-', "");
            if tail.contains("(two commi)") {
                counted.insert((act.clone(), article.clone()), 2);
                continue;
            }
            let list = tail.trim().strip_prefix("c. ").expect("commi");
            for c in list.split(", ") {
                let c = c.split(" lett.").next().expect("comma").trim();
                let c = c.trim_end_matches(" and").replace('-', "");
                if !c.is_empty() {
                    commi.insert((act.clone(), article.clone(), c));
                }
            }
        }
    }
    (commi, counted)
}

/// Each comma element of an excerpt: (article, comma, the text just before the element).
fn commi_of_file(text: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (open, id_attr) in [("<comma ", "id=\""), ("<paragraph ", "eId=\"")] {
        let mut from = 0;
        while let Some(i) = text[from..].find(open) {
            let pos = from + i;
            let tag_end = pos + text[pos..].find('>').expect("tag end");
            let tag = &text[pos..tag_end];
            let id_start = tag.find(id_attr).expect("an id") + id_attr.len();
            let id = &tag[id_start..id_start + tag[id_start..].find('"').expect("quote")];
            let (article, comma) = if open == "<comma " {
                let (a, c) = id.split_once("-com").expect("artN-comM");
                (a.trim_start_matches("art").to_string(), c.to_string())
            } else {
                // art_1__para_2
                let (a, c) = id.split_once("__para_").expect("art_N__para_M");
                (a.trim_start_matches("art_").to_string(), c.to_string())
            };
            out.push((article, comma, text[..pos].trim_end().to_string()));
            from = tag_end;
        }
    }
    out
}

#[test]
fn every_comma_in_corpus_carries_its_source_and_the_kept_commi_are_the_reviewed_ones() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let facts = std::fs::read_to_string(shared.join("reference/LEGAL-FACTS.md"))
        .expect("reference/LEGAL-FACTS.md");
    let (expected, counted) = commi_of_legal_facts(&facts);
    // the list as the review writes it, counted by hand: L. 91/1992 3, DPR 572/1993 1,
    // DPR 394/1999 5, D.Lgs. 30/2007 2, D.Lgs. 251/2007 4, D.Lgs. 25/2008 3, DPR 223/1989 1
    // named one by one, and DPR 179/2011 art. 1 by count
    assert_eq!(expected.len(), 19, "{expected:#?}");
    assert_eq!(counted.len(), 1);

    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut found: BTreeSet<Comma> = BTreeSet::new();
    let mut files = 0;
    for file in common::xml_files(&corpus) {
        files += 1;
        let text = std::fs::read_to_string(&file).expect("read excerpt");
        let urn_start = text
            .find("urn:nir:")
            .expect("the excerpt names its URN:NIR");
        let urn = &text
            [urn_start..urn_start + text[urn_start..].find(['"', ' ', ')', '\n']).expect("end")];
        let act = act_key_of_urn(urn);
        for (article, comma, before) in commi_of_file(&text) {
            let source = before
                .rsplit_once("<!--")
                .map(|(_, c)| c)
                .filter(|c| c.ends_with("-->"));
            let source = source.unwrap_or_else(|| {
                panic!(
                    "{}: art. {article} c. {comma} has no source comment before it",
                    file.display()
                )
            });
            assert!(
                source.trim_start().starts_with("source:") && source.contains("LEGAL-FACTS.md"),
                "{}: art. {article} c. {comma}: {source}",
                file.display()
            );
            assert!(
                source.contains("https://www.normattiva.it/uri-res/N2Ls?urn:nir:"),
                "{}: the source names the official text",
                file.display()
            );
            assert!(
                found.insert((act.clone(), article, comma)),
                "{} twice",
                file.display()
            );
        }
    }
    assert_eq!(files, 8);
    // the articles given by count: exactly that many commi
    for ((act, article), n) in &counted {
        let held: Vec<&Comma> = found
            .iter()
            .filter(|(a, art, _)| a == act && art == article)
            .collect();
        assert_eq!(held.len(), *n, "{act} art. {article}");
    }
    found.retain(|(a, art, _)| !counted.contains_key(&(a.clone(), art.clone())));
    assert_eq!(found, expected);
}
