//! Working-day calendars, declared as data in rule files.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};

/// Working weekdays plus listed holidays and make-up working days.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub name: String,
    /// Monday first.
    pub working_weekdays: [bool; 7],
    pub holidays: HashSet<NaiveDate>,
    pub make_up: HashSet<NaiveDate>,
}

/// Counting ran past every possible date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("date out of range")]
pub struct DateOutOfRange;

impl Calendar {
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.make_up.contains(&day) {
            return true;
        }
        if self.holidays.contains(&day) {
            return false;
        }
        let weekday = day.weekday().num_days_from_monday() as usize;
        self.working_weekdays.get(weekday).copied().unwrap_or(false)
    }

    /// The `n`-th working day after `day`. `day` itself never counts, so when
    /// it is not a working day counting starts from the next working day.
    /// `n = 0` is `day` itself.
    pub fn business_days_after(&self, day: NaiveDate, n: u32) -> Result<NaiveDate, DateOutOfRange> {
        let mut current = day;
        let mut left = n;
        // A week always holds a working day (the checker refuses calendars
        // without one), so this ends; the bound only guards against bugs.
        let bound = u64::from(n)
            .saturating_mul(7)
            .saturating_add(self.holidays.len() as u64)
            .saturating_add(14);
        let mut steps = 0u64;
        while left > 0 {
            current = current.succ_opt().ok_or(DateOutOfRange)?;
            if self.is_working_day(current) {
                left = left.saturating_sub(1);
            }
            steps = steps.saturating_add(1);
            if steps > bound {
                return Err(DateOutOfRange);
            }
        }
        Ok(current)
    }
}
