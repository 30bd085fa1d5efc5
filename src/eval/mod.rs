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
use crate::calendar::Fallbacks;
use crate::decimal::{self, ArithError};
use crate::ir::{ArithOp, CalendarId, ExprId, FieldId, LetId, Node, Policy};
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

/// The result of one ruleset, before it is shaped for output.
#[derive(Debug, Clone)]
pub(crate) struct RawDecision {
    pub outcome: usize,
    pub rule: Option<Arc<str>>,
    /// One slot per declared output.
    pub outputs: Vec<Option<Value>>,
    pub reasons: Vec<String>,
    pub unmet: Vec<Unmet>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Truth {
    True,
    False,
    /// A field it needs is absent.
    Unknown,
}

/// Evaluates one record against a policy.
pub(crate) struct Evaluator<'p, 'r> {
    pub(super) policy: &'p Policy,
    pub(super) record: &'r Record,
    lets: Vec<Option<Value>>,
    pub(super) mode: Mode,
    pub trace: Vec<TraceStep>,
    /// The ruleset and rule being decided, for trace steps (borrowed: no
    /// reference counting per rule tried).
    pub(super) ruleset: Option<&'p Arc<str>>,
    pub(super) rule: Option<&'p Arc<str>>,
    /// What tests exercised, when `verdikt test --coverage` asks.
    pub(crate) coverage: Option<crate::coverage::Coverage>,
    /// The calendars that counted a date with their `outside` weekdays.
    pub(crate) fallbacks: Fallbacks,
}

impl<'p, 'r> Evaluator<'p, 'r> {
    pub(crate) fn new(policy: &'p Policy, record: &'r Record, mode: Mode) -> Self {
        Evaluator {
            policy,
            record,
            // Grown on first use: most records of most rulesets need no `let`.
            lets: Vec::new(),
            mode,
            trace: Vec::new(),
            ruleset: None,
            rule: None,
            coverage: None,
            fallbacks: Fallbacks::default(),
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
            Node::Template(parts) => Ok(Value::Text(Arc::from(self.render(parts)?.as_str()))),
        }
    }

    /// A constant, a present field or an evaluated `let`, by reference.
    fn value_ref(&self, id: ExprId) -> Option<&Value> {
        match self.policy.node(id)? {
            Node::Const(v) => Some(v),
            Node::Field(f) => self.record.get(*f),
            Node::Let(l) => self.lets.get(l.index())?.as_ref(),
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
        if let Some(Some(v)) = self.lets.get(l.index()) {
            return Ok(v.clone());
        }
        let policy = self.policy;
        let def = policy
            .lets
            .get(l.index())
            .ok_or(Fault::Internal("dangling let"))?;
        let v = self.eval(def.value)?;
        if self.lets.len() <= l.index() {
            self.lets.resize(policy.lets.len(), None);
        }
        if let Some(slot) = self.lets.get_mut(l.index()) {
            *slot = Some(v.clone());
        }
        Ok(v)
    }

    /// `-x`.
    fn eval_neg(&mut self, e: ExprId, id: ExprId) -> Result<Value, Fault> {
        match self.eval(e)? {
            Value::Num(d) => decimal::sub(rust_decimal::Decimal::ZERO, d)
                .map(Value::Num)
                .map_err(|e| Fault::Arith(e, id)),
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
                    ArithOp::Add => decimal::add(x, y),
                    ArithOp::Sub => decimal::sub(x, y),
                    ArithOp::Mul => decimal::mul(x, y),
                    ArithOp::Div => decimal::div(x, y),
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
        let mut values = Vec::with_capacity(args.len());
        for a in args {
            values.push(self.eval(*a)?);
        }
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
        match builtins::apply(builtin, &values, cal) {
            Ok(applied) => {
                if let (true, Some(c)) = (applied.used_outside, calendar) {
                    self.fallbacks.note(c.index());
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
