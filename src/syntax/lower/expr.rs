//! Expressions, templates and literals.

use std::sync::LazyLock;

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::{children, error_expr, Depth, Lowerer};
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::grammar::Rule;
use chrono::NaiveDate;

use super::{cmp_op, missing_name, MAX_EXPR_DEPTH};
use crate::decimal::{self, DecimalError};
use crate::span::Span;

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

impl Lowerer {
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

    pub(super) fn lower_literal(&self, pair: Pair<'_, Rule>) -> Literal {
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
