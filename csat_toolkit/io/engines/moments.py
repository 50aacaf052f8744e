"""Moments of numeric columns in one pass of a query engine, and seeded samples of rows.

Key-driver importance (LMG, relative weights) needs only the weighted covariance of the
drivers and the outcome, and that is a function of a few sums over the rows:
``sum(w)``, ``sum(w^2)``, ``sum(w x_i)`` and ``sum(w x_i x_j)``. :func:`cross_products`
computes all of them in ONE aggregate select of the engine (DuckDB, Spark; numpy for a
pandas DataFrame) over the rows where every listed column is a finite number and the
weight is positive, and counts the rows it leaves out: per column, and by each row's
first problem, so nothing is dropped silently. Only one row of sums comes back.

Row-level models (bootstrap intervals, logistic models) need rows: :func:`sample_rows`
brings a stated, seeded random sample of them into pandas with the engine's own sampling
(DuckDB ``USING SAMPLE reservoir(n ROWS) REPEATABLE (seed)``, Spark ``sample(fraction,
seed)``, pandas ``DataFrame.sample``).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from ...errors import DataError, MissingColumnError, NoValidRowsError, ParameterError, show_values
from .._common import DEFAULT_NA_VALUES, _display_name, _maybe_numeric
from ..reading import _to_numbers
from ._backends import FILE, ROW, Backend, choose_engine, open_backend, quiet_spark

__all__ = ["CrossProducts", "cross_products", "SampledRows", "sample_rows", "MIN_SAMPLE_ROWS"]

#: Smallest sample :func:`sample_rows` draws. DuckDB 2.0's reservoir sample of fewer than
#: about 30 rows is not uniform (measured: 5 rows of 1,000,000 all came from the first
#: 20,480), and a row-level model needs far more rows anyway.
MIN_SAMPLE_ROWS = 100

_INF = float("inf")


@dataclass(frozen=True)
class CrossProducts:
    """Weighted sums of numeric columns over the rows where all of them are usable.

    Every sum is taken about ``center`` (zero unless given): with ``d_i = x_i - c_i``,
    ``sums[i] = sum(w d_i)`` and ``cross.loc[i, j] = sum(w d_i d_j)``, over the
    ``n_used`` rows where every column is a finite number and the weight (1 without a
    weight column) is a finite positive number.

    Attributes
    ----------
    columns : list of str
        The columns, in the order given.
    weight : str or None
        The weight column.
    n_read : int
        Rows the engine read.
    n_used : int
        Rows in the sums.
    sum_w, sum_w2 : float
        ``sum(w)`` and ``sum(w^2)`` over the rows used (both ``n_used`` without weights).
    sums : Series
        ``sum(w (x_i - c_i))`` per column.
    cross : DataFrame
        ``sum(w (x_i - c_i)(x_j - c_j))``, columns by columns (symmetric).
    center : Series
        The ``c_i`` (zeros unless given).
    minimum, maximum : Series
        Smallest and largest value of each column over the rows used.
    missing : Series
        Rows read where each column (and the weight, by its name) is missing, blank or
        not a finite number; a weight of zero counts here too. Counted column by column:
        a row can count for several columns.
    left_out : DataFrame
        The rows not used, by their first problem in the order of the columns, then the
        weight: ``column``, ``reason``, ``rows``. Its ``rows`` add up to
        ``n_read - n_used``.
    engine : str
        What computed the sums, e.g. "DuckDB 2.0.1" or "pandas 3.0.0".
    source : str
        What was read.
    """

    columns: list[str]
    weight: str | None
    n_read: int
    n_used: int
    sum_w: float
    sum_w2: float
    sums: pd.Series
    cross: pd.DataFrame
    center: pd.Series
    minimum: pd.Series
    maximum: pd.Series
    missing: pd.Series
    left_out: pd.DataFrame
    engine: str
    source: str

    @property
    def n_left_out(self) -> int:
        """Rows read but not in the sums."""
        return self.n_read - self.n_used

    def mean(self) -> pd.Series:
        """The weighted mean of each column over the rows used."""
        return self.center + self.sums / self.sum_w

    def report(self) -> pd.DataFrame:
        """The row accounting: rows read, rows used, then rows left out by first problem.

        Examples
        --------
        >>> frame = pd.DataFrame({"x": [1.0, None, 3.0], "y": [2.0, 4.0, None]})
        >>> cross_products(frame, ["x", "y"]).report()
                                          item  rows
        0                            rows read     3
        1                            rows used     1
        2  left out: 'x' missing or not finite     1
        3  left out: 'y' missing or not finite     1
        """
        items = [("rows read", self.n_read), ("rows used", self.n_used)]
        items += [(f"left out: {r.reason}", int(r.rows)) for r in self.left_out.itertuples()]
        return pd.DataFrame(items, columns=["item", "rows"])

    def summary(self) -> str:
        """One sentence: what was summed, over how many rows, the rows left out, the engine.

        Examples
        --------
        >>> frame = pd.DataFrame({"x": [1.0, None, 3.0], "y": [2.0, 4.0, 5.0]})
        >>> cross_products(frame, ["x", "y"]).summary()  # doctest: +ELLIPSIS
        "Cross-products of 2 columns over 2 of 3 rows of DataFrame (1 left out: 'x' missing or not finite 1), one pass in pandas ..."
        """
        head = (f"Cross-products of {len(self.columns)} columns over {self.n_used:,} of "
                f"{self.n_read:,} rows of {_display_name(self.source)}")
        if self.n_left_out:
            parts = ", ".join(f"{r.reason} {int(r.rows):,}" for r in self.left_out.itertuples())
            head += f" ({self.n_left_out:,} left out: {parts})"
        return head + f", one pass in {self.engine}."


def cross_products(
    source: Any,
    columns: Sequence[str],
    *,
    weight: str | None = None,
    center: Mapping[str, float] | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    engine: str | None = None,
    engine_options: Mapping[str, Any] | None = None,
    backend: Backend | None = None,
) -> CrossProducts:
    """The weighted cross-product matrix of ``columns``, in one pass of the engine.

    One aggregate select computes ``n``, ``sum(w)``, ``sum(w^2)``, ``sum(w x_i)``,
    ``sum(w x_i x_j)`` (every pair), each column's minimum and maximum over the rows
    used, and the counts of the rows left out, so the data is read once whatever the
    number of columns. A row is used when every column is a finite number and the
    weight is a finite number above zero; a missing, blank, NaN or infinite value
    leaves the row out, and it is counted (:attr:`CrossProducts.left_out`).

    Text columns (every column of a CSV read by an engine) are read as numbers; blank
    cells and pandas' missing-value markers ("NA", "NULL" ...) are missing; any other
    text is an error naming the column and a few of its values.

    Numerical note: the sums are of raw products, so the covariance
    ``sum(w x_i x_j) - sum(w x_i) sum(w x_j) / sum(w)`` loses about
    ``log10((mean / sd)^2)`` digits of the 16 a double has. That is nothing for scores
    and durations; for a column far from zero relative to its spread (epoch seconds, a
    revenue of 1e6 +- 10) give ``center`` a typical value of it (its rough mean).

    Parameters
    ----------
    source : path, folder, glob, DataFrame, DuckDB relation, PySpark DataFrame, or a
        narwhals LazyFrame with ``backend``
        Where the rows are (see :func:`~csat_toolkit.io.engines.open_backend`).
    columns : list of str
        Numeric columns (at least one).
    weight : str, optional
        Column of case weights (frequency-like, as
        :func:`~csat_toolkit.drivers.importance.weighted_corr`'s); negative weights are
        an error, zero weights leave their row out.
    center : mapping of column to float, optional
        Values subtracted before the products (default 0 for every column).
    decimal, thousands : str
        How numbers written as text mark decimals and thousands.
    engine : {"duckdb", "spark", "pandas"}, optional
        Default: pandas (numpy) for a pandas DataFrame, Spark for a PySpark DataFrame,
        DuckDB otherwise.
    engine_options : mapping, optional
        As for :func:`~csat_toolkit.io.engines.scan_responses`.
    backend : Backend, optional
        The backend of ``source`` when it is an engine's LazyFrame already opened
        (:func:`~csat_toolkit.io.engines.open_backend`).

    Returns
    -------
    CrossProducts

    Raises
    ------
    MissingColumnError
        A column is not in the data.
    DataError
        A column is not numeric (its values shown), a weight is negative.
    NoValidRowsError
        No row has every column (the per-column counts shown).
    ParameterError
        No columns, a column listed twice, an unknown engine.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, None], "y": [2.0, 4.0, 7.0, 1.0],
    ...                       "w": [1.0, 1.0, 2.0, 1.0]})
    >>> m = cross_products(frame, ["x", "y"], weight="w", engine="duckdb")
    >>> m.n_used, m.sum_w, m.sums.tolist(), m.cross.values.tolist()
    (3, 4.0, [9.0, 20.0], [[23.0, 52.0], [52.0, 118.0]])
    >>> m.missing.to_dict()
    {'x': 1, 'y': 0, 'w': 0}
    """
    columns, center = _check_arguments(columns, weight, center)
    if isinstance(source, nw.LazyFrame) and backend is None:
        source = source.to_native()
    if backend is not None:
        if not isinstance(source, nw.LazyFrame):
            raise ParameterError("backend= goes with the engine's narwhals LazyFrame that "
                                 "open_backend returned; give the source alone otherwise.")
        with quiet_spark():
            return _engine_moments(backend, source, columns, weight, center, decimal, thousands)
    name = _engine_name(source, engine)
    if name == "pandas":
        return _pandas_moments(source, columns, weight, center, decimal, thousands)
    with quiet_spark():
        opened, table = open_backend(source, name, engine_options)
        return _engine_moments(opened, table, columns, weight, center, decimal, thousands)


def _check_arguments(columns, weight, center) -> tuple[list[str], dict[str, float]]:
    columns = [columns] if isinstance(columns, str) else list(columns)
    if not columns:
        raise ParameterError("columns is empty: give the numeric columns to multiply, e.g. "
                             "the outcome and the drivers.")
    if not all(isinstance(c, str) for c in columns):
        raise ParameterError(f"columns must be column names; got {show_values(columns)}.")
    twice = [c for c in columns if columns.count(c) > 1]
    if twice:
        raise ParameterError(f"Column {twice[0]!r} is listed twice; give each column once.")
    if weight is not None and (not isinstance(weight, str) or weight in columns):
        raise ParameterError(f"weight must be a column name other than the columns; got "
                             f"{weight!r}.")
    center = dict(center or {})
    unknown = [c for c in center if c not in columns]
    if unknown:
        raise ParameterError(f"center names {show_values(unknown)}, not among the columns "
                             f"{show_values(columns)}.")
    bad = {c: v for c, v in center.items()
           if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)}
    if bad:
        raise ParameterError(f"center values must be finite numbers; got {bad!r}.")
    return columns, {c: float(center.get(c, 0.0)) for c in columns}


def _engine_name(source: Any, engine: str | None) -> str:
    if engine is None:
        if isinstance(source, pd.DataFrame):
            return "pandas"
        return "spark" if choose_engine(source) == "spark" else "duckdb"
    name = choose_engine(source, engine)  # checks the name
    if name == "pandas" and not isinstance(source, pd.DataFrame):
        raise ParameterError(
            f"engine='pandas' takes a pandas DataFrame; got {type(source).__name__}. Use "
            "engine='duckdb' for files, folders and DuckDB relations.")
    return name


# ------------------------------------------------------------------------- the messages


def _missing_columns(found: list[str], needed: list[str], name: str) -> None:
    absent = [c for c in needed if c not in found]
    if absent:
        raise MissingColumnError(
            f"Column(s) {show_values(absent, 10)} not found in {_display_name(name)}; it has "
            f"{show_values(found, 12)}. Check the column names (outcome, drivers, weight).")


def _non_numeric(column: str, name: str, count: int, examples: list) -> DataError:
    return DataError(
        f"The column {column!r} in {_display_name(name)} is not numeric: {count:,} value(s) "
        f"do not read as numbers ({show_values(examples)}). Cross-products need numbers: "
        "code answers as numbers first (e.g. 1 = satisfied, 0 = not), give a categorical "
        "driver as its 0/1 dummy columns, or leave the column out.")


def _negative_weights(weight: str, name: str, count: int, examples: list) -> DataError:
    return DataError(
        f"The weight column {weight!r} in {_display_name(name)} has {count:,} negative "
        f"value(s) ({show_values(examples)}). Weights must be >= 0: fix or drop those rows.")


def _no_rows(columns: list[str], weight: str | None, missing: pd.Series, n_read: int,
             name: str) -> NoValidRowsError:
    counts = ", ".join(f"{c!r} {int(missing[c]):,}" for c in missing.index if missing[c])
    return NoValidRowsError(
        f"No row of {_display_name(name)} has every one of {show_values(columns, 10)}"
        + (f" and a positive weight {weight!r}" if weight else "")
        + f" as a finite number: of {n_read:,} rows read, missing or not finite per column: "
        f"{counts or 'none'}. Choose columns that are filled on the same rows, or fill them.")


def _reasons(columns: list[str], weight: str | None) -> list[tuple[str, str]]:
    """(column, reason) in the order a row's first problem is taken."""
    out = [(c, f"{c!r} missing or not finite") for c in columns]
    if weight is not None:
        out += [(weight, f"weight {weight!r} missing or not finite"),
                (weight, f"weight {weight!r} is zero")]
    return out


def _left_out(columns: list[str], weight: str | None, firsts: list[int]) -> pd.DataFrame:
    rows = [(c, r, int(n)) for (c, r), n in zip(_reasons(columns, weight), firsts) if n]
    return pd.DataFrame(rows, columns=["column", "reason", "rows"]).astype(
        {"column": object, "reason": object, "rows": "int64"})


def _result(columns, weight, center, *, n_read, n_used, sum_w, sum_w2, sums, cross, low, high,
            missing, firsts, engine, name) -> CrossProducts:
    index = pd.Index(columns)
    return CrossProducts(
        columns=list(columns), weight=weight, n_read=int(n_read), n_used=int(n_used),
        sum_w=float(sum_w), sum_w2=float(sum_w2),
        sums=pd.Series(np.asarray(sums, dtype=float), index=index, name="sum"),
        cross=pd.DataFrame(np.asarray(cross, dtype=float), index=index, columns=index),
        center=pd.Series([center[c] for c in columns], index=index, dtype=float, name="center"),
        minimum=pd.Series(np.asarray(low, dtype=float), index=index, name="min"),
        maximum=pd.Series(np.asarray(high, dtype=float), index=index, name="max"),
        missing=pd.Series([int(v) for v in missing],
                          index=pd.Index(columns + ([weight] if weight else [])),
                          dtype="int64", name="missing"),
        left_out=_left_out(columns, weight, firsts), engine=engine, source=name)


# ---------------------------------------------------------------------------- pandas


def _pandas_numbers(frame: pd.DataFrame, column: str, decimal: str, thousands: str | None,
                    name: str) -> np.ndarray:
    values = frame[column]
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype="float64", na_value=np.nan)
    if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
        raise _non_numeric(column, name, int(values.notna().sum()),
                           values.dropna().head(20).tolist())
    text = values.astype(object).map(lambda v: v.strip() if isinstance(v, str) else v)
    blank = values.isna().to_numpy() | text.isin(DEFAULT_NA_VALUES).to_numpy()
    numbers = _to_numbers(text.where(~blank), decimal, thousands)
    bad = ~blank & np.isnan(numbers)
    if bad.any():
        raise _non_numeric(column, name, int(bad.sum()), text[bad].head(50).tolist())
    return numbers


def _pandas_moments(frame: pd.DataFrame, columns, weight, center, decimal, thousands
                    ) -> CrossProducts:
    name = "DataFrame"
    _missing_columns([str(c) for c in frame.columns], columns + ([weight] if weight else []),
                     name)
    X = np.column_stack([_pandas_numbers(frame, c, decimal, thousands, name) for c in columns])
    ok = np.isfinite(X)
    firsts = [int((~ok[:, j] & ok[:, :j].all(axis=1)).sum()) for j in range(len(columns))]
    missing = list((~ok).sum(axis=0))
    complete = ok.all(axis=1)
    if weight is not None:
        w = _pandas_numbers(frame, weight, decimal, thousands, name)
        finite = np.isfinite(w)
        negative = finite & (w < 0)
        if negative.any():
            raise _negative_weights(weight, name, int(negative.sum()), w[negative][:20].tolist())
        zero = finite & (w == 0)
        missing.append(int((~finite | zero).sum()))
        firsts += [int((complete & ~finite).sum()), int((complete & zero).sum())]
        complete &= finite & ~zero
    else:
        w = np.ones(len(frame))
    n_used = int(complete.sum())
    if not n_used:
        raise _no_rows(columns, weight, pd.Series(missing, index=columns + (
            [weight] if weight else [])), len(frame), name)
    D = X[complete] - np.array([center[c] for c in columns])
    used_w = w[complete]
    weighted = D * used_w[:, None]
    return _result(columns, weight, center, n_read=len(frame), n_used=n_used,
                   sum_w=used_w.sum(), sum_w2=(used_w**2).sum(), sums=weighted.sum(axis=0),
                   cross=weighted.T @ D, low=X[complete].min(axis=0),
                   high=X[complete].max(axis=0), missing=missing, firsts=firsts,
                   engine=f"pandas {pd.__version__}", name=name)


# ---------------------------------------------------------------------------- engines


def _count(condition: nw.Expr) -> nw.Expr:
    """Rows where ``condition`` is true (null counts as false)."""
    return nw.when(condition).then(nw.lit(1)).otherwise(nw.lit(0)).sum()


def _blank(column: str) -> nw.Expr:
    text = nw.col(column).cast(nw.String).str.strip_chars()
    return nw.col(column).is_null() | text.is_in(list(DEFAULT_NA_VALUES))


def _numbers(backend: Backend, table: nw.LazyFrame, columns: list[str], decimal: str,
             thousands: str | None) -> tuple[nw.LazyFrame, dict[str, str], dict[str, nw.Expr]]:
    """The columns as Float64 working columns; for text columns, the not-a-number check."""
    schema = table.collect_schema()
    work, bad = {}, {}
    for i, column in enumerate(columns):
        out, dtype = f"__csat_x{i}", schema[column]
        if dtype.is_numeric() or dtype == nw.Boolean:
            table = table.with_columns(nw.col(column).cast(nw.Float64).alias(out))
        elif dtype == nw.String:
            table = backend.to_number(table, column, out, decimal, thousands)
            bad[column] = ~_blank(column) & nw.col(out).is_null()
        else:
            filled = table.filter(~nw.col(column).is_null())
            count = backend.collect(filled.select(nw.len().alias("n")))["n"].iloc[0]
            shown = backend.collect(filled.select(nw.col(column).cast(nw.String)).head(5))
            raise _non_numeric(column, backend.source, int(count), shown[column].tolist())
        work[column] = out
    return table, work, bad


def _engine_moments(backend: Backend, table: nw.LazyFrame, columns, weight, center, decimal,
                    thousands) -> CrossProducts:
    name = backend.source
    found = [c for c in table.collect_schema().names() if c not in (ROW, FILE)]
    every = columns + ([weight] if weight else [])
    _missing_columns(found, every, name)
    table, work, bad = _numbers(backend, table, every, decimal, thousands)
    d = [nw.col(work[c]) - center[c] if center[c] else nw.col(work[c]) for c in columns]
    ok = [~nw.col(work[c]).is_null() & (nw.col(work[c]).abs() < _INF) for c in columns]
    complete = _all(ok)
    firsts = [_count(~ok[j] & _all(ok[:j])) for j in range(len(columns))]
    missing = [_count(~o) for o in ok]
    checks = [_count(flag).alias(f"__csat_bad{i}") for i, flag in enumerate(bad.values())]
    if weight is not None:
        w = nw.col(work[weight])
        finite = ~w.is_null() & (w.abs() < _INF)
        zero = finite & (w == 0)
        checks.append(_count(finite & (w < 0)).alias("__csat_negative"))
        missing.append(_count(~finite | zero))
        firsts += [_count(complete & ~finite), _count(complete & zero)]
        complete = complete & finite & ~zero
    else:
        w = nw.lit(1.0)
    q = len(columns)
    pairs = [(i, j) for i in range(q) for j in range(i, q)]
    # Per row once (a projection), then plain sums of columns: the engines do not repeat
    # the row's checks in each of the q(q+1)/2 products.
    used = nw.col("__csat_used")
    table = table.with_columns(complete.alias("__csat_used")).with_columns(
        *(nw.when(used).then(w * d[i]).alias(f"__csat_wd{i}") for i in range(q)),
        *(nw.when(used).then(d[i]).alias(f"__csat_d{i}") for i in range(q)),
        *(nw.when(used).then(nw.col(work[c])).alias(f"__csat_v{i}")
          for i, c in enumerate(columns)),
        nw.when(used).then(w).alias("__csat_w"))
    wd = [nw.col(f"__csat_wd{i}") for i in range(q)]
    aggregates = [
        nw.len().alias("n_read"), _count(used).alias("n_used"),
        nw.col("__csat_w").sum().alias("sum_w"),
        (nw.col("__csat_w") * nw.col("__csat_w")).sum().alias("sum_w2"),
        *(wd[i].sum().alias(f"s{i}") for i in range(q)),
        *((wd[i] * nw.col(f"__csat_d{j}")).sum().alias(f"p{i}_{j}") for i, j in pairs),
        *(nw.col(f"__csat_v{i}").min().alias(f"lo{i}") for i in range(q)),
        *(nw.col(f"__csat_v{i}").max().alias(f"hi{i}") for i in range(q)),
        *(m.alias(f"m{i}") for i, m in enumerate(missing)),
        *(f.alias(f"f{i}") for i, f in enumerate(firsts)),
        *checks,
    ]
    row = backend.collect(table.select(*aggregates)).iloc[0]
    value = lambda key: 0.0 if pd.isna(row[key]) else float(row[key])  # noqa: E731
    for i, (column, flag) in enumerate(bad.items()):
        if value(f"__csat_bad{i}"):
            shown = backend.collect(table.filter(flag).select(nw.col(column)).head(50))
            raise _non_numeric(column, name, int(value(f"__csat_bad{i}")),
                               shown[column].tolist())
    if weight is not None and value("__csat_negative"):
        shown = backend.collect(table.filter(nw.col(work[weight]) < 0)
                                .select(nw.col(weight)).head(20))
        raise _negative_weights(weight, name, int(value("__csat_negative")),
                                shown[weight].tolist())
    n_read, n_used = int(value("n_read")), int(value("n_used"))
    missing_counts = [int(value(f"m{i}")) for i in range(len(missing))]
    if not n_used:
        raise _no_rows(columns, weight, pd.Series(missing_counts, index=every), n_read, name)
    cross = np.empty((q, q))
    for i, j in pairs:
        cross[i, j] = cross[j, i] = value(f"p{i}_{j}")
    return _result(columns, weight, center, n_read=n_read, n_used=n_used,
                   sum_w=value("sum_w") if weight else n_used,
                   sum_w2=value("sum_w2") if weight else n_used,
                   sums=[value(f"s{i}") for i in range(q)], cross=cross,
                   low=[value(f"lo{i}") for i in range(q)],
                   high=[value(f"hi{i}") for i in range(q)], missing=missing_counts,
                   firsts=[int(value(f"f{i}")) for i in range(len(firsts))],
                   engine=backend.describe(), name=name)


def _all(conditions: list[nw.Expr]) -> nw.Expr:
    out = nw.lit(True)
    for condition in conditions:
        out = out & condition
    return out


# ---------------------------------------------------------------------------- samples


@dataclass(frozen=True)
class SampledRows:
    """Rows brought into pandas: all of them, or a seeded random sample.

    Attributes
    ----------
    data : DataFrame
        The rows (the columns asked for; text columns whose every value is a number
        read as numbers, as the pandas CSV reader does), in source order, indexed by
        ``source_row`` (1-based; Spark's is its row id + 1, see ``scan_responses``).
    n_total : int
        Rows in the source.
    n_rows : int
        Rows brought back.
    sampled : bool
        False when every row was brought back (the source had at most ``threshold``).
    seed : int
    method : str
        How the rows were chosen, in words.
    exact_size : bool
        Whether the sample has exactly the size asked for (Spark's does not).
    engine : str
    source : str
    """

    data: pd.DataFrame = field(repr=False)
    n_total: int
    n_rows: int
    sampled: bool
    seed: int
    method: str
    exact_size: bool
    engine: str
    source: str

    @property
    def share(self) -> float:
        """Rows brought back as a share of the source's rows (1.0 for every row)."""
        return self.n_rows / self.n_total if self.n_total else 1.0

    def summary(self) -> str:
        """One sentence: which rows, how many of how many, how drawn, the seed.

        Examples
        --------
        >>> frame = pd.DataFrame({"x": range(1000)})
        >>> sample_rows(frame, ["x"], n=100, seed=7, threshold=500).summary()
        'Rows for the row-level models: a random sample of 100 of 1,000 rows (10%), pandas DataFrame.sample (exact size), seed 7, from DataFrame.'
        """
        return (f"Rows for the row-level models: {'a ' if self.sampled else ''}{self.method}, "
                f"from {_display_name(self.source)}.")


def sample_rows(
    source: Any,
    columns: Sequence[str],
    *,
    n: int,
    seed: int,
    threshold: int,
    engine: str | None = None,
    engine_options: Mapping[str, Any] | None = None,
    backend: Backend | None = None,
) -> SampledRows:
    """Every row of ``columns`` if the source has at most ``threshold`` rows, else a
    seeded random sample of about ``n`` rows, drawn by the engine.

    DuckDB: ``USING SAMPLE reservoir(n ROWS) REPEATABLE (seed)``, exactly ``n`` rows,
    run with one thread (DuckDB repeats a seeded sample only single-threaded; the
    connection's setting is restored after). Spark: ``sample(fraction = n / rows,
    seed)``, a Bernoulli sample whose size is only about ``n`` (the same rows for the
    same seed and partitioning). pandas: ``DataFrame.sample(n, random_state=seed)``.
    One count of the rows comes first, to decide and to state the share.

    Parameters
    ----------
    source : as for :func:`cross_products`
    columns : list of str
        Columns to bring back.
    n : int
        Rows wanted in a sample (at least :data:`MIN_SAMPLE_ROWS`).
    seed : int
        Seed of the engine's sampler (>= 0).
    threshold : int
        Sources with at most this many rows (or at most ``n``) come back whole.
    engine, engine_options, backend
        As for :func:`cross_products`.

    Returns
    -------
    SampledRows

    Examples
    --------
    >>> frame = pd.DataFrame({"x": range(1000), "y": ["a", "b"] * 500})
    >>> rows = sample_rows(frame, ["x"], n=100, seed=1, threshold=500, engine="duckdb")
    >>> rows.n_total, rows.n_rows, rows.share, rows.sampled, rows.exact_size
    (1000, 100, 0.1, True, True)
    """
    columns = [columns] if isinstance(columns, str) else list(columns)
    _check_sample(columns, n, seed, threshold)
    if isinstance(source, nw.LazyFrame) and backend is None:
        source = source.to_native()
    if backend is None:
        name = _engine_name(source, engine)
        if name == "pandas":
            return _pandas_sample(source, columns, n, seed, threshold)
    with quiet_spark():
        if backend is None:
            backend, source = open_backend(source, name, engine_options)
        return _engine_sample(backend, source, columns, n, seed, threshold)


def _check_sample(columns, n, seed, threshold) -> None:
    if not columns or not all(isinstance(c, str) for c in columns):
        raise ParameterError(f"columns must be one or more column names; got {columns!r}.")
    for label, value, least in (("n", n, MIN_SAMPLE_ROWS), ("seed", seed, 0),
                                ("threshold", threshold, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
            raise ParameterError(f"{label} must be a whole number >= {least}; got {value!r}.")


def _sample_text(sampled: bool, n_total: int, n_rows: int, n: int, seed: int, how: str) -> str:
    if not sampled:
        return f"every row ({n_total:,}): at most the threshold, so no sample"
    return (f"random sample of {n_rows:,} of {n_total:,} rows ({100 * n_rows / n_total:.2g}%), "
            f"{how}, seed {seed}")


def _pandas_sample(frame: pd.DataFrame, columns, n, seed, threshold) -> SampledRows:
    _missing_columns([str(c) for c in frame.columns], columns, "DataFrame")
    total = len(frame)
    chosen = frame[columns].reset_index(drop=True)
    chosen.index = pd.RangeIndex(1, total + 1, name="source_row")
    sampled = total > max(threshold, n)
    if sampled:
        chosen = chosen.sample(n=n, random_state=seed).sort_index()
    method = _sample_text(sampled, total, len(chosen), n, seed,
                          "pandas DataFrame.sample (exact size)")
    return SampledRows(chosen, total, len(chosen), sampled, int(seed), method, True,
                       f"pandas {pd.__version__}", "DataFrame")


def _engine_sample(backend: Backend, table: nw.LazyFrame, columns, n, seed, threshold
                   ) -> SampledRows:
    names = table.collect_schema().names()
    _missing_columns([c for c in names if c not in (ROW, FILE)], columns, backend.source)
    total = int(backend.collect(table.select(nw.len().alias("n")))["n"].iloc[0])
    picked = table.select(*columns, *([ROW] if ROW in names else []))
    sampled = total > max(threshold, n)
    exact = True
    how = ""
    if not sampled:
        rows = backend.collect(picked)
    elif backend.name == "duckdb":
        rows = _duckdb_reservoir(backend, picked, n, seed)
        how = "DuckDB reservoir sample (exact size, one thread)"
    else:
        fraction = n / total
        native = picked.to_native().sample(withReplacement=False, fraction=fraction,
                                           seed=int(seed))
        rows = backend.collect(nw.from_native(native))
        exact = False
        how = (f"Spark Bernoulli sample of fraction {fraction:.4g} (about {n:,} rows asked; "
               "the size varies)")
    if ROW in rows.columns:
        rows = rows.sort_values(ROW, kind="stable").set_index(ROW)
    rows.index = pd.Index(rows.index, name="source_row")
    data = pd.DataFrame({c: _maybe_numeric(rows[c]) for c in columns}, index=rows.index)
    return SampledRows(data, total, len(data), sampled, int(seed),
                       _sample_text(sampled, total, len(data), n, seed, how), exact,
                       backend.describe(), backend.source)


def _duckdb_reservoir(backend: Backend, table: nw.LazyFrame, n: int, seed: int) -> pd.DataFrame:
    """``USING SAMPLE reservoir(n ROWS) REPEATABLE (seed)`` with one thread, as DuckDB's
    documentation requires for a repeatable sample; the thread setting is restored."""
    con = backend.handle
    threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    relation = table.to_native().query(
        "__csat_rows", f"SELECT * FROM __csat_rows USING SAMPLE reservoir({int(n)} ROWS) "
        f"REPEATABLE ({int(seed)})")
    con.execute("SET threads = 1").fetchall()
    try:
        return backend.collect(nw.from_native(relation))
    finally:
        con.execute(f"SET threads = {int(threads)}").fetchall()
