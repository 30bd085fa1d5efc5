//! Command-line verbs. Each is thin: read input, call the library, render,
//! map to an exit code.
//!
//! Exit codes: 0 all good; 1 the verb found what it looks for (rule
//! errors, bad records, files to reformat); 2 unusable rules, arguments or
//! unreadable files.

#[macro_use]
mod console;
mod batch;
mod check;
mod diff;
mod doc;
mod eval;
mod fmt;
mod gen;
mod init;
mod paths;
mod signals;
mod test;
mod watch;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::project::Project;
use crate::{Checked, ErrorFormat, Policy};
use clap::{Parser, Subcommand, ValueEnum};

use console::Stop;

/// verdikt: rule files in, decisions with explanations out.
#[derive(Debug, Parser)]
#[command(
    name = "verdikt",
    version,
    about,
    after_help = "Exit codes: 0 success; 1 rule errors, rejected records, failing cases or files `fmt --check` would change; 2 unusable rules, arguments, unreadable input or unwritable output; 141 an output pipe was closed; 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP (no temporary file is left)."
)]
pub struct Cli {
    /// How diagnostics are printed.
    #[arg(long, global = true, value_enum, default_value = "human")]
    error_format: Format,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Plain,
    Json,
}

impl From<Format> for ErrorFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Human => ErrorFormat::Human,
            Format::Plain => ErrorFormat::Plain,
            Format::Json => ErrorFormat::Json,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check rule files and print every problem found.
    Check {
        /// The rule directory, or a project folder (default: the project
        /// around the current directory, found by its `verdikt.toml`).
        rules: Option<PathBuf>,
        /// Exit with 1 on warnings too, not only on errors.
        #[arg(long)]
        deny_warnings: bool,
        /// The dates the policy must decide (`2026-01-01..2027-12-31`):
        /// warn when a calendar the rules use does not cover them all.
        #[arg(long, value_name = "FROM..TO", value_parser = crate::calendar::DateSpan::parse)]
        horizon: Option<crate::calendar::DateSpan>,
    },
    /// Decide snapshots (.json, .jsonl, .yaml) and print decision records.
    Eval(eval::EvalArgs),
    /// Decide many snapshots: JSONL, JSON array, YAML, CSV (optionally gzip).
    Batch(batch::BatchArgs),
    /// Run the policy's test cases (the project's `cases`, or
    /// RULES_DIR/tests/*.yaml) and compare its example merchants' decisions
    /// (`merchants`, default RULES_DIR/merchants/) with the stored ones
    /// (`decisions`, default RULES_DIR/decisions/).
    Test {
        /// The rule directory, or a project folder (default: the project
        /// around the current directory, found by its `verdikt.toml`).
        rules: Option<PathBuf>,
        #[command(flatten)]
        options: test::Options,
    },
    /// Show what a rule change does: both versions decide the same records.
    Diff(diff::DiffArgs),
    /// Rewrite rule files in canonical layout (`--check`: only list them).
    Fmt(fmt::FmtArgs),
    /// Create a policy project: manifest, schema, one ruleset, its cases,
    /// an example merchant, a README for authors and a CI script.
    Init {
        /// The project's folder, created if need be (default: the current
        /// directory). Existing files are never overwritten.
        dir: Option<PathBuf>,
    },
    /// Render the policy as a book for reviewers: every rule and condition,
    /// outputs, merchant texts, calendars and test coverage (Markdown or
    /// one HTML page).
    Doc(doc::DocArgs),
    /// Serve the Language Server Protocol on stdin/stdout, for editors.
    Lsp,
    /// Print a synthetic corpus of snapshots (JSONL): from the schema of
    /// `--rules` or the project's, else a fixed template for benchmarks.
    Gen(gen::GenArgs),
}

/// Runs the command line: parses the process arguments, runs the verb and
/// gives its exit code.
pub fn main() -> ExitCode {
    run(Cli::parse())
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    signals::install();
    let format = cli.error_format.into();
    let result = match cli.command {
        Command::Check {
            rules,
            deny_warnings,
            horizon,
        } => project(rules.as_deref(), "verdikt check path/to/rules")
            .and_then(|p| check::run(&p, format, deny_warnings, horizon)),
        Command::Eval(args) => eval::run(&args, format),
        Command::Batch(args) => batch::run(&args, format),
        Command::Test { rules, options } => project(rules.as_deref(), "verdikt test path/to/rules")
            .and_then(|p| {
                let folders = crate::decision_snapshots::Folders {
                    merchants: p.merchants,
                    decisions: p.decisions,
                };
                test::run(&p.rules, &p.cases, &folders, &options, format)
            }),
        Command::Diff(args) => diff::run(&args, format),
        Command::Fmt(args) => fmt::run(&args, format),
        Command::Doc(args) => doc::run(&args, format),
        Command::Gen(args) => gen::run(&args, format),
        Command::Init { dir } => init::run(dir.as_deref().unwrap_or(Path::new("."))),
        Command::Lsp => crate::lsp::run()
            .map(|()| ExitCode::SUCCESS)
            .map_err(Stop::Failed),
    };
    match result.and_then(|code| console::flush().map(|()| code)) {
        Ok(code) => code,
        Err(stop) => stop.exit_code(),
    }
}

/// The policy project a verb works on: the path given on its command line,
/// else the `verdikt.toml` around the current directory. `example` shows,
/// when there is none, how to name the rules instead.
fn project(explicit: Option<&Path>, example: &'static str) -> Result<Project, Stop> {
    crate::project::locate(explicit, example).map_err(|e| Stop::Failed(e.to_string()))
}

/// The rules directory a verb reads: `--rules`, else the project's.
fn rules_dir(explicit: Option<&Path>, example: &'static str) -> Result<PathBuf, Stop> {
    project(explicit, example).map(|p| p.rules)
}

/// Loads and checks rules; prints diagnostics; stops unless they are usable.
fn load_policy(dir: &Path, format: ErrorFormat) -> Result<Policy, Stop> {
    match crate::check_dir(dir) {
        Ok(checked) => usable_policy(checked, &dir.display().to_string(), format),
        Err(e) => Err(Stop::Failed(e.to_string())),
    }
}

/// Prints the diagnostics of checked rules; the policy when it has no error.
fn usable_policy(checked: Checked, label: &str, format: ErrorFormat) -> Result<Policy, Stop> {
    let Checked {
        policy,
        diagnostics,
        sources,
    } = checked;
    // Errors stop the verb and are shown in full; warnings do not, so a
    // person gets one line pointing at `verdikt check` (JSON stays complete).
    let warnings_only = diagnostics.iter().all(|d| !d.is_error());
    if warnings_only && !diagnostics.is_empty() && format != ErrorFormat::Json {
        let n = diagnostics.len();
        tell!(
            "warning: the rules in `{label}` have {n} warning{}; `verdikt check` shows them",
            if n == 1 { "" } else { "s" }
        )?;
    } else if !diagnostics.is_empty() {
        tell_raw!(
            "{}",
            crate::diagnostic::render(&diagnostics, &sources, format)
        )?;
    }
    policy.ok_or_else(|| {
        Stop::Failed(format!(
            "the rules in `{label}` have errors; nothing was evaluated"
        ))
    })
}

/// A flag given by its new name, or by the deprecated `--format` (with a
/// warning naming the new one). `--format` meant the input format in one
/// verb and the report format in another; now each meaning has one name.
fn renamed<T>(new: Option<T>, old: Option<T>, name: &str) -> Result<Option<T>, Stop> {
    if old.is_some() {
        tell!("warning: `--format` is deprecated here; use `{name}`")?;
    }
    Ok(new.or(old))
}

/// The worker pool of `batch` and `diff`: `None` means all cores.
fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Stop> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| Stop::Failed(format!("cannot start worker threads: {e}")))
}

/// Limits on numeric flags: beyond them a run would spawn threads for
/// minutes or reserve memory it cannot have, so they are refused up front.
const MAX_THREADS: usize = 256;
const MAX_CHUNK: usize = 1 << 20;
const MAX_RECORD_BYTES: usize = 1 << 30;

const MIN_CHUNK_BYTES: usize = 64 << 10;
const MAX_CHUNK_BYTES: usize = 1 << 30;

fn bounded(text: &str, what: &str, max: usize) -> Result<usize, String> {
    bounded_from(text, what, 1, max)
}

fn bounded_from(text: &str, what: &str, min: usize, max: usize) -> Result<usize, String> {
    let too_large = || format!("`{text}` is too large: {what} must be between {min} and {max}");
    let n: usize = match text.parse() {
        Ok(n) => n,
        Err(_) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
            return Err(too_large())
        }
        Err(_) => return Err(format!("`{text}` is not a whole number")),
    };
    if n > max {
        return Err(too_large());
    }
    if n < min {
        return Err(format!("{what} must be between {min} and {max}"));
    }
    Ok(n)
}

/// `--threads`: 1 to [`MAX_THREADS`].
fn threads(text: &str) -> Result<usize, String> {
    bounded(text, "the number of threads", MAX_THREADS)
}

/// `--chunk`: 1 to [`MAX_CHUNK`] records.
fn chunk(text: &str) -> Result<usize, String> {
    bounded(text, "the chunk size", MAX_CHUNK)
}

/// `--chunk-bytes`: 64 KiB to 1 GiB.
fn chunk_bytes(text: &str) -> Result<usize, String> {
    bounded_from(
        text,
        "the chunk byte budget",
        MIN_CHUNK_BYTES,
        MAX_CHUNK_BYTES,
    )
}

/// `--max-rejects`: at least 1. Zero would abort before any record is
/// rejected, or (as it once did) mean no limit: refused, not guessed.
fn max_rejects(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(0) => Err(
            "the number of rejects to abort at must be at least 1 (1 aborts at the first rejected record); leave `--max-rejects` out for no limit".into(),
        ),
        Ok(n) => Ok(n),
        Err(_) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => Err(format!(
            "`{text}` is too large: leave `--max-rejects` out for no limit"
        )),
        Err(_) => Err(format!("`{text}` is not a whole number")),
    }
}

/// `gen --bad-percent`: 0 to 100.
fn percent(text: &str) -> Result<u64, String> {
    let n = bounded_from(text, "the percentage of bad records", 0, 100)?;
    Ok(n as u64)
}

/// `--max-record-bytes`: 1 byte to 1 GiB.
fn record_bytes(text: &str) -> Result<usize, String> {
    bounded(text, "the record size limit", MAX_RECORD_BYTES)
}
