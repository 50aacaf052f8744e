"""Notebook 04_nps_revenue: the sample's built-in link, other parameters, any data, real data.

The defaults run in a kernel once through the session fixture ``notebook_run``
(tests/conftest.py); tests of one configuration share an xdist group so they land on the
same worker. Other parameters run the notebook's cells in the test process (``page_run``:
the same builder calls and headline.json, no kernel). Data of other years and shapes come from
``csat_toolkit.sample.make_sample`` written to CSV in a session folder. Data ending in 2025
with the defaults, and CSAT answers without revenue or customers, are the any-data matrix's
runs (``any_data_run``, shared with tests/test_any_data.py).
"""
from __future__ import annotations

import pandas as pd
import pytest

import csat_toolkit as ct
from csat_toolkit import sample as gen
from csat_toolkit.runner import run_reports

from .conftest import (REALDATA, REPO, SAMPLE, SAMPLE_RUN, any_data_group, executed_notebook,
                       read_headline, require_shared)
from .test_revenue import expected_by_state, window_weights

NB = "04_nps_revenue"


@pytest.fixture(scope="session")
def any_data(tmp_path_factory):
    """Generated data for July 2024 to December 2025 (18 months), in several shapes."""
    folder = tmp_path_factory.mktemp("revenue_data")
    frames = gen.make_sample(seed=7, n_customers=300, start="2024-07", months=18)
    responses, revenue, customers = frames["responses"], frames["revenue"], frames["customers"]
    paths = {}

    def write(name, frame, **options):
        paths[name] = str(folder / f"{name}.csv")
        frame.to_csv(paths[name], index=False, **options)

    write("responses", responses)
    write("revenue", revenue)
    write("customers", customers)
    # Revenue written the European way: semicolons, decimal commas.
    write("revenue_eu", revenue.assign(revenue=revenue["revenue"].map(
        lambda v: f"{v:.2f}".replace(".", ","))), sep=";")
    # A segment with a value per customer (300 shops) and one with a single value.
    write("customers_fr", customers.assign(country="FR",
                                           shop=[f"S{i:06d}" for i in range(len(customers))]))
    short = gen.make_sample(seed=7, n_customers=300, start="2025-07", months=6)
    write("short_responses", short["responses"])
    write("short_revenue", short["revenue"])
    write("short_customers", short["customers"])
    return {"frames": frames, **paths}


def nps_answers(path) -> pd.DataFrame:
    return ct.revenue.add_categories(ct.metrics.select_survey(
        ct.load_responses(path).data, "nps"))


# --- the bundled sample with the defaults ----------------------------------------------------


@pytest.mark.slow
@pytest.mark.xdist_group(SAMPLE_RUN)
def test_default_run_recovers_the_built_in_link(notebook_run):
    # data/sample/README.md effect 4: growth by hidden state; the default window
    # definition (3 months before, 6 after) has the expectation of tests/test_revenue.py
    # (promoter - detractor about 8.4 points by state); churn hazards 0.5% / 1% / 2.5%.
    out = notebook_run(NB)
    headline = read_headline(out)
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
    html = executed_notebook(out).read_text(encoding="utf-8")
    assert "Correlation is not causation" in html and '"name": "stderr"' not in html


@pytest.mark.slow
@pytest.mark.xdist_group(SAMPLE_RUN)
def test_default_report_date_is_the_end_of_the_sample_revenue(notebook_run):
    out = notebook_run(NB)
    headline = read_headline(out)
    assert headline["as_of"] == "2024-12-31T23:59:59" and headline["as_of_source"] == "data"
    assert headline["as_of_column"] == "period" and headline["growth"] == "log"
    html = executed_notebook(out).read_text(encoding="utf-8")
    assert "Report date 2024-12-31: the latest period in the data (as_of not given)." in html
    assert "Growth definition (growth=&quot;log&quot;)" in html


OTHER = {"months_before": 2, "months_after": 12, "conf_level": 0.9, "horizon_months": 6,
         "segment_columns": ["segment"], "period": "Y", "scenario_share": 0.2,
         "scenario_to": "promoter", "n_boot": 200, "customers_path": None,
         "as_of": "2024-12-31", "title": "Year view"}


def test_other_parameters_match_the_package(page_run):
    headline = page_run(NB, **OTHER).headline
    assert headline["title"] == "Year view" and headline["as_of_source"] == "parameter"
    answers = nps_answers(SAMPLE / "responses.csv")
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


# --- other data: another year, 18 months ------------------------------------------------------


def data_params(any_data, **extra):
    return {"responses_path": any_data["responses"], "revenue_path": any_data["revenue"],
            "customers_path": any_data["customers"], "n_boot": 50, **extra}


OTHER_YEAR, CSAT_ONLY = "later_short_history", "csat_only_one_level"


@pytest.mark.slow
@pytest.mark.xdist_group(any_data_group(OTHER_YEAR))
def test_data_ending_in_2025_runs_with_the_defaults(any_data_run):
    # Seed 7, 18 months from July 2024 (as any_data above), every file, the defaults.
    case = any_data_run(OTHER_YEAR)
    out = case.folder(NB)
    headline = read_headline(out)
    assert headline["as_of"] == "2025-12-31T23:59:59" and headline["as_of_source"] == "data"
    assert headline["skipped"] == []
    answers = nps_answers(case.parameters["responses_path"])
    revenue = pd.read_csv(case.parameters["revenue_path"])
    windows = ct.revenue.revenue_windows(answers, revenue, category="category", survey=None)
    expected = ct.revenue.compare_categories(windows).set_index("outcome")
    got = {r["outcome"]: r for r in headline["comparison"]}
    assert got["growth"]["difference"] == pytest.approx(expected.loc["growth", "difference"])
    assert got["growth"]["n_a"] == expected.loc["growth", "n_a"]
    assert headline["churn"] and headline["link"] and headline["scenario"]
    html = executed_notebook(out).read_text(encoding="utf-8")
    assert "Report date 2025-12-31" in html and '"name": "stderr"' not in html


def test_an_as_of_before_the_data_names_as_of_in_the_sentence(page_run, any_data):
    headline = page_run(NB, **data_params(any_data, as_of="2024-12-31")).headline
    first = headline["skipped"][0]
    assert first.startswith("Revenue by category is skipped: No answer is left")
    assert "as_of='2024-12-31' ends the data at 2024-12 while the revenue table runs to 2025-12" \
        in first and "as_of=None" in first


CHURN_FROM_REVENUE = {"customers_path": None, "churn_after_months_without_revenue": 3,
                      "growth": "endpoints", "revenue_options": {"decimal": ",", "sep": ";"}}


def test_churn_from_revenue_endpoints_growth_and_decimal_commas(page_run, any_data):
    params = data_params(any_data, **CHURN_FROM_REVENUE)
    params["revenue_path"] = any_data["revenue_eu"]
    headline = page_run(NB, **params).headline
    revenue = any_data["frames"]["revenue"]
    answers = nps_answers(any_data["responses"])
    dates = ct.revenue.churn_from_revenue(revenue, months_without=3)
    assert headline["churn_source"].startswith(
        "Churn dates from revenue stopping: a customer without revenue in the 3 months up to "
        "2025-12 churned at the start of the first month without it")
    assert f"{dates.attrs['churned']:,} of {dates.attrs['customers']:,} customers churned" \
        in headline["churn_source"]
    churn = ct.survival.churn_by_category(dates, answers, as_of="2025-12-31")
    assert [r["n"] for r in headline["churn"]] == churn.churn["n"].tolist()
    assert [r["estimate"] for r in headline["churn"]] == pytest.approx(
        churn.churn["estimate"].tolist(), nan_ok=True)
    windows = ct.revenue.revenue_windows(answers, revenue, category="category", survey=None,
                                         growth="endpoints")
    expected = ct.revenue.compare_categories(windows).set_index("outcome")
    got = {r["outcome"]: r for r in headline["comparison"]}
    assert got["growth"]["difference"] == pytest.approx(expected.loc["growth", "difference"])
    assert headline["growth"] == "endpoints"
    assert any("account section is skipped" in s for s in headline["skipped"])


@pytest.mark.slow
@pytest.mark.xdist_group(any_data_group(CSAT_ONLY))
def test_only_csat_answers_no_revenue_no_customers_every_section_skips(any_data_run):
    # CSAT answers without comments, tickets, no revenue, customers or volume files.
    case = any_data_run(CSAT_ONLY)
    assert case.parameters["revenue_path"] is None and case.parameters["customers_path"] is None
    headline = case.headline(NB)
    assert headline["n_answers"] == 0 and headline["kpis"] == []
    assert headline["as_of_column"] == "responded_at"
    assert len(headline["skipped"]) == 6
    assert headline["skipped"][0] == ("No NPS answers in the responses: revenue by category is "
                                      "skipped (set link_survey to the survey the file has).")
    assert headline["scenario"] is None and headline["link"] is None


def test_a_segment_per_customer_is_pooled_and_a_single_level_is_left_out(page_run, any_data):
    params = data_params(any_data, customers_path=any_data["customers_fr"],
                         segment_columns=["shop", "country"])
    headline = page_run(NB, **params).headline
    assert headline["link"] and not any("segment-period" in s for s in headline["skipped"])
    warnings = headline["link_warnings"]
    assert any(w.endswith("are pooled as '(other)': only the 50 segments with the most answers "
                          "are kept apart (max_segments).") for w in warnings)
    assert all(r["segments"] <= 51 for r in headline["link"])
    assert "Segment column 'country' has a single value ('FR'): not used." in headline["skipped"]


def test_six_months_of_data_skip_what_needs_longer_windows(page_run, any_data):
    run = page_run(NB, responses_path=any_data["short_responses"],
                   revenue_path=any_data["short_revenue"],
                   customers_path=any_data["short_customers"], n_boot=50)
    headline = run.headline
    assert headline["as_of"].startswith("2025-12-31")
    skipped = headline["skipped"]
    assert skipped[0].startswith("Revenue by category is skipped: No answer is left with a "
                                 "complete revenue window")
    assert "Shorten after= (now 6) (the revenue data end at 2025-12)" in skipped[0]
    assert any(s.startswith("The scenario needs revenue growth") for s in skipped)
    # No warning, stderr or traceback: page_run fails on them.


# --- real data ----------------------------------------------------------------------------------


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
