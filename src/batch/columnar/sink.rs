//! Columnar outputs: decision batches written as a Parquet file (snappy,
//! row groups of at most 65,536 rows) or an Arrow IPC file. The writers
//! write into a buffer that is handed on to the output after every batch,
//! so memory holds at most one row group whatever the input size.

use std::io::{self, Write};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use crate::batch::OutputFormat;

/// Rows per Parquet row group.
#[cfg(feature = "parquet")]
const ROW_GROUP: usize = 1 << 16;

pub(crate) enum ColumnarSink {
    #[cfg(feature = "parquet")]
    Parquet(Box<parquet::arrow::ArrowWriter<Vec<u8>>>),
    Arrow(Box<arrow_ipc::writer::FileWriter<Vec<u8>>>),
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

impl ColumnarSink {
    pub(crate) fn new(format: OutputFormat, schema: &SchemaRef) -> io::Result<ColumnarSink> {
        match format {
            #[cfg(feature = "parquet")]
            OutputFormat::Parquet => {
                use parquet::basic::Compression;
                use parquet::file::properties::WriterProperties;
                let props = WriterProperties::builder()
                    .set_compression(Compression::SNAPPY)
                    .set_max_row_group_row_count(Some(ROW_GROUP))
                    // Column chunk statistics only: page statistics cost
                    // as much as encoding the reasons.
                    .set_statistics_enabled(parquet::file::properties::EnabledStatistics::Chunk)
                    .build();
                let w =
                    parquet::arrow::ArrowWriter::try_new(Vec::new(), schema.clone(), Some(props))
                        .map_err(other)?;
                Ok(ColumnarSink::Parquet(Box::new(w)))
            }
            OutputFormat::Arrow => {
                let w =
                    arrow_ipc::writer::FileWriter::try_new(Vec::new(), schema).map_err(other)?;
                Ok(ColumnarSink::Arrow(Box::new(w)))
            }
            _ => Err(io::Error::other(format!(
                "{format:?} output needs the `parquet` feature"
            ))),
        }
    }

    /// Writes a batch and hands what is encoded on to `out`.
    pub(crate) fn write(&mut self, batch: &RecordBatch, out: &mut dyn Write) -> io::Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        match self {
            #[cfg(feature = "parquet")]
            ColumnarSink::Parquet(w) => {
                w.write(batch).map_err(other)?;
                // (Bytes still in the writer's own buffer come later.)
                drain(w.inner_mut(), out)
            }
            ColumnarSink::Arrow(w) => {
                w.write(batch).map_err(other)?;
                drain(w.get_mut(), out)
            }
        }
    }

    /// Writes the footer.
    pub(crate) fn finish(self, out: &mut dyn Write) -> io::Result<()> {
        match self {
            #[cfg(feature = "parquet")]
            ColumnarSink::Parquet(mut w) => {
                w.finish().map_err(other)?;
                drain(w.inner_mut(), out)
            }
            ColumnarSink::Arrow(mut w) => {
                w.finish().map_err(other)?;
                drain(w.get_mut(), out)
            }
        }
    }
}

/// Hands the encoded bytes on (the writers count bytes themselves, so the
/// buffer can be emptied).
fn drain(buffer: &mut Vec<u8>, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(buffer)?;
    buffer.clear();
    Ok(())
}
