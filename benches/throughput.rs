//! Decisions per CPU second: the engine against a hand-written baseline, in
//! one run. Reproduce with `cargo bench --bench throughput`.
//!
//! Times are CPU time of the whole process (user + sys, every thread), per
//! 20,000 generated records, except `threads/*`, which is wall time.
//!
//! - `end_to_end/*`: JSONL bytes in, JSONL decision records out, one
//!   thread. `baseline_limit_adjustment` is `benches/baseline.rs`, serde +
//!   rust_decimal written by hand for `limit_adjustment` alone;
//!   `engine_limit_adjustment` runs the schema and that one ruleset;
//!   `engine_full_policy` the whole reference policy (three rulesets,
//!   reasons included).
//! - `steps/*`: the full policy's per-record costs, one step at a time:
//!   `read` (JSON text to a checked record), `decide_write` (deciding a
//!   read record and writing its JSON line), `decide` (deciding into a
//!   `Decision` value, the library path). Framing, chunking and output are
//!   what `end_to_end/engine_full_policy` costs beyond `read` plus
//!   `decide_write`.
//! - `threads/*`: the full policy on 1 and on 2 threads, wall time.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::float_arithmetic,
    reason = "benchmark code"
)]

#[path = "baseline.rs"]
mod baseline;
#[path = "support/cpu.rs"]
mod cpu;

use std::hint::black_box;
use std::io::Cursor;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use verdikt::batch::{self, Config, Format, Input, OutputFormat};
use verdikt::{Mode, Policy};

const N: u64 = 20_000;

fn corpus() -> Vec<String> {
    let mut lines = Vec::new();
    verdikt::gen::corpus(N, 7, 0, |l| lines.push(l.to_string()));
    lines
}

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

fn full_policy() -> Policy {
    load(&[
        "01-schema.vk",
        "02-calendar.vk",
        "10-limit_adjustment.vk",
        "20-exit_request.vk",
        "30-reapply.vk",
    ])
}

const MODE: Mode = Mode {
    reasons: true,
    explain: false,
    trace: false,
};

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// What `verdikt batch --threads N -o FILE` does, into memory.
fn engine_end_to_end(policy: &Policy, bytes: &[u8], pool: &rayon::ThreadPool) -> Vec<u8> {
    let config = Config {
        mode: MODE,
        output: OutputFormat::Jsonl,
        chunk: 4096,
        chunk_bytes: verdikt::batch::DEFAULT_CHUNK_BYTES,
        max_rejects: None,
        max_record_bytes: 1 << 20,
        read_ahead: true,
    };
    let input = Input::from_reader("bench", Format::Jsonl, Cursor::new(bytes.to_vec()), 1 << 20);
    let mut out = Vec::with_capacity(bytes.len() * 2);
    let mut rejects = Vec::new();
    pool.install(|| batch::run(policy, vec![input], &config, &mut out, &mut rejects, |_| {}))
        .unwrap();
    out
}

fn end_to_end(c: &mut Criterion<cpu::CpuTime>) {
    let lines = corpus();
    let bytes = lines.join("\n").into_bytes();
    let full = full_policy();
    let limit_only = load(&["01-schema.vk", "10-limit_adjustment.vk"]);
    let one = pool(1);

    let mut g = c.benchmark_group("end_to_end");
    g.throughput(Throughput::Elements(N));
    g.sample_size(10);
    g.bench_function("baseline_limit_adjustment", |b| {
        b.iter(|| {
            let mut out = String::with_capacity(bytes.len());
            for line in &lines {
                assert!(baseline::decide_line(black_box(line), &mut out));
            }
            out.len()
        })
    });
    g.bench_function("engine_limit_adjustment", |b| {
        b.iter(|| engine_end_to_end(&limit_only, black_box(&bytes), &one).len())
    });
    g.bench_function("engine_full_policy", |b| {
        b.iter(|| engine_end_to_end(&full, black_box(&bytes), &one).len())
    });
    g.finish();
}

fn steps(c: &mut Criterion<cpu::CpuTime>) {
    let lines = corpus();
    let full = full_policy();
    let records: Vec<_> = lines.iter().map(|l| full.read_json(l).unwrap()).collect();

    let mut g = c.benchmark_group("steps");
    g.throughput(Throughput::Elements(N));
    g.sample_size(10);
    g.bench_function("read", |b| {
        b.iter(|| {
            lines
                .iter()
                .map(|l| full.read_json(black_box(l)).unwrap().slots_len())
                .sum::<usize>()
        })
    });
    g.bench_function("decide_write", |b| {
        let mut out = Vec::with_capacity(lines.len() * 600);
        b.iter(|| {
            out.clear();
            for r in &records {
                full.decide_json_line(black_box(r), MODE, &mut out).unwrap();
            }
            out.len()
        })
    });
    g.bench_function("decide", |b| {
        b.iter(|| {
            records
                .iter()
                .map(|r| full.decide(black_box(r), MODE).unwrap().rulesets.len())
                .sum::<usize>()
        })
    });
    g.finish();
}

fn threads(c: &mut Criterion) {
    let bytes = corpus().join("\n").into_bytes();
    let full = full_policy();
    let mut g = c.benchmark_group("threads");
    g.throughput(Throughput::Elements(N));
    g.sample_size(10);
    for n in [1, 2] {
        let p = pool(n);
        g.bench_function(format!("full_policy_{n}"), |b| {
            b.iter(|| engine_end_to_end(&full, black_box(&bytes), &p).len())
        });
    }
    g.finish();
}

criterion_group! {
    name = cpu_benches;
    config = Criterion::default().with_measurement(cpu::CpuTime);
    targets = end_to_end, steps
}
criterion_group!(wall_benches, threads);
criterion_main!(cpu_benches, wall_benches);
