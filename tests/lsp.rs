//! `verdikt lsp` at the protocol level: the server runs as a subprocess on
//! a copy of the shipped rules, and each test speaks JSON-RPC to it the
//! way an editor does.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{json, Value};

/// A language client driving one server process.
struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: i64,
    /// Notifications received while waiting for responses.
    notifications: Vec<Value>,
}

impl Client {
    /// Starts `verdikt lsp` and initializes it.
    fn start(root: &Path) -> (Client, Value) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_verdikt"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start verdikt lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut client = Client {
            child,
            stdin,
            stdout,
            next_id: 0,
            notifications: Vec::new(),
        };
        let init = client.request(
            "initialize",
            json!({ "processId": null, "rootUri": uri(root), "capabilities": {} }),
        );
        client.notify("initialized", json!({}));
        (client, init)
    }

    /// Sends bytes as they are: broken frames, broken JSON.
    fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write");
        self.stdin.flush().expect("flush");
    }

    /// Sends a body as it is, framed.
    fn send_body(&mut self, body: &str) {
        self.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    /// Waits for the response with `id` (`null`: an answer to a message
    /// whose id could not be read) and returns it whole.
    fn response(&mut self, id: Value) -> Value {
        loop {
            let message = self.receive();
            if message.get("id") == Some(&id) {
                return message;
            }
            self.notifications.push(message);
        }
    }

    /// Closes the server's input; its exit status and standard error.
    fn close(self) -> (std::process::ExitStatus, String) {
        drop(self.stdin);
        let output = self.child.wait_with_output().expect("wait");
        (
            output.status,
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn receive(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.stdout.read_line(&mut line).expect("read header");
            assert!(!line.is_empty(), "the server closed its output");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().expect("length");
            }
        }
        let mut body = vec![0; length];
        self.stdout.read_exact(&mut body).expect("read body");
        serde_json::from_slice(&body).expect("JSON body")
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its result (panics on an error reply).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self.receive();
            if message["id"] == json!(id) {
                assert!(message.get("error").is_none(), "{method} failed: {message}");
                return message["result"].clone();
            }
            self.notifications.push(message);
        }
    }

    /// Waits for the diagnostics published for `file`.
    fn diagnostics_of(&mut self, file: &Path) -> Vec<Value> {
        let wanted = uri(file);
        loop {
            if let Some(i) = self.notifications.iter().position(|n| {
                n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == wanted
            }) {
                let n = self.notifications.remove(i);
                return n["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
            let message = self.receive();
            self.notifications.push(message);
        }
    }

    fn open(&mut self, file: &Path, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": {
                "uri": uri(file), "languageId": "verdikt", "version": 1, "text": text
            }}),
        );
    }

    /// Replaces the whole buffer of `file` with `text` (its version 2).
    fn change(&mut self, file: &Path, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri(file), "version": 2 },
                "contentChanges": [{ "text": text }]
            }),
        );
    }

    /// The first code action offered for diagnostic `d` of `file`: a quick
    /// fix titled `title` that replaces the diagnostic's range by `new_text`.
    fn assert_quick_fix(&mut self, file: &Path, d: &Value, title: &str, new_text: &str) {
        let actions = self.request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": uri(file) },
                "range": d["range"],
                "context": { "diagnostics": [d] }
            }),
        );
        let action = &actions[0];
        assert_eq!(action["title"], title);
        assert_eq!(action["kind"], "quickfix");
        let edits = &action["edit"]["changes"][uri(file)];
        assert_eq!(edits[0]["newText"], new_text);
        assert_eq!(edits[0]["range"], d["range"]);
    }

    /// The completion items at `shift` bytes into the first `needle` of `text`.
    fn complete(&mut self, file: &Path, text: &str, needle: &str, shift: usize) -> Vec<Value> {
        let params = json!({
            "textDocument": { "uri": uri(file) },
            "position": position(text, needle, 0, shift),
        });
        let items = self.request("textDocument/completion", params);
        items.as_array().expect("items").clone()
    }

    fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().expect("wait");
        assert!(status.success(), "verdikt lsp exited with {status}");
    }
}

/// The labels of completion items, in order.
fn labels(items: &[Value]) -> Vec<&str> {
    items.iter().filter_map(|i| i["label"].as_str()).collect()
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A fresh copy of the shipped rule files.
fn rules_copy(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("lsp-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    for entry in std::fs::read_dir("tests/fixtures/reference/rules").expect("rules") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|x| x == "vk") {
            std::fs::copy(&path, dir.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    dir
}

/// The LSP position (line, UTF-16 column) of the `nth` occurrence of
/// `needle` in `text`, plus `shift` characters.
fn position(text: &str, needle: &str, nth: usize, shift: usize) -> Value {
    let at = text.match_indices(needle).nth(nth).expect("needle").0;
    let before = &text[..at];
    let line = before.matches('\n').count();
    let column: usize = before
        .rsplit('\n')
        .next()
        .unwrap_or("")
        .chars()
        .map(char::len_utf16)
        .sum();
    json!({ "line": line, "character": column + shift })
}

fn at(file: &Path, text: &str, needle: &str, nth: usize) -> Value {
    json!({ "textDocument": { "uri": uri(file) }, "position": position(text, needle, nth, 1) })
}

#[test]
fn initialize_announces_every_feature() {
    let dir = rules_copy("init");
    let (client, init) = Client::start(&dir);
    let caps = &init["capabilities"];
    for feature in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "completionProvider",
        "semanticTokensProvider",
        "documentFormattingProvider",
        "codeActionProvider",
    ] {
        assert!(caps.get(feature).is_some(), "{feature} missing in {caps}");
    }
    client.shutdown();
}

#[test]
fn a_broken_buffer_gets_coded_diagnostics_and_a_quick_fix() {
    let dir = rules_copy("broken");
    let (mut client, _) = Client::start(&dir);
    let file = dir.join("10-limit_adjustment.vk");
    let text = std::fs::read_to_string(&file).expect("read").replacen(
        "store.rating >= 4.8",
        "store.ratng >= 4.8",
        1,
    );
    client.open(&file, &text);
    let diagnostics = client.diagnostics_of(&file);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "V002");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["range"]["start"], position(&text, "store.ratng", 0, 0));
    assert!(d["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("unknown field `store.ratng`")));
    // The other files of the directory are checked too, and are clean.
    assert!(client.diagnostics_of(&dir.join("01-schema.vk")).is_empty());

    client.assert_quick_fix(&file, d, "Replace with `store.rating`", "store.rating");

    // The fix applied, the buffer is clean again.
    let fixed = text.replacen("store.ratng", "store.rating", 1);
    client.change(&file, &fixed);
    assert!(client.diagnostics_of(&file).is_empty());
    client.shutdown();
}

#[test]
fn a_stale_threshold_in_a_text_gets_a_warning_and_the_required_fix() {
    let dir = rules_copy("stale");
    let (mut client, _) = Client::start(&dir);
    let file = dir.join("10-limit_adjustment.vk");
    let text = std::fs::read_to_string(&file).expect("read").replacen(
        "fulfillment.on_time_ship_rate >= 98%",
        "fulfillment.on_time_ship_rate >= 100%",
        1,
    );
    client.open(&file, &text);
    let diagnostics = client.diagnostics_of(&file);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "V043");
    assert_eq!(d["severity"], 2);
    assert_eq!(
        d["message"],
        "the text says `98%` but the condition compares with `100%`\nhelp: write `{required}` instead of `98%`"
    );
    assert_eq!(d["range"]["start"], position(&text, "98%\"", 0, 0));

    client.assert_quick_fix(&file, d, "Replace with `{required}`", "{required}");

    // The fix applied, the text follows the condition and the buffer is clean.
    let fixed = text.replacen("需达到 98%", "需达到 {required}", 1);
    client.change(&file, &fixed);
    assert!(client.diagnostics_of(&file).is_empty());
    client.shutdown();
}

#[test]
fn duplicates_point_at_the_first_declaration() {
    let dir = rules_copy("related");
    let (mut client, _) = Client::start(&dir);
    let file = dir.join("30-reapply.vk");
    let text = std::fs::read_to_string(&file).expect("read");
    let again = std::fs::read_to_string(dir.join("20-exit_request.vk")).expect("read");
    let file2 = dir.join("40-again.vk");
    client.open(&file2, &again);
    let diagnostics = client.diagnostics_of(&file2);
    let duplicate = diagnostics
        .iter()
        .find(|d| d["code"] == "V010")
        .expect("a duplicate ruleset");
    let related = &duplicate["relatedInformation"][0];
    assert_eq!(
        related["location"]["uri"],
        uri(&dir.join("20-exit_request.vk"))
    );
    assert_eq!(related["message"], "the first declaration");
    drop(text);

    // A field declared twice points at the first line that declares it.
    let schema_file = dir.join("01-schema.vk");
    let schema = std::fs::read_to_string(&schema_file).expect("read");
    let twice = schema.replacen(
        "  as_of                             date\n",
        "  as_of                             date\n  as_of date\n",
        1,
    );
    assert_ne!(twice, schema);
    // The earlier round of diagnostics (40-again.vk came last) is read.
    client.notifications.clear();
    client.open(&schema_file, &twice);
    let diagnostics = client.diagnostics_of(&schema_file);
    let duplicate = diagnostics
        .iter()
        .find(|d| d["code"] == "V018")
        .expect("a duplicate field");
    assert_eq!(duplicate["range"]["start"], position(&twice, "as_of", 1, 0));
    let related = &duplicate["relatedInformation"][0]["location"];
    assert_eq!(related["uri"], uri(&schema_file));
    assert_eq!(related["range"]["start"], position(&twice, "as_of", 0, 0));
    client.shutdown();
}

#[test]
fn hover_shows_a_fields_declaration_and_a_functions_signature() {
    let dir = rules_copy("hover");
    let (mut client, _) = Client::start(&dir);
    let file = dir.join("10-limit_adjustment.vk");
    let text = std::fs::read_to_string(&file).expect("read");
    let hover = client.request("textDocument/hover", at(&file, &text, "quota.status", 0));
    let shown = hover["contents"]["value"].as_str().expect("markdown");
    assert!(
        shown.contains(
            "quota.status                      one of active \"正常\", frozen \"冻结\", exited \"已退出\""
        ),
        "{shown}"
    );
    assert!(
        shown.contains("field, type `enum`; values: active, frozen, exited"),
        "{shown}"
    );

    let call = text
        .find("min(")
        .map(|_| "min(")
        .or(text.find("max(").map(|_| "max("));
    if let Some(call) = call {
        let hover = client.request("textDocument/hover", at(&file, &text, call, 0));
        let shown = hover["contents"]["value"].as_str().expect("markdown");
        assert!(shown.contains("(a, b, ...)"), "{shown}");
    }
    client.shutdown();
}

#[test]
fn definition_and_references_of_a_field() {
    let dir = rules_copy("nav");
    let (mut client, _) = Client::start(&dir);
    let file = dir.join("10-limit_adjustment.vk");
    let text = std::fs::read_to_string(&file).expect("read");
    let schema = std::fs::read_to_string(dir.join("01-schema.vk")).expect("read");

    let location = client.request(
        "textDocument/definition",
        at(&file, &text, "store.rating", 0),
    );
    assert_eq!(location["uri"], uri(&dir.join("01-schema.vk")));
    assert_eq!(
        location["range"]["start"],
        position(&schema, "store.rating", 0, 0)
    );

    let mut params = at(&file, &text, "store.rating", 0);
    params["context"] = json!({ "includeDeclaration": true });
    let found = client.request("textDocument/references", params);
    let found = found.as_array().expect("locations");
    let in_file = |f: &str| {
        found
            .iter()
            .filter(|l| l["uri"] == uri(&dir.join(f)))
            .count()
    };
    // The declaration, and each use in the ruleset (conditions and reasons).
    assert_eq!(in_file("01-schema.vk"), 1);
    assert_eq!(
        in_file("10-limit_adjustment.vk"),
        text.matches("store.rating").count()
    );
    client.shutdown();
}

#[test]
fn definition_of_a_rule_named_in_explain_unmet() {
    let dir = rules_copy("rule");
    let (mut client, _) = Client::start(&dir);
    let file = dir.join("10-limit_adjustment.vk");
    let text = std::fs::read_to_string(&file).expect("read");
    let location = client.request(
        "textDocument/definition",
        at(&file, &text, "conditions of increase", 0),
    );
    // The cursor is on `conditions`: not a name.
    assert!(location.is_null());
    let params = json!({
        "textDocument": { "uri": uri(&file) },
        "position": position(&text, "conditions of increase", 0, "conditions of ".len() + 1),
    });
    let location = client.request("textDocument/definition", params);
    assert_eq!(
        location["range"]["start"],
        position(&text, "rule increase", 0, "rule ".len())
    );
    client.shutdown();
}

#[test]
fn completion_after_a_dot_and_after_an_enum_comparison() {
    let dir = rules_copy("complete");
    let (mut client, _) = Client::start(&dir);
    let file = dir.join("10-limit_adjustment.vk");
    let text = std::fs::read_to_string(&file).expect("read");
    // The author is typing `store.` in a condition: the buffer does not parse.
    let typing = text.replacen("store.rating >= 4.8", "store. >= 4.8", 1);
    client.open(&file, &typing);
    let _ = client.diagnostics_of(&file);
    let items = client.complete(&file, &typing, "store. >= 4.8", "store.".len());
    assert_eq!(labels(&items), vec!["rating", "months_active"]);

    let typing = text.replacen("store.rating >= 4.8", "quota.status = ", 1);
    client.open(&file, &typing);
    let _ = client.diagnostics_of(&file);
    let items = client.complete(&file, &typing, "quota.status = ", "quota.status = ".len());
    assert_eq!(labels(&items), vec!["active", "frozen", "exited"]);
    client.shutdown();
}

#[test]
fn semantic_tokens_classify_keywords_fields_and_strings() {
    let dir = rules_copy("tokens");
    let (mut client, init) = Client::start(&dir);
    let legend: Vec<String> = init["capabilities"]["semanticTokensProvider"]["legend"]
        ["tokenTypes"]
        .as_array()
        .expect("legend")
        .iter()
        .map(|t| t.as_str().unwrap_or("").to_string())
        .collect();
    let file = dir.join("01-schema.vk");
    let text = std::fs::read_to_string(&file).expect("read");
    let tokens = client.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": uri(&file) } }),
    );
    let data: Vec<u64> = tokens["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|v| v.as_u64().expect("number"))
        .collect();
    // Decode (line, column, length, type) back into text.
    let lines: Vec<&str> = text.lines().collect();
    let (mut line, mut column) = (0, 0);
    let mut decoded = Vec::new();
    for t in data.chunks(5) {
        if t[0] > 0 {
            column = 0;
        }
        line += t[0] as usize;
        column += t[1] as usize;
        let word: String = lines[line]
            .encode_utf16()
            .skip(column)
            .take(t[2] as usize)
            .map(|u| char::from_u32(u as u32).unwrap_or('?'))
            .collect();
        decoded.push((word, legend[t[3] as usize].clone()));
    }
    let kind_of = |w: &str| {
        decoded
            .iter()
            .find(|(word, _)| word == w)
            .map(|(_, k)| k.as_str())
    };
    assert_eq!(decoded.first().map(|(_, k)| k.as_str()), Some("comment"));
    assert_eq!(kind_of("schema"), Some("keyword"));
    assert_eq!(kind_of("store.rating"), Some("property"));
    assert_eq!(kind_of("decimal"), Some("type"));
    assert_eq!(kind_of("0"), Some("number"));
    assert_eq!(kind_of("require"), Some("keyword"));
    client.shutdown();
}

#[test]
fn formatting_gives_the_layout_of_verdikt_fmt() {
    let dir = rules_copy("format");
    let (mut client, _) = Client::start(&dir);
    let file = dir.join("20-exit_request.vk");
    let canonical = std::fs::read_to_string(&file).expect("read");
    let messy: String = canonical
        .lines()
        .map(|l| format!("{}\n", l.trim_start()))
        .collect();
    assert_ne!(messy, canonical);
    client.open(&file, &messy);
    let edits = client.request(
        "textDocument/formatting",
        json!({
            "textDocument": { "uri": uri(&file) },
            "options": { "tabSize": 2, "insertSpaces": true }
        }),
    );
    assert_eq!(edits.as_array().map(Vec::len), Some(1));
    assert_eq!(edits[0]["newText"], canonical.as_str());
    assert_eq!(
        edits[0]["range"]["start"],
        json!({ "line": 0, "character": 0 })
    );
    client.shutdown();
}

#[test]
fn lets_calendars_and_outcomes_are_names_too() {
    let dir = rules_copy("names");
    let (mut client, _) = Client::start(&dir);
    let file = dir.join("20-exit_request.vk");
    let text = std::fs::read_to_string(&file).expect("read");

    // A `let` used in a reason or assignment: hover shows its definition.
    let use_at = text.match_indices("review_by").count();
    assert!(use_at >= 2, "review_by is used");
    let hover = client.request("textDocument/hover", at(&file, &text, "review_by", 3));
    let shown = hover["contents"]["value"].as_str().expect("markdown");
    assert!(
        shown.contains("let review_by = business_days_after(as_of, 3, calendar cn-2026)"),
        "{shown}"
    );
    assert!(
        shown.contains("`let` binding of ruleset `exit_request`, type `date`"),
        "{shown}"
    );

    // A calendar named in a call: its declaration in another file.
    let location = client.request("textDocument/definition", at(&file, &text, "cn-2026", 0));
    assert_eq!(location["uri"], uri(&dir.join("02-calendar.vk")));
    let calendar = std::fs::read_to_string(dir.join("02-calendar.vk")).expect("read");
    assert_eq!(
        location["range"]["start"],
        position(&calendar, "cn-2026", 0, 0)
    );

    // An outcome given by a clause: its place in `outcomes`.
    let params = json!({
        "textDocument": { "uri": uri(&file) },
        "position": position(&text, "else denied", 0, "else ".len() + 1),
    });
    let location = client.request("textDocument/definition", params);
    assert_eq!(location["range"]["start"], position(&text, "denied", 0, 0));

    // Completion after `calendar ` offers the declared calendars.
    let items = client.complete(&file, &text, "calendar cn-2026", "calendar ".len());
    assert_eq!(items[0]["label"], "cn-2026");
    assert_eq!(items.len(), 1);
    client.shutdown();
}

#[test]
fn completion_keeps_the_names_of_a_file_while_it_does_not_parse() {
    let dir = rules_copy("typing");
    let (mut client, _) = Client::start(&dir);
    let file = dir.join("10-limit_adjustment.vk");
    let text = std::fs::read_to_string(&file).expect("read");
    client.open(&file, &text);
    assert!(client.diagnostics_of(&file).is_empty());
    // Half-way through typing: an unclosed `(`, a syntax error.
    let typing = text.replacen("store.rating >= 4.8", "(cand >= 4.8", 1);
    client.change(&file, &typing);
    let diagnostics = client.diagnostics_of(&file);
    assert_eq!(diagnostics[0]["code"], "V001");
    let items = client.complete(&file, &typing, "(cand >= 4.8", "(cand".len());
    let candidate = items
        .iter()
        .find(|i| i["label"] == "candidate")
        .expect("the `let` of the broken file is offered");
    assert_eq!(candidate["kind"], 6); // Variable
    assert_eq!(candidate["detail"], "money");
    client.shutdown();
}

#[test]
fn a_lone_cr_is_refused_at_the_line_an_editor_shows_and_formatting_repairs_it() {
    let dir = rules_copy("lone-cr");
    let (mut client, _) = Client::start(&dir);
    let file = dir.join("10-limit_adjustment.vk");
    let hidden = "      # reviewed\r      violations.open = 0  else \"有未处理违规\"\n";
    let text = std::fs::read_to_string(&file).expect("read").replacen(
        "      store.rating >= 4.8 ",
        &format!("{hidden}      store.rating >= 4.8 "),
        1,
    );
    client.open(&file, &text);
    let diagnostics = client.diagnostics_of(&file);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "V033");
    // The CR ends its line, as the protocol counts lines: the range covers
    // it, up to the start of the line the editor shows the condition on.
    let cr = position(&text, "\r", 0, 0);
    assert_eq!(d["range"]["start"], cr);
    let next = json!({ "line": cr["line"].as_u64().unwrap() + 1, "character": 0 });
    assert_eq!(d["range"]["end"], next);
    let edits = client.request(
        "textDocument/formatting",
        json!({
            "textDocument": { "uri": uri(&file) },
            "options": { "tabSize": 2, "insertSpaces": true }
        }),
    );
    let formatted = edits[0]["newText"].as_str().expect("new text");
    assert!(!formatted.contains('\r'));
    assert!(formatted.contains("      # reviewed\n      violations.open = 0"));
    client.shutdown();
}

/// The hover of `quota.status`, proof that the server still answers.
fn hover_works(client: &mut Client, dir: &Path) {
    let file = dir.join("10-limit_adjustment.vk");
    let text = std::fs::read_to_string(&file).expect("read");
    let hover = client.request("textDocument/hover", at(&file, &text, "quota.status", 0));
    assert!(hover["contents"]["value"]
        .as_str()
        .is_some_and(|s| s.contains("quota.status")));
}

/// The error code of a response.
fn error_code(response: &Value) -> i64 {
    response["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("an error response: {response}"))
}

#[test]
fn malformed_messages_are_answered_and_the_server_goes_on() {
    let dir = rules_copy("malformed");
    let (mut client, _) = Client::start(&dir);

    // Not JSON: -32700 with id null, then the server still answers.
    client.send_body(r#"{"jsonrpc": "2.0", "id": 5, "method": "#);
    assert_eq!(error_code(&client.response(Value::Null)), -32700);
    hover_works(&mut client, &dir);

    // JSON, but not a JSON-RPC message: -32600, with the id when it has one.
    client.send_body("[1, 2]");
    assert_eq!(error_code(&client.response(Value::Null)), -32600);
    client.send_body(r#"{"jsonrpc": "2.0", "id": 41, "method": 7}"#);
    assert_eq!(error_code(&client.response(json!(41))), -32600);

    // An unknown method, invalid parameters.
    client.send(&json!({ "jsonrpc": "2.0", "id": 42, "method": "no/such", "params": {} }));
    assert_eq!(error_code(&client.response(json!(42))), -32601);
    client.send(&json!({
        "jsonrpc": "2.0", "id": 43, "method": "textDocument/hover", "params": { "x": 1 }
    }));
    let answer = client.response(json!(43));
    assert_eq!(error_code(&answer), -32602);
    assert!(answer["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("textDocument/hover")));

    // A notification with bad parameters is logged, not answered.
    client.notify("textDocument/didOpen", json!({ "textDocument": 3 }));

    // Broken headers: no length, a length that is not a number, a header
    // line of 100 KB. Each is answered, and the next message is read (the
    // framer looks for its `Content-Length:`).
    let long = format!("X-Long: {}\r\n\r\n{{}}", "x".repeat(100_000));
    for broken in [
        "Content-Type: application/json\r\n\r\n{}",
        "Content-Length: twelve\r\n\r\n{\"id\": 1}",
        &long,
    ] {
        client.send_raw(broken.as_bytes());
        assert_eq!(error_code(&client.response(Value::Null)), -32700);
        hover_works(&mut client, &dir);
    }

    client.shutdown();

    // Before `initialize` nothing else is answered (another server).
    let (mut fresh, _) = {
        let mut child = Command::new(env!("CARGO_BIN_EXE_verdikt"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start verdikt lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let client = Client {
            child,
            stdin,
            stdout,
            next_id: 0,
            notifications: Vec::new(),
        };
        (client, ())
    };
    fresh.send(&json!({ "jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "params": {} }));
    assert_eq!(error_code(&fresh.response(json!(1))), -32002);
    // The input ends in the middle of a message: a clean exit.
    fresh.send_raw(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"");
    let (status, stderr) = fresh.close();
    assert!(status.success(), "{status}: {stderr}");
    assert!(stderr.contains("ended inside a message"), "{stderr}");
}

#[test]
fn a_message_over_64_mib_is_skipped_and_the_server_goes_on() {
    let dir = rules_copy("over-size");
    let (mut client, _) = Client::start(&dir);
    let length = (64 << 20) + 1;
    client.send_raw(format!("Content-Length: {length}\r\n\r\n").as_bytes());
    let chunk = vec![b' '; 1 << 20];
    let mut left = length;
    while left > 0 {
        let n = left.min(chunk.len());
        client.send_raw(&chunk[..n]);
        left -= n;
    }
    let answer = client.response(Value::Null);
    assert_eq!(error_code(&answer), -32600);
    assert!(answer["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("67108864 byte limit")));
    hover_works(&mut client, &dir);
    client.shutdown();
}

#[test]
fn an_absurd_content_length_ends_the_connection_cleanly() {
    let dir = rules_copy("absurd");
    let (mut client, _) = Client::start(&dir);
    client.send_raw(b"Content-Length: 100000000000\r\n\r\n{}");
    let (status, stderr) = client.close();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`Content-Length: 100000000000`"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// What `verdikt check --error-format json` says of a directory, as
/// (code, message, help, where), `where` being `file:line:column`, or the
/// top of `first` for a diagnostic of the whole directory (the LSP shows
/// those there).
fn check_says(dir: &Path, first: &Path) -> Vec<(String, String, String, String)> {
    let output = Command::new(env!("CARGO_BIN_EXE_verdikt"))
        .args(["check", "--error-format", "json"])
        .arg(dir)
        .output()
        .expect("run verdikt check");
    assert_eq!(output.status.code(), Some(1));
    let mut said: Vec<_> = String::from_utf8(output.stdout)
        .expect("UTF-8")
        .lines()
        .map(|line| {
            let d: Value = serde_json::from_str(line).expect("a JSON diagnostic");
            let at = match d["file"].as_str() {
                Some(file) => format!("{file}:{}:{}", d["line"], d["column"]),
                None => format!("{}:1:1", first.display()),
            };
            let text = |k: &str| d[k].as_str().unwrap_or("").to_string();
            (text("code"), text("message"), text("help"), at)
        })
        .collect();
    said.sort();
    said
}

#[test]
fn unreadable_rule_files_get_the_diagnostics_of_verdikt_check() {
    let dir = rules_copy("unreadable");
    std::os::unix::fs::symlink("nowhere.vk", dir.join("05-dangling.vk")).expect("symlink");
    let fifo = Command::new("mkfifo")
        .arg(dir.join("06-fifo.vk"))
        .status()
        .expect("mkfifo");
    assert!(fifo.success());
    std::fs::write(dir.join("07-latin1.vk"), b"schema x {\n  caf\xe9 text\n}\n").expect("write");
    std::fs::File::create(dir.join("08-huge.vk"))
        .and_then(|f| f.set_len(17 << 20))
        .expect("a sparse 17 MiB file");
    let readable: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.len() < 1 << 20))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(readable.len(), 6, "{readable:?}");

    let (mut client, _) = Client::start(&dir);
    let file = dir.join("10-limit_adjustment.vk");
    let text = std::fs::read_to_string(&file).expect("read");
    client.open(&file, &text);
    let mut shown = Vec::new();
    for path in &readable {
        for d in client.diagnostics_of(path) {
            let full = d["message"].as_str().expect("message");
            let (message, help) = full.split_once("\nhelp: ").unwrap_or((full, ""));
            let at = format!(
                "{}:{}:{}",
                path.display(),
                d["range"]["start"]["line"].as_u64().expect("line") + 1,
                d["range"]["start"]["character"].as_u64().expect("column") + 1
            );
            let code = d["code"].as_str().expect("code").to_string();
            shown.push((code, message.to_string(), help.to_string(), at));
        }
    }
    shown.sort();
    let said = check_says(&dir, &readable[0]);
    // One per unreadable entry and one for the file that is not UTF-8.
    assert_eq!(
        said.iter().filter(|d| d.0 == "V026").count(),
        3,
        "{said:#?}"
    );
    assert!(said.iter().any(|d| d.0 == "V016"), "{said:#?}");
    assert_eq!(shown, said);
    client.shutdown();
}
