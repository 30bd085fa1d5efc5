//! Completion: what may be written at the cursor, from the name index.
//!
//! The text before the cursor says which kind of name fits: a calendar
//! after `calendar`, a rule after `explain unmet conditions of`, an
//! outcome after `then`/`else`/`otherwise`, an output after an outcome's
//! comma, an enum value after `<enum field> =` or `in [`, the rest of a
//! dotted field path after a dot, and otherwise fields, `let`s and
//! functions.

use lsp_types::{CompletionItem, CompletionItemKind, CompletionTextEdit, Range, TextEdit};

use crate::names::{Definition, Kind, NameIndex};

/// What fits at the cursor.
#[derive(Debug, PartialEq, Eq)]
enum Context<'t> {
    Calendar,
    Rule,
    Outcome,
    /// After an outcome's comma: outputs (and `explain ...`).
    Output,
    /// After `<path> =` or `<path> in [`: that field's values.
    EnumValue(&'t str),
    /// An expression.
    Expr,
}

/// A completion before it becomes an item: label, kind, detail, and the
/// byte where the text it replaces starts.
type Candidate = (String, CompletionItemKind, Option<String>, usize);

/// The completions at byte `offset` of `text`, in the ruleset `ruleset`
/// (when the cursor is in one). `replace` gives the range of the partly
/// typed word, which an item replaces.
pub(super) fn complete(
    names: &NameIndex,
    text: &str,
    offset: usize,
    ruleset: Option<&str>,
    replace: impl Fn(usize, usize) -> Range,
) -> Vec<CompletionItem> {
    let before = text.get(..offset).unwrap_or("");
    let (word_start, word) = last_word(before);
    let head = before.get(..word_start).unwrap_or("");
    let local =
        |d: &&Definition| d.symbol.ruleset.is_none() || d.symbol.ruleset.as_deref() == ruleset;
    let of_kind = |kind: Kind| {
        names
            .definitions()
            .filter(move |d| d.symbol.kind == kind)
            .filter(local)
    };
    let values_of = |path: &str| {
        of_kind(Kind::Field)
            .chain(of_kind(Kind::Output))
            .find(|d| d.symbol.name == path)
            .map(|d| d.values.clone())
            .unwrap_or_default()
    };
    let named = |kind: Kind, item: CompletionItemKind| {
        of_kind(kind)
            .map(|d| (d.symbol.name.clone(), item, d.detail.clone(), word_start))
            .collect::<Vec<Candidate>>()
    };
    let candidates: Vec<Candidate> = match context(head) {
        Context::Calendar => named(Kind::Calendar, CompletionItemKind::MODULE),
        Context::Rule => named(Kind::Rule, CompletionItemKind::METHOD),
        Context::Outcome => named(Kind::Outcome, CompletionItemKind::ENUM_MEMBER),
        Context::Output => {
            let mut c = named(Kind::Output, CompletionItemKind::PROPERTY);
            let explain = "explain unmet conditions of".to_string();
            c.push((explain, CompletionItemKind::KEYWORD, None, word_start));
            c
        }
        Context::EnumValue(path) if !values_of(path).is_empty() => values_of(path)
            .into_iter()
            .map(|v| {
                (
                    v,
                    CompletionItemKind::ENUM_MEMBER,
                    Some(path.to_string()),
                    word_start,
                )
            })
            .collect(),
        // `new_limit = ` on an output that is no enum: any expression.
        Context::EnumValue(_) | Context::Expr => {
            let mut c = Vec::new();
            // After a dot, the rest of the path replaces what follows the
            // last dot (editors treat `.` as a word boundary).
            let (group, from) = match word.rfind('.') {
                Some(dot) => (word.get(..=dot).unwrap_or(""), word_start + dot + 1),
                None => ("", word_start),
            };
            for d in of_kind(Kind::Field) {
                if let Some(rest) = d.symbol.name.strip_prefix(group) {
                    c.push((
                        rest.to_string(),
                        CompletionItemKind::FIELD,
                        d.detail.clone(),
                        from,
                    ));
                }
            }
            if group.is_empty() {
                c.extend(named(Kind::Let, CompletionItemKind::VARIABLE));
                c.extend(crate::builtins::BUILTINS.iter().map(|spec| {
                    let detail = Some(spec.signature.to_string());
                    (
                        spec.name.to_string(),
                        CompletionItemKind::FUNCTION,
                        detail,
                        from,
                    )
                }));
            }
            c
        }
    };
    let mut items: Vec<CompletionItem> = Vec::new();
    for (label, kind, detail, from) in candidates {
        if items.iter().any(|i| i.label == label) {
            continue;
        }
        items.push(CompletionItem {
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range: replace(from, offset),
                new_text: label.clone(),
            })),
            label,
            kind: Some(kind),
            detail,
            ..CompletionItem::default()
        });
    }
    items
}

/// Which kind of name fits after `head` (the text before the word typed).
fn context(head: &str) -> Context<'_> {
    let trimmed = head.trim_end();
    let (start, word) = last_word(trimmed);
    match word {
        "calendar" => return Context::Calendar,
        "then" | "else" | "otherwise" => return Context::Outcome,
        "of" if trimmed
            .get(..start)
            .unwrap_or("")
            .trim_end()
            .ends_with("conditions") =>
        {
            return Context::Rule
        }
        _ => {}
    }
    if let Some(rest) = trimmed.strip_suffix('=') {
        if !rest.ends_with(['<', '>', '!', '=']) {
            let (_, path) = last_word(rest.trim_end());
            return Context::EnumValue(path);
        }
    }
    // `x in [a, ` or `x not in [`
    if let Some(open) = trimmed.rfind('[') {
        let inside = trimmed.get(open + 1..).unwrap_or("");
        let lead = trimmed.get(..open).unwrap_or("").trim_end();
        if !inside.contains(']') && (inside.trim().is_empty() || trimmed.ends_with(',')) {
            if let Some(lead) = lead.strip_suffix("in") {
                let lead = lead.trim_end();
                let lead = lead.strip_suffix("not").map_or(lead, str::trim_end);
                let (_, path) = last_word(lead);
                if !path.is_empty() {
                    return Context::EnumValue(path);
                }
            }
        }
    }
    if trimmed.ends_with(',') && in_outcome_clause(trimmed) {
        return Context::Output;
    }
    Context::Expr
}

/// The word (dotted path) a text ends with, and where it starts.
fn last_word(s: &str) -> (usize, &str) {
    let start = s
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        .last()
        .map_or(s.len(), |(i, _)| i);
    (start, s.get(start..).unwrap_or(""))
}

/// Whether the last clause keyword before the end is an outcome's
/// (`then`, `else`, `otherwise`) rather than a condition's.
fn in_outcome_clause(text: &str) -> bool {
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    words
        .iter()
        .rev()
        .find(|w| {
            matches!(
                **w,
                "then"
                    | "else"
                    | "otherwise"
                    | "when"
                    | "rule"
                    | "let"
                    | "because"
                    | "require"
                    | "if"
            )
        })
        .is_some_and(|w| matches!(*w, "then" | "else" | "otherwise"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_before_the_cursor_picks_the_kind_of_name() {
        assert_eq!(
            context("x = business_days_after(d, 3, calendar "),
            Context::Calendar
        );
        assert_eq!(context("  then "), Context::Outcome);
        assert_eq!(
            context("then hold, explain unmet conditions of "),
            Context::Rule
        );
        assert_eq!(
            context("when quota.status = "),
            Context::EnumValue("quota.status")
        );
        assert_eq!(context("when quota.status >= "), Context::Expr);
        assert_eq!(context("when s.k not in [a, "), Context::EnumValue("s.k"));
        assert_eq!(context("then increase, "), Context::Output);
        assert_eq!(context("when min(a, "), Context::Expr);
        assert_eq!(context("when "), Context::Expr);
    }
}
