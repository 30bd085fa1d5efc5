//! Reading numbers: digits fold straight into a `u64` while the grammar is
//! checked; whatever does not fit goes to `decimal.rs`, which decides.

use super::{fixed, Num, POW10};
use crate::decimal::{self, DecimalError};

/// The digits of a syntactically valid number, folded as they were read.
struct Scanned {
    negative: bool,
    /// The digits before and after the point without leading zeros and
    /// without the trailing zeros counted in `zeros`; `None` once it left `u64`.
    digits: Option<u64>,
    /// Zeros read after the last non-zero digit (not yet in `digits`).
    zeros: u32,
    /// Digits after the point.
    frac_len: u32,
    /// The exponent, clamped to ±100 000 as `decimal.rs` clamps it.
    exponent: i64,
}

impl Scanned {
    fn new() -> Scanned {
        Scanned {
            negative: false,
            digits: Some(0),
            zeros: 0,
            frac_len: 0,
            exponent: 0,
        }
    }

    /// Folds one ASCII digit into the mantissa.
    fn digit(&mut self, byte: u8) {
        let d = u64::from(byte.wrapping_sub(b'0'));
        if d == 0 {
            if self.digits != Some(0) {
                self.zeros = self.zeros.saturating_add(1);
            }
            return;
        }
        let shift = self.zeros.saturating_add(1);
        self.digits = self.digits.and_then(|m| {
            let p = POW10.get(usize::try_from(shift).ok()?)?;
            m.checked_mul(*p)?.checked_add(d)
        });
        self.zeros = 0;
    }

    /// The exact value as `from_digits` in `decimal.rs` builds it, or `None`
    /// when it is not a `Fixed` value (the slow path decides those).
    fn finish(&self) -> Option<Num> {
        let digits = self.digits?;
        if digits == 0 {
            return Some(Num::ZERO);
        }
        let scale = i64::from(self.frac_len).checked_sub(self.exponent)?;
        // Trailing zeros after the point carry no value: drop them.
        let dropped = i64::from(self.zeros).min(scale.max(0));
        let scale = scale.checked_sub(dropped)?;
        let kept = i64::from(self.zeros).checked_sub(dropped)?;
        let shift = kept.checked_add(scale.min(0).checked_neg()?)?;
        let magnitude = digits.checked_mul(*POW10.get(usize::try_from(shift).ok()?)?)?;
        let m = if self.negative {
            i64::try_from(i128::from(magnitude).checked_neg()?).ok()?
        } else {
            i64::try_from(magnitude).ok()?
        };
        fixed(m, u32::try_from(scale.max(0)).ok()?)
    }
}

/// Reads `digit+` from `bytes` at `*at`; false if there is no digit.
fn scan_digits(bytes: &[u8], at: &mut usize, s: &mut Scanned, frac: bool) -> bool {
    let start = *at;
    while let Some(&b) = bytes.get(*at) {
        if !b.is_ascii_digit() {
            break;
        }
        s.digit(b);
        if frac {
            s.frac_len = s.frac_len.saturating_add(1);
        }
        *at = at.saturating_add(1);
    }
    *at > start
}

/// Reads `-?digit+(.digit+)?` up to the end or an exponent marker.
fn scan_mantissa(bytes: &[u8], at: &mut usize, s: &mut Scanned) -> Result<(), DecimalError> {
    if bytes.first() == Some(&b'-') {
        s.negative = true;
        *at = 1;
    }
    if !scan_digits(bytes, at, s, false) {
        return Err(DecimalError::Syntax);
    }
    if bytes.get(*at) == Some(&b'.') {
        *at = at.saturating_add(1);
        if !scan_digits(bytes, at, s, true) {
            return Err(DecimalError::Syntax);
        }
    }
    Ok(())
}

/// A decimal in plain notation, `-?digits(.digits)?`: the same values and
/// errors as [`decimal::parse_plain`].
pub(crate) fn parse_plain(text: &str) -> Result<Num, DecimalError> {
    match scan_plain(text)? {
        Some(n) => Ok(n),
        None => decimal::parse_plain(text).map(Num::from),
    }
}

/// The common case, in one pass: `-?digits(.digits)?` with at most 18
/// digits in all (so the mantissa cannot overflow), trailing zeros after
/// the point dropped as `decimal.rs` drops them. `None` for anything else
/// (longer numbers, leading zeros in JSON, syntax errors), which the full
/// scanner decides.
#[inline]
pub(crate) fn short_plain(bytes: &[u8], json: bool) -> Option<Num> {
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    let first = *digits.first()?;
    if digits.len() > 19 || !first.is_ascii_digit() {
        return None;
    }
    if json && first == b'0' && digits.get(1).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let (mut m, mut frac, mut point, mut count) = (0i64, 0u32, false, 0u32);
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                // INVARIANT: at most 18 digits, so m < 10^18 throughout.
                m = m
                    .wrapping_mul(10)
                    .wrapping_add(i64::from(b.wrapping_sub(b'0')));
                count = count.wrapping_add(1);
                frac = frac.wrapping_add(u32::from(point));
            }
            b'.' if !point => point = true,
            _ => return None,
        }
    }
    if count > 18 || (point && frac == 0) {
        return None;
    }
    while frac > 0 && m.checked_rem(10) == Some(0) {
        m = m.checked_div(10)?;
        frac = frac.wrapping_sub(1);
    }
    if m == 0 {
        return Some(Num::ZERO);
    }
    fixed(if negative { m.checked_neg()? } else { m }, frac)
}

/// The fast path of [`parse_plain`]: `Ok(None)` leaves the text to `decimal.rs`.
pub(super) fn scan_plain(text: &str) -> Result<Option<Num>, DecimalError> {
    let bytes = text.as_bytes();
    if let Some(n) = short_plain(bytes, false) {
        return Ok(Some(n));
    }
    let mut s = Scanned::new();
    let mut at = 0;
    scan_mantissa(bytes, &mut at, &mut s)?;
    if at != bytes.len() {
        return Err(DecimalError::Syntax);
    }
    Ok(s.finish())
}

/// A JSON number (RFC 8259), exponents included: the same values and errors
/// as [`decimal::parse_json_number`].
pub(crate) fn parse_json_number(text: &str) -> Result<Num, DecimalError> {
    match scan_json_number(text)? {
        Some(n) => Ok(n),
        None => decimal::parse_json_number(text).map(Num::from),
    }
}

/// The fast path of [`parse_json_number`]: `Ok(None)` leaves the text to
/// `decimal.rs`.
pub(super) fn scan_json_number(text: &str) -> Result<Option<Num>, DecimalError> {
    let bytes = text.as_bytes();
    if let Some(n) = short_plain(bytes, true) {
        return Ok(Some(n));
    }
    let mut s = Scanned::new();
    let mut at = 0;
    let int_start = usize::from(bytes.first() == Some(&b'-'));
    scan_mantissa(bytes, &mut at, &mut s)?;
    // No leading zeros: `0` and `0.5`, never `01`.
    if bytes.get(int_start) == Some(&b'0')
        && bytes
            .get(int_start.saturating_add(1))
            .is_some_and(u8::is_ascii_digit)
    {
        return Err(DecimalError::Syntax);
    }
    if let Some(b'e' | b'E') = bytes.get(at) {
        at = at.saturating_add(1);
        let negative = bytes.get(at) == Some(&b'-');
        if let Some(b'-' | b'+') = bytes.get(at) {
            at = at.saturating_add(1);
        }
        let start = at;
        let mut magnitude: i64 = 0;
        while let Some(&b) = bytes.get(at) {
            if !b.is_ascii_digit() {
                break;
            }
            let d = i64::from(b.wrapping_sub(b'0'));
            magnitude = magnitude.saturating_mul(10).saturating_add(d).min(100_000);
            at = at.saturating_add(1);
        }
        if at == start {
            return Err(DecimalError::Syntax);
        }
        s.exponent = if negative {
            magnitude.saturating_neg()
        } else {
            magnitude
        };
    }
    if at != bytes.len() {
        return Err(DecimalError::Syntax);
    }
    Ok(s.finish())
}
