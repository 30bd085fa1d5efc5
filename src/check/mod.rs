//! Syntax trees -> a checked, compiled [`Policy`].
//!
//! Every problem is pushed into one list and checking goes on, so a single
//! run reports all of them. An expression with an error gets the poison type
//! [`Ty::Error`], which silences follow-on errors about the same expression.

mod calendar;
mod call;
mod echoes;
mod expr;
mod lint;
mod required;
mod ruleset;
mod schema;

use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::{self, Decl};

use crate::calendar::Calendar;
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{
    CalendarId, Cond, CondId, ExprId, Field, FieldId, JsonText, LetDef, LetId, Node, Policy, Schema,
};
use crate::language::Language;
use crate::names::{Definition, Kind, NameIndex, Symbol};
use crate::span::{SourceMap, Span};
use crate::types::Ty;
use crate::value::{Sym, Symbols};

pub(crate) use calendar::horizon_warnings;
pub(crate) use echoes::drop_echoes;
pub(crate) use expr::{literal_value, Scope};
pub(crate) use lint::spelled_literals;
pub(crate) use required::REQUIRED;

/// Shared state of one checking run.
pub(crate) struct Checker<'a> {
    sources: &'a SourceMap,
    diagnostics: Vec<Diagnostic>,
    symbols: Symbols,
    enums: Vec<Vec<Sym>>,
    fields: Vec<Field>,
    field_index: HashMap<String, FieldId>,
    calendars: Vec<Calendar>,
    calendar_index: HashMap<String, CalendarId>,
    exprs: Vec<Node>,
    expr_spans: Vec<Span>,
    expr_types: Vec<Ty>,
    conds: Vec<Cond>,
    lets: Vec<LetDef>,
    /// The `let`s of the ruleset being checked, by name.
    current_lets: HashMap<String, (LetId, Ty)>,
    /// Where the schema is named, for errors about the whole policy.
    schema_span: Option<Span>,
    /// Every name declared and resolved so far, for editors.
    names: NameIndex,
    /// The name of the ruleset being checked.
    current_ruleset: String,
}

/// Checks and compiles parsed rule files. Returns the policy when there is
/// no error, every diagnostic (errors and warnings) either way, and the
/// index of every name it declared and resolved.
pub(crate) fn check_with_names(
    files: &[ast::File],
    sources: SourceMap,
    version: Arc<str>,
) -> (Option<Policy>, Vec<Diagnostic>, NameIndex) {
    check_all(files, sources, version, Lints::Run)
}

/// Whether a check also looks for warnings about rule text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lints {
    Run,
    /// Only errors matter (a mutant of checked rules is judged by whether
    /// it checks, not by its warnings): the lints, a large share of the
    /// time of a check, are skipped.
    Skip,
}

/// [`check_with_names`], with or without the lints.
pub(crate) fn check_all(
    files: &[ast::File],
    sources: SourceMap,
    version: Arc<str>,
    lints: Lints,
) -> (Option<Policy>, Vec<Diagnostic>, NameIndex) {
    let mut checker = Checker {
        sources: &sources,
        diagnostics: Vec::new(),
        symbols: Symbols::default(),
        enums: Vec::new(),
        fields: Vec::new(),
        field_index: HashMap::new(),
        calendars: Vec::new(),
        calendar_index: HashMap::new(),
        exprs: Vec::new(),
        expr_spans: Vec::new(),
        expr_types: Vec::new(),
        conds: Vec::new(),
        lets: Vec::new(),
        current_lets: HashMap::new(),
        schema_span: None,
        names: NameIndex::default(),
        current_ruleset: String::new(),
    };
    let decls: Vec<&Decl> = files.iter().flat_map(|f| f.decls.iter()).collect();

    checker.check_calendars(&decls);
    let mut schema = checker.check_the_schema(&decls);
    let rulesets = checker.check_rulesets(&decls);
    let language = checker.check_language(&decls);

    let mut diagnostics = std::mem::take(&mut checker.diagnostics);
    let names = std::mem::take(&mut checker.names);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return (None, diagnostics, names);
    }
    // Warnings about rule text only make sense once it has no errors.
    if lints == Lints::Run {
        diagnostics.extend(lint::lint(files, &sources));
        if !rulesets.is_empty() {
            diagnostics.extend(checker.calendars.iter().filter_map(calendar::unused));
        }
    }
    schema.fields = checker.fields;
    let json = JsonText::of(&rulesets, &version);
    let policy = Policy {
        symbols: checker.symbols,
        enums: checker.enums,
        schema,
        calendars: checker.calendars,
        exprs: checker.exprs,
        expr_spans: checker.expr_spans,
        expr_types: checker.expr_types,
        conds: checker.conds,
        lets: checker.lets,
        rulesets,
        sources,
        json,
        version,
        language,
    };
    (Some(policy), diagnostics, names)
}

impl Checker<'_> {
    /// The policy's `language` (English when it declares none): a known
    /// one, declared once.
    fn check_language(&mut self, decls: &[&Decl]) -> Language {
        let mut language = None;
        for decl in decls {
            let Decl::Language(name) = decl else {
                continue;
            };
            let Some(l) = Language::from_name(&name.text) else {
                let known = Language::ALL.iter().map(|(n, _)| *n);
                let help = match crate::suggest::did_you_mean(&name.text, known) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "write `language zh` or `language en`".to_string(),
                };
                self.report(
                    Diagnostic::error(
                        Code::Language,
                        name.span,
                        format!("no language `{}`", name.text),
                    )
                    .with_help(help),
                );
                continue;
            };
            if language.is_some() {
                self.report(
                    Diagnostic::error(Code::Language, name.span, "the language is declared twice")
                        .with_help("keep one `language` declaration for the whole rule directory"),
                );
            }
            language = Some(l);
        }
        language.unwrap_or_default()
    }

    /// The one schema: its fields and requirements (an error when there is
    /// none, or more than one).
    fn check_the_schema(&mut self, decls: &[&Decl]) -> Schema {
        let schemas: Vec<&ast::Schema> = decls
            .iter()
            .filter_map(|d| match d {
                Decl::Schema(s) => Some(s),
                _ => None,
            })
            .collect();
        let Some((first, rest)) = schemas.split_first() else {
            self.report(
                Diagnostic::global(Code::Schema, "no `schema` declared in the rule files")
                    .with_help(
                        "declare the snapshot's fields in a `schema snapshot { ... }` block",
                    ),
            );
            return Schema::default();
        };
        for extra in rest {
            self.report(
                Diagnostic::error(
                    Code::Schema,
                    extra.name.span,
                    format!("a second schema `{}`", extra.name.text),
                )
                .with_help(format!(
                    "merge its fields into schema `{}`",
                    first.name.text
                )),
            );
        }
        self.schema_span = Some(first.name.span);
        self.check_schema(first)
    }

    /// Every ruleset, once by name; an error when there is none and
    /// nothing else is wrong (with other errors it is noise).
    fn check_rulesets(&mut self, decls: &[&Decl]) -> Vec<crate::ir::Ruleset> {
        let mut ruleset_names: HashMap<String, Span> = HashMap::new();
        let mut rulesets = Vec::new();
        for decl in decls {
            if let Decl::Ruleset(r) = decl {
                if let Some(first) = ruleset_names.get(&r.name.text) {
                    let first_at = self.describe_location(*first);
                    self.report(
                        Diagnostic::error(
                            Code::DuplicateRuleset,
                            r.name.span,
                            format!("ruleset `{}` is declared twice", r.name.text),
                        )
                        .with_help(format!("rename one of them; the first is at {first_at}"))
                        .with_related(*first, "the first declaration"),
                    );
                    continue;
                }
                ruleset_names.insert(r.name.text.clone(), r.name.span);
                let symbol = Symbol::global(Kind::Ruleset, &r.name.text);
                self.names
                    .define(Definition::new(symbol, r.name.span, r.span));
                rulesets.push(self.check_ruleset(r));
            }
        }
        if ruleset_names.is_empty() && !self.diagnostics.iter().any(Diagnostic::is_error) {
            let message = "no `ruleset` declared: these rules would decide nothing";
            let help =
                "declare what to decide in a `ruleset <name> { outcomes ...; rule ... }` block";
            self.report(match self.schema_span {
                Some(at) => Diagnostic::error(Code::NoRuleset, at, message).with_help(help),
                None => Diagnostic::global(Code::NoRuleset, message).with_help(help),
            });
        }
        rulesets
    }

    /// A duplicate, pointing at the first declaration of `symbol` too.
    fn and_first(&self, diagnostic: Diagnostic, symbol: &Symbol) -> Diagnostic {
        match self.names.definition(symbol) {
            Some(first) => diagnostic.with_related(first.span, "the first declaration"),
            None => diagnostic,
        }
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn push_expr(&mut self, node: Node, span: Span, ty: Ty) -> ExprId {
        self.exprs.push(node);
        self.expr_spans.push(span);
        self.expr_types.push(ty);
        ExprId::from_index(self.exprs.len() - 1)
    }

    fn push_cond(&mut self, cond: Cond) -> CondId {
        self.conds.push(cond);
        CondId::from_index(self.conds.len() - 1)
    }

    /// `file:line:col`, for "the first is at ..." hints.
    fn describe_location(&self, span: Span) -> String {
        match self.sources.get(span.file) {
            Some(s) => {
                let (line, col) = s.line_col(span.start);
                format!("{}:{line}:{col}", s.name)
            }
            None => "an earlier place".into(),
        }
    }
}
