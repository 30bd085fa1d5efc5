//! `verdikt gen`: a synthetic corpus of snapshots (JSONL). With `--rules`
//! it follows that policy's schema and thresholds; without, it prints the
//! fixed template of the shipped policy (the benchmark corpus).

use std::io::Write;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::ErrorFormat;
use clap::Args;

use super::console::Stop;

#[derive(Debug, Args)]
pub(super) struct GenArgs {
    /// Number of snapshots.
    #[arg(long, default_value_t = 1000)]
    n: u64,
    /// Random seed: the same seed gives the same corpus.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Percentage of bad records.
    #[arg(long, default_value_t = 0, value_parser = super::percent)]
    bad_percent: u64,
    /// Follow this policy's schema: every field, type, range, enum value and
    /// optional field, with values at and around its rules' thresholds.
    /// Without it, the fixed template of the shipped policy is printed.
    #[arg(long)]
    rules: Option<PathBuf>,
}

pub(super) fn run(args: &GenArgs, format: ErrorFormat) -> Result<ExitCode, Stop> {
    // `--rules`, else the project's rules; outside a project, the template.
    let rules = match &args.rules {
        Some(dir) => Some(dir.clone()),
        None => match crate::project::locate(None, "verdikt gen --rules path/to/rules") {
            Ok(project) => Some(project.rules),
            Err(crate::project::ProjectError::NotFound { .. }) => None,
            Err(e) => return Err(Stop::Failed(e.to_string())),
        },
    };
    let policy = match &rules {
        Some(dir) => Some(super::load_policy(dir, format)?),
        None => None,
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let mut failed = None;
    let sink = |line: &str| match writeln!(out, "{line}") {
        Ok(()) => ControlFlow::Continue(()),
        Err(e) => {
            failed = Some(e);
            ControlFlow::Break(())
        }
    };
    match &policy {
        Some(policy) => {
            crate::gen::policy_corpus_until(policy, args.n, args.seed, args.bad_percent, sink)
        }
        None => crate::gen::corpus_until(args.n, args.seed, args.bad_percent, sink),
    }
    match failed.map_or_else(|| out.flush(), Err) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => Err(Stop::writing("standard output", &e)),
    }
}
