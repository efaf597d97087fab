//! The yardstick of the ingest benchmarks (BENCHMARKS.md, `benches/scale.sh`): oxigraph's own
//! bulk load of an N-Quads file into an empty store, as `oxigraph load --location DIR --file
//! FILE` does it (the bulk loader with its defaults, `parallel_load_from_file`, one commit),
//! built against the very oxigraph paesi links, so that both are measured with the same
//! library and build settings.
//!
//! `cargo run --release --example oxigraph_load -- DIR FILE.nq` prints the seconds the load
//! took, then the quads in the store.

use std::time::Instant;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::store::Store;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(file)) = (args.next(), args.next()) else {
        return Err("usage: oxigraph_load DIR FILE.nq".into());
    };
    let started = Instant::now();
    let store = Store::open(&dir)?;
    let mut loader = store.bulk_loader();
    loader.parallel_load_from_file(RdfParser::from_format(RdfFormat::NQuads), &file)?;
    loader.commit()?;
    println!("loaded in {:.2} s", started.elapsed().as_secs_f64());
    println!("{} quads", store.len()?);
    Ok(())
}
