"""Resolution quality: first-contact resolution (FCR) under a named definition, handle
time, contacts per ticket and reopen rate, with FCR beside SQM's benchmarks.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..core import stats
from ..core.benchmarks import compare_to_benchmark, load_benchmarks
from ..core.tally import as_keys
from ..errors import MissingColumnError, ParameterError, require_columns, show_values
from ._common import _UNIT_SECONDS, _check_frame, _check_min_n, _flag, _groups, _times, _wilson
from .response import _QUANTILE_METHOD, quantile_interval

__all__ = ["FCR_BENCHMARKS", "resolution_quality", "quality_both_ways", "describe_quality"]

FCR_BENCHMARKS = {"average": "sqm_fcr_average_70", "world_class": "sqm_fcr_world_class_80"}
"""SQM Group's call-centre FCR benchmarks in ``data/benchmarks.csv`` (70% industry
average, 80% world class; measured by post-call surveys, not from ticket data)."""


# --- resolution quality -------------------------------------------------------------------


_FCR_DEFINITIONS = ("contacts", "one_touch")


def _fcr_parts(tickets: pd.DataFrame, method: str, reopen_window_days: float
               ) -> tuple[pd.DataFrame, list[str]]:
    """Per ticket: decided, resolved, fcr, reopened (NaN where unknown), and notes."""
    notes: list[str] = []
    n = len(tickets)
    if "resolved_at" in tickets.columns:
        resolved_at = _times(tickets, "resolved_at")
        resolved = resolved_at.notna().to_numpy(float)
        decided = resolved.astype(bool)
    elif "resolved" in tickets.columns:
        flag = _flag(tickets["resolved"], "resolved").to_numpy()
        resolved, decided = np.nan_to_num(flag), ~np.isnan(flag)
        resolved_at = None
    else:
        raise MissingColumnError(
            f"resolution_quality needs resolved_at (time stamps) or a resolved flag (1/0, Y/N); "
            f"the tickets have {show_values(list(tickets.columns), 12)}. Map one of them."
        )
    reopened = np.zeros(n)
    if "reopened_at" in tickets.columns and resolved_at is not None:
        again = _times(tickets, "reopened_at")
        gap = (again - resolved_at).dt.total_seconds().to_numpy() / 86400
        reopened = np.where(again.notna().to_numpy(), (gap >= 0) & (gap <= reopen_window_days), 0.0)
        reopen_text = f"not reopened within {reopen_window_days:g} days (reopened_at)"
    elif "reopened" in tickets.columns:
        reopened = _flag(tickets["reopened"], "reopened").to_numpy()
        reopen_text = "not reopened (the reopened flag as recorded: no reopened_at to apply the " \
                      f"{reopen_window_days:g}-day window)"
    else:
        reopen_text = "no reopen data (every resolved ticket counted as not reopened)"
        notes.append("No reopened or reopened_at column: reopens cannot be counted, so FCR "
                     "equals resolution with one contact.")
    if method == "contacts":
        require_columns(tickets, ["contacts"], "FCR with method='contacts' needs the column "
                        "{missing} (customer contacts to resolve); found {found}. Map it, or use "
                        "method='one_touch' with an agent_replies column.")
        touches = pd.to_numeric(tickets["contacts"], errors="coerce").to_numpy(float)
        definition = f"FCR: resolved with one customer contact and {reopen_text}"
        fcr = (resolved == 1) & (touches == 1) & (np.nan_to_num(reopened) == 0)
    else:
        column = "agent_replies" if "agent_replies" in tickets.columns else "contacts"
        require_columns(tickets, [column], "method='one_touch' needs agent_replies (agent "
                        "replies per ticket) or contacts; found {found}.")
        touches = pd.to_numeric(tickets[column], errors="coerce").to_numpy(float)
        definition = ("one-touch resolution: resolved with a single "
                      + ("agent reply" if column == "agent_replies"
                         else "contact (proxy: no agent_replies column)")
                      + "; reopens ignored")
        fcr = (resolved == 1) & (touches == 1)
    known = decided & ~(np.isnan(touches) & (resolved == 1))
    contacts = (pd.to_numeric(tickets["contacts"], errors="coerce").to_numpy(float)
                if "contacts" in tickets.columns else np.full(n, np.nan))
    frame = pd.DataFrame({"decided": known, "resolved": resolved == 1,
                          "fcr": np.where(known, fcr, np.nan), "reopened": reopened,
                          "contacts": contacts}, index=tickets.index)
    return frame, [definition, *notes]


def resolution_quality(
    tickets: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    reopen_window_days: float = 7,
    method: str = "contacts",
    conf: float = 0.95,
    min_n: int = 30,
    handle_unit: str = "minutes",
) -> pd.DataFrame:
    """First-contact resolution, handle time, contacts per ticket and reopen rate.

    Definitions (each row names its own in ``method``):

    - ``fcr`` with ``method="contacts"``: the share of decided tickets resolved with one
      customer contact and not reopened within ``reopen_window_days`` of the resolution
      (the window needs a ``reopened_at`` column; with only a ``reopened`` 0/1 flag the
      flag is taken as recorded, and the method says so). With
      ``method="one_touch"``: resolved with a single agent reply (``agent_replies``
      column; without it, a single contact is the proxy), reopens ignored, as
      helpdesks' "one-touch tickets" count them. Decided tickets are the resolved ones
      (``resolved_at`` present); with a ``resolved`` flag column instead (call-centre
      data), every flagged ticket is decided and unresolved ones count against FCR.
      Beside it: SQM's call-centre benchmarks (70% average, 80% world class;
      :data:`FCR_BENCHMARKS`), which are measured by post-call surveys, not from
      tickets.
    - ``aht_mean`` / ``aht_median``: handle time (``handle_time`` in seconds) in
      ``handle_unit``, mean with a t interval, median with an order-statistic interval.
    - ``contacts_per_ticket``: mean contacts of resolved tickets, t interval.
    - ``reopen_rate``: share of resolved tickets reopened (within the window when
      ``reopened_at`` exists), Wilson interval.

    Parameters
    ----------
    tickets : DataFrame
    by : str or list of str, optional
    reopen_window_days : float
    method : {"contacts", "one_touch"}
        The FCR definition.
    conf, min_n
    handle_unit : {"minutes", "seconds", "hours"}

    Returns
    -------
    DataFrame
        One row per group and metric (those the columns allow): the ``by`` columns,
        ``metric``, ``unit``, ``n``, ``n_missing`` (tickets in scope without the value),
        ``estimate``, ``ci_low``, ``ci_high``, ``conf``, ``method``, ``small_n``, and for
        ``fcr`` ``benchmark_average``, ``benchmark_world_class``, ``verdict_average``,
        ``verdict_world_class``, ``benchmark_source``.

    Examples
    --------
    >>> tickets = pd.DataFrame({
    ...     "resolved_at": pd.to_datetime(["2024-03-01"] * 4 + [None]),
    ...     "contacts": [1, 1, 2, 1, 1], "reopened": [0, 1, 0, 0, 0],
    ...     "handle_time": [300, 600, 900, 1200, 600]})
    >>> out = resolution_quality(tickets, min_n=2)
    >>> out[["metric", "n", "estimate"]].round(2).values.tolist()
    [['fcr', 4, 50.0], ['aht_mean', 5, 12.0], ['aht_median', 5, 10.0], ['contacts_per_ticket', 4, 1.25], ['reopen_rate', 4, 25.0]]
    """
    _check_frame(tickets, "tickets")
    stats.z_value(conf)
    min_n = _check_min_n(min_n)
    if method not in _FCR_DEFINITIONS:
        raise ParameterError(f"method must be 'contacts' (FCR) or 'one_touch'; got {method!r}.")
    if handle_unit not in _UNIT_SECONDS:
        raise ParameterError(
            f"handle_unit must be one of {', '.join(_UNIT_SECONDS)}; got {handle_unit!r}.")
    if isinstance(reopen_window_days, bool) or not isinstance(reopen_window_days, (int, float)) \
            or not reopen_window_days > 0:
        raise ParameterError(
            f"reopen_window_days must be a positive number of days; got {reopen_window_days!r}.")
    keys = as_keys(by)
    require_columns(tickets, keys, "resolution_quality(by=...) names {missing}, which the "
                    "tickets do not have; found {found}.")
    parts, notes = _fcr_parts(tickets, method, reopen_window_days)
    definition = notes[0]
    handle = (pd.to_numeric(tickets["handle_time"], errors="coerce").to_numpy(float)
              / _UNIT_SECONDS[handle_unit] if "handle_time" in tickets.columns else None)
    frame = tickets[keys].reset_index(drop=True).assign(
        **{f"_{c}": parts[c].to_numpy() for c in parts.columns})
    if handle is not None:
        frame["_handle"] = handle
    rows = []
    for group, part in _groups(frame, keys):
        base = dict(zip(keys, group))
        rows.extend(base | row for row in _quality_rows(
            part, handle is not None, "contacts" in tickets.columns, definition, handle_unit, conf))
    out = pd.DataFrame(rows)
    out["conf"] = conf
    out["small_n"] = out["n"] < min_n
    out = _add_fcr_benchmarks(out)
    columns = [*keys, "metric", "unit", "n", "n_missing", "estimate", "ci_low", "ci_high",
               "conf", "method", "small_n", "benchmark_average", "benchmark_world_class",
               "verdict_average", "verdict_world_class", "benchmark_source"]
    return out[columns].reset_index(drop=True)


def _quality_rows(part: pd.DataFrame, has_handle: bool, has_contacts: bool, definition: str,
                  handle_unit: str, conf: float) -> list[dict]:
    rows = []
    decided = part["_decided"].to_numpy(bool)
    fcr = part["_fcr"].to_numpy(float)[decided]
    scope = part["_resolved"].to_numpy(bool) | decided
    estimate, low, high = _wilson(np.nansum(fcr), fcr.size, conf)
    rows.append({"metric": "fcr", "unit": "%", "n": fcr.size,
                 "n_missing": int((scope & ~decided).sum()),
                 "estimate": float(estimate), "ci_low": float(low), "ci_high": float(high),
                 "method": f"Wilson score interval; {definition}"})
    if has_handle:
        values = part["_handle"].to_numpy(float)
        timed = values[~np.isnan(values)]
        mean = float(timed.mean()) if timed.size else np.nan
        sd = float(timed.std(ddof=1)) if timed.size > 1 else np.nan
        low, high = stats.mean_interval(mean, sd, timed.size, conf=conf)
        rows.append({"metric": "aht_mean", "unit": handle_unit, "n": timed.size,
                     "n_missing": int(np.isnan(values).sum()), "estimate": mean,
                     "ci_low": low, "ci_high": high,
                     "method": "t interval; mean handle time (handle_time) per ticket"})
        estimate, low, high = quantile_interval(timed, 0.5, conf=conf)
        rows.append({"metric": "aht_median", "unit": handle_unit, "n": timed.size,
                     "n_missing": int(np.isnan(values).sum()), "estimate": estimate,
                     "ci_low": low, "ci_high": high,
                     "method": f"median handle time; {_QUANTILE_METHOD}"})
    resolved = part["_resolved"].to_numpy(bool)
    if has_contacts:
        contacts = part["_contacts"].to_numpy(float)[resolved]
        known = contacts[~np.isnan(contacts)]
        mean = float(known.mean()) if known.size else np.nan
        sd = float(known.std(ddof=1)) if known.size > 1 else np.nan
        low, high = stats.mean_interval(mean, sd, known.size, conf=conf)
        rows.append({"metric": "contacts_per_ticket", "unit": "contacts", "n": known.size,
                     "n_missing": int(np.isnan(contacts).sum()), "estimate": mean,
                     "ci_low": low, "ci_high": high,
                     "method": "t interval; mean customer contacts per resolved ticket"})
    reopened = part["_reopened"].to_numpy(float)[resolved]
    flagged = reopened[~np.isnan(reopened)]
    estimate, low, high = _wilson(flagged.sum(), flagged.size, conf)
    rows.append({"metric": "reopen_rate", "unit": "%", "n": flagged.size,
                 "n_missing": int(np.isnan(reopened).sum()), "estimate": float(estimate),
                 "ci_low": float(low), "ci_high": float(high),
                 "method": "Wilson score interval; share of resolved tickets reopened"})
    return rows


def _add_fcr_benchmarks(out: pd.DataFrame) -> pd.DataFrame:
    out = out.copy()
    table = load_benchmarks().set_index("benchmark_id")
    average, world = (table.loc[FCR_BENCHMARKS[k]] for k in ("average", "world_class"))
    fcr = out["metric"] == "fcr"
    out["benchmark_average"] = np.where(fcr, float(average["low"]), np.nan)
    out["benchmark_world_class"] = np.where(fcr, float(world["low"]), np.nan)
    for name, bench_id in (("verdict_average", FCR_BENCHMARKS["average"]),
                           ("verdict_world_class", FCR_BENCHMARKS["world_class"])):
        out[name] = pd.Series(None, index=out.index, dtype=object)
        if fcr.any():
            compared = compare_to_benchmark(
                out.loc[fcr, ["n", "estimate", "ci_low", "ci_high", "small_n"]], bench_id)
            out.loc[fcr, name] = compared["verdict"].astype(object).to_numpy()
    out["benchmark_source"] = pd.Series(
        np.where(fcr, f"{average['source']}; {world['source']} (post-call surveys)", None),
        index=out.index, dtype=object)
    return out



def quality_both_ways(tickets: pd.DataFrame, *, method: str = "contacts",
                      **options) -> pd.DataFrame:
    """:func:`resolution_quality` under ``method``, with FCR under the other definition beside it.

    The other definition's row is named ``fcr (<method>)``; it is left out when the
    tickets lack its columns. ``options`` go to :func:`resolution_quality`.

    Examples
    --------
    >>> t = pd.DataFrame({"ticket_id": ["a", "b", "c"], "contacts": [1, 2, 1],
    ...                   "reopened": [0, 0, 1], "resolved_at": pd.to_datetime(["2025-01-02"] * 3)})
    >>> quality_both_ways(t, min_n=1)["metric"].tolist()[-1]
    'fcr (one_touch)'
    """
    quality = resolution_quality(tickets, method=method, **options)
    other = "one_touch" if method == "contacts" else "contacts"
    try:
        alternative = resolution_quality(tickets, method=other, **{
            k: v for k, v in options.items() if k != "reopen_window_days"})
    except MissingColumnError:
        return quality
    alternative = alternative[alternative["metric"] == "fcr"].assign(metric=f"fcr ({other})")
    return pd.concat([quality, alternative], ignore_index=True)


def describe_quality(quality: pd.DataFrame, *, handle_unit: str = "minutes") -> list[str]:
    """Sentences for a :func:`resolution_quality` table: FCR against SQM, then the others.

    Examples
    --------
    >>> q = pd.DataFrame({"metric": ["reopen_rate"], "estimate": [4.2], "ci_low": [3.1],
    ...                   "ci_high": [5.6], "n": [900], "conf": [0.95]})
    >>> describe_quality(q)
    ['Reopen rate 4.20% (95% CI 3.10 to 5.60, n=900).']
    """
    rows = quality.set_index("metric")
    out = []
    if "fcr" in rows.index:
        fcr = rows.loc["fcr"]
        out.append(f"First-contact resolution {fcr['estimate']:.1f}% ({fcr['conf']:.0%} CI "
                   f"{fcr['ci_low']:.1f}% to {fcr['ci_high']:.1f}%, n={int(fcr['n']):,}): "
                   f"{fcr['verdict_average']} SQM's 70% average and {fcr['verdict_world_class']} "
                   f"its 80% world class. Definition: {fcr['method']}.")
    for metric, label, unit in (("aht_mean", "Average handle time", " " + handle_unit),
                                ("contacts_per_ticket", "Contacts per resolved ticket", ""),
                                ("reopen_rate", "Reopen rate", "%")):
        if metric in rows.index:
            row = rows.loc[metric]
            out.append(f"{label} {row['estimate']:.2f}{unit} ({row['conf']:.0%} CI "
                       f"{row['ci_low']:.2f} to {row['ci_high']:.2f}, n={int(row['n']):,}).")
    return out
