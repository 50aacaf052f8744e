"""Support operations: SLA compliance, response and resolution times, first-contact
resolution, handle time, deflection and volume, tied to satisfaction.

Every function takes canonical frames (tickets from
:func:`csat_toolkit.tables.load_tickets`, channel volume with ``date``, ``channel``,
``kind``, ``contacts``) and returns tidy tables with ``n``, ``estimate``, ``ci_low``,
``ci_high``, ``conf``, ``method`` and ``small_n``, or a small result object whose
``.table`` is such a frame and whose ``.summary()`` is a sentence.

- :func:`response_durations`: first response and resolution times in calendar time
  and in business hours (weekly schedules, time zones, holidays and clock changes
  from :mod:`csat_toolkit.businesshours`), with the time open tickets have waited so
  far kept apart (censored).
- :func:`sla_compliance`: targets by priority and/or channel; each ticket *met*,
  *breached*, *breached while open* (open and already past its target at ``as_of``:
  counted as breached) or *pending* (open, target not yet passed); the share met
  among decided tickets with a Wilson interval; the breaches listed.
- :func:`response_time_summary`: median and 90th percentile with distribution-free
  order-statistic intervals (:func:`quantile_interval`), and the share answered within
  1 and 24 hours beside published customer expectations.
- :func:`resolution_quality`: first-contact resolution (FCR) under a named
  definition, handle time, contacts per ticket and reopen rate; FCR beside SQM's
  benchmarks.
- :func:`deflection`: self-service against assisted contacts per period, and the
  cost avoided under stated assumptions.
- :func:`volume_profile`: contacts per hour, weekday and week, the weekday-by-hour
  table behind a heatmap, the weekly trend and a forecast.
- :func:`ops_satisfaction`: satisfaction when the SLA was met against missed, by
  first-response bucket, and with or without first-contact resolution, with tests.

Time stamps
-----------
Naive time stamps are wall times: in the schedule's time zone for business hours, in
``source_timezone`` when it is given (then calendar durations are real elapsed time,
right across changes of clocks), and read as written otherwise. Nothing here reads
the clock: "now" is always the ``as_of`` parameter.

References
----------
- Conover, W. J. (1999). Practical Nonparametric Statistics, 3rd ed. Wiley, section
  3.2 (order-statistic confidence intervals for quantiles).
- Wilson (1927) and Newcombe (1998): see :mod:`csat_toolkit.stats`.
"""
from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as _st

from ..core import stats
from ..core.benchmarks import compare_to_benchmark, load_benchmarks
from .businesshours import Schedule, _zone, add_business_time, business_duration, schedules_for
from ..core.comparisons import CORRECTION_NAMES
from ..errors import DataError, MissingColumnError, ParameterError, require_columns, show_values
from ..io.responses import parse_iso_times
from ..core.scales import Scale, get_scale
from ..io.tables import join_answers
from ..core.tally import as_keys, period_code, period_labels
from ..core.text import bucket_labels, check_edges, format_hours

__all__ = ["duration_overview", "quality_both_ways", 
    "SLA_METRICS",
    "SLA_STATUSES",
    "COST_SOURCES",
    "DEFAULT_COSTS",
    "RESPONSE_EXPECTATIONS",
    "FCR_BENCHMARKS",
    "quantile_interval",
    "response_durations",
    "SlaResult",
    "sla_compliance",
    "response_time_summary",
    "describe_response_times",
    "resolution_quality",
    "DeflectionResult",
    "deflection",
    "VolumeResult",
    "volume_profile",
    "ops_satisfaction",
    "describe_flag_agreement",
    "ops_report_date",
    "describe_open_tickets",
    "describe_quality",
    "describe_ops_satisfaction",
]

SLA_METRICS = {"first_response": "first_response_at", "resolution": "resolved_at"}
"""SLA metric -> the time stamp that ends its clock (the clock starts at ``created_at``)."""

SLA_STATUSES = ("met", "breached", "breached while open", "pending", "no target",
                "not measurable")
"""Status of a ticket for one SLA metric (see :func:`sla_compliance`)."""

_LABELS = {"first_response": "First response", "resolution": "Resolution"}
_UNIT_SECONDS = {"hours": 3600.0, "minutes": 60.0, "seconds": 1.0}
_WILDCARDS = ("*", "", "any", "all")
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

RESPONSE_EXPECTATIONS = {1: "sprout_social_reply_1h", 24: "sprout_social_reply_24h"}
"""Hours -> ``data/benchmarks.csv`` id of the share of customers expecting a reply that
fast on social media (40% within 1 hour, 79% within 24 hours; Sprout Social Index as
reported by secondary sources: see the table's ``method`` column)."""

FCR_BENCHMARKS = {"average": "sqm_fcr_average_70", "world_class": "sqm_fcr_world_class_80"}
"""SQM Group's call-centre FCR benchmarks in ``data/benchmarks.csv`` (70% industry
average, 80% world class; measured by post-call surveys, not from ticket data)."""

COST_SOURCES = (
    {"figure": "up to 12 USD per call-centre (phone) interaction",
     "citation": "figure given in the project's issue 6 ('up to 12 USD for a call-centre "
                 "interaction'); its primary source was not found. Published figures for an "
                 "inbound call range from 5.25 USD (ContactBabel, US Contact Center HR & "
                 "Operational Benchmarking Report, 2017, via Incent/CRM magazine 'The Shifting "
                 "Costs of Customer Contacts') and about 6 USD (HelpSocial, 'Should social "
                 "customer care be in the contact center? A cost/benefit analysis') to 15 USD "
                 "(ClickFox infographic, reported by SiliconANGLE, 20 July 2011)."},
    {"figure": "under 1 USD per social-media conversation",
     "citation": "HelpSocial, 'Should social customer care be in the contact center? A "
                 "cost/benefit analysis' (white paper, undated): 'a social media conversation "
                 "is usually less than $1 per conversation, compared to a voice call where it "
                 "averages around $6'."},
    {"figure": "4.42 USD per e-mail, 3.82 USD per web chat",
     "citation": "ContactBabel, US Contact Center HR & Operational Benchmarking Report "
                 "(2017), as reported in Incent/CRM magazine, 'The Shifting Costs of Customer "
                 "Contacts'."},
    {"figure": "0.25 USD per website (self-service) visit",
     "citation": "ClickFox infographic on failed social-media interactions, reported by "
                 "SiliconANGLE, 'Failed Social Media Customer Support Will Cost You', "
                 "20 July 2011."},
)
"""Published cost-per-contact figures behind :data:`DEFAULT_COSTS` (USD), with citations."""

DEFAULT_COSTS = {
    "phone": 12.0,        # upper figure for a call-centre interaction (COST_SOURCES[0])
    "email": 4.42,        # ContactBabel 2017 (COST_SOURCES[2])
    "chat": 3.82,         # ContactBabel 2017 (COST_SOURCES[2])
    "social": 1.0,        # "less than 1 USD" taken at its upper bound (COST_SOURCES[1])
    "whatsapp": 1.0,      # assumed: a messaging conversation costs as much as a social one
    "help_center": 0.25,  # a website visit (COST_SOURCES[3])
    "community": 0.25,    # assumed: as a website visit
    "chatbot": 0.25,      # assumed: as a website visit
}
"""Default cost per contact by channel in USD (see :data:`COST_SOURCES`); override with
``costs=`` in :func:`deflection`."""

_COST_NOTES = {
    "phone": "up to 12 USD per call-centre interaction (issue 6; published 5.25-15 USD)",
    "email": "ContactBabel 2017",
    "chat": "ContactBabel 2017 (web chat)",
    "social": "HelpSocial: under 1 USD per social conversation (upper bound used)",
    "whatsapp": "assumed equal to a social conversation",
    "help_center": "ClickFox 2011: a website visit",
    "community": "assumed equal to a website visit",
    "chatbot": "assumed equal to a website visit",
}


# --- small helpers ----------------------------------------------------------------------


def _check_min_n(min_n) -> int:
    if isinstance(min_n, bool) or not isinstance(min_n, (int, np.integer)) or min_n < 1:
        raise ParameterError(
            f"min_n must be a whole number, 1 or more (for example 30); got {min_n!r}.")
    return int(min_n)


def _check_unit(unit: str) -> str:
    if unit not in _UNIT_SECONDS:
        raise ParameterError(f"Unknown unit {unit!r}; use one of {', '.join(_UNIT_SECONDS)}.")
    return unit


def _check_frame(data, name: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise ParameterError(f"{name} must be a pandas DataFrame; got {type(data).__name__}.")


def _times(data: pd.DataFrame, column: str) -> pd.Series:
    """A time-stamp column as datetimes (ISO 8601 text is parsed; bad text is an error)."""
    values = data[column]
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values
    if values.isna().all():
        return pd.Series(pd.NaT, index=data.index, dtype="datetime64[ns]")
    return parse_iso_times(values, f"Column {column!r}", hint="load the tickets with "
                           "csat_toolkit.tables.load_tickets(date_format=..., timezone=...) first")


def _parse_as_of(as_of, like: pd.Series | None = None) -> pd.Timestamp | None:
    """``as_of`` as a Timestamp, zone-aware exactly when the data is."""
    if as_of is None:
        return None
    if isinstance(as_of, (bool, int, float, np.number)):
        stamp = pd.NaT
    else:
        try:
            stamp = pd.Timestamp(as_of)
        except (TypeError, ValueError):
            stamp = pd.NaT
    if pd.isna(stamp):
        raise ParameterError(
            f"as_of must be a date and time such as '2024-12-31 23:59' (when the data was "
            f"extracted); got {as_of!r}."
        )
    tz = getattr(like.dtype, "tz", None) if like is not None else None
    if tz is not None and stamp.tzinfo is None:
        stamp = stamp.tz_localize(tz)
    elif tz is None and stamp.tzinfo is not None and like is not None:
        raise ParameterError(
            f"as_of {as_of!r} has a time zone but the ticket times do not. Give as_of as a "
            "wall time in the same zone as the tickets, for example '2024-12-31 23:59'."
        )
    return stamp


def _schedule_rows(tickets: pd.DataFrame, schedule, schedules, by_column):
    """None, one Schedule, or one Schedule per row (from ``schedules`` by ``by_column``)."""
    if schedules is not None:
        if by_column is None:
            raise ParameterError(
                "schedules= needs by_column= naming the column (team, region ...) whose values "
                "choose the schedule, for example by_column='team'."
            )
        return schedules_for(tickets, by_column, schedules, default=schedule)
    if by_column is not None:
        raise ParameterError("by_column= is only used with schedules=; pass both, or neither.")
    if schedule is None or isinstance(schedule, Schedule):
        return schedule
    if isinstance(schedule, Mapping):
        return Schedule.from_dict(schedule)
    raise ParameterError(
        f"schedule must be a Schedule or a mapping such as {{'timezone': 'Europe/London', "
        f"'hours': {{'mon-fri': '08:00-18:00'}}}}; got {schedule!r}."
    )


def _calendar_schedule(per_row, source_timezone):
    """The 24x7 schedule(s) that measure calendar time consistently with ``per_row``."""
    if source_timezone is not None:
        return Schedule.always(_zone(source_timezone).key)
    if per_row is None:
        return Schedule.always("UTC")  # naive times read as written
    if isinstance(per_row, Schedule):
        return Schedule.always(per_row.timezone)
    cache: dict[str, Schedule] = {}
    always = [cache.setdefault(s.timezone, Schedule.always(s.timezone)) for s in per_row]
    return pd.Series(always, index=per_row.index, dtype=object)


def _elapsed(start: pd.Series, end, schedule, unit: str, source_timezone) -> np.ndarray:
    """Durations in ``unit`` under ``schedule``; NaN where a time is missing or end < start."""
    if len(start) == 0:
        return np.zeros(0)
    values = business_duration(start, end, schedule, unit=unit, negative="nan",
                               source_timezone=source_timezone)
    return np.asarray(values, dtype=float)


def _first_reason(reasons: np.ndarray, mask, reason: str) -> np.ndarray:
    mask = np.asarray(mask, dtype=bool) & (reasons == "")
    return np.where(mask, reason, reasons)


def _wilson(x, n, conf):
    low, high = stats.proportion_interval(np.asarray(x, float), np.asarray(n, float), conf=conf)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = 100 * np.asarray(x, float) / np.asarray(n, float)
    return estimate, 100 * np.asarray(low), 100 * np.asarray(high)


def _groups(data: pd.DataFrame, keys: list[str]):
    """(key values tuple, frame) per group, sorted, missing keys kept as a group."""
    if not keys:
        yield (), data
        return
    for values, part in data.groupby(keys, dropna=False, sort=True, observed=True):
        yield (values if isinstance(values, tuple) else (values,)), part


def _flag(values: pd.Series, column: str) -> pd.Series:
    """0/1, yes/no, true/false, Y/N text or booleans as a float 0/1 Series (NaN missing)."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(float)
    text = values.astype("string").str.strip().str.lower()
    mapping = {"1": 1.0, "0": 0.0, "1.0": 1.0, "0.0": 0.0, "true": 1.0, "false": 0.0,
               "yes": 1.0, "no": 0.0, "y": 1.0, "n": 0.0}
    out = text.map(mapping).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    bad = values.notna().to_numpy() & np.isnan(out)
    if bad.any():
        raise DataError(
            f"Column {column!r} must hold yes/no flags (1/0, TRUE/FALSE, Y/N); it has "
            f"{show_values(values[bad].tolist())}. Map those values first."
        )
    return pd.Series(out, index=values.index)


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


# --- SLA compliance ----------------------------------------------------------------------


@dataclass
class SlaResult:
    """Outcome of :func:`sla_compliance`.

    Attributes
    ----------
    table : DataFrame
        One row per group (``by``) and metric: ``tickets``, ``met``, ``breached`` (all
        breaches, including ``breached_open``), ``breached_open``, ``pending``,
        ``no_target``, ``not_measurable``, then ``n`` (decided: met + breached),
        ``estimate`` (% met), ``ci_low``, ``ci_high``, ``conf``, ``method``, ``small_n``.
    breaches : DataFrame
        One row per breach, largest overrun first: ``ticket_id`` (when present),
        ``metric``, ``status``, ``target_hours``, ``elapsed_hours``, ``over_by_hours``,
        ``created_at``, ``due_at`` and the segment columns present (``priority``,
        ``channel``, ``agent``, ``team`` and ``by``).
    status : DataFrame
        One row per ticket and metric: ``ticket_id`` (when present), the ``by``
        columns, ``metric``, ``status`` (one of :data:`SLA_STATUSES`), ``reason`` (why
        not measurable), ``target_hours``, ``elapsed_hours`` (time waited so far for
        open tickets), ``over_by_hours``.
    targets : DataFrame
        The targets as used: ``metric``, the key columns (None = any value),
        ``target_hours``.
    accounting : DataFrame
        ``metric``, ``status``, ``tickets``: every ticket counted once per metric.
    clock : str
        ``"business"`` or ``"calendar"``.
    as_of : Timestamp or None
    warnings : list of str
        Targets for values no ticket has, tickets without a target, and the like.
    """

    table: pd.DataFrame
    breaches: pd.DataFrame
    status: pd.DataFrame
    targets: pd.DataFrame
    accounting: pd.DataFrame
    clock: str
    as_of: pd.Timestamp | None
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One sentence per metric on the whole data (not by group).

        Examples
        --------
        >>> tickets = pd.DataFrame({
        ...     "priority": ["high"] * 4,
        ...     "created_at": pd.to_datetime(["2024-03-04 09:00"] * 4),
        ...     "first_response_at": pd.to_datetime(["2024-03-04 10:00", "2024-03-04 12:00",
        ...                                          "2024-03-04 15:00", None])})
        >>> result = sla_compliance(tickets, {"first_response": {"high": 4}}, clock="calendar",
        ...                         as_of="2024-03-04 16:00")
        >>> result.summary()
        'First response target met for 2 of 4 decided tickets (50.0%, 95% CI 15.0% to 85.0%; calendar clock); 1 breached while still open.'
        """
        sentences = []
        for metric in self.accounting["metric"].unique():
            counts = self.accounting[self.accounting["metric"] == metric]
            count = dict(zip(counts["status"], counts["tickets"]))
            met = count.get("met", 0)
            decided = met + count.get("breached", 0) + count.get("breached while open", 0)
            label = _LABELS.get(metric, metric)
            if decided == 0:
                sentences.append(f"{label}: no decided tickets yet.")
                continue
            estimate, low, high = _wilson(met, decided, self._conf)
            text = (f"{label} target met for {met:,} of {decided:,} decided tickets "
                    f"({float(estimate):.1f}%, {self._conf:.0%} CI {float(low):.1f}% to "
                    f"{float(high):.1f}%; {self.clock} clock)")
            extra = [f"{count[s]:,} {s.replace('breached while open', 'breached while still open')}"
                     for s in ("breached while open", "pending", "no target", "not measurable")
                     if count.get(s, 0)]
            never = int(((self.status["metric"] == metric)
                         & (self.status["reason"] == "never answered (counted as missed)")).sum())
            if never:
                extra.append(f"of the breached, {never:,} never answered (counted as missed)")
            sentences.append(text + ("; " + ", ".join(extra) if extra else "") + ".")
        return " ".join(sentences)

    @property
    def _conf(self) -> float:
        return float(self.table["conf"].iloc[0]) if len(self.table) else 0.95

    def flag_agreement(self, tickets: pd.DataFrame, column: str, *,
                       metric: str = "resolution") -> pd.DataFrame:
        """Cross-tabulate this result against the data's own SLA flag (e.g. ``made_sla``).

        Parameters
        ----------
        tickets : DataFrame
            The tickets passed to :func:`sla_compliance` (same rows, same order).
        column : str
            The data's flag: 1/0, TRUE/FALSE, yes/no.
        metric : str
            The SLA metric to compare.

        Returns
        -------
        DataFrame
            ``toolkit`` (met / breached / other statuses), ``data_flag`` (True, False or
            None), ``tickets`` and ``agree`` (True where met matches a true flag and a
            breach a false one; None where either side is undecided).

        Examples
        --------
        >>> tickets = pd.DataFrame({"created_at": pd.to_datetime(["2024-03-04 09:00"] * 3),
        ...     "resolved_at": pd.to_datetime(["2024-03-04 10:00", "2024-03-04 20:00",
        ...                                    "2024-03-04 11:00"]),
        ...     "made_sla": ["TRUE", "TRUE", "FALSE"]})
        >>> sla = sla_compliance(tickets, {"resolution": 8}, clock="calendar")
        >>> sla.flag_agreement(tickets, "made_sla").values.tolist()
        [['met', False, 1, False], ['met', True, 1, True], ['breached', True, 1, False]]
        """
        require_columns(tickets, [column], "flag_agreement: the tickets have no column "
                        "{missing}; found {found}. Name the data's own SLA flag column.")
        if metric not in set(self.status["metric"]):
            raise ParameterError(
                f"This result has no {metric!r} target (metrics: "
                f"{show_values(self.status['metric'].unique().tolist())}); pass metric= one of them."
            )
        rows = self.status[self.status["metric"] == metric]
        if len(rows) != len(tickets):
            raise ParameterError(
                f"flag_agreement needs the same tickets that were passed to sla_compliance "
                f"({len(rows):,} rows for {metric!r}); got {len(tickets):,}."
            )
        flag = _flag(tickets[column], column).to_numpy()
        toolkit = rows["status"].replace({"breached while open": "breached"}).to_numpy()
        frame = pd.DataFrame({
            "toolkit": toolkit,
            "data_flag": pd.Series(np.where(np.isnan(flag), None, flag == 1), dtype=object),
        })
        out = (frame.assign(tickets=1)
               .groupby(["toolkit", "data_flag"], dropna=False, sort=True)["tickets"].sum()
               .reset_index())
        decided = out["toolkit"].isin(["met", "breached"]) & out["data_flag"].notna()
        agree = (out["toolkit"] == "met") == out["data_flag"].astype(object).eq(True)
        out["agree"] = pd.Series(np.where(decided, agree, None), dtype=object)
        out["_order"] = out["toolkit"].map({"met": 0, "breached": 1}).fillna(2)
        out["_flag"] = out["data_flag"].astype(str)
        out = out.sort_values(["_order", "toolkit", "_flag"], kind="stable")
        out = out.drop(columns=["_order", "_flag"])
        return out.reset_index(drop=True)


def _key_text(value) -> str | None:
    """Target keys and ticket values compared as text ('1' and 1.0 match)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    return str(value).strip()


def _target_table(targets, target_key: str) -> pd.DataFrame:
    """Targets as rows: metric, key columns (None = any), target_hours."""
    if isinstance(targets, pd.DataFrame) or (
            isinstance(targets, Sequence) and not isinstance(targets, str)
            and all(isinstance(t, Mapping) for t in targets)):
        table = pd.DataFrame(targets).copy()
        missing = [c for c in ("metric", "target_hours") if c not in table.columns]
        if missing:
            raise MissingColumnError(
                f"The targets table lacks the column(s) {', '.join(missing)}; it has "
                f"{show_values(list(table.columns))}. Give one row per target with metric "
                "('first_response' or 'resolution'), target_hours and the key columns "
                "(priority and/or channel; empty or '*' = any value)."
            )
    elif isinstance(targets, Mapping):
        rows = []
        for metric, spec in targets.items():
            if isinstance(spec, Mapping):
                for key, hours in spec.items():
                    rows.append({"metric": metric, target_key: key, "target_hours": hours})
            else:
                rows.append({"metric": metric, target_key: None, "target_hours": spec})
        table = pd.DataFrame(rows, columns=["metric", target_key, "target_hours"])
    else:
        raise ParameterError(
            "targets must be a mapping such as {'first_response': {'urgent': 1, 'high': 4}, "
            "'resolution': {'urgent': 8}} (hours by priority), or a table with the columns "
            f"metric, target_hours, priority and/or channel; got {targets!r}."
        )
    if table.empty:
        raise ParameterError("targets is empty: give at least one target, e.g. {'first_response': 4}.")
    keys = [c for c in table.columns if c not in ("metric", "target_hours")]
    table["metric"] = table["metric"].astype(str).str.strip()
    unknown = sorted(set(table["metric"]) - set(SLA_METRICS))
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(SLA_METRICS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ParameterError(
            f"Unknown SLA metric {show_values(unknown)}{hint} in targets; use "
            f"{', '.join(map(repr, SLA_METRICS))}."
        )
    hours = pd.to_numeric(table["target_hours"], errors="coerce")
    bad = hours.isna() | ~np.isfinite(hours) | (hours <= 0)
    if bad.any():
        where = [f"{m} {_describe_keys(r, keys)}: {v!r}" for m, r, v in
                 zip(table.loc[bad, "metric"], table.loc[bad, keys].to_dict("records"),
                     table.loc[bad, "target_hours"])]
        raise ParameterError(
            f"SLA targets must be positive numbers of hours; got {'; '.join(where[:5])}. "
            "Write each target as hours, for example 0.5 for 30 minutes."
        )
    table["target_hours"] = hours.astype(float)
    for key in keys:
        table[key] = pd.Series([None if _key_text(v) is None or _key_text(v).lower() in _WILDCARDS
                                else _key_text(v) for v in table[key]], index=table.index,
                               dtype=object)
    keys = [k for k in keys if table[k].notna().any()]  # all "any": not a key
    duplicated = table.duplicated(["metric", *keys], keep=False)
    if duplicated.any():
        where = {f"{m} {_describe_keys(r, keys)}" for m, r in
                 zip(table.loc[duplicated, "metric"], table.loc[duplicated, keys].to_dict("records"))}
        raise ParameterError(
            f"targets gives the same target twice: {show_values(sorted(where))}. Keep one row "
            "per metric and key."
        )
    return table[["metric", *keys, "target_hours"]].reset_index(drop=True)


def _describe_keys(row: Mapping, keys: list[str]) -> str:
    named = [f"{k}={row[k]!r}" for k in keys if _key_text(row[k]) is not None
             and _key_text(row[k]).lower() not in _WILDCARDS]
    return "(" + (", ".join(named) if named else "any ticket") + ")"


def _assign_targets(tickets: pd.DataFrame, table: pd.DataFrame, metric: str,
                    warnings: list[str]) -> np.ndarray:
    """The target (hours) of each ticket for one metric; NaN where none applies."""
    keys = [c for c in table.columns if c not in ("metric", "target_hours")]
    rows = table[table["metric"] == metric]
    hours = np.full(len(tickets), np.nan)
    level = np.full(len(tickets), -1)
    winner = np.full(len(tickets), -1)
    values = {k: np.asarray([_key_text(v) for v in tickets[k]], dtype=object) for k in keys}
    specific = rows[keys].notna().sum(axis=1) if keys else pd.Series(0, index=rows.index)
    for index in specific.sort_values(kind="stable").index:
        row = rows.loc[index]
        mask = np.ones(len(tickets), dtype=bool)
        for key in keys:
            if _key_text(row[key]) is not None:
                mask &= values[key] == row[key]
        clash = mask & (level == specific[index]) & (hours != row["target_hours"])
        if clash.any():
            other = rows.loc[winner[np.flatnonzero(clash)[0]]]
            raise ParameterError(
                f"Two {metric} targets apply to the same {int(clash.sum()):,} tickets: "
                f"{_describe_keys(other, keys)} and {_describe_keys(row, keys)}. Add a row for "
                "the combination (for example priority and channel together) so that one "
                "target is the most specific."
            )
        hours[mask] = row["target_hours"]
        level[mask] = specific[index]
        winner[mask] = index
        for key in keys:
            if _key_text(row[key]) is not None and not (values[key] == row[key]).any():
                seen = sorted({v for v in values[key] if v is not None})
                warnings.append(
                    f"The {metric} target for {key} {row[key]!r} matches no ticket (values in "
                    f"the data: {show_values(seen)}); check its spelling."
                )
    return hours


def sla_compliance(
    tickets: pd.DataFrame,
    targets: Mapping | pd.DataFrame | Sequence[Mapping],
    *,
    by: str | Sequence[str] | None = None,
    clock: str = "business",
    schedule: Schedule | Mapping | None = None,
    schedules: Mapping | None = None,
    by_column: str | None = None,
    as_of=None,
    target_key: str = "priority",
    source_timezone: str | None = None,
    conf: float = 0.95,
    min_n: int = 30,
    unanswered: str = "not measurable",
) -> SlaResult:
    """Share of tickets that met their first-response and resolution targets.

    Each ticket and metric gets a status:

    - ``met``: the event (first response, resolution) came within the target
      (an event exactly at the target meets it);
    - ``breached``: it came later;
    - ``breached while open``: no event yet, and ``as_of`` is already past the target
      (counted as breached: the target cannot be met any more);
    - ``pending``: no event yet and the target not yet passed (left out of the share);
    - ``no target``: no target applies to the ticket's priority/channel (counted);
    - ``not measurable``: a missing or inconsistent time stamp (``reason`` says which).

    The share met among decided tickets (met + breached) gets a Wilson interval.

    Parameters
    ----------
    tickets : DataFrame
        Canonical tickets with ``created_at`` and ``first_response_at`` /
        ``resolved_at`` for the metrics targeted. Without those time stamps, precomputed
        durations in hours are used: ``first_response_hours`` / ``resolution_hours``
        (calendar clock) or ``first_response_business_hours`` /
        ``resolution_business_hours`` (business clock).
    targets : mapping or table
        Hours per metric, by priority: ``{"first_response": {"urgent": 1, "high": 4,
        "normal": 8, "low": 24}, "resolution": {...}}``; a key ``"*"`` applies to every
        other value, a number instead of a mapping to all tickets. Or a table (DataFrame
        or list of records) with ``metric``, ``target_hours`` and key columns such as
        ``priority`` and ``channel`` (empty or ``"*"`` = any value); the most specific
        matching row wins.
    by : str or list of str, optional
        Segment columns for the table (``agent``, ``team``, ``channel``, ``priority``).
    clock : {"business", "calendar"}
        Count elapsed business hours (needs ``schedule`` or ``schedules``) or calendar
        hours.
    schedule, schedules, by_column, source_timezone
        As for :func:`response_durations`.
    as_of : date and time
        When the data was extracted; required when open tickets exist (the clock of the
        computer is never read).
    target_key : str
        The column the keys of a mapping ``targets`` refer to (default ``priority``;
        ``channel`` for targets by channel).
    conf, min_n
        Confidence level; groups with fewer decided tickets are flagged ``small_n``.
    unanswered : {"not measurable", "breached"}
        With precomputed durations, a ticket without one (an abandoned call, never
        answered) is ``not measurable`` (default) or ``breached`` (the call-centre
        convention: an abandoned call missed the service level); ``reason`` says so.

    Returns
    -------
    SlaResult
        ``.table``, ``.breaches``, ``.status``, ``.targets``, ``.accounting``,
        ``.warnings`` and ``.summary()``.

    Raises
    ------
    ParameterError
        Unknown metric, a target that is not a positive number, two equally specific
        targets for the same tickets, ``clock="business"`` without a schedule, or open
        tickets without ``as_of``.

    Examples
    --------
    >>> office = Schedule({"mon-fri": "08:00-18:00"}, timezone="Europe/London")
    >>> tickets = pd.DataFrame({
    ...     "ticket_id": ["A", "B", "C"], "priority": ["high", "high", "low"],
    ...     "created_at": pd.to_datetime(["2024-03-01 16:00", "2024-03-04 09:00",
    ...                                   "2024-03-04 09:00"]),
    ...     "first_response_at": pd.to_datetime(["2024-03-04 09:00", None, None])})
    >>> result = sla_compliance(tickets, {"first_response": {"high": 4, "low": 24}},
    ...                         schedule=office, as_of="2024-03-04 15:00")
    >>> result.status[["ticket_id", "status", "elapsed_hours"]]
      ticket_id               status  elapsed_hours
    0         A                  met            3.0
    1         B  breached while open            6.0
    2         C              pending            6.0
    """
    _check_frame(tickets, "tickets")
    if unanswered not in ("not measurable", "breached"):
        raise ParameterError(f"unanswered must be 'not measurable' or 'breached'; got {unanswered!r}.")
    stats.z_value(conf)
    min_n = _check_min_n(min_n)
    if clock not in ("business", "calendar"):
        raise ParameterError(f"clock must be 'business' or 'calendar'; got {clock!r}.")
    if clock == "business" and schedule is None and schedules is None:
        raise ParameterError(
            "clock='business' needs business hours: pass schedule=Schedule({'mon-fri': "
            "'08:00-18:00'}, timezone='Europe/London') (or schedules= with by_column=), or "
            "use clock='calendar'."
        )
    keys = as_keys(by)
    require_columns(tickets, keys, "sla_compliance(by=...) names {missing}, which the tickets "
                    "do not have; found {found}.")
    table = _target_table(targets, target_key)
    target_keys = [c for c in table.columns if c not in ("metric", "target_hours")]
    require_columns(tickets, target_keys, "The SLA targets are keyed by {missing}, which the "
                    "tickets do not have; found {found}. Map that column when loading, or set "
                    "target_key= to the column the targets refer to.")
    metrics = [m for m in SLA_METRICS if m in set(table["metric"])]
    warnings: list[str] = []
    per_row = _schedule_rows(tickets, schedule, schedules, by_column) if clock == "business" else None
    needs_times = any(SLA_METRICS[m] in tickets.columns for m in metrics)
    durations = (response_durations(tickets, schedule=schedule, schedules=schedules,
                                    by_column=by_column, as_of=as_of,
                                    source_timezone=source_timezone)
                 if needs_times or "created_at" in tickets.columns else None)
    stamp = _parse_as_of(as_of, _times(tickets, "created_at") if "created_at" in tickets else None)
    parts = []
    for metric in metrics:
        hours = _assign_targets(tickets, table, metric, warnings)
        part = _metric_status(tickets, durations, metric, hours, clock, stamp, unanswered)
        parts.append(part)
    status = pd.concat(parts, ignore_index=True)
    _warn_without_target(status, tickets, target_keys, warnings)
    decorated = _decorate(status, tickets, keys)
    return SlaResult(
        table=_sla_table(decorated, keys, clock, per_row, conf, min_n),
        breaches=_breaches(decorated, tickets, keys, clock, per_row, source_timezone),
        status=decorated[[c for c in ("ticket_id", *keys) if c in decorated]
                         + ["metric", "status", "reason", "target_hours", "elapsed_hours",
                            "over_by_hours"]].reset_index(drop=True),
        targets=table,
        accounting=_sla_accounting(status),
        clock=clock,
        as_of=stamp,
        warnings=list(dict.fromkeys(warnings)),
    )


def _metric_status(tickets, durations, metric, hours, clock, stamp,
                   unanswered: str = "not measurable") -> pd.DataFrame:
    """Status, elapsed and overrun of every ticket for one metric."""
    n = len(tickets)
    tag = "business_" if clock == "business" else ""
    reason = np.full(n, "", dtype=object)
    if SLA_METRICS[metric] in tickets.columns:
        issue = durations["duration_issue"].fillna("").to_numpy(dtype=object)
        if metric == "resolution":
            issue = np.where(issue == "resolved without a recorded first response", "", issue)
        reason = issue
        done = durations["responded" if metric == "first_response" else "resolved"].to_numpy(bool)
        elapsed = durations[f"{metric}_{tag}hours"].to_numpy(float)
        waited = durations[f"{metric}_open_{tag}hours"].to_numpy(float)
        still_open = (reason == "") & ~done & ~np.isnan(hours)
        if metric == "first_response":
            still_open &= ~durations["resolved"].to_numpy(bool)
        if still_open.any() and stamp is None:
            column = SLA_METRICS[metric]
            raise ParameterError(
                f"{int(still_open.sum()):,} tickets have no {column} yet (still open), so their "
                f"{metric.replace('_', ' ')} SLA depends on when the data was extracted. Pass "
                "as_of= with that date and time, for example as_of='2024-12-31 23:59' (the "
                "computer's clock is never used)."
            )
    else:
        column = f"{metric}_{tag}hours"
        if column not in tickets.columns:
            raise MissingColumnError(
                f"The {metric.replace('_', ' ')} target needs {SLA_METRICS[metric]!r} (with "
                f"created_at) or a precomputed {column!r} column; the tickets have "
                f"{show_values(list(tickets.columns), 12)}. Map the time stamp when loading, "
                "or derive the duration in hours."
            )
        elapsed = pd.to_numeric(tickets[column], errors="coerce").to_numpy(float)
        negative = elapsed < 0
        if negative.any():
            raise DataError(
                f"{int(negative.sum()):,} values of {column!r} are negative "
                f"({show_values(elapsed[negative].tolist())}); durations cannot be. Fix them or "
                "set them to missing."
            )
        done = ~np.isnan(elapsed)
        waited = np.full(n, np.nan)
        still_open = np.zeros(n, dtype=bool)
        reason = np.where(done, "", f"no {column}")
        if unanswered == "breached":  # never answered: missed, whatever the target
            missed = ~done & ~np.isnan(hours)
            done = done | missed
            elapsed = np.where(missed, np.inf, elapsed)
            reason = np.where(missed, "", reason)
    eps = 1e-9
    status = np.select(
        [reason != "", np.isnan(hours), done & (elapsed <= hours + eps), done,
         still_open & (waited > hours + eps), still_open],
        ["not measurable", "no target", "met", "breached", "breached while open", "pending"],
        default="not measurable",
    )
    reason = np.where((status == "not measurable") & (reason == ""), "no time stamp", reason)
    reason = np.where(np.isinf(elapsed) & (status == "breached"),
                      "never answered (counted as missed)", reason)
    shown = np.where(done & np.isfinite(elapsed), elapsed, np.where(done, np.nan, waited))
    over = np.where(np.isin(status, ["breached", "breached while open"]), shown - hours, np.nan)
    return pd.DataFrame({
        "_row": np.arange(n),
        "metric": metric,
        "status": status,
        "reason": pd.Series(np.where(reason == "", None, reason), dtype=object),
        "target_hours": hours,
        "elapsed_hours": np.where(status == "not measurable", np.nan, shown),
        "over_by_hours": over,
    })


def _warn_without_target(status, tickets, target_keys, warnings) -> None:
    for metric, part in status.groupby("metric", sort=False):
        rows = part.loc[part["status"] == "no target", "_row"].to_numpy()
        if rows.size:
            values = (tickets.iloc[rows][target_keys].astype(str).agg(" / ".join, axis=1).tolist()
                      if target_keys else [])
            warnings.append(
                f"{rows.size:,} tickets have no {metric} target (" +
                (f"{' / '.join(target_keys)} {show_values(values)}" if values else "none given") +
                "): counted as 'no target' and left out of the share met. Add targets for "
                "them, or a '*' target for every other value."
            )


def _decorate(status: pd.DataFrame, tickets: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    extra = [c for c in dict.fromkeys(["ticket_id", *keys, "priority", "channel", "agent",
                                       "team", "created_at"]) if c in tickets.columns]
    side = tickets[extra].reset_index(drop=True)
    return pd.concat([side.iloc[status["_row"].to_numpy()].reset_index(drop=True),
                      status.reset_index(drop=True)], axis=1)


def _clock_name(clock: str, per_row) -> str:
    if clock == "calendar":
        return "calendar hours"
    if isinstance(per_row, Schedule):
        return f"business hours of schedule {per_row.name!r} ({per_row.timezone})"
    return "business hours (one schedule per row)"


def _sla_table(status, keys, clock, per_row, conf, min_n) -> pd.DataFrame:
    names = {"met": "met", "breached": "breached", "breached while open": "breached_open",
             "pending": "pending", "no target": "no_target", "not measurable": "not_measurable"}
    counts = (status.assign(_one=1)
              .pivot_table(index=[*keys, "metric"], columns="status", values="_one",
                           aggfunc="sum", fill_value=0, dropna=False, observed=True)
              .reindex(columns=list(names), fill_value=0)
              .rename(columns=names))
    counts.columns.name = None
    counts = counts.reset_index()
    counts["breached"] = counts["breached"] + counts["breached_open"]
    counts["tickets"] = counts[list(names.values())].sum(axis=1) - counts["breached_open"]
    counts["n"] = counts["met"] + counts["breached"]
    estimate, low, high = _wilson(counts["met"], counts["n"], conf)
    counts["estimate"], counts["ci_low"], counts["ci_high"] = estimate, low, high
    counts["conf"] = conf
    counts["method"] = (f"Wilson score interval; share met among decided tickets (breached "
                        "while open counts as breached, pending left out); "
                        f"{_clock_name(clock, per_row)}")
    counts["small_n"] = counts["n"] < min_n
    order = {m: i for i, m in enumerate(SLA_METRICS)}
    counts = counts.sort_values([*keys, "metric"], key=lambda s: s.map(order) if s.name == "metric"
                                else s, kind="stable")
    columns = [*keys, "metric", "tickets", "met", "breached", "breached_open", "pending",
               "no_target", "not_measurable", "n", "estimate", "ci_low", "ci_high", "conf",
               "method", "small_n"]
    return counts[columns].reset_index(drop=True)


def _breaches(status, tickets, keys, clock, per_row, source_timezone) -> pd.DataFrame:
    rows = status[status["status"].isin(["breached", "breached while open"])].copy()
    if "created_at" in rows.columns and len(rows):
        created = _times(tickets, "created_at").reset_index(drop=True).iloc[rows["_row"].to_numpy()]
        created = created.reset_index(drop=True)
        if clock == "business":
            sched = per_row if isinstance(per_row, Schedule) else \
                pd.Series(np.asarray(per_row, dtype=object)[rows["_row"].to_numpy()], dtype=object)
        else:
            sched = _calendar_schedule(None, source_timezone)
        due = add_business_time(created, rows["target_hours"].to_numpy(), sched,
                                source_timezone=source_timezone)
        rows["due_at"] = due.to_numpy()
    columns = [c for c in dict.fromkeys(["ticket_id", "metric", "status", "target_hours",
                                         "elapsed_hours", "over_by_hours", "created_at",
                                         "due_at", "priority", "channel", "agent", "team", *keys])
               if c in rows.columns]
    rows = rows.sort_values(["over_by_hours", "_row"], ascending=[False, True], kind="stable")
    return rows[columns].reset_index(drop=True)


def _sla_accounting(status: pd.DataFrame) -> pd.DataFrame:
    counts = status.groupby(["metric", "status"], sort=False).size()
    rows = [{"metric": metric, "status": name, "tickets": int(counts.get((metric, name), 0))}
            for metric in status["metric"].unique() for name in SLA_STATUSES]
    return pd.DataFrame(rows, columns=["metric", "status", "tickets"])


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


# --- resolution quality -------------------------------------------------------------------


_FCR_DEFINITIONS = ("contacts", "one_touch")


def _fcr_parts(tickets: pd.DataFrame, method: str, reopen_window_days: float
               ) -> tuple[pd.DataFrame, list[str]]:
    """Per ticket: decided, resolved, fcr, reopened (NaN where unknown), and notes."""
    notes: list[str] = []
    n = len(tickets)
    if "resolved_at" in tickets.columns:
        resolved_at = _times(tickets, "resolved_at")
        resolved = resolved_at.notna().to_numpy(float)
        decided = resolved.astype(bool)
    elif "resolved" in tickets.columns:
        flag = _flag(tickets["resolved"], "resolved").to_numpy()
        resolved, decided = np.nan_to_num(flag), ~np.isnan(flag)
        resolved_at = None
    else:
        raise MissingColumnError(
            f"resolution_quality needs resolved_at (time stamps) or a resolved flag (1/0, Y/N); "
            f"the tickets have {show_values(list(tickets.columns), 12)}. Map one of them."
        )
    reopened = np.zeros(n)
    if "reopened_at" in tickets.columns and resolved_at is not None:
        again = _times(tickets, "reopened_at")
        gap = (again - resolved_at).dt.total_seconds().to_numpy() / 86400
        reopened = np.where(again.notna().to_numpy(), (gap >= 0) & (gap <= reopen_window_days), 0.0)
        reopen_text = f"not reopened within {reopen_window_days:g} days (reopened_at)"
    elif "reopened" in tickets.columns:
        reopened = _flag(tickets["reopened"], "reopened").to_numpy()
        reopen_text = "not reopened (the reopened flag as recorded: no reopened_at to apply the " \
                      f"{reopen_window_days:g}-day window)"
    else:
        reopen_text = "no reopen data (every resolved ticket counted as not reopened)"
        notes.append("No reopened or reopened_at column: reopens cannot be counted, so FCR "
                     "equals resolution with one contact.")
    if method == "contacts":
        require_columns(tickets, ["contacts"], "FCR with method='contacts' needs the column "
                        "{missing} (customer contacts to resolve); found {found}. Map it, or use "
                        "method='one_touch' with an agent_replies column.")
        touches = pd.to_numeric(tickets["contacts"], errors="coerce").to_numpy(float)
        definition = f"FCR: resolved with one customer contact and {reopen_text}"
        fcr = (resolved == 1) & (touches == 1) & (np.nan_to_num(reopened) == 0)
    else:
        column = "agent_replies" if "agent_replies" in tickets.columns else "contacts"
        require_columns(tickets, [column], "method='one_touch' needs agent_replies (agent "
                        "replies per ticket) or contacts; found {found}.")
        touches = pd.to_numeric(tickets[column], errors="coerce").to_numpy(float)
        definition = ("one-touch resolution: resolved with a single "
                      + ("agent reply" if column == "agent_replies"
                         else "contact (proxy: no agent_replies column)")
                      + "; reopens ignored")
        fcr = (resolved == 1) & (touches == 1)
    known = decided & ~(np.isnan(touches) & (resolved == 1))
    contacts = (pd.to_numeric(tickets["contacts"], errors="coerce").to_numpy(float)
                if "contacts" in tickets.columns else np.full(n, np.nan))
    frame = pd.DataFrame({"decided": known, "resolved": resolved == 1,
                          "fcr": np.where(known, fcr, np.nan), "reopened": reopened,
                          "contacts": contacts}, index=tickets.index)
    return frame, [definition, *notes]


def resolution_quality(
    tickets: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    reopen_window_days: float = 7,
    method: str = "contacts",
    conf: float = 0.95,
    min_n: int = 30,
    handle_unit: str = "minutes",
) -> pd.DataFrame:
    """First-contact resolution, handle time, contacts per ticket and reopen rate.

    Definitions (each row names its own in ``method``):

    - ``fcr`` with ``method="contacts"``: the share of decided tickets resolved with one
      customer contact and not reopened within ``reopen_window_days`` of the resolution
      (the window needs a ``reopened_at`` column; with only a ``reopened`` 0/1 flag the
      flag is taken as recorded, and the method says so). With
      ``method="one_touch"``: resolved with a single agent reply (``agent_replies``
      column; without it, a single contact is the proxy), reopens ignored, as
      helpdesks' "one-touch tickets" count them. Decided tickets are the resolved ones
      (``resolved_at`` present); with a ``resolved`` flag column instead (call-centre
      data), every flagged ticket is decided and unresolved ones count against FCR.
      Beside it: SQM's call-centre benchmarks (70% average, 80% world class;
      :data:`FCR_BENCHMARKS`), which are measured by post-call surveys, not from
      tickets.
    - ``aht_mean`` / ``aht_median``: handle time (``handle_time`` in seconds) in
      ``handle_unit``, mean with a t interval, median with an order-statistic interval.
    - ``contacts_per_ticket``: mean contacts of resolved tickets, t interval.
    - ``reopen_rate``: share of resolved tickets reopened (within the window when
      ``reopened_at`` exists), Wilson interval.

    Parameters
    ----------
    tickets : DataFrame
    by : str or list of str, optional
    reopen_window_days : float
    method : {"contacts", "one_touch"}
        The FCR definition.
    conf, min_n
    handle_unit : {"minutes", "seconds", "hours"}

    Returns
    -------
    DataFrame
        One row per group and metric (those the columns allow): the ``by`` columns,
        ``metric``, ``unit``, ``n``, ``n_missing`` (tickets in scope without the value),
        ``estimate``, ``ci_low``, ``ci_high``, ``conf``, ``method``, ``small_n``, and for
        ``fcr`` ``benchmark_average``, ``benchmark_world_class``, ``verdict_average``,
        ``verdict_world_class``, ``benchmark_source``.

    Examples
    --------
    >>> tickets = pd.DataFrame({
    ...     "resolved_at": pd.to_datetime(["2024-03-01"] * 4 + [None]),
    ...     "contacts": [1, 1, 2, 1, 1], "reopened": [0, 1, 0, 0, 0],
    ...     "handle_time": [300, 600, 900, 1200, 600]})
    >>> out = resolution_quality(tickets, min_n=2)
    >>> out[["metric", "n", "estimate"]].round(2).values.tolist()
    [['fcr', 4, 50.0], ['aht_mean', 5, 12.0], ['aht_median', 5, 10.0], ['contacts_per_ticket', 4, 1.25], ['reopen_rate', 4, 25.0]]
    """
    _check_frame(tickets, "tickets")
    stats.z_value(conf)
    min_n = _check_min_n(min_n)
    if method not in _FCR_DEFINITIONS:
        raise ParameterError(f"method must be 'contacts' (FCR) or 'one_touch'; got {method!r}.")
    if handle_unit not in _UNIT_SECONDS:
        raise ParameterError(
            f"handle_unit must be one of {', '.join(_UNIT_SECONDS)}; got {handle_unit!r}.")
    if isinstance(reopen_window_days, bool) or not isinstance(reopen_window_days, (int, float)) \
            or not reopen_window_days > 0:
        raise ParameterError(
            f"reopen_window_days must be a positive number of days; got {reopen_window_days!r}.")
    keys = as_keys(by)
    require_columns(tickets, keys, "resolution_quality(by=...) names {missing}, which the "
                    "tickets do not have; found {found}.")
    parts, notes = _fcr_parts(tickets, method, reopen_window_days)
    definition = notes[0]
    handle = (pd.to_numeric(tickets["handle_time"], errors="coerce").to_numpy(float)
              / _UNIT_SECONDS[handle_unit] if "handle_time" in tickets.columns else None)
    frame = tickets[keys].reset_index(drop=True).assign(
        **{f"_{c}": parts[c].to_numpy() for c in parts.columns})
    if handle is not None:
        frame["_handle"] = handle
    rows = []
    for group, part in _groups(frame, keys):
        base = dict(zip(keys, group))
        rows.extend(base | row for row in _quality_rows(
            part, handle is not None, "contacts" in tickets.columns, definition, handle_unit, conf))
    out = pd.DataFrame(rows)
    out["conf"] = conf
    out["small_n"] = out["n"] < min_n
    out = _add_fcr_benchmarks(out)
    columns = [*keys, "metric", "unit", "n", "n_missing", "estimate", "ci_low", "ci_high",
               "conf", "method", "small_n", "benchmark_average", "benchmark_world_class",
               "verdict_average", "verdict_world_class", "benchmark_source"]
    return out[columns].reset_index(drop=True)


def _quality_rows(part: pd.DataFrame, has_handle: bool, has_contacts: bool, definition: str,
                  handle_unit: str, conf: float) -> list[dict]:
    rows = []
    decided = part["_decided"].to_numpy(bool)
    fcr = part["_fcr"].to_numpy(float)[decided]
    scope = part["_resolved"].to_numpy(bool) | decided
    estimate, low, high = _wilson(np.nansum(fcr), fcr.size, conf)
    rows.append({"metric": "fcr", "unit": "%", "n": fcr.size,
                 "n_missing": int((scope & ~decided).sum()),
                 "estimate": float(estimate), "ci_low": float(low), "ci_high": float(high),
                 "method": f"Wilson score interval; {definition}"})
    if has_handle:
        values = part["_handle"].to_numpy(float)
        timed = values[~np.isnan(values)]
        mean = float(timed.mean()) if timed.size else np.nan
        sd = float(timed.std(ddof=1)) if timed.size > 1 else np.nan
        low, high = stats.mean_interval(mean, sd, timed.size, conf=conf)
        rows.append({"metric": "aht_mean", "unit": handle_unit, "n": timed.size,
                     "n_missing": int(np.isnan(values).sum()), "estimate": mean,
                     "ci_low": low, "ci_high": high,
                     "method": "t interval; mean handle time (handle_time) per ticket"})
        estimate, low, high = quantile_interval(timed, 0.5, conf=conf)
        rows.append({"metric": "aht_median", "unit": handle_unit, "n": timed.size,
                     "n_missing": int(np.isnan(values).sum()), "estimate": estimate,
                     "ci_low": low, "ci_high": high,
                     "method": f"median handle time; {_QUANTILE_METHOD}"})
    resolved = part["_resolved"].to_numpy(bool)
    if has_contacts:
        contacts = part["_contacts"].to_numpy(float)[resolved]
        known = contacts[~np.isnan(contacts)]
        mean = float(known.mean()) if known.size else np.nan
        sd = float(known.std(ddof=1)) if known.size > 1 else np.nan
        low, high = stats.mean_interval(mean, sd, known.size, conf=conf)
        rows.append({"metric": "contacts_per_ticket", "unit": "contacts", "n": known.size,
                     "n_missing": int(np.isnan(contacts).sum()), "estimate": mean,
                     "ci_low": low, "ci_high": high,
                     "method": "t interval; mean customer contacts per resolved ticket"})
    reopened = part["_reopened"].to_numpy(float)[resolved]
    flagged = reopened[~np.isnan(reopened)]
    estimate, low, high = _wilson(flagged.sum(), flagged.size, conf)
    rows.append({"metric": "reopen_rate", "unit": "%", "n": flagged.size,
                 "n_missing": int(np.isnan(reopened).sum()), "estimate": float(estimate),
                 "ci_low": float(low), "ci_high": float(high),
                 "method": "Wilson score interval; share of resolved tickets reopened"})
    return rows


def _add_fcr_benchmarks(out: pd.DataFrame) -> pd.DataFrame:
    out = out.copy()
    table = load_benchmarks().set_index("benchmark_id")
    average, world = (table.loc[FCR_BENCHMARKS[k]] for k in ("average", "world_class"))
    fcr = out["metric"] == "fcr"
    out["benchmark_average"] = np.where(fcr, float(average["low"]), np.nan)
    out["benchmark_world_class"] = np.where(fcr, float(world["low"]), np.nan)
    for name, bench_id in (("verdict_average", FCR_BENCHMARKS["average"]),
                           ("verdict_world_class", FCR_BENCHMARKS["world_class"])):
        out[name] = pd.Series(None, index=out.index, dtype=object)
        if fcr.any():
            compared = compare_to_benchmark(
                out.loc[fcr, ["n", "estimate", "ci_low", "ci_high", "small_n"]], bench_id)
            out.loc[fcr, name] = compared["verdict"].astype(object).to_numpy()
    out["benchmark_source"] = pd.Series(
        np.where(fcr, f"{average['source']}; {world['source']} (post-call surveys)", None),
        index=out.index, dtype=object)
    return out


# --- deflection --------------------------------------------------------------------------


@dataclass
class DeflectionResult:
    """Outcome of :func:`deflection`.

    Attributes
    ----------
    table : DataFrame
        One row per period: ``period``, ``self_service``, ``assisted``, ``n`` (all
        contacts), ``estimate`` (% self-service) with ``ci_low``, ``ci_high``, ``conf``,
        ``method``, ``small_n``; ``deflection_ratio`` (self-service per assisted contact)
        with ``ratio_ci_low``, ``ratio_ci_high``; ``assisted_cost`` and
        ``self_service_cost`` (average cost per contact, weighted by the channel mix),
        ``deflected`` (self-service contacts that would otherwise have reached an agent)
        and ``cost_avoided``.
    overall : DataFrame
        The same columns over all periods (``period`` is ``"all"``).
    by_channel : DataFrame
        ``period``, ``channel``, ``kind``, ``contacts``, ``share`` (% of the period's
        contacts), ``cost_per_contact``, ``cost``.
    costs : DataFrame
        ``channel``, ``kind``, ``cost_per_contact``, ``source``: the costs used.
    assumptions : list of str
        The assumptions behind the cost avoided, as sentences to print.
    accounting : DataFrame
        ``item``, ``rows``: rows read, used, set aside by reason.
    """

    table: pd.DataFrame
    overall: pd.DataFrame
    by_channel: pd.DataFrame
    costs: pd.DataFrame
    assumptions: list[str]
    accounting: pd.DataFrame

    def summary(self) -> str:
        """One sentence over all periods.

        Examples
        --------
        >>> volume = pd.DataFrame({"date": ["2024-01-02"] * 3,
        ...     "channel": ["phone", "email", "help_center"],
        ...     "kind": ["assisted", "assisted", "self_service"], "contacts": [10, 10, 30]})
        >>> deflection(volume, costs={"phone": 12, "email": 4, "help_center": 0.25}).summary()
        'Self-service handled 30 of 50 contacts (60.0%, 95% CI 46.2% to 72.4%): 1.50 self-service contacts per assisted one; cost avoided up to 230 USD (see the assumptions).'
        """
        row = self.overall.iloc[0]
        return (f"Self-service handled {int(row['self_service']):,} of {int(row['n']):,} contacts "
                f"({row['estimate']:.1f}%, {row['conf']:.0%} CI {row['ci_low']:.1f}% to "
                f"{row['ci_high']:.1f}%): {row['deflection_ratio']:.2f} self-service contacts per "
                f"assisted one; cost avoided {_bound_word(self.assumptions)}"
                f"{_round_money(row['cost_avoided'])} USD (see the assumptions).")


def _bound_word(assumptions: list[str]) -> str:
    """ "up to " when every self-service contact is assumed to replace an assisted one."""
    return "up to " if any(a.startswith("100% of self-service contacts") for a in assumptions) \
        else "about "


def _round_money(value: float) -> str:
    """Two significant figures: an estimate resting on assumed costs has no cents."""
    if not np.isfinite(value) or value == 0:
        return f"{value:,.0f}"
    magnitude = int(np.floor(np.log10(abs(value))))
    if magnitude >= 1:
        return f"{round(value, 1 - magnitude):,.0f}"
    return f"{value:,.{1 - magnitude}f}"


def _cost_table(costs, channels: pd.DataFrame) -> pd.DataFrame:
    if costs is None:
        given = dict(DEFAULT_COSTS)
    elif isinstance(costs, Mapping):
        given = dict(DEFAULT_COSTS) | dict(costs)
    else:
        raise ParameterError(
            "costs must map channels to a cost per contact, for example {'phone': 12, "
            f"'email': 4.42, 'help_center': 0.25}}; got {costs!r}."
        )
    bad = {k: v for k, v in given.items()
           if isinstance(v, bool) or not isinstance(v, (int, float, np.number))
           or not math.isfinite(v) or v < 0}
    if bad:
        raise ParameterError(
            "costs must be numbers of 0 or more (cost per contact); got "
            f"{show_values([f'{k}={v!r}' for k, v in bad.items()])}."
        )
    missing = sorted(set(channels["channel"]) - set(given))
    if missing:
        raise ParameterError(
            f"No cost per contact for channel(s) {show_values(missing)}. Pass costs= with them, "
            f"for example costs={{{missing[0]!r}: 2.5}} (defaults exist for "
            f"{', '.join(DEFAULT_COSTS)})."
        )
    rows = []
    for channel, kind in channels[["channel", "kind"]].itertuples(index=False):
        user = costs is not None and isinstance(costs, Mapping) and channel in costs
        rows.append({"channel": channel, "kind": kind, "cost_per_contact": float(given[channel]),
                     "source": "given in costs=" if user else _COST_NOTES.get(channel, "default")})
    return pd.DataFrame(rows, columns=["channel", "kind", "cost_per_contact", "source"])


def _deflection_rows(frame: pd.DataFrame, costs: dict, self_kinds, deflected_share, conf,
                     min_n) -> dict:
    is_self = frame["kind"].isin(self_kinds).to_numpy()
    contacts = frame["contacts"].to_numpy(float)
    price = frame["channel"].map(costs).to_numpy(float)
    self_n, assisted_n = contacts[is_self].sum(), contacts[~is_self].sum()
    total = self_n + assisted_n
    estimate, low, high = _wilson(self_n, total, conf)
    with np.errstate(divide="ignore", invalid="ignore"):
        assisted_cost = (contacts[~is_self] * price[~is_self]).sum() / assisted_n
        self_cost = (contacts[is_self] * price[is_self]).sum() / self_n
        ratio = self_n / assisted_n if assisted_n else np.nan
    deflected = deflected_share * self_n
    # No self-service: nothing avoided; no assisted contacts: no cost to compare with.
    avoided = 0.0 if not self_n else deflected * (assisted_cost - self_cost) if assisted_n \
        else np.nan
    odds = (lambda p: p / (100 - p) if p < 100 else np.nan)
    return {"self_service": self_n, "assisted": assisted_n, "n": total,
            "estimate": float(estimate), "ci_low": float(low), "ci_high": float(high),
            "conf": conf, "small_n": total < min_n,
            "deflection_ratio": ratio, "ratio_ci_low": odds(float(low)),
            "ratio_ci_high": odds(float(high)),
            "assisted_cost": assisted_cost, "self_service_cost": self_cost,
            "deflected": deflected, "cost_avoided": avoided}


def deflection(
    volume: pd.DataFrame,
    *,
    period: str = "M",
    costs: Mapping[str, float] | None = None,
    assisted_kinds: Sequence[str] = ("assisted",),
    self_kinds: Sequence[str] = ("self_service",),
    deflected_share: float = 1.0,
    conf: float = 0.95,
    min_n: int = 30,
    self_channels: Sequence[str] = (),
) -> DeflectionResult:
    """Self-service against assisted contacts per period, and the cost avoided.

    The deflection ratio is self-service contacts per assisted contact; the share
    self-service (self-service / all contacts) gets a Wilson interval, and the ratio's
    interval is the share's mapped through ``p / (1 - p)``. Contacts are treated as
    independent trials, which understates the uncertainty of day-to-day swings.

    Cost avoided per period = deflected contacts x (average assisted cost per contact
    - average self-service cost per contact), the averages weighted by that period's
    channel mix, and deflected contacts = ``deflected_share`` x self-service contacts.
    Costs per contact (USD) default to :data:`DEFAULT_COSTS` (sources in
    :data:`COST_SOURCES`); the result's ``.assumptions`` state them.

    Parameters
    ----------
    volume : DataFrame
        Channel volume: ``date``, ``channel``, ``kind``, ``contacts``.
    period : str
        ``"D"``, ``"W"``, ``"M"`` (default), ``"Q"`` or ``"Y"``.
    costs : mapping, optional
        Channel -> cost per contact; merged over the defaults.
    assisted_kinds, self_kinds : sequence of str
        Values of ``kind`` counted as assisted (calls, e-mail, social replies by
        agents ...) and as self-service (help centre, community, chatbot). Rows of other
        kinds are set aside and counted.
    self_channels : sequence of str
        Channels counted on the deflecting side whatever their ``kind``, e.g.
        ``("social",)`` to count social contacts with self-service against calls and
        e-mail (a social reply costs a fraction of a call).
    deflected_share : float
        Share (0-1) of self-service contacts that would otherwise have reached an agent;
        1 (default) is an upper bound: many self-service visits would never have become
        a ticket.
    conf, min_n

    Returns
    -------
    DeflectionResult

    Examples
    --------
    Hand-checkable arithmetic: 10 calls at 12 USD and 10 e-mails at 4 USD average 8 USD
    per assisted contact; 30 help-centre visits at 0.25 USD avoid 30 x (8 - 0.25) USD.

    >>> volume = pd.DataFrame({"date": ["2024-01-02"] * 3,
    ...     "channel": ["phone", "email", "help_center"],
    ...     "kind": ["assisted", "assisted", "self_service"], "contacts": [10, 10, 30]})
    >>> result = deflection(volume, costs={"phone": 12, "email": 4, "help_center": 0.25})
    >>> row = result.table.iloc[0]
    >>> str(row["period"]), float(row["deflection_ratio"]), float(row["cost_avoided"])
    ('2024-01', 1.5, 232.5)
    """
    _check_frame(volume, "volume")
    stats.z_value(conf)
    min_n = _check_min_n(min_n)
    code = period_code(period)
    require_columns(volume, ["date", "channel", "kind", "contacts"],
                    "deflection needs channel volume with the column(s) {missing}; found "
                    "{found}. Give one row per date and channel with kind ('assisted' or "
                    "'self_service') and contacts.")
    if isinstance(deflected_share, bool) or not isinstance(deflected_share, (int, float)) \
            or not 0 <= deflected_share <= 1:
        raise ParameterError(f"deflected_share must be between 0 and 1; got {deflected_share!r}.")
    assisted_kinds, self_kinds = list(assisted_kinds), list(self_kinds)
    if self_channels:
        moved = volume["channel"].isin(list(self_channels))
        volume = volume.assign(kind=volume["kind"].where(~moved, self_kinds[0]))
    if set(assisted_kinds) & set(self_kinds):
        raise ParameterError(
            "A kind cannot be both assisted and self-service: "
            f"{show_values(sorted(set(assisted_kinds) & set(self_kinds)))}."
        )
    frame, accounting = _clean_volume(volume, assisted_kinds + self_kinds)
    frame["period"] = period_labels(frame["date"], code)
    channels = frame[["channel", "kind"]].drop_duplicates().sort_values(["kind", "channel"])
    cost_table = _cost_table(costs, channels)
    price = dict(zip(cost_table["channel"], cost_table["cost_per_contact"]))
    rows = [{"period": p} | _deflection_rows(part, price, self_kinds, deflected_share, conf, min_n)
            for p, part in frame.groupby("period", sort=True, observed=True)]
    method = ("Wilson score interval of the self-service share of contacts; ratio interval "
              "= share interval mapped by p / (1 - p)")
    table = pd.DataFrame(rows)
    table["method"] = method
    overall = pd.DataFrame([{"period": "all"} | _deflection_rows(
        frame, price, self_kinds, deflected_share, conf, min_n)])
    overall["method"] = method
    columns = ["period", "self_service", "assisted", "n", "estimate", "ci_low", "ci_high",
               "conf", "method", "small_n", "deflection_ratio", "ratio_ci_low",
               "ratio_ci_high", "assisted_cost", "self_service_cost", "deflected",
               "cost_avoided"]
    return DeflectionResult(
        table=table[columns], overall=overall[columns],
        by_channel=_channel_table(frame, price),
        costs=cost_table,
        assumptions=_deflection_assumptions(cost_table, deflected_share, assisted_kinds, self_kinds),
        accounting=accounting,
    )


def _clean_volume(volume: pd.DataFrame, kinds: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = volume[["date", "channel", "kind", "contacts"]].copy()
    contacts = pd.to_numeric(frame["contacts"], errors="coerce")
    bad = (contacts.isna() & frame["contacts"].notna()) | (contacts < 0)
    if bad.any():
        raise DataError(
            f"contacts must be counts of 0 or more; {int(bad.sum()):,} rows have "
            f"{show_values(frame.loc[bad, 'contacts'].tolist())}. Fix them in the source."
        )
    frame["contacts"] = contacts
    dates = pd.to_datetime(frame["date"], errors="coerce", format="mixed") \
        if not pd.api.types.is_datetime64_any_dtype(frame["date"]) else frame["date"]
    frame["date"] = dates
    reasons = {
        "missing or unreadable date": dates.isna(),
        "missing contacts": contacts.isna() & dates.notna(),
        "kind neither assisted nor self-service": ~frame["kind"].isin(kinds) & dates.notna()
                                                  & contacts.notna(),
    }
    used = ~np.logical_or.reduce([m.to_numpy() for m in reasons.values()])
    if not used.any():
        raise DataError(
            f"No usable volume rows: kinds found {show_values(frame['kind'].unique().tolist())} "
            f"but assisted_kinds/self_kinds are {show_values(kinds)}. Set them to the kind values "
            "of the data, and check the date column."
        )
    accounting = pd.DataFrame(
        [{"item": "rows read", "rows": len(frame)}, {"item": "rows used", "rows": int(used.sum())}]
        + [{"item": f"set aside: {reason}", "rows": int(mask.sum())} for reason, mask in
           reasons.items() if mask.any()])
    return frame[used].reset_index(drop=True), accounting


def _channel_table(frame: pd.DataFrame, price: dict) -> pd.DataFrame:
    out = (frame.groupby(["period", "channel", "kind"], sort=True, observed=True)["contacts"]
           .sum().reset_index())
    totals = out.groupby("period", observed=True)["contacts"].transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = 100 * out["contacts"] / totals
    out["cost_per_contact"] = out["channel"].map(price).astype(float)
    out["cost"] = out["contacts"] * out["cost_per_contact"]
    return out


def _deflection_assumptions(costs: pd.DataFrame, deflected_share, assisted_kinds,
                            self_kinds) -> list[str]:
    listed = "; ".join(f"{r.channel} {r.cost_per_contact:.2f} USD ({r.source})"
                       for r in costs.itertuples(index=False))
    return [
        f"Cost per contact by channel: {listed}.",
        f"{deflected_share:.0%} of self-service contacts ({', '.join(self_kinds)}) are assumed to "
        f"replace an assisted contact ({', '.join(assisted_kinds)}); 100% is an upper bound, "
        "as many help-centre visits would never have become a ticket.",
        "Each deflected contact is valued at that period's average assisted cost minus its "
        "average self-service cost, both weighted by the period's channel mix.",
        "Published costs per contact vary widely by company, country and year (an inbound "
        "call is quoted from about 5 to 15 USD); use your own costs where you have them.",
    ]


# --- volume ------------------------------------------------------------------------------


@dataclass
class VolumeResult:
    """Outcome of :func:`volume_profile`.

    Attributes
    ----------
    hourly : DataFrame
        ``hour`` (0-23, local), ``contacts``, ``n`` (days in the range), ``estimate``
        (mean contacts per day in that hour) with ``ci_low``, ``ci_high`` (t interval
        over the days), ``conf``, ``method``, ``small_n``, and ``share`` (% of all
        contacts). Empty for daily volume data (no time of day).
    weekday : DataFrame
        ``weekday`` (0 = Monday), ``weekday_name``, ``contacts``, ``n`` (days of that
        weekday in the range), ``estimate`` (mean contacts per such day) with
        ``ci_low``, ``ci_high`` (t interval over the days), ``conf``, ``method``,
        ``small_n``.
    heatmap : DataFrame
        Long weekday-by-hour table: ``weekday``, ``weekday_name``, ``hour``,
        ``contacts``, ``n`` (days of that weekday), ``estimate`` (mean contacts in that
        hour per day of that weekday) with ``ci_low``, ``ci_high``, ``conf``, ``method``,
        ``small_n``. :meth:`heatmap_table` pivots the estimates.
    weekly : DataFrame
        ``period`` (Monday-Sunday weeks), ``contacts``, ``days`` (days of the week inside
        the data's range), ``partial`` (True for a first or last week cut by the range).
    trend : TrendResult or None
        Mann-Kendall test with Sen's slope on the full weeks
        (:func:`csat_toolkit.trends.trend_test`).
    forecast : DataFrame or None
        Weekly forecast (:func:`csat_toolkit.forecast.forecast`): ``period``, ``step``,
        ``forecast``, ``pi_low``, ``pi_high`` (clipped at 0), ``conf``, ``method``.
    staffing : DataFrame or None
        Forecast contacts per weekday and hour of each forecast week (the weekly
        forecast spread by the observed weekday-by-hour pattern): ``period``,
        ``weekday``, ``weekday_name``, ``hour``, ``forecast``, ``pi_low``, ``pi_high``
        (Poisson quantiles at the week's limits: an hour's count varies around its share).
    accounting : DataFrame
        ``item``, ``rows``.
    warnings : list of str
    """

    hourly: pd.DataFrame
    weekday: pd.DataFrame
    heatmap: pd.DataFrame
    weekly: pd.DataFrame
    trend: object
    forecast: pd.DataFrame | None
    staffing: pd.DataFrame | None
    accounting: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    @property
    def forecast_gap(self) -> str | None:
        """Why there is no forecast (a short history: too few full weeks), or ``None``."""
        if self.forecast is not None:
            return None
        reason = next((w for w in self.warnings if w.startswith("No forecast")), None)
        full = int((~self.weekly["partial"]).sum()) if "partial" in self.weekly else len(self.weekly)
        return (reason or "No forecast") + (f" ({full} full weeks of volume; the staffing "
                                            "forecast is skipped).")

    def busiest_hours(self, k: int = 8) -> pd.DataFrame:
        """The ``k`` busiest hours of the first forecast week (empty without a forecast)."""
        if self.staffing is None or self.staffing.empty:
            return pd.DataFrame(columns=["period", "weekday_name", "hour", "forecast"])
        first = self.staffing[self.staffing["period"] == self.staffing["period"].iloc[0]]
        return first.nlargest(k, "forecast")

    def heatmap_table(self) -> pd.DataFrame:
        """Mean contacts per day: weekdays (Monday first) as rows, hours 0-23 as columns."""
        if self.heatmap.empty:
            return pd.DataFrame(index=pd.Index(_WEEKDAY_NAMES, name="weekday"))
        table = self.heatmap.pivot(index="weekday_name", columns="hour", values="estimate")
        return table.reindex(list(_WEEKDAY_NAMES)).rename_axis(index="weekday")

    def summary(self) -> str:
        """One or two sentences: the busiest weekday and hour, and the weekly trend."""
        busiest = self.weekday.loc[self.weekday["estimate"].idxmax()]
        if np.isfinite(busiest["ci_low"]) and np.isfinite(busiest["ci_high"]):
            spread = (f"{busiest['conf']:.0%} CI {busiest['ci_low']:.1f} to "
                      f"{busiest['ci_high']:.1f}, over {int(busiest['n'])} days")
        else:  # one day of that weekday: no interval
            spread = f"a single {busiest['weekday_name']} observed, so no interval"
        text = (f"Busiest weekday: {busiest['weekday_name']} ({busiest['estimate']:.1f} contacts "
                f"a day, {spread})")
        if not self.hourly.empty:
            peak = self.hourly.loc[self.hourly["contacts"].idxmax()]
            text += f"; busiest hour {int(peak['hour']):02d}:00-{int(peak['hour']) + 1:02d}:00"
        text += "."
        if self.trend is not None:
            text += " " + self.trend.summary(unit="week", label="Weekly volume")
        return text


def _local_times(times: pd.Series, timezone, source_timezone) -> pd.Series:
    """Wall times in ``timezone`` (as written when None)."""
    tz = getattr(times.dtype, "tz", None)
    if timezone is None:
        return times.dt.tz_localize(None) if tz is not None else times
    zone = _zone(timezone).key
    if tz is None:
        source = _zone(source_timezone).key
        times = times.dt.tz_localize(source, ambiguous=np.ones(len(times), dtype=bool),
                                     nonexistent="shift_forward")
    return times.dt.tz_convert(zone).dt.tz_localize(None)


def volume_profile(
    data: pd.DataFrame,
    *,
    timestamp: str = "created_at",
    timezone: str | None = None,
    source_timezone: str = "UTC",
    horizon: int = 8,
    seasonal: bool | None = False,
    conf: float = 0.95,
    min_n: int = 30,
) -> VolumeResult:
    """Inbound contacts per hour, weekday and week; the weekday-by-hour table; trend and forecast.

    Parameters
    ----------
    data : DataFrame
        Tickets (one row per inbound contact, time stamp in ``timestamp``) or daily
        channel volume (``date`` and ``contacts``, no time of day: no hourly tables).
    timestamp : str
        The time-stamp column of tickets.
    timezone : str, optional
        IANA zone in which to read hours and weekdays (for example the support team's).
        Zone-aware times are converted; naive ones are taken as ``source_timezone``.
        Without it, times are read as written.
    source_timezone : str
        Zone of naive time stamps when ``timezone`` is given (default UTC).
    horizon : int
        Weeks to forecast.
    seasonal : bool or None
        Passed to :func:`csat_toolkit.forecast.forecast`; False (default) fits a damped
        trend only (a yearly cycle of weeks needs two years and is slow to fit).
    conf : float
        Level of the weekday intervals and the forecast intervals.
    min_n : int
        Weekdays observed on fewer days are flagged ``small_n``.

    Returns
    -------
    VolumeResult

    Examples
    --------
    >>> tickets = pd.DataFrame({"created_at": pd.to_datetime([
    ...     "2024-03-04 09:10", "2024-03-04 09:40", "2024-03-05 14:00", "2024-03-11 09:05"])})
    >>> result = volume_profile(tickets)
    >>> float(result.heatmap_table().loc["Monday", 9]), int(result.weekday.loc[0, "n"])
    (1.5, 2)
    """
    _check_frame(data, "data")
    stats.z_value(conf)
    min_n = _check_min_n(min_n)
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ParameterError(f"horizon must be a whole number of weeks, 1 or more; got {horizon!r}.")
    if timezone is not None:
        _zone(timezone)
    _zone(source_timezone)
    warnings: list[str] = []
    if timestamp in data.columns:
        times = _times(data, timestamp)
        missing = times.isna()
        local = _local_times(times[~missing], timezone, source_timezone)
        events = pd.DataFrame({"date": local.dt.normalize(), "hour": local.dt.hour,
                               "contacts": 1.0})
        accounting = [{"item": "rows read", "rows": len(data)},
                      {"item": "rows used", "rows": int((~missing).sum())}]
        if missing.any():
            accounting.append({"item": f"set aside: missing {timestamp}", "rows": int(missing.sum())})
    elif {"date", "contacts"} <= set(data.columns):
        dates = pd.to_datetime(data["date"], errors="coerce", format="mixed")
        contacts = pd.to_numeric(data["contacts"], errors="coerce")
        bad = dates.isna() | contacts.isna() | (contacts < 0)
        events = pd.DataFrame({"date": dates[~bad].dt.normalize(), "hour": -1,
                               "contacts": contacts[~bad].astype(float)})
        accounting = [{"item": "rows read", "rows": len(data)},
                      {"item": "rows used", "rows": int((~bad).sum())}]
        if bad.any():
            accounting.append({"item": "set aside: missing date or contacts", "rows": int(bad.sum())})
        warnings.append("Daily volume has no time of day: no hourly or weekday-by-hour tables.")
    else:
        raise MissingColumnError(
            f"volume_profile needs tickets with a {timestamp!r} time stamp, or daily volume with "
            f"'date' and 'contacts'; found {show_values(list(data.columns), 12)}. Set "
            "timestamp= to the time-stamp column."
        )
    if events.empty:
        raise DataError(f"No contacts with a usable {timestamp} or date to profile.")
    days = pd.date_range(events["date"].min(), events["date"].max(), freq="D")
    daily = events.groupby("date")["contacts"].sum().reindex(days, fill_value=0.0)
    weekday = _weekday_table(daily, conf, min_n)
    hourly, heat = _hour_tables(events, days, conf, min_n)
    weekly = _weekly_table(daily)
    trend, forecast_table = _weekly_models(weekly, horizon, seasonal, conf, warnings)
    staffing = _staffing(forecast_table, heat) if forecast_table is not None and not heat.empty \
        else None
    return VolumeResult(hourly=hourly, weekday=weekday, heatmap=heat, weekly=weekly,
                        trend=trend, forecast=forecast_table, staffing=staffing,
                        accounting=pd.DataFrame(accounting), warnings=warnings)


def _weekday_table(daily: pd.Series, conf: float, min_n: int) -> pd.DataFrame:
    rows = []
    weekdays = daily.index.day_of_week
    for day in range(7):
        values = daily.to_numpy(float)[weekdays == day]
        mean = float(values.mean()) if values.size else np.nan
        sd = float(values.std(ddof=1)) if values.size > 1 else np.nan
        low, high = stats.mean_interval(mean, sd, values.size, conf=conf)
        rows.append({"weekday": day, "weekday_name": _WEEKDAY_NAMES[day],
                     "contacts": float(values.sum()), "n": values.size, "estimate": mean,
                     "ci_low": low, "ci_high": high})
    out = pd.DataFrame(rows)
    out["conf"] = conf
    out["method"] = ("t interval of the mean contacts per day of that weekday (days without "
                     "contacts count as 0)")
    out["small_n"] = out["n"] < min_n
    return out


def _mean_rows(matrix: np.ndarray, conf: float) -> dict[str, np.ndarray]:
    """Column means of a days x cells matrix with t intervals over the days."""
    n = matrix.shape[0]
    mean = matrix.mean(axis=0) if n else np.full(matrix.shape[1], np.nan)
    sd = matrix.std(axis=0, ddof=1) if n > 1 else np.full(matrix.shape[1], np.nan)
    low, high = stats.mean_interval(mean, sd, np.full(matrix.shape[1], n), conf=conf)
    return {"contacts": matrix.sum(axis=0), "n": np.full(matrix.shape[1], n),
            "estimate": mean, "ci_low": np.asarray(low), "ci_high": np.asarray(high)}


def _hour_tables(events: pd.DataFrame, days: pd.DatetimeIndex, conf: float,
                 min_n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Contacts per hour of the day, and per weekday and hour: mean per day, t intervals."""
    columns = ["contacts", "n", "estimate", "ci_low", "ci_high", "conf", "method", "small_n"]
    timed = events[events["hour"] >= 0]
    if timed.empty:
        return (pd.DataFrame(columns=["hour", *columns, "share"]),
                pd.DataFrame(columns=["weekday", "weekday_name", "hour", *columns]))
    matrix = (timed.groupby(["date", "hour"])["contacts"].sum().unstack("hour")
              .reindex(index=days, columns=range(24), fill_value=0.0).fillna(0.0)
              .to_numpy(float))
    hourly = pd.DataFrame({"hour": range(24)} | _mean_rows(matrix, conf))
    hourly["share"] = 100 * hourly["contacts"] / hourly["contacts"].sum()
    weekdays = days.day_of_week.to_numpy()
    parts = []
    for day in range(7):
        part = pd.DataFrame({"weekday": day, "weekday_name": _WEEKDAY_NAMES[day],
                             "hour": range(24)} | _mean_rows(matrix[weekdays == day], conf))
        parts.append(part)
    heat = pd.concat(parts, ignore_index=True)
    for table, what in ((hourly, "hour"), (heat, "hour on days of that weekday")):
        table["conf"] = conf
        table["method"] = (f"t interval of the mean contacts per day in that {what} (days "
                           "without contacts count as 0)")
        table["small_n"] = table["n"] < min_n
    return (hourly[["hour", *columns, "share"]],
            heat[["weekday", "weekday_name", "hour", *columns]])


def _weekly_table(daily: pd.Series) -> pd.DataFrame:
    weeks = period_labels(pd.Series(daily.index), "W")
    frame = pd.DataFrame({"period": weeks.to_numpy(), "contacts": daily.to_numpy()})
    out = frame.groupby("period", sort=True).agg(contacts=("contacts", "sum"),
                                                 days=("contacts", "size")).reset_index()
    out["partial"] = out["days"] < 7
    return out


def _weekly_models(weekly: pd.DataFrame, horizon: int, seasonal, conf: float,
                   warnings: list[str]):
    from ..trends.forecast import forecast
    from ..trends.series import trend_test

    full = weekly[~weekly["partial"]]
    trend = None
    if len(full) >= 10:
        trend = trend_test(full["contacts"].to_numpy(float), alpha=1 - conf)
    else:
        warnings.append(f"Only {len(full)} full weeks: a trend test needs at least 10.")
    try:
        table = forecast(pd.DataFrame({"period": full["period"], "n": full["contacts"],
                                       "estimate": full["contacts"]}),
                         horizon=horizon, conf=conf, seasonal=seasonal)
    except DataError as error:
        warnings.append(f"No forecast: {error}")
        return trend, None
    for column in ("forecast", "pi_low", "pi_high"):
        table[column] = table[column].clip(lower=0.0)
    table["method"] = table["method"] + "; weekly contacts, full weeks only, clipped at 0"
    if not seasonal:
        warnings.append(
            "The weekly forecast models no yearly season (seasonal=False): it carries the "
            "recent level forward, so a known seasonal change (a December peak, a summer "
            "dip) is not in it. Compare with the same weeks of last year before staffing.")
    return trend, table


def _staffing(forecast_table: pd.DataFrame, heat: pd.DataFrame) -> pd.DataFrame:
    total = heat["estimate"].sum()
    share = heat["estimate"] / total if total > 0 else heat["estimate"] * 0
    cells = heat[["weekday", "weekday_name", "hour"]].assign(_share=share.to_numpy())
    out = forecast_table[["period", "forecast", "pi_low", "pi_high"]].merge(cells, how="cross")
    for column in ("forecast", "pi_low", "pi_high"):
        out[column] = out[column] * out["_share"]
    # An hour's count varies around its expected share of the week (Poisson) on top of the
    # week's own uncertainty: the limits are Poisson quantiles at the week's limits.
    conf = float(forecast_table["conf"].iloc[0]) if "conf" in forecast_table else 0.95
    out["pi_low"] = _st.poisson.ppf((1 - conf) / 2, out["pi_low"].clip(lower=0))
    out["pi_high"] = _st.poisson.ppf(1 - (1 - conf) / 2, out["pi_high"].clip(lower=0))
    return out[["period", "weekday", "weekday_name", "hour", "forecast", "pi_low", "pi_high"]]


# --- operations and satisfaction ----------------------------------------------------------


def _answer_outcome(answers: pd.DataFrame, outcome: str, scale) -> tuple[pd.Series, dict]:
    """0/1 outcome per answer (NaN where unusable) and why answers are unusable (masks)."""
    if outcome in answers.columns:
        values = _flag(answers[outcome], outcome)
        return values, {f"missing {outcome}": values.isna().to_numpy()}
    if outcome != "satisfied":
        raise MissingColumnError(
            f"The answers have no column {outcome!r}; found {show_values(list(answers.columns), 12)}. "
            "Use outcome='satisfied' (from score) or name a 0/1 column."
        )
    require_columns(answers, ["score"], "outcome='satisfied' needs the column {missing}; "
                    "found {found}.")
    scale = get_scale(scale, survey="csat") if not isinstance(scale, Scale) else scale
    scores, _ = scale.parse(answers["score"])
    other = (answers["survey"].astype(str) != scale.survey) if "survey" in answers.columns \
        else pd.Series(False, index=answers.index)
    flag = pd.Series(np.where(scores.isna() | other, np.nan,
                              scale.is_positive(scores.fillna(-np.inf).to_numpy()).astype(float)),
                     index=answers.index)
    return flag, {f"not a {scale.survey} answer": other.to_numpy(),
                  "score missing or not on the scale": (scores.isna() & ~other).to_numpy()}


def ops_satisfaction(
    tickets: pd.DataFrame,
    answers: pd.DataFrame,
    *,
    on: str = "ticket_id",
    outcome: str = "satisfied",
    conf: float = 0.95,
    correction: str = "holm",
    targets: Mapping | pd.DataFrame | None = None,
    sla: SlaResult | None = None,
    clock: str = "calendar",
    schedule: Schedule | Mapping | None = None,
    as_of=None,
    edges: Sequence[float] = (1, 4, 24),
    scale: str | Scale | None = None,
    reopen_window_days: float = 7,
    min_n: int = 30,
) -> pd.DataFrame:
    """Satisfaction by SLA met or missed, first-response bucket and first-contact resolution.

    Answers are joined to their tickets by ``on``. One row per comparison, each a
    group against a reference: SLA met vs breached (per targeted metric; needs
    ``targets`` or ``sla``), each first-response bucket vs the fastest (calendar hours,
    ``edges``), FCR vs not (the definition of :func:`resolution_quality`, method
    ``"contacts"``). Tests: two-proportion z test, Newcombe hybrid score interval of the
    difference, p-values adjusted across all rows (Holm by default). A difference is
    ``significant`` when the adjusted p is below ``1 - conf``, its interval excludes 0
    and neither side has fewer than ``min_n`` answers.

    Parameters
    ----------
    tickets, answers : DataFrame
        Canonical tickets and survey answers (answers carry ``on``).
    on : str
    outcome : str
        ``"satisfied"`` (CSAT answers' ``score`` on ``scale``, top-2-box by default) or a
        0/1 column of the answers.
    conf, correction
        Confidence level; ``"holm"``, ``"bh"`` or ``"none"``.
    targets, sla, clock, schedule, as_of
        SLA targets for :func:`sla_compliance` (or its result as ``sla``).
    edges : sequence of float
        First-response bucket edges in hours (labels from
        :func:`csat_toolkit.core.text.bucket_labels`).
    scale, reopen_window_days, min_n

    Returns
    -------
    DataFrame
        ``comparison``, ``group``, ``reference``, ``n``, ``estimate`` (% satisfied),
        ``ref_n``, ``ref_estimate``, ``difference`` (points) with ``ci_low``,
        ``ci_high``, ``statistic``, ``p_value``, ``p_adjusted``, ``significant``,
        ``small_n``, ``conf``, ``test``, ``correction``, ``method``.
        ``attrs["accounting"]`` counts the answers (matched, not matched, unusable) and
        ``attrs["warnings"]`` lists what could not be compared.

    Examples
    --------
    >>> tickets = pd.DataFrame({"ticket_id": ["T1", "T2", "T3", "T4"],
    ...     "created_at": pd.to_datetime(["2024-03-04 09:00"] * 4),
    ...     "first_response_at": pd.to_datetime(["2024-03-04 09:30", "2024-03-04 09:40",
    ...                                          "2024-03-04 15:00", "2024-03-05 12:00"]),
    ...     "resolved_at": pd.to_datetime(["2024-03-06 09:00"] * 4), "contacts": [1, 1, 2, 3]})
    >>> answers = pd.DataFrame({"ticket_id": ["T1", "T2", "T3", "T4"] * 10,
    ...                         "score": [5, 4, 2, 1] * 10})
    >>> out = ops_satisfaction(tickets, answers, min_n=5)
    >>> out[["comparison", "group", "reference", "n", "estimate", "ref_estimate"]].values.tolist()
    [['first response time', '4-24 h', 'under 1 h', 10, 0.0, 100.0], ['first response time', 'over 24 h', 'under 1 h', 10, 0.0, 100.0], ['first-contact resolution', 'FCR', 'not FCR', 20, 100.0, 0.0]]
    """
    _check_frame(tickets, "tickets")
    _check_frame(answers, "answers")
    stats.z_value(conf)
    min_n = _check_min_n(min_n)
    if correction not in CORRECTION_NAMES:
        raise ParameterError(
            f"Unknown correction {correction!r}; use 'holm' (default), 'bh' or 'none'.")
    edges = check_edges(edges)
    require_columns(tickets, [on], "ops_satisfaction joins answers to tickets by {missing}, "
                    "which the tickets do not have; found {found}. Set on= to the ticket id column.")
    warnings: list[str] = []
    ticket_side = pd.DataFrame({on: tickets[on].to_numpy()}, index=tickets.index)
    if SLA_METRICS["first_response"] in tickets.columns or "first_response_hours" in tickets.columns:
        _, hours = _duration_values(tickets, "first_response_hours")
        ticket_side["_frt"] = hours.to_numpy()
    else:
        warnings.append("No first_response_at or first_response_hours: no response-time buckets.")
    if sla is None and targets is not None:
        sla = sla_compliance(tickets, targets, clock=clock, schedule=schedule, as_of=as_of,
                             conf=conf, min_n=min_n)
    if sla is not None:
        for metric, part in sla.status.groupby("metric", sort=False):
            if len(part) != len(tickets):
                raise ParameterError("sla= must be the result of sla_compliance on these tickets.")
            status = part["status"].replace({"breached while open": "breached"}).to_numpy()
            ticket_side[f"_sla_{metric}"] = np.where(np.isin(status, ["met", "breached"]), status, None)
    else:
        warnings.append("No SLA targets given (targets= or sla=): no SLA comparison.")
    try:
        parts, _ = _fcr_parts(tickets, "contacts", reopen_window_days)
        ticket_side["_fcr"] = parts["fcr"].to_numpy()
    except MissingColumnError as error:
        warnings.append(f"No FCR comparison: {error}")
    joined = join_answers(answers, ticket_side, on=on)
    y, unusable = _answer_outcome(joined.data, outcome, scale)
    found = joined.data["_matched"].to_numpy(bool)
    matched = found & y.notna().to_numpy()
    data = joined.data[matched].assign(_y=y[matched].to_numpy())
    accounting = {item: int(rows) for item, rows in
                  zip(joined.accounting["item"], joined.accounting["rows"])}
    accounting |= {f"matched, set aside: {reason}": int((mask & found).sum())
                   for reason, mask in unusable.items()}
    accounting["answers compared"] = int(matched.sum())
    specs = _comparison_specs(data, edges, bucket_labels(edges, "hours"))
    for spec in specs:
        if not (spec["n1"] and spec["n2"]):
            warnings.append(f"{spec['comparison']}: {spec['group']} vs {spec['reference']} not "
                            "compared (no answers on one side).")
    out = _comparison_table(specs, conf, correction, min_n)
    out.attrs["accounting"] = accounting
    out.attrs["warnings"] = warnings
    return out


def _comparison_specs(data: pd.DataFrame, edges: list[float], labels: list[str]) -> list[dict]:
    """(comparison, group, reference, x1, n1, x2, n2) for every comparison."""
    specs = []

    def add(name, group, reference, first, second):
        specs.append({"comparison": name, "group": group, "reference": reference,
                      "x1": float(first.sum()), "n1": int(first.size),
                      "x2": float(second.sum()), "n2": int(second.size)})

    for metric in SLA_METRICS:
        column = f"_sla_{metric}"
        if column in data.columns:
            status = data[column]
            add(f"{metric.replace('_', '-')} SLA", "met", "breached",
                data.loc[status == "met", "_y"], data.loc[status == "breached", "_y"])
    if "_frt" in data.columns:
        bounds = [0.0, *edges, np.inf]
        bucket = pd.cut(data["_frt"], bounds, right=False, labels=False, include_lowest=True)
        reference = data.loc[bucket == 0, "_y"]
        for i, label in enumerate(labels[1:], start=1):
            add("first response time", label, labels[0], data.loc[bucket == i, "_y"], reference)
    if "_fcr" in data.columns:
        fcr = data["_fcr"]
        add("first-contact resolution", "FCR", "not FCR", data.loc[fcr == 1, "_y"],
            data.loc[fcr == 0, "_y"])
    return specs


def _comparison_table(specs: list[dict], conf: float, correction: str, min_n: int) -> pd.DataFrame:
    columns = ["comparison", "group", "reference", "n", "estimate", "ref_n", "ref_estimate",
               "difference", "ci_low", "ci_high", "statistic", "p_value", "p_adjusted",
               "significant", "small_n", "conf", "test", "correction", "method"]
    specs = [s for s in specs if s["n1"] and s["n2"]]
    if not specs:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(specs)
    x1, n1, x2, n2 = (frame[c].to_numpy(float) for c in ("x1", "n1", "x2", "n2"))
    test = stats.two_proportion_test(x1, n1, x2, n2)
    low, high = stats.proportion_difference_interval(x1, n1, x2, n2, conf=conf)
    out = frame[["comparison", "group", "reference"]].copy()
    out["n"], out["estimate"] = frame["n1"], 100 * x1 / n1
    out["ref_n"], out["ref_estimate"] = frame["n2"], 100 * x2 / n2
    out["difference"] = 100 * np.asarray(test.difference)
    out["ci_low"], out["ci_high"] = 100 * np.asarray(low), 100 * np.asarray(high)
    out["statistic"] = np.asarray(test.statistic)
    out["p_value"] = np.asarray(test.p_value)
    out["p_adjusted"] = stats.adjust_pvalues(out["p_value"], correction)
    out["small_n"] = (out["n"] < min_n) | (out["ref_n"] < min_n)
    alpha = round(1 - conf, 12)
    out["significant"] = ((out["p_adjusted"] < alpha) & ((out["ci_low"] > 0) | (out["ci_high"] < 0))
                          & ~out["small_n"])
    out["conf"] = conf
    out["test"] = "two-proportion z test; Newcombe hybrid score interval"
    out["correction"] = CORRECTION_NAMES[correction]
    out["method"] = "% satisfied among answers joined to their ticket"
    return out[columns]


# --- the data's own SLA flag --------------------------------------------------------------


def describe_flag_agreement(sla: SlaResult, tickets: pd.DataFrame, column: str, *,
                            metric: str = "resolution") -> tuple[pd.DataFrame, list[str]]:
    """How often the toolkit's SLA status and the data's own flag disagree, and why.

    Parameters
    ----------
    sla : SlaResult
        :func:`sla_compliance` on ``tickets``.
    tickets : DataFrame
        The same tickets, with the flag ``column`` (1/0, TRUE/FALSE, yes/no).
    column : str
        The data's flag, e.g. ``made_sla``.
    metric : str
        The SLA metric the flag is compared with.

    Returns
    -------
    table : DataFrame
        :meth:`SlaResult.flag_agreement` with ``median_elapsed_hours`` and
        ``median_target_hours`` per cell (the toolkit's elapsed time and target).
    sentences : list of str
        The agreement among tickets both sides decide (with a Wilson interval), each kind
        of disagreement with its median elapsed time against the target, and the usual
        reasons.

    Examples
    --------
    >>> tickets = pd.DataFrame({"created_at": pd.to_datetime(["2024-03-04 09:00"] * 4),
    ...     "resolved_at": pd.to_datetime(["2024-03-04 10:00", "2024-03-04 20:00",
    ...                                    "2024-03-04 11:00", "2024-03-04 12:00"]),
    ...     "made_sla": ["TRUE", "TRUE", "FALSE", "TRUE"]})
    >>> sla = sla_compliance(tickets, {"resolution": 8}, clock="calendar")
    >>> table, sentences = describe_flag_agreement(sla, tickets, "made_sla")
    >>> table[["toolkit", "data_flag", "tickets", "median_elapsed_hours"]].values.tolist()
    [['met', False, 1, 2.0], ['met', True, 2, 2.0], ['breached', True, 1, 11.0]]
    >>> sentences[0]
    "The toolkit's resolution SLA and the data's own flag made_sla agree for 2 of 4 tickets both decide (50.0%, 95% CI 15.0% to 85.0%)."
    """
    table = sla.flag_agreement(tickets, column, metric=metric)
    rows = sla.status[sla.status["metric"] == metric].reset_index(drop=True)
    flag = _flag(tickets[column], column).to_numpy()
    frame = pd.DataFrame({
        "toolkit": rows["status"].replace({"breached while open": "breached"}).to_numpy(),
        "data_flag": np.where(np.isnan(flag), "None", np.where(flag == 1, "True", "False")),
        "elapsed": rows["elapsed_hours"].to_numpy(float),
        "target": rows["target_hours"].to_numpy(float)})
    medians = frame.groupby(["toolkit", "data_flag"])[["elapsed", "target"]].median()
    keys = list(zip(table["toolkit"], table["data_flag"].astype(str)))
    table["median_elapsed_hours"] = [medians["elapsed"].get(k, np.nan) for k in keys]
    table["median_target_hours"] = [medians["target"].get(k, np.nan) for k in keys]
    decided = table[table["agree"].notna()]
    both = int(decided["tickets"].sum())
    label = metric.replace("_", " ")
    if both == 0:
        return table, [f"No ticket is decided both by the toolkit's {label} SLA and by {column}: "
                       "nothing to compare."]
    agree = int(decided.loc[decided["agree"].astype(bool), "tickets"].sum())
    estimate, low, high = _wilson(agree, both, sla._conf)
    sentences = [f"The toolkit's {label} SLA and the data's own flag {column} agree for "
                 f"{agree:,} of {both:,} tickets both decide ({float(estimate):.1f}%, "
                 f"{sla._conf:.0%} CI {float(low):.1f}% to {float(high):.1f}%)."]
    for status, value, text in (("met", False, f"within the target here but not made by {column}"),
                                ("breached", True, f"past the target here but made by {column}")):
        cell = table[(table["toolkit"] == status) & table["data_flag"].eq(value)]
        if len(cell) and int(cell["tickets"].iloc[0]):
            row = cell.iloc[0]
            sentences.append(
                f"{int(row['tickets']):,} tickets are {text} (median {row['median_elapsed_hours']:.1f}"
                f" h elapsed against a median target of {row['median_target_hours']:.1f} h).")
    undecided = int(table.loc[table["agree"].isna(), "tickets"].sum())
    if undecided:
        sentences.append(f"{undecided:,} tickets are undecided on one side (no target, pending, "
                         f"not measurable, or no {column} value) and are not compared.")
    if agree < both:
        sentences.append(
            f"Why they differ: {column} was set by the source system with its own targets, "
            "calendars and pauses (for example time waiting for the customer), which the data "
            "does not contain; the toolkit applies the targets and clock of this report to the "
            "time stamps. Where the two disagree a lot, the targets here are not the ones the "
            "system used: align them, or report the system's flag.")
    return table, sentences


# --- the notebook's sentences -------------------------------------------------------------


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


def quality_both_ways(tickets: pd.DataFrame, *, method: str = "contacts",
                      **options) -> pd.DataFrame:
    """:func:`resolution_quality` under ``method``, with FCR under the other definition beside it.

    The other definition's row is named ``fcr (<method>)``; it is left out when the
    tickets lack its columns. ``options`` go to :func:`resolution_quality`.

    Examples
    --------
    >>> t = pd.DataFrame({"ticket_id": ["a", "b", "c"], "contacts": [1, 2, 1],
    ...                   "reopened": [0, 0, 1], "resolved_at": pd.to_datetime(["2025-01-02"] * 3)})
    >>> quality_both_ways(t, min_n=1)["metric"].tolist()[-1]
    'fcr (one_touch)'
    """
    quality = resolution_quality(tickets, method=method, **options)
    other = "one_touch" if method == "contacts" else "contacts"
    try:
        alternative = resolution_quality(tickets, method=other, **{
            k: v for k, v in options.items() if k != "reopen_window_days"})
    except MissingColumnError:
        return quality
    alternative = alternative[alternative["metric"] == "fcr"].assign(metric=f"fcr ({other})")
    return pd.concat([quality, alternative], ignore_index=True)


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


def describe_quality(quality: pd.DataFrame, *, handle_unit: str = "minutes") -> list[str]:
    """Sentences for a :func:`resolution_quality` table: FCR against SQM, then the others.

    Examples
    --------
    >>> q = pd.DataFrame({"metric": ["reopen_rate"], "estimate": [4.2], "ci_low": [3.1],
    ...                   "ci_high": [5.6], "n": [900], "conf": [0.95]})
    >>> describe_quality(q)
    ['Reopen rate 4.20% (95% CI 3.10 to 5.60, n=900).']
    """
    rows = quality.set_index("metric")
    out = []
    if "fcr" in rows.index:
        fcr = rows.loc["fcr"]
        out.append(f"First-contact resolution {fcr['estimate']:.1f}% ({fcr['conf']:.0%} CI "
                   f"{fcr['ci_low']:.1f}% to {fcr['ci_high']:.1f}%, n={int(fcr['n']):,}): "
                   f"{fcr['verdict_average']} SQM's 70% average and {fcr['verdict_world_class']} "
                   f"its 80% world class. Definition: {fcr['method']}.")
    for metric, label, unit in (("aht_mean", "Average handle time", " " + handle_unit),
                                ("contacts_per_ticket", "Contacts per resolved ticket", ""),
                                ("reopen_rate", "Reopen rate", "%")):
        if metric in rows.index:
            row = rows.loc[metric]
            out.append(f"{label} {row['estimate']:.2f}{unit} ({row['conf']:.0%} CI "
                       f"{row['ci_low']:.2f} to {row['ci_high']:.2f}, n={int(row['n']):,}).")
    return out


def describe_ops_satisfaction(tied: pd.DataFrame) -> list[str]:
    """One sentence per row of :func:`ops_satisfaction`: the two shares, the difference, the test.

    Examples
    --------
    >>> t = pd.DataFrame({"comparison": ["first-response SLA"], "group": ["met"],
    ...     "reference": ["missed"], "estimate": [82.0], "ref_estimate": [70.5],
    ...     "difference": [11.5], "ci_low": [6.1], "ci_high": [16.8], "p_adjusted": [0.00012],
    ...     "significant": [True], "n": [900], "ref_n": [300], "conf": [0.95]})
    >>> describe_ops_satisfaction(t)[0]
    'first-response SLA: 82.0% satisfied when met against 70.5% when missed (+11.5 points, 95% CI +6.1 to +16.8; adjusted p 0.00012; significant; n=900 vs 300).'
    """
    return [
        f"{r.comparison}: {r.estimate:.1f}% satisfied when {r.group} against {r.ref_estimate:.1f}% "
        f"when {r.reference} ({r.difference:+.1f} points, {r.conf:.0%} CI {r.ci_low:+.1f} to "
        f"{r.ci_high:+.1f}; adjusted p {r.p_adjusted:.3g}; "
        f"{'significant' if r.significant else 'not significant'}; n={r.n:,} vs {r.ref_n:,})."
        for r in tied.itertuples()]
