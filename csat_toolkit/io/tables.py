"""Load support tickets, join them to survey answers and derive durations.

:func:`load_tickets` reads a ticket export the way :func:`~csat_toolkit.io.load_responses`
reads answers: columns mapped to the canonical names (DESIGN.md, "Canonical data"),
timestamps parsed with an explicit or inferred format, and every row either used or
set aside with its reasons. :func:`join_answers` attaches ticket (or order) columns to
survey answers by an id and counts the answers that found no ticket.
:func:`add_durations` turns pairs of timestamps into elapsed hours or days.
"""
from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, MissingColumnError, NoValidRowsError, ParameterError, \
    RejectedRowsError, require_columns, show_values
from ..core.display import result_html
from .vendors._load import load_vendor_file
from ._common import ROW_NUMBER, _display_name, _is_blank, _maybe_numeric, _snake
from .dates import _parse_dates, parse_iso_times
from .loaded import LoadResult, _rejected_frame, _rename_columns
from .options import (
    _check_columns, _check_local_time_options, _check_na_values, _check_number_format,
    _check_sheet, _check_timezone, _reject_unknown_options,
)
from .reading import (
    _apply_na_values, _number_hint, _read_source, _suggest_sheet, _to_numbers,
)

__all__ = ["TICKET_COLUMNS", "TICKET_OPTIONS", "load_tickets", "join_answers", "JoinResult",
           "add_durations", "derive_columns", "set_missing"]

#: Canonical ticket columns, in the order they appear in ``load_tickets(...).data``.
TICKET_COLUMNS = (
    "ticket_id", "created_at", "first_response_at", "resolved_at", "channel", "priority",
    "agent", "team", "region", "customer_id", "contacts", "handle_time", "reopened",
)
#: Option names of :func:`load_tickets` (a notebook's ``ticket_options`` keys).
TICKET_OPTIONS = (
    "columns", "date_format", "dayfirst", "timezone", "nonexistent", "ambiguous", "encoding",
    "sep", "decimal", "thousands", "sheet", "na_values", "strict", "duplicates", "combine",
    "fallback", "vendor", "vendor_options",
)
_TIMES = ("created_at", "first_response_at", "resolved_at")
_COUNTS = ("contacts", "handle_time")
_FLAGS = {"1": 1, "0": 0, "true": 1, "false": 0, "yes": 1, "no": 0, "y": 1, "n": 0,
          "1.0": 1, "0.0": 0}
_UNITS = {"hours": 3600.0, "minutes": 60.0, "days": 86400.0, "seconds": 1.0}


@dataclass
class _RowIssues:
    """Reasons per row, in the order they were found."""

    n: int
    reasons: list[tuple[np.ndarray, str, np.ndarray]] = field(default_factory=list)

    def add(self, mask: np.ndarray, reason: str, details) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            if isinstance(details, str):
                details = [details] * int(mask.sum())
            self.reasons.append((mask, reason, np.asarray(details, dtype=object)))

    def flagged(self) -> np.ndarray:
        out = np.zeros(self.n, dtype=bool)
        for mask, _, _ in self.reasons:
            out |= mask
        return out

    def table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        positions = np.flatnonzero(self.flagged())
        reasons = np.full(len(positions), "", dtype=object)
        details = np.full(len(positions), "", dtype=object)
        for mask, reason, detail in self.reasons:
            at = np.searchsorted(positions, np.flatnonzero(mask))
            first = reasons[at] == ""
            reasons[at] = np.where(first, reason, reasons[at] + "; " + reason)
            details[at] = np.where(first, detail, details[at] + "; " + detail)
        return positions, reasons, details


def load_tickets(
    source: str | os.PathLike | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
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
    strict: bool = False,
    duplicates: str = "first",
    combine: Mapping[str, Sequence[str]] | None = None,
    fallback: Mapping[str, str] | None = None,
    vendor: str | None = None,
    vendor_options: Mapping[str, Any] | None = None,
    **unknown: Any,
) -> LoadResult:
    """Load support tickets, validate every row and account for the ones set aside.

    Parameters
    ----------
    source : path or DataFrame
        CSV/TSV/TXT, Parquet, Excel or a DataFrame, as for
        :func:`~csat_toolkit.io.load_responses`.
    columns : mapping, optional
        Source column name -> canonical name, e.g. ``{"Ticket #": "ticket_id"}``.
        Required after mapping: ``ticket_id`` and ``created_at``.
    date_format, dayfirst, timezone, encoding, sep, sheet, na_values
        As for :func:`~csat_toolkit.io.load_responses`; the format is inferred per
        timestamp column (``created_at``, ``first_response_at``, ``resolved_at``).
        Times without a UTC offset are wall times in ``timezone``; ``sheet=None``
        reads the first sheet, and when it lacks ``ticket_id``/``created_at`` while
        another sheet has them the error names that sheet (``sheet: NAME``).
    nonexistent, ambiguous
        As for :func:`~csat_toolkit.io.load_responses`: a time (in any of the three
        timestamp columns) that never happened in ``timezone`` or happened twice
        sets its row aside with the reason "time does not exist in <zone>: clocks
        sprang forward" or "ambiguous time in <zone>: clocks went back", unless
        ``nonexistent="shift_forward"`` or ``ambiguous="earliest"``/``"latest"``
        resolves it (counted in ``notes``). Pass the same zone as the business-hours
        functions' ``source_timezone`` (the operations notebook's ``source_timezone``,
        or its ``timezone`` when that is None) so that they see no such time.
    decimal, thousands
        Decimal mark and thousands separator of numbers written as text, as for
        :func:`~csat_toolkit.io.load_responses`: with ``decimal=","`` and
        ``thousands="."`` a ``handle_time`` of ``1.234,5`` is 1234.5 seconds.
        ``contacts`` and ``handle_time`` are read value by value; a value that
        does not read and looks like ``1,5`` is set aside with a detail suggesting
        ``decimal: ","``.
    strict : bool
        Raise :class:`~csat_toolkit.errors.RejectedRowsError` when any row has a problem.
    duplicates : {"first", "last"}
        Which row of a repeated ``ticket_id`` is kept. ``"first"`` (default) sets the
        later rows aside as ``duplicate ticket_id``; ``"last"`` keeps the last row, as for
        an event log with one row per state change (ServiceNow, Jira), and sets the
        earlier ones aside as ``earlier row of the same ticket_id`` (still counted).
    combine : mapping, optional
        New column -> source columns joined with a space before anything else, e.g.
        ``{"created_at": ["Date", "Time"]}`` when the date and the time of day are in
        two columns. The value is missing where any part is; the source columns are
        kept. A new name that is a canonical name needs no entry in ``columns``.
    fallback : mapping, optional
        Canonical column -> another column (name after the mapping) whose value fills it
        where it is empty, e.g. ``{"resolved_at": "closed_at"}`` for incidents closed
        without a resolution time. The cells filled are counted in ``notes``.
    vendor : str, optional
        The helpdesk vendor whose own ticket export ``source`` is (``"zendesk"``,
        ``"freshdesk"``, ``"intercom"``, ``"hubspot"``): see :func:`load_responses`.
    vendor_options : mapping, optional
        Options of the vendor's reader (see its module).

    Returns
    -------
    LoadResult
        ``data`` has the canonical ticket columns present (timestamps as naive
        ``datetime64``; ``contacts``, ``handle_time`` as numbers; ``reopened`` as 0/1),
        then the other columns. A missing ``first_response_at`` or ``resolved_at`` is
        kept (the ticket is unanswered or open). Rows set aside: missing or duplicate
        ``ticket_id``; missing or unreadable ``created_at``; unreadable other
        timestamps; a first response or resolution before creation, or a resolution
        before the first response; negative or non-numeric ``contacts`` /
        ``handle_time``; ``reopened`` other than 0/1, yes/no, true/false.
        ``handle_time`` is in seconds, or ``HH:MM:SS`` text (converted to seconds).

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "id": ["T1", "T2", "T3"],
    ...     "opened": ["2024-03-01 09:00", "2024-03-01 10:00", "2024-03-02 08:00"],
    ...     "closed": ["2024-03-01 11:30", "2024-02-28 10:00", None]})
    >>> loaded = load_tickets(frame, columns={"id": "ticket_id", "opened": "created_at",
    ...                                       "closed": "resolved_at"})
    >>> loaded.data[["ticket_id", "resolved_at"]]
      ticket_id         resolved_at
    0        T1 2024-03-01 11:30:00
    1        T3                 NaT
    >>> loaded.rejected[["source_row", "reason"]]  # doctest: +NORMALIZE_WHITESPACE
       source_row                    reason
    0           2  resolved before creation

    An event log (several rows per ticket, the last one final) with the date and the
    time of day in separate columns:

    >>> log = pd.DataFrame({"id": ["A", "A", "B"], "day": ["2024-03-01"] * 3,
    ...                     "time": ["09:00", "09:00", "10:30"], "state": ["New", "Closed", "New"]})
    >>> loaded = load_tickets(log, columns={"id": "ticket_id"}, duplicates="last",
    ...                       combine={"created_at": ["day", "time"]})
    >>> loaded.data[["ticket_id", "created_at", "state"]]
      ticket_id          created_at   state
    0         A 2024-03-01 09:00:00  Closed
    1         B 2024-03-01 10:30:00     New
    >>> loaded.rejected[["source_row", "reason"]]  # doctest: +NORMALIZE_WHITESPACE
       source_row                             reason
    0           1  earlier row of the same ticket_id
    """
    _reject_unknown_options(unknown, TICKET_OPTIONS, "load_tickets")
    if vendor is not None:
        return load_vendor_file(
            load_tickets, "tickets", source, vendor, timezone=timezone, encoding=encoding,
            sheet=sheet, vendor_options=vendor_options, columns=columns, date_format=date_format, dayfirst=dayfirst,
            nonexistent=nonexistent, ambiguous=ambiguous, decimal=decimal,
            thousands=thousands, na_values=na_values, strict=strict, duplicates=duplicates,
            combine=combine, fallback=fallback)
    timezone = "UTC" if timezone is None else timezone
    _check_number_format(decimal, thousands, sep)
    _check_local_time_options(nonexistent, ambiguous)
    options = {"timezone": _check_timezone(timezone), "date_format": date_format,
               "dayfirst": dayfirst, "na_values": _check_na_values(na_values),
               "columns": _check_columns(columns), "strict": strict,
               "nonexistent": nonexistent, "ambiguous": ambiguous, "decimal": decimal,
               "thousands": thousands, "sheet": _check_sheet(sheet)}
    if dayfirst not in (None, True, False) or not isinstance(strict, bool):
        raise ParameterError("dayfirst must be True, False or None and strict True or False; "
                             f"got dayfirst={dayfirst!r}, strict={strict!r}.")
    if duplicates not in ("first", "last"):
        raise ParameterError(
            f"duplicates must be 'first' (keep the first row of a repeated ticket_id) or "
            f"'last' (keep the last, for event logs); got {duplicates!r}.")
    combine = _check_combine(combine)
    raw, name, sep_used = _read_source(source, encoding=encoding, sep=sep, sheet=sheet,
                                       decimal=decimal, thousands=thousands)
    notes: list[str] = []
    if not isinstance(source, pd.DataFrame):
        raw = _apply_na_values(raw, options, notes)
    try:
        raw = _combine_columns(raw, combine, name, notes)
        frame, _ = _rename_columns(raw, options["columns"], name, notes)
        require_columns(frame, ["ticket_id", "created_at"],
                        f"{_display_name(name)} has no column {{missing}} after the column "
                        "mapping. Its columns are: {found}. Map the ticket id and creation "
                        "time, e.g. columns={{'Ticket': 'ticket_id', 'Opened': 'created_at'}}.")
    except MissingColumnError as exc:
        _suggest_sheet(name, options["sheet"], exc,
                       lambda found: _tickets_fit(found, options["columns"], combine))
        raise
    if not len(frame):
        raise NoValidRowsError(f"{_display_name(name)} has column names but no tickets.")
    frame = _fill_from(frame, fallback, name, notes)
    issues = _RowIssues(len(frame))
    parsed = _parse_ticket_columns(frame, options, issues, notes, duplicates)
    return _ticket_result(frame, parsed, issues, name, notes,
                          dict(options, source=name, sep=sep_used, duplicates=duplicates,
                               combine={k: list(v) for k, v in combine.items()},
                               fallback=dict(fallback or {})))


def _tickets_fit(found: list, columns: dict, combine: dict[str, list[str]]) -> bool:
    """Would a sheet with these columns give ``ticket_id`` and ``created_at``?"""
    if any(key != ROW_NUMBER and key not in found for key in columns):
        return False
    if any(part not in found for parts in combine.values() for part in parts):
        return False
    names = [*found, *combine]
    renamed = {columns.get(c, _snake(c)) for c in names}
    renamed |= {columns[ROW_NUMBER]} if ROW_NUMBER in columns else set()
    return {"ticket_id", "created_at"} <= renamed


def _fill_from(frame: pd.DataFrame, fallback, name: str, notes: list[str]) -> pd.DataFrame:
    """Fill empty cells of a column from another column, counting the cells filled."""
    if not fallback:
        return frame
    if not isinstance(fallback, Mapping):
        raise ParameterError("fallback must map a column to the column that fills its empty "
                             f"cells, e.g. {{'resolved_at': 'closed_at'}}; got {fallback!r}.")
    require_columns(frame, [*fallback, *fallback.values()],
                    f"fallback names {{missing}}, which {_display_name(name)} does not have "
                    "after the column mapping. Its columns are: {found}.")
    out = frame.copy()
    for target, source in fallback.items():
        empty = _is_blank(out[target]) & ~_is_blank(out[source])
        out[target] = out[target].where(~empty, out[source])
        notes.append(f"{target}: {int(empty.sum()):,} empty cells filled from {source} (counted "
                     "over the rows read, before any are set aside).")
    return out


def _check_combine(combine) -> dict[str, list[str]]:
    if combine is None:
        return {}
    ok = isinstance(combine, Mapping) and all(
        isinstance(k, str) and not isinstance(v, str) and isinstance(v, Sequence) and len(v) >= 2
        and all(isinstance(c, str) for c in v) for k, v in combine.items())
    if not ok:
        raise ParameterError(
            "combine must map a new column to two or more source columns, e.g. "
            f"{{'created_at': ['Date', 'Time']}}; got {combine!r}.")
    return {k: list(v) for k, v in combine.items()}


def _combine_columns(raw: pd.DataFrame, combine: dict[str, list[str]], name: str,
                     notes: list[str]) -> pd.DataFrame:
    """Join source columns with a space into new columns (missing where any part is)."""
    if not combine:
        return raw
    out = raw.copy()
    for new, parts in combine.items():
        require_columns(raw, parts, f"combine[{new!r}] names {{missing}}, which "
                        f"{_display_name(name)} does not have. Its columns are: {{found}}. "
                        "Use the source column names.")
        text = [raw[c].astype("string").str.strip() for c in parts]
        missing = np.logical_or.reduce([(t.isna() | (t == "")).to_numpy(bool) for t in text])
        joined = text[0]
        for part in text[1:]:
            joined = joined + " " + part
        out[new] = pd.Series(joined.to_numpy(dtype=object), index=raw.index).mask(missing)
        notes.append(f"Column {new!r} is {' + '.join(repr(c) for c in parts)} joined with a space.")
    return out


def _parse_ticket_columns(frame: pd.DataFrame, options: dict, issues: _RowIssues,
                          notes: list[str], duplicates: str = "first") -> dict[str, np.ndarray]:
    parsed: dict[str, np.ndarray] = {}
    _check_ticket_ids(frame["ticket_id"], issues, duplicates)
    clocks = []
    for column in (c for c in _TIMES if c in frame.columns):
        parsed[column] = _parse_time(frame[column], options, issues, notes, clocks)
    _add_clock_problems(clocks, issues)
    _check_order(parsed, issues)
    for column in (c for c in _COUNTS if c in frame.columns):
        parsed[column] = _parse_count(frame[column], issues, options.get("decimal", "."),
                                      options.get("thousands"))
    if "reopened" in frame.columns:
        parsed["reopened"] = _parse_flag(frame["reopened"], issues)
    return parsed


def _check_ticket_ids(ids: pd.Series, issues: _RowIssues, duplicates: str = "first") -> None:
    missing = _is_blank(ids)
    issues.add(missing, "missing ticket_id", "ticket_id is empty")
    duplicate = ids.duplicated(keep=duplicates).to_numpy() & ~missing
    if duplicates == "first":
        issues.add(duplicate, "duplicate ticket_id",
                   [f"ticket_id {v!r} appears on an earlier row" for v in ids[duplicate]])
    else:
        issues.add(duplicate, "earlier row of the same ticket_id",
                   [f"ticket_id {v!r} appears on a later row (duplicates='last' keeps that one)"
                    for v in ids[duplicate]])


def _parse_time(values: pd.Series, options: dict, issues: _RowIssues,
                notes: list[str], clocks: list | None = None) -> np.ndarray:
    column = str(values.name)
    times, missing, _, changes = _parse_dates(values, options, notes, local_times=True)
    if clocks is not None:
        clocks.extend(changes.problems(values))
    if column == "created_at":
        issues.add(missing, "missing created_at", "created_at is empty")
    bad = np.isnat(times) & ~missing
    issues.add(bad, f"unreadable {column}",
               [f"{column} {v!r} is not a date and time" for v in values[bad]])
    return times


def _add_clock_problems(clocks: list, issues: _RowIssues) -> None:
    """One reason per row for times at a change of clocks, whichever columns hold them."""
    for reason in dict.fromkeys(r for r, _, _ in clocks):
        items = [(mask, details) for r, mask, details in clocks if r == reason]
        n = len(items[0][0])
        joined = np.full(n, "", dtype=object)
        for mask, details in items:
            at = np.flatnonzero(mask)
            joined[at] = np.where(joined[at] == "", details,
                                  joined[at] + "; " + np.asarray(details, dtype=object))
        issues.add(joined != "", reason, joined[joined != ""])


def _check_order(parsed: dict, issues: _RowIssues) -> None:
    pairs = (("first_response_at", "created_at", "first response before creation"),
             ("resolved_at", "created_at", "resolved before creation"),
             ("resolved_at", "first_response_at", "resolved before the first response"))
    for later, earlier, reason in pairs:
        if later in parsed and earlier in parsed:
            wrong = parsed[later] < parsed[earlier]
            issues.add(wrong, reason, [
                f"{later} {pd.Timestamp(a)} is before {earlier} {pd.Timestamp(b)}"
                for a, b in zip(parsed[later][wrong], parsed[earlier][wrong])])


_HMS = re.compile(r"^\s*\d+:\d{2}(:\d{2}(\.\d+)?)?\s*$")


def _parse_count(values: pd.Series, issues: _RowIssues, decimal: str = ".",
                 thousands: str | None = None) -> np.ndarray:
    numbers = _to_numbers(values, decimal, thousands)
    if values.name == "handle_time" and not pd.api.types.is_numeric_dtype(values.dtype):
        text = values.astype("string")
        clock = text.str.match(_HMS.pattern).to_numpy(dtype=bool, na_value=False)
        if clock.any():  # HH:MM:SS (or MM:SS) durations -> seconds
            padded = text[clock].where(text[clock].str.count(":") == 2, "00:" + text[clock])
            numbers[clock] = pd.to_timedelta(padded.str.strip()).dt.total_seconds().to_numpy(float)
    bad = (values.notna().to_numpy() & ~np.isfinite(numbers)) | (numbers < 0)
    issues.add(bad, f"invalid {values.name}",
               [f"{values.name} {v!r} is not a number of 0 or more{_number_hint(v, decimal)}"
                for v in values[bad]])
    return numbers


def _parse_flag(values: pd.Series, issues: _RowIssues) -> np.ndarray:
    text = values.astype("string").str.strip().str.lower()
    flags = text.map(_FLAGS).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    bad = values.notna().to_numpy() & np.isnan(flags)
    issues.add(bad, "invalid reopened",
               [f"reopened {v!r} is not 0/1, yes/no or true/false" for v in values[bad]])
    return flags


def _ticket_result(frame: pd.DataFrame, parsed: dict, issues: _RowIssues, name: str,
                   notes: list[str], options: dict) -> LoadResult:
    positions, reasons, details = issues.table()
    rejected = _rejected_frame(frame, positions, reasons, details)
    keep = ~issues.flagged()
    if not keep.any():
        counts = rejected["reason"].value_counts()
        raise NoValidRowsError(
            f"No usable tickets in {_display_name(name)}: all {len(frame):,} rows were set "
            f"aside ({', '.join(f'{r} {n:,}' for r, n in counts.items())}). Examples: "
            f"{show_values(rejected['detail'], 3)}. Check the column mapping and date_format.")
    if options["strict"] and len(rejected):
        raise RejectedRowsError(
            f"strict=True and {len(rejected):,} of {len(frame):,} tickets in "
            f"{_display_name(name)} have problems; examples: {show_values(rejected['detail'], 3)}."
            " Fix them in the source, or load without strict=True to set them aside.")
    kept = frame[keep].reset_index(drop=True)
    data = {c: (parsed[c][keep] if c in parsed else kept[c])
            for c in TICKET_COLUMNS if c in kept.columns}
    data.update({c: _maybe_numeric(kept[c]) for c in kept.columns if c not in TICKET_COLUMNS})
    options = {k: v for k, v in options.items() if k != "columns"} | {
        "columns": dict(options["columns"])}
    return LoadResult(data=pd.DataFrame(data), rejected=rejected, source=name,
                      n_read=len(frame), notes=notes, options=options)


@dataclass
class JoinResult:
    """Survey answers joined with another table, with the accounting of every answer.

    Attributes
    ----------
    data : DataFrame
        Every answer (none dropped), with the other table's columns added; answers
        without a match have them missing.
    accounting : DataFrame
        ``item``, ``rows``: answers, matched, without an id, id not found.
    on : str
        The key column.
    """

    data: pd.DataFrame
    accounting: pd.DataFrame
    on: str

    @property
    def matched(self) -> pd.DataFrame:
        """The answers that found their row in the other table."""
        return self.data[self.data["_matched"]].drop(columns="_matched")

    def summary(self) -> str:
        """One sentence on how many answers were matched."""
        rows = dict(zip(self.accounting["item"], self.accounting["rows"]))
        share = 100 * rows["matched"] / rows["answers"] if rows["answers"] else 0.0
        return (f"{rows['matched']:,} of {rows['answers']:,} answers ({share:.1f}%) matched a "
                f"row by {self.on}; {rows['without ' + self.on]:,} had no {self.on} and "
                f"{rows[self.on + ' not found']:,} had one that is not in the table.")

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.accounting)


def join_answers(answers: pd.DataFrame, table: pd.DataFrame, *, on: str = "ticket_id",
                 prefix: str | None = None) -> JoinResult:
    """Attach a ticket (or order) table to survey answers by an id, counting misses.

    Parameters
    ----------
    answers : DataFrame
        Survey answers with the key column ``on``.
    table : DataFrame
        One row per key (e.g. ``load_tickets(...).data``); duplicate keys are an error.
    on : str
        The key column, present in both.
    prefix : str, optional
        Put before the table's columns whose names the answers already use (default:
        the table's value wins only where the answers have no such column, and the
        answers' own columns are kept).

    Returns
    -------
    JoinResult

    Examples
    --------
    >>> answers = pd.DataFrame({"response_id": [1, 2, 3], "ticket_id": ["T1", None, "T9"]})
    >>> tickets = pd.DataFrame({"ticket_id": ["T1"], "contacts": [2]})
    >>> joined = join_answers(answers, tickets)
    >>> joined.summary()
    '1 of 3 answers (33.3%) matched a row by ticket_id; 1 had no ticket_id and 1 had one that is not in the table.'
    >>> joined.matched
       response_id ticket_id  contacts
    0            1        T1       2.0
    """
    for frame, name in ((answers, "the answers"), (table, "the table")):
        require_columns(frame, [on], f"{name} have no column {{missing}} to join on; "
                        "columns found: {found}. Set on= to the shared id column.")
    doubles = table[on][table[on].duplicated() & table[on].notna()]
    if len(doubles):
        raise DataError(f"The table has {len(doubles):,} repeated {on} values, such as "
                        f"{show_values(doubles)}; keep one row per {on} before joining "
                        "(load_tickets sets duplicates aside).")
    shared = [c for c in table.columns if c != on and c in answers.columns]
    right = table.drop(columns=shared) if prefix is None else table.rename(
        columns={c: prefix + c for c in shared})
    key = answers[on].astype("string").str.strip()
    lookup = right.assign(**{on: right[on].astype("string").str.strip(), "_matched": True})
    data = answers.assign(_key=key.to_numpy()).merge(
        lookup.rename(columns={on: "_key"}), on="_key", how="left", sort=False)
    data = data.drop(columns="_key").assign(_matched=lambda d: d["_matched"].eq(True))
    no_id = int(key.isna().sum() + key.eq("").sum())
    matched = int(data["_matched"].sum())
    accounting = pd.DataFrame({"item": ["answers", "matched", f"without {on}",
                                        f"{on} not found"],
                               "rows": [len(answers), matched, no_id,
                                        len(answers) - matched - no_id]})
    return JoinResult(data=data, accounting=accounting, on=on)


def add_durations(data: pd.DataFrame, durations: Mapping[str, Sequence[str]], *,
                  unit: str = "hours") -> pd.DataFrame:
    """Add elapsed-time columns from pairs of timestamp columns.

    Parameters
    ----------
    data : DataFrame
        Frame with the timestamp columns (datetime, or text in ISO 8601).
    durations : mapping
        New column -> ``[start column, end column]`` or ``[start, end, unit]``,
        e.g. ``{"first_response_hours": ["created_at", "first_response_at"]}``.
    unit : str
        ``"hours"`` (default), ``"minutes"``, ``"days"`` or ``"seconds"``.

    Returns
    -------
    DataFrame
        A copy with the new columns; missing where either time is missing. Negative
        values are kept (e.g. a delivery earlier than promised gives negative
        lateness); :func:`~csat_toolkit.drivers.speed_buckets` rejects them for
        response times.

    Raises
    ------
    DataError
        A column holds text that is not a date and time (values shown).

    Examples
    --------
    >>> frame = pd.DataFrame({"created_at": ["2024-03-01 09:00"],
    ...                       "first_response_at": ["2024-03-01 10:30"]})
    >>> add_durations(frame, {"frt": ["created_at", "first_response_at"]})["frt"].tolist()
    [1.5]
    """
    if not isinstance(durations, Mapping):
        raise ParameterError("durations must map a new column to [start, end] (or "
                             f"[start, end, unit]); got {durations!r}.")
    added = {}
    for name, spec in durations.items():
        start, end, each = _duration_spec(name, spec, unit)
        require_columns(data, [start, end], f"durations[{name!r}] needs {{missing}}; "
                        "columns found: {found}. Fix the column names.")
        delta = _as_time(data[end], end) - _as_time(data[start], start)
        added[name] = (delta.dt.total_seconds() / _UNITS[each]).to_numpy(dtype=float)
    return data.assign(**added)


def _duration_spec(name: str, spec: Any, unit: str) -> tuple[str, str, str]:
    if isinstance(spec, str) or not isinstance(spec, Sequence) or len(spec) not in (2, 3):
        raise ParameterError(f"durations[{name!r}] must be [start column, end column] or "
                             f"[start, end, unit]; got {spec!r}.")
    each = spec[2] if len(spec) == 3 else unit
    if each not in _UNITS:
        raise ParameterError(f"Unknown unit {each!r} for durations[{name!r}]; use one of "
                             f"{', '.join(_UNITS)}.")
    return str(spec[0]), str(spec[1]), each


def _as_time(values: pd.Series, column: str) -> pd.Series:
    return parse_iso_times(values, f"Column {column!r}",
                           hint="load the table with load_tickets(date_format=...)")


def derive_columns(data: pd.DataFrame, expressions: Mapping[str, str]) -> pd.DataFrame:
    """Add columns computed from others with pandas expressions, e.g. flags.

    A derived value is missing wherever a column the expression uses is missing (so
    ``"late_days > 0"`` is missing, not False, for an order never delivered).
    Expressions are evaluated in order, so later ones may use earlier ones; booleans
    become 0/1.

    Parameters
    ----------
    data : DataFrame
    expressions : mapping
        New column -> expression for :meth:`pandas.DataFrame.eval`, e.g.
        ``{"late": "late_days > 0", "total": "price + freight"}``.

    Examples
    --------
    >>> frame = pd.DataFrame({"late_days": [2.0, -1.0, None]})
    >>> derive_columns(frame, {"late": "late_days > 0"})["late"].tolist()
    [1.0, 0.0, nan]
    """
    if not isinstance(expressions, Mapping):
        raise ParameterError("derive must map a new column to an expression, e.g. "
                             f"{{'late': 'late_days > 0'}}; got {expressions!r}.")
    out = data.copy()
    for name, expression in expressions.items():
        used = [c for c in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", str(expression))
                if c in out.columns]
        try:
            values = out.eval(str(expression))
        except Exception as exc:  # pandas raises many types for a bad expression
            raise ParameterError(
                f"derive[{name!r}] = {expression!r} cannot be computed ({exc}). Use column "
                f"names of the data ({show_values(list(out.columns), 15)}) and operators "
                "such as > < == & | + - * /.") from exc
        values = pd.Series(values, index=out.index).astype(float)
        missing = out[used].isna().any(axis=1) if used else np.zeros(len(out), dtype=bool)
        out[name] = values.mask(missing)
    return out


def set_missing(data: pd.DataFrame, values: Mapping[str, Sequence] | Sequence,
                columns: Sequence[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mark codes such as 0 = "not applicable" as missing, and count them.

    Parameters
    ----------
    data : DataFrame
    values : mapping or list
        Column -> codes that mean "no answer", or one list of codes for every column in
        ``columns``.
    columns : list, optional
        The columns a plain list of codes applies to.

    Returns
    -------
    (DataFrame, DataFrame)
        The copy with those cells missing, and a count per column (``column``,
        ``codes``, ``cells``).

    Examples
    --------
    >>> frame = pd.DataFrame({"wifi": [0, 3, 5], "food": [4, 0, 0]})
    >>> clean, counts = set_missing(frame, [0], ["wifi", "food"])
    >>> counts["cells"].tolist()
    [1, 2]
    """
    if not isinstance(values, Mapping):
        values = {c: list(values) for c in (columns or [])}
    require_columns(data, list(values), "Codes for missing answers name {missing}, which the "
                    "data does not have; columns found: {found}.")
    out, rows = data.copy(), []
    for column, codes in values.items():
        hit = out[column].isin(list(codes))
        out[column] = out[column].mask(hit)
        rows.append({"column": column, "codes": ", ".join(map(str, codes)),
                     "cells": int(hit.sum())})
    return out, pd.DataFrame(rows, columns=["column", "codes", "cells"])


# --- which named columns a report can use ------------------------------------------------


@dataclass
class ColumnCheck:
    """Which of the columns named by parameters exist (see :func:`resolve_columns`).

    Attributes
    ----------
    found : dict
        Parameter -> the columns it names that exist, in the order given.
    missing : DataFrame
        One row per named column that does not exist: ``parameter``, ``column``,
        ``nearest`` (the closest existing column, or missing), ``elsewhere`` (the other
        table that has it, or missing).
    where : str
        What the columns were looked up in (for the sentences).
    """

    found: dict[str, list[str]]
    missing: pd.DataFrame
    where: str = "the data"

    def __getitem__(self, parameter: str) -> list[str]:
        return self.found.get(parameter, [])

    def sentences(self) -> list[str]:
        """One sentence per parameter with absent columns: which, the nearest, and what is done."""
        out = []
        for parameter, part in self.missing.groupby("parameter", sort=False):
            named = []
            for row in part.itertuples(index=False):
                text = repr(row.column)
                if isinstance(row.elsewhere, str):
                    text += f" (it is in {row.elsewhere}, not in {self.where})"
                elif isinstance(row.nearest, str):
                    text += f" (nearest: {row.nearest!r})"
                named.append(text)
            kept = self.found.get(parameter, [])
            rest = (f"it goes on with {', '.join(map(repr, kept))}" if kept
                    else "that part is skipped")
            out.append(f"{parameter} names {', '.join(named)}, not a column of {self.where}: "
                       f"{rest}. Map or derive the column, or change {parameter}.")
        return out

    def _repr_html_(self) -> str:
        sentences = self.sentences() or [f"Every named column is a column of {self.where}."]
        return result_html(sentences, self.missing if len(self.missing) else None)


def _as_names(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def resolve_columns(
    parameters: Mapping[str, str | Sequence[str] | None],
    columns,
    *,
    where: str = "the data",
    elsewhere: Mapping[str, Sequence[str]] | None = None,
    required: Sequence[str] = (),
) -> ColumnCheck:
    """Check the columns that parameters name against the columns a table has.

    Every parameter that names a column (``drivers``, ``nonresponse_cells``, ``sla_by``,
    ``target_key`` ...) goes through here once, after derived columns are added, so a
    column is never dropped silently: the absent ones are listed with the nearest
    existing name, and for ``required`` parameters they are an error.

    Parameters
    ----------
    parameters : mapping
        Parameter name -> a column name, a list of them, or ``None`` (names nothing).
    columns : DataFrame or iterable of str
        The table (or its column names) the parameters refer to.
    where : str
        How to call that table in sentences, e.g. ``"the tickets"``.
    elsewhere : mapping, optional
        Other tables' names -> their columns, to say where an absent column is instead.
    required : list of str
        Parameters whose absent columns raise an error instead of a sentence.

    Returns
    -------
    ColumnCheck

    Raises
    ------
    MissingColumnError
        A ``required`` parameter names a column that does not exist (the message names
        the nearest existing one).

    Examples
    --------
    >>> check = resolve_columns({"cells": ["chanel", "team"], "agent": None},
    ...                         ["channel", "team", "score"], where="the tickets")
    >>> check["cells"]
    ['team']
    >>> check.sentences()
    ["cells names 'chanel' (nearest: 'channel'), not a column of the tickets: it goes on with 'team'. Map or derive the column, or change cells."]
    """
    names = [str(c) for c in (columns.columns if isinstance(columns, pd.DataFrame) else columns)]
    present = set(names)
    found, rows = {}, []
    for parameter, value in parameters.items():
        wanted = _as_names(value)
        found[parameter] = [c for c in wanted if c in present]
        for column in (c for c in wanted if c not in present):
            close = difflib.get_close_matches(column, names, n=1, cutoff=0.6)
            other = next((label for label, cols in (elsewhere or {}).items()
                          if column in {str(c) for c in cols}), None)
            rows.append({"parameter": parameter, "column": column,
                         "nearest": close[0] if close else None, "elsewhere": other})
    missing = pd.DataFrame(rows, columns=["parameter", "column", "nearest", "elsewhere"])
    check = ColumnCheck(found=found, missing=missing, where=where)
    bad = missing[missing["parameter"].isin(list(required))]
    if len(bad):
        raise MissingColumnError(
            "; ".join(
                f"{r.parameter}={r.column!r} is not a column of {where}"
                + (f" (did you mean {r.nearest!r}?)" if isinstance(r.nearest, str) else "")
                for r in bad.itertuples(index=False))
            + f". Columns present: {show_values(names, limit=12)}. Map the column (columns=), "
            "derive it (derive=), or change the parameter.")
    return check


@dataclass
class DerivedColumns:
    """A table with the durations and derived columns that could be computed on it.

    Attributes
    ----------
    data : DataFrame
    added : list of str
        The new columns, in order.
    not_added : dict
        New column -> why it could not be computed on this table.
    """

    data: pd.DataFrame
    added: list[str]
    not_added: dict[str, str]

    def sentences(self, where: str = "the data") -> list[str]:
        """One sentence listing the columns not computed, with why."""
        if not self.not_added:
            return []
        return [f"Not computed on {where}: " + "; ".join(
            f"{name} ({why})" for name, why in self.not_added.items()) + "."]

    def _repr_html_(self) -> str:
        added = (f"Added {len(self.added)} column(s): {', '.join(self.added)}." if self.added
                 else "No column added.")
        return result_html([added, *self.sentences()], None)


def add_derived(
    data: pd.DataFrame,
    *,
    durations: Mapping[str, Sequence[str]] | None = None,
    derive: Mapping[str, str] | None = None,
    unit: str = "hours",
    skip: Sequence[str] = (),
    strict: bool = False,
) -> DerivedColumns:
    """Add the durations and derived columns that a table has the inputs for.

    Called on each table a notebook reads (the tickets, then the answers joined to
    them) so that a column made with ``derive`` is visible to every parameter that
    names a column of that table. Durations whose start or end column is absent are
    not computed (and said so); a ``derive`` expression that cannot be computed on this
    table is listed in ``not_added``, or raises with ``strict=True`` (use it on the last
    table, where a column used by no table is an error).

    Parameters
    ----------
    data : DataFrame
    durations : mapping, optional
        New column -> ``[start, end]`` or ``[start, end, unit]``
        (:func:`csat_toolkit.tables.add_durations`).
    derive : mapping, optional
        New column -> expression (:func:`csat_toolkit.tables.derive_columns`).
    unit : str
        Unit of the durations.
    skip : list of str
        New columns already computed on another table (kept as they are here).
    strict : bool
        Raise the expression's error when it cannot be computed.

    Returns
    -------
    DerivedColumns

    Raises
    ------
    ParameterError
        With ``strict=True``, an expression that cannot be computed (it names the
        columns of the table).

    Examples
    --------
    >>> tickets = pd.DataFrame({"created_at": ["2024-03-01 09:00"], "priority": ["urgent"],
    ...                         "first_response_at": ["2024-03-01 10:30"]})
    >>> out = add_derived(tickets, durations={"frt": ["created_at", "first_response_at"],
    ...                                       "rt": ["created_at", "resolved_at"]},
    ...                   derive={"urgent": "priority == 'urgent'", "good": "score >= 4"})
    >>> out.added, out.data["urgent"].tolist()
    (['frt', 'urgent'], [1.0])
    >>> out.not_added["rt"]
    "needs 'resolved_at'"
    """

    out, added, not_added = data, [], {}
    for name, spec in (durations or {}).items():
        if name in skip:
            continue
        columns = list(spec[:2]) if isinstance(spec, Sequence) and not isinstance(spec, str) else []
        absent = [str(c) for c in columns if c not in out.columns]
        if absent:
            not_added[name] = f"needs {', '.join(map(repr, absent))}"
            continue
        out = add_durations(out, {name: spec}, unit=unit)
        added.append(name)
    if derive is not None and not isinstance(derive, Mapping):
        derive_columns(out, derive)  # raises the ParameterError that explains the form
    for name, expression in (derive or {}).items():
        if name in skip:
            continue
        try:
            out = derive_columns(out, {name: expression})
        except ParameterError as error:
            if strict:
                raise
            used = [c for c in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", str(expression))
                    if c not in out.columns and not hasattr(pd.Series, c)
                    and c not in ("and", "or", "not", "in", "True", "False")]
            not_added[name] = (f"{', '.join(map(repr, used))} not here" if used
                               else str(error))
            continue
        added.append(name)
    return DerivedColumns(data=out, added=added, not_added=not_added)
