//! The Normattiva open-data API as the import pipeline uses it: resolve a URN:NIR
//! (`atto/dettaglio-atto-urn`), find the act's publication and editorial code
//! (`ricerca/avanzata`), fetch its Akoma Ntoso export (`caricaAKN` on the web site), and read
//! the updated-acts feed (`ricerca/aggiornati`). Every error shape the service is known to
//! give (`../shared/normattiva-api/recorded/`) becomes one [`NormattivaError`] saying what
//! failed and, where it can, what to do.

use serde_json::{Value, json};

use super::http::{Http, HttpError, Response};

/// The API base unless `--api-base` or `PAESI_NORMATTIVA_API` says otherwise.
pub const DEFAULT_API: &str = "https://api.normattiva.it/t/normattiva.api/bff-opendata/v1";

/// The web site (URN resolver, Akoma Ntoso export) unless `--site-base` or
/// `PAESI_NORMATTIVA_SITE` says otherwise.
pub const DEFAULT_SITE: &str = "https://www.normattiva.it";

/// Where the service lives.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// The open-data API base (paths `/api/v1/…` are appended).
    pub api: String,
    /// The web site base (`/do/atto/caricaAKN` is appended).
    pub site: String,
}

impl Default for Endpoints {
    fn default() -> Self {
        Endpoints {
            api: DEFAULT_API.to_string(),
            site: DEFAULT_SITE.to_string(),
        }
    }
}

/// What went wrong talking to Normattiva.
#[derive(Debug, thiserror::Error)]
pub enum NormattivaError {
    /// The URN does not parse as a URN:NIR (checked before asking).
    #[error("{urn}: not a URN:NIR paesi can resolve: {reason}")]
    InvalidUrn {
        /// The URN as given.
        urn: String,
        /// Why.
        reason: String,
    },
    /// A `!vig=` date that is not shaped as a date (checked before asking).
    #[error("{urn}: malformed date {value:?} after !vig= (write YYYY-MM-DD)")]
    MalformedDate {
        /// The URN as given.
        urn: String,
        /// The date as written.
        value: String,
    },
    /// A `!vig=` date shaped as a date that does not exist (Normattiva would accept it and
    /// answer for some other day, so paesi refuses it before asking).
    #[error("{urn}: impossible date {value} after !vig= (no such day)")]
    ImpossibleDate {
        /// The URN as given.
        urn: String,
        /// The date as written.
        value: String,
    },
    /// Normattiva refused the URN's syntax (code 1003).
    #[error("Normattiva refused the URN {urn} (code {code}: {message}){hint}")]
    Refused {
        /// The URN sent.
        urn: String,
        /// Normattiva's error code.
        code: String,
        /// Normattiva's message.
        message: String,
        /// paesi's reading of what in the URN it refuses (starts with "; ").
        hint: String,
    },
    /// Normattiva knows no such act (404, code 404).
    #[error("unknown act: Normattiva has no act {urn} ({message})")]
    UnknownAct {
        /// The URN sent.
        urn: String,
        /// Normattiva's message.
        message: String,
    },
    /// The act exists but not the partition the URN names (404 without code).
    #[error("Normattiva has no partition {urn}{hint} ({message})")]
    UnknownPartition {
        /// The URN sent.
        urn: String,
        /// Normattiva's message.
        message: String,
        /// A hint (starts with ": ").
        hint: String,
    },
    /// One URN, several publications (an act published again, e.g. corrected).
    #[error("ambiguous URN {urn}: Normattiva has {} publications of it: {}; import the one meant with --url and its Akoma Ntoso export", candidates.len(), candidates.join("; "))]
    Ambiguous {
        /// The URN sent.
        urn: String,
        /// Each candidate: title, Gazzetta date and supplement.
        candidates: Vec<String>,
    },
    /// The partition was not in force (or did not exist yet) on the day asked.
    #[error("{urn}: Normattiva has no text in force on that day ({detail})")]
    NotInForce {
        /// The URN sent.
        urn: String,
        /// What Normattiva says.
        detail: String,
    },
    /// The search found no publication matching the act the URN resolved to.
    #[error("{urn}: the search finds no publication of {title} (Gazzetta of {data_gu})")]
    NoPublication {
        /// The URN.
        urn: String,
        /// The act's title.
        title: String,
        /// Its Gazzetta Ufficiale date.
        data_gu: String,
    },
    /// The updated-acts window is longer than Normattiva allows (code 1501).
    #[error("Normattiva refuses the updated-acts window {from} to {to}: {message} (code {code})")]
    WindowTooLong {
        /// Start of the window.
        from: String,
        /// End of the window.
        to: String,
        /// Normattiva's code.
        code: String,
        /// Normattiva's message.
        message: String,
    },
    /// The window ends before it starts (code 1503, or checked before asking).
    #[error("the updated-acts window ends ({to}) before it starts ({from}){detail}")]
    WindowInverted {
        /// Start of the window.
        from: String,
        /// End of the window.
        to: String,
        /// Normattiva's message when it was the one to say it.
        detail: String,
    },
    /// Another refusal with a code.
    #[error("Normattiva refused {url} (HTTP {status}, code {code}: {message})")]
    Rejected {
        /// The address asked.
        url: String,
        /// HTTP status.
        status: u16,
        /// Normattiva's code.
        code: String,
        /// Normattiva's message.
        message: String,
    },
    /// Normattiva's firewall blocked the request.
    #[error(
        "Normattiva's firewall blocked {url} (HTTP {status}, {content_type}{support}): {message}"
    )]
    Blocked {
        /// The address asked.
        url: String,
        /// HTTP status.
        status: u16,
        /// The content type it declared.
        content_type: String,
        /// `, support id N` when given.
        support: String,
        /// Its message.
        message: String,
    },
    /// A server error that outlived the retries.
    #[error("Normattiva failed on {url}: HTTP {status} after {attempts} attempts ({message})")]
    Server {
        /// The address asked.
        url: String,
        /// HTTP status.
        status: u16,
        /// Attempts made.
        attempts: u32,
        /// What its body says.
        message: String,
    },
    /// An answer with no body, or not the JSON the endpoint gives.
    #[error("unexpected answer from {url}: HTTP {status}, content type {content_type}, {detail}")]
    Unexpected {
        /// The address asked.
        url: String,
        /// HTTP status.
        status: u16,
        /// The declared content type (`none` when absent).
        content_type: String,
        /// What is wrong with it.
        detail: String,
    },
    /// The document address answered something that is not an XML document.
    #[error("{url} is not an Akoma Ntoso or NIR document: {detail}")]
    NotADocument {
        /// The address asked.
        url: String,
        /// What came instead.
        detail: String,
    },
    /// No answer at all.
    #[error("{0}")]
    Http(#[from] HttpError),
}

/// What the URN resolver says of an act.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActDetail {
    /// The URN asked.
    pub urn: String,
    /// Its title (`LEGGE 7 agosto 1990, n. 241`).
    pub title: String,
    /// Its type as Normattiva names it (`LEGGE`, `DECRETO-LEGGE`).
    pub denominazione: String,
    /// Year of the act.
    pub year: i64,
    /// Number of the act.
    pub number: i64,
    /// Date of its Gazzetta Ufficiale, `YYYY-MM-DD`.
    pub data_gu: String,
}

/// A publication of an act: what the Akoma Ntoso export is asked with.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Publication {
    /// Its editorial code (`25G00049`).
    pub codice_redazionale: String,
    /// Date of its Gazzetta Ufficiale, `YYYY-MM-DD`.
    pub data_gu: String,
    /// Its description (`DECRETO-LEGGE 28 marzo 2025, n. 36`).
    pub title: String,
    /// Its type as Normattiva names it.
    pub denominazione: String,
    /// Year of the act.
    pub year: String,
    /// Number of the act.
    pub number: String,
}

/// The Normattiva client.
pub struct Normattiva<'a> {
    http: &'a Http,
    endpoints: Endpoints,
}

impl<'a> Normattiva<'a> {
    /// A client over `http` for these endpoints.
    pub fn new(http: &'a Http, endpoints: Endpoints) -> Self {
        Normattiva { http, endpoints }
    }

    fn api(&self, path: &str) -> String {
        format!("{}/api/v1/{path}", self.endpoints.api.trim_end_matches('/'))
    }

    /// Checks a URN before asking: it must parse, and a `!vig=` date must be a real day.
    /// Returns that day, if any.
    pub fn check_urn(urn: &str) -> Result<Option<String>, NormattivaError> {
        crate::ids::parse_urn_nir(urn).map_err(|e| NormattivaError::InvalidUrn {
            urn: urn.to_string(),
            reason: e.reason.clone(),
        })?;
        let Some((_, rest)) = urn.split_once("!vig=") else {
            return Ok(None);
        };
        let value = rest
            .split(['@', '~', '!', '#'])
            .next()
            .unwrap_or(rest)
            .trim()
            .to_string();
        let b = value.as_bytes();
        let shaped = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shaped {
            return Err(NormattivaError::MalformedDate {
                urn: urn.to_string(),
                value,
            });
        }
        crate::dates::parse(&value)
            .map(Some)
            .ok_or(NormattivaError::ImpossibleDate {
                urn: urn.to_string(),
                value,
            })
    }

    /// Resolves a URN:NIR to the act it names (`atto/dettaglio-atto-urn`).
    pub fn resolve(&self, urn: &str) -> Result<ActDetail, NormattivaError> {
        let url = self.api("atto/dettaglio-atto-urn");
        let r = self.http.post_json(&url, &json!({ "urn": urn }))?;
        let body = answer_json(&r)?;
        match r.status {
            200 => {}
            400 => {
                let (code, message) = code_message(&body);
                return Err(if code == "1003" {
                    NormattivaError::Refused {
                        urn: urn.to_string(),
                        code,
                        message,
                        hint: refusal_hint(urn),
                    }
                } else {
                    NormattivaError::Rejected {
                        url,
                        status: r.status,
                        code,
                        message,
                    }
                });
            }
            404 => {
                let (code, message) = code_message(&body);
                return Err(if code == "404" || !urn.contains('~') {
                    NormattivaError::UnknownAct {
                        urn: urn.to_string(),
                        message,
                    }
                } else {
                    NormattivaError::UnknownPartition {
                        urn: urn.to_string(),
                        message,
                        hint: partition_hint(urn),
                    }
                });
            }
            _ => return Err(status_error(&r, &body)),
        }
        let data = &body["data"];
        if let Some(list) = data["lista"].as_array().filter(|l| l.len() > 1) {
            return Err(NormattivaError::Ambiguous {
                urn: urn.to_string(),
                candidates: list.iter().map(candidate).collect(),
            });
        }
        let atto = match (&data["atto"], data["lista"].as_array()) {
            (Value::Object(_), _) => &data["atto"],
            (_, Some(list)) if list.len() == 1 => &list[0],
            _ => {
                return Err(NormattivaError::Unexpected {
                    url,
                    status: r.status,
                    content_type: content_type(&r),
                    detail: format!(
                        "no act in the answer ({})",
                        body["message"]
                            .as_str()
                            .or(data["message"].as_str())
                            .unwrap_or("no message")
                    ),
                });
            }
        };
        let html = atto["articoloHtml"].as_str().unwrap_or_default();
        if atto["articoloDataInizioVigenza"].as_str() == Some("0")
            || html.contains("NON ANCORA ESISTENTE O VIGENTE")
        {
            return Err(NormattivaError::NotInForce {
                urn: urn.to_string(),
                detail: if html.contains("NON ANCORA ESISTENTE O VIGENTE") {
                    "not yet existing or in force".to_string()
                } else {
                    "no period of force".to_string()
                },
            });
        }
        let int = |k: &str| atto[k].as_i64().unwrap_or(0);
        Ok(ActDetail {
            urn: urn.to_string(),
            title: atto["titolo"]
                .as_str()
                .unwrap_or_default()
                .trim()
                .to_string(),
            denominazione: atto["tipoProvvedimentoDescrizione"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            year: int("annoProvvedimento"),
            number: int("numeroProvvedimento"),
            data_gu: format!(
                "{:04}-{:02}-{:02}",
                int("annoGU"),
                int("meseGU"),
                int("giornoGU")
            ),
        })
    }

    /// The publication of a resolved act, with its editorial code (`ricerca/avanzata`, the
    /// only answer that carries it).
    pub fn publication(&self, act: &ActDetail) -> Result<Publication, NormattivaError> {
        let url = self.api("ricerca/avanzata");
        let r = self.http.post_json(
            &url,
            &json!({
                "denominazioneAtto": act.denominazione,
                "annoProvvedimento": act.year,
                "numeroProvvedimento": act.number,
                "orderType": "recente",
                "paginazione": { "paginaCorrente": 1, "numeroElementiPerPagina": 20 },
            }),
        )?;
        let body = answer_json(&r)?;
        if r.status != 200 {
            return Err(status_error(&r, &body));
        }
        let found = acts_of(&body)
            .into_iter()
            .find(|p| {
                p.year == act.year.to_string()
                    && p.number == act.number.to_string()
                    && p.data_gu == act.data_gu
            })
            .ok_or_else(|| NormattivaError::NoPublication {
                urn: act.urn.clone(),
                title: act.title.clone(),
                data_gu: act.data_gu.clone(),
            })?;
        Ok(found)
    }

    /// The address of the Akoma Ntoso export of a publication as in force on `at`.
    pub fn akn_url(&self, p: &Publication, at: &str) -> String {
        format!(
            "{}/do/atto/caricaAKN?dataGU={}&codiceRedaz={}&dataVigenza={}",
            self.endpoints.site.trim_end_matches('/'),
            p.data_gu.replace('-', ""),
            p.codice_redazionale,
            at.replace('-', "")
        )
    }

    /// The acts updated between two days (`ricerca/aggiornati`); Normattiva takes windows of
    /// at most twelve months.
    pub fn updated(&self, from: &str, to: &str) -> Result<Vec<Publication>, NormattivaError> {
        if to < from {
            return Err(NormattivaError::WindowInverted {
                from: from.to_string(),
                to: to.to_string(),
                detail: String::new(),
            });
        }
        let url = self.api("ricerca/aggiornati");
        let r = self.http.post_json(
            &url,
            &json!({
                "dataInizioAggiornamento": format!("{from}T00:00:00Z"),
                "dataFineAggiornamento": format!("{to}T23:59:59Z"),
            }),
        )?;
        let body = answer_json(&r)?;
        match r.status {
            200 => Ok(acts_of(&body)),
            400 => {
                let (code, message) = code_message(&body);
                Err(match code.as_str() {
                    "1501" => NormattivaError::WindowTooLong {
                        from: from.to_string(),
                        to: to.to_string(),
                        code,
                        message,
                    },
                    "1503" => NormattivaError::WindowInverted {
                        from: from.to_string(),
                        to: to.to_string(),
                        detail: format!(" (Normattiva, code {code}: {message})"),
                    },
                    _ => NormattivaError::Rejected {
                        url,
                        status: r.status,
                        code,
                        message,
                    },
                })
            }
            _ => Err(status_error(&r, &body)),
        }
    }

    /// Fetches a legal document (an export or any AKN/NIR address): an XML body or an error
    /// saying what came instead.
    pub fn document(&self, url: &str) -> Result<Vec<u8>, NormattivaError> {
        fetch_document(self.http, url)
    }
}

/// Fetches an XML document over HTTP: a 2xx answer whose body is XML, not an HTML page.
pub fn fetch_document(http: &Http, url: &str) -> Result<Vec<u8>, NormattivaError> {
    let r = http.get(url)?;
    let ct = content_type(&r);
    if !(200..300).contains(&r.status) {
        let body = serde_json::from_slice::<Value>(&r.body).unwrap_or(Value::Null);
        return Err(status_error(&r, &body));
    }
    let start = r
        .body
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    let Some(start) = start else {
        return Err(NormattivaError::NotADocument {
            url: url.to_string(),
            detail: format!("an empty answer (HTTP {}, content type {ct})", r.status),
        });
    };
    let head =
        String::from_utf8_lossy(&r.body[start..r.body.len().min(start + 200)]).to_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") || ct.contains("text/html") {
        return Err(NormattivaError::NotADocument {
            url: url.to_string(),
            detail: format!("an HTML page (content type {ct})"),
        });
    }
    if !head.starts_with('<') {
        return Err(NormattivaError::NotADocument {
            url: url.to_string(),
            detail: format!("{} bytes of {ct} that are not XML", r.body.len() - start),
        });
    }
    Ok(r.body)
}

fn content_type(r: &Response) -> String {
    r.content_type
        .clone()
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "none".to_string())
}

/// The JSON body of an API answer; a firewall page, an empty or non-JSON body become errors.
fn answer_json(r: &Response) -> Result<Value, NormattivaError> {
    let ct = content_type(r);
    let parsed = serde_json::from_slice::<Value>(&r.body);
    if let Ok(v) = &parsed
        && (v.get("supportId").is_some() || (r.status == 409 && !ct.contains("json")))
    {
        return Err(NormattivaError::Blocked {
            url: r.url.clone(),
            status: r.status,
            content_type: ct,
            support: v["supportId"]
                .as_str()
                .map(|s| format!(", support id {s}"))
                .unwrap_or_default(),
            message: v["message"].as_str().unwrap_or("no message").to_string(),
        });
    }
    if r.body.iter().all(u8::is_ascii_whitespace) {
        return Err(NormattivaError::Unexpected {
            url: r.url.clone(),
            status: r.status,
            content_type: ct,
            detail: "an empty body".to_string(),
        });
    }
    if !ct.contains("json") {
        return Err(NormattivaError::Unexpected {
            url: r.url.clone(),
            status: r.status,
            content_type: ct,
            detail: format!("{} bytes that are not the JSON the API gives", r.body.len()),
        });
    }
    parsed.map_err(|e| NormattivaError::Unexpected {
        url: r.url.clone(),
        status: r.status,
        content_type: ct,
        detail: format!("JSON that does not parse: {e}"),
    })
}

/// An error for an answer whose status the endpoint does not give on success.
fn status_error(r: &Response, body: &Value) -> NormattivaError {
    let (code, message) = code_message(body);
    if r.status >= 500 {
        let message = [
            body["error"].as_str(),
            body["path"].as_str().map(|p| p.trim()),
            (!message.is_empty()).then_some(message.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" at ");
        return NormattivaError::Server {
            url: r.url.clone(),
            status: r.status,
            attempts: r.attempts,
            message: if message.is_empty() {
                "no message".to_string()
            } else {
                message
            },
        };
    }
    NormattivaError::Rejected {
        url: r.url.clone(),
        status: r.status,
        code: if code.is_empty() {
            "none".to_string()
        } else {
            code
        },
        message: if message.is_empty() {
            "no message".to_string()
        } else {
            message
        },
    }
}

/// `code` and `message` of an error body (code as text, whether the API sent a string or a
/// number; empty when absent).
fn code_message(body: &Value) -> (String, String) {
    let code = match &body["code"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    let message = body["message"]
        .as_str()
        .unwrap_or_default()
        .trim()
        .to_string();
    (code, message)
}

/// What in a URN Normattiva's resolver refuses (code 1003), read from the URN sent.
fn refusal_hint(urn: &str) -> String {
    let partition = urn
        .split_once('~')
        .map(|(_, p)| p.split(['!', '@']).next().unwrap_or(p))
        .unwrap_or("");
    let after_art = partition.strip_prefix("art").unwrap_or("");
    let hint = if partition.contains("-com") {
        format!("it does not take commi (~{partition}): name the article only")
    } else if after_art
        .split_once('-')
        .is_some_and(|(_, o)| o.chars().all(|c| c.is_ascii_alphabetic()) && !o.is_empty())
    {
        format!(
            "ordinals are written without a hyphen (~{} instead of ~{partition})",
            partition.replace('-', "")
        )
    } else if !after_art.is_empty() && after_art.chars().all(|c| "IVXLCDM".contains(c)) {
        format!("article numbers are arabic, not roman (~{partition})")
    } else if urn.contains("!vig=") {
        "the date after !vig= is not one it accepts".to_string()
    } else {
        "its minimal form is urn:nir:<authority>:<type>:<date>;<number>".to_string()
    };
    format!("; {hint}")
}

/// Why a partition may be missing: codes answer only through their annex.
fn partition_hint(urn: &str) -> String {
    let act = urn.split('~').next().unwrap_or(urn);
    let number = act.rsplit(';').next().unwrap_or("");
    if act.contains("regio.decreto") && !number.contains(':') {
        format!(": the articles of a code answer only through its annex ({act}:1~…, {act}:2~…)")
    } else {
        String::new()
    }
}

/// A candidate publication of an ambiguous URN, for people.
fn candidate(a: &Value) -> String {
    let int = |k: &str| a[k].as_i64().unwrap_or(0);
    let supplement = match (a["tipoSupplementoCode"].as_str(), int("numeroSupplemento")) {
        (Some(t), n) if t != "NO" && n > 0 => format!(", suppl. {t} {n}"),
        _ => String::new(),
    };
    format!(
        "{} (Gazzetta of {:04}-{:02}-{:02}{supplement}: {})",
        a["titolo"].as_str().unwrap_or("?").trim(),
        int("annoGU"),
        int("meseGU"),
        int("giornoGU"),
        a["sottoTitolo"].as_str().unwrap_or("").trim()
    )
}

/// The acts of a search or updated-acts answer.
fn acts_of(body: &Value) -> Vec<Publication> {
    let text = |a: &Value, k: &str| match &a[k] {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    body["listaAtti"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|a| {
                    let codice = text(a, "codiceRedazionale");
                    let data_gu = text(a, "dataGU");
                    (!codice.is_empty() && crate::dates::parse(&data_gu).is_some()).then(|| {
                        Publication {
                            codice_redazionale: codice,
                            data_gu,
                            title: text(a, "descrizioneAtto"),
                            denominazione: text(a, "denominazioneAtto"),
                            year: text(a, "annoProvvedimento"),
                            number: text(a, "numeroProvvedimento"),
                        }
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The URN:NIR of an act from Normattiva's type name, year and number (year-only date, which
/// paesi's act key accepts); None for a type paesi does not map.
pub fn urn_of(denominazione: &str, year: &str, number: &str) -> Option<String> {
    let (authority, doc_type) = match denominazione.trim().to_uppercase().as_str() {
        "LEGGE" => ("stato", "legge"),
        "LEGGE COSTITUZIONALE" => ("stato", "legge.costituzionale"),
        "DECRETO LEGISLATIVO" => ("stato", "decreto.legislativo"),
        "DECRETO-LEGGE" | "DECRETO LEGGE" => ("stato", "decreto.legge"),
        "DECRETO DEL PRESIDENTE DELLA REPUBBLICA" => ("presidente.repubblica", "decreto"),
        "DECRETO DEL PRESIDENTE DEL CONSIGLIO DEI MINISTRI" => {
            ("presidente.consiglio.ministri", "decreto")
        }
        "REGIO DECRETO" => ("stato", "regio.decreto"),
        "REGIO DECRETO-LEGGE" => ("stato", "regio.decreto.legge"),
        "DECRETO LEGISLATIVO LUOGOTENENZIALE" => ("stato", "decreto.legislativo.luogotenenziale"),
        _ => return None,
    };
    let year = year.trim();
    let number = number.trim();
    (year.len() == 4 && !number.is_empty())
        .then(|| format!("urn:nir:{authority}:{doc_type}:{year};{number}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_after_vig_are_checked_before_asking() {
        assert_eq!(
            Normattiva::check_urn("urn:nir:stato:legge:1970-12-01;898~art5!vig=2005-01-01")
                .expect("valid"),
            Some("2005-01-01".to_string())
        );
        assert!(matches!(
            Normattiva::check_urn("urn:nir:stato:legge:1970-12-01;898~art5!vig=2005-13-45"),
            Err(NormattivaError::ImpossibleDate { value, .. }) if value == "2005-13-45"
        ));
        assert!(matches!(
            Normattiva::check_urn("urn:nir:stato:legge:1990-08-07;241!vig=NONSENSE"),
            Err(NormattivaError::MalformedDate { value, .. }) if value == "NONSENSE"
        ));
        assert!(matches!(
            Normattiva::check_urn("urn:nir:stato:legge"),
            Err(NormattivaError::InvalidUrn { .. })
        ));
    }

    #[test]
    fn refusals_are_explained_from_the_urn() {
        assert_eq!(
            refusal_hint("urn:nir:stato:legge:2007-12-24;244~art2-com428"),
            "; it does not take commi (~art2-com428): name the article only"
        );
        assert_eq!(
            refusal_hint("urn:nir:stato:legge:1990-08-07;241~art5-bis"),
            "; ordinals are written without a hyphen (~art5bis instead of ~art5-bis)"
        );
        assert_eq!(
            refusal_hint("urn:nir:stato:legge:1990-08-07;241~artXIV"),
            "; article numbers are arabic, not roman (~artXIV)"
        );
    }

    #[test]
    fn normattiva_types_map_to_urns() {
        assert_eq!(
            urn_of("DECRETO-LEGGE", "2025", "36").as_deref(),
            Some("urn:nir:stato:decreto.legge:2025;36")
        );
        assert_eq!(
            urn_of("DECRETO DEL PRESIDENTE DELLA REPUBBLICA", "1999", "394").as_deref(),
            Some("urn:nir:presidente.repubblica:decreto:1999;394")
        );
        assert_eq!(urn_of("CIRCOLARE", "2020", "1"), None);
    }
}
