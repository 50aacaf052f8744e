"""Shared pieces of the response loader: canonical names, the stable reason texts a row
is set aside for, the per-row issue collector and the wording of column messages.

Private to ``csat_toolkit.io``; the public names are re-exported by ``io.responses``.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import show_values
from ..core.scales import MISSING, OUT_OF_RANGE, SURVEYS, UNRECOGNISED, normalise_label

#: Canonical response columns, in the order they appear in ``LoadResult.data``.
CANONICAL_COLUMNS = (
    "response_id", "responded_at", "survey", "score", "answer", "survey_label",
    "customer_id", "ticket_id", "channel", "agent", "team", "region", "industry",
    "product", "comment", "weight",
)


#: Parameter names :func:`load_responses_from_params` passes on to the loader.
LOADER_PARAMETERS = (
    "columns", "survey", "surveys", "scales", "labels", "date_format", "dayfirst",
    "timezone", "nonexistent", "ambiguous", "encoding", "sep", "decimal", "thousands",
    "sheet", "na_values", "start", "end", "strict", "vendor", "vendor_options",
    "engine", "engine_options", "keep",
)


#: Values of ``nonexistent=`` and ``ambiguous=`` (wall times at a change of clocks).
NONEXISTENT_OPTIONS = ("set_aside", "shift_forward")


AMBIGUOUS_OPTIONS = ("set_aside", "earliest", "latest")


#: Special ``columns`` key: number the rows (1-based) to make response ids.
ROW_NUMBER = "@row"


MISSING_ID = "missing response_id"


DUPLICATE_ID = "duplicate response_id"


MISSING_SURVEY = "missing survey"


UNKNOWN_SURVEY = "unknown survey"


MISSING_DATE = "missing date"


UNPARSEABLE_DATE = "unparseable date"


#: Reason templates for wall times at a change of clocks (``{zone}``: the time zone).
NONEXISTENT_TIME = "time does not exist in {zone}: clocks sprang forward"


AMBIGUOUS_TIME = "ambiguous time in {zone}: clocks went back"


INVALID_WEIGHT = "invalid weight"


OUTSIDE_RANGE = "outside the date range"


#: Every reason a row can be set aside for, in the order they are joined.
REASONS = (
    MISSING_ID, DUPLICATE_ID, MISSING_SURVEY, UNKNOWN_SURVEY, MISSING, UNRECOGNISED,
    OUT_OF_RANGE, MISSING_DATE, UNPARSEABLE_DATE, NONEXISTENT_TIME, AMBIGUOUS_TIME,
    INVALID_WEIGHT, OUTSIDE_RANGE,
)


_FIXES = {
    MISSING_ID: "map a column of unique ids to response_id, or number the rows with "
                "columns={'@row': 'response_id'}",
    DUPLICATE_ID: "map a column whose values are unique to response_id, or number the "
                  "rows with columns={'@row': 'response_id'}",
    MISSING_SURVEY: "pass survey='csat' (or 'nps', 'ces', 'pmf') when every row is the "
                    "same survey",
    UNKNOWN_SURVEY: "map the file's survey labels with surveys={'<label>': 'csat'}, or "
                    "pass survey='csat'",
    MISSING: "check that columns= maps the column holding the answers to 'score'",
    UNRECOGNISED: "pick the scale whose labels the answers use (scales={'csat': "
                  "'csat_5'}), or map the column holding numbers to 'score'",
    OUT_OF_RANGE: "pick the scale the survey was asked on, e.g. scales={'nps': "
                  "'nps_1_10'} or scales={'csat': 'csat_10'}",
    MISSING_DATE: "map the column holding the response dates to responded_at",
    UNPARSEABLE_DATE: "set date_format= to the format of the dates, e.g. "
                      "date_format='%d.%m.%Y %H:%M'",
    NONEXISTENT_TIME: "check timezone= (the zone the times were written in), correct the "
                      "times, or pass nonexistent='shift_forward' to read a time in the "
                      "skipped hour as the first time after it",
    AMBIGUOUS_TIME: "check timezone= (the zone the times were written in), pass "
                    "ambiguous='earliest' or ambiguous='latest' to say which of the two "
                    "times is meant, or export the times with their UTC offset",
    INVALID_WEIGHT: "give weights as positive numbers (set decimal=',' for weights such "
                    "as 1,5), or leave the weight column unmapped",
    OUTSIDE_RANGE: "widen start= and end= to the period the data covers",
}


_REQUIRED = ("response_id", "score", "survey")


_TEXT_COLUMNS = ("customer_id", "ticket_id", "channel", "agent", "team", "region",
                 "industry", "product", "comment")


_RESERVED = ("answer", "survey_label", "source_row", "reason", "detail")


_SYNONYMS = {
    "response_id": ("id", "response", "responseid", "review_id", "survey_id",
                    "answer_id", "record_id"),
    "score": ("rating", "rate", "answer", "value", "csat", "nps", "ces", "pmf",
              "review_score", "satisfaction", "grade", "stars"),
    "survey": ("survey_type", "survey_name", "type", "metric", "question", "kind"),
    "responded_at": ("date", "timestamp", "time", "created_at", "submitted_at",
                     "answered_at", "response_date", "datetime"),
}


#: pandas' default missing-value markers (pandas.read_csv ``na_values``).
DEFAULT_NA_VALUES = (
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
    "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
)


_VALIDATED = ("response_id", "survey", "score", "responded_at", "weight")


_CSV_SUFFIXES = (".csv", ".tsv", ".txt")


_PARQUET_SUFFIXES = (".parquet", ".pq")


_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


_SEPARATORS = ",;\t|"


_SNIFF_BYTES = 64 * 1024


# A number with nothing else (text answers are kept in the `answer` column).
_PLAIN_NUMBER = re.compile(r"^\s*[-+]?(?:\d+(?:[.,]\d+)?|[.,]\d+)\s*$")


# A number pandas would read, without a leading zero that an id or code would carry.
_NUMERIC_TEXT = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


_LEADING_ZERO = r"[-+]?0\d.*"


# A UTC offset after a time of day: "10:00Z", "10:00:00+02:00", "10:00 -0500".
_OFFSET = r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"


def _snake(name: Any) -> str:
    """Lower snake case: "Response ID" -> "response_id", "CaTicket" -> "ca_ticket"."""
    text = unicodedata.normalize("NFKC", str(name)).strip()
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    text = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", text)
    return re.sub(r"\W+", "_", text).strip("_").lower()


def _closest(target: str, sources: dict) -> Any:
    """The source column most likely meant as ``target`` (None if none is close).

    Columns already used for another validated column are not suggested.
    """
    snaked = {_snake(source): source for new, source in reversed(sources.items())
              if source != ROW_NUMBER and new not in _VALIDATED}
    for synonym in _SYNONYMS.get(target, ()):
        if synonym in snaked:
            return snaked[synonym]
    match = difflib.get_close_matches(_snake(target), list(snaked), n=1, cutoff=0.5)
    return snaked[match[0]] if match else None


def _missing_column_message(column: str, sources: dict, name: str, why: str) -> str:
    originals = [s for s in sources.values() if s != ROW_NUMBER]
    closest = _closest(column, sources)
    message = (f"{_display_name(name)} has no {column!r} column ({why}). Its columns are: "
               f"{show_values(originals, 30)}.")
    if closest is not None:
        message += f" The closest is {closest!r}: map it with columns={{{closest!r}: {column!r}}}."
    else:
        message += f" Map the right column with columns={{'<your column>': {column!r}}}."
    if column == "response_id":
        message += " Or number the rows: columns={'@row': 'response_id'}."
    if column == "survey":
        message += (" Or, if every row is the same survey, pass survey='csat' (or 'nps', "
                    "'ces', 'pmf').")
    return message


def _unknown_key_message(key: Any, available: list, name: str) -> str:
    shown = [str(c) for c in available]
    match = difflib.get_close_matches(str(key), shown, n=1, cutoff=0.0)
    hint = f" The closest is {match[0]!r}." if match else ""
    return (f"columns= maps {key!r}, but {_display_name(name)} has no column {key!r}. "
            f"Its columns are: {show_values(available, 30)}.{hint} Fix the key in columns= "
            "(names are case- and space-sensitive).")


class _Issues:
    """Row-level problems: per reason, a mask over rows and a detail per flagged row."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.items: list[tuple[np.ndarray, str, np.ndarray]] = []

    def add(self, mask: np.ndarray, reason: str, details: Any) -> None:
        """Flag ``mask`` rows; ``details`` is one text, or one per flagged row."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if isinstance(details, str):
            details = np.full(int(mask.sum()), details, dtype=object)
        self.items.append((mask, reason, np.asarray(details, dtype=object)))

    def mask(self, only: tuple[str, ...] = REASONS, exclude: tuple[str, ...] = ()
             ) -> np.ndarray:
        """Rows flagged for any of ``only`` except ``exclude``."""
        flagged = np.zeros(self.n, dtype=bool)
        for mask, reason, _ in self.items:
            key = _reason_key(reason)
            if key in only and key not in exclude:
                flagged |= mask
        return flagged

    def table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Positions of flagged rows, their joined reasons and joined details."""
        positions = np.flatnonzero(self.mask())
        reasons = np.full(len(positions), "", dtype=object)
        details = np.full(len(positions), "", dtype=object)
        for mask, reason, detail in sorted(self.items,
                                           key=lambda i: REASONS.index(_reason_key(i[1]))):
            at = np.searchsorted(positions, np.flatnonzero(mask))
            first = reasons[at] == ""
            reasons[at] = np.where(first, reason, reasons[at] + "; " + reason)
            details[at] = np.where(first, detail, details[at] + "; " + detail)
        return positions, reasons, details


def _reason_key(reason: str) -> str:
    """The entry of :data:`REASONS` a reason text comes from (filled-in templates)."""
    if reason in REASONS:
        return reason
    for template in (NONEXISTENT_TIME, AMBIGUOUS_TIME):
        head, tail = template.split("{zone}")
        if reason.startswith(head) and reason.endswith(tail):
            return template
    return reason


def _is_blank(values: pd.Series) -> np.ndarray:
    """True where a value is missing or only blank space."""
    if values.dtype != object and pd.api.types.is_string_dtype(values.dtype):
        blank = values.str.strip().eq("").to_numpy(dtype=bool, na_value=False)
        return blank | values.isna().to_numpy()
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    blank = [isinstance(u, str) and not u.strip() for u in uniques] + [True]
    return np.asarray(blank, dtype=bool)[codes]


def _survey_lookup(surveys: dict) -> dict[str, str]:
    lookup = {s: s for s in SURVEYS}
    lookup.update({normalise_label(str(label)): kind for label, kind in surveys.items()})
    return lookup


def _maybe_numeric(values: pd.Series) -> pd.Series:
    """Numbers if every value is a plain number without a leading zero; else as is.

    In a column of numbers, pandas' missing-value markers ("NA", "NULL" ...) are read
    as missing: there they cannot be a real value.
    """
    if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
        return values
    cleaned = values.where(~values.isin(DEFAULT_NA_VALUES[1:]))
    uniques = pd.Series(cleaned.dropna().unique(), dtype=object)
    if not len(uniques) or not uniques.map(lambda v: isinstance(v, str)).all():
        return values
    text = uniques.str.strip()
    if text.str.fullmatch(_NUMERIC_TEXT).all() and not text.str.fullmatch(_LEADING_ZERO).any():
        return pd.to_numeric(cleaned.str.strip())
    return values


def _display_name(source: str) -> str:
    return source if source == "DataFrame" else Path(source).name
