"""Type stubs of verdikt.jsonl."""

import os
from typing import Any, Mapping, Sequence, Union

import pyarrow

def objects(text: str) -> list[tuple[int, dict[str, Any]]]:
    """(line number from 1, dict) of every line that is a JSON object."""

def read_jsonl(path: Union[str, os.PathLike[str]]) -> pyarrow.Table:
    """A JSON Lines file's snapshots as one table of typed nested columns."""

def to_table(rows: Sequence[Mapping[str, Any]]) -> pyarrow.Table:
    """Snapshots (dicts, numbers as Decimal) as one table."""
