//! JSON text written by hand, byte for byte as serde_json writes it:
//! strings escaped (only `"`, `\\` and control characters) and integers.

pub(crate) fn write_int(out: &mut Vec<u8>, n: i64) {
    let mut buf = itoa_buffer();
    out.extend_from_slice(format_i64(&mut buf, n));
}

/// Room for any i64 in decimal.
fn itoa_buffer() -> [u8; 20] {
    [0; 20]
}

/// `n` in decimal, into the end of `buf`.
fn format_i64(buf: &mut [u8; 20], n: i64) -> &[u8] {
    let mut m = n.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            // INVARIANT: m % 10 < 10, so the digit fits a byte.
            *slot = b'0' + (m % 10) as u8;
        }
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if n < 0 {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = b'-';
        }
    }
    buf.get(i..).unwrap_or(&[])
}

/// Whether two short byte strings are equal, eight bytes at a time (field
/// names: a `memcmp` call costs more than the comparison).
#[inline(always)]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    for (p, q) in (&mut x).zip(&mut y) {
        if word(p) != word(q) {
            return false;
        }
    }
    x.remainder().iter().zip(y.remainder()).all(|(p, q)| p == q)
}

/// Eight bytes as one word (`chunk` has eight).
#[inline(always)]
fn word(chunk: &[u8]) -> u64 {
    chunk.try_into().map_or(0, u64::from_le_bytes)
}

/// A JSON string, escaped exactly as serde_json escapes it: `"`, `\` and
/// control characters, nothing else.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    // Most texts need no escape at all: find the first byte that does,
    // eight at a time, and copy everything before it in one go.
    let clean = special_at(bytes).unwrap_or(bytes.len());
    out.extend_from_slice(bytes.get(..clean).unwrap_or(&[]));
    let Some(rest) = bytes.get(clean..).filter(|r| !r.is_empty()) else {
        out.push(b'"');
        return;
    };
    let bytes = rest;
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(bytes.get(start..i).unwrap_or(&[]));
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'));
            out.push(HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0'));
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or(&[]));
    out.push(b'"');
}

/// The first byte of `bytes` that a JSON string cannot hold as it is
/// (`"`, `\\`, a control character), found eight bytes at a time: short
/// keys and values are the common case, and a call into `memchr` costs more
/// than it saves on them.
#[inline(always)]
pub(crate) fn special_at(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        // The lowest flagged byte is always a true one.
        let found = zero_byte(w ^ (ONES * u64::from(b'"')))
            | zero_byte(w ^ (ONES * u64::from(b'\\')))
            | (w.wrapping_sub(ONES * 0x20) & !w & HIGHS);
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes
        .get(i..)?
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|p| i + p)
}

/// Shared by tests: the escaped form of a string.
#[cfg(test)]
fn escaped(s: &str) -> String {
    let mut out = Vec::new();
    write_str(&mut out, s);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for s in [
            "plain",
            "quote \" and \\ backslash",
            "lines\nand\ttabs\r",
            "\u{0}\u{1}\u{8}\u{b}\u{c}\u{1f}\u{7f}",
            "中文 ¥65,000.00 — 已用额度",
            "",
        ] {
            assert_eq!(
                escaped(s),
                serde_json::to_string(s).unwrap_or_default(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn integers_are_written_digit_by_digit() {
        for n in [0, 7, -7, 10, 65_000, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            write_int(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap_or_default(), n.to_string());
        }
    }
}
