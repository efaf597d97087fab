//! The annotator: what operators look for in the plain text of a partition — time limits,
//! amounts, competent authorities, permit types — found by the patterns of a data file
//! ([`Patterns`]), each with character offsets and a normalised value.

mod numbers;
mod patterns;
mod tokens;

use std::collections::HashMap;

pub use patterns::{BUILT_IN, PatternError, Patterns};
use tokens::{Token, fold_word, tokenize};

/// What an annotation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A period of time: a deadline, a term, a duration (`entro sessanta giorni`).
    TimeLimit,
    /// A sum of money (`euro 16`, `250 euro`).
    Amount,
    /// A public authority (`questore`, `sportello unico per l'immigrazione`).
    Authority,
    /// A type of residence permit (`carta di soggiorno`).
    Permit,
}

impl Kind {
    /// The local name of its class in the paesi ontology.
    pub fn class_name(self) -> &'static str {
        match self {
            Kind::TimeLimit => "TimeLimitAnnotation",
            Kind::Amount => "AmountAnnotation",
            Kind::Authority => "AuthorityAnnotation",
            Kind::Permit => "PermitAnnotation",
        }
    }

    /// The name used in reports and test data (`time-limit`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::TimeLimit => "time-limit",
            Kind::Amount => "amount",
            Kind::Authority => "authority",
            Kind::Permit => "permit",
        }
    }

    /// The kind named `name` (see [`Kind::name`]).
    pub fn from_name(name: &str) -> Option<Kind> {
        [Kind::TimeLimit, Kind::Amount, Kind::Authority, Kind::Permit]
            .into_iter()
            .find(|k| k.name() == name)
    }
}

/// A period: how many of which unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Period {
    /// How many units.
    pub amount: u64,
    /// `D` days, `W` weeks, `M` months, `Y` years, `H` hours.
    pub unit: char,
    /// Working days (`giorni lavorativi`).
    pub working: bool,
}

impl Period {
    /// As an `xsd:duration` (`P60D`, `P6M`, `PT48H`).
    pub fn duration(&self) -> String {
        match self.unit {
            'H' => format!("PT{}H", self.amount),
            u => format!("P{}{u}", self.amount),
        }
    }

    /// The period in days when its unit is days or weeks.
    pub fn days(&self) -> Option<u64> {
        match self.unit {
            'D' => Some(self.amount),
            'W' => Some(self.amount * 7),
            _ => None,
        }
    }

    /// The period in months when its unit is months or years.
    pub fn months(&self) -> Option<u64> {
        match self.unit {
            'M' => Some(self.amount),
            'Y' => Some(self.amount * 12),
            _ => None,
        }
    }

    /// Reads an `xsd:duration` of days and weeks (`P60D`, `P3W`), of years and months
    /// (`P24M`, `P2Y`, `P1Y6M`, as months) or of hours (`PT48H`); None for a mix.
    pub fn from_duration(d: &str) -> Option<Period> {
        let body = d.trim().strip_prefix('P')?;
        let (date, time) = match body.split_once('T') {
            Some((a, b)) => (a, b),
            None => (body, ""),
        };
        let mut parts: Vec<(u64, char)> = Vec::new();
        for (section, units) in [(date, "YMWD"), (time, "H")] {
            let mut number = String::new();
            for c in section.chars() {
                if c.is_ascii_digit() {
                    number.push(c);
                } else if units.contains(c) && !number.is_empty() {
                    parts.push((number.parse().ok()?, c));
                    number.clear();
                } else {
                    return None;
                }
            }
            if !number.is_empty() {
                return None;
            }
        }
        let sum = |units: &[(char, u64)]| -> Option<u64> {
            let mut total = 0;
            for (n, u) in &parts {
                total += n * units.iter().find(|(x, _)| x == u)?.1;
            }
            Some(total)
        };
        let period = |amount, unit| Period {
            amount,
            unit,
            working: false,
        };
        match parts.as_slice() {
            [] => None,
            [(n, u)] => Some(period(*n, *u)),
            _ => sum(&[('Y', 12), ('M', 1)])
                .map(|m| period(m, 'M'))
                .or_else(|| sum(&[('W', 7), ('D', 1)]).map(|d| period(d, 'D'))),
        }
    }

    /// Same length of time (60 days and `P60D`; 24 months and 2 years).
    pub fn same_as(&self, other: &Period) -> bool {
        match (self.days(), other.days()) {
            (Some(a), Some(b)) => return a == b,
            (Some(_), None) | (None, Some(_)) => return false,
            _ => {}
        }
        match (self.months(), other.months()) {
            (Some(a), Some(b)) => a == b,
            _ => self.unit == other.unit && self.amount == other.amount,
        }
    }

    /// For people: `60 days`, `8 working days`, `6 months`.
    pub fn describe(&self) -> String {
        let unit = match (self.unit, self.amount == 1) {
            ('D', true) => "day",
            ('D', false) => "days",
            ('W', true) => "week",
            ('W', false) => "weeks",
            ('M', true) => "month",
            ('M', false) => "months",
            ('Y', true) => "year",
            ('Y', false) => "years",
            (_, true) => "hour",
            (_, false) => "hours",
        };
        let working = if self.working { "working " } else { "" };
        format!("{} {working}{unit}", self.amount)
    }
}

/// The normalised value of an annotation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Value {
    /// A period of time.
    Period(Period),
    /// A sum: a decimal (`30.46`) in a currency (its IRI).
    Money {
        /// The decimal, `.` before the decimals, no thousands separator.
        value: String,
        /// The currency IRI.
        currency: String,
    },
    /// An authority or a permit type: its IRI.
    Iri(String),
}

/// One thing found in a text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Annotation {
    /// What it is.
    pub kind: Kind,
    /// Start, in characters of the text.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// The text covered, as written.
    pub text: String,
    /// Its normalised value.
    pub value: Value,
    /// The words qualifying a period (`entro`, `non oltre`), folded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
    /// The catalogue procedure it relates to (a permit type).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub procedure: Option<String>,
}

/// A phrase to find: its folded words and what it stands for.
#[derive(Debug, Clone)]
struct Phrase {
    words: Vec<String>,
    kind: Kind,
    iri: String,
    procedure: Option<String>,
}

/// The compiled patterns, ready to annotate any number of texts (shared by the ingest threads).
#[derive(Debug, Clone)]
pub struct Annotator {
    units: HashMap<String, char>,
    working: Vec<String>,
    /// Qualifier phrases, longest first.
    qualifiers: Vec<Vec<String>>,
    currencies: HashMap<String, String>,
    /// Phrases by their first word, longest first.
    phrases: HashMap<String, Vec<Phrase>>,
}

fn phrase_words(p: &str) -> Vec<String> {
    tokenize(p).into_iter().map(|t| t.word).collect()
}

impl Annotator {
    /// Compiles the patterns.
    pub fn new(p: &Patterns) -> Annotator {
        let units = p
            .time
            .units
            .iter()
            .filter_map(|(w, u)| Some((fold_word(w), u.chars().next()?)))
            .collect();
        let mut qualifiers: Vec<Vec<String>> =
            p.time.qualifiers.iter().map(|q| phrase_words(q)).collect();
        qualifiers.sort_by_key(|q| std::cmp::Reverse(q.len()));
        let currencies = p
            .currencies
            .iter()
            .flat_map(|c| c.words.iter().map(|w| (fold_word(w), c.iri.clone())))
            .collect();
        let mut phrases: HashMap<String, Vec<Phrase>> = HashMap::new();
        let named = p
            .authorities
            .iter()
            .map(|n| (Kind::Authority, n))
            .chain(p.permits.iter().map(|n| (Kind::Permit, n)));
        for (kind, n) in named {
            for ph in &n.phrases {
                let words = phrase_words(ph);
                let Some(first) = words.first().cloned() else {
                    continue;
                };
                phrases.entry(first).or_default().push(Phrase {
                    words,
                    kind,
                    iri: n.iri.clone(),
                    procedure: n.procedure.clone(),
                });
            }
        }
        for list in phrases.values_mut() {
            list.sort_by_key(|p| std::cmp::Reverse(p.words.len()));
        }
        Annotator {
            units,
            working: p.time.working.iter().map(|w| fold_word(w)).collect(),
            qualifiers,
            currencies,
            phrases,
        }
    }

    /// Every annotation of a text, by start offset (then kind).
    pub fn annotate(&self, text: &str) -> Vec<Annotation> {
        let tokens = tokenize(text);
        let mut out = Vec::new();
        let span = |from: &Token, to: &Token| &text[from.byte_start..to.byte_end];
        // phrases: longest match at each token, kinds independent of each other
        let mut next_free: HashMap<Kind, usize> = HashMap::new();
        for i in 0..tokens.len() {
            let Some(candidates) = self.phrases.get(&tokens[i].word) else {
                continue;
            };
            for p in candidates {
                if next_free.get(&p.kind).is_some_and(|&n| i < n) {
                    continue;
                }
                let n = p.words.len();
                if i + n > tokens.len()
                    || !tokens[i..i + n]
                        .iter()
                        .zip(&p.words)
                        .all(|(t, w)| t.word == *w)
                {
                    continue;
                }
                let last = &tokens[i + n - 1];
                out.push(Annotation {
                    kind: p.kind,
                    start: tokens[i].start,
                    end: last.end,
                    text: span(&tokens[i], last).to_string(),
                    value: Value::Iri(p.iri.clone()),
                    qualifier: None,
                    procedure: p.procedure.clone(),
                });
                next_free.insert(p.kind, i + n);
            }
        }
        // numbers: periods (number + unit) and amounts (currency + number, number + currency)
        let mut i = 0;
        while i < tokens.len() {
            let t = &tokens[i];
            if let Some(cur) = self.currencies.get(&t.word)
                && let Some(next) = tokens.get(i + 1)
                && let Some(v) = numbers::digits_value(&next.word)
            {
                out.push(Annotation {
                    kind: Kind::Amount,
                    start: t.start,
                    end: next.end,
                    text: span(t, next).to_string(),
                    value: Value::Money {
                        value: v,
                        currency: cur.clone(),
                    },
                    qualifier: None,
                    procedure: None,
                });
                i += 2;
                continue;
            }
            let number = numbers::digits_value(&t.word)
                .filter(|v| !v.contains('.'))
                .and_then(|v| v.parse::<u64>().ok())
                .or_else(|| numbers::word_value(&t.word));
            let (Some(n), Some(next)) = (number, tokens.get(i + 1)) else {
                i += 1;
                continue;
            };
            if let Some(cur) = self.currencies.get(&next.word) {
                let value = numbers::digits_value(&t.word).unwrap_or_else(|| n.to_string());
                out.push(Annotation {
                    kind: Kind::Amount,
                    start: t.start,
                    end: next.end,
                    text: span(t, next).to_string(),
                    value: Value::Money {
                        value,
                        currency: cur.clone(),
                    },
                    qualifier: None,
                    procedure: None,
                });
                i += 2;
                continue;
            }
            if let Some(&unit) = self.units.get(&next.word) {
                let mut last = i + 1;
                let working = tokens
                    .get(i + 2)
                    .is_some_and(|w| self.working.contains(&w.word));
                if working {
                    last = i + 2;
                }
                let mut first = i;
                let mut qualifier = None;
                for q in &self.qualifiers {
                    if q.len() <= i
                        && tokens[i - q.len()..i]
                            .iter()
                            .zip(q)
                            .all(|(t, w)| t.word == *w)
                    {
                        first = i - q.len();
                        qualifier = Some(q.join(" "));
                        break;
                    }
                }
                out.push(Annotation {
                    kind: Kind::TimeLimit,
                    start: tokens[first].start,
                    end: tokens[last].end,
                    text: span(&tokens[first], &tokens[last]).to_string(),
                    value: Value::Period(Period {
                        amount: n,
                        unit,
                        working,
                    }),
                    qualifier,
                    procedure: None,
                });
                i = last + 1;
                continue;
            }
            i += 1;
        }
        out.sort_by_key(|a| (a.start, a.kind));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn annotator() -> Annotator {
        Annotator::new(&Patterns::built_in().expect("built-in patterns"))
    }

    #[test]
    fn periods_amounts_authorities_permits() {
        let a = annotator();
        let text = "Entro sessanta giorni il questore rilascia la carta di soggiorno; \
                    il contributo è di euro 16 e 250 euro, decorsi otto giorni lavorativi.";
        let v = a.annotate(text);
        let got: Vec<(Kind, String)> = v
            .iter()
            .map(|x| {
                let s: String = text.chars().skip(x.start).take(x.end - x.start).collect();
                assert_eq!(s, x.text);
                (x.kind, x.text.clone())
            })
            .collect();
        let want = [
            (Kind::TimeLimit, "Entro sessanta giorni"),
            (Kind::Authority, "questore"),
            (Kind::Permit, "carta di soggiorno"),
            (Kind::Amount, "euro 16"),
            (Kind::Amount, "250 euro"),
            (Kind::TimeLimit, "decorsi otto giorni lavorativi"),
        ];
        assert_eq!(
            got,
            want.iter()
                .map(|(k, s)| (*k, s.to_string()))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            v[0].value,
            Value::Period(Period {
                amount: 60,
                unit: 'D',
                working: false
            })
        );
        assert_eq!(
            v[5].value,
            Value::Period(Period {
                amount: 8,
                unit: 'D',
                working: true
            })
        );
    }

    #[test]
    fn durations_compare() {
        let p = |d| Period::from_duration(d).expect("duration");
        assert!(p("P24M").same_as(&p("P2Y")));
        assert!(!p("P60D").same_as(&p("P2M")));
        assert_eq!(p("PT48H").duration(), "PT48H");
        assert_eq!(p("P1Y6M").months(), Some(18));
        assert!(Period::from_duration("P1Y2D").is_none());
    }
}
