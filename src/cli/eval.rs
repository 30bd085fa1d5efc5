//! `verdikt eval`: decide snapshots and print decision records.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use verdikt::{Decision, ErrorFormat, FilePlace, Mode};

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The rule directory.
    #[arg(long, default_value = "rules")]
    rules: PathBuf,
    /// Print a readable explanation instead of JSON.
    #[arg(long, conflicts_with = "trace")]
    explain: bool,
    /// Print the explanation and every condition tried.
    #[arg(long)]
    trace: bool,
    /// Snapshot files: .json (one object), .jsonl (one per line), .yaml/.yml (one per document).
    #[arg(required = true)]
    snapshots: Vec<PathBuf>,
}

pub fn run(args: &EvalArgs, format: ErrorFormat) -> ExitCode {
    let policy = match super::load_policy(&args.rules, format) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mode = Mode {
        reasons: true,
        explain: args.explain || args.trace,
        trace: args.trace,
    };
    let mut rejected = 0usize;
    for path in &args.snapshots {
        let text = match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    eprintln!("error: `{}` is not valid UTF-8", path.display());
                    return ExitCode::from(2);
                }
            },
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", path.display());
                return ExitCode::from(2);
            }
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        for (place, result) in policy.decide_file_text(path, text, mode) {
            let place = match place {
                FilePlace::Line(n) => n.to_string(),
                FilePlace::Document(n) => format!("document {n}"),
                FilePlace::Whole => "1".to_string(),
            };
            match result {
                Ok(decision) => print_decision(&decision, args),
                Err(e) => {
                    rejected += 1;
                    let id = e
                        .merchant_id
                        .as_deref()
                        .map(|m| format!(" ({m})"))
                        .unwrap_or_default();
                    eprintln!("rejected {}:{place}{id}: {e}", path.display());
                }
            }
        }
    }
    if rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_decision(decision: &Decision, args: &EvalArgs) {
    if args.trace {
        print!("{}", verdikt::trace(decision));
    } else if args.explain {
        print!("{}", verdikt::explain(decision));
    } else {
        match serde_json::to_string_pretty(decision) {
            Ok(json) => println!("{json}"),
            Err(e) => eprintln!("error: cannot print the decision: {e}"),
        }
    }
}
