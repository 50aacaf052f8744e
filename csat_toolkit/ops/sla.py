"""SLA compliance: targets by priority and/or channel, each ticket met, breached,
breached while open or pending, the share met among decided tickets with a Wilson
interval, the breaches listed, and the data's own SLA flag compared.

- :func:`sla_compliance`: targets by priority and/or channel; each ticket *met*,
  *breached*, *breached while open* (open and already past its target at ``as_of``:
  counted as breached) or *pending* (open, target not yet passed); the share met
  among decided tickets with a Wilson interval; the breaches listed (:class:`SlaResult`).
- :func:`describe_flag_agreement`: the toolkit's status against the data's own flag.
"""
from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core import stats
from ..core.display import result_html
from ..core.tally import as_keys
from ..errors import DataError, MissingColumnError, ParameterError, require_columns, show_values
from .businesshours import Schedule, add_business_time
from ._common import (SLA_METRICS, _LABELS, _calendar_schedule, _check_frame, _check_min_n, _flag, _parse_as_of, _schedule_rows, _times, _wilson)
from .response import response_durations

__all__ = ["SLA_STATUSES", "SlaResult", "sla_compliance", "describe_flag_agreement"]

SLA_STATUSES = ("met", "breached", "breached while open", "pending", "no target",
                "not measurable")
"""Status of a ticket for one SLA metric (see :func:`sla_compliance`)."""

_WILDCARDS = ("*", "", "any", "all")


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

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.table, warnings=self.warnings,
                           notes=[f"Times on the {self.clock} clock"
                                  + (f", as of {self.as_of:%Y-%m-%d %H:%M}." if self.as_of is not None
                                     else ".")])

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
            keys = tickets.iloc[rows][target_keys].astype(object)  # categorical NaN too
            values = (keys.where(keys.notna(), "(missing)").astype(str)
                      .agg(" / ".join, axis=1).tolist() if target_keys else [])
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
