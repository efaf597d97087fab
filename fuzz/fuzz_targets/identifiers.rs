//! The URN:NIR, AKN IRI and ELI parsers on arbitrary text: see [`checks::identifiers`].
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| checks::identifiers(bytes));
