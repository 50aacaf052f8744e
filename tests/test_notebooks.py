"""Notebooks: committed clean, documented parameters, runs with non-default parameters.

The defaults run in a kernel through the session fixture ``notebook_run`` (conftest.py):
one execution shared by every test of it (``xdist_group`` keeps them on one worker). Other
parameters run the notebook's cells in the test process (``page_run``: the same builder
calls, the same headline.json, no kernel).
"""
from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest
import statsmodels.formula.api as smf

import csat_toolkit as ct
from csat_toolkit.runner import discover_notebooks, notebook_parameters

from .conftest import NOTEBOOKS, SAMPLE, SAMPLE_RUN, read_headline

ALL = discover_notebooks(NOTEBOOKS)


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(not c.outputs for c in code), "strip outputs before committing"
    assert all(c.execution_count is None for c in code), "strip execution counts"
    assert notebook.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_structure(path):
    notebook = nbformat.read(path, as_version=4)
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("# ")
    # The parameter cells follow the title: 'defaults' cells, then the 'parameters' cell
    # papermill injects after, each at most 15 lines.
    tags = [c.metadata.get("tags", []) for c in notebook.cells]
    last = next(i for i, t in enumerate(tags) if "parameters" in t)
    assert all(tags[i] == ["defaults"] for i in range(1, last)) and last >= 1
    params = notebook_parameters(path)
    assert "output_dir" in params and "as_of" in params
    assert all(info["comment"] for info in params.values()), "every parameter needs a comment"
    # papermill cannot parse (and warns about) a parameter line with a second "=".
    source = [line for cell in notebook.cells[1:last + 1] for line in cell.source.splitlines()]
    assert not [line for line in source if line.count("=") > 1]
    # (Object reprs with memory addresses are checked in the executed HTML: test_runner.)


def documented_parameters(notebook: str) -> set[str]:
    text = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    section = text.split(f"## {notebook}", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(\w+)` \|", section, flags=re.M))


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_parameters_are_the_documented_ones(path):
    # papermill only warns about a misspelt -p name, so the names are checked here.
    assert set(notebook_parameters(path)) == documented_parameters(path.stem)


def test_metrics_notebook_with_other_parameters(page_run):
    params = {
        "conf_level": 0.9, "min_n": 100, "start": "2024-01-01", "end": "2024-06-30",
        "segments": ["channel"], "thresholds": {"csat": {"positive_min": 5}},
        "benchmarks": {"nps": "nps_target_30_50"}, "title": "Half-year check",
    }
    run = page_run("01_metrics", **params)
    out, headline = run.out, run.headline
    assert headline["title"] == "Half-year check"
    cards = {k["metric"]: k for k in headline["kpis"]}
    # The same figure straight from the package, with the same options.
    data = ct.load_responses(SAMPLE / "responses.csv", start="2024-01-01", end="2024-06-30").data
    scale = ct.get_scale("csat_5").with_thresholds(positive_min=5)
    expected = ct.csat(data, scale=scale, conf=0.9, min_n=100).iloc[0]
    assert cards["csat"]["n"] == expected["n"]
    assert cards["csat"]["value"] == pytest.approx(expected["estimate"])
    assert cards["csat"]["ci_low"] == pytest.approx(expected["ci_low"])
    assert cards["csat"]["conf"] == 0.9
    top_box = (data.loc[data["survey"] == "csat", "score"] == 5).mean() * 100
    assert cards["csat"]["value"] == pytest.approx(top_box)
    assert any("usual NPS target range" in f for f in headline["findings"])
    assert not any("excellent CSAT" in f for f in headline["findings"])  # benchmark not chosen
    followup = pd.read_csv(out / "followup.csv", encoding="utf-8-sig")
    assert followup["responded_at"].between("2024-01-01", "2024-07-01").all()


@pytest.mark.slow
@pytest.mark.xdist_group(SAMPLE_RUN)
def test_trends_notebook_finds_the_incident_and_the_season(notebook_run):
    # The sample's built-in effects (data/sample/README.md): the 2024-03 incident and the
    # November-December low. The report must show both, and the example goal's status.
    headline = read_headline(notebook_run("02_trends"))
    assert "2024-03" in headline["significant_changes"]
    assert "2024-03" in headline["out_of_control"]
    assert {"Nov", "Dec"} <= set(headline["seasonal_low"])
    assert headline["goal_status"] in {"on track", "at risk", "off track"}
    assert 0 <= headline["goal_probability"] <= 1
    assert any("2024-03" in f and "below" in f for f in headline["findings"])


def test_trends_notebook_with_other_parameters(page_run):
    params = {"metric": "nps", "period": "Q", "window": 2, "goal": {"target": 20, "by": "2025Q2"},
              "segments": ["region"], "conf_level": 0.9}
    run = page_run("02_trends", **params)
    headline = run.headline
    assert headline["metric"] == "nps" and headline["period"] == "Q"
    data = ct.load_responses(SAMPLE / "responses.csv").data
    series = ct.trends.period_series(data, "nps", period="Q", window=2, conf=0.9)
    last = series[series["n"] > 0].iloc[-1]
    card = headline["kpis"][0]
    assert card["value"] == pytest.approx(last["estimate"]) and card["conf"] == 0.9
    assert headline["goal_status"] in {"on track", "at risk", "off track"}


@pytest.mark.slow
@pytest.mark.xdist_group(SAMPLE_RUN)
def test_drivers_notebook_names_the_true_drivers(notebook_run):
    # The sample's built-in CSAT drivers (data/sample/README.md, effect 3): first response
    # time (logit -0.5/-1.0/-1.7 by bucket), contacts, reopened, channel, Agents 07/18; the
    # priority has no effect of its own. The report must rank them and flag no noise.
    out = notebook_run("03_drivers")
    headline = read_headline(out)
    drivers = {d["driver"]: d for d in headline["drivers"]}
    assert headline["drivers"][0]["driver"] == "first_response_hours"
    for name in ("first_response_hours", "contacts", "channel", "agent", "reopened"):
        assert drivers[name]["significant"], name
        assert drivers[name]["lmg_ci_low"] > 0
    assert not drivers["priority"]["significant"]
    assert headline["priorities"][0] == {"driver": "first_response_hours", "quadrant": "fix first",
                                         "priority": 1}
    frt = {b["bucket"]: b for b in headline["speed"]["first_response_hours"]}
    assert frt["under 1 h"]["estimate"] > frt["1-4 h"]["estimate"] > frt["4-24 h"]["estimate"] \
        > frt["over 24 h"]["estimate"]
    ranked = headline["agents_ranked"]["agent"]
    assert ranked[0] == "Agent 07" and ranked[-1] == "Agent 18" and "Agent 25" not in ranked
    assert any(f.startswith("Fix first: first response time") for f in headline["findings"])
    assert headline["kpis"][0]["value"] == pytest.approx(74.10087, abs=1e-4)


def test_drivers_notebook_with_other_parameters(page_run):
    params = {"outcome": "score", "model": "ols", "drivers": ["first_response_hours", "contacts",
                                                               "channel"],
              "bucket_drivers": [], "speed_columns": ["first_response_hours"], "performance": {},
              "agent_column": None, "team_column": None, "n_boot": 150, "conf_level": 0.9}
    run = page_run("03_drivers", **params)
    headline = run.headline
    # The R² of the decomposition is the OLS R² of the same model, fitted directly.
    answers = ct.metrics.select_survey(ct.load_responses(SAMPLE / "responses.csv").data, "csat")
    tickets = ct.tables.load_tickets(SAMPLE / "tickets.csv").data
    joined = ct.tables.add_durations(ct.tables.join_answers(answers, tickets).matched,
                                     {"frt": ["created_at", "first_response_at"]})
    fit = smf.ols("score ~ frt + contacts + C(channel)", data=joined).fit()
    assert headline["r2"] == pytest.approx(fit.rsquared, rel=1e-9)
    assert headline["outcome"] == "score" and headline["agents_ranked"] == {}
    assert sum(d["lmg_share"] for d in headline["drivers"]) == pytest.approx(100)
    assert any("No performance measure" in f for f in headline["findings"])
