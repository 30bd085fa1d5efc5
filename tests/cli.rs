//! Golden tests of the command line: output and exit codes.
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

#[test]
fn check_is_clean_on_the_shipped_rules() {
    let (code, out, _) = verdikt(&["check", "tests/fixtures/reference/rules"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "tests/fixtures/reference/rules: ok\n")
    );
}

#[test]
fn check_exits_1_on_rule_errors() {
    let (code, out, _) = verdikt(&[
        "check",
        "tests/fixtures/batch/divide-rules",
        "--error-format",
        "plain",
    ]);
    assert_eq!(code, 0, "{out}");
    let dir = std::env::temp_dir().join(format!("verdikt-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("bad.vk"),
        "ruleset r { outcomes ok rule a when nope > 1 then ok }",
    )
    .unwrap();
    let (code, out, _) = verdikt(&["check", dir.to_str().unwrap(), "--error-format", "plain"]);
    assert_eq!(code, 1);
    assert!(out.contains("error[V020]: no `schema` declared"), "{out}");
    assert!(out.contains("error[V002]: unknown field `nope`"), "{out}");
}

#[test]
fn deny_warnings_fails_on_warnings_only() {
    let dir = std::env::temp_dir().join(format!("verdikt-cli-warn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        "tests/fixtures/check/warnings/unused_let.vk",
        dir.join("unused_let.vk"),
    )
    .unwrap();
    let dir = dir.to_str().unwrap();
    // Warnings print, but only fail the check when denied.
    let (code, out, _) = verdikt(&["check", dir, "--error-format", "plain"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("warning[V029]: `let doubled` is never used"),
        "{out}"
    );
    let (code, out, _) = verdikt(&["check", dir, "--deny-warnings"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.ends_with("0 errors, 2 warnings\n"), "{out}");
    // The shipped rules have none.
    let (code, out, _) = verdikt(&["check", "tests/fixtures/reference/rules", "--deny-warnings"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "tests/fixtures/reference/rules: ok\n")
    );
}

#[test]
fn test_passes_on_the_shipped_rules_with_full_rule_coverage() {
    let (code, out, _) = verdikt(&["test", "tests/fixtures/reference/rules", "--coverage"]);
    assert_eq!(code, 0);
    let summary = out.lines().last().unwrap();
    assert!(summary.ends_with("passed, 0 failed"), "{summary}");
    let coverage: Vec<&str> = out.lines().skip_while(|l| *l != "coverage:").collect();
    insta::assert_snapshot!(coverage.join("\n"));
}

#[test]
fn test_reports_a_failing_case_with_expected_and_actual() {
    let (code, out, _) = verdikt(&["test", "tests/fixtures/cli/failing"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn eval_prints_the_decision_record_and_explanations() {
    let (code, out, _) = verdikt(&[
        "eval",
        "--explain",
        "tests/fixtures/reference/examples/single/exit_denied.json",
    ]);
    assert_eq!(code, 0);
    // The merchant's view: no rules version, rule or output name.
    assert!(!out.contains("规则版本") && !out.contains('`'), "{out}");
    insta::assert_snapshot!(out);
    // The author's: names, the rules version and every condition tried.
    let (code, trace, _) = verdikt(&[
        "eval",
        "--trace",
        "tests/fixtures/reference/examples/single/exit_denied.json",
    ]);
    assert_eq!(code, 0);
    for want in [
        "规则版本 ",
        "规则 `exit_service`",
        "quota.used = ¥20.00，要求 = ¥0.00",
        "判定过程：",
    ] {
        assert!(trace.contains(want), "{want}:\n{trace}");
    }
    let (code, _, err) = verdikt(&["eval", "tests/fixtures/reference/examples/bad.jsonl"]);
    assert_eq!(code, 1);
    assert!(
        err.contains(
            "rejected tests/fixtures/reference/examples/bad.jsonl:3 (M10303): store.rating: 7 is out of range 0..5"
        ),
        "{err}"
    );
}

#[test]
fn doc_prints_the_book_and_writes_it_whole_to_a_file() {
    let (code, md, err) = verdikt(&["doc", "tests/fixtures/reference/rules"]);
    assert_eq!(code, 0, "{err}");
    assert!(md.starts_with("# 策略手册\n"), "{md}");
    assert!(md.contains("| `store.rating` ≥ 4.8 |"), "{md}");
    let dir = std::env::temp_dir().join(format!("verdikt-cli-doc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("book.html");
    let (code, out, err) = verdikt(&[
        "doc",
        "tests/fixtures/reference/rules",
        "--format",
        "html",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.ends_with("</html>\n"));
    // No temporary file is left beside the book.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}

#[test]
fn doc_refuses_rules_with_errors() {
    let dir = std::env::temp_dir().join(format!("verdikt-cli-doc-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("bad.vk"),
        "ruleset r { outcomes ok rule a when nope > 1 then ok }",
    )
    .unwrap();
    let (code, out, err) = verdikt(&["doc", dir.to_str().unwrap(), "--error-format", "plain"]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(err.contains("error[V002]: unknown field `nope`"), "{err}");
}
