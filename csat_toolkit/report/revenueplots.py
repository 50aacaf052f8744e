"""Plots of the NPS-to-revenue analysis: outcomes by category, retention, link, transitions.

They take the tables of :mod:`csat_toolkit.revenue` and :mod:`csat_toolkit.survival`,
draw every estimate with its interval and show n, and compute nothing an analysis
should (the fit line of :func:`plot_nps_growth` is the regression's own slope). Each
returns the ``Axes`` it drew on. They are also available as
``csat_toolkit.plots.<name>``.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ..errors import require_columns
from .style import PALETTE, _ax, _outside_legend
from ..core.text import format_level

__all__ = ["plot_revenue_by_category", "plot_revenue_outcomes", "plot_retention",
           "plot_nps_growth", "plot_revenue_transitions"]

_ORDER_COLORS = [PALETTE["bad"], PALETTE["neutral"], PALETTE["good"]]

_OUTCOME_LABELS = {
    "growth": "revenue growth after the answer (% log points)",
    "retained": "% still paying at the end of the window",
    "expanded": "% expanding (growth above the threshold)",
    "contracted": "% contracting (growth below minus the threshold)",
}


def _need(table: pd.DataFrame, columns: list[str], what: str) -> None:
    require_columns(table, columns, f"{what} needs the column(s) {{missing}}; the table has "
                    "{found}. Pass the table the matching csat_toolkit function returned.")


def _category_colors(levels) -> dict:
    """Worst red, middle amber, best green (two levels: red and green); others blue."""
    levels = [str(v) for v in levels]
    if len(levels) == 2:
        return dict(zip(levels, [_ORDER_COLORS[0], _ORDER_COLORS[2]]))
    if len(levels) == 3:
        return dict(zip(levels, _ORDER_COLORS))
    return {v: PALETTE["main"] for v in levels}


def _levels(values: pd.Series) -> list:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return [c for c in values.cat.categories if (values == c).any()]
    return list(dict.fromkeys(values.dropna().tolist()))


def plot_revenue_by_category(table: pd.DataFrame, outcome: str | None = None, *,
                             by: str = "category", label: str | None = None, ax=None,
                             title: str | None = None):
    """One outcome (growth, retention ...) per category: estimate, interval and n.

    Takes :func:`csat_toolkit.revenue.revenue_by_category` output. Hollow markers are
    categories below ``min_n`` (``small_n``).

    Parameters
    ----------
    table : DataFrame
        ``by``, ``outcome``, ``kind``, ``n``, ``estimate``, ``ci_low``, ``ci_high``.
    outcome : str, optional
        Which outcome to draw (default the first in the table).
    label : str, optional
        Axis label of the outcome.

    Examples
    --------
    >>> t = pd.DataFrame({"category": ["detractor", "passive", "promoter"],
    ...     "outcome": "growth", "kind": "mean", "n": [60, 80, 120],
    ...     "estimate": [-2.0, 2.0, 6.0], "ci_low": [-4.0, 0.5, 4.8],
    ...     "ci_high": [0.0, 3.5, 7.2], "conf": 0.95, "small_n": False})
    >>> ax = plot_revenue_by_category(t)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['detractor\\nn=60', 'passive\\nn=80', 'promoter\\nn=120']
    >>> plt.close("all")
    """
    _need(table, [by, "outcome", "n", "estimate", "ci_low", "ci_high"],
          "plot_revenue_by_category")
    outcome = outcome or table["outcome"].iloc[0]
    part = table[table["outcome"] == outcome].reset_index(drop=True)
    ax = _ax(ax)
    colors = _category_colors(part[by].astype(str))
    for x, row in part.iterrows():
        color = colors.get(str(row[by]), PALETTE["main"])
        small = bool(row.get("small_n", False))
        if np.isfinite(row["estimate"]):
            ax.errorbar(x, row["estimate"],
                        yerr=[[max(row["estimate"] - row["ci_low"], 0)],
                              [max(row["ci_high"] - row["estimate"], 0)]],
                        fmt="o", color=color, markersize=9, capsize=6, linewidth=2,
                        markerfacecolor="white" if small else color)
            ax.annotate(f"{row['estimate']:.1f}", (x, row["estimate"]), xytext=(10, 0),
                        textcoords="offset points", va="center", fontsize=9,
                        color=PALETTE["line"])
    ax.axhline(0, color=PALETTE["line"], linewidth=0.8)
    ax.set_xticks(range(len(part)), [f"{c}\nn={int(n):,}" for c, n in zip(part[by], part["n"])])
    ax.set_xlim(-0.6, len(part) - 0.4)
    conf = format_level(part["conf"].iloc[0]) if "conf" in part and len(part) else "95%"
    ax.set_ylabel(f"{label or _OUTCOME_LABELS.get(outcome, outcome)}\n{conf} CI")
    ax.set_title(title or str(outcome).replace("_", " ").capitalize() + " by category")
    return ax


def plot_revenue_outcomes(table: pd.DataFrame, *, by: str = "category", width: float = 4.2):
    """Every outcome of a :func:`csat_toolkit.revenue.revenue_by_category` table, side by side.

    One panel per outcome (in the table's order), each drawn by
    :func:`plot_revenue_by_category`. Returns the Figure.

    Examples
    --------
    >>> t = pd.DataFrame({"category": ["detractor", "promoter"] * 2,
    ...     "outcome": ["growth"] * 2 + ["retained"] * 2, "kind": ["mean"] * 2 + ["share"] * 2,
    ...     "n": [60, 120] * 2, "estimate": [-2.0, 6.0, 80.0, 90.0],
    ...     "ci_low": [-4.0, 4.8, 70.0, 85.0], "ci_high": [0.0, 7.2, 88.0, 94.0]})
    >>> fig = plot_revenue_outcomes(t)
    >>> [ax.get_title() for ax in fig.axes]
    ['Growth by category', 'Retained by category']
    >>> plt.close("all")
    """
    _need(table, [by, "outcome"], "plot_revenue_outcomes")
    shown = list(dict.fromkeys(table["outcome"]))
    fig, axes = plt.subplots(1, len(shown), figsize=(width * len(shown), 4), squeeze=False)
    for outcome, ax in zip(shown, axes[0]):
        plot_revenue_by_category(table, outcome, by=by, ax=ax)
    fig.tight_layout()
    return fig


def plot_retention(curves: pd.DataFrame, *, at: float | None = None, unit: str = "months",
                   ax=None, title: str | None = None):
    """Kaplan-Meier retention curves per group with their pointwise interval bands.

    Takes :func:`csat_toolkit.survival.retention_curves` output (every distinct time)
    or ``ChurnResult.curves``. Each curve starts at 100% at time 0 and steps down at
    churn times; the legend gives each group's n. ``at`` draws a dotted line at the
    horizon read out below the plot.

    Examples
    --------
    >>> curves = pd.DataFrame({"group": ["a", "a", "b"], "time": [1.0, 3.0, 2.0],
    ...     "at_risk": [10, 8, 10], "events": [2, 1, 1], "censored": [0, 7, 9],
    ...     "estimate": [80.0, 70.0, 90.0], "ci_low": [50.0, 40.0, 60.0],
    ...     "ci_high": [95.0, 90.0, 99.0], "conf": 0.95, "n": [10, 10, 10]})
    >>> ax = plot_retention(curves)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['a (n=10)', 'b (n=10)']
    >>> plt.close("all")
    """
    _need(curves, ["group", "time", "estimate", "ci_low", "ci_high", "n"], "plot_retention")
    ax = _ax(ax)
    levels = _levels(curves["group"])
    colors = _category_colors(levels)
    for level in levels:
        part = curves[curves["group"] == level].sort_values("time", kind="stable")
        time = np.concatenate([[0.0], part["time"].to_numpy(dtype=float)])
        est = np.concatenate([[100.0], part["estimate"].to_numpy(dtype=float)])
        low = np.concatenate([[100.0], part["ci_low"].to_numpy(dtype=float)])
        high = np.concatenate([[100.0], part["ci_high"].to_numpy(dtype=float)])
        color = colors.get(str(level), PALETTE["main"])
        ax.step(time, est, where="post", color=color, linewidth=2,
                label=f"{level} (n={int(part['n'].iloc[0]):,})")
        ax.fill_between(time, low, high, step="post", color=color, alpha=0.15, linewidth=0)
    if at is not None:
        ax.axvline(at, color=PALETTE["line"], linestyle=":", linewidth=1)
    conf = format_level(curves["conf"].iloc[0]) if "conf" in curves and len(curves) else "95%"
    ax.set_xlabel(f"{unit} since the answer" if unit == "months" else unit)
    ax.set_ylabel(f"% still customers (Kaplan-Meier), {conf} band")
    ax.set_xlim(left=0)
    _outside_legend(ax)
    ax.set_title(title or "Retention by category")
    return ax


def plot_nps_growth(panel: pd.DataFrame, regression: pd.Series | None = None, *,
                    x: str = "nps", y: str = "growth", ax=None, title: str | None = None):
    """Segment-periods: NPS against revenue growth, with the regression's slope and band.

    Takes ``LinkResult.panel`` and one row of ``LinkResult.regression`` (lag 0: the
    growth of the same period). Point sizes show the answers behind each NPS; hollow
    points have ``n`` below 30. The line is drawn through the means with the
    regression's slope (``estimate`` per 10 NPS points); the band spans the slope's
    interval around the means (fixed effects are not drawn, so points scatter more
    than the slope's precision suggests).

    Examples
    --------
    >>> panel = pd.DataFrame({"nps": [10.0, 20.0, 30.0, 40.0], "growth": [1.0, 2.5, 2.0, 4.0],
    ...                       "n": [40, 50, 20, 60], "segment_label": list("abab")})
    >>> row = pd.Series({"lag": 0, "estimate": 0.8, "ci_low": 0.2, "ci_high": 1.4, "conf": 0.95,
    ...                  "n": 4})
    >>> ax = plot_nps_growth(panel, row)
    >>> ax.lines[0].get_label()
    'fit: +0.80% per +10 NPS'
    >>> plt.close("all")
    """
    _need(panel, [x, y, "n"], "plot_nps_growth")
    ax = _ax(ax)
    data = panel.dropna(subset=[x, y])
    sizes = 15 + 85 * np.sqrt(data["n"] / max(float(data["n"].max()), 1.0))
    small = data["n"] < 30
    ax.scatter(data.loc[~small, x], data.loc[~small, y], s=sizes[~small], color=PALETTE["main"],
               alpha=0.6, label="segment-period (size: answers)")
    if small.any():
        ax.scatter(data.loc[small, x], data.loc[small, y], s=sizes[small], facecolors="none",
                   edgecolors=PALETTE["small"], label="fewer than 30 answers")
    if regression is not None and np.isfinite(regression.get("estimate", np.nan)) and len(data):
        grid = np.linspace(data[x].min(), data[x].max(), 50)
        mx, my = data[x].mean(), data[y].mean()
        line = my + regression["estimate"] / 10 * (grid - mx)
        lows = my + np.vstack([regression["ci_low"] / 10 * (grid - mx),
                               regression["ci_high"] / 10 * (grid - mx)])
        conf = format_level(regression.get("conf", 0.95))
        ax.plot(grid, line, color=PALETTE["bad"], linewidth=2,
                label=f"fit: {regression['estimate']:+.2f}% per +10 NPS")
        ax.fill_between(grid, lows.min(axis=0), lows.max(axis=0), color=PALETTE["bad"],
                        alpha=0.15, label=f"{conf} CI of the slope")
    ax.axhline(0, color=PALETTE["line"], linewidth=0.8)
    ax.set_xlabel("NPS of the segment in the period")
    ax.set_ylabel("revenue growth against the previous period\n(% log points)")
    _outside_legend(ax)
    ax.set_title(title or f"NPS and revenue growth ({len(data):,} segment-periods)")
    return ax


def plot_revenue_transitions(result, *, ax=None, title: str | None = None):
    """Heatmap of category transitions (row shares) with counts and revenue growth.

    Takes :func:`csat_toolkit.revenue.category_transitions` output. Rows: the category
    at the earlier answer (with its n); columns: the next answer's category. Each cell
    reads "share% (count)" and, with revenue, the mean monthly growth between the two
    answers with its interval.

    Examples
    --------
    >>> import csat_toolkit as ct
    >>> answers = pd.DataFrame({"customer_id": ["a", "a", "b", "b"],
    ...     "responded_at": ["2024-03-10", "2024-06-10"] * 2, "score": [3, 9, 10, 10]})
    >>> ax = plot_revenue_transitions(ct.revenue.category_transitions(answers, min_n=1))
    >>> sorted(t.get_text() for t in ax.texts if "%" in t.get_text())[-1]
    '100% (1)'
    >>> plt.close("all")
    """
    ax = _ax(ax)
    counts, shares = result.counts, result.shares
    table = result.table
    growth = {}
    if "growth" in table.columns:
        for a, b, g, lo, hi in zip(table["from"], table["to"], table["growth"],
                                   table["growth_ci_low"], table["growth_ci_high"]):
            if np.isfinite(g):
                growth[(str(a), str(b))] = (g, lo, hi)
    labels = []
    for r, (share_row, count_row) in enumerate(zip(shares.to_numpy(dtype=float),
                                                   counts.to_numpy())):
        cells = []
        for c, (s, n) in enumerate(zip(share_row, count_row)):
            text = f"{s:.0f}% ({int(n):,})" if np.isfinite(s) else f"({int(n):,})"
            key = (str(counts.index[r]), str(counts.columns[c]))
            if key in growth:
                g, lo, hi = growth[key]
                text += f"\n{g:+.2f}%/mo" + (f" [{lo:+.2f}, {hi:+.2f}]" if np.isfinite(lo) else "")
            cells.append(text)
        labels.append(cells)
    sns.heatmap(shares.astype(float), annot=np.array(labels), fmt="", cmap="Blues", vmin=0,
                vmax=100, linewidths=1, linecolor="white", ax=ax, annot_kws={"fontsize": 8},
                cbar_kws={"label": "% of the row (earlier answer)"})
    totals = counts.sum(axis=1)
    ax.set_yticks(np.arange(len(counts.index)) + 0.5,
                  [f"{i} (n={int(totals[i]):,})" for i in counts.index], rotation=0)
    ax.set_xticks(np.arange(len(counts.columns)) + 0.5, [str(c) for c in counts.columns],
                  rotation=0)
    ax.set_ylabel("category at the earlier answer")
    ax.set_xlabel("category at the next answer" + ("; revenue growth per month between them"
                                                   if growth else ""))
    n = int(counts.to_numpy().sum())
    ax.set_title(title or f"How customers moved between answers (n={n:,} pairs)")
    return ax
