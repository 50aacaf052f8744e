"""Reading the revenue and customer tables: :func:`read_table` (CSV, Parquet or Excel, every
cell as text, column names mapped or made snake case, numbers written with another decimal
mark made plain) and :func:`read_inputs` (the optional revenue and customers tables of the
NPS-and-revenue report, read with the same options). The revenue analyses turn the text
into months and amounts themselves and count the rows they cannot read.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError, require_columns, show_values
from ._common import _snake
from .reading import _read_source

__all__ = ["read_table", "read_inputs", "READ_OPTIONS", "month_numbers"]


# --- inputs for the notebook ----------------------------------------------------------------


def read_table(
    path,
    *,
    columns: dict | None = None,
    required: Sequence[str] = (),
    encoding: str = "utf-8-sig",
    sep: str | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    sheet: str | int | None = None,
    what: str = "table",
) -> pd.DataFrame:
    """Read a revenue or customer table (CSV, Parquet or Excel) as text columns.

    Columns named in ``columns`` (source name -> canonical name) are renamed; the
    others get lower snake-case names ("Total Revenue" -> ``total_revenue``). Every
    cell is read as text and only empty cells are missing, so a region "NA" (North
    America) stays a region; the revenue functions turn numbers and months into
    values themselves and count the rows they cannot read.

    With ``decimal`` or ``thousands`` (e.g. ``decimal=","``, ``thousands="."`` for
    "1.234,56"), every column whose filled cells are all numbers written that way is
    rewritten as plain numbers ("1234.56"), still as text; a column with one cell that
    is not such a number (a text column, or numbers already plain) is left alone. The
    shared reader (``io._read_source``) does this when it takes these keywords; with an
    older reader this function does it itself, leaving the id columns
    (``customer_id``, ``account_id``) and ``period`` alone.

    Parameters
    ----------
    path : str, path or DataFrame
        The file (a DataFrame is renamed and checked as it is).
    columns : dict, optional
        Source column -> canonical name, e.g. ``{"Customer": "customer_id"}``.
    required : sequence of str
        Canonical columns that must be present.
    encoding, sep
        Text encoding and delimiter of a CSV (``sep=None`` detects it).
    decimal, thousands : str
        Decimal mark and thousands separator of the numbers (single characters, not
        equal); defaults ``"."`` and none.
    sheet : str or int, optional
        Excel sheet name or position (default the first sheet).
    what : str
        What the table is, for messages ("revenue table").

    Returns
    -------
    DataFrame

    Raises
    ------
    FileFormatError
        The file is missing, empty or unreadable.
    MissingColumnError
        A ``columns`` key or a ``required`` column is absent.
    ParameterError
        ``decimal`` / ``thousands`` are not single different characters, or the CSV
        separator is the decimal mark.

    Examples
    --------
    >>> raw = pd.DataFrame({"Customer": ["a"], "Month": ["2024-01"], "Net Revenue": ["10"],
    ...                     "Region": ["NA"]})
    >>> read_table(raw, columns={"Customer": "customer_id", "Month": "period",
    ...                          "Net Revenue": "revenue"}).columns.tolist()
    ['customer_id', 'period', 'revenue', 'region']
    >>> euro = pd.DataFrame({"customer_id": ["C1"], "revenue": ["1.234,5"], "plan": ["B"]})
    >>> read_table(euro, decimal=",", thousands=".").values.tolist()
    [['C1', '1234.5', 'B']]
    """
    import inspect

    _check_number_marks(decimal, thousands, sep)
    columns = dict(columns or {})
    extra = {}
    if decimal != "." or thousands is not None:  # only when given: older readers lack them
        if {"decimal", "thousands"} <= set(inspect.signature(_read_source).parameters):
            extra = {"decimal": decimal, "thousands": thousands}
    raw, name, _ = _read_source(path, encoding=encoding, sep=sep,
                                sheet=0 if sheet is None else sheet, **extra)
    label = Path(name).name if name != "DataFrame" else "the DataFrame"
    frame = raw.rename(columns=renamed_columns(raw.columns, columns, required, what, label))
    if (decimal != "." or thousands is not None) and not extra:
        frame = _plain_numbers(frame, decimal, thousands)  # older reader: do it here
    return frame


_KEEP_AS_TEXT = ("customer_id", "account_id", "period")


def renamed_columns(names, columns: dict, required, what: str, label: str) -> dict:
    """Source name -> canonical name of a table's columns (``columns``, else snake case),
    checked: every mapped source name exists, no two columns end up with one name, and the
    ``required`` names are there. Errors name the table (``what``, ``label``) and what to do.

    Examples
    --------
    >>> renamed_columns(["Customer", "Net Revenue"], {"Customer": "customer_id"},
    ...                 ["customer_id"], "revenue table", "r.csv")
    {'Customer': 'customer_id', 'Net Revenue': 'net_revenue'}
    """
    raw = pd.DataFrame(columns=list(names))
    require_columns(raw, list(columns),
                    f"The {what} ({label}) has no column(s) {{missing}} named in its column "
                    "mapping; its columns are {found}. Fix the mapping's source names.")
    renamed = {c: columns.get(c, _snake(c)) for c in raw.columns}
    frame = raw.rename(columns=renamed)
    if not frame.columns.is_unique:
        doubles = frame.columns[frame.columns.duplicated()].tolist()
        raise DataError(f"The {what} ({label}) has two columns named {show_values(doubles)} "
                        "after renaming; map only one of them.")
    require_columns(frame, list(required),
                    f"The {what} ({label}) needs the column(s) {{missing}}; found {{found}}. "
                    "Map your names to them, e.g. {{'Customer': 'customer_id'}}.")
    return renamed


def _check_number_marks(decimal, thousands, sep) -> None:
    for name, value in (("decimal", decimal), ("thousands", thousands)):
        if value is None and name == "thousands":
            continue
        if not isinstance(value, str) or len(value) != 1 or value.isalnum():
            raise ParameterError(f"{name} must be one character such as ',' or '.'; got "
                                 f"{value!r}.")
    if thousands == decimal:
        raise ParameterError(f"decimal and thousands are both {decimal!r}: give two different "
                             "marks, e.g. decimal=',' and thousands='.'.")
    if sep is not None and sep == decimal:
        raise ParameterError(f"sep={sep!r} is also the decimal mark: numbers such as '1{sep}5' "
                             "would split into two fields. Give the file's real separator "
                             "(e.g. sep=';') or decimal='.'.")


def _plain_numbers(frame: pd.DataFrame, decimal: str, thousands: str | None) -> pd.DataFrame:
    """Columns whose filled cells are all numbers written with these marks, made plain."""
    import re

    d = re.escape(decimal)
    whole = rf"(?:\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+|\d+)" if thousands else r"\d+"
    pattern = rf"^[+-]?{whole}(?:{d}\d+)?$"
    out = frame.copy()
    for column in frame.columns:
        if column in _KEEP_AS_TEXT or not (pd.api.types.is_object_dtype(frame[column])
                                           or pd.api.types.is_string_dtype(frame[column])):
            continue
        text = frame[column].dropna().astype(str).str.strip()
        if text.empty or not text.str.match(pattern).all():
            continue
        marks = [decimal] + ([thousands] if thousands else [])
        if not text.map(lambda v: any(m in v for m in marks)).any():
            continue
        plain = frame[column].astype("string").str.strip()
        if thousands:
            plain = plain.str.replace(thousands, "", regex=False)
        plain = plain.str.replace(decimal, ".", regex=False)
        out[column] = plain.astype(object).where(frame[column].notna(), None)
    return out


READ_OPTIONS = ("sep", "decimal", "thousands", "sheet", "encoding")
"""Keys of the notebook's ``revenue_options`` (passed to :func:`read_table`)."""


def read_inputs(
    revenue_path=None,
    customers_path=None,
    *,
    revenue_columns: dict | None = None,
    customers_columns: dict | None = None,
    encoding: str = "utf-8-sig",
    options: dict | None = None,
) -> tuple[pd.DataFrame | None, pd.DataFrame | None, list[str]]:
    """Read the optional revenue and customers tables with the same reading options.

    Parameters
    ----------
    revenue_path, customers_path : str, path, DataFrame or None
        The files; None (or "") skips a table.
    revenue_columns, customers_columns : dict, optional
        Source column -> canonical name for each table.
    encoding : str
        Text encoding (an ``encoding`` in ``options`` wins).
    options : dict, optional
        :data:`READ_OPTIONS` for :func:`read_table`, e.g. ``{"decimal": ",",
        "thousands": ".", "sheet": "Revenue"}``.

    Returns
    -------
    (DataFrame or None, DataFrame or None, list of str)
        The revenue table (``customer_id``, ``period``, ``revenue`` required), the
        customers table (``customer_id`` required) and one sentence per table read.

    Raises
    ------
    ParameterError
        An unknown option (the nearest known name is suggested).

    Examples
    --------
    >>> rev = pd.DataFrame({"Customer": ["a", "b"], "period": ["2024-01"] * 2,
    ...                     "revenue": ["1.200,50", "80"]})
    >>> revenue, customers, notes = read_inputs(rev, None, options={"decimal": ",",
    ...     "thousands": "."}, revenue_columns={"Customer": "customer_id"})
    >>> revenue["revenue"].tolist(), customers, notes
    (['1200.50', '80'], None, ['Revenue table: 2 customer-months of 2 customers.'])
    """
    import difflib

    options = dict(options or {})
    unknown = [k for k in options if k not in READ_OPTIONS]
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), READ_OPTIONS, n=1)
        raise ParameterError(
            f"revenue_options has an unknown option {unknown[0]!r}"
            + (f" (did you mean {close[0]!r}?)" if close else "")
            + f"; known options: {', '.join(READ_OPTIONS)}.")
    options = {"encoding": encoding, **options}
    revenue = customers = None
    notes = []
    if revenue_path is not None and not (isinstance(revenue_path, str) and not revenue_path):
        revenue = read_table(revenue_path, columns=revenue_columns, what="revenue table",
                             required=["customer_id", "period", "revenue"], **options)
        notes.append(f"Revenue table: {len(revenue):,} customer-months of "
                     f"{revenue['customer_id'].nunique():,} customers.")
    if customers_path is not None and not (isinstance(customers_path, str) and not customers_path):
        customers = read_table(customers_path, columns=customers_columns,
                               required=["customer_id"], what="customer table", **options)
        notes.append(f"Customer table: {len(customers):,} customers.")
    return revenue, customers, notes


def month_numbers(values: pd.Series) -> np.ndarray:
    """Calendar months as year * 12 + month - 1 (NaN when unreadable), read as the revenue
    analyses read a period: "2024-03", else an ISO 8601 date ("2024-03-15", "2024-03-15
    10:00"); surrounding spaces are ignored.

    Examples
    --------
    >>> month_numbers(pd.Series(["2024-03", " 2024-12-31 ", "March", None])).tolist()
    [24290.0, 24299.0, nan, nan]
    """
    text = values.astype("string").str.strip()
    dates = pd.to_datetime(text, format="%Y-%m", errors="coerce")
    rest = dates.isna() & text.notna()
    if rest.any():
        dates = dates.copy()
        dates[rest] = pd.to_datetime(text[rest], errors="coerce", format="ISO8601")
    dates = pd.Series(dates, index=values.index)
    return (dates.dt.year * 12 + dates.dt.month - 1).to_numpy(dtype=float, na_value=np.nan)
