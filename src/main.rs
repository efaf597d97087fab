//! The `paesi` command line: a thin layer over the library, one function per command.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use paesi::annotate::{Annotator, Patterns};
use paesi::ingest::{self, Options};
use paesi::query::{OutputFormat, write_results};
use paesi::source::Source;
use paesi::store::Kb;

/// mimalloc instead of the system allocator: parsing and mapping allocate for every element,
/// and glibc's malloc and free were a fifth of the parser's instructions (BENCHMARKS.md, issue 15).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        /// The annotation patterns (TOML). Default: ./ontology/annotations.toml when present,
        /// else the copy built into paesi.
        #[arg(long, env = "PAESI_ANNOTATIONS")]
        annotations: Option<PathBuf>,
        /// Do not annotate partition texts.
        #[arg(long)]
        no_annotations: bool,
        /// Compact the store and merge the text index's segments at the end: after a large
        /// ingest into an empty store, reads (export, reindex, queries from the CLI) run two to
        /// three times faster, for a longer ingest (BENCHMARKS.md, issue 15).
        #[arg(long)]
        compact: bool,
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
        /// Run the query on this remote SPARQL endpoint (SPARQL 1.1 Protocol) instead of the
        /// local store; same output.
        #[arg(long)]
        endpoint: Option<String>,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Write the local graphs to a remote SPARQL 1.1 store (Graph Store Protocol `PUT` per
    /// graph, SPARQL Update as the fallback): only those changed since the last push to it.
    Push {
        /// The remote SPARQL endpoint (queries and updates), e.g. `http://host:8890/sparql`.
        #[arg(long)]
        endpoint: String,
        /// Write every graph, even those the endpoint holds from an earlier push.
        #[arg(long)]
        all: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// After each graph written, wait for a line on standard input (tests).
        #[arg(long, hide = true)]
        step: bool,
        #[command(flatten)]
        remote: RemoteArgs,
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
        /// Also map to RDF (counts triples), annotations included.
        #[arg(long)]
        map: bool,
        /// The annotation patterns used with `--map` (see `ingest`).
        #[arg(long, env = "PAESI_ANNOTATIONS")]
        annotations: Option<PathBuf>,
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
    /// Write the whole store as N-Quads to standard output, or with `--per-graph DIR` one
    /// N-Quads file per named graph and `DIR/manifest.json` (for bulk loaders).
    Export {
        /// The directory of the per-graph files.
        #[arg(long, value_name = "DIR")]
        per_graph: Option<PathBuf>,
        /// Print the manifest as JSON (with `--per-graph`).
        #[arg(long)]
        json: bool,
    },
    /// Serve the knowledge base over HTTP: SPARQL 1.1 Protocol, named queries, Linked Data,
    /// the JSON API.
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
    /// The procedure catalogue: without ID, the list (filtered by words and category); with
    /// an ID, the procedure and, for each legal basis, its text in force on `--at`.
    Procedure {
        /// A procedure identifier (e.g. `ricongiungimento-nulla-osta`), or words to filter the list.
        words: Vec<String>,
        /// Only procedures of this category.
        #[arg(long)]
        category: Option<String>,
        /// The day the norms are read on (default: today).
        #[arg(long, value_parser = parse_date)]
        at: Option<String>,
        /// Language of labels: it, en, fr, es, ar.
        #[arg(long, default_value = "it")]
        lang: String,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
        /// Compare what the catalogue states (authority, time limit, costs) with what the
        /// legal bases in force on `--at` say; exit code 1 when they disagree.
        #[arg(long)]
        check: bool,
        /// Read from this remote SPARQL endpoint (SPARQL 1.1 Protocol: a store the KB was
        /// pushed to) instead of the local store; same view, to compare the two.
        #[arg(long)]
        endpoint: Option<String>,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Every figure of the catalogue (time limits, validities, amounts, authorities) against
    /// the comma that states it, in force on `--at`: agree, disagree, unconfirmed, or stale
    /// (the comma changed since the figure was checked). Exit code 1 on a disagreement (and,
    /// with `--fail-on-stale`, on a stale figure).
    Check {
        /// Only these procedures (identifiers); all when none is given.
        ids: Vec<String>,
        /// The day the law is read on (default: today).
        #[arg(long, value_parser = parse_date)]
        at: Option<String>,
        /// Language of labels: it, en, fr, es, ar.
        #[arg(long, default_value = "it")]
        lang: String,
        /// Exit code 1 also when a figure is stale.
        #[arg(long)]
        fail_on_stale: bool,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// A norm (URN:NIR, AKN IRI or canonical IRI): its text on `--at`, the procedures resting
    /// on it, what it cites and what cites it, its amendments.
    Norm {
        /// The norm's identifier.
        identifier: String,
        /// The day the text is read on (default: today).
        #[arg(long, value_parser = parse_date)]
        at: Option<String>,
        /// Language of labels: it, en, fr, es, ar.
        #[arg(long, default_value = "it")]
        lang: String,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
        /// Read from this remote SPARQL endpoint (SPARQL 1.1 Protocol: a store the KB was
        /// pushed to) instead of the local store; same view, to compare the two.
        #[arg(long)]
        endpoint: Option<String>,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// An act: its citation, title, table of contents, the acts it amends and that amend it.
    Act {
        /// The act's identifier (URN:NIR, AKN IRI or canonical IRI).
        identifier: String,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
        /// Read from this remote SPARQL endpoint (SPARQL 1.1 Protocol: a store the KB was
        /// pushed to) instead of the local store; same view, to compare the two.
        #[arg(long)]
        endpoint: Option<String>,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Acts cited by the catalogue or the corpus but missing from the knowledge base, most
    /// needed first.
    Gaps {
        /// Language of the procedure titles: it, en, fr, es, ar.
        #[arg(long, default_value = "it")]
        lang: String,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Full-text search in Italian over articles, commi, points and procedures.
    Search {
        /// The words to find (all required; `OR` between alternatives, `"…"` for a phrase).
        query: String,
        /// Only entries of this kind: article, paragraph (comma), point, procedure.
        #[arg(long, value_parser = parse_kind)]
        kind: Option<paesi::search::Kind>,
        /// Only entries of this act: a URN:NIR, AKN IRI or canonical IRI.
        #[arg(long)]
        act: Option<String>,
        /// Only entries of acts of this canonical type (`legge`, `decreto.legislativo`…).
        #[arg(long = "type")]
        doc_type: Option<String>,
        /// Only entries in force on this day. Default: today.
        #[arg(long, value_parser = parse_date)]
        at: Option<String>,
        /// Every version, whatever its period (overrides --at).
        #[arg(long)]
        all_versions: bool,
        /// Hits per page.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Hits to skip.
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Compact the store and the text index: merge the files and segments a large ingest left,
    /// so that reads and searches run faster.
    Compact,
    /// Rebuild the full-text index from the store.
    Reindex {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Import acts from Normattiva (by URN:NIR), from URLs of AKN/NIR documents, or from a
    /// manifest; then report what changed for the procedures.
    Import {
        /// URN:NIR of acts to import (resolved through Normattiva).
        urns: Vec<String>,
        /// The URL of an AKN or NIR document (repeatable).
        #[arg(long = "url")]
        urls: Vec<String>,
        /// A TOML manifest listing acts (`[[act]]` with `urn` or `url`).
        #[arg(long)]
        manifest: Option<PathBuf>,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Build the knowledge base from the law in force: the acts of the manifest from Normattiva
    /// (as in force on `--at`, default today) and the Turtle files among PATHS (the ontology and
    /// the procedure catalogue). When Normattiva cannot be reached it says so in one line and
    /// ingests the AKN/NIR documents among PATHS instead (`corpus/`, the shared corpus…).
    Build {
        /// The manifest of the acts to import.
        #[arg(long, default_value = "corpus/manifest.toml")]
        manifest: PathBuf,
        /// Turtle files (always ingested) and local AKN/NIR documents (the fallback), files or
        /// directories.
        paths: Vec<PathBuf>,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Ask Normattiva's updated-acts feed for a window and import the acts the knowledge base
    /// holds or cites that changed.
    Sync {
        /// First day of the window.
        #[arg(long, value_parser = parse_date)]
        since: String,
        /// Last day of the window (default: today).
        #[arg(long, value_parser = parse_date)]
        until: Option<String>,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Measure search latency over a list of queries (one per line in FILE).
    #[command(hide = true)]
    BenchSearch {
        /// Queries, one per line.
        file: PathBuf,
        /// Times each query is run.
        #[arg(long, default_value_t = 20)]
        rounds: usize,
    },
    /// Measure each named query with its defaults, warm, in this process (no HTTP, no cache).
    #[command(hide = true)]
    BenchQueries {
        /// Times each query is run after one warm-up run.
        #[arg(long, default_value_t = 5)]
        rounds: usize,
        /// A run still going after this many seconds is cancelled and reported as such
        /// (whole-store aggregates at Normattiva scale run for minutes).
        #[arg(long, default_value_t = 120)]
        limit_seconds: u64,
    },
}

/// How to reach a remote SPARQL store: `push`, `query --endpoint`, `import`/`sync --push`.
#[derive(clap::Args)]
struct RemoteArgs {
    /// The remote Graph Store endpoint (SPARQL 1.1 Graph Store HTTP Protocol), e.g.
    /// `http://host:8890/sparql-graph-crud`; without it graphs are written by SPARQL Update.
    #[arg(long)]
    graph_store: Option<String>,
    /// User name (HTTP Digest when the server asks for it, else Basic).
    #[arg(long, requires = "password")]
    user: Option<String>,
    /// Password of `--user`.
    #[arg(long, env = "PAESI_REMOTE_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// A bearer token instead of a user.
    #[arg(
        long,
        env = "PAESI_REMOTE_TOKEN",
        hide_env_values = true,
        conflicts_with = "user"
    )]
    token: Option<String>,
    #[command(flatten)]
    http: HttpArgs,
}

impl RemoteArgs {
    fn target(&self, endpoint: &str) -> paesi::remote::Target {
        use paesi::import::http::Auth;
        let auth = match (&self.user, &self.password, &self.token) {
            (Some(user), Some(password), _) => Some(Auth::User {
                user: user.clone(),
                password: password.clone(),
            }),
            (_, _, Some(t)) => Some(Auth::Bearer(t.clone())),
            _ => None,
        };
        paesi::remote::Target {
            endpoint: endpoint.to_string(),
            graph_store: self.graph_store.clone(),
            auth,
            http: paesi::import::http::HttpConfig {
                min_interval: std::time::Duration::ZERO,
                user_agent: concat!("paesi/", env!("CARGO_PKG_VERSION"), " (push)").to_string(),
                ..self.http.config()
            },
        }
    }
}

/// HTTP behaviour: timeouts and retries.
#[derive(clap::Args)]
struct HttpArgs {
    /// Timeout of one HTTP request, in seconds.
    #[arg(long, default_value_t = 120)]
    timeout: u64,
    /// Retries of a request answered 5xx or 429, or not answered.
    #[arg(long, default_value_t = 4)]
    retries: u32,
    /// First retry wait in milliseconds, doubled at each retry (a Retry-After wins).
    #[arg(long, env = "PAESI_HTTP_BACKOFF_MS", default_value_t = 1000)]
    backoff_ms: u64,
    /// Factor on every wait actually slept (tests use 0; the report keeps the waits chosen).
    #[arg(
        long,
        env = "PAESI_HTTP_WAIT_SCALE",
        default_value_t = 1.0,
        hide = true
    )]
    wait_scale: f64,
}

impl HttpArgs {
    fn config(&self) -> paesi::import::http::HttpConfig {
        use std::time::Duration;
        paesi::import::http::HttpConfig {
            timeout: Duration::from_secs(self.timeout.max(1)),
            attempts: self.retries.saturating_add(1),
            backoff: Duration::from_millis(self.backoff_ms),
            wait_scale: self.wait_scale,
            ..Default::default()
        }
    }
}

/// Options shared by `import` and `sync`: the report, the day, and how to reach Normattiva.
#[derive(clap::Args)]
struct RunArgs {
    /// The day whose text in force is imported (default: today).
    #[arg(long, value_parser = parse_date)]
    at: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Exit with code 3 when a procedure is touched (for pipelines that alert).
    #[arg(long)]
    fail_on_impact: bool,
    /// Exit with code 4 when a figure of a touched procedure is stale (its comma changed since
    /// it was checked) or disagrees with its comma after the import.
    #[arg(long)]
    fail_on_stale: bool,
    /// Language of procedure labels: it, en, fr, es, ar.
    #[arg(long, default_value = "it")]
    lang: String,
    /// Base of the Normattiva open-data API.
    #[arg(long, env = "PAESI_NORMATTIVA_API", default_value = paesi::import::normattiva::DEFAULT_API)]
    api_base: String,
    /// Base of the Normattiva web site (Akoma Ntoso export).
    #[arg(long, env = "PAESI_NORMATTIVA_SITE", default_value = paesi::import::normattiva::DEFAULT_SITE)]
    site_base: String,
    /// The shortest interval between two requests, in milliseconds (politeness).
    #[arg(long, env = "PAESI_HTTP_INTERVAL_MS", default_value_t = 1000)]
    interval_ms: u64,
    /// After the import, push the graphs it changed (and any other not yet pushed) to this
    /// remote SPARQL endpoint, as `paesi push --endpoint URL` does (same options:
    /// `--graph-store`, `--user`/`--password`, `--token`).
    #[arg(long, value_name = "URL")]
    push: Option<String>,
    #[command(flatten)]
    remote: RemoteArgs,
}

impl RunArgs {
    fn settings(&self) -> Result<paesi::import::Settings, AnyError> {
        use std::time::Duration;
        Ok(paesi::import::Settings {
            endpoints: paesi::import::normattiva::Endpoints {
                api: self.api_base.clone(),
                site: self.site_base.clone(),
            },
            http: paesi::import::http::HttpConfig {
                min_interval: Duration::from_millis(self.interval_ms),
                ..self.remote.http.config()
            },
            at: self.at.clone().unwrap_or_else(paesi::dates::today),
            lang: self.lang.clone(),
            annotator: Some(load_annotator(None)?),
        })
    }
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
        Command::Ingest {
            paths,
            json,
            jobs,
            annotations,
            no_annotations,
            compact,
        } => {
            let annotator = if no_annotations {
                None
            } else {
                Some(load_annotator(annotations.as_deref())?)
            };
            cmd_ingest(&cli.data, &paths, json, jobs, annotator, compact)
        }
        Command::Query {
            query,
            file,
            name,
            params,
            list,
            format,
            at,
            endpoint,
            remote,
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
            let target = endpoint.map(|e| remote.target(&e));
            cmd_query(&cli.data, &cli.queries, source, format, at, target.as_ref())
        }
        Command::Push {
            endpoint,
            all,
            json,
            step,
            remote,
        } => {
            let options = paesi::remote::push::Options { all, step };
            cmd_push(&cli.data, &remote.target(&endpoint), &options, json)
        }
        Command::Stats { json } => cmd_stats(&cli.data, json),
        Command::Parse {
            paths,
            map,
            annotations,
            json,
            jobs,
        } => {
            let annotator = if map {
                Some(load_annotator(annotations.as_deref())?)
            } else {
                None
            };
            cmd_parse(&paths, map, json, jobs, annotator)
        }
        Command::History { identifier, json } => cmd_history(&cli.data, &identifier, json),
        Command::Export { per_graph, json } => match per_graph {
            Some(dir) => cmd_export_per_graph(&cli.data, &dir, json),
            None => cmd_export(&cli.data),
        },
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
                // POST /ingest annotates as `paesi ingest` does: the same document gives the
                // same graph whichever way it comes in
                annotator: Some(load_annotator(None)?),
            },
        ),
        Command::Procedure {
            words,
            category,
            at,
            lang,
            json,
            check,
            endpoint,
            remote,
        } => {
            if check {
                if endpoint.is_some() {
                    return Err("--check reads the local store only (no --endpoint)".into());
                }
                cmd_procedure_check(&cli.data, &words, at, &lang, json)
            } else {
                let source = lookup_source(&cli.data, endpoint.as_deref(), &remote)?;
                cmd_procedure(&*source, &words, category.as_deref(), at, &lang, json)
            }
        }
        Command::Norm {
            identifier,
            at,
            lang,
            json,
            endpoint,
            remote,
        } => {
            let source = lookup_source(&cli.data, endpoint.as_deref(), &remote)?;
            cmd_norm(&*source, &identifier, at, &lang, json)
        }
        Command::Act {
            identifier,
            json,
            endpoint,
            remote,
        } => {
            let source = lookup_source(&cli.data, endpoint.as_deref(), &remote)?;
            cmd_act(&*source, &identifier, json)
        }
        Command::Gaps { lang, json } => cmd_gaps(&cli.data, &lang, json),
        Command::Check {
            ids,
            at,
            lang,
            fail_on_stale,
            json,
        } => cmd_check(&cli.data, &ids, at, &lang, fail_on_stale, json),
        Command::Search {
            query,
            kind,
            act,
            doc_type,
            at,
            all_versions,
            limit,
            offset,
            json,
        } => {
            let at = if all_versions {
                None
            } else {
                Some(at.unwrap_or_else(paesi::dates::today))
            };
            let act = act.map(|a| canonical_act(&a)).transpose()?;
            let filters = paesi::search::Filters {
                kind,
                act,
                doc_type,
                at,
            };
            cmd_search(&cli.data, &query, &filters, limit, offset, json)
        }
        Command::Compact => cmd_compact(&cli.data),
        Command::Reindex { json } => cmd_reindex(&cli.data, json),
        Command::Import {
            urns,
            urls,
            manifest,
            run,
        } => cmd_import(&cli.data, urns, urls, manifest.as_deref(), &run),
        Command::Sync { since, until, run } => cmd_sync(&cli.data, &since, until, &run),
        Command::Build {
            manifest,
            paths,
            run,
        } => cmd_build(&cli.data, &manifest, &paths, &run),
        Command::BenchSearch { file, rounds } => cmd_bench_search(&cli.data, &file, rounds),
        Command::BenchQueries {
            rounds,
            limit_seconds,
        } => cmd_bench_queries(&cli.data, &cli.queries, rounds, limit_seconds),
    }
}

/// A `--kind` value.
fn parse_kind(s: &str) -> Result<paesi::search::Kind, String> {
    paesi::search::Kind::parse(s)
        .ok_or_else(|| format!("{s:?} is not a kind (article, paragraph, point, procedure)"))
}

/// The canonical IRI of the act an identifier names: a canonical IRI as it is, a URN:NIR, an
/// AKN IRI or an ELI (of the act or of one of its partitions) resolved to its act.
fn canonical_act(identifier: &str) -> Result<String, AnyError> {
    let id = identifier.trim();
    if id.starts_with(paesi::ids::BASE) {
        return Ok(id.to_string());
    }
    let target =
        paesi::ids::resolve_href(id, None).map_err(|e| format!("--act {identifier:?}: {e}"))?;
    Ok(target.work.iri())
}

/// A `--at` value: an ISO date.
fn parse_date(s: &str) -> Result<String, String> {
    paesi::dates::parse(s).ok_or_else(|| format!("{s:?} is not a date (YYYY-MM-DD)"))
}

/// The annotator of `ingest` and `parse --map`: the patterns of `path`, else
/// `./ontology/annotations.toml` when present, else the built-in copy.
fn load_annotator(path: Option<&Path>) -> Result<Arc<Annotator>, AnyError> {
    let local = Path::new("ontology/annotations.toml");
    let patterns = match path {
        Some(p) => Patterns::load(p)?,
        None if local.is_file() => Patterns::load(local)?,
        None => Patterns::built_in()?,
    };
    Ok(Arc::new(Annotator::new(&patterns)))
}

/// `paesi ingest`: the entry point for bringing documents into the store.
fn cmd_ingest(
    data: &Path,
    paths: &[PathBuf],
    json: bool,
    jobs: Option<usize>,
    annotator: Option<Arc<Annotator>>,
    compact: bool,
) -> Result<ExitCode, AnyError> {
    let inputs = ingest::expand(paths).map_err(|f| f.to_string())?;
    let kb = Kb::open(data)?;
    let mut opts = Options {
        progress: !json,
        annotator,
        compact,
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
        for w in &report.warnings {
            eprintln!("{}", w.as_warning());
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
        if let Some(s) = report.compact_seconds {
            writeln!(
                out,
                "store compacted and text index merged in {s:.2} s (of the total)"
            )?;
        }
        for e in &report.expressions {
            writeln!(
                out,
                "{}: {} expressions linked in time ({} versions made, {} closed by a later expression)",
                e.act, e.expressions, e.versions_created, e.versions_closed
            )?;
        }
    }
    if let Some(hint) = compact_hint(report.triples, report.compact_seconds.is_some()) {
        eprintln!("paesi: {hint}");
    }
    Ok(if report.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Quads from which an ingest without `--compact` is told to compact: RocksDB leaves the
/// files of the last commits unmerged when the ingest ends, and a store opened read-only
/// (`export`, `reindex`, `query`) never merges them (BENCHMARKS.md: `export` of the
/// uncompacted 560,000-article store wrote 2.8 GB in 18 minutes).
const COMPACT_HINT_QUADS: usize = 10_000_000;

/// The advice printed after a large ingest that did not compact the store.
fn compact_hint(quads_written: usize, compacted: bool) -> Option<String> {
    (!compacted && quads_written >= COMPACT_HINT_QUADS).then(|| {
        format!(
            "{quads_written} quads written and the store not compacted: run `paesi compact` \
             before reading it from the command line (export, reindex, query)"
        )
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
    remote: Option<&paesi::remote::Target>,
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
    if let Some(target) = remote {
        let results = paesi::remote::query::query(target, &text)?;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        write_results(results, format, &mut out)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let kb = Kb::open_read_only(data)?;
    let results = if paesi::search::sparql::uses_service(&text) {
        let (index, repair) = paesi::search::TextIndex::open(&kb)?;
        report_repair(&repair);
        kb.query_with(&text, paesi::search::sparql::evaluator(&index))?
    } else {
        kb.query(&text)?
    };
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
    annotator: Option<Arc<Annotator>>,
) -> Result<ExitCode, AnyError> {
    let inputs = ingest::expand(paths).map_err(|f| f.to_string())?;
    let mut opts = Options {
        annotator,
        ..Options::default()
    };
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

/// What `procedure`, `norm` and `act` read: the remote endpoint when one is given, else the
/// local store (read-only).
fn lookup_source(
    data: &Path,
    endpoint: Option<&str>,
    remote: &RemoteArgs,
) -> Result<Box<dyn Source>, AnyError> {
    Ok(match endpoint {
        Some(e) => Box::new(paesi::source::Remote::new(remote.target(e))?),
        None => Box::new(Kb::open_read_only(data)?),
    })
}

/// `paesi procedure`: the list, or one procedure with its norms on a day.
fn cmd_procedure(
    kb: &dyn Source,
    words: &[String],
    category: Option<&str>,
    at: Option<String>,
    lang: &str,
    json: bool,
) -> Result<ExitCode, AnyError> {
    use paesi::procedure;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let at = at.unwrap_or_else(paesi::dates::today);
    // one word that names a procedure shows it; anything else filters the list
    let shown = match words {
        [one] if category.is_none() => match procedure::show(kb, one, &at, lang) {
            Ok(view) => Some(view),
            Err(procedure::LookupError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        },
        _ => None,
    };
    match shown {
        Some(view) if json => serde_json::to_writer_pretty(&mut out, &view)?,
        Some(view) => procedure::render_procedure(&mut out, &view)?,
        None => {
            let list = procedure::list(kb, words, category, lang)?;
            if json {
                serde_json::to_writer_pretty(&mut out, &list)?;
            } else {
                for p in &list {
                    writeln!(
                        out,
                        "{:<40} {}  [{}]",
                        p.id,
                        p.title,
                        p.categories.join(", ")
                    )?;
                }
            }
        }
    }
    if json {
        writeln!(out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `paesi procedure ID --check`: the catalogue against the law in force; exit code 1 when
/// they disagree.
fn cmd_procedure_check(
    data: &Path,
    words: &[String],
    at: Option<String>,
    lang: &str,
    json: bool,
) -> Result<ExitCode, AnyError> {
    let [id] = words else {
        return Err("--check needs one procedure identifier".into());
    };
    let kb = Kb::open_read_only(data)?;
    let at = at.unwrap_or_else(paesi::dates::today);
    let report = paesi::check::check(&kb, id, &at, lang)?;
    emit(json, &report, |out| paesi::check::render(out, &report))?;
    Ok(if report.disagreements > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `paesi check`: every figure of the catalogue against its comma in force on `--at`.
fn cmd_check(
    data: &Path,
    ids: &[String],
    at: Option<String>,
    lang: &str,
    fail_on_stale: bool,
    json: bool,
) -> Result<ExitCode, AnyError> {
    let kb = Kb::open_read_only(data)?;
    let at = at.unwrap_or_else(paesi::dates::today);
    let report = paesi::check::check_catalogue(&kb, ids, &at, lang)?;
    emit(json, &report, |out| {
        paesi::check::render_catalogue(out, &report)
    })?;
    Ok(if report.fails(fail_on_stale) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `paesi norm`: a partition with its procedures, citations and amendments.
fn cmd_norm(
    kb: &dyn Source,
    identifier: &str,
    at: Option<String>,
    lang: &str,
    json: bool,
) -> Result<ExitCode, AnyError> {
    let at = at.unwrap_or_else(paesi::dates::today);
    let view = paesi::procedure::norm(kb, identifier, &at, lang)?;
    emit(json, &view, |out| paesi::procedure::render_norm(out, &view))?;
    Ok(ExitCode::SUCCESS)
}

/// `paesi act`: an act's contents and amendment links.
fn cmd_act(kb: &dyn Source, identifier: &str, json: bool) -> Result<ExitCode, AnyError> {
    let view = paesi::act::act(kb, identifier)?;
    emit(json, &view, |out| paesi::act::render(out, &view))?;
    Ok(ExitCode::SUCCESS)
}

/// `paesi gaps`: what the knowledge base lacks.
fn cmd_gaps(data: &Path, lang: &str, json: bool) -> Result<ExitCode, AnyError> {
    let kb = Kb::open_read_only(data)?;
    let gaps = paesi::procedure::gaps(&kb, lang)?;
    emit(json, &gaps, |out| paesi::procedure::render_gaps(out, &gaps))?;
    Ok(ExitCode::SUCCESS)
}

/// Prints `value` on standard output as JSON when `json`, else for people through `render`.
fn emit<T: serde::Serialize>(
    json: bool,
    value: &T,
    render: impl FnOnce(&mut std::io::BufWriter<std::io::StdoutLock<'static>>) -> std::io::Result<()>,
) -> Result<(), AnyError> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        serde_json::to_writer_pretty(&mut out, value)?;
        writeln!(out)?;
    } else {
        render(&mut out)?;
    }
    out.flush()?;
    Ok(())
}

/// `paesi export`: the store as N-Quads (e.g. to compare with `oxigraph load`).
fn cmd_export(data: &Path) -> Result<ExitCode, AnyError> {
    let kb = Kb::open_read_only(data)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    paesi::export::nquads(&kb, &mut out, Path::new("<standard output>"))?;
    out.into_inner().map_err(|e| e.into_error())?.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `paesi export --per-graph DIR`: one N-Quads file per named graph and the manifest.
fn cmd_export_per_graph(data: &Path, dir: &Path, json: bool) -> Result<ExitCode, AnyError> {
    let kb = Kb::open_read_only(data)?;
    let manifest = paesi::export::per_graph(&kb, dir)?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &manifest)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{} graphs, {} quads written to {} (manifest.json)",
            manifest.graphs.len(),
            manifest.quads,
            dir.display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `paesi push`: the graphs changed since the last push to the endpoint. Exit 1 when the
/// remote store refused a graph or did not answer (the line on stderr names it).
fn cmd_push(
    data: &Path,
    target: &paesi::remote::Target,
    options: &paesi::remote::push::Options,
    json: bool,
) -> Result<ExitCode, AnyError> {
    let kb = Kb::open_read_only(data)?;
    let report = push_and_report(&kb, target, options, json, &mut std::io::stdout().lock())?;
    Ok(if report.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Pushes, saying each graph written on stderr as it goes (`push: written GRAPH`), the
/// failure on stderr, and the report (JSON or text) on `out`.
fn push_and_report(
    kb: &Kb,
    target: &paesi::remote::Target,
    options: &paesi::remote::push::Options,
    json: bool,
    out: &mut impl Write,
) -> Result<paesi::remote::push::PushReport, AnyError> {
    use paesi::remote::push::{self, Status};
    let mut progress = |g: &push::GraphReport| {
        if g.status == Status::Written {
            eprintln!("push: written {}", g.graph);
        }
    };
    let report = push::push(kb, target, options, &mut progress)?;
    if let Some(line) = push::failure_line(&report) {
        eprintln!("paesi: {line}");
    }
    if json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        push::render(out, &report)?;
    }
    out.flush()?;
    Ok(report)
}

/// Says on standard error what opening the text index repaired.
fn report_repair(repair: &paesi::search::Repair) {
    if repair.busy {
        eprintln!("paesi: text index: an ingest is updating it; searching it as it is");
    }
    if !repair.is_clean() {
        eprintln!(
            "paesi: text index repaired: {} graphs (re)indexed, {} deleted{}",
            repair.indexed.len(),
            repair.deleted.len(),
            if repair.verified {
                " (after an interrupted ingest)"
            } else {
                ""
            }
        );
    }
}

/// `paesi search`: full-text search in Italian, with filters.
fn cmd_search(
    data: &Path,
    query: &str,
    filters: &paesi::search::Filters,
    limit: usize,
    offset: usize,
    json: bool,
) -> Result<ExitCode, AnyError> {
    let kb = Kb::open_read_only(data)?;
    let (index, repair) = paesi::search::TextIndex::open(&kb)?;
    report_repair(&repair);
    let hits = index.search(query, filters, limit, offset)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        serde_json::to_writer_pretty(&mut out, &hits)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{} hits", hits.total)?;
        for (i, h) in hits.hits.iter().enumerate() {
            writeln!(
                out,
                "{:>3}. {}  [{:.2}] ({})",
                offset + i + 1,
                h.citation,
                h.score,
                period(&h.from, &h.until)
            )?;
            writeln!(out, "     {}", h.iri)?;
            writeln!(out, "     {}", h.snippet)?;
        }
    }
    out.flush()?;
    Ok(if hits.total == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `paesi compact`: RocksDB's full compaction of the store and the merge of the text index's
/// segments into one (what `ingest --compact` does at its end), for a store built by several
/// ingest runs.
fn cmd_compact(data: &Path) -> Result<ExitCode, AnyError> {
    let kb = Kb::open(data)?;
    let started = std::time::Instant::now();
    kb.compact()?;
    let compacted = started.elapsed().as_secs_f64();
    let started = std::time::Instant::now();
    let (index, repair) = paesi::search::TextIndex::open(&kb)?;
    report_repair(&repair);
    let segments = index.merge_segments()?;
    let merged = started.elapsed().as_secs_f64();
    let index_line = match segments {
        0 => "empty, nothing to merge".to_string(),
        1 => "one segment already, nothing to merge".to_string(),
        n => format!("{n} segments merged into one in {merged:.2} s"),
    };
    writeln!(
        std::io::stdout().lock(),
        "store compacted in {compacted:.2} s; text index: {index_line}"
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `paesi reindex`: rebuild the text index from the store.
fn cmd_reindex(data: &Path, json: bool) -> Result<ExitCode, AnyError> {
    let kb = Kb::open_read_only(data)?;
    let started = std::time::Instant::now();
    let (_, done) = paesi::search::TextIndex::reindex(&kb)?;
    let seconds = started.elapsed().as_secs_f64();
    let mut out = std::io::stdout().lock();
    if json {
        let mut v = serde_json::to_value(&done)?;
        v["seconds"] = serde_json::json!(seconds);
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{} graphs, {} entries indexed in {:.2} s ({:.0} entries/s)",
            done.graphs,
            done.entries,
            seconds,
            done.entries as f64 / seconds.max(1e-9)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `paesi import`: acts by URN, URL or manifest, with the impact report.
fn cmd_import(
    data: &Path,
    urns: Vec<String>,
    urls: Vec<String>,
    manifest: Option<&Path>,
    run: &RunArgs,
) -> Result<ExitCode, AnyError> {
    use paesi::import::{self, Source};
    let mut sources: Vec<Source> = Vec::new();
    if let Some(m) = manifest {
        sources.extend(import::manifest::read(m)?);
    }
    sources.extend(urns.into_iter().map(|urn| Source::Urn { urn, at: None }));
    sources.extend(urls.into_iter().map(Source::Url));
    if sources.is_empty() {
        return Err("nothing to import: give URNs, --url or --manifest".into());
    }
    let kb = Kb::open(data)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let report = import_and_report(&kb, &sources, &run.settings()?, run, &mut out)?;
    out.flush()?;
    Ok(import_exit(&report, run))
}

/// Imports the sources, checks the figures of the procedures touched, writes the failures to
/// stderr and the report (JSON or text) to `out`.
fn import_and_report(
    kb: &Kb,
    sources: &[paesi::import::Source],
    settings: &paesi::import::Settings,
    run: &RunArgs,
    out: &mut impl Write,
) -> Result<paesi::import::report::ImportReport, AnyError> {
    use paesi::import;
    let mut report = import::import(kb, sources, settings)?;
    report.figures = touched_figures(kb, &report.procedures_touched, run)?;
    report.push = push_after(kb, run)?;
    import::report::render_failures(&mut std::io::stderr().lock(), &report)?;
    if run.json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        import::report::render_import(out, &report)?;
    }
    Ok(report)
}

/// `paesi build`: the catalogue and the law in force from Normattiva, or the local documents
/// when Normattiva cannot be reached.
fn cmd_build(
    data: &Path,
    manifest: &Path,
    paths: &[PathBuf],
    run: &RunArgs,
) -> Result<ExitCode, AnyError> {
    use paesi::import;
    let inputs = ingest::expand(paths).map_err(|f| f.to_string())?;
    let (turtle, documents): (Vec<_>, Vec<_>) =
        inputs.into_iter().partition(|i| i.name().ends_with(".ttl"));
    let kb = Kb::open(data)?;
    let opts = Options {
        progress: false,
        annotator: Some(load_annotator(None)?),
        ..Options::default()
    };
    let settings = run.settings()?;
    let local = |kb: &Kb, inputs: Vec<ingest::Input>| -> Result<ingest::Report, AnyError> {
        let report = ingest::ingest(kb, inputs, &opts);
        for f in &report.failures {
            eprintln!("{f}");
        }
        Ok(report)
    };
    let catalogue = local(&kb, turtle)?;
    let mut failed = catalogue.failed;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match import::reachable(&settings) {
        Err(why) => {
            eprintln!(
                "paesi: Normattiva cannot be reached ({why}): building from the local documents ({} files)",
                documents.len()
            );
            let report = local(&kb, documents)?;
            failed += report.failed;
            if run.json {
                serde_json::to_writer_pretty(&mut out, &report)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{} ontology files and {} local documents ingested, {} failed; {} triples",
                    catalogue.ontology_files,
                    report.documents,
                    failed,
                    kb.stats()?.quads
                )?;
            }
        }
        Ok(()) => {
            let sources = import::manifest::read(manifest)?;
            let report = import_and_report(&kb, &sources, &settings, run, &mut out)?;
            failed += report.failed;
            if !run.json {
                writeln!(
                    out,
                    "{} ontology files ingested; {} triples",
                    catalogue.ontology_files,
                    kb.stats()?.quads
                )?;
            }
        }
    }
    out.flush()?;
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `paesi sync`: the updated-acts feed over a window, then the import of what the KB knows.
fn cmd_sync(
    data: &Path,
    since: &str,
    until: Option<String>,
    run: &RunArgs,
) -> Result<ExitCode, AnyError> {
    let kb = Kb::open(data)?;
    let until = until.unwrap_or_else(paesi::dates::today);
    let mut report = paesi::import::sync(&kb, since, &until, &run.settings()?)?;
    report.import.figures = touched_figures(&kb, &report.import.procedures_touched, run)?;
    report.import.push = push_after(&kb, run)?;
    paesi::import::report::render_failures(&mut std::io::stderr().lock(), &report.import)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if run.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        paesi::import::report::render_sync(&mut out, &report)?;
    }
    out.flush()?;
    Ok(import_exit(&report.import, run))
}

/// With `--push URL`, the push that follows an import: the graphs it changed (and any other
/// the endpoint lacks), as `paesi push` writes them; the graphs written are named on stderr.
fn push_after(kb: &Kb, run: &RunArgs) -> Result<Option<paesi::remote::push::PushReport>, AnyError> {
    use paesi::remote::push;
    let Some(endpoint) = &run.push else {
        return Ok(None);
    };
    let target = run.remote.target(endpoint);
    let mut progress = |g: &push::GraphReport| {
        if g.status == push::Status::Written {
            eprintln!("push: written {}", g.graph);
        }
    };
    let report = push::push(kb, &target, &push::Options::default(), &mut progress)?;
    if let Some(line) = push::failure_line(&report) {
        eprintln!("paesi: {line}");
    }
    Ok(Some(report))
}

/// The figures of the procedures an import touched, checked against the law in force on the
/// import's day (today by default); None when it touched none.
fn touched_figures(
    kb: &Kb,
    touched: &[String],
    run: &RunArgs,
) -> Result<Option<paesi::check::CatalogueCheck>, AnyError> {
    if touched.is_empty() {
        return Ok(None);
    }
    let at = run.at.clone().unwrap_or_else(paesi::dates::today);
    Ok(Some(paesi::check::check_catalogue(
        kb, touched, &at, &run.lang,
    )?))
}

/// The exit code of an import: 1 when a source failed or the push after it (`--push`) did, else 4 when a touched procedure's
/// figure is stale or disagrees and `--fail-on-stale` asks so, else 3 when a procedure is
/// touched and `--fail-on-impact` asks so, else 0.
fn import_exit(report: &paesi::import::report::ImportReport, run: &RunArgs) -> ExitCode {
    let alert = report
        .figures
        .as_ref()
        .is_some_and(|c| c.totals.stale > 0 || c.totals.disagree > 0);
    let push_failed = report.push.as_ref().is_some_and(|p| p.failed > 0);
    if report.failed > 0 || push_failed {
        ExitCode::from(1)
    } else if run.fail_on_stale && alert {
        ExitCode::from(4)
    } else if run.fail_on_impact && !report.procedures_touched.is_empty() {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}

/// `paesi bench-queries`: each named query with its defaults (in force today), one warm-up
/// run then `rounds` timed runs (only the first run when it took over 2 s), each evaluated and written as SPARQL JSON to nowhere: one line
/// per query with its rows, p50 and max in milliseconds.
fn cmd_bench_queries(
    data: &Path,
    queries: &Path,
    rounds: usize,
    limit_seconds: u64,
) -> Result<ExitCode, AnyError> {
    use oxigraph::sparql::{CancellationToken, SparqlEvaluator};
    let kb = Kb::open_read_only(data)?;
    let (index, repair) = paesi::search::TextIndex::open(&kb)?;
    report_repair(&repair);
    // a query whose first run takes longer than this is not run again: that run is its figure
    const SLOW: std::time::Duration = std::time::Duration::from_secs(2);
    let limit = std::time::Duration::from_secs(limit_seconds);
    let mut out = std::io::stdout().lock();
    for query in paesi::named::list(queries)? {
        let text = query.bind(&Default::default(), None)?;
        let mut millis = Vec::with_capacity(rounds);
        let mut rows = 0;
        let mut cancelled = false;
        for round in 0..=rounds.max(1) {
            let token = CancellationToken::new();
            let evaluator = if paesi::search::sparql::uses_service(&text) {
                paesi::search::sparql::evaluator(&index)
            } else {
                SparqlEvaluator::new()
            };
            let t = std::time::Instant::now();
            let answer = std::thread::scope(|scope| {
                let (done, finished) = std::sync::mpsc::channel::<()>();
                let timer = token.clone();
                scope.spawn(move || {
                    if finished.recv_timeout(limit).is_err() {
                        timer.cancel();
                    }
                });
                let answer = kb
                    .query_with(&text, evaluator.with_cancellation_token(token.clone()))
                    .map_err(AnyError::from)
                    .and_then(|r| {
                        write_results(r, OutputFormat::Json, &mut std::io::sink())
                            .map_err(AnyError::from)
                    });
                let _ = done.send(());
                answer
            });
            match answer {
                Ok(n) => rows = n,
                Err(_) if token.is_cancelled() => {
                    cancelled = true;
                    break;
                }
                Err(e) => return Err(e),
            }
            if round > 0 {
                millis.push(t.elapsed().as_secs_f64() * 1000.0);
            } else if t.elapsed() > SLOW {
                // its own evaluation outweighs any warming: the one run is the figure
                millis.push(t.elapsed().as_secs_f64() * 1000.0);
                break;
            }
        }
        if cancelled {
            writeln!(out, "{}|cancelled after {limit_seconds} s", query.name)?;
            continue;
        }
        millis.sort_by(f64::total_cmp);
        writeln!(
            out,
            "{}|{rows} rows|{} runs|p50 {:.1} ms|max {:.1} ms",
            query.name,
            millis.len(),
            millis[millis.len() / 2],
            millis[millis.len() - 1]
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `paesi bench-search`: search latency over a list of queries (in force today, 10 hits).
fn cmd_bench_search(data: &Path, file: &Path, rounds: usize) -> Result<ExitCode, AnyError> {
    let queries: Vec<String> = std::fs::read_to_string(file)
        .map_err(|e| format!("{}: {e}", file.display()))?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    if queries.is_empty() {
        return Err(format!("{}: no queries", file.display()).into());
    }
    let kb = Kb::open_read_only(data)?;
    let started = std::time::Instant::now();
    let (index, repair) = paesi::search::TextIndex::open(&kb)?;
    let open_seconds = started.elapsed().as_secs_f64();
    report_repair(&repair);
    let filters = paesi::search::Filters {
        at: Some(paesi::dates::today()),
        ..Default::default()
    };
    let mut micros = Vec::with_capacity(queries.len() * rounds);
    let mut hits = 0;
    for _ in 0..rounds.max(1) {
        for q in &queries {
            let t = std::time::Instant::now();
            hits += index.search(q, &filters, 10, 0)?.hits.len();
            micros.push(t.elapsed().as_micros());
        }
    }
    micros.sort_unstable();
    let pct = |p: f64| micros[((micros.len() - 1) as f64 * p).round() as usize];
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} entries; open+check {:.3} s; {} searches ({} queries x {} rounds), {} hits; p50 {} µs, p90 {} µs, p99 {} µs, max {} µs",
        index.entries()?,
        open_seconds,
        micros.len(),
        queries.len(),
        rounds.max(1),
        hits,
        pct(0.5),
        pct(0.9),
        pct(0.99),
        micros[micros.len() - 1]
    )?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_ingest_without_compaction_is_told_to_compact() {
        assert_eq!(compact_hint(COMPACT_HINT_QUADS - 1, false), None);
        assert_eq!(compact_hint(62_723_526, true), None);
        let hint = compact_hint(COMPACT_HINT_QUADS, false).expect("a hint");
        assert!(hint.starts_with("10000000 quads written"), "{hint}");
        assert!(hint.contains("`paesi compact`"), "{hint}");
    }
}
