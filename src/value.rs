//! Runtime values and how people and JSON see them.

use std::fmt::Write as _;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::cmp::Ordering;

use crate::ast::CmpOp;

use crate::num::{self, Num};
use crate::types::{EnumId, Ty};

/// An interned name: enum values and outcomes compare as integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Sym(pub u32);

/// A value during evaluation. Numbers of every numeric type are exact
/// decimals; the static type (known at the use site) says how to print them.
#[derive(Debug, Clone, PartialEq)]
// A fixed layout keeps the decimal payload aligned; the default layout put
// it at an odd offset, and copying values stalled on store forwarding.
#[repr(u8)]
pub(crate) enum Value {
    Num(Num),
    Date(NaiveDate),
    Days(i64),
    Bool(bool),
    Enum(Sym),
    /// A `String` behind the `Arc`, not a `str`: a reader reusing a record's
    /// slots rewrites the text in place when nothing else holds it.
    Text(Arc<String>),
    List(Arc<[Value]>),
}

/// Interned names of a policy, and the labels its enum values show in
/// reasons.
#[derive(Debug, Clone, Default)]
pub(crate) struct Symbols {
    names: Vec<Arc<str>>,
    index: std::collections::HashMap<Arc<str>, Sym>,
    /// `frozen "冻结"`: by enum type and value.
    labels: std::collections::HashMap<(EnumId, Sym), Arc<str>>,
}

impl Symbols {
    pub(crate) fn intern(&mut self, name: &str) -> Sym {
        if let Some(&s) = self.index.get(name) {
            return s;
        }
        let sym = Sym(u32::try_from(self.names.len()).unwrap_or(u32::MAX));
        let name: Arc<str> = Arc::from(name);
        self.names.push(name.clone());
        self.index.insert(name, sym);
        sym
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<Sym> {
        self.index.get(name).copied()
    }

    pub(crate) fn name(&self, sym: Sym) -> &str {
        self.names.get(sym.0 as usize).map_or("?", |n| n)
    }

    /// Gives a value of an enum type the label people read.
    pub(crate) fn set_label(&mut self, ty: EnumId, sym: Sym, label: &str) {
        self.labels.insert((ty, sym), Arc::from(label));
    }

    /// What people read for a value: its label when its type gives one,
    /// else its name.
    pub(crate) fn display(&self, ty: &Ty, sym: Sym) -> &str {
        match ty {
            Ty::Enum(id) => self.labels.get(&(*id, sym)).map_or(self.name(sym), |l| l),
            _ => self.name(sym),
        }
    }
}

/// Cents of a money amount (rounded half away from zero) as an integer.
fn cents(d: Decimal) -> Option<i128> {
    let mut r = crate::decimal::round_cents(d);
    r.rescale(2);
    (r.scale() == 2).then(|| r.mantissa())
}

/// `65000` -> `¥65,000.00`; keeps a minus sign in front.
pub(crate) fn money_human(d: Decimal) -> String {
    let Some(c) = cents(d) else {
        return format!("¥{}", d.normalize());
    };
    let (units, frac) = (c.unsigned_abs() / 100, c.unsigned_abs() % 100);
    let mut out = String::with_capacity(32);
    if c < 0 {
        out.push('-');
    }
    out.push('¥');
    push_grouped(&mut out, units);
    let _ = write!(out, ".{frac:02}");
    out
}

/// Appends `n` with a comma between groups of three digits: `1,234,567`.
pub(crate) fn push_grouped(out: &mut String, n: impl std::fmt::Display) {
    let digits = n.to_string();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
}

/// `YYYY-MM-DD`, without chrono's format-string machinery.
pub(crate) fn date_iso(d: NaiveDate) -> String {
    use chrono::Datelike;
    let mut out = String::with_capacity(10);
    let _ = write!(out, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
    out
}

/// A rate as a percentage: `0.975` -> `97.5%`.
pub(crate) fn rate_human(d: Decimal) -> String {
    match d.checked_mul(Decimal::ONE_HUNDRED) {
        Some(p) => format!("{}%", p.normalize()),
        None => d.normalize().to_string(),
    }
}

/// `YYYY-MM-DD`, appended.
pub(crate) fn write_date_iso(out: &mut Vec<u8>, d: NaiveDate) {
    use chrono::Datelike;
    let (y, m, day) = (d.year(), d.month(), d.day());
    if (0..=9999).contains(&y) {
        let y = y.unsigned_abs();
        // INVARIANT: every digit below is < 10.
        out.extend_from_slice(&[
            b'0' + (y / 1000) as u8,
            b'0' + (y / 100 % 10) as u8,
            b'0' + (y / 10 % 10) as u8,
            b'0' + (y % 10) as u8,
            b'-',
            b'0' + (m / 10) as u8,
            b'0' + (m % 10) as u8,
            b'-',
            b'0' + (day / 10) as u8,
            b'0' + (day % 10) as u8,
        ]);
    } else {
        out.extend_from_slice(date_iso(d).as_bytes());
    }
}

/// Money in the decision record: exactly two decimals.
pub(crate) fn money_json(d: Decimal) -> String {
    match cents(d) {
        Some(c) => {
            let sign = if c < 0 { "-" } else { "" };
            let abs = c.unsigned_abs();
            format!("{sign}{}.{:02}", abs / 100, abs % 100)
        }
        None => format!("{d:.2}"),
    }
}

/// Appends a value as a person reads it (no temporary for the common kinds).
pub(crate) fn write_human(out: &mut String, value: &Value, ty: &Ty, symbols: &Symbols) {
    match (value, ty) {
        (Value::Num(d), Ty::Money) => num::write_money_human(out, *d),
        (Value::Num(d), Ty::Rate) => num::write_rate_human(out, *d),
        (Value::Num(d), _) => num::write_plain(out, *d),
        (Value::Enum(s), _) => out.push_str(symbols.display(ty, *s)),
        // Record text: control characters spelled out (`<U+001B>`).
        (Value::Text(t), _) => crate::unicode::push_escaped(out, t),
        (Value::Date(d), _) => {
            use chrono::Datelike;
            let _ = write!(out, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
        }
        _ => out.push_str(&human(value, ty, symbols)),
    }
}

/// A value as a person reads it in a reason (record text with its control
/// characters spelled out).
pub(crate) fn human(value: &Value, ty: &Ty, symbols: &Symbols) -> String {
    match (value, ty) {
        (Value::Num(_), _) => {
            let mut out = String::new();
            write_human(&mut out, value, ty, symbols);
            out
        }
        (Value::Date(d), _) => date_iso(*d),
        (Value::Days(n), _) => n.to_string(),
        (Value::Bool(b), _) => b.to_string(),
        (Value::Enum(s), _) => symbols.display(ty, *s).to_string(),
        (Value::Text(t), _) => crate::unicode::escaped(t).into_owned(),
        (Value::List(items), t) => {
            let inner = match t {
                Ty::List(inner) => inner.as_ref(),
                other => other,
            };
            let mut out = String::new();
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{}", human(v, inner, symbols));
            }
            out
        }
    }
}

/// Orders two values of the same kind; `None` for different kinds.
#[inline]
pub(crate) fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Days(x), Value::Days(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Enum(x), Value::Enum(y)) => Some(if x == y { Ordering::Equal } else { x.cmp(y) }),
        (Value::Text(x), Value::Text(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

pub(crate) fn cmp_holds(op: CmpOp, ord: Ordering) -> bool {
    match op {
        CmpOp::Eq => ord.is_eq(),
        CmpOp::Ne => ord.is_ne(),
        CmpOp::Lt => ord.is_lt(),
        CmpOp::Le => ord.is_le(),
        CmpOp::Gt => ord.is_gt(),
        CmpOp::Ge => ord.is_ge(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn human_forms() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(money_human(d("65000")), "¥65,000.00");
        assert_eq!(money_human(d("1234567.891")), "¥1,234,567.89");
        assert_eq!(money_human(d("-5.005")), "-¥5.01");
        assert_eq!(money_human(d("100")), "¥100.00");
        assert_eq!(rate_human(d("0.975")), "97.5%");
        assert_eq!(rate_human(d("0.98")), "98%");
        assert_eq!(money_json(d("5.1")), "5.10");
        assert_eq!(money_json(d("65000")), "65000.00");
    }
}
