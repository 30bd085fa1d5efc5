//! Judging mutants: each is made from the checked policy (a literal swap or
//! a bound flip patched into its compiled nodes, a group swap checked
//! again without the lints, see [`super::patch`]), and the suite's cases,
//! whose records are read once, run against it until one fails. A budget
//! may leave mutants out; they are reported as not run.

use std::time::Instant;

use indicatif::ProgressBar;
use rayon::prelude::*;

use super::apply::apply;
use super::patch::patch;
use super::{Budget, Mutant};
use crate::cases::{Records, Suite};
use crate::check::{check_all, Lints};
use crate::ir::Policy;
use crate::policy::Parsed;

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
    /// The budget (`--max-mutants`, `--mutate-time`) left it out.
    NotRun,
}

/// What judging starts from: the parsed rules, the policy they check to,
/// and the suite with its records read against that policy.
pub(crate) struct Judge<'a> {
    pub(crate) parsed: &'a Parsed,
    pub(crate) policy: &'a Policy,
    pub(crate) suite: &'a Suite,
    pub(crate) records: &'a Records,
}

/// Judges every mutant the budget allows, on all cores, ticking `progress`
/// once per mutant.
pub(crate) fn judge_all(
    judge: &Judge<'_>,
    mutants: Vec<Mutant>,
    budget: &Budget,
    progress: &ProgressBar,
) -> Vec<(Mutant, Verdict)> {
    // The first `max_mutants` mutants that need running, in reading order;
    // equivalent ones cost nothing and are always reported.
    let mut to_run = 0usize;
    let allowed: Vec<bool> = mutants
        .iter()
        .map(|m| {
            if m.equivalent.is_some() {
                return true;
            }
            to_run += 1;
            budget.max_mutants.is_none_or(|max| to_run <= max)
        })
        .collect();
    mutants
        .into_par_iter()
        .zip(allowed)
        .map(|(m, allowed)| {
            let in_time = budget.deadline.is_none_or(|d| Instant::now() < d);
            let verdict = if allowed && (in_time || m.equivalent.is_some()) {
                judge_fast(judge, &m)
            } else {
                Verdict::NotRun
            };
            progress.inc(1);
            (m, verdict)
        })
        .collect()
}

/// One mutant, the fast way.
pub(crate) fn judge_fast(judge: &Judge<'_>, mutant: &Mutant) -> Verdict {
    if let Some(why) = &mutant.equivalent {
        return Verdict::Equivalent(why.clone());
    }
    let policy = match patch(judge.policy, &mutant.change) {
        Some(policy) => policy,
        None => match check_mutant(judge.parsed, mutant, Lints::Skip) {
            Ok(policy) => policy,
            Err(verdict) => return verdict,
        },
    };
    match judge
        .suite
        .first_failure_read(&policy, judge.records, &mutant.ruleset)
    {
        Some((file, case)) => Verdict::Killed {
            file: file.to_string(),
            case: case.to_string(),
        },
        None => Verdict::Survived,
    }
}

/// The mutant applied to a copy of the syntax trees and checked.
fn check_mutant(parsed: &Parsed, mutant: &Mutant, lints: Lints) -> Result<Policy, Verdict> {
    let mut trees = parsed.trees.clone();
    if !apply(&mut trees, &mutant.change) {
        return Err(Verdict::Rejected(
            "internal error: the mutated node was not found".into(),
        ));
    }
    let (policy, diagnostics, _) = check_all(
        &trees,
        parsed.sources.clone(),
        parsed.version.clone(),
        lints,
    );
    let error = diagnostics.iter().find(|d| d.is_error());
    match (policy, error) {
        (Some(policy), None) => Ok(policy),
        (_, Some(e)) => Err(Verdict::Rejected(e.message.clone())),
        (None, None) => Err(Verdict::Rejected("the checker gave no policy".into())),
    }
}

/// One mutant the slow way, as before the fast path: the whole rules
/// checked again with the lints, every case's record read again. The
/// differential tests hold [`judge_fast`] to it.
#[cfg(test)]
pub(crate) fn judge_full(parsed: &Parsed, suite: &Suite, mutant: &Mutant) -> Verdict {
    if let Some(why) = &mutant.equivalent {
        return Verdict::Equivalent(why.clone());
    }
    let policy = match check_mutant(parsed, mutant, Lints::Run) {
        Ok(policy) => policy,
        Err(verdict) => return verdict,
    };
    match suite.first_failure(&policy, &mutant.ruleset) {
        Some((file, case)) => Verdict::Killed {
            file: file.to_string(),
            case: case.to_string(),
        },
        None => Verdict::Survived,
    }
}
