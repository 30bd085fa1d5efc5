//! Memory stays bounded by `--max-record-bytes`, `--chunk` and
//! `--chunk-bytes`, whatever the input: arbitrary bytes as JSONL, a JSON
//! array, YAML or CSV, a single line or document of 32 MB, a gzip bomb of
//! valid records each under the record limit (and the same records in every
//! text format), arbitrary bytes as rule files, and Parquet files of a few
//! KB that decode to gigabytes (long dictionary strings, columns the schema
//! does not name). The language server's messages stay within its 64 MiB
//! cap: a huge `Content-Length`, a huge header line and a 200 MB body
//! allocate nothing of their size.
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
        chunk_bytes: verdikt::batch::DEFAULT_CHUNK_BYTES,
        max_rejects: None,
        max_record_bytes: MIB,
        read_ahead: true,
    }
}

/// Runs a batch over `input` and returns (records read, decided, peak heap
/// growth in bytes); a whole input refused (a CSV header that is not UTF-8)
/// reads as (0, 0).
fn run(policy: &Policy, format: Format, input: Box<dyn Read + Send>) -> (u64, u64, usize) {
    run_with(policy, format, input, &config())
}

/// [`run`] with its own configuration.
fn run_with(
    policy: &Policy,
    format: Format,
    input: Box<dyn Read + Send>,
    config: &Config,
) -> (u64, u64, usize) {
    let reader = BufReader::with_capacity(MIB, input);
    let input = Input::from_reader("input", format, reader, config.max_record_bytes);
    let mut rejects = Vec::new();
    let (summary, peak) = measured(|| {
        batch::run(
            policy,
            vec![input],
            config,
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

/// `head`, then `body` `n` times, then `tail`: never held whole.
struct Repeated {
    head: Option<Vec<u8>>,
    body: Vec<u8>,
    left: usize,
    tail: Option<Vec<u8>>,
    current: Cursor<Vec<u8>>,
}

fn repeated(head: &str, body: Vec<u8>, n: usize, tail: &str) -> Repeated {
    Repeated {
        head: Some(head.as_bytes().to_vec()),
        body,
        left: n,
        tail: Some(tail.as_bytes().to_vec()),
        current: Cursor::new(Vec::new()),
    }
}

impl Read for Repeated {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.current.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            let next = if let Some(head) = self.head.take() {
                head
            } else if self.left > 0 {
                self.left -= 1;
                self.body.clone()
            } else if let Some(tail) = self.tail.take() {
                tail
            } else {
                return Ok(0);
            };
            self.current = Cursor::new(next);
        }
    }
}

/// Records of 256 KiB (a valid record with an ignored `pad` field), each
/// under a 512 KiB record limit, in chunks of at most 8192 records and
/// 1 MiB: every text format stays within a few chunk budgets.
fn many_large_records_stay_within_the_chunk_budget(policy: &Policy, good: &str) {
    use std::io::Write as _;
    let config = Config {
        chunk: 8192,
        chunk_bytes: MIB,
        max_record_bytes: MIB / 2,
        ..config()
    };
    let pad = "a".repeat(256 << 10);
    let record = format!("{}, \"pad\": \"{pad}\"}}", good.strip_suffix('}').unwrap());

    // A gzip bomb: one compressed line repeated (a multi-member gzip
    // stream), 64 MiB of JSON Lines from 144 KB.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(format!("{record}\n").as_bytes()).unwrap();
    let member = gz.finish().unwrap();
    let n = 256;
    let bomb = member.repeat(n);
    assert!(bomb.len() < 200_000, "{} compressed bytes", bomb.len());
    let input = flate2::read::MultiGzDecoder::new(Cursor::new(bomb));
    let (read, decided, peak) = run_with(policy, Format::Jsonl, Box::new(input), &config);
    assert_eq!((read, decided), (n as u64, n as u64));
    eprintln!("gzip bomb of JSON Lines: {peak} bytes");
    assert!(peak < BOUND, "gzip bomb of JSON Lines: {peak} bytes");

    // The same records as a JSON array, YAML documents and CSV rows.
    let n = 64;
    let body = format!("{record},").into_bytes();
    let input = repeated("[", body, n - 1, &format!("{record}]"));
    let (read, decided, peak) = run_with(policy, Format::Json, Box::new(input), &config);
    assert_eq!((read, decided), (n as u64, n as u64));
    assert!(peak < BOUND, "JSON array: {peak} bytes");

    let body = format!("---\n{record}\n").into_bytes();
    let input = repeated("", body, n, "");
    let (read, decided, peak) = run_with(policy, Format::Yaml, Box::new(input), &config);
    assert_eq!((read, decided), (n as u64, n as u64));
    assert!(peak < BOUND, "YAML documents: {peak} bytes");

    let (header, row) = csv_row(&record);
    let input = repeated(&header, row.into_bytes(), n, "");
    let (read, decided, peak) = run_with(policy, Format::Csv, Box::new(input), &config);
    assert_eq!((read, decided), (n as u64, n as u64));
    assert!(peak < BOUND, "CSV rows: {peak} bytes");
}

/// A JSON record as a CSV header of dotted names and one row.
fn csv_row(record: &str) -> (String, String) {
    fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::Object(fields) => {
                for (k, v) in fields {
                    let name = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    flatten(&name, v, out);
                }
            }
            serde_json::Value::String(s) => out.push((prefix.to_string(), s.clone())),
            other => out.push((prefix.to_string(), other.to_string())),
        }
    }
    let value: serde_json::Value = serde_json::from_str(record).unwrap();
    let mut cells = Vec::new();
    flatten("", &value, &mut cells);
    let header: Vec<&str> = cells.iter().map(|(k, _)| k.as_str()).collect();
    let row: Vec<&str> = cells.iter().map(|(_, v)| v.as_str()).collect();
    (
        format!("{}\n", header.join(",")),
        format!("{}\n", row.join(",")),
    )
}

fn good_line() -> String {
    std::fs::read_to_string("tests/fixtures/reference/examples/merchants.jsonl")
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn memory_is_bounded_by_record_size_and_chunk() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let policy = verdikt::check_dir(std::path::Path::new("tests/fixtures/reference/rules"))
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

    // Many large records, each under the record limit: a chunk closes at its
    // byte budget, not only at its record count (8192 here). With the
    // default budget such input would hold `--chunk` records of up to
    // `--max-record-bytes` each: gigabytes.
    many_large_records_stay_within_the_chunk_budget(&policy, &good);

    #[cfg(feature = "parquet")]
    parquet_bombs_stay_within_the_batch_budget(&policy);

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

    case_file_alias_bombs_are_refused_small();
}

/// Two case files whose aliases stand for gigabytes: 117 KB of aliases to
/// one 90 KB list, and a billion laughs (nine levels of ten). Each is
/// refused (exit 2) before it is expanded, and the heap stays small.
fn case_file_alias_bombs_are_refused_small() {
    use clap::Parser as _;
    let wide = format!(
        "bases:\n  shop: {{ merchant_id: M1, pad: &b [{}], extra: [{}] }}\ncases: []\n",
        vec![format!("'{}'", "y".repeat(88)); 1000].join(", "),
        vec!["*b"; 25_000].join(", "),
    );
    let mut laughs = String::from(
        "bases:\n  shop:\n    a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..9 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        laughs.push_str(&format!("    a{i}: &a{i} [{refs}]\n"));
    }
    laughs.push_str("cases: []\n");
    for (name, text) in [("wide", wide), ("laughs", laughs)] {
        let dir = std::env::temp_dir().join(format!("verdikt-alias-{name}-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("tests")).unwrap();
        std::fs::copy(
            "tests/hostile/test-cases/alias-bomb/rules/policy.vk",
            dir.join("policy.vk"),
        )
        .unwrap();
        std::fs::write(dir.join("tests/cases.yaml"), &text).unwrap();
        let cli = verdikt::cli::Cli::parse_from(["verdikt", "test", dir.to_str().unwrap()]);
        let (code, peak) = measured(|| verdikt::cli::run(cli));
        assert_eq!(code, std::process::ExitCode::from(2), "{name}");
        assert!(
            peak < BOUND,
            "{name} case file ({} bytes): {peak} bytes",
            text.len()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// A Parquet file of `rows` rows whose column `column` repeats one string
/// of 60 KB (one dictionary entry: the file stays small), next to a short
/// `merchant_id` unless `column` is that.
#[cfg(feature = "parquet")]
fn parquet_bomb(column: &str, rows: usize) -> std::path::PathBuf {
    use std::sync::Arc;

    use arrow_array::types::Int32Type;
    use arrow_array::{ArrayRef, DictionaryArray, Int32Array, RecordBatch, StringArray};
    // Built as a dictionary, so the test never holds the decoded rows; the
    // file does not say so (no Arrow schema in it), so it reads as text.
    let long = "x".repeat(60_000);
    let dictionary = |value: &str| -> ArrayRef {
        let keys = Int32Array::from(vec![0; rows]);
        let values = Arc::new(StringArray::from(vec![value]));
        Arc::new(DictionaryArray::<Int32Type>::try_new(keys, values).unwrap())
    };
    let mut columns: Vec<(&str, ArrayRef)> = vec![(column, dictionary(&long))];
    if column != "merchant_id" {
        columns.push(("merchant_id", dictionary("M1")));
    }
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let dir = std::env::temp_dir().join("verdikt-parquet-bombs");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.parquet", column.replace('.', "_")));
    let file = std::fs::File::create(&path).unwrap();
    let options =
        parquet::arrow::arrow_writer::ArrowWriterOptions::new().with_skip_arrow_metadata(true);
    let mut w =
        parquet::arrow::ArrowWriter::try_new_with_options(file, batch.schema(), options).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    path
}

/// Long dictionary strings, in a column the schema names or not: the
/// file is a few KB, its rows decode to 60 KB each. Read with the CLI's
/// default `--chunk` (8192 rows) and `--max-record-bytes` 1 KiB (a batch
/// budget of 8 MiB), a batch holds about 140 rows (each rejected unread,
/// as over `--max-record-bytes`), or never decodes the column at all.
#[cfg(feature = "parquet")]
fn parquet_bombs_stay_within_the_batch_budget(policy: &Policy) {
    for column in ["merchant_id", "unknown_notes"] {
        let path = parquet_bomb(column, 20_000);
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(size < 200_000, "{column}: the bomb is {size} bytes");
        let input = batch::ColumnarInput::open(
            path.to_str().unwrap(),
            Format::Parquet,
            policy,
            8192,
            1 << 10,
        )
        .unwrap();
        let mut config = config();
        config.max_record_bytes = 1 << 10;
        let (summary, peak) = measured(|| {
            batch::run_columnar(
                policy,
                vec![input],
                &config,
                &mut io::sink(),
                &mut io::sink(),
                |_| {},
            )
        });
        let summary = summary.unwrap();
        assert_eq!(summary.read, 20_000, "{column}: every row read");
        assert!(peak < 2 * BOUND, "Parquet bomb in `{column}`: {peak} bytes");
    }
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
        .join("tests/fixtures/reference/rules/10-limit_adjustment.vk");
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
