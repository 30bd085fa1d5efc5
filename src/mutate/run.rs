//! Judging mutants: each is applied to a copy of the parsed rules, checked
//! in-process exactly as `verdikt check` checks, and the suite's cases (read
//! and checked once) run against it until one fails.

use rayon::prelude::*;

use super::apply::apply;
use super::Mutant;
use crate::cases::Suite;
use crate::policy::{check_trees, Parsed};

/// What became of one mutant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// A case failed against it: the case file and name.
    Killed { file: String, case: String },
    /// Every case passed: no case pins what it changed.
    Survived,
    /// It provably decides as the policy does; why.
    Equivalent(String),
    /// It does not pass `check`; the first error.
    Rejected(String),
}

/// Judges every mutant, on all cores.
pub(crate) fn judge_all(
    parsed: &Parsed,
    suite: &Suite,
    mutants: Vec<Mutant>,
) -> Vec<(Mutant, Verdict)> {
    mutants
        .into_par_iter()
        .map(|m| {
            let verdict = judge(parsed, suite, &m);
            (m, verdict)
        })
        .collect()
}

fn judge(parsed: &Parsed, suite: &Suite, mutant: &Mutant) -> Verdict {
    if let Some(why) = &mutant.equivalent {
        return Verdict::Equivalent(why.clone());
    }
    let mut trees = parsed.trees.clone();
    if !apply(&mut trees, &mutant.change) {
        return Verdict::Rejected("internal error: the mutated node was not found".into());
    }
    let (policy, diagnostics) = check_trees(&trees, &parsed.sources, &parsed.version);
    let error = diagnostics.iter().find(|d| d.is_error());
    let policy = match (policy, error) {
        (Some(policy), None) => policy,
        (_, Some(e)) => return Verdict::Rejected(e.message.clone()),
        (None, None) => return Verdict::Rejected("the checker gave no policy".into()),
    };
    match suite.first_failure(&policy, &mutant.ruleset) {
        Some((file, case)) => Verdict::Killed {
            file: file.to_string(),
            case: case.to_string(),
        },
        None => Verdict::Survived,
    }
}
