"""Notebook 04_nps_revenue: the sample's built-in link, other parameters, real-data configs.

Slow: each test runs the notebook with papermill (as tests/test_notebooks.py does).
"""
from __future__ import annotations

import pandas as pd
import papermill as pm
import pytest

import csat_toolkit as ct
from csat_toolkit.runner import run_reports

from .conftest import NOTEBOOKS, REALDATA, REPO, SAMPLE, read_headline, require_shared
from .test_revenue import expected_by_state, window_weights

NOTEBOOK = str(NOTEBOOKS / "04_nps_revenue.ipynb")


def run(out, **params):
    out.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(NOTEBOOK, str(out / "run.ipynb"), parameters={"output_dir": str(out),
                                                                      **params},
                        kernel_name="python3", cwd=str(NOTEBOOKS), progress_bar=False)
    return read_headline(out)


@pytest.mark.slow
def test_default_run_recovers_the_built_in_link(tmp_path):
    # data/sample/README.md effect 4: growth by hidden state; the default window
    # definition (3 months before, 6 after) has the expectation of tests/test_revenue.py
    # (promoter - detractor about 8.4 points by state); churn hazards 0.5% / 1% / 2.5%.
    headline = run(tmp_path / "default")
    growth = next(r for r in headline["comparison"] if r["outcome"] == "growth")
    truth = expected_by_state(window_weights(3, 6))
    assert growth["a"] == "promoter" and growth["b"] == "detractor"
    assert growth["ci_low"] < truth[0] - truth[2] < growth["ci_high"]
    assert growth["significant"]
    churn = {r["group"]: r["estimate"] for r in headline["churn"]}
    assert churn["detractor"] > churn["passive"] > churn["promoter"]
    assert headline["logrank_p"] < 0.001
    hr = {r["level"]: r for r in headline["hazard_ratios"]}
    assert hr["detractor"]["ci_low"] > 1 and hr["detractor"]["reference"] == "promoter"
    assert headline["caveats"] == ct.revenue.CAVEATS
    assert any("Keiningham" in c for c in headline["caveats"])
    assert headline["skipped"] == []
    assert headline["scenario"]["estimate"] > 0
    assert headline["link"] and any("+3.2%" in f for f in headline["findings"])
    assert [k["label"] for k in headline["kpis"]][:2] == ["NPS", "Promoters vs detractors: growth"]
    html = (tmp_path / "default" / "run.ipynb").read_text(encoding="utf-8")
    assert "Correlation is not causation" in html and '"name": "stderr"' not in html


@pytest.mark.slow
def test_other_parameters_match_the_package(tmp_path):
    params = {"months_before": 2, "months_after": 12, "conf_level": 0.9, "horizon_months": 6,
              "segment_columns": ["segment"], "period": "Y", "scenario_share": 0.2,
              "scenario_to": "promoter", "n_boot": 200, "customers_path": None,
              "as_of": "2024-12-31", "title": "Year view"}
    headline = run(tmp_path / "other", **params)
    assert headline["title"] == "Year view"
    answers = ct.revenue.add_categories(
        ct.metrics.select_survey(ct.load_responses(SAMPLE / "responses.csv").data, "nps"))
    revenue = pd.read_csv(SAMPLE / "revenue.csv")
    windows = ct.revenue.revenue_windows(answers, revenue, before=2, after=12,
                                         as_of="2024-12-31", category="category", survey=None)
    expected = ct.revenue.compare_categories(windows, conf=0.9).set_index("outcome")
    got = {r["outcome"]: r for r in headline["comparison"]}
    for outcome in ("growth", "retained"):
        assert got[outcome]["difference"] == pytest.approx(expected.loc[outcome, "difference"])
        assert got[outcome]["ci_low"] == pytest.approx(expected.loc[outcome, "ci_low"])
    # Without a customers table: no accounts, no churn dates, no segments -> skipped, no error.
    assert headline["accounts"] is None and headline["churn"] == []
    assert len(headline["skipped"]) == 3
    assert any("churn" in s for s in headline["skipped"])
    assert headline["scenario"]["to"] == "promoter" and headline["scenario"]["share"] == 20


@pytest.mark.slow
@pytest.mark.realdata
def test_real_data_configs(tmp_path):
    require_shared(REALDATA)
    for config in ("nps_garden_centre_revenue", "telco_churn"):
        result = run_reports(config=REPO / "data" / "examples" / f"{config}.yaml",
                             out=tmp_path / config, progress=False)
        assert result.ok, [r.error for r in result.runs]
        html = (tmp_path / config / "04_nps_revenue.html").read_text(encoding="utf-8")
        assert "Warning" not in html and "Traceback" not in html
    garden = read_headline(tmp_path / "nps_garden_centre_revenue" / "04_nps_revenue")
    # SOURCE.md checks: 13,612 answered, NPS 53.42; mean CaTicket promoters 76.18,
    # passives 76.30, detractors 64.32.
    assert garden["kpis"][0]["n"] == 13612
    assert garden["kpis"][0]["value"] == pytest.approx(53.42, abs=0.01)
    means = {r["category"]: r["estimate"] for r in garden["by_category"]}
    assert means == pytest.approx({"promoter": 76.18, "passive": 76.30, "detractor": 64.32},
                                  abs=0.006)
    assert len(garden["skipped"]) == 5 and garden["caveats"]
    telco = read_headline(tmp_path / "telco_churn" / "04_nps_revenue")
    # SOURCE.md checks: 7,043 customers; churn rate by score 1: 1.0, 2: 1.0, 3: 0.161,
    # 4 and 5: 0.0 (perfect separation built in by IBM); the Cox model cannot be fitted.
    assert telco["n_answers"] == 7043
    assert telco["categories"] == ["dissatisfied", "neutral", "satisfied"]
    churned = {r["category"]: r for r in telco["by_category"] if r["outcome"] == "churn_value"}
    assert churned["dissatisfied"]["estimate"] == pytest.approx(100.0)
    assert churned["neutral"]["estimate"] == pytest.approx(16.1, abs=0.05)
    assert churned["satisfied"]["estimate"] == pytest.approx(0.0)
    assert telco["logrank_p"] < 1e-10 and telco["hazard_ratios"] == []
    # Every dissatisfied customer has churned: nobody is left to convert, and the report
    # says so instead of converting customers who are gone.
    assert telco["scenario"] is None
    assert any("nobody to convert" in s for s in telco["skipped"])
