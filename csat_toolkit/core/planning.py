"""How many answers a survey needs, and what a number of answers can tell apart.

Two planning questions, for every metric (shares such as CSAT, NPS, means such as CES):

- **Precision**: the answers needed for a target margin of error (the half-width of the
  95% interval), with or without a known customer base (finite population correction),
  and the reverse, the margin of error of ``n`` answers
  (:func:`answers_needed`, :func:`margin_of_error`).
- **Comparisons** between two periods or two segments: the power of a planned
  comparison, the smallest change ``n`` answers per group can detect, and the answers
  per group needed to detect a change (:func:`comparison_power`,
  :func:`detectable_change`, :func:`answers_for_change`), for a one- or two-sided test.

Units: shares and NPS in percentage points (a CSAT of 80% is ``expected=80``, a margin of
3 points is ``margin=3``), means on the scale (``sd`` on the scale). Without a better
guess the share is 50% and the NPS shares 50% promoters / 50% detractors: the widest
spread, so the answer is never too small.

Formulas
--------
- Shares: ``n0 = z^2 p (1 - p) / E^2``; NPS: ``n0 = z^2 v / E^2 - 3`` with the
  per-respondent variance ``v = p_P + p_D - (p_P - p_D)^2`` and the 3 pseudo-answers of
  the adjusted-Wald interval (Rocks 2016; the sample-size formula of Lewis & Sauro,
  MeasuringU, "Sample Size Estimation for NPS Confidence Intervals"); means:
  ``n = (t_{n-1} s / E)^2`` solved for ``n``. A known base ``N``:
  ``n = n0 / (1 + (n0 - 1) / N)`` for shares (Cochran 1977, eq. 4.2; Krejcie & Morgan
  1970), the same finite population correction ``(N - n) / (N - 1)`` the intervals use
  (solved numerically for NPS and means).
- Two shares: the power of the two-sided z test as R's ``power.prop.test``
  (pooled variance under no change, unpooled under the change):
  ``Phi((|d| - z_{a} se0) / se1)``.
- Two NPS: the NPS difference z test of :mod:`csat_toolkit.comparisons` with the
  baseline variance in both groups: ``Phi(|d| / se - z_a)``.
- Two means: the two-sample t test's power from the noncentral t distribution, as R's
  ``power.t.test`` (``df = n1 + n2 - 2``).
As in R, the power counts rejections in the direction of the change only.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize
from scipy import stats as _st

from ..errors import ParameterError
from .display import result_html
from .metrics import get_metric, metric_table
from .stats import nps_variance

__all__ = ["Plan", "answers_needed", "margin_of_error", "comparison_power",
           "detectable_change", "answers_for_change", "plan", "baseline_from",
           "detectable_table", "describe_detectable", "PERIOD_WORDS"]

#: A period code -> (its name, the name of a change between two of them).
PERIOD_WORDS = {"D": ("day", "day-to-day"), "W": ("week", "week-to-week"),
                "M": ("month", "month-to-month"), "Q": ("quarter", "quarter-to-quarter"),
                "Y": ("year", "year-to-year")}

#: Shares and NPS: a share just below 100% still needs a bracket for root finding.
_EDGE = 1e-9


@dataclass(frozen=True)
class Plan:
    """One planning answer with the assumptions behind it.

    Attributes
    ----------
    question : str
        ``"answers for margin"``, ``"margin of n"``, ``"detectable change"``,
        ``"answers for change"`` or ``"power"``.
    metric : str
    n : int or None
        Answers (per group for comparisons).
    n2 : int or None
        Answers of the second group (comparisons).
    value : float
        The answer: a margin or change (points, or scale units for means), or a power.
    exact : float
        Before rounding up (answers), else ``value``.
    assumptions : str
        The baseline and test settings used, in words.
    """

    question: str
    metric: str
    n: int | None
    n2: int | None
    value: float
    exact: float
    assumptions: str
    unit: str

    def sentence(self) -> str:
        """The answer in one sentence.

        Examples
        --------
        >>> print(plan("csat", margin=3).sentence())
        CSAT: 1,068 answers give a margin of error of +-3.0 points (95% confidence; assuming 50% satisfied).
        """
        label = get_metric(self.metric).label.split(" (")[0]
        if self.question == "answers for margin":
            return (f"{label}: {self.n:,} answers give a margin of error of +-{self.value:.1f} "
                    f"{self.unit} ({self.assumptions}).")
        if self.question == "margin of n":
            return (f"{label}: {self.n:,} answers give a margin of error of +-{self.value:.1f} "
                    f"{self.unit} ({self.assumptions}).")
        groups = (f"{self.n:,} answers in each group" if self.n2 in (None, self.n)
                  else f"{self.n:,} and {self.n2:,} answers")
        if self.question == "detectable change":
            if not math.isfinite(self.value):
                return (f"{label}: with {groups}, no change can be detected with that power "
                        f"({self.assumptions}).")
            return (f"{label}: with {groups}, changes smaller than {self.value:.1f} {self.unit} "
                    f"cannot be told from noise ({self.assumptions}).")
        if self.question == "answers for change":
            return (f"{label}: detecting a change of {self.exact:.1f} {self.unit} needs "
                    f"{groups} ({self.assumptions}).")
        return (f"{label}: with {groups}, a change of {self.exact:.1f} {self.unit} is detected "
                f"with {self.value:.0%} power ({self.assumptions}).")

    def summary(self) -> str:
        """The answer in one sentence (as :meth:`sentence`)."""
        return self.sentence()

    @property
    def table(self) -> pd.DataFrame:
        """The answer as a one-row table: answers, then the margin, change or power."""
        unit = " (points)" if self.unit == "points" else " (scale units)"
        row = {"Metric": get_metric(self.metric).label.split(" (")[0], "Answers": self.n}
        if self.n2 is not None and self.n2 != self.n:
            row["Answers (second group)"] = self.n2
        if self.question in ("answers for margin", "margin of n"):
            row["Margin of error" + unit] = round(self.value, 1)
        elif self.question == "detectable change":
            row["Smallest detectable change" + unit] = round(self.value, 1)
        else:
            row["Change" + unit] = round(self.exact, 1)
            if self.question == "power":
                row["Power (%)"] = round(100 * self.value, 0)
        return pd.DataFrame([row])

    def _repr_html_(self) -> str:
        return result_html(self.sentence(), self.table)


# --- precision -------------------------------------------------------------------------


def margin_of_error(metric: str, n, *, conf: float = 0.95, expected: float = 50.0,
                    promoters: float = 50.0, detractors: float = 50.0, sd: float | None = None,
                    population: float | None = None):
    """Half-width of the interval of ``n`` answers (points; scale units for means).

    The normal (Wald) half-width for shares, the adjusted-Wald one for NPS (``n + 3``
    answers), the t half-width for means; times ``sqrt((N - n) / (N - 1))`` with a
    known base ``population``.

    Examples
    --------
    >>> round(margin_of_error("csat", 400), 2)
    4.9
    >>> round(margin_of_error("csat", 400, population=1000), 2)
    3.8
    """
    statistic = _statistic(metric)
    n = np.asarray(n, dtype=float)
    z = _z(conf)
    if statistic == "share":
        half = 100 * z * np.sqrt(_share(expected) * (1 - _share(expected)) / n)
    elif statistic == "nps":
        half = 100 * z * np.sqrt(_nps_var(promoters, detractors) / (n + 3))
    else:
        sd = _sd(sd)
        with np.errstate(invalid="ignore"):
            half = _st.t.ppf(0.5 + conf / 2, n - 1) * sd / np.sqrt(n)
    if population is not None:
        _check_population(population, n)
        half = half * np.sqrt(np.where(population > 1, (population - n) / (population - 1), 0.0))
    return _scalar(np.where(n >= (2 if statistic == "mean" else 1), half, np.nan))


def answers_needed(metric: str, margin: float, *, conf: float = 0.95, expected: float = 50.0,
                   promoters: float = 50.0, detractors: float = 50.0, sd: float | None = None,
                   population: float | None = None) -> tuple[int, float]:
    """Answers needed for a margin of error of ``+-margin`` (rounded up), and the exact value.

    Parameters
    ----------
    metric : str
        ``csat``, ``ces_easy``, ``pmf`` (shares), ``nps``, ``csat_mean``, ``ces`` (means).
    margin : float
        Half-width wanted: points for shares and NPS, scale units for means.
    conf : float
        Confidence level.
    expected : float
        Expected share in % (shares); 50 is the widest spread.
    promoters, detractors : float
        Expected NPS shares in % (NPS); 50 and 50 give the widest spread.
    sd : float
        Standard deviation of the scores (means); required for means.
    population : float, optional
        Size of the customer base the survey goes to (finite population correction).

    Returns
    -------
    (int, float)
        The answers needed (rounded up; never more than ``population``) and the
        unrounded value.

    Examples
    --------
    >>> answers_needed("csat", 5)
    (385, 384.14588206941244)
    >>> answers_needed("csat", 5, population=1000)[0]
    278
    """
    statistic = _statistic(metric)
    _positive(margin, "margin")
    z = _z(conf)
    if statistic == "share":
        p = _share(expected)
        n0 = z**2 * p * (1 - p) / (margin / 100) ** 2
    elif statistic == "nps":
        n0 = max(z**2 * _nps_var(promoters, detractors) / (margin / 100) ** 2 - 3, 1.0)
    else:
        s = _sd(sd)
        n0 = _solve_increasing(lambda n: _st.t.ppf(0.5 + conf / 2, n - 1) * s / math.sqrt(n),
                               margin, start=2.0)
    exact = n0
    if population is not None:
        # the margin of n answers from a base of N (margin_of_error) solved for n; for
        # shares this is Cochran's n0 / (1 + (n0 - 1) / N)
        _check_population(population, 1)
        shape = dict(conf=conf, expected=expected, promoters=promoters, detractors=detractors,
                     sd=sd, population=population)
        low = 2.0 + 1e-9 if statistic == "mean" else 1.0
        if population <= low or margin_of_error(metric, low, **shape) <= margin:
            exact = min(low, float(population))
        else:
            exact = optimize.brentq(lambda n: margin_of_error(metric, n, **shape) - margin,
                                    low, float(population), xtol=1e-10)
    return _ceil(exact, population), float(exact)


# --- comparisons -----------------------------------------------------------------------


def comparison_power(metric: str, change: float, n, n2=None, *, alpha: float = 0.05,
                     sides: int = 2, expected: float = 50.0, promoters: float = 50.0,
                     detractors: float = 50.0, sd: float | None = None) -> float:
    """Power of a planned comparison of two groups of ``n`` and ``n2`` answers.

    ``change`` is the true difference (second group minus first): points for shares
    (from ``expected``), NPS points, or scale units for means.

    Examples
    --------
    >>> round(comparison_power("csat", 25, 50), 4)  # R: power.prop.test(50, .5, .75)
    0.7402
    """
    statistic = _statistic(metric)
    _check_test(alpha, sides)
    n1 = float(n)
    n2 = n1 if n2 is None else float(n2)
    for size, name in ((n1, "n"), (n2, "n2")):
        _positive(size, name)
    za = _st.norm.ppf(1 - alpha / sides)
    d = float(change)
    if statistic == "share":
        p1 = _share(expected)
        p2 = p1 + d / 100
        if not 0 <= p2 <= 1:
            raise ParameterError(
                f"A change of {change:g} points from {expected:g}% leaves 0-100%; give a "
                "smaller change or another expected share.")
        pooled = (n1 * p1 + n2 * p2) / (n1 + n2)
        se0 = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        se1 = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        if se1 == 0:
            return 1.0 if d != 0 else alpha / sides
        return float(_st.norm.cdf((abs(d) / 100 - za * se0) / se1))
    if statistic == "nps":
        se = math.sqrt(_nps_var(promoters, detractors) * (1 / n1 + 1 / n2))
        return float(_st.norm.cdf(abs(d) / 100 / se - za)) if se > 0 else 1.0
    s = _sd(sd)
    df = n1 + n2 - 2
    if df < 1:
        raise ParameterError("A t test needs at least 3 answers in the two groups together.")
    ncp = abs(d) / (s * math.sqrt(1 / n1 + 1 / n2))
    return float(_st.nct.sf(_st.t.ppf(1 - alpha / sides, df), df, ncp))


def detectable_change(metric: str, n, n2=None, *, power: float = 0.8, alpha: float = 0.05,
                      sides: int = 2, expected: float = 50.0, promoters: float = 50.0,
                      detractors: float = 50.0, sd: float | None = None) -> float:
    """The smallest change that ``n`` (and ``n2``) answers detect with ``power``.

    For shares the change is taken in the harder direction (toward 50%), so changes at
    least this large, up or down, are detected with at least ``power``; ``inf`` when no
    change within 0-100% reaches it.

    Examples
    --------
    >>> round(detectable_change("csat", 50, power=0.9), 2)  # R: power.prop.test(50, .5, power = .9)
    30.26
    """
    statistic = _statistic(metric)
    _check_power(power)
    options = dict(n2=n2, alpha=alpha, sides=sides, expected=expected, promoters=promoters,
                   detractors=detractors, sd=sd)

    def gap(change):
        return comparison_power(metric, change, n, **options) - power

    if statistic == "share":
        p = _share(expected)
        found = []
        for direction, room in ((1, 100 * (1 - p)), (-1, 100 * p)):
            top = room - _EDGE
            if top <= 0 or gap(direction * top) < 0:
                found.append(math.inf)
                continue
            found.append(optimize.brentq(lambda c: gap(direction * c), 1e-12, top, xtol=1e-12))
        return float(max(found))
    high = 1.0
    while gap(high) < 0:
        high *= 2
        if high > 1e9:
            return math.inf
    return float(optimize.brentq(gap, 1e-12, high, xtol=1e-12))


def answers_for_change(metric: str, change: float, *, power: float = 0.8, alpha: float = 0.05,
                       sides: int = 2, ratio: float = 1.0, expected: float = 50.0,
                       promoters: float = 50.0, detractors: float = 50.0,
                       sd: float | None = None) -> tuple[int, float]:
    """Answers in the first group to detect ``change`` with ``power`` (the second has
    ``ratio`` times as many): rounded up, and the exact value.

    Examples
    --------
    >>> n, exact = answers_for_change("csat", 25, power=0.9)  # R: power.prop.test
    >>> n, round(exact, 1)
    (77, 76.7)
    """
    _check_power(power)
    _positive(ratio, "ratio")
    _positive(abs(change), "change")
    options = dict(alpha=alpha, sides=sides, expected=expected, promoters=promoters,
                   detractors=detractors, sd=sd)
    smallest = 3.0 / (1 + ratio) if _statistic(metric) == "mean" else 1e-6  # t: df >= 1

    def achieved(n):
        return comparison_power(metric, change, n, n * ratio, **options)

    exact = _solve_increasing(achieved, power, start=max(smallest, 1e-6) * 1.0001)
    return _ceil(exact, None), float(exact)


# --- one call for the command line and the notebook -----------------------------------


def plan(metric: str = "csat", *, margin: float | None = None, n: int | None = None,
         n2: int | None = None, change: float | None = None, detect: bool = False,
         conf: float = 0.95, power: float = 0.8, sides: int = 2, ratio: float = 1.0,
         expected: float = 50.0, promoters: float = 50.0, detractors: float = 50.0,
         sd: float | None = None, population: float | None = None) -> Plan:
    """Answer one planning question, chosen by the arguments given.

    - ``margin``: the answers needed for that margin of error.
    - ``n`` alone: the margin of error of ``n`` answers.
    - ``n`` with ``detect=True``: the smallest change ``n`` answers per group detect.
    - ``change`` alone: the answers per group needed to detect it.
    - ``n`` with ``change``: the power of that comparison.

    ``conf`` is the confidence level of intervals and ``1 - alpha`` of the tests.

    Examples
    --------
    >>> print(plan("nps", n=400, detect=True, promoters=45, detractors=20).sentence())
    NPS: with 400 answers in each group, changes smaller than 15.2 points cannot be told from noise (two-sided test at 95% confidence, 80% power; assuming 45% promoters and 20% detractors).
    """
    statistic = _statistic(metric)
    unit = "points" if statistic in ("share", "nps") else "on the scale"
    base = {"share": f"assuming {expected:g}% {_positive_word(metric)}",
            "nps": f"assuming {promoters:g}% promoters and {detractors:g}% detractors",
            "mean": f"assuming a standard deviation of {sd if sd is not None else float('nan'):g}"}[
        statistic]
    shape = dict(expected=expected, promoters=promoters, detractors=detractors, sd=sd)
    test = dict(alpha=round(1 - conf, 12), sides=sides)
    words = (f"{'two' if sides == 2 else 'one'}-sided test at {conf:.0%} confidence, "
             f"{power:.0%} power; {base}")
    known = f"; a base of {population:,.0f} customers" if population is not None else ""
    if margin is not None:
        count, exact = answers_needed(metric, margin, conf=conf, population=population, **shape)
        return Plan("answers for margin", metric, count, None, float(margin), exact,
                    f"{conf:.0%} confidence; {base}{known}", unit)
    if n is not None and change is None and not detect:
        value = margin_of_error(metric, n, conf=conf, population=population, **shape)
        return Plan("margin of n", metric, int(n), None, value, value,
                    f"{conf:.0%} confidence; {base}{known}", unit)
    if n is not None and change is None:
        value = detectable_change(metric, n, n2, power=power, **test, **shape)
        return Plan("detectable change", metric, int(n), None if n2 is None else int(n2), value,
                    value, words, unit)
    if change is not None and n is None:
        count, exact = answers_for_change(metric, change, power=power, ratio=ratio, **test, **shape)
        second = None if ratio == 1 else _ceil(exact * ratio, None)
        return Plan("answers for change", metric, count, second, float(count), float(change),
                    words, unit)
    if change is not None:
        value = comparison_power(metric, change, n, n2, **test, **shape)
        return Plan("power", metric, int(n), None if n2 is None else int(n2), value,
                    float(change), words.replace(f", {power:.0%} power", ""), unit)
    raise ParameterError(
        "Say what to plan: margin= (answers for a margin of error), n= (the margin of n "
        "answers), n= with detect=True (the smallest detectable change), change= (answers "
        "to detect it) or n= with change= (the power of that comparison).")


def baseline_from(row) -> dict:
    """Planning assumptions from a metric table row (:func:`csat_toolkit.metrics.metric_table`).

    Shares give ``expected`` (the estimate), NPS ``promoters``/``detractors``, means
    ``sd``.

    Examples
    --------
    >>> import pandas as pd
    >>> from csat_toolkit.core.metrics import nps
    >>> baseline_from(nps(pd.DataFrame({"score": [10, 10, 7, 3]}), min_n=1).iloc[0])
    {'promoters': 50.0, 'detractors': 25.0}
    """
    statistic = get_metric(row["metric"]).statistic
    if statistic == "share":
        return {"expected": float(row["estimate"])}
    if statistic == "nps":
        return {"promoters": float(row["pct_promoters"]), "detractors": float(row["pct_detractors"])}
    return {"sd": float(row["sd"])}


def detectable_table(data: pd.DataFrame, metrics, *, period: str | None = None,
                     scales: dict | None = None, conf: float = 0.95, power: float = 0.8,
                     weight: str | None = None) -> pd.DataFrame:
    """What the answers in hand can tell apart: the smallest detectable change per metric.

    With ``period`` and two or more periods with answers, the groups are two periods of
    the usual size (the median answers per period; Kish's effective answers when
    weighted); otherwise two halves of all the answers (two segments of equal size). The
    baseline (share, NPS shares or standard deviation) is the data's own.

    Returns
    -------
    DataFrame
        One row per metric: ``metric``, ``label``, ``basis`` ("period" or "halves"),
        ``period``, ``periods``, ``n_per_group``, ``baseline``, ``detectable`` (points, or
        scale units for means), ``unit``, ``conf``, ``power``.

    Examples
    --------
    >>> df = pd.DataFrame({"survey": "csat", "score": [5] * 300 + [2] * 100})
    >>> row = detectable_table(df, ["csat"]).iloc[0]
    >>> row["basis"], float(row["n_per_group"]), round(float(row["detectable"]), 1)
    ('halves', 200.0, 13.0)
    """
    scales = scales or {}
    rows = []
    for metric in metrics:
        spec = get_metric(metric)
        options = dict(scale=scales.get(spec.survey), conf=conf, weight=weight)
        overall = metric_table(data, metric, **options).iloc[0]
        size = "n_eff" if weight else "n"
        basis, count, periods = "halves", float(overall[size]) / 2, None
        dated = period is not None and "responded_at" in data and data["responded_at"].notna().any()
        if dated:
            per = metric_table(data, metric, period=period, **options)
            per = per[per[size] > 0]
            if len(per) >= 2:
                basis, count, periods = "period", float(per[size].median()), len(per)
        baseline = baseline_from(overall)
        if count >= 2 and all(np.isfinite(v) for v in baseline.values()):
            change = detectable_change(metric, count, power=power, alpha=round(1 - conf, 12),
                                       **baseline)
        else:
            change = math.nan
        rows.append({"metric": metric, "label": spec.label.split(" (")[0], "basis": basis,
                     "period": period if basis == "period" else None, "periods": periods,
                     "n_per_group": count, "baseline": _baseline_words(spec.statistic, baseline, metric),
                     "detectable": change,
                     "unit": "points" if spec.statistic in ("share", "nps") else "on the scale",
                     "conf": conf, "power": power})
    return pd.DataFrame(rows)


def describe_detectable(row) -> str:
    """One sentence for a row of :func:`detectable_table`.

    Examples
    --------
    >>> df = pd.DataFrame({"survey": "csat", "score": [5] * 300 + [2] * 100})
    >>> print(describe_detectable(detectable_table(df, ["csat"]).iloc[0]))
    CSAT: with two groups of 200 answers (half the answers each), changes smaller than 13.0 points cannot be told from noise (95% confidence, 80% power; 75% satisfied).
    """
    if row["basis"] == "period":
        name, change = PERIOD_WORDS.get(row["period"], (f"period ({row['period']})", "period-to-period"))
        groups = f"about {row['n_per_group']:,.0f} answers a {name}"
        what = f"{change} changes"
    else:
        groups = f"two groups of {row['n_per_group']:,.0f} answers (half the answers each)"
        what = "changes"
    if not math.isfinite(row["detectable"]):
        return (f"{row['label']}: with {groups}, too few answers to tell any change from noise "
                f"at {row['power']:.0%} power.")
    digits = 1 if row["unit"] == "points" else 2
    return (f"{row['label']}: with {groups}, {what} smaller than {row['detectable']:.{digits}f} "
            f"{row['unit']} cannot be told from noise ({row['conf']:.0%} confidence, "
            f"{row['power']:.0%} power; {row['baseline']}).")


def _baseline_words(statistic: str, baseline: dict, metric: str) -> str:
    if statistic == "share":
        return f"{baseline['expected']:.0f}% {_positive_word(metric)}"
    if statistic == "nps":
        return f"{baseline['promoters']:.0f}% promoters, {baseline['detractors']:.0f}% detractors"
    return f"standard deviation {baseline['sd']:.2f}"


# --- helpers ---------------------------------------------------------------------------


def _statistic(metric: str) -> str:
    return get_metric(metric).statistic


def _positive_word(metric: str) -> str:
    return {"csat": "satisfied", "ces_easy": "easy", "pmf": "very disappointed"}.get(metric, "positive")


def _z(conf: float) -> float:
    if not 0 < conf < 1:
        raise ParameterError(f"conf must be between 0 and 1 (for example 0.95); got {conf!r}.")
    return float(_st.norm.ppf(0.5 + conf / 2))


def _share(expected: float) -> float:
    if not 0 <= expected <= 100:
        raise ParameterError(
            f"expected is a share in % between 0 and 100 (for example 80 for 80% satisfied); "
            f"got {expected!r}.")
    return expected / 100


def _nps_var(promoters: float, detractors: float) -> float:
    if not (0 <= promoters <= 100 and 0 <= detractors <= 100 and promoters + detractors <= 100):
        raise ParameterError(
            "promoters and detractors are shares in % that add up to 100 or less (for example "
            f"promoters=45, detractors=20); got {promoters!r} and {detractors!r}.")
    return float(nps_variance(promoters / 100, detractors / 100))


def _sd(sd) -> float:
    if sd is None:
        raise ParameterError(
            "A mean score needs the standard deviation of the scores (sd=, on the scale): take "
            "it from an earlier survey (about 1 is common on a 1-5 scale; the widest possible "
            "is half the scale's range).")
    _positive(sd, "sd")
    return float(sd)


def _positive(value, name: str) -> None:
    if not (isinstance(value, (int, float, np.integer, np.floating)) and math.isfinite(value)
            and value > 0):
        raise ParameterError(f"{name} must be a number above 0; got {value!r}.")


def _check_population(population, n) -> None:
    _positive(population, "population")
    if np.any(np.asarray(n) > population):
        raise ParameterError(
            f"The customer base (population={population:g}) is smaller than the answers "
            f"({_show_n(n)}). Give the size of the whole base the survey goes to.")


def _show_n(n) -> str:
    values = np.atleast_1d(np.asarray(n, dtype=float))
    return ", ".join(f"{v:g}" for v in values[:5])


def _check_test(alpha: float, sides: int) -> None:
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha must be between 0 and 1 (for example 0.05); got {alpha!r}.")
    if sides not in (1, 2):
        raise ParameterError(f"sides must be 1 (one-sided test) or 2 (two-sided); got {sides!r}.")


def _check_power(power: float) -> None:
    if not 0 < power < 1:
        raise ParameterError(f"power must be between 0 and 1 (for example 0.8); got {power!r}.")


def _ceil(value: float, population) -> int:
    count = math.ceil(value - 1e-9)  # 385.0000000001 is 385
    return int(min(count, population)) if population is not None else int(count)


def _solve_increasing(function, target: float, *, start: float) -> float:
    """The ``n`` where a monotone function of ``n`` reaches ``target`` (up or down)."""
    low = start
    f_low = function(low) - target
    high = low * 2
    while (function(high) - target) * f_low > 0:
        low, high = high, high * 2
        f_low = function(low) - target
        if high > 1e12:
            raise ParameterError("No number of answers reaches that target; check the inputs.")
    return float(optimize.brentq(lambda n: function(n) - target, low, high, xtol=1e-10))


def _scalar(value):
    value = np.asarray(value, dtype=float)
    return float(value) if value.ndim == 0 else value
