//! `verdikt._native`: the Python face of verdikt's library.
//!
//! [`policy`] holds the `Policy` class (rules in, decisions out),
//! [`snapshot`] turns a Python dict into the JSON text the CLI's reader
//! reads, and [`columns`] moves Arrow data in and out through the Arrow
//! PyCapsule interface. The `verdikt` Python package (python/verdikt)
//! re-exports all of it and adds `verdikt.spark`.

mod columns;
mod policy;
mod snapshot;

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

create_exception!(
    verdikt,
    RulesError,
    PyValueError,
    "The rule files have errors; the message is every diagnostic, rendered with file, line, column and caret."
);
create_exception!(
    verdikt,
    RecordError,
    PyValueError,
    "A snapshot cannot be decided; `problems` lists every problem (as the rejects file words them) and `merchant_id` names the merchant when known."
);
create_exception!(
    verdikt,
    ColumnError,
    PyValueError,
    "An Arrow column verdikt cannot read exactly (a float for a decimal field, ...); the message names the column and the cast to use."
);

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<policy::Policy>()?;
    m.add("RulesError", py.get_type::<RulesError>())?;
    m.add("RecordError", py.get_type::<RecordError>())?;
    m.add("ColumnError", py.get_type::<ColumnError>())?;
    Ok(())
}
