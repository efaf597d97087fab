//! Content negotiation: the `Accept` header with its q-values, or a `format` parameter that
//! overrides it, against the media types an answer can be given in.

/// Media types of SELECT and ASK results, the server's preference first.
pub const RESULTS: &[&str] = &[
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
    "application/xml",
];

/// Media types of graphs (CONSTRUCT, DESCRIBE, service description), the preference first.
pub const GRAPHS: &[&str] = &[
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
    "text/plain",
];

/// Media types of a Linked Data resource: Turtle for programs that do not say, HTML for
/// browsers (which ask for it first).
pub const RESOURCE: &[&str] = &[
    "text/turtle",
    "text/html",
    "application/ld+json",
    "application/n-triples",
    "application/rdf+xml",
    "application/xhtml+xml",
];

/// The media type a `format` parameter names: a short name or a media type.
pub fn format_media_type(format: &str) -> Option<&'static str> {
    Some(match format.trim().to_ascii_lowercase().as_str() {
        "json" | "srj" | "application/sparql-results+json" => "application/sparql-results+json",
        "xml" | "srx" | "application/sparql-results+xml" => "application/sparql-results+xml",
        "csv" | "text/csv" => "text/csv",
        "tsv" | "text/tab-separated-values" => "text/tab-separated-values",
        "turtle" | "ttl" | "text/turtle" => "text/turtle",
        "ntriples" | "nt" | "n-triples" | "application/n-triples" => "application/n-triples",
        "rdfxml" | "rdf" | "rdf/xml" | "application/rdf+xml" => "application/rdf+xml",
        "jsonld" | "json-ld" | "application/ld+json" => "application/ld+json",
        "html" | "text/html" => "text/html",
        _ => return None,
    })
}

/// One media range of an `Accept` header.
#[derive(Debug, Clone, PartialEq)]
struct Range {
    kind: String,
    subtype: String,
    q: f32,
}

fn parse_accept(header: &str) -> Vec<Range> {
    header
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let media = pieces.next()?.trim().to_ascii_lowercase();
            let (kind, subtype) = media.split_once('/')?;
            let mut q = 1.0f32;
            for p in pieces {
                if let Some((k, v)) = p.split_once('=')
                    && k.trim().eq_ignore_ascii_case("q")
                {
                    q = v.trim().parse().unwrap_or(0.0);
                }
            }
            Some(Range {
                kind: kind.trim().to_string(),
                subtype: subtype.trim().to_string(),
                q: q.clamp(0.0, 1.0),
            })
        })
        .collect()
}

/// The quality the client gives `offer`: that of the most specific range matching it.
fn quality(ranges: &[Range], offer: &str) -> f32 {
    let (kind, subtype) = offer.split_once('/').unwrap_or((offer, ""));
    let mut best: Option<(u8, f32)> = None;
    for r in ranges {
        let specificity = if r.kind == kind && r.subtype == subtype {
            3
        } else if r.kind == kind && r.subtype == "*" {
            2
        } else if r.kind == "*" && r.subtype == "*" {
            1
        } else {
            continue;
        };
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, r.q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

/// The offer the client accepts best (ties go to the server's order), or None when it
/// accepts none. No header, or an empty one, accepts the first offer.
pub fn choose(accept: Option<&str>, offers: &[&'static str]) -> Option<&'static str> {
    let Some(header) = accept.map(str::trim).filter(|h| !h.is_empty()) else {
        return offers.first().copied();
    };
    let ranges = parse_accept(header);
    let mut best: Option<(&'static str, f32)> = None;
    for offer in offers {
        let q = quality(&ranges, offer);
        if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
            best = Some((offer, q));
        }
    }
    best.map(|(o, _)| o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q_values_and_wildcards() {
        assert_eq!(
            choose(None, RESULTS),
            Some("application/sparql-results+json")
        );
        assert_eq!(
            choose(
                Some("text/csv;q=0.5, application/sparql-results+xml"),
                RESULTS
            ),
            Some("application/sparql-results+xml")
        );
        assert_eq!(
            choose(
                Some("text/*;q=0.9, application/sparql-results+json;q=0.1"),
                RESULTS
            ),
            Some("text/csv")
        );
        assert_eq!(choose(Some("*/*"), GRAPHS), Some("text/turtle"));
        assert_eq!(choose(Some("image/png"), RESULTS), None);
        assert_eq!(choose(Some("text/csv;q=0"), &["text/csv"]), None);
        assert_eq!(
            choose(
                Some("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
                RESOURCE
            ),
            Some("text/html")
        );
    }
}
