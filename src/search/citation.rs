//! Human citations of partitions, as Italian lawyers write them:
//! `art. 29, comma 1, lett. a), D.Lgs. 25 luglio 1998, n. 286`.

/// The act part of a citation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActRef {
    /// Canonical type (`decreto.legislativo`), as in the act's `eli:type_document`.
    pub doc_type: Option<String>,
    /// Date of the act, `YYYY-MM-DD` (or only the year).
    pub date: Option<String>,
    /// Number of the act.
    pub number: Option<String>,
    /// Title, used when the act has no type.
    pub title: Option<String>,
}

/// One step of a partition chain, from the article down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The class local name in the paesi ontology (`Article`, `Paragraph`, `Point`, ...).
    pub class: String,
    /// The number as printed (`Art. 29`, `1.`, `a)`, `2-bis`).
    pub number: Option<String>,
}

const MONTHS: [&str; 12] = [
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
];

/// The abbreviation Italian citations use for a canonical act type.
pub fn type_abbreviation(doc_type: &str) -> String {
    match doc_type {
        "legge" => "L.".into(),
        "legge.costituzionale" => "L. cost.".into(),
        "costituzione" => "Cost.".into(),
        "decreto.legislativo" => "D.Lgs.".into(),
        "decreto.legge" => "D.L.".into(),
        "decreto.presidente.repubblica" => "D.P.R.".into(),
        "decreto.legislativo.presidente.repubblica" => "D.P.R.".into(),
        "decreto.presidente.consiglio.ministri" => "D.P.C.M.".into(),
        "decreto.ministeriale" | "decreto.ministero" => "D.M.".into(),
        "decreto.legislativo.luogotenenziale" => "D.Lgs.Lgt.".into(),
        "regio.decreto" => "R.D.".into(),
        "regio.decreto.legge" => "R.D.L.".into(),
        "decreto.interministeriale" => "D.I.".into(),
        "direttiva" => "Dir.".into(),
        "regolamento" => "Reg.".into(),
        other => {
            // `circolare.ministeriale` → `Circolare ministeriale`
            let words = other.replace('.', " ");
            let mut c = words.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            }
        }
    }
}

/// `25 luglio 1998` (`1° agosto 2002` on the first of the month); a year alone stays a year.
pub fn italian_date(date: &str) -> Option<String> {
    let mut parts = date.split('-');
    let year = parts.next()?;
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (Some(m), Some(d)) = (parts.next(), parts.next()) else {
        return Some(year.to_string());
    };
    let month: usize = m.parse().ok()?;
    let day: u32 = d.parse().ok()?;
    let name = MONTHS.get(month.checked_sub(1)?)?;
    let day = if day == 1 {
        "1°".to_string()
    } else {
        day.to_string()
    };
    Some(format!("{day} {name} {year}"))
}

/// The act as cited: `D.Lgs. 25 luglio 1998, n. 286`; the title when the type is unknown.
pub fn act_citation(act: &ActRef) -> String {
    let Some(t) = act.doc_type.as_deref() else {
        return act.title.clone().unwrap_or_default();
    };
    let mut s = type_abbreviation(t);
    if let Some(d) = act.date.as_deref().and_then(italian_date) {
        s.push(' ');
        s.push_str(&d);
    }
    if let Some(n) = &act.number {
        s.push_str(", n. ");
        s.push_str(n);
    }
    s
}

/// A printed number cleaned for a citation: `Art. 29` → `29`, `1.` → `1`, `a)` → `a`,
/// `5 bis` → `5-bis`.
pub fn clean_number(printed: &str) -> String {
    let mut s = printed.trim();
    for prefix in [
        "articolo", "article", "art.", "art", "comma", "lettera", "lett.", "numero", "n.",
    ] {
        if s.len() >= prefix.len()
            && s.is_char_boundary(prefix.len())
            && s[..prefix.len()].eq_ignore_ascii_case(prefix)
        {
            let rest = &s[prefix.len()..];
            if rest.starts_with(|c: char| c.is_whitespace() || c.is_ascii_digit())
                || prefix.ends_with('.')
            {
                s = rest.trim_start();
                break;
            }
        }
    }
    let s = s.trim_end_matches(['.', ')', ' ', ':']);
    s.split_whitespace().collect::<Vec<_>>().join("-")
}

/// One step as cited: `art. 29`, `comma 1`, `lett. a)`, `n. 1)`; None for containers
/// (books, titles, chapters…), which Italian citations leave out.
pub fn step_label(step: &Step) -> Option<String> {
    let n = clean_number(step.number.as_deref().unwrap_or(""));
    if n.is_empty() {
        return None;
    }
    match step.class.as_str() {
        "Article" => Some(format!("art. {n}")),
        "Paragraph" => Some(format!("comma {n}")),
        "Point" | "Item" => {
            if n.starts_with(|c: char| c.is_ascii_digit()) {
                Some(format!("n. {n})"))
            } else {
                Some(format!("lett. {n})"))
            }
        }
        "Attachment" => Some(format!("allegato {n}")),
        _ => None,
    }
}

/// The whole citation: the chain's steps, then the act, separated by commas. A code approved
/// as a decree's attachment is cited by its name, the decree after it:
/// `art. 575, codice penale (R.D. 19 ottobre 1930, n. 1398)`.
pub fn citation(chain: &[Step], act: &ActRef) -> String {
    let code = match chain.first() {
        Some(first) if first.class == "Attachment" => code_of(act),
        _ => None,
    };
    let steps = if code.is_some() { &chain[1..] } else { chain };
    let mut parts: Vec<String> = steps.iter().filter_map(step_label).collect();
    let a = act_citation(act);
    match code {
        Some(code) if a.is_empty() => parts.push(code),
        Some(code) => parts.push(format!("{code} ({a})")),
        None if !a.is_empty() => parts.push(a),
        None => {}
    }
    parts.join(", ")
}

/// The name (`codice penale`) of the code `act` approves as its attachment.
fn code_of(act: &ActRef) -> Option<String> {
    let work = crate::ids::Work::Nir {
        authority: "stato".into(),
        doc_type: act.doc_type.clone()?,
        date: act.date.clone(),
        number: act.number.clone(),
    };
    crate::ids::code_in_attachment(&work).map(|code| code.replace('.', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(class: &str, n: &str) -> Step {
        Step {
            class: class.into(),
            number: Some(n.into()),
        }
    }

    fn act(t: &str, d: &str, n: &str) -> ActRef {
        ActRef {
            doc_type: Some(t.into()),
            date: Some(d.into()),
            number: Some(n.into()),
            title: None,
        }
    }

    #[test]
    fn code_articles_cite_the_code() {
        let decree = act("regio.decreto", "1930-10-19", "1398");
        let code_article = [step("Attachment", "1"), step("Article", "Art. 575.")];
        assert_eq!(
            citation(&code_article, &decree),
            "art. 575, codice penale (R.D. 19 ottobre 1930, n. 1398)"
        );
        assert_eq!(
            citation(&[step("Article", "Art. 1.")], &decree),
            "art. 1, R.D. 19 ottobre 1930, n. 1398"
        );
        let other = act("regio.decreto", "1940-10-28", "1443");
        assert_eq!(
            citation(&code_article[..1], &other),
            "allegato 1, R.D. 28 ottobre 1940, n. 1443"
        );
    }

    #[test]
    fn testo_unico_comma() {
        let chain = [step("Article", "Art. 29"), step("Paragraph", "1.")];
        assert_eq!(
            citation(&chain, &act("decreto.legislativo", "1998-07-25", "286")),
            "art. 29, comma 1, D.Lgs. 25 luglio 1998, n. 286"
        );
    }

    #[test]
    fn points_containers_and_bis() {
        let chain = [
            step("Chapter", "Capo II"),
            step("Article", "5 bis"),
            step("Paragraph", "2-ter."),
            step("Point", "a)"),
            step("Item", "1)"),
        ];
        assert_eq!(
            citation(&chain, &act("legge", "2002-07-30", "189")),
            "art. 5-bis, comma 2-ter, lett. a), n. 1), L. 30 luglio 2002, n. 189"
        );
    }

    #[test]
    fn act_types_and_dates() {
        assert_eq!(
            act_citation(&act("decreto.legge", "2025-03-28", "36")),
            "D.L. 28 marzo 2025, n. 36"
        );
        assert_eq!(
            act_citation(&act("decreto.presidente.repubblica", "1999-08-31", "394")),
            "D.P.R. 31 agosto 1999, n. 394"
        );
        assert_eq!(
            act_citation(&act("legge", "1992-02-05", "91")),
            "L. 5 febbraio 1992, n. 91"
        );
        assert_eq!(act_citation(&act("legge", "2022", "53")), "L. 2022, n. 53");
        assert_eq!(
            italian_date("2020-08-01").as_deref(),
            Some("1° agosto 2020")
        );
        assert_eq!(italian_date("2020-13-01"), None);
        assert_eq!(
            type_abbreviation("circolare.ministeriale"),
            "Circolare ministeriale"
        );
    }

    #[test]
    fn untyped_act_is_cited_by_title() {
        let a = ActRef {
            title: Some("Regulation (EU) 2016/679".into()),
            ..ActRef::default()
        };
        assert_eq!(
            citation(&[step("Article", "Article 6")], &a),
            "art. 6, Regulation (EU) 2016/679"
        );
        assert_eq!(citation(&[], &ActRef::default()), "");
    }

    #[test]
    fn numbers_as_printed_are_cleaned() {
        assert_eq!(clean_number("Art. 29"), "29");
        assert_eq!(clean_number("articolo 4-bis"), "4-bis");
        assert_eq!(clean_number(" 1. "), "1");
        assert_eq!(clean_number("a)"), "a");
        assert_eq!(clean_number("Artt"), "Artt");
    }
}
