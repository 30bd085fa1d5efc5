"""Type stubs of verdikt's native module, re-exported by the package."""

from os import PathLike
from typing import Any, Literal, Mapping, Union

import pyarrow

class RulesError(ValueError):
    """The rule files have errors; ``str(e)`` is every diagnostic, rendered
    with file, line, column and caret."""

class RecordError(ValueError):
    """A snapshot cannot be decided."""

    problems: list[str]
    """Every problem, as the rejects file words it."""
    merchant_id: str | None
    """The merchant, when the snapshot names one."""

class ColumnError(ValueError):
    """An Arrow column verdikt cannot read exactly (a float for a decimal
    field, ...); the message names the column and the cast to use."""

class InternalError(RuntimeError):
    """A bug in verdikt (a Rust panic) caught before it reached Python."""

class Policy:
    """A checked, compiled policy; pickles as its rule texts."""

    def __init__(self, rules: Union[str, PathLike[str]]) -> None:
        """Reads and checks every ``*.vk`` file of the directory ``rules``.

        Raises ``RulesError`` when the rules have errors, ``OSError`` when a
        file cannot be read."""
    @staticmethod
    def from_files(files: Mapping[str, Union[str, bytes]]) -> Policy:
        """Checks rule files given as ``{name: text}``."""
    @property
    def version(self) -> str:
        """Hash of the rule files: every decision's ``ruleset_version``."""
    @property
    def rulesets(self) -> list[str]:
        """The rulesets' names, in evaluation order."""
    @property
    def warnings(self) -> str:
        """The checker's warnings, rendered (empty when there are none)."""
    @property
    def files(self) -> dict[str, Union[str, bytes]]:
        """The rule files' texts (what pickling carries)."""
    def decide(self, snapshot: Mapping[str, Any]) -> dict[str, Any]:
        """Decides one snapshot; returns the CLI's decision record.

        Values are read by value (an ``int`` or ``Decimal`` subclass's
        ``__str__`` is never called), from a copy of the mapping. Numbers
        must be ``int``, ``decimal.Decimal`` or ``str``: a ``float`` raises
        ``TypeError``. Dates may be ``datetime.date`` or ISO text. Raises
        ``RecordError`` when the snapshot cannot be decided."""
    def decide_jsonl(
        self, source: Union[str, PathLike[str], bytes]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Decides a JSON Lines file (or ``bytes``) as ``verdikt batch``
        does: ``(decisions, rejects)``, the batch's output and rejects
        lines, with its framing, line numbers and problems."""
    def explain(
        self, snapshot: Mapping[str, Any], view: Literal["merchant", "author"] = "merchant"
    ) -> str:
        """Decides one snapshot and explains it: for the merchant (`verdikt eval --explain`)
        or for the author (`verdikt eval --trace`, with rule names and every condition tried)."""
    def decide_arrow(self, data: Any, record_json: bool = False) -> pyarrow.Table:
        """Decides every row of Arrow data (``__arrow_c_stream__`` or
        ``__arrow_c_array__``: pyarrow, polars, DuckDB), GIL released.

        Every batch is validated on import: arrays that do not fit the
        schema raise ``ValueError`` naming the batch. Raises
        ``ColumnError`` for a column verdikt cannot read exactly."""
    def arrow_schema(self, record_json: bool = False) -> pyarrow.Schema:
        """The schema of ``decide_arrow``'s output."""
