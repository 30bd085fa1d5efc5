//! Expressions: name resolution, types and presence narrowing -> IR nodes.
//!
//! An optional field may only be read where a presence test has proved it
//! present: on the right of `x is present and ...`, in a later item of an
//! `all of` group, in the `then` branch of `if x is present`. The proof is a
//! list of fields carried in [`Scope`].

use crate::ast::{self, BinOp, CmpOp, ExprKind, LitValue};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{ArithOp, ExprId, FieldId, Node, TemplatePart};
use crate::names::{Kind, Symbol};
use crate::num::Num;
use crate::span::Span;
use crate::suggest::did_you_mean;
use crate::types::{self, Ty};
use crate::value::Value;

use super::Checker;

/// What is known where an expression is checked.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    /// Optional fields proved present here.
    pub present: Vec<FieldId>,
    /// Inside a `{placeholder}`: an absent optional field prints as `—`.
    pub placeholder: bool,
    /// In a condition's text: what `{required}` means (`None` elsewhere).
    pub required: Option<super::required::Required>,
}

impl Scope {
    pub(crate) fn with(&self, facts: &[FieldId]) -> Scope {
        let mut s = self.clone();
        s.present.extend_from_slice(facts);
        s
    }
}

impl Checker<'_> {
    /// Resolves a path to a field, if it names one.
    pub(crate) fn lookup_field(&self, path: &str) -> Option<FieldId> {
        self.field_index.get(path).copied()
    }

    /// Fields proved present when `e` evaluates to `when`.
    pub(crate) fn facts(&self, e: &ast::Expr, when: bool) -> Vec<FieldId> {
        match &e.kind {
            ExprKind::Presence { expr, present } if *present == when => match &expr.kind {
                ExprKind::Path(p) => self.lookup_field(&p.text).into_iter().collect(),
                _ => Vec::new(),
            },
            ExprKind::Not(inner) => self.facts(inner, !when),
            ExprKind::Binary(BinOp::And, a, b) if when => {
                let mut f = self.facts(a, true);
                f.extend(self.facts(b, true));
                f
            }
            ExprKind::Binary(BinOp::Or, a, b) if !when => {
                let mut f = self.facts(a, false);
                f.extend(self.facts(b, false));
                f
            }
            _ => Vec::new(),
        }
    }

    pub(super) fn poison(&mut self, span: crate::span::Span) -> (ExprId, Ty) {
        (
            self.push_expr(Node::Const(Value::Bool(false)), span, Ty::Error),
            Ty::Error,
        )
    }

    pub(super) fn type_name(&self, ty: &Ty) -> String {
        match ty {
            Ty::Enum(id) => {
                let values: Vec<&str> = self
                    .enums
                    .get(id.0 as usize)
                    .map(|v| v.iter().map(|s| self.symbols.name(*s)).collect())
                    .unwrap_or_default();
                format!("one of {}", values.join(", "))
            }
            other => other.describe(),
        }
    }

    /// Checks an expression that must be a condition.
    pub(crate) fn check_bool(&mut self, e: &ast::Expr, scope: &Scope) -> ExprId {
        let (id, ty) = self.check_expr(e, scope, None);
        if ty != Ty::Bool && ty != Ty::Error {
            self.report(
                Diagnostic::error(
                    Code::TypeMismatch,
                    e.span,
                    format!("expected a condition, found {}", self.type_name(&ty)),
                )
                .with_help("compare it with something, like `x >= 1`"),
            );
        }
        id
    }

    /// Checks `e`; `expected` resolves bare enum values (`active`).
    pub(crate) fn check_expr(
        &mut self,
        e: &ast::Expr,
        scope: &Scope,
        expected: Option<&Ty>,
    ) -> (ExprId, Ty) {
        let span = e.span;
        match &e.kind {
            ExprKind::Error => self.poison(span),
            ExprKind::Literal(lit) => self.check_literal(lit),
            ExprKind::Path(name) => self.check_path(name, scope, expected),
            ExprKind::Text(t) => {
                let node = self.check_template(t, scope);
                (self.push_expr(node, span, Ty::Text), Ty::Text)
            }
            ExprKind::List(items) => self.check_list(items, span, scope),
            ExprKind::CalendarRef(name) => {
                self.report(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        span,
                        format!("`calendar {}` is only a function argument", name.text),
                    )
                    .with_help("use it as the last argument of `business_days_after`"),
                );
                self.poison(span)
            }
            ExprKind::Not(inner) => {
                let id = self.check_bool(inner, scope);
                (self.push_expr(Node::Not(id), span, Ty::Bool), Ty::Bool)
            }
            ExprKind::Neg(inner) => self.check_neg(inner, span, scope),
            ExprKind::Binary(op, l, r) => self.check_binary(*op, l, r, span, scope),
            ExprKind::Presence { expr, present } => self.check_presence(expr, *present, span),
            ExprKind::In {
                expr,
                list,
                negated,
            } => self.check_in(expr, list, *negated, span, scope),
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => self.check_if(cond, then, otherwise, span, scope, expected),
            ExprKind::Call { function, args } => self.check_call(function, args, span, scope),
        }
    }

    /// `[a, b, ...]`: items of one type.
    fn check_list(&mut self, items: &[ast::Expr], span: Span, scope: &Scope) -> (ExprId, Ty) {
        let mut ids = Vec::new();
        let mut item_ty: Option<Ty> = None;
        for item in items {
            let (id, ty) = self.check_expr(item, scope, None);
            ids.push(id);
            item_ty = match item_ty {
                None => Some(ty),
                Some(acc) => match types::unify(&acc, &ty) {
                    Some(t) => Some(t),
                    None => {
                        self.report(Diagnostic::error(
                            Code::TypeMismatch,
                            item.span,
                            format!(
                                "list items must have one type: {} and {}",
                                self.type_name(&acc),
                                self.type_name(&ty)
                            ),
                        ));
                        Some(acc)
                    }
                },
            };
        }
        let ty = Ty::List(Box::new(item_ty.unwrap_or(Ty::Error)));
        (self.push_expr(Node::List(ids), span, ty.clone()), ty)
    }

    /// `-x`: a number or a duration.
    fn check_neg(&mut self, inner: &ast::Expr, span: Span, scope: &Scope) -> (ExprId, Ty) {
        let (id, ty) = self.check_expr(inner, scope, None);
        if !ty.is_numeric() && ty != Ty::Days && ty != Ty::Error {
            self.report(Diagnostic::error(
                Code::TypeMismatch,
                span,
                format!("cannot negate {}", self.type_name(&ty)),
            ));
            return self.poison(span);
        }
        (self.push_expr(Node::Neg(id), span, ty.clone()), ty)
    }

    /// `x in [a, b]`, `x not in [a, b]`: items comparable with `x`.
    fn check_in(
        &mut self,
        expr: &ast::Expr,
        list: &[ast::Expr],
        negated: bool,
        span: Span,
        scope: &Scope,
    ) -> (ExprId, Ty) {
        let (value, ty) = self.check_cmp_operand_pair(expr, None, scope);
        let mut ids = Vec::new();
        for item in list {
            let (id, ity) = self.check_expr(item, scope, Some(&ty));
            if !types::comparable(&ty, &ity) {
                self.report(Diagnostic::error(
                    Code::TypeMismatch,
                    item.span,
                    format!(
                        "cannot compare {} with {}",
                        self.type_name(&ty),
                        self.type_name(&ity)
                    ),
                ));
            }
            ids.push(id);
        }
        let node = Node::In {
            expr: value,
            list: ids,
            negated,
        };
        (self.push_expr(node, span, Ty::Bool), Ty::Bool)
    }

    /// `if c then a else b`: branches of one type; each knows what `c`
    /// proves present.
    fn check_if(
        &mut self,
        cond: &ast::Expr,
        then: &ast::Expr,
        otherwise: &ast::Expr,
        span: Span,
        scope: &Scope,
        expected: Option<&Ty>,
    ) -> (ExprId, Ty) {
        let c = self.check_bool(cond, scope);
        let (t, tt) = self.check_expr(then, &scope.with(&self.facts(cond, true)), expected);
        let (o, ot) = self.check_expr(
            otherwise,
            &scope.with(&self.facts(cond, false)),
            expected.or(Some(&tt)),
        );
        let Some(ty) = types::unify(&tt, &ot) else {
            self.report(Diagnostic::error(
                Code::TypeMismatch,
                span,
                format!(
                    "the branches of `if` differ: {} and {}",
                    self.type_name(&tt),
                    self.type_name(&ot)
                ),
            ));
            return self.poison(span);
        };
        let node = Node::If {
            cond: c,
            then: t,
            otherwise: o,
        };
        (self.push_expr(node, span, ty.clone()), ty)
    }

    fn check_literal(&mut self, lit: &ast::Literal) -> (ExprId, Ty) {
        let Some((value, ty)) = literal_value(&lit.value) else {
            return self.poison(lit.span);
        };
        (self.push_expr(Node::Const(value), lit.span, ty.clone()), ty)
    }

    fn check_path(
        &mut self,
        name: &ast::Name,
        scope: &Scope,
        expected: Option<&Ty>,
    ) -> (ExprId, Ty) {
        let span = name.span;
        // An enum value where an enum is expected wins over other names.
        if let Some(Ty::Enum(id)) = expected {
            if let Some(sym) = self.enum_value(*id, &name.text) {
                let ty = Ty::Enum(*id);
                return (
                    self.push_expr(Node::Const(Value::Enum(sym)), span, ty.clone()),
                    ty,
                );
            }
        }
        if let Some((let_id, ty)) = self.current_lets.get(&name.text).cloned() {
            let symbol = Symbol::local(Kind::Let, &name.text, &self.current_ruleset);
            self.names.refer(symbol, span);
            return (self.push_expr(Node::Let(let_id), span, ty.clone()), ty);
        }
        if let Some(field_id) = self.lookup_field(&name.text) {
            self.names
                .refer(Symbol::global(Kind::Field, &name.text), span);
            let Some(field) = self.fields.get(field_id.index()).cloned() else {
                return self.poison(span);
            };
            let guarded =
                !field.optional || field.default.is_some() || scope.present.contains(&field_id);
            if !guarded && !scope.placeholder {
                self.report(
                    Diagnostic::error(
                        Code::OptionalUnguarded,
                        span,
                        format!("`{}` is optional and may be absent here", name.text),
                    )
                    .with_help(format!(
                        "test it first (`{0} is present and ...`), or give a fallback with `if_absent({0}, ...)`",
                        name.text
                    )),
                );
            }
            return (
                self.push_expr(Node::Field(field_id), span, field.ty.clone()),
                field.ty,
            );
        }
        if let Some(Ty::Enum(id)) = expected {
            let values: Vec<String> = self
                .enums
                .get(id.0 as usize)
                .map(|v| {
                    v.iter()
                        .map(|s| self.symbols.name(*s).to_string())
                        .collect()
                })
                .unwrap_or_default();
            let mut d = Diagnostic::error(
                Code::UnknownEnumValue,
                span,
                format!("unknown value `{}`", name.text),
            );
            d = match did_you_mean(&name.text, values.iter().map(String::as_str)) {
                Some(s) => d
                    .with_help(format!(
                        "did you mean `{s}`? (values are case-sensitive: {})",
                        values.join(", ")
                    ))
                    .with_replacement(s),
                None => d.with_help(format!("the possible values are {}", values.join(", "))),
            };
            self.report(d);
            return self.poison(span);
        }
        if scope.placeholder && name.text == super::required::REQUIRED {
            return match self.check_required(name, scope.required.as_ref()) {
                Some(found) => found,
                None => self.poison(span),
            };
        }
        self.report_unknown_name(name, scope.placeholder);
        self.poison(span)
    }

    /// `3 months` reads as `3` then a field `months`: say that durations
    /// are written in days.
    fn duration_unit(&self, name: &ast::Name) -> Option<Diagnostic> {
        let days_per = match name.text.as_str() {
            "week" | "weeks" => 7,
            "month" | "months" => 30,
            "year" | "years" => 365,
            _ => return None,
        };
        let before = self
            .sources
            .get(name.span.file)?
            .text
            .get(..name.span.start as usize)?
            .trim_end();
        let digits = before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let count: i64 = before.get(before.len() - digits..)?.parse().ok()?;
        let example = count.checked_mul(days_per)?;
        Some(
            Diagnostic::error(
                Code::UnknownField,
                name.span,
                format!("durations are written in days, not `{}`", name.text),
            )
            .with_help(format!(
                "write `{example} days` for {count} {}: a duration counts calendar days",
                name.text
            )),
        )
    }

    pub(crate) fn report_unknown_name(&mut self, name: &ast::Name, placeholder: bool) {
        let text = &name.text;
        if let Some(d) = self.duration_unit(name) {
            self.report(d);
            return;
        }
        let candidates: Vec<String> = self
            .field_index
            .keys()
            .cloned()
            .chain(self.current_lets.keys().cloned())
            .collect();
        let (code, what) = if placeholder {
            (
                Code::UnknownPlaceholder,
                "placeholder names an unknown field",
            )
        } else {
            (Code::UnknownField, "unknown field")
        };
        let mut d = Diagnostic::error(code, name.span, format!("{what} `{text}`"));
        if let Some(s) = did_you_mean(text, candidates.iter().map(String::as_str)) {
            d = d.with_suggestion(s);
        } else {
            // List a few fields under the same group (`quota.`), if any.
            let group = text.split('.').next().unwrap_or("");
            let mut siblings: Vec<&str> = candidates
                .iter()
                .map(String::as_str)
                .filter(|c| c.split('.').next() == Some(group) && c.contains('.'))
                .collect();
            siblings.sort_unstable();
            siblings.truncate(5);
            if !siblings.is_empty() {
                d = d.with_help(format!(
                    "fields under `{group}` include {}",
                    siblings.join(", ")
                ));
            } else {
                d = d.with_help("declare it in the schema, or bind it with `let`");
            }
        }
        self.report(d);
    }

    fn check_presence(
        &mut self,
        expr: &ast::Expr,
        present: bool,
        span: crate::span::Span,
    ) -> (ExprId, Ty) {
        let ExprKind::Path(name) = &expr.kind else {
            self.report(
                Diagnostic::error(
                    Code::TypeMismatch,
                    expr.span,
                    "only a field can be tested for presence",
                )
                .with_help("write `<field> is present`"),
            );
            return self.poison(span);
        };
        let Some(field_id) = self.lookup_field(&name.text) else {
            self.report_unknown_name(name, false);
            return self.poison(span);
        };
        self.names
            .refer(Symbol::global(Kind::Field, &name.text), name.span);
        let optional = self
            .fields
            .get(field_id.index())
            .is_some_and(|f| f.optional && f.default.is_none());
        if !optional {
            self.report(
                Diagnostic::warning(
                    Code::TypeMismatch,
                    span,
                    format!("`{}` is never absent", name.text),
                )
                .with_help("only optional fields without a default can be absent; drop the test"),
            );
        }
        (
            self.push_expr(
                Node::Present {
                    field: field_id,
                    present,
                },
                span,
                Ty::Bool,
            ),
            Ty::Bool,
        )
    }

    /// Checks an operand of `=`/`in`, resolving enum values against `other`.
    fn check_cmp_operand_pair(
        &mut self,
        e: &ast::Expr,
        other: Option<&Ty>,
        scope: &Scope,
    ) -> (ExprId, Ty) {
        self.check_expr(e, scope, other)
    }

    /// Whether a bare name resolves without context (a field or a let).
    fn resolves(&self, e: &ast::Expr) -> bool {
        match &e.kind {
            ExprKind::Path(n) => {
                self.lookup_field(&n.text).is_some() || self.current_lets.contains_key(&n.text)
            }
            _ => true,
        }
    }

    fn check_binary(
        &mut self,
        op: BinOp,
        l: &ast::Expr,
        r: &ast::Expr,
        span: crate::span::Span,
        scope: &Scope,
    ) -> (ExprId, Ty) {
        match op {
            BinOp::And | BinOp::Or => {
                let a = self.check_bool(l, scope);
                let right_scope = scope.with(&self.facts(l, op == BinOp::And));
                let b = self.check_bool(r, &right_scope);
                let node = if op == BinOp::And {
                    Node::And(a, b)
                } else {
                    Node::Or(a, b)
                };
                (self.push_expr(node, span, Ty::Bool), Ty::Bool)
            }
            BinOp::Cmp(cmp) => self.check_cmp(cmp, l, r, span, scope),
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                self.check_arith(op, l, r, span, scope)
            }
        }
    }

    /// `a = b`, `a < b`, ...: comparable sides; `<` and the like only on
    /// ordered types.
    fn check_cmp(
        &mut self,
        cmp: CmpOp,
        l: &ast::Expr,
        r: &ast::Expr,
        span: crate::span::Span,
        scope: &Scope,
    ) -> (ExprId, Ty) {
        // Check the side that names something first, so `active = quota.status` works too.
        let ((a, at), (b, bt)) = if !self.resolves(l) && self.resolves(r) {
            let right = self.check_expr(r, scope, None);
            let left = self.check_expr(l, scope, Some(&right.1));
            (left, right)
        } else {
            let left = self.check_expr(l, scope, None);
            let right = self.check_expr(r, scope, Some(&left.1));
            (left, right)
        };
        if !types::comparable(&at, &bt) {
            let mut d = Diagnostic::error(
                Code::TypeMismatch,
                span,
                format!(
                    "cannot compare {} with {}",
                    self.type_name(&at),
                    self.type_name(&bt)
                ),
            );
            if at == Ty::Date || bt == Ty::Date {
                d = d.with_help("compare a date with a date; count days with `days(a, b)`");
            } else {
                d = d.with_help("both sides of a comparison must have the same type");
            }
            self.report(d);
            return self.poison(span);
        }
        let ordered = types::ordered(&at) && types::ordered(&bt);
        if !(matches!(cmp, CmpOp::Eq | CmpOp::Ne) || ordered) {
            self.report(
                Diagnostic::error(
                    Code::TypeMismatch,
                    span,
                    format!("{} values have no order", self.type_name(&at)),
                )
                .with_help("use `=` or `!=`, or `in [...]`"),
            );
            return self.poison(span);
        }
        (
            self.push_expr(Node::Cmp(cmp, a, b), span, Ty::Bool),
            Ty::Bool,
        )
    }

    /// `a + b`, `a - b`, `a * b`, `a / b`: numbers by the rules of
    /// `types::arith`, dates by durations.
    fn check_arith(
        &mut self,
        op: BinOp,
        l: &ast::Expr,
        r: &ast::Expr,
        span: crate::span::Span,
        scope: &Scope,
    ) -> (ExprId, Ty) {
        let (a, at) = self.check_expr(l, scope, None);
        let (b, bt) = self.check_expr(r, scope, None);
        // Dates move by durations.
        match (op, &at, &bt) {
            (BinOp::Add, Ty::Date, Ty::Days) | (BinOp::Sub, Ty::Date, Ty::Days) => {
                let node = Node::DateShift {
                    date: a,
                    days: b,
                    subtract: op == BinOp::Sub,
                };
                return (self.push_expr(node, span, Ty::Date), Ty::Date);
            }
            (BinOp::Add, Ty::Days, Ty::Date) => {
                let node = Node::DateShift {
                    date: b,
                    days: a,
                    subtract: false,
                };
                return (self.push_expr(node, span, Ty::Date), Ty::Date);
            }
            _ => {}
        }
        let Some(ty) = types::arith(op, &at, &bt) else {
            let mut d = Diagnostic::error(
                Code::TypeMismatch,
                span,
                format!(
                    "cannot apply `{}` to {} and {}",
                    op.symbol(),
                    self.type_name(&at),
                    self.type_name(&bt)
                ),
            );
            d = if at == Ty::Date && bt == Ty::Date {
                d.with_help("count the days between two dates with `days(from, to)`")
            } else if at == Ty::Date || bt == Ty::Date {
                d.with_help("move a date by a duration: `as_of + 180 days`")
            } else {
                d.with_help("money combines with money, or scales by a number or rate")
            };
            self.report(d);
            return self.poison(span);
        };
        let arith = match op {
            BinOp::Add => ArithOp::Add,
            BinOp::Sub => ArithOp::Sub,
            BinOp::Mul => ArithOp::Mul,
            _ => ArithOp::Div,
        };
        let id = self.push_expr(Node::Arith(arith, a, b), span, ty.clone());
        self.check_constant_arith(id, b, r.span, span);
        (id, ty)
    }

    /// Arithmetic that fails for every record is found here, not at run
    /// time: a division by a constant zero (V036), or constants whose sum,
    /// product or quotient overflows (V014).
    fn check_constant_arith(
        &mut self,
        id: ExprId,
        divisor: ExprId,
        divisor_span: crate::span::Span,
        span: crate::span::Span,
    ) {
        let divides = matches!(
            self.exprs.get(id.index()),
            Some(Node::Arith(ArithOp::Div, ..))
        );
        if divides && matches!(self.const_number(divisor), Some(Ok(d)) if d.is_zero()) {
            self.report(
                Diagnostic::error(
                    Code::DivisionByZero,
                    divisor_span,
                    "division by zero: this divides every record by 0",
                )
                .with_help("divide by a value that cannot be zero"),
            );
            return;
        }
        if let Some(Err(e)) = self.const_number(id) {
            self.report(
                Diagnostic::error(
                    Code::LiteralOutOfRange,
                    span,
                    format!("this constant expression fails for every record: {e}"),
                )
                .with_help("use smaller numbers; verdikt's decimals hold 28 digits"),
            );
        }
    }

    /// The value of an expression made of constants only, folded exactly as
    /// evaluation would compute it (`None`: it reads the record).
    pub(super) fn const_number(
        &self,
        id: ExprId,
    ) -> Option<Result<rust_decimal::Decimal, crate::decimal::ArithError>> {
        use crate::decimal;
        match self.exprs.get(id.index())? {
            Node::Const(Value::Num(d)) => Some(Ok(d.to_decimal())),
            Node::Neg(e) => Some(
                self.const_number(*e)?
                    .and_then(|d| decimal::sub(rust_decimal::Decimal::ZERO, d)),
            ),
            Node::Arith(op, a, b) => {
                let (x, y) = (self.const_number(*a)?, self.const_number(*b)?);
                Some(x.and_then(|x| {
                    y.and_then(|y| match op {
                        ArithOp::Add => decimal::add(x, y),
                        ArithOp::Sub => decimal::sub(x, y),
                        ArithOp::Mul => decimal::mul(x, y),
                        ArithOp::Div => decimal::div(x, y),
                    })
                }))
            }
            _ => None,
        }
    }

    /// A string with placeholders. Placeholders may read optional fields
    /// (absent prints as `—`), so reasons never fail to render.
    pub(crate) fn check_template(&mut self, t: &ast::Template, scope: &Scope) -> Node {
        let inner = Scope {
            placeholder: true,
            ..scope.clone()
        };
        let parts = t
            .parts
            .iter()
            .map(|p| match p {
                ast::TemplatePart::Text(s) => TemplatePart::Text(s.as_str().into()),
                ast::TemplatePart::Expr(e) => {
                    let (id, ty) = self.check_expr(e, &inner, None);
                    TemplatePart::Expr(id, ty)
                }
            })
            .collect();
        Node::Template(parts)
    }

    /// A template as an expression node.
    pub(crate) fn check_reason(&mut self, t: &ast::Template, scope: &Scope) -> ExprId {
        let node = self.check_template(t, scope);
        self.push_expr(node, t.span, Ty::Text)
    }

    /// Whether a name is a declared value of an enum.
    pub(crate) fn enum_value(
        &self,
        id: crate::types::EnumId,
        text: &str,
    ) -> Option<crate::value::Sym> {
        let sym = self.symbols.lookup(text)?;
        self.enums.get(id.0 as usize)?.contains(&sym).then_some(sym)
    }
}

/// A literal's compiled value and type (`None` for one that did not
/// parse). Mutation testing compiles a nudged literal with it too.
pub(crate) fn literal_value(lit: &LitValue) -> Option<(Value, Ty)> {
    Some(match lit {
        LitValue::Number(d) => (Value::Num(Num::from(*d)), Ty::Number),
        LitValue::Percent(d) => (Value::Num(Num::from(*d)), Ty::Rate),
        LitValue::Money(d) => (Value::Num(Num::from(*d)), Ty::Money),
        LitValue::Date(d) => (Value::Date(*d), Ty::Date),
        LitValue::Days(n) => (Value::Days(*n), Ty::Days),
        LitValue::Bool(b) => (Value::Bool(*b), Ty::Bool),
        LitValue::Error => return None,
    })
}
