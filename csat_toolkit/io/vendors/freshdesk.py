"""Freshdesk: satisfaction ratings from the API and the ticket CSV export.

- **Satisfaction ratings** (``GET /api/v2/surveys/satisfaction_ratings``, a JSON list):
  each rating's ``ratings`` maps a question (``default_question``, ``question_<id>``) to a
  code from 103 (extremely happy) to -103 (extremely unhappy). Which codes a survey uses
  depends on its number of choices, so the codes are mapped explicitly (:data:`CODES`):
  ``points=`` says how many choices the survey has (7, 5, 3 or 2), and the scores are on
  the toolkit's matching scale (:data:`SCALES`).
- **Ticket CSV export** (Tickets > Export): ``Ticket ID``, ``Created time``, ``Initial
  response time``, ``Resolved time`` ... in the account's time zone without an offset
  (``timezone`` is required), and ``First response time (in hrs)`` / ``Resolution time (in
  hrs)`` as ``HH:MM:SS`` business hours, kept as vendor minutes.

Helpers shared with the Zendesk reader (time zones, header checks) come from
``_frames``; the last row of a ticket export cut short is set aside (``_bad_input``).
"""
from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...errors import FileFormatError, MissingColumnError, ParameterError, show_values
from .._common import _snake
from ._bad_input import did_you_mean, read_table
from ._common import VendorRead, set_aside_rows
from ._frames import _concat, _local_times, _rename, _require, split_problems

__all__ = ["NAME", "KINDS", "CODES", "SCALES", "detect", "read_responses", "read_tickets",
           "hms_minutes"]

NAME = "freshdesk"
KINDS = ("responses", "tickets")
RATINGS = "API satisfaction ratings (JSON)"
EXPORT = "ticket export (CSV)"
#: The kinds each layout holds (``ct.read_export`` reads only these).
LAYOUT_KINDS = {RATINGS: ("responses",), EXPORT: ("tickets",)}

#: Rating code -> score, by the survey's number of choices (Freshdesk API reference,
#: "Satisfaction Ratings": 103 Extremely Happy ... -103 Extremely Unhappy).
CODES = {
    7: {103: 7, 102: 6, 101: 5, 100: 4, -101: 3, -102: 2, -103: 1},
    5: {103: 5, 102: 4, 100: 3, -102: 2, -103: 1},
    3: {103: 3, 100: 2, -103: 1},
    2: {103: 1, -103: 0},
}
#: The toolkit scale of each survey size.
SCALES = {7: "csat_7", 5: "csat_5", 3: "csat_emoji", 2: "csat_binary"}

_TICKETS = {"Ticket ID": "ticket_id", "Created time": "created_at",
            "Initial response time": "first_response_at", "Resolved time": "resolved_at",
            "Source": "channel", "Priority": "priority", "Agent": "agent", "Group": "team",
            "Customer interactions": "contacts", "Time tracked": "handle_time"}
_TIMES = ("Created time", "Due by Time", "Resolved time", "Closed time", "Last update time",
          "Initial response time")
_HOURS = {"First response time (in hrs)": "vendor_first_response_business_minutes",
          "Resolution time (in hrs)": "vendor_resolution_business_minutes"}
_KNOWN_RATINGS = ("id", "survey_id", "user_id", "agent_id", "feedback", "group_id",
                  "ticket_id", "ratings", "created_at", "updated_at")
_KNOWN_EXPORT = tuple(dict.fromkeys((*_TICKETS, *_TIMES, *_HOURS)))
_HMS = re.compile(r"^\s*(\d+):([0-5]\d)(?::([0-5]\d))?\s*$")


def detect(path: str | os.PathLike) -> str | None:
    """The Freshdesk layout of the file at ``path``, or None.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "t.csv").write_text("Ticket ID,Created time,First response time (in hrs)"
    ...                                   "\\n1,2024-03-01 09:00:00,00:30:00\\n")
    >>> detect(folder / "t.csv")
    'ticket export (CSV)'
    """
    try:
        with open(path, "rb") as handle:
            text = handle.read(64 * 1024).decode("utf-8-sig", errors="replace")
    except (OSError, TypeError, ValueError):
        return None
    if text.lstrip().startswith(("[", "{")):
        return RATINGS if '"ratings"' in text and '"survey_id"' in text else None
    header = text.splitlines()[0] if text.strip() else ""
    if "Ticket ID" in header and "Created time" in header:
        return EXPORT
    return None


def hms_minutes(values: pd.Series) -> pd.Series:
    """``HH:MM:SS`` (hours may pass 24) as minutes; empty or unreadable cells are missing.

    Examples
    --------
    >>> hms_minutes(pd.Series(["01:30:00", "27:00:30", None])).tolist()
    [90.0, 1620.5, nan]
    """
    def one(value):
        if value is None or (isinstance(value, float) and np.isnan(value)) or str(value) == "":
            return np.nan
        match = _HMS.match(str(value))
        if not match:
            return np.nan
        hours, minutes, seconds = match.groups()
        return int(hours) * 60 + int(minutes) + int(seconds or 0) / 60
    return values.map(one).astype(float)


def read_responses(source: Any, *, points: int | None = None,
                   questions: Mapping[str, Any] | None = None, timezone: str | None = None,
                   encoding: str = "utf-8-sig", **options: Any) -> VendorRead:
    """CSAT answers from Freshdesk's satisfaction ratings (API JSON or records).

    Parameters
    ----------
    source : path, list of records or DataFrame
        The JSON list ``GET /api/v2/surveys/satisfaction_ratings`` returns.
    points : {7, 5, 3, 2}
        The number of choices of the survey (Admin > Customer Satisfaction); codes are
        mapped with :data:`CODES`. Needed unless a code only a 7-point survey uses (101,
        -101) shows the survey is 7-point.
    questions : mapping, optional
        Question key -> its own number of choices or code mapping, for questions other
        than ``default_question`` (kept as columns ``rating_<key>``).
    timezone : str, optional
        Not needed: the API writes offsets. Accepted for a uniform call.
    encoding : str
        Text encoding of the file.

    Returns
    -------
    VendorRead
        ``response_id`` (id), ``survey`` ``"csat"``, ``score`` (the default question's
        code mapped), ``responded_at`` (created_at, tz-aware), ``ticket_id``, ``agent``
        (agent_id), ``team`` (group_id), ``customer_id`` (user_id), ``comment``
        (feedback), ``survey_id``. Set aside: "no rating of the default question" and
        "rating code not on the N-point survey".

    Examples
    --------
    >>> records = [{"id": 1, "survey_id": 9, "ticket_id": 5, "feedback": "",
    ...             "ratings": {"default_question": 103}, "created_at": "2024-03-01T09:00:00Z"},
    ...            {"id": 2, "survey_id": 9, "ticket_id": 6, "feedback": "slow",
    ...             "ratings": {"default_question": -103}, "created_at": "2024-03-01T10:00:00Z"}]
    >>> read_responses(records, points=3).frame["score"].tolist()
    [3.0, 1.0]
    """
    if options:
        name = next(iter(options))
        near = difflib.get_close_matches(name, ["points", "questions", "timezone", "encoding"], n=1)
        raise ParameterError(f"Unknown Freshdesk reading option {name!r}"
                             + (f" (did you mean {near[0]!r}?)" if near else "")
                             + ". The options are points, questions, timezone, encoding.")
    if isinstance(source, (str, os.PathLike)) and detect(source) == EXPORT:
        raise ParameterError(f"{source} is the ticket export, whose 'Survey results' are not "
                             "mapped: read the ratings from GET /api/v2/surveys/"
                             "satisfaction_ratings, and tickets with read_tickets.")
    raw, name = _ratings_frame(source, encoding)
    if "ratings" not in raw.columns and "score" in raw.columns:
        raise MissingColumnError(
            f"{name} has no 'ratings' field but a 'score' (e.g. "
            f"{show_values(raw['score'].head(3).tolist(), 3)}): it looks like Zendesk's "
            "satisfaction ratings, not Freshdesk's. Read it with source: zendesk, or save "
            "the JSON of Freshdesk's GET /api/v2/surveys/satisfaction_ratings.")
    _required(raw, ("id", "ratings", "created_at"), name, "satisfaction ratings list",
              "Save the JSON of GET /api/v2/surveys/satisfaction_ratings.",
              "Rename the field back to Freshdesk's name (the API writes it).")
    raw = raw.reset_index(drop=True)
    ratings = raw["ratings"].map(lambda v: v if isinstance(v, Mapping) else {})
    default = ratings.map(lambda r: r.get("default_question"))
    codes = pd.to_numeric(default, errors="coerce")
    notes = ["Ratings' times carry their UTC offset (API)."]
    if points is None:
        if codes.isin([101, -101]).any():
            points = 7
            notes.append("The codes 101/-101 occur, so the survey is read as 7-point.")
        else:
            raise ParameterError(
                f"{name}: say how many choices the survey has, points: 7, 5, 3 or 2 (codes "
                f"found: {show_values(sorted(codes.dropna().astype(int).unique()), 8)}); "
                "Freshdesk's codes 103..-103 mean different answers on each."
            )
    if points not in CODES:
        raise ParameterError(f"points must be 7, 5, 3 or 2 (the survey's choices); got {points!r}.")
    mapping = CODES[points]
    score = codes.map(lambda c: mapping.get(int(c)) if pd.notna(c) else None).astype(float)
    times, problems = _local_times(raw["created_at"], "created_at", name, None)
    frame = pd.DataFrame({"response_id": _ids(raw["id"]), "survey": "csat", "score": score,
                          "responded_at": times}, index=raw.index)
    for vendor, canonical in (("ticket_id", "ticket_id"), ("agent_id", "agent"),
                              ("group_id", "team"), ("user_id", "customer_id"),
                              ("feedback", "comment"), ("survey_id", "survey_id")):
        if vendor in raw.columns:
            frame[canonical] = _ids(raw[vendor]) if vendor.endswith("id") else raw[vendor]
    frame["rating_code"] = codes
    for key, spec in (questions or {}).items():
        table = CODES.get(spec) if isinstance(spec, int) else dict(spec)
        if table is None:
            raise ParameterError(f"questions[{key!r}] must be 7, 5, 3, 2 or a code mapping; "
                                 f"got {spec!r}.")
        frame[f"rating_{_snake(key)}"] = ratings.map(
            lambda r: table.get(int(r[key])) if r.get(key) is not None else None).astype(float)
    kept, aside = split_problems(frame, problems)
    kept, none = set_aside_rows(kept, codes.loc[kept.index].isna(),
                                "no rating of the default question")
    kept, off = set_aside_rows(kept, kept["score"].isna(),
                               f"rating code not on the {points}-point survey")
    notes.append(f"Rating codes read on the {points}-point survey: "
                 + ", ".join(f"{c} = {s}" for c, s in mapping.items())
                 + f" (scale {SCALES[points]}).")
    return VendorRead(NAME, RATINGS, kept,
                      _concat(aside + [none, off], frame.columns), len(raw), notes,
                      {"id": "response_id", "ratings.default_question": "score",
                       "created_at": "responded_at", "ticket_id": "ticket_id",
                       "agent_id": "agent", "group_id": "team", "user_id": "customer_id",
                       "feedback": "comment"}, "responses",
                      {"csat": SCALES[points]})


def _ids(values: pd.Series) -> pd.Series:
    return values.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                      else str(v).removesuffix(".0"))


def _ratings_frame(source: Any, encoding: str) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        return source.copy(), "The DataFrame"
    if isinstance(source, (list, tuple)):
        return pd.DataFrame.from_records(list(source)), "The records"
    if not isinstance(source, (str, os.PathLike)):
        raise ParameterError(f"source must be a path, a list of records or a DataFrame; got "
                             f"{type(source).__name__}.")
    path = Path(source)
    if not path.exists():
        raise FileFormatError(f"File not found: {path}. Check the path.")
    try:
        data = json.loads(path.read_text(encoding=encoding))
    except UnicodeDecodeError as error:
        raise FileFormatError(f"{path} is not {encoding} text (byte {error.start:,}): pass "
                              "encoding=... (the API writes UTF-8).") from error
    except json.JSONDecodeError as error:
        raise FileFormatError(f"{path} is not complete JSON ({error.msg} at line {error.lineno}):"
                              " the file may be cut off; save the API response again.") from error
    if isinstance(data, dict):
        data = data.get("satisfaction_ratings", data.get("ratings_list"))
    if not isinstance(data, list):
        raise FileFormatError(f"{path} is not a list of satisfaction ratings: save the JSON of "
                              "GET /api/v2/surveys/satisfaction_ratings.")
    return pd.DataFrame.from_records(data), path.name


def read_tickets(source: Any, *, timezone: str | None = None, encoding: str = "utf-8-sig",
                 columns: Mapping[str, str] | None = None, **options: Any) -> VendorRead:
    """Tickets from Freshdesk's ticket CSV export.

    Parameters
    ----------
    source : path or DataFrame
        The export (Tickets > Export, CSV).
    timezone : str
        The account's time zone (IANA name): the export's times have no offset.
    encoding : str
        Text encoding of the file.
    columns : mapping, optional
        Your column name -> Freshdesk's, for a column renamed after the export.

    Returns
    -------
    VendorRead
        ``ticket_id``, ``created_at``, ``first_response_at`` (Initial response time),
        ``resolved_at`` (Resolved time), ``closed_at``, ``channel`` (Source),
        ``priority``, ``agent``, ``team`` (Group), ``contacts`` (Customer interactions),
        ``handle_time`` (Time tracked, ``HH:MM:SS``), ``vendor_first_response_business_minutes``
        and ``vendor_resolution_business_minutes`` (the ``(in hrs)`` columns, ``HH:MM:SS``
        in business hours), the other columns snake_cased.

    Examples
    --------
    >>> frame = pd.DataFrame({"Ticket ID": ["7"], "Created time": ["2024-03-01 09:00:00"],
    ...                       "First response time (in hrs)": ["01:15:00"]})
    >>> read = read_tickets(frame, timezone="Europe/London")
    >>> read.frame["vendor_first_response_business_minutes"].tolist()
    [75.0]
    """
    if options:
        raise ParameterError(f"Unknown Freshdesk reading option {next(iter(options))!r}. The "
                             "options are timezone, encoding, columns.")
    if isinstance(source, (str, os.PathLike)) and detect(source) == RATINGS:
        raise ParameterError(f"{source} holds satisfaction ratings: read it with read_responses.")
    cut = None
    if isinstance(source, pd.DataFrame):
        raw, name, sep = source.copy(), "The DataFrame", None
    else:
        raw, name, sep, cut = read_table(source, encoding=encoding)
        name = Path(source).name
    raw = _rename(raw, columns).reset_index(drop=True)
    _required(raw, ("Ticket ID", "Created time"), name, "ticket export",
              "Export the tickets as CSV from Freshdesk's ticket list, or choose the vendor "
              "that made the file with source:.",
              "Rename the column back, or map it with columns={'your name': "
              "'Freshdesk name'}.")
    out: dict[str, pd.Series] = {}
    problems: dict[str, np.ndarray] = {}
    times = {}
    for column in _TIMES:
        if column in raw.columns:
            times[column], found = _local_times(raw[column], column, name, timezone)
            for reason, mask in found.items():
                problems[reason] = problems.get(reason, False) | mask
    for vendor, canonical in _TICKETS.items():
        if vendor in raw.columns:
            out[canonical] = times.get(vendor, raw[vendor])
    if "Closed time" in times:
        out["closed_at"] = times["Closed time"]
    notes = [f"Times without a UTC offset are read as wall times in {timezone} (the timezone: "
             "setting)."] if timezone else []
    for vendor, column in _HOURS.items():
        if vendor in raw.columns:
            minutes = hms_minutes(raw[vendor])
            text = raw[vendor].astype("string").str.strip()
            bad = text.notna() & text.ne("") & ~text.str.match(_HMS.pattern).fillna(False)
            if bad.any():
                problems[f"unreadable {vendor!r} (not HH:MM:SS)"] = bad.to_numpy()
            out[column] = minutes
    for column in raw.columns:
        if column not in _TICKETS and column not in _HOURS:
            out.setdefault(_snake(column), times.get(column, raw[column]))
    frame = pd.DataFrame(out, index=raw.index)
    kept, aside = split_problems(frame, problems)
    if "First response time (in hrs)" in raw.columns:
        notes.append("First response time (in hrs) and Resolution time (in hrs) are Freshdesk's "
                     "business-hours durations (HH:MM:SS), kept as vendor_*_business_minutes.")
    mapping = {v: c for v, c in {**_TICKETS, **_HOURS}.items() if v in raw.columns}
    if cut is not None:
        aside.append(cut.frame(frame.columns, {"ticket_id": cut.get("Ticket ID")}))
        notes.append(cut.note(name))
    return VendorRead(NAME, EXPORT, kept, _concat(aside, frame.columns),
                      len(raw) + (cut is not None), notes, mapping, "tickets")


def _required(raw: pd.DataFrame, required: tuple, name: str, layout: str, hint: str,
              fix: str) -> None:
    """The columns Freshdesk's layout needs: a close match is a column renamed by the
    user ("did you mean"); a first row of values a lost header row; else another file."""
    missing = [c for c in required if c not in raw.columns]
    known = _KNOWN_RATINGS if "ratings" in required else _KNOWN_EXPORT
    ours = sum(c in raw.columns for c in known) >= len(known) / 2  # a renamed column, not
    near = did_you_mean(missing, raw.columns, known) if missing and ours else ""  # another file
    if near:
        raise MissingColumnError(
            f"{name}: no column {show_values(missing)}, which Freshdesk's {layout} has; "
            f"{near} The columns are {show_values([str(c) for c in raw.columns], 8)}. "
            + fix)
    _require(raw, required, name, layout, hint, vendor="Freshdesk")
