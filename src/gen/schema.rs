//! `verdikt gen --rules DIR`: synthetic snapshots that follow a policy's
//! schema (every declared field, type, range, enum value and optional field)
//! with values at and around the thresholds its rules compare against.
//!
//! The plan is read from the compiled policy once: per field, its type and
//! declared range, and the literals any comparison sets it against (through
//! simple `let`s, `x + N days`, `add_days` and `days(a, b)`). A record then
//! takes, per field, a value exactly on a threshold or one step (the
//! literal's precision) either side about half the time, else a value
//! uniform in the declared range. Dates are drawn around `as_of` (the first
//! required date field when there is none) and the calendars' edges. A record
//! the policy would reject (a broken `require`, a date the calendar does not
//! cover) is drawn again, so `--bad-percent 0` gives no reject. Everything is
//! drawn from one seeded generator in schema order: the same seed gives the
//! same bytes.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::thresholds::{targets, thresholds, Aim, Seen};
use super::Rng;
use crate::ast::CmpOp;
use crate::eval::Mode;
use crate::ir::{Constraint, FieldId, PathEntry, PathTree, Policy};
use crate::types::Ty;
use crate::value::Value;

/// Draws of one record before the last one is kept even if rejected.
const ATTEMPTS: u32 = 64;
/// Days before `as_of` an unconstrained date may lie.
const DAYS_BACK: u64 = 400;
/// Days after `as_of` an unconstrained date may lie.
const DAYS_AHEAD: u64 = 60;

/// How one field's values are drawn.
#[derive(Debug)]
struct FieldPlan {
    kind: Kind,
    /// Optional: sometimes left out.
    optional: bool,
}

#[derive(Debug)]
enum Kind {
    Number(NumberPlan),
    /// The date others are drawn around (`as_of`).
    Anchor(DatePlan),
    Date(DatePlan),
    Bool,
    /// The record's identity: `M0000042`.
    Id,
    Text {
        not_empty: bool,
        /// Texts the rules compare it with.
        near: Vec<String>,
    },
    Enum(Vec<String>),
    List(Box<Kind>),
}

#[derive(Debug, Clone)]
struct NumberPlan {
    lo: Decimal,
    hi: Decimal,
    /// The grid values lie on: 1 for int, a cent for money, else the finest
    /// precision of the literals compared with it.
    step: Decimal,
    money: bool,
    /// Thresholds and one step either side, on the grid, in range; sorted.
    near: Vec<Decimal>,
}

#[derive(Debug, Clone, Default)]
struct DatePlan {
    /// Days from the anchor a comparison puts this date at (the anchor: none).
    offsets: Vec<i64>,
    /// Fixed dates: literals compared with it, and (anchor) calendar edges.
    near: Vec<NaiveDate>,
    /// The anchor's range.
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
}

/// A generator of snapshots for one policy.
#[derive(Debug)]
pub(crate) struct Plan<'p> {
    policy: &'p Policy,
    fields: Vec<FieldPlan>,
    anchor: Option<FieldId>,
    /// Per rule, the field values its ruleset's guard, its `for` and its
    /// conditions ask for: half the records aim at one rule, so that rules
    /// needing many conditions at once (an increase) are decided too.
    targets: Vec<Vec<(FieldId, Aim)>>,
}

impl<'p> Plan<'p> {
    /// Reads the policy's schema and thresholds.
    pub(crate) fn of(policy: &'p Policy) -> Plan<'p> {
        let anchor = anchor_field(policy);
        let seen = thresholds(policy, anchor);
        let fields = policy
            .schema
            .fields
            .iter()
            .enumerate()
            .map(|(i, field)| {
                let id = FieldId::from_index(i);
                let kind = if Some(id) == policy.schema.merchant_id {
                    Kind::Id
                } else if Some(id) == anchor {
                    Kind::Anchor(anchor_plan(policy, seen.dates.get(&id)))
                } else {
                    kind_of(policy, &field.ty, &field.constraints, id, &seen)
                };
                FieldPlan {
                    kind,
                    optional: field.optional || field.default.is_some(),
                }
            })
            .collect();
        Plan {
            policy,
            fields,
            anchor,
            targets: targets(policy),
        }
    }

    /// A record the policy decides (drawn again while it rejects it, at most
    /// [`ATTEMPTS`] times), as one JSON line.
    pub(crate) fn snapshot(&self, rng: &mut Rng, index: u64) -> String {
        let quiet = Mode {
            reasons: false,
            explain: false,
            trace: false,
        };
        let mut line = String::new();
        for _ in 0..ATTEMPTS {
            line = self.draw(rng, index, None);
            if self.policy.decide_json(&line, quiet).is_ok() {
                break;
            }
        }
        line
    }

    /// A record broken on purpose: a value of the wrong type, a cut line or
    /// an empty line.
    pub(crate) fn bad_snapshot(&self, rng: &mut Rng, index: u64) -> String {
        let n = self.fields.len() as u64;
        let victim = usize::try_from(rng.below(n)).unwrap_or(0);
        match rng.below(4) {
            0 | 1 => self.draw(rng, index, Some(victim)),
            2 => {
                let good = self.draw(rng, index, None);
                let half = good.len() / 2;
                let cut = (0..=half).rev().find(|&i| good.is_char_boundary(i));
                good.get(..cut.unwrap_or(0)).unwrap_or("").to_string()
            }
            _ => String::new(),
        }
    }

    /// One record; `broken`: that field gets a value of the wrong type.
    fn draw(&self, rng: &mut Rng, index: u64, broken: Option<usize>) -> String {
        let mut values: Vec<Option<String>> = Vec::with_capacity(self.fields.len());
        let anchor_date = self
            .anchor
            .and_then(|id| self.fields.get(id.index()))
            .and_then(|f| match &f.kind {
                Kind::Anchor(plan) => Some(draw_anchor(rng, plan)),
                _ => None,
            })
            .unwrap_or_else(default_anchor);
        let target = if self.targets.is_empty() || !rng.chance(50) {
            None
        } else {
            pick(rng, &self.targets)
        };
        for (i, field) in self.fields.iter().enumerate() {
            if broken == Some(i) {
                values.push(Some(wrong_value(&field.kind)));
                continue;
            }
            let aims: Vec<&Aim> = target
                .into_iter()
                .flatten()
                .filter(|(f, _)| f.index() == i)
                .map(|(_, aim)| aim)
                .collect();
            if aims.is_empty() && field.optional && rng.chance(30) {
                values.push(None);
                continue;
            }
            let aimed = aimed_value(rng, &field.kind, &aims);
            values.push(Some(aimed.unwrap_or_else(|| {
                draw_value(rng, &field.kind, index, anchor_date)
            })));
        }
        let mut out = String::with_capacity(512);
        write_tree(&self.policy.schema.tree, &values, &mut out);
        out
    }
}

/// A value meeting every aim on a field: on the tightest bound half the
/// time, else uniform between the bounds; `None` when there is no aim or
/// they cannot all be met.
fn aimed_value(rng: &mut Rng, kind: &Kind, aims: &[&Aim]) -> Option<String> {
    if aims.is_empty() {
        return None;
    }
    match kind {
        Kind::Number(plan) => {
            let (mut lo, mut hi) = (plan.lo, plan.hi);
            let (mut lower, mut upper) = (false, false);
            for aim in aims {
                let Aim::Cmp(op, v) = aim else {
                    return None;
                };
                let v = *v;
                let (below, above) = (
                    snap_up(v.checked_sub(plan.step)?, plan.step),
                    snap_down(v.checked_add(plan.step)?, plan.step),
                );
                match op {
                    CmpOp::Ge => (lo, lower) = (lo.max(snap_up(v, plan.step)), true),
                    CmpOp::Gt => (lo, lower) = (lo.max(above), true),
                    CmpOp::Le => (hi, upper) = (hi.min(snap_down(v, plan.step)), true),
                    CmpOp::Lt => (hi, upper) = (hi.min(below), true),
                    CmpOp::Eq => {
                        (lo, hi) = (lo.max(v), hi.min(v));
                        (lower, upper) = (true, true);
                    }
                    CmpOp::Ne => return None,
                }
            }
            if lo > hi {
                return None;
            }
            let v = if rng.chance(50) && (lower || upper) {
                if lower {
                    lo
                } else {
                    hi
                }
            } else {
                let narrowed = NumberPlan {
                    lo,
                    hi,
                    near: Vec::new(),
                    ..plan.clone()
                };
                draw_number(rng, &narrowed)
            };
            let text = number_text(v, plan.money);
            Some(if rng.chance(50) {
                text
            } else {
                format!("\"{text}\"")
            })
        }
        Kind::Enum(values) => aims.iter().rev().find_map(|a| match a {
            Aim::Is(name) if values.contains(name) => Some(json_text(name)),
            _ => None,
        }),
        Kind::Text { .. } => aims.iter().rev().find_map(|a| match a {
            Aim::Is(text) => Some(json_text(text)),
            _ => None,
        }),
        Kind::Bool => aims.iter().rev().find_map(|a| match a {
            Aim::Bool(b) => Some(b.to_string()),
            _ => None,
        }),
        _ => None,
    }
}

/// `as_of` when the schema has it as a date, else its first required date.
fn anchor_field(policy: &Policy) -> Option<FieldId> {
    let fields = &policy.schema.fields;
    let date = |f: &crate::ir::Field| f.ty == Ty::Date;
    fields
        .iter()
        .position(|f| &*f.path == "as_of" && date(f))
        .or_else(|| fields.iter().position(|f| date(f) && !f.optional))
        .map(FieldId::from_index)
}

fn default_anchor() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default()
}

/// The anchor's range: the dates the calendars cover (2026 when none says),
/// and their edges: the first and last covered date, every holiday and
/// make-up day, and a day either side of each.
fn anchor_plan(policy: &Policy, literals: Option<&BTreeSet<NaiveDate>>) -> DatePlan {
    let mut near: BTreeSet<NaiveDate> = literals.cloned().unwrap_or_default();
    let mut first: Option<NaiveDate> = None;
    let mut last: Option<NaiveDate> = None;
    for calendar in &policy.calendars {
        let mut edges: Vec<NaiveDate> = Vec::new();
        edges.extend(calendar.holidays.iter().copied());
        edges.extend(calendar.make_up.iter().copied());
        for span in calendar.covers.iter().flatten() {
            edges.extend([span.first, span.last]);
            first = Some(first.map_or(span.first, |f| f.min(span.first)));
            last = Some(last.map_or(span.last, |l| l.max(span.last)));
        }
        for d in edges {
            near.extend(around(d));
        }
    }
    let first = first.or_else(|| NaiveDate::from_ymd_opt(2026, 1, 1));
    let last = last.or_else(|| NaiveDate::from_ymd_opt(2026, 12, 31));
    DatePlan {
        offsets: Vec::new(),
        near: near.into_iter().collect(),
        first,
        last,
    }
}

/// A date and the days either side.
fn around(d: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    [d.pred_opt(), Some(d), d.succ_opt()].into_iter().flatten()
}

fn kind_of(policy: &Policy, ty: &Ty, constraints: &[Constraint], id: FieldId, seen: &Seen) -> Kind {
    match ty {
        Ty::Int | Ty::Decimal | Ty::Money | Ty::Rate | Ty::Number => {
            let literals = seen.numbers.get(&id).cloned().unwrap_or_default();
            Kind::Number(number_plan(ty, constraints, &literals))
        }
        Ty::Date => Kind::Date(DatePlan {
            offsets: seen
                .offsets
                .get(&id)
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default(),
            near: seen
                .dates
                .get(&id)
                .map(|s| s.iter().copied().flat_map(around).collect())
                .unwrap_or_default(),
            first: None,
            last: None,
        }),
        // (`N days` fields are drawn as whole numbers of days.)
        Ty::Days => Kind::Number(number_plan(&Ty::Int, constraints, &BTreeSet::new())),
        Ty::Bool => Kind::Bool,
        Ty::Text => Kind::Text {
            not_empty: constraints
                .iter()
                .any(|c| matches!(c, Constraint::NotEmpty)),
            near: seen
                .texts
                .get(&id)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
        },
        Ty::Enum(e) => Kind::Enum(
            policy
                .enums
                .get(e.0 as usize)
                .map(|syms| {
                    syms.iter()
                        .map(|s| policy.symbols.name(*s).to_string())
                        .collect()
                })
                .unwrap_or_default(),
        ),
        Ty::List(inner) => Kind::List(Box::new(kind_of(policy, inner, &[], id, &Seen::default()))),
        Ty::Error => Kind::Text {
            not_empty: true,
            near: Vec::new(),
        },
    }
}

/// The range, grid and near values of a numeric field.
fn number_plan(ty: &Ty, constraints: &[Constraint], literals: &BTreeSet<Decimal>) -> NumberPlan {
    let step = match ty {
        Ty::Int => Decimal::ONE,
        Ty::Money => Decimal::new(1, 2),
        Ty::Rate => literals
            .iter()
            .map(|t| places(t.scale().saturating_sub(2).saturating_add(1).max(2) + 2))
            .min()
            .unwrap_or(Decimal::new(1, 4)),
        _ => literals
            .iter()
            .map(|t| places(t.scale().saturating_add(1).max(2)))
            .min()
            .unwrap_or(Decimal::new(1, 2)),
    };
    let mut lo: Option<Decimal> = None;
    let mut hi: Option<Decimal> = None;
    for c in constraints {
        let num = |v: &Value| match v {
            Value::Num(n) => Some(n.to_decimal()),
            _ => None,
        };
        match c {
            Constraint::Range(a, b) => {
                lo = num(a).or(lo);
                hi = num(b).or(hi);
            }
            Constraint::Bound(op, v) => match (op, num(v)) {
                (CmpOp::Ge, Some(v)) => lo = Some(v),
                (CmpOp::Gt, Some(v)) => lo = v.checked_add(step),
                (CmpOp::Le, Some(v)) => hi = Some(v),
                (CmpOp::Lt, Some(v)) => hi = v.checked_sub(step),
                _ => {}
            },
            Constraint::NotEmpty => {}
        }
    }
    // An open end: past the farthest threshold by a type's usual span.
    let span = match ty {
        Ty::Int => Decimal::from(10),
        Ty::Money => Decimal::from(1_000_000),
        Ty::Rate => Decimal::ONE,
        _ => Decimal::from(1_000),
    };
    let top = literals.iter().copied().max().unwrap_or(Decimal::ZERO);
    let bottom = literals.iter().copied().min().unwrap_or(Decimal::ZERO);
    let lo = snap_up(lo.unwrap_or_else(|| bottom.min(Decimal::ZERO)), step);
    let hi = hi.unwrap_or_else(|| {
        let far = top.max(lo).checked_mul(Decimal::TWO).unwrap_or(top);
        far.checked_add(span).unwrap_or(far)
    });
    let hi = snap_down(hi, step).max(lo);
    let mut near = BTreeSet::new();
    for t in literals {
        for v in [t.checked_sub(step), Some(*t), t.checked_add(step)]
            .into_iter()
            .flatten()
        {
            for s in [snap_down(v, step), snap_up(v, step)] {
                if lo <= s && s <= hi {
                    near.insert(s.normalize());
                }
            }
        }
    }
    NumberPlan {
        lo,
        hi,
        step,
        money: *ty == Ty::Money,
        near: near.into_iter().collect(),
    }
}

/// `10^-n`.
fn places(n: u32) -> Decimal {
    Decimal::new(1, n.min(20))
}

fn snap_down(v: Decimal, step: Decimal) -> Decimal {
    v.checked_div(step)
        .and_then(|k| k.floor().checked_mul(step))
        .unwrap_or(v)
}

fn snap_up(v: Decimal, step: Decimal) -> Decimal {
    v.checked_div(step)
        .and_then(|k| k.ceil().checked_mul(step))
        .unwrap_or(v)
}

fn draw_anchor(rng: &mut Rng, plan: &DatePlan) -> NaiveDate {
    let (Some(first), Some(last)) = (plan.first, plan.last) else {
        return default_anchor();
    };
    if !plan.near.is_empty() && rng.chance(30) {
        if let Some(d) = pick(rng, &plan.near) {
            return *d;
        }
    }
    let days = u64::try_from(last.signed_duration_since(first).num_days()).unwrap_or(0);
    shift(
        first,
        i64::try_from(rng.below(days.saturating_add(1))).unwrap_or(0),
    )
}

fn shift(d: NaiveDate, days: i64) -> NaiveDate {
    chrono::TimeDelta::try_days(days)
        .and_then(|t| d.checked_add_signed(t))
        .unwrap_or(d)
}

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> Option<&'a T> {
    let i = usize::try_from(rng.below(items.len() as u64)).ok()?;
    items.get(i)
}

fn draw_value(rng: &mut Rng, kind: &Kind, index: u64, anchor: NaiveDate) -> String {
    match kind {
        Kind::Id => format!("\"M{index:07}\""),
        Kind::Anchor(_) => format!("\"{}\"", crate::value::date_iso(anchor)),
        Kind::Date(plan) => {
            let d = draw_date(rng, plan, anchor);
            format!("\"{}\"", crate::value::date_iso(d))
        }
        Kind::Number(plan) => {
            let v = draw_number(rng, plan);
            let text = number_text(v, plan.money);
            if rng.chance(50) {
                text
            } else {
                format!("\"{text}\"")
            }
        }
        Kind::Bool => if rng.chance(50) { "true" } else { "false" }.to_string(),
        Kind::Text { not_empty, near } => {
            if !near.is_empty() && rng.chance(50) {
                if let Some(t) = pick(rng, near) {
                    return json_text(t);
                }
            }
            if !not_empty && rng.chance(5) {
                return "\"\"".into();
            }
            format!("\"t{}\"", rng.below(1000))
        }
        Kind::Enum(values) => pick(rng, values).map_or_else(|| "\"\"".into(), |v| json_text(v)),
        Kind::List(inner) => {
            let n = rng.below(4);
            let items: Vec<String> = (0..n)
                .map(|_| draw_value(rng, inner, index, anchor))
                .collect();
            format!("[{}]", items.join(","))
        }
    }
}

fn draw_date(rng: &mut Rng, plan: &DatePlan, anchor: NaiveDate) -> NaiveDate {
    if rng.chance(50) {
        let offsets = plan.offsets.len() as u64;
        let dates = plan.near.len() as u64;
        let total = offsets.saturating_add(dates);
        if total > 0 {
            let k = rng.below(total);
            if k < offsets {
                let off = usize::try_from(k)
                    .ok()
                    .and_then(|i| plan.offsets.get(i))
                    .copied()
                    .unwrap_or(0);
                let wiggle = i64::try_from(rng.below(3)).unwrap_or(1) - 1;
                return shift(anchor, off.saturating_add(wiggle));
            }
            if let Some(d) = usize::try_from(k - offsets)
                .ok()
                .and_then(|i| plan.near.get(i))
            {
                return *d;
            }
        }
    }
    let back = i64::try_from(DAYS_BACK).unwrap_or(0);
    let k = i64::try_from(rng.below(DAYS_BACK + DAYS_AHEAD + 1)).unwrap_or(0);
    shift(anchor, k - back)
}

fn draw_number(rng: &mut Rng, plan: &NumberPlan) -> Decimal {
    if !plan.near.is_empty() && rng.chance(50) {
        if let Some(v) = pick(rng, &plan.near) {
            return *v;
        }
    }
    let steps = plan
        .hi
        .checked_sub(plan.lo)
        .and_then(|d| d.checked_div(plan.step))
        .map(|d| d.floor())
        .and_then(|d| u64::try_from(d).ok())
        .unwrap_or(0)
        .min(1 << 50);
    let k = Decimal::from(rng.below(steps.saturating_add(1)));
    k.checked_mul(plan.step)
        .and_then(|d| d.checked_add(plan.lo))
        .unwrap_or(plan.lo)
}

/// Money with two decimals; other numbers as short as they go.
fn number_text(v: Decimal, money: bool) -> String {
    if money {
        let mut m = v.round_dp(2);
        m.rescale(2);
        m.to_string()
    } else {
        v.normalize().to_string()
    }
}

fn json_text(t: &str) -> String {
    serde_json::to_string(t).unwrap_or_else(|_| "\"\"".into())
}

/// A value no field of this kind accepts.
fn wrong_value(kind: &Kind) -> String {
    match kind {
        Kind::Id | Kind::Text { .. } => "12".into(),
        Kind::List(_) => "\"x\"".into(),
        Kind::Enum(values) => json_text(&format!("X{}", values.first().map_or("", |v| v))),
        _ => "\"x?\"".into(),
    }
}

/// Writes the fields as nested JSON objects in schema order; a group with
/// no field present is left out. Whether anything was written.
fn write_tree(tree: &PathTree, values: &[Option<String>], out: &mut String) -> bool {
    let mut body = String::new();
    let mut first = true;
    for (key, entry) in &tree.entries {
        let mut text = String::new();
        let written = match entry {
            PathEntry::Leaf(id) => match values.get(id.index()).and_then(Option::as_ref) {
                Some(v) => {
                    text.push_str(v);
                    true
                }
                None => false,
            },
            PathEntry::Node(sub) => write_tree(sub, values, &mut text),
        };
        if written {
            if !first {
                body.push(',');
            }
            first = false;
            let _ = write!(body, "{}:{text}", json_text(key));
        }
    }
    if first {
        return false;
    }
    out.push('{');
    out.push_str(&body);
    out.push('}');
    true
}
