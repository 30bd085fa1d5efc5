//! `verdikt test --mutate`: tests of the policy's own test cases.
//!
//! Each mutant is the policy with one small change a wrong rule could
//! have: a threshold nudged one step down or up (`4.8` -> `4.79` and
//! `4.81`), a bound flipped (`>=` <-> `>`, `<` <-> `<=`), a group's `all
//! of` swapped with `any of`. A mutant the cases cannot tell from the
//! policy *survives*: its threshold is one no case pins down. A literal
//! that a text of its condition spells out (`else "需达到 98%"`) instead of
//! showing it with `{required}` is reported as a mutant whose *text did
//! not follow*: the decision changes, and the merchant reads the old value.
//! Like a survivor, it fails the run: no case can catch it, and the fix is
//! one edit (`{required}`).
//!
//! The rules are parsed and checked once. A mutant that swaps a literal or
//! flips a bound is that checked policy with one compiled node patched
//! ([`patch`]); a group swap is a copy of the syntax trees with one node
//! changed, checked again in-process by the same checker `verdikt check`
//! runs, without its lints (mutants it refuses are not run). The cases are
//! read, checked and turned into records once, and run against each mutant
//! until one fails. No process is started per mutant. Finding the mutants
//! ([`enumerate`]), telling the provably equivalent ones ([`equivalent`]),
//! applying one ([`apply`], [`patch`]), judging them ([`run`]) and
//! reporting ([`report`]) each have a file. A [`Budget`] may cut the run;
//! the report then says what it left out.

mod apply;
mod enumerate;
mod equivalent;
mod patch;
mod report;
mod run;
mod walk;

#[cfg(test)]
mod tests;

use std::path::Path;
use std::time::Instant;

use crate::ast::{CmpOp, GroupKind, LitValue};
use crate::cases::Suite;
use crate::diagnostic::Diagnostic;
use crate::span::Span;

pub(crate) use report::Report;

/// Where a node is written (file and byte offsets). Spans compare equal
/// whatever they hold, so places are compared as keys.
pub(crate) type Key = (u32, u32, u32);

/// The place of a span, as a [`Key`].
pub(crate) fn key(span: Span) -> Key {
    (span.file.0, span.start, span.end)
}

/// One change to the policy.
#[derive(Debug, Clone)]
pub(crate) struct Mutant {
    pub(crate) change: Change,
    /// Where the changed text is written.
    pub(crate) at: Span,
    /// The ruleset and rule (`reapply.after_freeze`) or item it is in.
    pub(crate) place: String,
    /// The ruleset it is in: only that ruleset's decisions can change.
    pub(crate) ruleset: String,
    /// The comparison (or group) it changes, on one line.
    pub(crate) context: String,
    /// The text before and after (`>=`, `>`).
    pub(crate) before: String,
    pub(crate) after: String,
    /// Why it provably decides as the policy does, if it does.
    pub(crate) equivalent: Option<String>,
    /// For a literal that a text of its condition spells out (`98%`) rather
    /// than shows with `{required}`: what the text still says.
    pub(crate) stale_text: Option<String>,
}

/// What a mutant changes, at which node.
#[derive(Debug, Clone)]
pub(crate) enum Change {
    /// The literal at this place takes a new value.
    Literal(Key, LitValue),
    /// The comparison at this place takes a new operator.
    Bound(Key, CmpOp),
    /// The group at this place takes the other kind.
    Group(Key, GroupKind),
}

/// How much of a mutation run to do; what it leaves out is reported.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    /// Run at most this many mutants (the first, in reading order;
    /// equivalent ones are not run and not counted).
    pub max_mutants: Option<usize>,
    /// Start no mutant after this time.
    pub deadline: Option<Instant>,
    /// The flags that set it, for the report (`--max-mutants 100`).
    pub flags: &'static str,
}

/// Mutates the rules of `dir` and runs `suite` (checked against them)
/// against every mutant `budget` allows, ticking `progress` once per
/// mutant (its length is set to their number).
pub(crate) fn mutate(
    dir: &Path,
    suite: &Suite,
    budget: &Budget,
    progress: &indicatif::ProgressBar,
) -> Result<Report, String> {
    let started = Instant::now();
    let parsed = crate::policy::parse_dir(dir).map_err(|e| e.to_string())?;
    let (policy, diagnostics) =
        crate::policy::check_trees(&parsed.trees, &parsed.sources, &parsed.version);
    let has_error = parsed
        .diagnostics
        .iter()
        .chain(&diagnostics)
        .any(Diagnostic::is_error);
    let policy = match policy {
        Some(policy) if !has_error => policy,
        _ => return Err(format!("the rules in `{}` have errors", dir.display())),
    };
    let mut mutants = enumerate::mutants(&parsed.trees, &policy);
    let spelled = crate::check::spelled_literals(&parsed.trees, &parsed.sources);
    for m in &mut mutants {
        if let Change::Literal(at, _) = &m.change {
            m.stale_text = spelled.get(at).cloned();
        }
    }
    progress.set_length(mutants.len() as u64);
    let records = suite.read_records(&policy);
    let judge = run::Judge {
        parsed: &parsed,
        policy: &policy,
        suite,
        records: &records,
    };
    let results = run::judge_all(&judge, mutants, budget, progress);
    progress.finish_and_clear();
    Ok(Report {
        results,
        elapsed: started.elapsed(),
        sources: parsed.sources,
        budget_flags: budget.flags,
    })
}
