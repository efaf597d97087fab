//! What each fuzz target checks, shared by the libFuzzer targets (`fuzz_targets/`, nightly)
//! and by the stable replay of seeds and their mutations in CI (`tests/fuzz_replay.rs`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use paesi::named::NamedQuery;

/// A legal document parser (AKN or NIR, chosen by the root element) on arbitrary bytes: a
/// document or an error, never a panic; a document maps to RDF.
pub fn document(bytes: &[u8]) {
    if let Ok(doc) = paesi::parse::parse(bytes) {
        let _ = paesi::rdf::map(&doc, None);
    }
}

/// The identifier parsers on arbitrary text: URN:NIR, AKN IRIs, ELI, an `href` resolved
/// against no base, and the lookup of any identifier, whose IRI must be writable as `<…>`
/// in SPARQL.
pub fn identifiers(bytes: &[u8]) {
    let Ok(s) = std::str::from_utf8(bytes) else {
        return;
    };
    let _ = paesi::ids::parse_urn_nir(s);
    let _ = paesi::ids::parse_akn(s);
    let _ = paesi::ids::parse_eli(s);
    let _ = paesi::ids::resolve_href(s, None);
    if let Ok(iri) = paesi::ids::lookup_iri(s) {
        assert!(
            paesi::ids::checked_iri(&iri).is_ok() && !iri.contains(['<', '>', '"', ' ', '\\']),
            "lookup_iri({s:?}) gave {iri:?}, which cannot be written as <…> in SPARQL"
        );
    }
}

fn library() -> &'static [NamedQuery] {
    static LIBRARY: OnceLock<Vec<NamedQuery>> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        // the crate root (the replay test) or fuzz/ (the targets)
        let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = if here.join("queries").is_dir() {
            here.join("queries")
        } else {
            here.join("../queries")
        };
        paesi::named::list(&dir).expect("the named-query library")
    })
}

/// The SPARQL-parameter binding of named queries: a query of the library (chosen by the
/// first byte) bound with arbitrary values (`name=value` lines, `@at=` for the day), as
/// `GET /queries/NAME?…` does. A binding either fails with an error or gives a query that
/// parses as SPARQL: no value breaks out of the term it is bound as.
pub fn named_binding(bytes: &[u8]) {
    let queries = library();
    let Some((&pick, rest)) = bytes.split_first() else {
        return;
    };
    let query = &queries[usize::from(pick) % queries.len()];
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut values = BTreeMap::new();
    let mut at = None;
    for line in text.lines() {
        let (k, v) = line.split_once('=').unwrap_or((line, ""));
        if k == "@at" {
            at = Some(v.to_string());
        } else {
            values.insert(k.to_string(), v.to_string());
        }
    }
    if let Ok(bound) = query.bind(&values, at.as_deref()) {
        let parsed = spargebra::SparqlParser::new().parse_query(&bound);
        assert!(
            parsed.is_ok(),
            "{} bound with {values:?} does not parse: {parsed:?}\n{bound}",
            query.name
        );
    }
}
