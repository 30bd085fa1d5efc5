"""verdikt inside a Spark job: ``decide(df, rules)`` runs ``mapInArrow``.

The rule files travel with the job as text (no shared filesystem); each
Python worker process compiles the policy once and keeps it, keyed by its
version hash. The output schema is declared up front from the policy, and a
row that cannot be decided comes back with its ``reject`` column set, so no
row is lost.
"""

from __future__ import annotations

import os
from typing import Callable, Dict, Iterator, Mapping, Union

import pyarrow

import verdikt

Rules = Union[str, "os.PathLike[str]", verdikt.Policy, Mapping[str, Union[str, bytes]]]

# Compiled policies of this worker process, by version hash.
_POLICIES: Dict[str, verdikt.Policy] = {}


def _policy(files: Mapping[str, Union[str, bytes]], version: str) -> verdikt.Policy:
    """The policy of ``version``, compiled once per process."""
    policy = _POLICIES.get(version)
    if policy is None:
        policy = verdikt.Policy.from_files(files)
        if policy.version != version:
            raise RuntimeError(
                f"rule files compiled to version {policy.version}, expected {version}"
            )
        _POLICIES[version] = policy
    return policy


def _decider(
    files: Mapping[str, Union[str, bytes]], version: str, record_json: bool
) -> Callable[[Iterator[pyarrow.RecordBatch]], Iterator[pyarrow.RecordBatch]]:
    """The function ``mapInArrow`` runs on each partition."""

    def decide_partition(batches: Iterator[pyarrow.RecordBatch]) -> Iterator[pyarrow.RecordBatch]:
        policy = _policy(files, version)
        for batch in batches:
            yield from policy.decide_arrow(batch, record_json).to_batches()

    return decide_partition


def as_policy(rules: Rules) -> verdikt.Policy:
    """A policy from a rule directory, a ``{name: text}`` mapping or a policy."""
    if isinstance(rules, verdikt.Policy):
        return rules
    if isinstance(rules, Mapping):
        return verdikt.Policy.from_files(dict(rules))
    return verdikt.Policy(os.fspath(rules))


def schema(rules: Rules, record_json: bool = False):
    """The Spark schema of ``decide``'s output (a ``StructType``)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(as_policy(rules).arrow_schema(record_json))


def decide(df, rules: Rules, record_json: bool = False):
    """Decides every row of a Spark DataFrame; returns a DataFrame with one
    row per input row: ``merchant_id``, ``ruleset_version``, one struct per
    ruleset, ``reject`` (null when decided) and, with ``record_json=True``,
    ``record`` (the CLI's JSON line).

    ``rules`` is a rule directory on the driver, a ``{name: text}`` mapping
    or a ``verdikt.Policy``; it is checked on the driver (``RulesError``
    there, not in a task) and its texts ship with the job.
    """
    policy = as_policy(rules)
    from pyspark.sql.pandas.types import from_arrow_schema

    out = from_arrow_schema(policy.arrow_schema(record_json))
    return df.mapInArrow(_decider(policy.files, policy.version, record_json), out)
