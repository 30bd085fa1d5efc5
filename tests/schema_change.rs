//! Schema changes are safe: `verdikt gen --rules` follows a policy's schema
//! (a new field is in its corpus, every record is decided, values sit on
//! the rules' thresholds, the same seed gives the same bytes), and `diff`
//! says before its report when the head requires a field records lack or a
//! changed condition reads a field no record has.
//!
//! The policies are frozen copies under `tests/fixtures/gen/`: `shipped`
//! (the shipped policy), `new_field` (plus a required `store.return_rate`
//! that `increase` reads), `new_optional` (plus `store.flagged`, optional
//! with a default, that `decrease` reads) and `kinds` (every kind of field).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use std::ops::ControlFlow;
use std::path::Path;
use std::process::{Command, Output};
use std::str::FromStr;

use proptest::prelude::*;
use rust_decimal::Decimal;

const FIXTURES: &str = "tests/fixtures/gen";
const POLICIES: [&str; 4] = ["shipped", "new_field", "new_optional", "kinds"];

fn policy(name: &str) -> verdikt::Policy {
    let checked = verdikt::check_dir(&Path::new(FIXTURES).join(name)).unwrap();
    let rendered = checked.render(verdikt::ErrorFormat::Plain);
    checked
        .policy
        .unwrap_or_else(|| panic!("{name} does not check:\n{rendered}"))
}

fn generate(policy: &verdikt::Policy, n: u64, seed: u64, bad_percent: u64) -> Vec<String> {
    let mut lines = Vec::new();
    verdikt::gen::policy_corpus_until(policy, n, seed, bad_percent, |line| {
        lines.push(line.to_string());
        ControlFlow::Continue(())
    });
    assert_eq!(lines.len() as u64, n);
    lines
}

fn verdikt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_verdikt"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// A dotted path's value in a JSON record, as text (numbers and strings alike).
fn field(record: &serde_json::Value, path: &str) -> Option<String> {
    let mut node = record;
    for key in path.split('.') {
        node = node.get(key)?;
    }
    match node {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn quiet() -> verdikt::Mode {
    verdikt::Mode {
        reasons: false,
        explain: false,
        trace: false,
    }
}

#[test]
fn gen_emits_a_new_required_field_in_every_record() {
    let policy = policy("new_field");
    let lines = generate(&policy, 500, 1, 0);
    let mut values = std::collections::BTreeSet::new();
    for line in &lines {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let rate = field(&record, "store.return_rate")
            .unwrap_or_else(|| panic!("no store.return_rate in {line}"));
        let rate = Decimal::from_str(&rate).unwrap();
        assert!(rate >= Decimal::ZERO && rate <= Decimal::ONE, "{line}");
        values.insert(rate);
    }
    assert!(values.len() >= 50, "only {} distinct rates", values.len());
}

#[test]
fn the_command_line_gen_follows_the_rules_it_is_given() {
    let dir = format!("{FIXTURES}/new_field");
    let out = stdout(&verdikt(&[
        "gen", "--rules", &dir, "--n", "50", "--seed", "3",
    ]));
    assert_eq!(out.lines().count(), 50);
    assert!(out.lines().all(|l| l.contains("\"return_rate\":")), "{out}");
}

#[test]
fn every_generated_record_is_decided_by_its_policy() {
    for name in POLICIES {
        let policy = policy(name);
        for seed in [1, 7, 2026] {
            let lines = generate(&policy, 2000, seed, 0);
            for line in &lines {
                if let Err(e) = policy.decide_json(line, quiet()) {
                    panic!("{name}, seed {seed}: {e}\n{line}");
                }
            }
        }
    }
}

#[test]
fn every_outcome_of_the_shipped_policy_appears() {
    let policy = policy("shipped");
    let mut seen = std::collections::BTreeSet::new();
    for line in generate(&policy, 5000, 7, 0) {
        let decision = policy.decide_json(&line, quiet()).unwrap();
        let json = serde_json::to_value(&decision).unwrap();
        for (ruleset, d) in json["decisions"].as_object().unwrap() {
            seen.insert(format!("{ruleset}.{}", d["outcome"].as_str().unwrap()));
        }
    }
    for outcome in [
        "limit_adjustment.freeze",
        "limit_adjustment.decrease",
        "limit_adjustment.increase",
        "limit_adjustment.hold",
        "limit_adjustment.not_applicable",
        "exit_request.granted",
        "exit_request.redirect",
        "exit_request.repay_required",
        "exit_request.denied",
        "exit_request.no_request",
        "reapply.eligible",
        "reapply.eligible_restricted",
        "reapply.not_yet",
        "reapply.not_eligible",
        "reapply.not_applicable",
    ] {
        assert!(seen.contains(outcome), "no {outcome} in {seen:?}");
    }
}

#[test]
fn the_batch_command_decides_a_generated_corpus_without_a_reject() {
    let dir = std::env::temp_dir().join(format!("verdikt-gen-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in POLICIES {
        let rules = format!("{FIXTURES}/{name}");
        let corpus = dir.join(format!("{name}.jsonl"));
        let text = stdout(&verdikt(&[
            "gen", "--rules", &rules, "--n", "1000", "--seed", "5",
        ]));
        std::fs::write(&corpus, text).unwrap();
        let summary = dir.join(format!("{name}.summary.json"));
        let out = verdikt(&[
            "batch",
            "--rules",
            &rules,
            corpus.to_str().unwrap(),
            "-o",
            dir.join(format!("{name}.out")).to_str().unwrap(),
            "--summary-json",
            summary.to_str().unwrap(),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
        assert_eq!(summary["read"], 1000, "{name}: {summary}");
        assert_eq!(summary["rejected"], 0, "{name}: {summary}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let dir = format!("{FIXTURES}/kinds");
    let args = ["gen", "--rules", &dir, "--n", "300", "--seed", "42"];
    let first = stdout(&verdikt(&args));
    let second = stdout(&verdikt(&args));
    assert_eq!(first, second);
    let other = stdout(&verdikt(&[
        "gen", "--rules", &dir, "--n", "300", "--seed", "43",
    ]));
    assert_ne!(first, other);
    // The library gives the command line's lines.
    let library = generate(&policy("kinds"), 300, 42, 0).join("\n") + "\n";
    assert_eq!(first, library);
}

#[test]
fn bad_percent_still_breaks_records_on_purpose() {
    let policy = policy("new_field");
    let lines = generate(&policy, 2000, 9, 20);
    let rejected = lines
        .iter()
        .filter(|l| policy.decide_json(l, quiet()).is_err())
        .count();
    // About 20% are drawn bad, and each bad one is rejected.
    assert!((300..=500).contains(&rejected), "{rejected} rejected");
}

/// Every threshold a rule compares a field with, as written in the fixture
/// (read by hand, not by the generator's code): (field, value).
const SHIPPED_THRESHOLDS: &[(&str, &str)] = &[
    ("store.rating", "4.5"),
    ("store.rating", "4.6"),
    ("store.rating", "4.8"),
    ("fulfillment.on_time_ship_rate", "0.9"),
    ("fulfillment.on_time_ship_rate", "0.98"),
    ("fulfillment.positive_review_rate", "0.95"),
    ("alipay.credit_score", "600"),
    ("alipay.credit_score", "650"),
    ("alipay.credit_score", "700"),
    ("sales.gmv_90d", "100000"),
    ("store.months_active", "6"),
    ("violations.severe_12m", "1"),
    ("violations.open", "0"),
    ("violations.open", "1"),
    ("quota.overdue_count_12m", "1"),
    ("quota.overdue_count_12m", "3"),
    ("quota.used", "0"),
];

const KINDS_THRESHOLDS: &[(&str, &str)] = &[
    ("shop.level", "3"),
    ("shop.level", "4"),
    ("shop.score", "2.75"),
    ("shop.score", "-3.5"),
    ("shop.deposit", "10"),
    ("shop.deposit", "5000.50"),
    ("shop.refund_rate", "0.025"),
    ("shop.strikes", "2"),
    ("shop.checked_on", "2026-06-30"),
];

/// Date fields compared with `as_of` through `+ N days` or `days()`: (field,
/// N) where `field + N days = as_of` sits on the threshold.
const SHIPPED_DAY_THRESHOLDS: &[(&str, i64)] =
    &[("quota.last_adjusted_on", 90), ("quota.exited_on", 180)];
const KINDS_DAY_THRESHOLDS: &[(&str, i64)] = &[("shop.opened_on", 365), ("shop.opened_on", 3000)];

fn same(a: &str, b: &str) -> bool {
    match (Decimal::from_str(a), Decimal::from_str(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn days_before_as_of(record: &serde_json::Value, path: &str) -> Option<i64> {
    let day = |p: &str| chrono::NaiveDate::parse_from_str(&field(record, p)?, "%Y-%m-%d").ok();
    Some(day("as_of")?.signed_duration_since(day(path)?).num_days())
}

fn assert_thresholds_hit(name: &str, seed: u64, values: &[(&str, &str)], days: &[(&str, i64)]) {
    let records: Vec<serde_json::Value> = generate(&policy(name), 2000, seed, 0)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (path, threshold) in values {
        let hit = records
            .iter()
            .any(|r| field(r, path).is_some_and(|v| same(&v, threshold)));
        assert!(
            hit,
            "{name}, seed {seed}: no record has {path} = {threshold}"
        );
    }
    for (path, n) in days {
        let hit = records
            .iter()
            .any(|r| days_before_as_of(r, path) == Some(*n));
        assert!(
            hit,
            "{name}, seed {seed}: no record has {path} + {n} days = as_of"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn some_record_sits_exactly_on_every_threshold(seed in any::<u64>()) {
        assert_thresholds_hit("shipped", seed, SHIPPED_THRESHOLDS, SHIPPED_DAY_THRESHOLDS);
        assert_thresholds_hit("new_field", seed, &[("store.return_rate", "0.05")], &[]);
        assert_thresholds_hit("kinds", seed, KINDS_THRESHOLDS, KINDS_DAY_THRESHOLDS);
    }
}

/// The lines of a report before its `base:` line: the warning block.
fn warnings(report: &str) -> String {
    report
        .lines()
        .take_while(|l| !l.starts_with("base:"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The fixed template corpus, which knows no new field.
fn template_corpus(name: &str, n: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "verdikt-schema-change-{name}-{}.jsonl",
        std::process::id()
    ));
    let text = stdout(&verdikt(&["gen", "--n", n, "--seed", "7"]));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn diff_warns_before_its_report_when_the_head_requires_a_field_records_lack() {
    let corpus = template_corpus("required", "400");
    let base = format!("{FIXTURES}/shipped");
    let head = format!("{FIXTURES}/new_field");
    let corpus_arg = corpus.to_str().unwrap();
    let text = stdout(&verdikt(&[
        "diff", "--base", &base, "--head", &head, corpus_arg,
    ]));
    insta::assert_snapshot!("diff_new_required_field", warnings(&text));
    let json = stdout(&verdikt(&[
        "diff",
        "--base",
        &base,
        "--head",
        &head,
        corpus_arg,
        "--output-format",
        "json",
    ]));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        json["new_required"],
        serde_json::json!([{ "field": "store.return_rate", "lacking": 400 }])
    );
    assert_eq!(
        json["unseen_fields"],
        serde_json::json!([{ "field": "store.return_rate", "rulesets": ["limit_adjustment"] }])
    );
    // A corpus generated from the head's schema has the field: no warning.
    let generated = stdout(&verdikt(&["gen", "--rules", &head, "--n", "400"]));
    std::fs::write(&corpus, generated).unwrap();
    let text = stdout(&verdikt(&[
        "diff", "--base", &base, "--head", &head, corpus_arg,
    ]));
    assert_eq!(warnings(&text), "");
    std::fs::remove_file(&corpus).unwrap();
}

#[test]
fn diff_warns_when_a_changed_condition_reads_a_field_no_record_has() {
    let corpus = template_corpus("optional", "300");
    let base = format!("{FIXTURES}/shipped");
    let head = format!("{FIXTURES}/new_optional");
    let corpus_arg = corpus.to_str().unwrap();
    let text = stdout(&verdikt(&[
        "diff", "--base", &base, "--head", &head, corpus_arg,
    ]));
    // `store.flagged` is optional with a default: every record is decided,
    // and the report alone would say the change does nothing.
    assert!(text.contains("rejected by base 0, by head 0"), "{text}");
    insta::assert_snapshot!("diff_unseen_field", warnings(&text));
    // The same rules compared with themselves change no condition.
    let text = stdout(&verdikt(&[
        "diff", "--base", &head, "--head", &head, corpus_arg,
    ]));
    assert_eq!(warnings(&text), "");
    std::fs::remove_file(&corpus).unwrap();
}
