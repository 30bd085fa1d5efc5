//! Working-day calendars, declared as data in rule files.
//!
//! A calendar knows the working status of the dates it `covers`: there a day
//! is a working day if it is a make-up day, or a working weekday that is not
//! a holiday. A date outside the covered dates counts by the calendar's
//! `outside` weekdays, or is an error when it has none: nobody entered that
//! year's holidays, so nobody knows.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use crate::span::Span;

/// Working weekdays plus listed holidays and make-up working days, for the
/// dates the calendar covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Calendar {
    pub name: String,
    /// Monday first.
    pub working_weekdays: [bool; 7],
    pub holidays: HashSet<NaiveDate>,
    pub make_up: HashSet<NaiveDate>,
    /// The dates whose working status the calendar knows, sorted, without
    /// overlaps or touching spans; `None` covers every date.
    pub covers: Option<Vec<DateSpan>>,
    /// The working weekdays of a date outside `covers` (Monday first);
    /// `None` makes counting onto such a date an error.
    pub outside: Option<[bool; 7]>,
    /// Where its (first) block names it, for warnings about the calendar.
    pub(crate) declared_at: Span,
    /// The rulesets that count working days with it, each once, in the
    /// order the checker met them (`schema` for a schema requirement).
    pub(crate) used_by: Vec<String>,
}

/// The dates `first..=last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateSpan {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// Why counting working days failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CalendarError {
    /// Counting ran past every possible date.
    #[error("date out of range")]
    DateOutOfRange,
    /// Counting stepped onto a date the calendar does not cover, and the
    /// calendar has no `outside` weekdays.
    #[error("{0} is not covered")]
    NotCovered(NaiveDate),
}

/// The `n`-th working day after a date, and the first date counting
/// stepped onto that the calendar does not cover (counted with its
/// `outside` weekdays), if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counted {
    pub day: NaiveDate,
    pub first_outside: Option<NaiveDate>,
}

/// What a calendar says about one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// A covered date.
    Covered { working: bool },
    /// Outside the covered dates, counted by the `outside` weekdays.
    Outside { working: bool },
    /// Outside the covered dates, and the calendar has no `outside`.
    Unknown,
}

impl Calendar {
    fn status(&self, day: NaiveDate) -> Status {
        let weekday = day.weekday().num_days_from_monday() as usize;
        if !self.covers(day) {
            return match &self.outside {
                Some(weekdays) => Status::Outside {
                    working: weekdays.get(weekday).copied().unwrap_or(false),
                },
                None => Status::Unknown,
            };
        }
        let working = self.make_up.contains(&day)
            || (!self.holidays.contains(&day)
                && self.working_weekdays.get(weekday).copied().unwrap_or(false));
        Status::Covered { working }
    }

    /// Whether the calendar knows `day`'s working status from its lists.
    pub(crate) fn covers(&self, day: NaiveDate) -> bool {
        let Some(spans) = &self.covers else {
            return true;
        };
        // Sorted and disjoint: the only candidate is the last span that
        // starts on or before `day`.
        let after = spans.partition_point(|s| s.first <= day);
        after
            .checked_sub(1)
            .and_then(|i| spans.get(i))
            .is_some_and(|s| day <= s.last)
    }

    /// Whether `day` is a working day; `None` when the calendar does not
    /// cover it and has no `outside` weekdays.
    #[cfg(test)]
    pub(crate) fn is_working_day(&self, day: NaiveDate) -> Option<bool> {
        match self.status(day) {
            Status::Covered { working } | Status::Outside { working } => Some(working),
            Status::Unknown => None,
        }
    }

    /// The `n`-th working day after `day`. `day` itself never counts, so when
    /// it is not a working day counting starts from the next working day.
    /// `n = 0` is `day` itself. Only the dates counting steps onto must be
    /// known: `day` itself is never looked up.
    pub(crate) fn business_days_after(
        &self,
        day: NaiveDate,
        n: u32,
    ) -> Result<Counted, CalendarError> {
        let mut current = day;
        let mut left = n;
        let mut first_outside = None;
        // A week always holds a working day, covered or not (the checker
        // refuses calendars without one), so this ends; the bound only
        // guards against bugs.
        let bound = u64::from(n)
            .saturating_mul(7)
            .saturating_add(self.holidays.len() as u64)
            .saturating_add(14);
        let mut steps = 0u64;
        while left > 0 {
            current = current.succ_opt().ok_or(CalendarError::DateOutOfRange)?;
            let working = match self.status(current) {
                Status::Covered { working } => working,
                Status::Outside { working } => {
                    first_outside = first_outside.or(Some(current));
                    working
                }
                Status::Unknown => return Err(CalendarError::NotCovered(current)),
            };
            if working {
                left = left.saturating_sub(1);
            }
            steps = steps.saturating_add(1);
            if steps > bound {
                return Err(CalendarError::DateOutOfRange);
            }
        }
        Ok(Counted {
            day: current,
            first_outside,
        })
    }

    /// The covered dates as written in a `covers` line
    /// (`2026-01-01..2026-12-31`), or `every date`.
    pub(crate) fn covers_text(&self) -> String {
        match &self.covers {
            None => "every date".into(),
            Some(spans) => spans
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// The `outside` weekdays as written in an `outside` line
    /// (`monday..friday`).
    pub(crate) fn outside_text(&self) -> Option<String> {
        self.outside.as_ref().map(weekdays_text)
    }
}

impl DateSpan {
    /// Sorts spans and joins the ones that overlap or touch, so that each
    /// date lies in at most one and neighbours are at least a day apart.
    pub(crate) fn merge(mut spans: Vec<DateSpan>) -> Vec<DateSpan> {
        spans.sort_by_key(|s| s.first);
        let mut out: Vec<DateSpan> = Vec::with_capacity(spans.len());
        for s in spans {
            match out.last_mut() {
                Some(prev) if prev.last.succ_opt().is_none_or(|next| s.first <= next) => {
                    prev.last = prev.last.max(s.last);
                }
                _ => out.push(s),
            }
        }
        out
    }

    /// Whether every date of `first..=last` lies in one of `spans` (merged
    /// by [`DateSpan::merge`]). Returns the first date that does not.
    pub(crate) fn first_uncovered(
        spans: &[DateSpan],
        first: NaiveDate,
        last: NaiveDate,
    ) -> Option<NaiveDate> {
        let after = spans.partition_point(|s| s.first <= first);
        let holder = after.checked_sub(1).and_then(|i| spans.get(i));
        match holder {
            Some(s) if first <= s.last => (last > s.last).then(|| s.last.succ_opt()).flatten(),
            _ => Some(first),
        }
    }
}

impl DateSpan {
    /// `2026-01-01..2027-12-31` or one date, as a `covers` line writes it
    /// (a `--horizon` option); the error says what is wrong.
    pub(crate) fn parse(text: &str) -> Result<DateSpan, String> {
        let date = |t: &str| {
            t.trim()
                .parse::<NaiveDate>()
                .map_err(|_| format!("`{}` is not a date (write YYYY-MM-DD)", t.trim()))
        };
        let (first, last) = match text.split_once("..") {
            Some((a, b)) => (date(a)?, date(b)?),
            None => (date(text)?, date(text)?),
        };
        if last < first {
            return Err(format!(
                "`{text}` runs backwards: write the earlier date first"
            ));
        }
        Ok(DateSpan { first, last })
    }

    /// The dates of `self` that none of `spans` (merged by
    /// [`DateSpan::merge`]) holds, as spans in date order.
    pub(crate) fn gaps(self, spans: &[DateSpan]) -> Vec<DateSpan> {
        let mut out = Vec::new();
        let mut from = Some(self.first);
        for s in spans {
            let Some(start) = from.filter(|f| *f <= self.last) else {
                break;
            };
            if s.last < start {
                continue;
            }
            if s.first > start {
                let end = s.first.pred_opt().unwrap_or(start).min(self.last);
                out.push(DateSpan {
                    first: start,
                    last: end,
                });
            }
            from = s.last.succ_opt();
        }
        if let Some(start) = from.filter(|f| *f <= self.last) {
            out.push(DateSpan {
                first: start,
                last: self.last,
            });
        }
        out
    }
}

impl fmt::Display for DateSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}..{}", self.first, self.last)
        }
    }
}

/// Weekday names as rule files write them, Monday first.
pub(crate) const WEEKDAY_NAMES: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Weekdays as the ranges a rule file writes them: runs of consecutive
/// days, Monday first (`monday..friday`, `monday, wednesday..thursday`).
pub(crate) fn weekdays_text(days: &[bool; 7]) -> String {
    let mut parts = Vec::new();
    let mut run: Option<(usize, usize)> = None;
    for (i, on) in days.iter().enumerate() {
        match (run, *on) {
            (Some((a, _)), true) => run = Some((a, i)),
            (None, true) => run = Some((i, i)),
            (Some(r), false) => {
                parts.push(r);
                run = None;
            }
            (None, false) => {}
        }
    }
    parts.extend(run);
    let name = |i: usize| WEEKDAY_NAMES.get(i).copied().unwrap_or("?");
    parts
        .into_iter()
        .map(|(a, b)| {
            if a == b {
                name(a).to_string()
            } else {
                format!("{}..{}", name(a), name(b))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The calendars that counted at least one date with their `outside`
/// weekdays while deciding one record, by index in the policy's
/// calendars, and where that happened. Nothing is allocated unless a policy
/// has more than 64 calendars: the places are kept inline, a few per
/// record (a record rarely counts in more than one rule).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Fallbacks {
    bits: u64,
    more: Vec<usize>,
    places: [Option<OutsideUse>; PLACES_PER_RECORD],
}

/// How many different (calendar, ruleset, rule) places one record keeps.
const PLACES_PER_RECORD: usize = 4;

/// Where a calendar first counted a date it does not cover: the date, and
/// the ruleset and rule being decided (no rule: its `applies`,
/// requirements or `otherwise`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutsideUse {
    /// Index in the policy's calendars.
    pub calendar: usize,
    /// The first uncovered date counted.
    pub day: NaiveDate,
    /// The ruleset being decided.
    pub ruleset: Option<Arc<str>>,
    /// The rule being decided.
    pub rule: Option<Arc<str>>,
}

/// `ruleset.rule`, `ruleset` outside any rule, `schema` outside any
/// ruleset.
pub(crate) fn place_text(ruleset: Option<&str>, rule: Option<&str>) -> String {
    match (ruleset, rule) {
        (Some(rs), Some(rule)) => format!("{rs}.{rule}"),
        (Some(rs), None) => rs.to_string(),
        (None, _) => "schema".to_string(),
    }
}

impl Fallbacks {
    /// Notes that calendar `index` used its `outside` weekdays.
    pub(crate) fn note(&mut self, index: usize) {
        match u32::try_from(index).ok().and_then(|i| 1u64.checked_shl(i)) {
            Some(bit) => self.bits |= bit,
            None => {
                if !self.more.contains(&index) {
                    self.more.push(index);
                }
            }
        }
    }

    /// Notes that a calendar counted `use_.day` with its `outside`
    /// weekdays in a ruleset and rule: the calendar, and the place once
    /// (its earliest date) while there is room.
    pub(crate) fn note_use(&mut self, use_: OutsideUse) {
        self.note(use_.calendar);
        let same = |p: &OutsideUse| {
            p.calendar == use_.calendar && p.ruleset == use_.ruleset && p.rule == use_.rule
        };
        if let Some(p) = self.places.iter_mut().flatten().find(|p| same(p)) {
            p.day = p.day.min(use_.day);
        } else if let Some(slot) = self.places.iter_mut().find(|p| p.is_none()) {
            *slot = Some(use_);
        }
    }

    /// Whether no calendar used its `outside` weekdays.
    pub(crate) fn is_empty(&self) -> bool {
        self.bits == 0 && self.more.is_empty()
    }

    /// The indexes of the calendars that did, each once.
    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        let mut bits = self.bits;
        std::iter::from_fn(move || {
            let i = bits.trailing_zeros();
            // Clears the lowest bit set (`bits` is not zero here).
            bits &= bits.wrapping_sub(1);
            (i < 64).then_some(i as usize)
        })
        .chain(self.more.iter().copied())
    }

    /// Where they did: each (calendar, ruleset, rule) once, with its
    /// earliest uncovered date.
    pub(crate) fn places(&self) -> impl Iterator<Item = &OutsideUse> + '_ {
        self.places.iter().flatten()
    }
}

/// How many uncovered dates a run names per calendar (the earliest).
pub(crate) const DATES_NAMED: usize = 5;

/// The calendar fallbacks of many decisions, per calendar index: how many
/// decisions used `outside` weekdays, the earliest dates they counted and
/// the places that counted them. Bounded: at most [`DATES_NAMED`] dates
/// per calendar, and places are the policy's rules.
#[derive(Debug, Clone, Default)]
pub(crate) struct FallbackTally {
    pub(crate) calendars: Vec<CalendarTally>,
}

/// Where counting happened: the ruleset and the rule (see [`OutsideUse`]).
pub(crate) type Place = (Option<Arc<str>>, Option<Arc<str>>);

/// [`FallbackTally`] of one calendar.
#[derive(Debug, Clone, Default)]
pub(crate) struct CalendarTally {
    pub(crate) decisions: u64,
    /// The earliest uncovered dates counted, sorted, each once.
    pub(crate) dates: std::collections::BTreeSet<NaiveDate>,
    /// `ruleset.rule` of every place that counted one.
    pub(crate) places: std::collections::BTreeSet<Place>,
}

impl FallbackTally {
    /// Counts one decision's fallbacks.
    pub(crate) fn add(&mut self, fallbacks: &Fallbacks) {
        for calendar in fallbacks.iter() {
            if let Some(t) = self.at(calendar) {
                t.decisions += 1;
            }
        }
        for p in fallbacks.places() {
            if let Some(t) = self.at(p.calendar) {
                t.note_date(p.day);
                if !t.places.contains(&(p.ruleset.clone(), p.rule.clone())) {
                    t.places.insert((p.ruleset.clone(), p.rule.clone()));
                }
            }
        }
    }

    /// Empties the tally for the next chunk.
    pub(crate) fn clear(&mut self) {
        self.calendars.clear();
    }

    fn at(&mut self, calendar: usize) -> Option<&mut CalendarTally> {
        if self.calendars.len() <= calendar {
            self.calendars
                .resize_with(calendar + 1, CalendarTally::default);
        }
        self.calendars.get_mut(calendar)
    }
}

impl CalendarTally {
    /// Keeps `day` if it is among the [`DATES_NAMED`] earliest.
    fn note_date(&mut self, day: NaiveDate) {
        if self.dates.len() < DATES_NAMED {
            self.dates.insert(day);
        } else if self.dates.last().is_some_and(|last| day < *last) && self.dates.insert(day) {
            self.dates.pop_last();
        }
    }
}

#[cfg(test)]
mod tests;
