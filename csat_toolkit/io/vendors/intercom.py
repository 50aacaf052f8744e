"""Intercom conversations: warehouse tables (type-2 history) and API conversation JSON.

Two layouts are read:

- **warehouse tables** as a sync tool (Fivetran) writes them: ``conversation_history``
  (one row per version of a conversation, ``_fivetran_start``/``_fivetran_active``),
  with ``admin``, ``team``, ``team_admin`` and ``conversation_part_history`` beside it
  (file names with or without the ``_data`` suffix). Give the conversation history file
  or its folder. Times are UTC (the sync tool writes the API's Unix times in UTC).
- **API conversations** (``GET /conversations``, ``conversation.list`` pages, a list of
  conversation objects or one object): Unix seconds, ``conversation_rating`` and
  ``statistics`` (durations in seconds that "subtract out of business hours",
  developers.intercom.com .../models/conversation_statistics).

Tickets: one per conversation (its latest version); ``resolved_at`` is when the final
run of ``closed`` versions began, ``reopened`` is 1 when a closed version is followed by
an open one (or ``statistics.count_reopens`` > 0). Intercom's business-hours statistics
become ``vendor_*_business_minutes`` columns. Responses: one CSAT answer (1-5, or the
labels terrible..amazing) per rated conversation; a rating requested but not given and
a conversation never rated are set aside with their reasons.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...errors import FileFormatError, MissingColumnError, ParameterError, show_values
from ..options import _check_timezone
from ..reading import _check_path, _read_csv
from ._bad_input import CutRow, did_you_mean, read_csv_text, split_cut, value_names
from ._common import VendorRead, read_json, set_aside_rows

__all__ = ["NAME", "KINDS", "detect", "read_tickets", "read_responses", "RATING_LABELS"]

NAME = "intercom"
KINDS = ("responses", "tickets")

#: Intercom's rating labels (Fin CSAT ``terrible`` .. ``amazing``) on the 1-5 scale.
RATING_LABELS = {"terrible": 1, "bad": 2, "ok": 3, "good": 4, "amazing": 5}

WAREHOUSE = "warehouse tables (conversation_history, type-2 history)"
API = "API conversations (JSON)"

_TABLES = {
    "history": ("conversation_history_data", "conversation_history"),
    "admins": ("admin_data", "admin"),
    "teams": ("team_data", "team"),
    "team_admins": ("team_admin_data", "team_admin"),
    "parts": ("conversation_part_history_data", "conversation_part_history"),
}
_HISTORY_REQUIRED = ("id", "created_at", "updated_at", "state")
_HISTORY_MARKERS = {"id", "state", "assignee_type", "source_delivered_as", "created_at"}
#: Intercom statistics (seconds, business hours subtracted) -> vendor columns (minutes).
_STATISTICS = {
    "time_to_assignment": "vendor_assignment_business_minutes",
    "time_to_admin_reply": "vendor_first_reply_business_minutes",
    "time_to_first_close": "vendor_first_resolution_business_minutes",
    "time_to_last_close": "vendor_full_resolution_business_minutes",
    "median_time_to_reply": "vendor_median_reply_business_minutes",
}
_EMPTY_MD5 = "1B2M2Y8AsgTpgAmY7PhCfg=="  # base64 MD5 of "", the warehouse's hashed empty text
_UTC_NOTE = ("Times are UTC: Intercom's API gives Unix seconds and the warehouse sync "
             "writes them in UTC.")


def detect(path: str | os.PathLike) -> str | None:
    """The layout name when ``path`` is an Intercom export, else None (never raises).

    Reads only the header line of a CSV or the first 64 KB of a JSON file; a folder is
    Intercom's when it holds a ``conversation_history`` table.

    Examples
    --------
    >>> detect("no/such/file.csv") is None
    True
    """
    try:
        path = Path(path)
        if path.is_dir():
            found = _sibling(path, "history")
            return WAREHOUSE if found is not None and detect(found) == WAREHOUSE else None
        suffix = path.suffix.lower()
        with open(path, "rb") as handle:
            head = handle.read(65536).decode("utf-8-sig", errors="replace")
        if suffix == ".json":
            return API if ('"conversation_rating"' in head or '"conversation.list"' in head
                           or '"type": "conversation"' in head
                           or '"type":"conversation"' in head) else None
        if suffix in (".csv", ".txt"):
            header = {c.strip().strip('"') for c in head.splitlines()[0].split(",")}
            return WAREHOUSE if _HISTORY_MARKERS <= header else None
    except (OSError, IndexError, ValueError):
        return None
    return None


def read_tickets(source: Any, *, timezone: str | None = None, encoding: str = "utf-8-sig",
                 **options: Any) -> VendorRead:
    """Intercom conversations as canonical tickets, one per conversation.

    Parameters
    ----------
    source : path, folder, DataFrame or list of dicts
        The ``conversation_history`` CSV (or its folder), an API conversations JSON file,
        a DataFrame of the history table, or a list of API conversation objects.
    timezone : str, optional
        The account's zone: UTC times are converted to it (same instants). The times
        carry their offset either way.
    encoding : str
        Text encoding of the files.
    **options
        ``columns`` (file column -> Intercom's name, for renamed columns); ``admins``,
        ``teams``, ``team_admins``, ``parts``: other paths for those tables (found
        beside the history file by default), or ``False`` to ignore them.

    Returns
    -------
    VendorRead
        ``frame``: ``ticket_id``, ``created_at``, ``first_response_at``,
        ``resolved_at``, ``channel``, ``priority``, ``agent``, ``team``,
        ``customer_id``, ``reopened``, then ``state``, ``first_closed_at``,
        ``first_assigned_at``, ``agent_id``, ``delivered_as``, ``versions`` and the
        ``vendor_*_business_minutes`` columns where Intercom gives statistics.
        ``set_aside``: earlier versions of each conversation (warehouse history). The
        index of both is the row's 0-based position in the file (or the record's in
        the JSON list), as the loaders' ``source_row`` needs.

    Examples
    --------
    >>> api = [{"type": "conversation", "id": "7", "created_at": 1663597223,
    ...         "updated_at": 1663600823, "state": "closed",
    ...         "statistics": {"time_to_admin_reply": 600, "first_admin_reply_at": 1663597823,
    ...                        "last_close_at": 1663600823}}]
    >>> read = read_tickets(api)
    >>> row = read.frame.iloc[0]
    >>> row["ticket_id"], str(row["resolved_at"]), float(row["vendor_first_reply_business_minutes"])
    ('7', '2022-09-19 15:20:23+00:00', 10.0)
    """
    data = _load(source, timezone, encoding, options)
    latest, earlier = _latest_versions(data)
    frame = _ticket_frame(data, latest)
    notes = data.notes + [f"{len(frame):,} conversations read as tickets from "
                          f"{data.n_read:,} rows."]
    if len(earlier):
        notes.append(f"{len(earlier):,} earlier versions of conversations set aside: the "
                     "latest version of each is kept, the history gives the close and "
                     "reopen times.")
    if data.cut is not None:
        earlier = pd.concat([earlier, data.cut.frame(["ticket_id", "updated_at", "state"],
                                                     {"ticket_id": data.cut.get("id")})])
    return VendorRead(vendor=NAME, layout=data.layout, frame=frame, set_aside=earlier,
                      n_read=data.n_read, notes=notes, mapping=_mapping(data, "tickets"),
                      kind="tickets")


def read_responses(source: Any, *, timezone: str | None = None,
                   encoding: str = "utf-8-sig", **options: Any) -> VendorRead:
    """Intercom conversation ratings as CSAT answers (1-5), one per rated conversation.

    Parameters
    ----------
    source, timezone, encoding, **options
        As for :func:`read_tickets`.

    Returns
    -------
    VendorRead
        ``frame``: ``response_id`` (the conversation id), ``survey`` ("csat"),
        ``score`` (1-5; the labels terrible..amazing read as 1..5), ``responded_at``
        (the rating's update time, else its request time, else the first version
        showing it), ``comment`` (the remark), ``ticket_id``, ``customer_id``,
        ``agent``, ``team``, ``channel``. ``set_aside``: earlier versions, ratings
        requested but not given, conversations never rated.

    Examples
    --------
    >>> api = [{"type": "conversation", "id": "7", "created_at": 1663597223,
    ...         "updated_at": 1663600823, "state": "closed",
    ...         "conversation_rating": {"rating": 4, "remark": "quick",
    ...                                 "created_at": 1663600900}},
    ...        {"type": "conversation", "id": "8", "created_at": 1663597223,
    ...         "updated_at": 1663600823, "state": "closed",
    ...         "conversation_rating": {"rating": None, "created_at": 1663600900}}]
    >>> read = read_responses(api)
    >>> read.frame[["response_id", "survey", "score", "comment"]]
      response_id survey  score comment
    0           7   csat    4.0   quick
    >>> read.set_aside["reason"].tolist()
    ['rating requested but not given']
    """
    data = _load(source, timezone, encoding, options)
    latest, earlier = _latest_versions(data)
    tickets = _ticket_frame(data, latest)
    rows = latest
    first_seen = _first_rating_seen(data.versions)
    answers = pd.DataFrame({
        "response_id": rows["id"],
        "survey": "csat",
        "score": _scores(rows["rating"]),
        "responded_at": rows["rating_updated_at"].fillna(rows["rating_created_at"])
                        .fillna(_as_times(rows["id"].map(first_seen), rows["created_at"])),
        "comment": rows["remark"],
        "ticket_id": rows["id"],
        "customer_id": _either(rows["rating_contact_id"], tickets["customer_id"]),
        "agent": _either(rows["rating_teammate_id"].map(
            lambda v: data.admins.get(v, v) if v is not None else None), tickets["agent"]),
        "team": tickets["team"],
        "channel": tickets["channel"],
    })
    rated = rows["rating"].notna()
    requested = rows["rating_created_at"].notna()
    kept, unanswered = set_aside_rows(answers, ~rated & requested,
                                      "rating requested but not given")
    kept, unrated = set_aside_rows(kept, ~rated[kept.index] & ~requested[kept.index],
                                   "conversation not rated")
    parts = [earlier, unanswered, unrated]
    if data.cut is not None:
        parts.append(data.cut.frame(["response_id", "ticket_id"],
                                    {"response_id": data.cut.get("id"),
                                     "ticket_id": data.cut.get("id")}))
    aside = pd.concat(parts).sort_index(kind="stable")
    notes = data.notes + [f"{len(kept):,} rated conversations of {len(rows):,} read as CSAT "
                          "answers on the 1-5 scale (Intercom's conversation rating)."]
    if len(kept) and rows.loc[rated, "rating_updated_at"].isna().any():
        notes.append("responded_at is the time the rating was requested (Intercom's "
                     "conversation_rating.created_at) where the rating has no update time.")
    return VendorRead(vendor=NAME, layout=data.layout, frame=kept,
                      set_aside=aside, n_read=data.n_read, notes=notes,
                      mapping=_mapping(data, "responses"), kind="responses")


# --- reading ------------------------------------------------------------------------

class _Data:
    """Conversation versions in one shape, whichever layout they came from."""

    def __init__(self, versions: pd.DataFrame, layout: str, name: str, n_read: int,
                 notes: list[str], admins: dict, admin_teams: dict, team_names: dict,
                 first_replies: dict, source_columns: list[str]):
        self.versions, self.layout, self.name, self.n_read = versions, layout, name, n_read
        self.notes, self.admins, self.admin_teams = notes, admins, admin_teams
        self.team_names, self.first_replies = team_names, first_replies
        self.source_columns = source_columns
        self.cut: CutRow | None = None


def _load(source: Any, timezone: str | None, encoding: str, options: dict) -> _Data:
    unknown = set(options) - {"columns", "admins", "teams", "team_admins", "parts"}
    if unknown:
        raise ParameterError(
            f"Unknown option(s) for the Intercom reader: {show_values(sorted(unknown))}. "
            "It takes columns=, admins=, teams=, team_admins=, parts=.")
    zone = _check_timezone(timezone) if timezone is not None else "UTC"
    columns = dict(options.get("columns") or {})
    if isinstance(source, (list, dict)):
        data = _from_api(source, "the conversation records", zone, options)
    elif isinstance(source, pd.DataFrame):
        data = _from_history(source.rename(columns=columns), "DataFrame", None, zone,
                             encoding, options)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source).expanduser()
        if path.is_dir():
            found = _sibling(path, "history")
            if found is None:
                raise FileFormatError(
                    f"{path} has no Intercom conversation_history table "
                    f"(conversation_history_data.csv or conversation_history.csv). Give the "
                    "history file itself, or an API conversations .json file.")
            path = found
        if path.suffix.lower() == ".json":
            records = read_json(path, encoding, writer="Intercom's API",
                                again="the conversations")
            data = _from_api(records, str(path), zone, options)
        else:
            raw, cut = _read_table(path, encoding, _HISTORY_REQUIRED, columns,
                                   "an Intercom conversation_history table", cut_ok=True)
            data = _from_history(raw, str(path), path.parent, zone, encoding, options)
            if cut is not None:
                data.cut, data.n_read = cut, data.n_read + 1
                data.notes.append(cut.note(str(path)))
    else:
        raise ParameterError(
            f"source must be a path, a DataFrame or a list of conversation objects; got "
            f"{type(source).__name__}.")
    if timezone is None:
        data.notes.insert(0, _UTC_NOTE)
    else:
        data.notes.insert(0, _UTC_NOTE + f" They are shown in {timezone} (timezone=).")
    return data




def _read_table(path: Path, encoding: str, required: tuple, columns: dict,
                what: str, cut_ok: bool = False):
    """A warehouse CSV, checked for truncation and the columns Intercom's layout needs.

    With ``cut_ok`` (the conversation history, whose rows are counted): (the rows, the
    cut last row or None); else the rows, and a cut side table is an error.
    """
    path = _check_path(path)
    text, cut = split_cut(path, encoding, ",")
    raw = read_csv_text(text) if cut is not None else _read_csv(path, encoding, ",")
    raw.columns = [str(c).strip() for c in raw.columns]
    raw = raw.rename(columns=columns)
    if cut is not None and not cut_ok:
        raise FileFormatError(
            f"{path} looks truncated: its last line has {len(cut.cells)} of the "
            f"{len(cut.header)} fields of the header (it starts "
            f"{show_values(cut.cells[:3], 3)}). Export the table again.")
    missing = [c for c in required if c not in raw.columns]
    if missing:
        values = value_names(raw.columns)
        if values:
            raise FileFormatError(
                f"{path} has no header row: its first line has {show_values(values, 3)}, "
                f"which look like values, not the column names of {what} such as "
                f"{show_values(list(required), 3)}. Export the table again with its header.")
        ours = sum(c in raw.columns for c in required) >= len(required) / 2
        near = did_you_mean(missing, raw.columns, taken=required) if ours else ""
        raise MissingColumnError(
            f"{path} is not {what}: it has no column {', '.join(map(repr, missing))}. Its "
            f"columns are: {show_values(list(raw.columns), 12)}. "
            + (f"{near[0].upper()}{near[1:]} " if near else "")
            + f"If a column was renamed, map it back with columns={{'<your name>': "
            f"{missing[0]!r}}}; if the file is another vendor's, read it with that vendor's "
            "source.")
    return (raw, cut) if cut_ok else raw


def _sibling(folder: Path, table: str) -> Path | None:
    for stem in _TABLES[table]:
        for suffix in (".csv", ".CSV"):
            candidate = folder / f"{stem}{suffix}"
            if candidate.is_file():
                return candidate
    return None


def _utc(values: pd.Series, zone: str, unit: str | None = None) -> pd.Series:
    if unit is not None:
        numbers = pd.to_numeric(values, errors="coerce")
        times = pd.to_datetime(numbers, unit=unit, utc=True)
    else:
        times = pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601")
    return times.dt.tz_convert(zone)


def _unreadable_times(raw: pd.DataFrame, parsed: dict, name: str) -> None:
    for column, times in parsed.items():
        bad = raw[column].notna().to_numpy() & times.isna().to_numpy()
        if bad.any():
            raise FileFormatError(
                f"Column {column!r} of {name} has {int(bad.sum()):,} values that are not "
                f"times, such as {show_values(raw.loc[bad, column].tolist(), 3)}. Intercom's "
                "warehouse tables hold 'YYYY-MM-DD HH:MM:SS' (UTC): check the column mapping.")


def _from_history(raw: pd.DataFrame, name: str, folder: Path | None, zone: str,
                  encoding: str, options: dict) -> _Data:
    if name == "DataFrame":
        missing = [c for c in _HISTORY_REQUIRED if c not in raw.columns]
        if missing:
            raise MissingColumnError(
                f"The DataFrame is not an Intercom conversation_history table: no column "
                f"{', '.join(map(repr, missing))}. Its columns are: "
                f"{show_values(list(raw.columns), 12)}. Map renamed columns with columns=.")
    raw = raw.astype(object).where(raw.notna(), None).reset_index(drop=True)
    times = {c: _utc(raw[c], zone) for c in
             ("created_at", "updated_at", "conversation_rating_created_at", "_fivetran_start")
             if c in raw.columns}
    _unreadable_times(raw, times, name)
    column = lambda c: raw[c] if c in raw.columns else pd.Series(None, index=raw.index,
                                                                 dtype=object)
    statistics = {c: pd.to_numeric(column(f"statistics_{c}"), errors="coerce")
                  for c in _STATISTICS}
    versions = pd.DataFrame({
        "id": raw["id"].astype(str).str.strip(),
        "created_at": times["created_at"],
        "updated_at": times["updated_at"],
        "order": times.get("_fivetran_start", times["updated_at"]),
        "active": column("_fivetran_active").map(_flag),
        "state": raw["state"].astype(str).str.strip().str.lower(),
        "assignee_id": column("assignee_id").map(_id),
        "assignee_type": column("assignee_type"),
        "team_assignee_id": column("team_assignee_id").map(_id),
        "priority": column("priority"),
        "channel": column("source_type"),
        "delivered_as": column("source_delivered_as"),
        "author_id": column("source_author_id").map(_id),
        "author_type": column("source_author_type"),
        "sla_name": column("sla_name"),
        "sla_status": column("sla_status"),
        "rating": column("conversation_rating_value"),
        "remark": column("conversation_rating_remark"),
        "rating_created_at": times.get("conversation_rating_created_at",
                                       pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
                                       .dt.tz_convert(zone)),
        "rating_updated_at": pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
                             .dt.tz_convert(zone),
        "rating_contact_id": pd.Series(None, index=raw.index, dtype=object),
        "rating_teammate_id": pd.Series(None, index=raw.index, dtype=object),
        "first_admin_reply_at": _utc(column("statistics_first_admin_reply_at"), zone),
        "count_reopens": pd.to_numeric(column("statistics_count_reopens"), errors="coerce"),
        **{f"stat_{c}": v for c, v in statistics.items()},
    }, index=raw.index)
    notes: list[str] = []
    tables = _side_tables(folder, encoding, options, notes)
    first_replies = _first_replies(tables.get("parts"), zone)
    admins, admin_teams, team_names = _people(tables)
    return _Data(versions, WAREHOUSE, name, len(raw), notes, admins, admin_teams,
                 team_names, first_replies, list(raw.columns))


def _side_tables(folder: Path | None, encoding: str, options: dict,
                 notes: list[str]) -> dict[str, pd.DataFrame]:
    required = {"admins": ("id",), "teams": ("id", "name"),
                "team_admins": ("admin_id", "team_id"),
                "parts": ("conversation_id", "author_type", "part_type", "created_at")}
    tables, used = {}, []
    for table, needed in required.items():
        given = options.get(table)
        if given is False:
            continue
        if isinstance(given, pd.DataFrame):
            tables[table] = given
            continue
        path = Path(given) if given is not None else (
            _sibling(folder, table) if folder is not None else None)
        if path is None:
            continue
        tables[table] = _read_table(path, encoding, needed, {}, f"an Intercom {table} table")
        used.append(path.name)
    if used:
        notes.append(f"Tables read beside the conversations: {', '.join(used)}.")
    return tables


def _people(tables: dict) -> tuple[dict, dict, dict]:
    admins = {}
    if "admins" in tables:
        frame = tables["admins"]
        names = frame["name"] if "name" in frame.columns else frame["id"]
        admins = {_id(i): (str(n) if n is not None and pd.notna(n) else _id(i))
                  for i, n in zip(frame["id"], names)}
    team_names = {}
    if "teams" in tables:
        team_names = {_id(i): str(n) for i, n in zip(tables["teams"]["id"],
                                                      tables["teams"]["name"])}
    admin_teams: dict = {}
    if "team_admins" in tables:
        frame = tables["team_admins"]
        for admin, team in zip(frame["admin_id"], frame["team_id"]):
            admin_teams.setdefault(_id(admin), []).append(team_names.get(_id(team), _id(team)))
    return admins, {k: ", ".join(sorted(v)) for k, v in admin_teams.items()}, team_names


def _first_replies(parts: pd.DataFrame | None, zone: str) -> dict:
    """Conversation id -> time of the first admin reply (a comment, or a part with text)."""
    if parts is None or not len(parts):
        return {}
    body = parts["body"] if "body" in parts.columns else pd.Series(None, index=parts.index)
    has_text = body.notna() & (body.astype(str).str.strip() != "") & (body != _EMPTY_MD5)
    kind = parts["part_type"].astype(str).str.lower()
    reply = (parts["author_type"].astype(str).str.lower().eq("admin")
             & (kind.eq("comment") | (has_text & ~kind.eq("note"))))
    times = _utc(parts["created_at"], zone)
    replies = pd.DataFrame({"id": parts["conversation_id"].map(_id), "at": times})[reply]
    return replies.groupby("id")["at"].min().to_dict()


def _from_api(records: Any, name: str, zone: str, options: dict) -> _Data:
    if isinstance(records, dict):
        records = records.get("conversations", [records]) \
            if records.get("type") != "conversation" else [records]
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise FileFormatError(
            f"{name} is not Intercom API conversations: expected a conversation.list page, "
            "a list of conversation objects or one conversation.")
    missing = [i for i, r in enumerate(records) if not {"id", "created_at"} <= set(r)]
    if missing:
        example = records[missing[0]]
        lacking = [k for k in ("id", "created_at") if k not in example]
        near = did_you_mean(lacking, list(example), taken=("id", "created_at", "updated_at"))
        raise MissingColumnError(
            f"{name}: record(s) {show_values(missing, 5)} (0-based) have no "
            f"{show_values(lacking)} (found {show_values(list(example), 8)})"
            + (f": {near} Rename the field back to Intercom's name." if near else
               ", so they are not Intercom conversations. Check that the file is the "
               "/conversations response; if it is another tool's, set source: to that "
               "tool."))
    rows = []
    for record in records:
        rating = record.get("conversation_rating") or {}
        stats = record.get("statistics") or {}
        source = record.get("source") or {}
        author = source.get("author") or {}
        sla = record.get("sla_applied") or {}
        rows.append({
            "id": str(record["id"]), "created_at": record.get("created_at"),
            "updated_at": record.get("updated_at"),
            "state": str(record.get("state") or ("open" if record.get("open") else "closed")),
            "assignee_id": _id(record.get("admin_assignee_id")),
            "assignee_type": "admin" if record.get("admin_assignee_id") else None,
            "team_assignee_id": _id(record.get("team_assignee_id")),
            "priority": record.get("priority"), "channel": source.get("type"),
            "delivered_as": source.get("delivered_as"), "author_id": _id(author.get("id")),
            "author_type": author.get("type"), "sla_name": sla.get("sla_name"),
            "sla_status": sla.get("sla_status"), "rating": rating.get("rating"),
            "remark": rating.get("remark"), "rating_created_at": rating.get("created_at"),
            "rating_updated_at": rating.get("updated_at"),
            "rating_contact_id": _id((rating.get("contact") or rating.get("customer")
                                      or {}).get("id")),
            "rating_teammate_id": _id((rating.get("teammate") or {}).get("id")),
            "first_admin_reply_at": stats.get("first_admin_reply_at"),
            "last_close_at": stats.get("last_close_at"),
            "first_close_at": stats.get("first_close_at"),
            "count_reopens": stats.get("count_reopens"),
            **{f"stat_{c}": stats.get(c) for c in _STATISTICS},
        })
    frame = pd.DataFrame(rows)
    for column in ("created_at", "updated_at", "rating_created_at", "rating_updated_at",
                   "first_admin_reply_at", "last_close_at", "first_close_at"):
        frame[column] = _utc(frame[column], zone, unit="s")
    for column in [f"stat_{c}" for c in _STATISTICS] + ["count_reopens"]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    frame["order"] = frame["updated_at"]
    frame["active"] = True
    frame["state"] = frame["state"].str.lower()
    tables = _side_tables(None, "utf-8", options, notes := [])
    admins, admin_teams, team_names = _people(tables)
    return _Data(frame, API, name, len(frame), notes, admins, admin_teams, team_names, {},
                 sorted({k for r in records for k in r}))


# --- building the frames ------------------------------------------------------------

def _latest_versions(data: _Data) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The latest version of each conversation (the last ``_fivetran_active`` one, else
    the last by ``_fivetran_start``/``updated_at``) and the earlier ones with a reason."""
    ordered = data.versions.sort_values(["id", "order", "updated_at"], kind="stable")
    active = ordered["active"].map(lambda v: v is True).astype(bool)
    has_active = active.groupby(ordered["id"]).transform("any")
    candidates = ordered[active | ~has_active]
    keep = ordered.index.isin(candidates.groupby("id").tail(1).index)
    several = active.groupby(ordered["id"]).sum()
    if (several > 1).any():
        data.notes.append(
            f"{int((several > 1).sum()):,} conversations have several versions marked "
            "_fivetran_active; the last of them is kept.")
    latest = ordered[keep].sort_index()
    earlier = ordered[~keep].sort_index().assign(
        reason="earlier version of the conversation (type-2 history: the latest is kept)")
    return latest, earlier[["id", "updated_at", "state", "reason"]].rename(
        columns={"id": "ticket_id"})


def _ticket_frame(data: _Data, latest: pd.DataFrame) -> pd.DataFrame:
    history = data.versions.sort_values(["id", "order", "updated_at"], kind="stable")
    closes = {key: _closes(group) for key, group in history.groupby("id", sort=False)}
    ids = latest["id"]
    first_closed = ids.map(lambda i: closes[i][0])
    last_run = ids.map(lambda i: closes[i][1])
    reopened = ids.map(lambda i: closes[i][2]).astype(int)
    if latest["count_reopens"].notna().any():
        reopened = np.where(latest["count_reopens"].fillna(0) > 0, 1, reopened)
    closed = latest["state"].eq("closed")
    resolved = last_run.where(closed)
    if "last_close_at" in latest.columns:
        resolved = latest["last_close_at"].where(closed & latest["last_close_at"].notna(),
                                                 resolved)
        first_closed = latest["first_close_at"].fillna(first_closed)
    assigned = history[history["assignee_type"].astype(str).str.lower().eq("admin")
                       & history["assignee_id"].notna()]
    first_assigned = ids.map(assigned.groupby("id")["updated_at"].min().to_dict())
    reply = latest["first_admin_reply_at"].fillna(
        _as_times(ids.map(data.first_replies), latest["created_at"]))
    agent_id = latest["assignee_id"].where(
        latest["assignee_type"].astype(str).str.lower().eq("admin"))
    team_id = latest["team_assignee_id"].fillna(latest["assignee_id"].where(
        latest["assignee_type"].astype(str).str.lower().eq("team")))
    customer = latest["author_id"].where(~latest["author_type"].astype(str).str.lower()
                                         .isin(["admin", "bot"]))
    frame = pd.DataFrame({
        "ticket_id": ids,
        "created_at": latest["created_at"],
        "first_response_at": _as_times(reply, latest["created_at"]),
        "resolved_at": _as_times(resolved, latest["created_at"]),
        "channel": latest["channel"],
        "priority": latest["priority"],
        "agent": agent_id.map(lambda v: data.admins.get(v, v) if v is not None else None),
        "team": team_id.map(data.team_names).fillna(agent_id.map(data.admin_teams)),
        "customer_id": customer,
        "reopened": reopened,
        "state": latest["state"],
        "first_closed_at": _as_times(first_closed, latest["created_at"]),
        "first_assigned_at": _as_times(first_assigned, latest["created_at"]),
        "agent_id": agent_id,
        "delivered_as": latest["delivered_as"],
        "sla_name": latest["sla_name"],
        "sla_status": latest["sla_status"],
        "versions": ids.map(history.groupby("id").size().to_dict()).astype(int),
    })
    for stat, column in _STATISTICS.items():
        values = latest[f"stat_{stat}"]
        if values.notna().any():
            frame[column] = values / 60.0
    return frame


def _as_times(values: pd.Series, like: pd.Series) -> pd.Series:
    """Values as tz-aware times in the zone of ``like`` (NaT where missing)."""
    out = pd.Series(pd.NaT, index=values.index, dtype=like.dtype)
    present = values.notna()
    if present.any():
        out[present] = pd.to_datetime(values[present].tolist(), utc=True).tz_convert(
            like.dt.tz)
    return out


def _closes(group: pd.DataFrame) -> tuple:
    """(first close, start of the final closed run, reopened?) of one conversation."""
    closed = group["state"].eq("closed").to_numpy()
    times = group["updated_at"].to_numpy()
    if not closed.any():
        return pd.NaT, pd.NaT, False
    first = group["updated_at"].iloc[int(np.argmax(closed))]
    reopened = bool((closed[:-1] & ~closed[1:]).any())
    start = len(closed) - 1
    while start > 0 and closed[start - 1]:
        start -= 1
    final = group["updated_at"].iloc[start] if closed[-1] else pd.NaT
    del times
    return first, final, reopened


def _either(first: pd.Series, second: pd.Series) -> pd.Series:
    """``first`` where present, else ``second`` (as objects: ids are text)."""
    return first.astype(object).where(first.notna(), second.astype(object))


def _first_rating_seen(versions: pd.DataFrame) -> dict:
    rated = versions[versions["rating"].notna()]
    return rated.groupby("id")["updated_at"].min().to_dict()


def _scores(values: pd.Series) -> pd.Series:
    """Ratings as numbers; labels terrible..amazing as 1..5; other text kept for the loader."""
    def one(value: Any) -> Any:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return np.nan
        text = str(value).strip().lower()
        if text in RATING_LABELS:
            return float(RATING_LABELS[text])
        try:
            return float(text)
        except ValueError:
            return value
    return values.map(one)


def _flag(value: Any) -> bool | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value).strip().lower() in ("true", "1", "t", "yes")


def _id(value: Any) -> str | None:
    """Ids as text without a trailing '.0' (pandas reads integer columns with gaps as float)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text or None


def _mapping(data: _Data, kind: str) -> dict:
    if data.layout == API:
        pairs = {"id": "ticket_id", "created_at": "created_at",
                 "statistics.first_admin_reply_at": "first_response_at",
                 "statistics.last_close_at": "resolved_at", "source.type": "channel",
                 "priority": "priority", "admin_assignee_id": "agent",
                 "team_assignee_id": "team", "source.author.id": "customer_id",
                 **{f"statistics.{k}": v for k, v in _STATISTICS.items()}}
        if kind == "responses":
            pairs = {"id": "response_id", "conversation_rating.rating": "score",
                     "conversation_rating.remark": "comment",
                     "conversation_rating.created_at": "responded_at",
                     "conversation_rating.contact.id": "customer_id",
                     "conversation_rating.teammate.id": "agent"}
        return pairs
    pairs = {"id": "ticket_id", "created_at": "created_at",
             "conversation_part_history (first admin reply)": "first_response_at",
             "updated_at (start of the final closed run)": "resolved_at",
             "source_type": "channel", "priority": "priority", "assignee_id": "agent",
             "team_admin -> team.name": "team", "source_author_id": "customer_id"}
    if kind == "responses":
        pairs = {"id": "response_id", "conversation_rating_value": "score",
                 "conversation_rating_remark": "comment",
                 "conversation_rating_created_at": "responded_at",
                 "source_author_id": "customer_id", "assignee_id": "agent"}
    return {k: v for k, v in pairs.items()
            if k.split(" ")[0] in data.source_columns or " " in k}
