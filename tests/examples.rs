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

mod common;

use std::path::Path;

use common::{decide_file, policy};
use verdikt::{Decision, Mode, RecordError};

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
    insta::glob!(
        "fixtures/reference/examples",
        "**/*.{json,jsonl,yaml}",
        |path| {
            insta::assert_snapshot!(render(&decide_file(&policy, path)));
        }
    );
}

#[test]
fn examples_cover_every_outcome() {
    let policy = policy();
    let mut seen = std::collections::BTreeSet::new();
    for entry in [
        "tests/fixtures/reference/examples/merchants.jsonl",
        "tests/fixtures/reference/examples/merchants.yaml",
    ] {
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
    let text =
        std::fs::read_to_string("tests/fixtures/reference/examples/merchants.jsonl").unwrap();
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
