//! Legal identifiers: parse, normalise and format them so that every spelling of the same act
//! or partition yields one canonical IRI.
//!
//! Inputs understood: URN:NIR (`urn:nir:stato:legge:1992-02-05;91#3 bis`), Akoma Ntoso FRBR
//! IRIs (`/akn/it/act/legge/stato/1992-02-05/91/!main#art_3-bis`), Normattiva and EU ELIs,
//! legislation.gov.uk identifiers, partition fragments (`art_1__para_1.__point_a`,
//! `art5-com2-leta`, `3 bis`, `CODICE CIVILE-art. 2712`) and resolver URLs wrapping them.

/// Namespace of every canonical IRI minted by paesi.
pub const BASE: &str = "https://w3id.org/paesi/";

/// A legal act (an FRBR work), in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Work {
    /// An Italian act (from a URN:NIR, an Italian AKN FRBR IRI, ...).
    Nir {
        /// Issuing authority, canonical (`stato` for state-level acts).
        authority: String,
        /// Document type, NIR dotted lowercase (`decreto.legislativo`).
        doc_type: String,
        /// Date of the act as given: `YYYY-MM-DD` or `YYYY`.
        date: Option<String>,
        /// Number of the act, lowercase without spaces.
        number: Option<String>,
    },
    /// Any other AKN work: `/akn/{country}/{doc_type}/{rest}` (rest without trailing /!main etc.).
    Akn {
        /// Country code of the AKN IRI (`uk`, `gr`, ...).
        country: String,
        /// AKN document type as given (`act`, `judgment`, ...).
        doc_type: String,
        /// Remaining work segments joined by `/`.
        rest: String,
    },
}

impl Work {
    /// Canonical IRI of the act.
    pub fn iri(&self) -> String {
        match self {
            Work::Nir {
                authority,
                doc_type,
                date,
                number,
            } => {
                let mut s = format!("{BASE}act/{}/{}", iri_safe(authority), iri_safe(doc_type));
                match (date, number) {
                    (Some(d), Some(n)) => {
                        s.push('/');
                        s.push_str(d.get(..4).unwrap_or(d));
                        s.push('/');
                        s.push_str(&iri_safe(n));
                    }
                    (None, Some(n)) => {
                        s.push_str("/-/");
                        s.push_str(&iri_safe(n));
                    }
                    (Some(d), None) => {
                        s.push('/');
                        s.push_str(&iri_safe(d));
                    }
                    (None, None) => {}
                }
                s
            }
            Work::Akn {
                country,
                doc_type,
                rest,
            } => format!(
                "{BASE}akn/{}/{}/{}",
                iri_safe(country),
                iri_safe(doc_type),
                rest.split('/').map(iri_safe).collect::<Vec<_>>().join("/")
            ),
        }
    }

    /// Canonical URN:NIR spelling (Nir only), e.g. `urn:nir:stato:decreto.legislativo:1998-07-25;286`.
    pub fn urn(&self) -> Option<String> {
        match self {
            Work::Nir {
                authority,
                doc_type,
                date,
                number,
            } => {
                let mut s = format!("urn:nir:{authority}:{doc_type}:");
                if let Some(d) = date {
                    s.push_str(d);
                }
                if let Some(n) = number {
                    s.push(';');
                    s.push_str(n);
                }
                Some(s)
            }
            Work::Akn { .. } => None,
        }
    }

    /// IRI of a canonical partition id of this work.
    pub fn partition_iri(&self, partition: &str) -> String {
        format!("{}/{}", self.iri(), iri_safe(partition))
    }
}

/// The canonical IRI of the Italian act a canonical act or partition IRI belongs to
/// (`…/act/stato/legge/1992/91/art9-com1` → `…/act/stato/legge/1992/91`); None for other IRIs.
pub fn act_iri_of(iri: &str) -> Option<String> {
    let rest = iri.strip_prefix(BASE)?.strip_prefix("act/")?;
    let segments: Vec<&str> = rest.split('/').collect();
    let third = segments.get(2)?;
    let keep = if *third == "-" || (third.len() == 4 && third.bytes().all(|b| b.is_ascii_digit())) {
        4
    } else {
        3
    };
    (segments.len() >= keep).then(|| format!("{BASE}act/{}", segments[..keep].join("/")))
}

/// A reference target: an act, or a partition of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// The act referred to.
    pub work: Work,
    /// Canonical partition id, e.g. `art5-com2-leta`; `None` for the whole act.
    pub partition: Option<String>,
}

impl Target {
    /// Canonical IRI of the act or of the partition.
    pub fn iri(&self) -> String {
        match &self.partition {
            Some(p) => self.work.partition_iri(p),
            None => self.work.iri(),
        }
    }
}

/// Why an identifier could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {value:?}")]
pub struct IdError {
    /// The offending input.
    pub value: String,
    /// What is wrong with it.
    pub reason: String,
}

fn err<T>(value: &str, reason: &str) -> Result<T, IdError> {
    Err(IdError {
        value: value.to_string(),
        reason: reason.to_string(),
    })
}

/// A parsed Akoma Ntoso FRBR IRI (work, expression or manifestation, with an optional portion).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AknIri {
    /// The work, and the partition named by a portion (`~art_5`) or fragment (`#art_5`).
    pub target: Target,
    /// Expression language (`ita`), if an expression or manifestation.
    pub language: Option<String>,
    /// Expression date (`2025-01-30`), if given.
    pub expression_date: Option<String>,
    /// Component path without `!`, e.g. `main` or `main/annesso_1`.
    pub component: Option<String>,
    /// Manifestation format (`xml`, `akn`, ...), if a manifestation.
    pub format: Option<String>,
}

/// A parsed European Legislation Identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Eli {
    /// `it` for Normattiva ELIs, `eu` for EUR-Lex ELIs.
    pub jurisdiction: String,
    /// EU document type (`dir`, `reg`, `dec`, ...); `None` for Normattiva.
    pub doc_type: Option<String>,
    /// Publication date `YYYY-MM-DD` (Normattiva) or year `YYYY` (EU).
    pub date: String,
    /// Gazzetta Ufficiale code (`005G0104`) for Normattiva, act number for the EU.
    pub number: String,
    /// Version keyword (`CONSOLIDATED`, `ORIGINAL`, `oj`), if any.
    pub version: Option<String>,
    /// Version date `YYYY-MM-DD` (Normattiva consolidated text), if any.
    pub version_date: Option<String>,
}

impl Eli {
    /// The act this ELI names, when it can be computed (EU acts); Normattiva ELIs carry no act
    /// type or number, so they give `None`.
    pub fn work(&self) -> Option<Work> {
        if self.jurisdiction != "eu" {
            return None;
        }
        let t = match self.doc_type.as_deref()? {
            "dir" => "direttiva.ue",
            "reg" | "reg_impl" | "reg_del" => "regolamento.ue",
            "dec" | "dec_impl" | "dec_del" => "decisione.ue",
            _ => return None,
        };
        Some(Work::Nir {
            authority: "eu".into(),
            doc_type: t.into(),
            date: Some(self.date.clone()),
            number: Some(normalize_number(&self.number)),
        })
    }

    /// Canonical ELI path (`eli/id/2005/05/16/005G0104` or `eli/dir/2003/86`), without version.
    pub fn path(&self) -> String {
        match self.doc_type.as_deref() {
            Some(t) => format!("eli/{t}/{}/{}", self.date, self.number),
            None => format!("eli/id/{}/{}", self.date.replace('-', "/"), self.number),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/// The first character of `s` that no URN and no IRI may hold, with its character index:
/// whitespace, control characters, `<` `>` `"` `{` `}` `|` `\\` `^` and the backquote, or a
/// `%` that two hexadecimal digits do not follow.
pub fn forbidden_char(s: &str) -> Option<(usize, char)> {
    let chars: Vec<char> = s.chars().collect();
    chars.iter().enumerate().find_map(|(i, &c)| {
        let bad = c.is_whitespace()
            || c.is_control()
            || "<>\"{}|\\^`".contains(c)
            || (c == '%'
                && !(chars.get(i + 1).is_some_and(char::is_ascii_hexdigit)
                    && chars.get(i + 2).is_some_and(char::is_ascii_hexdigit)));
        bad.then_some((i, c))
    })
}

/// Percent-encodes what cannot stand in an IRI path segment.
fn iri_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric()
            || "-._~!$&'()*+,;=:@".contains(c)
            || (!c.is_ascii() && !c.is_control() && !c.is_whitespace())
        {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    match b.len() {
        4 => b.iter().all(u8::is_ascii_digit),
        10 => b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        }),
        _ => false,
    }
}

/// Latin ordinal suffixes of inserted articles (`2-bis`, `5-quinquiesdecies`).
const LATIN: &[&str] = &[
    "bis",
    "ter",
    "quater",
    "quinquies",
    "sexies",
    "septies",
    "octies",
    "novies",
    "nonies",
    "decies",
    "undecies",
    "duodecies",
    "terdecies",
    "quaterdecies",
    "quinquiesdecies",
    "sexiesdecies",
    "septiesdecies",
    "octiesdecies",
    "noviesdecies",
    "vicies",
    "semel",
];

fn is_latin(s: &str) -> bool {
    LATIN.contains(&s)
}

/// Number of an act: lowercase, no spaces, leading zeros of a numeric number dropped.
fn normalize_number(s: &str) -> String {
    let n: String = s
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if n.len() > 1 && n.bytes().all(|b| b.is_ascii_digit()) {
        let t = n.trim_start_matches('0');
        if t.is_empty() { "0".into() } else { t.into() }
    } else {
        n
    }
}

/// Number of a partition (`2-bis`, `2 bis`, `2.bis` → `2bis`); a dot between digits is kept,
/// so that article 9.1 (`9.1`) stays apart from article 91.
fn normalize_num(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let between_digits = c == '.'
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if between_digits {
            out.push('.');
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Words dropped from canonical type and authority names.
const STOPWORDS: &[&str] = &[
    "del", "della", "dello", "dei", "degli", "delle", "dell", "di", "e", "d",
];

/// Canonical dotted lowercase name: `decretoLegislativo`, `DECRETO_LEGISLATIVO`,
/// `decreto-legislativo` → `decreto.legislativo`; articles dropped.
fn canon_name(s: &str) -> String {
    let mut spaced = String::with_capacity(s.len() + 8);
    let mut prev: Option<char> = None;
    for c in s.trim().chars() {
        if c.is_uppercase() && prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit()) {
            spaced.push('.');
        }
        spaced.push(c);
        prev = Some(c);
    }
    spaced
        .to_lowercase()
        .split(|c: char| matches!(c, '.' | '_' | '-' | ' ' | '\'' | '’') || c.is_whitespace())
        .filter(|w| !w.is_empty() && !STOPWORDS.contains(w))
        .collect::<Vec<_>>()
        .join(".")
}

/// Canonical authority: each `;`-separated part canonicalised.
fn canon_authority(s: &str) -> String {
    s.split(';')
        .map(canon_name)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(";")
}

/// Folds the many spellings of the same kind of act into one (authority, type, number).
fn canonical_act(
    authority: &str,
    doc_type: &str,
    date: Option<&str>,
    number: Option<String>,
) -> (String, String, Option<String>) {
    let mut a = canon_authority(authority);
    let mut t = canon_name(doc_type);
    let mut n = number;
    t = match t.as_str() {
        "dpr" | "d.p.r" => "decreto.presidente.repubblica".into(),
        "dpcm" => "decreto.presidente.consiglio.ministri".into(),
        "dlgs" => "decreto.legislativo".into(),
        "decreto.presidente.consiglio" => "decreto.presidente.consiglio.ministri".into(),
        "decreto.legislativo.presidente.repubblica" => "decreto.presidente.repubblica".into(),
        _ => t,
    };
    // Organs of the State written as authority, folded into the type.
    let organ = match a.as_str() {
        "presidente.repubblica" => Some("presidente.repubblica"),
        "presidente.consiglio.ministri" | "presidente.consiglio" => {
            Some("presidente.consiglio.ministri")
        }
        "capo.provvisorio.stato" => Some("capo.provvisorio.stato"),
        "capo.stato" => Some("capo.stato"),
        _ => None,
    };
    if let Some(o) = organ {
        if t == "decreto" || t == "decreto.legislativo" {
            t = format!("{t}.{o}");
        }
        a = "stato".into();
    }
    // Codes approved by a decree: cite them as that decree (as Normattiva does).
    let code_type = match t.as_str() {
        "codice.civile" | "codice.penale" | "codice.procedura.civile" | "codice.navigazione" => {
            Some("regio.decreto")
        }
        "codice.procedura.penale" => Some("decreto.presidente.repubblica"),
        _ => None,
    };
    if let Some(ct) = code_type
        && n.is_some()
    {
        t = ct.into();
        a = "stato".into();
    }
    // The Constitution has no number (Normattiva writes "const").
    if t == "costituzione" {
        n = None;
    }
    // European Union acts.
    if matches!(
        a.as_str(),
        "comunita.europee" | "comunita.europea" | "unione.europea" | "ue" | "eu" | "cee" | "ce"
    ) {
        let base = t
            .trim_end_matches(".ue")
            .trim_end_matches(".ce")
            .trim_end_matches(".cee");
        if matches!(base, "direttiva" | "regolamento" | "decisione") {
            t = format!("{base}.ue");
            a = "eu".into();
            if let Some(num) = n.take() {
                n = Some(eu_number(&num, date));
            }
        }
    }
    (a, t, n.map(|x| normalize_number(&x)))
}

/// `2002-65-ce` / `90-619-cee` / `65` → `65`.
fn eu_number(num: &str, date: Option<&str>) -> String {
    let parts: Vec<&str> = num.split(['-', '/']).collect();
    if parts.len() == 3 && matches!(parts[2], "ce" | "cee" | "ue" | "ueea" | "ceea") {
        let year = parts[0];
        let ok = match date {
            Some(d) => d.starts_with(year) || d.get(2..4) == Some(year),
            None => true,
        };
        if ok && parts[1].bytes().all(|b| b.is_ascii_digit()) {
            return parts[1].to_string();
        }
    }
    num.to_string()
}

// ---------------------------------------------------------------------------------------------
// Partitions
// ---------------------------------------------------------------------------------------------

/// NIR partition prefixes, longest first.
const NIR_PREFIXES: &[&str] = &[
    "ssez", "art", "com", "let", "num", "itm", "lib", "prt", "tit", "cap", "sez", "all", "par",
];

/// AKN eId component prefix → canonical NIR prefix (`""` drops the component).
fn akn_prefix(p: &str) -> Option<&'static str> {
    Some(match p {
        "art" | "article" => "art",
        "para" | "par" | "paragraph" | "com" | "comma" => "com",
        "point" | "let" | "num" => "let",
        "item" | "itm" => "itm",
        "chp" | "chapter" | "cap" | "capo" => "cap",
        "title" | "tit" => "tit",
        "part" | "prt" => "prt",
        "book" | "lib" => "lib",
        "sec" | "section" | "sez" => "sez",
        "subsec" | "subsection" | "ssez" => "ssez",
        "annex" | "att" | "attachment" | "annesso" | "allegato" | "all" => "all",
        "list" | "intro" | "wrap" | "content" | "wrapup" => "",
        _ => return None,
    })
}

/// Canonical component from a prefix and a raw value.
fn component(prefix: &str, value: &str) -> String {
    let v = normalize_num(value);
    match prefix {
        "let" | "num" => {
            if v.starts_with(|c: char| c.is_ascii_digit()) {
                format!("num{v}")
            } else {
                format!("let{v}")
            }
        }
        "par" => format!("com{v}"),
        p => format!("{p}{v}"),
    }
}

/// Deterministic slug of an unknown component: lowercase, `prefix_1` → `prefix1`.
fn slug(s: &str) -> String {
    let one_underscore = s.matches('_').count() == 1;
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '-' || c == '.' {
            out.push(c);
        } else if c == '_' {
            if !one_underscore {
                out.push('.');
            }
        } else if !out.ends_with('.') {
            out.push('.');
        }
    }
    out.trim_matches(['.', '-']).to_string()
}

/// Whether `rest` can be the value of NIR prefix `p`: a number, a letter for `let`, a roman
/// numeral for containers and annexes.
fn valid_value(p: &str, rest: &str) -> bool {
    if rest.is_empty() {
        return false;
    }
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        return true;
    }
    match p {
        "let" => rest.chars().all(|c| c.is_ascii_alphabetic()),
        "all" | "lib" | "prt" | "tit" | "cap" | "sez" | "ssez" => {
            let roman: String = rest
                .chars()
                .take_while(|c| "ivxlcdm".contains(*c))
                .collect();
            let tail = &rest[roman.len()..];
            !roman.is_empty()
                && (tail.is_empty()
                    || is_latin(tail)
                    || tail.starts_with(|c: char| c.is_ascii_digit()))
        }
        _ => false,
    }
}

/// Splits a NIR-style id (`art3-com4-leta`, `3-com6`, `2-bis`) into components.
/// The first piece may be a bare value; returns `None` when a piece is not understood.
fn nir_pieces(s: &str, first_prefix: Option<&str>) -> Option<Vec<String>> {
    let mut comps: Vec<(String, String)> = Vec::new();
    if let Some(p) = first_prefix {
        comps.push((p.to_string(), String::new()));
    }
    for piece in s.split('-') {
        let piece = piece.trim();
        if piece.is_empty() {
            continue;
        }
        let lower = piece.to_lowercase();
        // Version suffix of multivigente NIR: `t7`.
        if lower.len() > 1
            && lower.starts_with('t')
            && lower[1..].bytes().all(|b| b.is_ascii_digit())
            && !comps.is_empty()
        {
            comps.push(("#drop".into(), String::new()));
            continue;
        }
        let known = NIR_PREFIXES.iter().find(|p| {
            lower.starts_with(**p) && {
                let rest = lower[p.len()..].trim_start_matches('.');
                valid_value(p, rest) && !is_latin(&lower)
            }
        });
        match known {
            Some(p) => {
                let rest = lower[p.len()..].trim_start_matches('.').to_string();
                if let Some(last) = comps.last_mut()
                    && last.1.is_empty()
                    && last.0 != "#drop"
                {
                    // `art_com2`: the previous component has no value.
                    return None;
                }
                comps.push((p.to_string(), rest));
            }
            None => {
                let starts_value = lower.starts_with(|c: char| c.is_ascii_alphanumeric());
                match comps.last_mut() {
                    Some(last) if last.0 != "#drop" && starts_value => last.1.push_str(&lower),
                    None if lower.starts_with(|c: char| c.is_ascii_digit())
                        && first_prefix.is_none() =>
                    {
                        comps.push(("art".into(), lower))
                    }
                    _ => return None,
                }
            }
        }
    }
    if comps.iter().any(|(p, v)| p != "#drop" && v.is_empty()) {
        return None;
    }
    Some(
        comps
            .into_iter()
            .filter(|(p, _)| p != "#drop")
            .map(|(p, v)| component(&p, &v))
            .collect(),
    )
}

/// Normattiva textual fragment: `CODICE CIVILE-art. 2712`, `Allegato II.12-art. 23`,
/// `ALLEGATO I`, `Allegati - Allegato I.01 art. 1`.
fn text_partition(frag: &str) -> Option<Vec<String>> {
    let lower = frag.to_lowercase();
    let mut comps = Vec::new();
    let art_pos = find_article(&lower);
    let head = match art_pos {
        Some((p, _)) => &lower[..p],
        None => lower.as_str(),
    };
    if let Some(ap) = head.rfind("allegato") {
        let after = head[ap + "allegato".len()..].trim_start();
        let mut words = after
            .split(|c: char| c.is_whitespace() || c == '-')
            .filter(|w| !w.is_empty());
        let mut id = String::new();
        if let Some(w) = words.next()
            && w.chars()
                .all(|c| c.is_ascii_digit() || "ivxlcdm.".contains(c))
        {
            id.push_str(w);
            if let Some(w2) = words.next()
                && is_latin(w2)
            {
                id.push_str(w2);
            }
        }
        comps.push(component("all", &id));
    } else if art_pos.is_none() {
        return None;
    }
    if let Some((_, num)) = art_pos {
        comps.push(component("art", &num));
    }
    Some(comps)
}

/// Last `art.`/`art ` followed by a number: (position, normalised number with suffixes).
fn find_article(lower: &str) -> Option<(usize, String)> {
    let mut found = None;
    for (i, _) in lower.match_indices("art") {
        if i > 0
            && lower[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
        {
            continue;
        }
        let rest = lower[i + 3..].trim_start_matches(['.', ' ', '_']);
        if !rest.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let digits: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '-'))
            .collect();
        // keep digits, then a latin suffix word and `.N` sub-numbers
        let mut num = String::new();
        for (k, w) in digits
            .split([' ', '-'])
            .filter(|w| !w.is_empty())
            .enumerate()
        {
            if k == 0 || is_latin(w.split('.').next().unwrap_or(w)) {
                num.push_str(w);
            } else {
                break;
            }
        }
        found = Some((i, normalize_num(&num)));
    }
    found
}

/// Normalises a partition fragment (NIR id, AKN eId, Normattiva bare or textual form) to the
/// canonical partition id, e.g. `art_1__para_1.__point_a` → `art1-com1-leta`.
pub fn normalize_partition(fragment: &str) -> Result<String, IdError> {
    match fast_partition(fragment) {
        Some(id) => Ok(id),
        None => normalize_partition_general(fragment),
    }
}

/// The common shapes, read without the general machinery: NIR ids made of known components
/// (`art5-com2-leta`, `art3-com4-t7`) and AKN eIds with known prefixes
/// (`art_1__para_1__point_a`, `art_1-bis`). Anything else returns None.
fn fast_partition(f: &str) -> Option<String> {
    /// Appends a number (`12`, `2bis` from `2bis` or `2-bis`).
    fn number(out: &mut String, v: &str) -> Option<()> {
        let (digits, suffix) = digits_and_suffix(v);
        if digits.is_empty() || !suffix.bytes().all(|b| b.is_ascii_lowercase()) {
            return None;
        }
        out.push_str(digits);
        out.push_str(suffix);
        Some(())
    }
    /// Appends a point: a letter (`leta`) or a bare number (`num3`).
    fn point(out: &mut String, v: &str) -> Option<()> {
        if !v.is_empty() && v.bytes().all(|b| b.is_ascii_lowercase()) && v.len() <= 3 {
            out.push_str("let");
            out.push_str(v);
            return Some(());
        }
        let (digits, suffix) = digits_and_suffix(v);
        if digits.is_empty() || !suffix.is_empty() {
            return None;
        }
        out.push_str("num");
        out.push_str(digits);
        Some(())
    }
    /// The leading digits, and the rest without one leading `-`.
    fn digits_and_suffix(v: &str) -> (&str, &str) {
        let (digits, suffix) = v.split_at(v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len()));
        (digits, suffix.strip_prefix('-').unwrap_or(suffix))
    }
    /// Starts the next component: a `-` after the ones already written.
    fn next(out: &mut String) -> &mut String {
        if !out.is_empty() {
            out.push('-');
        }
        out
    }
    if f.is_empty()
        || !f
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
    {
        return None;
    }
    // one buffer for the whole id, not a string per component and a join (BENCHMARKS.md)
    let mut out = String::with_capacity(f.len() + 8);
    if f.contains('_') {
        for comp in f.split("__") {
            // the quirk `art_1__para_1.__point_a`
            let (p, v) = comp.trim_end_matches('.').split_once('_')?;
            let prefix = match p {
                "art" => "art",
                "para" => "com",
                "chp" => "cap",
                "title" => "tit",
                "part" => "prt",
                "book" => "lib",
                "sec" => "sez",
                "item" => "itm",
                "list" => continue,
                "point" => {
                    point(next(&mut out), v)?;
                    continue;
                }
                _ => return None,
            };
            // `art_2-letx` is article 2, letter x (left to the general path), not an
            // article `2letx` as `art_2-bis` is `2bis`
            if v.split_once('-')
                .is_some_and(|(_, rest)| NIR_COMPONENTS.iter().any(|c| rest.starts_with(c)))
            {
                return None;
            }
            next(&mut out).push_str(prefix);
            number(&mut out, v)?;
        }
    } else {
        if f.contains('.') {
            return None;
        }
        if f.bytes().all(|b| b.is_ascii_digit()) {
            // Normattiva's bare article number: `;285#7`
            out.push_str("art");
            out.push_str(f);
            return Some(out);
        }
        for comp in f.split('-') {
            let at = comp.find(|c: char| !c.is_ascii_lowercase())?;
            let (p, v) = comp.split_at(at);
            match p {
                "t" if !out.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => continue,
                "let" | "num" => point(next(&mut out), v)?,
                p if NIR_COMPONENTS.contains(&p) => {
                    next(&mut out).push_str(p);
                    number(&mut out, v)?;
                }
                _ => return None,
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The NIR partition components the fast path of [`normalize_partition`] reads: each with a
/// number, but `let` and `num`, read as points.
const NIR_COMPONENTS: [&str; 10] = [
    "art", "com", "itm", "lib", "prt", "tit", "cap", "sez", "let", "num",
];

/// The general path of [`normalize_partition`], for every shape the sources use; the fast path
/// must agree with it wherever it answers (checked on the corpus in the tests).
pub fn normalize_partition_general(fragment: &str) -> Result<String, IdError> {
    let f = fragment.trim().trim_start_matches(['#', '~', '/']).trim();
    if f.is_empty() {
        return err(fragment, "empty partition");
    }
    // Normattiva textual forms contain spaces or `art.` after other words.
    if f.contains(' ') || f.to_lowercase().starts_with("allegat") {
        let bare: String = f.chars().filter(|c| !c.is_whitespace()).collect();
        if bare.starts_with(|c: char| c.is_ascii_digit()) {
            return nir_pieces(&bare, None)
                .map(|v| v.join("-"))
                .ok_or_else(|| IdError {
                    value: fragment.to_string(),
                    reason: "unrecognised partition".into(),
                });
        }
        return match text_partition(f) {
            Some(c) if !c.is_empty() => Ok(c.join("-")),
            _ => err(fragment, "unrecognised textual partition"),
        };
    }
    // `art.5`, `art. 5`
    let f_owned;
    let f = if let Some(r) = f.strip_prefix("art.").or_else(|| f.strip_prefix("Art.")) {
        f_owned = format!("art{r}");
        f_owned.as_str()
    } else {
        f
    };
    let mut out: Vec<String> = Vec::new();
    for raw in f.split("__") {
        let comp = raw.trim().trim_end_matches('.');
        if comp.is_empty() {
            continue;
        }
        let lower = comp.to_lowercase();
        if matches!(
            lower.as_str(),
            "intro" | "wrap" | "content" | "wrapup" | "main"
        ) {
            continue;
        }
        if let Some((p, v)) = comp.split_once('_') {
            let pl = p.to_lowercase();
            if let Some(np) = akn_prefix(&pl) {
                if np.is_empty() {
                    continue;
                }
                match nir_pieces(v, Some(np)) {
                    Some(mut c) => {
                        // `nir_pieces` put the value into the first component.
                        if let Some(first) = c.first_mut()
                            && np == "let"
                        {
                            *first = component(
                                "let",
                                first.trim_start_matches("let").trim_start_matches("num"),
                            );
                        }
                        out.append(&mut c);
                        continue;
                    }
                    None if v.is_empty()
                        || v.to_lowercase()
                            .starts_with(|c: char| c.is_ascii_alphabetic())
                            && NIR_PREFIXES.iter().any(|x| v.to_lowercase().starts_with(x)) =>
                    {
                        return err(fragment, "partition number missing");
                    }
                    None => {
                        out.push(component(np, v));
                        continue;
                    }
                }
            }
            out.push(slug(comp));
            continue;
        }
        match nir_pieces(comp, None) {
            Some(mut c) => out.append(&mut c),
            None => out.push(slug(comp)),
        }
    }
    let out: Vec<String> = out.into_iter().filter(|c| !c.is_empty()).collect();
    if out.is_empty() {
        return err(fragment, "empty partition");
    }
    Ok(out.join("-"))
}

fn join_partition(parts: Vec<String>) -> Option<String> {
    let v: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
    if v.is_empty() {
        None
    } else {
        Some(v.join("-"))
    }
}

/// Partition from a fragment that may be empty (`urn...#`): `None` when empty.
fn fragment_partition(frag: &str) -> Result<Option<String>, IdError> {
    if frag.trim().trim_start_matches(['#', '~']).trim().is_empty() {
        Ok(None)
    } else {
        normalize_partition(frag).map(Some)
    }
}

// ---------------------------------------------------------------------------------------------
// URN:NIR
// ---------------------------------------------------------------------------------------------

/// A decree that approves a code published as the decree's attachment.
struct CodeInAttachment {
    doc_type: &'static str,
    year: &'static str,
    number: &'static str,
    code: &'static str,
}

/// The decrees whose code is published as their attachment: Normattiva keeps the code's
/// articles in the decree's first attachment (`<doc name="Codice Penale-art. 575">`, id
/// `all1-art575`; its URNs `…;1398:1~art575`) beside the decree's own articles (`art1`…), and
/// the NIR edition of the code is a component of the decree (`…;1398:codice.penale`).
/// Citations of the code's articles spell them the decree's way (`…;1398~art575`, Normattiva's
/// `!main#art_575`), by the code's URN (`urn:nir:stato:codice.penale:1930-10-19;1398#art575`)
/// or by the NIR component: each is the code's article, `all1-art575`. Only codes whose
/// attachment form was seen in a real document are listed, each with where it was seen.
const CODES_IN_ATTACHMENT: &[CodeInAttachment] = &[
    // Codice penale, R.D. 19 ottobre 1930, n. 1398: Normattiva's export
    // (corpus/bulk/normattiva/codice_penale.xml: 3 articles of the decree, 987
    // `Codice Penale-art.` attachments) and the NIR edition
    // (corpus/nir/cirsfid-lime-server/penale__allegato1.xml, `…;1398:codice.penale`).
    CodeInAttachment {
        doc_type: "regio.decreto",
        year: "1930",
        number: "1398",
        code: "codice.penale",
    },
];

/// Partition id of the attachment that holds a code approved by a decree.
pub const CODE_ATTACHMENT: &str = "all1";

/// The code (`codice.penale`) that `work` approves as its attachment, if it is one of
/// [`CODES_IN_ATTACHMENT`].
pub fn code_in_attachment(work: &Work) -> Option<&'static str> {
    let Work::Nir {
        authority,
        doc_type,
        date,
        number,
    } = work
    else {
        return None;
    };
    let year = date.as_deref().and_then(|d| d.get(..4))?;
    CODES_IN_ATTACHMENT
        .iter()
        .find(|c| {
            authority == "stato"
                && doc_type == c.doc_type
                && year == c.year
                && number.as_deref() == Some(c.number)
        })
        .map(|c| c.code)
}

/// The partition a citation of `work` names, with the partitions of a code moved into the
/// code's attachment (see [`CODES_IN_ATTACHMENT`]): `art575` → `all1-art575`, `lib2-tit6` →
/// `all1-lib2-tit6`; the whole code (`names_code`: the citation spelled the code, not the
/// decree) → `all1`. Partitions already in an attachment, other works and the decree itself
/// are returned unchanged. A citation of the decree's own articles (`art1`–`art3` of
/// R.D. 1398/1930) cannot be told from one of the code's by its spelling: it is the code's, as
/// in Normattiva's own citations.
pub fn code_partition(work: &Work, partition: Option<String>, names_code: bool) -> Option<String> {
    if code_in_attachment(work).is_none() {
        return partition;
    }
    match partition {
        None if names_code => Some(CODE_ATTACHMENT.to_string()),
        Some(p) if !p.starts_with("all") => Some(format!("{CODE_ATTACHMENT}-{p}")),
        other => other,
    }
}

/// Annex part of a URN (`allegato.2`, `codice.penale`): canonical partition component, or
/// `None` when the annex is the act itself (a code or testo unico approved by the decree).
fn urn_annex(a: &str) -> Option<String> {
    let name = canon_name(a.split(';').next().unwrap_or(a));
    if name.is_empty() || name.starts_with("codice") || name == "testo.unico" {
        return None;
    }
    if let Some(rest) = name.strip_prefix("allegato") {
        return Some(component("all", rest));
    }
    Some(format!("all{}", name.replace('.', "")))
}

/// Parses a URN:NIR (`urn:nir:stato:legge:1992-02-05;91~art3bis`) into a target.
pub fn parse_urn_nir(s: &str) -> Result<Target, IdError> {
    let t = s.trim();
    let body = match t.get(..8) {
        Some(p) if p.eq_ignore_ascii_case("urn:nir:") => &t[8..],
        _ => return err(s, "not a URN:NIR"),
    };
    let (main, frag) = match body.find(['#', '~']) {
        Some(i) => (&body[..i], Some(&body[i..])),
        None => (body, None),
    };
    let main = match main.find(['@', '*', '$']) {
        Some(i) => &main[..i],
        None => main,
    };
    let parts: Vec<&str> = main.split(':').collect();
    if parts.len() < 2 || parts[0].trim().is_empty() || parts[1].trim().is_empty() {
        return err(s, "URN without authority or type");
    }
    // `urn:nir:legge:2015-05-22;68`: the authority is missing; a state act is meant.
    let starts_date = |p: &str| p.len() >= 4 && p.as_bytes()[..4].iter().all(u8::is_ascii_digit);
    let (authority, parts): (&str, Vec<&str>) = if starts_date(parts[1]) {
        let mut v = vec!["stato"];
        v.extend(parts.iter().copied());
        ("stato", v)
    } else {
        (parts[0], parts)
    };
    let doc_type = parts[1].split(';').next().unwrap_or(parts[1]);
    // Estremi: the first part after the type that starts with a date.
    let Some(ei) = (2..parts.len()).find(|&i| {
        let d = parts[i].split([';', ',']).next().unwrap_or("").trim();
        d.len() >= 4 && d.as_bytes()[..4].iter().all(u8::is_ascii_digit)
    }) else {
        return if parts
            .get(2)
            .is_some_and(|p| !p.trim().is_empty() && p.contains('-'))
        {
            err(s, "URN with invalid act date")
        } else {
            err(s, "URN without act date")
        };
    };
    let (date_s, num_s) = match parts[ei].split_once(';') {
        Some((d, n)) => (d.trim(), Some(n.trim())),
        None => (parts[ei].trim(), None),
    };
    let date = date_s.split(',').next().unwrap_or(date_s).trim();
    if !is_date(date) {
        return err(s, "URN with invalid act date");
    }
    let number = num_s.filter(|n| !n.is_empty()).map(str::to_string);
    let names_code = canon_name(doc_type).starts_with("codice")
        || parts[ei + 1..]
            .iter()
            .any(|a| canon_name(a).starts_with("codice"));
    let (authority, doc_type, number) = canonical_act(authority, doc_type, Some(date), number);
    let mut parts_out: Vec<String> = parts[ei + 1..]
        .iter()
        .filter_map(|a| urn_annex(a))
        .collect();
    if let Some(f) = frag
        && let Some(p) = fragment_partition(f).map_err(|e| IdError {
            value: s.to_string(),
            reason: e.reason,
        })?
    {
        parts_out.push(p);
    }
    let work = Work::Nir {
        authority,
        doc_type,
        date: Some(date.to_string()),
        number,
    };
    let partition = code_partition(&work, join_partition(parts_out), names_code);
    Ok(Target { work, partition })
}

// ---------------------------------------------------------------------------------------------
// Akoma Ntoso
// ---------------------------------------------------------------------------------------------

const FORMATS: &[&str] = &[
    "xml", "akn", "pdf", "html", "htm", "epub", "docx", "doc", "odt", "json", "zip",
];

fn split_format(seg: &str) -> (&str, Option<String>) {
    if let Some((a, b)) = seg.rsplit_once('.')
        && FORMATS.contains(&b.to_lowercase().as_str())
    {
        return (a, Some(b.to_lowercase()));
    }
    (seg, None)
}

/// Parses an AKN FRBR IRI (work, expression, manifestation, with portion `~…` or fragment `#…`).
pub fn parse_akn(s: &str) -> Result<AknIri, IdError> {
    let t = s.trim();
    let path = t.strip_prefix('/').unwrap_or(t);
    let Some(path) = path.strip_prefix("akn/") else {
        return err(s, "not an AKN IRI");
    };
    let (path, fragment) = match path.find('#') {
        Some(i) => (&path[..i], Some(&path[i + 1..])),
        None => (path, None),
    };
    let path_owned;
    let (path, portion) = match path.find('~') {
        Some(i) => {
            let after = &path[i + 1..];
            let end = after.find('/').unwrap_or(after.len());
            path_owned = format!("{}{}", &path[..i], &after[end..]);
            (path_owned.as_str(), Some(&after[..end]))
        }
        None => (path, None),
    };
    let segs: Vec<&str> = path.split('/').collect();
    let country = segs.first().copied().unwrap_or("");
    let cl = country.to_lowercase();
    if !(2..=3).contains(&cl.len()) || !cl.bytes().all(|b| b.is_ascii_lowercase()) {
        return if matches!(cl.as_str(), "ontology" | "recurso") {
            err(s, "AKN ontology (TLC) reference, not a work")
        } else {
            err(s, "AKN IRI without a country code")
        };
    }
    let Some(doc_type) = segs.get(1).filter(|d| !d.is_empty()) else {
        return err(s, "AKN IRI without document type");
    };
    let mut work: Vec<&str> = Vec::new();
    let mut language = None;
    let mut expression_date = None;
    let mut component: Vec<String> = Vec::new();
    let mut format = None;
    let mut i = 2;
    // Work segments.
    while i < segs.len() {
        let seg = segs[i];
        if seg.contains('@') || seg.starts_with('!') || (seg == "main" && i + 1 >= segs.len()) {
            break;
        }
        if i + 1 == segs.len() {
            let (b, f) = split_format(seg);
            if f.is_some() && work.len() >= 2 {
                format = f;
                if b != "main" && !b.is_empty() {
                    work.push(b);
                }
                i += 1;
                break;
            }
        }
        work.push(seg);
        i += 1;
    }
    while work.last().is_some_and(|w| w.is_empty()) {
        work.pop();
    }
    // Expression, components, manifestation.
    while i < segs.len() {
        let seg = segs[i];
        i += 1;
        if seg.is_empty() {
            continue;
        }
        let (b, f) = split_format(seg);
        if f.is_some() {
            format = f;
        }
        if let Some((lang, date)) = b.split_once('@') {
            if !lang.is_empty() {
                language = Some(lang.to_string());
            }
            if !date.is_empty() {
                expression_date = Some(date.to_string());
            }
        } else if !b.is_empty() {
            component.push(b.trim_start_matches('!').to_string());
        }
    }
    let mut partition: Vec<String> = Vec::new();
    for c in component.iter().skip(1) {
        if let Some((p, n)) = c.split_once('_')
            && akn_prefix(&p.to_lowercase()) == Some("all")
        {
            partition.push(self::component("all", n));
        }
    }
    for f in [portion, fragment].into_iter().flatten() {
        if let Some(p) = fragment_partition(f).map_err(|e| IdError {
            value: s.to_string(),
            reason: e.reason,
        })? {
            partition.push(p);
        }
    }
    let target_work = if cl == "it" {
        italian_akn_work(s, doc_type, &work)?
    } else {
        if work.is_empty() {
            return err(s, "AKN IRI without work identification");
        }
        Work::Akn {
            country: cl.clone(),
            doc_type: doc_type.to_string(),
            rest: work.join("/"),
        }
    };
    let partition = code_partition(&target_work, join_partition(partition), false);
    Ok(AknIri {
        target: Target {
            work: target_work,
            partition,
        },
        language,
        expression_date,
        component: if component.is_empty() {
            None
        } else {
            Some(component.join("/"))
        },
        format,
    })
}

/// `/akn/it/act/{type}/{authority}/{date}/{number}` → `Work::Nir`.
fn italian_akn_work(s: &str, doc_type: &str, work: &[&str]) -> Result<Work, IdError> {
    let mut w: Vec<&str> = work.to_vec();
    // AKN 3 document type `act` carries the Italian type as subtype; other AKN types
    // (bill, doc, ...) are used as the type directly.
    let ty = if doc_type == "act" {
        if w.is_empty() {
            return err(s, "AKN IRI without document type");
        }
        w.remove(0)
    } else {
        doc_type
    };
    if is_date(ty) {
        return err(s, "AKN IRI without document type");
    }
    if ty.contains(':') {
        return err(s, "not an AKN work IRI (a URN-like local identifier)");
    }
    let authority = match w.first() {
        Some(a) if is_date(a) => "stato".to_string(),
        Some(_) => {
            let a = w.remove(0);
            if !canon_authority(a).is_empty() {
                a.to_string()
            } else if matches!(
                canon_name(ty).as_str(),
                "regolamento" | "direttiva" | "decisione"
            ) {
                // Normattiva cites EU regulations and directives with an empty authority:
                // `/akn/it/act/regolamento//2016/679` is Regulation (EU) 2016/679
                "unione.europea".to_string()
            } else {
                return err(s, "AKN IRI with empty authority");
            }
        }
        None => return err(s, "AKN IRI without authority"),
    };
    let date = match w.first() {
        Some(d) if is_date(d) => Some(w.remove(0).to_string()),
        Some(_) => return err(s, "AKN IRI with invalid act date"),
        None => return err(s, "AKN IRI without act date"),
    };
    let number = w.first().filter(|n| !n.is_empty()).map(|n| n.to_string());
    let (authority, doc_type, number) = canonical_act(&authority, ty, date.as_deref(), number);
    Ok(Work::Nir {
        authority,
        doc_type,
        date,
        number,
    })
}

// ---------------------------------------------------------------------------------------------
// ELI
// ---------------------------------------------------------------------------------------------

/// Parses a Normattiva ELI (`eli/id/2005/05/16/005G0104/CONSOLIDATED/20250130`, with or
/// without `http(s)://www.normattiva.it/`) or an EU ELI (`http://data.europa.eu/eli/dir/2003/86/oj`).
pub fn parse_eli(s: &str) -> Result<Eli, IdError> {
    let t = s.trim();
    let rest = strip_scheme(t);
    let (host, path) = match rest {
        Some(r) => match r.find('/') {
            Some(i) => (Some(&r[..i]), &r[i + 1..]),
            None => (Some(r), ""),
        },
        None => (None, t.trim_start_matches('/')),
    };
    let Some(path) = path.strip_prefix("eli/") else {
        return err(s, "not an ELI");
    };
    let segs: Vec<&str> = path.split('/').filter(|x| !x.is_empty()).collect();
    let host = host.map(str::to_lowercase);
    match host.as_deref() {
        Some("data.europa.eu") => {
            if segs.len() < 3 || !is_date(segs[1]) {
                return err(s, "EU ELI without type, year and number");
            }
            Ok(Eli {
                jurisdiction: "eu".into(),
                doc_type: Some(segs[0].to_lowercase()),
                date: segs[1].to_string(),
                number: segs[2].to_string(),
                version: segs.get(3).map(|v| v.to_string()),
                version_date: None,
            })
        }
        None | Some("www.normattiva.it") | Some("normattiva.it") => {
            if segs.first() != Some(&"id") || segs.len() < 5 {
                return err(s, "not a Normattiva ELI (eli/id/YYYY/MM/DD/CODE)");
            }
            let date = format!("{}-{}-{}", segs[1], segs[2], segs[3]);
            if !is_date(&date) {
                return err(s, "ELI with invalid date");
            }
            let version_date = segs.get(6).and_then(|d| {
                (d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..]))
            });
            Ok(Eli {
                jurisdiction: "it".into(),
                doc_type: None,
                date,
                number: segs[4].to_string(),
                version: segs.get(5).map(|v| v.to_string()),
                version_date,
            })
        }
        Some(_) => err(s, "ELI of an unsupported jurisdiction"),
    }
}

fn strip_scheme(s: &str) -> Option<&str> {
    let l = s.get(..8).map(str::to_ascii_lowercase).unwrap_or_default();
    if l.starts_with("https://") {
        Some(&s[8..])
    } else if l.starts_with("http://") {
        Some(&s[7..])
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Any reference
// ---------------------------------------------------------------------------------------------

/// legislation.gov.uk identifier → UK work (`uk/ukpga/1998/29`) and partition.
fn parse_uk(s: &str, path: &str) -> Result<Target, IdError> {
    let mut segs: Vec<&str> = path.split(['/', '#']).filter(|x| !x.is_empty()).collect();
    if segs.first() == Some(&"id") {
        segs.remove(0);
    }
    if segs.len() < 3 {
        return err(s, "legislation.gov.uk URL without type, year and number");
    }
    let work = Work::Akn {
        country: "uk".into(),
        doc_type: segs[0].to_lowercase(),
        rest: format!("{}/{}", segs[1], segs[2]),
    };
    let rest: Vec<String> = segs[3..]
        .iter()
        .filter(|x| {
            !matches!(
                **x,
                "enacted" | "made" | "contents" | "data.akn" | "data.xml" | "data.htm"
            )
        })
        .map(|x| x.to_lowercase())
        .collect();
    let partition = if rest.is_empty() {
        None
    } else {
        Some(slug(&rest.join("-")))
    };
    Ok(Target { work, partition })
}

/// The canonical IRI an identifier a user typed names (a canonical IRI as it is, a URN:NIR,
/// AKN IRI or ELI through [`resolve_href`]), checked to be an IRI that can be written into
/// SPARQL as `<…>`: lookups build queries from it, so anything else is refused here.
pub fn lookup_iri(identifier: &str) -> Result<String, IdError> {
    let identifier = identifier.trim();
    let iri = if identifier.starts_with(BASE) {
        identifier.to_string()
    } else {
        resolve_href(identifier, None)?.iri()
    };
    checked_iri(&iri)
}

/// `iri` when it is a valid absolute IRI (RFC 3987), an error naming it otherwise.
pub fn checked_iri(iri: &str) -> Result<String, IdError> {
    match oxigraph::model::NamedNode::new(iri) {
        Ok(n) => Ok(n.into_string()),
        Err(e) => err(iri, &format!("not a valid IRI ({e})")),
    }
}

/// Resolves any reference value (URN:NIR, AKN IRI, resolver URLs of these, EU ELI,
/// legislation.gov.uk ids, relative `#art5` forms given `base`) to its canonical target.
pub fn resolve_href(href: &str, base: Option<&Work>) -> Result<Target, IdError> {
    let h = href.trim();
    if h.is_empty() {
        return err(href, "empty reference");
    }
    if h == "#" || h == "~" {
        return err(href, "empty fragment reference");
    }
    let lower = h.to_lowercase();
    if lower.starts_with("urn:nir:") {
        return parse_urn_nir(h);
    }
    if lower.starts_with("/akn/") || lower.starts_with("akn/") {
        return parse_akn(h).map(|a| a.target);
    }
    if let Some(rest) = strip_scheme(h) {
        let (host, path) = match rest.find('/') {
            Some(i) => (rest[..i].to_lowercase(), &rest[i..]),
            None => (rest.to_lowercase(), ""),
        };
        // Resolvers: `.../uri-res/N2Ls?urn:nir:...`
        if let Some(q) = path.find('?') {
            let inner = &path[q + 1..];
            if inner.to_lowercase().starts_with("urn:nir:") {
                return parse_urn_nir(inner);
            }
        }
        if path.starts_with("/akn/") {
            return parse_akn(path).map(|a| a.target);
        }
        if path.starts_with("/eli/") {
            let eli = parse_eli(h)?;
            return match eli.work() {
                Some(work) => Ok(Target {
                    work,
                    partition: None,
                }),
                None => err(href, "ELI names no act type and number"),
            };
        }
        if host.ends_with("legislation.gov.uk") && path.len() > 1 {
            return parse_uk(href, path);
        }
        return err(href, "not an identifier (a web URL)");
    }
    if lower.starts_with("eli/") || lower.starts_with("/eli/") {
        let eli = parse_eli(h)?;
        return match eli.work() {
            Some(work) => Ok(Target {
                work,
                partition: None,
            }),
            None => err(href, "ELI names no act type and number"),
        };
    }
    if lower.starts_with("ecli:") {
        return err(href, "ECLI (case law) is not supported");
    }
    if lower.starts_with("urn:") {
        return err(href, "URN of an unsupported namespace");
    }
    if lower.starts_with("/ontology/")
        || lower.starts_with("/ontologies/")
        || lower.starts_with("/akn/ontology/")
    {
        return err(href, "AKN ontology (TLC) reference, not a work");
    }
    if h.starts_with('#') || h.starts_with('~') || looks_like_partition(&lower) {
        let Some(work) = base else {
            return err(href, "relative reference without base");
        };
        let partition = code_partition(work, Some(normalize_partition(h)?), false);
        return Ok(Target {
            work: work.clone(),
            partition,
        });
    }
    err(href, "not an identifier")
}

/// `art39-com3-letb`, `art_5`: a bare partition id.
fn looks_like_partition(lower: &str) -> bool {
    if lower.contains('/') || lower.contains(':') {
        return false;
    }
    let head: String = lower
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let next = lower[head.len()..].chars().next();
    (NIR_PREFIXES.contains(&head.as_str()) && next.is_some_and(|c| c.is_ascii_digit()))
        || (akn_prefix(&head).is_some_and(|p| !p.is_empty()) && next == Some('_'))
}

#[cfg(test)]
mod act_of_tests {
    use super::*;

    #[test]
    fn a_decimal_article_number_keeps_its_dot() {
        assert_eq!(normalize_partition("art9.1").as_deref(), Ok("art9.1"));
        assert_eq!(normalize_partition("art91").as_deref(), Ok("art91"));
        assert_eq!(
            normalize_partition("art19-com1.1").as_deref(),
            Ok("art19-com1.1")
        );
        assert_eq!(
            normalize_partition("art_1__para_1.__point_a").as_deref(),
            Ok("art1-com1-leta")
        );
        assert_eq!(normalize_partition("art_2.bis").as_deref(), Ok("art2bis"));
    }

    #[test]
    fn the_act_of_a_partition_iri() {
        let tu = "https://w3id.org/paesi/act/stato/decreto.legislativo/1998/286";
        assert_eq!(act_iri_of(&format!("{tu}/art29-com1")).as_deref(), Some(tu));
        assert_eq!(act_iri_of(tu).as_deref(), Some(tu));
        let dated = "https://w3id.org/paesi/act/comune.firenze/deliberazione/2005-03-01";
        assert_eq!(act_iri_of(&format!("{dated}/art2")).as_deref(), Some(dated));
        assert_eq!(
            act_iri_of("https://w3id.org/paesi/akn/uk/act/2020/1/sec_1"),
            None
        );
        assert_eq!(act_iri_of("https://w3id.org/paesi/act/stato"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_no_identifier_may_hold() {
        assert_eq!(
            forbidden_char("urn:nir:stato:legge:1992-02-05;91~art3bis"),
            None
        );
        assert_eq!(forbidden_char("/akn/it/act/x/!main#art_1%20"), None);
        assert_eq!(forbidden_char("a b"), Some((1, ' ')));
        assert_eq!(forbidden_char("50%"), Some((2, '%')));
        assert_eq!(forbidden_char("x%4g"), Some((1, '%')));
        assert_eq!(forbidden_char("è<"), Some((1, '<')));
    }

    fn iri(h: &str) -> String {
        match resolve_href(h, None) {
            Ok(t) => t.iri(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn partitions() {
        let cases = [
            ("art_1__para_1.__point_a", "art1-com1-leta"),
            ("art_1__para_1__point_a", "art1-com1-leta"),
            ("#art_3-bis", "art3bis"),
            ("art_19bis", "art19bis"),
            ("art_1-bis", "art1bis"),
            ("~art5-com2-leta", "art5-com2-leta"),
            ("#art5-com2-leta", "art5-com2-leta"),
            ("art3-com4-t7", "art3-com4"),
            ("#3 bis", "art3bis"),
            ("#4", "art4"),
            ("art.5", "art5"),
            ("2-bis", "art2bis"),
            ("art_2.bis", "art2bis"),
            ("art_1__para_2__list_1__point_3", "art1-com2-num3"),
            ("art_1__para_2__intro", "art1-com2"),
            ("sec_1__subsec_2", "sez1-ssez2"),
            ("chp_3", "cap3"),
            ("hcontainer_1", "hcontainer1"),
            ("part_II", "prtii"),
            ("art_3-com6-leta", "art3-com6-leta"),
            ("art_100-ter__para_2", "art100ter-com2"),
            ("art_380-bis.1", "art380bis1"),
            ("art357-com2-let3", "art357-com2-num3"),
            ("CODICE DI PROCEDURA CIVILE-art. 380 bis.1", "art380bis1"),
            ("Allegato II.12-art. 23", "allii12-art23"),
            ("ALLEGATO I", "alli"),
            ("Allegati - Allegato I.01 art. 1", "alli01-art1"),
            ("Testo Unico circolazione stradale-art. 10 bis", "art10bis"),
            ("art_1__para_1__point_a-bis", "art1-com1-letabis"),
            ("section-1-1", "section-1-1"),
        ];
        for (i, o) in cases {
            assert_eq!(normalize_partition(i).as_deref(), Ok(o), "{i}");
        }
        assert!(normalize_partition("").is_err());
        assert!(normalize_partition("art_com2-letb").is_err());
    }

    #[test]
    fn meeting_forms() {
        let want = "https://w3id.org/paesi/act/stato/legge/1992/91/art3bis";
        assert_eq!(iri("urn:nir:stato:legge:1992-02-05;91#3 bis"), want);
        assert_eq!(
            iri("/akn/it/act/legge/stato/1992-02-05/91/!main#art_3-bis"),
            want
        );
        assert_eq!(iri("urn:nir:stato:legge:1992;91~art3bis"), want);
        assert_eq!(
            iri("https://www.normattiva.it/uri-res/N2Ls?urn:nir:stato:legge:1992-02-05;91~art3bis"),
            want
        );
        let dpr = "https://w3id.org/paesi/act/stato/decreto.presidente.repubblica/1999/394";
        assert_eq!(
            iri("urn:nir:presidente.repubblica:decreto:1999-08-31;394"),
            dpr
        );
        assert_eq!(
            iri("/akn/it/act/decretoDelPresidenteDellaRepubblica/stato/1999-08-31/394/!main"),
            dpr
        );
        assert_eq!(
            iri("urn:nir:stato:decreto.del.presidente.della.repubblica:1999-08-31;394"),
            dpr
        );
        assert_eq!(
            iri("/akn/it/act/DECRETO_DEL_PRESIDENTE_DELLA_REPUBBLICA/stato/1999-08-31/394/!main"),
            dpr
        );
        assert_eq!(
            iri(
                "/akn/it/act/decreto_del_presidente_della_repubblica/stato/1999-08-31/394/ita@2022-10-18/!main"
            ),
            dpr
        );
        let dl = "https://w3id.org/paesi/act/stato/decreto.legge/2025/36";
        for s in [
            "urn:nir:stato:decreto.legge:2025-03-28;36",
            "urn:nir:stato:decreto-legge:2025-03-28;36",
            "/akn/it/act/decreto-legge/stato/2025-03-28/36/!main",
            "/akn/it/act/DECRETO-LEGGE/stato/2025-03-28/36/!main",
            "/akn/it/act/decretoLegge/stato/2025-03-28/36/!main",
            "/akn/it/act/decreto.legge/stato/2025/36/!main",
        ] {
            assert_eq!(iri(s), dl, "{s}");
        }
        assert_eq!(
            iri("urn:nir:stato:legge:2022;53"),
            iri("urn:nir:stato:legge:2022-04-22;53")
        );
        assert_eq!(
            iri("/akn/it/act/regioDecreto/stato/1930-10-19/1398/!main#art_589"),
            "https://w3id.org/paesi/act/stato/regio.decreto/1930/1398/all1-art589"
        );
        assert_eq!(
            iri("urn:nir:stato:regio.decreto:1930-10-19;1398:codice.penale#art322"),
            "https://w3id.org/paesi/act/stato/regio.decreto/1930/1398/all1-art322"
        );
        let decree = "https://w3id.org/paesi/act/stato/regio.decreto/1930/1398";
        for s in [
            "urn:nir:stato:regio.decreto:1930-10-19;1398~art575",
            "urn:nir:stato:regio.decreto:1930-10-19;1398:1~art575",
            "urn:nir:stato:regio.decreto:1930-10-19;1398:codice.penale#art575",
            "urn:nir:stato:codice.penale:1930-10-19;1398#art575",
            "/akn/it/act/regioDecreto/stato/1930-10-19/1398/!main#art_575",
            "urn:nir:stato:regio.decreto:1930-10-19;1398#Codice Penale-art. 575",
        ] {
            assert_eq!(iri(s), format!("{decree}/all1-art575"), "{s}");
        }
        assert_eq!(
            iri("urn:nir:stato:codice.penale:1930-10-19;1398#art9-com3"),
            format!("{decree}/all1-art9-com3")
        );
        for s in [
            "urn:nir:stato:regio.decreto:1930-10-19;1398:codice.penale",
            "urn:nir:stato:codice.penale:1930-10-19;1398",
        ] {
            assert_eq!(iri(s), format!("{decree}/all1"), "{s}");
        }
        assert_eq!(iri("urn:nir:stato:regio.decreto:1930-10-19;1398"), decree);
        let work = parse_urn_nir("urn:nir:stato:regio.decreto:1930-10-19;1398")
            .unwrap()
            .work;
        assert_eq!(
            resolve_href("#art5", Some(&work)).unwrap().iri(),
            format!("{decree}/all1-art5")
        );
        assert_eq!(
            resolve_href("#lib2-tit6", Some(&work)).unwrap().iri(),
            format!("{decree}/all1-lib2-tit6")
        );
        assert_eq!(
            resolve_href("#all1-art5", Some(&work)).unwrap().iri(),
            format!("{decree}/all1-art5")
        );
        // another decree's articles stay its own
        assert_eq!(
            iri("urn:nir:stato:regio.decreto:1940-10-28;1443#art5"),
            "https://w3id.org/paesi/act/stato/regio.decreto/1940/1443/art5"
        );
        assert_eq!(
            iri(
                "/akn/it/act/codice.procedura.penale/presidente.repubblica/1988-09-22/447/!main#art_71"
            ),
            iri(
                "urn:nir:presidente.repubblica:decreto:1988-09-22;447:codice.procedura.penale#art71"
            )
        );
        assert_eq!(
            iri(
                "/akn/it/act/DECRETO_LEGISLATIVO_DEL_CAPO_PROVVISORIO_DELLO_STATO/stato/1946-11-20/340/!main"
            ),
            iri("/akn/it/act/decreto.legislativo/capo.provvisorio.stato/1946-11-20/340/!main")
        );
        assert_eq!(
            iri("/akn/it/act/costituzione/stato/1947-12-27/const/!main#art_117-com2-letm"),
            "https://w3id.org/paesi/act/stato/costituzione/1947-12-27/art117-com2-letm"
        );
        assert_eq!(
            iri("urn:nir:stato:costituzione:1947-12-27#art117"),
            "https://w3id.org/paesi/act/stato/costituzione/1947-12-27/art117"
        );
        assert_eq!(
            iri("http://data.europa.eu/eli/dir/2003/86/oj"),
            "https://w3id.org/paesi/act/eu/direttiva.ue/2003/86"
        );
        assert_eq!(
            iri("/akn/it/act/direttivaUe/eu/2003/86/!main"),
            "https://w3id.org/paesi/act/eu/direttiva.ue/2003/86"
        );
        assert_eq!(
            iri("urn:nir:comunita.europee:direttiva:2003;2003-86-ce"),
            "https://w3id.org/paesi/act/eu/direttiva.ue/2003/86"
        );
    }

    #[test]
    fn urns() {
        let t = parse_urn_nir("urn:nir:stato:decreto.legislativo:1998-07-25;286")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            t.iri(),
            "https://w3id.org/paesi/act/stato/decreto.legislativo/1998/286"
        );
        assert_eq!(
            t.work.urn().as_deref(),
            Some("urn:nir:stato:decreto.legislativo:1998-07-25;286")
        );
        let tu = parse_urn_nir("urn:nir:stato:testo.unico;immigrazione:1998-07-25;286")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            tu.work,
            Work::Nir {
                authority: "stato".into(),
                doc_type: "testo.unico".into(),
                date: Some("1998-07-25".into()),
                number: Some("286".into())
            }
        );
        let a = parse_urn_nir("urn:nir:stato:decreto.legislativo:2005-09-06;206:allegato.2#art3")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.partition.as_deref(), Some("all2-art3"));
        let v = parse_urn_nir("urn:nir:stato:legge:2000-09-29;300*entrata.vigore;2001-08-07")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v.iri(), "https://w3id.org/paesi/act/stato/legge/2000/300");
        let f =
            parse_urn_nir("urn:nir:comune.firenze;giunta:deliberazione:2006-04-26;2006-g-00212  ")
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            f.iri(),
            "https://w3id.org/paesi/act/comune.firenze;giunta/deliberazione/2006/2006-g-00212"
        );
        assert_eq!(
            parse_urn_nir("urn:nir:comune di firenze:regolamento;fruizione.servizio.centri.estivi:2005-04-11;29").map(|t| t.iri()),
            Ok("https://w3id.org/paesi/act/comune.firenze/regolamento/2005/29".into())
        );
        assert_eq!(
            parse_urn_nir("urn:nir:stato:legge:2015-12-28;208#").map(|t| t.partition),
            Ok(None)
        );
        assert_eq!(
            parse_urn_nir("urn:nir:comune.firenze:statuto:").map_err(|e| e.reason),
            Err("URN without act date".into())
        );
        assert_eq!(
            parse_urn_nir("urn:nir:stato:legge:aaaa-mm-gg;nnn").map_err(|e| e.reason),
            Err("URN with invalid act date".into())
        );
    }

    #[test]
    fn akn() {
        let a = parse_akn(
            "/akn/it/act/decreto_legislativo/stato/2005-03-07/82/ita@2025-01-30/!main.xml",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.language.as_deref(), Some("ita"));
        assert_eq!(a.expression_date.as_deref(), Some("2025-01-30"));
        assert_eq!(a.format.as_deref(), Some("xml"));
        assert_eq!(a.component.as_deref(), Some("main"));
        assert_eq!(
            a.target.iri(),
            "https://w3id.org/paesi/act/stato/decreto.legislativo/2005/82"
        );
        let u = parse_akn("/akn/it/act/decreto_legislativo/stato/2005-03-07/82/ita@2025-01-30.xml")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((u.format.as_deref(), u.component), (Some("xml"), None));
        let an = parse_akn("/akn/it/act/decreto_legislativo/stato/2023-03-31/36/ita@2023-05-30/!main/annesso_1.xml").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(an.target.partition.as_deref(), Some("all1"));
        let p = parse_akn("/akn/it/act/decreto_legislativo/stato/2023-03-31/36/ita@2024-12-31/!main/~art_8__para_2").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            p.target.iri(),
            "https://w3id.org/paesi/act/stato/decreto.legislativo/2023/36/art8-com2"
        );
        let gr = parse_akn("/akn/gr/act/presidentialDecree/1989/284/!main#art_66__par_2")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            gr.target.iri(),
            "https://w3id.org/paesi/akn/gr/act/presidentialDecree/1989/284/art66-com2"
        );
        let us = parse_akn("/akn/us/usc/title_9/eng@2013-07-26~chp_3/!main.xml")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            us.target.iri(),
            "https://w3id.org/paesi/akn/us/usc/title_9/cap3"
        );
        let uk = parse_akn("/akn/uk/act/2000-07-28/chapter23/main#sec_11__subsec_2")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            uk.target.iri(),
            "https://w3id.org/paesi/akn/uk/act/2000-07-28/chapter23/sez11-ssez2"
        );
        let lime =
            parse_akn("/akn/it/act/legge/2015-05-22/68/!main").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            lime.target.iri(),
            "https://w3id.org/paesi/act/stato/legge/2015/68"
        );
        assert!(parse_akn("/akn/it/act/2006-04-03/152/!main").is_err());
        assert!(parse_akn("/akn/ontology/person/it/renzi").is_err());
    }

    #[test]
    fn eu_acts_cited_by_italian_exports() {
        assert_eq!(
            resolve_href("/akn/it/act/regolamento//2016/679/!main#art_5", None).map(|t| t.iri()),
            Ok("https://w3id.org/paesi/act/eu/regolamento.ue/2016/679/art5".into())
        );
        assert_eq!(
            resolve_href("/akn/it/act/legge//2016/679/!main", None).map_err(|e| e.reason),
            Err("AKN IRI with empty authority".into())
        );
    }

    #[test]
    fn eli() {
        let e = parse_eli("eli/id/2005/05/16/005G0104/CONSOLIDATED/20250130")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.date, "2005-05-16");
        assert_eq!(e.number, "005G0104");
        assert_eq!(e.version_date.as_deref(), Some("2025-01-30"));
        assert_eq!(e.path(), "eli/id/2005/05/16/005G0104");
        assert_eq!(
            parse_eli("https://www.normattiva.it/eli/id/2005/05/16/005G0104/CONSOLIDATED/20250130"),
            Ok(e)
        );
        let eu =
            parse_eli("http://data.europa.eu/eli/dir/2003/86/oj").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(eu.path(), "eli/dir/2003/86");
        assert!(parse_eli("eli/bund/bgbl-1/2021/s818").is_err());
    }

    #[test]
    fn relative_and_errors() {
        let base = Work::Nir {
            authority: "stato".into(),
            doc_type: "legge".into(),
            date: Some("1992-02-05".into()),
            number: Some("91".into()),
        };
        assert_eq!(
            resolve_href("#art_5", Some(&base)).map(|t| t.iri()),
            Ok("https://w3id.org/paesi/act/stato/legge/1992/91/art5".into())
        );
        assert_eq!(
            resolve_href("art39-com3-letb", Some(&base)).map(|t| t.partition),
            Ok(Some("art39-com3-letb".into()))
        );
        assert_eq!(
            resolve_href("#art1-com6", None).map_err(|e| e.reason),
            Err("relative reference without base".into())
        );
        assert_eq!(
            resolve_href("", None).map_err(|e| e.reason),
            Err("empty reference".into())
        );
        assert_eq!(
            resolve_href("http://dati.senato.it/senatore/3897", None).map_err(|e| e.reason),
            Err("not an identifier (a web URL)".into())
        );
        assert_eq!(
            resolve_href(
                "http://www.legislation.gov.uk/id/ukpga/2008/4/section/153",
                None
            )
            .map(|t| t.iri()),
            Ok("https://w3id.org/paesi/akn/uk/ukpga/2008/4/section-153".into())
        );
    }
}
