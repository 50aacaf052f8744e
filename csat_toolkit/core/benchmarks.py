"""Published reference figures for CX metrics, and comparison of results against them.

The figures live in ``data/benchmarks.csv``, one row per figure, each with its source,
year, method and sample (``"not stated by the source"`` where the publisher gives none).
Values are in the metric's own units: percent (0-100) for shares such as CSAT, FCR or
PMF, NPS points (-100..100) for NPS, index points (0-100) for the ACSI.

``kind`` says how to read ``low`` and ``high``:

- ``range``: a typical or target range from ``low`` to ``high``;
- ``threshold_above``: good when above the threshold (``low == high``);
- ``average``: a published average (``low == high``);
- ``expectation``: the share of customers who expect something, e.g. a reply within an
  hour (``low == high``).

A result is compared through its confidence interval, never its point estimate alone:
it is *above* a benchmark when the whole interval lies above ``high``, *below* when it
lies below ``low``, *within* a ``range`` benchmark when it lies inside ``[low, high]``,
and otherwise *not distinguishable* from it.
"""
from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from numbers import Real
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import (
    DataError,
    FileFormatError,
    MissingColumnError,
    ParameterError,
    require_columns,
    show_values,
)

__all__ = [
    "BENCHMARK_COLUMNS",
    "BENCHMARK_KINDS",
    "VERDICTS",
    "DEFAULT_PATH",
    "load_benchmarks",
    "compare_to_benchmark",
    "benchmark_sentence",
]

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "benchmarks.csv"

BENCHMARK_COLUMNS = (
    "benchmark_id",
    "metric",
    "scope",
    "kind",
    "low",
    "high",
    "label",
    "source",
    "year",
    "method",
    "sample",
    "url_or_citation",
)
BENCHMARK_KINDS = ("range", "threshold_above", "average", "expectation")
VERDICTS = ("above", "below", "within", "not distinguishable")

_CI_COLUMNS = ("estimate", "ci_low", "ci_high")
_HOW_TO_LIST = "see them all with csat_toolkit.benchmarks.load_benchmarks()['benchmark_id']"
_METRIC_NAMES = {
    "csat": "CSAT",
    "csat_top_box": "CSAT (top box)",
    "nps": "NPS",
    "ces": "CES",
    "pmf": "PMF",
    "fcr": "FCR",
    "acsi": "ACSI",
    "first_response_within_1h": "Share answered within 1 hour",
    "first_response_within_24h": "Share answered within 24 hours",
}
# Metrics reported in points rather than percent.
_POINT_METRICS = {"nps", "acsi", "ces", "csat_mean"}  # no % sign


def load_benchmarks(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check a benchmark table.

    Parameters
    ----------
    path : str or Path, optional
        CSV file with the columns of :data:`BENCHMARK_COLUMNS`. Defaults to the
        bundled ``data/benchmarks.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per benchmark; ``low`` and ``high`` as floats, ``year`` as ``Int64``.

    Raises
    ------
    FileFormatError
        The file does not exist or cannot be read as CSV.
    MissingColumnError
        Required columns are absent (the message names the file and the columns).
    DataError
        Duplicate ids, non-numeric or inverted ``low``/``high``, or an unknown ``kind``.

    Examples
    --------
    >>> table = load_benchmarks()
    >>> pmf = table.set_index("benchmark_id").loc["pmf_ellis_40"]
    >>> pmf["metric"], float(pmf["low"]), int(pmf["year"])
    ('pmf', 40.0, 2017)
    """
    file = Path(path) if path is not None else DEFAULT_PATH
    if not file.is_file():
        raise FileFormatError(
            f"Benchmark file not found: {file}. Pass the path of a CSV file with the "
            f"columns {', '.join(BENCHMARK_COLUMNS)}, or omit `path` to use the bundled table."
        )
    try:
        table = pd.read_csv(file)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise FileFormatError(
            f"Benchmark file {file} cannot be read as CSV ({exc}). Save it as a "
            "comma-separated UTF-8 text file with a header row."
        ) from exc
    return _validate_benchmarks(table, where=f"benchmark file {file}")


def _validate_benchmarks(table: pd.DataFrame, *, where: str) -> pd.DataFrame:
    """Check a benchmark table and return a cleaned copy (numeric low/high/year)."""
    missing = [c for c in BENCHMARK_COLUMNS if c not in table.columns]
    if missing:
        raise MissingColumnError(
            f"The {where} lacks the column(s) {', '.join(missing)}. Found: "
            f"{show_values(list(table.columns), limit=12)}. Add the missing columns "
            f"(all of: {', '.join(BENCHMARK_COLUMNS)})."
        )
    out = table.copy()
    ids = out["benchmark_id"]
    if ids.isna().any():
        raise DataError(f"The {where} has rows without a benchmark_id; give every row a unique id.")
    duplicated = ids[ids.duplicated()]
    if len(duplicated):
        raise DataError(
            f"The {where} has duplicate benchmark_id values: {show_values(duplicated)}. "
            "Make every id unique."
        )
    for col in ("low", "high"):
        numeric = pd.to_numeric(out[col], errors="coerce")
        bad = out.loc[numeric.isna(), "benchmark_id"]
        if len(bad):
            raise DataError(
                f"In the {where}, `{col}` is missing or not a number for "
                f"{show_values(bad)}. Write plain numbers (percent 0-100, NPS -100..100)."
            )
        out[col] = numeric.astype("float64")
    inverted = out.loc[out["low"] > out["high"], "benchmark_id"]
    if len(inverted):
        raise DataError(
            f"In the {where}, `low` is greater than `high` for {show_values(inverted)}. "
            "Swap the two values."
        )
    unknown = out.loc[~out["kind"].isin(BENCHMARK_KINDS), "kind"]
    if len(unknown):
        raise DataError(
            f"In the {where}, `kind` has unknown values {show_values(unknown)}. "
            f"Use one of: {', '.join(BENCHMARK_KINDS)}."
        )
    out["year"] = pd.to_numeric(out["year"], errors="coerce").astype("Int64")
    return out.reset_index(drop=True)


def _select_benchmarks(benchmark, table: pd.DataFrame) -> pd.DataFrame:
    """Return the benchmark rows asked for: ids from the table, or a custom number."""
    if isinstance(benchmark, bool):
        raise ParameterError(
            f"`benchmark` must be a benchmark id, a list of ids or a number, not {benchmark!r}."
        )
    if isinstance(benchmark, Real):
        value = float(benchmark)
        if not math.isfinite(value):
            raise ParameterError(f"`benchmark` must be a finite number, got {benchmark!r}.")
        return pd.DataFrame(
            {
                "benchmark_id": ["custom"],
                "metric": [pd.NA],
                "kind": ["average"],
                "low": [value],
                "high": [value],
                "label": ["benchmark"],
                "source": ["user-supplied"],
                "year": pd.array([pd.NA], dtype="Int64"),
            }
        )
    if isinstance(benchmark, str):
        ids = [benchmark]
    elif isinstance(benchmark, Sequence) and all(isinstance(b, str) for b in benchmark):
        ids = list(benchmark)
    else:
        raise ParameterError(
            "`benchmark` must be a benchmark id (text), a list of ids or a number; "
            f"got {benchmark!r}; {_HOW_TO_LIST}."
        )
    if not ids:
        raise ParameterError(f"`benchmark` is an empty list: give at least one id; {_HOW_TO_LIST}.")
    known = table["benchmark_id"].tolist()
    unknown = [i for i in ids if i not in known]
    if unknown:
        close = [m for u in unknown for m in difflib.get_close_matches(u, known, n=3)]
        hint = f" Did you mean {show_values(close)}?" if close else ""
        raise ParameterError(
            f"Unknown benchmark id {show_values(unknown)}.{hint} Valid ids include "
            f"{show_values(known, limit=5)}; {_HOW_TO_LIST}."
        )
    return table.set_index("benchmark_id").loc[ids].reset_index()


def _numeric_column(table: pd.DataFrame, col: str) -> pd.Series:
    """Column as float; raise DataError when non-missing values are not numbers."""
    values = pd.to_numeric(table[col], errors="coerce")
    bad = table.loc[values.isna() & table[col].notna(), col]
    if len(bad):
        raise DataError(
            f"Column `{col}` of the result must hold numbers; found {show_values(bad)}. "
            "Pass the table returned by the metric functions."
        )
    return values.astype("float64")


def compare_to_benchmark(
    result: pd.DataFrame | pd.Series,
    benchmark: str | Sequence[str] | float,
    *,
    benchmarks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Compare metric results, with their confidence intervals, to published benchmarks.

    Parameters
    ----------
    result : pandas.DataFrame or pandas.Series
        A tidy metric table (columns ``estimate``, ``ci_low``, ``ci_high``, usually
        ``n``, optionally ``metric`` and group-key columns) or one row of it. Values
        in the benchmark's units: percent for shares, points for NPS.
    benchmark : str, list of str or float
        A ``benchmark_id``, several ids (every result row is compared with each), or a
        number used as a custom single-figure benchmark.
    benchmarks : pandas.DataFrame, optional
        Benchmark table; defaults to :func:`load_benchmarks`.

    Returns
    -------
    pandas.DataFrame
        The result rows (a new frame with a fresh index; one row per result row and
        benchmark, result-major) with added columns ``benchmark_id``,
        ``benchmark_metric``, ``benchmark_kind``, ``benchmark_low``,
        ``benchmark_high``, ``benchmark_label``, ``benchmark_source``,
        ``benchmark_year`` and ``verdict``. The verdict is ``"above"`` when
        ``ci_low > high``, ``"below"`` when ``ci_high < low``, ``"within"`` when a
        ``range`` benchmark contains the whole interval, and ``"not distinguishable"``
        otherwise, including when the interval is missing or the row is flagged
        ``small_n`` (groups below ``min_n`` are never called above or below).

    Raises
    ------
    MissingColumnError
        The result lacks ``estimate``, ``ci_low`` or ``ci_high``.
    DataError
        Interval columns hold values that are not numbers.
    ParameterError
        Unknown benchmark id, or the result's ``metric`` differs from the benchmark's
        (e.g. a CSAT result against an NPS benchmark).

    Examples
    --------
    >>> result = pd.DataFrame({"metric": ["nps"], "n": [400], "estimate": [45.2],
    ...                        "ci_low": [41.0], "ci_high": [49.3]})
    >>> compare_to_benchmark(result, "nps_target_30_50")["verdict"].tolist()
    ['within']
    >>> compare_to_benchmark(result, 40)["verdict"].tolist()
    ['above']
    """
    if isinstance(result, pd.Series):
        table = result.to_frame().T.infer_objects().reset_index(drop=True)
    elif isinstance(result, pd.DataFrame):
        # Group keys kept in the index become columns; a plain row index is dropped.
        named_index = any(name is not None for name in result.index.names)
        table = result.reset_index(drop=not named_index)
    else:
        raise ParameterError(
            f"`result` must be a pandas DataFrame or Series, got {type(result).__name__}."
        )
    require_columns(
        table, _CI_COLUMNS,
        "The result lacks the column(s) {missing} needed to compare it with a benchmark. "
        "Found: {found}. Pass a table from the metric functions (with estimate, ci_low "
        "and ci_high).",
    )
    table = table.copy()
    for col in _CI_COLUMNS:
        table[col] = _numeric_column(table, col)
    if "n" in table.columns:
        table["n"] = _numeric_column(table, "n")

    if benchmarks is None:
        bench_table = load_benchmarks()
    else:
        bench_table = _validate_benchmarks(benchmarks, where="benchmark table passed as `benchmarks`")
    chosen = _select_benchmarks(benchmark, bench_table)

    if "metric" in table.columns:
        result_metrics = table["metric"].dropna().astype(str).str.lower()
        for _, b in chosen.iterrows():
            if pd.isna(b["metric"]):
                continue
            differing = result_metrics[result_metrics != str(b["metric"]).lower()]
            if len(differing):
                raise ParameterError(
                    f"Benchmark {b['benchmark_id']!r} is for metric {b['metric']!r}, but the "
                    f"result has metric {show_values(differing)}. Compare a result only with "
                    f"benchmarks of the same metric; {_HOW_TO_LIST}."
                )

    added = pd.DataFrame(
        {
            "benchmark_id": chosen["benchmark_id"].astype("string"),
            "benchmark_metric": chosen["metric"].astype("string"),
            "benchmark_kind": chosen["kind"].astype("string"),
            "benchmark_low": chosen["low"].astype("float64"),
            "benchmark_high": chosen["high"].astype("float64"),
            "benchmark_label": chosen["label"].astype("string"),
            "benchmark_source": chosen["source"].astype("string"),
            "benchmark_year": chosen["year"].astype("Int64"),
        }
    )
    clash = [c for c in [*added.columns, "verdict"] if c in table.columns]
    if clash:
        raise ParameterError(
            f"The result already has the column(s) {show_values(clash)}. Compare the "
            "original metric table, not one already compared with a benchmark."
        )
    out = table.merge(added, how="cross")

    lo, hi = out["ci_low"].to_numpy(), out["ci_high"].to_numpy()
    b_lo, b_hi = out["benchmark_low"].to_numpy(), out["benchmark_high"].to_numpy()
    valid = ~(np.isnan(lo) | np.isnan(hi))
    if "small_n" in out:  # small groups are never called above or below
        valid &= ~out["small_n"].fillna(False).to_numpy(dtype=bool)
    is_range = (out["benchmark_kind"] == "range").to_numpy(dtype=bool, na_value=False)
    verdict = np.select(
        [valid & (lo > b_hi), valid & (hi < b_lo), valid & is_range & (lo >= b_lo) & (hi <= b_hi)],
        ["above", "below", "within"],
        default="not distinguishable",
    )
    out["verdict"] = pd.Series(verdict, index=out.index, dtype="string")
    return out


def _fmt(value: float) -> str:
    """Number with at most one decimal, no trailing zero ('62', '30.1', '-6.1')."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def benchmark_sentence(row: pd.Series | Mapping) -> str:
    """One sentence stating a comparison made by :func:`compare_to_benchmark`.

    Parameters
    ----------
    row : pandas.Series or mapping
        One row of the table returned by :func:`compare_to_benchmark`. Its ``conf``
        (0.95 or 95; the metric tables' column) sets the stated confidence level.

    Returns
    -------
    str
        For example ``"NPS 45.2 (95% CI 41.0 to 49.3) is within the usual NPS target
        range of 30 to 50 (Devoted, 2017)."``

    Raises
    ------
    MissingColumnError
        The row lacks fields added by :func:`compare_to_benchmark`.

    Examples
    --------
    >>> result = pd.DataFrame({"metric": ["nps"], "n": [400], "estimate": [45.2],
    ...                        "ci_low": [41.0], "ci_high": [49.3]})
    >>> row = compare_to_benchmark(result, "nps_target_30_50").iloc[0]
    >>> benchmark_sentence(row)
    'NPS 45.2 (95% CI 41.0 to 49.3) is within the usual NPS target range of 30 to 50 (Devoted, 2017).'
    """
    needed = (
        "estimate", "ci_low", "ci_high", "verdict", "benchmark_low", "benchmark_high",
        "benchmark_label", "benchmark_kind", "benchmark_source", "benchmark_year",
    )
    missing = [k for k in needed if k not in row]
    if missing:
        raise MissingColumnError(
            f"The row lacks {', '.join(missing)}. Pass a row of the table returned by "
            "compare_to_benchmark()."
        )
    metric = row.get("metric")
    if metric is None or pd.isna(metric):
        metric = row.get("benchmark_metric")
    key = "" if metric is None or pd.isna(metric) else str(metric).lower()
    name = _METRIC_NAMES.get(key, key.replace("_", " ").upper() if key else "Result")
    unit = "" if key in _POINT_METRICS else "%"

    level = row.get("conf", row.get("conf_level", 0.95))
    level = 0.95 if level is None or pd.isna(level) else float(level)
    level_pct = _fmt(level * 100 if level <= 1 else level)
    est, lo, hi = (float(row[k]) for k in ("estimate", "ci_low", "ci_high"))
    subject = f"{name} {est:.1f}{unit}" if not math.isnan(est) else name
    if math.isnan(lo) or math.isnan(hi):
        subject += " (no interval: too few responses)"
    else:
        subject += f" ({level_pct}% CI {lo:.1f} to {hi:.1f}{unit})"

    b_lo, b_hi = float(row["benchmark_low"]), float(row["benchmark_high"])
    if row["benchmark_kind"] == "range":
        target = f"the {row['benchmark_label']} of {_fmt(b_lo)} to {_fmt(b_hi)}{unit}"
    else:
        target = f"the {row['benchmark_label']} of {_fmt(b_lo)}{unit}"
    phrase = {
        "above": "is above",
        "below": "is below",
        "within": "is within",
    }.get(str(row["verdict"]), "is not distinguishable from")

    source = str(row["benchmark_source"]).split(": ", 1)[0]
    year = row["benchmark_year"]
    if source == "user-supplied":
        cite = ""
    elif year is None or pd.isna(year):
        cite = f" ({source})"
    else:
        cite = f" ({source}, {int(year)})"
    return f"{subject} {phrase} {target}{cite}."


def benchmark_band(benchmark_id: str, *, benchmarks: pd.DataFrame | None = None):
    """A benchmark as a number (single figure) or a ``(low, high)`` range, for plots.

    Examples
    --------
    >>> benchmark_band("nps_target_30_50")
    (30.0, 50.0)
    """
    table = load_benchmarks() if benchmarks is None else benchmarks
    row = _select_benchmarks(benchmark_id, table).iloc[0]
    low, high = float(row["low"]), float(row["high"])
    return low if low == high else (low, high)
