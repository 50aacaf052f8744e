"""Intervals, tests and corrections: pure, vectorised functions of counts.

Shares are fractions (0..1) and NPS is on -1..1 here; :mod:`csat_toolkit.metrics`
converts to percent for display. Every function accepts scalars or numpy arrays.

References
----------
- Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
  inference. JASA 22, 209-212.
- Rocks, B. (2016). Interval estimation for the "Net Promoter Score". The American
  Statistician 70(4), 365-372; R package ``NPS`` (CRAN).
- Tango (1998), Statistics in Medicine 17:891-908, as used by Rocks (2016): the iterative score
  interval for NPS (R ``NPS``'s ``iterative``; reproduces ``contingencytables``' values).
- Brown, L. D., Cai, T. T. and DasGupta, A. (2001). Interval estimation for a binomial
  proportion. Statistical Science 16(2), 101-133 (Jeffreys, Clopper-Pearson).
- Agresti, A. and Caffo, B. (2000). Simple and effective confidence intervals for
  proportions and differences of proportions result from adding two successes and two
  failures. The American Statistician 54(4), 280-288.
- Kish, L. (1965). Survey Sampling. Wiley (effective sample size).
- Holm, S. (1979); Benjamini, Y. and Hochberg, Y. (1995), via statsmodels.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats as _st
from statsmodels.stats.multitest import multipletests

from ..errors import ParameterError

__all__ = [
    "z_value",
    "kish_effective_n",
    "finite_population_factor",
    "proportion_interval",
    "proportion_difference_interval",
    "nps_variance",
    "nps_interval",
    "nps_score_statistic",
    "mean_interval",
    "Comparison",
    "two_proportion_test",
    "nps_difference_test",
    "welch_test",
    "adjust_pvalues",
    "PROPORTION_METHODS",
    "NPS_METHODS",
    "DIFFERENCE_METHODS",
    "CORRECTIONS",
]

PROPORTION_METHODS = ("wilson", "wald", "agresti_coull", "clopper_pearson", "jeffreys")
NPS_METHODS = ("adjusted_wald", "wald", "score")
DIFFERENCE_METHODS = ("newcombe", "agresti_caffo")
CORRECTIONS = {"holm": "holm", "bh": "fdr_bh", "fdr_bh": "fdr_bh", "none": None}

# Pseudo-observations of the adjusted Wald NPS interval (Rocks 2016, section 3.2).
_NPS_PSEUDO = {"promoters": 0.75, "passives": 1.5, "detractors": 0.75}


def _check_conf(conf: float) -> None:
    if not 0 < conf < 1:
        raise ParameterError(
            f"conf must be between 0 and 1 (for example 0.95); got {conf!r}."
        )


def z_value(conf: float = 0.95) -> float:
    """Two-sided standard normal quantile for a confidence level.

    Examples
    --------
    >>> round(z_value(0.95), 4)
    1.96
    """
    _check_conf(conf)
    return float(_st.norm.ppf(0.5 + conf / 2))


def kish_effective_n(weights) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2``.

    Examples
    --------
    >>> kish_effective_n([1, 1, 1, 1])
    4.0
    >>> round(kish_effective_n([1, 1, 2, 4]), 3)
    2.909
    """
    w = np.asarray(weights, dtype=float)
    denominator = np.sum(w**2)
    return float(np.sum(w) ** 2 / denominator) if denominator > 0 else 0.0


def finite_population_factor(n, population):
    """Variance factor ``(N - n) / (N - 1)`` of sampling without replacement.

    Divide ``n`` by this factor to get the equivalent sample size for intervals.

    Examples
    --------
    >>> finite_population_factor(250, 1000)
    0.7507507507507507
    """
    n = np.asarray(n, dtype=float)
    population = np.asarray(population, dtype=float)
    if np.any(population < n):
        raise ParameterError(
            "The population (customer base) is smaller than the number of answers: "
            f"population={population.tolist()}, n={n.tolist()}. Give the size of the "
            "whole base the survey was sent to."
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(population > 1, (population - n) / (population - 1), 1.0)
    factor = np.where(population == n, 0.0, factor)  # a census has no sampling error
    return factor if factor.ndim else float(factor)


def proportion_interval(successes, n, *, conf: float = 0.95, method: str = "wilson"):
    """Confidence interval of a proportion.

    Parameters
    ----------
    successes, n : float or array
        Count of successes and sample size. Non-integer values are allowed
        (weighted data: ``p * n_eff`` and ``n_eff``); the beta quantiles of
        Clopper-Pearson and Jeffreys take them as they are.
    conf : float
        Confidence level.
    method : {"wilson", "wald", "agresti_coull", "clopper_pearson", "jeffreys"}
        Wilson score interval by default (Wilson 1927). ``clopper_pearson``: the "exact"
        interval from beta quantiles, conservative (Clopper & Pearson 1934).
        ``jeffreys``: the equal-tailed interval of the Beta(x + 1/2, n - x + 1/2)
        posterior, with the lower end 0 at x = 0 and the upper end 1 at x = n, as Brown,
        Cai & DasGupta (2001, section 4.1.2) recommend; R ``binom.confint``'s "bayes"
        and ``DescTools::BinomCI(method = "jeffreys")`` give the same numbers.

    Returns
    -------
    (low, high) : tuple of float or arrays, on 0..1; NaN where ``n == 0``.

    Examples
    --------
    >>> low, high = proportion_interval(150, 250)
    >>> round(low, 4), round(high, 4)
    (0.5382, 0.6588)
    """
    _check_conf(conf)
    x = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    z = z_value(conf)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        if method == "wilson":
            centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
            half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
            # exact at the ends: at x = 0 centre and half are equal in theory but differ by
            # a rounding (2.8e-15 for 0 of 7), which would put p below the interval
            low = np.where(x <= 0, 0.0, centre - half)
            high = np.where(x >= n, 1.0, centre + half)
        elif method == "wald":
            half = z * np.sqrt(p * (1 - p) / n)
            low, high = p - half, p + half
        elif method == "agresti_coull":
            n_adj = n + z**2
            p_adj = (x + z**2 / 2) / n_adj
            half = z * np.sqrt(p_adj * (1 - p_adj) / n_adj)
            low, high = p_adj - half, p_adj + half
        elif method == "clopper_pearson":
            alpha = 1 - conf
            low = np.where(x > 0, _st.beta.ppf(alpha / 2, x, n - x + 1), 0.0)
            high = np.where(x < n, _st.beta.ppf(1 - alpha / 2, x + 1, n - x), 1.0)
        elif method == "jeffreys":
            alpha = 1 - conf
            low = np.where(x > 0, _st.beta.ppf(alpha / 2, x + 0.5, n - x + 0.5), 0.0)
            high = np.where(x < n, _st.beta.ppf(1 - alpha / 2, x + 0.5, n - x + 0.5), 1.0)
        else:
            raise ParameterError(
                f"Unknown interval method {method!r}; use one of: "
                f"{', '.join(map(repr, PROPORTION_METHODS))} (default 'wilson')."
            )
    low = np.where(n > 0, np.clip(low, 0.0, 1.0), np.nan)
    high = np.where(n > 0, np.clip(high, 0.0, 1.0), np.nan)
    return _unwrap(low), _unwrap(high)


def proportion_difference_interval(x1, n1, x2, n2, *, conf: float = 0.95,
                                   method: str = "newcombe"):
    """Confidence interval for the difference of two proportions ``p1 - p2``.

    ``newcombe`` (default): Newcombe's hybrid score interval (Newcombe 1998, method 10),
    built from the two Wilson intervals ``(l1, u1)`` and ``(l2, u2)``:
    ``d - sqrt((p1 - l1)^2 + (u2 - p2)^2)`` to ``d + sqrt((u1 - p1)^2 + (p2 - l2)^2)``.
    Unlike the Wald interval it does not collapse when a share is 0% or 100%.

    ``agresti_caffo``: add one success and one failure to each group, then the Wald
    interval of the adjusted shares (Agresti & Caffo 2000), as R ``PropCIs::wald2ci(...,
    adjust = "AC")`` and ``contingencytables::AgrestiCaffo_CI_2x2``. The interval is
    centred on the adjusted difference, not on ``p1 - p2``.

    References: Newcombe, R. G. (1998). Interval estimation for the difference between
    independent proportions. Statistics in Medicine 17, 873-890. Agresti, A. and
    Caffo, B. (2000), The American Statistician 54(4), 280-288.

    Examples
    --------
    >>> low, high = proportion_difference_interval(56, 70, 48, 80)
    >>> round(low, 4), round(high, 4)
    (0.0524, 0.3339)
    >>> low, high = proportion_difference_interval(7, 34, 1, 34, method="agresti_caffo")
    >>> round(low, 4), round(high, 4)
    (0.0116, 0.3217)
    """
    _check_conf(conf)
    if method not in DIFFERENCE_METHODS:
        raise ParameterError(
            f"Unknown interval method {method!r} for a difference of proportions; use one "
            f"of: {', '.join(map(repr, DIFFERENCE_METHODS))} (default 'newcombe')."
        )
    x1, n1, x2, n2 = (np.asarray(v, dtype=float) for v in (x1, n1, x2, n2))
    if method == "agresti_caffo":
        with np.errstate(divide="ignore", invalid="ignore"):
            a1, a2 = (x1 + 1) / (n1 + 2), (x2 + 1) / (n2 + 2)
            half = z_value(conf) * np.sqrt(a1 * (1 - a1) / (n1 + 2) + a2 * (1 - a2) / (n2 + 2))
        empty = (n1 <= 0) | (n2 <= 0)
        low = np.where(empty, np.nan, np.clip(a1 - a2 - half, -1.0, 1.0))
        high = np.where(empty, np.nan, np.clip(a1 - a2 + half, -1.0, 1.0))
        return _unwrap(low), _unwrap(high)
    l1, u1 = proportion_interval(x1, n1, conf=conf)
    l2, u2 = proportion_interval(x2, n2, conf=conf)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return _unwrap(low), _unwrap(high)


def nps_variance(p_promoters, p_detractors):
    """Per-respondent variance of NPS: ``p_P + p_D - (p_P - p_D)^2``.

    NPS is the mean of a score that is +1 for promoters, 0 for passives and -1 for
    detractors; this is that score's (population, divisor n) variance.

    Examples
    --------
    >>> nps_variance(0.5, 0.2)
    0.61
    """
    p_p = np.asarray(p_promoters, dtype=float)
    p_d = np.asarray(p_detractors, dtype=float)
    return _unwrap(p_p + p_d - (p_p - p_d) ** 2)


def nps_interval(
    promoters, passives, detractors, *, conf: float = 0.95, method: str = "adjusted_wald"
):
    """Confidence interval of NPS on -1..1.

    ``adjusted_wald`` (default) adds 0.75 promoter, 1.5 passive and 0.75 detractor
    pseudo-observations before the Wald interval (Rocks 2016), which keeps coverage
    close to nominal for small samples and extreme scores; ``wald`` uses the raw
    counts. Counts may be non-integer (weighted data scaled to the effective n).

    ``score``: the iterative score interval (Tango's 1998 paired-difference score
    interval as Rocks 2016 uses it, R ``NPS``'s ``nps_test(test = "iterative")``): the NPS
    values ``u`` whose score statistic ``(P - D - n u) / sqrt(n (2 q(u) + u (1 - u)))``
    lies within ``+-z``, where ``q(u)`` is
    the detractor share that maximises the multinomial likelihood given NPS ``u`` (the
    root of ``2n q^2 + (-(D + P) + (2n + D - P) u) q - D u (1 - u) = 0``); ``P`` and
    ``D`` are the promoter and detractor counts. The ends are found by bisection to
    1e-12; with every answer a promoter (detractor) the upper (lower) end is +1 (-1).
    It always contains the observed NPS.

    The adjusted interval is centred on the adjusted NPS, as in R's ``NPS`` package:
    for an all-promoter (or all-detractor) group it can stop short of +1 (-1) below
    about 84% confidence, and at 95% for a single answer.

    Examples
    --------
    >>> low, high = nps_interval(50, 30, 20)
    >>> round(low, 4), round(high, 4)
    (0.1405, 0.442)
    >>> low, high = nps_interval(50, 30, 20, method="score")
    >>> round(low, 4), round(high, 4)
    (0.1396, 0.4434)
    """
    _check_conf(conf)
    if method not in NPS_METHODS:
        raise ParameterError(f"Unknown NPS interval method {method!r}; use one of {NPS_METHODS}.")
    if method == "score":
        return _nps_score_interval(promoters, passives, detractors, conf)
    counts = [np.asarray(c, dtype=float) for c in (promoters, passives, detractors)]
    if method == "adjusted_wald":
        counts = [c + _NPS_PSEUDO[k] for c, k in zip(counts, _NPS_PSEUDO)]
    pro, pas, det = counts
    n = pro + pas + det
    raw_n = n - (3.0 if method == "adjusted_wald" else 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_p, p_d = pro / n, det / n
        half = z_value(conf) * np.sqrt(nps_variance(p_p, p_d) / n)
    centre = p_p - p_d
    low = np.where(raw_n > 0, np.clip(centre - half, -1.0, 1.0), np.nan)
    high = np.where(raw_n > 0, np.clip(centre + half, -1.0, 1.0), np.nan)
    return _unwrap(low), _unwrap(high)


def nps_score_statistic(promoters, passives, detractors, value):
    """Score statistic of NPS = ``value`` (on -1..1) under the multinomial model.

    ``(P - D - n u) / sqrt(n v(u))`` with ``v(u) = 2 q(u) + u (1 - u)``, the variance of
    the +1/0/-1 score when the shares maximise the likelihood given NPS ``u``
    (see :func:`nps_interval`, ``method="score"``). The score interval holds the values
    where it lies within ``+-z``.

    Examples
    --------
    >>> nps_score_statistic(50, 30, 20, 0.3)
    0.0
    >>> round(nps_score_statistic(50, 30, 20, 0.0), 4)
    3.5857
    """
    pro, pas, det, u = (np.asarray(v, dtype=float) for v in (promoters, passives, detractors, value))
    n = pro + pas + det
    with np.errstate(divide="ignore", invalid="ignore"):
        pb = -det - pro + (2 * n + det - pro) * u
        pc = -det * u * (1 - u)
        q = (np.sqrt(np.maximum(pb**2 - 8 * n * pc, 0.0)) - pb) / (4 * n)
        score = (pro - det - n * u) / np.sqrt(n * (2 * q + u * (1 - u)))
    return _unwrap(score)


def _nps_score_interval(promoters, passives, detractors, conf):
    pro, pas, det = (np.asarray(v, dtype=float) for v in (promoters, passives, detractors))
    pro, pas, det = np.broadcast_arrays(pro, pas, det)
    n = pro + pas + det
    z = z_value(conf)
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = np.where(n > 0, (pro - det) / n, 0.0)
    ends = []
    for side, edge in ((-1.0, -1.0), (1.0, 1.0)):
        # bisection between the estimate (|score| = 0 < z) and the end of the range
        inside, outside = centre.copy(), np.full_like(centre, edge)
        for _ in range(60):
            middle = (inside + outside) / 2
            within = np.abs(nps_score_statistic(pro, pas, det, middle)) < z
            inside = np.where(within, middle, inside)
            outside = np.where(within, outside, middle)
        bound = (inside + outside) / 2
        full = (pro == n) if side > 0 else (det == n)  # every answer at that end
        ends.append(np.where(n > 0, np.where(full, edge, bound), np.nan))
    return _unwrap(ends[0]), _unwrap(ends[1])


#: Spreads below the smallest normal double (about 2.2e-308) are rounding noise, not data.
SMALLEST_SPREAD = float(np.finfo(float).tiny)


def mean_interval(mean, sd, n, *, conf: float = 0.95):
    """Student t interval of a mean from its sample standard deviation and n.

    A standard deviation below :data:`SMALLEST_SPREAD` (a subnormal number, which no
    score data can produce) is taken as zero, so the interval is the mean itself: the
    result then never depends on how a processor rounds subnormal arithmetic. An infinite
    standard deviation gives the whole line; ``n < 2`` or a missing value gives NaN.

    Examples
    --------
    >>> low, high = mean_interval(4.0, 1.0, 25)
    >>> round(low, 4), round(high, 4)
    (3.5872, 4.4128)
    >>> mean_interval(4.0, 5e-324, 4)
    (4.0, 4.0)
    """
    _check_conf(conf)
    mean, sd, n = (np.asarray(v, dtype=float) for v in (mean, sd, n))
    sd = np.where(np.abs(sd) < SMALLEST_SPREAD, 0.0, sd)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        half = _st.t.ppf(0.5 + conf / 2, n - 1) * sd / np.sqrt(n)
    ok = n > 1
    return _unwrap(np.where(ok, mean - half, np.nan)), _unwrap(np.where(ok, mean + half, np.nan))


class Comparison(NamedTuple):
    """Outcome of a two-sample comparison (difference = first minus second)."""

    difference: float
    se: float
    statistic: float
    df: float
    p_value: float


def two_proportion_test(x1, n1, x2, n2) -> Comparison:
    """Two-sided z test of two proportions with the pooled variance.

    Examples
    --------
    >>> r = two_proportion_test(150, 250, 120, 250)
    >>> round(r.difference, 3), round(r.statistic, 4), round(r.p_value, 5)
    (0.12, 2.6919, 0.0071)
    """
    x1, n1, x2, n2 = (np.asarray(v, dtype=float) for v in (x1, n1, x2, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = (p1 - p2) / se
    return _z_result(p1 - p2, se, z)


def nps_difference_test(pro1, pas1, det1, pro2, pas2, det2) -> Comparison:
    """Two-sided z test of the difference of two NPS values (on -1..1).

    Each sample's variance is the per-respondent NPS variance divided by its n.

    Examples
    --------
    >>> r = nps_difference_test(50, 30, 20, 40, 30, 30)
    >>> round(r.difference, 2), round(r.statistic, 4)
    (0.2, 1.7541)
    """
    first = _nps_moments(pro1, pas1, det1)
    second = _nps_moments(pro2, pas2, det2)
    difference = first[0] - second[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(first[1] / first[2] + second[1] / second[2])
        z = difference / se
    return _z_result(difference, se, z)


def welch_test(mean1, sd1, n1, mean2, sd2, n2) -> Comparison:
    """Welch's two-sided t test from summary statistics.

    Examples
    --------
    >>> r = welch_test(4.2, 1.0, 50, 3.8, 1.2, 40)
    >>> round(r.statistic, 4), round(r.df, 2)
    (1.6903, 75.76)
    """
    mean1, sd1, n1, mean2, sd2, n2 = (
        np.asarray(v, dtype=float) for v in (mean1, sd1, n1, mean2, sd2, n2)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        v1, v2 = sd1**2 / n1, sd2**2 / n2
        se = np.sqrt(v1 + v2)
        t = (mean1 - mean2) / se
        df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
        p = 2 * _st.t.sf(np.abs(t), df)
    t, p = _no_spread(mean1 - mean2, se, t, p)
    return Comparison(*(_unwrap(v) for v in (mean1 - mean2, se, t, df, p)))


def adjust_pvalues(p_values, method: str = "holm"):
    """Adjust p-values for multiple comparisons; NaN stays NaN.

    Parameters
    ----------
    method : {"holm", "bh", "none"}
        Holm's step-down (controls the family-wise error rate, default) or
        Benjamini-Hochberg (controls the false discovery rate).

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03]).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    if method not in CORRECTIONS:
        raise ParameterError(
            f"Unknown correction {method!r}; use 'holm' (default), 'bh' or 'none'."
        )
    p = np.asarray(p_values, dtype=float)
    out = p.copy()
    ok = ~np.isnan(p)
    if method == "holm" and ok.any():
        out[ok] = _holm(p[ok])
    elif CORRECTIONS[method] and ok.any():
        out[ok] = multipletests(p[ok], method=CORRECTIONS[method])[1]
    return out


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment: sorted p times (m - i), running maximum, capped at 1.

    The same numbers as statsmodels' ``multipletests(method="holm")`` (tested), without
    the ``gc.collect()`` that function runs on every call (statsmodels 0.14,
    ``stats/multitest.py``), which cost up to 0.25 s a call in a large process.
    """
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate(p[order] * np.arange(len(p), 0, -1))
    out = np.empty_like(p)
    out[order] = np.minimum(stepped, 1.0)
    return out


def _nps_moments(pro, pas, det):
    pro, pas, det = (np.asarray(v, dtype=float) for v in (pro, pas, det))
    n = pro + pas + det
    with np.errstate(divide="ignore", invalid="ignore"):
        p_p, p_d = pro / n, det / n
    return p_p - p_d, nps_variance(p_p, p_d), n


def _no_spread(difference, se, statistic, p):
    """Both samples without spread: any difference is certain, none is no evidence."""
    difference, se = np.asarray(difference, dtype=float), np.asarray(se, dtype=float)
    flat = (se == 0) & ~np.isnan(difference)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.where(flat, np.sign(difference) * np.inf, statistic)
    statistic = np.where(flat & (difference == 0), 0.0, statistic)
    p = np.where(flat, np.where(difference == 0, 1.0, 0.0), p)
    return statistic, p


def _z_result(difference, se, z) -> Comparison:
    p = 2 * _st.norm.sf(np.abs(z))
    z, p = _no_spread(difference, se, z, p)
    df = np.full_like(np.asarray(z, dtype=float), np.inf)
    return Comparison(*(_unwrap(v) for v in (difference, se, z, df, p)))


def _unwrap(value):
    """Return a Python float for 0-d results, the array otherwise."""
    value = np.asarray(value, dtype=float)
    return float(value) if value.ndim == 0 else value
