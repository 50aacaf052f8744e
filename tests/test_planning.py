"""Survey planning (csat_toolkit.core.planning) against published tables and R's examples.

Sources
-------
[KM]    Krejcie, R. V. and Morgan, D. W. (1970). Determining sample size for research
        activities. Educational and Psychological Measurement 30, 607-610, Table 1
        (population N -> sample s for +-5% at 95% confidence, p = 0.5; the table's values
        are the formula rounded to the nearest whole answer). Entries as reprinted e.g. at
        kenpro.org/?p=2289: 10-10, 15-14, ..., 100-80, 110-86, 220-140, ..., 500-217,
        1200-291, 1500-306, 2800-338, 9000-368, and 384 for an unlimited population.
[PROP]  R ``stats::power.prop.test`` help page, examples and their stated results:
        ``power.prop.test(n = 50, p1 = .50, p2 = .75)`` => power = 0.740 (0.7401659);
        ``power.prop.test(p1 = .50, p2 = .75, power = .90)`` => n = 76.7;
        ``power.prop.test(n = 50, p1 = .5, power = .90)`` => p2 = 0.8026;
        ``power.prop.test(p1 = .5, p2 = 0.501, sig.level = .001, power = 0.90)`` =>
        n = 10451937; ``power.prop.test(p1 = 0.90, p2 = 1.0, power = 0.8)`` => n = 73.37.
[TTEST] R ``stats::power.t.test`` help page examples: ``power.t.test(n = 20, delta = 1)``
        power = 0.8689528; ``power.t.test(power = .90, delta = 1)`` n = 22.02110;
        ``alternative = "one.sided"``: n = 17.84713.
[MU]    Lewis & Sauro, MeasuringU, "Sample Size Estimation for NPS Confidence Intervals"
        and "Sample Sizes for Comparing Net Promoter Scores": ``n = Z^2 s^2 / d^2 - 3``
        (adjusted-Wald, 3 pseudo-answers). Their worked examples' numbers could not be
        read from the stored pages, so the NPS cases are computed by hand below.
"""
from __future__ import annotations

import html
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csat_toolkit.core.planning import (answers_for_change, answers_needed, baseline_from,
                                        comparison_power, detectable_change,
                                        margin_of_error, plan)
from csat_toolkit.core.stats import z_value
from csat_toolkit.errors import ParameterError

KM = {10: 10, 15: 14, 20: 19, 25: 24, 30: 28, 35: 32, 40: 36, 45: 40, 50: 44, 55: 48, 60: 52,
      65: 56, 70: 59, 75: 63, 80: 66, 85: 70, 90: 73, 95: 76, 100: 80, 110: 86, 220: 140,
      230: 144, 240: 148, 250: 152, 500: 217, 1200: 291, 1300: 297, 1400: 302, 1500: 306,
      2800: 338, 9000: 368}


@pytest.mark.parametrize("population,sample", sorted(KM.items()))
def test_krejcie_morgan_table(population, sample):
    needed, exact = answers_needed("csat", 5, population=population)
    assert round(exact) == sample  # [KM] rounds to the nearest answer
    assert needed == math.ceil(exact - 1e-9) <= population  # the toolkit rounds up


def test_unlimited_population():
    needed, exact = answers_needed("csat", 5)
    assert round(exact) == 384  # [KM] N = 1,000,000 -> 384
    assert exact == pytest.approx(z_value() ** 2 * 0.25 / 0.05**2) and needed == 385


def test_margin_of_error_is_the_inverse():
    for metric, options in (("csat", {"expected": 80}), ("nps", {"promoters": 45, "detractors": 20}),
                            ("ces", {"sd": 1.4})):
        needed, _ = answers_needed(metric, 3 if metric != "ces" else 0.2, population=4000, **options)
        target = 3 if metric != "ces" else 0.2
        assert margin_of_error(metric, needed, population=4000, **options) <= target + 1e-12
        assert margin_of_error(metric, needed - 1, population=4000, **options) > target


def test_nps_by_hand():
    # [MU] n = z^2 v / E^2 - 3 with v = p_P + p_D - (p_P - p_D)^2
    v = 0.45 + 0.20 - 0.25**2
    needed, exact = answers_needed("nps", 5, promoters=45, detractors=20)
    assert exact == pytest.approx(z_value() ** 2 * v / 0.05**2 - 3)
    assert needed == math.ceil(exact)
    # the margin of n answers: the adjusted-Wald half-width at n + 3
    assert margin_of_error("nps", 400, promoters=45, detractors=20) == pytest.approx(
        100 * z_value() * math.sqrt(v / 403))
    # two NPS: (z_a/2 + z_b) sqrt(2 v / n)
    change = detectable_change("nps", 400, promoters=45, detractors=20)
    assert change == pytest.approx(100 * (z_value() + z_value(0.6)) * math.sqrt(2 * v / 400))


def test_mean_margin_uses_t():
    needed, exact = answers_needed("ces", 0.25, sd=1.2)
    from scipy import stats
    assert stats.t.ppf(0.975, exact - 1) * 1.2 / math.sqrt(exact) == pytest.approx(0.25)
    assert margin_of_error("ces", needed, sd=1.2) <= 0.25 < margin_of_error("ces", needed - 1, sd=1.2)


def test_power_prop_test_examples():
    # [PROP]
    assert comparison_power("csat", 25, 50) == pytest.approx(0.7401659, abs=5e-8)
    n, exact = answers_for_change("csat", 25, power=0.9)
    assert round(exact, 1) == 76.7 and n == 77
    assert round(50 + detectable_change("csat", 50, power=0.9), 2) == 80.26
    assert answers_for_change("csat", 0.1, power=0.9, alpha=0.001)[0] == 10451937
    assert round(answers_for_change("csat", 10, expected=90, power=0.8)[1], 2) == 73.37


def test_power_t_test_examples():
    # [TTEST] two groups, sd 1
    assert comparison_power("csat_mean", 1, 20, sd=1) == pytest.approx(0.8689528, abs=5e-8)
    assert answers_for_change("csat_mean", 1, power=0.9, sd=1)[1] == pytest.approx(22.02110, abs=1e-4)
    assert answers_for_change("csat_mean", 1, power=0.9, sd=1, sides=1)[1] == pytest.approx(
        17.84713, abs=1e-4)


def test_detectable_change_reaches_the_power_both_ways():
    change = detectable_change("csat", 300, expected=80)
    up = comparison_power("csat", change, 300, expected=80)
    down = comparison_power("csat", -change, 300, expected=80)
    assert min(up, down) == pytest.approx(0.8, abs=1e-9) and max(up, down) >= 0.8
    assert detectable_change("csat", 300, 900, expected=80) < change  # a bigger second group
    assert math.isinf(detectable_change("csat", 2, expected=99, power=0.99))


def test_unequal_groups_and_ratio():
    n, _ = answers_for_change("csat", 10, ratio=2)
    assert comparison_power("csat", 10, n, 2 * n) >= 0.8 > comparison_power("csat", 10, n - 1, 2 * (n - 1))


@settings(max_examples=100)
@given(st.integers(20, 5000), st.sampled_from([0.5, 0.8, 0.9]), st.sampled_from([1, 2]),
       st.floats(10, 90))
def test_power_is_reached_at_the_detectable_change(n, power, sides, expected):
    change = detectable_change("csat", n, power=power, sides=sides, expected=expected)
    if math.isfinite(change):
        achieved = [comparison_power("csat", s * change, n, sides=sides, expected=expected)
                    for s in (1, -1) if 0 <= expected + s * change <= 100]
        assert min(achieved) == pytest.approx(power, abs=1e-7)


def test_plan_sentences():
    assert plan("csat", margin=3).sentence() == (
        "CSAT: 1,068 answers give a margin of error of +-3.0 points (95% confidence; "
        "assuming 50% satisfied).")
    assert plan("csat", margin=3, population=5000).n == 880
    assert plan("csat", n=400).sentence().startswith("CSAT: 400 answers give a margin of error of +-4.9")
    detect = plan("csat", n=400, detect=True)
    assert detect.sentence() == (
        "CSAT: with 400 answers in each group, changes smaller than 9.8 points cannot be told "
        "from noise (two-sided test at 95% confidence, 80% power; assuming 50% satisfied).")
    assert plan("nps", change=10).n == answers_for_change("nps", 10)[0]
    power = plan("ces", n=200, change=0.3, sd=1.5)
    assert power.question == "power" and "51% power" in power.sentence()
    assert plan("csat", change=10, ratio=2).n2 == math.ceil(answers_for_change("csat", 10, ratio=2)[1] * 2)
    assert "no change can be detected" in plan("csat", n=2, detect=True, expected=99, power=0.99).sentence()


def test_baseline_from_metric_rows():
    from csat_toolkit.core.metrics import ces, csat, nps
    assert baseline_from(csat(pd.DataFrame({"score": [5, 5, 4, 1]}), min_n=1).iloc[0]) == {"expected": 75.0}
    assert baseline_from(nps(pd.DataFrame({"score": [10, 7, 3, 3]}), min_n=1).iloc[0]) == {
        "promoters": 25.0, "detractors": 50.0}
    row = ces(pd.DataFrame({"score": [7, 5, 3, 1]}), min_n=1).iloc[0]
    assert baseline_from(row) == {"sd": pytest.approx(2.5819889)}


@pytest.mark.parametrize("call,message", [
    (lambda: answers_needed("cast", 3), r"Unknown metric 'cast'"),
    (lambda: answers_needed("ces", 0.2), r"needs the standard deviation of the scores \(sd="),
    (lambda: answers_needed("csat", 0), r"margin must be a number above 0"),
    (lambda: answers_needed("csat", 3, expected=180), r"expected is a share in % between 0 and 100"),
    (lambda: answers_needed("nps", 3, promoters=70, detractors=40), r"add up to 100 or less"),
    (lambda: answers_needed("csat", 3, conf=95), r"conf must be between 0 and 1"),
    (lambda: margin_of_error("csat", 500, population=100), r"customer base \(population=100\) is "
                                                           r"smaller than the answers \(500\)"),
    (lambda: comparison_power("csat", 10, 100, alpha=5), r"alpha must be between 0 and 1"),
    (lambda: comparison_power("csat", 10, 100, sides=3), r"sides must be 1 .* or 2"),
    (lambda: comparison_power("csat", 60, 100, expected=50), r"A change of 60 points from 50% leaves"),
    (lambda: comparison_power("csat", 10, 0), r"n must be a number above 0"),
    (lambda: comparison_power("ces", 1, 1, 1, sd=1), r"A t test needs at least 3 answers"),
    (lambda: detectable_change("csat", 100, power=1.2), r"power must be between 0 and 1"),
    (lambda: answers_for_change("csat", 0), r"change must be a number above 0"),
    (lambda: answers_for_change("csat", 5, ratio=-1), r"ratio must be a number above 0"),
    (lambda: plan("csat"), r"Say what to plan: margin="),
])
def test_errors(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


# --------------------------------------------------------------------------------------
# csat-toolkit plan
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv,expected", [
    (["--metric", "csat", "--margin", "3"],
     "CSAT: 1,068 answers give a margin of error of +-3.0 points (95% confidence; assuming "
     "50% satisfied)."),
    (["--n", "400", "--detect"],
     "CSAT: with 400 answers in each group, changes smaller than 9.8 points cannot be told "
     "from noise (two-sided test at 95% confidence, 80% power; assuming 50% satisfied)."),
    (["--margin", "3", "--population", "5000"],
     "CSAT: 880 answers give a margin of error of +-3.0 points (95% confidence; assuming 50% "
     "satisfied; a base of 5,000 customers)."),
    (["--metric", "nps", "--margin", "5", "--promoters", "45", "--detractors", "20"],
     "NPS: 900 answers give a margin of error of +-5.0 points (95% confidence; assuming 45% "
     "promoters and 20% detractors)."),
    (["--metric", "ces", "--n", "300", "--change", "0.2", "--sd", "1.3", "--one-sided"],
     None),
])
def test_cli_plan(argv, expected, capsys):
    from csat_toolkit.cli import main

    assert main(["plan", *argv]) == 0
    out = capsys.readouterr().out.strip()
    if expected is None:
        power = comparison_power("ces", 0.2, 300, sd=1.3, sides=1)
        assert out.startswith("CES mean score: with 300 answers in each group, a change of 0.2")
        assert f"with {power:.0%} power (one-sided test at 95% confidence" in out
    else:
        assert out == expected
    # the numbers are the package's
    if argv[:4] == ["--metric", "csat", "--margin", "3"]:
        assert answers_needed("csat", 3)[0] == 1068


def test_cli_plan_errors(capsys):
    from csat_toolkit.cli import main

    assert main(["plan", "--metric", "ces", "--margin", "0.1"]) == 2
    assert "needs the standard deviation" in capsys.readouterr().err
    assert main(["plan"]) == 2
    assert "Say what to plan" in capsys.readouterr().err


# --------------------------------------------------------------------------------------
# 01_metrics: "what these answers can detect"
# --------------------------------------------------------------------------------------


def _inputs(frame, params=None):
    from csat_toolkit.io import load_responses
    from csat_toolkit.report.sections.metrics import prepare

    return prepare(load_responses(frame), params)


def test_section_per_period_and_weighted():
    from csat_toolkit.core.planning import detectable_table
    from csat_toolkit.report.sections.planning import detectable_changes

    months = pd.to_datetime(["2024-01-10"] * 300 + ["2024-02-10"] * 500 + ["2024-03-10"] * 400)
    frame = pd.DataFrame({"response_id": range(1200), "survey": "csat", "responded_at": months,
                          "score": ([5, 4, 2] * 400), "w": [1.0, 2.0, 3.0] * 400})
    section = detectable_changes(_inputs(frame))
    row = section["detectable"].iloc[0]
    assert row["basis"] == "period" and row["n_per_group"] == 400 and row["periods"] == 3
    expected = detectable_change("csat", 400, expected=200 / 3)  # 2 of 3 answers satisfied
    assert math.isfinite(expected) and row["detectable"] == pytest.approx(expected)
    assert section.sentences[0].startswith("CSAT: with about 400 answers a month, month-to-month "
                                           "changes smaller than ")
    assert section.findings == section.sentences and not section.missing
    weighted = detectable_changes(_inputs(frame, {"weight": "w"}))["detectable"].iloc[0]
    direct = detectable_table(frame, ["csat"], period="M", weight="w").iloc[0]
    assert weighted["n_per_group"] == pytest.approx(direct["n_per_group"])
    assert weighted["n_per_group"] < 400  # Kish's effective answers
    assert weighted["detectable"] == pytest.approx(direct["detectable"])


def test_section_without_dates_or_surveys():
    from csat_toolkit.report.sections.planning import detectable_changes

    frame = pd.DataFrame({"response_id": range(400), "survey": "nps",
                          "score": [10] * 200 + [8] * 100 + [3] * 100})
    section = detectable_changes(_inputs(frame))
    row = section["detectable"].iloc[0]
    assert row["basis"] == "halves" and row["n_per_group"] == 200
    expected = detectable_change("nps", 200, promoters=50, detractors=25)
    assert math.isfinite(expected) and row["detectable"] == pytest.approx(expected)
    assert section.notes == ["No answer dates: the detectable changes are for two halves of the "
                             "answers (two segments of equal size), not for two periods."]
    none = detectable_changes(_inputs(frame, {"survey_types": ["pmf"]}))
    assert none.skipped == "No survey answers: nothing to say about detectable changes."
    tiny = detectable_changes(_inputs(pd.DataFrame({"response_id": [1, 2], "survey": "ces",
                                                    "score": [5, 5]})))
    assert "too few answers to tell any change from noise" in tiny.sentences[0]


@pytest.mark.slow
@pytest.mark.xdist_group("metrics-default-in-process")
def test_metrics_notebook_shows_what_the_answers_can_detect(page_run):
    import csat_toolkit as ct
    from csat_toolkit.core.planning import detectable_table

    from .conftest import SAMPLE

    run = page_run("01_metrics")
    section = run.page.sections["detectable changes"]
    loaded = ct.load_responses(SAMPLE / "responses.csv")
    expected = detectable_table(loaded.data, ["csat", "nps", "ces", "pmf"], period="M")
    assert section["detectable"]["detectable"].tolist() == pytest.approx(
        expected["detectable"].tolist())
    csat = [f for f in run.headline["findings"] if f.startswith("CSAT: with about")]
    assert csat and "month-to-month changes smaller than" in csat[0]
    assert not run.warnings and not run.stderr


@pytest.mark.parametrize("kwargs,header,cell", [
    ({"margin": 3}, "Margin of error (points)", ">1,068<"),
    ({"n": 400}, "Margin of error (points)", ">4.9<"),
    ({"n": 400, "detect": True}, "Smallest detectable change (points)", ">9.8<"),
    ({"change": 5}, "Change (points)", ">1,565<"),
    ({"n": 400, "change": 5}, "Power (%)", ">29<"),
])
def test_plan_shows_in_jupyter(kwargs, header, cell):
    # CSAT at 50%: 1,068 answers for +-3 points (z^2 0.25 / 0.03^2 = 1067.1); 400 answers:
    # +-1.96 sqrt(0.25 / 400) = 4.9 points; the rest as the sentence says.
    result = plan("csat", **kwargs)
    out = result._repr_html_()
    assert html.escape(result.sentence()) in out and result.summary() == result.sentence()
    assert f">{header}<" in out and cell in out and ">CSAT<" in out
    assert result.table.columns[0] == "Metric"


def test_planning_is_exported():
    import csat_toolkit as ct

    assert (ct.plan, ct.answers_needed, ct.margin_of_error) == (plan, answers_needed, margin_of_error)
    assert ct.core.detectable_change is detectable_change and ct.Plan is ct.planning.Plan
    assert ct.answers_for_change is answers_for_change and ct.comparison_power is comparison_power
