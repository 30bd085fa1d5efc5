//! The editor files agree with the language: the TextMate grammar knows
//! every keyword and type of `grammar/verdikt.pest`, and the VS Code
//! extension wires that grammar and `verdikt lsp`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

use serde_json::Value;

fn json(path: &str) -> Value {
    let text = std::fs::read_to_string(path).expect(path);
    serde_json::from_str(&text).expect(path)
}

/// The words a pest rule's alternatives spell, for `name = @{ ("a" | "b") ... }`
/// or `name = @{ "a" ~ ... }`.
fn quoted_words(line: &str) -> Vec<String> {
    line.split('"')
        .skip(1)
        .step_by(2)
        .filter(|w| w.chars().all(|c| c.is_ascii_alphabetic() || c == '-') && !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn textmate_grammar_knows_every_keyword_and_type() {
    let pest = std::fs::read_to_string("grammar/verdikt.pest").expect("grammar");
    let mut words = Vec::new();
    for line in pest.lines() {
        let line = line.trim_start();
        if line.starts_with("kw_") || line.starts_with("base_type") || line.starts_with("boolean") {
            words.extend(quoted_words(line));
        }
    }
    assert!(words.len() > 30, "{words:?}");
    let grammar = json("editors/textmate/verdikt.tmLanguage.json");
    let repository = &grammar["repository"];
    let patterns: String = ["keyword", "type"]
        .iter()
        .map(|k| repository[*k].to_string())
        .collect();
    for word in &words {
        let alternative = format!("|{word}|");
        let first = format!("({word}|");
        let last = format!("|{word})");
        assert!(
            patterns.contains(&alternative)
                || patterns.contains(&first)
                || patterns.contains(&last),
            "the TextMate grammar does not highlight `{word}`"
        );
    }
    assert_eq!(grammar["scopeName"], "source.verdikt");
}

#[test]
fn vscode_extension_wires_the_grammar_and_the_server() {
    let package = json("editors/vscode/package.json");
    let grammar = &package["contributes"]["grammars"][0];
    assert_eq!(grammar["scopeName"], "source.verdikt");
    let path = format!("editors/vscode/{}", grammar["path"].as_str().expect("path"));
    let linked = json(&path);
    assert_eq!(linked, json("editors/textmate/verdikt.tmLanguage.json"));
    assert_eq!(
        package["contributes"]["languages"][0]["extensions"][0],
        ".vk"
    );
    let extension = std::fs::read_to_string("editors/vscode/extension.js").expect("extension");
    assert!(extension.contains("args: ['lsp']"));
}
