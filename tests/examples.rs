//! Decisions and explanations of every shipped example snapshot, as insta
//! snapshots: a rule change shows up here as a reviewable diff.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

use std::path::Path;

use verdikt::{Decision, Mode, Policy, RecordError};

fn policy() -> Policy {
    verdikt::check_dir(Path::new("rules"))
        .unwrap()
        .policy
        .expect("shipped rules check clean")
}

/// Every record of an example file, with its place.
fn decide_file(policy: &Policy, path: &Path) -> Vec<(String, Result<Decision, RecordError>)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mode = Mode {
        reasons: true,
        explain: true,
        trace: false,
    };
    match path.extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml") => policy
            .read_yaml(&text)
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    format!("document {}", i + 1),
                    r.and_then(|rec| policy.decide_record(&rec, mode)),
                )
            })
            .collect(),
        Some("jsonl") => text
            .lines()
            .enumerate()
            .map(|(i, line)| {
                let r = if line.trim().is_empty() {
                    Err(RecordError::single("blank line"))
                } else {
                    policy.decide_json(line, mode)
                };
                (format!("line {}", i + 1), r)
            })
            .collect(),
        _ => vec![("file".into(), policy.decide_json(&text, mode))],
    }
}

/// The decision records (JSON) and the explanations, one after the other.
fn render(results: &[(String, Result<Decision, RecordError>)]) -> String {
    let mut out = String::new();
    for (place, r) in results {
        out.push_str(&format!("=== {place}\n"));
        match r {
            Ok(d) => {
                let mut d = d.clone();
                d.ruleset_version = "[version]".into();
                // The decision record as batch writes it (no explanation details).
                d.explained = false;
                out.push_str(&serde_json::to_string_pretty(&d).unwrap());
                out.push('\n');
                out.push_str(&verdikt::explain(&d));
            }
            Err(e) => out.push_str(&format!(
                "rejected: {}\n",
                serde_json::to_string(e).unwrap()
            )),
        }
    }
    out
}

#[test]
fn example_decisions_and_explanations() {
    let policy = policy();
    insta::glob!("../examples", "**/*.{json,jsonl,yaml}", |path| {
        insta::assert_snapshot!(render(&decide_file(&policy, path)));
    });
}

#[test]
fn examples_cover_every_outcome() {
    let policy = policy();
    let mut seen = std::collections::BTreeSet::new();
    for entry in ["examples/merchants.jsonl", "examples/merchants.yaml"] {
        for (_, r) in decide_file(&policy, Path::new(entry)) {
            for rs in r.unwrap().rulesets {
                seen.insert(format!("{}:{}", rs.ruleset, rs.outcome));
            }
        }
    }
    let want = [
        "limit_adjustment:freeze",
        "limit_adjustment:decrease",
        "limit_adjustment:increase",
        "limit_adjustment:hold",
        "limit_adjustment:not_applicable",
        "exit_request:no_request",
        "exit_request:granted",
        "exit_request:redirect",
        "exit_request:repay_required",
        "exit_request:denied",
        "reapply:not_applicable",
        "reapply:eligible",
        "reapply:not_eligible",
        "reapply:eligible_restricted",
        "reapply:not_yet",
    ];
    let missing: Vec<&str> = want
        .iter()
        .copied()
        .filter(|w| !seen.contains(*w))
        .collect();
    assert!(missing.is_empty(), "examples miss outcomes: {missing:?}");
}

#[test]
fn explain_and_fast_mode_decide_alike() {
    // Reasons are rendered only on request; the decision must not depend on it.
    let policy = policy();
    let text = std::fs::read_to_string("examples/merchants.jsonl").unwrap();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let fast = policy
            .decide_json(
                line,
                Mode {
                    reasons: false,
                    explain: false,
                    trace: false,
                },
            )
            .unwrap();
        let full = policy
            .decide_json(
                line,
                Mode {
                    reasons: true,
                    explain: true,
                    trace: true,
                },
            )
            .unwrap();
        for (a, b) in fast.rulesets.iter().zip(&full.rulesets) {
            assert_eq!(
                (&a.outcome, &a.rule, &a.outputs),
                (&b.outcome, &b.rule, &b.outputs),
                "{line}"
            );
        }
    }
}
