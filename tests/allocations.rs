//! Deciding a batch allocates per chunk, not per record: in steady state a
//! record costs no allocation at all (its line is framed into the chunk's
//! buffer, read into the slots of the record before it, decided with the
//! evaluator's kept buffers and written into its group's kept output).
//!
//! A counting global allocator sees every allocation of the process; this
//! binary has one test only, so that nothing else allocates while it runs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    reason = "test code"
)]

use std::io::Cursor;

use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use verdikt::batch::{self, Config, Format, Input, OutputFormat};
use verdikt::{Mode, Policy};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

fn shipped_policy() -> Policy {
    let checked =
        verdikt::check_dir(std::path::Path::new("tests/fixtures/reference/rules")).unwrap();
    checked.policy.expect("the shipped rules check")
}

/// `n` good generated records as JSON Lines.
fn records(n: u64) -> Vec<u8> {
    let mut bytes = Vec::new();
    verdikt::gen::corpus(n, 7, 0, |line| {
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
    });
    bytes
}

/// Allocations made by one batch run over `input`, decisions with reasons
/// written as JSON Lines (what `verdikt batch -o FILE` does), one thread.
fn allocations_of_run(policy: &Policy, input: Vec<u8>, pool: &rayon::ThreadPool) -> usize {
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
    // Output space is reserved up front: growing the caller's sink is not
    // the engine's allocation.
    let mut out = Vec::with_capacity(input.len() * 3);
    let mut rejects = Vec::with_capacity(1 << 16);
    let region = Region::new(GLOBAL);
    let inputs = vec![Input::from_reader(
        "records.jsonl",
        Format::Jsonl,
        Cursor::new(input),
        1 << 20,
    )];
    let summary = pool
        .install(|| batch::run(policy, inputs, &config, &mut out, &mut rejects, |_| {}))
        .unwrap();
    let allocations = region.change().allocations;
    assert_eq!(summary.rejected, 0, "every generated record is good");
    allocations
}

#[test]
fn a_batch_allocates_per_chunk_not_per_record() {
    let policy = shipped_policy();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let (small, large) = (10_000u64, 50_000u64);
    let (small_input, large_input) = (records(small), records(large));
    let in_small = allocations_of_run(&policy, small_input, &pool);
    let in_large = allocations_of_run(&policy, large_input, &pool);
    let per_record = in_large as f64 / large as f64;
    let marginal = in_large.saturating_sub(in_small) as f64 / (large - small) as f64;
    println!(
        "{in_small} allocations for {small} records, {in_large} for {large}: \
         {per_record:.4} per record on average, {marginal:.4} per extra record"
    );
    // The bound: under one allocation per record on average.
    assert!(per_record < 1.0, "{per_record} allocations per record");
    // The law behind it: 40,000 more records (about ten more chunks) cost
    // a few allocations per chunk, never one per record.
    assert!(
        marginal < 0.05,
        "{marginal} allocations per extra record: something allocates per record"
    );
}
