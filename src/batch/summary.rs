//! Counts of a batch run, for stderr and `--summary-json`.

use std::fmt;
use std::time::Duration;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use chrono::NaiveDate;

use crate::calendar::FallbackTally;
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
    /// The earliest of those dates (at most five), sorted.
    pub dates: Vec<NaiveDate>,
    /// Where counting stepped onto them: `ruleset.rule`, or the ruleset
    /// alone outside its rules; sorted, each once.
    pub needed_by: Vec<String>,
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
                        dates: Vec::new(),
                        needed_by: Vec::new(),
                    })
                })
                .collect(),
            elapsed: Duration::ZERO,
        }
    }

    /// Adds the fallbacks of a group of decisions (see
    /// [`CalendarFallbacks`]).
    pub(crate) fn count_calendar_fallbacks(&mut self, tally: &FallbackTally) {
        for c in &mut self.calendar_fallbacks {
            let Some(t) = tally.calendars.get(c.index) else {
                continue;
            };
            c.decisions += t.decisions;
            if t.dates.is_empty() && t.places.is_empty() {
                continue;
            }
            let mut dates: Vec<NaiveDate> = c.dates.iter().chain(&t.dates).copied().collect();
            dates.sort_unstable();
            dates.dedup();
            dates.truncate(crate::calendar::DATES_NAMED);
            c.dates = dates;
            for (ruleset, rule) in &t.places {
                let place = crate::calendar::place_text(ruleset.as_deref(), rule.as_deref());
                if let Err(at) = c.needed_by.binary_search(&place) {
                    c.needed_by.insert(at, place);
                }
            }
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
                "calendar {}: {} {} used dates outside {} (plain {}){}{}; add the next year's holidays",
                c.calendar,
                c.decisions,
                if c.decisions == 1 {
                    "decision"
                } else {
                    "decisions"
                },
                c.covers,
                c.outside,
                c.dates_text(),
                c.needed_by_text(),
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

impl CalendarFallbacks {
    /// `, earliest 2027-01-04, 2027-01-05`, or nothing.
    fn dates_text(&self) -> String {
        if self.dates.is_empty() {
            return String::new();
        }
        let dates: Vec<String> = self.dates.iter().map(ToString::to_string).collect();
        format!(", earliest {}", dates.join(", "))
    }

    /// `, needed by exit_request.unbind, exit_request.exit_service`, or
    /// nothing.
    fn needed_by_text(&self) -> String {
        if self.needed_by.is_empty() {
            String::new()
        } else {
            format!(", needed by {}", self.needed_by.join(", "))
        }
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
        let outside: serde_json::Map<String, serde_json::Value> = self
            .calendar_fallbacks
            .iter()
            .map(|c| {
                let detail = serde_json::json!({
                    "decisions": c.decisions,
                    "covers": c.covers,
                    "outside": c.outside,
                    "earliest_dates": c.dates.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "needed_by": c.needed_by,
                });
                (c.calendar.clone(), detail)
            })
            .collect();
        map.serialize_entry("calendar_outside", &outside)?;
        map.serialize_entry("elapsed_seconds", &self.elapsed.as_secs_f64())?;
        map.serialize_entry("records_per_second", &self.throughput())?;
        map.end()
    }
}
