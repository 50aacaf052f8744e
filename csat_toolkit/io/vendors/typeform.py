"""Typeform: the responses CSV (Results > Responses > Download, CSV).

Columns: ``#`` (the response token), one column per question (headed by its text),
hidden fields as columns, then ``Response Type`` (``completed``/``partial``, in newer
exports), ``Start Date (UTC)``, ``Stage Date (UTC)``, ``Submit Date (UTC)``
(``YYYY-MM-DD HH:MM:SS`` in UTC, as the header says), ``Network ID`` and ``Tags``.
Partial responses (``Response Type`` partial, or no submit date) are set aside, and so
is the last row of a file cut short.

Which question is the score: ``score_question`` (its column header), else the only
rating question (Opinion Scale, Rating, NPS: every answer a number from 0 to 10 or a
known scale label); the notes say which.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from ...errors import MissingColumnError, show_values
from .._common import _snake
from ._bad_input import read_table, require_columns
from ._common import VendorRead, first_line, set_aside_rows
from ._questions import _choose, _is_rating, _survey

__all__ = ["NAME", "KINDS", "detect", "read_responses"]

NAME = "typeform"
KINDS = ("responses",)

_SUBMIT = "Submit Date (UTC)"
_TRAILING = ("Response Type", "Start Date (UTC)", "Stage Date (UTC)", _SUBMIT, "Network ID",
             "Tags")


def detect(path) -> str | None:
    """The layout name if ``path`` is a Typeform responses CSV, else None.

    Examples
    --------
    >>> detect("no_such_file.csv") is None
    True
    """
    header = first_line(path)
    if header is None:
        return None
    return ("responses CSV" if header.startswith(("#,", '"#",')) and _SUBMIT in header
            else None)


def read_responses(source: Any, *, timezone: str | None = None, encoding: str = "utf-8-sig",
                   sheet: Any = None, score_question: str | None = None,
                   survey: str | None = None, comment_question: str | None = None
                   ) -> VendorRead:
    """Read a Typeform responses CSV into canonical responses.

    Parameters
    ----------
    source : path or DataFrame
        The downloaded CSV (or XLSX), or a DataFrame of it.
    timezone : str, optional
        Not needed: Typeform's dates are UTC (the headers say so).
    encoding : str
        The file's text encoding.
    sheet : int or str, optional
        The sheet of an XLSX download.
    score_question : str, optional
        The column that holds the score; by default the only rating question.
    survey : str, optional
        ``csat``, ``nps``, ``ces`` or ``pmf``; by default guessed (said in the notes).
    comment_question : str, optional
        The text question read as ``comment``; by default none (all questions kept as
        columns).

    Returns
    -------
    VendorRead

    Examples
    --------
    >>> frame = pd.DataFrame({"#": ["a1", "b2"],
    ...     "How likely are you to recommend us?": ["9", "6"],
    ...     "Start Date (UTC)": ["2024-03-01 10:00:00", "2024-03-01 11:00:00"],
    ...     "Submit Date (UTC)": ["2024-03-01 10:01:00", None],
    ...     "Network ID": ["n1", "n2"]})
    >>> read = read_responses(frame)
    >>> read.frame[["response_id", "survey", "score"]].values.tolist()
    [['a1', 'nps', '9']]
    >>> read.set_aside["reason"].tolist()
    ['partial response (no Submit Date (UTC))']
    """
    raw, name, _, cut = read_table(source, encoding=encoding, sheet=sheet)
    require_columns(raw.columns, ("#", _SUBMIT), name=name,
                    layout="Typeform's responses CSV", known=("#", *_TRAILING),
                    fix="Rename the column back to Typeform's name.",
                    other="Download the CSV again from Results > Responses, or, if the file "
                          "is another tool's, set source: to that tool.")
    raw.index = pd.RangeIndex(len(raw))
    questions = [c for c in raw.columns if c != "#" and c not in _TRAILING]
    rating = [c for c in questions if _is_rating(raw[c])]
    headings = {c: c for c in raw.columns}
    score = _choose(score_question, rating, headings, questions, name)
    notes = [f"Score: column {score!r}."]
    rename = {"#": "response_id", score: "score", _SUBMIT: "responded_at",
              "Start Date (UTC)": "started_at"}
    if comment_question is not None:
        if comment_question not in questions:
            raise MissingColumnError(f"{name}: comment_question {comment_question!r} is not a "
                                     f"column; the questions are {show_values(questions)}.")
        rename[comment_question] = "comment"
    frame = raw.rename(columns=rename)
    frame = frame.rename(columns={c: _snake(c) for c in frame.columns
                                  if c not in rename.values()})
    frame["survey"] = _survey(survey, score, frame["score"], notes)
    for column in ("responded_at", "started_at", "stage_date_utc"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d %H:%M:%S",
                                           errors="coerce", utc=True)
    notes.append("Times: Submit Date (UTC) as responded_at, in UTC.")
    aside = frame.iloc[0:0].assign(reason=[])
    if "response_type" in frame:
        frame, out = set_aside_rows(frame, frame["response_type"].astype(str).str.strip()
                                    .str.casefold().eq("partial"),
                                    "partial response (Response Type = partial)")
        aside = pd.concat([aside, out])
    submitted = raw.loc[frame.index, _SUBMIT]
    frame, out = set_aside_rows(frame, submitted.isna() | submitted.astype(str).str.strip()
                                .eq(""), "partial response (no Submit Date (UTC))")
    aside = pd.concat([aside, out])
    if cut is not None:
        aside = pd.concat([aside, cut.frame(frame.columns, {"response_id": cut.get("#")})])
        notes.append(cut.note(name))
    return VendorRead(NAME, "responses CSV", frame, aside.sort_index(),
                      len(raw) + (cut is not None), notes, rename)
