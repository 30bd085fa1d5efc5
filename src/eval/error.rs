//! Faults inside evaluation, and the errors people read.

use std::sync::Arc;

use super::Evaluator;
use crate::decimal::ArithError;
use crate::ir::{CalendarId, ExprId, FieldId};

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
    /// A day count that cannot be counted: with a fraction, too large, or
    /// negative where working days are counted.
    #[error("{problem} in `{expr}`")]
    DayCount {
        /// What is wrong with it.
        problem: &'static str,
        /// The rule text of the expression.
        expr: String,
    },
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
    #[error(
        "calendar `{calendar}` does not cover {day} (it covers {covers}), needed by `{needed_by}`; add that year's holidays"
    )]
    NotCovered {
        /// The calendar.
        calendar: String,
        /// The date it does not cover.
        day: chrono::NaiveDate,
        /// The dates it covers, as its `covers` line writes them.
        covers: String,
        /// Where counting stepped onto it: `ruleset.rule`, or the ruleset
        /// alone outside its rules.
        needed_by: String,
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
    /// A whole day count too large (or negative) to count.
    DayCount(crate::builtins::DayCountError, ExprId),
    /// A date a calendar does not cover (see [`EvalError::NotCovered`]).
    NotCovered(CalendarId, chrono::NaiveDate),
    /// Rare failures, already rendered.
    Message(Box<str>),
    Internal(&'static str),
}

impl Evaluator<'_, '_> {
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
            Fault::NotWholeDays(e) => EvalError::DayCount {
                problem: "not a whole number of days",
                expr: text(e),
            },
            Fault::DayCount(problem, e) => EvalError::DayCount {
                problem: problem.message(),
                expr: text(e),
            },
            Fault::NotCovered(cal, day) => match self.policy.calendars.get(cal.index()) {
                Some(c) => EvalError::NotCovered {
                    calendar: c.name.clone(),
                    day,
                    covers: c.covers_text(),
                    needed_by: crate::calendar::place_text(
                        self.ruleset.map(|r| &**r),
                        self.rule.map(|r| &**r),
                    ),
                },
                None => EvalError::Internal("dangling calendar"),
            },
            Fault::Message(m) => EvalError::Requirement(m.into()),
            Fault::Internal(m) => EvalError::Internal(m),
        }
    }

    pub(super) fn describe_text(&self, fault: Fault) -> String {
        self.describe(fault).to_string()
    }
}
