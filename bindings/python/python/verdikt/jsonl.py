"""JSON Lines snapshots as an Arrow table, the way a team's Parquet table
would hold them: nested structs, each leaf typed by its values (all numbers:
a decimal with the largest scale; all booleans: bool; all ISO dates: date32;
anything else: the text as written). Numbers are read as ``Decimal``, never
through float, so ``decide_arrow`` on the table gives the decisions of
``verdikt batch`` on the lines.

Lines are framed by verdikt's own reader, as ``verdikt batch`` frames them:
split at ``\n`` only (a U+2028 or a form feed inside a string is text), a
``\r`` before it dropped, numbered from 1. No line is lost: a line that is
not a JSON object (blank, truncated, invalid UTF-8, a key given twice, a
NaN) raises ``JsonLinesError`` naming every such line, unless the caller
asks for ``skip_bad=True``. ``Policy.decide_jsonl`` decides a file with the
batch's rejects instead.

>>> import pyarrow.parquet as pq, verdikt.jsonl
>>> pq.write_table(verdikt.jsonl.read_jsonl("examples/merchants.jsonl"), "m.parquet")  # doctest: +SKIP
"""

import datetime
import json
import os
from decimal import Decimal

import pyarrow as pa

from verdikt import _native


class JsonLinesError(ValueError):
    """Lines of a JSON Lines input that are not JSON objects. ``rejects``
    lists them as the rejects file of ``verdikt batch`` would: one dict per
    line, ``{"source", "line", "problems"}``."""

    def __init__(self, source, rejects):
        self.source = source
        self.rejects = rejects
        shown = "; ".join(
            f"line {r['line']}: {'; '.join(r['problems'])}" for r in rejects[:5]
        )
        more = f" (and {len(rejects) - 5} more)" if len(rejects) > 5 else ""
        super().__init__(
            f"{source}: {len(rejects)} line(s) are not JSON objects: {shown}{more} "
            "(skip_bad=True leaves them out; Policy.decide_jsonl rejects them as verdikt batch does)"
        )


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"`{key}` appears twice (duplicate key)")
        seen[key] = value
    return seen


def _no_constant(name):
    raise ValueError(f"`{name}` is not a JSON number")


def _parse(text):
    """The dict of one line's text, or the problem."""
    try:
        value = json.loads(
            text,
            parse_float=Decimal,
            parse_int=Decimal,
            parse_constant=_no_constant,
            object_pairs_hook=_no_duplicates,
        )
    except RecursionError:
        return None, "nested too deeply"
    except ValueError as e:
        return None, f"invalid JSON: {e}"
    if not isinstance(value, dict):
        return None, f"expected a JSON object, found {type(value).__name__}"
    return value, None


def _read(lines, source, skip_bad):
    good, bad = [], []
    for number, text, problem in lines:
        if text is not None:
            value, problem = _parse(text)
            if problem is None:
                good.append((number, value))
                continue
        bad.append({"source": source, "line": number, "problems": [problem]})
    if bad and not skip_bad:
        raise JsonLinesError(source, bad)
    return good


def objects(text, skip_bad=False):
    """(line number from 1, dict) of every line of JSON Lines text (``str``
    or ``bytes``). A line that is not a JSON object raises
    ``JsonLinesError``; with ``skip_bad=True`` it is left out."""
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    return _read(_native.jsonl_lines(data), "-", skip_bad)


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
    return json.dumps(v, default=_exact)


def _exact(v):
    """A Decimal inside a list or object, as its exact text."""
    if isinstance(v, Decimal):
        return str(v)
    raise TypeError(f"{type(v).__name__} is not JSON")


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


def read_jsonl(path, skip_bad=False):
    """The JSON Lines file's snapshots as one table, one row per line. A
    line that is not a JSON object raises ``JsonLinesError`` naming every
    such line; with ``skip_bad=True`` those lines are left out."""
    path = os.fspath(path)
    rows = _read(_native.jsonl_lines(path), path, skip_bad)
    return to_table([o for _, o in rows])


def to_table(rows):
    """The snapshots (dicts) as one table of nested struct columns."""
    tree = {}
    for r in rows:
        _learn(tree, r)
    names, arrays = _columns(tree, rows)
    return pa.Table.from_arrays(arrays, names=names)
