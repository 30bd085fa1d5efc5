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
mod eval;
mod fmt;
mod paths;
mod signals;
mod test;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
        /// The rule directory.
        #[arg(default_value = "rules")]
        rules: PathBuf,
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
    /// Run the policy's test cases (RULES_DIR/tests/*.yaml).
    Test {
        /// The rule directory.
        #[arg(default_value = "rules")]
        rules: PathBuf,
        /// Report rules and group conditions the cases never exercised.
        #[arg(long)]
        coverage: bool,
        /// Also test the cases: nudge every threshold, flip every bound and
        /// swap every `all of`/`any of`, and list each change no case
        /// notices (exit 1 when there is one).
        #[arg(long)]
        mutate: bool,
        /// With --mutate: run at most N mutants (the first, in reading
        /// order); the report lists the rest by rule and the run exits 1.
        #[arg(long, value_name = "N", requires = "mutate",
              value_parser = clap::value_parser!(u64).range(1..))]
        max_mutants: Option<u64>,
        /// With --mutate: start no mutant after SECS seconds; the report
        /// lists the rest by rule and the run exits 1.
        #[arg(long, value_name = "SECS", requires = "mutate",
              value_parser = clap::value_parser!(u64).range(1..=86_400))]
        mutate_time: Option<u64>,
    },
    /// Show what a rule change does: both versions decide the same records.
    Diff(diff::DiffArgs),
    /// Rewrite rule files in canonical layout (`--check`: only list them).
    Fmt(fmt::FmtArgs),
    /// Serve the Language Server Protocol on stdin/stdout, for editors.
    Lsp,
    /// Print a synthetic corpus of snapshots (JSONL) for benchmarks.
    Gen {
        /// Number of snapshots.
        #[arg(long, default_value_t = 1000)]
        n: u64,
        /// Random seed: the same seed gives the same corpus.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Percentage of bad records.
        #[arg(long, default_value_t = 0)]
        bad_percent: u64,
    },
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
        } => check::run(&rules, format, deny_warnings, horizon),
        Command::Eval(args) => eval::run(&args, format),
        Command::Batch(args) => batch::run(&args, format),
        Command::Test {
            rules,
            coverage,
            mutate,
            max_mutants,
            mutate_time,
        } => test::run(
            &rules,
            test::Options {
                coverage,
                mutate,
                max_mutants,
                mutate_time,
            },
            format,
        ),
        Command::Diff(args) => diff::run(&args, format),
        Command::Fmt(args) => fmt::run(&args, format),
        Command::Gen {
            n,
            seed,
            bad_percent,
        } => gen(n, seed, bad_percent),
        Command::Lsp => crate::lsp::run()
            .map(|()| ExitCode::SUCCESS)
            .map_err(Stop::Failed),
    };
    match result.and_then(|code| console::flush().map(|()| code)) {
        Ok(code) => code,
        Err(stop) => stop.exit_code(),
    }
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

fn gen(n: u64, seed: u64, bad_percent: u64) -> Result<ExitCode, Stop> {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let mut failed = None;
    crate::gen::corpus_until(n, seed, bad_percent, |line| match writeln!(out, "{line}") {
        Ok(()) => std::ops::ControlFlow::Continue(()),
        Err(e) => {
            failed = Some(e);
            std::ops::ControlFlow::Break(())
        }
    });
    match failed.map_or_else(|| out.flush(), Err) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => Err(Stop::writing("standard output", &e)),
    }
}

/// Limits on numeric flags: beyond them a run would spawn threads for
/// minutes or reserve memory it cannot have, so they are refused up front.
const MAX_THREADS: usize = 256;
const MAX_CHUNK: usize = 1 << 20;
const MAX_RECORD_BYTES: usize = 1 << 30;

fn bounded(text: &str, what: &str, max: usize) -> Result<usize, String> {
    let n: usize = text
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number"))?;
    if n == 0 || n > max {
        return Err(format!("{what} must be between 1 and {max}"));
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

/// `--max-record-bytes`: 1 byte to 1 GiB.
fn record_bytes(text: &str) -> Result<usize, String> {
    bounded(text, "the record size limit", MAX_RECORD_BYTES)
}
