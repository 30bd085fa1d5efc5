//! JSON Lines <-> Arrow for the columnar tests: snapshots into a record
//! batch of nested structs (each leaf typed from its values: decimals,
//! dates, booleans, else strings), and a batch's rows back into the JSON
//! the JSON Lines path reads, so both paths read the same records.
#![allow(dead_code, reason = "each test binary uses part of it")]

use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Date32Builder, Decimal128Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Decimal128Type, Decimal256Type};
use arrow_array::{Array, ArrayRef, RecordBatch, StructArray};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, Field, Fields, Schema};
use serde_json::{Map, Value};

/// A path tree of the keys seen, in first-seen order.
#[derive(Default)]
struct Node {
    children: Vec<(String, Node)>,
}

impl Node {
    fn child(&mut self, key: &str) -> &mut Node {
        if let Some(i) = self.children.iter().position(|(k, _)| k == key) {
            return &mut self.children[i].1;
        }
        self.children.push((key.to_string(), Node::default()));
        &mut self.children.last_mut().unwrap().1
    }

    fn learn(&mut self, obj: &Map<String, Value>) {
        for (k, v) in obj {
            let child = self.child(k);
            // (A key that is an object in one record and a scalar in
            // another is a struct: a column has one type; the scalar reads
            // as a null struct.)
            if let Value::Object(inner) = v {
                child.learn(inner);
            }
        }
    }
}

/// The JSON objects of a JSON Lines text (lines that are not one are left
/// out: a column cannot hold them).
pub(crate) fn objects(text: &str) -> Vec<(usize, Map<String, Value>)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| match serde_json::from_str::<Value>(l) {
            Ok(Value::Object(o)) => Some((i, o)),
            _ => None,
        })
        .collect()
}

/// The snapshots as one batch of nested struct columns.
pub(crate) fn to_batch(rows: &[Map<String, Value>]) -> RecordBatch {
    let mut root = Node::default();
    for r in rows {
        root.learn(r);
    }
    let values: Vec<Option<&Map<String, Value>>> = rows.iter().map(Some).collect();
    let (fields, columns) = group(&root, &values);
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
}

fn group(node: &Node, rows: &[Option<&Map<String, Value>>]) -> (Vec<Field>, Vec<ArrayRef>) {
    let mut fields = Vec::new();
    let mut columns = Vec::new();
    for (key, child) in &node.children {
        let cells: Vec<Option<&Value>> = rows
            .iter()
            .map(|r| r.and_then(|o| o.get(key)).filter(|v| !v.is_null()))
            .collect();
        let column = if child.children.is_empty() {
            leaf(&cells)
        } else {
            let inner: Vec<Option<&Map<String, Value>>> =
                cells.iter().map(|c| c.and_then(Value::as_object)).collect();
            let (f, c) = group(child, &inner);
            let nulls = NullBuffer::from(inner.iter().map(Option::is_some).collect::<Vec<_>>());
            Arc::new(StructArray::new(Fields::from(f), c, Some(nulls))) as ArrayRef
        };
        fields.push(Field::new(key, column.data_type().clone(), true));
        columns.push(column);
    }
    (fields, columns)
}

/// A number's mantissa and scale, exactly as written.
fn decimal(text: &str) -> Option<(i128, u32)> {
    let d = if text.contains(['e', 'E']) {
        rust_decimal::Decimal::from_scientific(text).ok()?
    } else {
        rust_decimal::Decimal::from_str_exact(text).ok()?
    };
    Some((d.mantissa(), d.scale()))
}

fn is_date(s: &str) -> bool {
    s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

fn epoch_days(s: &str) -> i32 {
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    i32::try_from((d - epoch).num_days()).unwrap()
}

/// One leaf column, typed by what its values allow.
fn leaf(cells: &[Option<&Value>]) -> ArrayRef {
    let present: Vec<&Value> = cells.iter().flatten().copied().collect();
    let numbers: Option<Vec<(i128, u32)>> = present
        .iter()
        .map(|v| match v {
            Value::Number(n) => decimal(&n.to_string()),
            _ => None,
        })
        .collect();
    if let (Some(numbers), false) = (numbers, present.is_empty()) {
        let scale = numbers.iter().map(|(_, s)| *s).max().unwrap_or(0);
        if scale <= 20 {
            let mut b = Decimal128Builder::new();
            for c in cells {
                match c {
                    Some(Value::Number(n)) => {
                        let (m, s) = decimal(&n.to_string()).unwrap();
                        b.append_value(m * 10i128.pow(scale - s));
                    }
                    _ => b.append_null(),
                }
            }
            let scale = i8::try_from(scale).unwrap();
            return Arc::new(b.finish().with_precision_and_scale(38, scale).unwrap());
        }
    }
    if !present.is_empty() && present.iter().all(|v| v.is_boolean()) {
        let mut b = BooleanBuilder::new();
        for c in cells {
            b.append_option(c.and_then(Value::as_bool));
        }
        return Arc::new(b.finish());
    }
    if !present.is_empty() && present.iter().all(|v| v.as_str().is_some_and(is_date)) {
        let mut b = Date32Builder::new();
        for c in cells {
            b.append_option(c.and_then(Value::as_str).map(epoch_days));
        }
        return Arc::new(b.finish());
    }
    let mut b = StringBuilder::new();
    for c in cells {
        match c {
            Some(Value::String(s)) => b.append_value(s),
            Some(other) => b.append_value(other.to_string()),
            None => b.append_null(),
        }
    }
    Arc::new(b.finish())
}

/// Row `row` of `batch` as the JSON object a JSON writer would give it.
pub(crate) fn row_json(batch: &RecordBatch, row: usize) -> String {
    let schema = batch.schema();
    let obj = object(
        schema.fields().iter().map(|f| f.name().as_str()),
        batch.columns(),
        row,
    );
    Value::Object(obj).to_string()
}

fn object<'a>(
    names: impl Iterator<Item = &'a str>,
    columns: &[ArrayRef],
    row: usize,
) -> Map<String, Value> {
    let mut obj = Map::new();
    for (name, column) in names.zip(columns) {
        obj.insert(name.to_string(), cell(column.as_ref(), row));
    }
    obj
}

fn cell(a: &dyn Array, row: usize) -> Value {
    if a.is_null(row) {
        return Value::Null;
    }
    let number = |text: String| Value::Number(text.parse().unwrap());
    match a.data_type() {
        DataType::Struct(fields) => {
            let s = a.as_struct();
            Value::Object(object(
                fields.iter().map(|f| f.name().as_str()),
                s.columns(),
                row,
            ))
        }
        DataType::Utf8 => Value::String(a.as_string::<i32>().value(row).to_string()),
        DataType::Dictionary(..) => {
            let d = a.as_any_dictionary();
            let key = d.normalized_keys()[row];
            cell(d.values().as_ref(), key)
        }
        DataType::Boolean => Value::Bool(a.as_boolean().value(row)),
        DataType::Date32 => {
            let days = a.as_primitive::<Date32Type>().value(row);
            let d = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
                + chrono::TimeDelta::days(i64::from(days));
            Value::String(d.format("%Y-%m-%d").to_string())
        }
        DataType::Decimal128(_, s) => number(scaled(
            a.as_primitive::<Decimal128Type>().value(row).to_string(),
            *s,
        )),
        DataType::Decimal256(_, s) => number(scaled(
            a.as_primitive::<Decimal256Type>().value(row).to_string(),
            *s,
        )),
        DataType::Int64 => number(
            a.as_primitive::<arrow_array::types::Int64Type>()
                .value(row)
                .to_string(),
        ),
        other => panic!("no JSON for {other}"),
    }
}

fn scaled(digits: String, scale: i8) -> String {
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(d) => ("-", d.to_string()),
        None => ("", digits),
    };
    let s = usize::try_from(scale).unwrap();
    if s == 0 {
        return format!("{sign}{digits}");
    }
    let digits = format!("{digits:0>width$}", width = s + 1);
    let (int, frac) = digits.split_at(digits.len() - s);
    format!("{sign}{int}.{frac}")
}

/// The batch with every struct flattened into dotted columns
/// (`store.rating`): a null struct makes its fields null.
pub(crate) fn flatten(batch: &RecordBatch) -> RecordBatch {
    let mut fields = Vec::new();
    let mut columns = Vec::new();
    let schema = batch.schema();
    for (f, c) in schema.fields().iter().zip(batch.columns()) {
        flatten_into(f.name(), c, &mut fields, &mut columns);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
}

fn flatten_into(name: &str, c: &ArrayRef, fields: &mut Vec<Field>, columns: &mut Vec<ArrayRef>) {
    match c.data_type() {
        DataType::Struct(children) => {
            let s = c.as_struct();
            for (f, child) in children.iter().zip(s.columns()) {
                let merged = NullBuffer::union(s.nulls(), child.nulls());
                let data = child
                    .to_data()
                    .into_builder()
                    .nulls(merged)
                    .build()
                    .unwrap();
                let child = arrow_array::make_array(data);
                flatten_into(&format!("{name}.{}", f.name()), &child, fields, columns);
            }
        }
        _ => {
            fields.push(Field::new(name, c.data_type().clone(), true));
            columns.push(c.clone());
        }
    }
}

/// The batch with every column mapped by `f` (structs walked into).
pub(crate) fn map_leaves(batch: &RecordBatch, f: &dyn Fn(&ArrayRef) -> ArrayRef) -> RecordBatch {
    let columns: Vec<ArrayRef> = batch.columns().iter().map(|c| map_column(c, f)).collect();
    let fields: Vec<Field> = batch
        .schema()
        .fields()
        .iter()
        .zip(&columns)
        .map(|(fl, c)| Field::new(fl.name(), c.data_type().clone(), true))
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
}

fn map_column(c: &ArrayRef, f: &dyn Fn(&ArrayRef) -> ArrayRef) -> ArrayRef {
    match c.data_type() {
        DataType::Struct(children) => {
            let s = c.as_struct();
            let cols: Vec<ArrayRef> = s.columns().iter().map(|x| map_column(x, f)).collect();
            let fields: Vec<Field> = children
                .iter()
                .zip(&cols)
                .map(|(fl, x)| Field::new(fl.name(), x.data_type().clone(), true))
                .collect();
            Arc::new(StructArray::new(
                Fields::from(fields),
                cols,
                s.nulls().cloned(),
            ))
        }
        _ => f(c),
    }
}
