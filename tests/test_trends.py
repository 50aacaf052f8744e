"""Tests of :mod:`csat_toolkit.trends`: period series, changes, control charts, trend tests.

Checks, each against an independent computation:

- period series: every calendar period present (empty ones with n = 0); rolling windows
  equal to :func:`csat_toolkit.metrics.metric_table` on the pooled rows, and not the
  average of the period estimates;
- changes: the same numbers as :func:`csat_toolkit.comparisons.compare_periods` for one
  pair, Holm across the rows via statsmodels, small and empty periods never significant,
  sentences that never call a non-significant change real;
- control charts: p-chart, NPS and X-bar limits computed by hand; the Western Electric
  rules on hand-made sequences, each triggered and not triggered;
- Mann-Kendall and Sen's slope: the published values of pyMannKendall's test suite,
  ``scipy.stats.theilslopes`` and ``scipy.stats.kendalltau``;
- the sample data: the 2024-03 incident is a significant month-over-month CSAT drop and
  out of control (rule 1, below) on the p-chart.
"""
from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from csat_toolkit.comparisons import compare_periods
from csat_toolkit.errors import DataError, MissingColumnError, ParameterError
from csat_toolkit.metrics import metric_table
from csat_toolkit.trends.series import (
    MIN_TREND_PERIODS, WESTERN_ELECTRIC_RULES, _reference_periods, control_chart,
    describe_changes, period_changes, period_series, trend_test, trend_test_table,
    western_electric,
)
from tests.conftest import REFERENCE, require_shared

PROPERTY = settings(max_examples=25)  # the rest from the profile in conftest.py


# --- helpers --------------------------------------------------------------------------


def _monthly(groups: dict[str, list[float]], survey: str = "csat", day: int = 15,
             **columns) -> pd.DataFrame:
    """Responses from {"2024-01": [scores], ...}: every answer on the given day."""
    rows = [(pd.Timestamp(f"{month}-{day:02d}"), score)
            for month, scores in groups.items() for score in scores]
    frame = pd.DataFrame(rows, columns=["responded_at", "score"])
    frame["survey"] = survey
    for name, value in columns.items():
        frame[name] = value
    return frame


def _csat(satisfied: int, total: int) -> list[int]:
    """CSAT 1-5 answers: ``satisfied`` fives and the rest ones."""
    return [5] * satisfied + [1] * (total - satisfied)


@pytest.fixture(scope="session")
def sample(sample_responses) -> pd.DataFrame:
    """The bundled sample responses (loaded once per session by conftest)."""
    return sample_responses.data


# --- 1. period series -----------------------------------------------------------------


def test_empty_periods_are_present_with_n_zero():
    df = _monthly({"2024-01": _csat(8, 10), "2024-04": _csat(3, 10)})
    table = period_series(df, "csat", min_n=5)
    assert table["period"].astype(str).tolist() == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert table["n"].tolist() == [10, 0, 0, 10]
    assert table["empty"].tolist() == [False, True, True, False]
    assert table["estimate"].iloc[[0, 3]].tolist() == [80.0, 30.0]
    # Never interpolated: the empty months have no estimate and no interval.
    assert table.loc[[1, 2], ["estimate", "ci_low", "ci_high"]].isna().all().all()
    assert table["small_n"].tolist() == [False, True, True, False]


def test_start_and_end_widen_and_cut_the_calendar():
    df = _monthly({"2024-01": _csat(8, 10), "2024-02": _csat(5, 10), "2024-03": _csat(3, 10)})
    wide = period_series(df, "csat", start="2023-11", end="2024-04-30", min_n=1)
    assert wide["period"].astype(str).tolist() == [
        "2023-11", "2023-12", "2024-01", "2024-02", "2024-03", "2024-04"]
    assert wide["n"].tolist() == [0, 0, 10, 10, 10, 0]
    cut = period_series(df, "csat", start="2024-02", min_n=1)
    assert cut["period"].astype(str).tolist() == ["2024-02", "2024-03"]
    assert cut["n"].sum() == 20  # the January answers are left out
    with pytest.raises(ParameterError, match="after end"):
        period_series(df, "csat", start="2024-03", end="2024-01")
    after = r"start \(2030-01\) is after end \(2024-03\); the answers cover 2024-01 to 2024-03"
    with pytest.raises(ParameterError, match=after):
        period_series(df, "csat", start="2030-01")
    with pytest.raises(DataError, match="No answers between 2030-01 and 2030-06"):
        period_series(df, "csat", start="2030-01", end="2030-06")


def test_every_segment_gets_the_same_calendar():
    df = pd.concat([
        _monthly({"2024-01": _csat(8, 10), "2024-03": _csat(6, 10)}, channel="chat"),
        _monthly({"2024-02": _csat(4, 10)}, channel="email"),
    ])
    table = period_series(df, "csat", by="channel", min_n=1)
    assert table.groupby("channel").size().tolist() == [3, 3]
    email = table[table["channel"] == "email"]
    assert email["n"].tolist() == [0, 10, 0]
    # A single segment is a valid table too.
    one = period_series(df[df["channel"] == "chat"], "csat", by="channel", min_n=1)
    assert one["channel"].unique().tolist() == ["chat"] and len(one) == 3


def test_period_series_matches_metric_table_where_there_are_answers(sample):
    series = period_series(sample, "nps", period="Q")
    direct = metric_table(sample, "nps", period="Q")
    merged = series.merge(direct, on="period", suffixes=("", "_direct"))
    assert len(merged) == len(direct) == len(series)  # quarters all have NPS waves
    for column in ("n", "estimate", "ci_low", "ci_high", "pct_promoters"):
        np.testing.assert_allclose(merged[column], merged[f"{column}_direct"])


@pytest.mark.parametrize("metric", ["csat", "csat_mean", "ces"])
def test_rolling_window_equals_metric_on_the_pooled_rows(sample, metric):
    table = period_series(sample, metric, window=3)
    rows = sample.assign(month=sample["responded_at"].dt.to_period("M"))
    for i in (2, 10, 14, len(table) - 1):
        month = table.loc[i, "period"]
        pooled = rows[(rows["month"] > month - 3) & (rows["month"] <= month)]
        direct = metric_table(pooled, metric).iloc[0]
        assert table.loc[i, "rolling_n"] == direct["n"]
        assert table.loc[i, "rolling_start"] == month - 2
        for column in ("estimate", "ci_low", "ci_high"):
            assert table.loc[i, f"rolling_{column}"] == pytest.approx(direct[column], rel=1e-12)
    # No complete window before the third month: no rolling value, flagged.
    assert table.loc[:1, "rolling_estimate"].isna().all()
    assert table.loc[:1, "rolling_small_n"].all()
    assert (table["rolling_window"] == 3).all()


def test_rolling_windows_do_not_carry_answers_across_empty_periods(sample):
    # Monthly NPS comes in quarterly waves: two of every three months are empty. A
    # 3-month window ending in an empty month, or holding one month with answers, would
    # repeat an old wave's value (interpolation): it gets no rolling value.
    table = period_series(sample, "nps", window=3)
    assert table["rolling_periods"].dropna().max() == 1
    assert table["rolling_estimate"].isna().all()


def test_rolling_pools_counts_not_estimates():
    # January 10 of 10 satisfied (100%), February 45 of 90 (50%).
    # Pooled over the two months: 55 / 100 = 55%. The average of the two estimates would
    # be (100 + 50) / 2 = 75%: a different (and wrong) number.
    df = _monthly({"2024-01": _csat(10, 10), "2024-02": _csat(45, 90)})
    table = period_series(df, "csat", window=2, min_n=5)
    assert table.loc[1, "rolling_n"] == 100
    assert table.loc[1, "rolling_estimate"] == pytest.approx(55.0)
    assert table["estimate"].mean() == pytest.approx(75.0)
    assert table.loc[1, "rolling_estimate"] != pytest.approx(table["estimate"].mean())


def test_rolling_window_across_an_empty_period():
    # Months 1 and 3 have answers, month 2 none: the window of 3 pools months 1-3.
    df = _monthly({"2024-01": _csat(6, 10), "2024-03": _csat(9, 10)})
    table = period_series(df, "csat", window=3, min_n=5)
    assert table["n"].tolist() == [10, 0, 10]
    assert table.loc[2, "rolling_n"] == 20
    assert table.loc[2, "rolling_estimate"] == pytest.approx(75.0)  # 15 / 20


def test_weighted_rolling_uses_pooled_kish_n():
    df = _monthly({"2024-01": [5, 5, 1, 1], "2024-02": [5, 1, 1, 1]})
    df["weight"] = [1.0, 2.0, 1.0, 2.0, 3.0, 1.0, 1.0, 1.0]
    table = period_series(df, "csat", window=2, weight="weight", min_n=1)
    w = df["weight"]
    assert table.loc[1, "rolling_n_eff"] == pytest.approx(w.sum() ** 2 / (w**2).sum())
    # Weighted satisfied share pooled: (1 + 2 + 3) / 12 = 50%.
    assert table.loc[1, "rolling_estimate"] == pytest.approx(100 * 6 / 12)


@given(counts=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=3, max_size=8),
       window=st.integers(1, 3))
@PROPERTY
def test_rolling_sums_are_window_sums(counts, window):
    months = pd.period_range("2024-01", periods=len(counts), freq="M")
    groups = {str(m): [5] * sat + [2] * unsat for m, (sat, unsat) in zip(months, counts)}
    groups = {k: v for k, v in groups.items() if v} or {"2024-01": [5]}
    df = _monthly(groups)
    table = period_series(df, "csat", window=window, min_n=1)
    n = table["n"].to_numpy(dtype=float)
    satisfied = (table["estimate"].fillna(0) * n / 100).to_numpy()
    for i in range(window - 1, len(table)):
        pooled_n = n[i - window + 1: i + 1].sum()
        assert table.loc[i, "rolling_n"] == pooled_n
        if pooled_n:
            share = 100 * satisfied[i - window + 1: i + 1].sum() / pooled_n
            assert table.loc[i, "rolling_estimate"] == pytest.approx(share)
        else:
            assert math.isnan(table.loc[i, "rolling_estimate"])


def test_window_errors():
    df = _monthly({"2024-01": _csat(8, 10), "2024-02": _csat(5, 10)})
    with pytest.raises(ParameterError, match="at least 3 periods; the series has 2"):
        period_series(df, "csat", window=3)
    with pytest.raises(ParameterError, match="whole number"):
        period_series(df, "csat", window=0)


def test_dates_are_required():
    df = _monthly({"2024-01": _csat(8, 10)})
    with pytest.raises(MissingColumnError, match="responded_at"):
        period_series(df.drop(columns="responded_at"), "csat")
    undated = df.copy()
    undated.loc[0, "responded_at"] = pd.NaT
    with pytest.raises(DataError, match="1 answer"):
        period_series(undated, "csat")


def test_inputs_are_not_changed(sample):
    before = sample.copy()
    period_series(sample, "csat", window=3)
    period_changes(sample, "csat")
    control_chart(sample, "csat")
    pd.testing.assert_frame_equal(sample, before)


# --- 2. changes -----------------------------------------------------------------------


def test_sample_incident_is_a_significant_month_over_month_drop(sample):
    changes = period_changes(sample, "csat")
    march = changes[changes["period"] == pd.Period("2024-03", "M")].iloc[0]
    assert str(march["reference"]) == "2024-02"
    # data/sample/README.md: CSAT 62.1% in 2024-03 against 74.9% in 2024-02.
    assert march["estimate"] == pytest.approx(62.1, abs=0.05)
    assert march["ref_estimate"] == pytest.approx(74.9, abs=0.05)
    assert march["difference"] < 0 and march["ci_high"] < 0
    assert bool(march["significant"])
    sentence = describe_changes(changes)[march.name]
    assert sentence.startswith("2024-03:") and "points below 2024-02" in sentence
    # 23 month-over-month rows, corrected together.
    assert len(changes) == 23
    assert (changes["correction"] == "Holm").all()


def test_one_pair_matches_compare_periods_and_holm_spans_the_rows(sample):
    changes = period_changes(sample, "nps", period="Q")
    single = compare_periods(sample, metric="nps", period="Q", current="2024Q1",
                             previous="2023Q4", correction="none").iloc[0]
    row = changes[changes["period"] == pd.Period("2024Q1", "Q")].iloc[0]
    for column in ("n", "ref_n", "estimate", "ref_estimate", "difference", "ci_low",
                   "ci_high", "statistic", "p_value"):
        assert row[column] == pytest.approx(single[column], rel=1e-12)
    expected = multipletests(changes["p_value"], method="holm")[1]
    np.testing.assert_allclose(changes["p_adjusted"], expected)
    assert row["test"] == "NPS difference z test; Wald interval"


def test_year_over_year(sample):
    changes = period_changes(sample, "nps", period="Q", kind="yoy")
    assert changes["period"].astype(str).tolist() == ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    assert changes["reference"].astype(str).tolist() == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
    assert (changes["kind"] == "yoy").all()
    # The incident wave (NPS -9.1) against March 2023 (+25.3): a real drop.
    first = changes.iloc[0]
    assert bool(first["significant"]) and first["difference"] < -25
    monthly = period_changes(sample, "csat", kind="yoy")
    assert len(monthly) == 12
    assert (monthly["period"] - monthly["reference"]).map(lambda d: d.n).eq(12).all()


def test_reference_periods_for_days_and_weeks():
    days = pd.Series(pd.PeriodIndex(["2024-02-29", "2024-03-01"], freq="D"))
    assert _reference_periods(days, "yoy").astype(str).tolist() == ["2023-02-28", "2023-03-01"]
    weeks = pd.Series(pd.period_range("2024-01-01", periods=1, freq="W-SUN"))
    assert str(_reference_periods(weeks, "yoy")[0]) == "2023-01-02/2023-01-08"  # 52 weeks
    assert str(_reference_periods(weeks, "pop")[0]) == "2023-12-25/2023-12-31"


def test_small_and_empty_periods_are_never_significant():
    # 10 of 10 satisfied against 0 of 10: a huge difference, but below min_n = 30.
    df = _monthly({"2024-01": _csat(0, 10), "2024-02": _csat(10, 10), "2024-04": _csat(5, 10)})
    changes = period_changes(df, "csat")
    assert changes["period"].astype(str).tolist() == ["2024-02", "2024-03", "2024-04"]
    assert not changes["significant"].any()
    assert changes["small_n"].all()
    assert changes["p_value"].iloc[0] < 0.001  # the test itself would call it
    # March is empty: no test at all.
    assert changes.loc[1, ["p_value", "difference"]].isna().all()
    sentences = describe_changes(changes).tolist()
    assert "too few answers (n=10 and 10) to call a difference" in sentences[0]
    assert sentences[1] == "2024-03: no answers in 2024-03, so no change can be measured."
    assert sentences[2] == "2024-04: no answers in 2024-03, so no change can be measured."


def test_changes_by_segment_are_corrected_together():
    df = pd.concat([
        _monthly({"2024-01": _csat(40, 50), "2024-02": _csat(20, 50)}, channel="chat"),
        _monthly({"2024-01": _csat(30, 50), "2024-02": _csat(31, 50)}, channel="email"),
    ])
    changes = period_changes(df, "csat", by="channel")
    assert changes["channel"].tolist() == ["chat", "email"]
    np.testing.assert_allclose(changes["p_adjusted"],
                               multipletests(changes["p_value"], method="holm")[1])
    sentences = describe_changes(changes).tolist()
    assert sentences[0].startswith("2024-02 (channel = chat): ") and "below 2024-01" in sentences[0]
    assert "not distinguishable" in sentences[1]


def test_change_errors():
    df = _monthly({"2024-01": _csat(40, 50), "2024-02": _csat(20, 50)})
    with pytest.raises(ParameterError, match="'pop'.*'yoy'"):
        period_changes(df, "csat", kind="mom")
    with pytest.raises(ParameterError, match="correction"):
        period_changes(df, "csat", correction="bonferroni")
    with pytest.raises(DataError, match="more than a year of data; use kind='pop'"):
        period_changes(df, "csat", kind="yoy")
    with pytest.raises(DataError, match="two periods or more"):
        period_changes(df[df["responded_at"] < "2024-02-01"], "csat")
    with pytest.raises(MissingColumnError, match="period_changes"):
        describe_changes(pd.DataFrame({"period": []}))


@given(a=st.tuples(st.integers(0, 120), st.integers(1, 120)),
       b=st.tuples(st.integers(0, 120), st.integers(1, 120)),
       min_n=st.sampled_from([1, 30, 100]))
@PROPERTY
def test_sentences_never_call_an_unsupported_change(a, b, min_n):
    (sat1, n1), (sat2, n2) = (min(a[0], a[1]), a[1]), (min(b[0], b[1]), b[1])
    df = _monthly({"2024-01": _csat(sat1, n1), "2024-02": _csat(sat2, n2)})
    changes = period_changes(df, "csat", min_n=min_n)
    row, sentence = changes.iloc[0], describe_changes(changes).iloc[0]
    called = " above " in sentence or " below " in sentence
    assert called == bool(row["significant"])
    if min(n1, n2) < min_n:
        assert not row["significant"] and "too few answers" in sentence


# --- 3. control charts ----------------------------------------------------------------


def test_p_chart_limits_by_hand():
    # January 80 of 100 satisfied, February 35 of 50, March 150 of 200.
    # Centre: p̄ = (80 + 35 + 150) / (100 + 50 + 200) = 265 / 350 = 0.757143 -> 75.7143%.
    # p̄ (1 - p̄) = 265 * 85 / 350² = 22525 / 122500 = 0.183878.
    # January  n=100: sigma = sqrt(0.183878 / 100) = 0.042881 -> 4.2881 points;
    #          limits 75.7143 ± 3 * 4.2881 = 62.8500 .. 88.5786;
    #          z = (80 - 75.7143) / 4.2881 = 0.999.
    # February n=50:  sigma = sqrt(0.183878 / 50) = 0.060643 -> 6.0643;
    #          limits 75.7143 ± 18.1928 = 57.5214 .. 93.9071; z = (70 - 75.7143) / 6.0643 = -0.942.
    # March    n=200: sigma = sqrt(0.183878 / 200) = 0.030321 -> 3.0321;
    #          limits 75.7143 ± 9.0964 = 66.6179 .. 84.8107; z = (75 - 75.7143) / 3.0321 = -0.236.
    df = _monthly({"2024-01": _csat(80, 100), "2024-02": _csat(35, 50), "2024-03": _csat(150, 200)})
    chart = control_chart(df, "csat")
    assert chart["centre"].tolist() == pytest.approx([75.7143] * 3, abs=1e-4)
    assert chart["sigma"].tolist() == pytest.approx([4.2881, 6.0643, 3.0321], abs=1e-4)
    assert chart["lcl"].tolist() == pytest.approx([62.8500, 57.5214, 66.6179], abs=1e-4)
    assert chart["ucl"].tolist() == pytest.approx([88.5786, 93.9071, 84.8107], abs=1e-4)
    assert chart["z"].tolist() == pytest.approx([0.999, -0.942, -0.236], abs=1e-3)
    assert chart["zone"].tolist() == ["C", "C", "C"]
    assert not chart["out_of_control"].any()
    assert chart["chart"].unique().tolist() == ["p chart"]


def test_p_chart_limits_are_clipped_to_0_100():
    # 29 of 30 satisfied each month: p̄ = 87 / 90 = 0.96667, sigma = sqrt(0.96667 * 0.03333 / 30)
    # = 0.032773 -> 3.2773 points; upper limit 96.667 + 9.832 = 106.50 is clipped to 100,
    # lower limit 96.667 - 9.832 = 86.835 stays.
    df = _monthly({m: _csat(29, 30) for m in ("2024-01", "2024-02", "2024-03")})
    chart = control_chart(df, "csat")
    assert chart["ucl"].tolist() == [100.0, 100.0, 100.0]
    assert chart["lcl"].tolist() == pytest.approx([86.8347] * 3, abs=1e-4)


def test_nps_chart_limits_by_hand():
    # January: 50 promoters, 30 passives, 20 detractors (NPS +30); February: 20, 30, 50
    # (NPS -30). Pooled: p̄P = 70 / 200 = 0.35, p̄D = 0.35, centre NPS 0.
    # v̄ = 0.35 + 0.35 - (0.35 - 0.35)² = 0.70; sigma = 100 * sqrt(0.70 / 100) = 8.3666;
    # limits 0 ± 3 * 8.3666 = ± 25.0998; z = ± 30 / 8.3666 = ± 3.5857: both outside.
    df = _monthly({"2024-01": [10] * 50 + [8] * 30 + [3] * 20,
                   "2024-02": [9] * 20 + [7] * 30 + [0] * 50}, survey="nps")
    chart = control_chart(df, "nps")
    assert chart["centre"].tolist() == pytest.approx([0.0, 0.0])
    assert chart["sigma"].tolist() == pytest.approx([8.3666, 8.3666], abs=1e-4)
    assert chart["ucl"].tolist() == pytest.approx([25.0998, 25.0998], abs=1e-4)
    assert chart["lcl"].tolist() == pytest.approx([-25.0998, -25.0998], abs=1e-4)
    assert chart["rules_broken"].tolist() == ["1", "1"]
    assert chart["direction"].tolist() == ["above", "below"]
    assert chart["chart"].iloc[0] == "NPS chart"


def test_xbar_chart_uses_the_pooled_within_period_sd():
    rng = np.random.default_rng(3)
    groups = {m: rng.integers(1, 8, size=size).tolist()
              for m, size in (("2024-01", 40), ("2024-02", 60), ("2024-03", 50))}
    df = _monthly(groups, survey="ces")
    chart = control_chart(df, "ces")
    scores = [np.array(v, dtype=float) for v in groups.values()]
    pooled_var = (sum((len(s) - 1) * s.var(ddof=1) for s in scores)
                  / sum(len(s) - 1 for s in scores))
    grand_mean = np.concatenate(scores).mean()
    sigmas = [math.sqrt(pooled_var / len(s)) for s in scores]
    assert chart["centre"].tolist() == pytest.approx([grand_mean] * 3)
    assert chart["sigma"].tolist() == pytest.approx(sigmas)
    assert chart["ucl"].tolist() == pytest.approx([min(grand_mean + 3 * s, 7) for s in sigmas])
    assert chart["chart"].iloc[0] == "X-bar chart"


def test_sample_incident_is_out_of_control_below(sample):
    chart = control_chart(sample, "csat")
    march = chart[chart["period"] == pd.Period("2024-03", "M")].iloc[0]
    assert bool(march["out_of_control"])
    assert "1" in march["rules_broken"].split("; ")
    assert march["direction"] == "below"
    assert march["estimate"] < march["lcl"] and march["zone"] == "outside"
    # The NPS wave of the incident is out of control too.
    nps = control_chart(sample, "nps")
    wave = nps[nps["period"] == pd.Period("2024-03", "M")].iloc[0]
    assert wave["rules_broken"] == "1" and wave["direction"] == "below"
    # Months without an NPS wave are shown, empty, and never flagged.
    empty = nps[nps["n"] == 0]
    assert len(empty) > 0 and not empty["out_of_control"].any()


def test_baseline_sets_centre_and_spread():
    df = _monthly({"2024-01": _csat(80, 100), "2024-02": _csat(78, 100), "2024-03": _csat(50, 100)})
    chart = control_chart(df, "csat", baseline=("2024-01", "2024-02"))
    # Centre (80 + 78) / 200 = 79%; sigma = 100 * sqrt(.79 * .21 / 100) = 4.073 points;
    # March 50% is (50 - 79) / 4.073 = -7.1 sigma.
    assert chart["centre"].iloc[0] == pytest.approx(79.0)
    assert chart["in_baseline"].tolist() == [True, True, False]
    assert chart.loc[2, "z"] == pytest.approx(-29 / (100 * math.sqrt(0.79 * 0.21 / 100)))
    assert chart["rules_broken"].tolist() == ["", "", "1"]
    open_start = control_chart(df, "csat", baseline=(None, "2024-01"))
    assert open_start["centre"].iloc[0] == pytest.approx(80.0)
    with pytest.raises(DataError, match="baseline periods have no answers"):
        control_chart(df, "csat", baseline=("2023-01", "2023-06"))
    with pytest.raises(ParameterError, match="pair"):
        control_chart(df, "csat", baseline="2024-01")


def test_small_periods_are_not_flagged():
    # February (5 answers, all unsatisfied) is far below the centre but below min_n.
    df = _monthly({"2024-01": _csat(80, 100), "2024-02": _csat(0, 5), "2024-03": _csat(78, 100)})
    chart = control_chart(df, "csat")
    assert chart.loc[1, "z"] < -3
    assert bool(chart.loc[1, "small_n"]) and not bool(chart.loc[1, "out_of_control"])
    assert bool(control_chart(df, "csat", min_n=5).loc[1, "out_of_control"])


def test_control_chart_errors():
    df = _monthly({"2024-01": _csat(80, 100)})
    with pytest.raises(ParameterError, match="Unknown control-chart rule"):
        control_chart(df, "csat", rules=("1", "7"))
    with pytest.raises(ParameterError, match="conf_sigma"):
        control_chart(df, "csat", conf_sigma=0)


# Western Electric rules on hand-made sequences of z = (estimate - centre) / sigma.
RULE_CASES = [
    # rule 1: beyond 3 sigma (strictly)
    ("1", [0.0, 3.1, -0.5], ["", "1", ""]),
    ("1", [0.0, -3.2], ["", "1"]),
    ("1", [2.9, -3.0, 3.0], ["", "", ""]),
    # rule 2: 2 of 3 consecutive beyond 2 sigma on the same side
    ("2", [2.5, 0.0, 2.1], ["", "", "2"]),
    ("2", [-2.5, -2.2, 0.0], ["", "2", ""]),
    ("2", [2.5, -2.5, 0.5], ["", "", ""]),        # opposite sides
    ("2", [2.5, 0.0, 0.0, 2.5], ["", "", "", ""]),  # 2 beyond, but 4 points apart
    ("2", [2.5, 1.9, 1.9], ["", "", ""]),
    # rule 3: 4 of 5 consecutive beyond 1 sigma on the same side
    ("3", [1.5, 1.2, 0.5, 1.1, 1.3], ["", "", "", "", "3"]),
    ("3", [-1.5, -1.2, -1.1, -1.3], ["", "", "", "3"]),
    ("3", [1.5, 1.2, 0.5, 0.5, 1.3], [""] * 5),
    ("3", [1.5, -1.2, 1.1, 1.3, -1.4], [""] * 5),
    # rule 4: 8 consecutive on the same side of the centre line
    ("4", [0.1] * 8, [""] * 7 + ["4"]),
    ("4", [-0.2] * 9, [""] * 7 + ["4", "4"]),
    ("4", [0.1] * 7 + [-0.1], [""] * 8),
    ("4", [0.1] * 7 + [0.0] + [0.1], [""] * 9),
]


@pytest.mark.parametrize(("rule", "z", "expected"), RULE_CASES)
def test_western_electric_rule(rule, z, expected):
    assert western_electric(z, rules=(rule,)).tolist() == expected


def test_western_electric_rules_combine_and_are_documented():
    z = [0.5] * 7 + [3.5]  # rule 4 at the 8th point, which is also beyond 3 sigma
    assert western_electric(z)[-1] == "1; 4"
    assert western_electric(z, rules=("1",))[-1] == "1"
    assert western_electric(z, rules=(4,))[-1] == "4"
    assert western_electric([3.5], conf_sigma=4.0).tolist() == [""]
    assert set(WESTERN_ELECTRIC_RULES) == {"1", "2", "3", "4"}


def test_control_chart_flags_a_run_end_to_end():
    # Ten months, each 100 answers: two at 60%, then eight at 76% -> rule 4 on the last.
    # Centre (2 * 60 + 8 * 76) / 1000 = 72.8%; sigma = sqrt(.728 * .272 / 100) = 4.45 points;
    # the 76% months are +0.72 sigma (zone C): only the run rule fires.
    months = pd.period_range("2024-01", periods=10, freq="M").astype(str)
    groups = {m: _csat(60 if i < 2 else 76, 100) for i, m in enumerate(months)}
    chart = control_chart(_monthly(groups), "csat", rules=("4",))
    assert chart["rules_broken"].tolist() == [""] * 9 + ["4"]
    assert chart["direction"].iloc[-1] == "above"


# --- 4. trend tests -------------------------------------------------------------------


def _pymannkendall_series() -> np.ndarray:
    path = require_shared(REFERENCE / "pymannkendall_arbitrary_1d_30x12.csv")
    frame = pd.read_csv(path)
    return frame.drop(columns="row").to_numpy().ravel()  # row-major: the original order


def test_mann_kendall_reproduces_pymannkendall():
    # Expected values: mmhs013/pyMannKendall, tests/test_pymannkendall.py at commit
    # 4b62f505fcb2920798c7d4ebcbde6d30ec3e5845, test_original_test (trend, h, p, z, Tau,
    # s, var_s on `arbitrary_1d_data`) and test_sens_slope (slope, intercept on the same
    # data; original_test returns sens_slope's values). The data are that fixture, copied
    # into ../shared/reference-data (see its README.md).
    x = _pymannkendall_series()
    assert x.shape == (360,) and np.isnan(x).sum() == 7
    result = trend_test(x)
    assert result.trend == "no trend"
    assert result.significant is False
    assert result.p_value == pytest.approx(0.37591058740506833, rel=1e-12)
    assert result.z == pytest.approx(-0.8854562842589916, rel=1e-12)
    assert result.tau == pytest.approx(-0.03153167653875869, rel=1e-12)
    assert result.s == -1959.0
    assert result.var_s == pytest.approx(4889800.333333333, rel=1e-15)
    assert result.slope == pytest.approx(-0.006369426751592357, rel=1e-12)
    assert result.intercept == pytest.approx(96.15286624203821, rel=1e-12)
    assert (result.n, result.n_missing) == (353, 7)


def test_mann_kendall_no_trend_and_trend_cases_of_pymannkendall():
    # Same test file: NoTrendData (360 equal values) gives p 1, z 0, Tau 0, s 0, var_s 0
    # and slope 0; TrendData (0 .. 359) gives "increasing", Tau 1, s 64620, slope 1,
    # intercept 0 (pyMannKendall's p is 0.0 from 1 - cdf; ours is the tiny sf value).
    flat = trend_test(np.full(360, 7.0))
    assert (flat.p_value, flat.z, flat.tau, flat.s, flat.var_s) == (1.0, 0.0, 0.0, 0.0, 0.0)
    assert flat.slope == 0.0
    assert flat.trend == "no trend"
    rising = trend_test(np.arange(360.0))
    assert rising.trend == "increasing" and rising.tau == 1.0 and rising.s == 64620.0
    assert rising.p_value < 1e-100
    assert rising.slope == 1.0 and rising.intercept == 0.0


def test_sens_slope_and_tau_match_scipy_on_random_series():
    rng = np.random.default_rng(2024)
    for size in (12, 17, 40, 101):
        y = rng.normal(size=size).cumsum() + 0.05 * np.arange(size)
        y[rng.choice(size, size // 8, replace=False)] = np.nan
        ok = ~np.isnan(y)
        position = np.flatnonzero(ok).astype(float)
        result = trend_test(y)
        theil = sps.theilslopes(y[ok], position, alpha=0.95)
        assert result.slope == pytest.approx(theil.slope, rel=1e-12)
        assert result.intercept == pytest.approx(theil.intercept, rel=1e-12)
        assert (result.slope_ci_low, result.slope_ci_high) == pytest.approx(
            (theil.low_slope, theil.high_slope), rel=1e-12)
        # Continuous data have no ties: tau-a (ours, pyMannKendall's) equals scipy's tau-b.
        assert result.tau == pytest.approx(sps.kendalltau(position, y[ok]).statistic, rel=1e-12)
        assert result.n_missing == size // 8


def test_sens_interval_matches_scipy_with_ties():
    y = np.array([3, 3, 4, 2, 5, 5, 5, 6, 4, 7, 7, 8], dtype=float)
    result = trend_test(y, alpha=0.1)
    theil = sps.theilslopes(y, np.arange(12.0), alpha=0.9)
    assert (result.slope, result.slope_ci_low, result.slope_ci_high) == pytest.approx(
        (theil.slope, theil.low_slope, theil.high_slope))
    # Tie correction: groups 3 (x2), 4 (x2), 5 (x3), 7 (x2):
    # [12*11*29 - (3 * 2*1*9 + 2*3*11)] / 18 = (3828 - 54 - 66) / 18 = 206.0
    assert result.var_s == pytest.approx(206.0)
    assert result.conf == pytest.approx(0.9)


@given(values=st.lists(st.one_of(st.integers(0, 5).map(float), st.just(float("nan"))),
                       min_size=12, max_size=30))
@PROPERTY
def test_trend_result_is_coherent(values):
    if np.sum(~np.isnan(values)) < MIN_TREND_PERIODS:
        with pytest.raises(DataError, match=f"at least {MIN_TREND_PERIODS} periods"):
            trend_test(values)
        return
    r = trend_test(values)
    assert -1 <= r.tau <= 1 and 0 <= r.p_value <= 1
    assert r.slope_ci_low <= r.slope <= r.slope_ci_high
    assert r.n + r.n_missing == len(values)
    assert r.significant == (r.trend != "no trend")
    text = r.summary(unit="month")
    assert ("shows no monotonic trend" in text) == (not r.significant)


def test_trend_errors_and_gaps():
    too_few = r"at least 10 periods with data; got 9 \(2 without data\)"
    with pytest.raises(DataError, match=too_few):
        trend_test([1, 2, np.nan, 3, 4, 5, np.nan, 6, 7, 8, 9])
    with pytest.raises(DataError, match="at least 6 periods"):
        trend_test([1, 2, 3], min_periods=6)
    with pytest.raises(ParameterError, match="mann_kendall"):
        trend_test(range(12), method="spearman")
    with pytest.raises(ParameterError, match="numbers"):
        trend_test(["a"] * 12)
    result = trend_test([1, 2, np.nan, 3, 4, 5, np.nan, 6, 7, 8, 9, 10])
    assert (result.n, result.n_missing) == (10, 2)


def test_trend_test_table_on_the_sample(sample):
    series = period_series(sample, "csat")
    row = trend_test_table(series).iloc[0]
    assert row["n"] == 24 and row["n_missing"] == 0
    assert str(row["first_period"]) == "2023-01" and str(row["last_period"]) == "2024-12"
    direct = trend_test(series["estimate"])
    assert row["s"] == direct.s and row["slope"] == direct.slope
    assert row["sentence"].startswith("CSAT (% satisfied) shows ")
    assert "points per month" in row["sentence"]


def test_trend_test_table_counts_gaps_and_empty_periods():
    months = pd.period_range("2023-01", periods=14, freq="M")
    estimate = np.linspace(60, 75, 14)
    estimate[3] = np.nan  # a period without answers
    table = pd.DataFrame({"period": months, "metric": "csat", "estimate": estimate,
                          "small_n": [False] * 13 + [True]})
    gapped = table.drop(index=[7, 8])  # two calendar months missing from the table
    row = trend_test_table(gapped).iloc[0]
    assert (row["n"], row["n_missing"], row["n_small"]) == (11, 3, 1)
    assert "3 month(s) without data skipped" in row["sentence"]
    # The slope keeps the calendar spacing: a straight line stays a straight line.
    assert row["slope"] == pytest.approx(15 / 13)
    assert row["trend"] == "increasing"


def test_trend_test_table_segments():
    months = pd.period_range("2023-01", periods=12, freq="M")
    table = pd.concat([
        pd.DataFrame({"period": months, "metric": "nps", "channel": "chat",
                      "estimate": np.arange(12.0)}),
        pd.DataFrame({"period": months, "metric": "nps", "channel": "email",
                      "estimate": [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8.0]}),
    ])
    with pytest.raises(DataError, match="single segment"):
        trend_test_table(table)
    both = trend_test_table(table, by="channel")
    assert both["channel"].tolist() == ["chat", "email"]
    assert both["trend"].tolist()[0] == "increasing"
    assert both["sentence"].iloc[0].startswith("NPS (channel = chat) shows an increasing trend")
    one = trend_test_table(table[table["channel"] == "email"], by="channel")
    assert len(one) == 1 and one["channel"].iloc[0] == "email"
    short = table[table["period"] < pd.Period("2023-06", "M")]
    with pytest.raises(DataError, match="channel = chat: A trend test needs at least 10"):
        trend_test_table(short, by="channel")


def test_trend_sentence_never_calls_a_trend_the_test_does_not_support():
    months = pd.period_range("2023-01", periods=12, freq="M")
    noisy = pd.DataFrame({"period": months, "metric": "csat",
                          "estimate": [70, 74, 69, 73, 71, 70, 75, 68, 72, 71, 73, 70.0]})
    row = trend_test_table(noisy).iloc[0]
    assert not row["significant"]
    assert "shows no monotonic trend" in row["sentence"]
    assert "increasing" not in row["sentence"] and "decreasing" not in row["sentence"]


def test_an_end_given_as_a_year_covers_the_whole_year():
    frame = pd.DataFrame({"responded_at": pd.to_datetime(["2024-01-15", "2024-06-15", "2024-12-15"]),
                          "survey": "csat", "score": [5.0, 4.0, 2.0]})
    from csat_toolkit.trends import period_series

    series = period_series(frame, "csat", period="M", end="2024", min_n=1)
    assert str(series["period"].iloc[-1]) == "2024-12"


def test_seasonal_kendall_does_not_read_a_season_as_trend():
    # Two years of a pure seasonal pattern (low in Nov-Dec) have no trend: the plain
    # Mann-Kendall test is pulled by where the lows fall, the seasonal test compares
    # each month only with itself (Hirsch, Slack & Smith 1982) and finds S = 0.
    from csat_toolkit.trends import trend_test

    season = np.array([80, 79, 81, 82, 81, 78, 77, 78, 77, 76, 70, 66], dtype=float)
    series = np.concatenate([season, season])
    result = trend_test(series, method="seasonal_kendall", period_length=12)
    assert result.s == 0 and not result.significant and result.slope == 0
    # Hand check on a rising seasonal series: each month rises by 1 a year ->
    # S = 12 (one pair per month), Var(S) = 12 * (2*1*9/18) = 12.
    rising = trend_test(np.concatenate([season, season + 1]), method="seasonal_kendall")
    assert (rising.s, rising.var_s, rising.slope) == (12.0, 12.0, pytest.approx(1 / 12))
    with pytest.raises(ParameterError, match="seasonal_kendall"):
        trend_test(series, method="nope")


def test_control_chart_sentences_name_the_incident_first(sample):
    from csat_toolkit.trends import control_chart, describe_control_chart

    sentences = describe_control_chart(control_chart(sample, "csat", period="M"))
    assert sentences[0].startswith("2024-03: CSAT (% satisfied) 62.1% is below the control limits (rule 1")
    calm = pd.DataFrame({"out_of_control": [False]})
    assert describe_control_chart(calm) == ["Every period is within the control limits."]


def test_trend_result_shows_in_jupyter():
    result = trend_test([1, 2, 3, 2, 4, 5, float("nan"), 6, 8, 7, 9])
    out = result._repr_html_()
    assert html.escape(result.summary()) in out
    assert ">Tau<" in out and ">Slope 95% CI<" in out and ">0.6 to 1.0<" in out  # (0.6, 1.0) as above
    assert f"Method: {html.escape(result.method)}" in out
