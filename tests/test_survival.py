"""Tests of :mod:`csat_toolkit.survival`: Kaplan-Meier, log-rank, Cox, churn after answers.

Checks, each against an independent computation:

- Kaplan-Meier and Greenwood standard errors: SAS PROC LIFETEST output for the
  bone-marrow-transplant data (group ALL; the reference files of statsmodels' own
  tests), and R survival's published ``summary(survfit(...))`` of the AML data
  (Miller 1981), intervals included (R's default ``conf.type="log"``);
- a hand-computed six-row curve, its log-log interval worked out by hand at one time,
  the ``times=`` read-out and ``expected_churn``;
- the log-rank test: R ``survdiff`` on the AML data, and a ten-row example by hand
  (observed, expected, variance and chi-square);
- the Cox model: R ``coxph`` on the AML data with Efron and Breslow ties; the
  proportional-hazards check computed by hand from R's published Schoenfeld residuals,
  and on simulated data with and without a hazard ratio that changes over time;
- churn after a survey answer: a hand-made customer table (censoring at ``as_of``,
  churn before the answer, unknown customers, later answers, ...), and the sample
  data, where the 12-month churn of detractors > passives > promoters and the
  intervals cover the true shares built into the generator;
- every error path, with a message that names the column and says what to do.
"""
from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from csat_toolkit.errors import DataError, MissingColumnError, ParameterError
from csat_toolkit.survival import (
    DAYS_PER_MONTH, ChurnResult, churn_by_category, expected_churn, hazard_ratios,
    logrank_test, retention_curves,
)
from tests.conftest import REFERENCE, SAMPLE, require_shared

# --- reference data ---------------------------------------------------------------------

# R survival's `aml` data (Miller 1981, "Survival Analysis", Wiley; R: data(cancer,
# package="survival")), 23 rows, as in vincentarelbundock/Rdatasets csv/survival/aml.csv
# (group 1 = Maintained, 2 = Nonmaintained; cens 1 = relapse).
AML_TIME = [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161,
            5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45]
AML_STATUS = [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0,
              1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]
AML_X = ["Maintained"] * 11 + ["Nonmaintained"] * 12


def _aml() -> pd.DataFrame:
    return pd.DataFrame({"time": AML_TIME, "status": AML_STATUS, "x": AML_X})


# R survival's own regression test tests/doaml.Rout.save (github.com/therneau/survival,
# commit 47f9e74265ace124d3e0f4586636b0bce460b305, R 3.4.1; the same figures in the 2010
# version under R 2.11.1): `summary(survfit(Surv(aml$time, aml$status) ~ aml$x))`.
# Columns: time, n.risk, n.event, survival, std.err, lower 95% CI, upper 95% CI
# (conf.type = "log", R's default). The last row's interval is NA.
R_AML_SURVFIT = {
    "Maintained": [
        (9, 11, 1, 0.909, 0.0867, 0.7541, 1.000),
        (13, 10, 1, 0.818, 0.1163, 0.6192, 1.000),
        (18, 8, 1, 0.716, 0.1397, 0.4884, 1.000),
        (23, 7, 1, 0.614, 0.1526, 0.3769, 0.999),
        (31, 5, 1, 0.491, 0.1642, 0.2549, 0.946),
        (34, 4, 1, 0.368, 0.1627, 0.1549, 0.875),
        (48, 2, 1, 0.184, 0.1535, 0.0359, 0.944),
    ],
    "Nonmaintained": [
        (5, 12, 2, 0.8333, 0.1076, 0.6470, 1.000),
        (8, 10, 2, 0.6667, 0.1361, 0.4468, 0.995),
        (12, 8, 1, 0.5833, 0.1423, 0.3616, 0.941),
        (23, 6, 1, 0.4861, 0.1481, 0.2675, 0.883),
        (27, 5, 1, 0.3889, 0.1470, 0.1854, 0.816),
        (30, 4, 1, 0.2917, 0.1387, 0.1148, 0.741),
        (33, 3, 1, 0.1944, 0.1219, 0.0569, 0.664),
        (43, 2, 1, 0.0972, 0.0919, 0.0153, 0.620),
        (45, 1, 1, 0.0000, np.nan, np.nan, np.nan),
    ],
}


def _decimals(value: float) -> int:
    text = f"{value}"
    return len(text.split(".")[1]) if "." in text else 0


def _close_to_printed(actual: float, printed: float, decimals: int) -> bool:
    """``actual`` rounds to the published figure printed with ``decimals`` decimals."""
    return abs(actual - printed) <= 0.5 * 10.0**-decimals + 1e-9


# --- Kaplan-Meier against SAS and R -------------------------------------------------------


def test_kaplan_meier_matches_sas_lifetest_bmt_all():
    # SAS PROC LIFETEST, bone-marrow-transplant data of Klein & Moeschberger, group ALL:
    # statsmodels/statsmodels @ 82c59e37 statsmodels/duration/tests/results/bmt_results.csv
    # (copied to reference-data; see its README). Columns t, s (survival), se (Greenwood).
    bmt = pd.read_csv(require_shared(REFERENCE / "statsmodels_bmt.csv"))
    sas = pd.read_csv(REFERENCE / "statsmodels_bmt_results_ALL_SAS.csv", usecols=["t", "s", "se"])
    curves = retention_curves(bmt[bmt["Group"] == "ALL"], duration="T", event="Status")
    at_events = curves[curves["events"] > 0].reset_index(drop=True)
    assert at_events["time"].tolist() == sas["t"].astype(float).tolist()
    np.testing.assert_allclose(at_events["estimate"] / 100, sas["s"], atol=5e-6)
    np.testing.assert_allclose(at_events["se"] / 100, sas["se"], atol=5e-7)
    assert curves["n"].unique().tolist() == [38]
    # every row is a churn or a censoring; the counts add up to the group size
    assert curves["events"].sum() + curves["censored"].sum() == 38


def test_kaplan_meier_by_group_across_the_bmt_data():
    bmt = pd.read_csv(require_shared(REFERENCE / "statsmodels_bmt.csv"))
    curves = retention_curves(bmt, duration="T", event="Status", by="Group")
    assert curves["group"].unique().tolist() == ["ALL", "AML-High Risk", "AML-Low Risk"]
    assert curves.groupby("group")["n"].first().tolist() == [38, 45, 54]
    alone = retention_curves(bmt[bmt["Group"] == "ALL"], duration="T", event="Status")
    together = curves[curves["group"] == "ALL"].drop(columns="group").reset_index(drop=True)
    pd.testing.assert_frame_equal(together, alone.drop(columns="group"), check_dtype=False)


@pytest.mark.parametrize("group", ["Maintained", "Nonmaintained"])
def test_kaplan_meier_matches_r_survfit_aml(group):
    curves = retention_curves(_aml(), duration="time", event="status", by="x", ci_type="log")
    rows = curves[(curves["group"] == group) & (curves["events"] > 0)].reset_index(drop=True)
    published = R_AML_SURVFIT[group]
    assert len(rows) == len(published)
    for row, (time, n_risk, n_event, surv, se, low, high) in zip(rows.itertuples(), published):
        assert (row.time, row.at_risk, row.events) == (time, n_risk, n_event)
        assert _close_to_printed(row.estimate / 100, surv, _decimals(surv) or 4)
        if np.isnan(se):  # R: std.err NaN and interval NA where the curve reaches 0
            assert np.isnan(row.se) and np.isnan(row.ci_low) and np.isnan(row.ci_high)
            continue
        assert _close_to_printed(row.se / 100, se, 4)
        assert _close_to_printed(row.ci_low / 100, low, 4)
        assert _close_to_printed(row.ci_high / 100, high, 3)
    assert rows["method"].iloc[0] == "Kaplan-Meier, Greenwood SE, log interval"


def test_r_aml_censored_rows_are_listed_with_the_curve_carried_forward():
    curves = retention_curves(_aml(), duration="time", event="status", by="x")
    maintained = curves[curves["group"] == "Maintained"].set_index("time")
    # 13: one relapse and one censored; 28, 45 and 161 censored only
    assert maintained.loc[13.0, ["events", "censored"]].tolist() == [1, 1]
    assert maintained.loc[28.0, "censored"] == 1 and maintained.loc[28.0, "events"] == 0
    assert maintained.loc[28.0, "estimate"] == maintained.loc[23.0, "estimate"]
    assert maintained.loc[161.0, "at_risk"] == 1


# --- Kaplan-Meier by hand -----------------------------------------------------------------

SIX = pd.DataFrame({"months": [1, 2, 2, 3, 4, 5], "churned": [1, 0, 1, 1, 0, 1]})


def test_kaplan_meier_six_rows_by_hand():
    curve = retention_curves(SIX, duration="months", event="churned", min_n=3)
    # S(1) = 5/6; S(2) = 5/6 * 4/5 (the churn at 2 comes before the censoring at 2);
    # S(3) = 2/3 * 2/3 (at risk: 3, 4, 5); S(4) = S(3) (censored); S(5) = 0.
    expected = [5 / 6, 2 / 3, 4 / 9, 4 / 9, 0.0]
    np.testing.assert_allclose(curve["estimate"], 100 * np.array(expected))
    assert curve["at_risk"].tolist() == [6, 5, 3, 2, 1]
    assert curve["events"].tolist() == [1, 1, 1, 0, 1]
    assert curve["censored"].tolist() == [0, 1, 0, 1, 0]
    # Greenwood: var S(t) = S(t)^2 * sum d / (n (n - d))
    greenwood = np.cumsum([1 / (6 * 5), 1 / (5 * 4), 1 / (3 * 2), 0.0])
    np.testing.assert_allclose(curve["se"].iloc[:4], 100 * np.array(expected[:4]) * np.sqrt(greenwood))
    assert np.isnan(curve["se"].iloc[4])  # the last customer churned: variance undefined
    assert curve["small_n"].tolist() == [False, False, False, True, True]
    assert (curve["n"] == 6).all() and (curve["group"] == "all").all()


def test_log_log_interval_by_hand_at_three_months():
    curve = retention_curves(SIX, duration="months", event="churned").set_index("time")
    s = 4 / 9
    se_log = np.sqrt(1 / 30 + 1 / 20 + 1 / 6)  # = 0.5, sd of log S(3)
    z = sps.norm.ppf(0.975)
    spread = np.exp(z * se_log / abs(np.log(s)))  # interval of log(-log S), mapped back
    low, high = s**spread, s ** (1 / spread)
    assert round(low, 5) == 0.06619 and round(high, 5) == 0.78491  # worked by hand
    assert curve.loc[3.0, "ci_low"] == pytest.approx(100 * low)
    assert curve.loc[3.0, "ci_high"] == pytest.approx(100 * high)
    assert curve.loc[3.0, "conf"] == 0.95
    assert curve.loc[3.0, "method"] == "Kaplan-Meier, Greenwood SE, log-log interval"


def test_log_and_plain_intervals_by_hand():
    s, se = 4 / 9, 4 / 9 * 0.5
    z = sps.norm.ppf(0.975)
    log = retention_curves(SIX, duration="months", event="churned", ci_type="log").set_index("time")
    assert log.loc[3.0, "ci_low"] == pytest.approx(100 * s * np.exp(-z * se / s))
    assert log.loc[3.0, "ci_high"] == 100.0  # 118.4%, clipped
    assert log.loc[1.0, "ci_high"] == pytest.approx(
        100 * min(1.0, 5 / 6 * np.exp(z * np.sqrt(1 / 30))))
    plain = retention_curves(SIX, duration="months", event="churned", ci_type="plain")
    plain = plain.set_index("time")
    assert plain.loc[3.0, "ci_low"] == pytest.approx(100 * (s - z * se))
    assert plain.loc[1.0, "ci_high"] == 100.0  # clipped at 100%
    narrow = retention_curves(SIX, duration="months", event="churned", conf=0.8).set_index("time")
    wide = retention_curves(SIX, duration="months", event="churned", conf=0.99).set_index("time")
    assert wide.loc[3.0, "ci_low"] < narrow.loc[3.0, "ci_low"] < narrow.loc[3.0, "estimate"]


def test_interval_before_the_first_churn_is_100_percent():
    frame = pd.DataFrame({"t": [1, 2, 3], "e": [0, 1, 0]})
    curve = retention_curves(frame, duration="t", event="e")
    first = curve.iloc[0]
    assert (first["estimate"], first["se"], first["ci_low"], first["ci_high"]) == (100, 0, 100, 100)


def test_times_read_out_like_r_summary_times():
    curve = retention_curves(SIX, duration="months", event="churned", times=[10, 0, 2.5])
    assert curve["time"].tolist() == [0.0, 2.5, 10.0]  # sorted
    assert curve["at_risk"].tolist() == [6, 3, 0]
    # events and censorings since the previous reported time
    assert curve["events"].tolist() == [0, 2, 2]
    assert curve["censored"].tolist() == [0, 1, 1]
    np.testing.assert_allclose(curve["estimate"], [100, 200 / 3, 0])  # reached 0 at 5
    assert curve.attrs["times"] == [0.0, 2.5, 10.0]


def test_times_past_the_last_follow_up_are_unknown():
    frame = pd.DataFrame({"t": [1, 2, 3, 4], "e": [1, 0, 1, 0]})
    curve = retention_curves(frame, duration="t", event="e", times=[4, 6])
    assert curve["estimate"].iloc[0] == pytest.approx(100 * 3 / 4 * 1 / 2)
    assert np.isnan(curve["estimate"].iloc[1]) and np.isnan(curve["ci_low"].iloc[1])
    assert curve["at_risk"].tolist() == [1, 0]


def test_categorical_groups_keep_their_order_and_input_is_unchanged():
    frame = SIX.assign(category=pd.Categorical(["promoter", "detractor"] * 3,
                                               categories=["promoter", "detractor"]))
    before = frame.copy()
    curve = retention_curves(frame, duration="months", event="churned", by="category")
    assert curve["group"].unique().tolist() == ["promoter", "detractor"]
    assert isinstance(curve["group"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(frame, before)
    repeated = retention_curves(frame.set_axis([0] * 6), duration="months", event="churned",
                                by="category")  # an index with repeated labels
    pd.testing.assert_frame_equal(repeated, curve)


def test_boolean_events_and_zero_durations():
    frame = pd.DataFrame({"t": [0.0, 0.0, 2.0, 3.0], "e": [True, False, True, False]})
    curve = retention_curves(frame, duration="t", event="e")
    assert curve["time"].tolist() == [0.0, 2.0, 3.0]
    np.testing.assert_allclose(curve["estimate"], [75, 37.5, 37.5])


# --- expected churn -------------------------------------------------------------------


def test_expected_churn_is_100_minus_retention_with_the_interval_turned_round():
    curves = retention_curves(SIX, duration="months", event="churned")
    churn = expected_churn(curves, at=3.5)
    row = curves.set_index("time").loc[3.0]
    assert churn["estimate"].iloc[0] == pytest.approx(100 - row["estimate"])
    assert churn["ci_low"].iloc[0] == pytest.approx(100 - row["ci_high"])
    assert churn["ci_high"].iloc[0] == pytest.approx(100 - row["ci_low"])
    assert churn[["group", "at", "n", "at_risk"]].iloc[0].tolist() == ["all", 3.5, 6, 2]
    assert expected_churn(curves, at=3)["at_risk"].iloc[0] == 3  # still followed at 3
    assert expected_churn(curves, at=0.5)["estimate"].iloc[0] == 0.0  # before any churn
    assert expected_churn(curves, at=50)["estimate"].iloc[0] == 100.0  # reached 0


def test_expected_churn_unknown_past_follow_up_and_fixed_times():
    frame = pd.DataFrame({"t": [1, 2, 3, 4], "e": [1, 0, 1, 0]})
    assert np.isnan(expected_churn(retention_curves(frame, duration="t", event="e"), at=6)
                    ["estimate"].iloc[0])
    fixed = retention_curves(frame, duration="t", event="e", times=[3])
    assert expected_churn(fixed, at=3)["estimate"].iloc[0] == pytest.approx(62.5)
    with pytest.raises(ParameterError, match=r"fixed times \[3.0\].*times=\[12\]"):
        expected_churn(fixed, at=12)


# --- log-rank -------------------------------------------------------------------------

TEN = pd.DataFrame({
    "months": [1, 3, 4, 6, 8, 2, 2, 3, 5, 7],
    "churned": [0, 1, 0, 1, 0, 1, 1, 1, 1, 0],
    "category": ["promoter"] * 5 + ["detractor"] * 5,
})


def test_logrank_matches_r_survdiff_aml():
    # R survival tests/doaml.Rout.save (see R_AML_SURVFIT): survdiff(Surv(time, status) ~ x)
    #                      N Observed Expected (O-E)^2/E (O-E)^2/V
    # aml$x=Maintained    11        7    10.69      1.27      3.40
    # aml$x=Nonmaintained 12       11     7.31      1.86      3.40
    #  Chisq= 3.4  on 1 degrees of freedom, p= 0.0653   (R 2.11.1; "p= 0.07" in R 3.4.1)
    test = logrank_test(_aml(), duration="time", event="status", by="x")
    assert test["group"].tolist() == ["Maintained", "Nonmaintained"]
    assert test["n"].tolist() == [11, 12]
    assert test["observed"].tolist() == [7, 11]
    assert [round(v, 2) for v in test["expected"]] == [10.69, 7.31]
    o_e = (test["observed"] - test["expected"]) ** 2 / test["expected"]
    assert [round(v, 2) for v in o_e] == [1.27, 1.86]
    assert round(test["chi2"].iloc[0], 2) == 3.40
    assert round(test["p"].iloc[0], 4) == 0.0653
    assert test["df"].iloc[0] == 1 and test["method"].iloc[0] == "log-rank test"


def test_logrank_by_hand_ten_rows():
    test = logrank_test(TEN, duration="months", event="churned", by="category")
    # churn times 2, 3, 5, 6: (d, n, n_detractor) = (2, 9, 5), (2, 7, 3), (1, 4, 2), (1, 3, 1)
    table = [(2, 9, 5), (2, 7, 3), (1, 4, 2), (1, 3, 1)]
    expected = sum(d * k / n for d, n, k in table)
    variance = sum(d * (k / n) * (1 - k / n) * (n - d) / (n - 1) for d, n, k in table)
    assert expected == pytest.approx(2.801587, abs=1e-6)
    detractor = test.set_index("group").loc["detractor"]
    assert detractor["expected"] == pytest.approx(expected)
    assert detractor["chi2"] == pytest.approx((4 - expected) ** 2 / variance)
    assert detractor["p"] == pytest.approx(sps.chi2.sf((4 - expected) ** 2 / variance, 1))
    assert test["observed"].sum() == pytest.approx(test["expected"].sum())


def test_logrank_three_groups_weights_and_strata():
    frame = pd.concat([TEN, TEN.assign(category="passive", months=TEN["months"] + 0.5)],
                      ignore_index=True)
    test = logrank_test(frame, duration="months", event="churned", by="category")
    assert test["df"].iloc[0] == 2 and len(test) == 3
    for weights, name in [("gehan_breslow", "Gehan-Breslow"), ("tarone_ware", "Tarone-Ware"),
                          ("fleming_harrington", "Fleming-Harrington test (p=1)")]:
        weighted = logrank_test(frame, duration="months", event="churned", by="category",
                                weights=weights)
        assert name in weighted["method"].iloc[0]
        assert weighted["chi2"].iloc[0] != pytest.approx(test["chi2"].iloc[0])
        assert weighted["observed"].tolist() == test["observed"].tolist()  # plain counts
    # one stratum that is the whole data: the same test
    same = logrank_test(frame.assign(s="x"), duration="months", event="churned",
                        by="category", strata="s")
    assert same["chi2"].iloc[0] == pytest.approx(test["chi2"].iloc[0])
    assert same["method"].iloc[0] == "log-rank test, stratified by s"
    # two copies in two strata: twice the evidence, twice the chi-square
    double = pd.concat([frame.assign(s="a"), frame.assign(s="b")], ignore_index=True)
    stratified = logrank_test(double, duration="months", event="churned", by="category", strata="s")
    assert stratified["chi2"].iloc[0] == pytest.approx(2 * test["chi2"].iloc[0])
    assert stratified["expected"].tolist() == pytest.approx(2 * test["expected"])


# --- Cox model ------------------------------------------------------------------------


def test_cox_matches_r_coxph_aml_efron():
    # R survival tests/doaml.Rout.save (R 3.4.1):
    # coxph(Surv(time, status) ~ x, aml, method='efron')
    #                 coef exp(coef) se(coef)    z     p
    # xNonmaintained 0.916     2.498    0.512 1.79 0.074
    hr = hazard_ratios(_aml(), duration="time", event="status", covariates=["x"])
    row = hr.iloc[0]
    assert (row["covariate"], row["level"], row["reference"]) == ("x", "Nonmaintained", "Maintained")
    assert round(row["coef"], 3) == 0.916
    assert round(row["estimate"], 3) == 2.498
    assert round(row["se"], 3) == 0.512
    assert round(row["z"], 2) == 1.79
    assert round(row["p"], 3) == 0.074
    assert (row["n"], row["events"]) == (12, 11)
    assert hr.attrs["n"] == 23 and hr.attrs["events"] == 18
    z = sps.norm.ppf(0.975)
    assert row["ci_low"] == pytest.approx(np.exp(row["coef"] - z * row["se"]))
    assert row["ci_high"] == pytest.approx(np.exp(row["coef"] + z * row["se"]))
    assert row["method"] == "Cox proportional hazards (statsmodels PHReg, Efron ties)"


def test_cox_matches_r_coxph_aml_breslow_and_reference_level():
    # R survival tests/doaml.Rout.save: coxph(Surv(aml$time, aml$status) ~ aml$x,
    # method='breslow'): coef 0.904, exp(coef) 2.470, se(coef) 0.512, z 1.77, p 0.078
    hr = hazard_ratios(_aml(), duration="time", event="status", covariates="x", ties="breslow")
    row = hr.iloc[0]
    assert (round(row["coef"], 3), round(row["estimate"], 2), round(row["se"], 3)) == (0.904, 2.47, 0.512)
    assert (round(row["z"], 2), round(row["p"], 3)) == (1.77, 0.078)
    flipped = hazard_ratios(_aml(), duration="time", event="status", covariates="x",
                            ties="breslow", reference={"x": "Nonmaintained"})
    assert flipped["level"].iloc[0] == "Maintained"
    assert flipped["coef"].iloc[0] == pytest.approx(-row["coef"], rel=1e-6)


def test_ph_check_by_hand_from_r_schoenfeld_residuals():
    # R survival tests/doaml.Rout.save: resid(fit, type='scho') of the Breslow fit above,
    # at the churn times 5 5 8 8 9 12 13 18 23 23 27 30 31 33 34 43 45 48.
    times = np.array([5, 5, 8, 8, 9, 12, 13, 18, 23, 23, 27, 30, 31, 33, 34, 43, 45, 48.0])
    residuals = np.array([0.2706690, 0.2706690, 0.3081229, 0.3081229, -0.6423931, 0.3360212,
                          -0.6335658, -0.6494307, -0.6791937, 0.3208063, 0.3269751, 0.3360212,
                          -0.5970995, 0.3505693, -0.5525731, 0.3778334, 0.5484457, 0.0])
    hr = hazard_ratios(_aml(), duration="time", event="status", covariates="x", ties="breslow")
    var = hr["se"].iloc[0] ** 2
    # R survival 2.x cox.zph(fit, transform="km"): g = 1 - KM(t-) of the pooled data
    pooled = retention_curves(_aml(), duration="time", event="status")
    pooled = pooled[pooled["events"] > 0]
    before = dict(zip(pooled["time"], np.concatenate([[100.0], pooled["estimate"].iloc[:-1]])))
    g = 1 - np.array([before[t] for t in times]) / 100
    xx = g - g.mean()
    scaled = residuals * var * len(times)
    chi2 = (xx @ scaled) ** 2 / (var * len(times) * np.sum(xx**2))
    assert hr["ph_chi2"].iloc[0] == pytest.approx(chi2, rel=1e-5)
    assert hr["ph_rho"].iloc[0] == pytest.approx(np.corrcoef(xx, scaled)[0, 1], rel=1e-5)
    assert hr["ph_p"].iloc[0] == pytest.approx(sps.chi2.sf(chi2, 1), rel=1e-5)
    assert hr.attrs["ph_global"]["chi2"] == pytest.approx(chi2, rel=1e-5)  # one term
    assert hr["warning"].iloc[0] == ""


def _simulated(ratio_late: float, n: int = 600, seed: int = 7) -> pd.DataFrame:
    """Two groups: hazard ratio 4 for the first 6 months, ``ratio_late`` after."""
    rng = np.random.default_rng(seed)
    group = np.repeat(["detractor", "promoter"], n // 2)
    base = 0.05
    early = np.where(group == "detractor", 4 * base, base)
    late = np.where(group == "detractor", ratio_late * base, base)
    first = rng.exponential(1 / early)
    second = 6 + rng.exponential(1 / late)
    time = np.where(first < 6, first, second)
    censor = rng.uniform(6, 30, n)
    return pd.DataFrame({"months": np.minimum(time, censor), "churned": (time <= censor).astype(int),
                         "category": group, "spend": rng.normal(100, 20, n)})


def test_ph_check_flags_a_hazard_ratio_that_changes_over_time():
    changing = hazard_ratios(_simulated(ratio_late=0.5), duration="months", event="churned",
                             covariates=["category"], reference={"category": "promoter"})
    assert changing["ph_p"].iloc[0] < 0.001 and changing["ph_rho"].iloc[0] < 0
    assert "change over the follow-up" in changing["warning"].iloc[0]
    assert changing.attrs["warnings"] == [changing["warning"].iloc[0]]
    steady = hazard_ratios(_simulated(ratio_late=4), duration="months", event="churned",
                           covariates=["category", "spend"], reference={"category": "promoter"})
    assert steady["ph_p"].min() > 0.05 and (steady["warning"] == "").all()
    assert steady["estimate"].iloc[0] == pytest.approx(4, rel=0.25)
    spend = steady.set_index("covariate").loc["spend"]
    assert spend["level"] == "" and spend["n"] == 600  # numeric: whole model
    assert steady.attrs["ph_global"]["df"] == 2


def test_cox_rows_with_missing_covariates_are_counted_and_levels_without_churn_flagged():
    frame = _simulated(ratio_late=4, n=200)
    frame.loc[:4, "spend"] = np.nan
    hr = hazard_ratios(frame, duration="months", event="churned", covariates=["category", "spend"])
    assert hr["n_missing"].iloc[0] == 5 and hr.attrs["n"] == 195
    assert any("5 rows left out" in w and "spend" in w for w in hr.attrs["warnings"])
    frame = TEN.assign(category=["promoter"] * 5 + ["passive"] * 2 + ["detractor"] * 3,
                       churned=[0, 1, 0, 1, 0, 0, 0, 1, 1, 1])
    with pytest.raises(DataError, match=r"No customer with category = 'passive' churned.*"
                                        r"Merge that level"):
        hazard_ratios(frame, duration="months", event="churned", covariates=["category"],
                      reference={"category": "promoter"})
    with pytest.raises(DataError, match=r"category = 'passive' churned"):  # as the reference
        hazard_ratios(frame, duration="months", event="churned", covariates=["category"],
                      reference={"category": "passive"})
    collinear = frame.assign(spend=np.arange(10.0), double=2 * np.arange(10.0), churned=1)
    with pytest.raises(DataError, match=r"cannot be fitted.*collinear"):
        hazard_ratios(collinear, duration="months", event="churned", covariates=["spend", "double"])


# --- churn after an answer: hand-made ----------------------------------------------------


def _hand_made() -> tuple[pd.DataFrame, pd.DataFrame]:
    customers = pd.DataFrame({
        "customer_id": ["c1", "c2", "c3", "c4", "c5", "c6", "c7"],
        "churned_at": ["2024-03-01", None, "2024-01-15", "2025-02-01", "2024-02-10", "soon",
                       "2024-05-01"],
    })
    answers = pd.DataFrame({
        "response_id": [f"r{i}" for i in range(1, 12)],
        "customer_id": ["c1", "c2", "c3", "c4", "c5", "zz", "c2", None, "c6", "c7", "c1"],
        "responded_at": ["2024-01-01 10:00", "2024-01-01", "2024-02-01", "2024-06-30",
                         "2024-02-10 16:00", "2024-01-01", "2024-03-01", "2024-01-01",
                         "2024-01-01", "2024-07-15", "2023-12-31"],
        "survey": ["nps"] * 10 + ["csat"],
        "score": [3, 10, 9, 7, 8, 8, 2, 9, 9, 6, 1],
    })
    return customers, answers


def test_churn_by_category_durations_by_hand():
    customers, answers = _hand_made()
    result = churn_by_category(customers, answers, as_of="2024-06-30")
    assert isinstance(result, ChurnResult)
    d = result.durations.set_index("customer")
    assert sorted(d.index) == ["c1", "c2", "c4", "c5"]
    # c1: answered 2024-01-01, churned 2024-03-01: 60 days
    assert d.loc["c1", "months"] == pytest.approx(60 / DAYS_PER_MONTH)
    assert d.loc["c1", ["category", "churned"]].tolist() == ["detractor", 1]
    # c2: first answer 2024-01-01 (promoter); the later one (2024-03-01) is set aside;
    # censored at as_of: 181 days
    assert d.loc["c2", "months"] == pytest.approx(181 / DAYS_PER_MONTH)
    assert d.loc["c2", ["category", "churned"]].tolist() == ["promoter", 0]
    # c4: answered on as_of; churn 2025 is after as_of: still a customer, 0 months
    assert d.loc["c4", ["months", "churned"]].tolist() == [0.0, 0]
    # c5: churned on the day of the answer: churn at 0 months
    assert d.loc["c5", ["months", "churned", "category"]].tolist() == [0.0, 1, "passive"]
    assert result.durations["category"].cat.categories.tolist() == ["detractor", "passive", "promoter"]


def test_churn_by_category_sets_aside_and_counts_every_reason():
    customers, answers = _hand_made()
    result = churn_by_category(customers, answers, as_of="2024-06-30")
    reasons = result.set_aside.set_index("response_id")["reason"].to_dict()
    assert reasons == {
        "r3": "churned before the answer",
        "r6": "customer not in the customer table",
        "r7": "later answer of the same customer",
        "r8": "no customer id",
        "r9": "unreadable churn date",
        "r10": "answered after as_of",
        "r11": "not an NPS answer",
    }
    accounting = result.accounting.set_index("item")["rows"]
    assert accounting["answers read"] == 11
    assert accounting["customers analysed (first answer each)"] == 4
    assert accounting.filter(like="set aside").sum() == 7
    assert accounting["of which churn dated after as_of (counted as active)"] == 1
    assert "4 customers analysed" in result.summary()
    assert answers.equals(_hand_made()[1])  # input unchanged


def test_churn_by_category_with_a_category_column_and_no_horizon():
    customers, answers = _hand_made()
    labelled = answers.drop(columns="score").assign(
        segment=["low", "high", "high", "low", "high", "low", "low", "high", "low", "low", "high"])
    result = churn_by_category(customers, labelled, as_of="2024-06-30", category="segment",
                               horizon_months=None)
    # a category column is used as given: the CSAT answer r11 (c1, 2023-12-31) is not set
    # aside as "not an NPS answer" and becomes c1's first answer
    d = result.durations.set_index("customer")
    assert d.loc["c1", "category"] == "high"
    assert d.loc["c1", "months"] == pytest.approx(61 / DAYS_PER_MONTH)
    assert result.curves["group"].cat.categories.tolist() == ["high", "low"]


def test_horizon_cuts_follow_up_without_changing_the_estimate_inside_it():
    rng = np.random.default_rng(3)
    n = 300
    customers = pd.DataFrame({"customer_id": np.arange(n)})
    answered = pd.Timestamp("2023-01-10") + pd.to_timedelta(rng.integers(0, 200, n), unit="D")
    churn_days = rng.exponential(400, n).astype(int)
    churned = answered + pd.to_timedelta(churn_days, unit="D")
    customers["churned_at"] = churned.where(churned <= pd.Timestamp("2024-12-31"))
    answers = pd.DataFrame({"customer_id": np.arange(n), "responded_at": answered,
                            "score": rng.integers(0, 11, n)})
    cut = churn_by_category(customers, answers, as_of="2024-12-31", horizon_months=12)
    full = churn_by_category(customers, answers, as_of="2024-12-31", horizon_months=None)
    assert cut.durations["months"].max() == 12
    assert full.durations["months"].max() > 12
    pd.testing.assert_frame_equal(cut.churn, full.churn)
    assert cut.logrank is not None and len(cut.logrank) == 3


# --- churn after an answer: the sample data ----------------------------------------------


@pytest.fixture(scope="module")
def sample_churn() -> ChurnResult:
    customers = pd.read_csv(SAMPLE / "customers.csv")
    responses = pd.read_csv(SAMPLE / "responses.csv")
    return churn_by_category(customers, responses, as_of="2024-12-31", horizon_months=12)


def test_sample_accounting_adds_up(sample_churn):
    accounting = sample_churn.accounting.set_index("item")["rows"]
    assert accounting["customers analysed (first answer each)"] == 1914  # README: 1,914
    assert accounting["set aside: later answer of the same customer"] == 4079 - 1914
    assert (accounting["customers analysed (first answer each)"]
            + accounting.filter(like="set aside").sum()) == accounting["answers read"]


def test_sample_twelve_month_churn_recovers_the_built_in_effect(sample_churn):
    # data/sample/README.md, effect 4: monthly churn hazard 0.5% / 1.0% / 2.5% while a
    # promoter / passive / detractor; expected share churned within 12 months of a wave:
    # promoters 8.9%, passives 12.0%, detractors 20.6%.
    # Here: the first answer of each customer (1,914 independent customers, every wave),
    # Kaplan-Meier with censoring at 2024-12-31, 95% log-log intervals. Found (seed 2024):
    # detractors 20.1% (16.4-24.5), passives 13.1% (10.4-16.4), promoters 7.9% (6.0-10.4);
    # each interval covers its true share.
    churn = sample_churn.churn.set_index("group")
    truth = {"promoter": 8.9, "passive": 12.0, "detractor": 20.6}
    assert churn.loc["detractor", "estimate"] > churn.loc["passive", "estimate"] \
        > churn.loc["promoter", "estimate"]
    for category, share in truth.items():
        assert churn.loc[category, "ci_low"] <= share <= churn.loc[category, "ci_high"], category
    assert not churn["small_n"].any() and sample_churn.warnings == []
    assert sample_churn.logrank["p"].iloc[0] < 1e-6


def test_sample_cox_hazard_ratios_and_proportional_hazards_check(sample_churn):
    hr = hazard_ratios(sample_churn.durations, duration="months", event="churned",
                       covariates=["category"], reference={"category": "promoter"})
    by_level = hr.set_index("level")
    # true hazard ratios while in the state: 5.0 (2.5% / 0.5%) and 2.0; the category of
    # the answer is a noisy, decaying view of the state (redrawn with probability 0.3 at
    # each wave), so the estimates are smaller and the check finds the ratio falling
    # over time (rho < 0) for detractors.
    assert by_level.loc["detractor", "estimate"] > by_level.loc["passive", "estimate"] > 1
    assert by_level.loc["detractor", "ci_low"] > 1.5
    assert by_level.loc["detractor", "ph_rho"] < 0
    assert by_level.loc["detractor", "warning"] != ""


# --- error paths ----------------------------------------------------------------------


def test_negative_durations_are_refused():
    frame = SIX.assign(months=[1, -2, 2, 3, -4, 5])
    with pytest.raises(DataError, match=r"'months' has 2 negative values \(-2.0, -4.0\).*"
                                        r"start date comes before"):
        retention_curves(frame, duration="months", event="churned")


def test_missing_or_text_durations_are_refused():
    with pytest.raises(DataError, match=r"'months' is empty in 1 rows.*Fill in"):
        retention_curves(SIX.assign(months=[1, None, 2, 3, 4, 5]), duration="months",
                         event="churned")
    with pytest.raises(DataError, match=r"'months' must hold numbers.*'soon'.*Convert"):
        retention_curves(SIX.assign(months=[1, "soon", 2, 3, 4, 5]), duration="months",
                         event="churned")


def test_events_must_be_zero_or_one():
    with pytest.raises(DataError, match=r"'churned' must hold 1 \(churned\) or 0.*2, 'yes'"
                                        r".*Recode it"):
        retention_curves(SIX.assign(churned=[1, 2, "yes", 0, 0, 1]), duration="months",
                         event="churned")
    with pytest.raises(DataError, match=r"'churned' is empty in 1 rows"):
        logrank_test(TEN.assign(churned=[None] + [1] * 9), duration="months", event="churned",
                     by="category")


def test_a_group_with_no_rows_is_refused():
    frame = TEN.assign(category=pd.Categorical(TEN["category"],
                                               categories=["promoter", "passive", "detractor"]))
    with pytest.raises(DataError, match=r"'category' has groups with no rows: 'passive'.*"
                                        r"remove_unused_categories"):
        retention_curves(frame, duration="months", event="churned", by="category")
    with pytest.raises(DataError, match=r"'category' has groups with no rows"):
        logrank_test(frame, duration="months", event="churned", by="category")
    with pytest.raises(DataError, match=r"only one: 'promoter'.*two or more groups"):
        logrank_test(TEN[TEN["category"] == "promoter"], duration="months", event="churned",
                     by="category")
    with pytest.raises(DataError, match=r"'category' is empty in 1 rows.*fillna"):
        retention_curves(TEN.assign(category=[None] + ["a"] * 9), duration="months",
                         event="churned", by="category")


def test_a_missing_duration_column_is_named():
    with pytest.raises(MissingColumnError, match=r"needs the columns 'tenure'; found 'months', "
                                                 r"'churned'.*duration=\.\.\."):
        retention_curves(SIX, duration="tenure", event="churned")
    with pytest.raises(MissingColumnError, match=r"'segment'"):
        hazard_ratios(TEN, duration="months", event="churned", covariates=["segment"])


def test_no_overlap_between_answers_and_customers_shows_ids():
    customers, answers = _hand_made()
    answers = answers.assign(customer_id=["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"])
    with pytest.raises(DataError, match=r"No answer belongs to a customer.*'1', '2'.*'c1', "
                                        r"'c2'.*same 'customer_id'"):
        churn_by_category(customers, answers, as_of="2024-06-30")


def test_churn_by_category_bad_inputs():
    customers, answers = _hand_made()
    with pytest.raises(ParameterError, match=r"as_of must be a date such as '2024-12-31'"):
        churn_by_category(customers, answers, as_of="someday")
    with pytest.raises(ParameterError, match=r"horizon_months must be a positive number"):
        churn_by_category(customers, answers, as_of="2024-06-30", horizon_months=0)
    with pytest.raises(MissingColumnError, match=r"customer table needs the columns 'churned_at'"):
        churn_by_category(customers.drop(columns="churned_at"), answers, as_of="2024-06-30")
    with pytest.raises(MissingColumnError, match=r"answers need the columns 'score'"):
        churn_by_category(customers, answers.drop(columns="score"), as_of="2024-06-30")
    with pytest.raises(DataError, match=r"repeated ids in 'customer_id': 'c1'.*one row per customer"):
        churn_by_category(pd.concat([customers, customers.iloc[:1]]), answers, as_of="2024-06-30")
    with pytest.raises(DataError, match=r"No answer is left.*answered after as_of"):
        churn_by_category(customers, answers, as_of="2020-01-01")
    with pytest.raises(ParameterError, match=r"customers must be a pandas DataFrame"):
        churn_by_category([1, 2], answers, as_of="2024-06-30")


def test_parameter_errors():
    with pytest.raises(ParameterError, match=r"Unknown ci_type 'logit'.*log-log"):
        retention_curves(SIX, duration="months", event="churned", ci_type="logit")
    with pytest.raises(ParameterError, match=r"times must be non-negative numbers"):
        retention_curves(SIX, duration="months", event="churned", times=[-1])
    with pytest.raises(ParameterError, match=r"conf must be between 0 and 1"):
        retention_curves(SIX, duration="months", event="churned", conf=95)
    with pytest.raises(ParameterError, match=r"min_n must be a whole number"):
        retention_curves(SIX, duration="months", event="churned", min_n=0)
    with pytest.raises(ParameterError, match=r"Unknown weights 'wilcoxon'"):
        logrank_test(TEN, duration="months", event="churned", by="category", weights="wilcoxon")
    with pytest.raises(ParameterError, match=r"ties must be 'efron' or 'breslow'"):
        hazard_ratios(TEN, duration="months", event="churned", covariates="category", ties="exact")
    with pytest.raises(ParameterError, match=r"reference\['category'\] = 'fan' is not a value.*"
                                             r"'detractor', 'promoter'"):
        hazard_ratios(TEN, duration="months", event="churned", covariates="category",
                      reference={"category": "fan"})
    with pytest.raises(ParameterError, match=r"reference names columns that are not covariates"):
        hazard_ratios(TEN, duration="months", event="churned", covariates="category",
                      reference={"plan": "Pro"})
    with pytest.raises(ParameterError, match=r"covariates must be a list of column names"):
        hazard_ratios(TEN, duration="months", event="churned", covariates=[])
    with pytest.raises(ParameterError, match=r"data must be a pandas DataFrame"):
        retention_curves({"months": [1]}, duration="months", event="churned")


def test_data_errors_of_the_tests_and_models():
    with pytest.raises(DataError, match=r"No customer churned.*nothing to compare"):
        logrank_test(TEN.assign(churned=0), duration="months", event="churned", by="category")
    with pytest.raises(DataError, match=r"No customer churned.*Cox model needs churn"):
        hazard_ratios(TEN.assign(churned=0), duration="months", event="churned",
                      covariates="category")
    with pytest.raises(DataError, match=r"'category' has a single value \('promoter'\).*"
                                        r"Leave it out"):
        hazard_ratios(TEN.assign(category="promoter"), duration="months", event="churned",
                      covariates="category")
    with pytest.raises(DataError, match=r"The data has no rows"):
        retention_curves(SIX.iloc[:0], duration="months", event="churned")


# --- revenue at risk and the churn sentences (notebook 04) -------------------------------

from csat_toolkit.survival import describe_churn, revenue_at_risk  # noqa: E402


def _churn_table():
    return pd.DataFrame({"group": ["detractor", "passive", "promoter"], "at": [12.0] * 3,
                         "n": [50, 60, 90], "estimate": [20.0, 10.0, 5.0],
                         "ci_low": [12.0, 5.0, 2.0], "ci_high": [30.0, 18.0, 11.0],
                         "conf": [0.95] * 3})


def test_revenue_at_risk_by_hand_latest_answer_and_lost_customers():
    data = pd.DataFrame({
        "customer_id": ["a", "a", "b", "c", "d", "e"],
        "responded_at": ["2024-03-01", "2024-06-01", "2024-06-01", "2024-06-01", "2024-06-01",
                         "2024-06-01"],
        "category": ["promoter", "detractor", "detractor", "passive", None, "promoter"],
        "revenue": [1000.0, 1000.0, 500.0, 200.0, 50.0, None],
        "churned": [0, 0, 0, 0, 0, 1]})
    out = revenue_at_risk(data, _churn_table(), amount="revenue", customer="customer_id",
                          order="responded_at", churned="churned", min_n=2)
    det = out.set_index("category").loc["detractor"]
    # a's latest answer is detractor: 1000 + 500 at 20% -> 300 (CI 180 to 450); excess over
    # the promoter rate (5%): 1500 x 15% = 225
    assert det["revenue"] == 1500 and det["customers"] == 2
    assert (det["estimate"], det["ci_low"], det["ci_high"], det["excess"]) == \
        pytest.approx((300.0, 180.0, 450.0, 225.0))
    assert out.set_index("category").loc["promoter", "customers"] == 0
    assert out["small_n"].tolist() == [False, True, True]
    assert out.attrs == {"lost": 1, "no_category": 1, "no_revenue": 0, "earlier_rows": 1}


def test_revenue_at_risk_errors():
    table = _churn_table()
    with pytest.raises(MissingColumnError, match="revenue_at_risk needs.*'money'"):
        revenue_at_risk(pd.DataFrame({"category": ["passive"]}), table, amount="money")
    with pytest.raises(DataError, match="No row has both a category"):
        revenue_at_risk(pd.DataFrame({"category": [None], "r": [1.0]}), table, amount="r")
    with pytest.raises(DataError, match="reference 'best'"):
        revenue_at_risk(pd.DataFrame({"category": ["passive"], "r": [1.0]}), table, amount="r",
                        reference="best")
    with pytest.raises(MissingColumnError, match="expected_churn table"):
        revenue_at_risk(pd.DataFrame({"category": ["passive"], "r": [1.0]}),
                        table.drop(columns="at"), amount="r")


def test_describe_churn_sentences():
    data = pd.DataFrame({"months": [1, 2, 2, 3, 4, 5, 1, 6, 7, 8],
                         "churned": [1, 0, 1, 1, 0, 1, 0, 0, 1, 0],
                         "category": ["detractor"] * 6 + ["promoter"] * 4})
    logrank = logrank_test(data, duration="months", event="churned", by="category")
    sentences = describe_churn(_churn_table(), logrank)
    assert sentences[0].startswith("Churned within 12 months: detractor 20.0% (95% CI 12.0%")
    assert "log-rank test, chi2 = " in sentences[1]
    risk = revenue_at_risk(pd.DataFrame({"category": ["detractor"], "r": [100.0]}),
                           _churn_table(), amount="r", min_n=1)
    last = describe_churn(_churn_table(), None, None, risk, money="revenue of 2024")[-1]
    assert last == ("Revenue at risk from detractor customers: 20 (95% CI 12 to 30) of their "
                    "100 (revenue of 2024) from 1 current customers, 15 of it above the churn "
                    "rate of promoter customers.")


def test_no_churn_gets_an_exact_upper_bound_not_a_zero_width_interval():
    from csat_toolkit.survival import expected_churn, retention_curves
    data = pd.DataFrame({"t": [12.0] * 10 + [1.0, 2.0], "e": [0] * 10 + [1, 1],
                         "g": ["a"] * 10 + ["b"] * 2})
    churn = expected_churn(retention_curves(data, duration="t", event="e", by="g"), at=12)
    row = churn.set_index("group").loc["a"]
    # 0 events among the 10 followed to 12: Clopper-Pearson upper 1 - 0.025 ** (1 / 10)
    assert row["estimate"] == 0 and row["ci_low"] == 0
    assert row["ci_high"] == pytest.approx(100 * (1 - 0.025 ** 0.1))
    assert "no churn observed" in row["method"]


def test_churn_by_category_names_as_of_when_every_answer_is_after_it():
    customers = pd.DataFrame({"customer_id": ["a", "b"], "churned_at": [None, None]})
    answers = pd.DataFrame({"customer_id": ["a", "b"], "score": [9, 3],
                            "responded_at": ["2025-03-01", "2025-06-01"]})
    with pytest.raises(DataError) as error:
        churn_by_category(customers, answers, as_of="2024-12-31")
    assert str(error.value) == (
        "No answer is left to analyse after setting aside 2 (answered after as_of). 2 answers "
        "are dated after as_of='2024-12-31': give a later as_of, or as_of=None in the notebooks "
        "to use the end of the data. See the reasons and fix the data.")


def test_describe_churn_says_p_the_toolkit_way():
    data = pd.DataFrame({"months": [1, 2, 2, 3, 4, 5, 1, 6, 7, 8],
                         "churned": [1, 0, 1, 1, 0, 1, 0, 0, 1, 0],
                         "category": ["detractor"] * 6 + ["promoter"] * 4})
    logrank = logrank_test(data, duration="months", event="churned", by="category")
    p = logrank["p"].iloc[0]
    assert describe_churn(_churn_table(), logrank)[1].endswith(
        f", p = {p:.3f})." if p >= 0.001 else ", p < 0.001).")
    tiny = logrank.assign(p=1e-9)
    assert describe_churn(_churn_table(), tiny)[1].endswith(", p < 0.001).")


def test_churn_result_shows_in_jupyter():
    customers, answers = _hand_made()
    labelled = answers.drop(columns="score").assign(
        segment=["<b>low</b>", "high", "high", "<b>low</b>", "high", "<b>low</b>", "<b>low</b>",
                 "high", "<b>low</b>", "<b>low</b>", "high"])
    result = churn_by_category(customers, labelled, as_of="2024-06-30", category="segment",
                               horizon_months=2)
    out = result._repr_html_()
    assert html.escape(result.summary()) in out and ">Group<" in out and ">95% CI<" in out
    assert all(html.escape(s) in out for s in describe_churn(result.churn, result.logrank))
    assert "&lt;b&gt;low&lt;/b&gt;" in out and "<b>" not in out
