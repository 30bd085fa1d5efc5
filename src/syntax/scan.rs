//! Item boundaries for error recovery, and delimiters left open.
//!
//! A small scanner that knows strings (`"..."` with `\` escapes and
//! `{expr}` placeholders; a string cannot span lines), `#` comments and
//! brackets. Items start at keywords that no expression contains:
//! `schema`, `calendar` and `ruleset` at the top, `outcomes`, `output`,
//! `applies`, `require`, `let`, `rule` and `otherwise` inside a ruleset.
//! Such a keyword starts an item when no bracket is open, or when it is the
//! first word of its line whatever is open (an unclosed `(` then ends at
//! the next item instead of swallowing the rest of the file).

use std::ops::Range;

/// Keywords that start a ruleset's items.
const ENTRY_KEYWORDS: &[&str] = &[
    "outcomes",
    "output",
    "applies",
    "require",
    "let",
    "rule",
    "otherwise",
];

/// A delimiter opened and never closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unclosed {
    /// `(`, `[`, `{` (a block or a string's placeholder) at this offset.
    Bracket { at: usize, open: char },
    /// A string whose line ends before its closing `"`.
    String { at: usize },
}

impl Unclosed {
    /// Where it was opened.
    pub(super) fn at(self) -> usize {
        match self {
            Unclosed::Bracket { at, .. } | Unclosed::String { at } => at,
        }
    }
}

/// What the scanner reports.
#[derive(Debug, Clone, Copy)]
enum Tok {
    /// A word in code (not after a `.`), and whether it is the first on its line.
    Word {
        start: usize,
        end: usize,
        line_start: bool,
    },
    /// An opening bracket in code.
    Open,
    /// A closing bracket in code that closed an open one.
    Close,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Code { at: usize, open: char },
    Str { at: usize },
}

struct Scanner<'t> {
    text: &'t str,
    pos: usize,
    stack: Vec<Level>,
    unclosed: Vec<Unclosed>,
    line_start: bool,
    after_dot: bool,
}

impl<'t> Scanner<'t> {
    fn new(text: &'t str) -> Self {
        Scanner {
            text,
            pos: 0,
            stack: Vec::new(),
            unclosed: Vec::new(),
            line_start: true,
            after_dot: false,
        }
    }

    /// Brackets and strings open.
    fn depth(&self) -> usize {
        self.stack.len()
    }

    /// Forgets what is open above `depth` (an item boundary).
    fn reset_to(&mut self, depth: usize) {
        self.stack.truncate(depth);
    }

    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..).and_then(|r| r.chars().next())
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn in_string(&self) -> bool {
        matches!(self.stack.last(), Some(Level::Str { .. }))
    }

    /// The next token; `None` at the end of the text (then every level
    /// still open is unclosed).
    fn next(&mut self) -> Option<Tok> {
        loop {
            let at = self.pos;
            let Some(c) = self.bump() else {
                self.close_all();
                return None;
            };
            if self.in_string() {
                match c {
                    // An escape; a line break still ends the string.
                    '\\' if self.peek() != Some('\n') => {
                        self.bump();
                    }
                    '"' => {
                        self.stack.pop();
                    }
                    '\n' => {
                        if let Some(Level::Str { at }) = self.stack.pop() {
                            self.unclosed.push(Unclosed::String { at });
                        }
                        self.line_start = true;
                    }
                    '{' => {
                        self.stack.push(Level::Code { at, open: '{' });
                        return Some(Tok::Open);
                    }
                    _ => {}
                }
                continue;
            }
            let line_start = std::mem::replace(&mut self.line_start, false);
            let after_dot = std::mem::replace(&mut self.after_dot, c == '.');
            match c {
                '\n' => self.line_start = true,
                c if c.is_whitespace() => self.line_start = line_start,
                '#' => {
                    while self.peek().is_some_and(|n| n != '\n') {
                        self.bump();
                    }
                }
                '"' => self.stack.push(Level::Str { at }),
                '(' | '[' | '{' => {
                    self.stack.push(Level::Code { at, open: c });
                    return Some(Tok::Open);
                }
                ')' | ']' | '}' if self.close(c) => return Some(Tok::Close),
                c if c.is_ascii_alphabetic() || c == '_' => {
                    while self
                        .peek()
                        .is_some_and(|n| n.is_ascii_alphanumeric() || n == '_')
                    {
                        self.bump();
                    }
                    if !after_dot {
                        return Some(Tok::Word {
                            start: at,
                            end: self.pos,
                            line_start,
                        });
                    }
                }
                _ => {}
            }
        }
    }

    /// Closes the innermost bracket `c` matches (those opened inside it are
    /// unclosed); false for a stray closer.
    fn close(&mut self, c: char) -> bool {
        let want = match c {
            ')' => '(',
            ']' => '[',
            _ => '{',
        };
        let found = self.stack.iter().rposition(|l| match l {
            Level::Code { open, .. } => *open == want,
            Level::Str { .. } => true,
        });
        match found.and_then(|k| self.stack.get(k).copied().map(|l| (k, l))) {
            Some((k, Level::Code { .. })) => {
                for level in self.stack.split_off(k).into_iter().skip(1) {
                    self.unclosed.push(unclosed(level));
                }
                true
            }
            _ => false,
        }
    }

    fn close_all(&mut self) {
        for level in std::mem::take(&mut self.stack) {
            self.unclosed.push(unclosed(level));
        }
    }

    fn word(&self, start: usize, end: usize) -> &'t str {
        self.text.get(start..end).unwrap_or("")
    }
}

fn unclosed(level: Level) -> Unclosed {
    match level {
        Level::Code { at, open } => Unclosed::Bracket { at, open },
        Level::Str { at } => Unclosed::String { at },
    }
}

/// Whether `calendar` ending at `end` declares one (`calendar name {`)
/// rather than names one in a call (`calendar name)`).
fn declares_calendar(text: &str, end: usize) -> bool {
    let rest = text.get(end..).unwrap_or("").trim_start();
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    name_len > 0
        && rest
            .get(name_len..)
            .is_some_and(|r| r.trim_start().starts_with('{'))
}

/// The top-level items of a file: byte ranges covering the text, each
/// starting at `schema`, `calendar` or `ruleset` (the first may start with
/// anything).
pub(super) fn top_level(text: &str) -> Vec<Range<usize>> {
    let mut sc = Scanner::new(text);
    let mut starts = vec![0];
    while let Some(tok) = sc.next() {
        let Tok::Word {
            start,
            end,
            line_start,
        } = tok
        else {
            continue;
        };
        let boundary = match sc.word(start, end) {
            "schema" | "ruleset" => sc.depth() == 0 || line_start,
            "calendar" => (sc.depth() == 0 || line_start) && declares_calendar(text, end),
            _ => false,
        };
        if boundary && starts.last().is_some_and(|&s| s < start) {
            starts.push(start);
            sc.reset_to(0);
        }
    }
    ranges(starts, text.len())
}

/// A ruleset item split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RulesetParts {
    /// `ruleset name "title" {` (up to the first item when `{` is missing).
    pub head: Range<usize>,
    /// Where its `{` is, when there is one.
    pub open: Option<usize>,
    /// The items between the braces, each from its keyword (the first may
    /// start with anything).
    pub entries: Vec<Range<usize>>,
    /// The closing `}`, when there is one.
    pub close: Option<usize>,
    /// Text after the closing `}`.
    pub rest: Range<usize>,
}

/// Splits a ruleset's text (from `ruleset` to the next top-level item).
pub(super) fn ruleset_parts(text: &str) -> RulesetParts {
    let mut sc = Scanner::new(text);
    let mut open = None;
    let mut starts = Vec::new();
    let mut close = None;
    let mut head_end = text.len();
    while let Some(tok) = sc.next() {
        match tok {
            Tok::Open if open.is_none() && starts.is_empty() && sc.depth() == 1 => {
                let at = sc.pos - 1;
                open = Some(at);
                head_end = sc.pos;
                starts.push(sc.pos);
            }
            Tok::Word {
                start,
                end,
                line_start,
            } if ENTRY_KEYWORDS.contains(&sc.word(start, end))
                && (line_start || sc.depth() <= 1) =>
            {
                if starts.is_empty() {
                    head_end = start;
                }
                starts.push(start);
                sc.reset_to(usize::from(open.is_some()));
            }
            Tok::Close if open.is_some() && sc.depth() == 0 => {
                close = Some(sc.pos - 1);
                break;
            }
            _ => {}
        }
    }
    let end = close.unwrap_or(text.len());
    let mut entries = ranges(starts, end);
    entries.retain(|r| !r.is_empty());
    RulesetParts {
        head: 0..head_end.min(end),
        open,
        entries,
        close,
        rest: close.map_or(text.len(), |c| c + 1)..text.len(),
    }
}

fn ranges(starts: Vec<usize>, end: usize) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(starts.len());
    let mut iter = starts.into_iter().peekable();
    while let Some(s) = iter.next() {
        let e = iter.peek().copied().unwrap_or(end);
        out.push(s..e.max(s));
    }
    out
}

/// Delimiters of `text` opened and never closed, in the order they were opened.
pub(super) fn unclosed_delimiters(text: &str) -> Vec<Unclosed> {
    let mut sc = Scanner::new(text);
    while sc.next().is_some() {}
    let mut found = sc.unclosed;
    found.sort_by_key(|u| u.at());
    found
}

/// The first word of `text` in code and the name after it, if any.
pub(super) fn first_words(text: &str) -> (Option<&str>, Option<&str>) {
    let mut sc = Scanner::new(text);
    let mut words = Vec::new();
    while words.len() < 2 {
        match sc.next() {
            Some(Tok::Word { start, end, .. }) => words.push((start, end)),
            Some(_) => break,
            None => break,
        }
    }
    // A name is read only when it ends where a name can end: in
    // `cand\u{200b}idate` the name is not `cand`.
    let word = |i: usize| {
        words.get(i).and_then(|&(s, e)| {
            let next = text.get(e..).and_then(|r| r.chars().next());
            let ends = next.is_none_or(|c| c.is_ascii_whitespace() || "=\"{,#".contains(c));
            (i == 0 || ends).then(|| sc.word(s, e))
        })
    };
    let first = word(0);
    // Calendar names may contain dashes.
    let second = match (first, words.get(1)) {
        (Some("calendar"), Some(&(s, _))) => text.get(s..).map(|r| {
            let n = r
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(r.len());
            r.get(..n).unwrap_or("")
        }),
        _ => word(1),
    };
    (first, second)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces<'t>(text: &'t str, ranges: &[Range<usize>]) -> Vec<&'t str> {
        ranges
            .iter()
            .map(|r| text.get(r.clone()).unwrap_or("?"))
            .collect()
    }

    #[test]
    fn top_level_items_start_at_their_keywords() {
        let text = "# c\nschema s { a int }\ncalendar c-1 { working monday }\nruleset r { rule x when f(calendar c-1) then ok }\n";
        assert_eq!(
            pieces(text, &top_level(text)),
            vec![
                "# c\n",
                "schema s { a int }\n",
                "calendar c-1 { working monday }\n",
                "ruleset r { rule x when f(calendar c-1) then ok }\n"
            ]
        );
    }

    #[test]
    fn an_unclosed_bracket_ends_at_the_next_line_starting_an_item() {
        let text = "ruleset r { rule x when (a then ok }\nruleset q { \"schema { }\nschema s {}";
        assert_eq!(
            pieces(text, &top_level(text)),
            vec![
                "ruleset r { rule x when (a then ok }\n",
                "ruleset q { \"schema { }\n",
                "schema s {}"
            ]
        );
    }

    #[test]
    fn ruleset_parts_split_at_item_keywords() {
        let text = "ruleset r \"t\" {\n  outcomes a, b\n  rule x when (a > 1 then a\n  rule y when \"{b}\" then b\n}\n# end\n";
        let parts = ruleset_parts(text);
        assert_eq!(text.get(parts.head.clone()), Some("ruleset r \"t\" {"));
        assert_eq!(
            pieces(text, &parts.entries),
            vec![
                "\n  ",
                "outcomes a, b\n  ",
                "rule x when (a > 1 then a\n  ",
                "rule y when \"{b}\" then b\n"
            ]
        );
        assert_eq!(parts.close.and_then(|c| text.get(c..=c)), Some("}"));
        assert_eq!(text.get(parts.rest), Some("\n# end\n"));
    }

    #[test]
    fn unclosed_strings_and_brackets_are_found_where_they_open() {
        // The string ends with its line; the `)` on the next closes `(`.
        assert_eq!(
            unclosed_delimiters("f(a, \"b\nc)"),
            vec![Unclosed::String { at: 5 }]
        );
        assert_eq!(
            unclosed_delimiters("f(a, \"b\"\nc"),
            vec![Unclosed::Bracket { at: 1, open: '(' }]
        );
        assert_eq!(unclosed_delimiters("(a]) \"{x}\""), vec![]);
        assert_eq!(
            unclosed_delimiters("{ ( }"),
            vec![Unclosed::Bracket { at: 2, open: '(' }]
        );
    }

    #[test]
    fn first_words_read_kind_and_name() {
        assert_eq!(first_words("  rule big when"), (Some("rule"), Some("big")));
        assert_eq!(
            first_words("calendar cn-2026 {"),
            (Some("calendar"), Some("cn-2026"))
        );
        assert_eq!(first_words("otherwise"), (Some("otherwise"), None));
        assert_eq!(first_words("let cand\u{200b}idate ="), (Some("let"), None));
    }
}
