//! Batches in and out of columns: Parquet and Arrow IPC inputs decided
//! batch by batch (rows read by the columnar core, `crate::columnar`),
//! and decisions written as Parquet or Arrow IPC from any input. Rows are
//! decided in lanes in parallel and written in input order, one input
//! batch at a time, so memory stays flat; rejects go to the rejects file
//! as JSON lines, as they do for text inputs.

mod sink;
mod source;
mod stream;
mod whole;

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Instant;

use arrow_array::RecordBatch;
use rayon::prelude::*;

use super::output::{self, Writer};
use super::{decisions, rejected, BatchError, Config, Format, Input, OpenError, Summary};
use crate::columnar::{DecisionColumns, Rows};
use crate::eval::Scratch;
use crate::ir::Policy;
use crate::record::{Record, RecordError};

/// A Parquet or Arrow IPC input of a batch.
pub struct ColumnarInput {
    name: Arc<str>,
    batches: source::Batches,
}

impl std::fmt::Debug for ColumnarInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ColumnarInput")
            .field("name", &self.name)
            .finish()
    }
}

impl ColumnarInput {
    /// Opens a Parquet file or an Arrow IPC file or stream (`-`: a stream
    /// on standard input), read at most `rows` rows and
    /// `rows × max_record_bytes` (at most 64 MiB) decoded bytes at
    /// a time; of a Parquet file only the columns `policy`'s schema names.
    /// A file that is not whole, or a Parquet file that is not a regular
    /// file, is refused here.
    pub fn open(
        name: &str,
        format: Format,
        policy: &Policy,
        rows: usize,
        max_record_bytes: usize,
    ) -> Result<ColumnarInput, OpenError> {
        let limits = source::Limits::new(rows, max_record_bytes);
        Ok(ColumnarInput {
            name: Arc::from(name),
            batches: source::open(name, format, policy, limits)?,
        })
    }
}

/// What one lane of rows became.
struct Lane<'p> {
    columns: Option<DecisionColumns<'p>>,
    batch: Option<RecordBatch>,
    out: Vec<u8>,
    rejects: Vec<u8>,
    outcomes: Vec<usize>,
    fallbacks: crate::calendar::FallbackTally,
    read: u64,
    rejected: u64,
    internal_errors: u64,
    scratch: Scratch,
    failed: Option<String>,
}

const PANICKED: &str = "internal error: evaluation panicked; please report this record";

impl<'p> Lane<'p> {
    fn new(policy: &'p Policy, columnar: bool) -> Self {
        Lane {
            columns: columnar.then(|| DecisionColumns::new(policy, false, false)),
            batch: None,
            out: Vec::new(),
            rejects: Vec::new(),
            outcomes: Vec::new(),
            fallbacks: crate::calendar::FallbackTally::default(),
            read: 0,
            rejected: 0,
            internal_errors: 0,
            scratch: Scratch::default(),
            failed: None,
        }
    }

    /// Decides one record into the lane's output; `Err` when it is
    /// rejected (nothing of it is in the output), and whether by a bug.
    fn decide(
        &mut self,
        policy: &Policy,
        writer: &Writer<'_>,
        config: &Config,
        record: &Record,
    ) -> Result<(), (RecordError, bool)> {
        let start = (self.out.len(), self.outcomes.len());
        let result = catch_unwind(AssertUnwindSafe(|| {
            self.decide_inner(policy, writer, config, record)
        }));
        let result = match result {
            Ok(r) => r.map_err(|e| (e, false)),
            Err(_) => Err((RecordError::single(PANICKED), true)),
        };
        if result.is_err() {
            self.out.truncate(start.0);
            self.outcomes.truncate(start.1);
        }
        result
    }

    fn decide_inner(
        &mut self,
        policy: &Policy,
        writer: &Writer<'_>,
        config: &Config,
        record: &Record,
    ) -> Result<(), RecordError> {
        let fallbacks = if let Some(columns) = &mut self.columns {
            let deciding = columns.try_push(record)?;
            self.outcomes
                .extend(deciding.rulesets.iter().map(|d| d.outcome));
            deciding.fallbacks.clone()
        } else if writer.writes_directly() {
            policy.write_json_line(
                record,
                config.mode,
                &mut self.out,
                &mut self.outcomes,
                &mut self.scratch,
            )?
        } else {
            let decision = policy.decide_record(record, config.mode)?;
            writer
                .write_decision(&mut self.out, &decision)
                .map_err(|e| RecordError::single(format!("cannot render the decision: {e}")))?;
            writer.outcomes(&decision, &mut self.outcomes);
            decision.calendar_fallbacks
        };
        self.fallbacks.add(&fallbacks);
        Ok(())
    }

    /// Counts a rejected record whose reject line `write` appends.
    fn reject(&mut self, internal: bool, write: impl FnOnce(&mut Vec<u8>)) {
        write(&mut self.rejects);
        self.rejected += 1;
        self.internal_errors += u64::from(internal);
    }

    fn finish(&mut self) {
        if let Some(columns) = &mut self.columns {
            match columns.finish() {
                Ok(b) => self.batch = Some(b),
                Err(e) => self.failed = Some(e.to_string()),
            }
        }
    }
}

/// A reject of a columnar input: the input, the row (from 1), the
/// merchant and every problem.
fn write_row_reject(out: &mut Vec<u8>, source: &str, row: u64, e: &RecordError) {
    let mut obj = serde_json::Map::new();
    obj.insert("source".into(), serde_json::Value::from(source));
    obj.insert("row".into(), serde_json::Value::from(row));
    if let Some(id) = &e.merchant_id {
        obj.insert("merchant_id".into(), serde_json::Value::from(id.as_str()));
    }
    let problems = e
        .problems
        .iter()
        .map(|p| serde_json::Value::from(p.to_string()));
    obj.insert(
        "problems".into(),
        serde_json::Value::Array(problems.collect()),
    );
    out.extend_from_slice(serde_json::Value::Object(obj).to_string().as_bytes());
    out.push(b'\n');
}

/// Where the run's output goes: text lines or columns.
struct Outputs<'o> {
    out: &'o mut dyn Write,
    rejects: &'o mut dyn Write,
    sink: Option<sink::ColumnarSink>,
    summary: Summary,
    started: Instant,
}

impl Outputs<'_> {
    /// Writes the lanes in order and counts them; stops at `max_rejects`.
    fn write(
        &mut self,
        lanes: &mut [Lane<'_>],
        config: &Config,
        rulesets: usize,
    ) -> Result<(), BatchError> {
        for lane in lanes.iter_mut() {
            if let Some(message) = lane.failed.take() {
                return Err(BatchError::Write {
                    what: "decisions",
                    error: std::io::Error::other(message),
                });
            }
            self.summary.read += lane.read;
            self.summary.rejected += lane.rejected;
            self.summary.internal_errors += lane.internal_errors;
            for outcomes in lane.outcomes.chunks(rulesets.max(1)) {
                self.summary.count(outcomes);
            }
            self.summary.count_calendar_fallbacks(&lane.fallbacks);
            match (&mut self.sink, &lane.batch) {
                (Some(sink), Some(batch)) => sink.write(batch, self.out).map_err(decisions)?,
                _ => self.out.write_all(&lane.out).map_err(decisions)?,
            }
            self.rejects.write_all(&lane.rejects).map_err(rejected)?;
        }
        self.summary.elapsed = self.started.elapsed();
        match config.max_rejects {
            // As in the text pipeline: `Some(0)` stops at the first reject.
            Some(max) if self.summary.rejected > 0 && self.summary.rejected >= max => {
                Err(BatchError::TooManyRejects(self.summary.rejected))
            }
            _ => Ok(()),
        }
    }
}

/// Rows per lane of a batch of `rows`: a few lanes per thread.
fn lane_rows(rows: usize) -> usize {
    let lanes = rayon::current_num_threads().saturating_mul(4).max(1);
    rows.div_ceil(lanes).max(256)
}

/// Decides every row of Parquet and Arrow IPC inputs, in order: decisions
/// in `config.output` (any format), rejects as JSON lines naming the input
/// and the row.
pub fn run_columnar(
    policy: &Policy,
    inputs: Vec<ColumnarInput>,
    config: &Config,
    out: &mut dyn Write,
    rejects: &mut dyn Write,
    mut progress: impl FnMut(&Summary),
) -> Result<Summary, BatchError> {
    let mut outputs = start(policy, config, out, rejects)?;
    let writer = Writer::new(policy, config.output, config.mode);
    let columnar = config.output.is_columnar();
    for ColumnarInput { name, batches } in inputs {
        let mut row_base = 0u64;
        for batch in batches {
            let batch = batch.map_err(|e| BatchError::Read {
                source_name: name.to_string(),
                error: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            })?;
            // A column verdikt refuses makes the input unusable as a whole.
            Rows::new(policy, &batch)
                .map_err(|e| BatchError::Input(name.to_string(), e.to_string()))?;
            let step = lane_rows(batch.num_rows());
            let starts: Vec<usize> = (0..batch.num_rows()).step_by(step).collect();
            let mut lanes: Vec<Lane<'_>> = starts
                .par_iter()
                .map(|&first| {
                    let mut lane = Lane::new(policy, columnar);
                    let slice = batch.slice(first, step.min(batch.num_rows() - first));
                    // The whole batch was accepted above, so a slice of it is
                    // too; were it not, the run stops rather than lose rows.
                    let mut rows = Rows::new(policy, &slice)
                        .map_err(|e| BatchError::Input(name.to_string(), e.to_string()))?
                        .with_max_bytes(config.max_record_bytes);
                    for i in 0..slice.num_rows() {
                        lane.read += 1;
                        rows.read(i, |record| {
                            let result = record
                                .map_err(|e| (e, false))
                                .and_then(|r| lane.decide(policy, &writer, config, r));
                            if let Err((e, internal)) = result {
                                let row = row_base + (first + i) as u64 + 1;
                                lane.reject(internal, |b| write_row_reject(b, &name, row, &e));
                            }
                        });
                    }
                    lane.finish();
                    Ok(lane)
                })
                .collect::<Result<_, BatchError>>()?;
            row_base += batch.num_rows() as u64;
            outputs.write(&mut lanes, config, policy.rulesets.len())?;
            progress(&outputs.summary);
        }
    }
    end(outputs)
}

/// Text inputs with decisions written as columns (see [`super::run`]).
pub(crate) fn run_text(
    policy: &Policy,
    inputs: Vec<Input>,
    config: &Config,
    out: &mut dyn Write,
    rejects: &mut dyn Write,
    mut progress: impl FnMut(&Summary),
) -> Result<Summary, BatchError> {
    let mut outputs = start(policy, config, out, rejects)?;
    let writer = Writer::new(policy, config.output, config.mode);
    let decide_chunk = |chunk: super::Chunk| -> Result<(), BatchError> {
        let layout = chunk.layouts.first().and_then(Option::as_deref);
        let step = lane_rows(chunk.units.len());
        let mut lanes: Vec<Lane<'_>> = chunk
            .units
            .par_chunks(step)
            .map(|units| {
                let mut lane = Lane::new(policy, true);
                for unit in units {
                    lane.read += 1;
                    let result = super::read_unit(policy, layout, unit, &chunk.text)
                        .map_err(|e| (e, false))
                        .and_then(|r| lane.decide(policy, &writer, config, &r));
                    if let Err((e, internal)) = result {
                        lane.reject(internal, |b| output::write_reject(b, unit, &e));
                    }
                }
                lane.finish();
                lane
            })
            .collect();
        outputs.write(&mut lanes, config, policy.rulesets.len())?;
        progress(&outputs.summary);
        Ok(())
    };
    super::for_each_chunk(
        &[policy],
        inputs,
        super::ChunkLimit::of(config),
        config.read_ahead,
        decide_chunk,
    )?;
    end(outputs)
}

fn start<'o>(
    policy: &Policy,
    config: &Config,
    out: &'o mut dyn Write,
    rejects: &'o mut dyn Write,
) -> Result<Outputs<'o>, BatchError> {
    let sink = if config.output.is_columnar() {
        let schema = crate::columnar::decisions_schema(policy, false, false);
        Some(sink::ColumnarSink::new(config.output, &schema).map_err(decisions)?)
    } else {
        Writer::new(policy, config.output, config.mode)
            .header(out)
            .map_err(decisions)?;
        None
    };
    Ok(Outputs {
        out,
        rejects,
        sink,
        summary: Summary::new(policy),
        started: Instant::now(),
    })
}

fn end(mut outputs: Outputs<'_>) -> Result<Summary, BatchError> {
    if let Some(sink) = outputs.sink.take() {
        sink.finish(outputs.out).map_err(decisions)?;
    }
    outputs.out.flush().map_err(decisions)?;
    outputs.rejects.flush().map_err(rejected)?;
    outputs.summary.elapsed = outputs.started.elapsed();
    Ok(outputs.summary)
}
