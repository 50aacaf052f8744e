"""The README's Python tour runs as written (from the repository root)."""
import os

import matplotlib
import pytest

from .conftest import REPO


@pytest.mark.slow
def test_python_api_tour_runs(monkeypatch):
    matplotlib.use("Agg")
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("### The Python API", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(REPO)
    namespace: dict = {}
    exec(compile(block, "README.md (The Python API)", "exec"), namespace)  # noqa: S102
    assert os.getcwd() == str(REPO)
    assert len(namespace["imp"].table) == 5 and namespace["sla"].table["n"].sum() > 0
