//! A schema's cross-field requirements (`require quota.used <= quota.limit`)
//! and a ruleset's: whether a record meets them, and the message when not.

use super::{Evaluator, Fault, Mode};
use crate::ir::{Policy, Requirement};
use crate::record::Record;
use crate::value::Value;

pub(super) fn holds_in(ev: &mut Evaluator<'_, '_>, req: &Requirement) -> Result<bool, Fault> {
    match ev.eval(req.expr) {
        Ok(Value::Bool(b)) => Ok(b),
        Ok(_) => Ok(false),
        Err(Fault::Missing(_)) => Ok(false),
        Err(other) => Err(other),
    }
}

pub(super) fn requirement_text(ev: &mut Evaluator<'_, '_>, req: &Requirement) -> String {
    let mut text = match req.because {
        Some(b) => ev
            .render_reason(super::Reason::Template(b))
            .unwrap_or_else(|_| req.text.to_string()),
        None => format!("requirement `{}` is not met", req.text),
    };
    let operands = ev.operands(req.expr);
    if !operands.is_empty() {
        let values: Vec<String> = operands.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        text.push_str(&format!(" ({})", values.join(", ")));
    }
    text
}

/// Whether a schema requirement holds for a record.
pub(crate) fn holds(policy: &Policy, record: &Record, req: &Requirement) -> Result<bool, Fault> {
    let mut ev = Evaluator::new(
        policy,
        record,
        Mode {
            reasons: false,
            explain: false,
            trace: false,
        },
    );
    holds_in(&mut ev, req)
}

/// A fault in a schema requirement, for a person.
pub(crate) fn describe_fault(policy: &Policy, record: &Record, fault: Fault) -> String {
    let ev = Evaluator::new(
        policy,
        record,
        Mode {
            reasons: false,
            explain: false,
            trace: false,
        },
    );
    ev.describe_text(fault)
}

/// The message for a broken schema requirement, with the values involved.
pub(crate) fn requirement_message(policy: &Policy, record: &Record, req: &Requirement) -> String {
    let mut ev = Evaluator::new(
        policy,
        record,
        Mode {
            reasons: true,
            explain: false,
            trace: false,
        },
    );
    requirement_text(&mut ev, req)
}
