//! Runs the reference policy's own hand-computed test cases
//! (`rules/tests/*.yaml`) through `verdikt test`, as a policy author does.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

mod common;

#[test]
fn every_policy_case_passes() {
    let (code, out, err) = common::verdikt(&["test", "tests/fixtures/reference/rules"]);
    let summary = out.lines().last().unwrap_or_default();
    let failed: Vec<&str> = out.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert!(failed.is_empty(), "{}\n{out}", failed.join("\n"));
    assert_eq!(code, 0, "{err}");
    let (passed, rest) = summary.split_once(" passed, ").unwrap();
    assert_eq!(rest, "0 failed");
    let passed: usize = passed.parse().unwrap();
    assert!(
        passed >= 444,
        "expected the full case suite, found {passed} cases"
    );
}

/// `verdikt test` as authors use it: quiet passes, located failures,
/// `--filter`, `--watch`, warnings, and the policy's decision snapshots.
#[path = "policy_cases/runner.rs"]
mod runner;
