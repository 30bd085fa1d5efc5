//! A strict JSON reader that fills a record straight from the text.
//!
//! No intermediate value tree and no `f64`: numbers are kept as their text
//! and converted exactly by the schema type. Unknown keys are skipped (but
//! still syntax-checked); nesting is bounded.

use std::borrow::Cow;

use super::{Raw, Record, RecordBuilder, RecordError};
use crate::ir::{FieldId, PathEntry, PathTree, Policy};
use crate::num::{self, Num};
use crate::types::Ty;
use crate::value::Value;

/// Deeper JSON is refused (bounds recursion).
const MAX_DEPTH: u32 = 64;

/// Reads one JSON object (one JSONL line) into a record.
pub(crate) fn read_json(policy: &Policy, text: &str) -> Result<Record, RecordError> {
    read_json_reusing(policy, text, Vec::new())
}

/// [`read_json`] into the slots of a record decided before.
pub(crate) fn read_json_reusing(
    policy: &Policy,
    text: &str,
    slots: Vec<Option<crate::value::Value>>,
) -> Result<Record, RecordError> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        text,
        pos: 0,
    };
    let mut builder = RecordBuilder::reusing(policy, slots);
    reader.skip_ws();
    if reader.peek() != Some(b'{') {
        let found = reader
            .peek()
            .map_or("end of input".to_string(), |c| format!("`{}`", c as char));
        return Err(RecordError::single(format!(
            "expected a JSON object, found {found}"
        )));
    }
    let result = reader
        .object(Some(&policy.schema.tree), "", &mut builder, 1)
        .and_then(|()| {
            reader.skip_ws();
            match reader.peek() {
                None => Ok(()),
                Some(_) => Err(reader.error("unexpected text after the object")),
            }
        });
    match result {
        Ok(()) => builder.finish(),
        Err(message) => {
            let mut err = RecordError::single(message);
            err.merchant_id = builder_merchant(&builder);
            Err(err)
        }
    }
}

/// The dotted path of a nested group, built only when the group has groups
/// inside (field problems name fields by their own path).
fn path_if_needed(prefix: &str, key: &str, child: &PathTree) -> String {
    if child
        .entries
        .iter()
        .any(|(_, e)| matches!(e, PathEntry::Node(_)))
    {
        if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        }
    } else {
        String::new()
    }
}

fn builder_merchant(builder: &RecordBuilder<'_>) -> Option<String> {
    builder.merchant_id()
}

/// A string's text as a value of the field's type, when the field takes it
/// as it is (see [`Reader::typed_value`]).
#[inline(always)]
pub(crate) fn typed_text(s: &str, ty: &Ty, policy: &Policy) -> Option<Value> {
    match ty {
        // (Set in place by `RecordBuilder::set_text`.)
        Ty::Text => None,
        Ty::Date => super::convert::parse_date(s).map(Value::Date),
        Ty::Enum(id) => policy
            .enums
            .get(id.0 as usize)?
            .iter()
            .find(|sym| {
                crate::json::same_bytes(policy.symbols.name(**sym).as_bytes(), s.as_bytes())
            })
            .map(|sym| Value::Enum(*sym)),
        Ty::Int => {
            let digits = s.strip_prefix('-').unwrap_or(s);
            if !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            typed_number(num::short_plain(s.as_bytes(), false)?, ty)
        }
        Ty::Decimal | Ty::Money | Ty::Rate | Ty::Number => {
            typed_number(num::short_plain(s.as_bytes(), false)?, ty)
        }
        Ty::Bool | Ty::Days | Ty::List(_) | Ty::Error => None,
    }
}

/// A number as a value of a numeric field's type, if the field takes it.
#[inline(always)]
pub(crate) fn typed_number(n: Num, ty: &Ty) -> Option<Value> {
    match ty {
        Ty::Int | Ty::Decimal | Ty::Rate | Ty::Number => Some(Value::Num(n)),
        Ty::Money if num::fits_places(n, 2) => Some(Value::Num(n)),
        _ => None,
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn error(&self, what: &str) -> String {
        // Columns count characters, from 1.
        let col = self
            .text
            .get(..self.pos.min(self.text.len()))
            .map_or(self.pos, |p| p.chars().count())
            + 1;
        format!("invalid JSON at column {col}: {what}")
    }

    #[inline(always)]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    #[inline(always)]
    fn expect(&mut self, c: u8) -> Result<(), String> {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            let found = match self.peek() {
                None => "the line ends (truncated?)".to_string(),
                Some(f) => format!("found `{}`", f as char),
            };
            Err(self.error(&format!("expected `{}`, {found}", c as char)))
        }
    }

    /// An object whose keys are looked up in `tree` (`None`: skip everything).
    fn object(
        &mut self,
        tree: Option<&PathTree>,
        prefix: &str,
        out: &mut RecordBuilder<'_>,
        depth: u32,
    ) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.expect(b'{')?;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        // Groups seen in this object, a bit per entry of `tree`.
        let mut seen_groups: u64 = 0;
        let mut hint = 0;
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a key in double quotes"));
            }
            let (key, found) = match tree.and_then(|t| self.expected_key(t, &mut hint)) {
                Some((i, key, entry)) => (Cow::Borrowed(key), Some((i, entry))),
                None => {
                    let key = self.string()?;
                    let found = tree.and_then(|t| t.find(key.as_bytes(), &mut hint));
                    (key, found)
                }
            };
            self.expect(b':')?;
            self.skip_ws();
            match found {
                Some((_, PathEntry::Leaf(id))) => {
                    if !self.typed_leaf(*id, out) {
                        let raw = self.scalar(depth)?;
                        out.set(*id, raw);
                    }
                }
                Some((entry, PathEntry::Node(child))) => {
                    let path = || {
                        if prefix.is_empty() {
                            key.to_string()
                        } else {
                            format!("{prefix}.{key}")
                        }
                    };
                    // (A schema level has far fewer than 64 groups; past
                    // that, a repeated group is still caught field by field.)
                    let bit = 1u64
                        .checked_shl(u32::try_from(entry).unwrap_or(u32::MAX))
                        .unwrap_or(0);
                    if seen_groups & bit != 0 {
                        out.problem(Some(&path()), "appears twice (duplicate key)");
                    }
                    seen_groups |= bit;
                    match self.peek() {
                        Some(b'{') => self.object(
                            Some(child),
                            &path_if_needed(prefix, &key, child),
                            out,
                            depth + 1,
                        )?,
                        // `null` for a whole group means all its fields are absent.
                        Some(b'n') => self.literal("null")?,
                        _ => {
                            self.skip_value(depth)?;
                            out.problem(Some(&path()), "must be an object");
                        }
                    }
                }
                None => self.skip_value(depth)?,
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                None => return Err(self.error("the object is not closed (truncated?)")),
                Some(c) => {
                    return Err(self.error(&format!("expected `,` or `}}`, found `{}`", c as char)))
                }
            }
        }
    }

    /// The key at the cursor when it is the one the schema expects next
    /// (records mostly list their keys in the schema's order): compared in
    /// place, without scanning it as a string first. A schema key holds no
    /// quote, backslash or control character, so bytes that equal it
    /// followed by `"` are exactly that JSON string. `None` (nothing
    /// consumed) otherwise.
    #[inline(always)]
    fn expected_key<'t>(
        &mut self,
        tree: &'t PathTree,
        hint: &mut usize,
    ) -> Option<(usize, &'t str, &'t PathEntry)> {
        let (key, entry) = tree.entries.get(*hint)?;
        let key_bytes = key.as_bytes();
        let start = self.pos + 1;
        let end = start + key_bytes.len();
        let candidate = self.bytes.get(start..end)?;
        if self.bytes.get(end) != Some(&b'"') || !crate::json::same_bytes(candidate, key_bytes) {
            return None;
        }
        self.pos = end + 1;
        let found = *hint;
        *hint += 1;
        Some((found, key, entry))
    }

    /// A field's value in its common shapes, read straight into its type
    /// and set: a plain JSON number (no exponent) or numeric string, a date
    /// string, an enum name, a string without escapes, `true` or `false`.
    /// False (nothing consumed, nothing set) for anything else, and for
    /// anything the field would refuse: the general path
    /// ([`Reader::scalar`], then [`convert::convert`](super::convert::convert))
    /// reads those, so that every value and every message is the one it
    /// gives.
    #[inline(always)]
    fn typed_leaf(&mut self, id: FieldId, out: &mut RecordBuilder<'_>) -> bool {
        let policy = out.policy;
        let Some(ty) = policy.field(id).map(|f| &f.ty) else {
            return false;
        };
        let start = self.pos;
        let value = match self.peek() {
            Some(b'"') => match self.plain_string() {
                Some(text) if *ty == Ty::Text => {
                    out.set_text(id, text);
                    return true;
                }
                Some(text) => typed_text(text, ty, policy),
                None => None,
            },
            Some(b'-' | b'0'..=b'9') => self.plain_number(ty),
            Some(b't') if *ty == Ty::Bool => self.literal("true").ok().map(|()| Value::Bool(true)),
            Some(b'f') if *ty == Ty::Bool => {
                self.literal("false").ok().map(|()| Value::Bool(false))
            }
            _ => None,
        };
        match value {
            Some(value) => {
                out.set_value(id, value);
                true
            }
            None => {
                self.pos = start;
                false
            }
        }
    }

    /// A string without escapes or control characters, past its quotes.
    #[inline(always)]
    fn plain_string(&mut self) -> Option<&'a str> {
        let start = self.pos + 1;
        let rest = self.bytes.get(start..)?;
        let stop = crate::json::special_at(rest)?;
        if rest.get(stop) != Some(&b'"') {
            return None;
        }
        let s = self.text.get(start..start + stop)?;
        self.pos = start + stop + 1;
        Some(s)
    }

    /// A JSON number without exponent, of a numeric field's type.
    #[inline(always)]
    fn plain_number(&mut self, ty: &Ty) -> Option<Value> {
        let rest = self.bytes.get(self.pos..)?;
        let mut end = usize::from(rest.first() == Some(&b'-'));
        let mut point = false;
        while let Some(&b) = rest.get(end) {
            match b {
                b'0'..=b'9' => {}
                b'.' => point = true,
                _ => break,
            }
            end += 1;
        }
        if matches!(rest.get(end), Some(b'e' | b'E')) || (point && *ty == Ty::Int) {
            return None;
        }
        let n = typed_number(num::short_plain(rest.get(..end)?, true)?, ty)?;
        self.pos += end;
        Some(n)
    }

    /// A value where a schema field is expected.
    #[inline(always)]
    fn scalar(&mut self, depth: u32) -> Result<Raw<'a>, String> {
        match self.peek() {
            Some(b'"') => Ok(Raw::Str(self.string()?)),
            Some(b't') => self.literal("true").map(|()| Raw::Bool(true)),
            Some(b'f') => self.literal("false").map(|()| Raw::Bool(false)),
            Some(b'n') => self.literal("null").map(|()| Raw::Null),
            Some(b'-' | b'0'..=b'9') => self.number().map(Raw::Number),
            Some(b'{' | b'[') => {
                self.skip_value(depth)?;
                Ok(Raw::Composite)
            }
            Some(b'N' | b'I') => Err(self.error("NaN and Infinity are not JSON numbers")),
            Some(c) => Err(self.error(&format!("unexpected `{}`", c as char))),
            None => Err(self.error("the line ends (truncated?)")),
        }
    }

    #[inline(always)]
    fn literal(&mut self, word: &str) -> Result<(), String> {
        let end = self.pos + word.len();
        if self.bytes.get(self.pos..end) == Some(word.as_bytes()) {
            self.pos = end;
            Ok(())
        } else {
            Err(self.error("expected a value (NaN and Infinity are not JSON)"))
        }
    }

    /// A JSON number's text, checked against the JSON grammar.
    #[inline(always)]
    fn number(&mut self) -> Result<&'a str, String> {
        let start = self.pos;
        let digits = |r: &mut Self| {
            let s = r.pos;
            while let Some(b'0'..=b'9') = r.peek() {
                r.pos += 1;
            }
            r.pos - s
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        let n = digits(self);
        if n == 0 || (n > 1 && self.bytes.get(int_start) == Some(&b'0')) {
            return Err(self.error("malformed number"));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if digits(self) == 0 {
                return Err(self.error("malformed number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("malformed number"));
            }
        }
        self.text
            .get(start..self.pos)
            .ok_or_else(|| self.error("malformed number"))
    }

    /// A string, unescaped only when it holds escapes.
    #[inline(always)]
    fn string(&mut self) -> Result<Cow<'a, str>, String> {
        self.pos += 1; // opening quote
        let start = self.pos;
        let rest = self.bytes.get(start..).unwrap_or(&[]);
        // Jump to the closing quote, the first escape or a control character.
        let Some(stop) = crate::json::special_at(rest) else {
            return Err(self.error("the string is not closed (truncated?)"));
        };
        if rest.get(stop).is_some_and(|&b| b < 0x20) {
            // Reported where the string starts; a string never closed is
            // reported as such, control characters or not.
            let rest_after = rest.get(stop..).unwrap_or(&[]);
            if memchr::memchr2(b'"', b'\\', rest_after).is_none() {
                return Err(self.error("the string is not closed (truncated?)"));
            }
            return Err(self.error("control character in a string"));
        }
        self.pos = start + stop;
        if rest.get(stop) == Some(&b'"') {
            let s = self.text.get(start..self.pos).unwrap_or("");
            self.pos += 1;
            return Ok(Cow::Borrowed(s));
        }
        let mut out = String::from(self.text.get(start..self.pos).unwrap_or(""));
        loop {
            match self.peek() {
                None => return Err(self.error("the string is not closed (truncated?)")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = self.peek().ok_or_else(|| self.error("unfinished escape"))?;
                    self.pos += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let first = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&first) {
                                if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                                    return Err(self.error("unpaired surrogate in \\u escape"));
                                }
                                self.pos += 2;
                                let second = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&second) {
                                    return Err(self.error("unpaired surrogate in \\u escape"));
                                }
                                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                            } else {
                                first
                            };
                            out.push(
                                char::from_u32(code)
                                    .ok_or_else(|| self.error("invalid \\u escape"))?,
                            );
                        }
                        _ => return Err(self.error("invalid escape")),
                    }
                }
                Some(c) if c < 0x20 => return Err(self.error("control character in a string")),
                Some(_) => {
                    // Copy one whole UTF-8 character.
                    let rest = self.text.get(self.pos..).unwrap_or("");
                    let ch = rest
                        .chars()
                        .next()
                        .ok_or_else(|| self.error("invalid text"))?;
                    out.push(ch);
                    self.pos += ch.len_utf8();
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let s = self
            .text
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("short \\u escape"))?;
        let v = u32::from_str_radix(s, 16).map_err(|_| self.error("invalid \\u escape"))?;
        self.pos += 4;
        Ok(v)
    }

    /// Skips any value, checking its syntax.
    fn skip_value(&mut self, depth: u32) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.skip_ws();
        match self.peek() {
            Some(b'{') => {
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(());
                }
                loop {
                    self.skip_ws();
                    if self.peek() != Some(b'"') {
                        return Err(self.error("expected a key in double quotes"));
                    }
                    self.string()?;
                    self.expect(b':')?;
                    self.skip_value(depth + 1)?;
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(());
                        }
                        _ => return Err(self.error("expected `,` or `}` (truncated?)")),
                    }
                }
            }
            Some(b'[') => {
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(());
                }
                loop {
                    self.skip_value(depth + 1)?;
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(());
                        }
                        _ => return Err(self.error("expected `,` or `]` (truncated?)")),
                    }
                }
            }
            _ => self.scalar(depth).map(|_| ()),
        }
    }
}
