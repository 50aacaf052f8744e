"""HubSpot tickets (warehouse table or CRM API JSON) and feedback submissions.

- **Tickets**: the ``ticket`` table a sync tool (Fivetran) writes, one ``property_*``
  column per ticket property, with ``ticket_pipeline`` and ``ticket_pipeline_stage``
  beside it (names with or without ``_data``); or CRM API JSON (``results[].properties``).
  ``createdate`` -> ``created_at``, ``first_agent_reply_date`` -> ``first_response_at``,
  ``closed_date`` -> ``resolved_at``, ``hubspot_owner_id`` -> ``agent``,
  ``hs_ticket_priority`` -> ``priority``, ``source_type`` -> ``channel``; pipeline and
  stage labels joined on (pipeline, stage). HubSpot's durations in milliseconds
  (``time_to_first_agent_reply``, ``time_to_close`` and the ``..._in_operating_hours``
  ones) become ``vendor_*_minutes`` columns. Deleted tickets are set aside. A ticket
  closed before it was created is left to :func:`~csat_toolkit.io.load_tickets`, which
  sets it aside as "resolved before creation" (the notes name it).
- **Feedback submissions** (CRM API ``feedback_submissions``, JSON or a CSV of their
  properties): ``hs_survey_type`` (NPS/CSAT/CES) -> ``survey``, ``hs_response_value``
  (or ``hs_value``) -> ``score``, ``hs_content`` -> ``comment``,
  ``hs_submission_timestamp`` (else ``hs_createdate``) -> ``responded_at``. Custom
  surveys, archived submissions and empty answers are set aside with reasons; the NPS
  group HubSpot wrote (``hs_response_group``) is checked against the score.

Times: the API writes ISO 8601 in UTC (or epoch milliseconds) and the warehouse sync
writes UTC; times are returned tz-aware.
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
from ._bad_input import did_you_mean, read_csv_text, split_cut, value_names
from ._common import VendorRead, read_json, set_aside_rows

__all__ = ["NAME", "KINDS", "detect", "read_tickets", "read_responses", "SURVEY_TYPES"]

NAME = "hubspot"
KINDS = ("responses", "tickets")

TICKETS_WAREHOUSE = "warehouse ticket table (property_* columns)"
TICKETS_API = "CRM API tickets (JSON)"
FEEDBACK_API = "CRM API feedback submissions (JSON)"
FEEDBACK_TABLE = "feedback submissions table (CSV)"
#: The kinds each layout holds (``ct.read_export`` reads only these).
LAYOUT_KINDS = {TICKETS_WAREHOUSE: ("tickets",), TICKETS_API: ("tickets",),
                FEEDBACK_API: ("responses",), FEEDBACK_TABLE: ("responses",)}

#: hs_survey_type values -> the toolkit's surveys (HubSpot's NPS is its "loyalty" survey).
SURVEY_TYPES = {"nps": "nps", "loyalty": "nps", "csat": "csat",
                "customer_satisfaction": "csat", "ces": "ces", "customer_effort": "ces"}
_TICKET_MAP = {"createdate": "created_at", "first_agent_reply_date": "first_response_at",
               "closed_date": "resolved_at", "hubspot_owner_id": "agent",
               "hs_ticket_priority": "priority", "source_type": "channel"}
#: HubSpot durations (milliseconds) -> vendor columns (minutes).
_DURATIONS = {
    "time_to_first_agent_reply": "vendor_first_reply_minutes",
    "time_to_close": "vendor_resolution_minutes",
    "hs_time_to_first_response_in_operating_hours": "vendor_first_reply_business_minutes",
    "hs_time_to_close_in_operating_hours": "vendor_resolution_business_minutes",
}
_KNOWN_TICKETS = ("id", *_TICKET_MAP, *_DURATIONS, "hs_pipeline", "hs_pipeline_stage",
                  "is_deleted", "hs_object_id", "subject", "content")
_KNOWN_FEEDBACK = ("id", "hs_survey_type", "hs_response_value", "hs_value",
                   "hs_submission_timestamp", "hs_createdate", "hs_content", "hs_contact_id",
                   "hs_ticket_id", "hs_survey_channel", "hs_response_group", "hs_object_id",
                   "hs_lastmodifieddate", "hs_survey_id", "hs_sentiment")
_TABLES = {"pipelines": ("ticket_pipeline_data", "ticket_pipeline"),
           "stages": ("ticket_pipeline_stage_data", "ticket_pipeline_stage")}
_UTC_NOTE = ("Times are UTC: HubSpot's API writes UTC (ISO 8601 or epoch milliseconds) "
             "and the warehouse sync keeps it.")


def detect(path: str | os.PathLike) -> str | None:
    """The layout name when ``path`` is a HubSpot export, else None (never raises).

    Examples
    --------
    >>> detect("no/such/file.csv") is None
    True
    """
    try:
        path = Path(path)
        with open(path, "rb") as handle:
            head = handle.read(65536).decode("utf-8-sig", errors="replace")
        suffix = path.suffix.lower()
        if suffix == ".json":
            if '"hs_survey_type"' in head:
                return FEEDBACK_API
            if '"properties"' in head and ('"hs_pipeline' in head or '"createdate"' in head):
                return TICKETS_API
            return None
        if suffix in (".csv", ".txt"):
            header = {_strip(c.strip().strip('"')) for c in head.splitlines()[0].split(",")}
            if "hs_survey_type" in header:
                return FEEDBACK_TABLE
            if "createdate" in header and header & {"hs_pipeline", "hs_pipeline_stage",
                                                    "closed_date", "first_agent_reply_date"}:
                return TICKETS_WAREHOUSE
    except (OSError, IndexError, ValueError):
        return None
    return None


def read_tickets(source: Any, *, timezone: str | None = None, encoding: str = "utf-8-sig",
                 **options: Any) -> VendorRead:
    """HubSpot tickets as canonical tickets.

    Parameters
    ----------
    source : path, DataFrame or list of dicts
        The warehouse ``ticket`` CSV, a CRM API tickets JSON file (``results`` with
        ``properties``), a DataFrame of either's properties, or a list of API objects.
    timezone : str, optional
        The account's zone: UTC times are converted to it (same instants).
    encoding : str
        Text encoding of the files.
    **options
        ``columns`` (file column -> HubSpot's name, for renamed columns); ``pipelines``,
        ``stages``: other paths for those tables (found beside the ticket file by
        default), or ``False`` to ignore them.

    Returns
    -------
    VendorRead
        ``frame``: ``ticket_id``, ``created_at``, ``first_response_at``,
        ``resolved_at``, ``agent``, ``priority``, ``channel`` (where present), then
        ``pipeline``, ``stage``, ``stage_is_closed``, the ``vendor_*_minutes`` columns and
        the other properties snake_cased. ``set_aside``: deleted tickets.

    Examples
    --------
    >>> api = {"results": [{"id": "51", "archived": False, "properties": {
    ...     "createdate": "2024-03-01T09:00:00Z", "first_agent_reply_date":
    ...     "2024-03-01T09:30:00Z", "closed_date": "2024-03-01T11:00:00Z",
    ...     "time_to_first_agent_reply": "1800000"}}]}
    >>> read = read_tickets(api["results"])
    >>> row = read.frame.iloc[0]
    >>> row["ticket_id"], str(row["resolved_at"]), float(row["vendor_first_reply_minutes"])
    ('51', '2024-03-01 11:00:00+00:00', 30.0)
    """
    raw, layout, name, folder, zone, notes, cut = _load(source, timezone, encoding, options,
                                                        ("id", "createdate"), "tickets")
    frame = pd.DataFrame({"ticket_id": raw["id"].map(_id)})
    for vendor, canonical in _TICKET_MAP.items():
        if vendor in raw.columns:
            frame[canonical] = _times(raw[vendor], zone, vendor, name) \
                if canonical.endswith("_at") else raw[vendor].map(_id if canonical == "agent"
                                                                  else _text)
    frame = frame.join(_stages(raw, folder, encoding, options, notes))
    for vendor, column in _DURATIONS.items():
        if vendor in raw.columns:
            frame[column] = pd.to_numeric(raw[vendor], errors="coerce") / 60000.0
    used = set(_TICKET_MAP) | set(_DURATIONS) | {"id", "hs_object_id", "is_deleted",
                                                 "archived", "hs_pipeline", "hs_pipeline_stage"}
    for column in raw.columns:
        if column not in used and not column.startswith("_"):
            frame[column] = raw[column]
    deleted = raw.get("is_deleted", pd.Series(None, index=raw.index)).map(_flag) \
        | raw.get("archived", pd.Series(None, index=raw.index)).map(_flag) \
        | raw.get("_fivetran_deleted", pd.Series(None, index=raw.index)).map(_flag)
    kept, aside = set_aside_rows(frame, deleted, "deleted in HubSpot (is_deleted/archived)")
    if {"created_at", "resolved_at"} <= set(kept.columns):
        early = kept["resolved_at"] < kept["created_at"]
        if early.any():
            notes.append(
                f"{int(early.sum()):,} ticket(s) close before they were created "
                f"({show_values(kept.loc[early, 'ticket_id'].tolist(), 5)}); the ticket loader "
                "sets them aside as 'resolved before creation'.")
    notes.append(f"{len(kept):,} tickets read from {len(raw):,} rows.")
    if cut is not None:
        aside = pd.concat([aside, cut.frame(frame.columns, {"ticket_id": _id(cut.get("id"))})])
        notes.append(cut.note(name))
    return VendorRead(vendor=NAME, layout=layout, frame=kept,
                      set_aside=aside, n_read=len(raw) + (cut is not None), notes=notes,
                      mapping=_mapping(raw, "tickets"), kind="tickets")


def read_responses(source: Any, *, timezone: str | None = None,
                   encoding: str = "utf-8-sig", **options: Any) -> VendorRead:
    """HubSpot feedback submissions (NPS, CSAT, CES) as canonical survey answers.

    Parameters
    ----------
    source : path, DataFrame or list of dicts
        A CRM API ``feedback_submissions`` JSON file (``results`` with ``properties``),
        a CSV of their properties, a DataFrame, or a list of API objects.
    timezone, encoding
        As for :func:`read_tickets`.
    **options
        ``columns`` (file column -> HubSpot's name).

    Returns
    -------
    VendorRead
        ``frame``: ``response_id``, ``survey`` (nps/csat/ces), ``score``
        (``hs_response_value`` as written: numbers, or labels the loader's scales read),
        ``responded_at``, ``comment``, then ``customer_id``, ``ticket_id``, ``channel``
        where present, and the other properties snake_cased. ``set_aside``: archived
        submissions, custom surveys, submissions without an answer value.

    Examples
    --------
    >>> records = [
    ...     {"id": "1", "properties": {"hs_survey_type": "NPS", "hs_response_value": "9",
    ...                                "hs_submission_timestamp": "2024-03-01T10:00:00Z"}},
    ...     {"id": "2", "properties": {"hs_survey_type": "CUSTOM", "hs_response_value": "A",
    ...                                "hs_submission_timestamp": "2024-03-01T11:00:00Z"}}]
    >>> read = read_responses(records)
    >>> read.frame[["response_id", "survey", "score"]]
      response_id survey score
    0           1    nps     9
    >>> read.set_aside["reason"].tolist()
    ['custom survey (hs_survey_type CUSTOM has no standard scale)']
    """
    raw, layout, name, _, zone, notes, cut = _load(source, timezone, encoding, options,
                                                   ("id", "hs_survey_type"), "feedback")
    value = "hs_response_value" if "hs_response_value" in raw.columns else "hs_value"
    if value not in raw.columns:
        raise MissingColumnError(
            f"{name} has no hs_response_value (or hs_value) column, the answer of each "
            f"feedback submission. Its columns are: {show_values(list(raw.columns), 12)}. "
            "Request the property (properties=hs_response_value) or map a renamed column "
            "with columns={'<your name>': 'hs_response_value'}.")
    when = "hs_submission_timestamp" if "hs_submission_timestamp" in raw.columns \
        else "hs_createdate"
    types = raw["hs_survey_type"].map(_text)
    surveys = types.str.strip().str.lower().map(SURVEY_TYPES)
    frame = pd.DataFrame({
        "response_id": raw["id"].map(_id),
        "survey": surveys,
        "score": raw[value].map(_text),
        "responded_at": _times(raw[when], zone, when, name) if when in raw.columns
        else pd.Series(pd.NaT, index=raw.index, dtype=f"datetime64[ns, {zone}]"),
        "comment": raw["hs_content"].map(_text) if "hs_content" in raw.columns else None,
    })
    for vendor, canonical in (("hs_contact_id", "customer_id"), ("hs_ticket_id", "ticket_id"),
                              ("hs_survey_channel", "channel")):
        if vendor in raw.columns:
            frame[canonical] = raw[vendor].map(_text)
    used = {"id", "hs_object_id", "hs_survey_type", value, when, "hs_content", "archived",
            "hs_contact_id", "hs_ticket_id", "hs_survey_channel"}
    for column in raw.columns:
        if column not in used and not column.startswith("_"):
            frame[column] = raw[column].map(_text)
    archived = raw.get("archived", pd.Series(None, index=raw.index)).map(_flag)
    kept, gone = set_aside_rows(frame, archived, "archived in HubSpot")
    custom = kept["survey"].isna()
    kept, customs = set_aside_rows(kept, custom, "custom survey")
    if len(customs):
        customs["reason"] = [f"custom survey (hs_survey_type {t} has no standard scale)"
                             for t in types[customs.index]]
    kept, empty = set_aside_rows(kept, kept["score"].isna(),
                                 f"no answer ({value} is empty)")
    notes += _group_check(kept, raw)
    notes.append(f"{len(kept):,} answers read from {len(raw):,} feedback submissions; "
                 "HubSpot CSAT and CES answers are read on the toolkit's default scales "
                 "(csat_5, ces_7): set scales: if your survey uses another.")
    parts = [gone, customs, empty]
    if cut is not None:
        parts.append(cut.frame(frame.columns, {"response_id": _id(cut.get("id"))}))
        notes.append(cut.note(name))
    return VendorRead(vendor=NAME, layout=layout, frame=kept,
                      set_aside=pd.concat(parts).sort_index(kind="stable"),
                      n_read=len(raw) + (cut is not None), notes=notes,
                      mapping=_mapping(raw, "responses"),
                      kind="responses")


# --- reading ------------------------------------------------------------------------

def _load(source: Any, timezone: str | None, encoding: str, options: dict,
          required: tuple, kind: str) -> tuple:
    allowed = {"columns", "pipelines", "stages"} if kind == "tickets" else {"columns"}
    unknown = set(options) - allowed
    if unknown:
        raise ParameterError(
            f"Unknown option(s) for the HubSpot {kind} reader: "
            f"{show_values(sorted(unknown))}. It takes {', '.join(sorted(allowed))}.")
    zone = _check_timezone(timezone) if timezone is not None else "UTC"
    columns = dict(options.get("columns") or {})
    folder, layout, cut = None, None, None
    if isinstance(source, dict):
        source = source.get("results", [source])
    if isinstance(source, list):
        raw, name = _from_records(source, "the HubSpot records"), "the HubSpot records"
        layout = TICKETS_API if kind == "tickets" else FEEDBACK_API
    elif isinstance(source, pd.DataFrame):
        raw, name = source.copy(), "DataFrame"
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source).expanduser()
        path = path if path.suffix.lower() == ".json" else _check_path(path)
        name, folder = str(path), path.parent
        if path.suffix.lower() == ".json":
            records = read_json(path, encoding, writer="HubSpot's API")
            raw = _from_records(records, name)
            layout = TICKETS_API if kind == "tickets" else FEEDBACK_API
        else:
            text, cut = split_cut(path, encoding, ",")
            raw = read_csv_text(text) if cut is not None else _read_csv(path, encoding, ",")
    else:
        raise ParameterError(
            f"source must be a path, a DataFrame or a list of HubSpot objects; got "
            f"{type(source).__name__}.")
    raw = raw.rename(columns=columns)
    raw.columns = [_strip(str(c).strip()) for c in raw.columns]
    if "id" not in raw.columns and "hs_object_id" in raw.columns:
        raw["id"] = raw["hs_object_id"]
    raw = raw.astype(object).where(raw.notna(), None)
    missing = [c for c in required if c not in raw.columns]
    if missing:
        what = "a HubSpot ticket table" if kind == "tickets" else "HubSpot feedback submissions"
        values = value_names(raw.columns)
        if values and layout is None:
            raise FileFormatError(
                f"{name} has no header row: its first line has {show_values(values, 3)}, "
                f"which look like values, not the column names of {what} such as "
                f"{show_values(list(required), 3)}. Export the table again with its header.")
        known = _KNOWN_TICKETS if kind == "tickets" else _KNOWN_FEEDBACK
        ours = sum(c in raw.columns for c in known) >= 2
        near = did_you_mean(missing, raw.columns, taken=known) if ours else ""
        raise MissingColumnError(
            f"{name} is not {what}: it has no column "
            f"{', '.join(repr(c) for c in missing)} (with or without the property_ prefix). "
            f"Its columns are: {show_values(list(raw.columns), 12)}. "
            + (f"{near[0].upper()}{near[1:]} " if near else "")
            + f"If a column was renamed, map it back with columns={{'<your name>': "
            f"'property_{missing[-1]}'}}; if the file is another vendor's, read it with that "
            "vendor's source.")
    if layout is None:
        layout = TICKETS_WAREHOUSE if kind == "tickets" else FEEDBACK_TABLE
    note = _UTC_NOTE + (f" They are shown in {timezone} (timezone=)." if timezone else "")
    return raw.reset_index(drop=True), layout, name, folder, zone, [note], cut


def _strip(name: str) -> str:
    return name[len("property_"):] if name.startswith("property_") else name


def _from_records(records: Any, name: str) -> pd.DataFrame:
    if isinstance(records, dict):
        records = records.get("results", [records])
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise FileFormatError(
            f"{name} is not HubSpot CRM API output: expected {{'results': [...]}} or a list "
            "of objects with 'id' and 'properties'.")
    rows = []
    for record in records:
        row = dict(record.get("properties") or {})
        row["id"] = record.get("id", row.get("hs_object_id"))
        if "archived" in record:
            row["archived"] = record["archived"]
        rows.append(row)
    return pd.DataFrame(rows)




def _times(values: pd.Series, zone: str, column: str, name: str) -> pd.Series:
    """ISO 8601 / 'YYYY-MM-DD HH:MM:SS' (UTC) or epoch milliseconds as tz-aware times."""
    text = values.map(_text)
    epoch = text.str.fullmatch(r"\d{12,14}").fillna(False).astype(bool)
    out = pd.to_datetime(text.where(~epoch), errors="coerce", utc=True, format="ISO8601")
    if epoch.any():
        out[epoch] = pd.to_datetime(text[epoch].astype("int64"), unit="ms", utc=True)
    bad = text.notna() & out.isna()
    if bad.any():
        raise FileFormatError(
            f"Column {column!r} of {name} has {int(bad.sum()):,} values that are not times, "
            f"such as {show_values(text[bad].tolist(), 3)}. HubSpot writes ISO 8601 (UTC) or "
            "epoch milliseconds: check the column mapping.")
    return out.dt.tz_convert(zone)


def _sibling(folder: Path, table: str) -> Path | None:
    for stem in _TABLES[table]:
        candidate = folder / f"{stem}.csv"
        if candidate.is_file():
            return candidate
    return None


def _stages(raw: pd.DataFrame, folder: Path | None, encoding: str, options: dict,
            notes: list[str]) -> pd.DataFrame:
    """Pipeline and stage labels of each ticket; unmatched keys counted in ``notes``."""
    out = pd.DataFrame(index=raw.index)
    if "hs_pipeline" in raw.columns:
        out["pipeline_id"] = raw["hs_pipeline"].map(_id)
    if "hs_pipeline_stage" in raw.columns:
        out["stage_id"] = raw["hs_pipeline_stage"].map(_id)
    tables = {}
    for table, needed in (("pipelines", ("pipeline_id", "label")),
                          ("stages", ("stage_id", "pipeline_id", "label"))):
        given = options.get(table)
        if given is False:
            continue
        path = Path(given) if given is not None else (
            _sibling(folder, table) if folder is not None else None)
        if path is None:
            continue
        frame = _read_csv(_check_path(path), encoding, ",")
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise MissingColumnError(
                f"{path} is not a HubSpot {table} table: no column "
                f"{', '.join(map(repr, missing))}. Its columns are: "
                f"{show_values(list(frame.columns), 12)}. Pass {table}=False to skip it.")
        tables[table] = frame.astype(object).where(frame.notna(), None)
    if "pipelines" in tables and "pipeline_id" in out.columns:
        labels = dict(zip(tables["pipelines"]["pipeline_id"].map(_id),
                          tables["pipelines"]["label"]))
        out["pipeline"] = out["pipeline_id"].map(labels)
        _count_unmatched(out["pipeline_id"], out["pipeline"], "pipeline", notes)
    if "stages" in tables and "stage_id" in out.columns:
        stages = tables["stages"]
        keys = list(zip(stages["pipeline_id"].map(_id), stages["stage_id"].map(_id)))
        label = dict(zip(keys, stages["label"]))
        closed = dict(zip(keys, stages["is_closed"].map(_flag))) \
            if "is_closed" in stages.columns else {}
        pairs = list(zip(out.get("pipeline_id", pd.Series(None, index=out.index)),
                         out["stage_id"]))
        out["stage"] = [label.get(p) for p in pairs]
        out["stage_is_closed"] = [closed.get(p) for p in pairs]
        _count_unmatched(out["stage_id"], out["stage"], "stage", notes)
    return out


def _count_unmatched(ids: pd.Series, labels: pd.Series, what: str, notes: list[str]) -> None:
    unmatched = ids.notna() & labels.isna()
    if unmatched.any():
        counts = ids[unmatched].value_counts()
        listed = ", ".join(f"{k} ({v})" for k, v in counts.head(5).items())
        notes.append(f"{int(unmatched.sum()):,} of {int(ids.notna().sum()):,} tickets' {what}s "
                     f"are not in the {what} table: {listed}; their {what} label is empty.")


def _group_check(kept: pd.DataFrame, raw: pd.DataFrame) -> list[str]:
    """HubSpot's NPS group (hs_response_group) against the group of the 0-10 score."""
    if "hs_response_group" not in kept.columns:
        return []
    nps = kept[kept["survey"].eq("nps")]
    score = pd.to_numeric(nps["score"], errors="coerce")
    group = np.select([score >= 9, score >= 7, score >= 0],
                      ["promoter", "passive", "detractor"], default="")
    given = nps["hs_response_group"].astype(str).str.strip().str.lower()
    differ = (group != "") & nps["hs_response_group"].notna() & (given != group)
    if not differ.any():
        return []
    return [f"{int(differ.sum()):,} NPS answers have an hs_response_group that differs from "
            f"the group of their score ({show_values(nps.loc[differ, 'response_id'], 5)}); "
            "the group is recomputed from the score (0-6, 7-8, 9-10)."]


def _text(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _flag(value: Any) -> bool:
    return value is not None and str(value).strip().lower() in ("true", "1", "t", "yes")


def _id(value: Any) -> str | None:
    text = _text(value)
    if text is not None and text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text


def _mapping(raw: pd.DataFrame, kind: str) -> dict:
    if kind == "tickets":
        pairs = {"id": "ticket_id", **_TICKET_MAP, **_DURATIONS,
                 "hs_pipeline": "pipeline", "hs_pipeline_stage": "stage"}
    else:
        pairs = {"id": "response_id", "hs_survey_type": "survey",
                 "hs_response_value": "score", "hs_value": "score",
                 "hs_submission_timestamp": "responded_at", "hs_content": "comment",
                 "hs_contact_id": "customer_id", "hs_ticket_id": "ticket_id",
                 "hs_survey_channel": "channel"}
    return {k: v for k, v in pairs.items() if k in raw.columns}
