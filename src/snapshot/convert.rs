//! Raw scalar -> typed value, the same for every input format.
//!
//! The contract (reference policy, section 8): integers are JSON integers or
//! digit strings; decimals are JSON numbers (exponents exact) or plain
//! `-?digits(.digits)?` strings; money has at most two significant decimals;
//! dates are `YYYY-MM-DD`; enums and booleans are exact.

use std::sync::Arc;

use chrono::NaiveDate;

use super::Raw;
use crate::decimal::DecimalError;
use crate::ir::Policy;
use crate::num;
use crate::types::Ty;
use crate::value::Value;

#[inline]
pub(crate) fn convert(raw: Raw<'_>, ty: &Ty, policy: &Policy) -> Result<Value, String> {
    match ty {
        Ty::Text => match raw {
            Raw::Str(s) => Ok(Value::Text(Arc::new(s.into_owned()))),
            other => Err(format!("expected text, found {}", describe(&other))),
        },
        Ty::Int => {
            let text = match &raw {
                Raw::Number(n) => *n,
                Raw::Str(s) => s.as_ref(),
                other => {
                    return Err(format!(
                        "expected a whole number, found {}",
                        describe(other)
                    ))
                }
            };
            let digits = text.strip_prefix('-').unwrap_or(text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("expected a whole number, found {}", describe(&raw)));
            }
            num::parse_plain(text)
                .map(Value::Num)
                .map_err(|e| number_error(e, &raw))
        }
        Ty::Decimal | Ty::Money | Ty::Rate | Ty::Number => {
            let value = match &raw {
                Raw::Number(n) => num::parse_json_number(n),
                Raw::Str(s) => num::parse_plain(s),
                other => return Err(format!("expected a number, found {}", describe(other))),
            }
            .map_err(|e| number_error(e, &raw))?;
            if *ty == Ty::Money && !num::fits_places(value, 2) {
                return Err(format!(
                    "{} has more than two decimals (cents)",
                    shown(&raw)
                ));
            }
            Ok(Value::Num(value))
        }
        Ty::Bool => match raw {
            Raw::Bool(b) => Ok(Value::Bool(b)),
            other => Err(format!(
                "expected true or false, found {}",
                describe(&other)
            )),
        },
        Ty::Date => match &raw {
            Raw::Str(s) => parse_date(s)
                .map(Value::Date)
                .ok_or_else(|| format!("{} is not a date (YYYY-MM-DD)", shown(&raw))),
            other => Err(format!(
                "expected a date (YYYY-MM-DD), found {}",
                describe(other)
            )),
        },
        Ty::Enum(id) => {
            let values = policy
                .enums
                .get(id.0 as usize)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let names = || {
                values
                    .iter()
                    .map(|s| policy.symbols.name(*s))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            match &raw {
                // A handful of values: a scan beats hashing.
                Raw::Str(s) => values
                    .iter()
                    .find(|sym| policy.symbols.name(**sym) == s.as_ref())
                    .map(|sym| Value::Enum(*sym))
                    .ok_or_else(|| format!("{} is not one of {}", shown(&raw), names())),
                other => Err(format!(
                    "expected one of {}, found {}",
                    names(),
                    describe(other)
                )),
            }
        }
        Ty::Days | Ty::List(_) | Ty::Error => {
            Err("this field type cannot be read from a snapshot".into())
        }
    }
}

/// Strict `YYYY-MM-DD` (read by hand: chrono's format strings are slow).
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b.get(range)?.iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)
}

fn number_error(e: DecimalError, raw: &Raw<'_>) -> String {
    match e {
        DecimalError::Syntax => format!("{} is not a plain decimal number", shown(raw)),
        other => format!("{} is {other}", shown(raw)),
    }
}

fn shown(raw: &Raw<'_>) -> String {
    match raw {
        Raw::Str(s) => format!("{:?}", s.as_ref()),
        Raw::Number(n) => (*n).to_string(),
        other => describe(other),
    }
}

fn describe(raw: &Raw<'_>) -> String {
    match raw {
        Raw::Null => "null".into(),
        Raw::Bool(b) => b.to_string(),
        Raw::Number(n) => format!("the number {n}"),
        Raw::Str(s) => format!("the text {:?}", s.as_ref()),
        Raw::Composite => "an object or list".into(),
    }
}
