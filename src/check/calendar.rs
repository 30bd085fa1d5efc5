//! Calendars: each block checked on its own, the blocks of one name merged
//! into one calendar, and the dates an author most likely got wrong.
//!
//! A calendar may be declared in several blocks with the same name, each
//! with its own `covers` (a year per block, in a file of its own), so adding
//! a year touches no other block. The blocks' `covers` may not overlap, and
//! `working` and `outside` hold for the whole calendar.
//!
//! Dates that are certainly wrong are errors (a date both a holiday and a
//! make-up day); dates that change nothing are warnings (a make-up day on a
//! working weekday, a holiday made only of rest days, a date listed twice).
//! A holiday range may include weekend days: Chinese holidays do
//! (2026-10-01..2026-10-07), so only a holiday with no working weekday at
//! all is a warning.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use crate::ast::{self, Decl};
use crate::calendar::{weekdays_text, Calendar, DateSpan, WEEKDAY_NAMES};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::CalendarId;
use crate::names::{Definition, Kind, Symbol};
use crate::span::Span;

use super::Checker;

/// The working weekdays of a calendar that says none (Monday first).
const MONDAY_TO_FRIDAY: [bool; 7] = [true, true, true, true, true, false, false];

/// A calendar no rule counts working days with (a warning; only asked
/// when the policy has rulesets and no errors).
pub(super) fn unused(c: &Calendar) -> Option<Diagnostic> {
    c.used_by.is_empty().then(|| {
        Diagnostic::warning(
            Code::UnusedCalendar,
            c.declared_at,
            format!("calendar `{}` is never used", c.name),
        )
        .with_help(format!(
            "no rule counts working days with it; delete it, or use it: `business_days_after(as_of, 3, calendar {})`",
            c.name
        ))
    })
}

/// A warning (V042) for each calendar the rules use whose `covers` leaves
/// out dates of `horizon` (the range of dates the policy must decide),
/// naming those dates and the rulesets that count with the calendar.
pub(crate) fn horizon_warnings(calendars: &[Calendar], horizon: DateSpan) -> Vec<Diagnostic> {
    /// Gaps named in one message; the rest are counted.
    const NAMED: usize = 3;
    let mut out = Vec::new();
    for c in calendars.iter().filter(|c| !c.used_by.is_empty()) {
        let Some(covers) = &c.covers else {
            continue; // covers every date
        };
        let gaps = horizon.gaps(covers);
        if gaps.is_empty() {
            continue;
        }
        let mut named: Vec<String> = gaps.iter().take(NAMED).map(ToString::to_string).collect();
        if gaps.len() > NAMED {
            named.push(format!("and {} more ranges", gaps.len() - NAMED));
        }
        let until = match c.outside_text() {
            Some(days) => format!("until then they count as plain {days}"),
            None => "until then counting working days onto them rejects the record".to_string(),
        };
        let users = c
            .used_by
            .iter()
            .map(|u| format!("`{u}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let users = match c.used_by.as_slice() {
            [one] if one == "schema" => "the schema".to_string(),
            [_] => format!("ruleset {users}"),
            _ => format!("rulesets {users}"),
        };
        let first_year = gaps.first().map_or(horizon.first, |g| g.first).year();
        out.push(
            Diagnostic::warning(
                Code::CalendarHorizon,
                c.declared_at,
                format!(
                    "calendar `{}` does not cover {} of the horizon {horizon}",
                    c.name,
                    named.join(", ")
                ),
            )
            .with_help(format!(
                "{} {} working days with it; add a block `calendar {} {{ covers {first_year:04}-01-01..{first_year:04}-12-31 ... }}` with that year's holidays and make-up days ({until})",
                users,
                if c.used_by.len() == 1 { "counts" } else { "count" },
                c.name
            )),
        );
    }
    out
}

/// What one `calendar` block says, checked on its own.
struct Block<'a> {
    ast: &'a ast::Calendar,
    /// Its `working` weekdays, if it says them, and where.
    working: Option<([bool; 7], Span)>,
    /// Its `outside` weekdays, if it says them, and where.
    outside: Option<([bool; 7], Span)>,
    /// Its `covers` (merged); `None` when it has no `covers` line.
    covers: Option<Vec<DateSpan>>,
    /// A `covers` range was unusable (already reported).
    covers_broken: bool,
    /// Each usable `covers` range and where it is written.
    covers_at: Vec<(DateSpan, Span)>,
    holidays: Vec<Listed<'a>>,
    make_up: Vec<Listed<'a>>,
}

/// One holiday or make-up range and its dates (none when unusable).
struct Listed<'a> {
    range: &'a ast::DateRange,
    dates: Vec<NaiveDate>,
}

impl Checker<'_> {
    /// Every calendar: its blocks merged by name, in the order their names
    /// first appear.
    pub(super) fn check_calendars(&mut self, decls: &[&Decl]) {
        let mut order: Vec<&str> = Vec::new();
        let mut blocks: HashMap<&str, Vec<&ast::Calendar>> = HashMap::new();
        for decl in decls {
            if let Decl::Calendar(c) = decl {
                let name = c.name.text.as_str();
                if !blocks.contains_key(name) {
                    order.push(name);
                }
                blocks.entry(name).or_default().push(c);
            }
        }
        for name in order {
            if let Some(blocks) = blocks.get(name) {
                self.check_calendar(blocks);
            }
        }
    }

    /// One calendar from all of its blocks.
    fn check_calendar(&mut self, blocks: &[&ast::Calendar]) {
        let Some(first) = blocks.first() else {
            return;
        };
        let name = first.name.text.as_str();
        let several = blocks.len() > 1;
        let parsed: Vec<Block<'_>> = blocks
            .iter()
            .map(|c| self.check_calendar_block(c, several))
            .collect();
        let working = self.agree_on(name, "working", parsed.iter().map(|b| b.working));
        let outside = self.agree_on(name, "outside", parsed.iter().map(|b| b.outside));
        let working = working.unwrap_or(MONDAY_TO_FRIDAY);
        if !working.iter().any(|w| *w) {
            self.report(Diagnostic::error(
                Code::InvalidCalendar,
                first.name.span,
                format!("calendar `{name}` has no working weekday"),
            ));
        }
        if several {
            self.check_block_overlaps(name, &parsed);
        }
        for b in &parsed {
            self.check_calendar_coverage(b);
        }
        self.check_calendar_dates(&parsed, &working);

        let covers = parsed
            .iter()
            .map(|b| b.covers.clone())
            .collect::<Option<Vec<_>>>()
            .map(|spans| DateSpan::merge(spans.concat()));
        let dates = |holidays: bool| {
            parsed
                .iter()
                .flat_map(|b| if holidays { &b.holidays } else { &b.make_up })
                .flat_map(|l| l.dates.iter().copied())
                .collect()
        };
        let calendar = Calendar {
            name: name.to_string(),
            working_weekdays: working,
            holidays: dates(true),
            make_up: dates(false),
            covers,
            outside,
            declared_at: first.name.span,
            used_by: Vec::new(),
        };
        for c in blocks {
            let symbol = Symbol::global(Kind::Calendar, name);
            self.names
                .define(Definition::new(symbol, c.name.span, c.span));
        }
        self.calendars.push(calendar);
        self.calendar_index.insert(
            name.to_string(),
            CalendarId::from_index(self.calendars.len() - 1),
        );
    }

    /// One block's lines, each checked on its own.
    fn check_calendar_block<'a>(&mut self, c: &'a ast::Calendar, several: bool) -> Block<'a> {
        let mut block = Block {
            ast: c,
            working: None,
            outside: None,
            covers: None,
            covers_broken: false,
            covers_at: Vec::new(),
            holidays: Vec::new(),
            make_up: Vec::new(),
        };
        for entry in &c.entries {
            match entry {
                ast::CalendarEntry::Covers(ranges) => {
                    let spans = self.check_calendar_covers(ranges);
                    block.covers_broken |= spans.is_none();
                    block
                        .covers
                        .get_or_insert_with(Vec::new)
                        .extend(spans.unwrap_or_default());
                    block.covers_at.extend(ranges.iter().filter_map(|r| {
                        let (first, last) = date_range_ends(r)?;
                        (first <= last).then_some((DateSpan { first, last }, date_range_span(r)))
                    }));
                }
                ast::CalendarEntry::Working(ranges) => {
                    let mut days = block.working.map_or([false; 7], |w| w.0);
                    self.check_weekday_ranges(ranges, &mut days);
                    block.working = Some((days, weekday_ranges_span(ranges, c.name.span)));
                }
                ast::CalendarEntry::Outside(ranges) => {
                    let mut days = block.outside.map_or([false; 7], |w| w.0);
                    self.check_weekday_ranges(ranges, &mut days);
                    block.outside = Some((days, weekday_ranges_span(ranges, c.name.span)));
                }
                ast::CalendarEntry::Holidays(ranges) => {
                    for range in ranges {
                        let dates = self.expand_dates(std::slice::from_ref(range));
                        block.holidays.push(Listed { range, dates });
                    }
                }
                ast::CalendarEntry::MakeUp(ranges) => {
                    for range in ranges {
                        let dates = self.expand_dates(std::slice::from_ref(range));
                        block.make_up.push(Listed { range, dates });
                    }
                }
            }
        }
        block.covers = block.covers.map(DateSpan::merge);
        let lists_nothing = block.holidays.is_empty() && block.make_up.is_empty();
        if several && block.covers.is_none() && lists_nothing {
            // A block that lists dates without `covers` is reported by
            // `check_calendar_coverage`.
            self.report(
                Diagnostic::error(
                    Code::InvalidCalendar,
                    c.name.span,
                    format!(
                        "calendar `{}` is declared in several blocks, and this one does not say which dates it covers",
                        c.name.text
                    ),
                )
                .with_help(
                    "give each block its own `covers` (a block per year: `covers 2027-01-01..2027-12-31`), or merge the blocks",
                ),
            );
        }
        block
    }

    /// `working` and `outside` hold for the whole calendar: blocks that
    /// say them say the same. Returns the weekdays said first.
    fn agree_on(
        &mut self,
        name: &str,
        what: &str,
        said: impl Iterator<Item = Option<([bool; 7], Span)>>,
    ) -> Option<[bool; 7]> {
        let mut first: Option<([bool; 7], Span)> = None;
        for (days, at) in said.flatten() {
            match first {
                None => first = Some((days, at)),
                Some((earlier, earlier_at)) if earlier != days => self.report(
                    Diagnostic::error(
                        Code::InvalidCalendar,
                        at,
                        format!(
                            "blocks of calendar `{name}` disagree on `{what}`: {} here, {} in another block",
                            weekdays_text(&days),
                            weekdays_text(&earlier)
                        ),
                    )
                    .with_help(format!(
                        "`{what}` holds for the whole calendar: say it in one block, or the same in each"
                    ))
                    .with_related(earlier_at, format!("the other block's `{what}`")),
                ),
                Some(_) => {}
            }
        }
        first.map(|(days, _)| days)
    }

    /// No date lies in two blocks of one calendar.
    fn check_block_overlaps(&mut self, name: &str, blocks: &[Block<'_>]) {
        let mut earlier: Vec<(DateSpan, Span)> = Vec::new();
        for b in blocks {
            for (s, at) in &b.covers_at {
                let overlap = earlier
                    .iter()
                    .find(|(o, _)| o.first <= s.last && s.first <= o.last);
                if let Some((o, other_at)) = overlap {
                    let both = DateSpan {
                        first: s.first.max(o.first),
                        last: s.last.min(o.last),
                    };
                    self.report(
                        Diagnostic::error(
                            Code::InvalidCalendar,
                            *at,
                            format!("two blocks of calendar `{name}` both cover {both}"),
                        )
                        .with_help(
                            "a date belongs to one block: narrow one of the `covers` (a block per year: `covers 2027-01-01..2027-12-31`)",
                        )
                        .with_related(*other_at, format!("the other block covers {o}")),
                    );
                }
            }
            earlier.extend(b.covers_at.iter().copied());
        }
    }

    /// A block that lists holidays or make-up days says which dates it
    /// covers, and lists none outside them; `outside` needs dates outside.
    fn check_calendar_coverage(&mut self, b: &Block<'_>) {
        let c = b.ast;
        let listed = b
            .holidays
            .iter()
            .map(|l| ("holiday", l.range))
            .chain(b.make_up.iter().map(|l| ("make-up day", l.range)));
        let Some(covers) = &b.covers else {
            let years = listed
                .clone()
                .filter_map(|(_, r)| date_range_ends(r))
                .flat_map(|(first, last)| [first.year(), last.year()]);
            let (Some(from), Some(to)) = (years.clone().min(), years.max()) else {
                if b.outside.is_some() {
                    self.report(
                        Diagnostic::error(
                            Code::InvalidCalendar,
                            c.name.span,
                            format!(
                                "calendar `{}` has `outside` but no `covers`, so no date is outside it",
                                c.name.text
                            ),
                        )
                        .with_help("say which dates it knows with `covers`, or delete `outside`"),
                    );
                }
                return;
            };
            let lists = match (!b.holidays.is_empty(), !b.make_up.is_empty()) {
                (true, true) => "holidays and make-up days",
                (false, true) => "make-up days",
                _ => "holidays",
            };
            self.report(
                Diagnostic::error(
                    Code::InvalidCalendar,
                    c.name.span,
                    format!(
                        "calendar `{}` lists {lists} but does not say which dates it covers",
                        c.name.text
                    ),
                )
                .with_help(format!(
                    "add `covers {from:04}-01-01..{to:04}-12-31` (the years its lists touch), \
                     and `outside monday..friday` if dates outside it count as plain weekdays"
                )),
            );
            return;
        };
        if b.covers_broken {
            // No cascade: the lists are not judged against a `covers` that
            // is already reported as wrong.
            return;
        }
        for (what, r) in listed {
            let Some((first, last)) = date_range_ends(r) else {
                continue;
            };
            if last < first {
                continue; // already reported by `expand_dates`
            }
            let Some(day) = DateSpan::first_uncovered(covers, first, last) else {
                continue;
            };
            let covers_text = covers
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            self.report(
                Diagnostic::error(
                    Code::InvalidCalendar,
                    date_range_span(r),
                    format!(
                        "{what} `{}` is outside the dates calendar `{}` covers",
                        written(r),
                        c.name.text
                    ),
                )
                .with_help(format!(
                    "it covers {covers_text}: widen `covers` to take in {day}, or correct the date"
                )),
            );
        }
    }

    /// The dates an author most likely got wrong: a date that is both a
    /// holiday and a make-up day (an error), and dates that change nothing
    /// (warnings): a date listed twice, a make-up day on a working weekday,
    /// a holiday that has no working weekday.
    fn check_calendar_dates(&mut self, blocks: &[Block<'_>], working: &[bool; 7]) {
        let weekday = |d: &NaiveDate| d.weekday().num_days_from_monday() as usize;
        let rest_day = |d: &NaiveDate| !working.get(weekday(d)).copied().unwrap_or(false);
        let day_name = |d: &NaiveDate| WEEKDAY_NAMES.get(weekday(d)).copied().unwrap_or("?");

        let mut holiday_at: HashMap<NaiveDate, Span> = HashMap::new();
        for l in blocks.iter().flat_map(|b| &b.holidays) {
            let at = date_range_span(l.range);
            let again = l
                .dates
                .iter()
                .find_map(|d| holiday_at.get(d).map(|first| (*d, *first)));
            if let Some((day, first)) = again {
                self.report(
                    Diagnostic::warning(
                        Code::CalendarDate,
                        at,
                        format!("holiday {day} is listed twice"),
                    )
                    .with_help("delete it from one of the lists")
                    .with_related(first, "listed here first"),
                );
            } else if !l.dates.is_empty() && l.dates.iter().all(rest_day) {
                let message = match l.dates.as_slice() {
                    [one] => format!(
                        "holiday `{}` falls on a {}, a rest day anyway",
                        written(l.range),
                        day_name(one)
                    ),
                    _ => format!("holidays `{}` fall on rest days only", written(l.range)),
                };
                self.report(
                    Diagnostic::warning(Code::CalendarDate, at, message).with_help(
                        "a holiday only changes a working weekday; check the date \
                         (a rest day worked in exchange, 调休, goes under `make-up`)",
                    ),
                );
            }
            for d in &l.dates {
                holiday_at.entry(*d).or_insert(at);
            }
        }

        let mut make_up_at: HashMap<NaiveDate, Span> = HashMap::new();
        for l in blocks.iter().flat_map(|b| &b.make_up) {
            let at = date_range_span(l.range);
            let holiday = l
                .dates
                .iter()
                .find_map(|d| holiday_at.get(d).map(|h| (*d, *h)));
            let again = l
                .dates
                .iter()
                .find_map(|d| make_up_at.get(d).map(|first| (*d, *first)));
            if let Some((day, holiday)) = holiday {
                self.report(
                    Diagnostic::error(
                        Code::InvalidCalendar,
                        at,
                        format!("{day} is both a holiday and a make-up day"),
                    )
                    .with_help(
                        "a date is either a day off or a working day: delete it from `holidays` or from `make-up`",
                    )
                    .with_related(holiday, "the holiday"),
                );
            } else if let Some((day, first)) = again {
                self.report(
                    Diagnostic::warning(
                        Code::CalendarDate,
                        at,
                        format!("make-up day {day} is listed twice"),
                    )
                    .with_help("delete it from one of the lists")
                    .with_related(first, "listed here first"),
                );
            } else if let Some(day) = l.dates.iter().find(|d| !rest_day(d)) {
                self.report(
                    Diagnostic::warning(
                        Code::CalendarDate,
                        at,
                        format!("make-up day {day} is a {}, a working day anyway", day_name(day)),
                    )
                    .with_help(
                        "a make-up day (调休) turns a rest day into a working day, so this one changes nothing; check the date",
                    ),
                );
            }
            for d in &l.dates {
                make_up_at.entry(*d).or_insert(at);
            }
        }
    }

    /// `covers 2026-01-01..2026-12-31, ...`: ranges may span years; they are
    /// kept as ranges, never expanded into dates. `None` when a range is
    /// unusable (reported here, or as an invalid date by lowering).
    fn check_calendar_covers(&mut self, ranges: &[ast::DateRange]) -> Option<Vec<DateSpan>> {
        let mut spans = Some(Vec::with_capacity(ranges.len()));
        for r in ranges {
            let Some((first, last)) = date_range_ends(r) else {
                spans = None;
                continue;
            };
            if last < first {
                self.report(
                    Diagnostic::error(
                        Code::InvalidCalendar,
                        date_range_span(r),
                        "date range runs backwards",
                    )
                    .with_help(format!("write the earlier date first: `{last}..{first}`")),
                );
                spans = None;
                continue;
            }
            if let Some(spans) = &mut spans {
                spans.push(DateSpan { first, last });
            }
        }
        spans
    }
    /// `monday..friday, saturday`: sets the named days in `days` (Monday
    /// first); a range may wrap around the week (`saturday..monday`).
    fn check_weekday_ranges(&mut self, ranges: &[ast::WeekdayRange], days: &mut [bool; 7]) {
        use chrono::Weekday;
        let weekday = |name: &ast::Name| -> Option<usize> {
            let day: Weekday = name.text.parse().ok()?;
            Some(day.num_days_from_monday() as usize)
        };
        for r in ranges {
            let first = weekday(&r.first);
            let last = r.last.as_ref().map(weekday);
            for (name, day) in [(Some(&r.first), Some(first)), (r.last.as_ref(), last)] {
                if let (Some(name), Some(None)) = (name, day) {
                    let names = crate::calendar::WEEKDAY_NAMES;
                    let mut d = Diagnostic::error(
                        Code::InvalidCalendar,
                        name.span,
                        format!("`{}` is not a weekday", name.text),
                    );
                    if let Some(s) = crate::suggest::did_you_mean(&name.text.to_lowercase(), names)
                    {
                        d = d.with_suggestion(s);
                    }
                    self.report(d);
                }
            }
            if let (Some(a), Some(Some(_)) | None) = (first, last) {
                let b = last.flatten().unwrap_or(a);
                let mut i = a;
                for _ in 0..7 {
                    if let Some(slot) = days.get_mut(i) {
                        *slot = true;
                    }
                    if i == b {
                        break;
                    }
                    i = (i + 1) % 7;
                }
            }
        }
    }

    fn expand_dates(&mut self, ranges: &[ast::DateRange]) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        for r in ranges {
            let Some((first, last)) = date_range_ends(r) else {
                continue;
            };
            if last < first || (last - first).num_days() > 366 {
                self.report(
                    Diagnostic::error(
                        Code::InvalidCalendar,
                        date_range_span(r),
                        "date range runs backwards or spans more than a year",
                    )
                    .with_help("write the earlier date first: `2026-10-01..2026-10-07`"),
                );
                continue;
            }
            let mut d = first;
            while d <= last {
                out.push(d);
                match d.succ_opt() {
                    Some(next) => d = next,
                    None => break,
                }
            }
        }
        out
    }
}

/// The first and last dates of a range (one date: both the same); `None`
/// when a literal is not a date (already reported).
fn date_range_ends(r: &ast::DateRange) -> Option<(NaiveDate, NaiveDate)> {
    let ast::LitValue::Date(first) = r.first.value else {
        return None;
    };
    match r.last.as_ref().map(|l| &l.value) {
        Some(ast::LitValue::Date(last)) => Some((first, *last)),
        Some(_) => None,
        None => Some((first, first)),
    }
}

/// Where a date range was written.
fn date_range_span(r: &ast::DateRange) -> Span {
    r.last
        .as_ref()
        .map_or(r.first.span, |l| r.first.span.to(l.span))
}

/// A date range as written (`2026-10-01..2026-10-07`).
fn written(r: &ast::DateRange) -> String {
    match &r.last {
        Some(l) => format!("{}..{}", r.first.text, l.text),
        None => r.first.text.clone(),
    }
}

/// Where weekday ranges are written (`monday..friday, saturday`).
fn weekday_ranges_span(ranges: &[ast::WeekdayRange], fallback: Span) -> Span {
    let ends = |r: &ast::WeekdayRange| {
        (
            r.first.span,
            r.last.as_ref().map_or(r.first.span, |l| l.span),
        )
    };
    match (ranges.first(), ranges.last()) {
        (Some(a), Some(b)) => ends(a).0.to(ends(b).1),
        _ => fallback,
    }
}

#[cfg(test)]
mod tests;
