//! A columnar file proves it is whole before a row is decided: every byte
//! between its leading magic and its footer belongs to something the footer
//! names. Parquet: the column chunks (with their page indexes and bloom
//! filters) tile the data region, zero padding aside, and the file has one
//! trailing magic. Arrow IPC file: the schema message, the footer's blocks
//! and the end-of-stream marker tile the bytes between the magics. Two files
//! joined with `cat` leave bytes no footer names, and are refused.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

/// Why a file is not whole: the byte offset and what is wrong there.
#[derive(Debug)]
pub(crate) struct NotWhole {
    pub(crate) offset: u64,
    pub(crate) what: String,
}

/// What to do about a file that is not whole.
const FIX: &str = "pass each file as its own input, or write the file again";

fn not_whole(offset: u64, what: impl Into<String>) -> NotWhole {
    NotWhole {
        offset,
        what: what.into(),
    }
}

/// Reads `buf.len()` bytes at `offset`.
fn read_at(mut file: &File, offset: u64, buf: &mut [u8]) -> Result<(), NotWhole> {
    file.seek(SeekFrom::Start(offset))
        .and_then(|_| file.read_exact(buf))
        .map_err(|e| not_whole(offset, format!("cannot be read ({e})")))
}

/// What a Parquet footer names, as byte ranges `[start, end)` with a label.
#[cfg(feature = "parquet")]
fn parquet_ranges(
    meta: &parquet::file::metadata::ParquetMetaData,
) -> Result<Vec<(u64, u64, String)>, NotWhole> {
    let mut ranges = Vec::new();
    let mut push =
        |start: Option<i64>, len: Option<i64>, what: &dyn Fn() -> String| match (start, len) {
            (None, _) | (_, None) => Ok(()),
            (Some(s), Some(l)) => match (u64::try_from(s), u64::try_from(l)) {
                (Ok(s), Ok(l)) => {
                    ranges.push((s, s.saturating_add(l), what()));
                    Ok(())
                }
                _ => Err(not_whole(
                    0,
                    format!(
                        "the footer gives {} a negative offset or size ({s}, {l})",
                        what()
                    ),
                )),
            },
        };
    for (g, group) in meta.row_groups().iter().enumerate() {
        for column in group.columns() {
            let path = column.column_path().string();
            if let Some(other) = column.file_path() {
                return Err(not_whole(
                    0,
                    format!("the column chunk `{path}` of row group {g} is kept in another file (`{other}`); verdikt reads self-contained files only"),
                ));
            }
            let start = column
                .dictionary_page_offset()
                .unwrap_or_else(|| column.data_page_offset());
            let chunk = || format!("the column chunk `{path}` of row group {g}");
            push(Some(start), Some(column.compressed_size()), &chunk)?;
            let index = || format!("the column index of `{path}` in row group {g}");
            push(
                column.column_index_offset(),
                column.column_index_length().map(i64::from),
                &index,
            )?;
            let offsets = || format!("the offset index of `{path}` in row group {g}");
            push(
                column.offset_index_offset(),
                column.offset_index_length().map(i64::from),
                &offsets,
            )?;
            let bloom = || format!("the bloom filter of `{path}` in row group {g}");
            push(
                column.bloom_filter_offset(),
                column.bloom_filter_length().map(i64::from),
                &bloom,
            )?;
        }
    }
    Ok(ranges)
}

/// Checks that a Parquet file of `len` bytes is exactly what its footer
/// (already parsed into `meta`) describes.
#[cfg(feature = "parquet")]
pub(crate) fn parquet(
    file: &File,
    len: u64,
    meta: &parquet::file::metadata::ParquetMetaData,
) -> Result<(), NotWhole> {
    let mut head = [0u8; 4];
    read_at(file, 0, &mut head)?;
    if &head != b"PAR1" {
        return Err(not_whole(0, "does not start with the Parquet magic `PAR1`"));
    }
    let mut tail = [0u8; 8];
    read_at(file, len.saturating_sub(8), &mut tail)?;
    let [a, b, c, d, ..] = tail;
    let footer = u64::from(u32::from_le_bytes([a, b, c, d]));
    let footer_start = len
        .checked_sub(8 + footer)
        .filter(|s| *s >= 4)
        .ok_or_else(|| not_whole(0, "its footer is longer than the file"))?;
    let declared: i64 = meta.row_groups().iter().map(|g| g.num_rows()).sum();
    if declared != meta.file_metadata().num_rows() {
        return Err(not_whole(
            footer_start,
            format!(
                "the footer says {} rows but its row groups hold {declared}",
                meta.file_metadata().num_rows()
            ),
        ));
    }
    let mut ranges = parquet_ranges(meta)?;
    ranges.sort_by_key(|r| (r.0, r.1));
    let mut cursor = 4u64;
    for (start, end, what) in &ranges {
        if *start < cursor {
            return Err(not_whole(
                *start,
                format!("{what} overlaps what comes before it (bytes {start}..{end}; the previous part ends at {cursor})"),
            ));
        }
        zero_gap(file, cursor, *start)?;
        cursor = *end;
    }
    if cursor > footer_start {
        return Err(not_whole(
            footer_start,
            format!("the data runs into the footer (it ends at byte {cursor}, the footer starts at {footer_start})"),
        ));
    }
    zero_gap(file, cursor, footer_start)
}

/// Bytes `[from, to)` that the footer does not name: zero padding (some
/// writers align row groups) is allowed, anything else is refused.
#[cfg(feature = "parquet")]
fn zero_gap(file: &File, from: u64, to: u64) -> Result<(), NotWhole> {
    let mut at = from;
    let mut buf = vec![0u8; 64 << 10];
    while at < to {
        let n = usize::try_from(to - at).map_or(buf.len(), |n| n.min(buf.len()));
        let part = buf.get_mut(..n).unwrap_or_default();
        read_at(file, at, part)?;
        if let Some(i) = part.iter().position(|b| *b != 0) {
            let first = at + i as u64;
            let what = if part.get(i..i + 4) == Some(b"PAR1") {
                "a second Parquet magic `PAR1` (two files joined with `cat`?)"
            } else {
                "data that no column chunk of the footer names (two files joined with `cat`, or a damaged file?)"
            };
            return Err(not_whole(
                first,
                format!(
                    "bytes {from}..{to} belong to nothing in the footer; here is {what}: {FIX}"
                ),
            ));
        }
        at += n as u64;
    }
    Ok(())
}

/// The magic an Arrow IPC file starts and ends with.
const ARROW_MAGIC: &[u8; 6] = b"ARROW1";

/// The length of the IPC message starting at `offset` (its prefix and
/// metadata; a schema has no body) and the metadata length.
fn message_len(file: &File, offset: u64) -> Result<u64, NotWhole> {
    let mut prefix = [0u8; 8];
    read_at(file, offset, &mut prefix)?;
    let [a, b, c, d, e, f, g, h] = prefix;
    let (pre, len) = if [a, b, c, d] == [0xff; 4] {
        (8, i32::from_le_bytes([e, f, g, h]))
    } else {
        (4, i32::from_le_bytes([a, b, c, d]))
    };
    u64::try_from(len)
        .ok()
        .filter(|l| *l > 0)
        .map(|l| offset + pre + l)
        .ok_or_else(|| {
            not_whole(
                offset,
                format!("the schema message has an invalid length ({len})"),
            )
        })
}

/// Where the schema message starts: after the magic and its zero padding
/// to an alignment of 8 to 64 bytes.
fn schema_start(file: &File, footer_start: u64) -> Result<u64, NotWhole> {
    let mut head = [0u8; 72];
    let n = usize::try_from(footer_start.min(72)).unwrap_or(72);
    let head = head.get_mut(..n).unwrap_or_default();
    read_at(file, 0, head)?;
    let first = head
        .iter()
        .enumerate()
        .skip(ARROW_MAGIC.len())
        .find(|(_, b)| **b != 0)
        .map(|(i, _)| i as u64);
    match first {
        Some(i) if i % 8 == 0 => Ok(i),
        _ => Err(not_whole(
            ARROW_MAGIC.len() as u64,
            "no schema message after the magic: a damaged file?",
        )),
    }
}

/// Checks that an Arrow IPC file of `len` bytes is exactly its schema
/// message, the blocks its footer names, the end-of-stream marker and the
/// footer; every block's declared size within `budget`.
pub(crate) fn ipc_file(file: &File, len: u64, budget: usize) -> Result<(), NotWhole> {
    if len < 8 + 10 {
        return Err(not_whole(
            len,
            "is too short to be an Arrow IPC file: truncated",
        ));
    }
    let mut tail = [0u8; 10];
    read_at(file, len - 10, &mut tail)?;
    let [a, b, c, d, magic @ ..] = tail;
    if &magic != ARROW_MAGIC {
        return Err(not_whole(
            len - 6,
            "does not end with the Arrow magic `ARROW1`: the file is truncated (or is a stream named as a file; name it `.arrows`)",
        ));
    }
    let footer_len = i32::from_le_bytes([a, b, c, d]);
    let footer_start = u64::try_from(footer_len)
        .ok()
        .and_then(|f| (len - 10).checked_sub(f))
        .filter(|s| *s >= 8)
        .ok_or_else(|| {
            not_whole(
                len - 10,
                format!("the footer length ({footer_len}) does not fit the file"),
            )
        })?;
    let footer_len = usize::try_from(len - 10 - footer_start).unwrap_or(usize::MAX);
    if footer_len > budget {
        return Err(not_whole(
            footer_start,
            format!(
                "the footer is {footer_len} bytes, over the batch budget of {budget} bytes: {}",
                super::stream::MORE
            ),
        ));
    }
    let mut footer = vec![0u8; footer_len];
    read_at(file, footer_start, &mut footer)?;
    let footer = arrow_ipc::root_as_footer(&footer)
        .map_err(|e| not_whole(footer_start, format!("the footer cannot be read ({e})")))?;
    let mut blocks: Vec<(u64, u64)> = Vec::new();
    let lists = [footer.dictionaries(), footer.recordBatches()];
    for block in lists.iter().flatten().flat_map(|l| l.iter()) {
        let offset = u64::try_from(block.offset());
        let meta = u64::try_from(block.metaDataLength());
        let body = u64::try_from(block.bodyLength());
        let (Ok(offset), Ok(meta), Ok(body)) = (offset, meta, body) else {
            return Err(not_whole(
                footer_start,
                "the footer names a block with a negative offset or size",
            ));
        };
        let size = meta.saturating_add(body);
        if usize::try_from(size).map_or(true, |s| s > budget) {
            return Err(not_whole(
                offset,
                format!(
                    "a batch of {size} bytes is over the batch budget of {budget} bytes: {}",
                    super::stream::MORE
                ),
            ));
        }
        blocks.push((offset, offset.saturating_add(size)));
    }
    blocks.sort_unstable();
    let mut cursor = message_len(file, schema_start(file, footer_start)?)?;
    for (start, end) in blocks {
        if start != cursor {
            let what = if start < cursor {
                "overlaps what comes before it"
            } else {
                "leaves bytes before it that no block names"
            };
            return Err(not_whole(
                cursor.min(start),
                format!("a block at byte {start} {what} (the previous part ends at byte {cursor}; two files joined with `cat`, or a damaged file?): {FIX}"),
            ));
        }
        cursor = end;
    }
    let mut eos = [0u8; 4];
    let mut eos_len = 0;
    if cursor + 4 <= footer_start {
        read_at(file, cursor, &mut eos)?;
        if eos == [0; 4] {
            // A legacy marker: four zero bytes.
            eos_len = 4;
        } else if eos == [0xff; 4] && cursor + 8 <= footer_start {
            read_at(file, cursor + 4, &mut eos)?;
            if eos == [0; 4] {
                eos_len = 8;
            }
        }
    }
    if eos_len == 0 {
        return Err(not_whole(
            cursor,
            format!("no end-of-stream marker after the last block (two files joined with `cat`, or a damaged file?): {FIX}"),
        ));
    }
    if cursor + eos_len != footer_start {
        return Err(not_whole(
            cursor + eos_len,
            format!("bytes {}..{footer_start} between the end-of-stream marker and the footer belong to nothing (two files joined with `cat`?): {FIX}", cursor + eos_len),
        ));
    }
    Ok(())
}
