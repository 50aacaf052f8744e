"""Sentences that state a finding with its interval, for notebooks and reports.

Wording rules: every estimate carries its interval and n; a difference is called
higher or lower only when its corrected test is significant and both groups are
large enough; otherwise the sentence says the data cannot tell them apart.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from ..errors import ParameterError
from .metrics import get_metric

__all__ = ["PERIOD_NAMES", "format_value", "format_level", "describe_estimate", "describe_comparison", "format_p",
           "bucket_labels", "check_edges"]

_UNITS = {"share": "%", "nps": "", "mean": ""}
#: Calendar period codes in words ("per month", "one quarter").
PERIOD_NAMES = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}
_DURATION_UNITS = {"hours": "h", "hour": "h", "h": "h", "minutes": "min", "minute": "min",
          "min": "min", "days": "d", "day": "d", "d": "d", "seconds": "s", "second": "s",
          "s": "s"}


def format_value(value: float, statistic: str) -> str:
    """Format an estimate in its unit (percent one decimal, NPS one decimal, mean two).

    Examples
    --------
    >>> format_value(78.43, "share"), format_value(-12.0, "nps"), format_value(5.321, "mean")
    ('78.4%', '-12.0', '5.32')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    digits = 2 if statistic == "mean" else 1
    return f"{value:.{digits}f}{_UNITS[statistic]}"


def format_level(conf: float) -> str:
    """A confidence level as a percentage, without rounding it away.

    Examples
    --------
    >>> format_level(0.95), format_level(0.975)
    ('95%', '97.5%')
    """
    return f"{conf * 100:.6g}%"


def _interval(low: float, high: float, statistic: str, conf: float, prefix: str = "") -> str:
    level = f"{prefix}{format_level(conf)} CI"
    if any(pd.isna(v) for v in (low, high)):
        return f"{level} not available"
    return f"{level} {format_value(low, statistic)} to {format_value(high, statistic)}"


def format_hours(hours: float) -> str:
    """A duration given in hours, in the unit people read: seconds, minutes or hours.

    Examples
    --------
    >>> [format_hours(h) for h in (30 / 3600, 1 / 60, 0.25, 1, 1.5, 24)]
    ['30 s', '1 min', '15 min', '1 h', '1.5 h', '24 h']
    """
    if hours < 0.99 / 60:
        return f"{hours * 3600:.0f} s"
    if hours < 1:
        return f"{hours * 60:.3g} min"
    return f"{hours:.3g} h"


def format_p(p: float) -> str:
    """Format a p-value the APA way.

    Examples
    --------
    >>> format_p(0.0004), format_p(0.0312), format_p(0.5)
    ('p < 0.001', 'p = 0.031', 'p = 0.500')
    """
    if pd.isna(p):
        return "p not available"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def describe_estimate(row: pd.Series, *, label: str | None = None, min_n: int | None = None) -> str:
    """One sentence for one row of a metric table.

    Examples
    --------
    >>> row = pd.Series({"metric": "csat", "n": 12345, "estimate": 78.43, "ci_low": 77.1,
    ...                  "ci_high": 79.6, "conf": 0.95, "small_n": False})
    >>> describe_estimate(row)
    'CSAT (% satisfied) 78.4% (95% CI 77.1% to 79.6%, n=12,345).'
    """
    spec = get_metric(row["metric"])
    name = label or spec.label
    text = (
        f"{name} {format_value(row['estimate'], spec.statistic)} "
        f"({_interval(row['ci_low'], row['ci_high'], spec.statistic, row['conf'])}, "
        f"n={int(row['n']):,})"
    )
    if bool(row.get("small_n", False)):
        limit = f" (fewer than {min_n} answers)" if min_n else ""
        text += f"; small sample{limit}, read with care"
    return text + "."


def describe_comparison(row: pd.Series, *, key: str | None = None) -> str:
    """One sentence for one row of :func:`csat_toolkit.comparisons.compare`.

    Examples
    --------
    >>> row = pd.Series({"channel": "chat", "reference": "rest", "metric": "csat",
    ...     "estimate": 84.0, "ref_estimate": 79.0, "difference": 5.0, "ci_low": 2.1,
    ...     "ci_high": 7.9, "p_adjusted": 0.002, "significant": True, "small_n": False,
    ...     "conf": 0.95, "correction": "Holm", "n": 900, "ref_n": 4000})
    >>> describe_comparison(row, key="channel")
    'channel = chat: CSAT (% satisfied) 84.0% is 5.0 points above rest (79.0%; difference unadjusted 95% CI 2.1 to 7.9, Holm-adjusted p = 0.002).'
    """
    spec = get_metric(row["metric"])
    unit = "points" if spec.statistic != "mean" else "on the scale"
    level = "(missing)" if key and pd.isna(row[key]) else (row[key] if key else None)
    who = f"{key} = {level}" if key else str(row.get("period", ""))
    ref = row["reference"]
    difference_unit = "nps" if unit == "points" else "mean"  # plain number, no % sign
    interval = _interval(row["ci_low"], row["ci_high"], difference_unit, row["conf"],
                         prefix="unadjusted ")
    detail = f"difference {interval}, {row['correction']}-adjusted {format_p(row['p_adjusted'])}"
    estimate = format_value(row["estimate"], spec.statistic)
    ref_estimate = format_value(row["ref_estimate"], spec.statistic)
    if bool(row["small_n"]):
        sizes = ("n_eff", "ref_n_eff") if "n_eff" in row else ("n", "ref_n")
        label = "effective n" if "n_eff" in row else "n"
        return (
            f"{who}: {spec.label} {estimate} against {ref_estimate} for {ref}; too few answers "
            f"({label}={row[sizes[0]]:,.0f} and {row[sizes[1]]:,.0f}) to call a difference."
        )
    if bool(row["significant"]):
        size = abs(row["difference"])
        direction = "above" if row["difference"] > 0 else "below"
        amount = f"{size:.1f} points" if unit == "points" else f"{size:.2f}"
        return f"{who}: {spec.label} {estimate} is {amount} {direction} {ref} ({ref_estimate}; {detail})."
    return (
        f"{who}: {spec.label} {estimate} is not distinguishable from {ref} ({ref_estimate}; {detail})."
    )


# --- duration buckets (speed drivers, operations) ------------------------------------------


def bucket_labels(edges: Sequence[float] = (1, 4, 24), unit: str = "hours") -> list[str]:
    """Labels of duration buckets: under the first edge, between edges, over the last.

    Examples
    --------
    >>> bucket_labels()
    ['under 1 h', '1-4 h', '4-24 h', 'over 24 h']
    >>> bucket_labels((30, 120), unit="minutes")
    ['under 30 min', '30-120 min', 'over 120 min']
    >>> bucket_labels((30 / 3600, 1 / 60, 90 / 3600))
    ['under 30 s', '30 s-1 min', '1-1.5 min', 'over 1.5 min']
    """
    edges = check_edges(edges)
    if unit == "hours" and edges[0] < 1:  # sub-hour edges read in seconds or minutes
        names = [format_hours(e) for e in edges]
        middle = [_span(a, b) for a, b in zip(names[:-1], names[1:])]
        return [f"under {names[0]}", *middle, f"over {names[-1]}"]
    short = _DURATION_UNITS.get(unit, unit)
    labels = [f"under {edges[0]:g} {short}"]
    labels += [f"{a:g}-{b:g} {short}" for a, b in zip(edges[:-1], edges[1:])]
    return labels + [f"over {edges[-1]:g} {short}"]


def _span(low: str, high: str) -> str:
    """ "30-60 s" when both ends share a unit, else "30 s-1 min"."""
    (a, unit_a), (b, unit_b) = low.split(" ", 1), high.split(" ", 1)
    return f"{a}-{b} {unit_b}" if unit_a == unit_b else f"{low}-{high}"


def check_edges(edges) -> list[float]:
    try:
        edges = [float(e) for e in edges]
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"edges must be numbers such as (1, 4, 24); got {edges!r}.") from exc
    if not edges or any(e <= 0 for e in edges) or any(b <= a for a, b in zip(edges, edges[1:])):
        raise ParameterError(
            f"edges must be positive and increasing, for example (1, 4, 24); got {edges!r}."
        )
    return edges
