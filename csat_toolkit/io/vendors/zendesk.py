"""Zendesk Support: the ticket CSV export, the API's ratings, tickets and ticket metrics,
and the warehouse tables.

Five layouts are read:

- **Support ticket export (CSV)** (Admin Center > Account > Tools > Reports > Export,
  support.zendesk.com/hc/en-us/articles/4408886165402): one row per ticket, times in the
  account's time zone without an offset (so ``timezone`` is required), ``Satisfaction
  Score`` as ``Good``/``Bad``/``Offered``/``Not Offered``, and every duration twice, "... in
  minutes" (calendar) and "... in minutes within business hours". It gives both tickets
  (:func:`read_tickets`) and CSAT answers (:func:`read_responses`: ``Good`` = 1, ``Bad`` = 0
  on the toolkit's ``csat_binary`` scale; ``Offered`` is set aside as "offered, not
  answered" and counted for the response rate).
- **API satisfaction ratings** (``GET /api/v2/satisfaction_ratings``, JSON with a
  ``satisfaction_ratings`` list, or the records themselves): :func:`read_responses`.
- **API ticket metrics** (``GET /api/v2/ticket_metrics``: ``{"ticket_metrics": [...]}``;
  ``GET /api/v2/tickets/{id}/metrics``: ``{"ticket_metric": {...}}``; or the records;
  developer.zendesk.com/api-reference/ticketing/tickets/ticket_metrics/):
  :func:`read_tickets`. Times in UTC; ``first_response_at`` is ``created_at`` plus the
  calendar ``reply_time_in_minutes``, ``resolved_at`` is ``solved_at``; every
  ``{calendar, business}`` duration is kept as ``vendor_<name>_calendar_minutes`` and
  ``vendor_<name>_business_minutes``, named as from the CSV export (so
  ``csat_toolkit.ops.vendor_agreement`` reads both).
- **API tickets** (``GET /api/v2/tickets``: ``{"tickets": [...]}``, or the incremental
  export with ``include=metric_sets``, which adds the ``metric_sets`` list):
  :func:`read_tickets`, joined with the ticket metrics of the same file or of
  ``metrics=`` (a ticket metrics file).
- **Warehouse tables** synced by Fivetran (``ticket_data``, ``ticket_field_history_data``,
  ``user_data``, ``group_data``, ``ticket_comment_data``, ``ticket_sla_policy_data``; times
  in UTC): :func:`read_tickets`; :func:`status_durations` (calendar time per status from
  the field history), :func:`schedule_spec` (``schedule_data`` +
  ``schedule_holiday_data`` -> a business-hours schedule for
  ``csat_toolkit.ops.businesshours.Schedule.from_dict``) and :func:`sla_targets`
  (``sla_policy_metric_history_data`` -> the targets ``csat_toolkit.ops.sla_compliance``
  takes, one clock at a time). These live in
  :mod:`csat_toolkit.io.vendors.zendesk_warehouse` and are re-exported here.
"""
from __future__ import annotations

import csv
import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...errors import FileFormatError, MissingColumnError, ParameterError, show_values
from .._common import _snake
from ..reading import _read_source
from ._frames import (_OFFSET, _check_complete, _concat, _local_times, _rename, _require,
                      iana_zone, split_problems)
from ._common import VendorRead, read_json, set_aside_rows
from .zendesk_warehouse import (DELETED, WAREHOUSE, WAREHOUSE_COLUMNS, SlaTargets, _label,
                                _text_ids, _warehouse, schedule_spec, sla_targets,
                                status_durations)

__all__ = ["NAME", "KINDS", "SCALES", "detect", "read_responses", "read_tickets",
           "response_rate", "status_durations", "schedule_spec", "sla_targets", "SlaTargets",
           "iana_zone"]

NAME = "zendesk"
KINDS = ("responses", "tickets")
#: The scale of the scores :func:`read_responses` writes (Good = 1, Bad = 0).
SCALES = {"csat": "csat_binary"}

EXPORT = "Support ticket export (CSV)"
RATINGS = "API satisfaction ratings (JSON)"
METRICS = "API ticket metrics (JSON)"
TICKETS_JSON = "API tickets (JSON)"
_OTHER_JSON = "JSON of another kind"
#: The kinds each layout holds (``ct.read_export`` reads only these).
LAYOUT_KINDS = {EXPORT: ("responses", "tickets"), RATINGS: ("responses",),
                METRICS: ("tickets",), TICKETS_JSON: ("tickets",), WAREHOUSE: ("tickets",)}

OFFERED = "offered, not answered"
NOT_OFFERED = "rating not offered"
NO_SCORE = "no Satisfaction Score"
UNKNOWN_SCORE = "unrecognised Satisfaction Score"

# Export column -> canonical ticket column.
_EXPORT_TICKETS = {
    "Id": "ticket_id", "Created at": "created_at", "Solved at": "resolved_at",
    "Via": "channel", "Priority": "priority", "Assignee": "agent", "Group": "team",
    "Requester id": "customer_id",
}
# Export duration column (calendar) -> vendor column stem; "... within business hours"
# is the business-minutes twin.
_DURATIONS = {
    "First reply time in minutes": "first_reply",
    "First resolution time in minutes": "first_resolution",
    "Full resolution time in minutes": "full_resolution",
    "Agent wait time in minutes": "agent_wait",
    "Requester wait time in minutes": "requester_wait",
    "On hold time in minutes": "on_hold",
}
_EXPORT_TIMES = ("Created at", "Updated at", "Assigned at", "Initially assigned at",
                 "Solved at", "Due date")
_EXPORT_REQUIRED = ("Id", "Created at")
_SCORE = "Satisfaction Score"
# Normalised score text -> score (None: set aside with the reason).
_SCORES = {"good": 1.0, "good with comment": 1.0, "bad": 0.0, "bad with comment": 0.0,
           "offered": OFFERED, "not offered": NOT_OFFERED, "unoffered": NOT_OFFERED}
# API ticket metric {calendar, business} object -> the vendor column stem of the export's
# duration (the same names, so ops.vendor_agreement reads both layouts).
_METRIC_DURATIONS = {
    "reply_time_in_minutes": "first_reply",
    "first_resolution_time_in_minutes": "first_resolution",
    "full_resolution_time_in_minutes": "full_resolution",
    "agent_wait_time_in_minutes": "agent_wait",
    "requester_wait_time_in_minutes": "requester_wait",
    "on_hold_time_in_minutes": "on_hold",
}
_METRIC_TIMES = ("created_at", "solved_at", "assigned_at", "initially_assigned_at",
                 "latest_comment_added_at", "status_updated_at", "assignee_updated_at",
                 "requester_updated_at", "custom_status_updated_at", "updated_at")
_METRIC_COUNTS = ("reopens", "replies", "assignee_stations", "group_stations")


# ---------------------------------------------------------------------------- detect


def detect(path: str | os.PathLike) -> str | None:
    """The Zendesk layout of the file at ``path``, or None if it is not a Zendesk file.

    Reads only the first 64 KB and never raises on another file.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "t.csv").write_text("Id,Created at,Satisfaction Score\\n1,2024-03-01"
    ...                                   " 09:00:00,Good\\n", encoding="utf-8")
    >>> detect(folder / "t.csv")
    'Support ticket export (CSV)'
    >>> _ = (folder / "x.csv").write_text("a,b\\n1,2\\n", encoding="utf-8")
    >>> detect(folder / "x.csv") is None
    True
    """
    try:
        with open(path, "rb") as handle:
            text = handle.read(64 * 1024).decode("utf-8-sig", errors="replace")
    except (OSError, TypeError, ValueError):
        return None
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return _json_layout(text)
    lines = text.splitlines()
    if not lines:
        return None
    try:
        header = next(csv.reader([lines[0]], delimiter=_separator(lines[0])))
    except (csv.Error, StopIteration):
        return None
    names = {h.strip() for h in header}
    if set(_EXPORT_REQUIRED) <= names and (_SCORE in names or names & set(_DURATIONS)):
        return EXPORT
    if WAREHOUSE_COLUMNS <= names:
        return WAREHOUSE
    return None


def _json_layout(text: str) -> str | None:
    """The layout of a JSON text from its keys (a look at the text, not a parse: the
    first 64 KB of a large file are not complete JSON)."""
    if '"satisfaction_ratings"' in text:
        return RATINGS
    if re.search(r'"ticket_metrics?"\s*:', text):
        return METRICS
    zendesk_ticket = '"via"' in text and '"requester_id"' in text   # every Zendesk ticket
    if zendesk_ticket and (re.search(r'"tickets"\s*:', text)
                           or re.search(r'"ticket"\s*:\s*\{', text)):
        return TICKETS_JSON
    if any(f'"{key}"' in text for key in _METRIC_DURATIONS):
        return METRICS
    if '"score"' in text and '"ticket_id"' in text:
        return RATINGS
    if zendesk_ticket and '"ticket_id"' not in text:
        return TICKETS_JSON
    return None


def _separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


# ------------------------------------------------------------------- reading a source


def _read(source: Any, encoding: str, what: str) -> tuple[pd.DataFrame, str]:
    if isinstance(source, (list, tuple)):
        return pd.DataFrame.from_records(list(source)).astype(object), "records"
    raw, name, sep = _read_source(source, encoding=encoding, sep=None, sheet=None)
    if isinstance(source, (str, os.PathLike)) and Path(source).suffix.lower() in (".csv", ".txt",
                                                                                  ".tsv"):
        _check_complete(Path(source), encoding, sep or ",", len(raw.columns))
    return raw, name


def _numbers(values: pd.Series, column: str, notes: list[str]) -> pd.Series:
    text = values.astype("string").str.strip()
    numbers = pd.to_numeric(text, errors="coerce")
    bad = text.notna() & text.ne("") & numbers.isna()
    if bad.any():
        notes.append(f"{int(bad.sum()):,} cell(s) of {column!r} are not numbers "
                     f"({show_values(text[bad].tolist(), 3)}) and are left empty.")
    return numbers.astype(float)


# --------------------------------------------------------------------- the CSV export


class _Export:
    """The CSV export read once: raw text, tz-aware times, rows set aside by time."""

    def __init__(self, source: Any, timezone: str | None, encoding: str,
                 columns: Mapping[str, str] | None) -> None:
        raw, self.name = _read(source, encoding, "export")
        self.raw = _rename(raw, columns).reset_index(drop=True)
        _require(self.raw, _EXPORT_REQUIRED, Path(self.name).name if self.name != "DataFrame"
                 else "The DataFrame", "ticket export",
                 "Export the tickets as CSV from Admin Center > Account > Tools > Reports, "
                 "or choose the vendor that made the file with source:.")
        self.notes: list[str] = []
        self.times: dict[str, pd.Series] = {}
        self.problems: dict[str, np.ndarray] = {}
        for column in _EXPORT_TIMES:
            if column in self.raw.columns:
                times, problems = _local_times(self.raw[column], column, self.name, timezone)
                self.times[column] = times
                for reason, mask in problems.items():
                    self.problems[reason] = self.problems.get(reason, False) | mask
        naive = any(
            (self.raw[c].astype("string").str.strip().fillna("").ne("")
             & ~self.raw[c].astype("string").str.contains(_OFFSET, na=False)).any()
            for c in self.times)
        if naive:
            self.notes.append(f"Times without a UTC offset are read as wall times in "
                              f"{iana_zone(timezone)} (the timezone: setting).")

    def frame(self) -> pd.DataFrame:
        """Canonical ticket columns, vendor durations and the other columns."""
        raw, out = self.raw, {}
        for vendor, canonical in _EXPORT_TICKETS.items():
            if vendor in raw.columns:
                out[canonical] = self.times[vendor] if vendor in self.times else raw[vendor]
        for vendor, stem in _DURATIONS.items():
            for suffix, kind in (("", "calendar"), (" within business hours", "business")):
                if vendor + suffix in raw.columns:
                    out[f"vendor_{stem}_{kind}_minutes"] = _numbers(raw[vendor + suffix],
                                                                    vendor + suffix, self.notes)
        if "First reply time in minutes" in raw.columns:
            minutes = out["vendor_first_reply_calendar_minutes"]
            out["first_response_at"] = out["created_at"] + pd.to_timedelta(minutes, unit="min")
        for vendor, column in (("Reopens", "reopens"), ("Replies", "replies")):
            if vendor in raw.columns:
                out[column] = _numbers(raw[vendor], vendor, self.notes)
        if "reopens" in out:
            out["reopened"] = (out["reopens"] > 0).astype(float).where(out["reopens"].notna())
        if "Resolution time" in raw.columns:
            out["vendor_resolution_hours"] = _numbers(raw["Resolution time"], "Resolution time",
                                                      self.notes)
        used = set(_EXPORT_TICKETS) | {d + s for d in _DURATIONS
                                       for s in ("", " within business hours")}
        used |= {"Reopens", "Replies", "Resolution time"}
        for column in raw.columns:
            if column not in used:
                key = _snake(column)
                out.setdefault(key, self.times.get(column, raw[column]))
        return pd.DataFrame(out, index=raw.index)

    def mapping(self) -> dict:
        mapping = {v: c for v, c in _EXPORT_TICKETS.items() if v in self.raw.columns}
        for vendor, stem in _DURATIONS.items():
            for suffix, kind in (("", "calendar"), (" within business hours", "business")):
                if vendor + suffix in self.raw.columns:
                    mapping[vendor + suffix] = f"vendor_{stem}_{kind}_minutes"
        for vendor, column in (("Reopens", "reopened"), ("Replies", "replies")):
            if vendor in self.raw.columns:
                mapping[vendor] = column
        return mapping

    def split_times(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
        """Rows whose times cannot be read set aside, one reason per row."""
        return split_problems(frame, self.problems)


def _layout(source: Any, encoding: str) -> str:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            return WAREHOUSE
        found = detect(path)
        if path.suffix.lower() in (".json", ".jsonl"):
            return found if found in (RATINGS, METRICS, TICKETS_JSON) else _OTHER_JSON
        return found or EXPORT
    if isinstance(source, Mapping):
        for key, layout in (("satisfaction_ratings", RATINGS), ("ticket_metrics", METRICS),
                            ("ticket_metric", METRICS), ("tickets", TICKETS_JSON),
                            ("ticket", TICKETS_JSON)):
            if key in source:
                return layout
        return _OTHER_JSON
    if isinstance(source, (list, tuple)):
        names = {k for record in source if isinstance(record, Mapping) for k in record}
        return _names_layout(names, RATINGS)
    if isinstance(source, pd.DataFrame):
        names = {str(c) for c in source.columns}
        if WAREHOUSE_COLUMNS <= names:
            return WAREHOUSE
        return _names_layout(names, EXPORT)
    raise ParameterError(f"source must be a file path, a DataFrame, a list of records or the "
                         f"API's JSON as a dict; got {type(source).__name__}.")


def _names_layout(names: set, default: str) -> str:
    """The layout of records (or a table) from their field names."""
    stems = {n.split(".")[0] for n in names}
    if stems & set(_METRIC_DURATIONS):
        return METRICS
    if {"score", "ticket_id", "id"} <= names:
        return RATINGS
    if {"id", "created_at"} <= names and "ticket_id" not in names and (
            "via" in stems or "status" in names):
        return TICKETS_JSON
    return default


def _score_reasons(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Scores (1/0) and, for the rows that are no answer, the reason."""
    text = values.astype("string").str.strip().str.lower().str.replace(r"[_\-]+", " ",
                                                                        regex=True)
    looked = text.map(lambda v: _SCORES.get(v, UNKNOWN_SCORE) if isinstance(v, str) and v
                      else NO_SCORE)
    score = looked.map(lambda v: v if isinstance(v, float) else np.nan).astype(float)
    reason = looked.map(lambda v: v if isinstance(v, str) else None)
    return score, reason


# ---------------------------------------------------------------------------- readers


def read_responses(source: Any, *, timezone: str | None = None, encoding: str = "utf-8-sig",
                   columns: Mapping[str, str] | None = None, **options: Any) -> VendorRead:
    """CSAT answers from a Zendesk ticket export or the API's satisfaction ratings.

    Parameters
    ----------
    source : path, DataFrame or list of records
        The Support ticket export (CSV), a JSON file of ``GET
        /api/v2/satisfaction_ratings`` (``{"satisfaction_ratings": [...]}``), or those
        records as a list or DataFrame.
    timezone : str, optional
        The account's time zone (IANA or Zendesk's name): required when the export's
        times have no UTC offset, as Zendesk writes them.
    encoding : str
        Text encoding of the file (UTF-8, with or without a byte-order mark).
    columns : mapping, optional
        Your column name -> Zendesk's, for a column renamed after the export.
    **options
        None are known; a name given is a :class:`ParameterError`.

    Returns
    -------
    VendorRead
        ``frame``: ``response_id`` (the rating's id, or the ticket id in the export),
        ``survey`` ``"csat"``, ``score`` 1 (Good) or 0 (Bad) on the ``csat_binary`` scale
        (:data:`SCALES`), ``responded_at`` (tz-aware: the rating time in the API; in the
        export, which has no rating time, ``Solved at``, else ``Updated at``),
        ``ticket_id``, ``agent``, ``team``, ``channel``, ``customer_id``, ``comment`` and
        other columns snake_cased. ``set_aside``: "offered, not answered" (counted for the
        response rate, :func:`response_rate`), "rating not offered", "no Satisfaction
        Score", "unrecognised Satisfaction Score", and unreadable or impossible times.

    Examples
    --------
    >>> records = [{"id": 1, "score": "good", "ticket_id": 10,
    ...             "created_at": "2024-03-01T09:00:00Z"},
    ...            {"id": 2, "score": "offered", "ticket_id": 11,
    ...             "created_at": "2024-03-01T10:00:00Z"}]
    >>> read = read_responses(records)
    >>> read.frame[["response_id", "survey", "score"]].values.tolist()
    [['1', 'csat', 1.0]]
    >>> read.set_aside["reason"].tolist(), response_rate(read)["rate"]
    (['offered, not answered'], 0.5)
    """
    _no_options(options)
    layout = _layout(source, encoding)
    if layout in (WAREHOUSE, METRICS, TICKETS_JSON):
        what = {WAREHOUSE: "Zendesk's warehouse ticket table", METRICS: "Zendesk's ticket "
                "metrics", TICKETS_JSON: "Zendesk's tickets from the API"}[layout]
        raise ParameterError(
            f"{_label(source)} is {what}, which has no satisfaction ratings: read it with "
            "read_tickets, and the ratings from the ticket export or the API's "
            "satisfaction_ratings."
        )
    if layout in (RATINGS, _OTHER_JSON):
        return _read_ratings(source, encoding)
    export = _Export(source, timezone, encoding, columns)
    raw = export.raw
    _require(raw, (_SCORE,), Path(export.name).name, "ticket export with satisfaction ratings",
             "Add the Satisfaction Score column to the export, or read only tickets with "
             "read_tickets.")
    tickets = export.frame()
    score, reason = _score_reasons(raw[_SCORE])
    stamp = export.times.get("Solved at")
    fallback = export.times.get("Updated at")
    if stamp is None:
        stamp = fallback
    elif fallback is not None:
        stamp = stamp.fillna(fallback)
    frame = pd.DataFrame({
        "response_id": raw["Id"].astype("string").str.strip().astype(object),
        "survey": "csat", "score": score,
        "responded_at": stamp if stamp is not None else pd.NaT,
        "ticket_id": raw["Id"].astype("string").str.strip().astype(object),
    }, index=raw.index)
    for column in ("agent", "team", "channel", "customer_id", "priority"):
        if column in tickets:
            frame[column] = tickets[column]
    for column in ("Satisfaction Comment", "Satisfaction Reason"):
        if column in raw.columns:
            frame["comment" if "Comment" in column else "satisfaction_reason"] = raw[column]
    frame["satisfaction_score"] = raw[_SCORE]
    kept, aside = export.split_times(frame)
    for why in (OFFERED, NOT_OFFERED, NO_SCORE, UNKNOWN_SCORE):
        kept, more = set_aside_rows(kept, reason.loc[kept.index].eq(why), why)
        aside.append(more)
    set_aside = _concat(aside, frame.columns)
    notes = list(export.notes)
    notes.append("Satisfaction Score read as a 2-point CSAT: Good = 1, Bad = 0 (scale "
                 "csat_binary); the export has no rating time, so responded_at is the "
                 "ticket's Solved at (Updated at where it is empty).")
    read = VendorRead(NAME, EXPORT, kept, set_aside, len(raw), notes,
                      {"Id": "response_id", _SCORE: "score", "Solved at": "responded_at",
                       **{k: v for k, v in export.mapping().items()
                          if v in ("agent", "team", "channel", "customer_id", "priority")}},
                      "responses", dict(SCALES))
    read.notes.append(_rate_sentence(read))
    return read


def read_tickets(source: Any, *, timezone: str | None = None, encoding: str = "utf-8-sig",
                 columns: Mapping[str, str] | None = None,
                 tables: Mapping[str, Any] | None = None, metrics: Any = None,
                 **options: Any) -> VendorRead:
    """Tickets from a Zendesk ticket export (CSV), the API (tickets, ticket metrics) or
    the warehouse ``ticket_data`` table.

    Parameters
    ----------
    source : path, DataFrame, list of records or dict
        The Support ticket export (CSV); a JSON file of ``GET /api/v2/ticket_metrics``
        (``{"ticket_metrics": [...]}``), of ``GET /api/v2/tickets/{id}/metrics``
        (``{"ticket_metric": {...}}``), of ``GET /api/v2/tickets`` (``{"tickets":
        [...]}``) or of the incremental ticket export with ``include=metric_sets``
        (``tickets`` and ``metric_sets``), or those records; or Fivetran's
        ``ticket_data.csv`` (or the folder holding it, or the table as a DataFrame).
    timezone : str, optional
        The account's time zone: required for the export's times without an offset. The
        API's times and the warehouse tables are in UTC and need none.
    encoding : str
        Text encoding of the file.
    columns : mapping, optional
        Your column name -> Zendesk's, for a column renamed after the export.
    tables : mapping, optional
        Warehouse only: the other tables, by name (``ticket_field_history_data``,
        ``user_data``, ``group_data``, ``ticket_comment_data``, ``ticket_sla_policy_data``),
        as paths or DataFrames. By default the files of those names beside ``source``.
    metrics : path, list of records or DataFrame, optional
        API tickets only: the ticket metrics (``GET /api/v2/ticket_metrics``) to join by
        ``ticket_id`` (a relative path is looked for beside ``source`` first). Not needed
        when the file holds ``metric_sets`` (incremental export).

    Returns
    -------
    VendorRead
        Export: ``ticket_id``, ``created_at``, ``first_response_at`` (``Created at`` plus
        ``First reply time in minutes``), ``resolved_at`` (``Solved at``), ``channel``
        (Via), ``priority``, ``agent`` (Assignee), ``team`` (Group), ``customer_id``
        (Requester id), ``reopened`` (Reopens > 0), ``reopens``, ``replies``, every
        duration as ``vendor_<name>_calendar_minutes`` and
        ``vendor_<name>_business_minutes``, ``vendor_resolution_hours`` (whole hours),
        the other columns snake_cased. API ticket metrics: ``ticket_id``, ``created_at``,
        ``first_response_at`` (``created_at`` plus the calendar ``reply_time_in_minutes``),
        ``resolved_at`` (``solved_at``), ``reopens``/``reopened``, ``replies``,
        ``assignee_stations``, ``group_stations``, the other times (``assigned_at`` ...)
        and every duration as in the export (``reply_time_in_minutes`` ->
        ``vendor_first_reply_calendar_minutes``/``..._business_minutes`` ...). API
        tickets: ``ticket_id``, ``created_at``, ``channel`` (``via.channel``),
        ``priority``, ``status``, ``agent`` (assignee_id), ``team`` (group_id),
        ``customer_id`` (requester_id), the other fields, and the metrics' columns
        joined; deleted tickets are set aside. Warehouse: ``ticket_id``, ``created_at``,
        ``resolved_at`` (last solved in the field history), ``reopens``/``reopened``,
        ``first_response_at`` (first public agent comment), ``channel``, ``priority``,
        ``agent``, ``team``, ``customer_id``, ``sla_policy_id``; deleted tickets are set
        aside.

    Examples
    --------
    >>> table = pd.DataFrame({"id": [1, 2], "created_at": ["2020-02-19 01:54:52"] * 2,
    ...                       "status": ["closed", "deleted"], "via_channel": "email",
    ...                       "requester_id": [7, 8], "priority": None})
    >>> read = read_tickets(table)
    >>> read.frame["ticket_id"].tolist(), read.set_aside["reason"].tolist()
    (['1'], ['deleted ticket (status = deleted)'])
    >>> str(read.frame["created_at"].iloc[0])
    '2020-02-19 01:54:52+00:00'
    """
    _no_options(options)
    layout = _layout(source, encoding)
    if layout == RATINGS:
        raise ParameterError(
            f"{_label(source)} holds satisfaction ratings, not tickets: read it with "
            "read_responses, and tickets from the ticket export, the API's tickets or ticket "
            "metrics, or the warehouse ticket_data."
        )
    if metrics is not None and layout != TICKETS_JSON:
        raise ParameterError(
            f"metrics= joins ticket metrics to the API's tickets (JSON); {_label(source)} is "
            f"read as the {layout}, which {'has its durations' if layout != METRICS else 'is'}"
            " the metrics already. Leave metrics= out.")
    if layout == WAREHOUSE:
        return _warehouse(source, encoding, columns, tables or {})
    if tables:
        raise ParameterError("tables= is for the warehouse ticket_data table; the ticket "
                             "export and the API's files hold everything in one file.")
    if layout == _OTHER_JSON:
        data = _json_data(source, encoding)
        keys = list(data) if isinstance(data, Mapping) else []
        raise FileFormatError(
            f"{_label(source)} is not a Zendesk API file: no 'ticket_metrics', 'ticket_metric' "
            f"or 'tickets' list (keys found: {show_values(keys)}). Save the response of GET "
            "/api/v2/ticket_metrics or /api/v2/tickets, or choose the vendor that made the "
            "file with source:.")
    if layout == METRICS:
        return _read_metrics(source, timezone, encoding, columns)
    if layout == TICKETS_JSON:
        return _read_tickets_json(source, timezone, encoding, columns, metrics)
    export = _Export(source, timezone, encoding, columns)
    frame = export.frame()
    kept, aside = export.split_times(frame)
    frame_notes = list(export.notes)
    if "first_response_at" in frame:
        frame_notes.append("first_response_at is Created at plus First reply time in minutes "
                           "(calendar); Zendesk's own business minutes are kept as "
                           "vendor_first_reply_business_minutes.")
    return VendorRead(NAME, EXPORT, kept, _concat(aside, frame.columns),
                      len(export.raw), frame_notes, export.mapping(), "tickets")


def response_rate(read: VendorRead) -> dict:
    """Ratings offered, answered and the response rate of a :func:`read_responses` result.

    Answered ratings are the rows kept (Good or Bad); offered ones add those set aside as
    "offered, not answered". Tickets never offered a rating count in neither.

    Examples
    --------
    >>> read = VendorRead("zendesk", EXPORT, pd.DataFrame({"score": [1.0, 0.0, 1.0]}),
    ...                   pd.DataFrame({"reason": [OFFERED, NOT_OFFERED]}), 5)
    >>> response_rate(read)
    {'answered': 3, 'offered': 4, 'rate': 0.75}
    """
    answered = int(read.frame["score"].notna().sum()) if "score" in read.frame else 0
    waiting = int(read.set_aside["reason"].eq(OFFERED).sum()) if len(read.set_aside) else 0
    offered = answered + waiting
    return {"answered": answered, "offered": offered,
            "rate": answered / offered if offered else float("nan")}


def _rate_sentence(read: VendorRead) -> str:
    rate = response_rate(read)
    if not rate["offered"]:
        return "No rating was offered in this file, so there is no response rate."
    return (f"{rate['answered']:,} of {rate['offered']:,} ratings offered were answered "
            f"({100 * rate['rate']:.1f}% response rate); the {rate['offered'] - rate['answered']:,} "
            f"offered but not answered are set aside as '{OFFERED}'.")


def _no_options(options: Mapping) -> None:
    if options:
        known = ["timezone", "encoding", "columns", "tables", "metrics"]
        name = next(iter(options))
        near = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise ParameterError(f"Unknown Zendesk reading option {name!r}{hint}. The options are "
                             f"{', '.join(known)}.")


# ----------------------------------------------------------------- API satisfaction ratings


def _json_data(source: Any, encoding: str) -> Any:
    """A JSON source as Python data: the file read (errors that say what to do), or the
    records/dict given."""
    if isinstance(source, (str, os.PathLike)):
        return read_json(Path(source), encoding, writer="Zendesk's API",
                         again="the API response")
    return source


def _records(source: Any, encoding: str, keys: tuple[str, ...], endpoint: str
             ) -> tuple[pd.DataFrame, Any]:
    """The records under the first of ``keys`` (a list, or one record as a dict), as a
    frame, and the whole data (for sideloaded lists such as ``metric_sets``)."""
    if isinstance(source, pd.DataFrame):
        return source.copy().reset_index(drop=True), None
    data = _json_data(source, encoding)
    records = data
    if isinstance(data, Mapping):
        key = next((k for k in keys if k in data), None)
        records = data.get(key) if key else None
        if isinstance(records, Mapping):
            records = [records]
    if not isinstance(records, (list, tuple)):
        found = list(data) if isinstance(data, Mapping) else [type(data).__name__]
        raise FileFormatError(
            f"{_label(source)} has no {' or '.join(repr(k) for k in keys)} list (keys found: "
            f"{show_values(found)}). Save the response of GET {endpoint}.")
    odd = [r for r in records if not isinstance(r, Mapping)]
    if odd:
        raise FileFormatError(
            f"{_label(source)}: {len(odd):,} of the {len(records):,} records are not JSON "
            f"objects (e.g. {show_values(odd, 3)}). Save the response of GET {endpoint} as "
            "it comes.")
    return pd.DataFrame.from_records(list(records)).astype(object), data


def _read_ratings(source: Any, encoding: str) -> VendorRead:
    name = _label(source)
    raw, _ = _records(source, encoding, ("satisfaction_ratings",),
                      "/api/v2/satisfaction_ratings")
    for column in ("id", "score", "created_at"):
        if column not in raw.columns:
            _require(raw, ("id", "score", "created_at"), name, "satisfaction ratings list",
                     "Save the response of GET /api/v2/satisfaction_ratings.")
    raw = raw.reset_index(drop=True)
    times, problems = _local_times(raw["created_at"], "created_at", name, None)
    score, reason = _score_reasons(raw["score"])
    frame = pd.DataFrame({"response_id": raw["id"].astype("string").astype(object),
                          "survey": "csat", "score": score, "responded_at": times},
                         index=raw.index)
    for vendor, canonical in (("ticket_id", "ticket_id"), ("assignee_id", "agent"),
                              ("group_id", "team"), ("requester_id", "customer_id"),
                              ("comment", "comment"), ("reason", "reason")):
        if vendor in raw.columns:
            values = raw[vendor]
            if vendor.endswith("_id"):
                values = values.map(lambda v: None if pd.isna(v) else str(v).removesuffix(".0"))
            frame[canonical] = values
    frame["satisfaction_score"] = raw["score"]
    aside, taken = [], np.zeros(len(frame), dtype=bool)
    for why, mask in problems.items():
        mask = mask & ~taken
        aside.append(frame[mask].assign(reason=why))
        taken |= mask
    kept = frame[~taken]
    for why in (OFFERED, NOT_OFFERED, NO_SCORE, UNKNOWN_SCORE):
        kept, more = set_aside_rows(kept, reason.loc[kept.index].eq(why), why)
        aside.append(more)
    read = VendorRead(NAME, RATINGS, kept, _concat(aside, frame.columns),
                      len(raw),
                      ["Ratings' times are UTC (the API writes them with 'Z').",
                       "score good/bad read as a 2-point CSAT: good = 1, bad = 0 (scale "
                       "csat_binary)."],
                      {"id": "response_id", "score": "score", "created_at": "responded_at",
                       "ticket_id": "ticket_id", "assignee_id": "agent", "group_id": "team",
                       "requester_id": "customer_id", "comment": "comment"}, "responses",
                      dict(SCALES))
    read.notes.append(_rate_sentence(read))
    return read


# ------------------------------------------------------------ API ticket metrics, tickets

_METRICS_ENDPOINT = "/api/v2/ticket_metrics"
_TICKETS_ENDPOINT = "/api/v2/tickets (or the incremental export with include=metric_sets)"


def _duration(raw: pd.DataFrame, key: str, part: str, notes: list[str]) -> pd.Series | None:
    """One part (``calendar``/``business``) of a duration object, as numbers; None when
    the records do not have the duration. Flattened records (``key.calendar``) work too."""
    if f"{key}.{part}" in raw.columns:
        values = raw[f"{key}.{part}"]
    elif key in raw.columns:
        cells = raw[key]
        odd = cells.map(lambda v: not (v is None or isinstance(v, Mapping)
                                       or (isinstance(v, float) and np.isnan(v))))
        if odd.any():
            notes.append(f"{int(odd.sum()):,} {key!r} value(s) are not {{calendar, business}} "
                         f"objects ({show_values(cells[odd].tolist(), 3)}) and are left empty.")
        values = cells.map(lambda v: v.get(part) if isinstance(v, Mapping) else None)
    else:
        return None
    return _numbers(values, f"{key}.{part}", notes)


def _metrics_frame(raw: pd.DataFrame, name: str, timezone: str | None
                   ) -> tuple[pd.DataFrame, dict[str, np.ndarray], list[str]]:
    """Ticket metric records -> ticket columns, the rows with unreadable times, notes."""
    _require(raw, ("ticket_id", "created_at"), name, "ticket metrics list",
             f"Save the response of GET {_METRICS_ENDPOINT} (or of "
             "/api/v2/tickets/{id}/metrics), or choose the vendor that made the file with "
             "source:.")
    notes: list[str] = []
    out: dict[str, pd.Series] = {"ticket_id": _text_ids(raw["ticket_id"])}
    problems: dict[str, np.ndarray] = {}
    times: dict[str, pd.Series] = {}
    for column in _METRIC_TIMES:
        if column in raw.columns:
            times[column], found = _local_times(raw[column], column, name, timezone)
            for reason, mask in found.items():
                problems[reason] = problems.get(reason, False) | mask
    out["created_at"] = times["created_at"]
    reply = _duration(raw, "reply_time_in_minutes", "calendar", notes)
    if reply is not None:
        out["first_response_at"] = times["created_at"] + pd.to_timedelta(reply, unit="min")
    if "solved_at" in times:
        out["resolved_at"] = times["solved_at"]
    for key, stem in _METRIC_DURATIONS.items():
        for part in ("calendar", "business"):
            values = _duration(raw, key, part, notes)
            if values is not None:
                out[f"vendor_{stem}_{part}_minutes"] = values
    seconds = _duration(raw, "reply_time_in_seconds", "calendar", notes)
    if seconds is not None:
        out["vendor_first_reply_calendar_seconds"] = seconds
    for column in _METRIC_COUNTS:
        if column in raw.columns:
            out[column] = _numbers(raw[column], column, notes)
    if "reopens" in out:
        out["reopened"] = (out["reopens"] > 0).astype(float).where(out["reopens"].notna())
    for column, values in times.items():
        if column not in ("created_at", "solved_at"):
            out[column] = values
    if "id" in raw.columns:
        out["ticket_metric_id"] = _text_ids(raw["id"])
    used = {"ticket_id", "id", "url", *_METRIC_TIMES, *_METRIC_COUNTS, *_METRIC_DURATIONS,
            "reply_time_in_seconds"}
    for column in raw.columns:
        if str(column).split(".")[0] not in used:
            out.setdefault(_snake(str(column)), raw[column])
    return pd.DataFrame(out, index=raw.index), problems, notes


_METRICS_NOTE = ("Ticket metrics' times are UTC (the API writes them with 'Z'); "
                 "first_response_at is created_at plus reply_time_in_minutes (calendar) and "
                 "resolved_at is solved_at (the latest solve); Zendesk's own calendar and "
                 "business minutes are kept as vendor_<duration>_calendar_minutes and "
                 "vendor_<duration>_business_minutes.")


def _metrics_mapping(columns) -> dict:
    mapping = {"ticket_id": "ticket_id", "created_at": "created_at",
               "solved_at": "resolved_at", "reply_time_in_minutes": "first_response_at",
               "reopens": "reopened", "replies": "replies"}
    for key, stem in _METRIC_DURATIONS.items():
        if key in columns or f"{key}.calendar" in columns:
            mapping[f"{key}.calendar"] = f"vendor_{stem}_calendar_minutes"
            mapping[f"{key}.business"] = f"vendor_{stem}_business_minutes"
    return {k: v for k, v in mapping.items() if k.split(".")[0] in columns
            or k in columns}


def _read_metrics(source: Any, timezone: str | None, encoding: str,
                  columns: Mapping[str, str] | None) -> VendorRead:
    raw, _ = _records(source, encoding, ("ticket_metrics", "ticket_metric"), _METRICS_ENDPOINT)
    raw = _rename(raw, columns)
    frame, problems, notes = _metrics_frame(raw, _label(source), timezone)
    kept, aside = split_problems(frame, problems)
    return VendorRead(NAME, METRICS, kept, _concat(aside, frame.columns), len(raw),
                      [_METRICS_NOTE, *notes], _metrics_mapping(set(raw.columns)), "tickets")


def _metrics_source(metrics: Any, source: Any) -> Any:
    """A relative metrics path is looked for beside the tickets file first."""
    if isinstance(metrics, (str, os.PathLike)) and isinstance(source, (str, os.PathLike)):
        path = Path(metrics)
        beside = Path(source).parent / path
        if not path.is_absolute() and beside.exists():
            return beside
    return metrics


def _read_tickets_json(source: Any, timezone: str | None, encoding: str,
                       columns: Mapping[str, str] | None, metrics: Any) -> VendorRead:
    raw, data = _records(source, encoding, ("tickets", "ticket"), _TICKETS_ENDPOINT)
    raw = _rename(raw, columns)
    name = _label(source)
    _require(raw, ("id", "created_at"), name, "tickets list",
             f"Save the response of GET {_TICKETS_ENDPOINT}, or choose the vendor that made "
             "the file with source:.")
    notes = ["The API's times are UTC (written with 'Z')."]
    created, problems = _local_times(raw["created_at"], "created_at", name, timezone)
    frame = pd.DataFrame({"ticket_id": _text_ids(raw["id"]), "created_at": created},
                         index=raw.index)
    if "via" in raw.columns:
        frame["channel"] = raw["via"].map(lambda v: v.get("channel") if isinstance(v, Mapping)
                                          else v)
    elif "via.channel" in raw.columns:
        frame["channel"] = raw["via.channel"]
    for vendor, canonical in (("priority", "priority"), ("status", "status"), ("type", "type"),
                              ("assignee_id", "agent"), ("group_id", "team"),
                              ("requester_id", "customer_id"), ("subject", "subject"),
                              ("organization_id", "organization_id"), ("brand_id", "brand_id")):
        if vendor in raw.columns:
            frame[canonical] = _text_ids(raw[vendor]) if vendor.endswith("_id") else raw[vendor]
    if "updated_at" in raw.columns:
        frame["updated_at"], more = _local_times(raw["updated_at"], "updated_at", name, timezone)
        for reason, mask in more.items():
            problems[reason] = problems.get(reason, False) | mask
    if "tags" in raw.columns:
        frame["tags"] = raw["tags"].map(lambda v: "; ".join(map(str, v))
                                        if isinstance(v, (list, tuple)) else v)
    if "satisfaction_rating" in raw.columns:
        frame["satisfaction_score"] = raw["satisfaction_rating"].map(
            lambda v: v.get("score") if isinstance(v, Mapping) else None)
    sets = data.get("metric_sets") if isinstance(data, Mapping) else None
    if sets is not None and metrics is not None:
        raise ParameterError(f"{name} holds its own metric_sets (the incremental export with "
                             "include=metric_sets): leave metrics= out.")
    given = sets if sets is not None else (None if metrics is None
                                           else _metrics_source(metrics, source))
    mapping = {"id": "ticket_id", "created_at": "created_at", "via.channel": "channel",
               "priority": "priority", "assignee_id": "agent", "group_id": "team",
               "requester_id": "customer_id"}
    if given is None:
        for column in ("first_response_at", "resolved_at"):
            frame[column] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
        notes.append("No ticket metrics were given, so first_response_at and resolved_at are "
                     "empty (every ticket reads as open): pass metrics= the response of GET "
                     f"{_METRICS_ENDPOINT}, or export with include=metric_sets.")
    else:
        joined = _join_metrics(frame, given, encoding, timezone, notes)
        frame = joined
        mapping.update({f"metric_sets.{k}" if sets is not None else f"metrics.{k}": v
                        for k, v in _metrics_mapping(set(_METRIC_DURATIONS) | {
                            "solved_at", "reopens", "replies"}).items()})
    frame, aside = split_problems(frame, problems)
    status = frame["status"].astype("string").str.strip().str.lower() if "status" in frame \
        else pd.Series(pd.NA, index=frame.index, dtype="string")
    frame, deleted = set_aside_rows(frame, status.eq("deleted"), DELETED)
    return VendorRead(NAME, TICKETS_JSON, frame,
                      _concat([*aside, deleted], frame.columns), len(raw), notes,
                      {k: v for k, v in mapping.items() if k.split(".")[0] in raw.columns
                       or k.startswith(("metric_sets.", "metrics."))}, "tickets")


def _join_metrics(frame: pd.DataFrame, metrics: Any, encoding: str, timezone: str | None,
                  notes: list[str]) -> pd.DataFrame:
    """The tickets with their metrics' columns, by ticket_id (the tickets' own times win)."""
    raw, _ = _records(metrics, encoding, ("ticket_metrics", "ticket_metric", "metric_sets"),
                      _METRICS_ENDPOINT)
    if not len(raw):
        notes.append("The ticket metrics are empty: first_response_at and resolved_at are "
                     "empty for every ticket.")
        return frame
    if "created_at" not in raw.columns:   # the join needs the tickets' own created_at only
        raw = raw.assign(created_at=None)
    table, problems, more = _metrics_frame(raw, _label(metrics) if not isinstance(metrics, list)
                                           else "metric_sets", timezone)
    notes.extend(more)
    for reason, mask in problems.items():
        notes.append(f"{int(np.sum(mask)):,} metric set(s), {reason} (ticket "
                     f"{show_values(table.loc[np.asarray(mask, bool), 'ticket_id'].tolist())}): "
                     "that time is left empty.")
    table = table.dropna(subset=["ticket_id"])
    twice = table["ticket_id"].duplicated(keep="last")
    if twice.any():
        notes.append(f"{int(twice.sum()):,} ticket(s) have more than one metric set "
                     f"({show_values(table.loc[twice, 'ticket_id'].tolist())}); the last is used.")
        table = table[~twice]
    stray = ~table["ticket_id"].isin(set(frame["ticket_id"]))
    if stray.any():
        notes.append(f"{int(stray.sum()):,} metric set(s) are for tickets not in the file "
                     f"({show_values(table.loc[stray, 'ticket_id'].tolist())}) and are not used.")
    table = table.drop(columns=["created_at", "first_response_at"], errors="ignore")
    table = table.drop(columns=[c for c in table.columns if c in frame.columns
                                and c != "ticket_id"])
    joined = frame.reset_index().merge(table, on="ticket_id", how="left").set_index("index")
    joined.index.name = None
    if "vendor_first_reply_calendar_minutes" in joined:
        joined["first_response_at"] = joined["created_at"] + pd.to_timedelta(
            joined["vendor_first_reply_calendar_minutes"], unit="min")
    if "resolved_at" not in joined:
        joined["resolved_at"] = pd.Series(pd.NaT, index=joined.index, dtype="datetime64[ns, UTC]")
    missing = ~frame["ticket_id"].isin(set(table["ticket_id"]))
    if missing.any():
        notes.append(f"{int(missing.sum()):,} ticket(s) have no metric set "
                     f"({show_values(frame.loc[missing, 'ticket_id'].tolist())}): their "
                     "first_response_at and resolved_at are empty.")
    solved = frame.get("status", pd.Series(dtype=object)).astype("string").str.lower().isin(
        ["solved", "closed"])
    open_solved = solved & joined["resolved_at"].isna()
    if open_solved.any():
        notes.append(f"{int(open_solved.sum()):,} solved or closed ticket(s) have no solved_at "
                     "in their metrics, so resolved_at is empty for them (they read as open).")
    notes.append(_METRICS_NOTE)
    return joined
