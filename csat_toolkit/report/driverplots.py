"""Plots of the key-driver analysis: importance, priorities, speed, agents, calibration.

They take the tables of :mod:`csat_toolkit.importance`, :mod:`csat_toolkit.drivers`,
:mod:`csat_toolkit.priorities`, :mod:`csat_toolkit.agents` and
:mod:`csat_toolkit.nonresponse`, draw every estimate with its interval and show n, and
compute nothing an analysis should. Each returns the ``Axes`` it drew on
(:func:`plot_fair_comparison`, two panels, its ``Figure``). They are
also available as ``csat_toolkit.plots.<name>``.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from ..errors import require_columns
from .style import PALETTE, _ax, _names, _outside_legend
from ..core.text import format_level

__all__ = ["plot_importance", "plot_importance_performance", "plot_speed",
           "plot_odds_ratios", "plot_shrinkage", "plot_funnel", "plot_calibration",
           "plot_fair_comparison"]

_QUADRANT_COLORS = {"fix first": PALETTE["bad"], "keep up": PALETTE["good"],
                    "low priority": PALETTE["small"], "possible overkill": PALETTE["neutral"]}


def _need(table: pd.DataFrame, columns: list[str], what: str) -> None:
    require_columns(table, columns, f"{what} needs the column(s) {{missing}}; the table has "
                    "{found}. Pass the table the matching csat_toolkit function returned.")


def _label(value, labels: dict | None) -> str:
    return (labels or {}).get(value, str(value).replace("_", " "))


def plot_importance(table: pd.DataFrame, *, noise: float | None = None, labels: dict | None = None,
                    ax=None, title: str | None = None):
    """Bars of each driver's share of the explained variation, with bootstrap intervals.

    Drivers whose importance does not beat the random-noise predictor are grey.

    Parameters
    ----------
    table : DataFrame
        ``ImportanceResult.table``: ``driver``, ``lmg_share``, ``lmg``, ``lmg_ci_low``,
        ``lmg_ci_high``, ``significant``, ``n``.
    noise : float, optional
        The noise predictor's LMG (same units as ``lmg``), drawn as a dashed line.

    Examples
    --------
    >>> t = pd.DataFrame({"driver": ["a", "b"], "lmg": [0.2, 0.05], "lmg_share": [80.0, 20.0],
    ...                   "lmg_ci_low": [0.15, 0.0], "lmg_ci_high": [0.25, 0.1],
    ...                   "significant": [True, False], "n": [100, 100], "conf": [0.95, 0.95]})
    >>> ax = plot_importance(t)
    """
    _need(table, ["driver", "lmg", "lmg_ci_low", "lmg_ci_high", "significant", "n"],
          "plot_importance")
    data = table.reset_index(drop=True)
    if ax is None:
        ax = plt.subplots(figsize=(8, max(3.0, 0.32 * len(data) + 1.2)))[1]
    y = np.arange(len(data))
    colors = np.where(data["significant"].fillna(False).astype(bool), PALETTE["main"],
                      PALETTE["small"])
    ax.barh(y, data["lmg"], color=colors, alpha=0.85)
    ax.hlines(y, data["lmg_ci_low"], data["lmg_ci_high"], color=PALETTE["line"], linewidth=1.5)
    if "lmg_share" in data:
        for yi, (value, share) in enumerate(zip(data["lmg"], data["lmg_share"])):
            ax.text(value, yi, f" {share:.0f}%", va="center", ha="left", fontsize=8,
                    color=PALETTE["line"])
    if noise is not None:
        ax.axvline(noise, color=PALETTE["bad"], linestyle="--", linewidth=1,
                   label="random noise predictor")
        _outside_legend(ax)
    ax.set_yticks(y, [_label(d, labels) for d in data["driver"]])
    ax.invert_yaxis()
    conf = format_level(data["conf"].iloc[0]) if "conf" in data else "95%"
    ax.set_xlabel(f"share of variance explained (R², exact Shapley / LMG), {conf} bootstrap CI;"
                  " label: % of R²")
    ax.set_title(title or f"What drives the outcome (n={int(data['n'].iloc[0]):,}; grey = "
                 "not distinguishable from noise)")
    return ax


def plot_importance_performance(matrix: pd.DataFrame, *, labels: dict | None = None, ax=None,
                                title: str | None = None):
    """Importance against performance per driver, split into the four quadrants.

    Parameters
    ----------
    matrix : DataFrame
        :func:`csat_toolkit.priorities.importance_performance` output: ``driver``,
        ``importance`` (+ ``_ci_low``/``_ci_high``), ``performance`` (+ intervals),
        ``quadrant``.

    Examples
    --------
    >>> m = pd.DataFrame({"driver": ["a", "b"], "importance": [40.0, 10.0],
    ...     "importance_ci_low": [30.0, 5.0], "importance_ci_high": [50.0, 15.0],
    ...     "performance": [50.0, 90.0], "performance_ci_low": [45.0, 88.0],
    ...     "performance_ci_high": [55.0, 92.0], "quadrant": ["fix first", "possible overkill"]})
    >>> ax = plot_importance_performance(m)
    """
    cols = ["driver", "importance", "performance", "quadrant"]
    _need(matrix, cols, "plot_importance_performance")
    ax = _ax(ax)
    data = matrix.reset_index(drop=True)
    for quadrant, part in data.groupby("quadrant", sort=False):
        color = _QUADRANT_COLORS.get(quadrant, PALETTE["line"])
        xerr = _errors(part, "performance")
        yerr = _errors(part, "importance")
        ax.errorbar(part["performance"], part["importance"], xerr=xerr, yerr=yerr, fmt="o",
                    color=color, ecolor=color, alpha=0.85, capsize=0, label=quadrant)
    for _, row in data.iterrows():
        ax.annotate(_label(row["driver"], labels), (row["performance"], row["importance"]),
                    textcoords="offset points", xytext=(5, 4), fontsize=8)
    ax.axvline(data["performance"].mean(), color=PALETTE["line"], linewidth=0.8, linestyle=":")
    ax.axhline(data["importance"].mean(), color=PALETTE["line"], linewidth=0.8, linestyle=":")
    ax.set_xlabel("performance now (0-100: share good / rating as % of best), with CI")
    ax.set_ylabel("importance (% of explained variation), with CI")
    ax.set_title(title or "Importance against performance (dotted lines: averages)")
    _outside_legend(ax)
    return ax


def _errors(part: pd.DataFrame, column: str):
    low, high = f"{column}_ci_low", f"{column}_ci_high"
    if low not in part or high not in part:
        return None
    lower = (part[column] - part[low]).clip(lower=0).fillna(0)
    upper = (part[high] - part[column]).clip(lower=0).fillna(0)
    return np.vstack([lower.to_numpy(dtype=float), upper.to_numpy(dtype=float)])


def plot_speed(buckets: pd.DataFrame, curve: pd.DataFrame | None = None, *,
               label: str = "first response time", unit: str = "hours", ax=None,
               title: str | None = None):
    """Satisfaction by time bucket (with intervals) and the modelled effect curve.

    Each bucket is drawn as a horizontal segment over its time range at its estimate,
    with its interval as a band; the curve (:func:`csat_toolkit.drivers.effect_curve`)
    as a line with its band. The x axis is logarithmic.

    Examples
    --------
    >>> b = pd.DataFrame({"bucket": ["under 1 h", "over 1 h"], "lower": [0.0, 1.0],
    ...     "upper": [1.0, np.inf], "n": [50, 40], "estimate": [80.0, 60.0],
    ...     "ci_low": [70.0, 45.0], "ci_high": [88.0, 73.0], "conf": [0.95, 0.95]})
    >>> ax = plot_speed(b)
    """
    _need(buckets, ["bucket", "lower", "upper", "n", "estimate", "ci_low", "ci_high"],
          "plot_speed")
    ax = _ax(ax)
    data = buckets[np.isfinite(buckets["lower"].astype(float))].reset_index(drop=True)
    high_end = _right_edge(data, curve)
    left_end = _left_edge(data, curve)
    for _, row in data.iterrows():
        lo = max(float(row["lower"]), left_end)
        hi = min(float(row["upper"]), high_end)
        color = PALETTE["small"] if row.get("small_n", False) else PALETTE["main"]
        ax.fill_between([lo, hi], row["ci_low"], row["ci_high"], color=color, alpha=0.2, step=None)
        ax.hlines(row["estimate"], lo, hi, color=color, linewidth=3)
        ax.text(np.sqrt(lo * hi), row["ci_high"], f"{row['bucket']}\nn={int(row['n']):,}",
                ha="center", va="bottom", fontsize=8, color=PALETTE["line"])
    if curve is not None and len(curve):
        ax.plot(curve["value"], curve["estimate"], color=PALETTE["bad"], linewidth=1.5,
                label="modelled effect (other drivers as observed)")
        ax.fill_between(curve["value"], curve["ci_low"], curve["ci_high"], color=PALETTE["bad"],
                        alpha=0.12)
        _outside_legend(ax)
    ax.set_xscale("log")
    ax.set_xlim(left_end, high_end)
    low, high = ax.get_ylim()
    ax.set_ylim(low, high + 0.12 * (high - low))  # room for the bucket labels
    conf = format_level(buckets["conf"].iloc[0]) if "conf" in buckets else "95%"
    ax.set_xlabel(f"{label} ({unit}, log scale)")
    ax.set_ylabel(f"% satisfied, {conf} CI")
    ax.set_title(title or f"What speed is worth: satisfaction by {label}")
    return ax


def _right_edge(data: pd.DataFrame, curve: pd.DataFrame | None) -> float:
    finite = data["upper"][np.isfinite(data["upper"].astype(float))]
    edge = float(finite.max()) * 4 if len(finite) else 100.0
    if curve is not None and len(curve):
        edge = max(edge, float(curve["value"].max()))
    return edge


def _left_edge(data: pd.DataFrame, curve: pd.DataFrame | None) -> float:
    positive = data["upper"][data["upper"] > 0]
    edge = float(positive.min()) / 20 if len(positive) else 0.01
    if curve is not None and len(curve):
        smallest = curve["value"][curve["value"] > 0]
        if len(smallest):
            edge = min(edge, float(smallest.min()))
    return edge


def plot_odds_ratios(table: pd.DataFrame, *, labels: dict | None = None, ax=None,
                     title: str | None = None):
    """Forest plot of model terms (odds ratios on a log axis, or coefficients).

    Takes ``DriverModel.table``; significant terms are coloured by direction.

    Examples
    --------
    >>> t = pd.DataFrame({"term": ["a", "b"], "estimate": [2.0, 0.8], "ci_low": [1.5, 0.5],
    ...     "ci_high": [2.7, 1.2], "significant": [True, False], "method": ["logit"] * 2})
    >>> ax = plot_odds_ratios(t)
    """
    _need(table, ["term", "estimate", "ci_low", "ci_high", "significant"], "plot_odds_ratios")
    data = table.reset_index(drop=True)
    if ax is None:
        ax = plt.subplots(figsize=(8, max(3.0, 0.24 * len(data) + 1.2)))[1]
    ratio = bool((data["ci_low"] > 0).all()) and "ols" not in str(data.get("method", [""])[0]).lower()
    null = 1.0 if ratio else 0.0
    y = np.arange(len(data))
    colors = np.where(data["significant"], np.where(data["estimate"] > null, PALETTE["good"],
                                                    PALETTE["bad"]), PALETTE["small"])
    ax.hlines(y, data["ci_low"], data["ci_high"], colors=colors, linewidth=2.5)
    ax.scatter(data["estimate"], y, color=colors, zorder=3)
    ax.axvline(null, color=PALETTE["line"], linewidth=1)
    if ratio:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(mticker.FormatStrFormatter("%g"))
        ax.xaxis.set_minor_formatter(mticker.NullFormatter())
    ax.set_yticks(y, [_term_label(row, labels) for _, row in data.iterrows()], fontsize=8)
    ax.invert_yaxis()
    conf = format_level(data["conf"].iloc[0]) if "conf" in data else "95%"
    ax.set_xlabel(("odds ratio (log scale)" if ratio else "coefficient") + f", {conf} CI")
    ax.set_title(title or "Model terms (coloured = significant after correction)")
    return ax


def _term_label(row: pd.Series, labels: dict | None) -> str:
    """ "channel: chat (vs email)" for a level, "contacts (per unit)" for a number."""
    if "driver" not in row or pd.isna(row.get("driver")):
        return _label(row["term"], labels)
    name, term = _label(row["driver"], labels), str(row["term"])
    if term in ("per unit", "1"):
        return f"{name} ({'per unit' if term == 'per unit' else 'yes vs no'})"
    reference = row.get("reference")
    return f"{name}: {term}" + (f" (vs {reference})" if isinstance(reference, str) else "")


def plot_shrinkage(table: pd.DataFrame, *, by: str = "agent", overall: float | None = None,
                   ax=None, title: str | None = None):
    """Shrunken (empirical-Bayes) rate per group with its interval, raw rate beside it.

    Groups are in the table's order (ranked groups first); groups with too few answers
    are grey and not ranked.

    Examples
    --------
    >>> t = pd.DataFrame({"agent": ["A", "B"], "n": [100, 10], "raw": [80.0, 100.0],
    ...     "estimate": [79.0, 85.0], "ci_low": [71.0, 74.0], "ci_high": [86.0, 93.0],
    ...     "small_n": [False, True], "conf": [0.95, 0.95]})
    >>> ax = plot_shrinkage(t, overall=78.0)
    """
    _need(table, [by, "n", "raw", "estimate", "ci_low", "ci_high"], "plot_shrinkage")
    ax = _ax(ax)
    data = table.reset_index(drop=True)
    y = np.arange(len(data))
    small = data["small_n"].to_numpy(dtype=bool) if "small_n" in data else np.zeros(len(data), bool)
    colors = np.where(small, PALETTE["small"], PALETTE["main"])
    ax.hlines(y, data["ci_low"], data["ci_high"], colors=colors, linewidth=3, alpha=0.8)
    ax.scatter(data["estimate"], y, color=colors, zorder=3, label="shrunken estimate")
    ax.scatter(data["raw"], y, facecolors="none", edgecolors=PALETTE["line"], zorder=3,
               label="raw rate")
    if overall is not None:
        ax.axvline(overall, color=PALETTE["neutral"], linestyle="--", label="overall")
    ax.set_yticks(y, [f"{g}  (n={int(n):,})" for g, n in zip(_names(data[by]), data["n"])])
    ax.invert_yaxis()
    conf = format_level(data["conf"].iloc[0]) if "conf" in data else "95%"
    ax.set_xlabel(f"% satisfied, shrunken toward the overall rate, {conf} interval")
    ax.set_title(title or f"Fair comparison by {by} (grey: too few answers to rank)")
    _outside_legend(ax)
    return ax


def plot_funnel(groups: pd.DataFrame, limits: pd.DataFrame, *, by: str = "agent",
                overall: float | None = None, ax=None, title: str | None = None,
                max_labels: int = 10):
    """Funnel plot: each group's raw rate against its n, inside control limits.

    Parameters
    ----------
    groups : DataFrame
        ``by``, ``n``, ``raw`` (%).
    limits : DataFrame
        :func:`csat_toolkit.agents.funnel_limits` output: ``n``, ``level``, ``low``, ``high``.
    max_labels : int
        Groups outside the outer limits that are named, those farthest outside first (the
        others stay red dots), so that thousands of groups do not bury the chart in text.

    Examples
    --------
    >>> g = pd.DataFrame({"agent": ["A", "B"], "n": [100, 30], "raw": [80.0, 60.0]})
    >>> lim = pd.DataFrame({"n": [10, 100] * 2, "level": [0.95, 0.95, 0.998, 0.998],
    ...     "low": [50.0, 68.0, 40.0, 63.0], "high": [95.0, 84.0, 99.0, 88.0]})
    >>> ax = plot_funnel(g, lim, overall=76.0)
    """
    _need(groups, [by, "n", "raw"], "plot_funnel")
    _need(limits, ["n", "level", "low", "high"], "plot_funnel limits")
    ax = _ax(ax)
    styles = ["--", ":"]
    for (level, part), style in zip(limits.groupby("level", sort=True), styles * 4):
        ax.plot(part["n"], part["low"], color=PALETTE["line"], linestyle=style, linewidth=1,
                label=f"{format_level(level)} limits")
        ax.plot(part["n"], part["high"], color=PALETTE["line"], linestyle=style, linewidth=1)
    outer = limits[limits["level"] == limits["level"].max()].sort_values("n")
    low = np.interp(groups["n"], outer["n"], outer["low"])
    high = np.interp(groups["n"], outer["n"], outer["high"])
    outside = (groups["raw"] < low) | (groups["raw"] > high)
    ax.scatter(groups["n"], groups["raw"], color=np.where(outside, PALETTE["bad"], PALETTE["main"]),
               zorder=3)
    beyond = np.maximum(low - groups["raw"], groups["raw"] - high)[outside]
    for _, row in groups.loc[beyond.sort_values(ascending=False).index[:max_labels]].iterrows():
        ax.annotate(str(row[by]), (row["n"], row["raw"]), textcoords="offset points",
                    xytext=(5, 3), fontsize=8)
    if overall is not None:
        ax.axhline(overall, color=PALETTE["neutral"], linewidth=1, label="overall")
    ax.set_xlabel(f"answers per {by} (n)")
    ax.set_ylabel("% satisfied (raw)")
    ax.set_title(title or f"Funnel plot by {by} (red: outside the outer limits)")
    _outside_legend(ax)
    return ax


def plot_calibration(calibration: pd.DataFrame, *, ax=None, title: str | None = None):
    """Predicted against observed satisfaction per bin of prediction (held-out data).

    Examples
    --------
    >>> c = pd.DataFrame({"predicted": [30.0, 70.0], "observed": [32.0, 66.0],
    ...     "ci_low": [25.0, 60.0], "ci_high": [40.0, 72.0], "n": [100, 100]})
    >>> ax = plot_calibration(c)
    """
    _need(calibration, ["predicted", "observed", "ci_low", "ci_high", "n"], "plot_calibration")
    ax = _ax(ax)
    data = calibration.reset_index(drop=True)
    ax.plot([0, 100], [0, 100], color=PALETTE["line"], linestyle=":", linewidth=1,
            label="perfect calibration")
    ax.vlines(data["predicted"], data["ci_low"], data["ci_high"], color=PALETTE["main"],
              linewidth=2)
    ax.scatter(data["predicted"], data["observed"], color=PALETTE["main"], zorder=3,
               label="observed share (CI)")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_xlabel("predicted % satisfied (mean per bin)")
    ax.set_ylabel("observed % satisfied")
    ax.set_title(title or f"Calibration on held-out answers (n={int(data['n'].sum()):,})")
    _outside_legend(ax)
    return ax


def plot_fair_comparison(table: pd.DataFrame, limits: pd.DataFrame, shown: pd.DataFrame | None = None,
                         *, by: str = "agent", overall: float | None = None):
    """The fair comparison side by side: shrunken rates (left) and the funnel plot (right).

    Parameters
    ----------
    table : DataFrame
        :func:`csat_toolkit.agents.shrunken_rates` ``.table`` (every group: the funnel).
    limits : DataFrame
        :func:`csat_toolkit.agents.funnel_limits` output.
    shown : DataFrame, optional
        The rows of the shrinkage panel (:func:`csat_toolkit.agents.shown_groups`);
        default every row.
    by : str
        The group column.
    overall : float, optional
        The overall rate in % (a reference line).

    Returns
    -------
    Figure

    Examples
    --------
    >>> t = pd.DataFrame({"agent": ["A", "B"], "n": [40, 60], "raw": [70.0, 85.0],
    ...     "raw_ci_low": [55.0, 74.0], "raw_ci_high": [82.0, 92.0], "estimate": [74.0, 83.0],
    ...     "ci_low": [63.0, 74.0], "ci_high": [83.0, 90.0], "small_n": [False, False],
    ...     "vs_overall": ["average", "average"]})
    >>> lim = pd.DataFrame({"n": [1, 66] * 2, "level": [0.95] * 2 + [0.998] * 2,
    ...     "low": [0.0, 0.66, 0.0, 0.6], "high": [1.0, 0.9, 1.0, 0.94]})
    >>> len(plot_fair_comparison(t, lim, by="agent", overall=79.0).axes)
    2
    """
    shown = table if shown is None else shown
    figure, axes = plt.subplots(1, 2, figsize=(13, max(3.5, 0.28 * len(shown))))
    plot_shrinkage(shown, by=by, overall=overall, ax=axes[0])
    plot_funnel(table, limits, by=by, overall=overall, ax=axes[1])
    figure.tight_layout()
    return figure
