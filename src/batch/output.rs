//! Decision records and rejects as bytes.

use std::io::{self, Write};

use super::read::Unit;
use crate::decision::{Decision, OutputValue};
use crate::eval::Mode;
use crate::ir::Policy;
use crate::snapshot::RecordError;

/// Output formats of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// One decision record (JSON) per line.
    Jsonl,
    /// A flat table: one column per ruleset outcome, rule and output.
    Csv,
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
    /// ([`Policy::decide_json_line`]), without a `Decision` in between.
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
            OutputFormat::Csv => {
                let mut row = vec![
                    d.merchant_id.clone().unwrap_or_default(),
                    d.ruleset_version.to_string(),
                ];
                for (rs, r) in self.policy.rulesets.iter().zip(&d.rulesets) {
                    row.push(r.outcome.to_string());
                    row.push(r.rule.as_deref().unwrap_or("").to_string());
                    for o in &rs.outputs {
                        row.push(r.output(&o.name).map(cell).unwrap_or_default());
                    }
                    if self.mode.reasons {
                        row.push(r.reasons.join(" | "));
                    }
                }
                let mut w = csv::Writer::from_writer(out);
                w.write_record(&row).map_err(io::Error::other)?;
                w.flush()
            }
        }
    }
}

/// An output value in a CSV cell: as in JSON, lists joined by `; `.
fn cell(v: &OutputValue) -> String {
    match v {
        OutputValue::List(items) => items.iter().map(cell).collect::<Vec<_>>().join("; "),
        other => match serde_json::to_value(other) {
            Ok(serde_json::Value::String(s)) => s,
            Ok(x) => x.to_string(),
            Err(_) => String::new(),
        },
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
