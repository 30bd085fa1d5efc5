//! Each contender of `benches/throughput.rs` once over the same 20,000
//! records, for counting instructions where timing is too noisy (a shared
//! machine): `valgrind --tool=callgrind target/release/deps/once-* baseline`
//! (or `engine_limit`, `engine_full`), minus `corpus`. Prints the output size so nothing is
//! optimised away.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    reason = "benchmark code"
)]

#[path = "baseline.rs"]
mod baseline;

use std::io::Cursor;

use verdikt::batch::{self, Config, Format, Input, OutputFormat};
use verdikt::{Mode, Policy};

fn load(files: &[&str]) -> Policy {
    let files = files
        .iter()
        .map(|f| {
            (
                f.to_string(),
                std::fs::read(format!("tests/fixtures/reference/rules/{f}")).unwrap(),
            )
        })
        .collect();
    verdikt::check_files(files).policy.expect("rules check")
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    let mut lines = Vec::new();
    verdikt::gen::corpus(20_000, 7, 0, |l| lines.push(l.to_string()));
    let bytes = lines.join("\n").into_bytes();
    let files: &[&str] = match which.as_str() {
        // `cargo bench` runs every bench binary with `--bench`: this one is
        // for valgrind, so it says how and does nothing.
        "" | "--bench" => {
            println!("once: run under valgrind with corpus, baseline, engine_limit or engine_full");
            return;
        }
        // The cost of making the records, to subtract from the others.
        "corpus" => {
            println!("{}", bytes.len());
            return;
        }
        "baseline" => {
            let mut out = String::new();
            for line in &lines {
                assert!(baseline::decide_line(line, &mut out));
            }
            println!("{}", out.len());
            return;
        }
        "engine_limit" => &["01-schema.vk", "10-limit_adjustment.vk"],
        "engine_full" => &[
            "01-schema.vk",
            "02-calendar.vk",
            "10-limit_adjustment.vk",
            "20-exit_request.vk",
            "30-reapply.vk",
        ],
        other => panic!("unknown contender {other:?}"),
    };
    let policy = load(files);
    let config = Config {
        mode: Mode {
            reasons: true,
            explain: false,
            trace: false,
        },
        output: OutputFormat::Jsonl,
        chunk: 4096,
        chunk_bytes: verdikt::batch::DEFAULT_CHUNK_BYTES,
        max_rejects: None,
        max_record_bytes: 1 << 20,
        read_ahead: true,
    };
    let input = Input::from_reader("once", Format::Jsonl, Cursor::new(bytes), 1 << 20);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut out = Vec::new();
    let mut rejects = Vec::new();
    pool.install(|| {
        batch::run(
            &policy,
            vec![input],
            &config,
            &mut out,
            &mut rejects,
            |_| {},
        )
    })
    .unwrap();
    println!("{}", out.len());
}
