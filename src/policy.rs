//! The library's front door: load rule files once, decide many snapshots.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::decision::{Decision, OutputValue, RulesetDecision};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{Decider, EvalError, Evaluator, Mode, Scratch, Truth};
use crate::ir::Policy;
use crate::names::NameIndex;
use crate::record::{Record, RecordError};
use crate::span::{Source, SourceMap, Span};
use crate::types::Ty;
use crate::value::Value;

/// The result of checking rule files: the policy when there is no error,
/// and every diagnostic with the sources they point into.
#[derive(Debug)]
pub struct Checked {
    /// The compiled policy; `None` when any diagnostic is an error.
    pub policy: Option<Policy>,
    /// Every error and warning, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// The rule texts the diagnostics point into.
    pub sources: SourceMap,
}

impl Checked {
    /// Adds a warning for each calendar the rules use that does not cover
    /// every date of `horizon`, the dates the policy must decide (`check
    /// --horizon`). Rule files with errors get none.
    pub(crate) fn warn_horizon(&mut self, horizon: crate::calendar::DateSpan) {
        let Some(policy) = &self.policy else {
            return;
        };
        self.diagnostics
            .extend(crate::check::horizon_warnings(&policy.calendars, horizon));
        crate::diagnostic::sort(&mut self.diagnostics);
    }

    /// Every diagnostic, rendered for people (`Human`: with the source line
    /// and a caret, then a count), one per line (`Plain`) or as JSON lines.
    pub fn render(&self, format: crate::diagnostic::ErrorFormat) -> String {
        crate::diagnostic::render(&self.diagnostics, &self.sources, format)
    }
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

/// Why rule files could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The rule directory cannot be listed.
    #[error("cannot read rule directory `{path}`: {source}")]
    Dir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A rule file cannot be read.
    #[error("cannot read rule file `{path}`: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// An entry named `*.vk` is not a regular file.
    #[error("`{path}` is {what}, not a rule file")]
    NotAFile {
        /// The entry.
        path: PathBuf,
        /// What it is instead (`a FIFO (named pipe)`, ...).
        what: &'static str,
    },
    /// A rule file is larger than `MAX_RULE_FILE_BYTES`.
    #[error("rule file `{path}` is larger than {MAX_RULE_FILE_BYTES} bytes")]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
}

impl LoadError {
    /// The likely fix.
    pub fn help(&self) -> &'static str {
        match self {
            LoadError::Dir { .. } => "pass the directory that holds the `*.vk` rule files",
            LoadError::File { .. } => "check that the file exists and can be read",
            LoadError::NotAFile { .. } => {
                "rule files must be regular files; remove the entry or rename it so its name does not end in `.vk`"
            }
            LoadError::TooLarge { .. } => {
                "rule files are text people write; this is not one (split real rules into several files)"
            }
        }
    }
}

/// Rule files are text people write; anything bigger is refused unread.
pub const MAX_RULE_FILE_BYTES: u64 = 16 << 20;

/// Every entry of a directory named `*.vk`, in name order (the order rules
/// are read), whatever it is: [`read_rule_file`] refuses what is not a
/// regular file, so no entry is ever skipped in silence.
pub fn rule_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let io = |source| LoadError::Dir {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|x| x == "vk") {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

/// Reads one rule file: a regular file (links followed) of at most
/// 16 MiB. Never blocks: a FIFO is refused before it is
/// opened, and opened without waiting if it appears in between.
pub fn read_rule_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    use std::io::Read;
    let file_error = |source| LoadError::File {
        path: path.to_path_buf(),
        source,
    };
    let not_a_file = |what| LoadError::NotAFile {
        path: path.to_path_buf(),
        what,
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
            return Err(match (is_link, e.kind()) {
                (true, std::io::ErrorKind::NotFound) => {
                    not_a_file("a symbolic link to nothing (its target does not exist)")
                }
                _ => file_error(e),
            });
        }
    };
    if !meta.is_file() {
        return Err(not_a_file(file_kind(&meta)));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(file_error)?;
    let meta = file.metadata().map_err(file_error)?;
    if !meta.is_file() {
        return Err(not_a_file(file_kind(&meta)));
    }
    if meta.len() > MAX_RULE_FILE_BYTES {
        return Err(LoadError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    let mut bytes = Vec::new();
    file.take(MAX_RULE_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(file_error)?;
    if bytes.len() as u64 > MAX_RULE_FILE_BYTES {
        return Err(LoadError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    Ok(bytes)
}

/// What a non-regular file is, for messages.
pub(crate) fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Reads every `*.vk` file of a directory (sorted by name) and checks them.
/// A `*.vk` entry that cannot be read is an error naming it (V026), and
/// the readable files are still checked, so one run shows every problem.
pub fn check_dir(dir: &Path) -> Result<Checked, LoadError> {
    let (files, unreadable) = read_dir_files(dir)?;
    Ok(check_files_after(files, unreadable).0)
}

/// Checks rule files given as (name, bytes).
pub fn check_files(files: Vec<(String, Vec<u8>)>) -> Checked {
    check_files_after(files, Vec::new()).0
}

/// [`check_files`] after `unreadable` errors (from [`read_rule_files`]),
/// with the index of every name declared and resolved.
pub(crate) fn check_files_with_names(
    files: Vec<(String, Vec<u8>)>,
    unreadable: Vec<Diagnostic>,
) -> (Checked, NameIndex) {
    check_files_after(files, unreadable)
}

/// Checks rule files after `earlier` errors (files that could not be read).
fn check_files_after(
    files: Vec<(String, Vec<u8>)>,
    earlier: Vec<Diagnostic>,
) -> (Checked, NameIndex) {
    let Parsed {
        trees,
        sources,
        version,
        mut diagnostics,
        lost_files,
    } = parse_files(files, earlier);
    let syntax_failed = diagnostics.iter().any(Diagnostic::is_error);
    let (policy, more, names) = crate::check::check_with_names(&trees, sources.clone(), version);
    if lost_files {
        // A file that could not be read (or is not UTF-8) may declare
        // anything: keep its own errors, drop the echoes.
        diagnostics.extend(more.into_iter().filter(|d| {
            !matches!(
                d.code,
                Code::UnknownField | Code::UnknownCalendar | Code::Schema | Code::NoRuleset
            ) && !d.code.is_lint()
        }));
    } else {
        // Items that did not parse are listed in their trees: only the
        // errors they may explain are dropped; warnings about text that is
        // not all there are dropped too, and so is "no ruleset" (noise
        // next to other errors, as the checker itself holds).
        let more = crate::check::drop_echoes(more, &trees, &sources);
        diagnostics.extend(
            more.into_iter()
                .filter(|d| !(syntax_failed && (d.code.is_lint() || d.code == Code::NoRuleset))),
        );
    }
    crate::diagnostic::sort(&mut diagnostics);
    let policy = if diagnostics.iter().any(Diagnostic::is_error) {
        None
    } else {
        policy
    };
    let checked = Checked {
        policy,
        diagnostics,
        sources,
    };
    (checked, names)
}

/// Rule files parsed but not yet checked: what `verdikt test --mutate`
/// changes and checks again, once per mutant.
#[derive(Debug)]
pub(crate) struct Parsed {
    /// The syntax trees of the files that parsed, in file order.
    pub(crate) trees: Vec<crate::ast::File>,
    /// Every file's text.
    pub(crate) sources: SourceMap,
    /// Hash of the file names and bytes.
    pub(crate) version: Arc<str>,
    /// Problems found so far (unreadable files, syntax).
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Whether a whole file is missing from `trees` (unreadable, not UTF-8,
    /// or no tree at all): it may declare anything.
    pub(crate) lost_files: bool,
}

/// Parses rule files given as (name, bytes), after `earlier` errors.
pub(crate) fn parse_files(files: Vec<(String, Vec<u8>)>, earlier: Vec<Diagnostic>) -> Parsed {
    let mut hasher = Sha256::new();
    let mut sources = SourceMap::default();
    let mut trees = Vec::new();
    let mut lost_files = !earlier.is_empty();
    let mut diagnostics = earlier;
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
                match tree {
                    Some(tree) => trees.push(tree),
                    None => lost_files = true,
                }
            }
            Err(e) => {
                let lossy = String::from_utf8_lossy(bytes);
                let id = sources.add(Source::new(name.clone(), &lossy));
                let at = e.valid_up_to();
                lost_files = true;
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
    Parsed {
        trees,
        sources,
        version: Arc::from(version.as_str()),
        diagnostics,
        lost_files,
    }
}

/// Checks parsed rule files: the policy (when the checker found no error)
/// and the checker's diagnostics.
pub(crate) fn check_trees(
    trees: &[crate::ast::File],
    sources: &SourceMap,
    version: &Arc<str>,
) -> (Option<Policy>, Vec<Diagnostic>) {
    let (policy, diagnostics, _names) =
        crate::check::check_with_names(trees, sources.clone(), version.clone());
    (policy, diagnostics)
}

/// Reads and parses every `*.vk` file of a directory, as [`check_dir`]
/// reads them.
pub(crate) fn parse_dir(dir: &Path) -> Result<Parsed, LoadError> {
    let (files, unreadable) = read_dir_files(dir)?;
    Ok(parse_files(files, unreadable))
}

type Files = Vec<(String, Vec<u8>)>;

/// The bytes of every readable `*.vk` file of `dir`, and an error for each
/// one that cannot be read.
fn read_dir_files(dir: &Path) -> Result<(Files, Vec<Diagnostic>), LoadError> {
    let (files, unreadable) = read_rule_files(rule_files(dir)?, |_| None);
    let files = files
        .into_iter()
        .map(|(path, bytes)| (path.display().to_string(), bytes))
        .collect();
    Ok((files, unreadable))
}

/// Reads rule files, in the order given: each file's bytes through
/// [`read_rule_file`] (or `buffer`'s text for it: an editor's unsaved
/// buffer), and an error (V026) for each one that cannot be read. `verdikt
/// check` and the language server read rule directories through this one
/// function, so the editor and the command line never disagree.
pub(crate) fn read_rule_files(
    paths: Vec<PathBuf>,
    buffer: impl Fn(&Path) -> Option<Vec<u8>>,
) -> (Vec<(PathBuf, Vec<u8>)>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut unreadable = Vec::new();
    for path in paths {
        match buffer(&path).map_or_else(|| read_rule_file(&path), Ok) {
            Ok(bytes) => files.push((path, bytes)),
            Err(e) => unreadable.push(load_error_diagnostic(&e)),
        }
    }
    (files, unreadable)
}

/// A rule file or directory that cannot be read, as a diagnostic (V026).
pub(crate) fn load_error_diagnostic(e: &LoadError) -> Diagnostic {
    Diagnostic::global(Code::Io, e.to_string()).with_help(e.help())
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

    /// Reads one YAML document.
    pub fn read_yaml(&self, text: &str) -> Result<Record, RecordError> {
        crate::snapshot::read_yaml_document(self, text)
    }

    /// Decides every ruleset for one record.
    pub fn decide(&self, record: &Record, mode: Mode) -> Result<Decision, EvalError> {
        let mut ev = Evaluator::new(self, record, mode);
        self.decide_in(&mut ev, record, mode, |_, _| {})
    }

    /// Decides and adds what was exercised in the `asserted` rulesets (by
    /// index) to `coverage`: the clause that decided each, and the truth of
    /// each of their conditions.
    pub(crate) fn decide_covered(
        &self,
        record: &Record,
        mode: Mode,
        coverage: &mut crate::coverage::Coverage,
        asserted: &[usize],
    ) -> Result<Decision, EvalError> {
        let mut ev = Evaluator::new(self, record, mode);
        let result = self.decide_in(&mut ev, record, mode, |i, decider| {
            if asserted.contains(&i) {
                coverage.decided(i, decider);
            }
        });
        for (id, truth) in ev.truths() {
            if coverage
                .owner(self, id)
                .is_some_and(|i| asserted.contains(&i))
            {
                coverage.condition(id, truth == Truth::True, truth == Truth::False);
            }
        }
        result
    }

    fn decide_in<'p>(
        &'p self,
        ev: &mut Evaluator<'p, '_>,
        record: &Record,
        mode: Mode,
        mut decided: impl FnMut(usize, Decider),
    ) -> Result<Decision, EvalError> {
        let mut rulesets = Vec::with_capacity(self.rulesets.len());
        for (i, rs) in self.rulesets.iter().enumerate() {
            let raw = ev.decide(rs).map_err(|f| ev.describe(f))?;
            decided(i, raw.decider);
            let (outputs, output_labels) = rs
                .outputs
                .iter()
                .zip(std::mem::take(&mut ev.scratch.outputs))
                .filter_map(|(o, v)| {
                    Some((
                        (o.name.clone(), self.output_value(v?, &o.ty)),
                        o.label.clone(),
                    ))
                })
                .unzip();
            let (reasons, reasons_written) = ev
                .reason_texts_written(raw.because)
                .map_err(|f| ev.describe(f))?;
            rulesets.push(RulesetDecision {
                ruleset: rs.name.clone(),
                title: rs.title.clone(),
                outcome: rs
                    .outcomes
                    .get(raw.outcome)
                    .cloned()
                    .unwrap_or_else(|| Arc::from("?")),
                outcome_label: rs.outcome_labels.get(raw.outcome).cloned().flatten(),
                rule: raw.rule_name(rs).cloned(),
                rule_title: raw.rule_title(rs).cloned(),
                outputs,
                output_labels,
                reasons,
                reasons_written,
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
            language: self.language,
            calendar_fallbacks: std::mem::take(&mut ev.fallbacks),
        })
    }

    /// Decides a record and appends its decision record as one JSON line,
    /// byte for byte what serializing [`Policy::decide`]'s `Decision` gives,
    /// without building it: what `verdikt batch` writes. On error nothing
    /// is appended. Explanations and traces are not written (they take the
    /// `Decision` path).
    pub fn decide_json_line(
        &self,
        record: &Record,
        mode: Mode,
        out: &mut Vec<u8>,
    ) -> Result<(), RecordError> {
        let mut scratch = Scratch::default();
        self.write_json_line(record, mode, out, &mut Vec::new(), &mut scratch)
            .map(|_| ())
    }

    /// Decides every snapshot of a file's text, framed by the file's
    /// extension exactly as `verdikt batch` frames it: `.yaml`/`.yml` one
    /// per document, `.jsonl`/`.ndjson` one per line (a blank line is a bad
    /// record), `.csv` one per row, anything else JSON (one object, or an
    /// array of them).
    pub fn decide_file_text(
        &self,
        path: &Path,
        text: &str,
        mode: Mode,
    ) -> Vec<(FilePlace, Result<Decision, RecordError>)> {
        use crate::batch::{Format, Input};
        let name = path.display().to_string();
        let format = Format::from_path(&name).unwrap_or(Format::Json);
        // A `.json` file that is one object is one snapshot, placed as such.
        let one_object = format == Format::Json
            && text
                .trim_start_matches('\u{feff}')
                .trim_start()
                .starts_with('{');
        let input = std::io::Cursor::new(text.as_bytes().to_vec());
        let input = Input::from_reader(&name, format, input, 1 << 20);
        let mut out = Vec::new();
        let read = crate::batch::decide_each(self, vec![input], mode, |unit, r| {
            let place = match (format, unit.place.row) {
                (Format::Yaml, Some(doc)) => FilePlace::Document(doc as usize),
                (Format::Json, _) if one_object && out.is_empty() => FilePlace::Whole,
                _ => FilePlace::Line(unit.place.line as usize),
            };
            out.push((place, r));
            std::ops::ControlFlow::Continue(())
        });
        if let Err(e) = read {
            out.push((FilePlace::Whole, Err(RecordError::single(e.to_string()))));
        }
        out
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
    pub(crate) fn record_error(&self, record: &Record, e: &EvalError) -> RecordError {
        let mut err = RecordError::single(format!("evaluation error: {e}"));
        err.merchant_id = self.schema.merchant_id.and_then(|id| match record.get(id) {
            Some(Value::Text(t)) => Some(t.to_string()),
            _ => None,
        });
        err
    }

    fn output_value(&self, v: Value, ty: &Ty) -> OutputValue {
        match (v, ty) {
            (Value::Num(d), Ty::Money) => OutputValue::Money(d.to_decimal()),
            (Value::Num(d), Ty::Rate) => OutputValue::Rate(d.to_decimal()),
            (Value::Num(d), Ty::Int) => OutputValue::Int(d.to_decimal()),
            (Value::Num(d), _) => OutputValue::Decimal(d.to_decimal()),
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
