//! Every error in one run: a syntax error ends only its own item, so one
//! `check` over a broken rule directory shows the errors of every file
//! (insta snapshots of whole directories), and recovery never panics.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

use std::path::Path;

use verdikt::{check_dir, check_files, Code, ErrorFormat, Mode};

#[test]
fn broken_directories_show_every_error_of_every_file() {
    insta::glob!("fixtures/broken/*", |dir| {
        let checked = check_dir(dir).unwrap();
        assert!(checked.policy.is_none());
        let human = checked.render(ErrorFormat::Human);
        // Names relative to the repository, so snapshots do not depend on
        // where it is checked out.
        let root = format!("{}/", env!("CARGO_MANIFEST_DIR"));
        insta::assert_snapshot!(human.replace(&root, ""));
    });
}

fn codes_by_file(dir: &str) -> Vec<(String, Code)> {
    let checked = check_dir(Path::new(dir)).unwrap();
    checked
        .diagnostics
        .iter()
        .map(|d| {
            let (file, _, _) = d.location(&checked.sources).unwrap();
            let base = Path::new(file).file_name().unwrap().to_string_lossy();
            (base.into_owned(), d.code())
        })
        .collect()
}

#[test]
fn a_syntax_error_in_one_file_hides_nothing_in_the_others() {
    let found = codes_by_file("tests/fixtures/broken/several_files");
    let expected = [
        ("40-a.vk", Code::Syntax),
        ("40-a.vk", Code::UnknownField),
        ("50-b.vk", Code::UnknownField),
        ("60-c.vk", Code::InvalidLiteral),
        ("60-c.vk", Code::InvalidLiteral),
    ];
    let expected: Vec<(String, Code)> = expected.iter().map(|(f, c)| (f.to_string(), *c)).collect();
    assert_eq!(found, expected);
}

#[test]
fn broken_items_cause_no_unknown_name_echoes() {
    let found = codes_by_file("tests/fixtures/broken/one_file_many_items");
    // One syntax error per broken item (calendar, let, rule, ruleset head,
    // `&&`), and the two real unknown fields; nothing about `work`,
    // `limit` or `broken`, which broken items would have declared.
    let codes: Vec<Code> = found.iter().map(|(_, c)| *c).collect();
    assert_eq!(
        codes,
        vec![
            Code::Syntax,
            Code::Syntax,
            Code::UnknownField,
            Code::Syntax,
            Code::Syntax,
            Code::Syntax,
            Code::UnknownField,
        ]
    );
}

#[test]
fn unclosed_delimiters_are_named_where_they_open() {
    let checked = check_dir(Path::new("tests/fixtures/broken/unclosed")).unwrap();
    let plain = checked.render(ErrorFormat::Plain);
    for line in plain.lines() {
        assert!(!line.contains('\r'), "{line}");
    }
    let messages: Vec<&str> = checked.diagnostics.iter().map(|d| d.message()).collect();
    assert!(messages.contains(&"this `(` is never closed"), "{plain}");
    assert!(
        messages.contains(&"this string starting at 3:45 is never closed"),
        "{plain}"
    );
    assert!(messages.contains(&"this `{` is never closed"), "{plain}");
    assert!(messages.iter().all(|m| !m.contains('\n')), "{plain}");
    // The unknown field after the unclosed brace is still reported.
    assert!(messages.contains(&"unknown field `scores`"), "{plain}");
}

/// `output x rate, default 100%` is allowed: the default is the value
/// when the deciding clause does not set the output.
#[test]
fn an_output_default_is_its_value_when_no_clause_sets_it() {
    let schema = std::fs::read("tests/fixtures/broken/help/01-schema.vk").unwrap();
    let rules = b"ruleset r {\n  outcomes high, low\n  output cap rate, default 100%\n  rule high when score >= 4 then high, cap = 80%\n  otherwise low\n}\n";
    let checked = check_files(vec![
        ("01-schema.vk".into(), schema),
        ("10-r.vk".into(), rules.to_vec()),
    ]);
    let rendered = checked.render(ErrorFormat::Plain);
    let policy = checked.policy.expect(&rendered);
    let record = |score: &str| {
        format!(
            r#"{{"merchant_id":"m","as_of":"2026-06-01","score":{score},"sales":0,"opened_on":"2026-01-01","status":"active"}}"#
        )
    };
    let cap = |score: &str| {
        let d = policy
            .decide_json(
                &record(score),
                Mode {
                    reasons: true,
                    explain: false,
                    trace: false,
                },
            )
            .unwrap();
        serde_json::to_value(&d).unwrap()["decisions"]["r"]["cap"].clone()
    };
    assert_eq!(cap("4.5"), serde_json::json!("0.8"));
    assert_eq!(cap("3"), serde_json::json!("1"));
}

/// Cuts every shipped rule file at many places and checks each cut with
/// the rest of the shipped rules: no panic, at least one diagnostic, every
/// diagnostic located inside its file.
#[test]
fn recovery_never_panics_on_truncated_rules() {
    let names: Vec<String> = std::fs::read_dir("tests/fixtures/reference/rules")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "vk"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let read =
        |n: &str| std::fs::read(Path::new("tests/fixtures/reference/rules").join(n)).unwrap();
    let mut cuts = 0;
    for cut_name in &names {
        let full = read(cut_name);
        let text = String::from_utf8(full.clone()).unwrap();
        let step = (text.len() / 60).max(1);
        for at in (1..text.len()).step_by(step) {
            if !text.is_char_boundary(at) {
                continue;
            }
            let cut = text[..at].to_string();
            if cut.trim_end().ends_with('}') && text[at..].trim().is_empty() {
                continue;
            }
            let files: Vec<(String, Vec<u8>)> = names
                .iter()
                .map(|n| {
                    let bytes = if n == cut_name {
                        cut.clone().into_bytes()
                    } else {
                        read(n)
                    };
                    (n.clone(), bytes)
                })
                .collect();
            let checked = check_files(files);
            cuts += 1;
            assert!(
                !checked.diagnostics.is_empty(),
                "{cut_name} cut at {at}: no diagnostic"
            );
            for d in &checked.diagnostics {
                let Some((file, line, column)) = d.location(&checked.sources) else {
                    continue;
                };
                let source = if file == cut_name {
                    cut.clone()
                } else {
                    String::from_utf8(read(file)).unwrap()
                };
                let lines = source.split('\n').count();
                assert!(
                    line <= lines,
                    "{cut_name} cut at {at}: {file}:{line}:{column} is past the end"
                );
                let width = source.split('\n').nth(line - 1).unwrap().chars().count();
                assert!(
                    column <= width + 1,
                    "{cut_name} cut at {at}: {file}:{line}:{column} is past its line"
                );
            }
        }
    }
    assert!(cuts > 150, "only {cuts} cuts");
}

/// The README shows `verdikt check tests/fixtures/broken/unclosed` as it is.
#[test]
fn the_readme_shows_the_real_output() {
    let checked = check_dir(Path::new("tests/fixtures/broken/unclosed")).unwrap();
    let human = checked.render(ErrorFormat::Human);
    let readme = std::fs::read_to_string("README.md").unwrap();
    assert!(
        readme.contains(&format!(
            "$ verdikt check tests/fixtures/broken/unclosed\n{human}```"
        )),
        "README differs from:\n{human}"
    );
}

/// A broken schema leaves every field undeclared: the rules that use them
/// are not called wrong, and the syntax error stands alone.
#[test]
fn a_broken_schema_causes_no_unknown_field_errors() {
    let schema = b"schema s {\n  score decimal in 0..\n  as_of date\n}\n".to_vec();
    let rules = b"ruleset r {\n  outcomes a, b\n  rule x when score > 1 and as_of > 2026-01-01 then a\n  otherwise b\n}\n".to_vec();
    let checked = check_files(vec![("01.vk".into(), schema), ("10.vk".into(), rules)]);
    let codes: Vec<Code> = checked.diagnostics.iter().map(|d| d.code()).collect();
    assert_eq!(
        codes,
        vec![Code::Syntax],
        "{}",
        checked.render(ErrorFormat::Plain)
    );
}
