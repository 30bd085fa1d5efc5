//! Runs a compiled policy on a record. Total: overflow, division by zero and
//! dates out of range are errors for that record, never panics.
#![deny(clippy::arithmetic_side_effects)]

use std::cmp::Ordering;
use std::sync::Arc;

use crate::calendar::{CalendarError, Fallbacks};
use crate::decimal::{self, ArithError};
use crate::ir::{
    ArithOp, CalendarId, Clause, CondId, CondKind, ExprId, FieldId, Func, Node, Policy,
    Requirement, Ruleset, TemplatePart,
};
use crate::record::Record;
use crate::value::{cmp_holds, compare, human, Value};

/// Why a record could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// An optional field was read where it was absent (only in explanations
    /// of conditions whose guard failed).
    #[error("`{0}` is absent")]
    Missing(Arc<str>),
    /// Arithmetic failed (overflow, division by zero).
    #[error("{error} in `{expr}`")]
    Arith {
        /// What failed.
        error: ArithError,
        /// The rule text of the expression.
        expr: String,
    },
    /// A date computation left the calendar (the rule text is given).
    #[error("date out of range in `{0}`")]
    Date(String),
    /// A ruleset's `require` does not hold, or another rendered failure.
    #[error("{0}")]
    Requirement(String),
    /// A money output got more than two decimals.
    #[error("output `{output}` = {value} has more than two decimals; round it with round_cents")]
    MoneyPrecision {
        /// The output.
        output: Arc<str>,
        /// The value it got.
        value: String,
    },
    /// Counting working days stepped onto a date the calendar does not
    /// cover, and the calendar has no `outside` weekdays.
    #[error("calendar `{calendar}` does not cover {day} (it covers {covers})")]
    NotCovered {
        /// The calendar.
        calendar: String,
        /// The date it does not cover.
        day: chrono::NaiveDate,
        /// The dates it covers, as its `covers` line writes them.
        covers: String,
    },
    /// A bug in verdikt: please report the record.
    #[error("internal error: {0}")]
    Internal(&'static str),
}

/// A failure inside evaluation: small and cheap to pass around; turned into
/// an [`EvalError`] with the policy's text once, at the boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fault {
    Missing(FieldId),
    Arith(ArithError, ExprId),
    Date(ExprId),
    NotWholeDays(ExprId),
    /// A date a calendar does not cover (see [`EvalError::NotCovered`]).
    NotCovered(CalendarId, chrono::NaiveDate),
    /// Rare failures, already rendered.
    Message(Box<str>),
    Internal(&'static str),
}

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

/// The deciding "rule" of a ruleset's default, made once.
static OTHERWISE: std::sync::LazyLock<Arc<str>> =
    std::sync::LazyLock::new(|| Arc::from("otherwise"));

/// One step of a trace.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TraceStep {
    /// The ruleset being decided.
    pub ruleset: Arc<str>,
    /// The rule being tried, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<Arc<str>>,
    /// `guard`, `require`, `scope`, `condition` or `assign-when`.
    pub kind: &'static str,
    /// The condition's rule text.
    pub condition: String,
    /// Each operand's rule text and value.
    pub operands: Vec<(String, String)>,
    /// `None` when a field it needs is absent.
    pub result: Option<bool>,
}

/// A condition that was not met, with what the record had and what it needed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Unmet {
    /// The condition's rule text.
    pub condition: String,
    /// What the record had (`store.rating = 4.7`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// What the condition needs (`>= 4.8`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<String>,
    /// The author's reason, with values filled in.
    pub reason: String,
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
enum Truth {
    True,
    False,
    /// A field it needs is absent.
    Unknown,
}

pub(crate) struct Evaluator<'p, 'r> {
    policy: &'p Policy,
    record: &'r Record,
    lets: Vec<Option<Value>>,
    mode: Mode,
    pub trace: Vec<TraceStep>,
    /// The ruleset and rule being decided, for trace steps (borrowed: no
    /// reference counting per rule tried).
    ruleset: Option<&'p Arc<str>>,
    rule: Option<&'p Arc<str>>,
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

    /// A fault as an error a person can read.
    pub(crate) fn describe(&self, fault: Fault) -> EvalError {
        let text = |e: ExprId| self.policy.expr_text(e).to_string();
        match fault {
            Fault::Missing(f) => EvalError::Missing(
                self.policy
                    .field(f)
                    .map_or_else(|| Arc::from("?"), |x| x.path.clone()),
            ),
            Fault::Arith(error, e) => EvalError::Arith {
                error,
                expr: text(e),
            },
            Fault::Date(e) => EvalError::Date(text(e)),
            Fault::NotWholeDays(e) => {
                EvalError::Date(format!("{}: not a whole number of days", text(e)))
            }
            Fault::NotCovered(cal, day) => match self.policy.calendars.get(cal.index()) {
                Some(c) => EvalError::NotCovered {
                    calendar: c.name.clone(),
                    day,
                    covers: c.covers_text(),
                },
                None => EvalError::Internal("dangling calendar"),
            },
            Fault::Message(m) => EvalError::Requirement(m.into()),
            Fault::Internal(m) => EvalError::Internal(m),
        }
    }

    fn describe_text(&self, fault: Fault) -> String {
        self.describe(fault).to_string()
    }

    pub(crate) fn eval(&mut self, id: ExprId) -> Result<Value, Fault> {
        let policy = self.policy;
        let node = policy
            .node(id)
            .ok_or(Fault::Internal("dangling expression"))?;
        match node {
            Node::Const(v) => Ok(v.clone()),
            Node::Field(f) => self.field(*f),
            Node::Let(l) => {
                if let Some(Some(v)) = self.lets.get(l.index()) {
                    return Ok(v.clone());
                }
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
            Node::Not(e) => Ok(Value::Bool(!self.eval_bool(*e)?)),
            Node::Neg(e) => match self.eval(*e)? {
                Value::Num(d) => decimal::sub(rust_decimal::Decimal::ZERO, d)
                    .map(Value::Num)
                    .map_err(|e| Fault::Arith(e, id)),
                Value::Days(n) => n
                    .checked_neg()
                    .map(Value::Days)
                    .ok_or(Fault::Arith(ArithError::Overflow, id)),
                _ => Err(Fault::Internal("negating a non-number")),
            },
            Node::And(a, b) => Ok(Value::Bool(self.eval_bool(*a)? && self.eval_bool(*b)?)),
            Node::Or(a, b) => Ok(Value::Bool(self.eval_bool(*a)? || self.eval_bool(*b)?)),
            Node::Cmp(op, a, b) => {
                // Most conditions compare a field with a constant: compare
                // them where they are, without cloning either.
                let fast = match (self.value_ref(*a), self.value_ref(*b)) {
                    (Some(x), Some(y)) => Some(compare(x, y)),
                    _ => None,
                };
                let ord = match fast {
                    Some(ord) => ord,
                    None => {
                        let (x, y) = (self.eval(*a)?, self.eval(*b)?);
                        compare(&x, &y)
                    }
                };
                let ord = ord.ok_or(Fault::Internal("comparing values of different types"))?;
                Ok(Value::Bool(cmp_holds(*op, ord)))
            }
            Node::Arith(op, a, b) => {
                let (x, y) = (self.eval(*a)?, self.eval(*b)?);
                match (x, y) {
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
            Node::DateShift {
                date,
                days,
                subtract,
            } => {
                let d = self.eval_date(*date)?;
                let n = self.eval_whole(*days, id)?;
                let n = if *subtract { n.checked_neg() } else { Some(n) };
                n.and_then(|n| d.checked_add_signed(chrono::TimeDelta::try_days(n)?))
                    .map(Value::Date)
                    .ok_or(Fault::Date(id))
            }
            Node::Present { field, present } => {
                Ok(Value::Bool(self.record.get(*field).is_some() == *present))
            }
            Node::In {
                expr,
                list,
                negated,
            } => {
                let v = self.eval(*expr)?;
                let mut found = false;
                for item in list {
                    let w = self.eval(*item)?;
                    if compare(&v, &w) == Some(Ordering::Equal) {
                        found = true;
                        break;
                    }
                }
                Ok(Value::Bool(found != *negated))
            }
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
            Node::Call(func, args) => self.call(*func, args, id),
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

    fn field(&self, f: FieldId) -> Result<Value, Fault> {
        match self.record.get(f) {
            Some(v) => Ok(v.clone()),
            None => Err(Fault::Missing(f)),
        }
    }

    fn eval_bool(&mut self, id: ExprId) -> Result<bool, Fault> {
        match self.eval(id)? {
            Value::Bool(b) => Ok(b),
            _ => Err(Fault::Internal("condition is not a bool")),
        }
    }

    fn eval_num(&mut self, id: ExprId) -> Result<rust_decimal::Decimal, Fault> {
        match self.eval(id)? {
            Value::Num(d) => Ok(d),
            _ => Err(Fault::Internal("expected a number")),
        }
    }

    fn eval_date(&mut self, id: ExprId) -> Result<chrono::NaiveDate, Fault> {
        match self.eval(id)? {
            Value::Date(d) => Ok(d),
            _ => Err(Fault::Internal("expected a date")),
        }
    }

    /// A whole number of days (an int, a number or a duration).
    fn eval_whole(&mut self, id: ExprId, at: ExprId) -> Result<i64, Fault> {
        match self.eval(id)? {
            Value::Days(n) => Ok(n),
            Value::Num(d) => {
                if !d.fract().is_zero() {
                    return Err(Fault::NotWholeDays(at));
                }
                i64::try_from(d).map_err(|_| Fault::Arith(ArithError::Overflow, at))
            }
            _ => Err(Fault::Internal("expected a day count")),
        }
    }

    fn call(&mut self, func: Func, args: &[ExprId], id: ExprId) -> Result<Value, Fault> {
        let arg = |i: usize| {
            args.get(i)
                .copied()
                .ok_or(Fault::Internal("missing argument"))
        };
        match func {
            Func::Min | Func::Max => {
                let mut best = self.eval(arg(0)?)?;
                for a in args.iter().skip(1) {
                    let v = self.eval(*a)?;
                    let ord =
                        compare(&v, &best).ok_or(Fault::Internal("min/max of mixed values"))?;
                    let better = if func == Func::Min {
                        ord.is_lt()
                    } else {
                        ord.is_gt()
                    };
                    if better {
                        best = v;
                    }
                }
                Ok(best)
            }
            Func::FloorTo | Func::CeilTo => {
                let x = self.eval_num(arg(0)?)?;
                let step = self.eval_num(arg(1)?)?;
                let r = if func == Func::FloorTo {
                    decimal::floor_to(x, step)
                } else {
                    decimal::ceil_to(x, step)
                };
                r.map(Value::Num).map_err(|e| Fault::Arith(e, id))
            }
            Func::RoundCents => Ok(Value::Num(decimal::round_cents(self.eval_num(arg(0)?)?))),
            Func::Abs => Ok(Value::Num(self.eval_num(arg(0)?)?.abs())),
            Func::Days => {
                let a = self.eval_date(arg(0)?)?;
                let b = self.eval_date(arg(1)?)?;
                Ok(Value::Num(rust_decimal::Decimal::from(
                    b.signed_duration_since(a).num_days(),
                )))
            }
            Func::AddDays => {
                let d = self.eval_date(arg(0)?)?;
                let n = self.eval_whole(arg(1)?, id)?;
                chrono::TimeDelta::try_days(n)
                    .and_then(|delta| d.checked_add_signed(delta))
                    .map(Value::Date)
                    .ok_or(Fault::Date(id))
            }
            Func::BusinessDaysAfter(cal) => {
                let d = self.eval_date(arg(0)?)?;
                let n = self.eval_whole(arg(1)?, id)?;
                let n = u32::try_from(n).map_err(|_| Fault::NotWholeDays(id))?;
                let calendar = self
                    .policy
                    .calendars
                    .get(cal.index())
                    .ok_or(Fault::Internal("dangling calendar"))?;
                match calendar.business_days_after(d, n) {
                    Ok(counted) => {
                        if counted.used_outside {
                            self.fallbacks.note(cal.index());
                        }
                        Ok(Value::Date(counted.day))
                    }
                    Err(CalendarError::NotCovered(day)) => Err(Fault::NotCovered(cal, day)),
                    Err(CalendarError::DateOutOfRange) => Err(Fault::Date(id)),
                }
            }
            Func::IfAbsent => match self.eval(arg(0)?) {
                Err(Fault::Missing(_)) => self.eval(arg(1)?),
                other => other,
            },
        }
    }

    /// A reason template with values formatted for people. An absent field
    /// prints as `—`.
    fn render(&mut self, parts: &[TemplatePart]) -> Result<String, Fault> {
        let mut out = String::with_capacity(64);
        for part in parts {
            match part {
                TemplatePart::Text(t) => out.push_str(t),
                TemplatePart::Expr(e, ty) => match self.eval(*e) {
                    Ok(v) => crate::value::write_human(&mut out, &v, ty, &self.policy.symbols),
                    Err(Fault::Missing(_)) => out.push('—'),
                    Err(other) => return Err(other),
                },
            }
        }
        Ok(out)
    }

    /// A reason: a template rendered straight into its string.
    fn render_reason(&mut self, id: ExprId) -> Result<String, Fault> {
        let policy = self.policy;
        match policy.node(id) {
            Some(Node::Template(parts)) => self.render(parts),
            _ => match self.eval(id)? {
                Value::Text(t) => Ok(t.to_string()),
                other => Ok(human(&other, policy.expr_type(id), &policy.symbols)),
            },
        }
    }

    // ------------------------------------------------------------ conditions

    /// First-match evaluation: stops at the first item that settles a group.
    fn cond(&mut self, id: CondId) -> Result<Truth, Fault> {
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
    fn quiet_cond(&mut self, id: CondId) -> Result<Truth, Fault> {
        let trace = self.mode.trace;
        self.mode.trace = false;
        let t = self.cond(id);
        self.mode.trace = trace;
        t
    }

    fn trace_leaf(&mut self, kind: &'static str, e: ExprId, t: Truth) {
        let operands = self.operands(e);
        self.trace.push(TraceStep {
            ruleset: self.ruleset.cloned().unwrap_or_else(|| Arc::from("")),
            rule: self.rule.cloned(),
            kind,
            condition: self.policy.expr_text(e).to_string(),
            operands,
            result: match t {
                Truth::True => Some(true),
                Truth::False => Some(false),
                Truth::Unknown => None,
            },
        });
    }

    /// The values of a comparison's sides (or of the fields a test reads).
    fn operands(&mut self, e: ExprId) -> Vec<(String, String)> {
        let policy = self.policy;
        let mut out = Vec::new();
        let mut push = |this: &mut Self, x: ExprId| {
            if matches!(policy.node(x), Some(Node::Const(_))) {
                return;
            }
            let text = policy.expr_text(x).to_string();
            let shown = match this.eval(x) {
                Ok(v) => human(&v, policy.expr_type(x), &policy.symbols),
                Err(Fault::Missing(_)) => "absent".into(),
                Err(err) => format!("error: {}", this.describe_text(err)),
            };
            out.push((text, shown));
        };
        match policy.node(e) {
            Some(Node::Cmp(_, a, b)) => {
                push(self, *a);
                push(self, *b);
            }
            Some(Node::In { expr, .. }) => push(self, *expr),
            Some(Node::Or(a, b) | Node::And(a, b)) => {
                for side in [*a, *b] {
                    if let Some(Node::Cmp(_, x, y)) = policy.node(side) {
                        push(self, *x);
                        push(self, *y);
                    }
                }
            }
            _ => {}
        }
        out
    }

    /// Reasons of the items that made a condition true.
    fn met_reasons(&mut self, id: CondId, out: &mut Vec<String>) -> Result<(), Fault> {
        let policy = self.policy;
        let cond = policy
            .cond(id)
            .ok_or(Fault::Internal("dangling condition"))?;
        if let Some(reason) = cond.reason {
            out.push(self.render_reason(reason)?);
            return Ok(());
        }
        match &cond.kind {
            CondKind::Leaf(e) => out.push(self.auto_reason(*e)),
            CondKind::All(items) => {
                for item in items {
                    self.met_reasons(*item, out)?;
                }
            }
            CondKind::Any(items) => {
                for item in items {
                    if self.quiet_cond(*item)? == Truth::True {
                        self.met_reasons(*item, out)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Evaluates a condition in full (no short-circuit), pushes every unmet
    /// item when it is not true, and returns its truth. One pass: each leaf
    /// is evaluated once.
    fn unmet(&mut self, id: CondId, out: &mut Vec<Unmet>) -> Result<Truth, Fault> {
        let policy = self.policy;
        let cond = policy
            .cond(id)
            .ok_or(Fault::Internal("dangling condition"))?;
        match &cond.kind {
            CondKind::All(items) if cond.reason.is_none() => {
                let mut truth = Truth::True;
                for item in items {
                    match self.unmet(*item, out)? {
                        Truth::True => {}
                        Truth::False => truth = Truth::False,
                        Truth::Unknown if truth == Truth::True => truth = Truth::Unknown,
                        Truth::Unknown => {}
                    }
                }
                Ok(truth)
            }
            CondKind::Any(items) if cond.reason.is_none() => {
                let mark = out.len();
                let mut truth = Truth::False;
                for item in items {
                    match self.unmet(*item, out)? {
                        Truth::True => {
                            // The group holds: none of its items is unmet.
                            out.truncate(mark);
                            return Ok(Truth::True);
                        }
                        Truth::Unknown => truth = Truth::Unknown,
                        Truth::False => {}
                    }
                }
                Ok(truth)
            }
            _ => {
                let truth = self.quiet_cond(id)?;
                if truth == Truth::True {
                    return Ok(truth);
                }
                // Details (condition text, actual and required values) cost
                // allocations: only for explanations.
                let (condition, actual, required) = if self.mode.explain {
                    let text = strip_because(policy.sources.slice(cond.span));
                    let (actual, required) = match &cond.kind {
                        CondKind::Leaf(e) => self.actual_required(*e),
                        _ => (None, None),
                    };
                    (text, actual, required)
                } else {
                    (String::new(), None, None)
                };
                let reason = match cond.reason {
                    Some(r) => self.render_reason(r)?,
                    None => match &cond.kind {
                        CondKind::Leaf(e) => self.auto_reason(*e),
                        _ => format!(
                            "not met: {}",
                            strip_because(policy.sources.slice(cond.span))
                        ),
                    },
                };
                out.push(Unmet {
                    condition,
                    actual,
                    required,
                    reason,
                });
                Ok(truth)
            }
        }
    }

    /// For `x op y`: what `x` is, and `op y`.
    fn actual_required(&mut self, e: ExprId) -> (Option<String>, Option<String>) {
        let policy = self.policy;
        // A bare number takes the type of the side it is compared with, so
        // `quota.used = 0` prints its requirement as money.
        let show_as = |this: &mut Self, x: ExprId, like: ExprId| {
            let ty = match policy.expr_type(x) {
                crate::types::Ty::Number => policy.expr_type(like),
                other => other,
            };
            match this.eval(x) {
                Ok(v) => human(&v, ty, &policy.symbols),
                Err(Fault::Missing(_)) => "absent".into(),
                Err(err) => format!("error: {}", this.describe_text(err)),
            }
        };
        let show = |this: &mut Self, x: ExprId| show_as(this, x, x);
        match policy.node(e) {
            Some(Node::Cmp(op, a, b)) => {
                let actual = format!("{} = {}", policy.expr_text(*a), show_as(self, *a, *b));
                let required = format!("{} {}", op.symbol(), show_as(self, *b, *a));
                (Some(actual), Some(required))
            }
            Some(Node::In {
                expr,
                list,
                negated,
            }) => {
                let actual = format!("{} = {}", policy.expr_text(*expr), show(self, *expr));
                let values: Vec<String> = list.iter().map(|x| show(self, *x)).collect();
                let required = format!(
                    "{}one of {}",
                    if *negated { "not " } else { "" },
                    values.join(", ")
                );
                (Some(actual), Some(required))
            }
            _ => (None, None),
        }
    }

    /// A reason for a condition the author gave none: its text and values.
    fn auto_reason(&mut self, e: ExprId) -> String {
        let text = self.policy.expr_text(e).to_string();
        let operands = self.operands(e);
        if operands.is_empty() {
            text
        } else {
            let values: Vec<String> = operands.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            format!("{text} ({})", values.join(", "))
        }
    }

    // ------------------------------------------------------------ rulesets

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

fn holds_in(ev: &mut Evaluator<'_, '_>, req: &Requirement) -> Result<bool, Fault> {
    match ev.eval(req.expr) {
        Ok(Value::Bool(b)) => Ok(b),
        Ok(_) => Ok(false),
        Err(Fault::Missing(_)) => Ok(false),
        Err(other) => Err(other),
    }
}

fn requirement_text(ev: &mut Evaluator<'_, '_>, req: &Requirement) -> String {
    let mut text = match req.because {
        Some(b) => ev.render_reason(b).unwrap_or_else(|_| req.text.to_string()),
        None => format!("requirement `{}` is not met", req.text),
    };
    let operands = ev.operands(req.expr);
    if !operands.is_empty() {
        let values: Vec<String> = operands.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        text.push_str(&format!(" ({})", values.join(", ")));
    }
    text
}

/// Whether a schema requirement holds for a record.
pub(crate) fn holds(policy: &Policy, record: &Record, req: &Requirement) -> Result<bool, Fault> {
    let mut ev = Evaluator::new(
        policy,
        record,
        Mode {
            reasons: false,
            explain: false,
            trace: false,
        },
    );
    holds_in(&mut ev, req)
}

/// A fault in a schema requirement, for a person.
pub(crate) fn describe_fault(policy: &Policy, record: &Record, fault: Fault) -> String {
    let ev = Evaluator::new(
        policy,
        record,
        Mode {
            reasons: false,
            explain: false,
            trace: false,
        },
    );
    ev.describe_text(fault)
}

/// The message for a broken schema requirement, with the values involved.
pub(crate) fn requirement_message(policy: &Policy, record: &Record, req: &Requirement) -> String {
    let mut ev = Evaluator::new(
        policy,
        record,
        Mode {
            reasons: true,
            explain: false,
            trace: false,
        },
    );
    requirement_text(&mut ev, req)
}

/// A group item's source text includes its `because "..."`; drop it.
fn strip_because(text: &str) -> String {
    let cut = text
        .find(" because ")
        .or_else(|| text.find("\tbecause "))
        .or_else(|| text.find("\nbecause"));
    let body = match cut {
        Some(i) => text.get(..i).unwrap_or(text),
        None => text,
    };
    let lines: Vec<&str> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join(" ")
}
