//! The impact of a rule change as a person reads it: per ruleset, a
//! transition matrix, money moved, and example merchants with reasons.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use super::{Impact, OneSided, RulesetImpact, Side, Transition};
use crate::value::money_human;

/// Renders `impact`; `base` and `head` name the two rule versions.
pub(crate) fn text(impact: &Impact, base: &str, head: &str) -> String {
    let mut out = warnings(impact);
    let _ = writeln!(
        out,
        "base: {base} (version {})\nhead: {head} (version {})",
        impact.base_version, impact.head_version
    );
    let _ = writeln!(
        out,
        "records: {} read; rejected by base {}, by head {}",
        thousands(impact.read),
        thousands(impact.rejected_base),
        thousands(impact.rejected_head)
    );
    for r in &impact.rulesets {
        out.push('\n');
        ruleset(&mut out, r, impact.read);
    }
    for (sides, which) in [
        (&impact.only_in_base, "only in base (removed); base decided"),
        (&impact.only_in_head, "only in head (added); head decides"),
    ] {
        for r in sides {
            out.push('\n');
            one_sided(&mut out, r, which, impact.read);
        }
    }
    out
}

/// What a schema change hides from the report, said before it: records the
/// head rejects for a field it newly requires, and fields that changed
/// conditions read but no record has.
pub(crate) fn warnings(impact: &Impact) -> String {
    let mut out = String::new();
    for n in &impact.new_required {
        let _ = writeln!(
            out,
            "warning: head requires `{}`, which {} of {} records lack: they will be rejected by head",
            n.field,
            thousands(n.lacking),
            thousands(impact.read)
        );
    }
    for u in &impact.unseen_fields {
        let _ = writeln!(
            out,
            "warning: `{}`, read by changed conditions of {}, is in no record of the corpus (absent or its default everywhere): the diff cannot show what those changes do",
            u.field,
            u.rulesets
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !out.is_empty() {
        out.push_str("  = help: add the field to the corpus (`verdikt gen --rules HEAD` writes every field of the head's schema)");
        if !impact.new_required.is_empty() {
            out.push_str(", or declare a new field `optional` in the schema");
        }
        out.push_str("\n\n");
    }
    out
}

/// A ruleset one version has: its outcome counts, as a one-row matrix.
fn one_sided(out: &mut String, r: &OneSided, which: &str, read: u64) {
    let title = r
        .title
        .as_deref()
        .map(|t| format!(" {t}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{}{title}: {which} {} record{}:",
        r.ruleset,
        thousands(read),
        if read == 1 { "" } else { "s" }
    );
    let width = r
        .outcomes
        .iter()
        .map(|o| o.outcome.width())
        .max()
        .unwrap_or(0);
    for o in &r.outcomes {
        let pad = width.saturating_sub(o.outcome.width());
        let _ = writeln!(
            out,
            "  {}{}  {:>8}",
            o.outcome,
            " ".repeat(pad),
            thousands(o.count)
        );
    }
}

fn ruleset(out: &mut String, r: &RulesetImpact, read: u64) {
    let title = r
        .title
        .as_deref()
        .map(|t| format!(" {t}"))
        .unwrap_or_default();
    if r.changed == 0 {
        let _ = writeln!(
            out,
            "{}{title}: no change in {} decision{}",
            r.ruleset,
            thousands(read),
            if read == 1 { "" } else { "s" }
        );
        return;
    }
    let _ = writeln!(
        out,
        "{}{title}: {} of {} decisions change",
        r.ruleset,
        thousands(r.changed),
        thousands(read)
    );
    matrix(out, r);
    for m in r.money.iter().filter(|m| m.changed > 0) {
        let _ = writeln!(
            out,
            "  {}: {} of {} change ({} up, {} down); total {}; average {} per decision, {} per changed one",
            m.output,
            thousands(m.changed),
            thousands(m.compared),
            thousands(m.increased),
            thousands(m.decreased),
            signed_money(m.total_change),
            signed_money(m.average_change),
            signed_money(m.average_change_when_changed)
        );
    }
    for t in r.transitions.iter().filter(|t| !t.examples.is_empty()) {
        transition(out, t);
    }
}

/// Base outcomes down, head outcomes across; only outcomes that occur.
fn matrix(out: &mut String, r: &RulesetImpact) {
    let used: Vec<&String> = r
        .outcomes
        .iter()
        .filter(|o| r.transitions.iter().any(|t| t.from == **o || t.to == **o))
        .collect();
    let count = |from: &str, to: &str| {
        r.transitions
            .iter()
            .find(|t| t.from == from && t.to == to)
            .map_or_else(|| ".".to_string(), |t| thousands(t.count))
    };
    let corner = "base \\ head";
    let first = used
        .iter()
        .map(|o| o.width())
        .chain([corner.width()])
        .max()
        .unwrap_or(0);
    let widths: Vec<usize> = used
        .iter()
        .map(|to| {
            used.iter()
                .map(|from| count(from, to).width())
                .chain([to.width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let _ = write!(out, "  {}", pad_right(corner, first));
    for (o, w) in used.iter().zip(&widths) {
        let _ = write!(out, "  {}", pad_left(o, *w));
    }
    out.push('\n');
    for from in &used {
        let _ = write!(out, "  {}", pad_right(from, first));
        for (to, w) in used.iter().zip(&widths) {
            let _ = write!(out, "  {}", pad_left(&count(from, to), *w));
        }
        out.push('\n');
    }
}

fn transition(out: &mut String, t: &Transition) {
    let what = if t.from == t.to {
        format!(
            "  {} -> {}: {} (values change in {})",
            t.from,
            t.to,
            thousands(t.count),
            thousands(t.values_changed)
        )
    } else {
        format!("  {} -> {}: {}", t.from, t.to, thousands(t.count))
    };
    let _ = writeln!(out, "\n{what}");
    for e in &t.examples {
        let who = crate::unicode::escaped(e.merchant_id.as_deref().unwrap_or("(no merchant_id)"));
        let _ = writeln!(out, "    {who} ({}:{})", e.source, e.line);
        side(out, "before", &e.before);
        side(out, "after ", &e.after);
    }
}

fn side(out: &mut String, label: &str, s: &Side) {
    let rule = s
        .rule
        .as_deref()
        .map(|r| format!(" by {r}"))
        .unwrap_or_default();
    let outputs: Vec<String> = s
        .outputs
        .iter()
        .map(|(n, v)| format!("{n} = {}", crate::unicode::escaped(&v.human())))
        .collect();
    let outputs = if outputs.is_empty() {
        String::new()
    } else {
        format!(", {}", outputs.join(", "))
    };
    let _ = writeln!(out, "      {label}: {}{rule}{outputs}", s.outcome);
    for reason in &s.reasons {
        // A reject's problems may quote record text; reasons already show
        // their values escaped (and keep the author's line breaks).
        let reason = if s.outcome == super::REJECTED {
            crate::unicode::escaped(reason)
        } else {
            std::borrow::Cow::Borrowed(reason.as_str())
        };
        let _ = writeln!(out, "              {reason}");
    }
}

fn signed_money(d: rust_decimal::Decimal) -> String {
    if d.is_sign_positive() && !d.is_zero() {
        format!("+{}", money_human(d))
    } else {
        money_human(d)
    }
}

/// `1234567` -> `1,234,567`.
fn thousands(n: u64) -> String {
    let mut out = String::new();
    crate::value::push_grouped(&mut out, n);
    out
}

fn pad_right(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(s.width())))
}

fn pad_left(s: &str, width: usize) -> String {
    format!("{}{s}", " ".repeat(width.saturating_sub(s.width())))
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_groups_digits() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1234), "1,234");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
    }
}
