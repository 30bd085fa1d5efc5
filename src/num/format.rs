//! Printing numbers straight into a `String` or a byte buffer, byte for
//! byte as `value.rs` and serde print the same `Decimal`.

use std::fmt;

use super::{mul, pow10, round_cents, Form, Num};

/// Where formatted numbers go: appended to a `String` or a byte buffer.
pub(crate) trait Sink {
    /// Appends text.
    fn put(&mut self, text: &str);
    /// Appends ASCII bytes (digits, signs, points; never any other byte).
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
