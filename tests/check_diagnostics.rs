//! Diagnostics of broken rule files, one fixture per check, as insta
//! snapshots: these snapshots are the review of our error messages.
//!
//! Each fixture is checked together with the shipped schema and calendar
//! (`rules/01-schema.vk`, `rules/02-calendar.vk`), as an author's new file would be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

use std::path::Path;

use verdikt::{check_files, Code, ErrorFormat};

fn shipped(name: &str) -> (String, Vec<u8>) {
    (
        name.to_string(),
        std::fs::read(Path::new("tests/fixtures/reference/rules").join(name)).unwrap(),
    )
}

fn check_fixture(name: &str, bytes: Vec<u8>) -> verdikt::Checked {
    check_files(vec![
        shipped("01-schema.vk"),
        shipped("02-calendar.vk"),
        (name.to_string(), bytes),
    ])
}

#[test]
fn diagnostics_of_broken_rule_files() {
    insta::glob!("fixtures/check/*.vk", |path| {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let checked = check_fixture(&name, std::fs::read(path).unwrap());
        assert!(
            !checked.diagnostics.is_empty(),
            "{name}: a broken file must produce diagnostics"
        );
        let human = checked.render(ErrorFormat::Human);
        insta::assert_snapshot!(human);
    });
}

#[test]
fn every_error_blocks_the_policy() {
    for entry in std::fs::read_dir("tests/fixtures/check").unwrap() {
        let path = entry.unwrap().path();
        if path.extension() != Some(std::ffi::OsStr::new("vk")) {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let checked = check_fixture(&name, std::fs::read(&path).unwrap());
        let has_error = checked.diagnostics.iter().any(|d| d.is_error());
        assert_eq!(checked.policy.is_none(), has_error, "{name}");
    }
}

#[test]
fn invalid_utf8_is_located() {
    let mut bytes = b"ruleset r {\n  outcomes ok\n  otherwise ok # caf".to_vec();
    bytes.push(0xff);
    bytes.extend_from_slice(b"\n}\n");
    let checked = check_fixture("bad.vk", bytes);
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.code() == Code::InvalidUtf8)
        .unwrap();
    let plain = checked.render(ErrorFormat::Plain);
    let plain = plain.lines().find(|l| l.contains(d.code().id())).unwrap();
    assert_eq!(
        plain.trim(),
        "bad.vk:3:21: error[V016]: rule file is not valid UTF-8 (help: save the file as UTF-8)"
    );
}

#[test]
fn bom_and_crlf_keep_columns_right() {
    let bytes = std::fs::read("tests/fixtures/check/bom_crlf_columns.vk").unwrap();
    let checked = check_fixture("bom_crlf_columns.vk", bytes);
    let plain = checked.render(ErrorFormat::Plain);
    // `store.ratin` starts at column 15 of line 3, whatever the BOM and CR.
    assert!(
        plain.starts_with("bom_crlf_columns.vk:3:15: error[V002]: unknown field `store.ratin`"),
        "{plain}"
    );
}

#[test]
fn json_format_is_one_object_per_line() {
    let checked = check_fixture(
        "t.vk",
        b"ruleset r { outcomes ok rule a when store.ratng > 1 then ok otherwise ok }".to_vec(),
    );
    let json = checked.render(ErrorFormat::Json);
    let first: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    assert_eq!(first["code"], "V002");
    assert_eq!(first["line"], 1);
    assert_eq!(first["help"], "did you mean `store.rating`?");
}

/// Checks a warning fixture on its own: each declares its own schema.
fn check_alone(name: &str, text: &str) -> verdikt::Checked {
    check_files(vec![(name.to_string(), text.as_bytes().to_vec())])
}

#[test]
fn warnings_of_suspicious_rule_files() {
    insta::glob!("fixtures/check/warnings/*.vk", |path| {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let checked = check_alone(&name, &std::fs::read_to_string(path).unwrap());
        assert!(
            !checked.diagnostics.is_empty(),
            "{name}: a warning fixture must produce warnings"
        );
        assert!(
            checked.diagnostics.iter().all(|d| !d.is_error()),
            "{name}: warnings only"
        );
        assert!(
            checked.policy.is_some(),
            "{name}: warnings do not block the policy"
        );
        let human = checked.render(ErrorFormat::Human);
        insta::assert_snapshot!(human);
    });
}

/// Near misses: each ruleset looks suspicious but is not, so no warning.
#[test]
fn no_warning_where_the_analysis_is_not_sure() {
    let text = r#"
schema s {
  merchant_id  text
  as_of        date
  rating       decimal in 0..5
  rate         rate in 0%..100%
  score        int
  limit        money >= 0
  used         money >= 0
  due          optional date
  kind         optional one of unbind, exit
}

ruleset near_misses {
  outcomes a, b
  let spare = limit - used

  # 4.495 is below 4.5 but not at most 4.49: `wider` still decides it.
  rule narrow when rating <= 4.49 then a
  rule wider when rating < 4.5 then b

  # A decimal may lie between 89 and 90.
  rule ninety when rating >= 4.9 then a
  rule above when rating > 4.8 then b

  # 97.5% is below 98%.
  rule r1 when rate < 97.5% then a
  rule r2 when rate <= 0.975 then b

  # The same in other words is not understood, so not reported.
  rule more when limit > used then a
  rule same when used < limit then b

  # Dates: from the first of March includes the first of March.
  rule later when due is present and due > 2026-03-01 then a
  rule from when due is present and due >= 2026-03-01 then b

  # An earlier rule without `else` decides only when its `when` holds.
  rule exit_ok for kind is present and kind = exit when score > 10 then a
  rule exit_any for kind is present and kind = exit when spare > 0 then b

  # An absent date is covered by neither comparison.
  rule missing when not (due is present and due <= 2026-01-01) then a

  otherwise b
}
"#;
    let checked = check_alone("near_misses.vk", text);
    let plain = checked.render(ErrorFormat::Plain);
    assert!(checked.diagnostics.is_empty(), "{plain}");
}

#[test]
fn no_warnings_on_the_shipped_rules() {
    let checked = verdikt::check_dir(Path::new("tests/fixtures/reference/rules")).unwrap();
    let plain = checked.render(ErrorFormat::Plain);
    assert!(checked.diagnostics.is_empty(), "{plain}");
}

#[test]
fn no_warnings_next_to_errors() {
    // An unused field and an impossible condition, but also an unknown field.
    let checked = check_alone(
        "broken.vk",
        "schema s { merchant_id text  as_of date  x int  spare int }\n\
         ruleset r { outcomes ok rule a when x > 3 and x < 2 and nope > 1 then ok otherwise ok }",
    );
    let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code().id()).collect();
    assert_eq!(codes, ["V002"]);
}

#[test]
fn calendars_that_say_what_they_cover_check_without_errors() {
    for text in [
        // Nothing year-specific: covers every date.
        "calendar plain { working monday..saturday }",
        // `covers` may come after the lists it covers.
        "calendar later { holidays 2027-10-01..2027-10-07 make-up 2027-10-09\n\
         covers 2026-01-01..2027-12-31 }",
        // Ranges that touch cover a holiday that runs from one into the other.
        "calendar split { covers 2026-01-01..2026-12-31, 2027-01-01..2027-06-30\n\
         holidays 2026-12-31..2027-01-01 outside monday..saturday }",
    ] {
        let text = format!("{text}\nruleset r {{ outcomes ok otherwise ok }}");
        let checked = check_fixture("c.vk", text.as_bytes().to_vec());
        let plain = checked.render(ErrorFormat::Plain);
        assert!(
            checked.diagnostics.iter().all(|d| !d.is_error()),
            "{text}\n{plain}"
        );
        assert!(checked.policy.is_some(), "{text}");
    }
}

/// Enum labels: plain, non-empty text, on every value of a type or on none,
/// each label once per type. Every problem is reported in one run.
#[test]
fn enum_labels_are_checked() {
    let path = "tests/fixtures/check/alone/enum_labels.vk";
    let checked = check_alone("enum_labels.vk", &std::fs::read_to_string(path).unwrap());
    assert!(checked.policy.is_none());
    let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code().id()).collect();
    assert_eq!(codes, ["V037"; 4], "{}", checked.render(ErrorFormat::Human));
    insta::assert_snapshot!(checked.render(ErrorFormat::Human));
}
