"""Trends: metrics per period, real changes, control charts and trend tests.

Everything is computed counts-first (DESIGN.md, principle 1): the answers are tallied
once per (segment, period, score), turned into the additive sums of
:func:`csat_toolkit.metrics.moments` (``n``, ``w``, ``w2``, ``w_pos``, ``w_neg``,
``w_s``, ``w_s2``), and every statistic below is a function of those sums.

- :func:`period_series`: the metric in every calendar period between the first and the
  last (empty periods shown with ``n = 0``, never interpolated), with rolling windows
  pooled from the sums (never averages of estimates).
- :func:`period_changes` and :func:`describe_changes`: each period against the previous
  one or the same period a year before, with the metric's own two-sample test (the
  tests of :func:`csat_toolkit.comparisons.compare`), corrected across the periods.
- :func:`control_chart`: p-chart (shares), NPS chart, X-bar chart (means), limits that
  vary with each period's n, and the Western Electric rules in
  :data:`WESTERN_ELECTRIC_RULES`.
- :func:`trend_test` and :func:`trend_test_table`: Mann-Kendall test with Sen's slope
  and its rank-based confidence interval.

References
----------
- Montgomery, D. C. (2009). Introduction to Statistical Quality Control, 6th ed.,
  Wiley: p-chart with variable sample size (7.2.2), X-bar chart, zone rules (5.3.6).
- Western Electric (1956). Statistical Quality Control Handbook.
- Mann, H. B. (1945). Nonparametric tests against trend. Econometrica 13, 245-259;
  Kendall, M. G. (1975). Rank Correlation Methods, 4th ed., Griffin.
- Sen, P. K. (1968). Estimates of the regression coefficient based on Kendall's tau.
  JASA 63, 1379-1389; Gilbert, R. O. (1987). Statistical Methods for Environmental
  Pollution Monitoring, Van Nostrand Reinhold, section 16.5 (the slope interval).
- Hussain, M. and Mahmud, I. (2019). pyMannKendall. JOSS 4(39), 1556 (the tests
  reproduce its published values).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from scipy import stats as _st

from .. import errors

from ..core import stats
from ..core.comparisons import compare_sums
from ..core.display import result_html
from ..errors import DataError, ParameterError, show_values
from ..core.metrics import (
    SUMS, estimates_from_moments, table_from_sums, get_metric, group_sums, mean_sd, select_survey,
)
from ..core.scales import Scale, get_scale
from ..core.tally import as_keys, period_code, period_of
from ..core.text import PERIOD_NAMES, describe_comparison, format_p, format_value

__all__ = [
    "period_series",
    "period_changes",
    "describe_changes",
    "describe_control_chart",
    "control_chart",
    "WESTERN_ELECTRIC_RULES",
    "trend_test",
    "trend_test_table",
    "TrendResult",
    "MIN_TREND_PERIODS",
    "western_electric",
]

KINDS = {"pop": "period over period", "yoy": "year over year"}

#: The run rules :func:`control_chart` applies (a subset of the Western Electric rules,
#: which are Nelson's rules 1, 5, 6 and 2). Sigma is each period's own sigma.
WESTERN_ELECTRIC_RULES = {
    "1": "one point beyond a control limit (conf_sigma, default 3 sigma)",
    "2": "2 of 3 consecutive points beyond 2 sigma on the same side",
    "3": "4 of 5 consecutive points beyond 1 sigma on the same side",
    "4": "8 consecutive points on the same side of the centre line",
}

#: Fewest periods with data for the Mann-Kendall normal approximation (Gilbert 1987
#: recommends n >= 10; with fewer the exact distribution would be needed).
MIN_TREND_PERIODS = 10

#: A date or period: "2024-03", "2024-03-15", a Timestamp or a Period.
PeriodLike = str | pd.Timestamp | pd.Period

# Same period a year before: a lag in periods (days go by the calendar date).
_YEAR_LAGS = {"W": 52, "M": 12, "Q": 4, "Y": 1}


# --- shared preparation -------------------------------------------------------------


def _period_sums(data: pd.DataFrame, metric: str, scale, keys: list[str], period: str,
                 weight: str | None, start=None, end=None) -> tuple:
    """The metric's spec, its scale and the sums of every (segment, calendar period).

    Validation (scale, scores, columns) is :func:`csat_toolkit.metrics.group_sums`';
    the dates are checked here: every answer must fall in a period.
    """
    spec = get_metric(metric)
    code = period_code(period)
    _check_dates(data, spec.survey)
    sums = group_sums(data, metric, by=keys or None, period=code, scale=scale, weight=weight)
    scale = get_scale(scale, survey=spec.survey)
    return spec, scale, _fill_calendar(sums, keys, code, start, end)


def _check_dates(data: pd.DataFrame, survey: str) -> None:
    errors.require_columns(
        data, ["responded_at"],
        "Trends need dates, but column {missing} is not there (found {found}). Map the "
        "column holding the answer dates to 'responded_at' when loading.",
    )
    undated = pd.to_datetime(select_survey(data, survey)["responded_at"]).isna()
    if undated.any():
        raise DataError(
            f"{int(undated.sum())} answer(s) have no date in 'responded_at', so they belong "
            "to no period. Load the data with csat_toolkit.load_responses (which sets such "
            "rows aside with a reason) or drop them first."
        )


def _freq_code(periods: pd.Series) -> str:
    """'D', 'W', 'M', 'Q' or 'Y' from a Period column."""
    return periods.dtype.freq.rule_code[0]


def _as_period(value, code: str, name: str, how: str = "start") -> pd.Period | None:
    """A date or period such as '2024-03' or '2024Q1' as a period of ``code``; an end
    (``how="end"``) covers the whole of a coarser period ("2024" ends at 2024-12)."""
    if value is None:
        return None
    if not isinstance(value, pd.Period) and pd.isna(value):
        raise ParameterError(f"{name} is missing (NaT); give a date such as '2024-03'.")
    try:
        return period_of(value, code, how=how)
    except (TypeError, ValueError) as exc:
        raise ParameterError(
            f"{name}={value!r} is not a date or a period; give one like '2024-03' or "
            "'2024-03-15'."
        ) from exc


def _calendar(observed: pd.Series, code: str, start, end) -> pd.PeriodIndex:
    """Every period from start (or the first with answers) to end (or the last)."""
    first = observed.min() if start is None else _as_period(start, code, "start")
    last = observed.max() if end is None else _as_period(end, code, "end", how="end")
    if first > last:
        raise ParameterError(
            f"start ({first}) is after end ({last}); the answers cover {observed.min()} to "
            f"{observed.max()}. Give a start before the end."
        )
    return pd.period_range(first, last, freq=observed.dtype.freq)


def _fill_calendar(sums: pd.DataFrame, keys: list[str], code: str, start, end) -> pd.DataFrame:
    """Moment sums for every (segment, calendar period), zeros where nobody answered.

    Rows are ordered segment by segment, each segment's periods in calendar order.
    """
    calendar = _calendar(sums["period"], code, start, end)
    inside = sums["period"].isin(calendar)
    if not inside.any():
        raise DataError(
            f"No answers between {calendar[0]} and {calendar[-1]}; the data covers "
            f"{sums['period'].min()} to {sums['period'].max()}. Widen start/end."
        )
    grid = pd.DataFrame({"period": calendar})
    if keys:
        grid = sums.loc[inside, keys].drop_duplicates().merge(grid, how="cross")
    full = grid.merge(sums[inside], on=keys + ["period"], how="left")
    full[SUMS] = full[SUMS].fillna(0)
    return full.astype({"n": int, "n_excluded": int})


# --- 1. period series -----------------------------------------------------------------


def period_series(
    data: pd.DataFrame,
    metric: str = "csat",
    *,
    period: str = "M",
    by: str | Sequence[str] | None = None,
    window: int | None = None,
    scale: str | Scale | None = None,
    conf: float = 0.95,
    min_n: int = 30,
    weight: str | None = None,
    start: PeriodLike | None = None,
    end: PeriodLike | None = None,
) -> pd.DataFrame:
    """The metric in every calendar period, with intervals and optional rolling windows.

    Every period between the first and the last answer (or ``start``/``end``) is a row,
    in every segment: periods without answers have ``n = 0``, ``empty = True`` and a NaN
    estimate (never interpolated); periods below ``min_n`` are flagged ``small_n``.

    Parameters
    ----------
    data : DataFrame
        Canonical responses (from :func:`csat_toolkit.load_responses`), with
        ``responded_at``.
    metric : {"csat", "csat_mean", "nps", "ces", "ces_easy", "pmf"}
    period : {"D", "W", "M", "Q", "Y"}
        Calendar period (weeks run Monday to Sunday).
    by : str or list of str, optional
        Segment columns; every segment gets the same calendar.
    window : int, optional
        Also pool each period with the ``window - 1`` periods before it: the moment sums
        of the window are added and the estimate and interval computed from the pooled
        sums (never by averaging estimates). Adds ``rolling_window``, ``rolling_start``,
        ``rolling_n`` (``rolling_n_eff`` when weighted), ``rolling_estimate``,
        ``rolling_ci_low``, ``rolling_ci_high`` and ``rolling_small_n``. The first
        ``window - 1`` periods have no complete window: NaN, and ``rolling_small_n``.
    scale, conf, min_n, weight
        As in :func:`csat_toolkit.metrics.metric_table`.
    start, end : date, period or str, optional
        First and last period shown (whole periods; answers outside are left out).

    Returns
    -------
    DataFrame
        The columns of :func:`csat_toolkit.metrics.metric_table` (segment keys,
        ``period``, ``metric``, ``n``, ``estimate``, ``ci_low``, ``ci_high``, ``conf``,
        ``method``, ``small_n`` ...), plus ``empty`` and the rolling columns.

    Examples
    --------
    >>> df = pd.DataFrame({"responded_at": pd.to_datetime(["2024-01-10"] * 4 + ["2024-03-05"] * 4),
    ...                    "score": [5, 5, 4, 1, 5, 2, 2, 1]})
    >>> t = period_series(df, "csat", min_n=1, window=3)
    >>> t["period"].astype(str).tolist(), t["n"].tolist(), t["estimate"].tolist()
    (['2024-01', '2024-02', '2024-03'], [4, 0, 4], [75.0, nan, 25.0])
    >>> t["rolling_n"].tolist(), t["rolling_estimate"].tolist()
    ([nan, nan, 8.0], [nan, nan, 50.0])
    """
    keys = as_keys(by)
    spec, scale, sums = _period_sums(data, metric, scale, keys, period, weight, start, end)
    table = table_from_sums(sums, keys + ["period"], metric, scale, conf=conf, min_n=min_n,
                            weight=weight)
    table.insert(table.columns.get_loc("n") + 1, "empty", table["n"] == 0)
    if window is not None:
        rolling = _rolling(sums, window, spec.statistic, conf, min_n, weight is not None)
        table = pd.concat([table, rolling], axis=1)
    return table


def _rolling(sums: pd.DataFrame, window: int, statistic: str, conf: float, min_n: int,
             weighted: bool) -> pd.DataFrame:
    """Estimates of the pooled sums over each run of ``window`` calendar periods."""
    n_periods = sums["period"].nunique()
    if not isinstance(window, (int, np.integer)) or isinstance(window, bool) or window < 1:
        raise ParameterError(
            f"window must be a whole number of periods (1 or more); got {window!r}."
        )
    if window > n_periods:
        raise ParameterError(
            f"window={window} needs at least {window} periods; the series has {n_periods}. "
            "Use a shorter window or a finer period."
        )
    values = sums[SUMS].to_numpy(dtype=float).reshape(-1, n_periods, len(SUMS))
    pooled = np.full_like(values, np.nan)
    pooled[:, window - 1:, :] = sliding_window_view(values, window, axis=1).sum(axis=-1)
    with_data = np.full(values.shape[:2], np.nan)
    with_data[:, window - 1:] = sliding_window_view(values[..., 0] > 0, window, axis=1).sum(axis=-1)
    # A window whose own period, or most of its periods, had no answers carries old
    # answers forward: that would be interpolation, so it gets no rolling value.
    carried = (values[..., 0] == 0) | (with_data < (window + 1) // 2)
    pooled[carried] = np.nan
    rolled = pd.DataFrame(pooled.reshape(-1, len(SUMS)), columns=SUMS, index=sums.index)
    est = estimates_from_moments(rolled, statistic, conf=conf, weighted=weighted)
    out = pd.DataFrame({"rolling_window": window,
                        "rolling_start": sums["period"] - (window - 1),
                        "rolling_periods": with_data.reshape(-1),
                        "rolling_n": rolled["n"]}, index=sums.index)
    effective = rolled["n"]
    if weighted:
        effective = est["n_eff"].where(rolled["n"].notna())
        out["rolling_n_eff"] = effective
    for column in ("estimate", "ci_low", "ci_high"):
        out[f"rolling_{column}"] = est[column]
    out["rolling_small_n"] = ~(effective >= min_n)
    return out


# --- 2. changes -----------------------------------------------------------------------


def period_changes(
    data: pd.DataFrame,
    metric: str = "csat",
    *,
    period: str = "M",
    kind: str = "pop",
    by: str | Sequence[str] | None = None,
    conf: float = 0.95,
    min_n: int = 30,
    correction: str = "holm",
    scale: str | Scale | None = None,
    weight: str | None = None,
) -> pd.DataFrame:
    """Each period against the previous one or the same period a year before.

    Every calendar period with a reference period inside the data's range is a row (in
    every segment). Each row uses the metric's own two-sample test, as
    :func:`csat_toolkit.comparisons.compare`: the two-proportion z test with Newcombe's
    interval (shares), the NPS difference z test (NPS), Welch's t test (means). p-values
    are adjusted across all rows shown; a row is ``significant`` only when the adjusted
    p-value is below ``1 - conf`` and neither period is below ``min_n``. Rows with an
    empty period have NaN tests and are never significant.

    Parameters
    ----------
    kind : {"pop", "yoy"}
        ``pop``: against the previous period. ``yoy``: against the same period a year
        before (12 months, 4 quarters, 52 weeks, the same calendar date for days).
    correction : {"holm", "bh", "none"}
        Multiple-testing adjustment across the rows.
    metric, period, by, conf, min_n, scale, weight
        As in :func:`period_series`.

    Returns
    -------
    DataFrame
        Segment keys, ``period``, ``reference``, ``kind``, then the columns of
        :func:`csat_toolkit.comparisons.compare`: ``n``, ``estimate``, ``ref_n``,
        ``ref_estimate``, ``difference`` (period minus reference), ``ci_low``,
        ``ci_high``, ``statistic``, ``p_value``, ``p_adjusted``, ``significant``,
        ``small_n``, ``conf``, ``test``, ``correction``, ``metric``.

    Examples
    --------
    >>> df = pd.DataFrame({"responded_at": pd.to_datetime(["2024-01-15"] * 100 + ["2024-02-15"] * 100),
    ...                    "score": [5] * 80 + [1] * 20 + [5] * 50 + [1] * 50})
    >>> r = period_changes(df, "csat")
    >>> str(r.loc[0, "period"]), str(r.loc[0, "reference"]), round(float(r.loc[0, "difference"]), 1)
    ('2024-02', '2024-01', -30.0)
    >>> bool(r.loc[0, "significant"]), r.loc[0, "test"]
    (True, 'two-proportion z test; Newcombe interval')
    """
    if kind not in KINDS:
        raise ParameterError(
            f"Unknown kind {kind!r}; use 'pop' (each period against the previous one) or "
            "'yoy' (against the same period a year before)."
        )
    stats.adjust_pvalues([], correction)  # an unknown correction fails before the work
    keys = as_keys(by)
    _, _, sums = _period_sums(data, metric, scale, keys, period, weight)
    pairs = _pairs(sums, keys, kind)
    result = pairs[keys + ["period", "reference"]].copy()
    result["kind"] = kind
    second = pairs[[f"{c}_ref" for c in SUMS]].set_axis(SUMS, axis=1)
    return compare_sums(result, pairs[SUMS], second, metric, conf, min_n, correction)


def _reference_periods(periods: pd.Series, kind: str) -> pd.Series:
    code = _freq_code(periods)
    if kind == "pop":
        return periods - 1
    if code == "D":
        return (periods.dt.start_time - pd.DateOffset(years=1)).dt.to_period("D")
    return periods - _YEAR_LAGS[code]


def _pairs(sums: pd.DataFrame, keys: list[str], kind: str) -> pd.DataFrame:
    """Each (segment, period) row with the sums of its reference period (``*_ref``)."""
    current = sums.assign(reference=_reference_periods(sums["period"], kind))
    first = sums["period"].min()
    current = current[current["reference"] >= first]
    if current.empty:
        unit = PERIOD_NAMES[_freq_code(sums["period"])]
        raise DataError(
            f"No {KINDS[kind]} change can be computed: the data covers {first} to "
            f"{sums['period'].max()} and no {unit} has a reference {unit} inside that range. "
            + ("Year-over-year changes need more than a year of data; use kind='pop'."
               if kind == "yoy" else "Period-over-period changes need two periods or more.")
        )
    refs = sums[keys + ["period"] + SUMS].rename(
        columns={"period": "reference", **{c: f"{c}_ref" for c in SUMS}}
    )
    pairs = current.merge(refs, on=keys + ["reference"], how="left", validate="many_to_one")
    ref_columns = [f"{c}_ref" for c in SUMS]
    pairs[ref_columns] = pairs[ref_columns].fillna(0)
    return pairs.reset_index(drop=True)


def describe_changes(table: pd.DataFrame) -> pd.Series:
    """One sentence per row of :func:`period_changes`.

    A change is called up or down only when its row is ``significant`` (corrected test,
    both periods large enough); otherwise the sentence says the periods cannot be told
    apart, that there are too few answers, or that a period has none.

    Returns
    -------
    Series of str, aligned with the table's rows (``table.assign(sentence=...)``).

    Examples
    --------
    >>> df = pd.DataFrame({"responded_at": pd.to_datetime(["2024-01-15"] * 100 + ["2024-02-15"] * 100),
    ...                    "score": [5] * 80 + [1] * 20 + [5] * 50 + [1] * 50})
    >>> describe_changes(period_changes(df, "csat")).iloc[0]  # doctest: +ELLIPSIS
    '2024-02: CSAT (% satisfied) 50.0% is 30.0 points below 2024-01 (80.0%; difference ... CI -41.7 to -16.9, Holm-adjusted p < 0.001).'
    """
    errors.require_columns(
        table, ["period", "reference", "n", "ref_n", "significant"],
        "describe_changes needs a table from period_changes; column(s) {missing} are "
        "missing (found {found}).",
    )
    keys = list(table.columns[: table.columns.get_loc("period")])
    sentences = [_describe_change(row, keys) for _, row in table.iterrows()]
    return pd.Series(sentences, index=table.index, name="sentence", dtype=object)


def _describe_change(row: pd.Series, keys: list[str]) -> str:
    segment = ", ".join(f"{k} = {'(missing)' if pd.isna(row[k]) else row[k]}" for k in keys)
    who = f"{row['period']}" + (f" ({segment})" if segment else "")
    empty = [str(row[p]) for p, n in (("period", "n"), ("reference", "ref_n")) if row[n] == 0]
    if empty:
        return f"{who}: no answers in {' and '.join(empty)}, so no change can be measured."
    labelled = row.copy()
    labelled["period"] = who
    return describe_comparison(labelled)


# --- 3. control charts ----------------------------------------------------------------


def control_chart(
    data: pd.DataFrame,
    metric: str = "csat",
    *,
    period: str = "M",
    conf_sigma: float = 3.0,
    rules: Sequence[str] = ("1", "2", "3", "4"),
    scale: str | Scale | None = None,
    min_n: int = 30,
    baseline: tuple[PeriodLike | None, PeriodLike | None] | None = None,
    weight: str | None = None,
    start: PeriodLike | None = None,
    end: PeriodLike | None = None,
) -> pd.DataFrame:
    """Control chart of the metric per period, with limits that vary with each n.

    - shares (CSAT, % easy, PMF): p-chart. Centre ``p̄`` = pooled share of the baseline
      periods; ``sigma_i = sqrt(p̄ (1 - p̄) / n_i)``; limits clipped to 0..100%.
    - NPS: centre = pooled NPS of the baseline; ``sigma_i = sqrt(v̄ / n_i)`` with the
      per-respondent variance ``v̄ = p̄P + p̄D - (p̄P - p̄D)^2``; clipped to -100..100.
    - means (CSAT mean, CES): X-bar chart. Centre = pooled mean of the baseline;
      ``sigma_i = s / sqrt(n_i)`` with ``s`` the pooled within-period standard
      deviation ``sqrt(sum (n_i - 1) s_i^2 / sum (n_i - 1))``; clipped to the scale.

    Limits are ``centre ± conf_sigma * sigma_i`` (``n_i`` is Kish's effective n when
    weighted). ``z = (estimate - centre) / sigma_i`` places each point in a zone
    (``C`` within 1 sigma, ``B`` 1-2, ``A`` 2 to the limit, ``outside``). The rules of
    :data:`WESTERN_ELECTRIC_RULES` are applied to the periods with at least ``min_n``
    answers, in order (empty and small periods are skipped, never flagged); a point is
    flagged when it completes a pattern, and for rules 2 and 3 only when it is itself
    beyond the zone (so a point near the centre is never flagged by them).

    Parameters
    ----------
    conf_sigma : float
        Width of the control limits in sigmas (rule 1).
    rules : sequence of {"1", "2", "3", "4"}
        Which rules to apply.
    baseline : (start, end), optional
        Periods that define the centre line and the spread (either end may be None);
        default all. Use a stable stretch to judge later periods against it.
    metric, period, scale, min_n, weight, start, end
        As in :func:`period_series`.

    Returns
    -------
    DataFrame
        ``period``, ``n`` (``n_eff`` when weighted), ``estimate``, ``centre``, ``lcl``,
        ``ucl``, ``sigma``, ``z``, ``zone``, ``small_n``, ``in_baseline``,
        ``out_of_control``, ``rules_broken`` (e.g. ``"1; 4"``, empty when none),
        ``direction`` (``"above"``/``"below"`` for out-of-control points), ``chart``,
        ``metric``.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "responded_at": pd.to_datetime(["2024-01-15"] * 100 + ["2024-02-15"] * 100
    ...                                    + ["2024-03-15"] * 100),
    ...     "score": [5] * 80 + [1] * 20 + [5] * 78 + [1] * 22 + [5] * 50 + [1] * 50})
    >>> c = control_chart(df, "csat", baseline=("2024-01", "2024-02"))
    >>> round(float(c.loc[0, "centre"]), 1), round(float(c.loc[0, "ucl"]), 1)
    (79.0, 91.2)
    >>> bool(c.loc[2, "out_of_control"]), c.loc[2, "rules_broken"], c.loc[2, "direction"]
    (True, '1', 'below')
    """
    rules = _check_rules(rules)
    if not conf_sigma > 0:
        raise ParameterError(
            f"conf_sigma must be a positive number of sigmas (3 is usual); got {conf_sigma!r}."
        )
    spec, scale, sums = _period_sums(data, metric, scale, [], period, weight, start, end)
    in_base = _baseline_mask(sums["period"], baseline)
    n_eff = _effective_n(sums)
    centre, unit_sd, bounds = _centre_and_spread(sums[in_base.to_numpy()], spec.statistic, scale)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.where(n_eff > 0, unit_sd / np.sqrt(n_eff), np.nan)
    estimate = estimates_from_moments(sums, spec.statistic)["estimate"].to_numpy()
    chart = pd.DataFrame({"period": sums["period"], "n": sums["n"]})
    if weight is not None:
        chart["n_eff"] = n_eff
    chart["estimate"], chart["centre"] = estimate, centre
    chart["lcl"] = np.clip(centre - conf_sigma * sigma, *bounds)
    chart["ucl"] = np.clip(centre + conf_sigma * sigma, *bounds)
    chart["sigma"] = sigma
    return _flag(chart, n_eff >= min_n, in_base, conf_sigma, rules, spec.statistic, metric)


def _check_rules(rules) -> list[str]:
    rules = [str(r) for r in ([rules] if isinstance(rules, (str, int)) else rules)]
    unknown = [r for r in rules if r not in WESTERN_ELECTRIC_RULES]
    if unknown:
        raise ParameterError(
            f"Unknown control-chart rule(s) {show_values(unknown)}; use any of "
            + "; ".join(f"'{k}': {v}" for k, v in WESTERN_ELECTRIC_RULES.items()) + "."
        )
    return sorted(set(rules))


def _baseline_mask(periods: pd.Series, baseline) -> pd.Series:
    if baseline is None:
        return pd.Series(True, index=periods.index)
    if not isinstance(baseline, (tuple, list)) or len(baseline) != 2:
        raise ParameterError(
            f"baseline must be a pair (start, end), e.g. ('2023-01', '2023-12'); got {baseline!r}."
        )
    code = _freq_code(periods)
    first, last = (_as_period(v, code, "baseline", how=how)
                   for v, how in zip(baseline, ("start", "end")))
    mask = pd.Series(True, index=periods.index)
    if first is not None:
        mask &= periods >= first
    if last is not None:
        mask &= periods <= last
    return mask


def _effective_n(sums: pd.DataFrame) -> np.ndarray:
    w, w2 = sums["w"].to_numpy(dtype=float), sums["w2"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(w2 > 0, w**2 / w2, 0.0)


def _centre_and_spread(base: pd.DataFrame, statistic: str, scale: Scale):
    """Centre line, per-answer standard deviation and clipping bounds of a chart."""
    total = base[SUMS].sum()
    if total["w"] <= 0:
        raise DataError(
            "The baseline periods have no answers, so there is no centre line. Choose a "
            "baseline (start, end) that covers periods with answers."
        )
    p_pos, p_neg = total["w_pos"] / total["w"], total["w_neg"] / total["w"]
    if statistic == "share":
        return 100 * p_pos, 100 * np.sqrt(p_pos * (1 - p_pos)), (0.0, 100.0)
    if statistic == "nps":
        variance = stats.nps_variance(p_pos, p_neg)
        return 100 * (p_pos - p_neg), 100 * np.sqrt(variance), (-100.0, 100.0)
    return total["w_s"] / total["w"], _pooled_sd(base), (scale.low, scale.high)


def _pooled_sd(base: pd.DataFrame) -> float:
    """Pooled within-period sd: sqrt(sum (n_i - 1) s_i^2 / sum (n_i - 1))."""
    n_eff = _effective_n(base)
    _, sd = mean_sd(base, n_eff)
    used = n_eff > 1
    if not used.any():
        raise DataError(
            "No baseline period has two or more answers, so the spread within periods "
            "cannot be estimated. Use a longer period (for example 'M' instead of 'D')."
        )
    return float(np.sqrt(np.sum((n_eff[used] - 1) * sd[used] ** 2) / np.sum(n_eff[used] - 1)))


def _flag(chart, large, in_base, conf_sigma, rules, statistic, metric) -> pd.DataFrame:
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (chart["estimate"].to_numpy() - chart["centre"].to_numpy()) / chart["sigma"].to_numpy()
    z = np.where((chart["sigma"] == 0) & (chart["estimate"] == chart["centre"]), 0.0, z)
    chart["z"] = z
    chart["zone"] = _zones(z, conf_sigma)
    chart["small_n"] = ~large
    chart["in_baseline"] = in_base.to_numpy()
    usable = large & ~np.isnan(z)
    broken = western_electric(z[usable], rules=rules, conf_sigma=conf_sigma)
    labels = np.full(len(chart), "", dtype=object)
    labels[usable] = broken
    chart["out_of_control"] = labels != ""
    chart["rules_broken"] = labels
    chart["direction"] = np.where(chart["out_of_control"], np.where(z > 0, "above", "below"), None)
    chart["chart"] = {"share": "p chart", "nps": "NPS chart", "mean": "X-bar chart"}[statistic]
    chart["metric"] = metric
    return chart


def _zones(z: np.ndarray, conf_sigma: float) -> np.ndarray:
    size = np.abs(z)
    zone = np.select([size > conf_sigma, size > 2, size > 1, size >= 0],
                     ["outside", "A", "B", "C"], default="")
    return np.where(np.isnan(z), None, zone).astype(object)


def describe_control_chart(chart: pd.DataFrame, *, limit: int | None = None) -> list[str]:
    """Sentences for the out-of-control periods of :func:`control_chart`, strongest first.

    Examples
    --------
    >>> chart = pd.DataFrame({"period": ["2024-03"], "metric": ["csat"], "estimate": [62.1],
    ...     "out_of_control": [True], "direction": ["below"], "rules_broken": ["1"], "z": [-7.9]})
    >>> describe_control_chart(chart)
    ['2024-03: CSAT (% satisfied) 62.1% is below the control limits (rule 1; z = -7.9).']
    """
    flagged = chart[chart["out_of_control"]]
    if flagged.empty:
        return ["Every period is within the control limits."]
    flagged = flagged.loc[flagged["z"].abs().sort_values(ascending=False).index]
    spec = get_metric(flagged["metric"].iloc[0])
    sentences = [
        f"{r['period']}: {spec.label} {format_value(r['estimate'], spec.statistic)} is "
        f"{r['direction']} the control limits (rule {str(r['rules_broken']).replace(';', ',')}; "
        f"z = {r['z']:.1f})." for _, r in flagged.iterrows()
    ]
    return sentences[:limit] if limit else sentences


def western_electric(z, *, rules: Sequence[str] = ("1", "2", "3", "4"),
                     conf_sigma: float = 3.0) -> np.ndarray:
    """Western Electric rules on a sequence of standardised points.

    Parameters
    ----------
    z : array of float
        ``(estimate - centre) / sigma`` of consecutive points, in order.
    rules, conf_sigma
        As in :func:`control_chart`.

    Returns
    -------
    array of str
        The rules each point breaks, as ``"1; 4"`` ("" when none).

    Examples
    --------
    >>> western_electric([0.5, 2.5, 2.2, -3.5]).tolist()
    ['', '', '2', '1']
    """
    z = np.asarray(z, dtype=float)
    checks = {
        "1": lambda: np.abs(z) > conf_sigma,
        "2": lambda: _k_of_m(z, threshold=2.0, k=2, m=3),
        "3": lambda: _k_of_m(z, threshold=1.0, k=4, m=5),
        "4": lambda: _same_side_run(z, run=8),
    }
    hits = {rule: checks[rule]() for rule in _check_rules(rules)}
    return np.array(["; ".join(r for r in hits if hits[r][i]) for i in range(len(z))], dtype=object)


def _k_of_m(z: np.ndarray, *, threshold: float, k: int, m: int) -> np.ndarray:
    """Points beyond ``threshold`` that make k of the last m beyond it on their side."""
    flagged = np.zeros(len(z), dtype=bool)
    for side in (1, -1):
        beyond = side * z > threshold
        recent = np.convolve(beyond.astype(int), np.ones(m, dtype=int))[: len(z)]
        flagged |= beyond & (recent >= k)
    return flagged


def _same_side_run(z: np.ndarray, *, run: int) -> np.ndarray:
    """Points that end a run of ``run`` or more consecutive points on one side."""
    flagged = np.zeros(len(z), dtype=bool)
    for side in (1, -1):
        length = 0
        for i, value in enumerate(side * z > 0):
            length = length + 1 if value else 0
            flagged[i] |= length >= run
    return flagged


# --- 4. trend tests -------------------------------------------------------------------


@dataclass(frozen=True)
class TrendResult:
    """Mann-Kendall test with Sen's slope (see :func:`trend_test`)."""

    method: str
    n: int
    n_missing: int
    s: float
    var_s: float
    z: float
    p_value: float
    tau: float
    slope: float
    intercept: float
    slope_ci_low: float
    slope_ci_high: float
    conf: float
    trend: str
    significant: bool

    @property
    def table(self) -> pd.DataFrame:
        """The result as a one-row tidy frame."""
        return pd.DataFrame([asdict(self)])

    def summary(self, unit: str = "period", label: str = "The series") -> str:
        """One sentence that calls a trend only when the test finds one."""
        slope = (f"Sen's slope {self.slope:+.3g} per {unit} ({self.conf:.0%} CI "
                 f"{self.slope_ci_low:+.3g} to {self.slope_ci_high:+.3g})")
        test = f"Mann-Kendall tau = {self.tau:.2f}, {format_p(self.p_value)}"
        skipped = f" ({self.n_missing} without data skipped)" if self.n_missing else ""
        span = f"{self.n} {unit}s{skipped}"
        if self.significant:
            return f"{label} shows {_a(self.trend)} trend over {span}: {slope}; {test}."
        return f"{label} shows no monotonic trend over {span} ({test}); {slope}."

    def _repr_html_(self) -> str:
        shown = ["n", "n_missing", "trend", "tau", "z", "p_value", "slope", "slope_ci_low",
                 "slope_ci_high", "significant", "conf", "method"]
        return result_html(self.summary(), self.table[shown])


def trend_test(series: Sequence[float] | np.ndarray | pd.Series, *, method: str = "mann_kendall", alpha: float = 0.05,
               min_periods: int = MIN_TREND_PERIODS, period_length: int = 12) -> TrendResult:
    """Mann-Kendall test for a monotonic trend, with Sen's slope and its interval.

    ``S = sum_{i<j} sign(x_j - x_i)``; ``Var(S) = [n(n-1)(2n+5) - sum t(t-1)(2t+5)] / 18``
    with ``t`` the sizes of groups of tied values; ``Z = (S - sign(S)) / sqrt(Var S)``
    (continuity correction), two-sided p-value from the normal distribution; Kendall's
    ``tau = S / (n(n-1)/2)`` (tau-a, as pyMannKendall). Sen's slope is the median of
    the pairwise slopes ``(x_j - x_i) / (j - i)`` with ``i, j`` the positions in the
    series, so a missing period keeps the spacing; its ``1 - alpha`` interval is
    rank-based (Sen 1968; Gilbert 1987, 16.5): with ``N`` slopes and
    ``C = z_{1-alpha/2} sqrt(Var S)``, the ``round((N - C)/2)``-th and
    ``round((N + C)/2) + 1``-th smallest slopes (as ``scipy.stats.theilslopes``). The
    intercept is ``median(x) - slope * median(position)`` (position 0 = first value).

    Parameters
    ----------
    series : array-like of float
        One value per consecutive, equally spaced period, oldest first; NaN for a
        period without data (skipped and counted in ``n_missing``).
    method : {"mann_kendall", "seasonal_kendall"}
        ``seasonal_kendall`` (Hirsch, Slack & Smith 1982) compares each season only with
        itself (January with January ...): S and Var(S) are summed over the seasons and
        Sen's slope is the median of the within-season slopes. Use it when the series
        is seasonal: the plain test reads seasonal swings and autocorrelation as trend.
    period_length : int
        Seasons per cycle for ``seasonal_kendall`` (12 for months, 4 for quarters).
    alpha : float
        Significance level of the test and ``1 - alpha`` is the slope interval's level.
    min_periods : int
        Fewest values with data (default 10; the normal approximation needs them).

    Returns
    -------
    TrendResult
        ``trend`` ("increasing", "decreasing", "no trend"), ``significant``, ``p_value``,
        ``z``, ``tau``, ``s``, ``var_s``, ``slope``, ``intercept``, ``slope_ci_low``,
        ``slope_ci_high``, ``n``, ``n_missing``; ``.table`` and ``.summary()``.

    Examples
    --------
    >>> r = trend_test([1, 2, 3, 2, 4, 5, float("nan"), 6, 8, 7, 9])
    >>> r.trend, r.n, r.n_missing, r.s, round(r.tau, 3), round(r.slope, 3)
    ('increasing', 10, 1, 40.0, 0.889, 0.778)
    >>> round(r.slope_ci_low, 3), round(r.slope_ci_high, 3)
    (0.6, 1.0)
    """
    if method not in ("mann_kendall", "seasonal_kendall"):
        raise ParameterError(
            f"Unknown trend test {method!r}; use 'mann_kendall' or 'seasonal_kendall'."
        )
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha must be between 0 and 1 (for example 0.05); got {alpha!r}.")
    position, values, n_missing = _clean_series(series)
    if len(values) < max(min_periods, 3):
        raise DataError(
            f"A trend test needs at least {max(min_periods, 3)} periods with data; got "
            f"{len(values)} ({n_missing} without data). Use a finer period (for example "
            "months instead of quarters) or wait for more periods."
        )
    if method == "seasonal_kendall":
        return _seasonal_kendall(position, values, n_missing, alpha, period_length)
    return _mann_kendall(position, values, n_missing, alpha)


def _kendall_parts(position, values) -> tuple[float, float, np.ndarray, int]:
    """S, its tie-corrected variance, the pairwise slopes and the number of pairs."""
    n = len(values)
    i, j = np.triu_indices(n, 1)
    s = float(np.sign(values[j] - values[i]).sum())
    _, ties = np.unique(values, return_counts=True)
    var_s = float((n * (n - 1) * (2 * n + 5) - np.sum(ties * (ties - 1) * (2 * ties + 5))) / 18)
    return s, var_s, (values[j] - values[i]) / (position[j] - position[i]), len(i)


def _seasonal_kendall(position, values, n_missing, alpha, period_length) -> TrendResult:
    season = position.astype(int) % period_length
    parts = [_kendall_parts(position[season == k], values[season == k])
             for k in np.unique(season) if (season == k).sum() >= 2]
    if not parts:
        raise DataError(
            f"A seasonal trend test needs each season twice; the series covers less than "
            f"two cycles of {period_length} periods."
        )
    s = sum(p[0] for p in parts)
    var_s = sum(p[1] for p in parts)
    slopes = np.sort(np.concatenate([p[2] for p in parts]))
    pairs = sum(p[3] for p in parts)
    z = (s - np.sign(s)) / np.sqrt(var_s) if var_s > 0 else 0.0
    crit = float(_st.norm.ppf(1 - alpha / 2))
    significant = bool(abs(z) > crit)
    slope = float(np.median(slopes))
    low, high = _slope_interval(slopes, crit * np.sqrt(var_s))
    return TrendResult(
        method=f"seasonal Kendall test ({period_length} seasons, Hirsch-Slack-Smith); "
               "seasonal Sen's slope",
        n=len(values), n_missing=n_missing, s=s, var_s=var_s, z=float(z),
        p_value=float(2 * _st.norm.sf(abs(z))), tau=s / pairs,
        slope=slope, intercept=float(np.median(values) - slope * np.median(position)),
        slope_ci_low=low, slope_ci_high=high, conf=1 - alpha,
        trend="no trend" if not significant else ("increasing" if z > 0 else "decreasing"),
        significant=significant,
    )


def _clean_series(series) -> tuple[np.ndarray, np.ndarray, int]:
    try:
        values = np.asarray(series, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParameterError(
            "The trend test needs numbers (one per period, NaN where a period has no data); "
            f"got values such as {show_values(list(series)[:20])}."
        ) from exc
    if values.ndim != 1:
        raise ParameterError(f"The trend test takes one series (1-d); got shape {values.shape}.")
    if np.isinf(values).any():
        raise DataError("The series holds infinite values; replace them with NaN or real numbers.")
    valid = ~np.isnan(values)
    return np.flatnonzero(valid).astype(float), values[valid], int((~valid).sum())


def _mann_kendall(position, values, n_missing, alpha) -> TrendResult:
    n = len(values)
    s, var_s, slopes, _ = _kendall_parts(position, values)
    z = (s - np.sign(s)) / np.sqrt(var_s) if var_s > 0 else 0.0
    crit = float(_st.norm.ppf(1 - alpha / 2))
    significant = bool(abs(z) > crit)
    trend = "no trend" if not significant else ("increasing" if z > 0 else "decreasing")
    slopes = np.sort(slopes)
    slope = float(np.median(slopes))
    low, high = _slope_interval(slopes, crit * np.sqrt(var_s))
    return TrendResult(
        method="Mann-Kendall test (normal approximation, tie-corrected); Sen's slope",
        n=n, n_missing=n_missing, s=s, var_s=var_s, z=float(z),
        p_value=float(2 * _st.norm.sf(abs(z))), tau=s / (n * (n - 1) / 2),
        slope=slope, intercept=float(np.median(values) - slope * np.median(position)),
        slope_ci_low=low, slope_ci_high=high, conf=1 - alpha, trend=trend,
        significant=significant,
    )


def _slope_interval(slopes: np.ndarray, c: float) -> tuple[float, float]:
    """Ranks round((N - C)/2) and round((N + C)/2) + 1 (1-based) of the sorted slopes."""
    count = len(slopes)
    lower = max(int(np.round((count - c) / 2)) - 1, 0)
    upper = min(int(np.round((count + c) / 2)), count - 1)
    return float(slopes[lower]), float(slopes[upper])


def trend_test_table(
    table: pd.DataFrame,
    *,
    column: str = "estimate",
    by: str | Sequence[str] | None = None,
    alpha: float = 0.05,
    min_periods: int = MIN_TREND_PERIODS,
    method: str = "mann_kendall",
    period_length: int = 12,
) -> pd.DataFrame:
    """Mann-Kendall test and Sen's slope of a :func:`period_series` table, with a sentence.

    ``method="seasonal_kendall"`` (with ``period_length``) for a seasonal series: see
    :func:`trend_test`.

    Periods with no answers (NaN estimate) and calendar periods missing from the table
    are skipped and counted in ``n_missing``; the slope keeps the calendar spacing.
    Each period's estimate counts as one observation whatever its n.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`period_series` (or any frame with ``period`` and ``column``).
    column : str
        Which column to test (``"rolling_estimate"`` works too, but overlapping windows
        are not independent: prefer ``"estimate"``).
    by : str or list of str, optional
        Segment columns of the table: one row per segment.
    alpha, min_periods
        As in :func:`trend_test`.

    Returns
    -------
    DataFrame
        One row (per segment): segment keys, ``metric``, ``column``, ``first_period``,
        ``last_period``, the fields of :class:`TrendResult` (``n`` periods with data,
        ``n_missing`` without, ``s``, ``var_s``, ``z``, ``p_value``, ``tau``, ``slope``
        per period, ``intercept``, ``slope_ci_low``, ``slope_ci_high``, ``trend``,
        ``significant`` ...), ``n_small`` (periods with data below ``min_n``) and
        ``sentence``.

    Examples
    --------
    >>> months = pd.period_range("2023-01", periods=12, freq="M")
    >>> t = pd.DataFrame({"period": months, "metric": "csat", "small_n": False,
    ...                   "estimate": [70, 71, 70.5, 72, 73, 72.5, 74, 75, 74.5, 76, 77, 78]})
    >>> r = trend_test_table(t).iloc[0]
    >>> r["trend"], round(float(r["slope"]), 3), int(r["n"])
    ('increasing', 0.683, 12)
    >>> r["sentence"]
    "CSAT (% satisfied) shows an increasing trend over 12 months (2023-01 to 2023-12): Sen's slope +0.68 points per month (95% CI +0.67 to +0.83); Mann-Kendall tau = 0.91, p < 0.001."
    """
    keys = as_keys(by)
    errors.require_columns(
        table, ["period", column] + keys,
        "trend_test_table needs a table from period_series; column(s) {missing} are "
        "missing (found {found}).",
    )
    if not isinstance(table["period"].dtype, pd.PeriodDtype):
        raise DataError("Column 'period' must hold periods (as period_series returns).")
    if not keys:
        return _trend_row(table, column, alpha, min_periods, method=method, period_length=period_length).to_frame().T.infer_objects()
    rows = [
        pd.concat([pd.Series(dict(zip(keys, level if isinstance(level, tuple) else (level,)))),
                   _trend_row(part, column, alpha, min_periods, _segment_text(keys, level),
                              method=method, period_length=period_length)])
        for level, part in table.groupby(keys, dropna=False, sort=True)
    ]
    return pd.DataFrame(rows).reset_index(drop=True).infer_objects()


def _segment_text(keys: list[str], level) -> str:
    values = level if isinstance(level, tuple) else (level,)
    return ", ".join(f"{k} = {'(missing)' if pd.isna(v) else v}" for k, v in zip(keys, values))


def _trend_row(part: pd.DataFrame, column: str, alpha: float, min_periods: int,
               segment: str = "", **test_options) -> pd.Series:
    if part["period"].duplicated().any():
        raise DataError(
            "The table has several rows per period (segments?): "
            f"{show_values(part.loc[part['period'].duplicated(), 'period'].astype(str))}. "
            "Pass by= with the segment column(s), or filter the table to a single segment."
        )
    ordered = part.set_index("period").sort_index()
    calendar = pd.period_range(ordered.index.min(), ordered.index.max(), freq=ordered.index.freq)
    values = ordered[column].reindex(calendar)
    unit = PERIOD_NAMES[_freq_code(part["period"])]
    where = f" ({segment})" if segment else ""
    try:
        result = trend_test(values.to_numpy(dtype=float), alpha=alpha, min_periods=min_periods,
                            **test_options)
    except DataError as exc:
        raise DataError(f"{segment + ': ' if segment else ''}{exc}") from exc
    label = _label(part) + where
    small = ordered["small_n"].reindex(calendar) if "small_n" in ordered else None
    n_small = 0 if small is None else int((small.fillna(False).astype(bool) & values.notna()).sum())
    row = pd.Series({"metric": part["metric"].iloc[0] if "metric" in part else column,
                     "column": column, "first_period": calendar[0], "last_period": calendar[-1],
                     **asdict(result)})
    row["n_small"] = n_small
    row["sentence"] = _trend_sentence(result, label, unit, calendar, _statistic(part))
    return row


def _label(part: pd.DataFrame) -> str:
    if "metric" in part:
        return get_metric(part["metric"].iloc[0]).label
    return "The series"


def _statistic(part: pd.DataFrame) -> str | None:
    return get_metric(part["metric"].iloc[0]).statistic if "metric" in part else None


def _trend_sentence(result: TrendResult, label: str, unit: str, calendar, statistic) -> str:
    units = {"share": " points", "nps": " points", "mean": ""}.get(statistic, "")
    slope = (f"Sen's slope {result.slope:+.2f}{units} per {unit} ({result.conf:.0%} CI "
             f"{result.slope_ci_low:+.2f} to {result.slope_ci_high:+.2f})")
    name = "seasonal Kendall" if result.method.startswith("seasonal") else "Mann-Kendall"
    test = f"{name} tau = {result.tau:.2f}, {format_p(result.p_value)}"
    span = f"{len(calendar)} {unit}s ({calendar[0]} to {calendar[-1]})"
    skipped = f"; {result.n_missing} {unit}(s) without data skipped" if result.n_missing else ""
    if result.significant:
        return f"{label} shows {_a(result.trend)} trend over {span}: {slope}; {test}{skipped}."
    return f"{label} shows no monotonic trend over {span} ({test}); {slope}{skipped}."


def _a(trend: str) -> str:
    return f"an {trend}" if trend[0] in "aeiou" else f"a {trend}"
