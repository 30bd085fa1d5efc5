//! Condition texts that are never shown. A condition's `because` explains
//! a rule that matched, but only when the rule's `then` gives no reason of
//! its own; such a `because` is never read. When the rule's unmet
//! conditions are shown (it has an `else`, or a clause explains them), the
//! text was almost certainly written for the failure, where `else "..."`
//! belongs: this is how "there is still ¥0.00 unpaid" came to explain a
//! granted bonus before the two texts had two keywords.

use std::collections::BTreeSet;

use crate::ast::{self, Condition, RulesetItem, Template};
use crate::diagnostic::{Code, Diagnostic};

pub(super) fn unshown_because(rs: &ast::Ruleset, out: &mut Vec<Diagnostic>) {
    let explained = explained_rules(rs);
    for item in &rs.items {
        let RulesetItem::Rule(rule) = item else {
            continue;
        };
        let unmet_shown = rule.otherwise.is_some() || explained.contains(&rule.name.text);
        let mut texts = Vec::new();
        if let Some(t) = &rule.when_texts.because {
            texts.push((t, rule.when_texts.unmet.is_some()));
        }
        group_texts(&rule.when, &mut texts);
        for (t, has_else) in texts {
            // A guarded `because ... when` does not replace them.
            if rule.then.because.is_some() && rule.then.because_when.is_none() {
                out.push(never_shown(&rule.name.text, t, unmet_shown && !has_else));
            } else if unmet_shown && !has_else {
                out.push(failure_without_text(&rule.name.text, t));
            }
        }
    }
}

/// Conditions a merchant would read about but that have no text: a
/// condition of a rule whose unmet conditions are shown, with neither
/// `else` nor `because` (an item with only a `because` is
/// [`unshown_because`]'s), and an item of an `any of` in a rule whose
/// `then` takes the conditions' reasons, with no `because` (which of them
/// held is the reason; the items of an `all of` all hold, and the rule's
/// title says so). A merchant never reads rule
/// text: such a condition is counted ("1 more condition is not met") or
/// left out, so its text is what is missing. Only rules written for
/// merchants are held to it: in a ruleset whose outcomes have labels, or a
/// rule with a condition text.
pub(super) fn untold_conditions(rs: &ast::Ruleset, out: &mut Vec<Diagnostic>) {
    let explained = explained_rules(rs);
    let labelled = rs.items.iter().any(
        |i| matches!(i, RulesetItem::Outcomes(values) if values.iter().any(|v| v.label.is_some())),
    );
    for item in &rs.items {
        let RulesetItem::Rule(rule) = item else {
            continue;
        };
        if !labelled && !has_text(&rule.when, &rule.when_texts) {
            continue;
        }
        let shown = Shown {
            rule: &rule.name.text,
            unmet: rule.otherwise.is_some() || explained.contains(&rule.name.text),
            met: false,
        };
        let met = rule.then.because.is_none() || rule.then.because_when.is_some();
        untold(&rule.when, &rule.when_texts, shown, met, out);
    }
}

/// Which of a rule's condition texts a merchant reads.
#[derive(Clone, Copy)]
struct Shown<'a> {
    rule: &'a str,
    /// Its unmet conditions (it has an `else`, or a clause explains them).
    unmet: bool,
    /// Its conditions' reasons when it matches.
    met: bool,
}

/// `met`: whether the rule's `then` takes the conditions' reasons (the
/// items of an `any of` are then shown when they hold).
fn untold(
    c: &Condition,
    texts: &ast::CondTexts,
    shown: Shown<'_>,
    met: bool,
    out: &mut Vec<Diagnostic>,
) {
    let shown = Shown {
        unmet: shown.unmet && texts.unmet.is_none() && texts.because.is_none(),
        met: shown.met && texts.because.is_none(),
        ..shown
    };
    if !shown.unmet && !shown.met && !met {
        return;
    }
    match c {
        Condition::Group(g) => {
            let items = Shown {
                met: shown.met || (met && g.kind == ast::GroupKind::Any),
                ..shown
            };
            for item in &g.items {
                let texts = ast::CondTexts {
                    because: item.because.clone(),
                    unmet: item.unmet.clone(),
                };
                untold(&item.condition, &texts, items, met, out);
            }
        }
        Condition::Expr(_) if !shown.unmet && !shown.met => {}
        Condition::Expr(e) => {
            let (when, keyword) = if shown.unmet {
                ("fails", "else")
            } else {
                ("holds", "because")
            };
            out.push(
                Diagnostic::warning(
                    Code::ConditionText,
                    e.span,
                    format!(
                        "this condition of rule `{}` has no text for merchants: when it {when}, \
                         the explanation {}",
                        shown.rule,
                        if shown.unmet {
                            "only counts it"
                        } else {
                            "leaves it out"
                        }
                    ),
                )
                .with_help(format!(
                    "write what it means for the merchant after the condition: `{keyword} \"...\"`"
                )),
            );
        }
    }
}

/// Whether a condition or any item of it has a text.
fn has_text(c: &Condition, texts: &ast::CondTexts) -> bool {
    texts.because.is_some()
        || texts.unmet.is_some()
        || matches!(c, Condition::Group(g) if g.items.iter().any(|i| {
            let texts = ast::CondTexts { because: i.because.clone(), unmet: i.unmet.clone() };
            has_text(&i.condition, &texts)
        }))
}

/// The rules whose unmet conditions a clause explains.
fn explained_rules(rs: &ast::Ruleset) -> BTreeSet<String> {
    let mut explained = BTreeSet::new();
    let mut note = |c: &ast::OutcomeClause| {
        if let Some(rule) = &c.explain_unmet {
            explained.insert(rule.text.clone());
        }
    };
    for item in &rs.items {
        match item {
            RulesetItem::Rule(r) => {
                note(&r.then);
                if let Some(c) = &r.otherwise {
                    note(c);
                }
            }
            RulesetItem::Otherwise(c) => note(c),
            RulesetItem::Applies(a) => note(&a.otherwise),
            _ => {}
        }
    }
    explained
}

/// Every `because` of a group's items, at any depth, with whether the item
/// also has an `else`.
fn group_texts<'a>(c: &'a Condition, out: &mut Vec<(&'a Template, bool)>) {
    let Condition::Group(g) = c else {
        return;
    };
    for item in &g.items {
        if let Some(t) = &item.because {
            out.push((t, item.unmet.is_some()));
        }
        group_texts(&item.condition, out);
    }
}

/// A `because` on a condition of a rule whose failures are shown, with no
/// `else`: when the condition fails, the reader gets generated text.
fn failure_without_text(rule: &str, t: &Template) -> Diagnostic {
    Diagnostic::warning(
        Code::ConditionText,
        t.span,
        format!(
            "this text is shown only when the condition holds; when it fails, rule `{rule}` shows \
             the condition's rule text instead"
        ),
    )
    .with_help(
        "if this text says what is missing, write it after `else` (`else \"...\"`); keep \
         `because` for the text that explains a rule that matched",
    )
}

fn never_shown(rule: &str, t: &Template, meant_for_failure: bool) -> Diagnostic {
    let d = Diagnostic::warning(
        Code::ConditionText,
        t.span,
        format!(
            "this `because` text is never shown: rule `{rule}` gives its own reason after `then`"
        ),
    );
    if meant_for_failure {
        d.with_help(
            "a condition's `because` explains a rule that matched; the text shown when the \
             condition fails is written `else \"...\"`",
        )
    } else {
        d.with_help(
            "delete it, or drop the `because` after `then` so that this text explains the rule",
        )
    }
}
