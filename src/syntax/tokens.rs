//! The tokens of rule text, classified for highlighting: read from pest's
//! parse of the grammar (so highlighting never disagrees with the parser),
//! plus the comments of the lexical walk.

use std::ops::ControlFlow;

use pest::iterators::Pair;
use pest::Parser as _;

use super::grammar::{Rule, VerdiktParser};
use super::lexical::{self, Lexeme};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// `rule`, `when`, `and`, `true`, ...
    Keyword,
    /// `money`, `one of`'s base types.
    Type,
    /// A number, percentage, amount, date or day count.
    Number,
    /// String text (quotes and escapes included).
    Str,
    /// `# ...`
    Comment,
    /// `>=`, `+`, ...
    Operator,
    /// A dotted path or a plain name: a field, `let`, enum value, rule,
    /// outcome or output (the name index tells which).
    Name,
    /// A built-in function's name in a call.
    Function,
    /// A calendar's name.
    Calendar,
    /// A weekday in a calendar.
    Weekday,
}

/// One token: byte range and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) kind: TokenKind,
}

/// The tokens of a rule file in source order; only comments when the text
/// does not parse.
pub(crate) fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    lexical::walk(text, |lexeme| {
        if let Lexeme::Comment { start, end } = lexeme {
            out.push(Token {
                start,
                end,
                kind: TokenKind::Comment,
            });
        }
        ControlFlow::Continue(())
    });
    if super::check_nesting(text, crate::span::FileId(0), 0).is_none() {
        pest::set_call_limit(std::num::NonZeroUsize::new(super::CALL_LIMIT));
        if let Ok(pairs) = VerdiktParser::parse(Rule::file, text) {
            for pair in pairs {
                visit(pair, &mut out);
            }
        }
    }
    out.sort_by_key(|t| t.start);
    out
}

fn visit(pair: Pair<'_, Rule>, out: &mut Vec<Token>) {
    let span = pair.as_span();
    let mut push = |kind| {
        out.push(Token {
            start: span.start(),
            end: span.end(),
            kind,
        })
    };
    let name = format!("{:?}", pair.as_rule());
    match pair.as_rule() {
        Rule::path | Rule::ident => push(TokenKind::Name),
        Rule::calendar_name => push(TokenKind::Calendar),
        Rule::weekday => push(TokenKind::Weekday),
        Rule::base_type => push(TokenKind::Type),
        Rule::number | Rule::percent | Rule::money | Rule::date | Rule::duration_count => {
            push(TokenKind::Number)
        }
        Rule::duration_unit
        | Rule::or_op
        | Rule::and_op
        | Rule::not_op
        | Rule::group_kind
        | Rule::boolean => push(TokenKind::Keyword),
        Rule::le
        | Rule::ge
        | Rule::ne
        | Rule::lt
        | Rule::gt
        | Rule::eq
        | Rule::add
        | Rule::sub
        | Rule::mul
        | Rule::div
        | Rule::neg => push(TokenKind::Operator),
        _ if name.starts_with("kw_") => push(TokenKind::Keyword),
        Rule::call => {
            let mut inner = pair.into_inner();
            if let Some(function) = inner.next() {
                let s = function.as_span();
                out.push(Token {
                    start: s.start(),
                    end: s.end(),
                    kind: TokenKind::Function,
                });
            }
            for p in inner {
                visit(p, out);
            }
        }
        Rule::string => visit_string(pair, out),
        _ => {
            for p in pair.into_inner() {
                visit(p, out);
            }
        }
    }
}

/// A string is string text around its placeholders, whose expressions are
/// code again.
fn visit_string(pair: Pair<'_, Rule>, out: &mut Vec<Token>) {
    let span = pair.as_span();
    let mut from = span.start();
    for part in pair.into_inner() {
        if part.as_rule() != Rule::placeholder {
            continue;
        }
        let s = part.as_span();
        push_text(out, from, s.start() + 1);
        for p in part.into_inner() {
            visit(p, out);
        }
        from = s.end().saturating_sub(1);
    }
    push_text(out, from, span.end());
}

fn push_text(out: &mut Vec<Token>, start: usize, end: usize) {
    if end > start {
        out.push(Token {
            start,
            end,
            kind: TokenKind::Str,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_the_tokens_of_a_rule() {
        let text = "ruleset r { # note\n outcomes a\n rule x when min(s.v, 2) >= 1 then a because \"t {s.v}\" }";
        let kinds: Vec<(&str, TokenKind)> = tokens(text)
            .into_iter()
            .map(|t| (text.get(t.start..t.end).unwrap_or("?"), t.kind))
            .collect();
        use TokenKind::*;
        assert_eq!(
            kinds,
            vec![
                ("ruleset", Keyword),
                ("r", Name),
                ("# note", Comment),
                ("outcomes", Keyword),
                ("a", Name),
                ("rule", Keyword),
                ("x", Name),
                ("when", Keyword),
                ("min", Function),
                ("s.v", Name),
                ("2", Number),
                (">=", Operator),
                ("1", Number),
                ("then", Keyword),
                ("a", Name),
                ("because", Keyword),
                ("\"t {", Str),
                ("s.v", Name),
                ("}\"", Str),
            ]
        );
    }
}
