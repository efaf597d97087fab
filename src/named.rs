//! Named queries: the `.rq` files of a directory (the project's `queries/`), each with a header
//! of comments that gives its title, what it answers and its parameters:
//!
//! ```text
//! # title: Partitions of an act in force on a day
//! # description: every partition of the act in force on the day, in document order.
//! # param: act (norm) — the act, by any identifier (default urn:nir:stato:decreto.legislativo:1998-07-25;286)
//! # param: at (date) — the day (default today)
//! ```
//!
//! A parameter is bound by replacing its variable with an RDF term built from the value and
//! written by oxrdf's serializer: IRIs are validated, literals escaped, so no value can change
//! the shape of the query. `at` works as `paesi query --at`: a query that uses `?at` gets the
//! day asked about, today by default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use oxigraph::model::{Literal, NamedNode, vocab::xsd};

/// Why a named query could not be listed, found or bound.
#[derive(Debug, thiserror::Error)]
pub enum NamedError {
    /// The directory or a file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A header line is malformed.
    #[error("{path}:{line}: {message}")]
    Header {
        /// The file.
        path: PathBuf,
        /// Its line (1-based).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// No query has that name.
    #[error("no named query {0:?} (see `paesi query --list`)")]
    Unknown(String),
    /// A parameter the query does not declare.
    #[error("query {query:?} has no parameter {param:?} (it takes: {known})")]
    UnknownParam {
        /// The query.
        query: String,
        /// The parameter given.
        param: String,
        /// The parameters it takes.
        known: String,
    },
    /// A parameter without default was not given.
    #[error("query {query:?} needs the parameter {param:?}")]
    MissingParam {
        /// The query.
        query: String,
        /// The parameter.
        param: String,
    },
    /// A value that is not of its parameter's type.
    #[error("parameter {param:?}: {message}")]
    BadValue {
        /// The parameter.
        param: String,
        /// Why the value is refused.
        message: String,
    },
}

/// The type of a parameter, which decides the RDF term its value becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    /// Any absolute IRI, validated.
    Iri,
    /// An act or partition by any identifier paesi knows (URN:NIR, AKN IRI, canonical IRI),
    /// bound to its canonical IRI.
    Norm,
    /// An ISO date, bound as an `xsd:date`.
    Date,
    /// An integer, bound as an `xsd:integer`.
    Integer,
    /// A plain string literal.
    String,
}

impl ParamType {
    fn parse(s: &str) -> Option<ParamType> {
        Some(match s {
            "iri" => ParamType::Iri,
            "norm" => ParamType::Norm,
            "date" => ParamType::Date,
            "integer" => ParamType::Integer,
            "string" => ParamType::String,
            _ => return None,
        })
    }
}

/// One parameter of a named query.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Param {
    /// Its name: the SPARQL variable it binds.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: ParamType,
    /// What it means.
    pub description: String,
    /// Its default value as written (`today` for a date means the current day).
    pub default: Option<String>,
}

/// A named query: a `.rq` file and what its header says.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NamedQuery {
    /// The file name without `.rq`.
    pub name: String,
    /// One line saying what it is.
    pub title: String,
    /// What it answers.
    pub description: String,
    /// Its parameters, in header order.
    pub params: Vec<Param>,
    /// The SPARQL text (header included).
    #[serde(skip)]
    pub text: String,
}

/// Every named query in `dir` (its `.rq` files), sorted by name.
pub fn list(dir: &Path) -> Result<Vec<NamedQuery>, NamedError> {
    let io = |source| NamedError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rq"))
        .collect();
    let mut queries = files
        .iter()
        .map(|p| load(p))
        .collect::<Result<Vec<_>, _>>()?;
    queries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(queries)
}

/// The named query `name` in `dir`.
pub fn find(dir: &Path, name: &str) -> Result<NamedQuery, NamedError> {
    list(dir)?
        .into_iter()
        .find(|q| q.name == name)
        .ok_or_else(|| NamedError::Unknown(name.to_string()))
}

/// Reads one `.rq` file and its header.
pub fn load(path: &Path) -> Result<NamedQuery, NamedError> {
    let text = std::fs::read_to_string(path).map_err(|source| NamedError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut q = NamedQuery {
        name,
        title: String::new(),
        description: String::new(),
        params: Vec::new(),
        text: String::new(),
    };
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some(comment) = line.strip_prefix('#') else {
            break;
        };
        let Some((key, value)) = comment.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "title" => q.title = value.to_string(),
            "description" => q.description = value.to_string(),
            "param" => q
                .params
                .push(parse_param(value).map_err(|message| NamedError::Header {
                    path: path.to_path_buf(),
                    line: i + 1,
                    message,
                })?),
            _ => {}
        }
    }
    q.text = text;
    Ok(q)
}

/// `name (type) — meaning (default value)`; the type is optional (string), so is the default.
fn parse_param(s: &str) -> Result<Param, String> {
    let (head, rest) = s
        .split_once('—')
        .or_else(|| s.split_once(" - "))
        .unwrap_or((s, ""));
    let mut head = head.trim().splitn(2, char::is_whitespace);
    let name = head.next().unwrap_or_default().to_string();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "parameter name {name:?} is not a SPARQL variable name"
        ));
    }
    let kind = match head.next().map(str::trim) {
        None | Some("") => ParamType::String,
        Some(t) => {
            let t = t.trim_start_matches('(').trim_end_matches(')');
            ParamType::parse(t).ok_or_else(|| {
                format!("unknown parameter type {t:?} (iri, norm, date, integer, string)")
            })?
        }
    };
    let mut description = rest.trim().to_string();
    let mut default = None;
    if let Some(at) = description.rfind("(default ")
        && description.ends_with(')')
    {
        let d = description[at + "(default ".len()..description.len() - 1].trim();
        default = Some(d.to_string());
        description = description[..at].trim_end().to_string();
    }
    Ok(Param {
        name,
        kind,
        description,
        default,
    })
}

impl NamedQuery {
    /// The SPARQL text with every parameter bound: `values` are those given (by name), the
    /// others take their defaults; `at` (when the query uses `?at` without declaring it) is
    /// the day asked about, today when None.
    pub fn bind(
        &self,
        values: &BTreeMap<String, String>,
        at: Option<&str>,
    ) -> Result<String, NamedError> {
        for k in values.keys() {
            if !self.params.iter().any(|p| &p.name == k) {
                return Err(NamedError::UnknownParam {
                    query: self.name.clone(),
                    param: k.clone(),
                    known: self
                        .params
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        let mut text = self.text.clone();
        for p in &self.params {
            let given = values
                .get(&p.name)
                .cloned()
                .or_else(|| at.filter(|_| p.name == "at").map(str::to_string))
                .or_else(|| p.default.clone());
            let value = match given {
                Some(v) => v,
                None if p.name == "at" => "today".to_string(),
                None => {
                    return Err(NamedError::MissingParam {
                        query: self.name.clone(),
                        param: p.name.clone(),
                    });
                }
            };
            let term = term(p, &value)?;
            text = crate::dates::bind_term(&text, &p.name, &term);
        }
        if !self.params.iter().any(|p| p.name == "at") && crate::dates::uses_variable(&text, "at") {
            // the day is checked here too, not only by the callers: nothing unchecked is
            // written into the SPARQL text (a finding of the named_binding fuzz check)
            let day = match at {
                None => crate::dates::today(),
                Some(a) => crate::dates::parse(a).ok_or_else(|| NamedError::BadValue {
                    param: "at".to_string(),
                    message: format!("{a:?} is not a date (YYYY-MM-DD)"),
                })?,
            };
            text = crate::dates::bind_date(&text, "at", &day);
        }
        Ok(text)
    }
}

/// The RDF term (in SPARQL syntax) a value of a parameter becomes.
pub fn term(p: &Param, value: &str) -> Result<String, NamedError> {
    let bad = |message: String| NamedError::BadValue {
        param: p.name.clone(),
        message,
    };
    let value = value.trim();
    Ok(match p.kind {
        ParamType::Iri => {
            let v = value.trim_start_matches('<').trim_end_matches('>');
            NamedNode::new(v)
                .map_err(|e| bad(format!("{v:?} is not an IRI: {e}")))?
                .to_string()
        }
        ParamType::Norm => {
            let v = value.trim_start_matches('<').trim_end_matches('>');
            if v.starts_with(crate::ids::BASE) {
                // already canonical
                return Ok(NamedNode::new(v)
                    .map_err(|e| bad(format!("{v:?} is not an IRI: {e}")))?
                    .to_string());
            }
            let target = crate::ids::resolve_href(v, None)
                .map_err(|e| bad(format!("{v:?} is not an act or partition identifier: {e}")))?;
            NamedNode::new(target.iri())
                .map_err(|e| bad(format!("{v:?}: {e}")))?
                .to_string()
        }
        ParamType::Date => {
            let day = if value == "today" {
                crate::dates::today()
            } else {
                crate::dates::parse(value)
                    .ok_or_else(|| bad(format!("{value:?} is not a date (YYYY-MM-DD)")))?
            };
            Literal::new_typed_literal(day, xsd::DATE).to_string()
        }
        ParamType::Integer => {
            let n: i64 = value
                .parse()
                .map_err(|_| bad(format!("{value:?} is not an integer")))?;
            Literal::new_typed_literal(n.to_string(), xsd::INTEGER).to_string()
        }
        ParamType::String => Literal::new_simple_literal(value).to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(name: &str, header: &str, body: &str) -> NamedQuery {
        let dir = std::env::temp_dir().join(format!("paesi-test-named-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(format!("{name}.rq"));
        std::fs::write(&path, format!("{header}\n{body}")).expect("write");
        load(&path).expect("load")
    }

    #[test]
    fn reads_the_header() {
        let q = query(
            "header",
            "# title: T\n# description: D\n# param: act (norm) — the act (default urn:nir:stato:legge:1992;91)\n# param: word — a word",
            "SELECT * { ?x ?p ?word }",
        );
        assert_eq!(q.title, "T");
        assert_eq!(q.description, "D");
        assert_eq!(q.params.len(), 2);
        assert_eq!(q.params[0].kind, ParamType::Norm);
        assert_eq!(q.params[0].description, "the act");
        assert_eq!(
            q.params[0].default.as_deref(),
            Some("urn:nir:stato:legge:1992;91")
        );
        assert_eq!(q.params[1].kind, ParamType::String);
        assert_eq!(q.params[1].default, None);
    }

    #[test]
    fn values_cannot_change_the_query() {
        let q = query(
            "escape",
            "# param: word — a word\n# param: x (iri) — an IRI",
            "SELECT ?s { ?s ?p ?word . ?s ?q ?x }",
        );
        let mut v = BTreeMap::new();
        v.insert("word".to_string(), "a\" } ; DROP ALL ; #".to_string());
        v.insert("x".to_string(), "http://e.org/a".to_string());
        let text = q.bind(&v, None).expect("bind");
        assert!(text.contains(r#"?s ?p "a\" } ; DROP ALL ; #""#), "{text}");
        v.insert("x".to_string(), "http://e.org/a> } #".to_string());
        assert!(matches!(q.bind(&v, None), Err(NamedError::BadValue { .. })));
    }

    #[test]
    fn an_undeclared_day_is_checked_before_it_is_written() {
        // found by the named_binding fuzz check: `at` went into the text unchecked
        let q = query("day", "# title: t", "SELECT ?s { ?s ?p ?at }");
        let v = BTreeMap::new();
        assert_eq!(
            q.bind(&v, Some("2025-06-01")).expect("bind").lines().last(),
            Some(r#"SELECT ?s { ?s ?p "2025-06-01"^^<http://www.w3.org/2001/XMLSchema#date> }"#)
        );
        for bad in ["2025-06-01\"^^<x> } #", "} DROP ALL {", "2025-02-30", ""] {
            assert!(
                matches!(q.bind(&v, Some(bad)), Err(NamedError::BadValue { ref param, .. }) if param == "at"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn norms_become_canonical_iris_and_missing_values_are_refused() {
        let q = query(
            "norm",
            "# param: act (norm) — the act",
            "SELECT * { ?act ?p ?o }",
        );
        let mut v = BTreeMap::new();
        assert!(matches!(
            q.bind(&v, None),
            Err(NamedError::MissingParam { .. })
        ));
        v.insert("act".into(), "urn:nir:stato:legge:1992-02-05;91".into());
        assert_eq!(
            q.bind(&v, None).expect("bind").lines().last(),
            Some("SELECT * { <https://w3id.org/paesi/act/stato/legge/1992/91> ?p ?o }")
        );
        v.insert("nope".into(), "1".into());
        assert!(matches!(
            q.bind(&v, None),
            Err(NamedError::UnknownParam { .. })
        ));
    }
}
