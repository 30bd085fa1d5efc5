//! Diagnostics of broken policy test cases (`RULES/tests/*.yaml`), one
//! fixture per check in `tests/fixtures/cases/`, as insta snapshots: these
//! snapshots are the review of the messages.
//!
//! Each fixture is checked against the shipped rules, together with the
//! shipped bases (`rules/tests/bases.yaml`, `rules/tests/edges_bases.yaml`),
//! as a new case file of the shipped suite would be. A fixture holding
//! several files marks each with a line `$$ name.yaml`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use super::{load_suite, parse_suite, CaseFileErrors};
use crate::{Code, ErrorFormat, Policy};

fn policy() -> Policy {
    let checked = crate::check_dir(Path::new("tests/fixtures/reference/rules")).unwrap();
    checked.policy.expect("the shipped rules have no errors")
}

/// The shipped bases, then the fixture's file or files.
fn fixture_files(path: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = ["bases.yaml", "edges_bases.yaml"]
        .iter()
        .map(|name| {
            let path = format!("tests/fixtures/reference/rules/tests/{name}");
            let text = std::fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect();
    let text = std::fs::read_to_string(path).unwrap();
    if !text.lines().any(|l| l.starts_with("$$ ")) {
        let name = path.file_name().unwrap().to_string_lossy();
        files.push((format!("tests/fixtures/reference/rules/tests/{name}"), text));
        return files;
    }
    for part in text.split("$$ ").skip(1) {
        let (name, body) = part.split_once('\n').unwrap();
        files.push((
            format!("tests/fixtures/reference/rules/tests/{}", name.trim()),
            body.to_string(),
        ));
    }
    files
}

fn refused(policy: &Policy, files: &[(String, String)]) -> CaseFileErrors {
    match parse_suite(policy, "tests/fixtures/reference/rules/tests", files) {
        Ok(suite) => panic!("accepted, with {} cases", suite.len()),
        Err(e) => e,
    }
}

#[test]
fn diagnostics_of_broken_case_files() {
    let policy = policy();
    let mut seen = 0;
    insta::glob!("../../tests/fixtures/cases", "*.yaml", |path| {
        let errors = refused(&policy, &fixture_files(path));
        for d in &errors.diagnostics {
            assert_eq!(d.code, Code::TestCase, "{}", d.message);
            assert!(d.help.is_some(), "no help: {}", d.message);
            assert!(
                !d.message.contains('\n') && !d.message.ends_with('.'),
                "{}",
                d.message
            );
            // Only the suite as a whole has no place in a file.
            assert!(
                d.span.is_some() || d.message.starts_with("no test cases"),
                "unlocated: {}",
                d.message
            );
        }
        insta::assert_snapshot!(errors.render(ErrorFormat::Human));
        seen += 1;
    });
    assert!(seen >= 14, "only {seen} fixtures");
}

#[test]
fn every_problem_of_a_file_is_reported_in_one_run_in_every_format() {
    let policy = policy();
    let files = fixture_files(Path::new("tests/fixtures/cases/many_problems.yaml"));
    let errors = refused(&policy, &files);
    let messages: Vec<&str> = errors
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "unknown base `helthy`",
            "unknown field `store.ratng` in `patch`",
            "unknown field `店铺.评分` in `patch`",
            "unknown outcome `hodl` for `limit_adjustment`",
            "unknown key `new_limt` in the expectation for `limit_adjustment`",
            "case name `rating 4.79 holds` is used twice in this file",
            "the case checks nothing",
            "the case has neither `base` nor `snapshot`",
            "unknown ruleset `exit_requests` in `expect`",
        ]
    );
    insta::assert_snapshot!("many_problems_plain", errors.render(ErrorFormat::Plain));
    insta::assert_snapshot!("many_problems_json", errors.render(ErrorFormat::Json));
    // Display is the plain form, every diagnostic of it.
    assert_eq!(errors.to_string().lines().count(), messages.len());
}

#[test]
fn the_shipped_suite_is_clean_and_a_fixed_case_runs() {
    let policy = policy();
    let suite = load_suite(&policy, Path::new("tests/fixtures/reference/rules/tests")).unwrap();
    assert!(suite.len() >= 444, "{}", suite.len());
    // The fixture's first case, with its typo fixed, is accepted and fails
    // or passes on what the rules decide: here, it passes.
    let mut files = fixture_files(Path::new("tests/fixtures/cases/patch_unknown_field.yaml"));
    let fixed = "cases:\n  - name: rating 4.79 holds\n    base: healthy\n    patch: { store.rating: \"4.79\" }\n    expect: { limit_adjustment: { outcome: hold } }\n";
    files.last_mut().unwrap().1 = fixed.to_string();
    let suite = parse_suite(&policy, "tests/fixtures/reference/rules/tests", &files).unwrap();
    let results = suite.run(&policy, &mut crate::coverage::Coverage::default());
    assert_eq!(results.len(), 1);
    assert!(results[0].passed(), "{:?}", results[0].failures);
}

#[test]
fn a_case_file_that_is_not_utf8_is_located() {
    let policy = policy();
    let dir = scratch("utf8");
    let mut bytes = b"cases:\n  - name: caf".to_vec();
    bytes.push(0xff);
    bytes.extend_from_slice(b"\n");
    std::fs::write(dir.join("bad.yaml"), bytes).unwrap();
    let errors = load_suite(&policy, &dir).unwrap_err();
    let plain = errors.render(ErrorFormat::Plain);
    let file = dir.join("bad.yaml").display().to_string();
    assert_eq!(
        plain.trim(),
        format!(
            "{file}:2:14: error[V034]: case file is not valid UTF-8 (help: save the file as UTF-8)"
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_empty_suite_is_refused_naming_the_folder() {
    let policy = policy();
    let dir = scratch("empty");
    let tests = dir.join("tests");
    let message = |dir: &Path| {
        let errors = load_suite(&policy, dir).unwrap_err();
        assert_eq!(errors.diagnostics.len(), 1, "{errors}");
        let d = &errors.diagnostics[0];
        assert!(d.span.is_none());
        assert!(d.help.as_deref().unwrap().contains("cases.yaml"), "{d:?}");
        d.message.replace(&dir.display().to_string(), "DIR")
    };
    assert_eq!(message(&tests), "no test folder `DIR`");
    std::fs::create_dir(&tests).unwrap();
    std::fs::write(tests.join("notes.md"), "not a case file").unwrap();
    assert_eq!(
        message(&tests),
        "no case files (`*.yaml` or `*.yml`) in `DIR`"
    );
    std::fs::write(tests.join("bases.yml"), "bases:\n  b: { merchant_id: B }\n").unwrap();
    std::fs::write(tests.join("empty.yaml"), "").unwrap();
    std::fs::write(tests.join("none.yaml"), "cases: []\n").unwrap();
    assert_eq!(message(&tests), "no test cases in `DIR`");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn entries_that_are_not_regular_files_are_named_and_never_opened() {
    let policy = policy();
    let dir = scratch("entries");
    std::fs::write(
        dir.join("good.yaml"),
        "cases:\n  - name: ok\n    snapshot: { merchant_id: M1 }\n    expect_reject: true\n",
    )
    .unwrap();
    std::fs::create_dir(dir.join("folder.yaml")).unwrap();
    std::os::unix::fs::symlink("nowhere.yaml", dir.join("dangling.yaml")).unwrap();
    std::os::unix::fs::symlink("good.yaml", dir.join("link.yml")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(dir.join("pipe.yaml"))
        .status()
        .unwrap();
    assert!(made.success());
    // Opening the FIFO would block forever: run the check on a thread and
    // fail, rather than hang, if it does not come back.
    let (send, receive) = mpsc::channel();
    let tests = dir.clone();
    std::thread::spawn(move || {
        let result = load_suite(&policy, &tests).map(|s| s.len());
        let _ = send.send(result.map_err(|e| e.render(ErrorFormat::Plain)));
    });
    let plain = receive
        .recv_timeout(Duration::from_secs(30))
        .expect("the FIFO was opened")
        .unwrap_err();
    let plain = plain.replace(&dir.display().to_string(), "DIR");
    // The link to a good file is read like the file: only the three bad
    // entries are reported.
    assert_eq!(
        plain.lines().collect::<Vec<_>>(),
        [
            "error[V034]: `DIR/dangling.yaml` is a symbolic link to nothing (its target does not exist), not a case file (help: a case file must be a regular file: remove the entry, or rename it so its name does not end in `.yaml` or `.yml`)",
            "error[V034]: `DIR/folder.yaml` is a directory, not a case file (help: a case file must be a regular file: remove the entry, or rename it so its name does not end in `.yaml` or `.yml`)",
            "error[V034]: `DIR/pipe.yaml` is a FIFO (named pipe), not a case file (help: a case file must be a regular file: remove the entry, or rename it so its name does not end in `.yaml` or `.yml`)",
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A fresh folder of this test process.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "verdikt-case-validation-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every diagnostic points inside its file, on character boundaries.
fn spans_are_sound(errors: &CaseFileErrors) -> Result<(), String> {
    for d in &errors.diagnostics {
        let Some(span) = d.span else { continue };
        let source = errors.sources.get(span.file).ok_or("no such file")?;
        let (start, end) = (span.start as usize, span.end as usize);
        let text = &source.text;
        let sound = start <= end
            && end <= text.len()
            && text.is_char_boundary(start)
            && text.is_char_boundary(end);
        if !sound {
            return Err(format!(
                "{start}..{end} in {} bytes: {}",
                text.len(),
                d.message
            ));
        }
    }
    Ok(())
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Pieces of case files, good and bad, so that generated files reach
    /// past the YAML parser into every check.
    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "cases:\n",
            "bases:\n",
            "  - name: a\n",
            "  - name: 店铺评分\n",
            "    base: healthy\n",
            "    base: helthy\n",
            "    patch: { store.ratng: \"4.79\" }\n",
            "    patch: { store.rating: \"4.5\", 店铺.名: x }\n",
            "    snapshot: { merchant_id: M }\n",
            "    expect: { limit_adjustment: { outcome: hold } }\n",
            "    expect: { limit_adjustmnt: { outcom: 1, rule: [x] } }\n",
            "    expect_reject: true\n",
            "    expect: {}\n",
            "  healthy: { merchant_id: M }\n",
            "  x: &a { y: *a }\n",
            "---\n",
            "   expect: oops\n",
            "    name: a\n",
            "\"unterminated\n",
            "\t- tab\n",
            "# 注释\n",
            "? [k]\n: v\n",
            "    expect: |\n      店铺\n      评分\n",
        ])
    }

    /// The shipped policy, checked once for all generated cases.
    fn shared_policy() -> &'static Policy {
        static POLICY: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
        POLICY.get_or_init(policy)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn generated_case_files_never_panic_and_point_inside_the_file(
            pieces in prop::collection::vec(piece(), 0..12),
        ) {
            let text: String = pieces.concat();
            let files = vec![("tests/fixtures/reference/rules/tests/p.yaml".to_string(), text)];
            if let Err(errors) = parse_suite(shared_policy(), "tests/fixtures/reference/rules/tests", &files) {
                prop_assert!(!errors.diagnostics.is_empty());
                spans_are_sound(&errors).map_err(TestCaseError::fail)?;
                let _ = errors.render(ErrorFormat::Human);
            }
        }

        #[test]
        fn arbitrary_text_never_panics(text in "[-:{}\\[\\]\"'\n #&*!|>a店\t.]{0,200}") {
            let files = vec![("tests/fixtures/reference/rules/tests/p.yaml".to_string(), text)];
            if let Err(errors) = parse_suite(shared_policy(), "tests/fixtures/reference/rules/tests", &files) {
                spans_are_sound(&errors).map_err(TestCaseError::fail)?;
                let _ = errors.render(ErrorFormat::Human);
            }
        }
    }
}
