"""Spark local[2]: verdikt.spark.decide on 50,000 generated records (3% bad)
under three partitionings gives exactly the CLI's decisions and rejects
(`verdikt batch` on the same Parquet file)."""

import json

import pyarrow.parquet as pq
import pytest

from verdikt import jsonl as corpus
import verdikt
import verdikt.spark


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("verdikt-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def generated(tmp_path_factory, cli):
    """The corpus as Parquet, and the CLI's decisions and rejects for it."""
    d = tmp_path_factory.mktemp("spark")
    text = cli("gen", "--n", "50000", "--seed", "7", "--bad-percent", "3").stdout
    # (Lines that are not JSON objects, truncated or blank, cannot be rows.)
    rows = [o for _, o in corpus.objects(text, skip_bad=True)]
    pq.write_table(corpus.to_table(rows), d / "records.parquet", row_group_size=5000)
    # (It exits 1 because some records are rejected.)
    cli("batch", d / "records.parquet", "-o", d / "out.jsonl", "--rejects", d / "rejects.jsonl", check=False)
    decided = sorted((d / "out.jsonl").read_text().splitlines())
    rejects = sorted(
        (r.get("merchant_id") or "", r["problems"])
        for r in map(json.loads, (d / "rejects.jsonl").read_text().splitlines())
    )
    assert len(decided) + len(rejects) == len(rows)
    return d / "records.parquet", len(rows), decided, rejects


@pytest.mark.parametrize("shape", ["default", "repartition(7)", "coalesce(1)"])
def test_spark_decides_as_the_cli_whatever_the_partitioning(spark, generated, rules_dir, shape):
    path, n, want_decided, want_rejects = generated
    df = spark.read.parquet(str(path))
    if shape == "repartition(7)":
        df = df.repartition(7)
        assert df.rdd.getNumPartitions() == 7
    elif shape == "coalesce(1)":
        df = df.coalesce(1)
        assert df.rdd.getNumPartitions() == 1
    # The rules go as a directory, as texts and as a policy: all travel as text.
    rules = {
        "default": str(rules_dir),
        "repartition(7)": verdikt.Policy(rules_dir).files,
        "coalesce(1)": verdikt.Policy(rules_dir),
    }[shape]
    out = verdikt.spark.decide(df, rules, record_json=True)
    assert out.schema == verdikt.spark.schema(rules_dir, record_json=True)
    rows = out.select("merchant_id", "reject", "record").collect()
    assert len(rows) == n
    decided = sorted(r.record for r in rows if r.reject is None)
    rejects = sorted((r.merchant_id or "", list(r.reject)) for r in rows if r.reject is not None)
    assert len(want_rejects) > 500
    assert rejects == want_rejects
    assert decided == want_decided


def test_bad_rules_fail_on_the_driver(spark, rules_dir):
    df = spark.createDataFrame([("M1",)], "merchant_id string")
    with pytest.raises(verdikt.RulesError, match="broken.vk"):
        verdikt.spark.decide(df, {"broken.vk": "ruleset {"})


def test_the_readme_spark_example_runs(spark, capsys):
    from conftest import readme_python_blocks, run_readme_block

    blocks = readme_python_blocks()
    run_readme_block(next(b for b in blocks if "SparkSession" in b))
    out = capsys.readouterr().out
    assert "|merchant_id|" in out and "outcome" in out and "only showing top 5 rows" in out
