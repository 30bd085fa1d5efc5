//! `verdikt diff`: the impact of a rule change on a corpus.
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

use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("verdikt-diff-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Copies the shipped rule files into `dir`, replacing `from` by `to` in `file`.
fn changed_rules(dir: &Path, file: &str, from: &str, to: &str) {
    std::fs::create_dir_all(dir).unwrap();
    for entry in std::fs::read_dir("tests/fixtures/reference/rules").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "vk") {
            let mut text = std::fs::read_to_string(&path).unwrap();
            if path.file_name().unwrap() == file {
                assert!(text.contains(from), "`{from}` is not in {file}");
                text = text.replacen(from, to, 1);
            }
            std::fs::write(dir.join(path.file_name().unwrap()), text).unwrap();
        }
    }
}

/// Rule versions are hashes of the files; they change with every edit. The
/// scratch directory's name changes with every run.
fn stable(text: &str, scratch: &Path) -> String {
    text.lines()
        .map(|l| {
            let l = l.replace(scratch.to_str().unwrap(), "[scratch]");
            match l.find("(version ") {
                Some(at) => format!("{}(version [hash])", &l[..at]),
                None => l,
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const RATING: (&str, &str, &str) = (
    "10-limit_adjustment.vk",
    "store.rating >= 4.8",
    "store.rating >= 4.7",
);

#[test]
fn lowering_the_rating_threshold_moves_holds_to_increases() {
    let head = scratch("rating").join("rules");
    changed_rules(&head, RATING.0, RATING.1, RATING.2);
    let (code, out, err) = verdikt(&[
        "diff",
        "--base",
        "tests/fixtures/reference/rules",
        "--head",
        head.to_str().unwrap(),
        "tests/fixtures/reference/examples/merchants.jsonl",
        "tests/fixtures/reference/examples/merchants.yaml",
    ]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(stable(&out, &head));
    let (code, _, _) = verdikt(&[
        "diff",
        "--base",
        "tests/fixtures/reference/rules",
        "--head",
        head.to_str().unwrap(),
        "--exit-code",
        "tests/fixtures/reference/examples/merchants.jsonl",
    ]);
    assert_eq!(code, 1, "--exit-code and decisions changed");
}

#[test]
fn json_report_counts_transitions_and_money_to_the_cent() {
    let head = scratch("json").join("rules");
    changed_rules(&head, RATING.0, RATING.1, RATING.2);
    let (code, out, err) = verdikt(&[
        "diff",
        "--base",
        "tests/fixtures/reference/rules",
        "--head",
        head.to_str().unwrap(),
        "--output-format",
        "json",
        "tests/fixtures/reference/examples/merchants.jsonl",
        "tests/fixtures/reference/examples/merchants.yaml",
    ]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["read"], 37);
    let limit = &report["rulesets"][0];
    assert_eq!(limit["ruleset"], "limit_adjustment");
    let moved: Vec<_> = limit["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["from"] != t["to"])
        .collect();
    assert_eq!(moved.len(), 1);
    assert_eq!(
        (&moved[0]["from"], &moved[0]["to"]),
        (&"hold".into(), &"increase".into())
    );
    assert_eq!(moved[0]["count"], 2);
    // Both merchants hold ¥50,000 and may rise to 130%: +¥15,000 each.
    let money = &limit["money"][0];
    assert_eq!(money["output"], "new_limit");
    assert_eq!(money["changed"], 2);
    assert_eq!(money["total_change"], "30000.00");
    // ¥30,000 over the 26 records with a limit both times: 1153.846... -> 1153.85.
    assert_eq!(money["compared"], 26);
    assert_eq!(money["average_change"], "1153.85");
    assert_eq!(money["average_change_when_changed"], "15000.00");
    let example = &moved[0]["examples"][0];
    assert_eq!(example["merchant_id"], "M10004");
    assert_eq!(example["before"]["outputs"]["new_limit"], "50000.00");
    assert_eq!(example["after"]["outputs"]["new_limit"], "65000.00");
    assert_eq!(report["rulesets"][1]["changed"], 0);
}

#[test]
fn the_same_rules_change_nothing() {
    let (code, out, err) = verdikt(&[
        "diff",
        "--base",
        "tests/fixtures/reference/rules",
        "tests/fixtures/reference/examples/merchants.jsonl",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.matches("no change in 30 decisions").count(), 3, "{out}");
    let (code, _, _) = verdikt(&[
        "diff",
        "--base",
        "tests/fixtures/reference/rules",
        "--exit-code",
        "tests/fixtures/reference/examples/merchants.jsonl",
    ]);
    assert_eq!(code, 0, "--exit-code and nothing changed");
}

#[test]
fn base_may_be_a_git_revision_of_the_rules() {
    let repo = scratch("git");
    let rules = repo.join("rules");
    changed_rules(&rules, RATING.0, RATING.1, RATING.1);
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "rules"]);
    git(&["commit", "-q", "-m", "policy as shipped"]);
    changed_rules(&rules, RATING.0, RATING.1, RATING.2);

    let (code, out, err) = verdikt(&[
        "diff",
        "--base",
        "git:HEAD",
        "--head",
        rules.to_str().unwrap(),
        "tests/fixtures/reference/examples/merchants.jsonl",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("rules at HEAD (version"), "{out}");
    assert!(out.contains("hold -> increase: 1"), "{out}");

    let (code, _, err) = verdikt(&[
        "diff",
        "--base",
        "git:no-such-revision",
        "--head",
        rules.to_str().unwrap(),
        "tests/fixtures/reference/examples/merchants.jsonl",
    ]);
    assert_eq!(code, 2);
    // git's own words vary by version; ours name the revision and the directory.
    assert!(
        err.starts_with("error: git ls-tree --name-only no-such-revision ./ failed in `"),
        "{err}"
    );
}

#[test]
fn records_one_version_rejects_show_as_rejected() {
    // The head schema demands a credit score of at least 600: the two
    // merchants below it become bad records under the head rules.
    let head = scratch("rejects").join("rules");
    changed_rules(
        &head,
        "01-schema.vk",
        "alipay.credit_score               int in 350..950",
        "alipay.credit_score               int in 600..950",
    );
    let (code, out, err) = verdikt(&[
        "diff",
        "--base",
        "tests/fixtures/reference/rules",
        "--head",
        head.to_str().unwrap(),
        "--examples",
        "1",
        "tests/fixtures/reference/examples/merchants.jsonl",
    ]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(stable(&out, &head));
}

#[test]
fn broken_head_rules_are_reported_and_nothing_is_compared() {
    let head = scratch("broken").join("rules");
    changed_rules(&head, RATING.0, RATING.1, "store.ratng >= 4.7");
    let (code, out, err) = verdikt(&[
        "diff",
        "--base",
        "tests/fixtures/reference/rules",
        "--head",
        head.to_str().unwrap(),
        "--error-format",
        "plain",
        "tests/fixtures/reference/examples/merchants.jsonl",
    ]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    insta::assert_snapshot!(err.replace(head.to_str().unwrap(), "[head]"));
}

#[test]
fn added_and_removed_rulesets_show_their_outcome_counts() {
    let dir = scratch("one-sided");
    let head = dir.join("head");
    changed_rules(&head, "01-schema.vk", "", "");
    std::fs::remove_file(head.join("30-reapply.vk")).unwrap();
    std::fs::write(
        head.join("40-bonus.vk"),
        "ruleset bonus \"奖励\" {\n  outcomes bonus, none\n  rule top_rated\n    when store.rating >= 4.8\n    then bonus\n  otherwise none\n}\n",
    )
    .unwrap();
    let corpus = "tests/fixtures/reference/examples/merchants.jsonl";
    let args = |format: &str| {
        verdikt(&[
            "diff",
            "--base",
            "tests/fixtures/reference/rules",
            "--head",
            head.to_str().unwrap(),
            "--output-format",
            format,
            corpus,
        ])
    };
    let (code, json, err) = args("json");
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let read = report["read"].as_u64().unwrap();
    assert!(read > 10, "{json}");
    let counts = |side: &str| -> Vec<(String, u64)> {
        let list = report[side].as_array().unwrap();
        assert_eq!(list.len(), 1, "{json}");
        list[0]["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["outcome"].as_str().unwrap().to_string(),
                    o["count"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(report["only_in_base"][0]["ruleset"], "reapply");
    assert_eq!(report["only_in_head"][0]["ruleset"], "bonus");
    // The removed ruleset's counts are what `batch` decides with the base.
    let (code, decisions, _) = verdikt(&["batch", "-q", corpus]);
    assert_eq!(code, 0);
    let mut want: Vec<(String, u64)> = Vec::new();
    for line in decisions.lines() {
        let d: serde_json::Value = serde_json::from_str(line).unwrap();
        let outcome = d["decisions"]["reapply"]["outcome"]
            .as_str()
            .unwrap()
            .to_string();
        match want.iter_mut().find(|(o, _)| *o == outcome) {
            Some((_, n)) => *n += 1,
            None => want.push((outcome, 1)),
        }
    }
    let mut got = counts("only_in_base");
    got.sort();
    want.sort();
    assert_eq!(got, want);
    // Every record is counted once for the added ruleset.
    let bonus = counts("only_in_head");
    assert_eq!(bonus.iter().map(|(_, n)| n).sum::<u64>(), read, "{json}");
    assert!(bonus.iter().any(|(o, _)| o == "bonus") && bonus.iter().any(|(o, _)| o == "none"));

    let (code, text, err) = args("text");
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(stable(&text, &dir));
}
