//! The fast JSON reader against a plain one.
//!
//! The plain reader parses a record with `serde_json` (numbers kept as
//! their text) and walks the schema's fields, handing each value to the
//! same record builder as raw text: no key matching in place, no typed fast
//! path, no reused slots. On every record both must give the same slots
//! (bit for bit: `Fixed(m, scale)`, not just equal values), or both reject
//! it with the same problems. Records come from the generator and from a
//! mutator that breaks them in the ways the fast paths must step aside for:
//! exponents, leading zeros, negative zeros, sub-cent money, 30-digit
//! numbers, escapes, bad dates and enum names, nulls, wrong types, missing,
//! unknown and reordered keys. Duplicate keys are left out: `serde_json`
//! keeps the last one, where verdikt refuses the record.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use proptest::prelude::*;
use serde_json::value::RawValue;
use serde_json::Value as Json;

use super::{read_json_reusing, Raw, RecordBuilder};
use crate::ir::{PathEntry, PathTree, Policy};
use crate::record::{Record, RecordError};

fn policy() -> Policy {
    let checked =
        crate::policy::check_dir(std::path::Path::new("tests/fixtures/reference/rules")).unwrap();
    checked.policy.expect("the shipped rules check")
}

/// A JSON object with its values as written.
type RawObject = std::collections::BTreeMap<String, Box<RawValue>>;

/// The plain reader: `serde_json` (values kept as written), then the
/// schema's fields one by one.
fn read_plain(policy: &Policy, text: &str) -> Result<Record, RecordError> {
    let top: RawObject = serde_json::from_str(text)
        .map_err(|e| RecordError::single(format!("invalid JSON: {e}")))?;
    let mut builder = RecordBuilder::new(policy);
    walk(&policy.schema.tree, &top, "", &mut builder);
    builder.finish()
}

fn walk(tree: &PathTree, object: &RawObject, prefix: &str, out: &mut RecordBuilder<'_>) {
    for (key, entry) in &tree.entries {
        let Some(value) = object.get(&**key) else {
            continue;
        };
        let text = value.get();
        match entry {
            PathEntry::Leaf(id) => match text.as_bytes().first() {
                Some(b'"') => {
                    let s: String = serde_json::from_str(text).unwrap();
                    out.set(*id, Raw::Str(s.into()));
                }
                Some(b'n') => out.set(*id, Raw::Null),
                Some(b't') => out.set(*id, Raw::Bool(true)),
                Some(b'f') => out.set(*id, Raw::Bool(false)),
                Some(b'{' | b'[') => out.set(*id, Raw::Composite),
                _ => out.set(*id, Raw::Number(text)),
            },
            PathEntry::Node(child) => {
                let path = if prefix.is_empty() {
                    key.to_string()
                } else {
                    format!("{prefix}.{key}")
                };
                match text.as_bytes().first() {
                    Some(b'{') => {
                        let inner: RawObject = serde_json::from_str(text).unwrap();
                        walk(child, &inner, &path, out);
                    }
                    Some(b'n') => {}
                    _ => out.problem(Some(&path), "must be an object"),
                }
            }
        }
    }
}

/// Slots as text that tells every value apart (`Fixed(m, scale)`), or the
/// sorted problems.
fn outcome(result: Result<Record, RecordError>) -> Result<String, Vec<String>> {
    match result {
        Ok(record) => Ok(format!("{:?}", record.slots)),
        Err(e) => {
            let mut problems: Vec<String> = e
                .problems
                .iter()
                .map(|p| format!("{:?}: {}", p.field, p.message))
                .collect();
            problems.sort();
            Err(problems)
        }
    }
}

/// Values a field may be given in place of the one it had.
const REPLACEMENTS: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-0",
    "-0.0",
    "\"-0\"",
    "0.000",
    "7",
    "\"7\"",
    "007",
    "\"007\"",
    "1e3",
    "1E-2",
    "\"1e3\"",
    "4.8",
    "\"4.8\"",
    "4.80",
    "4.8000",
    "-4.8",
    "12.345",
    "\"12.345\"",
    "100.10",
    "100.1",
    "1.005",
    "999999999999999999",
    "9999999999999999999",
    "123456789012345678901234567890",
    "\"123456789012345678901234567890.5\"",
    "0.0000000000000000000000000001",
    "\"\"",
    "\" \"",
    "\"abc\"",
    "\"M\\u0030001\"",
    "\"caf\\u00e9\"",
    "\"tab\\tin\"",
    "\"2026-02-28\"",
    "\"2026-02-30\"",
    "\"2024-02-29\"",
    "\"2026-2-28\"",
    "\"2026-02-28T00:00:00\"",
    "\"active\"",
    "\"Active\"",
    "\"frozen\"",
    "\"exited\"",
    "\"mybank\"",
    "\"unbind\"",
    "\"exit_service\"",
    "[]",
    "[1]",
    "{}",
    "{\"a\":1}",
    "950",
    "951",
    "349",
    "\"350\"",
    "5",
    "5.01",
    "1",
    "1.0001",
    "-1",
    "1.",
    ".5",
    "+1",
];

/// A generated record, broken by `choices`: each choice picks a field (by
/// the order of its key in the text) and what to do to it.
fn mutate(line: &str, choices: &[(usize, usize, u8)]) -> String {
    let mut json: Json = serde_json::from_str(line).unwrap();
    let mut paths = Vec::new();
    collect_paths(&json, &mut Vec::new(), &mut paths);
    for &(which, pick, action) in choices {
        let Some(path) = paths.get(which % paths.len().max(1)).cloned() else {
            continue;
        };
        match action % 6 {
            0 => set(&mut json, &path, Some(placeholder(pick))),
            1 => set(&mut json, &path, None),
            // A whole group replaced.
            2 if path.len() > 1 => set(&mut json, &path[..1], Some(placeholder(pick))),
            3 => {
                let extra = format!("unknown_{pick}");
                let mut parent = path.clone();
                parent.pop();
                parent.push(extra);
                set(&mut json, &parent, Some(Json::from(pick)));
            }
            4 => reverse(&mut json, &path[..path.len() - 1]),
            _ => {}
        }
    }
    // Replacements go in as written, invalid JSON too.
    let mut text = serde_json::to_string(&json).unwrap();
    for (i, replacement) in REPLACEMENTS.iter().enumerate() {
        text = text.replace(&format!("\"@@{i}@@\""), replacement);
    }
    text
}

/// Marks where replacement `pick` goes, for [`mutate`] to write as is.
fn placeholder(pick: usize) -> Json {
    Json::String(format!("@@{}@@", pick % REPLACEMENTS.len()))
}

fn collect_paths(json: &Json, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    if let Json::Object(map) = json {
        for (k, v) in map {
            prefix.push(k.clone());
            out.push(prefix.clone());
            collect_paths(v, prefix, out);
            prefix.pop();
        }
    }
}

fn set(json: &mut Json, path: &[String], value: Option<Json>) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = json;
    for p in parents {
        match at.get_mut(p) {
            Some(next) => at = next,
            None => return,
        }
    }
    if let Json::Object(map) = at {
        match value {
            Some(v) => {
                map.insert(last.clone(), v);
            }
            None => {
                map.shift_remove(last);
            }
        }
    }
}

/// Reverses the key order of the object at `path` (keys out of the
/// schema's order take the fast reader's slow lookup).
fn reverse(json: &mut Json, path: &[String]) {
    let mut at = json;
    for p in path {
        match at.get_mut(p) {
            Some(next) => at = next,
            None => return,
        }
    }
    if let Json::Object(map) = at {
        let entries: Vec<(String, Json)> = std::mem::take(map).into_iter().rev().collect();
        map.extend(entries);
    }
}

fn corpus(n: u64, bad_percent: u64) -> Vec<String> {
    let mut lines = Vec::new();
    crate::gen::corpus(n, 11, bad_percent, |l| lines.push(l.to_string()));
    lines
}

#[test]
fn the_fast_reader_reads_the_generated_corpus_as_the_plain_one() {
    let policy = policy();
    let mut slots = Vec::new();
    let (mut decided, mut rejected) = (0, 0);
    for line in corpus(3000, 5) {
        let plain = outcome(read_plain(&policy, &line));
        let fast_result = read_json_reusing(&policy, &line, std::mem::take(&mut slots));
        let fast = match fast_result {
            Ok(record) => {
                let shown = format!("{:?}", record.slots);
                slots = record.into_slots();
                Ok(shown)
            }
            Err(e) => outcome(Err(e)),
        };
        if serde_json::from_str::<Json>(&line).is_err() {
            assert!(fast.is_err(), "the fast reader took invalid JSON: {line}");
            continue;
        }
        assert_eq!(fast, plain, "{line}");
        if fast.is_ok() {
            decided += 1;
        } else {
            rejected += 1;
        }
    }
    assert!(
        decided > 2000 && rejected > 50,
        "{decided} read, {rejected} rejected"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn the_fast_reader_reads_broken_records_as_the_plain_one(
        index in 0usize..200,
        choices in prop::collection::vec((0usize..64, 0usize..1000, 0u8..6), 0..6),
        reuse in any::<bool>(),
    ) {
        let policy = policy_once();
        let lines = corpus_once();
        let line = mutate(&lines[index], &choices);
        let plain = outcome(read_plain(policy, &line));
        // Half the time into the slots of another record, as batch reads.
        let slots = if reuse {
            read_json_reusing(policy, &lines[(index + 1) % lines.len()], Vec::new())
                .map(Record::into_slots)
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let fast = outcome(read_json_reusing(policy, &line, slots));
        if serde_json::from_str::<Json>(&line).is_err() {
            prop_assert!(fast.is_err(), "the fast reader took invalid JSON: {}", line);
        } else {
            prop_assert_eq!(fast, plain, "{}", line);
        }
    }
}

fn policy_once() -> &'static Policy {
    static POLICY: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
    POLICY.get_or_init(policy)
}

fn corpus_once() -> &'static [String] {
    static LINES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    LINES.get_or_init(|| corpus(200, 0))
}
