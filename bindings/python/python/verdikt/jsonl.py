"""JSON Lines snapshots as an Arrow table, the way a team's Parquet table
would hold them: nested structs, each leaf typed by its values (all numbers:
a decimal with the largest scale; all booleans: bool; all ISO dates: date32;
anything else: the text as written). Numbers are read as ``Decimal``, never
through float, so ``decide_arrow`` on the table gives the decisions of
``verdikt batch`` on the lines.

>>> import pyarrow.parquet as pq, verdikt.jsonl
>>> pq.write_table(verdikt.jsonl.read_jsonl("examples/merchants.jsonl"), "m.parquet")  # doctest: +SKIP
"""

import datetime
import json
from decimal import Decimal

import pyarrow as pa


def objects(text):
    """(line number from 1, dict) of every line that is a JSON object."""
    out = []
    for i, line in enumerate(text.splitlines(), start=1):
        try:
            value = json.loads(line, parse_float=Decimal, parse_int=Decimal)
        except ValueError:
            continue
        if isinstance(value, dict):
            out.append((i, value))
    return out


def _learn(tree, obj):
    for key, value in obj.items():
        node = tree.setdefault(key, {"leaf": False, "children": {}})
        if isinstance(value, dict) and not node["leaf"]:
            _learn(node["children"], value)
        elif value is not None:
            node["leaf"] = True


def _is_date(v):
    if not isinstance(v, str) or len(v) != 10:
        return False
    try:
        datetime.date.fromisoformat(v)
    except ValueError:
        return False
    return True


def _scale(d):
    exponent = d.as_tuple().exponent
    return -exponent if exponent < 0 else 0


def _text(v):
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return str(v)
    return json.dumps(v)


def _leaf(cells):
    present = [c for c in cells if c is not None]
    if present and all(isinstance(c, Decimal) for c in present):
        scale = max(_scale(c) for c in present)
        if scale <= 20:
            return pa.array(cells, type=pa.decimal128(38, scale))
    if present and all(isinstance(c, bool) for c in present):
        return pa.array(cells, type=pa.bool_())
    if present and all(_is_date(c) for c in present):
        return pa.array(
            [None if c is None else datetime.date.fromisoformat(c) for c in cells],
            type=pa.date32(),
        )
    return pa.array([None if c is None else _text(c) for c in cells], type=pa.string())


def _columns(tree, rows):
    names, arrays = [], []
    for key, node in tree.items():
        cells = [None if r is None else r.get(key) for r in rows]
        if node["leaf"] or not node["children"]:
            array = _leaf(cells)
        else:
            inner = [c if isinstance(c, dict) else None for c in cells]
            child_names, child_arrays = _columns(node["children"], inner)
            mask = pa.array([c is None for c in inner], type=pa.bool_())
            array = pa.StructArray.from_arrays(child_arrays, names=child_names, mask=mask)
        names.append(key)
        arrays.append(array)
    return names, arrays


def read_jsonl(path):
    """The JSON Lines file's snapshots as one table (lines that are not a
    JSON object, such as blank or truncated ones, are left out)."""
    with open(path, encoding="utf-8") as f:
        return to_table([o for _, o in objects(f.read())])


def to_table(rows):
    """The snapshots (dicts) as one table of nested struct columns."""
    tree = {}
    for r in rows:
        _learn(tree, r)
    names, arrays = _columns(tree, rows)
    return pa.Table.from_arrays(arrays, names=names)
