//! `paesi procedure ID --check` and `paesi check`: what the catalogue states about a procedure
//! against what the law says in the text in force on a day, read from the annotations stored on
//! that text. Each figure (time limit, validity, amount, authority) is compared with exactly the
//! comma that states it, and reported stale when that comma changed since the figure was
//! checked; each aspect (authority, processing time, costs) is also compared with all the bases
//! of its role. The early warning that the law moved and the procedure sheet did not.

use std::collections::BTreeSet;

use crate::annotate::Period;
use crate::catalogue::CV;
use crate::figure::{FigureKind, FigureView};
use crate::ids;
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
    /// One entry per figure, compared with the comma that states it.
    pub figures: Vec<FigureCheck>,
    /// How many aspects and figures disagree.
    pub disagreements: usize,
    /// How many figures are stale: their comma changed since they were checked.
    pub stale: usize,
}

/// The outcome for one figure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FigureCheck {
    /// The figure, as the catalogue states it (with its basis and verification).
    pub figure: FigureView,
    /// `agree`, `disagree`, `unconfirmed`, or `stale` (the comma was amended, replaced or
    /// repealed after the figure was checked: check it again).
    pub outcome: String,
    /// What the comma in force says of the figure, whatever its changes: `agree`, `disagree`
    /// or `unconfirmed`.
    pub reading: String,
    /// What the comma in force says that bears on the figure (`90 days («entro novanta
    /// giorni», art9-com2)`).
    pub law: Vec<String>,
    /// The comma's text in force on the day (None: not in the KB or not in force).
    pub text: Option<String>,
    /// Other partitions of the same article, in force on the day, that state the figure's value:
    /// the catalogue may cite the wrong comma.
    pub stated_elsewhere: Vec<String>,
    /// What changed in the comma after the figure was checked, up to the day.
    pub changes: Vec<String>,
    /// One sentence for people.
    pub message: String,
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
    let mut figures = Vec::new();
    for f in &view.figures {
        figures.push(check_figure(kb, f, at)?);
    }
    let disagreements = aspects.iter().filter(|a| a.outcome == "disagree").count()
        + figures.iter().filter(|f| f.reading == "disagree").count();
    let stale = figures.iter().filter(|f| f.outcome == "stale").count();
    Ok(CheckReport {
        id: view.id,
        iri,
        at: at.to_string(),
        aspects,
        figures,
        disagreements,
        stale,
    })
}

/// Compares one figure with the comma that states it, in force on `at`.
pub fn check_figure(kb: &Kb, f: &FigureView, at: &str) -> Result<FigureCheck, LookupError> {
    let what = format!("{} {}", f.kind.describe(), f.stated);
    let Some(norm) = f.norm.as_deref() else {
        return Ok(figure_outcome(
            f,
            "unconfirmed",
            format!("{what}: its basis {} names no partition", f.basis),
            Vec::new(),
            None,
            Vec::new(),
            Vec::new(),
        ));
    };
    let part = short_iri(norm);
    let changes = match &f.checked_on {
        Some(on) => changes_since(kb, norm, on, at)?,
        None => Vec::new(),
    };
    let held = procedure::in_force(kb, norm, at)?;
    let Some((node, text)) = held else {
        let known = kb.count(&format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ <{norm}> <{PAESI}act> ?a }}"
        ))? > 0;
        let why = if known {
            format!("{what}: {part} is not in force on {at}")
        } else {
            format!(
                "{what}: {part} is not in the knowledge base (read it on {})",
                procedure::normattiva_link(f.basis.split('~').next().unwrap_or(&f.basis))
            )
        };
        return Ok(figure_outcome(
            f,
            "unconfirmed",
            why,
            Vec::new(),
            None,
            Vec::new(),
            changes,
        ));
    };
    let found = relevant(kb, &node, f.kind)?;
    let law: Vec<String> = found
        .iter()
        .map(|a| {
            format!(
                "{} («{}», {part})",
                describe_value(f.kind, &a.value),
                a.text
            )
        })
        .collect();
    let agree = found.iter().any(|a| same_value(f, &a.value));
    // another comma of the article states the value while the one cited states nothing of the
    // kind (or, for a deadline elsewhere, no deadline): the catalogue likely cites the wrong comma
    let cited_deadline = found.iter().any(is_deadline);
    let elsewhere: Vec<String> = if agree {
        Vec::new()
    } else {
        stated_elsewhere(kb, f, norm, at)?
            .into_iter()
            .filter(|(_, deadline)| found.is_empty() || (*deadline && !cited_deadline))
            .map(|(p, _)| p)
            .collect()
    };
    let (reading, message) = if agree {
        ("agree", format!("{what}: so says {part} in force on {at}"))
    } else if !found.is_empty() || !elsewhere.is_empty() {
        let says = if found.is_empty() {
            "states none".to_string()
        } else {
            format!("says {}", law.join("; "))
        };
        let other = if elsewhere.is_empty() {
            String::new()
        } else {
            format!("; the value is stated by {}", elsewhere.join(", "))
        };
        (
            "disagree",
            format!("{what}: the catalogue cites {part}, which in force on {at} {says}{other}"),
        )
    } else {
        (
            "unconfirmed",
            format!(
                "{what}: {part} in force on {at} states no {} the annotation patterns recognise",
                f.kind.describe()
            ),
        )
    };
    Ok(figure_outcome(
        f,
        reading,
        message,
        law,
        Some(text),
        elsewhere,
        changes,
    ))
}

fn figure_outcome(
    f: &FigureView,
    reading: &str,
    message: String,
    law: Vec<String>,
    text: Option<String>,
    stated_elsewhere: Vec<String>,
    changes: Vec<String>,
) -> FigureCheck {
    let (outcome, message) = if changes.is_empty() {
        (reading.to_string(), message)
    } else {
        (
            "stale".to_string(),
            format!(
                "{message}; checked on {}, since changed: {}",
                f.checked_on.as_deref().unwrap_or("?"),
                changes.join("; ")
            ),
        )
    };
    FigureCheck {
        figure: f.clone(),
        outcome,
        reading: reading.to_string(),
        law,
        text,
        stated_elsewhere,
        changes,
        message,
    }
}

/// The annotations of a text node that can state a figure of this kind; for time limits the
/// deadlines (`entro …`) when there are any.
fn relevant(kb: &Kb, node: &str, kind: FigureKind) -> Result<Vec<AnnotationView>, LookupError> {
    let mut found = procedure::annotations(kb, node)?;
    found.retain(|a| a.kind == kind.annotation_kind());
    Ok(found)
}

fn same_value(f: &FigureView, value: &str) -> bool {
    match f.kind {
        FigureKind::TimeLimit | FigureKind::Validity => {
            match (
                Period::from_duration(&f.value),
                Period::from_duration(value),
            ) {
                (Some(a), Some(b)) => a.same_as(&b),
                _ => false,
            }
        }
        FigureKind::Amount => match (f.value.parse::<f64>(), value.parse::<f64>()) {
            (Ok(a), Ok(b)) => (a - b).abs() < 0.005,
            _ => false,
        },
        FigureKind::Authority => f.value == value,
    }
}

fn describe_value(kind: FigureKind, value: &str) -> String {
    crate::figure::plain_value(kind, value).unwrap_or_else(|| short_iri(value))
}

/// The other partitions of the article holding `norm`, in force on `at`, whose text states
/// the figure's value, each with whether that statement is a deadline (`entro …`).
fn stated_elsewhere(
    kb: &Kb,
    f: &FigureView,
    norm: &str,
    at: &str,
) -> Result<Vec<(String, bool)>, LookupError> {
    let Some((base, last)) = norm.rsplit_once('/') else {
        return Ok(Vec::new());
    };
    let article = format!("{base}/{}", last.split('-').next().unwrap_or(last));
    if ids::checked_iri(&article).is_err() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for p in column(
        kb,
        &format!(
            "SELECT DISTINCT ?p WHERE {{ {{ BIND(<{article}> AS ?p) ?p <{PAESI}act> ?a }}
               UNION {{ ?p <http://data.europa.eu/eli/ontology#is_part_of>+ <{article}> }} }} ORDER BY ?p"
        ),
    )? {
        if p == norm {
            continue;
        }
        if let Some((node, _)) = procedure::in_force(kb, &p, at)? {
            let matches: Vec<AnnotationView> = relevant(kb, &node, f.kind)?
                .into_iter()
                .filter(|a| same_value(f, &a.value))
                .collect();
            if !matches.is_empty() {
                out.push((short_iri(&p), matches.iter().any(is_deadline)));
            }
        }
    }
    Ok(out)
}

/// What changed in a partition after `since` up to `at`: versions that began, modifications
/// of it (or of the article holding it), and its end.
fn changes_since(kb: &Kb, norm: &str, since: &str, at: &str) -> Result<Vec<String>, LookupError> {
    let mut out = Vec::new();
    let d = |x: &str| format!("\"{x}\"^^<http://www.w3.org/2001/XMLSchema#date>");
    for from in column(
        kb,
        &format!(
            "SELECT DISTINCT ?from WHERE {{ <{norm}> <{PAESI}version> ?v .
               ?v <http://data.europa.eu/eli/ontology#first_date_entry_in_force> ?from
               FILTER(?from > {} && ?from <= {}) }} ORDER BY ?from",
            d(since),
            d(at)
        ),
    )? {
        out.push(format!("a new text in force from {from}"));
    }
    // the partition and, by its identifier, the partitions holding it (art9bis-com2 → art9bis),
    // so that a change to the article is seen even when the comma itself is not in the KB
    let mut amendments = Vec::new();
    let mut target = norm.to_string();
    loop {
        for a in procedure::amendments(kb, &target)? {
            if !amendments.contains(&a) {
                amendments.push(a);
            }
        }
        match target.rsplit_once('/') {
            Some((base, last)) if last.contains('-') => {
                let parent = last.rsplit_once('-').map_or(last, |(p, _)| p);
                target = format!("{base}/{parent}");
            }
            _ => break,
        }
    }
    for a in amendments {
        if let Some(date) = &a.date
            && date.as_str() > since
            && date.as_str() <= at
        {
            out.push(format!(
                "{} of {} by {} on {date}",
                a.kind,
                short_iri(&a.destination),
                a.source
                    .as_deref()
                    .map(short_iri)
                    .unwrap_or_else(|| "?".into())
            ));
        }
    }
    if procedure::is_in_force(kb, norm, since)? && !procedure::is_in_force(kb, norm, at)? {
        out.push(format!("no longer in force on {at}"));
    }
    Ok(out)
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
    for f in &r.figures {
        write_figure(out, &format!("{}:", f.outcome.to_uppercase()), f)?;
    }
    writeln!(
        out,
        "{} disagreement(s), {} stale figure(s)",
        r.disagreements, r.stale
    )?;
    Ok(())
}

/// `paesi check`: every figure of a set of procedures against its comma in force on a day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CatalogueCheck {
    /// The day the law is read on.
    pub at: String,
    /// How many figures agree, disagree, are unconfirmed, are stale.
    pub totals: Totals,
    /// One entry per procedure, in identifier order.
    pub procedures: Vec<ProcedureFigures>,
}

/// Counts of figure outcomes.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    /// The comma in force states the figure.
    pub agree: usize,
    /// The comma in force states something else (or another comma states the figure).
    pub disagree: usize,
    /// Nothing in the knowledge base confirms or denies it.
    pub unconfirmed: usize,
    /// The comma changed since the figure was checked.
    pub stale: usize,
    /// Figures nobody verified (`unverified` or `outdated`), whatever their outcome.
    pub not_verified: usize,
}

/// The figure checks of one procedure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProcedureFigures {
    /// Procedure identifier.
    pub id: String,
    /// Its figures, each with its outcome.
    pub figures: Vec<FigureCheck>,
}

impl CatalogueCheck {
    /// True when a figure disagrees with its comma or (with `stale_fails`) is stale.
    pub fn fails(&self, stale_fails: bool) -> bool {
        self.totals.disagree > 0 || (stale_fails && self.totals.stale > 0)
    }
}

/// Checks the figures of the procedures given (identifiers; all of the catalogue when empty)
/// against the law in force on `at`.
pub fn check_catalogue(
    kb: &Kb,
    ids: &[String],
    at: &str,
    lang: &str,
) -> Result<CatalogueCheck, LookupError> {
    // (identifier, IRI) of each procedure: only its figures are read, not its whole view
    let targets: Vec<(String, String)> = if ids.is_empty() {
        procedure::list(kb, &[], None, lang)?
            .into_iter()
            .map(|p| (p.id, p.iri))
            .collect()
    } else {
        ids.iter()
            .map(|id| Ok((id.clone(), procedure::procedure_iri(kb, id)?)))
            .collect::<Result<_, LookupError>>()?
    };
    let mut totals = Totals::default();
    let mut procedures = Vec::new();
    for (id, iri) in targets {
        let mut figures = Vec::new();
        for f in crate::figure::figures(kb, &iri, lang)? {
            let c = check_figure(kb, &f, at)?;
            match c.reading.as_str() {
                "agree" => totals.agree += 1,
                "disagree" => totals.disagree += 1,
                _ => totals.unconfirmed += 1,
            }
            if c.outcome == "stale" {
                totals.stale += 1;
            }
            if f.needs_warning() {
                totals.not_verified += 1;
            }
            figures.push(c);
        }
        procedures.push(ProcedureFigures { id, figures });
    }
    Ok(CatalogueCheck {
        at: at.to_string(),
        totals,
        procedures,
    })
}

/// One figure's check for people: `PREFIX message [warning]`, then the comma's text when it
/// disagrees.
fn write_figure(
    out: &mut impl std::io::Write,
    prefix: &str,
    f: &FigureCheck,
) -> std::io::Result<()> {
    write!(out, "{prefix} {}", f.message)?;
    let w = crate::figure::warning(&f.figure.verification);
    if w.is_empty() {
        writeln!(out)?;
    } else {
        writeln!(out, " [{w}]")?;
    }
    if f.reading == "disagree"
        && let Some(t) = &f.text
    {
        writeln!(out, "    {} : {t}", f.figure.basis)?;
    }
    Ok(())
}

/// Writes a catalogue check for people: one line per figure, then the totals.
pub fn render_catalogue(out: &mut impl std::io::Write, r: &CatalogueCheck) -> std::io::Result<()> {
    writeln!(out, "figures checked against the law in force on {}", r.at)?;
    for p in &r.procedures {
        for f in &p.figures {
            write_figure(
                out,
                &format!("{:<11} {}:", f.outcome.to_uppercase(), p.id),
                f,
            )?;
        }
    }
    let t = &r.totals;
    writeln!(
        out,
        "{} agree, {} disagree, {} unconfirmed, {} stale; {} not verified",
        t.agree, t.disagree, t.unconfirmed, t.stale, t.not_verified
    )?;
    Ok(())
}
