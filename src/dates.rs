//! Calendar dates as paesi uses them: ISO `YYYY-MM-DD` strings, today's date, and the `?at`
//! variable that lookup queries are asked about.

/// Today's date (UTC), `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_from_days((secs / 86_400) as i64)
}

/// The civil date `YYYY-MM-DD` of a day count since 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day count since 1970-01-01 of a year, month and day (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = y - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The day `n` days after (or before, for negative `n`) a valid ISO date; None when `date`
/// is not one.
pub fn add_days(date: &str, n: i64) -> Option<String> {
    let date = parse(date)?;
    let num = |r: std::ops::Range<usize>| date[r].parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    Some(civil_from_days(days_from_civil(y, m, d) + n))
}

/// A valid ISO date (`2003-01-01`), or None.
pub fn parse(s: &str) -> Option<String> {
    let b = s.trim().as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let t = std::str::from_utf8(&b[r]).ok()?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    (1..=12).contains(&m).then_some(())?;
    (1..=days[m as usize - 1]).contains(&d).then_some(())?;
    Some(s.trim().to_string())
}

/// The byte ranges of the variable `?name` / `$name` in SPARQL text, outside strings, IRIs and
/// comments.
fn variable_spans(sparql: &str, name: &str) -> Vec<(usize, usize)> {
    let b = sparql.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'<' => {
                // an IRI has no spaces; `<` followed by a space or `=` is an operator
                let close = sparql[i + 1..].find(|c: char| c == '>' || c.is_whitespace());
                match close {
                    Some(j) if b[i + 1 + j] == b'>' && j > 0 => i += j + 2,
                    _ => i += 1,
                }
                continue;
            }
            q @ (b'"' | b'\'') => {
                let long = sparql[i..].starts_with(if q == b'"' { "\"\"\"" } else { "\'\'\'" });
                i += if long { 3 } else { 1 };
                while i < b.len() {
                    if b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b[i] == q
                        && (!long
                            || sparql[i..].starts_with(if q == b'"' { "\"\"\"" } else { "\'\'\'" }))
                    {
                        i += if long { 3 } else { 1 };
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            b'?' | b'$' => {
                let end = i
                    + 1
                    + sparql[i + 1..]
                        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .unwrap_or(sparql.len() - i - 1);
                if &sparql[i + 1..end] == name {
                    spans.push((i, end));
                }
                i = end.max(i + 1);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    spans
}

/// True when the SPARQL text uses the variable `?name` or `$name`.
pub fn uses_variable(sparql: &str, name: &str) -> bool {
    !variable_spans(sparql, name).is_empty()
}

/// The query with the variable `?name` bound to a date: each use becomes the `xsd:date`
/// literal, and a projected `?name` becomes `(literal AS ?name)`.
pub fn bind_date(sparql: &str, name: &str, date: &str) -> String {
    bind_term(
        sparql,
        name,
        &format!("\"{date}\"^^<http://www.w3.org/2001/XMLSchema#date>"),
    )
}

/// The query with the variable `?name` replaced by an RDF term written in SPARQL syntax
/// (`term` must come from a serializer that escapes it, e.g. oxrdf's `Display`): each use
/// becomes the term, and a projected `?name` becomes `(term AS ?name)`.
pub fn bind_term(sparql: &str, name: &str, term: &str) -> String {
    let first_brace = sparql.find('{').unwrap_or(sparql.len());
    let mut out = String::with_capacity(sparql.len() + 64);
    let mut last = 0;
    for (start, end) in variable_spans(sparql, name) {
        out.push_str(&sparql[last..start]);
        if start < first_brace {
            out.push_str(&format!("({term} AS ?{name})"));
        } else {
            out.push_str(term);
        }
        last = end;
    }
    out.push_str(&sparql[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), "1970-01-01");
        assert_eq!(civil_from_days(11_016), "2000-02-29");
        assert_eq!(civil_from_days(20_418), "2025-11-26");
    }

    #[test]
    fn adds_days_across_months_and_leap_years() {
        assert_eq!(add_days("2024-02-28", 1).as_deref(), Some("2024-02-29"));
        assert_eq!(add_days("2024-02-28", 2).as_deref(), Some("2024-03-01"));
        assert_eq!(add_days("2025-01-01", -1).as_deref(), Some("2024-12-31"));
        assert_eq!(
            add_days("1970-01-01", 20_418).as_deref(),
            Some("2025-11-26")
        );
        assert_eq!(add_days("2025-13-01", 1), None);
    }

    #[test]
    fn parses_iso_dates_only() {
        assert_eq!(parse("2003-01-01").as_deref(), Some("2003-01-01"));
        assert_eq!(parse("2024-02-29").as_deref(), Some("2024-02-29"));
        assert_eq!(parse("2023-02-29"), None);
        assert_eq!(parse("2003-13-01"), None);
        assert_eq!(parse("1/1/2003"), None);
    }

    #[test]
    fn finds_the_variable() {
        assert!(uses_variable("FILTER(?from <= ?at)", "at"));
        assert!(uses_variable("FILTER($at > ?x)", "at"));
        assert!(!uses_variable("SELECT ?attribute", "at"));
        assert!(!uses_variable(
            "SELECT ?x { ?x <http://e.org/?at> \"?at\" } # ?at",
            "at"
        ));
    }

    #[test]
    fn binds_the_date_where_the_variable_is_used() {
        let q = "SELECT ?p ?at WHERE { ?p <http://e.org/from> ?f FILTER(?f <= ?at && ?f < ?attr) }";
        let d = "\"2003-01-01\"^^<http://www.w3.org/2001/XMLSchema#date>";
        assert_eq!(
            bind_date(q, "at", "2003-01-01"),
            format!(
                "SELECT ?p ({d} AS ?at) WHERE {{ ?p <http://e.org/from> ?f FILTER(?f <= {d} && ?f < ?attr) }}"
            )
        );
        // `<` as an operator is not an IRI
        let q = "SELECT * { ?v <x> ?f FILTER(?f < ?at) }";
        assert_eq!(
            bind_date(q, "at", "2003-01-01"),
            format!("SELECT * {{ ?v <x> ?f FILTER(?f < {d}) }}")
        );
    }
}
