//! `verdikt test` on a small fixture policy with example merchants and
//! stored decisions (`tests/fixtures/snapshots/policy`): failures and a
//! summary by default, everything with `-v`; a threshold change fails with
//! a per-merchant diff until `--accept`; orphans, new merchants,
//! `--filter`, `--watch` and the unasserted-ruleset warning.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::{verdikt, verdikt_in};

const FIXTURE: &str = "tests/fixtures/snapshots/policy";

/// A scratch copy of the fixture policy, in a folder named `policy`.
fn scratch(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("verdikt-runner-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    copy_dir(Path::new(FIXTURE), &root.join("policy"));
    root
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Every file name in the decisions folder.
fn stored(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("policy/decisions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn passing_cases_are_quiet_and_verbose_shows_them_with_their_lines() {
    let (code, out, err) = verdikt(&["test", FIXTURE]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert_eq!(
        out,
        "merchants: 2 unchanged, 0 changed, 0 new, 0 orphaned\n3 passed, 0 failed\n"
    );
    let (code, out, _) = verdikt(&["test", FIXTURE, "-v"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out, @r"
    ok    tests/fixtures/snapshots/policy/tests/tier.yaml:8: a strong shop is gold
    ok    tests/fixtures/snapshots/policy/tests/tier.yaml:11: a low rating is silver
    ok    tests/fixtures/snapshots/policy/tests/tier.yaml:15: a low credit score is silver
    ok    tests/fixtures/snapshots/policy/merchants/gold.json
    ok    tests/fixtures/snapshots/policy/merchants/silver.yaml
    merchants: 2 unchanged, 0 changed, 0 new, 0 orphaned
    3 passed, 0 failed
    ");
}

#[test]
fn a_threshold_change_fails_with_a_diff_per_merchant_until_accepted() {
    let root = scratch("threshold");
    // 4.8 -> 4.85: the cases (4.9 and 4.5) still pass; merchant G1 (4.82)
    // falls from gold to silver.
    let rules = root.join("policy/10-tier.vk");
    edit(&rules, "store.rating >= 4.8 ", "store.rating >= 4.85");
    edit(&rules, "需达到 4.8", "需达到 4.85");
    let (code, out, _) = verdikt_in(&root, &["test", "policy"]);
    assert_eq!(code, 1, "{out}");
    insta::assert_snapshot!(out);
    // Nothing was written by a failing run.
    assert_eq!(stored(&root), ["gold.json.snap", "silver.yaml.snap"]);

    let (code, out, _) = verdikt_in(&root, &["test", "policy", "--accept"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("accepted: stored `policy/decisions/gold.json.snap`"),
        "{out}"
    );
    let (code, out, _) = verdikt_in(&root, &["test", "policy"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("merchants: 2 unchanged, 0 changed"),
        "{out}"
    );
    // No pending or temporary file outlives the run.
    assert_eq!(stored(&root), ["gold.json.snap", "silver.yaml.snap"]);
    let snap = std::fs::read_to_string(root.join("policy/decisions/gold.json.snap")).unwrap();
    assert!(snap.starts_with("---\nsource: verdikt test\n"), "{snap}");
    assert!(snap.contains("\"outcome\": \"silver\""), "{snap}");
    assert!(!snap.contains("version"), "no rule version: {snap}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn an_orphan_is_reported_and_accept_removes_it() {
    let root = scratch("orphan");
    std::fs::remove_file(root.join("policy/merchants/silver.yaml")).unwrap();
    let (code, out, _) = verdikt_in(&root, &["test", "policy"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with(
            "ORPHAN  policy/decisions/silver.yaml.snap: its merchant file \
             `policy/merchants/silver.yaml` is gone\n"
        ),
        "{out}"
    );
    let (code, out, _) = verdikt_in(&root, &["test", "policy", "--accept"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(stored(&root), ["gold.json.snap"]);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_new_merchant_fails_until_accepted() {
    let root = scratch("new");
    std::fs::write(
        root.join("policy/merchants/strong.jsonl"),
        "{\"merchant_id\":\"N1\",\"as_of\":\"2026-11-24\",\"store\":{\"rating\":\"5\"},\"alipay\":{\"credit_score\":900}}\n",
    )
    .unwrap();
    let (code, out, _) = verdikt_in(&root, &["test", "policy"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with(
            "NEW   policy/merchants/strong.jsonl: no stored decisions yet\n    tier: gold (rule gold)\n"
        ),
        "{out}"
    );
    assert!(out.contains("0 changed, 1 new"), "{out}");
    let (code, _, _) = verdikt_in(&root, &["test", "policy", "--accept"]);
    assert_eq!(code, 0);
    assert!(stored(&root).contains(&"strong.jsonl.snap".to_string()));
    let (code, _, _) = verdikt_in(&root, &["test", "policy"]);
    assert_eq!(code, 0);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn filter_picks_cases_by_name_or_file_and_merchants_by_file() {
    let (code, out, _) = verdikt(&["test", FIXTURE, "-v", "--filter", "low"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ok ")).count(),
        2,
        "{out}"
    );
    assert!(
        out.ends_with("merchants: 0 unchanged, 0 changed, 0 new, 0 orphaned\n2 passed, 0 failed\n"),
        "{out}"
    );
    let (code, out, _) = verdikt(&["test", FIXTURE, "--filter", "gold"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out,
        "merchants: 1 unchanged, 0 changed, 0 new, 0 orphaned\n1 passed, 0 failed\n"
    );
    let (code, _, err) = verdikt(&["test", FIXTURE, "--filter", "nothing like it"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no case and no example merchant matches `--filter nothing like it`"),
        "{err}"
    );
}

#[test]
fn a_ruleset_no_case_asserts_on_warns_and_deny_warnings_fails() {
    let root = scratch("unasserted");
    std::fs::write(
        root.join("policy/20-vip.vk"),
        "ruleset vip {\n  outcomes vip, regular\n\n  rule vip \"VIP\"\n    when alipay.credit_score >= 900\n    then vip\n  otherwise regular\n}\n",
    )
    .unwrap();
    let (code, _, _) = verdikt_in(&root, &["test", "policy", "--accept"]);
    assert_eq!(code, 0);
    let (code, out, err) = verdikt_in(&root, &["test", "policy"]);
    assert_eq!(code, 0, "{out}");
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(
        warnings,
        [
            "warning: no case asserts on ruleset `vip`, so nothing pins what it decides; add a case in `policy/tests` with `expect: { vip: { outcome: ... } }`",
            "warning: no example merchant in `policy/merchants` gets `vip: vip`; add one that does, so a change to that outcome shows in its decisions",
        ],
        "{err}"
    );
    let (code, out, _) = verdikt_in(&root, &["test", "policy", "--deny-warnings"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.ends_with("2 warning(s), denied by --deny-warnings\n"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn review_needs_a_terminal_and_says_to_use_accept() {
    let out = Command::new(env!("CARGO_BIN_EXE_verdikt"))
        .args(["test", FIXTURE, "--review"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("`verdikt test --accept`"), "{err}");
}

#[test]
fn watch_runs_again_when_a_case_file_is_saved() {
    let root = scratch("watch");
    let mut child = Command::new(env!("CARGO_BIN_EXE_verdikt"))
        .args(["test", "policy", "--watch"])
        .current_dir(&root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if send.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let summary = |lines: &mpsc::Receiver<String>| {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = lines.recv_timeout(left).expect("a run's summary");
            if line.ends_with(" failed") {
                return line;
            }
        }
    };
    assert_eq!(summary(&lines), "3 passed, 0 failed");
    // The save: a case now expects the wrong outcome.
    std::thread::sleep(Duration::from_millis(50));
    edit(
        &root.join("policy/tests/tier.yaml"),
        "expect: { tier: { outcome: silver } }",
        "expect: { tier: { outcome: gold } }",
    );
    assert_eq!(summary(&lines), "2 passed, 1 failed");
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&root);
}
