//! `verdikt batch` through the real binary: rejects, reconciliation,
//! determinism across threads and formats, gzip, atomic output, exit codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn verdikt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_verdikt"))
        .args(common::with_rules(args))
        .output()
        .unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("verdikt-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn corpus(n: u64, bad: u64) -> String {
    let mut text = String::new();
    verdikt::gen::corpus(n, 3, bad, |l| {
        text.push_str(l);
        text.push('\n');
    });
    text
}

fn run_batch(input: &Path, extra: &[&str]) -> (Output, String, String) {
    let out = tmp(&format!(
        "{}.out",
        input.file_name().unwrap().to_string_lossy()
    ));
    let rej = tmp(&format!(
        "{}.rej",
        input.file_name().unwrap().to_string_lossy()
    ));
    let mut args = vec![
        "batch",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--rejects",
        rej.to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(extra);
    let output = verdikt(&args);
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    (output, read(&out), read(&rej))
}

#[test]
fn every_kind_of_bad_record_is_one_located_reject() {
    let (output, decided, rejects) = run_batch(Path::new("tests/fixtures/batch/mixed.jsonl"), &[]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        decided.lines().count() + rejects.lines().count(),
        19,
        "every line is decided or rejected"
    );
    let rejects = rejects.replace(std::env::temp_dir().to_str().unwrap(), "[tmp]");
    insta::assert_snapshot!(rejects);
}

#[test]
fn evaluation_errors_reject_the_record_only() {
    let input = tmp("divide.jsonl");
    let text = corpus(50, 0);
    std::fs::write(&input, &text).unwrap();
    let (output, decided, rejects) =
        run_batch(&input, &["--rules", "tests/fixtures/batch/divide-rules"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(decided.lines().count() + rejects.lines().count(), 50);
    let first = rejects
        .lines()
        .next()
        .expect("some records have no open violations");
    assert!(
        first.contains("evaluation error: division by zero in `quota.limit / violations.open`"),
        "{first}"
    );
}

#[test]
fn read_equals_decided_plus_rejected_on_a_mixed_corpus() {
    let input = tmp("mixed-gen.jsonl");
    std::fs::write(&input, corpus(5000, 5)).unwrap();
    let summary = tmp("summary.json");
    let (output, decided, rejects) = run_batch(
        &input,
        &[
            "--summary-json",
            summary.to_str().unwrap(),
            "--chunk",
            "333",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(s["read"], 5000);
    assert_eq!(
        s["decided"].as_u64().unwrap(),
        decided.lines().count() as u64
    );
    assert_eq!(
        s["rejected"].as_u64().unwrap(),
        rejects.lines().count() as u64
    );
    assert!(s["rejected"].as_u64().unwrap() > 100);
    // Each line number appears exactly once across output and rejects.
    let mut lines: Vec<u64> = rejects
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["line"]
                .as_u64()
                .unwrap()
        })
        .collect();
    lines.sort_unstable();
    lines.dedup();
    assert_eq!(lines.len() as u64, s["rejected"].as_u64().unwrap());
}

#[test]
fn output_is_identical_for_one_and_many_threads() {
    let input = tmp("threads.jsonl");
    std::fs::write(&input, corpus(3000, 2)).unwrap();
    let (_, one, rej_one) = run_batch(&input, &["--threads", "1", "--chunk", "97"]);
    let (_, many, rej_many) = run_batch(&input, &["--threads", "4", "--chunk", "97"]);
    assert!(one == many, "decisions differ between 1 and 4 threads");
    assert_eq!(rej_one, rej_many);
}

/// Flattens a JSON object to dotted paths with scalar text values.
fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, v, out);
            }
        }
        serde_json::Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

#[test]
fn csv_yaml_json_array_and_gzip_decide_like_jsonl() {
    let text = corpus(400, 0);
    let jsonl = tmp("same.jsonl");
    std::fs::write(&jsonl, &text).unwrap();
    let (_, want, _) = run_batch(&jsonl, &[]);
    assert_eq!(want.lines().count(), 400);

    let rows: Vec<Vec<(String, String)>> = text
        .lines()
        .map(|l| {
            let mut out = Vec::new();
            flatten("", &serde_json::from_str(l).unwrap(), &mut out);
            out
        })
        .collect();
    // CSV: one column per field of the schema; empty cell = absent.
    let columns: Vec<String> = {
        let mut c: Vec<String> = rows.iter().flatten().map(|(k, _)| k.clone()).collect();
        c.sort();
        c.dedup();
        c
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&columns).unwrap();
    for row in &rows {
        let cells: Vec<String> = columns
            .iter()
            .map(|c| {
                row.iter()
                    .find(|(k, _)| k == c)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            })
            .collect();
        w.write_record(&cells).unwrap();
    }
    let csv_path = tmp("same.csv");
    std::fs::write(&csv_path, w.into_inner().unwrap()).unwrap();
    let (_, got, rej) = run_batch(&csv_path, &[]);
    assert_eq!(rej, "");
    assert!(got == want, "CSV decisions differ from JSONL");

    // YAML: one nested document per snapshot, scalars quoted (booleans plain).
    let mut nested = String::new();
    for l in text.lines() {
        nested.push_str("---\n");
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        write_yaml(&v, 0, &mut nested);
    }
    let yaml_path = tmp("same.yaml");
    std::fs::write(&yaml_path, nested).unwrap();
    let (_, got, rej) = run_batch(&yaml_path, &[]);
    assert_eq!(rej, "");
    assert!(got == want, "YAML decisions differ from JSONL");

    let array = format!("[\n{}\n]\n", text.lines().collect::<Vec<_>>().join(",\n"));
    let array_path = tmp("same.json");
    std::fs::write(&array_path, array).unwrap();
    let (_, got, rej) = run_batch(&array_path, &[]);
    assert_eq!(rej, "");
    assert!(got == want, "JSON array decisions differ from JSONL");

    let gz_path = tmp("same.jsonl.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).unwrap();
    std::fs::write(&gz_path, gz.finish().unwrap()).unwrap();
    let (_, got, rej) = run_batch(&gz_path, &[]);
    assert_eq!(rej, "");
    assert!(got == want, "gzip decisions differ from JSONL");
}

fn write_yaml(v: &serde_json::Value, indent: usize, out: &mut String) {
    if let serde_json::Value::Object(m) = v {
        for (k, v) in m {
            out.push_str(&" ".repeat(indent));
            match v {
                serde_json::Value::Object(_) => {
                    out.push_str(&format!("{k}:\n"));
                    write_yaml(v, indent + 2, out);
                }
                serde_json::Value::String(s) => out.push_str(&format!("{k}: {s:?}\n")),
                serde_json::Value::Bool(b) => out.push_str(&format!("{k}: {b}\n")),
                other => out.push_str(&format!("{k}: \"{other}\"\n")),
            }
        }
    }
}

#[test]
fn an_aborted_run_leaves_no_output_posing_as_complete() {
    let out = tmp("aborted.jsonl");
    let rej = tmp("aborted.rej");
    let _ = std::fs::remove_file(&out);
    let output = verdikt(&[
        "batch",
        "tests/fixtures/batch/mixed.jsonl",
        "-o",
        out.to_str().unwrap(),
        "--rejects",
        rej.to_str().unwrap(),
        "--max-rejects",
        "2",
        "--chunk",
        "1",
        "-q",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("aborted after 2 rejected records"));
    assert!(!out.exists(), "no output file after an abort");
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .contains("aborted.jsonl.tmp")
        })
        .collect();
    assert!(leftovers.is_empty(), "temporary files removed");
}

#[test]
fn unusable_output_and_input_exit_2() {
    let output = verdikt(&[
        "batch",
        "tests/fixtures/batch/mixed.jsonl",
        "-o",
        "/nonexistent-dir/out.jsonl",
        "-q",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let output = verdikt(&["batch", "no-such-file.jsonl", "-q"]);
    assert_eq!(output.status.code(), Some(2));
    let output = verdikt(&[
        "batch",
        "--rules",
        "tests/fixtures/check",
        "tests/fixtures/batch/mixed.jsonl",
        "-q",
    ]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "rules with errors are unusable"
    );
}

#[test]
fn an_oversized_record_is_one_reject_with_its_line() {
    let input = tmp("big.jsonl");
    let mut text = corpus(3, 0);
    text.push_str(&format!(
        "{{\"merchant_id\":\"M-BIG\",\"pad\":\"{}\"}}\n",
        "x".repeat(3 << 20)
    ));
    text.push_str(&corpus(2, 0));
    std::fs::write(&input, text).unwrap();
    let (output, decided, rejects) = run_batch(&input, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(decided.lines().count(), 5);
    assert_eq!(rejects.lines().count(), 1);
    assert!(
        rejects.contains(r#""line":4"#) && rejects.contains("larger than 1048576 bytes"),
        "{rejects}"
    );
}

#[test]
fn stdin_and_csv_output() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_verdikt"))
        .args(common::with_rules(&[
            "batch",
            "-",
            "--output-format",
            "csv",
            "-q",
        ]))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(corpus(5, 0).as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.starts_with("merchant_id,ruleset_version,limit_adjustment.outcome,limit_adjustment.rule,limit_adjustment.new_limit"), "{header}");
    assert_eq!(text.lines().count(), 6);
}

/// Year-end records: the three whose exit request is granted count review
/// days in 2027, outside the 2026 coverage of the shipped calendar; a
/// denied request, no request, or a November date never counts a day there.
fn year_end_records() -> String {
    let base: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("tests/fixtures/reference/examples/single/unbind_granted.json")
            .unwrap(),
    )
    .unwrap();
    let record = |id: &str, as_of: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut r = base.clone();
        r["merchant_id"] = id.into();
        r["as_of"] = as_of.into();
        edit(&mut r);
        r.to_string() + "\n"
    };
    let no_request = |r: &mut serde_json::Value| {
        r.as_object_mut().unwrap().remove("request");
    };
    [
        record("Y1", "2026-12-30", &|_| {}),
        record("Y2", "2026-12-31", &|_| {}),
        record("Y3", "2026-12-31", &|r| {
            r["request"]["kind"] = "exit_service".into()
        }),
        record("N1", "2026-12-31", &no_request),
        record("N2", "2026-12-30", &no_request),
        record("N3", "2026-12-31", &|r| r["quota"]["used"] = "10.00".into()),
        record("N4", "2026-11-24", &|_| {}),
    ]
    .concat()
}

#[test]
fn the_summary_counts_decisions_that_used_dates_outside_a_calendar() {
    let input = tmp("year-end.jsonl");
    std::fs::write(&input, year_end_records()).unwrap();
    let summary = tmp("year-end-summary.json");
    // The direct JSON path, the `Decision` path (CSV), and one record per
    // chunk on many threads all count the same.
    for extra in [
        &["--threads", "1"][..],
        &["--output-format", "csv"],
        &["--explain"],
        &["--threads", "4", "--chunk", "1"],
    ] {
        let mut args = vec!["--summary-json", summary.to_str().unwrap()];
        args.extend_from_slice(extra);
        let (output, decided, _) = run_batch(&input, &args);
        assert_eq!(output.status.code(), Some(0), "{extra:?}");
        let s: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
        assert_eq!(s["decided"], 7, "{extra:?}");
        assert_eq!(
            s["calendar_fallbacks"],
            serde_json::json!({ "cn-2026": 3 }),
            "{extra:?}"
        );
        // Which dates, and which rules stepped onto them.
        assert_eq!(
            s["calendar_outside"],
            serde_json::json!({ "cn-2026": {
                "decisions": 3,
                "covers": "2026-01-01..2026-12-31",
                "outside": "monday..friday",
                "earliest_dates": ["2027-01-01"],
                "needed_by": ["exit_request.exit_service", "exit_request.unbind"],
            }}),
            "{extra:?}"
        );
        assert_eq!(s["outcomes"]["exit_request"]["granted"], 4, "{extra:?}");
        assert_eq!(s["outcomes"]["exit_request"]["denied"], 1, "{extra:?}");
        if extra == ["--threads", "1"] {
            // Y1: Thu 12-31 (1), Fri 2027-01-01 (2), Mon 2027-01-04 (3).
            let y1 = decided.lines().next().unwrap();
            assert!(
                y1.contains(r#""review_from":"2026-12-31","review_by":"2027-01-04""#),
                "{y1}"
            );
        }
    }
    // On stderr, a line for operators (without -q).
    let out = tmp("year-end.out");
    let output = verdikt(&[
        "batch",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "\ncalendar cn-2026: 3 decisions used dates outside 2026-01-01..2026-12-31 \
             (plain monday..friday), earliest 2027-01-01, needed by exit_request.exit_service, \
             exit_request.unbind; add the next year's holidays\n"
        ),
        "{stderr}"
    );
}

#[test]
fn no_fallback_line_when_every_date_is_covered() {
    let input = tmp("november.jsonl");
    let text: String = year_end_records().replace("2026-12-3", "2026-11-2");
    std::fs::write(&input, text).unwrap();
    let summary = tmp("november-summary.json");
    let out = tmp("november.out");
    let output = verdikt(&[
        "batch",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--summary-json",
        summary.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("decided 7"), "{stderr}");
    assert!(!stderr.contains("calendar"), "{stderr}");
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    // Always present, one entry per calendar with an `outside` clause.
    assert_eq!(s["calendar_fallbacks"], serde_json::json!({ "cn-2026": 0 }));
}

#[test]
fn direct_json_lines_are_the_serialized_decisions_byte_for_byte() {
    // Batch writes JSONL straight from the evaluator; the `Decision` path
    // (eval, the library) serializes with serde. They must never drift.
    let mut text = corpus(3000, 5);
    text.push_str(
        &std::fs::read_to_string("tests/fixtures/reference/examples/merchants.jsonl").unwrap(),
    );
    text.push_str(&std::fs::read_to_string("tests/corpus/thresholds.jsonl").unwrap());
    let (decided, failed) = direct_against_serde("tests/fixtures/reference/rules", &text);
    assert!(decided > 2900, "{decided}");
    assert_eq!(failed, 0);
    // Records that count review days in 2027 or 2025 hand back the same
    // calendar fallbacks both ways.
    let (decided, failed) =
        direct_against_serde("tests/fixtures/reference/rules", &year_end_records());
    assert_eq!((decided, failed), (7, 0));
    // Rules that divide by a count of zero: evaluation errors on both paths.
    let (decided, failed) =
        direct_against_serde("tests/fixtures/batch/divide-rules", &corpus(200, 0));
    assert!(
        decided > 0 && failed > 0,
        "{decided} decided, {failed} failed"
    );
}

/// Decides every readable line both ways and compares; returns how many
/// were decided and how many failed evaluation.
fn direct_against_serde(rules: &str, text: &str) -> (usize, usize) {
    let policy = verdikt::check_dir(Path::new(rules))
        .unwrap()
        .policy
        .unwrap();
    let mode = verdikt::Mode {
        reasons: true,
        explain: false,
        trace: false,
    };
    let (mut decided, mut failed) = (0, 0);
    for line in text.lines() {
        let Ok(record) = policy.read_json(line) else {
            continue;
        };
        let mut direct = b"kept".to_vec();
        let written = policy.decide_json_line(&record, mode, &mut direct);
        match policy.decide_record(&record, mode) {
            Ok(decision) => {
                assert!(written.is_ok(), "{line}");
                let serialized = serde_json::to_string(&decision).unwrap() + "\n";
                assert_eq!(
                    String::from_utf8(direct).unwrap(),
                    format!("kept{serialized}")
                );
                decided += 1;
            }
            Err(e) => {
                assert_eq!(written.unwrap_err(), e, "{line}");
                // A failed record leaves what was there before, and nothing more.
                assert_eq!(direct.as_slice(), &b"kept"[..]);
                failed += 1;
            }
        }
    }
    (decided, failed)
}
