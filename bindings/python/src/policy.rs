//! `verdikt.Policy`: checked rule files, deciding one snapshot or Arrow data.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::{PyOSError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use verdikt::{ArrowOptions, ErrorFormat, Mode};

use crate::{guard, ColumnError, RecordError, RulesError};

/// A checked, compiled policy: the rule files of a directory (or given as
/// text), ready to decide snapshots.
///
/// `Policy("rules")` reads every `*.vk` file of the directory, in name
/// order, as `verdikt check rules` does; `Policy.from_files({name: text})`
/// takes the files' texts. Rule errors raise `verdikt.RulesError` with
/// every diagnostic rendered. A policy pickles as its rule texts, so it
/// travels to Spark workers and other processes.
#[pyclass(module = "verdikt", name = "Policy", frozen)]
pub(crate) struct Policy {
    policy: Arc<verdikt::Policy>,
    /// The rule files as checked, for pickling.
    files: Vec<(String, Vec<u8>)>,
    /// The warnings, rendered (empty when there are none).
    warnings: String,
}

const REASONS: Mode = Mode {
    reasons: true,
    explain: false,
    trace: false,
};

impl Policy {
    fn check(files: Vec<(String, Vec<u8>)>) -> PyResult<Policy> {
        let checked = verdikt::check_files(files.clone());
        let rendered = checked.render(ErrorFormat::Human);
        match checked.policy {
            Some(policy) => Ok(Policy {
                policy: Arc::new(policy),
                files,
                warnings: if checked.diagnostics.is_empty() {
                    String::new()
                } else {
                    rendered
                },
            }),
            None => Err(RulesError::new_err(rendered)),
        }
    }

    /// A record error as `verdikt.RecordError` with `problems` and
    /// `merchant_id` set.
    fn record_error(py: Python<'_>, e: &verdikt::RecordError) -> PyErr {
        let problems: Vec<String> = e.problems.iter().map(ToString::to_string).collect();
        let err = RecordError::new_err(problems.join("; "));
        let value = err.value(py);
        let set = value
            .setattr("problems", problems)
            .and_then(|()| value.setattr("merchant_id", e.merchant_id.clone()));
        match set {
            Ok(()) => err,
            Err(other) => other,
        }
    }

    /// [`Policy::from_files`]'s body, on a copy of the dict.
    fn from_files_inner(files: &Bound<'_, PyDict>) -> PyResult<Policy> {
        let files = files.copy()?;
        let mut list = Vec::with_capacity(files.len());
        for (name, text) in files.iter() {
            let name: String = name.extract()?;
            let bytes = if let Ok(s) = text.cast::<PyString>() {
                s.to_cow()?.as_bytes().to_vec()
            } else if let Ok(b) = text.cast::<PyBytes>() {
                b.as_bytes().to_vec()
            } else {
                return Err(PyTypeError::new_err(format!(
                    "the text of rule file `{name}` must be str or bytes"
                )));
            };
            list.push((name, bytes));
        }
        Policy::check(list)
    }

    fn read(&self, snapshot: &Bound<'_, PyAny>) -> PyResult<verdikt::Record> {
        let text = crate::snapshot::to_json(snapshot)?;
        self.policy
            .read_json(&text)
            .map_err(|e| Self::record_error(snapshot.py(), &e))
    }
}

/// A record's problems and merchant, as a reject names them.
type Rejected = (Vec<String>, Option<String>);

/// One JSON Lines line decided as `verdikt batch` decides it: its decision
/// record (a JSON line) or its reject.
fn decide_line(
    policy: &verdikt::Policy,
    line: Result<String, String>,
) -> Result<Vec<u8>, Rejected> {
    let rejected = |e: verdikt::RecordError| {
        let problems = e.problems.iter().map(ToString::to_string).collect();
        (problems, e.merchant_id)
    };
    let text = line.map_err(|problem| (vec![problem], None))?;
    let record = policy.read_json(&text).map_err(rejected)?;
    let mut out = Vec::new();
    policy
        .decide_json_line(&record, REASONS, &mut out)
        .map_err(rejected)?;
    Ok(out)
}

#[pymethods]
impl Policy {
    /// Reads and checks every `*.vk` file of the directory `rules`.
    #[new]
    fn new(rules: PathBuf) -> PyResult<Policy> {
        guard("Policy()", || {
            let io = |e: verdikt::LoadError| PyOSError::new_err(format!("{e} ({})", e.help()));
            let mut files = Vec::new();
            for path in verdikt::rule_files(&rules).map_err(io)? {
                let bytes = verdikt::read_rule_file(&path).map_err(io)?;
                files.push((path.display().to_string(), bytes));
            }
            Policy::check(files)
        })
    }

    /// Checks rule files given as `{name: text}` (text as str or bytes), in
    /// the dict's order. The version hash depends on each file's base name
    /// and bytes, so the same files give the same version as
    /// `Policy(dir)`.
    #[staticmethod]
    fn from_files(files: &Bound<'_, PyDict>) -> PyResult<Policy> {
        guard("Policy.from_files", || Policy::from_files_inner(files))
    }

    /// The hash of the rule files (file names and bytes): the
    /// `ruleset_version` of every decision.
    #[getter]
    fn version(&self) -> &str {
        self.policy.version()
    }

    /// The rulesets' names, in evaluation order.
    #[getter]
    fn rulesets(&self) -> Vec<String> {
        self.policy.ruleset_names().map(str::to_string).collect()
    }

    /// The checker's warnings, rendered as `verdikt check` prints them
    /// (empty when there are none).
    #[getter]
    fn warnings(&self) -> &str {
        &self.warnings
    }

    /// The rule files' texts, `{name: text}` (what pickling carries).
    #[getter]
    fn files<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        guard("Policy.files", || {
            let dict = PyDict::new(py);
            for (name, bytes) in &self.files {
                match std::str::from_utf8(bytes) {
                    Ok(text) => dict.set_item(name, text)?,
                    Err(_) => dict.set_item(name, PyBytes::new(py, bytes))?,
                }
            }
            Ok(dict)
        })
    }

    /// Decides one snapshot (a dict, as the JSON the CLI reads) and
    /// returns its decision record, exactly the line `verdikt batch`
    /// writes, parsed: money and rates as exact decimal strings.
    /// A snapshot that cannot be decided raises `verdikt.RecordError`;
    /// a float anywhere raises `TypeError`.
    fn decide<'py>(&self, snapshot: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        guard("Policy.decide", || {
            let py = snapshot.py();
            let record = self.read(snapshot)?;
            let mut line = Vec::new();
            self.policy
                .decide_json_line(&record, REASONS, &mut line)
                .map_err(|e| Self::record_error(py, &e))?;
            let text = String::from_utf8_lossy(&line);
            py.import("json")?.call_method1("loads", (text.trim_end(),))
        })
    }

    /// Decides one snapshot and explains it: `view="merchant"` (the
    /// default) as `verdikt eval --explain` does, for the merchant;
    /// `view="author"` as `verdikt eval --trace` does, with rule names and
    /// every condition tried.
    #[pyo3(signature = (snapshot, view = "merchant"))]
    fn explain(&self, snapshot: &Bound<'_, PyAny>, view: &str) -> PyResult<String> {
        guard("Policy.explain", || {
            let author = match view {
                "merchant" => false,
                "author" => true,
                other => {
                    return Err(pyo3::exceptions::PyValueError::new_err(format!(
                        "unknown view `{other}`: use \"merchant\" or \"author\""
                    )))
                }
            };
            let record = self.read(snapshot)?;
            let mode = Mode {
                reasons: true,
                explain: true,
                trace: author,
            };
            let decision = self
                .policy
                .decide_record(&record, mode)
                .map_err(|e| Self::record_error(snapshot.py(), &e))?;
            Ok(if author {
                verdikt::trace(&decision)
            } else {
                verdikt::explain(&decision)
            })
        })
    }

    /// Decides every row of Arrow data (a pyarrow Table or RecordBatch, or
    /// anything exposing `__arrow_c_stream__` / `__arrow_c_array__`) and
    /// returns a `pyarrow.Table`, one row per input row, in order:
    /// `merchant_id`, `ruleset_version`, one struct per ruleset, `reject`
    /// (the problems of a bad row; null when decided) and, with
    /// `record_json=True`, `record` (the CLI's JSON line). The GIL is
    /// released while deciding. A column verdikt cannot read exactly (a
    /// float for a decimal field) raises `verdikt.ColumnError`.
    #[pyo3(signature = (data, record_json = false))]
    fn decide_arrow<'py>(
        &self,
        data: &Bound<'py, PyAny>,
        record_json: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard("Policy.decide_arrow", || {
            let py = data.py();
            let input = crate::columns::batches(data)?;
            let options = ArrowOptions { record_json };
            let policy = Arc::clone(&self.policy);
            let decided = py.detach(move || {
                input
                    .iter()
                    .map(|b| policy.decide_arrow_with(b, options))
                    .collect::<Result<Vec<_>, _>>()
            });
            let decided = decided.map_err(|e| ColumnError::new_err(e.to_string()))?;
            crate::columns::table(py, decided, self.policy.arrow_schema(options))
        })
    }

    /// Decides every line of a JSON Lines file (a path) or text (`bytes`)
    /// as `verdikt batch` does, with the same framing (split at `\n` only),
    /// reader, line numbers and problems, and returns `(decisions,
    /// rejects)`: the batch's output lines and rejects-file lines, parsed
    /// (a reject is `{"source", "line", "merchant_id"?, "problems"}`;
    /// `source` is the path as given, `-` for text). Both lists are held in
    /// memory. The GIL is released while deciding.
    fn decide_jsonl<'py>(
        &self,
        source: &Bound<'py, PyAny>,
    ) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyList>)> {
        guard("Policy.decide_jsonl", || {
            let py = source.py();
            let name = if source.cast::<PyBytes>().is_ok() {
                "-".to_string()
            } else {
                source.extract::<PathBuf>()?.display().to_string()
            };
            let lines = crate::jsonl::lines(source)?;
            let policy = Arc::clone(&self.policy);
            let decided = py.detach(move || {
                lines
                    .into_iter()
                    .map(|(n, line)| (n, decide_line(&policy, line)))
                    .collect::<Vec<_>>()
            });
            let loads = py.import("json")?.getattr("loads")?;
            let (decisions, rejects) = (PyList::empty(py), PyList::empty(py));
            for (n, result) in decided {
                match result {
                    Ok(line) => {
                        let text = String::from_utf8_lossy(&line);
                        decisions.append(loads.call1((text.trim_end(),))?)?;
                    }
                    Err((problems, merchant_id)) => {
                        let reject = PyDict::new(py);
                        reject.set_item("source", &name)?;
                        reject.set_item("line", n)?;
                        if let Some(id) = merchant_id {
                            reject.set_item("merchant_id", id)?;
                        }
                        reject.set_item("problems", problems)?;
                        rejects.append(reject)?;
                    }
                }
            }
            Ok((decisions, rejects))
        })
    }

    /// The schema of `decide_arrow`'s output, known before any data
    /// (Spark declares it up front).
    #[pyo3(signature = (record_json = false))]
    fn arrow_schema<'py>(&self, py: Python<'py>, record_json: bool) -> PyResult<Bound<'py, PyAny>> {
        use arrow_pyarrow::ToPyArrow;
        guard("Policy.arrow_schema", || {
            self.policy
                .arrow_schema(ArrowOptions { record_json })
                .as_ref()
                .to_pyarrow(py)
        })
    }

    /// Pickles as `verdikt.Policy.from_files(self.files)`.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        guard("Policy.__reduce__", || {
            let rebuild = py.import("verdikt")?.getattr("_policy_from_files")?;
            let args = PyTuple::new(py, [self.files(py)?])?;
            PyTuple::new(py, [rebuild, args.into_any()])
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "verdikt.Policy(version={:?}, rulesets={:?})",
            self.policy.version(),
            self.rulesets()
        )
    }
}
