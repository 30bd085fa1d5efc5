//! The built-in functions, in one table: each one's name, signature,
//! arity, the types it takes and gives ([`Params`]), and what it computes
//! ([`apply`]). The checker types a call by its row (`check_call`), the
//! evaluator runs it (`eval_call`); `if_absent` reads its first argument
//! lazily, so the evaluator runs that one itself.
#![deny(clippy::arithmetic_side_effects)]

use chrono::NaiveDate;

use crate::calendar::{Calendar, CalendarError};
use crate::decimal::ArithError;
use crate::num::{self, Num};
use crate::value::{compare, Value};

/// A built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Builtin {
    Min,
    Max,
    FloorTo,
    CeilTo,
    RoundCents,
    Abs,
    Days,
    AddDays,
    BusinessDaysAfter,
    IfAbsent,
}

/// What a built-in takes, and how that decides the type it gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Params {
    /// Values of one kind (numbers, dates or durations): gives their common type.
    Alike,
    /// Numbers: gives the first one's type.
    Numbers,
    /// Two dates: gives a whole number (days).
    TwoDates,
    /// A date and a whole number of days (and a calendar): gives a date.
    DateAndDays { calendar: bool },
    /// An optional field and a fallback of its type.
    FieldAndFallback,
}

/// One row of the table.
#[derive(Debug)]
pub(crate) struct Spec {
    pub(crate) builtin: Builtin,
    pub(crate) name: &'static str,
    /// How the author writes a call, for help texts.
    pub(crate) signature: &'static str,
    /// Fewest and most arguments (a calendar counts); `None`: no limit.
    pub(crate) arity: (usize, Option<usize>),
    pub(crate) params: Params,
}

/// Every built-in function.
pub(crate) const BUILTINS: &[Spec] = &[
    Spec {
        builtin: Builtin::Min,
        name: "min",
        signature: "min(a, b, ...)",
        arity: (2, None),
        params: Params::Alike,
    },
    Spec {
        builtin: Builtin::Max,
        name: "max",
        signature: "max(a, b, ...)",
        arity: (2, None),
        params: Params::Alike,
    },
    Spec {
        builtin: Builtin::FloorTo,
        name: "floor_to",
        signature: "floor_to(x, step)",
        arity: (2, Some(2)),
        params: Params::Numbers,
    },
    Spec {
        builtin: Builtin::CeilTo,
        name: "ceil_to",
        signature: "ceil_to(x, step)",
        arity: (2, Some(2)),
        params: Params::Numbers,
    },
    Spec {
        builtin: Builtin::RoundCents,
        name: "round_cents",
        signature: "round_cents(x)",
        arity: (1, Some(1)),
        params: Params::Numbers,
    },
    Spec {
        builtin: Builtin::Abs,
        name: "abs",
        signature: "abs(x)",
        arity: (1, Some(1)),
        params: Params::Numbers,
    },
    Spec {
        builtin: Builtin::Days,
        name: "days",
        signature: "days(from, to)",
        arity: (2, Some(2)),
        params: Params::TwoDates,
    },
    Spec {
        builtin: Builtin::AddDays,
        name: "add_days",
        signature: "add_days(date, n)",
        arity: (2, Some(2)),
        params: Params::DateAndDays { calendar: false },
    },
    Spec {
        builtin: Builtin::BusinessDaysAfter,
        name: "business_days_after",
        signature: "business_days_after(date, n, calendar <name>)",
        arity: (3, Some(3)),
        params: Params::DateAndDays { calendar: true },
    },
    Spec {
        builtin: Builtin::IfAbsent,
        name: "if_absent",
        signature: "if_absent(optional_field, fallback)",
        arity: (2, Some(2)),
        params: Params::FieldAndFallback,
    },
];

/// The row of a function name.
pub(crate) fn lookup(name: &str) -> Option<&'static Spec> {
    BUILTINS.iter().find(|s| s.name == name)
}

impl Spec {
    /// Whether `n` arguments are right.
    pub(crate) fn takes(&self, n: usize) -> bool {
        n >= self.arity.0 && self.arity.1.is_none_or(|most| n <= most)
    }
}

/// Why a built-in computed no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BuiltinError {
    Arith(ArithError),
    /// A date left the calendar.
    Date,
    /// A day count with a fraction.
    NotWholeDays,
    /// A whole day count that cannot be counted: too large, or negative
    /// where days are counted forward.
    DayCount(DayCountError),
    /// A date the calendar does not cover.
    NotCovered(NaiveDate),
    /// Argument values the checker should have refused.
    Internal(&'static str),
}

/// Why a whole day count cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DayCountError {
    /// Beyond any date.
    TooLarge,
    /// More working days than [`MAX_WORKING_DAYS`].
    TooManyWorkingDays,
    /// Working days counted backwards.
    Negative,
}

impl DayCountError {
    /// The problem, as a message says it.
    pub(crate) fn message(self) -> &'static str {
        match self {
            DayCountError::TooLarge => "day count too large",
            DayCountError::TooManyWorkingDays => {
                "day count too large (at most 100000 working days)"
            }
            DayCountError::Negative => "negative day count (working days are counted forward)",
        }
    }
}

/// The most working days `business_days_after` counts (about 380 years):
/// counting is a walk day by day, so a record's huge count is refused
/// instead of walked for seconds.
pub(crate) const MAX_WORKING_DAYS: i64 = 100_000;

/// What a call gave, and the first day outside its covered dates a
/// calendar counted (with its `outside` weekdays), if any.
pub(crate) struct Applied {
    pub(crate) value: Value,
    pub(crate) first_outside: Option<NaiveDate>,
}

/// Computes a built-in (all but `if_absent`) from its argument values;
/// `calendar` is the call's calendar, if it names one.
pub(crate) fn apply(
    builtin: Builtin,
    args: &[Value],
    calendar: Option<&Calendar>,
) -> Result<Applied, BuiltinError> {
    let value = |value| {
        Ok(Applied {
            value,
            first_outside: None,
        })
    };
    let arith = BuiltinError::Arith;
    match builtin {
        Builtin::Min | Builtin::Max => value(apply_min_max(builtin, args)?),
        Builtin::FloorTo | Builtin::CeilTo => {
            let (x, step) = (number(args, 0)?, number(args, 1)?);
            let r = if builtin == Builtin::FloorTo {
                num::floor_to(x, step)
            } else {
                num::ceil_to(x, step)
            };
            value(Value::Num(r.map_err(arith)?))
        }
        Builtin::RoundCents => value(Value::Num(num::round_cents(number(args, 0)?))),
        Builtin::Abs => value(Value::Num(num::abs(number(args, 0)?))),
        Builtin::Days => {
            let (a, b) = (date(args, 0)?, date(args, 1)?);
            let n = b.signed_duration_since(a).num_days();
            value(Value::Num(Num::from_i64(n)))
        }
        Builtin::AddDays => {
            let (d, n) = (date(args, 0)?, whole(args, 1)?);
            let moved =
                chrono::TimeDelta::try_days(n).and_then(|delta| d.checked_add_signed(delta));
            value(Value::Date(moved.ok_or(BuiltinError::Date)?))
        }
        Builtin::BusinessDaysAfter => {
            let (d, n) = (date(args, 0)?, whole(args, 1)?);
            if n < 0 {
                return Err(BuiltinError::DayCount(DayCountError::Negative));
            }
            let too_many = BuiltinError::DayCount(DayCountError::TooManyWorkingDays);
            if n > MAX_WORKING_DAYS {
                return Err(too_many);
            }
            let n = u32::try_from(n).map_err(|_| too_many)?;
            let calendar = calendar.ok_or(BuiltinError::Internal("no calendar"))?;
            match calendar.business_days_after(d, n) {
                Ok(counted) => Ok(Applied {
                    value: Value::Date(counted.day),
                    first_outside: counted.first_outside,
                }),
                Err(CalendarError::NotCovered(day)) => Err(BuiltinError::NotCovered(day)),
                Err(CalendarError::DateOutOfRange) => Err(BuiltinError::Date),
            }
        }
        Builtin::IfAbsent => Err(BuiltinError::Internal("if_absent is evaluated lazily")),
    }
}

/// The smallest (largest) value; on a tie the first one.
fn apply_min_max(builtin: Builtin, args: &[Value]) -> Result<Value, BuiltinError> {
    let mut best = args
        .first()
        .ok_or(BuiltinError::Internal("min/max of nothing"))?;
    for v in args.iter().skip(1) {
        let ord = compare(v, best).ok_or(BuiltinError::Internal("min/max of mixed values"))?;
        let better = if builtin == Builtin::Min {
            ord.is_lt()
        } else {
            ord.is_gt()
        };
        if better {
            best = v;
        }
    }
    Ok(best.clone())
}

fn number(args: &[Value], i: usize) -> Result<Num, BuiltinError> {
    match args.get(i) {
        Some(Value::Num(d)) => Ok(*d),
        _ => Err(BuiltinError::Internal("expected a number")),
    }
}

fn date(args: &[Value], i: usize) -> Result<NaiveDate, BuiltinError> {
    match args.get(i) {
        Some(Value::Date(d)) => Ok(*d),
        _ => Err(BuiltinError::Internal("expected a date")),
    }
}

/// A whole number of days: a duration, or a number without a fraction.
pub(crate) fn whole(args: &[Value], i: usize) -> Result<i64, BuiltinError> {
    match args.get(i) {
        Some(Value::Days(n)) => Ok(*n),
        Some(Value::Num(d)) => {
            if !d.is_whole() {
                return Err(BuiltinError::NotWholeDays);
            }
            d.to_i64_trunc()
                .ok_or(BuiltinError::DayCount(DayCountError::TooLarge))
        }
        _ => Err(BuiltinError::Internal("expected a day count")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_has_one_row() {
        let mut seen = std::collections::HashSet::new();
        for spec in BUILTINS {
            assert!(seen.insert(spec.builtin), "{} twice", spec.name);
            assert_eq!(lookup(spec.name).map(|s| s.builtin), Some(spec.builtin));
            assert!(spec.signature.starts_with(spec.name));
            assert!(spec.takes(spec.arity.0));
        }
        assert_eq!(seen.len(), 10);
    }

    #[test]
    fn min_and_max_keep_the_first_of_equals() {
        let n = |s: &str| {
            Value::Num(Num::from(
                s.parse::<rust_decimal::Decimal>().unwrap_or_default(),
            ))
        };
        let args = [n("2.0"), n("1"), n("1.00")];
        let min = apply(Builtin::Min, &args, None).map(|a| a.value);
        assert_eq!(min, Ok(n("1")));
        let max = apply(Builtin::Max, &[n("2"), n("2.00")], None).map(|a| a.value);
        assert!(matches!(max, Ok(Value::Num(d)) if d.scale() == 0));
    }
}
