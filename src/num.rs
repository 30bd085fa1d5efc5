//! Exact decimals on a fast path: a scaled `i64` where the value fits, a
//! `rust_decimal::Decimal` where it does not.
//!
//! **Representation.** A [`Num`] is either `Fixed { m, scale }`, the value
//! `m × 10^-scale` with `m: i64` and `scale <= 28`, or `Wide(Decimal)`. A
//! `Num` stands for exactly one `Decimal`, bit for bit: the same value, the
//! same scale (`1.50` keeps its two places, as `Decimal` does) and the same
//! sign of zero. `Fixed` holds every such `Decimal` whose mantissa fits an
//! `i64`, except negative zero (which some `Decimal` operations produce and
//! `Display` prints as `-0.00`); `Wide` holds the rest and nothing else, so
//! the form of a value never depends on how it was computed.
//!
//! **Fast path and fallback.** Parsing accumulates digits straight into an
//! integer; arithmetic runs in `i64`/`i128` with checked operations. Each fast
//! path returns `None` the moment it cannot produce the exact `Decimal`
//! result: an operand is `Wide`, an intermediate overflows, the result leaves
//! `i64` or scale 28, a division has a remainder (rust_decimal then extends
//! and rounds the quotient in its own way: `1/2` is `0.50`, `6/2.0` is
//! `3.0`), or a parsed number has more than 19 significant digits. Then the
//! operation runs through `crate::decimal` on the equivalent `Decimal`s, so
//! errors (`TooLarge`, `TooPrecise`, `Overflow`, ...) and roundings come from
//! the one reference implementation.
//!
//! **Why it is exact.** No float is ever involved. A fast path only runs
//! where rust_decimal's own result is exact (an integer sum, difference or
//! product that fits 96 bits, at the scale rust_decimal would choose) and
//! reproduces its rules for scales and zeros: `0 + x` is `x` unchanged, a
//! product with a zero is `0` at scale 0, an exact quotient has scale
//! `scale(a) - scale(b)` (or 0), rounding to cents is half away from zero.
//! The differential tests in `num/tests.rs` hold every operation, parser and
//! formatter to the `Decimal` path, bit for bit and byte for byte.
#![deny(clippy::arithmetic_side_effects)]
#![cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "the fast path is not wired into the evaluator yet; remove once it is"
    )
)]

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use rust_decimal::Decimal;

use crate::decimal::{self, ArithError, DecimalError};

/// The largest scale of a `Decimal`.
const MAX_SCALE: u32 = 28;

/// An exact decimal: the `Decimal` it stands for, held as a scaled `i64`
/// when the mantissa fits. 16 bytes, like `Decimal`.
#[derive(Clone, Copy)]
pub(crate) struct Num(Repr);

/// How a `Num` is stored. The `i64` mantissa is kept in two 4-aligned
/// halves and `Wide` spells out `Decimal`'s parts, so that the enum's tag
/// lives in the niche of `Wide`'s `negative: bool`: 16 bytes in all, where
/// `Fixed { m: i64, .. }` beside `Wide(Decimal)` takes 24 (and would grow
/// every `Value` holding one). Code reads it through [`Form`].
#[derive(Clone, Copy)]
enum Repr {
    // INVARIANT: scale <= 28 (only `fixed` builds this variant).
    Fixed { lo: u32, hi: i32, scale: u8 },
    // INVARIANT: never a value `Fixed` can hold (only `From<Decimal>` builds
    // it): a mantissa outside `i64`, or negative zero; scale <= 28.
    Wide(WideParts),
}

/// A `Decimal`'s parts, as `Decimal::from_parts` takes them.
#[derive(Clone, Copy)]
struct WideParts {
    lo: u32,
    mid: u32,
    hi: u32,
    scale: u8,
    negative: bool,
}

/// A `Num` unpacked, for reading.
#[derive(Clone, Copy)]
enum Form {
    /// `m × 10^-scale`, `scale <= 28`.
    Fixed { m: i64, scale: u8 },
    /// Any other `Decimal`.
    Wide(Decimal),
}

/// The storage of a `Fixed` value.
const fn fixed_repr(m: i64, scale: u8) -> Repr {
    Repr::Fixed {
        lo: m as u32,
        hi: (m >> 32) as i32,
        scale,
    }
}

/// `10^0 ..= 10^19`, every power of ten a `u64` holds.
const POW10: [u64; 20] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    100_000_000_000,
    1_000_000_000_000,
    10_000_000_000_000,
    100_000_000_000_000,
    1_000_000_000_000_000,
    10_000_000_000_000_000,
    100_000_000_000_000_000,
    1_000_000_000_000_000_000,
    10_000_000_000_000_000_000,
];

/// `10^k` for `k <= 38`.
fn pow10(k: u32) -> Option<i128> {
    let k = usize::try_from(k).ok()?;
    match POW10.get(k) {
        Some(&p) => Some(i128::from(p)),
        None => {
            let high = POW10.get(k.checked_sub(19)?)?;
            i128::from(*high).checked_mul(i128::from(POW10.get(19).copied()?))
        }
    }
}

/// A `Fixed` value, if the scale is one a `Decimal` can have.
fn fixed(m: i64, scale: u32) -> Option<Num> {
    if scale > MAX_SCALE {
        return None;
    }
    let scale = u8::try_from(scale).ok()?;
    Some(Num(fixed_repr(m, scale)))
}

impl Num {
    /// Zero, as `Decimal::ZERO` (scale 0).
    pub(crate) const ZERO: Num = Num(fixed_repr(0, 0));

    /// A whole number, as `Decimal::from(n)`.
    pub(crate) const fn from_i64(n: i64) -> Num {
        Num(fixed_repr(n, 0))
    }

    /// The value unpacked.
    #[inline]
    fn form(self) -> Form {
        match self.0 {
            Repr::Fixed { lo, hi, scale } => Form::Fixed {
                m: (i64::from(hi) << 32) | i64::from(lo),
                scale,
            },
            Repr::Wide(w) => {
                // `min` never bites (INVARIANT: scale <= 28); it keeps
                // `from_parts` from asserting.
                let scale = u32::from(w.scale).min(MAX_SCALE);
                let mut d = Decimal::from_parts(w.lo, w.mid, w.hi, false, scale);
                // `from_parts` drops the sign of a zero; the parts keep it.
                d.set_sign_negative(w.negative);
                Form::Wide(d)
            }
        }
    }

    /// The `Decimal` this number stands for (same value, scale and sign).
    pub(crate) fn to_decimal(self) -> Decimal {
        match self.form() {
            Form::Fixed { m, scale } => {
                let magnitude = m.unsigned_abs();
                // `min` never bites (INVARIANT: scale <= 28); it keeps
                // `from_parts` from asserting.
                Decimal::from_parts(
                    magnitude as u32,
                    (magnitude >> 32) as u32,
                    0,
                    m < 0,
                    u32::from(scale).min(MAX_SCALE),
                )
            }
            Form::Wide(d) => d,
        }
    }

    /// Whether the value is held as a scaled `i64` (the fast form).
    pub(crate) fn is_fixed(self) -> bool {
        matches!(self.0, Repr::Fixed { .. })
    }

    /// Whether the value is zero (of any scale or sign).
    pub(crate) fn is_zero(self) -> bool {
        match self.form() {
            Form::Fixed { m, .. } => m == 0,
            Form::Wide(d) => d.is_zero(),
        }
    }

    /// Whether the value is below zero (negative zero is not).
    pub(crate) fn is_negative(self) -> bool {
        match self.form() {
            Form::Fixed { m, .. } => m < 0,
            Form::Wide(d) => d.is_sign_negative() && !d.is_zero(),
        }
    }

    /// Decimal places as written, trailing zeros included (`Decimal::scale`).
    pub(crate) fn scale(self) -> u32 {
        match self.form() {
            Form::Fixed { scale, .. } => u32::from(scale),
            Form::Wide(d) => d.scale(),
        }
    }

    /// The whole part (truncated toward zero) if it fits, as
    /// `i64::try_from(Decimal)`.
    pub(crate) fn to_i64_trunc(self) -> Option<i64> {
        match self.form() {
            Form::Fixed { m, scale } => {
                let whole = i128::from(m).checked_div(pow10(u32::from(scale))?)?;
                i64::try_from(whole).ok()
            }
            Form::Wide(d) => i64::try_from(d).ok(),
        }
    }

    /// Whether there is nothing after the point (`Decimal::fract` is zero).
    pub(crate) fn is_whole(self) -> bool {
        match self.form() {
            Form::Fixed { m, scale } => pow10(u32::from(scale))
                .and_then(|p| i128::from(m).checked_rem(p))
                .is_some_and(|r| r == 0),
            Form::Wide(d) => d.fract().is_zero(),
        }
    }

    /// Mantissa and scale without trailing zeros (`Decimal::normalize`).
    fn normalized(self) -> (i128, u32) {
        match self.form() {
            Form::Fixed { m, scale } => {
                let (m, scale) = strip_zeros(m, scale);
                (i128::from(m), u32::from(scale))
            }
            Form::Wide(d) => {
                let n = d.normalize();
                (n.mantissa(), n.scale())
            }
        }
    }
}

/// `m × 10^-scale` without trailing zeros after the point; zero is `(0, 0)`.
fn strip_zeros(m: i64, scale: u8) -> (i64, u8) {
    if m == 0 {
        return (0, 0);
    }
    let (mut m, mut scale) = (m, scale);
    while scale > 0 && m % 10 == 0 {
        m /= 10;
        scale = scale.saturating_sub(1);
    }
    (m, scale)
}

impl From<Decimal> for Num {
    /// The fast form whenever it can hold `d` exactly.
    fn from(d: Decimal) -> Num {
        // Only `rescale` past 28 places builds such a `Decimal`; bring it
        // back to 28 places as rust_decimal's own `deserialize` does.
        let d = if d.scale() > MAX_SCALE {
            Decimal::deserialize(d.serialize())
        } else {
            d
        };
        let negative_zero = d.is_zero() && d.is_sign_negative();
        if let (Ok(m), false) = (i64::try_from(d.mantissa()), negative_zero) {
            if let Some(n) = fixed(m, d.scale()) {
                return n;
            }
        }
        let magnitude = d.mantissa().unsigned_abs();
        Num(Repr::Wide(WideParts {
            lo: magnitude as u32,
            mid: (magnitude >> 32) as u32,
            hi: (magnitude >> 64) as u32,
            scale: u8::try_from(d.scale()).unwrap_or(28),
            negative: d.is_sign_negative(),
        }))
    }
}

impl fmt::Debug for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.form() {
            Form::Fixed { m, scale } => f.debug_tuple("Fixed").field(&m).field(&scale).finish(),
            Form::Wide(d) => f.debug_tuple("Wide").field(&d).finish(),
        }
    }
}

impl From<Num> for Decimal {
    fn from(n: Num) -> Decimal {
        n.to_decimal()
    }
}

impl Ord for Num {
    /// Numeric order, as `Decimal`'s: `1.0 == 1.00`, `-0 == 0`.
    fn cmp(&self, other: &Num) -> Ordering {
        if let (Form::Fixed { m: ma, scale: sa }, Form::Fixed { m: mb, scale: sb }) =
            (self.form(), other.form())
        {
            if sa == sb {
                return ma.cmp(&mb);
            }
            if let Some((x, y, _)) = align(ma, sa, mb, sb) {
                return x.cmp(&y);
            }
        }
        self.to_decimal().cmp(&other.to_decimal())
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Num) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Num {
    fn eq(&self, other: &Num) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Num {}

impl Hash for Num {
    /// Equal values hash alike whatever their scale or form.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.normalized().hash(state);
    }
}

impl fmt::Display for Num {
    /// As `Decimal`'s `Display` (flags such as `{:.2}` included).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_decimal(), f)
    }
}

// ---------------------------------------------------------------- parsing

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

/// The fast path of [`parse_plain`]: `Ok(None)` leaves the text to `decimal.rs`.
fn scan_plain(text: &str) -> Result<Option<Num>, DecimalError> {
    let bytes = text.as_bytes();
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
fn scan_json_number(text: &str) -> Result<Option<Num>, DecimalError> {
    let bytes = text.as_bytes();
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

// ------------------------------------------------------------- arithmetic

/// Both mantissas at the larger of the two scales, if that fits `i128`.
fn align(ma: i64, sa: u8, mb: i64, sb: u8) -> Option<(i128, i128, u32)> {
    let (sa, sb) = (u32::from(sa), u32::from(sb));
    let (x, y) = (i128::from(ma), i128::from(mb));
    match sa.cmp(&sb) {
        Ordering::Equal => Some((x, y, sa)),
        Ordering::Less => Some((x.checked_mul(pow10(sb.abs_diff(sa))?)?, y, sb)),
        Ordering::Greater => Some((x, y.checked_mul(pow10(sa.abs_diff(sb))?)?, sa)),
    }
}

/// Both operands' `Fixed` parts, if both are `Fixed`.
fn both_fixed(a: Num, b: Num) -> Option<((i64, u8), (i64, u8))> {
    match (a.form(), b.form()) {
        (Form::Fixed { m: ma, scale: sa }, Form::Fixed { m: mb, scale: sb }) => {
            Some(((ma, sa), (mb, sb)))
        }
        _ => None,
    }
}

/// `a + b` or `a - b` as rust_decimal computes it, when the result is `Fixed`.
fn add_fast(a: Num, b: Num, subtract: bool) -> Option<Num> {
    let ((ma, sa), (mb, sb)) = both_fixed(a, b)?;
    // rust_decimal hands back the other operand untouched (its scale too).
    if ma == 0 {
        return if subtract { Some(neg(b)) } else { Some(b) };
    }
    if mb == 0 {
        return Some(a);
    }
    if sa == sb {
        let m = if subtract {
            ma.checked_sub(mb)
        } else {
            ma.checked_add(mb)
        };
        return fixed(m?, u32::from(sa));
    }
    let (x, y, scale) = align(ma, sa, mb, sb)?;
    let m = if subtract {
        x.checked_sub(y)
    } else {
        x.checked_add(y)
    };
    fixed(i64::try_from(m?).ok()?, scale)
}

/// `a × b` as rust_decimal computes it, when the result is `Fixed`.
fn mul_fast(a: Num, b: Num) -> Option<Num> {
    let ((ma, sa), (mb, sb)) = both_fixed(a, b)?;
    // A product with zero is `Decimal::ZERO`, whatever the scales.
    if ma == 0 || mb == 0 {
        return Some(Num::ZERO);
    }
    fixed(
        ma.checked_mul(mb)?,
        u32::from(sa).checked_add(u32::from(sb))?,
    )
}

/// `a ÷ b` (b non-zero) when the quotient is an exact integer mantissa:
/// then rust_decimal keeps scale `sa - sb`, or scale 0 when that is negative.
fn div_fast(a: Num, b: Num) -> Option<Num> {
    let ((ma, sa), (mb, sb)) = both_fixed(a, b)?;
    if ma == 0 {
        return Some(Num::ZERO);
    }
    if ma.checked_rem(mb)? != 0 {
        return None;
    }
    let q = ma.checked_div(mb)?;
    match sa.checked_sub(sb) {
        Some(scale) => fixed(q, u32::from(scale)),
        None => {
            let p = i64::try_from(pow10(u32::from(sb.abs_diff(sa)))?).ok()?;
            fixed(q.checked_mul(p)?, 0)
        }
    }
}

/// `a % b` as `Decimal::checked_rem` computes it, when the result is `Fixed`.
fn rem_fast(a: Num, b: Num) -> Option<Num> {
    let ((ma, sa), (mb, sb)) = both_fixed(a, b)?;
    if mb == 0 {
        return None;
    }
    if ma == 0 {
        return Some(Num::ZERO);
    }
    let (x, y, scale) = align(ma, sa, mb, sb)?;
    match x.unsigned_abs().cmp(&y.unsigned_abs()) {
        Ordering::Equal => Some(Num::ZERO),
        Ordering::Less => Some(a),
        // The sign of the dividend, at the larger scale.
        Ordering::Greater => fixed(i64::try_from(x.checked_rem(y)?).ok()?, scale),
    }
}

/// The exact `Decimal` result of `slow` on both operands, in canonical form.
fn via_decimal<E>(
    a: Num,
    b: Num,
    slow: fn(Decimal, Decimal) -> Result<Decimal, E>,
) -> Result<Num, E> {
    slow(a.to_decimal(), b.to_decimal()).map(Num::from)
}

/// `a + b`, as [`decimal::add`].
pub(crate) fn add(a: Num, b: Num) -> Result<Num, ArithError> {
    match add_fast(a, b, false) {
        Some(n) => Ok(n),
        None => via_decimal(a, b, decimal::add),
    }
}

/// `a - b`, as [`decimal::sub`].
pub(crate) fn sub(a: Num, b: Num) -> Result<Num, ArithError> {
    match add_fast(a, b, true) {
        Some(n) => Ok(n),
        None => via_decimal(a, b, decimal::sub),
    }
}

/// `a × b`, as [`decimal::mul`].
pub(crate) fn mul(a: Num, b: Num) -> Result<Num, ArithError> {
    match mul_fast(a, b) {
        Some(n) => Ok(n),
        None => via_decimal(a, b, decimal::mul),
    }
}

/// `a ÷ b`, as [`decimal::div`].
pub(crate) fn div(a: Num, b: Num) -> Result<Num, ArithError> {
    if b.is_zero() {
        return Err(ArithError::DivisionByZero);
    }
    match div_fast(a, b) {
        Some(n) => Ok(n),
        None => via_decimal(a, b, decimal::div),
    }
}

/// `a % b`, as `Decimal::checked_rem` (`None` where it gives `None`).
fn rem(a: Num, b: Num) -> Option<Num> {
    match rem_fast(a, b) {
        Some(n) => Some(n),
        None => a.to_decimal().checked_rem(b.to_decimal()).map(Num::from),
    }
}

/// The largest multiple of `step` that is <= `x`, as [`decimal::floor_to`]
/// (the same steps on the same values).
pub(crate) fn floor_to(x: Num, step: Num) -> Result<Num, ArithError> {
    if step <= Num::ZERO {
        return Err(ArithError::BadStep);
    }
    let mut r = rem(x, step).ok_or(ArithError::Overflow)?;
    if r < Num::ZERO {
        r = add(r, step)?;
    }
    sub(x, r)
}

/// The smallest multiple of `step` that is >= `x`, as [`decimal::ceil_to`].
pub(crate) fn ceil_to(x: Num, step: Num) -> Result<Num, ArithError> {
    let floor = floor_to(x, step)?;
    if floor == x {
        Ok(floor)
    } else {
        add(floor, step)
    }
}

/// Two decimals, half away from zero (5.005 -> 5.01), as
/// [`decimal::round_cents`]: fewer places stay as they are.
pub(crate) fn round_cents(x: Num) -> Num {
    round_cents_fast(x).unwrap_or_else(|| Num::from(decimal::round_cents(x.to_decimal())))
}

/// The fast path of [`round_cents`].
fn round_cents_fast(x: Num) -> Option<Num> {
    let Form::Fixed { m, scale } = x.form() else {
        return None;
    };
    if scale <= 2 {
        return Some(x);
    }
    let p = pow10(u32::from(scale).checked_sub(2)?)?;
    let m = i128::from(m);
    let (q, r) = (m.checked_div(p)?, m.checked_rem(p)?);
    // A tie (|r| = p/2) goes away from zero, never to the even neighbour.
    let away = r.unsigned_abs().checked_mul(2)? >= p.unsigned_abs();
    let q = if away { q.checked_add(m.signum())? } else { q };
    fixed(i64::try_from(q).ok()?, 2)
}

/// Whether `x` has at most `places` significant decimal places, as
/// [`decimal::fits_places`].
pub(crate) fn fits_places(x: Num, places: u32) -> bool {
    x.normalized().1 <= places
}

/// `|x|`, as `Decimal::abs` (the scale stays).
pub(crate) fn abs(x: Num) -> Num {
    match x.form() {
        Form::Fixed { m, scale } => m
            .checked_abs()
            .and_then(|m| fixed(m, u32::from(scale)))
            .unwrap_or_else(|| Num::from(x.to_decimal().abs())),
        Form::Wide(d) => Num::from(d.abs()),
    }
}

/// `-x` as the evaluator negates, `decimal::sub(0, x)`: a zero stays as it
/// is (unlike `Decimal`'s `Neg`, which turns `0` into `-0`).
pub(crate) fn neg(x: Num) -> Num {
    if x.is_zero() {
        return x;
    }
    match x.form() {
        Form::Fixed { m, scale } => m
            .checked_neg()
            .and_then(|m| fixed(m, u32::from(scale)))
            .unwrap_or_else(|| Num::from(flip_sign(x.to_decimal()))),
        Form::Wide(d) => Num::from(flip_sign(d)),
    }
}

/// `d` with the other sign, as `Decimal`'s `Neg` (which the lints forbid here).
fn flip_sign(d: Decimal) -> Decimal {
    let mut flipped = d;
    flipped.set_sign_negative(d.is_sign_positive());
    flipped
}

// -------------------------------------------------------------- formatting

/// Where formatted numbers go: appended to a `String` or a byte buffer.
pub(crate) trait Sink {
    fn put(&mut self, text: &str);
    /// Appends ASCII bytes (digits, signs, points).
    fn put_ascii(&mut self, bytes: &[u8]);
}

impl Sink for String {
    fn put(&mut self, text: &str) {
        self.push_str(text);
    }

    fn put_ascii(&mut self, bytes: &[u8]) {
        self.extend(bytes.iter().map(|&b| char::from(b)));
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, text: &str) {
        self.extend_from_slice(text.as_bytes());
    }

    fn put_ascii(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// `fmt::Write` into a [`Sink`], for the rare forms `Decimal` prints itself.
struct FmtSink<'a, S: ?Sized>(&'a mut S);

impl<S: Sink + ?Sized> fmt::Write for FmtSink<'_, S> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.put(s);
        Ok(())
    }
}

/// The decimal digits of an unsigned integer, on the stack.
struct Digits {
    buf: [u8; 40],
    start: usize,
}

impl Digits {
    fn of(n: u128) -> Digits {
        let mut digits = Digits {
            buf: [b'0'; 40],
            start: 40,
        };
        let mut rest = n;
        // u128 division is slow: peel 19-digit chunks, finish in u64.
        loop {
            match u64::try_from(rest) {
                Ok(small) => {
                    digits.push_u64(small, 1);
                    return digits;
                }
                Err(_) => {
                    let chunk = rest % 10_000_000_000_000_000_000;
                    rest /= 10_000_000_000_000_000_000;
                    digits.push_u64(chunk as u64, 19);
                }
            }
        }
    }

    /// Prepends `n`, zero-padded to at least `width` digits.
    fn push_u64(&mut self, n: u64, width: usize) {
        let mut n = n;
        let mut written = 0usize;
        while n > 0 || written < width {
            let Some(start) = self.start.checked_sub(1) else {
                return;
            };
            if let Some(slot) = self.buf.get_mut(start) {
                *slot = b'0'.wrapping_add((n % 10) as u8);
            }
            self.start = start;
            n /= 10;
            written = written.saturating_add(1);
        }
    }

    fn as_bytes(&self) -> &[u8] {
        self.buf.get(self.start..).unwrap_or(&[])
    }
}

/// `[-]digits` with a point `scale` digits from the right, as `Decimal`'s
/// `Display` lays out a mantissa: `0.05`, `12.50`, `7`.
fn put_scaled<S: Sink + ?Sized>(out: &mut S, negative: bool, magnitude: u128, scale: u32) {
    if negative {
        out.put_ascii(b"-");
    }
    let digits = Digits::of(magnitude);
    let digits = digits.as_bytes();
    let scale = usize::try_from(scale).unwrap_or(usize::MAX);
    if scale == 0 {
        out.put_ascii(digits);
        return;
    }
    match digits.len().checked_sub(scale) {
        Some(whole) if whole > 0 => {
            let (int, frac) = digits.split_at_checked(whole).unwrap_or((digits, &[]));
            out.put_ascii(int);
            out.put_ascii(b".");
            out.put_ascii(frac);
        }
        _ => {
            out.put_ascii(b"0.");
            for _ in digits.len()..scale {
                out.put_ascii(b"0");
            }
            out.put_ascii(digits);
        }
    }
}

/// `1234567` as `1,234,567`, as `value::push_grouped`.
fn put_grouped<S: Sink + ?Sized>(out: &mut S, n: u128) {
    let digits = Digits::of(n);
    let digits = digits.as_bytes();
    let len = digits.len();
    for (i, &b) in digits.iter().enumerate() {
        if i > 0 && len.saturating_sub(i) % 3 == 0 {
            out.put_ascii(b",");
        }
        out.put_ascii(&[b]);
    }
}

/// Cents, rounded half away from zero, as `value.rs` computes them; `None`
/// when two places do not fit the value (only huge `Wide` ones).
fn cents(x: Num) -> Option<i128> {
    match round_cents(x).form() {
        Form::Fixed { m, scale } => {
            i128::from(m).checked_mul(pow10(2u32.checked_sub(u32::from(scale))?)?)
        }
        Form::Wide(d) => {
            let mut r = d;
            r.rescale(2);
            (r.scale() == 2).then(|| r.mantissa())
        }
    }
}

/// Appends `[-][¥]units.cc`.
fn put_cents<S: Sink + ?Sized>(out: &mut S, c: i128, human: bool) {
    if c < 0 {
        out.put_ascii(b"-");
    }
    let abs = c.unsigned_abs();
    let (units, frac) = (abs / 100, (abs % 100) as u8);
    if human {
        out.put("¥");
        put_grouped(out, units);
    } else {
        out.put_ascii(Digits::of(units).as_bytes());
    }
    out.put_ascii(&[
        b'.',
        b'0'.wrapping_add(frac / 10),
        b'0'.wrapping_add(frac % 10),
    ]);
}

/// Money in the decision record, as `value::money_json`: `65000.00`.
pub(crate) fn write_money_json<S: Sink + ?Sized>(out: &mut S, x: Num) {
    match cents(x) {
        Some(c) => put_cents(out, c, false),
        None => {
            let _ = fmt::write(&mut FmtSink(out), format_args!("{:.2}", x.to_decimal()));
        }
    }
}

/// Money for people, as `value::money_human`: `¥65,000.00`, `-¥5.01`.
pub(crate) fn write_money_human<S: Sink + ?Sized>(out: &mut S, x: Num) {
    match cents(x) {
        Some(c) => put_cents(out, c, true),
        None => {
            out.put("¥");
            write_plain(out, x);
        }
    }
}

/// A rate as a percentage, as `value::rate_human`: `97.5%`, `98%`.
pub(crate) fn write_rate_human<S: Sink + ?Sized>(out: &mut S, x: Num) {
    match mul(x, Num::from_i64(100)) {
        Ok(percent) => {
            write_plain(out, percent);
            out.put_ascii(b"%");
        }
        Err(_) => write_plain(out, x),
    }
}

/// The shortest form, as `Decimal::normalize` prints: `4.85`, `4.8`, `720`.
/// Decimal and rate outputs are this form in a JSON string.
pub(crate) fn write_plain<S: Sink + ?Sized>(out: &mut S, x: Num) {
    let (m, scale) = x.normalized();
    put_scaled(out, m < 0, m.unsigned_abs(), scale);
}

/// As `Decimal`'s `Display`, places and the sign of zero kept: `4.80`, `-0.00`.
pub(crate) fn write_display<S: Sink + ?Sized>(out: &mut S, x: Num) {
    match x.form() {
        Form::Fixed { m, scale } => {
            put_scaled(out, m < 0, u128::from(m.unsigned_abs()), u32::from(scale));
        }
        Form::Wide(d) => {
            put_scaled(
                out,
                d.is_sign_negative(),
                d.mantissa().unsigned_abs(),
                d.scale(),
            );
        }
    }
}

/// An integer output as serde_json writes `OutputValue::Int`: the whole part
/// as a JSON number if it fits `i64`, else the `Display` form as a string.
pub(crate) fn write_int_json<S: Sink + ?Sized>(out: &mut S, x: Num) {
    match x.to_i64_trunc() {
        Some(n) => put_scaled(out, n < 0, u128::from(n.unsigned_abs()), 0),
        None => {
            out.put_ascii(b"\"");
            write_display(out, x);
            out.put_ascii(b"\"");
        }
    }
}

#[cfg(test)]
mod tests;
