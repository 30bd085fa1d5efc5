//! One walk over the rulesets of syntax trees, shared by finding mutants and
//! applying them, so both see the same nodes in the same order.

use crate::ast::Decl;
use crate::ast::{
    BinOp, Condition, Expr, ExprKind, File, Group, LitValue, Literal, OutcomeClause, RulesetItem,
};

/// What the walk calls on each target, with where it is.
pub(crate) type Visit<'f> = dyn FnMut(Target<'_>, &Place<'_>) + 'f;

/// Where a target is: its ruleset, and the item in it
/// (`limit_adjustment.increase`, `reapply (applies)`).
pub(crate) struct Place<'a> {
    pub(crate) ruleset: &'a str,
    pub(crate) item: &'a str,
}

/// A node a mutation can change.
pub(crate) enum Target<'a> {
    /// A comparison: `x >= 4.8`.
    Compare(&'a mut Expr),
    /// An `all of` / `any of` group.
    Group(&'a mut Group),
    /// A duration (`180 days`), wherever it is: a window is a threshold
    /// even when it moves a date (`quota.exited_on + 180 days`).
    Duration(&'a mut Literal),
}

/// Calls `f` on every comparison, group and duration of every ruleset, with where it
/// is (`limit_adjustment.increase`, `reapply (applies)`). Schemas and
/// calendars are data, not thresholds, and `because` texts decide nothing,
/// so neither is visited.
pub(crate) fn walk_rulesets(files: &mut [File], f: &mut Visit<'_>) {
    for file in files {
        for decl in &mut file.decls {
            let Decl::Ruleset(rs) = decl else { continue };
            let ruleset = rs.name.text.clone();
            for item in &mut rs.items {
                walk_item(item, &ruleset, f);
            }
        }
    }
}

fn walk_item(item: &mut RulesetItem, ruleset: &str, f: &mut Visit<'_>) {
    match item {
        RulesetItem::Outcomes(_) | RulesetItem::Output(_) => {}
        RulesetItem::Applies(a) => {
            let item = format!("{ruleset} (applies)");
            let place = Place {
                ruleset,
                item: &item,
            };
            walk_expr(&mut a.when, &place, f);
            walk_clause(&mut a.otherwise, &place, f);
        }
        RulesetItem::Require(r) => {
            let item = format!("{ruleset} (require)");
            walk_expr(
                &mut r.expr,
                &Place {
                    ruleset,
                    item: &item,
                },
                f,
            );
        }
        RulesetItem::Let(l) => {
            let item = format!("{ruleset} (let {})", l.name.text);
            let place = Place {
                ruleset,
                item: &item,
            };
            walk_expr(&mut l.value, &place, f);
        }
        RulesetItem::Rule(rule) => {
            let item = format!("{ruleset}.{}", rule.name.text);
            let place = Place {
                ruleset,
                item: &item,
            };
            if let Some(scope) = &mut rule.scope {
                walk_expr(scope, &place, f);
            }
            walk_condition(&mut rule.when, &place, f);
            walk_clause(&mut rule.then, &place, f);
            if let Some(otherwise) = &mut rule.otherwise {
                walk_clause(otherwise, &place, f);
            }
        }
        RulesetItem::Otherwise(clause) => {
            let item = format!("{ruleset} (otherwise)");
            walk_clause(
                clause,
                &Place {
                    ruleset,
                    item: &item,
                },
                f,
            );
        }
    }
}

fn walk_condition(c: &mut Condition, place: &Place<'_>, f: &mut Visit<'_>) {
    match c {
        Condition::Expr(e) => walk_expr(e, place, f),
        Condition::Group(g) => {
            f(Target::Group(g), place);
            for item in &mut g.items {
                walk_condition(&mut item.condition, place, f);
            }
        }
    }
}

fn walk_clause(c: &mut OutcomeClause, place: &Place<'_>, f: &mut Visit<'_>) {
    for a in &mut c.assignments {
        walk_expr(&mut a.value, place, f);
        if let Some(when) = &mut a.when {
            walk_expr(when, place, f);
        }
    }
}

fn walk_expr(e: &mut Expr, place: &Place<'_>, f: &mut Visit<'_>) {
    if matches!(e.kind, ExprKind::Binary(BinOp::Cmp(_), ..)) {
        f(Target::Compare(e), place);
    }
    match &mut e.kind {
        ExprKind::Literal(lit) if matches!(lit.value, LitValue::Days(_)) => {
            f(Target::Duration(lit), place);
        }
        ExprKind::Call { args, .. } => args.iter_mut().for_each(|a| walk_expr(a, place, f)),
        ExprKind::Not(x) | ExprKind::Neg(x) => walk_expr(x, place, f),
        ExprKind::Binary(_, a, b) => {
            walk_expr(a, place, f);
            walk_expr(b, place, f);
        }
        ExprKind::Presence { expr, .. } => walk_expr(expr, place, f),
        ExprKind::In { expr, list, .. } => {
            walk_expr(expr, place, f);
            list.iter_mut().for_each(|x| walk_expr(x, place, f));
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            walk_expr(cond, place, f);
            walk_expr(then, place, f);
            walk_expr(otherwise, place, f);
        }
        ExprKind::List(items) => items.iter_mut().for_each(|x| walk_expr(x, place, f)),
        ExprKind::Literal(_)
        | ExprKind::Path(_)
        | ExprKind::CalendarRef(_)
        | ExprKind::Text(_)
        | ExprKind::Error => {}
    }
}
