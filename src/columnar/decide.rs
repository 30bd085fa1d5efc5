//! One record decided into reused buffers: each ruleset's outcome, deciding
//! clause, outputs and rendered reasons, kept until the whole record is
//! decided (a record that fails half-way leaves nothing in the columns).

use std::ops::Range;

use crate::eval::{Decider, Evaluator, Mode, Reason, Scratch};
use crate::ir::{Policy, Ruleset};
use crate::record::{Record, RecordError};
use crate::value::Value;

/// One ruleset's decision of the record being decided.
#[derive(Default)]
pub(crate) struct Decided {
    pub(crate) outcome: usize,
    decider: Option<Decider>,
    pub(crate) outputs: Vec<Option<Value>>,
    /// Byte ranges of the reasons in [`Deciding::text`].
    pub(crate) reasons: Vec<Range<usize>>,
}

impl Decided {
    /// The deciding rule's name (`otherwise` for the default); `None`
    /// when the ruleset did not apply.
    pub(crate) fn rule<'p>(&self, rs: &'p Ruleset) -> Option<&'p str> {
        match self.decider? {
            Decider::Guard => None,
            Decider::Then(i) | Decider::Else(i) => rs.rules.get(i).map(|r| &*r.name),
            Decider::Otherwise => Some("otherwise"),
        }
    }
}

/// The buffers of deciding, kept from record to record.
#[derive(Default)]
pub(crate) struct Deciding {
    pub(crate) rulesets: Vec<Decided>,
    /// The reasons' text, one after another.
    pub(crate) text: String,
    /// The calendars that counted a date with their `outside` weekdays.
    pub(crate) fallbacks: crate::calendar::Fallbacks,
    scratch: Scratch,
}

const MODE: Mode = Mode {
    reasons: true,
    explain: false,
    trace: false,
};

impl Deciding {
    /// Decides every ruleset for `record`, as the JSON line writer does.
    pub(crate) fn decide(&mut self, policy: &Policy, record: &Record) -> Result<(), RecordError> {
        self.text.clear();
        self.rulesets
            .resize_with(policy.rulesets.len(), Decided::default);
        let mut ev =
            Evaluator::with_scratch(policy, record, MODE, std::mem::take(&mut self.scratch));
        let result = decide_all(policy, &mut ev, &mut self.rulesets, &mut self.text);
        let result = result.map_err(|f| policy.record_error(record, &ev.describe(f)));
        self.fallbacks = std::mem::take(&mut ev.fallbacks);
        self.scratch = ev.into_scratch();
        result
    }
}

fn decide_all<'p>(
    policy: &'p Policy,
    ev: &mut Evaluator<'p, '_>,
    rulesets: &mut [Decided],
    text: &mut String,
) -> Result<(), crate::eval::Fault> {
    for (rs, decided) in policy.rulesets.iter().zip(rulesets.iter_mut()) {
        let raw = ev.decide(rs)?;
        decided.outcome = raw.outcome;
        decided.decider = Some(raw.decider);
        decided.outputs.clear();
        decided.outputs.extend(ev.scratch.outputs.iter().cloned());
        decided.reasons.clear();
        if let Some(b) = raw.because {
            let start = text.len();
            ev.render_reason_into(Reason::Template(b), text)?;
            decided.reasons.push(start..text.len());
        }
        for i in 0..ev.scratch.reasons.len() {
            if let Some(r) = ev.scratch.reasons.get(i).copied() {
                let start = text.len();
                ev.render_reason_into(r, text)?;
                decided.reasons.push(start..text.len());
            }
        }
    }
    Ok(())
}
