//! The SPARQL-parameter binding of named queries: see [`checks::named_binding`].
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| checks::named_binding(bytes));
