//! Decision records as JSON lines, written straight from the evaluator:
//! no `Decision` in between, names and keys escaped once per policy
//! (`ir::JsonText`), reasons rendered once into the line, numbers and dates
//! formatted digit by digit. The bytes are exactly serde_json's for the
//! serialized `Decision` (a test holds them equal).

use crate::calendar::Fallbacks;
use crate::eval::{Decider, Evaluator, Mode, Reason, Scratch};
use crate::ir::Policy;
use crate::json::{write_int, write_str};
use crate::num;
use crate::record::{Record, RecordError};
use crate::types::Ty;
use crate::value::{self, Value};

impl Policy {
    /// Decides a record and appends its decision record as one JSON line
    /// (see [`Policy::decide_json_line`]); also appends each ruleset's
    /// outcome index to `outcomes`, and returns the calendars that used
    /// their `outside` weekdays. On error nothing is appended. `scratch`
    /// carries buffers from record to record.
    pub(crate) fn write_json_line(
        &self,
        record: &Record,
        mode: Mode,
        out: &mut Vec<u8>,
        outcomes: &mut Vec<usize>,
        scratch: &mut Scratch,
    ) -> Result<Fallbacks, RecordError> {
        let start = (out.len(), outcomes.len());
        let mode = Mode {
            explain: false,
            trace: false,
            ..mode
        };
        let mut ev = Evaluator::with_scratch(self, record, mode, std::mem::take(scratch));
        let result = self.write_decision_line(&mut ev, record, out, outcomes);
        let fallbacks = std::mem::take(&mut ev.fallbacks);
        *scratch = ev.into_scratch();
        match result {
            Ok(()) => Ok(fallbacks),
            Err(e) => {
                out.truncate(start.0);
                outcomes.truncate(start.1);
                Err(e)
            }
        }
    }

    fn write_decision_line<'p>(
        &'p self,
        ev: &mut Evaluator<'p, '_>,
        record: &Record,
        out: &mut Vec<u8>,
        outcomes: &mut Vec<usize>,
    ) -> Result<(), RecordError> {
        let fail = |ev: &Evaluator<'_, '_>, fault| self.record_error(record, &ev.describe(fault));
        out.extend_from_slice(b"{\"merchant_id\":");
        match self.schema.merchant_id.and_then(|id| record.get(id)) {
            Some(Value::Text(t)) => write_str(out, t),
            _ => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(&self.json.head);
        for (rs, text) in self.rulesets.iter().zip(&self.json.rulesets) {
            let raw = ev.decide(rs).map_err(|f| fail(ev, f))?;
            out.extend_from_slice(&text.key);
            out.extend_from_slice(
                text.outcomes
                    .get(raw.outcome)
                    .map_or(&b"\"?\""[..], Vec::as_slice),
            );
            match raw.decider {
                Decider::Guard => {}
                Decider::Then(i) | Decider::Else(i) => {
                    out.extend_from_slice(text.rules.get(i).map_or(&[][..], Vec::as_slice));
                }
                Decider::Otherwise => out.extend_from_slice(&text.otherwise),
            }
            for ((o, key), v) in rs
                .outputs
                .iter()
                .zip(&text.outputs)
                .zip(&ev.scratch.outputs)
            {
                if let Some(v) = v {
                    out.extend_from_slice(key);
                    write_output(out, v, &o.ty, self);
                }
            }
            out.extend_from_slice(b",\"reasons\":[");
            let mut first = true;
            if let Some(b) = raw.because {
                write_reason(ev, Reason::Template(b), out, &mut first).map_err(|f| fail(ev, f))?;
            }
            for i in 0..ev.scratch.reasons.len() {
                if let Some(r) = ev.scratch.reasons.get(i).copied() {
                    write_reason(ev, r, out, &mut first).map_err(|f| fail(ev, f))?;
                }
            }
            out.extend_from_slice(b"]}");
            outcomes.push(raw.outcome);
        }
        out.extend_from_slice(b"}}\n");
        Ok(())
    }
}

/// One reason as a JSON string, rendered into the scratch text first.
fn write_reason(
    ev: &mut Evaluator<'_, '_>,
    reason: Reason,
    out: &mut Vec<u8>,
    first: &mut bool,
) -> Result<(), crate::eval::Fault> {
    let mut text = std::mem::take(&mut ev.scratch.text);
    text.clear();
    let rendered = ev.render_reason_into(reason, &mut text);
    if rendered.is_ok() {
        if !*first {
            out.push(b',');
        }
        *first = false;
        write_str(out, &text);
    }
    ev.scratch.text = text;
    rendered
}

/// An output value as the serialized `OutputValue` of its type writes it.
fn write_output(out: &mut Vec<u8>, v: &Value, ty: &Ty, policy: &Policy) {
    match (v, ty) {
        (Value::Num(d), Ty::Money) => {
            out.push(b'"');
            num::write_money_json(out, *d);
            out.push(b'"');
        }
        (Value::Num(d), Ty::Int) => num::write_int_json(out, *d),
        (Value::Num(d), _) => {
            out.push(b'"');
            num::write_plain(out, *d);
            out.push(b'"');
        }
        (Value::Date(d), _) => {
            out.push(b'"');
            value::write_date_iso(out, *d);
            out.push(b'"');
        }
        (Value::Days(n), _) => write_int(out, *n),
        (Value::Bool(b), _) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        (Value::Enum(s), _) => write_str(out, policy.symbols.name(*s)),
        (Value::Text(t), _) => write_str(out, t),
        (Value::List(items), ty) => {
            let inner = match ty {
                Ty::List(t) => t.as_ref(),
                other => other,
            };
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_output(out, item, inner, policy);
            }
            out.push(b']');
        }
    }
}
