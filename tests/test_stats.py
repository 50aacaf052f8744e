"""Tests of :mod:`csat_toolkit.stats`.

Every function is checked three ways:

1. against values computed by hand (the arithmetic is in the comments; z = 1.959963984540054
   for 95%, z^2 = 3.8414588206941254);
2. against PUBLISHED values from peer packages (R ``binom``, R ``t.test``, R ``multtest``,
   R-derived reference values stored in statsmodels' own test-suite, the R package ``NPS``
   by Brendan Rocks), each with its source (repository + path + commit, or the page);
3. against invariants with ``hypothesis`` (bounds, containment, agreement with statsmodels
   and scipy on random inputs), plus every error path with its message.

Sources used below (all looked up in stored copies of public material):

[BINOM]  R ``binom::binom.confint(x, n, tol = 1e-8)`` output, stored as
         ``res_binom`` in statsmodels/statsmodels @ 1a63aa78b1c7bad09354b07b5bd4f700230a24a8 :
         ``statsmodels/stats/tests/results/results_proportion.py`` (method order:
         agresti-coull, asymptotic, bayes, cloglog, exact, logit, probit, profile, lrt,
         prop.test, wilson; the comment "numbers from R package `pwr`" at the top of that file
         is stale, every block is preceded by its ``binom.confint`` call).
[SMPROP] statsmodels/statsmodels @ d1a258cf7d9f6eb0305e1c277286a7ffaf78985e :
         ``statsmodels/stats/tests/test_proportion.py``, class ``TestProportion``: reference
         p-values of all pairwise two-sample tests for ``smokers2 = c(73, 90, 114, 75)``,
         ``patients = c(86, 93, 136, 82)`` and their Holm adjustment (``res_ppt_pvals_raw`` /
         ``res_ppt_pvals_holm``, checked there against proportions_chisquare_allpairs, i.e.
         the uncorrected chi-square = R pairwise.prop.test(..., correct = FALSE); the R calls
         are printed in that class only for the neighbouring prop.test values); same file,
         ``test_default_values`` (GH 2969): proportions_ztest([5, 12], [83, 99]).
[MULTT]  statsmodels/statsmodels @ 0123770f843f5d1f20912249ee2510ffad2fbed1 :
         ``statsmodels/stats/tests/test_multi.py``, arrays ``res_multtest1`` and
         ``res_multtest3``, "tested against R:multtest" (``mt.rawp2adjp``); columns rawp,
         Bonferroni, Holm, Hochberg, SidakSS, SidakSD, BH, BY, ...
[MTCARS] R ``t.test(mpg ~ am, data = mtcars)``: "t = -3.7671, df = 18.332,
         p-value = 0.001374; 95 percent confidence interval: -11.280194 -3.209684",
         https://rstudio-pubs-static.s3.amazonaws.com/1153739_a5fe0fd14dbd4ee1b282076152a7d495.html
         and https://rstudio-pubs-static.s3.amazonaws.com/1037574_4b052d125064446cb1699aa15ad79cd0.html
         (the latter also: ``t.test(mtcars$mpg, mu = 19, alternative = "greater")`` gives the
         one-sided 95% bound 18.28418, i.e. the lower end of the two-sided 90% interval).
         ``t.test(mtcars$mpg, mu = 20)``: "95 percent confidence interval: 17.91768 22.26357",
         https://insightr.press/tutorial/one-sample-t-test/index.html .
         Data: /work/shared/reference-data/mtcars.csv (see its README for provenance).
[SLEEP]  R ``t.test(extra ~ group, data = sleep)``: "t = -1.8608, df = 17.776,
         p-value = 0.07939; 95 percent confidence interval: -3.3654832 0.2054832; means
         0.75 and 2.33", MontseFigueiro/TtestR @ 2684ff40b3c0665b9db6e053e0a457469fc85cdb :
         ``ttest.md``.  Data: R ``datasets::sleep`` (Student 1908), typed in below; the group
         means reproduce the published 0.75 and 2.33.
[RNPS]   R package NPS (Brendan Rocks), GitHub brendan-r/NPS.
         ``man/nps_test.Rd`` @ 24e46b03c483e0b11f8f9de877aed5c0256bdfa7 documents
         ``nps_test(x, y = NULL, test = "wald", conf = 0.95,
         pseudo_observations = c(0.75, 1.5, 0.75))`` with ``test`` one of "wald",
         "adjusted.wald", "iterative", and counts ordered (Detractors, Passives, Promoters).
         ``R/nps.R`` @ 144399723e478c0690af3d8f37cf379de983042d: ``npvar <- function(x) {
         props <- as.numeric(prop.table(x)); (props[3] + props[1]) - (props[3] - props[1])^2 }``.
         ``R/nps_tests.R`` (current version, also at https://rdrr.io/github/brendan-r/NPS/src/R/nps_tests.R):
         ``nps_test_`` adds the pseudo-observations to the counts, then uses the NPS, variance
         and n of the *adjusted* counts: ``int <- c(nps.x - z * se.hat, nps.x + z * se.hat)``,
         ``se.hat <- sqrt(var.x / n.x)``; two samples: ``se.hat <- sqrt((var.x / n.x) +
         (var.y / n.y))``, ``p.value <- 1 - (pnorm(delta.hat / se.hat) * 2 - 1)``.
         The package ships no numeric test expectations (tests/testthat/test_01_basics.R has
         empty "expected answers" blocks) and no worked numbers were found for Rocks (2016), so
         the R algorithm is transcribed below (``_r_nps_test``) and compared with stats.py.
         MeasuringU (https://measuringu.com/nps-three-confidence-intervals/) describes the same
         adjusted-Wald: "Add a constant of 3 to the sample size (n), 3/4 to the number of
         detractors, and 3/4 to the number of promoters".
"""
from __future__ import annotations

import doctest
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from csat_toolkit import stats
from csat_toolkit.errors import CsatToolkitError, ParameterError
from csat_toolkit.stats import (
    Comparison,
    adjust_pvalues,
    finite_population_factor,
    kish_effective_n,
    mean_interval,
    nps_difference_test,
    nps_interval,
    nps_variance,
    proportion_interval,
    two_proportion_test,
    welch_test,
    z_value,
)

Z95 = 1.959963984540054
REFERENCE_DATA = Path("/work/shared/reference-data")

# Deterministic property tests (design principle 6) and no .hypothesis/ folder in the repo.
PROPERTY = settings(max_examples=300)  # the rest from the profile in conftest.py


# --------------------------------------------------------------------------------------
# z_value
# --------------------------------------------------------------------------------------


def test_z_value_known_quantiles():
    # Standard normal quantiles: Phi^-1(0.975), Phi^-1(0.95), Phi^-1(0.995).
    assert z_value() == pytest.approx(1.959963984540054, abs=1e-12)
    assert z_value(0.90) == pytest.approx(1.6448536269514722, abs=1e-12)
    assert z_value(0.99) == pytest.approx(2.5758293035489004, abs=1e-12)


@pytest.mark.parametrize("conf", [0, 1, -0.5, 1.5, 95, float("nan")])
def test_z_value_rejects_bad_conf(conf):
    with pytest.raises(ParameterError, match=r"conf must be between 0 and 1"):
        z_value(conf)


def test_parameter_error_is_a_toolkit_and_value_error():
    with pytest.raises(CsatToolkitError):
        z_value(2)
    with pytest.raises(ValueError):
        z_value(2)


# --------------------------------------------------------------------------------------
# proportion_interval: hand-computed
# --------------------------------------------------------------------------------------


def test_design_worked_example_150_of_250_is_60_percent_wilson():
    # DESIGN.md: "150 satisfied answers out of 250 give CSAT 60%".
    # p = 150/250 = 0.6; z^2/(2n) = 3.84145882/500 = 0.00768292; 1 + z^2/n = 1.01536584
    # centre = (0.6 + 0.00768292) / 1.01536584 = 0.59848667
    # half   = z / 1.01536584 * sqrt(0.6*0.4/250 + z^2/(4*250^2))
    #        = 1.93030266 * sqrt(0.00096 + 0.00001536584) = 1.93030266 * 0.03123085 = 0.06028501
    # interval = 0.59848667 -+ 0.06028501 = (0.53820166, 0.65877168)
    assert 150 / 250 == 0.60
    low, high = proportion_interval(150, 250)
    assert low == pytest.approx(0.5382016632374602, abs=1e-12)
    assert high == pytest.approx(0.6587716768634508, abs=1e-12)
    assert isinstance(low, float) and isinstance(high, float)


def test_wald_hand_computed():
    # half = z * sqrt(0.6*0.4/250) = 1.95996398 * 0.03098387 = 0.06072726
    low, high = proportion_interval(150, 250, method="wald")
    assert low == pytest.approx(0.6 - 0.06072726297031968, abs=1e-12)
    assert high == pytest.approx(0.6 + 0.06072726297031968, abs=1e-12)


def test_agresti_coull_hand_computed():
    # n~ = 250 + z^2 = 253.84145882; p~ = (150 + z^2/2) / n~ = 151.92072941/253.84145882 = 0.59848667
    # half = z * sqrt(p~(1-p~)/n~) = 0.06030371 -> (0.53818296, 0.65879038)
    low, high = proportion_interval(150, 250, method="agresti_coull")
    assert low == pytest.approx(0.5381829590851438, abs=1e-12)
    assert high == pytest.approx(0.6587903810157673, abs=1e-12)


def test_clopper_pearson_zero_successes_closed_form():
    # x = 0: lower = 0, upper solves (1-p)^n = alpha/2  ->  1 - 0.025^(1/30) = 0.11570331
    low, high = proportion_interval(0, 30, method="clopper_pearson")
    assert low == 0.0
    assert high == pytest.approx(1 - 0.025 ** (1 / 30), abs=1e-12)
    # x = n mirrors it: lower = 0.025^(1/30), upper = 1
    low, high = proportion_interval(30, 30, method="clopper_pearson")
    assert low == pytest.approx(0.025 ** (1 / 30), abs=1e-12)
    assert high == 1.0


def test_wilson_one_success_in_one_hand_computed():
    # n = 1, x = 1: centre = (1 + z^2/2)/(1 + z^2) = 2.92072941/4.84145882 = 0.60327171
    # half = z/(1+z^2) * sqrt(0 + z^2/4) = (z^2/2)/(1+z^2) = 1.92072941/4.84145882 = 0.39672829
    # -> low = 1/(1 + z^2) = 1/4.84145882 = 0.20654931, high = (1 + z^2)/(1 + z^2) = 1
    low, high = proportion_interval(1, 1)
    assert low == pytest.approx(1 / (1 + Z95**2), abs=1e-12)
    assert low == pytest.approx(0.20654931, abs=1e-8)
    assert high == pytest.approx(1.0, abs=1e-12)


def test_wald_is_clipped_to_unit_interval():
    # 18/20: 0.9 + 1.96*sqrt(0.9*0.1/20) = 0.9 + 0.13147838 = 1.0315 -> clipped to 1
    low, high = proportion_interval(18, 20, method="wald")
    assert high == 1.0
    assert low == pytest.approx(0.9 - Z95 * math.sqrt(0.09 / 20), abs=1e-12)


def test_other_confidence_levels_change_width_monotonically():
    widths = []
    for conf in (0.80, 0.90, 0.95, 0.99):
        low, high = proportion_interval(150, 250, conf=conf)
        widths.append(high - low)
    assert widths == sorted(widths)


def test_zero_n_gives_nan_not_an_error():
    for method in stats.PROPORTION_METHODS:
        low, high = proportion_interval(0, 0, method=method)
        assert math.isnan(low) and math.isnan(high)


def test_vectorised_input_returns_arrays_matching_scalars():
    x = np.array([0, 150, 250])
    n = np.array([250, 250, 250])
    low, high = proportion_interval(x, n)
    assert isinstance(low, np.ndarray) and low.shape == (3,)
    for i in range(3):
        lo_i, hi_i = proportion_interval(int(x[i]), int(n[i]))
        assert low[i] == pytest.approx(lo_i, abs=1e-15)
        assert high[i] == pytest.approx(hi_i, abs=1e-15)


def test_weighted_non_integer_counts_are_accepted():
    # Weighted data: p = 0.6 with Kish effective n = 123.4 -> successes 74.04
    low, high = proportion_interval(0.6 * 123.4, 123.4)
    ref = proportion_confint(0.6 * 123.4, 123.4, alpha=0.05, method="wilson")
    assert (low, high) == pytest.approx(ref, abs=1e-12)


def test_proportion_interval_unknown_method():
    with pytest.raises(ParameterError, match=r"Unknown interval method 'exact'.*wilson"):
        proportion_interval(1, 2, method="exact")


@pytest.mark.parametrize("conf", [0, 1, 1.2, -0.1])
def test_proportion_interval_bad_conf(conf):
    with pytest.raises(ParameterError, match=r"conf must be between 0 and 1"):
        proportion_interval(1, 2, conf=conf)


# --------------------------------------------------------------------------------------
# proportion_interval: published R binom::binom.confint values [BINOM]
# --------------------------------------------------------------------------------------

# (x, n): {method: (R lower, R upper)}; R does not clip agresti-coull / asymptotic,
# stats.py does, so the expectation is the R value clipped to [0, 1].
_BINOM = {
    (18, 20): {
        "agresti_coull": (0.6867561125596077, 0.984343760998137),
        "wald": (0.768521618913513, 1.031478381086487),
        "clopper_pearson": (0.6830172859809176, 0.9876514728297052),
        "wilson": (0.6989663547715128, 0.972133518786232),
    },
    (4, 20): {
        "agresti_coull": (0.0749115102767071, 0.4217635845549845),
        "wald": (0.0246954918846837, 0.3753045081153163),
        "clopper_pearson": (0.05733399705003284, 0.436614002996668),
        "wilson": (0.0806576625797981, 0.4160174322518935),
    },
    (4, 200): {
        "agresti_coull": (0.005991954548218395, 0.0520995587739575),
        "wald": (0.000597346459104517, 0.0394026535408955),
        "clopper_pearson": (0.005475565879556443, 0.05041360908989634),
        "wilson": (0.00780442641634947, 0.05028708690582643),
    },
    (190, 200): {
        "agresti_coull": (0.909307307911624, 0.973731898348837),
        "wald": (0.919794926420966, 0.980205073579034),
        "clopper_pearson": (0.9099724622986486, 0.975765834527891),
        "wilson": (0.910421851861224, 0.972617354399236),
    },
    # the following R values are stored with 7-8 significant digits only
    (1, 30): {
        "agresti_coull": (-8.305484e-03, 0.18091798),
        "wald": (-3.090070e-02, 0.09756737),
        "clopper_pearson": (8.435709e-04, 0.17216946),
        "wilson": (5.908590e-03, 0.16670391),
    },
    (29, 30): {
        "agresti_coull": (0.8190820, 1.0083055),
        "wald": (0.9024326, 1.0309007),
        "clopper_pearson": (0.8278305, 0.9991564),
        "wilson": (0.8332961, 0.9940914),
    },
    (0, 30): {
        "agresti_coull": (0.0, 0.13471170),
        "wald": (0.0, 0.0),
        "clopper_pearson": (0.0, 0.11570331),
        "wilson": (0.0, 0.11351339),
    },
    (30, 30): {
        "agresti_coull": (0.8652883, 1.0),
        "wald": (1.0, 1.0),
        "clopper_pearson": (0.8842967, 1.0),
        "wilson": (0.8864866, 1.0),
    },
}


@pytest.mark.parametrize(
    "x,n,method",
    [(x, n, m) for (x, n), by_method in _BINOM.items() for m in by_method],
)
def test_proportion_interval_matches_r_binom_confint(x, n, method):
    r_low, r_high = _BINOM[(x, n)][method]
    atol = 1e-7 if n == 30 else 1e-10  # precision of the stored R values
    low, high = proportion_interval(x, n, method=method)
    assert low == pytest.approx(min(max(r_low, 0.0), 1.0), abs=atol)
    assert high == pytest.approx(min(max(r_high, 0.0), 1.0), abs=atol)


# --------------------------------------------------------------------------------------
# proportion_interval: properties
# --------------------------------------------------------------------------------------

_counts = st.integers(min_value=1, max_value=5000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)
_confs = st.sampled_from([0.80, 0.90, 0.95, 0.99])


@PROPERTY
@given(_counts, _confs, st.sampled_from(stats.PROPORTION_METHODS))
def test_proportion_interval_bounds_and_contains_estimate(xn, conf, method):
    x, n = xn
    low, high = proportion_interval(x, n, conf=conf, method=method)
    assert 0.0 <= low <= high <= 1.0
    # Containment up to rounding: Wilson at x == n gives 0.9999999999999999, not 1.0.
    assert low - 1e-12 <= x / n <= high + 1e-12


@PROPERTY
@given(_counts, _confs)
def test_wilson_matches_statsmodels_integer_counts(xn, conf):
    x, n = xn
    ours = proportion_interval(x, n, conf=conf)
    ref = proportion_confint(x, n, alpha=1 - conf, method="wilson")
    assert ours == pytest.approx(ref, abs=1e-12)


@PROPERTY
@given(
    st.floats(min_value=0.5, max_value=1e5, allow_nan=False),
    st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
    _confs,
)
def test_wilson_matches_statsmodels_weighted_counts(n, share, conf):
    x = share * n
    ours = proportion_interval(x, n, conf=conf)
    ref = np.clip(proportion_confint(x, n, alpha=1 - conf, method="wilson"), 0, 1)
    assert ours == pytest.approx(tuple(ref), abs=1e-12)


@PROPERTY
@given(_counts, _confs)
def test_agresti_coull_and_clopper_pearson_match_statsmodels(xn, conf):
    x, n = xn
    ours = proportion_interval(x, n, conf=conf, method="agresti_coull")
    ref = np.clip(proportion_confint(x, n, alpha=1 - conf, method="agresti_coull"), 0, 1)
    assert ours == pytest.approx(tuple(ref), abs=1e-12)
    ours = proportion_interval(x, n, conf=conf, method="clopper_pearson")
    ref = proportion_confint(x, n, alpha=1 - conf, method="beta")
    assert ours == pytest.approx(tuple(ref), abs=1e-10)


@PROPERTY
@given(st.lists(_counts, min_size=1, max_size=20))
def test_wilson_vectorised_matches_statsmodels(pairs):
    x = np.array([p[0] for p in pairs])
    n = np.array([p[1] for p in pairs])
    low, high = proportion_interval(x, n)
    ref_low, ref_high = proportion_confint(x, n, alpha=0.05, method="wilson")
    np.testing.assert_allclose(low, ref_low, atol=1e-12)
    np.testing.assert_allclose(high, ref_high, atol=1e-12)


# --------------------------------------------------------------------------------------
# nps_variance
# --------------------------------------------------------------------------------------


def test_nps_variance_hand_computed():
    # 50% promoters, 20% detractors: 0.5 + 0.2 - (0.5 - 0.2)^2 = 0.7 - 0.09 = 0.61
    assert nps_variance(0.5, 0.2) == pytest.approx(0.61, abs=1e-15)
    # all passives -> 0; half promoters half detractors -> 1 (the maximum)
    assert nps_variance(0.0, 0.0) == 0.0
    assert nps_variance(0.5, 0.5) == 1.0
    assert nps_variance(1.0, 0.0) == 0.0


def test_nps_variance_equals_r_npvar_formula():
    # [RNPS] npvar(x) = (props[3] + props[1]) - (props[3] - props[1])^2 on
    # x = c(detractors, passives, promoters).
    for det, pas, pro in [(20, 30, 50), (7, 0, 3), (1, 98, 1), (0, 0, 5)]:
        props = np.array([det, pas, pro]) / (det + pas + pro)
        r_npvar = (props[2] + props[0]) - (props[2] - props[0]) ** 2
        assert nps_variance(props[2], props[0]) == pytest.approx(r_npvar, abs=1e-15)


def test_nps_variance_is_variance_of_plus_minus_one_scores():
    # NPS is the mean of +1 (promoter), 0 (passive), -1 (detractor): its population variance.
    scores = np.array([1] * 50 + [0] * 30 + [-1] * 20)
    assert nps_variance(0.5, 0.2) == pytest.approx(np.var(scores), abs=1e-15)


def test_nps_variance_vectorised():
    out = nps_variance(np.array([0.5, 0.0]), np.array([0.2, 0.0]))
    np.testing.assert_allclose(out, [0.61, 0.0])


# --------------------------------------------------------------------------------------
# nps_interval
# --------------------------------------------------------------------------------------


def _r_nps_test(x, y=None, test="wald", conf=0.95, pseudo=(0.75, 1.5, 0.75)):
    """Transcription of R NPS::nps_test_ [RNPS]; x, y = c(detractors, passives, promoters).

    Returns (int, p.value, se.hat) like the R list. Pure Python, independent of stats.py.
    """

    def add_wts(v):
        return [a + b for a, b in zip(v, pseudo)] if test == "adjusted.wald" else list(v)

    def nps_(v):
        return (v[2] - v[0]) / sum(v)

    def nps_var_(v):
        props = [a / sum(v) for a in v]
        return (props[2] + props[0]) - (props[2] - props[0]) ** 2

    alpha = 1 - conf
    z = sps.norm.ppf(1 - alpha / 2)
    x_hat = add_wts(x)
    nps_x, var_x, n_x = nps_(x_hat), nps_var_(x_hat), sum(x_hat)
    if y is None:
        se_hat = math.sqrt(var_x / n_x)
        interval = (nps_x - z * se_hat, nps_x + z * se_hat)
        # (R divides by se.hat = 0 without complaint; Python floats would raise)
        p_value = 1 - (sps.norm.cdf(abs(nps_x - 0) / se_hat) * 2 - 1) if se_hat else math.nan
        return interval, p_value, se_hat
    y_hat = add_wts(y)
    nps_y, var_y, n_y = nps_(y_hat), nps_var_(y_hat), sum(y_hat)
    delta_hat = abs(nps_x - nps_y)
    se_hat = math.sqrt(var_x / n_x + var_y / n_y)
    interval = (delta_hat - z * se_hat, delta_hat + z * se_hat)
    p_value = 1 - (sps.norm.cdf(delta_hat / se_hat) * 2 - 1)
    return interval, p_value, se_hat


def test_nps_interval_adjusted_wald_hand_computed():
    # 50 promoters, 30 passives, 20 detractors (NPS = +30).
    # Adjusted counts: 50.75, 31.5, 20.75 -> n~ = 103
    # p_P = 50.75/103 = 0.49271845, p_D = 20.75/103 = 0.20145631, centre = 0.29126214
    # var = 0.49271845 + 0.20145631 - 0.29126214^2 = 0.69417476 - 0.08483363 = 0.60934113
    # se = sqrt(0.60934113/103) = 0.07691510; half = 1.95996398 * 0.07691510 = 0.15075083
    # -> (0.14051130, 0.44201297)
    low, high = nps_interval(50, 30, 20)
    assert low == pytest.approx(0.14051130178761606, abs=1e-12)
    assert high == pytest.approx(0.4420129700570441, abs=1e-12)


def test_nps_interval_wald_hand_computed():
    # Raw: NPS = 0.3, var = 0.5 + 0.2 - 0.09 = 0.61, se = sqrt(0.61/100) = 0.07810250
    # half = 1.95996398 * 0.07810250 = 0.15307808 -> (0.14692192, 0.45307808)
    low, high = nps_interval(50, 30, 20, method="wald")
    assert low == pytest.approx(0.3 - 0.1530780807504267, abs=1e-12)
    assert high == pytest.approx(0.3 + 0.1530780807504267, abs=1e-12)


@pytest.mark.parametrize(
    "pro,pas,det",
    [(50, 30, 20), (9, 0, 2), (350, 220, 90), (3, 4, 5), (0, 10, 0), (12, 3, 40), (1000, 10, 1)],
)
@pytest.mark.parametrize("conf", [0.90, 0.95, 0.99])
def test_nps_interval_matches_r_nps_test_algorithm(pro, pas, det, conf):
    # [RNPS] nps_test(..., test = "adjusted.wald") and test = "wald", one sample.
    for ours_method, r_test in (("adjusted_wald", "adjusted.wald"), ("wald", "wald")):
        (r_low, r_high), _, _ = _r_nps_test([det, pas, pro], test=r_test, conf=conf)
        low, high = nps_interval(pro, pas, det, conf=conf, method=ours_method)
        # R does not clip to [-1, 1]; stats.py does.
        assert low == pytest.approx(max(r_low, -1.0), abs=1e-12)
        assert high == pytest.approx(min(r_high, 1.0), abs=1e-12)


def test_nps_adjusted_wald_matches_measuringu_description():
    # MeasuringU: add 3 to n, 3/4 to detractors and 3/4 to promoters, then the Wald interval
    # with the variance of a difference of two multinomial proportions
    # p_P(1-p_P)/n + p_D(1-p_D)/n + 2 p_P p_D / n  ==  (p_P + p_D - (p_P - p_D)^2) / n.
    pro, pas, det = 36, 10, 14
    n_adj = pro + pas + det + 3
    p_p, p_d = (pro + 0.75) / n_adj, (det + 0.75) / n_adj
    se = math.sqrt((p_p * (1 - p_p) + p_d * (1 - p_d) + 2 * p_p * p_d) / n_adj)
    low, high = nps_interval(pro, pas, det)
    assert low == pytest.approx(p_p - p_d - Z95 * se, abs=1e-12)
    assert high == pytest.approx(p_p - p_d + Z95 * se, abs=1e-12)


def test_nps_interval_single_respondent_excludes_its_own_score():
    # A property of the adjusted-Wald method (same in R's nps_test_, no stats.py defect):
    # with ONE respondent who is a promoter the raw NPS is +1, but the adjusted centre is
    # (1.75 - 0.75)/4 = 0.25 and half = z * sqrt((0.4375 + 0.1875 - 0.0625)/4) = z * 0.375
    # = 0.73498649, so the interval is (-0.48498649, 0.98498649) and excludes +1.
    # Exhaustive search over every count vector with n <= 199 at 95% finds only these two
    # cases (one promoter, or one detractor); the small-n flag (min_n) must cover them.
    low, high = nps_interval(1, 0, 0)
    assert (low, high) == pytest.approx((0.25 - Z95 * 0.375, 0.25 + Z95 * 0.375), abs=1e-12)
    assert high < 1.0
    low, high = nps_interval(0, 0, 1)
    assert low > -1.0
    (r_low, r_high), _, _ = _r_nps_test([0, 0, 1], test="adjusted.wald")
    assert (low, high) == pytest.approx((-r_high, -r_low), abs=1e-12)


def test_nps_interval_extremes_are_clipped_to_minus_one_one():
    # Wald with all promoters: NPS 1, var 0 -> (1, 1); adjusted Wald stays inside [-1, 1].
    assert nps_interval(40, 0, 0, method="wald") == (1.0, 1.0)
    low, high = nps_interval(5, 0, 0)
    assert -1.0 <= low <= high <= 1.0


def test_nps_interval_empty_group_is_nan():
    for method in stats.NPS_METHODS:
        low, high = nps_interval(0, 0, 0, method=method)
        assert math.isnan(low) and math.isnan(high)


def test_nps_interval_vectorised():
    low, high = nps_interval(np.array([50, 0]), np.array([30, 0]), np.array([20, 0]))
    assert low[0] == pytest.approx(0.14051130178761606, abs=1e-12)
    assert np.isnan(low[1]) and np.isnan(high[1])


def test_nps_interval_unknown_method():
    with pytest.raises(ParameterError, match=r"Unknown NPS interval method 'adjusted.wald'"):
        nps_interval(1, 1, 1, method="adjusted.wald")


@pytest.mark.parametrize("conf", [0, 1, 1.5])
def test_nps_interval_bad_conf(conf):
    with pytest.raises(ParameterError, match=r"conf must be between 0 and 1"):
        nps_interval(1, 1, 1, conf=conf)


_nps_counts = st.tuples(
    st.integers(min_value=0, max_value=2000),
    st.integers(min_value=0, max_value=2000),
    st.integers(min_value=0, max_value=2000),
)


@PROPERTY
@given(_nps_counts, _confs, st.sampled_from(stats.NPS_METHODS))
def test_nps_interval_within_minus_one_one(counts, conf, method):
    pro, pas, det = counts
    assume(pro + pas + det >= 1)
    low, high = nps_interval(pro, pas, det, conf=conf, method=method)
    assert -1.0 <= low <= high <= 1.0


@PROPERTY
@given(_nps_counts, st.sampled_from([0.95, 0.99]), st.sampled_from(stats.NPS_METHODS))
def test_nps_interval_contains_estimate_at_95_and_99(counts, conf, method):
    pro, pas, det = counts
    n = pro + pas + det
    assume(n >= 2)  # n == 1: see test_nps_interval_single_respondent_excludes_its_own_score
    low, high = nps_interval(pro, pas, det, conf=conf, method=method)
    assert low - 1e-12 <= (pro - det) / n <= high + 1e-12


def test_nps_interval_is_centred_on_the_adjusted_estimate():
    # Documented behaviour of the method (Rocks 2016; R NPS::nps_test uses the same fixed
    # pseudo-observations 0.75/1.5/0.75 at every level): the interval is centred on the
    # adjusted NPS, so for an all-promoter group at a LOW confidence level it can stop
    # short of the observed +1. Below conf = 2*Phi(3/sqrt(4.5)) - 1 = 0.8427 this holds for
    # every n; at 0.95 only for n = 1 (and such groups are flagged small_n).
    # 50 promoters: centre = (50.75 - 0.75)/53 = 0.94339623; var = (50.75 + 0.75)/53 -
    # 0.94339623^2 = 0.08170167; se = sqrt(0.08170167/53) = 0.03926246;
    # z(0.80) = 1.28155157 -> upper = 0.94339623 + 0.05031687 = 0.99371310.
    low, high = nps_interval(50, 0, 0, conf=0.80)
    assert high == pytest.approx(0.9937130973859198, abs=1e-12)
    assert nps_interval(50, 0, 0, conf=0.95)[1] == 1.0  # at the default level it reaches +1


@PROPERTY
@given(_nps_counts)
def test_nps_interval_is_antisymmetric_in_promoters_and_detractors(counts):
    pro, pas, det = counts
    assume(pro + pas + det >= 1)
    low, high = nps_interval(pro, pas, det)
    mlow, mhigh = nps_interval(det, pas, pro)
    assert (low, high) == pytest.approx((-mhigh, -mlow), abs=1e-12)


# --------------------------------------------------------------------------------------
# mean_interval
# --------------------------------------------------------------------------------------


def test_mean_interval_hand_computed():
    # t_{0.975, 24} = 2.06389856; half = 2.06389856 * 1.0/sqrt(25) = 0.41277971
    # -> (3.58722029, 4.41277971)
    low, high = mean_interval(4.0, 1.0, 25)
    assert low == pytest.approx(3.5872202876743953, abs=1e-12)
    assert high == pytest.approx(4.412779712325605, abs=1e-12)


@pytest.fixture(scope="module")
def mtcars() -> pd.DataFrame:
    path = REFERENCE_DATA / "mtcars.csv"
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return pd.read_csv(path)


def test_mean_interval_matches_r_t_test_mtcars(mtcars):
    # [MTCARS] t.test(mtcars$mpg)$conf.int = 17.91768 22.26357 (95%), and
    # t.test(mtcars$mpg, mu = 19, alternative = "greater") lower bound 18.28418 (= 90% lower).
    mpg = mtcars["mpg"]
    assert len(mpg) == 32
    low, high = mean_interval(mpg.mean(), mpg.std(ddof=1), len(mpg))
    assert low == pytest.approx(17.91768, abs=5e-6)
    assert high == pytest.approx(22.26357, abs=5e-6)
    low90, _ = mean_interval(mpg.mean(), mpg.std(ddof=1), len(mpg), conf=0.90)
    assert low90 == pytest.approx(18.28418, abs=5e-6)


def test_mean_interval_needs_two_observations():
    for n in (0, 1):
        low, high = mean_interval(3.0, 1.0, n)
        assert math.isnan(low) and math.isnan(high)


def test_mean_interval_vectorised_and_zero_sd():
    low, high = mean_interval(np.array([4.0, 2.0]), np.array([1.0, 0.0]), np.array([25, 10]))
    assert low[0] == pytest.approx(3.5872202876743953, abs=1e-12)
    assert low[1] == high[1] == 2.0


@pytest.mark.parametrize("conf", [0, 1, 2])
def test_mean_interval_bad_conf(conf):
    with pytest.raises(ParameterError, match=r"conf must be between 0 and 1"):
        mean_interval(4.0, 1.0, 25, conf=conf)


@PROPERTY
@given(
    st.floats(min_value=-100, max_value=100),
    st.floats(min_value=0, max_value=50),
    st.integers(min_value=2, max_value=10_000),
    _confs,
)
def test_mean_interval_matches_scipy_t_interval(mean, sd, n, conf):
    low, high = mean_interval(mean, sd, n, conf=conf)
    if sd < np.finfo(float).tiny:  # zero or subnormal: a point (see the test below)
        assert low == high == mean
        return
    ref = sps.t.interval(conf, n - 1, loc=mean, scale=sd / math.sqrt(n))
    assert (low, high) == pytest.approx(ref, rel=1e-9, abs=1e-9)
    assert low <= mean <= high


@pytest.mark.parametrize("sd", [5e-324, 1e-310, -0.0, 0.0])
def test_mean_interval_with_a_subnormal_spread_is_a_point(sd):
    # scipy's t.interval returns NaN for a subnormal scale on some processors and +-5e-324 on
    # others; the toolkit decides: below the smallest normal double the spread is zero.
    with np.errstate(all="raise"):  # and no floating-point warning on the way
        assert mean_interval(2.5, sd, 4, conf=0.8) == (2.5, 2.5)


def test_mean_interval_extreme_inputs():
    assert mean_interval(1.0, math.inf, 10) == (-math.inf, math.inf)
    assert all(math.isnan(v) for v in mean_interval(1.0, math.nan, 10))
    assert all(math.isnan(v) for v in mean_interval(1.0, 1.0, 1))
    low, high = mean_interval(1e308, 1e308, 2)  # finite inputs, a half-width past the range
    assert low == -math.inf and high == math.inf
    smallest = np.finfo(float).tiny  # the smallest normal spread is used as given
    low, high = mean_interval(0.0, smallest, 4)
    assert low < 0 < high and high == pytest.approx(sps.t.ppf(0.975, 3) * smallest / 2)


# --------------------------------------------------------------------------------------
# two_proportion_test
# --------------------------------------------------------------------------------------


def test_two_proportion_test_hand_computed():
    # 150/250 = 0.60 vs 120/250 = 0.48; pooled = 270/500 = 0.54
    # se = sqrt(0.54 * 0.46 * (1/250 + 1/250)) = sqrt(0.0019872) = 0.04457802
    # z = 0.12 / 0.04457802 = 2.69190951; p = 2 * (1 - Phi(2.69190951)) = 0.00710442
    r = two_proportion_test(150, 250, 120, 250)
    assert isinstance(r, Comparison)
    assert r.difference == pytest.approx(0.12, abs=1e-15)
    assert r.se == pytest.approx(0.044578021490416106, abs=1e-15)
    assert r.statistic == pytest.approx(2.6919095102908273, abs=1e-12)
    assert r.p_value == pytest.approx(0.0071044218567106136, abs=1e-14)
    assert r.df == math.inf


# [SMPROP] pairs in R's pairwise order (1-2, 1-3, 1-4, 2-3, 2-4, 3-4)
_SMOKERS2 = [73, 90, 114, 75]
_PATIENTS = [86, 93, 136, 82]
_PAIRS = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
_PAIR_P_RAW = [
    0.00533824886503131, 0.8327574849753566, 0.1880573726722516,
    0.002026764254350234, 0.1309487516334318, 0.1076118730631731,
]
_PAIR_P_HOLM = [
    0.02669124432515654, 0.8327574849753566, 0.4304474922526926,
    0.0121605855261014, 0.4304474922526926, 0.4304474922526926,
]


def test_two_proportion_test_matches_published_pairwise_prop_test():
    # The two-sample chi-square without continuity correction is z^2 (df = 1), so its
    # p-value equals the two-sided z-test p-value.
    for (i, j), expected in zip(_PAIRS, _PAIR_P_RAW):
        r = two_proportion_test(_SMOKERS2[i], _PATIENTS[i], _SMOKERS2[j], _PATIENTS[j])
        assert r.p_value == pytest.approx(expected, rel=1e-9)
        assert sps.chi2.sf(r.statistic**2, 1) == pytest.approx(expected, rel=1e-9)


def test_two_proportion_test_vectorised_over_pairs_then_holm():
    i = np.array([p[0] for p in _PAIRS])
    j = np.array([p[1] for p in _PAIRS])
    x, n = np.array(_SMOKERS2), np.array(_PATIENTS)
    r = two_proportion_test(x[i], n[i], x[j], n[j])
    np.testing.assert_allclose(r.p_value, _PAIR_P_RAW, rtol=1e-9)
    np.testing.assert_allclose(adjust_pvalues(r.p_value, "holm"), _PAIR_P_HOLM, rtol=1e-9)
    assert np.all(np.isinf(r.df))


def test_two_proportion_test_matches_statsmodels_gh2969():
    # [SMPROP] test_default_values: proportions_ztest([5, 12], [83, 99]) ->
    # stat -1.4078304151258787, p 0.15918129181156992
    r = two_proportion_test(5, 83, 12, 99)
    assert r.statistic == pytest.approx(-1.4078304151258787, abs=1e-12)
    assert r.p_value == pytest.approx(0.15918129181156992, abs=1e-12)


def test_two_proportion_test_no_variation_is_no_evidence():
    # Both groups 0 of 10: no spread and no difference -> statistic 0, p = 1 (not NaN,
    # which a sentence would have to explain).
    r = two_proportion_test(0, 10, 0, 10)
    assert r.difference == 0.0 and r.se == 0.0
    assert r.statistic == 0.0 and r.p_value == 1.0


def test_welch_without_spread_but_with_a_difference_is_certain():
    # All 5s against all 1s: scipy's ttest_ind gives t = inf, p = 0.
    r = welch_test(5.0, 0.0, 10, 1.0, 0.0, 10)
    assert r.statistic == math.inf and r.p_value == 0.0


@PROPERTY
@given(_counts, _counts)
def test_two_proportion_test_matches_statsmodels_ztest(a, b):
    (x1, n1), (x2, n2) = a, b
    pooled = (x1 + x2) / (n1 + n2)
    assume(0 < pooled < 1)
    r = two_proportion_test(x1, n1, x2, n2)
    z, p = proportions_ztest([x1, x2], [n1, n2])
    assert r.statistic == pytest.approx(z, rel=1e-9, abs=1e-12)
    assert r.p_value == pytest.approx(p, rel=1e-9, abs=1e-15)
    swapped = two_proportion_test(x2, n2, x1, n1)
    assert swapped.statistic == pytest.approx(-r.statistic, abs=1e-12)
    assert 0.0 <= r.p_value <= 1.0


# --------------------------------------------------------------------------------------
# nps_difference_test
# --------------------------------------------------------------------------------------


def test_nps_difference_test_hand_computed():
    # NPS1 = (50 - 20)/100 = 0.3, var1 = 0.7 - 0.09 = 0.61
    # NPS2 = (40 - 30)/100 = 0.1, var2 = 0.7 - 0.01 = 0.69
    # se = sqrt(0.61/100 + 0.69/100) = sqrt(0.013) = 0.11401754
    # z = 0.2 / 0.11401754 = 1.75411604; p = 2 * (1 - Phi(1.75411604)) = 0.07941063
    r = nps_difference_test(50, 30, 20, 40, 30, 30)
    assert r.difference == pytest.approx(0.2, abs=1e-15)
    assert r.se == pytest.approx(math.sqrt(0.013), abs=1e-15)
    assert r.statistic == pytest.approx(1.7541160386140586, abs=1e-12)
    assert r.p_value == pytest.approx(0.07941062599894216, abs=1e-12)
    assert r.df == math.inf


@pytest.mark.parametrize(
    "first,second",
    [((50, 30, 20), (40, 30, 30)), ((350, 220, 90), (300, 200, 160)), ((9, 0, 2), (3, 4, 5))],
)
def test_nps_difference_test_matches_r_nps_test_two_sample(first, second):
    # [RNPS] nps_test(x, y, test = "wald"): se.hat = sqrt(var.x/n.x + var.y/n.y),
    # p.value = 1 - (pnorm(delta.hat/se.hat) * 2 - 1); R reports |difference|.
    (pro1, pas1, det1), (pro2, pas2, det2) = first, second
    _, r_p, r_se = _r_nps_test([det1, pas1, pro1], [det2, pas2, pro2], test="wald")
    r = nps_difference_test(pro1, pas1, det1, pro2, pas2, det2)
    assert r.se == pytest.approx(r_se, abs=1e-14)
    assert r.p_value == pytest.approx(r_p, abs=1e-12)


def test_nps_difference_test_is_z_test_on_plus_minus_one_scores():
    # Equivalent to an unpooled two-sample z test of means of +1/0/-1 scores with the
    # population (divisor n) variance.
    a = np.array([1] * 50 + [0] * 30 + [-1] * 20)
    b = np.array([1] * 40 + [0] * 30 + [-1] * 30)
    se = math.sqrt(a.var() / a.size + b.var() / b.size)
    r = nps_difference_test(50, 30, 20, 40, 30, 30)
    assert r.statistic == pytest.approx((a.mean() - b.mean()) / se, abs=1e-12)


@PROPERTY
@given(_nps_counts, _nps_counts)
def test_nps_difference_test_properties(first, second):
    assume(sum(first) >= 1 and sum(second) >= 1)
    pro1, pas1, det1 = first
    pro2, pas2, det2 = second
    r = nps_difference_test(pro1, pas1, det1, pro2, pas2, det2)
    expected_diff = (pro1 - det1) / sum(first) - (pro2 - det2) / sum(second)
    assert r.difference == pytest.approx(expected_diff, abs=1e-12)
    if r.se > 0:
        assert 0.0 <= r.p_value <= 1.0
        swapped = nps_difference_test(pro2, pas2, det2, pro1, pas1, det1)
        assert swapped.statistic == pytest.approx(-r.statistic, abs=1e-9)
        assert swapped.p_value == pytest.approx(r.p_value, abs=1e-12)


# --------------------------------------------------------------------------------------
# welch_test
# --------------------------------------------------------------------------------------


def test_welch_test_hand_computed():
    # v1 = 1.0^2/50 = 0.02, v2 = 1.2^2/40 = 0.036, se = sqrt(0.056) = 0.23664319
    # t = 0.4 / 0.23664319 = 1.69030851
    # df = 0.056^2 / (0.02^2/49 + 0.036^2/39) = 0.003136 / (8.1633e-6 + 3.32308e-5) = 75.7597
    r = welch_test(4.2, 1.0, 50, 3.8, 1.2, 40)
    assert r.difference == pytest.approx(0.4, abs=1e-12)
    assert r.se == pytest.approx(math.sqrt(0.056), abs=1e-15)
    assert r.statistic == pytest.approx(1.6903085094570334, abs=1e-12)
    assert r.df == pytest.approx(75.75970873786406, abs=1e-9)
    assert r.p_value == pytest.approx(0.09507986339649553, abs=1e-12)


def test_welch_test_matches_r_t_test_mtcars(mtcars):
    # [MTCARS] t.test(mpg ~ am, data = mtcars): t = -3.7671, df = 18.332, p-value = 0.001374,
    # 95% CI -11.280194 -3.209684, means 17.14737 (automatic) and 24.39231 (manual).
    groups = mtcars.groupby("am")["mpg"]
    auto, manual = groups.get_group(0.0), groups.get_group(1.0)
    assert auto.mean() == pytest.approx(17.14737, abs=5e-6)
    assert manual.mean() == pytest.approx(24.39231, abs=5e-6)
    r = welch_test(auto.mean(), auto.std(), len(auto), manual.mean(), manual.std(), len(manual))
    assert r.statistic == pytest.approx(-3.7671, abs=5e-5)
    assert r.df == pytest.approx(18.332, abs=5e-4)
    assert r.p_value == pytest.approx(0.001374, abs=5e-7)
    # R's interval is difference -+ t_{0.975, df} * se.
    half = sps.t.ppf(0.975, r.df) * r.se
    assert r.difference - half == pytest.approx(-11.280194, abs=5e-7)
    assert r.difference + half == pytest.approx(-3.209684, abs=5e-7)


# R datasets::sleep (Student 1908), extra hours of sleep by drug group.
_SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
_SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_welch_test_matches_r_t_test_sleep():
    # [SLEEP] t.test(extra ~ group, data = sleep): t = -1.8608, df = 17.776,
    # p-value = 0.07939, 95% CI -3.3654832 0.2054832, means 0.75 and 2.33.
    a, b = np.array(_SLEEP_1), np.array(_SLEEP_2)
    assert a.mean() == pytest.approx(0.75) and b.mean() == pytest.approx(2.33)
    r = welch_test(a.mean(), a.std(ddof=1), a.size, b.mean(), b.std(ddof=1), b.size)
    assert r.statistic == pytest.approx(-1.8608, abs=5e-5)
    assert r.df == pytest.approx(17.776, abs=5e-4)
    assert r.p_value == pytest.approx(0.07939, abs=5e-6)
    half = sps.t.ppf(0.975, r.df) * r.se
    assert r.difference - half == pytest.approx(-3.3654832, abs=5e-8)
    assert r.difference + half == pytest.approx(0.2054832, abs=5e-8)


def test_welch_test_vectorised():
    r = welch_test(np.array([4.2, 0.75]), np.array([1.0, 1.0]), np.array([50, 10]),
                   np.array([3.8, 0.75]), np.array([1.2, 1.0]), np.array([40, 10]))
    assert r.statistic[0] == pytest.approx(1.6903085094570334, abs=1e-12)
    assert r.statistic[1] == 0.0 and r.p_value[1] == pytest.approx(1.0)


@PROPERTY
@given(
    st.floats(min_value=-10, max_value=10), st.floats(min_value=0.01, max_value=5),
    st.integers(min_value=2, max_value=5000),
    st.floats(min_value=-10, max_value=10), st.floats(min_value=0.01, max_value=5),
    st.integers(min_value=2, max_value=5000),
)
def test_welch_test_matches_scipy_from_stats(m1, s1, n1, m2, s2, n2):
    r = welch_test(m1, s1, n1, m2, s2, n2)
    ref = sps.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=False)
    assert r.statistic == pytest.approx(ref.statistic, rel=1e-9, abs=1e-12)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-7, abs=1e-14)
    # Welch-Satterthwaite df lies between min(n1, n2) - 1 and n1 + n2 - 2.
    assert min(n1, n2) - 1 - 1e-9 <= r.df <= n1 + n2 - 2 + 1e-9


# --------------------------------------------------------------------------------------
# adjust_pvalues
# --------------------------------------------------------------------------------------


def test_adjust_pvalues_hand_computed_holm_and_bh():
    # Holm on (0.01, 0.04, 0.03): sorted 0.01, 0.03, 0.04 times (3, 2, 1) = 0.03, 0.06, 0.04,
    # running max -> 0.03, 0.06, 0.06; back in input order: 0.03, 0.06, 0.06.
    np.testing.assert_allclose(adjust_pvalues([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])
    # BH: sorted p * m / rank = 0.01*3/1, 0.03*3/2, 0.04*3/3 = 0.03, 0.045, 0.04,
    # running min from the top -> 0.03, 0.04, 0.04; input order: 0.03, 0.04, 0.04.
    np.testing.assert_allclose(adjust_pvalues([0.01, 0.04, 0.03], "bh"), [0.03, 0.04, 0.04])


# [MULTT] res_multtest3 (R multtest): raw, Holm, BH columns. Hand check of Holm:
# 0.001*10, 0.002*9, 0.003*8, 0.004*7, 0.005*6 = 0.01, 0.018, 0.024, 0.028, 0.03;
# 0.05*5 = 0.25 and the running maximum keeps 0.25 for the rest (0.24, 0.21, 0.16, 0.09).
# BH: 0.09*10/10 = 0.09, 0.08*10/9 = 0.0889, 0.07*10/8 = 0.0875, 0.06*10/7 = 0.0857,
# 0.05*10/6 = 0.0833, and 0.005*10/5 = 0.01 = the running minimum of the first five.
_MT3_RAW = [0.001, 0.002, 0.003, 0.004, 0.005, 0.05, 0.06, 0.07, 0.08, 0.09]
_MT3_HOLM = [0.01, 0.018, 0.024, 0.028, 0.03, 0.25, 0.25, 0.25, 0.25, 0.25]
_MT3_BH = [0.01, 0.01, 0.01, 0.01, 0.01, 0.08333333333333334, 0.0857142857142857,
           0.0875, 0.0888888888888889, 0.09]

# [MULTT] res_multtest1 (R multtest), rows sorted by raw p.
_MT1_RAW = [5.23656777208e-05, 2.8140506198e-04, 1.49877310796e-02, 2.02732688798e-02,
            0.177096952723, 0.642193923795, 0.680845947633, 0.71626938238,
            0.838541367553, 0.967833824309]
_MT1_HOLM = [5.2365677720800005e-04, 2.5326455578199999e-03, 1.1990184863680001e-01,
             1.4191288215860001e-01, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
_MT1_BH = [5.2365677720800005e-04, 1.4070253098999999e-03, 4.9959103598666670e-02,
           5.0683172199499998e-02, 3.5419390544599999e-01, 8.9533672797500008e-01,
           8.9533672797500008e-01, 8.9533672797500008e-01, 9.3171263061444454e-01,
           9.6783382430900000e-01]


@pytest.mark.parametrize(
    "raw,holm,bh", [(_MT3_RAW, _MT3_HOLM, _MT3_BH), (_MT1_RAW, _MT1_HOLM, _MT1_BH)]
)
def test_adjust_pvalues_matches_r_multtest(raw, holm, bh):
    np.testing.assert_allclose(adjust_pvalues(raw, "holm"), holm, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(adjust_pvalues(raw, "bh"), bh, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(adjust_pvalues(raw, "fdr_bh"), bh, rtol=1e-12, atol=1e-15)
    # order of the input does not matter
    order = np.arange(len(raw))[::-1]
    np.testing.assert_allclose(
        adjust_pvalues(np.array(raw)[order], "holm"), np.array(holm)[order], rtol=1e-12
    )


def test_adjust_pvalues_matches_published_holm_of_pairwise_tests():
    # [SMPROP] res_ppt_pvals_raw -> res_ppt_pvals_holm
    np.testing.assert_allclose(adjust_pvalues(_PAIR_P_RAW), _PAIR_P_HOLM, rtol=1e-12)


def test_adjust_pvalues_preserves_nan_and_ignores_it_in_the_count():
    # Holm over the three non-missing values only: (0.01, 0.04, 0.03) -> (0.03, 0.06, 0.06)
    out = adjust_pvalues([0.01, np.nan, 0.04, 0.03])
    assert np.isnan(out[1])
    np.testing.assert_allclose(out[[0, 2, 3]], [0.03, 0.06, 0.06])
    assert np.isnan(adjust_pvalues([np.nan, np.nan], "bh")).all()
    assert adjust_pvalues([]).size == 0


def test_adjust_pvalues_none_and_no_mutation():
    raw = np.array([0.01, 0.04, 0.03])
    out = adjust_pvalues(raw, "none")
    np.testing.assert_array_equal(out, raw)
    assert out is not raw
    adjust_pvalues(raw, "holm")
    np.testing.assert_array_equal(raw, [0.01, 0.04, 0.03])  # input unchanged


@pytest.mark.parametrize("method", ["bonferroni", "BH", "", None])
def test_adjust_pvalues_unknown_method(method):
    with pytest.raises(ParameterError, match=r"Unknown correction .*use 'holm' \(default\), 'bh' or 'none'"):
        adjust_pvalues([0.01, 0.02], method=method)


@settings(PROPERTY, max_examples=60)
@given(
    st.lists(
        st.one_of(st.floats(min_value=0.0, max_value=1.0), st.just(float("nan"))),
        min_size=1, max_size=40,
    ),
    st.sampled_from(["holm", "bh"]),
)
def test_adjust_pvalues_properties(raw, method):
    p = np.array(raw, dtype=float)
    out = adjust_pvalues(p, method)
    nan = np.isnan(p)
    np.testing.assert_array_equal(np.isnan(out), nan)  # NaN preserved, nothing else NaN
    ok = ~nan
    assert np.all(out[ok] >= p[ok] - 1e-15)  # never smaller than the raw p
    assert np.all(out[ok] <= 1.0)  # never above 1
    # order preserved: a smaller raw p never gets a larger adjusted p (ties get equal ones)
    order = np.argsort(p[ok], kind="stable")
    assert np.all(np.diff(out[ok][order]) >= -1e-15)
    if method == "holm":  # Holm is never below BH (FWER is the stricter target)
        assert np.all(out[ok] >= adjust_pvalues(p, "bh")[ok] - 1e-15)


# --------------------------------------------------------------------------------------
# kish_effective_n
# --------------------------------------------------------------------------------------


def test_kish_effective_n_hand_computed():
    # (1+1+2+4)^2 / (1+1+4+16) = 64/22 = 2.90909091
    assert kish_effective_n([1, 1, 2, 4]) == pytest.approx(64 / 22, abs=1e-15)
    # (0.5+1+1.5+2+1)^2 / (0.25+1+2.25+4+1) = 36/8.5 = 4.23529412
    assert kish_effective_n([0.5, 1, 1.5, 2, 1]) == pytest.approx(36 / 8.5, abs=1e-15)
    # equal weights: n
    assert kish_effective_n([1, 1, 1, 1]) == 4.0
    assert kish_effective_n(np.full(250, 3.7)) == pytest.approx(250.0, abs=1e-9)


def test_kish_effective_n_degenerate_inputs():
    assert kish_effective_n([]) == 0.0
    assert kish_effective_n([0, 0, 0]) == 0.0
    assert kish_effective_n([5.0]) == 1.0
    assert isinstance(kish_effective_n([1, 2]), float)


@PROPERTY
@given(
    st.lists(st.floats(min_value=1e-3, max_value=1e3), min_size=1, max_size=200),
    st.floats(min_value=1e-3, max_value=1e3),
)
def test_kish_effective_n_properties(weights, scale):
    n_eff = kish_effective_n(weights)
    assert 1.0 - 1e-9 <= n_eff <= len(weights) + 1e-9
    # invariant to rescaling the weights
    assert kish_effective_n(np.array(weights) * scale) == pytest.approx(n_eff, rel=1e-9)


# --------------------------------------------------------------------------------------
# finite_population_factor
# --------------------------------------------------------------------------------------


def test_finite_population_design_example_250_of_1000():
    # DESIGN.md: 250 answers from a base of 1,000 (25% response rate).
    # factor = (1000 - 250) / (1000 - 1) = 750/999 = 0.75075075
    f = finite_population_factor(250, 1000)
    assert f == pytest.approx(750 / 999, abs=1e-15)
    assert isinstance(f, float)
    # Equivalent sample size n / f = 250 * 999/750 = 333.0
    assert 250 / f == pytest.approx(333.0, abs=1e-9)


def test_finite_population_correction_narrows_the_design_interval():
    # 150 satisfied of 250, base 1,000. Wald with FPC: se = sqrt(0.6*0.4/250) * sqrt(750/999)
    # = 0.03098387 * 0.86645874 = 0.02684624; half = z * se = 0.05261767.
    # Same as Wald on the equivalent sample: x = 150/f = 199.8, n = 250/f = 333.
    f = finite_population_factor(250, 1000)
    low, high = proportion_interval(150 / f, 250 / f, method="wald")
    assert low == pytest.approx(0.6 - 0.052617667849018536, abs=1e-12)
    assert high == pytest.approx(0.6 + 0.052617667849018536, abs=1e-12)
    w_low, w_high = proportion_interval(150 / f, 250 / f)
    plain_low, plain_high = proportion_interval(150, 250)
    assert plain_low < w_low < 0.6 < w_high < plain_high


def test_finite_population_factor_vectorised_and_census():
    # n = 0: (1000 - 0)/(1000 - 1) = 1000/999 (slightly above 1, as the formula says)
    f = finite_population_factor(np.array([250, 1000, 0]), np.array([1000, 1000, 1000]))
    np.testing.assert_allclose(f, [750 / 999, 0.0, 1000 / 999])
    # a census of more than one customer has no sampling variance
    assert finite_population_factor(40, 40) == 0.0


def test_finite_population_factor_population_smaller_than_n():
    with pytest.raises(ParameterError, match=r"population \(customer base\) is smaller than the number of answers"):
        finite_population_factor(250, 200)
    with pytest.raises(ParameterError, match=r"population=\[100.0, 10.0\], n=\[50.0, 20.0\]"):
        finite_population_factor([50, 20], [100, 10])


def test_finite_population_factor_census_is_zero():
    # A census (everyone answered) has no sampling error, whatever its size.
    assert finite_population_factor(1, 1) == 0.0
    assert finite_population_factor(7, 7) == 0.0


@PROPERTY
@given(st.integers(min_value=2, max_value=10**6).flatmap(
    lambda pop: st.tuples(st.integers(min_value=0, max_value=pop), st.just(pop))))
def test_finite_population_factor_properties(n_pop):
    n, pop = n_pop
    f = finite_population_factor(n, pop)
    assert 0.0 <= f <= pop / (pop - 1) + 1e-12
    assert f == pytest.approx((pop - n) / (pop - 1), abs=1e-12)
    if n >= 1:
        assert f <= 1.0


# --------------------------------------------------------------------------------------
# docstring examples
# --------------------------------------------------------------------------------------


def test_docstring_examples_run():
    result = doctest.testmod(stats, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 15
    assert result.failed == 0


# --------------------------------------------------------------------------------------
# Newcombe's interval for a difference of proportions
# --------------------------------------------------------------------------------------

def test_newcombe_difference_interval_published_example():
    # Newcombe (1998), Statistics in Medicine 17:873-890, Table II example (a):
    # 56/70 - 48/80 = 0.2000; method 10 (hybrid score, no continuity correction) gives
    # 0.0524 to 0.3339. statsmodels' confint_proportions_2indep(method="newcomb") agrees.
    from csat_toolkit.stats import proportion_difference_interval
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = proportion_difference_interval(56, 70, 48, 80)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)
    ref = confint_proportions_2indep(56, 70, 48, 80, method="newcomb", compare="diff")
    assert (low, high) == pytest.approx(ref, abs=1e-12)


def test_newcombe_interval_does_not_collapse_at_100_percent():
    # 9 of 9 against 236 of 314: the Wald interval is 0.198 to 0.294 (p1 = 1 has no
    # variance); Newcombe's includes 0, as a sample of nine should.
    from csat_toolkit.stats import proportion_difference_interval

    low, high = proportion_difference_interval(9, 9, 236, 314)
    assert low < 0 < high


@settings(PROPERTY, max_examples=20)  # statsmodels' Holm runs gc.collect() per call (~0.1 s)
@given(st.lists(st.sampled_from([0.0, 1e-6, 0.001, 0.01, 0.02, 0.04, 0.05, 0.2, 0.5, 0.9, 1.0])
                | st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=30))
def test_holm_equals_statsmodels_with_ties_and_extremes(raw):
    # adjust_pvalues computes Holm itself (statsmodels' multipletests runs gc.collect() on
    # every Holm call); the numbers must be statsmodels' own, ties and 0/1 included.
    from statsmodels.stats.multitest import multipletests

    p = np.array(raw, dtype=float)
    expected = multipletests(p, method="holm")[1]
    np.testing.assert_allclose(adjust_pvalues(p, "holm"), expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize("n", [1, 7, 13, 250, 10_001])
def test_wilson_is_exact_at_zero_and_all(n):
    # 0 of 7 gave a lower bound of 2.8e-15 (a rounding), above the share itself, and the
    # distribution chart's error bar failed on the negative length (Freshdesk fixture).
    low, high = proportion_interval(np.array([0, n]), np.array([n, n]))
    assert low[0] == 0.0 and high[1] == 1.0
    ref_high = proportion_confint(0, n, method="wilson")[1]
    assert high[0] == pytest.approx(ref_high, rel=1e-12)
