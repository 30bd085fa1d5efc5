//! Characters that change how text looks without changing what it says:
//! which they are, and how to show them so they cannot reorder a message
//! (Trojan Source, CVE-2021-42574). Line terminators other than LF and CRLF
//! belong here too: an editor or terminal breaks the line at them, verdikt
//! would not.

/// The name of an invisible or bidirectional control character, if `c` is one.
pub(crate) fn invisible_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2060}' => "WORD JOINER",
        '\u{2061}'..='\u{2064}' => "INVISIBLE OPERATOR",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE",
        _ => return None,
    })
}

/// The name of a line terminator that rule text may not hold, if `c` is
/// one. Editors (VS Code breaks at a lone CR; others at U+2028, U+2029,
/// U+0085) or terminals (CR returns to the start of the line, VT and FF
/// move down) show a line break there. A CR is one only when no LF follows
/// it: CRLF is an ordinary line ending.
pub(crate) fn line_terminator_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{000B}' => "LINE TABULATION",
        '\u{000C}' => "FORM FEED",
        '\r' => "CARRIAGE RETURN",
        '\u{0085}' => "NEXT LINE",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        _ => return None,
    })
}

/// Every line terminator of `text` that rule text may not hold, with its
/// byte offset: a CR not followed by LF, and the others wherever they are.
pub(crate) fn stray_line_terminators(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    text.char_indices()
        .filter(move |&(at, c)| is_stray_line_terminator(text, at, c))
}

/// Every invisible character and stray line terminator of `text`, with its
/// byte offset, in order: what rule text may not hold.
pub(crate) fn misleading_chars(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    text.char_indices().filter(move |&(at, c)| {
        invisible_name(c).is_some() || is_stray_line_terminator(text, at, c)
    })
}

/// Whether `c`, at byte `at` of `text`, is a line terminator rule text may
/// not hold (a CR only when no LF follows it).
fn is_stray_line_terminator(text: &str, at: usize, c: char) -> bool {
    match c {
        '\r' => text.as_bytes().get(at + 1) != Some(&b'\n'),
        c => line_terminator_name(c).is_some(),
    }
}

/// How a character is shown in a diagnostic's source line: invisible ones
/// and line terminators spelled out, so the line cannot reorder, hide or
/// break itself on the reader's screen.
pub(crate) fn shown(c: char) -> Option<String> {
    invisible_name(c)
        .or_else(|| line_terminator_name(c))
        .map(|_| format!("<U+{:04X}>", u32::from(c)))
}

/// Whether a character is spelled out where record text is shown to
/// people: a control character (C0, DEL, C1: a terminal acts on them) or an
/// invisible or bidirectional one.
fn needs_spelling(c: char) -> bool {
    c.is_control() || invisible_name(c).is_some()
}

/// Appends text from a record (a merchant id, a text value, a message
/// quoting one) as people read it in explanations, traces, reasons and
/// messages: control, invisible and bidirectional characters spelled out as
/// `<U+001B>`, as diagnostics show them in rule text, so a value cannot move
/// the cursor, clear the screen or reorder the line around it. The one
/// escaping function for human output.
pub(crate) fn push_escaped(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.find(needs_spelling) {
        let (clean, tail) = rest.split_at(at);
        out.push_str(clean);
        let mut chars = tail.chars();
        if let Some(c) = chars.next() {
            use std::fmt::Write as _;
            let _ = write!(out, "<U+{:04X}>", u32::from(c));
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
}

/// [`push_escaped`] into a new text; borrowed when nothing needs escaping.
pub(crate) fn escaped(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(needs_spelling) {
        let mut out = String::with_capacity(text.len() + 8);
        push_escaped(&mut out, text);
        std::borrow::Cow::Owned(out)
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_invisible_characters_are_spelled_out() {
        assert_eq!(escaped("M1"), "M1");
        assert_eq!(
            escaped("M\u{1b}[31mRED\u{7}\r\n\u{202E}x\u{85}"),
            "M<U+001B>[31mRED<U+0007><U+000D><U+000A><U+202E>x<U+0085>"
        );
        assert_eq!(escaped("店铺\t评分"), "店铺<U+0009>评分");
    }
}
