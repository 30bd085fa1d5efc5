//! pest pairs -> syntax tree. One `lower_*` function per grammar rule.
//!
//! Lowering never panics: a pair of an unexpected shape (grammar and lowering
//! out of step) becomes an internal diagnostic and an error node. Problems in
//! literals (`2026-02-30`, `1e400`) are reported here, all of them, and
//! lowering goes on.

mod decl;
mod expr;

use std::cell::RefCell;

use pest::iterators::Pair;

use super::grammar::{is_keyword_token, Rule};
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::{FileId, Span};

/// Expressions nested deeper than this are refused, which bounds the
/// recursion of every later phase.
pub(crate) const MAX_EXPR_DEPTH: u32 = 200;

pub(crate) struct Lowerer {
    file: FileId,
    /// Where the text pest saw starts in the file (an item parsed on its
    /// own during error recovery starts past 0).
    offset: usize,
    diagnostics: RefCell<Vec<Diagnostic>>,
}

pub(super) type Depth = u32;

impl Lowerer {
    pub(crate) fn new(file: FileId) -> Self {
        Lowerer::at(file, 0)
    }

    /// A lowerer for text that starts `offset` bytes into the file.
    pub(crate) fn at(file: FileId, offset: usize) -> Self {
        Lowerer {
            file,
            offset,
            diagnostics: RefCell::new(Vec::new()),
        }
    }

    pub(crate) fn finish(self) -> Vec<Diagnostic> {
        self.diagnostics.into_inner()
    }

    pub(super) fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, self.offset + s.start(), self.offset + s.end())
    }

    pub(super) fn report(&self, diagnostic: Diagnostic) {
        self.diagnostics.borrow_mut().push(diagnostic);
    }

    /// A pair of a shape lowering did not expect: a bug, reported as such.
    pub(super) fn internal(&self, pair: &Pair<'_, Rule>, what: &str) {
        self.report(
            Diagnostic::error(
                Code::Syntax,
                self.span(pair),
                format!("internal error: unexpected {what} `{}`", pair.as_str()),
            )
            .with_help("please report this rule text to the verdikt maintainers"),
        );
    }

    pub(super) fn name(&self, pair: &Pair<'_, Rule>) -> Name {
        Name {
            text: pair.as_str().to_string(),
            span: self.span(pair),
        }
    }

    pub(crate) fn lower_file(&self, pair: Pair<'_, Rule>) -> File {
        let mut decls = Vec::new();
        for p in children(pair) {
            match p.as_rule() {
                Rule::schema => decls.push(Decl::Schema(self.lower_schema(p))),
                Rule::calendar => decls.push(Decl::Calendar(self.lower_calendar(p))),
                Rule::ruleset => decls.push(Decl::Ruleset(self.lower_ruleset(p))),
                Rule::language_decl => {
                    if let Some(name) = children(p).next() {
                        decls.push(Decl::Language(self.name(&name)));
                    }
                }
                Rule::EOI => {}
                _ => self.internal(&p, "declaration"),
            }
        }
        File {
            decls,
            broken: Vec::new(),
        }
    }
}

/// The children of a pair, without keyword tokens.
pub(super) fn children<'i>(pair: Pair<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
    pair.into_inner().filter(|p| !is_keyword_token(p.as_rule()))
}

pub(super) fn base_type(text: &str) -> BaseType {
    match text {
        "int" => BaseType::Int,
        "decimal" => BaseType::Decimal,
        "money" => BaseType::Money,
        "rate" => BaseType::Rate,
        "bool" => BaseType::Bool,
        "date" => BaseType::Date,
        _ => BaseType::Text,
    }
}

pub(super) fn cmp_op(r: Rule) -> CmpOp {
    match r {
        Rule::ne => CmpOp::Ne,
        Rule::lt => CmpOp::Lt,
        Rule::le => CmpOp::Le,
        Rule::gt => CmpOp::Gt,
        Rule::ge => CmpOp::Ge,
        _ => CmpOp::Eq,
    }
}

pub(super) fn missing_name(span: Span) -> Name {
    Name {
        text: String::new(),
        span,
    }
}

pub(super) fn error_expr(span: Span) -> Expr {
    Expr {
        kind: ExprKind::Error,
        span,
    }
}

pub(super) fn error_literal(span: Span) -> Literal {
    Literal {
        value: LitValue::Error,
        text: String::new(),
        span,
    }
}

pub(super) fn missing_clause(span: Span) -> OutcomeClause {
    OutcomeClause {
        outcome: missing_name(span),
        assignments: Vec::new(),
        explain_unmet: None,
        because: None,
        because_when: None,
        span,
    }
}

/// `ast::Rule` under another name: `Rule` here is pest's rule enum.
pub(super) type Rule_ = crate::ast::Rule;
