"""Load survey responses into the canonical frame, accounting for every row.

:func:`load_responses` reads a CSV/TSV/TXT file (separator sniffed), Parquet, Excel or
a DataFrame, renames columns to the canonical names (DESIGN.md, "Canonical data"),
parses scores with each survey's :class:`~csat_toolkit.scales.Scale` and dates with an
explicit or inferred format, and returns a :class:`LoadResult`: the rows it can use,
the rows it set aside (each with every reason), and notes on what it inferred.

Structural problems (unreadable file, missing column, ambiguous dates, no valid rows)
raise a :class:`~csat_toolkit.errors.DataError` that names the file or column, shows a
few values and says what to set. Row-level problems never stop the load unless
``strict=True``. Nothing is guessed silently: every inference is written to
``LoadResult.notes``.

:func:`read_config` and :func:`load_responses_from_params` let a notebook, the runner
or the CLI drive the loader from a YAML file or a parameter dict.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import os
import re
import unicodedata
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..errors import (
    DataError,
    DateFormatError,
    FileFormatError,
    MissingColumnError,
    NoValidRowsError,
    ParameterError,
    RejectedRowsError,
    show_values,
)
from ..core.scales import (
    DEFAULT_SCALES,
    MISSING,
    OUT_OF_RANGE,
    SCALES,
    SURVEYS,
    UNRECOGNISED,
    Scale,
    get_scale,
    normalise_label,
    resolve_scales,
)

__all__ = [
    "LoadResult",
    "load_responses",
    "load_responses_from_params",
    "read_config",
    "parse_iso_times",
    "CANONICAL_COLUMNS",
    "LOADER_PARAMETERS",
    "ROW_NUMBER",
    "REASONS",
    "DEFAULT_NA_VALUES",
]

# --- names and stable reason texts -------------------------------------------------

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
    "sheet", "na_values", "start", "end", "strict",
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


# --- the result ----------------------------------------------------------------------

@dataclass
class LoadResult:
    """Rows loaded by :func:`load_responses`, with the accounting of every input row.

    Attributes
    ----------
    data : DataFrame
        Canonical responses in the source's row order (not sorted), with a fresh
        ``RangeIndex``: ``response_id``, ``responded_at`` (naive ``datetime64``; all
        NaT when the source has no dates), ``survey`` (csat, nps, ces or pmf),
        ``score`` (float), ``answer`` (the original answer where it was text, such
        as "Very satisfied"; missing where it was a number), ``survey_label`` (only
        when the file's survey labels are not the canonical names), the optional
        canonical columns present (``customer_id`` ... ``weight``), then every other
        source column under its lower snake case name.
    rejected : DataFrame
        One row per input row set aside: ``source_row`` (1-based data row number;
        for a CSV without line breaks inside fields the file line is
        ``source_row + 1``), ``reason`` (every reason, joined by "; "), ``detail``
        (one sentence per reason, same order), then the row's original values
        under the mapped column names.
    source : str
        The path read, or ``"DataFrame"``.
    n_read : int
        Data rows read from the source.
    notes : list of str
        What the loader inferred or assumed (date format, separator, renamed
        columns, missing dates); show them with the accounting.
    options : dict
        The options used, with inferred values filled in (separator, date
        format), for the run manifest.

    Examples
    --------
    >>> frame = pd.DataFrame({"id": [1, 2, 3], "rating": ["5", "Very satisfied", "9"]})
    >>> loaded = load_responses(frame, columns={"id": "response_id", "rating": "score"},
    ...                         survey="csat")
    >>> loaded.summary()
    'Read 3 rows from DataFrame: 2 used, 1 set aside (score outside the scale 1).'
    >>> loaded.report()["rows"].tolist()
    [3, 2, 1]
    """

    data: pd.DataFrame
    rejected: pd.DataFrame
    source: str
    n_read: int
    notes: list[str] = field(default_factory=list)
    options: dict = field(default_factory=dict)

    @property
    def n_used(self) -> int:
        """Rows in :attr:`data`."""
        return len(self.data)

    @property
    def n_set_aside(self) -> int:
        """Rows in :attr:`rejected`."""
        return len(self.rejected)

    def reason_counts(self) -> pd.Series:
        """Rows set aside per reason, most frequent first (ties by reason text)."""
        return _counts(self.rejected).astype(int).rename("rows")

    def report(self) -> pd.DataFrame:
        """The row accounting: rows read, rows used, then rows set aside per reason.

        The ``rows`` column adds up: rows read = rows used + the rows of every
        ``set aside: ...`` item.

        Examples
        --------
        >>> frame = pd.DataFrame({"response_id": [1, 1], "score": [4, 5]})
        >>> load_responses(frame, survey="csat").report()
                                       item  rows
        0                         rows read     2
        1                         rows used     1
        2  set aside: duplicate response_id     1
        """
        items = [("rows read", self.n_read), ("rows used", self.n_used)]
        items += [(f"set aside: {r}", int(n)) for r, n in self.reason_counts().items()]
        return pd.DataFrame(items, columns=["item", "rows"])

    def summary(self) -> str:
        """One sentence: rows read, used and set aside with the main reasons.

        Examples
        --------
        >>> frame = pd.DataFrame({"response_id": [1, 2], "score": [4, None]})
        >>> load_responses(frame, survey="csat").summary()
        'Read 2 rows from DataFrame: 1 used, 1 set aside (missing score 1).'
        """
        head = f"Read {self.n_read:,} rows from {_display_name(self.source)}: "
        if not self.n_set_aside:
            return head + f"{self.n_used:,} used, none set aside."
        return (head + f"{self.n_used:,} used, {self.n_set_aside:,} set aside "
                f"({_format_counts(self.reason_counts())}).")

    def __repr__(self) -> str:
        return (f"LoadResult(source={_display_name(self.source)!r}, read={self.n_read}, "
                f"used={self.n_used}, set_aside={self.n_set_aside}, "
                f"notes={len(self.notes)})")


# --- public functions ----------------------------------------------------------------

def load_responses(
    source: str | os.PathLike | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    survey: str | None = None,
    surveys: Mapping[str, str] | None = None,
    scales: Mapping[str, str | Scale] | None = None,
    labels: Mapping[str, Mapping[str, float]] | None = None,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    timezone: str = "UTC",
    nonexistent: str = "set_aside",
    ambiguous: str = "set_aside",
    encoding: str = "utf-8-sig",
    sep: str | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    sheet: int | str | None = None,
    na_values: list[str] | None = None,
    start: Any = None,
    end: Any = None,
    strict: bool = False,
    **unknown: Any,
) -> LoadResult:
    """Load survey responses, validate every row and account for the ones set aside.

    Parameters
    ----------
    source : path or DataFrame
        A CSV/TSV/TXT file (separator ``,`` ``;`` tab or ``|``, sniffed from the
        first 64 KB unless ``sep`` is given; read as text so that validation sees
        the raw answers; pandas' usual missing markers such as ``""``, ``NA``,
        ``N/A`` and ``NULL`` count as missing), a Parquet file (``.parquet``,
        ``.pq``), an Excel workbook (``.xlsx``, ``.xlsm``; ``.xls`` needs xlrd), or
        a DataFrame (never modified).
    columns : mapping, optional
        Source column name -> canonical name, e.g. ``{"Rating": "score"}``. The
        key ``"@row"`` makes a column from the 1-based row number, e.g.
        ``{"@row": "response_id"}``. Unmapped columns keep their names in lower
        snake case ("Response ID" -> ``response_id``), so a file whose headers
        already are the canonical names needs no mapping.
    survey : str, optional
        Every row's survey (``"csat"``, ``"nps"``, ``"ces"``, ``"pmf"``, or a key
        of ``surveys``); fills the ``survey`` column, replacing the file's own.
    surveys : mapping, optional
        The file's survey labels -> csat/nps/ces/pmf, e.g.
        ``{"Post-ticket CSAT": "csat"}``. Labels are matched ignoring case and
        spacing; the canonical names themselves are always recognised.
    scales : mapping, optional
        Survey -> scale name or :class:`~csat_toolkit.scales.Scale`, e.g.
        ``{"nps": "nps_1_10"}``. Defaults: ``scales.DEFAULT_SCALES``.
    labels : mapping, optional
        Your own text or emoji answers and the scores they stand for, per survey
        or per scale name, e.g. ``{"csat": {"😞": 1, "🙁": 2, "😐": 3, "🙂": 4,
        "😁": 5}}`` or ``{"ces_7": {"Agree a lot": 7}}``. Matched as the built-in
        labels are (case, spacing, trailing punctuation, accents and emoji
        variation selectors are ignored) and before them, so they also override a
        built-in label; the built-in labels keep working. Answers in neither are
        set aside as "unrecognised answer". A survey key applies to that survey's
        scale, a scale key to the survey read on that scale (both may be given;
        the survey's wins for a label in both). Errors: a key that is neither a
        survey nor a scale in use (the message names the nearest), or a score that
        is not a point of the scale.
    date_format : str, optional
        strftime format of ``responded_at``, e.g. ``"%d/%m/%Y %H:%M"`` (or
        ``"ISO8601"``). Without it the loader uses ISO 8601 when every date is
        ISO, else the one day-first or month-first format that reads the dates;
        if both orders read them all it raises :class:`DateFormatError` rather
        than guess. An inferred format is written to ``notes``.
    dayfirst : bool, optional
        Restrict the inferred formats to day-first (True) or month-first (False).
    timezone : str
        IANA name. Dates carrying a UTC offset are converted to this zone and the
        zone dropped; dates without an offset are taken as already local, that is
        as wall times in this zone. Such a wall time can be impossible or
        ambiguous at a change of clocks (in Europe/Berlin 02:30 never happened on
        2025-03-30 and happened twice on 2025-10-26): see ``nonexistent`` and
        ``ambiguous``. With the default ``"UTC"`` no time is either.
    nonexistent : {"set_aside", "shift_forward"}
        A wall time without offset that never happened in ``timezone`` (the hour
        skipped when clocks spring forward): set the row aside with the reason
        "time does not exist in <zone>: clocks sprang forward" (default), or read
        it as the first time after the gap ("shift_forward", as pandas'
        ``tz_localize``: 02:30 becomes 03:00), counted in ``notes``.
    ambiguous : {"set_aside", "earliest", "latest"}
        A wall time without offset that happened twice in ``timezone`` (the hour
        repeated when clocks go back): set the row aside with the reason
        "ambiguous time in <zone>: clocks went back" (default), or keep it as the
        earlier ("earliest", summer time) or the later ("latest") of the two,
        counted in ``notes``. The dates stay wall times, identical either way; the
        choice is recorded in ``options`` for functions that measure elapsed time
        (the business-hours functions take the same ``ambiguous=`` values).
    encoding : str
        Text encoding of CSV files; the default reads UTF-8 with or without a BOM.
    sep : str, optional
        CSV separator (one character); sniffed when omitted. It may not be the
        ``decimal`` or ``thousands`` character.
    decimal : str
        Decimal mark of numbers written as text (CSV, and text cells of Excel
        files or DataFrames), one character: ``","`` reads ``1,5`` as 1.5.
    thousands : str, optional
        Thousands separator of such numbers, one character other than
        ``decimal``: with ``decimal=","`` and ``thousands="."``, ``1.234,5`` reads
        as 1234.5. A column is converted only when every value in it is such a
        number (ids and codes are left alone); the weight column is read value by
        value. A weight that does not read and looks like ``1,5`` is set aside with
        a detail suggesting ``decimal: ","``.
    sheet : int, str or None
        Excel sheet, by name or position from 0; ``None`` (default) reads the
        first. A sheet that does not exist, or a first sheet without the required
        columns while another sheet has them, is an error that lists the sheets
        with their first columns and says which ``sheet:`` to pass.
    na_values : list of str, optional
        Text cells (CSV and Excel) that count as missing, in every column. Default:
        pandas' usual markers (:data:`DEFAULT_NA_VALUES`: ``""``, ``NA``, ``N/A``,
        ``NULL``, ``None``, ``nan`` ...) in the validated columns (id, survey, score,
        dates, weight) and only empty cells elsewhere, so that a segment value such
        as ``"NA"`` (North America) is kept; ``notes`` lists such cells.
    start, end : date-like, optional
        Keep responses from ``start`` to ``end`` inclusive (an ``end`` at midnight
        includes that whole day). Rows outside are set aside with the reason
        "outside the date range"; they are accounted for but are not problems.
    strict : bool
        Raise :class:`RejectedRowsError` when any row has a problem (rows outside
        the date range do not count).

    Returns
    -------
    LoadResult

    Raises
    ------
    FileFormatError
        The file is missing, empty, of an unknown type, or not in ``encoding``.
    MissingColumnError
        A ``columns`` key is not in the source, or a required column
        (``response_id``, ``score``, ``survey`` unless ``survey=`` is given) is
        missing after the mapping.
    DateFormatError
        The date order is ambiguous, or the format reads under half the dates.
    NoValidRowsError
        Every row was set aside.
    RejectedRowsError
        ``strict=True`` and some rows have problems.
    ParameterError
        An option is invalid (unknown timezone, survey, scale, labels ...), or its
        name is unknown (the message names the nearest option, so a misspelt key
        of a notebook's ``load_options`` is caught).

    Notes
    -----
    Rows are set aside, never dropped: the first row with a given ``response_id``
    is kept and later ones are rejected as duplicates (whatever else is wrong with
    the first). Scores and dates are parsed once per distinct value, so a million
    rows load in seconds. Other columns whose every value is a plain number
    (without leading zeros) become numeric; id and text columns stay as read.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "Ticket": ["T1", "T2", "T3"],
    ...     "When": ["13/01/2024", "02/02/2024", "05/03/2024"],
    ...     "Rating": ["5", "Πολύ ικανοποιημένος", ""],
    ... })
    >>> loaded = load_responses(frame, survey="csat", columns={
    ...     "@row": "response_id", "When": "responded_at", "Rating": "score"})
    >>> loaded.data[["response_id", "responded_at", "score"]]
       response_id responded_at  score
    0            1   2024-01-13    5.0
    1            2   2024-02-02    5.0
    >>> loaded.rejected[["source_row", "reason"]]
       source_row         reason
    0           3  missing score
    >>> print(loaded.notes[0])  # doctest: +ELLIPSIS
    responded_at: read as %d/%m/%Y (day first), because values such as '13/01/2024' ...
    """
    _reject_unknown_options(unknown, LOADER_PARAMETERS, "load_responses")
    options = _check_options(
        columns=columns, survey=survey, surveys=surveys, scales=scales, labels=labels,
        date_format=date_format, dayfirst=dayfirst, timezone=timezone,
        nonexistent=nonexistent, ambiguous=ambiguous, encoding=encoding, sep=sep,
        decimal=decimal, thousands=thousands, sheet=sheet, na_values=na_values,
        start=start, end=end, strict=strict,
    )
    raw, name, sep_used = _read_source(source, encoding=encoding, sep=sep, sheet=sheet,
                                       decimal=decimal, thousands=thousands)
    notes = _separator_notes(sep, sep_used)
    if not isinstance(source, pd.DataFrame) and not name.lower().endswith(_PARQUET_SUFFIXES):
        raw = _apply_na_values(raw, options, notes)
    options.update(source=name, sep=sep_used)
    try:
        frame, sources = _rename_columns(raw, options["columns"], name, notes)
        frame = _fill_survey(frame, options, notes)
        _check_required(frame, sources, options, name)
    except MissingColumnError as exc:
        _suggest_sheet(name, sheet, exc, lambda found: _responses_fit(found, options))
        raise
    if not len(frame):
        raise NoValidRowsError(
            f"{_display_name(name)} has column names but no data rows; check that "
            "you loaded the right file (or sheet)."
        )
    parsed, issues = _validate(frame, options, notes)
    return _finish(frame, parsed, issues, name, notes, options)


def parse_iso_times(values: pd.Series, what: str, *,
                    hint: str = "load the file with csat_toolkit's loaders, which parse "
                                "and report dates") -> pd.Series:
    """ISO 8601 text (or datetimes) as datetimes; unreadable values are an error, shown.

    For columns that reach an analysis without a loader. Missing values stay missing.

    Parameters
    ----------
    values : Series
    what : str
        How the message names the values, e.g. ``"Column 'created_at'"``.
    hint : str
        What to do instead, ending the messages.

    Examples
    --------
    >>> parse_iso_times(pd.Series(["2024-03-01 09:30", None]), "Column 'x'").tolist()
    [Timestamp('2024-03-01 09:30:00'), NaT]
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values
    try:
        parsed = pd.to_datetime(values, errors="coerce", format="ISO8601")
    except (ValueError, TypeError) as error:
        raise DataError(
            f"{what} mixes time zones or naive and zone-aware times ({error}). Convert it to "
            "one form first, for example pd.to_datetime(values, utc=True) when every value "
            f"carries an offset, or {hint}."
        ) from error
    bad = values.notna().to_numpy() & parsed.isna().to_numpy()
    if bad.any():
        raise DataError(
            f"{what} has {int(bad.sum()):,} value(s) that are not dates and times, such as "
            f"{show_values(values[bad].tolist())}. Write them as ISO 8601 text such as "
            f"'2024-03-01 09:30', or {hint}."
        )
    return parsed


def load_responses_from_params(params: Mapping[str, Any]) -> LoadResult:
    """Call :func:`load_responses` with a notebook's or config's parameter dict.

    Uses ``params["responses_path"]`` as the source and the keys named in
    :data:`LOADER_PARAMETERS`; ``thresholds`` (survey -> cut-offs) adjusts the scales
    and ``load_options`` (a dict) adds loader options; other keys (title, seed,
    output folders ...) are ignored.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "r.csv").write_text("id;rating\\n1;5\\n2;4\\n", encoding="utf-8")
    >>> params = {"responses_path": str(folder / "r.csv"), "survey": "csat",
    ...           "columns": {"id": "response_id", "rating": "score"}, "seed": 1}
    >>> load_responses_from_params(params).summary()
    'Read 2 rows from r.csv: 2 used, none set aside.'
    """
    if not isinstance(params, Mapping):
        raise ParameterError(f"params must be a dict of parameters; got {type(params).__name__}.")
    if params.get("responses_path") in (None, ""):
        raise ParameterError(
            "params has no 'responses_path': add the path of the responses file, e.g. "
            f"responses_path: data/responses.csv. Keys found: {show_values(params, 20)}."
        )
    kwargs = {key: params[key] for key in LOADER_PARAMETERS if key in params}
    if params.get("thresholds"):
        kwargs["scales"] = resolve_scales(params.get("scales"), params["thresholds"])
    extra = params.get("load_options") or {}
    if not isinstance(extra, Mapping):
        raise ParameterError(f"load_options must be a dict of loader options; got {extra!r}.")
    _reject_unknown_options(extra, LOADER_PARAMETERS, "load_options")
    twice = [k for k in extra if k in kwargs and params.get(k) is not None]
    if twice:
        raise ParameterError(
            f"load_options repeats {show_values(twice)}, already set as parameter(s): give "
            "each option once."
        )
    return load_responses(params["responses_path"], **{**kwargs, **extra})


def read_config(path: str | os.PathLike) -> dict:
    """Read a YAML run configuration, resolving ``*_path`` and ``*_dir`` values.

    Every value whose key ends in ``_path`` or ``_dir`` (at any depth, strings or
    lists of strings) is made relative to the config file's folder, unless it is
    already absolute.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "run.yaml").write_text(
    ...     "title: Demo\\nparameters:\\n  responses_path: data/r.csv\\n", encoding="utf-8")
    >>> config = read_config(folder / "run.yaml")
    >>> config["parameters"]["responses_path"] == str(folder / "data" / "r.csv")
    True
    """
    path = Path(path).expanduser()
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "was not found"
        raise FileFormatError(f"Config file {path} {what}; give the path of a .yaml file.")
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            f"Config file {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8."
        ) from exc
    except yaml.YAMLError as exc:
        raise FileFormatError(_yaml_message(path, exc)) from exc
    if not isinstance(config, dict):
        raise FileFormatError(
            f"Config file {path} should hold a mapping such as 'title: ...' and "
            f"'parameters: ...'; found {type(config).__name__} {show_values([config], 1)}."
        )
    return _resolve_paths(config, path.parent)


# --- options -------------------------------------------------------------------------

def _check_options(**opts: Any) -> dict:
    """Validate the options before touching the file; return them, normalised."""
    opts["timezone"] = _check_timezone(opts["timezone"])
    if opts["dayfirst"] not in (None, True, False):
        raise ParameterError(f"dayfirst must be True, False or None; got {opts['dayfirst']!r}.")
    if not isinstance(opts["strict"], bool):
        raise ParameterError(f"strict must be True or False; got {opts['strict']!r}.")
    sep = opts["sep"]
    if sep is not None and (not isinstance(sep, str) or len(sep) != 1):
        raise ParameterError(
            f"sep must be one character such as ',', ';', '\\t' or '|'; got {sep!r}."
        )
    if opts["date_format"] is not None and not isinstance(opts["date_format"], str):
        raise ParameterError(
            f"date_format must be a string such as '%d/%m/%Y'; got {opts['date_format']!r}."
        )
    try:
        codecs.lookup(opts["encoding"])
    except (LookupError, TypeError) as exc:
        raise ParameterError(
            f"Unknown encoding {opts['encoding']!r}; try 'utf-8-sig', 'latin-1' or 'cp1252'."
        ) from exc
    _check_number_format(opts["decimal"], opts["thousands"], sep)
    _check_local_time_options(opts["nonexistent"], opts["ambiguous"])
    opts["sheet"] = _check_sheet(opts["sheet"])
    opts["na_values"] = _check_na_values(opts["na_values"])
    opts["columns"] = _check_columns(opts["columns"])
    opts["surveys"] = _check_surveys(opts["surveys"])
    opts["survey"] = _check_survey(opts["survey"], opts["surveys"])
    opts["scales"] = _check_scales(opts["scales"])
    opts["scales"], opts["labels"] = _check_labels(opts["labels"], opts["scales"])
    opts["start"] = _check_bound(opts["start"], "start", opts["timezone"])
    opts["end"] = _check_bound(opts["end"], "end", opts["timezone"])
    if opts["start"] is not None and opts["end"] is not None and opts["start"] > opts["end"]:
        raise ParameterError(f"start ({opts['start']}) is after end ({opts['end']}); swap them.")
    return opts


def _reject_unknown_options(given: Mapping[str, Any], known: tuple[str, ...], where: str
                            ) -> None:
    """ParameterError naming each unknown option and the nearest known one."""
    unknown = [key for key in given if key not in known]
    if not unknown:
        return
    parts = []
    for key in unknown:
        match = difflib.get_close_matches(str(key), known, n=1, cutoff=0.5)
        parts.append(f"{key!r}" + (f" (did you mean {match[0]!r}?)" if match else ""))
    raise ParameterError(
        f"{where} got unknown option(s) {', '.join(parts)}. Known options: "
        f"{', '.join(known)}. Fix the name, e.g. in the notebook's or config's options."
    )


def _check_number_format(decimal: Any, thousands: Any, sep: Any) -> None:
    """decimal and thousands: single characters that differ, neither the separator."""
    for name, value in (("decimal", decimal), ("thousands", thousands)):
        if value is None and name == "thousands":
            continue
        if not isinstance(value, str) or len(value) != 1 or value.isdigit() or \
                value in "+-" or (name == "decimal" and value.isspace()):
            example = "decimal=','" if name == "decimal" else "thousands='.' (or None)"
            raise ParameterError(
                f"{name} must be one character that is not a digit or a sign, e.g. "
                f"{example}; got {value!r}."
            )
    if thousands == decimal:
        raise ParameterError(
            f"decimal and thousands are both {decimal!r}; they must differ, e.g. "
            "decimal=',' with thousands='.' for 1.234,5 (or thousands=None)."
        )
    for name, value in (("decimal", decimal), ("thousands", thousands)):
        if sep is not None and value == sep:
            other = ";" if sep == "," else ","
            raise ParameterError(
                f"sep and {name} are both {sep!r}: a file cannot use one character for both. "
                f"Files with decimal commas are usually separated by ';': pass sep={other!r} "
                f"(the file's real separator), or leave sep=None to detect it."
            )


def _check_local_time_options(nonexistent: Any, ambiguous: Any) -> None:
    if nonexistent not in NONEXISTENT_OPTIONS:
        raise ParameterError(
            f"nonexistent must be 'set_aside' (rows whose time never happened in the time "
            f"zone are set aside) or 'shift_forward' (read as the first time after the "
            f"skipped hour); got {nonexistent!r}."
        )
    if ambiguous not in AMBIGUOUS_OPTIONS:
        raise ParameterError(
            f"ambiguous must be 'set_aside' (rows whose time happened twice are set aside), "
            f"'earliest' or 'latest' (which of the two is meant); got {ambiguous!r}."
        )


def _check_sheet(sheet: Any) -> int | str | None:
    if sheet is None or isinstance(sheet, str):
        return sheet
    if isinstance(sheet, (int, np.integer)) and not isinstance(sheet, bool) and sheet >= 0:
        return int(sheet)
    raise ParameterError(
        f"sheet must be a sheet name, a position from 0, or None for the first sheet; got "
        f"{sheet!r}."
    )


def _check_labels(labels: Any, scales: dict[str, Scale]
                  ) -> tuple[dict[str, Scale], dict[str, dict[str, float]]]:
    """Scales with the user's labels added; the labels as a plain dict (for options)."""
    if labels is None:
        return scales, {}
    if not isinstance(labels, Mapping):
        raise ParameterError(
            "labels must map a survey (or a scale name) to answers and their scores, e.g. "
            f"labels={{'csat': {{'😞': 1, '😁': 5}}}}; got {type(labels).__name__}."
        )
    in_use = {scale.name: survey for survey, scale in scales.items()}
    known = list(SURVEYS) + [n for n in list(SCALES) + list(in_use) if n not in SURVEYS]
    out = dict(scales)
    for key in labels:  # scale keys first, so that a survey key wins for a shared label
        if key in SURVEYS:
            continue
        if key not in in_use:
            match = difflib.get_close_matches(str(key), known, n=1, cutoff=0.5)
            hint = f" Did you mean {match[0]!r}?" if match else ""
            if key in SCALES:
                raise ParameterError(
                    f"labels has the key {key!r}, but no survey is read on that scale "
                    f"(scales in use: {', '.join(f'{s}: {v.name}' for s, v in scales.items())}). "
                    f"Use the survey as the key, e.g. labels={{'{SCALES[key].survey}': ...}}, "
                    f"or pick the scale with scales={{'{SCALES[key].survey}': '{key}'}}."
                )
            raise ParameterError(
                f"labels has the key {key!r}, which is neither a survey ({', '.join(SURVEYS)}) "
                f"nor a scale name.{hint} Use e.g. labels={{'csat': {{'😁': 5}}}}."
            )
        survey = in_use[key]
        out[survey] = out[survey].with_labels(labels[key], where=f"labels[{key!r}]")
    for key in labels:
        if key in SURVEYS:
            out[key] = out[key].with_labels(labels[key], where=f"labels[{key!r}]")
    plain = {str(k): {str(label): float(v) for label, v in labels[k].items()} for k in labels}
    return out, plain


def _responses_fit(found: list, options: dict) -> bool:
    """Would a sheet with these columns give the required response columns?"""
    mapping = options["columns"]
    if any(key != ROW_NUMBER and key not in found for key in mapping):
        return False
    names = {mapping.get(c, _snake(c)) for c in found}
    names |= {mapping[ROW_NUMBER]} if ROW_NUMBER in mapping else set()
    names |= {"survey"} if options["survey"] is not None else set()
    needed = set(_REQUIRED)
    if options["start"] is not None or options["end"] is not None:
        needed.add("responded_at")
    return needed <= names


def _check_timezone(timezone: Any) -> str:
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ParameterError(
            f"Unknown timezone {timezone!r}: use an IANA name such as 'UTC', "
            "'Europe/Paris' or 'America/New_York'."
        ) from exc
    return timezone


def _check_na_values(na_values: Any) -> list[str] | None:
    if na_values is None:
        return None
    if isinstance(na_values, str) or not all(isinstance(v, str) for v in na_values):
        raise ParameterError(
            f"na_values must be a list of texts, e.g. na_values=['', 'NULL']; got {na_values!r}."
        )
    return list(na_values)


def _check_columns(columns: Any) -> dict:
    if columns is None:
        return {}
    if not isinstance(columns, Mapping):
        raise ParameterError(
            "columns must map source names to canonical names, e.g. "
            f"columns={{'Rating': 'score'}}; got {type(columns).__name__}."
        )
    mapped: dict = {}
    for key, target in columns.items():
        if not isinstance(target, str) or not _snake(target):
            raise ParameterError(f"columns[{key!r}] must be a column name; got {target!r}.")
        mapped[key] = _snake(target)
    targets = list(mapped.values())
    doubles = [t for t in dict.fromkeys(targets) if targets.count(t) > 1]
    if doubles:
        keys = [k for k, t in mapped.items() if t in doubles]
        raise ParameterError(
            f"columns maps {show_values(keys)} to the same name {doubles[0]!r}; map one "
            "source column to each name."
        )
    reserved = [t for t in targets if t in _RESERVED]
    if reserved:
        raise ParameterError(
            f"{reserved[0]!r} is a name the loader sets itself; map the column to "
            "another name."
        )
    return mapped


def _check_surveys(surveys: Any) -> dict:
    if surveys is None:
        return {}
    if not isinstance(surveys, Mapping):
        raise ParameterError("surveys must map survey labels to csat/nps/ces/pmf, e.g. "
                             "surveys={'Post-ticket CSAT': 'csat'}.")
    checked = {}
    for label, kind in surveys.items():
        canonical = normalise_label(str(kind))
        if canonical not in SURVEYS:
            raise ParameterError(
                f"surveys[{label!r}] is {kind!r}; each label must map to one of "
                f"{', '.join(SURVEYS)}."
            )
        checked[label] = canonical
    return checked


def _check_survey(survey: Any, surveys: dict) -> str | None:
    if survey is None:
        return None
    canonical = _survey_lookup(surveys).get(normalise_label(str(survey)))
    if canonical is None:
        raise ParameterError(
            f"survey={survey!r} is not one of {', '.join(SURVEYS)} (nor a label in "
            "surveys=); use e.g. survey='csat'."
        )
    return canonical


def _check_scales(scales: Any) -> dict[str, Scale]:
    if scales is not None and not isinstance(scales, Mapping):
        raise ParameterError("scales must map surveys to scales, e.g. scales={'nps': 'nps_1_10'}.")
    chosen = {**DEFAULT_SCALES, **(scales or {})}
    checked = {}
    for survey, scale in chosen.items():
        if survey not in SURVEYS:
            raise ParameterError(
                f"scales has the key {survey!r}; keys must be surveys ({', '.join(SURVEYS)})."
            )
        checked[survey] = get_scale(scale)
        if checked[survey].survey != survey:
            raise ParameterError(
                f"scales[{survey!r}] is {checked[survey].name!r}, a "
                f"{checked[survey].survey} scale; pick a {survey} scale."
            )
    return checked


def _check_bound(value: Any, name: str, timezone: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise ParameterError(f"{name}={value!r} is not a date; use e.g. {name}='2024-01-31'.")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(timezone).tz_localize(None)
    return stamp


def _jsonable_options(options: dict, date_format: str | None) -> dict:
    out = dict(options)
    out["date_format"] = date_format
    out["scales"] = {k: s.name for k, s in options["scales"].items()}
    for key in ("start", "end"):
        out[key] = None if options[key] is None else options[key].isoformat()
    out["columns"] = {str(k): v for k, v in options["columns"].items()}
    out["labels"] = {k: dict(v) for k, v in options["labels"].items()}
    out["surveys"] = {str(k): v for k, v in options["surveys"].items()}
    return out


# --- reading -------------------------------------------------------------------------

def _read_source(source: Any, *, encoding: str, sep: str | None, sheet: Any,
                 decimal: str = ".", thousands: str | None = None
                 ) -> tuple[pd.DataFrame, str, str | None]:
    """Read the source into a DataFrame; return it, its name and the separator used.

    ``sheet=None`` reads an Excel workbook's first sheet. With ``decimal`` other than
    "." or a ``thousands`` separator, text columns whose every value is a number
    written that way are rewritten as plain numbers ("1.234,5" -> "1234.5"), still
    as text (see :func:`_plain_number_columns`).
    """
    _check_number_format(decimal, thousands, sep)
    if isinstance(source, pd.DataFrame):
        if not source.columns.is_unique:
            doubles = source.columns[source.columns.duplicated()].tolist()
            raise ParameterError(
                f"The DataFrame has duplicate column names {show_values(doubles)}; rename them."
            )
        return _plain_number_columns(source, decimal, thousands), "DataFrame", None
    if not isinstance(source, (str, os.PathLike)):
        raise ParameterError(
            f"source must be a file path or a pandas DataFrame; got {type(source).__name__}."
        )
    path = _check_path(Path(source).expanduser())
    suffix = path.suffix.lower()
    if suffix in _CSV_SUFFIXES:
        sep = sep or _sniff_separator(path, encoding)
        raw = _read_csv(path, encoding, sep)
        return _plain_number_columns(raw, decimal, thousands), str(path), sep
    if suffix in _PARQUET_SUFFIXES:
        return _plain_number_columns(_read_parquet(path), decimal, thousands), str(path), None
    raw = _read_excel(path, _check_sheet(sheet))
    return _plain_number_columns(raw, decimal, thousands), str(path), None


def _number_pattern(decimal: str, thousands: str | None) -> re.Pattern:
    """A whole number or decimal written with these marks, e.g. ``-1.234,5``."""
    d = re.escape(decimal)
    whole = r"\d+" if thousands is None else rf"(?:\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+|\d+)"
    return re.compile(rf"[-+]?(?:{whole}(?:{d}\d*)?|{d}\d+)")


def _plain_numbers(values: pd.Series, decimal: str, thousands: str | None
                   ) -> tuple[pd.Series, bool]:
    """Text numbers written with ``decimal``/``thousands`` as plain text numbers.

    Returns the values (others unchanged) and whether every non-blank value is such a
    number (or a number already) and at least one is text. Works on distinct values
    with vectorized string operations, so it is cheap on long columns.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if not len(uniques):
        return values, False
    uniques = np.asarray(uniques, dtype=object)
    is_text = np.fromiter((isinstance(u, str) for u in uniques), dtype=bool, count=len(uniques))
    others = uniques[~is_text]
    numeric = all(isinstance(u, (int, float, np.integer, np.floating))
                  and not isinstance(u, (bool, np.bool_)) for u in others)
    text = pd.Series(uniques[is_text], dtype="string[pyarrow]").str.strip()
    filled = (text != "").to_numpy(dtype=bool, na_value=False)
    match = text.str.fullmatch(_number_pattern(decimal, thousands).pattern
                               ).to_numpy(dtype=bool, na_value=False)
    every = numeric and bool(filled.any()) and bool(match[filled].all())
    marks = text.str.contains(decimal, regex=False).to_numpy(dtype=bool, na_value=False)
    if thousands is not None:
        marks |= text.str.contains(thousands, regex=False).to_numpy(dtype=bool, na_value=False)
    change = match & marks & filled
    if not change.any():
        return values, every
    plain = text[change]
    if thousands is not None:
        plain = plain.str.replace(thousands, "", regex=False)
    plain = plain.str.replace(decimal, ".", regex=False)
    converted = uniques.copy()
    converted[np.flatnonzero(is_text)[change]] = plain.to_numpy(dtype=object)
    lookup = np.append(converted, None)
    out = pd.Series(lookup[codes], index=values.index, name=values.name, dtype=object)
    return out.where(codes >= 0, values), every


def _plain_number_columns(raw: pd.DataFrame, decimal: str, thousands: str | None
                          ) -> pd.DataFrame:
    """Rewrite the text columns whose every value is a localized number."""
    if decimal == "." and thousands is None:
        return raw
    changed = {}
    for position, column in enumerate(raw.columns):
        values = raw.iloc[:, position]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            continue
        if not _plain_numbers(values.head(1000), decimal, thousands)[1]:
            continue  # quick rejection on the first rows (text, dates)
        marked = values.str.contains(decimal, regex=False)
        if thousands is not None:
            marked = marked | values.str.contains(thousands, regex=False)
        if not marked.fillna(False).astype(bool).any():
            continue  # nothing to rewrite (ids, whole numbers)
        plain, every = _plain_numbers(values, decimal, thousands)
        if every and plain is not values:
            changed[position] = plain
    if not changed:
        return raw
    out = raw.copy()
    for position, values in changed.items():
        out.isetitem(position, values.astype(object))
    return out


def _to_numbers(values: pd.Series, decimal: str = ".", thousands: str | None = None
                ) -> np.ndarray:
    """Numbers (float) value by value; NaN where a value is not one."""
    if decimal != "." or thousands is not None:
        values, _ = _plain_numbers(values, decimal, thousands)
    return np.array(pd.to_numeric(values, errors="coerce"), dtype=float)


_DECIMAL_COMMA = re.compile(r"\s*[-+]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+\s*")
_THOUSANDS_COMMA = re.compile(r"\s*[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?\s*")


def _number_hint(value: Any, decimal: str = ".") -> str:
    """What to set when a value that failed to read looks like a localized number."""
    if not isinstance(value, str) or decimal == ",":
        return ""
    if _DECIMAL_COMMA.fullmatch(value):
        dots = "." in value
        extra = ' and thousands: "."' if dots else ""
        also = ("" if dots or not _THOUSANDS_COMMA.fullmatch(value) else
                ' (or thousands: "," if the comma separates thousands)')
        return (f'; it looks like a number with a decimal comma: set decimal: ","{extra} in the '
                f"load options{also}")
    if _THOUSANDS_COMMA.fullmatch(value):
        return '; it looks like a number with commas between thousands: set thousands: ","'
    return ""


def _sheet_columns(path: Path, limit: int = 20) -> list[tuple[str, list]]:
    """(sheet name, column names) of the first ``limit`` sheets of a workbook."""
    try:
        with pd.ExcelFile(path) as book:
            return [(name, list(pd.read_excel(book, sheet_name=name, nrows=0).columns))
                    for name in book.sheet_names[:limit]]
    except Exception:  # listing sheets only improves a message; never fail on it
        return []


def _sheets_text(sheets: list[tuple[str, list]]) -> str:
    shown = []
    for name, columns in sheets:
        first = ", ".join(str(c) for c in columns[:4]) + (" ..." if len(columns) > 4 else "")
        shown.append(f"{name!r} ({first or 'empty'})")
    return "; ".join(shown)


def _suggest_sheet(name: str, sheet: Any, exc: Exception, fits) -> None:
    """Raise a better MissingColumnError when another sheet has the columns needed.

    Only for an Excel workbook read without ``sheet=`` (its first sheet): the message
    lists the sheets with their first columns and says which ``sheet:`` to pass.
    """
    if sheet is not None or not name.lower().endswith(_EXCEL_SUFFIXES):
        return
    sheets = _sheet_columns(Path(name))
    if len(sheets) < 2:
        return
    fitting = [sheet_name for sheet_name, columns in sheets[1:] if fits(columns)]
    listing = _sheets_text(sheets)
    if fitting:
        raise MissingColumnError(
            f"{_display_name(name)}: the first sheet, {sheets[0][0]!r}, lacks the columns "
            f"needed, but sheet {fitting[0]!r} has them: pass sheet: {fitting[0]} (sheet="
            f"{fitting[0]!r}). The sheets and their first columns: {listing}. (On the first "
            f"sheet: {exc})"
        ) from exc
    raise MissingColumnError(
        f"{exc} (This was the workbook's first sheet, {sheets[0][0]!r}; no other sheet "
        f"has the columns needed either. The sheets and their first columns: {listing}. "
        f"Pass sheet: NAME to read another.)"
    ) from exc


def _check_path(path: Path) -> Path:
    if path.is_dir():
        found = sorted(p.name for p in path.iterdir() if p.suffix.lower() in
                       _CSV_SUFFIXES + _PARQUET_SUFFIXES + _EXCEL_SUFFIXES)
        inside = f" Files there: {show_values(found)}." if found else ""
        raise FileFormatError(
            f"{path} is a folder, not a file: give the path of the responses file inside "
            f"it.{inside}"
        )
    if not path.exists():
        raise FileFormatError(
            f"File not found: {path}. Check the path (a relative path starts from "
            f"{Path.cwd()})."
        )
    if path.suffix.lower() not in _CSV_SUFFIXES + _PARQUET_SUFFIXES + _EXCEL_SUFFIXES:
        raise FileFormatError(
            f"Cannot read {path}: unknown file type {path.suffix or '(no extension)'!r}. "
            "Use a CSV/TSV/TXT, Parquet (.parquet, .pq) or Excel (.xlsx) file, or load it "
            "into a pandas DataFrame and pass that."
        )
    if path.stat().st_size == 0:
        raise FileFormatError(f"{path} is empty (0 bytes): export the responses again.")
    return path


def _sniff_separator(path: Path, encoding: str) -> str:
    """Guess the separator from the first 64 KB (csv.Sniffer, checked on the header)."""
    with open(path, "rb") as handle:
        sample = handle.read(_SNIFF_BYTES)
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
    except UnicodeDecodeError:
        _raise_decode_error(path, encoding)
    if len(sample) == _SNIFF_BYTES and "\n" in text:
        text = text[: text.rindex("\n")]
    header = text.splitlines()[0] if text.strip() else ""
    try:
        found = csv.Sniffer().sniff(text, delimiters=_SEPARATORS).delimiter
    except csv.Error:
        found = None
    if found and found in _SEPARATORS and found in header:
        return found
    counts = {s: header.count(s) for s in _SEPARATORS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _apply_na_values(raw: pd.DataFrame, options: dict, notes: list[str]) -> pd.DataFrame:
    """Blank out text cells that mean "missing".

    With ``na_values`` given, its markers count as missing in every column. By default
    pandas' usual markers (:data:`DEFAULT_NA_VALUES`) count as missing only in the
    validated columns (id, survey, score, dates, weight), where they cannot be real
    values; elsewhere only empty cells do, so a segment value such as "NA" (North
    America) is kept, and a note says where such markers were kept as text.
    """
    given = options["na_values"]
    columns, kept = {}, {}
    for column in raw.columns:
        values = raw[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            continue
        validated = options["columns"].get(column, _snake(column)) in _VALIDATED
        markers = given if given is not None else (DEFAULT_NA_VALUES if validated else ("",))
        hit = values.isin(markers).to_numpy(dtype=bool) & values.notna().to_numpy()
        if hit.any():
            columns[column] = values.where(~hit)
        if given is None and not validated:
            lookalike = values.isin(DEFAULT_NA_VALUES[1:]).to_numpy(dtype=bool)
            if lookalike.any():
                kept[column] = (int(lookalike.sum()), show_values(values[lookalike].head(1000), 3))
    if kept:
        listed = "; ".join(f"{c!s} {n:,} ({v})" for c, (n, v) in kept.items())
        notes.append(f"Cells that look like missing-value markers were kept as text: {listed}. "
                     "If they mean 'missing', pass na_values=['', 'NA', ...].")
    return raw.assign(**columns) if columns else raw


def _separator_notes(given: str | None, used: str | None) -> list[str]:
    if given is None and used not in (None, ","):
        return [f"Separator {used!r} detected from the first lines of the file "
                "(set sep= to override)."]
    return []


def _read_csv(path: Path, encoding: str, sep: str) -> pd.DataFrame:
    try:
        return pd.read_csv(path, sep=sep, dtype=str, encoding=encoding, engine="c",
                           keep_default_na=False, na_values=[""])
    except UnicodeDecodeError:
        _raise_decode_error(path, encoding)
    except pd.errors.EmptyDataError as exc:
        raise FileFormatError(
            f"{path} has no header line (only blank space): export the responses again."
        ) from exc
    except pd.errors.ParserError as exc:
        raise FileFormatError(
            f"{path} could not be read as a table separated by {sep!r}: {exc}. If the "
            "separator is wrong, pass sep=...; fields that contain the separator must be "
            "in double quotes."
        ) from exc


def _raise_decode_error(path: Path, encoding: str):
    position, line, bad = _find_decode_error(path, encoding)
    where = (f" at byte {position:,} (line {line}, bytes {bad!r})"
             if position is not None else "")
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        advice = "It starts with a UTF-16 byte-order mark: pass encoding='utf-16'."
    else:
        advice = ("Pass the file's encoding, e.g. encoding='latin-1' or encoding='cp1252' "
                  "(files saved by Excel on Windows).")
    raise FileFormatError(f"{path} is not {encoding} text{where}. {advice}")


def _find_decode_error(path: Path, encoding: str) -> tuple[int | None, int, bytes]:
    """Byte offset, line number and bytes of the first undecodable byte."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset, lines = 0, 1
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                position = offset - pending + exc.start
                lines += chunk[: max(position - offset, 0)].count(b"\n")
                return position, lines, exc.object[exc.start: exc.end]
            offset += len(chunk)
            lines += chunk.count(b"\n")
    return None, lines, b""


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except ImportError as exc:
        raise FileFormatError(f"Reading {path} needs pyarrow: pip install pyarrow.") from exc
    except Exception as exc:  # pyarrow raises several unrelated types
        raise FileFormatError(
            f"{path} could not be read as Parquet ({exc}); check that it is a Parquet "
            "file, or export it again."
        ) from exc


def _read_excel(path: Path, sheet: int | str | None) -> pd.DataFrame:
    sheet = 0 if sheet is None else sheet
    try:
        with pd.ExcelFile(path) as book:
            names = book.sheet_names
            if not (sheet in names or (isinstance(sheet, int) and 0 <= sheet < len(names))):
                _raise_no_sheet(path, sheet, names)
            return pd.read_excel(book, sheet_name=sheet, keep_default_na=False, na_values=[""])
    except ImportError as exc:
        raise FileFormatError(
            f"Reading {path} needs an Excel reader ({exc}); save it as .xlsx, or "
            "install xlrd for .xls files."
        ) from exc
    except FileFormatError:
        raise
    except Exception as exc:  # openpyxl/xlrd raise several unrelated types
        raise FileFormatError(
            f"{path} could not be read as an Excel workbook ({exc}); open it in Excel "
            "and save it as .xlsx, or export a CSV."
        ) from exc


def _raise_no_sheet(path: Path, sheet: Any, names: list[str]):
    close = difflib.get_close_matches(str(sheet), [str(n) for n in names], n=1, cutoff=0.0)
    suggestion = close[0] if close and isinstance(sheet, str) else names[0]
    raise FileFormatError(
        f"{path} has no sheet {sheet!r}. Its sheets are {show_values(names, 20)}; their "
        f"first columns: {_sheets_text(_sheet_columns(path))}. Pass one of these names, e.g. "
        f"sheet: {suggestion} (sheet={suggestion!r}), or a position from 0."
    )


# --- columns -------------------------------------------------------------------------

def _snake(name: Any) -> str:
    """Lower snake case: "Response ID" -> "response_id", "CaTicket" -> "ca_ticket"."""
    text = unicodedata.normalize("NFKC", str(name)).strip()
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    text = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", text)
    return re.sub(r"\W+", "_", text).strip("_").lower()


def _rename_columns(raw: pd.DataFrame, columns: dict, name: str, notes: list[str]
                    ) -> tuple[pd.DataFrame, dict]:
    """Apply ``columns``, snake-case the rest and add the ``@row`` column if asked.

    Returns the renamed frame and a mapping new name -> source name.
    """
    available = list(raw.columns)
    for key in columns:
        if key != ROW_NUMBER and key not in available:
            raise MissingColumnError(_unknown_key_message(key, available, name))
    taken = set(columns.values()) | set(_RESERVED)
    names = []
    for position, column in enumerate(available):
        if column in columns:
            names.append(columns[column])
            continue
        base = _snake(column) or f"column_{position + 1}"
        new, k = base, 2
        while new in taken:
            new, k = f"{base}_{k}", k + 1
        if new != base:
            notes.append(f"Column {column!r} is kept as {new!r} because {base!r} is taken "
                         "by the column mapping or by the loader.")
        taken.add(new)
        names.append(new)
    frame = raw.set_axis(names, axis=1)
    sources = dict(zip(names, available))
    if ROW_NUMBER in columns:
        rows = pd.Series(np.arange(1, len(frame) + 1), index=frame.index)
        frame = frame.assign(**{columns[ROW_NUMBER]: rows})
        sources[columns[ROW_NUMBER]] = ROW_NUMBER
    return frame, sources


def _fill_survey(frame: pd.DataFrame, options: dict, notes: list[str]) -> pd.DataFrame:
    survey = options["survey"]
    if survey is None:
        return frame
    if "survey" in frame.columns:
        notes.append(f"survey={survey!r} was given, so the file's survey column "
                     f"(values such as {show_values(frame['survey'].dropna().head(100), 3)}) "
                     "was not used.")
    return frame.assign(survey=survey)


def _check_required(frame: pd.DataFrame, sources: dict, options: dict, name: str) -> None:
    needed = [c for c in _REQUIRED if c not in frame.columns]
    if (options["start"] is not None or options["end"] is not None) and \
            "responded_at" not in frame.columns:
        needed.append("responded_at")
    if needed:
        why = "start= and end= filter on it" if needed[0] == "responded_at" else "required"
        raise MissingColumnError(_missing_column_message(needed[0], sources, name, why))


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


# --- validation ----------------------------------------------------------------------

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


def _validate(frame: pd.DataFrame, options: dict, notes: list[str]) -> tuple[dict, _Issues]:
    """Parse every canonical column; return parsed columns and the row issues."""
    issues = _Issues(len(frame))
    parsed: dict[str, Any] = {}
    _check_ids(frame["response_id"], issues)
    parsed["survey"], parsed["survey_label"] = _parse_surveys(
        frame["survey"], options["surveys"], issues)
    parsed["score"], parsed["answer"] = _parse_scores(
        frame["score"], parsed["survey"], options["scales"], issues)
    parsed["responded_at"], parsed["date_format"] = _dates(frame, options, issues, notes)
    if "weight" in frame.columns:
        parsed["weight"] = _parse_weights(frame["weight"], issues, options["decimal"],
                                          options["thousands"])
    _check_range(parsed["responded_at"], options, issues)
    return parsed, issues


def _is_blank(values: pd.Series) -> np.ndarray:
    """True where a value is missing or only blank space."""
    if values.dtype != object and pd.api.types.is_string_dtype(values.dtype):
        blank = values.str.strip().eq("").to_numpy(dtype=bool, na_value=False)
        return blank | values.isna().to_numpy()
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    blank = [isinstance(u, str) and not u.strip() for u in uniques] + [True]
    return np.asarray(blank, dtype=bool)[codes]


def _check_ids(ids: pd.Series, issues: _Issues) -> None:
    missing = _is_blank(ids)
    issues.add(missing, MISSING_ID, "response_id is empty")
    present = ids[~missing]
    duplicate = present.duplicated(keep="first")
    if duplicate.any():
        rows = pd.Series(np.flatnonzero(~missing) + 1, index=present.index)
        first = pd.Series(rows[~duplicate].to_numpy(), index=present[~duplicate].to_numpy())
        dup_ids = present[duplicate]
        first_rows = first.reindex(dup_ids.to_numpy()).to_numpy()
        details = [f"response_id {v!r} already seen at source row {r}"
                   for v, r in zip(dup_ids, first_rows)]
        mask = np.zeros(len(ids), dtype=bool)
        mask[np.flatnonzero(~missing)[duplicate.to_numpy()]] = True
        issues.add(mask, DUPLICATE_ID, details)


def _survey_lookup(surveys: dict) -> dict[str, str]:
    lookup = {s: s for s in SURVEYS}
    lookup.update({normalise_label(str(label)): kind for label, kind in surveys.items()})
    return lookup


def _parse_surveys(values: pd.Series, surveys: dict, issues: _Issues
                   ) -> tuple[np.ndarray, bool]:
    """Canonical survey per row (None where unknown); whether labels differ from it."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    lookup = _survey_lookup(surveys)
    exact = {label: kind for label, kind in surveys.items()}
    kinds = np.array([exact.get(u, lookup.get(normalise_label(str(u))))
                      for u in uniques] + [None], dtype=object)
    row_kinds = kinds[codes]
    blank = _is_blank(values)
    issues.add(blank, MISSING_SURVEY, "survey is empty")
    unknown = (row_kinds == None) & ~blank  # noqa: E711 (element-wise)
    if unknown.any():
        label = values.to_numpy(dtype=object)[unknown]
        issues.add(unknown, UNKNOWN_SURVEY, [
            f"survey {v!r} is not {', '.join(SURVEYS[:-1])} or {SURVEYS[-1]}; map it with "
            f"surveys={{{v!r}: 'csat'}} (or nps, ces, pmf)" for v in label])
    row_kinds[blank] = None
    differ = any(u != k for u, k in zip(uniques, kinds[:-1]) if k is not None)
    return row_kinds, differ


def _parse_scores(values: pd.Series, surveys: np.ndarray, scales: dict[str, Scale],
                  issues: _Issues) -> tuple[np.ndarray, np.ndarray]:
    """Scores (float) per row by each survey's scale; original text answers."""
    n = len(values)
    scores = np.full(n, np.nan)
    answers = np.full(n, None, dtype=object)
    problems = np.full(n, None, dtype=object)
    details = np.full(n, None, dtype=object)
    raw = values.to_numpy(dtype=object)
    for survey in SURVEYS:
        rows = np.flatnonzero(surveys == survey)
        if len(rows):
            _parse_survey_scores(raw[rows], scales[survey], rows,
                                 (scores, answers, problems, details))
    for reason in (MISSING, UNRECOGNISED, OUT_OF_RANGE):
        mask = problems == reason
        issues.add(mask, reason, details[mask])
    return scores, answers


def _parse_survey_scores(raw: np.ndarray, scale: Scale, rows: np.ndarray,
                         out: tuple[np.ndarray, ...]) -> None:
    scores, answers, problems, details = out
    codes, uniques = pd.factorize(pd.Series(raw, dtype=object), use_na_sentinel=True)
    values = list(uniques) + [""]
    parsed, reasons = scale.parse(pd.Series(values, dtype=object))
    parsed, reasons = parsed.to_numpy(dtype=float), reasons.to_numpy(dtype=object)
    explained = np.array([scale.explain(v, r) if r is not None else None
                          for v, r in zip(values, reasons)], dtype=object)
    text = np.array([v if isinstance(v, str) and not _PLAIN_NUMBER.match(v) else None
                     for v in values], dtype=object)
    scores[rows] = parsed[codes]
    answers[rows] = text[codes]
    problems[rows] = reasons[codes]
    details[rows] = explained[codes]


def _parse_weights(values: pd.Series, issues: _Issues, decimal: str = ".",
                   thousands: str | None = None) -> np.ndarray:
    weights = _to_numbers(values, decimal, thousands)
    bad = ~(np.isfinite(weights) & (weights > 0))
    issues.add(bad, INVALID_WEIGHT, [
        f"weight {v!r} is not a positive number{_number_hint(v, decimal)}"
        for v in values.to_numpy(dtype=object)[bad]])
    return weights


def _check_range(dates: np.ndarray, options: dict, issues: _Issues) -> None:
    start, end = options["start"], options["end"]
    if start is not None:
        issues.add(dates < start.to_datetime64(), OUTSIDE_RANGE,
                   f"responded_at is before start {_stamp_text(start)}")
    if end is not None:
        if end == end.normalize():  # a date: the whole day is in the range
            late = dates >= (end + pd.Timedelta(days=1)).to_datetime64()
        else:
            late = dates > end.to_datetime64()
        issues.add(late, OUTSIDE_RANGE, f"responded_at is after end {_stamp_text(end)}")


def _stamp_text(stamp: pd.Timestamp) -> str:
    return stamp.strftime("%Y-%m-%d") if stamp == stamp.normalize() else str(stamp)


# --- dates ---------------------------------------------------------------------------

def _dates(frame: pd.DataFrame, options: dict, issues: _Issues, notes: list[str]
           ) -> tuple[np.ndarray, str | None]:
    if "responded_at" not in frame.columns:
        notes.append("No responded_at column: dates are missing, so period and trend "
                     "analyses are unavailable (map a date column to responded_at).")
        return np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[us]"), None
    values = frame["responded_at"]
    dates, missing, used, clocks = _parse_dates(values, options, notes, local_times=True)
    issues.add(missing, MISSING_DATE, "responded_at is empty")
    bad = np.isnat(dates) & ~missing
    issues.add(bad, UNPARSEABLE_DATE, [
        f"responded_at {v!r} does not match {used or 'a date'}"
        for v in values.to_numpy(dtype=object)[bad]])
    for reason, mask, details in clocks.problems(values):
        issues.add(mask, reason, details)
    return dates, used


class _DateText:
    """Distinct date strings and their row counts, parsed (once) per format."""

    def __init__(self, text: pd.Series, weights: np.ndarray, timezone: str,
                 column: str = "responded_at") -> None:
        self.column = column
        self.text = text.reset_index(drop=True)
        self.weights = np.asarray(weights, dtype=np.int64)
        self.timezone = timezone
        self._cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.text)

    def subset(self, positions: np.ndarray) -> _DateText:
        return _DateText(self.text.iloc[positions], self.weights[positions], self.timezone,
                         self.column)

    def parse(self, fmt: str) -> np.ndarray:
        """Naive datetime64[us] per string (NaT where ``fmt`` does not fit)."""
        if fmt not in self._cache:
            self._cache[fmt] = self._parse(fmt)
        return self._cache[fmt][0]

    def ok(self, fmt: str) -> np.ndarray:
        return ~np.isnat(self.parse(fmt))

    def rows(self, fmt: str) -> int:
        return int(self.weights[self.ok(fmt)].sum())

    def aware(self, fmt: str) -> np.ndarray:
        """Per string: did it carry a UTC offset (converted to the timezone)?"""
        self.parse(fmt)
        return self._cache[fmt][1]

    def aware_rows(self, fmt: str) -> int:
        """Rows whose date carried a UTC offset (converted to the timezone)."""
        return int(self.weights[self.aware(fmt) & self.ok(fmt)].sum())

    def examples(self, mask: np.ndarray, limit: int = 20) -> list[str]:
        return self.text[mask].head(limit).tolist()

    def _parse(self, fmt: str) -> tuple[np.ndarray, np.ndarray]:
        try:
            got = _to_datetime(self.text, fmt, utc=False)
        except _MixedOffsets:
            return self._parse_split(fmt)
        aware = isinstance(got.dtype, pd.DatetimeTZDtype)
        values = _naive(got, self.timezone).to_numpy(dtype="datetime64[us]")
        return values, np.full(len(values), aware, dtype=bool)

    def _parse_split(self, fmt: str) -> tuple[np.ndarray, np.ndarray]:
        """Dates with and without a UTC offset mixed: parse each group on its own."""
        out = np.full(len(self.text), np.datetime64("NaT"), dtype="datetime64[us]")
        aware = self.text.str.contains(_OFFSET, regex=True).to_numpy(dtype=bool)
        for flag in (False, True):
            if (aware == flag).any():
                got = _to_datetime(self.text[aware == flag], fmt, utc=flag)
                out[aware == flag] = _naive(got, self.timezone).to_numpy(dtype="datetime64[us]")
        return out, aware


class _MixedOffsets(Exception):
    """pandas cannot combine dates with different (or no) UTC offsets."""


def _to_datetime(text: pd.Series, fmt: str, utc: bool) -> pd.Series:
    try:
        return pd.to_datetime(text, format=fmt, errors="coerce", utc=utc)
    except ValueError as exc:
        if "timezone" in str(exc).lower() or "utc=true" in str(exc).lower():
            raise _MixedOffsets from exc
        raise ParameterError(
            f"date_format={fmt!r} is not a valid format ({exc}); use strftime codes such "
            "as '%d/%m/%Y %H:%M'."
        ) from exc


def _naive(values: pd.Series, timezone: str) -> pd.Series:
    """Convert time-zone-aware dates to ``timezone`` and drop the zone."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert(timezone).dt.tz_localize(None)
    return values


def _parse_dates(values: pd.Series, options: dict, notes: list[str], *,
                 local_times: bool = False) -> tuple:
    """Dates (naive datetime64[us]), the missing mask and the format used.

    With ``local_times=True`` a fourth item, :class:`_ClockChanges`, holds the wall
    times without offset that never happened or happened twice in the time zone;
    those resolved by ``options["nonexistent"]``/``["ambiguous"]`` are already
    changed (shifted) and counted in ``notes``, the rest are to be set aside.
    """
    timezone, column = options["timezone"], str(values.name)
    aware = isinstance(values.dtype, pd.DatetimeTZDtype)
    if aware or pd.api.types.is_datetime64_dtype(values.dtype):
        if aware:
            notes.append(_offset_note(int(values.notna().sum()), timezone, column))
        dates = _naive(values, timezone).to_numpy(dtype="datetime64[us]")
        naive = np.full(len(dates), not aware, dtype=bool)
        clocks = _ClockChanges.find(dates, naive, options, column, notes)
        result = (clocks.dates, values.isna().to_numpy(), None)
        return (*result, clocks.take(np.arange(len(dates)))) if local_times else result
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    native = np.array([isinstance(u, (dt.date, np.datetime64)) for u in uniques], dtype=bool) \
        if uniques.dtype == object else np.zeros(len(uniques), dtype=bool)
    text = _date_strings(uniques, native)
    blank = np.zeros(len(uniques) + 1, dtype=bool)
    blank[np.flatnonzero(~native)] = (text == "").to_numpy(dtype=bool)
    weights = np.bincount(codes[codes >= 0], minlength=len(uniques))
    filled = np.flatnonzero(~native)[~blank[np.flatnonzero(~native)]]
    dates = _DateText(text[text != ""], weights[filled], timezone, column)
    used = _choose_format(dates, options, notes)
    parsed = np.full(len(uniques) + 1, np.datetime64("NaT"), dtype="datetime64[us]")
    naive = np.zeros(len(uniques) + 1, dtype=bool)
    aware_rows = 0
    for position in np.flatnonzero(native):
        parsed[position], aware = _native_date(uniques[position], timezone)
        aware_rows += int(weights[position]) if aware else 0
        naive[position] = not aware
    if used is not None and len(dates):
        parsed[filled] = dates.parse(used)
        naive[filled] = ~dates.aware(used)
        aware_rows += dates.aware_rows(used)
    if aware_rows:
        notes.append(_offset_note(aware_rows, timezone, column))
    clocks = _ClockChanges.find(parsed, naive, options, column, notes,
                                np.bincount(codes[codes >= 0], minlength=len(uniques) + 1))
    result = (clocks.dates[codes], (codes < 0) | blank[codes], used)
    return (*result, clocks.take(codes)) if local_times else result


@dataclass
class _ClockChanges:
    """Wall times without offset at a change of clocks in the loader's time zone.

    ``dates`` are the parsed dates with the resolved ones changed (shift_forward);
    ``skipped`` and ``repeated`` mark the values still to be set aside, ``after``
    holds the first time after the gap (for the messages).
    """

    dates: np.ndarray
    skipped: np.ndarray
    repeated: np.ndarray
    after: np.ndarray
    zone: str
    column: str

    @classmethod
    def find(cls, dates: np.ndarray, naive: np.ndarray, options: dict, column: str,
             notes: list[str], weights: np.ndarray | None = None) -> _ClockChanges:
        zone = options["timezone"]
        skipped, repeated, after = _local_time_problems(dates, zone)
        skipped, repeated = skipped & naive, repeated & naive
        weights = np.ones(len(dates), dtype=np.int64) if weights is None else weights
        nonexistent = options.get("nonexistent", "set_aside")
        ambiguous = options.get("ambiguous", "set_aside")
        if nonexistent == "shift_forward" and skipped.any():
            dates = np.where(skipped, after, dates)
            notes.append(f"{column}: {int(weights[skipped].sum()):,} time(s) fell in the hour "
                         f"skipped when clocks sprang forward in {zone}; they were read as the "
                         "first time after the gap (nonexistent='shift_forward').")
            skipped = np.zeros(len(dates), dtype=bool)
        if ambiguous != "set_aside" and repeated.any():
            which = "earlier" if ambiguous == "earliest" else "later"
            notes.append(f"{column}: {int(weights[repeated].sum()):,} time(s) happened twice in "
                         f"{zone} (clocks went back); they are kept as written and taken as the "
                         f"{which} of the two (ambiguous={ambiguous!r}).")
            repeated = np.zeros(len(dates), dtype=bool)
        return cls(dates, skipped, repeated, after, zone, column)

    def take(self, rows: np.ndarray) -> _ClockChanges:
        return _ClockChanges(self.dates[rows], self.skipped[rows], self.repeated[rows],
                             self.after[rows], self.zone, self.column)

    def problems(self, values: pd.Series) -> list[tuple[str, np.ndarray, list[str]]]:
        """(reason, row mask, details) for the rows to set aside."""
        raw = values.to_numpy(dtype=object)
        out = []
        if self.skipped.any():
            out.append((NONEXISTENT_TIME.format(zone=self.zone), self.skipped, [
                f"{self.column} {_time_text(v)} never happened in {self.zone} (the clocks "
                f"sprang forward over it); correct it, or set nonexistent: shift_forward to "
                f"read it as {pd.Timestamp(a)}"
                for v, a in zip(raw[self.skipped], self.after[self.skipped])]))
        if self.repeated.any():
            out.append((AMBIGUOUS_TIME.format(zone=self.zone), self.repeated, [
                f"{self.column} {_time_text(v)} happened twice in {self.zone} (the clocks went "
                "back); set ambiguous: earliest or ambiguous: latest to say which, or give "
                "the times with their UTC offset" for v in raw[self.repeated]]))
        return out


def _time_text(value: Any) -> str:
    if isinstance(value, (dt.date, np.datetime64, pd.Timestamp)):
        return repr(str(pd.Timestamp(value)))
    return repr(value)


def _local_time_problems(dates: np.ndarray, zone: str
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Naive wall times that never happened in ``zone``, those that happened twice,
    and for each the first wall time after a skipped hour (as pandas' shift_forward).
    """
    n = len(dates)
    if zone == "UTC" or not n:
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), dates
    index = pd.DatetimeIndex(dates)
    present = ~np.asarray(index.isna())
    first = np.ones(n, dtype=bool)  # an ambiguous time as its first (summer) occurrence
    shifted = index.tz_localize(zone, ambiguous=first, nonexistent="shift_forward")
    skipped = np.asarray(index.tz_localize(zone, ambiguous=first, nonexistent="NaT").isna())
    repeated = np.asarray(index.tz_localize(zone, ambiguous="NaT",
                                            nonexistent="shift_forward").isna())
    after = shifted.tz_localize(None).to_numpy(dtype="datetime64[us]")
    return skipped & present, repeated & present, after


def _date_strings(uniques: pd.Index, native: np.ndarray) -> pd.Series:
    """The non-date-object values as stripped strings (fast Arrow strings)."""
    if uniques.dtype == object:
        text = pd.Series([str(v) for v in uniques[~native]], dtype=object)
    else:
        text = pd.Series(uniques)
    return text.astype("string[pyarrow]").str.strip()


def _native_date(value: Any, timezone: str) -> tuple[np.datetime64, bool]:
    """A date or datetime object (Excel, DataFrame) as a naive datetime64; was it aware?"""
    stamp = pd.Timestamp(value)
    aware = stamp.tzinfo is not None
    if aware:
        stamp = stamp.tz_convert(timezone).tz_localize(None)
    return stamp.to_datetime64().astype("datetime64[us]"), aware


def _offset_note(rows: int, timezone: str, column: str = "responded_at") -> str:
    return (f"{column}: {rows:,} of the dates had a UTC offset; they were converted to "
            f"{timezone} and the offset dropped (set timezone= to change this). Dates "
            "without an offset are kept as written.")


def _date_candidates(dayfirst: bool | None) -> list[tuple[str, str]]:
    """(format, order) pairs: order is "year", "day" (day first) or "month"."""
    times = ("", " %H:%M", " %H:%M:%S")
    found = [("ISO8601", "year")]
    found += [(f"%Y{s}%m{s}%d{t}", "year") for s in "/." for t in times]
    orders = {"day": "%d{s}%m{s}{y}", "month": "%m{s}%d{s}{y}"}
    if dayfirst is not None:
        orders = {k: v for k, v in orders.items() if (k == "day") == dayfirst}
    for order, pattern in orders.items():
        found += [(pattern.format(s=s, y=y) + t, order)
                  for s in "/-." for y in ("%Y", "%y") for t in times]
    return found


def _choose_format(dates: _DateText, options: dict, notes: list[str]) -> str | None:
    """The format of the text dates: explicit, ISO 8601, or one inferred order."""
    if not len(dates):
        return options["date_format"]
    if options["date_format"] is not None:
        _check_share(dates, options["date_format"])
        return options["date_format"]
    size = min(len(dates), 2000)
    sample = dates.subset(np.unique(np.linspace(0, len(dates) - 1, size).astype(int)))
    candidates = _date_candidates(options["dayfirst"])
    screen = {c: int(sample.ok(c[0]).sum()) for c in candidates}
    best = max(screen.values())
    if best == 0:
        _raise_no_format(dates, options)
    candidates = [c for c in candidates if screen[c] == best]
    rows = {c: dates.rows(c[0]) for c in candidates}
    winners = [c for c in candidates if rows[c] == max(rows.values())]
    chosen = winners[0]
    if chosen[1] != "year" and {"day", "month"} <= {c[1] for c in winners}:
        _raise_ambiguous(dates, winners)
    _check_share(dates, chosen[0])
    if chosen[1] != "year":
        notes.append(_inferred_note(dates, sample, chosen, options))
    return chosen[0]


def _check_share(dates: _DateText, fmt: str) -> None:
    read, total = dates.rows(fmt), int(dates.weights.sum())
    if read * 2 < total:
        raise DateFormatError(
            f"Only {read:,} of {total:,} dates in {dates.column} match {fmt!r}. Values that "
            f"do not: {show_values(dates.examples(~dates.ok(fmt)))}. Set date_format= to "
            "their format (e.g. date_format='%d.%m.%Y %H:%M'), or map another column to "
            f"{dates.column}."
        )


def _raise_no_format(dates: _DateText, options: dict):
    restricted = "" if options["dayfirst"] is None else f" with dayfirst={options['dayfirst']}"
    raise DateFormatError(
        f"No usual date format{restricted} reads the dates in {dates.column}, such as "
        f"{show_values(dates.examples(np.ones(len(dates), dtype=bool)))}. Set date_format= "
        f"to their format (e.g. date_format='%d %B %Y'), or map another column to {dates.column}."
    )


def _raise_ambiguous(dates: _DateText, winners: list[tuple[str, str]]):
    day = next(c[0] for c in winners if c[1] == "day")
    month = next(c[0] for c in winners if c[1] == "month")
    shown = show_values(dates.examples(np.ones(len(dates), dtype=bool)), 3)
    raise DateFormatError(
        f"The dates in {dates.column} are ambiguous: values such as {shown} read both day "
        f"first ({day}) and month first ({month}), and no day is above 12 to tell them "
        f"apart. Say which it is: date_format={day!r} or date_format={month!r}, or "
        "dayfirst=True / dayfirst=False."
    )


def _inferred_note(dates: _DateText, sample: _DateText, chosen: tuple[str, str],
                   options: dict) -> str:
    fmt, order = chosen
    label = "day first" if order == "day" else "month first"
    if options["dayfirst"] is not None:
        return f"{dates.column}: read as {fmt} ({label}, as dayfirst={options['dayfirst']} asks)."
    swapped = fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")
    evidence = sample.examples(sample.ok(fmt) & ~sample.ok(swapped), 3)
    if not evidence:
        evidence = dates.examples(dates.ok(fmt) & ~dates.ok(swapped), 3)
    part = "first" if order == "day" else "second"
    return (f"{dates.column}: read as {fmt} ({label}), because values such as "
            f"{show_values(evidence, 3)} have a {part} number above 12, which can only be "
            "a day. Set date_format= or dayfirst= to change this.")


# --- assembling the result ------------------------------------------------------------

def _finish(frame: pd.DataFrame, parsed: dict, issues: _Issues, name: str,
            notes: list[str], options: dict) -> LoadResult:
    positions, reasons, details = issues.table()
    rejected = _rejected_frame(frame, positions, reasons, details)
    # Rows outside the date range are a filter, not a problem, whatever else they have.
    problems = issues.mask(exclude=(OUTSIDE_RANGE,)) & ~issues.mask(only=(OUTSIDE_RANGE,))
    keep = ~issues.mask()
    if not keep.any():
        raise NoValidRowsError(_no_rows_message(rejected, name))
    if options["strict"] and problems.any():
        raise RejectedRowsError(_strict_message(rejected, problems, positions, name, len(frame)))
    data = _data_frame(frame, parsed, keep)
    result_options = _jsonable_options(options, parsed["date_format"])
    return LoadResult(data=data, rejected=rejected, source=name, n_read=len(frame),
                      notes=notes, options=result_options)


def _data_frame(frame: pd.DataFrame, parsed: dict, keep: np.ndarray) -> pd.DataFrame:
    kept = frame[keep].reset_index(drop=True)
    columns: dict[str, Any] = {
        "response_id": kept["response_id"],
        "responded_at": parsed["responded_at"][keep],
        "survey": parsed["survey"][keep],
        "score": parsed["score"][keep],
        "answer": parsed["answer"][keep],
    }
    if parsed["survey_label"]:
        columns["survey_label"] = kept["survey"]
    if "weight" in parsed:
        columns["weight"] = parsed["weight"][keep]
    for column in _TEXT_COLUMNS:
        if column in kept.columns:
            columns[column] = kept[column]
    order = [c for c in CANONICAL_COLUMNS if c in columns]
    extras = [c for c in kept.columns if c not in CANONICAL_COLUMNS]
    columns.update({c: _maybe_numeric(kept[c]) for c in extras})
    return pd.DataFrame(columns, columns=order + extras)


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


def _rejected_frame(frame: pd.DataFrame, positions: np.ndarray, reasons: np.ndarray,
                    details: np.ndarray) -> pd.DataFrame:
    rows = frame.iloc[positions].reset_index(drop=True)
    head = pd.DataFrame({
        "source_row": positions + 1,
        "reason": pd.Series(reasons, dtype=object).astype(str),
        "detail": pd.Series(details, dtype=object).astype(str),
    })
    return pd.concat([head, rows], axis=1)


def _counts(rejected: pd.DataFrame) -> pd.Series:
    counts = rejected["reason"].value_counts(sort=False)
    return counts.reindex(sorted(counts.index, key=lambda r: (-counts[r], r)))


def _format_counts(counts: pd.Series) -> str:
    return ", ".join(f"{reason} {int(n):,}" for reason, n in counts.items())


def _no_rows_message(rejected: pd.DataFrame, name: str) -> str:
    single = rejected["reason"].str.split("; ").explode().value_counts()
    top = sorted(single.index, key=lambda r: (-single[r], REASONS.index(_reason_key(r))))[0]
    return (f"No usable rows in {_display_name(name)}: all {len(rejected):,} rows were set "
            f"aside ({_format_counts(_counts(rejected))}). Most common fix: "
            f"{_FIXES[_reason_key(top)]}. "
            f"Examples: {_examples(rejected, np.ones(len(rejected), dtype=bool))}")


def _strict_message(rejected: pd.DataFrame, problems: np.ndarray, positions: np.ndarray,
                    name: str, n: int) -> str:
    flagged = problems[positions]
    counts = _counts(rejected[flagged])
    return (f"strict=True and {int(flagged.sum()):,} of {n:,} rows in {_display_name(name)} "
            f"have problems ({_format_counts(counts)}). Examples: "
            f"{_examples(rejected, flagged)} Fix these rows in the source, or load without "
            "strict=True to set them aside (see result.rejected).")


def _examples(rejected: pd.DataFrame, mask: np.ndarray, limit: int = 3) -> str:
    rows = rejected[mask].head(limit)
    return " ".join(f"source row {r}: {d}." for r, d in zip(rows["source_row"], rows["detail"]))


def _display_name(source: str) -> str:
    return source if source == "DataFrame" else Path(source).name


# --- config --------------------------------------------------------------------------

def _yaml_message(path: Path, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return (f"Config file {path} is not valid YAML{where}: {problem}. Check the indentation "
            "and that values containing ':' or '#' are quoted.")


def _resolve_paths(value: Any, base: Path, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _resolve_paths(v, base, str(k)) for k, v in value.items()}
    is_path = key.endswith(("_path", "_dir"))
    if isinstance(value, list):
        return [_resolve_paths(v, base, key if is_path else "") for v in value]
    if is_path and isinstance(value, (str, os.PathLike)) and str(value):
        path = Path(value).expanduser()
        return str(path if path.is_absolute() else Path(os.path.normpath(base.resolve() / path)))
    return value
