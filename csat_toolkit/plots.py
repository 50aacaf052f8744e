"""Seaborn plots of result tables: intervals wherever an estimate is, n visible.

Plots take the tidy tables of :mod:`csat_toolkit.metrics` and
:mod:`csat_toolkit.compare`; they compute nothing an analysis should. Each returns
the matplotlib ``Axes`` it drew on.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from .metrics import get_metric
from .text import format_level

__all__ = [
    "use_style",
    "plot_estimates",
    "plot_trend",
    "plot_distribution",
    "plot_nps_breakdown",
    "plot_comparison",
]

PALETTE = {"main": "#2b6cb0", "small": "#a0aec0", "good": "#2f855a", "bad": "#c53030",
           "neutral": "#d69e2e", "line": "#4a5568"}
_AXIS = {"share": "% of answers", "nps": "points, -100 to 100", "mean": "mean score"}


def use_style() -> None:
    """Apply the toolkit's one consistent look (seaborn whitegrid, readable sizes)."""
    sns.set_theme(style="whitegrid", context="notebook", font_scale=0.95)
    plt.rcParams.update({"figure.figsize": (8, 4), "figure.dpi": 100,
                         "axes.titleweight": "bold", "axes.titlesize": 12})


def _names(values: pd.Series) -> list[str]:
    """Group labels for axes; a missing segment value reads "(missing)"."""
    return ["(missing)" if pd.isna(v) else str(v) for v in values]


def _ax(ax):
    return ax if ax is not None else plt.subplots()[1]


def _label_column(table: pd.DataFrame, x: str | None) -> str:
    if x:
        return x
    keys = [c for c in table.columns if c not in _RESULT_COLUMNS]
    return keys[0] if keys else "metric"


_RESULT_COLUMNS = {
    "metric", "n", "n_eff", "estimate", "ci_low", "ci_high", "conf", "method", "small_n",
    "scale", "sd", "mean", "mean_ci_low", "mean_ci_high", "pct_promoters", "pct_passives",
    "pct_detractors", "pct_easy", "pct_easy_ci_low", "pct_easy_ci_high", "population",
    "response_rate", "no_longer_users",
}


def plot_estimates(
    table: pd.DataFrame,
    *,
    x: str | None = None,
    ax=None,
    benchmark: float | tuple[float, float] | None = None,
    benchmark_label: str = "benchmark",
    title: str | None = None,
):
    """Horizontal point-and-interval plot of one metric across groups.

    Groups below ``min_n`` (``small_n``) are drawn in grey; each label shows n.

    Examples
    --------
    >>> import csat_toolkit as ct
    >>> t = ct.csat(pd.DataFrame({"channel": ["a"] * 40 + ["b"] * 10, "score": [5, 3] * 25}), by="channel")
    >>> ax = plot_estimates(t)
    """
    ax = _ax(ax)
    spec = get_metric(table["metric"].iloc[0])
    key = _label_column(table, x)
    data = table.reset_index(drop=True)
    labels = [f"{v}  (n={int(n):,})" for v, n in zip(_names(data[key]), data["n"])]
    y = np.arange(len(data))
    colors = [PALETTE["small"] if s else PALETTE["main"] for s in data["small_n"]]
    ax.hlines(y, data["ci_low"], data["ci_high"], colors=colors, linewidth=3, alpha=0.8)
    ax.scatter(data["estimate"], y, color=colors, zorder=3, s=40)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(f"{spec.label}: {_AXIS[spec.statistic]}, {format_level(data['conf'].iloc[0])} CI")
    ax.set_ylabel("")
    _draw_benchmark(ax, benchmark, benchmark_label, vertical=True)
    if data["small_n"].any():
        ax.text(1.02, 0.0, "grey: fewer answers\nthan min_n", transform=ax.transAxes,
                ha="left", va="bottom", fontsize=8, color=PALETTE["line"])
    ax.set_title(title or f"{spec.label} by {key}")
    return ax


def _draw_benchmark(ax, benchmark, label, *, vertical: bool) -> None:
    if benchmark is None:
        return
    line = ax.axvline if vertical else ax.axhline
    span = ax.axvspan if vertical else ax.axhspan
    if isinstance(benchmark, tuple):
        span(benchmark[0], benchmark[1], color=PALETTE["neutral"], alpha=0.15, label=label)
    else:
        line(benchmark, color=PALETTE["neutral"], linestyle="--", label=label)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)


def plot_trend(
    table: pd.DataFrame,
    *,
    hue: str | None = None,
    ax=None,
    benchmark: float | tuple[float, float] | None = None,
    title: str | None = None,
):
    """Metric by period: the estimate as a line, its interval as a band.

    Periods with a small sample are drawn as hollow markers.

    Examples
    --------
    >>> import csat_toolkit as ct
    >>> df = pd.DataFrame({"responded_at": pd.date_range("2024-01-01", periods=90, freq="D"), "score": [5, 4, 2] * 30})
    >>> ax = plot_trend(ct.csat(df, period="M", min_n=10))
    """
    ax = _ax(ax)
    spec = get_metric(table["metric"].iloc[0])
    data = table.copy()
    data["when"] = data["period"].dt.to_timestamp()
    groups = data.groupby(hue, sort=True, dropna=False) if hue else [(None, data)]
    palette = sns.color_palette("deep", n_colors=max(1, data[hue].nunique(dropna=False) if hue else 1))
    for color, (name, part) in zip(palette, groups):
        part = part.sort_values("when")
        label = _names(pd.Series([name]))[0] if hue else None
        ax.fill_between(part["when"], part["ci_low"], part["ci_high"], color=color, alpha=0.2)
        ax.plot(part["when"], part["estimate"], color=color, marker="o", label=label)
        small = part[part["small_n"]]
        ax.scatter(small["when"], small["estimate"], facecolor="white", edgecolor=color, zorder=3)
    ax.set_ylabel(f"{spec.label}\n{_AXIS[spec.statistic]}")
    ax.set_xlabel("period")
    _draw_benchmark(ax, benchmark, "benchmark", vertical=False)
    if hue:
        ax.legend(title=hue, fontsize=8)
    ax.set_title(title or f"{spec.label} by period ({format_level(data['conf'].iloc[0])} CI band)")
    return ax


def plot_distribution(dist: pd.DataFrame, *, ax=None, title: str | None = None):
    """Bar chart of the share of answers at each score, coloured by class.

    Takes :func:`csat_toolkit.metrics.score_distribution` output (no grouping).

    Examples
    --------
    >>> import csat_toolkit as ct
    >>> ax = plot_distribution(ct.score_distribution(pd.DataFrame({"score": [5, 5, 4, 1]}), "csat"))
    """
    ax = _ax(ax)
    data = dist.reset_index(drop=True)
    classes = list(data["class"].cat.categories)
    colors = dict(zip(classes, [PALETTE["bad"], PALETTE["neutral"], PALETTE["good"]][-len(classes):]
                      if len(classes) == 3 else [PALETTE["bad"], PALETTE["good"]]))
    x = np.arange(len(data))
    ax.bar(x, data["pct"], color=[colors.get(c, PALETTE["small"]) for c in data["class"]])
    err = np.vstack([data["pct"] - data["ci_low"], data["ci_high"] - data["pct"]])
    ax.errorbar(x, data["pct"], yerr=err, fmt="none", ecolor=PALETTE["line"], capsize=3)
    ax.set_xticks(x, [f"{s:g}" for s in data["score"]])
    ax.set_xlabel("score")
    ax.set_ylabel("% of answers (Wilson CI)")
    total = int(data["n"].sum())
    ax.set_title(title or f"Score distribution (n={total:,})")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colors[c]) for c in classes]
    ax.legend(handles, classes, fontsize=8, loc="upper left")
    return ax


def plot_nps_breakdown(table: pd.DataFrame, *, x: str | None = None, ax=None, title: str | None = None):
    """Stacked bars of detractors, passives and promoters per group, NPS annotated.

    Examples
    --------
    >>> import csat_toolkit as ct
    >>> t = ct.nps(pd.DataFrame({"region": ["EU"] * 50 + ["US"] * 50, "score": [10, 8, 3, 9, 6] * 20}), by="region")
    >>> ax = plot_nps_breakdown(t)
    """
    ax = _ax(ax)
    key = _label_column(table, x)
    data = table.reset_index(drop=True)
    y = np.arange(len(data))
    left = np.zeros(len(data))
    for column, color, label in (("pct_detractors", PALETTE["bad"], "detractors"),
                                 ("pct_passives", PALETTE["neutral"], "passives"),
                                 ("pct_promoters", PALETTE["good"], "promoters")):
        ax.barh(y, data[column], left=left, color=color, label=label)
        left += data[column].to_numpy()
    for yi, row in data.iterrows():
        ax.text(101, yi, f"NPS {row['estimate']:.0f} [{row['ci_low']:.0f}, {row['ci_high']:.0f}]",
                va="center", fontsize=8)
    ax.set_yticks(y, [f"{v} (n={int(n):,})" for v, n in zip(_names(data[key]), data["n"])])
    ax.invert_yaxis()
    ax.set_xlim(0, 135)
    ax.set_xlabel("% of answers")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(title or f"Promoters, passives and detractors by {key}")
    return ax


def plot_comparison(result: pd.DataFrame, *, key: str | None = None, ax=None, title: str | None = None):
    """Forest plot of differences with intervals; significant ones highlighted.

    Takes :func:`csat_toolkit.comparisons.compare` output.

    Examples
    --------
    >>> import csat_toolkit as ct
    >>> df = pd.DataFrame({"channel": ["a"] * 60 + ["b"] * 60, "score": [5] * 50 + [1] * 10 + [5] * 30 + [1] * 30})
    >>> ax = plot_comparison(ct.compare(df, by="channel"))
    """
    ax = _ax(ax)
    spec = get_metric(result["metric"].iloc[0])
    key = key or result.columns[0]
    data = result.reset_index(drop=True)
    y = np.arange(len(data))
    colors = np.where(data["significant"], np.where(data["difference"] > 0, PALETTE["good"], PALETTE["bad"]),
                      PALETTE["small"])
    ax.hlines(y, data["ci_low"], data["ci_high"], colors=colors, linewidth=3)
    ax.scatter(data["difference"], y, color=colors, zorder=3)
    ax.axvline(0, color=PALETTE["line"], linewidth=1)
    ax.set_yticks(y, [f"{a} vs {b}" for a, b in zip(_names(data[key]), _names(data["reference"]))])
    ax.invert_yaxis()
    unit = "points" if spec.statistic != "mean" else "score units"
    ax.set_xlabel(f"difference in {spec.label} ({unit}), {format_level(data['conf'].iloc[0])} CI")
    ax.set_title(title or f"{spec.label}: differences ({data['correction'].iloc[0]} correction; coloured = significant)")
    return ax
