//! Decisions rendered for people: what was decided, by which rule, why, and
//! what is missing to qualify. The framing is in the language the policy
//! declares; the reasons are the author's.

use std::fmt::Write as _;

use crate::decision::Decision;
use crate::unicode::escaped;

/// An indented, readable explanation of a decision.
pub fn explain(decision: &Decision) -> String {
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

/// Every condition tried, in order, with operand values.
pub fn trace(decision: &Decision) -> String {
    let w = decision.language.words();
    let mut out = explain(decision);
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
