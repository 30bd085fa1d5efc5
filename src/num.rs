//! Exact decimals on a fast path: a scaled `i64` where the value fits, a
//! `rust_decimal::Decimal` where it does not.
//!
//! **Representation.** A [`Num`] is either *fixed*, the value
//! `m × 10^-scale` with `m: i64` and `scale <= 28`, or *wide*, any other
//! `Decimal`. A `Num` stands for exactly one `Decimal`, bit for bit: the same
//! value, the same scale (`1.50` keeps its two places, as `Decimal` does) and
//! the same sign of zero. Fixed holds every `Decimal` whose mantissa fits an
//! `i64`, except negative zero (which some `Decimal` operations produce and
//! `Display` prints as `-0.00`); wide holds the rest and nothing else, so the
//! form of a value never depends on how it was computed. A `Num` takes 16
//! bytes, like a `Decimal` (see [`Repr`]).
//!
//! **Fast path and fallback.** Parsing folds digits straight into an integer
//! while it checks the grammar; arithmetic runs in `i64`/`i128` with checked
//! operations. Each fast path gives up (`None`) the moment it cannot produce
//! rust_decimal's exact result: an operand is wide, an intermediate
//! overflows, the result leaves `i64` or 28 places, a product needs more than
//! 28 places (rust_decimal rounds it), a division has a remainder
//! (rust_decimal extends and rounds the quotient its own way: `1/2` is
//! `0.50`, `6/2.0` is `3.0`), or a parsed mantissa leaves `i64`. Then the
//! operation runs through `crate::decimal` on the same `Decimal`s, so errors
//! (`Syntax`, `TooLarge`, `TooPrecise`, `Overflow`, ...) and roundings come
//! from the one reference implementation. Syntax errors are the scanner's
//! own: it accepts exactly the grammar `decimal.rs` accepts.
//!
//! **Why it is exact.** No float is ever involved. A fast path only runs
//! where rust_decimal's own result is exact (an integer sum, difference,
//! product or quotient that fits 96 bits) and reproduces its rules for
//! scales and zeros: `0 + x` is `x` unchanged, a product with a zero is `0` at
//! scale 0, a sum has the larger scale, a product the sum of the scales, an
//! exact quotient `scale(a) - scale(b)` (or 0 with the mantissa scaled up),
//! rounding to cents goes half away from zero. The differential tests in
//! `num/tests.rs` hold every parser, operation and formatter to the
//! `Decimal` path bit for bit and byte for byte, and check that the fast path
//! takes every value it can hold.
#![deny(clippy::arithmetic_side_effects)]

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use rust_decimal::Decimal;

use crate::decimal::{self, ArithError};

mod format;
mod parse;

#[cfg(test)]
use format::{write_display, Sink};
pub(crate) use format::{
    write_int_json, write_money_human, write_money_json, write_plain, write_rate_human,
};
pub(crate) use parse::{parse_json_number, parse_plain, short_plain};

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

    /// `m × 10^-scale` as a reader of the text `m.digits` would read it
    /// (trailing zeros after the point dropped, as [`short_plain`] drops
    /// them); `None` past 18 decimals (read through the text instead).
    #[cfg(feature = "arrow")]
    #[inline]
    pub(crate) fn from_scaled(m: i64, scale: u32) -> Option<Num> {
        if scale > 18 {
            return None;
        }
        let (mut m, mut scale) = (m, scale);
        while scale > 0 && m % 10 == 0 {
            m /= 10;
            scale = scale.saturating_sub(1);
        }
        if m == 0 {
            return Some(Num::ZERO);
        }
        fixed(m, scale)
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
    #[cfg(test)]
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
    #[cfg(test)]
    pub(crate) fn is_negative(self) -> bool {
        match self.form() {
            Form::Fixed { m, .. } => m < 0,
            Form::Wide(d) => d.is_sign_negative() && !d.is_zero(),
        }
    }

    /// Decimal places as written, trailing zeros included (`Decimal::scale`).
    #[cfg(test)]
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
    /// Inline for the common case, two fixed values whose mantissas meet
    /// at the larger scale within `i64` (a field against a threshold).
    #[inline]
    fn cmp(&self, other: &Num) -> Ordering {
        if let (Form::Fixed { m: ma, scale: sa }, Form::Fixed { m: mb, scale: sb }) =
            (self.form(), other.form())
        {
            let scaled = |m: i64, by: u8| {
                POW10
                    .get(usize::from(by))
                    .and_then(|&p| i64::try_from(p).ok())
                    .and_then(|p| m.checked_mul(p))
            };
            let aligned = match sa.cmp(&sb) {
                Ordering::Equal => Some((ma, mb)),
                Ordering::Less => scaled(ma, sb.wrapping_sub(sa)).map(|x| (x, mb)),
                Ordering::Greater => scaled(mb, sa.wrapping_sub(sb)).map(|y| (ma, y)),
            };
            if let Some((x, y)) = aligned {
                return x.cmp(&y);
            }
        }
        cmp_wide(*self, *other)
    }
}

/// [`Num::cmp`] past `i64`: at the larger scale in `i128`, else as
/// `Decimal`s.
#[inline(never)]
fn cmp_wide(a: Num, b: Num) -> Ordering {
    if let Some(((ma, sa), (mb, sb))) = both_fixed(a, b) {
        if let Some((x, y, _)) = align(ma, sa, mb, sb) {
            return x.cmp(&y);
        }
    }
    a.to_decimal().cmp(&b.to_decimal())
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

#[cfg(test)]
mod tests;
