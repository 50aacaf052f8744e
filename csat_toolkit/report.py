"""Helpers for notebooks: headline numbers as JSON for the index and the tests.

Each notebook writes ``headline.json`` into its output folder: a title, KPI cards
(value, interval, n, a display string) and the findings as sentences. The runner's
index and the tests read this file, never the HTML.
"""
from __future__ import annotations

import html
import json
import math
from pathlib import Path

import pandas as pd

from .metrics import get_metric
from .text import describe_estimate, format_hours, format_level, format_value

__all__ = ["kpi", "write_headline", "sentences_html", "readable"]


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
    """Write ``headline.json`` (sorted keys, so reruns give identical files)."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"title": title, "kpis": kpis, "findings": findings, **(extra or {})}
    path = folder / "headline.json"
    path.write_text(json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False, default=str),
                    encoding="utf-8")
    return path


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
