//! The hostile suite: inputs a careless or malicious user could hand
//! verdikt, each of which must end in a clear, located refusal with the
//! documented exit code, nothing lost and nothing left behind.
//!
//! One fixture folder per case, `tests/hostile/<class>/<case>/`, holding the
//! inputs and a `case.yaml`:
//!
//! ```yaml
//! args: [batch, input.csv]   # verdikt's arguments; `{rules}` is the frozen
//!                            # reference rules (tests/fixtures/reference/rules), `{tmp}` the scratch folder
//! stdin: input.jsonl         # optional: a file fed to standard input
//! setup: [mkfifo fifo.vk]    # optional: shell lines run in the scratch folder
//!                            # first (`{rules}` and `{repo}` are filled in too)
//! exit: 1                    # the exit code
//! records: 5                 # optional, batch only: records read, and
//!                            # read = decided + rejected (from --summary-json)
//! ```
//!
//! The folder is copied to a scratch folder and the binary runs there; its
//! exit code, stdout and stderr are kept as an insta snapshot, and no
//! temporary file may be left in the scratch folder afterwards.
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

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    args: Vec<String>,
    #[serde(default)]
    stdin: Option<String>,
    #[serde(default)]
    setup: Vec<String>,
    exit: i32,
    #[serde(default)]
    records: Option<u64>,
}

#[test]
fn hostile_inputs_are_refused_clearly() {
    let repo = std::env::current_dir().unwrap();
    let mut ran = 0;
    insta::glob!("hostile/*/*/case.yaml", |path| {
        let fixture = path.parent().unwrap();
        let case: Case = serde_yaml::from_str(&std::fs::read_to_string(path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let text = run_case(&repo, fixture, &case);
        insta::assert_snapshot!(text);
        ran += 1;
    });
    assert!(ran >= 85, "only {ran} hostile cases ran");
}

fn run_case(repo: &Path, fixture: &Path, case: &Case) -> String {
    let name = fixture
        .strip_prefix(repo.join("tests/hostile"))
        .unwrap()
        .display()
        .to_string()
        .replace('/', "-");
    let scratch =
        std::env::temp_dir().join(format!("verdikt-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    copy_dir(fixture, &scratch);
    std::fs::remove_file(scratch.join("case.yaml")).unwrap();
    let rules = repo.join("tests/fixtures/reference/rules");
    let fill = |a: &str| {
        a.replace("{rules}", rules.to_str().unwrap())
            .replace("{repo}", repo.to_str().unwrap())
            .replace("{tmp}", scratch.to_str().unwrap())
    };
    for line in &case.setup {
        let ok = Command::new("sh")
            .arg("-c")
            .arg(fill(line))
            .current_dir(&scratch)
            .status()
            .unwrap()
            .success();
        assert!(ok, "{name}: setup `{line}` failed");
    }
    let mut args: Vec<String> = case.args.iter().map(|a| fill(a)).collect();
    let summary = scratch.join("summary.json.expected");
    if case.records.is_some() {
        assert_eq!(args[0], "batch", "{name}: `records` is for batch cases");
        args.push("--summary-json".into());
        args.push(summary.to_str().unwrap().into());
    }
    let stdin = match &case.stdin {
        Some(file) => Stdio::from(std::fs::File::open(scratch.join(file)).unwrap()),
        None => Stdio::null(),
    };
    let out = Command::new(env!("CARGO_BIN_EXE_verdikt"))
        .args(&args)
        .current_dir(&scratch)
        .stdin(stdin)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let stdout = redact(&String::from_utf8_lossy(&out.stdout), &scratch, repo);
    let stderr = redact(&String::from_utf8_lossy(&out.stderr), &scratch, repo);
    assert_eq!(
        code, case.exit,
        "{name}: exit code\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    if let Some(records) = case.records {
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
        let count = |k: &str| json[k].as_u64().unwrap();
        assert_eq!(count("read"), records, "{name}: records read");
        assert_eq!(
            count("decided") + count("rejected"),
            count("read"),
            "{name}: every record decided or rejected"
        );
        std::fs::remove_file(&summary).unwrap();
    }
    let left = leftovers(&scratch);
    assert!(left.is_empty(), "{name}: temporary files left: {left:?}");
    let _ = std::fs::remove_dir_all(&scratch);
    format!(
        "args: {}\nexit: {code}\n--- stdout\n{stdout}--- stderr\n{stderr}",
        case.args.join(" ")
    )
}

/// Paths and timings that change from run to run.
fn redact(text: &str, scratch: &Path, repo: &Path) -> String {
    let text = text
        .replace(scratch.to_str().unwrap(), "[tmp]")
        .replace(
            repo.join("tests/fixtures/reference/rules")
                .to_str()
                .unwrap(),
            "[rules]",
        )
        .replace(repo.to_str().unwrap(), "[repo]");
    text.lines()
        .map(|l| {
            if l.starts_with("elapsed ") {
                "elapsed [time]".to_string()
            } else {
                redact_versions(l)
            }
        })
        .map(|l| l + "\n")
        .collect()
}

/// Rule versions (16 hex digits) change with every rule edit: `[version]`.
fn redact_versions(line: &str) -> String {
    let bytes = line.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let run = bytes[i..]
            .iter()
            .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            .count();
        let before_ok = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let after_ok = bytes
            .get(i + run)
            .is_none_or(|b| !b.is_ascii_alphanumeric());
        if run == 16 && before_ok && after_ok {
            out.push_str("[version]");
            i += run;
        } else {
            let ch = line[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_dir(&entry.path(), &target);
        } else if kind.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).unwrap(), &target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Hidden temporary files (`.name.tmp...`) anywhere under `dir`.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            found.extend(leftovers(&path));
        } else if name.starts_with('.') && name.contains(".tmp") {
            found.push(path);
        }
    }
    found
}
