//! Decisions: plain data, serialized as the decision record of the policy
//! (one JSON object per snapshot).

mod line;

use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::calendar::Fallbacks;
use crate::eval::{TraceStep, Unmet};
use crate::value::money_json;

/// Every ruleset's decision for one snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The snapshot's `merchant_id`, when the schema has one.
    pub merchant_id: Option<String>,
    /// Hash of the rule files that decided.
    pub ruleset_version: Arc<str>,
    /// One per ruleset, in evaluation order.
    pub rulesets: Vec<RulesetDecision>,
    /// Every condition tried, when a trace was asked for.
    pub trace: Vec<TraceStep>,
    /// Whether the record carries unmet conditions' actual and required values.
    pub explained: bool,
    /// The language the policy declares: explanations are framed in it.
    pub language: crate::language::Language,
    /// The calendars that counted a date outside their covered dates with
    /// their `outside` weekdays (not part of the decision record).
    pub(crate) calendar_fallbacks: Fallbacks,
}

/// One ruleset's outcome, outputs and reasons.
#[derive(Debug, Clone, PartialEq)]
pub struct RulesetDecision {
    /// The ruleset's name.
    pub ruleset: Arc<str>,
    /// Its title (`"额度调整"`), when it has one.
    pub title: Option<Arc<str>>,
    /// The outcome it gave.
    pub outcome: Arc<str>,
    /// What a merchant reads for the outcome (`increase "提额"`), when the
    /// policy labels it.
    pub outcome_label: Option<Arc<str>>,
    /// The deciding rule (`otherwise` for the default); `None` when the
    /// ruleset did not apply.
    pub rule: Option<Arc<str>>,
    /// The deciding rule's title (`"提升额度"`), when it has one; `None`
    /// for `otherwise` and when the ruleset did not apply.
    pub rule_title: Option<Arc<str>>,
    /// Outputs that have a value, in declaration order.
    pub outputs: Vec<(Arc<str>, OutputValue)>,
    /// Each output's label (`output new_limit "额度" money`), parallel to
    /// `outputs`: only labelled outputs are shown to merchants.
    pub output_labels: Vec<Option<Arc<str>>>,
    /// The author's reasons, with the record's values filled in.
    pub reasons: Vec<String>,
    /// Parallel to `reasons`: whether the author wrote the text (`false`
    /// for a condition without one, whose reason is its rule text, never
    /// shown to merchants).
    pub reasons_written: Vec<bool>,
    /// Conditions not met, with actual and required values (denials, holds).
    pub unmet: Vec<Unmet>,
}

/// A typed output value.
#[derive(Debug, Clone, PartialEq)]
pub enum OutputValue {
    /// CNY, written with exactly two decimals.
    Money(Decimal),
    /// A decimal number.
    Decimal(Decimal),
    /// A fraction (`0.985`), shown to people as a percentage.
    Rate(Decimal),
    /// A whole number.
    Int(Decimal),
    /// A calendar date.
    Date(NaiveDate),
    /// A number of days.
    Days(i64),
    /// True or false.
    Bool(bool),
    /// Text (enum values too).
    Text(String),
    /// A list (`notes`).
    List(Vec<OutputValue>),
}

impl OutputValue {
    /// The value as a person reads it.
    pub fn human(&self) -> String {
        match self {
            OutputValue::Money(d) => crate::value::money_human(*d),
            OutputValue::Rate(d) => crate::value::rate_human(*d),
            OutputValue::Decimal(d) | OutputValue::Int(d) => d.normalize().to_string(),
            OutputValue::Date(d) => crate::value::date_iso(*d),
            OutputValue::Days(n) => format!("{n} days"),
            OutputValue::Bool(b) => b.to_string(),
            OutputValue::Text(t) => t.clone(),
            OutputValue::List(items) => {
                let parts: Vec<String> = items.iter().map(OutputValue::human).collect();
                format!("[{}]", parts.join("; "))
            }
        }
    }
}

impl Serialize for OutputValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            OutputValue::Money(d) => s.serialize_str(&money_json(*d)),
            OutputValue::Decimal(d) | OutputValue::Rate(d) => {
                s.serialize_str(&d.normalize().to_string())
            }
            OutputValue::Int(d) => match i64::try_from(*d) {
                Ok(n) => s.serialize_i64(n),
                Err(_) => s.serialize_str(&d.to_string()),
            },
            OutputValue::Date(d) => s.serialize_str(&crate::value::date_iso(*d)),
            OutputValue::Days(n) => s.serialize_i64(*n),
            OutputValue::Bool(b) => s.serialize_bool(*b),
            OutputValue::Text(t) => s.serialize_str(t),
            OutputValue::List(items) => items.serialize(s),
        }
    }
}

impl RulesetDecision {
    /// An output's value, if it has one.
    pub fn output(&self, name: &str) -> Option<&OutputValue> {
        self.outputs
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| v)
    }
}

impl Decision {
    /// The decision of a ruleset, by name.
    pub fn ruleset(&self, name: &str) -> Option<&RulesetDecision> {
        self.rulesets.iter().find(|r| &*r.ruleset == name)
    }

    /// Whether counting working days went past a calendar's covered dates
    /// and used its `outside` weekdays (the batch summary counts these).
    pub fn used_calendar_fallback(&self) -> bool {
        !self.calendar_fallbacks.is_empty()
    }
}

impl Serialize for RulesetDecision {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("outcome", &*self.outcome)?;
        if let Some(rule) = &self.rule {
            map.serialize_entry("rule", &**rule)?;
        }
        for (name, value) in &self.outputs {
            map.serialize_entry(&**name, value)?;
        }
        map.serialize_entry("reasons", &self.reasons)?;
        map.end()
    }
}

struct Rulesets<'a>(&'a [RulesetDecision], bool);

/// A ruleset decision with its unmet conditions spelled out.
struct Explained<'a>(&'a RulesetDecision);

impl Serialize for Explained<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("outcome", &*r.outcome)?;
        if let Some(rule) = &r.rule {
            map.serialize_entry("rule", &**rule)?;
        }
        for (name, value) in &r.outputs {
            map.serialize_entry(&**name, value)?;
        }
        map.serialize_entry("reasons", &r.reasons)?;
        if !r.unmet.is_empty() {
            map.serialize_entry("unmet", &r.unmet)?;
        }
        map.end()
    }
}

impl Serialize for Rulesets<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for r in self.0 {
            if self.1 {
                map.serialize_entry(&*r.ruleset, &Explained(r))?;
            } else {
                map.serialize_entry(&*r.ruleset, r)?;
            }
        }
        map.end()
    }
}

impl Serialize for Decision {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("merchant_id", &self.merchant_id)?;
        map.serialize_entry("ruleset_version", &*self.ruleset_version)?;
        map.serialize_entry("decisions", &Rulesets(&self.rulesets, self.explained))?;
        if !self.trace.is_empty() {
            map.serialize_entry("trace", &self.trace)?;
        }
        map.end()
    }
}
