"""Counts per group, period and score: the only step whose cost grows with rows.

Every score metric is a function of the score histogram per group (DESIGN.md,
principle 1). :func:`tally` aggregates once; the statistics then work on the small
table. The same table can come from SQL (``GROUP BY keys, period, score``) or any
other engine, with the statistics code unchanged.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import errors
from ..errors import DataError, ParameterError, show_values

__all__ = ["tally", "counted", "is_counted", "counted_weight", "counts_of", "COUNT_COLUMNS", "PERIODS", "period_labels", "period_code", "period_of", "as_keys",
           "require_columns"]

PERIODS = {
    "D": "D", "day": "D", "daily": "D",
    "W": "W", "week": "W", "weekly": "W",
    "M": "M", "month": "M", "monthly": "M",
    "Q": "Q", "quarter": "Q", "quarterly": "Q",
    "Y": "Y", "year": "Y", "yearly": "Y",
}


def as_keys(by: str | Sequence[str] | None) -> list[str]:
    """Normalise a ``by`` argument to a list of column names."""
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def period_labels(dates: pd.Series, period: str) -> pd.Series:
    """Truncate timestamps to periods (day, Monday-based week, month, quarter, year).

    Uses pandas' vectorised ``to_period`` at the dates' own resolution (so dates
    outside the nanosecond range, such as year 3024, keep their year). Weeks are
    ``W-SUN``: Monday to Sunday. Time-zone-aware dates are taken at their local wall
    time (00:30 in Athens on 8 January is 8 January). Missing dates give ``NaT``.

    Examples
    --------
    >>> period_labels(pd.Series(pd.to_datetime(["2024-02-29 13:00", "2024-03-01 08:00"])), "M").astype(str).tolist()
    ['2024-02', '2024-03']
    """
    freq = period_code(period)
    values = pd.to_datetime(dates)
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)  # local wall time
    return values.dt.to_period(_pandas_freq(freq)).rename("period")


def period_of(value, period: str, *, how: str = "start") -> pd.Period:
    """The period (of ``period``'s length) that starts or ends a date or period given by a user.

    ``value`` is read at its own resolution: "2025Q1" is a quarter, "2025-03" a month,
    "2025-03-15" a day. ``how="end"`` gives the last period inside it (a goal "by
    2025Q1" on a monthly series is 2025-03), ``how="start"`` the first.

    Examples
    --------
    >>> str(period_of("2025Q1", "M", how="end")), str(period_of("2025Q1", "M"))
    ('2025-03', '2025-01')
    """
    if isinstance(value, pd.Period):
        natural = value
    elif isinstance(value, str):
        natural = pd.Period(value)
    else:
        natural = pd.Period(pd.Timestamp(value), freq="D")
    return natural.asfreq(_pandas_freq(period_code(period)), how=how)


def _pandas_freq(freq: str) -> str:
    return {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q-DEC", "Y": "Y-DEC"}[freq]


def period_code(period: str) -> str:
    """'D', 'W', 'M', 'Q' or 'Y' for a period name or alias; an error names the choices."""
    if period not in PERIODS:
        raise ParameterError(
            f"Unknown period {period!r}; use 'D', 'W', 'M', 'Q' or 'Y' "
            "(day, week, month, quarter, year)."
        )
    return PERIODS[period]


#: The columns of a counted frame: rows, sum of weights, sum of squared weights.
COUNT_COLUMNS = ("n", "w", "w2")

_COUNTED = "csat_toolkit.counted"


def counted(frame: pd.DataFrame, *, weight: str | None = None) -> pd.DataFrame:
    """Mark a frame of counts as standing for the responses it counts.

    A counted frame has one row per combination of its other columns (survey, day,
    segments, score) and ``n`` (responses), ``w`` and ``w2`` (their sums of weights and
    squared weights, equal to ``n`` without weights). :func:`tally`, and so every score
    metric, comparison and trend, treats it as ``n`` responses per row: this is how a
    query engine hands its ``GROUP BY`` to the statistics (DESIGN.md, principle 1).
    ``weight`` names the weight column the sums came from (None: unweighted).

    Examples
    --------
    >>> counts = counted(pd.DataFrame({"score": [5.0, 2.0], "n": [3, 1], "w": [3.0, 1.0],
    ...                                "w2": [3.0, 1.0]}))
    >>> tally(counts)["n"].tolist(), tally(counts)["score"].tolist()
    ([1, 3], [2.0, 5.0])
    """
    missing = [c for c in COUNT_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"A counted frame needs the columns n, w and w2; {show_values(missing)} "
                        "missing.")
    frame = frame.copy()
    frame.attrs[_COUNTED] = {"weight": weight}
    return frame


def is_counted(data) -> bool:
    """Whether ``data`` is a counted frame (see :func:`counted`)."""
    return isinstance(data, pd.DataFrame) and _COUNTED in data.attrs


def counted_weight(data: pd.DataFrame) -> str | None:
    """The weight column a counted frame's ``w`` and ``w2`` sum (None: unweighted)."""
    return data.attrs[_COUNTED]["weight"]


def counts_of(data) -> tuple[str, ...]:
    """The count columns a column selection must keep: ``n``, ``w``, ``w2`` of a counted
    frame, none otherwise."""
    return COUNT_COLUMNS if is_counted(data) else ()


def tally(
    data: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    score: str = "score",
    weight: str | None = None,
    date: str = "responded_at",
) -> pd.DataFrame:
    """Count answers per group, period and score.

    Parameters
    ----------
    data : DataFrame
        Canonical responses (one row per answer).
    by : str or list of str, optional
        Segment columns to group by. Missing segment values form their own group.
    period : {"D", "W", "M", "Q", "Y"}, optional
        Also group by calendar period of ``date`` (weeks start on Monday).
    score, weight, date : str
        Column names.

    Returns
    -------
    DataFrame
        Columns ``*by``, ``period`` (if asked), ``score``, ``n`` (rows), ``w`` (sum of
        weights) and ``w2`` (sum of squared weights); without weights ``w == w2 == n``.

    Examples
    --------
    >>> df = pd.DataFrame({"channel": ["chat", "chat", "email"], "score": [5, 5, 2]})
    >>> tally(df, by="channel")[["channel", "score", "n"]].values.tolist()
    [['chat', 5.0, 2], ['email', 2.0, 1]]
    """
    keys = as_keys(by)
    needed = keys + [score] + ([date] if period else [])
    counts = is_counted(data)
    if weight and not counts:
        needed.append(weight)
    require_columns(data, needed)
    frame = pd.DataFrame({k: data[k] for k in keys})
    if period:
        if data[date].isna().all():
            raise DataError(
                f"Cannot group by period: column {date!r} has no dates. Map a date "
                "column to 'responded_at' when loading, or leave period=None."
            )
        frame["period"] = period_labels(data[date], period)
    frame["score"] = pd.to_numeric(data[score], errors="raise").astype(float)
    if counts:
        return _sum_counts(frame, data, weight)
    weights = None if weight is None else _weights(data, weight)
    return _count(frame, weights)


def _sum_counts(frame: pd.DataFrame, data: pd.DataFrame, weight: str | None) -> pd.DataFrame:
    """:func:`tally` of a counted frame: the counts summed per combination."""
    if weight is not None and weight != counted_weight(data):
        raise DataError(
            f"These counts were not weighted by {weight!r} "
            f"(weighted by: {counted_weight(data)!r}); count the responses with "
            f"keep=[..., {weight!r}] or leave weight=None.")
    frame["n"] = data["n"].to_numpy()
    frame["w"] = data["w" if weight else "n"].to_numpy(dtype=float)
    frame["w2"] = data["w2" if weight else "n"].to_numpy(dtype=float)
    grouped = frame.groupby(list(frame.columns[:-3]), observed=True, dropna=False, sort=True)
    out = grouped[["n", "w", "w2"]].sum().reset_index()
    return out[out["n"] > 0].reset_index(drop=True).astype({"n": "int64"})


# Dense counting needs one cell per combination of levels; above this many cells the
# counts are taken sparsely instead (sorting the combined codes).
_DENSE_LIMIT = 50_000_000


def _count(frame: pd.DataFrame, weights: np.ndarray | None) -> pd.DataFrame:
    """Rows, weights and squared weights per combination of the frame's columns.

    Each column is factorized (sorted levels, missing values kept as a level), the
    codes are combined into one integer per row and counted with ``np.bincount``:
    about the cost of one bare ``groupby().size()``, with the same sorted output.
    """
    codes, levels = [], []
    for column in frame.columns:
        code, uniques = pd.factorize(frame[column], sort=True, use_na_sentinel=False)
        codes.append(code)
        levels.append(uniques)
    shape = tuple(max(len(u), 1) for u in levels)
    if np.prod(shape, dtype=float) > _DENSE_LIMIT:
        flat = np.ravel_multi_index(codes, shape) if np.prod(shape, dtype=float) < 2**62 else None
        if flat is None:  # astronomically many combinations: let pandas group them
            return _count_with_groupby(frame, weights)
        cells, flat = np.unique(flat, return_inverse=True)
        size = len(cells)
    else:
        flat, cells, size = np.ravel_multi_index(codes, shape), None, int(np.prod(shape))
    n = np.bincount(flat, minlength=size)
    present = np.flatnonzero(n)
    index = np.unravel_index(present if cells is None else cells[present], shape)
    out = pd.DataFrame({c: u[i] for c, u, i in zip(frame.columns, levels, index)})
    out["n"] = n[present]
    if weights is None:
        out["w"] = out["n"].astype(float)
        out["w2"] = out["w"]
    else:
        out["w"] = np.bincount(flat, weights=weights, minlength=size)[present]
        out["w2"] = np.bincount(flat, weights=weights**2, minlength=size)[present]
    return out


def _count_with_groupby(frame: pd.DataFrame, weights: np.ndarray | None) -> pd.DataFrame:
    frame = frame.assign(w=1.0 if weights is None else weights)
    frame["w2"] = frame["w"] ** 2
    grouped = frame.groupby(list(frame.columns[:-2]), observed=True, dropna=False, sort=True)
    counts = grouped[["w", "w2"]].sum()
    counts.insert(0, "n", grouped.size())
    return counts.reset_index()


def _weights(data: pd.DataFrame, weight: str | None) -> np.ndarray:
    if weight is None:
        return np.ones(len(data))
    values = pd.to_numeric(data[weight], errors="coerce").to_numpy(dtype=float)
    bad = ~((values > 0) & np.isfinite(values))
    if bad.any():
        raise DataError(
            f"Column {weight!r} must hold positive, finite weights; found "
            f"{show_values(data.loc[bad, weight].tolist())}. Load the data with "
            "load_responses(..., columns={...: 'weight'}) to set such rows aside."
        )
    return values


def require_columns(data: pd.DataFrame, columns: Sequence[str]) -> None:
    """Name the grouping, score or weight columns that are missing, and what to do."""
    errors.require_columns(
        data, columns,
        "Column(s) {missing} not found. Available columns: {found}. Pass the right name "
        "(for example by='channel') or map it when loading.",
    )
