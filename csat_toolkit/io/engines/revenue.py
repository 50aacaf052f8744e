"""Revenue and invoice tables summed by customer and month inside a query engine.

:func:`scan_revenue` does in DuckDB or Spark what the NPS-and-revenue page does in memory
with :func:`~csat_toolkit.io.revenue_tables.read_table` and the revenue analyses' table
check: it names the columns as ``read_table`` does, sets aside the rows without a customer
id, with an unreadable month or with a revenue that is not a number (the same reasons, in
the same order of precedence, counted in the engine), and sums the rest by customer and
calendar month. The result is the table the revenue analyses take (``customer_id``,
``period`` as "YYYY-MM", ``revenue``, plus ``rows``: the source rows summed), one row per
customer and month, so an invoice table becomes a customer-month table. Only that table
and the accounting reach Python's memory; the rows set aside can be written to Parquet by
the engine.

Month texts are read once per distinct value in Python by the pandas reader's rules
("2024-03", else an ISO 8601 date) and joined back as a small table; amounts that are
plain numbers ("1234.5", "-3", "1e3") are converted by the engine, any other amount text
once per distinct value by ``pandas.to_numeric``, as the analyses read it.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from ...errors import DataError, ParameterError, show_values
from ._result import EngineResult
from ..revenue_tables import _check_number_marks, month_numbers, renamed_columns
from ._backends import FILE, ROW, Backend, choose_engine, open_backend, quiet_spark

__all__ = ["scan_revenue", "RevenueScan", "month_numbers", "REVENUE_REASONS", "REJECTED_SHOWN"]

#: Why a revenue row is set aside, in order of precedence (the first that applies).
NO_CUSTOMER, UNREADABLE_MONTH, NOT_A_NUMBER = ("no customer id", "unreadable month",
                                               "revenue not a number")
REVENUE_REASONS = (NO_CUSTOMER, UNREADABLE_MONTH, NOT_A_NUMBER)

#: Rows set aside brought back into memory to show (all of them go to ``rejected_path``).
REJECTED_SHOWN = 1_000

_REQUIRED = ("customer_id", "period", "revenue")
_SHOWN_COLUMN = {NO_CUSTOMER: "customer_id", UNREADABLE_MONTH: "period", NOT_A_NUMBER: "revenue"}

# Working columns (never in a user's file).
_MONTH, _AMOUNT, _KEY, _OK = "__csat_month", "__csat_amount", "__csat_key", "__csat_ok"
_FIRST, _N, _RANK, _KIND = "__csat_first", "__csat_n", "__csat_rank", "__csat_kind"

#: Amount text the engine converts itself: the plain numbers on which DuckDB, Spark and
#: pandas agree to the last bit (no spaces, no separators, at most 15 digits a part).
_PLAIN = r"^[+-]?([0-9]{1,15}(\.[0-9]{0,15})?|\.[0-9]{1,15})([eE][+-]?[0-9]{1,3})?$"


@dataclass
class RevenueScan(EngineResult):
    """A revenue table summed by customer and month in an engine, with its accounting.

    Attributes
    ----------
    data : DataFrame
        One row per customer and month, sorted by both: ``customer_id``, ``period``
        ("YYYY-MM" text), ``revenue`` (the month's rows summed), ``rows`` (how many
        source rows were summed). The shape the revenue analyses take.
    rejected : DataFrame
        The first :data:`REJECTED_SHOWN` rows set aside: ``source_row`` (1-based),
        ``reason``, then the row's values under the canonical names.
    reasons : Series
        Rows set aside per reason (only reasons that occurred).
    rejected_path : Path or None
        Parquet file (DuckDB) or folder (Spark) of every row set aside, when asked for.
    engine : str
        What ran, e.g. "DuckDB 1.4.0".
    """

    @property
    def n_used(self) -> int:
        """Source rows summed into :attr:`data`."""
        return int(self.data["rows"].sum())

    def accounting(self) -> list[tuple[str, int]]:
        """The revenue analyses' accounting items for these rows, then the aggregate's size.

        Examples
        --------
        >>> frame = pd.DataFrame({"customer_id": ["a", "a", None], "period": ["2024-01"] * 3,
        ...                       "revenue": ["10", "5.5", "3"]})
        >>> for item in scan_revenue(frame, engine="duckdb").accounting():
        ...     print(item)
        ('revenue rows read', 3)
        ('revenue rows set aside: no customer id', 1)
        ('revenue rows used', 2)
        ('customer-months', 1)
        ('customers in the revenue table', 1)
        """
        items = [("revenue rows read", self.n_read)]
        items += [(f"revenue rows set aside: {r}", int(self.reasons[r]))
                  for r in REVENUE_REASONS if r in self.reasons.index]
        return items + [("revenue rows used", self.n_used), ("customer-months", len(self.data)),
                        ("customers in the revenue table",
                         int(self.data["customer_id"].nunique()))]

    def summary(self) -> str:
        """Rows read, used and set aside, then the customer-months and who summed them.

        Examples
        --------
        >>> frame = pd.DataFrame({"customer_id": ["a", "a"], "period": ["2024-01", "x"],
        ...                       "revenue": ["10", "5"]})
        >>> scan_revenue(frame, engine="duckdb").summary()  # doctest: +ELLIPSIS
        'Read 2 rows from DataFrame: 1 used, 1 set aside (unreadable month 1). 1 customer-month ...'
        """
        months, customers = len(self.data), int(self.data["customer_id"].nunique())
        return (super().summary() + f" {months:,} customer-month{'s' * (months != 1)} of "
                f"{customers:,} customer{'s' * (customers != 1)}, summed by {self.engine}.")


def scan_revenue(
    source: Any,
    *,
    columns: Mapping[str, str] | None = None,
    engine: str | None = None,
    engine_options: Mapping[str, Any] | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    rejected_path: str | os.PathLike | None = None,
    what: str = "revenue table",
) -> RevenueScan:
    """Check a revenue or invoice table in DuckDB or Spark and sum it by customer and month.

    The columns are named as :func:`~csat_toolkit.io.revenue_tables.read_table` names
    them (``columns`` maps source names, the others become lower snake case) and
    ``customer_id``, ``period`` and ``revenue`` must be present. A row is set aside,
    with the first reason that applies, when its customer id is missing ("no customer
    id"), its period does not read as a month ("unreadable month": "2024-03" or an ISO
    8601 date such as "2024-03-15"; a date or timestamp column is read as it is, an
    instant in UTC) or its revenue is not a finite number ("revenue not a number");
    these are the reasons and texts of the revenue analyses. Negative amounts (refunds,
    credits) are kept and summed.

    Parameters
    ----------
    source : path, folder, glob, DataFrame, DuckDB relation or PySpark DataFrame
        Parquet or CSV files (a folder or glob reads every file in it as one table).
    columns : mapping, optional
        Source column -> canonical name, e.g. ``{"Customer": "customer_id",
        "Invoice date": "period", "Net": "revenue"}``.
    engine : {"duckdb", "spark"}, optional
        Default: Spark for a PySpark DataFrame, else DuckDB.
    engine_options : mapping, optional
        DuckDB: ``memory_limit``, ``threads``, ``temp_directory``, ``connection``;
        Spark: ``session`` (see :func:`~csat_toolkit.io.engines.open_backend`).
    decimal, thousands : str
        Number marks, as for ``read_table``: a text column among the three whose every
        filled value is a number written with them ("1.234,5") is read as plain numbers;
        a column with one value that is not is left as it is.
    rejected_path : path, optional
        Where the engine writes every row set aside (Parquet); default none written.
    what : str
        What the table is, for messages.

    Returns
    -------
    RevenueScan
        ``data`` is the customer-month table (``customer_id``, ``period``, ``revenue``,
        ``rows``); ``report()``, ``accounting()`` and ``notes`` hold the accounting.

    Raises
    ------
    ParameterError
        ``engine="pandas"`` or an unknown engine or option; bad ``decimal``/``thousands``.
    MissingColumnError
        A ``columns`` key or a required column is absent.
    DataError
        Two columns with one name after renaming; no rows; no usable row.
    FileFormatError
        Nothing to read at the path.

    Examples
    --------
    >>> invoices = pd.DataFrame({
    ...     "Customer": ["C1", "C1", "C2", "C2", None],
    ...     "Date": ["2024-01-05", "2024-01-20", "2024-01-31", "soon", "2024-02-01"],
    ...     "Net": ["100", "-20.5", "40", "10", "7"]})
    >>> scan = scan_revenue(invoices, engine="duckdb", columns={
    ...     "Customer": "customer_id", "Date": "period", "Net": "revenue"})
    >>> scan.data.values.tolist()
    [['C1', '2024-01', 79.5, 2], ['C2', '2024-01', 40.0, 1]]
    >>> scan.report()["rows"].tolist()
    [5, 3, 1, 1]
    """
    engine = choose_engine(source, engine) if engine is not None else \
        ("spark" if choose_engine(source) == "spark" else "duckdb")
    if engine == "pandas":
        raise ParameterError("scan_revenue sums in an engine: use engine='duckdb' or 'spark' "
                             "(read_table reads a revenue table into pandas).")
    _check_number_marks(decimal, thousands, None)
    with quiet_spark():
        backend, table = open_backend(source, engine, engine_options)
        table = _canonical(table, columns, backend.source, what)
        notes: list[str] = []
        if decimal != "." or thousands is not None:
            table = _plain_number_columns(backend, table, decimal, thousands)
        table = _checked(backend, table)
        return _result(backend, table, notes, what, rejected_path)


def _label(name: str) -> str:
    if name in ("DataFrame", "DuckDB relation", "Spark DataFrame"):
        return f"the {name}"
    return Path(name).name if not any(c in name for c in "*?[") else name


def _canonical(table: nw.LazyFrame, columns, name: str, what: str) -> nw.LazyFrame:
    """The columns renamed and checked as ``read_table`` does; only the three kept."""
    columns = dict(columns or {})
    names = [c for c in table.collect_schema().names() if c not in (ROW, FILE)]
    renamed = renamed_columns(names, columns, _REQUIRED, what, _label(name))
    source_of = {new: old for old, new in renamed.items()}
    return table.select(*(nw.col(source_of[c]).alias(c) for c in _REQUIRED), nw.col(ROW))


def _plain_number_columns(backend: Backend, table: nw.LazyFrame, decimal: str,
                          thousands: str | None) -> nw.LazyFrame:
    """Text columns whose every filled value is a number written with these marks, made
    plain ("1.234,5" -> "1234.5"), as the shared reader does (one pass counts for all)."""
    schema = table.collect_schema()
    text_columns = [c for c in _REQUIRED if schema[c] == nw.String]
    if not text_columns:
        return table
    d = _char_class(decimal)
    whole = r"[0-9]+" if thousands is None else \
        rf"(?:[0-9]{{1,3}}(?:{_char_class(thousands)}[0-9]{{3}})+|[0-9]+)"
    pattern = rf"^[-+]?(?:{whole}(?:{d}[0-9]*)?|{d}[0-9]+)$"

    def parts(column: str) -> tuple[nw.Expr, nw.Expr, nw.Expr]:
        text = nw.col(column).str.strip_chars()
        filled = ~nw.col(column).is_null() & (text != "")
        match = filled & text.str.contains(pattern)
        marked = text.str.contains(decimal, literal=True)
        if thousands is not None:
            marked = marked | text.str.contains(thousands, literal=True)
        return filled, match, match & marked

    sums = []
    for column in text_columns:
        filled, match, change = parts(column)
        sums += [(filled & ~match).cast(nw.Int64).sum().alias(f"{column}:odd"),
                 filled.cast(nw.Int64).sum().alias(f"{column}:filled"),
                 change.cast(nw.Int64).sum().alias(f"{column}:change")]
    counts = backend.collect(table.select(*sums)).iloc[0].fillna(0)
    for column in text_columns:
        if counts[f"{column}:odd"] or not counts[f"{column}:filled"] \
                or not counts[f"{column}:change"]:
            continue  # a value that is not such a number, or nothing to rewrite
        _, _, change = parts(column)
        plain = nw.col(column).str.strip_chars()
        if thousands is not None:
            plain = plain.str.replace_all(thousands, "", literal=True)
        plain = plain.str.replace_all(decimal, ".", literal=True)
        table = table.with_columns(nw.when(change).then(plain).otherwise(nw.col(column))
                                   .alias(column))
    return table


def _char_class(mark: str) -> str:
    """One character as a regular expression both RE2 (DuckDB) and Java (Spark) read."""
    return "[" + ("\\" + mark if mark in "]\\^" else mark) + "]"


def _checked(backend: Backend, table: nw.LazyFrame) -> nw.LazyFrame:
    """Adds the month number, the amount and ``reason`` ("" for a row used)."""
    schema = table.collect_schema()
    customer = nw.col("customer_id").is_null()
    if schema["customer_id"].is_float():
        customer = customer | nw.col("customer_id").is_nan()
    dated = schema["period"] == nw.Date or schema["period"] == nw.Datetime
    numeric = schema["revenue"].is_numeric()
    texts = _distinct_texts(backend, table, months=not dated, amounts=not numeric)
    table = _months(backend, table, dated, texts.get("period"))
    table = _amounts(backend, table, numeric, texts.get("revenue"))
    amount = nw.col(_AMOUNT)
    not_number = amount.is_null() | amount.is_nan() | (amount.abs() == float("inf"))
    reason = (nw.when(customer).then(nw.lit(NO_CUSTOMER))
              .otherwise(nw.when(nw.col(_MONTH).is_null()).then(nw.lit(UNREADABLE_MONTH))
                         .otherwise(nw.when(not_number).then(nw.lit(NOT_A_NUMBER))
                                    .otherwise(nw.lit("")))))
    return table.with_columns(reason.alias("reason"))


def _plain_amount() -> nw.Expr:
    return nw.col("revenue").cast(nw.String).str.contains(_PLAIN).fill_null(False)


def _distinct_texts(backend: Backend, table: nw.LazyFrame, *, months: bool, amounts: bool
                    ) -> dict[str, pd.Series]:
    """The distinct period texts and the distinct amount texts that are not plain numbers,
    in one query: these are read in Python, as the pandas reader reads them."""
    parts = []
    if months:
        parts.append(table.select(nw.lit("period").alias(_KIND),
                                  nw.col("period").cast(nw.String).alias(_KEY)))
    if amounts:
        parts.append(table.filter(~_plain_amount())
                     .select(nw.lit("revenue").alias(_KIND),
                             nw.col("revenue").cast(nw.String).alias(_KEY)))
    if not parts:
        return {}
    found = backend.distinct(nw.concat(parts, how="vertical"))
    return {kind: pd.Series([v for v in found.loc[found[_KIND] == kind, _KEY].tolist()
                             if isinstance(v, str)], dtype=object)
            for kind in ("period", "revenue")}


def _months(backend: Backend, table: nw.LazyFrame, dated: bool, texts: pd.Series | None
            ) -> nw.LazyFrame:
    """``_MONTH``: year * 12 + month - 1, null when the period does not read as a month."""
    if dated:
        table = backend.parse_dates(table, "period", None, "UTC", "__csat_stamp")
        stamp = nw.col("__csat_stamp")
        month = stamp.dt.year().cast(nw.Int64) * 12 + stamp.dt.month().cast(nw.Int64) - 1
        return table.with_columns(month.alias(_MONTH)).drop("__csat_stamp")
    months = month_numbers(texts)
    readable = ~np.isnan(months)
    lookup = pd.DataFrame({_KEY: texts[readable].to_numpy(dtype=object),
                           _MONTH: months[readable].astype("int64")})
    if not len(lookup):
        return table.with_columns(nw.lit(None, dtype=nw.Int64).alias(_MONTH))
    table = table.with_columns(nw.col("period").cast(nw.String).alias(_KEY))
    return table.join(backend.from_pandas(lookup), on=_KEY, how="left").drop(_KEY)


def _amounts(backend: Backend, table: nw.LazyFrame, numeric: bool, others: pd.Series | None
             ) -> nw.LazyFrame:
    """``_AMOUNT``: the revenue as a float (null where it is not a number): plain numbers
    converted by the engine, other text by ``pandas.to_numeric`` once per distinct value."""
    if numeric:
        return table.with_columns(nw.col("revenue").cast(nw.Float64).alias(_AMOUNT))
    table = backend.to_number(table.with_columns(nw.col("revenue").cast(nw.String).alias(_KEY)),
                              _KEY, "__csat_engine")
    numbers = np.asarray(pd.to_numeric(others, errors="coerce"), dtype=float)
    finite = np.isfinite(numbers)
    lookup = pd.DataFrame({_KEY: others[finite].to_numpy(dtype=object),
                           "__csat_python": numbers[finite]})
    if len(lookup):
        table = table.join(backend.from_pandas(lookup), on=_KEY, how="left")
    else:
        table = table.with_columns(nw.lit(None, dtype=nw.Float64).alias("__csat_python"))
    amount = nw.when(_plain_amount()).then(nw.col("__csat_engine")) \
        .otherwise(nw.col("__csat_python"))
    return table.with_columns(amount.alias(_AMOUNT)).drop(_KEY, "__csat_engine", "__csat_python")


def _result(backend: Backend, table: nw.LazyFrame, notes: list[str], what: str,
            rejected_path) -> RevenueScan:
    used = nw.col("reason") == ""
    grouped = (table.with_columns(nw.when(used).then(nw.col("customer_id")).alias("customer_id"),
                                  nw.when(used).then(nw.col(_MONTH)).alias(_MONTH),
                                  nw.when(used).then(nw.col(_AMOUNT)).alias(_AMOUNT))
               .group_by("reason", "customer_id", _MONTH, drop_null_keys=False)
               .agg(nw.col(_AMOUNT).sum().alias("revenue"), nw.len().alias("rows")))
    counts = backend.collect(grouped)
    n_read = int(counts["rows"].sum())
    if not n_read:
        raise DataError(f"The {what} has no rows: there is no revenue to link to the answers.")
    reasons = counts.groupby("reason")["rows"].sum().drop("", errors="ignore").astype("int64")
    reasons = reasons.reindex([r for r in REVENUE_REASONS if r in reasons.index])
    good = counts[counts["reason"] == ""]
    if not len(good):
        raise DataError(
            f"No usable row in the {what}: every row lacks a customer id, a readable month "
            "('period', e.g. '2024-03') or a numeric revenue ('revenue').")
    if len(reasons):
        rejected = backend.collect(_rejected_table(table).sort("source_row")
                                   .head(REJECTED_SHOWN))
        shown = _examples(rejected) if len(rejected) == reasons.sum() else \
            _engine_examples(backend, table)
        notes += [f"{int(rows):,} revenue rows set aside ({reason}): "
                  f"{_SHOWN_COLUMN[reason]!r} holds {shown[reason]}."
                  for reason, rows in reasons.items()]
    else:
        rejected = pd.DataFrame(columns=["source_row", "reason", *_REQUIRED])
    written = None
    if rejected_path is not None and len(reasons):
        written = backend.write_parquet(_rejected_table(table), Path(rejected_path))
    data = _customer_months(good)
    options = {"engine": backend.name, "source": backend.source}
    return RevenueScan(data=data, rejected=rejected.reset_index(drop=True),
                       source=backend.source, n_read=n_read, notes=notes, options=options,
                       engine=backend.describe(), reasons=reasons, rejected_path=written)


def _examples(rejected: pd.DataFrame) -> dict[str, str]:
    """Per reason, its column's offending values as ``show_values`` writes them (first seen
    first), from every row set aside (in source order)."""
    shown = {}
    for reason, rows in rejected.groupby("reason", sort=False):
        column = _SHOWN_COLUMN[reason]
        shown[reason] = show_values(_shown_values(rows[column]))
    return shown


def _engine_examples(backend: Backend, table: nw.LazyFrame) -> dict[str, str]:
    """:func:`_examples` from one query, when the rows set aside are too many to bring
    back: the distinct values with the row each is first seen at, ranked within their
    reason; the first five and how many there are."""
    values = [nw.when(nw.col("reason") == r).then(nw.col(c)).alias(c)
              for r, c in _SHOWN_COLUMN.items()]
    distinct = (table.filter(nw.col("reason") != "").with_columns(*values)
                .group_by("reason", *_REQUIRED, drop_null_keys=False)
                .agg(nw.col(ROW).min().alias(_FIRST)))
    ranked = distinct.with_columns(nw.col(_FIRST).rank(method="ordinal").over("reason")
                                   .alias(_RANK),
                                   nw.col(_FIRST).count().over("reason").alias(_N))
    found = backend.collect(ranked.filter(nw.col(_RANK) <= 5)).sort_values(_FIRST)
    shown = {}
    for reason, rows in found.groupby("reason", sort=False):
        total = int(rows[_N].iloc[0])
        listed = _shown_values(rows[_SHOWN_COLUMN[reason]])
        shown[reason] = ", ".join(repr(v) for v in listed) + (
            f" (and {total - 5} more)" if total > 5 else "")
    return shown


def _shown_values(values: pd.Series) -> list:
    """Values as the pandas reader holds them: NaN (NaT for dates) where missing."""
    missing = pd.NaT if pd.api.types.is_datetime64_any_dtype(values) else np.nan
    return [missing if _is_missing(v) else _plain(v) for v in values.tolist()]


def _is_missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or \
        (isinstance(value, float) and np.isnan(value))


def _plain(value):
    """Python scalars, so values show as pandas shows them (1.5, not np.float64(1.5))."""
    return value.item() if isinstance(value, np.generic) else value


def _rejected_table(table: nw.LazyFrame) -> nw.LazyFrame:
    return (table.filter(nw.col("reason") != "")
            .select(nw.col(ROW).alias("source_row"), nw.col("reason"), *_REQUIRED))


def _labels(months: np.ndarray) -> np.ndarray:
    """"YYYY-MM" of each month number (formatted once per distinct month)."""
    distinct, where = np.unique(months, return_inverse=True)
    return np.array([f"{m // 12:04d}-{m % 12 + 1:02d}" for m in distinct], dtype=object)[where]


def _customer_months(good: pd.DataFrame) -> pd.DataFrame:
    months = good[_MONTH].to_numpy(dtype="int64")
    frame = pd.DataFrame({
        "customer_id": good["customer_id"].to_numpy(),
        "period": _labels(months),
        "revenue": good["revenue"].to_numpy(dtype=float),
        "rows": good["rows"].to_numpy(dtype="int64"),
    })
    return frame.sort_values(["customer_id", "period"], kind="stable").reset_index(drop=True)
