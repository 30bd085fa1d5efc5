//! Golden tests of `verdikt fmt`: output, `--check` and exit codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const MESSY: &str = "tests/fixtures/fmt/messy.vk";
const BROKEN: &str = "tests/fixtures/fmt/broken.vk";

/// Runs verdikt with `stdin` on standard input: (exit code, stdout, stderr).
fn verdikt(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_verdikt"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A fresh directory holding copies of `files`.
fn scratch(test: &str, files: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("verdikt-fmt-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in files {
        let name = Path::new(f).file_name().unwrap();
        std::fs::copy(f, dir.join(name)).unwrap();
    }
    dir
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn a_messy_file_is_printed_in_canonical_layout() {
    let (code, out, err) = verdikt(&["fmt", "-"], &read(MESSY));
    assert_eq!((code, err.as_str()), (0, ""));
    insta::assert_snapshot!(out);
}

#[test]
fn fmt_rewrites_changed_files_in_place_and_names_them() {
    let dir = scratch(
        "rewrite",
        &[MESSY, "tests/fixtures/reference/rules/02-calendar.vk"],
    );
    let dir_arg = dir.to_str().unwrap();
    let (code, out, _) = verdikt(&["fmt", dir_arg], "");
    assert_eq!(code, 0);
    assert_eq!(out, format!("{}\n", dir.join("messy.vk").display()));
    let (_, expected, _) = verdikt(&["fmt", "-"], &read(MESSY));
    assert_eq!(read(dir.join("messy.vk")), expected);
    assert_eq!(
        read(dir.join("02-calendar.vk")),
        read("tests/fixtures/reference/rules/02-calendar.vk")
    );
    // Formatted files are left alone: nothing to report the second time.
    let (code, out, _) = verdikt(&["fmt", dir_arg], "");
    assert_eq!((code, out.as_str()), (0, ""));
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn check_passes_on_the_reference_rules() {
    let (code, out, err) = verdikt(&["fmt", "--check", "tests/fixtures/reference/rules"], "");
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
}

#[test]
fn check_lists_files_that_would_change_and_changes_nothing() {
    let dir = scratch(
        "check",
        &[MESSY, "tests/fixtures/reference/rules/02-calendar.vk"],
    );
    let (code, out, err) = verdikt(&["fmt", "--check", dir.to_str().unwrap()], "");
    assert_eq!((code, err.as_str()), (1, ""));
    insta::assert_snapshot!(out.replace(dir.to_str().unwrap(), "[dir]"));
    assert_eq!(read(dir.join("messy.vk")), read(MESSY));
}

#[test]
fn a_file_with_syntax_errors_is_reported_and_left_untouched() {
    let dir = scratch("broken", &[BROKEN, MESSY]);
    let broken = dir.join("broken.vk");
    let (code, out, err) = verdikt(&["fmt", dir.to_str().unwrap()], "");
    assert_eq!(code, 2);
    // The other file is still formatted.
    assert_eq!(out, format!("{}\n", dir.join("messy.vk").display()));
    insta::assert_snapshot!(err.replace(dir.to_str().unwrap(), "[dir]"));
    assert_eq!(read(&broken), read(BROKEN));
    let (code, _, err) = verdikt(&["fmt", "--error-format", "plain", "-"], &read(BROKEN));
    assert_eq!(code, 2);
    assert!(err.starts_with("<stdin>:3:35: error[V001]"), "{err}");
}

#[test]
fn a_missing_path_is_unusable_input() {
    let (code, _, err) = verdikt(&["fmt", "no/such/dir"], "");
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: cannot read rule file `no/such/dir`"),
        "{err}"
    );
}
