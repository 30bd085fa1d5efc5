//! Echoes of syntax errors. An item that did not parse is left out of the
//! tree (see [`ast::File::broken`]), so the checker may call a name it
//! would have declared unknown. Such an error says nothing new: it is
//! dropped. Every other error, in every file, is kept.

use std::collections::{HashMap, HashSet};

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
    let mut rulesets: Vec<(&str, Span)> = files
        .iter()
        .flat_map(|f| &f.decls)
        .filter_map(|d| match d {
            Decl::Ruleset(r) => Some((r.name.text.as_str(), r.span)),
            _ => None,
        })
        .collect();
    rulesets.sort_by_key(|(_, s)| (s.file, s.start));
    let mut in_rulesets: HashMap<&str, Vec<&ast::Broken>> = HashMap::new();
    for b in &broken {
        if let Some(r) = &b.ruleset {
            in_rulesets.entry(r.as_str()).or_default().push(b);
        }
    }
    let top = |kind| broken.iter().any(|b| b.ruleset.is_none() && b.kind == kind);
    let unknown_top = top(BrokenKind::Unknown);
    let calendars = broken
        .iter()
        .filter(|b| b.kind == BrokenKind::Calendar)
        .map(|b| b.name.as_deref())
        .collect();
    let echoes = Echoes {
        unknown_top,
        schema: unknown_top || top(BrokenKind::Schema),
        calendars,
        in_rulesets,
        rulesets,
        sources,
    };
    diagnostics
        .into_iter()
        .filter(|d| !d.code.is_lint() && !echoes.explains(d))
        .collect()
}

/// What the broken items are, indexed for the questions asked of each
/// diagnostic.
struct Echoes<'a> {
    /// A top-level item of unknown kind is broken: it may declare anything.
    unknown_top: bool,
    /// The schema (or something that may be it) is broken.
    schema: bool,
    /// Names of broken calendars (`None`: a name that could not be read).
    calendars: HashSet<Option<&'a str>>,
    /// Broken items inside each ruleset, by ruleset name.
    in_rulesets: HashMap<&'a str, Vec<&'a ast::Broken>>,
    /// Every ruleset of the tree, in file and position order.
    rulesets: Vec<(&'a str, Span)>,
    sources: &'a SourceMap,
}

impl Echoes<'_> {
    /// Whether a broken item may be the cause of `d`.
    fn explains(&self, d: &Diagnostic) -> bool {
        let word = self.word(d);
        match d.code {
            Code::UnknownField | Code::UnknownPlaceholder => {
                self.schema || self.in_ruleset(d, BrokenKind::Let, word)
            }
            Code::UnknownEnumValue => self.schema,
            Code::Schema => self.schema && d.span.is_none(),
            Code::UnknownCalendar => {
                self.unknown_top
                    || self.calendars.contains(&None)
                    || word.is_some_and(|w| self.calendars.contains(&Some(w)))
            }
            Code::UnknownRule => self.in_ruleset(d, BrokenKind::Rule, word),
            Code::UnknownOutput => self.in_ruleset(d, BrokenKind::Output, word),
            Code::UnknownOutcome => self.in_ruleset(d, BrokenKind::Outcomes, None),
            Code::NoDefault => self
                .ruleset_of(d)
                .is_some_and(|r| self.in_rulesets.contains_key(r)),
            _ => false,
        }
    }

    /// A broken item of `kind` (or of unknown kind) in the ruleset of `d`,
    /// declaring `name` (when both are known).
    fn in_ruleset(&self, d: &Diagnostic, kind: BrokenKind, name: Option<&str>) -> bool {
        let Some(broken) = self.ruleset_of(d).and_then(|r| self.in_rulesets.get(r)) else {
            return false;
        };
        broken.iter().any(|b| {
            b.kind == BrokenKind::Unknown
                || (b.kind == kind
                    && match (&b.name, name) {
                        (Some(declared), Some(used)) => declared == used,
                        _ => true,
                    })
        })
    }

    /// The name of the ruleset `d` lies in.
    fn ruleset_of(&self, d: &Diagnostic) -> Option<&str> {
        let at = d.span?;
        let after = self
            .rulesets
            .partition_point(|(_, s)| (s.file, s.start) <= (at.file, at.start));
        let (name, s) = self.rulesets.get(after.checked_sub(1)?)?;
        (s.file == at.file && at.end <= s.end).then_some(*name)
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
