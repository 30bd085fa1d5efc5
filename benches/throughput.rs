//! Decisions per second: the engine against a hand-written baseline, in one
//! run. Reproduce with `cargo bench --bench throughput`.
//!
//! - `eval/*`: deciding snapshots already parsed into records (structs for
//!   the baseline).
//! - `end_to_end/*`: JSONL bytes in, JSONL decision records out, one thread.
//!
//! `limit_adjustment` compares like with like: the engine running only the
//! schema and `rules/10-limit_adjustment.vk`, against the same ruleset
//! written by hand. `full_policy` is the engine on the whole reference policy.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark code"
)]

#[path = "baseline.rs"]
mod baseline;

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
        .map(|f| (f.to_string(), std::fs::read(format!("rules/{f}")).unwrap()))
        .collect();
    verdikt::check_files(files).policy.expect("rules check")
}

const MODE: Mode = Mode {
    reasons: true,
    explain: false,
    trace: false,
};

fn engine_end_to_end(policy: &Policy, bytes: &[u8], pool: &rayon::ThreadPool) -> Vec<u8> {
    let config = Config {
        mode: MODE,
        output: OutputFormat::Jsonl,
        chunk: 4096,
        max_rejects: None,
        max_record_bytes: 1 << 20,
        read_ahead: false,
    };
    let input = Input::from_reader("bench", Format::Jsonl, Cursor::new(bytes.to_vec()), 1 << 20);
    let mut out = Vec::with_capacity(bytes.len() * 2);
    let mut rejects = Vec::new();
    pool.install(|| batch::run(policy, vec![input], &config, &mut out, &mut rejects, |_| {}))
        .unwrap();
    out
}

fn benches(c: &mut Criterion) {
    let lines = corpus();
    let bytes = lines.join("\n").into_bytes();
    let full = load(&[
        "01-schema.vk",
        "02-calendar.vk",
        "10-limit_adjustment.vk",
        "20-exit_request.vk",
        "30-reapply.vk",
    ]);
    let limit_only = load(&["01-schema.vk", "10-limit_adjustment.vk"]);
    let full_records: Vec<_> = lines.iter().map(|l| full.read_json(l).unwrap()).collect();
    let limit_records: Vec<_> = lines
        .iter()
        .map(|l| limit_only.read_json(l).unwrap())
        .collect();
    let structs: Vec<baseline::Snapshot> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();

    let mut eval = c.benchmark_group("eval");
    eval.throughput(Throughput::Elements(N));
    eval.sample_size(20);
    eval.bench_function("baseline_limit_adjustment", |b| {
        b.iter(|| {
            structs
                .iter()
                .map(|s| baseline::decide(black_box(s)).unwrap().reasons.len())
                .sum::<usize>()
        })
    });
    eval.bench_function("engine_limit_adjustment", |b| {
        b.iter(|| {
            limit_records
                .iter()
                .map(|r| {
                    limit_only
                        .decide(black_box(r), MODE)
                        .unwrap()
                        .rulesets
                        .len()
                })
                .sum::<usize>()
        })
    });
    eval.bench_function("engine_full_policy", |b| {
        b.iter(|| {
            full_records
                .iter()
                .map(|r| full.decide(black_box(r), MODE).unwrap().rulesets.len())
                .sum::<usize>()
        })
    });
    eval.finish();

    let mut e2e = c.benchmark_group("end_to_end");
    e2e.throughput(Throughput::Elements(N));
    e2e.sample_size(10);
    e2e.bench_function("baseline_limit_adjustment", |b| {
        b.iter(|| {
            let mut out = String::with_capacity(bytes.len());
            for line in lines.iter() {
                assert!(baseline::decide_line(black_box(line), &mut out));
            }
            out.len()
        })
    });
    e2e.bench_function("engine_limit_adjustment", |b| {
        b.iter(|| engine_end_to_end(&limit_only, black_box(&bytes), &pool).len())
    });
    e2e.bench_function("engine_full_policy", |b| {
        b.iter(|| engine_end_to_end(&full, black_box(&bytes), &pool).len())
    });
    e2e.finish();
}

criterion_group!(throughput, benches);
criterion_main!(throughput);
