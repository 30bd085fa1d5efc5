//! A lexical walk over rule text that knows only what pest cannot tell us
//! cheaply: where comments are, and how deep constructs nest. Strings are
//! `"..."` with `\` escapes and `{expr}` placeholders, which are code again
//! and may hold strings and comments of their own.
//!
//! Nesting counts brackets, parentheses, placeholders and strings, and
//! `if` expressions, the one construct that nests without a bracket
//! (`if if a then b else c then ...`, long `else if` chains). An `if` stays
//! open until its `else` branch can end: at a `,`, a closing bracket, or a
//! keyword no expression contains (`rule`, `because`, ...). Counting so is
//! never below the depth pest and lowering recurse to, so refusing a depth
//! here, before parsing, bounds every later recursion.

use std::ops::ControlFlow;

/// What the walk reports, in source order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lexeme {
    /// A `# ...` comment: byte range from `#` to the end of its line.
    Comment { start: usize, end: usize },
    /// A bracket, parenthesis, placeholder, string or `if` opened at `at`;
    /// `depth` counts every level open, this one included.
    Open { at: usize, len: usize, depth: usize },
}

/// Where an open `if` is: before its `then`, before its `else`, or in
/// its `else` branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IfPart {
    Cond,
    Then,
    Else,
}

/// Keywords that no expression contains: every `if` open at their level is over.
const ENDS_EXPRESSIONS: &[&str] = &[
    "rule",
    "let",
    "because",
    "require",
    "output",
    "outcomes",
    "applies",
    "otherwise",
    "when",
    "for",
    "explain",
    "schema",
    "calendar",
    "ruleset",
    "default",
];

/// Whether a level is code or string text.
#[derive(PartialEq)]
enum Mode {
    Code,
    Str,
}

/// The levels open at a point of the text: one entry per bracket, brace
/// or string, each code level with its open `if`s.
struct Levels {
    stack: Vec<(Mode, Vec<IfPart>)>,
    ifs: usize,
}

impl Levels {
    fn depth(&self) -> usize {
        self.stack.len() - 1 + self.ifs
    }

    fn in_string(&self) -> bool {
        self.stack.last().is_some_and(|(m, _)| *m == Mode::Str)
    }

    fn open(&mut self, mode: Mode) {
        self.stack.push((mode, Vec::new()));
    }

    fn close(&mut self) {
        if let Some((_, open_ifs)) = self.stack.pop() {
            self.ifs = self.ifs.saturating_sub(open_ifs.len());
        }
    }

    /// A keyword at the current level; true when it opens an `if`.
    fn keyword(&mut self, word: &str) -> bool {
        let Some((_, open_ifs)) = self.stack.last_mut() else {
            return false;
        };
        let before = open_ifs.len();
        match word {
            "if" => {
                open_ifs.push(IfPart::Cond);
                self.ifs += 1;
                return true;
            }
            "then" => move_to(open_ifs, IfPart::Cond, IfPart::Then),
            "else" => move_to(open_ifs, IfPart::Then, IfPart::Else),
            "," => open_ifs.clear(),
            w if ENDS_EXPRESSIONS.contains(&w) => open_ifs.clear(),
            _ => {}
        }
        self.ifs = self
            .ifs
            .saturating_sub(before.saturating_sub(open_ifs.len()));
        false
    }
}

/// Walks `text`, handing each lexeme to `visit` until it breaks.
pub(crate) fn walk(text: &str, mut visit: impl FnMut(Lexeme) -> ControlFlow<()>) {
    let mut levels = Levels {
        stack: vec![(Mode::Code, Vec::new())],
        ifs: 0,
    };
    let mut chars = text.char_indices().peekable();
    let mut previous = ' ';
    while let Some((i, c)) = chars.next() {
        let opened = if levels.in_string() {
            match c {
                '\\' => {
                    chars.next();
                    None
                }
                '"' | '\n' => {
                    levels.close();
                    None
                }
                '{' => Some(Mode::Code),
                _ => None,
            }
        } else if c.is_ascii_alphabetic() || c == '_' {
            let mut end = i + c.len_utf8();
            while let Some(&(j, n)) = chars.peek() {
                if !(n.is_ascii_alphanumeric() || n == '_') {
                    break;
                }
                end = j + n.len_utf8();
                chars.next();
            }
            // After a dot a word is a field name (`x.if`), not a keyword.
            let keyword = previous != '.';
            previous = 'a';
            let word = text.get(i..end).unwrap_or("");
            if keyword && levels.keyword(word) {
                let open = Lexeme::Open {
                    at: i,
                    len: 2,
                    depth: levels.depth(),
                };
                if visit(open).is_break() {
                    return;
                }
            }
            continue;
        } else {
            match c {
                '#' => {
                    let mut end = text.len();
                    while let Some(&(j, n)) = chars.peek() {
                        if n == '\n' {
                            end = j;
                            break;
                        }
                        chars.next();
                    }
                    if visit(Lexeme::Comment { start: i, end }).is_break() {
                        return;
                    }
                    None
                }
                '"' => Some(Mode::Str),
                '(' | '[' | '{' => Some(Mode::Code),
                // `¥500,000`: a comma between digits may be a number's own.
                ',' if previous.is_ascii_digit()
                    && chars.peek().is_some_and(|(_, n)| n.is_ascii_digit()) =>
                {
                    None
                }
                ',' => {
                    levels.keyword(",");
                    None
                }
                ')' | ']' | '}' if levels.stack.len() > 1 => {
                    levels.close();
                    None
                }
                _ => None,
            }
        };
        if !c.is_whitespace() {
            previous = c;
        }
        if let Some(mode) = opened {
            levels.open(mode);
            let open = Lexeme::Open {
                at: i,
                len: c.len_utf8(),
                depth: levels.depth(),
            };
            if visit(open).is_break() {
                return;
            }
        }
    }
}

/// `then` (or `else`) belongs to the innermost `if` waiting for it; the
/// `if`s opened inside that one's previous part are over. With none
/// waiting, the word is a rule's, and every `if` at this level is over.
fn move_to(open_ifs: &mut Vec<IfPart>, from: IfPart, to: IfPart) {
    match open_ifs.iter().rposition(|p| *p == from) {
        Some(k) => {
            open_ifs.truncate(k + 1);
            if let Some(part) = open_ifs.get_mut(k) {
                *part = to;
            }
        }
        None => open_ifs.clear(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexemes(text: &str) -> Vec<Lexeme> {
        let mut out = Vec::new();
        walk(text, |l| {
            out.push(l);
            ControlFlow::Continue(())
        });
        out
    }

    #[test]
    fn comments_inside_string_text_are_text() {
        let found = lexemes("a \"# no\" # yes\n");
        assert_eq!(
            found,
            vec![
                Lexeme::Open {
                    at: 2,
                    len: 1,
                    depth: 1
                },
                Lexeme::Comment { start: 9, end: 14 },
            ]
        );
    }

    #[test]
    fn placeholders_are_code_with_their_own_comments_and_depth() {
        let found = lexemes("\"{x # c\n}\"");
        assert_eq!(
            found,
            vec![
                Lexeme::Open {
                    at: 0,
                    len: 1,
                    depth: 1
                },
                Lexeme::Open {
                    at: 1,
                    len: 1,
                    depth: 2
                },
                Lexeme::Comment { start: 4, end: 7 },
            ]
        );
    }

    #[test]
    fn closing_brackets_bring_the_depth_back() {
        let depths: Vec<usize> = lexemes("((a)) (b)")
            .into_iter()
            .filter_map(|l| match l {
                Lexeme::Open { depth, .. } => Some(depth),
                Lexeme::Comment { .. } => None,
            })
            .collect();
        assert_eq!(depths, vec![1, 2, 1]);
    }

    fn depths(text: &str) -> Vec<usize> {
        lexemes(text)
            .into_iter()
            .filter_map(|l| match l {
                Lexeme::Open { depth, .. } => Some(depth),
                Lexeme::Comment { .. } => None,
            })
            .collect()
    }

    #[test]
    fn ifs_nest_in_conditions_and_else_branches() {
        // if1 { if2 } then ... else if3 ... : if2 ends at if1's `then`.
        assert_eq!(
            depths("if if a then b else c then d else if e then f else g"),
            vec![1, 2, 2]
        );
        // A then-branch `if` ends at the outer `else`.
        assert_eq!(
            depths("if a then if b then c else d else if e then f else g"),
            vec![1, 2, 2]
        );
    }

    #[test]
    fn ifs_end_with_their_expression() {
        // The comma and the rule's own `then`/`else` end the `if`s before them.
        assert_eq!(
            depths("x = if a then b else c, y = if d then e else f"),
            vec![1, 1]
        );
        assert_eq!(
            depths("rule r when if a then b else c then ok else no rule s when if a then b else c then ok"),
            vec![1, 1]
        );
        // Brackets count with the `if`s around them; `x.if` is a field.
        assert_eq!(depths("if (a) then x.if else [b]"), vec![1, 2, 2]);
    }
}
