"""Every notebook runs with its defaults on data that is not the sample (issue 10).

The cases (``tests/conftest.py``: ``ANY_DATA_CASES``) are generated with seeds and run once
per session through the runner with a config that only says where the files are (what a
new user writes): another calendar (data ending 2025-12, 2026-06 and 2026-12), a short
history (18 months), one survey type only, no comments, no revenue or customers files, no
volume file, no tickets, segments with a single level and one with a level per answer (01
and 02 on 100,000 levels: tests/test_notebook_metrics_trends.py). Every notebook must
finish, take its report date from the data, and say which sections it skipped and why.
The notebook test files check their own figures on the same runs (same xdist group).
"""
from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from csat_toolkit.runner import notebook_parameters

from .conftest import ANY_DATA_CASES, NOTEBOOKS, any_data_group, read_headline

NOTEBOOK_NAMES = ["01_metrics", "02_trends", "03_drivers", "04_nps_revenue", "05_operations",
                  "06_comments"]


def _data_end(parameters: dict) -> pd.Timestamp:
    """The latest time of any input file, read independently of the toolkit."""
    columns = {"responses_path": ["responded_at"], "revenue_path": ["period"],
               "tickets_path": ["created_at", "first_response_at", "resolved_at"]}
    ends = []
    for key, names in columns.items():
        if parameters.get(key):
            frame = pd.read_csv(parameters[key], usecols=names)
            ends += [pd.Timestamp(frame[c].max()) for c in names]
    return max(ends)


@pytest.mark.slow
@pytest.mark.parametrize("name", [pytest.param(name, marks=pytest.mark.xdist_group(
    any_data_group(name))) for name in sorted(ANY_DATA_CASES)])
def test_every_notebook_runs_with_its_defaults(name, any_data_run):
    run = any_data_run(name)
    parameters, result = run.parameters, run.result
    status = {r.name: (r.status, r.error) for r in result.runs}
    assert sorted(status) == NOTEBOOK_NAMES
    failed = {k: v for k, v in status.items() if v[0] != "ok"}
    assert not failed, f"{name}: {failed}"
    _check_report_dates(name, parameters, result)
    _check_skipped_sections(name, parameters, result)
    if name == "responses_only_a_level_per_answer":
        _check_many_levels_are_bounded(parameters, result)


def _check_report_dates(name: str, parameters: dict, result) -> None:
    end = _data_end(parameters)
    for notebook in NOTEBOOK_NAMES:
        headline = read_headline(result.out / notebook)
        assert json.dumps(headline, allow_nan=False)  # strict JSON for dashboards
        # (05 without tickets takes its date from the answers it reads.)
        assert headline.get("as_of_source") == "data", (name, notebook)
        used = pd.Timestamp(headline["as_of"]).tz_localize(None)
        assert end - pd.Timedelta(days=62) <= used <= end + pd.Timedelta(days=31), \
            (name, notebook, used, end)  # the end of the data, not the sample's calendar


def _check_skipped_sections(name: str, parameters: dict, result) -> None:
    skipped = {nb: " ".join(read_headline(result.out / nb).get("skipped", []))
               for nb in NOTEBOOK_NAMES}
    if not parameters["revenue_path"]:
        assert "revenue" in skipped["04_nps_revenue"].lower(), skipped["04_nps_revenue"]
    if not parameters["tickets_path"]:
        assert "ticket" in skipped["05_operations"].lower(), skipped["05_operations"]
        assert "ticket" in skipped["03_drivers"].lower(), skipped["03_drivers"]
    elif not parameters["volume_path"]:
        assert "volume" in skipped["05_operations"].lower(), skipped["05_operations"]
    if "comment" not in pd.read_csv(parameters["responses_path"], nrows=0).columns:
        # no comment column: every comment section and the topics as drivers say why
        assert skipped["06_comments"].lower().count("no comments") >= 5, skipped["06_comments"]
        assert "comment" in skipped["03_drivers"].lower(), skipped["03_drivers"]
    if name == "csat_only_one_level":
        metrics = read_headline(result.out / "01_metrics")
        assert {k["metric"] for k in metrics["kpis"]} == {"csat"}
        assert "channel" in skipped["01_metrics"]  # one level: nothing to compare


def _check_many_levels_are_bounded(parameters: dict, result) -> None:
    answers = pd.read_csv(parameters["responses_path"], usecols=["survey", "channel"])
    csat_levels = answers.loc[answers["survey"] == "csat", "channel"].nunique()
    html = (result.out / "01_metrics.html").read_text(encoding="utf-8")
    assert f"{csat_levels - 20:,} more levels not shown" in html  # 20 levels drawn
    segments = pd.read_csv(result.out / "01_metrics" / "segments.csv",
                           usecols=["metric", "segment", "level"])
    channel = segments[segments["segment"] == "channel"]
    assert channel["level"].nunique() == answers["channel"].nunique()  # none lost
    capped = read_headline(result.out / "01_metrics")["segments"]["csat"]["channel"]
    assert capped["levels_total"] == csat_levels > 1000
    assert len(capped["levels"]) == 1000 and capped["levels_omitted"] == csat_levels - 1000


@pytest.mark.slow
@pytest.mark.xdist_group(any_data_group("later_short_history"))
@pytest.mark.parametrize("notebook", NOTEBOOK_NAMES)
def test_in_process_runs_write_the_kernels_headline(notebook, any_data_run, page_run):
    # The notebook tests with other parameters run the notebook's cells in the test process
    # (conftest.page_run). That stands for a kernel run only if it writes the same
    # headline.json: checked here on every notebook, on data with every file.
    case = any_data_run("later_short_history")
    declared = notebook_parameters(NOTEBOOKS / f"{notebook}.ipynb")
    run = page_run(notebook, **{k: v for k, v in case.parameters.items() if k in declared})
    assert _same(run.headline, case.headline(notebook))  # (and no warning: page_run)


def _same(a, b, where="headline") -> bool:
    """Equal JSON values; floats to 1e-9 relative (two processes' BLAS calls may round the
    last bit differently)."""
    if isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, (int, float)) and isinstance(b, (int, float)), where
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), (where, a, b)
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), (where, list(a), b)
        for key in a:
            _same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), (where, a, b)
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b, (where, a, b)
    return True
