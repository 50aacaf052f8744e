"""The report date (``as_of``): given, or the end of the data, never the clock.

Every notebook has an ``as_of`` parameter. When it is ``None`` the report date is the
latest time stamp in the data the notebook reads (answers, tickets, revenue months), so a
notebook runs with its defaults on data from any year; the report says which date it used
and where it came from.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import pandas as pd

from ..errors import ParameterError


@dataclass(frozen=True)
class ReportDate:
    """The report date a notebook uses and where it came from.

    Attributes
    ----------
    timestamp : pandas.Timestamp
        The date (and time) used, naive or time-zone aware as the data are.
    source : str
        ``"parameter"`` when ``as_of`` was given, ``"data"`` when taken from the data,
        ``"none"`` when neither exists (the timestamp is then ``NaT`` and the object false).
    column : str or None
        The column it was taken from (``None`` when given).
    """

    timestamp: pd.Timestamp
    source: str
    column: str | None = None

    def __bool__(self) -> bool:
        """False when there is no report date (no dates in the data, as_of not given)."""
        return not pd.isna(self.timestamp)

    @property
    def date(self) -> str | None:
        """The date as ``YYYY-MM-DD`` (``None`` without a report date)."""
        return self.timestamp.strftime("%Y-%m-%d") if self else None

    def sentence(self) -> str:
        """One sentence for the report header.

        Examples
        --------
        >>> ReportDate(pd.Timestamp("2025-12-31 17:05"), "data", "responded_at").sentence()
        'Report date 2025-12-31: the latest responded_at in the data (as_of not given).'
        """
        if self.source == "parameter":
            return f"Report date {self.date} (as_of)."
        if not self:
            return "No report date: the data hold no dates and as_of is not given."
        return f"Report date {self.date}: the latest {self.column} in the data (as_of not given)."

    def to_dict(self) -> dict:
        """Plain values for ``headline.json`` (``as_of`` is ``None`` without a date)."""
        return {"as_of": self.timestamp.isoformat() if self else None,
                "as_of_source": self.source, "as_of_column": self.column}


def _latest(values: pd.Series) -> pd.Timestamp | None:
    if isinstance(values.dtype, pd.PeriodDtype):
        return values.max().end_time.floor("s") if values.notna().any() else None
    times = values if pd.api.types.is_datetime64_any_dtype(values) else pd.to_datetime(
        values, errors="coerce", format="mixed")
    latest = times.max()
    return None if pd.isna(latest) else pd.Timestamp(latest)


def report_date(as_of: str | pd.Timestamp | None,
                columns: dict[str, pd.Series] | Iterable[tuple[str, pd.Series]]) -> ReportDate:
    """Resolve a notebook's ``as_of``: the given value, else the latest time in the data.

    Parameters
    ----------
    as_of : str, Timestamp or None
        The report date given by the user; ``None`` takes it from the data.
    columns : dict of str to Series
        Named time columns the notebook reads (e.g. ``{"responded_at": answers.responded_at,
        "created_at": tickets.created_at}``); the latest value over all of them is used.
        Period columns (revenue months) count by their last moment.

    Returns
    -------
    ReportDate
        False (``source="none"``, ``NaT``) when ``as_of`` is ``None`` and no column holds a
        date: analyses that need no date still run, and the report says there is none.

    Raises
    ------
    ParameterError
        ``as_of`` is not a readable date.

    Examples
    --------
    >>> answers = pd.Series(pd.to_datetime(["2025-11-02 10:00", "2025-12-30 09:00"]))
    >>> report_date(None, {"responded_at": answers}).date
    '2025-12-30'
    >>> report_date("2024-06-30", {"responded_at": answers}).source
    'parameter'
    >>> bool(report_date(None, {"responded_at": pd.Series([pd.NaT])}))
    False
    """
    if as_of is not None:
        try:
            return ReportDate(pd.Timestamp(as_of), "parameter")
        except (ValueError, TypeError) as error:
            raise ParameterError(f"as_of={as_of!r} is not a date: give it as 'YYYY-MM-DD' or "
                                 "'YYYY-MM-DD HH:MM', or None to use the end of the data.") from error
    items = columns.items() if isinstance(columns, dict) else columns
    found = [(latest, name) for name, values in items
             if values is not None and (latest := _latest(pd.Series(values))) is not None]
    if not found:
        return ReportDate(pd.NaT, "none")
    latest, name = max(found, key=lambda pair: _comparable(pair[0]))
    return ReportDate(latest, "data", name)


def _comparable(stamp: pd.Timestamp) -> pd.Timestamp:
    """Naive wall time, so aware and naive columns can be compared."""
    return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp
