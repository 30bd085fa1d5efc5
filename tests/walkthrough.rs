//! The README's "Changing a rule" walkthrough, run step by step on a copy of
//! the rules in a scratch git repository: if the tools or the policy change
//! what the walkthrough shows, this fails and the README gets updated.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::verdikt_in;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// A scratch repository holding a copy of `rules/` (with its tests, example
/// merchants and their stored decisions), committed.
fn scratch_repo() -> PathBuf {
    let repo = std::env::temp_dir().join(format!("verdikt-walkthrough-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&repo);
    for sub in ["rules", "rules/tests", "rules/merchants", "rules/decisions"] {
        std::fs::create_dir_all(repo.join(sub)).unwrap();
        for entry in std::fs::read_dir(Path::new("tests/fixtures/reference").join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, repo.join(sub).join(path.file_name().unwrap())).unwrap();
            }
        }
    }
    // The corpus the README's diff reads, at the same relative paths.
    for file in [
        "tests/corpus/generated.jsonl",
        "tests/corpus/thresholds.jsonl",
        "tests/fixtures/reference/examples/merchants.jsonl",
        "tests/fixtures/reference/examples/merchants.yaml",
    ] {
        let to = repo.join(file.replace("tests/fixtures/reference/", ""));
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(file, to).unwrap();
    }
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "rules"]);
    git(&repo, &["commit", "-q", "-m", "policy as shipped"]);
    repo
}

/// The lines of the README's fenced block that starts with `$ <command>`,
/// without the list indentation.
fn readme_block(command: &str) -> Vec<String> {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let start = readme
        // The whole line: other sections show `$ verdikt check <dir>` too.
        .find(&format!("$ {command}\n"))
        .unwrap_or_else(|| panic!("README shows no `$ {command}`"));
    let block = &readme[start..];
    let end = block.find("```").unwrap();
    block[..end]
        .lines()
        .skip(1)
        .map(|l| l.strip_prefix("   ").unwrap_or(l).to_string())
        .collect()
}

/// Every README line (but `...` and version hashes) appears in `actual`, in order.
fn shows_as_in_readme(command: &str, actual: &str) {
    let mut rest = actual.lines();
    for want in readme_block(command) {
        let want = match want.find("(version ") {
            Some(at) => want[..at].to_string(),
            None => want,
        };
        if want.trim() == "..." || want.trim().is_empty() {
            continue;
        }
        assert!(
            rest.any(|line| line.starts_with(&want)),
            "README line not in the output of `{command}`, in order:\n{want}\n---\n{actual}"
        );
    }
}

#[test]
fn the_readme_walkthrough_runs_as_written() {
    let repo = scratch_repo();
    let file = repo.join("rules/10-limit_adjustment.vk");

    // 1. Edit (the README's sed command).
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("store.rating >= 4.8 ") && text.contains("需达到 4.8"));
    let edited = text
        .replacen("store.rating >= 4.8 ", "store.rating>=4.7 ", 1)
        .replacen("需达到 4.8", "需达到 4.7", 1);
    std::fs::write(&file, edited).unwrap();

    // 2. Format.
    let (code, out, err) = verdikt_in(&repo, &["fmt"]);
    assert_eq!(code, 0, "{err}");
    shows_as_in_readme("verdikt fmt", &out);
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("      store.rating >= 4.7                      else \"店铺评分 {store.rating}，需达到 4.7\""));

    // 3. Check.
    let (code, out, err) = verdikt_in(&repo, &["check"]);
    assert_eq!(code, 0, "{err}");
    shows_as_in_readme("verdikt check", &out);

    // 4. Test: the cases that pin the old threshold fail.
    let (code, out, _) = verdikt_in(&repo, &["test"]);
    assert_eq!(code, 1);
    shows_as_in_readme("verdikt test", &out);

    // 5. Diff against the rules as committed, on the project's corpus.
    let args = [
        "diff",
        "--base",
        "git:HEAD",
        "tests/corpus/generated.jsonl",
        "tests/corpus/thresholds.jsonl",
        "examples/merchants.jsonl",
        "examples/merchants.yaml",
    ];
    let (code, out, err) = verdikt_in(&repo, &args);
    assert_eq!(code, 0, "{err}");
    shows_as_in_readme(
        "verdikt diff --base git:HEAD tests/corpus/*.jsonl examples/merchants.jsonl examples/merchants.yaml",
        &out,
    );

    // 6. Accept the example merchants' new decisions: stored, nothing pending.
    let (code, out, _) = verdikt_in(&repo, &["test", "--accept"]);
    assert_eq!(code, 1, "the cases of step 4 still fail\n{out}");
    shows_as_in_readme("verdikt test --accept", &out);
    let (_, out, _) = verdikt_in(&repo, &["test"]);
    assert!(
        out.contains("\nmerchants: 12 unchanged, 0 changed, 0 new, 0 orphaned\n"),
        "{out}"
    );
    let pending: Vec<_> = std::fs::read_dir(repo.join("rules/decisions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".snap"))
        .collect();
    assert!(pending.is_empty(), "{pending:?}");
    let _ = std::fs::remove_dir_all(&repo);
}

/// The README's "Walkthrough: a policy of your own", run as written: each
/// `$ command` of its console blocks (`> ` lines continue it; `cd` moves on)
/// runs in bash in a scratch folder with `verdikt` on PATH, and every
/// output line shown under it appears in its output, in order.
#[test]
fn the_readme_project_walkthrough_runs_as_written() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let section = readme
        .split("## Walkthrough: a policy of your own")
        .nth(1)
        .expect("the README has the walkthrough")
        .split("\n## ")
        .next()
        .unwrap();
    let root = std::env::temp_dir().join(format!("verdikt-own-policy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_verdikt")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cwd = root.clone();
    let mut ran = 0;
    for block in section.split("```console\n").skip(1) {
        let block = block.split("```").next().unwrap();
        let lines: Vec<&str> = block.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let Some(first) = lines[i].strip_prefix("$ ") else {
                i += 1;
                continue;
            };
            let mut command = first.to_string();
            i += 1;
            while i < lines.len() && (lines[i].starts_with("> ") || lines[i] == ">") {
                command.push('\n');
                command.push_str(lines[i].get(2..).unwrap_or(""));
                i += 1;
            }
            let mut shown = Vec::new();
            while i < lines.len() && !lines[i].starts_with("$ ") {
                if !lines[i].trim().is_empty() {
                    shown.push(lines[i]);
                }
                i += 1;
            }
            if let Some(dir) = command.strip_prefix("cd ") {
                cwd = cwd.join(dir);
                continue;
            }
            let out = Command::new("bash")
                .arg("-c")
                .arg(&command)
                .current_dir(&cwd)
                .env("PATH", &path)
                .output()
                .unwrap();
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let mut got = text.lines();
            for line in &shown {
                assert!(
                    got.any(|g| g == *line),
                    "`{command}` did not show, in order:\n{line}\n--- it printed:\n{text}"
                );
            }
            ran += 1;
        }
    }
    assert!(ran >= 20, "only {ran} commands ran");
    let _ = std::fs::remove_dir_all(&root);
}
