"""First response and resolution times: durations in calendar and business hours,
medians and 90th percentiles with distribution-free intervals, the shares answered within
1 and 24 hours beside published customer expectations, and the report date of the
tickets.

- :func:`response_durations`: first response and resolution times in calendar time
  and in business hours (weekly schedules, time zones, holidays and clock changes
  from :mod:`csat_toolkit.businesshours`), with the time open tickets have waited so
  far kept apart (censored).
- :func:`response_time_summary`: median and 90th percentile with distribution-free
  order-statistic intervals (:func:`quantile_interval`), and the share answered within
  1 and 24 hours beside published customer expectations; :func:`duration_overview`
  the same quantiles for every duration at once.
- :func:`ops_report_date`: the report date of the tickets (the latest time stamp).

References
----------
- Conover, W. J. (1999). Practical Nonparametric Statistics, 3rd ed. Wiley, section
  3.2 (order-statistic confidence intervals for quantiles).
- Wilson (1927): see :mod:`csat_toolkit.stats`.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats as _st

from ..core import stats
from ..core.benchmarks import compare_to_benchmark, load_benchmarks
from ..core.tally import as_keys
from ..core.text import format_hours
from ..errors import DataError, MissingColumnError, ParameterError, require_columns, show_values
from .businesshours import Schedule, _zone
from ._common import (SLA_METRICS, _calendar_schedule, _check_frame, _check_min_n, _check_unit, _elapsed, _first_reason, _groups, _parse_as_of, _schedule_rows, _times, _wilson)

__all__ = ["RESPONSE_EXPECTATIONS", "quantile_interval", "response_durations",
           "response_time_summary", "describe_response_times", "duration_overview",
           "describe_open_tickets", "ops_report_date"]

RESPONSE_EXPECTATIONS = {1: "sprout_social_reply_1h", 24: "sprout_social_reply_24h"}
"""Hours -> ``data/benchmarks.csv`` id of the share of customers expecting a reply that
fast on social media (40% within 1 hour, 79% within 24 hours; Sprout Social Index as
reported by secondary sources: see the table's ``method`` column)."""


# --- quantiles with distribution-free intervals ------------------------------------------


def quantile_interval(values, p: float = 0.5, *, conf: float = 0.95) -> tuple[float, float, float]:
    """Sample quantile with a distribution-free confidence interval from order statistics.

    The estimate is the usual sample quantile (linear interpolation, R's type 7). The
    interval is ``[x_(r), x_(s)]`` with ranks from the binomial distribution of the
    number ``B ~ Binomial(n, p)`` of observations below the true quantile (Conover
    1999, section 3.2): ``r`` is the smallest ``k`` with ``P(B <= k) >= alpha / 2`` and
    ``s - 1`` the smallest ``k`` with ``P(B > k) <= alpha / 2``, so that each tail has
    probability at most ``alpha / 2`` and the coverage is at least ``conf`` for any
    continuous distribution. The same interval as R's
    ``confintr::ci_quantile`` and ``scipy.stats.quantile_test(...).confidence_interval``.
    A bound that would need a rank outside ``1..n`` (too few values) is NaN.

    Parameters
    ----------
    values : array-like of float
        NaN values are ignored.
    p : float
        The quantile, strictly between 0 and 1 (0.5 = median, 0.9 = 90th percentile).
    conf : float
        Confidence level.

    Returns
    -------
    (estimate, low, high) : tuple of float

    Examples
    --------
    >>> x = np.exp(np.arange(0, 1.01, 0.01))
    >>> [round(v, 6) for v in quantile_interval(x, 0.3)]
    [1.349859, 1.221403, 1.476981]
    >>> quantile_interval([1.0, 2.0, 3.0], 0.9)[2]  # too few values for an upper bound
    nan
    """
    stats.z_value(conf)  # checks conf
    if not isinstance(p, (int, float, np.floating)) or isinstance(p, bool) or not 0 < p < 1:
        raise ParameterError(
            f"p must be a probability strictly between 0 and 1 (0.5 for the median); got {p!r}.")
    x = np.asarray(values, dtype=float)
    x = np.sort(x[~np.isnan(x)])
    n = x.size
    if n == 0:
        return np.nan, np.nan, np.nan
    estimate = float(np.quantile(x, p))
    tail = (1 - conf) / 2
    binom = _st.binom(n, p)
    lower_rank = int(binom.ppf(tail))        # 1-based rank of the lower bound
    upper_rank = int(binom.isf(tail)) + 1    # 1-based rank of the upper bound
    low = float(x[lower_rank - 1]) if 1 <= lower_rank <= n else np.nan
    high = float(x[upper_rank - 1]) if 1 <= upper_rank <= n else np.nan
    return estimate, low, high


_QUANTILE_METHOD = ("order-statistic (binomial) distribution-free interval, Conover 1999 "
                    "sec. 3.2, as R confintr::ci_quantile")


# --- durations -------------------------------------------------------------------------


def response_durations(
    tickets: pd.DataFrame,
    *,
    schedule: Schedule | Mapping | None = None,
    schedules: Mapping | None = None,
    by_column: str | None = None,
    as_of=None,
    unit: str = "hours",
    source_timezone: str | None = None,
) -> pd.DataFrame:
    """First response and resolution times, in calendar time and in business hours.

    Parameters
    ----------
    tickets : DataFrame
        Canonical tickets: ``created_at`` and, when present, ``first_response_at`` and
        ``resolved_at`` (datetimes, or ISO 8601 text).
    schedule : Schedule or mapping, optional
        Business hours (see :class:`csat_toolkit.businesshours.Schedule`); adds the
        ``*_business_<unit>`` columns. With ``schedules``, the schedule for rows whose
        ``by_column`` value has none of its own.
    schedules : mapping, optional
        Value of ``by_column`` (team, region ...) -> Schedule or spec: one schedule per
        row (:func:`csat_toolkit.businesshours.schedules_for`).
    by_column : str, optional
        The column that chooses the schedule, with ``schedules``.
    as_of : date and time, optional
        When the data was extracted. Tickets still waiting get the time waited so far
        in the ``*_open_*`` columns (censored: the final time will be longer). Responses
        or resolutions stamped after ``as_of`` are treated as not yet happened.
    unit : {"hours", "minutes", "seconds"}
    source_timezone : str, optional
        IANA time zone of naive time stamps. Without it, naive times are wall times in
        the schedule's zone for business hours, and calendar durations are differences
        of the times as written (no daylight-saving correction).

    Returns
    -------
    DataFrame
        A copy of ``tickets`` with, for ``first_response`` and ``resolution``:
        ``<metric>_<unit>`` (calendar; missing when the event has not happened),
        ``<metric>_business_<unit>`` (with a schedule), ``<metric>_open_<unit>`` and
        ``<metric>_open_business_<unit>`` (time waited so far by open tickets; needs
        ``as_of``); the flags ``responded`` and ``resolved``; and ``duration_issue``:
        why a row has no duration (missing ``created_at``, an event before creation,
        created after ``as_of``, a resolved ticket without a recorded first response),
        None where there is no problem.

    Examples
    --------
    >>> office = Schedule({"mon-fri": "08:00-18:00"}, timezone="Europe/London")
    >>> tickets = pd.DataFrame({
    ...     "created_at": pd.to_datetime(["2024-03-01 17:00", "2024-03-04 09:00"]),
    ...     "first_response_at": pd.to_datetime(["2024-03-04 09:00", None]),
    ...     "resolved_at": pd.to_datetime([None, None])})
    >>> out = response_durations(tickets, schedule=office, as_of="2024-03-04 12:00")
    >>> out["first_response_hours"].tolist(), out["first_response_business_hours"].tolist()
    ([64.0, nan], [2.0, nan])
    >>> out["first_response_open_business_hours"].tolist(), out["responded"].tolist()
    ([nan, 3.0], [True, False])
    """
    _check_frame(tickets, "tickets")
    _check_unit(unit)
    require_columns(tickets, ["created_at"],
                    "response_durations needs the column {missing} (when each ticket was "
                    "opened); found {found}. Map it with load_tickets(columns={{...: "
                    "'created_at'}}).")
    if source_timezone is not None:
        _zone(source_timezone)
    per_row = _schedule_rows(tickets, schedule, schedules, by_column)
    calendar = _calendar_schedule(per_row, source_timezone)
    created = _times(tickets, "created_at")
    stamp = _parse_as_of(as_of, created)
    out = tickets.copy()
    reasons = np.full(len(tickets), "", dtype=object)
    reasons = _first_reason(reasons, created.isna(), "missing created_at")
    if stamp is not None:
        reasons = _first_reason(reasons, created > stamp, "created after as_of")
    ends = {}
    for metric, column in SLA_METRICS.items():
        end = _times(tickets, column) if column in tickets.columns else \
            pd.Series(pd.NaT, index=tickets.index, dtype=created.dtype)
        if stamp is not None:
            end = end.where(~(end > stamp))  # not yet happened at as_of
        ends[metric] = end
    done = {metric: ends[metric].notna().to_numpy() for metric in SLA_METRICS}
    no_reply = done["resolution"] & ~done["first_response"] & ("first_response_at" in tickets)
    for metric in SLA_METRICS:
        backwards = (done[metric] & created.notna().to_numpy()
                     & (ends[metric] < created).to_numpy())
        reasons = _first_reason(reasons, backwards, f"{metric.replace('_', ' ')} before creation")
    reasons_first = _first_reason(reasons, no_reply, "resolved without a recorded first response")
    out["responded"] = done["first_response"]
    out["resolved"] = done["resolution"]
    for metric in SLA_METRICS:
        own = reasons_first if metric == "first_response" else reasons
        ok = own == ""
        still_open = ok & ~done[metric] & ~done["resolution"] if metric == "first_response" \
            else ok & ~done[metric]
        clocks = [("", calendar)] + ([("business_", per_row)] if per_row is not None else [])
        for tag, sched in clocks:
            finished = _elapsed(created, ends[metric], sched, unit, source_timezone)
            out[f"{metric}_{tag}{unit}"] = np.where(ok & done[metric], finished, np.nan)
            waited = (_elapsed(created, stamp, sched, unit, source_timezone)
                      if stamp is not None else np.full(len(out), np.nan))
            out[f"{metric}_open_{tag}{unit}"] = np.where(still_open, waited, np.nan)
    out["duration_issue"] = pd.Series(np.where(reasons_first == "", None, reasons_first),
                                      index=out.index, dtype=object)
    return out


# --- response times ----------------------------------------------------------------------


def _duration_values(tickets: pd.DataFrame, column: str) -> tuple[pd.DataFrame, pd.Series]:
    """The tickets (with ``column`` computed when it is a known duration) and its values."""
    if column not in tickets.columns:
        metric = column.removesuffix("_hours")
        if metric in SLA_METRICS and SLA_METRICS[metric] in tickets.columns \
                and "created_at" in tickets.columns:
            tickets = response_durations(tickets)
        else:
            raise MissingColumnError(
                f"The tickets have no column {column!r}; found "
                f"{show_values(list(tickets.columns), 12)}. Pass column= naming a duration in "
                "hours, or tickets with created_at and first_response_at / resolved_at (the "
                "durations are then computed in calendar hours)."
            )
    raw = tickets[column]
    if pd.api.types.is_timedelta64_dtype(raw.dtype):
        values = raw.dt.total_seconds() / 3600
    else:
        values = pd.to_numeric(raw, errors="coerce")
        bad = values.isna() & raw.notna()
        if bad.any() or pd.api.types.is_bool_dtype(raw.dtype):
            raise DataError(
                f"Column {column!r} must hold durations in hours; it has "
                f"{show_values(raw[bad].tolist() if bad.any() else raw.tolist())}. Compute "
                "them with response_durations() first."
            )
    values = values.astype(float)
    negative = values < 0
    if negative.any():
        raise DataError(
            f"{int(negative.sum()):,} values of {column!r} are negative "
            f"({show_values(values[negative].tolist())}): a response cannot come before the "
            "ticket was opened. Check the time stamps (time zones, swapped columns)."
        )
    return tickets, values


def _expectation_rows(expectations, within) -> dict[float, pd.Series]:
    if expectations is False or expectations is None:
        return {}
    mapping = RESPONSE_EXPECTATIONS if expectations is True else expectations
    if not isinstance(mapping, Mapping):
        raise ParameterError(
            "expectations must be True (the published social-media expectations), False, or "
            f"a mapping from hours to benchmark ids such as {RESPONSE_EXPECTATIONS!r}; got "
            f"{expectations!r}."
        )
    table = load_benchmarks().set_index("benchmark_id")
    unknown = [b for b in mapping.values() if b not in table.index]
    if unknown:
        raise ParameterError(
            f"Unknown benchmark id {show_values(unknown)} in expectations; see "
            "csat_toolkit.benchmarks.load_benchmarks()['benchmark_id']."
        )
    return {float(h): table.loc[b].rename(b) for h, b in mapping.items() if float(h) in within}


def response_time_summary(
    tickets: pd.DataFrame,
    *,
    column: str = "first_response_hours",
    by: str | Sequence[str] | None = None,
    conf: float = 0.95,
    within: Sequence[float] = (1, 24),
    expectations: bool | Mapping = True,
    min_n: int = 30,
) -> pd.DataFrame:
    """Median and 90th percentile response time, and the share answered within 1 and 24 h.

    The quantiles get distribution-free order-statistic intervals
    (:func:`quantile_interval`: Conover 1999, section 3.2; the method of R's
    ``confintr::ci_quantile``), the shares Wilson intervals. Tickets without a time
    (not yet answered) are left out and counted in ``n_missing``: with many of them
    the quantiles are too optimistic (they are censored; see :func:`response_durations`).

    Parameters
    ----------
    tickets : DataFrame
        Tickets with ``column`` (hours), or with ``created_at`` and
        ``first_response_at`` (``resolved_at``) to compute ``first_response_hours``
        (``resolution_hours``) in calendar hours.
    column : str
        The duration in hours.
    by : str or list of str, optional
        Segment columns (``channel``, ``priority``, ``team`` ...).
    conf : float
    within : sequence of float
        Hours for the "answered within" shares (default 1 and 24).
    expectations : bool or mapping
        Put the published share of customers who expect a reply within that time
        beside the "within" rows (:data:`RESPONSE_EXPECTATIONS`: 40% within 1 hour,
        79% within 24 hours, on social media), with ``verdict``
        (:func:`csat_toolkit.benchmarks.compare_to_benchmark`); or a mapping from hours
        to benchmark ids; False for none.
    min_n : int
        Groups with fewer timed tickets are flagged ``small_n``.

    Returns
    -------
    DataFrame
        One row per group and statistic (``median``, ``p90``, ``within_1h``,
        ``within_24h`` ...): the ``by`` columns, ``statistic``, ``unit`` (``hours`` or
        ``%``), ``n``, ``n_missing``, ``estimate``, ``ci_low``, ``ci_high``, ``conf``,
        ``method``, ``small_n`` and, with expectations, ``expectation`` (% of customers),
        ``expectation_source``, ``expectation_scope`` and ``verdict``.

    Examples
    --------
    >>> tickets = pd.DataFrame({"first_response_hours": [0.2, 0.5, 0.8, 1.5, 3.0, 30.0]})
    >>> out = response_time_summary(tickets, expectations=False, min_n=5)
    >>> out[["statistic", "n", "estimate", "ci_low", "ci_high"]].round(2).values.tolist()
    [['median', 6, 1.15, 0.2, 30.0], ['p90', 6, 16.5, 1.5, nan], ['within_1h', 6, 50.0, 18.76, 81.24], ['within_24h', 6, 83.33, 43.65, 96.99]]
    """
    _check_frame(tickets, "tickets")
    stats.z_value(conf)
    min_n = _check_min_n(min_n)
    keys = as_keys(by)
    require_columns(tickets, keys, "response_time_summary(by=...) names {missing}, which the "
                    "tickets do not have; found {found}.")
    try:
        within = sorted({float(h) for h in within})
    except (TypeError, ValueError) as error:
        raise ParameterError(f"within must be hours such as (1, 24); got {within!r}.") from error
    if any(h <= 0 or not math.isfinite(h) for h in within):
        raise ParameterError(f"within must be positive hours such as (1, 24); got {within!r}.")
    expected = _expectation_rows(expectations, within)
    tickets, values = _duration_values(tickets, column)
    frame = tickets[keys].assign(_value=values.to_numpy())
    rows = []
    for group, part in _groups(frame, keys):
        x = part["_value"].to_numpy(float)
        timed = x[~np.isnan(x)]
        base = dict(zip(keys, group)) | {"n": timed.size, "n_missing": int(np.isnan(x).sum())}
        for name, p in (("median", 0.5), ("p90", 0.9)):
            estimate, low, high = quantile_interval(timed, p, conf=conf)
            rows.append(base | {"statistic": name, "unit": "hours", "estimate": estimate,
                                "ci_low": low, "ci_high": high,
                                "method": f"sample quantile (R type 7); {_QUANTILE_METHOD}"})
        for hours in within:
            hits = float((timed <= hours).sum())
            estimate, low, high = _wilson(hits, timed.size, conf)
            rows.append(base | {"statistic": f"within_{hours:g}h", "unit": "%",
                                "estimate": float(estimate), "ci_low": float(low),
                                "ci_high": float(high),
                                "method": f"Wilson score interval; share with {column} <= {hours:g}",
                                "_hours": hours})
    out = pd.DataFrame(rows)
    out["conf"] = conf
    out["small_n"] = out["n"] < min_n
    out["limit_hours"] = out["_hours"] if "_hours" in out else np.nan
    columns = [*keys, "statistic", "unit", "limit_hours", "n", "n_missing", "estimate", "ci_low",
               "ci_high", "conf", "method", "small_n"]
    if expected:
        out = _add_expectations(out, expected)
        columns += ["expectation", "expectation_source", "expectation_scope", "verdict"]
    return out[columns].reset_index(drop=True)


def describe_response_times(summary: pd.DataFrame) -> list[str]:
    """Sentences for a one-group :func:`response_time_summary` table, in readable units.

    Examples
    --------
    >>> t = pd.DataFrame({"statistic": ["median", "p90", "within_0.5h"],
    ...     "limit_hours": [np.nan, np.nan, 0.5], "n": [200] * 3,
    ...     "estimate": [0.02, 3.0, 61.0], "ci_low": [0.015, 2.5, 54.1],
    ...     "ci_high": [0.025, 3.5, 67.5], "conf": [0.95] * 3})
    >>> describe_response_times(t)  # doctest: +NORMALIZE_WHITESPACE
    ['Median first response 1.2 min (95% CI 54 s to 1.5 min), 90th percentile 3 h, n=200.',
     '61.0% answered within 30 min (95% CI 54.1% to 67.5%).']
    """
    rows = summary.set_index("statistic")
    level = f"{float(summary['conf'].iloc[0]):.0%}"
    out = []
    if "median" in rows.index:
        med = rows.loc["median"]
        text = (f"Median first response {format_hours(med['estimate'])} ({level} CI "
                f"{format_hours(med['ci_low'])} to {format_hours(med['ci_high'])})"
                if np.isfinite(med["ci_low"]) and np.isfinite(med["ci_high"]) else
                f"Median first response {format_hours(med['estimate'])} (too few answers "
                "for an interval)")
        if "p90" in rows.index and np.isfinite(rows.loc["p90", "estimate"]):
            text += f", 90th percentile {format_hours(rows.loc['p90', 'estimate'])}"
        out.append(text + f", n={int(med['n']):,}.")
    for _, row in summary[summary["statistic"].astype(str).str.startswith("within_")].iterrows():
        text = (f"{row['estimate']:.1f}% answered within {format_hours(row['limit_hours'])} "
                f"({level} CI {row['ci_low']:.1f}% to {row['ci_high']:.1f}%)")
        if pd.notna(row.get("expectation", np.nan)):
            text += f"; {row['expectation']:.0f}% of customers expect it ({row['verdict']})"
        out.append(text + ".")
    return out


def _add_expectations(out: pd.DataFrame, expected: dict[float, pd.Series]) -> pd.DataFrame:
    out = out.copy()
    out["expectation"] = np.nan
    for name in ("expectation_source", "expectation_scope", "verdict"):
        out[name] = pd.Series(None, index=out.index, dtype=object)
    for hours, bench in expected.items():
        rows = out.index[out.get("_hours", pd.Series(np.nan, index=out.index)) == hours]
        if not len(rows):
            continue
        compared = compare_to_benchmark(out.loc[rows, ["n", "estimate", "ci_low", "ci_high",
                                                       "small_n"]], bench.name)
        out.loc[rows, "expectation"] = float(bench["low"])
        out.loc[rows, "expectation_source"] = f"{bench['source']} ({bench.name})"
        out.loc[rows, "expectation_scope"] = bench["scope"]
        out.loc[rows, "verdict"] = compared["verdict"].astype(object).to_numpy()
    return out



def duration_overview(durations: pd.DataFrame, *, within: Sequence[float] = (1, 24),
                      conf: float = 0.95, min_n: int = 30) -> pd.DataFrame | None:
    """Median and 90th percentile of every duration :func:`response_durations` computed.

    One block of :func:`response_time_summary` rows (``statistic`` median and p90) per
    duration column with values (calendar and business hours, first response and
    resolution), with a ``duration`` column; ``None`` when no duration has a value.

    Examples
    --------
    >>> d = pd.DataFrame({"first_response_hours": [0.5, 1.0, 2.0, 4.0, 30.0]})
    >>> t = duration_overview(d, min_n=1)
    >>> t[["duration", "statistic", "estimate"]].values.tolist()
    [['first_response_hours', 'median', 2.0], ['first_response_hours', 'p90', 19.6]]
    """
    rows = []
    for column in ("first_response_hours", "first_response_business_hours", "resolution_hours",
                   "resolution_business_hours"):
        if column in durations.columns and durations[column].notna().any():
            part = response_time_summary(durations, column=column, within=within,
                                         expectations=False, conf=conf, min_n=min_n)
            rows.append(part[part["statistic"].isin(["median", "p90"])].assign(duration=column))
    return pd.concat(rows, ignore_index=True) if rows else None


def describe_open_tickets(durations: pd.DataFrame, tickets: pd.DataFrame, *, as_of) -> list[str]:
    """Sentences on tickets still open at ``as_of`` and tickets without a duration.

    Examples
    --------
    >>> d = pd.DataFrame({"first_response_open_hours": [None, 5.0, 7.0],
    ...                   "duration_issue": [None, None, "no created_at"]})
    >>> describe_open_tickets(d, pd.DataFrame({"first_response_at": [1, None, None]}),
    ...                       as_of="2025-01-31")
    ['2 tickets still open at 2025-01-31 have waited a median 6.0 h so far (first response hours).', '1 tickets have no duration: no created_at.']
    """
    out = []
    for c in durations.columns:
        if ("_open_" in c and durations[c].notna().any()
                and SLA_METRICS.get(c.split("_open_")[0]) in tickets.columns):
            out.append(f"{durations[c].notna().sum():,} tickets still open at {as_of} have waited "
                       f"a median {durations[c].median():.1f} h so far "
                       f"({c.replace('_open_', ' ').replace('_', ' ')}).")
    if "duration_issue" in durations:
        out += [f"{n:,} tickets have no duration: {reason}."
                for reason, n in durations["duration_issue"].value_counts().items()]
    return out


def ops_report_date(as_of, tickets: pd.DataFrame | None, *, answers: pd.DataFrame | None = None):
    """The report date of 05_operations: ``as_of``, else the latest ticket time stamp.

    Open tickets wait until this moment. Without tickets (nothing to measure) the latest
    answer is used; without either, ``None``.

    Returns
    -------
    ReportDate or None

    Examples
    --------
    >>> tickets = pd.DataFrame({"created_at": pd.to_datetime(["2025-03-01 09:00"]),
    ...                         "resolved_at": pd.to_datetime(["2025-03-04 16:30"])})
    >>> ops_report_date(None, tickets).sentence()
    'Report date 2025-03-04: the latest resolved_at in the data (as_of not given).'
    >>> str(ops_report_date("2025-06-30 23:59", tickets).timestamp)
    '2025-06-30 23:59:00'
    """
    from ..core.asof import report_date

    columns = {}
    if tickets is not None:
        columns = {c: tickets[c] for c in ("created_at", *SLA_METRICS.values()) if c in tickets}
    if answers is not None and "responded_at" in answers and not any(
            pd.Series(v).notna().any() for v in columns.values()):
        columns = {"responded_at": answers["responded_at"]}
    if as_of is None and not any(pd.Series(v).notna().any() for v in columns.values()):
        return None
    return report_date(as_of, columns)
