//! `verdikt test --mutate`: mutation testing of a policy's own cases, on a
//! small policy whose cases are weak (thresholds survive) or strong (every
//! mutant dies), and on the shipped policy, whose cases must kill every
//! mutant that is not equivalent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

mod common;

/// The report with its one varying part, the time, replaced.
fn without_time(out: &str) -> String {
    out.lines()
        .map(|line| match line.rfind(" rejected by check (") {
            Some(at) => format!("{} rejected by check ([time])", &line[..at]),
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn weak_cases_leave_survivors_at_their_file_and_line() {
    let (code, out, err) = common::verdikt(&["test", "tests/fixtures/mutate/weak", "--mutate"]);
    assert_eq!(code, 1, "a survivor fails the run\n{out}\n{err}");
    let survivors: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("survived"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(survivors.len(), 15, "{out}");
    // `score >= 700` is line 27: no case sits at 700, so all three live.
    let score: Vec<&&str> = survivors
        .iter()
        .filter(|l| l.contains("policy.vk:27:"))
        .collect();
    assert_eq!(score.len(), 3, "{out}");
    assert!(out.contains("policy.vk:27:13  grade.good  `>=` → `>`  in `score >= 700`"));
    insta::assert_snapshot!(without_time(&out));
}

#[test]
fn strong_cases_kill_every_mutant_that_is_not_equivalent() {
    let (code, out, err) = common::verdikt(&["test", "tests/fixtures/mutate/strong", "--mutate"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("22 mutants: 18 killed, 0 survived, 4 equivalent, 0 rejected by check"),
        "{out}"
    );
}

#[test]
fn a_failing_case_stops_before_any_mutant() {
    let dir = std::env::temp_dir().join(format!("verdikt-mutate-{}", std::process::id()));
    let rules = dir.join("rules");
    std::fs::create_dir_all(rules.join("tests")).unwrap();
    let fixture = std::path::Path::new("tests/fixtures/mutate/weak");
    std::fs::copy(fixture.join("policy.vk"), rules.join("policy.vk")).unwrap();
    let cases = std::fs::read_to_string(fixture.join("tests/cases.yaml")).unwrap();
    let cases = cases.replace("outcome: blocked", "outcome: good");
    std::fs::write(rules.join("tests/cases.yaml"), cases).unwrap();
    let (code, out, _) = common::verdikt(&["test", rules.to_str().unwrap(), "--mutate"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL"), "{out}");
    assert!(out.contains("no mutant was run"), "{out}");
    assert!(!out.contains("mutation testing:"), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_shipped_cases_kill_every_mutant_that_is_not_equivalent() {
    let (code, out, err) = common::verdikt(&["test", "tests/fixtures/reference/rules", "--mutate"]);
    let summary = out
        .lines()
        .find(|l| l.starts_with("mutation testing:"))
        .unwrap_or_default();
    assert!(summary.contains(" 0 survived"), "{out}\n{err}");
    let mutants: usize = summary
        .trim_start_matches("mutation testing: ")
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(mutants >= 80, "expected every threshold mutated: {summary}");
    // The frozen copy spells its thresholds out in its texts (`需达到
    // 98%`), from before `{required}`: each nudge of such a threshold
    // leaves its text saying the old value, and that fails the run.
    assert!(summary.contains(" 32 text did not follow, "), "{out}");
    assert!(
        out.contains("10-limit_adjustment.vk:40:40  limit_adjustment.increase  `98%` → `98.01%`  in `fulfillment.on_time_ship_rate >= 98%`: its text still says `98%`"),
        "{out}"
    );
    assert_eq!(code, 1, "{out}\n{err}");
}

#[test]
fn a_threshold_shown_with_required_follows_its_mutants() {
    let (code, out, err) = common::verdikt(&["test", "tests/fixtures/required", "--mutate"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!out.contains("text did not follow"), "{out}");
    assert!(out.contains(" 0 survived"), "{out}");
}

#[test]
fn a_budget_that_cuts_the_run_says_what_it_left_out_and_fails() {
    let (code, out, err) = common::verdikt(&[
        "test",
        "tests/fixtures/mutate/strong",
        "--mutate",
        "--max-mutants",
        "5",
    ]);
    // Every mutant run is killed, but the cut run must not pass.
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains("22 mutants: 5 killed, 0 survived, 4 equivalent, 0 rejected by check"),
        "{out}"
    );
    assert!(
        out.contains(
            "incomplete: 13 of 22 mutants were not run: the budget (--max-mutants) was spent"
        ),
        "{out}"
    );
    let places: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("not run (--max-mutants), by rule"))
        .skip(1)
        .collect();
    assert!(!places.is_empty(), "{out}");
    assert!(places.iter().all(|l| l.contains("policy.vk  ")), "{out}");
    let listed: usize = places
        .iter()
        .map(|l| {
            let n = l.rsplit('(').next().unwrap();
            n.split(' ').next().unwrap().parse::<usize>().unwrap()
        })
        .sum();
    assert_eq!(listed, 13, "{out}");
    // No progress bar when stderr is not a terminal.
    assert!(err.is_empty(), "{err}");
}

#[test]
fn a_budget_that_is_not_spent_changes_nothing() {
    let (code, out, _) = common::verdikt(&[
        "test",
        "tests/fixtures/mutate/strong",
        "--mutate",
        "--max-mutants",
        "1000",
        "--mutate-time",
        "600",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("not run"), "{out}");
    assert!(out.contains("22 mutants: 18 killed"), "{out}");
}

#[test]
fn budget_flags_need_mutate_and_a_positive_value() {
    for args in [
        &["test", "tests/fixtures/mutate/strong", "--max-mutants", "5"][..],
        &[
            "test",
            "tests/fixtures/mutate/strong",
            "--mutate",
            "--max-mutants",
            "0",
        ],
        &[
            "test",
            "tests/fixtures/mutate/strong",
            "--mutate",
            "--mutate-time",
            "0",
        ],
    ] {
        let (code, out, err) = common::verdikt(args);
        assert_eq!(code, 2, "{args:?}\n{out}\n{err}");
    }
}
