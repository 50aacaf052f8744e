"""Support tickets validated inside a query engine (DuckDB, Spark).

:func:`scan_tickets` does in the engine what :func:`~csat_toolkit.io.tables.load_tickets`
does in memory: the same column mapping (``columns``, ``combine``, ``fallback``), the same
row checks with the same reasons and details (missing or repeated ``ticket_id``, missing
or unreadable time stamps, wall times at a change of clocks, events before creation,
invalid ``contacts``, ``handle_time`` and ``reopened``), the rows set aside counted per
reason by one ``GROUP BY`` and written to Parquet by the engine. It returns the valid
tickets as a lazy table of the engine (nothing is collected), with the accounting: the
durations, SLA statuses and their summaries are computed on that table by
:mod:`csat_toolkit.ops.engine`.

How the checks run in the engine
--------------------------------
Date text gets its format from the pandas inference on up to 20,000 distinct values and
is parsed by the engine (``Backend.parse_dates``). A repeated ticket id is found with a
window (the first or last row number per id), never collected. Numbers are read by the
engine (localized marks removed where the whole value is a localized number, as the
pandas reader does), ``HH:MM:SS`` handle times by splitting the text. Changes of clocks
in a time zone with daylight saving time are found in Python from the zone's rules over
the data's span (a few intervals per year) and checked as ranges in the engine.
"""
from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import narwhals as nw
import pandas as pd

from ...errors import (
    NoValidRowsError, ParameterError, RejectedRowsError, require_columns,
    show_values,
)
from .._common import (
    _OFFSET, _VALIDATED, AMBIGUOUS_TIME, DEFAULT_NA_VALUES, NONEXISTENT_TIME, ROW_NUMBER,
    _display_name, _snake,
)
from ..dates import _choose_format, _DateText, _offset_note
from ..loaded import LoadResult, _rename_columns
from ..options import (
    _check_columns, _check_local_time_options, _check_na_values, _check_number_format,
    _check_timezone,
)
from ..reading import _DECIMAL_COMMA, _THOUSANDS_COMMA, _number_pattern
from ._backends import FILE, ROW, Backend, choose_engine, open_backend, quiet_spark
from ._result import EngineResult, rows_from_engine
from .batches import materialize, release
from .moments import sample_rows
from .responses import ROW_LIMIT

__all__ = ["scan_tickets", "TicketScan", "TIME_COLUMNS", "group_quantiles",
           "epoch_hours"]

#: The ticket time stamps, parsed in this order.
TIME_COLUMNS = ("created_at", "first_response_at", "resolved_at")

#: Rows set aside that are brought back into memory to show (all are written to Parquet).
REJECTED_SHOWN = 1_000

_COUNTS = ("contacts", "handle_time")
_PARSED = {c: f"__csat_t_{c}" for c in TIME_COLUMNS}
_NAIVE = {c: f"__csat_naive_{c}" for c in TIME_COLUMNS}
_NUMBER = {c: f"__csat_n_{c}" for c in (*_COUNTS, "reopened")}
_FIRST, _LAST = "__csat_first", "__csat_last"
_HMS = r"^\s*\d+:\d{2}(:\d{2}(\.\d+)?)?\s*$"
_SKIPPED, _REPEATED = "skipped", "repeated"


@dataclass
class TicketScan(EngineResult):
    """Tickets validated in an engine: the valid rows stay there, the accounting is here.

    ``data`` is a narwhals LazyFrame of the engine holding the valid tickets (the
    canonical columns of :func:`~csat_toolkit.io.tables.load_tickets` present, time
    stamps as naive datetimes, ``contacts``/``handle_time``/``reopened`` as numbers,
    then the other columns as read, and the source row number in ``__csat_row``);
    ``rejected`` holds the first :data:`REJECTED_SHOWN` rows set aside (all of them are
    in ``rejected_path`` when it is given).

    Attributes
    ----------
    backend : Backend
        The engine's steps (collect, joins, :func:`~csat_toolkit.io.engines.batches.map_batches`).
    reasons : Series
        Rows set aside per reason (joined reasons as the pandas loader joins them).
    n_valid : int
        Valid tickets (rows of ``data``).
    rejected_path : Path or None
        Parquet file (DuckDB) or folder (Spark) of every row set aside.
    """

    backend: Backend | None = None
    n_valid: int = 0

    @property
    def n_used(self) -> int:
        return self.n_valid

    def to_rows(self, *, limit: int = ROW_LIMIT, seed: int = 0) -> LoadResult:
        """The valid tickets in pandas, for analyses that model tickets one by one: all of
        them up to ``limit``, else a seeded random sample of ``limit`` drawn by the engine
        (stated in the notes); the accounting stays the engine's."""
        columns = [c for c in self.data.collect_schema().names() if c != ROW]
        picked = sample_rows(self.data, columns, n=limit, seed=seed, threshold=limit,
                             backend=self.backend)
        return rows_from_engine(self, picked, seed)

    def summary(self) -> str:
        return super().summary() + f" Validated by {self.engine}."

    def __repr__(self) -> str:
        return (f"TicketScan(source={_display_name(self.source)!r}, read={self.n_read}, "
                f"used={self.n_used}, set_aside={self.n_set_aside}, engine={self.engine!r})")


def scan_tickets(
    source: Any,
    *,
    engine: str | None = None,
    engine_options: Mapping[str, Any] | None = None,
    rejected_path: str | os.PathLike | None = None,
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    timezone: str | None = None,
    nonexistent: str = "set_aside",
    ambiguous: str = "set_aside",
    decimal: str = ".",
    thousands: str | None = None,
    na_values: list[str] | None = None,
    strict: bool = False,
    duplicates: str = "first",
    combine: Mapping[str, Sequence[str]] | None = None,
    fallback: Mapping[str, str] | None = None,
) -> TicketScan:
    """Validate tickets in DuckDB or Spark with the reasons and accounting of pandas.

    Parameters
    ----------
    source : path, folder, glob, DataFrame, DuckDB relation or PySpark DataFrame
        Parquet or CSV files (a folder or glob reads every file in it as one table).
    engine : {"duckdb", "spark"}, optional
        Default: Spark for a PySpark DataFrame, else DuckDB.
    engine_options : mapping, optional
        As for :func:`~csat_toolkit.io.engines.scan_responses`.
    rejected_path : path, optional
        Where the engine writes every row set aside (Parquet); the first
        :data:`REJECTED_SHOWN` are in ``rejected`` either way.
    columns, date_format, dayfirst, timezone, nonexistent, ambiguous, decimal, thousands, \
na_values, strict, duplicates, combine, fallback
        As for :func:`~csat_toolkit.io.tables.load_tickets` (``encoding``, ``sep`` and
        ``sheet`` are the pandas reader's; ``vendor`` readers are pandas-only).

    Returns
    -------
    TicketScan
        ``data`` is the engine's lazy table of valid tickets; ``report()``,
        ``summary()``, ``rejected`` and ``reason_counts()`` as for a LoadResult.

    Raises
    ------
    NoValidRowsError, RejectedRowsError, ParameterError, DateFormatError
        As :func:`~csat_toolkit.io.tables.load_tickets` raises them, with the same messages.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "id": ["T1", "T2", "T3", "T3"],
    ...     "opened": ["2024-03-01 09:00", "2024-03-01 10:00", "2024-03-02 08:00",
    ...                "2024-03-02 09:00"],
    ...     "closed": ["2024-03-01 11:30", "2024-02-28 10:00", None, None]})
    >>> scan = scan_tickets(frame, columns={"id": "ticket_id", "opened": "created_at",
    ...                                     "closed": "resolved_at"})
    >>> scan.summary()
    'Read 4 rows from DataFrame: 2 used, 2 set aside (duplicate ticket_id 1, resolved before creation 1). Validated by DuckDB ...'
    >>> scan.backend.collect(scan.data.sort("ticket_id").select("ticket_id"))["ticket_id"].tolist()
    ['T1', 'T3']
    """
    from ..tables import _check_combine

    engine = engine or ("spark" if choose_engine(source) == "spark" else "duckdb")
    if engine not in ("duckdb", "spark"):
        raise ParameterError("scan_tickets validates in an engine: use engine='duckdb' or "
                             f"'spark' (load_tickets reads into pandas); got {engine!r}.")
    timezone = "UTC" if timezone is None else timezone
    _check_number_format(decimal, thousands, None)
    _check_local_time_options(nonexistent, ambiguous)
    if dayfirst not in (None, True, False) or not isinstance(strict, bool):
        raise ParameterError("dayfirst must be True, False or None and strict True or False; "
                             f"got dayfirst={dayfirst!r}, strict={strict!r}.")
    if duplicates not in ("first", "last"):
        raise ParameterError(
            f"duplicates must be 'first' (keep the first row of a repeated ticket_id) or "
            f"'last' (keep the last, for event logs); got {duplicates!r}.")
    options = {"timezone": _check_timezone(timezone), "date_format": date_format,
               "dayfirst": dayfirst, "na_values": _check_na_values(na_values),
               "columns": _check_columns(columns), "strict": strict,
               "nonexistent": nonexistent, "ambiguous": ambiguous, "decimal": decimal,
               "thousands": thousands, "duplicates": duplicates,
               "combine": _check_combine(combine), "fallback": fallback}
    with quiet_spark():
        backend, table = open_backend(source, engine, engine_options)
        notes: list[str] = []
        markers = not isinstance(source, pd.DataFrame)  # the pandas reader's rule
        table, names = _canonical(backend, table, options, notes, markers)
        # Read (and numbered) once: the format sampling, the clock checks and the row
        # checks each read the table.
        table = materialize(backend, table)
        checks = _Checks(backend, table, names, options, notes)
        checked = checks.run()
        return _result(backend, checked, checks, names, options, notes, rejected_path,
                       read=table)


# --- columns ---------------------------------------------------------------------------


def _blank(column: str, dtype: Any) -> nw.Expr:
    """Missing, or only blank space (text)."""
    if dtype == nw.String:
        return nw.col(column).is_null() | (nw.col(column).str.strip_chars() == "")
    return nw.col(column).is_null()


def _canonical(backend: Backend, table: nw.LazyFrame, options: dict, notes: list[str],
               markers: bool) -> tuple[nw.LazyFrame, list[str]]:
    """Missing-value markers, ``combine``, the column mapping and ``fallback``, as pandas."""
    name = backend.source
    schema = table.collect_schema()
    raw = [c for c in schema.names() if c not in (ROW, FILE)]
    if markers:
        given = options["na_values"]
        blanked = []
        for column in raw:
            if schema[column] != nw.String:
                continue
            validated = options["columns"].get(column, _snake(column)) in _VALIDATED
            found = given if given is not None else (DEFAULT_NA_VALUES if validated else ("",))
            blanked.append(nw.when(~nw.col(column).is_in(list(found)))
                           .then(nw.col(column)).alias(column))
        if given is None:
            _note_lookalikes(backend, table, [c for c in raw if schema[c] == nw.String and
                                              options["columns"].get(c, _snake(c))
                                              not in _VALIDATED], notes)
        if blanked:
            table = table.with_columns(*blanked)
    for new, parts in options["combine"].items():
        require_columns(pd.DataFrame(columns=raw), parts,
                        f"combine[{new!r}] names {{missing}}, which {_display_name(name)} does "
                        "not have. Its columns are: {found}. Use the source column names.")
        text = [nw.col(c).cast(nw.String).str.strip_chars() for c in parts]
        missing = nw.any_horizontal(*[t.is_null() | (t == "") for t in text], ignore_nulls=True)
        joined = nw.concat_str(text, separator=" ")
        table = table.with_columns(nw.when(~missing).then(joined).alias(new))
        raw = raw if new in raw else [*raw, new]
        notes.append(f"Column {new!r} is {' + '.join(repr(c) for c in parts)} joined with a space.")
    renamed, sources = _rename_columns(pd.DataFrame(columns=raw), options["columns"], name, notes)
    picks = [nw.col(old).alias(new) for new, old in sources.items() if old != ROW_NUMBER]
    if ROW_NUMBER in options["columns"]:
        picks.append(nw.col(ROW).alias(options["columns"][ROW_NUMBER]))
    table = table.select(*picks, nw.col(ROW))
    require_columns(renamed, ["ticket_id", "created_at"],
                    f"{_display_name(name)} has no column {{missing}} after the column "
                    "mapping. Its columns are: {found}. Map the ticket id and creation "
                    "time, e.g. columns={{'Ticket': 'ticket_id', 'Opened': 'created_at'}}.")
    names = list(renamed.columns)
    table = _fill_from(backend, table, names, options["fallback"], name, notes)
    return table, names


def _note_lookalikes(backend: Backend, table: nw.LazyFrame, columns: list[str],
                     notes: list[str]) -> None:
    """The pandas reader's note on text such as "NA" kept in columns that are not checked."""
    if not columns:
        return
    markers = list(DEFAULT_NA_VALUES[1:])
    counts = backend.collect(table.select(
        *[nw.col(c).is_in(markers).fill_null(False).cast(nw.Int64).sum().alias(c)
          for c in columns]))
    kept = []
    for column in columns:
        n = int(counts[column].iloc[0] or 0)
        if n:
            first = backend.collect(table.filter(nw.col(column).is_in(markers))
                                    .sort(ROW).head(1000).select(column))
            kept.append(f"{column!s} {n:,} ({show_values(first[column], 3)})")
    if kept:
        notes.append(f"Cells that look like missing-value markers were kept as text: "
                     f"{'; '.join(kept)}. If they mean 'missing', pass na_values=['', 'NA', ...].")


def _fill_from(backend: Backend, table: nw.LazyFrame, names: list[str], fallback, name: str,
               notes: list[str]) -> nw.LazyFrame:
    if not fallback:
        return table
    if not isinstance(fallback, Mapping):
        raise ParameterError("fallback must map a column to the column that fills its empty "
                             f"cells, e.g. {{'resolved_at': 'closed_at'}}; got {fallback!r}.")
    require_columns(pd.DataFrame(columns=names), [*fallback, *fallback.values()],
                    f"fallback names {{missing}}, which {_display_name(name)} does not have "
                    "after the column mapping. Its columns are: {found}.")
    schema = table.collect_schema()
    empties, fills = [], []
    for target, source in fallback.items():
        empty = _blank(target, schema[target]) & ~_blank(source, schema[source])
        same = schema[target] == schema[source]
        value = nw.col(source) if same else nw.col(source).cast(nw.String)
        keep = nw.col(target) if same else nw.col(target).cast(nw.String)
        empties.append(empty.cast(nw.Int64).sum().alias(target))
        fills.append(nw.when(empty).then(value).otherwise(keep).alias(target))
    counts = backend.collect(table.select(*empties))
    table = table.with_columns(*fills)
    for target, source in fallback.items():
        notes.append(f"{target}: {int(counts[target].iloc[0] or 0):,} empty cells filled from "
                     f"{source} (counted over the rows read, before any are set aside).")
    return table


# --- the checks --------------------------------------------------------------------------


class _Checks:
    """The loader's row checks as engine expressions, in the loader's order."""

    def __init__(self, backend: Backend, table: nw.LazyFrame, names: list[str], options: dict,
                 notes: list[str]):
        self.backend, self.table, self.names = backend, table, names
        self.options, self.notes = options, notes
        self.flags: list[tuple[str, nw.Expr, nw.Expr]] = []  # (reason, flag, detail)
        self.formats: dict[str, str | None] = {}
        self._schema = None
        self.deferred: list[str] = []
        self.column_notes: dict[str, list[str]] = {c: [] for c in TIME_COLUMNS}

    @property
    def schema(self):
        """The canonical columns' types (asked once: Spark analyses the plan to answer)."""
        if self._schema is None:
            self._schema = self.table.collect_schema()
        return self._schema

    def add(self, reason: str, flag: nw.Expr, detail: nw.Expr) -> None:
        self.flags.append((reason, flag.fill_null(False), detail))

    def quoted(self, column: str) -> nw.Expr:
        """The value as Python's repr shows it: text in quotes, numbers bare."""
        text = nw.col(column).cast(nw.String)
        if self.schema[column] == nw.String:
            return nw.concat_str([nw.lit("'"), text, nw.lit("'")])
        return text

    def run(self) -> nw.LazyFrame:
        self._ids()
        times = [c for c in TIME_COLUMNS if c in self.names]
        for column in times:
            self._time(column)
        self._clocks(times)
        self._order(times)
        for column in (c for c in _COUNTS if c in self.names):
            self._count(column)
        if "reopened" in self.names:
            self._flag()
        reason = nw.concat_str([nw.when(f).then(nw.lit(r)) for r, f, _ in self.flags],
                               separator="; ", ignore_nulls=True)
        detail = nw.concat_str([nw.when(f).then(d) for _, f, d in self.flags],
                               separator="; ", ignore_nulls=True)
        table = self.table.with_columns(reason.alias("reason"), detail.alias("detail"))
        return table.with_columns(nw.col("reason").fill_null(""),
                                  nw.col("detail").fill_null(""))

    def _ids(self) -> None:
        missing = _blank("ticket_id", self.schema["ticket_id"])
        self.add("missing ticket_id", missing, nw.lit("ticket_id is empty"))
        text = self.quoted("ticket_id")
        if self.options["duplicates"] == "first":
            self.table = self.table.with_columns(nw.col(ROW).min().over("ticket_id").alias(_FIRST))
            self.add("duplicate ticket_id", ~missing & (nw.col(ROW) > nw.col(_FIRST)),
                     nw.concat_str([nw.lit("ticket_id "), text,
                                    nw.lit(" appears on an earlier row")]))
        else:
            self.table = self.table.with_columns(nw.col(ROW).max().over("ticket_id").alias(_LAST))
            self.add("earlier row of the same ticket_id",
                     ~missing & (nw.col(ROW) < nw.col(_LAST)),
                     nw.concat_str([nw.lit("ticket_id "), text, nw.lit(
                         " appears on a later row (duplicates='last' keeps that one)")]))

    def _time(self, column: str) -> None:
        """Parse a time stamp as wall time in the loader's zone (offsets converted)."""
        dtype = self.schema[column]
        fmt = self._date_format(column) if dtype == nw.String else None
        self.formats[column] = fmt
        # Parsed as in UTC, where every wall time exists once, so that a wall time at a
        # change of clocks is kept as written (and checked below, as pandas does); the
        # times that carried an offset are then converted to the zone.
        source = column
        if self.backend.name == "spark" and fmt == "ISO8601":
            source = f"__csat_iso_{column}"
            self.table = _spark_iso_text(self.table, column, source)
        self.table = self.backend.parse_dates(self.table, source, fmt, "UTC", _PARSED[column])
        self.table = self.table.with_columns(self._naive(column).alias(_NAIVE[column]))
        if self.options["timezone"] != "UTC":
            self.table = _utc_to_zone(self.backend, self.table, _PARSED[column],
                                      _NAIVE[column], self.options["timezone"])
        blank = _blank(column, dtype)
        if column == "created_at":
            self.add("missing created_at", blank, nw.lit("created_at is empty"))
        self.add(f"unreadable {column}", nw.col(_PARSED[column]).is_null() & ~blank,
                 nw.concat_str([nw.lit(f"{column} "), self.quoted(column),
                                nw.lit(" is not a date and time")]))

    def _date_format(self, column: str) -> str | None:
        """The text's format, inferred as pandas does from the first 20,000 distinct
        values (in order of first appearance, with their row counts)."""
        text = nw.col(column).str.strip_chars()
        sample = self.backend.collect(
            self.table.select(text.alias(column), ROW)
            .filter(~nw.col(column).is_null() & (nw.col(column) != ""))
            .group_by(column).agg(nw.len().alias("__csat_n"),
                                  nw.col(ROW).min().alias("__csat_first"))
            .sort("__csat_first").head(20_000))
        if not len(sample):
            return self.options["date_format"]
        dates = _DateText(pd.Series(sample[column].to_numpy(dtype=object)).astype(
            "string[pyarrow]"), sample["__csat_n"].to_numpy(), "UTC", column)
        scratch: list[str] = []
        used = _choose_format(dates, self.options, scratch)
        self.column_notes[column] += scratch
        return used

    def _naive(self, column: str) -> nw.Expr:
        """True where a time was written without a UTC offset (a wall time)."""
        dtype = self.schema[column]
        if dtype == nw.String:
            fmt = self.formats[column]
            if fmt == "ISO8601":
                return ~nw.col(column).str.contains(_OFFSET).fill_null(False)
            return nw.lit(not (fmt and "%z" in fmt))
        return nw.lit(getattr(dtype, "time_zone", None) is None)

    def _clocks(self, times: list[str]) -> None:
        """Offsets converted (noted) and wall times at a change of clocks, as pandas."""
        zone = self.options["timezone"]
        if not times:
            return
        if zone == "UTC":  # no clock changes: the offsets are counted with the accounting
            self.deferred = times
            return
        naive = {c: nw.col(_NAIVE[c]) & ~nw.col(_PARSED[c]).is_null() for c in times}
        profile = self.backend.collect(self.table.select(
            *[nw.when(naive[c]).then(nw.col(_PARSED[c])).min().alias(f"{c}|min") for c in times],
            *[nw.when(naive[c]).then(nw.col(_PARSED[c])).max().alias(f"{c}|max") for c in times],
            *[(~nw.col(_NAIVE[c]) & ~nw.col(_PARSED[c]).is_null()).cast(nw.Int64).sum()
              .alias(f"{c}|aware") for c in times]))
        for column in times:
            aware = int(profile[f"{column}|aware"].iloc[0] or 0)
            if aware:
                self.column_notes[column].append(_offset_note(aware, zone, column))
        lows = [v for c in times if pd.notna(v := profile[f"{c}|min"].iloc[0])]
        highs = [v for c in times if pd.notna(v := profile[f"{c}|max"].iloc[0])]
        changes = clock_changes(zone, pd.Timestamp(min(lows)), pd.Timestamp(max(highs))) \
            if zone != "UTC" and lows else []
        if not changes:
            self._flush_notes(times)
            return
        masks = {}
        for column in times:
            parsed = nw.col(_PARSED[column])
            for kind in (_SKIPPED, _REPEATED):
                ranges = [(a, b) for k, a, b in changes if k == kind]
                masks[column, kind] = (nw.col(_NAIVE[column]) & nw.any_horizontal(
                    *[(parsed >= a) & (parsed < b) for a, b in ranges], ignore_nulls=True)
                    if ranges else nw.lit(False)).fill_null(False)
        counts = self.backend.collect(self.table.select(
            *[m.cast(nw.Int64).sum().alias(f"{c}|{k}") for (c, k), m in masks.items()]))
        count = {key: int(counts[f"{key[0]}|{key[1]}"].iloc[0] or 0) for key in masks}
        problems: list[tuple[str, nw.Expr, nw.Expr]] = []
        shifted = []
        for column in times:
            skipped, repeated = masks[column, _SKIPPED], masks[column, _REPEATED]
            shown = self._time_text(column)
            if count[column, _SKIPPED] and self.options["nonexistent"] == "shift_forward":
                after = _pick([(a, b, b) for k, a, b in changes if k == _SKIPPED],
                              nw.col(_PARSED[column]))
                shifted.append(nw.when(skipped).then(after).otherwise(nw.col(_PARSED[column]))
                               .alias(_PARSED[column]))
                self.column_notes[column].append(
                    f"{column}: {count[column, _SKIPPED]:,} time(s) fell in the hour skipped "
                    f"when clocks sprang forward in {zone}; they were read as the first time "
                    "after the gap (nonexistent='shift_forward').")
            elif count[column, _SKIPPED]:
                after = _pick([(a, b, nw.lit(str(pd.Timestamp(b))))
                               for k, a, b in changes if k == _SKIPPED], nw.col(_PARSED[column]))
                problems.append((NONEXISTENT_TIME.format(zone=zone), skipped, nw.concat_str([
                    nw.lit(f"{column} "), shown,
                    nw.lit(f" never happened in {zone} (the clocks sprang forward over it); "
                           "correct it, or set nonexistent: shift_forward to read it as "),
                    after])))
            if count[column, _REPEATED] and self.options["ambiguous"] != "set_aside":
                which = "earlier" if self.options["ambiguous"] == "earliest" else "later"
                self.column_notes[column].append(
                    f"{column}: {count[column, _REPEATED]:,} time(s) happened twice in {zone} "
                    "(clocks went back); they are kept as written and taken as the "
                    f"{which} of the two (ambiguous={self.options['ambiguous']!r}).")
            elif count[column, _REPEATED]:
                problems.append((AMBIGUOUS_TIME.format(zone=zone), repeated, nw.concat_str([
                    nw.lit(f"{column} "), shown,
                    nw.lit(f" happened twice in {zone} (the clocks went back); set ambiguous: "
                           "earliest or ambiguous: latest to say which, or give the times "
                           "with their UTC offset")])))
        # The flags are computed on the times as written, before any is shifted forward.
        flags = {f"__csat_clock_{i}": m for i, (_, m, _) in enumerate(problems)}
        if flags:
            self.table = self.table.with_columns(**flags)
        if shifted:
            self.table = self.table.with_columns(*shifted)
        problems = [(r, nw.col(name), d) for name, (r, _, d) in zip(flags, problems)]
        for reason in dict.fromkeys(r for r, _, _ in problems):
            items = [(mask, detail) for r, mask, detail in problems if r == reason]
            flag = nw.any_horizontal(*[m for m, _ in items], ignore_nulls=True)
            detail = nw.concat_str([nw.when(m).then(d) for m, d in items], separator="; ",
                                   ignore_nulls=True)
            self.add(reason, flag, detail)
        self._flush_notes(times)

    def aware_notes(self, checked: nw.LazyFrame) -> None:
        """The offset notes of a UTC load, counted on the checked rows, then every
        column's notes in the loader's order."""
        if not self.deferred:
            return
        counts = self.backend.collect(checked.select(*[
            (~nw.col(_NAIVE[c]) & ~nw.col(_PARSED[c]).is_null()).cast(nw.Int64).sum().alias(c)
            for c in self.deferred]))
        for column in self.deferred:
            aware = int(counts[column].iloc[0] or 0)
            if aware:
                self.column_notes[column].append(_offset_note(aware, "UTC", column))
        self._flush_notes(self.deferred)

    def _flush_notes(self, times: list[str]) -> None:
        for column in times:
            self.notes.extend(self.column_notes[column])

    def _time_text(self, column: str) -> nw.Expr:
        if self.schema[column] == nw.String:
            return self.quoted(column)
        return nw.concat_str([nw.lit("'"), _stamp(nw.col(column)), nw.lit("'")])

    def _order(self, times: list[str]) -> None:
        pairs = (("first_response_at", "created_at", "first response before creation"),
                 ("resolved_at", "created_at", "resolved before creation"),
                 ("resolved_at", "first_response_at", "resolved before the first response"))
        for later, earlier, reason in pairs:
            if later in times and earlier in times:
                a, b = nw.col(_PARSED[later]), nw.col(_PARSED[earlier])
                self.add(reason, a < b, nw.concat_str([
                    nw.lit(f"{later} "), _stamp(a), nw.lit(f" is before {earlier} "), _stamp(b)]))

    def _count(self, column: str) -> None:
        """A number of 0 or more (``handle_time`` also as HH:MM:SS text)."""
        dtype = self.schema[column]
        out = _NUMBER[column]
        decimal, thousands = self.options["decimal"], self.options["thousands"]
        if dtype != nw.String:
            self.table = self.table.with_columns(nw.col(column).cast(nw.Float64).alias(out))
        else:
            text = nw.col(column).str.strip_chars()
            plain = nw.col(column)
            if decimal != "." or thousands is not None:
                local = text
                if thousands is not None:
                    local = local.str.replace_all(thousands, "", literal=True)
                local = local.str.replace_all(decimal, ".", literal=True)
                marked = text.str.contains(decimal, literal=True)
                if thousands is not None:
                    marked = marked | text.str.contains(thousands, literal=True)
                pattern = f"^(?:{_number_pattern(decimal, thousands).pattern})$"
                plain = nw.when(text.str.contains(pattern) & marked).then(local).otherwise(plain)
            # pandas reads neither "1_000" nor "0x10" as numbers; the engines' casts might.
            plain = nw.when(~nw.col(column).str.contains(r"[_xX]")).then(plain)
            text_column = f"__csat_s_{column}"
            self.table = self.backend.to_number(
                self.table.with_columns(plain.alias(text_column)), text_column, out)
            if column == "handle_time":
                self._clock_seconds(column, out)
        number = nw.col(out)
        bad = (~nw.col(column).is_null() & (number.is_null() | ~number.is_finite())) | (number < 0)
        self.add(f"invalid {column}", bad, nw.concat_str([
            nw.lit(f"{column} "), self.quoted(column), nw.lit(" is not a number of 0 or more"),
            self._number_hint(column) if dtype == nw.String else nw.lit("")]))

    def _clock_seconds(self, column: str, out: str) -> None:
        """HH:MM:SS (or MM:SS) text as seconds, as ``pd.to_timedelta`` reads it."""
        text = nw.col(column).str.strip_chars()
        clock = nw.col(column).str.contains(_HMS).fill_null(False)
        colons = text.str.len_chars() - text.str.replace_all(":", "", literal=True).str.len_chars()
        padded = (nw.when(~clock).then(nw.lit("0:00:00"))
                  .when(colons == 1).then(nw.concat_str([nw.lit("00:"), text]))
                  .otherwise(text))
        parts = padded.str.split(":")
        seconds = (parts.list.get(0).cast(nw.Float64) * 3600
                   + parts.list.get(1).cast(nw.Float64) * 60
                   + parts.list.get(2).cast(nw.Float64))
        self.table = self.table.with_columns(
            nw.when(clock).then(seconds).otherwise(nw.col(out)).alias(out))

    def _number_hint(self, column: str) -> nw.Expr:
        """:func:`csat_toolkit.io.reading._number_hint` as an engine expression."""
        if self.options["decimal"] == ",":
            return nw.lit("")
        value = nw.col(column)
        comma = value.str.contains(f"^(?:{_DECIMAL_COMMA.pattern})$")
        thousands = value.str.contains(f"^(?:{_THOUSANDS_COMMA.pattern})$")
        dots = value.str.contains(".", literal=True)
        head = '; it looks like a number with a decimal comma: set decimal: ","'
        tail = " in the load options"
        return (nw.when(comma & dots).then(nw.lit(head + ' and thousands: "."' + tail))
                .when(comma & thousands).then(nw.lit(
                    head + tail + ' (or thousands: "," if the comma separates thousands)'))
                .when(comma).then(nw.lit(head + tail))
                .when(thousands).then(nw.lit(
                    '; it looks like a number with commas between thousands: set thousands: ","'))
                .otherwise(nw.lit("")).fill_null(""))

    def _flag(self) -> None:
        from ..tables import _FLAGS
        text = nw.col("reopened").cast(nw.String).str.strip_chars().str.to_lowercase()
        ones = [k for k, v in _FLAGS.items() if v == 1]
        zeros = [k for k, v in _FLAGS.items() if v == 0]
        if self.schema["reopened"] == nw.Boolean:
            text = nw.col("reopened").cast(nw.String).str.to_lowercase()
        flag = (nw.when(text.is_in(ones)).then(nw.lit(1.0))
                .when(text.is_in(zeros)).then(nw.lit(0.0)))
        self.table = self.table.with_columns(flag.alias(_NUMBER["reopened"]))
        self.add("invalid reopened",
                 ~nw.col("reopened").is_null() & nw.col(_NUMBER["reopened"]).is_null(),
                 nw.concat_str([nw.lit("reopened "), self.quoted("reopened"),
                                nw.lit(" is not 0/1, yes/no or true/false")]))


def _spark_iso_text(table: nw.LazyFrame, column: str, out: str) -> nw.LazyFrame:
    """ISO text as Spark's parser needs it: seconds before an offset, no space before it
    ("2024-03-03 09:00 +01:00" -> "2024-03-03 09:00:00+01:00"), as pandas reads both."""
    from pyspark.sql import functions as F
    offset = r"(Z|[+-]\d{2}(?::?\d{2})?)$"
    text = F.regexp_replace(F.trim(F.col(f"`{column}`")),
                            r"(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s+" + offset, "$1$2")
    text = F.regexp_replace(text, r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2})" + offset, "$1:00$2")
    return nw.from_native(table.to_native().withColumn(out, text))


def _utc_to_zone(backend: Backend, table: nw.LazyFrame, column: str, naive: str, zone: str
                 ) -> nw.LazyFrame:
    """Times read as UTC that carried an offset, as wall times in ``zone``."""
    native = table.to_native()
    if backend.name == "duckdb":
        col, flag = _quote(column), _quote(naive)
        return nw.from_native(native.project(
            f"* REPLACE (CASE WHEN {flag} THEN {col} ELSE "
            f"timezone('{zone}', timezone('UTC', {col})) END AS {col})"))
    from pyspark.sql import functions as F
    value = F.col(f"`{column}`")
    converted = F.from_utc_timestamp(value.cast("timestamp"), zone).cast("timestamp_ntz")
    return nw.from_native(native.withColumn(column, F.when(F.col(f"`{naive}`"), value)
                                            .otherwise(converted)))


def _stamp(expr: nw.Expr) -> nw.Expr:
    """A time as ``str(pd.Timestamp(...))`` writes it (whole seconds)."""
    return expr.dt.to_string("%Y-%m-%d %H:%M:%S")


def _pick(ranges: list[tuple[dt.datetime, dt.datetime, Any]], parsed: nw.Expr) -> nw.Expr:
    """The value of the range [a, b) that holds ``parsed`` (null if none)."""
    expr = None
    for a, b, value in ranges:
        value = value if isinstance(value, nw.Expr) else nw.lit(value)
        hit = (parsed >= a) & (parsed < b)
        expr = nw.when(hit).then(value) if expr is None else expr.when(hit).then(value)
    return expr


def clock_changes(zone: str, first: pd.Timestamp, last: pd.Timestamp
                  ) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """The wall-time intervals of ``zone`` that never happened or happened twice.

    Each item is (``"skipped"`` or ``"repeated"``, start, end): naive wall times in
    ``[start, end)`` never happened (clocks sprang forward; pandas' ``shift_forward``
    reads them as ``end``) or happened twice (clocks went back), between ``first`` and
    ``last`` (wall times, with two days' margin).

    Examples
    --------
    >>> clock_changes("Europe/London", pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))
    [('skipped', datetime.datetime(2024, 3, 31, 1, 0), datetime.datetime(2024, 3, 31, 2, 0)), \
('repeated', datetime.datetime(2024, 10, 27, 1, 0), datetime.datetime(2024, 10, 27, 2, 0))]
    """
    tz = zoneinfo.ZoneInfo(zone)
    utc = dt.timezone.utc
    begin = int((first - pd.Timedelta(days=2)).to_pydatetime().replace(tzinfo=utc).timestamp())
    end = int((last + pd.Timedelta(days=2)).to_pydatetime().replace(tzinfo=utc).timestamp())

    def offset(second: int) -> dt.timedelta:
        return dt.datetime.fromtimestamp(second, tz).utcoffset()

    found = []
    moment = begin
    while moment < end:
        step = min(moment + 86_400, end)
        if offset(moment) != offset(step):
            low, high = moment, step  # offset(low) is the old one, offset(high) the new
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(middle) == offset(low) else (low, middle)
            before, after = offset(low), offset(high)
            instant = dt.datetime.fromtimestamp(high, utc).replace(tzinfo=None)
            a, b = instant + before, instant + after
            found.append((_SKIPPED, a, b) if after > before else (_REPEATED, b, a))
        moment = step
    return found


# --- the result --------------------------------------------------------------------------


def _result(backend: Backend, checked: nw.LazyFrame, checks: _Checks, names: list[str],
            options: dict, notes: list[str], rejected_path, read: nw.LazyFrame
            ) -> TicketScan:
    from ..tables import TICKET_COLUMNS

    # The checks run once: the accounting, the rows set aside and the valid tickets are
    # read from their result (a table of DuckDB's database, or persisted by Spark).
    working = [c for c in (*_PARSED.values(), *_NAIVE.values(), *_NUMBER.values())
               if c in checked.collect_schema().names()]
    checked = materialize(backend, checked.select(*names, *working, ROW, "reason", "detail"))
    checks.aware_notes(checked)
    grouped = checked.group_by("reason").agg(nw.len().alias("n"),
                                             nw.col(ROW).min().alias("first_row"))
    counts = backend.collect(grouped)
    release(backend, read)  # the checked rows hold all that is read from here on
    name = backend.source
    n_read = int(counts["n"].sum())
    if n_read == 0:
        raise NoValidRowsError(f"{_display_name(name)} has column names but no tickets.")
    counts = counts.sort_values(["n", "first_row"], ascending=[False, True], kind="stable")
    bad = counts[counts["reason"] != ""]
    reasons = pd.Series(bad["n"].to_numpy(dtype="int64"), index=bad["reason"].to_numpy(),
                        dtype="int64")
    n_valid = n_read - int(reasons.sum())
    originals = [nw.col(c) for c in names]
    rejected_rows = (checked.filter(nw.col("reason") != "")
                     .select(nw.col(ROW).alias("source_row"), "reason", "detail", *originals))
    shown = backend.collect(rejected_rows.sort("source_row").head(REJECTED_SHOWN)
                            ).reset_index(drop=True)
    if not n_valid:
        raise NoValidRowsError(
            f"No usable tickets in {_display_name(name)}: all {n_read:,} rows were set "
            f"aside ({', '.join(f'{r} {n:,}' for r, n in reasons.items())}). Examples: "
            f"{show_values(shown['detail'], 3)}. Check the column mapping and date_format.")
    if options["strict"] and len(reasons):
        raise RejectedRowsError(
            f"strict=True and {int(reasons.sum()):,} of {n_read:,} tickets in "
            f"{_display_name(name)} have problems; examples: {show_values(shown['detail'], 3)}."
            " Fix them in the source, or load without strict=True to set them aside.")
    written = None
    if rejected_path is not None and len(reasons):
        written = backend.write_parquet(rejected_rows, Path(rejected_path))
    parsed = {**_PARSED, **_NUMBER}
    canonical = [nw.col(parsed.get(c, c)).alias(c) for c in TICKET_COLUMNS if c in names]
    others = [nw.col(c) for c in names if c not in TICKET_COLUMNS]
    data = checked.filter(nw.col("reason") == "").select(*canonical, *others, nw.col(ROW))
    kept = {k: v for k, v in options.items() if k not in ("columns", "combine", "fallback")}
    result_options = kept | {
        "engine": backend.name, "source": name, "columns": dict(options["columns"]),
        "combine": {k: list(v) for k, v in options["combine"].items()},
        "fallback": dict(options["fallback"] or {}), "date_formats": dict(checks.formats)}
    return TicketScan(
        data=data, rejected=shown, source=name, n_read=n_read, notes=notes,
        options=result_options, engine=backend.describe(), backend=backend, reasons=reasons,
        n_valid=n_valid, rejected_path=written)


# --- engine steps for the operations analyses ----------------------------------------------


def epoch_hours(backend: Backend, lazy: nw.LazyFrame, pairs: Mapping[str, tuple[str, Any]]
                ) -> nw.LazyFrame:
    """Add columns of calendar hours between two naive times (wall clock, no time zone).

    Parameters
    ----------
    backend : Backend
    lazy : narwhals LazyFrame
    pairs : mapping
        New column -> (start column, end column or a naive ``datetime``); null where
        either is missing. Exact to the microsecond on both engines (DuckDB
        ``epoch_us``, Spark ``timestampdiff(MICROSECOND, ...)``).

    Examples
    --------
    >>> from csat_toolkit.io.engines import open_backend
    >>> frame = pd.DataFrame({"a": pd.to_datetime(["2024-03-01 09:00"]),
    ...                       "b": pd.to_datetime(["2024-03-01 10:30"])})
    >>> backend, table = open_backend(frame, "duckdb")
    >>> backend.collect(epoch_hours(backend, table, {"h": ("a", "b")}))["h"].tolist()
    [1.5]
    """
    native = lazy.to_native()
    if backend.name == "duckdb":
        def stamp(value):
            return (f"TIMESTAMP '{pd.Timestamp(value).isoformat(sep=' ')}'"
                    if not isinstance(value, str) else _quote(value))
        items = ", ".join(f"(epoch_us({stamp(end)}) - epoch_us({stamp(start)})) / 3600e6 "
                          f"AS {_quote(new)}" for new, (start, end) in pairs.items())
        return nw.from_native(native.project(f"*, {items}"))
    from pyspark.sql import functions as F
    columns = {}
    for new, (start, end) in pairs.items():
        right = F.col(f"`{end}`") if isinstance(end, str) else \
            F.lit(pd.Timestamp(end).to_pydatetime()).cast("timestamp_ntz")
        columns[new] = F.timestamp_diff("MICROSECOND", F.col(f"`{start}`"), right) / 3600e6
    return nw.from_native(native.withColumns(columns))


def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


#: Quantile methods of :func:`group_quantiles`.
QUANTILE_METHODS = ("exact", "approximate")

#: Spark's ``percentile_approx`` accuracy: the rank error is at most n / accuracy.
SPARK_ACCURACY = 10_000


def group_quantiles(backend: Backend, lazy: nw.LazyFrame, by: Sequence[str],
                    columns: Sequence[str], probabilities: Sequence[float], method: str
                    ) -> pd.DataFrame:
    """Quantiles of ``columns`` per group, exact or with the engine's approximate quantile.

    Parameters
    ----------
    backend : Backend
    lazy : narwhals LazyFrame
    by : list of str
        Group columns (none: one row).
    columns : list of str
        Numeric columns; nulls and NaN are left out.
    probabilities : list of float
    method : {"exact", "approximate"}
        "exact": linear interpolation between order statistics (R type 7, numpy's
        default), DuckDB ``quantile_cont`` and Spark ``percentile``. "approximate":
        DuckDB ``approx_quantile`` (a t-digest) and Spark ``percentile_approx`` with
        accuracy :data:`SPARK_ACCURACY` (the value returned is an observation whose rank
        is within n / accuracy of the exact one).

    Returns
    -------
    DataFrame
        The ``by`` columns, then one column per column and probability, named
        ``(column, p)``.

    Examples
    --------
    >>> from csat_toolkit.io.engines import open_backend
    >>> backend, table = open_backend(pd.DataFrame({"x": [1.0, 2.0, 3.0, 10.0]}), "duckdb")
    >>> out = group_quantiles(backend, table, [], ["x"], [0.5, 0.9], "exact")
    >>> out[("x", 0.5)].tolist(), out[("x", 0.9)].round(2).tolist()
    ([2.5], [7.9])
    """
    if method not in QUANTILE_METHODS:
        raise ParameterError(f"method must be one of {', '.join(QUANTILE_METHODS)}; got "
                             f"{method!r}.")
    clean = lazy.with_columns(*[nw.when(~nw.col(c).is_nan()).then(nw.col(c)).alias(c)
                                for c in columns])
    # Plain names (Spark reads a dot in a name as a field of a struct).
    names = {(c, p): f"__csat_q{i}_{j}" for i, c in enumerate(columns)
             for j, p in enumerate(probabilities)}
    if method == "exact":
        aggs = [nw.col(c).quantile(p, "linear").alias(n) for (c, p), n in names.items()]
        grouped = clean.group_by(*by, drop_null_keys=False).agg(*aggs) if by else \
            clean.select(*aggs)
        found = backend.collect(grouped)
    else:
        found = backend.collect(_approximate(backend, clean, by, names))
    return found.rename(columns={n: key for key, n in names.items()})


def _approximate(backend: Backend, clean: nw.LazyFrame, by: Sequence[str], names: dict
                 ) -> nw.LazyFrame:
    native = clean.to_native()
    if backend.name == "duckdb":
        items = [f"approx_quantile({_quote(c)}, {p!r}) AS {_quote(n)}"
                 for (c, p), n in names.items()]
        keys = ", ".join(_quote(k) for k in by)
        rel = native.aggregate(", ".join([*(_quote(k) for k in by), *items]), keys) if by \
            else native.aggregate(", ".join(items))
        return nw.from_native(rel)
    from pyspark.sql import functions as F
    aggs = [F.percentile_approx(F.col(f"`{c}`"), float(p), SPARK_ACCURACY).alias(n)
            for (c, p), n in names.items()]
    frame = native.groupBy(*[F.col(f"`{k}`") for k in by]).agg(*aggs) if by else \
        native.agg(*aggs)
    return nw.from_native(frame)

