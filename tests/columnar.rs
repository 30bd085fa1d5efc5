//! The columnar core against the JSON Lines path: the same records give
//! the same decision lines and the same rejects, whatever the columns'
//! layout (nested or dotted), encoding (dictionary text, Decimal256) or
//! types (decimals, dates, strings); columns verdikt cannot read exactly
//! are refused, naming the column and the cast.
#![cfg(feature = "arrow")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

mod arrow_support;
mod common;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Int32Type};
use arrow_array::{
    Array, ArrayRef, DictionaryArray, Float64Array, RecordBatch, StringArray, StructArray,
};
use arrow_schema::{DataType, Field, Fields, Schema};
use verdikt::{ArrowOptions, Mode, Policy};

use arrow_support::{flatten, map_leaves, objects, row_json, to_batch};

const MODE: Mode = Mode {
    reasons: true,
    explain: false,
    trace: false,
};

/// What the JSON Lines path makes of one line: its decision line, or its
/// problems (as the rejects file words them) and merchant.
fn jsonl_result(policy: &Policy, line: &str) -> Result<String, (Vec<String>, Option<String>)> {
    let record = policy
        .read_json(line)
        .map_err(|e| (problems(&e), e.merchant_id.clone()))?;
    let mut out = Vec::new();
    policy
        .decide_json_line(&record, MODE, &mut out)
        .map_err(|e| (problems(&e), e.merchant_id.clone()))?;
    let mut text = String::from_utf8(out).unwrap();
    assert_eq!(text.pop(), Some('\n'));
    Ok(text)
}

fn problems(e: &verdikt::RecordError) -> Vec<String> {
    e.problems.iter().map(ToString::to_string).collect()
}

/// What the columnar path made of row `row`.
fn columnar_result(out: &RecordBatch, row: usize) -> Result<String, (Vec<String>, Option<String>)> {
    let reject = out.column_by_name("reject").unwrap().as_list::<i32>();
    let merchant = out
        .column_by_name("merchant_id")
        .unwrap()
        .as_string::<i32>();
    if reject.is_null(row) {
        let record = out.column_by_name("record").unwrap().as_string::<i32>();
        assert!(!record.is_null(row), "row {row}: no record and no reject");
        return Ok(record.value(row).to_string());
    }
    let list = reject.value(row);
    let list = list.as_string::<i32>();
    let problems = (0..list.len()).map(|i| list.value(i).to_string()).collect();
    let id = (!merchant.is_null(row)).then(|| merchant.value(row).to_string());
    Err((problems, id))
}

/// Decides `batch` both ways, row by row: returns the number of rows
/// decided and rejected.
fn assert_same_as_jsonl(policy: &Policy, batch: &RecordBatch) -> (usize, usize) {
    let out = policy
        .decide_arrow_with(batch, ArrowOptions { record_json: true })
        .unwrap();
    assert_eq!(out.num_rows(), batch.num_rows());
    assert_eq!(
        out.schema(),
        policy.arrow_schema(ArrowOptions { record_json: true })
    );
    let (mut decided, mut rejected) = (0, 0);
    for row in 0..batch.num_rows() {
        let line = row_json(batch, row);
        let want = jsonl_result(policy, &line);
        let got = columnar_result(&out, row);
        assert_eq!(got, want, "row {row}: {line}");
        if want.is_ok() {
            decided += 1;
        } else {
            rejected += 1;
        }
    }
    (decided, rejected)
}

fn corpus(path: &str) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// `verdikt gen --n 20000 --seed 7 --bad-percent 3`.
fn generated_with_bad_records() -> String {
    let mut text = String::new();
    verdikt::gen::corpus(20_000, 7, 3, |line| {
        text.push_str(line);
        text.push('\n');
    });
    text
}

fn corpora() -> Vec<(String, String)> {
    let mut all = Vec::new();
    let mut dirs = vec![
        "tests/corpus".to_string(),
        "tests/fixtures/reference/examples".into(),
        "tests/fixtures/batch".into(),
    ];
    for entry in std::fs::read_dir("tests/hostile/records").unwrap() {
        dirs.push(entry.unwrap().path().display().to_string());
    }
    for dir in dirs {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "jsonl") {
                let name = path.display().to_string();
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                all.push((name, text));
            }
        }
    }
    all.sort();
    all.push((
        "generated --bad-percent 3".into(),
        generated_with_bad_records(),
    ));
    all
}

#[test]
fn every_corpus_decides_as_its_json_lines() {
    let policy = common::policy();
    for (name, text) in corpora() {
        let rows: Vec<_> = objects(&text).into_iter().map(|(_, o)| o).collect();
        let mut batch = to_batch(&rows);
        // A hostile corpus may give a group a scalar in every record: a
        // column verdikt refuses as a whole (tested below); the rest is
        // compared without it.
        while let Err(verdikt::ColumnarError::Column { column, .. }) = policy.decide_arrow(&batch) {
            let i = batch.schema().index_of(&column).unwrap();
            eprintln!("{name}: column `{column}` refused, left out");
            batch.remove_column(i);
        }
        let (decided, rejected) = assert_same_as_jsonl(&policy, &batch);
        assert!(
            decided + rejected == rows.len() && !rows.is_empty(),
            "{name}"
        );
        eprintln!("{name}: {decided} decided, {rejected} rejected");
    }
}

/// The original lines, not just their columnar image: every line the JSON
/// Lines path decides gets the same decision line from the columns, and
/// the same lines are rejected, with the same problems (a field absent
/// from a present group is a null cell in a column, so "missing" reads
/// "null" there).
#[test]
fn the_original_lines_decide_the_same() {
    let policy = common::policy();
    let text = generated_with_bad_records();
    let objects = objects(&text);
    let rows: Vec<_> = objects.iter().map(|(_, o)| o.clone()).collect();
    let out = policy
        .decide_arrow_with(&to_batch(&rows), ArrowOptions { record_json: true })
        .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut rejected = 0;
    for (row, (line_no, _)) in objects.iter().enumerate() {
        let want = jsonl_result(&policy, lines[*line_no]);
        let got = columnar_result(&out, row);
        match (&want, &got) {
            (Ok(w), Ok(g)) => assert_eq!(g, w, "line {line_no}"),
            (Err((w, wid)), Err((g, gid))) => {
                rejected += 1;
                let normal = |p: &Vec<String>| {
                    p.iter()
                        .map(|x| {
                            x.replace(
                                "is null, but the field is required",
                                "is missing (required)",
                            )
                        })
                        .collect::<Vec<_>>()
                };
                assert_eq!(normal(g), normal(w), "line {line_no}");
                assert_eq!(gid, wid, "line {line_no}");
            }
            _ => panic!("line {line_no}: {want:?} vs {got:?}"),
        }
    }
    assert!(rejected > 100, "{rejected} rejects");
}

#[test]
fn dotted_columns_dictionary_text_and_decimal256_decide_the_same() {
    let policy = common::policy();
    let text = corpus("tests/corpus/thresholds.jsonl");
    let rows: Vec<_> = objects(&text).into_iter().map(|(_, o)| o).collect();
    let nested = to_batch(&rows);
    let want = policy
        .decide_arrow_with(&nested, ArrowOptions { record_json: true })
        .unwrap();
    let flat = flatten(&nested);
    assert!(flat.schema().field_with_name("store.rating").is_ok());
    let dictionary = map_leaves(&nested, &|c: &ArrayRef| match c.data_type() {
        DataType::Utf8 => {
            let d: DictionaryArray<Int32Type> = c.as_string::<i32>().iter().collect();
            Arc::new(d) as ArrayRef
        }
        _ => c.clone(),
    });
    let wide = map_leaves(&nested, &|c: &ArrayRef| match c.data_type() {
        DataType::Decimal128(_, s) => {
            let a: arrow_array::Decimal256Array = c
                .as_primitive::<Decimal128Type>()
                .iter()
                .map(|v| v.map(arrow_buffer::i256::from_i128))
                .collect();
            Arc::new(a.with_precision_and_scale(76, *s).unwrap()) as ArrayRef
        }
        _ => c.clone(),
    });
    assert!(matches!(
        dictionary
            .schema()
            .field_with_name("merchant_id")
            .unwrap()
            .data_type(),
        DataType::Dictionary(..)
    ));
    for (name, batch) in [
        ("flat", flat),
        ("dictionary", dictionary),
        ("decimal256", wide),
    ] {
        let got = policy
            .decide_arrow_with(&batch, ArrowOptions { record_json: true })
            .unwrap();
        assert_eq!(got, want, "{name}");
    }
}

/// A one-row batch of the snapshot `json`, with column `path` replaced.
fn with_column(json: &str, path: &[&str], column: ArrayRef) -> RecordBatch {
    let rows: Vec<_> = objects(json).into_iter().map(|(_, o)| o).collect();
    let batch = to_batch(&rows);
    map_path(&batch, path, column)
}

fn map_path(batch: &RecordBatch, path: &[&str], column: ArrayRef) -> RecordBatch {
    let (fields, columns) = replace(batch.schema().fields(), batch.columns(), path, &column);
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
}

fn replace(
    fields: &Fields,
    columns: &[ArrayRef],
    path: &[&str],
    new: &ArrayRef,
) -> (Vec<Field>, Vec<ArrayRef>) {
    let mut out_f = Vec::new();
    let mut out_c = Vec::new();
    for (f, c) in fields.iter().zip(columns) {
        let c = if f.name() == path[0] {
            if path.len() == 1 {
                new.clone()
            } else {
                let s = c.as_struct();
                let (cf, cc) = replace(s.fields(), s.columns(), &path[1..], new);
                Arc::new(StructArray::new(Fields::from(cf), cc, s.nulls().cloned())) as ArrayRef
            }
        } else {
            c.clone()
        };
        out_f.push(Field::new(f.name(), c.data_type().clone(), true));
        out_c.push(c);
    }
    (out_f, out_c)
}

fn first_line(path: &str) -> String {
    corpus(path).lines().next().unwrap().to_string()
}

fn refusal(batch: &RecordBatch) -> String {
    common::policy()
        .decide_arrow(batch)
        .unwrap_err()
        .to_string()
}

#[test]
fn a_float_column_is_refused_with_the_cast_to_use() {
    let line = first_line("tests/corpus/thresholds.jsonl");
    let floats: ArrayRef = Arc::new(Float64Array::from(vec![4.9]));
    let batch = with_column(&line, &["store", "rating"], floats.clone());
    insta::assert_snapshot!(refusal(&batch), @"column `store.rating` is Float64, but the field is a decimal; verdikt never reads a number through binary floating point (0.1 is not exact there): cast it first, e.g. `CAST(store.rating AS DECIMAL(18, 6))` in SQL or `pa.decimal128(18, 6)` in pyarrow");
    let money = with_column(&line, &["quota", "limit"], floats);
    insta::assert_snapshot!(refusal(&money), @"column `quota.limit` is Float64, but the field is money; verdikt never reads a number through binary floating point (0.1 is not exact there): cast it first, e.g. `CAST(quota.limit AS DECIMAL(18, 2))` in SQL or `pa.decimal128(18, 2)` in pyarrow");
    let f32s: ArrayRef = Arc::new(arrow_array::Float32Array::from(vec![700.0]));
    let score = with_column(&line, &["alipay", "credit_score"], f32s);
    insta::assert_snapshot!(refusal(&score), @"column `alipay.credit_score` is Float32, but the field is a whole number; verdikt never reads a number through binary floating point (0.1 is not exact there): cast it first, e.g. `CAST(alipay.credit_score AS BIGINT)` in SQL or `pa.int64()` in pyarrow");
}

#[test]
fn other_unreadable_columns_are_refused() {
    let line = first_line("tests/corpus/thresholds.jsonl");
    let stamps: ArrayRef = Arc::new(arrow_array::TimestampSecondArray::from(vec![0]));
    let date = with_column(&line, &["as_of"], stamps);
    insta::assert_snapshot!(refusal(&date), @"column `as_of` is Timestamp(s), but the field is a date; verdikt cannot read this column type exactly: cast it first, e.g. `CAST(as_of AS DATE)` in SQL or `pa.date32()` in pyarrow");
    let group: ArrayRef = Arc::new(StringArray::from(vec!["4.9"]));
    let store = with_column(&line, &["store"], group);
    insta::assert_snapshot!(refusal(&store), @"column `store` is Utf8, but `store` is a group of fields: pass a struct column or one column per field (`store.<field>`)");
    let inner: ArrayRef = Arc::new(StringArray::from(vec!["M1"]));
    let nested = StructArray::new(
        Fields::from(vec![Field::new("x", DataType::Utf8, true)]),
        vec![inner],
        None,
    );
    let scalar = with_column(&line, &["merchant_id"], Arc::new(nested));
    insta::assert_snapshot!(refusal(&scalar), @"column `merchant_id` is Struct(\"x\": Utf8), but the field is text; verdikt cannot read this column type exactly: cast it first, e.g. `CAST(merchant_id AS VARCHAR)` in SQL or `pa.string()` in pyarrow");
    // The same field twice: nested and dotted.
    let rows: Vec<_> = objects(&line).into_iter().map(|(_, o)| o).collect();
    let batch = to_batch(&rows);
    let mut fields: Vec<Field> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect();
    let mut columns = batch.columns().to_vec();
    fields.push(Field::new("store.rating", DataType::Utf8, true));
    columns.push(Arc::new(StringArray::from(vec!["4.9"])));
    let twice = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap();
    insta::assert_snapshot!(refusal(&twice), @"column `store.rating` is given twice (a struct field and a dotted name, or one name twice): keep one of them");
}

#[test]
fn a_null_struct_is_missing_fields_and_an_empty_string_stays_empty() {
    let policy = common::policy();
    let line = first_line("tests/corpus/thresholds.jsonl");
    let rows: Vec<_> = objects(&line).into_iter().map(|(_, o)| o).collect();
    let batch = to_batch(&rows);
    let quota = batch.column_by_name("quota").unwrap().as_struct().clone();
    let (fields, columns, _) = quota.into_parts();
    let null_quota = StructArray::new(fields, columns, Some(vec![false].into()));
    let batch = map_path(&batch, &["quota"], Arc::new(null_quota));
    let empty = map_path(
        &batch,
        &["merchant_id"],
        Arc::new(StringArray::from(vec![""])),
    );
    let out = policy.decide_arrow(&empty).unwrap();
    let reject = out
        .column_by_name("reject")
        .unwrap()
        .as_list::<i32>()
        .value(0);
    let problems: Vec<&str> = reject.as_string::<i32>().iter().flatten().collect();
    insta::assert_debug_snapshot!(problems, @r#"
    [
        "merchant_id: must not be empty or only white space",
        "quota.status: is missing (required)",
        "quota.provider: is missing (required)",
        "quota.limit: is missing (required)",
        "quota.used: is missing (required)",
        "quota.overdue_count_12m: is missing (required)",
    ]
    "#);
    // Exactly what the JSON Lines path says of `"quota": null`.
    assert_same_as_jsonl(&policy, &empty);
    assert!(row_json(&empty, 0).contains("\"quota\":null"));
}

#[test]
fn decided_rows_hold_typed_outputs() {
    let policy = common::policy();
    let text = corpus("tests/fixtures/reference/examples/merchants.jsonl");
    let rows: Vec<_> = objects(&text).into_iter().map(|(_, o)| o).collect();
    let out = policy.decide_arrow(&to_batch(&rows)).unwrap();
    let schema = out.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names,
        [
            "merchant_id",
            "ruleset_version",
            "limit_adjustment",
            "exit_request",
            "reapply",
            "reject"
        ]
    );
    let limit = out.column_by_name("limit_adjustment").unwrap().as_struct();
    assert_eq!(
        limit.column_by_name("new_limit").unwrap().data_type(),
        &DataType::Decimal128(38, 2)
    );
    let exit = out.column_by_name("exit_request").unwrap().as_struct();
    assert_eq!(
        exit.column_by_name("review_by").unwrap().data_type(),
        &DataType::Date32
    );
    assert!(matches!(
        exit.column_by_name("notes").unwrap().data_type(),
        DataType::List(_)
    ));
    assert!(matches!(
        limit.column_by_name("reasons").unwrap().data_type(),
        DataType::List(_)
    ));
    // Each new limit is the JSON line's, in cents.
    let lines = out.num_rows();
    let limits = limit
        .column_by_name("new_limit")
        .unwrap()
        .as_primitive::<Decimal128Type>();
    let records = policy
        .decide_arrow_with(&to_batch(&rows), ArrowOptions { record_json: true })
        .unwrap();
    let records = records.column_by_name("record").unwrap().as_string::<i32>();
    for row in 0..lines {
        if limits.is_null(row) {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(records.value(row)).unwrap();
        let text = v["decisions"]["limit_adjustment"]["new_limit"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(limits.value_as_string(row), text);
    }
}
