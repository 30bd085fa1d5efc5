//! Counts of a batch run, for stderr and `--summary-json`.

use std::fmt;
use std::time::Duration;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::ir::Policy;

/// Records read, decided and rejected, and outcomes per ruleset.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Records read (each decided or rejected, exactly once).
    pub read: u64,
    /// Records rejected.
    pub rejected: u64,
    /// Rejects caused by a bug (a caught panic), not by the record.
    pub internal_errors: u64,
    /// Per ruleset: its name and (outcome, count) in declaration order.
    pub outcomes: Vec<(String, Vec<(String, u64)>)>,
    /// One per calendar with an `outside` clause, in declaration order.
    pub calendar_fallbacks: Vec<CalendarFallbacks>,
    /// Time from the start of the run.
    pub elapsed: Duration,
}

/// The decisions that counted at least one date outside a calendar's
/// covered dates with its `outside` weekdays.
#[derive(Debug, Clone)]
pub struct CalendarFallbacks {
    /// The calendar's name.
    pub calendar: String,
    /// Index in the policy's calendars.
    index: usize,
    /// The covered dates, as a `covers` line writes them.
    pub covers: String,
    /// The `outside` weekdays, as an `outside` line writes them.
    pub outside: String,
    /// Decisions that counted at least one date with the `outside` weekdays.
    pub decisions: u64,
}

impl Summary {
    pub(crate) fn new(policy: &Policy) -> Self {
        Summary {
            read: 0,
            rejected: 0,
            internal_errors: 0,
            outcomes: policy
                .rulesets
                .iter()
                .map(|r| {
                    (
                        r.name.to_string(),
                        r.outcomes.iter().map(|o| (o.to_string(), 0)).collect(),
                    )
                })
                .collect(),
            calendar_fallbacks: policy
                .calendars
                .iter()
                .enumerate()
                .filter_map(|(index, c)| {
                    Some(CalendarFallbacks {
                        calendar: c.name.clone(),
                        index,
                        covers: c.covers_text(),
                        outside: c.outside_text()?,
                        decisions: 0,
                    })
                })
                .collect(),
            elapsed: Duration::ZERO,
        }
    }

    /// Adds decisions per calendar index (see [`CalendarFallbacks`]).
    pub(crate) fn count_calendar_fallbacks(&mut self, per_calendar: &[u64]) {
        for c in &mut self.calendar_fallbacks {
            c.decisions += per_calendar.get(c.index).copied().unwrap_or(0);
        }
    }

    pub(crate) fn count(&mut self, outcomes: &[usize]) {
        for ((_, counts), &o) in self.outcomes.iter_mut().zip(outcomes) {
            if let Some((_, n)) = counts.get_mut(o) {
                *n += 1;
            }
        }
    }

    /// Records decided.
    pub fn decided(&self) -> u64 {
        self.read - self.rejected
    }

    /// Records per second over the whole run.
    pub fn throughput(&self) -> u64 {
        let micros = self.elapsed.as_micros().max(1);
        u64::try_from(u128::from(self.read) * 1_000_000 / micros).unwrap_or(u64::MAX)
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "read {}, decided {}, rejected {}",
            self.read,
            self.decided(),
            self.rejected
        )?;
        for (ruleset, counts) in &self.outcomes {
            let parts: Vec<String> = counts
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(o, n)| format!("{o} {n}"))
                .collect();
            writeln!(
                f,
                "  {ruleset}: {}",
                if parts.is_empty() {
                    "-".into()
                } else {
                    parts.join(", ")
                }
            )?;
        }
        for c in self.calendar_fallbacks.iter().filter(|c| c.decisions > 0) {
            writeln!(
                f,
                "calendar {}: {} {} used dates outside {} (plain {}); add the next year's holidays",
                c.calendar,
                c.decisions,
                if c.decisions == 1 {
                    "decision"
                } else {
                    "decisions"
                },
                c.covers,
                c.outside
            )?;
        }
        write!(
            f,
            "elapsed {:.3}s, {} records/s",
            self.elapsed.as_secs_f64(),
            self.throughput()
        )
    }
}

struct Counts<'a>(&'a [(String, Vec<(String, u64)>)]);

impl Serialize for Counts<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (ruleset, counts) in self.0 {
            let inner: serde_json::Map<String, serde_json::Value> = counts
                .iter()
                .map(|(o, n)| (o.clone(), serde_json::Value::from(*n)))
                .collect();
            map.serialize_entry(ruleset, &inner)?;
        }
        map.end()
    }
}

impl Serialize for Summary {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("read", &self.read)?;
        map.serialize_entry("decided", &self.decided())?;
        map.serialize_entry("rejected", &self.rejected)?;
        map.serialize_entry("internal_errors", &self.internal_errors)?;
        map.serialize_entry("outcomes", &Counts(&self.outcomes))?;
        let fallbacks: serde_json::Map<String, serde_json::Value> = self
            .calendar_fallbacks
            .iter()
            .map(|c| (c.calendar.clone(), serde_json::Value::from(c.decisions)))
            .collect();
        map.serialize_entry("calendar_fallbacks", &fallbacks)?;
        map.serialize_entry("elapsed_seconds", &self.elapsed.as_secs_f64())?;
        map.serialize_entry("records_per_second", &self.throughput())?;
        map.end()
    }
}
