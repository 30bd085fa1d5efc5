//! A Python snapshot (a dict) as the JSON text the CLI's reader reads.
//!
//! Numbers keep their exact digits: an `int` is written as it is, a
//! `decimal.Decimal` by its `str` (so `Decimal("65000.00")` reaches the
//! reader as `65000.00`). A `float` is refused, naming the field: verdikt
//! never reads money, rates or scores through binary floating point.
//! A `datetime.date` is written as its ISO date; text goes as a JSON string.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};

/// Nesting deeper than this is refused (a snapshot is a few levels deep).
const MAX_DEPTH: usize = 64;

/// The JSON text of a snapshot dict.
pub(crate) fn to_json(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if !value.is_instance_of::<PyDict>() {
        return Err(PyTypeError::new_err(format!(
            "a snapshot is a dict, not {}",
            type_name(value)
        )));
    }
    let mut out = String::new();
    let mut path = Vec::new();
    write_value(value, &mut out, &mut path)?;
    Ok(out)
}

fn write_value(v: &Bound<'_, PyAny>, out: &mut String, path: &mut Vec<String>) -> PyResult<()> {
    if path.len() > MAX_DEPTH {
        return Err(PyTypeError::new_err(format!(
            "`{}` is nested more than {MAX_DEPTH} levels deep",
            path.join(".")
        )));
    }
    if v.is_none() {
        out.push_str("null");
    } else if let Ok(b) = v.cast::<PyBool>() {
        out.push_str(if b.is_true() { "true" } else { "false" });
    } else if v.is_instance_of::<PyInt>() {
        out.push_str(&v.str()?.to_cow()?);
    } else if v.is_instance_of::<PyFloat>() {
        return Err(PyTypeError::new_err(format!(
            "`{}` is a float ({}): verdikt never reads numbers through binary floating point; \
             pass a decimal.Decimal, an int or a str (for example Decimal(\"{}\"))",
            field(path),
            v.repr()?,
            v.str()?
        )));
    } else if let Ok(s) = v.cast::<PyString>() {
        write_string(&s.to_cow()?, out);
    } else if v.is_instance(decimal_type(v.py())?)? {
        write_decimal(v, out, path)?;
    } else if v.is_instance(datetime_type(v.py())?)? {
        return Err(PyTypeError::new_err(format!(
            "`{}` is a datetime: pass a datetime.date (or its ISO text)",
            field(path)
        )));
    } else if v.is_instance(date_type(v.py())?)? {
        write_string(&v.call_method0("isoformat")?.str()?.to_cow()?, out);
    } else if let Ok(d) = v.cast::<PyDict>() {
        out.push('{');
        for (i, (k, item)) in d.iter().enumerate() {
            let Ok(key) = k.cast::<PyString>() else {
                return Err(PyTypeError::new_err(format!(
                    "keys of `{}` must be str, not {}",
                    field(path),
                    type_name(&k)
                )));
            };
            let key = key.to_cow()?.into_owned();
            if i > 0 {
                out.push(',');
            }
            write_string(&key, out);
            out.push(':');
            path.push(key);
            write_value(&item, out, path)?;
            path.pop();
        }
        out.push('}');
    } else if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        out.push('[');
        for (i, item) in v.try_iter()?.enumerate() {
            if i > 0 {
                out.push(',');
            }
            path.push(format!("[{i}]"));
            write_value(&item?, out, path)?;
            path.pop();
        }
        out.push(']');
    } else {
        return Err(PyTypeError::new_err(format!(
            "`{}` is a {}: a snapshot holds dicts, lists, str, int, decimal.Decimal, bool, \
             datetime.date and None",
            field(path),
            type_name(v)
        )));
    }
    Ok(())
}

/// A decimal as its exact digits; NaN and infinities are refused.
fn write_decimal(v: &Bound<'_, PyAny>, out: &mut String, path: &[String]) -> PyResult<()> {
    if !v.call_method0("is_finite")?.is_truthy()? {
        return Err(PyTypeError::new_err(format!(
            "`{}` is {}: not a number verdikt can decide on",
            field(path),
            v.str()?
        )));
    }
    out.push_str(&v.str()?.to_cow()?);
    Ok(())
}

fn write_string(s: &str, out: &mut String) {
    // serde_json escapes exactly as JSON requires; a str cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

fn field(path: &[String]) -> String {
    let mut s = String::new();
    for p in path {
        if !s.is_empty() && !p.starts_with('[') {
            s.push('.');
        }
        s.push_str(p);
    }
    if s.is_empty() {
        s.push_str("the snapshot");
    }
    s
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_string())
}

pub(crate) fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    static TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    TYPE.import(py, "decimal", "Decimal")
}

fn date_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    static TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    TYPE.import(py, "datetime", "date")
}

fn datetime_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    static TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    TYPE.import(py, "datetime", "datetime")
}
