//! Batch evaluation: many inputs in, one decision record per good snapshot
//! and one reject per bad one, in input order, in bounded memory.
//!
//! Records are read in chunks; each chunk is decided in parallel (rayon keeps
//! the order) and written before the next is read. A chunk closes at a
//! record count and at a byte budget ([`ChunkLimit`]), whichever comes
//! first, so memory is bounded in bytes whatever the input size and the
//! size of its records.

#[cfg(feature = "arrow")]
mod columnar;
mod output;
pub(crate) mod read;
mod summary;

use std::io::{self, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::calendar::{FallbackTally, Fallbacks};
use crate::eval::Mode;
use crate::ir::Policy;
use crate::record::RecordError;
use crate::snapshot::CsvLayout;
#[cfg(feature = "arrow")]
pub use columnar::{run_columnar, ColumnarInput};
pub use output::OutputFormat;
pub use read::{for_each_jsonl_line, Format, OpenError};
pub(crate) use read::{Framer, Payload, Unit};
pub use summary::{CalendarFallbacks, Summary};

/// One input of a batch: a file or standard input, framed into records.
pub struct Input {
    name: Arc<str>,
    framer: Box<dyn Framer>,
    /// The largest record the framer keeps (`--max-record-bytes`).
    max_record_bytes: usize,
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Input").field("name", &self.name).finish()
    }
}

impl Input {
    /// Opens a file (`-` is standard input): gzip is read by its magic
    /// bytes; the format comes from `format`, the name, or (stdin only) a
    /// look at the first line. A record longer than `max_record_bytes` is
    /// rejected without being read whole.
    pub fn open(
        name: &str,
        format: Option<Format>,
        max_record_bytes: usize,
    ) -> Result<Input, OpenError> {
        let framer = read::open(name, format, max_record_bytes)?;
        Ok(Input {
            name: Arc::from(name),
            framer,
            max_record_bytes: max_record_bytes.max(1),
        })
    }

    /// Frames any reader in `format`; `name` names it in rejects.
    pub fn from_reader(
        name: &str,
        format: Format,
        reader: impl io::BufRead + Send + 'static,
        max_record_bytes: usize,
    ) -> Input {
        let name: Arc<str> = Arc::from(name);
        let framer = read::framer(
            format,
            Arc::clone(&name),
            Box::new(reader),
            max_record_bytes.max(1),
        );
        Input {
            name,
            framer,
            max_record_bytes: max_record_bytes.max(1),
        }
    }
}

/// How a batch runs. No `Default`: every caller says what it wants.
#[derive(Debug, Clone)]
pub struct Config {
    /// What each decision record holds besides the outcome (reasons,
    /// explanations, trace).
    pub mode: Mode,
    /// JSONL decision records or a CSV table.
    pub output: OutputFormat,
    /// Records decided together, at most.
    pub chunk: usize,
    /// Bytes of records decided together: a chunk closes once the records
    /// it holds reach this many bytes, even before `chunk` records
    /// ([`DEFAULT_CHUNK_BYTES`] unless told). Columnar readers should close
    /// their slices at it too.
    pub chunk_bytes: usize,
    /// Stop after this many rejects (`Some(0)` stops at the first, as `Some(1)`).
    pub max_rejects: Option<u64>,
    /// A record longer than this is rejected without being read whole.
    pub max_record_bytes: usize,
    /// Frame the next chunk on another thread while this one is decided.
    pub read_ahead: bool,
}

/// Why a batch stopped before the end.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// An input could not be read on (not a bad record: those are rejects).
    #[error("cannot read `{source_name}`: {error}")]
    Read {
        /// The input, as it was named.
        source_name: String,
        /// What reading it said.
        error: io::Error,
    },
    /// Decisions or rejects could not be written.
    #[error("cannot write the {what}: {error}")]
    Write {
        /// `decisions` or `rejected records`.
        what: &'static str,
        /// What writing said (a closed pipe is `BrokenPipe`).
        error: io::Error,
    },
    /// `max_rejects` records were rejected.
    #[error("aborted after {0} rejected records (--max-rejects)")]
    TooManyRejects(u64),
    /// An input is unusable as a whole (a CSV header naming a column twice).
    #[error("`{0}`: {1}")]
    Input(String, String),
    /// The caller of `decide_each` asked to stop.
    #[error("stopped")]
    Stopped,
}

fn decisions(error: io::Error) -> BatchError {
    BatchError::Write {
        what: "decisions",
        error,
    }
}

fn rejected(error: io::Error) -> BatchError {
    BatchError::Write {
        what: "rejected records",
        error,
    }
}

/// Records decided by one worker in one go.
const GROUP: usize = 256;

/// The byte budget of a chunk unless told otherwise (`--chunk-bytes`).
pub const DEFAULT_CHUNK_BYTES: usize = 16 << 20;

/// Chunks alive at once while a batch runs with read-ahead: one being
/// decided, two framed and waiting, one being framed. The memory bound the
/// README states is this many chunks.
pub const CHUNKS_ALIVE: usize = 4;

/// When a chunk closes: at `records` units or once the records it holds
/// reach `bytes`, whichever comes first (a chunk always takes one record).
///
/// A chunk holds at most `bytes + 2 * max_record_bytes` bytes of records: its
/// JSON Lines text is never let grow past `bytes + max_record_bytes` (no
/// doubling past it), and the record that crosses the budget keeps at most
/// twice its limit in its own buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkLimit {
    /// Records, at most.
    pub records: usize,
    /// Bytes, at most (plus the one record that crosses it).
    pub bytes: usize,
}

impl ChunkLimit {
    /// The limits a batch configuration names.
    pub fn of(config: &Config) -> ChunkLimit {
        ChunkLimit {
            records: config.chunk,
            bytes: config.chunk_bytes,
        }
    }
}

impl From<usize> for ChunkLimit {
    /// `records` records, within the default byte budget.
    fn from(records: usize) -> ChunkLimit {
        ChunkLimit {
            records,
            bytes: DEFAULT_CHUNK_BYTES,
        }
    }
}

/// What a group of records became: output and reject lines in input order,
/// each decided record's outcome per ruleset, and per calendar (by index)
/// the decisions that used its `outside` weekdays.
#[derive(Default)]
struct Group {
    out: Vec<u8>,
    rejects: Vec<u8>,
    outcomes: Vec<usize>,
    calendar_fallbacks: FallbackTally,
    read: u64,
    rejected: u64,
    internal_errors: u64,
    /// The evaluator's buffers, kept from record to record.
    scratch: crate::eval::Scratch,
    /// The slots of the record decided last, for the next to be read into.
    slots: Vec<Option<crate::value::Value>>,
}

impl Group {
    /// Empties the group for the next chunk, keeping its buffers.
    fn reset(&mut self) {
        self.out.clear();
        self.rejects.clear();
        self.outcomes.clear();
        self.calendar_fallbacks.clear();
        self.read = 0;
        self.rejected = 0;
        self.internal_errors = 0;
    }

    fn reject(&mut self, unit: &Unit, error: &RecordError, internal: bool) {
        output::write_reject(&mut self.rejects, unit, error);
        self.rejected += 1;
        self.internal_errors += u64::from(internal);
    }

    /// Counts one decision's calendar fallbacks.
    fn count_calendar_fallbacks(&mut self, fallbacks: &Fallbacks) {
        self.calendar_fallbacks.add(fallbacks);
    }
}

/// Runs every input through the policy, writing decisions and rejects.
pub fn run(
    policy: &Policy,
    inputs: Vec<Input>,
    config: &Config,
    out: &mut dyn Write,
    rejects: &mut dyn Write,
    mut progress: impl FnMut(&Summary),
) -> Result<Summary, BatchError> {
    if config.output.is_columnar() {
        #[cfg(feature = "arrow")]
        return columnar::run_text(policy, inputs, config, out, rejects, progress);
        #[cfg(not(feature = "arrow"))]
        return Err(BatchError::Input(
            format!("{:?}", config.output),
            "this verdikt was built without the `arrow` and `parquet` features".into(),
        ));
    }
    let started = Instant::now();
    let mut summary = Summary::new(policy);
    let writer = output::Writer::new(policy, config.output, config.mode);
    writer.header(out).map_err(decisions)?;
    // The groups of the last chunk, whose buffers the next one reuses.
    let mut groups: Vec<Group> = Vec::new();
    let decide_chunk = |chunk: Chunk| -> Result<(), BatchError> {
        let layout = chunk.layouts.first().and_then(Option::as_deref);
        // Records are decided in groups, each writing into buffers of its
        // own (kept from chunk to chunk: no allocation per record), and
        // input order kept.
        groups.resize_with(chunk.units.len().div_ceil(GROUP), Group::default);
        chunk
            .units
            .par_chunks(GROUP)
            .zip(groups.par_iter_mut())
            .for_each(|(units, group)| {
                group.reset();
                for unit in units {
                    process(
                        policy,
                        &writer,
                        layout,
                        unit,
                        &chunk.text,
                        config.mode,
                        group,
                    );
                }
            });
        for group in &groups {
            summary.read += group.read;
            summary.rejected += group.rejected;
            summary.internal_errors += group.internal_errors;
            for outcomes in group.outcomes.chunks(policy.rulesets.len().max(1)) {
                summary.count(outcomes);
            }
            summary.count_calendar_fallbacks(&group.calendar_fallbacks);
            out.write_all(&group.out).map_err(decisions)?;
            rejects.write_all(&group.rejects).map_err(rejected)?;
        }
        summary.elapsed = started.elapsed();
        progress(&summary);
        match config.max_rejects {
            // Zero rejects allowed: the first one aborts (the CLI refuses 0).
            Some(max) if summary.rejected > 0 && summary.rejected >= max => {
                Err(BatchError::TooManyRejects(summary.rejected))
            }
            _ => Ok(()),
        }
    };
    for_each_chunk(
        &[policy],
        inputs,
        ChunkLimit::of(config),
        config.read_ahead,
        decide_chunk,
    )?;
    out.flush().map_err(decisions)?;
    rejects.flush().map_err(rejected)?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Makes room in a chunk's text for one more record of up to `record`
/// bytes, growing it (by doubling, as `Vec` would) but never past `cap`:
/// a framer that appends a record then never reallocates it.
fn make_room(text: &mut Vec<u8>, record: usize, cap: usize) {
    let free = text.capacity().saturating_sub(text.len());
    if free >= record {
        return;
    }
    let want = text
        .capacity()
        .saturating_mul(2)
        .max(text.len().saturating_add(record))
        .min(cap.max(text.len().saturating_add(record)));
    text.reserve_exact(want.saturating_sub(text.len()));
}

/// Records framed together, with the CSV layout each policy reads them
/// with (one per policy, in the order the policies were given).
pub(crate) struct Chunk {
    pub(crate) units: Vec<Unit>,
    /// The bytes JSON Lines units point into ([`Payload::JsonLine`]).
    pub(crate) text: Vec<u8>,
    pub(crate) layouts: Vec<Option<Arc<CsvLayout>>>,
}

/// Frames every input into chunks within `limit` and hands them to `decide`
/// in order, stopping at the first error. With `read_ahead` the next chunk is
/// framed on another thread while this one is decided; the channel holds two
/// chunks, so at most [`CHUNKS_ALIVE`] chunks are alive at once.
pub(crate) fn for_each_chunk(
    policies: &[&Policy],
    inputs: Vec<Input>,
    limit: impl Into<ChunkLimit>,
    read_ahead: bool,
    mut decide: impl FnMut(Chunk) -> Result<(), BatchError>,
) -> Result<(), BatchError> {
    let size = limit.into();
    if read_ahead {
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Chunk, BatchError>>(2);
            scope.spawn(move || {
                read_chunks(policies, inputs, size, |c| tx.send(c).is_ok());
            });
            for chunk in rx {
                decide(chunk?)?;
            }
            Ok(())
        })
    } else {
        let mut failed = None;
        read_chunks(policies, inputs, size, |c| match c.and_then(&mut decide) {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        });
        failed.map_or(Ok(()), Err)
    }
}

/// Frames every input into chunks and hands them to `sink` in order; stops
/// when `sink` returns false. A read error is handed over, then reading stops.
fn read_chunks(
    policies: &[&Policy],
    inputs: Vec<Input>,
    limit: ChunkLimit,
    mut sink: impl FnMut(Result<Chunk, BatchError>) -> bool,
) {
    let (size, budget) = (limit.records.max(1), limit.bytes.max(1));
    // The text of a chunk is about as long as the last one's: reserved up
    // front, it is not grown by doubling (which leaves up to half unused).
    let mut last_text = 0usize;
    for Input {
        name,
        mut framer,
        max_record_bytes,
    } in inputs
    {
        let mut layouts: Option<Vec<Option<Arc<CsvLayout>>>> = None;
        // JSON Lines text never grows past this (see `ChunkLimit`).
        let text_cap = budget.saturating_add(max_record_bytes);
        loop {
            let mut units = Vec::with_capacity(size);
            let reserve = last_text
                .saturating_add(last_text / 16)
                .saturating_add(max_record_bytes)
                .min(text_cap);
            let mut text = Vec::with_capacity(reserve);
            // Bytes the records of this chunk hold outside `text`.
            let mut held = 0usize;
            while units.len() < size && text.len().saturating_add(held) < budget {
                make_room(&mut text, max_record_bytes, text_cap);
                match framer.next_unit(&mut text) {
                    Ok(Some(u)) => {
                        held = held.saturating_add(u.payload.held_bytes());
                        units.push(u);
                    }
                    Ok(None) => break,
                    Err(error) => {
                        sink(Err(BatchError::Read {
                            source_name: name.to_string(),
                            error,
                        }));
                        return;
                    }
                }
            }
            if units.is_empty() {
                break;
            }
            last_text = text.len();
            if layouts.is_none() {
                layouts = Some(match framer.csv_header() {
                    Some(header) => {
                        let names: Vec<&str> = header.iter().map(String::as_str).collect();
                        let mut built = Vec::with_capacity(policies.len());
                        for policy in policies {
                            match CsvLayout::new(policy, &names) {
                                Ok(l) => built.push(Some(Arc::new(l))),
                                Err(e) => {
                                    sink(Err(BatchError::Input(name.to_string(), e)));
                                    return;
                                }
                            }
                        }
                        built
                    }
                    None => vec![None; policies.len()],
                });
            }
            if !sink(Ok(Chunk {
                units,
                text,
                layouts: layouts.clone().unwrap_or_default(),
            })) {
                return;
            }
        }
    }
}

/// Decides every record of the inputs in order, one at a time on this
/// thread, handing each to `visit` with its unit; stops when `visit`
/// breaks. `verdikt eval` and the library's file reading use it, so they
/// read every format exactly as `batch` does.
pub(crate) fn decide_each(
    policy: &Policy,
    inputs: Vec<Input>,
    mode: Mode,
    mut visit: impl FnMut(
        &Unit,
        Result<crate::decision::Decision, RecordError>,
    ) -> std::ops::ControlFlow<()>,
) -> Result<(), BatchError> {
    let result = for_each_chunk(&[policy], inputs, 64, false, |chunk| {
        let layout = chunk.layouts.first().and_then(Option::as_deref);
        for unit in &chunk.units {
            let decided = catch_unwind(AssertUnwindSafe(|| {
                read_unit(policy, layout, unit, &chunk.text)
                    .and_then(|r| policy.decide_record(&r, mode))
            }))
            .unwrap_or_else(|_| Err(RecordError::single(PANICKED)));
            if visit(unit, decided).is_break() {
                return Err(BatchError::Stopped);
            }
        }
        Ok(())
    });
    match result {
        Err(BatchError::Stopped) => Ok(()),
        other => other,
    }
}

/// The problem of a record whose evaluation panicked (a bug).
const PANICKED: &str = "internal error: evaluation panicked; please report this record";

/// Reads one unit into a record of `policy`'s schema.
/// `text` is the text of the unit's chunk.
pub(crate) fn read_unit(
    policy: &Policy,
    layout: Option<&CsvLayout>,
    unit: &Unit,
    text: &[u8],
) -> Result<crate::record::Record, RecordError> {
    read_unit_reusing(policy, layout, unit, text, Vec::new())
}

/// [`read_unit`] into the slots of a record decided before.
pub(crate) fn read_unit_reusing(
    policy: &Policy,
    layout: Option<&CsvLayout>,
    unit: &Unit,
    text: &[u8],
    slots: Vec<Option<crate::value::Value>>,
) -> Result<crate::record::Record, RecordError> {
    match &unit.payload {
        Payload::Json(text) => crate::snapshot::read_json_reusing(policy, text, slots),
        Payload::JsonLine(range) => {
            let line = read::line_text(text.get(range.clone()).unwrap_or(&[]))
                .map_err(RecordError::single)?;
            crate::snapshot::read_json_reusing(policy, line, slots)
        }
        Payload::Yaml(text) => {
            crate::snapshot::read_yaml_document_at(policy, text, unit.place.line)
        }
        Payload::Csv(cells) => match layout {
            Some(l) => crate::snapshot::read_csv_row(policy, l, cells.iter().map(String::as_str)),
            None => Err(RecordError::single("CSV row before a header")),
        },
        Payload::Bad(message) => Err(RecordError::single(message.clone())),
    }
}

/// A decided record: already written to the output, or still to write.
enum Decided {
    Written(Fallbacks),
    Record(crate::decision::Decision),
}

/// Decides one unit. A panic inside is caught here, at the record boundary.
fn process(
    policy: &Policy,
    writer: &output::Writer<'_>,
    layout: Option<&CsvLayout>,
    unit: &Unit,
    text: &[u8],
    mode: Mode,
    group: &mut Group,
) {
    group.read += 1;
    let written = (group.out.len(), group.outcomes.len());
    let direct = writer.writes_directly();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let slots = std::mem::take(&mut group.slots);
        let record = read_unit_reusing(policy, layout, unit, text, slots)?;
        if direct {
            let written = policy.write_json_line(
                &record,
                mode,
                &mut group.out,
                &mut group.outcomes,
                &mut group.scratch,
            );
            group.slots = record.into_slots();
            written.map(Decided::Written)
        } else {
            policy.decide_record(&record, mode).map(Decided::Record)
        }
    }));
    if !matches!(result, Ok(Ok(_))) {
        // Nothing of a record that failed half-way stays in the output.
        group.out.truncate(written.0);
        group.outcomes.truncate(written.1);
    }
    match result {
        Ok(Ok(Decided::Written(fallbacks))) => group.count_calendar_fallbacks(&fallbacks),
        Ok(Ok(Decided::Record(decision))) => match writer.write_decision(&mut group.out, &decision)
        {
            Ok(()) => {
                writer.outcomes(&decision, &mut group.outcomes);
                group.count_calendar_fallbacks(&decision.calendar_fallbacks);
            }
            Err(e) => {
                group.out.truncate(written.0);
                let error = RecordError::single(format!("cannot render the decision: {e}"));
                group.reject(unit, &error, true);
            }
        },
        Ok(Err(e)) => group.reject(unit, &e, false),
        Err(_) => group.reject(unit, &RecordError::single(PANICKED), true),
    }
}
