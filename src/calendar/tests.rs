//! Counting working days inside, across and outside a calendar's covered dates.

use super::*;

fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

const MON_FRI: [bool; 7] = [true, true, true, true, true, false, false];

/// The shipped `cn-2026` lists, covering 2026, with or without `outside`.
fn cn_2026(outside: Option<[bool; 7]>) -> Calendar {
    let mut holidays = HashSet::new();
    for (first, last) in [
        ("2026-01-01", "2026-01-02"),
        ("2026-02-16", "2026-02-23"),
        ("2026-04-06", "2026-04-06"),
        ("2026-05-01", "2026-05-05"),
        ("2026-06-19", "2026-06-19"),
        ("2026-09-25", "2026-09-25"),
        ("2026-10-01", "2026-10-07"),
    ] {
        let mut day = d(first);
        while day <= d(last) {
            holidays.insert(day);
            day = day.succ_opt().unwrap();
        }
    }
    let make_up = [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ]
    .into_iter()
    .map(d)
    .collect();
    Calendar {
        name: "cn-2026".into(),
        working_weekdays: MON_FRI,
        holidays,
        make_up,
        covers: Some(vec![DateSpan {
            first: d("2026-01-01"),
            last: d("2026-12-31"),
        }]),
        outside,
        declared_at: Span::default(),
        used_by: Vec::new(),
    }
}

fn after(c: &Calendar, day: &str, n: u32) -> Result<(String, bool), CalendarError> {
    c.business_days_after(d(day), n)
        .map(|c| (c.day.to_string(), c.first_outside.is_some()))
}

fn counted(day: &str, used_outside: bool) -> Result<(String, bool), CalendarError> {
    Ok((day.to_string(), used_outside))
}

#[test]
fn inside_coverage_holidays_and_make_up_days_count_as_listed() {
    for outside in [None, Some(MON_FRI)] {
        let c = cn_2026(outside);
        // National Day: 10-01..10-07 off, Thu 10-08, Fri 10-09, Sat 10-10 make-up.
        assert_eq!(after(&c, "2026-09-30", 3), counted("2026-10-10", false));
        // Spring Festival: Sat 02-14 make-up, 02-16..02-23 off.
        assert_eq!(after(&c, "2026-02-13", 1), counted("2026-02-14", false));
        assert_eq!(after(&c, "2026-02-14", 1), counted("2026-02-24", false));
        // Counting that ends on the last covered date needs no fallback.
        assert_eq!(after(&c, "2026-12-30", 1), counted("2026-12-31", false));
        assert_eq!(c.is_working_day(d("2026-10-10")), Some(true));
        assert_eq!(c.is_working_day(d("2026-10-05")), Some(false));
    }
}

#[test]
fn stepping_past_the_end_of_coverage_uses_outside_or_fails() {
    let with = cn_2026(Some(MON_FRI));
    // 2027-01-01 is a Friday: a plain working day outside the coverage.
    assert_eq!(after(&with, "2026-12-31", 1), counted("2027-01-01", true));
    // Thu 12-31 (1), Fri 2027-01-01 (2), Mon 2027-01-04 (3).
    assert_eq!(after(&with, "2026-12-30", 3), counted("2027-01-04", true));
    assert_eq!(with.is_working_day(d("2027-01-01")), Some(true));
    assert_eq!(with.is_working_day(d("2027-01-02")), Some(false));

    let without = cn_2026(None);
    assert_eq!(
        after(&without, "2026-12-31", 1),
        Err(CalendarError::NotCovered(d("2027-01-01")))
    );
    // The first uncovered day counting steps onto is the one named, even
    // when it would not have counted (a Saturday).
    assert_eq!(
        after(&without, "2027-01-01", 1),
        Err(CalendarError::NotCovered(d("2027-01-02")))
    );
    assert_eq!(without.is_working_day(d("2027-01-01")), None);
}

#[test]
fn the_start_date_itself_is_never_looked_up() {
    let without = cn_2026(None);
    // n = 0 is the date itself, covered or not.
    assert_eq!(
        after(&without, "2030-06-01", 0),
        counted("2030-06-01", false)
    );
    // From 2025-12-31 (not covered) counting steps onto 2026 only: Thu 01-01
    // and Fri 01-02 are holidays, Sun 01-04 is a make-up day.
    assert_eq!(
        after(&without, "2025-12-31", 1),
        counted("2026-01-04", false)
    );
    // From 2025-12-30 counting steps onto 2025-12-31 first.
    assert_eq!(
        after(&without, "2025-12-30", 1),
        Err(CalendarError::NotCovered(d("2025-12-31")))
    );
    let with = cn_2026(Some(MON_FRI));
    assert_eq!(after(&with, "2025-12-30", 1), counted("2025-12-31", true));
}

#[test]
fn outside_weekdays_are_their_own_and_not_the_working_ones() {
    // Inside: Monday to Saturday. Outside: Monday only.
    let mut c = cn_2026(Some([true, false, false, false, false, false, false]));
    c.working_weekdays = [true, true, true, true, true, true, false];
    assert_eq!(after(&c, "2026-12-25", 1), counted("2026-12-26", false));
    // Thu 12-31 (1), then only Mondays: 2027-01-04 (2), 2027-01-11 (3).
    assert_eq!(after(&c, "2026-12-30", 3), counted("2027-01-11", true));
}

#[test]
fn a_holiday_free_calendar_covers_every_date() {
    let c = Calendar {
        name: "weekdays".into(),
        working_weekdays: MON_FRI,
        holidays: HashSet::new(),
        make_up: HashSet::new(),
        covers: None,
        outside: None,
        declared_at: Span::default(),
        used_by: Vec::new(),
    };
    assert!(c.covers(d("2027-01-01")));
    assert_eq!(after(&c, "2026-12-31", 1), counted("2027-01-01", false));
    assert_eq!(after(&c, "2026-12-31", 2), counted("2027-01-04", false));
    assert_eq!(c.covers_text(), "every date");
    assert_eq!(c.outside_text(), None);
}

#[test]
fn coverage_with_a_gap_fails_inside_the_gap() {
    let mut c = cn_2026(None);
    c.covers = Some(DateSpan::merge(vec![
        DateSpan {
            first: d("2028-01-01"),
            last: d("2028-12-31"),
        },
        DateSpan {
            first: d("2026-01-01"),
            last: d("2026-12-31"),
        },
    ]));
    assert!(c.covers(d("2026-06-01")));
    assert!(!c.covers(d("2027-06-01")));
    assert!(c.covers(d("2028-01-01")));
    assert!(!c.covers(d("2029-01-01")));
    assert!(!c.covers(d("2025-12-31")));
    assert_eq!(
        after(&c, "2026-12-31", 1),
        Err(CalendarError::NotCovered(d("2027-01-01")))
    );
    assert_eq!(
        c.covers_text(),
        "2026-01-01..2026-12-31, 2028-01-01..2028-12-31"
    );
}

#[test]
fn counting_near_the_last_date_is_an_error_not_a_panic() {
    let mut c = cn_2026(Some(MON_FRI));
    c.covers = None;
    assert_eq!(
        c.business_days_after(NaiveDate::MAX, 1),
        Err(CalendarError::DateOutOfRange)
    );
}

#[test]
fn spans_merge_when_they_overlap_or_touch() {
    let span = |a: &str, b: &str| DateSpan {
        first: d(a),
        last: d(b),
    };
    let merged = DateSpan::merge(vec![
        span("2027-01-01", "2027-12-31"),
        span("2026-03-01", "2026-03-01"),
        span("2026-01-01", "2026-12-31"),
        span("2029-01-01", "2029-01-31"),
    ]);
    assert_eq!(
        merged,
        [
            span("2026-01-01", "2027-12-31"),
            span("2029-01-01", "2029-01-31")
        ]
    );
    assert_eq!(
        DateSpan::first_uncovered(&merged, d("2026-05-01"), d("2027-05-01")),
        None
    );
    assert_eq!(
        DateSpan::first_uncovered(&merged, d("2027-12-30"), d("2028-01-02")),
        Some(d("2028-01-01"))
    );
    assert_eq!(
        DateSpan::first_uncovered(&merged, d("2025-12-31"), d("2026-01-02")),
        Some(d("2025-12-31"))
    );
    assert_eq!(
        DateSpan::first_uncovered(&merged, d("2028-06-01"), d("2028-06-01")),
        Some(d("2028-06-01"))
    );
    assert_eq!(span("2026-10-10", "2026-10-10").to_string(), "2026-10-10");
}

#[test]
fn weekdays_print_as_runs() {
    assert_eq!(weekdays_text(&MON_FRI), "monday..friday");
    assert_eq!(weekdays_text(&[true; 7]), "monday..sunday");
    assert_eq!(
        weekdays_text(&[true, false, true, true, false, false, true]),
        "monday, wednesday..thursday, sunday"
    );
    assert_eq!(weekdays_text(&[false; 7]), "");
}

#[test]
fn fallbacks_are_a_set_of_calendar_indexes() {
    let mut f = Fallbacks::default();
    assert!(f.is_empty());
    for i in [3, 0, 3, 63, 64, 70, 64] {
        f.note(i);
    }
    assert!(!f.is_empty());
    assert_eq!(f.iter().collect::<Vec<_>>(), [0, 3, 63, 64, 70]);
}

#[test]
fn a_horizon_parses_and_its_gaps_are_the_dates_no_span_holds() {
    let span = |a: &str, b: &str| DateSpan {
        first: d(a),
        last: d(b),
    };
    assert_eq!(
        DateSpan::parse("2026-01-01..2027-12-31"),
        Ok(span("2026-01-01", "2027-12-31"))
    );
    assert_eq!(
        DateSpan::parse("2026-03-01"),
        Ok(span("2026-03-01", "2026-03-01"))
    );
    assert!(DateSpan::parse("2027-01-01..2026-01-01")
        .unwrap_err()
        .contains("backwards"));
    assert!(DateSpan::parse("2026-02-30..2027-01-01")
        .unwrap_err()
        .contains("not a date"));
    let covers = DateSpan::merge(vec![
        span("2026-01-01", "2026-12-31"),
        span("2028-01-01", "2028-12-31"),
    ]);
    let gaps = |a, b| span(a, b).gaps(&covers);
    assert_eq!(gaps("2026-03-01", "2026-04-01"), []);
    assert_eq!(
        gaps("2025-12-01", "2029-01-31"),
        [
            span("2025-12-01", "2025-12-31"),
            span("2027-01-01", "2027-12-31"),
            span("2029-01-01", "2029-01-31"),
        ]
    );
    assert_eq!(
        gaps("2026-12-31", "2027-01-02"),
        [span("2027-01-01", "2027-01-02")]
    );
}

#[test]
fn fallbacks_keep_where_and_the_earliest_day_without_allocating() {
    let arc = |s: &str| Some(std::sync::Arc::<str>::from(s));
    let use_ = |day: &str, rule: &str| OutsideUse {
        calendar: 0,
        day: d(day),
        ruleset: arc("exit_request"),
        rule: arc(rule),
    };
    let mut f = Fallbacks::default();
    f.note_use(use_("2027-01-04", "unbind"));
    f.note_use(use_("2027-01-01", "unbind"));
    f.note_use(use_("2027-01-05", "exit_service"));
    let places: Vec<_> = f
        .places()
        .map(|p| (p.rule.as_deref().unwrap().to_string(), p.day.to_string()))
        .collect();
    assert_eq!(
        places,
        [
            ("unbind".to_string(), "2027-01-01".to_string()),
            ("exit_service".to_string(), "2027-01-05".to_string())
        ]
    );
    assert_eq!(f.iter().collect::<Vec<_>>(), [0]);

    // A tally keeps the earliest few dates of many decisions.
    let mut tally = FallbackTally::default();
    for day in 1..=9 {
        let mut f = Fallbacks::default();
        f.note_use(use_(&format!("2027-01-{:02}", 10 - day), "unbind"));
        tally.add(&f);
    }
    let t = &tally.calendars[0];
    assert_eq!(t.decisions, 9);
    assert_eq!(
        t.dates.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "2027-01-01",
            "2027-01-02",
            "2027-01-03",
            "2027-01-04",
            "2027-01-05"
        ]
    );
    assert_eq!(t.places.len(), 1);
}
