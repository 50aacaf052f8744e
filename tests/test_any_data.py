"""Every notebook runs with its defaults on data that is not the sample (issue 10).

Each case is generated here with a seed and run through the runner with a config that only
says where the files are (what a new user writes): another calendar (data ending 2025-12
and 2026-12), a short history (18 months), one survey type only, no comments, no revenue or
customers or volume files, no tickets, a segment with a single level and one with a level
per answer (01 and 02 on 100,000 levels: tests/test_notebook_metrics_trends.py). Every notebook must finish, take its report date from the data, and say which
sections it skipped and why.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from csat_toolkit.sample import make_sample
from csat_toolkit.runner import run_reports

from .conftest import read_headline

NOTEBOOK_NAMES = ["01_metrics", "02_trends", "03_drivers", "04_nps_revenue", "05_operations"]


def _write(frames: dict[str, pd.DataFrame], folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in frames.items():
        paths[name] = str(folder / f"{name}.csv")
        frame.to_csv(paths[name], index=False, date_format="%Y-%m-%d %H:%M:%S")
    return paths


def later_short_history(folder: Path) -> dict:
    """All five files, 18 months from 2024-07: the data end in 2025-12."""
    paths = _write(make_sample(seed=11, n_customers=300, start="2024-07", months=18),
                   folder)
    return {"responses_path": paths["responses"], "tickets_path": paths["tickets"],
            "revenue_path": paths["revenue"], "customers_path": paths["customers"],
            "volume_path": paths["volume"]}


def csat_only_one_level(folder: Path) -> dict:
    """Two years to 2026-12: CSAT answers only, no comments, one channel and one region;
    tickets but no revenue, customers or volume files."""
    frames = make_sample(seed=12, n_customers=300, start="2025-01", months=24)
    answers = frames["responses"]
    answers = answers[answers["survey"] == "csat"].drop(columns="comment")
    answers = answers.assign(channel="email", region="EMEA")
    tickets = frames["tickets"].assign(channel="email", region="EMEA")
    paths = _write({"responses": answers, "tickets": tickets}, folder)
    return {"responses_path": paths["responses"], "tickets_path": paths["tickets"],
            "revenue_path": None, "customers_path": None, "volume_path": None}


def responses_only_a_level_per_answer(folder: Path) -> dict:
    """Only a responses file (18 months to 2026-06) whose channel has a level per answer;
    no tickets, revenue, customers or volume. (01 and 02 on 100,000 levels are in
    tests/test_notebook_metrics_trends.py.)"""
    answers = make_sample(seed=13, n_customers=300, start="2025-01", months=18)["responses"]
    answers = answers.assign(channel=[f"L{i:06d}" for i in range(len(answers))])
    paths = _write({"responses": answers}, folder)
    return {"responses_path": paths["responses"], "tickets_path": None, "revenue_path": None,
            "customers_path": None, "volume_path": None}


CASES = {"later_short_history": later_short_history, "csat_only_one_level": csat_only_one_level,
         "responses_only_a_level_per_answer": responses_only_a_level_per_answer}


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


def _run_case(name: str, folder: Path):
    parameters = CASES[name](folder / "data")
    config = folder / "config.yaml"
    config.write_text(yaml.safe_dump({"title": name, "parameters": parameters}), encoding="utf-8")
    return parameters, run_reports(config=config, out=folder / "report", progress=False)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_every_notebook_runs_with_its_defaults(name, tmp_path):
    # One runner run per case, every check on it (each case is one test, so pytest-xdist
    # never runs a case twice).
    parameters, result = _run_case(name, tmp_path)
    status = {run.name: (run.status, run.error) for run in result.runs}
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
        if notebook == "05_operations" and not parameters["tickets_path"]:
            continue  # no tickets: nothing to date
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
