//! Italian numbers as legislation writes them: digits (`90`, `1.000`, `30,46`) and words
//! (`sessanta`, `centottanta`, `tremila`, `un`), to a value.

/// The value of one word that is a number written in Italian (`sessanta` → 60,
/// `centoventi` → 120, `duemila` → 2000, `un`/`una` → 1), or None.
pub fn word_value(word: &str) -> Option<u64> {
    match word {
        "un" | "uno" | "una" => return Some(1),
        "" => return None,
        _ => {}
    }
    parse_words(word)
}

/// Whole numbers in words up to the millions, read from the left: thousands (`mila`/`mille`),
/// hundreds (`cento`), tens (`venti`…`novanta`, elided before `uno`/`otto`), units.
fn parse_words(w: &str) -> Option<u64> {
    if let Some(at) = w.find("milioni") {
        let head = &w[..at];
        let rest = &w[at + "milioni".len()..];
        let n = if head.is_empty() {
            1
        } else {
            parse_words(head)?
        };
        let tail = if rest.is_empty() {
            0
        } else {
            parse_words(rest)?
        };
        return Some(n * 1_000_000 + tail);
    }
    if let Some(rest) = w.strip_prefix("unmilione") {
        let tail = if rest.is_empty() {
            0
        } else {
            parse_words(rest)?
        };
        return Some(1_000_000 + tail);
    }
    if let Some(rest) = w.strip_prefix("mille") {
        let tail = if rest.is_empty() {
            0
        } else {
            parse_words(rest)?
        };
        return Some(1000 + tail);
    }
    if let Some(at) = w.find("mila") {
        let head = parse_words(&w[..at])?;
        let rest = &w[at + 4..];
        let tail = if rest.is_empty() {
            0
        } else {
            parse_words(rest)?
        };
        return Some(head * 1000 + tail);
    }
    below_thousand(w)
}

fn below_thousand(w: &str) -> Option<u64> {
    if w.is_empty() {
        return None;
    }
    // hundreds: `cento`, `duecento`, `centottanta` (cento + ottanta, the `o` shared)
    if let Some(at) = w.find("cent") {
        let head = &w[..at];
        let hundreds = if head.is_empty() {
            1
        } else {
            units(head).filter(|&u| u > 1)?
        };
        let rest = &w[at + 4..];
        let rest = rest.strip_prefix('o').unwrap_or(rest);
        let tail = if rest.is_empty() {
            0
        } else {
            below_hundred(rest)
                .or_else(|| below_hundred(&format!("o{rest}")))
                .filter(|&t| t > 0)?
        };
        return Some(hundreds * 100 + tail);
    }
    below_hundred(w)
}

const TENS: &[(&str, u64)] = &[
    ("venti", 20),
    ("trenta", 30),
    ("quaranta", 40),
    ("cinquanta", 50),
    ("sessanta", 60),
    ("settanta", 70),
    ("ottanta", 80),
    ("novanta", 90),
];

fn below_hundred(w: &str) -> Option<u64> {
    if let Some(u) = units(w) {
        return Some(u);
    }
    for (name, value) in TENS {
        // `ventuno`, `trentotto`: the final vowel of the tens drops before `uno`/`otto`
        let stem = &name[..name.len() - 1];
        if let Some(rest) = w.strip_prefix(name) {
            if rest.is_empty() {
                return Some(*value);
            }
            if let Some(u) = units(rest).filter(|&u| u < 10) {
                return Some(value + u);
            }
        }
        if let Some(rest) = w.strip_prefix(stem)
            && (rest == "uno" || rest == "otto" || rest == "un")
        {
            return Some(value + if rest == "otto" { 8 } else { 1 });
        }
    }
    None
}

fn units(w: &str) -> Option<u64> {
    Some(match w {
        "zero" => 0,
        "uno" | "un" | "una" => 1,
        "due" => 2,
        "tre" | "tré" => 3,
        "quattro" => 4,
        "cinque" => 5,
        "sei" => 6,
        "sette" => 7,
        "otto" => 8,
        "nove" => 9,
        "dieci" => 10,
        "undici" => 11,
        "dodici" => 12,
        "tredici" => 13,
        "quattordici" => 14,
        "quindici" => 15,
        "sedici" => 16,
        "diciassette" => 17,
        "diciotto" => 18,
        "diciannove" => 19,
        _ => return None,
    })
}

/// A number written in digits, Italian style: `.` groups thousands, `,` starts the decimals
/// (`1.032,91` → "1032.91"); returned as a plain decimal string (no thousands separator).
pub fn digits_value(token: &str) -> Option<String> {
    if !token.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let (int, frac) = match token.split_once(',') {
        Some((i, f)) => (i, Some(f)),
        None => (token, None),
    };
    let groups: Vec<&str> = int.split('.').collect();
    let grouped = groups.len() > 1
        && groups[1..].iter().all(|g| g.len() == 3)
        && !groups[0].is_empty()
        && groups[0].len() <= 3;
    if groups.len() > 1 && !grouped {
        return None;
    }
    let int: String = groups.concat();
    if !int.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match frac {
        Some(f) if !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()) => {
            Some(format!("{int}.{f}"))
        }
        Some(_) => None,
        None => Some(int),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        let cases = [
            ("sessanta", 60),
            ("novanta", 90),
            ("otto", 8),
            ("quindici", 15),
            ("ventuno", 21),
            ("trentotto", 38),
            ("centoventi", 120),
            ("centottanta", 180),
            ("centocinquanta", 150),
            ("duecentocinquanta", 250),
            ("trecentosessantacinque", 365),
            ("mille", 1000),
            ("duemila", 2000),
            ("cinquemilacinquecento", 5500),
            ("un", 1),
        ];
        for (w, n) in cases {
            assert_eq!(word_value(w), Some(n), "{w}");
        }
        for w in ["sessantina", "centro", "settimana", "nove.", "mila"] {
            assert_eq!(word_value(w), None, "{w}");
        }
    }

    #[test]
    fn digits() {
        assert_eq!(digits_value("90").as_deref(), Some("90"));
        assert_eq!(digits_value("1.000").as_deref(), Some("1000"));
        assert_eq!(digits_value("30,46").as_deref(), Some("30.46"));
        assert_eq!(digits_value("1.032,91").as_deref(), Some("1032.91"));
        assert_eq!(digits_value("1998.7"), None);
        assert_eq!(digits_value("euro"), None);
    }
}
