//! Memory stays bounded by `--max-record-bytes` and `--chunk`, whatever the
//! input: arbitrary bytes as JSONL, a JSON array, YAML or CSV, a single line
//! or document of 32 MB, and arbitrary bytes as rule files. The language
//! server's messages stay within its 64 MiB cap: a huge `Content-Length`,
//! a huge header line and a 200 MB body allocate nothing of their size.
//!
//! The tests of this binary take turns (`ONE_AT_A_TIME`), so the counting
//! allocator measures one at a time.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    clippy::print_stderr,
    reason = "test code"
)]

use std::io::{self, BufReader, Cursor, Read};

use peak_alloc::PeakAlloc;
use proptest::prelude::*;
use verdikt::batch::{self, Config, Format, Input, OutputFormat};
use verdikt::{Mode, Policy};

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

/// Held by each test while it measures.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `f` and returns its result and how far the heap grew meanwhile.
fn measured<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let out = f();
    (out, ALLOC.peak_usage().saturating_sub(base))
}

const MIB: usize = 1 << 20;
/// What a run may add to the heap, with records of at most 1 MiB decided
/// 64 at a time: input buffers, two chunks in flight, outputs.
const BOUND: usize = 16 * MIB;

/// A byte repeated `len` times, never held in memory.
struct Repeat {
    byte: u8,
    left: u64,
}

impl Read for Repeat {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        buf[..n].fill(self.byte);
        self.left -= n as u64;
        Ok(n)
    }
}

fn config() -> Config {
    Config {
        mode: Mode {
            reasons: true,
            explain: false,
            trace: false,
        },
        output: OutputFormat::Jsonl,
        chunk: 64,
        max_rejects: None,
        max_record_bytes: MIB,
        read_ahead: true,
    }
}

/// Runs a batch over `input` and returns (records read, decided, peak heap
/// growth in bytes); a whole input refused (a CSV header that is not UTF-8)
/// reads as (0, 0).
fn run(policy: &Policy, format: Format, input: Box<dyn Read + Send>) -> (u64, u64, usize) {
    let input = Input::from_reader("input", format, BufReader::with_capacity(MIB, input), MIB);
    let mut rejects = Vec::new();
    let (summary, peak) = measured(|| {
        batch::run(
            policy,
            vec![input],
            &config(),
            &mut io::sink(),
            &mut rejects,
            |_| {},
        )
    });
    match summary {
        Ok(s) => (s.read, s.decided(), peak),
        Err(_) => (0, 0, peak),
    }
}

fn good_line() -> String {
    std::fs::read_to_string("examples/merchants.jsonl")
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn memory_is_bounded_by_record_size_and_chunk() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let policy = verdikt::check_dir(std::path::Path::new("rules"))
        .unwrap()
        .policy
        .unwrap();
    let good = good_line();
    let big = 32 * MIB as u64;

    // One 64 MB line between two good ones: read past, never held.
    let input = Cursor::new(format!("{good}\n"))
        .chain(Repeat {
            byte: b'a',
            left: big,
        })
        .chain(Cursor::new(format!("\n{good}\n")));
    let (read, decided, peak) = run(&policy, Format::Jsonl, Box::new(input));
    assert_eq!((read, decided), (3, 2));
    assert!(peak < BOUND, "JSONL line: {peak} bytes");

    // One 64 MB array element, then a good one.
    let input = Cursor::new(format!("[{good}, \"")).chain(Repeat {
        byte: b'a',
        left: big,
    });
    let input = input.chain(Cursor::new(format!("\", {good}]")));
    let (read, decided, peak) = run(&policy, Format::Json, Box::new(input));
    assert_eq!((read, decided), (3, 2));
    assert!(peak < BOUND, "JSON element: {peak} bytes");

    // One 64 MB YAML document (a long line and a document of many lines).
    let input = Cursor::new("merchant_id: ".to_string())
        .chain(Repeat {
            byte: b'a',
            left: big,
        })
        .chain(Cursor::new("\n---\nmerchant_id: M2\n".to_string()));
    let (read, _, peak) = run(&policy, Format::Yaml, Box::new(input));
    assert_eq!(read, 2);
    assert!(peak < BOUND, "YAML document: {peak} bytes");
    let input = Repeat {
        byte: b'\n',
        left: big,
    }
    .chain(Cursor::new("a: 1\n".to_string()));
    let (_, _, peak) = run(&policy, Format::Yaml, Box::new(input));
    assert!(peak < BOUND, "YAML blank lines: {peak} bytes");

    // A 64 MB CSV cell, quoted and unquoted.
    let header = "merchant_id,as_of\n";
    for quote in ["", "\""] {
        let input = Cursor::new(format!("{header}{quote}"))
            .chain(Repeat {
                byte: b'a',
                left: big,
            })
            .chain(Cursor::new(format!("{quote},2026-11-24\nM2,2026-11-24\n")));
        let (_, _, peak) = run(&policy, Format::Csv, Box::new(input));
        assert!(peak < BOUND, "CSV cell {quote:?}: {peak} bytes");
    }

    // Arbitrary bytes in every format, and as rule files.
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 64,
        ..ProptestConfig::default()
    });
    let formats = [Format::Jsonl, Format::Json, Format::Yaml, Format::Csv];
    runner
        .run(
            &(
                prop::collection::vec(any::<u8>(), 0..20_000),
                0usize..4,
                prop::collection::vec(any::<u8>(), 0..4_000),
            ),
            |(bytes, format, rule_bytes)| {
                let (_, _, peak) = run(&policy, formats[format], Box::new(Cursor::new(bytes)));
                prop_assert!(peak < BOUND, "{:?}: {peak} bytes", formats[format]);
                let (checked, peak) = measured(|| {
                    verdikt::check_files(vec![
                        ("a.vk".into(), rule_bytes.clone()),
                        ("b.vk".into(), rule_bytes),
                    ])
                });
                // Either usable rules, or at least one error saying why not.
                prop_assert!(
                    checked.policy.is_some() || checked.diagnostics.iter().any(|d| d.is_error())
                );
                prop_assert!(peak < BOUND, "rule files: {peak} bytes");
                Ok(())
            },
        )
        .unwrap();
}

/// An LSP message, framed.
fn lsp_message(body: &serde_json::Value) -> String {
    let body = body.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

#[test]
fn lsp_messages_are_capped_before_anything_is_allocated() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    use serde_json::json;

    // A `Content-Length` of 100 GB: refused, the connection ends.
    let input = Cursor::new(b"Content-Length: 100000000000\r\n\r\n{}".to_vec());
    let mut output = Vec::new();
    let (result, peak) = measured(|| verdikt::lsp::serve(BufReader::new(input), &mut output));
    let why = result.unwrap_err();
    assert!(why.contains("100000000000"), "{why}");
    assert!(peak < MIB, "100 GB Content-Length: {peak} bytes");

    // After `initialize`: a 200 MB header line, a 200 MB body (over the
    // 64 MiB cap: skipped), then a hover, which is answered.
    let big = 200_000_000u64;
    let file = std::env::current_dir()
        .unwrap()
        .join("rules/10-limit_adjustment.vk");
    let text = std::fs::read_to_string(&file).unwrap();
    let at = text.find("quota.status").unwrap();
    let line = text[..at].matches('\n').count();
    let column = at - text[..at].rfind('\n').map_or(0, |n| n + 1);
    let start = lsp_message(&json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "processId": null, "rootUri": null, "capabilities": {} }
    }));
    let hover = lsp_message(&json!({
        "jsonrpc": "2.0", "id": 2, "method": "textDocument/hover",
        "params": {
            "textDocument": { "uri": format!("file://{}", file.display()) },
            "position": { "line": line, "character": column + 1 }
        }
    }));
    let end = lsp_message(&json!({ "jsonrpc": "2.0", "id": 3, "method": "shutdown" }))
        + &lsp_message(&json!({ "jsonrpc": "2.0", "method": "exit" }));
    let input = Cursor::new(format!("{start}X-Long: "))
        .chain(Repeat {
            byte: b'a',
            left: big,
        })
        .chain(Cursor::new(format!(
            "\r\n\r\n{{}}Content-Length: {big}\r\n\r\n"
        )))
        .chain(Repeat {
            byte: b' ',
            left: big,
        })
        .chain(Cursor::new(format!("{hover}{end}")));
    let mut output = Vec::new();
    let (result, peak) = measured(|| verdikt::lsp::serve(BufReader::new(input), &mut output));
    result.unwrap();
    let output = String::from_utf8(output).unwrap();
    assert!(output.contains(r#""code":-32700"#), "{output}");
    assert!(output.contains(r#""code":-32600"#), "{output}");
    assert!(output.contains("quota.status"), "no hover in {output}");
    assert!(peak < BOUND, "200 MB header line and body: {peak} bytes");
}
