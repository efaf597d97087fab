//! The fuzz targets' checks (`fuzz/checks.rs`) on the stable toolchain, inside `cargo test`:
//! the coverage-guided runs need nightly and cargo-fuzz (`fuzz/run`, which `.ci/run` runs for a
//! bounded time after the tests); here each check runs over its seeds and a bounded number of
//! seeded, deterministic mutations of them (byte flips, insertions, deletions,
//! truncations, spliced slices; `PAESI_FUZZ_MUTANTS` per seed, 40 by default). This is no
//! coverage-guided search: the libFuzzer runs are in RELIABILITY.md. Seeds: the documents of
//! `tests/hostile/` and the smallest Italian AKN and NIR documents of the shared corpus; the
//! references (`href`) of these documents; each named query with hostile values for each of
//! its parameters.

mod common;

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::Path;

/// Bytes libFuzzer's mutators like to insert: XML and SPARQL syntax, big and odd characters.
const TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"&",
    b"&amp;",
    b"&#x0;",
    b"]]>",
    b"<!--",
    b"<!DOCTYPE x [<!ENTITY e \"e\">]>",
    b"\"",
    b"'",
    b"\0",
    b"\xff\xfe",
    b"\xc3",
    b"}",
    b"{",
    b" . ",
    b"\n",
    b"#",
    b"~",
    b";",
    b"!vig=",
    b"@",
    b"%",
    b"\\",
];

/// One mutation of `seed`.
fn mutate(seed: &[u8], rng: &mut common::Seeded) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(b.len() + 1);
        match rng.below(6) {
            0 if !b.is_empty() => {
                let i = at.min(b.len() - 1);
                b[i] ^= 1 << rng.below(8);
            }
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                b.splice(at..at, t.iter().copied());
            }
            2 => {
                let end = (at + rng.below(64)).min(b.len());
                b.drain(at..end);
            }
            3 => b.truncate(at),
            4 if !b.is_empty() => {
                // a slice of the input copied elsewhere (a repeated or crossed element)
                let from = rng.below(b.len());
                let to = (from + rng.below(256)).min(b.len());
                let slice = b[from..to].to_vec();
                let at = at.min(b.len());
                b.splice(at..at, slice);
            }
            _ => b.push(rng.below(256) as u8),
        }
    }
    b
}

fn mutants() -> usize {
    std::env::var("PAESI_FUZZ_MUTANTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40)
}

/// Runs `check` on every seed and its mutants; a panic is a failure, reported with the input.
fn replay(name: &str, seeds: &[Vec<u8>], check: fn(&[u8]), salt: u64) -> usize {
    let mut rng = common::Seeded(0x5eed_f022_0000_0016 ^ salt);
    let mut failures = Vec::new();
    let mut runs = 0;
    for seed in seeds {
        let mut inputs = vec![seed.clone()];
        inputs.extend((0..mutants()).map(|_| mutate(seed, &mut rng)));
        for input in inputs {
            runs += 1;
            if std::panic::catch_unwind(|| check(&input)).is_err() {
                failures.push(String::from_utf8_lossy(&input).into_owned());
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{name}: {} of {runs} inputs panicked; the first: {:?}",
        failures.len(),
        failures[0]
    );
    runs
}

/// The Italian documents of the shared corpus under `dir` of at most `max` bytes.
fn small_documents(dir: &Path, max: u64) -> Vec<Vec<u8>> {
    common::xml_files(dir)
        .into_iter()
        .filter(|f| std::fs::metadata(f).is_ok_and(|m| m.len() <= max))
        .map(|f| std::fs::read(f).expect("read"))
        .collect()
}

fn hostile_documents() -> Vec<Vec<u8>> {
    common::xml_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile"))
        .into_iter()
        .map(|f| std::fs::read(f).expect("read"))
        .collect()
}

#[test]
fn document_parsers_survive_mutated_documents() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let corpus = shared.join("corpus");
    let mut seeds = hostile_documents();
    seeds.extend(small_documents(&corpus.join("akn/normattiva"), 50_000));
    seeds.extend(small_documents(
        &corpus.join("nir/cirsfid-lime-server"),
        20_000,
    ));
    seeds.extend(small_documents(&corpus.join("akn/senato"), 6_000));
    let runs = replay("documents", &seeds, checks::document, 1);
    eprintln!("documents: {} seeds, {runs} inputs", seeds.len());
}

#[test]
fn identifier_parsers_survive_mutated_references() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let corpus = shared.join("corpus");
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for doc in small_documents(&corpus.join("akn/normattiva"), 50_000)
        .into_iter()
        .chain(small_documents(
            &corpus.join("nir/xmleges-samples"),
            200_000,
        ))
    {
        let text = String::from_utf8_lossy(&doc).into_owned();
        for part in text.split("href=\"").skip(1).take(40) {
            if let Some(href) = part.split('"').next() {
                seeds.push(href.as_bytes().to_vec());
            }
        }
    }
    seeds.sort();
    seeds.dedup();
    for s in [
        "urn:nir:stato:decreto.legislativo:1998-07-25;286~art5-com2",
        "/akn/it/act/legge/stato/1992-02-05/91/!main#art_9__para_1",
        "http://data.europa.eu/eli/dir/2003/86/oj",
        "https://www.normattiva.it/uri-res/N2Ls?urn:nir:stato:legge:1992-02-05;91~art9",
    ] {
        seeds.push(s.as_bytes().to_vec());
    }
    let runs = replay("identifiers", &seeds, checks::identifiers, 2);
    eprintln!("identifiers: {} seeds, {runs} inputs", seeds.len());
}

#[test]
fn named_query_binding_survives_hostile_values() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
    let library = paesi::named::list(&dir).expect("library");
    let hostile = [
        "urn:nir:stato:legge:1992-02-05;91",
        "https://w3id.org/paesi/act/stato/legge/1992/91",
        "x> } ; DROP ALL ; SELECT * { <y",
        "\" } SELECT * WHERE { ?s ?p ?o } #",
        "2025-06-01",
        "2025-02-30\"^^<x>",
        "ricongiungimento' . FILTER(true) #",
        "\n}\n",
        "",
    ];
    let mut seeds = Vec::new();
    for (i, q) in library.iter().enumerate() {
        for v in hostile {
            let mut s = vec![i as u8];
            let lines: Vec<String> = q
                .params
                .iter()
                .map(|p| format!("{}={v}", p.name))
                .chain(std::iter::once(format!("@at={v}")))
                .collect();
            s.extend(lines.join("\n").into_bytes());
            seeds.push(s);
        }
    }
    let runs = replay("named binding", &seeds, checks::named_binding, 3);
    eprintln!("named binding: {} seeds, {runs} inputs", seeds.len());
}
