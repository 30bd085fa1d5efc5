"""Type stubs of verdikt.jsonl."""

import os
from typing import Any, Mapping, Sequence, Union

import pyarrow

class JsonLinesError(ValueError):
    """Lines that are not JSON objects, as rejects: ``{"source", "line", "problems"}``."""

    source: str
    rejects: list[dict[str, Any]]

def objects(text: Union[str, bytes], skip_bad: bool = False) -> list[tuple[int, dict[str, Any]]]:
    """(line number from 1, dict) of every line; a bad line raises ``JsonLinesError``."""

def read_jsonl(path: Union[str, os.PathLike[str]], skip_bad: bool = False) -> pyarrow.Table:
    """A JSON Lines file's snapshots as one table of typed nested columns."""

def to_table(rows: Sequence[Mapping[str, Any]]) -> pyarrow.Table:
    """Snapshots (dicts, numbers as Decimal) as one table."""
