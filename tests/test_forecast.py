"""Tests of :mod:`csat_toolkit.forecast`: seasonality, change points, forecasts, goals.

The sample data (``data/sample/README.md``) carry known effects: a yearly CSAT
seasonality with a Nov-Dec low (logit -0.30, -0.40) and a spring high (Mar-May),
and an incident in 2024-03 (CSAT 62.1% against 74.9% and 77.6% around it). The
analyses must find both, and must not mistake the one-month incident for a
seasonal effect or for a regime change.

Hand-computed references: the strength of seasonality (Wang, Smith & Hyndman 2006)
from the components, the segment means of the change-point fit as weighted means,
the optimal partition against brute force over every placement of the breaks, and
goal probabilities from the normal distribution implied by the prediction interval.
"""
from __future__ import annotations

import html
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

import csat_toolkit as ct
from csat_toolkit import forecast as fc
from csat_toolkit.errors import DataError, MissingColumnError, ParameterError

PROPERTY = settings(max_examples=30)  # the rest from the profile in conftest.py


@pytest.fixture(scope="module")
def csat_series(sample_responses):
    return ct.metric_table(sample_responses.data, "csat", period="M")


@pytest.fixture(scope="module")
def seasonality(csat_series):
    return fc.seasonal_decomposition(csat_series)


def _table(estimates, *, start="2023-01", freq="M", n=500, se=1.5, **extra):
    """A series table with a constant standard error (interval = estimate +- 1.96 se)."""
    estimates = np.asarray(estimates, dtype=float)
    half = sps.norm.ppf(0.975) * se
    return pd.DataFrame({
        "period": pd.period_range(start, periods=len(estimates), freq=freq),
        "n": n, "estimate": estimates, "ci_low": estimates - half,
        "ci_high": estimates + half, "conf": 0.95, **extra,
    })


# --- seasonal decomposition -----------------------------------------------------------


def test_sample_seasonality_finds_the_nov_dec_low(seasonality):
    assert seasonality.ran
    assert set(seasonality.low) == {"Nov", "Dec"}
    assert {"Apr", "May"} <= set(seasonality.high)
    assert seasonality.p_value < 1e-6
    profile = seasonality.profile.set_index("position")
    assert profile.loc["Dec", "effect"] < profile.loc["Nov", "effect"] < -2
    assert "Nov, Dec" in seasonality.summary()


def test_sample_incident_month_is_irregular_not_seasonal(seasonality):
    # 2023-03 was high (spring), 2024-03 the incident: the two Marches disagree.
    assert "Mar" in seasonality.irregular
    assert "Mar" not in seasonality.low
    assert "one-off" in seasonality.summary()


def test_components_add_up_and_strength_is_the_published_formula(seasonality):
    table = seasonality.table
    assert len(table) == 24
    np.testing.assert_allclose(table["trend"] + table["seasonal"] + table["resid"],
                               table["estimate"], atol=1e-9)
    resid, seasonal = table["resid"].to_numpy(), table["seasonal"].to_numpy()
    expected = max(0.0, 1 - np.var(resid) / np.var(seasonal + resid))
    assert seasonality.strength == pytest.approx(expected)
    assert 0 <= seasonality.strength <= 1
    profile = seasonality.profile
    assert seasonality.amplitude == pytest.approx(profile["effect"].max() - profile["effect"].min())
    assert list(profile["position"]) == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                                         "Aug", "Sep", "Oct", "Nov", "Dec"]


def test_periodic_seasonal_is_the_same_every_cycle(seasonality):
    seasonal = seasonality.table["seasonal"].to_numpy()
    np.testing.assert_allclose(seasonal[:12], seasonal[12:], atol=1e-3)  # wide loess, not exact


def test_two_cycles_do_not_use_robust_fitting_and_say_so(seasonality):
    assert not seasonality.robust
    assert "robust fitting not used" in seasonality.reason


def test_three_cycles_use_robust_fitting():
    rng = np.random.default_rng(7)
    months = pd.period_range("2021-01", periods=36, freq="M")
    values = 75 + np.where(months.month == 12, -8.0, 0.0) + rng.normal(0, 1.0, 36)
    values[20] -= 15  # a one-off
    result = fc.seasonal_decomposition(_table(values, start="2021-01"))
    assert result.robust and result.low == ("Dec",)
    assert "Sep" not in result.low


@pytest.mark.parametrize("months", [24, 36])
def test_seasonality_test_holds_its_level_on_noise(months):
    """Without seasonality the test rejects in about 5% of series (robust or not)."""
    rng = np.random.default_rng(months)
    runs = [fc.seasonal_decomposition(_table(75 + rng.normal(0, 1.5, months)))
            for _ in range(60)]
    rejected = np.mean([r.p_value < 0.05 for r in runs])
    flagged = np.mean([bool(r.low or r.high) for r in runs])
    assert rejected <= 0.15 and flagged <= 0.15  # 5% expected; binomial(60) noise


def test_too_few_periods_is_skipped_with_a_reason(csat_series):
    result = fc.seasonal_decomposition(csat_series.head(20))
    assert not result.ran
    assert "at least 2 full cycles (24 periods)" in result.reason
    assert "the series has only 2023-01..2024-08 (20 periods)" in result.reason
    assert result.summary().startswith("Seasonality not estimated:")


def test_a_gap_is_named_in_the_reason(csat_series):
    gappy = csat_series[csat_series["period"].astype(str) != "2023-06"]
    result = fc.seasonal_decomposition(gappy)
    assert not result.ran
    assert "'2023-06' had no answers" in result.reason
    assert "2023-07..2024-12 (18 periods)" in result.reason


def test_empty_period_rows_count_as_gaps(csat_series):
    with_empty = csat_series.copy()
    with_empty.loc[5, ["n", "estimate"]] = [0, np.nan]
    assert not fc.seasonal_decomposition(with_empty).ran


def test_earlier_periods_before_a_gap_are_left_out_and_said(csat_series):
    extra = _table([70.0], start="2022-01")
    result = fc.seasonal_decomposition(pd.concat([extra, csat_series], ignore_index=True))
    assert result.ran and "earlier periods left out" in result.reason


def test_nps_waves_by_month_have_gaps(sample_responses):
    monthly_nps = ct.metric_table(sample_responses.data, "nps", period="M")
    result = fc.seasonal_decomposition(monthly_nps)
    assert not result.ran and "period='Q'" in result.reason


def test_years_have_no_cycle():
    result = fc.seasonal_decomposition(_table(np.arange(30.0), start="1990", freq="Y"))
    assert not result.ran and "no seasonal cycle" in result.reason


def test_series_table_errors(sample_responses, csat_series):
    by_channel = ct.metric_table(sample_responses.data, "csat", by="channel", period="M")
    with pytest.raises(ParameterError, match="Several rows for period"):
        fc.seasonal_decomposition(by_channel)
    with pytest.raises(MissingColumnError, match="'estimate'"):
        fc.seasonal_decomposition(csat_series.drop(columns="estimate"))
    with pytest.raises(DataError, match="no rows"):
        fc.seasonal_decomposition(csat_series.head(0))
    with pytest.raises(ParameterError, match="seasonal_window"):
        fc.seasonal_decomposition(csat_series, seasonal_window=4)
    with pytest.raises(ParameterError, match="period_length"):
        fc.seasonal_decomposition(csat_series, period_length=1)
    bad = csat_series.assign(period=["not a period"] * len(csat_series))
    with pytest.raises(ParameterError, match="calendar periods"):
        fc.seasonal_decomposition(bad)


def test_string_periods_are_accepted(csat_series):
    as_text = csat_series.assign(period=csat_series["period"].astype(str))
    assert fc.seasonal_decomposition(as_text).low == ("Nov", "Dec")


# --- change points --------------------------------------------------------------------


def test_sample_incident_is_a_transient_dip(csat_series):
    result = fc.change_points(csat_series)
    outliers = result.outliers
    assert outliers["period"].astype(str).tolist() == ["2024-03"]
    assert outliers["kind"].tolist() == ["dip"]
    assert outliers["z"].iloc[0] < -5
    # Not a regime change: no break starts at or just after the incident.
    assert not set(result.breaks["period"].astype(str)) & {"2024-03", "2024-04"}
    assert "2024-03 dip" in result.summary()


def test_without_intervals_standard_errors_come_from_n(csat_series):
    bare = csat_series[["period", "n", "estimate"]]
    result = fc.change_points(bare, seasonal=None)
    assert "2024-03" in set(result.outliers["period"].astype(str))
    se = result.table["se"].to_numpy()
    np.testing.assert_allclose(se * np.sqrt(result.table["n"]), se[0] * np.sqrt(result.table["n"][0]))


def test_sample_incident_found_without_seasonal_adjustment_too(csat_series):
    result = fc.change_points(csat_series, seasonal=None)
    assert "2024-03" in set(result.outliers["period"].astype(str))


def test_seasonal_adjustment_keeps_december_from_being_an_outlier(csat_series, seasonality):
    result = fc.change_points(csat_series, seasonal=seasonality)
    table = result.table.set_index(result.table["period"].astype(str))
    assert not table.loc["2023-12", "outlier"]
    assert table.loc["2023-12", "adjusted"] > table.loc["2023-12", "estimate"] + 5
    assert table.loc["2024-03", "adjusted"] == table.loc["2024-03", "estimate"]  # irregular


def test_step_and_one_off_hand_made():
    values = np.r_[np.full(8, 80.0), np.full(8, 70.0)] + np.tile([0.3, -0.3], 8)
    values[3] = 60.0
    result = fc.change_points(_table(values), seasonal=None)
    assert result.breaks["period"].astype(str).tolist() == ["2023-09"]
    assert result.breaks["change"].iloc[0] == pytest.approx(-10.0, abs=0.5)
    assert result.outliers["period"].astype(str).tolist() == ["2023-04"]
    # Segment means leave the outlier out (equal weights here: plain means).
    first = np.delete(values[:8], 3).mean()
    assert result.segments["mean"].iloc[0] == pytest.approx(first)
    assert result.segments["mean"].iloc[1] == pytest.approx(values[8:].mean())
    assert result.segments["periods"].tolist() == [8, 8]


def test_segment_means_are_weighted_by_precision():
    values = np.r_[70.0, 72.0, 74.0, 71.0, 73.0, 72.0]
    se = np.r_[1.0, 2.0, 2.0, 1.0, 1.5, 1.0]
    table = _table(values)
    table["ci_low"], table["ci_high"] = values - 1.959964 * se, values + 1.959964 * se
    result = fc.change_points(table, seasonal=None, max_breaks=0)
    w = 1 / se**2
    assert result.segments["mean"].iloc[0] == pytest.approx((w * values).sum() / w.sum(), rel=1e-6)


def _brute_force(values, w, breaks, min_size):
    best = math.inf
    for starts in itertools.combinations(range(min_size, len(values) - min_size + 1), breaks):
        bounds = [0, *starts, len(values)]
        if any(b - a < min_size for a, b in zip(bounds[:-1], bounds[1:])):
            continue
        cost = 0.0
        for a, b in zip(bounds[:-1], bounds[1:]):
            mean = np.average(values[a:b], weights=w[a:b])
            cost += (w[a:b] * (values[a:b] - mean) ** 2).sum()
        best = min(best, cost)
    return best


@PROPERTY
@given(st.lists(st.floats(60, 90), min_size=9, max_size=13),
       st.lists(st.floats(0.5, 3.0), min_size=13, max_size=13),
       st.integers(1, 2))
def test_optimal_partition_matches_brute_force(values, ses, breaks):
    values, se = np.asarray(values), np.asarray(ses[: len(values)])
    observed = pd.DataFrame({"adjusted": values, "se": se})
    none = np.zeros(len(values), dtype=bool)
    starts = fc._best_partition(observed, none, breaks, 2, 0.0, 1.0)  # no penalty: all breaks
    bounds = [*starts, len(values)]
    sums = fc._cumulative(observed, none)
    cost = sum(float(fc._cost(sums, a, b)) for a, b in zip(bounds[:-1], bounds[1:]))
    w = 1 / se**2
    assert cost == pytest.approx(_brute_force(values, w, breaks, 2), rel=1e-9, abs=1e-9)


def test_no_breaks_with_an_infinite_penalty(csat_series):
    assert fc.change_points(csat_series, penalty=1e12).breaks.empty


def test_default_outlier_threshold_is_bonferroni(csat_series):
    values = np.r_[np.full(24, 75.0)]
    values[10] = 75 + 3.0 * 1.5  # 3.0 se: below Bonferroni's 3.08 for 24 periods
    assert fc.change_points(_table(values), seasonal=None).outliers.empty
    assert len(fc.change_points(_table(values), seasonal=None, z=2.5).outliers) == 1


def test_gaps_belong_to_no_segment(csat_series):
    gappy = csat_series[~csat_series["period"].astype(str).isin(["2023-06", "2023-07"])]
    result = fc.change_points(gappy)
    assert len(result.table) == 22
    assert "2024-03" in set(result.outliers["period"].astype(str))


def test_change_point_errors(csat_series):
    with pytest.raises(DataError, match="at least 6 periods with answers"):
        fc.change_points(csat_series.head(5))
    with pytest.raises(ParameterError, match="penalty"):
        fc.change_points(csat_series, penalty="aic")
    with pytest.raises(ParameterError, match="min_size"):
        fc.change_points(csat_series, min_size=0)
    with pytest.raises(ParameterError, match="seasonal must be"):
        fc.change_points(csat_series, seasonal="yes")


# --- forecast -------------------------------------------------------------------------


def test_sample_forecast_shape_and_intervals(csat_series):
    out = fc.forecast(csat_series, horizon=3)
    assert list(out.columns) == ["period", "step", "forecast", "pi_low", "pi_high", "conf", "method"]
    assert out["period"].astype(str).tolist() == ["2025-01", "2025-02", "2025-03"]
    assert (out["pi_low"] < out["forecast"]).all() and (out["forecast"] < out["pi_high"]).all()
    width = out["pi_high"] - out["pi_low"]
    assert (np.diff(width) >= -1e-9).all()
    assert out[["pi_low", "pi_high"]].stack().between(0, 100).all()
    assert 60 < out["forecast"].iloc[0] < 85
    assert "2023-01..2024-12 (24 periods)" in out["method"].iloc[0]


def test_lower_confidence_gives_narrower_intervals(csat_series):
    wide = fc.forecast(csat_series, conf=0.95)
    narrow = fc.forecast(csat_series, conf=0.8)
    assert ((narrow["pi_high"] - narrow["pi_low"]) < (wide["pi_high"] - wide["pi_low"])).all()
    np.testing.assert_allclose(narrow["forecast"], wide["forecast"])


def test_forecast_is_deterministic(csat_series):
    pd.testing.assert_frame_equal(fc.forecast(csat_series), fc.forecast(csat_series))


def test_seasonal_choice(csat_series):
    auto = fc.forecast(csat_series)["method"].iloc[0]
    assert "chosen by AICc" in auto
    forced = fc.forecast(csat_series, seasonal=True)["method"].iloc[0]
    assert forced.startswith("ETS(A,Ad,A)")
    assert fc.forecast(csat_series, seasonal=False)["method"].iloc[0].startswith("ETS(A,Ad,N)")
    assert fc.forecast(csat_series, damped=False)["method"].iloc[0].startswith("ETS(A,A,")
    with pytest.raises(DataError, match="at least 2 full cycles"):
        fc.forecast(csat_series.head(20), seasonal=True)


def test_forecast_stays_in_the_metric_range():
    values = np.r_[np.linspace(90, 99.5, 12)]
    out = fc.forecast(_table(values, metric="csat"), horizon=6, damped=False)
    assert out[["forecast", "pi_low", "pi_high"]].stack().between(0, 100).all()


def test_forecast_errors(csat_series):
    with pytest.raises(DataError, match="at least 8 consecutive periods"):
        fc.forecast(csat_series.head(6))
    gappy = csat_series[csat_series["period"].astype(str) != "2024-08"]
    with pytest.raises(DataError, match="'2024-08' had no answers"):
        fc.forecast(gappy)
    with pytest.raises(ParameterError, match="horizon"):
        fc.forecast(csat_series, horizon=0)
    with pytest.raises(ParameterError, match="conf"):
        fc.forecast(csat_series, conf=95)


# --- goals ----------------------------------------------------------------------------


def _forecast_table(mean=70.0, low=60.0, high=80.0, period="2025-03"):
    return pd.DataFrame({"period": [pd.Period(period, freq="M")], "forecast": [mean],
                         "pi_low": [low], "pi_high": [high], "conf": [0.95], "method": ["given"]})


@pytest.mark.parametrize(("target", "status"), [(60.0, "on track"), (70.0, "at risk"),
                                                (80.0, "off track")])
def test_goal_probability_from_the_interval(csat_series, target, status):
    result = fc.goal_status(csat_series, target=target, by="2025-03",
                            forecast_table=_forecast_table())
    sd = 10 / sps.norm.ppf(0.975)
    assert result.probability == pytest.approx(sps.norm.sf(target, 70, sd))
    assert result.status == status


def test_goal_status_thresholds(csat_series):
    sd = 10 / sps.norm.ppf(0.975)
    for probability, status in [(0.7001, "on track"), (0.6999, "at risk"), (0.3001, "at risk"),
                                (0.2999, "off track")]:
        target = float(sps.norm.isf(probability, 70, sd))
        result = fc.goal_status(csat_series, target=target, by="2025-03",
                                forecast_table=_forecast_table())
        assert result.status == status, probability
    assert fc._status(0.5, (0.2, 0.5)) == "on track"


def test_goal_at_most(csat_series):
    result = fc.goal_status(csat_series, target=60, by="2025-03", direction="at_most",
                            forecast_table=_forecast_table())
    assert result.probability == pytest.approx(0.025, abs=1e-6)


def test_goal_change_is_relative_to_the_last_period(csat_series):
    result = fc.goal_status(csat_series, change=5, by="2025-03-31")
    row = result.table.iloc[0]
    last = csat_series["estimate"].iloc[-1]
    assert row["target"] == pytest.approx(last + 5)
    assert row["baseline"] == pytest.approx(last) and str(row["baseline_period"]) == "2024-12"
    assert str(row["period"]) == "2025-03"
    assert 0 <= result.probability <= 1
    assert result.status in {"on track", "at risk", "off track"}
    assert "+5.0" in result.summary()


def test_goal_change_from_a_chosen_baseline(csat_series):
    result = fc.goal_status(csat_series, change=-2, by="2025-02", baseline="2024-06")
    june = csat_series.loc[csat_series["period"].astype(str) == "2024-06", "estimate"].iloc[0]
    assert result.table["target"].iloc[0] == pytest.approx(june - 2)


@PROPERTY
@given(st.floats(0, 100), st.floats(50, 90), st.floats(0.5, 20))
def test_goal_probability_is_a_probability_and_falls_with_the_target(target, mean, half):
    table = _forecast_table(mean, mean - half, mean + half)
    p = fc._probability(table.iloc[0], target, "at_least")
    p_higher = fc._probability(table.iloc[0], target + 1, "at_least")
    assert 0 <= p <= 1 and p_higher <= p


def test_goal_errors(csat_series):
    with pytest.raises(ParameterError, match="not after the last observed period"):
        fc.goal_status(csat_series, target=80, by="2024-06-30")
    with pytest.raises(ParameterError, match="not after the last observed period"):
        fc.goal_status(csat_series, target=80, by="2024-12")
    with pytest.raises(ParameterError, match="either target= .* or change="):
        fc.goal_status(csat_series, target=80, change=5, by="2025-03")
    with pytest.raises(ParameterError, match="either target="):
        fc.goal_status(csat_series, by="2025-03")
    with pytest.raises(ParameterError, match="does not reach the goal period 2025-06"):
        fc.goal_status(csat_series, target=80, by="2025-06", forecast_table=_forecast_table())
    with pytest.raises(ParameterError, match="not a date or period"):
        fc.goal_status(csat_series, target=80, by="next spring")
    with pytest.raises(ParameterError, match="baseline period 2022-01 has no answers"):
        fc.goal_status(csat_series, change=5, by="2025-03", baseline="2022-01")
    with pytest.raises(ParameterError, match="thresholds"):
        fc.goal_status(csat_series, target=80, by="2025-03", thresholds=(0.8, 0.2))
    with pytest.raises(ParameterError, match="direction"):
        fc.goal_status(csat_series, target=80, by="2025-03", direction="up")


def test_goal_by_a_quarter_means_its_last_month():
    # "Raise CSAT by the end of 2025Q1" on a monthly series is judged at 2025-03, not 2025-01.
    from csat_toolkit.tally import period_of

    assert str(period_of("2025Q1", "M", how="end")) == "2025-03"
    periods = pd.period_range("2023-01", periods=24, freq="M")
    series = pd.DataFrame({"period": periods, "n": 200, "estimate": 70.0 + np.arange(24) * 0.1})
    result = ct.forecast.goal_status(series, target=72, by="2025Q1")
    assert "2025-03" in result.summary()


def test_extra_month_to_month_noise_widens_the_seasonality_test():
    # Periods that vary far beyond their sampling error (here +-6 points on n = 2,000,
    # whose se is about 1) get a dispersion factor above 1, and the seasonality test
    # uses se * sqrt(dispersion); without extra noise the factor stays at 1.
    rng = np.random.default_rng(3)
    periods = pd.period_range("2023-01", periods=36, freq="M")
    estimate = 75 + rng.normal(0, 6, 36)
    se = np.full(36, 1.0)
    noisy = pd.DataFrame({"period": periods, "n": 2000, "estimate": estimate,
                          "ci_low": estimate - 1.96 * se, "ci_high": estimate + 1.96 * se})
    result = ct.forecast.seasonal_decomposition(noisy)
    assert result.dispersion > 4
    assert result.p_value > 0.05 and not result.low and not result.high


# --- goals relative to the data, and messages that fit the series (issue 10) -------------


def test_goal_within_periods_of_the_last_observed(csat_series):
    within = fc.goal_status(csat_series, change=5, within=3)
    dated = fc.goal_status(csat_series, change=5, by="2025-03")
    pd.testing.assert_frame_equal(within.table, dated.table)
    assert str(within.table["period"].iloc[0]) == "2025-03"  # sample ends 2024-12


def test_goal_within_follows_data_from_another_year():
    series = _table(75 + np.tile([1.0, -1.0, 0.5], 6), start="2025-07")  # 2025-07..2026-12
    result = fc.goal_status(series, target=70, within=2)
    assert str(result.table["period"].iloc[0]) == "2027-02"
    assert result.status == "on track"


@pytest.mark.parametrize("kwargs, message", [
    (dict(by="2025-03", within=3), "either by= .* or within="),
    (dict(), "either by= .* or within="),
    (dict(within=0), "within must be a whole number"),
    (dict(within=2.5), "within must be a whole number"),
])
def test_goal_within_errors(csat_series, kwargs, message):
    with pytest.raises(ParameterError, match=message):
        fc.goal_status(csat_series, change=5, **kwargs)


def test_goal_from_parameter_default_relative_goal(csat_series):
    check = fc.goal_from_parameter(csat_series, {"change": 5, "within": 3})
    assert not check.skipped
    expected = fc.goal_status(csat_series, change=5, within=3)
    assert check.result.probability == pytest.approx(expected.probability)
    assert check.sentence == expected.summary()


def test_goal_from_parameter_past_date_is_skipped_with_a_sentence(csat_series):
    check = fc.goal_from_parameter(csat_series, {"change": 5, "by": "2024-12"})
    assert check.skipped and check.result is None
    assert check.sentence == ("Goal skipped: its date '2024-12' (2024-12) is not after the last "
                              "observed period (2024-12); give a later 'by', or use 'within' "
                              "(periods after the last one).")
    # A date the data have long passed (as 02_trends' goal on another calendar), given as a
    # day: read as its month. 02_trends lists the sentence in headline["skipped"] as it does
    # for an empty goal (tests/test_notebook_metrics_trends.py).
    before = fc.goal_from_parameter(csat_series, {"change": 5, "by": "2024-06-15"})
    assert before.skipped and before.result is None
    assert before.sentence == ("Goal skipped: its date '2024-06-15' (2024-06) is not after the "
                               "last observed period (2024-12); give a later 'by', or use "
                               "'within' (periods after the last one).")


def test_goal_from_parameter_empty_and_short_series(csat_series):
    assert fc.goal_from_parameter(csat_series, {}).sentence == "No goal set (parameter goal is empty)."
    assert fc.goal_from_parameter(csat_series, None).skipped
    short = fc.goal_from_parameter(csat_series.head(5), {"target": 80, "within": 2})
    assert short.skipped and short.sentence.startswith(
        "Goal skipped: A forecast needs at least 8 consecutive periods")


def test_goal_from_parameter_unknown_key(csat_series):
    with pytest.raises(ParameterError, match=r"Unknown key\(s\) 'when' in goal"):
        fc.goal_from_parameter(csat_series, {"change": 5, "when": 3})


def test_stl_on_a_short_monthly_series_asks_for_more_months_not_monthly_periods():
    series = _table(75 + np.tile([1.0, -1.0, 0.5], 6), start="2025-07")  # 18 months
    reason = fc.seasonal_decomposition(series).reason
    assert "A monthly series needs two full years (24 months)" in reason
    assert "6 more months of data would do" in reason
    assert "period='M'" not in reason and "shorter period (period=" not in reason


def test_stl_on_a_short_quarterly_series_wording():
    reason = fc.seasonal_decomposition(_table(np.arange(6.0), start="2024Q1", freq="Q")).reason
    assert "A quarterly series needs two full years (8 quarters)" in reason
    assert "2 more quarters" in reason and "period='Q'" not in reason


@pytest.mark.parametrize("freq, start, suggestion, own", [
    ("M", "2024-01", "shorter period (period='W')", "period='M'"),
    ("Q", "2024Q1", "shorter period (period='M')", "period='Q'"),
])
def test_short_series_messages_never_suggest_their_own_period(freq, start, suggestion, own):
    series = _table(np.arange(5.0), start=start, freq=freq)
    for call in (lambda: fc.forecast(series), lambda: fc.change_points(series)):
        with pytest.raises(DataError) as error:
            call()
        assert suggestion in str(error.value) and own not in str(error.value)


def test_series_shape_on_the_sample_uses_the_seasonal_kendall_test(csat_series, seasonality):
    shape = fc.series_shape(csat_series)
    assert shape.season.ran and shape.season.low == seasonality.low
    assert "seasonal Kendall" in shape.trend and shape.notes[0] == shape.trend
    assert shape.notes[1] == seasonality.summary() and shape.skipped == []
    assert shape.notes[2] == fc.change_points(csat_series).summary()


def test_series_shape_on_a_short_series_says_what_was_skipped(csat_series):
    shape = fc.series_shape(csat_series.head(5))
    assert not shape.season.ran
    assert shape.trend.startswith("Trend test skipped: ")
    assert shape.skipped[0] == shape.trend
    assert shape.skipped[1].startswith("Change points skipped: Change-point detection needs")
    assert shape.skipped[2].startswith("Seasonality not estimated: STL needs")


# --- results in JupyterLab (issue 13) ---------------------------------------------------


def test_seasonality_says_p_the_toolkit_way_and_shows_in_jupyter(seasonality, csat_series):
    # p < 1e-6 on the sample: "p < 0.001", never "p = 4.2e-14".
    assert "(test of seasonality p < 0.001, strength " in seasonality.summary()
    out = seasonality._repr_html_()
    assert html.escape(seasonality.summary()) in out and ">Position<" in out
    assert ">Effect<" in out and f"Method: {html.escape(seasonality.reason)}" in out
    short = fc.seasonal_decomposition(csat_series.head(12))
    assert html.escape(short.summary()) in short._repr_html_()
    assert "<table" not in short._repr_html_()


def test_change_points_and_series_shape_show_in_jupyter(csat_series):
    result = fc.change_points(csat_series)
    out = result._repr_html_()
    assert html.escape(result.summary()) in out and ">Segment<" in out and ">95% CI<" in out
    assert f"penalty {result.penalty:.3g} per break" in out
    shape = fc.series_shape(csat_series)
    out = shape._repr_html_()
    assert all(html.escape(note) in out for note in shape.notes)
    assert shape.summary() == " ".join(shape.notes) and ">Position<" in out


def test_goal_results_show_in_jupyter(csat_series):
    result = fc.goal_status(csat_series, target=70, by="2025-03", forecast_table=_forecast_table())
    out = result._repr_html_()
    assert html.escape(result.summary()) in out and ">Probability<" in out
    assert ">95% prediction interval<" in out
    check = fc.goal_from_parameter(csat_series, {"change": 5, "by": "2024-12"})
    assert check.summary() == check.sentence
    assert html.escape(check.sentence) in check._repr_html_()
    made = fc.goal_from_parameter(csat_series, {"change": 5, "within": 3})
    assert made._repr_html_() == made.result._repr_html_()
