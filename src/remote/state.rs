//! What was pushed to each endpoint: per graph, the canonical hash of the content the remote
//! store acknowledged, kept in `DATA/push/` (one JSON file per endpoint), rewritten after every
//! graph written, so a push that stops resumes with the graphs not yet acknowledged.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The record of one endpoint.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct State {
    /// The endpoint (the Graph Store one when used, else the SPARQL endpoint).
    pub endpoint: String,
    /// Graph → hash of what the endpoint holds.
    pub graphs: BTreeMap<String, String>,
    #[serde(skip)]
    path: PathBuf,
}

impl State {
    /// The record of `endpoint` in the data directory `data` (empty when there is none).
    pub fn load(data: &Path, endpoint: &str) -> std::io::Result<State> {
        let path = data.join("push").join(file_name(endpoint));
        let mut state = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice::<State>(&bytes)
                .map_err(|e| std::io::Error::other(format!("{}: {e}", path.display())))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::default(),
            Err(e) => return Err(e),
        };
        state.endpoint = endpoint.to_string();
        state.path = path;
        Ok(state)
    }

    /// Where the record lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the record (to a temporary file renamed over the old one: never half written).
    pub fn save(&self) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = self.path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(self)?)?;
        std::fs::rename(&tmp, &self.path)
    }
}

/// The endpoint's address with every character but letters and digits made `_`.
fn file_name(endpoint: &str) -> String {
    let slug: String = endpoint
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(200)
        .collect();
    format!("{slug}.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_and_loaded() {
        let tmp = crate::TestDir::new("push-state");
        let dir = &tmp.0;
        let mut s = State::load(dir, "http://127.0.0.1:1/sparql").expect("load");
        assert!(s.graphs.is_empty());
        s.graphs.insert("urn:g".into(), "h".into());
        s.save().expect("save");
        let again = State::load(dir, "http://127.0.0.1:1/sparql").expect("load");
        assert_eq!(again.graphs.get("urn:g").map(String::as_str), Some("h"));
        assert!(
            again
                .path()
                .ends_with("push/http___127_0_0_1_1_sparql.json")
        );
    }
}
