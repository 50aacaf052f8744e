"""Plots of the comments report: each topic's score against the rest, and topics over time.

They take the tables of :mod:`csat_toolkit.comments` (``TopicSummary.table``,
:func:`~csat_toolkit.comments.topic_trend`), draw every estimate with its interval and
compute nothing an analysis should. Labels are the topics' labels of the dictionary (the
words of the comments, in six scripts, are shown in tables, never drawn).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..core.metrics import get_metric
from ..core.text import format_level
from ..errors import require_columns
from .style import PALETTE, SERIES, _outside_legend

__all__ = ["plot_topic_scores", "plot_topic_trend"]


def _need(table: pd.DataFrame, columns: list[str], what: str) -> None:
    require_columns(table, columns, f"{what} needs the column(s) {{missing}}; the table has "
                    "{found}. Pass the table the csat_toolkit.comments function returned.")


def plot_topic_scores(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """Each topic's score among the comments that mention it (point and interval), with
    the score of the other comments as a hollow mark; significant gaps in colour.

    Parameters
    ----------
    table : DataFrame
        ``TopicSummary.table``: ``label``, ``metric``, ``n``, ``estimate``, ``ci_low``,
        ``ci_high``, ``ref_estimate``, ``significant``, ``difference``, ``conf``.

    Examples
    --------
    >>> t = pd.DataFrame({"label": ["Refunds", "Agent"], "metric": "csat", "n": [50, 80],
    ...     "estimate": [20.0, 85.0], "ci_low": [11.0, 76.0], "ci_high": [33.0, 91.0],
    ...     "ref_estimate": [70.0, 55.0], "significant": [True, True],
    ...     "difference": [-50.0, 30.0], "conf": 0.95})
    >>> ax = plot_topic_scores(t)
    """
    _need(table, ["label", "metric", "n", "estimate", "ci_low", "ci_high", "ref_estimate",
                  "significant", "difference", "conf"], "plot_topic_scores")
    data = table.sort_values("difference", kind="mergesort").reset_index(drop=True)
    if ax is None:
        ax = plt.subplots(figsize=(8, 1.2 + 0.4 * max(len(data), 1)))[1]
    spec = get_metric(data["metric"].iloc[0])
    y = np.arange(len(data))
    colors = [(PALETTE["good"] if d > 0 else PALETTE["bad"]) if s else PALETTE["small"]
              for s, d in zip(data["significant"].astype(bool), data["difference"])]
    ax.hlines(y, data["ci_low"], data["ci_high"], colors=colors, linewidth=3, alpha=0.8)
    ax.scatter(data["estimate"], y, color=colors, zorder=3, s=40, label="mentions the topic")
    ax.scatter(data["ref_estimate"], y, facecolors="none", edgecolors=PALETTE["line"],
               zorder=3, s=40, label="other comments")
    ax.set_yticks(y, [f"{label}  (n={int(n):,})" for label, n in zip(data["label"], data["n"])])
    ax.invert_yaxis()
    ax.set_xlabel(f"{spec.label} of the comments, {format_level(data['conf'].iloc[0])} CI")
    ax.set_title(title or f"{spec.label} when a topic is mentioned")
    _outside_legend(ax)
    return ax


def plot_topic_trend(trend: pd.DataFrame, *, labels: dict | None = None, topics=None,
                     ax=None, title: str | None = None):
    """Share of comments mentioning each topic per period, with Wilson bands.

    Parameters
    ----------
    trend : DataFrame
        :func:`~csat_toolkit.comments.topic_trend`: ``period``, ``topic``, ``share``,
        ``share_ci_low``, ``share_ci_high``.
    labels : dict, optional
        Topic -> readable label.
    topics : list, optional
        The topics drawn, in order (default: every topic of the table).

    Examples
    --------
    >>> t = pd.DataFrame({"period": ["2024-01", "2024-02"] * 2, "topic": ["a", "a", "b", "b"],
    ...     "share": [10.0, 12.0, 5.0, 4.0], "share_ci_low": [8.0, 9.0, 3.0, 2.0],
    ...     "share_ci_high": [12.0, 15.0, 7.0, 6.0]})
    >>> ax = plot_topic_trend(t)
    """
    _need(trend, ["period", "topic", "share", "share_ci_low", "share_ci_high"],
          "plot_topic_trend")
    if ax is None:
        ax = plt.subplots(figsize=(9, 4))[1]
    wanted = list(topics) if topics is not None else list(dict.fromkeys(trend["topic"]))
    # In time order, whatever the rows' order (a topic may lack a period the others have).
    periods = pd.Series(pd.unique(trend["period"])).sort_values(kind="mergesort")
    periods = periods.astype(str).tolist()
    x = np.arange(len(periods))
    for color, topic in zip(SERIES * (len(wanted) // len(SERIES) + 1), wanted):
        part = trend[trend["topic"] == topic].assign(period=lambda f: f["period"].astype(str))
        part = part.set_index("period").reindex(periods)
        ax.fill_between(x, part["share_ci_low"], part["share_ci_high"], color=color, alpha=0.15)
        ax.plot(x, part["share"], color=color, marker="o", markersize=3,
                label=(labels or {}).get(topic, str(topic)))
    step = max(1, len(periods) // 8)
    ax.set_xticks(x[::step], periods[::step])
    ax.set_ylabel("% of comments mentioning it")
    ax.set_ylim(bottom=0)
    ax.set_title(title or "Topics over time")
    _outside_legend(ax)
    return ax
