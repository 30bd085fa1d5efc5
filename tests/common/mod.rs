//! Shared by the integration tests that decide whole files of snapshots.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    dead_code,
    reason = "test code"
)]

use std::path::Path;

use verdikt::{Decision, FilePlace, Mode, Policy, RecordError};

/// The frozen copy of the reference policy the engine's tests decide with
/// (never the repository's `rules/`, which its authors change freely).
pub(crate) const RULES: &str = "tests/fixtures/reference/rules";

/// `args` with the frozen rules added to a verb that would otherwise read
/// its default rule directory (`batch`/`eval --rules`, `diff --head`).
pub(crate) fn with_rules<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut args = args.to_vec();
    let flag = match args.first() {
        Some(&("batch" | "eval")) => "--rules",
        Some(&"diff") => "--head",
        _ => return args,
    };
    if !args.contains(&flag) {
        // Right after the verb: at the end, a flag could become a value.
        let rules = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/reference/rules"
        );
        args.splice(1..1, [flag, rules]);
    }
    args
}

pub(crate) fn policy() -> Policy {
    verdikt::check_dir(Path::new(RULES))
        .unwrap()
        .policy
        .expect("shipped rules check clean")
}

/// Every record of an example file, with its place.
pub(crate) fn decide_file(
    policy: &Policy,
    path: &Path,
) -> Vec<(String, Result<Decision, RecordError>)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mode = Mode {
        reasons: true,
        explain: true,
        trace: false,
    };
    policy
        .decide_file_text(path, &text, mode)
        .into_iter()
        .map(|(place, result)| {
            let place = match place {
                FilePlace::Line(n) => format!("line {n}"),
                FilePlace::Document(n) => format!("document {n}"),
                FilePlace::Whole => "file".to_string(),
            };
            (place, result)
        })
        .collect()
}

/// Runs the `verdikt` binary; returns exit code, stdout and stderr.
pub(crate) fn verdikt(args: &[&str]) -> (i32, String, String) {
    verdikt_in(Path::new("."), &with_rules(args))
}

/// Runs the `verdikt` binary in `dir`.
pub(crate) fn verdikt_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_verdikt"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}
