//! Runs a compiled policy on a record. Total: overflow, division by zero and
//! dates out of range are errors for that record, never panics.
//!
//! One job per file: this one evaluates expressions, one function per
//! construct (`eval_cmp`, `eval_in`, `eval_call`...); `decide` runs
//! rulesets, rules and conditions; `explain` renders reasons and finds the
//! unmet conditions; `trace` records every condition tried; `require`
//! checks a schema's cross-field requirements; `error` turns faults into
//! messages.
#![deny(clippy::arithmetic_side_effects)]

mod decide;
mod error;
mod explain;
mod require;
mod trace;

use std::cmp::Ordering;
use std::sync::Arc;

use crate::builtins::{self, Builtin, BuiltinError};
use crate::calendar::{Fallbacks, OutsideUse};
use crate::decimal::ArithError;
use crate::ir::{ArithOp, CalendarId, CondId, ExprId, FieldId, LetId, Node, Policy, Ruleset};
use crate::num;
use crate::record::Record;
use crate::value::{cmp_holds, compare, Value};

pub use error::EvalError;
pub(crate) use error::Fault;
pub use explain::Unmet;
pub(crate) use require::{describe_fault, holds, requirement_message};
pub use trace::TraceStep;

/// What to record besides the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode {
    /// Render the author's reasons (the decision record has them).
    pub reasons: bool,
    /// Add each unmet condition's actual and required values to the record.
    pub explain: bool,
    /// Record every condition tried, with operand values.
    pub trace: bool,
}

/// The clause of a ruleset that decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Decider {
    /// The `applies when ... else` clause.
    Guard,
    /// A rule's `then` (by rule index).
    Then(usize),
    /// A rule's `else`.
    Else(usize),
    Otherwise,
}

/// The result of one ruleset, before it is shaped for output. Its outputs
/// and reasons are in the evaluator's scratch until the next ruleset.
#[derive(Debug, Clone)]
pub(crate) struct RawDecision {
    pub outcome: usize,
    pub decider: Decider,
    /// The clause's own `because`, the first reason.
    pub because: Option<ExprId>,
    /// Unmet conditions with actual and required values (explain mode).
    pub unmet: Vec<Unmet>,
}

impl RawDecision {
    /// The deciding rule's name (`otherwise` for the default); `None` when
    /// the ruleset did not apply.
    pub(crate) fn rule_name<'p>(&self, rs: &'p Ruleset) -> Option<&'p Arc<str>> {
        match self.decider {
            Decider::Guard => None,
            Decider::Then(i) | Decider::Else(i) => rs.rules.get(i).map(|r| &r.name),
            Decider::Otherwise => Some(&OTHERWISE),
        }
    }

    /// The deciding rule's title; `None` for `otherwise`, a guard, or a
    /// rule without one.
    pub(crate) fn rule_title<'p>(&self, rs: &'p Ruleset) -> Option<&'p Arc<str>> {
        match self.decider {
            Decider::Then(i) | Decider::Else(i) => rs.rules.get(i)?.title.as_ref(),
            Decider::Guard | Decider::Otherwise => None,
        }
    }
}

/// The deciding "rule" of a ruleset's default, made once.
static OTHERWISE: std::sync::LazyLock<Arc<str>> =
    std::sync::LazyLock::new(|| Arc::from("otherwise"));

/// A reason, recorded while deciding and rendered once, where it is
/// written (straight into a JSON line, or into a `Decision`'s strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    /// The author's `because` template.
    Template(ExprId),
    /// A condition without one: its text and operand values.
    Auto(ExprId),
    /// A group without one that was not met: `not met: <text>`.
    NotMet(CondId),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Truth {
    True,
    False,
    /// A field it needs is absent.
    Unknown,
}

/// The buffers an evaluation fills, kept from record to record so that
/// deciding allocates nothing once they have grown.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// `let` values of this record, computed on first use.
    lets: Vec<Option<Value>>,
    /// The outputs of the ruleset just decided.
    pub(crate) outputs: Vec<Option<Value>>,
    /// The reasons of the ruleset just decided (after its `because`).
    pub(crate) reasons: Vec<Reason>,
    /// Each condition's truth in this record, once evaluated: 0 none,
    /// 1 true, 2 false, 3 unknown.
    truths: Vec<u8>,
    /// Text a reason is rendered into.
    pub(crate) text: String,
    /// The arguments of the built-in calls being evaluated.
    args: Vec<Value>,
}

/// Evaluates one record against a policy.
pub(crate) struct Evaluator<'p, 'r> {
    pub(super) policy: &'p Policy,
    pub(super) record: &'r Record,
    pub(crate) scratch: Scratch,
    pub(super) mode: Mode,
    pub trace: Vec<TraceStep>,
    /// The ruleset and rule being decided, for trace steps (borrowed: no
    /// reference counting per rule tried).
    pub(super) ruleset: Option<&'p Arc<str>>,
    pub(super) rule: Option<&'p Arc<str>>,
    /// The calendars that counted a date with their `outside` weekdays.
    pub(crate) fallbacks: Fallbacks,
}

impl<'p, 'r> Evaluator<'p, 'r> {
    pub(crate) fn new(policy: &'p Policy, record: &'r Record, mode: Mode) -> Self {
        Self::with_scratch(policy, record, mode, Scratch::default())
    }

    /// An evaluator reusing the buffers of an earlier one
    /// ([`Evaluator::into_scratch`]).
    pub(crate) fn with_scratch(
        policy: &'p Policy,
        record: &'r Record,
        mode: Mode,
        mut scratch: Scratch,
    ) -> Self {
        // Grown on first use: a schema requirement needs neither.
        scratch.lets.clear();
        scratch.truths.clear();
        Evaluator {
            policy,
            record,
            scratch,
            mode,
            trace: Vec::new(),
            ruleset: None,
            rule: None,
            fallbacks: Fallbacks::default(),
        }
    }

    /// The buffers, for the next record.
    pub(crate) fn into_scratch(self) -> Scratch {
        self.scratch
    }

    /// Each condition's truth in this record, as far as it was evaluated.
    pub(crate) fn truths(&self) -> impl Iterator<Item = (CondId, Truth)> + '_ {
        self.scratch.truths.iter().enumerate().filter_map(|(i, t)| {
            let truth = match t {
                1 => Truth::True,
                2 => Truth::False,
                3 => Truth::Unknown,
                _ => return None,
            };
            Some((CondId::from_index(i), truth))
        })
    }

    /// A condition's truth, if it was evaluated in this record.
    pub(super) fn truth(&self, id: CondId) -> Option<Truth> {
        match self.scratch.truths.get(id.index()) {
            Some(1) => Some(Truth::True),
            Some(2) => Some(Truth::False),
            Some(3) => Some(Truth::Unknown),
            _ => None,
        }
    }

    fn note_truth(&mut self, id: CondId, t: Truth) {
        if self.scratch.truths.len() <= id.index() {
            self.scratch.truths.resize(self.policy.conds.len(), 0);
        }
        if let Some(slot) = self.scratch.truths.get_mut(id.index()) {
            *slot = match t {
                Truth::True => 1,
                Truth::False => 2,
                Truth::Unknown => 3,
            };
        }
    }

    /// An expression's value: one function per construct.
    pub(crate) fn eval(&mut self, id: ExprId) -> Result<Value, Fault> {
        let node = self
            .policy
            .node(id)
            .ok_or(Fault::Internal("dangling expression"))?;
        match node {
            Node::Const(v) => Ok(v.clone()),
            Node::Field(f) => self.eval_field(*f),
            Node::Let(l) => self.eval_let(*l),
            Node::Not(e) => Ok(Value::Bool(!self.eval_bool(*e)?)),
            Node::Neg(e) => self.eval_neg(*e, id),
            Node::And(a, b) => Ok(Value::Bool(self.eval_bool(*a)? && self.eval_bool(*b)?)),
            Node::Or(a, b) => Ok(Value::Bool(self.eval_bool(*a)? || self.eval_bool(*b)?)),
            Node::Cmp(op, a, b) => {
                let ord = self.eval_cmp(*a, *b)?;
                Ok(Value::Bool(cmp_holds(*op, ord)))
            }
            Node::Arith(op, a, b) => self.eval_arith(*op, *a, *b, id),
            Node::DateShift {
                date,
                days,
                subtract,
            } => self.eval_date_shift(*date, *days, *subtract, id),
            Node::Present { field, present } => {
                Ok(Value::Bool(self.record.get(*field).is_some() == *present))
            }
            Node::In {
                expr,
                list,
                negated,
            } => self.eval_in(*expr, list, *negated),
            Node::If {
                cond,
                then,
                otherwise,
            } => {
                if self.eval_bool(*cond)? {
                    self.eval(*then)
                } else {
                    self.eval(*otherwise)
                }
            }
            Node::Call {
                builtin,
                calendar,
                args,
            } => self.eval_call(*builtin, *calendar, args, id),
            Node::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.eval(*item)?);
                }
                Ok(Value::List(Arc::from(out)))
            }
            Node::Template(parts) => Ok(Value::Text(Arc::new(self.render(parts)?))),
        }
    }

    /// A constant, a present field or an evaluated `let`, by reference.
    fn value_ref(&self, id: ExprId) -> Option<&Value> {
        match self.policy.node(id)? {
            Node::Const(v) => Some(v),
            Node::Field(f) => self.record.get(*f),
            Node::Let(l) => self.scratch.lets.get(l.index())?.as_ref(),
            _ => None,
        }
    }

    /// A field's value; `Missing` when the record does not have it.
    fn eval_field(&self, f: FieldId) -> Result<Value, Fault> {
        match self.record.get(f) {
            Some(v) => Ok(v.clone()),
            None => Err(Fault::Missing(f)),
        }
    }

    /// A `let`, computed once per record, on first use.
    fn eval_let(&mut self, l: LetId) -> Result<Value, Fault> {
        if let Some(Some(v)) = self.scratch.lets.get(l.index()) {
            return Ok(v.clone());
        }
        let def = self
            .policy
            .lets
            .get(l.index())
            .ok_or(Fault::Internal("dangling let"))?;
        let v = self.eval(def.value)?;
        if self.scratch.lets.len() <= l.index() {
            self.scratch.lets.resize(self.policy.lets.len(), None);
        }
        if let Some(slot) = self.scratch.lets.get_mut(l.index()) {
            *slot = Some(v.clone());
        }
        Ok(v)
    }

    /// `-x`.
    fn eval_neg(&mut self, e: ExprId, id: ExprId) -> Result<Value, Fault> {
        match self.eval(e)? {
            Value::Num(d) => Ok(Value::Num(num::neg(d))),
            Value::Days(n) => n
                .checked_neg()
                .map(Value::Days)
                .ok_or(Fault::Arith(ArithError::Overflow, id)),
            _ => Err(Fault::Internal("negating a non-number")),
        }
    }

    /// How `a` compares with `b` (`=`, `<`, ...).
    fn eval_cmp(&mut self, a: ExprId, b: ExprId) -> Result<Ordering, Fault> {
        // Most conditions compare a field with a constant: compare them
        // where they are, without cloning either.
        let ord = match (self.value_ref(a), self.value_ref(b)) {
            (Some(x), Some(y)) => compare(x, y),
            _ => {
                let (x, y) = (self.eval(a)?, self.eval(b)?);
                compare(&x, &y)
            }
        };
        ord.ok_or(Fault::Internal("comparing values of different types"))
    }

    /// `a + b`, `a - b`, `a * b`, `a / b`: exact, checked.
    fn eval_arith(
        &mut self,
        op: ArithOp,
        a: ExprId,
        b: ExprId,
        id: ExprId,
    ) -> Result<Value, Fault> {
        match (self.eval(a)?, self.eval(b)?) {
            (Value::Num(x), Value::Num(y)) => {
                let r = match op {
                    ArithOp::Add => num::add(x, y),
                    ArithOp::Sub => num::sub(x, y),
                    ArithOp::Mul => num::mul(x, y),
                    ArithOp::Div => num::div(x, y),
                };
                r.map(Value::Num).map_err(|e| Fault::Arith(e, id))
            }
            (Value::Days(x), Value::Days(y)) => {
                let r = match op {
                    ArithOp::Add => x.checked_add(y),
                    _ => x.checked_sub(y),
                };
                r.map(Value::Days)
                    .ok_or(Fault::Arith(ArithError::Overflow, id))
            }
            _ => Err(Fault::Internal("arithmetic on non-numbers")),
        }
    }

    /// `date + n days`, `date - n days`.
    fn eval_date_shift(
        &mut self,
        date: ExprId,
        days: ExprId,
        subtract: bool,
        id: ExprId,
    ) -> Result<Value, Fault> {
        let d = self.eval_date(date)?;
        let n = match self.eval(days)? {
            Value::Days(n) => n,
            other => builtins::whole(std::slice::from_ref(&other), 0)
                .map_err(|e| self.builtin_fault(e, None, id))?,
        };
        let n = if subtract { n.checked_neg() } else { Some(n) };
        n.and_then(|n| d.checked_add_signed(chrono::TimeDelta::try_days(n)?))
            .map(Value::Date)
            .ok_or(Fault::Date(id))
    }

    /// `x in [a, b]`, `x not in [a, b]`.
    fn eval_in(&mut self, expr: ExprId, list: &[ExprId], negated: bool) -> Result<Value, Fault> {
        let v = self.eval(expr)?;
        let mut found = false;
        for item in list {
            let w = self.eval(*item)?;
            if compare(&v, &w) == Some(Ordering::Equal) {
                found = true;
                break;
            }
        }
        Ok(Value::Bool(found != negated))
    }

    /// A built-in function call: `if_absent` lazily, the others from their
    /// argument values by `builtins::apply`.
    fn eval_call(
        &mut self,
        builtin: Builtin,
        calendar: Option<CalendarId>,
        args: &[ExprId],
        id: ExprId,
    ) -> Result<Value, Fault> {
        if builtin == Builtin::IfAbsent {
            let arg = |i: usize| {
                args.get(i)
                    .copied()
                    .ok_or(Fault::Internal("missing argument"))
            };
            return match self.eval(arg(0)?) {
                Err(Fault::Missing(_)) => self.eval(arg(1)?),
                other => other,
            };
        }
        // Arguments go on a stack kept from record to record (calls nest:
        // each takes the values above where it started).
        let base = self.scratch.args.len();
        for a in args {
            match self.eval(*a) {
                Ok(v) => self.scratch.args.push(v),
                Err(e) => {
                    self.scratch.args.truncate(base);
                    return Err(e);
                }
            }
        }
        let result = self.apply_call(builtin, calendar, base, id);
        self.scratch.args.truncate(base);
        result
    }

    /// [`Evaluator::eval_call`] on the arguments at `base..` of the stack.
    fn apply_call(
        &mut self,
        builtin: Builtin,
        calendar: Option<CalendarId>,
        base: usize,
        id: ExprId,
    ) -> Result<Value, Fault> {
        let values = self.scratch.args.get(base..).unwrap_or(&[]);
        let policy = self.policy;
        let cal = match calendar {
            Some(c) => Some(
                policy
                    .calendars
                    .get(c.index())
                    .ok_or(Fault::Internal("dangling calendar"))?,
            ),
            None => None,
        };
        match builtins::apply(builtin, values, cal) {
            Ok(applied) => {
                if let (Some(day), Some(c)) = (applied.first_outside, calendar) {
                    self.fallbacks.note_use(OutsideUse {
                        calendar: c.index(),
                        day,
                        ruleset: self.ruleset.cloned(),
                        rule: self.rule.cloned(),
                    });
                }
                Ok(applied.value)
            }
            Err(e) => Err(self.builtin_fault(e, calendar, id)),
        }
    }

    fn builtin_fault(&self, e: BuiltinError, calendar: Option<CalendarId>, id: ExprId) -> Fault {
        match (e, calendar) {
            (BuiltinError::Arith(a), _) => Fault::Arith(a, id),
            (BuiltinError::Date, _) => Fault::Date(id),
            (BuiltinError::NotWholeDays, _) => Fault::NotWholeDays(id),
            (BuiltinError::DayCount(e), _) => Fault::DayCount(e, id),
            (BuiltinError::NotCovered(day), Some(c)) => Fault::NotCovered(c, day),
            (BuiltinError::NotCovered(_), None) => Fault::Internal("no calendar"),
            (BuiltinError::Internal(m), _) => Fault::Internal(m),
        }
    }

    pub(super) fn eval_bool(&mut self, id: ExprId) -> Result<bool, Fault> {
        match self.eval(id)? {
            Value::Bool(b) => Ok(b),
            _ => Err(Fault::Internal("condition is not a bool")),
        }
    }

    fn eval_date(&mut self, id: ExprId) -> Result<chrono::NaiveDate, Fault> {
        match self.eval(id)? {
            Value::Date(d) => Ok(d),
            _ => Err(Fault::Internal("expected a date")),
        }
    }
}
