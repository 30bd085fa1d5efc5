//! JSON Lines through the CLI's framing ([`verdikt::batch::for_each_jsonl_line`]):
//! split at `\n` only, numbered as `verdikt batch` numbers them, a line
//! that cannot be a record named with the batch's problem.

use std::fs::File;
use std::io::BufReader;
use std::ops::ControlFlow;
use std::path::PathBuf;

use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// A line longer than this is a bad line, as under `verdikt batch`'s
/// default `--max-record-bytes`.
pub(crate) const MAX_RECORD_BYTES: usize = 1 << 20;

/// One framed line: its number, and its text or its problem.
pub(crate) type Line = (u64, Result<String, String>);

/// The lines of a JSON Lines text (`bytes`) or file (a path).
pub(crate) fn lines(source: &Bound<'_, PyAny>) -> PyResult<Vec<Line>> {
    if let Ok(b) = source.cast::<PyBytes>() {
        let bytes = b.as_bytes().to_vec();
        return frame(std::io::Cursor::new(bytes))
            .map_err(|e| PyOSError::new_err(format!("cannot read the JSON Lines: {e}")));
    }
    let path: PathBuf = source.extract()?;
    let cannot =
        |e: std::io::Error| PyOSError::new_err(format!("cannot read `{}`: {e}", path.display()));
    let file = File::open(&path).map_err(cannot)?;
    frame(BufReader::new(file)).map_err(cannot)
}

fn frame(input: impl std::io::BufRead + Send + 'static) -> std::io::Result<Vec<Line>> {
    let mut out = Vec::new();
    verdikt::batch::for_each_jsonl_line(input, MAX_RECORD_BYTES, |n, line| {
        out.push((n, line.map(str::to_string)));
        ControlFlow::Continue(())
    })?;
    Ok(out)
}

/// A line as Python sees it: `(line, text, problem)`.
pub(crate) type LineOrProblem = (u64, Option<String>, Option<String>);

/// `(line, text, problem)` of every line of a JSON Lines file (a
/// `str` or path-like) or text (`bytes`), framed
/// exactly as `verdikt batch` frames it: split at `\n` only (never at
/// U+2028, U+0085 or a form feed), a `\r` before it dropped. A line that
/// cannot be a record (blank, invalid UTF-8, over 1 MiB) has `text` None
/// and `problem` the batch's words for it.
#[pyfunction]
pub(crate) fn jsonl_lines(source: &Bound<'_, PyAny>) -> PyResult<Vec<LineOrProblem>> {
    crate::guard("verdikt.jsonl", || {
        Ok(lines(source)?
            .into_iter()
            .map(|(n, line)| match line {
                Ok(text) => (n, Some(text), None),
                Err(problem) => (n, None, Some(problem)),
            })
            .collect())
    })
}
