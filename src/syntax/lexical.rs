//! A lexical walk over rule text that knows only what pest cannot tell us
//! cheaply: where comments are, and how deep brackets nest. Strings are
//! `"..."` with `\` escapes and `{expr}` placeholders, which are code again
//! and may hold strings and comments of their own.

use std::ops::ControlFlow;

/// What the walk reports, in source order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lexeme {
    /// A `# ...` comment: byte range from `#` to the end of its line.
    Comment { start: usize, end: usize },
    /// A bracket, parenthesis, placeholder or string opened at `at`; `depth`
    /// counts every level open, this one included.
    Open { at: usize, len: usize, depth: usize },
}

/// Walks `text`, handing each lexeme to `visit` until it breaks.
pub fn walk(text: &str, mut visit: impl FnMut(Lexeme) -> ControlFlow<()>) {
    #[derive(PartialEq)]
    enum Mode {
        Code,
        Str,
    }
    let mut stack = vec![Mode::Code];
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let opened = if stack.last() == Some(&Mode::Str) {
            match c {
                '\\' => {
                    chars.next();
                    None
                }
                '"' | '\n' => {
                    stack.pop();
                    None
                }
                '{' => Some(Mode::Code),
                _ => None,
            }
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
                ')' | ']' | '}' if stack.len() > 1 => {
                    stack.pop();
                    None
                }
                _ => None,
            }
        };
        if let Some(mode) = opened {
            stack.push(mode);
            let open = Lexeme::Open {
                at: i,
                len: c.len_utf8(),
                depth: stack.len() - 1,
            };
            if visit(open).is_break() {
                return;
            }
        }
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
}
