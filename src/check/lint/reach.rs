//! Conditions that can never hold, and rules an earlier rule always
//! decides before them (first match wins).

use crate::ast::{self, BinOp, Condition, ExprKind, GroupKind, RulesetItem, SchemaItem};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::{SourceMap, Span};

use super::logic::{self, Atom, Conflict, Dnf, Names, Test};

/// A condition as written: a rule's `when`, or an expression.
#[derive(Clone, Copy)]
enum Site<'a> {
    Cond(&'a Condition),
    Expr(&'a ast::Expr),
}

impl Site<'_> {
    fn span(self) -> Span {
        match self {
            Site::Cond(c) => c.span(),
            Site::Expr(e) => e.span,
        }
    }
}

/// Alternatives compared for shadowing, per ruleset, before giving up
/// (silently): keeps huge generated rule files fast.
const SHADOW_BUDGET: usize = 1_000_000;

struct Reach<'a, 'n> {
    names: &'a Names<'n>,
    sources: &'a SourceMap,
    out: &'a mut Vec<Diagnostic>,
    budget: usize,
}

/// Checks one ruleset: every condition in it, then first-match shadowing.
pub(super) fn ruleset(
    names: &Names<'_>,
    schema: &ast::Schema,
    rs: &ast::Ruleset,
    sources: &SourceMap,
    out: &mut Vec<Diagnostic>,
) {
    let mut reach = Reach {
        names,
        sources,
        out,
        budget: SHADOW_BUDGET,
    };
    // What holds for every record: schema requirements; then, for every
    // record the rules see, the guard and the ruleset's requirements.
    let mut schema_ctx = Some(logic::always());
    for item in &schema.items {
        if let SchemaItem::Require(r) = item {
            schema_ctx = both(schema_ctx, names.expr(&r.expr, true));
        }
    }
    let mut ctx = schema_ctx.clone();
    for item in &rs.items {
        match item {
            RulesetItem::Applies(a) => {
                reach.site(Site::Expr(&a.when), schema_ctx.as_ref(), "for any record");
                let outside = both(schema_ctx.clone(), names.expr(&a.when, false));
                reach.clause(
                    &a.otherwise,
                    outside.as_ref(),
                    "where the ruleset does not apply",
                );
                ctx = both(ctx, names.expr(&a.when, true));
            }
            RulesetItem::Require(r) => ctx = both(ctx, names.expr(&r.expr, true)),
            _ => {}
        }
    }

    // Each earlier rule with the records it decides (without the context).
    let mut earlier: Vec<(&ast::Rule, Option<Dnf>)> = Vec::new();
    for item in &rs.items {
        match item {
            RulesetItem::Rule(rule) => {
                let scope = match &rule.scope {
                    Some(s) => {
                        reach.site(Site::Expr(s), ctx.as_ref(), "where the ruleset applies");
                        names.expr(s, true)
                    }
                    None => Some(logic::always()),
                };
                let in_scope = both(ctx.clone(), scope.clone());
                let where_words = if rule.scope.is_some() {
                    format!("for the records in rule `{}`'s `for` scope", rule.name.text)
                } else {
                    "where the ruleset applies".to_string()
                };
                reach.site(Site::Cond(&rule.when), in_scope.as_ref(), &where_words);
                let matched = names.condition(&rule.when, true);
                let failed = names.condition(&rule.when, false);
                reach.clause(
                    &rule.then,
                    both(in_scope.clone(), matched.clone()).as_ref(),
                    &format!("when rule `{}` matches", rule.name.text),
                );
                if let Some(c) = &rule.otherwise {
                    reach.clause(
                        c,
                        both(in_scope.clone(), failed).as_ref(),
                        &format!("when rule `{}` does not match", rule.name.text),
                    );
                }
                // A rule with an `else` decides every record in its scope.
                let decides = if rule.otherwise.is_some() {
                    scope
                } else {
                    both(scope, matched)
                };
                let reaching = both(ctx.clone(), decides.clone());
                if let Some(reaching) = &reaching {
                    reach.shadowed(rule, reaching, &earlier);
                }
                earlier.push((rule, decides));
            }
            RulesetItem::Otherwise(c) => {
                reach.clause(c, ctx.as_ref(), "where the ruleset applies");
            }
            _ => {}
        }
    }
}

/// Both conditions; `None` (not understood) when either is.
fn both(a: Option<Dnf>, b: Option<Dnf>) -> Option<Dnf> {
    logic::and(&a?, &b?)
}

impl Reach<'_, '_> {
    /// Warns on the assignments whose `when` can never hold in `ctx`.
    fn clause(&mut self, c: &ast::OutcomeClause, ctx: Option<&Dnf>, where_words: &str) {
        for a in &c.assignments {
            if let Some(w) = &a.when {
                self.site(Site::Expr(w), ctx, where_words);
            }
        }
    }

    /// Warns when a condition, or a part of it, can never hold: first on
    /// its own, then within `ctx` (what is known wherever it is tested).
    fn site(&mut self, site: Site<'_>, ctx: Option<&Dnf>, where_words: &str) {
        if self.visit(site) {
            return;
        }
        let dnf = match site {
            Site::Cond(c) => self.names.condition(c, true),
            Site::Expr(e) => self.names.expr(e, true),
        };
        let (Some(ctx), Some(dnf)) = (ctx, dnf) else {
            return;
        };
        if self.names.satisfiable(ctx).is_err() {
            return;
        }
        let Some(within) = logic::and(ctx, &dnf) else {
            return;
        };
        if let Err(conflict) = self.names.satisfiable(&within) {
            let help = self.explain(&within, conflict.as_ref());
            self.out.push(
                Diagnostic::warning(
                    Code::NeverTrue,
                    site.span(),
                    format!("this condition can never be true {where_words}"),
                )
                .with_help(help),
            );
        }
    }

    /// Reports the smallest parts that can never hold on their own.
    /// Returns whether this part can never hold (reported here or below).
    fn visit(&mut self, site: Site<'_>) -> bool {
        // Dead because of a part already reported: `and` of a dead part,
        // `or` of dead parts only.
        let dead_parts = match site {
            Site::Cond(Condition::Group(g)) => {
                let dead: Vec<bool> = g
                    .items
                    .iter()
                    .map(|item| self.visit(Site::Cond(&item.condition)))
                    .collect();
                match g.kind {
                    GroupKind::All => dead.contains(&true),
                    GroupKind::Any => !dead.contains(&false),
                }
            }
            Site::Cond(Condition::Expr(e)) => return self.visit(Site::Expr(e)),
            Site::Expr(e) => match &e.kind {
                ExprKind::Binary(op @ (BinOp::And | BinOp::Or), l, r) => {
                    let (l, r) = (self.visit(Site::Expr(l)), self.visit(Site::Expr(r)));
                    if *op == BinOp::And {
                        l || r
                    } else {
                        l && r
                    }
                }
                ExprKind::Not(inner) => {
                    self.visit(Site::Expr(inner));
                    false
                }
                _ => false,
            },
        };
        if dead_parts {
            return true;
        }
        let dnf = match site {
            Site::Cond(c) => self.names.condition(c, true),
            Site::Expr(e) => self.names.expr(e, true),
        };
        let Some(dnf) = dnf else {
            return false;
        };
        match self.names.satisfiable(&dnf) {
            Ok(()) => false,
            Err(conflict) => {
                let help = self.explain(&dnf, conflict.as_ref());
                self.out.push(
                    Diagnostic::warning(
                        Code::NeverTrue,
                        site.span(),
                        "this condition can never be true",
                    )
                    .with_help(help),
                );
                true
            }
        }
    }

    /// Why an impossible condition is impossible, in the author's words.
    fn explain(&self, dnf: &Dnf, conflict: Option<&Conflict>) -> String {
        let (Some(first), Some(conflict)) = (dnf.first(), conflict) else {
            return "it is always false; delete it, or the rule that tests it".into();
        };
        let mut atoms: Vec<&Atom> = first.iter().filter(|a| a.key == conflict.key).collect();
        // `x is present` explains nothing unless presence is the conflict.
        if !atoms.iter().any(|a| a.test == Test::Present(false)) {
            atoms.retain(|a| a.test != Test::Present(true));
        }
        let mut parts: Vec<String> = Vec::new();
        for atom in &atoms {
            let text = self
                .sources
                .slice(atom.origin.span)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let part = if atom.origin.negated {
                format!("not `{text}`")
            } else {
                format!("`{text}`")
            };
            if !parts.contains(&part) {
                parts.push(part);
            }
        }
        let mut help = format!(
            "no value of `{}` satisfies {}",
            conflict.key,
            join_and(&parts)
        );
        if self.conflict_needs_schema(&atoms) {
            help.push_str(&format!(
                " within what the schema allows for `{}`",
                conflict.key
            ));
        }
        if dnf.len() > 1 {
            help = format!("none of its alternatives can hold; in the first, {help}");
        }
        help
    }

    /// Whether the atoms contradict only given the field's declared range.
    fn conflict_needs_schema(&self, atoms: &[&Atom]) -> bool {
        let mut range = super::interval::Interval::ALL;
        let mut any_range = false;
        for atom in atoms {
            if let Test::Range(i) = &atom.test {
                range = range.intersect(*i);
                any_range = true;
            }
        }
        any_range && !range.is_empty()
    }

    /// Warns when every record on which `rule` would decide is decided by
    /// an earlier rule.
    fn shadowed(
        &mut self,
        rule: &ast::Rule,
        reaching: &Dnf,
        earlier: &[(&ast::Rule, Option<Dnf>)],
    ) {
        let mut by: Vec<&ast::Rule> = Vec::new();
        let mut any_possible = false;
        for conj in reaching {
            let alternative = vec![conj.clone()];
            if self.names.satisfiable(&alternative).is_err() {
                continue;
            }
            any_possible = true;
            let cost: usize = earlier
                .iter()
                .map(|(_, d)| d.as_ref().map_or(0, Vec::len))
                .sum();
            let Some(left) = self.budget.checked_sub(cost) else {
                return;
            };
            self.budget = left;
            let cover = earlier.iter().find(|(_, decides)| {
                decides
                    .as_ref()
                    .is_some_and(|d| self.names.implies(&alternative, d))
            });
            let Some((first, _)) = cover else {
                return;
            };
            if !by.iter().any(|r| r.name.text == first.name.text) {
                by.push(first);
            }
        }
        // An impossible rule is reported as such, not as shadowed.
        if !any_possible {
            return;
        }
        // Name a few; a long list helps nobody.
        let mut names: Vec<String> = by
            .iter()
            .take(3)
            .map(|r| format!("`{}`", r.name.text))
            .collect();
        if by.len() > 3 {
            names.push(format!("{} others", by.len() - 3));
        }
        let (who, help) = match by.as_slice() {
            [one] if one.otherwise.is_some() => (
                format!("rule {} comes first and decides", join_and(&names)),
                format!(
                    "rule `{}` has an `else`, so it decides every record in its `for` scope, \
                     which includes every record `{}` matches; move `{}` above it, or delete it",
                    one.name.text, rule.name.text, rule.name.text
                ),
            ),
            [one] => (
                format!("rule {} comes first and decides", join_and(&names)),
                format!(
                    "every record `{}` matches also matches `{}`, which comes first; \
                     move `{}` above it, or narrow `{}` so it leaves those records alone",
                    rule.name.text, one.name.text, rule.name.text, one.name.text
                ),
            ),
            _ => (
                format!("rules {} come first and decide", join_and(&names)),
                format!(
                    "every record `{}` matches is matched by one of them first; \
                     move `{}` above them, or delete it",
                    rule.name.text, rule.name.text
                ),
            ),
        };
        self.out.push(
            Diagnostic::warning(
                Code::ShadowedRule,
                rule.name.span,
                format!(
                    "rule `{}` never decides: {who} every record it matches",
                    rule.name.text
                ),
            )
            .with_help(help),
        );
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
