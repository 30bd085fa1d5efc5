//! Conditions as sums of products (DNF) of atoms, to decide two things
//! for sure: that a condition can never hold, and that one condition
//! implies another.
//!
//! The model: an atom on a value (a field, a `let`, any expression) holds
//! when the value is present and the test passes, so its negation is
//! "absent, or the opposite test". The checker proves every optional field
//! present before it is read, so on every record the engine decides, a
//! condition is true exactly when this model says so. Anything not
//! understood is an opaque atom, equal only to the same expression:
//! it never makes a condition look impossible or implied by mistake.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::Datelike;
use rust_decimal::Decimal;

use crate::ast::{self, BinOp, CmpOp, Condition, ExprKind, GroupKind, LitValue};
use crate::span::Span;

use super::interval::Interval;

/// Past this many alternatives a condition is left alone (no warning).
const MAX_TERMS: usize = 512;

/// What the schema says about one field.
#[derive(Debug, Clone)]
pub(crate) struct FieldInfo {
    /// Int and date values are whole numbers (dates as day numbers).
    pub discrete: bool,
    /// Required, or optional with a default: never absent.
    pub always_present: bool,
    /// The range its constraints allow.
    pub domain: Interval,
    /// Every value of a `one of` or `bool` field.
    pub values: Option<BTreeSet<String>>,
}

/// The names a condition may use: schema fields and the ruleset's `let`s.
#[derive(Debug)]
pub(crate) struct Names<'a> {
    pub fields: &'a BTreeMap<String, FieldInfo>,
    pub lets: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Test {
    /// The value is present and in the interval.
    Range(Interval),
    /// The value is present and one of these.
    OneOf(BTreeSet<String>),
    /// The value is present (true) or absent (false).
    Present(bool),
    /// An expression not understood is true (true) or not (false).
    Holds(bool),
}

/// Where an atom was written, for messages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Origin {
    pub span: Span,
    /// The atom is the negation of what is written there.
    pub negated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Atom {
    /// The value tested, as a canonical expression text (a field's path).
    pub key: String,
    pub test: Test,
    pub origin: Origin,
}

/// Alternatives, each a conjunction of atoms. `[]` is false, `[[]]` true.
pub(crate) type Dnf = Vec<Vec<Atom>>;

pub(crate) fn always() -> Dnf {
    vec![Vec::new()]
}

/// Both; `None` when the product grows past [`MAX_TERMS`].
pub(crate) fn and(a: &Dnf, b: &Dnf) -> Option<Dnf> {
    if a.len().checked_mul(b.len())? > MAX_TERMS {
        return None;
    }
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            let mut conj = x.clone();
            conj.extend(y.iter().cloned());
            out.push(conj);
        }
    }
    Some(out)
}

/// Either; `None` past [`MAX_TERMS`].
pub(crate) fn or(mut a: Dnf, b: Dnf) -> Option<Dnf> {
    if a.len() + b.len() > MAX_TERMS {
        return None;
    }
    a.extend(b);
    Some(a)
}

/// Why a conjunction can never hold: its atoms on `key` contradict each
/// other (or the schema's constraints on that field).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Conflict {
    pub key: String,
}

/// What one conjunction says about each value.
#[derive(Debug, Default)]
struct Facts {
    range: BTreeMap<String, Interval>,
    one_of: BTreeMap<String, BTreeSet<String>>,
    present: BTreeMap<String, bool>,
    holds: BTreeMap<String, bool>,
}

impl Names<'_> {
    fn field(&self, key: &str) -> Option<&FieldInfo> {
        self.fields.get(key)
    }

    fn always_present(&self, key: &str) -> bool {
        self.field(key).is_some_and(|f| f.always_present)
    }

    fn domain(&self, key: &str) -> Interval {
        self.field(key).map_or(Interval::ALL, |f| f.domain)
    }

    fn values(&self, key: &str) -> Option<&BTreeSet<String>> {
        self.field(key).and_then(|f| f.values.as_ref())
    }

    /// Whether a bare name is a field or a `let` (not an enum value).
    fn resolves(&self, name: &str) -> bool {
        self.fields.contains_key(name) || self.lets.contains(name)
    }

    /// Sums up a conjunction, or names the value it contradicts itself on.
    fn facts(&self, conj: &[Atom]) -> Result<Facts, Conflict> {
        let mut f = Facts::default();
        let conflict = |key: &str| Conflict {
            key: key.to_string(),
        };
        for atom in conj {
            let key = atom.key.as_str();
            let valued = matches!(atom.test, Test::Range(_) | Test::OneOf(_));
            match &atom.test {
                Test::Range(i) => {
                    let now = f.range.get(key).copied().unwrap_or(self.domain(key));
                    f.range.insert(key.to_string(), now.intersect(*i));
                }
                Test::OneOf(set) => {
                    let now = f
                        .one_of
                        .get(key)
                        .or(self.values(key))
                        .cloned()
                        .unwrap_or_else(|| set.clone());
                    f.one_of
                        .insert(key.to_string(), now.intersection(set).cloned().collect());
                }
                Test::Present(p) => {
                    if !p && self.always_present(key) {
                        return Err(conflict(key));
                    }
                    if f.present.insert(key.to_string(), *p) == Some(!p) {
                        return Err(conflict(key));
                    }
                }
                Test::Holds(h) => {
                    if f.holds.insert(key.to_string(), *h) == Some(!h) {
                        return Err(conflict(key));
                    }
                }
            }
            if valued && f.present.insert(key.to_string(), true) == Some(false) {
                return Err(conflict(key));
            }
        }
        if let Some((key, _)) = f.range.iter().find(|(_, i)| i.is_empty()) {
            return Err(conflict(key));
        }
        if let Some((key, _)) = f.one_of.iter().find(|(_, s)| s.is_empty()) {
            return Err(conflict(key));
        }
        Ok(f)
    }

    /// `Ok` when some alternative may hold; else the first alternative's
    /// conflict (`None` for the constant `false`).
    pub(crate) fn satisfiable(&self, dnf: &Dnf) -> Result<(), Option<Conflict>> {
        let mut first = None;
        for conj in dnf {
            match self.facts(conj) {
                Ok(_) => return Ok(()),
                Err(c) => {
                    first.get_or_insert(c);
                }
            }
        }
        Err(first)
    }

    /// Whether every record `b` accepts is accepted by `a`, for sure:
    /// each alternative of `b` is impossible or implies one of `a`'s.
    pub(crate) fn implies(&self, b: &Dnf, a: &Dnf) -> bool {
        b.iter().all(|conj| match self.facts(conj) {
            Err(_) => true,
            Ok(facts) => a.iter().any(|target| self.conj_implies(&facts, target)),
        })
    }

    fn conj_implies(&self, b: &Facts, a: &[Atom]) -> bool {
        a.iter().all(|atom| {
            let key = atom.key.as_str();
            match &atom.test {
                Test::Range(want) => {
                    let have = b.range.get(key).copied().or_else(|| {
                        self.always_present(key)
                            .then(|| self.domain(key))
                            .filter(|d| *d != Interval::ALL)
                    });
                    have.is_some_and(|have| want.contains(&have))
                }
                Test::OneOf(want) => {
                    let have = b
                        .one_of
                        .get(key)
                        .or_else(|| self.always_present(key).then(|| self.values(key)).flatten());
                    have.is_some_and(|have| have.is_subset(want))
                }
                Test::Present(true) => {
                    self.always_present(key)
                        || b.present.get(key) == Some(&true)
                        || b.range.contains_key(key)
                        || b.one_of.contains_key(key)
                }
                Test::Present(false) => b.present.get(key) == Some(&false),
                Test::Holds(h) => b.holds.get(key) == Some(h),
            }
        })
    }

    /// A condition (an expression or a group) as a DNF.
    pub(crate) fn condition(&self, c: &Condition, positive: bool) -> Option<Dnf> {
        match c {
            Condition::Expr(e) => self.expr(e, positive),
            Condition::Group(g) => {
                // `all of` is a product; `any of` a sum; negation swaps them.
                let product = (g.kind == GroupKind::All) == positive;
                let mut acc = if product { always() } else { Vec::new() };
                for item in &g.items {
                    let next = self.condition(&item.condition, positive)?;
                    acc = if product {
                        and(&acc, &next)?
                    } else {
                        or(acc, next)?
                    };
                }
                Some(acc)
            }
        }
    }

    /// A boolean expression (`positive`) or its negation as a DNF.
    pub(crate) fn expr(&self, e: &ast::Expr, positive: bool) -> Option<Dnf> {
        match &e.kind {
            ExprKind::Literal(ast::Literal {
                value: LitValue::Bool(b),
                ..
            }) => Some(if *b == positive { always() } else { Vec::new() }),
            ExprKind::Not(inner) => self.expr(inner, !positive),
            ExprKind::Binary(op @ (BinOp::And | BinOp::Or), l, r) => {
                let l = self.expr(l, positive)?;
                let r = self.expr(r, positive)?;
                if (*op == BinOp::And) == positive {
                    and(&l, &r)
                } else {
                    or(l, r)
                }
            }
            ExprKind::Binary(BinOp::Cmp(op), l, r) => Some(self.comparison(e, *op, l, r, positive)),
            ExprKind::Presence { expr, present } => match &expr.kind {
                ExprKind::Path(p) => Some(vec![vec![Atom {
                    key: p.text.clone(),
                    test: Test::Present(*present == positive),
                    origin: origin(e, false),
                }]]),
                _ => Some(self.opaque(e, positive)),
            },
            ExprKind::In {
                expr,
                list,
                negated,
            } => Some(
                self.membership(e, expr, list, *negated, positive)
                    .unwrap_or_else(|| self.opaque(e, positive)),
            ),
            ExprKind::Path(p) => {
                let is_bool = self
                    .values(&p.text)
                    .is_some_and(|v| v.len() == 2 && v.contains("true") && v.contains("false"));
                if is_bool {
                    Some(self.one_of(e, &p.text, ["true".to_string()].into(), positive))
                } else {
                    Some(self.opaque(e, positive))
                }
            }
            _ => Some(self.opaque(e, positive)),
        }
    }

    /// `x <op> literal`, `literal <op> x`, `x = enum_value`; else opaque.
    fn comparison(
        &self,
        whole: &ast::Expr,
        op: CmpOp,
        l: &ast::Expr,
        r: &ast::Expr,
        positive: bool,
    ) -> Dnf {
        let (value, op, lit) = match (literal(l), literal(r)) {
            (None, Some(lit)) => (l, op, lit),
            (Some(lit), None) => (r, flip(op), lit),
            _ => {
                return self
                    .enum_comparison(whole, op, l, r, positive)
                    .unwrap_or_else(|| self.opaque(whole, positive));
            }
        };
        let key = canon(value);
        let (number, discrete_literal) = match lit {
            Lit::Number(n) => (n, false),
            Lit::Whole(n) => (n, true),
            Lit::Bool(b) => {
                let eq = match op {
                    CmpOp::Eq => b,
                    CmpOp::Ne => !b,
                    _ => return self.opaque(whole, positive),
                };
                if self.values(&key).is_none() {
                    return self.opaque(whole, positive);
                }
                return self.one_of(whole, &key, [eq.to_string()].into(), positive);
            }
        };
        let discrete = discrete_literal || self.field(&key).is_some_and(|f| f.discrete);
        let (op, missing) = if positive {
            (op, false)
        } else {
            (negate(op), !self.always_present(&key))
        };
        let at = origin(whole, !positive);
        let mut dnf: Dnf = Interval::compare(op, number, discrete)
            .into_iter()
            .map(|i| {
                vec![Atom {
                    key: key.clone(),
                    test: Test::Range(i),
                    origin: at,
                }]
            })
            .collect();
        if missing {
            dnf.push(vec![absent(&key, at)]);
        }
        dnf
    }

    /// `x = v` / `x != v` where `x` is a `one of` field and `v` one of its values.
    fn enum_comparison(
        &self,
        whole: &ast::Expr,
        op: CmpOp,
        l: &ast::Expr,
        r: &ast::Expr,
        positive: bool,
    ) -> Option<Dnf> {
        let (ExprKind::Path(a), ExprKind::Path(b)) = (&l.kind, &r.kind) else {
            return None;
        };
        // As the checker reads it: a value of the field's enum wins over
        // other names on the far side; the near side must name something.
        let (field, value) = if self.values(&a.text).is_some_and(|v| v.contains(&b.text)) {
            (&a.text, &b.text)
        } else if !self.resolves(&a.text)
            && self.values(&b.text).is_some_and(|v| v.contains(&a.text))
        {
            (&b.text, &a.text)
        } else {
            return None;
        };
        let set: BTreeSet<String> = [value.clone()].into();
        match op {
            CmpOp::Eq => Some(self.one_of(whole, field, set, positive)),
            CmpOp::Ne => {
                let all = self.values(field)?;
                Some(self.one_of(whole, field, all - &set, positive))
            }
            _ => None,
        }
    }

    /// `x in [a, b]` / `x not in [a, b]` on a `one of` field.
    fn membership(
        &self,
        whole: &ast::Expr,
        value: &ast::Expr,
        list: &[ast::Expr],
        negated: bool,
        positive: bool,
    ) -> Option<Dnf> {
        let ExprKind::Path(field) = &value.kind else {
            return None;
        };
        let all = self.values(&field.text)?;
        let mut set = BTreeSet::new();
        for item in list {
            match &item.kind {
                ExprKind::Path(v) if all.contains(&v.text) => {
                    set.insert(v.text.clone());
                }
                _ => return None,
            }
        }
        let set = if negated { all - &set } else { set };
        Some(self.one_of(whole, &field.text, set, positive))
    }

    /// The value is one of `set` (positive), or absent or one of the others.
    fn one_of(&self, whole: &ast::Expr, key: &str, set: BTreeSet<String>, positive: bool) -> Dnf {
        let at = origin(whole, !positive);
        if positive {
            return vec![vec![Atom {
                key: key.to_string(),
                test: Test::OneOf(set),
                origin: at,
            }]];
        }
        let others = self.values(key).map(|all| all - &set).unwrap_or_default();
        let mut dnf = vec![vec![Atom {
            key: key.to_string(),
            test: Test::OneOf(others),
            origin: at,
        }]];
        if !self.always_present(key) {
            dnf.push(vec![absent(key, at)]);
        }
        dnf
    }

    fn opaque(&self, e: &ast::Expr, positive: bool) -> Dnf {
        vec![vec![Atom {
            key: canon(e),
            test: Test::Holds(positive),
            origin: origin(e, !positive),
        }]]
    }
}

fn origin(e: &ast::Expr, negated: bool) -> Origin {
    Origin {
        span: e.span,
        negated,
    }
}

fn absent(key: &str, origin: Origin) -> Atom {
    Atom {
        key: key.to_string(),
        test: Test::Present(false),
        origin,
    }
}

/// `a <op> b` is `b <flip(op)> a`.
fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

/// The opposite test on a present value.
fn negate(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Eq => CmpOp::Ne,
        CmpOp::Ne => CmpOp::Eq,
        CmpOp::Lt => CmpOp::Ge,
        CmpOp::Le => CmpOp::Gt,
        CmpOp::Gt => CmpOp::Le,
        CmpOp::Ge => CmpOp::Lt,
    }
}

/// A constant operand of a comparison.
enum Lit {
    Number(Decimal),
    /// Dates (as day numbers) and durations: whole numbers.
    Whole(Decimal),
    Bool(bool),
}

fn literal(e: &ast::Expr) -> Option<Lit> {
    match &e.kind {
        ExprKind::Literal(l) => match &l.value {
            LitValue::Number(d) | LitValue::Percent(d) | LitValue::Money(d) => {
                Some(Lit::Number(*d))
            }
            LitValue::Date(d) => Some(Lit::Whole(Decimal::from(d.num_days_from_ce()))),
            LitValue::Days(n) => Some(Lit::Whole(Decimal::from(*n))),
            LitValue::Bool(b) => Some(Lit::Bool(*b)),
            LitValue::Error => None,
        },
        ExprKind::Neg(inner) => match literal(inner)? {
            Lit::Number(d) => Some(Lit::Number(-d)),
            Lit::Whole(d) => Some(Lit::Whole(-d)),
            Lit::Bool(_) => None,
        },
        _ => None,
    }
}

/// The range a schema constraint allows, for a field's domain.
pub(crate) fn literal_interval(op: CmpOp, lit: &ast::Literal, discrete: bool) -> Option<Interval> {
    let e = ast::Expr {
        kind: ExprKind::Literal(lit.clone()),
        span: lit.span,
    };
    let value = match literal(&e)? {
        Lit::Number(d) | Lit::Whole(d) => d,
        Lit::Bool(_) => return None,
    };
    match Interval::compare(op, value, discrete).as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// An expression's text without spans or layout: equal texts, equal values.
pub(crate) fn canon(e: &ast::Expr) -> String {
    let mut out = String::new();
    write_canon(&mut out, e);
    out
}

fn write_canon(out: &mut String, e: &ast::Expr) {
    let list = |out: &mut String, items: &[ast::Expr]| {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_canon(out, item);
        }
    };
    match &e.kind {
        ExprKind::Literal(l) => {
            let _ = match &l.value {
                LitValue::Number(d) => write!(out, "{}", d.normalize()),
                LitValue::Percent(d) => write!(out, "{}", d.normalize()),
                LitValue::Money(d) => write!(out, "{}", d.normalize()),
                LitValue::Date(d) => write!(out, "{d}"),
                LitValue::Days(n) => write!(out, "{n}days"),
                LitValue::Bool(b) => write!(out, "{b}"),
                LitValue::Error => write!(out, "<error>"),
            };
        }
        ExprKind::Path(p) => out.push_str(&p.text),
        ExprKind::Call { function, args } => {
            out.push_str(&function.text);
            out.push('(');
            list(out, args);
            out.push(')');
        }
        ExprKind::CalendarRef(n) => {
            let _ = write!(out, "calendar {}", n.text);
        }
        ExprKind::Not(inner) => {
            out.push_str("not(");
            write_canon(out, inner);
            out.push(')');
        }
        ExprKind::Neg(inner) => {
            out.push_str("-(");
            write_canon(out, inner);
            out.push(')');
        }
        ExprKind::Binary(op, l, r) => {
            out.push('(');
            write_canon(out, l);
            let _ = write!(out, " {} ", op.symbol());
            write_canon(out, r);
            out.push(')');
        }
        ExprKind::Presence { expr, present } => {
            write_canon(out, expr);
            out.push_str(if *present {
                " is present"
            } else {
                " is absent"
            });
        }
        ExprKind::In {
            expr,
            list: items,
            negated,
        } => {
            write_canon(out, expr);
            out.push_str(if *negated { " not in [" } else { " in [" });
            list(out, items);
            out.push(']');
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            for (word, part) in [("if(", cond), (",", then), (",", otherwise)] {
                out.push_str(word);
                write_canon(out, part);
            }
            out.push(')');
        }
        ExprKind::List(items) => {
            out.push('[');
            list(out, items);
            out.push(']');
        }
        ExprKind::Text(t) => {
            // Quoted text parts are self-delimiting, so no two templates collide.
            out.push_str("text(");
            for part in &t.parts {
                match part {
                    ast::TemplatePart::Text(s) => {
                        let _ = write!(out, "{s:?}");
                    }
                    ast::TemplatePart::Expr(x) => {
                        out.push('{');
                        write_canon(out, x);
                        out.push('}');
                    }
                }
            }
            out.push(')');
        }
        ExprKind::Error => out.push_str("<error>"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]
mod tests {
    use super::*;
    use crate::span::FileId;

    fn fields() -> BTreeMap<String, FieldInfo> {
        let info = |discrete, always_present, domain, values: Option<&[&str]>| FieldInfo {
            discrete,
            always_present,
            domain,
            values: values.map(|v| v.iter().map(|s| s.to_string()).collect()),
        };
        let between = |lo: i64, hi: i64| Interval {
            lo: Some(super::super::interval::Bound {
                value: Decimal::from(lo),
                inclusive: true,
            }),
            hi: Some(super::super::interval::Bound {
                value: Decimal::from(hi),
                inclusive: true,
            }),
        };
        BTreeMap::from([
            ("rating".to_string(), info(false, true, between(0, 5), None)),
            ("rate".to_string(), info(false, true, between(0, 1), None)),
            ("score".to_string(), info(true, true, Interval::ALL, None)),
            ("limit".to_string(), info(false, true, Interval::ALL, None)),
            ("used".to_string(), info(false, true, Interval::ALL, None)),
            ("due".to_string(), info(true, false, Interval::ALL, None)),
            (
                "status".to_string(),
                info(false, true, Interval::ALL, Some(&["active", "frozen"])),
            ),
            (
                "kind".to_string(),
                info(false, false, Interval::ALL, Some(&["unbind", "exit"])),
            ),
            (
                "flag".to_string(),
                info(false, true, Interval::ALL, Some(&["true", "false"])),
            ),
        ])
    }

    fn dnf(names: &Names<'_>, text: &str) -> Dnf {
        let e = crate::syntax::parse_expr(text, FileId(0)).expect(text);
        names.expr(&e, true).expect(text)
    }

    /// Whether `b` implies `a`, for sure.
    fn implies(b: &str, a: &str) -> bool {
        let f = fields();
        let names = Names {
            fields: &f,
            lets: BTreeSet::new(),
        };
        names.implies(&dnf(&names, b), &dnf(&names, a))
    }

    fn never(text: &str) -> bool {
        let f = fields();
        let names = Names {
            fields: &f,
            lets: BTreeSet::new(),
        };
        names.satisfiable(&dnf(&names, text)).is_err()
    }

    #[test]
    fn thresholds_on_one_field() {
        assert!(implies("rating < 4.0", "rating < 4.5"));
        assert!(!implies("rating < 4.5", "rating < 4.0"));
        // Written the other way round.
        assert!(implies("4.0 > rating", "rating < 4.5"));
        assert!(implies("rating < 4.0", "4.5 > rating"));
        // Decimals: 4.495 is below 4.5 but not at most 4.49.
        assert!(implies("rating <= 4.49", "rating < 4.5"));
        assert!(!implies("rating < 4.5", "rating <= 4.49"));
        // Ints: nothing between 89 and 90.
        assert!(implies("score > 89", "score >= 90"));
        assert!(implies("score >= 90", "score > 89"));
        assert!(!implies("rating > 4", "rating >= 4.01"));
        // Percentages are fractions.
        assert!(implies("rate < 90%", "rate < 0.98"));
        assert!(!implies("rate < 98%", "rate < 0.975"));
        assert!(implies("rate = 97.5%", "rate < 98%"));
    }

    #[test]
    fn dates_are_whole_days() {
        assert!(implies("due > 2026-01-31", "due >= 2026-02-01"));
        assert!(implies("due >= 2026-02-01", "due > 2026-01-31"));
        assert!(!implies("due >= 2026-01-31", "due > 2026-01-31"));
    }

    #[test]
    fn and_or_and_groups() {
        assert!(implies(
            "rating < 4 and score > 1",
            "rating < 4.5 or score < 0"
        ));
        assert!(implies(
            "rating < 4 or score < -1",
            "rating < 4.5 or score < 0"
        ));
        assert!(!implies("rating < 4 or score > 1", "rating < 4.5"));
        assert!(!implies("rating < 4.5", "rating < 4.5 and score > 1"));
    }

    #[test]
    fn enum_values_are_sets() {
        assert!(implies("status = active", "status != frozen"));
        assert!(implies("kind in [unbind]", "kind = unbind"));
        assert!(implies("kind != unbind", "kind = exit"));
        assert!(!implies("kind in [unbind, exit]", "kind = exit"));
        assert!(never("status = active and status = frozen"));
        assert!(never("kind not in [unbind, exit]"));
        assert!(!never("kind not in [unbind]"));
        assert!(never("flag and not flag"));
        assert!(implies("flag = true", "flag"));
    }

    #[test]
    fn what_is_not_understood_only_equals_itself() {
        assert!(implies("limit > used and score > 1", "limit > used"));
        // The same in other words: true, but not known to the analysis.
        assert!(!implies("used < limit", "limit > used"));
        assert!(never("limit > used and not (limit > used)"));
        assert!(!never("limit > used and used > limit"));
    }

    #[test]
    fn negation_keeps_absent_values_apart() {
        // `due` may be absent, where `not (due > ...)` holds but `due <= ...` does not.
        assert!(!implies("not (due > 2026-01-01)", "due <= 2026-01-01"));
        assert!(implies(
            "due is present and not (due > 2026-01-01)",
            "due <= 2026-01-01"
        ));
        // A required field is always present.
        assert!(implies("not (score > 3)", "score <= 3"));
    }

    #[test]
    fn emptiness() {
        assert!(never("score >= 5 and score < 3"));
        assert!(!never("score >= 3 and score <= 3"));
        assert!(never("score > 3 and score < 4"));
        assert!(!never("rating > 3 and rating < 3.01"));
        assert!(never("score != 3 and score = 3"));
        // Outside the schema's `in 0..5`.
        assert!(never("rating > 5"));
        assert!(!never("rating >= 5"));
        assert!(never("due is absent and due > 2026-01-01"));
        assert!(!never("due is absent or due > 2026-01-01"));
        assert!(never("false"));
        assert!(!never("true"));
    }
}
