//! Runs the reference policy's own hand-computed test cases (rules/tests/*.yaml).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

use std::path::Path;

use verdikt::ErrorFormat;

#[test]
fn every_policy_case_passes() {
    let checked = verdikt::check_dir(Path::new("rules")).expect("rules directory");
    let policy = checked.policy.expect("rules have no errors");
    let results =
        verdikt::cases::run_suite(&policy, Path::new("rules/tests")).unwrap_or_else(|e| {
            panic!(
                "the shipped case files have problems:\n{}",
                e.render(ErrorFormat::Plain)
            )
        });
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed())
        .map(|r| {
            format!(
                "{} / {}:\n    {}",
                r.file,
                r.name,
                r.failures.join("\n    ")
            )
        })
        .collect();
    assert!(
        results.len() >= 444,
        "expected the full case suite, found {} cases",
        results.len()
    );
    assert!(
        failed.is_empty(),
        "{} of {} cases failed:\n{}",
        failed.len(),
        results.len(),
        failed.join("\n")
    );
}
