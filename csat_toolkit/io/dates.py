"""Dates and time zones of the loaders: the date format (given or inferred, day first or
not), UTC offsets, local wall times at a change of clocks (``nonexistent=`` and
``ambiguous=``), and the ``start``/``end`` range.

:func:`parse_iso_times` reads ISO time stamps for the ticket and operations tables.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, DateFormatError, ParameterError, show_values

from ._common import (
    AMBIGUOUS_TIME, _Issues, MISSING_DATE, NONEXISTENT_TIME, _OFFSET, OUTSIDE_RANGE,
    UNPARSEABLE_DATE,
)

__all__ = ["parse_iso_times"]


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
