"""Rules that keep the suite deterministic and fast (issue 10)."""
from __future__ import annotations

import os
import re

import pytest
from hypothesis import settings

from .conftest import REPO

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
