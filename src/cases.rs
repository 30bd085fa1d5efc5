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

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_yaml::{Mapping, Value};

use crate::eval::Mode;
use crate::ir::Policy;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    #[serde(default)]
    bases: BTreeMap<String, Value>,
    #[serde(default)]
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default)]
    base: Option<String>,
    #[serde(default)]
    snapshot: Option<Value>,
    #[serde(default)]
    patch: Option<Mapping>,
    #[serde(default)]
    expect: BTreeMap<String, Mapping>,
    #[serde(default)]
    expect_reject: bool,
}

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    pub file: String,
    pub name: String,
    /// Empty when the case passed.
    pub failures: Vec<String>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs every case of the given files (name, text). Bases are shared by
/// all files. `Err` when a file cannot be read as a case file.
pub fn run_case_files(
    policy: &Policy,
    files: &[(String, String)],
) -> Result<Vec<CaseResult>, String> {
    run_case_files_covered(policy, files, &mut crate::coverage::Coverage::default())
}

/// Like [`run_case_files`], adding what the cases exercised to `coverage`.
pub fn run_case_files_covered(
    policy: &Policy,
    files: &[(String, String)],
    coverage: &mut crate::coverage::Coverage,
) -> Result<Vec<CaseResult>, String> {
    let mut parsed = Vec::new();
    let mut bases = BTreeMap::new();
    for (name, text) in files {
        let file: CaseFile = serde_yaml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        for (base, value) in &file.bases {
            if bases.insert(base.clone(), value.clone()).is_some() {
                return Err(format!("{name}: base `{base}` is defined twice"));
            }
        }
        parsed.push((name.clone(), file));
    }
    let mut results = Vec::new();
    for (file_name, file) in parsed {
        for case in file.cases {
            let failures = run_case(policy, &bases, &case, coverage);
            results.push(CaseResult {
                file: file_name.clone(),
                name: case.name,
                failures,
            });
        }
    }
    Ok(results)
}

fn run_case(
    policy: &Policy,
    bases: &BTreeMap<String, Value>,
    case: &Case,
    coverage: &mut crate::coverage::Coverage,
) -> Vec<String> {
    let mut snapshot = match (&case.snapshot, &case.base) {
        (Some(s), _) => s.clone(),
        (None, Some(b)) => match bases.get(b) {
            Some(v) => v.clone(),
            None => return vec![format!("unknown base `{b}`")],
        },
        (None, None) => return vec!["a case needs `snapshot` or `base`".into()],
    };
    if let Some(patch) = &case.patch {
        for (key, value) in patch {
            let Some(path) = key.as_str() else {
                return vec!["patch keys must be dotted field paths".into()];
            };
            apply_patch(&mut snapshot, path, value.clone());
        }
    }
    let mode = Mode {
        reasons: true,
        explain: false,
        trace: false,
    };
    let result = crate::snapshot::read_yaml_value(policy, &snapshot).and_then(|r| {
        policy
            .decide_covered(&r, mode, coverage)
            .map_err(|e| crate::snapshot::RecordError::single(format!("evaluation error: {e}")))
    });
    let decision = match (result, case.expect_reject) {
        (Err(_), true) => return Vec::new(),
        (Ok(_), true) => {
            return vec!["expected the record to be rejected, but it was decided".into()]
        }
        (Err(e), false) => return vec![format!("record rejected: {e}")],
        (Ok(d), false) => d,
    };
    let mut failures = Vec::new();
    for (ruleset, expected) in &case.expect {
        let Some(actual) = decision.ruleset(ruleset) else {
            failures.push(format!("no ruleset `{ruleset}`"));
            continue;
        };
        let actual_json = serde_json::to_value(actual).unwrap_or(serde_json::Value::Null);
        for (key, want) in expected {
            let Some(key) = key.as_str() else { continue };
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
