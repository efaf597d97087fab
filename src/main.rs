//! The `paesi` command line: a thin layer over the library, one function per command.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use paesi::ingest::{self, Options};
use paesi::query::{OutputFormat, write_results};
use paesi::store::Kb;

/// paesi: a knowledge base of Italian immigration law (Akoma Ntoso and NIR into RDF).
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Directory of the knowledge base.
    #[arg(long, global = true, env = "PAESI_DATA", default_value = paesi::DEFAULT_DATA_DIR)]
    data: PathBuf,
    /// Directory of named queries (`.rq` files with a header).
    #[arg(long, global = true, env = "PAESI_QUERIES", default_value = "queries")]
    queries: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Ingest AKN/NIR documents and ontology (Turtle) files: files, directories (recursively), `-` for stdin.
    Ingest {
        /// Files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Parser threads (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
    },
    /// Run a SPARQL query over the knowledge base (the default graph is the union of all graphs),
    /// inline, from a file, or from the named-query library.
    Query {
        /// The query text (or use -f or --name).
        query: Option<String>,
        /// Read the query from a file.
        #[arg(short = 'f', long = "file")]
        file: Option<PathBuf>,
        /// Run the named query NAME (`queries/NAME.rq`).
        #[arg(long)]
        name: Option<String>,
        /// A parameter of the named query, `name=value` (repeatable).
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// List the named queries and their parameters.
        #[arg(long)]
        list: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: OutputFormat,
        /// The day the query is asked about: bound to the variable `?at` (an `xsd:date`) when
        /// the query uses it. Default: today.
        #[arg(long, value_parser = parse_date)]
        at: Option<String>,
    },
    /// Figures about the knowledge base.
    Stats {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Parse documents without storing them (checks input; measures parse speed).
    Parse {
        /// Files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Also map to RDF (counts triples).
        #[arg(long)]
        map: bool,
        /// Print a JSON summary.
        #[arg(long)]
        json: bool,
        /// Parser threads (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
    },
    /// The versions of a partition (or of every partition of an act), with the period each was
    /// in force and the acts that changed them.
    History {
        /// A URN:NIR, AKN IRI or canonical IRI of an act or partition.
        identifier: String,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the whole store as N-Quads to standard output.
    Export,
    /// Serve the knowledge base over HTTP: SPARQL 1.1 Protocol, named queries, Linked Data.
    Serve {
        /// Address to listen on (port 0 picks a free port; the address is printed).
        #[arg(long, default_value = "127.0.0.1:7878")]
        bind: std::net::SocketAddr,
        /// Allow SPARQL Update and POST /ingest with `Authorization: Bearer TOKEN`.
        #[arg(long, env = "PAESI_UPDATE_TOKEN")]
        update_token: Option<String>,
        /// Per-query timeout in milliseconds.
        #[arg(long, default_value_t = 30_000)]
        timeout_ms: u64,
        /// Most results (rows or triples) one answer may have.
        #[arg(long, default_value_t = 100_000)]
        max_results: usize,
    },
}

fn main() -> ExitCode {
    match try_main() {
        Ok(code) => code,
        Err(e) => {
            let broken_pipe = e
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
                || e.downcast_ref::<paesi::query::OutputError>().is_some_and(|o| {
                    matches!(o, paesi::query::OutputError::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
                });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("paesi: {e}");
            ExitCode::from(2)
        }
    }
}

type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// Dispatches to one function per command; the exit code says what happened
/// (0 all went well, 1 some inputs failed, 2 the command itself failed).
fn try_main() -> Result<ExitCode, AnyError> {
    let cli = Cli::parse();
    match cli.command {
        Command::Ingest { paths, json, jobs } => cmd_ingest(&cli.data, &paths, json, jobs),
        Command::Query {
            query,
            file,
            name,
            params,
            list,
            format,
            at,
        } => {
            if list {
                return cmd_query_list(&cli.queries);
            }
            let source = match (query, file, name) {
                (Some(q), None, None) => QuerySource::Inline(q),
                (None, Some(f), None) => QuerySource::File(f),
                (None, None, Some(n)) => QuerySource::Named(n, params),
                (None, None, None) => {
                    return Err("no query: give it inline, with -f FILE or --name NAME".into());
                }
                _ => return Err("give one query: inline, -f FILE or --name NAME".into()),
            };
            cmd_query(&cli.data, &cli.queries, source, format, at)
        }
        Command::Stats { json } => cmd_stats(&cli.data, json),
        Command::Parse {
            paths,
            map,
            json,
            jobs,
        } => cmd_parse(&paths, map, json, jobs),
        Command::History { identifier, json } => cmd_history(&cli.data, &identifier, json),
        Command::Export => cmd_export(&cli.data),
        Command::Serve {
            bind,
            update_token,
            timeout_ms,
            max_results,
        } => cmd_serve(
            &cli.data,
            paesi::server::Config {
                bind,
                update_token: update_token.filter(|t| !t.is_empty()),
                timeout_ms,
                max_results,
                queries: cli.queries,
            },
        ),
    }
}

/// A `--at` value: an ISO date.
fn parse_date(s: &str) -> Result<String, String> {
    paesi::dates::parse(s).ok_or_else(|| format!("{s:?} is not a date (YYYY-MM-DD)"))
}

/// `paesi ingest`: the entry point for bringing documents into the store.
fn cmd_ingest(
    data: &Path,
    paths: &[PathBuf],
    json: bool,
    jobs: Option<usize>,
) -> Result<ExitCode, AnyError> {
    let inputs = ingest::expand(paths).map_err(|f| f.to_string())?;
    let kb = Kb::open(data)?;
    let mut opts = Options {
        progress: !json,
        ..Options::default()
    };
    if let Some(j) = jobs {
        opts.jobs = j;
    }
    let report = ingest::ingest(&kb, inputs, &opts);
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        // on a terminal the progress bar already printed each failure as it happened
        if !std::io::stderr().is_terminal() {
            for f in &report.failures {
                eprintln!("{f}");
            }
        }
        writeln!(
            out,
            "{} documents ({} replaced), {} ontology files, {} failed; {} partitions ({} articles, {} paragraphs), {} references ({} unresolved), {} modifications ({} unresolved destinations), {} triples in {:.2} s ({:.1} MB/s)",
            report.documents,
            report.replaced,
            report.ontology_files,
            report.failed,
            report.partitions,
            report.articles,
            report.paragraphs,
            report.references,
            report.unresolved_references,
            report.modifications,
            report.unresolved_destinations,
            report.triples,
            report.seconds,
            report.bytes as f64 / 1e6 / report.seconds.max(1e-9),
        )?;
    }
    Ok(if report.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Where the text of a query comes from.
enum QuerySource {
    /// Given on the command line.
    Inline(String),
    /// Read from a file.
    File(PathBuf),
    /// A named query and its `name=value` parameters.
    Named(String, Vec<String>),
}

/// `paesi query`: SPARQL over the store, inline, from a file or from the named queries.
fn cmd_query(
    data: &Path,
    queries: &Path,
    source: QuerySource,
    format: OutputFormat,
    at: Option<String>,
) -> Result<ExitCode, AnyError> {
    let asked = at;
    let at = asked.clone().unwrap_or_else(paesi::dates::today);
    let text = match source {
        QuerySource::Inline(q) => paesi::dates::bind_date(&q, "at", &at),
        QuerySource::File(f) => {
            let q = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
            paesi::dates::bind_date(&q, "at", &at)
        }
        QuerySource::Named(name, params) => {
            let query = paesi::named::find(queries, &name)?;
            let mut values = std::collections::BTreeMap::new();
            for p in params {
                let (k, v) = p
                    .split_once('=')
                    .ok_or_else(|| format!("--param {p:?}: expected NAME=VALUE"))?;
                if values.insert(k.trim().to_string(), v.to_string()).is_some() {
                    return Err(format!("--param {k}: given twice").into());
                }
            }
            query.bind(&values, asked.as_deref())?
        }
    };
    let kb = Kb::open_read_only(data)?;
    let results = kb.query(&text)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    write_results(results, format, &mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `paesi query --list`: the named queries, their titles and parameters.
fn cmd_query_list(queries: &Path) -> Result<ExitCode, AnyError> {
    let list = paesi::named::list(queries)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for q in &list {
        writeln!(out, "{}  {}", q.name, q.title)?;
        if !q.description.is_empty() {
            writeln!(out, "    {}", q.description)?;
        }
        for p in &q.params {
            let kind = serde_json::to_value(p.kind)?;
            write!(
                out,
                "    --param {}=…  ({}) {}",
                p.name,
                kind.as_str().unwrap_or_default(),
                p.description
            )?;
            match &p.default {
                Some(d) => writeln!(out, " [default {d}]")?,
                None => writeln!(out)?,
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `paesi serve`: the HTTP server, until SIGINT or SIGTERM.
fn cmd_serve(data: &Path, config: paesi::server::Config) -> Result<ExitCode, AnyError> {
    let kb = Kb::open(data)?;
    paesi::server::serve(kb, config)?;
    Ok(ExitCode::SUCCESS)
}

/// `paesi stats`: what the knowledge base holds.
fn cmd_stats(data: &Path, json: bool) -> Result<ExitCode, AnyError> {
    let kb = Kb::open_read_only(data)?;
    let s = kb.stats()?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &s)?;
        writeln!(out)?;
    } else {
        writeln!(out, "quads       {}", s.quads)?;
        writeln!(out, "graphs      {}", s.graphs)?;
        writeln!(out, "acts        {}", s.acts)?;
        writeln!(out, "partitions  {}", s.partitions)?;
        writeln!(out, "articles    {}", s.articles)?;
        writeln!(out, "paragraphs  {}", s.paragraphs)?;
        writeln!(out, "references  {}", s.references)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `paesi parse`: parse (and optionally map) without a store, for checks and benchmarks.
fn cmd_parse(
    paths: &[PathBuf],
    map: bool,
    json: bool,
    jobs: Option<usize>,
) -> Result<ExitCode, AnyError> {
    let inputs = ingest::expand(paths).map_err(|f| f.to_string())?;
    let mut opts = Options::default();
    if let Some(j) = jobs {
        opts.jobs = j;
    }
    let summary = ingest::parse_only(inputs, map, &opts);
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &summary)?;
        writeln!(out)?;
    } else {
        for f in &summary.failures {
            eprintln!("{f}");
        }
        writeln!(
            out,
            "{} documents, {} failed, {} partitions, {} references, {} triples, {} bytes in {:.3} s ({:.1} MB/s)",
            summary.documents,
            summary.failed,
            summary.partitions,
            summary.references,
            summary.triples,
            summary.bytes,
            summary.seconds,
            summary.bytes as f64 / 1e6 / summary.seconds.max(1e-9)
        )?;
    }
    Ok(if summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `paesi history`: how a partition's text changed over time.
fn cmd_history(data: &Path, identifier: &str, json: bool) -> Result<ExitCode, AnyError> {
    let kb = Kb::open_read_only(data)?;
    let history = paesi::history::history(&kb, identifier)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        serde_json::to_writer_pretty(&mut out, &history)?;
        writeln!(out)?;
    } else {
        for p in &history {
            let label = [p.number.as_deref(), p.heading.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            writeln!(out, "{} {}", p.iri, label)?;
            writeln!(out, "  exists {}", period(&p.from, &p.until))?;
            for v in &p.versions {
                write!(out, "  version {}", period(&v.from, &v.until))?;
                if let Some(s) = &v.status {
                    write!(out, " [{s}]")?;
                }
                if let Some(i) = &v.introduced_by {
                    write!(out, "; introduced by {i}")?;
                }
                if let Some(e) = &v.ended_by {
                    write!(out, "; ended by {e}")?;
                }
                writeln!(out)?;
                writeln!(out, "    {}", v.text)?;
            }
            for m in &p.modifications {
                writeln!(
                    out,
                    "  modified ({}) by {} {}",
                    m.kind,
                    m.source.as_deref().unwrap_or("?"),
                    m.date.as_deref().unwrap_or("")
                )?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `FROM → UNTIL` for people: `?` when the start is unknown, `(in force)` when there is no end.
fn period(from: &Option<String>, until: &Option<String>) -> String {
    format!(
        "{} → {}",
        from.as_deref().unwrap_or("?"),
        until.as_deref().unwrap_or("(in force)")
    )
}

/// `paesi export`: the store as N-Quads (e.g. to compare with `oxigraph load`).
fn cmd_export(data: &Path) -> Result<ExitCode, AnyError> {
    let kb = Kb::open_read_only(data)?;
    let out = std::io::BufWriter::new(std::io::stdout().lock());
    let out = kb
        .store()
        .dump_to_writer(oxigraph::io::RdfFormat::NQuads, out)?;
    out.into_inner().map_err(|e| e.into_error())?.flush()?;
    Ok(ExitCode::SUCCESS)
}
