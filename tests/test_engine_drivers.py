"""Key drivers from an engine (issue 15): one pass of cross-products, then LMG and weights.

Golden tests: the moments of a seeded synthetic frame (5,000 rows, five drivers with
missing and infinite values, weights with missing and zero values) and of the bundled
sample's tickets CSV agree between numpy, pandas, DuckDB and Spark (``local[1]``) to 1e-9
relative; their correlation is ``weighted_corr``'s; LMG and relative weights are
``importance.py``'s from the rows in memory; the accounting of the rows left out is
hand-checked on a tiny frame; every error path; the engine sample is seeded, repeatable
and of the stated size. Spark tests skip with a message where PySpark or Java is absent.
"""
from __future__ import annotations


import duckdb
import numpy as np
import pandas as pd
import pytest

from csat_toolkit.drivers.engine import (
    SAMPLE_ROWS, SAMPLE_THRESHOLD, engine_importance, engine_sample, moments_correlation,
    moments_covariance,
)
from csat_toolkit.drivers.importance import (
    lmg, r2_all_subsets, relative_importance, relative_weights, weighted_corr,
)
from csat_toolkit.errors import DataError, MissingColumnError, NoValidRowsError, ParameterError
from csat_toolkit.io.engines import open_backend
from csat_toolkit.io.engines.moments import MIN_SAMPLE_ROWS, cross_products, sample_rows

from .conftest import SAMPLE

TICKETS = SAMPLE / "tickets.csv"
DRIVERS = ["frt", "contacts", "handle", "wait", "other"]
COLUMNS = ["score", *DRIVERS]
RTOL = 1e-9


def _synthetic(n: int = 5000, seed: int = 15) -> pd.DataFrame:
    """Five correlated drivers and a 1-5-ish score; ~2% missing per column, a few
    infinite values, weights with missing and zero values; integer contacts."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(n, 5)) @ np.array([[1, .3, .2, 0, 0], [0, 1, .4, .1, 0],
                                                [0, 0, 1, .3, 0], [0, 0, 0, 1, 0],
                                                [0, 0, 0, 0, 1.]])
    frame = pd.DataFrame({
        "score": 3 + 0.8 * base[:, 0] - 0.5 * base[:, 1] + 0.3 * base[:, 2]
        + 0.1 * base[:, 3] + rng.normal(size=n),
        "frt": 4 + base[:, 0], "contacts": (base[:, 1] * 2 + 5).round(),
        "handle": 600 + 200 * base[:, 2], "wait": 10 + 3 * base[:, 3], "other": base[:, 4],
        "w": rng.gamma(2.0, 0.5, size=n),
    })
    for j, column in enumerate([*COLUMNS, "w"]):
        frame.loc[rng.choice(n, 100 + 10 * j, replace=False), column] = np.nan
    frame.loc[[7, 8, 9], "handle"] = np.inf
    frame.loc[rng.choice(n, 40, replace=False), "w"] = 0.0
    return frame


@pytest.fixture(scope="module")
def synthetic() -> pd.DataFrame:
    return _synthetic()


@pytest.fixture(scope="module")
def synthetic_parquet(synthetic, tmp_path_factory):
    path = tmp_path_factory.mktemp("drivers") / "drivers.parquet"
    synthetic.to_parquet(path, index=False)
    return path


def _numpy_moments(frame: pd.DataFrame, columns, weight=None) -> dict:
    """The sums by hand: complete rows only (finite values, a positive weight)."""
    X = frame[columns].to_numpy(dtype=float)
    w = np.ones(len(frame)) if weight is None else frame[weight].to_numpy(dtype=float)
    used = np.isfinite(X).all(axis=1) & np.isfinite(w) & (w > 0)
    X, w = X[used], w[used]
    return {"n": int(used.sum()), "sum_w": w.sum(), "sum_w2": (w**2).sum(), "sums": w @ X,
            "cross": (X * w[:, None]).T @ X, "min": X.min(axis=0), "max": X.max(axis=0),
            "rows": X, "w": w}


def _assert_same_moments(got, want) -> None:
    """Two CrossProducts agree: counts exactly, sums to 1e-9 relative."""
    assert got.columns == want.columns and got.weight == want.weight
    assert (got.n_read, got.n_used) == (want.n_read, want.n_used)
    pd.testing.assert_series_equal(got.missing, want.missing)
    pd.testing.assert_frame_equal(got.left_out, want.left_out)
    np.testing.assert_allclose([got.sum_w, got.sum_w2], [want.sum_w, want.sum_w2], rtol=RTOL)
    np.testing.assert_allclose(got.sums, want.sums, rtol=RTOL)
    np.testing.assert_allclose(got.cross, want.cross, rtol=RTOL)
    np.testing.assert_array_equal(got.minimum, want.minimum)
    np.testing.assert_array_equal(got.maximum, want.maximum)


# ------------------------------------------------------------------ moments, golden


def test_pandas_moments_are_the_numpy_sums(synthetic):
    m = cross_products(synthetic, COLUMNS, weight="w")
    want = _numpy_moments(synthetic, COLUMNS, "w")
    assert m.engine.startswith("pandas") and m.n_read == 5000 and m.n_used == want["n"]
    assert m.n_used + int(m.left_out["rows"].sum()) == 5000
    np.testing.assert_allclose(m.sums, want["sums"], rtol=1e-12)
    np.testing.assert_allclose(m.cross, want["cross"], rtol=1e-12)
    np.testing.assert_allclose([m.sum_w, m.sum_w2], [want["sum_w"], want["sum_w2"]],
                               rtol=1e-12)
    np.testing.assert_array_equal(m.minimum, want["min"])
    np.testing.assert_array_equal(m.maximum, want["max"])
    # per column: missing or not finite (handle has 3 infinite values besides its NaNs)
    counts = {c: int((~np.isfinite(synthetic[c])).sum()) for c in COLUMNS}
    counts["w"] = int((~np.isfinite(synthetic["w"]) | (synthetic["w"] == 0)).sum())
    assert m.missing.to_dict() == counts
    assert counts["handle"] == int(synthetic["handle"].isna().sum()) + 3


def test_duckdb_moments_from_parquet_equal_pandas(synthetic, synthetic_parquet):
    on_pandas = cross_products(synthetic, COLUMNS, weight="w")
    on_duckdb = cross_products(synthetic_parquet, COLUMNS, weight="w")
    assert on_duckdb.engine.startswith("DuckDB") and on_duckdb.source.endswith("drivers.parquet")
    _assert_same_moments(on_duckdb, on_pandas)
    # a DuckDB relation, and an opened backend's LazyFrame, give the same sums
    relation = duckdb.read_parquet(str(synthetic_parquet))
    _assert_same_moments(cross_products(relation, COLUMNS, weight="w"), on_pandas)
    backend, table = open_backend(synthetic_parquet, "duckdb")
    _assert_same_moments(cross_products(table, COLUMNS, weight="w", backend=backend), on_pandas)


def test_moments_of_the_sample_tickets_csv_read_as_text():
    """The engine reads every CSV column as text: the numbers are read as pandas reads them."""
    columns = ["reopened", "contacts", "handle_time"]
    on_duckdb = cross_products(TICKETS, columns)
    on_pandas = cross_products(pd.read_csv(TICKETS), columns)
    _assert_same_moments(on_duckdb, on_pandas)
    tickets = pd.read_csv(TICKETS)
    assert on_duckdb.n_used == len(tickets) == 39732 and on_duckdb.left_out.empty
    np.testing.assert_allclose(on_duckdb.mean(), tickets[columns].mean(), rtol=1e-12)
    np.testing.assert_allclose(moments_covariance(on_duckdb),
                               tickets[columns].cov(ddof=0), rtol=1e-9)


def test_center_changes_the_sums_not_the_covariance(synthetic):
    plain = cross_products(synthetic, COLUMNS, weight="w")
    shifted = cross_products(synthetic, COLUMNS, weight="w", center={"handle": 600.0,
                                                                    "score": 3})
    assert shifted.sums["handle"] == pytest.approx(plain.sums["handle"] - 600 * plain.sum_w)
    np.testing.assert_allclose(moments_covariance(shifted), moments_covariance(plain),
                               rtol=1e-9)
    np.testing.assert_allclose(shifted.mean(), plain.mean(), rtol=1e-12)


def test_center_keeps_precision_far_from_zero():
    """A column at 1e9 +- 1: the raw products cancel 18 digits; about its centre, none."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=2000)
    frame = pd.DataFrame({"y": x + rng.normal(size=2000), "t": 1e9 + x})
    want = weighted_corr(frame[["y", "t"]].to_numpy())[0, 1]
    centred = cross_products(frame, ["y", "t"], center={"t": 1e9}, engine="duckdb")
    assert moments_correlation(centred).loc["y", "t"] == pytest.approx(want, abs=1e-12)


# -------------------------------------------------------------- correlation, importance


def test_correlation_and_covariance_equal_weighted_corr(synthetic):
    m = cross_products(synthetic, COLUMNS, weight="w", engine="duckdb")
    rows = _numpy_moments(synthetic, COLUMNS, "w")
    np.testing.assert_allclose(moments_correlation(m), weighted_corr(rows["rows"], rows["w"]),
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(moments_covariance(m),
                               np.cov(rows["rows"].T, aweights=rows["w"], bias=True),
                               rtol=1e-10)
    unweighted = cross_products(synthetic, COLUMNS, engine="duckdb")
    complete = synthetic[COLUMNS][np.isfinite(synthetic[COLUMNS]).all(axis=1)].to_numpy()
    np.testing.assert_allclose(moments_correlation(unweighted), weighted_corr(complete),
                               rtol=0, atol=1e-12)
    assert unweighted.sum_w == unweighted.sum_w2 == unweighted.n_used == len(complete)


def test_constant_column_has_nan_correlation_as_weighted_corr():
    frame = pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [0.5, 0.5, 0.5]})
    got = moments_correlation(cross_products(frame, ["a", "b"]))
    np.testing.assert_array_equal(got.isna().to_numpy(), np.isnan(weighted_corr(frame)))
    # 0.1 is not exact in binary: the sums leave a rounding residue, the minimum and
    # maximum do not, so the variance is exactly 0 and the correlations NaN
    tenths = cross_products(frame.assign(b=0.1), ["a", "b"])
    assert moments_covariance(tenths).loc["b", "b"] == 0.0
    assert moments_correlation(tenths).isna().to_numpy().tolist() == [[False, True],
                                                                      [True, True]]


def test_importance_equals_importance_py_on_the_rows(synthetic, synthetic_parquet):
    result = engine_importance(synthetic_parquet, "score", DRIVERS, weight="w")
    rows = _numpy_moments(synthetic, [*DRIVERS, "score"], "w")
    C = weighted_corr(rows["rows"], rows["w"])
    by_driver = result.table.set_index("driver").loc[DRIVERS]
    np.testing.assert_allclose(by_driver["lmg"], lmg(C), rtol=0, atol=1e-12)
    np.testing.assert_allclose(by_driver["relative_weight"], relative_weights(C),
                               rtol=0, atol=1e-12)
    assert result.r2 == pytest.approx(r2_all_subsets(C)[-1], abs=1e-12)
    assert by_driver["lmg"].sum() == pytest.approx(result.r2, abs=1e-12)
    # relative_importance's point estimates, n and set-aside rows on the same frame
    memory = relative_importance(synthetic, "score", DRIVERS, weights="w", n_boot=0,
                                 noise=False)
    pd.testing.assert_series_equal(result.table["driver"], memory.table["driver"])
    for column in ("lmg", "lmg_share", "relative_weight", "rw_share"):
        np.testing.assert_allclose(result.table[column], memory.table[column], rtol=1e-10)
    assert result.n_used == memory.n_used == rows["n"] and result.n_read == 5000
    assert result.n_eff == pytest.approx(memory.n_eff, rel=1e-12)
    pd.testing.assert_frame_equal(result.set_aside, memory.set_aside)
    assert result.table["point_estimate"].all() and result.point_estimate
    assert "point estimates: no bootstrap intervals" in result.method
    assert "DuckDB" in result.method and "weighted correlation" in result.method
    assert result.table["rank"].tolist() == [1, 2, 3, 4, 5]
    assert not result.table["small_n"].any() and not result.warnings
    assert result.summary().startswith(f"Of R² = {result.r2:.2f} (n={result.n_used:,} of "
                                       f"5,000 rows, {5000 - result.n_used:,} left out; point")
    html = result._repr_html_()
    assert result.summary() in html
    assert "no bootstrap intervals or noise check" in html


def test_grouped_drivers_equal_relative_importance():
    rng = np.random.default_rng(8)
    channel = rng.choice(["chat", "email", "phone"], size=3000)
    frt = rng.normal(size=3000)
    frame = pd.DataFrame({"y": frt + (channel == "phone") * 0.7 + rng.normal(size=3000),
                          "frt": frt, "email": (channel == "email") * 1.0,
                          "phone": (channel == "phone") * 1.0})
    drivers = {"speed": ["frt"], "channel": ["email", "phone"]}
    result = engine_importance(frame, "y", drivers, engine="duckdb")
    memory = relative_importance(frame, "y", drivers, n_boot=0, noise=False)
    np.testing.assert_allclose(result.table["lmg"], memory.table["lmg"], rtol=1e-10)
    np.testing.assert_allclose(result.table["relative_weight"],
                               memory.table["relative_weight"], rtol=1e-10)
    assert result.table["driver"].tolist() == memory.table["driver"].tolist()


def test_binary_outcome_named_in_the_method():
    result = engine_importance(TICKETS, "reopened", ["contacts", "handle_time"])
    memory = relative_importance(pd.read_csv(TICKETS), "reopened", ["contacts", "handle_time"],
                                 n_boot=0, noise=False)
    np.testing.assert_allclose(result.table["lmg"], memory.table["lmg"], rtol=1e-9)
    assert "outcome 0/1, so R² of the linear probability model" in result.method
    plain = engine_importance(TICKETS, "contacts", ["reopened", "handle_time"])
    assert "linear probability" not in plain.method


def test_small_n_flagged():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(rng.normal(size=(20, 3)), columns=["y", "a", "b"])
    result = engine_importance(frame, "y", ["a", "b"], min_n=30)
    assert result.table["small_n"].all()
    assert result.warnings == ["Only 20 usable rows (fewer than min_n = 30): every driver "
                               "is flagged small_n."]


# ---------------------------------------------------------------- accounting, by hand

# Row by row (x, y, w): the first problem decides the reason a row is left out.
TINY = pd.DataFrame({
    "x": [1.0, 2.0, None, 4.0, np.inf, 6.0, 7.0, 8.0, None],
    "y": ["3", " 5 ", "2", "", "1", "NA", "4", "2", None],
    "w": [1.0, 2.0, 1.0, 1.0, 1.0, 1.0, None, 0.0, 3.0],
})
# used: rows 1, 2 (x 1, 2; y 3, 5; w 1, 2); left out: row 3 (x missing), row 4 (y blank),
# row 5 (x infinite), row 6 (y "NA"), row 7 (w missing), row 8 (w zero), row 9 (x missing).
TINY_LEFT_OUT = pd.DataFrame({
    "column": ["x", "y", "w", "w"],
    "reason": ["'x' missing or not finite", "'y' missing or not finite",
               "weight 'w' missing or not finite", "weight 'w' is zero"],
    "rows": [3, 2, 1, 1]}).astype({"column": object, "reason": object})


def _check_tiny(m) -> None:
    assert (m.n_read, m.n_used, m.n_left_out) == (9, 2, 7)
    assert m.missing.to_dict() == {"x": 3, "y": 3, "w": 2}
    pd.testing.assert_frame_equal(m.left_out, TINY_LEFT_OUT)
    assert (m.sum_w, m.sum_w2) == (3.0, 5.0)
    assert m.sums.tolist() == [1 * 1 + 2 * 2, 1 * 3 + 2 * 5]  # [5, 13]
    assert m.cross.values.tolist() == [[1 + 2 * 4, 3 + 2 * 10], [3 + 2 * 10, 9 + 2 * 25]]
    assert m.minimum.tolist() == [1.0, 3.0] and m.maximum.tolist() == [2.0, 5.0]
    assert m.report()["rows"].tolist() == [9, 2, 3, 2, 1, 1]


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_left_out_accounting_by_hand(engine):
    m = cross_products(TINY, ["x", "y"], weight="w", engine=engine)
    _check_tiny(m)
    assert m.summary().startswith("Cross-products of 2 columns over 2 of 9 rows of DataFrame "
                                  "(7 left out: 'x' missing or not finite 3, 'y' missing or "
                                  "not finite 2, weight 'w' missing or not finite 1, weight "
                                  "'w' is zero 1), one pass in ")


def test_set_aside_uses_relative_importance_reasons():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(rng.normal(size=(50, 3)), columns=["y", "a", "b"])
    frame.loc[[0, 1], "y"] = np.nan
    frame.loc[[1, 2, 3], "b"] = np.nan
    frame["w"] = 1.0
    frame.loc[4, "w"] = 0.0
    drivers = {"a": ["a"], "group": ["b"]}
    result = engine_importance(frame, "y", drivers, weight="w", engine="duckdb")
    memory = relative_importance(frame, "y", drivers, weights="w", n_boot=0, noise=False)
    pd.testing.assert_frame_equal(result.set_aside, memory.set_aside)
    assert result.set_aside.to_dict("list") == {
        "reason": ["outcome 'y' missing or not finite",
                   "driver 'group' (column 'b') missing or not finite", "weight 'w' is zero"],
        "rows": [2, 2, 1]}
    assert result.missing.to_dict() == {"y": 2, "a": 0, "b": 3, "w": 1}


# ------------------------------------------------------------------------ error paths


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_missing_column_named(engine):
    with pytest.raises(MissingColumnError, match=r"'nope' not found in DataFrame; it has "
                                                 r"'x', 'y', 'w'"):
        cross_products(TINY, ["x", "nope"], engine=engine)
    with pytest.raises(MissingColumnError, match="'weights'"):
        engine_importance(TINY, "x", ["y"], weight="weights", engine=engine)


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_non_numeric_column_shows_its_values(engine):
    frame = TINY.assign(y=["3", "good", "2", "", "bad", "NA", "4", "good", None])
    with pytest.raises(DataError, match=r"The column 'y' in DataFrame is not numeric: 3 "
                                        r"value\(s\) do not read as numbers \('good', 'bad'\)"
                                        r".*dummy columns"):
        cross_products(frame, ["x", "y"], engine=engine)


def test_non_numeric_dtype_in_the_engine():
    frame = pd.DataFrame({"x": [1.0, 2.0], "when": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    with pytest.raises(DataError, match=r"The column 'when' in DataFrame is not numeric: 2 "
                                        r"value\(s\).*'2024-01-01"):
        cross_products(frame, ["x", "when"], engine="duckdb")
    with pytest.raises(DataError, match="'when' in DataFrame is not numeric"):
        cross_products(frame, ["x", "when"])


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_negative_weights_refused(engine):
    frame = TINY.assign(w=[1.0, -2.0, 1.0, 1.0, 1.0, -0.5, 1.0, 1.0, 1.0])
    with pytest.raises(DataError, match=r"weight column 'w' in DataFrame has 2 negative "
                                        r"value\(s\) \(-2.0, -0.5\)"):
        cross_products(frame, ["x"], weight="w", engine=engine)


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_no_complete_rows(engine):
    frame = pd.DataFrame({"x": [1.0, None, 3.0], "y": [None, 2.0, np.inf]})
    with pytest.raises(NoValidRowsError, match=r"No row of DataFrame has every one of 'x', "
                                               r"'y' as a finite number: of 3 rows read.*"
                                               r"'x' 1, 'y' 2"):
        cross_products(frame, ["x", "y"], engine=engine)


def test_unknown_engine_and_bad_arguments(synthetic_parquet):
    with pytest.raises(ParameterError, match="Unknown engine 'polars'"):
        cross_products(TINY, ["x"], engine="polars")
    with pytest.raises(ParameterError, match="Unknown engine 'polars'"):
        engine_sample(TINY, ["x"], engine="polars")
    with pytest.raises(ParameterError, match="engine='pandas' takes a pandas DataFrame"):
        cross_products(synthetic_parquet, ["score"], engine="pandas")
    with pytest.raises(ParameterError, match="columns is empty"):
        cross_products(TINY, [])
    with pytest.raises(ParameterError, match="'x' is listed twice"):
        cross_products(TINY, ["x", "x"])
    with pytest.raises(ParameterError, match="weight must be a column name other"):
        cross_products(TINY, ["x", "w"], weight="w")
    with pytest.raises(ParameterError, match="center names 'z'"):
        cross_products(TINY, ["x"], center={"z": 1.0})
    with pytest.raises(ParameterError, match="center values must be finite"):
        cross_products(TINY, ["x"], center={"x": float("nan")})
    with pytest.raises(ParameterError, match="backend= goes with the engine's narwhals"):
        backend, _ = open_backend(TINY, "duckdb")
        cross_products(TINY, ["x"], backend=backend)
    with pytest.raises(ParameterError, match="outcome 'y' is also listed as a driver"):
        engine_importance(TINY, "y", ["x", "y"])
    with pytest.raises(ParameterError, match="outcome must be a column name"):
        engine_importance(TINY, ["y"], ["x"])
    with pytest.raises(ParameterError, match="min_n must be a whole number"):
        engine_importance(TINY, "y", ["x"], min_n=-1)
    with pytest.raises(ParameterError, match="drivers is empty"):
        engine_importance(TINY, "y", [])


def test_model_checks_on_the_sums():
    rng = np.random.default_rng(6)
    frame = pd.DataFrame(rng.normal(size=(40, 3)), columns=["y", "a", "b"])
    with pytest.raises(DataError, match=r"Only 3 usable row\(s\) for 2 driver\(s\)"):
        engine_importance(frame.head(3), "y", ["a", "b"], engine="duckdb")
    with pytest.raises(DataError, match=r"The outcome 'y' has one value only \(2\)"):
        engine_importance(frame.assign(y=2.0), "y", ["a", "b"])
    with pytest.raises(DataError, match=r"'b' is constant \(0.5 in every usable row\)"):
        engine_importance(frame.assign(b=0.5), "y", ["a", "b"], engine="duckdb")
    with pytest.raises(DataError, match=r"Drivers 'a', 'b', 'c' are perfectly collinear"):
        engine_importance(frame.assign(c=frame["a"] + 2 * frame["b"]), "y", ["a", "b", "c"])


# ------------------------------------------------------------------------------ samples


def test_duckdb_sample_is_seeded_and_of_the_stated_size(synthetic_parquet, synthetic):
    first = engine_sample(synthetic_parquet, ["score", "frt"], n=800, seed=11, threshold=1000)
    again = engine_sample(synthetic_parquet, ["score", "frt"], n=800, seed=11, threshold=1000)
    other = engine_sample(synthetic_parquet, ["score", "frt"], n=800, seed=12, threshold=1000)
    assert (first.n_total, first.n_rows, first.share, first.seed) == (5000, 800, 0.16, 11)
    assert first.sampled and first.exact_size and len(first.data) == 800
    pd.testing.assert_frame_equal(first.data, again.data)
    assert first.data.index.name == "source_row" and first.data.index.is_monotonic_increasing
    assert len(first.data.index.intersection(other.data.index)) < 400
    # the rows are the file's rows, by their 1-based number
    want = synthetic.loc[first.data.index - 1, ["score", "frt"]].set_axis(first.data.index)
    pd.testing.assert_frame_equal(first.data, want)
    assert first.summary() == ("Rows for the row-level models: a random sample of 800 of "
                               "5,000 rows (16%), DuckDB reservoir sample (exact size, one "
                               "thread), seed 11, from drivers.parquet.")
    # the connection's thread setting is restored
    con = duckdb.connect()
    con.execute("SET threads = 2").fetchall()
    engine_sample(synthetic_parquet, ["score"], n=800, seed=1, threshold=1000,
                  engine_options={"connection": con})
    assert con.execute("SELECT current_setting('threads')").fetchall()[0][0] == 2


def test_small_data_comes_back_whole(synthetic):
    rows = engine_sample(synthetic, ["score", "w"], engine="duckdb")
    assert not rows.sampled and rows.share == 1.0 and rows.n_rows == 5000
    pd.testing.assert_frame_equal(
        rows.data, synthetic[["score", "w"]].set_axis(pd.RangeIndex(1, 5001, name="source_row")),
        check_index_type=False)
    assert rows.summary() == ("Rows for the row-level models: every row (5,000): at most the "
                              "threshold, so no sample, from DataFrame.")
    assert SAMPLE_THRESHOLD >= SAMPLE_ROWS >= MIN_SAMPLE_ROWS


def test_sample_of_csv_text_reads_numbers_and_feeds_the_models():
    rows = engine_sample(TICKETS, ["reopened", "contacts", "handle_time", "channel"], n=5000,
                         seed=0, threshold=10_000)
    assert rows.n_rows == 5000 and rows.n_total == 39732
    assert rows.data["contacts"].dtype.kind in "if" and rows.data["channel"].dtype.kind in "OT"
    result = relative_importance(rows.data, "reopened", ["contacts", "handle_time"], n_boot=50,
                                 seed=1)
    assert result.n_used == 5000 and result.n_boot == 50


def test_pandas_sample_and_sample_arguments():
    frame = pd.DataFrame({"x": np.arange(3000.0)})
    rows = sample_rows(frame, ["x"], n=300, seed=2, threshold=1000)
    assert rows.n_rows == 300 and rows.exact_size and rows.engine.startswith("pandas")
    pd.testing.assert_frame_equal(rows.data, sample_rows(frame, ["x"], n=300, seed=2,
                                                         threshold=1000).data)
    assert (rows.data["x"].to_numpy() == rows.data.index.to_numpy() - 1).all()
    with pytest.raises(ParameterError, match="n must be a whole number >= 100"):
        engine_sample(frame, ["x"], n=10)
    with pytest.raises(ParameterError, match="seed must be a whole number >= 0"):
        engine_sample(frame, ["x"], seed=-1)
    with pytest.raises(ParameterError, match="columns must be one or more column names"):
        engine_sample(frame, [])
    with pytest.raises(MissingColumnError, match="'y' not found"):
        engine_sample(frame, ["y"], engine="duckdb")


# -------------------------------------------------------------------------------- Spark


@pytest.mark.xdist_group("spark")
def test_spark_moments_and_importance_equal_pandas(spark, synthetic, synthetic_parquet):
    # the Parquet path read by Spark; engine_importance keeps the moments of its one pass
    result = engine_importance(synthetic_parquet, "score", DRIVERS, weight="w", engine="spark",
                               engine_options={"session": spark})
    assert result.engine.startswith("Spark") and "Spark" in result.method
    _assert_same_moments(result.moments, cross_products(synthetic, COLUMNS, weight="w"))
    memory = relative_importance(synthetic, "score", DRIVERS, weights="w", n_boot=0,
                                 noise=False)
    for column in ("lmg", "relative_weight"):
        np.testing.assert_allclose(result.table[column], memory.table[column], rtol=1e-9)
    pd.testing.assert_frame_equal(result.set_aside, memory.set_aside)
    # text columns (blank, "NA", " 5 "), infinite values, missing and zero weights
    rows = [tuple(None if pd.isna(v) else v for v in row) for row in TINY.itertuples(index=False)]
    tiny = spark.createDataFrame(rows, schema="x double, y string, w double")
    _check_tiny(cross_products(tiny, ["x", "y"], weight="w"))


@pytest.mark.xdist_group("spark")
def test_spark_sample_is_seeded_and_about_the_size(spark, synthetic_parquet):
    sdf = spark.read.parquet(str(synthetic_parquet))
    first = engine_sample(sdf, ["score", "frt"], n=1000, seed=5, threshold=2000)
    again = engine_sample(sdf, ["score", "frt"], n=1000, seed=5, threshold=2000)
    assert first.sampled and not first.exact_size and first.n_total == 5000
    pd.testing.assert_frame_equal(first.data, again.data)
    assert abs(first.n_rows - 1000) < 4 * np.sqrt(5000 * 0.2 * 0.8)  # binomial(5000, 0.2)
    assert first.share == first.n_rows / 5000
    assert "Spark Bernoulli sample of fraction 0.2 (about 1,000 rows asked; the size " \
           "varies), seed 5" in first.summary()
