"""Type stubs of verdikt.spark."""

import os
from typing import Mapping, Union

import verdikt

Rules = Union[str, os.PathLike[str], verdikt.Policy, Mapping[str, Union[str, bytes]]]

def as_policy(rules: Rules) -> verdikt.Policy:
    """A policy from a rule directory, a ``{name: text}`` mapping or a policy."""

def schema(rules: Rules, record_json: bool = False) -> "pyspark.sql.types.StructType":  # noqa: F821
    """The Spark schema of ``decide``'s output."""

def decide(
    df: "pyspark.sql.DataFrame", rules: Rules, record_json: bool = False  # noqa: F821
) -> "pyspark.sql.DataFrame":  # noqa: F821
    """Decides every row of a Spark DataFrame with ``mapInArrow``."""
