//! The NIR parser on arbitrary bytes, seeded from the shared corpus's NIR documents (the
//! parser is chosen by the root element, so the seeds make this the NIR target): see
//! [`checks::document`].
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| checks::document(bytes));
