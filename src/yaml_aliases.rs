//! The alias budget of YAML text: how much its aliases add once expanded,
//! counted on the parser's events before any value is built.
//!
//! A YAML alias (`*a`) stands for the whole node its anchor (`&a`) names,
//! and aliases may name nodes full of aliases: a few hundred bytes can
//! stand for gigabytes ("billion laughs"). Each alias here adds the size of
//! what it stands for: its scalars' bytes plus [`NODE_BYTES`] per node
//! (about what a parsed node costs in memory), nested aliases included.
//! Text past the budget is refused at the alias that crosses it. Text with
//! no `&` has no anchor, so no alias, and is not parsed here at all.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};

/// What one node counts for besides its scalar's bytes.
pub(crate) const NODE_BYTES: usize = 64;

/// Why text is refused: where (1-based line, 0-based column in
/// characters, as the YAML parser counts) and what to say.
#[derive(Debug)]
pub(crate) struct AliasError {
    pub(crate) line: usize,
    pub(crate) col: usize,
    pub(crate) message: String,
}

/// Checks that the aliases of `text` add at most `budget` bytes when
/// expanded, and that no alias sits inside the node it names. Syntax errors
/// are left to the reader that follows (this returns `Ok` on them).
pub(crate) fn check_aliases(text: &str, budget: usize) -> Result<(), AliasError> {
    if !text.contains('&') {
        return Ok(());
    }
    let mut parser = Parser::new_from_str(text);
    // Complete anchored nodes and their expanded sizes.
    let mut sizes: HashMap<usize, usize> = HashMap::new();
    // Open collections: anchor id (0 for none) and size so far.
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut added = 0usize;
    // INVARIANT: every event consumes input or closes a collection; the
    // bound only guards against a parser bug turning into a hang.
    let limit = text.len().saturating_mul(4).saturating_add(64);
    for _ in 0..limit {
        let Ok((event, mark)) = parser.next_token() else {
            return Ok(());
        };
        let (anchor, size) = match event {
            Event::StreamEnd => return Ok(()),
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                open.push((anchor, NODE_BYTES));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match open.pop() {
                Some(closed) => closed,
                None => continue,
            },
            Event::Scalar(value, _, anchor, _) => (anchor, value.len().saturating_add(NODE_BYTES)),
            Event::Alias(id) => {
                let at = |message: String| AliasError {
                    line: mark.line(),
                    col: mark.col(),
                    message,
                };
                let Some(&size) = sizes.get(&id) else {
                    if open.iter().any(|(a, _)| *a == id) {
                        return Err(at(
                            "a YAML alias inside the node its anchor names would repeat forever"
                                .into(),
                        ));
                    }
                    continue;
                };
                added = added.saturating_add(size);
                if added > budget {
                    return Err(at(format!(
                        "YAML aliases here expand past the alias budget of {budget} bytes"
                    )));
                }
                (0, size)
            }
            Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => {
                continue
            }
        };
        if anchor != 0 {
            sizes.insert(anchor, size);
        }
        if let Some((_, parent)) = open.last_mut() {
            *parent = parent.saturating_add(size);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn laughs(levels: usize) -> String {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..levels {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        text
    }

    #[test]
    fn aliases_count_what_they_stand_for_nested() {
        // `x` is 1 + 64; a list of ten adds 64: 714 per a0 alias.
        assert!(check_aliases(&laughs(2), 7140).is_ok());
        let e = check_aliases(&laughs(2), 7139).unwrap_err();
        // The tenth alias of line 2 crosses it.
        assert_eq!((e.line, e.col), (2, 54));
        assert!(check_aliases(&laughs(9), 1 << 20).is_err());
    }

    #[test]
    fn text_without_anchors_and_broken_text_are_left_alone() {
        assert!(check_aliases("a: [1, 2, 3]\n", 0).is_ok());
        assert!(check_aliases("a: &x [1\n", 0).is_ok());
    }

    #[test]
    fn an_alias_inside_its_own_node_is_refused() {
        let e = check_aliases("a: &x [1, *x]\n", 1 << 20).unwrap_err();
        assert!(e.message.contains("repeat forever"), "{}", e.message);
    }
}
