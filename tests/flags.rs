//! One flag name per meaning: `--input-format` is what the input is,
//! `--output-format` what is written, in every verb. The old `--format`
//! (input in `eval` and `batch`, report in `diff`) still works, hidden,
//! with a warning naming the new flag.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

mod common;

use common::verdikt;

const SNAPSHOT: &str = "tests/fixtures/reference/examples/single/increase.json";

#[test]
fn eval_and_batch_read_input_format() {
    let (code, out, err) = verdikt(&["eval", "--input-format", "json", SNAPSHOT]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"increase\""), "{out}");
    assert!(!err.contains("deprecated"), "{err}");
    let (code, out, err) = verdikt(&["batch", "-q", "--input-format", "json", SNAPSHOT]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1, "{out}");
}

#[test]
fn the_old_format_flag_still_works_and_names_the_new_one() {
    let (code, new_out, _) = verdikt(&["eval", "--input-format", "json", SNAPSHOT]);
    assert_eq!(code, 0);
    for verb in ["eval", "batch"] {
        let mut args = vec![verb, "--format", "json", SNAPSHOT];
        if verb == "batch" {
            args.insert(1, "-q");
        }
        let (code, out, err) = verdikt(&args);
        assert_eq!(code, 0, "{verb}: {err}");
        assert!(
            err.contains("warning: `--format` is deprecated here; use `--input-format`"),
            "{verb}: {err}"
        );
        if verb == "eval" {
            assert_eq!(out, new_out);
        }
    }
    let diff = |flag| {
        verdikt(&[
            "diff",
            "--base",
            "tests/fixtures/reference/rules",
            flag,
            "json",
            "tests/fixtures/reference/examples/merchants.jsonl",
        ])
    };
    let (code, new_out, err) = diff("--output-format");
    assert_eq!(code, 0, "{err}");
    assert!(new_out.trim_start().starts_with('{'), "{new_out}");
    let (code, old_out, err) = diff("--format");
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning: `--format` is deprecated here; use `--output-format`"),
        "{err}"
    );
    assert_eq!(old_out, new_out);
}

#[test]
fn old_and_new_names_together_are_refused() {
    let (code, _, err) = verdikt(&[
        "eval",
        "--format",
        "json",
        "--input-format",
        "json",
        SNAPSHOT,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot be used with"), "{err}");
}

#[test]
fn help_names_only_the_new_flags() {
    for verb in ["eval", "batch", "diff"] {
        let (_, out, _) = verdikt(&[verb, "--help"]);
        assert!(!out.contains("--format "), "{verb}: {out}");
        assert!(out.contains("-format"), "{verb}: {out}");
    }
    let (_, out, _) = verdikt(&["diff", "--help"]);
    assert!(out.contains("--output-format"), "{out}");
    assert!(out.contains("--input-format"), "{out}");
}
