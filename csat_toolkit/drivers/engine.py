"""Key drivers of data beyond memory: importance from one engine pass, models on a sample.

LMG (the exact Shapley decomposition of R²) and Johnson's relative weights are
functions of the weighted correlation matrix of the drivers and the outcome, and that
matrix is a function of the weighted cross-products, which a query engine sums in one
pass (:func:`~csat_toolkit.io.engines.moments.cross_products`). So
:func:`engine_importance` gives exactly what
:func:`~csat_toolkit.drivers.importance.relative_importance` gives for the same rows, as
point estimates: its bootstrap intervals and noise check resample rows, which the
engine's sums do not keep. For those, and for the row-level driver model
(:func:`~csat_toolkit.drivers.fit_drivers`), :func:`engine_sample` brings a stated,
seeded random sample of rows into pandas when the data is larger than
:data:`SAMPLE_THRESHOLD` rows.

Nothing here depends on the engine: the engine's steps are in ``io.engines.moments``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.display import result_html
from ..errors import DataError, ParameterError, show_values
from ..io.engines.moments import CrossProducts, SampledRows, cross_products, sample_rows
from .importance import (
    _COLLINEAR_TOL, _cov_to_corr, _driver_map, _renumber, r2_all_subsets, relative_weights,
    shapley_from_r2,
)

__all__ = ["SAMPLE_ROWS", "SAMPLE_THRESHOLD", "EngineImportance", "engine_importance",
           "engine_sample", "moments_covariance", "moments_correlation"]

#: Rows of the random sample :func:`engine_sample` brings into pandas. A share of R²
#: estimated from 100,000 rows has a standard error of a fraction of a point, and the
#: row-level work stays in seconds: a bootstrap replicate of
#: :func:`~csat_toolkit.drivers.importance.relative_importance` with 15 drivers takes
#: about 35 ms on 100,000 rows (benchmarks/README.md), the logistic driver model a few
#: seconds; the rows take about 1 MB per 10 numeric columns.
SAMPLE_ROWS = 100_000

#: Data with at most this many rows comes into pandas whole (no sample): up to here the
#: row-level models run on every row in reasonable time and memory (about 20 MB for 10
#: numeric columns), so a sample would only add noise.
SAMPLE_THRESHOLD = 250_000


def moments_covariance(moments: CrossProducts) -> pd.DataFrame:
    """The weighted covariance matrix from the cross-products.

    ``cov[i, j] = (sum(w x_i x_j) - sum(w x_i) sum(w x_j) / sum(w)) / sum(w)``: the
    covariance with frequency-like weights and denominator ``sum(w)`` (numpy's
    ``np.cov(X.T, aweights=w, bias=True)``). Its correlations are those of
    :func:`~csat_toolkit.drivers.importance.weighted_corr` on the same rows. A column
    whose minimum equals its maximum has variance exactly 0 (no rounding residue).

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [2.0, 4.0, 7.0], "w": [1, 1, 2]})
    >>> m = cross_products(frame, ["x", "y"], weight="w")
    >>> moments_covariance(m).round(4).values.tolist()
    [[0.6875, 1.75], [1.75, 4.5]]
    """
    sums = moments.sums.to_numpy()
    cov = (moments.cross.to_numpy() - np.outer(sums, sums) / moments.sum_w) / moments.sum_w
    flat = (moments.minimum == moments.maximum).to_numpy()
    cov[flat, :] = 0.0
    cov[:, flat] = 0.0
    return pd.DataFrame(cov, index=moments.cross.index, columns=moments.cross.columns)


def moments_correlation(moments: CrossProducts) -> pd.DataFrame:
    """The weighted correlation matrix from the cross-products (NaN for a constant column).

    The same numbers as :func:`~csat_toolkit.drivers.importance.weighted_corr` of the
    rows used (tested to 1e-12).

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [1, 2, 3, 4], "y": [2, 1, 4, 3]})
    >>> moments_correlation(cross_products(frame, ["x", "y"])).round(3).values.tolist()
    [[1.0, 0.6], [0.6, 1.0]]
    """
    corr = _cov_to_corr(moments_covariance(moments).to_numpy())
    return pd.DataFrame(corr, index=moments.cross.index, columns=moments.cross.columns)


@dataclass(frozen=True)
class EngineImportance:
    """Outcome of :func:`engine_importance`: point estimates, without intervals.

    Attributes
    ----------
    table : DataFrame
        One row per driver, largest LMG first (ties by name): ``driver``, ``n``,
        ``lmg``, ``lmg_share`` (% of R²), ``relative_weight``, ``rw_share`` (% of R²),
        ``rank``, ``small_n``, ``point_estimate`` (always True: no interval), ``method``.
        The columns mean what they mean in
        :func:`~csat_toolkit.drivers.importance.relative_importance`'s table.
    r2 : float
        R² of the least-squares model with every driver.
    n_used, n_read : int
        Rows in the sums, rows the engine read.
    n_eff : float
        Kish's effective sample size of the weights (``n_used`` without weights).
    set_aside : DataFrame
        Rows not used, by ``reason`` (the texts of ``relative_importance``), with ``rows``.
    missing : Series
        Rows where each column is missing or not finite, column by column.
    point_estimate : bool
        True: the engine path gives no bootstrap intervals and no noise check (they
        resample rows); use :func:`engine_sample` and ``relative_importance`` for them.
    moments : CrossProducts
        The engine's sums.
    """

    table: pd.DataFrame
    r2: float
    n_used: int
    n_read: int
    n_eff: float
    set_aside: pd.DataFrame
    missing: pd.Series
    outcome: str
    method: str
    engine: str
    moments: CrossProducts = field(repr=False)
    point_estimate: bool = True
    warnings: list[str] = field(default_factory=list)

    def summary(self, labels: Mapping[str, str] | None = None) -> str:
        """The decomposition in one sentence, largest drivers first, with the rows used.

        Examples
        --------
        >>> rng = np.random.default_rng(3)
        >>> a, b = rng.normal(size=(2, 400))
        >>> frame = pd.DataFrame({"y": 2 * a + b + rng.normal(size=400), "a": a, "b": b})
        >>> frame.loc[:9, "b"] = None
        >>> engine_importance(frame, "y", ["a", "b"]).summary()
        'Of R² = 0.82 (n=390 of 400 rows, 10 left out; point estimates, no intervals), a explains 84% and b 16%.'
        """
        names = [(labels or {}).get(d, d) for d in self.table["driver"]]
        shares = self.table["lmg_share"].tolist()
        parts = [f"{n} explains {s:.0f}%" if i == 0 else f"{n} {s:.0f}%"
                 for i, (n, s) in enumerate(zip(names[:3], shares[:3]))]
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        rest = len(names) - len(parts)
        if rest:
            listed += f" (the other {rest} driver{'s' if rest > 1 else ''} share the rest)"
        left = self.n_read - self.n_used
        head = (f"Of R² = {self.r2:.2f} (n={self.n_used:,} of {self.n_read:,} rows"
                + (f", {left:,} left out" if left else "") + "; point estimates, no intervals)")
        return f"{head}, {listed}."

    def _repr_html_(self) -> str:
        shown = ["driver", "n", "lmg", "lmg_share", "relative_weight", "rw_share", "rank",
                 "small_n"]
        return result_html(self.summary(), self.table[shown], method=self.method,
                           warnings=self.warnings)


def engine_importance(
    source: Any,
    outcome: str,
    drivers: Sequence[str] | Mapping[str, Sequence[str]],
    *,
    weight: str | None = None,
    center: Mapping[str, float] | None = None,
    min_n: int = 30,
    engine: str | None = None,
    engine_options: Mapping[str, Any] | None = None,
    backend: Any = None,
) -> EngineImportance:
    """LMG and relative weights of the drivers, from one pass of the engine over the rows.

    The engine sums the weighted cross-products of the outcome and the drivers
    (:func:`~csat_toolkit.io.engines.moments.cross_products`) over the rows where all of
    them are finite numbers and the weight is positive; the weighted correlation matrix
    follows (:func:`moments_correlation`), then LMG
    (:func:`~csat_toolkit.drivers.importance.r2_all_subsets`,
    :func:`~csat_toolkit.drivers.importance.shapley_from_r2`) and Johnson's relative
    weights (:func:`~csat_toolkit.drivers.importance.relative_weights`). These equal
    ``relative_importance``'s point estimates on the same rows (to about 1e-12).

    **Point estimates only.** The bootstrap intervals and the noise check of
    :func:`~csat_toolkit.drivers.importance.relative_importance` resample rows, which the
    sums do not keep: the table's ``point_estimate`` column says so, and the sentence
    too. For intervals, bring rows in with :func:`engine_sample` and run
    ``relative_importance`` on them.

    Parameters
    ----------
    source : path, folder, glob, DataFrame, DuckDB relation or PySpark DataFrame
    outcome : str
        Numeric outcome column (a score, or 0/1 such as satisfied).
    drivers : list of str, or dict of str to list of str
        Numeric driver columns; or ``{driver: [columns]}`` for a driver coded by several
        columns (a categorical's 0/1 dummy columns, one level left out).
    weight : str, optional
        Column of case weights (frequency-like); rows with weight 0 are set aside.
    center : mapping, optional
        Typical values of columns far from zero relative to their spread, for precision
        (see ``cross_products``).
    min_n : int
        Fewer usable rows than this flag every driver ``small_n``.
    engine : {"duckdb", "spark", "pandas"}, optional
        Default: pandas for a DataFrame, Spark for a PySpark DataFrame, else DuckDB.
    engine_options, backend
        As for ``cross_products``.

    Returns
    -------
    EngineImportance

    Raises
    ------
    MissingColumnError, DataError, NoValidRowsError, ParameterError
        Absent columns; a non-numeric column, a negative weight, no complete row, too
        few rows, a constant outcome or driver, collinear drivers; bad arguments.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> frt, contacts, other = rng.normal(size=(3, 300))
    >>> frame = pd.DataFrame({"score": 2 * frt + contacts + rng.normal(size=300),
    ...                       "frt": frt, "contacts": contacts, "other": other})
    >>> result = engine_importance(frame, "score", ["frt", "contacts", "other"],
    ...                            engine="duckdb")
    >>> result.table[["driver", "lmg", "lmg_share", "relative_weight"]].round(2)
         driver   lmg  lmg_share  relative_weight
    0       frt  0.61      75.11             0.61
    1  contacts  0.20      24.11             0.20
    2     other  0.01       0.78             0.01
    """
    if not isinstance(outcome, str):
        raise ParameterError(f"outcome must be a column name (a string); got {outcome!r}.")
    if isinstance(min_n, bool) or not isinstance(min_n, (int, np.integer)) or min_n < 0:
        raise ParameterError(f"min_n must be a whole number >= 0 (for example 30); got {min_n!r}.")
    groups = _driver_map(drivers)
    columns = [c for cols in groups.values() for c in cols]
    if outcome in columns:
        raise ParameterError(f"The outcome {outcome!r} is also listed as a driver; remove it "
                             "from drivers.")
    # The outcome first, as relative_importance takes each row's first problem.
    moments = cross_products(source, [outcome, *columns], weight=weight, center=center,
                             engine=engine, engine_options=engine_options, backend=backend)
    _check_moments(moments, outcome, groups)
    order = [*columns, outcome]
    C = moments_correlation(moments).loc[order, order].to_numpy()
    players = _renumber(list(groups.values()))
    r2_table = r2_all_subsets(C, players)
    g = len(players)
    lmg_values = shapley_from_r2(r2_table, g)
    rw_values = relative_weights(C, players)
    r2 = float(r2_table[-1])
    n = moments.n_used
    small = n < min_n
    warnings = [f"Only {n} usable rows (fewer than min_n = {min_n}): every driver is flagged "
                "small_n."] if small else []
    method = _method_text(moments, outcome, weight)
    table = pd.DataFrame({
        "driver": list(groups), "n": n, "lmg": lmg_values, "lmg_share": 100 * lmg_values / r2,
        "relative_weight": rw_values, "rw_share": 100 * rw_values / r2,
    })
    table = table.sort_values(["lmg", "driver"], ascending=[False, True], kind="mergesort")
    table = table.reset_index(drop=True)
    table["rank"] = np.arange(1, g + 1)
    table["small_n"] = small
    table["point_estimate"] = True
    table["method"] = method
    return EngineImportance(
        table=table, r2=r2, n_used=n, n_read=moments.n_read,
        n_eff=moments.sum_w**2 / moments.sum_w2, set_aside=_set_aside(moments, outcome, groups),
        missing=moments.missing, outcome=outcome, method=method, engine=moments.engine,
        moments=moments, warnings=warnings)


def _labels(outcome: str, groups: dict[str, list[str]]) -> dict[str, str]:
    """Column -> how relative_importance names it in a reason."""
    out = {outcome: f"outcome {outcome!r}"}
    for name, cols in groups.items():
        for c in cols:
            out[c] = f"driver {c!r}" if name == c else f"driver {name!r} (column {c!r})"
    return out


def _set_aside(moments: CrossProducts, outcome: str, groups) -> pd.DataFrame:
    labels = _labels(outcome, groups)
    reasons = [f"{labels[r.column]} missing or not finite" if r.column in labels else r.reason
               for r in moments.left_out.itertuples()]
    # built as relative_importance builds its table, so the dtypes are the same
    return pd.DataFrame({"reason": reasons, "rows": [int(n) for n in moments.left_out["rows"]]})


def _check_moments(moments: CrossProducts, outcome: str, groups: dict[str, list[str]]) -> None:
    """relative_importance's checks of the data, on the sums."""
    columns = [c for cols in groups.values() for c in cols]
    labels = _labels(outcome, groups)
    n, p = moments.n_used, len(columns)
    if n < p + 2:
        raise DataError(
            f"Only {n} usable row(s) for {len(groups)} driver(s) with {p} column(s): relative "
            f"importance needs at least {p + 2} rows (driver columns + 2), and many more for "
            "stable results. Use fewer drivers or more data; see set_aside for the rows left "
            "out.")
    low, high = moments.minimum, moments.maximum
    if low[outcome] == high[outcome]:
        raise DataError(
            f"The outcome {outcome!r} has one value only ({low[outcome]:g}) in all {n:,} usable "
            "rows: there is nothing to explain. Check the filter or choose another outcome.")
    flat = [c for c in columns if low[c] == high[c]]
    if flat:
        raise DataError(
            f"{', '.join(labels[c].removeprefix('driver ') for c in flat).capitalize()} "
            f"{'is' if len(flat) == 1 else 'are'} constant ({low[flat[0]]:g} in every usable "
            "row): a constant driver cannot explain anything. Leave it out.")
    R = moments_correlation(moments).loc[columns, columns].to_numpy()
    values, vectors = np.linalg.eigh(R)
    if values.min() <= _COLLINEAR_TOL:
        involved = sorted({j for v in vectors[:, values <= _COLLINEAR_TOL * 10].T
                           for j in np.nonzero(np.abs(v) > 1e-6)[0]})
        raise DataError(
            f"Drivers {show_values([columns[j] for j in involved], 10)} are perfectly "
            "collinear: one is an exact combination of the others (e.g. a total and its "
            "parts, or every dummy column of a categorical), so their shares cannot be told "
            "apart. Drop one of them (for a categorical, leave one level out).")


def _binary(moments: CrossProducts, outcome: str) -> bool:
    """Whether the outcome takes only the values 0 and 1 on the rows used: with values in
    [0, 1], the variance equals p(1 - p) only then."""
    if moments.minimum[outcome] != 0 or moments.maximum[outcome] != 1:
        return False
    p = float(moments.mean()[outcome])
    var = float(moments_covariance(moments).loc[outcome, outcome])
    return abs(var - p * (1 - p)) <= 1e-9 * max(p * (1 - p), 1e-300)


def _method_text(moments: CrossProducts, outcome: str, weight: str | None) -> str:
    text = ("LMG (exact Shapley decomposition of R², Lindeman-Merenda-Gold) and Johnson's "
            "relative weights, from the " + ("weighted " if weight else "") + "correlation "
            f"matrix of one pass of cross-products in {moments.engine}")
    if _binary(moments, outcome):
        text += "; outcome 0/1, so R² of the linear probability model (as relaimpo and rwa)"
    return text + ("; point estimates: no bootstrap intervals or noise check (they resample "
                   "rows: engine_sample, then relative_importance)")


def engine_sample(
    source: Any,
    columns: Sequence[str],
    *,
    n: int = SAMPLE_ROWS,
    seed: int = 0,
    threshold: int = SAMPLE_THRESHOLD,
    engine: str | None = None,
    engine_options: Mapping[str, Any] | None = None,
) -> SampledRows:
    """Rows for the row-level models: all of them up to ``threshold`` rows, else a seeded
    random sample of ``n``, drawn by the engine.

    :func:`~csat_toolkit.drivers.importance.relative_importance` (bootstrap intervals,
    the noise check) and :func:`~csat_toolkit.drivers.fit_drivers` work on rows in
    pandas. For data larger than ``threshold`` rows (default :data:`SAMPLE_THRESHOLD`)
    this brings a random sample of ``n`` rows (default :data:`SAMPLE_ROWS`): on DuckDB a
    reservoir sample of exactly ``n`` rows, repeatable with the seed; on Spark a
    Bernoulli sample of fraction ``n / rows`` whose size is only about ``n`` (repeatable
    for the same seed and partitioning); on pandas ``DataFrame.sample``. The result
    states the rows read, the share and the seed (``.summary()``); report them with the
    model's results, whose intervals then describe the sample.

    Parameters
    ----------
    source : path, folder, glob, DataFrame, DuckDB relation or PySpark DataFrame
    columns : list of str
        The columns the models need (outcome, drivers, weight, segments).
    n : int
        Sample size (at least 100).
    seed : int
        Seed of the engine's sampler.
    threshold : int
        Data with at most this many rows (or at most ``n``) comes back whole.
    engine, engine_options
        As for :func:`engine_importance`.

    Returns
    -------
    SampledRows
        ``.data`` (indexed by ``source_row``), ``.n_total``, ``.n_rows``, ``.share``,
        ``.seed``, ``.sampled``, ``.exact_size``, ``.method``, ``.summary()``.

    Examples
    --------
    >>> frame = pd.DataFrame({"y": np.arange(2000) % 5, "x": np.arange(2000) % 7})
    >>> rows = engine_sample(frame, ["y", "x"], n=500, seed=3, threshold=1000,
    ...                      engine="duckdb")
    >>> len(rows.data), rows.share, rows.seed
    (500, 0.25, 3)
    """
    return sample_rows(source, columns, n=n, seed=seed, threshold=threshold, engine=engine,
                       engine_options=engine_options)
