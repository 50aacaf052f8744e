"""Nicereply: the ratings export (CSV) and the API v1 ratings (JSON ``_results``).

A rating has an id, a date (ISO 8601), the ``score`` on its survey's own scale (CSAT,
CES or NPS), a comment, the customer, the ticket and the agent rated. ``Legacy Score``
(every rating re-expressed out of 10, deprecated on 3 July 2023) may still be in an
export beside ``Score``: it is never read as the score, and a file with only a legacy
score is refused. The survey type comes from a ``Survey type``/``Type`` column when
there is one (CSAT/CES/NPS), else from ``survey``, else CSAT (said in the notes).

The column list of the export is not published; the reader matches the names by meaning
(``ID``/``Rating ID``, ``Date``/``Created``, ``Score``, ``Comment``, ``Customer``/
``From``, ``Ticket``/``Ticket ID``, ``Agent``/``User``) and keeps the rest as segments.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from ...errors import FileFormatError, MissingColumnError, ParameterError, show_values
from .._common import _snake
from ..reading import _raise_decode_error
from ._bad_input import did_you_mean, read_table, value_names
from ._common import VendorRead, first_line

__all__ = ["NAME", "KINDS", "detect", "read_responses"]

NAME = "nicereply"
KINDS = ("responses",)

_NAMES = {"id": "response_id", "rating_id": "response_id", "date": "responded_at",
          "created": "responded_at", "created_at": "responded_at", "score": "score",
          "comment": "comment", "customer": "customer_id", "from": "customer_id",
          "customer_email": "customer_id", "ticket": "ticket_id", "ticket_id": "ticket_id",
          "agent": "agent", "user": "agent", "username": "agent", "to": "agent",
          "survey_type": "survey_type", "type": "survey_type"}
_LEGACY = ("legacy_score", "legacyscore")
_TYPES = {"csat": "csat", "ces": "ces", "nps": "nps"}


def detect(path) -> str | None:
    """The layout name if ``path`` is a Nicereply ratings export, else None.

    Examples
    --------
    >>> detect("no_such_file.csv") is None
    True
    """
    head = first_line(path, size=2048)
    if head is None:
        return None
    first = head.splitlines()[0].casefold() if head.strip() else ""
    if "legacy score" in first and "score" in first:
        return "ratings export (CSV)"
    if '"_results"' in head and '"score"' in head:
        return "API ratings (JSON)"
    return None


def read_responses(source: Any, *, timezone: str | None = None, encoding: str = "utf-8-sig",
                   sheet: Any = None, survey: str | None = None) -> VendorRead:
    """Read Nicereply ratings (the CSV export, or API v1 JSON) into canonical responses.

    Parameters
    ----------
    source : path, dict or DataFrame
        The ratings export (CSV/XLSX), an API response (``{"_results": [...]}``) as a
        ``.json`` file or dict, or a DataFrame.
    timezone : str, optional
        Only for dates without an offset: the Nicereply account's time zone.
    encoding : str
        The file's text encoding.
    sheet : int or str, optional
        The sheet of an XLSX export.
    survey : str, optional
        ``csat``, ``ces`` or ``nps`` when the file has no survey type column.

    Returns
    -------
    VendorRead

    Examples
    --------
    >>> frame = pd.DataFrame({"ID": ["1"], "Date": ["2023-08-01T10:00:00+02:00"],
    ...     "Score": ["4"], "Legacy Score": ["8"], "Agent": ["Ana"]})
    >>> read = read_responses(frame)
    >>> read.frame[["response_id", "survey", "score", "agent"]].values.tolist()
    [['1', 'csat', '4', 'Ana']]
    """
    cut = None
    if isinstance(source, dict) or (isinstance(source, (str, Path))
                                    and Path(source).suffix.lower() == ".json"):
        raw, name, layout = _api(source, encoding) + ("API ratings (JSON)",)
    else:
        raw, name, _, cut = read_table(source, encoding=encoding, sheet=sheet)
        layout = "ratings export (CSV)"
        values = value_names(raw.columns)
        if values:
            raise FileFormatError(
                f"{name} has no header row: its first line has {show_values(values, 3)}, "
                "which look like values, not Nicereply's column names such as 'ID', 'Date', "
                "'Score'. Export the ratings again with their header row.")
    raw = raw.copy()
    raw.index = pd.RangeIndex(len(raw))
    snaked = {c: _snake(c) for c in raw.columns}
    notes = []
    legacy = [c for c, s in snaked.items() if s in _LEGACY]
    rename = {}
    for column, key in snaked.items():
        target = _NAMES.get(key)
        if target and target not in rename.values():
            rename[column] = target
    found = set(rename.values())
    if "score" not in found:
        near = did_you_mean(["score" if layout.startswith("API") else "Score"],
                            raw.columns, taken=[*rename, *legacy])
        if near and len(found) >= 2:  # Nicereply's ratings, with the score renamed
            hint = (f" {near[0].upper()}{near[1:]} Rename the column back to Score"
                    + (f" ({legacy[0]!r} is never read as the score)." if legacy else "."))
        elif legacy:
            hint = (f" It has {legacy[0]!r}, the deprecated score out of 10 for every survey "
                    "type, which the toolkit does not read: export again with the current "
                    "Score.")
        else:
            hint = (" Export the ratings again from Nicereply, or, if the file is another "
                    "tool's, set source: to that tool.")
        raise MissingColumnError(
            f"{name}: no 'Score' column for Nicereply's ratings; the columns are "
            f"{show_values(list(raw.columns), 10)}.{hint}")
    missing = {"response_id": "id", "responded_at": "created"} if layout.startswith("API") \
        else {"response_id": "ID", "responded_at": "Date"}
    missing = {k: v for k, v in missing.items() if k not in found}
    if missing:
        near = did_you_mean(list(missing.values()), raw.columns, taken=[*rename, *legacy])
        raise MissingColumnError(
            f"{name}: no {' or '.join(sorted(missing))} column for Nicereply's ratings (looked "
            f"for ID/Rating ID and Date/Created); the columns are "
            f"{show_values(list(raw.columns), 10)}. "
            + (f"{near[0].upper()}{near[1:]} " if near else "")
            + "Rename the column back to Nicereply's name.")
    if legacy:
        notes.append(f"{legacy[0]!r} (the deprecated score out of 10) was not read; the "
                     "score is 'Score', on each survey's own scale.")
    frame = raw.drop(columns=legacy).rename(columns=rename)
    frame = frame.rename(columns={c: snaked[c] for c in frame.columns if c in snaked})
    frame["survey"] = _surveys(frame, survey, name, notes)
    frame["responded_at"] = _times(frame["responded_at"], timezone, name, notes)
    mapping = {**rename, **{c: None for c in legacy}}
    aside = frame.iloc[0:0].assign(reason=[])
    if cut is not None:
        ids = [c for c, t in rename.items() if t == "response_id"]
        aside = cut.frame(frame.columns, {"response_id": cut.get(ids[0])})
        notes.append(cut.note(name))
    return VendorRead(NAME, layout, frame, aside, len(frame) + (cut is not None), notes,
                      mapping)


def _api(source, encoding: str = "utf-8-sig") -> tuple[pd.DataFrame, str]:
    if isinstance(source, dict):
        found, name = source, "the API response given"
    else:
        path = Path(source).expanduser()
        if not path.exists():
            raise FileFormatError(f"File not found: {path}. Check the path.")
        try:
            found = json.loads(path.read_text(encoding=encoding))
        except UnicodeDecodeError:
            _raise_decode_error(path, encoding)
        except json.JSONDecodeError as exc:
            raise FileFormatError(f"{path} is not complete JSON ({exc.msg}, line {exc.lineno})"
                                  ": it looks truncated. Download it again.") from exc
        name = str(path)
    if not isinstance(found, dict) or not isinstance(found.get("_results"), list):
        keys = list(found)[:6] if isinstance(found, dict) else f"a {type(found).__name__}"
        raise FileFormatError(
            f"{name} is not a Nicereply API response: no '_results' list (found {keys}). "
            "Save the JSON of Nicereply's API v1 ratings (GET /ratings), or, if the file is "
            "another tool's, set source: to that tool.")
    return pd.json_normalize(found["_results"], sep="_").astype(object), name


def _surveys(frame, survey, name, notes) -> pd.Series:
    if "survey_type" in frame:
        types = frame["survey_type"].astype(str).str.strip().str.casefold()
        unknown = sorted(set(types) - set(_TYPES))
        if unknown:
            raise ParameterError(f"{name}: survey type {show_values(unknown)} is not CSAT, CES "
                                 "or NPS; tell us which survey it is.")
        notes.append("Surveys: from the survey type column.")
        return types.map(_TYPES)
    if survey is not None and survey not in ("csat", "ces", "nps"):
        raise ParameterError(f"survey must be csat, ces or nps; got {survey!r}.")
    notes.append(f"Surveys: all {survey or 'csat'} ("
                 + ("the survey given" if survey else "no survey type column; set survey: "
                    "if these are CES or NPS ratings") + ").")
    return pd.Series(survey or "csat", index=frame.index)


def _times(values: pd.Series, timezone, name, notes) -> pd.Series:
    text = values.astype("string").str.strip()
    aware = text.dropna().str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True)
    if len(aware) and aware.all():
        notes.append("Times: ISO 8601 with their UTC offset.")
        return pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
    if timezone is None:
        raise ParameterError(
            f"{name}: the rating dates (e.g. {show_values(text.dropna().head(3), 2)}) have no "
            "UTC offset and the file does not name the zone. Set timezone: to the Nicereply "
            "account's time zone.")
    notes.append(f"Times: read in {timezone} (the timezone given; the file has no offsets).")
    parsed = pd.to_datetime(text, errors="coerce", format="mixed")
    return parsed.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
