"""Google Forms: the responses CSV (Responses > Download responses (.csv), or the linked
Sheet downloaded as CSV).

The first column is ``Timestamp``, written in the form's (or Sheet's) locale and in the
form owner's time zone, without an offset (e.g. ``3/5/2024 18:05:57`` from a US Sheet,
``05/03/2024 18:05:57`` from a UK one); the Forms download may add ``GMT+1`` (then the
offset is used). Without an offset the zone is not in the file: ``timezone`` is needed.
``Email Address`` and ``Score`` (a quiz's total, e.g. ``7 / 10``, never the rating) appear
when enabled; every other column is a question, headed by its text. There is no response
id: a row's id is ``row-N`` (its data row number).

Which question is the score: ``score_question`` (its header), else the only rating
question (Linear scale, Rating: every answer a number from 0 to 10 or a known label).
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from ...errors import DateFormatError, ParameterError, show_values
from .._common import _snake
from ._bad_input import read_table, require_columns
from ._common import VendorRead, first_line, set_aside_rows
from ._questions import _choose, _is_rating, _survey

__all__ = ["NAME", "KINDS", "detect", "read_responses"]

NAME = "google_forms"
KINDS = ("responses",)

_GMT = re.compile(r"\s*GMT([+-]\d{1,2})(?::?(\d{2}))?\s*$")
_MONTH_FIRST = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M:%S %p")
_DAY_FIRST = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %I:%M:%S %p", "%d.%m.%Y %H:%M:%S")
_YEAR_FIRST = ("%Y/%m/%d %I:%M:%S %p", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S")
_META = ("Timestamp", "Email Address", "Score")


def detect(path) -> str | None:
    """The layout name if ``path`` is a Google Forms responses CSV, else None.

    Examples
    --------
    >>> detect("no_such_file.csv") is None
    True
    """
    header = first_line(path)
    if header is None:
        return None
    return "responses CSV" if header.startswith(("Timestamp,", '"Timestamp",')) else None


def read_responses(source: Any, *, timezone: str | None = None, encoding: str = "utf-8-sig",
                   sheet: Any = None, score_question: str | None = None,
                   survey: str | None = None, dayfirst: bool | None = None) -> VendorRead:
    """Read a Google Forms responses CSV into canonical responses.

    Parameters
    ----------
    source : path or DataFrame
        The downloaded CSV (or the Sheet as XLSX), or a DataFrame of it.
    timezone : str, optional
        The form owner's time zone (IANA name): needed unless every Timestamp carries
        ``GMT+N``.
    encoding : str
        The file's text encoding.
    sheet : int or str, optional
        The sheet of an XLSX download.
    score_question : str, optional
        The column that holds the score; by default the only rating question.
    survey : str, optional
        ``csat``, ``nps``, ``ces`` or ``pmf``; by default guessed (said in the notes).
    dayfirst : bool, optional
        Whether ``05/03/2024`` is 5 March (True) or May 3 (False); by default read from
        the values (a first number over 12), else an error asks for it.

    Returns
    -------
    VendorRead

    Examples
    --------
    >>> frame = pd.DataFrame({"Timestamp": ["3/5/2024 18:05:57", "3/14/2024 9:00:00"],
    ...     "How satisfied were you?": ["5", "2"]})
    >>> read = read_responses(frame, timezone="America/New_York")
    >>> read.frame[["response_id", "survey", "score"]].values.tolist()
    [['row-1', 'csat', '5'], ['row-2', 'csat', '2']]
    >>> str(read.frame["responded_at"][0])
    '2024-03-05 18:05:57-05:00'
    """
    raw, name, _, cut = read_table(source, encoding=encoding, sheet=sheet)
    require_columns(raw.columns, ("Timestamp",), name=name,
                    layout="a Google Forms responses CSV (Timestamp first)",
                    fix="Rename the column back to Timestamp.",
                    other="Download the responses again (Responses > Download responses), "
                          "or, if the file is another tool's, set source: to that tool.")
    raw.index = pd.RangeIndex(len(raw))
    questions = [c for c in raw.columns if c not in _META]
    rating = [c for c in questions if _is_rating(raw[c])]
    headings = {c: c for c in raw.columns}
    score = _choose(score_question, rating, headings, questions, name)
    notes = [f"Score: column {score!r}.",
             "Response ids: the file has none; each row is row-N (its data row number)."]
    rename = {"Timestamp": "responded_at", score: "score", "Email Address": "email",
              "Score": "quiz_score"}
    frame = raw.rename(columns=rename)
    frame = frame.rename(columns={c: _snake(c) for c in frame.columns
                                  if c not in rename.values()})
    frame.insert(0, "response_id", [f"row-{i + 1}" for i in range(len(frame))])
    frame["survey"] = _survey(survey, score, frame["score"], notes)
    frame["responded_at"], bad = _times(raw["Timestamp"], timezone, dayfirst, name, notes)
    frame, aside = set_aside_rows(frame, bad, "Timestamp unreadable, or not a time in the "
                                  "form's time zone (clock change)")
    if cut is not None:
        aside = pd.concat([aside, cut.frame(frame.columns,
                                            {"response_id": f"row-{cut.position + 1}"})])
        notes.append(cut.note(name))
    return VendorRead(NAME, "responses CSV", frame, aside, len(raw) + (cut is not None),
                      notes, {**rename, "(row number)": "response_id"})


def _times(values: pd.Series, timezone, dayfirst, name, notes) -> tuple[pd.Series, np.ndarray]:
    text = values.astype("string").str.strip()
    offsets = text.str.extract(_GMT)
    has_gmt = offsets[0].notna()
    bare = text.str.replace(_GMT, "", regex=True)
    formats = _formats(bare.dropna(), dayfirst, name)
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in formats:
        parsed = parsed.fillna(pd.to_datetime(bare, format=fmt, errors="coerce"))
    if has_gmt.all() and len(text):
        hours = offsets[0].astype(float)
        minutes = offsets[1].fillna("0").astype(float) * np.sign(hours.replace(0, 1))
        utc = parsed - pd.to_timedelta(hours * 60 + minutes, unit="min")
        notes.append("Times: Timestamp with its GMT offset, converted to UTC.")
        result = utc.dt.tz_localize("UTC")
    else:
        if timezone is None:
            raise ParameterError(
                f"{name}: the Timestamp values (e.g. {show_values(text.dropna().head(3), 2)}) "
                "have no UTC offset: Google Forms writes them in the form owner's time zone, "
                "which the file does not name. Set timezone: (e.g. timezone: Europe/London), "
                "the form owner's time zone.")
        notes.append(f"Times: Timestamp read in {timezone} (the timezone given; the file has "
                     "no offsets).")
        result = parsed.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
    bad = (result.isna() & text.notna()).to_numpy()
    return result, bad


def _formats(text: pd.Series, dayfirst, name) -> tuple[str, ...]:
    if text.empty:
        return _YEAR_FIRST
    if text.str.match(r"^\d{4}[/-]").all():
        return _YEAR_FIRST
    first = pd.to_numeric(text.str.extract(r"^(\d{1,2})[/.]")[0], errors="coerce")
    second = pd.to_numeric(text.str.extract(r"^\d{1,2}[/.](\d{1,2})[/.]")[0], errors="coerce")
    if dayfirst is None:
        if first.gt(12).any():
            dayfirst = True
        elif second.gt(12).any():
            dayfirst = False
        else:
            raise DateFormatError(
                f"{name}: Timestamp values such as {show_values(text.head(3), 3)} read as "
                "month/day or day/month alike. Set dayfirst: true (day first, e.g. a UK "
                "form) or dayfirst: false (month first, a US form).")
    return _DAY_FIRST if dayfirst else _MONTH_FIRST
