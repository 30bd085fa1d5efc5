"""Issue 15, class 4: the package reads values, never their printed form,
frames JSON Lines as `verdikt batch` does, and never lets a Rust panic
(pyo3's PanicException, a BaseException) reach Python."""

import collections.abc
import datetime
import json
from decimal import Decimal

import pyarrow as pa
import pytest

import verdikt
from verdikt import jsonl


def snapshot(root):
    return json.loads((root / "examples" / "single" / "increase.json").read_text(), parse_float=Decimal)


def decided(policy, snap):
    """The decision record, or the problems; never a BaseException that is
    not an Exception (a PanicException would fail the test here)."""
    try:
        return policy.decide(snap)
    except verdikt.RecordError as e:
        return e.problems


def ndjson(path):
    """JSON lines, split at `\n` only (`str.splitlines` splits at U+2028)."""
    return [json.loads(l) for l in path.read_text().split("\n") if l]


class LyingInt(int):
    def __str__(self):
        return "1"

    __repr__ = __str__
    __format__ = lambda self, spec: "1"  # noqa: E731


class LyingDecimal(Decimal):
    def __str__(self):
        return "1"

    __repr__ = __str__

    def as_tuple(self):
        return Decimal("1").as_tuple()


class LyingStr(str):
    def __str__(self):
        return "frozen"


class LyingDate(datetime.date):
    def isoformat(self):
        return "1999-01-01"

    __str__ = isoformat


def test_numbers_text_and_dates_are_read_by_value_not_by_str(rules_dir, root):
    policy = verdikt.Policy(rules_dir)
    plain = snapshot(root)
    want = policy.decide(plain)
    assert want["decisions"]["limit_adjustment"]["new_limit"] == "65000.00"
    snap = snapshot(root)
    snap["quota"]["limit"] = LyingInt(50000)
    snap["fulfillment"]["on_time_ship_rate"] = LyingDecimal("0.99")
    snap["quota"]["status"] = LyingStr("active")
    snap["as_of"] = LyingDate(2026, 11, 24)
    assert policy.decide(snap) == want
    # A Decimal keeps its exact digits, exponent and all.
    snap = snapshot(root)
    snap["quota"]["limit"] = Decimal("5.000000E+4")
    snap["quota"]["used"] = Decimal("0E-2")
    assert policy.decide(snap) == want


def test_bool_is_not_a_number_and_nan_is_refused(rules_dir, root):
    policy = verdikt.Policy(rules_dir)
    snap = snapshot(root)
    snap["quota"]["limit"] = True
    with pytest.raises(verdikt.RecordError, match="quota.limit"):
        policy.decide(snap)
    snap["quota"]["limit"] = Decimal("NaN")
    with pytest.raises(TypeError, match="`quota.limit` is NaN"):
        policy.decide(snap)


def test_a_mapping_changed_while_it_is_read_is_read_from_a_copy(rules_dir, root):
    policy = verdikt.Policy(rules_dir)
    want = policy.decide(snapshot(root))
    snap = snapshot(root)

    class Meddling(int):
        """Changes the snapshot while the snapshot is being read (today a
        PanicException: `dictionary keys changed during iteration`)."""

        def __index__(self):
            snap.pop("as_of", None)
            snap[f"junk{len(snap)}"] = 1
            return int(self)

        __str__ = __repr__ = __index__

    snap["store"]["months_active"] = Meddling(24)
    assert decided(policy, snap) == want
    # Read by value: the meddling methods are never called.
    assert "as_of" in snap and not any(k.startswith("junk") for k in snap)


def test_a_mapping_whose_keys_mutate_it_is_copied_first(rules_dir, root):
    policy = verdikt.Policy(rules_dir)
    want = policy.decide(snapshot(root))

    class Shifty(collections.abc.Mapping):
        def __init__(self, data):
            self.data = dict(data)

        def __getitem__(self, key):
            return self.data[key]

        def __len__(self):
            return len(self.data)

        def __iter__(self):
            keys = list(self.data)
            self.data[f"extra{len(self.data)}"] = 1
            return iter(keys)

    class MutatingDict(dict):
        def keys(self):
            self["extra"] = 1
            return super().keys()

        def __iter__(self):
            self["extra2"] = 2
            return super().__iter__()

    snap = snapshot(root)
    snap["quota"] = Shifty(snap["quota"])
    assert decided(policy, snap) == want
    snap = MutatingDict(snapshot(root))
    snap["store"] = MutatingDict(snap["store"])
    assert decided(policy, snap) == want


def test_a_snapshot_that_holds_itself_is_refused_not_overflowed(rules_dir, root):
    policy = verdikt.Policy(rules_dir)
    snap = snapshot(root)
    snap["store"]["self"] = snap
    with pytest.raises(ValueError, match="nested more than 64 levels deep"):
        policy.decide(snap)


def test_a_reader_whose_batches_disagree_with_its_schema_is_a_value_error(rules_dir):
    policy = verdikt.Policy(rules_dir)
    schema = pa.schema([("merchant_id", pa.string())])
    wrong = pa.record_batch({"merchant_id": pa.array([1, 2], pa.int64())})
    reader = pa.RecordBatchReader.from_batches(schema, [wrong])
    # Today: PanicException (a BaseException) from inside arrow-rs.
    try:
        policy.decide_arrow(reader)
    except ValueError as e:
        assert "batch 1 of the Arrow stream" in str(e)
    else:
        pytest.fail("a batch that does not fit its schema was decided")
    good = pa.record_batch({"merchant_id": pa.array(["M1"])})
    reader = pa.RecordBatchReader.from_batches(schema, [good, wrong])
    with pytest.raises(ValueError, match="batch 2 of the Arrow stream"):
        policy.decide_arrow(reader)


def test_internal_error_is_an_exception():
    assert issubclass(verdikt.InternalError, Exception)


LINES = [
    '{"merchant_id":"M1","note":"a\u2028b\u0085c\u2029d"}',
    "",
    '{"merchant_id":"M2","merchant_id":"M3"}',
    '{"merchant_id":"M4","quota":{"limit":',
    '{"merchant_id":"M5"}\r',
]


def test_read_jsonl_splits_at_newline_only_and_loses_no_line(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes("\n".join(LINES).encode("utf-8") + b"\n")
    with pytest.raises(jsonl.JsonLinesError) as e:
        jsonl.read_jsonl(path)
    assert [(r["line"], r["problems"][0].split(":")[0]) for r in e.value.rejects] == [
        (2, "blank line"),
        (3, "invalid JSON"),
        (4, "invalid JSON"),
    ]
    assert "appears twice (duplicate key)" in e.value.rejects[1]["problems"][0]
    assert all(r["source"] == str(path) for r in e.value.rejects)
    table = jsonl.read_jsonl(path, skip_bad=True)
    assert table.column("merchant_id").to_pylist() == ["M1", "M5"]
    assert table.column("note").to_pylist() == ["a\u2028b\u0085c\u2029d", None]
    assert jsonl.objects(LINES[0] + "\n" + LINES[4]) == [
        (1, {"merchant_id": "M1", "note": "a\u2028b\u0085c\u2029d"}),
        (2, {"merchant_id": "M5"}),
    ]


def test_decide_jsonl_gives_the_batch_output_and_rejects(rules_dir, root, cli, tmp_path):
    policy = verdikt.Policy(rules_dir)
    good = (root / "examples" / "merchants.jsonl").read_bytes().splitlines()
    path = tmp_path / "in.jsonl"
    lines = [good[0], b"", LINES[2].encode(), good[1][:40], b"\xff{}", good[2] + b"\r"]
    dup = json.loads(good[3])
    text = json.dumps(dup, ensure_ascii=False)
    lines.append(text.replace('"as_of"', '"as_of":"2026-01-01","as_of"', 1).encode())
    lines.append(good[4].replace(b'"M1', '"\u2028M1'.encode(), 1))
    path.write_bytes(b"\n".join(lines) + b"\n")
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    cli("batch", path, "-o", out, "--rejects", rejects, check=False)
    want_out, want_rejects = ndjson(out), ndjson(rejects)
    assert len(want_out) == 3 and [r["line"] for r in want_rejects] == [2, 3, 4, 5, 7]
    assert want_out[2]["merchant_id"] == "\u2028M10005"
    assert policy.decide_jsonl(path) == (want_out, want_rejects)
    got_out, got_rejects = policy.decide_jsonl(path.read_bytes())
    assert got_out == want_out
    assert got_rejects == [dict(r, source="-") for r in want_rejects]
