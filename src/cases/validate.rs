//! Checks every case file before any case runs, so that no case can pass
//! by accident: a patch must name schema fields, an expectation must name
//! rulesets, outcomes, rules and outputs the policy has, and every case must
//! assert something. Each problem is a located [`Diagnostic`] with a hint.

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml::{Mapping, Value};

use super::positions::{Positions, Range, Step};
use super::{Case, Start};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{Policy, Ruleset};
use crate::span::{FileId, Source, SourceMap, Span};
use crate::suggest::did_you_mean;

mod expect;
mod required;

/// The keys of a case file.
const FILE_KEYS: [&str; 2] = ["bases", "cases"];
/// The keys of a case.
const CASE_KEYS: [&str; 6] = [
    "name",
    "base",
    "snapshot",
    "patch",
    "expect",
    "expect_reject",
];
/// How many names a hint lists when none is close.
const LISTED: usize = 5;

/// What the checker found: the runnable cases and bases, or diagnostics.
pub(crate) struct Checked {
    pub(crate) cases: Vec<Case>,
    pub(crate) bases: BTreeMap<String, Value>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) sources: SourceMap,
}

/// One case file as read: its text parsed twice, for values and positions.
struct Parsed {
    name: String,
    file: FileId,
    value: Value,
    positions: Positions,
}

/// Where a base is defined.
struct BaseSite {
    file: FileId,
    range: Range,
}

/// Checks the case files of `folder` (name and bytes, in run order).
/// `diagnostics` holds the problems already found in the folder itself.
pub(crate) fn check_case_files(
    policy: &Policy,
    folder: &str,
    files: Vec<(String, Vec<u8>)>,
    diagnostics: Vec<Diagnostic>,
) -> Checked {
    let folder_ok = diagnostics.is_empty();
    let no_files = files.is_empty();
    let mut checker = Checker {
        names: Names::of(policy),
        sources: SourceMap::default(),
        diagnostics,
        bases: BTreeMap::new(),
        base_sites: BTreeMap::new(),
        cases: Vec::new(),
    };
    let parsed: Vec<Parsed> = files
        .into_iter()
        .filter_map(|(name, bytes)| checker.parse(name, bytes))
        .collect();
    for file in &parsed {
        checker.check_top(file);
    }
    let mut case_count = 0;
    for file in &parsed {
        case_count += checker.check_cases(file);
    }
    checker.check_required_in_bases();
    if folder_ok && no_files {
        checker.diagnostics.push(
            Diagnostic::global(
                Code::TestCase,
                format!("no case files (`*.yaml` or `*.yml`) in `{folder}`"),
            )
            .with_help(how_to_add_a_case(folder)),
        );
    } else if checker.diagnostics.is_empty() && case_count == 0 {
        // (Only when nothing else is wrong: a broken `cases:` holds no case
        // either, and says so more precisely.)
        checker.diagnostics.push(
            Diagnostic::global(Code::TestCase, format!("no test cases in `{folder}`"))
                .with_help(how_to_add_a_case(folder)),
        );
    }
    Checked {
        cases: checker.cases,
        bases: checker.bases,
        diagnostics: checker.diagnostics,
        sources: checker.sources,
    }
}

/// The hint of every "empty suite" diagnostic.
pub(crate) fn how_to_add_a_case(folder: &str) -> String {
    format!(
        "add a file such as `{folder}/cases.yaml` holding `cases:`, a list of cases, \
         each with a `name`, a `base` or `snapshot`, and an `expect`"
    )
}

/// The names a case file may refer to.
struct Names<'p> {
    /// Schema field paths, in declaration order.
    fields: Vec<&'p str>,
    /// Every proper prefix of a field path (`quota`, ...), sorted.
    groups: BTreeSet<String>,
    /// The fields a record must give: neither optional nor defaulted.
    required: Vec<&'p str>,
    rulesets: &'p [Ruleset],
}

impl<'p> Names<'p> {
    fn of(policy: &'p Policy) -> Self {
        let fields: Vec<&str> = policy.schema.fields.iter().map(|f| &*f.path).collect();
        let mut groups = BTreeSet::new();
        for path in &fields {
            for (i, c) in path.char_indices() {
                if c == '.' {
                    if let Some(prefix) = path.get(..i) {
                        groups.insert(prefix.to_string());
                    }
                }
            }
        }
        let required = policy
            .schema
            .fields
            .iter()
            .filter(|f| !f.optional && f.default.is_none())
            .map(|f| &*f.path)
            .collect();
        Names {
            fields,
            groups,
            required,
            rulesets: &policy.rulesets,
        }
    }

    fn is_patchable(&self, path: &str) -> bool {
        self.fields.contains(&path) || self.groups.contains(path)
    }

    fn ruleset(&self, name: &str) -> Option<&'p Ruleset> {
        self.rulesets.iter().find(|r| &*r.name == name)
    }
}

/// How much the aliases of one case file may add once expanded (see
/// `crate::yaml_aliases`): room for a thousand aliases of a 50-field
/// snapshot, while a billion-laughs file is refused before it grows.
pub(crate) const CASE_ALIAS_BUDGET: usize = 4 << 20;

struct Checker<'p> {
    names: Names<'p>,
    sources: SourceMap,
    diagnostics: Vec<Diagnostic>,
    bases: BTreeMap<String, Value>,
    base_sites: BTreeMap<String, BaseSite>,
    cases: Vec<Case>,
}

impl Checker<'_> {
    /// Adds the file to the source map and reads it; `None` (with a
    /// diagnostic) when it is not UTF-8 or not YAML.
    fn parse(&mut self, name: String, bytes: Vec<u8>) -> Option<Parsed> {
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let file = self.sources.add(Source::new(name, &lossy));
                let bom = lossy.len() - self.text(file).len();
                let at = valid.saturating_sub(bom);
                self.error(
                    file,
                    (at, at + 1),
                    "case file is not valid UTF-8".into(),
                    "save the file as UTF-8".into(),
                );
                return None;
            }
        };
        let file = self.sources.add(Source::new(name.clone(), &text));
        let text = self.text(file);
        // serde_yaml breaks lines at U+0085, U+2028 and U+2029 (YAML 1.1),
        // the position reader does not, and editors and terminals break at
        // some of them and at VT, FF and a lone CR: the file could read one
        // way to its reviewer and another to verdikt. Refused, as in rule text.
        if let Some((at, c)) = crate::unicode::stray_line_terminators(&text).next() {
            let name = crate::unicode::line_terminator_name(c).unwrap_or("LINE TERMINATOR");
            self.error(
                file,
                (at, at + c.len_utf8()),
                format!("line terminator U+{:04X} ({name}) in a case file", u32::from(c)),
                "replace it with a line break (LF) or delete it: editors, terminals and YAML readers disagree on where its lines break".into(),
            );
            return None;
        }
        let syntax_help = "check the indentation (spaces only) and the quotes around here";
        // Before any value is built: serde_yaml would expand every alias.
        if let Err(e) = crate::yaml_aliases::check_aliases(&text, CASE_ALIAS_BUDGET) {
            let at = super::positions::byte_at(&text, e.line, e.col);
            self.error(
                file,
                (at, at + 1),
                e.message,
                format!(
                    "share a snapshot with `bases:` and `base:`, or write the values out; \
                     an alias counts as the bytes it stands for plus {} per node",
                    crate::yaml_aliases::NODE_BYTES
                ),
            );
            return None;
        }
        let (value, positions) = match (
            serde_yaml::from_str::<Value>(&text),
            Positions::parse(&text),
        ) {
            (Ok(value), Ok(positions)) => (value, positions),
            (Err(e), Ok(positions)) => {
                // serde_yaml points at the mapping of a duplicate key, and at
                // the start of a file with two documents: point closer.
                let why = e.to_string();
                let duplicate = positions
                    .duplicate_key()
                    .filter(|_| why.contains("duplicate entry"));
                let second_document = positions
                    .second_document
                    .filter(|_| why.contains("more than one document"));
                if let Some((key, second, first)) = duplicate {
                    let first = self.place(file, first);
                    self.error(
                        file,
                        second,
                        format!("key `{key}` is written twice in one mapping"),
                        format!("it is first written at {first}; keep one of them"),
                    );
                } else if let Some(at) = second_document {
                    self.error(
                        file,
                        (at, at + 3),
                        "a case file holds one YAML document".into(),
                        "remove this `---` line, or move what follows to a case file of its own"
                            .into(),
                    );
                } else {
                    self.yaml_error(file, &e, syntax_help);
                }
                return None;
            }
            (Err(e), Err(_)) => {
                self.yaml_error(file, &e, syntax_help);
                return None;
            }
            (Ok(_), Err(e)) => {
                let message = e.message.replace(['\n', '\r'], " ");
                self.error(
                    file,
                    (e.offset, e.offset),
                    format!("invalid YAML: {message}"),
                    syntax_help.into(),
                );
                return None;
            }
        };
        Some(Parsed {
            name,
            file,
            value,
            positions,
        })
    }

    fn yaml_error(&mut self, file: FileId, e: &serde_yaml::Error, help: &str) {
        let at = e.location().map_or(0, |l| l.index());
        self.error(
            file,
            (at, at),
            format!("invalid YAML: {}", yaml_message(e)),
            help.into(),
        );
    }

    fn text(&self, file: FileId) -> std::sync::Arc<str> {
        self.sources
            .get(file)
            .map_or_else(|| std::sync::Arc::from(""), |s| s.text.clone())
    }

    fn error(&mut self, file: FileId, range: Range, message: String, help: String) {
        self.diagnostics.push(
            Diagnostic::error(Code::TestCase, Span::new(file, range.0, range.1), message)
                .with_help(help),
        );
    }

    /// `file:line:column` of a place, for hints that point at a second spot.
    fn place(&self, file: FileId, range: Range) -> String {
        self.sources.get(file).map_or_else(String::new, |s| {
            let (line, column) = s.line_col(u32::try_from(range.0).unwrap_or(u32::MAX));
            format!("{}:{line}:{column}", s.name)
        })
    }

    /// The file's top level: known keys, and its bases.
    fn check_top(&mut self, f: &Parsed) {
        let top = match &f.value {
            Value::Null => return,
            Value::Mapping(m) => m,
            _ => {
                self.error(
                    f.file,
                    f.positions.value(&[]),
                    "a case file must be a mapping".into(),
                    "write `bases:` (named snapshots) and `cases:` (a list) at the top level"
                        .into(),
                );
                return;
            }
        };
        for (i, (key, _)) in top.iter().enumerate() {
            let known = key.as_str().is_some_and(|k| FILE_KEYS.contains(&k));
            if !known {
                let shown = key_text(key);
                self.error(
                    f.file,
                    f.positions.key(&[Step::Entry(i)]),
                    format!("unknown key `{shown}` in a case file"),
                    suggest(&shown, FILE_KEYS, "a case file has"),
                );
            }
        }
        let Some(bases) = top.get("bases") else {
            return;
        };
        let at = [Step::Key("bases")];
        let Value::Mapping(bases) = bases else {
            if !bases.is_null() {
                self.error(
                    f.file,
                    f.positions.value(&at),
                    "`bases` must map base names to snapshots".into(),
                    "write `bases:` and under it `NAME: { merchant_id: ..., as_of: ..., ... }`"
                        .into(),
                );
            }
            return;
        };
        for (i, (key, value)) in bases.iter().enumerate() {
            let key_at = [Step::Key("bases"), Step::Entry(i)];
            let Some(name) = key.as_str() else {
                self.error(
                    f.file,
                    f.positions.key(&key_at),
                    format!("base name `{}` is not text", key_text(key)),
                    "quote the name".into(),
                );
                continue;
            };
            let range = f.positions.key(&key_at);
            if let Some(first) = self.base_sites.get(name) {
                let first = self.place(first.file, first.range);
                self.error(
                    f.file,
                    range,
                    format!("base `{name}` is defined twice"),
                    format!("it is first defined at {first}; rename or remove one of them"),
                );
                continue;
            }
            if !value.is_mapping() {
                self.error(
                    f.file,
                    f.positions.value(&key_at),
                    format!("base `{name}` must be a snapshot (a mapping of fields)"),
                    "write the snapshot's fields under the name, as in a `.yaml` snapshot file"
                        .into(),
                );
            }
            self.base_sites.insert(
                name.to_string(),
                BaseSite {
                    file: f.file,
                    range,
                },
            );
            self.bases.insert(name.to_string(), value.clone());
        }
    }

    /// Checks the file's cases and keeps the good ones; the number of cases
    /// written in the file.
    fn check_cases(&mut self, f: &Parsed) -> usize {
        let Some(cases) = f.value.as_mapping().and_then(|m| m.get("cases")) else {
            return 0;
        };
        let Value::Sequence(cases) = cases else {
            if !cases.is_null() {
                self.error(
                    f.file,
                    f.positions.value(&[Step::Key("cases")]),
                    "`cases` must be a list of cases".into(),
                    "write each case as an item `- name: ...`".into(),
                );
            }
            return 0;
        };
        let mut names: BTreeMap<&str, Range> = BTreeMap::new();
        for (i, case) in cases.iter().enumerate() {
            let at = [Step::Key("cases"), Step::Index(i)];
            if let Some(name) = case.get("name").and_then(Value::as_str) {
                let range = f.positions.value(&[at[0], at[1], Step::Key("name")]);
                if let Some(&first) = names.get(name) {
                    let first = self.place(f.file, first);
                    self.error(
                        f.file,
                        range,
                        format!("case name `{name}` is used twice in this file"),
                        format!(
                            "it is first used at {first}; give each case its own name so \
                             their results can be told apart"
                        ),
                    );
                } else {
                    names.insert(name, range);
                }
            }
            if let Some(case) = self.check_case(f, &at, case) {
                self.cases.push(case);
            }
        }
        cases.len()
    }

    /// One case; `None` when it has a problem (reported) or no name.
    fn check_case(&mut self, f: &Parsed, at: &[Step<'_>], case: &Value) -> Option<Case> {
        let Value::Mapping(map) = case else {
            self.error(
                f.file,
                f.positions.value(at),
                "a case must be a mapping".into(),
                "write `name:`, `base:` or `snapshot:`, and `expect:` or `expect_reject: true`"
                    .into(),
            );
            return None;
        };
        let before = self.diagnostics.len();
        let step = |key| extend(at, Step::Key(key));
        let mut unknown_keys = false;
        for (i, (key, _)) in map.iter().enumerate() {
            if !key.as_str().is_some_and(|k| CASE_KEYS.contains(&k)) {
                unknown_keys = true;
                let shown = key_text(key);
                self.error(
                    f.file,
                    f.positions.key(&extend(at, Step::Entry(i))),
                    format!("unknown key `{shown}` in a case"),
                    suggest(&shown, CASE_KEYS, "a case has"),
                );
            }
        }
        let name = match map.get("name") {
            Some(Value::String(name)) => Some(name.clone()),
            Some(_) => {
                self.error(
                    f.file,
                    f.positions.value(&step("name")),
                    "the name of a case must be text".into(),
                    "quote the name".into(),
                );
                None
            }
            None => {
                self.error(
                    f.file,
                    f.positions.value(at),
                    "a case has no `name`".into(),
                    "add `name:` saying what the case shows, so its result can be told apart"
                        .into(),
                );
                None
            }
        };
        // The case itself, for problems of the whole case: its name.
        let case_range = f.positions.value(&step("name"));
        let start = self.check_start(f, at, map, case_range);
        let patch = self.check_patch(f, &step("patch"), map.get("patch"));
        let expect = self.check_expect(f, &step("expect"), map.get("expect"));
        let expect_reject = match map.get("expect_reject") {
            None => Some(false),
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.error(
                    f.file,
                    f.positions.value(&step("expect_reject")),
                    "`expect_reject` must be `true` or `false`".into(),
                    "write `expect_reject: true` for a record that must be rejected".into(),
                );
                None
            }
        };
        let has_expect = expect.as_ref().is_some_and(|e| !e.is_empty());
        if expect_reject == Some(true) && has_expect {
            self.error(
                f.file,
                f.positions.key(&step("expect_reject")),
                "a case cannot expect both decisions and a rejection".into(),
                "a rejected record has no decisions: remove `expect` or `expect_reject`".into(),
            );
        } else if expect_reject == Some(false) && !has_expect && expect.is_some() && !unknown_keys {
            // (A misspelt `expect` or a bad `expect_reject` is reported once.)
            let place = match map.get("expect") {
                Some(_) => f.positions.key(&step("expect")),
                None => case_range,
            };
            self.error(
                f.file,
                place,
                "the case checks nothing".into(),
                "add `expect: { RULESET: { outcome: ... } }`, or `expect_reject: true` for a \
                 record that must be rejected"
                    .into(),
            );
        }
        if self.diagnostics.len() > before {
            return None;
        }
        // The case's line, where its mapping starts: failures name it.
        let line = self.sources.get(f.file).map_or(0, |s| {
            s.line_col(u32::try_from(f.positions.value(at).0).unwrap_or(u32::MAX))
                .0
        });
        Some(Case {
            file: f.name.clone(),
            line,
            name: name?,
            start: start?,
            patch: patch?,
            expect: expect?,
            expect_reject: expect_reject?,
        })
    }

    /// `base` or `snapshot`: exactly one of them.
    fn check_start(
        &mut self,
        f: &Parsed,
        at: &[Step<'_>],
        map: &Mapping,
        case_range: Range,
    ) -> Option<Start> {
        let step = |key| extend(at, Step::Key(key));
        match (map.get("base"), map.get("snapshot")) {
            (None, None) => {
                self.error(
                    f.file,
                    case_range,
                    "the case has neither `base` nor `snapshot`".into(),
                    "add `base: NAME` to start from a shared base (with a `patch`), or a full \
                     `snapshot:`"
                        .into(),
                );
                None
            }
            (Some(_), Some(_)) => {
                self.error(
                    f.file,
                    f.positions.key(&step("snapshot")),
                    "a case cannot have both `base` and `snapshot`".into(),
                    "keep `base` (with a `patch` for what differs) or `snapshot`, not both".into(),
                );
                None
            }
            (Some(base), None) => {
                let range = f.positions.value(&step("base"));
                let Some(name) = base.as_str() else {
                    self.error(
                        f.file,
                        range,
                        "`base` must name a base".into(),
                        list("bases", self.bases.keys().map(String::as_str)),
                    );
                    return None;
                };
                if self.bases.contains_key(name) {
                    return Some(Start::Base(name.to_string()));
                }
                let help = suggest(name, self.bases.keys().map(String::as_str), "bases");
                self.error(f.file, range, format!("unknown base `{name}`"), help);
                None
            }
            (None, Some(snapshot)) => {
                if snapshot.is_mapping() {
                    self.check_required_in_snapshot(f, &step("snapshot"), snapshot, map);
                    return Some(Start::Snapshot(snapshot.clone()));
                }
                self.error(
                    f.file,
                    f.positions.value(&step("snapshot")),
                    "`snapshot` must be a mapping of snapshot fields".into(),
                    "write the snapshot's fields under `snapshot:`, as in a `.yaml` snapshot file"
                        .into(),
                );
                None
            }
        }
    }

    /// `patch`: schema field paths (or groups) to values.
    fn check_patch(
        &mut self,
        f: &Parsed,
        at: &[Step<'_>],
        patch: Option<&Value>,
    ) -> Option<Vec<(String, Value)>> {
        let map = match patch {
            None | Some(Value::Null) => return Some(Vec::new()),
            Some(Value::Mapping(map)) => map,
            Some(_) => {
                self.error(
                    f.file,
                    f.positions.value(at),
                    "`patch` must map field paths to values".into(),
                    "write `patch: { store.rating: \"4.79\" }`; `null` removes a field".into(),
                );
                return None;
            }
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (i, (key, value)) in map.iter().enumerate() {
            let range = f.positions.key(&extend(at, Step::Entry(i)));
            let path = match key.as_str() {
                Some(path) if self.names.is_patchable(path) => path,
                _ => {
                    let shown = key_text(key);
                    let help = self.field_help(&shown);
                    self.error(
                        f.file,
                        range,
                        format!("unknown field `{shown}` in `patch`"),
                        help,
                    );
                    ok = false;
                    continue;
                }
            };
            out.push((path.to_string(), value.clone()));
        }
        ok.then_some(out)
    }

    /// The hint for an unknown field path: the closest path or group, or
    /// the fields of its group, or the top-level names.
    fn field_help(&self, path: &str) -> String {
        let candidates = self
            .names
            .fields
            .iter()
            .copied()
            .chain(self.names.groups.iter().map(String::as_str));
        if let Some(close) = did_you_mean(path, candidates) {
            return format!("did you mean `{close}`?");
        }
        let parent = path.rsplit_once('.').map(|(p, _)| p);
        if let Some(group) = parent.filter(|p| self.names.groups.contains(*p)) {
            let prefix = format!("{group}.");
            let siblings = self
                .names
                .fields
                .iter()
                .copied()
                .filter(|f| f.starts_with(&prefix));
            return list(&format!("fields of `{group}`"), siblings);
        }
        let mut top: Vec<&str> = Vec::new();
        for field in &self.names.fields {
            let root = field.split('.').next().unwrap_or(field);
            if !top.contains(&root) {
                top.push(root);
            }
        }
        list("top-level fields and groups", top)
    }
}

/// `at` with one more step.
fn extend<'a>(at: &[Step<'a>], step: Step<'a>) -> Vec<Step<'a>> {
    let mut path = at.to_vec();
    path.push(step);
    path
}

/// "did you mean `x`?" when a candidate is close, else up to five of them.
fn suggest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
    what: &str,
) -> String {
    match did_you_mean(word, candidates.clone()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => list(what, candidates),
    }
}

/// "what: `a`, `b`, `c`, `d`, `e` and 3 more".
fn list<'a>(what: &str, names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    if names.is_empty() {
        return format!("{what}: none");
    }
    let shown: Vec<String> = names
        .iter()
        .take(LISTED)
        .map(|n| format!("`{n}`"))
        .collect();
    let more = names.len().saturating_sub(LISTED);
    if more == 0 {
        format!("{what}: {}", shown.join(", "))
    } else {
        format!("{what}: {} and {more} more", shown.join(", "))
    }
}

/// A key as written, for messages.
fn key_text(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        _ => serde_yaml::to_string(key)
            .map(|s| s.trim().replace('\n', " "))
            .unwrap_or_default(),
    }
}

/// serde_yaml's message without its position (the diagnostic has it) and
/// on one line.
fn yaml_message(e: &serde_yaml::Error) -> String {
    let mut text = e.to_string();
    if let Some(l) = e.location() {
        text = text.replacen(
            &format!(" at line {} column {}", l.line(), l.column()),
            "",
            1,
        );
    }
    text.replace(['\n', '\r'], " ")
}
