"""What to fix first: the importance-performance matrix and the priority list.

- :func:`driver_performance`: how well we do now on each driver, on a 0-100 scale
  with an interval (mean rating as % of the scale, share of a good value, share of
  durations within a limit).
- :func:`importance_performance`: importance (share of the explained variation, from
  a relative-importance table) against performance, in four quadrants: "fix first",
  "keep up", "low priority" and "possible overkill". A driver whose importance does
  not beat a random-noise predictor is never "fix first".
- :func:`priority_sentences`: the matrix as plain-English sentences with numbers and
  intervals.

The importance table is the output of a relative-importance analysis (for example
``csat_toolkit.importance``) taken as a plain DataFrame: ``driver``, ``lmg_share``
(% of R²), its interval and ``significant``.

Reference: Martilla, J. A. and James, J. C. (1977). Importance-performance analysis.
Journal of Marketing 41(1), 77-79.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..core import stats
from ..errors import DataError, MissingColumnError, ParameterError, require_columns, show_values

__all__ = [
    "QUADRANTS",
    "KINDS",
    "driver_performance",
    "importance_performance",
    "priority_sentences",
]

QUADRANTS = ("fix first", "keep up", "low priority", "possible overkill")
KINDS = ("rating", "share", "within")
SPLITS = ("mean", "median")
NOISE_NOTE = "(importance not distinguishable from noise)"
UNTESTED_NOTE = "(importance not checked against a random-noise predictor)"

# Interval columns of importance measures whose intervals are on another scale than
# the share: share column -> (value column, ci low, ci high) on the value's scale.
_SHARE_SOURCES = {
    "lmg_share": ("lmg", "lmg_ci_low", "lmg_ci_high"),
    "rw_share": ("relative_weight", "rw_ci_low", "rw_ci_high"),
}


# --- performance ----------------------------------------------------------------------


def driver_performance(data: pd.DataFrame, drivers: Mapping[str, Mapping], *,
                       conf: float = 0.95) -> pd.DataFrame:
    """How well we do now on each driver, on a 0-100 scale, with an interval.

    Parameters
    ----------
    data : DataFrame
        One row per answer (or ticket) with the driver columns.
    drivers : mapping of driver name to spec
        Each spec is a dict with ``kind`` and, by kind:

        - ``{"kind": "rating", "scale_max": 5, "scale_min": 1}``: mean rating as % of
          the way from worst to best, ``(mean - min) / (max - min) * 100``, with the
          t interval of the mean on the same scale, clipped to 0-100 (``scale_min``
          defaults to 1);
        - ``{"kind": "share", "good": 1}``: share of rows with the good value (or any
          of a list of good values), Wilson interval;
        - ``{"kind": "within", "limit": 1.0, "unit": "h"}``: share of durations at or
          under the limit (first response within 1 hour ...), Wilson interval.

        Optional in every spec: ``column`` (default: the driver name), ``phrase`` (the
        words after the percentage in sentences, e.g. ``"of tickets get a first
        response within 1 hour"``; ``{label}`` is replaced by the driver's label) and
        ``what`` (what a row is, default ``"rows"``).
    conf : float
        Confidence level.

    Returns
    -------
    DataFrame
        One row per driver: ``driver``, ``kind``, ``column``, ``n`` (rows used),
        ``n_set_aside`` (missing or invalid values, see ``note``), ``estimate``,
        ``ci_low``, ``ci_high`` (0-100), ``conf``, ``method``, ``definition``,
        ``phrase``, ``note``.

    Examples
    --------
    >>> df = pd.DataFrame({"rating": [5, 4, 3, 4], "fcr": [1, 0, 1, 1],
    ...                    "hours": [0.5, 2.0, 0.2, None]})
    >>> specs = {"rating": {"kind": "rating", "scale_max": 5},
    ...          "fcr": {"kind": "share", "good": 1},
    ...          "hours": {"kind": "within", "limit": 1.0}}
    >>> driver_performance(df, specs)[["driver", "n", "estimate"]].round(1).values.tolist()
    [['rating', 4, 75.0], ['fcr', 4, 75.0], ['hours', 3, 66.7]]
    """
    stats.z_value(conf)  # validates conf
    if not isinstance(drivers, Mapping) or not drivers:
        raise ParameterError(
            "drivers must be a dict from driver name to spec, for example "
            "{'first_response': {'kind': 'within', 'limit': 1.0}}."
        )
    rows = [_performance(data, str(name), spec, conf) for name, spec in drivers.items()]
    return pd.DataFrame(rows)


def _performance(data: pd.DataFrame, driver: str, spec, conf: float) -> dict:
    if not isinstance(spec, Mapping) or spec.get("kind") not in KINDS:
        kind = spec.get("kind") if isinstance(spec, Mapping) else spec
        raise ParameterError(
            f"Driver {driver!r}: unknown kind {kind!r}; use 'rating' (with scale_max), "
            "'share' (with good) or 'within' (with limit)."
        )
    kind, column = spec["kind"], spec.get("column", driver)
    required = {"rating": "scale_max", "share": "good", "within": "limit"}[kind]
    if required not in spec:
        raise ParameterError(
            f"Driver {driver!r} ({kind}) needs {required!r} in its spec, for example "
            f"{_example(kind)}."
        )
    require_columns(data, [column], f"Driver {driver!r}: column {{missing}} not found. "
                    "Available columns: {found}. Give the column in the spec: "
                    "{{'column': '<name>', ...}}.")
    values = data[column]
    what = spec.get("what", "rows")
    if kind == "rating":
        out = _rating(values, spec, conf, what)
    elif kind == "share":
        out = _share(values, spec, conf, what)
    else:
        out = _within(values, spec, conf, what)
    if out["n"] == 0:
        raise DataError(
            f"Driver {driver!r}: no usable values in column {column!r} ({out['note']}). "
            "Check the column and the spec."
        )
    phrase = spec.get("phrase", out.pop("default_phrase"))
    return {"driver": driver, "kind": kind, "column": column, **_ordered(out),
            "phrase": phrase}


def _ordered(out: dict) -> dict:
    keys = ["n", "n_set_aside", "estimate", "ci_low", "ci_high", "conf", "method",
            "definition"]
    ordered = {k: out[k] for k in keys}
    ordered["note"] = out["note"]
    return ordered


def _example(kind: str) -> str:
    return {"rating": "{'kind': 'rating', 'scale_max': 5}",
            "share": "{'kind': 'share', 'good': 1}",
            "within": "{'kind': 'within', 'limit': 1.0}"}[kind]


def _set_aside_note(reasons: dict[str, int]) -> str:
    reasons = {k: v for k, v in reasons.items() if v}
    if not reasons:
        return ""
    total = sum(reasons.values())
    return f"{total} set aside: " + ", ".join(f"{v} {k}" for k, v in reasons.items())


def _rating(values: pd.Series, spec, conf: float, what: str) -> dict:
    low, high = float(spec.get("scale_min", 1)), float(spec["scale_max"])
    if not high > low:
        raise ParameterError(f"scale_max ({high:g}) must be above scale_min ({low:g}).")
    numbers = pd.to_numeric(values, errors="coerce")
    missing = values.isna()
    invalid = ~missing & (numbers.isna() | (numbers < low) | (numbers > high))
    used = numbers[~missing & ~invalid].to_numpy(dtype=float)
    n = len(used)
    mean = float(used.mean()) if n else np.nan
    sd = float(used.std(ddof=1)) if n > 1 else np.nan
    ci = stats.mean_interval(mean, sd, n, conf=conf) if n > 1 else (np.nan, np.nan)
    scale = lambda v: float(np.clip(100 * (v - low) / (high - low), 0, 100))  # noqa: E731
    return {
        "n": n, "n_set_aside": int(missing.sum() + invalid.sum()),
        "estimate": scale(mean), "ci_low": scale(ci[0]), "ci_high": scale(ci[1]),
        "conf": conf, "method": "t interval of the mean rating, as % of the scale range",
        "definition": f"mean rating {mean:.2f} on {low:g}-{high:g}, as % of the range",
        "default_phrase": (f"of the best possible rating ({{label}} averages {mean:.1f} "
                           f"on {low:g}-{high:g})"),
        "note": _set_aside_note({"missing": int(missing.sum()),
                                 f"outside {low:g}-{high:g} or not a number": int(invalid.sum())}),
    }


def _share(values: pd.Series, spec, conf: float, what: str) -> dict:
    good = spec["good"]
    goods = list(good) if isinstance(good, (list, tuple, set)) else [good]
    missing = values.isna()
    hits = values.isin(goods) & ~missing
    n = int((~missing).sum())
    shown = " or ".join(map(str, goods))
    return {**_wilson(int(hits.sum()), n, conf), "n_set_aside": int(missing.sum()),
            "definition": f"share of {what} with {values.name} = {shown}",
            "default_phrase": f"of {what} have {{label}} = {shown}",
            "note": _set_aside_note({"missing": int(missing.sum())})}


def _within(values: pd.Series, spec, conf: float, what: str) -> dict:
    limit, unit = spec["limit"], spec.get("unit", "")
    if pd.api.types.is_timedelta64_dtype(values):
        try:
            limit = pd.Timedelta(limit) if not isinstance(limit, (int, float)) else None
        except ValueError:
            limit = None
        if limit is None:
            raise ParameterError(
                f"Column {values.name!r} holds durations: give the limit as a duration, for "
                f"example 'limit': '1h'; got {spec['limit']!r}."
            )
        numbers, zero = values, pd.Timedelta(0)
    else:
        if not isinstance(limit, (int, float, np.integer, np.floating)) or isinstance(limit, bool):
            raise ParameterError(
                f"'limit' must be a number in the units of column {values.name!r} (for example "
                f"1.0 for 1 hour when the column is in hours); got {limit!r}."
            )
        numbers, zero = pd.to_numeric(values, errors="coerce"), 0
    missing = values.isna()
    invalid = ~missing & (numbers.isna() | (numbers < zero))
    used = numbers[~missing & ~invalid]
    within = int((used <= limit).sum())
    shown = f"{limit}" if isinstance(limit, pd.Timedelta) else f"{limit:g}{' ' + unit if unit else ''}"
    return {**_wilson(within, len(used), conf),
            "n_set_aside": int(missing.sum() + invalid.sum()),
            "definition": f"share of {what} with {values.name} at or under {shown}",
            "default_phrase": f"of {what} have {{label}} at or under {shown}",
            "note": _set_aside_note({"missing": int(missing.sum()),
                                     "negative or not a number": int(invalid.sum())})}


def _wilson(hits: int, n: int, conf: float) -> dict:
    low, high = stats.proportion_interval(hits, n, conf=conf)
    return {"n": n, "estimate": 100 * hits / n if n else np.nan, "ci_low": 100 * low,
            "ci_high": 100 * high, "conf": conf, "method": "Wilson score"}


# --- the matrix -----------------------------------------------------------------------


def importance_performance(
    importance: pd.DataFrame,
    performance: pd.DataFrame,
    *,
    importance_col: str = "lmg_share",
    performance_col: str = "estimate",
    split: str | tuple[float, float] = "mean",
) -> pd.DataFrame:
    """Importance against performance per driver, in four quadrants, with priorities.

    The split lines are the mean (or median) importance and performance across the
    drivers, or two numbers ``(importance, performance)``. A value on a line counts
    as high. Quadrants: high importance and low performance = "fix first", high and
    high = "keep up", low and low = "low priority", low importance and high
    performance = "possible overkill". A driver that is not ``significant`` (its
    importance does not beat a random-noise predictor) is placed on the low-importance
    side ("low priority" or "possible overkill") with the note "(importance not
    distinguishable from noise)", whatever its importance. Missing ``significant``
    values (no check was run) keep their place with a note saying so.

    Parameters
    ----------
    importance : DataFrame
        ``driver``, ``importance_col`` (e.g. ``lmg_share``, % of R²), its interval and
        ``significant``. The interval is ``<importance_col>_ci_low`` / ``_ci_high``
        when present; for ``lmg_share`` (``rw_share``) the ``lmg_ci_*``
        (``rw_ci_*``) intervals on the R² scale are converted to % of R² with the
        point ratio ``lmg_share / lmg`` (the model's R² taken as fixed).
    performance : DataFrame
        ``driver``, ``performance_col`` (0-100), ``ci_low``, ``ci_high`` (or
        ``<performance_col>_ci_low`` ...), as from :func:`driver_performance`. Rows of
        drivers not in ``importance`` are not used.
    importance_col, performance_col : str
    split : {"mean", "median"} or (float, float)

    Returns
    -------
    DataFrame
        One row per driver, in priority order: ``driver``, ``importance``,
        ``importance_ci_low``, ``importance_ci_high``, ``performance``,
        ``performance_ci_low``, ``performance_ci_high``, ``significant``,
        ``quadrant``, ``priority`` (1 = the most important "fix first" driver, then the
        rest of "fix first", "keep up", "low priority" and "possible overkill", each by
        importance; drivers indistinguishable from noise come last), ``note``,
        ``importance_split``, ``performance_split``, ``split``, ``importance_conf``,
        ``performance_conf`` and, when the performance table has them, ``kind``,
        ``phrase``.

    Examples
    --------
    >>> imp = pd.DataFrame({"driver": ["speed", "tone", "fcr", "price"],
    ...                     "lmg_share": [50.0, 10.0, 30.0, 10.0],
    ...                     "significant": [True, True, True, False]})
    >>> perf = pd.DataFrame({"driver": ["speed", "tone", "fcr", "price"],
    ...                      "estimate": [40.0, 90.0, 80.0, 30.0]})
    >>> importance_performance(imp, perf)[["driver", "quadrant"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['speed', 'fix first'], ['fcr', 'keep up'], ['tone', 'possible overkill'],
     ['price', 'low priority']]
    """
    imp = _importance_table(importance, importance_col)
    perf = _performance_table(performance, performance_col, imp["driver"])
    matrix = imp.merge(perf, on="driver", how="left", validate="one_to_one")
    imp_split, perf_split, split_name = _splits(matrix, split)
    high_imp = _at_or_above(matrix["importance"], imp_split)
    high_perf = _at_or_above(matrix["performance"], perf_split)
    noise = matrix["significant"].eq(False).fillna(False).to_numpy(dtype=bool)
    important = high_imp & ~noise
    matrix["quadrant"] = np.select(
        [important & ~high_perf, important & high_perf, ~important & ~high_perf],
        ["fix first", "keep up", "low priority"], "possible overkill")
    matrix["note"] = _notes(matrix, noise, imp_split, perf_split)
    order = matrix["quadrant"].map({q: i for i, q in enumerate(QUADRANTS)}) + 10 * noise
    matrix = (matrix.assign(_order=order)
              .sort_values(["_order", "importance", "performance", "driver"],
                           ascending=[True, False, True, True], kind="stable")
              .drop(columns="_order").reset_index(drop=True))
    matrix["priority"] = np.arange(1, len(matrix) + 1)
    matrix["importance_split"], matrix["performance_split"] = imp_split, perf_split
    matrix["split"] = split_name
    first = ["driver", "importance", "importance_ci_low", "importance_ci_high", "performance",
             "performance_ci_low", "performance_ci_high", "significant", "quadrant",
             "priority", "note", "importance_split", "performance_split", "split",
             "importance_conf", "performance_conf"]
    return matrix[first + [c for c in ("kind", "phrase") if c in matrix.columns]]


def _importance_table(importance: pd.DataFrame, col: str) -> pd.DataFrame:
    _require_frame(importance, "importance")
    require_columns(importance, ["driver", col], "The importance table needs {missing}; it "
                    "has {found}. Pass the relative-importance table (driver, lmg_share, "
                    "lmg_ci_low, lmg_ci_high, significant) or name the column with "
                    "importance_col=.")
    if "significant" not in importance.columns:
        raise MissingColumnError(
            "The importance table has no 'significant' column (does each driver beat a "
            "random-noise predictor?). Run the relative-importance analysis with its noise "
            "check, or add significant=True to accept every driver's importance as real."
        )
    if importance.empty:
        raise ParameterError("The importance table has no drivers.")
    _no_duplicates(importance, "importance")
    values = pd.to_numeric(importance[col], errors="coerce")
    if values.isna().any():
        raise ParameterError(
            f"Importance {col!r} is missing or not a number for driver(s) "
            f"{show_values(importance.loc[values.isna(), 'driver'].tolist())}. Drop them or "
            "recompute the importance table."
        )
    low, high = _importance_interval(importance, col, values)
    conf = (pd.to_numeric(importance["conf"], errors="coerce").to_numpy()
            if "conf" in importance.columns else np.nan)
    return pd.DataFrame({"driver": importance["driver"].to_numpy(), "importance": values.to_numpy(),
                         "importance_ci_low": low, "importance_ci_high": high,
                         "significant": _as_boolean(importance["significant"]),
                         "importance_conf": conf})


def _as_boolean(values: pd.Series) -> pd.arrays.BooleanArray:
    try:
        return pd.array(values.astype("boolean"), dtype="boolean")
    except (TypeError, ValueError):
        raise ParameterError(
            f"Column 'significant' must hold True/False (or missing when not checked); found "
            f"{show_values(values.tolist())}."
        ) from None


def _importance_interval(importance: pd.DataFrame, col: str, values: pd.Series):
    own = (f"{col}_ci_low", f"{col}_ci_high")
    if all(c in importance.columns for c in own):
        return (pd.to_numeric(importance[own[0]], errors="coerce").to_numpy(),
                pd.to_numeric(importance[own[1]], errors="coerce").to_numpy())
    source = _SHARE_SOURCES.get(col)
    if source and all(c in importance.columns for c in source):
        base = pd.to_numeric(importance[source[0]], errors="coerce").to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(base != 0, values.to_numpy(dtype=float) / base, np.nan)
        ratio = np.where(np.isfinite(ratio), ratio, np.nanmedian(ratio) if np.isfinite(ratio).any()
                         else np.nan)
        return (ratio * pd.to_numeric(importance[source[1]], errors="coerce").to_numpy(),
                ratio * pd.to_numeric(importance[source[2]], errors="coerce").to_numpy())
    return np.full(len(values), np.nan), np.full(len(values), np.nan)


def _performance_table(performance: pd.DataFrame, col: str, drivers: pd.Series) -> pd.DataFrame:
    _require_frame(performance, "performance")
    require_columns(performance, ["driver", col], "The performance table needs {missing}; it "
                    "has {found}. Compute it with driver_performance(...) or name the column "
                    "with performance_col=.")
    _no_duplicates(performance, "performance")
    values = pd.to_numeric(performance[col], errors="coerce")
    known = performance.loc[values.notna(), "driver"]
    missing = [d for d in drivers if d not in set(known)]
    if missing:
        raise ParameterError(
            f"No performance for driver(s) {show_values(missing)}. Add a spec for each to "
            "driver_performance(..., drivers={...}) (or a row to the performance table), or "
            "drop them from the importance table."
        )
    ci = ("ci_low", "ci_high") if col == "estimate" else (f"{col}_ci_low", f"{col}_ci_high")
    out = pd.DataFrame({"driver": performance["driver"].to_numpy(),
                        "performance": values.to_numpy()})
    for name, source in zip(("performance_ci_low", "performance_ci_high"), ci):
        out[name] = (pd.to_numeric(performance[source], errors="coerce").to_numpy()
                     if source in performance.columns else np.nan)
    out["performance_conf"] = (performance["conf"].to_numpy() if "conf" in performance.columns
                               else np.nan)
    for extra in ("kind", "phrase"):
        if extra in performance.columns:
            out[extra] = performance[extra].to_numpy()
    return out[out["driver"].isin(set(drivers))]


def _require_frame(table, name: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise ParameterError(
            f"The {name} table must be a pandas DataFrame; got {type(table).__name__}.")


def _no_duplicates(table: pd.DataFrame, name: str) -> None:
    duplicated = table["driver"].duplicated(keep=False)
    if duplicated.any():
        raise ParameterError(
            f"The {name} table lists driver(s) {show_values(table.loc[duplicated, 'driver'].tolist())} "
            "more than once; keep one row per driver."
        )


def _splits(matrix: pd.DataFrame, split) -> tuple[float, float, str]:
    if isinstance(split, str):
        if split not in SPLITS:
            raise ParameterError(f"split must be 'mean', 'median' or two numbers "
                                 f"(importance, performance); got {split!r}.")
        how = np.mean if split == "mean" else np.median
        return float(how(matrix["importance"])), float(how(matrix["performance"])), split
    try:
        imp, perf = (float(v) for v in split)
    except (TypeError, ValueError):
        raise ParameterError(f"split must be 'mean', 'median' or two numbers (importance, "
                             f"performance); got {split!r}.") from None
    return imp, perf, "given"


def _at_or_above(values: pd.Series, line: float) -> np.ndarray:
    values = values.to_numpy(dtype=float)
    return (values > line) | np.isclose(values, line, rtol=1e-9, atol=1e-9)


def _notes(matrix: pd.DataFrame, noise: np.ndarray, imp_split: float,
           perf_split: float) -> list[str]:
    notes = []
    for i, row in enumerate(matrix.itertuples(index=False)):
        parts = []
        if noise[i]:
            parts.append(NOISE_NOTE)
        elif pd.isna(row.significant):
            parts.append(UNTESTED_NOTE)
        if not noise[i] and row.importance_ci_low < imp_split < row.importance_ci_high:
            parts.append("(importance interval spans the split line)")
        if row.performance_ci_low < perf_split < row.performance_ci_high:
            parts.append("(performance interval spans the split line)")
        notes.append(" ".join(parts))
    return notes


# --- sentences ------------------------------------------------------------------------


def priority_sentences(matrix: pd.DataFrame, *, labels: Mapping[str, str] | None = None,
                       top: int = 3) -> list[str]:
    """The importance-performance matrix as plain-English sentences.

    One sentence per "fix first" driver (up to ``top``), then per "keep up" driver (up
    to ``top``), then one sentence each for the drivers indistinguishable from noise,
    the "low priority" and the "possible overkill" drivers.

    Parameters
    ----------
    matrix : DataFrame
        From :func:`importance_performance`.
    labels : mapping, optional
        Readable names of drivers (``{"frt_hours": "first response time"}``).
    top : int
        Most drivers named one by one in each of "fix first" and "keep up".

    Examples
    --------
    >>> imp = pd.DataFrame({"driver": ["frt", "tone"], "lmg_share": [70.0, 30.0],
    ...                     "lmg_share_ci_low": [60.0, 20.0], "lmg_share_ci_high": [80.0, 40.0],
    ...                     "significant": [True, True], "conf": 0.95})
    >>> perf = pd.DataFrame({"driver": ["frt", "tone"], "estimate": [49.0, 90.0],
    ...                      "ci_low": [48.0, 88.0], "ci_high": [50.0, 92.0], "conf": 0.95,
    ...                      "phrase": ["of tickets get a first response within 1 hour",
    ...                                 "of the best possible rating"]})
    >>> matrix = importance_performance(imp, perf)
    >>> print(priority_sentences(matrix, labels={"frt": "first response time"})[0])
    ... # doctest: +NORMALIZE_WHITESPACE
    Fix first: first response time explains 70% of the explained variation (95% CI
    60-80%) and only 49% of tickets get a first response within 1 hour (95% CI 48-50%).
    """
    if not isinstance(matrix, pd.DataFrame) or matrix.empty:
        raise ParameterError("priority_sentences needs the table of importance_performance(...).")
    require_columns(matrix, ["driver", "quadrant", "importance", "performance"],
                    "The matrix needs {missing}; it has {found}. Pass the result of "
                    "importance_performance(...).")
    if not isinstance(top, (int, np.integer)) or top < 1:
        raise ParameterError(f"top must be a whole number, 1 or more; got {top!r}.")
    labels = dict(labels or {})
    name = lambda d: str(labels.get(d, d))  # noqa: E731
    rows = {q: matrix[matrix["quadrant"] == q] for q in QUADRANTS}
    noise = matrix["note"].fillna("").str.contains(NOISE_NOTE, regex=False) if (
        "note" in matrix.columns) else pd.Series(False, index=matrix.index)
    out = []
    if rows["fix first"].empty:
        out.append("Nothing to fix first: no driver is both more important than average "
                   "and below average in performance.")
    for heading, quadrant, only in (("Fix first", "fix first", "only "), ("Keep up", "keep up", "")):
        chosen = rows[quadrant]
        for _, row in chosen.head(top).iterrows():
            out.append(f"{heading}: {_importance_text(row, name)} and "
                       f"{_performance_text(row, name, only)}.")
        if len(chosen) > top:
            rest = ", ".join(name(d) for d in chosen["driver"].iloc[top:])
            out.append(f"Also {heading.lower()}: {rest}.")
    if noise.any():
        listed = ", ".join(name(d) for d in matrix.loc[noise, "driver"])
        out.append(f"Not distinguishable from random noise as a driver: {listed}; not a "
                   "priority, whatever its performance.")
    low = rows["low priority"][~noise.loc[rows["low priority"].index]]
    if len(low):
        listed = ", ".join(f"{name(r.driver)} ({_pct(r.importance)}% of the explained "
                           f"variation, performance {_pct(r.performance)}%)"
                           for r in low.itertuples())
        out.append(f"Low priority (less important than average, performance below average): "
                   f"{listed}.")
    over = rows["possible overkill"][~noise.loc[rows["possible overkill"].index]]
    if len(over):
        listed = ", ".join(f"{name(r.driver)} (performance {_pct(r.performance)}%, "
                           f"{_pct(r.importance)}% of the explained variation)"
                           for r in over.itertuples())
        out.append(f"Possible overkill (performing above average on less important "
                   f"drivers; effort may be better spent elsewhere): {listed}.")
    return out


def _importance_text(row: pd.Series, name) -> str:
    return (f"{name(row['driver'])} explains {_pct(row['importance'])}% of the explained "
            f"variation{_ci(row, 'importance')}")


def _performance_text(row: pd.Series, name, only: str) -> str:
    phrase = row.get("phrase")
    if isinstance(phrase, str) and phrase:
        text = f"{only}{_pct(row['performance'])}% {phrase.replace('{label}', name(row['driver']))}"
    else:
        text = f"its performance is {only}{_pct(row['performance'])} out of 100"
    return text + _ci(row, "performance")


def _ci(row: pd.Series, prefix: str) -> str:
    low, high = row.get(f"{prefix}_ci_low"), row.get(f"{prefix}_ci_high")
    if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)):
        return ""
    conf = row.get(f"{prefix}_conf")
    level = f"{100 * conf:g}% CI" if conf is not None and np.isfinite(conf) else "CI"
    return f" ({level} {_pct(low)}-{_pct(high)}%)"


def _pct(value: float) -> str:
    """Whole percent from 10 up, one decimal below (2.4%, 38%)."""
    return f"{value:.0f}" if abs(value) >= 9.95 else f"{value:.1f}"
