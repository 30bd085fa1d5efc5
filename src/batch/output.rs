//! Decision records and rejects as bytes.

use std::io::{self, Write};

use super::read::Unit;
use crate::decision::{Decision, OutputValue};
use crate::eval::Mode;
use crate::ir::Policy;
use crate::record::RecordError;

/// Output formats of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// One decision record (JSON) per line.
    Jsonl,
    /// A flat table: one column per ruleset outcome, rule and output.
    Csv,
    /// A Parquet file: the columns of `Policy::decide_arrow` (feature
    /// `parquet`).
    Parquet,
    /// An Arrow IPC file, the same columns (feature `arrow`).
    Arrow,
}

impl OutputFormat {
    /// Whether decisions are written as columns (Parquet, Arrow IPC).
    pub fn is_columnar(self) -> bool {
        matches!(self, OutputFormat::Parquet | OutputFormat::Arrow)
    }
}

pub(crate) struct Writer<'p> {
    policy: &'p Policy,
    format: OutputFormat,
    mode: Mode,
}

impl<'p> Writer<'p> {
    pub(crate) fn new(policy: &'p Policy, format: OutputFormat, mode: Mode) -> Self {
        Writer {
            policy,
            format,
            mode,
        }
    }

    /// The CSV header (nothing for JSONL).
    pub(crate) fn header(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.format != OutputFormat::Csv {
            return Ok(());
        }
        let mut columns = vec!["merchant_id".to_string(), "ruleset_version".to_string()];
        for rs in &self.policy.rulesets {
            columns.push(format!("{}.outcome", rs.name));
            columns.push(format!("{}.rule", rs.name));
            for o in &rs.outputs {
                columns.push(format!("{}.{}", rs.name, o.name));
            }
            if self.mode.reasons {
                columns.push(format!("{}.reasons", rs.name));
            }
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&columns).map_err(io::Error::other)?;
        out.write_all(
            &w.into_inner()
                .map_err(|e| io::Error::other(e.to_string()))?,
        )
    }

    /// Whether records go straight from the evaluator to JSON lines
    /// (`Policy::write_json_line`), without a `Decision` in between.
    pub(crate) fn writes_directly(&self) -> bool {
        self.format == OutputFormat::Jsonl && !self.mode.explain && !self.mode.trace
    }

    /// Appends the index of each ruleset's outcome, for the summary.
    pub(crate) fn outcomes(&self, d: &Decision, into: &mut Vec<usize>) {
        into.extend(self.policy.rulesets.iter().zip(&d.rulesets).map(|(rs, r)| {
            rs.outcomes
                .iter()
                .position(|o| *o == r.outcome)
                .unwrap_or(0)
        }));
    }

    /// Appends one decision as a line of output.
    pub(crate) fn write_decision(&self, out: &mut Vec<u8>, d: &Decision) -> io::Result<()> {
        match self.format {
            OutputFormat::Jsonl => {
                serde_json::to_writer(&mut *out, d).map_err(io::Error::other)?;
                out.push(b'\n');
                Ok(())
            }
            OutputFormat::Parquet | OutputFormat::Arrow => Err(io::Error::other(
                "columnar decisions are written by batch::columnar",
            )),
            OutputFormat::Csv => {
                let mut row = vec![
                    inert(d.merchant_id.clone().unwrap_or_default()),
                    d.ruleset_version.to_string(),
                ];
                for (rs, r) in self.policy.rulesets.iter().zip(&d.rulesets) {
                    row.push(inert(r.outcome.to_string()));
                    row.push(inert(r.rule.as_deref().unwrap_or("").to_string()));
                    for o in &rs.outputs {
                        row.push(r.output(&o.name).map(cell).unwrap_or_default());
                    }
                    if self.mode.reasons {
                        row.push(inert(r.reasons.join(" | ")));
                    }
                }
                let mut w = csv::Writer::from_writer(out);
                w.write_record(&row).map_err(io::Error::other)?;
                w.flush()
            }
        }
    }
}

/// An output value in a CSV cell: as in JSON, lists joined by `; `. Text
/// (and lists holding text) is made [`inert`]; numbers, money, rates, dates
/// and booleans are verdikt's own formatting and stay as they are (`-5.00`).
fn cell(v: &OutputValue) -> String {
    let text = plain_cell(v);
    if holds_text(v) {
        inert(text)
    } else {
        text
    }
}

fn plain_cell(v: &OutputValue) -> String {
    match v {
        OutputValue::List(items) => items.iter().map(plain_cell).collect::<Vec<_>>().join("; "),
        other => match serde_json::to_value(other) {
            Ok(serde_json::Value::String(s)) => s,
            Ok(x) => x.to_string(),
            Err(_) => String::new(),
        },
    }
}

fn holds_text(v: &OutputValue) -> bool {
    match v {
        OutputValue::Text(_) => true,
        OutputValue::List(items) => items.iter().any(holds_text),
        OutputValue::Money(_)
        | OutputValue::Decimal(_)
        | OutputValue::Rate(_)
        | OutputValue::Int(_)
        | OutputValue::Date(_)
        | OutputValue::Days(_)
        | OutputValue::Bool(_) => false,
    }
}

/// A text cell a spreadsheet would run as a formula (it starts with `=`,
/// `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, as OWASP
/// advises against CSV injection; any other text is left as it is.
fn inert(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}

/// Appends a reject as a JSON line: where the record was, who, and every
/// problem.
pub(crate) fn write_reject(out: &mut Vec<u8>, unit: &Unit, e: &RecordError) {
    let mut obj = serde_json::Map::new();
    obj.insert("source".into(), serde_json::Value::from(&*unit.source));
    obj.insert("line".into(), serde_json::Value::from(unit.place.line));
    if let Some(row) = unit.place.row {
        let key = if matches!(unit.payload, super::read::Payload::Yaml(_))
            || unit.source.ends_with(".yaml")
            || unit.source.ends_with(".yml")
        {
            "document"
        } else {
            "row"
        };
        obj.insert(key.into(), serde_json::Value::from(row));
    }
    if let Some(id) = &e.merchant_id {
        obj.insert("merchant_id".into(), serde_json::Value::from(id.as_str()));
    }
    let problems: Vec<serde_json::Value> = e
        .problems
        .iter()
        .map(|p| serde_json::Value::from(p.to_string()))
        .collect();
    obj.insert("problems".into(), serde_json::Value::Array(problems));
    out.extend_from_slice(serde_json::Value::Object(obj).to_string().as_bytes());
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    #[test]
    fn text_that_looks_like_a_formula_is_made_inert() {
        for risky in ["=1+2", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(inert(risky.to_string()), format!("'{risky}"));
        }
        for safe in ["", "M1", "a=b", " =1", "'=1", "1-2"] {
            assert_eq!(inert(safe.to_string()), safe);
        }
    }

    #[test]
    fn only_cells_that_hold_text_are_made_inert() {
        let text = |t: &str| OutputValue::Text(t.to_string());
        assert_eq!(cell(&text("=HYPERLINK(\"x\")")), "'=HYPERLINK(\"x\")");
        assert_eq!(
            cell(&OutputValue::List(vec![text("-a"), text("=b")])),
            "'-a; =b"
        );
        assert_eq!(
            cell(&OutputValue::List(vec![text("a"), text("=b")])),
            "a; =b"
        );
        let minus = Decimal::new(-500, 2);
        assert_eq!(cell(&OutputValue::Money(minus)), "-5.00");
        assert_eq!(cell(&OutputValue::Decimal(minus)), "-5");
        assert_eq!(cell(&OutputValue::Days(-3)), "-3");
        assert_eq!(
            cell(&OutputValue::List(vec![OutputValue::Money(minus)])),
            "-5.00"
        );
    }
}
