//! Declarations: schemas, calendars, rulesets, rules and conditions.

use pest::iterators::Pair;

use super::{base_type, cmp_op, error_literal, missing_clause, missing_name, Rule_};
use super::{children, error_expr, Lowerer};
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use crate::syntax::grammar::Rule;

impl Lowerer {
    // ------------------------------------------------------------- schema

    pub(super) fn lower_schema(&self, pair: Pair<'_, Rule>) -> Schema {
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
        let mut label = None;
        let mut options = Vec::new();
        for p in children(pair) {
            match p.as_rule() {
                Rule::path | Rule::ident => name = Some(self.name(&p)),
                Rule::string => label = Some(self.lower_template(p)),
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
            label,
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
                    kind = TypeKind::Enum(children(p).map(|v| self.lower_enum_value(v)).collect());
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

    /// `frozen "冻结"`: a value and its label.
    fn lower_enum_value(&self, pair: Pair<'_, Rule>) -> EnumValue {
        let span = self.span(&pair);
        let mut name = None;
        let mut label = None;
        for p in children(pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.name(&p)),
                Rule::string => label = Some(self.lower_template(p)),
                _ => self.internal(&p, "enum value"),
            }
        }
        EnumValue {
            name: name.unwrap_or_else(|| missing_name(span)),
            label,
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
                Rule::because | Rule::unmet_text => because = self.lower_because(p),
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

    pub(super) fn lower_calendar(&self, pair: Pair<'_, Rule>) -> Calendar {
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

    pub(super) fn lower_ruleset(&self, pair: Pair<'_, Rule>) -> Ruleset {
        let span = self.span(&pair);
        let mut name = None;
        let mut title = None;
        let mut items = Vec::new();
        for p in children(pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.name(&p)),
                Rule::string => title = Some(self.lower_template(p)),
                _ => items.extend(self.lower_ruleset_item(p, span)),
            }
        }
        Ruleset {
            name: name.unwrap_or_else(|| missing_name(span)),
            title,
            items,
            span,
        }
    }

    /// One item of a ruleset (`outcomes`, `output`, `rule`, ...).
    pub(super) fn lower_ruleset_item(&self, p: Pair<'_, Rule>, span: Span) -> Option<RulesetItem> {
        Some(match p.as_rule() {
            Rule::outcomes_decl => {
                RulesetItem::Outcomes(children(p).map(|v| self.lower_enum_value(v)).collect())
            }
            Rule::output_decl => RulesetItem::Output(self.lower_field_decl(p)),
            Rule::applies => RulesetItem::Applies(self.lower_applies(p)),
            Rule::requirement => RulesetItem::Require(self.lower_requirement(p)),
            Rule::let_decl => RulesetItem::Let(self.lower_let(p)),
            Rule::rule => RulesetItem::Rule(Box::new(self.lower_rule(p))),
            Rule::otherwise => {
                let clause = children(p)
                    .next()
                    .map(|c| self.lower_outcome_clause(c))
                    .unwrap_or_else(|| missing_clause(span));
                RulesetItem::Otherwise(clause)
            }
            Rule::EOI => return None,
            _ => {
                self.internal(&p, "ruleset item");
                return None;
            }
        })
    }

    /// A `ruleset_head` parsed on its own: the name and title.
    pub(crate) fn lower_ruleset_head(
        &self,
        pair: Pair<'_, Rule>,
    ) -> (Option<Name>, Option<Template>) {
        let mut name = None;
        let mut title = None;
        for p in children(pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.name(&p)),
                Rule::string => title = Some(self.lower_template(p)),
                Rule::EOI => {}
                _ => self.internal(&p, "ruleset name"),
            }
        }
        (name, title)
    }

    /// A `ruleset_entry` parsed on its own: its one item.
    pub(crate) fn lower_ruleset_entry(&self, pair: Pair<'_, Rule>) -> Option<RulesetItem> {
        let span = self.span(&pair);
        let mut item = None;
        for p in children(pair) {
            if let Some(i) = self.lower_ruleset_item(p, span) {
                item = Some(i);
            }
        }
        item
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
        let mut when_texts = CondTexts::default();
        let mut then = None;
        let mut otherwise = None;
        for p in children(pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.name(&p)),
                Rule::string => title = Some(self.lower_template(p)),
                Rule::scope => scope = children(p).next().map(|e| self.lower_expr(e)),
                Rule::condition => when = Some(self.lower_condition(p, &mut when_texts)),
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
            when_texts,
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
        let mut because_when = None;
        for p in children(pair) {
            match p.as_rule() {
                Rule::ident => outcome = Some(self.name(&p)),
                Rule::assignment => assignments.push(self.lower_assignment(p)),
                Rule::explain_unmet => explain_unmet = children(p).next().map(|n| self.name(&n)),
                Rule::because => because = self.lower_because(p),
                Rule::because_when => because_when = children(p).next().map(|e| self.lower_expr(e)),
                _ => self.internal(&p, "outcome part"),
            }
        }
        OutcomeClause {
            outcome: outcome.unwrap_or_else(|| missing_name(span)),
            assignments,
            explain_unmet,
            because,
            because_when,
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

    /// A rule's condition; a single expression's texts go to `texts`.
    fn lower_condition(&self, pair: Pair<'_, Rule>, texts: &mut CondTexts) -> Condition {
        let span = self.span(&pair);
        let mut condition = None;
        for p in children(pair) {
            match p.as_rule() {
                Rule::group => condition = Some(Condition::Group(self.lower_group(p))),
                Rule::expr => condition = Some(Condition::Expr(self.lower_expr(p))),
                Rule::because => texts.because = self.lower_because(p),
                Rule::unmet_text => texts.unmet = self.lower_because(p),
                _ => self.internal(&p, "condition"),
            }
        }
        condition.unwrap_or_else(|| Condition::Expr(error_expr(span)))
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
        let mut unmet = None;
        for p in children(pair) {
            match p.as_rule() {
                Rule::nested_group => condition = Some(Condition::Group(self.lower_group(p))),
                Rule::expr => condition = Some(Condition::Expr(self.lower_expr(p))),
                Rule::because => because = self.lower_because(p),
                Rule::unmet_text => unmet = self.lower_because(p),
                _ => self.internal(&p, "condition part"),
            }
        }
        GroupItem {
            condition: condition.unwrap_or_else(|| Condition::Expr(error_expr(span))),
            because,
            unmet,
            span,
        }
    }
}
