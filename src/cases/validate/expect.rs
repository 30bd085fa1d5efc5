//! Checks of `expect`: rulesets the policy has, and per ruleset `outcome`,
//! `rule`, `reasons` or one of its outputs, with outcome and rule values it
//! can give.

use serde_yaml::Value;

use super::{extend, key_text, list, suggest, Checker, Parsed};
use crate::cases::positions::Step;
use crate::cases::Expectation;
use crate::ir::Ruleset;

/// What an expectation may check besides the ruleset's outputs.
const DECISION_KEYS: [&str; 3] = ["outcome", "rule", "reasons"];

impl Checker<'_> {
    /// `expect`: per ruleset, the outcome, rule, reasons and outputs.
    /// `Some(empty)` when there is no `expect`.
    pub(super) fn check_expect(
        &mut self,
        f: &Parsed,
        at: &[Step<'_>],
        expect: Option<&Value>,
    ) -> Option<Vec<Expectation>> {
        let map = match expect {
            None | Some(Value::Null) => return Some(Vec::new()),
            Some(Value::Mapping(map)) => map,
            Some(_) => {
                self.error(
                    f.file,
                    f.positions.value(at),
                    "`expect` must map ruleset names to expected decisions".into(),
                    "write `expect: { RULESET: { outcome: ..., OUTPUT: ... } }`".into(),
                );
                return None;
            }
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (i, (key, value)) in map.iter().enumerate() {
            let entry = extend(at, Step::Entry(i));
            let ruleset = key.as_str().and_then(|k| self.names.ruleset(k));
            let Some(ruleset) = ruleset else {
                let shown = key_text(key);
                let names = self.names.rulesets.iter().map(|r| &*r.name);
                self.error(
                    f.file,
                    f.positions.key(&entry),
                    format!("unknown ruleset `{shown}` in `expect`"),
                    suggest(&shown, names, "rulesets"),
                );
                ok = false;
                continue;
            };
            match self.check_expectation(f, &entry, ruleset, value) {
                Some(checks) => out.push(Expectation {
                    ruleset: ruleset.name.to_string(),
                    checks,
                }),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// One ruleset's expected decision.
    fn check_expectation(
        &mut self,
        f: &Parsed,
        at: &[Step<'_>],
        ruleset: &Ruleset,
        value: &Value,
    ) -> Option<Vec<(String, Value)>> {
        let name = &*ruleset.name;
        let Value::Mapping(map) = value else {
            self.error(
                f.file,
                f.positions.value(at),
                format!("the expectation for `{name}` must be a mapping"),
                format!("write `{name}: {{ outcome: ..., OUTPUT: ... }}`"),
            );
            return None;
        };
        if map.is_empty() {
            self.error(
                f.file,
                f.positions.key(at),
                format!("the expectation for `{name}` checks nothing"),
                format!("add `outcome: ...` (outcomes: {}) or remove it", {
                    let outcomes: Vec<String> =
                        ruleset.outcomes.iter().map(|o| format!("`{o}`")).collect();
                    outcomes.join(", ")
                }),
            );
            return None;
        }
        let outputs = ruleset.outputs.iter().map(|o| &*o.name);
        let keys: Vec<&str> = DECISION_KEYS.iter().copied().chain(outputs).collect();
        let mut out = Vec::new();
        let mut ok = true;
        for (i, (key, want)) in map.iter().enumerate() {
            let entry = extend(at, Step::Entry(i));
            let Some(key) = key.as_str().filter(|k| keys.contains(k)) else {
                let shown = key_text(key);
                self.error(
                    f.file,
                    f.positions.key(&entry),
                    format!("unknown key `{shown}` in the expectation for `{name}`"),
                    suggest(&shown, keys.iter().copied(), &format!("`{name}` has")),
                );
                ok = false;
                continue;
            };
            let good = match key {
                "outcome" => self.check_name_value(f, &entry, want, Named::Outcome, ruleset),
                "rule" => self.check_name_value(f, &entry, want, Named::Rule, ruleset),
                _ => true,
            };
            ok &= good;
            out.push((key.to_string(), want.clone()));
        }
        ok.then_some(out)
    }

    /// An `outcome` or `rule` value: one the ruleset has (a `rule` may be
    /// `otherwise`, or `null` for a ruleset that did not apply).
    fn check_name_value(
        &mut self,
        f: &Parsed,
        at: &[Step<'_>],
        want: &Value,
        kind: Named,
        ruleset: &Ruleset,
    ) -> bool {
        let (word, names): (&str, Vec<&str>) = match kind {
            Named::Outcome => ("outcome", ruleset.outcomes.iter().map(|o| &**o).collect()),
            Named::Rule => {
                let rules = ruleset.rules.iter().map(|r| &*r.name);
                ("rule", rules.chain(std::iter::once("otherwise")).collect())
            }
        };
        let name = &*ruleset.name;
        let plural = format!("{word}s of `{name}`");
        let range = f.positions.value(at);
        match want {
            Value::Null if kind == Named::Rule => true,
            Value::String(v) if names.contains(&v.as_str()) => true,
            Value::String(v) => {
                self.error(
                    f.file,
                    range,
                    format!("unknown {word} `{v}` for `{name}`"),
                    suggest(v, names.iter().copied(), &plural),
                );
                false
            }
            _ => {
                self.error(
                    f.file,
                    range,
                    format!(
                        "`{word}` must name a{} {word} of `{name}`",
                        if kind == Named::Outcome { "n" } else { "" }
                    ),
                    list(&plural, names.iter().copied()),
                );
                false
            }
        }
    }
}

/// The names an expectation's value must be one of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Named {
    Outcome,
    Rule,
}
