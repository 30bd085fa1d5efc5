#!/usr/bin/env bash
# The Python and Spark tests, from a fresh machine: a virtualenv in .venv at
# the repository root (kept between runs; VERDIKT_VENV to move it) with
# maturin, pyarrow, pyspark, pandas<3, polars, duckdb, pytest and hypothesis; builds and
# installs the package with maturin (through pip) and runs pytest, Spark's
# local[2] test included. scripts/test-all calls this.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v java >/dev/null 2>&1; then
    echo "error: the Spark tests need Java (17 or newer) on PATH, and there is none." >&2
    echo "       Install it (Debian: apt-get install openjdk-17-jre-headless) and run again." >&2
    exit 1
fi
python=${PYTHON:-python3}
if ! "$python" -c 'import sys, venv; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
    echo "error: the Python tests need Python 3.9 or newer with venv ($python)." >&2
    exit 1
fi

venv=${VERDIKT_VENV:-$PWD/.venv}
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "maturin>=1.7,<2" "pyarrow>=15" "pyspark>=4,<5" "pandas<3" pytest polars duckdb hypothesis

# The CLI the tests compare with, and the package: built by maturin through
# pip like `pip install ./bindings/python`, but unoptimized (the dev profile,
# as `cargo test` builds) to keep CI's cold build short; the workspace's
# target dir keeps it incremental. VERDIKT_PROFILE=release for figures.
# Warnings are errors, so the library stays warning-free with the binding's
# features (`arrow` without `parquet`), which clippy at the root does not build.
cargo build --quiet
export PATH="$venv/bin:$PATH"
RUSTFLAGS="${RUSTFLAGS:-} -D warnings" MATURIN_PEP517_ARGS="--profile ${VERDIKT_PROFILE:-dev}" \
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-build-isolation --no-deps --force-reinstall ./bindings/python

# (The CLI cargo built just now: in CARGO_TARGET_DIR when that is set.)
export VERDIKT_BIN="${VERDIKT_BIN:-$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug/verdikt}"
# Spark: workers run the venv's python (which has verdikt), on loopback.
export PYSPARK_PYTHON="$venv/bin/python" PYSPARK_DRIVER_PYTHON="$venv/bin/python"
export SPARK_LOCAL_IP=127.0.0.1
"$venv/bin/python" -m pytest bindings/python/tests -q -p no:cacheprovider "$@"
