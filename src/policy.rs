//! The library's front door: load rule files once, decide many snapshots.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::decision::{Decision, OutputValue, RulesetDecision};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{EvalError, Evaluator, Mode};
use crate::ir::Policy;
use crate::snapshot::{Record, RecordError};
use crate::span::{Source, SourceMap, Span};
use crate::types::Ty;
use crate::value::Value;

/// The result of checking rule files: the policy when there is no error,
/// and every diagnostic with the sources they point into.
#[derive(Debug)]
pub struct Checked {
    pub policy: Option<Policy>,
    pub diagnostics: Vec<Diagnostic>,
    pub sources: SourceMap,
}

/// Where in a file a snapshot was (see [`Policy::decide_file_text`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilePlace {
    /// A JSONL line, from 1.
    Line(usize),
    /// A YAML document, from 1.
    Document(usize),
    /// The whole file is one snapshot.
    Whole,
}

/// Why rule files could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read rule directory `{path}`: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The `*.vk` files of a directory, in name order (the order rules are read).
pub fn rule_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "vk") && p.is_file())
        .collect();
    paths.sort();
    Ok(paths)
}

/// Reads every `*.vk` file of a directory (sorted by name) and checks them.
pub fn check_dir(dir: &Path) -> Result<Checked, LoadError> {
    let io = |source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for path in rule_files(dir).map_err(io)? {
        let bytes = std::fs::read(&path).map_err(|source| LoadError::Io {
            path: path.clone(),
            source,
        })?;
        files.push((path.display().to_string(), bytes));
    }
    Ok(check_files(files))
}

/// Checks rule files given as (name, bytes).
pub fn check_files(files: Vec<(String, Vec<u8>)>) -> Checked {
    let mut hasher = Sha256::new();
    let mut sources = SourceMap::default();
    let mut trees = Vec::new();
    let mut diagnostics = Vec::new();
    for (name, bytes) in &files {
        let base = Path::new(name)
            .file_name()
            .map_or(name.clone(), |n| n.to_string_lossy().into_owned());
        hasher.update(base.as_bytes());
        hasher.update([0]);
        hasher.update(bytes);
        hasher.update([0]);
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                let id = sources.add(Source::new(name.clone(), text));
                let Some(source) = sources.get(id) else {
                    continue;
                };
                let (tree, diags) = crate::syntax::parse(source, id);
                diagnostics.extend(diags);
                if let Some(tree) = tree {
                    trees.push(tree);
                }
            }
            Err(e) => {
                let lossy = String::from_utf8_lossy(bytes);
                let id = sources.add(Source::new(name.clone(), &lossy));
                let at = e.valid_up_to();
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidUtf8,
                        Span::new(id, at, at + 1),
                        "rule file is not valid UTF-8",
                    )
                    .with_help("save the file as UTF-8"),
                );
            }
        }
    }
    let digest = hasher.finalize();
    let version: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let syntax_failed = diagnostics.iter().any(Diagnostic::is_error);
    let (policy, more) = crate::check::check(&trees, sources.clone(), Arc::from(version.as_str()));
    // Checking what did parse still helps, but a file that did not parse
    // leaves names undeclared: keep its own errors, drop the echoes, and
    // drop warnings about text that is not all there.
    if syntax_failed {
        diagnostics.extend(more.into_iter().filter(|d| {
            d.code != Code::UnknownField && d.code != Code::Schema && !d.code.is_lint()
        }));
    } else {
        diagnostics.extend(more);
    }
    crate::diagnostic::sort(&mut diagnostics);
    let policy = if diagnostics.iter().any(Diagnostic::is_error) {
        None
    } else {
        policy
    };
    Checked {
        policy,
        diagnostics,
        sources,
    }
}

impl Policy {
    /// Hash of the rule files (file names and bytes).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Names of the rulesets, in evaluation order.
    pub fn ruleset_names(&self) -> impl Iterator<Item = &str> {
        self.rulesets.iter().map(|r| &*r.name)
    }

    /// Reads one JSON snapshot.
    pub fn read_json(&self, text: &str) -> Result<Record, RecordError> {
        crate::snapshot::read_json(self, text)
    }

    /// Reads every document of a YAML stream.
    pub fn read_yaml(&self, text: &str) -> Vec<Result<Record, RecordError>> {
        crate::snapshot::read_yaml_documents(self, text)
    }

    /// Decides every ruleset for one record.
    pub fn decide(&self, record: &Record, mode: Mode) -> Result<Decision, EvalError> {
        let mut ev = Evaluator::new(self, record, mode);
        self.decide_in(&mut ev, record, mode)
    }

    /// Decides and adds what was exercised to `coverage`.
    pub fn decide_covered(
        &self,
        record: &Record,
        mode: Mode,
        coverage: &mut crate::coverage::Coverage,
    ) -> Result<Decision, EvalError> {
        let mut ev = Evaluator::new(self, record, mode);
        ev.coverage = Some(std::mem::take(coverage));
        let result = self.decide_in(&mut ev, record, mode);
        *coverage = ev.coverage.take().unwrap_or_default();
        result
    }

    fn decide_in<'p>(
        &'p self,
        ev: &mut Evaluator<'p, '_>,
        record: &Record,
        mode: Mode,
    ) -> Result<Decision, EvalError> {
        let mut rulesets = Vec::with_capacity(self.rulesets.len());
        for rs in &self.rulesets {
            let raw = ev.decide(rs).map_err(|f| ev.describe(f))?;
            let outputs = rs
                .outputs
                .iter()
                .zip(raw.outputs)
                .filter_map(|(o, v)| Some((o.name.clone(), self.output_value(v?, &o.ty))))
                .collect();
            rulesets.push(RulesetDecision {
                ruleset: rs.name.clone(),
                title: rs.title.clone(),
                outcome: rs
                    .outcomes
                    .get(raw.outcome)
                    .cloned()
                    .unwrap_or_else(|| Arc::from("?")),
                rule: raw.rule,
                outputs,
                reasons: raw.reasons,
                unmet: raw.unmet,
            });
        }
        let merchant_id = self.schema.merchant_id.and_then(|id| match record.get(id) {
            Some(Value::Text(t)) => Some(t.to_string()),
            _ => None,
        });
        Ok(Decision {
            merchant_id,
            ruleset_version: self.version.clone(),
            rulesets,
            trace: std::mem::take(&mut ev.trace),
            explained: mode.explain,
        })
    }

    /// Decides a record and appends its decision record as one JSON line,
    /// byte for byte what serializing [`Policy::decide`]'s `Decision` gives,
    /// without building it: the batch's hot path. Appends each ruleset's
    /// outcome index to `outcomes`. On error nothing is appended.
    /// Explanations and traces are not written (they take the `Decision`
    /// path).
    pub fn decide_json_line(
        &self,
        record: &Record,
        mode: Mode,
        out: &mut Vec<u8>,
        outcomes: &mut Vec<usize>,
    ) -> Result<(), RecordError> {
        let start = (out.len(), outcomes.len());
        let result = self.write_decision_line(record, mode, out, outcomes);
        if result.is_err() {
            out.truncate(start.0);
            outcomes.truncate(start.1);
        }
        result
    }

    fn write_decision_line(
        &self,
        record: &Record,
        mode: Mode,
        out: &mut Vec<u8>,
        outcomes: &mut Vec<usize>,
    ) -> Result<(), RecordError> {
        let mode = Mode {
            explain: false,
            trace: false,
            ..mode
        };
        let json = |out: &mut Vec<u8>, value: &dyn erased::Json| {
            value
                .write(out)
                .map_err(|e| RecordError::single(format!("cannot render the decision: {e}")))
        };
        let mut ev = Evaluator::new(self, record, mode);
        out.extend_from_slice(b"{\"merchant_id\":");
        match self.schema.merchant_id.and_then(|id| record.get(id)) {
            Some(Value::Text(t)) => json(out, &&**t)?,
            _ => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"ruleset_version\":");
        json(out, &&*self.version)?;
        out.extend_from_slice(b",\"decisions\":{");
        for (i, rs) in self.rulesets.iter().enumerate() {
            let raw = match ev.decide(rs) {
                Ok(raw) => raw,
                Err(fault) => return Err(self.record_error(record, &ev.describe(fault))),
            };
            if i > 0 {
                out.push(b',');
            }
            json(out, &&*rs.name)?;
            out.extend_from_slice(b":{\"outcome\":");
            let outcome = rs.outcomes.get(raw.outcome).map_or("?", |o| &**o);
            json(out, &outcome)?;
            if let Some(rule) = &raw.rule {
                out.extend_from_slice(b",\"rule\":");
                json(out, &&**rule)?;
            }
            for (o, v) in rs.outputs.iter().zip(raw.outputs) {
                let Some(v) = v else { continue };
                out.push(b',');
                json(out, &&*o.name)?;
                out.push(b':');
                json(out, &self.output_value(v, &o.ty))?;
            }
            out.extend_from_slice(b",\"reasons\":");
            json(out, &raw.reasons)?;
            out.push(b'}');
            outcomes.push(raw.outcome);
        }
        out.extend_from_slice(b"}}\n");
        Ok(())
    }

    /// Decides every snapshot of a file's text, read by the file's
    /// extension: `.yaml`/`.yml` one per document, `.jsonl`/`.ndjson` one
    /// per line (a blank line is a bad record), anything else one JSON object.
    pub fn decide_file_text(
        &self,
        path: &Path,
        text: &str,
        mode: Mode,
    ) -> Vec<(FilePlace, Result<Decision, RecordError>)> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "yaml" | "yml" => self
                .read_yaml(text)
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    let decided = r.and_then(|rec| self.decide_record(&rec, mode));
                    (FilePlace::Document(i + 1), decided)
                })
                .collect(),
            "jsonl" | "ndjson" => text
                .lines()
                .enumerate()
                .map(|(i, line)| {
                    let line = line.strip_suffix('\r').unwrap_or(line);
                    let decided = if line.trim().is_empty() {
                        Err(RecordError::single("blank line"))
                    } else {
                        self.decide_json(line, mode)
                    };
                    (FilePlace::Line(i + 1), decided)
                })
                .collect(),
            _ => vec![(FilePlace::Whole, self.decide_json(text, mode))],
        }
    }

    /// Reads and decides one JSON snapshot; evaluation errors become record
    /// errors.
    pub fn decide_json(&self, text: &str, mode: Mode) -> Result<Decision, RecordError> {
        let record = self.read_json(text)?;
        self.decide_record(&record, mode)
    }

    /// Decides a record; evaluation errors become record errors.
    pub fn decide_record(&self, record: &Record, mode: Mode) -> Result<Decision, RecordError> {
        self.decide(record, mode)
            .map_err(|e| self.record_error(record, &e))
    }

    /// An evaluation error as the record's error, naming the merchant.
    fn record_error(&self, record: &Record, e: &EvalError) -> RecordError {
        let mut err = RecordError::single(format!("evaluation error: {e}"));
        err.merchant_id = self.schema.merchant_id.and_then(|id| match record.get(id) {
            Some(Value::Text(t)) => Some(t.to_string()),
            _ => None,
        });
        err
    }

    fn output_value(&self, v: Value, ty: &Ty) -> OutputValue {
        match (v, ty) {
            (Value::Num(d), Ty::Money) => OutputValue::Money(d),
            (Value::Num(d), Ty::Rate) => OutputValue::Rate(d),
            (Value::Num(d), Ty::Int) => OutputValue::Int(d),
            (Value::Num(d), _) => OutputValue::Decimal(d),
            (Value::Date(d), _) => OutputValue::Date(d),
            (Value::Days(n), _) => OutputValue::Days(n),
            (Value::Bool(b), _) => OutputValue::Bool(b),
            (Value::Enum(s), _) => OutputValue::Text(self.symbols.name(s).to_string()),
            (Value::Text(t), _) => OutputValue::Text(t.to_string()),
            (Value::List(items), ty) => {
                let inner = match ty {
                    Ty::List(t) => t.as_ref().clone(),
                    other => other.clone(),
                };
                OutputValue::List(
                    items
                        .iter()
                        .map(|i| self.output_value(i.clone(), &inner))
                        .collect(),
                )
            }
        }
    }
}

/// Values written as JSON one at a time, with serde_json's own escaping and
/// number formatting, so the bytes match a serialized `Decision`.
mod erased {
    pub(super) trait Json {
        fn write(&self, out: &mut Vec<u8>) -> serde_json::Result<()>;
    }

    impl<T: serde::Serialize + ?Sized> Json for T {
        fn write(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
            serde_json::to_writer(out, self)
        }
    }
}
