"""Ticket durations, SLA status and their summaries computed inside a query engine.

The pandas functions (:func:`~csat_toolkit.ops.response_durations`,
:func:`~csat_toolkit.ops.sla_compliance`, :func:`~csat_toolkit.ops.response_time_summary`)
hold every ticket in memory. These take the tickets that
:func:`~csat_toolkit.io.engines.tickets.scan_tickets` validated in DuckDB or Spark, and
give the same numbers while only small tables reach Python:

- :func:`engine_durations`: first response and resolution times per ticket, in calendar
  hours (engine expressions when the clock is UTC; the same 24x7 schedule as pandas
  otherwise) and in business hours (the vectorised
  :func:`~csat_toolkit.ops.businesshours.business_duration`, run on one batch of
  tickets at a time inside the engine by :func:`~csat_toolkit.io.engines.batches.map_batches`);
- :func:`engine_sla`: each ticket's SLA status against the targets (an engine
  expression), then per group the counts, the share met with its Wilson interval, the
  accounting, the warnings and the largest breaches, as :func:`sla_compliance` returns;
- :func:`engine_response_times`: per group the median and 90th percentile of each
  duration with their order-statistic intervals, and the shares within 1 and 24 hours,
  as :func:`response_time_summary`. Exact quantiles (DuckDB ``quantile_cont``, Spark
  ``percentile``: linear interpolation, R type 7, numpy's default, as pandas) up to
  :data:`EXACT_LIMIT` timed tickets, the engine's approximate quantile beyond, the
  method named in each row.

``as_of=None`` is the latest time stamp in the tickets (never the clock), as the
operations notebook's report date.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import narwhals as nw
import numpy as np
import pandas as pd
from scipy import stats as _st

from ..core import stats
from ..core.asof import ReportDate, report_date
from ..core.tally import as_keys
from ..errors import DataError, MissingColumnError, ParameterError, require_columns, show_values
from ..io.engines._backends import ROW
from ..io.engines.batches import BATCH_ROWS, map_batches, materialize, release
from ..io.engines.tickets import TicketScan, epoch_hours, group_quantiles
from ._common import (SLA_METRICS, _check_min_n, _elapsed, _parse_as_of, _schedule_rows,
                      _wilson)
from .businesshours import Schedule, _zone, add_business_time, unscheduled_error
from .response import _QUANTILE_METHOD
from .sla import SLA_STATUSES, SlaResult, _clock_name, _describe_keys, _target_table

__all__ = ["EngineDurations", "EngineSlaResult", "engine_durations", "engine_sla",
           "engine_response_times", "EXACT_LIMIT", "PERIODS"]

#: Timed tickets up to which ``quantiles="auto"`` computes exact quantiles and intervals.
EXACT_LIMIT = 10_000_000

#: ``period`` codes: the ``period`` column is ``created_at`` truncated to the day, month,
#: quarter or year (its first moment, as pandas' ``to_period(...).start_time``).
PERIODS = {"D": "1d", "M": "1mo", "Q": "1q", "Y": "1y"}

_DURATIONS = ("first_response_hours", "first_response_business_hours", "resolution_hours",
              "resolution_business_hours")
_END = {"first_response": "__csat_end_first", "resolution": "__csat_end_resolution"}
_REASON, _REASON_FIRST = "__csat_reason", "duration_issue"
_STATUS_COLUMNS = {"met": "met", "breached": "breached", "breached while open": "breached_open",
                   "pending": "pending", "no target": "no_target",
                   "not measurable": "not_measurable"}


@dataclass
class EngineDurations:
    """Per-ticket durations in an engine (see :func:`engine_durations`).

    Attributes
    ----------
    table : narwhals LazyFrame
        The valid tickets with ``responded``, ``resolved``, ``duration_issue`` and, for
        ``first_response`` and ``resolution``, ``<metric>_hours`` and
        ``<metric>_open_hours`` (and ``_business_`` variants with a schedule), as
        :func:`~csat_toolkit.ops.response_durations` adds them.
    scan : TicketScan
    as_of : ReportDate
    schedule : Schedule, dict or None
        The business hours used (one schedule, or ``schedules`` with ``by_column``).
    clock : str
        How calendar hours were computed ("engine expressions (UTC wall times)" or
        "24x7 schedule in <zone>, per batch").
    """

    table: nw.LazyFrame
    scan: TicketScan
    as_of: ReportDate
    schedule: object = None
    per_row_name: str = ""
    clock: str = ""
    business: bool = False

    @property
    def backend(self):
        return self.scan.backend


def engine_durations(
    scan: TicketScan,
    *,
    schedule: Schedule | Mapping | None = None,
    schedules: Mapping | None = None,
    by_column: str | None = None,
    as_of=None,
    source_timezone: str | None = None,
    batch_rows: int = BATCH_ROWS,
) -> EngineDurations:
    """First response and resolution times per ticket, computed in the engine.

    The same columns and values as :func:`~csat_toolkit.ops.response_durations` (unit
    hours) on the same tickets, ticket by ticket.

    Parameters
    ----------
    scan : TicketScan
        From :func:`~csat_toolkit.io.engines.tickets.scan_tickets`.
    schedule, schedules, by_column, source_timezone
        As for :func:`~csat_toolkit.ops.response_durations`.
    as_of : date and time, optional
        When the data was extracted; default the latest time stamp in the tickets.
        Tickets still waiting get the time waited so far.
    batch_rows : int
        Tickets per batch for the business hours on DuckDB.

    Returns
    -------
    EngineDurations

    Examples
    --------
    >>> from csat_toolkit.io.engines.tickets import scan_tickets
    >>> tickets = pd.DataFrame({"ticket_id": ["A", "B"],
    ...     "created_at": ["2024-03-01 17:00", "2024-03-04 09:00"],
    ...     "first_response_at": ["2024-03-04 09:00", None]})
    >>> office = Schedule({"mon-fri": "08:00-18:00"}, timezone="Europe/London")
    >>> d = engine_durations(scan_tickets(tickets), schedule=office, as_of="2024-03-04 12:00")
    >>> out = d.backend.collect(d.table.sort("ticket_id"))
    >>> out["first_response_hours"].tolist(), out["first_response_business_hours"].tolist()
    ([64.0, nan], [2.0, nan])
    >>> out["first_response_open_business_hours"].tolist()
    [nan, 3.0]
    """
    if not isinstance(scan, TicketScan):
        raise ParameterError("engine_durations takes the result of scan_tickets (tickets "
                             f"validated in an engine); got {type(scan).__name__}. For a "
                             "pandas DataFrame use ops.response_durations.")
    if source_timezone is not None:
        _zone(source_timezone)
    backend, lazy = scan.backend, scan.data
    names = lazy.collect_schema().names()
    per_row = _check_schedules(backend, lazy, names, schedule, schedules, by_column)
    naive = pd.Series(pd.DatetimeIndex([]))  # the engine's times are naive wall times
    _parse_as_of(as_of, naive)  # pandas' checks and messages
    stamp_date = _report_date(backend, lazy, names, as_of)
    stamp = _parse_as_of(stamp_date.timestamp, naive).to_pydatetime()
    created = nw.col("created_at")
    ends = {m: (nw.when(nw.col(c) <= stamp).then(nw.col(c)) if c in names
                else nw.lit(None, dtype=nw.Datetime("us"))) for m, c in SLA_METRICS.items()}
    table = lazy.with_columns(*[e.alias(_END[m]) for m, e in ends.items()])
    done = {m: ~nw.col(_END[m]).is_null() for m in SLA_METRICS}
    reason = nw.when(created.is_null()).then(nw.lit("missing created_at")) \
        .when(created > stamp).then(nw.lit("created after as_of"))
    for metric in SLA_METRICS:
        reason = reason.when(done[metric] & (nw.col(_END[metric]) < created)).then(
            nw.lit(f"{metric.replace('_', ' ')} before creation"))
    reason = reason.otherwise(nw.lit(""))
    table = table.with_columns(reason.alias(_REASON))
    no_reply = done["resolution"] & ~done["first_response"] if "first_response_at" in names \
        else nw.lit(False)
    first_reason = nw.when((nw.col(_REASON) == "") & no_reply).then(
        nw.lit("resolved without a recorded first response")).otherwise(nw.col(_REASON))
    table = table.with_columns(
        done["first_response"].alias("responded"), done["resolution"].alias("resolved"),
        first_reason.alias("__csat_reason_first"))
    calendar_zone = _calendar_zone(per_row, schedule, source_timezone)
    raw: dict[str, str] = {}  # tag|metric|kind -> column of raw elapsed hours
    batch_clocks: list[tuple[str, object]] = []
    if calendar_zone == "UTC":
        pairs = {f"__csat_cal_{m}": ("created_at", _END[m]) for m in SLA_METRICS}
        pairs["__csat_cal_wait"] = ("created_at", stamp)
        table = epoch_hours(backend, table, pairs)
        raw.update({f"|{m}": f"__csat_cal_{m}" for m in SLA_METRICS} | {"|wait": "__csat_cal_wait"})
        clock = "calendar hours: engine expressions on the wall times (UTC, no clock changes)"
    else:
        batch_clocks.append(("", "calendar"))
        clock = (f"calendar hours: a 24x7 schedule in {calendar_zone} (clock changes counted), "
                 "per batch")
    if per_row is not None:
        batch_clocks.append(("business_", "business"))
    if batch_clocks:
        fn = functools.partial(_batch_hours, clocks=tuple(batch_clocks), schedule=per_row,
                               source_timezone=source_timezone, stamp=pd.Timestamp(stamp))
        wanted = ["created_at", _END["first_response"], _END["resolution"]]
        if schedules is not None:
            wanted.append(by_column)
        schema = {ROW: "int64"} | {f"__csat_{tag}{k}": "float64" for tag, _ in batch_clocks
                                   for k in (*SLA_METRICS, "wait")}
        mapped = map_batches(backend, table.select(ROW, *dict.fromkeys(wanted)), fn, schema,
                             batch_rows=batch_rows)
        mapped = mapped.with_columns(*[nw.when(~nw.col(c).is_nan()).then(nw.col(c)).alias(c)
                                       for c in schema if c != ROW])
        table = table.join(mapped, on=ROW, how="left")
        for tag, _ in batch_clocks:
            raw.update({f"{tag}|{k}": f"__csat_{tag}{k}" for k in (*SLA_METRICS, "wait")})
    out = []
    for metric in SLA_METRICS:
        own = nw.col("__csat_reason_first" if metric == "first_response" else _REASON)
        ok = own == ""
        still_open = ok & ~done[metric] & (~done["resolution"] if metric == "first_response"
                                           else nw.lit(True))
        for tag in ("", "business_") if per_row is not None else ("",):
            out.append(nw.when(ok & done[metric]).then(nw.col(raw[f"{tag}|{metric}"]))
                       .alias(f"{metric}_{tag}hours"))
            out.append(nw.when(still_open).then(nw.col(raw[f"{tag}|wait"]))
                       .alias(f"{metric}_open_{tag}hours"))
    out.append(nw.when(nw.col("__csat_reason_first") != "").then(nw.col("__csat_reason_first"))
               .alias("duration_issue"))
    table = table.with_columns(*out)
    keep = [c for c in names] + ["responded", "resolved"] + [
        f"{m}_{kind}{tag}hours" for m in SLA_METRICS for tag in
        (("", "business_") if per_row is not None else ("",)) for kind in ("", "open_")] + [
        "duration_issue", _REASON]
    table = materialize(backend, table.select(*dict.fromkeys(keep)))
    if batch_clocks:
        backend.collect(table.select(nw.len()))  # Spark persists it on this first action
        release(backend, mapped)
    return EngineDurations(table=table, scan=scan, as_of=stamp_date,
                           schedule=per_row, per_row_name=_per_row_name(per_row), clock=clock,
                           business=per_row is not None)


def _per_row_name(per_row) -> str:
    if per_row is None:
        return ""
    return _clock_name("business", per_row if isinstance(per_row, Schedule) else [])


def _check_schedules(backend, lazy, names, schedule, schedules, by_column):
    """The schedule, or the per-value schedules checked on the distinct values (so that a
    value without a schedule is the pandas error, raised here and not in the engine)."""
    if schedules is not None and by_column is not None:
        _require(names, [by_column],
                 "schedules_for needs the column {missing} to choose a schedule per "
                 "row; found {found}. Pass the name of the team or region column.")
        values = backend.collect(lazy.group_by(by_column, drop_null_keys=False).agg(
            nw.len().alias("__csat_n"), nw.col(ROW).min().alias("__csat_first")))
        values = values.sort_values("__csat_first", kind="stable").reset_index(drop=True)
        try:
            per_value = _schedule_rows(values[[by_column]], schedule, schedules, by_column)
        except DataError:
            _raise_unscheduled(values, schedules, by_column)
            raise
        return _PerRow(tuple(sorted({s.timezone for s in per_value})), schedule, schedules,
                       by_column)
    return _schedule_rows(pd.DataFrame(), schedule, schedules, by_column)


def _raise_unscheduled(values: pd.DataFrame, schedules: Mapping, column: str) -> None:
    """``schedules_for``'s error with the rows counted, from the distinct values."""
    value, n = values[column], values["__csat_n"].astype(int)
    blank = value.isna().to_numpy()
    unmatched = blank | ~value.isin(list(schedules)).to_numpy()
    named = [v for v, b in zip(value[unmatched], blank[unmatched]) if not b]
    raise unscheduled_error(column, named, int(n[unmatched & ~blank].sum()),
                            int(n[blank].sum()), list(schedules))


@dataclass(frozen=True)
class _PerRow:
    """One schedule per row (``schedules`` by ``by_column``) and the zones they use."""

    zones: tuple
    default: object
    schedules: Mapping
    by_column: str

    def rows(self, frame: pd.DataFrame) -> pd.Series:
        return _schedule_rows(frame, self.default, self.schedules, self.by_column)


def _calendar_zone(per_row, schedule, source_timezone) -> str:
    """The zone of the 24x7 schedule pandas measures calendar time with ("mixed": per row)."""
    if source_timezone is not None:
        return _zone(source_timezone).key
    if per_row is None:
        return "UTC"
    if isinstance(per_row, Schedule):
        return per_row.timezone
    return per_row.zones[0] if len(per_row.zones) == 1 else "mixed"


def _batch_hours(batch: pd.DataFrame, *, clocks, schedule, source_timezone, stamp
                 ) -> pd.DataFrame:
    """Raw elapsed hours of one batch (created -> first response, resolution, as_of), as
    ``response_durations`` measures them."""
    from ._common import _calendar_schedule
    per_row = schedule.rows(batch) if isinstance(schedule, _PerRow) else schedule
    created = batch["created_at"]
    out = {ROW: batch[ROW].to_numpy()}
    for tag, kind in clocks:
        sched = _calendar_schedule(per_row, source_timezone) if kind == "calendar" else per_row
        for metric in SLA_METRICS:
            out[f"__csat_{tag}{metric}"] = _elapsed(created, batch[_END[metric]], sched, "hours",
                                                    source_timezone)
        out[f"__csat_{tag}wait"] = _elapsed(created, stamp, sched, "hours", source_timezone)
    return pd.DataFrame(out)


def _report_date(backend, lazy, names, as_of) -> ReportDate:
    """``as_of``, else the latest time stamp in the tickets (as ``ops_report_date``)."""
    columns = [c for c in ("created_at", *SLA_METRICS.values()) if c in names]
    if as_of is not None:
        return report_date(as_of, {})
    latest = backend.collect(lazy.select(*[nw.col(c).max() for c in columns]))
    return report_date(None, {c: pd.Series(latest[c].to_numpy()) for c in columns})


# --- SLA --------------------------------------------------------------------------------


@dataclass
class EngineSlaResult(SlaResult):
    """:class:`~csat_toolkit.ops.sla.SlaResult` of tickets counted in an engine.

    ``table``, ``accounting``, ``targets``, ``warnings`` and ``summary()`` are those of
    :func:`~csat_toolkit.ops.sla_compliance`; ``breaches`` holds the largest
    ``breach_limit`` overruns; ``status`` is empty: the per-ticket statuses stay in the
    engine, in ``rows`` (lazy: ``__csat_row``, the ``by`` columns and, per metric,
    ``<metric>_status``, ``<metric>_target_hours``, ``<metric>_elapsed_hours``).

    Attributes
    ----------
    rows : narwhals LazyFrame
    engine : str
        What ran, e.g. "DuckDB 1.4.0".
    breaches_total : int
        All breaches (``breaches`` may list fewer).
    """

    rows: object = None
    engine: str = ""
    breaches_total: int = 0

    def flag_agreement(self, tickets, column, *, metric="resolution"):
        raise ParameterError("The statuses of tickets counted in an engine stay in the engine "
                             "(see .rows); compare the data's own flag with "
                             "ops.sla_compliance on the tickets in memory.")


def engine_sla(
    source: TicketScan | EngineDurations,
    targets,
    *,
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    clock: str = "business",
    schedule: Schedule | Mapping | None = None,
    schedules: Mapping | None = None,
    by_column: str | None = None,
    as_of=None,
    target_key: str = "priority",
    source_timezone: str | None = None,
    conf: float = 0.95,
    min_n: int = 30,
    breach_limit: int = 1_000,
) -> EngineSlaResult:
    """SLA compliance of tickets in an engine: what :func:`sla_compliance` returns.

    Parameters
    ----------
    source : TicketScan or EngineDurations
        Tickets from :func:`~csat_toolkit.io.engines.tickets.scan_tickets`, or their
        :func:`engine_durations` (then ``schedule``, ``as_of`` ... are theirs).
    targets, by, clock, schedule, schedules, by_column, as_of, target_key, \
source_timezone, conf, min_n
        As for :func:`~csat_toolkit.ops.sla_compliance` (``as_of=None``: the latest time
        stamp in the tickets). The targets apply to the time stamps
        (``first_response_at``, ``resolved_at``).
    period : {"D", "M", "Q", "Y"}, optional
        Also group by ``period``, the first moment of ``created_at``'s day, month ...
    breach_limit : int
        The largest overruns brought back as ``breaches``.

    Returns
    -------
    EngineSlaResult

    Examples
    --------
    >>> from csat_toolkit.io.engines.tickets import scan_tickets
    >>> tickets = pd.DataFrame({"ticket_id": ["A", "B", "C", "D"], "priority": ["high"] * 4,
    ...     "created_at": ["2024-03-04 09:00"] * 4,
    ...     "first_response_at": ["2024-03-04 10:00", "2024-03-04 12:00",
    ...                           "2024-03-04 15:00", None]})
    >>> result = engine_sla(scan_tickets(tickets), {"first_response": {"high": 4}},
    ...                     clock="calendar", as_of="2024-03-04 16:00")
    >>> result.summary()
    'First response target met for 2 of 4 decided tickets (50.0%, 95% CI 15.0% to 85.0%; calendar clock); 1 breached while still open.'
    """
    stats.z_value(conf)
    min_n = _check_min_n(min_n)
    if clock not in ("business", "calendar"):
        raise ParameterError(f"clock must be 'business' or 'calendar'; got {clock!r}.")
    if isinstance(breach_limit, bool) or not isinstance(breach_limit, int) or breach_limit < 0:
        raise ParameterError(f"breach_limit must be a whole number, 0 or more; got "
                             f"{breach_limit!r}.")
    durations = _durations_of(source, schedule=schedule, schedules=schedules,
                              by_column=by_column, as_of=as_of,
                              source_timezone=source_timezone,
                              business=clock == "business")
    if clock == "business" and not durations.business:
        raise ParameterError(
            "clock='business' needs business hours: pass schedule=Schedule({'mon-fri': "
            "'08:00-18:00'}, timezone='Europe/London') (or schedules= with by_column=), or "
            "use clock='calendar'.")
    backend, lazy = durations.backend, durations.table
    names = lazy.collect_schema().names()
    keys, lazy = _group_keys(lazy, names, by, period, "engine_sla")
    table = _target_table(targets, target_key)
    target_keys = [c for c in table.columns if c not in ("metric", "target_hours")]
    _require(names, target_keys,
                    "The SLA targets are keyed by {missing}, which the tickets do not have; "
                    "found {found}. Map that column when loading, or set target_key= to the "
                    "column the targets refer to.")
    metrics = [m for m in SLA_METRICS if m in set(table["metric"])]
    for metric in metrics:
        if SLA_METRICS[metric] not in names:
            tag = "business_" if clock == "business" else ""
            raise MissingColumnError(
                f"The {metric.replace('_', ' ')} target needs {SLA_METRICS[metric]!r} (with "
                f"created_at); the tickets have {show_values(names, 12)}. Map the time stamp "
                f"when loading (precomputed {metric}_{tag}hours columns are read by "
                "ops.sla_compliance in memory).")
    schema = lazy.collect_schema()
    lazy = lazy.with_columns(*[_key_text(nw.col(k), schema[k]).alias(f"__csat_key_{k}")
                               for k in target_keys])
    texts = {k: nw.col(f"__csat_key_{k}") for k in target_keys}
    warnings: list[str] = []
    seen = _distinct_texts(backend, lazy, texts) if target_keys else {}
    tag = "business_" if clock == "business" else ""
    hours = {m: _assign_targets(backend, lazy, table, m, texts, seen, warnings) for m in metrics}
    rows = lazy.with_columns(*[h.alias(f"{m}_target_hours") for m, h in hours.items()])
    columns = []
    for metric in metrics:
        target = nw.col(f"{metric}_target_hours")
        reason = nw.col("duration_issue").fill_null("") if metric == "first_response" \
            else nw.col(_REASON)
        done = nw.col("responded" if metric == "first_response" else "resolved")
        elapsed = nw.col(f"{metric}_{tag}hours")
        waited = nw.col(f"{metric}_open_{tag}hours")
        still_open = (reason == "") & ~done & ~target.is_null()
        if metric == "first_response":
            still_open = still_open & ~nw.col("resolved")
        eps = 1e-9
        status = (nw.when(reason != "").then(nw.lit("not measurable"))
                  .when(target.is_null()).then(nw.lit("no target"))
                  .when(done & (elapsed <= target + eps)).then(nw.lit("met"))
                  .when(done).then(nw.lit("breached"))
                  .when(still_open & (waited > target + eps)).then(nw.lit("breached while open"))
                  .when(still_open).then(nw.lit("pending"))
                  .otherwise(nw.lit("not measurable")))
        shown = nw.when(reason != "").then(None).when(done).then(elapsed).otherwise(waited)
        columns += [status.alias(f"{metric}_status"), shown.alias(f"{metric}_elapsed_hours")]
    by_column = [durations.schedule.by_column] if isinstance(durations.schedule, _PerRow) \
        else []
    side = [c for c in dict.fromkeys(["ticket_id", *keys, *target_keys, "priority", "channel",
                                      "agent", "team", "created_at", *by_column])
            if c in names or c in keys]
    # One pass computes every ticket's status; the counts, warnings and breaches read it.
    rows = materialize(backend, rows.with_columns(*columns).select(
        ROW, *side, *[f"{m}_{n}" for m in metrics
                      for n in ("status", "target_hours", "elapsed_hours")]))
    plain = {f"__csat_s{i}_{j}": (m, s) for i, m in enumerate(metrics)
             for j, s in enumerate(SLA_STATUSES)}
    sums = [(nw.col(f"{m}_status") == s).cast(nw.Int64).sum().alias(name)
            for name, (m, s) in plain.items()]
    counts = backend.collect(rows.group_by(*keys, drop_null_keys=False).agg(*sums) if keys
                             else rows.select(*sums)).rename(columns=plain)
    _warn_without_target(backend, rows, metrics, target_keys, warnings)
    clock_name = (durations.per_row_name if clock == "business" else "calendar hours")
    result_table = _sla_table(counts, keys, metrics, clock_name, conf, min_n)
    accounting = pd.DataFrame(
        [{"metric": m, "status": s, "tickets": int(counts[(m, s)].sum())}
         for m in metrics for s in SLA_STATUSES], columns=["metric", "status", "tickets"])
    breaches, total = _breaches(backend, rows, metrics, keys, side, clock, durations,
                                source_timezone, breach_limit)
    status = pd.DataFrame(columns=["ticket_id", *keys, "metric", "status", "reason",
                                   "target_hours", "elapsed_hours", "over_by_hours"])
    return EngineSlaResult(
        table=result_table, breaches=breaches, status=status, targets=table,
        accounting=accounting, clock=clock,
        as_of=pd.Timestamp(durations.as_of.timestamp), warnings=list(dict.fromkeys(warnings)),
        rows=rows,
        engine=durations.scan.engine, breaches_total=total)


def _durations_of(source, *, business: bool, **options) -> EngineDurations:
    if isinstance(source, EngineDurations):
        return source
    if not business:
        options = dict(options, schedule=None, schedules=None, by_column=None)
    return engine_durations(source, **options)


def _require(names: list[str], columns: list[str], message: str) -> None:
    """``require_columns`` on the tickets' own columns (the message lists those, as the
    pandas functions do), not the working ones."""
    if any(c not in names for c in columns):
        shown = [c for c in names if c != ROW and not c.startswith("__csat")]
        shown = shown[:shown.index("responded")] if "responded" in shown else shown
        require_columns(pd.DataFrame(columns=shown), columns, message)


def _group_keys(lazy, names, by, period, who) -> tuple[list[str], nw.LazyFrame]:
    keys = as_keys(by)
    _require(names, keys,
                    f"{who}(by=...) names {{missing}}, which the tickets do not have; "
                    "found {found}.")
    if period is None:
        return keys, lazy
    if period not in PERIODS:
        raise ParameterError(f"period must be one of {', '.join(PERIODS)} (day, month, quarter, "
                             f"year); got {period!r}.")
    lazy = lazy.with_columns(nw.col("created_at").dt.truncate(PERIODS[period]).alias("period"))
    return [*keys, "period"], lazy


def _key_text(expr: nw.Expr, dtype) -> nw.Expr:
    """Ticket values compared as text, as ``sla._key_text`` compares them ('1' and 1.0)."""
    if dtype.is_float():
        whole = expr == expr.floor()
        return nw.when(whole).then(expr.cast(nw.Int64).cast(nw.String)) \
            .otherwise(expr.cast(nw.String))
    return expr.cast(nw.String).str.strip_chars()


def _distinct_texts(backend, lazy, texts: dict[str, nw.Expr]) -> dict[str, set]:
    out = {}
    for key, text in texts.items():
        values = backend.distinct(lazy.select(text.alias(key)))[key]
        out[key] = {v for v in values.tolist() if isinstance(v, str)}
    return out


def _assign_targets(backend, lazy, table, metric, texts, seen, warnings) -> nw.Expr:
    """The target (hours) of each ticket as an engine expression: the most specific
    matching row wins, as ``sla._assign_targets``; equally specific clashes raise."""
    keys = [c for c in table.columns if c not in ("metric", "target_hours")]
    rows = table[table["metric"] == metric]
    specific = rows[keys].notna().sum(axis=1) if keys else pd.Series(0, index=rows.index)
    order = list(specific.sort_values(kind="stable").index)
    masks = {}
    for index in order:
        row = rows.loc[index]
        mask = nw.lit(True)
        for key in keys:
            if row[key] is not None:
                mask = mask & (texts[key] == row[key]).fill_null(False)
        masks[index] = mask
        for key in keys:
            if row[key] is not None and row[key] not in seen[key]:
                warnings.append(
                    f"The {metric} target for {key} {row[key]!r} matches no ticket (values in "
                    f"the data: {show_values(sorted(seen[key]))}); check its spelling.")
    _check_clashes(backend, lazy, rows, order, specific, masks, keys, metric)
    expr = None
    for index in reversed(order):
        hours = nw.lit(float(rows.loc[index, "target_hours"]))
        expr = nw.when(masks[index]).then(hours) if expr is None else \
            expr.when(masks[index]).then(hours)
    return expr.otherwise(nw.lit(None, dtype=nw.Float64)) if expr is not None else \
        nw.lit(None, dtype=nw.Float64)


def _check_clashes(backend, lazy, rows, order, specific, masks, keys, metric) -> None:
    """Two equally specific targets with different hours for the same tickets."""
    checks = {}
    for j, index in enumerate(order):
        earlier = [i for i in order[:j] if specific[i] == specific[index]
                   and rows.loc[i, "target_hours"] != rows.loc[index, "target_hours"]]
        if earlier:
            checks[index] = (earlier, masks[index] & nw.any_horizontal(
                *[masks[i] for i in earlier], ignore_nulls=True))
    if not checks:
        return
    counts = backend.collect(lazy.select(*[c.cast(nw.Int64).sum().alias(str(i))
                                           for i, (_, c) in checks.items()]))
    for index, (earlier, clash) in checks.items():
        n = int(counts[str(index)].iloc[0] or 0)
        if n:
            first = backend.collect(lazy.filter(clash).sort(ROW).head(1).select(
                *[masks[i].alias(str(i)) for i in earlier]))
            other = [i for i in earlier if bool(first[str(i)].iloc[0])][-1]
            raise ParameterError(
                f"Two {metric} targets apply to the same {n:,} tickets: "
                f"{_describe_keys(rows.loc[other], keys)} and "
                f"{_describe_keys(rows.loc[index], keys)}. Add a row for the combination (for "
                "example priority and channel together) so that one target is the most "
                "specific.")


def _warn_without_target(backend, rows, metrics, target_keys, warnings) -> None:
    for metric in metrics:
        missing = rows.filter(nw.col(f"{metric}_status") == "no target")
        if target_keys:
            text = [nw.col(k).cast(nw.String).fill_null("(missing)").alias(k)
                    for k in target_keys]
            found = backend.collect(missing.select(ROW, *text).group_by(*target_keys).agg(
                nw.col(ROW).min().alias("first"), nw.len().alias("n")))
            if not len(found):
                continue
            found = found.sort_values("first", kind="stable")
            values = found[target_keys].astype(str).agg(" / ".join, axis=1).tolist()
            n = int(found["n"].sum())
        else:
            n = int(backend.collect(missing.select(nw.len().alias("n")))["n"].iloc[0])
            values = []
            if not n:
                continue
        warnings.append(
            f"{n:,} tickets have no {metric} target (" +
            (f"{' / '.join(target_keys)} {show_values(values)}" if values else "none given") +
            "): counted as 'no target' and left out of the share met. Add targets for "
            "them, or a '*' target for every other value.")


def _sla_table(counts: pd.DataFrame, keys, metrics, clock_name, conf, min_n) -> pd.DataFrame:
    """One row per group and metric, as ``sla._sla_table`` builds it from the statuses."""
    parts = []
    for metric in metrics:
        part = counts[keys].copy() if keys else pd.DataFrame(index=counts.index)
        part["metric"] = metric
        for status, name in _STATUS_COLUMNS.items():
            part[name] = counts[(metric, status)].astype("int64").to_numpy()
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["breached"] = out["breached"] + out["breached_open"]
    out["tickets"] = out[list(_STATUS_COLUMNS.values())].sum(axis=1) - out["breached_open"]
    out["n"] = out["met"] + out["breached"]
    estimate, low, high = _wilson(out["met"], out["n"], conf)
    out["estimate"], out["ci_low"], out["ci_high"] = estimate, low, high
    out["conf"] = conf
    out["method"] = ("Wilson score interval; share met among decided tickets (breached while "
                     f"open counts as breached, pending left out); {clock_name}")
    out["small_n"] = out["n"] < min_n
    order = {m: i for i, m in enumerate(SLA_METRICS)}
    out = out.sort_values([*keys, "metric"], key=lambda s: s.map(order) if s.name == "metric"
                          else s, kind="stable")
    columns = [*keys, "metric", "tickets", "met", "breached", "breached_open", "pending",
               "no_target", "not_measurable", "n", "estimate", "ci_low", "ci_high", "conf",
               "method", "small_n"]
    out = out[columns].reset_index(drop=True)
    out.columns = pd.Index([str(c) for c in out.columns])  # counts had (metric, status) labels
    return out


def _breaches(backend, rows, metrics, keys, side, clock, durations, source_timezone, limit
              ) -> tuple[pd.DataFrame, int]:
    """The largest overruns (all metrics), as ``sla._breaches`` lists them."""
    parts = []
    for metric in metrics:
        status = nw.col(f"{metric}_status")
        parts.append(rows.filter(status.is_in(["breached", "breached while open"])).select(
            ROW, *side, nw.lit(metric).alias("metric"), status.alias("status"),
            nw.col(f"{metric}_target_hours").alias("target_hours"),
            nw.col(f"{metric}_elapsed_hours").alias("elapsed_hours"),
            (nw.col(f"{metric}_elapsed_hours") - nw.col(f"{metric}_target_hours"))
            .alias("over_by_hours")))
    every = nw.concat(parts, how="vertical")
    total = int(backend.collect(every.select(nw.len().alias("n")))["n"].iloc[0])
    top = backend.collect(every.sort("over_by_hours", ROW, descending=[True, False])
                          .head(limit)) if limit else pd.DataFrame(columns=[ROW, *side])
    if len(top) and "created_at" in top.columns:
        created = pd.Series(pd.to_datetime(top["created_at"]).to_numpy())
        if clock == "business":
            sched = durations.schedule
            if isinstance(sched, _PerRow):
                sched = sched.rows(top.reset_index(drop=True))
        else:
            sched = Schedule.always(_zone(source_timezone).key if source_timezone else "UTC")
        top["due_at"] = add_business_time(created, top["target_hours"].to_numpy(float), sched,
                                          source_timezone=source_timezone).to_numpy()
    columns = [c for c in dict.fromkeys(["ticket_id", "metric", "status", "target_hours",
                                         "elapsed_hours", "over_by_hours", "created_at",
                                         "due_at", "priority", "channel", "agent", "team", *keys])
               if c in top.columns]
    return top[columns].reset_index(drop=True), total


# --- durations: quantiles and shares -----------------------------------------------------


def engine_response_times(
    durations: EngineDurations,
    *,
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    columns: Sequence[str] | None = None,
    within: Sequence[float] = (1, 24),
    conf: float = 0.95,
    min_n: int = 30,
    quantiles: str = "auto",
    exact_limit: int = EXACT_LIMIT,
) -> pd.DataFrame:
    """Median, 90th percentile and shares within 1 and 24 h of each duration, per group.

    The rows of :func:`~csat_toolkit.ops.response_time_summary` (without the customer
    expectations) for every duration column, computed in the engine.

    Parameters
    ----------
    durations : EngineDurations
    by : str or list of str, optional
    period : {"D", "M", "Q", "Y"}, optional
        Also group by ``period`` (the first moment of ``created_at``'s day, month ...).
    columns : list of str, optional
        Durations to summarise; default every duration with a value
        (``first_response_hours``, ``first_response_business_hours``,
        ``resolution_hours``, ``resolution_business_hours``).
    within, conf, min_n
        As for :func:`~csat_toolkit.ops.response_time_summary`.
    quantiles : {"auto", "exact", "approximate"}
        "exact": the sample quantile (R type 7, linear interpolation: DuckDB
        ``quantile_cont``, Spark ``percentile``) with the distribution-free
        order-statistic interval of :func:`~csat_toolkit.ops.quantile_interval` (its two
        order statistics found by a window rank). "approximate": DuckDB
        ``approx_quantile`` (t-digest), Spark ``percentile_approx`` (rank error at most
        n / 10,000), without an interval. "auto": exact up to ``exact_limit`` timed
        tickets.
    exact_limit : int

    Returns
    -------
    DataFrame
        ``duration``, the group columns, ``statistic``, ``unit``, ``limit_hours``, ``n``,
        ``n_missing``, ``estimate``, ``ci_low``, ``ci_high``, ``conf``, ``method``,
        ``small_n``.

    Examples
    --------
    >>> from csat_toolkit.io.engines.tickets import scan_tickets
    >>> tickets = pd.DataFrame({"ticket_id": list("ABCDEF"),
    ...     "created_at": ["2024-03-04 09:00"] * 6,
    ...     "first_response_at": ["2024-03-04 09:12", "2024-03-04 09:30", "2024-03-04 09:48",
    ...                           "2024-03-04 10:30", "2024-03-04 12:00", "2024-03-05 15:00"]})
    >>> d = engine_durations(scan_tickets(tickets))
    >>> out = engine_response_times(d, min_n=5)
    >>> out[["statistic", "n", "estimate", "ci_low", "ci_high"]].round(2).values.tolist()
    [['median', 6, 1.15, 0.2, 30.0], ['p90', 6, 16.5, 1.5, nan], ['within_1h', 6, 50.0, 18.76, 81.24], ['within_24h', 6, 83.33, 43.65, 96.99]]
    """
    if not isinstance(durations, EngineDurations):
        raise ParameterError("engine_response_times takes engine_durations(...); got "
                             f"{type(durations).__name__}.")
    stats.z_value(conf)
    min_n = _check_min_n(min_n)
    if quantiles not in ("auto", "exact", "approximate"):
        raise ParameterError(f"quantiles must be 'auto', 'exact' or 'approximate'; got "
                             f"{quantiles!r}.")
    try:
        within = sorted({float(h) for h in within})
    except (TypeError, ValueError) as error:
        raise ParameterError(f"within must be hours such as (1, 24); got {within!r}.") from error
    if any(h <= 0 or not np.isfinite(h) for h in within):
        raise ParameterError(f"within must be positive hours such as (1, 24); got {within!r}.")
    backend, lazy = durations.backend, durations.table
    names = lazy.collect_schema().names()
    keys, lazy = _group_keys(lazy, names, by, period, "engine_response_times")
    wanted = [c for c in _DURATIONS if c in names] if columns is None else list(columns)
    unknown = [c for c in wanted if c not in names]
    if unknown:
        raise MissingColumnError(
            f"columns names {show_values(unknown)}, not durations of these tickets; they have "
            f"{show_values([c for c in _DURATIONS if c in names])}. Pass a schedule to "
            "engine_durations for the business-hours ones.")
    aggs = [nw.len().alias("rows")]
    plain = {}  # plain names (Spark reads a dot as a struct field) -> (column, what)
    for i, c in enumerate(wanted):
        plain[f"__csat_n{i}"] = (c, "n")
        aggs.append(nw.col(c).count().alias(f"__csat_n{i}"))
        for j, h in enumerate(within):
            plain[f"__csat_w{i}_{j}"] = (c, h)
            aggs.append((nw.col(c) <= h).fill_null(False).cast(nw.Int64).sum()
                        .alias(f"__csat_w{i}_{j}"))
    counts = backend.collect(lazy.group_by(*keys, drop_null_keys=False).agg(*aggs)
                             if keys else lazy.select(*aggs)).rename(columns=plain)
    counts = counts.sort_values(keys, kind="stable", na_position="last").reset_index(drop=True) \
        if keys else counts
    wanted = [c for c in wanted if columns is not None or counts[(c, "n")].sum() > 0]
    timed = int(max([counts[(c, "n")].sum() for c in wanted], default=0))
    method = quantiles if quantiles != "auto" else (
        "exact" if timed <= exact_limit else "approximate")
    if not wanted:
        return pd.DataFrame(columns=["duration", *keys, "statistic", "unit", "limit_hours", "n",
                                     "n_missing", "estimate", "ci_low", "ci_high", "conf",
                                     "method", "small_n"])
    values = group_quantiles(backend, lazy, keys, wanted, [0.5, 0.9], method)
    values = counts[keys].merge(values, on=keys, how="left") if keys else values
    bounds = (_order_statistics(backend, lazy, keys, wanted, counts, conf)
              if method == "exact" else {})
    rows = []
    engine = backend.name
    for c in wanted:
        for i, group in counts.iterrows():
            base = {k: group[k] for k in keys} | {
                "duration": c, "n": int(group[(c, "n")]),
                "n_missing": int(group["rows"] - group[(c, "n")])}
            for name, p in (("median", 0.5), ("p90", 0.9)):
                estimate = float(values[(c, p)].iloc[i]) if base["n"] else np.nan
                low, high = bounds.get((c, i, p), (np.nan, np.nan))
                rows.append(base | {"statistic": name, "unit": "hours", "estimate": estimate,
                                    "ci_low": low, "ci_high": high,
                                    "method": _quantile_method(method, engine)})
            for hours in within:
                hits = float(group[(c, hours)])
                estimate, low, high = _wilson(hits, base["n"], conf)
                rows.append(base | {"statistic": f"within_{hours:g}h", "unit": "%",
                                    "limit_hours": hours, "estimate": float(estimate),
                                    "ci_low": float(low), "ci_high": float(high),
                                    "method": f"Wilson score interval; share with {c} <= "
                                              f"{hours:g}"})
    out = pd.DataFrame(rows)
    out["conf"] = conf
    out["small_n"] = out["n"] < min_n
    if "limit_hours" not in out:
        out["limit_hours"] = np.nan
    ordered = ["duration", *keys, "statistic", "unit", "limit_hours", "n", "n_missing",
               "estimate", "ci_low", "ci_high", "conf", "method", "small_n"]
    return out[ordered].reset_index(drop=True)


def _quantile_method(method: str, engine: str) -> str:
    if method == "exact":
        function = "DuckDB quantile_cont" if engine == "duckdb" else "Spark percentile"
        return f"sample quantile (R type 7, exact: {function}); {_QUANTILE_METHOD}"
    function = ("DuckDB approx_quantile (t-digest)" if engine == "duckdb" else
                "Spark percentile_approx (rank error at most n/10000)")
    return (f"approximate quantile ({function}); no interval: quantiles='exact' computes "
            "the order-statistic interval")


def _ranks(n: int, p: float, conf: float) -> tuple[int, int]:
    """1-based ranks of :func:`quantile_interval`'s bounds (0 or n + 1: none)."""
    tail = (1 - conf) / 2
    binom = _st.binom(n, p)
    return int(binom.ppf(tail)), int(binom.isf(tail)) + 1


def _order_statistics(backend, lazy, keys, columns, counts, conf) -> dict:
    """(column, group position, p) -> (low, high): the interval's order statistics, found
    with a window rank per group and a join on the group size."""
    out = {}
    group = keys or ["__csat_all"]
    base = lazy if keys else lazy.with_columns(nw.lit(1).alias("__csat_all"))
    position = counts[keys].assign(__csat_group=np.arange(len(counts))) if keys else None
    for column in columns:
        sizes = sorted({int(n) for n in counts[(column, "n")] if n > 0})
        lookup = []
        for n in sizes:
            for p in (0.5, 0.9):
                low, high = _ranks(n, p, conf)
                lookup += [(n, p, "low", low), (n, p, "high", high)]
        if not lookup:
            continue
        ranks = pd.DataFrame(lookup, columns=["__csat_size", "p", "bound", "__csat_rank"])
        ranked = (base.filter(~nw.col(column).is_null())
                  .with_columns(nw.col(column).rank("ordinal").over(*group).cast(nw.Int64)
                                .alias("__csat_rank"),
                                nw.len().over(*group).cast(nw.Int64).alias("__csat_size"))
                  .join(backend.from_pandas(ranks), on=["__csat_size", "__csat_rank"])
                  .select(*group, "p", "bound", nw.col(column).alias("value")))
        found = backend.collect(ranked)
        if keys:
            found = found.merge(position, on=keys, how="left")
        else:
            found["__csat_group"] = 0
        for where, p, bound, value in zip(found["__csat_group"], found["p"], found["bound"],
                                          found["value"]):
            key = (column, int(where), float(p))
            low, high = out.get(key, (np.nan, np.nan))
            out[key] = (float(value), high) if bound == "low" else (low, float(value))
    return out
