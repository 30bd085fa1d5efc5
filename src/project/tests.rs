//! The manifest: its keys, its errors, and how verbs find it.

use super::*;

fn parsed(text: &str) -> Result<Project, ProjectError> {
    parse(
        Path::new("policy"),
        PathBuf::from("policy/verdikt.toml"),
        text.into(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("verdikt-project-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn paths_are_relative_to_the_manifest_folder() {
    let p = parsed(
        "rules = \"src\"\ncases = \"./cases\"\ncorpora = [\"../data/a.jsonl\"]\n\n[calendar]\nhorizon = \"2026-01-01..2026-12-31\"\n",
    )
    .unwrap();
    assert_eq!(p.rules, Path::new("policy/src"));
    assert_eq!(p.cases, Path::new("policy/cases"));
    assert_eq!(p.merchants, Path::new("policy/merchants"));
    assert_eq!(p.decisions, Path::new("policy/decisions"));
    assert_eq!(p.corpora, [Path::new("policy/../data/a.jsonl")]);
    let manifest = p.manifest.unwrap();
    let (span, range) = manifest.horizon.clone().unwrap();
    assert_eq!(span.to_string(), "2026-01-01..2026-12-31");
    assert_eq!(manifest.text.get(range), Some("\"2026-01-01..2026-12-31\""));
}

#[test]
fn an_empty_manifest_means_the_defaults() {
    let p = parse(Path::new(""), PathBuf::from("verdikt.toml"), String::new()).unwrap();
    assert_eq!(p.rules, Path::new("."));
    assert_eq!(p.cases, Path::new("tests"));
    assert!(p.corpora.is_empty());
}

#[test]
fn an_unknown_key_is_located_with_a_suggestion() {
    let e = parsed("cases = \"tests\"\nrule = \".\"\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "policy/verdikt.toml:2:1: unknown key `rule`; did you mean `rules`?"
    );
    let e = parsed("[calendar]\nhorizn = \"2026-01-01..2026-12-31\"\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "policy/verdikt.toml:2:1: unknown key `horizn`; did you mean `horizon`?"
    );
    let e = parsed("banana = 1\n").unwrap_err();
    assert!(e.to_string().contains("the keys are `rules`"), "{e}");
}

#[test]
fn a_wrong_value_or_bad_toml_is_located() {
    let e = parsed("rules = 3\n").unwrap_err().to_string();
    assert!(e.starts_with("policy/verdikt.toml:1:9: "), "{e}");
    let e = parsed("rules = \"a\"\nrules = \"b\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("policy/verdikt.toml:2:1: "), "{e}");
    let e = parsed("[calendar]\nhorizon = \"2026-12-31..2026-01-01\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("policy/verdikt.toml:2:11: horizon `2026-12-31..2026-01-01` runs backwards"),
        "{e}"
    );
    let e = parsed("[calendar]\nhorizon = \"2026\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("is not a date range"), "{e}");
}

#[test]
fn the_nearest_manifest_upward_wins() {
    let root = scratch("up");
    let deep = root.join("a/b");
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::create_dir_all(root.join("rules")).unwrap();
    std::fs::write(root.join(MANIFEST), "rules = \"rules\"\n").unwrap();
    let p = discover(&deep, "verdikt check RULES").unwrap();
    assert_eq!(p.rules, Path::new("../../rules"));
    assert_eq!(p.manifest.unwrap().path, Path::new("../../verdikt.toml"));
    std::fs::write(root.join("a").join(MANIFEST), "").unwrap();
    let p = discover(&deep, "verdikt check RULES").unwrap();
    assert_eq!(p.rules, Path::new(".."));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_project_in_a_rules_folder_is_found_from_its_parent() {
    let root = scratch("nested");
    std::fs::create_dir_all(root.join("rules")).unwrap();
    let e = discover(&root, "verdikt check path/to/rules").unwrap_err();
    let message = e.to_string();
    assert!(
        message.starts_with(&format!("no verdikt.toml in `{}` or any parent; run `verdikt init` to create a project, or pass the rules directory (`verdikt check path/to/rules`)", root.display())),
        "{message}"
    );
    assert!(
        message.contains("the `rules` folder here has no verdikt.toml"),
        "{message}"
    );
    std::fs::write(root.join("rules").join(MANIFEST), "cases = \"cases\"\n").unwrap();
    let p = discover(&root, "verdikt check RULES").unwrap();
    assert_eq!(p.rules, Path::new("rules"));
    assert_eq!(p.cases, Path::new("rules/cases"));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_named_folder_without_a_manifest_is_a_bare_rules_directory() {
    let p = named(Path::new("some/rules")).unwrap();
    assert!(p.manifest.is_none());
    assert_eq!(p.cases, Path::new("some/rules/tests"));
}

#[test]
fn a_huge_manifest_is_refused_unread() {
    let root = scratch("huge");
    let big = "# x\n".repeat(20_000);
    std::fs::write(root.join(MANIFEST), big).unwrap();
    let e = discover(&root, "verdikt check RULES").unwrap_err();
    assert!(matches!(e, ProjectError::TooLarge { .. }), "{e}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_rules_folder_that_does_not_exist_is_located_in_the_manifest() {
    let root = scratch("norules");
    std::fs::write(root.join(MANIFEST), "cases = \"tests\"\nrules = \"src\"\n").unwrap();
    let e = discover(&root, "verdikt check RULES").unwrap_err();
    assert_eq!(
        e.to_string(),
        "verdikt.toml:2:9: the rules folder `src` does not exist; correct `rules`: it is relative to the manifest's folder"
    );
    std::fs::create_dir(root.join("src")).unwrap();
    assert_eq!(
        discover(&root, "verdikt check RULES").unwrap().rules,
        Path::new("src")
    );
    let _ = std::fs::remove_dir_all(&root);
}
