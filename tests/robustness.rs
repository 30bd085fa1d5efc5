//! Rule text is input too: the checker must never panic, hang or crash on
//! it, whatever it is.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

use proptest::prelude::*;

fn shipped_rules() -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir("tests/fixtures/reference/rules")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "vk"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

/// Checks text as one more rule file next to nothing else.
fn check_text(text: &[u8]) -> verdikt::Checked {
    verdikt::check_files(vec![("fuzz.vk".to_string(), text.to_vec())])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = check_text(text.as_bytes());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = check_text(&bytes);
    }

    /// Real rule files with a slice cut out, or a token pasted in: the
    /// mistakes an author actually makes.
    #[test]
    fn mutated_rule_files_never_panic(
        file in 0usize..5,
        at in any::<prop::sample::Index>(),
        len in 0usize..40,
        insert in prop::sample::select(vec!["", "(", ")", "\"", "{", "}", "[", "and", "or", "not", "then", "rule x", "1e400", "¥", "%", "..", "-", "#", "\n", "is present", "calendar", "when all of", "100 days"]),
    ) {
        let files = shipped_rules();
        let (name, text) = &files[file % files.len()];
        let cut = at.index(text.len() + 1);
        let cut = (0..=cut).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        let end = (cut + len).min(text.len());
        let end = (end..=text.len()).find(|i| text.is_char_boundary(*i)).unwrap_or(text.len());
        let mutated = format!("{}{}{}", &text[..cut], insert, &text[end..]);
        let mut all: Vec<(String, Vec<u8>)> = files.iter().map(|(n, t)| (n.clone(), t.clone().into_bytes())).collect();
        for f in &mut all {
            if &f.0 == name {
                f.1 = mutated.clone().into_bytes();
            }
        }
        let checked = verdikt::check_files(all);
        // A policy either compiles or comes with at least one error.
        prop_assert!(checked.policy.is_some() || checked.diagnostics.iter().any(|d| d.is_error()));
    }
}

#[test]
fn pathological_inputs_get_diagnostics() {
    for text in [
        "(".repeat(100_000),
        format!(
            "ruleset r {{ outcomes a otherwise a, x = {} }}",
            vec!["1"; 50_000].join(" + ")
        ),
        "\"".repeat(10_000),
        String::new(),
        "# only a comment".into(),
    ] {
        let checked = check_text(text.as_bytes());
        assert!(!checked.diagnostics.is_empty());
    }
}
