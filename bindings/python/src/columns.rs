//! Arrow data in and out through the Arrow PyCapsule interface: anything
//! with `__arrow_c_stream__` (a pyarrow Table or RecordBatchReader, a
//! polars DataFrame, a DuckDB result) or `__arrow_c_array__` (a pyarrow
//! RecordBatch) comes in as record batches; decisions go out as a
//! `pyarrow.Table`.

use arrow_array::RecordBatch;
use arrow_pyarrow::{FromPyArrow, IntoPyArrow, Table};
use arrow_schema::SchemaRef;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;

/// The record batches of an Arrow-exporting object, read while holding the
/// GIL (the producer may be Python code); zero-copy for Arrow memory.
pub(crate) fn batches(data: &Bound<'_, PyAny>) -> PyResult<Vec<RecordBatch>> {
    let py = data.py();
    if data.hasattr(PyString::intern(py, "__arrow_c_stream__"))? {
        let reader = arrow_array::ffi_stream::RecordBatchStreamReader::from_pyarrow_bound(data)?;
        return reader
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| PyValueError::new_err(format!("cannot read the Arrow stream: {e}")));
    }
    if data.hasattr(PyString::intern(py, "__arrow_c_array__"))? {
        return Ok(vec![RecordBatch::from_pyarrow_bound(data)?]);
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
