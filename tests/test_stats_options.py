"""Interval options beside the defaults (issue 17), each against published values.

Sources
-------
[BINOM]  R ``binom::binom.confint(x, n, tol = 1e-8)`` ("bayes" = the Jeffreys-prior
         equal-tailed interval, "exact" = Clopper-Pearson), as recorded in statsmodels
         0.15.0 ``statsmodels/stats/tests/results/results_proportion.py``
         (``res_binom[(4, 20)]``, ``res_binom[(18, 20)]``, ``res_binom[(4, 200)]``).
[DESC]   R 4.3.3 ``DescTools::BinomCI(100, 200, method = "jeffreys" / "clopper-pearson")``,
         as recorded in statsmodels 0.15.0 ``statsmodels/stats/tests/test_proportion.py``
         (``test_proportion_confint``): Jeffreys 0.4311217-0.5688783, Clopper-Pearson
         0.4286584-0.5713416.
[FLL]    Fagerland, Lydersen & Laake (2017), Statistical Analysis of Contingency Tables,
         chapter 4, R package ``contingencytables`` (ocbe-uio/contingencytables,
         ``tests/testthat/test-ch4.R``), ``perondi_2004 = rbind(c(7, 27), c(1, 33))``:
         ``AgrestiCaffo_CI_2x2``: estimate 0.1765, 95% CI 0.0116 to 0.3217;
         ``Newcombe_hybrid_score_CI_2x2``: 0.0189 to 0.3404; ``Wald_CI_2x2``: 0.0292 to 0.3238.
[ROCKS]  The iterative score interval for NPS (Rocks 2016, R package ``NPS``,
         ``nps_test(test = "iterative")``; brendan-r/NPS ``R/nps_interval_estimators.R``,
         commented "Here's Tago"). Neither the package (its tests print no interval) nor
         the stored copy of the paper (https://ar5iv.labs.arxiv.org/html/1601.07235; only
         its opening is readable here) gave a worked numeric example. It is checked
         against its definition (the score statistic equals +-z at the ends, the
         restricted shares maximise the likelihood), a case solved by hand, and [TANGO].
[TANGO]  That code is, term for term, Tango's asymptotic score interval for the
         difference of two paired proportions (Tango 1998, Statistics in Medicine 17,
         891-908): a paired 2x2 table with discordant cells n12, n21 and N pairs is a
         trinomial (n12, n11 + n22, n21) whose difference (n12 - n21) / N is an NPS with
         promoters = n12, passives = n11 + n22, detractors = n21. Published values:
         Fagerland, Lydersen & Laake (2017), chapter 8, R package ``contingencytables``
         (ocbe-uio/contingencytables, ``tests/testthat/test-ch8.R``, commit b1fde68),
         ``Tango_asymptotic_score_CI_paired_2x2``:
         ``cavo_2012 = rbind(c(59, 6), c(16, 80))``: "estimate = -0.0621 (95% CI -0.1240
         to -0.0054)"; ``matrix(c(0, 0, 3, 0), 2)`` (n12 = 3): "1.0000 (95% CI -0.1230 to
         1.0000)"; ``matrix(c(0, 3, 0, 0), 2)`` (n21 = 3): "-1.0000 (95% CI -1.0000 to
         0.1230)".
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import csat_toolkit as ct
from csat_toolkit.core import stats
from csat_toolkit.core.stats import (nps_interval, nps_score_statistic,
                                     proportion_difference_interval, proportion_interval)
from csat_toolkit.errors import ParameterError

# --------------------------------------------------------------------------------------
# Jeffreys and Clopper-Pearson
# --------------------------------------------------------------------------------------

# [BINOM] (x, n): {"jeffreys": (low, high), "clopper_pearson": (low, high)}
_BINOM = {
    (4, 20): {"jeffreys": (0.07152005247873425, 0.4082257625169254),
              "clopper_pearson": (0.05733399705003284, 0.436614002996668)},
    (18, 20): {"jeffreys": (0.716146742695748, 0.97862751197755),
               "clopper_pearson": (0.6830172859809176, 0.9876514728297052)},
    (4, 200): {"jeffreys": (0.00678759879519299, 0.0468465669668423),
               "clopper_pearson": (0.005475565879556443, 0.05041360908989634)},
}


@pytest.mark.parametrize("x,n,method", [(x, n, m) for (x, n), by in _BINOM.items() for m in by])
def test_proportion_interval_matches_r_binom(x, n, method):
    low, high = proportion_interval(x, n, method=method)
    assert (low, high) == pytest.approx(_BINOM[(x, n)][method], abs=1e-9)


@pytest.mark.parametrize("method,expected", [("jeffreys", (0.4311217, 0.5688783)),
                                             ("clopper_pearson", (0.4286584, 0.5713416))])
def test_proportion_interval_matches_desctools(method, expected):
    # [DESC] 100 of 200
    low, high = proportion_interval(100, 200, method=method)
    assert (low, high) == pytest.approx(expected, abs=5e-8)


def test_jeffreys_ends_follow_brown_cai_dasgupta():
    # Brown, Cai & DasGupta (2001), 4.1.2: the lower end is 0 at x = 0 and the upper 1 at
    # x = n; in between the Beta(x + 1/2, n - x + 1/2) quantiles. Upper end at x = 0 by
    # hand: the 97.5% quantile of Beta(0.5, 10.5).
    low, high = proportion_interval(0, 10, method="jeffreys")
    assert low == 0.0
    assert high == pytest.approx(0.21718, abs=5e-5)
    assert proportion_interval(10, 10, method="jeffreys") == (pytest.approx(1 - high), 1.0)


@settings(max_examples=200)
@given(st.integers(1, 3000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_jeffreys_is_inside_clopper_pearson(xn, conf):
    # Clopper-Pearson is the conservative interval: the Jeffreys interval lies inside it
    # (Brown, Cai & DasGupta 2001, section 4.2.1: Jeffreys ~ mid-p of Clopper-Pearson).
    x, n = xn
    j_low, j_high = proportion_interval(x, n, conf=conf, method="jeffreys")
    c_low, c_high = proportion_interval(x, n, conf=conf, method="clopper_pearson")
    assert c_low - 1e-12 <= j_low <= j_high <= c_high + 1e-12


def test_metric_table_names_the_new_methods():
    df = pd.DataFrame({"score": [5] * 150 + [2] * 100})
    row = ct.csat(df, method="jeffreys").iloc[0]
    assert row["method"] == "Jeffreys"
    low, high = proportion_interval(150, 250, method="jeffreys")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((100 * low, 100 * high), abs=1e-12)
    nps = ct.nps(pd.DataFrame({"score": [10] * 50 + [7] * 30 + [3] * 20}), method="score").iloc[0]
    assert nps["method"] == "iterative score (Rocks 2016)"
    low, high = nps_interval(50, 30, 20, method="score")
    assert (nps["ci_low"], nps["ci_high"]) == pytest.approx((100 * low, 100 * high), abs=1e-9)


def test_unknown_proportion_method_lists_the_options():
    with pytest.raises(ParameterError) as error:
        proportion_interval(1, 2, method="beta")
    assert str(error.value) == (
        "Unknown interval method 'beta'; use one of: 'wilson', 'wald', 'agresti_coull', "
        "'clopper_pearson', 'jeffreys' (default 'wilson').")


# --------------------------------------------------------------------------------------
# Agresti-Caffo
# --------------------------------------------------------------------------------------


def test_agresti_caffo_matches_contingencytables():
    # [FLL] perondi_2004: 7 of 34 against 1 of 34
    low, high = proportion_difference_interval(7, 34, 1, 34, method="agresti_caffo")
    assert round(low, 4) == 0.0116 and round(high, 4) == 0.3217
    # the default (Newcombe) on the same table, same source
    low, high = proportion_difference_interval(7, 34, 1, 34)
    assert round(low, 4) == 0.0189 and round(high, 4) == 0.3404


def test_agresti_caffo_by_hand():
    # (7 + 1)/36 - (1 + 1)/36 = 1/6; var = (8/36)(28/36)/36 + (2/36)(34/36)/36
    var = (8 / 36) * (28 / 36) / 36 + (2 / 36) * (34 / 36) / 36
    half = stats.z_value(0.90) * math.sqrt(var)
    low, high = proportion_difference_interval(7, 34, 1, 34, method="agresti_caffo", conf=0.90)
    assert (low, high) == pytest.approx((1 / 6 - half, 1 / 6 + half), abs=1e-12)


def test_agresti_caffo_empty_group_and_bad_method():
    low, high = proportion_difference_interval(np.array([1, 0]), np.array([5, 0]),
                                               np.array([1, 1]), np.array([5, 5]),
                                               method="agresti_caffo")
    assert not np.isnan(low[0]) and np.isnan(low[1]) and np.isnan(high[1])
    with pytest.raises(ParameterError) as error:
        proportion_difference_interval(1, 2, 1, 2, method="wald")
    assert str(error.value) == (
        "Unknown interval method 'wald' for a difference of proportions; use one of: "
        "'newcombe', 'agresti_caffo' (default 'newcombe').")


def test_compare_uses_agresti_caffo_on_request():
    # [FLL] perondi_2004 as answers: 7 of 34 satisfied in "high", 1 of 34 in "standard"
    df = pd.DataFrame({"dose": ["high"] * 34 + ["standard"] * 34,
                       "score": [5] * 7 + [1] * 27 + [5] * 1 + [1] * 33})
    row = ct.compare(df, metric="csat", by="dose", against="standard", min_n=1,
                     difference_interval="agresti_caffo").iloc[0]
    assert (round(row["ci_low"], 2), round(row["ci_high"], 2)) == (1.16, 32.17)
    assert row["test"] == "two-proportion z test; Agresti-Caffo interval"
    default = ct.compare(df, metric="csat", by="dose", against="standard", min_n=1).iloc[0]
    assert (round(default["ci_low"], 2), round(default["ci_high"], 2)) == (1.89, 34.04)
    assert default["p_value"] == row["p_value"]  # the test itself is unchanged
    with pytest.raises(ParameterError, match=r"Unknown difference_interval 'wilson'"):
        ct.compare(df, metric="csat", by="dose", difference_interval="wilson")


def test_compare_periods_passes_the_option():
    df = pd.DataFrame({"responded_at": pd.to_datetime(["2024-01-15"] * 34 + ["2024-02-15"] * 34),
                       "score": [5] * 1 + [1] * 33 + [5] * 7 + [1] * 27})
    row = ct.compare_periods(df, metric="csat", period="M", min_n=1,
                             difference_interval="agresti_caffo").iloc[0]
    assert (round(row["ci_low"], 2), round(row["ci_high"], 2)) == (1.16, 32.17)


# --------------------------------------------------------------------------------------
# NPS: the iterative score interval [ROCKS]
# --------------------------------------------------------------------------------------


def test_nps_score_interval_all_passives_by_hand():
    # P = D = 0, n passives: for u > 0 the restricted detractor share is 0, the variance
    # u(1 - u), so the score is -sqrt(n u / (1 - u)) and the upper end solves
    # u / (1 - u) = z^2 / n: u = z^2 / (n + z^2) (= 0.277535 for n = 10 at 95%).
    z = stats.z_value(0.95)
    low, high = nps_interval(0, 10, 0, method="score")
    assert high == pytest.approx(z**2 / (10 + z**2), abs=1e-12)
    assert low == pytest.approx(-high, abs=1e-12)


def test_nps_score_interval_solves_its_definition():
    low, high = nps_interval(50, 30, 20, method="score")
    z = stats.z_value(0.95)
    assert nps_score_statistic(50, 30, 20, low) == pytest.approx(z, abs=1e-9)
    assert nps_score_statistic(50, 30, 20, high) == pytest.approx(-z, abs=1e-9)
    assert (low, high) == pytest.approx((0.1395514161, 0.4433930663), abs=1e-9)


@pytest.mark.parametrize("u", [-0.6, -0.1, 0.2, 0.45, 0.8])
def test_nps_score_uses_the_restricted_maximum_likelihood(u):
    # At NPS = u the shares (q, q + u, 1 - 2q - u) maximise the multinomial likelihood;
    # the statistic's variance is theirs: p_P + p_D - u^2 = 2q + u(1 - u).
    pro, pas, det = 37, 41, 22
    n = pro + pas + det

    def loglik(q):
        return det * math.log(q) + pro * math.log(q + u) + pas * math.log(1 - 2 * q - u)

    grid = np.linspace(max(0, -u) + 1e-9, (1 - u) / 2 - 1e-9, 200001)
    best = grid[np.argmax([loglik(q) for q in grid])]
    variance = 2 * best + u * (1 - u)
    expected = (pro - det - n * u) / math.sqrt(n * variance)
    assert nps_score_statistic(pro, pas, det, u) == pytest.approx(expected, rel=1e-4)


def test_nps_score_interval_ends_and_empty():
    assert nps_interval(12, 0, 0, method="score")[1] == 1.0
    assert nps_interval(0, 0, 12, method="score")[0] == -1.0
    low, high = nps_interval(np.array([0, 5]), np.array([0, 5]), np.array([0, 5]),
                             method="score")
    assert np.isnan(low[0]) and np.isnan(high[0]) and low[1] == pytest.approx(-high[1])


# [TANGO] (promoters, passives, detractors) -> the published 95% interval, 4 decimals
_TANGO = [((6, 59 + 80, 16), (-0.1240, -0.0054)),  # cavo_2012
          ((3, 0, 0), (-0.1230, 1.0)),
          ((0, 0, 3), (-1.0, 0.1230))]


@pytest.mark.parametrize("counts,expected", _TANGO)
def test_nps_score_interval_matches_published_tango(counts, expected):
    low, high = nps_interval(*counts, method="score")
    assert (round(low, 4), round(high, 4)) == expected


def test_nps_table_score_interval_matches_published_tango():
    # [TANGO] cavo_2012 as 161 answers: 6 promoters, 139 passives, 16 detractors
    df = pd.DataFrame({"score": [10] * 6 + [8] * 139 + [2] * 16})
    row = ct.nps(df, method="score").iloc[0]
    assert round(row["estimate"], 2) == -6.21
    assert (round(row["ci_low"], 2), round(row["ci_high"], 2)) == (-12.40, -0.54)


@settings(max_examples=200)
@given(st.tuples(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500)),
       st.sampled_from([0.8, 0.95, 0.99]))
def test_nps_score_interval_contains_the_estimate_and_mirrors(counts, conf):
    pro, pas, det = counts
    assume(pro + pas + det >= 1)
    low, high = nps_interval(pro, pas, det, conf=conf, method="score")
    estimate = (pro - det) / (pro + pas + det)
    assert -1 <= low <= estimate + 1e-12 and estimate - 1e-12 <= high <= 1
    mlow, mhigh = nps_interval(det, pas, pro, conf=conf, method="score")
    assert (low, high) == pytest.approx((-mhigh, -mlow), abs=1e-9)


# --------------------------------------------------------------------------------------
# OLS driver model: cov_type
# --------------------------------------------------------------------------------------

# [LM] R ``summary(lm(Fertility ~ ., data = swiss))`` (the standard R example, printed in
# many R tutorials and package vignettes): estimates and ordinary standard errors
# Agriculture -0.17211 (0.07030), Examination -0.25801 (0.25388), Education -0.87094
# (0.18303), Catholic 0.10412 (0.03526), Infant.Mortality 1.07705 (0.38172); residual
# standard error 7.165 on 41 degrees of freedom. Data: ../shared/reference-data/swiss.csv.
_SWISS_LM = {"Agriculture": (-0.17211, 0.07030), "Examination": (-0.25801, 0.25388),
             "Education": (-0.87094, 0.18303), "Catholic": (0.10412, 0.03526),
             "infant_mortality": (1.07705, 0.38172)}


@pytest.fixture(scope="module")
def swiss_frame():
    from csat_toolkit.drivers import driver_frame

    from .conftest import REFERENCE, require_shared

    swiss = pd.read_csv(require_shared(REFERENCE / "swiss.csv"))
    swiss = swiss.rename(columns={"Infant.Mortality": "infant_mortality"})
    return swiss, driver_frame(swiss, "Fertility", list(_SWISS_LM),
                               kinds={d: "numeric" for d in _SWISS_LM})


def test_ols_nonrobust_errors_match_r_lm(swiss_frame):
    from csat_toolkit.drivers import fit_drivers

    _, frame = swiss_frame
    model = fit_drivers(frame, model="ols", cov_type="nonrobust", min_n=1)
    table = model.table.set_index("driver")
    for driver, (estimate, se) in _SWISS_LM.items():
        assert table.loc[driver, "coef"] == pytest.approx(estimate, abs=5e-6)
        assert table.loc[driver, "se"] == pytest.approx(se, abs=5e-6)
    assert "ordinary (non-robust) errors" in model.method


def test_ols_default_stays_hc3_and_other_hc_types(swiss_frame):
    from csat_toolkit.drivers import fit_drivers

    swiss, frame = swiss_frame
    default = fit_drivers(frame, model="ols", min_n=1)
    assert "HC3 robust errors" in default.method
    x = np.column_stack([np.ones(len(swiss))] + [swiss[d] for d in _SWISS_LM]).astype(float)
    y = swiss["Fertility"].to_numpy(float)
    xtx = np.linalg.inv(x.T @ x)
    e = y - x @ (xtx @ x.T @ y)
    h = np.einsum("ij,jk,ik->i", x, xtx, x)
    n, k = x.shape
    weights = {"HC0": e**2, "HC1": e**2 * n / (n - k), "HC2": e**2 / (1 - h),
               "HC3": e**2 / (1 - h) ** 2}
    for cov_type, omega in weights.items():
        se = np.sqrt(np.diag(xtx @ (x.T * omega) @ x @ xtx))[1:]
        model = default if cov_type == "HC3" else fit_drivers(frame, model="ols", min_n=1,
                                                              cov_type=cov_type)
        assert model.table.set_index("driver").loc[list(_SWISS_LM), "se"].tolist() == \
            pytest.approx(se.tolist())


def test_cov_type_errors(swiss_frame):
    from csat_toolkit.drivers import driver_frame, fit_drivers

    _, frame = swiss_frame
    with pytest.raises(ParameterError, match=r"cov_type must be one of \('HC3', 'nonrobust'"):
        fit_drivers(frame, model="ols", cov_type="robust")
    binary = driver_frame(pd.DataFrame({"y": [0, 1] * 40, "x": np.arange(80) % 7}), "y", ["x"])
    with pytest.raises(ParameterError, match=r"cov_type='nonrobust' applies to the OLS model "
                                             r"only; this model is 'logit'"):
        fit_drivers(binary, cov_type="nonrobust")
