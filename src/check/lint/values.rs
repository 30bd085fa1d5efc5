//! Values written out in a condition's text that the condition does not
//! use: `store.rating >= 4.9 else "需达到 4.8"`. A threshold changed in the
//! condition and not in its text is what merchants would read; the fix is
//! `{required}`, which cannot drift.
//!
//! A text's numbers are read in the forms the formatter prints (`4.8`,
//! `98%`, `¥100,000.00`, `¥100,000`, `700`, `2026-01-01`), outside its
//! `{placeholders}`. One matches when it equals a literal of the condition
//! (through the `let`s it names), a percent's number (`98` for `98%`), or
//! a number in a name the condition reads (`90` in `sales.gmv_90d`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::ast::{self, BinOp, Condition, Expr, ExprKind, LitValue, RulesetItem, Template};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::{SourceMap, Span};

/// A condition with one of its texts.
struct Texted<'a> {
    condition: Cond<'a>,
    text: &'a Template,
}

#[derive(Clone, Copy)]
enum Cond<'a> {
    Expr(&'a Expr),
    Group(&'a ast::Group),
}

/// Every condition text of a ruleset whose values its condition does not use.
pub(super) fn ruleset(rs: &ast::Ruleset, sources: &SourceMap, out: &mut Vec<Diagnostic>) {
    let (lets, texts) = ruleset_texts(rs);
    for t in texts {
        check_text(&t, &lets, sources, out);
    }
}

/// A ruleset's `let`s by name, and its condition texts.
fn ruleset_texts(rs: &ast::Ruleset) -> (BTreeMap<&str, &Expr>, Vec<Texted<'_>>) {
    let lets: BTreeMap<&str, &Expr> = rs
        .items
        .iter()
        .filter_map(|i| match i {
            RulesetItem::Let(l) => Some((l.name.text.as_str(), &l.value)),
            _ => None,
        })
        .collect();
    let mut texts = Vec::new();
    for item in &rs.items {
        match item {
            RulesetItem::Require(r) => requirement(r, &mut texts),
            RulesetItem::Rule(rule) => {
                for t in [&rule.when_texts.because, &rule.when_texts.unmet]
                    .into_iter()
                    .flatten()
                {
                    texts.push(Texted {
                        condition: cond(&rule.when),
                        text: t,
                    });
                }
                group_texts(&rule.when, &mut texts);
            }
            _ => {}
        }
    }
    (lets, texts)
}

/// The schema's requirements' texts.
pub(super) fn schema(schema: &ast::Schema, sources: &SourceMap, out: &mut Vec<Diagnostic>) {
    for t in schema_texts(schema) {
        check_text(&t, &BTreeMap::new(), sources, out);
    }
}

fn schema_texts(schema: &ast::Schema) -> Vec<Texted<'_>> {
    let mut texts = Vec::new();
    for item in &schema.items {
        if let ast::SchemaItem::Require(r) = item {
            requirement(r, &mut texts);
        }
    }
    texts
}

/// Every literal that a text of its condition spells out (so a mutant of
/// it leaves the text saying the old value), by place (file, start, end),
/// with the text as spelled (`98%`).
pub(crate) fn spelled_literals(
    files: &[ast::File],
    sources: &SourceMap,
) -> BTreeMap<(u32, u32, u32), String> {
    let mut out = BTreeMap::new();
    for decl in files.iter().flat_map(|f| &f.decls) {
        let (lets, texts) = match decl {
            ast::Decl::Ruleset(rs) => ruleset_texts(rs),
            ast::Decl::Schema(s) => (BTreeMap::new(), schema_texts(s)),
            _ => continue,
        };
        for t in texts {
            let raw = sources.slice(t.text.span);
            let found = text_values(raw);
            if found.is_empty() {
                continue;
            }
            let values = condition_values(&t, &lets);
            for lit in &values.literals {
                let mut one = Values::default();
                add_literal(&lit.value, &mut one);
                if let Some(v) = found.iter().find(|v| v.value.matches(&one)) {
                    let said = raw.get(v.start..v.end).unwrap_or("").to_string();
                    out.insert((lit.span.file.0, lit.span.start, lit.span.end), said);
                }
            }
        }
    }
    out
}

/// The values a text's condition uses.
fn condition_values<'a>(t: &Texted<'a>, lets: &BTreeMap<&'a str, &'a Expr>) -> Values<'a> {
    let mut values = Values::default();
    let mut seen = BTreeSet::new();
    match t.condition {
        Cond::Expr(e) => expr_values(e, lets, &mut seen, &mut values),
        Cond::Group(g) => group_values(g, lets, &mut seen, &mut values),
    }
    values
}

fn requirement<'a>(r: &'a ast::Requirement, out: &mut Vec<Texted<'a>>) {
    if let Some(t) = &r.because {
        out.push(Texted {
            condition: Cond::Expr(&r.expr),
            text: t,
        });
    }
}

fn cond(c: &Condition) -> Cond<'_> {
    match c {
        Condition::Expr(e) => Cond::Expr(e),
        Condition::Group(g) => Cond::Group(g),
    }
}

/// The texts of a group's items, at any depth.
fn group_texts<'a>(c: &'a Condition, out: &mut Vec<Texted<'a>>) {
    let Condition::Group(g) = c else {
        return;
    };
    for item in &g.items {
        for t in [&item.because, &item.unmet].into_iter().flatten() {
            out.push(Texted {
                condition: cond(&item.condition),
                text: t,
            });
        }
        group_texts(&item.condition, out);
    }
}

/// What a condition's values are, as a text may spell them.
#[derive(Default)]
struct Values<'a> {
    numbers: BTreeSet<Decimal>,
    dates: BTreeSet<NaiveDate>,
    /// The literals the values come from (names' numbers excepted).
    literals: Vec<&'a ast::Literal>,
}

fn check_text(
    t: &Texted<'_>,
    lets: &BTreeMap<&str, &Expr>,
    sources: &SourceMap,
    out: &mut Vec<Diagnostic>,
) {
    let raw = sources.slice(t.text.span);
    let found = text_values(raw);
    if found.is_empty() {
        return;
    }
    let values = condition_values(t, lets);
    let threshold = match t.condition {
        Cond::Expr(e) => threshold(e),
        Cond::Group(_) => None,
    };
    for v in found {
        if v.value.matches(&values) {
            continue;
        }
        let Ok(start) = u32::try_from(v.start) else {
            continue;
        };
        let Ok(end) = u32::try_from(v.end) else {
            continue;
        };
        let span = Span {
            file: t.text.span.file,
            start: t.text.span.start.saturating_add(start),
            end: t.text.span.start.saturating_add(end),
        };
        let said = raw.get(v.start..v.end).unwrap_or("");
        let d = match threshold {
            Some(th) => Diagnostic::warning(
                Code::TextValue,
                span,
                format!(
                    "the text says `{said}` but the condition compares with `{}`",
                    sources.slice(th.span)
                ),
            )
            .with_help(format!("write `{{required}}` instead of `{said}`"))
            .with_replacement("{required}"),
            None => Diagnostic::warning(
                Code::TextValue,
                span,
                format!("the text says `{said}`, a value its condition does not use"),
            )
            .with_help(
                "write the value the condition uses, or a `{placeholder}` that reads it, so the \
                 text follows the rule",
            ),
        };
        out.push(d);
    }
}

fn group_values<'a>(
    g: &'a ast::Group,
    lets: &BTreeMap<&'a str, &'a Expr>,
    seen: &mut BTreeSet<&'a str>,
    out: &mut Values<'a>,
) {
    for item in &g.items {
        match &item.condition {
            Condition::Expr(e) => expr_values(e, lets, seen, out),
            Condition::Group(inner) => group_values(inner, lets, seen, out),
        }
    }
}

/// What a text may spell for one literal.
fn add_literal(value: &LitValue, out: &mut Values<'_>) {
    match *value {
        LitValue::Number(d) | LitValue::Money(d) => {
            out.numbers.insert(d.normalize());
        }
        LitValue::Percent(d) => {
            out.numbers.insert(d.normalize());
            if let Some(whole) = d.checked_mul(Decimal::ONE_HUNDRED) {
                out.numbers.insert(whole.normalize());
            }
        }
        LitValue::Days(n) => {
            out.numbers.insert(Decimal::from(n));
        }
        LitValue::Date(d) => {
            out.dates.insert(d);
        }
        LitValue::Bool(_) | LitValue::Error => {}
    }
}

/// The literals of `e` (and of the `let`s it names, each once), and the
/// numbers in the names it reads.
fn expr_values<'a>(
    e: &'a Expr,
    lets: &BTreeMap<&'a str, &'a Expr>,
    seen: &mut BTreeSet<&'a str>,
    out: &mut Values<'a>,
) {
    match &e.kind {
        ExprKind::Literal(l) => {
            add_literal(&l.value, out);
            out.literals.push(l);
        }
        ExprKind::Path(name) => {
            for digits in name.text.split(|c: char| !c.is_ascii_digit()) {
                if let Ok(d) = digits.parse::<Decimal>() {
                    out.numbers.insert(d.normalize());
                }
            }
            if let Some(value) = lets.get(name.text.as_str()) {
                if seen.insert(name.text.as_str()) {
                    expr_values(value, lets, seen, out);
                }
            }
        }
        ExprKind::Call { args, .. } | ExprKind::List(args) => {
            for a in args {
                expr_values(a, lets, seen, out);
            }
        }
        ExprKind::Not(x) | ExprKind::Neg(x) => expr_values(x, lets, seen, out),
        ExprKind::Presence { expr, .. } => expr_values(expr, lets, seen, out),
        ExprKind::Binary(_, a, b) => {
            expr_values(a, lets, seen, out);
            expr_values(b, lets, seen, out);
        }
        ExprKind::In { expr, list, .. } => {
            expr_values(expr, lets, seen, out);
            for x in list {
                expr_values(x, lets, seen, out);
            }
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            expr_values(cond, lets, seen, out);
            expr_values(then, lets, seen, out);
            expr_values(otherwise, lets, seen, out);
        }
        ExprKind::CalendarRef(_) | ExprKind::Text(_) | ExprKind::Error => {}
    }
}

/// The side a single comparison compares with, where `{required}` is
/// defined (see `check/required.rs`): the side that names nothing, the
/// side other than `as_of`, or the right side; through a presence guard
/// (`x is absent or x >= 4.8`).
fn threshold(e: &Expr) -> Option<&Expr> {
    match &e.kind {
        ExprKind::Binary(BinOp::Cmp(_), a, b) => {
            Some(match (names_something(a), names_something(b)) {
                (false, true) => a,
                (true, true) if is_as_of(b) => a,
                _ => b,
            })
        }
        ExprKind::In { .. } => None,
        ExprKind::Binary(BinOp::Or | BinOp::And, a, b) => match (&a.kind, &b.kind) {
            (ExprKind::Presence { .. }, _) => threshold(b),
            (_, ExprKind::Presence { .. }) => threshold(a),
            _ => None,
        },
        _ => None,
    }
}

fn is_as_of(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Path(n) if n.text == "as_of")
}

/// Whether an expression names a field, `let` or enum value.
fn names_something(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Path(_) | ExprKind::Presence { .. } => true,
        ExprKind::Literal(_) | ExprKind::CalendarRef(_) | ExprKind::Text(_) | ExprKind::Error => {
            false
        }
        ExprKind::Not(x) | ExprKind::Neg(x) => names_something(x),
        ExprKind::Binary(_, a, b) => names_something(a) || names_something(b),
        ExprKind::Call { args, .. } | ExprKind::List(args) => args.iter().any(names_something),
        ExprKind::In { expr, list, .. } => {
            names_something(expr) || list.iter().any(names_something)
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => names_something(cond) || names_something(then) || names_something(otherwise),
    }
}

/// A value spelled out in a text, with its byte range in the text's source.
#[derive(Debug, PartialEq)]
struct Spelled {
    value: TextValue,
    start: usize,
    end: usize,
}

#[derive(Debug, PartialEq)]
enum TextValue {
    /// `4.8`, `700`, `¥100,000.00`
    Number(Decimal),
    /// `98%`: the number written (98)
    Percent(Decimal),
    Date(NaiveDate),
}

impl TextValue {
    fn matches(&self, values: &Values<'_>) -> bool {
        match self {
            TextValue::Number(d) | TextValue::Percent(d) => values.numbers.contains(&d.normalize()),
            TextValue::Date(d) => values.dates.contains(d),
        }
    }
}

/// The values spelled out in a string literal's source (quotes included),
/// outside its `{placeholders}` and escapes.
fn text_values(raw: &str) -> Vec<Spelled> {
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => i = i.saturating_add(2),
            b'{' => {
                depth = depth.saturating_add(1);
                i += 1;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ if depth > 0 => i += 1,
            _ => match spelled_at(raw, i) {
                Some(s) => {
                    i = s.end;
                    out.push(s);
                }
                None => i += 1,
            },
        }
    }
    out
}

/// A value starting at byte `i`: a date, `¥` money, or a number (with `%`).
/// A digit right after a letter, digit or `.` is part of a word.
fn spelled_at(raw: &str, i: usize) -> Option<Spelled> {
    let rest = raw.get(i..)?;
    let before = raw.get(..i)?.chars().next_back();
    if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_') {
        return None;
    }
    let (money, digits_at) = match rest.strip_prefix('¥') {
        Some(_) => (true, i.checked_add('¥'.len_utf8())?),
        None => (false, i),
    };
    let body = raw.get(digits_at..)?;
    if !body.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if !money {
        if let Some(date) = body.get(..10).and_then(|d| {
            let ok = d.bytes().enumerate().all(|(k, c)| match k {
                4 | 7 => c == b'-',
                _ => c.is_ascii_digit(),
            });
            ok.then(|| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .flatten()
        }) {
            return Some(Spelled {
                value: TextValue::Date(date),
                start: i,
                end: digits_at.checked_add(10)?,
            });
        }
    }
    let len = number_len(body);
    let text: String = body.get(..len)?.chars().filter(|c| *c != ',').collect();
    let number: Decimal = text.parse().ok()?;
    let mut end = digits_at.checked_add(len)?;
    let value = if !money && body.get(len..)?.starts_with('%') {
        end = end.checked_add(1)?;
        TextValue::Percent(number)
    } else {
        TextValue::Number(number)
    };
    Some(Spelled {
        value,
        start: i,
        end,
    })
}

/// The length of the number at the start of `s`: digits, `,` before
/// exactly three digits, and a `.` before a digit.
fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let digit = |k: usize| b.get(k).is_some_and(u8::is_ascii_digit);
    let mut k = 0;
    let mut fraction = false;
    loop {
        if digit(k) {
            k += 1;
        } else if !fraction
            && b.get(k) == Some(&b',')
            && (1..=3).all(|d| digit(k + d))
            && !digit(k + 4)
        {
            k += 4;
        } else if !fraction && b.get(k) == Some(&b'.') && digit(k + 1) {
            fraction = true;
            k += 1;
        } else {
            return k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spelled(raw: &str) -> Vec<(TextValue, &str)> {
        text_values(raw)
            .into_iter()
            .map(|s| {
                let text = raw.get(s.start..s.end).unwrap();
                (s.value, text)
            })
            .collect()
    }

    #[test]
    fn reads_the_forms_the_formatter_prints() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(
            spelled("\"评分 {store.rating}，需达到 4.8，98%，¥100,000.00 或 ¥100,000；700 于 2026-01-01\""),
            vec![
                (TextValue::Number(d("4.8")), "4.8"),
                (TextValue::Percent(d("98")), "98%"),
                (TextValue::Number(d("100000.00")), "¥100,000.00"),
                (TextValue::Number(d("100000")), "¥100,000"),
                (TextValue::Number(d("700")), "700"),
                (
                    TextValue::Date(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
                    "2026-01-01"
                ),
            ]
        );
    }

    #[test]
    fn skips_placeholders_escapes_and_words() {
        assert_eq!(
            spelled(r#""{x + 90 days} \" gmv_90d v2 {if a then "3" else "4"}""#),
            vec![]
        );
    }
}
