//! Decision snapshots owned by the policy: a folder of example merchants
//! (`RULES/merchants/*.json|jsonl|yaml|yml`, one or more snapshots a file)
//! whose decision records and explanations are stored beside the rules
//! (`RULES/decisions/<merchant file>.snap`), so that a rule change shows
//! what it does to each of them, and is accepted, with `verdikt` alone.
//!
//! A stored file reads like an insta snapshot: a `---` header (`source`,
//! `expression`, `input_file`) and the body. The body holds, per snapshot of
//! the merchant file, its decision record as `verdikt batch` writes it
//! (pretty JSON, one key a line) and its explanation, without the rule
//! version: a hash that changes on every edit would make every file churn.
//!
//! Nothing is ever pending on disk: a comparison lives in memory
//! ([`Entry`]) until it is accepted ([`accept`], an atomic write or a
//! removal) or dropped. Memory holds one merchant file at a time: each file
//! is at most [`MAX_RULE_FILE_BYTES`] (as rule files are), its stored
//! snapshot too.

mod diff;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use crate::atomic_file::AtomicFile;
use crate::ir::Policy;
use crate::policy::{read_rule_file, LoadError, MAX_RULE_FILE_BYTES};
use crate::{Decision, FilePlace, Mode, RecordError};

pub(crate) use diff::render_change;

/// The folder of example merchants, relative to the rule directory, when
/// nothing else is configured.
pub(crate) const MERCHANTS_DIR: &str = "merchants";
/// The folder of their stored decisions, relative to the rule directory.
pub(crate) const DECISIONS_DIR: &str = "decisions";
/// The extension of a stored decision file.
const SNAP_EXTENSION: &str = "snap";
/// The extensions of merchant files.
const MERCHANT_EXTENSIONS: [&str; 5] = ["json", "jsonl", "ndjson", "yaml", "yml"];

/// Where the example merchants and their stored decisions live.
#[derive(Debug, Clone)]
pub(crate) struct Folders {
    /// The example merchants.
    pub merchants: PathBuf,
    /// Their stored decisions, one `.snap` file per merchant file.
    pub decisions: PathBuf,
}

/// How a merchant's decisions compare with the stored ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// As stored.
    Unchanged,
    /// Different from the stored snapshot.
    Changed,
    /// A merchant with no stored snapshot.
    New,
    /// A stored snapshot whose merchant file is gone.
    Orphan,
}

/// One merchant file (or orphan snapshot), compared.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The merchant file's name in its folder (`increase.json`).
    pub name: String,
    /// The stored snapshot's path.
    pub snap: PathBuf,
    /// How they compare.
    pub status: Status,
    /// The stored body (`None` for a new merchant).
    pub old: Option<String>,
    /// The body the rules give now (`None` for an orphan).
    pub new: Option<String>,
    /// The header written when the new body is accepted.
    header: String,
}

/// What a whole comparison saw, besides each entry.
#[derive(Debug, Clone, Default)]
pub(crate) struct Seen {
    /// Whether there is a merchants or a decisions folder at all.
    pub present: bool,
    /// Every `ruleset:outcome` some example merchant got.
    pub outcomes: BTreeSet<String>,
}

/// Why the example merchants or their snapshots cannot be compared: the
/// whole input is refused, naming the path.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SnapshotError {
    /// A folder cannot be listed.
    #[error("cannot read the folder `{path}`: {source}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// What listing it said.
        source: std::io::Error,
    },
    /// A merchant or snapshot file cannot be read.
    #[error("{0}")]
    File(String),
}

/// Compares every example merchant whose file name contains `filter` (all
/// without one) with its stored decisions, one file at a time, handing each
/// to `on` in name order, orphans last; `on` may stop the walk. A merchant
/// file or snapshot that cannot be read stops it with an error naming it.
pub(crate) fn compare_each(
    policy: &Policy,
    folders: &Folders,
    filter: Option<&str>,
    mut on: impl FnMut(Entry) -> ControlFlow<()>,
) -> Result<Seen, SnapshotError> {
    let merchants = list(&folders.merchants, &MERCHANT_EXTENSIONS)?;
    let stored = list(&folders.decisions, &[SNAP_EXTENSION])?;
    let mut seen = Seen {
        present: merchants.is_some() || stored.is_some(),
        outcomes: BTreeSet::new(),
    };
    let merchants = merchants.unwrap_or_default();
    let stored = stored.unwrap_or_default();
    let wanted = |name: &str| filter.is_none_or(|f| name.contains(f));
    let folder_name = folders.merchants.file_name().map_or_else(
        || MERCHANTS_DIR.to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    for name in merchants.iter().filter(|n| wanted(n)) {
        let path = folders.merchants.join(name);
        let text = read_text(&path)?;
        let results = policy.decide_file_text(Path::new(name), &text, EXAMPLE_MODE);
        for r in results.iter().filter_map(|(_, r)| r.as_ref().ok()) {
            for rs in &r.rulesets {
                seen.outcomes
                    .insert(format!("{}:{}", rs.ruleset, rs.outcome));
            }
        }
        let new = render_body(&results);
        let snap = folders.decisions.join(format!("{name}.{SNAP_EXTENSION}"));
        let old = match stored.contains(&format!("{name}.{SNAP_EXTENSION}")) {
            true => Some(read_snapshot(&snap)?),
            false => None,
        };
        let status = match &old {
            None => Status::New,
            Some(old) if same_body(old, &new) => Status::Unchanged,
            Some(_) => Status::Changed,
        };
        let header = header(&format!("{folder_name}/{name}"));
        let entry = Entry {
            name: name.clone(),
            snap,
            status,
            old,
            new: Some(new),
            header,
        };
        if on(entry).is_break() {
            return Ok(seen);
        }
    }
    for snap_name in &stored {
        let Some(name) = snap_name.strip_suffix(&format!(".{SNAP_EXTENSION}")) else {
            continue;
        };
        if merchants.iter().any(|m| m == name) || !wanted(name) {
            continue;
        }
        let snap = folders.decisions.join(snap_name);
        let entry = Entry {
            name: name.to_string(),
            old: Some(read_snapshot(&snap)?),
            snap,
            status: Status::Orphan,
            new: None,
            header: String::new(),
        };
        if on(entry).is_break() {
            break;
        }
    }
    Ok(seen)
}

/// Makes `entry` the stored state: writes its new body (atomically,
/// creating the folder if needed), or removes an orphan's snapshot.
pub(crate) fn accept(entry: &Entry) -> std::io::Result<()> {
    let Some(new) = &entry.new else {
        return match std::fs::remove_file(&entry.snap) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        };
    };
    if let Some(folder) = entry.snap.parent() {
        std::fs::create_dir_all(folder)?;
    }
    let mut file = AtomicFile::create(&entry.snap)?;
    file.write_all(entry.header.as_bytes())?;
    file.write_all(new.as_bytes())?;
    file.commit()
}

/// Reasons and explanations: the merchant explanation needs the unmet
/// conditions' values.
const EXAMPLE_MODE: Mode = Mode {
    reasons: true,
    explain: true,
    trace: false,
};

/// The names of a folder's regular entries with one of `extensions`, in
/// name order; `None` when the folder does not exist. Hidden entries (an
/// editor's or an atomic write's temporary files) are not read.
fn list(dir: &Path, extensions: &[&str]) -> Result<Option<Vec<String>>, SnapshotError> {
    let folder_error = |source| SnapshotError::Folder {
        path: dir.to_path_buf(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(folder_error(e)),
        Ok(entries) => entries,
    };
    let mut names = Vec::new();
    for entry in entries {
        let path = entry.map_err(folder_error)?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let listed = path
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| extensions.contains(&x));
        if listed && !name.starts_with('.') {
            names.push(name.to_string());
        }
    }
    names.sort();
    Ok(Some(names))
}

/// A merchant or snapshot file's text: a regular file (links followed) of
/// at most [`MAX_RULE_FILE_BYTES`], in UTF-8.
fn read_text(path: &Path) -> Result<String, SnapshotError> {
    let shown = path.display();
    let bytes = read_rule_file(path).map_err(|e| {
        SnapshotError::File(match e {
            LoadError::NotAFile { what, .. } => format!(
                "`{shown}` is {what}, not a file; remove it or rename it so its name does not \
                 end in `.json`, `.jsonl`, `.yaml`, `.yml` or `.snap`"
            ),
            LoadError::TooLarge { .. } => format!(
                "`{shown}` is larger than {MAX_RULE_FILE_BYTES} bytes; an example merchant file \
                 holds a few snapshots: put corpora elsewhere and read them with `verdikt diff`"
            ),
            LoadError::File { source, .. } | LoadError::Dir { source, .. } => {
                format!("cannot read `{shown}`: {source}")
            }
        })
    })?;
    String::from_utf8(bytes)
        .map_err(|e| SnapshotError::File(format!("`{shown}` is not UTF-8 text: {e}")))
}

/// The body of a stored snapshot: everything after its `---` header (the
/// whole text when it has none), with `\r\n` read as `\n`.
fn read_snapshot(path: &Path) -> Result<String, SnapshotError> {
    let text = read_text(path)?.replace("\r\n", "\n");
    let body = text
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n").map(|(_, body)| body.to_string()));
    Ok(body.unwrap_or(text))
}

/// Bodies are compared as text, trailing blank lines aside.
fn same_body(a: &str, b: &str) -> bool {
    a.trim_end() == b.trim_end()
}

/// The insta-like header of a stored snapshot.
fn header(input_file: &str) -> String {
    format!(
        "---\nsource: verdikt test\nexpression: decision record and explanation\ninput_file: {input_file}\n---\n"
    )
}

/// Each snapshot of a merchant file, as stored: `=== place` before each
/// when the file holds more than one, then the decision record (or
/// `rejected: why`) and the explanation.
fn render_body(results: &[(FilePlace, Result<Decision, RecordError>)]) -> String {
    let mut out = String::new();
    let several = results.len() > 1;
    for (place, result) in results {
        if several {
            out.push_str(&format!("=== {}\n", place_text(*place)));
        }
        match result {
            Ok(decision) => {
                out.push_str(&record_text(decision));
                out.push('\n');
                out.push_str(&explanation_text(decision));
            }
            Err(e) => out.push_str(&format!("rejected: {e}\n")),
        }
    }
    out
}

fn place_text(place: FilePlace) -> String {
    match place {
        FilePlace::Line(n) => format!("line {n}"),
        FilePlace::Document(n) => format!("document {n}"),
        FilePlace::Whole => "file".to_string(),
    }
}

/// The decision record as `batch` writes it, pretty, without the version.
fn record_text(decision: &Decision) -> String {
    let mut plain = decision.clone();
    plain.explained = false;
    let mut value = serde_json::to_value(&plain).unwrap_or(serde_json::Value::Null);
    if let Some(map) = value.as_object_mut() {
        map.remove("ruleset_version");
    }
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// The merchant explanation without its first line, which names the rule
/// version (the merchant id is in the record above it).
fn explanation_text(decision: &Decision) -> String {
    let text = crate::explain(decision);
    let rest = text.split_once('\n').map_or("", |(_, rest)| rest);
    rest.trim_start_matches('\n').to_string()
}
