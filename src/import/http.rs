//! HTTP for the import pipeline: one blocking client with timeouts, retries with exponential
//! backoff on 5xx (but 501) and 429 (a `Retry-After` in seconds is honoured), a polite pause
//! between requests, and a log of every attempt for the report.
//!
//! The same client writes to remote SPARQL stores (`crate::remote`): any method, a body with
//! its content type, and credentials ([`Auth`]): a bearer token, or a user and password sent
//! as the server's 401 challenge asks, HTTP Digest (Virtuoso's `-auth` endpoints) or Basic.
//!
//! Every wait goes through [`HttpConfig::wait_scale`]: 1 in use, 0 in tests, which then count
//! attempts and read the waits the client chose from the log instead of timing anything.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

/// How the client behaves.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Timeout of one whole request (connect, send, read the body).
    pub timeout: Duration,
    /// Timeout to establish a connection.
    pub connect_timeout: Duration,
    /// Attempts per request, the first included (at least 1).
    pub attempts: u32,
    /// Wait before the first retry; doubled at each further retry.
    pub backoff: Duration,
    /// The longest backoff wait.
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured: a server asking for more gets this.
    pub max_retry_after: Duration,
    /// The shortest interval between the starts of two requests (politeness).
    pub min_interval: Duration,
    /// Factor applied to every wait actually slept (1 in use; 0 makes tests instant while the
    /// log still records the waits chosen).
    pub wait_scale: f64,
    /// The `User-Agent` sent.
    pub user_agent: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(15),
            attempts: 5,
            backoff: Duration::from_millis(1000),
            max_backoff: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(300),
            min_interval: Duration::from_millis(1000),
            wait_scale: 1.0,
            user_agent: concat!(
                "paesi/",
                env!("CARGO_PKG_VERSION"),
                " (knowledge base import)"
            )
            .to_string(),
        }
    }
}

/// Credentials sent with every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// A user and password, sent as the server's 401 challenge asks: HTTP Digest (RFC 7616,
    /// MD5, `qop=auth`) or HTTP Basic. (Nothing is sent before a challenge: Virtuoso answers
    /// unsolicited Basic credentials with a bare 401.)
    User {
        /// The user name.
        user: String,
        /// The password.
        password: String,
    },
    /// `Authorization: Bearer TOKEN`.
    Bearer(String),
}

/// One request: what [`Http::request`] sends.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// GET, POST, PUT or DELETE.
    pub method: &'static str,
    /// The address.
    pub url: &'a str,
    /// The `Accept` header.
    pub accept: &'a str,
    /// The body and its `Content-Type`.
    pub body: Option<(&'a str, Vec<u8>)>,
}

/// Why a request got no answer.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The client could not be built (TLS backend...).
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    /// No answer after every attempt (connection refused, timeout, reset...).
    #[error("{method} {url}: no answer after {attempts} attempts: {reason}")]
    Transport {
        /// GET or POST.
        method: &'static str,
        /// The address asked.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// What the last attempt met.
        reason: String,
    },
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Response {
    /// The address asked.
    pub url: String,
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
    /// Attempts it took.
    pub attempts: u32,
}

/// One attempt, as logged.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Attempt {
    /// GET or POST.
    pub method: &'static str,
    /// The address asked.
    pub url: String,
    /// Its status, when an answer came.
    pub status: Option<u16>,
    /// What went wrong when none came.
    pub error: Option<String>,
    /// The wait chosen before the next attempt (milliseconds; 0 when none follows).
    pub retry_in_ms: u64,
    /// Why that wait: `retry-after` (the server said) or `backoff`.
    pub retry_because: Option<&'static str>,
}

/// The blocking HTTP client of the import pipeline.
pub struct Http {
    client: reqwest::blocking::Client,
    config: HttpConfig,
    last_start: Cell<Option<Instant>>,
    log: RefCell<Vec<Attempt>>,
    auth: Option<Auth>,
    /// The last Digest challenge and the nonce count used with it.
    challenge: RefCell<Option<(super::digest::Challenge, u32)>>,
    /// True once a server asked for Basic credentials.
    basic: Cell<bool>,
}

impl Http {
    /// A client with this configuration.
    pub fn new(config: HttpConfig) -> Result<Http, HttpError> {
        let client = reqwest::blocking::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| HttpError::Client(e.to_string()))?;
        Ok(Http {
            client,
            config,
            last_start: Cell::new(None),
            log: RefCell::new(Vec::new()),
            auth: None,
            challenge: RefCell::new(None),
            basic: Cell::new(false),
        })
    }

    /// The same client, sending these credentials with every request.
    pub fn with_auth(mut self, auth: Option<Auth>) -> Http {
        self.auth = auth;
        self
    }

    /// Every attempt made so far, in order.
    pub fn attempts(&self) -> Vec<Attempt> {
        self.log.borrow().clone()
    }

    /// GET `url`. No `Content-Type` is sent: Normattiva's firewall blocks a body-less request
    /// that declares one.
    pub fn get(&self, url: &str) -> Result<Response, HttpError> {
        self.request(&Request {
            method: "GET",
            url,
            accept: ACCEPT_DOCUMENTS,
            body: None,
        })
    }

    /// POST a JSON body to `url`.
    pub fn post_json(&self, url: &str, body: &serde_json::Value) -> Result<Response, HttpError> {
        self.request(&Request {
            method: "POST",
            url,
            accept: ACCEPT_DOCUMENTS,
            body: Some(("application/json", body.to_string().into_bytes())),
        })
    }

    /// Sends a request, with the retries, pauses and credentials of this client; any
    /// status is an answer (the caller judges it), 5xx and 429 once the retries are spent.
    pub fn request(&self, req: &Request<'_>) -> Result<Response, HttpError> {
        let method = req.method;
        let url = req.url;
        let attempts = self.config.attempts.max(1);
        let mut attempt = 0;
        let mut reauthorised = false;
        loop {
            attempt += 1;
            self.pace();
            let verb = reqwest::Method::from_bytes(method.as_bytes())
                .map_err(|e| HttpError::Client(e.to_string()))?;
            let mut request = self
                .client
                .request(verb, url)
                .header(reqwest::header::ACCEPT, req.accept);
            if let Some((content_type, b)) = &req.body {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, *content_type)
                    .body(b.clone());
            }
            if let Some(value) = self.authorization(method, url) {
                request = request.header(reqwest::header::AUTHORIZATION, value);
            }
            let outcome = request.send().and_then(|r| {
                let status = r.status().as_u16();
                let header = |name| {
                    r.headers()
                        .get(name)
                        .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                        .map(str::to_string)
                };
                let content_type = header(reqwest::header::CONTENT_TYPE);
                let retry_after = header(reqwest::header::RETRY_AFTER);
                let challenge = header(reqwest::header::WWW_AUTHENTICATE);
                r.bytes()
                    .map(|b| (status, content_type, retry_after, challenge, b.to_vec()))
            });
            let last = attempt >= attempts;
            match outcome {
                Ok((401, _, _, Some(challenge), _))
                    if !reauthorised && self.take_challenge(&challenge) =>
                {
                    // answered at once with the server's challenge: not a retry
                    reauthorised = true;
                    attempt -= 1;
                    self.log.borrow_mut().push(Attempt {
                        method,
                        url: url.to_string(),
                        status: Some(401),
                        error: None,
                        retry_in_ms: 0,
                        retry_because: Some("authenticate"),
                    });
                }
                Ok((status, content_type, retry_after, _, body)) => {
                    // 501 Not Implemented is an answer, not a passing failure
                    let retryable =
                        status == 429 || ((500..600).contains(&status) && status != 501);
                    let wait = (retryable && !last).then(|| self.wait_for(attempt, &retry_after));
                    self.log(method, url, Some(status), None, wait);
                    match wait {
                        Some((d, _)) => self.sleep(d),
                        None => {
                            return Ok(Response {
                                url: url.to_string(),
                                status,
                                content_type,
                                body,
                                attempts: attempt,
                            });
                        }
                    }
                }
                Err(e) => {
                    let reason = error_chain(&e);
                    let wait = (!last).then(|| self.wait_for(attempt, &None));
                    self.log(method, url, None, Some(reason.clone()), wait);
                    match wait {
                        Some((d, _)) => self.sleep(d),
                        None => {
                            return Err(HttpError::Transport {
                                method,
                                url: url.to_string(),
                                attempts: attempt,
                                reason,
                            });
                        }
                    }
                }
            }
        }
    }

    /// The `Authorization` header of a request: the bearer token, a Digest answer to the
    /// last challenge, Basic credentials once asked for them, else none.
    fn authorization(&self, method: &str, url: &str) -> Option<String> {
        match self.auth.as_ref()? {
            Auth::Bearer(token) => Some(format!("Bearer {token}")),
            Auth::User { user, password } => {
                let mut cached = self.challenge.borrow_mut();
                match cached.as_mut() {
                    Some((challenge, count)) => {
                        *count += 1;
                        Some(challenge.answer(user, password, method, url, *count))
                    }
                    None if self.basic.get() => Some(super::digest::basic(user, password)),
                    None => None,
                }
            }
        }
    }

    /// Keeps the challenge of a 401 answer, Digest or Basic (when the client has a user and
    /// password); false when there is nothing to answer it with.
    fn take_challenge(&self, header: &str) -> bool {
        if !matches!(self.auth, Some(Auth::User { .. })) {
            return false;
        }
        if let Some(c) = super::digest::Challenge::parse(header) {
            *self.challenge.borrow_mut() = Some((c, 0));
            return true;
        }
        if header
            .trim_start()
            .get(..5)
            .is_some_and(|s| s.eq_ignore_ascii_case("basic"))
        {
            self.basic.set(true);
            return true;
        }
        false
    }

    /// The wait before retry number `attempt`: the server's `Retry-After` (seconds, capped)
    /// when it gave one, else the exponential backoff.
    fn wait_for(&self, attempt: u32, retry_after: &Option<String>) -> (Duration, &'static str) {
        if let Some(secs) = retry_after
            .as_deref()
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            return (
                Duration::from_secs(secs).min(self.config.max_retry_after),
                "retry-after",
            );
        }
        let factor = 1u32 << (attempt - 1).min(16);
        (
            self.config
                .backoff
                .saturating_mul(factor)
                .min(self.config.max_backoff),
            "backoff",
        )
    }

    fn log(
        &self,
        method: &'static str,
        url: &str,
        status: Option<u16>,
        error: Option<String>,
        wait: Option<(Duration, &'static str)>,
    ) {
        self.log.borrow_mut().push(Attempt {
            method,
            url: url.to_string(),
            status,
            error,
            retry_in_ms: wait.map_or(0, |(d, _)| d.as_millis() as u64),
            retry_because: wait.map(|(_, why)| why),
        });
    }

    /// Waits until `min_interval` has passed since the previous request started.
    fn pace(&self) {
        if let Some(prev) = self.last_start.get() {
            let since = prev.elapsed();
            if since < self.config.min_interval {
                self.sleep(self.config.min_interval - since);
            }
        }
        self.last_start.set(Some(Instant::now()));
    }

    fn sleep(&self, d: Duration) {
        let scaled = d.mul_f64(self.config.wait_scale.clamp(0.0, 1e6));
        if !scaled.is_zero() {
            std::thread::sleep(scaled);
        }
    }
}

/// What the import asks for: documents, JSON first.
const ACCEPT_DOCUMENTS: &str = "application/json, application/xml;q=0.9, */*;q=0.5";

/// An error with its causes (reqwest's own message is often only "error sending request").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(backoff_ms: u64) -> Http {
        Http::new(HttpConfig {
            backoff: Duration::from_millis(backoff_ms),
            max_backoff: Duration::from_millis(5000),
            max_retry_after: Duration::from_secs(30),
            wait_scale: 0.0,
            ..HttpConfig::default()
        })
        .expect("client")
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let h = client(1000);
        let waits: Vec<u128> = (1..=5)
            .map(|a| h.wait_for(a, &None).0.as_millis())
            .collect();
        assert_eq!(waits, vec![1000, 2000, 4000, 5000, 5000]);
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let h = client(1000);
        assert_eq!(
            h.wait_for(1, &Some("7".into())),
            (Duration::from_secs(7), "retry-after")
        );
        assert_eq!(
            h.wait_for(1, &Some("3600".into())),
            (Duration::from_secs(30), "retry-after")
        );
        // an HTTP-date is not understood: the backoff applies
        assert_eq!(
            h.wait_for(2, &Some("Wed, 21 Oct 2015 07:28:00 GMT".into())),
            (Duration::from_millis(2000), "backoff")
        );
    }
}
