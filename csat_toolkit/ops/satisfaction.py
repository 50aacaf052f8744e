"""Operations and satisfaction: satisfaction when the SLA was met against missed, by
first-response bucket against the fastest, and with first-contact resolution against
without; two-proportion tests with Newcombe intervals, corrected for multiple testing.

References
----------
- Wilson (1927) and Newcombe (1998): see :mod:`csat_toolkit.stats`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..core import stats
from ..core.comparisons import CORRECTION_NAMES
from ..core.scales import Scale, get_scale
from ..core.text import bucket_labels, check_edges, format_p
from ..errors import MissingColumnError, ParameterError, require_columns, show_values
from ..io.tables import join_answers
from .businesshours import Schedule
from ._common import SLA_METRICS, _check_frame, _check_min_n, _flag
from .quality import _fcr_parts
from .response import _duration_values
from .sla import SlaResult, sla_compliance

__all__ = ["ops_satisfaction", "describe_ops_satisfaction"]


def _answer_outcome(answers: pd.DataFrame, outcome: str, scale) -> tuple[pd.Series, dict]:
    """0/1 outcome per answer (NaN where unusable) and why answers are unusable (masks)."""
    if outcome in answers.columns:
        values = _flag(answers[outcome], outcome)
        return values, {f"missing {outcome}": values.isna().to_numpy()}
    if outcome != "satisfied":
        raise MissingColumnError(
            f"The answers have no column {outcome!r}; found {show_values(list(answers.columns), 12)}. "
            "Use outcome='satisfied' (from score) or name a 0/1 column."
        )
    require_columns(answers, ["score"], "outcome='satisfied' needs the column {missing}; "
                    "found {found}.")
    scale = get_scale(scale, survey="csat") if not isinstance(scale, Scale) else scale
    scores, _ = scale.parse(answers["score"])
    other = (answers["survey"].astype(str) != scale.survey) if "survey" in answers.columns \
        else pd.Series(False, index=answers.index)
    flag = pd.Series(np.where(scores.isna() | other, np.nan,
                              scale.is_positive(scores.fillna(-np.inf).to_numpy()).astype(float)),
                     index=answers.index)
    return flag, {f"not a {scale.survey} answer": other.to_numpy(),
                  "score missing or not on the scale": (scores.isna() & ~other).to_numpy()}


def ops_satisfaction(
    tickets: pd.DataFrame,
    answers: pd.DataFrame,
    *,
    on: str = "ticket_id",
    outcome: str = "satisfied",
    conf: float = 0.95,
    correction: str = "holm",
    targets: Mapping | pd.DataFrame | None = None,
    sla: SlaResult | None = None,
    clock: str = "calendar",
    schedule: Schedule | Mapping | None = None,
    as_of=None,
    edges: Sequence[float] = (1, 4, 24),
    scale: str | Scale | None = None,
    reopen_window_days: float = 7,
    min_n: int = 30,
) -> pd.DataFrame:
    """Satisfaction by SLA met or missed, first-response bucket and first-contact resolution.

    Answers are joined to their tickets by ``on``. One row per comparison, each a
    group against a reference: SLA met vs breached (per targeted metric; needs
    ``targets`` or ``sla``), each first-response bucket vs the fastest (calendar hours,
    ``edges``), FCR vs not (the definition of :func:`resolution_quality`, method
    ``"contacts"``). Tests: two-proportion z test, Newcombe hybrid score interval of the
    difference, p-values adjusted across all rows (Holm by default). A difference is
    ``significant`` when the adjusted p is below ``1 - conf``, its interval excludes 0
    and neither side has fewer than ``min_n`` answers.

    Parameters
    ----------
    tickets, answers : DataFrame
        Canonical tickets and survey answers (answers carry ``on``).
    on : str
    outcome : str
        ``"satisfied"`` (CSAT answers' ``score`` on ``scale``, top-2-box by default) or a
        0/1 column of the answers.
    conf, correction
        Confidence level; ``"holm"``, ``"bh"`` or ``"none"``.
    targets, sla, clock, schedule, as_of
        SLA targets for :func:`sla_compliance` (or its result as ``sla``).
    edges : sequence of float
        First-response bucket edges in hours (labels from
        :func:`csat_toolkit.core.text.bucket_labels`).
    scale, reopen_window_days, min_n

    Returns
    -------
    DataFrame
        ``comparison``, ``group``, ``reference``, ``n``, ``estimate`` (% satisfied),
        ``ref_n``, ``ref_estimate``, ``difference`` (points) with ``ci_low``,
        ``ci_high``, ``statistic``, ``p_value``, ``p_adjusted``, ``significant``,
        ``small_n``, ``conf``, ``test``, ``correction``, ``method``.
        ``attrs["accounting"]`` counts the answers (matched, not matched, unusable) and
        ``attrs["warnings"]`` lists what could not be compared.

    Examples
    --------
    >>> tickets = pd.DataFrame({"ticket_id": ["T1", "T2", "T3", "T4"],
    ...     "created_at": pd.to_datetime(["2024-03-04 09:00"] * 4),
    ...     "first_response_at": pd.to_datetime(["2024-03-04 09:30", "2024-03-04 09:40",
    ...                                          "2024-03-04 15:00", "2024-03-05 12:00"]),
    ...     "resolved_at": pd.to_datetime(["2024-03-06 09:00"] * 4), "contacts": [1, 1, 2, 3]})
    >>> answers = pd.DataFrame({"ticket_id": ["T1", "T2", "T3", "T4"] * 10,
    ...                         "score": [5, 4, 2, 1] * 10})
    >>> out = ops_satisfaction(tickets, answers, min_n=5)
    >>> out[["comparison", "group", "reference", "n", "estimate", "ref_estimate"]].values.tolist()
    [['first response time', '4-24 h', 'under 1 h', 10, 0.0, 100.0], ['first response time', 'over 24 h', 'under 1 h', 10, 0.0, 100.0], ['first-contact resolution', 'FCR', 'not FCR', 20, 100.0, 0.0]]
    """
    _check_frame(tickets, "tickets")
    _check_frame(answers, "answers")
    stats.z_value(conf)
    min_n = _check_min_n(min_n)
    if correction not in CORRECTION_NAMES:
        raise ParameterError(
            f"Unknown correction {correction!r}; use 'holm' (default), 'bh' or 'none'.")
    edges = check_edges(edges)
    require_columns(tickets, [on], "ops_satisfaction joins answers to tickets by {missing}, "
                    "which the tickets do not have; found {found}. Set on= to the ticket id column.")
    warnings: list[str] = []
    ticket_side = pd.DataFrame({on: tickets[on].to_numpy()}, index=tickets.index)
    if SLA_METRICS["first_response"] in tickets.columns or "first_response_hours" in tickets.columns:
        _, hours = _duration_values(tickets, "first_response_hours")
        ticket_side["_frt"] = hours.to_numpy()
    else:
        warnings.append("No first_response_at or first_response_hours: no response-time buckets.")
    if sla is None and targets is not None:
        sla = sla_compliance(tickets, targets, clock=clock, schedule=schedule, as_of=as_of,
                             conf=conf, min_n=min_n)
    if sla is not None:
        for metric, part in sla.status.groupby("metric", sort=False):
            if len(part) != len(tickets):
                raise ParameterError("sla= must be the result of sla_compliance on these tickets.")
            status = part["status"].replace({"breached while open": "breached"}).to_numpy()
            ticket_side[f"_sla_{metric}"] = np.where(np.isin(status, ["met", "breached"]), status, None)
    else:
        warnings.append("No SLA targets given (targets= or sla=): no SLA comparison.")
    try:
        parts, _ = _fcr_parts(tickets, "contacts", reopen_window_days)
        ticket_side["_fcr"] = parts["fcr"].to_numpy()
    except MissingColumnError as error:
        warnings.append(f"No FCR comparison: {error}")
    joined = join_answers(answers, ticket_side, on=on)
    y, unusable = _answer_outcome(joined.data, outcome, scale)
    found = joined.data["_matched"].to_numpy(bool)
    matched = found & y.notna().to_numpy()
    data = joined.data[matched].assign(_y=y[matched].to_numpy())
    accounting = {item: int(rows) for item, rows in
                  zip(joined.accounting["item"], joined.accounting["rows"])}
    accounting |= {f"matched, set aside: {reason}": int((mask & found).sum())
                   for reason, mask in unusable.items()}
    accounting["answers compared"] = int(matched.sum())
    specs = _comparison_specs(data, edges, bucket_labels(edges, "hours"))
    for spec in specs:
        if not (spec["n1"] and spec["n2"]):
            warnings.append(f"{spec['comparison']}: {spec['group']} vs {spec['reference']} not "
                            "compared (no answers on one side).")
    out = _comparison_table(specs, conf, correction, min_n)
    out.attrs["accounting"] = accounting
    out.attrs["warnings"] = warnings
    return out


def _comparison_specs(data: pd.DataFrame, edges: list[float], labels: list[str]) -> list[dict]:
    """(comparison, group, reference, x1, n1, x2, n2) for every comparison."""
    specs = []

    def add(name, group, reference, first, second):
        specs.append({"comparison": name, "group": group, "reference": reference,
                      "x1": float(first.sum()), "n1": int(first.size),
                      "x2": float(second.sum()), "n2": int(second.size)})

    for metric in SLA_METRICS:
        column = f"_sla_{metric}"
        if column in data.columns:
            status = data[column]
            add(f"{metric.replace('_', '-')} SLA", "met", "breached",
                data.loc[status == "met", "_y"], data.loc[status == "breached", "_y"])
    if "_frt" in data.columns:
        bounds = [0.0, *edges, np.inf]
        bucket = pd.cut(data["_frt"], bounds, right=False, labels=False, include_lowest=True)
        reference = data.loc[bucket == 0, "_y"]
        for i, label in enumerate(labels[1:], start=1):
            add("first response time", label, labels[0], data.loc[bucket == i, "_y"], reference)
    if "_fcr" in data.columns:
        fcr = data["_fcr"]
        add("first-contact resolution", "FCR", "not FCR", data.loc[fcr == 1, "_y"],
            data.loc[fcr == 0, "_y"])
    return specs


def _comparison_table(specs: list[dict], conf: float, correction: str, min_n: int) -> pd.DataFrame:
    columns = ["comparison", "group", "reference", "n", "estimate", "ref_n", "ref_estimate",
               "difference", "ci_low", "ci_high", "statistic", "p_value", "p_adjusted",
               "significant", "small_n", "conf", "test", "correction", "method"]
    specs = [s for s in specs if s["n1"] and s["n2"]]
    if not specs:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(specs)
    x1, n1, x2, n2 = (frame[c].to_numpy(float) for c in ("x1", "n1", "x2", "n2"))
    test = stats.two_proportion_test(x1, n1, x2, n2)
    low, high = stats.proportion_difference_interval(x1, n1, x2, n2, conf=conf)
    out = frame[["comparison", "group", "reference"]].copy()
    out["n"], out["estimate"] = frame["n1"], 100 * x1 / n1
    out["ref_n"], out["ref_estimate"] = frame["n2"], 100 * x2 / n2
    out["difference"] = 100 * np.asarray(test.difference)
    out["ci_low"], out["ci_high"] = 100 * np.asarray(low), 100 * np.asarray(high)
    out["statistic"] = np.asarray(test.statistic)
    out["p_value"] = np.asarray(test.p_value)
    out["p_adjusted"] = stats.adjust_pvalues(out["p_value"], correction)
    out["small_n"] = (out["n"] < min_n) | (out["ref_n"] < min_n)
    alpha = round(1 - conf, 12)
    out["significant"] = ((out["p_adjusted"] < alpha) & ((out["ci_low"] > 0) | (out["ci_high"] < 0))
                          & ~out["small_n"])
    out["conf"] = conf
    out["test"] = "two-proportion z test; Newcombe hybrid score interval"
    out["correction"] = CORRECTION_NAMES[correction]
    out["method"] = "% satisfied among answers joined to their ticket"
    return out[columns]



def describe_ops_satisfaction(tied: pd.DataFrame) -> list[str]:
    """One sentence per row of :func:`ops_satisfaction`: the two shares, the difference, the test.

    Examples
    --------
    >>> t = pd.DataFrame({"comparison": ["first-response SLA"], "group": ["met"],
    ...     "reference": ["missed"], "estimate": [82.0], "ref_estimate": [70.5],
    ...     "difference": [11.5], "ci_low": [6.1], "ci_high": [16.8], "p_adjusted": [0.00012],
    ...     "significant": [True], "n": [900], "ref_n": [300], "conf": [0.95],
    ...     "correction": ["Holm"]})
    >>> describe_ops_satisfaction(t)[0]
    'first-response SLA: 82.0% satisfied when met against 70.5% when missed (+11.5 points, 95% CI +6.1 to +16.8; Holm-adjusted p < 0.001; significant; n=900 vs 300).'
    """
    return [
        f"{r.comparison}: {r.estimate:.1f}% satisfied when {r.group} against {r.ref_estimate:.1f}% "
        f"when {r.reference} ({r.difference:+.1f} points, {r.conf:.0%} CI {r.ci_low:+.1f} to "
        f"{r.ci_high:+.1f}; {_adjusted(getattr(r, 'correction', None))} "
        f"{format_p(r.p_adjusted)}; "
        f"{'significant' if r.significant else 'not significant'}; n={r.n:,} vs {r.ref_n:,})."
        for r in tied.itertuples()]


def _adjusted(correction) -> str:
    """'Holm-adjusted', 'unadjusted' (no correction), or 'adjusted' (not named)."""
    if not isinstance(correction, str) or not correction:
        return "adjusted"
    return "unadjusted" if correction == "none" else f"{correction}-adjusted"
