//! Static types of rule expressions.

/// Index of an enumeration (a `one of ...` type) in a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct EnumId(pub u32);

/// The type of an expression, a field or an output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ty {
    Int,
    Decimal,
    Money,
    Rate,
    /// An untyped numeric constant (`100`, `0.7`): adapts to the other operand.
    Number,
    Bool,
    Date,
    /// A duration in days (`180 days`).
    Days,
    Text,
    Enum(EnumId),
    List(Box<Ty>),
    /// Poison: the expression already has a reported error; stay silent.
    Error,
}

impl Ty {
    pub(crate) fn is_numeric(&self) -> bool {
        matches!(
            self,
            Ty::Int | Ty::Decimal | Ty::Money | Ty::Rate | Ty::Number
        )
    }

    /// Name for messages (enums are named by the caller, which knows their values).
    pub(crate) fn describe(&self) -> String {
        match self {
            Ty::Int => "int".into(),
            Ty::Decimal => "decimal".into(),
            Ty::Money => "money".into(),
            Ty::Rate => "rate".into(),
            Ty::Number => "number".into(),
            Ty::Bool => "bool".into(),
            Ty::Date => "date".into(),
            Ty::Days => "days".into(),
            Ty::Text => "text".into(),
            Ty::Enum(_) => "enum".into(),
            Ty::List(t) => format!("list of {}", t.describe()),
            Ty::Error => "unknown".into(),
        }
    }
}

/// The type both sides of `+`/`-` agree on, if any.
pub(crate) fn unify(a: &Ty, b: &Ty) -> Option<Ty> {
    use Ty::*;
    Some(match (a, b) {
        (Error, _) | (_, Error) => Error,
        (x, y) if x == y => x.clone(),
        (Number, x) | (x, Number) if x.is_numeric() => x.clone(),
        (Int, Decimal) | (Decimal, Int) => Decimal,
        (List(x), List(y)) => List(Box::new(unify(x, y)?)),
        _ => return None,
    })
}

/// Whether a value of type `value` may be stored where `target` is expected.
pub(crate) fn assignable(value: &Ty, target: &Ty) -> bool {
    matches!(unify(value, target), Some(t) if &t == target || t == Ty::Error)
}

/// Whether `a` and `b` may be compared with `=`/`!=` (and with `<`... when
/// both are ordered).
pub(crate) fn comparable(a: &Ty, b: &Ty) -> bool {
    unify(a, b).is_some()
}

/// Whether values of this type have an order (`<`, `>=`...).
pub(crate) fn ordered(t: &Ty) -> bool {
    t.is_numeric() || matches!(t, Ty::Date | Ty::Days | Ty::Error)
}

/// Result type of arithmetic; `None` when the operation makes no sense.
pub(crate) fn arith(op: crate::ast::BinOp, a: &Ty, b: &Ty) -> Option<Ty> {
    use crate::ast::BinOp::*;
    use Ty::*;
    if *a == Error || *b == Error {
        return Some(Error);
    }
    if !a.is_numeric() || !b.is_numeric() {
        return match (op, a, b) {
            (Add | Sub, Days, Days) => Some(Days),
            _ => None,
        };
    }
    let plain = |t: &Ty| matches!(t, Int | Decimal | Number);
    match op {
        Add | Sub => unify(a, b),
        Mul => match (a, b) {
            (Number, x) | (x, Number) => Some(x.clone()),
            (Int, Int) => Some(Int),
            (Money, x) | (x, Money) if plain(x) || *x == Rate => Some(Money),
            (Rate, Rate) => Some(Rate),
            (x, y) if plain(x) && plain(y) => Some(Decimal),
            (Rate, x) | (x, Rate) if plain(x) => Some(Decimal),
            _ => None,
        },
        Div => match (a, b) {
            (Number, Number) => Some(Number),
            (Money, Money) | (Rate, Rate) => Some(Decimal),
            (Money, x) if plain(x) || *x == Rate => Some(Money),
            (Rate, x) if plain(x) => Some(Rate),
            (x, y) if plain(x) && plain(y) => Some(Decimal),
            _ => None,
        },
        _ => None,
    }
}
