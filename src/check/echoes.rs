//! Echoes of syntax errors. An item that did not parse is left out of the
//! tree (see [`ast::File::broken`]), so the checker may call a name it
//! would have declared unknown. Such an error says nothing new: it is
//! dropped. Every other error, in every file, is kept.

use crate::ast::{self, BrokenKind, Decl};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::{SourceMap, Span};

/// Drops the checker's errors that a broken item may explain, and every
/// warning (they judge text that is not all there).
pub(crate) fn drop_echoes(
    diagnostics: Vec<Diagnostic>,
    files: &[ast::File],
    sources: &SourceMap,
) -> Vec<Diagnostic> {
    let broken: Vec<&ast::Broken> = files.iter().flat_map(|f| &f.broken).collect();
    if broken.is_empty() {
        return diagnostics;
    }
    let rulesets: Vec<(&str, Span)> = files
        .iter()
        .flat_map(|f| &f.decls)
        .filter_map(|d| match d {
            Decl::Ruleset(r) => Some((r.name.text.as_str(), r.span)),
            _ => None,
        })
        .collect();
    let echoes = Echoes {
        broken,
        rulesets,
        sources,
    };
    diagnostics
        .into_iter()
        .filter(|d| !d.code.is_lint() && !echoes.explains(d))
        .collect()
}

struct Echoes<'a> {
    broken: Vec<&'a ast::Broken>,
    rulesets: Vec<(&'a str, Span)>,
    sources: &'a SourceMap,
}

impl Echoes<'_> {
    /// Whether a broken item may be the cause of `d`.
    fn explains(&self, d: &Diagnostic) -> bool {
        let unknown_top = self.top(BrokenKind::Unknown);
        let schema = unknown_top || self.top(BrokenKind::Schema);
        let word = self.word(d);
        match d.code {
            Code::UnknownField | Code::UnknownPlaceholder => {
                schema || self.in_ruleset(d, BrokenKind::Let, word)
            }
            Code::UnknownEnumValue => schema,
            Code::Schema => schema && d.span.is_none(),
            Code::UnknownCalendar => {
                unknown_top
                    || self.broken.iter().any(|b| {
                        b.kind == BrokenKind::Calendar
                            && b.name.as_deref().is_none_or(|n| Some(n) == word)
                    })
            }
            Code::UnknownRule => self.in_ruleset(d, BrokenKind::Rule, word),
            Code::UnknownOutput => self.in_ruleset(d, BrokenKind::Output, word),
            Code::UnknownOutcome => self.in_ruleset(d, BrokenKind::Outcomes, None),
            Code::NoDefault => self
                .ruleset_of(d)
                .is_some_and(|r| self.broken.iter().any(|b| b.ruleset.as_deref() == Some(r))),
            _ => false,
        }
    }

    /// A broken top-level item of this kind.
    fn top(&self, kind: BrokenKind) -> bool {
        self.broken
            .iter()
            .any(|b| b.ruleset.is_none() && b.kind == kind)
    }

    /// A broken item of `kind` (or of unknown kind) in the ruleset of `d`,
    /// declaring `name` (when both are known).
    fn in_ruleset(&self, d: &Diagnostic, kind: BrokenKind, name: Option<&str>) -> bool {
        let Some(ruleset) = self.ruleset_of(d) else {
            return false;
        };
        self.broken.iter().any(|b| {
            b.ruleset.as_deref() == Some(ruleset)
                && (b.kind == BrokenKind::Unknown
                    || (b.kind == kind
                        && match (&b.name, name) {
                            (Some(declared), Some(used)) => declared == used,
                            _ => true,
                        }))
        })
    }

    /// The name of the ruleset `d` lies in.
    fn ruleset_of(&self, d: &Diagnostic) -> Option<&str> {
        let at = d.span?;
        self.rulesets
            .iter()
            .find(|(_, s)| s.file == at.file && s.start <= at.start && at.end <= s.end)
            .map(|(name, _)| *name)
    }

    /// The name `d` is about: its text up to the first `.` (a `let` is one
    /// word; `{x}` placeholders lose their braces).
    fn word(&self, d: &Diagnostic) -> Option<&str> {
        let span = d.span?;
        let text = self
            .sources
            .get(span.file)?
            .text
            .get(span.start as usize..span.end as usize)?;
        let text = text.trim_matches(|c: char| c == '{' || c == '}' || c.is_whitespace());
        text.split('.').next()
    }
}
