//! What a policy's rules compare each field against, read from the
//! compiled policy for `verdikt gen --rules`: the literals (through simple
//! `let`s, `x in [...]`, and for dates `+ N days`, `add_days` and
//! `days(a, b)` against the anchor date), and per rule the values its
//! guard, scope and conditions ask of single fields.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::ast::CmpOp;
use crate::builtins::Builtin;
use crate::ir::{ExprId, FieldId, Node, Policy};
use crate::types::Ty;
use crate::value::Value;

/// Per field, what the rules compare it against.
#[derive(Debug, Default)]
pub(super) struct Seen {
    pub(super) numbers: BTreeMap<FieldId, BTreeSet<Decimal>>,
    pub(super) texts: BTreeMap<FieldId, BTreeSet<String>>,
    pub(super) offsets: BTreeMap<FieldId, BTreeSet<i64>>,
    pub(super) dates: BTreeMap<FieldId, BTreeSet<NaiveDate>>,
}

/// What a condition asks of a field.
#[derive(Debug, Clone)]
pub(super) enum Aim {
    /// A number compared with a literal (field on the left).
    Cmp(CmpOp, Decimal),
    /// An enum value or a text.
    Is(String),
    Bool(bool),
}

/// Per rule of every ruleset, what its guard, `for` and `when` leaves ask
/// of single fields.
pub(super) fn targets(policy: &Policy) -> Vec<Vec<(FieldId, Aim)>> {
    let mut out = Vec::new();
    for rs in &policy.rulesets {
        let mut guard = Vec::new();
        if let Some((e, _)) = &rs.guard {
            aims(policy, *e, &mut guard);
        }
        // Rules are tried in order: to reach a rule, an earlier `any of`
        // rule must have every condition fail.
        let mut passed: Vec<(FieldId, Aim)> = Vec::new();
        for rule in &rs.rules {
            let mut wanted = guard.clone();
            wanted.extend(passed.iter().cloned());
            if let Some(scope) = rule.scope {
                aims(policy, scope, &mut wanted);
            }
            cond_aims(policy, rule.when, &mut wanted);
            if !wanted.is_empty() {
                out.push(wanted);
            }
            let any = policy.cond(rule.when).is_some_and(|c| {
                matches!(
                    c.kind,
                    crate::ir::CondKind::Any(_) | crate::ir::CondKind::Leaf(_)
                )
            });
            if rule.scope.is_none() && any {
                let mut own = Vec::new();
                cond_aims(policy, rule.when, &mut own);
                passed.extend(
                    own.into_iter()
                        .filter_map(|(f, aim)| Some((f, negated(aim)?))),
                );
            }
        }
    }
    out
}

fn cond_aims(policy: &Policy, id: crate::ir::CondId, out: &mut Vec<(FieldId, Aim)>) {
    let Some(cond) = policy.cond(id) else {
        return;
    };
    match &cond.kind {
        crate::ir::CondKind::Leaf(e) => aims(policy, *e, out),
        crate::ir::CondKind::All(items) | crate::ir::CondKind::Any(items) => {
            for item in items {
                cond_aims(policy, *item, out);
            }
        }
    }
}

/// What an expression, to hold, asks of single fields: `a and b`, `f op
/// literal` (either way round), `f in [...]`, a bool field, `not` one.
fn aims(policy: &Policy, e: ExprId, out: &mut Vec<(FieldId, Aim)>) {
    match policy.node(e) {
        Some(Node::And(a, b)) => {
            aims(policy, *a, out);
            aims(policy, *b, out);
        }
        Some(Node::Cmp(op, a, b)) => {
            let (f, c, op) = match (field_of(policy, *a), constant(policy, *b)) {
                (Some(f), Some(c)) => (f, c, *op),
                _ => match (field_of(policy, *b), constant(policy, *a)) {
                    (Some(f), Some(c)) => (f, c, mirrored(*op)),
                    _ => return,
                },
            };
            let aim = match (c, op) {
                (Value::Num(n), op) => Aim::Cmp(op, n.to_decimal()),
                (Value::Enum(sym), CmpOp::Eq) => Aim::Is(policy.symbols.name(sym).to_string()),
                (Value::Text(t), CmpOp::Eq) => Aim::Is(t.to_string()),
                (Value::Bool(b), CmpOp::Eq) => Aim::Bool(b),
                (Value::Bool(b), CmpOp::Ne) => Aim::Bool(!b),
                _ => return,
            };
            out.push((f, aim));
        }
        Some(Node::In {
            expr,
            list,
            negated: false,
        }) => {
            let first = list.first().and_then(|i| constant(policy, *i));
            if let (Some(f), Some(c)) = (field_of(policy, *expr), first) {
                match c {
                    Value::Enum(sym) => {
                        out.push((f, Aim::Is(policy.symbols.name(sym).to_string())))
                    }
                    Value::Text(t) => out.push((f, Aim::Is(t.to_string()))),
                    Value::Num(n) => out.push((f, Aim::Cmp(CmpOp::Eq, n.to_decimal()))),
                    _ => {}
                }
            }
        }
        Some(Node::Field(f)) if policy.field(*f).is_some_and(|d| d.ty == Ty::Bool) => {
            out.push((*f, Aim::Bool(true)));
        }
        Some(Node::Not(x)) => {
            if let Some(Node::Field(f)) = policy.node(*x) {
                if policy.field(*f).is_some_and(|d| d.ty == Ty::Bool) {
                    out.push((*f, Aim::Bool(false)));
                }
            }
        }
        _ => {}
    }
}

/// What makes a condition fail.
fn negated(aim: Aim) -> Option<Aim> {
    Some(match aim {
        Aim::Cmp(op, v) => Aim::Cmp(
            match op {
                CmpOp::Lt => CmpOp::Ge,
                CmpOp::Le => CmpOp::Gt,
                CmpOp::Gt => CmpOp::Le,
                CmpOp::Ge => CmpOp::Lt,
                CmpOp::Eq | CmpOp::Ne => return None,
            },
            v,
        ),
        Aim::Bool(b) => Aim::Bool(!b),
        Aim::Is(_) => return None,
    })
}

/// `5 < f` is `f > 5`.
fn mirrored(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

/// Every comparison of a field with a literal, in expression order.
pub(super) fn thresholds(policy: &Policy, anchor: Option<FieldId>) -> Seen {
    let mut seen = Seen::default();
    for node in &policy.exprs {
        match node {
            Node::Cmp(_, a, b) => {
                compare(policy, anchor, *a, *b, &mut seen);
                compare(policy, anchor, *b, *a, &mut seen);
            }
            Node::In { expr, list, .. } => {
                for item in list {
                    compare(policy, anchor, *expr, *item, &mut seen);
                }
            }
            _ => {}
        }
    }
    seen
}

/// Notes what comparing `a` with `b` says about the field `a` reads.
fn compare(policy: &Policy, anchor: Option<FieldId>, a: ExprId, b: ExprId, seen: &mut Seen) {
    if let (Some(f), Some(c)) = (field_of(policy, a), constant(policy, b)) {
        match c {
            Value::Num(n) => {
                let set = seen.numbers.entry(f).or_default();
                set.insert(n.to_decimal());
            }
            Value::Text(t) => {
                seen.texts.entry(f).or_default().insert(t.to_string());
            }
            Value::Date(d) => {
                seen.dates.entry(f).or_default().insert(d);
            }
            _ => {}
        }
        return;
    }
    // `days(a, b) < 180`: b - a against a number of days.
    if let (Some(Node::Call { builtin, args, .. }), Some(Value::Num(n))) =
        (policy.node(a), constant(policy, b))
    {
        if *builtin == Builtin::Days {
            let (Some(x), Some(y)) = (args.first(), args.get(1)) else {
                return;
            };
            let (Some((f, sf)), Some((g, sg)), Some(days)) =
                (date_of(policy, *x), date_of(policy, *y), n.to_i64_trunc())
            else {
                return;
            };
            // (g + sg) - (f + sf) = days.
            note_offset(seen, anchor, f, sf, g, sg.saturating_sub(days));
        }
        return;
    }
    let Some((f, sf)) = date_of(policy, a) else {
        return;
    };
    match (date_of(policy, b), constant(policy, b)) {
        (Some((g, sg)), _) => note_offset(seen, anchor, f, sf, g, sg),
        (None, Some(Value::Date(d))) => {
            let shifted = chrono::TimeDelta::try_days(sf.saturating_neg())
                .and_then(|t| d.checked_add_signed(t));
            if let Some(d) = shifted {
                seen.dates.entry(f).or_default().insert(d);
            }
        }
        _ => {}
    }
}

/// `f + sf` compared with `g + sg`: when one is the anchor, the other is
/// noted at the offset that puts the two sides level.
fn note_offset(seen: &mut Seen, anchor: Option<FieldId>, f: FieldId, sf: i64, g: FieldId, sg: i64) {
    if Some(g) == anchor && Some(f) != anchor {
        seen.offsets
            .entry(f)
            .or_default()
            .insert(sg.saturating_sub(sf));
    } else if Some(f) == anchor && Some(g) != anchor {
        seen.offsets
            .entry(g)
            .or_default()
            .insert(sf.saturating_sub(sg));
    }
}

/// The field an expression is, directly or through `let`s.
fn field_of(policy: &Policy, id: ExprId) -> Option<FieldId> {
    let mut id = id;
    // (A `let` chain is short; the bound guards against a cycle.)
    for _ in 0..16 {
        match policy.node(id)? {
            Node::Field(f) => return Some(*f),
            Node::Let(l) => id = policy.lets.get(l.index())?.value,
            _ => return None,
        }
    }
    None
}

/// A date field shifted by a constant number of days: `f + 90 days`,
/// `add_days(f, -3)`, or a `let` of one.
fn date_of(policy: &Policy, id: ExprId) -> Option<(FieldId, i64)> {
    let mut id = id;
    let mut shift: i64 = 0;
    for _ in 0..16 {
        match policy.node(id)? {
            Node::Field(f) => {
                let ty = &policy.field(*f)?.ty;
                return (*ty == Ty::Date).then_some((*f, shift));
            }
            Node::Let(l) => id = policy.lets.get(l.index())?.value,
            Node::DateShift {
                date,
                days,
                subtract,
            } => {
                let n = match constant(policy, *days)? {
                    Value::Days(n) => n,
                    Value::Num(n) => n.to_i64_trunc()?,
                    _ => return None,
                };
                shift = if *subtract {
                    shift.checked_sub(n)?
                } else {
                    shift.checked_add(n)?
                };
                id = *date;
            }
            Node::Call {
                builtin: Builtin::AddDays,
                args,
                ..
            } => {
                let n = match constant(policy, *args.get(1)?)? {
                    Value::Num(n) => n.to_i64_trunc()?,
                    Value::Days(n) => n,
                    _ => return None,
                };
                shift = shift.checked_add(n)?;
                id = *args.first()?;
            }
            _ => return None,
        }
    }
    None
}

/// A literal, possibly negated or named by a `let`.
fn constant(policy: &Policy, id: ExprId) -> Option<Value> {
    match policy.node(id)? {
        Node::Const(v) => Some(v.clone()),
        Node::Let(l) => {
            let value = policy.lets.get(l.index())?.value;
            // (Only a `let` of a literal: the checker refuses cycles.)
            match policy.node(value)? {
                Node::Const(v) => Some(v.clone()),
                _ => None,
            }
        }
        // A string literal is a template of plain text.
        Node::Template(parts) => {
            let mut text = String::new();
            for part in parts {
                match part {
                    crate::ir::TemplatePart::Text(t) => text.push_str(t),
                    crate::ir::TemplatePart::Expr(..) => return None,
                }
            }
            Some(Value::Text(std::sync::Arc::new(text)))
        }
        Node::Neg(e) => match policy.node(*e)? {
            Node::Const(Value::Num(n)) => Some(Value::Num(crate::num::neg(*n))),
            Node::Const(Value::Days(d)) => Some(Value::Days(d.checked_neg()?)),
            _ => None,
        },
        _ => None,
    }
}
