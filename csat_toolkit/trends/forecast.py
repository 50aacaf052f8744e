"""Forecasts and goals for one metric's period series.

Every function takes a *series table*: one row per period with ``period``, ``n`` and
``estimate`` (the output of :func:`csat_toolkit.metrics.metric_table` with
``period=``, or of the period series in :mod:`csat_toolkit.trends`). ``ci_low`` and
``ci_high`` (with ``conf``) give each period's sampling standard error,
``se = (ci_high - ci_low) / (2 z)``; ``metric`` and ``scale`` let forecasts stay in
the metric's range. Periods without answers (absent rows, ``n == 0`` or a missing
estimate) are gaps: nothing is interpolated.

- :func:`forecast`: exponential smoothing (statsmodels ``ETSModel``) with prediction
  intervals.
- :func:`goal_status`: the probability of reaching a target by a date under the
  forecast, as "on track", "at risk" or "off track".

Seasonality, change points and :func:`series_shape` live in :mod:`.shape` and are
re-exported here (``ct.forecast.seasonal_decomposition`` keeps working).

References
----------
- Hyndman, R. J., Koehler, A. B., Ord, J. K. and Snyder, R. D. (2008). Forecasting
  with Exponential Smoothing: the State Space Approach. Springer.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _st
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from ..core import stats
from ..core.display import result_html
from ..core.tally import period_of
from ..errors import DataError, ParameterError, require_columns, show_values

from ._common import (
    _as_periods, _FIX_GAPS, _fix_short, _gaps, _latest_run, _metric_range, _period_length,
    _series, _span,
)
from .shape import (
    _best_partition, change_points, ChangePointResult, _cost, _cumulative,
    seasonal_decomposition, SeasonalityResult, series_shape, SeriesShape,
)

__all__ = [
    "SeasonalityResult", "ChangePointResult", "GoalResult", "seasonal_decomposition",
    "change_points", "forecast", "goal_status", "goal_from_parameter", "GoalCheck",
    "series_shape", "SeriesShape", "GOAL_THRESHOLDS",
]


#: Probability of reaching a goal at or above which it is "on track", and below
#: which it is "off track"; in between it is "at risk".
GOAL_THRESHOLDS = (0.3, 0.7)

_MIN_FORECAST_PERIODS = 8


def forecast(
    series_table: pd.DataFrame,
    *,
    horizon: int = 3,
    conf: float = 0.95,
    seasonal: bool | None = None,
    damped: bool = True,
    period_length: int | None = None,
) -> pd.DataFrame:
    """Exponential-smoothing forecast of the next periods, with prediction intervals.

    Fits an ETS model with additive errors and an additive (by default damped) trend
    (statsmodels ``ETSModel``; Hyndman et al. 2008) to the latest stretch of periods
    without gaps. Its prediction intervals are exact for this model class (normal,
    given the fitted parameters; parameter uncertainty is not included) and are
    clipped to the metric's range (0-100% for shares, -100..100 for NPS).

    Parameters
    ----------
    series_table : DataFrame
        One row per period with ``period``, ``n``, ``estimate``.
    horizon : int
        Number of periods to forecast after the last one observed.
    conf : float
        Coverage of the prediction intervals.
    seasonal : bool, optional
        None (default): an additive seasonal model is also fitted when at least two
        full cycles exist, and kept only if its AICc is lower (with few cycles it
        rarely is: each position costs a parameter). True requires it, False never.
    damped : bool
        Damped trend (default) or straight-line (Holt) trend.
    period_length : int, optional
        Periods per seasonal cycle (12 for months by default, as in
        :func:`seasonal_decomposition`).

    Returns
    -------
    DataFrame
        ``period``, ``step``, ``forecast``, ``pi_low``, ``pi_high``, ``conf`` and
        ``method`` (the model and the periods it was fitted on).

    Examples
    --------
    >>> months = pd.period_range("2023-01", periods=24, freq="M")
    >>> table = pd.DataFrame({"period": months, "n": 500, "metric": "csat",
    ...                       "estimate": 75 + np.tile([1.0, -1.0, 0.5, -0.5], 6)})
    >>> out = forecast(table, horizon=2)
    >>> out["period"].astype(str).tolist(), bool((out["pi_low"] < out["forecast"]).all())
    (['2025-01', '2025-02'], True)
    """
    if not (isinstance(horizon, (int, np.integer)) and horizon >= 1):
        raise ParameterError(f"horizon must be a whole number of periods, 1 or more; got {horizon!r}.")
    stats.z_value(conf)  # checks conf
    frame = _series(series_table)
    run = _fit_run(frame)
    cycle = _period_length(run.index, period_length)
    fit, name = _fit_ets(run["estimate"].to_numpy(), seasonal, damped, cycle)
    prediction = fit.get_prediction(start=len(run), end=len(run) + horizon - 1)
    summary = prediction.summary_frame(alpha=1 - conf)
    low, high = _metric_range(series_table)
    return pd.DataFrame({
        "period": pd.period_range(run.index[-1] + 1, periods=horizon, freq=run.index.freq),
        "step": np.arange(1, horizon + 1),
        "forecast": np.clip(summary["mean"].to_numpy(), low, high),
        "pi_low": np.clip(summary["pi_lower"].to_numpy(), low, high),
        "pi_high": np.clip(summary["pi_upper"].to_numpy(), low, high),
        "conf": conf,
        "method": f"{name}, fitted on {_span(run)}",
    })


def _fit_run(frame: pd.DataFrame) -> pd.DataFrame:
    run = _latest_run(frame)
    if len(run) >= _MIN_FORECAST_PERIODS:
        return run
    gaps = _gaps(frame)
    where = (f"the latest stretch without gaps is {_span(run)} ({show_values(gaps[::-1])} had "
             f"no answers). {_FIX_GAPS}" if gaps else f"the series has {len(run)}. "
             + _fix_short(frame.index.freqstr, len(run), _MIN_FORECAST_PERIODS))
    raise DataError(
        f"A forecast needs at least {_MIN_FORECAST_PERIODS} consecutive periods with answers; {where}"
    )


def _fit_ets(values: np.ndarray, seasonal: bool | None, damped: bool, period_length: int | None):
    cycles = len(values) // period_length if period_length else 0
    if seasonal and cycles < 2:
        raise DataError(
            f"A seasonal forecast needs at least 2 full cycles ({2 * (period_length or 0)} "
            f"consecutive periods of a cyclic frequency); there are {len(values)}. Use "
            "seasonal=None or False."
        )
    candidates = [False] if seasonal is False or cycles < 2 else [True] if seasonal else [False, True]
    fits = [(_ets(values, s, damped, period_length), s) for s in candidates]
    fit, chosen = min(fits, key=lambda f: f[0].aicc if np.isfinite(f[0].aicc) else np.inf)
    trend = "Ad" if damped else "A"
    name = f"ETS(A,{trend},{'A' if chosen else 'N'}) exponential smoothing"
    if len(candidates) == 2:
        name += f" ({'seasonal' if chosen else 'non-seasonal'} model chosen by AICc)"
    return fit, name


def _ets(values: np.ndarray, seasonal: bool, damped: bool, period_length: int):
    model = ETSModel(pd.Series(values), error="add", trend="add", damped_trend=damped,
                     seasonal="add" if seasonal else None,
                     seasonal_periods=period_length if seasonal else None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(disp=False)


@dataclass(frozen=True)
class GoalResult:
    """Outcome of :func:`goal_status`; ``table`` has one row, ``summary()`` a sentence."""

    table: pd.DataFrame

    @property
    def status(self) -> str:
        return str(self.table["status"].iloc[0])

    @property
    def probability(self) -> float:
        return float(self.table["probability"].iloc[0])

    def summary(self) -> str:
        r = self.table.iloc[0]
        word = "at least" if r["direction"] == "at_least" else "at most"
        start = ("" if pd.isna(r["baseline"]) else
                 f" ({r['baseline']:.1f} in {r['baseline_period']} {r['change']:+.1f})")
        return (
            f"Goal {word} {r['target']:.1f}{start} by {r['period']}: forecast {r['forecast']:.1f} "
            f"({r['conf']:.0%} PI {r['pi_low']:.1f} to {r['pi_high']:.1f}), probability of "
            f"reaching it {r['probability']:.0%}: {r['status']}."
        )

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.table)


def goal_status(
    series_table: pd.DataFrame,
    *,
    target: float | None = None,
    change: float | None = None,
    by=None,
    within: int | None = None,
    forecast_table: pd.DataFrame | None = None,
    conf: float = 0.95,
    direction: str = "at_least",
    baseline=None,
    thresholds: tuple[float, float] = GOAL_THRESHOLDS,
    **forecast_options,
) -> GoalResult:
    """Is a goal ("CSAT 80% by June", "NPS up 5 points by Q4") on track?

    The metric's value in the goal period is taken as normal with the forecast's
    mean and the standard deviation implied by its prediction interval, half its
    width over ``z`` (the wider half, in case the interval was clipped at the
    metric's range). For the additive ETS models of :func:`forecast` this is the
    exact predictive distribution given the fitted parameters, so no simulation (and
    no seed) is needed; parameter uncertainty is not included. The probability of
    reaching the
    target sets the status: at least ``thresholds[1]`` (0.7) "on track", below
    ``thresholds[0]`` (0.3) "off track", in between "at risk".

    Parameters
    ----------
    series_table : DataFrame
        The observed series (``period``, ``n``, ``estimate``).
    target : float, optional
        The value to reach, in the metric's units (percent, NPS points, scale points).
    change : float, optional
        Instead of ``target``: a change from the baseline ("raise CSAT by 5 points":
        ``change=5``), so ``target = baseline + change``. The baseline is one
        period's estimate, itself uncertain; its value is in the table.
    by : period label or date, optional
        The goal period ("2025-03") or a date inside it; it must come after the last
        observed period.
    within : int, optional
        Instead of ``by``: the goal period is this many periods after the last observed
        period ("+5 points within 3 periods"), so the goal moves with the data.
    forecast_table : DataFrame, optional
        A :func:`forecast` table that reaches the goal period; made when not given.
    conf : float
        Coverage of the forecast's interval shown (the probability does not depend on it).
    direction : {"at_least", "at_most"}
        Whether the goal is to reach at least or at most the target (a CES goal on
        an effort scale where lower is better would be "at_most").
    baseline : period label, optional
        The period ``change`` starts from; the last observed period by default.
    thresholds : (float, float)
        Probability limits of "off track" / "on track".
    **forecast_options
        Passed to :func:`forecast` (``seasonal``, ``damped``, ``period_length``).

    Examples
    --------
    >>> months = pd.period_range("2024-01", periods=12, freq="M")
    >>> table = pd.DataFrame({"period": months, "n": 500, "metric": "csat",
    ...                       "estimate": 75 + np.tile([1.0, -1.0, 0.5, -0.5], 3)})
    >>> goal_status(table, target=60, by="2025-03").status
    'on track'
    >>> result = goal_status(table, change=15, by="2025-03")
    >>> result.status, float(result.table["target"].iloc[0])
    ('off track', 89.5)
    >>> str(goal_status(table, change=15, within=3).table["period"].iloc[0])
    '2025-03'
    """
    if direction not in ("at_least", "at_most"):
        raise ParameterError(f"direction must be 'at_least' or 'at_most'; got {direction!r}.")
    _check_thresholds(thresholds)
    frame = _series(series_table)
    last = frame.index[frame["observed"].to_numpy()][-1]
    goal = _goal_period(by, last, within)
    target, start, start_value = _target(frame, target, change, baseline)
    if forecast_table is None:
        forecast_table = forecast(series_table, horizon=int((goal - last).n), conf=conf,
                                  **forecast_options)
    row = _forecast_row(forecast_table, goal)
    probability = _probability(row, target, direction)
    return GoalResult(pd.DataFrame([{
        "period": goal, "target": target, "direction": direction, "baseline_period": start,
        "baseline": start_value, "change": np.nan if change is None else float(change),
        "forecast": row["forecast"], "pi_low": row["pi_low"], "pi_high": row["pi_high"],
        "conf": row["conf"], "probability": probability,
        "status": _status(probability, thresholds), "method": row["method"],
    }]))


@dataclass(frozen=True)
class GoalCheck:
    """A notebook's goal parameter, checked: the result, or why there is none.

    ``result`` is the :class:`GoalResult` (``None`` when skipped); ``sentence`` is its
    summary or the reason it was skipped; ``skipped`` says which.
    """

    result: GoalResult | None
    sentence: str

    @property
    def skipped(self) -> bool:
        return self.result is None

    def summary(self) -> str:
        return self.sentence

    def _repr_html_(self) -> str:
        return self.result._repr_html_() if self.result is not None else \
            result_html(self.sentence, None)


_GOAL_KEYS = {"target", "change", "by", "within", "direction", "baseline"}


def goal_from_parameter(series_table: pd.DataFrame, goal: dict | None, *,
                        forecast_table: pd.DataFrame | None = None, conf: float = 0.95,
                        **forecast_options) -> GoalCheck:
    """Check a notebook's ``goal`` parameter against a series, without failing on the data.

    ``goal`` is ``{"change": 5, "within": 3}`` (relative: 5 points up, 3 periods after
    the last observed one), ``{"target": 80, "within": 3}``, or dated with ``"by":
    "2025-03"`` instead of ``within``; ``direction`` and ``baseline`` are passed on.
    An empty goal (``{}`` or ``None``) means no goal; a dated goal that is not after
    the last observed period is skipped with a sentence saying so (the data have moved
    past it), as is a series too short to forecast.

    Raises
    ------
    ParameterError
        Unknown keys, or a goal that is not a target or change with one of by/within.

    Examples
    --------
    >>> months = pd.period_range("2025-01", periods=12, freq="M")
    >>> table = pd.DataFrame({"period": months, "n": 500, "metric": "csat",
    ...                       "estimate": 75 + np.tile([1.0, -1.0, 0.5, -0.5], 3)})
    >>> goal_from_parameter(table, {"change": 5, "by": "2025-06"}).sentence
    "Goal skipped: its date '2025-06' (2025-06) is not after the last observed period (2025-12); give a later 'by', or use 'within' (periods after the last one)."
    >>> goal_from_parameter(table, {}).sentence
    'No goal set (parameter goal is empty).'
    >>> str(goal_from_parameter(table, {"change": 5, "within": 3}).result.table["period"][0])
    '2026-03'
    """
    if not goal:
        return GoalCheck(None, "No goal set (parameter goal is empty).")
    unknown = sorted(set(goal) - _GOAL_KEYS)
    if unknown:
        raise ParameterError(
            f"Unknown key(s) {show_values(unknown)} in goal; use 'target' or 'change', with "
            "'within' (periods after the last observed one) or 'by' (a date), e.g. "
            "{'change': 5, 'within': 3}."
        )
    frame = _series(series_table)
    observed = frame.index[frame["observed"].to_numpy()]
    if len(observed) and goal.get("by") is not None and goal.get("within") is None:
        try:
            when = period_of(goal["by"], observed[-1].freqstr[0], how="end")
        except (ValueError, TypeError):
            when = None  # goal_status says what is wrong with it
        if when is not None and when <= observed[-1]:
            return GoalCheck(None, (
                f"Goal skipped: its date {goal['by']!r} ({when}) is not after the last observed "
                f"period ({observed[-1]}); give a later 'by', or use 'within' (periods after the "
                "last one)."))
    try:
        result = goal_status(series_table, forecast_table=forecast_table, conf=conf, **goal,
                             **forecast_options)
    except DataError as reason:
        return GoalCheck(None, f"Goal skipped: {reason}")
    return GoalCheck(result, result.summary())


def _check_thresholds(thresholds) -> None:
    low, high = thresholds
    if not 0 <= low <= high <= 1:
        raise ParameterError(
            "thresholds must be two probabilities (off track below, on track from), "
            f"low <= high; got {thresholds!r}."
        )


def _goal_period(by, last: pd.Period, within=None) -> pd.Period:
    if (by is None) == (within is None):
        raise ParameterError(
            "Give either by= (a goal date or period, e.g. '2025-03') or within= (a number of "
            f"periods after the last observed one, e.g. 3), not both; got by={by!r}, within={within!r}."
        )
    if within is not None:
        if isinstance(within, bool) or not isinstance(within, (int, np.integer)) or within < 1:
            raise ParameterError(
                f"within must be a whole number of periods, 1 or more; got {within!r}."
            )
        return last + int(within)
    try:  # "by 2025Q1" on a monthly series means by 2025-03, the end of the quarter
        goal = period_of(by, last.freqstr[0], how="end")
    except (ValueError, TypeError) as error:
        raise ParameterError(f"by={by!r} is not a date or period such as '2025-03': {error}.") from None
    if goal <= last:
        raise ParameterError(
            f"The goal date {by!r} ({goal}) is not after the last observed period ({last}): "
            "a goal in the past is checked against the data, not forecast. Give a later date."
        )
    return goal


def _target(frame: pd.DataFrame, target, change, baseline) -> tuple[float, object, float]:
    """The target value, and the baseline period and value of a ``change`` goal."""
    if (target is None) == (change is None):
        raise ParameterError(
            "Give either target= (a value) or change= (a change from the baseline), not both."
        )
    if target is not None:
        return float(target), None, np.nan
    observed = frame[frame["observed"]]
    start = observed.index[-1] if baseline is None else pd.Period(baseline, freq=frame.index.freq)
    if start not in observed.index:
        raise ParameterError(
            f"The baseline period {start} has no answers; choose one of "
            f"{show_values(observed.index.astype(str).tolist()[::-1])}."
        )
    value = float(observed.loc[start, "estimate"])
    return value + float(change), start, value


def _forecast_row(forecast_table: pd.DataFrame, goal: pd.Period) -> pd.Series:
    require_columns(forecast_table, ["period", "forecast", "pi_low", "pi_high", "conf"],
                    "The forecast table needs {missing}; found {found}. Pass the output of forecast().")
    periods = _as_periods(forecast_table["period"])
    if goal not in periods:
        raise ParameterError(
            f"The forecast table does not reach the goal period {goal} (it covers "
            f"{periods.min()}..{periods.max()}). Forecast with a longer horizon."
        )
    row = forecast_table.iloc[int(np.flatnonzero(periods == goal)[0])].copy()
    if "method" not in row.index:
        row["method"] = "forecast table given"
    return row


def _probability(row: pd.Series, target: float, direction: str) -> float:
    half = max(row["pi_high"] - row["forecast"], row["forecast"] - row["pi_low"])
    sd = half / stats.z_value(float(row["conf"]))
    if sd <= 0:
        reached = row["forecast"] >= target if direction == "at_least" else row["forecast"] <= target
        return float(reached)
    above = float(_st.norm.sf(target, loc=row["forecast"], scale=sd))
    return above if direction == "at_least" else 1.0 - above


def _status(probability: float, thresholds: tuple[float, float]) -> str:
    if probability >= thresholds[1]:
        return "on track"
    return "off track" if probability < thresholds[0] else "at risk"
