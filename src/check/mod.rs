//! Syntax trees -> a checked, compiled [`Policy`].
//!
//! Every problem is pushed into one list and checking goes on, so a single
//! run reports all of them. An expression with an error gets the poison type
//! [`Ty::Error`], which silences follow-on errors about the same expression.

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
use chrono::{Datelike, NaiveDate};

use crate::calendar::{Calendar, DateSpan};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{
    CalendarId, Cond, CondId, ExprId, Field, FieldId, JsonText, LetDef, LetId, Node, Policy, Schema,
};
use crate::language::Language;
use crate::names::{Definition, Kind, NameIndex, Symbol};
use crate::span::{SourceMap, Span};
use crate::types::Ty;
use crate::value::{Sym, Symbols};

pub(crate) use echoes::drop_echoes;
pub(crate) use expr::{literal_value, Scope};
pub(crate) use lint::spelled_literals;

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
pub fn check_with_names(
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

    for decl in &decls {
        if let Decl::Calendar(c) = decl {
            checker.check_calendar(c);
        }
    }
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

    fn check_calendar(&mut self, c: &ast::Calendar) {
        if self.calendar_index.contains_key(&c.name.text) {
            let d = Diagnostic::error(
                Code::Duplicate,
                c.name.span,
                format!("calendar `{}` is declared twice", c.name.text),
            );
            let d = self.and_first(d, &Symbol::global(Kind::Calendar, &c.name.text));
            self.report(d);
            return;
        }
        let mut calendar = Calendar {
            name: c.name.text.clone(),
            working_weekdays: [false; 7],
            holidays: Default::default(),
            make_up: Default::default(),
            covers: None,
            outside: None,
        };
        let mut saw_working = false;
        let mut covers: Option<Vec<DateSpan>> = None;
        let mut covers_broken = false;
        // Holiday and make-up ranges, checked against `covers` at the end
        // (`covers` may come after them).
        let mut listed: Vec<(&'static str, &ast::DateRange)> = Vec::new();
        for entry in &c.entries {
            match entry {
                ast::CalendarEntry::Covers(ranges) => {
                    let spans = self.check_calendar_covers(ranges);
                    covers_broken |= spans.is_none();
                    covers
                        .get_or_insert_with(Vec::new)
                        .extend(spans.unwrap_or_default());
                }
                ast::CalendarEntry::Working(ranges) => {
                    saw_working = true;
                    self.check_weekday_ranges(ranges, &mut calendar.working_weekdays);
                }
                ast::CalendarEntry::Holidays(ranges) => {
                    listed.extend(ranges.iter().map(|r| ("holiday", r)));
                    for d in self.expand_dates(ranges) {
                        calendar.holidays.insert(d);
                    }
                }
                ast::CalendarEntry::MakeUp(ranges) => {
                    listed.extend(ranges.iter().map(|r| ("make-up day", r)));
                    for d in self.expand_dates(ranges) {
                        calendar.make_up.insert(d);
                    }
                }
                ast::CalendarEntry::Outside(ranges) => {
                    let days = calendar.outside.get_or_insert([false; 7]);
                    self.check_weekday_ranges(ranges, days);
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
        calendar.covers = covers.map(DateSpan::merge);
        if covers_broken {
            // No cascade: the lists are not judged against a `covers` that
            // is already reported as wrong.
            listed.clear();
        }
        self.check_calendar_coverage(c, &calendar, &listed);
        let symbol = Symbol::global(Kind::Calendar, &c.name.text);
        self.names
            .define(Definition::new(symbol, c.name.span, c.span));
        self.calendars.push(calendar);
        self.calendar_index.insert(
            c.name.text.clone(),
            CalendarId::from_index(self.calendars.len() - 1),
        );
    }

    /// `covers 2026-01-01..2026-12-31, ...`: ranges may span years; they are
    /// kept as ranges, never expanded into dates. `None` when a range is
    /// unusable (reported here, or as an invalid date by lowering).
    fn check_calendar_covers(&mut self, ranges: &[ast::DateRange]) -> Option<Vec<DateSpan>> {
        let mut spans = Some(Vec::with_capacity(ranges.len()));
        for r in ranges {
            let Some((first, last)) = date_range_ends(r) else {
                spans = None;
                continue;
            };
            if last < first {
                self.report(
                    Diagnostic::error(
                        Code::InvalidCalendar,
                        date_range_span(r),
                        "date range runs backwards",
                    )
                    .with_help(format!("write the earlier date first: `{last}..{first}`")),
                );
                spans = None;
                continue;
            }
            if let Some(spans) = &mut spans {
                spans.push(DateSpan { first, last });
            }
        }
        spans
    }

    /// A calendar that lists holidays or make-up days says which dates it
    /// covers, and lists none outside them; `outside` needs dates outside.
    fn check_calendar_coverage(
        &mut self,
        c: &ast::Calendar,
        calendar: &Calendar,
        listed: &[(&'static str, &ast::DateRange)],
    ) {
        let Some(covers) = &calendar.covers else {
            let years = listed
                .iter()
                .filter_map(|(_, r)| date_range_ends(r))
                .flat_map(|(first, last)| [first.year(), last.year()]);
            let (Some(from), Some(to)) = (years.clone().min(), years.max()) else {
                if calendar.outside.is_some() {
                    self.report(
                        Diagnostic::error(
                            Code::InvalidCalendar,
                            c.name.span,
                            format!(
                                "calendar `{}` has `outside` but no `covers`, so no date is outside it",
                                c.name.text
                            ),
                        )
                        .with_help("say which dates it knows with `covers`, or delete `outside`"),
                    );
                }
                return;
            };
            let lists = |what| listed.iter().any(|(w, _)| *w == what);
            let lists = match (lists("holiday"), lists("make-up day")) {
                (true, true) => "holidays and make-up days",
                (false, true) => "make-up days",
                _ => "holidays",
            };
            self.report(
                Diagnostic::error(
                    Code::InvalidCalendar,
                    c.name.span,
                    format!(
                        "calendar `{}` lists {lists} but does not say which dates it covers",
                        c.name.text
                    ),
                )
                .with_help(format!(
                    "add `covers {from:04}-01-01..{to:04}-12-31` (the years its lists touch), \
                     and `outside monday..friday` if dates outside it count as plain weekdays"
                )),
            );
            return;
        };
        for (what, r) in listed {
            let Some((first, last)) = date_range_ends(r) else {
                continue;
            };
            if last < first {
                continue; // already reported by `expand_dates`
            }
            let Some(day) = DateSpan::first_uncovered(covers, first, last) else {
                continue;
            };
            let written = match &r.last {
                Some(l) => format!("{}..{}", r.first.text, l.text),
                None => r.first.text.clone(),
            };
            self.report(
                Diagnostic::error(
                    Code::InvalidCalendar,
                    date_range_span(r),
                    format!(
                        "{what} `{written}` is outside the dates calendar `{}` covers",
                        c.name.text
                    ),
                )
                .with_help(format!(
                    "it covers {}: widen `covers` to take in {day}, or correct the date",
                    calendar.covers_text()
                )),
            );
        }
    }

    /// `monday..friday, saturday`: sets the named days in `days` (Monday
    /// first); a range may wrap around the week (`saturday..monday`).
    fn check_weekday_ranges(&mut self, ranges: &[ast::WeekdayRange], days: &mut [bool; 7]) {
        use chrono::Weekday;
        let weekday = |name: &ast::Name| -> Option<usize> {
            let day: Weekday = name.text.parse().ok()?;
            Some(day.num_days_from_monday() as usize)
        };
        for r in ranges {
            let first = weekday(&r.first);
            let last = r.last.as_ref().map(weekday);
            for (name, day) in [(Some(&r.first), Some(first)), (r.last.as_ref(), last)] {
                if let (Some(name), Some(None)) = (name, day) {
                    let names = crate::calendar::WEEKDAY_NAMES;
                    let mut d = Diagnostic::error(
                        Code::InvalidCalendar,
                        name.span,
                        format!("`{}` is not a weekday", name.text),
                    );
                    if let Some(s) = crate::suggest::did_you_mean(&name.text.to_lowercase(), names)
                    {
                        d = d.with_suggestion(s);
                    }
                    self.report(d);
                }
            }
            if let (Some(a), Some(Some(_)) | None) = (first, last) {
                let b = last.flatten().unwrap_or(a);
                let mut i = a;
                for _ in 0..7 {
                    if let Some(slot) = days.get_mut(i) {
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

    fn expand_dates(&mut self, ranges: &[ast::DateRange]) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        for r in ranges {
            let Some((first, last)) = date_range_ends(r) else {
                continue;
            };
            if last < first || (last - first).num_days() > 366 {
                self.report(
                    Diagnostic::error(
                        Code::InvalidCalendar,
                        date_range_span(r),
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

/// The first and last dates of a range (one date: both the same); `None`
/// when a literal is not a date (already reported).
fn date_range_ends(r: &ast::DateRange) -> Option<(NaiveDate, NaiveDate)> {
    let ast::LitValue::Date(first) = r.first.value else {
        return None;
    };
    match r.last.as_ref().map(|l| &l.value) {
        Some(ast::LitValue::Date(last)) => Some((first, *last)),
        Some(_) => None,
        None => Some((first, first)),
    }
}

/// Where a date range was written.
fn date_range_span(r: &ast::DateRange) -> Span {
    r.last
        .as_ref()
        .map_or(r.first.span, |l| r.first.span.to(l.span))
}
