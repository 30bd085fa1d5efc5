//! Output columns, appended to one value at a time: an output value in its
//! Arrow type (money as `Decimal128(38, 2)`, dates as `Date32`, lists as
//! `list<...>`), and a ruleset's struct of outcome, rule, outputs and
//! reasons.

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Decimal128Builder, Int64Builder, ListBuilder, StringBuilder,
};
use arrow_array::{ArrayRef, ListArray, StructArray};
use arrow_buffer::{NullBufferBuilder, OffsetBuffer};
use arrow_schema::{ArrowError, DataType};

use super::schema::{self, DECIMAL_SCALE, MONEY_SCALE};
use crate::ir::{Policy, Ruleset};
use crate::types::Ty;
use crate::value::Value;

/// One output's column.
pub(crate) enum OutColumn {
    Decimal(Decimal128Builder, i8),
    Int(Int64Builder),
    Date(Date32Builder),
    Bool(BooleanBuilder),
    Text(StringBuilder),
    List {
        offsets: Vec<i32>,
        nulls: NullBufferBuilder,
        item: Box<OutColumn>,
        ty: DataType,
    },
}

impl OutColumn {
    pub(crate) fn new(ty: &Ty) -> OutColumn {
        match ty {
            Ty::Money => OutColumn::Decimal(Decimal128Builder::new(), MONEY_SCALE),
            Ty::Decimal | Ty::Rate | Ty::Number => {
                OutColumn::Decimal(Decimal128Builder::new(), DECIMAL_SCALE)
            }
            Ty::Int | Ty::Days => OutColumn::Int(Int64Builder::new()),
            Ty::Date => OutColumn::Date(Date32Builder::new()),
            Ty::Bool => OutColumn::Bool(BooleanBuilder::new()),
            Ty::Text | Ty::Enum(_) | Ty::Error => OutColumn::Text(StringBuilder::new()),
            Ty::List(inner) => OutColumn::List {
                offsets: vec![0],
                nulls: NullBufferBuilder::new(0),
                item: Box::new(OutColumn::new(inner)),
                ty: schema::arrow_type(inner),
            },
        }
    }

    /// Appends a value (`None`: null). A value the column cannot hold
    /// exactly ([`fits`] says so first) is appended as null.
    pub(crate) fn append(&mut self, v: Option<&Value>, policy: &Policy) {
        match (self, v) {
            (OutColumn::Decimal(b, scale), Some(Value::Num(n))) => {
                b.append_option(scaled(n.to_decimal(), *scale));
            }
            (OutColumn::Int(b), Some(Value::Num(n))) => b.append_option(n.to_i64_trunc()),
            (OutColumn::Int(b), Some(Value::Days(d))) => b.append_value(*d),
            (OutColumn::Date(b), Some(Value::Date(d))) => b.append_option(days(*d)),
            (OutColumn::Bool(b), Some(Value::Bool(x))) => b.append_value(*x),
            (OutColumn::Text(b), Some(Value::Text(t))) => b.append_value(&**t),
            (OutColumn::Text(b), Some(Value::Enum(s))) => b.append_value(policy.symbols.name(*s)),
            (
                OutColumn::List {
                    offsets,
                    nulls,
                    item,
                    ..
                },
                Some(Value::List(items)),
            ) => {
                for i in items.iter() {
                    item.append(Some(i), policy);
                }
                push_offset(offsets, items.len());
                nulls.append_non_null();
            }
            (OutColumn::List { offsets, nulls, .. }, _) => {
                push_offset(offsets, 0);
                nulls.append_null();
            }
            (OutColumn::Decimal(b, _), _) => b.append_null(),
            (OutColumn::Int(b), _) => b.append_null(),
            (OutColumn::Date(b), _) => b.append_null(),
            (OutColumn::Bool(b), _) => b.append_null(),
            (OutColumn::Text(b), _) => b.append_null(),
        }
    }

    pub(crate) fn finish(&mut self) -> Result<ArrayRef, ArrowError> {
        Ok(match self {
            OutColumn::Decimal(b, scale) => {
                Arc::new(b.finish().with_precision_and_scale(38, *scale)?)
            }
            OutColumn::Int(b) => Arc::new(b.finish()),
            OutColumn::Date(b) => Arc::new(b.finish()),
            OutColumn::Bool(b) => Arc::new(b.finish()),
            OutColumn::Text(b) => Arc::new(b.finish()),
            OutColumn::List {
                offsets,
                nulls,
                item,
                ty,
            } => {
                let values = item.finish()?;
                let offsets = OffsetBuffer::new(std::mem::replace(offsets, vec![0]).into());
                Arc::new(ListArray::try_new(
                    Arc::new(schema::item(ty.clone())),
                    offsets,
                    values,
                    nulls.finish(),
                )?)
            }
        })
    }
}

fn push_offset(offsets: &mut Vec<i32>, n: usize) {
    let last = offsets.last().copied().unwrap_or(0);
    offsets.push(last.saturating_add(i32::try_from(n).unwrap_or(i32::MAX)));
}

/// Whether an output value fits its column exactly; why not, if not.
pub(crate) fn fits(v: &Value, ty: &Ty) -> Result<(), String> {
    match (v, ty) {
        (Value::Num(n), Ty::Money | Ty::Decimal | Ty::Rate | Ty::Number) => {
            let scale = if *ty == Ty::Money {
                MONEY_SCALE
            } else {
                DECIMAL_SCALE
            };
            match scaled(n.to_decimal(), scale) {
                Some(_) => Ok(()),
                None => Err(format!(
                    "{} does not fit Decimal128(38, {scale}) exactly",
                    n.to_decimal().normalize()
                )),
            }
        }
        (Value::Num(n), Ty::Int) => match n.to_i64_trunc() {
            Some(_) => Ok(()),
            None => Err(format!("{n} does not fit a 64-bit integer")),
        },
        (Value::Date(d), _) => days(*d)
            .map(|_| ())
            .ok_or_else(|| format!("{d} does not fit Date32")),
        (Value::List(items), Ty::List(inner)) => items.iter().try_for_each(|i| fits(i, inner)),
        _ => Ok(()),
    }
}

/// `d` as a mantissa of `scale` decimal places, when exact.
#[inline]
fn scaled(d: rust_decimal::Decimal, scale: i8) -> Option<i128> {
    let scale = u32::try_from(scale).ok()?;
    // The common case: no more places than the column's, no rescaling.
    if let Some(up) = scale.checked_sub(d.scale()) {
        if let Some(m) = 10i128
            .checked_pow(up)
            .and_then(|p| d.mantissa().checked_mul(p))
        {
            return Some(m);
        }
    }
    let mut r = d;
    r.rescale(scale);
    (r.scale() == scale && r == d).then(|| r.mantissa())
}

/// Days since 1970-01-01, as `Date32` counts.
fn days(d: chrono::NaiveDate) -> Option<i32> {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from(d.signed_duration_since(epoch).num_days()).ok()
}

/// One ruleset's decision column: a struct, null for a rejected row.
pub(crate) struct RulesetColumns {
    outcome: StringBuilder,
    rule: StringBuilder,
    outputs: Vec<OutColumn>,
    reasons: ListBuilder<StringBuilder>,
    nulls: NullBufferBuilder,
}

impl RulesetColumns {
    pub(crate) fn new(rs: &Ruleset) -> RulesetColumns {
        RulesetColumns {
            outcome: StringBuilder::new(),
            rule: StringBuilder::new(),
            outputs: rs.outputs.iter().map(|o| OutColumn::new(&o.ty)).collect(),
            reasons: ListBuilder::new(StringBuilder::new()),
            nulls: NullBufferBuilder::new(0),
        }
    }

    /// Appends a decided row: its outcome, rule, outputs and reasons
    /// (`reasons` ranges into `text`).
    pub(crate) fn append(
        &mut self,
        policy: &Policy,
        rs: &Ruleset,
        row: &super::decide::Decided,
        text: &str,
    ) {
        self.outcome
            .append_value(rs.outcomes.get(row.outcome).map_or("?", |o| &**o));
        self.rule.append_option(row.rule(rs));
        for ((column, _), v) in self.outputs.iter_mut().zip(&rs.outputs).zip(&row.outputs) {
            column.append(v.as_ref(), policy);
        }
        for r in &row.reasons {
            self.reasons
                .values()
                .append_value(text.get(r.clone()).unwrap_or(""));
        }
        self.reasons.append(true);
        self.nulls.append_non_null();
    }

    /// Appends a rejected row: null.
    pub(crate) fn append_null(&mut self, policy: &Policy) {
        self.outcome.append_null();
        self.rule.append_null();
        for column in &mut self.outputs {
            column.append(None, policy);
        }
        self.reasons.append_null();
        self.nulls.append_null();
    }

    pub(crate) fn finish(&mut self, rs: &Ruleset) -> Result<ArrayRef, ArrowError> {
        let mut children: Vec<ArrayRef> = vec![
            Arc::new(self.outcome.finish()),
            Arc::new(self.rule.finish()),
        ];
        for column in &mut self.outputs {
            children.push(column.finish()?);
        }
        children.push(Arc::new(self.reasons.finish()));
        Ok(Arc::new(StructArray::try_new(
            schema::ruleset_fields(rs),
            children,
            self.nulls.finish(),
        )?))
    }
}
