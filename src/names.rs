//! The name index: every name the checker declares or resolves, with where
//! it was written. The checker fills it as it resolves names (nothing is
//! looked up a second time), and editors read it for go to definition,
//! find references, hover and completion.

use std::collections::HashMap;

use crate::span::{FileId, Span};

/// What a name names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// A schema field (`store.rating`).
    Field,
    /// A `let` of a ruleset.
    Let,
    /// A rule of a ruleset.
    Rule,
    /// A ruleset.
    Ruleset,
    /// A calendar.
    Calendar,
    /// One of a ruleset's `outcomes`.
    Outcome,
    /// An `output` of a ruleset.
    Output,
    /// A built-in function (referred to, never declared in rule text).
    Function,
}

/// A name and what it names; `ruleset` places the names a ruleset declares
/// (`let`s, rules, outcomes, outputs).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Symbol {
    pub(crate) kind: Kind,
    pub(crate) name: String,
    pub(crate) ruleset: Option<String>,
}

/// Where a name is declared.
#[derive(Debug, Clone)]
pub(crate) struct Definition {
    pub(crate) symbol: Symbol,
    /// The name as written in its declaration.
    pub(crate) span: Span,
    /// The whole declaration (`quota.status one of active, frozen`).
    pub(crate) decl: Span,
    /// Its type, in words (`money`, `enum`), when it has one.
    pub(crate) detail: Option<String>,
    /// The values of an enum field, in declaration order.
    pub(crate) values: Vec<String>,
}

/// Every declaration and every resolved use of a name in a policy.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameIndex {
    definitions: Vec<Definition>,
    /// The first definition of each symbol (later ones are duplicates).
    by_symbol: HashMap<Symbol, usize>,
    references: Vec<(Symbol, Span)>,
}

impl NameIndex {
    /// Records a declaration.
    pub(crate) fn define(&mut self, definition: Definition) {
        let at = self.definitions.len();
        self.by_symbol
            .entry(definition.symbol.clone())
            .or_insert(at);
        self.definitions.push(definition);
    }

    /// Records a use of a declared name.
    pub(crate) fn refer(&mut self, symbol: Symbol, span: Span) {
        self.references.push((symbol, span));
    }

    /// The symbol declared or used at a byte offset of a file.
    pub(crate) fn at(&self, file: FileId, offset: u32) -> Option<&Symbol> {
        let covers = |s: &Span| s.file == file && s.start <= offset && offset <= s.end;
        self.definitions
            .iter()
            .find(|d| covers(&d.span))
            .map(|d| &d.symbol)
            .or_else(|| {
                self.references
                    .iter()
                    .find(|(_, s)| covers(s))
                    .map(|(sym, _)| sym)
            })
    }

    /// Where a symbol is declared (its first declaration).
    pub(crate) fn definition(&self, symbol: &Symbol) -> Option<&Definition> {
        self.by_symbol
            .get(symbol)
            .and_then(|&i| self.definitions.get(i))
    }

    /// Every use of a symbol, in the order the checker met them.
    pub(crate) fn references<'a>(&'a self, symbol: &'a Symbol) -> impl Iterator<Item = Span> + 'a {
        self.references
            .iter()
            .filter(move |(s, _)| s == symbol)
            .map(|(_, span)| *span)
    }

    /// Every declaration, in the order the checker met them.
    pub(crate) fn definitions(&self) -> impl Iterator<Item = &Definition> {
        self.definitions.iter()
    }

    /// The ruleset whose declaration covers a byte offset of a file.
    pub(crate) fn ruleset_at(&self, file: FileId, offset: u32) -> Option<&str> {
        self.definitions
            .iter()
            .find(|d| {
                d.symbol.kind == Kind::Ruleset
                    && d.decl.file == file
                    && d.decl.start <= offset
                    && offset <= d.decl.end
            })
            .map(|d| d.symbol.name.as_str())
    }
}

impl Symbol {
    /// A name of the whole policy (field, calendar, ruleset, function).
    pub(crate) fn global(kind: Kind, name: &str) -> Self {
        Symbol {
            kind,
            name: name.to_string(),
            ruleset: None,
        }
    }

    /// A name a ruleset declares.
    pub(crate) fn local(kind: Kind, name: &str, ruleset: &str) -> Self {
        Symbol {
            kind,
            name: name.to_string(),
            ruleset: Some(ruleset.to_string()),
        }
    }
}

impl Definition {
    /// A declaration with no type.
    pub(crate) fn new(symbol: Symbol, span: Span, decl: Span) -> Self {
        Definition {
            symbol,
            span,
            decl,
            detail: None,
            values: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_symbols_by_offset_and_their_uses() {
        let file = FileId(0);
        let field = Symbol::global(Kind::Field, "store.rating");
        let mut index = NameIndex::default();
        index.define(Definition::new(
            field.clone(),
            Span::new(file, 10, 22),
            Span::new(file, 10, 30),
        ));
        index.refer(field.clone(), Span::new(file, 50, 62));
        index.refer(
            Symbol::global(Kind::Calendar, "cn"),
            Span::new(file, 70, 72),
        );
        assert_eq!(index.at(file, 55), Some(&field));
        assert_eq!(index.at(file, 40), None);
        assert_eq!(index.at(FileId(1), 55), None);
        let uses: Vec<u32> = index.references(&field).map(|s| s.start).collect();
        assert_eq!(uses, vec![50]);
        assert_eq!(index.definition(&field).map(|d| d.decl.end), Some(30));
    }
}
