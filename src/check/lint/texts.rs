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
