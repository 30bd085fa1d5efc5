//! Every expression written in the rule text, reason templates included,
//! for the "is this name used anywhere" checks.

use crate::ast::{
    Condition, Expr, ExprKind, Name, OutcomeClause, Ruleset, RulesetItem, Schema, SchemaItem,
    Template, TemplatePart,
};

/// The expressions of a ruleset, each with the `let` it defines, if any.
pub(crate) fn ruleset_exprs(rs: &Ruleset) -> Vec<(Option<&str>, &Expr)> {
    let mut out = Vec::new();
    let mut plain = Vec::new();
    if let Some(t) = &rs.title {
        template(t, &mut plain);
    }
    for item in &rs.items {
        match item {
            RulesetItem::Outcomes(_) | RulesetItem::Output(_) => {}
            RulesetItem::Applies(a) => {
                plain.push(&a.when);
                clause(&a.otherwise, &mut plain);
            }
            RulesetItem::Require(r) => {
                plain.push(&r.expr);
                if let Some(t) = &r.because {
                    template(t, &mut plain);
                }
            }
            RulesetItem::Let(l) => out.push((Some(l.name.text.as_str()), &l.value)),
            RulesetItem::Rule(rule) => {
                if let Some(t) = &rule.title {
                    template(t, &mut plain);
                }
                if let Some(scope) = &rule.scope {
                    plain.push(scope);
                }
                condition(&rule.when, &mut plain);
                for t in [&rule.when_texts.because, &rule.when_texts.unmet]
                    .into_iter()
                    .flatten()
                {
                    template(t, &mut plain);
                }
                clause(&rule.then, &mut plain);
                if let Some(c) = &rule.otherwise {
                    clause(c, &mut plain);
                }
            }
            RulesetItem::Otherwise(c) => clause(c, &mut plain),
        }
    }
    out.extend(plain.into_iter().map(|e| (None, e)));
    out
}

/// The schema's requirements and their reasons.
pub(crate) fn schema_exprs(schema: &Schema) -> Vec<&Expr> {
    let mut out = Vec::new();
    for item in &schema.items {
        if let SchemaItem::Require(r) = item {
            out.push(&r.expr);
            if let Some(t) = &r.because {
                template(t, &mut out);
            }
        }
    }
    out
}

fn condition<'a>(c: &'a Condition, out: &mut Vec<&'a Expr>) {
    match c {
        Condition::Expr(e) => out.push(e),
        Condition::Group(g) => {
            for item in &g.items {
                condition(&item.condition, out);
                for t in [&item.because, &item.unmet].into_iter().flatten() {
                    template(t, out);
                }
            }
        }
    }
}

fn clause<'a>(c: &'a OutcomeClause, out: &mut Vec<&'a Expr>) {
    for a in &c.assignments {
        out.push(&a.value);
        if let Some(w) = &a.when {
            out.push(w);
        }
    }
    if let Some(t) = &c.because {
        template(t, out);
    }
}

fn template<'a>(t: &'a Template, out: &mut Vec<&'a Expr>) {
    for part in &t.parts {
        if let TemplatePart::Expr(e) = part {
            out.push(e);
        }
    }
}

/// Calls `f` on every name an expression mentions, in placeholders too.
pub(crate) fn each_name<'a>(e: &'a Expr, f: &mut impl FnMut(&'a Name)) {
    match &e.kind {
        ExprKind::Path(n) => f(n),
        ExprKind::Literal(_) | ExprKind::CalendarRef(_) | ExprKind::Error => {}
        ExprKind::Call { args, .. } | ExprKind::List(args) => {
            for a in args {
                each_name(a, f);
            }
        }
        ExprKind::Not(x) | ExprKind::Neg(x) | ExprKind::Presence { expr: x, .. } => each_name(x, f),
        ExprKind::Binary(_, l, r) => {
            each_name(l, f);
            each_name(r, f);
        }
        ExprKind::In { expr, list, .. } => {
            each_name(expr, f);
            for x in list {
                each_name(x, f);
            }
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            each_name(cond, f);
            each_name(then, f);
            each_name(otherwise, f);
        }
        ExprKind::Text(t) => {
            for part in &t.parts {
                if let TemplatePart::Expr(x) = part {
                    each_name(x, f);
                }
            }
        }
    }
}
