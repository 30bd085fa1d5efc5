//! `verdikt eval`: decide snapshots and print decision records.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use verdikt::{Decision, ErrorFormat, Mode, Policy, RecordError};

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
        for (place, result) in decide_all(&policy, path, text, mode) {
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

/// Every record of a file with its place (line or document number).
fn decide_all(
    policy: &Policy,
    path: &std::path::Path,
    text: &str,
    mode: Mode,
) -> Vec<(String, Result<Decision, RecordError>)> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "yaml" | "yml" => policy
            .read_yaml(text)
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    format!("document {}", i + 1),
                    r.and_then(|rec| policy.decide_record(&rec, mode)),
                )
            })
            .collect(),
        "jsonl" | "ndjson" => text
            .lines()
            .enumerate()
            .map(|(i, line)| {
                let line = line.strip_suffix('\r').unwrap_or(line);
                let result = if line.trim().is_empty() {
                    Err(RecordError::single("blank line"))
                } else {
                    policy.decide_json(line, mode)
                };
                (format!("{}", i + 1), result)
            })
            .collect(),
        _ => vec![("1".to_string(), policy.decide_json(text, mode))],
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
