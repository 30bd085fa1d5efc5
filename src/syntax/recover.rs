//! Error recovery: when a file does not parse, each of its top-level items
//! is parsed on its own (and each item of a broken ruleset), so a syntax
//! error ends only its own item. Every broken item is reported once and
//! recorded in [`File::broken`]; every item that parsed is kept.

use std::ops::Range;

use pest::Parser as _;

use super::grammar::{Rule, VerdiktParser};
use super::lower::Lowerer;
use super::scan::{self, Unclosed};
use super::{check_nesting, found_token, found_words, syntax_error};
use crate::ast::{Broken, BrokenKind, Decl, File, Name, Ruleset, RulesetItem, Template};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::{FileId, Source, Span};

/// What the end of a top-level item may be followed by.
const AFTER_ITEM: &[&str] = &["`schema`, `calendar` or `ruleset`"];

/// Parses `source` item by item. `first` is the whole-file parse error, if
/// any: it is reported at the broken item it lies in, as it always was.
pub(super) fn recover(
    source: &Source,
    file: FileId,
    first: Option<Diagnostic>,
) -> (File, Vec<Diagnostic>) {
    let mut r = Recovery {
        source,
        text: &source.text,
        file,
        first,
        diagnostics: Vec::new(),
        decls: Vec::new(),
        broken: Vec::new(),
    };
    for range in scan::top_level(r.text) {
        r.top_level(range);
    }
    if let Some(d) = r.first.take() {
        // Items split where the grammar does not: never lose the error.
        if !r.diagnostics.iter().any(Diagnostic::is_error) {
            let span = d.span.unwrap_or_default();
            r.diagnostics.push(d);
            r.broken.push(Broken {
                kind: BrokenKind::Unknown,
                name: None,
                ruleset: None,
                span,
            });
        }
    }
    let tree = File {
        decls: r.decls,
        broken: r.broken,
    };
    (tree, r.diagnostics)
}

struct Recovery<'s> {
    source: &'s Source,
    text: &'s str,
    file: FileId,
    first: Option<Diagnostic>,
    diagnostics: Vec<Diagnostic>,
    decls: Vec<Decl>,
    broken: Vec<Broken>,
}

impl Recovery<'_> {
    fn piece(&self, range: &Range<usize>) -> &str {
        self.text.get(range.clone()).unwrap_or("")
    }

    fn top_level(&mut self, range: Range<usize>) {
        let text = self.text;
        let piece = text.get(range.clone()).unwrap_or("");
        if is_blank(piece) {
            return;
        }
        if let Some(d) = check_nesting(piece, self.file, range.start) {
            self.diagnostics.push(d);
            self.mark_broken(&range, None);
            return;
        }
        match VerdiktParser::parse(Rule::item, piece) {
            Ok(mut pairs) => {
                let lowerer = Lowerer::at(self.file, range.start);
                if let Some(root) = pairs.next() {
                    self.decls.extend(lowerer.lower_file(root).decls);
                }
                self.diagnostics.extend(lowerer.finish());
            }
            Err(_) if scan::first_words(piece).0 == Some("ruleset") => self.ruleset(range),
            Err(e) => {
                self.report(&e, &range, AFTER_ITEM, true);
                self.mark_broken(&range, None);
            }
        }
    }

    /// A ruleset that does not parse: its head and each item on its own.
    fn ruleset(&mut self, range: Range<usize>) {
        let base = range.start;
        let parts = scan::ruleset_parts(self.piece(&range));
        let errors_before = self.error_count();
        let head = shift(&parts.head, base);
        let (name, title) = match VerdiktParser::parse(Rule::ruleset_head, self.piece(&head)) {
            Ok(mut pairs) => {
                let lowerer = Lowerer::at(self.file, head.start);
                let head = pairs.next().map(|p| lowerer.lower_ruleset_head(p));
                self.diagnostics.extend(lowerer.finish());
                head.unwrap_or((None, None))
            }
            Err(e) => {
                self.report(&e, &head, &["`{`"], false);
                (None, None)
            }
        };
        let ruleset_name = match &name {
            Some(n) => Some(n.text.clone()),
            None => scan::first_words(self.piece(&range)).1.map(str::to_string),
        };
        let mut items = Vec::new();
        // Without its `{`, where the ruleset ends is anyone's guess: its
        // items are not read.
        let entries = if parts.open.is_some() {
            parts.entries.as_slice()
        } else {
            &[]
        };
        for entry in entries.iter().map(|e| shift(e, base)) {
            if let Some(item) = self.entry(&entry, ruleset_name.as_deref()) {
                items.push(item);
            }
        }
        if let (None, Some(open)) = (parts.close, parts.open) {
            let at = base + open;
            self.diagnostics.push(
                Diagnostic::error(
                    Code::Syntax,
                    Span::new(self.file, at, at + 1),
                    "this `{` is never closed",
                )
                .with_help("end the ruleset with `}` after its last item"),
            );
        }
        let rest = shift(&parts.rest, base);
        if !is_blank(self.piece(&rest)) {
            if let Err(e) = VerdiktParser::parse(Rule::item, self.piece(&rest)) {
                self.report(&e, &rest, AFTER_ITEM, true);
                self.mark_broken(&rest, None);
            }
        }
        match name {
            Some(name) if self.error_count() > errors_before => {
                self.keep_ruleset(name, title, items, &range);
            }
            _ => {
                if self.error_count() == errors_before {
                    // The parts parse but the whole does not: report the whole.
                    if let Err(e) = VerdiktParser::parse(Rule::item, self.piece(&range)) {
                        self.report(&e, &range, AFTER_ITEM, true);
                    }
                }
                self.mark_broken(&range, None);
            }
        }
    }

    /// One item of a broken ruleset; `None` when it does not parse.
    fn entry(&mut self, entry: &Range<usize>, ruleset: Option<&str>) -> Option<RulesetItem> {
        let piece = self.piece(entry);
        if is_blank(piece) {
            return None;
        }
        match VerdiktParser::parse(Rule::ruleset_entry, piece) {
            Ok(mut pairs) => {
                let lowerer = Lowerer::at(self.file, entry.start);
                let item = pairs.next().and_then(|p| lowerer.lower_ruleset_entry(p));
                self.diagnostics.extend(lowerer.finish());
                item
            }
            Err(e) => {
                let after = [
                    "`applies`",
                    "`let`",
                    "`otherwise`",
                    "`outcomes`",
                    "`output`",
                    "`require`",
                    "`rule`",
                    "`}`",
                ];
                self.report(&e, entry, &after, true);
                self.mark_broken(entry, ruleset);
                None
            }
        }
    }

    fn keep_ruleset(
        &mut self,
        name: Name,
        title: Option<Template>,
        items: Vec<RulesetItem>,
        range: &Range<usize>,
    ) {
        let trimmed = trim(self.text, range);
        self.decls.push(Decl::Ruleset(Ruleset {
            name,
            title,
            items,
            span: Span::new(self.file, trimmed.start, trimmed.end),
        }));
    }

    fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Reports the syntax error of one piece: the whole-file error when it
    /// lies there, else the piece's own; an opening delimiter never closed
    /// before the error is named instead.
    fn report(
        &mut self,
        error: &pest::error::Error<Rule>,
        range: &Range<usize>,
        after: &[&str],
        brackets: bool,
    ) {
        let lies_here = |d: &Diagnostic| {
            d.span
                .is_some_and(|s| (range.start..=range.end).contains(&(s.start as usize)))
        };
        let diagnostic = match self.first.take() {
            Some(d) if lies_here(&d) => d,
            other => {
                self.first = other;
                syntax_error(error, self.text, range.start, self.file, after)
            }
        };
        let at = diagnostic.span.map_or(range.end, |s| s.start as usize);
        let unclosed = scan::unclosed_delimiters(self.piece(range))
            .into_iter()
            .map(|u| match u {
                Unclosed::Bracket { at, open } => Unclosed::Bracket {
                    at: at + range.start,
                    open,
                },
                Unclosed::String { at } => Unclosed::String {
                    at: at + range.start,
                },
            })
            .filter(|u| u.at() <= at)
            .filter(|u| brackets || matches!(u, Unclosed::String { .. }));
        let strings_first =
            unclosed.min_by_key(|u| (matches!(u, Unclosed::Bracket { .. }), u.at()));
        let diagnostic = match strings_first {
            Some(u) => self.never_closed(u, at),
            None => diagnostic,
        };
        self.diagnostics.push(diagnostic);
    }

    /// "this `(` is never closed", at the opening delimiter.
    fn never_closed(&self, unclosed: Unclosed, gave_up: usize) -> Diagnostic {
        let (line, column) = self
            .source
            .line_col(u32::try_from(gave_up).unwrap_or(u32::MAX));
        let found = match found_words(&found_token(self.text, gave_up)) {
            f if f.is_empty() => "the end of the file".to_string(),
            f => f,
        };
        match unclosed {
            Unclosed::String { at } => {
                let (l, c) = self.source.line_col(u32::try_from(at).unwrap_or(u32::MAX));
                Diagnostic::error(
                    Code::Syntax,
                    Span::new(self.file, at, at + 1),
                    format!("this string starting at {l}:{c} is never closed"),
                )
                .with_help("end it with `\"` on the same line (a string cannot span lines; write `\\n` for a line break)")
            }
            Unclosed::Bracket { at, open } => {
                let close = match open {
                    '(' => ')',
                    '[' => ']',
                    _ => '}',
                };
                Diagnostic::error(
                    Code::Syntax,
                    Span::new(self.file, at, at + open.len_utf8()),
                    format!("this `{open}` is never closed"),
                )
                .with_help(format!(
                    "add the missing `{close}`: the text reads on to {found} at {line}:{column} without finding it"
                ))
            }
        }
    }

    /// Records a piece that did not parse.
    fn mark_broken(&mut self, range: &Range<usize>, ruleset: Option<&str>) {
        let (word, name) = scan::first_words(self.piece(range));
        let kind = match (word, ruleset.is_some()) {
            (Some("schema"), false) => BrokenKind::Schema,
            (Some("calendar"), false) => BrokenKind::Calendar,
            (Some("ruleset"), false) => BrokenKind::Ruleset,
            (Some("outcomes"), true) => BrokenKind::Outcomes,
            (Some("output"), true) => BrokenKind::Output,
            (Some("let"), true) => BrokenKind::Let,
            (Some("rule"), true) => BrokenKind::Rule,
            (Some("applies" | "require" | "otherwise"), true) => BrokenKind::Clause,
            _ => BrokenKind::Unknown,
        };
        let trimmed = trim(self.text, range);
        self.broken.push(Broken {
            kind,
            name: name.map(str::to_string),
            ruleset: ruleset.map(str::to_string),
            span: Span::new(self.file, trimmed.start, trimmed.end),
        });
    }
}

fn shift(range: &Range<usize>, by: usize) -> Range<usize> {
    range.start + by..range.end + by
}

/// The range without white space at either end.
fn trim(text: &str, range: &Range<usize>) -> Range<usize> {
    let piece = text.get(range.clone()).unwrap_or("");
    let start = range.start + (piece.len() - piece.trim_start().len());
    let end = range.start + piece.trim_end().len();
    start..end.max(start)
}

/// Only white space and comments.
fn is_blank(piece: &str) -> bool {
    piece.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#')
    })
}
