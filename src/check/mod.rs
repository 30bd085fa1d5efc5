//! Syntax trees -> a checked, compiled [`Policy`].
//!
//! Every problem is pushed into one list and checking goes on, so a single
//! run reports all of them. An expression with an error gets the poison type
//! [`Ty::Error`], which silences follow-on errors about the same expression.

mod expr;
mod lint;
mod ruleset;
mod schema;

use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::{self, Decl};
use crate::calendar::Calendar;
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{
    CalendarId, Cond, CondId, ExprId, Field, FieldId, LetDef, LetId, Node, Policy, Schema,
};
use crate::span::{SourceMap, Span};
use crate::types::Ty;
use crate::value::{Sym, Symbols};

pub(crate) use expr::Scope;

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
}

/// Checks and compiles parsed rule files. Returns the policy when there is
/// no error, and every diagnostic (errors and warnings) either way.
pub fn check(
    files: &[ast::File],
    sources: SourceMap,
    version: Arc<str>,
) -> (Option<Policy>, Vec<Diagnostic>) {
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
    };
    let decls: Vec<&Decl> = files.iter().flat_map(|f| f.decls.iter()).collect();

    for decl in &decls {
        if let Decl::Calendar(c) = decl {
            checker.check_calendar(c);
        }
    }
    let schemas: Vec<&ast::Schema> = decls
        .iter()
        .filter_map(|d| match d {
            Decl::Schema(s) => Some(s),
            _ => None,
        })
        .collect();
    let mut schema = Schema::default();
    match schemas.as_slice() {
        [] => checker.report(
            Diagnostic::global(Code::Schema, "no `schema` declared in the rule files")
                .with_help("declare the snapshot's fields in a `schema snapshot { ... }` block"),
        ),
        [first, rest @ ..] => {
            for extra in rest {
                checker.report(
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
            schema = checker.check_schema(first);
        }
    }

    let mut ruleset_names: HashMap<String, Span> = HashMap::new();
    let mut rulesets = Vec::new();
    for decl in &decls {
        if let Decl::Ruleset(r) = decl {
            if let Some(first) = ruleset_names.get(&r.name.text) {
                let first_at = checker.describe_location(*first);
                checker.report(
                    Diagnostic::error(
                        Code::DuplicateRuleset,
                        r.name.span,
                        format!("ruleset `{}` is declared twice", r.name.text),
                    )
                    .with_help(format!("rename one of them; the first is at {first_at}")),
                );
                continue;
            }
            ruleset_names.insert(r.name.text.clone(), r.name.span);
            rulesets.push(checker.check_ruleset(r));
        }
    }

    if ruleset_names.is_empty() {
        let message = "no `ruleset` declared: these rules would decide nothing";
        let help = "declare what to decide in a `ruleset <name> { outcomes ...; rule ... }` block";
        checker.report(match schemas.first() {
            Some(s) => Diagnostic::error(Code::NoRuleset, s.name.span, message).with_help(help),
            None => Diagnostic::global(Code::NoRuleset, message).with_help(help),
        });
    }

    let mut diagnostics = std::mem::take(&mut checker.diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return (None, diagnostics);
    }
    // Warnings about rule text only make sense once it has no errors.
    diagnostics.extend(lint::lint(files, &sources));
    schema.fields = checker.fields;
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
        version,
    };
    (Some(policy), diagnostics)
}

impl Checker<'_> {
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

    fn check_calendar(&mut self, c: &ast::Calendar) {
        use chrono::Weekday;
        if self.calendar_index.contains_key(&c.name.text) {
            self.report(Diagnostic::error(
                Code::Duplicate,
                c.name.span,
                format!("calendar `{}` is declared twice", c.name.text),
            ));
            return;
        }
        let weekday = |name: &ast::Name| -> Option<usize> {
            let day: Weekday = name.text.parse().ok()?;
            Some(day.num_days_from_monday() as usize)
        };
        let mut calendar = Calendar {
            name: c.name.text.clone(),
            working_weekdays: [false; 7],
            holidays: Default::default(),
            make_up: Default::default(),
        };
        let mut saw_working = false;
        for entry in &c.entries {
            match entry {
                ast::CalendarEntry::Working(ranges) => {
                    saw_working = true;
                    for r in ranges {
                        let first = weekday(&r.first);
                        let last = r.last.as_ref().map(weekday);
                        for (name, day) in [(Some(&r.first), Some(first)), (r.last.as_ref(), last)]
                        {
                            if let (Some(name), Some(None)) = (name, day) {
                                let days = [
                                    "monday",
                                    "tuesday",
                                    "wednesday",
                                    "thursday",
                                    "friday",
                                    "saturday",
                                    "sunday",
                                ];
                                let mut d = Diagnostic::error(
                                    Code::InvalidCalendar,
                                    name.span,
                                    format!("`{}` is not a weekday", name.text),
                                );
                                if let Some(s) =
                                    crate::suggest::did_you_mean(&name.text.to_lowercase(), days)
                                {
                                    d = d.with_help(format!("did you mean `{s}`?"));
                                }
                                self.report(d);
                            }
                        }
                        if let (Some(a), Some(Some(_)) | None) = (first, last) {
                            let b = last.flatten().unwrap_or(a);
                            let mut i = a;
                            // Wraps around the week (`saturday..monday`).
                            for _ in 0..7 {
                                if let Some(slot) = calendar.working_weekdays.get_mut(i) {
                                    *slot = true;
                                }
                                if i == b {
                                    break;
                                }
                                i = (i + 1) % 7;
                            }
                        }
                    }
                }
                ast::CalendarEntry::Holidays(ranges) => {
                    for d in self.expand_dates(ranges) {
                        calendar.holidays.insert(d);
                    }
                }
                ast::CalendarEntry::MakeUp(ranges) => {
                    for d in self.expand_dates(ranges) {
                        calendar.make_up.insert(d);
                    }
                }
            }
        }
        if !saw_working {
            calendar.working_weekdays = [true, true, true, true, true, false, false];
        }
        if !calendar.working_weekdays.iter().any(|w| *w) {
            self.report(Diagnostic::error(
                Code::InvalidCalendar,
                c.name.span,
                format!("calendar `{}` has no working weekday", c.name.text),
            ));
        }
        self.calendars.push(calendar);
        self.calendar_index.insert(
            c.name.text.clone(),
            CalendarId::from_index(self.calendars.len() - 1),
        );
    }

    fn expand_dates(&mut self, ranges: &[ast::DateRange]) -> Vec<chrono::NaiveDate> {
        let mut out = Vec::new();
        for r in ranges {
            let ast::LitValue::Date(first) = r.first.value else {
                continue;
            };
            let last = match r.last.as_ref().map(|l| &l.value) {
                Some(ast::LitValue::Date(d)) => *d,
                Some(_) => continue,
                None => first,
            };
            if last < first || (last - first).num_days() > 366 {
                let span = r
                    .last
                    .as_ref()
                    .map_or(r.first.span, |l| r.first.span.to(l.span));
                self.report(
                    Diagnostic::error(
                        Code::InvalidCalendar,
                        span,
                        "date range runs backwards or spans more than a year",
                    )
                    .with_help("write the earlier date first: `2026-10-01..2026-10-07`"),
                );
                continue;
            }
            let mut d = first;
            while d <= last {
                out.push(d);
                match d.succ_opt() {
                    Some(next) => d = next,
                    None => break,
                }
            }
        }
        out
    }
}
