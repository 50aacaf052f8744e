"""The shape of one metric's period series: seasonality, change points, and the trend
test beside them.

The series table is described in :mod:`csat_toolkit.trends.forecast`.

- :func:`seasonal_decomposition`: STL (Cleveland et al. 1990) when at least two full
  cycles exist without gaps; the strength of seasonality (Wang, Smith & Hyndman
  2006) and the months that are seasonally low or high.
- :func:`change_points`: optimal partitioning of the mean (segment neighbourhood,
  Auger & Lawrence 1989) with a BIC penalty, periods weighted by their precision
  (proportional to ``n``), and one-period outliers (transient dips and spikes)
  kept apart from regime changes.
- :func:`series_shape`: the trend test (seasonal Kendall when the season is
  significant), the season and the change points, as report sentences.

References
----------
- Cleveland, R. B., Cleveland, W. S., McRae, J. E. and Terpenning, I. (1990). STL: a
  seasonal-trend decomposition procedure based on loess. Journal of Official
  Statistics 6(1), 3-73.
- Wang, X., Smith, K. A. and Hyndman, R. J. (2006). Characteristic-based clustering
  for time series data. Data Mining and Knowledge Discovery 13, 335-364.
- Auger, I. E. and Lawrence, C. E. (1989). Algorithms for the optimal identification
  of segment neighborhoods. Bulletin of Mathematical Biology 51, 39-54.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as _st
from statsmodels.tsa.seasonal import STL

from ..core import stats
from ..core.display import result_html
from ..core.text import format_p
from ..errors import DataError, ParameterError, show_values

from .series import trend_test_table
from ._common import (
    _FIX_GAPS, _fix_short, _gaps, _latest_run, _period_length, _se_from_changes, _series,
    _span, _UNIT,
)

__all__ = [
    "SeasonalityResult", "ChangePointResult", "SeriesShape", "seasonal_decomposition",
    "change_points", "series_shape",
]


@dataclass(frozen=True)
class SeasonalityResult:
    """Outcome of :func:`seasonal_decomposition`.

    Attributes
    ----------
    ran : bool
        False when the decomposition was skipped; ``reason`` then says why.
    reason : str
        Why it was skipped, or which periods were decomposed and how.
    table : DataFrame
        Per period: ``period``, ``position`` (month name ...), ``n``, ``estimate``,
        ``trend``, ``seasonal``, ``resid``, ``se``.
    profile : DataFrame
        Per position in the cycle: ``position``, ``effect`` (mean seasonal component),
        ``detrended`` (mean of ``estimate - trend``, the tested value), ``se`` (its
        sampling standard error), ``cycles``, ``consistent`` (same sign in every cycle), ``irregular``
        (the cycles disagree: Cochran's Q test) and ``flag`` (``"low"``, ``"high"``
        or ``""``).
    amplitude : float
        Largest minus smallest seasonal effect, in the metric's units.
    strength : float
        ``max(0, 1 - var(resid) / var(seasonal + resid))`` (Wang, Smith & Hyndman 2006).
        Descriptive: with few cycles the seasonal component absorbs part of the
        sampling noise, so it is well above 0 even without seasonality; ``p_value``
        is the test.
    p_value : float
        Approximate test that there is no seasonality among the regular positions:
        ``sum (detrended / se)^2`` against chi-square with (positions - 1) degrees of
        freedom. Positions are flagged low/high only when it is below ``1 - conf``.
    low, high : tuple of str
        Positions flagged seasonally low / high.
    irregular : tuple of str
        Positions whose cycles disagree (a one-off such as an incident month).
    period_length : int
    robust : bool
        Whether robust fitting was used (it needs three cycles or more).
    dispersion : float
        How much the periods vary beyond their sampling error (1 = not at all),
        the larger of two robust estimates (disagreement between cycles, STL
        remainder); the tests use ``se * sqrt(dispersion)``
        so that month-to-month noise is not read as a season.
    """

    ran: bool
    reason: str
    table: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    profile: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    amplitude: float = float("nan")
    strength: float = float("nan")
    p_value: float = float("nan")
    low: tuple[str, ...] = ()
    high: tuple[str, ...] = ()
    irregular: tuple[str, ...] = ()
    period_length: int = 12
    robust: bool = False
    dispersion: float = 1.0

    def summary(self) -> str:
        """One or two sentences: the seasonal pattern, or why there is none."""
        if not self.ran:
            return f"Seasonality not estimated: {self.reason}"
        low = ", ".join(self.low) or "none"
        high = ", ".join(self.high) or "none"
        text = (
            f"Seasonal swing {self.amplitude:.2g} from trough to peak (test of seasonality "
            f"{format_p(self.p_value)}, strength {self.strength:.2f}). Seasonally low: "
            f"{low}; seasonally high: {high}."
        )
        if self.irregular:
            text += (f" Not a regular pattern (the cycles disagree, e.g. a one-off "
                     f"incident): {', '.join(self.irregular)}.")
        return text

    def _repr_html_(self) -> str:
        if not self.ran:
            return result_html(self.summary(), None)
        return result_html(self.summary(), self.profile, method=self.reason)


def seasonal_decomposition(
    series_table: pd.DataFrame,
    *,
    period_length: int | None = None,
    robust: bool = True,
    seasonal_window: int | str = "periodic",
    conf: float = 0.95,
) -> SeasonalityResult:
    """STL decomposition of a period series into trend, seasonal and remainder.

    Runs only on the latest stretch of periods without gaps, and only when that
    stretch holds at least two full cycles (24 months for ``period_length=12``);
    otherwise the result has ``ran=False`` and a ``reason``.

    Parameters
    ----------
    series_table : DataFrame
        One row per period: ``period``, ``n``, ``estimate`` (``ci_low``/``ci_high``
        give each period's standard error; without them it is estimated from the
        period-to-period changes), e.g. ``metric_table(data, "csat", period="M")``.
    period_length : int, optional
        Periods per seasonal cycle; by default 12 for months, 4 for quarters, 52 for
        weeks and 7 for days (years have no cycle).
    robust : bool
        Robust STL (outlying periods down-weighted). It needs three cycles or more to
        tell a one-off from a seasonal effect; with two it is not used (the result
        says so).
    seasonal_window : "periodic" or odd int
        "periodic" (default) takes each position's seasonal effect as the same in
        every cycle (R's ``s.window = "periodic"``), the sound choice for the short
        series of survey metrics; an odd integer >= 7 lets it evolve (STL's
        ``seasonal``).
    conf : float
        Confidence level of the low/high test below.

    Returns
    -------
    SeasonalityResult
        A position (a calendar month ...) is seasonally *low* when the test of
        seasonality (``p_value``) is significant at ``1 - conf``, the position's mean
        detrended value is below ``-z * se`` (``se``: the sampling standard error of
        the mean of its periods, from their intervals), its detrended value
        (seasonal + remainder) is below zero in every cycle, and the cycles agree
        (Cochran's Q test of their detrended values at level ``1 - conf``); *high*
        likewise. The overall test comes first, so the twelve per-month checks do
        not need a multiplicity correction of their own (a protected test). A
        position whose cycles disagree (a one-off incident in one year) is reported
        as ``irregular``, never as seasonal.

    Examples
    --------
    >>> months = pd.period_range("2023-01", periods=24, freq="M")
    >>> low = np.isin(months.month, [11, 12])
    >>> table = pd.DataFrame({"period": months, "n": 500,
    ...                       "estimate": np.where(low, 70.0, 78.0) + np.tile([0.5, -0.5], 12),
    ...                       "ci_low": 75.0, "ci_high": 81.0})
    >>> result = seasonal_decomposition(table)
    >>> result.ran, result.low
    (True, ('Nov', 'Dec'))
    >>> seasonal_decomposition(table.head(20)).reason[:46]
    'STL needs at least 2 full cycles (24 periods) '
    """
    frame = _series(series_table)
    period_length = _period_length(frame.index, period_length)
    if period_length is None:
        return SeasonalityResult(ran=False, reason=(
            f"{frame.index.freqstr} periods have no seasonal cycle; use monthly or quarterly "
            "periods, or give period_length."), period_length=0)
    run = _latest_run(frame)
    skipped = _too_short(frame, run, period_length)
    if skipped:
        return SeasonalityResult(ran=False, reason=skipped, period_length=period_length)
    cycles = len(run) // period_length
    use_robust = robust and cycles >= 3
    fit = _stl(run["estimate"].to_numpy(), period_length, use_robust, seasonal_window)
    run = run.assign(se=run["se"].fillna(_se_from_changes(run["estimate"], run["n"])))
    table = _stl_table(run, fit, period_length)
    dispersion = max(_cycle_dispersion(table), _remainder_dispersion(table, period_length))
    table["se"] = table["se"] * np.sqrt(dispersion)
    profile = _profile(table, conf)
    return SeasonalityResult(
        ran=True,
        reason=_decomposed_note(frame, run, cycles, robust, use_robust, seasonal_window),
        table=table,
        profile=profile,
        amplitude=float(profile["effect"].max() - profile["effect"].min()),
        strength=_strength(table["seasonal"].to_numpy(), table["resid"].to_numpy()),
        p_value=_seasonality_p_value(profile),
        low=tuple(profile.loc[profile["flag"] == "low", "position"]),
        high=tuple(profile.loc[profile["flag"] == "high", "position"]),
        irregular=tuple(profile.loc[profile["irregular"], "position"]),
        period_length=period_length,
        robust=use_robust,
        dispersion=dispersion,
    )


def _too_short(frame: pd.DataFrame, run: pd.DataFrame, period_length: int) -> str:
    need = 2 * period_length
    if len(run) >= need:
        return ""
    base = f"STL needs at least 2 full cycles ({need} periods) without missing periods; "
    gaps = _gaps(frame)
    if not gaps:
        return base + (f"the series has only {_span(frame)}. "
                       + _cycles_fix(frame.index.freqstr, len(run), need, period_length))
    return base + (
        f"the latest stretch without gaps is {_span(run)}, because "
        f"{show_values(gaps[::-1])} had no answers. {_FIX_GAPS}"
    )


def _cycles_fix(freq: str, have: int, need: int, period_length: int) -> str:
    """Seasonal cycles are calendar years (weeks of a week for days): a shorter period
    does not shorten them, so only a longer history helps."""
    adjective, unit = _UNIT.get(freq[:1].upper(), ("", "period"))
    cycle = "years" if freq[:1].upper() in "MQW" and period_length in (12, 4, 52) else "cycles"
    more = need - have
    return (f"A {adjective} series needs two full {cycle} ({need} {unit}s) for a seasonal "
            f"decomposition: {more} more {unit}{'s' if more != 1 else ''} of data would do "
            "(a shorter period does not help: the cycle stays as long).")


def _decomposed_note(frame, run, cycles, robust, use_robust, seasonal_window) -> str:
    note = f"STL on {_span(run)}, {cycles} full cycle(s), {seasonal_window} seasonal window"
    if len(run) < len(frame):
        note += f"; earlier periods left out because {_gaps(frame)[-1]} had no answers"
    if robust and not use_robust:
        note += ("; robust fitting not used: with fewer than three cycles it cannot tell "
                 "a one-off from a seasonal effect")
    return note + "."


def _stl(values: np.ndarray, period_length: int, robust: bool, seasonal_window):
    if seasonal_window == "periodic":
        window, degree = 10 * len(values) + 1, 0  # as R's stl(s.window = "periodic")
    elif isinstance(seasonal_window, int) and seasonal_window >= 7 and seasonal_window % 2:
        window, degree = seasonal_window, 1
    else:
        raise ParameterError(
            "seasonal_window must be 'periodic' or an odd integer of 7 or more; "
            f"got {seasonal_window!r}."
        )
    return STL(values, period=period_length, seasonal=window, seasonal_deg=degree,
               robust=robust).fit()


def _positions(periods: pd.PeriodIndex, period_length: int) -> list[str]:
    freq = periods.freqstr
    if freq.startswith("M") and period_length == 12:
        return list(periods.strftime("%b"))
    if freq.startswith("Q") and period_length == 4:
        return [f"Q{q}" for q in periods.quarter]
    if freq.startswith("D") and period_length == 7:
        return list(periods.strftime("%a"))
    return [f"position {p.ordinal % period_length + 1}" for p in periods]


def _stl_table(run: pd.DataFrame, fit, period_length: int) -> pd.DataFrame:
    return pd.DataFrame({
        "period": run.index,
        "position": _positions(run.index, period_length),
        "n": run["n"].astype(int).to_numpy(),
        "estimate": run["estimate"].to_numpy(),
        "trend": np.asarray(fit.trend),
        "seasonal": np.asarray(fit.seasonal),
        "resid": np.asarray(fit.resid),
        "se": run["se"].to_numpy(),
    })


def _remainder_dispersion(table: pd.DataFrame, period_length: int) -> float:
    """Extra-sampling variation from the STL remainder (robust, >= 1): ``(median
    |resid / se| / 0.6745)^2``, scaled by ``T / (T - period_length)`` for the values the
    seasonal component absorbs."""
    z = (table["resid"] / table["se"]).to_numpy(dtype=float)
    z = z[np.isfinite(z)]
    if len(z) <= period_length:
        return 1.0
    return float(max(1.0, (np.median(np.abs(z)) / 0.6745) ** 2 * len(z) / (len(z) - period_length)))


def _cycle_dispersion(table: pd.DataFrame) -> float:
    """Extra-sampling variation of the periods (robust, >= 1), from how much the cycles
    disagree at each position once the trend is removed.

    Per position, ``q = sum w (d - mean_w d)^2`` with ``d = estimate - trend`` and
    ``w = 1 / se^2`` is chi-square with ``cycles - 1`` degrees of freedom when periods
    vary only by sampling; the ratio of the median ``q`` to that distribution's median
    estimates the dispersion. A real season cancels out of ``q``; a one-off incident
    moves one position only, which the median ignores.
    """
    parts = table.assign(d=table["seasonal"] + table["resid"], w=1 / table["se"] ** 2)
    parts["wd"] = parts["w"] * parts["d"]
    grouped = parts.groupby("position", sort=False)
    centre = parts["position"].map(grouped["wd"].sum() / grouped["w"].sum())
    q = (parts["w"] * (parts["d"] - centre) ** 2).groupby(parts["position"], sort=False).sum()
    cycles = grouped.size()
    usable = cycles > 1
    if not usable.any():
        return 1.0
    ratio = np.median(q[usable]) / _st.chi2.median(np.median(cycles[usable]) - 1)
    return float(max(1.0, ratio))


def _profile(table: pd.DataFrame, conf: float) -> pd.DataFrame:
    """Per position: mean seasonal effect, its se, agreement between cycles, flag."""
    se = table["se"]
    detrended = table["seasonal"] + table["resid"]
    parts = table.assign(d=detrended, var=se**2, w=1 / se**2, wd=detrended / se**2)
    grouped = parts.groupby("position", sort=False)
    profile = pd.DataFrame({
        "effect": grouped["seasonal"].mean(),
        "detrended": grouped["d"].mean(),
        "se": np.sqrt(grouped["var"].sum()) / grouped.size(),
        "cycles": grouped.size(),
    })
    below, above = grouped["d"].max() < 0, grouped["d"].min() > 0
    profile["consistent"] = below | above
    centre = parts["position"].map(grouped["wd"].sum() / grouped["w"].sum())
    q = (parts["w"] * (parts["d"] - centre) ** 2).groupby(parts["position"], sort=False).sum()
    profile["irregular"] = _st.chi2.sf(q, profile["cycles"] - 1) < round(1 - conf, 12)
    limit = stats.z_value(conf) * profile["se"]
    regular = ~profile["irregular"] & (_seasonality_p_value(profile) < round(1 - conf, 12))
    mean = profile["detrended"]
    profile["flag"] = np.where((mean < -limit) & below & regular, "low",
                               np.where((mean > limit) & above & regular, "high", ""))
    return profile.reset_index()


def _seasonality_p_value(profile: pd.DataFrame) -> float:
    """Approximate test that the regular positions' effects are all zero.

    ``sum (detrended / se)^2`` over the positions whose cycles agree, against
    chi-square with (positions - 1) degrees of freedom (the effects sum to about
    zero). ``detrended`` is the plain mean of ``estimate - trend``, whose standard
    error is known (the robust seasonal component is a data-weighted mean, whose is
    not). Trend-estimation error is ignored, so the test is approximate; on
    simulated series without seasonality it rejects in about 5% of cases at 95%.
    """
    regular = profile[~profile["irregular"]]
    if len(regular) < 2:
        return float("nan")
    statistic = float(((regular["detrended"] / regular["se"]) ** 2).sum())
    return float(_st.chi2.sf(statistic, len(regular) - 1))


def _strength(seasonal: np.ndarray, resid: np.ndarray) -> float:
    total = np.var(seasonal + resid)
    return float(max(0.0, 1.0 - np.var(resid) / total)) if total > 0 else 0.0


def _seasonal_adjustment(frame: pd.DataFrame, seasonal: SeasonalityResult | None) -> np.ndarray:
    """Seasonal effects of the flagged positions, aligned with the frame (else 0)."""
    adjustment = np.zeros(len(frame))
    if seasonal is None or not seasonal.ran:
        return adjustment
    effects = seasonal.profile.set_index("position")
    effects = effects.loc[effects["flag"] != "", "effect"]
    positions = _positions(frame.index, seasonal.period_length)
    return np.array([effects.get(p, 0.0) for p in positions])


@dataclass(frozen=True)
class ChangePointResult:
    """Outcome of :func:`change_points`.

    Attributes
    ----------
    table : DataFrame
        Per period: ``period``, ``n``, ``estimate``, ``adjusted`` (estimate minus the
        seasonal effect removed), ``se``, ``segment``, ``segment_mean``, ``residual``,
        ``z`` (residual / se), ``outlier`` and ``kind`` (``"dip"``, ``"spike"`` or ``""``).
    segments : DataFrame
        Per segment: ``segment``, ``start``, ``end``, ``periods``, ``n``, ``mean``,
        ``ci_low``, ``ci_high`` (outliers left out; intervals widened by the
        dispersion and not adjusted for the search).
    breaks : DataFrame
        Per regime change: ``period`` (first period of the new level), ``before``,
        ``after``, ``change``.
    outliers : DataFrame
        The rows of ``table`` flagged as outliers.
    dispersion : float
        Variance of the period estimates relative to their sampling variance (>= 1).
    penalty : float
        Penalty per break, in units of -2 log-likelihood.
    """

    table: pd.DataFrame
    segments: pd.DataFrame
    breaks: pd.DataFrame
    outliers: pd.DataFrame
    dispersion: float
    penalty: float

    def summary(self) -> str:
        """Regime changes and transient dips/spikes as a sentence."""
        if self.breaks.empty:
            text = "No lasting change of level."
        else:
            text = "Level changes: " + "; ".join(
                f"{r.period} {r.before:.1f} -> {r.after:.1f} ({r.change:+.1f})"
                for r in self.breaks.itertuples()) + "."
        if self.outliers.empty:
            return text + " No one-period outliers."
        return text + " One-period outliers: " + "; ".join(
            f"{r.period} {r.kind} {r.residual:+.1f} ({abs(r.z):.1f} se)"
            for r in self.outliers.itertuples()) + "."

    def _repr_html_(self) -> str:
        method = (f"Piecewise-constant level weighted by each period's precision; penalty "
                  f"{self.penalty:.3g} per break (-2 log-likelihood); period values vary "
                  f"{self.dispersion:.2f} times their sampling variance")
        return result_html(self.summary(), self.segments, method=method)


def change_points(
    series_table: pd.DataFrame,
    *,
    max_breaks: int = 2,
    min_size: int = 3,
    penalty: str | float = "bic",
    z: float | None = None,
    seasonal: SeasonalityResult | str | None = "auto",
    conf: float = 0.95,
) -> ChangePointResult:
    """Lasting changes of level, and one-period outliers, in a period series.

    The mean of the series is modelled as piecewise constant with up to
    ``max_breaks`` breaks and segments of at least ``min_size`` periods. Each
    period is weighted by its precision ``1 / se^2`` (proportional to its ``n``), a
    segment costs its weighted sum of squares, and the best partition for each
    number of breaks is found exactly by dynamic programming (segment neighbourhood,
    Auger & Lawrence 1989). The number of breaks minimises
    ``cost / dispersion + penalty * breaks``, BIC's ``penalty = 2 log T`` by
    default (each break adds a location and a mean). ``dispersion`` is the variance
    of the period-to-period changes relative to their sampling variance (robust:
    from the median absolute standardised change, at least 1), so ordinary
    month-to-month wobble beyond sampling error does not make breaks.

    A period is an *outlier* when its estimate differs from its segment's mean by
    more than ``z`` times its own standard error (given its ``n``); by default ``z``
    is the two-sided Bonferroni critical value for ``T`` periods at ``1 - conf``
    (3.08 for 24 months at 95%), so that a series without outliers shows none in
    about 95% of cases however long it is. Outliers are
    left out of the segment means and the search is repeated, so a one-month
    incident is reported as a transient dip, not as two regime changes.

    Parameters
    ----------
    series_table : DataFrame
        One row per period with ``period``, ``n``, ``estimate``, ``ci_low``, ``ci_high``.
        Gaps are skipped (they belong to no segment). Without intervals each period's
        standard error is ``sigma / sqrt(n)``, with ``sigma`` estimated robustly from
        the period-to-period changes (approximate: prefer tables with intervals).
    max_breaks, min_size : int
    penalty : "bic" or float
        Penalty per break, in units of -2 log-likelihood.
    z : float, optional
        Outlier threshold in standard errors (default: Bonferroni, see above).
    seasonal : "auto", SeasonalityResult or None
        The effects of the positions found seasonally low or high are removed first,
        so a regular December low is neither a break nor an outlier (positions not
        flagged are left as they are). "auto" (default) runs
        :func:`seasonal_decomposition` on the series (nothing is removed when it is
        skipped); None removes nothing.
    conf : float
        Confidence level of the outlier threshold and the segment means' intervals.

    Examples
    --------
    >>> months = pd.period_range("2023-01", periods=18, freq="M")
    >>> level = np.r_[np.full(9, 80.0), np.full(9, 70.0)] + np.tile([0.4, -0.4], 9)
    >>> level[4] = 60.0
    >>> table = pd.DataFrame({"period": months, "n": 500, "estimate": level,
    ...                       "ci_low": level - 3.5, "ci_high": level + 3.5})
    >>> result = change_points(table, seasonal=None)
    >>> result.breaks["period"].astype(str).tolist(), result.outliers["period"].astype(str).tolist()
    (['2023-10'], ['2023-05'])
    """
    _check_change_parameters(max_breaks, min_size, penalty, z)
    observed = _observed_for_changes(series_table, min_size, seasonal)
    pen = 2 * math.log(len(observed)) if penalty == "bic" else float(penalty)
    if z is None:
        z = float(_st.norm.isf((1 - conf) / (2 * len(observed))))
    starts, means, outliers, dispersion = _fit_segments(observed, max_breaks, min_size, pen, z)
    table = _change_table(observed, starts, means, outliers)
    return ChangePointResult(
        table=table,
        segments=_segments(table, dispersion, conf),
        breaks=_breaks(table),
        outliers=table[table["outlier"]].reset_index(drop=True),
        dispersion=dispersion,
        penalty=pen,
    )


def _observed_for_changes(series_table, min_size: int, seasonal) -> pd.DataFrame:
    """Periods with answers, seasonally adjusted, each with a standard error."""
    frame = _series(series_table)
    observed = frame[frame["observed"]].copy()
    if len(observed) < 2 * min_size:
        raise DataError(
            f"Change-point detection needs at least {2 * min_size} periods with answers "
            f"(two segments of min_size={min_size}); the series has {len(observed)}. "
            + _fix_short(frame.index.freqstr, len(observed), 2 * min_size)
        )
    if isinstance(seasonal, str):
        if seasonal != "auto":
            raise ParameterError(
                f"seasonal must be 'auto', a SeasonalityResult or None; got {seasonal!r}."
            )
        seasonal = seasonal_decomposition(series_table)
    observed["adjusted"] = observed["estimate"] - _seasonal_adjustment(observed, seasonal)
    observed["se"] = observed["se"].fillna(_se_from_changes(observed["adjusted"], observed["n"]))
    return observed


def _fit_segments(observed, max_breaks, min_size, pen, z):
    """Segments and outliers, refitted without the outliers until the set is stable."""
    outliers = np.zeros(len(observed), dtype=bool)
    for _ in range(5):
        dispersion = _dispersion(observed, outliers)
        starts = _best_partition(observed, outliers, max_breaks, min_size, pen, dispersion)
        means = _segment_means(observed, outliers, starts)
        flagged = np.abs(observed["adjusted"].to_numpy() - means) > z * observed["se"].to_numpy()
        if (flagged == outliers).all():
            break
        outliers = flagged
    return starts, means, outliers, dispersion


def _check_change_parameters(max_breaks, min_size, penalty, z) -> None:
    if max_breaks < 0 or min_size < 1:
        raise ParameterError(
            f"max_breaks must be 0 or more and min_size 1 or more; got {max_breaks} and {min_size}."
        )
    if penalty != "bic" and not (isinstance(penalty, (int, float)) and penalty >= 0):
        raise ParameterError(f"penalty must be 'bic' or a number >= 0; got {penalty!r}.")
    if z is not None and not z > 0:
        raise ParameterError(f"z must be positive (3 is usual) or None; got {z!r}.")


def _dispersion(observed: pd.DataFrame, outliers: np.ndarray) -> float:
    """Variance of period-to-period changes relative to sampling (robust, >= 1)."""
    kept = observed[~outliers]
    y, se = kept["adjusted"].to_numpy(), kept["se"].to_numpy()
    standardised = np.diff(y) / np.sqrt(se[1:] ** 2 + se[:-1] ** 2)
    if len(standardised) == 0:
        return 1.0
    spread = np.median(np.abs(standardised)) / 0.6745
    return float(max(1.0, spread**2))


def _cumulative(observed: pd.DataFrame, outliers: np.ndarray):
    w = np.where(outliers, 0.0, 1.0 / observed["se"].to_numpy() ** 2)
    y = observed["adjusted"].to_numpy()
    return (np.r_[0.0, np.cumsum(w)], np.r_[0.0, np.cumsum(w * y)], np.r_[0.0, np.cumsum(w * y * y)])


def _cost(sums, i, j):
    """Weighted sum of squares of points i..j-1 about their weighted mean."""
    cw, cwy, cwyy = sums
    w, s, q = cw[j] - cw[i], cwy[j] - cwy[i], cwyy[j] - cwyy[i]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(w > 0, np.maximum(q - s * s / w, 0.0), 0.0)


def _best_partition(observed, outliers, max_breaks, min_size, pen, dispersion) -> list[int]:
    """Start positions of the segments of the best penalised partition."""
    sums = _cumulative(observed, outliers)
    n = len(observed)
    ks = min(max_breaks, n // min_size - 1)
    best = np.full((ks + 1, n + 1), np.inf)
    back = np.zeros((ks + 1, n + 1), dtype=int)
    ends = np.arange(min_size, n + 1)
    best[0, ends] = _cost(sums, 0, ends)
    for k in range(1, ks + 1):
        for j in range((k + 1) * min_size, n + 1):
            i = np.arange(k * min_size, j - min_size + 1)
            total = best[k - 1, i] + _cost(sums, i, j)
            back[k, j] = i[np.argmin(total)]
            best[k, j] = total.min()
    k = int(np.argmin(best[:, n] / dispersion + pen * np.arange(ks + 1)))
    starts, j = [], n
    for level in range(k, 0, -1):
        j = back[level, j]
        starts.append(int(j))
    return [0] + starts[::-1]


def _segment_means(observed, outliers, starts) -> np.ndarray:
    sums = _cumulative(observed, outliers)
    bounds = list(starts) + [len(observed)]
    means = np.empty(len(observed))
    for i, j in zip(bounds[:-1], bounds[1:]):
        w, s = sums[0][j] - sums[0][i], sums[1][j] - sums[1][i]
        means[i:j] = s / w if w > 0 else np.nan
    return means


def _change_table(observed, starts, means, outliers) -> pd.DataFrame:
    segment = np.searchsorted(np.asarray(starts), np.arange(len(observed)), side="right")
    residual = observed["adjusted"].to_numpy() - means
    z = residual / observed["se"].to_numpy()
    return pd.DataFrame({
        "period": observed.index,
        "n": observed["n"].astype(int).to_numpy(),
        "estimate": observed["estimate"].to_numpy(),
        "adjusted": observed["adjusted"].to_numpy(),
        "se": observed["se"].to_numpy(),
        "segment": segment,
        "segment_mean": means,
        "residual": residual,
        "z": z,
        "outlier": outliers,
        "kind": np.where(outliers, np.where(residual < 0, "dip", "spike"), ""),
    })


def _segments(table: pd.DataFrame, dispersion: float, conf: float) -> pd.DataFrame:
    kept = table[~table["outlier"]].assign(w=lambda t: 1 / t["se"] ** 2)
    grouped = table.groupby("segment")
    weight = kept.groupby("segment")["w"].sum().reindex(grouped.size().index)
    half = stats.z_value(conf) * np.sqrt(dispersion / weight)
    mean = grouped["segment_mean"].first()
    return pd.DataFrame({
        "segment": mean.index,
        "start": grouped["period"].first().to_numpy(),
        "end": grouped["period"].last().to_numpy(),
        "periods": grouped.size().to_numpy(),
        "n": grouped["n"].sum().to_numpy(),
        "mean": mean.to_numpy(),
        "ci_low": (mean - half).to_numpy(),
        "ci_high": (mean + half).to_numpy(),
    })


def _breaks(table: pd.DataFrame) -> pd.DataFrame:
    first = table.groupby("segment").first()
    rows = [
        {"period": first["period"].iloc[k], "before": first["segment_mean"].iloc[k - 1],
         "after": first["segment_mean"].iloc[k],
         "change": first["segment_mean"].iloc[k] - first["segment_mean"].iloc[k - 1]}
        for k in range(1, len(first))
    ]
    return pd.DataFrame(rows, columns=["period", "before", "after", "change"])


@dataclass(frozen=True)
class SeriesShape:
    """Trend, season and breaks of one series, as sentences (see :func:`series_shape`).

    ``season`` is the :class:`SeasonalityResult`; ``notes`` the sentences in report
    order (trend test, season, change points); ``skipped`` those of steps that could
    not run (too few periods, no two full cycles), for ``headline["skipped"]``;
    ``trend`` the trend test's sentence (or why it was skipped).
    """

    season: SeasonalityResult
    notes: list
    skipped: list
    trend: str

    def summary(self) -> str:
        """The trend test, season and change points, in report order."""
        return " ".join(self.notes)

    def _repr_html_(self) -> str:
        table = self.season.profile if self.season.ran else None
        return result_html(self.notes, table)


def series_shape(series_table: pd.DataFrame, *, conf: float = 0.95) -> SeriesShape:
    """The trend test, the seasonal decomposition and the change points of a series.

    A seasonal series (STL ran and its season is significant at ``1 - conf``) gets the
    seasonal Kendall test, so that the season is not read as trend; otherwise the
    Mann-Kendall test. A step that needs more periods than the series has is skipped
    with its reason, never an error.

    Examples
    --------
    >>> months = pd.period_range("2025-07", periods=18, freq="M")
    >>> table = pd.DataFrame({"period": months, "n": 400, "metric": "csat",
    ...                       "estimate": 75 + 0.2 * np.arange(18) + np.tile([0.6, -0.6], 9)})
    >>> shape = series_shape(table)
    >>> shape.season.ran, shape.skipped[0][:46]
    (False, 'Seasonality not estimated: STL needs at least ')
    """
    season = seasonal_decomposition(series_table, conf=conf)
    seasonal = season.ran and season.p_value < 1 - conf
    options = dict(method="seasonal_kendall" if seasonal else "mann_kendall",
                   period_length=season.period_length or 12, alpha=1 - conf)
    notes, skipped = [], []
    steps = (("Trend test", lambda: trend_test_table(series_table, **options)["sentence"].iloc[0]),
             ("Season", season.summary),
             ("Change points", lambda: change_points(series_table, conf=conf).summary()))
    for name, step in steps:
        try:
            notes.append(step())
        except DataError as reason:
            notes.append(f"{name} skipped: {reason}")
            skipped.append(notes[-1])
    if not season.ran:
        skipped.append(notes[1])
    return SeriesShape(season, notes, skipped, notes[0])
