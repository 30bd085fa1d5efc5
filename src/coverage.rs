//! What a test suite exercised: which clauses decided, and which conditions
//! inside `all of` / `any of` groups were seen both true and false.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::eval::Decider;
use crate::ir::{CondId, CondKind, Policy};

/// Coverage gathered over many decisions.
#[derive(Debug, Clone, Default)]
pub(crate) struct Coverage {
    /// Per condition: (seen true, seen false).
    conditions: Vec<(bool, bool)>,
    decided: BTreeSet<(usize, Decider)>,
    /// Per condition: the ruleset it belongs to (built on first use).
    owners: Vec<Option<usize>>,
}

impl Coverage {
    pub(crate) fn condition(&mut self, id: CondId, t: bool, f: bool) {
        if self.conditions.len() <= id.index() {
            self.conditions.resize(id.index() + 1, (false, false));
        }
        if let Some(seen) = self.conditions.get_mut(id.index()) {
            seen.0 |= t;
            seen.1 |= f;
        }
    }

    pub(crate) fn decided(&mut self, ruleset: usize, decider: Decider) {
        self.decided.insert((ruleset, decider));
    }

    /// Whether a case decided ruleset `ruleset` (by index) by `decider`.
    pub(crate) fn was_decided(&self, ruleset: usize, decider: Decider) -> bool {
        self.decided.contains(&(ruleset, decider))
    }

    /// The ruleset (by index) whose rules hold condition `id`.
    pub(crate) fn owner(&mut self, policy: &Policy, id: CondId) -> Option<usize> {
        if self.owners.is_empty() {
            self.owners = vec![None; policy.conds.len()];
            for (i, rs) in policy.rulesets.iter().enumerate() {
                for rule in &rs.rules {
                    mark_owner(policy, rule.when, i, &mut self.owners);
                }
            }
        }
        self.owners.get(id.index()).copied().flatten()
    }

    fn seen(&self, id: CondId) -> (bool, bool) {
        self.conditions
            .get(id.index())
            .copied()
            .unwrap_or((false, false))
    }

    /// A report per ruleset, and the number of rules no case decided.
    pub(crate) fn report(&self, policy: &Policy) -> (usize, String) {
        let mut out = String::new();
        let mut missing_total = 0;
        for (i, rs) in policy.rulesets.iter().enumerate() {
            let mut clauses = Vec::new();
            if rs.guard.is_some() {
                clauses.push((Decider::Guard, "applies ... else".to_string()));
            }
            for (r, rule) in rs.rules.iter().enumerate() {
                clauses.push((Decider::Then(r), format!("rule `{}` then", rule.name)));
                if rule.otherwise.is_some() {
                    clauses.push((Decider::Else(r), format!("rule `{}` else", rule.name)));
                }
            }
            if rs.default.is_some() {
                clauses.push((Decider::Otherwise, "otherwise".to_string()));
            }
            let rules_decided = (0..rs.rules.len())
                .filter(|r| {
                    self.decided.contains(&(i, Decider::Then(*r)))
                        || self.decided.contains(&(i, Decider::Else(*r)))
                })
                .count();
            let missing: Vec<&String> = clauses
                .iter()
                .filter(|(d, _)| !self.decided.contains(&(i, *d)))
                .map(|(_, name)| name)
                .collect();
            missing_total += rs.rules.len() - rules_decided;
            let percent = rules_decided * 100 / rs.rules.len().max(1);
            let covered = clauses.len() - missing.len();
            let _ = writeln!(
                out,
                "{}: rules {rules_decided}/{} decided ({percent}%), clauses {covered}/{}",
                rs.name,
                rs.rules.len(),
                clauses.len()
            );
            for name in missing {
                let _ = writeln!(out, "  never decided: {name}");
            }
            for rule in &rs.rules {
                let mut items = Vec::new();
                self.group_items(policy, rule.when, &mut items);
                for (text, t, f) in items {
                    let never = match (t, f) {
                        (false, false) => "never evaluated",
                        (false, true) => "never true",
                        (true, false) => "never false",
                        (true, true) => continue,
                    };
                    let _ = writeln!(out, "  rule `{}`: `{text}` {never}", rule.name);
                }
            }
        }
        (missing_total, out)
    }

    /// Items of groups, with whether each was seen true and false.
    fn group_items(&self, policy: &Policy, id: CondId, out: &mut Vec<(String, bool, bool)>) {
        let Some(cond) = policy.cond(id) else { return };
        if let CondKind::All(items) | CondKind::Any(items) = &cond.kind {
            for item in items {
                let (t, f) = self.seen(*item);
                let text = policy
                    .sources
                    .slice(policy.cond(*item).map(|c| c.span).unwrap_or_default());
                let text: Vec<&str> = text.split_whitespace().collect();
                out.push((text.join(" "), t, f));
                self.group_items(policy, *item, out);
            }
        }
    }
}

/// Marks `id` and the conditions inside it as `ruleset`'s.
fn mark_owner(policy: &Policy, id: CondId, ruleset: usize, owners: &mut [Option<usize>]) {
    if let Some(slot) = owners.get_mut(id.index()) {
        *slot = Some(ruleset);
    }
    if let Some(CondKind::All(items) | CondKind::Any(items)) = policy.cond(id).map(|c| &c.kind) {
        for item in items {
            mark_owner(policy, *item, ruleset, owners);
        }
    }
}
