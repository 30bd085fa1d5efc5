//! `verdikt._native`: the Python face of verdikt's library.
//!
//! [`policy`] holds the `Policy` class (rules in, decisions out),
//! [`snapshot`] turns a Python dict into the JSON text the CLI's reader
//! reads, [`jsonl`] frames JSON Lines as `verdikt batch` does, and
//! [`columns`] moves Arrow data in and out through the Arrow
//! PyCapsule interface. The `verdikt` Python package (python/verdikt)
//! re-exports all of it and adds `verdikt.spark`.

mod columns;
mod jsonl;
mod policy;
mod snapshot;

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
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

create_exception!(
    verdikt,
    InternalError,
    PyRuntimeError,
    "A bug in verdikt (a Rust panic), caught before it reached Python; the message says where. Please report it with the input."
);

/// Runs the body of a Python-facing function: a Rust panic inside is
/// caught here and raised as `verdikt.InternalError`, an `Exception`, never
/// as pyo3's `PanicException` (a `BaseException` that kills Spark workers).
pub(crate) fn guard<T>(what: &str, body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => Err(InternalError::new_err(format!(
            "internal error in {what}: {}; please report this input",
            panic_message(payload.as_ref())
        ))),
    }
}

/// The text a panic was raised with.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<policy::Policy>()?;
    m.add_function(wrap_pyfunction!(jsonl::jsonl_lines, m)?)?;
    m.add("RulesError", py.get_type::<RulesError>())?;
    m.add("RecordError", py.get_type::<RecordError>())?;
    m.add("ColumnError", py.get_type::<ColumnError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    Ok(())
}
