//! The engine on small rule sets: language features, totality of
//! evaluation, and the shape of explanations.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

use verdikt::{Decision, Mode, Policy, RecordError};

const SCHEMA: &str = r#"
schema s {
  merchant_id  text, not empty
  as_of        date
  amount       money >= 0
  divisor      decimal
  score        int in 0..100
  due          optional date
  flag         optional bool, default false
  tier         one of gold, silver
}
"#;

fn policy(rules: &str) -> Policy {
    let checked = verdikt::check_files(vec![
        ("schema.vk".into(), SCHEMA.as_bytes().to_vec()),
        ("rules.vk".into(), rules.as_bytes().to_vec()),
    ]);
    let rendered = checked.render(verdikt::ErrorFormat::Plain);
    checked
        .policy
        .unwrap_or_else(|| panic!("rules do not check:\n{rendered}"))
}

fn snapshot(extra: &str) -> String {
    let base = r#""merchant_id":"M1","as_of":"2026-11-24","amount":"100.00","divisor":"2","score":50,"tier":"gold""#;
    if extra.is_empty() {
        format!("{{{base}}}")
    } else {
        format!("{{{base},{extra}}}")
    }
}

fn decide(p: &Policy, extra: &str) -> Result<Decision, RecordError> {
    p.decide_json(
        &snapshot(extra),
        Mode {
            reasons: true,
            explain: false,
            trace: false,
        },
    )
}

fn outcome(d: &Decision, ruleset: &str) -> String {
    d.ruleset(ruleset).unwrap().outcome.to_string()
}

#[test]
fn overflow_and_division_by_zero_are_record_errors() {
    let p = policy(
        r#"ruleset r { outcomes ok output v money
           rule a when true then ok, v = amount / divisor }"#,
    );
    let zero = snapshot("").replace(r#""divisor":"2""#, r#""divisor":"0""#);
    let err = p
        .decide_json(
            &zero,
            Mode {
                reasons: true,
                explain: false,
                trace: false,
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "evaluation error: division by zero in `amount / divisor`"
    );
    assert_eq!(err.merchant_id.as_deref(), Some("M1"));

    let p = policy(
        r#"ruleset r { outcomes ok output v money
           rule a when true then ok, v = amount * 1e27 }"#,
    );
    let err = decide(&p, "").unwrap_err();
    assert!(err.to_string().contains("decimal overflow"), "{err}");
}

#[test]
fn money_outputs_never_round_silently() {
    let p = policy(
        r#"ruleset r { outcomes ok output fee money
           rule a when true then ok, fee = amount * 0.00001 }"#,
    );
    let err = decide(&p, "").unwrap_err();
    assert!(err.to_string().contains("more than two decimals"), "{err}");
    let p = policy(
        r#"ruleset r { outcomes ok output fee money
           rule a when true then ok, fee = round_cents(amount * 0.00005) }"#,
    );
    // 100 * 0.00005 = 0.005 -> 0.01 (half away from zero)
    let d = decide(&p, "").unwrap();
    assert_eq!(
        serde_json::to_value(d.ruleset("r").unwrap()).unwrap()["fee"],
        "0.01"
    );
}

#[test]
fn first_match_for_scope_and_else() {
    let p = policy(
        r#"ruleset r { outcomes high, low, denied, other
           rule gold for tier = gold when score >= 80 then high else denied
           rule fallback when score >= 10 then low
           otherwise other }"#,
    );
    assert_eq!(outcome(&decide(&p, "").unwrap(), "r"), "denied");
    let d = decide(&p, r#""tier":"silver","score":50"#);
    // duplicate keys are a bad record
    assert!(d.is_err());
    let silver = snapshot("").replace(r#""tier":"gold""#, r#""tier":"silver""#);
    let d = p
        .decide_json(
            &silver,
            Mode {
                reasons: true,
                explain: false,
                trace: false,
            },
        )
        .unwrap();
    assert_eq!(outcome(&d, "r"), "low");
    assert_eq!(d.ruleset("r").unwrap().rule.as_deref(), Some("fallback"));
}

#[test]
fn nested_groups_and_presence_narrowing() {
    let p = policy(
        r#"ruleset r { outcomes yes, no
           rule a when all of
               score >= 10
               any of [
                 due is absent
                 days(as_of, due) > 30
               ] else "due {due} is too soon"
             then yes
           otherwise no, explain unmet conditions of a }"#,
    );
    assert_eq!(outcome(&decide(&p, "").unwrap(), "r"), "yes");
    assert_eq!(
        outcome(&decide(&p, r#""due":"2027-01-01""#).unwrap(), "r"),
        "yes"
    );
    let d = decide(&p, r#""due":"2026-12-01""#).unwrap();
    assert_eq!(outcome(&d, "r"), "no");
    assert_eq!(
        d.ruleset("r").unwrap().reasons,
        vec!["due 2026-12-01 is too soon"]
    );
}

#[test]
fn defaults_if_absent_and_conditional_outputs() {
    let p = policy(
        r#"ruleset r { outcomes ok output until date output note optional text
           rule a when not flag then ok, until = if_absent(due, as_of + 30 days),
             note = "flagged" when score > 90
           otherwise ok, until = as_of }"#,
    );
    let d = decide(&p, "").unwrap();
    let json = serde_json::to_value(d.ruleset("r").unwrap()).unwrap();
    assert_eq!(json["until"], "2026-12-24");
    assert!(json.get("note").is_none());
    let d = decide(&p, r#""due":"2026-12-01","flag":null"#).unwrap();
    assert_eq!(
        serde_json::to_value(d.ruleset("r").unwrap()).unwrap()["until"],
        "2026-12-01"
    );
    let d = decide(&p, r#""flag":true"#).unwrap();
    assert_eq!(d.ruleset("r").unwrap().rule.as_deref(), Some("otherwise"));
}

#[test]
fn bad_records_list_every_problem() {
    let p = policy("ruleset r { outcomes ok otherwise ok }");
    let text = r#"{"merchant_id":"","as_of":"2026-02-30","amount":"100.005","divisor":"1e2","score":"6.0","tier":"Gold","due":null}"#;
    let err = p.read_json(text).unwrap_err();
    insta::assert_snapshot!(err.problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"), @r#"
    merchant_id: must not be empty or only white space
    as_of: "2026-02-30" is not a date (YYYY-MM-DD)
    amount: "100.005" has more than two decimals (cents)
    divisor: "1e2" is not a plain decimal number
    score: expected a whole number, found the text "6.0"
    tier: "Gold" is not one of gold, silver
    "#);
}

#[test]
fn a_bad_field_does_not_hide_a_broken_requirement() {
    let p = verdikt::check_dir(std::path::Path::new("tests/fixtures/reference/rules"))
        .unwrap()
        .policy
        .unwrap();
    let base =
        std::fs::read_to_string("tests/fixtures/reference/examples/merchants.jsonl").unwrap();
    let line = base.lines().next().unwrap();
    // Rating 7 is out of range and used > limit breaks the schema's
    // requirement: both are named. A requirement over a bad field is not
    // checked (its answer would mean nothing).
    let both = line
        .replace(r#""rating":"4.9""#, r#""rating":"7""#)
        .replace(r#""used":"0.00""#, r#""used":"99999999.00""#);
    assert_ne!(both, line);
    let err = p.read_json(&both).unwrap_err();
    let problems: Vec<String> = err.problems.iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].starts_with("store.rating: 7 is out of range"),
        "{problems:?}"
    );
    assert!(
        problems[1].starts_with("已用额度 ¥99,999,999.00 超过额度上限"),
        "{problems:?}"
    );
    let bad_limit = line
        .replace(r#""rating":"4.9""#, r#""rating":"7""#)
        .replace(r#""limit":"50000.00""#, r#""limit":"abc""#);
    let err = p.read_json(&bad_limit).unwrap_err();
    assert_eq!(err.problems.len(), 2, "{err}");
    // Only white space is no merchant id.
    let blank_id = line.replace(r#""merchant_id":"M10001""#, r#""merchant_id":" \t ""#);
    let err = p.read_json(&blank_id).unwrap_err();
    assert_eq!(
        err.to_string(),
        "merchant_id: must not be empty or only white space"
    );
}

#[test]
fn json_numbers_are_exact_and_strict() {
    let p = policy(
        r#"ruleset r { outcomes ok output v money
           rule a when true then ok, v = amount }"#,
    );
    let eighteen =
        snapshot("").replace(r#""amount":"100.00""#, r#""amount":123456789012345678.91"#);
    let d = p
        .decide_json(
            &eighteen,
            Mode {
                reasons: false,
                explain: false,
                trace: false,
            },
        )
        .unwrap();
    assert_eq!(
        serde_json::to_value(d.ruleset("r").unwrap()).unwrap()["v"],
        "123456789012345678.91"
    );
    for bad in [
        r#""amount":NaN"#,
        r#""amount":1e400"#,
        r#""score":6e0"#,
        r#""score":6.5"#,
    ] {
        let key = &bad[1..bad.find("\":").unwrap()];
        let text = snapshot("").replace(&format!("\"{key}\":"), "\"_old\":");
        let text = text.replacen('{', &format!("{{{bad},"), 1);
        assert!(p.read_json(&text).is_err(), "{bad} must be rejected");
    }
    let exp = snapshot("").replace(r#""divisor":"2""#, r#""divisor":98e-2"#);
    assert!(p.read_json(&exp).is_ok());
}

#[test]
fn trace_lists_every_condition_tried() {
    let p = policy(
        r#"ruleset r { outcomes hi, lo
           rule a when all of
               score >= 80
               amount > ¥50
             then hi
           otherwise lo }"#,
    );
    let d = p
        .decide_json(
            &snapshot(""),
            Mode {
                reasons: true,
                explain: true,
                trace: true,
            },
        )
        .unwrap();
    insta::assert_snapshot!(verdikt::trace(&d));
}

/// A calendar covering 2026; `outside` is the line that says how other
/// dates count, or nothing.
fn calendar_policy(outside: &str) -> Policy {
    policy(&format!(
        r#"calendar c {{
             covers    2026-01-01..2026-12-31
             holidays  2026-10-01..2026-10-07
             {outside}
           }}
           ruleset r {{ outcomes ok, no output review optional date
             let review = business_days_after(as_of, 3, calendar c)
             rule a when score >= 50 then ok, review = review
             otherwise no }}"#
    ))
}

fn decide_on(p: &Policy, as_of: &str, score: u32) -> Result<Decision, RecordError> {
    let text = snapshot("")
        .replace("2026-11-24", as_of)
        .replace(r#""score":50"#, &format!(r#""score":{score}"#));
    p.decide_json(
        &text,
        Mode {
            reasons: true,
            explain: false,
            trace: false,
        },
    )
}

fn review(d: &Decision) -> serde_json::Value {
    serde_json::to_value(d.ruleset("r").unwrap()).unwrap()["review"].clone()
}

#[test]
fn a_date_outside_the_covered_dates_counts_by_outside_or_rejects_the_record() {
    let with = calendar_policy("outside monday..friday");
    // Wed 12-30: Thu 12-31 (1), Fri 2027-01-01 (2), Mon 2027-01-04 (3).
    let d = decide_on(&with, "2026-12-30", 50).unwrap();
    assert_eq!(review(&d), "2027-01-04");
    assert!(d.used_calendar_fallback());
    // Inside the coverage: no fallback.
    let d = decide_on(&with, "2026-11-24", 50).unwrap();
    assert_eq!(review(&d), "2026-11-27");
    assert!(!d.used_calendar_fallback());

    let without = calendar_policy("");
    let err = decide_on(&without, "2026-12-30", 50).unwrap_err();
    assert_eq!(
        err.to_string(),
        "evaluation error: calendar `c` does not cover 2027-01-01 \
         (it covers 2026-01-01..2026-12-31), needed by `r.a`; add that year's holidays"
    );
    assert_eq!(err.merchant_id.as_deref(), Some("M1"));
    // Only dates counting steps onto are looked up: from 2026-12-25 the
    // third working day is 2026-12-30, and from 2027-01-01 it fails on the
    // first day after, not on as_of.
    let d = decide_on(&without, "2026-12-25", 50).unwrap();
    assert_eq!(review(&d), "2026-12-30");
    let err = decide_on(&without, "2027-01-01", 50).unwrap_err();
    assert!(
        err.to_string().contains("does not cover 2027-01-02"),
        "{err}"
    );
}

#[test]
fn a_record_that_never_counts_working_days_never_falls_back() {
    // `review` is a `let`: evaluated only where the deciding rule needs it.
    for p in [
        calendar_policy("outside monday..friday"),
        calendar_policy(""),
    ] {
        let d = decide_on(&p, "2026-12-30", 10).unwrap();
        assert_eq!(outcome(&d, "r"), "no");
        assert!(!d.used_calendar_fallback());
    }
}

/// `because` is shown when a condition holds (a matched rule's reasons),
/// `else` when it fails (a denial's unmet conditions), after a single
/// condition as after group items; the two never stand in for each other.
#[test]
fn met_and_unmet_texts_are_shown_each_in_its_place() {
    let p = policy(
        r#"ruleset single { outcomes yes, no
             rule a when score >= 40 because "score {score} reaches 40" else "score {score}, needs 40"
               then yes else no }
           ruleset group { outcomes yes, no
             rule a when all of
                 score >= 40   because "score {score} reaches 40"  else "score {score}, needs 40"
                 tier = gold   because "tier {tier}"
                 amount > 0    else "nothing used"
               then yes else no }"#,
    );
    let reasons = |d: &Decision, rs: &str| d.ruleset(rs).unwrap().reasons.clone();
    let met = decide(&p, "").unwrap();
    assert_eq!(reasons(&met, "single"), ["score 50 reaches 40"]);
    // An item without `because` explains a match with its own rule text.
    assert_eq!(
        reasons(&met, "group"),
        [
            "score 50 reaches 40",
            "tier gold",
            "amount > 0 (amount = ¥100.00)"
        ]
    );
    let unmet = p
        .decide_json(
            &snapshot("")
                .replace(r#""score":50"#, r#""score":30"#)
                .replace(r#""tier":"gold""#, r#""tier":"silver""#),
            Mode {
                reasons: true,
                explain: false,
                trace: false,
            },
        )
        .unwrap();
    assert_eq!(reasons(&unmet, "single"), ["score 30, needs 40"]);
    // An item without `else` explains a failure with its own rule text.
    assert_eq!(
        reasons(&unmet, "group"),
        ["score 30, needs 40", "tier = gold (tier = silver)"]
    );
}
