//! A merchant's change, as its authors read it: per ruleset the outcome,
//! the deciding rule and each output old → new, the reasons removed (`-`)
//! and added (`+`); the explanation's lines only when nothing else moved
//! (or when asked for), since they repeat what the record says.

use std::fmt::Write as _;

use serde_json::Value;

use super::{Entry, Status};

/// Above this many line pairs, an explanation diff lists every old line
/// removed and every new one added instead of matching them.
const MAX_DIFF_CELLS: usize = 1 << 20;

/// The indented lines that say how `entry` changed (empty when it did
/// not); `explanations` adds the explanation's line diff even when the
/// record changed.
pub(crate) fn render_change(entry: &Entry, explanations: bool) -> String {
    let mut out = String::new();
    match (entry.status, &entry.old, &entry.new) {
        (Status::Unchanged, _, _) => {}
        (Status::Orphan, _, _) => {}
        (Status::New, _, Some(new)) => {
            for section in sections(new) {
                let mut lines = Vec::new();
                summary_of(&section, &mut lines);
                push_section(&mut out, &section.label, &lines);
            }
        }
        (Status::Changed, Some(old), Some(new)) => {
            let (old, new) = (sections(old), sections(new));
            let count = old.len().max(new.len());
            for i in 0..count {
                let lines = match (old.get(i), new.get(i)) {
                    (Some(a), Some(b)) => section_change(a, b, explanations),
                    (None, Some(b)) => {
                        let mut lines = vec!["added:".to_string()];
                        summary_of(b, &mut lines);
                        lines
                    }
                    (Some(a), None) => {
                        let mut lines = vec!["removed, was:".to_string()];
                        summary_of(a, &mut lines);
                        lines
                    }
                    (None, None) => Vec::new(),
                };
                let label = new
                    .get(i)
                    .or_else(|| old.get(i))
                    .map(|s| s.label.clone())
                    .unwrap_or_default();
                push_section(&mut out, &label, &lines);
            }
        }
        _ => {}
    }
    out
}

/// One snapshot of a stored body, read back.
#[derive(Debug, Default)]
struct Section {
    /// `document 2`, `line 3`; empty for a file of one snapshot.
    label: String,
    /// The decision record, when the text is one.
    record: Option<Value>,
    /// Why the snapshot was rejected, when it was.
    rejected: Option<String>,
    /// The explanation (or, when the text could not be read as a record,
    /// all of it).
    explanation: String,
}

/// Reads a body back into its snapshots.
fn sections(body: &str) -> Vec<Section> {
    let mut out: Vec<(String, Vec<&str>)> = Vec::new();
    for line in body.lines() {
        match line.strip_prefix("=== ") {
            Some(label) => out.push((label.to_string(), Vec::new())),
            None => match out.last_mut() {
                Some((_, lines)) => lines.push(line),
                None => out.push((String::new(), vec![line])),
            },
        }
    }
    out.into_iter()
        .map(|(label, lines)| section(label, &lines))
        .collect()
}

fn section(label: String, lines: &[&str]) -> Section {
    let mut s = Section {
        label,
        ..Section::default()
    };
    if let Some(why) = lines.first().and_then(|l| l.strip_prefix("rejected: ")) {
        s.rejected = Some(why.to_string());
        return s;
    }
    if lines.first() == Some(&"{") {
        if let Some(end) = lines.iter().position(|l| *l == "}") {
            let json = lines.get(..=end).unwrap_or_default().join("\n");
            if let Ok(value) = serde_json::from_str(&json) {
                s.record = Some(value);
                s.explanation = lines.get(end + 1..).unwrap_or_default().join("\n");
                return s;
            }
        }
    }
    s.explanation = lines.join("\n");
    s
}

fn push_section(out: &mut String, label: &str, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    let indent = if label.is_empty() {
        "    "
    } else {
        let _ = writeln!(out, "    {label}:");
        "      "
    };
    for line in lines {
        let _ = writeln!(out, "{indent}{line}");
    }
}

/// What a snapshot decided, one line per ruleset.
fn summary_of(s: &Section, lines: &mut Vec<String>) {
    if let Some(why) = &s.rejected {
        lines.push(format!("rejected: {why}"));
        return;
    }
    let Some(record) = &s.record else {
        lines.push("(not a decision record)".into());
        return;
    };
    for (ruleset, d) in rulesets(record) {
        let rule = match d.get("rule") {
            Some(rule) => format!(" (rule {})", shown(Some(rule))),
            None => String::new(),
        };
        lines.push(format!("{ruleset}: {}{rule}", shown(d.get("outcome"))));
    }
}

/// The lines that say how one snapshot changed.
fn section_change(old: &Section, new: &Section, explanations: bool) -> Vec<String> {
    let mut lines = Vec::new();
    match (&old.rejected, &new.rejected) {
        (Some(a), Some(b)) => {
            if a != b {
                lines.push(format!("- rejected: {a}"));
                lines.push(format!("+ rejected: {b}"));
            }
            return lines;
        }
        (Some(a), None) => {
            lines.push(format!("was rejected ({a}), now decided:"));
            summary_of(new, &mut lines);
            return lines;
        }
        (None, Some(b)) => {
            lines.push(format!("now rejected: {b}"));
            return lines;
        }
        (None, None) => {}
    }
    let record_moved = match (&old.record, &new.record) {
        (Some(a), Some(b)) => {
            record_change(a, b, &mut lines);
            a != b
        }
        _ => true,
    };
    if (!record_moved || explanations || old.record.is_none()) && old.explanation != new.explanation
    {
        lines.push("explanation:".into());
        for line in line_diff(&old.explanation, &new.explanation) {
            lines.push(format!("  {line}"));
        }
    }
    lines
}

/// Per ruleset: outcome, rule, outputs, reasons, old → new.
fn record_change(old: &Value, new: &Value, lines: &mut Vec<String>) {
    if old.get("merchant_id") != new.get("merchant_id") {
        lines.push(format!(
            "merchant_id: {} → {}",
            shown(old.get("merchant_id")),
            shown(new.get("merchant_id"))
        ));
    }
    let (before, after) = (rulesets(old), rulesets(new));
    let mut names: Vec<&str> = before.iter().map(|(n, _)| *n).collect();
    for (n, _) in &after {
        if !names.contains(n) {
            names.push(n);
        }
    }
    for name in names {
        let a = before.iter().find(|(n, _)| *n == name).map(|(_, d)| *d);
        let b = after.iter().find(|(n, _)| *n == name).map(|(_, d)| *d);
        let (a, b) = match (a, b) {
            (Some(a), Some(b)) => (a, b),
            (None, Some(b)) => {
                lines.push(format!("{name}: added, {}", shown(b.get("outcome"))));
                continue;
            }
            (Some(a), None) => {
                lines.push(format!("{name}: removed, was {}", shown(a.get("outcome"))));
                continue;
            }
            (None, None) => continue,
        };
        let mut keys: Vec<&str> = vec!["outcome", "rule"];
        for key in a.keys().chain(b.keys()) {
            if !keys.contains(&key.as_str()) && key != "reasons" {
                keys.push(key);
            }
        }
        for key in keys {
            let (x, y) = (a.get(key), b.get(key));
            if x != y {
                lines.push(format!("{name}.{key}: {} → {}", shown(x), shown(y)));
            }
        }
        let reasons = |d: &serde_json::Map<String, Value>| -> Vec<String> {
            match d.get("reasons") {
                Some(Value::Array(items)) => items.iter().map(|r| shown(Some(r))).collect(),
                _ => Vec::new(),
            }
        };
        let (ra, rb) = (reasons(a), reasons(b));
        if ra != rb {
            lines.push(format!("{name}.reasons:"));
            for line in line_diff(&ra.join("\n"), &rb.join("\n")) {
                lines.push(format!("  {line}"));
            }
        }
    }
}

/// A record's rulesets, in order, with their decisions.
fn rulesets(record: &Value) -> Vec<(&str, &serde_json::Map<String, Value>)> {
    match record.get("decisions") {
        Some(Value::Object(map)) => map
            .iter()
            .filter_map(|(k, v)| v.as_object().map(|d| (k.as_str(), d)))
            .collect(),
        _ => Vec::new(),
    }
}

/// A value as a person reads it: text unquoted, absent as `(none)`.
fn shown(value: Option<&Value>) -> String {
    match value {
        None => "(none)".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) => "null".into(),
        Some(other) => other.to_string(),
    }
}

/// The lines of `old` and `new`, removed ones `- `, added ones `+ `, kept
/// ones left out (a longest common subsequence).
fn line_diff(old: &str, new: &str) -> Vec<String> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let mut out = Vec::new();
    let cells = (a.len() + 1).saturating_mul(b.len() + 1);
    if cells > MAX_DIFF_CELLS {
        out.extend(a.iter().map(|l| format!("- {l}")));
        out.extend(b.iter().map(|l| format!("+ {l}")));
        return out;
    }
    // lcs[i][j]: the common lines of a[i..] and b[j..], row-major.
    let width = b.len() + 1;
    let mut lcs = vec![0usize; cells];
    let at = |i: usize, j: usize| i * width + j;
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            let value = if a.get(i) == b.get(j) {
                lcs.get(at(i + 1, j + 1)).copied().unwrap_or(0) + 1
            } else {
                let down = lcs.get(at(i + 1, j)).copied().unwrap_or(0);
                let right = lcs.get(at(i, j + 1)).copied().unwrap_or(0);
                down.max(right)
            };
            if let Some(cell) = lcs.get_mut(at(i, j)) {
                *cell = value;
            }
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                i += 1;
                j += 1;
            }
            (Some(x), Some(_))
                if lcs.get(at(i + 1, j)).copied().unwrap_or(0)
                    >= lcs.get(at(i, j + 1)).copied().unwrap_or(0) =>
            {
                out.push(format!("- {x}"));
                i += 1;
            }
            (_, Some(y)) => {
                out.push(format!("+ {y}"));
                j += 1;
            }
            (Some(x), None) => {
                out.push(format!("- {x}"));
                i += 1;
            }
            (None, None) => break,
        }
    }
    out
}
