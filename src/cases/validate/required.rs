//! Required fields the cases' records lack. A schema that gains a required
//! field turns every case built on an old base into a reject; that is said
//! here, at the base, with the number of cases it breaks, before any case
//! runs, instead of as one failure per case (or, worse, as a pass of a case
//! expecting a reject for another reason).

use serde_yaml::{Mapping, Value};

use super::{Checker, Parsed};
use crate::cases::positions::Step;
use crate::cases::{apply_patch, Start};

impl Checker<'_> {
    /// Every base lacking a required field that some case built on it,
    /// expecting decisions, does not set in its `patch`.
    pub(super) fn check_required_in_bases(&mut self) {
        let mut found = Vec::new();
        for (name, base) in &self.bases {
            let Some(site) = self.base_sites.get(name) else {
                continue;
            };
            for &field in &self.names.required {
                if has(base, field) {
                    continue;
                }
                let broken = self
                    .cases
                    .iter()
                    .filter(|c| matches!(&c.start, Start::Base(b) if b == name))
                    .filter(|c| !c.expect_reject)
                    .filter(|c| {
                        let mut record = base.clone();
                        for (path, value) in &c.patch {
                            apply_patch(&mut record, path, value.clone());
                        }
                        !has(&record, field)
                    })
                    .count();
                if broken > 0 {
                    found.push((site.file, site.range, name.clone(), field, broken));
                }
            }
        }
        for (file, range, name, field, broken) in found {
            let cases = if broken == 1 {
                "1 case built on it".to_string()
            } else {
                format!("{broken} cases built on it")
            };
            self.error(
                file,
                range,
                format!(
                    "base `{name}` lacks the required field `{field}`: {cases} would be \
                     rejected instead of decided"
                ),
                format!(
                    "add `{field}` to the base (or to each case's `patch`), or declare it \
                     `optional` in the schema"
                ),
            );
        }
    }

    /// A case's own `snapshot` lacking required fields its `patch` does not
    /// set, unless the case expects a reject.
    pub(super) fn check_required_in_snapshot(
        &mut self,
        f: &Parsed,
        at: &[Step<'_>],
        snapshot: &Value,
        case: &Mapping,
    ) {
        if case.get("expect_reject") == Some(&Value::Bool(true)) {
            return;
        }
        let mut record = snapshot.clone();
        if let Some(Value::Mapping(patch)) = case.get("patch") {
            for (path, value) in patch {
                if let Some(path) = path.as_str() {
                    apply_patch(&mut record, path, value.clone());
                }
            }
        }
        let missing: Vec<&str> = self
            .names
            .required
            .iter()
            .copied()
            .filter(|field| !has(&record, field))
            .collect();
        if missing.is_empty() {
            return;
        }
        let fields = missing
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let s = if missing.len() == 1 { "" } else { "s" };
        self.error(
            f.file,
            f.positions.key(at),
            format!(
                "the snapshot lacks the required field{s} {fields}: the case would be rejected \
                 instead of decided"
            ),
            "add the field to the snapshot, or declare it `optional` in the schema; a case \
             about a bad record says `expect_reject: true`"
                .into(),
        );
    }
}

/// Whether a dotted path leads to a value other than null.
fn has(record: &Value, path: &str) -> bool {
    let mut node = record;
    for segment in path.split('.') {
        match node.as_mapping().and_then(|m| m.get(segment)) {
            Some(next) => node = next,
            None => return false,
        }
    }
    !node.is_null()
}
