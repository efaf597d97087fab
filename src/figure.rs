//! The figures of the procedure catalogue: each time limit, validity, amount and competent
//! authority a procedure states is a `paesi:Figure` bound to the comma that states it
//! (`paesi:basis`, resolved to `paesi:basisNorm`), with its verification state and, once checked,
//! the day of the law and the text it was checked against. Read here for every surface (CLI,
//! JSON, pages) and for `check`.

use crate::annotate::Period;
use crate::catalogue::CV;
use crate::procedure::{self, LookupError};
use crate::rdf::PAESI;
use crate::source::Source;

const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
const DCT: &str = "http://purl.org/dc/terms/";

/// What a figure states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FigureKind {
    /// A time limit (`paesi:TimeLimitFigure`, an `xsd:duration`).
    TimeLimit,
    /// How long a permit is valid (`paesi:ValidityFigure`, an `xsd:duration`).
    Validity,
    /// An amount in euro (`paesi:AmountFigure`, the `cv:Cost` node itself).
    Amount,
    /// A competent authority (`paesi:AuthorityFigure`, a `cv:PublicOrganisation`).
    Authority,
}

impl FigureKind {
    fn from_class(class: &str) -> Option<FigureKind> {
        Some(match class.strip_prefix(PAESI)? {
            "TimeLimitFigure" => FigureKind::TimeLimit,
            "ValidityFigure" => FigureKind::Validity,
            "AmountFigure" => FigureKind::Amount,
            "AuthorityFigure" => FigureKind::Authority,
            _ => return None,
        })
    }

    /// The kind of annotation (`paesi:annotation`) that can state such a figure in a text.
    pub fn annotation_kind(self) -> &'static str {
        match self {
            FigureKind::TimeLimit | FigureKind::Validity => "time-limit",
            FigureKind::Amount => "amount",
            FigureKind::Authority => "authority",
        }
    }

    /// For people: `time limit`, `validity`, `amount`, `authority`.
    pub fn describe(self) -> &'static str {
        match self {
            FigureKind::TimeLimit => "time limit",
            FigureKind::Validity => "validity",
            FigureKind::Amount => "amount",
            FigureKind::Authority => "authority",
        }
    }
}

/// One figure of a procedure, as the catalogue states it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FigureView {
    /// The figure's IRI.
    pub iri: String,
    /// What it states.
    pub kind: FigureKind,
    /// What it says, for people, in the language asked for (`Rilascio entro novanta giorni…`).
    pub label: Option<String>,
    /// The value as stored: an `xsd:duration`, a decimal, or the authority's IRI.
    pub value: String,
    /// The value for people: `90 days`, `250 euro`, the authority's name.
    pub stated: String,
    /// The URN:NIR of the comma that states it.
    pub basis: String,
    /// That comma's canonical IRI.
    pub norm: Option<String>,
    /// `verified`, `unverified` (not to be taken as law) or `outdated`.
    pub verification: String,
    /// The day of the law it was checked on (verified or outdated figures).
    pub checked_on: Option<String>,
    /// The text it was checked against.
    pub checked_against: Option<String>,
    /// The procedure's CPSV-AP property it grounds (`cv:processingTime`…), if any.
    pub states: Option<String>,
}

impl FigureView {
    /// True unless the figure was checked and found right: what operators must not take as law
    /// without reading the comma.
    pub fn needs_warning(&self) -> bool {
        self.verification != "verified"
    }
}

/// The figures of a procedure (its IRI), by kind then IRI; labels in `lang`.
pub fn figures(
    kb: &dyn Source,
    procedure: &str,
    lang: &str,
) -> Result<Vec<FigureView>, LookupError> {
    let rows = kb.string_rows(&format!(
        "SELECT ?f ?c ?v ?basis ?norm ?ver ?on ?against ?states WHERE {{
           <{procedure}> <{PAESI}figure> ?f . ?f a ?c ; <{PAESI}basis> ?basis ; <{PAESI}verification> ?ver .
           FILTER(STRENDS(STR(?c), \"Figure\"))
           OPTIONAL {{ ?f <{PAESI}value>|<{CV}hasValue> ?v }}
           OPTIONAL {{ ?f <{PAESI}basisNorm> ?norm }}
           OPTIONAL {{ ?f <{PAESI}checkedOn> ?on }}
           OPTIONAL {{ ?f <{PAESI}checkedAgainst> ?against }}
           OPTIONAL {{ ?f <{PAESI}states> ?states }} }} ORDER BY ?f ?c"
    ))?;
    let mut out: Vec<FigureView> = Vec::new();
    for r in rows {
        let (Some(iri), Some(kind), Some(basis), Some(verification)) = (
            r[0].clone(),
            r[1].as_deref().and_then(FigureKind::from_class),
            r[3].clone(),
            r[5].clone(),
        ) else {
            continue;
        };
        if out.iter().any(|f| f.iri == iri) {
            continue;
        }
        let value = r[2].clone().unwrap_or_default();
        let stated = stated(kb, kind, &value, lang)?;
        let label = procedure::label(
            kb,
            &iri,
            &[&format!("{RDFS}label"), &format!("{DCT}description")],
            lang,
        )?;
        out.push(FigureView {
            iri,
            kind,
            label,
            value,
            stated,
            basis,
            norm: r[4].clone(),
            verification,
            checked_on: r[6].clone(),
            checked_against: r[7].clone(),
            states: r[8].clone(),
        });
    }
    out.sort_by(|a, b| (a.kind, &a.iri).cmp(&(b.kind, &b.iri)));
    Ok(out)
}

/// A figure's value for people.
fn stated(
    kb: &dyn Source,
    kind: FigureKind,
    value: &str,
    lang: &str,
) -> Result<String, LookupError> {
    if let Some(plain) = plain_value(kind, value) {
        return Ok(plain);
    }
    Ok(procedure::label(
        kb,
        value,
        &[&format!("{SKOS}prefLabel"), &format!("{RDFS}label")],
        lang,
    )?
    .unwrap_or_else(|| value.to_string()))
}

/// A duration or an amount for people (`90 days`, `250 euro`), as the catalogue or a text
/// states it; None for an authority, whose name is in the store.
pub fn plain_value(kind: FigureKind, value: &str) -> Option<String> {
    match kind {
        FigureKind::TimeLimit | FigureKind::Validity => {
            Some(Period::from_duration(value).map_or_else(|| value.to_string(), |p| p.describe()))
        }
        FigureKind::Amount => Some(match value.parse::<f64>() {
            Ok(v) => format!("{v} euro"),
            Err(_) => value.to_string(),
        }),
        FigureKind::Authority => None,
    }
}

/// The mark a surface shows beside a figure that is not verified: empty for verified ones.
pub fn warning(verification: &str) -> &'static str {
    match verification {
        "verified" => "",
        "outdated" => "OUTDATED: superseded by a later amendment, not the law in force",
        _ => "UNVERIFIED: nobody checked it against the law in force, not to be taken as law",
    }
}

/// Writes the figures for people: one line each, its basis and verification.
pub fn render(out: &mut impl std::io::Write, figures: &[FigureView]) -> std::io::Result<()> {
    if figures.is_empty() {
        return Ok(());
    }
    writeln!(out, "figures (each with the comma that states it):")?;
    for f in figures {
        write!(out, "- {}: {}", f.kind.describe(), f.stated)?;
        if let Some(l) = &f.label {
            write!(out, " — {l}")?;
        }
        writeln!(out)?;
        write!(out, "    basis {}", f.basis)?;
        match (&f.checked_on, f.verification.as_str()) {
            (Some(on), "verified") => writeln!(out, "; verified against the law in force on {on}")?,
            _ => writeln!(out, "; {}", warning(&f.verification))?,
        }
    }
    Ok(())
}
