//! `paesi procedure ID --check`: what the catalogue states about a procedure (competent
//! authority, time limit, costs) against what its legal bases say in the text in force on a
//! day, read from the annotations stored on that text. The early warning that the law moved
//! and the procedure sheet did not.

use std::collections::BTreeSet;

use crate::annotate::Period;
use crate::catalogue::CV;
use crate::procedure::{self, AnnotationView, LookupError};
use crate::rdf::PAESI;
use crate::store::Kb;

const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";

/// Qualifiers that make a period a deadline for the administration (`entro sessanta giorni`):
/// preferred over other periods of the same text when comparing with `cv:processingTime`.
const DEADLINE_QUALIFIERS: &[&str] = &[
    "entro",
    "entro il termine di",
    "nel termine di",
    "nel termine massimo di",
    "termine di",
    "non oltre",
];

/// What is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Aspect {
    /// `cv:hasCompetentAuthority` against the authorities named by the competence bases.
    Authority,
    /// `cv:processingTime` against the periods of the time-limit bases.
    TimeLimit,
    /// `cv:hasCost` values against the amounts of the cost bases.
    Cost,
}

/// One legal basis as read for the check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BasisReading {
    /// The URN as the catalogue writes it.
    pub urn: String,
    /// The partition.
    pub norm: String,
    /// The text in force (None: not in the KB or not in force on the day).
    pub text: Option<String>,
    /// What the annotator found in it that bears on the aspect.
    pub found: Vec<AnnotationView>,
}

/// The outcome for one aspect of a procedure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AspectCheck {
    /// What was compared.
    pub aspect: Aspect,
    /// `agree`, `disagree`, or `unconfirmed` (the bases are missing, not in force, or say
    /// nothing the patterns recognise).
    pub outcome: String,
    /// What the catalogue says, for people (`60 days`).
    pub catalogue: Vec<String>,
    /// What the text in force says, for people (`20 days («entro venti giorni», art5-com9)`).
    pub law: Vec<String>,
    /// One sentence: "the catalogue says …, the text in force on … says …".
    pub message: String,
    /// The bases read, with their texts.
    pub bases: Vec<BasisReading>,
}

/// The check of one procedure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckReport {
    /// Procedure identifier.
    pub id: String,
    /// Procedure IRI.
    pub iri: String,
    /// The day the law is read on.
    pub at: String,
    /// One entry per aspect the catalogue states and has bases for.
    pub aspects: Vec<AspectCheck>,
    /// How many aspects disagree.
    pub disagreements: usize,
}

/// Checks a procedure (identifier or IRI) against its legal bases in force on `at`.
pub fn check(kb: &Kb, id: &str, at: &str, lang: &str) -> Result<CheckReport, LookupError> {
    let view = procedure::show(kb, id, at, lang)?;
    let iri = view.iri.clone();
    let mut aspects = Vec::new();

    // authority
    let authorities: Vec<(String, String)> = kb
        .string_rows(&format!(
            "SELECT ?a (SAMPLE(?l) AS ?label) WHERE {{ <{iri}> <{CV}hasCompetentAuthority> ?a .
               OPTIONAL {{ ?a <{SKOS}prefLabel> ?l FILTER(LANG(?l) = \"it\") }} }} GROUP BY ?a ORDER BY ?a"
        ))?
        .into_iter()
        .filter_map(|r| {
            let a = r[0].clone()?;
            let l = r[1].clone().unwrap_or_else(|| a.clone());
            Some((a, l))
        })
        .collect();
    if !authorities.is_empty()
        && let Some(bases) = read_bases(kb, &iri, "CompetenceRole", at, "authority")?
    {
        let named: BTreeSet<&str> = bases
            .iter()
            .flat_map(|b| b.found.iter().map(|a| a.value.as_str()))
            .collect();
        let agree = authorities.iter().any(|(a, _)| named.contains(a.as_str()));
        let law = law_lines(&bases, |a| short_iri(&a.value));
        aspects.push(outcome(
            Aspect::Authority,
            authorities.iter().map(|(_, l)| l.clone()).collect(),
            law,
            !named.is_empty(),
            agree,
            "the competent authority",
            at,
            bases,
        ));
    }

    // time limit
    let times: Vec<String> = column(
        kb,
        &format!("SELECT ?t WHERE {{ <{iri}> <{CV}processingTime> ?t }} ORDER BY ?t"),
    )?;
    let periods: Vec<Period> = times
        .iter()
        .filter_map(|t| Period::from_duration(t))
        .collect();
    if !periods.is_empty()
        && let Some(mut bases) = read_bases(kb, &iri, "TimeLimitRole", at, "time-limit")?
    {
        // deadlines ("entro …") speak of the processing time; other periods only without them
        let any_deadline = bases.iter().any(|b| b.found.iter().any(is_deadline));
        if any_deadline {
            for b in &mut bases {
                b.found.retain(is_deadline);
            }
        }
        let found: Vec<Period> = bases
            .iter()
            .flat_map(|b| {
                b.found
                    .iter()
                    .filter_map(|a| Period::from_duration(&a.value))
            })
            .collect();
        let agree = periods.iter().any(|p| found.iter().any(|f| f.same_as(p)));
        let law = law_lines(&bases, |a| {
            Period::from_duration(&a.value).map_or_else(|| a.value.clone(), |p| p.describe())
        });
        aspects.push(outcome(
            Aspect::TimeLimit,
            periods
                .iter()
                .zip(&times)
                .map(|(p, t)| format!("{} ({t})", p.describe()))
                .collect(),
            law,
            !found.is_empty(),
            agree,
            "the processing time",
            at,
            bases,
        ));
    }

    // costs
    let costs: Vec<String> = column(
        kb,
        &format!(
            "SELECT DISTINCT ?v WHERE {{ <{iri}> <{CV}hasCost> ?c . ?c <{CV}hasValue>|<{CV}value> ?v }} ORDER BY ?v"
        ),
    )?;
    let cost_values: Vec<f64> = costs.iter().filter_map(|c| c.parse().ok()).collect();
    if !cost_values.is_empty()
        && let Some(bases) = read_bases(kb, &iri, "CostRole", at, "amount")?
    {
        let found: Vec<f64> = bases
            .iter()
            .flat_map(|b| b.found.iter().filter_map(|a| a.value.parse::<f64>().ok()))
            .collect();
        let agree = found
            .iter()
            .any(|f| cost_values.iter().any(|c| (c - f).abs() < 0.005));
        let law = law_lines(&bases, |a| format!("{} euro", a.value));
        aspects.push(outcome(
            Aspect::Cost,
            cost_values.iter().map(|c| format!("{c} euro")).collect(),
            law,
            !found.is_empty(),
            agree,
            "the costs",
            at,
            bases,
        ));
    }
    let disagreements = aspects.iter().filter(|a| a.outcome == "disagree").count();
    Ok(CheckReport {
        id: view.id,
        iri,
        at: at.to_string(),
        aspects,
        disagreements,
    })
}

fn is_deadline(a: &AnnotationView) -> bool {
    a.qualifier
        .as_deref()
        .is_some_and(|q| DEADLINE_QUALIFIERS.contains(&q))
}

fn short_iri(iri: &str) -> String {
    iri.rsplit('/').next().unwrap_or(iri).to_string()
}

/// "20 days («entro venti giorni», art5-com9)" for each finding.
fn law_lines(bases: &[BasisReading], value: impl Fn(&AnnotationView) -> String) -> Vec<String> {
    let mut out = Vec::new();
    for b in bases {
        let part = b.norm.rsplit('/').next().unwrap_or(&b.norm);
        for a in &b.found {
            out.push(format!("{} («{}», {part})", value(a), a.text));
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn outcome(
    aspect: Aspect,
    catalogue: Vec<String>,
    law: Vec<String>,
    law_says_something: bool,
    agree: bool,
    what: &str,
    at: &str,
    bases: Vec<BasisReading>,
) -> AspectCheck {
    let in_force = bases.iter().filter(|b| b.text.is_some()).count();
    let (outcome, message) = if agree {
        (
            "agree",
            format!(
                "{what}: the catalogue says {}, and so does the text in force on {at}",
                catalogue.join(", ")
            ),
        )
    } else if law_says_something {
        (
            "disagree",
            format!(
                "{what}: the catalogue says {}, the text in force on {at} says {}",
                catalogue.join(", "),
                law.join("; ")
            ),
        )
    } else if in_force == 0 {
        (
            "unconfirmed",
            format!(
                "{what}: the catalogue says {}; no legal basis for it is in force on {at} in the knowledge base",
                catalogue.join(", ")
            ),
        )
    } else {
        (
            "unconfirmed",
            format!(
                "{what}: the catalogue says {}; the text in force on {at} states none the annotation patterns recognise",
                catalogue.join(", ")
            ),
        )
    };
    AspectCheck {
        aspect,
        outcome: outcome.to_string(),
        catalogue,
        law,
        message,
        bases,
    }
}

/// The legal bases of a procedure with a role, each read in force on `at` with its
/// annotations of one kind; None when the procedure has no basis with that role.
fn read_bases(
    kb: &Kb,
    procedure: &str,
    role: &str,
    at: &str,
    kind: &str,
) -> Result<Option<Vec<BasisReading>>, LookupError> {
    let rows = kb.string_rows(&format!(
        "SELECT DISTINCT ?urn ?norm WHERE {{ <{procedure}> <{PAESI}legalBasis> ?b .
           ?b <{PAESI}role> <{PAESI}{role}> ; <{PAESI}urn> ?urn ; <{PAESI}norm> ?norm }} ORDER BY ?urn"
    ))?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for r in rows {
        let (Some(urn), Some(norm)) = (r[0].clone(), r[1].clone()) else {
            continue;
        };
        let held = procedure::in_force(kb, &norm, at)?;
        let (text, found) = match held {
            Some((node, text)) => {
                let mut found = procedure::annotations(kb, &node)?;
                found.retain(|a| a.kind == kind);
                (Some(text), found)
            }
            None => (None, Vec::new()),
        };
        out.push(BasisReading {
            urn,
            norm,
            text,
            found,
        });
    }
    Ok(Some(out))
}

fn column(kb: &Kb, sparql: &str) -> Result<Vec<String>, LookupError> {
    Ok(kb
        .string_rows(sparql)?
        .into_iter()
        .filter_map(|r| r.into_iter().next().flatten())
        .collect())
}

/// Writes a check for people: one line per aspect, then the texts of the bases that disagree.
pub fn render(out: &mut impl std::io::Write, r: &CheckReport) -> std::io::Result<()> {
    writeln!(
        out,
        "{} — checked against the law in force on {}",
        r.id, r.at
    )?;
    for a in &r.aspects {
        writeln!(out, "{}: {}", a.outcome.to_uppercase(), a.message)?;
        if a.outcome == "disagree" {
            for b in &a.bases {
                if let Some(t) = &b.text {
                    writeln!(out, "    {} : {t}", b.urn)?;
                }
            }
        }
    }
    writeln!(out, "{} disagreement(s)", r.disagreements)?;
    Ok(())
}
