//! One cell of a bound column, read into a record slot with the JSON
//! reader's exact semantics: a decimal or integer column is a JSON number
//! as written (`4.90` is read as 4.9, `32.00` is not a whole number), a
//! string column a JSON string (an empty string stays empty), a date
//! column the string `YYYY-MM-DD`, a null cell a JSON `null`. Common cells
//! are typed straight into the slot; anything else goes through the one
//! conversion every reader shares, so every value and message is the same.

use std::borrow::Cow;
use std::io::Write as _;

use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Decimal256Type, Decimal32Type, Decimal64Type,
    Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{
    cast::AsArray, Array, ArrowPrimitiveType, BooleanArray, LargeStringArray, PrimitiveArray,
    StringArray, StringViewArray,
};
use arrow_buffer::i256;
use arrow_schema::DataType;
use chrono::NaiveDate;

use crate::ir::{FieldId, Policy};
use crate::num::Num;
use crate::snapshot::{typed_number, typed_text, Raw, RecordBuilder};
use crate::types::Ty;
use crate::value::Value;

/// A cell as the reader sees it.
#[derive(Clone, Copy)]
pub(crate) enum Cell<'a> {
    Null,
    Str(&'a str),
    /// `m × 10^-scale` (integers have scale 0).
    Dec(i128, i8),
    /// A Decimal256 mantissa past `i128`.
    Wide(i256, i8),
    Bool(bool),
    /// Days since 1970-01-01.
    Date(i64),
}

/// Reads the cells of one column.
pub(crate) type Getter<'a> = Box<dyn Fn(usize) -> Cell<'a> + Send + Sync + 'a>;

/// The getter of a column the binder accepted (`None` for any other).
pub(crate) fn getter(array: &dyn Array) -> Option<Getter<'_>> {
    Some(match array.data_type() {
        DataType::Null => Box::new(|_| Cell::Null),
        DataType::Utf8 => {
            let a = array.as_any().downcast_ref::<StringArray>()?;
            Box::new(move |i| nullable(a, i, || Cell::Str(a.value(i))))
        }
        DataType::LargeUtf8 => {
            let a = array.as_any().downcast_ref::<LargeStringArray>()?;
            Box::new(move |i| nullable(a, i, || Cell::Str(a.value(i))))
        }
        DataType::Utf8View => {
            let a = array.as_any().downcast_ref::<StringViewArray>()?;
            Box::new(move |i| nullable(a, i, || Cell::Str(a.value(i))))
        }
        DataType::Boolean => {
            let a = array.as_any().downcast_ref::<BooleanArray>()?;
            Box::new(move |i| nullable(a, i, || Cell::Bool(a.value(i))))
        }
        DataType::Int8 => int::<Int8Type>(array)?,
        DataType::Int16 => int::<Int16Type>(array)?,
        DataType::Int32 => int::<Int32Type>(array)?,
        DataType::Int64 => int::<Int64Type>(array)?,
        DataType::UInt8 => int::<UInt8Type>(array)?,
        DataType::UInt16 => int::<UInt16Type>(array)?,
        DataType::UInt32 => int::<UInt32Type>(array)?,
        DataType::UInt64 => int::<UInt64Type>(array)?,
        DataType::Decimal32(_, s) => decimal::<Decimal32Type>(array, *s)?,
        DataType::Decimal64(_, s) => decimal::<Decimal64Type>(array, *s)?,
        DataType::Decimal128(_, s) => decimal::<Decimal128Type>(array, *s)?,
        DataType::Decimal256(_, s) => {
            let a = array.as_primitive_opt::<Decimal256Type>()?;
            let s = *s;
            Box::new(move |i| {
                nullable(a, i, || {
                    let v = a.value(i);
                    match v.to_i128() {
                        Some(m) => Cell::Dec(m, s),
                        None => Cell::Wide(v, s),
                    }
                })
            })
        }
        DataType::Date32 => {
            let a = array.as_primitive_opt::<Date32Type>()?;
            Box::new(move |i| nullable(a, i, || Cell::Date(i64::from(a.value(i)))))
        }
        DataType::Date64 => {
            let a = array.as_primitive_opt::<Date64Type>()?;
            // Milliseconds; `bind` refuses a column with a time of day.
            Box::new(move |i| nullable(a, i, || Cell::Date(a.value(i).div_euclid(86_400_000))))
        }
        DataType::Dictionary(..) => {
            let dict = array.as_any_dictionary_opt()?;
            if dict.values().is_empty() {
                return Some(Box::new(|_| Cell::Null));
            }
            let keys = dict.normalized_keys();
            let values = getter(dict.values().as_ref())?;
            Box::new(move |i| {
                if array.is_null(i) {
                    return Cell::Null;
                }
                keys.get(i).map_or(Cell::Null, |k| values(*k))
            })
        }
        _ => return None,
    })
}

#[inline(always)]
fn nullable<'a>(a: &dyn Array, i: usize, cell: impl FnOnce() -> Cell<'a>) -> Cell<'a> {
    if a.is_null(i) {
        Cell::Null
    } else {
        cell()
    }
}

fn int<T: ArrowPrimitiveType>(array: &dyn Array) -> Option<Getter<'_>>
where
    T::Native: Into<i128>,
{
    let a: &PrimitiveArray<T> = array.as_primitive_opt::<T>()?;
    Some(Box::new(move |i| {
        nullable(a, i, || Cell::Dec(a.value(i).into(), 0))
    }))
}

fn decimal<T: ArrowPrimitiveType>(array: &dyn Array, scale: i8) -> Option<Getter<'_>>
where
    T::Native: Into<i128>,
{
    let a: &PrimitiveArray<T> = array.as_primitive_opt::<T>()?;
    Some(Box::new(move |i| {
        nullable(a, i, || Cell::Dec(a.value(i).into(), scale))
    }))
}

/// Sets field `id` from a cell, as the JSON reader sets it from the
/// equivalent JSON value.
#[inline]
pub(crate) fn set(builder: &mut RecordBuilder<'_>, policy: &Policy, id: FieldId, cell: Cell<'_>) {
    let Some(ty) = policy.field(id).map(|f| &f.ty) else {
        return;
    };
    match cell {
        Cell::Null => builder.set(id, Raw::Null),
        Cell::Str(s) => {
            if *ty == Ty::Text {
                builder.set_text(id, s);
            } else if let Some(v) = typed_text(s, ty, policy) {
                builder.set_value(id, v);
            } else {
                builder.set(id, Raw::Str(Cow::Borrowed(s)));
            }
        }
        Cell::Bool(b) => match ty {
            Ty::Bool => builder.set_value(id, Value::Bool(b)),
            _ => builder.set(id, Raw::Bool(b)),
        },
        Cell::Dec(m, scale) => {
            let typed = match (i64::try_from(m), u32::try_from(scale)) {
                // (A fraction for a whole number is refused with the
                // general path's message.)
                (Ok(m), Ok(s)) if !(s > 0 && *ty == Ty::Int) => {
                    Num::from_scaled(m, s).and_then(|n| typed_number(n, ty))
                }
                _ => None,
            };
            match typed {
                Some(v) => builder.set_value(id, v),
                None => {
                    let mut buf = Text::new();
                    write_scaled(&mut buf, m, scale);
                    builder.set(id, Raw::Number(buf.as_str()));
                }
            }
        }
        Cell::Wide(m, scale) => {
            let mut buf = Text::new();
            write_scaled(&mut buf, m, scale);
            builder.set(id, Raw::Number(buf.as_str()));
        }
        Cell::Date(days) => {
            let date = date_of(days);
            match date {
                Some(d) if *ty == Ty::Date && is_four_digit_year(d) => {
                    builder.set_value(id, Value::Date(d));
                }
                _ => {
                    let mut buf = Text::new();
                    write_date(&mut buf, days);
                    builder.set(id, Raw::Str(Cow::Borrowed(buf.as_str())));
                }
            }
        }
    }
}

/// The date `days` after 1970-01-01.
pub(crate) fn date_of(days: i64) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_signed(chrono::TimeDelta::try_days(days)?)
}

fn is_four_digit_year(d: NaiveDate) -> bool {
    use chrono::Datelike;
    (0..=9999).contains(&d.year())
}

/// A date cell as the text a JSON writer would give it (`YYYY-MM-DD`).
pub(crate) fn write_date(out: &mut Text, days: i64) {
    match date_of(days) {
        Some(d) => out.push_str(&crate::value::date_iso(d)),
        None => {
            let _ = write!(out, "{days} days after 1970-01-01");
        }
    }
}

/// A decimal cell as a JSON number's text: `m` with a point `scale`
/// digits from the right (zeros appended for a negative scale).
pub(crate) fn write_scaled(out: &mut Text, m: impl std::fmt::Display, scale: i8) {
    let mut digits = Text::new();
    let _ = write!(digits, "{m}");
    let text = digits.as_str();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    out.push_str(sign);
    match usize::try_from(scale) {
        Ok(0) => out.push_str(digits),
        Ok(s) if digits.len() > s => {
            let (int, frac) = digits.split_at(digits.len() - s);
            out.push_str(int);
            out.push_str(".");
            out.push_str(frac);
        }
        Ok(s) => {
            out.push_str("0.");
            for _ in digits.len()..s {
                out.push_str("0");
            }
            out.push_str(digits);
        }
        Err(_) => {
            out.push_str(digits);
            if digits != "0" {
                for _ in 0..scale.unsigned_abs() {
                    out.push_str("0");
                }
            }
        }
    }
}

/// A short text on the stack (a cell's digits): no allocation per cell.
pub(crate) struct Text {
    buf: [u8; 128],
    len: usize,
}

impl Text {
    pub(crate) fn new() -> Text {
        Text {
            buf: [0; 128],
            len: 0,
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        self.buf
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }

    fn push_str(&mut self, s: &str) {
        let _ = self.write_all(s.as_bytes());
    }
}

impl std::io::Write for Text {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let room = self.buf.get_mut(self.len..).unwrap_or(&mut []);
        let n = data.len().min(room.len());
        if let (Some(dst), Some(src)) = (room.get_mut(..n), data.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.len += n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
