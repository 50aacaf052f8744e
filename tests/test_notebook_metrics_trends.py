"""01_metrics and 02_trends with their defaults on anyone's data, at any scale (issue 10).

Each configuration runs once per session; every test of one configuration carries the same
``xdist_group``. Another calendar with a short history (2024-07..2025-12, 18 months) and
CSAT answers only, without comments and with a single channel (2025-01..2026-12), are the
any-data matrix's runs (``any_data_run``, tests/conftest.py, shared with
tests/test_any_data.py). No dates at all and a segment with 100,000 levels run here, the
notebook's cells in the test process (``page_run``: the same builder calls and
headline.json, no kernel), on data made with ``make_sample`` (seeded) and written to CSV in
a temporary folder. (A dated goal the data have passed: tests/test_forecast.py, on
``forecast.goal_from_parameter``.)
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import csat_toolkit as ct
from csat_toolkit.sample import make_sample

from .conftest import SAMPLE, SAMPLE_RUN, any_data_group, read_headline


@pytest.fixture(scope="session")
def scenario_files(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("metrics_trends_data")
    answers = make_sample(seed=5, n_customers=300, start="2025-07", months=18)["responses"]
    frames = {"no_dates": answers.drop(columns=["responded_at"])}
    big = pd.concat([answers] * 60, ignore_index=True)  # 112,440 answers
    big["response_id"] = np.arange(len(big))
    big["channel"] = np.random.default_rng(10).permutation(np.arange(len(big)) % 100_000)
    big["channel"] = "c" + big["channel"].astype(str)
    frames["many_levels"] = big
    paths = {}
    for name, frame in frames.items():
        paths[name] = str(folder / f"{name}.csv")
        frame.to_csv(paths[name], index=False)
    return paths


# --- defaults on the sample -------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.xdist_group(SAMPLE_RUN)
def test_metrics_default_headline_has_segments_report_date_and_csv(notebook_run):
    out = notebook_run("01_metrics")
    headline = read_headline(out)
    assert headline["as_of"].startswith("2024-12-31") and headline["as_of_source"] == "data"
    assert headline["as_of_column"] == "responded_at"
    data = ct.load_responses(SAMPLE / "responses.csv").data
    table = ct.metric_table(data, "csat", by="channel")
    block = headline["segments"]["csat"]["channel"]
    assert block["levels_total"] == len(table) and block["levels_omitted"] == 0
    levels = {lv["level"]: lv for lv in block["levels"]}
    for _, row in table.iterrows():
        assert levels[row["channel"]]["n"] == row["n"]
        assert levels[row["channel"]]["estimate"] == pytest.approx(row["estimate"], abs=1e-6)
    assert {"above", "below"} <= {lv["direction"] for lv in block["levels"]}
    segments = pd.read_csv(out / "segments.csv", encoding="utf-8-sig")
    assert set(segments["metric"]) == set(headline["segments"])
    assert len(segments) == sum(b["levels_total"] for m in headline["segments"].values()
                                for b in m.values())
    assert "NPS answers have fewer than two channel values; no breakdown by channel." in \
        headline["skipped"]


@pytest.mark.slow
@pytest.mark.xdist_group(SAMPLE_RUN)
def test_trends_default_goal_is_relative_to_the_last_period(notebook_run):
    headline = read_headline(notebook_run("02_trends"))
    assert headline["as_of"].startswith("2024-12-31") and headline["as_of_source"] == "data"
    goal = [k for k in headline["kpis"] if k["label"] == "Goal"][0]
    assert goal["detail"].endswith("by 2025-03")  # 2024-12 + 3 periods
    data = ct.load_responses(SAMPLE / "responses.csv").data
    series = ct.trends.period_series(data, "csat", period="M", window=3)
    expected = ct.forecast.goal_status(series, change=5, within=3)
    assert headline["goal_probability"] == pytest.approx(expected.probability)
    assert headline["skipped"] == []


# --- another calendar, 18 months (the any-data matrix) ----------------------------------------

SHORT, CSAT_ONLY = "later_short_history", "csat_only_one_level"


@pytest.mark.slow
@pytest.mark.xdist_group(any_data_group(SHORT))
def test_metrics_on_a_short_history_from_another_year(any_data_run):
    headline = any_data_run(SHORT).headline("01_metrics")
    assert headline["as_of"].startswith("2025-12-31") and headline["as_of_source"] == "data"
    assert headline["surveys"] == ["csat", "nps", "ces", "pmf"]
    assert headline["segments"]["csat"]["region"]["levels_total"] == 4


@pytest.mark.slow
@pytest.mark.xdist_group(any_data_group(SHORT))
def test_trends_on_a_short_history_from_another_year(any_data_run):
    headline = any_data_run(SHORT).headline("02_trends")
    assert headline["as_of"].startswith("2025-12-31")
    goal = [k for k in headline["kpis"] if k["label"] == "Goal"][0]
    assert goal["detail"].endswith("by 2026-03")  # 2025-12 + 3 periods
    assert headline["seasonal_low"] == [] and headline["seasonality_p_value"] is None
    season = [s for s in headline["skipped"] if s.startswith("Seasonality not estimated")]
    assert season and "A monthly series needs two full years (24 months)" in season[0]
    assert "6 more months of data would do" in season[0] and "period='M'" not in season[0]
    assert headline["forecast"] and headline["trend"].startswith("CSAT")


# --- one survey, no comments, one channel (the any-data matrix) -------------------------------


@pytest.mark.slow
@pytest.mark.xdist_group(any_data_group(CSAT_ONLY))
def test_metrics_with_csat_only_and_a_single_channel(any_data_run):
    headline = any_data_run(CSAT_ONLY).headline("01_metrics")
    assert headline["surveys"] == ["csat"] and [k["metric"] for k in headline["kpis"]] == ["csat"]
    assert ("No NPS, CES, PMF answers in the data: their cards, benchmarks and breakdowns are "
            "skipped.") in headline["skipped"]
    assert "CSAT answers have fewer than two channel values; no breakdown by channel." in \
        headline["skipped"]
    assert list(headline["segments"]["csat"]) == ["region"]


@pytest.mark.slow
@pytest.mark.xdist_group(any_data_group(CSAT_ONLY))
def test_trends_with_csat_only_and_a_single_channel(any_data_run):
    headline = any_data_run(CSAT_ONLY).headline("02_trends")
    assert headline["as_of"].startswith("2026-12") and headline["goal_status"] is not None
    assert "No NPS answers with dates: no wave comparison." in headline["skipped"]
    assert "Segment column 'channel' is missing or has one value; skipped." in headline["skipped"]
    assert headline["kpis"][0]["metric"] == "csat"


# --- no dates ----------------------------------------------------------------------------------


@pytest.mark.xdist_group("metrics-trends-no-dates")
def test_metrics_without_dates(page_run, scenario_files):
    headline = page_run("01_metrics", responses_path=scenario_files["no_dates"]).headline
    assert headline["as_of"] is None and headline["as_of_source"] is None
    assert any(s.startswith("No answer dates (responded_at)") for s in headline["skipped"])
    assert len(headline["kpis"]) == 4 and headline["followup"] > 0


@pytest.mark.xdist_group("metrics-trends-no-dates")
def test_trends_without_dates_skips_every_section_with_a_sentence(page_run, scenario_files):
    headline = page_run("02_trends", responses_path=scenario_files["no_dates"]).headline
    assert headline["skipped"][0] == ("No dated CSAT answers (metric 'csat'): every section of "
                                      "this report is skipped.")
    assert headline["kpis"] == [] and headline["forecast"] == [] and headline["trend"] is None


# --- 100,000 levels --------------------------------------------------------------------------


@pytest.mark.slow  # 112,440 answers, 100,000 levels
@pytest.mark.xdist_group("metrics-trends-many-levels")
def test_metrics_with_100000_levels_caps_headline_and_writes_every_level(page_run,
                                                                         scenario_files):
    run = page_run("01_metrics", responses_path=scenario_files["many_levels"])
    out, headline = run.out, run.headline
    data = pd.read_csv(scenario_files["many_levels"])
    assert data["channel"].nunique() == 100_000
    for metric, block in headline["segments"].items():
        channel = block["channel"]
        total = data.loc[data["survey"] == metric, "channel"].nunique()
        assert channel["levels_total"] == total
        assert len(channel["levels"]) == 1000 and channel["levels_omitted"] == total - 1000
    segments = pd.read_csv(out / "segments.csv", encoding="utf-8-sig",
                           usecols=["metric", "segment", "level"])
    per = segments[segments["segment"] == "channel"].groupby("metric")["level"].nunique()
    assert per.to_dict() == {m: b["channel"]["levels_total"] for m, b in headline["segments"].items()}
    csat_levels = headline["segments"]["csat"]["channel"]["levels_total"]
    shown = ct.report.MAX_SHOWN
    assert f"{csat_levels - shown:,} more levels not shown (see segments.csv)." in run.text


@pytest.mark.slow  # 112,440 answers, 100,000 levels
@pytest.mark.xdist_group("metrics-trends-many-levels")
def test_trends_with_100000_levels_and_no_goal(page_run, scenario_files):
    run = page_run("02_trends", responses_path=scenario_files["many_levels"], goal={})
    out, headline = run.out, run.headline
    assert headline["goal_status"] is None
    # A goal check that does not run is said in the findings and listed as skipped.
    assert "No goal set (parameter goal is empty)." in headline["findings"]
    assert "No goal set (parameter goal is empty)." in headline["skipped"]
    assert any("from the mix of channel" in f for f in headline["findings"])
    segments = pd.read_csv(out / "segments.csv", encoding="utf-8-sig", usecols=["segment", "level", "n"])
    data = pd.read_csv(scenario_files["many_levels"], usecols=["survey", "channel"])
    assert segments["level"].nunique() == data.loc[data["survey"] == "csat", "channel"].nunique()
    assert (segments["n"] > 0).all() and int(segments["n"].sum()) == int((data["survey"] == "csat").sum())
