"""The Python API: rules, one snapshot, Arrow data, pickling."""

import datetime
import json
import pickle
from decimal import Decimal

import pyarrow as pa
import pytest

from verdikt import jsonl as corpus
import verdikt


def snapshot(root, name):
    return json.loads((root / "examples" / "single" / name).read_text(), parse_float=Decimal)


def cli_lines(cli, path, tmp_path):
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    cli("batch", path, "-o", out, "--rejects", rejects)
    return out.read_text().splitlines(), [json.loads(l) for l in rejects.read_text().splitlines()]


def test_good_rules_load_with_version_and_rulesets(rules_dir):
    policy = verdikt.Policy(rules_dir)
    assert policy.rulesets == ["limit_adjustment", "exit_request", "reapply"]
    assert len(policy.version) == 16
    files = {str(p): p.read_text() for p in sorted(rules_dir.glob("*.vk"))}
    assert verdikt.Policy.from_files(files).version == policy.version
    # The version hashes base names and bytes, wherever the files lie.
    renamed = {p.split("/")[-1]: t for p, t in files.items()}
    assert verdikt.Policy.from_files(renamed).version == policy.version


def test_the_version_is_the_clis(rules_dir, root, cli, tmp_path):
    lines, _ = cli_lines(cli, root / "examples" / "merchants.jsonl", tmp_path)
    assert json.loads(lines[0])["ruleset_version"] == verdikt.Policy(rules_dir).version


def test_bad_rules_raise_with_every_rendered_diagnostic(rules_dir):
    files = {p.name: p.read_text() for p in sorted(rules_dir.glob("*.vk"))}
    files["10-limit_adjustment.vk"] = files["10-limit_adjustment.vk"].replace(
        "store.rating", "store.ratting", 1
    )
    with pytest.raises(verdikt.RulesError) as e:
        verdikt.Policy.from_files(files)
    text = str(e.value)
    assert "10-limit_adjustment.vk:" in text and "store.ratting" in text
    assert "store.rating" in text  # the suggestion
    assert "^" in text  # the caret under the source line
    files["99-broken.vk"] = "ruleset broken {\n  when\n"
    with pytest.raises(verdikt.RulesError) as e:
        verdikt.Policy.from_files(files)
    assert "expected `applies`" in str(e.value)
    assert "--> 99-broken.vk:2:3" in str(e.value)


def test_a_missing_rule_directory_is_an_os_error(tmp_path):
    with pytest.raises(OSError, match="cannot read rule directory"):
        verdikt.Policy(tmp_path / "nowhere")


def test_decide_gives_the_clis_decision_record(rules_dir, root, cli, tmp_path):
    policy = verdikt.Policy(rules_dir)
    got = policy.decide(snapshot(root, "increase.json"))
    lines, _ = cli_lines(cli, root / "examples" / "single" / "increase.json", tmp_path)
    assert got == json.loads(lines[0])
    limit = got["decisions"]["limit_adjustment"]
    assert limit["outcome"] == "increase"
    assert limit["new_limit"] == "65000.00"


def test_explain_is_the_clis(rules_dir, root, cli):
    policy = verdikt.Policy(rules_dir)
    want = cli("eval", "--explain", root / "examples" / "single" / "increase.json").stdout
    got = policy.explain(snapshot(root, "increase.json"))
    assert got.strip() == want.strip()
    assert "limit_adjustment" not in got and "`" not in got


def test_the_author_view_is_the_cli_trace(rules_dir, root, cli):
    policy = verdikt.Policy(rules_dir)
    want = cli("eval", "--trace", root / "examples" / "single" / "increase.json").stdout
    got = policy.explain(snapshot(root, "increase.json"), view="author")
    assert got.strip() == want.strip()
    assert "limit_adjustment" in got
    with pytest.raises(ValueError, match="merchant"):
        policy.explain(snapshot(root, "increase.json"), view="reader")


def test_dates_and_text_numbers_are_read_as_the_json_would_be(rules_dir, root):
    policy = verdikt.Policy(rules_dir)
    snap = snapshot(root, "increase.json")
    want = policy.decide(snap)
    snap["as_of"] = datetime.date.fromisoformat(snap["as_of"])
    snap["quota"]["limit"] = str(snap["quota"]["limit"])
    assert policy.decide(snap) == want


def test_a_bad_record_raises_with_its_problems(rules_dir, root):
    policy = verdikt.Policy(rules_dir)
    snap = snapshot(root, "increase.json")
    snap["quota"]["status"] = "Xactive"
    del snap["as_of"]
    with pytest.raises(verdikt.RecordError) as e:
        policy.decide(snap)
    assert e.value.problems == [
        'quota.status: "Xactive" is not one of active, frozen, exited',
        "as_of: is missing (required)",
    ]
    assert e.value.merchant_id == snap["merchant_id"]


def test_a_float_is_refused_naming_the_field(rules_dir, root):
    policy = verdikt.Policy(rules_dir)
    snap = snapshot(root, "increase.json")
    snap["quota"]["limit"] = 50000.1
    with pytest.raises(TypeError, match=r"`quota.limit` is a float \(50000.1\).*Decimal"):
        policy.decide(snap)
    with pytest.raises(TypeError, match="a snapshot is a dict"):
        policy.decide([snap])


def test_a_policy_pickles_as_its_rule_texts(rules_dir, root):
    policy = verdikt.Policy(rules_dir)
    again = pickle.loads(pickle.dumps(policy))
    assert isinstance(again, verdikt.Policy)
    assert again.version == policy.version
    snap = snapshot(root, "increase.json")
    assert again.decide(snap) == policy.decide(snap)


def merchants_table(root):
    text = (root / "examples" / "merchants.jsonl").read_text()
    return corpus.to_table([o for _, o in corpus.objects(text)])


def test_decide_arrow_records_are_the_clis_lines(rules_dir, root, cli, tmp_path):
    policy = verdikt.Policy(rules_dir)
    table = merchants_table(root)
    out = policy.decide_arrow(table, record_json=True)
    assert isinstance(out, pa.Table)
    assert out.num_rows == table.num_rows
    assert out.schema == policy.arrow_schema(record_json=True)
    lines, rejects = cli_lines(cli, root / "examples" / "merchants.jsonl", tmp_path)
    assert rejects == []
    assert out.column("record").to_pylist() == lines
    assert out.column("reject").null_count == out.num_rows
    first = out.slice(0, 1).to_pylist()[0]
    assert first["ruleset_version"] == policy.version
    assert set(first) >= {"merchant_id", "limit_adjustment", "exit_request", "reapply"}


def test_decide_arrow_without_record_has_typed_outputs(rules_dir, root):
    policy = verdikt.Policy(rules_dir)
    out = policy.decide_arrow(merchants_table(root))
    assert "record" not in out.column_names
    limit = out.schema.field("limit_adjustment").type
    assert limit.field("new_limit").type == pa.decimal128(38, 2)


def test_a_bad_row_comes_back_with_reject_set(rules_dir, root):
    policy = verdikt.Policy(rules_dir)
    snap = snapshot(root, "increase.json")
    bad = json.loads(json.dumps(snap, default=str), parse_float=Decimal)
    bad["quota"]["status"] = "Xactive"
    out = policy.decide_arrow(corpus.to_table([snap, bad]), record_json=True)
    rows = out.to_pylist()
    assert rows[0]["reject"] is None and rows[0]["record"] is not None
    assert rows[1]["reject"] == ['quota.status: "Xactive" is not one of active, frozen, exited']
    assert rows[1]["record"] is None and rows[1]["limit_adjustment"] is None
    assert rows[1]["merchant_id"] == snap["merchant_id"]


def test_a_float_column_is_refused_with_the_cast(rules_dir, root):
    policy = verdikt.Policy(rules_dir)
    table = merchants_table(root)
    flat = table.flatten()
    i = flat.column_names.index("quota.limit")
    flat = flat.set_column(i, "quota.limit", flat.column(i).cast(pa.float64()))
    with pytest.raises(verdikt.ColumnError, match="quota.limit") as e:
        policy.decide_arrow(flat)
    assert "decimal" in str(e.value).lower()


def test_record_batches_and_readers_are_accepted(rules_dir, root):
    policy = verdikt.Policy(rules_dir)
    table = merchants_table(root)
    want = policy.decide_arrow(table, record_json=True).column("record").to_pylist()
    batch = table.combine_chunks().to_batches()[0]
    assert policy.decide_arrow(batch, True).column("record").to_pylist() == want
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=3))
    assert policy.decide_arrow(reader, True).column("record").to_pylist() == want
    empty = policy.decide_arrow(table.slice(0, 0))
    assert empty.num_rows == 0 and empty.schema == policy.arrow_schema()
    with pytest.raises(TypeError, match="__arrow_c_stream__"):
        policy.decide_arrow({"a": 1})


def test_polars_and_duckdb_data_decide_the_same(rules_dir, root, tmp_path):
    polars = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    policy = verdikt.Policy(rules_dir)
    table = merchants_table(root)
    want = policy.decide_arrow(table, record_json=True).column("record").to_pylist()
    frame = polars.from_arrow(table)
    assert policy.decide_arrow(frame, True).column("record").to_pylist() == want
    relation = duckdb.from_arrow(table)
    assert policy.decide_arrow(relation, True).column("record").to_pylist() == want


def test_spark_workers_compile_a_policy_once_per_version(rules_dir, root):
    import verdikt.spark as vs

    policy = verdikt.Policy(rules_dir)
    vs._POLICIES.clear()
    decide = vs._decider(policy.files, policy.version, False)
    batches = merchants_table(root).to_batches(max_chunksize=4)
    first = list(decide(iter(batches)))
    cached = vs._POLICIES[policy.version]
    again = list(decide(iter(batches)))
    assert vs._POLICIES == {policy.version: cached}
    assert sum(b.num_rows for b in first) == sum(b.num_rows for b in again) == sum(b.num_rows for b in batches)
    with pytest.raises(RuntimeError, match="expected 0000"):
        list(vs._decider(policy.files, "0000", False)(iter(batches)))
