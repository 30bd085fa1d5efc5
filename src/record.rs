//! A snapshot read into the schema's typed slots, and what can be wrong
//! with one: the data every reader produces and every evaluator reads.

use std::fmt;

use crate::ir::FieldId;
use crate::value::Value;

/// A validated snapshot: one slot per schema field, `None` when absent.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub(crate) slots: Vec<Option<Value>>,
}

impl Record {
    /// Number of field slots (the schema's field count).
    pub fn slots_len(&self) -> usize {
        self.slots.len()
    }

    pub(crate) fn get(&self, id: FieldId) -> Option<&Value> {
        self.slots.get(id.index()).and_then(Option::as_ref)
    }

    /// Its slots, for the next record to be read into.
    pub(crate) fn into_slots(self) -> Vec<Option<Value>> {
        self.slots
    }
}

/// One thing wrong with a record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The field concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A record that cannot be decided, with every problem found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecordError {
    /// The merchant, when its id could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_id: Option<String>,
    /// Every problem found, never empty.
    pub problems: Vec<Problem>,
}

impl RecordError {
    pub(crate) fn single(message: impl Into<String>) -> Self {
        RecordError {
            merchant_id: None,
            problems: vec![Problem {
                field: None,
                message: message.into(),
            }],
        }
    }
}

impl std::error::Error for RecordError {}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}
