//! Rule text -> syntax tree. The only door to pest: no pest type leaves this
//! folder.

mod grammar;
mod invisible;
pub(crate) mod lexical;
mod lower;
mod recover;
mod scan;
pub(crate) mod tokens;

use std::num::NonZeroUsize;
use std::ops::ControlFlow;

use pest::error::{ErrorVariant, InputLocation};
use pest::Parser as _;

use crate::ast::File;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::{FileId, Source, Span};
use grammar::{describe, Rule, VerdiktParser};

/// Brackets, parentheses, placeholders, strings and `if`s nested deeper
/// than this are refused before pest sees the text: pest's recursive
/// descent (and every later phase) would otherwise exhaust the stack.
const MAX_NESTING: usize = 64;

/// Bounds pest's work on pathological input so a parse always ends.
const CALL_LIMIT: usize = 50_000_000;

/// Parses one rule file. Returns the tree and every diagnostic found
/// (syntax, literal and depth problems). A syntax error ends only its own
/// item (a schema, calendar or ruleset, or one item of a ruleset): every
/// other item is parsed and kept, and the broken ones are listed in
/// [`File::broken`]. The tree is `None` only for an internal error.
pub(crate) fn parse(source: &Source, file: FileId) -> (Option<File>, Vec<Diagnostic>) {
    let text: &str = &source.text;
    // Reported with whatever else is wrong: they make the text misleading,
    // not unreadable.
    let mut diagnostics = invisible::check_invisible(text, file);
    if check_nesting(text, file, 0).is_some() {
        let (tree, more) = recover::recover(source, file, None);
        diagnostics.extend(more);
        return (Some(tree), diagnostics);
    }
    pest::set_call_limit(NonZeroUsize::new(CALL_LIMIT));
    let mut pairs = match VerdiktParser::parse(Rule::file, text) {
        Ok(pairs) => pairs,
        Err(e) => {
            let first = syntax_error(&e, text, 0, file, &[]);
            let (tree, more) = recover::recover(source, file, Some(first));
            diagnostics.extend(more);
            return (Some(tree), diagnostics);
        }
    };
    let Some(root) = pairs.next() else {
        diagnostics.push(Diagnostic::error(
            Code::Syntax,
            Span::new(file, 0, 0),
            "internal error: empty parse",
        ));
        return (None, diagnostics);
    };
    let lowerer = lower::Lowerer::new(file);
    let tree = lowerer.lower_file(root);
    diagnostics.extend(lowerer.finish());
    if tree.decls.is_empty() && diagnostics.is_empty() {
        diagnostics.push(
            Diagnostic::warning(
                Code::EmptyFile,
                Span::new(file, 0, 0),
                "rule file declares nothing",
            )
            .with_help("add a `schema`, `calendar` or `ruleset`, or delete the file"),
        );
    }
    (Some(tree), diagnostics)
}

/// Parses a single expression (used by tests and the formatter).
#[cfg(test)]
pub(crate) fn parse_expr(text: &str, file: FileId) -> Result<crate::ast::Expr, Vec<Diagnostic>> {
    if let Some(d) = check_nesting(text, file, 0) {
        return Err(vec![d]);
    }
    pest::set_call_limit(NonZeroUsize::new(CALL_LIMIT));
    let mut pairs = VerdiktParser::parse(Rule::expr, text)
        .map_err(|e| vec![syntax_error(&e, text, 0, file, &[])])?;
    let root = pairs.next().ok_or_else(|| {
        vec![Diagnostic::error(
            Code::Syntax,
            Span::new(file, 0, 0),
            "empty expression",
        )]
    })?;
    let lowerer = lower::Lowerer::new(file);
    let expr = lowerer.lower_expr(root);
    let diagnostics = lowerer.finish();
    if diagnostics.is_empty() {
        Ok(expr)
    } else {
        Err(diagnostics)
    }
}

/// Finds the first place where nesting exceeds [`MAX_NESTING`], skipping
/// comments and string text (but not placeholders inside strings). `text`
/// starts `offset` bytes into the file.
fn check_nesting(text: &str, file: FileId, offset: usize) -> Option<Diagnostic> {
    let mut too_deep = None;
    lexical::walk(text, |lexeme| match lexeme {
        lexical::Lexeme::Open { at, len, depth } if depth > MAX_NESTING => {
            let at = at + offset;
            let what = if text.get(at - offset..at - offset + len) == Some("if") {
                "`if` expressions are nested too deeply"
            } else {
                "brackets are nested too deeply"
            };
            too_deep = Some(
                Diagnostic::error(Code::TooDeep, Span::new(file, at, at + len), what).with_help(
                    format!(
                        "nest at most {MAX_NESTING} levels (brackets and `if`s together); split the expression with `let` or use rules"
                    ),
                ),
            );
            ControlFlow::Break(())
        }
        _ => ControlFlow::Continue(()),
    });
    too_deep
}

/// A pest error as a diagnostic. The parsed text starts `offset` bytes into
/// `text` (the whole file); `after` says what may follow the parsed item,
/// when that is not the end of the file.
fn syntax_error(
    error: &pest::error::Error<Rule>,
    text: &str,
    offset: usize,
    file: FileId,
    after: &[&str],
) -> Diagnostic {
    let pos = offset
        + match error.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
    let found = found_token(text, pos);
    let end = pos + found.len().max(1).min(text.len().saturating_sub(pos));
    let span = Span::new(file, pos, end.max(pos));
    let found_words = match found_words(&found) {
        w if w.is_empty() => "end of file".to_string(),
        w => w,
    };
    let (message, expected) = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut words: Vec<&str> = Vec::new();
            for r in positives {
                match r {
                    Rule::EOI if !after.is_empty() => words.extend(after),
                    r => words.push(describe(*r)),
                }
            }
            words.sort_unstable();
            words.dedup();
            let expected = join_alternatives(&words);
            if expected.is_empty() {
                (format!("unexpected {found_words}"), words)
            } else {
                (format!("expected {expected}, found {found_words}"), words)
            }
        }
        ErrorVariant::CustomError { message } => {
            if message.contains("call limit") {
                ("rule text is too complex to parse".to_string(), Vec::new())
            } else {
                (message.clone(), Vec::new())
            }
        }
    };
    let diagnostic = Diagnostic::error(Code::Syntax, span, message);
    match hint(&found, &expected) {
        Some(h) => diagnostic.with_help(h),
        None => diagnostic,
    }
}

fn join_alternatives(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// How "found ..." names what [`found_token`] returned: empty at the end
/// of the file, and never a raw invisible character or line terminator.
fn found_words(found: &str) -> String {
    let Some(first) = found.chars().next() else {
        return String::new();
    };
    if matches!(first, '\n' | '\r') {
        return "the end of the line".to_string();
    }
    let terminator = crate::unicode::line_terminator_name(first).is_some();
    match crate::unicode::shown(first) {
        Some(shown) if terminator => format!("the line terminator {shown}"),
        Some(shown) => format!("the invisible character {shown}"),
        None => format!("`{found}`"),
    }
}

/// The word or symbol at `pos`, for "found `...`".
fn found_token(text: &str, pos: usize) -> String {
    let rest = text.get(pos..).unwrap_or("");
    let mut chars = rest.chars();
    match chars.next() {
        None => String::new(),
        // Never print a bidirectional control: it would reorder the message.
        Some(c) if crate::unicode::shown(c).is_some() => c.to_string(),
        Some(c) if c.is_alphanumeric() || c == '_' => rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
            .take(40)
            .collect(),
        Some(c) => {
            let two: String = rest.chars().take(2).collect();
            if ["&&", "||", "==", "!=", "<=", ">="].contains(&two.as_str()) {
                two
            } else {
                c.to_string()
            }
        }
    }
}

/// Keywords that start an item: text before them is over.
const ITEM_KEYWORDS: &[&str] = &[
    "schema",
    "calendar",
    "ruleset",
    "outcomes",
    "output",
    "applies",
    "require",
    "let",
    "rule",
    "otherwise",
];

/// Advice for the usual mistakes.
fn hint(found: &str, expected: &[&str]) -> Option<String> {
    const RESERVED: &[&str] = &[
        "schema",
        "calendar",
        "ruleset",
        "rule",
        "let",
        "when",
        "then",
        "else",
        "otherwise",
        "because",
        "applies",
        "for",
        "and",
        "or",
        "not",
        "in",
        "is",
        "present",
        "absent",
        "all",
        "any",
        "of",
        "one",
        "optional",
        "require",
        "output",
        "outcomes",
        "explain",
        "if",
        "true",
        "false",
        "default",
        "list",
        "empty",
    ];
    let expects = |w: &str| expected.contains(&w);
    if found == "&&" {
        return Some("write `and` instead of `&&`".into());
    }
    if found == "||" {
        return Some("write `or` instead of `||`".into());
    }
    if found == "'" {
        return Some("strings are written in double quotes: \"...\"".into());
    }
    if found == "}" && expects("`then`") {
        return Some("a rule needs `then <outcome>` after its condition".into());
    }
    if expects("a duration (`180 days`)")
        && ["week", "weeks", "month", "months", "year", "years"].contains(&found)
    {
        return Some("durations are written in days: write `90 days`, not `3 months`".into());
    }
    if expects("an expression") && ITEM_KEYWORDS.contains(&found) {
        return Some(format!(
            "the expression before `{found}` is unfinished (`{found}` starts the next item)"
        ));
    }
    if expects("an expression") && RESERVED.contains(&found) {
        return Some(format!("the expression before `{found}` is unfinished"));
    }
    if (expects("a name") || expects("a field name")) && RESERVED.contains(&found) {
        return Some(format!(
            "`{found}` is a reserved word and cannot be used as a name"
        ));
    }
    if expects("`then`") && !found.is_empty() {
        return Some("every rule reads `rule <name> when <condition> then <outcome>`; check the line above for an unfinished condition".into());
    }
    if expects("a string in double quotes") && expected.len() == 1 {
        return Some("put the text in double quotes".into());
    }
    None
}

#[cfg(test)]
mod tests;
