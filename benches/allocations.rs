//! Allocations per record, printed beside the timings of
//! `benches/throughput.rs` when `cargo bench` runs: the engine's whole
//! batch (read, decide three rulesets with reasons, write JSON Lines, one
//! thread) against the hand-written baseline's `limit_adjustment`.
//!
//! A counting allocator would tax the timed benchmarks, so the count lives
//! in a binary of its own. `tests/allocations.rs` holds the bound.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::float_arithmetic,
    reason = "benchmark code"
)]

#[path = "baseline.rs"]
mod baseline;

use std::io::Cursor;

use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use verdikt::batch::{self, Config, Format, Input, OutputFormat};
use verdikt::Mode;

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

const N: u64 = 20_000;

fn main() {
    // `cargo bench -- <filter>` passes a filter; this binary has one figure.
    let mut lines = Vec::new();
    verdikt::gen::corpus(N, 7, 0, |l| lines.push(l.to_string()));
    let bytes = lines.join("\n").into_bytes();
    let policy = verdikt::check_dir(std::path::Path::new("tests/fixtures/reference/rules"))
        .unwrap()
        .policy
        .expect("the shipped rules check");
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
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut out = Vec::with_capacity(bytes.len() * 3);
    let mut rejects = Vec::new();
    let region = Region::new(GLOBAL);
    let input = Input::from_reader("corpus.jsonl", Format::Jsonl, Cursor::new(bytes), 1 << 20);
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
    let engine = region.change();

    let mut line_out = String::new();
    let region = Region::new(GLOBAL);
    for line in &lines {
        line_out.clear();
        baseline::decide_line(line, &mut line_out);
    }
    let base = region.change();

    let per = |n: usize| n as f64 / N as f64;
    println!("allocations per record, {N} generated records, one thread");
    println!(
        "  engine, whole policy, JSONL in and out:   {:.3} allocations, {:.1} bytes",
        per(engine.allocations),
        per(engine.bytes_allocated)
    );
    println!(
        "  baseline, limit_adjustment, serde:        {:.3} allocations, {:.1} bytes",
        per(base.allocations),
        per(base.bytes_allocated)
    );
}
