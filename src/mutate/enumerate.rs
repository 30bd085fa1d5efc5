//! Finding the mutants of a policy: every threshold nudged one step each
//! way, every bound flipped, every group's `all of` / `any of` swapped.

use rust_decimal::Decimal;

use super::walk::{walk_rulesets, Place, Target};
use super::{equivalent, key, Change, Mutant};
use crate::ast::{BinOp, CmpOp, Expr, ExprKind, File, GroupKind, LitValue, Literal};
use crate::ir::Policy;
use crate::span::Span;
use crate::types::Ty;

/// Every mutant of the rulesets in `trees`, in file order; `policy` is what
/// they check to, and types the operands (to judge equivalence).
pub(crate) fn mutants(trees: &[File], policy: &Policy) -> Vec<Mutant> {
    let mut scratch = trees.to_vec();
    let mut out = Vec::new();
    walk_rulesets(&mut scratch, &mut |target, place| match target {
        Target::Compare(e) => compare_mutants(e, place, policy, &mut out),
        Target::Group(g) => {
            let (before, after, kind) = match g.kind {
                GroupKind::All => ("all of", "any of", GroupKind::Any),
                GroupKind::Any => ("any of", "all of", GroupKind::All),
            };
            let at = Span::new(
                g.span.file,
                g.span.start as usize,
                g.span.start as usize + 3,
            );
            out.push(Mutant {
                change: Change::Group(key(g.span), kind),
                at,
                place: place.item.to_string(),
                ruleset: place.ruleset.to_string(),
                context: match g.items.len() {
                    1 => format!("{before} (1 item)"),
                    n => format!("{before} ({n} items)"),
                },
                before: before.to_string(),
                after: after.to_string(),
                equivalent: equivalent::group(g.items.len()),
                stale_text: None,
            });
        }
        Target::Duration(lit) => {
            let line = line_of(policy, lit.span);
            for (value, text) in nudges(lit, None) {
                out.push(Mutant {
                    change: Change::Literal(key(lit.span), value),
                    at: lit.span,
                    place: place.item.to_string(),
                    ruleset: place.ruleset.to_string(),
                    context: line.clone(),
                    before: lit.text.clone(),
                    after: text,
                    equivalent: None,
                    stale_text: None,
                });
            }
        }
    });
    // In reading order: a duration is met after the comparison around it.
    out.sort_by_key(|m| (m.at.file, m.at.start));
    out
}

/// The mutants of one comparison: its bound flipped, and a literal operand
/// nudged down and up.
fn compare_mutants(e: &Expr, place: &Place<'_>, policy: &Policy, out: &mut Vec<Mutant>) {
    let ExprKind::Binary(BinOp::Cmp(op), a, b) = &e.kind else {
        return;
    };
    let op = *op;
    let context = policy
        .sources
        .slice(e.span)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // The comparison read as `other OP literal`, when one side is a literal.
    let literal_side = match (&a.kind, &b.kind) {
        (_, ExprKind::Literal(lit)) => Some((lit, a.as_ref(), op)),
        (ExprKind::Literal(lit), _) => Some((lit, b.as_ref(), mirror(op))),
        _ => None,
    };
    let whole =
        literal_side.is_some_and(|(_, other, _)| equivalent::whole_valued(policy, other.span));
    if let Some(flipped) = flip(op) {
        out.push(Mutant {
            change: Change::Bound(key(e.span), flipped),
            at: operator_span(policy, a.span, b.span, op),
            place: place.item.to_string(),
            ruleset: place.ruleset.to_string(),
            context: context.clone(),
            before: op.symbol().to_string(),
            after: flipped.symbol().to_string(),
            // Flipping commutes with reading the comparison the other way.
            equivalent: literal_side.and_then(|(lit, _, normal)| {
                equivalent::flip(whole, &lit.value, normal, flip(normal)?)
            }),
            stale_text: None,
        });
    }
    // Durations are nudged wherever they are (see `Target::Duration`).
    let Some((lit, other, normal)) = literal_side.filter(|(lit, ..)| !is_duration(lit)) else {
        return;
    };
    let other_ty = equivalent::type_at(policy, other.span);
    for (value, text) in nudges(lit, other_ty.as_ref()) {
        out.push(Mutant {
            equivalent: equivalent::nudge(whole, normal, &lit.value, &value),
            stale_text: None,
            change: Change::Literal(key(lit.span), value),
            at: lit.span,
            place: place.item.to_string(),
            ruleset: place.ruleset.to_string(),
            context: context.clone(),
            before: lit.text.clone(),
            after: text,
        });
    }
}

/// `>=` <-> `>`, `<` <-> `<=`; `=` and `!=` have no bound to flip.
fn flip(op: CmpOp) -> Option<CmpOp> {
    match op {
        CmpOp::Ge => Some(CmpOp::Gt),
        CmpOp::Gt => Some(CmpOp::Ge),
        CmpOp::Le => Some(CmpOp::Lt),
        CmpOp::Lt => Some(CmpOp::Le),
        CmpOp::Eq | CmpOp::Ne => None,
    }
}

/// The operator that reads `a OP b` as `b OP' a`.
fn mirror(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Ge => CmpOp::Le,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Lt => CmpOp::Gt,
        other => other,
    }
}

/// Where the operator of `a OP b` is written (the whole comparison if it
/// cannot be found, say behind a comment).
fn operator_span(policy: &Policy, a: Span, b: Span, op: CmpOp) -> Span {
    let between = Span::new(a.file, a.end as usize, b.start as usize);
    let text = policy.sources.slice(between);
    match text.find(op.symbol()) {
        Some(at) => {
            let start = a.end as usize + at;
            Span::new(a.file, start, start + op.symbol().len())
        }
        None => a.to(b),
    }
}

/// A literal one step down and one step up, with its new text. The step is
/// the smallest that matters at the literal's own precision: one day for
/// dates and durations, one cent for money, one for a whole number compared
/// with a whole-number value; otherwise one unit in the place after the
/// last written digit, and never coarser than hundredths (`4.8` -> `4.79`,
/// `90%` -> `89.99%`).
pub(super) fn nudges(lit: &Literal, other: Option<&Ty>) -> Vec<(LitValue, String)> {
    let mut out = Vec::new();
    match &lit.value {
        LitValue::Number(d) => {
            let step = if d.fract().is_zero() && matches!(other, Some(Ty::Int | Ty::Days)) {
                Decimal::ONE
            } else if d.fract().is_zero() && other == Some(&Ty::Money) {
                Decimal::new(1, 2)
            } else {
                fine_step(d.scale())
            };
            for n in [d.checked_sub(step), d.checked_add(step)]
                .into_iter()
                .flatten()
            {
                out.push((LitValue::Number(n), n.to_string()));
            }
        }
        LitValue::Percent(_) => {
            let written = lit.text.trim_end_matches('%');
            let Ok(p) = crate::decimal::parse_rule_number(written) else {
                return out;
            };
            let step = fine_step(p.scale());
            for n in [p.checked_sub(step), p.checked_add(step)]
                .into_iter()
                .flatten()
            {
                if let Ok(fraction) = crate::decimal::percent_to_fraction(n) {
                    out.push((LitValue::Percent(fraction), format!("{n}%")));
                }
            }
        }
        LitValue::Money(d) => {
            let cent = Decimal::new(1, 2);
            for n in [d.checked_sub(cent), d.checked_add(cent)]
                .into_iter()
                .flatten()
            {
                out.push((LitValue::Money(n), crate::value::money_human(n)));
            }
        }
        LitValue::Days(n) => {
            for m in [n.checked_sub(1), n.checked_add(1)].into_iter().flatten() {
                out.push((LitValue::Days(m), format!("{m} days")));
            }
        }
        LitValue::Date(d) => {
            for m in [d.pred_opt(), d.succ_opt()].into_iter().flatten() {
                out.push((LitValue::Date(m), m.to_string()));
            }
        }
        LitValue::Bool(_) | LitValue::Error => {}
    }
    out
}

/// One unit in the place after `scale` decimals, at least hundredths.
fn fine_step(scale: u32) -> Decimal {
    Decimal::new(1, scale.saturating_add(1).clamp(2, 28))
}

fn is_duration(lit: &Literal) -> bool {
    matches!(lit.value, LitValue::Days(_))
}

/// The source line a span starts on, trimmed.
fn line_of(policy: &Policy, span: Span) -> String {
    policy
        .sources
        .get(span.file)
        .map_or_else(String::new, |source| {
            let (line, _) = source.line_col(span.start);
            source.line_text(line).trim().to_string()
        })
}
