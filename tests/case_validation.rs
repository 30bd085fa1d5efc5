//! `verdikt test` on broken case files: exit 2, every problem printed, no
//! case run (the library's checks of case files are tested in
//! `src/cases/validation_tests.rs`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

#[test]
fn verdikt_test_exits_2_and_runs_no_case_when_case_files_are_broken() {
    let run = |format: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_verdikt"))
            .args(["test", "tests/hostile/test-cases/all-at-once/rules"])
            .args(["--error-format", format])
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(out.stdout.is_empty(), "a case ran");
        stderr
    };
    // JSON: one object per diagnostic and nothing else, as for `check`.
    let json = run("json");
    let lines: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{json}");
    assert!(lines
        .iter()
        .all(|d| d["code"] == "V034" && d["line"].is_u64()));
    // Plain: one line each, then why nothing ran.
    let plain = run("plain");
    assert_eq!(plain.lines().count(), 5, "{plain}");
    assert!(plain.starts_with(
        "tests/hostile/test-cases/all-at-once/rules/tests/a.yaml:4:14: error[V034]: unknown field `store.ratng` in `patch`"
    ));
    assert!(
        plain.ends_with("cannot be trusted; no case was run\n"),
        "{plain}"
    );
}
