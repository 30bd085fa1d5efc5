//! Rulesets, rules and conditions: which clause decides, and its outputs.
//!
//! Every condition's truth is noted as it is found, so that explaining a
//! decision (its unmet conditions, or test coverage) needs no second
//! evaluation of what was already decided.

use super::require::{holds_in, requirement_text};
use super::{Decider, Evaluator, Fault, RawDecision, Truth};
use crate::ir::{Clause, CondId, CondKind, ExprId, Ruleset};
use crate::num;
use crate::value::Value;

impl<'p> Evaluator<'p, '_> {
    /// First-match evaluation: stops at the first item that settles a group.
    pub(super) fn cond(&mut self, id: CondId) -> Result<Truth, Fault> {
        let t = self.cond_inner(id)?;
        self.note_truth(id, t);
        Ok(t)
    }

    fn cond_inner(&mut self, id: CondId) -> Result<Truth, Fault> {
        let policy = self.policy;
        let cond = policy
            .cond(id)
            .ok_or(Fault::Internal("dangling condition"))?;
        match &cond.kind {
            CondKind::Leaf(e) => {
                let t = match self.eval(*e) {
                    Ok(Value::Bool(true)) => Truth::True,
                    Ok(_) => Truth::False,
                    Err(Fault::Missing(_)) => Truth::Unknown,
                    Err(other) => return Err(other),
                };
                if self.mode.trace {
                    self.trace_leaf("condition", *e, t);
                }
                Ok(t)
            }
            CondKind::All(items) => {
                for item in items {
                    let t = self.cond(*item)?;
                    if t != Truth::True {
                        return Ok(t);
                    }
                }
                Ok(Truth::True)
            }
            CondKind::Any(items) => {
                let mut unknown = false;
                for item in items {
                    match self.cond(*item)? {
                        Truth::True => return Ok(Truth::True),
                        Truth::Unknown => unknown = true,
                        Truth::False => {}
                    }
                }
                Ok(if unknown {
                    Truth::Unknown
                } else {
                    Truth::False
                })
            }
        }
    }

    /// A condition's truth: as already found in this record, or found now
    /// without adding to the trace.
    pub(super) fn known_cond(&mut self, id: CondId) -> Result<Truth, Fault> {
        if let Some(t) = self.truth(id) {
            return Ok(t);
        }
        let trace = self.mode.trace;
        self.mode.trace = false;
        let t = self.cond(id);
        self.mode.trace = trace;
        t
    }

    fn guard_or_scope(&mut self, kind: &'static str, e: ExprId) -> Result<bool, Fault> {
        let t = match self.eval(e) {
            Ok(Value::Bool(b)) => b,
            Ok(_) => false,
            Err(Fault::Missing(_)) => false,
            Err(other) => return Err(other),
        };
        if self.mode.trace {
            self.trace_leaf(kind, e, if t { Truth::True } else { Truth::False });
        }
        Ok(t)
    }

    /// Decides one ruleset: the first clause that applies, its outputs (in
    /// the scratch's `outputs`) and its reasons (in the scratch's
    /// `reasons`, after the clause's own `because`).
    pub(crate) fn decide(&mut self, rs: &'p Ruleset) -> Result<RawDecision, Fault> {
        self.ruleset = Some(&rs.name);
        self.rule = None;
        self.scratch.reasons.clear();
        if let Some((guard, clause)) = &rs.guard {
            if !self.guard_or_scope("guard", *guard)? {
                return self.finish(rs, clause, Decider::Guard, Vec::new());
            }
        }
        for req in &rs.requirements {
            if !holds_in(self, req)? {
                let text = requirement_text(self, req);
                return Err(Fault::Message(
                    format!("ruleset `{}`: {text}", rs.name).into(),
                ));
            }
        }
        for (index, rule) in rs.rules.iter().enumerate() {
            self.rule = Some(&rule.name);
            if let Some(scope) = rule.scope {
                if !self.guard_or_scope("scope", scope)? {
                    continue;
                }
            }
            if self.cond(rule.when)? == Truth::True {
                // A guarded `because` (`because "..." when x`) comes first
                // and the conditions' reasons follow it.
                if self.mode.reasons
                    && (rule.then.because.is_none() || rule.then.because_when.is_some())
                {
                    self.met_reasons(rule.when)?;
                }
                return self.finish(rs, &rule.then, Decider::Then(index), Vec::new());
            }
            if let Some(otherwise) = &rule.otherwise {
                let mut unmet = Vec::new();
                if self.mode.reasons {
                    let _ = self.unmet(rule.when, &mut unmet)?;
                }
                return self.finish(rs, otherwise, Decider::Else(index), unmet);
            }
        }
        self.rule = None;
        let Some(default) = &rs.default else {
            return Err(Fault::Internal("no rule decided and no otherwise"));
        };
        let mut unmet = Vec::new();
        if let (true, Some(rule)) = (
            self.mode.reasons,
            default.explain_unmet.and_then(|i| rs.rules.get(i)),
        ) {
            self.rule = Some(&rule.name);
            let _ = self.unmet(rule.when, &mut unmet)?;
            self.rule = None;
        }
        self.finish(rs, default, Decider::Otherwise, unmet)
    }

    /// Evaluates a clause's outputs into the scratch.
    fn finish(
        &mut self,
        rs: &Ruleset,
        clause: &Clause,
        decider: Decider,
        unmet: Vec<super::Unmet>,
    ) -> Result<RawDecision, Fault> {
        self.scratch.outputs.clear();
        self.scratch
            .outputs
            .extend(rs.outputs.iter().map(|o| o.default.clone()));
        for a in &clause.assignments {
            if let Some(w) = a.when {
                if !self.eval_bool(w)? {
                    continue;
                }
            }
            let v = self.eval(a.value)?;
            if let Some(output) = rs.outputs.get(a.output) {
                if let (crate::types::Ty::Money, Value::Num(d)) = (&output.ty, &v) {
                    if !num::fits_places(*d, 2) {
                        return Err(Fault::Message(
                            format!("output `{}` = {} has more than two decimals; round it with round_cents", output.name, d.to_decimal().normalize()).into(),
                        ));
                    }
                }
            }
            if let Some(slot) = self.scratch.outputs.get_mut(a.output) {
                *slot = Some(v);
            }
        }
        Ok(RawDecision {
            outcome: clause.outcome,
            decider,
            because: match (self.mode.reasons, clause.because_when) {
                (false, _) => None,
                (true, None) => clause.because,
                (true, Some(w)) => {
                    if self.eval_bool(w)? {
                        clause.because
                    } else {
                        None
                    }
                }
            },
            unmet,
        })
    }
}
