//! Calendars in blocks: a calendar split by year decides exactly like one
//! block, the dates an author likely got wrong are located warnings or
//! errors, and a horizon names the dates no block covers.

use crate::diagnostic::Code;
use crate::{Checked, Mode};

const SCHEMA: &str = "schema snapshot {\n  merchant_id text\n  as_of date\n  n int in 0..30\n}\n";

const RULES: &str = "ruleset r {\n  outcomes ok\n  output day date\n  otherwise ok, day = business_days_after(as_of, n, calendar cn)\n}\n";

/// 2026 as the shipped calendar lists it (working and outside said once).
const BLOCK_2026: &str = "calendar cn {
  covers    2026-01-01..2026-12-31
  working   monday..friday
  holidays  2026-01-01..2026-01-02, 2026-02-16..2026-02-23, 2026-04-06, 2026-05-01..2026-05-05,
            2026-06-19, 2026-09-25, 2026-10-01..2026-10-07
  make-up   2026-01-04, 2026-02-14, 2026-02-28, 2026-05-09, 2026-09-20, 2026-10-10
  outside   monday..friday
}
";

/// A made-up 2027 (New Year on Friday 01-01 with Saturday 01-09 worked in
/// exchange, a Spring Festival week), in a file of its own.
const BLOCK_2027: &str = "calendar cn {
  covers    2027-01-01..2027-12-31
  holidays  2027-01-01, 2027-02-05..2027-02-12
  make-up   2027-01-09, 2027-02-14
}
";

/// The same two years as one block.
const ONE_BLOCK: &str = "calendar cn {
  covers    2026-01-01..2027-12-31
  working   monday..friday
  holidays  2026-01-01..2026-01-02, 2026-02-16..2026-02-23, 2026-04-06, 2026-05-01..2026-05-05,
            2026-06-19, 2026-09-25, 2026-10-01..2026-10-07,
            2027-01-01, 2027-02-05..2027-02-12
  make-up   2026-01-04, 2026-02-14, 2026-02-28, 2026-05-09, 2026-09-20, 2026-10-10,
            2027-01-09, 2027-02-14
  outside   monday..friday
}
";

fn check(files: &[(&str, &str)]) -> Checked {
    crate::check_files(
        files
            .iter()
            .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec()))
            .collect(),
    )
}

fn codes(checked: &Checked) -> Vec<(&'static str, String)> {
    checked
        .diagnostics
        .iter()
        .map(|d| (d.code().id(), d.message().to_string()))
        .collect()
}

/// The day `business_days_after(as_of, n, calendar cn)` gives.
fn day(checked: &Checked, as_of: &str, n: u32) -> String {
    let policy = checked.policy.as_ref().expect("the rules check");
    let mode = Mode {
        reasons: false,
        explain: false,
        trace: false,
    };
    let json = format!(r#"{{"merchant_id":"M1","as_of":"{as_of}","n":{n}}}"#);
    let decision = policy.decide_json(&json, mode).expect("decided");
    let value = serde_json::to_value(&decision.rulesets).expect("serializable");
    value[0]["day"].as_str().expect("a date").to_string()
}

#[test]
fn a_calendar_split_by_year_decides_like_one_block() {
    let split = check(&[
        ("01.vk", SCHEMA),
        ("02-calendar.vk", BLOCK_2026),
        ("03-calendar-2027.vk", BLOCK_2027),
        ("10.vk", RULES),
    ]);
    let one = check(&[("01.vk", SCHEMA), ("02.vk", ONE_BLOCK), ("10.vk", RULES)]);
    assert_eq!(
        codes(&split),
        [],
        "{}",
        split.render(crate::ErrorFormat::Plain)
    );
    assert_eq!(codes(&one), []);

    // Across the year boundary, by hand: Wed 2026-12-30, then Thu 12-31
    // (1); Fri 2027-01-01 is a holiday; Mon 01-04 (2), Tue 01-05 (3).
    assert_eq!(day(&split, "2026-12-30", 3), "2027-01-05");
    // Fri 01-08 (1), Sat 01-09 make-up (2), Mon 01-11 (3).
    assert_eq!(day(&split, "2027-01-07", 3), "2027-01-11");
    // Thu 02-04 (1); 02-05..02-12 off; Sun 02-14 make-up (2); Mon 02-15 (3).
    assert_eq!(day(&split, "2027-02-03", 3), "2027-02-15");
    // 2026's own lists still count: 2026-09-30, then 10-08, 10-09, 10-10.
    assert_eq!(day(&split, "2026-09-30", 3), "2026-10-10");

    let mut compared = 0;
    let mut as_of = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    while as_of <= chrono::NaiveDate::from_ymd_opt(2027, 3, 31).unwrap() {
        for n in 0..=6 {
            let text = as_of.to_string();
            assert_eq!(day(&split, &text, n), day(&one, &text, n), "{text} + {n}");
            compared += 1;
        }
        as_of = as_of.succ_opt().unwrap();
    }
    assert!(compared > 1400, "{compared}");

    // Without the 2027 block, 2027 counts as plain Monday to Friday.
    let only_2026 = check(&[("01.vk", SCHEMA), ("02.vk", BLOCK_2026), ("10.vk", RULES)]);
    assert_eq!(day(&only_2026, "2026-12-30", 3), "2027-01-04");
}

#[test]
fn the_blocks_of_a_calendar_may_not_overlap_or_disagree() {
    let overlapping = BLOCK_2027.replace("2027-01-01..2027-12-31", "2026-12-01..2027-12-31");
    let checked = check(&[
        ("01.vk", SCHEMA),
        ("02.vk", BLOCK_2026),
        ("03.vk", &overlapping),
        ("10.vk", RULES),
    ]);
    assert_eq!(
        codes(&checked),
        [(
            "V025",
            "two blocks of calendar `cn` both cover 2026-12-01..2026-12-31".to_string()
        )]
    );
    let d = &checked.diagnostics[0];
    assert_eq!(d.location(&checked.sources), Some(("03.vk", 2, 13)));

    let saturday = BLOCK_2027.replace("  holidays", "  working   monday..saturday\n  holidays");
    let checked = check(&[
        ("01.vk", SCHEMA),
        ("02.vk", BLOCK_2026),
        ("03.vk", &saturday),
        ("10.vk", RULES),
    ]);
    assert_eq!(
        codes(&checked),
        [(
            "V025",
            "blocks of calendar `cn` disagree on `working`: monday..saturday here, monday..friday in another block".to_string()
        )]
    );

    let no_covers = "calendar cn {\n  working monday..friday\n}\n";
    let checked = check(&[
        ("01.vk", SCHEMA),
        ("02.vk", BLOCK_2026),
        ("03.vk", no_covers),
        ("10.vk", RULES),
    ]);
    assert_eq!(codes(&checked).len(), 1);
    assert!(codes(&checked)[0]
        .1
        .contains("does not say which dates it covers"));
}

#[test]
fn the_shipped_calendar_draws_no_warning() {
    let checked = crate::check_dir(std::path::Path::new("tests/fixtures/reference/rules")).unwrap();
    assert_eq!(codes(&checked), []);
}

#[test]
fn dates_that_change_nothing_are_warnings_and_a_date_both_ways_an_error() {
    let block = "calendar cn {
  covers    2027-01-01..2027-12-31
  holidays  2027-01-02, 2027-01-09..2027-01-10, 2027-10-01..2027-10-07, 2027-10-03
  make-up   2027-01-08, 2027-01-16, 2027-01-16, 2027-10-02
}
";
    let checked = check(&[("01.vk", SCHEMA), ("02.vk", block), ("10.vk", RULES)]);
    let found: Vec<_> = checked
        .diagnostics
        .iter()
        .map(|d| {
            let (_, line, col) = d.location(&checked.sources).unwrap();
            (
                d.code().id(),
                d.is_error(),
                line,
                col,
                d.message().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "V040",
                false,
                3,
                13,
                "holiday `2027-01-02` falls on a saturday, a rest day anyway".to_string()
            ),
            (
                "V040",
                false,
                3,
                25,
                "holidays `2027-01-09..2027-01-10` fall on rest days only".to_string()
            ),
            // 2027-10-01..07 holds weekend days, as Chinese holidays do: fine.
            (
                "V040",
                false,
                3,
                73,
                "holiday 2027-10-03 is listed twice".to_string()
            ),
            (
                "V040",
                false,
                4,
                13,
                "make-up day 2027-01-08 is a friday, a working day anyway".to_string()
            ),
            (
                "V040",
                false,
                4,
                37,
                "make-up day 2027-01-16 is listed twice".to_string()
            ),
            (
                "V025",
                true,
                4,
                49,
                "2027-10-02 is both a holiday and a make-up day".to_string()
            ),
        ]
    );
}

#[test]
fn an_unused_calendar_is_a_warning() {
    let spare = "calendar spare {\n  working monday..friday\n}\n";
    let checked = check(&[
        ("01.vk", SCHEMA),
        ("02.vk", BLOCK_2026),
        ("03.vk", spare),
        ("10.vk", RULES),
    ]);
    assert_eq!(
        codes(&checked),
        [("V041", "calendar `spare` is never used".to_string())]
    );
    assert!(checked.policy.is_some());
}

#[test]
fn a_horizon_names_the_dates_no_block_covers_and_who_needs_them() {
    let horizon = crate::calendar::DateSpan::parse("2026-01-01..2027-06-30").unwrap();
    let mut checked = check(&[("01.vk", SCHEMA), ("02.vk", BLOCK_2026), ("10.vk", RULES)]);
    checked.warn_horizon(horizon);
    let d = &checked.diagnostics[0];
    assert_eq!(
        (d.code(), d.message()),
        (
            Code::CalendarHorizon,
            "calendar `cn` does not cover 2027-01-01..2027-06-30 of the horizon 2026-01-01..2027-06-30"
        )
    );
    assert!(
        d.help()
            .unwrap()
            .starts_with("ruleset `r` counts working days with it"),
        "{:?}",
        d.help()
    );
    assert_eq!(d.location(&checked.sources), Some(("02.vk", 1, 10)));

    // Adding the year in a file of its own silences it.
    let mut checked = check(&[
        ("01.vk", SCHEMA),
        ("02.vk", BLOCK_2026),
        ("03.vk", BLOCK_2027),
        ("10.vk", RULES),
    ]);
    checked.warn_horizon(horizon);
    assert_eq!(codes(&checked), []);
}
