//! Snapshot records: JSON, YAML (and CSV, batch) -> typed slots by field.
//!
//! Every reader produces raw scalars for known field paths; one conversion
//! ([`convert`]) turns them into typed values, so all formats share the same
//! rules for numbers, dates and enums. A bad record lists every problem.

mod convert;
mod csv;
mod json;
mod yaml;

use crate::ir::{Constraint, FieldId, Policy};
pub(crate) use crate::record::{Problem, Record, RecordError};
use crate::value::Value;

pub use self::csv::{read_csv_row, CsvLayout};
pub use json::read_json;
pub(crate) use json::read_json_reusing;
pub use yaml::{read_yaml_document, read_yaml_document_at, read_yaml_value};

/// A scalar as a reader found it, before typing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Raw<'a> {
    Null,
    Bool(bool),
    /// A JSON/YAML number, as written.
    Number(&'a str),
    Str(std::borrow::Cow<'a, str>),
    /// An object or array where a scalar belongs.
    Composite,
}

/// Collects a record's fields as a reader finds them.
pub(crate) struct RecordBuilder<'p> {
    policy: &'p Policy,
    slots: Vec<Option<Value>>,
    seen: Seen,
    problems: Vec<Problem>,
}

/// Which fields a record named already (a bit each; a list past 128).
enum Seen {
    Bits(u128),
    Many(Vec<bool>),
}

impl Seen {
    fn new(n: usize) -> Seen {
        if n <= 128 {
            Seen::Bits(0)
        } else {
            Seen::Many(vec![false; n])
        }
    }

    /// Marks field `i`; false when it was marked already.
    fn mark(&mut self, i: usize) -> bool {
        match self {
            Seen::Bits(bits) => {
                let bit = 1u128
                    .checked_shl(u32::try_from(i).unwrap_or(u32::MAX))
                    .unwrap_or(0);
                let fresh = *bits & bit == 0;
                *bits |= bit;
                fresh
            }
            Seen::Many(seen) => match seen.get_mut(i) {
                Some(s) => !std::mem::replace(s, true),
                None => false,
            },
        }
    }

    fn get(&self, i: usize) -> bool {
        match self {
            Seen::Bits(bits) => {
                let bit = 1u128
                    .checked_shl(u32::try_from(i).unwrap_or(u32::MAX))
                    .unwrap_or(0);
                *bits & bit != 0
            }
            Seen::Many(seen) => seen.get(i).copied().unwrap_or(false),
        }
    }
}

impl<'p> RecordBuilder<'p> {
    pub(crate) fn new(policy: &'p Policy) -> Self {
        Self::reusing(policy, Vec::new())
    }

    /// A builder filling `slots`, the slots of a record decided before
    /// (see [`Record::into_slots`]): reading allocates nothing for them.
    pub(crate) fn reusing(policy: &'p Policy, mut slots: Vec<Option<Value>>) -> Self {
        let n = policy.schema.fields.len();
        slots.clear();
        slots.resize(n, None);
        RecordBuilder {
            policy,
            slots,
            seen: Seen::new(n),
            problems: Vec::new(),
        }
    }

    pub(crate) fn problem(&mut self, field: Option<&str>, message: impl Into<String>) {
        self.problems.push(Problem {
            field: field.map(str::to_string),
            message: message.into(),
        });
    }

    /// Sets a field from a raw scalar, converting and validating it.
    #[inline]
    pub(crate) fn set(&mut self, id: FieldId, raw: Raw<'_>) {
        let Some(field) = self.policy.field(id) else {
            return;
        };
        let path = &field.path;
        if !self.seen.mark(id.index()) {
            let path = path.to_string();
            self.problem(Some(&path), "appears twice (duplicate key)");
            return;
        }
        if raw == Raw::Null {
            return;
        }
        match convert::convert(raw, &field.ty, self.policy) {
            Ok(value) => {
                if let Some(message) =
                    violated_constraint(&value, &field.constraints, &field.ty, self.policy)
                {
                    let path = path.to_string();
                    self.problem(Some(&path), message);
                }
                if let Some(slot) = self.slots.get_mut(id.index()) {
                    *slot = Some(value);
                }
            }
            Err(message) => {
                let path = path.to_string();
                self.problem(Some(&path), message);
            }
        }
    }

    /// The merchant id read so far, for naming a bad record.
    pub(crate) fn merchant_id(&self) -> Option<String> {
        let id = self.policy.schema.merchant_id?;
        match self.slots.get(id.index())? {
            Some(Value::Text(t)) => Some(t.to_string()),
            _ => None,
        }
    }

    /// Fills defaults, reports missing fields and checks requirements.
    pub(crate) fn finish(mut self) -> Result<Record, RecordError> {
        let policy = self.policy;
        for (i, field) in policy.schema.fields.iter().enumerate() {
            let present = self.slots.get(i).is_some_and(Option::is_some);
            if present {
                continue;
            }
            let seen = self.seen.get(i);
            let had_problem = self
                .problems
                .iter()
                .any(|p| p.field.as_deref() == Some(&*field.path));
            if let Some(default) = &field.default {
                if let Some(slot) = self.slots.get_mut(i) {
                    *slot = Some(default.clone());
                }
            } else if !field.optional && !had_problem {
                let path = field.path.to_string();
                let message = if seen {
                    "is null, but the field is required"
                } else {
                    "is missing (required)"
                };
                self.problem(Some(&path), message);
            }
        }
        let record = Record { slots: self.slots };
        // Every problem is reported, so requirements are checked even when
        // other fields are bad: each one whose fields were all read well.
        let bad_fields: Vec<FieldId> = policy
            .schema
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                self.problems
                    .iter()
                    .any(|p| p.field.as_deref() == Some(&*f.path))
            })
            .map(|(i, _)| FieldId::from_index(i))
            .collect();
        for req in &policy.schema.requirements {
            let reads_bad_field = !bad_fields.is_empty()
                && policy
                    .fields_read(req.expr)
                    .iter()
                    .any(|f| bad_fields.contains(f));
            if reads_bad_field {
                continue;
            }
            match crate::eval::holds(policy, &record, req) {
                Ok(true) => {}
                Ok(false) => self.problems.push(Problem {
                    field: None,
                    message: crate::eval::requirement_message(policy, &record, req),
                }),
                Err(e) => self.problems.push(Problem {
                    field: None,
                    message: format!(
                        "cannot check `{}`: {}",
                        req.text,
                        crate::eval::describe_fault(policy, &record, e)
                    ),
                }),
            }
        }
        if self.problems.is_empty() {
            Ok(record)
        } else {
            let merchant_id = self
                .policy
                .schema
                .merchant_id
                .and_then(|id| match record.get(id) {
                    Some(Value::Text(t)) => Some(t.to_string()),
                    _ => None,
                });
            Err(RecordError {
                merchant_id,
                problems: self.problems,
            })
        }
    }
}

/// The first constraint a value breaks, as a message.
#[inline]
fn violated_constraint(
    value: &Value,
    constraints: &[Constraint],
    ty: &crate::types::Ty,
    policy: &Policy,
) -> Option<String> {
    let show = |v: &Value| crate::value::human(v, ty, &policy.symbols);
    for c in constraints {
        match c {
            Constraint::Range(lo, hi) => {
                if crate::value::compare(value, lo).is_some_and(|o| o.is_lt())
                    || crate::value::compare(value, hi).is_some_and(|o| o.is_gt())
                {
                    return Some(format!(
                        "{} is out of range {}..{}",
                        show(value),
                        show(lo),
                        show(hi)
                    ));
                }
            }
            Constraint::Bound(op, bound) => {
                if !crate::value::compare(value, bound)
                    .is_some_and(|o| crate::value::cmp_holds(*op, o))
                {
                    return Some(format!(
                        "{} is not {} {}",
                        show(value),
                        op.symbol(),
                        show(bound)
                    ));
                }
            }
            Constraint::NotEmpty => {
                // Spaces alone are as empty as nothing (`" "` is no merchant id).
                if matches!(value, Value::Text(t) if t.trim().is_empty()) {
                    return Some("must not be empty or only white space".into());
                }
            }
        }
    }
    None
}
