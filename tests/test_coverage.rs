//! `verdikt test --coverage` counts a rule as covered only through cases
//! that assert on its ruleset: deciding a record is not testing it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

mod common;

#[test]
fn rules_of_a_ruleset_no_case_asserts_on_are_not_covered() {
    let (code, out, err) = common::verdikt(&["test", "tests/fixtures/coverage", "--coverage"]);
    assert_eq!(code, 0, "{out}\n{err}");
    // Both cases decide `tier` by rule `high`, but neither says what it
    // should be.
    assert!(
        out.contains("grade: rules 1/1 decided (100%), clauses 2/2"),
        "{out}"
    );
    assert!(
        out.contains("tier: rules 0/1 decided (0%), clauses 0/2"),
        "{out}"
    );
    let coverage: Vec<&str> = out.lines().skip_while(|l| *l != "coverage:").collect();
    insta::assert_snapshot!(coverage.join("\n"));
}
