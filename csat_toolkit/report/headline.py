"""Helpers for notebooks: headline numbers as JSON for the index and the tests.

Each notebook writes ``headline.json`` into its output folder: a title, KPI cards
(value, interval, n, a display string) and the findings as sentences. The runner's
index and the tests read this file, never the HTML.
"""
from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ParameterError, show_values
from ..core.metrics import get_metric
from ..core.text import describe_estimate, format_hours, format_level, format_value

__all__ = ["rounded", "kpi", "card", "write_headline", "sentences_html", "readable", "choose_levels", "LevelChoice",
           "segment_results", "segment_headline", "MAX_SHOWN", "HIGHLIGHT_KINDS", "heading_anchor",
           "highlight", "data_period", "rows_used", "tile", "sla_miss", "latest_change"]


def _number(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), 6)


def kpi(row: pd.Series, *, label: str | None = None) -> dict:
    """A KPI card from one metric-table row.

    Examples
    --------
    >>> row = pd.Series({"metric": "csat", "n": 250, "estimate": 60.0, "ci_low": 53.8,
    ...                  "ci_high": 65.9, "conf": 0.95, "small_n": False, "method": "Wilson score"})
    >>> card = kpi(row)
    >>> card["display"], card["detail"]
    ('60.0%', '95% CI 53.8% to 65.9%, n=250, Wilson score')
    """
    spec = get_metric(row["metric"])
    fmt = lambda v: format_value(v, spec.statistic)  # noqa: E731
    return {
        "metric": row["metric"],
        "label": label or spec.label,
        "value": _number(row["estimate"]),
        "ci_low": _number(row["ci_low"]),
        "ci_high": _number(row["ci_high"]),
        "conf": _number(row["conf"]),
        "n": int(row["n"]),
        "small_n": bool(row.get("small_n", False)),
        "method": row.get("method"),
        "display": fmt(row["estimate"]),
        "detail": f"{format_level(row['conf'])} CI {fmt(row['ci_low'])} to {fmt(row['ci_high'])}, "
                  f"n={int(row['n']):,}, {row.get('method')}",
        "sentence": describe_estimate(row, label=label),
    }


def card(label: str, row: pd.Series, *, unit: str = "%", sentence: str = "") -> dict:
    """A KPI card from any estimate row (``n``, ``estimate``, ``ci_low``, ``ci_high``, ``conf``).

    ``unit`` is ``"%"`` (shares), ``"h"`` (durations in hours, shown in seconds, minutes
    or hours) or any other unit text written after the number.

    Examples
    --------
    >>> row = pd.Series({"n": 40, "estimate": 0.02, "ci_low": 0.015, "ci_high": 0.025,
    ...                  "conf": 0.95})
    >>> c = card("Median first response", row, unit="h")
    >>> c["display"], c["detail"]
    ('1.2 min', '95% CI 54 s to 1.5 min, n=40')
    """
    if unit == "%":
        fmt = lambda v: f"{v:.1f}%"  # noqa: E731
    elif unit == "h":
        fmt = format_hours
    else:
        fmt = lambda v: f"{v:.2f} {unit}"  # noqa: E731
    return {"label": label, "value": _number(row["estimate"]), "ci_low": _number(row["ci_low"]),
            "ci_high": _number(row["ci_high"]), "conf": _number(row["conf"]), "n": int(row["n"]),
            "display": fmt(row["estimate"]),
            "detail": f"{format_level(row['conf'])} CI {fmt(row['ci_low'])} to "
                      f"{fmt(row['ci_high'])}, n={int(row['n']):,}",
            "sentence": sentence}


def write_headline(
    output_dir: str | Path,
    *,
    title: str,
    kpis: list[dict],
    findings: list[str],
    extra: dict | None = None,
) -> Path:
    """Write ``headline.json``: strict JSON, sorted keys, so reruns give identical files.

    Missing numbers (NaN, NaT, ``pd.NA``) and infinities become ``null``, numpy numbers
    plain numbers, so any JSON reader (a dashboard, a scheduler) can read the file.

    Examples
    --------
    >>> import tempfile
    >>> path = write_headline(tempfile.mkdtemp(), title="T", kpis=[], findings=[],
    ...                       extra={"share": float("nan"), "n": np.int64(3)})
    >>> json.loads(path.read_text())["share"] is None
    True
    """
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    payload = _plain({"title": title, "kpis": kpis, "findings": findings, **(extra or {})})
    path = folder / "headline.json"
    path.write_text(json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False,
                               allow_nan=False, default=str), encoding="utf-8")
    return path


def _plain(value):
    """JSON-ready copy: containers recursed, missing and infinite numbers as None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.number, np.bool_)):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is pd.NaT or value is pd.NA:
        return None
    return value


def sentences_html(sentences: list[str]):
    """Sentences as an escaped HTML list (segment names and comments are user text)."""
    from IPython.display import HTML

    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    return HTML(f"<ul>{items}</ul>" if items else "<p><i>Nothing to report.</i></p>")


_SHOWN = ["metric", "n", "n_eff", "estimate", "ci_low", "ci_high", "small_n", "method",
          "pct_promoters", "pct_passives", "pct_detractors", "mean", "pct_easy",
          "no_longer_users", "population", "response_rate"]


_ON_SCALE = {"estimate", "ci_low", "ci_high", "ref_estimate", "difference", "sd"}


def readable(table: pd.DataFrame, *, keys: list[str] | None = None, digits: int = 1) -> pd.DataFrame:
    """A metric or comparison table trimmed and rounded for display.

    Examples
    --------
    >>> t = pd.DataFrame({"metric": ["csat"], "n": [250], "estimate": [60.0], "ci_low": [53.82],
    ...                   "ci_high": [65.88], "small_n": [False], "method": ["Wilson score"], "conf": [0.95]})
    >>> readable(t).columns.tolist()
    ['metric', 'n', 'estimate', 'ci_low', 'ci_high', 'small_n', 'method']
    """
    keys = list(keys or [])
    shown = keys + [c for c in _SHOWN if c in table.columns and c not in keys]
    if "p_adjusted" in table.columns:
        shown = keys + [c for c in ("reference", "n", "estimate", "ref_n", "ref_estimate",
                                    "difference", "ci_low", "ci_high", "p_value", "p_adjusted",
                                    "significant", "small_n", "test", "correction")
                        if c in table.columns and c not in keys]
    out = table[shown].dropna(axis=1, how="all")
    means = "metric" in table and table["metric"].map(lambda m: get_metric(m).statistic == "mean").all()
    for column in out.columns:
        if column.startswith("p_"):
            out[column] = out[column].round(4)
        elif out[column].dtype.kind == "f":
            on_scale = column == "mean" or (means and column in _ON_SCALE)
            out[column] = out[column].round(2 if on_scale else digits)
    return out.reset_index(drop=True)


def rounded(table: pd.DataFrame, *, columns: list[str] | None = None, drop=("conf", "method"),
            digits: int = 1) -> pd.DataFrame:
    """Any result table, rounded for display: the columns chosen, numbers readable.

    p-values keep 4 decimals, columns whose values are all below 1 in size keep 3
    (shares of R², weights), other numbers ``digits``. Columns in ``drop`` are left out
    unless listed in ``columns``.

    Examples
    --------
    >>> t = pd.DataFrame({"driver": ["frt"], "lmg": [0.04551], "lmg_share": [38.559],
    ...                   "p_value": [0.000123], "conf": [0.95]})
    >>> rounded(t)
      driver    lmg  lmg_share  p_value
    0    frt  0.046       38.6   0.0001
    """
    if columns is not None:
        out = table[[c for c in columns if c in table.columns]].copy()
    else:
        out = table.drop(columns=[c for c in drop if c in table.columns])
    for column in out.columns:
        values = out[column]
        if values.dtype.kind != "f":
            continue
        if str(column).startswith("p_") or str(column).endswith(("_p", "_p_adj", "p_value")):
            out[column] = values.round(4)
        elif values.abs().max(skipna=True) < 1:
            out[column] = values.round(3)
        else:
            out[column] = values.round(digits)
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Many levels (issue 10): what a chart or table shows, and what the files hold.
# --------------------------------------------------------------------------------------

MAX_SHOWN = 20  # levels a segment chart or table shows; the rest are in segments.csv


@dataclass(frozen=True)
class LevelChoice:
    """The levels of a segment that a chart or table shows (see :func:`choose_levels`).

    Attributes
    ----------
    table : DataFrame
        The rows of the chosen levels, in the input's order.
    total : int
        Levels in the input.
    omitted : int
        Levels not chosen.
    sentence : str
        ``"N more levels not shown (see segments.csv)."``, or ``""`` when none is left out.
    """

    table: pd.DataFrame
    total: int
    omitted: int
    sentence: str


def _ranked_positions(table: pd.DataFrame, limit: int) -> np.ndarray:
    """Positions of the rows to keep: significant first (smallest corrected p, then
    largest n), then the largest by n; ties keep the input order."""
    n = table["n"].to_numpy(dtype=float) if "n" in table else np.zeros(len(table))
    significant = (table["significant"].fillna(False).to_numpy(dtype=bool)
                   if "significant" in table else np.zeros(len(table), dtype=bool))
    p = (table["p_adjusted"].to_numpy(dtype=float) if "p_adjusted" in table
         else np.zeros(len(table)))
    p = np.where(significant, np.nan_to_num(p, nan=1.0), 2.0)  # not significant: after all
    order = np.lexsort((np.arange(len(table)), -np.nan_to_num(n), p))
    return np.sort(order[:limit])


def choose_levels(
    table: pd.DataFrame,
    *,
    limit: int = MAX_SHOWN,
    tests: pd.DataFrame | None = None,
    key: str | None = None,
    what: str = "levels",
    where: str = "segments.csv",
) -> LevelChoice:
    """Pick the levels a chart or table shows: the significant ones, then the largest.

    A segment column can have a handful of levels or 100,000 of them; a chart or a
    table shows at most ``limit``. Levels whose comparison is significant come first
    (smallest corrected p-value first), then the levels with the most answers. The
    chosen rows keep the input's order; the sentence says how many were left out and
    where the full list is.

    Parameters
    ----------
    table : DataFrame
        One row per level with ``n`` (a metric table, a comparison table, or any table
        with ``n``); ``significant`` and ``p_adjusted``, when present, are used.
    limit : int
        Most levels to show (at least 1).
    tests : DataFrame, optional
        A comparison table (:func:`csat_toolkit.compare`) whose ``significant`` and
        ``p_adjusted`` rank the levels of ``table``; matched on ``key``.
    key : str, optional
        The segment column (needed with ``tests``).
    what, where : str
        Words of the sentence: what is counted and which file holds them all.

    Returns
    -------
    LevelChoice

    Raises
    ------
    ParameterError
        ``limit`` is not a whole number of at least 1, ``tests`` without ``key``, or a
        column is missing.

    Examples
    --------
    >>> t = pd.DataFrame({"channel": list("abcde"), "n": [10, 500, 40, 300, 20],
    ...                   "significant": [True, False, False, False, False],
    ...                   "p_adjusted": [0.01, 0.5, 0.9, 0.2, 1.0]})
    >>> choice = choose_levels(t, limit=3)
    >>> choice.table["channel"].tolist(), choice.sentence
    (['a', 'b', 'd'], '2 more levels not shown (see segments.csv).')
    """
    if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
        raise ParameterError(f"limit must be a whole number of levels, 1 or more; got {limit!r}.")
    if "n" not in table.columns:
        raise ParameterError(f"choose_levels needs an 'n' column; found {show_values(list(table.columns))}.")
    ranked = table
    if tests is not None:
        if key is None or key not in table.columns or key not in tests.columns:
            raise ParameterError(
                f"choose_levels with tests= needs key= naming the segment column in both tables; "
                f"got key={key!r} (table columns {show_values(list(table.columns))}, tests "
                f"columns {show_values(list(tests.columns))})."
            )
        flags = tests[[key, "significant", "p_adjusted"]].drop_duplicates(key)
        ranked = table[[key, "n"]].merge(flags, on=key, how="left", sort=False)
    keep = _ranked_positions(ranked.reset_index(drop=True), int(limit))
    omitted = len(table) - len(keep)
    sentence = (f"{omitted:,} more {what} not shown (see {where})." if omitted else "")
    return LevelChoice(table.iloc[keep], len(table), omitted, sentence)


def _direction(difference: pd.Series, significant: pd.Series) -> np.ndarray:
    return np.select([significant & (difference > 0), significant & (difference < 0)],
                     ["above", "below"], "none")


def segment_results(by_segment: Mapping[tuple[str, str], tuple[pd.DataFrame, pd.DataFrame]]
                    ) -> pd.DataFrame:
    """Every level of every segment column, with its estimate and its test against the rest.

    Parameters
    ----------
    by_segment : mapping
        ``{(metric, column): (metric_table, comparison_table)}``: the metric per level
        (:func:`csat_toolkit.metric_table` with ``by=column``) and each level against
        the rest (:func:`csat_toolkit.compare`, ``against="rest"``). With two levels
        :func:`~csat_toolkit.compare` makes one test (the first level against the
        second); the second level gets the mirror of it (the same p-value, the
        difference and its interval negated), since its "rest" is the first level.

    Returns
    -------
    DataFrame
        One row per (metric, column, level): ``metric``, ``segment`` (the column),
        ``level`` (text; a missing value reads ``(missing)``), ``n``, ``estimate``,
        ``ci_low``, ``ci_high``, ``conf``, ``small_n``, ``reference``, ``ref_estimate``,
        ``difference``, ``difference_ci_low``, ``difference_ci_high``, ``p_value``,
        ``p_adjusted``, ``significant`` and ``direction`` (``above``/``below`` the rest
        when significant, else ``none``). This is what ``segments.csv`` holds.

    Examples
    --------
    >>> import csat_toolkit as ct
    >>> df = pd.DataFrame({"channel": ["chat"] * 100 + ["email"] * 100,
    ...                    "score": [5] * 80 + [1] * 20 + [5] * 50 + [1] * 50})
    >>> table = ct.metric_table(df, "csat", by="channel")
    >>> tests = ct.compare(df, metric="csat", by="channel")
    >>> out = segment_results({("csat", "channel"): (table, tests)})
    >>> out[["level", "estimate", "difference", "direction"]].round(1).values.tolist()
    [['chat', 80.0, 30.0, 'above'], ['email', 50.0, -30.0, 'below']]
    """
    parts = []
    for (metric, column), (table, tests) in by_segment.items():
        tests = tests.copy()
        if len(table) == 2 and len(tests) == 1 and tests["reference"].iloc[0] != "rest":
            mirror = tests.copy()
            mirror[column], mirror["reference"] = tests["reference"].to_numpy(), tests[column].to_numpy()
            for a, b in (("n", "ref_n"), ("estimate", "ref_estimate")):
                mirror[a], mirror[b] = tests[b].to_numpy(), tests[a].to_numpy()
            mirror["difference"] = -tests["difference"]
            mirror["ci_low"], mirror["ci_high"] = -tests["ci_high"], -tests["ci_low"]
            tests = pd.concat([tests, mirror], ignore_index=True)
        tested = tests[[column, "reference", "ref_estimate", "difference", "ci_low", "ci_high",
                        "p_value", "p_adjusted", "significant"]].rename(
            columns={"ci_low": "difference_ci_low", "ci_high": "difference_ci_high"})
        shown = table[[column, "n", "estimate", "ci_low", "ci_high", "conf", "small_n"]]
        merged = shown.merge(tested, on=column, how="left", sort=False)
        merged.insert(0, "segment", column)
        merged.insert(0, "metric", metric)
        merged["level"] = ["(missing)" if pd.isna(v) else str(v) for v in merged[column]]
        merged["significant"] = merged["significant"].fillna(False).astype(bool)
        merged["direction"] = _direction(merged["difference"], merged["significant"])
        parts.append(merged.drop(columns=[column]))
    columns = ["metric", "segment", "level", "n", "estimate", "ci_low", "ci_high", "conf",
               "small_n", "reference", "ref_estimate", "difference", "difference_ci_low",
               "difference_ci_high", "p_value", "p_adjusted", "significant", "direction"]
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True)
    out["reference"] = out["reference"].map(lambda v: v if pd.isna(v) else str(v))
    return out[columns]


_HEADLINE_FIELDS = ["n", "estimate", "ci_low", "ci_high", "small_n", "p_adjusted",
                    "significant", "direction"]


def segment_headline(results: pd.DataFrame, *, max_levels: int = 1000) -> dict:
    """Per-segment estimates for ``headline.json``, capped for huge segment columns.

    Parameters
    ----------
    results : DataFrame
        :func:`segment_results` output.
    max_levels : int
        Most levels written per metric and column: the significant ones first, then the
        largest by n (as :func:`choose_levels`).

    Returns
    -------
    dict
        ``{metric: {column: {"levels_total", "levels_omitted", "levels": [...]}}}``;
        each level is a dict with ``level``, ``n``, ``estimate``, ``ci_low``,
        ``ci_high``, ``small_n``, ``p_adjusted`` (``None`` when untested),
        ``significant`` and ``direction`` against the rest.

    Examples
    --------
    >>> r = pd.DataFrame({"metric": "csat", "segment": "channel", "level": ["chat", "email"],
    ...                   "n": [100, 100], "estimate": [80.0, 50.0], "ci_low": [71.1, 40.4],
    ...                   "ci_high": [86.7, 59.6], "small_n": False, "p_adjusted": [1e-5, 1e-5],
    ...                   "significant": True, "direction": ["above", "below"]})
    >>> h = segment_headline(r)
    >>> h["csat"]["channel"]["levels_total"], h["csat"]["channel"]["levels"][0]["level"]
    (2, 'chat')
    """
    out: dict = {}
    for (metric, column), part in results.groupby(["metric", "segment"], sort=False):
        choice = choose_levels(part, limit=max_levels)
        levels = []
        for row in choice.table.itertuples(index=False):
            item = {"level": row.level}
            for field in _HEADLINE_FIELDS:
                value = getattr(row, field)
                if field in ("small_n", "significant"):
                    item[field] = bool(value)
                elif field == "n":
                    item[field] = int(value)
                elif field == "direction":
                    item[field] = str(value)
                else:
                    item[field] = _number(value)
            levels.append(item)
        out.setdefault(metric, {})[column] = {"levels_total": choice.total,
                                              "levels_omitted": choice.omitted,
                                              "levels": levels}
    return out



# --------------------------------------------------------------------------------------
# The index page's tiles and findings (issue 13): plain values for headline.json, built
# from results the section builders already have. The index only shows them.
# --------------------------------------------------------------------------------------

#: Kinds of highlight, most important first: the index ranks the findings in this order.
HIGHLIGHT_KINDS = ("change", "out_of_control", "top_driver", "revenue_gap", "sla_miss",
                   "topic_gap")
#: Periods of a tile's trend line.
TILE_POINTS = 12


def heading_anchor(heading: str) -> str:
    """The id the exported report gives a markdown heading (as nbconvert makes it).

    Spaces become ``-``; characters not allowed in a URL fragment are %-encoded, so
    ``report.html#<anchor>`` links to the section.

    Examples
    --------
    >>> heading_anchor("Follow-up queue (close the loop)")
    'Follow-up-queue-(close-the-loop)'
    >>> heading_anchor("Relative importance: which drivers matter most")
    'Relative-importance:-which-drivers-matter-most'
    """
    from urllib.parse import quote

    return quote(str(heading).strip().replace(" ", "-"), safe="?/:@!$&'()*+,;=")


def highlight(kind: str, sentence: str, *, section: str, interval: str | None = None) -> dict:
    """One finding for the index: its kind, its sentence, and the section it links to.

    Parameters
    ----------
    kind : str
        One of :data:`HIGHLIGHT_KINDS` (its place there is its importance).
    sentence : str
        The finding, as the report states it.
    section : str
        The report's heading (``## ...`` in the notebook) under which it is shown.
    interval : str, optional
        The interval and ``n`` when the sentence does not hold them.

    Examples
    --------
    >>> h = highlight("sla_miss", "Target missed.", section="SLA compliance")
    >>> h["rank"], h["anchor"]
    (5, 'SLA-compliance')
    >>> highlight("news", "x", section="y")
    Traceback (most recent call last):
    ...
    csat_toolkit.errors.ParameterError: Unknown highlight kind 'news'; use one of 'change', 'out_of_control', 'top_driver', 'revenue_gap', 'sla_miss' (and 1 more).
    """
    if kind not in HIGHLIGHT_KINDS:
        raise ParameterError(f"Unknown highlight kind {kind!r}; use one of "
                             f"{show_values(list(HIGHLIGHT_KINDS))}.")
    return {"kind": kind, "rank": HIGHLIGHT_KINDS.index(kind) + 1, "sentence": str(sentence),
            "interval": interval, "section": section, "anchor": heading_anchor(section)}


def _moments(values) -> pd.Series:
    """Timestamps of a series of dates or periods (a period by its first and last moment)."""
    values = pd.Series(values)
    if isinstance(values.dtype, pd.PeriodDtype):
        values = values.dropna()
        return pd.concat([values.dt.start_time, values.dt.end_time], ignore_index=True)
    stamps = pd.to_datetime(values, errors="coerce")
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    return stamps


def data_period(columns: Mapping[str, object]) -> dict | None:
    """The first and last moment in the data a report read, for its header.

    Parameters
    ----------
    columns : mapping
        ``{column name: values}``: dates, or periods (taken from their first to their
        last moment). Missing values are ignored.

    Returns
    -------
    dict or None
        ``start``, ``end`` (ISO text) and ``columns`` (the names with dates); None when
        no column holds a date.

    Examples
    --------
    >>> data_period({"responded_at": pd.to_datetime(["2024-03-02 10:00", None, "2024-01-05 08:00"]),
    ...              "period": pd.PeriodIndex(["2024-02", "2024-04"], freq="M")})
    {'start': '2024-01-05T08:00:00', 'end': '2024-04-30T23:59:59', 'columns': ['responded_at', 'period']}
    >>> data_period({"responded_at": pd.Series([None, None])}) is None
    True
    """
    start = end = None
    used = []
    for name, values in columns.items():
        stamps = _moments(values).dropna()
        if stamps.empty:
            continue
        used.append(str(name))
        low, high = stamps.min(), stamps.max()
        start = low if start is None or low < start else start
        end = high if end is None or high > end else end
    if start is None:
        return None
    return {"start": start.floor("s").isoformat(), "end": end.floor("s").isoformat(),
            "columns": used}


def rows_used(used: int, read: int, what: str = "answers") -> dict:
    """The rows a report used of those it read, for its header.

    Examples
    --------
    >>> rows_used(14375, 22569)
    {'used': 14375, 'read': 22569, 'what': 'answers'}
    """
    return {"used": int(used), "read": int(read), "what": str(what)}


def latest_change(changes: pd.DataFrame | None) -> pd.Series | None:
    """The row of the last period of a :func:`csat_toolkit.trends.period_changes` table.

    Examples
    --------
    >>> t = pd.DataFrame({"period": ["2024-02", "2024-03"], "difference": [1.0, -2.0]})
    >>> latest_change(t)["period"]
    '2024-03'
    >>> latest_change(None) is None
    True
    """
    if changes is None or not len(changes):
        return None
    return changes.iloc[-1]


def _change(row: pd.Series | None, statistic: str, sentence: str | None) -> dict | None:
    if row is None or pd.isna(row.get("difference")):
        return None
    unit = "" if statistic == "mean" else " pts"
    digits = 2 if statistic == "mean" else 1
    significant = bool(row.get("significant", False))
    direction = ("up" if row["difference"] > 0 else "down") if significant else "none"
    return {"period": str(row["period"]), "reference": str(row["reference"]),
            "difference": _number(row["difference"]), "ci_low": _number(row.get("ci_low")),
            "ci_high": _number(row.get("ci_high")), "p_adjusted": _number(row.get("p_adjusted")),
            "significant": significant, "direction": direction,
            "display": f"{row['difference']:+.{digits}f}{unit}",
            "detail": (f"vs {row['reference']} ({format_level(row['conf'])} CI "
                       f"{row['ci_low']:+.{digits}f} to {row['ci_high']:+.{digits}f})"
                       if "conf" in row and pd.notna(row.get("ci_low")) else f"vs {row['reference']}"),
            "sentence": sentence}


def tile(card: dict, *, series: pd.DataFrame | None = None, change: pd.Series | None = None,
         change_sentence: str | None = None, benchmark: pd.Series | None = None,
         points: int = TILE_POINTS) -> dict:
    """A headline metric's tile for the index: its card, a short series, the latest change
    and the benchmark's verdict.

    Parameters
    ----------
    card : dict
        The metric's KPI card (:func:`kpi`).
    series : DataFrame, optional
        The metric per period (:func:`csat_toolkit.metric_table` with ``period=``); the
        last ``points`` periods are kept (``period``, ``n``, ``estimate``, ``ci_low``,
        ``ci_high``).
    change : Series, optional
        The last period against the one before (a row of
        :func:`csat_toolkit.trends.period_changes`, see :func:`latest_change`): its
        difference, interval, corrected p-value and whether it is significant.
        ``direction`` is ``up``/``down`` only when significant, else ``none``.
    change_sentence : str, optional
        The change as the report states it.
    benchmark : Series, optional
        The metric's row of :func:`csat_toolkit.compare_to_benchmark`.
    points : int
        Periods of the series kept.

    Returns
    -------
    dict
        The card's keys with ``series`` (list of dicts), ``change`` (dict or None) and
        ``benchmark`` (``label``, ``verdict``, ``low``, ``high``, ``source``; or None).

    Examples
    --------
    >>> card = {"metric": "csat", "label": "CSAT", "value": 60.0, "display": "60.0%"}
    >>> change = pd.Series({"period": "2024-02", "reference": "2024-01", "difference": -30.0,
    ...                     "ci_low": -41.7, "ci_high": -16.9, "conf": 0.95,
    ...                     "p_adjusted": 1e-5, "significant": True})
    >>> t = tile(card, change=change)
    >>> t["change"]["direction"], t["change"]["display"], t["change"]["detail"]
    ('down', '-30.0 pts', 'vs 2024-01 (95% CI -41.7 to -16.9)')
    """
    from ..core.metrics import get_metric

    out = dict(card)
    metric = card.get("metric")
    statistic = get_metric(metric).statistic if metric else "share"
    out["series"] = []
    if series is not None and len(series):
        shown = series.tail(int(points))
        out["series"] = [{"period": str(r["period"]), "n": int(r["n"]),
                          "estimate": _number(r["estimate"]), "ci_low": _number(r.get("ci_low")),
                          "ci_high": _number(r.get("ci_high"))}
                         for _, r in shown.iterrows()]
    out["change"] = _change(change, statistic, change_sentence)
    out["benchmark"] = None
    if benchmark is not None:
        out["benchmark"] = {"label": benchmark.get("benchmark_label"),
                            "verdict": benchmark.get("verdict"),
                            "low": _number(benchmark.get("benchmark_low")),
                            "high": _number(benchmark.get("benchmark_high")),
                            "source": benchmark.get("benchmark_source")}
    return out


_SLA_NAMES = {"first_response": "First response", "resolution": "Resolution",
              "next_response": "Next response"}


def sla_miss(table: pd.DataFrame | None, *, section: str = "SLA compliance") -> dict | None:
    """The SLA target missed most often, as a highlight (None when no target was missed).

    ``table`` is :func:`csat_toolkit.ops.sla_compliance`'s table (``metric``, ``met``,
    ``n`` decided tickets, ``estimate`` the share met with ``ci_low``/``ci_high``). The
    share missed is 100 minus the share met, with the interval mirrored (the Wilson
    interval of the complement).

    Examples
    --------
    >>> t = pd.DataFrame({"metric": ["first_response", "resolution"], "met": [95, 80],
    ...                   "n": [100, 100], "estimate": [95.0, 80.0], "ci_low": [88.8, 71.1],
    ...                   "ci_high": [97.8, 86.7], "conf": [0.95, 0.95]})
    >>> sla_miss(t)["sentence"]
    'Resolution target missed for 20 of 100 decided tickets (20.0%, 95% CI 13.3% to 28.9%).'
    """
    if table is None or not len(table):
        return None
    decided = table[table["n"] > 0]
    if decided.empty or (decided["met"] >= decided["n"]).all():
        return None
    row = decided.loc[decided["estimate"].idxmin()]
    name = _SLA_NAMES.get(str(row["metric"]), str(row["metric"]).replace("_", " ").capitalize())
    missed = int(row["n"]) - int(row["met"])
    sentence = (f"{name} target missed for {missed:,} of {int(row['n']):,} decided tickets "
                f"({100 - row['estimate']:.1f}%, {format_level(row['conf'])} CI "
                f"{100 - row['ci_high']:.1f}% to {100 - row['ci_low']:.1f}%).")
    return highlight("sla_miss", sentence, section=section)
