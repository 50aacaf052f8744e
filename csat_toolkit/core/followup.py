"""Close-the-loop lists: unhappy answers to follow up, and a safe CSV export.

:func:`followup_queue` lists the answers a team should call back (see DESIGN.md,
"Follow-up"): CSAT answers at or below the scale's negative threshold (3 or less on
1-5) and NPS detractors (0-6), with the ticket and contact columns, oldest first.
:func:`followup_summary` counts the queue per survey and category, and
:func:`to_safe_csv` writes it for spreadsheet users without letting a comment such as
``=HYPERLINK(...)`` run as a formula (OWASP "CSV injection"). Personal data in the
comments (e-mail addresses, phone and card-like numbers) is masked in the queue by default
(:mod:`csat_toolkit.core.pii`), so everything shown or written from it is masked.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import (DataError, MissingColumnError, ParameterError, ScaleError,
                     require_columns, show_values)
from .pii import free_text_columns, mask_columns
from .scales import DEFAULT_SCALES, SURVEYS, Scale, get_scale

__all__ = [
    "REQUIRED_COLUMNS",
    "CONTACT_COLUMNS",
    "FORMULA_PREFIXES",
    "followup_queue",
    "followup_summary",
    "neutralise_formulas",
    "to_safe_csv",
]

REQUIRED_COLUMNS = ("response_id", "survey", "score")
"""Columns :func:`followup_queue` cannot work without."""

CONTACT_COLUMNS = ("ticket_id", "customer_id", "channel", "agent", "team", "comment")
"""Optional columns always present in the queue (empty when the data lacks them)."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP)."""

_LEAD = ["response_id", "responded_at", "survey", "score", "category"]


# --- the queue ------------------------------------------------------------------


#: Surveys the follow-up queue lists by default.
FOLLOWUP_SURVEYS = ("csat", "nps")


def followup_queue(
    data: pd.DataFrame,
    *,
    surveys: str | Sequence[str] = FOLLOWUP_SURVEYS,
    scales: Mapping[str, str | Scale] | None = None,
    csat_max: float | None = None,
    as_of: str | dt.date | pd.Timestamp | None = None,
    columns: str | Sequence[str] | None = None,
    mask_pii: bool = True,
) -> pd.DataFrame:
    """List the answers to follow up ("close the loop"), oldest first.

    An answer is on the list when its score is negative on its survey's scale
    (:meth:`Scale.is_negative`): CSAT 3 or less on 1-5 (5 or less on 1-7), NPS
    detractors 0-6, CES "not easy". Answers a scale leaves out of its metric (PMF
    "no longer use") are never listed.

    Parameters
    ----------
    data : DataFrame
        Canonical responses: ``response_id``, ``survey``, ``score`` and, optionally,
        ``responded_at`` (datetimes), ``ticket_id``, ``customer_id``, ``channel``,
        ``agent``, ``team``, ``comment`` and any other columns.
    surveys : str or sequence of str
        Survey types to list, from ``csat``, ``nps``, ``ces``, ``pmf``.
    scales : mapping, optional
        Survey type to scale name or :class:`Scale`, e.g. ``{"csat": "csat_7"}``;
        surveys not named use :data:`csat_toolkit.scales.DEFAULT_SCALES`.
    csat_max : float, optional
        List CSAT answers at or below this score instead of the scale's threshold
        (e.g. ``2`` for only the unhappiest on 1-5). ``category`` still names the
        scale's class of each score.
    as_of : str, date or Timestamp, optional
        The day (or moment) the list is drawn up; adds ``days_open``, the calendar
        days from the answer's date to ``as_of``'s date (0 for an answer that day).
        A date without a time counts as the whole day. Never the clock: results
        stay reproducible.
    columns : str or sequence of str, optional
        More columns of ``data`` to carry, after the standard ones.
    mask_pii : bool
        Mask e-mail addresses, phone and card-like numbers in ``comment`` and in the
        free-text columns of ``columns`` (names with comment, feedback, verbatim, text,
        reason ...; :func:`csat_toolkit.core.pii.free_text_columns`), as ``[email]``,
        ``[phone]``, ``[card]``. On by default; ``False`` keeps the text as written
        (the ids and contact columns are never masked: the team needs them).

    Returns
    -------
    DataFrame
        ``response_id``, ``responded_at``, ``survey``, ``score``, ``category``,
        ``ticket_id``, ``customer_id``, ``channel``, ``agent``, ``team``,
        ``comment``, ``days_open`` (only with ``as_of``), then ``columns``. Sorted by
        ``responded_at`` (undated last), then ``response_id``; ties keep the input
        order. A new frame: ``data`` is not changed. With ``mask_pii``,
        ``attrs["pii_masked"]`` counts what was masked per kind (``{"email": 1,
        "phone": 0, "card": 0}``; say it with
        :func:`csat_toolkit.core.pii.masked_sentence`) and ``attrs["pii_masked_columns"]``
        names the columns masked; without it ``attrs["pii_masked"]`` is None.

    Raises
    ------
    MissingColumnError
        A required column, or one asked for in ``columns``, is absent.
    ParameterError
        An unknown survey, a scale of the wrong survey, a ``csat_max`` off the
        scale or an unreadable ``as_of``.
    ScaleError
        Scores of a listed survey are missing or not on its scale.
    DataError
        ``responded_at`` does not hold dates, or answers are dated after ``as_of``.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "response_id": ["a", "b", "c", "d"],
    ...     "responded_at": pd.to_datetime(["2024-03-02", "2024-03-01", "2024-03-03", "2024-03-01"]),
    ...     "survey": ["csat", "csat", "nps", "nps"],
    ...     "score": [2.0, 5.0, 6.0, 9.0],
    ... })
    >>> q = followup_queue(df, as_of="2024-03-05")
    >>> q[["response_id", "category", "days_open"]].values.tolist()
    [['a', 'not satisfied', 3], ['c', 'detractor', 2]]
    >>> q = followup_queue(df.assign(comment=["mail a@b.com", "", "call 0712 345 678", ""]))
    >>> q["comment"].tolist(), q.attrs["pii_masked"]
    (['mail [email]', 'call [phone]'], {'email': 1, 'phone': 1, 'card': 0})
    """
    _check_frame(data)
    if not isinstance(mask_pii, (bool, np.bool_)):
        raise ParameterError(f"mask_pii must be True or False; got {mask_pii!r}.")
    wanted = _as_surveys(surveys)
    resolved = _resolve_scales(wanted, scales, csat_max)
    extras = _as_columns(columns, data)
    stamp = _as_timestamp(as_of)
    frame = data.reset_index(drop=True)  # positional from here on; data is untouched
    dates = _dates(frame)
    if stamp is not None:
        _check_as_of(frame, dates, stamp)
    keep, category = _select(frame, resolved, csat_max)
    queue = _layout(frame[keep], dates[keep], category[keep], stamp, extras)
    if not mask_pii:
        queue.attrs["pii_masked"] = None
        return queue
    text = ["comment", *(c for c in free_text_columns(queue[extras]) if c != "comment")]
    return mask_columns(queue, text)


def _check_frame(data) -> None:
    if not isinstance(data, pd.DataFrame):
        raise ParameterError(
            f"followup_queue needs a pandas DataFrame of responses; got "
            f"{type(data).__name__}. Load it with csat_toolkit.load_responses(...)."
        )
    require_columns(
        data, REQUIRED_COLUMNS,
        f"The follow-up list needs the columns {', '.join(REQUIRED_COLUMNS)}; "
        "missing: {missing}. Found: {found}. Rename your columns, or load the data with "
        "csat_toolkit.load_responses(..., columns={{'Your name': 'score'}}).",
    )


def _as_surveys(surveys) -> tuple[str, ...]:
    wanted = (surveys,) if isinstance(surveys, str) else tuple(surveys)
    unknown = [s for s in wanted if s not in SURVEYS]
    if unknown or not wanted:
        found = show_values(unknown) if unknown else "nothing"
        raise ParameterError(
            f"surveys must name survey types from {', '.join(SURVEYS)}; got {found}. "
            "For example surveys=('csat', 'nps')."
        )
    return tuple(dict.fromkeys(wanted))


def _resolve_scales(wanted, scales, csat_max) -> dict[str, Scale]:
    given = dict(scales or {})
    unknown = [s for s in given if s not in SURVEYS]
    if unknown:
        raise ParameterError(
            f"scales maps survey types ({', '.join(SURVEYS)}) to scales; got the key(s) "
            f"{show_values(unknown)}. For example scales={{'csat': 'csat_7'}}."
        )
    resolved = {}
    for survey in wanted:
        scale = get_scale(given.get(survey, DEFAULT_SCALES[survey]))
        if scale.survey != survey:
            raise ParameterError(
                f"scales[{survey!r}] is {scale.name!r}, a {scale.survey.upper()} scale; "
                f"give a {survey.upper()} scale."
            )
        resolved[survey] = scale
    if csat_max is not None:
        csat_scale = resolved.get("csat") or get_scale(given.get("csat"), survey="csat")
        _check_csat_max(csat_max, csat_scale)
    return resolved


def _check_csat_max(csat_max, scale: Scale) -> None:
    ok = isinstance(csat_max, (int, float, np.integer, np.floating)) and not isinstance(
        csat_max, (bool, np.bool_)
    )
    if not ok or not scale.low <= float(csat_max) <= scale.high:
        raise ParameterError(
            f"csat_max must be a score on the {scale.name} scale "
            f"({scale.low:g}-{scale.high:g}); got {csat_max!r}."
        )


def _as_columns(columns, data: pd.DataFrame) -> list:
    if columns is None:
        return []
    asked = [columns] if isinstance(columns, str) else list(columns)
    require_columns(data, asked, "columns= asks for {missing}, which the data does not "
                    "have. Available: {found}.")
    standard = set(_LEAD) | set(CONTACT_COLUMNS) | {"days_open"}
    return [c for c in dict.fromkeys(asked) if c not in standard]


def _as_timestamp(as_of) -> pd.Timestamp | None:
    if as_of is None:
        return None
    try:
        stamp = pd.Timestamp(as_of)
    except (TypeError, ValueError) as exc:
        raise ParameterError(
            f"as_of must be a date such as '2024-03-31' or a pandas Timestamp; got {as_of!r}."
        ) from exc
    if pd.isna(stamp):
        raise ParameterError("as_of is empty; give a date such as '2024-03-31'.")
    return stamp


def _dates(data: pd.DataFrame) -> pd.Series:
    """``responded_at`` as datetimes (all NaT when the column is absent)."""
    if "responded_at" not in data.columns:
        return pd.Series(pd.NaT, index=data.index, dtype="datetime64[ns]")
    dates = data["responded_at"]
    if pd.api.types.is_datetime64_any_dtype(dates):
        return dates
    if dates.isna().all():
        return pd.Series(pd.NaT, index=data.index, dtype="datetime64[ns]")
    raise DataError(
        f"responded_at must hold dates; found {dates.dtype} values such as "
        f"{show_values(dates.dropna().head(3).tolist())}. Load the data with "
        "csat_toolkit.load_responses, or convert with pandas.to_datetime."
    )


def _check_as_of(data: pd.DataFrame, dates: pd.Series, stamp: pd.Timestamp) -> None:
    stamp = _align_tz(stamp, dates)
    whole_day = stamp == stamp.normalize()
    late = dates >= stamp + pd.Timedelta(days=1) if whole_day else dates > stamp
    late = late.fillna(False).to_numpy(dtype=bool)
    if late.any():
        raise DataError(
            f"{int(late.sum())} response(s) are dated after as_of={stamp}: response_id "
            f"{show_values(data.loc[late, 'response_id'].tolist())} (latest "
            f"{dates[late].max()}). as_of must not be before the data: pass a later as_of."
        )


def _align_tz(stamp: pd.Timestamp, dates: pd.Series) -> pd.Timestamp:
    tz = getattr(dates.dt, "tz", None)
    if tz is not None and stamp.tz is None:
        return stamp.tz_localize(tz)
    if tz is None and stamp.tz is not None:
        raise ParameterError(
            f"as_of={stamp} has a time zone but responded_at has none; give as_of "
            "without a time zone, e.g. '2024-03-31'."
        )
    return stamp if tz is None else stamp.tz_convert(tz)


def _select(
    data: pd.DataFrame, resolved: dict[str, Scale], csat_max
) -> tuple[np.ndarray, np.ndarray]:
    """Which rows to list, and the category of each listed row."""
    keep = np.zeros(len(data), dtype=bool)
    category = np.full(len(data), None, dtype=object)
    survey = data["survey"].to_numpy(dtype=object)
    for name, scale in resolved.items():
        mine = survey == name
        if not mine.any():
            continue
        scores = _scores(data.loc[mine], scale)
        limit = csat_max if name == "csat" and csat_max is not None else scale.negative_max
        listed = (scores <= float(limit)) & ~scale.is_excluded(scores)
        keep[np.flatnonzero(mine)[listed]] = True
        category[mine] = np.asarray(scale.classify(scores), dtype=object)
    return keep, category


def _scores(rows: pd.DataFrame, scale: Scale) -> np.ndarray:
    scores = pd.to_numeric(rows["score"], errors="coerce")
    bad = (scores.isna() | ~scores.isin(scale.points)).to_numpy(dtype=bool)
    if bad.any():
        raise ScaleError(
            f"{int(bad.sum())} {scale.survey.upper()} score(s) are missing or not on the "
            f"{scale.name} scale ({scale.low:g}-{scale.high:g}): "
            f"{show_values(rows.loc[bad, 'score'].tolist())} (response_id "
            f"{show_values(rows.loc[bad, 'response_id'].tolist())}). Pick the right scale "
            f"(scales={{{scale.survey!r}: ...}}) or load the data with "
            "csat_toolkit.load_responses, which sets such rows aside with a reason."
        )
    return scores.to_numpy(dtype=float)


def _layout(rows, dates, category, stamp, extras) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "response_id": rows["response_id"],
            "responded_at": dates,
            "survey": rows["survey"],
            "score": pd.to_numeric(rows["score"]).astype(float),
            "category": pd.Series(category, index=rows.index, dtype="str"),
        },
        index=rows.index,
    )
    empty = pd.Series(np.nan, index=rows.index, dtype="str")
    for name in CONTACT_COLUMNS:
        out[name] = rows[name] if name in rows.columns else empty
    if stamp is not None:
        out["days_open"] = _days_open(dates, stamp)
    for name in extras:
        out[name] = rows[name]
    return _sort(out).reset_index(drop=True)


def _days_open(dates: pd.Series, stamp: pd.Timestamp) -> pd.Series:
    stamp = _align_tz(stamp, dates).normalize()
    days = (stamp - dates.dt.normalize()).dt.days
    return days.astype("Int64")


def _sort(frame: pd.DataFrame) -> pd.DataFrame:
    try:
        return frame.sort_values(["responded_at", "response_id"], kind="stable", na_position="last")
    except TypeError:  # ids of mixed types (numbers and text): order them as text
        key = frame["response_id"].astype(str)
        ordered = frame.assign(_id=key).sort_values(
            ["responded_at", "_id"], kind="stable", na_position="last"
        )
        return ordered.drop(columns="_id")


# --- summary --------------------------------------------------------------------


def followup_summary(queue: pd.DataFrame) -> pd.DataFrame:
    """Count a follow-up list per survey and category.

    Parameters
    ----------
    queue : DataFrame
        The result of :func:`followup_queue`.

    Returns
    -------
    DataFrame
        ``survey``, ``category``, ``n`` and ``oldest`` (earliest ``responded_at``),
        plus ``max_days_open`` when the queue has ``days_open``. One row per survey
        and category present, surveys in the order csat, nps, ces, pmf and categories
        worst first.

    Examples
    --------
    >>> df = pd.DataFrame({"response_id": [1, 2, 3], "survey": ["nps", "nps", "csat"],
    ...                    "score": [3.0, 6.0, 1.0]})
    >>> followup_summary(followup_queue(df))[["survey", "category", "n"]].values.tolist()
    [['csat', 'not satisfied', 1], ['nps', 'detractor', 2]]
    """
    needed = ["survey", "category", "responded_at"]
    missing = [c for c in needed if c not in queue.columns]
    if missing:
        raise MissingColumnError(
            f"followup_summary needs a follow-up list with {', '.join(needed)}; missing: "
            f"{show_values(missing)}. Make it with csat_toolkit.followup.followup_queue(...)."
        )
    aggs = {"n": ("survey", "size"), "oldest": ("responded_at", "min")}
    if "days_open" in queue.columns:
        aggs["max_days_open"] = ("days_open", "max")
    table = queue.groupby(["survey", "category"], sort=False, observed=True).agg(**aggs)
    table = table.reset_index()
    table["n"] = table["n"].astype(int)
    ranks = [_summary_rank(s, c) for s, c in zip(table["survey"], table["category"])]
    order = sorted(range(len(table)), key=ranks.__getitem__)
    return table.iloc[order].reset_index(drop=True)


def _summary_rank(survey, category) -> tuple[int, int]:
    """Sort key: surveys in the order csat, nps, ces, pmf; categories worst first."""
    if survey not in SURVEYS:
        return len(SURVEYS), 0
    names = get_scale(survey=survey).class_names
    return SURVEYS.index(survey), names.index(category) if category in names else len(names)


# --- safe CSV -------------------------------------------------------------------


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Quote text that a spreadsheet would run as a formula.

    Every text cell, column name and (text) index label that starts with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``, so Excel,
    LibreOffice and Google Sheets show it as text (OWASP "CSV injection"). Numbers,
    dates and missing values are left as they are; text already starting with
    ``'`` is not quoted again.

    Parameters
    ----------
    frame : DataFrame

    Returns
    -------
    DataFrame
        A sanitised copy; ``frame`` is not changed.

    Examples
    --------
    >>> df = pd.DataFrame({"comment": ["=SUM(A1)", "fine", "@support"], "score": [-5, 1, 2]})
    >>> out = neutralise_formulas(df)
    >>> out["comment"].tolist(), out["score"].tolist()
    (["'=SUM(A1)", 'fine', "'@support"], [-5, 1, 2])
    """
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"neutralise_formulas needs a DataFrame; got {type(frame).__name__}.")
    out = frame.copy()
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        cleaned = _neutralise_series(column)
        if cleaned is not column:
            out.isetitem(position, cleaned)
    out = out.rename(columns=_neutralise_value)
    if _is_text(out.index):
        out = out.rename(index=_neutralise_value)
    return out


def _neutralise_value(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _is_text(values) -> bool:
    dtype = values.dtype
    return dtype == object or isinstance(dtype, pd.StringDtype)


def _neutralise_series(column: pd.Series) -> pd.Series:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return _neutralise_categorical(column)
    if not _is_text(column):
        return column
    values = column.to_numpy(dtype=object)
    risky = np.fromiter(
        (isinstance(v, str) and v.startswith(FORMULA_PREFIXES) for v in values),
        dtype=bool,
        count=len(values),
    )
    if not risky.any():
        return column
    cleaned = column.copy()
    cleaned[risky] = "'" + column[risky].astype(str)
    return cleaned


def _neutralise_categorical(column: pd.Series) -> pd.Series:
    categories = column.cat.categories
    if not _is_text(categories):
        return column
    try:
        return column.cat.rename_categories(_neutralise_value)
    except ValueError:  # "=x" and "'=x" would clash: fall back to plain values
        return _neutralise_series(column.astype(object))


def to_safe_csv(frame: pd.DataFrame, path: str | os.PathLike, **kwargs) -> Path:
    """Write a frame to CSV that spreadsheets open safely and legibly.

    Text is first passed through :func:`neutralise_formulas`; the file is UTF-8 with
    a byte-order mark (``utf-8-sig``), so Excel shows Greek, Chinese, Thai and other
    non-Latin text correctly, has no index column, and ends lines with CRLF (RFC
    4180), so a cell holding a carriage return or line break is quoted and stays one
    cell.

    Parameters
    ----------
    frame : DataFrame
        Not changed.
    path : str or PathLike
        The file to write (its folder must exist).
    **kwargs
        Passed to :meth:`pandas.DataFrame.to_csv`; ``index`` defaults to False,
        ``encoding`` to ``"utf-8-sig"`` and ``lineterminator`` to ``"\\r\\n"``.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> out = to_safe_csv(pd.DataFrame({"comment": ["=1+1"]}), Path(folder) / "q.csv")
    >>> out.read_bytes()[:3] == b"\\xef\\xbb\\xbf"
    True
    """
    if isinstance(path, (str, os.PathLike)):
        target = Path(path)
    else:
        raise ParameterError(f"path must be a file path; got {type(path).__name__}.")
    kwargs.setdefault("index", False)
    kwargs.setdefault("encoding", "utf-8-sig")
    kwargs.setdefault("lineterminator", "\r\n")  # RFC 4180; cells holding CR get quoted
    neutralise_formulas(frame).to_csv(target, **kwargs)
    return target
