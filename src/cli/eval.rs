//! `verdikt eval`: decide snapshots and print decision records.

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::batch::{self, Format, Input, Unit};
use crate::{Decision, ErrorFormat, Mode};
use clap::Args;

use super::console::Stop;

#[derive(Debug, Args)]
pub(super) struct EvalArgs {
    /// The rule directory (default: the project's, found by `verdikt.toml`).
    #[arg(long)]
    rules: Option<PathBuf>,
    /// Print a readable explanation instead of JSON.
    #[arg(long, conflicts_with = "trace")]
    explain: bool,
    /// Print the explanation and every condition tried.
    #[arg(long)]
    trace: bool,
    /// Input format, when the name does not tell (stdin, other extensions).
    #[arg(long, value_enum)]
    input_format: Option<Format>,
    /// Deprecated spelling of `--input-format`.
    #[arg(
        long = "format",
        value_enum,
        hide = true,
        conflicts_with = "input_format"
    )]
    format: Option<Format>,
    /// A record longer than this is rejected without being read whole.
    #[arg(long, default_value_t = 1 << 20, value_parser = super::record_bytes)]
    max_record_bytes: usize,
    /// Snapshot files: .json (one object or an array), .jsonl (one per
    /// line), .yaml/.yml (one per document), .csv; `-` is stdin.
    #[arg(required = true)]
    snapshots: Vec<String>,
}

pub(super) fn run(args: &EvalArgs, format: ErrorFormat) -> Result<ExitCode, Stop> {
    let input_format = super::renamed(args.input_format, args.format, "--input-format")?;
    let rules = super::rules_dir(
        args.rules.as_deref(),
        "verdikt eval --rules path/to/rules FILE",
    )?;
    let policy = super::load_policy(&rules, format)?;
    let mode = Mode {
        reasons: true,
        explain: args.explain || args.trace,
        trace: args.trace,
    };
    // Every input is opened (and refused) before any record is decided.
    let mut inputs = Vec::new();
    for name in &args.snapshots {
        let input = Input::open(name, input_format, args.max_record_bytes)
            .map_err(|e| Stop::Failed(e.to_string()))?;
        inputs.push(input);
    }
    let mut rejected = 0usize;
    let mut stopped = None;
    let decided = batch::decide_each(&policy, inputs, mode, |unit, result| {
        let printed = match result {
            Ok(decision) => print_decision(&decision, args),
            Err(e) => {
                rejected += 1;
                let id = e
                    .merchant_id
                    .as_deref()
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default();
                let line = format!("rejected {}{id}: {e}", place(unit));
                tell!("{}", crate::unicode::escaped(&line))
            }
        };
        match printed {
            Ok(()) => ControlFlow::Continue(()),
            Err(stop) => {
                stopped = Some(stop);
                ControlFlow::Break(())
            }
        }
    });
    if let Some(stop) = stopped {
        return Err(stop);
    }
    decided.map_err(|e| Stop::Failed(e.to_string()))?;
    Ok(if rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `file:line`, with the document or row when there is one.
fn place(unit: &Unit) -> String {
    let source = &unit.source;
    let line = unit.place.line;
    match unit.place.row {
        Some(n) if source.ends_with(".yaml") || source.ends_with(".yml") => {
            format!("{source}:{line} (document {n})")
        }
        Some(n) => format!("{source}:{line} (row {n})"),
        None => format!("{source}:{line}"),
    }
}

fn print_decision(decision: &Decision, args: &EvalArgs) -> Result<(), Stop> {
    if args.trace {
        say!("{}", crate::trace(decision))
    } else if args.explain {
        say!("{}", crate::explain(decision))
    } else {
        match serde_json::to_string_pretty(decision) {
            Ok(json) => sayln!("{json}"),
            Err(e) => tell!("error: cannot print the decision: {e}"),
        }
    }
}
