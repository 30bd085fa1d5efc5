//! Reading once for both versions must change nothing: `reads_alike` says
//! yes only when the schemas read alike, and a diff read once equals the
//! same diff read twice, rejects included.

use std::io::Cursor;

use super::{diff_reading, reads_alike, Options};
use crate::batch::{Format, Input};
use crate::Policy;

/// The shipped rules, with `from` replaced by `to` in `file`.
fn rules_with(file: &str, from: &str, to: &str) -> Policy {
    let mut files = Vec::new();
    for entry in std::fs::read_dir("tests/fixtures/reference/rules").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "vk") {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let mut text = std::fs::read_to_string(&path).unwrap();
            if name == file {
                assert!(text.contains(from), "{file} has no {from:?}");
                text = text.replacen(from, to, 1);
            }
            files.push((name, text.into_bytes()));
        }
    }
    files.sort();
    crate::check_files(files)
        .policy
        .expect("the changed rules check")
}

fn shipped() -> Policy {
    rules_with("01-schema.vk", "", "")
}

#[test]
fn a_changed_threshold_reads_alike() {
    let head = rules_with(
        "10-limit_adjustment.vk",
        "store.rating >= 4.8",
        "store.rating >= 4.7",
    );
    assert!(reads_alike(&shipped(), &head));
    assert!(reads_alike(&shipped(), &shipped()));
}

#[test]
fn a_changed_schema_does_not() {
    let base = shipped();
    let narrower = rules_with("01-schema.vk", "decimal in 0..5", "decimal in 0..4");
    assert!(!reads_alike(&base, &narrower));
    assert!(!reads_alike(&narrower, &base));
    let more_statuses = rules_with(
        "01-schema.vk",
        "exited \"已退出\"",
        "exited \"已退出\", closed \"已关闭\"",
    );
    assert!(!reads_alike(&base, &more_statuses));
}

fn impact(base: &Policy, head: &Policy, corpus: &[u8], read_once: bool) -> String {
    let input = Input::from_reader(
        "corpus.jsonl",
        Format::Jsonl,
        Cursor::new(corpus.to_vec()),
        1 << 20,
    );
    let options = Options {
        chunk_bytes: crate::batch::DEFAULT_CHUNK_BYTES,
        chunk: 512,
        examples: 3,
        read_ahead: false,
    };
    let impact = diff_reading(base, head, vec![input], &options, read_once).unwrap();
    serde_json::to_string(&impact).unwrap()
}

#[test]
fn reading_once_equals_reading_twice_with_bad_records() {
    let mut corpus = Vec::new();
    crate::gen::corpus(3_000, 11, 5, |line| {
        corpus.extend_from_slice(line.as_bytes());
        corpus.push(b'\n');
    });
    let base = shipped();
    let head = rules_with(
        "10-limit_adjustment.vk",
        "store.rating >= 4.8",
        "store.rating >= 4.7",
    );
    let once = impact(&base, &head, &corpus, true);
    assert_eq!(once, impact(&base, &head, &corpus, false));
    assert!(
        !once.contains("\"rejected_base\":0,"),
        "the corpus has rejects: {once}"
    );
    assert!(
        once.contains("\"changed\":1"),
        "the change moved a decision: {once}"
    );
}
