//! Decisions rendered for people, in two views. [`explain`] is the
//! merchant's: outcome labels, rule titles, the author's texts with the
//! record's values, what is missing to qualify, and never a name from the
//! rule files. [`trace`] is the author's: names, rule texts and every
//! condition tried. The framing is in the language the policy declares.

use std::fmt::Write as _;

use crate::decision::{Decision, OutputValue, RulesetDecision};
use crate::unicode::escaped;

/// The merchant's view of a decision: for each ruleset its title, the
/// outcome's label and the deciding rule's title, the labelled outputs,
/// the author's reasons, and the unmet conditions with the record's value
/// against the required one. Rule, output and field names, `otherwise` and
/// rule text never appear: a condition without a text is counted, not
/// quoted.
pub fn explain(decision: &Decision) -> String {
    let w = decision.language.words();
    let mut out = String::new();
    let id = escaped(decision.merchant_id.as_deref().unwrap_or(w.no_merchant_id));
    let _ = writeln!(out, "{} {id}", w.merchant);
    for r in &decision.rulesets {
        out.push('\n');
        explain_ruleset(r, w, &mut out);
    }
    out
}

/// One ruleset of the merchant's view.
fn explain_ruleset(r: &RulesetDecision, w: &crate::language::Words, out: &mut String) {
    let title = r.title.as_deref().unwrap_or(&r.ruleset);
    let outcome = r.outcome_label.as_deref().unwrap_or(&r.outcome);
    match r.rule_title.as_deref() {
        Some(rule) if rule != outcome => {
            let _ = writeln!(out, "{title}{}{outcome} — {rule}", w.label);
        }
        _ => {
            let _ = writeln!(out, "{title}{}{outcome}", w.label);
        }
    }
    for ((_, value), label) in r.outputs.iter().zip(&r.output_labels) {
        let Some(label) = label else { continue };
        match value {
            OutputValue::List(items) if items.is_empty() => {}
            OutputValue::List(items) => {
                let _ = writeln!(out, "  {label}{}", w.colon);
                for item in items {
                    let _ = writeln!(out, "    - {}", escaped(&item.human()));
                }
            }
            other => {
                let _ = writeln!(out, "  {label}{}{}", w.label, escaped(&other.human()));
            }
        }
    }
    // Reasons of their own (a `because`, the reasons of a matched rule);
    // an unmet condition's text is listed with its values below.
    let own: Vec<&String> = r
        .reasons
        .iter()
        .zip(r.reasons_written.iter().chain(std::iter::repeat(&false)))
        .filter(|(text, written)| **written && !r.unmet.iter().any(|u| &u.reason == *text))
        .map(|(text, _)| text)
        .collect();
    if r.unmet.is_empty() {
        if !own.is_empty() {
            let _ = writeln!(out, "  {}{}", w.because, w.colon);
            for reason in own {
                let _ = writeln!(out, "    - {reason}");
            }
        }
        return;
    }
    for reason in own {
        let _ = writeln!(out, "  {reason}");
    }
    let (open, close) = w.not_met;
    let _ = writeln!(out, "  {open}{}{close}{}", r.unmet.len(), w.colon);
    let mut untold = 0usize;
    for u in &r.unmet {
        if !u.written {
            untold = untold.saturating_add(1);
            continue;
        }
        let _ = writeln!(out, "    - {}", u.reason);
        if let Some((actual, required)) = &u.values {
            // The author's text usually shows both values already.
            let need = required
                .trim_start_matches(['≥', '≤', '≠', '>', '<', '∈', '∉'])
                .trim_start();
            if !(u.reason.contains(actual.as_str()) && u.reason.contains(need)) {
                let _ = writeln!(
                    out,
                    "      {}{actual}{}{} {required}",
                    w.now, w.comma, w.required
                );
            }
        }
    }
    // When none is told, the heading's count says it all.
    if untold > 0 && untold < r.unmet.len() {
        let (open, close) = w.untold;
        let _ = writeln!(out, "    - {open}{untold}{close}");
    }
}

/// The author's view: every ruleset with its outcome, deciding rule,
/// outputs by name, reasons, and unmet conditions with their rule text.
fn explain_author(decision: &Decision) -> String {
    let w = decision.language.words();
    let mut out = String::new();
    // Record text is shown with its control characters spelled out; the
    // reasons' values already are (the author's line breaks stay).
    let id = escaped(decision.merchant_id.as_deref().unwrap_or(w.no_merchant_id));
    let _ = writeln!(
        out,
        "{} {id} · {} {}",
        w.merchant, w.rules, decision.ruleset_version
    );
    for r in &decision.rulesets {
        out.push('\n');
        let title = r
            .title
            .as_deref()
            .map(|t| format!("{t}{}{}{}", w.paren.0, r.ruleset, w.paren.1))
            .unwrap_or_else(|| r.ruleset.to_string());
        let by = match &r.rule {
            Some(rule) if &**rule == "otherwise" => w.no_rule_matched.to_string(),
            Some(rule) => format!("{} `{rule}`", w.rule),
            None => w.does_not_apply.to_string(),
        };
        let _ = writeln!(out, "{title}{}{} — {by}", w.label, r.outcome);
        for (name, value) in &r.outputs {
            let _ = writeln!(out, "  {name}: {}", escaped(&value.human()));
        }
        if !r.reasons.is_empty() && r.unmet.is_empty() {
            let _ = writeln!(out, "  {}{}", w.because, w.colon);
            for reason in &r.reasons {
                let _ = writeln!(out, "    - {reason}");
            }
        }
        if !r.unmet.is_empty() {
            let extra: Vec<&String> = r
                .reasons
                .iter()
                .filter(|x| !r.unmet.iter().any(|u| &u.reason == *x))
                .collect();
            for reason in extra {
                let _ = writeln!(out, "  {reason}");
            }
            let (open, close) = w.not_met;
            let _ = writeln!(out, "  {open}{}{close}{}", r.unmet.len(), w.colon);
            for u in &r.unmet {
                let _ = writeln!(out, "    - {}", u.reason);
                match (&u.actual, &u.required) {
                    (Some(a), Some(q)) => {
                        let _ = writeln!(out, "      {a}{}{} {q}", w.comma, w.required);
                    }
                    _ if !u.condition.is_empty() => {
                        let _ = writeln!(out, "      {}{}{}", w.condition, w.label, u.condition);
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// The author's view of a decision: each ruleset with its outcome, the
/// deciding rule's name, outputs by name, reasons and unmet conditions with
/// their rule text; then every condition tried, in order, with operand
/// values (when the decision was made with a trace).
pub fn trace(decision: &Decision) -> String {
    let w = decision.language.words();
    let mut out = explain_author(decision);
    let _ = writeln!(out, "\n{}{}", w.trace, w.colon);
    for step in &decision.trace {
        let result = match step.result {
            Some(true) => w.yes,
            Some(false) => w.no,
            None => w.absent,
        };
        let rule = step
            .rule
            .as_deref()
            .map(|r| format!(" {} {r}", w.rule))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  [{}{rule}] {} `{}` -> {result}",
            step.ruleset,
            w.step(step.kind),
            step.condition
        );
        for (k, v) in &step.operands {
            let _ = writeln!(out, "      {k} = {v}");
        }
    }
    out
}
