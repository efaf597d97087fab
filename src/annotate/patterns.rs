//! The annotation patterns: a TOML file a legal editor extends without touching code
//! (`ontology/annotations.toml`), read at run time.

use std::collections::BTreeMap;
use std::path::Path;

/// Why the patterns could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PatternError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not have the expected shape.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong, with its line and column.
        message: String,
    },
    /// A value is not acceptable (an empty phrase, a unit that is not D, W, M, Y or H...).
    #[error("{path}: {message}")]
    Value {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// Time limits: a number followed by a unit of time.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimePatterns {
    /// Unit words and their ISO 8601 designator (`giorni` → `D`, `mesi` → `M`, `ore` → `H`).
    pub units: BTreeMap<String, String>,
    /// Words after the unit that make the days working days (`lavorativi`).
    #[serde(default)]
    pub working: Vec<String>,
    /// Words before the number that qualify the period (`entro`, `non oltre`, `almeno`):
    /// kept with the annotation and included in its span.
    #[serde(default)]
    pub qualifiers: Vec<String>,
}

/// A currency and the words naming it.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Currency {
    /// The words (`euro`).
    pub words: Vec<String>,
    /// The currency's IRI (EU authority table).
    pub iri: String,
}

/// A kind of thing named by fixed phrases (an authority, a permit type).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Named {
    /// The IRI the annotations take as their value.
    pub iri: String,
    /// A label for people.
    #[serde(default)]
    pub label: Option<String>,
    /// The catalogue procedure it relates to (a permit type: the procedure issuing it).
    #[serde(default)]
    pub procedure: Option<String>,
    /// The phrases, in any case; apostrophes and accents are folded.
    pub phrases: Vec<String>,
}

/// Every pattern of the annotator.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patterns {
    /// Time limits.
    pub time: TimePatterns,
    /// Currencies, for amounts.
    #[serde(default, rename = "currency")]
    pub currencies: Vec<Currency>,
    /// Competent authorities.
    #[serde(default, rename = "authority")]
    pub authorities: Vec<Named>,
    /// Permit types.
    #[serde(default, rename = "permit")]
    pub permits: Vec<Named>,
}

/// The patterns shipped with paesi (`ontology/annotations.toml` as built), used when no file
/// is given and none is found in the working directory.
pub const BUILT_IN: &str = include_str!("../../ontology/annotations.toml");

impl Patterns {
    /// Parses patterns from TOML text (`path` names it in errors).
    pub fn parse(text: &str, path: &str) -> Result<Patterns, PatternError> {
        let p: Patterns = toml::from_str(text).map_err(|e| PatternError::Invalid {
            path: path.to_string(),
            message: e.to_string(),
        })?;
        let bad = |message: String| PatternError::Value {
            path: path.to_string(),
            message,
        };
        for (word, unit) in &p.time.units {
            if !matches!(unit.as_str(), "D" | "W" | "M" | "Y" | "H") {
                return Err(bad(format!(
                    "time unit {word:?} = {unit:?}: use D, W, M, Y or H"
                )));
            }
        }
        for n in p.authorities.iter().chain(&p.permits) {
            if n.phrases.iter().any(|ph| ph.trim().is_empty()) || n.phrases.is_empty() {
                return Err(bad(format!("{}: empty phrase list or phrase", n.iri)));
            }
        }
        Ok(p)
    }

    /// Reads patterns from a file.
    pub fn load(path: &Path) -> Result<Patterns, PatternError> {
        let text = std::fs::read_to_string(path).map_err(|source| PatternError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Patterns::parse(&text, &path.display().to_string())
    }

    /// The built-in patterns.
    pub fn built_in() -> Result<Patterns, PatternError> {
        Patterns::parse(BUILT_IN, "built-in ontology/annotations.toml")
    }
}
