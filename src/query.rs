//! Writing SPARQL results: tables for people, the W3C result formats for programs, and RDF
//! syntaxes for CONSTRUCT/DESCRIBE.

use std::io::Write;

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};

/// The output formats of `paesi query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// An aligned text table (SELECT), or Turtle (CONSTRUCT).
    Table,
    /// SPARQL 1.1 Query Results JSON.
    Json,
    /// SPARQL 1.1 Query Results CSV.
    Csv,
    /// SPARQL 1.1 Query Results TSV.
    Tsv,
    /// SPARQL Query Results XML.
    Xml,
    /// Turtle (CONSTRUCT/DESCRIBE).
    Turtle,
    /// N-Triples (CONSTRUCT/DESCRIBE).
    Ntriples,
}

/// A failure while writing results.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Writing failed (e.g. closed pipe).
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The query failed while its results were read.
    #[error("query failed: {0}")]
    Evaluation(String),
}

/// Writes query results in the requested format; returns the number of rows or triples.
pub fn write_results(
    results: QueryResults<'_>,
    format: OutputFormat,
    out: &mut impl Write,
) -> Result<usize, OutputError> {
    match results {
        QueryResults::Boolean(b) => {
            match result_format(format) {
                Some(f) => {
                    QueryResultsSerializer::from_format(f)
                        .serialize_boolean_to_writer(&mut *out, b)?;
                }
                None => writeln!(out, "{b}")?,
            }
            Ok(1)
        }
        QueryResults::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            if let Some(f) = result_format(format) {
                let mut ser = QueryResultsSerializer::from_format(f)
                    .serialize_solutions_to_writer(&mut *out, variables)?;
                let mut n = 0;
                for row in solutions {
                    let row = row.map_err(|e| OutputError::Evaluation(e.to_string()))?;
                    ser.serialize(&row)?;
                    n += 1;
                }
                ser.finish()?;
                return Ok(n);
            }
            let mut rows: Vec<Vec<String>> = Vec::new();
            for row in solutions {
                let row = row.map_err(|e| OutputError::Evaluation(e.to_string()))?;
                rows.push(
                    variables
                        .iter()
                        .map(|v| row.get(v).map(cell).unwrap_or_default())
                        .collect(),
                );
            }
            let headers: Vec<String> = variables.iter().map(|v| v.as_str().to_string()).collect();
            write_table(&headers, &rows, out)?;
            Ok(rows.len())
        }
        QueryResults::Graph(triples) => {
            let rdf_format = match format {
                OutputFormat::Ntriples => RdfFormat::NTriples,
                _ => RdfFormat::Turtle,
            };
            let mut ser = RdfSerializer::from_format(rdf_format).for_writer(&mut *out);
            let mut n = 0;
            for t in triples {
                let t = t.map_err(|e| OutputError::Evaluation(e.to_string()))?;
                ser.serialize_triple(&t)?;
                n += 1;
            }
            ser.finish()?;
            Ok(n)
        }
    }
}

fn result_format(format: OutputFormat) -> Option<QueryResultsFormat> {
    match format {
        OutputFormat::Json => Some(QueryResultsFormat::Json),
        OutputFormat::Csv => Some(QueryResultsFormat::Csv),
        OutputFormat::Tsv => Some(QueryResultsFormat::Tsv),
        OutputFormat::Xml => Some(QueryResultsFormat::Xml),
        _ => None,
    }
}

/// A term as a person reads it: IRIs bare, literals by their value.
fn cell(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => n.as_str().to_string(),
        Term::BlankNode(b) => format!("_:{}", b.as_str()),
        Term::Literal(l) => l.value().to_string(),
        #[allow(unreachable_patterns)]
        other => other.to_string(),
    }
}

const MAX_CELL: usize = 80;

fn write_table(
    headers: &[String],
    rows: &[Vec<String>],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let clip = |s: &str| -> String {
        let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if one_line.chars().count() > MAX_CELL {
            let mut c: String = one_line.chars().take(MAX_CELL - 1).collect();
            c.push('…');
            c
        } else {
            one_line
        }
    };
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| clip(c)).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join(" | ")
            .trim_end()
            .to_string()
    };
    writeln!(out, "{}", line(headers))?;
    writeln!(
        out,
        "{}",
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("-+-")
    )?;
    for r in &rows {
        writeln!(out, "{}", line(r))?;
    }
    writeln!(out, "({} rows)", rows.len())
}
