"""The README's Python examples run (the Spark one runs in test_spark.py)."""

from conftest import readme_python_blocks, run_readme_block


def test_the_readme_python_examples_run(capsys):
    blocks = [b for b in readme_python_blocks() if "SparkSession" not in b]
    assert len(blocks) == 3
    for block in blocks:
        run_readme_block(block)
    out = capsys.readouterr().out
    assert "['limit_adjustment', 'exit_request', 'reapply']" in out
    assert "bad.vk:2:3" in out
    assert "0 rejected" in out
    assert "('increase'," in out
