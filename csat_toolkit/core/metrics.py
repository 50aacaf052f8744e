"""CSAT, NPS, CES and PMF with intervals, from counts.

Each public function returns a tidy table, one row per group (and period): the group
keys, ``metric``, ``n``, ``estimate``, ``ci_low``, ``ci_high``, ``conf``, ``method``,
``small_n`` and what the metric needs (shares, means, counts). Shares and NPS are in
percent / points; means are on the scale.

The work is done counts-first: :func:`csat_toolkit.tally.tally` aggregates the rows,
:func:`moments` turns the score histogram of each group into additive sums, and the
statistics are computed from those sums only.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import stats
from ..errors import DataError, MissingColumnError, ParameterError, ScaleError, show_values
from .scales import Scale, get_scale
from .tally import as_keys, counts_of, require_columns, tally

__all__ = [
    "METRICS",
    "csat",
    "nps",
    "ces",
    "pmf",
    "metric_table",
    "score_distribution",
    "moments",
    "group_sums",
    "table_from_sums",
    "estimates_from_moments",
    "check_scores",
    "mean_sd",
    "SUMS",
    "select_survey",
]


@dataclass(frozen=True)
class MetricSpec:
    """What a metric name means: which survey's answers and which statistic."""

    survey: str
    statistic: str  # "share", "nps" or "mean"
    label: str


METRICS: dict[str, MetricSpec] = {
    "csat": MetricSpec("csat", "share", "CSAT (% satisfied)"),
    "csat_mean": MetricSpec("csat", "mean", "CSAT mean score"),
    "nps": MetricSpec("nps", "nps", "NPS"),
    "ces": MetricSpec("ces", "mean", "CES mean score"),
    "ces_easy": MetricSpec("ces", "share", "CES (% easy)"),
    "pmf": MetricSpec("pmf", "share", "PMF (% very disappointed)"),
}

# Additive sums per group: rows, weights, weighted positives, negatives, scores.
SUMS = ["n", "w", "w2", "w_pos", "w_neg", "w_s", "w_s2", "n_excluded"]


def get_metric(metric: str) -> MetricSpec:
    """Look up a metric name (``csat``, ``csat_mean``, ``nps``, ``ces``, ``ces_easy``, ``pmf``)."""
    if metric not in METRICS:
        raise ParameterError(f"Unknown metric {metric!r}; use one of {', '.join(METRICS)}.")
    return METRICS[metric]


def select_survey(data: pd.DataFrame, survey: str | None) -> pd.DataFrame:
    """Rows of one survey type (all rows when the frame has no ``survey`` column)."""
    if survey is None or "survey" not in data.columns:
        return data
    return data[data["survey"] == survey]


def moments(counts: pd.DataFrame, scale: Scale, keys: Sequence[str]) -> pd.DataFrame:
    """Additive sums per group from a tally (see :func:`csat_toolkit.tally.tally`).

    Answers the scale excludes (PMF "no longer use") are counted in ``n_excluded``
    and left out of every other sum.

    Returns
    -------
    DataFrame
        One row per group with ``n``, ``w``, ``w2``, ``w_pos``, ``w_neg``, ``w_s``,
        ``w_s2`` and ``n_excluded``. Sums of two groups are the sums of their union.
    """
    score = counts["score"].to_numpy(dtype=float)
    excluded = scale.is_excluded(score)
    keep = ~excluded
    w = counts["w"].to_numpy(dtype=float)
    parts = pd.DataFrame(
        {
            "n": np.where(keep, counts["n"], 0),
            "w": np.where(keep, w, 0.0),
            "w2": np.where(keep, counts["w2"], 0.0),
            "w_pos": np.where(keep & scale.is_positive(score), w, 0.0),
            "w_neg": np.where(keep & scale.is_negative(score), w, 0.0),
            "w_s": np.where(keep, w * score, 0.0),
            "w_s2": np.where(keep, w * score**2, 0.0),
            "n_excluded": np.where(excluded, counts["n"], 0),
        }
    )
    keys = list(keys)
    if not keys:
        return parts.sum().to_frame().T.astype({"n": int, "n_excluded": int})
    for key in keys:
        column = counts[key]
        # A Period column through .to_numpy() becomes boxed objects, which are slow to
        # group on; keep its dtype (other keys as before).
        parts[key] = column.array if isinstance(column.dtype, pd.PeriodDtype) else column.to_numpy()
    summed = parts.groupby(keys, observed=True, dropna=False, sort=True)[SUMS].sum()
    return summed.reset_index()


def estimates_from_moments(
    sums: pd.DataFrame,
    statistic: str,
    *,
    conf: float = 0.95,
    method: str | None = None,
    population=None,
    weighted: bool = False,
) -> pd.DataFrame:
    """Estimate, interval and effective n of one statistic for each row of sums.

    ``population`` (a number or an array aligned with the rows) switches on the
    finite population correction and adds ``population`` and ``response_rate``.
    """
    out = pd.DataFrame(index=sums.index)
    w = sums["w"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(sums["w2"] > 0, w**2 / sums["w2"], 0.0)
        p_pos = sums["w_pos"] / w
        p_neg = sums["w_neg"] / w
    factor = 1.0 if population is None else stats.finite_population_factor(sums["n"], population)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_adj = n_eff / factor
    if statistic == "share":
        method = method or "wilson"
        low, high = stats.proportion_interval(p_pos * n_adj, n_adj, conf=conf, method=method)
        out["estimate"], out["ci_low"], out["ci_high"] = 100 * p_pos, 100 * low, 100 * high
        method_name = {"wilson": "Wilson score", "wald": "Wald",
                       "agresti_coull": "Agresti-Coull", "clopper_pearson": "Clopper-Pearson",
                       "jeffreys": "Jeffreys"}[method]
    elif statistic == "nps":
        method = method or "adjusted_wald"
        p_mid = 1 - p_pos - p_neg
        low, high = stats.nps_interval(
            p_pos * n_adj, p_mid * n_adj, p_neg * n_adj, conf=conf, method=method
        )
        out["estimate"], out["ci_low"], out["ci_high"] = 100 * (p_pos - p_neg), 100 * low, 100 * high
        method_name = {"adjusted_wald": "adjusted Wald (Rocks 2016)", "wald": "Wald",
                       "score": "iterative score (Rocks 2016)"}[method]
    elif statistic == "mean":
        if method not in (None, "t"):
            raise ParameterError(f"Means use the t interval; got method={method!r}.")
        mean, sd = mean_sd(sums, n_eff)
        low, high = stats.mean_interval(mean, sd * np.sqrt(factor), n_eff, conf=conf)
        out["estimate"], out["ci_low"], out["ci_high"] = mean, low, high
        out["sd"] = sd
        method_name = "t interval"
    else:
        raise ParameterError(f"Unknown statistic {statistic!r}.")
    census = np.asarray(factor) == 0  # everyone answered: no sampling error
    out["ci_low"] = np.where(census, out["estimate"], out["ci_low"])
    out["ci_high"] = np.where(census, out["estimate"], out["ci_high"])
    if weighted:
        out["n_eff"] = n_eff
        method_name += ", Kish effective n"
    if population is not None:
        out["population"] = population
        with np.errstate(divide="ignore", invalid="ignore"):
            answered = (sums["n"] + sums["n_excluded"]).to_numpy()  # PMF "no longer use" answered too
            out["response_rate"] = 100 * answered / np.asarray(population, dtype=float)
        method_name += ", finite population correction"
    out["conf"] = conf
    out["method"] = method_name
    return out


def mean_sd(sums: pd.DataFrame, n_eff) -> tuple[np.ndarray, np.ndarray]:
    w = sums["w"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = sums["w_s"].to_numpy() / w
        variance = np.maximum(sums["w_s2"].to_numpy() / w - mean**2, 0.0)
        sd = np.sqrt(variance * n_eff / (n_eff - 1))
    return mean, np.where(n_eff > 1, sd, np.nan)


def metric_table(
    data: pd.DataFrame,
    metric: str = "csat",
    *,
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    scale: str | Scale | None = None,
    conf: float = 0.95,
    min_n: int = 30,
    method: str | None = None,
    weight: str | None = None,
    population=None,
    survey: str | None = "auto",
) -> pd.DataFrame:
    """Any metric by group and/or period, as a tidy table.

    Parameters
    ----------
    data : DataFrame
        Canonical responses (from :func:`csat_toolkit.load_responses`), or any frame
        with a ``score`` column on the scale.
    metric : {"csat", "csat_mean", "nps", "ces", "ces_easy", "pmf"}
    by : str or list of str, optional
        Segment columns.
    period : {"D", "W", "M", "Q", "Y"}, optional
        Calendar period of ``responded_at``.
    scale : str or Scale, optional
        Defaults to the survey's default scale (CSAT 1-5, NPS 0-10, CES 1-7, PMF).
    conf : float
        Confidence level of the intervals.
    min_n : int
        Groups with fewer answers (effective answers when weighted) are flagged
        ``small_n``.
    method : str, optional
        Interval method: shares ``wilson`` (default), ``wald``, ``agresti_coull``,
        ``clopper_pearson``, ``jeffreys`` (Brown, Cai & DasGupta 2001); NPS
        ``adjusted_wald`` (default), ``wald`` or ``score`` (the iterative score interval
        of Rocks 2016). See :func:`csat_toolkit.stats.proportion_interval` and
        :func:`csat_toolkit.stats.nps_interval`.
    weight : str, optional
        Column of survey weights; intervals then use Kish's effective n (``n_eff``).
    population : int, mapping or Series, optional
        Size of the customer base the survey went to: a number when the table is not
        split, or a mapping from the (single) group key to its base. The finite
        population correction treats each answer as a different customer: use it for
        a survey that asks each customer once. Adds ``population``
        and ``response_rate`` and applies the finite population correction.
    survey : str or None
        Which rows of a mixed frame to use; "auto" takes the metric's survey
        (``csat`` for CSAT ...), None uses every row.

    Examples
    --------
    >>> df = pd.DataFrame({"survey": "csat", "score": [5] * 150 + [2] * 100})
    >>> metric_table(df, "csat")[["n", "estimate"]].values.tolist()
    [[250.0, 60.0]]
    """
    spec = get_metric(metric)
    scale = get_scale(scale, survey=spec.survey)
    sums = group_sums(data, metric, by=by, period=period, scale=scale, weight=weight, survey=survey)
    keys = as_keys(by) + (["period"] if period else [])
    return table_from_sums(sums, keys, metric, scale, conf=conf, min_n=min_n, method=method,
                           weight=weight, population=population)


def group_sums(
    data: pd.DataFrame,
    metric: str,
    *,
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    scale: str | Scale | None = None,
    weight: str | None = None,
    survey: str | None = "auto",
) -> pd.DataFrame:
    """Validated rows of a metric's survey, tallied, as additive sums per group.

    The shared first step of :func:`metric_table` and the comparisons: checks that the
    scale belongs to the metric's survey and that the scores are on it, then returns
    :func:`moments` per ``by`` (and ``period``) group.
    """
    spec = get_metric(metric)
    scale = get_scale(scale, survey=spec.survey)
    if scale.survey != spec.survey:
        raise ScaleError(
            f"Metric {metric!r} needs a {spec.survey.upper()} scale; got {scale.name!r} "
            f"({scale.description})."
        )
    # Only the columns used travel further (ids and comments are not copied).
    require_columns(data, as_keys(by) + ([weight] if weight and not counts_of(data) else []))
    used = dict.fromkeys(as_keys(by) + ["survey", "score", "responded_at", weight,
                                        *counts_of(data)])
    data = data[[c for c in used if c is not None and c in data.columns]]
    rows = select_survey(data, spec.survey if survey == "auto" else survey)
    check_scores(rows, scale, metric)
    keys = as_keys(by) + (["period"] if period else [])
    return moments(tally(rows, by=by, period=period, weight=weight), scale, keys)


def table_from_sums(sums, keys, metric, scale, *, conf=0.95, min_n=30, method=None,
                    weight=None, population=None) -> pd.DataFrame:
    """The tidy metric table of :func:`metric_table` from sums already tallied."""
    spec = get_metric(metric)
    pop = _population(population, sums, keys)
    est = estimates_from_moments(
        sums, spec.statistic, conf=conf, method=method, population=pop, weighted=weight is not None
    )
    table = sums[keys].copy()
    table["metric"] = metric
    table["n"] = sums["n"].astype(int)
    table = pd.concat([table, est], axis=1)
    effective = table["n_eff"] if "n_eff" in table else table["n"]
    table["small_n"] = effective < min_n
    table["scale"] = scale.name
    return pd.concat([table, _extras(sums, spec, conf=conf, population=pop)], axis=1)


def _extras(sums: pd.DataFrame, spec: MetricSpec, **interval) -> pd.DataFrame:
    """Metric-specific columns: category shares for NPS, mean for CSAT, % easy for CES."""
    w = sums["w"].to_numpy(dtype=float)
    extra = pd.DataFrame(index=sums.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        if spec.survey == "nps":
            extra["pct_promoters"] = 100 * sums["w_pos"] / w
            extra["pct_passives"] = 100 * (w - sums["w_pos"] - sums["w_neg"]) / w
            extra["pct_detractors"] = 100 * sums["w_neg"] / w
        elif spec.survey == "csat" and spec.statistic == "share":
            mean = estimates_from_moments(sums, "mean", **interval)
            extra["mean"], extra["mean_ci_low"], extra["mean_ci_high"] = (
                mean["estimate"], mean["ci_low"], mean["ci_high"]
            )
        elif spec.survey == "ces" and spec.statistic == "mean":
            easy = estimates_from_moments(sums, "share", **interval)
            extra["pct_easy"], extra["pct_easy_ci_low"], extra["pct_easy_ci_high"] = (
                easy["estimate"], easy["ci_low"], easy["ci_high"]
            )
        elif spec.survey == "pmf":
            extra["no_longer_users"] = sums["n_excluded"].astype(int)
    return extra


def _population(population, sums: pd.DataFrame, keys: Sequence[str]):
    if population is None:
        return None
    if np.isscalar(population):
        if keys:
            raise ParameterError(
                f"population={population} is the size of the whole base, but the table is "
                f"split by {', '.join(keys)}: each group's answers come from a smaller base. "
                "Give a mapping from each group to its base size, or drop by=/period=."
            )
        return float(population)
    if len(keys) != 1:
        raise ParameterError(
            "A population per group needs exactly one grouping column (by='...'); "
            "for several columns give one number for the whole base."
        )
    mapping = pd.Series(population) if isinstance(population, Mapping) else population
    values = sums[keys[0]].map(mapping)
    if values.isna().any():
        raise ParameterError(
            f"No population given for {keys[0]} = "
            f"{show_values(sums.loc[values.isna(), keys[0]].tolist())}. Give a base "
            "size for every group."
        )
    return values.to_numpy(dtype=float)


def check_scores(rows: pd.DataFrame, scale: Scale, metric: str) -> None:
    if "score" not in rows.columns:
        raise MissingColumnError(
            "No 'score' column. Load the data with csat_toolkit.load_responses(...), "
            "mapping your score column: columns={'Rating': 'score'}."
        )
    if rows.empty:
        raise DataError(
            f"No {METRICS[metric].survey.upper()} answers to compute {metric!r} from. "
            "Check the survey column (or pass survey=None to use every row)."
        )
    scores = pd.to_numeric(rows["score"], errors="coerce")
    bad = scores.isna() | ~scores.isin(scale.points)
    if bad.any():
        raise ScaleError(
            f"{int(bad.sum())} score(s) are not on the {scale.name} scale "
            f"({scale.low:g}-{scale.high:g}): {show_values(rows.loc[bad, 'score'].tolist())}. "
            "Load the data with csat_toolkit.load_responses, which sets such rows aside "
            "with a reason, or choose the right scale."
        )


def csat(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """CSAT: % satisfied (top-2-box on 1-5) with its Wilson interval, and the mean.

    Takes the arguments of :func:`metric_table`. Extra columns: ``mean``,
    ``mean_ci_low``, ``mean_ci_high`` (t interval).

    Examples
    --------
    >>> df = pd.DataFrame({"score": [5] * 150 + [2] * 100})
    >>> row = csat(df).iloc[0]
    >>> [round(float(row[c]), 1) for c in ("estimate", "ci_low", "ci_high")]
    [60.0, 53.8, 65.9]
    """
    return metric_table(data, "csat", **kwargs)


def nps(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """NPS: % promoters minus % detractors, with the adjusted Wald interval.

    Takes the arguments of :func:`metric_table`. Extra columns: ``pct_promoters``,
    ``pct_passives``, ``pct_detractors``.

    Examples
    --------
    >>> df = pd.DataFrame({"score": [10] * 50 + [7] * 30 + [3] * 20})
    >>> row = nps(df).iloc[0]
    >>> [round(float(row[c]), 1) for c in ("estimate", "ci_low", "ci_high")]
    [30.0, 14.1, 44.2]
    """
    return metric_table(data, "nps", **kwargs)


def ces(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """CES: mean effort score with its t interval, and the % easy (Wilson).

    Takes the arguments of :func:`metric_table`. Extra columns: ``pct_easy``,
    ``pct_easy_ci_low``, ``pct_easy_ci_high``.

    Examples
    --------
    >>> df = pd.DataFrame({"score": [7, 6, 5, 2]})
    >>> ces(df, min_n=2)[["estimate", "pct_easy"]].values.tolist()
    [[5.0, 75.0]]
    """
    return metric_table(data, "ces", **kwargs)


def pmf(data: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """PMF: % "very disappointed" among those who still use the product.

    Answers "I no longer use the product" are left out of ``n`` and counted in
    ``no_longer_users``.

    Examples
    --------
    >>> df = pd.DataFrame({"score": [3, 3, 2, 1, 0]})
    >>> pmf(df, min_n=1)[["n", "estimate", "no_longer_users"]].values.tolist()
    [[4.0, 50.0, 1.0]]
    """
    return metric_table(data, "pmf", **kwargs)


def score_distribution(
    data: pd.DataFrame,
    survey: str = "csat",
    *,
    by: str | Sequence[str] | None = None,
    scale: str | Scale | None = None,
    conf: float = 0.95,
) -> pd.DataFrame:
    """Share of answers at each score point, with Wilson intervals.

    Every point of the scale appears, with zero counts where nobody answered it.

    Examples
    --------
    >>> df = pd.DataFrame({"score": [5, 5, 4, 1]})
    >>> score_distribution(df, "csat")[["score", "n", "pct"]].values.tolist()[-2:]
    [[4.0, 1.0, 25.0], [5.0, 2.0, 50.0]]
    """
    scale = get_scale(scale, survey=survey)
    if scale.survey != survey:
        raise ScaleError(
            f"{survey.upper()} answers need a {survey.upper()} scale; got {scale.name!r} "
            f"({scale.description})."
        )
    rows = select_survey(data, survey)
    check_scores(rows, scale, survey)
    keys = as_keys(by)
    counts = tally(rows, by=by)
    full = _complete_points(counts, keys, scale)
    totals = full.groupby(keys, observed=True, dropna=False)["n"].transform("sum") if keys else full["n"].sum()
    low, high = stats.proportion_interval(full["n"], totals, conf=conf)
    full["pct"] = 100 * full["n"] / totals
    full["ci_low"], full["ci_high"] = 100 * low, 100 * high
    full["class"] = scale.classify(full["score"])
    return full


def _complete_points(counts: pd.DataFrame, keys: list[str], scale: Scale) -> pd.DataFrame:
    points = pd.DataFrame({"score": np.asarray(scale.points, dtype=float)})
    if keys:
        groups = counts[keys].drop_duplicates()
        grid = groups.merge(points, how="cross")
    else:
        grid = points
    full = grid.merge(counts[keys + ["score", "n"]], on=keys + ["score"], how="left")
    full["n"] = full["n"].fillna(0).astype(float)
    return full
