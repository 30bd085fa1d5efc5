//! Mutants that provably change no decision: a threshold on a whole-number
//! value whose nudge or flip crosses no whole number, and a group of one
//! item, where `all of` and `any of` agree.

use rust_decimal::Decimal;

use crate::ast::{CmpOp, LitValue};
use crate::ir::Policy;
use crate::span::Span;
use crate::types::Ty;

/// The checked type of the expression written at `span`, when the checker
/// gave the expressions written there one type.
pub(crate) fn type_at(policy: &Policy, span: Span) -> Option<Ty> {
    let mut found = policy
        .expr_spans
        .iter()
        .zip(&policy.expr_types)
        .filter(|(s, _)| s.file == span.file && s.start == span.start && s.end == span.end)
        .map(|(_, ty)| ty);
    let first = found.next()?.clone();
    found.all(|ty| *ty == first).then_some(first)
}

/// Whether the expression at `span` only ever holds whole numbers (an
/// `int` field, a day count).
pub(crate) fn whole_valued(policy: &Policy, span: Span) -> bool {
    type_at(policy, span) == Some(Ty::Int)
}

/// The whole numbers `x` with `x OP c`.
#[derive(Debug, PartialEq, Eq)]
enum Wholes {
    AtLeast(Decimal),
    AtMost(Decimal),
    Exactly(Decimal),
    AllBut(Decimal),
    None,
    All,
}

fn wholes(op: CmpOp, c: Decimal) -> Option<Wholes> {
    let whole = c.fract().is_zero();
    Some(match op {
        CmpOp::Ge => Wholes::AtLeast(c.ceil()),
        CmpOp::Gt => Wholes::AtLeast(c.floor().checked_add(Decimal::ONE)?),
        CmpOp::Le => Wholes::AtMost(c.floor()),
        CmpOp::Lt => Wholes::AtMost(c.ceil().checked_sub(Decimal::ONE)?),
        CmpOp::Eq if whole => Wholes::Exactly(c),
        CmpOp::Eq => Wholes::None,
        CmpOp::Ne if whole => Wholes::AllBut(c),
        CmpOp::Ne => Wholes::All,
    })
}

/// Why `x OP old` -> `x OP new` is equivalent, if it is (`x` is the other
/// operand, `whole` when it holds only whole numbers).
pub(crate) fn nudge(whole: bool, op: CmpOp, old: &LitValue, new: &LitValue) -> Option<String> {
    let (LitValue::Number(old), LitValue::Number(new)) = (old, new) else {
        return None;
    };
    let same = whole && wholes(op, *old)? == wholes(op, *new)?;
    same.then(|| {
        format!(
            "the other side is a whole number, and `{} {old}` and `{} {new}` hold for the same ones",
            op.symbol(),
            op.symbol()
        )
    })
}

/// Why `x OP c` -> `x NEW c` is equivalent, if it is.
pub(crate) fn flip(whole: bool, c: &LitValue, op: CmpOp, new: CmpOp) -> Option<String> {
    let LitValue::Number(c) = c else { return None };
    let same = whole && wholes(op, *c)? == wholes(new, *c)?;
    same.then(|| {
        format!(
            "the other side is a whole number and {c} is not one, so `{}` and `{}` agree",
            op.symbol(),
            new.symbol()
        )
    })
}

/// Why swapping a group's kind is equivalent, if it is.
pub(crate) fn group(items: usize) -> Option<String> {
    (items == 1).then(|| "a group of one item: `all of` and `any of` agree".to_string())
}
