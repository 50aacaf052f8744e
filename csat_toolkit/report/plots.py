"""Seaborn plots of result tables: intervals wherever an estimate is, n visible.

Plots take the tidy tables of :mod:`csat_toolkit.metrics`,
:mod:`csat_toolkit.comparisons`, :mod:`csat_toolkit.trends`,
:mod:`csat_toolkit.forecast` and :mod:`csat_toolkit.waves`; they compute nothing an
analysis should. Each returns the matplotlib ``Axes`` it drew on (the multi-panel
ones, :func:`plot_decomposition` and :func:`plot_small_multiples`, the ``Figure``).

Conventions of the time plots: periods are drawn at their first day; a period without
answers is a gap in the line (never bridged) marked with an ``x`` on the x axis;
hollow markers are periods below ``min_n``; a light grey strip along the bottom
(right-hand axis) shows the answers per period.
"""
from __future__ import annotations

import math
import textwrap
from datetime import timedelta

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..errors import ParameterError, require_columns
from .style import PALETTE, SERIES, _ax, _names, _outside_legend, use_style
from ..core.metrics import get_metric
from .headline import MAX_SHOWN, choose_levels
from ..core.stats import z_value
from ..core.text import format_level, format_value

__all__ = [
    "use_style",
    "plot_estimates",
    "plot_trend",
    "plot_distribution",
    "plot_nps_breakdown",
    "plot_comparison",
    "plot_control_chart",
    "plot_changes",
    "plot_decomposition",
    "plot_forecast",
    "plot_transitions",
    "plot_small_multiples",
    "plot_mix_shift",
]

_AXIS = {"share": "% of answers", "nps": "points, -100 to 100", "mean": "mean score"}


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
    max_levels: int = MAX_SHOWN,
):
    """Horizontal point-and-interval plot of one metric across groups.

    Groups below ``min_n`` (``small_n``) are drawn in grey; each label shows n. At most
    ``max_levels`` groups are drawn (the significant ones, when the table says, then the
    largest by n: :func:`csat_toolkit.report.choose_levels`); the chart says how many
    more there are. Without ``ax`` the figure's height follows the groups drawn, so it
    stays readable whatever the number of levels.

    Examples
    --------
    >>> import csat_toolkit as ct
    >>> t = ct.csat(pd.DataFrame({"channel": ["a"] * 40 + ["b"] * 10, "score": [5, 3] * 25}), by="channel")
    >>> ax = plot_estimates(t)
    """
    choice = choose_levels(table, limit=max_levels, what="levels", where="the table")
    data = choice.table.reset_index(drop=True)
    if ax is None:
        ax = plt.subplots(figsize=(8, _rows_height(len(data))))[1]
    spec = get_metric(table["metric"].iloc[0])
    key = _label_column(table, x)
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
    if choice.omitted:
        _not_shown(ax, choice.omitted)
    ax.set_title(title or f"{spec.label} by {key}")
    return ax


def _rows_height(rows: int) -> float:
    """Height in inches of a chart with one row per level (bounded by the level cap)."""
    return 1.2 + 0.35 * max(rows, 1)


def _not_shown(ax, omitted: int) -> None:
    ax.text(1.02, 0.5, f"{omitted:,} more levels\nnot shown",
            transform=ax.transAxes, ha="left", va="top", fontsize=8, color=PALETTE["line"])


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

    Periods with a small sample are drawn as hollow markers. Periods without answers
    (``n == 0``, or missing from the table) are gaps, never bridged, and marked with an
    ``x`` on the x axis. A table of :func:`csat_toolkit.trends.period_series` with
    ``window=`` also gets its pooled rolling estimate as a dashed line with a lighter
    band.

    Examples
    --------
    >>> import csat_toolkit as ct
    >>> df = pd.DataFrame({"responded_at": pd.date_range("2024-01-01", periods=90, freq="D"), "score": [5, 4, 2] * 30})
    >>> ax = plot_trend(ct.csat(df, period="M", min_n=10))
    >>> ax = plot_trend(ct.trends.period_series(df, "csat", window=2, min_n=10))
    """
    ax = _ax(ax)
    spec = get_metric(table["metric"].iloc[0])
    data = table.copy()
    calendar = _calendar(data["period"])
    groups = data.groupby(hue, sort=True, dropna=False) if hue else [(None, data)]
    levels = max(1, data[hue].nunique(dropna=False) if hue else 1)
    palette = [SERIES[i % len(SERIES)] for i in range(levels)]  # Okabe-Ito, in order
    rolling = "rolling_estimate" in data.columns
    rolling_label = f"rolling {_window(data)}-period (pooled)"
    any_empty = False
    for color, (name, part) in zip(palette, groups):
        part = _on_calendar(part, calendar)
        label = _names(pd.Series([name]))[0] if hue else ("per period" if rolling else None)
        ax.fill_between(part["when"], part["ci_low"], part["ci_high"], color=color, alpha=0.2)
        ax.plot(part["when"], part["estimate"], color=color, marker="o", label=label)
        small = part[part["small_n"].eq(True) & ~part["empty"]]
        ax.scatter(small["when"], small["estimate"], facecolor="white", edgecolor=color, zorder=3)
        if rolling:
            ax.fill_between(part["when"], part["rolling_ci_low"], part["rolling_ci_high"],
                            color=color, alpha=0.08)
            ax.plot(part["when"], part["rolling_estimate"], color=color, linestyle="--",
                    linewidth=1.6, label=None if hue else rolling_label)
        if part["empty"].any():
            _mark_empty(ax, part.loc[part["empty"], "when"], color=color,
                        label=None if hue or any_empty else "no answers")
            any_empty = True
    ax.set_ylabel(f"{spec.label}\n{_AXIS[spec.statistic]}")
    ax.set_xlabel("period")
    _draw_benchmark(ax, benchmark, "benchmark", vertical=False)
    if hue or rolling or any_empty:
        handles, labels = ax.get_legend_handles_labels()
        if hue and rolling:
            handles.append(Line2D([], [], color=PALETTE["line"], linestyle="--"))
            labels.append(rolling_label)
        if hue and any_empty:
            handles.append(Line2D([], [], color=PALETTE["line"], marker="x", linestyle="none"))
            labels.append("no answers")
        ax.legend(handles, labels, title=hue, fontsize=8)
    _date_axis(ax)
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


# --- time-plot helpers ----------------------------------------------------------------

_RULE_TEXT = {"1": "beyond a control limit", "2": "2 of 3 beyond 2σ, same side",
              "3": "4 of 5 beyond 1σ, same side", "4": "8 in a row on one side"}
_KIND_TEXT = {"pop": "on the previous period", "yoy": "on the same period a year before"}
_STATUS_COLOR = {"on track": PALETTE["good"], "at risk": PALETTE["neutral"],
                 "off track": PALETTE["bad"]}
_FORECAST = PALETTE["extra"]


def _as_periods(values: pd.Series) -> pd.Series:
    """A period column (Period dtype, or labels such as '2024-03') as Periods."""
    if isinstance(values.dtype, pd.PeriodDtype):
        return values
    try:
        return pd.Series(pd.PeriodIndex([pd.Period(str(v)) for v in values]), index=values.index)
    except (ValueError, TypeError):
        raise ParameterError(
            "The 'period' column must hold calendar periods such as '2024-03'; found "
            f"{list(values[:3])}. Pass the table the analysis returned."
        ) from None


def _timestamps(values: pd.Series) -> pd.Series:
    """Each period drawn at its first day."""
    return _as_periods(values).dt.to_timestamp()


def _calendar(values: pd.Series) -> pd.PeriodIndex:
    periods = _as_periods(values)
    return pd.period_range(periods.min(), periods.max(), freq=periods.dtype.freq)


def _on_calendar(part: pd.DataFrame, calendar: pd.PeriodIndex) -> pd.DataFrame:
    """One row per calendar period (absent ones added), with ``when`` and ``empty``."""
    part = part.assign(period=_as_periods(part["period"]))
    full = pd.DataFrame({"period": calendar}).merge(part, on="period", how="left")
    full["when"] = full["period"].dt.to_timestamp()
    full["empty"] = full["n"].isna() | full["n"].eq(0)
    return full


def _window(data: pd.DataFrame) -> str:
    if "rolling_window" in data and data["rolling_window"].notna().any():
        return f"{int(data['rolling_window'].dropna().iloc[0])}"
    return "k"


def _bar_width(values: pd.Series, fraction: float = 0.7) -> timedelta:
    """A bar width of ``fraction`` of one period, for bars drawn on a date axis."""
    first = _as_periods(values).iloc[0]
    return (first.end_time - first.start_time).to_pytimedelta() * fraction


def _date_axis(ax, *, maxticks: int = 8) -> None:
    """Compact date ticks ("2024", "Apr", "Jul" ...) on a time axis."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=maxticks)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _period_edges(when: pd.Series, width: timedelta) -> np.ndarray:
    """Edges of the period slots around each drawn point (midway between neighbours)."""
    t = pd.to_datetime(when).to_numpy()
    if len(t) == 1:
        half = np.timedelta64(width) / 2
        return np.array([t[0] - half, t[0] + half])
    mids = t[:-1] + (t[1:] - t[:-1]) / 2
    return np.concatenate([[t[0] - (mids[0] - t[0])], mids, [t[-1] + (t[-1] - mids[-1])]])


def _mark_empty(ax, when: pd.Series, *, color: str = PALETTE["line"], label: str | None = "no answers"):
    """An ``x`` on the x axis at each period without answers (kept inside the x range)."""
    ax.scatter(when, np.zeros(len(when)), marker="x", s=36, color=color, linewidth=1.5,
               transform=ax.get_xaxis_transform(), clip_on=False, zorder=6, label=label)
    x = mdates.date2num(pd.to_datetime(when))
    ax.update_datalim(np.column_stack([x, np.zeros(len(x))]), updatey=False)
    ax.autoscale_view(scaley=False)


def _n_strip(ax, when: pd.Series, n, width: timedelta):
    """Answers per period as light bars along the bottom, on a right-hand axis.

    The main axes' y range is extended downwards so that the bars never cover data.
    """
    counts = pd.Series(n, dtype=float).fillna(0).to_numpy()
    low, high = ax.get_ylim()
    ticks = [t for t in ax.get_yticks() if low <= t <= high]
    ax.set_ylim(low - 0.3 * (high - low), high)
    ax.set_yticks(ticks)
    twin = ax.twinx()
    twin.bar(when, counts, width=width, color=PALETTE["small"], alpha=0.5, linewidth=0)
    top = max(float(counts.max()), 1.0)
    twin.set_ylim(0, top / 0.2)
    twin.set_yticks([0, top], ["0", f"{top:,.0f}"])
    twin.tick_params(axis="y", labelsize=7, colors=PALETTE["line"], length=2, pad=1)
    twin.grid(False)
    for side in ("top", "right", "left", "bottom"):
        twin.spines[side].set_visible(False)
    ax.set_zorder(twin.get_zorder() + 1)
    ax.patch.set_visible(False)
    return Patch(color=PALETTE["small"], alpha=0.5, label="answers per period (n, right axis)")


def _value_label(spec) -> str:
    return f"{spec.label}\n{_AXIS[spec.statistic]}" if spec else "estimate (metric units)"


def _change_unit(spec) -> str:
    if spec is None:
        return "metric units"
    return "score units" if spec.statistic == "mean" else "points"


def _spec_of(table: pd.DataFrame, metric: str | None = None):
    if metric is not None:
        return get_metric(metric)
    if "metric" in table.columns and len(table) and pd.notna(table["metric"].iloc[0]):
        return get_metric(table["metric"].iloc[0])
    return None


def _one_series(table: pd.DataFrame, what: str) -> list[str]:
    """Segment key columns of a one-segment table (those before ``period``)."""
    keys = list(table.columns[: table.columns.get_loc("period")])
    if _as_periods(table["period"]).duplicated().any():
        raise ParameterError(
            f"{what} draws one series, but the table has several rows per period"
            + (f" (segments of {', '.join(keys)})" if keys else "")
            + ". Select one segment's rows first, for example "
            + (f"table[table[{keys[0]!r}] == 'email'], " if keys else "")
            + "or use plot_small_multiples for a panel per segment."
        )
    return keys


def _segment_text(table: pd.DataFrame, keys: list[str]) -> str:
    if not keys or table.empty:
        return ""
    return " (" + ", ".join(f"{k} = {_names(table[k].iloc[:1])[0]}" for k in keys) + ")"


# --- trends, control charts, changes ----------------------------------------------------


def plot_control_chart(chart: pd.DataFrame, *, ax=None, title: str | None = None):
    """Control chart: estimates, centre line, limits that vary with n, flagged periods.

    Takes :func:`csat_toolkit.trends.control_chart` output. The limits are steps (one
    level per period, wider where n is small); the 1σ and 2σ zones are lightly shaded;
    out-of-control periods are red and annotated with the Western Electric rules they
    break (``R1`` ... ``R4``, key in the legend); periods below ``min_n`` are hollow
    (no rule is applied to them); periods without answers are gaps marked ``x``.

    Examples
    --------
    >>> import csat_toolkit as ct
    >>> df = pd.DataFrame({"responded_at": pd.to_datetime(["2024-01-15"] * 100 + ["2024-02-15"] * 100
    ...                                                   + ["2024-03-15"] * 100),
    ...                    "score": [5] * 80 + [1] * 20 + [5] * 78 + [1] * 22 + [5] * 50 + [1] * 50})
    >>> ax = plot_control_chart(ct.trends.control_chart(df, baseline=("2024-01", "2024-02")))
    >>> [t.get_text() for t in ax.texts]
    ['R1']
    >>> plt.close("all")
    """
    require_columns(chart, ["period", "n", "estimate", "centre", "lcl", "ucl", "sigma"],
                    "plot_control_chart needs a table from control_chart; column(s) {missing} "
                    "are missing (found {found}).")
    ax = _ax(ax)
    data = chart.reset_index(drop=True)
    spec = _spec_of(data)
    when = _timestamps(data["period"])
    centre, sigma = data["centre"].to_numpy(dtype=float), data["sigma"].to_numpy(dtype=float)
    lcl, ucl = data["lcl"].to_numpy(dtype=float), data["ucl"].to_numpy(dtype=float)
    edges = _period_edges(when, _bar_width(data["period"], 1.0))
    for k, label in ((2, "zones ±1σ, ±2σ"), (1, None)):
        bottom, top = np.fmax(centre - k * sigma, lcl), np.fmin(centre + k * sigma, ucl)
        ax.bar(edges[:-1], top - bottom, bottom=bottom, width=np.diff(edges), align="edge",
               color=PALETTE["main"], alpha=0.08, linewidth=0, label=label)
    with np.errstate(divide="ignore", invalid="ignore"):
        widths = (ucl - centre) / sigma
    k = np.nanmax(widths) if np.isfinite(widths).any() else np.nan
    limits = f"control limits (±{k:.3g}σ, vary with n)" if np.isfinite(k) else "control limits"
    for values, label in ((ucl, limits), (lcl, None)):
        ax.step(edges, np.append(values, values[-1]), where="post", color=PALETTE["bad"],
                linestyle="--", linewidth=1.2, label=label)
    baseline = ""
    if "in_baseline" in data and not data["in_baseline"].all():
        inside = data.loc[data["in_baseline"].eq(True), "period"].astype(str)
        baseline = f", baseline {inside.iloc[0]}..{inside.iloc[-1]}" if len(inside) else ""
    statistic = spec.statistic if spec else "mean"
    ax.axhline(centre[0], color=PALETTE["line"], linewidth=1.2,
               label=f"centre line {format_value(float(centre[0]), statistic)}{baseline}")
    ax.plot(when, data["estimate"], color=PALETTE["main"], marker="o", markersize=5,
            label=f"{spec.label if spec else 'estimate'} per period")
    empty = data["n"].eq(0).to_numpy()
    small = data["small_n"].eq(True).to_numpy() & ~empty if "small_n" in data else empty & False
    if small.any():
        ax.scatter(when[small], data.loc[small, "estimate"], facecolor="white",
                   edgecolor=PALETTE["main"], zorder=3, s=30, label="fewer than min_n (no rule applied)")
    flagged = data["out_of_control"].eq(True).to_numpy() if "out_of_control" in data else small & False
    rules_seen: list[str] = []
    if flagged.any():
        ax.scatter(when[flagged], data.loc[flagged, "estimate"], color=PALETTE["bad"], s=60,
                   zorder=4, label="out of control")
        for i in np.flatnonzero(flagged):
            rules = [r.strip() for r in str(data.loc[i, "rules_broken"]).split(";") if r.strip()]
            rules_seen += [r for r in rules if r not in rules_seen]
            above = data.loc[i, "direction"] != "below" if "direction" in data else True
            ax.annotate("R" + ",".join(rules), (when[i], data.loc[i, "estimate"]),
                        xytext=(0, 6 if above else -6), textcoords="offset points", ha="center",
                        va="bottom" if above else "top", fontsize=7.5, color=PALETTE["bad"],
                        fontweight="bold")
    if empty.any():
        _mark_empty(ax, when[empty])
    ax.set_ylabel(_value_label(spec))
    ax.set_xlabel("period")
    _date_axis(ax)
    low, high = ax.get_ylim()
    ax.set_ylim(low, high + 0.08 * (high - low))  # room for the rule labels
    strip = _n_strip(ax, when, data["n"], _bar_width(data["period"]))
    handles, labels = ax.get_legend_handles_labels()
    handles.append(strip)
    labels.append(strip.get_label())
    for rule in sorted(rules_seen):
        handles.append(Line2D([], [], linestyle="none"))
        labels.append(f"R{rule}: {_RULE_TEXT.get(rule, 'rule ' + rule)}")
    _outside_legend(ax, handles, labels)
    kind = data["chart"].iloc[0] if "chart" in data else "control chart"
    usable = int((~small & ~empty).sum())
    ax.set_title(title or f"{spec.label if spec else 'Metric'}: {kind} "
                          f"({int(flagged.sum())} of {usable} periods out of control)")
    return ax


def plot_changes(changes: pd.DataFrame, *, ax=None, title: str | None = None):
    """Bars of each period's change on its reference period, with the interval.

    Takes :func:`csat_toolkit.trends.period_changes` output for one series (filter a
    segmented table to one segment first). Significant changes (after the table's
    multiple-testing correction) are green (up) or red (down), the others grey;
    changes with a period below ``min_n`` are hollow (never significant); periods
    without answers have no bar and are marked ``x``.

    Examples
    --------
    >>> import csat_toolkit as ct
    >>> df = pd.DataFrame({"responded_at": pd.to_datetime(["2024-01-15"] * 100 + ["2024-02-15"] * 100),
    ...                    "score": [5] * 80 + [1] * 20 + [5] * 50 + [1] * 50})
    >>> ax = plot_changes(ct.trends.period_changes(df, "csat"))
    >>> ax.get_ylabel()
    'difference (points), 95% CI'
    >>> plt.close("all")
    """
    require_columns(changes, ["period", "n", "difference", "ci_low", "ci_high", "significant"],
                    "plot_changes needs a table from period_changes; column(s) {missing} are "
                    "missing (found {found}).")
    keys = _one_series(changes, "plot_changes")
    ax = _ax(ax)
    data = changes.reset_index(drop=True)
    spec = _spec_of(data)
    when = _timestamps(data["period"])
    width = _bar_width(data["period"])
    difference = data["difference"].to_numpy(dtype=float)
    significant = data["significant"].eq(True).to_numpy()
    colors = np.where(significant, np.where(difference > 0, PALETTE["good"], PALETTE["bad"]),
                      PALETTE["small"])
    small = data["small_n"].eq(True).to_numpy() if "small_n" in data else np.zeros(len(data), bool)
    ax.bar(when, np.nan_to_num(difference), width=width, color=np.where(small, "white", colors),
           edgecolor=colors, linewidth=1)
    ax.vlines(when, data["ci_low"], data["ci_high"], colors=PALETTE["line"], linewidth=1.3)
    ax.axhline(0, color=PALETTE["line"], linewidth=1)
    empty = (data["n"].eq(0) | data.get("ref_n", data["n"]).eq(0)).to_numpy()
    if empty.any():
        _mark_empty(ax, when[empty], label=None)
    conf = format_level(data["conf"].iloc[0]) if "conf" in data else "95%"
    if empty.all():
        ax.text(0.5, 0.8, "No period has answers in both it and its reference period.",
                transform=ax.transAxes, ha="center", fontsize=9, color=PALETTE["line"],
                bbox={"facecolor": "white", "edgecolor": "none"})
    ax.set_ylabel(f"difference ({_change_unit(spec)}), {conf} CI")
    ax.set_xlabel("period")
    _date_axis(ax)
    strip = _n_strip(ax, when, data["n"], width)
    handles = [Patch(color=PALETTE["good"], label="significant rise"),
               Patch(color=PALETTE["bad"], label="significant fall"),
               Patch(color=PALETTE["small"], label="not significant"),
               Line2D([], [], color=PALETTE["line"], linewidth=1.3, label=f"{conf} CI")]
    if (small & ~empty).any():
        handles.append(Patch(facecolor="white", edgecolor=PALETTE["small"], label="fewer than min_n"))
    if empty.any():
        handles.append(Line2D([], [], color=PALETTE["line"], marker="x", linestyle="none",
                              label="no answers (no change)"))
    handles.append(strip)
    _outside_legend(ax, handles, [h.get_label() for h in handles])
    kind = _KIND_TEXT.get(data["kind"].iloc[0], "") if "kind" in data else ""
    correction = f"{data['correction'].iloc[0]} correction; " if "correction" in data else ""
    ax.set_title(title or f"{spec.label if spec else 'Metric'}{_segment_text(data, keys)}: change "
                          f"{kind}\n({correction}{int(significant.sum())} significant of {len(data)})")
    return ax


# --- seasonality and forecasts ---------------------------------------------------------


def plot_decomposition(result, *, title: str | None = None, metric: str | None = None):
    """Panels of an STL decomposition: observed, trend, seasonal and remainder.

    Takes :func:`csat_toolkit.forecast.seasonal_decomposition` output. The observed
    panel carries the interval band (``ci_low``/``ci_high`` when the table has them,
    otherwise ``± z·se`` from each period's standard error) and the answers per period;
    positions flagged seasonally low/high are red/green in the seasonal panel. When the
    decomposition did not run (``result.ran`` is False), one panel states the reason.

    Parameters
    ----------
    result : SeasonalityResult
    title : str, optional
    metric : str, optional
        The metric of the series (``"csat"`` ...), for the axis units.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from csat_toolkit.forecast import seasonal_decomposition
    >>> months = pd.period_range("2023-01", periods=24, freq="M")
    >>> table = pd.DataFrame({"period": months, "n": 500, "ci_low": 75.0, "ci_high": 81.0,
    ...                       "estimate": np.where(np.isin(months.month, [11, 12]), 70.0, 78.0)})
    >>> fig = plot_decomposition(seasonal_decomposition(table), metric="csat")
    >>> len(fig.axes) - 1  # four panels and the answers axis
    4
    >>> plot_decomposition(seasonal_decomposition(table.head(10))).get_suptitle()
    'Seasonal decomposition: not run'
    >>> plt.close("all")
    """
    if not result.ran:
        fig, ax = plt.subplots(figsize=(8, 2.2), layout="constrained")
        ax.set_axis_off()
        ax.text(0.5, 0.5, textwrap.fill(f"Not estimated: {result.reason}", 95), ha="center",
                va="center", transform=ax.transAxes, fontsize=9, color=PALETTE["line"])
        fig.suptitle(title or "Seasonal decomposition: not run", fontweight="bold", fontsize=12)
        return fig
    table = result.table.reset_index(drop=True)
    spec = get_metric(metric) if metric else None
    unit = _change_unit(spec)
    when = _timestamps(table["period"])
    fig, axes = plt.subplots(4, 1, sharex=True, figsize=(8, 7.5), layout="constrained",
                             height_ratios=[1.7, 1, 1, 1])
    observed, trend, seasonal, remainder = axes
    low, high, band = _decomposition_band(table)
    if low is not None:
        observed.fill_between(when, low, high, color=PALETTE["main"], alpha=0.2, label=band)
    observed.plot(when, table["estimate"], color=PALETTE["main"], marker="o", markersize=4,
                  label="observed")
    observed.plot(when, table["trend"], color=PALETTE["line"], linestyle="--", label="trend")
    observed.set_ylabel(f"observed\n({_AXIS[spec.statistic] if spec else 'metric units'})")
    strip = _n_strip(observed, when, table["n"], _bar_width(table["period"]))
    handles, labels = observed.get_legend_handles_labels()
    observed.legend(handles + [strip], labels + [strip.get_label()], fontsize=7, ncols=4,
                    loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, borderaxespad=0.2)
    trend.plot(when, table["trend"], color=PALETTE["line"])
    trend.set_ylabel(f"trend\n({_AXIS[spec.statistic] if spec else 'metric units'})")
    seasonal.axhline(0, color=PALETTE["line"], linewidth=0.8)
    seasonal.plot(when, table["seasonal"], color=PALETTE["neutral"], marker="o", markersize=3)
    for positions, color, name in ((result.low, PALETTE["bad"], "seasonally low"),
                                   (result.high, PALETTE["good"], "seasonally high")):
        hit = table["position"].isin(positions).to_numpy()
        if hit.any():
            seasonal.scatter(when[hit], table.loc[hit, "seasonal"], color=color, s=36, zorder=3,
                             label=f"{name}: {', '.join(positions)}")
    if result.low or result.high:
        seasonal.legend(fontsize=7, ncols=2, loc="lower right", bbox_to_anchor=(1, 1.0),
                        frameon=False, borderaxespad=0.2)
    seasonal.set_ylabel(f"seasonal\n({unit})")
    remainder.axhline(0, color=PALETTE["line"], linewidth=0.8)
    remainder.vlines(when, 0, table["resid"], color=PALETTE["small"], linewidth=2)
    remainder.scatter(when, table["resid"], color=PALETTE["line"], s=10, zorder=3)
    remainder.set_ylabel(f"remainder\n({unit})")
    remainder.set_xlabel("period")
    _date_axis(remainder)
    total = int(table["n"].sum())
    fig.suptitle(title or f"Seasonal decomposition (STL, {result.period_length}-period cycle, "
                          f"n={total:,})", fontweight="bold", fontsize=12)
    caption = (f"{result.reason} Seasonal swing {result.amplitude:.2g} {unit}, "
               f"test of seasonality p = {result.p_value:.2g}.")
    fig.supxlabel(textwrap.fill(caption, 120), fontsize=7, color=PALETTE["line"])
    return fig


def _decomposition_band(table: pd.DataFrame):
    if {"ci_low", "ci_high"} <= set(table.columns):
        conf = format_level(table["conf"].iloc[0]) if "conf" in table else "95%"
        return table["ci_low"], table["ci_high"], f"{conf} CI"
    if "se" in table and table["se"].notna().any():
        z = z_value(0.95)
        return (table["estimate"] - z * table["se"], table["estimate"] + z * table["se"],
                "95% CI (± 1.96 se)")
    return None, None, ""


def plot_forecast(series: pd.DataFrame, forecast_table: pd.DataFrame, *, goal=None, ax=None,
                  title: str | None = None):
    """History with its interval band, then the forecast with its prediction fan.

    Takes a one-segment period series (:func:`csat_toolkit.trends.period_series`) and
    :func:`csat_toolkit.forecast.forecast` output; with ``goal`` (a
    :class:`csat_toolkit.forecast.GoalResult`), the target is a star at its period,
    coloured by status, with the probability of reaching it in the legend.

    Examples
    --------
    >>> from csat_toolkit.forecast import forecast, goal_status
    >>> months = pd.period_range("2024-01", periods=12, freq="M")
    >>> history = pd.DataFrame({"period": months, "n": 500, "metric": "csat", "conf": 0.95,
    ...                         "estimate": 75 + np.tile([1.0, -1.0, 0.5, -0.5], 3)})
    >>> history["ci_low"], history["ci_high"] = history["estimate"] - 3, history["estimate"] + 3
    >>> goal = goal_status(history, target=76, by="2025-03")
    >>> ax = plot_forecast(history, forecast(history, horizon=3), goal=goal)
    >>> [t.get_text() for t in ax.get_legend().get_texts()][-2][:29]
    'goal ≥ 76.0% by 2025-03: P = '
    >>> plt.close("all")
    """
    require_columns(series, ["period", "n", "estimate"],
                    "plot_forecast needs the period series the forecast was made from; column(s) "
                    "{missing} are missing (found {found}).")
    require_columns(forecast_table, ["period", "forecast", "pi_low", "pi_high"],
                    "plot_forecast needs a table from forecast(); column(s) {missing} are missing "
                    "(found {found}).")
    keys = _one_series(series, "plot_forecast")
    ax = _ax(ax)
    spec = _spec_of(series)
    history = _on_calendar(series, _calendar(series["period"]))
    conf = format_level(series["conf"].iloc[0]) if "conf" in series else None
    if {"ci_low", "ci_high"} <= set(history.columns):
        ax.fill_between(history["when"], history["ci_low"], history["ci_high"], color=PALETTE["main"],
                        alpha=0.2, label=f"{conf or ''} CI".strip())
    ax.plot(history["when"], history["estimate"], color=PALETTE["main"], marker="o", markersize=4,
            label="observed")
    small = history["small_n"].eq(True) & ~history["empty"] if "small_n" in history else history["n"].lt(0)
    if small.any():
        ax.scatter(history.loc[small, "when"], history.loc[small, "estimate"], facecolor="white",
                   edgecolor=PALETTE["main"], zorder=3, s=24, label="fewer than min_n")
    if history["empty"].any():
        _mark_empty(ax, history.loc[history["empty"], "when"])
    ahead = forecast_table.reset_index(drop=True)
    later = _timestamps(ahead["period"])
    level = format_level(ahead["conf"].iloc[0]) if "conf" in ahead else ""
    ax.fill_between(later, ahead["pi_low"], ahead["pi_high"], color=_FORECAST, alpha=0.18,
                    linewidth=0, label=f"{level} prediction interval".strip())
    if len(ahead) == 1:  # a fan needs two periods: show the single interval as a bar
        ax.vlines(later, ahead["pi_low"], ahead["pi_high"], color=_FORECAST, alpha=0.4, linewidth=6)
    seen = history[history["estimate"].notna()]
    if len(seen):
        ax.plot([seen["when"].iloc[-1], later.iloc[0]],
                [seen["estimate"].iloc[-1], ahead["forecast"].iloc[0]],
                color=_FORECAST, linestyle=":", linewidth=1.5)
    ax.plot(later, ahead["forecast"], color=_FORECAST, linestyle="--", marker="o", markersize=4,
            label="forecast")
    if goal is not None:
        _draw_goal(ax, goal.table.iloc[0], spec, start=seen["when"].iloc[-1] if len(seen) else None)
    ax.set_ylabel(_value_label(spec))
    method = str(ahead["method"].iloc[0]) if "method" in ahead else ""
    ax.set_xlabel("period" + (f"\n{textwrap.fill('forecast: ' + method, 100)}" if method else ""),
                  fontsize=9)
    _date_axis(ax)
    strip = _n_strip(ax, history["when"], history["n"], _bar_width(series["period"]))
    handles, labels = ax.get_legend_handles_labels()
    # Below the chart, not beside it: the goal's long label made the figure twice as wide
    # as its axes, too small to read on a phone.
    ax.legend(handles + [strip], labels + [strip.get_label()], loc="upper center",
              bbox_to_anchor=(0.5, -0.3), ncol=2, fontsize=8, frameon=False)
    name = spec.label if spec else "Metric"
    ax.set_title(title or f"{name}{_segment_text(series, keys)}: history and "
                          f"{len(ahead)}-period forecast")
    return ax


def _draw_goal(ax, row: pd.Series, spec, start) -> None:
    when = _timestamps(pd.Series([row["period"]])).iloc[0]
    color = _STATUS_COLOR.get(row["status"], PALETTE["line"])
    sign = "≥" if row.get("direction", "at_least") == "at_least" else "≤"
    value = format_value(float(row["target"]), spec.statistic) if spec else f"{row['target']:.1f}"
    if start is not None:
        ax.hlines(row["target"], start, when, color=color, linestyle=":", linewidth=1.2)
    ax.scatter([when], [row["target"]], marker="*", s=260, color=color, edgecolor="black",
               linewidth=0.6, zorder=6,
               label=f"goal {sign} {value} by {row['period']}: P = {row['probability']:.0%} "
                     f"({row['status']})")


# --- waves and segments ----------------------------------------------------------------

_CLASS_ORDER = ("detractor", "passive", "promoter")


def _class_order(names) -> list:
    names = list(names)
    known = [c for c in _CLASS_ORDER if c in names]
    return known + [c for c in names if c not in known]


def plot_transitions(result, *, ax=None, title: str | None = None):
    """Heatmap of where respondents moved between two waves (row shares, %).

    Takes :func:`csat_toolkit.waves.transition_matrix` output. Rows are the category in
    the first wave (with its n), columns the category in the second, ordered
    detractor, passive, promoter; each cell reads "share% (count)". Rows without
    respondents are blank.

    Examples
    --------
    >>> import csat_toolkit as ct
    >>> df = pd.DataFrame({"customer_id": ["a", "b", "c", "a", "b", "c"],
    ...                    "campaign": [1, 1, 1, 2, 2, 2], "score": [3, 8, 10, 9, 8, 5]})
    >>> ax = plot_transitions(ct.waves.transition_matrix(df, wave_a=1, wave_b=2, wave="campaign"))
    >>> sorted(t.get_text() for t in ax.texts)[:2]
    ['0% (0)', '0% (0)']
    >>> plt.close("all")
    """
    ax = _ax(ax)
    rows, columns = _class_order(result.counts.index), _class_order(result.counts.columns)
    counts = result.counts.reindex(index=rows, columns=columns, fill_value=0)
    shares = 100 * result.shares.reindex(index=rows, columns=columns)
    labels = np.array([[f"{s:.0f}% ({int(c):,})" if np.isfinite(s) else f"({int(c):,})"
                        for s, c in zip(share_row, count_row)]
                       for share_row, count_row in zip(shares.to_numpy(dtype=float), counts.to_numpy())])
    sns.heatmap(shares.astype(float), annot=labels, fmt="", cmap="Blues", vmin=0, vmax=100,
                linewidths=1, linecolor="white", ax=ax, annot_kws={"fontsize": 9},
                cbar_kws={"label": "% of the row (first-wave category)"})
    totals = counts.sum(axis=1)
    ax.set_yticks(np.arange(len(rows)) + 0.5, [f"{r} (n={int(totals[r]):,})" for r in rows],
                  rotation=0)
    ax.set_xticks(np.arange(len(columns)) + 0.5, [str(c) for c in columns], rotation=0)
    ax.set_ylabel(f"category in {result.wave_a} (first wave)")
    ax.set_xlabel(f"category in {result.wave_b} (second wave)")
    n = int(counts.to_numpy().sum())
    ax.set_title(title or f"Where respondents moved: {result.wave_a} → {result.wave_b} "
                          f"(n={n:,} answered both)")
    return ax


def plot_small_multiples(table: pd.DataFrame, *, by, col_wrap: int = 3, title: str | None = None,
                         max_levels: int = 12):
    """One small panel per segment: the metric by period with its interval band.

    Takes :func:`csat_toolkit.trends.period_series` output made with ``by=``. Panels
    share both axes and are titled "segment (n=...)" with the segment's answers;
    a missing segment value reads "(missing)" (last); small periods are hollow, empty
    ones gaps marked ``x``. At most ``max_levels`` panels are drawn, the segments with
    the most answers; the title says how many more there are (pick the segments
    yourself with :func:`csat_toolkit.report.choose_levels`).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import csat_toolkit as ct
    >>> df = pd.DataFrame({"responded_at": pd.date_range("2024-01-01", periods=120, freq="D"),
    ...                    "channel": ["chat", "email", None] * 40, "score": [5, 4, 2, 1] * 30})
    >>> table = ct.trends.period_series(df, "csat", by="channel", min_n=5)
    >>> fig = plot_small_multiples(table, by="channel")
    >>> [ax.get_title() for ax in fig.axes]
    ['chat (n=40)', 'email (n=40)', '(missing) (n=40)']
    >>> plt.close("all")
    """
    keys = [by] if isinstance(by, str) else list(by)
    require_columns(table, ["period", "n", "estimate", "ci_low", "ci_high", *keys],
                    "plot_small_multiples needs a table from period_series(..., by=...) and the "
                    "same by=; column(s) {missing} are missing (found {found}).")
    if not isinstance(col_wrap, (int, np.integer)) or col_wrap < 1:
        raise ParameterError(
            f"col_wrap must be a whole number of panels per row (1 or more); got {col_wrap!r}."
        )
    spec = _spec_of(table)
    calendar = _calendar(table["period"])
    sizes = table.groupby(keys, sort=True, dropna=False, observed=True)["n"].sum().reset_index()
    choice = choose_levels(sizes, limit=max_levels)
    if choice.omitted:
        table = table.merge(choice.table[keys], on=keys, how="inner")
    groups = list(table.groupby(keys, sort=True, dropna=False, observed=True))
    ncols = min(int(col_wrap), len(groups))
    nrows = math.ceil(len(groups) / ncols)
    fig, axes = plt.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False,
                             figsize=(3.2 * ncols + 0.8, 2.4 * nrows + 0.8), layout="constrained")
    color = PALETTE["main"]
    for ax, (name, part) in zip(axes.flat, groups):
        full = _on_calendar(part, calendar)
        ax.fill_between(full["when"], full["ci_low"], full["ci_high"], color=color, alpha=0.2)
        ax.plot(full["when"], full["estimate"], color=color, marker="o", markersize=3.5)
        small = full["small_n"].eq(True) & ~full["empty"] if "small_n" in full else full["n"].lt(0)
        ax.scatter(full.loc[small, "when"], full.loc[small, "estimate"], facecolor="white",
                   edgecolor=color, zorder=3, s=18)
        if full["empty"].any():
            _mark_empty(ax, full.loc[full["empty"], "when"], label=None)
        values = name if isinstance(name, tuple) else (name,)
        ax.set_title(f"{', '.join(_names(pd.Series(values, dtype=object)))} (n={int(part['n'].sum()):,})",
                     fontsize=10, fontweight="normal")
    for ax in axes.flat[len(groups):]:
        ax.remove()
    locator = mdates.AutoDateLocator(minticks=2, maxticks=5)
    axes.flat[0].xaxis.set_major_locator(locator)  # shared by every panel
    axes.flat[0].xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    for index, ax in enumerate(axes.flat[: len(groups)]):
        row, column = divmod(index, ncols)
        if column == 0:
            ax.set_ylabel(_value_label(spec), fontsize=9)
        if index + ncols >= len(groups):  # nothing below: the bottom of its column
            ax.tick_params(labelbottom=True)
            ax.set_xlabel("period", fontsize=9)
    conf = format_level(table["conf"].iloc[0]) if "conf" in table else "95%"
    name = spec.label if spec else "Metric"
    more = f"; {choice.omitted:,} smaller segments not shown" if choice.omitted else ""
    fig.suptitle(title or f"{name} by period, per {', '.join(keys)} ({conf} CI band; hollow: "
                          f"fewer than min_n; x: no answers{more})", fontweight="bold", fontsize=12)
    return fig


def plot_mix_shift(result, *, ax=None, title: str | None = None, max_levels: int = MAX_SHOWN):
    """Bars of each segment's mix and within-segment contributions to a change.

    At most ``max_levels`` segments get their own bars, those contributing most (by the
    size of ``mix + within``); the others are summed into one "other segments" row (the
    parts are additive, so the total is unchanged).

    Takes :func:`csat_toolkit.waves.mix_shift` output: per segment (with its answers
    in the two periods) a bar for the mix effect and one for the within-segment effect,
    a diamond for their sum, and the total below. Units: points of the metric (score
    units for means). A segment present in one period only is starred (its whole
    contribution counts as mix). The decomposition splits point estimates exactly; it
    has no interval of its own.

    Examples
    --------
    >>> import csat_toolkit as ct
    >>> df = pd.DataFrame({
    ...     "responded_at": pd.to_datetime(["2024-01-10"] * 100 + ["2024-02-10"] * 100),
    ...     "channel": ["chat"] * 50 + ["email"] * 50 + ["chat"] * 20 + ["email"] * 80,
    ...     "score": [5] * 40 + [1] * 10 + [5] * 20 + [1] * 30 + [5] * 16 + [1] * 4 + [5] * 32 + [1] * 48})
    >>> result = ct.waves.mix_shift(df, segment="channel", period_a="2024-01", period_b="2024-02")
    >>> ax = plot_mix_shift(result)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['chat (n 50 → 20)', 'email (n 50 → 80)', 'total (n 100 → 100)']
    >>> plt.close("all")
    """
    table = _largest_contributions(result.table.reset_index(drop=True), result.segment, max_levels)
    ax = ax if ax is not None else plt.subplots(figsize=(8, _rows_height(len(table))))[1]
    spec = get_metric(result.metric)
    unit = _change_unit(spec)
    segment = result.segment
    y = np.arange(len(table), dtype=float)
    y[-1] += 0.6  # a gap before the total
    height = 0.36
    handles = [
        ax.barh(y - height / 2, table["mix"], height=height, color=PALETTE["neutral"],
                label="mix: change in the segment's share of answers"),
        ax.barh(y + height / 2, table["within"], height=height, color=PALETTE["main"],
                label="within: change of the segment's own score"),
        ax.scatter(table["contribution"], y, marker="D", color="black", s=28, zorder=3,
                   label="contribution (mix + within)"),
    ]
    ax.axvline(0, color=PALETTE["line"], linewidth=1)
    ax.axhline(y[-1] - 0.8, color=PALETTE["line"], linewidth=0.6, linestyle=":")
    notes = table["note"].fillna("").astype(str).to_numpy() if "note" in table else np.full(len(table), "")
    names = _names(table[segment])
    labels = [f"{name}{'*' if note else ''} (n {int(a):,} → {int(b):,})"
              for name, note, a, b in zip(names, notes, table["n_a"], table["n_b"])]
    ax.set_yticks(y, labels)
    ax.get_yticklabels()[-1].set_fontweight("bold")
    ax.invert_yaxis()
    span = max(float(np.nanmax(np.abs(table[["mix", "within", "contribution"]].to_numpy()))), 1e-9)
    ax.set_xlim(-1.25 * span, 1.25 * span)
    parts = table[["mix", "within", "contribution"]].to_numpy(dtype=float)
    for value, position, row in zip(table["contribution"], y, parts):
        left = value < 0
        end = min(np.nanmin(row), 0.0) if left else max(np.nanmax(row), 0.0)
        ax.annotate(f"{value:+.2f}", (end, position), xytext=(-4 if left else 4, 0),
                    textcoords="offset points", ha="right" if left else "left", va="center",
                    fontsize=8)
    ax.set_xlabel(f"contribution to the change in {spec.label} ({unit})")
    ax.set_ylabel(f"{segment} (answers in {result.period_a} → {result.period_b})")
    legend_labels = [h.get_label() for h in handles]
    starred = sorted({note for note in notes if note})
    for note in starred:
        handles.append(Line2D([], [], linestyle="none"))
        legend_labels.append(f"* {note}")
    _outside_legend(ax, handles, legend_labels)
    total = table.iloc[-1]
    ax.set_title(title or f"{spec.label}, {result.period_a} → {result.period_b}: "
                          f"{total['contribution']:+.1f} {unit}, by {segment} mix and within")
    return ax


def _largest_contributions(table: pd.DataFrame, segment: str, limit: int) -> pd.DataFrame:
    """Segment rows with the largest contributions, the rest summed in one row, then total."""
    body, total = table.iloc[:-1], table.iloc[[-1]]
    if len(body) <= limit:
        return table
    keep = np.sort(np.argsort(-body["contribution"].abs().to_numpy(), kind="stable")[: limit - 1])
    rest = body.drop(index=body.index[keep])
    other = {segment: f"other {len(rest):,} segments", "note": None}
    for column in ("n_a", "n_b", "share_a", "share_b", "mix", "within", "contribution"):
        if column in rest:
            other[column] = rest[column].sum()
    return pd.concat([body.iloc[keep], pd.DataFrame([other]), total], ignore_index=True)


# The key-driver plots live in their own module; they are reachable from here too.
from .driverplots import (plot_calibration, plot_funnel, plot_importance,  # noqa: E402
                          plot_importance_performance, plot_odds_ratios, plot_shrinkage,
                          plot_speed)

__all__ += ["plot_importance", "plot_importance_performance", "plot_speed", "plot_odds_ratios",
            "plot_shrinkage", "plot_funnel", "plot_calibration"]

# The operations plots too.
from .opsplots import (plot_deflection, plot_ops_satisfaction, plot_response_times,  # noqa: E402
                       plot_sla, plot_volume_heatmap, plot_weekly_volume)

__all__ += ["plot_sla", "plot_response_times", "plot_volume_heatmap", "plot_weekly_volume",
            "plot_deflection", "plot_ops_satisfaction"]

# And the NPS-to-revenue plots.
from .revenueplots import (plot_nps_growth, plot_retention, plot_revenue_by_category,  # noqa: E402
                           plot_revenue_transitions)

__all__ += ["plot_revenue_by_category", "plot_retention", "plot_nps_growth",
            "plot_revenue_transitions"]
