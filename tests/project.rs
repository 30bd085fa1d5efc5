//! Policy projects: `verdikt init`, then every verb from inside the project
//! with no path; the manifest's errors; what verbs say outside a project.
//! Nothing here reads the repository's `rules/`: each test makes its own
//! project in a scratch folder.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A fresh, empty scratch folder, removed when the test passes (a failing
/// test leaves it for a look).
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("verdikt-project-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

/// Runs verdikt in `dir`: exit code, stdout, stderr (`dir` shown as `[dir]`).
fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_verdikt"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).replace(dir.to_str().unwrap(), "[dir]");
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

/// `verdikt init` into `<scratch>/policy`: the scratch folder and the
/// project's folder.
fn init(name: &str) -> (Scratch, PathBuf) {
    let root = scratch(name);
    let (code, out, err) = run_in(&root, &["init", "policy"]);
    assert_eq!(code, 0, "{out}{err}");
    let dir = root.join("policy");
    (root, dir)
}

#[test]
fn a_new_project_passes_check_test_and_batch_from_inside_with_no_path() {
    let (_root, dir) = init("fresh");
    for file in [
        "verdikt.toml",
        "README.md",
        ".gitignore",
        "ci/verdikt.sh",
        "rules/01-schema.vk",
        "rules/10-limit.vk",
        "tests/limit.yaml",
        "examples/merchant.yaml",
        "merchants/merchant.yaml",
        "decisions/merchant.yaml.snap",
    ] {
        assert!(dir.join(file).is_file(), "init wrote no {file}");
    }
    assert_eq!(
        run_in(&dir, &["check"]),
        (0, "rules: ok\n".into(), String::new())
    );
    let (code, out, err) = run_in(&dir, &["check", "--deny-warnings"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run_in(&dir, &["test"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.ends_with("6 passed, 0 failed\n"), "{out}");
    assert!(out.contains("merchants: 1 unchanged"), "{out}");
    let (code, out, err) = run_in(&dir, &["test", "-v"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("ok    tests/limit.yaml:"), "{out}");
    assert!(out.contains("a good merchant gets 20% more"), "{out}");
    // A corpus generated from the project's own schema, decided by batch:
    // every record decided, none rejected.
    let (code, corpus, err) = run_in(&dir, &["gen", "--n", "500", "--seed", "3"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(corpus.lines().count(), 500);
    std::fs::write(dir.join("corpus.jsonl"), &corpus).unwrap();
    let (code, out, err) = run_in(
        &dir,
        &[
            "batch",
            "-q",
            "corpus.jsonl",
            "--summary-json",
            "summary.json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 500);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        (summary["decided"].as_u64(), summary["rejected"].as_u64()),
        (Some(500), Some(0)),
        "{summary}"
    );
    let (code, out, err) = run_in(&dir, &["batch", "-q", "examples/merchant.yaml"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(r#""limit":{"outcome":"increase","rule":"increase","new_limit":"60000.00""#),
        "{out}"
    );
    let (code, out, err) = run_in(&dir, &["eval", "--explain", "examples/merchant.yaml"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("new_limit: ¥60,000.00"), "{out}");
    let (code, out, err) = run_in(&dir, &["fmt", "--check"]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
}

#[test]
fn init_with_no_folder_makes_the_current_one_a_project() {
    let dir = scratch("here");
    std::fs::write(dir.join("notes.txt"), "kept\n").unwrap();
    let (code, out, err) = run_in(&dir, &["init"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "created a verdikt policy project in `.`\nnext: verdikt check && verdikt test (README.md says more)\n"
    );
    let (code, out, err) = run_in(&dir, &["test"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "kept\n"
    );
}

#[test]
fn verbs_find_the_manifest_from_a_subfolder() {
    let (_root, dir) = init("sub");
    let sub = dir.join("tests");
    assert_eq!(
        run_in(&sub, &["check"]),
        (0, "../rules: ok\n".into(), String::new())
    );
    let (code, out, err) = run_in(&sub, &["test", "-v"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("ok    ../tests/limit.yaml:19: rating 4.79 holds"),
        "{out}"
    );
    let (code, out, err) = run_in(&sub, &["batch", "-q", "../examples/merchant.yaml"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn the_manifest_says_where_the_parts_are() {
    let (_root, dir) = init("moved");
    std::fs::rename(dir.join("tests"), dir.join("cases")).unwrap();
    let (code, _, err) = run_in(&dir, &["test"]);
    assert_eq!(code, 2, "the cases moved away: {err}");
    let manifest = std::fs::read_to_string(dir.join("verdikt.toml")).unwrap();
    let manifest = manifest.replace("cases = \"tests\"", "cases = \"cases\"");
    std::fs::write(dir.join("verdikt.toml"), manifest).unwrap();
    let (code, out, err) = run_in(&dir, &["test", "-v"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("ok    cases/limit.yaml:12: "), "{out}");
}

#[test]
fn an_explicit_path_wins_over_the_project() {
    let (_root, dir) = init("explicit");
    let other = scratch("explicit-other");
    std::fs::write(other.join("bad.vk"), "ruleset r { outcomes ok }").unwrap();
    let (code, out, _) = run_in(&dir, &["check", other.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    // A project folder named on the command line is that project.
    let root = dir.parent().unwrap();
    let (code, out, err) = run_in(root, &["test", "policy"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.ends_with("6 passed, 0 failed\n"), "{out}");
    let (_, out, _) = run_in(root, &["test", "-v", "policy"]);
    assert!(out.contains("ok    policy/tests/limit.yaml:"), "{out}");
}

#[test]
fn a_project_in_a_rules_folder_is_found_from_its_parent() {
    let root = scratch("nested");
    let (code, _, err) = run_in(&root, &["init", "rules"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run_in(&root, &["batch", "-q", "rules/examples/merchant.yaml"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        run_in(&root, &["check"]),
        (0, "rules/rules: ok\n".into(), String::new())
    );
}

#[test]
fn init_never_overwrites() {
    let (_root, dir) = init("again");
    std::fs::write(dir.join("tests/limit.yaml"), "cases: []\n").unwrap();
    let (code, out, err) = run_in(dir.parent().unwrap(), &["init", "policy"]);
    assert_eq!(code, 2, "{out}");
    insta::assert_snapshot!(err, @"error: `policy` already holds `verdikt.toml`, `README.md`, `.gitignore`, `ci/verdikt.sh`, `rules/01-schema.vk`, `rules/10-limit.vk`, `tests/limit.yaml`, `examples/merchant.yaml`, `merchants/merchant.yaml`; nothing was written (choose a new folder: `verdikt init new-policy`)");
    let kept = std::fs::read_to_string(dir.join("tests/limit.yaml")).unwrap();
    assert_eq!(kept, "cases: []\n");
}

#[test]
fn outside_a_project_each_verb_says_how_to_point_at_one_or_create_one() {
    let dir = scratch("outside");
    let mut said = String::new();
    for args in [
        &["check"][..],
        &["test"],
        &["fmt"],
        &["eval", "x.json"],
        &["batch", "x.jsonl"],
        &["diff"],
    ] {
        let (code, out, err) = run_in(&dir, args);
        assert_eq!((code, out.as_str()), (2, ""), "{args:?}: {err}");
        said.push_str(&format!("{}\n{err}", args.join(" ")));
    }
    insta::assert_snapshot!(said);
}

#[test]
fn a_manifest_error_is_located_with_a_fix() {
    let (_root, dir) = init("typo");
    let manifest = std::fs::read_to_string(dir.join("verdikt.toml")).unwrap();
    std::fs::write(
        dir.join("verdikt.toml"),
        manifest.replace("cases = ", "case = "),
    )
    .unwrap();
    let (code, out, err) = run_in(&dir, &["test"]);
    assert_eq!((code, out.as_str()), (2, ""));
    insta::assert_snapshot!(err, @"error: verdikt.toml:5:1: unknown key `case`; did you mean `cases`?");
    std::fs::write(dir.join("verdikt.toml"), "rules = [\"rules\"]\n").unwrap();
    let (code, _, err) = run_in(&dir.join("rules"), &["check"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: ../verdikt.toml:1:9: "), "{err}");
}

#[test]
fn check_warns_when_a_calendar_does_not_cover_the_horizon() {
    let (_root, dir) = init("horizon");
    std::fs::write(
        dir.join("rules/02-calendar.vk"),
        "calendar cn-2026 {\n  covers    2026-01-01..2026-12-31\n  working   monday..friday\n  holidays  2026-10-01..2026-10-07\n}\n",
    )
    .unwrap();
    // No rule uses it yet (V041), but it covers the horizon: no V025.
    let (code, out, err) = run_in(&dir, &["check"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("V041") && !out.contains("V025"), "{out}");
    let manifest = std::fs::read_to_string(dir.join("verdikt.toml")).unwrap();
    let manifest = manifest.replace("2026-01-01..2026-12-31", "2026-01-01..2027-06-30");
    std::fs::write(dir.join("verdikt.toml"), manifest).unwrap();
    let (code, out, err) = run_in(&dir, &["check"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
    let (code, _, _) = run_in(&dir, &["check", "--deny-warnings"]);
    assert_eq!(code, 1);
}

#[test]
fn diff_inside_a_project_compares_the_last_commit_on_its_corpora() {
    let (_root, dir) = init("diff");
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "policy"]);
    let rules = dir.join("rules/10-limit.vk");
    let text = std::fs::read_to_string(&rules).unwrap();
    std::fs::write(
        &rules,
        text.replace("store.rating >= 4.8", "store.rating >= 4.95"),
    )
    .unwrap();
    let (code, out, err) = run_in(&dir, &["diff", "--exit-code"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("base: rules at HEAD"), "{out}");
    assert!(out.contains("records: 1 read"), "{out}");
    assert!(out.contains("M10001"), "{out}");
}
