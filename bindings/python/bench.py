"""Figures for the README's "Python and Spark" section (one run each).

    .venv/bin/python bindings/python/bench.py arrow --n 1000000
    .venv/bin/python bindings/python/bench.py spark --n 1000000

`arrow`: Policy.decide_arrow on an in-memory pyarrow Table (whole policy,
reasons included), one thread, rows/s. `spark`: in local[2], verdikt's
mapInArrow stage against a pure-Python row UDF doing the limit_adjustment
ruleset's logic (Decimal arithmetic), both reading the same Parquet file and
written to Spark's `noop` sink; the UDF's outcomes are checked against
verdikt's on the decided rows.
"""

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bindings" / "python" / "tests"))

import corpus  # noqa: E402
import verdikt  # noqa: E402


def table(n):
    """`verdikt gen --n N --seed 7` as a table (built from 100,000 records
    repeated, to keep the Python conversion short)."""
    binary = os.environ.get("VERDIKT_BIN", str(ROOT / "target" / "debug" / "verdikt"))
    base = min(n, 100_000)
    text = subprocess.run(
        [binary, "gen", "--n", str(base), "--seed", "7"], check=True, capture_output=True, text=True
    ).stdout
    t = corpus.to_table([o for _, o in corpus.objects(text)])
    parts = [t] * (n // base) + ([t.slice(0, n % base)] if n % base else [])
    return pa.concat_tables(parts).combine_chunks()


def bench_arrow(n):
    policy = verdikt.Policy(ROOT / "rules")
    t = table(n)
    best = None
    for _ in range(3):
        start = time.perf_counter()
        out = policy.decide_arrow(t)
        took = time.perf_counter() - start
        best = took if best is None else min(best, took)
    assert out.num_rows == n
    print(f"decide_arrow: {n} rows, best of 3 {best:.3f} s, {n / best:,.0f} rows/s")


# The limit_adjustment ruleset (rules/10-limit_adjustment.vk) by hand.
def _floor_to(x, step):
    return (x / step).to_integral_value(ROUND_FLOOR) * step


def _ceil_to(x, step):
    return (x / step).to_integral_value(ROUND_CEILING) * step


def _num(x):
    return None if x is None else Decimal(str(x))


def limit_adjustment(r):
    """(outcome, new_limit) of one row."""
    q, store, sales, ful = r["quota"], r["store"], r["sales"], r["fulfillment"]
    if q["status"] != "active":
        return ("not_applicable", None)
    limit, used, gmv = _num(q["limit"]), _num(q["used"]), _num(sales["gmv_90d"])
    candidate = min(_floor_to(limit * Decimal("1.3"), 100), _floor_to(gmv * Decimal("0.5"), 100), Decimal(500000))
    overdue, severe = _num(q["overdue_count_12m"]), _num(r["violations"]["severe_12m"])
    if severe >= 1 or overdue >= 3:
        return ("freeze", limit)
    rating, on_time = _num(store["rating"]), _num(ful["on_time_ship_rate"])
    score = _num(r["alipay"]["credit_score"])
    if rating < Decimal("4.5") or on_time < Decimal("0.9") or score < 600 or overdue >= 1 or _num(r["violations"]["open"]) >= 1:
        return ("decrease", min(limit, max(_floor_to(limit * Decimal("0.7"), 100), _ceil_to(used, 100))))
    last = q["last_adjusted_on"]
    if (
        rating >= Decimal("4.8")
        and on_time >= Decimal("0.98")
        and _num(ful["positive_review_rate"]) >= Decimal("0.95")
        and score >= 700
        and gmv >= 100000
        and _num(store["months_active"]) >= 6
        and (last is None or (r["as_of"] - last).days >= 90)
        and candidate > limit
    ):
        return ("increase", candidate)
    return ("hold", limit)


def bench_spark(n):
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql.types import DecimalType, StringType, StructField, StructType

    import verdikt.spark

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "records.parquet")
        pq.write_table(table(n), path, row_group_size=100_000)
        df = spark.read.parquet(path).repartition(2).cache()
        df.count()

        def run(name, frame):
            start = time.perf_counter()
            frame.write.format("noop").mode("overwrite").save()
            took = time.perf_counter() - start
            print(f"{name}: {n} rows in {took:.2f} s, {n / took:,.0f} rows/s")
            return took

        # Warm both paths (worker start, imports) on a slice first.
        verdikt.spark.decide(df.limit(1000), ROOT / "rules").write.format("noop").mode("overwrite").save()
        out_type = StructType([StructField("outcome", StringType()), StructField("new_limit", DecimalType(38, 2))])
        udf = F.udf(limit_adjustment, out_type)
        row = F.struct(*[F.col(c) for c in df.columns])
        df.limit(1000).select(udf(row).alias("la")).write.format("noop").mode("overwrite").save()

        ours = run("verdikt mapInArrow (whole policy)", verdikt.spark.decide(df, ROOT / "rules"))
        theirs = run("pure-Python UDF (limit_adjustment only)", df.select(udf(row).alias("la")))
        print(f"speed-up: {theirs / ours:.1f}x")

        # The hand-written logic agrees with verdikt on every row.
        sample = df.limit(20000)
        a = verdikt.spark.decide(sample, ROOT / "rules").select("merchant_id", "limit_adjustment.outcome")
        b = sample.select("merchant_id", udf(row).alias("la")).select("merchant_id", "la.outcome")
        assert a.exceptAll(b).count() == 0 and b.exceptAll(a).count() == 0
    spark.stop()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["arrow", "spark"])
    p.add_argument("--n", type=int, default=1_000_000)
    a = p.parse_args()
    bench_arrow(a.n) if a.what == "arrow" else bench_spark(a.n)
