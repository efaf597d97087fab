//! Import manifests: a TOML file listing the acts a knowledge base should hold, each by
//! URN:NIR (resolved through Normattiva) or by the URL of an AKN/NIR document.
//!
//! ```toml
//! [[act]]
//! urn = "urn:nir:stato:decreto.legislativo:1998-07-25;286"
//! title = "Testo unico immigrazione"   # for people; optional
//! at = "2025-01-01"                      # the text in force that day; default: --at, today
//!
//! [[act]]
//! url = "https://example.org/akn/some-act.xml"
//! ```

use std::path::{Path, PathBuf};

use super::Source;

/// Why a manifest cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file cannot be read.
    #[error("{path}: {source}")]
    Read {
        /// The manifest.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// It is not valid TOML of the expected shape.
    #[error("{path}: {message}")]
    Syntax {
        /// The manifest.
        path: PathBuf,
        /// What the TOML parser said (with line and column).
        message: String,
    },
    /// An entry names neither a URN nor a URL, or both, or has a bad date.
    #[error("{path}: act #{index}: {message}")]
    Entry {
        /// The manifest.
        path: PathBuf,
        /// The entry's position (1-based).
        index: usize,
        /// What is wrong.
        message: String,
    },
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    act: Vec<Act>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Act {
    urn: Option<String>,
    url: Option<String>,
    #[allow(dead_code)]
    title: Option<String>,
    at: Option<String>,
}

/// The sources a manifest lists, in its order.
pub fn read(path: &Path) -> Result<Vec<Source>, ManifestError> {
    let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(path, &text)
}

/// The sources of a manifest's text (`path` names it in errors).
pub fn parse(path: &Path, text: &str) -> Result<Vec<Source>, ManifestError> {
    let file: File = toml::from_str(text).map_err(|e| ManifestError::Syntax {
        path: path.to_path_buf(),
        message: e.to_string().trim().to_string(),
    })?;
    file.act
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            let bad = |message: String| ManifestError::Entry {
                path: path.to_path_buf(),
                index: i + 1,
                message,
            };
            let at = match a.at {
                Some(d) => Some(
                    crate::dates::parse(&d)
                        .ok_or_else(|| bad(format!("at = {d:?} is not a date (YYYY-MM-DD)")))?,
                ),
                None => None,
            };
            match (a.urn, a.url) {
                (Some(urn), None) => Ok(Source::Urn { urn, at }),
                (None, Some(url)) => Ok(Source::Url(url)),
                (Some(_), Some(_)) => Err(bad("give urn or url, not both".into())),
                (None, None) => Err(bad("give urn or url".into())),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_become_sources_in_order() {
        let s = parse(
            Path::new("m.toml"),
            "[[act]]\nurn = \"urn:nir:stato:legge:1992-02-05;91\"\nat = \"2024-01-01\"\n\n[[act]]\nurl = \"http://x/y.xml\"\n",
        )
        .expect("manifest");
        assert_eq!(
            s,
            vec![
                Source::Urn {
                    urn: "urn:nir:stato:legge:1992-02-05;91".into(),
                    at: Some("2024-01-01".into())
                },
                Source::Url("http://x/y.xml".into())
            ]
        );
    }

    #[test]
    fn bad_entries_are_named() {
        let e = parse(Path::new("m.toml"), "[[act]]\ntitle = \"x\"\n").expect_err("no urn");
        assert_eq!(e.to_string(), "m.toml: act #1: give urn or url");
        let e = parse(
            Path::new("m.toml"),
            "[[act]]\nurn = \"u\"\nat = \"2024-02-30\"\n",
        )
        .expect_err("bad date");
        assert_eq!(
            e.to_string(),
            "m.toml: act #1: at = \"2024-02-30\" is not a date (YYYY-MM-DD)"
        );
    }
}
