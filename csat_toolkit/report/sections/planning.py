"""Section builder of the metrics report (``notebooks/01_metrics.ipynb``): what the answers
in hand can tell apart.

"With this many answers, changes smaller than X points cannot be told from noise": for
each survey in the report, the smallest change between two periods of the usual size
(or two halves of the answers when there are no dates or a single period) that a test
at the report's confidence level detects with 80% power, computed by
:func:`csat_toolkit.core.planning.detectable_table` from the data's own baseline.
"""
from __future__ import annotations

from ...core.planning import describe_detectable, detectable_table
from .base import Section

__all__ = ["POWER", "detectable_changes"]

#: Power of the comparisons the section plans for (the usual 80%).
POWER = 0.8


def detectable_changes(inputs) -> Section:
    """The smallest change each survey's answers can detect, as a table and sentences.

    Takes the metrics report's inputs (``report.sections.metrics.load``/``prepare``): its
    surveys, scales, ``period``, ``conf_level`` and ``weight`` (Kish's effective answers
    when weighted). Skipped, with one sentence, when the report has no surveys.

    Examples
    --------
    >>> import pandas as pd
    >>> from csat_toolkit.io import load_responses
    >>> from csat_toolkit.report.sections.metrics import prepare
    >>> frame = pd.DataFrame({"response_id": range(400), "survey": "csat",
    ...                       "score": [5] * 300 + [2] * 100})
    >>> section = detectable_changes(prepare(load_responses(frame)))
    >>> print(section.sentences[0])
    CSAT: with two groups of 200 answers (half the answers each), changes smaller than 13.0 points cannot be told from noise (95% confidence, 80% power; 75% satisfied).
    """
    name = "detectable changes"
    if not inputs.present:
        return Section(name, skipped="No survey answers: nothing to say about detectable changes.")
    p = inputs.params
    dated = inputs.data["responded_at"].notna().any()
    table = detectable_table(inputs.data, inputs.present, period=p["period"] if dated else None,
                             scales={s: inputs.scales.get(s) for s in inputs.present},
                             conf=p["conf_level"], power=POWER, weight=p["weight"])
    sentences = [describe_detectable(row) for _, row in table.iterrows()]
    shown = table[["label", "n_per_group", "baseline", "detectable", "unit"]].rename(columns={
        "label": "metric", "n_per_group": "answers per group",
        "detectable": "smallest detectable change"}).round({"answers per group": 0})
    # the sentences' digits: points to one decimal, means on the scale to two
    shown["smallest detectable change"] = [
        round(v, 1 if unit == "points" else 2)
        for v, unit in zip(shown["smallest detectable change"], shown["unit"])]
    notes = [] if dated else ["No answer dates: the detectable changes are for two halves of "
                              "the answers (two segments of equal size), not for two periods."]
    return Section(name, results={"detectable": table}, tables={"detectable": shown},
                   sentences=sentences, findings=sentences, notes=notes)
