//! Arrow data in and out through the Arrow PyCapsule interface: anything
//! with `__arrow_c_stream__` (a pyarrow Table or RecordBatchReader, a
//! polars DataFrame, a DuckDB result) or `__arrow_c_array__` (a pyarrow
//! RecordBatch) comes in as record batches; decisions go out as a
//! `pyarrow.Table`.

use arrow_array::{Array, RecordBatch, RecordBatchOptions, RecordBatchReader};
use arrow_pyarrow::{FromPyArrow, IntoPyArrow, Table};
use arrow_schema::SchemaRef;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;

/// The record batches of an Arrow-exporting object, read while holding the
/// GIL (the producer may be Python code); zero-copy for Arrow memory.
///
/// The C interfaces import arrays without checking them against their
/// type, so every batch is checked here before any value is read: a batch
/// whose arrays do not fit the stream's schema (arrow-rs panics on some of
/// those while importing: caught here), whose own schema differs from the
/// stream's, or whose buffers are malformed (offsets out of bounds,
/// invalid UTF-8, ...; `ArrayData::validate_full`) is a `ValueError`
/// naming the batch.
pub(crate) fn batches(data: &Bound<'_, PyAny>) -> PyResult<Vec<RecordBatch>> {
    let py = data.py();
    if data.hasattr(PyString::intern(py, "__arrow_c_stream__"))? {
        let mut reader = caught("the Arrow stream", || {
            arrow_array::ffi_stream::RecordBatchStreamReader::from_pyarrow_bound(data)
        })?;
        let schema = reader.schema();
        let mut out = Vec::new();
        for index in 1usize.. {
            let what = format!("batch {index} of the Arrow stream");
            let next = caught(&what, || Ok(reader.next()))?;
            let Some(batch) = next else {
                break;
            };
            let batch =
                batch.map_err(|e| PyValueError::new_err(format!("cannot read {what}: {e}")))?;
            out.push(checked(batch, Some(&schema), &what)?);
        }
        return Ok(out);
    }
    if data.hasattr(PyString::intern(py, "__arrow_c_array__"))? {
        let what = "the Arrow record batch";
        let batch = caught(what, || RecordBatch::from_pyarrow_bound(data))?;
        return Ok(vec![checked(batch, None, what)?]);
    }
    let name = data
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    Err(PyTypeError::new_err(format!(
        "decide_arrow takes Arrow data (an object with __arrow_c_stream__ or \
         __arrow_c_array__: a pyarrow Table or RecordBatch, a polars DataFrame, a DuckDB \
         result), not {name}"
    )))
}

/// Runs an Arrow import; a panic inside it (arrow-rs asserts on arrays
/// that do not fit their declared type) is a `ValueError` naming `what`.
fn caught<T>(what: &str, import: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(import)) {
        Ok(result) => result,
        Err(payload) => Err(PyValueError::new_err(format!(
            "cannot read {what}: its arrays do not match its schema ({})",
            crate::panic_message(payload.as_ref())
        ))),
    }
}

/// A batch checked in full: its schema is the stream's (when there is
/// one), and it passes `RecordBatch::try_new` and
/// `ArrayData::validate_full` for every column.
fn checked(batch: RecordBatch, stream: Option<&SchemaRef>, what: &str) -> PyResult<RecordBatch> {
    if let Some(schema) = stream {
        if batch.schema() != *schema {
            return Err(PyValueError::new_err(format!(
                "cannot read {what}: its schema differs from the stream's \
                 (stream: {schema:?}; batch: {:?})",
                batch.schema()
            )));
        }
    }
    let invalid = |e: arrow_schema::ArrowError| {
        PyValueError::new_err(format!(
            "cannot read {what}: it is not valid Arrow data: {e}"
        ))
    };
    for column in batch.columns() {
        column.to_data().validate_full().map_err(invalid)?;
    }
    let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    RecordBatch::try_new_with_options(batch.schema(), batch.columns().to_vec(), &options)
        .map_err(invalid)
}

/// Decision batches as one `pyarrow.Table` of `schema`.
pub(crate) fn table<'py>(
    py: Python<'py>,
    batches: Vec<RecordBatch>,
    schema: SchemaRef,
) -> PyResult<Bound<'py, PyAny>> {
    let table = Table::try_new(batches, schema)
        .map_err(|e| PyValueError::new_err(format!("cannot build the decisions table: {e}")))?;
    table.into_pyarrow(py)
}
