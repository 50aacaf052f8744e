"""Plots of support operations: SLA, response times, volume, deflection, ops and CSAT.

They take the tables of :mod:`csat_toolkit.ops`, draw every estimate with its interval
and show n, and compute nothing an analysis should. Each returns the ``Axes`` it drew
on. They are also available as ``csat_toolkit.plots.<name>``.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from ..errors import require_columns
from .style import PALETTE, _ax, _names, _outside_legend
from ..core.text import format_level

__all__ = ["plot_sla", "plot_response_times", "plot_volume_heatmap", "plot_weekly_volume",
           "plot_deflection", "plot_ops_satisfaction"]

_METRIC_LABELS = {"first_response": "first response", "resolution": "resolution"}
_METRIC_COLORS = {"first_response": PALETTE["main"], "resolution": PALETTE["neutral"]}


def _need(table: pd.DataFrame, columns: list[str], what: str) -> None:
    require_columns(table, columns, f"{what} needs the column(s) {{missing}}; the table has "
                    "{found}. Pass the table the matching csat_toolkit.ops function returned.")


def _conf(table: pd.DataFrame) -> str:
    return format_level(table["conf"].iloc[0]) if "conf" in table and len(table) else "95%"


def plot_sla(table: pd.DataFrame, *, by: str | None = None, ax=None, title: str | None = None,
             max_groups: int | None = None):
    """Share of decided tickets that met their SLA target, per group and metric, with CIs.

    Parameters
    ----------
    table : DataFrame
        ``SlaResult.table``: ``metric``, ``n``, ``estimate``, ``ci_low``, ``ci_high``,
        ``small_n`` and the group column ``by`` (none: one row per metric).
    by : str, optional
        The group column (``priority``, ``channel``, ``agent``, ``team``).
    max_groups : int, optional
        Draw only the groups with the most decided tickets (the title says how many of
        how many), so a column with thousands of agents gives a readable chart.

    Examples
    --------
    >>> t = pd.DataFrame({"priority": ["high", "low", "high", "low"],
    ...     "metric": ["first_response", "first_response", "resolution", "resolution"],
    ...     "n": [120, 80, 118, 80], "estimate": [91.0, 97.5, 88.0, 99.0],
    ...     "ci_low": [84.6, 91.3, 81.0, 93.2], "ci_high": [94.8, 99.3, 92.7, 99.8],
    ...     "small_n": [False] * 4, "conf": [0.95] * 4})
    >>> ax = plot_sla(t, by="priority")
    """
    _need(table, ["metric", "n", "estimate", "ci_low", "ci_high"], "plot_sla")
    if by is not None:
        _need(table, [by], "plot_sla")
    ax = _ax(ax)
    data = table.reset_index(drop=True)
    total = data[by].nunique(dropna=False) if by else 1
    if by and max_groups is not None and total > max_groups:
        sizes = data.groupby(by, sort=False, dropna=False)["n"].sum()
        keep = sizes.sort_values(ascending=False, kind="stable").index[:max_groups]
        data = data[data[by].isin(keep)].reset_index(drop=True)
        title = title or (f"SLA met by {by}: the {max_groups} of {total:,} with the most "
                          "decided tickets")
    groups = list(dict.fromkeys(_names(data[by]))) if by else ["all tickets"]
    metrics = list(dict.fromkeys(data["metric"]))
    step = 0.8 / max(len(metrics), 1)
    for k, metric in enumerate(metrics):
        part = data[data["metric"] == metric]
        where = [groups.index(g) for g in (_names(part[by]) if by else ["all tickets"] * len(part))]
        y = np.asarray(where, dtype=float) + (k - (len(metrics) - 1) / 2) * step
        color = _METRIC_COLORS.get(metric, PALETTE["line"])
        small = part["small_n"].fillna(False).astype(bool).to_numpy() if "small_n" in part \
            else np.zeros(len(part), dtype=bool)
        ax.hlines(y, part["ci_low"], part["ci_high"], color=color, linewidth=2)
        ax.scatter(part["estimate"], y, color=np.where(small, "white", color), edgecolor=color,
                   zorder=3, label=_METRIC_LABELS.get(metric, str(metric)))
        for yi, high, n in zip(y, part["ci_high"], part["n"]):
            if np.isfinite(high):
                ax.text(high, yi, f"  n={int(n):,}", va="center", fontsize=7, color=PALETTE["line"])
    ax.set_yticks(range(len(groups)), groups)
    ax.invert_yaxis()
    ax.set_xlabel(f"% of decided tickets within target ({_conf(data)} CI; hollow: small n)")
    ax.xaxis.set_major_formatter(mticker.PercentFormatter(decimals=None))
    _outside_legend(ax)
    ax.set_title(title or f"SLA compliance{' by ' + by if by else ''}")
    return ax


def plot_response_times(summary: pd.DataFrame, *, ax=None, title: str | None = None,
                        label: str = "first response"):
    """Shares answered within each time limit with CIs, beside customers' expectations.

    The median and 90th percentile (with their intervals) are written in the title.

    Parameters
    ----------
    summary : DataFrame
        :func:`csat_toolkit.ops.response_time_summary` without ``by``: ``statistic``,
        ``n``, ``estimate``, ``ci_low``, ``ci_high`` and, optionally, ``expectation``.

    Examples
    --------
    >>> t = pd.DataFrame({"statistic": ["median", "p90", "within_1h", "within_24h"],
    ...     "n": [500] * 4, "estimate": [1.1, 24.5, 49.0, 89.8], "ci_low": [1.0, 23.7, 44.6, 86.8],
    ...     "ci_high": [1.2, 25.4, 53.4, 92.2], "conf": [0.95] * 4,
    ...     "expectation": [np.nan, np.nan, 40.0, 79.0]})
    >>> ax = plot_response_times(t)
    """
    _need(summary, ["statistic", "n", "estimate", "ci_low", "ci_high"], "plot_response_times")
    ax = _ax(ax)
    data = summary.reset_index(drop=True)
    shares = data[data["statistic"].astype(str).str.startswith("within_")]
    x = np.arange(len(shares))
    ax.bar(x, shares["estimate"], color=PALETTE["main"], alpha=0.85, width=0.6,
           label="answered within")
    ax.errorbar(x, shares["estimate"], yerr=[shares["estimate"] - shares["ci_low"],
                                            shares["ci_high"] - shares["estimate"]],
                fmt="none", ecolor=PALETTE["line"], capsize=4)
    if "expectation" in shares and shares["expectation"].notna().any():
        ax.hlines(shares["expectation"], x - 0.35, x + 0.35, color=PALETTE["bad"],
                  linestyle="--", linewidth=2, label="customers expecting it (published)")
    for xi, row in zip(x, shares.itertuples()):
        ax.text(xi, 2, f"n={int(row.n):,}", ha="center", fontsize=8, color="white")
    ax.set_xticks(x, [s.replace("within_", "within ") for s in shares["statistic"]])
    ax.set_ylim(0, 105)
    ax.yaxis.set_major_formatter(mticker.PercentFormatter(decimals=0))
    ax.set_ylabel(f"% of answered tickets ({_conf(data)} CI)")
    quantiles = data.set_index("statistic")
    parts = [f"{name} {quantiles.loc[stat, 'estimate']:.2f} h "
             f"({quantiles.loc[stat, 'ci_low']:.2f}-{quantiles.loc[stat, 'ci_high']:.2f})"
             for stat, name in (("median", "median"), ("p90", "90th percentile"))
             if stat in quantiles.index]
    ax.set_title(title or f"How fast: {label}" + (f"\n{'; '.join(parts)}" if parts else ""))
    _outside_legend(ax)
    return ax


def plot_volume_heatmap(heatmap: pd.DataFrame, *, ax=None, title: str | None = None):
    """Mean contacts per day by weekday and hour of the day.

    Parameters
    ----------
    heatmap : DataFrame
        ``VolumeResult.heatmap``: ``weekday``, ``weekday_name``, ``hour``, ``estimate``,
        ``n`` (days of that weekday).

    Examples
    --------
    >>> t = pd.DataFrame({"weekday": [0, 0, 1, 1], "weekday_name": ["Monday", "Monday",
    ...     "Tuesday", "Tuesday"], "hour": [9, 10, 9, 10], "estimate": [3.0, 5.0, 2.0, 4.0],
    ...     "n": [10, 10, 10, 10]})
    >>> ax = plot_volume_heatmap(t)
    """
    _need(heatmap, ["weekday", "weekday_name", "hour", "estimate", "n"], "plot_volume_heatmap")
    ax = _ax(ax)
    names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    grid = heatmap.pivot_table(index="weekday", columns="hour", values="estimate", aggfunc="first")
    grid = grid.reindex(index=range(7), columns=range(24))
    days = heatmap.groupby("weekday")["n"].max().reindex(range(7))
    image = ax.imshow(grid.to_numpy(float), aspect="auto", cmap="Blues")
    ax.set_yticks(range(7), [f"{names[d][:3]} (n={int(days[d]) if pd.notna(days[d]) else 0})"
                             for d in range(7)])
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
    ax.set_xlabel("hour of the day (local time)")
    ax.grid(False)
    plt.colorbar(image, ax=ax, label="mean contacts per day")
    ax.set_title(title or "When contacts arrive (n = days of each weekday)")
    return ax


def plot_weekly_volume(weekly: pd.DataFrame, forecast: pd.DataFrame | None = None, *, ax=None,
                       title: str | None = None):
    """Contacts per week with the forecast and its prediction band.

    Parameters
    ----------
    weekly : DataFrame
        ``VolumeResult.weekly``: ``period`` (``YYYY-MM-DD/YYYY-MM-DD`` weeks), ``contacts``,
        ``partial`` (weeks cut by the data's range, drawn hollow).
    forecast : DataFrame, optional
        ``VolumeResult.forecast``: ``period``, ``forecast``, ``pi_low``, ``pi_high``, ``conf``.

    Examples
    --------
    >>> weekly = pd.DataFrame({"period": ["2024-03-04/2024-03-10", "2024-03-11/2024-03-17"],
    ...                        "contacts": [350, 372], "partial": [False, False]})
    >>> fc = pd.DataFrame({"period": ["2024-03-18/2024-03-24"], "forecast": [380.0],
    ...                    "pi_low": [330.0], "pi_high": [430.0], "conf": [0.95]})
    >>> ax = plot_weekly_volume(weekly, fc)
    """
    _need(weekly, ["period", "contacts", "partial"], "plot_weekly_volume")
    ax = _ax(ax)
    start = lambda p: pd.to_datetime(pd.Series(p, dtype=str).str.split("/").str[0])  # noqa: E731
    when = start(weekly["period"])
    partial = weekly["partial"].fillna(False).astype(bool).to_numpy()
    ax.plot(when, weekly["contacts"], color=PALETTE["main"], linewidth=1.5, label="contacts per week")
    ax.scatter(when[partial], weekly["contacts"][partial], facecolor="white",
               edgecolor=PALETTE["main"], zorder=3, label="partial week")
    if forecast is not None and len(forecast):
        _need(forecast, ["period", "forecast", "pi_low", "pi_high"], "plot_weekly_volume")
        ahead = start(forecast["period"])
        ax.plot(ahead, forecast["forecast"], color=PALETTE["bad"], linestyle="--", label="forecast")
        ax.fill_between(ahead, forecast["pi_low"], forecast["pi_high"], color=PALETTE["bad"],
                        alpha=0.15, label=f"{_conf(forecast)} prediction interval")
    ax.set_ylabel("contacts per week")
    ax.set_ylim(bottom=0)
    _outside_legend(ax)
    ax.set_title(title or f"Weekly volume and forecast (n={len(weekly):,} weeks)")
    return ax


def plot_deflection(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Self-service share of contacts per period with CIs, and the deflection ratio.

    Parameters
    ----------
    table : DataFrame
        ``DeflectionResult.table``: ``period``, ``n``, ``estimate``, ``ci_low``,
        ``ci_high``, ``deflection_ratio``.

    Examples
    --------
    >>> t = pd.DataFrame({"period": ["2024-01", "2024-02"], "n": [1000, 1100],
    ...     "estimate": [70.0, 72.0], "ci_low": [67.1, 69.3], "ci_high": [72.8, 74.6],
    ...     "deflection_ratio": [2.33, 2.57], "conf": [0.95, 0.95]})
    >>> ax = plot_deflection(t)
    """
    _need(table, ["period", "n", "estimate", "ci_low", "ci_high", "deflection_ratio"],
          "plot_deflection")
    ax = _ax(ax)
    x = np.arange(len(table))
    ax.fill_between(x, table["ci_low"], table["ci_high"], color=PALETTE["good"], alpha=0.2,
                    label=f"{_conf(table)} CI")
    ax.plot(x, table["estimate"], color=PALETTE["good"], marker="o", markersize=3,
            label="self-service share")
    ax.yaxis.set_major_formatter(mticker.PercentFormatter(decimals=0))
    ax.set_ylabel("% of all contacts that were self-service")
    step = max(1, len(table) // 8)
    ax.set_xticks(x[::step], [str(p) for p in table["period"]][::step])
    right = ax.twinx()
    right.plot(x, table["deflection_ratio"], color=PALETTE["line"], linestyle=":",
               label="self-service per assisted contact")
    right.set_ylabel("deflection ratio")
    right.grid(False)
    handles, labels = ax.get_legend_handles_labels()
    more, more_labels = right.get_legend_handles_labels()
    _outside_legend(right, handles + more, labels + more_labels)
    ax.set_title(title or f"Deflection over time (n={int(table['n'].sum()):,} contacts)")
    return ax


def plot_ops_satisfaction(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Forest of satisfaction differences (group minus reference, points) with CIs.

    Significant differences (after the correction) are coloured, others grey.

    Parameters
    ----------
    table : DataFrame
        :func:`csat_toolkit.ops.ops_satisfaction`: ``comparison``, ``group``,
        ``reference``, ``n``, ``ref_n``, ``difference``, ``ci_low``, ``ci_high``,
        ``significant``.

    Examples
    --------
    >>> t = pd.DataFrame({"comparison": ["first-response SLA", "first-contact resolution"],
    ...     "group": ["met", "FCR"], "reference": ["breached", "not FCR"], "n": [900, 600],
    ...     "ref_n": [60, 400], "difference": [18.5, 12.5], "ci_low": [14.5, 11.0],
    ...     "ci_high": [22.5, 14.0], "significant": [True, True], "conf": [0.95, 0.95]})
    >>> ax = plot_ops_satisfaction(t)
    """
    _need(table, ["comparison", "group", "reference", "n", "ref_n", "difference", "ci_low",
                  "ci_high", "significant"], "plot_ops_satisfaction")
    ax = _ax(ax)
    data = table.reset_index(drop=True)
    y = np.arange(len(data))
    significant = data["significant"].fillna(False).astype(bool).to_numpy()
    colors = np.where(significant, np.where(data["difference"] > 0, PALETTE["good"],
                                            PALETTE["bad"]), PALETTE["small"])
    ax.hlines(y, data["ci_low"], data["ci_high"], color=colors, linewidth=2)
    ax.scatter(data["difference"], y, color=colors, zorder=3)
    ax.axvline(0, color=PALETTE["line"], linewidth=1)
    labels = [f"{r.comparison}: {r.group} vs {r.reference}\n(n={int(r.n):,} vs {int(r.ref_n):,})"
              for r in data.itertuples()]
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"difference in % satisfied, points ({_conf(data)} CI; grey: not significant)")
    ax.set_title(title or "Satisfaction by operational condition")
    return ax
