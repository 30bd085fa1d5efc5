//! The columnar core, in CPU time per 20,000 generated records (one
//! thread). Reproduce with `cargo bench --bench columnar`.
//!
//! - `columnar/decide_arrow`: `Policy::decide_arrow` on an in-memory batch
//!   of nested struct columns (decimals, dates, strings), the whole
//!   reference policy with reasons; `decide_arrow_record` adds the
//!   `record` column (each row's JSON decision line).
//! - `columnar/parquet_to_parquet`: `verdikt batch in.parquet
//!   --output-format parquet --threads 1`, into memory;
//!   `columnar/jsonl_to_jsonl`: the same records through the JSON Lines
//!   path, for comparison.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    clippy::float_arithmetic,
    reason = "benchmark code"
)]

#[path = "../tests/arrow_support/mod.rs"]
mod arrow_support;
#[path = "support/cpu.rs"]
mod cpu;

use std::hint::black_box;
use std::io::Cursor;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use verdikt::batch::{self, ColumnarInput, Config, Format, Input, OutputFormat};
use verdikt::{ArrowOptions, Mode, Policy};

const N: u64 = 20_000;

fn policy() -> Policy {
    verdikt::check_dir(std::path::Path::new("tests/fixtures/reference/rules"))
        .unwrap()
        .policy
        .expect("rules check")
}

fn config(output: OutputFormat) -> Config {
    Config {
        mode: Mode {
            reasons: true,
            explain: false,
            trace: false,
        },
        output,
        chunk: 4096,
        chunk_bytes: verdikt::batch::DEFAULT_CHUNK_BYTES,
        max_rejects: None,
        max_record_bytes: 1 << 20,
        read_ahead: true,
    }
}

fn columnar(c: &mut Criterion<cpu::CpuTime>) {
    let mut text = String::new();
    verdikt::gen::corpus(N, 7, 0, |l| {
        text.push_str(l);
        text.push('\n');
    });
    let rows: Vec<_> = arrow_support::objects(&text)
        .into_iter()
        .map(|(_, o)| o)
        .collect();
    let batch = arrow_support::to_batch(&rows);
    let policy = policy();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let parquet =
        std::env::temp_dir().join(format!("verdikt-bench-{}.parquet", std::process::id()));
    {
        let file = std::fs::File::create(&parquet).unwrap();
        let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    }
    let jsonl: Vec<u8> = (0..batch.num_rows())
        .map(|r| arrow_support::row_json(&batch, r) + "\n")
        .collect::<String>()
        .into_bytes();

    let mut g = c.benchmark_group("columnar");
    g.throughput(Throughput::Elements(N));
    g.sample_size(10);
    g.bench_function("decide_arrow", |b| {
        b.iter(|| policy.decide_arrow(black_box(&batch)).unwrap().num_rows())
    });
    g.bench_function("decide_arrow_record", |b| {
        let options = ArrowOptions { record_json: true };
        b.iter(|| {
            policy
                .decide_arrow_with(black_box(&batch), options)
                .unwrap()
                .num_rows()
        })
    });
    g.bench_function("parquet_to_parquet", |b| {
        let config = config(OutputFormat::Parquet);
        b.iter(|| {
            let input = ColumnarInput::open(
                parquet.to_str().unwrap(),
                Format::Parquet,
                &policy,
                4096,
                1 << 20,
            )
            .unwrap();
            let mut out = Vec::new();
            one.install(|| {
                batch::run_columnar(
                    &policy,
                    vec![input],
                    &config,
                    &mut out,
                    &mut Vec::new(),
                    |_| {},
                )
            })
            .unwrap();
            out.len()
        })
    });
    g.bench_function("jsonl_to_jsonl", |b| {
        let config = config(OutputFormat::Jsonl);
        b.iter(|| {
            let input =
                Input::from_reader("bench", Format::Jsonl, Cursor::new(jsonl.clone()), 1 << 20);
            let mut out = Vec::new();
            one.install(|| {
                batch::run(
                    &policy,
                    vec![input],
                    &config,
                    &mut out,
                    &mut Vec::new(),
                    |_| {},
                )
            })
            .unwrap();
            out.len()
        })
    });
    g.finish();
    let _ = std::fs::remove_file(&parquet);
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(cpu::CpuTime);
    targets = columnar
}
criterion_main!(benches);
