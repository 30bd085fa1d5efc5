//! Command-line verbs. Each is thin: read input, call the library, render,
//! map to an exit code.
//!
//! Exit codes: 0 all good; 1 the verb found what it looks for (rule
//! errors, bad records, files to reformat); 2 unusable rules, arguments or
//! unreadable files.

mod batch;
mod check;
mod diff;
mod eval;
mod fmt;
mod test;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use verdikt::{Checked, ErrorFormat, Policy};

/// verdikt: rule files in, decisions with explanations out.
#[derive(Debug, Parser)]
#[command(
    name = "verdikt",
    version,
    about,
    after_help = "Exit codes: 0 success; 1 rule errors, rejected records or files `fmt --check` would change; 2 unusable rules, arguments or unreadable input."
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
    },
    /// Show what a rule change does: both versions decide the same records.
    Diff(diff::DiffArgs),
    /// Rewrite rule files in canonical layout (`--check`: only list them).
    Fmt(fmt::FmtArgs),
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

pub fn run(cli: Cli) -> ExitCode {
    let format = cli.error_format.into();
    match cli.command {
        Command::Check {
            rules,
            deny_warnings,
        } => check::run(&rules, format, deny_warnings),
        Command::Eval(args) => eval::run(&args, format),
        Command::Batch(args) => batch::run(&args, format),
        Command::Test { rules, coverage } => test::run(&rules, coverage, format),
        Command::Diff(args) => diff::run(&args, format),
        Command::Fmt(args) => fmt::run(&args, format),
        Command::Gen {
            n,
            seed,
            bad_percent,
        } => gen(n, seed, bad_percent),
    }
}

/// Loads and checks rules; prints diagnostics; `Err` carries the exit code.
fn load_policy(dir: &Path, format: ErrorFormat) -> Result<Policy, ExitCode> {
    match verdikt::check_dir(dir) {
        Ok(checked) => usable_policy(checked, &dir.display().to_string(), format),
        Err(e) => {
            eprintln!("error: {e}");
            Err(ExitCode::from(2))
        }
    }
}

/// Prints the diagnostics of checked rules; the policy when it has no error.
fn usable_policy(checked: Checked, label: &str, format: ErrorFormat) -> Result<Policy, ExitCode> {
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
        eprintln!(
            "warning: the rules in `{label}` have {n} warning{}; `verdikt check` shows them",
            if n == 1 { "" } else { "s" }
        );
    } else if !diagnostics.is_empty() {
        eprint!(
            "{}",
            verdikt::diagnostic::render(&diagnostics, &sources, format)
        );
    }
    policy.ok_or_else(|| {
        eprintln!("error: the rules in `{label}` have errors; nothing was evaluated");
        ExitCode::from(2)
    })
}

/// The worker pool of `batch` and `diff`: `None` means all cores.
fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, ExitCode> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start worker threads: {e}");
            ExitCode::from(2)
        })
}

fn gen(n: u64, seed: u64, bad_percent: u64) -> ExitCode {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let mut failed = None;
    verdikt::gen::corpus(n, seed, bad_percent, |line| {
        if failed.is_none() {
            if let Err(e) = writeln!(out, "{line}") {
                failed = Some(e);
            }
        }
    });
    match failed.map_or_else(|| out.flush(), Err) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
