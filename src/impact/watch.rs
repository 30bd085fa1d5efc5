//! What a diff must say before its report, because a schema change makes
//! the report mislead: a field the head requires that records lack (each
//! such record is rejected by the head), and a field a changed condition
//! reads that no record has (the change cannot show on this corpus).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::ir::{CondId, CondKind, ExprId, FieldId, Policy, Ruleset};
use crate::record::{Record, RecordError};

/// Fields watched for presence, at most this many (a bit each).
const MAX_WATCHED: usize = 64;

/// A field the head requires and the base did not (absent, optional or
/// with a default there), with the records that lack it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct NewRequired {
    pub field: String,
    /// Records the head rejects because the field is missing or null.
    pub lacking: u64,
}

/// A field that a condition the change added or edited reads, which no
/// record of the corpus has.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct UnseenField {
    pub field: String,
    /// The rulesets whose changed conditions read it.
    pub rulesets: Vec<String>,
}

/// Running counts for both warnings.
#[derive(Debug, Default)]
pub(crate) struct Watch {
    new_required: Vec<NewRequired>,
    /// Head fields read by changed conditions: (field, path, rulesets, records having it).
    read_by_changes: Vec<(FieldId, String, Vec<String>, u64)>,
}

impl Watch {
    pub(crate) fn of(base: &Policy, head: &Policy) -> Watch {
        let new_required = head
            .schema
            .fields
            .iter()
            .filter(|f| !f.optional && f.default.is_none())
            .filter(|f| {
                !base
                    .schema
                    .fields
                    .iter()
                    .any(|b| b.path == f.path && !b.optional && b.default.is_none())
            })
            .map(|f| NewRequired {
                field: f.path.to_string(),
                lacking: 0,
            })
            .collect();
        let mut read_by_changes: Vec<(FieldId, String, Vec<String>, u64)> = Vec::new();
        for rs in &head.rulesets {
            let before: BTreeSet<String> = base
                .rulesets
                .iter()
                .find(|b| b.name == rs.name)
                .map(|b| {
                    conditions(base, b)
                        .into_iter()
                        .map(|e| normalized(base.expr_text(e)))
                        .collect()
                })
                .unwrap_or_default();
            for e in conditions(head, rs) {
                if before.contains(&normalized(head.expr_text(e))) {
                    continue;
                }
                for f in head.fields_read(e) {
                    let Some(field) = head.field(f) else {
                        continue;
                    };
                    let full = read_by_changes.len() >= MAX_WATCHED;
                    match read_by_changes.iter_mut().find(|w| w.0 == f) {
                        Some(w) if !w.2.iter().any(|n| **n == *rs.name) => {
                            w.2.push(rs.name.to_string());
                        }
                        Some(_) => {}
                        None if !full => {
                            read_by_changes.push((
                                f,
                                field.path.to_string(),
                                vec![rs.name.to_string()],
                                0,
                            ));
                        }
                        None => {}
                    }
                }
            }
        }
        Watch {
            new_required,
            read_by_changes,
        }
    }

    /// The head fields whose presence is counted, in bit order.
    pub(crate) fn watched(&self) -> Vec<FieldId> {
        self.read_by_changes.iter().map(|w| w.0).collect()
    }

    /// Counts a record the head decided or rejected; `present` has bit `i`
    /// set when the record gave watched field `i`.
    pub(crate) fn add(&mut self, head_result: Result<(), &RecordError>, present: u64) {
        if let Err(e) = head_result {
            for n in &mut self.new_required {
                let lacks = e.problems.iter().any(|p| {
                    p.field.as_deref() == Some(n.field.as_str()) && p.message.contains("required")
                });
                if lacks {
                    n.lacking += 1;
                }
            }
        }
        for (i, w) in self.read_by_changes.iter_mut().enumerate() {
            if present & (1u64 << i) != 0 {
                w.3 += 1;
            }
        }
    }

    /// The two warnings: new required fields some record lacks, and
    /// fields of changed conditions no record has.
    pub(crate) fn finish(self, read: u64) -> (Vec<NewRequired>, Vec<UnseenField>) {
        let lacking = self
            .new_required
            .into_iter()
            .filter(|n| n.lacking > 0)
            .collect();
        let unseen = if read == 0 {
            Vec::new()
        } else {
            self.read_by_changes
                .into_iter()
                .filter(|w| w.3 == 0)
                .map(|(_, field, rulesets, _)| UnseenField { field, rulesets })
                .collect()
        };
        (lacking, unseen)
    }
}

/// Bit `i` set when the record gives `watched[i]` a value other than its
/// default (a default filled in for an absent field is not the record's).
pub(crate) fn presence(head: &Policy, record: &Record, watched: &[FieldId]) -> u64 {
    let mut bits = 0u64;
    for (i, &f) in watched.iter().enumerate().take(MAX_WATCHED) {
        let default = head.field(f).and_then(|d| d.default.as_ref());
        let given = match record.get(f) {
            Some(v) => default != Some(v),
            None => false,
        };
        if given {
            bits |= 1u64 << i;
        }
    }
    bits
}

/// The conditions of a ruleset: its `applies when`, each rule's `for`, and
/// every leaf of each rule's `when`.
fn conditions(policy: &Policy, rs: &Ruleset) -> Vec<ExprId> {
    let mut out: Vec<ExprId> = rs.guard.iter().map(|(e, _)| *e).collect();
    for rule in &rs.rules {
        out.extend(rule.scope);
        leaves(policy, rule.when, &mut out);
    }
    out
}

fn leaves(policy: &Policy, id: CondId, out: &mut Vec<ExprId>) {
    let Some(cond) = policy.cond(id) else {
        return;
    };
    match &cond.kind {
        CondKind::Leaf(e) => out.push(*e),
        CondKind::All(items) | CondKind::Any(items) => {
            for item in items {
                leaves(policy, *item, out);
            }
        }
    }
}

/// Rule text with its spacing made canonical, so a re-indented condition
/// is not a changed one.
fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
