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

The loader's parts live beside it: ``reading`` (files and frames), ``dates`` (dates,
time zones, changes of clocks), ``options`` (checking the options), ``config`` (YAML
configs), ``_common`` (reason texts, issue collector) and ``loaded`` (the result and the
column steps every loader shares). A folder, a glob, a file over 1 GiB or ``engine=``
goes to :mod:`csat_toolkit.io.engines`.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import (
    MissingColumnError,
    NoValidRowsError,
    ParameterError,
    RejectedRowsError,
    show_values,
)
from ..core.scales import (
    MISSING,
    OUT_OF_RANGE,
    SURVEYS,
    UNRECOGNISED,
    Scale,
    normalise_label,
    resolve_scales,
)

from ._common import (
    CANONICAL_COLUMNS, DEFAULT_NA_VALUES, _display_name, DUPLICATE_ID, _FIXES,
    INVALID_WEIGHT, _is_blank, _Issues, LOADER_PARAMETERS, _maybe_numeric,
    MISSING_ID, MISSING_SURVEY, OUTSIDE_RANGE, _PARQUET_SUFFIXES,
    _PLAIN_NUMBER, _reason_key, REASONS, ROW_NUMBER,
    _survey_lookup, _TEXT_COLUMNS, UNKNOWN_SURVEY,
)
from .config import read_config
from .engines import choose_engine, scan_responses
from .loaded import (
    LoadResult, _check_required, _counts, _fill_survey, _format_counts, _rejected_frame,
    _rename_columns,
)
from .vendors._load import load_vendor_file
from .dates import _check_range, _dates, parse_iso_times
from .options import (
    _check_options, _jsonable_options, _reject_unknown_options, _responses_fit,
)
from .reading import (
    _apply_na_values, _number_hint, _read_source, _separator_notes, _suggest_sheet,
    _to_numbers,
)

__all__ = [
    "LoadResult", "load_responses", "load_responses_from_params", "read_config",
    "parse_iso_times", "CANONICAL_COLUMNS", "LOADER_PARAMETERS", "ROW_NUMBER",
    "REASONS", "DEFAULT_NA_VALUES",
]


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
    timezone: str | None = None,
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
    vendor: str | None = None,
    vendor_options: Mapping[str, Any] | None = None,
    engine: str | None = None,
    engine_options: Mapping[str, Any] | None = None,
    keep: list[str] | None = None,
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
    timezone : str, optional
        IANA name (default UTC; a vendor reader needs it for a file whose times have no
        offset and that does not name its zone). Dates carrying a UTC offset are
        converted to this zone and the
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
    vendor : str, optional
        The vendor whose own export ``source`` is (``"qualtrics"``, ``"surveymonkey"``,
        ``"delighted"``, ``"zendesk"`` ... :data:`csat_toolkit.io.vendors.VENDORS`): its
        reader turns the file into canonical columns and sets aside what the vendor's
        fields exclude (previews, partials, ratings offered but not answered), each with
        its reason; then every row is validated as for any file. ``source_row`` then
        counts the file's data rows. A config's ``source:`` key sets it.
    vendor_options : mapping, optional
        Options of the vendor's reader, e.g. ``{"score_question": "Q3"}`` (see the
        vendor's module in :mod:`csat_toolkit.io.vendors`); a config's
        ``vendor_options:`` key sets them.
    engine : {"pandas", "duckdb", "spark"}, optional
        Where the rows are validated and counted. Default: pandas for a DataFrame or a
        file under 1 GiB; DuckDB for a folder, a glob (``"responses/*.parquet"``), a
        larger file or a DuckDB relation; Spark for a PySpark DataFrame. With DuckDB or
        Spark the result is a :class:`~csat_toolkit.io.engines.ScanResult` whose
        ``data`` is a counted frame (see :func:`~csat_toolkit.io.engines.scan_responses`).
    engine_options : mapping, optional
        The engine's settings, e.g. ``{"memory_limit": "1GB"}`` for DuckDB.
    keep : list of str, optional
        With an engine: more columns to count by, besides survey, day, score and the
        canonical segment columns (a notebook's ``segments`` are added to it).

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
    if choose_engine(source, engine) != "pandas":
        _check_engine_options(vendor=vendor, sheet=sheet, sep=sep, encoding=encoding,
                              nonexistent=nonexistent, ambiguous=ambiguous)
        return scan_responses(
            source, engine=engine, engine_options=engine_options, keep=keep, columns=columns,
            survey=survey, surveys=surveys, scales=scales, labels=labels,
            date_format=date_format, dayfirst=dayfirst, timezone=timezone, decimal=decimal,
            thousands=thousands, na_values=na_values, start=start, end=end, strict=strict)
    if engine_options or keep:
        raise ParameterError(
            "engine_options and keep apply to engine='duckdb' or 'spark'; the pandas loader "
            "keeps every row and column. Remove them, or set engine.")
    if vendor is not None:
        return load_vendor_file(
            load_responses, "responses", source, vendor, timezone=timezone, encoding=encoding,
            sheet=sheet, vendor_options=vendor_options, columns=columns, survey=survey, surveys=surveys, scales=scales,
            labels=labels, date_format=date_format, dayfirst=dayfirst,
            nonexistent=nonexistent, ambiguous=ambiguous, decimal=decimal,
            thousands=thousands, na_values=na_values, start=start, end=end, strict=strict)
    timezone = "UTC" if timezone is None else timezone
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


def _check_engine_options(**given: Any) -> None:
    """The pandas-only options an engine cannot honour: an error naming them."""
    defaults = {"vendor": None, "sheet": None, "sep": None, "encoding": "utf-8-sig",
                "nonexistent": "set_aside", "ambiguous": "set_aside"}
    used = [k for k, v in given.items() if v != defaults[k]]
    if used:
        raise ParameterError(
            f"{show_values(used)} apply to the pandas loader only (vendor exports, Excel "
            "sheets, CSV separators and encodings, changes of clocks). Read such a file "
            "with engine='pandas', or convert it to Parquet for an engine.")


def load_responses_from_params(params: Mapping[str, Any]) -> LoadResult:
    """Call :func:`load_responses` with a notebook's or config's parameter dict.

    Uses ``params["responses_path"]`` as the source and the keys named in
    :data:`LOADER_PARAMETERS`; ``thresholds`` (survey -> cut-offs) adjusts the scales
    and ``load_options`` (a dict) adds loader options; other keys (title, seed,
    output folders ...) are ignored.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
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
    if params.get("thresholds"):  # only the surveys named: a vendor's own scale stays for the rest
        named = set(params.get("scales") or {}) | set(params["thresholds"])
        resolved = resolve_scales(params.get("scales"), params["thresholds"])
        kwargs["scales"] = {survey: resolved[survey] for survey in named}
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
    options = {**kwargs, **extra}
    if params.get("segments") and choose_engine(params["responses_path"],
                                                options.get("engine")) != "pandas":
        segments = [params["segments"]] if isinstance(params["segments"], str) \
            else list(params["segments"])
        options["keep"] = list(dict.fromkeys([*(options.get("keep") or []), *segments]))
    return load_responses(params["responses_path"], **options)


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
                      notes=notes, options=result_options, scales=dict(options["scales"]))


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
