//! Snapshot records: JSON, YAML (and CSV, batch) -> typed slots by field.
//!
//! Every reader produces raw scalars for known field paths; one conversion
//! ([`convert`]) turns them into typed values, so all formats share the same
//! rules for numbers, dates and enums. A bad record lists every problem.

mod convert;
mod csv;
mod json;
mod yaml;

#[cfg(test)]
mod differential;

use crate::ir::{Constraint, FieldId, Policy};
pub(crate) use crate::record::{Problem, Record, RecordError};
use crate::value::Value;

pub(crate) use self::csv::{read_csv_row, CsvLayout};
pub(crate) use json::read_json;
pub(crate) use json::read_json_reusing;
#[cfg(feature = "arrow")]
pub(crate) use json::{typed_number, typed_text};
pub(crate) use yaml::{read_yaml_document, read_yaml_document_at, read_yaml_value};

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
    #[inline]
    fn mark(&mut self, i: usize) -> bool {
        match self {
            Seen::Bits(bits) => {
                let bit = Self::bit(i);
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
            Seen::Bits(bits) => *bits & Self::bit(i) != 0,
            Seen::Many(seen) => seen.get(i).copied().unwrap_or(false),
        }
    }

    /// Field `i`'s bit. INVARIANT: `i < 128` (`Bits` is only used for
    /// schemas of at most 128 fields), so the mask never bites.
    #[inline(always)]
    fn bit(i: usize) -> u128 {
        1u128 << (i & 127)
    }
}

impl<'p> RecordBuilder<'p> {
    pub(crate) fn new(policy: &'p Policy) -> Self {
        Self::reusing(policy, Vec::new())
    }

    /// A builder filling `slots`, the slots of a record decided before
    /// (see [`Record::into_slots`]): reading allocates nothing for them.
    /// Their old values stay until overwritten (a text is rewritten in
    /// place); [`RecordBuilder::finish`] clears every slot this record did
    /// not set.
    pub(crate) fn reusing(policy: &'p Policy, mut slots: Vec<Option<Value>>) -> Self {
        let n = policy.schema.fields.len();
        slots.truncate(n);
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
        if !self.first_time(id, field) {
            return;
        }
        if raw == Raw::Null {
            self.clear(id);
            return;
        }
        match convert::convert(raw, &field.ty, self.policy) {
            Ok(value) => self.store(id, field, value),
            Err(message) => {
                self.clear(id);
                let path = field.path.to_string();
                self.problem(Some(&path), message);
            }
        }
    }

    /// Sets a field from a value a reader typed itself (exactly as
    /// [`convert::convert`] would have).
    #[inline(always)]
    pub(crate) fn set_value(&mut self, id: FieldId, value: Value) {
        let Some(field) = self.policy.field(id) else {
            return;
        };
        if self.first_time(id, field) {
            self.store(id, field, value);
        }
    }

    /// Sets a text field, rewriting the text of the record read before in
    /// place when nothing else holds it (no allocation per record).
    #[inline]
    pub(crate) fn set_text(&mut self, id: FieldId, text: &str) {
        let Some(field) = self.policy.field(id) else {
            return;
        };
        if !self.first_time(id, field) {
            return;
        }
        let Some(slot) = self.slots.get_mut(id.index()) else {
            return;
        };
        let rewritten = match slot {
            Some(Value::Text(old)) => std::sync::Arc::get_mut(old)
                .map(|buffer| {
                    buffer.clear();
                    buffer.push_str(text);
                })
                .is_some(),
            _ => false,
        };
        if !rewritten {
            *slot = Some(Value::Text(std::sync::Arc::new(text.to_string())));
        }
        self.check(id, field);
    }

    /// Marks a field read; a problem when it was read before.
    #[inline(always)]
    fn first_time(&mut self, id: FieldId, field: &crate::ir::Field) -> bool {
        let fresh = self.seen.mark(id.index());
        if !fresh {
            let path = field.path.to_string();
            self.problem(Some(&path), "appears twice (duplicate key)");
        }
        fresh
    }

    /// Checks a typed value against the field's constraints and keeps it.
    #[inline(always)]
    fn store(&mut self, id: FieldId, field: &crate::ir::Field, value: Value) {
        if !meets(&value, &field.constraints) {
            if let Some(message) =
                violated_constraint(&value, &field.constraints, &field.ty, self.policy)
            {
                let path = field.path.to_string();
                self.problem(Some(&path), message);
            }
        }
        if let Some(slot) = self.slots.get_mut(id.index()) {
            *slot = Some(value);
        }
    }

    fn clear(&mut self, id: FieldId) {
        if let Some(slot) = self.slots.get_mut(id.index()) {
            *slot = None;
        }
    }

    /// A problem for the first constraint the field's value breaks.
    #[inline]
    fn check(&mut self, id: FieldId, field: &crate::ir::Field) {
        let Some(Some(value)) = self.slots.get(id.index()) else {
            return;
        };
        if meets(value, &field.constraints) {
            return;
        }
        if let Some(message) =
            violated_constraint(value, &field.constraints, &field.ty, self.policy)
        {
            let path = field.path.to_string();
            self.problem(Some(&path), message);
        }
    }

    /// The merchant id read so far, for naming a bad record.
    pub(crate) fn merchant_id(&self) -> Option<String> {
        let id = self.policy.schema.merchant_id?;
        if !self.seen.get(id.index()) {
            // (A slot not read yet may hold the last record's value.)
            return None;
        }
        match self.slots.get(id.index())? {
            Some(Value::Text(t)) => Some(t.to_string()),
            _ => None,
        }
    }

    /// Fills defaults, reports missing fields and checks requirements.
    pub(crate) fn finish(mut self) -> Result<Record, RecordError> {
        let policy = self.policy;
        for (i, field) in policy.schema.fields.iter().enumerate() {
            let seen = self.seen.get(i);
            let Some(slot) = self.slots.get_mut(i) else {
                continue;
            };
            if !seen {
                // The last record's value, in reused slots.
                *slot = None;
            }
            if slot.is_some() {
                continue;
            }
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

/// Whether a value meets every constraint: the common case, checked
/// without building anything ([`violated_constraint`] says why not).
#[inline(always)]
fn meets(value: &Value, constraints: &[Constraint]) -> bool {
    use crate::value::{cmp_holds, compare};
    for c in constraints {
        let ok = match c {
            Constraint::Range(lo, hi) => {
                !(compare(value, lo).is_some_and(|o| o.is_lt())
                    || compare(value, hi).is_some_and(|o| o.is_gt()))
            }
            Constraint::Bound(op, bound) => {
                compare(value, bound).is_some_and(|o| cmp_holds(*op, o))
            }
            Constraint::NotEmpty => !matches!(value, Value::Text(t) if t.trim().is_empty()),
        };
        if !ok {
            return false;
        }
    }
    true
}

/// The first constraint a value breaks, as a message.
#[cold]
#[inline(never)]
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
