//! Conditions, formulas and merchant texts in plain words: `店铺评分 ≥ 4.8`
//! rather than `store.rating >= 4.8`, with each constant formatted like the
//! values it is compared with (¥, %, dates, enum labels).
//!
//! The walk is over the syntax tree (it keeps the author's `let` names and
//! layout); what each name resolved to, and each expression's type, comes
//! from the checked policy, looked up by the expression's span.

use std::collections::HashMap;

use crate::ast::{self, BinOp, CmpOp, ExprKind, LitValue, Template, TemplatePart};
use crate::builtins::Builtin;
use crate::ir::{ExprId, Node, Policy};
use crate::span::Span;
use crate::types::Ty;
use crate::value::Value;

use super::page::{Inline, Line};
use super::words::BookWords;

/// What the checker made of each expression, found by its span.
#[derive(Debug)]
pub(crate) struct Resolved<'p> {
    policy: &'p Policy,
    by_span: HashMap<(u32, u32, u32), Vec<ExprId>>,
    pub(crate) words: &'static BookWords,
    /// Field paths and the labels the schema gives them.
    pub(crate) labels: HashMap<String, String>,
}

/// How tightly an expression binds, loosest first: a child looser than its
/// place needs parentheses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    If,
    Or,
    And,
    Not,
    Cmp,
    Add,
    Mul,
    Atom,
}

fn key(span: Span) -> (u32, u32, u32) {
    (span.file.0, span.start, span.end)
}

impl<'p> Resolved<'p> {
    pub(crate) fn new(policy: &'p Policy, words: &'static BookWords) -> Resolved<'p> {
        let mut by_span: HashMap<(u32, u32, u32), Vec<ExprId>> = HashMap::new();
        for (i, span) in policy.expr_spans.iter().enumerate() {
            by_span
                .entry(key(*span))
                .or_default()
                .push(ExprId::from_index(i));
        }
        Resolved {
            policy,
            by_span,
            words,
            labels: HashMap::new(),
        }
    }

    /// The compiled nodes written at `span`, with their types.
    fn nodes(&self, span: Span) -> impl Iterator<Item = (&'p Node, &'p Ty)> + '_ {
        let policy = self.policy;
        self.by_span
            .get(&key(span))
            .into_iter()
            .flatten()
            .filter_map(move |id| {
                Some((
                    policy.exprs.get(id.index())?,
                    policy.expr_types.get(id.index())?,
                ))
            })
    }

    /// The type the checker gave the expression at `span`.
    fn ty(&self, e: &ast::Expr) -> Option<&'p Ty> {
        self.nodes(e.span).map(|(_, t)| t).last()
    }

    /// A value as a person reads it, in its type.
    pub(crate) fn value(&self, value: &Value, ty: &Ty) -> String {
        match value {
            Value::Bool(true) => self.words.yes.to_string(),
            Value::Bool(false) => self.words.no.to_string(),
            Value::Days(n) => format!("{n}{}", self.words.days_n.1),
            _ => crate::value::human(value, ty, &self.policy.symbols),
        }
    }

    /// An expression in plain words.
    pub(crate) fn expr(&self, e: &ast::Expr) -> Line {
        let mut out = Out::default();
        self.write(&mut out, e, None, Prec::If);
        out.0
    }

    /// A condition: an expression, with a bare yes/no field read as
    /// `x = 是` rather than a name alone.
    pub(crate) fn condition(&self, e: &ast::Expr) -> Line {
        let mut line = self.expr(e);
        if matches!(e.kind, ExprKind::Path(_)) && self.ty(e) == Some(&Ty::Bool) {
            line.push(Inline::Text(format!(" = {}", self.words.yes)));
        }
        line
    }

    /// An expression whose untyped constants take the type `hint` (an
    /// output's type for the value assigned to it).
    pub(crate) fn expr_as(&self, e: &ast::Expr, hint: Option<&Ty>) -> Line {
        let mut out = Out::default();
        self.write(&mut out, e, hint, Prec::If);
        out.0
    }

    /// A merchant text, its placeholders as slots.
    pub(crate) fn template(&self, t: &Template) -> Inline {
        Inline::Quote(self.template_parts(t, None))
    }

    /// The text of condition `cond`: its `{required}` shows the value the
    /// condition compares with (`需达到 {4.8}`), as the checker resolved it.
    pub(crate) fn condition_text(&self, t: &Template, cond: &ast::Expr) -> Inline {
        Inline::Quote(self.template_parts(t, Some(cond)))
    }

    /// A title: its plain text, placeholders in braces.
    pub(crate) fn title(&self, t: &Template) -> String {
        let mut s = String::new();
        for part in self.template_parts(t, None) {
            plain(&part, &mut s);
        }
        s
    }

    fn template_parts(&self, t: &Template, cond: Option<&ast::Expr>) -> Vec<Inline> {
        // The compiled parts, one per written part.
        let compiled = self.nodes(t.span).find_map(|(n, _)| match n {
            Node::Template(parts) => Some(parts),
            _ => None,
        });
        let mut parts = Vec::new();
        for (i, part) in t.parts.iter().enumerate() {
            match part {
                TemplatePart::Text(s) => parts.push(Inline::Text(s.clone())),
                TemplatePart::Expr(e) => {
                    let required = cond.zip(compiled.and_then(|c| c.get(i))).and_then(
                        |(cond, part)| match part {
                            crate::ir::TemplatePart::Expr(id, ty) => {
                                self.required(e, cond, *id, ty)
                            }
                            crate::ir::TemplatePart::Text(_) => None,
                        },
                    );
                    parts.push(Inline::Slot(required.unwrap_or_else(|| self.expr(e))))
                }
            }
        }
        parts
    }

    /// `{required}` in the text of `cond`: the compared value `id`, found
    /// in the condition and written in the type `ty` it prints in.
    fn required(&self, e: &ast::Expr, cond: &ast::Expr, id: ExprId, ty: &Ty) -> Option<Line> {
        let ExprKind::Path(name) = &e.kind else {
            return None;
        };
        if name.text != crate::check::REQUIRED || self.nodes(e.span).next().is_some() {
            return None;
        }
        let span = *self.policy.expr_spans.get(id.index())?;
        let threshold = find_expr(cond, key(span)).filter(|t| key(t.span) != key(cond.span))?;
        Some(self.expr_as(threshold, Some(ty)))
    }

    fn write(&self, out: &mut Out, e: &ast::Expr, hint: Option<&Ty>, place: Prec) {
        let prec = prec_of(&e.kind);
        let paren = prec < place;
        if paren {
            out.text("(");
        }
        self.write_kind(out, e, hint);
        if paren {
            out.text(")");
        }
    }

    fn write_kind(&self, out: &mut Out, e: &ast::Expr, hint: Option<&Ty>) {
        let w = self.words;
        match &e.kind {
            ExprKind::Literal(lit) => out.text(&self.literal(lit, hint)),
            ExprKind::Path(name) => self.write_path(out, e.span, &name.text),
            ExprKind::Call { function, args } => self.write_call(out, e.span, function, args),
            ExprKind::CalendarRef(name) => out.code(&name.text),
            ExprKind::Not(inner) => {
                out.text(w.not.0);
                self.write(out, inner, None, Prec::If);
                out.text(w.not.1);
            }
            ExprKind::Neg(inner) => {
                out.text("-");
                self.write(out, inner, hint, Prec::Atom);
            }
            ExprKind::Binary(op, a, b) => self.write_binary(out, *op, a, b, hint),
            ExprKind::Presence { expr, present } => {
                self.write(out, expr, None, Prec::Atom);
                out.text(if *present { w.present } else { w.absent });
            }
            ExprKind::In {
                expr,
                list,
                negated,
            } => {
                let ty = self.ty(expr).cloned();
                self.write(out, expr, None, Prec::Add);
                out.text(if *negated { w.not_in_list } else { w.in_list });
                self.write_list(out, list, ty.as_ref());
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                let ty = self.ty(e).cloned();
                let hint = hint.or(ty.as_ref());
                out.text(w.if_then_else[0]);
                self.write(out, cond, None, Prec::Or);
                out.text(w.if_then_else[1]);
                self.write(out, then, hint, Prec::Or);
                out.text(w.if_then_else[2]);
                self.write(out, otherwise, hint, Prec::Or);
            }
            ExprKind::List(items) => {
                let item_ty = match self.ty(e) {
                    Some(Ty::List(t)) => Some(t.as_ref().clone()),
                    _ => None,
                };
                self.write_list(out, items, item_ty.as_ref());
            }
            ExprKind::Text(t) => out.push(self.template(t)),
            ExprKind::Error => out.text("?"),
        }
    }

    fn write_list(&self, out: &mut Out, items: &[ast::Expr], ty: Option<&Ty>) {
        out.text("[");
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.text(self.words.list_sep);
            }
            self.write(out, item, ty, Prec::Or);
        }
        out.text("]");
    }

    /// A field path, a computed value's name, or an enum value's label.
    fn write_path(&self, out: &mut Out, span: Span, text: &str) {
        for (node, ty) in self.nodes(span) {
            match node {
                Node::Const(v @ Value::Enum(_)) => return out.text(&self.value(v, ty)),
                Node::Field(_) => match self.labels.get(text) {
                    Some(label) => return out.text(label),
                    None => return out.code(text),
                },
                Node::Let(_) => return out.code(text),
                _ => {}
            }
        }
        out.code(text)
    }

    fn write_binary(
        &self,
        out: &mut Out,
        op: BinOp,
        a: &ast::Expr,
        b: &ast::Expr,
        hint: Option<&Ty>,
    ) {
        let w = self.words;
        let prec = prec_of_binary(op);
        match op {
            BinOp::Or | BinOp::And => {
                self.write(out, a, None, prec);
                out.text(if op == BinOp::Or { w.or } else { w.and });
                self.write(out, b, None, prec);
            }
            BinOp::Cmp(c) => {
                // An untyped constant reads in the other side's type:
                // `quota.used = 0` is `= ¥0.00`.
                let (ta, tb) = (self.ty(a).cloned(), self.ty(b).cloned());
                self.write(out, a, tb.as_ref(), Prec::Add);
                out.text(&format!(" {} ", cmp_symbol(c)));
                self.write(out, b, ta.as_ref(), Prec::Add);
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let symbol = match op {
                    BinOp::Add => " + ",
                    BinOp::Sub => " − ",
                    BinOp::Mul => " × ",
                    _ => " ÷ ",
                };
                // `+`/`-` keep the type on both sides; `×`/`÷` scale by a
                // plain number or a rate.
                let same = matches!(op, BinOp::Add | BinOp::Sub);
                let (ta, tb) = (self.ty(a).cloned(), self.ty(b).cloned());
                let right = if same { b_prec(prec) } else { Prec::Atom };
                self.write(out, a, if same { tb.as_ref().or(hint) } else { None }, prec);
                out.text(symbol);
                self.write(
                    out,
                    b,
                    if same { ta.as_ref().or(hint) } else { None },
                    right,
                );
            }
        }
    }

    fn write_call(&self, out: &mut Out, span: Span, function: &ast::Name, args: &[ast::Expr]) {
        let w = self.words;
        let builtin = self.nodes(span).find_map(|(n, _)| match n {
            Node::Call { builtin, .. } => Some(*builtin),
            _ => None,
        });
        let arg = |i: usize| args.get(i);
        let one = |out: &mut Out, e: Option<&ast::Expr>, hint: Option<&Ty>, place: Prec| {
            if let Some(e) = e {
                self.write(out, e, hint, place);
            }
        };
        match builtin {
            Some(Builtin::FloorTo | Builtin::CeilTo) => {
                // The step reads as a plain number: `向下取整到 100`.
                out.text(if builtin == Some(Builtin::FloorTo) {
                    w.floor_to
                } else {
                    w.ceil_to
                });
                one(out, arg(1), None, Prec::Atom);
                out.text("(");
                one(out, arg(0), None, Prec::If);
                out.text(")");
            }
            Some(Builtin::RoundCents | Builtin::Abs) => {
                out.text(if builtin == Some(Builtin::Abs) {
                    w.abs
                } else {
                    w.round_cents
                });
                out.text("(");
                one(out, arg(0), None, Prec::If);
                out.text(")");
            }
            Some(Builtin::Days) => {
                out.text(w.days_between.0);
                one(out, arg(0), None, Prec::Add);
                out.text(w.days_between.1);
                one(out, arg(1), None, Prec::Add);
                out.text(w.days_between.2);
            }
            Some(Builtin::AddDays) => {
                one(out, arg(0), None, Prec::Add);
                out.text(" + ");
                one(out, arg(1), None, Prec::Mul);
                out.text(w.days_n.1);
            }
            Some(Builtin::BusinessDaysAfter) => {
                out.text(w.business_days[0]);
                one(out, arg(0), None, Prec::Add);
                out.text(w.business_days[1]);
                one(out, arg(1), None, Prec::Mul);
                out.text(w.business_days[2]);
                if let Some(ast::Expr {
                    kind: ExprKind::CalendarRef(cal),
                    ..
                }) = arg(2)
                {
                    out.text(" (");
                    out.code(&cal.text);
                    out.text(")");
                }
            }
            Some(Builtin::IfAbsent) => {
                let ty = arg(0).and_then(|a| self.ty(a)).cloned();
                one(out, arg(0), None, Prec::Add);
                out.text(w.if_absent.0);
                one(out, arg(1), ty.as_ref(), Prec::Add);
                out.text(w.if_absent.1);
            }
            Some(Builtin::Min | Builtin::Max) | None => {
                let ty = self.ty_at(span).cloned();
                out.text(&function.text);
                out.text("(");
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.text(", ");
                    }
                    self.write(out, a, ty.as_ref(), Prec::If);
                }
                out.text(")");
            }
        }
    }

    fn ty_at(&self, span: Span) -> Option<&'p Ty> {
        self.nodes(span).map(|(_, t)| t).last()
    }

    /// A constant in its type: `¥500,000.00`, `130%`, `2026-01-01`, `90 天`.
    fn literal(&self, lit: &ast::Literal, hint: Option<&Ty>) -> String {
        if let LitValue::Days(n) = lit.value {
            return format!("{n}{}", self.words.days_n.1);
        }
        let checked = self.nodes(lit.span).find_map(|(n, t)| match n {
            Node::Const(v) => Some((v, t)),
            _ => None,
        });
        match checked {
            Some((v, Ty::Number)) => match hint {
                Some(h @ (Ty::Money | Ty::Rate | Ty::Int | Ty::Decimal)) => self.value(v, h),
                _ => self.value(v, &Ty::Number),
            },
            Some((v, t)) => self.value(v, t),
            None => lit.text.clone(),
        }
    }
}

fn b_prec(p: Prec) -> Prec {
    // `a - (b + c)`: the right side of a left-associative operator binds
    // one step tighter.
    match p {
        Prec::Add => Prec::Mul,
        Prec::Mul => Prec::Atom,
        other => other,
    }
}

fn prec_of(kind: &ExprKind) -> Prec {
    match kind {
        ExprKind::If { .. } => Prec::If,
        ExprKind::Binary(op, _, _) => prec_of_binary(*op),
        ExprKind::Not(_) => Prec::Not,
        ExprKind::Presence { .. } | ExprKind::In { .. } => Prec::Cmp,
        _ => Prec::Atom,
    }
}

fn prec_of_binary(op: BinOp) -> Prec {
    match op {
        BinOp::Or => Prec::Or,
        BinOp::And => Prec::And,
        BinOp::Cmp(_) => Prec::Cmp,
        BinOp::Add | BinOp::Sub => Prec::Add,
        BinOp::Mul | BinOp::Div => Prec::Mul,
    }
}

/// The comparison as mathematics writes it.
pub(crate) fn cmp_symbol(c: CmpOp) -> &'static str {
    match c {
        CmpOp::Eq => "=",
        CmpOp::Ne => "≠",
        CmpOp::Lt => "<",
        CmpOp::Le => "≤",
        CmpOp::Gt => ">",
        CmpOp::Ge => "≥",
    }
}

/// The expression inside `e` (or `e` itself) written at `at`.
fn find_expr(e: &ast::Expr, at: (u32, u32, u32)) -> Option<&ast::Expr> {
    if key(e.span) == at {
        return Some(e);
    }
    let inside: Vec<&ast::Expr> = match &e.kind {
        ExprKind::Not(x) | ExprKind::Neg(x) => vec![x],
        ExprKind::Presence { expr, .. } => vec![expr],
        ExprKind::Binary(_, a, b) => vec![a, b],
        ExprKind::Call { args, .. } | ExprKind::List(args) => args.iter().collect(),
        ExprKind::In { expr, list, .. } => std::iter::once(expr.as_ref()).chain(list).collect(),
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => vec![cond, then, otherwise],
        _ => Vec::new(),
    };
    inside.into_iter().find_map(|x| find_expr(x, at))
}

/// Inline runs, adjacent text joined.
#[derive(Debug, Default)]
struct Out(Line);

impl Out {
    fn text(&mut self, s: &str) {
        if let Some(Inline::Text(last)) = self.0.last_mut() {
            last.push_str(s);
        } else {
            self.0.push(Inline::Text(s.to_string()));
        }
    }

    fn code(&mut self, s: &str) {
        self.0.push(Inline::Code(s.to_string()));
    }

    fn push(&mut self, inline: Inline) {
        self.0.push(inline);
    }
}

/// An inline's text without markup (for titles).
fn plain(inline: &Inline, out: &mut String) {
    match inline {
        Inline::Text(t) | Inline::Code(t) => out.push_str(t),
        Inline::Quote(parts) => parts.iter().for_each(|p| plain(p, out)),
        Inline::Slot(parts) => {
            out.push('{');
            parts.iter().for_each(|p| plain(p, out));
            out.push('}');
        }
    }
}
