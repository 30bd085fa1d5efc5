//! Semantic tokens: the parser's tokens, names told apart by the name index
//! (a field, a `let`, an outcome ...), so any LSP editor highlights the
//! language as the checker reads it.

use lsp_types::{SemanticToken, SemanticTokenType, SemanticTokens, SemanticTokensLegend};

use super::position::Lines;
use crate::names::{Kind, NameIndex};
use crate::span::FileId;
use crate::syntax::tokens::{tokens, TokenKind};

/// The token types, in the order their indexes refer to.
const TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::TYPE,
    SemanticTokenType::NUMBER,
    SemanticTokenType::STRING,
    SemanticTokenType::COMMENT,
    SemanticTokenType::OPERATOR,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::CLASS,
    SemanticTokenType::METHOD,
];

/// The legend announced at initialization.
pub(super) fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: Vec::new(),
    }
}

fn index_of(t: &SemanticTokenType) -> u32 {
    TYPES
        .iter()
        .position(|x| x == t)
        .and_then(|i| u32::try_from(i).ok())
        .unwrap_or(0)
}

/// The semantic tokens of one file's text; `names` (when the file was
/// checked as `file`) tells what each name is.
pub(super) fn semantic_tokens(text: &str, names: Option<(&NameIndex, FileId)>) -> SemanticTokens {
    let lines = Lines::new(text);
    let mut data = Vec::new();
    let (mut last_line, mut last_start) = (0, 0);
    for token in tokens(text) {
        let ty = match token.kind {
            TokenKind::Keyword => SemanticTokenType::KEYWORD,
            TokenKind::Type => SemanticTokenType::TYPE,
            TokenKind::Number => SemanticTokenType::NUMBER,
            TokenKind::Str => SemanticTokenType::STRING,
            TokenKind::Comment => SemanticTokenType::COMMENT,
            TokenKind::Operator => SemanticTokenType::OPERATOR,
            TokenKind::Function => SemanticTokenType::FUNCTION,
            TokenKind::Calendar => SemanticTokenType::NAMESPACE,
            TokenKind::Weekday => SemanticTokenType::ENUM_MEMBER,
            TokenKind::Name => name_type(names, token.start),
        };
        let start = lines.position(token.start);
        let end = lines.position(token.end);
        if end.line != start.line || end.character <= start.character {
            continue; // tokens never span lines; skip anything odd
        }
        let delta_line = start.line - last_line;
        let delta_start = if delta_line == 0 {
            start.character - last_start
        } else {
            start.character
        };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length: end.character - start.character,
            token_type: index_of(&ty),
            token_modifiers_bitset: 0,
        });
        last_line = start.line;
        last_start = start.character;
    }
    SemanticTokens {
        result_id: None,
        data,
    }
}

/// A name's token type: what the checker resolved it to; an unresolved
/// name (an enum value, or text that does not check) is a variable.
fn name_type(names: Option<(&NameIndex, FileId)>, start: usize) -> SemanticTokenType {
    let kind = names.and_then(|(index, file)| {
        let offset = u32::try_from(start).ok()?;
        index.at(file, offset).map(|s| s.kind)
    });
    match kind {
        Some(Kind::Field | Kind::Output) => SemanticTokenType::PROPERTY,
        Some(Kind::Function) => SemanticTokenType::FUNCTION,
        Some(Kind::Calendar) => SemanticTokenType::NAMESPACE,
        Some(Kind::Outcome) => SemanticTokenType::ENUM_MEMBER,
        Some(Kind::Ruleset) => SemanticTokenType::CLASS,
        Some(Kind::Rule) => SemanticTokenType::METHOD,
        Some(Kind::Let) | None => SemanticTokenType::VARIABLE,
    }
}
