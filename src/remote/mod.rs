//! Remote SPARQL 1.1 stores (Virtuoso, or any other) over the standard protocols: [`push`]
//! writes the local graphs with the Graph Store HTTP Protocol (SPARQL 1.1 Update as the
//! fallback), [`query`] runs a query with the SPARQL 1.1 Protocol, [`state`] remembers what
//! each endpoint was sent.

pub mod push;
pub mod query;
pub mod state;

use crate::import::http::{Auth, HttpConfig};

/// A remote store.
#[derive(Debug, Clone)]
pub struct Target {
    /// The SPARQL endpoint: queries and updates (`http://host:8890/sparql`).
    pub endpoint: String,
    /// The Graph Store endpoint (`http://host:8890/sparql-graph-crud`), when it has one.
    pub graph_store: Option<String>,
    /// Credentials.
    pub auth: Option<Auth>,
    /// HTTP behaviour (timeouts, retries, backoff).
    pub http: HttpConfig,
}

impl Target {
    /// The HTTP client for this store.
    pub fn client(&self) -> Result<crate::import::http::Http, crate::import::http::HttpError> {
        Ok(crate::import::http::Http::new(self.http.clone())?.with_auth(self.auth.clone()))
    }
}

/// An answer that is not a success: the start of its body, on one line.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 300 {
        format!("{}…", one.chars().take(300).collect::<String>())
    } else {
        one
    }
}

/// `application/x-www-form-urlencoded` of one pair.
pub fn form(key: &str, value: &str) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new())
        .append_pair(key, value)
        .finish()
        .into_bytes()
}
