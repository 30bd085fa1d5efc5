//! Policy test cases: YAML files beside the rules, each case a snapshot
//! (a full one, or a patch over a named base) and the expected decisions.
//!
//! ```yaml
//! bases:
//!   healthy: { merchant_id: M1, as_of: "2026-11-24", ... }
//! cases:
//!   - name: rating exactly 4.5 does not decrease
//!     base: healthy
//!     patch: { store.rating: "4.5" }          # dotted paths; null removes
//!     expect:
//!       limit_adjustment: { outcome: hold, new_limit: "50000.00" }
//!   - name: used above limit is a bad record
//!     base: healthy
//!     patch: { quota.used: "60000.00" }
//!     expect_reject: true
//! ```
//!
//! `patch` keys must be schema field paths (or a group such as `quota`,
//! replaced whole); `expect` must name the policy's rulesets, outcomes,
//! rules and outputs; every case asserts something. All case files are
//! checked before any case runs ([`load_suite`]), and every problem of every
//! file is a located [`Diagnostic`] (code V034) with a hint.

mod folder;
mod positions;
mod validate;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde_yaml::{Mapping, Value};

use crate::coverage::Coverage;
use crate::decision::Decision;
use crate::diagnostic::{Diagnostic, ErrorFormat};
use crate::eval::Mode;
use crate::ir::Policy;
use crate::record::{Record, RecordError};
use crate::span::SourceMap;

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CaseResult {
    pub file: String,
    /// The line of the case in its file (from 1).
    pub line: usize,
    pub name: String,
    /// Empty when the case passed.
    pub failures: Vec<String>,
}

impl CaseResult {
    pub(crate) fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Why a suite cannot be run: every problem of the tests folder and its case
/// files, with the case files' text to render them against.
#[derive(Debug)]
pub(crate) struct CaseFileErrors {
    /// Never empty, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    pub sources: SourceMap,
}

impl CaseFileErrors {
    /// Every diagnostic, rendered.
    pub(crate) fn render(&self, format: ErrorFormat) -> String {
        crate::diagnostic::render(&self.diagnostics, &self.sources, format)
    }
}

impl fmt::Display for CaseFileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.render(ErrorFormat::Plain).trim_end())
    }
}

impl std::error::Error for CaseFileErrors {}

/// A checked suite: every case file read and found sound, ready to run.
#[derive(Debug)]
pub(crate) struct Suite {
    bases: BTreeMap<String, Value>,
    cases: Vec<Case>,
}

/// One checked case.
#[derive(Debug)]
struct Case {
    file: String,
    /// Where the case starts in its file (from 1).
    line: usize,
    name: String,
    start: Start,
    /// Dotted field paths (or groups) and their new values; `null` removes.
    patch: Vec<(String, Value)>,
    expect: Vec<Expectation>,
    expect_reject: bool,
}

/// The snapshot a case starts from.
#[derive(Debug)]
enum Start {
    Base(String),
    Snapshot(Value),
}

/// What one ruleset must decide: `outcome`, `rule`, `reasons` or outputs,
/// with their expected values.
#[derive(Debug)]
struct Expectation {
    ruleset: String,
    checks: Vec<(String, Value)>,
}

/// Reads and checks every case file of a tests folder (`RULES/tests`).
///
/// Refused, with every problem at once: a missing folder, an entry named
/// `*.yaml` that is not a regular file, a folder with no case files or no
/// cases, and any problem of any case file.
pub(crate) fn load_suite(policy: &Policy, tests_dir: &Path) -> Result<Suite, CaseFileErrors> {
    let listing = folder::read_folder(tests_dir);
    let folder = tests_dir.display().to_string();
    checked_suite(policy, &folder, listing.files, listing.diagnostics)
}

/// Checks case files given as (name, text); `folder` names them in the
/// diagnostic of an empty suite.
#[cfg(test)]
pub(crate) fn parse_suite(
    policy: &Policy,
    folder: &str,
    files: &[(String, String)],
) -> Result<Suite, CaseFileErrors> {
    let files = files
        .iter()
        .map(|(name, text)| (name.clone(), text.clone().into_bytes()))
        .collect();
    checked_suite(policy, folder, files, Vec::new())
}

fn checked_suite(
    policy: &Policy,
    folder: &str,
    files: Vec<(String, Vec<u8>)>,
    diagnostics: Vec<Diagnostic>,
) -> Result<Suite, CaseFileErrors> {
    let mut checked = validate::check_case_files(policy, folder, files, diagnostics);
    if checked.diagnostics.is_empty() {
        return Ok(Suite {
            bases: checked.bases,
            cases: checked.cases,
        });
    }
    crate::diagnostic::sort(&mut checked.diagnostics);
    Err(CaseFileErrors {
        diagnostics: checked.diagnostics,
        sources: checked.sources,
    })
}

impl Suite {
    /// How many cases assert on the ruleset named `ruleset`.
    pub(crate) fn asserting(&self, ruleset: &str) -> usize {
        self.cases
            .iter()
            .filter(|c| c.expect.iter().any(|e| e.ruleset == ruleset))
            .count()
    }

    /// The number of cases.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.cases.len()
    }

    /// Runs every case, in file order, adding what they exercised to
    /// `coverage`.
    #[cfg(test)]
    pub(crate) fn run(&self, policy: &Policy, coverage: &mut Coverage) -> Vec<CaseResult> {
        self.run_matching(policy, coverage, None)
    }

    /// Runs the cases whose name or file contains `filter` (all of them
    /// without one), in file order, adding what they exercised to
    /// `coverage`.
    pub(crate) fn run_matching(
        &self,
        policy: &Policy,
        coverage: &mut Coverage,
        filter: Option<&str>,
    ) -> Vec<CaseResult> {
        self.cases
            .iter()
            .filter(|case| filter.is_none_or(|f| case.name.contains(f) || case.file.contains(f)))
            .map(|case| CaseResult {
                file: case.file.clone(),
                line: case.line,
                name: case.name.clone(),
                failures: run_case(policy, &self.bases, case, Some(coverage)),
            })
            .collect()
    }

    /// The rulesets of `policy` no case asserts on (an `expect` entry names
    /// them), in evaluation order: nothing pins what they decide.
    pub(crate) fn unasserted_rulesets<'p>(&self, policy: &'p Policy) -> Vec<&'p str> {
        policy
            .ruleset_names()
            .filter(|name| {
                !self
                    .cases
                    .iter()
                    .any(|c| c.expect.iter().any(|e| e.ruleset == *name))
            })
            .collect()
    }

    /// The first case that fails against `policy` (a mutant of the policy
    /// the suite was checked against), as (file, name); `None` when every
    /// case passes. Cases asserting on ruleset `first` run first, in file
    /// order, then the others: a change to one ruleset is most likely seen
    /// by the cases about it.
    #[cfg(test)]
    pub(crate) fn first_failure(&self, policy: &Policy, first: &str) -> Option<(&str, &str)> {
        let about = |case: &Case| case.expect.iter().any(|e| e.ruleset == first);
        let (mine, others): (Vec<&Case>, Vec<&Case>) = self.cases.iter().partition(|c| about(c));
        mine.into_iter()
            .chain(others)
            .find(|case| !run_case(policy, &self.bases, case, None).is_empty())
            .map(|case| (case.file.as_str(), case.name.as_str()))
    }

    /// Every case's record, read once against `policy`: mutants of it
    /// change rulesets only, never the schema, so a case's record is the
    /// same for all of them.
    pub(crate) fn read_records(&self, policy: &Policy) -> Records {
        Records(
            self.cases
                .iter()
                .map(|case| case_record(policy, &self.bases, case))
                .collect(),
        )
    }

    /// [`Suite::first_failure`] with the cases' records read beforehand
    /// ([`Suite::read_records`], against the policy `policy` is a mutant
    /// of).
    pub(crate) fn first_failure_read(
        &self,
        policy: &Policy,
        records: &Records,
        first: &str,
    ) -> Option<(&str, &str)> {
        let about = |case: &Case| case.expect.iter().any(|e| e.ruleset == first);
        let all = self.cases.iter().zip(&records.0);
        let mine = all.clone().filter(|(c, _)| about(c));
        let others = all.filter(|(c, _)| !about(c));
        mine.chain(others)
            .find(|(case, record)| {
                let result = match record {
                    Ok(record) => decide_case(policy, record, None, &[]),
                    Err(e) => Err(e.clone()),
                };
                !judge_case(result, case).is_empty()
            })
            .map(|(case, _)| (case.file.as_str(), case.name.as_str()))
    }
}

/// Each case's record (or why it is rejected), in the suite's order.
#[derive(Debug)]
pub(crate) struct Records(Vec<Result<Record, RecordError>>);

const CASE_MODE: Mode = Mode {
    reasons: true,
    explain: false,
    trace: false,
};

/// A case's snapshot (its base patched, or its own), read as a record.
fn case_record(
    policy: &Policy,
    bases: &BTreeMap<String, Value>,
    case: &Case,
) -> Result<Record, RecordError> {
    let mut snapshot = match &case.start {
        Start::Snapshot(s) => s.clone(),
        // INVARIANT: checked cases only name bases that exist; the message
        // stays for a suite built by hand.
        Start::Base(b) => match bases.get(b) {
            Some(v) => v.clone(),
            None => return Err(RecordError::single(format!("unknown base `{b}`"))),
        },
    };
    for (path, value) in &case.patch {
        apply_patch(&mut snapshot, path, value.clone());
    }
    crate::snapshot::read_yaml_value(policy, &snapshot)
}

fn decide_case(
    policy: &Policy,
    record: &Record,
    coverage: Option<&mut Coverage>,
    asserted: &[usize],
) -> Result<Decision, RecordError> {
    match coverage {
        Some(coverage) => policy.decide_covered(record, CASE_MODE, coverage, asserted),
        None => policy.decide(record, CASE_MODE),
    }
    .map_err(|e| RecordError::single(format!("evaluation error: {e}")))
}

fn run_case(
    policy: &Policy,
    bases: &BTreeMap<String, Value>,
    case: &Case,
    coverage: Option<&mut Coverage>,
) -> Vec<String> {
    // Coverage counts only the rulesets the case asserts on: a case that
    // says nothing about a ruleset pins none of its rules.
    let asserted: Vec<usize> = case
        .expect
        .iter()
        .filter_map(|e| policy.ruleset_names().position(|n| n == e.ruleset))
        .collect();
    let result =
        case_record(policy, bases, case).and_then(|r| decide_case(policy, &r, coverage, &asserted));
    judge_case(result, case)
}

/// What is wrong with `result` for `case` (empty when it passes).
fn judge_case(result: Result<Decision, RecordError>, case: &Case) -> Vec<String> {
    let decision = match (result, case.expect_reject) {
        (Err(_), true) => return Vec::new(),
        (Ok(_), true) => {
            return vec!["expected the record to be rejected, but it was decided".into()]
        }
        (Err(e), false) => return vec![format!("record rejected: {e}")],
        (Ok(d), false) => d,
    };
    let mut failures = Vec::new();
    for expected in &case.expect {
        let ruleset = &expected.ruleset;
        let Some(actual) = decision.ruleset(ruleset) else {
            failures.push(format!("no ruleset `{ruleset}`"));
            continue;
        };
        let actual_json = serde_json::to_value(actual).unwrap_or(serde_json::Value::Null);
        for (key, want) in &expected.checks {
            let want_json = yaml_to_json(want);
            let got = actual_json
                .get(key)
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            if got != want_json {
                failures.push(format!("{ruleset}.{key}: expected {want_json}, got {got}"));
            }
        }
    }
    failures
}

/// Sets `a.b.c` in nested mappings; `null` removes the key.
fn apply_patch(root: &mut Value, path: &str, value: Value) {
    let mut node = root;
    let segments: Vec<&str> = path.split('.').collect();
    let Some((last, parents)) = segments.split_last() else {
        return;
    };
    for seg in parents {
        if !matches!(node, Value::Mapping(_)) {
            *node = Value::Mapping(Mapping::new());
        }
        let Value::Mapping(map) = node else { return };
        let key = Value::String((*seg).to_string());
        if !matches!(map.get(&key), Some(Value::Mapping(_))) {
            map.insert(key.clone(), Value::Mapping(Mapping::new()));
        }
        let Some(next) = map.get_mut(&key) else {
            return;
        };
        node = next;
    }
    if let Value::Mapping(map) = node {
        let key = Value::String((*last).to_string());
        if value.is_null() {
            map.remove(&key);
        } else {
            map.insert(key, value);
        }
    }
}

/// Expected values as JSON, numbers kept as written.
fn yaml_to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => serde_json::from_str(&n.to_string()).unwrap_or(serde_json::Value::Null),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Sequence(items) => {
            serde_json::Value::Array(items.iter().map(yaml_to_json).collect())
        }
        Value::Mapping(m) => serde_json::Value::Object(
            m.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), yaml_to_json(v))))
                .collect(),
        ),
        Value::Tagged(t) => yaml_to_json(&t.value),
    }
}

#[cfg(test)]
mod validation_tests;
