"""Zendesk Support: the ticket CSV export, API satisfaction ratings and warehouse tables.

Three layouts are read:

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
- **Warehouse tables** synced by Fivetran (``ticket_data``, ``ticket_field_history_data``,
  ``user_data``, ``group_data``, ``ticket_comment_data``, ``ticket_sla_policy_data``; times
  in UTC): :func:`read_tickets`; :func:`status_durations` (calendar time per status from
  the field history) and :func:`schedule_spec` (``schedule_data`` +
  ``schedule_holiday_data`` -> a business-hours schedule for
  ``csat_toolkit.ops.businesshours.Schedule.from_dict``).
"""
from __future__ import annotations

import csv
import difflib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...errors import FileFormatError, MissingColumnError, ParameterError, show_values
from .._common import _snake
from ..reading import _read_source
from ._frames import _OFFSET, _check_complete, _concat, _local_times, _rename, _require, iana_zone
from ._common import VendorRead, set_aside_rows

__all__ = ["NAME", "KINDS", "SCALES", "detect", "read_responses", "read_tickets",
           "response_rate", "status_durations", "schedule_spec", "iana_zone"]

NAME = "zendesk"
KINDS = ("responses", "tickets")
#: The scale of the scores :func:`read_responses` writes (Good = 1, Bad = 0).
SCALES = {"csat": "csat_binary"}

EXPORT = "Support ticket export (CSV)"
WAREHOUSE = "warehouse ticket_data table (Fivetran)"
RATINGS = "API satisfaction ratings (JSON)"

OFFERED = "offered, not answered"
NOT_OFFERED = "rating not offered"
NO_SCORE = "no Satisfaction Score"
UNKNOWN_SCORE = "unrecognised Satisfaction Score"
DELETED = "deleted ticket (status = deleted)"

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
_WAREHOUSE_COLUMNS = {"id", "created_at", "status", "via_channel", "requester_id"}


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
        return RATINGS if '"satisfaction_ratings"' in text or (
            '"score"' in text and '"ticket_id"' in text) else None
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
    if _WAREHOUSE_COLUMNS <= names:
        return WAREHOUSE
    return None


def _separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


# ------------------------------------------------------------------------ time zones


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
        aside, taken = [], np.zeros(len(frame), dtype=bool)
        for reason, mask in self.problems.items():
            mask = np.asarray(mask, dtype=bool) & ~taken
            if mask.any():
                aside.append(frame[mask].assign(reason=reason))
                taken |= mask
        return frame[~taken], aside


def _layout(source: Any, encoding: str) -> str:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            return WAREHOUSE
        if path.suffix.lower() in (".json", ".jsonl"):
            return RATINGS
        found = detect(path)
        return found or EXPORT
    if isinstance(source, (list, tuple)):
        return RATINGS
    if isinstance(source, pd.DataFrame):
        names = {str(c) for c in source.columns}
        if _WAREHOUSE_COLUMNS <= names:
            return WAREHOUSE
        if {"score", "ticket_id", "id"} <= names:
            return RATINGS
        return EXPORT
    raise ParameterError(f"source must be a file path, a DataFrame or a list of records; got "
                         f"{type(source).__name__}.")


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
    if layout == WAREHOUSE:
        raise ParameterError(
            f"{_label(source)} is Zendesk's warehouse ticket table, which has no satisfaction "
            "ratings: read it with read_tickets, and the ratings from the ticket export or "
            "the API's satisfaction_ratings."
        )
    if layout == RATINGS:
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
                 tables: Mapping[str, Any] | None = None, **options: Any) -> VendorRead:
    """Tickets from a Zendesk ticket export (CSV) or the warehouse ``ticket_data`` table.

    Parameters
    ----------
    source : path or DataFrame
        The Support ticket export (CSV), or Fivetran's ``ticket_data.csv`` (or the folder
        holding it, or the table as a DataFrame).
    timezone : str, optional
        The account's time zone: required for the export's times without an offset. The
        warehouse tables are in UTC and need none.
    encoding : str
        Text encoding of the file.
    columns : mapping, optional
        Your column name -> Zendesk's, for a column renamed after the export.
    tables : mapping, optional
        Warehouse only: the other tables, by name (``ticket_field_history_data``,
        ``user_data``, ``group_data``, ``ticket_comment_data``, ``ticket_sla_policy_data``),
        as paths or DataFrames. By default the files of those names beside ``source``.

    Returns
    -------
    VendorRead
        Export: ``ticket_id``, ``created_at``, ``first_response_at`` (``Created at`` plus
        ``First reply time in minutes``), ``resolved_at`` (``Solved at``), ``channel``
        (Via), ``priority``, ``agent`` (Assignee), ``team`` (Group), ``customer_id``
        (Requester id), ``reopened`` (Reopens > 0), ``reopens``, ``replies``, every
        duration as ``vendor_<name>_calendar_minutes`` and
        ``vendor_<name>_business_minutes``, ``vendor_resolution_hours`` (whole hours),
        the other columns snake_cased. Warehouse: see :func:`_warehouse`; deleted tickets
        are set aside.

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
            "read_responses, and tickets from the ticket export or the warehouse ticket_data."
        )
    if layout == WAREHOUSE:
        return _warehouse(source, encoding, columns, tables or {})
    if tables:
        raise ParameterError("tables= is for the warehouse ticket_data table; the ticket "
                             "export holds everything in one file.")
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
        known = ["timezone", "encoding", "columns", "tables"]
        name = next(iter(options))
        near = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise ParameterError(f"Unknown Zendesk reading option {name!r}{hint}. The options are "
                             f"{', '.join(known)}.")


def _label(source: Any) -> str:
    return str(source) if isinstance(source, (str, os.PathLike)) else "The data"


# ----------------------------------------------------------------- API satisfaction ratings


def _read_ratings(source: Any, encoding: str) -> VendorRead:
    name = _label(source)
    if isinstance(source, pd.DataFrame):
        raw = source.copy()
    elif isinstance(source, (list, tuple)):
        raw = pd.DataFrame.from_records(list(source))
    else:
        path = Path(source)
        if not path.exists():
            raise FileFormatError(f"File not found: {path}. Check the path.")
        try:
            text = path.read_text(encoding=encoding)
        except UnicodeDecodeError as error:
            raise FileFormatError(
                f"{path} is not {encoding} text (byte {error.start:,}): pass encoding=... "
                "(the API writes UTF-8)."
            ) from error
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise FileFormatError(
                f"{path} is not complete JSON ({error.msg} at line {error.lineno}, column "
                f"{error.colno}): the file may be cut off; save the API response again."
            ) from error
        records = data.get("satisfaction_ratings") if isinstance(data, dict) else data
        if not isinstance(records, list):
            keys = list(data) if isinstance(data, dict) else []
            raise FileFormatError(
                f"{path} has no 'satisfaction_ratings' list (keys found: "
                f"{show_values(keys)}). Save the response of GET /api/v2/satisfaction_ratings."
            )
        raw = pd.DataFrame.from_records(records)
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


# ----------------------------------------------------------------- warehouse tables


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
