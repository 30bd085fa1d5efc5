"""Shared fixtures: a frozen copy of the reference policy and its examples,
and the verdikt CLI the Python results are compared with.

The engine's tests never read the repository's `rules/` (the example policy
project, which its authors change freely): `REFERENCE` holds `rules/` and
`examples/` as they were frozen for the engine's tests, so the CLI, the
README's examples and the tests all run from there."""

import os
import pathlib
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))

ROOT = pathlib.Path(__file__).resolve().parents[3]
REFERENCE = ROOT / "tests" / "fixtures" / "reference"


@pytest.fixture(scope="session")
def root():
    return REFERENCE


@pytest.fixture(scope="session")
def rules_dir():
    return REFERENCE / "rules"


@pytest.fixture(scope="session")
def cli():
    """Runs the verdikt CLI (VERDIKT_BIN, else target/debug/verdikt)."""
    binary = os.environ.get("VERDIKT_BIN", str(ROOT / "target" / "debug" / "verdikt"))
    if not os.path.exists(binary):
        pytest.fail(f"no verdikt CLI at {binary}: run `cargo build` or set VERDIKT_BIN")

    def run(*args, check=True):
        return subprocess.run(
            [binary, *map(str, args)], cwd=REFERENCE, check=check, capture_output=True, text=True
        )

    return run


def readme_python_blocks():
    """The ```python blocks of the README's "Python and Spark" section."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Python and Spark", 1)[1].split("\n## ", 1)[0]
    return [b.split("```", 1)[0] for b in section.split("```python\n")[1:]]


def run_readme_block(block):
    """Runs a README block as a reader would from the repository root, but in
    the frozen copy (which has the same `rules/` and `examples/`)."""
    here = os.getcwd()
    os.chdir(REFERENCE)
    try:
        exec(compile(block, "README.md", "exec"), {"__name__": "__readme__"})
    finally:
        os.chdir(here)
