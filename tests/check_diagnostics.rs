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

use verdikt::{check_files, diagnostic, Code, ErrorFormat};

fn shipped(name: &str) -> (String, Vec<u8>) {
    (
        name.to_string(),
        std::fs::read(Path::new("rules").join(name)).unwrap(),
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
        let human = diagnostic::render(&checked.diagnostics, &checked.sources, ErrorFormat::Human);
        insta::assert_snapshot!(human);
    });
}

#[test]
fn every_error_blocks_the_policy() {
    for entry in std::fs::read_dir("tests/fixtures/check").unwrap() {
        let path = entry.unwrap().path();
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
        .find(|d| d.code == Code::InvalidUtf8)
        .unwrap();
    let plain = diagnostic::render(
        std::slice::from_ref(d),
        &checked.sources,
        ErrorFormat::Plain,
    );
    assert_eq!(
        plain.trim(),
        "bad.vk:3:21: error[V016]: rule file is not valid UTF-8 (help: save the file as UTF-8)"
    );
}

#[test]
fn bom_and_crlf_keep_columns_right() {
    let bytes = std::fs::read("tests/fixtures/check/bom_crlf_columns.vk").unwrap();
    let checked = check_fixture("bom_crlf_columns.vk", bytes);
    let plain = diagnostic::render(&checked.diagnostics, &checked.sources, ErrorFormat::Plain);
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
    let json = diagnostic::render(&checked.diagnostics, &checked.sources, ErrorFormat::Json);
    let first: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    assert_eq!(first["code"], "V002");
    assert_eq!(first["line"], 1);
    assert_eq!(first["help"], "did you mean `store.rating`?");
}
