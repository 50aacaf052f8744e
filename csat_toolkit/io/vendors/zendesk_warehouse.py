"""Zendesk's warehouse tables, as the Fivetran connector syncs them (UTC times).

Part of the Zendesk reader (:mod:`csat_toolkit.io.vendors.zendesk`, which re-exports
these functions): tickets from ``ticket_data`` and the tables beside it
(read by ``zendesk.read_tickets``), the calendar time per
status from the field history (:func:`status_durations`), a business-hours schedule from
``schedule_data`` and ``schedule_holiday_data`` (:func:`schedule_spec`) and the SLA targets
of ``sla_policy_metric_history_data`` as ``csat_toolkit.ops.sla_compliance`` takes them
(:func:`sla_targets`).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...errors import FileFormatError, MissingColumnError, ParameterError, show_values
from ..reading import _read_source
from ._common import VendorRead, set_aside_rows
from ._frames import _concat, _rename, _require, iana_zone

__all__ = ["WAREHOUSE", "DELETED", "status_durations", "schedule_spec", "sla_targets",
           "SlaTargets"]

NAME = "zendesk"
WAREHOUSE = "warehouse ticket_data table (Fivetran)"
DELETED = "deleted ticket (status = deleted)"
WAREHOUSE_COLUMNS = {"id", "created_at", "status", "via_channel", "requester_id"}


def _label(source: Any) -> str:
    return str(source) if isinstance(source, (str, os.PathLike)) else "The data"



_SIBLINGS = ("ticket_field_history_data", "user_data", "group_data", "ticket_comment_data",
             "ticket_sla_policy_data")


def _table(value: Any, encoding: str) -> pd.DataFrame:
    if isinstance(value, pd.DataFrame):
        return value.astype(object).where(value.notna(), None).astype(object)
    raw, _, _ = _read_source(value, encoding=encoding, sep=",", sheet=None)
    return raw


def _text_ids(values: pd.Series) -> pd.Series:
    return values.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                      or str(v).strip() == "" else str(v).strip().removesuffix(".0"))


def _utc(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.astype("string"), format="ISO8601", utc=True, errors="coerce")


def _warehouse(source: Any, encoding: str, columns: Mapping[str, str] | None,
               tables: Mapping[str, Any]) -> VendorRead:
    """Tickets from Fivetran's ``ticket_data`` and the tables beside it.

    ``ticket_id`` (id), ``created_at`` (UTC), ``resolved_at`` (the last change of status to
    solved in ``ticket_field_history_data``), ``reopened``/``reopens`` (changes from
    solved back to another status than closed), ``first_response_at`` (the first public
    comment by an agent or admin of ``user_data``, in ``ticket_comment_data``),
    ``channel`` (via_channel), ``priority``, ``agent`` (assignee's name in ``user_data``,
    else the id), ``team`` (group's name in ``group_data``, else the id), ``customer_id``
    (requester_id), ``sla_policy_id``, ``status``, ``type``. Deleted tickets are set aside.
    """
    folder = None
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            folder, source = path, path / "ticket_data.csv"
        else:
            folder = path.parent
    unknown = [k for k in tables if k not in _SIBLINGS]
    if unknown:
        raise ParameterError(f"Unknown Zendesk table {show_values(unknown)}: tables= takes "
                             f"{', '.join(_SIBLINGS)}.")
    raw = _table(source, encoding)
    raw = _rename(raw, columns).reset_index(drop=True)
    _require(raw, ("id", "created_at", "status"), _label(source), "ticket_data table",
             "Give the ticket_data table synced from Zendesk (Fivetran).")
    notes = ["The warehouse tables' times are UTC (Fivetran stores Zendesk's UTC times)."]
    extra: dict[str, pd.DataFrame] = {}
    for name in _SIBLINGS:
        given = tables.get(name)
        if given is None and folder is not None and (folder / f"{name}.csv").exists():
            given = folder / f"{name}.csv"
        if given is not None:
            extra[name] = _table(given, encoding)
    ids = _text_ids(raw["id"])
    created = _utc(raw["created_at"])
    frame = pd.DataFrame({"ticket_id": ids, "created_at": created}, index=raw.index)
    frame["first_response_at"] = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
    frame["resolved_at"] = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
    if "via_channel" in raw.columns:
        frame["channel"] = raw["via_channel"]
    if "priority" in raw.columns:
        frame["priority"] = raw["priority"]
    users = extra.get("user_data")
    names = {}
    if users is not None and {"id", "name"} <= set(users.columns):
        names = dict(zip(_text_ids(users["id"]), users["name"]))
    if "assignee_id" in raw.columns:
        assignees = _text_ids(raw["assignee_id"])
        frame["agent"] = assignees.map(lambda v: names.get(v, v))
    groups = extra.get("group_data")
    if "group_id" in raw.columns:
        teams = {}
        if groups is not None and {"id", "name"} <= set(groups.columns):
            teams = dict(zip(_text_ids(groups["id"]), groups["name"]))
        frame["team"] = _text_ids(raw["group_id"]).map(lambda v: teams.get(v, v))
    if "requester_id" in raw.columns:
        frame["customer_id"] = _text_ids(raw["requester_id"])
    history = extra.get("ticket_field_history_data")
    frame["reopens"] = np.nan
    if history is not None:
        _apply_history(frame, history, notes)
    comments = extra.get("ticket_comment_data")
    if comments is not None and users is not None:
        _apply_comments(frame, comments, users, notes)
    policies = extra.get("ticket_sla_policy_data")
    if policies is not None and {"ticket_id", "sla_policy_id"} <= set(policies.columns):
        policy = dict(zip(_text_ids(policies["ticket_id"]), _text_ids(policies["sla_policy_id"])))
        frame["sla_policy_id"] = frame["ticket_id"].map(policy)
    frame["reopened"] = (frame["reopens"] > 0).astype(float).where(frame["reopens"].notna())
    for column in ("status", "type", "updated_at", "organization_id", "brand_id",
                   "ticket_form_id", "subject"):
        if column in raw.columns and column not in frame:
            frame[column] = _utc(raw[column]) if column == "updated_at" else raw[column]
    status = raw["status"].astype("string").str.strip().str.lower()
    without = frame["resolved_at"].isna() & status.isin(["solved", "closed"])
    if without.any():
        notes.append(f"{int(without.sum()):,} solved or closed ticket(s) have no solved time in "
                     "the field history, so resolved_at is empty for them (they read as open).")
    bad = raw["created_at"].notna() & created.isna()
    kept, aside = set_aside_rows(frame, bad, "unreadable time in 'created_at'")
    kept, deleted = set_aside_rows(kept, status.loc[kept.index].eq("deleted"), DELETED)
    mapping = {"id": "ticket_id", "created_at": "created_at", "via_channel": "channel",
               "priority": "priority", "assignee_id": "agent", "group_id": "team",
               "requester_id": "customer_id"}
    return VendorRead(NAME, WAREHOUSE, kept,
                      _concat([aside, deleted], frame.columns), len(raw), notes,
                      {k: v for k, v in mapping.items() if k in raw.columns}, "tickets")


def _lookup(keys: pd.Series, values: pd.Series) -> pd.Series:
    """``values`` (indexed by ticket id) for each key, keeping the values' dtype."""
    return pd.Series(values.reindex(keys.to_numpy()).to_numpy(), index=keys.index,
                     dtype=values.dtype if len(values) else "datetime64[ns, UTC]")


def _status_rows(history: pd.DataFrame) -> pd.DataFrame:
    need = {"field_name", "ticket_id", "updated", "value"}
    if not need <= set(history.columns):
        raise MissingColumnError(
            f"The field history has no column {show_values(sorted(need - set(history.columns)))} "
            f"(found {show_values(list(history.columns), 8)}): give ticket_field_history_data."
        )
    rows = history[history["field_name"].astype("string").str.strip().eq("status")]
    rows = pd.DataFrame({"ticket_id": _text_ids(rows["ticket_id"]),
                         "updated": _utc(rows["updated"]),
                         "status": rows["value"].astype("string").str.strip().str.lower()})
    return rows.sort_values(["ticket_id", "updated"], kind="stable")


def _apply_history(frame: pd.DataFrame, history: pd.DataFrame, notes: list[str]) -> None:
    rows = _status_rows(history)
    known = rows["ticket_id"].isin(set(frame["ticket_id"]))
    if (~known).any():
        notes.append(f"{int((~known).sum()):,} status change(s) in the field history are for "
                     f"tickets not in ticket_data and are not used.")
    rows = rows[known]
    solved = rows[rows["status"].eq("solved")].groupby("ticket_id")["updated"].max()
    frame["resolved_at"] = _lookup(frame["ticket_id"], solved)
    previous = rows.groupby("ticket_id")["status"].shift()
    reopen = previous.eq("solved") & ~rows["status"].isin(["solved", "closed"])
    counts = reopen.groupby(rows["ticket_id"]).sum()
    frame["reopens"] = frame["ticket_id"].map(counts).astype(float)
    first = rows.groupby("ticket_id")["updated"].min()
    early = _lookup(frame["ticket_id"], first) < frame["created_at"]
    if early.any():
        notes.append(f"{int(early.sum()):,} ticket(s) have status changes stamped before "
                     f"their created_at ({show_values(frame.loc[early, 'ticket_id'].tolist())}).")


def _apply_comments(frame: pd.DataFrame, comments: pd.DataFrame, users: pd.DataFrame,
                    notes: list[str]) -> None:
    if not ({"ticket_id", "user_id", "created", "public"} <= set(comments.columns)
            and {"id", "role"} <= set(users.columns)):
        return
    agents = set(_text_ids(users.loc[users["role"].astype("string").str.lower().isin(
        ["agent", "admin"]), "id"]))
    public = comments["public"].astype("string").str.strip().str.lower().isin(["true", "1"])
    rows = pd.DataFrame({"ticket_id": _text_ids(comments["ticket_id"]),
                         "user": _text_ids(comments["user_id"]),
                         "at": _utc(comments["created"])})[public.to_numpy()]
    rows = rows[rows["user"].isin(agents)]
    merged = rows.merge(frame[["ticket_id", "created_at"]], on="ticket_id")
    merged = merged[merged["at"] >= merged["created_at"]]
    first = merged.groupby("ticket_id")["at"].min()
    frame["first_response_at"] = _lookup(frame["ticket_id"], first)
    notes.append(f"first_response_at is the first public comment by an agent: found for "
                 f"{len(first):,} of {len(frame):,} tickets.")


def status_durations(history: Any, *, encoding: str = "utf-8-sig") -> pd.DataFrame:
    """Calendar time each ticket spent in each status, from the field history.

    Each status lasts from its row's ``updated`` time to the next status row of the same
    ticket; the last status of a ticket (usually closed) has no end and is not counted.

    Parameters
    ----------
    history : path or DataFrame
        ``ticket_field_history_data`` (columns ``field_name``, ``ticket_id``, ``updated``,
        ``value``); rows of other fields are ignored.
    encoding : str
        Text encoding of the file.

    Returns
    -------
    DataFrame
        ``ticket_id``, ``status``, ``periods`` (times the ticket entered it),
        ``minutes`` and ``days``, one row per ticket and status, in first-entered order.

    Examples
    --------
    >>> history = pd.DataFrame({"field_name": "status", "ticket_id": 1,
    ...     "updated": ["2020-01-01 00:00", "2020-01-02 12:00", "2020-01-03 00:00"],
    ...     "value": ["open", "solved", "closed"]})
    >>> status_durations(history)[["status", "days"]].values.tolist()
    [['open', 1.5], ['solved', 0.5]]
    """
    rows = _status_rows(_table(history, encoding))
    ends = rows.groupby("ticket_id")["updated"].shift(-1)
    spans = rows.assign(minutes=(ends - rows["updated"]).dt.total_seconds() / 60)[ends.notna()]
    out = (spans.groupby(["ticket_id", "status"], sort=False)
           .agg(periods=("minutes", "size"), minutes=("minutes", "sum")).reset_index())
    return out.assign(days=out["minutes"] / 1440)


def schedule_spec(schedules: Any, holidays: Any = None, *, schedule_id: Any = None,
                  encoding: str = "utf-8-sig") -> dict:
    """A Zendesk business-hours schedule as the toolkit's schedule settings.

    Zendesk's intervals are minutes from Sunday 00:00 in the schedule's zone
    (``start_time 1920`` = Monday 08:00); holidays are local date ranges.

    Parameters
    ----------
    schedules : path or DataFrame
        ``schedule_data`` (``id``, ``name``, ``time_zone``, ``start_time``, ``end_time``;
        one row per interval).
    holidays : path or DataFrame, optional
        ``schedule_holiday_data`` (``schedule_id``, ``start_date``, ``end_date``, ``name``).
        Holidays of another schedule in ``schedules`` are not used; holidays naming a
        schedule that is not in ``schedules`` are an error (they would be lost).
    schedule_id : optional
        Which schedule, when ``schedules`` has several.
    encoding : str
        Text encoding of the files.

    Returns
    -------
    dict
        ``{"name", "timezone", "hours", "holidays"}`` for
        ``csat_toolkit.ops.businesshours.Schedule.from_dict`` (``timezone`` is the IANA
        name of Zendesk's zone).

    Examples
    --------
    >>> table = pd.DataFrame({"id": 7, "name": "Office", "time_zone": "London",
    ...                       "start_time": [1980, 3420], "end_time": [2460, 3900]})
    >>> schedule_spec(table)
    {'name': 'Office', 'timezone': 'Europe/London', 'hours': {'mon': ['09:00-17:00'], \
'tue': ['09:00-17:00']}, 'holidays': []}
    """
    table = _table(schedules, encoding)
    need = ("id", "start_time", "end_time", "time_zone")
    _require(table, need, _label(schedules), "schedule_data table",
             "Give the schedule_data table synced from Zendesk.")
    ids = _text_ids(table["id"])
    known = list(dict.fromkeys(ids))
    if schedule_id is None:
        if len(known) > 1:
            raise ParameterError(f"schedule_data has {len(known)} schedules "
                                 f"({show_values(known)}): pass schedule_id= to choose one.")
        chosen = known[0]
    else:
        chosen = str(schedule_id)
        if chosen not in known:
            raise ParameterError(f"No schedule {chosen!r} in schedule_data; its schedules are "
                                 f"{show_values(known)}.")
    rows = table[ids.eq(chosen).to_numpy()]
    zones = rows["time_zone"].dropna().unique()
    if len(zones) != 1:
        raise FileFormatError(f"Schedule {chosen} has time zones {show_values(list(zones))}; "
                              "a schedule has one.")
    hours: dict[str, list[str]] = {}
    days = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
    for start, end in sorted(zip(pd.to_numeric(rows["start_time"]).astype(int),
                                 pd.to_numeric(rows["end_time"]).astype(int))):
        if not 0 <= start < end <= 7 * 1440:
            raise FileFormatError(f"Schedule {chosen} has an interval {start}-{end} outside the "
                                  "week's 0-10080 minutes (from Sunday 00:00).")
        while start < end:
            day, stop = start // 1440, min(end, (start // 1440 + 1) * 1440)
            hours.setdefault(days[day], []).append(f"{_clock(start % 1440)}-"
                                                   f"{_clock(stop - day * 1440)}")
            start = stop
    name = rows["name"].iloc[0] if "name" in rows.columns else chosen
    spec = {"name": str(name), "timezone": iana_zone(zones[0]),
            "hours": {d: hours[d] for d in days[1:] + days[:1] if d in hours}, "holidays": []}
    if holidays is not None:
        spec["holidays"] = _holidays(_table(holidays, encoding), chosen, known)
    return spec


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _holidays(table: pd.DataFrame, chosen: str, known: list) -> list[str]:
    _require(table, ("schedule_id", "start_date", "end_date"), "schedule_holiday_data",
             "holiday table", "Give the schedule_holiday_data table synced from Zendesk.")
    owners = _text_ids(table["schedule_id"])
    stray = sorted(set(owners) - set(known))
    if stray:
        raise FileFormatError(
            f"schedule_holiday_data has holidays of schedule {show_values(stray)}, which is not "
            f"in schedule_data ({show_values(known)}): they would be lost. Give the holidays of "
            "this schedule only, or correct their schedule_id."
        )
    dates: list[str] = []
    for _, row in table[owners.eq(chosen).to_numpy()].iterrows():
        first, last = pd.Timestamp(row["start_date"]), pd.Timestamp(row["end_date"])
        if last < first:
            raise FileFormatError(f"Holiday {row.get('name', '')!r} ends ({last.date()}) before "
                                  f"it starts ({first.date()}).")
        dates += [d.date().isoformat() for d in pd.date_range(first, last, freq="D")]
    return sorted(set(dates))


# ------------------------------------------------------------------------ SLA targets

#: Zendesk SLA metric -> the toolkit's SLA metric (``csat_toolkit.ops.SLA_METRICS``).
SLA_METRIC_MAP = {"first_reply_time": "first_response", "total_resolution_time": "resolution",
                  "full_resolution_time": "resolution"}
# Zendesk SLA metrics the toolkit has no clock for, and why.
_NO_CLOCK = {
    "next_reply_time": "each later reply after a customer's comment, not only the first",
    "requester_wait_time": "time in new, open and on-hold only (pending pauses it)",
    "agent_work_time": "time in new and open only (pending and on-hold pause it)",
    "periodic_update_time": "time between public agent comments",
    "pausable_update_time": "time between public agent comments, paused while pending",
    "group_ownership_time": "time a group owns the ticket",
}


@dataclass
class SlaTargets:
    """Zendesk's SLA targets as ``csat_toolkit.ops.sla_compliance`` takes them.

    ``sla_compliance`` counts one clock per call, while each Zendesk target has its own
    (``business_hours`` TRUE/FALSE): run it once per clock, on the tickets of the
    policies on that clock (:meth:`by_clock`, :meth:`policies_on`).

    Attributes
    ----------
    table : DataFrame
        Every target in force: ``sla_policy_id``, ``priority``, ``metric`` (the toolkit's:
        ``first_response``, ``resolution``), ``zendesk_metric``, ``target_minutes``,
        ``target_hours``, ``clock`` (``business``/``calendar``), ``sla_policy_updated_at``
        (the version's time).
    unsupported : DataFrame
        Targets in force of metrics the toolkit has no clock for (``next_reply_time``,
        ``requester_wait_time``, ``agent_work_time``, ``periodic_update_time``,
        ``pausable_update_time`` ...): the same columns without ``metric``, with
        ``reason``. Reported, never used.
    policies : DataFrame
        One row per policy: ``sla_policy_id``, ``clock`` (``business``, ``calendar`` or
        ``mixed``), ``version`` (the newest version time in force), ``versions`` (version
        times in the history), ``targets``, ``unsupported``; with ``ticket_policies``
        also ``tickets`` and ``applied_before_version`` (tickets whose policy was applied
        before the version in force: their targets then were others).
    notes : list of str
        Sentences for the report: the version used, metrics without a clock, tickets of
        policies without targets.
    as_of : Timestamp or None
        The time whose targets are in force (None: the newest of each).
    """

    table: pd.DataFrame
    unsupported: pd.DataFrame
    policies: pd.DataFrame
    notes: list = field(default_factory=list)
    as_of: pd.Timestamp | None = None

    @property
    def targets(self) -> pd.DataFrame:
        """Every target: ``metric``, ``sla_policy_id``, ``priority``, ``target_hours``
        (the table ``sla_compliance`` takes; use :meth:`by_clock` when clocks differ)."""
        return self.table[["metric", "sla_policy_id", "priority", "target_hours"]].copy()

    @property
    def clock_of(self) -> dict[str, str]:
        """Policy -> ``"business"``, ``"calendar"`` or ``"mixed"`` (its targets differ)."""
        return dict(zip(self.policies["sla_policy_id"], self.policies["clock"]))

    def by_clock(self) -> list[tuple[str, pd.DataFrame]]:
        """``(clock, targets)`` pairs, business first: one ``sla_compliance`` call each.

        Examples
        --------
        >>> history = pd.DataFrame({"sla_policy_id": [1, 2], "business_hours": [True, False],
        ...     "sla_policy_updated_at": "2024-01-01", "metric": "first_reply_time",
        ...     "priority": "high", "target": [60, 120]})
        >>> [(clock, t["target_hours"].tolist()) for clock, t in sla_targets(history).by_clock()]
        [('business', [1.0]), ('calendar', [2.0])]
        """
        return [(clock, self.table.loc[self.table["clock"].eq(clock),
                                       ["metric", "sla_policy_id", "priority", "target_hours"]]
                 .reset_index(drop=True))
                for clock in ("business", "calendar") if self.table["clock"].eq(clock).any()]

    def policies_on(self, clock: str) -> list[str]:
        """The policies with a target on ``clock`` (select their tickets for that call)."""
        if clock not in ("business", "calendar"):
            raise ParameterError(f"clock must be 'business' or 'calendar'; got {clock!r}.")
        return sorted(set(self.table.loc[self.table["clock"].eq(clock), "sla_policy_id"]))


def _flag_clock(values: pd.Series, name: str) -> pd.Series:
    text = values.astype("string").str.strip().str.lower()
    clock = text.map({"true": "business", "1": "business", "t": "business",
                      "false": "calendar", "0": "calendar", "f": "calendar"})
    bad = clock.isna()
    if bad.any():
        raise FileFormatError(
            f"{name}: business_hours must be TRUE or FALSE; found "
            f"{show_values(values[bad].tolist(), 3)}. Give the table as Fivetran syncs it.")
    return clock


def sla_targets(metric_history: Any, ticket_policies: Any = None, *, as_of: Any = None,
                encoding: str = "utf-8-sig") -> SlaTargets:
    """Zendesk's SLA targets (``sla_policy_metric_history_data``) for ``sla_compliance``.

    Each row of the history is one target (policy, metric, priority) from a version of the
    policy (``sla_policy_updated_at``). A target stays in force until a newer row for the
    same policy, metric and priority (as fivetran/dbt_zendesk reads this table); at
    ``as_of`` the rows in force are the latest at or before it (default: the newest).
    ``first_reply_time`` becomes the toolkit's ``first_response`` and
    ``total_resolution_time``/``full_resolution_time`` its ``resolution``; the other
    metrics (``next_reply_time``, ``requester_wait_time``, ``agent_work_time``,
    ``periodic_update_time``, ``pausable_update_time``) have no clock in the toolkit and
    are listed in ``.unsupported``, never dropped unseen.

    Parameters
    ----------
    metric_history : path or DataFrame
        ``sla_policy_metric_history_data`` (``sla_policy_id``, ``sla_policy_updated_at``,
        ``business_hours``, ``metric``, ``priority``, ``target`` in minutes).
    ticket_policies : path or DataFrame, optional
        ``ticket_sla_policy_data`` (``ticket_id``, ``sla_policy_id``,
        ``policy_applied_at``): tickets per policy, and those whose policy was applied
        before the version in force.
    as_of : date and time, optional
        The targets in force at this time (UTC); default the newest of each.
    encoding : str
        Text encoding of the files.

    Returns
    -------
    SlaTargets
        ``.table`` (every target in force, with its clock), ``.targets`` (the columns
        ``sla_compliance`` takes), ``.by_clock()``, ``.policies_on(clock)``,
        ``.clock_of``, ``.unsupported``, ``.policies``, ``.notes``. Run
        ``sla_compliance`` once per clock::

            sla = zendesk.sla_targets("sla_policy_metric_history_data.csv")
            for clock, targets in sla.by_clock():
                mine = tickets[tickets["sla_policy_id"].isin(sla.policies_on(clock))]
                ct.ops.sla_compliance(mine, targets, clock=clock, schedule=office,
                                      as_of=as_of)

    Raises
    ------
    MissingColumnError
        A column of the history is missing.
    FileFormatError
        ``business_hours`` is not TRUE/FALSE, a target is not a positive number of minutes,
        or a time cannot be read.
    ParameterError
        ``as_of`` is not a time.

    Examples
    --------
    >>> history = pd.DataFrame({"sla_policy_id": 7, "business_hours": "TRUE",
    ...     "sla_policy_updated_at": ["2024-01-01", "2024-01-01", "2024-06-01"],
    ...     "metric": ["first_reply_time", "next_reply_time", "first_reply_time"],
    ...     "priority": "high", "target": [60, 30, 45]})
    >>> sla = sla_targets(history)
    >>> sla.targets.values.tolist(), sla.clock_of
    ([['first_response', '7', 'high', 0.75]], {'7': 'business'})
    >>> sla_targets(history, as_of="2024-03-01").targets["target_hours"].tolist()
    [1.0]
    >>> sla.unsupported[["zendesk_metric", "target_minutes"]].values.tolist()
    [['next_reply_time', 30.0]]
    """
    name = _label(metric_history) if not isinstance(metric_history, pd.DataFrame) \
        else "sla_policy_metric_history_data"
    raw = _table(metric_history, encoding).reset_index(drop=True)
    need = ("sla_policy_id", "sla_policy_updated_at", "business_hours", "metric", "priority",
            "target")
    _require(raw, need, name, "sla_policy_metric_history_data table",
             "Give the sla_policy_metric_history_data table synced from Zendesk (Fivetran).")
    updated = _utc(raw["sla_policy_updated_at"])
    unread = raw["sla_policy_updated_at"].notna() & updated.isna()
    if unread.any():
        raise FileFormatError(f"{name}: sla_policy_updated_at cannot be read as a time: "
                              f"{show_values(raw.loc[unread, 'sla_policy_updated_at'].tolist(), 3)}.")
    minutes = pd.to_numeric(raw["target"].astype("string").str.strip(), errors="coerce")
    bad = minutes.isna() | ~np.isfinite(minutes.astype(float)) | (minutes <= 0)
    if bad.any():
        raise FileFormatError(
            f"{name}: target must be a positive number of minutes; found "
            f"{show_values(raw.loc[bad, 'target'].tolist(), 3)} (policy "
            f"{show_values(_text_ids(raw.loc[bad, 'sla_policy_id']).tolist(), 3)}).")
    rows = pd.DataFrame({
        "sla_policy_id": _text_ids(raw["sla_policy_id"]),
        "priority": raw["priority"].astype("string").str.strip().str.lower().astype(object),
        "zendesk_metric": raw["metric"].astype("string").str.strip().str.lower().astype(object),
        "target_minutes": minutes.astype(float),
        "clock": _flag_clock(raw["business_hours"], name).astype(object),
        "sla_policy_updated_at": updated,
    })
    stamp = None
    if as_of is not None:
        try:
            stamp = pd.Timestamp(as_of)
        except (ValueError, TypeError) as error:
            raise ParameterError(f"as_of must be a date and time; got {as_of!r}.") from error
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    notes: list[str] = []
    versions = rows.groupby("sla_policy_id")["sla_policy_updated_at"].agg(
        lambda s: sorted(set(s)))
    valid = rows if stamp is None else rows[rows["sla_policy_updated_at"] <= stamp]
    early = sorted(set(rows["sla_policy_id"]) - set(valid["sla_policy_id"]))
    if early:
        notes.append(f"Policy {show_values(early)} had no version yet at {_when(stamp)} (its "
                     f"first is {_when(versions[early[0]][0])}): it has no targets here.")
    key = ["sla_policy_id", "zendesk_metric", "priority"]
    latest = valid.groupby(key)["sla_policy_updated_at"].transform("max")
    newest = valid[valid["sla_policy_updated_at"].eq(latest)]
    if newest.duplicated(key).any():
        dup = newest.loc[newest.duplicated(key, keep=False), key].drop_duplicates()
        raise FileFormatError(
            f"{name} gives the same target twice in one version: "
            f"{show_values([' '.join(map(str, r)) for r in dup.values.tolist()], 3)}. Keep one "
            "row per policy, metric and priority in each version.")
    newest = newest.sort_values(["sla_policy_id", "zendesk_metric", "target_minutes"],
                                kind="stable")
    mapped = newest["zendesk_metric"].map(SLA_METRIC_MAP)
    table = newest[mapped.notna()].assign(metric=mapped[mapped.notna()])
    table = table.assign(target_hours=table["target_minutes"] / 60)[
        ["sla_policy_id", "priority", "metric", "zendesk_metric", "target_minutes",
         "target_hours", "clock", "sla_policy_updated_at"]].reset_index(drop=True)
    unsupported = newest[mapped.isna()].assign(reason=lambda f: f["zendesk_metric"].map(
        lambda m: f"no clock in the toolkit: {_NO_CLOCK.get(m, 'an SLA metric the toolkit does not know')}"))
    unsupported = unsupported.reset_index(drop=True)
    for metric, part in unsupported.groupby("zendesk_metric", sort=True):
        notes.append(f"{metric} targets ({len(part):,}, policy "
                     f"{show_values(sorted(set(part['sla_policy_id'])))}) are not measured: "
                     f"{part['reason'].iloc[0]}.")
    if table.duplicated(["sla_policy_id", "priority", "metric"]).any():
        raise FileFormatError(
            f"{name} has both total_resolution_time and full_resolution_time for one policy "
            "and priority: keep one of them.")
    policies = _policy_table(rows, table, unsupported, versions, stamp)
    if ticket_policies is not None:
        policies = _ticket_counts(policies, _table(ticket_policies, encoding), table, notes)
    if not len(table):
        notes.append("No target in force has a clock in the toolkit (first_reply_time, "
                     "total_resolution_time): sla_compliance has nothing to measure.")
    return SlaTargets(table, unsupported, policies, notes, stamp)


def _when(stamp: pd.Timestamp) -> str:
    """A version time as written in the notes: the date alone at midnight UTC."""
    stamp = pd.Timestamp(stamp)
    return stamp.strftime("%Y-%m-%d") if stamp == stamp.normalize() else \
        stamp.strftime("%Y-%m-%d %H:%M UTC")


def _policy_table(rows, table, unsupported, versions, stamp) -> pd.DataFrame:
    out = []
    for policy, times in versions.items():
        mine = table[table["sla_policy_id"].eq(policy)]
        clocks = set(mine["clock"]) | set(unsupported.loc[
            unsupported["sla_policy_id"].eq(policy), "clock"])
        used = [t for t in times if stamp is None or t <= stamp]
        out.append({"sla_policy_id": policy,
                    "clock": clocks.pop() if len(clocks) == 1 else ("mixed" if clocks else None),
                    "version": used[-1] if used else pd.NaT, "versions": len(times),
                    "targets": len(mine),
                    "unsupported": int(unsupported["sla_policy_id"].eq(policy).sum())})
    return pd.DataFrame(out)


def _ticket_counts(policies: pd.DataFrame, tickets: pd.DataFrame, table: pd.DataFrame,
                   notes: list[str]) -> pd.DataFrame:
    _require(tickets, ("ticket_id", "sla_policy_id"), "ticket_sla_policy_data",
             "ticket_sla_policy_data table",
             "Give the ticket_sla_policy_data table synced from Zendesk (Fivetran).")
    ids = _text_ids(tickets["sla_policy_id"])
    applied = _utc(tickets["policy_applied_at"]) if "policy_applied_at" in tickets.columns \
        else pd.Series(pd.NaT, index=tickets.index, dtype="datetime64[ns, UTC]")
    counts = ids.value_counts()
    policies = policies.assign(tickets=policies["sla_policy_id"].map(counts).fillna(0).astype(int))
    version = ids.map(dict(zip(policies["sla_policy_id"], policies["version"])))
    before = applied.notna() & pd.to_datetime(version, utc=True).notna() & (
        applied < pd.to_datetime(version, utc=True))
    policies["applied_before_version"] = policies["sla_policy_id"].map(
        before.groupby(ids).sum()).fillna(0).astype(int)
    for row in policies[policies["applied_before_version"] > 0].itertuples():
        notes.append(f"{row.applied_before_version:,} of the {row.tickets:,} tickets on policy "
                     f"{row.sla_policy_id} had it applied before its version of {_when(row.version)} "
                     "(their targets then may differ): pass as_of= for an older version.")
    stray = sorted(set(ids.dropna()) - set(policies["sla_policy_id"]))
    if stray:
        notes.append(f"{int(ids.isin(stray).sum()):,} ticket(s) are on policy "
                     f"{show_values(stray)}, which has no targets in the history: they get "
                     "'no target' in sla_compliance.")
    return policies
