//! pest pairs -> syntax tree. One `lower_*` function per grammar rule.
//!
//! Lowering never panics: a pair of an unexpected shape (grammar and lowering
//! out of step) becomes an internal diagnostic and an error node. Problems in
//! literals (`2026-02-30`, `1e400`) are reported here, all of them, and
//! lowering goes on.

use std::cell::RefCell;
use std::sync::LazyLock;

use chrono::NaiveDate;
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::grammar::{is_keyword_token, Rule};
use crate::ast::*;
use crate::decimal::{self, DecimalError};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::{FileId, Span};

/// Expressions nested deeper than this are refused, which bounds the
/// recursion of every later phase.
pub(crate) const MAX_EXPR_DEPTH: u32 = 200;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::or_op, Assoc::Left))
        .op(Op::infix(Rule::and_op, Assoc::Left))
        .op(Op::prefix(Rule::not_op))
        .op(Op::infix(Rule::eq, Assoc::Left)
            | Op::infix(Rule::ne, Assoc::Left)
            | Op::infix(Rule::lt, Assoc::Left)
            | Op::infix(Rule::le, Assoc::Left)
            | Op::infix(Rule::gt, Assoc::Left)
            | Op::infix(Rule::ge, Assoc::Left))
        .op(Op::postfix(Rule::is_present)
            | Op::postfix(Rule::is_absent)
            | Op::postfix(Rule::in_list)
            | Op::postfix(Rule::not_in))
        .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
        .op(Op::infix(Rule::mul, Assoc::Left) | Op::infix(Rule::div, Assoc::Left))
        .op(Op::prefix(Rule::neg))
});

pub(crate) struct Lowerer {
    file: FileId,
    diagnostics: RefCell<Vec<Diagnostic>>,
}

type Depth = u32;

impl Lowerer {
    pub(crate) fn new(file: FileId) -> Self {
        Lowerer {
            file,
            diagnostics: RefCell::new(Vec::new()),
        }
    }

    pub(crate) fn finish(self) -> Vec<Diagnostic> {
        self.diagnostics.into_inner()
    }

    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start(), s.end())
    }

    fn report(&self, diagnostic: Diagnostic) {
        self.diagnostics.borrow_mut().push(diagnostic);
    }

    /// A pair of a shape lowering did not expect: a bug, reported as such.
    fn internal(&self, pair: &Pair<'_, Rule>, what: &str) {
        self.report(
            Diagnostic::error(
                Code::Syntax,
                self.span(pair),
                format!("internal error: unexpected {what} `{}`", pair.as_str()),
            )
            .with_help("please report this rule text to the verdikt maintainers"),
        );
    }

    fn name(&self, pair: &Pair<'_, Rule>) -> Name {
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
                Rule::EOI => {}
                _ => self.internal(&p, "declaration"),
            }
        }
        File { decls }
    }

    // ------------------------------------------------------------- schema

    fn lower_schema(&self, pair: Pair<'_, Rule>) -> Schema {
        let span = self.span(&pair);
        let mut name = None;
        let mut items = Vec::new();
        for p in children(pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.name(&p)),
                Rule::field_decl => items.push(SchemaItem::Field(self.lower_field_decl(p))),
                Rule::requirement => items.push(SchemaItem::Require(self.lower_requirement(p))),
                _ => self.internal(&p, "schema item"),
            }
        }
        Schema {
            name: name.unwrap_or_else(|| missing_name(span)),
            items,
            span,
        }
    }

    /// `path type, options` (schema fields) and `output name type, options`.
    fn lower_field_decl(&self, pair: Pair<'_, Rule>) -> FieldDecl {
        let span = self.span(&pair);
        let mut name = None;
        let mut ty = None;
        let mut options = Vec::new();
        for p in children(pair) {
            match p.as_rule() {
                Rule::path | Rule::ident => name = Some(self.name(&p)),
                Rule::field_type => ty = Some(self.lower_field_type(p)),
                Rule::range_option
                | Rule::bound_option
                | Rule::not_empty_option
                | Rule::default_option => {
                    options.push(self.lower_field_option(p));
                }
                _ => self.internal(&p, "field declaration part"),
            }
        }
        FieldDecl {
            name: name.unwrap_or_else(|| missing_name(span)),
            ty: ty.unwrap_or(TypeSpec {
                optional: false,
                kind: TypeKind::Base(BaseType::Text),
                span,
            }),
            options,
            span,
        }
    }

    fn lower_field_type(&self, pair: Pair<'_, Rule>) -> TypeSpec {
        let span = self.span(&pair);
        let optional = pair
            .clone()
            .into_inner()
            .any(|p| p.as_rule() == Rule::kw_optional);
        let mut kind = TypeKind::Base(BaseType::Text);
        for p in children(pair) {
            match p.as_rule() {
                Rule::base_type => kind = TypeKind::Base(base_type(p.as_str())),
                Rule::enum_type => {
                    kind = TypeKind::Enum(children(p).map(|v| self.name(&v)).collect());
                }
                Rule::list_type => {
                    let inner = children(p)
                        .next()
                        .map_or(BaseType::Text, |b| base_type(b.as_str()));
                    kind = TypeKind::List(inner);
                }
                _ => self.internal(&p, "type"),
            }
        }
        TypeSpec {
            optional,
            kind,
            span,
        }
    }

    fn lower_field_option(&self, pair: Pair<'_, Rule>) -> FieldOption {
        let span = self.span(&pair);
        let kind_rule = pair.as_rule();
        let parts: Vec<Pair<'_, Rule>> = children(pair).collect();
        let kind = match (kind_rule, parts.as_slice()) {
            (Rule::range_option, [lo, hi]) => FieldOptionKind::Range(
                self.lower_literal(lo.clone()),
                self.lower_literal(hi.clone()),
            ),
            (Rule::bound_option, [op, value]) => {
                FieldOptionKind::Bound(cmp_op(op.as_rule()), self.lower_literal(value.clone()))
            }
            (Rule::not_empty_option, []) => FieldOptionKind::NotEmpty,
            (Rule::default_option, [value]) => {
                let expr = if value.as_rule() == Rule::ident {
                    Expr {
                        kind: ExprKind::Path(self.name(value)),
                        span: self.span(value),
                    }
                } else {
                    let lit = self.lower_literal(value.clone());
                    Expr {
                        span: lit.span,
                        kind: ExprKind::Literal(lit),
                    }
                };
                FieldOptionKind::Default(expr)
            }
            _ => {
                self.report(Diagnostic::error(
                    Code::Syntax,
                    span,
                    "internal error: malformed constraint",
                ));
                FieldOptionKind::NotEmpty
            }
        };
        FieldOption { kind, span }
    }

    fn lower_requirement(&self, pair: Pair<'_, Rule>) -> Requirement {
        let span = self.span(&pair);
        let mut expr = None;
        let mut because = None;
        for p in children(pair) {
            match p.as_rule() {
                Rule::expr => expr = Some(self.lower_expr(p)),
                Rule::because => because = self.lower_because(p),
                _ => self.internal(&p, "requirement part"),
            }
        }
        Requirement {
            expr: expr.unwrap_or_else(|| error_expr(span)),
            because,
            span,
        }
    }

    // ------------------------------------------------------------- calendar

    fn lower_calendar(&self, pair: Pair<'_, Rule>) -> Calendar {
        let span = self.span(&pair);
        let mut name = None;
        let mut entries = Vec::new();
        for p in children(pair) {
            match p.as_rule() {
                Rule::calendar_name => name = Some(self.name(&p)),
                Rule::covers => entries.push(self.lower_covers(p)),
                Rule::working_days => {
                    entries.push(CalendarEntry::Working(self.lower_weekday_ranges(p, span)))
                }
                Rule::holidays => entries.push(CalendarEntry::Holidays(self.lower_date_ranges(p))),
                Rule::make_up_days => {
                    entries.push(CalendarEntry::MakeUp(self.lower_date_ranges(p)))
                }
                Rule::outside_days => entries.push(self.lower_outside(p, span)),
                _ => self.internal(&p, "calendar entry"),
            }
        }
        Calendar {
            name: name.unwrap_or_else(|| missing_name(span)),
            entries,
            span,
        }
    }

    /// `covers 2026-01-01..2026-12-31, ...`
    fn lower_covers(&self, pair: Pair<'_, Rule>) -> CalendarEntry {
        CalendarEntry::Covers(self.lower_date_ranges(pair))
    }

    /// `outside monday..friday, ...`
    fn lower_outside(&self, pair: Pair<'_, Rule>, calendar: Span) -> CalendarEntry {
        CalendarEntry::Outside(self.lower_weekday_ranges(pair, calendar))
    }

    fn lower_weekday_ranges(&self, pair: Pair<'_, Rule>, calendar: Span) -> Vec<WeekdayRange> {
        children(pair)
            .map(|r| {
                let mut days = children(r).map(|d| self.name(&d));
                let first = days.next().unwrap_or_else(|| missing_name(calendar));
                WeekdayRange {
                    first,
                    last: days.next(),
                }
            })
            .collect()
    }

    fn lower_date_ranges(&self, pair: Pair<'_, Rule>) -> Vec<DateRange> {
        children(pair)
            .map(|r| {
                let mut dates = children(r).map(|d| self.lower_literal(d));
                let first = dates
                    .next()
                    .unwrap_or_else(|| error_literal(Span::default()));
                DateRange {
                    first,
                    last: dates.next(),
                }
            })
            .collect()
    }

    // ------------------------------------------------------------- rulesets

    fn lower_ruleset(&self, pair: Pair<'_, Rule>) -> Ruleset {
        let span = self.span(&pair);
        let mut name = None;
        let mut title = None;
        let mut items = Vec::new();
        for p in children(pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.name(&p)),
                Rule::string => title = Some(self.lower_template(p)),
                Rule::outcomes_decl => {
                    items.push(RulesetItem::Outcomes(
                        children(p).map(|n| self.name(&n)).collect(),
                    ));
                }
                Rule::output_decl => items.push(RulesetItem::Output(self.lower_field_decl(p))),
                Rule::applies => items.push(RulesetItem::Applies(self.lower_applies(p))),
                Rule::requirement => items.push(RulesetItem::Require(self.lower_requirement(p))),
                Rule::let_decl => items.push(RulesetItem::Let(self.lower_let(p))),
                Rule::rule => items.push(RulesetItem::Rule(Box::new(self.lower_rule(p)))),
                Rule::otherwise => {
                    let clause = children(p)
                        .next()
                        .map(|c| self.lower_outcome_clause(c))
                        .unwrap_or_else(|| missing_clause(span));
                    items.push(RulesetItem::Otherwise(clause));
                }
                _ => self.internal(&p, "ruleset item"),
            }
        }
        Ruleset {
            name: name.unwrap_or_else(|| missing_name(span)),
            title,
            items,
            span,
        }
    }

    fn lower_applies(&self, pair: Pair<'_, Rule>) -> Applies {
        let span = self.span(&pair);
        let mut when = None;
        let mut otherwise = None;
        for p in children(pair) {
            match p.as_rule() {
                Rule::expr => when = Some(self.lower_expr(p)),
                Rule::outcome_clause => otherwise = Some(self.lower_outcome_clause(p)),
                _ => self.internal(&p, "`applies` part"),
            }
        }
        Applies {
            when: when.unwrap_or_else(|| error_expr(span)),
            otherwise: otherwise.unwrap_or_else(|| missing_clause(span)),
            span,
        }
    }

    fn lower_let(&self, pair: Pair<'_, Rule>) -> Let {
        let span = self.span(&pair);
        let mut name = None;
        let mut value = None;
        for p in children(pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.name(&p)),
                Rule::expr => value = Some(self.lower_expr(p)),
                _ => self.internal(&p, "`let` part"),
            }
        }
        Let {
            name: name.unwrap_or_else(|| missing_name(span)),
            value: value.unwrap_or_else(|| error_expr(span)),
            span,
        }
    }

    fn lower_rule(&self, pair: Pair<'_, Rule>) -> Rule_ {
        let span = self.span(&pair);
        let mut name = None;
        let mut title = None;
        let mut scope = None;
        let mut when = None;
        let mut then = None;
        let mut otherwise = None;
        for p in children(pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.name(&p)),
                Rule::string => title = Some(self.lower_template(p)),
                Rule::scope => scope = children(p).next().map(|e| self.lower_expr(e)),
                Rule::condition => when = Some(self.lower_condition(p)),
                Rule::then_clause => {
                    then = children(p).next().map(|c| self.lower_outcome_clause(c))
                }
                Rule::else_clause => {
                    otherwise = children(p).next().map(|c| self.lower_outcome_clause(c))
                }
                _ => self.internal(&p, "rule part"),
            }
        }
        Rule_ {
            name: name.unwrap_or_else(|| missing_name(span)),
            title,
            scope,
            when: when.unwrap_or_else(|| Condition::Expr(error_expr(span))),
            then: then.unwrap_or_else(|| missing_clause(span)),
            otherwise,
            span,
        }
    }

    fn lower_outcome_clause(&self, pair: Pair<'_, Rule>) -> OutcomeClause {
        let span = self.span(&pair);
        let mut outcome = None;
        let mut assignments = Vec::new();
        let mut explain_unmet = None;
        let mut because = None;
        for p in children(pair) {
            match p.as_rule() {
                Rule::ident => outcome = Some(self.name(&p)),
                Rule::assignment => assignments.push(self.lower_assignment(p)),
                Rule::explain_unmet => explain_unmet = children(p).next().map(|n| self.name(&n)),
                Rule::because => because = self.lower_because(p),
                _ => self.internal(&p, "outcome part"),
            }
        }
        OutcomeClause {
            outcome: outcome.unwrap_or_else(|| missing_name(span)),
            assignments,
            explain_unmet,
            because,
            span,
        }
    }

    fn lower_assignment(&self, pair: Pair<'_, Rule>) -> Assignment {
        let span = self.span(&pair);
        let mut output = None;
        let mut exprs = Vec::new();
        for p in children(pair) {
            match p.as_rule() {
                Rule::ident => output = Some(self.name(&p)),
                Rule::expr => exprs.push(self.lower_expr(p)),
                _ => self.internal(&p, "assignment part"),
            }
        }
        let mut exprs = exprs.into_iter();
        Assignment {
            output: output.unwrap_or_else(|| missing_name(span)),
            value: exprs.next().unwrap_or_else(|| error_expr(span)),
            when: exprs.next(),
            span,
        }
    }

    fn lower_because(&self, pair: Pair<'_, Rule>) -> Option<Template> {
        children(pair).next().map(|s| self.lower_template(s))
    }

    fn lower_condition(&self, pair: Pair<'_, Rule>) -> Condition {
        let span = self.span(&pair);
        match children(pair).next() {
            Some(p) if p.as_rule() == Rule::group => Condition::Group(self.lower_group(p)),
            Some(p) if p.as_rule() == Rule::expr => Condition::Expr(self.lower_expr(p)),
            Some(p) => {
                self.internal(&p, "condition");
                Condition::Expr(error_expr(span))
            }
            None => Condition::Expr(error_expr(span)),
        }
    }

    /// `all of ...` and `any of [...]`.
    fn lower_group(&self, pair: Pair<'_, Rule>) -> Group {
        let span = self.span(&pair);
        let mut kind = GroupKind::All;
        let mut items = Vec::new();
        for p in children(pair) {
            match p.as_rule() {
                Rule::group_kind => {
                    kind = if p.as_str() == "any" {
                        GroupKind::Any
                    } else {
                        GroupKind::All
                    };
                }
                Rule::group_item => items.push(self.lower_group_item(p)),
                _ => self.internal(&p, "group part"),
            }
        }
        Group { kind, items, span }
    }

    fn lower_group_item(&self, pair: Pair<'_, Rule>) -> GroupItem {
        let span = self.span(&pair);
        let mut condition = None;
        let mut because = None;
        for p in children(pair) {
            match p.as_rule() {
                Rule::nested_group => condition = Some(Condition::Group(self.lower_group(p))),
                Rule::expr => condition = Some(Condition::Expr(self.lower_expr(p))),
                Rule::because => because = self.lower_because(p),
                _ => self.internal(&p, "condition part"),
            }
        }
        GroupItem {
            condition: condition.unwrap_or_else(|| Condition::Expr(error_expr(span))),
            because,
            span,
        }
    }

    // ------------------------------------------------------------- expressions

    pub(crate) fn lower_expr(&self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        let (expr, depth) = self.lower_expr_depth(pair);
        if depth > MAX_EXPR_DEPTH {
            self.report(
                Diagnostic::error(Code::TooDeep, span, "expression is nested too deeply")
                    .with_help(format!(
                        "split it with `let` bindings (at most {MAX_EXPR_DEPTH} levels)"
                    )),
            );
            return error_expr(span);
        }
        expr
    }

    fn lower_expr_depth(&self, pair: Pair<'_, Rule>) -> (Expr, Depth) {
        let span = self.span(&pair);
        // A chain of operators builds a tree as deep as it is long: refuse a
        // long one before building it (dropping a deep tree recurses too).
        let tokens = pair.clone().into_inner().count();
        let too_deep = MAX_EXPR_DEPTH.saturating_add(1);
        if tokens > 2 * MAX_EXPR_DEPTH as usize {
            return (error_expr(span), too_deep);
        }
        let (expr, depth) = self.pratt(pair);
        if depth > MAX_EXPR_DEPTH {
            return (error_expr(span), too_deep);
        }
        (expr, depth)
    }

    fn pratt(&self, pair: Pair<'_, Rule>) -> (Expr, Depth) {
        PRATT
            .map_primary(|p| self.lower_primary(p))
            .map_prefix(|op, (e, d)| {
                let span = self.span(&op).to(e.span);
                let kind = if op.as_rule() == Rule::not_op {
                    ExprKind::Not(Box::new(e))
                } else {
                    ExprKind::Neg(Box::new(e))
                };
                (Expr { kind, span }, d.saturating_add(1))
            })
            .map_postfix(|(e, d), op| {
                let span = e.span.to(self.span(&op));
                let (kind, extra) = match op.as_rule() {
                    Rule::is_present => (
                        ExprKind::Presence {
                            expr: Box::new(e),
                            present: true,
                        },
                        0,
                    ),
                    Rule::is_absent => (
                        ExprKind::Presence {
                            expr: Box::new(e),
                            present: false,
                        },
                        0,
                    ),
                    other => {
                        let (list, list_depth) = children(op)
                            .find(|p| p.as_rule() == Rule::list)
                            .map(|l| self.lower_list_items(l))
                            .unwrap_or_default();
                        let negated = other == Rule::not_in;
                        (
                            ExprKind::In {
                                expr: Box::new(e),
                                list,
                                negated,
                            },
                            list_depth,
                        )
                    }
                };
                (Expr { kind, span }, d.max(extra).saturating_add(1))
            })
            .map_infix(|(l, ld), op, (r, rd)| {
                let span = l.span.to(r.span);
                let op = match op.as_rule() {
                    Rule::or_op => BinOp::Or,
                    Rule::and_op => BinOp::And,
                    Rule::add => BinOp::Add,
                    Rule::sub => BinOp::Sub,
                    Rule::mul => BinOp::Mul,
                    Rule::div => BinOp::Div,
                    other => BinOp::Cmp(cmp_op(other)),
                };
                let kind = ExprKind::Binary(op, Box::new(l), Box::new(r));
                (Expr { kind, span }, ld.max(rd).saturating_add(1))
            })
            .parse(pair.into_inner())
    }

    fn lower_primary(&self, pair: Pair<'_, Rule>) -> (Expr, Depth) {
        let span = self.span(&pair);
        let expr = |kind| Expr { kind, span };
        match pair.as_rule() {
            Rule::paren => match children(pair).next() {
                Some(inner) => {
                    let (e, d) = self.lower_expr_depth(inner);
                    (e, d.saturating_add(1))
                }
                None => (error_expr(span), 1),
            },
            Rule::path => (expr(ExprKind::Path(self.name(&pair))), 1),
            Rule::string => (expr(ExprKind::Text(self.lower_template(pair))), 1),
            Rule::list => {
                let (items, d) = self.lower_list_items(pair);
                (expr(ExprKind::List(items)), d.saturating_add(1))
            }
            Rule::if_expr => {
                let mut parts = Vec::new();
                let mut depth = 0;
                for p in children(pair) {
                    let (e, d) = self.lower_expr_depth(p);
                    depth = depth.max(d);
                    parts.push(e);
                }
                let mut parts = parts.into_iter();
                match (parts.next(), parts.next(), parts.next()) {
                    (Some(c), Some(t), Some(o)) => (
                        expr(ExprKind::If {
                            cond: Box::new(c),
                            then: Box::new(t),
                            otherwise: Box::new(o),
                        }),
                        depth.saturating_add(1),
                    ),
                    _ => (error_expr(span), 1),
                }
            }
            Rule::call => self.lower_call(pair),
            _ => {
                let lit = self.lower_literal(pair);
                (expr(ExprKind::Literal(lit)), 1)
            }
        }
    }

    fn lower_call(&self, pair: Pair<'_, Rule>) -> (Expr, Depth) {
        let span = self.span(&pair);
        let mut function = None;
        let mut args = Vec::new();
        let mut depth = 0;
        for p in children(pair) {
            match p.as_rule() {
                Rule::ident => function = Some(self.name(&p)),
                Rule::call_args => {
                    for a in children(p) {
                        if a.as_rule() == Rule::calendar_ref {
                            let aspan = self.span(&a);
                            let name = children(a)
                                .next()
                                .map_or_else(|| missing_name(aspan), |n| self.name(&n));
                            args.push(Expr {
                                kind: ExprKind::CalendarRef(name),
                                span: aspan,
                            });
                        } else {
                            let (e, d) = self.lower_expr_depth(a);
                            depth = depth.max(d);
                            args.push(e);
                        }
                    }
                }
                _ => self.internal(&p, "call part"),
            }
        }
        let kind = ExprKind::Call {
            function: function.unwrap_or_else(|| missing_name(span)),
            args,
        };
        (Expr { kind, span }, depth.saturating_add(1))
    }

    fn lower_list_items(&self, pair: Pair<'_, Rule>) -> (Vec<Expr>, Depth) {
        let mut depth = 0;
        let items = children(pair)
            .map(|p| {
                let (e, d) = self.lower_expr_depth(p);
                depth = depth.max(d);
                e
            })
            .collect();
        (items, depth.saturating_add(1))
    }

    /// A string with placeholders.
    pub(crate) fn lower_template(&self, pair: Pair<'_, Rule>) -> Template {
        let span = self.span(&pair);
        let mut parts: Vec<TemplatePart> = Vec::new();
        let push_text = |parts: &mut Vec<TemplatePart>, s: &str| {
            if let Some(TemplatePart::Text(t)) = parts.last_mut() {
                t.push_str(s);
            } else {
                parts.push(TemplatePart::Text(s.to_string()));
            }
        };
        for p in children(pair) {
            match p.as_rule() {
                Rule::string_text => push_text(&mut parts, p.as_str()),
                Rule::escape => {
                    let c = match p.as_str() {
                        "\\n" => "\n",
                        "\\t" => "\t",
                        other => other.get(1..).unwrap_or(""),
                    };
                    push_text(&mut parts, c);
                }
                Rule::placeholder => {
                    if let Some(e) = children(p).next() {
                        parts.push(TemplatePart::Expr(self.lower_expr(e)));
                    }
                }
                _ => self.internal(&p, "string part"),
            }
        }
        Template { parts, span }
    }

    fn lower_literal(&self, pair: Pair<'_, Rule>) -> Literal {
        let span = self.span(&pair);
        let text = pair.as_str().to_string();
        let value = match pair.as_rule() {
            Rule::number => self.decimal_or_error(
                span,
                &text,
                decimal::parse_rule_number(&text),
                LitValue::Number,
            ),
            Rule::percent => {
                let body = text.trim_end_matches('%');
                let value = decimal::parse_rule_number(body).and_then(decimal::percent_to_fraction);
                self.decimal_or_error(span, &text, value, LitValue::Percent)
            }
            Rule::money => self.lower_money(span, &text),
            Rule::date => match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
                Ok(d) => LitValue::Date(d),
                Err(_) => {
                    self.report(
                        Diagnostic::error(
                            Code::InvalidLiteral,
                            span,
                            format!("`{text}` is not a date"),
                        )
                        .with_help("write a real calendar date as YYYY-MM-DD"),
                    );
                    LitValue::Error
                }
            },
            Rule::duration => {
                let count = children(pair)
                    .next()
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default();
                match count.parse::<i64>() {
                    Ok(n) if n <= 1_000_000 => LitValue::Days(n),
                    _ => {
                        self.report(
                            Diagnostic::error(
                                Code::LiteralOutOfRange,
                                span,
                                format!("`{text}` is too long a duration"),
                            )
                            .with_help("durations are at most 1000000 days"),
                        );
                        LitValue::Error
                    }
                }
            }
            Rule::boolean => LitValue::Bool(text == "true"),
            _ => {
                self.internal(&pair, "value");
                LitValue::Error
            }
        };
        Literal { value, text, span }
    }

    fn decimal_or_error(
        &self,
        span: Span,
        text: &str,
        value: Result<rust_decimal::Decimal, DecimalError>,
        wrap: fn(rust_decimal::Decimal) -> LitValue,
    ) -> LitValue {
        match value {
            Ok(d) => wrap(d),
            Err(e) => {
                let (code, help) = match e {
                    DecimalError::TooLarge => {
                        (Code::LiteralOutOfRange, "numbers have at most 28 digits")
                    }
                    DecimalError::TooPrecise => (
                        Code::LiteralOutOfRange,
                        "numbers have at most 28 decimal places",
                    ),
                    DecimalError::Syntax => (
                        Code::InvalidLiteral,
                        "write digits with an optional fraction, like `4.5`",
                    ),
                };
                self.report(
                    Diagnostic::error(code, span, format!("`{text}` is {e}")).with_help(help),
                );
                LitValue::Error
            }
        }
    }

    /// `¥500,000.00`: commas must group digits by three.
    fn lower_money(&self, span: Span, text: &str) -> LitValue {
        let body = text.trim_start_matches('¥');
        let int_part = body.split('.').next().unwrap_or("");
        if int_part.contains(',') {
            let groups: Vec<&str> = int_part.split(',').collect();
            let well_grouped = groups.iter().enumerate().all(|(i, g)| {
                let len = g.chars().filter(|c| c.is_ascii_digit()).count();
                if i == 0 {
                    (1..=3).contains(&len)
                } else {
                    len == 3
                }
            });
            if !well_grouped {
                self.report(
                    Diagnostic::error(
                        Code::InvalidLiteral,
                        span,
                        format!("`{text}` has misplaced thousands separators"),
                    )
                    .with_help("group digits by three, like `¥500,000`, or leave the commas out"),
                );
                return LitValue::Error;
            }
        }
        let cleaned: String = body.chars().filter(|&c| c != ',').collect();
        let value = self.decimal_or_error(
            span,
            text,
            decimal::parse_rule_number(&cleaned),
            LitValue::Money,
        );
        if let LitValue::Money(d) = value {
            if !decimal::fits_places(d, 2) {
                self.report(
                    Diagnostic::error(
                        Code::InvalidLiteral,
                        span,
                        format!("`{text}` has more than two decimals (cents)"),
                    )
                    .with_help("an amount of money is whole cents: `¥100.01`"),
                );
                return LitValue::Error;
            }
        }
        value
    }
}

/// The children of a pair, without keyword tokens.
fn children<'i>(pair: Pair<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
    pair.into_inner().filter(|p| !is_keyword_token(p.as_rule()))
}

fn base_type(text: &str) -> BaseType {
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

fn cmp_op(r: Rule) -> CmpOp {
    match r {
        Rule::ne => CmpOp::Ne,
        Rule::lt => CmpOp::Lt,
        Rule::le => CmpOp::Le,
        Rule::gt => CmpOp::Gt,
        Rule::ge => CmpOp::Ge,
        _ => CmpOp::Eq,
    }
}

fn missing_name(span: Span) -> Name {
    Name {
        text: String::new(),
        span,
    }
}

fn error_expr(span: Span) -> Expr {
    Expr {
        kind: ExprKind::Error,
        span,
    }
}

fn error_literal(span: Span) -> Literal {
    Literal {
        value: LitValue::Error,
        text: String::new(),
        span,
    }
}

fn missing_clause(span: Span) -> OutcomeClause {
    OutcomeClause {
        outcome: missing_name(span),
        assignments: Vec::new(),
        explain_unmet: None,
        because: None,
        span,
    }
}

/// `ast::Rule` under another name: `Rule` here is pest's rule enum.
type Rule_ = crate::ast::Rule;
