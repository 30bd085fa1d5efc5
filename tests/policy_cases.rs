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

#[test]
fn every_policy_case_passes() {
    let checked = verdikt::check_dir(Path::new("rules")).expect("rules directory");
    let policy = checked.policy.expect("rules have no errors");
    let mut files = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir("rules/tests")
        .expect("rules/tests")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    for p in paths {
        files.push((
            p.display().to_string(),
            std::fs::read_to_string(&p).expect("read"),
        ));
    }
    let results = verdikt::cases::run_case_files(&policy, &files).expect("case files parse");
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
        results.len() >= 100,
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
