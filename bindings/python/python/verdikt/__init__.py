"""verdikt: a rules engine for merchant credit-quota eligibility decisions.

>>> import verdikt
>>> policy = verdikt.Policy("rules")                    # doctest: +SKIP
>>> policy.decide({"merchant_id": "M1", ...})           # doctest: +SKIP

``Policy`` checks rule files (``verdikt.RulesError`` carries every diagnostic),
decides one snapshot (``decide``, ``explain``) or Arrow data from pyarrow,
polars or DuckDB (``decide_arrow``). ``verdikt.spark.decide`` runs a policy
inside a Spark job.
"""

from verdikt._native import ColumnError, Policy, RecordError, RulesError

__all__ = ["ColumnError", "Policy", "RecordError", "RulesError"]


def _policy_from_files(files):
    """Rebuilds a pickled ``Policy`` from its rule texts."""
    return Policy.from_files(files)
