//! Hostile processes: the real binary interrupted by signals, writing into
//! closed pipes and full devices, or pointed at its own input through a
//! shell redirection. Each must end cleanly, with the documented exit code,
//! no panic and no temporary file left behind.
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

mod common;

use common::with_rules;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn verdikt() -> Command {
    Command::new(env!("CARGO_BIN_EXE_verdikt"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("verdikt-process-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn temporaries(dir: &Path) -> Vec<String> {
    names(dir)
        .into_iter()
        .filter(|n| n.starts_with('.') && n.contains(".tmp"))
        .collect()
}

/// A batch that reads stdin and waits for more, interrupted by `signal`:
/// the temporary output files are gone and the exit code is 128 + signal.
fn interrupted_by(signal: i32, code: i32) {
    let dir = scratch(&format!("signal-{signal}"));
    let mut child = verdikt()
        .args(["batch", "--rules"])
        .arg(
            Path::new("tests/fixtures/reference/rules")
                .canonicalize()
                .unwrap(),
        )
        .args([
            "-",
            "--input-format",
            "jsonl",
            "-o",
            "out.jsonl",
            "--rejects",
        ])
        .args(["rejects.jsonl", "--summary-json", "summary.json"])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let record =
        std::fs::read_to_string("tests/fixtures/reference/examples/merchants.jsonl").unwrap();
    stdin.write_all(record.as_bytes()).unwrap();
    // Both outputs exist under temporary names once the run has started.
    let started = Instant::now();
    while temporaries(&dir).len() < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no temporary files appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    send_signal(child.id(), signal);
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(out.status.code(), Some(code), "{out:?}");
    assert_eq!(names(&dir), Vec::<String>::new(), "nothing may be left");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Sends `signal` to `pid` with the `kill` command.
fn send_signal(pid: u32, signal: i32) {
    let ok = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

#[test]
fn sigint_removes_temporary_files_and_exits_130() {
    interrupted_by(2, 130);
}

#[test]
fn sigterm_removes_temporary_files_and_exits_143() {
    interrupted_by(15, 143);
}

/// Runs a verb whose stdout (or stderr) is a pipe nobody reads any more.
fn into_closed_pipe(args: &[&str], on_stderr: bool) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut cmd = verdikt();
    cmd.args(with_rules(args)).stdin(Stdio::null());
    let captured = if on_stderr {
        cmd.stderr(writer).stdout(Stdio::null());
        None
    } else {
        cmd.stdout(writer).stderr(Stdio::piped());
        Some(())
    };
    let out = cmd.output().unwrap();
    let stderr = if captured.is_some() {
        String::from_utf8_lossy(&out.stderr).into_owned()
    } else {
        String::new()
    };
    (out.status.code(), stderr)
}

#[test]
fn a_closed_pipe_ends_every_verb_quietly() {
    let corpus = "tests/corpus/generated.jsonl";
    for args in [
        vec!["eval", corpus],
        vec![
            "eval",
            "--explain",
            "tests/fixtures/reference/examples/merchants.yaml",
        ],
        vec!["check", "tests/fixtures/reference/rules"],
        vec!["test", "tests/fixtures/reference/rules"],
        vec!["diff", "--base", "tests/fixtures/reference/rules", corpus],
        vec!["batch", corpus],
        vec!["fmt", "-"],
        vec!["gen", "--n", "100000000"],
    ] {
        let (code, stderr) = into_closed_pipe(&args, false);
        // `fmt -` reads an empty stdin and writes nothing: nothing to close.
        let want = if args[0] == "fmt" { 0 } else { 141 };
        assert_eq!(code, Some(want), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}: nothing is said, no panic");
    }
}

#[test]
fn closed_stderr_stops_a_batch_and_keeps_no_half_output() {
    let dir = scratch("stderr");
    let corpus = Path::new("tests/fixtures/batch/mixed.jsonl")
        .canonicalize()
        .unwrap();
    let rules = Path::new("tests/fixtures/reference/rules")
        .canonicalize()
        .unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = verdikt()
        .args(["batch", "--rules"])
        .arg(&rules)
        .arg(&corpus)
        .args(["-o", "out.jsonl"])
        .current_dir(&dir)
        .stderr(writer)
        .stdout(Stdio::null())
        .output()
        .unwrap();
    // The rejects could not be written: the run stops, and the decisions
    // file does not pose as a complete run's.
    assert_eq!(out.status.code(), Some(141));
    assert_eq!(names(&dir), Vec::<String>::new());
}

#[test]
fn a_full_device_is_a_clear_error() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = verdikt()
        .args(with_rules(&[
            "eval",
            "tests/fixtures/reference/examples/merchants.jsonl",
        ]))
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: cannot write standard output: No space left on device"),
        "{stderr}"
    );
}

#[test]
fn standard_output_redirected_into_the_input_is_refused() {
    let dir = scratch("append");
    let input = dir.join("in.jsonl");
    std::fs::copy("tests/fixtures/reference/examples/merchants.jsonl", &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let append = std::fs::OpenOptions::new()
        .append(true)
        .open(&input)
        .unwrap();
    let out = verdikt()
        .args(["batch", "in.jsonl", "--rules"])
        .arg(
            Path::new("tests/fixtures/reference/rules")
                .canonicalize()
                .unwrap(),
        )
        .current_dir(&dir)
        .stdout(append)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("standard output (the decisions) is the input `in.jsonl`"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&input).unwrap(), before, "input untouched");
}

#[test]
fn a_replaced_output_keeps_its_permissions() {
    let dir = scratch("mode");
    let out_file = dir.join("out.jsonl");
    std::fs::write(&out_file, "old\n").unwrap();
    std::fs::set_permissions(&out_file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let status = verdikt()
        .args(with_rules(&[
            "batch",
            "tests/fixtures/reference/examples/merchants.jsonl",
            "-q",
            "-o",
        ]))
        .arg(&out_file)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let mode = std::fs::metadata(&out_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    assert!(std::fs::read_to_string(&out_file)
        .unwrap()
        .starts_with("{\"merchant_id\""));
}
