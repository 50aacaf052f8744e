"""Rules that keep the suite deterministic and fast (issue 10)."""
from __future__ import annotations

import os
import re

import pytest
from hypothesis import settings

from .conftest import REPO, run_in_process

TEST_FILES = [p for p in (REPO / "tests").glob("test_*.py") if p.name != "test_suite_rules.py"]


@pytest.mark.skipif(os.environ.get("HYPOTHESIS_PROFILE", "ci") != "ci",
                    reason="exploring with another hypothesis profile")
def test_property_tests_are_derandomized():
    assert settings.default.derandomize is True
    assert settings.default.database is None
    assert settings.default.deadline is None


def test_no_test_file_sets_its_own_randomness():
    # One profile in conftest.py decides; a per-file copy drifted before (two files were
    # random, so the same commit passed on one machine and failed on another).
    offenders = [path.name for path in TEST_FILES
                 if re.search(r"derandomize\s*=|database\s*=|register_profile",
                              path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_notebook_runs_go_through_the_shared_fixtures():
    # Each notebook configuration runs once per session (conftest.notebook_run /
    # reports_run); a test calling papermill itself would run it again.
    offenders = [path.name for path in TEST_FILES
                 if "execute_notebook(" in path.read_text(encoding="utf-8")]
    assert offenders == []


@pytest.mark.xdist_group("suite-rules")
def test_xdist_groups_take_effect(request):
    # Tests of one notebook configuration share a worker only if pytest-xdist can mark
    # their ids with the group; pytest 9.2 silently stopped that (pytest-xdist issue 1386).
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not running under pytest-xdist with --dist loadgroup")
    assert request.node.nodeid.endswith("@suite-rules")


def _tiny_notebook(folder, code):
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('output_dir = "out"  # str: output folder\nlevel = 1  # int: x',
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(code)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, folder / "tiny.ipynb")


def test_in_process_runs_inject_the_parameters_and_fail_on_warnings(tmp_path):
    # conftest.page_run stands for a kernel run of a notebook with other parameters: the
    # parameters are injected after the parameters cell, magics are left out, the cwd is
    # the notebook's folder, and a warning or stderr output fails the run as it would show
    # in the report.
    _tiny_notebook(tmp_path, "%matplotlib inline\nimport os\nseen = (level, os.getcwd())")
    run = run_in_process("tiny", {"level": 3}, tmp_path / "out", tmp_path)
    assert run.namespace["seen"] == (3, str(tmp_path)) and run.namespace["output_dir"] == str(
        tmp_path / "out")
    _tiny_notebook(tmp_path, "import warnings\nwarnings.warn('careful', FutureWarning)")
    with pytest.raises(AssertionError, match="FutureWarning: careful"):
        run_in_process("tiny", {}, tmp_path / "out", tmp_path)
    _tiny_notebook(tmp_path, "import sys\nprint('oops', file=sys.stderr)")
    with pytest.raises(AssertionError, match="oops"):
        run_in_process("tiny", {}, tmp_path / "out", tmp_path)
