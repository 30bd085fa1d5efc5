//! A Python snapshot (a mapping) as the JSON text the CLI's reader reads.
//!
//! Values are read by value, never through their printed form: a subclass
//! of `int`, `str`, `decimal.Decimal` or `datetime.date` may override
//! `__str__`, `__repr__` or `isoformat`, and none of those is called.
//! - an `int` is written as the digits `int.__repr__` gives for its value;
//! - a `decimal.Decimal` is rebuilt from `Decimal.as_tuple` (sign, digits,
//!   exponent), so `Decimal("65000.00")` reaches the reader as `65000.00`;
//!   NaN and infinities are refused;
//! - a `bool` is `true`/`false`, never a number;
//! - a `float` is refused, naming the field: verdikt never reads money,
//!   rates or scores through binary floating point;
//! - a `datetime.date` is written as `date.isoformat` gives it (a
//!   `datetime.datetime` is refused); text goes as a JSON string.
//!
//! Every mapping and list is copied (`PyDict::copy`, `dict(mapping)`,
//! `list(seq)`) before it is walked, so Python code that changes the
//! snapshot while it is read (a `__str__`, a `keys` that mutates) cannot
//! change what is being iterated. Nesting is bounded by [`MAX_DEPTH`].

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PySequence, PyString, PyTuple, PyType,
};

/// Nesting deeper than this is refused (a snapshot is a few levels deep;
/// a mapping that holds itself stops here too).
const MAX_DEPTH: usize = 64;

/// A decimal exponent further below zero than the digits by more than this
/// is written in exponent form rather than padded with zeros.
const MAX_ZERO_PADDING: usize = 64;

/// The JSON text of a snapshot mapping.
pub(crate) fn to_json(value: &Bound<'_, PyAny>) -> PyResult<String> {
    let Some(copy) = copy_mapping(value)? else {
        return Err(PyTypeError::new_err(format!(
            "a snapshot is a dict (or another mapping), not {}",
            type_name(value)
        )));
    };
    let mut out = String::new();
    write_object(&copy, &mut out, &mut Vec::new())?;
    Ok(out)
}

/// A private copy of a mapping (`None` when `v` is not one): a `dict` (or
/// subclass) by `PyDict::copy`, any other `collections.abc.Mapping` by
/// `dict(v)`.
fn copy_mapping<'py>(v: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyDict>>> {
    if let Ok(d) = v.cast::<PyDict>() {
        return d.copy().map(Some);
    }
    if v.cast::<PyMapping>().is_ok() {
        let copy = v.py().get_type::<PyDict>().call1((v,))?;
        return Ok(Some(copy.cast_into::<PyDict>()?));
    }
    Ok(None)
}

fn write_value(v: &Bound<'_, PyAny>, out: &mut String, path: &mut Vec<String>) -> PyResult<()> {
    if path.len() > MAX_DEPTH {
        return Err(PyValueError::new_err(format!(
            "`{}` is nested more than {MAX_DEPTH} levels deep",
            field(path)
        )));
    }
    let py = v.py();
    if v.is_none() {
        out.push_str("null");
    } else if let Ok(b) = v.cast::<PyBool>() {
        out.push_str(if b.is_true() { "true" } else { "false" });
    } else if v.is_instance_of::<PyInt>() {
        // The value's own digits: `int.__repr__` of the base type, whatever
        // a subclass's `__str__`/`__repr__` says.
        let digits = py
            .get_type::<PyInt>()
            .getattr(pyo3::intern!(py, "__repr__"))?
            .call1((v,))?;
        out.push_str(&digits.cast::<PyString>()?.to_cow()?);
    } else if v.is_instance_of::<PyFloat>() {
        let repr = py
            .get_type::<PyFloat>()
            .getattr(pyo3::intern!(py, "__repr__"))?
            .call1((v,))?;
        let repr = repr.cast::<PyString>()?.to_cow()?.into_owned();
        return Err(PyTypeError::new_err(format!(
            "`{}` is a float ({repr}): verdikt never reads numbers through binary floating \
             point; pass a decimal.Decimal, an int or a str (for example Decimal(\"{repr}\"))",
            field(path),
        )));
    } else if let Ok(s) = v.cast::<PyString>() {
        write_string(&s.to_cow()?, out);
    } else if v.is_instance(decimal_type(py)?)? {
        write_decimal(v, out, path)?;
    } else if v.is_instance(datetime_type(py)?)? {
        return Err(PyTypeError::new_err(format!(
            "`{}` is a datetime: pass a datetime.date (or its ISO text)",
            field(path)
        )));
    } else if v.is_instance(date_type(py)?)? {
        let iso = date_type(py)?
            .getattr(pyo3::intern!(py, "isoformat"))?
            .call1((v,))?;
        write_string(&iso.cast::<PyString>()?.to_cow()?, out);
    } else if let Some(d) = copy_mapping(v)? {
        write_object(&d, out, path)?;
    } else if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        // `list(v)`: a copy, so the walk cannot see the list change.
        let items = v.cast::<PySequence>()?.to_list()?;
        out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            path.push(format!("[{i}]"));
            write_value(&item, out, path)?;
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

/// The members of a mapping already copied by [`copy_mapping`].
fn write_object(d: &Bound<'_, PyDict>, out: &mut String, path: &mut Vec<String>) -> PyResult<()> {
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
    Ok(())
}

/// A decimal as its exact digits, from `Decimal.as_tuple` of the base
/// type; NaN and infinities are refused.
fn write_decimal(v: &Bound<'_, PyAny>, out: &mut String, path: &[String]) -> PyResult<()> {
    let py = v.py();
    let tuple = decimal_type(py)?
        .getattr(pyo3::intern!(py, "as_tuple"))?
        .call1((v,))?;
    let (sign, digits, exponent): (u8, Vec<u8>, Bound<'_, PyAny>) = tuple.extract()?;
    let Ok(exponent) = exponent.extract::<i64>() else {
        // `n`, `N` (NaN) or `F` (infinity).
        let text = decimal_type(py)?
            .getattr(pyo3::intern!(py, "__str__"))?
            .call1((v,))?;
        return Err(PyTypeError::new_err(format!(
            "`{}` is {}: not a number verdikt can decide on",
            field(path),
            text.cast::<PyString>()?.to_cow()?
        )));
    };
    if sign == 1 {
        out.push('-');
    }
    let mut text: String = digits
        .iter()
        .map(|d| char::from(b'0'.saturating_add(*d)))
        .collect();
    if text.is_empty() {
        text.push('0');
    }
    let scale = usize::try_from(exponent.unsigned_abs()).unwrap_or(usize::MAX);
    if exponent == 0 {
        out.push_str(&text);
    } else if exponent < 0 && scale <= text.len().saturating_add(MAX_ZERO_PADDING) {
        // `6500000` with exponent -2 is `65000.00`.
        if text.len() <= scale {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', scale - text.len()));
            out.push_str(&text);
        } else if let Some((whole, fraction)) = text.split_at_checked(text.len() - scale) {
            out.push_str(whole);
            out.push('.');
            out.push_str(fraction);
        }
    } else {
        out.push_str(&text);
        out.push_str(&format!("E{exponent}"));
    }
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
