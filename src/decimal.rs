//! Exact decimal parsing and arithmetic for money, rates and scores.
//!
//! Every decimal in verdikt, in rule text or in a snapshot, is parsed from
//! its text here: never through `f64`, never rounded silently. Arithmetic is
//! checked; rounding always names its strategy.
#![deny(clippy::arithmetic_side_effects)]

use rust_decimal::{Decimal, RoundingStrategy};

/// Why a text is not an exact decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DecimalError {
    #[error("not a number")]
    Syntax,
    #[error("too large for exact decimal arithmetic (at most 28 digits)")]
    TooLarge,
    #[error("too precise for exact decimal arithmetic (at most 28 decimal places)")]
    TooPrecise,
}

/// The largest number of significant digits held exactly.
const MAX_DIGITS: usize = 28;

/// Builds a decimal exactly from its sign, the digits before and after the
/// point, and a power of ten: `int.frac × 10^exponent`. No allocation.
#[inline]
fn from_digits(
    negative: bool,
    int: &[u8],
    frac: &[u8],
    exponent: i64,
) -> Result<Decimal, DecimalError> {
    let len = int.len().saturating_add(frac.len());
    let digit = |i: usize| -> u8 {
        let d = if i < int.len() {
            int.get(i)
        } else {
            frac.get(i.saturating_sub(int.len()))
        };
        d.copied().unwrap_or(b'0').wrapping_sub(b'0')
    };
    let Some(first) = (0..len).find(|&i| digit(i) != 0) else {
        return Ok(Decimal::ZERO);
    };
    let last = (0..len).rev().find(|&i| digit(i) != 0).unwrap_or(first);
    let frac_len = i64::try_from(frac.len()).map_err(|_| DecimalError::TooPrecise)?;
    // Decimal places once the exponent is applied.
    let mut scale = frac_len
        .checked_sub(exponent)
        .ok_or(DecimalError::TooLarge)?;
    // Trailing zeros after the point carry no value: drop them.
    let trailing = i64::try_from(len.saturating_sub(1).saturating_sub(last)).unwrap_or(i64::MAX);
    let dropped = trailing.min(scale.max(0));
    scale = scale.saturating_sub(dropped);
    let end = len.saturating_sub(usize::try_from(dropped).unwrap_or(0));
    let significant = end.saturating_sub(first);
    let zeros = if scale < 0 {
        usize::try_from(scale.unsigned_abs()).unwrap_or(usize::MAX)
    } else {
        0
    };
    let total = significant.saturating_add(zeros);
    if total > MAX_DIGITS || scale > 28 {
        // Digits left of the decimal point decide between too large and too precise.
        let integer_digits = i64::try_from(total)
            .unwrap_or(i64::MAX)
            .saturating_sub(scale.max(0));
        return Err(if integer_digits > 28 {
            DecimalError::TooLarge
        } else {
            DecimalError::TooPrecise
        });
    }
    let mut mantissa: i128 = 0;
    for i in first..end {
        mantissa = mantissa
            .checked_mul(10)
            .and_then(|m| m.checked_add(i128::from(digit(i))))
            .ok_or(DecimalError::TooLarge)?;
    }
    for _ in 0..zeros {
        mantissa = mantissa.checked_mul(10).ok_or(DecimalError::TooLarge)?;
    }
    if negative {
        mantissa = mantissa.checked_neg().ok_or(DecimalError::TooLarge)?;
    }
    let scale = u32::try_from(scale.max(0)).map_err(|_| DecimalError::TooPrecise)?;
    Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| DecimalError::TooLarge)
}

/// Splits `int[.frac]` (ASCII digits, `int` non-empty, `frac` non-empty when
/// the point is there) into its two digit runs.
fn split_plain(text: &str) -> Option<(&[u8], &[u8])> {
    let bytes = text.as_bytes();
    let (int, frac) = match bytes.iter().position(|&b| b == b'.') {
        Some(i) => {
            let frac = bytes.get(i.saturating_add(1)..).unwrap_or(&[]);
            if frac.is_empty() {
                return None;
            }
            (bytes.get(..i).unwrap_or(&[]), frac)
        }
        None => (bytes, &[][..]),
    };
    let digits = |d: &[u8]| d.iter().all(u8::is_ascii_digit);
    (!int.is_empty() && digits(int) && digits(frac)).then_some((int, frac))
}

/// A decimal in plain notation: `-?digits(.digits)?`, nothing else.
#[inline]
pub(crate) fn parse_plain(text: &str) -> Result<Decimal, DecimalError> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = split_plain(body).ok_or(DecimalError::Syntax)?;
    from_digits(negative, int, frac, 0)
}

/// A JSON number (RFC 8259 grammar), exponents included, parsed exactly.
#[inline]
pub(crate) fn parse_json_number(text: &str) -> Result<Decimal, DecimalError> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (
            body.get(..i).unwrap_or(""),
            Some(body.get(i.saturating_add(1)..).unwrap_or("")),
        ),
        None => (body, None),
    };
    let (int, frac) = split_plain(mantissa).ok_or(DecimalError::Syntax)?;
    if int.len() > 1 && int.first() == Some(&b'0') {
        return Err(DecimalError::Syntax);
    }
    let exponent = match exponent {
        None => 0,
        Some(e) => parse_exponent(e)?,
    };
    from_digits(negative, int, frac, exponent)
}

fn parse_exponent(text: &str) -> Result<i64, DecimalError> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'+') => (false, text.get(1..).unwrap_or("")),
        Some(b'-') => (true, text.get(1..).unwrap_or("")),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DecimalError::Syntax);
    }
    // Anything beyond a few thousand cannot be exact anyway; saturate.
    let magnitude: i64 = digits.parse().unwrap_or(i64::MAX / 2).min(100_000);
    Ok(if negative {
        magnitude.saturating_neg()
    } else {
        magnitude
    })
}

/// A number as written in a rule file: `500_000`, `4.5`, `1e3`.
pub(crate) fn parse_rule_number(text: &str) -> Result<Decimal, DecimalError> {
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    let lower = cleaned.to_ascii_lowercase();
    let (mantissa, exponent) = match lower.split_once('e') {
        Some((m, e)) => (m.to_string(), Some(e.to_string())),
        None => (lower, None),
    };
    let (int, frac) = split_plain(&mantissa).ok_or(DecimalError::Syntax)?;
    let exponent = match exponent {
        None => 0,
        Some(e) => parse_exponent(&e)?,
    };
    from_digits(false, int, frac, exponent)
}

/// `98.5` -> `0.985`, exactly.
pub(crate) fn percent_to_fraction(value: Decimal) -> Result<Decimal, DecimalError> {
    let scale = value
        .scale()
        .checked_add(2)
        .ok_or(DecimalError::TooPrecise)?;
    if scale > 28 {
        return Err(DecimalError::TooPrecise);
    }
    Decimal::try_from_i128_with_scale(value.mantissa(), scale).map_err(|_| DecimalError::TooPrecise)
}

/// An arithmetic failure inside evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ArithError {
    #[error("decimal overflow")]
    Overflow,
    #[error("division by zero")]
    DivisionByZero,
    #[error("step must be greater than zero")]
    BadStep,
}

pub(crate) fn add(a: Decimal, b: Decimal) -> Result<Decimal, ArithError> {
    a.checked_add(b).ok_or(ArithError::Overflow)
}

pub(crate) fn sub(a: Decimal, b: Decimal) -> Result<Decimal, ArithError> {
    a.checked_sub(b).ok_or(ArithError::Overflow)
}

pub(crate) fn mul(a: Decimal, b: Decimal) -> Result<Decimal, ArithError> {
    a.checked_mul(b).ok_or(ArithError::Overflow)
}

pub(crate) fn div(a: Decimal, b: Decimal) -> Result<Decimal, ArithError> {
    if b.is_zero() {
        return Err(ArithError::DivisionByZero);
    }
    a.checked_div(b).ok_or(ArithError::Overflow)
}

/// The largest multiple of `step` that is <= `x` (exact: uses the remainder,
/// never a rounded quotient).
/// (The reference `num::floor_to` is tested against.)
#[cfg(test)]
pub(crate) fn floor_to(x: Decimal, step: Decimal) -> Result<Decimal, ArithError> {
    if step <= Decimal::ZERO {
        return Err(ArithError::BadStep);
    }
    let mut rem = x.checked_rem(step).ok_or(ArithError::Overflow)?;
    if rem < Decimal::ZERO {
        rem = add(rem, step)?;
    }
    sub(x, rem)
}

/// The smallest multiple of `step` that is >= `x`.
/// (The reference `num::ceil_to` is tested against.)
#[cfg(test)]
pub(crate) fn ceil_to(x: Decimal, step: Decimal) -> Result<Decimal, ArithError> {
    let floor = floor_to(x, step)?;
    if floor == x {
        Ok(floor)
    } else {
        add(floor, step)
    }
}

/// Two decimals, half away from zero (5.005 -> 5.01), never banker's rounding.
pub(crate) fn round_cents(x: Decimal) -> Decimal {
    x.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Whether `x` has at most `places` significant decimal places.
pub(crate) fn fits_places(x: Decimal, places: u32) -> bool {
    x.normalize().scale() <= places
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn plain_notation_is_strict() {
        assert_eq!(parse_plain("0.980"), Ok(d("0.98")));
        assert_eq!(parse_plain("-12"), Ok(d("-12")));
        for bad in [
            "98e-2", "+5", ".5", "5.", " 5", "1,000.00", "¥100000", "98%", "", "-", "0x10",
        ] {
            assert_eq!(parse_plain(bad), Err(DecimalError::Syntax), "{bad}");
        }
    }

    #[test]
    fn json_numbers_are_exact() {
        assert_eq!(parse_json_number("98e-2"), Ok(d("0.98")));
        assert_eq!(parse_json_number("1E+5"), Ok(d("100000")));
        assert_eq!(
            parse_json_number("123456789012345678"),
            Ok(d("123456789012345678"))
        );
        assert_eq!(parse_json_number("0.1"), Ok(d("0.1")));
        assert_eq!(parse_json_number("1e400"), Err(DecimalError::TooLarge));
        assert_eq!(parse_json_number("012"), Err(DecimalError::Syntax));
        assert_eq!(
            parse_json_number("0.1234567890123456789012345678901234567890"),
            Err(DecimalError::TooPrecise)
        );
        // Trailing zeros beyond 28 places carry no value and are fine.
        assert_eq!(
            parse_json_number("0.5000000000000000000000000000000000"),
            Ok(d("0.5"))
        );
    }

    #[test]
    fn rule_numbers_allow_underscores() {
        assert_eq!(parse_rule_number("500_000"), Ok(d("500000")));
        assert_eq!(percent_to_fraction(d("98.5")), Ok(d("0.985")));
    }

    #[test]
    fn rounding_and_steps() {
        assert_eq!(round_cents(d("5.005")), d("5.01"));
        assert_eq!(round_cents(d("5.015")), d("5.02"));
        assert_eq!(round_cents(d("-5.005")), d("-5.01"));
        assert_eq!(floor_to(d("735"), d("100")), Ok(d("700")));
        assert_eq!(floor_to(d("-1"), d("100")), Ok(d("-100")));
        assert_eq!(ceil_to(d("1050"), d("100")), Ok(d("1100")));
        assert_eq!(ceil_to(d("1000.00"), d("100")), Ok(d("1000")));
        assert_eq!(floor_to(d("5"), d("0")), Err(ArithError::BadStep));
        assert_eq!(div(d("5"), d("0")), Err(ArithError::DivisionByZero));
        assert_eq!(mul(Decimal::MAX, d("2")), Err(ArithError::Overflow));
        assert!(fits_places(d("100.000"), 2));
        assert!(!fits_places(d("100.005"), 2));
    }
}
