//! Rulesets, rules and conditions: which clause decides, and its outputs.

use std::sync::Arc;

use super::require::{holds_in, requirement_text};
use super::{Evaluator, Fault, RawDecision, Truth, Unmet};
use crate::decimal;
use crate::ir::{Clause, CondId, CondKind, ExprId, Ruleset};
use crate::value::Value;

/// The deciding "rule" of a ruleset's default, made once.
static OTHERWISE: std::sync::LazyLock<Arc<str>> =
    std::sync::LazyLock::new(|| Arc::from("otherwise"));

impl<'p> Evaluator<'p, '_> {
    /// First-match evaluation: stops at the first item that settles a group.
    pub(super) fn cond(&mut self, id: CondId) -> Result<Truth, Fault> {
        let t = self.cond_inner(id)?;
        if let Some(c) = &mut self.coverage {
            c.condition(id, t == Truth::True, t == Truth::False);
        }
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

    /// Truth of a condition without recording or short-circuit side effects.
    pub(super) fn quiet_cond(&mut self, id: CondId) -> Result<Truth, Fault> {
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

    pub(crate) fn decide(&mut self, rs: &'p Ruleset) -> Result<RawDecision, Fault> {
        self.ruleset = Some(&rs.name);
        self.rule = None;
        if let Some((guard, clause)) = &rs.guard {
            if !self.guard_or_scope("guard", *guard)? {
                self.covered(rs, crate::coverage::Decider::Guard);
                return self.finish(rs, clause, None, Vec::new(), Vec::new());
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
                let mut reasons = Vec::new();
                if self.mode.reasons && rule.then.because.is_none() {
                    self.met_reasons(rule.when, &mut reasons)?;
                }
                self.covered(rs, crate::coverage::Decider::Then(index));
                return self.finish(rs, &rule.then, Some(rule.name.clone()), reasons, Vec::new());
            }
            if let Some(otherwise) = &rule.otherwise {
                let mut unmet = Vec::new();
                if self.mode.reasons {
                    let _ = self.unmet(rule.when, &mut unmet)?;
                }
                let reasons = unmet.iter().map(|u| u.reason.clone()).collect();
                self.covered(rs, crate::coverage::Decider::Else(index));
                return self.finish(rs, otherwise, Some(rule.name.clone()), reasons, unmet);
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
        let reasons = unmet.iter().map(|u| u.reason.clone()).collect();
        self.covered(rs, crate::coverage::Decider::Otherwise);
        self.finish(rs, default, Some(OTHERWISE.clone()), reasons, unmet)
    }

    /// Notes which clause decided, when coverage is recorded.
    fn covered(&mut self, rs: &Ruleset, decider: crate::coverage::Decider) {
        if let Some(c) = &mut self.coverage {
            if let Some(i) = self
                .policy
                .rulesets
                .iter()
                .position(|r| std::ptr::eq(r, rs))
            {
                c.decided(i, decider);
            }
        }
    }

    /// Evaluates a clause's outputs and the reasons that go with it.
    fn finish(
        &mut self,
        rs: &Ruleset,
        clause: &Clause,
        rule: Option<Arc<str>>,
        mut reasons: Vec<String>,
        unmet: Vec<Unmet>,
    ) -> Result<RawDecision, Fault> {
        let mut outputs: Vec<Option<Value>> =
            rs.outputs.iter().map(|o| o.default.clone()).collect();
        for a in &clause.assignments {
            if let Some(w) = a.when {
                if !self.eval_bool(w)? {
                    continue;
                }
            }
            let v = self.eval(a.value)?;
            if let Some(output) = rs.outputs.get(a.output) {
                if let (crate::types::Ty::Money, Value::Num(d)) = (&output.ty, &v) {
                    if !decimal::fits_places(*d, 2) {
                        return Err(Fault::Message(
                            format!("output `{}` = {} has more than two decimals; round it with round_cents", output.name, d.normalize()).into(),
                        ));
                    }
                }
            }
            if let Some(slot) = outputs.get_mut(a.output) {
                *slot = Some(v);
            }
        }
        if self.mode.reasons {
            if let Some(b) = clause.because {
                reasons.insert(0, self.render_reason(b)?);
            }
        }
        Ok(RawDecision {
            outcome: clause.outcome,
            rule,
            outputs,
            reasons,
            unmet,
        })
    }
}
