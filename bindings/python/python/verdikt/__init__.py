"""verdikt: a rules engine for merchant credit-quota eligibility decisions.

>>> import verdikt
>>> policy = verdikt.Policy("rules")                    # doctest: +SKIP
>>> policy.decide({"merchant_id": "M1", ...})           # doctest: +SKIP

``Policy`` checks rule files (``verdikt.RulesError`` carries every diagnostic),
decides one snapshot (``decide``, ``explain``), a JSON Lines file as
``verdikt batch`` does (``decide_jsonl``) or Arrow data from pyarrow, polars
or DuckDB (``decide_arrow``). A bug inside verdikt raises
``verdikt.InternalError`` (an ``Exception``), never a Rust panic. ``verdikt.spark.decide`` runs a policy
inside a Spark job.
"""

from verdikt._native import ColumnError, InternalError, Policy, RecordError, RulesError

__all__ = ["ColumnError", "InternalError", "Policy", "RecordError", "RulesError"]


def _policy_from_files(files):
    """Rebuilds a pickled ``Policy`` from its rule texts."""
    return Policy.from_files(files)
