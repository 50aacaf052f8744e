"""Significance tests between segments and periods, corrected for multiple testing.

Comparisons are built from the same additive sums as the metrics
(:func:`csat_toolkit.metrics.moments`): "the rest" of a segment is the total minus
the segment, so the raw rows are read once.

Tests: two-proportion z test (shares), the NPS difference z test with the
per-respondent variance ``p_P + p_D - (p_P - p_D)^2`` (NPS), Welch's t test (means).
p-values are adjusted across the comparisons of one call (Holm by default,
Benjamini-Hochberg on request). Groups below ``min_n`` are never marked significant.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as _st

from . import stats
from ..errors import DataError, ParameterError, show_values
from .metrics import SUMS, get_metric, group_sums, mean_sd, metric_table
from .tally import as_keys

__all__ = ["compare", "compare_periods", "compare_sums", "adjust_across", "CORRECTION_NAMES",
           "segment_breakdowns"]


def compare(
    data: pd.DataFrame,
    *,
    metric: str = "csat",
    by: str,
    against: str = "rest",
    scale=None,
    conf: float = 0.95,
    min_n: int = 30,
    correction: str = "holm",
    weight: str | None = None,
    period: str | None = None,
    difference_interval: str = "newcombe",
) -> pd.DataFrame:
    """Compare the metric between the levels of a segment column.

    Parameters
    ----------
    data : DataFrame
        Canonical responses.
    metric : {"csat", "csat_mean", "nps", "ces", "ces_easy", "pmf"}
    by : str
        The segment column (``"period"`` with ``period=`` compares periods).
    against : "rest", "pairs" or a level of ``by``
        Each level against all other answers pooled (default; with two levels this is
        one test, reported once), every pair of levels, or each level against one
        reference level.
    correction : {"holm", "bh", "none"}
        Multiple-testing adjustment across the rows of the result.
    conf, min_n, scale, weight
        As in :func:`csat_toolkit.metrics.metric_table`.
    difference_interval : {"newcombe", "agresti_caffo"}
        Interval of a difference of two shares: Newcombe's hybrid score interval
        (default; Newcombe 1998) or Agresti-Caffo's adjusted Wald interval (Agresti &
        Caffo 2000). NPS and means are not affected.

    Returns
    -------
    DataFrame
        One row per comparison: ``by`` level, ``reference``, ``n``, ``estimate``,
        ``ref_n``, ``ref_estimate``, ``difference`` with ``ci_low``/``ci_high``,
        ``statistic``, ``p_value``, ``p_adjusted``, ``significant``, ``small_n``,
        ``test`` and ``correction``.

    Examples
    --------
    >>> df = pd.DataFrame({"channel": ["chat"] * 100 + ["email"] * 100,
    ...                    "score": [5] * 80 + [1] * 20 + [5] * 50 + [1] * 50})
    >>> r = compare(df, metric="csat", by="channel", against="email")
    >>> row = r.iloc[0]
    >>> row["channel"], row["reference"], round(float(row["difference"]), 1), bool(row["significant"])
    ('chat', 'email', 30.0, True)
    """
    sums, _ = _group_sums(data, metric, by, scale, weight, period)
    key = by
    levels = sums[key].tolist()
    if len(levels) < 2:
        raise DataError(
            f"Nothing to compare: {key!r} has a single level ({show_values(levels)})."
        )
    if against == "rest" and len(levels) == 2:
        against = levels[1]  # "a vs the rest" and "b vs the rest" are one test
    values = sums[SUMS].reset_index(drop=True)
    if against == "rest":
        # Every level against the total minus itself: one array operation, not one
        # pandas row per level (100,000 levels took minutes that way).
        first = values
        second = pd.DataFrame(values.sum().to_numpy() - values.to_numpy(), columns=SUMS)
        own = np.arange(len(levels))
        labels = ["rest"] * len(levels)
    else:
        if against == "pairs":
            _check_pairs(len(levels), key)
            own, other = np.triu_indices(len(levels), k=1)
        else:
            ref = _level_position(levels, against, key)
            own = np.delete(np.arange(len(levels)), ref)
            other = np.full(len(own), ref)
        first = values.iloc[own].reset_index(drop=True)
        second = values.iloc[other].reset_index(drop=True)
        labels = _objects(levels)[other].tolist()
    # Lists, as before, so that pandas infers the column types (periods stay periods).
    result = pd.DataFrame({key: _objects(levels)[own].tolist(), "reference": labels})
    return compare_sums(result, first, second, metric, conf, min_n, correction,
                        difference_interval=difference_interval)


MAX_PAIRS = 1_000_000


def _objects(values: list) -> np.ndarray:
    """A 1-d object array of the values (never a 2-d array, whatever they are)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _check_pairs(k: int, key: str) -> None:
    pairs = k * (k - 1) // 2
    if pairs > MAX_PAIRS:
        raise ParameterError(
            f"against='pairs' on {key!r} would make {pairs:,} comparisons ({k:,} levels); at most "
            f"{MAX_PAIRS:,} are made. Use against='rest' (each level against the others) or a "
            "reference level, or group the levels first."
        )


def compare_periods(
    data: pd.DataFrame,
    *,
    metric: str = "csat",
    period: str = "M",
    current=None,
    previous=None,
    by: str | None = None,
    scale=None,
    conf: float = 0.95,
    min_n: int = 30,
    correction: str = "holm",
    weight: str | None = None,
    difference_interval: str = "newcombe",
) -> pd.DataFrame:
    """Compare one period with another, overall or within each segment.

    ``current`` defaults to the last period with answers and ``previous`` to the
    period just before it (it may have no answers: then the row says so by NaN).
    ``difference_interval`` as in :func:`compare`.

    Examples
    --------
    >>> df = pd.DataFrame({"responded_at": pd.to_datetime(["2024-01-15"] * 100 + ["2024-02-15"] * 100),
    ...                    "score": [5] * 50 + [1] * 50 + [5] * 70 + [1] * 30})
    >>> r = compare_periods(df, metric="csat", period="M")
    >>> str(r["period"][0]), str(r["reference"][0]), round(float(r["difference"][0]), 1)
    ('2024-02', '2024-01', 20.0)
    """
    keys = as_keys(by)
    sums, _ = _group_sums(data, metric, keys + ["period"], scale, weight, period)
    periods = sums["period"]
    current = periods.max() if current is None else pd.Period(current, freq=periods.dtype.freq)
    previous = current - 1 if previous is None else pd.Period(previous, freq=periods.dtype.freq)
    groups = sums[keys].drop_duplicates() if keys else pd.DataFrame(index=[0])
    first, second = (_period_sums(sums, keys, groups, p) for p in (current, previous))
    result = groups.reset_index(drop=True).copy()
    result["period"] = current
    result["reference"] = previous
    if not (first["n"] > 0).any():
        raise DataError(f"No answers in period {current}. Choose a period that has data.")
    return compare_sums(result, first, second, metric, conf, min_n, correction,
                        difference_interval=difference_interval)


def _group_sums(data, metric, keys, scale, weight, period):
    keys = as_keys(keys)
    if "period" in keys and not period:
        raise ParameterError("Comparing periods needs period='D', 'W', 'M', 'Q' or 'Y'.")
    if period and "period" not in keys:
        raise ParameterError(
            f"period={period!r} is only used to compare periods: call compare_periods(...), "
            "or compare(..., by='period', period=...)."
        )
    segments = [k for k in keys if k != "period"] or None
    sums = group_sums(data, metric, by=segments, period=period, scale=scale, weight=weight)
    return sums, get_metric(metric)


def _level_position(levels: list, level, key: str) -> int:
    if level not in levels:
        raise ParameterError(
            f"{level!r} is not a level of {key!r}; levels are {show_values(levels, 10)}. "
            "Use against='rest', 'pairs' or one of the levels."
        )
    return levels.index(level)


def _period_sums(sums, keys, groups, period) -> pd.DataFrame:
    at = sums[sums["period"] == period]
    if keys:
        at = groups.merge(at, on=keys, how="left")
    else:
        at = at.reindex(range(1)) if at.empty else at
    return at[SUMS].fillna(0).reset_index(drop=True)


def compare_sums(result, first, second, metric, conf, min_n, correction, *,
                 difference_interval: str = "newcombe") -> pd.DataFrame:
    """Test and describe ``first`` against ``second`` (rows of additive sums, aligned).

    The common last step of every comparison (segments, periods, waves): ``result``
    holds the labels of each row; the sums come from :func:`csat_toolkit.metrics.moments`.
    ``difference_interval`` as in :func:`compare`.
    """
    spec = get_metric(metric)
    if difference_interval not in stats.DIFFERENCE_METHODS:
        raise ParameterError(
            f"Unknown difference_interval {difference_interval!r}; use one of "
            f"{stats.DIFFERENCE_METHODS}."
        )
    one, two = _summaries(first, spec), _summaries(second, spec)
    test = _test(first, second, one, two, spec)
    scale_factor = 1.0 if spec.statistic == "mean" else 100.0
    result["n"] = first["n"].astype(int).to_numpy()
    if not np.allclose(one["n_eff"], first["n"]) or not np.allclose(two["n_eff"], second["n"]):
        result["n_eff"] = one["n_eff"].to_numpy()  # weighted: Kish effective sizes
        result["ref_n_eff"] = two["n_eff"].to_numpy()
    result["estimate"] = one["estimate"] * scale_factor
    result["ref_n"] = second["n"].astype(int).to_numpy()
    result["ref_estimate"] = two["estimate"] * scale_factor
    result["difference"] = np.asarray(test.difference) * scale_factor
    low, high = _difference_interval(one, two, spec, test, conf, difference_interval)
    result["ci_low"], result["ci_high"] = low * scale_factor, high * scale_factor
    result["statistic"] = test.statistic
    result["p_value"] = test.p_value
    result["p_adjusted"] = stats.adjust_pvalues(result["p_value"], correction)
    small = (one["n_eff"] < min_n) | (two["n_eff"] < min_n)
    result["small_n"] = small.to_numpy()
    result["significant"] = _significant(result, conf)
    result["conf"] = conf
    share_test = ("two-proportion z test; Newcombe interval" if difference_interval == "newcombe"
                  else "two-proportion z test; Agresti-Caffo interval")
    result["test"] = {"share": share_test,
                      "nps": "NPS difference z test; Wald interval",
                      "mean": "Welch t test; Welch interval"}[spec.statistic]
    result["correction"] = CORRECTION_NAMES[correction]
    result["metric"] = metric
    return result


def _summaries(sums: pd.DataFrame, spec) -> pd.DataFrame:
    w = sums["w"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(sums["w2"] > 0, w**2 / sums["w2"].to_numpy(dtype=float), 0.0)
        p_pos = sums["w_pos"].to_numpy() / w
        p_neg = sums["w_neg"].to_numpy() / w
    mean, sd = mean_sd(sums, n_eff)
    estimate = {"share": p_pos, "nps": p_pos - p_neg, "mean": mean}[spec.statistic]
    return pd.DataFrame({"n_eff": n_eff, "p_pos": p_pos, "p_neg": p_neg,
                         "mean": mean, "sd": sd, "estimate": estimate})


def _test(first, second, one, two, spec) -> stats.Comparison:
    if spec.statistic == "share":
        return stats.two_proportion_test(
            one["p_pos"] * one["n_eff"], one["n_eff"], two["p_pos"] * two["n_eff"], two["n_eff"]
        )
    if spec.statistic == "nps":
        args = []
        for s in (one, two):
            args += [s["p_pos"] * s["n_eff"], (1 - s["p_pos"] - s["p_neg"]) * s["n_eff"],
                     s["p_neg"] * s["n_eff"]]
        return stats.nps_difference_test(*args)
    return stats.welch_test(one["mean"], one["sd"], one["n_eff"], two["mean"], two["sd"], two["n_eff"])


def _significant(result: pd.DataFrame, conf: float) -> pd.Series:
    """Corrected p below alpha, the interval of the difference excluding zero, and
    neither side below ``min_n``: only then is a difference called real."""
    alpha = round(1 - conf, 12)  # 1 - 0.95 is 0.05000000000000004 in floating point
    excludes_zero = (result["ci_low"] > 0) | (result["ci_high"] < 0)
    return (result["p_adjusted"] < alpha) & excludes_zero & ~result["small_n"]


def adjust_across(tables: list[pd.DataFrame], correction: str = "holm") -> list[pd.DataFrame]:
    """Correct the p-values of several comparison tables as one family.

    A report that compares many segment columns (and surveys) should correct across
    all of its tests, not column by column. Returns copies with ``p_adjusted``,
    ``significant`` and ``correction`` recomputed over every row of every table.

    Examples
    --------
    >>> a = pd.DataFrame({"p_value": [0.01], "ci_low": [1.0], "ci_high": [2.0], "small_n": [False], "conf": [0.95]})
    >>> b = pd.DataFrame({"p_value": [0.04], "ci_low": [1.0], "ci_high": [2.0], "small_n": [False], "conf": [0.95]})
    >>> [t["p_adjusted"].round(2).tolist() for t in adjust_across([a, b])]
    [[0.02], [0.04]]
    """
    if not tables:
        return []
    sizes = [len(t) for t in tables]
    p = np.concatenate([t["p_value"].to_numpy(dtype=float) for t in tables])
    adjusted = np.split(stats.adjust_pvalues(p, correction), np.cumsum(sizes)[:-1])
    out = []
    for table, p_adjusted in zip(tables, adjusted):
        table = table.assign(p_adjusted=p_adjusted, correction=CORRECTION_NAMES[correction])
        table["significant"] = _significant(table, float(table["conf"].iloc[0]) if len(table) else 0.95)
        out.append(table)
    return out


CORRECTION_NAMES = {"holm": "Holm", "bh": "Benjamini-Hochberg", "fdr_bh": "Benjamini-Hochberg",
                     "none": "none"}


def _difference_interval(one, two, spec, test, conf, method="newcombe"):
    """Interval of the difference (first minus second), on 0..1 or the scale.

    Shares: Newcombe's hybrid score interval from the two Wilson intervals, which
    behaves at 0% and 100% where the Wald interval collapses (or Agresti-Caffo's, by
    ``method``). NPS: Wald with the per-respondent variances (not pooled). Means:
    Welch's t interval.
    """
    if spec.statistic == "share":
        return stats.proportion_difference_interval(
            one["p_pos"] * one["n_eff"], one["n_eff"], two["p_pos"] * two["n_eff"], two["n_eff"],
            conf=conf, method=method,
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        if spec.statistic == "nps":
            variance = (stats.nps_variance(one["p_pos"], one["p_neg"]) / one["n_eff"]
                        + stats.nps_variance(two["p_pos"], two["p_neg"]) / two["n_eff"])
            crit = stats.z_value(conf)
        else:
            variance = one["sd"] ** 2 / one["n_eff"] + two["sd"] ** 2 / two["n_eff"]
            crit = _st.t.ppf(0.5 + conf / 2, test.df)
        half = crit * np.sqrt(np.asarray(variance, dtype=float))
    difference = np.asarray(test.difference, dtype=float)
    return difference - half, difference + half


def segment_breakdowns(
    data: pd.DataFrame,
    surveys: Sequence[str],
    columns: Sequence[str],
    *,
    scales: dict | None = None,
    conf: float = 0.95,
    min_n: int = 30,
    correction: str = "holm",
    weight: str | None = None,
) -> tuple[dict[tuple[str, str], tuple[pd.DataFrame, pd.DataFrame]], list[str]]:
    """Each survey's metric by each segment column, and each level against the rest.

    The p-values are corrected once across every comparison made (all surveys and
    columns: one family, :func:`adjust_across`). A column missing from the data, or
    with fewer than two values among a survey's answers, is skipped with a sentence.

    Returns
    -------
    (dict, list of str)
        ``{(survey, column): (metric_table, comparison_table)}`` and the sentences of
        what was skipped.

    Examples
    --------
    >>> df = pd.DataFrame({"survey": "csat", "channel": ["chat"] * 100 + ["email"] * 100,
    ...                    "region": "EU", "score": [5] * 80 + [1] * 20 + [5] * 50 + [1] * 50})
    >>> pairs, skipped = segment_breakdowns(df, ["csat"], ["channel", "region", "team"])
    >>> list(pairs), skipped
    ([('csat', 'channel')], ["Segment column 'team' is not in the data; skipped.", 'CSAT answers have fewer than two region values; no breakdown by region.'])
    """
    skipped = [f"Segment column {c!r} is not in the data; skipped." for c in columns
               if c not in data.columns]
    if not columns:
        skipped.append("No segment columns chosen (parameter segments): no breakdown.")
    scales = scales or {}
    found: dict[tuple[str, str], tuple[pd.DataFrame, pd.DataFrame]] = {}
    for survey in surveys:
        rows = data[data["survey"] == survey] if "survey" in data.columns else data
        for column in [c for c in columns if c in data.columns]:
            if rows[column].nunique(dropna=False) < 2:
                skipped.append(f"{survey.upper()} answers have fewer than two {column} values; "
                               f"no breakdown by {column}.")
                continue
            options = dict(scale=scales.get(survey), conf=conf, min_n=min_n, weight=weight)
            table = metric_table(data, survey, by=column, **options)
            tests = compare(data, metric=survey, by=column, correction="none", **options)
            found[(survey, column)] = (table, tests)
    adjusted = adjust_across([tests for _, tests in found.values()], correction)
    return {key: (table, tests) for (key, (table, _)), tests in zip(found.items(), adjusted)}, skipped
