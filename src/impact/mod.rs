//! Impact of a rule change: two policy versions decide the same records, and
//! we count what changed, for whom, and by how much money.
//!
//! When both versions read records alike (the usual rule change leaves the
//! schema alone), each record is read once and decided by both; otherwise it
//! is read once per version, since a record valid under one schema may be
//! rejected by the other. Records are decided without reasons, which keeps a
//! diff at about 1.6 batch runs of CPU. Reasons are rendered only for the few
//! records kept as examples.

pub(crate) mod render;
mod watch;

pub(crate) use watch::{NewRequired, UnseenField};

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::batch::{
    for_each_chunk, read_unit, read_unit_reusing, BatchError, ChunkLimit, Input, Unit,
};
use crate::decision::{Decision, OutputValue, RulesetDecision};
use crate::eval::Mode;
use crate::ir::Policy;
use crate::record::RecordError;
use crate::snapshot::CsvLayout;

/// The pseudo-outcome of a record one version rejected.
pub(crate) const REJECTED: &str = "(rejected)";

/// How a diff runs.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// Records decided together, at most.
    pub chunk: usize,
    /// Bytes of records decided together, at most (see [`crate::batch::ChunkLimit`]).
    pub chunk_bytes: usize,
    /// Example records kept per transition.
    pub examples: usize,
    /// Frame the next chunk on another thread while this one is decided.
    pub read_ahead: bool,
}

/// What a rule change does to a corpus.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Impact {
    pub base_version: String,
    pub head_version: String,
    /// Records in the corpus.
    pub read: u64,
    /// Records each version rejected (bad for its schema, or an evaluation error).
    pub rejected_base: u64,
    pub rejected_head: u64,
    pub rulesets: Vec<RulesetImpact>,
    /// Rulesets only the base has (removed): how the base decided them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub only_in_base: Vec<OneSided>,
    /// Rulesets only the head has (added): how the head decides them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub only_in_head: Vec<OneSided>,
    /// Fields the head requires and the base did not, with the records
    /// that lack them (each one a head reject): shown before the report.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub new_required: Vec<NewRequired>,
    /// Fields that changed conditions read and no record has: the change
    /// cannot show on this corpus.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unseen_fields: Vec<UnseenField>,
}

/// A ruleset only one version has: nothing to compare, but its outcome
/// counts over the corpus say what adding (or removing) it does.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OneSided {
    pub ruleset: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Records per outcome, in the ruleset's declared order, `(rejected)`
    /// last; outcomes no record got are left out.
    pub outcomes: Vec<OutcomeCount>,
}

/// How many records one outcome got.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OutcomeCount {
    pub outcome: String,
    pub count: u64,
}

/// One ruleset's changes.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RulesetImpact {
    pub ruleset: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Every outcome either version has, base order first; `(rejected)` last.
    pub outcomes: Vec<String>,
    /// Records whose outcome or outputs differ.
    pub changed: u64,
    /// Non-empty cells of the transition matrix, rows in `outcomes` order.
    pub transitions: Vec<Transition>,
    /// Money outputs both versions produce.
    pub money: Vec<MoneyImpact>,
}

/// One cell of the transition matrix: records that went from `from` to `to`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Transition {
    pub from: String,
    pub to: String,
    pub count: u64,
    /// Of these, records whose outputs differ (the outcome may be the same).
    pub values_changed: u64,
    /// The first few records that changed, with reasons before and after.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
}

/// A record that changed, as each version decided it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Example {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_id: Option<String>,
    pub source: String,
    pub line: u64,
    pub before: Side,
    pub after: Side,
}

/// One version's decision of an example record.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Side {
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(serialize_with = "serialize_outputs")]
    pub outputs: Vec<(String, OutputValue)>,
    pub reasons: Vec<String>,
}

/// How a money output moved over the records both versions gave it for.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MoneyImpact {
    pub output: String,
    /// Records with a value in both versions.
    pub compared: u64,
    pub changed: u64,
    pub increased: u64,
    pub decreased: u64,
    /// Sum of (head - base), exact.
    #[serde(serialize_with = "serialize_money")]
    pub total_change: Decimal,
    /// `total_change / compared`, rounded to cents half away from zero.
    #[serde(serialize_with = "serialize_money")]
    pub average_change: Decimal,
    /// `total_change / changed`, rounded the same way.
    #[serde(serialize_with = "serialize_money")]
    pub average_change_when_changed: Decimal,
}

/// Evaluates both versions on every input and collects the impact.
pub(crate) fn diff(
    base: &Policy,
    head: &Policy,
    inputs: Vec<Input>,
    options: &Options,
) -> Result<Impact, BatchError> {
    diff_reading(base, head, inputs, options, reads_alike(base, head))
}

/// [`diff`], reading each record once for both versions when `read_once`.
fn diff_reading(
    base: &Policy,
    head: &Policy,
    inputs: Vec<Input>,
    options: &Options,
    read_once: bool,
) -> Result<Impact, BatchError> {
    let mut acc = Accumulator::new(base, head);
    let mut watch = watch::Watch::of(base, head);
    let watched = watch.watched();
    let quiet = Mode {
        reasons: false,
        explain: false,
        trace: false,
    };
    for_each_chunk(
        &[base, head],
        inputs,
        ChunkLimit {
            records: options.chunk.max(1),
            bytes: options.chunk_bytes,
        },
        options.read_ahead,
        |chunk| {
            let base_layout = chunk.layouts.first().and_then(Option::as_deref);
            let head_layout = chunk.layouts.get(1).and_then(Option::as_deref);
            // Each worker reads record after record into the slots of the
            // one before, as batch does: once for both versions when they
            // read records alike, else once per version.
            let decided: Vec<(Decided, Decided, u64)> = chunk
                .units
                .par_iter()
                .map_init(
                    || (Vec::new(), Vec::new()),
                    |(base_slots, head_slots), u| {
                        if read_once {
                            let (before, after, present) = decide_both(
                                base,
                                head,
                                base_layout,
                                u,
                                &chunk.text,
                                base_slots,
                                &watched,
                            );
                            (before, after, present)
                        } else {
                            let (before, _) =
                                decide_reusing(base, base_layout, u, &chunk.text, base_slots, &[]);
                            let (after, present) = decide_reusing(
                                head,
                                head_layout,
                                u,
                                &chunk.text,
                                head_slots,
                                &watched,
                            );
                            (before, after, present)
                        }
                    },
                )
                .collect();
            let explained = Mode {
                reasons: true,
                ..quiet
            };
            for (unit, (before, after, present)) in chunk.units.iter().zip(decided) {
                watch.add(after.as_ref().map(|_| ()), present);
                acc.add(unit, &before, &after, options.examples, || {
                    (
                        decide(base, base_layout, unit, &chunk.text, explained),
                        decide(head, head_layout, unit, &chunk.text, explained),
                    )
                });
            }
            Ok(())
        },
    )?;
    let mut impact = acc.finish();
    (impact.new_required, impact.unseen_fields) = watch.finish(impact.read);
    Ok(impact)
}

type Decided = Result<Decision, RecordError>;

/// Whether a record read by `base` is, slot for slot, the record `head`
/// would read, with the same rejects: the same fields, constraints, enum
/// values (by number and by name), calendars and schema requirements. The
/// checker numbers the schema's expressions first, children before their
/// parents, so the requirements are the same prefix of both expression
/// tables. Any difference, even a harmless one, means reading twice.
fn reads_alike(base: &Policy, head: &Policy) -> bool {
    // Calendars hold hash sets, whose printed order varies: compared as values.
    let shape = |p: &Policy| format!("{:?}{:?}", p.schema, p.enums);
    let roots = |p: &Policy| {
        p.schema
            .requirements
            .iter()
            .flat_map(|r| std::iter::once(r.expr).chain(r.because))
            .map(|id| id.index() + 1)
            .max()
            .unwrap_or(0)
    };
    let prefix = roots(base);
    let exprs = |p: &Policy| {
        let nodes = p.exprs.get(..prefix).unwrap_or(&[]);
        let types = p.expr_types.get(..prefix).unwrap_or(&[]);
        format!("{nodes:?}{types:?}")
    };
    let names_alike = base
        .enums
        .iter()
        .flatten()
        .all(|&sym| base.symbols.name(sym) == head.symbols.name(sym));
    // A `let` lives outside the prefix: requirements that use one are not compared.
    let uses_let = |p: &Policy| {
        p.exprs
            .get(..prefix)
            .unwrap_or(&[])
            .iter()
            .any(|n| matches!(n, crate::ir::Node::Let(_)))
    };
    prefix == roots(head)
        && !uses_let(base)
        && !uses_let(head)
        && prefix <= base.exprs.len()
        && prefix <= head.exprs.len()
        && names_alike
        && base.calendars == head.calendars
        && shape(base) == shape(head)
        && exprs(base) == exprs(head)
}

/// Reads a record once and decides it by both versions (see [`reads_alike`]).
fn decide_both(
    base: &Policy,
    head: &Policy,
    layout: Option<&CsvLayout>,
    unit: &Unit,
    text: &[u8],
    slots: &mut Vec<Option<crate::value::Value>>,
    watched: &[crate::ir::FieldId],
) -> (Decided, Decided, u64) {
    let quiet = Mode {
        reasons: false,
        explain: false,
        trace: false,
    };
    // A panic in one record must not take the diff down; it counts as a reject.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        match read_unit_reusing(base, layout, unit, text, std::mem::take(slots)) {
            Ok(record) => {
                let decided = (
                    base.decide_record(&record, quiet),
                    head.decide_record(&record, quiet),
                    watch::presence(head, &record, watched),
                );
                *slots = record.into_slots();
                decided
            }
            Err(e) => (Err(e.clone()), Err(e), 0),
        }
    }))
    .unwrap_or_else(|_| {
        let e = RecordError::single("internal error: evaluation panicked");
        (Err(e.clone()), Err(e), 0)
    })
}

/// [`decide`] without reasons, reading into `slots` and leaving the record's
/// slots there for the next one; with which of `watched` the record gives.
fn decide_reusing(
    policy: &Policy,
    layout: Option<&CsvLayout>,
    unit: &Unit,
    text: &[u8],
    slots: &mut Vec<Option<crate::value::Value>>,
    watched: &[crate::ir::FieldId],
) -> (Decided, u64) {
    let quiet = Mode {
        reasons: false,
        explain: false,
        trace: false,
    };
    // A panic in one record must not take the diff down; it counts as a reject.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let record = match read_unit_reusing(policy, layout, unit, text, std::mem::take(slots)) {
            Ok(record) => record,
            Err(e) => return (Err(e), 0),
        };
        let decided = policy.decide_record(&record, quiet);
        let present = watch::presence(policy, &record, watched);
        *slots = record.into_slots();
        (decided, present)
    }))
    .unwrap_or_else(|_| {
        (
            Err(RecordError::single("internal error: evaluation panicked")),
            0,
        )
    })
}

fn decide(
    policy: &Policy,
    layout: Option<&CsvLayout>,
    unit: &Unit,
    text: &[u8],
    mode: Mode,
) -> Decided {
    // A panic in one record must not take the diff down; it counts as a reject.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_unit(policy, layout, unit, text).and_then(|r| policy.decide_record(&r, mode))
    }))
    .unwrap_or_else(|_| Err(RecordError::single("internal error: evaluation panicked")))
}

/// Running counts for one ruleset both versions have.
struct Pair {
    name: String,
    title: Option<String>,
    base_index: usize,
    head_index: usize,
    outcomes: Vec<String>,
    /// `outcomes.len()` squared cells, row-major (base outcome, head outcome).
    cells: Vec<Cell>,
    changed: u64,
    money: Vec<Money>,
}

#[derive(Default)]
struct Cell {
    count: u64,
    values_changed: u64,
    examples: Vec<Example>,
}

struct Money {
    output: String,
    compared: u64,
    changed: u64,
    increased: u64,
    decreased: u64,
    total: Decimal,
}

struct Accumulator<'p> {
    base: &'p Policy,
    head: &'p Policy,
    read: u64,
    rejected_base: u64,
    rejected_head: u64,
    pairs: Vec<Pair>,
    only_in_base: Vec<Single>,
    only_in_head: Vec<Single>,
}

/// Running outcome counts of a ruleset one version has.
struct Single {
    name: String,
    title: Option<String>,
    /// Its index in its version's decisions.
    index: usize,
    /// Declared outcomes, then `(rejected)`.
    outcomes: Vec<String>,
    counts: Vec<u64>,
}

impl Single {
    fn new(index: usize, rs: &crate::ir::Ruleset) -> Single {
        let mut outcomes: Vec<String> = rs.outcomes.iter().map(|o| o.to_string()).collect();
        outcomes.push(REJECTED.to_string());
        Single {
            name: rs.name.to_string(),
            title: rs.title.as_deref().map(str::to_string),
            index,
            counts: vec![0; outcomes.len()],
            outcomes,
        }
    }

    fn add(&mut self, decided: &Decided) {
        let i = outcome_index(&self.outcomes, ruleset_of(decided, self.index));
        if let Some(n) = self.counts.get_mut(i) {
            *n += 1;
        }
    }

    fn finish(self) -> OneSided {
        OneSided {
            ruleset: self.name,
            title: self.title,
            outcomes: self
                .outcomes
                .into_iter()
                .zip(self.counts)
                .filter(|(_, count)| *count > 0)
                .map(|(outcome, count)| OutcomeCount { outcome, count })
                .collect(),
        }
    }
}

impl<'p> Accumulator<'p> {
    fn new(base: &'p Policy, head: &'p Policy) -> Self {
        let mut pairs = Vec::new();
        let mut only_in_head = Vec::new();
        for (head_index, h) in head.rulesets.iter().enumerate() {
            let Some(base_index) = base.rulesets.iter().position(|b| b.name == h.name) else {
                only_in_head.push(Single::new(head_index, h));
                continue;
            };
            let Some(b) = base.rulesets.get(base_index) else {
                continue;
            };
            let mut outcomes: Vec<String> = b.outcomes.iter().map(|o| o.to_string()).collect();
            for o in &h.outcomes {
                if !outcomes.iter().any(|x| **x == **o) {
                    outcomes.push(o.to_string());
                }
            }
            outcomes.push(REJECTED.to_string());
            let n = outcomes.len();
            pairs.push(Pair {
                name: h.name.to_string(),
                title: h.title.as_deref().map(str::to_string),
                base_index,
                head_index,
                outcomes,
                cells: (0..n * n).map(|_| Cell::default()).collect(),
                changed: 0,
                money: Vec::new(),
            });
        }
        let only_in_base = base
            .rulesets
            .iter()
            .enumerate()
            .filter(|(_, b)| !head.rulesets.iter().any(|h| h.name == b.name))
            .map(|(i, b)| Single::new(i, b))
            .collect();
        Accumulator {
            base,
            head,
            read: 0,
            rejected_base: 0,
            rejected_head: 0,
            pairs,
            only_in_base,
            only_in_head,
        }
    }

    /// Counts one record. `explain` re-decides it with reasons under both
    /// versions, for examples.
    fn add(
        &mut self,
        unit: &Unit,
        before: &Decided,
        after: &Decided,
        max_examples: usize,
        explain: impl Fn() -> (Decided, Decided),
    ) {
        self.read += 1;
        self.rejected_base += u64::from(before.is_err());
        self.rejected_head += u64::from(after.is_err());
        for single in &mut self.only_in_base {
            single.add(before);
        }
        for single in &mut self.only_in_head {
            single.add(after);
        }
        let mut explained: Option<(Decided, Decided)> = None;
        for pair in &mut self.pairs {
            let b = ruleset_of(before, pair.base_index);
            let a = ruleset_of(after, pair.head_index);
            let from = outcome_index(&pair.outcomes, b);
            let to = outcome_index(&pair.outcomes, a);
            let values_changed = match (b, a) {
                (Some(b), Some(a)) => b.outputs != a.outputs,
                _ => false,
            };
            if let (Some(b), Some(a)) = (b, a) {
                pair.count_money(b, a);
            }
            let n = pair.outcomes.len();
            let Some(cell) = pair.cells.get_mut(from * n + to) else {
                continue;
            };
            cell.count += 1;
            cell.values_changed += u64::from(values_changed);
            let changed = from != to || values_changed;
            pair.changed += u64::from(changed);
            if changed && cell.examples.len() < max_examples {
                let (eb, ea) = explained.get_or_insert_with(&explain);
                cell.examples.push(Example {
                    merchant_id: merchant_id(before).or_else(|| merchant_id(after)),
                    source: unit.source.to_string(),
                    line: unit.place.line,
                    before: side(eb, pair.base_index),
                    after: side(ea, pair.head_index),
                });
            }
        }
    }

    fn finish(self) -> Impact {
        Impact {
            base_version: self.base.version().to_string(),
            head_version: self.head.version().to_string(),
            read: self.read,
            rejected_base: self.rejected_base,
            rejected_head: self.rejected_head,
            rulesets: self.pairs.into_iter().map(Pair::finish).collect(),
            only_in_base: self.only_in_base.into_iter().map(Single::finish).collect(),
            only_in_head: self.only_in_head.into_iter().map(Single::finish).collect(),
            new_required: Vec::new(),
            unseen_fields: Vec::new(),
        }
    }
}

impl Pair {
    fn count_money(&mut self, before: &RulesetDecision, after: &RulesetDecision) {
        for (name, value) in &after.outputs {
            let OutputValue::Money(new) = value else {
                continue;
            };
            let old = before.outputs.iter().find_map(|(n, v)| match v {
                OutputValue::Money(d) if n == name => Some(*d),
                _ => None,
            });
            let Some(old) = old else { continue };
            let index = match self.money.iter().position(|m| *m.output == **name) {
                Some(i) => i,
                None => {
                    self.money.push(Money {
                        output: name.to_string(),
                        compared: 0,
                        changed: 0,
                        increased: 0,
                        decreased: 0,
                        total: Decimal::ZERO,
                    });
                    self.money.len() - 1
                }
            };
            let Some(m) = self.money.get_mut(index) else {
                continue;
            };
            m.compared += 1;
            // Money is bounded by the schema far below Decimal's range; saturate
            // rather than fail a whole diff on an absurd corpus.
            let delta = new.checked_sub(old).unwrap_or(Decimal::ZERO);
            m.total = m.total.checked_add(delta).unwrap_or(m.total);
            if delta > Decimal::ZERO {
                m.increased += 1;
            } else if delta < Decimal::ZERO {
                m.decreased += 1;
            }
            m.changed += u64::from(!delta.is_zero());
        }
    }

    fn finish(self) -> RulesetImpact {
        let n = self.outcomes.len();
        let transitions = self
            .cells
            .into_iter()
            .enumerate()
            .filter(|(_, c)| c.count > 0)
            .map(|(i, c)| Transition {
                from: self.outcomes.get(i / n).cloned().unwrap_or_default(),
                to: self.outcomes.get(i % n).cloned().unwrap_or_default(),
                count: c.count,
                values_changed: c.values_changed,
                examples: c.examples,
            })
            .collect();
        let money = self
            .money
            .into_iter()
            .map(|m| MoneyImpact {
                average_change: average(m.total, m.compared),
                average_change_when_changed: average(m.total, m.changed),
                output: m.output,
                compared: m.compared,
                changed: m.changed,
                increased: m.increased,
                decreased: m.decreased,
                total_change: m.total,
            })
            .collect();
        RulesetImpact {
            ruleset: self.name,
            title: self.title,
            outcomes: self.outcomes,
            changed: self.changed,
            transitions,
            money,
        }
    }
}

fn average(total: Decimal, count: u64) -> Decimal {
    if count == 0 {
        return Decimal::ZERO;
    }
    crate::decimal::div(total, Decimal::from(count))
        .map(crate::decimal::round_cents)
        .unwrap_or(Decimal::ZERO)
}

fn ruleset_of(decided: &Decided, index: usize) -> Option<&RulesetDecision> {
    decided.as_ref().ok().and_then(|d| d.rulesets.get(index))
}

/// The row or column of a decision; a rejected record is the last one.
fn outcome_index(outcomes: &[String], decision: Option<&RulesetDecision>) -> usize {
    let rejected = outcomes.len().saturating_sub(1);
    decision
        .and_then(|d| outcomes.iter().position(|o| **o == *d.outcome))
        .unwrap_or(rejected)
}

fn merchant_id(decided: &Decided) -> Option<String> {
    match decided {
        Ok(d) => d.merchant_id.clone(),
        Err(e) => e.merchant_id.clone(),
    }
}

fn side(decided: &Decided, index: usize) -> Side {
    match decided {
        Ok(d) => match d.rulesets.get(index) {
            Some(r) => Side {
                outcome: r.outcome.to_string(),
                rule: r.rule.as_deref().map(str::to_string),
                outputs: r
                    .outputs
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.clone()))
                    .collect(),
                reasons: r.reasons.clone(),
            },
            None => rejected_side(vec![]),
        },
        Err(e) => rejected_side(e.problems.iter().map(ToString::to_string).collect()),
    }
}

fn rejected_side(reasons: Vec<String>) -> Side {
    Side {
        outcome: REJECTED.to_string(),
        rule: None,
        outputs: Vec::new(),
        reasons,
    }
}

fn serialize_money<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::value::money_json(*d))
}

fn serialize_outputs<S: serde::Serializer>(
    outputs: &[(String, OutputValue)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(outputs.len()))?;
    for (k, v) in outputs {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

#[cfg(test)]
mod tests;
