//! Declared and never used: schema fields, `let`s, outcomes, outputs.

use std::collections::BTreeSet;

use crate::ast::{self, RulesetItem, SchemaItem};
use crate::diagnostic::{Code, Diagnostic};

use super::walk::{each_name, ruleset_exprs, schema_exprs};

/// Fields the engine reads itself: the record's identity and its "today".
const ENGINE_FIELDS: &[&str] = &["merchant_id", "as_of"];

pub(super) fn fields(schema: &ast::Schema, rulesets: &[&ast::Ruleset], out: &mut Vec<Diagnostic>) {
    let mut used = BTreeSet::new();
    let mut note = |e: &ast::Expr| {
        each_name(e, &mut |n: &ast::Name| {
            used.insert(n.text.clone());
        });
    };
    for e in schema_exprs(schema) {
        note(e);
    }
    for rs in rulesets {
        for (_, e) in ruleset_exprs(rs) {
            note(e);
        }
    }
    for item in &schema.items {
        let SchemaItem::Field(decl) = item else {
            continue;
        };
        let name = decl.name.text.as_str();
        if used.contains(name) || ENGINE_FIELDS.contains(&name) {
            continue;
        }
        out.push(
            Diagnostic::warning(
                Code::UnusedField,
                decl.name.span,
                format!("field `{name}` is never used"),
            )
            .with_help(
                "no ruleset, requirement or reason reads it, yet every snapshot is checked against it; \
                 delete it, or use it in a rule",
            ),
        );
    }
}

pub(super) fn lets(rs: &ast::Ruleset, out: &mut Vec<Diagnostic>) {
    let exprs = ruleset_exprs(rs);
    for item in &rs.items {
        let RulesetItem::Let(l) = item else {
            continue;
        };
        let name = l.name.text.as_str();
        let mut used = false;
        for (owner, e) in &exprs {
            if *owner != Some(name) {
                each_name(e, &mut |n: &ast::Name| used |= n.text == name);
            }
        }
        if !used {
            out.push(
                Diagnostic::warning(
                    Code::UnusedLet,
                    l.name.span,
                    format!("`let {name}` is never used"),
                )
                .with_help(format!(
                    "no rule, output, reason or other `let` of ruleset `{}` refers to it; delete it",
                    rs.name.text
                )),
            );
        }
    }
}

/// Every clause that gives an outcome: rules' `then` and `else`,
/// `otherwise`, and the `applies ... else`.
fn clauses(rs: &ast::Ruleset) -> Vec<&ast::OutcomeClause> {
    let mut out = Vec::new();
    for item in &rs.items {
        match item {
            RulesetItem::Applies(a) => out.push(&a.otherwise),
            RulesetItem::Rule(r) => {
                out.push(&r.then);
                out.extend(r.otherwise.as_ref());
            }
            RulesetItem::Otherwise(c) => out.push(c),
            _ => {}
        }
    }
    out
}

pub(super) fn outcomes(rs: &ast::Ruleset, out: &mut Vec<Diagnostic>) {
    let given: BTreeSet<&str> = clauses(rs)
        .iter()
        .map(|c| c.outcome.text.as_str())
        .collect();
    for item in &rs.items {
        let RulesetItem::Outcomes(names) = item else {
            continue;
        };
        for name in names.iter().map(|v| &v.name) {
            if !given.contains(name.text.as_str()) {
                out.push(
                    Diagnostic::warning(
                        Code::OutcomeNeverProduced,
                        name.span,
                        format!("outcome `{}` is never produced", name.text),
                    )
                    .with_help(
                        "no rule, `otherwise` or `applies ... else` gives it; \
                         delete it from `outcomes`, or write the rule that gives it",
                    ),
                );
            }
        }
    }
}

pub(super) fn outputs(rs: &ast::Ruleset, out: &mut Vec<Diagnostic>) {
    let set: BTreeSet<&str> = clauses(rs)
        .iter()
        .flat_map(|c| c.assignments.iter().map(|a| a.output.text.as_str()))
        .collect();
    for item in &rs.items {
        let RulesetItem::Output(decl) = item else {
            continue;
        };
        let name = decl.name.text.as_str();
        if !set.contains(name) {
            out.push(
                Diagnostic::warning(
                    Code::OutputNeverSet,
                    decl.name.span,
                    format!("output `{name}` is never set"),
                )
                .with_help(format!(
                    "every decision gives it its default or leaves it absent; \
                     set it in an outcome (`, {name} = ...`) or delete it"
                )),
            );
        }
    }
}
