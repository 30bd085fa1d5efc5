//! Decisions rendered for people: what was decided, by which rule, why, and
//! what is missing to qualify.

use std::fmt::Write as _;

use crate::decision::Decision;

/// An indented, readable explanation of a decision.
pub fn explain(decision: &Decision) -> String {
    let mut out = String::new();
    let id = decision
        .merchant_id
        .as_deref()
        .unwrap_or("(no merchant_id)");
    let _ = writeln!(out, "merchant {id} · rules {}", decision.ruleset_version);
    for r in &decision.rulesets {
        out.push('\n');
        let title = r
            .title
            .as_deref()
            .map(|t| format!("{t} ({})", r.ruleset))
            .unwrap_or_else(|| r.ruleset.to_string());
        let by = match &r.rule {
            Some(rule) if &**rule == "otherwise" => "no rule matched (otherwise)".to_string(),
            Some(rule) => format!("rule `{rule}`"),
            None => "the ruleset does not apply".to_string(),
        };
        let _ = writeln!(out, "{title}: {} — {by}", r.outcome);
        for (name, value) in &r.outputs {
            let _ = writeln!(out, "  {name}: {}", value.human());
        }
        if !r.reasons.is_empty() && r.unmet.is_empty() {
            let _ = writeln!(out, "  because:");
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
            let _ = writeln!(out, "  not met ({}):", r.unmet.len());
            for u in &r.unmet {
                let _ = writeln!(out, "    - {}", u.reason);
                match (&u.actual, &u.required) {
                    (Some(a), Some(q)) => {
                        let _ = writeln!(out, "      {a}, required {q}");
                    }
                    _ if !u.condition.is_empty() => {
                        let _ = writeln!(out, "      condition: {}", u.condition);
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
    let mut out = explain(decision);
    out.push_str("\ntrace:\n");
    for step in &decision.trace {
        let result = match step.result {
            Some(true) => "true",
            Some(false) => "false",
            None => "absent",
        };
        let rule = step
            .rule
            .as_deref()
            .map(|r| format!(" rule {r}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  [{}{rule}] {} `{}` -> {result}",
            step.ruleset, step.kind, step.condition
        );
        for (k, v) in &step.operands {
            let _ = writeln!(out, "      {k} = {v}");
        }
    }
    out
}
