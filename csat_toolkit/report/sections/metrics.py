"""Section builders of the metrics report (``notebooks/01_metrics.ipynb``).

:func:`load` reads the responses with the notebook's parameters (and writes the rejected
rows); :func:`prepare` does the same from a :class:`~csat_toolkit.io.LoadResult` already
loaded. Every other builder takes the :class:`MetricsInputs` and returns a
:class:`~csat_toolkit.report.sections.Section`: :func:`accounting`,
:func:`headline_metrics`, :func:`benchmarks`, :func:`distributions`, :func:`segments`,
:func:`segment_charts`, :func:`over_time`, :func:`followup`; :func:`headline_extra` gives
the report's own keys of ``headline.json``. The notebook only calls and shows them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ...core.asof import report_date
from ...core.benchmarks import benchmark_band, benchmark_sentence, compare_to_benchmark
from ...core.comparisons import segment_breakdowns
from ...core.display import people_table
from ...core.followup import followup_queue, followup_summary
from ...core.metrics import get_metric, metric_table, score_distribution
from ...core.scales import SURVEYS
from ...core.text import describe_comparison, format_level
from ...errors import DataError
from ...io.responses import LoadResult
from ...trends.series import describe_changes, period_changes
from .. import plots
from ..headline import (choose_levels, data_period, highlight, kpi, latest_change, readable,
                        rows_used, segment_headline, segment_results, tile)
from ._inputs import Inputs, pick_parameters, read_answers
from .base import Section, figure_of, loaded_scales

__all__ = ["DEFAULTS", "MetricsInputs", "parameters", "load", "prepare", "accounting",
           "headline_metrics", "benchmarks", "distributions", "segments", "segment_charts",
           "over_time", "followup", "headline_extra"]

#: The notebook's parameters and their defaults (the ``parameters`` cell of 01_metrics).
DEFAULTS: dict[str, Any] = {
    "responses_path": "../data/sample/responses.csv", "columns": {}, "survey": None,
    "surveys": {}, "scales": {}, "thresholds": {}, "encoding": "utf-8-sig", "sep": None,
    "date_format": None, "dayfirst": None, "load_options": {}, "start": None, "end": None,
    "survey_types": [], "segments": ["channel", "region"], "period": "M", "weight": None,
    "customer_base": {}, "conf_level": 0.95, "min_n": 30, "correction": "holm",
    "benchmarks": {"csat": "csat_excellent_80", "nps": "nps_target_30_50",
                   "pmf": "pmf_ellis_40"},
    "as_of": None, "followup_rows": 15, "max_levels": 20, "headline_levels": 1000,
    "output_dir": "../reports/notebook/01_metrics", "title": "Customer satisfaction metrics",
}


# The headline table's columns, and the columns of its breakdown table.
_OVERALL = ["metric", "n", "n_eff", "estimate", "ci_low", "ci_high", "small_n", "method",
            "population", "response_rate"]
_PARTS = ["mean", "pct_promoters", "pct_passives", "pct_detractors", "pct_easy",
          "no_longer_users"]


@dataclass(kw_only=True)
class MetricsInputs(Inputs):
    """What the metrics report reads (:class:`~csat_toolkit.report.sections._inputs.Inputs`)
    and the surveys it covers.

    Attributes
    ----------
    present : list of str
        Surveys with answers that the report covers, in the order csat, nps, ces, pmf.
    """

    present: list


def parameters(namespace: Mapping[str, Any]) -> dict:
    """The notebook's parameters picked by name from a namespace (a notebook's ``globals()``).

    Examples
    --------
    >>> parameters({"min_n": 50, "plt": object()})
    {'min_n': 50}
    """
    return pick_parameters(DEFAULTS, namespace)


def load(params: Mapping[str, Any], out: str | Path | None = None) -> MetricsInputs:
    """Load the responses with the notebook's parameters; write ``rejected_rows.csv`` to ``out``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "r.csv").write_text("response_id,survey,score\\n1,csat,5\\n2,csat,x\\n")
    >>> inputs = load({"responses_path": str(folder / "r.csv")}, folder)
    >>> inputs.present, (folder / "rejected_rows.csv").exists()
    (['csat'], True)
    """
    params, loaded = read_answers(params, DEFAULTS, out)
    return prepare(loaded, params, out=out)


def prepare(loaded: LoadResult, params: Mapping[str, Any] | None = None, *,
            out: str | Path | None = None) -> MetricsInputs:
    """The report's inputs from responses already loaded: surveys covered, report date.

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": [1, 2], "survey": "nps", "score": [9, 3]})
    >>> inputs = prepare(load_responses(frame))
    >>> inputs.present, inputs.when
    (['nps'], None)
    """
    params = {**DEFAULTS, **(params or {})}
    data = loaded.data
    wanted = params["survey_types"]
    present = [s for s in SURVEYS if (data["survey"] == s).any() and (not wanted or s in wanted)]
    dated = bool(params["as_of"]) or data["responded_at"].notna().any()
    when = report_date(params["as_of"], {"responded_at": loaded.answer_dates()}) if dated else None
    return MetricsInputs(loaded=loaded, params=params, when=when, present=present,
                         scales=loaded_scales(loaded, params),
                         out=Path(out) if out is not None else None)


def accounting(inputs: MetricsInputs) -> Section:
    """Rows read, used and set aside, the report date, and the surveys not in the data.

    The one-line summary, the report date and the surveys are shown; the accounting
    table (result ``accounting``) and the reader's notes (such as cells that look like
    missing-value markers) are folded under "Details".

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": [1, 2], "survey": "nps", "score": [9, 3]})
    >>> section = accounting(prepare(load_responses(frame)))
    >>> section.notes[0]
    'No CSAT, CES, PMF answers in the data: their cards, benchmarks and breakdowns are skipped.'
    >>> section.sentences[0], section.details[-1].title
    ('Read 2 rows from DataFrame: 2 used, none set aside.', 'Rows read, used and set aside')
    """
    loaded, wanted = inputs.loaded, inputs.params["survey_types"]
    absent = [s.upper() for s in SURVEYS
              if s not in inputs.present and (not wanted or s in wanted)]
    notes = [f"No {', '.join(absent)} answers in the data: their cards, benchmarks and "
             "breakdowns are skipped."] if absent else []
    if inputs.when is None:
        notes.append("No answer dates (responded_at): no report date, trend chart or "
                     "follow-up ages.")
    sentences = [loaded.summary(), *([inputs.when.sentence()] if inputs.when else []),
                 f"Surveys present: {', '.join(inputs.present)}. {loaded.rejected_note()}"]
    table = loaded.report()
    return Section("data accounting", results={"loaded": loaded, "accounting": table},
                   sentences=sentences, notes=notes,
                   details=[*loaded.notes, people_table(table, title="Rows read, used and set aside")])


def headline_metrics(inputs: MetricsInputs) -> Section:
    """Each survey's headline metric with its interval, ``n`` and method, as KPI cards.

    Two tables: ``overall`` (metric, n, estimate, interval, method) and ``breakdown``
    (the CSAT mean, the NPS shares of promoters, passives and detractors, the CES share
    easy, the PMF answers from former users), one row per metric that has any.

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": range(4), "survey": "csat", "score": [5, 4, 2, 5]})
    >>> section = headline_metrics(prepare(load_responses(frame)))
    >>> section.cards[0]["display"], section.tables["breakdown"].to_dict("records")
    ('75.0%', [{'metric': 'csat', 'mean': 4.0}])
    """
    p = inputs.params
    tables = {s: metric_table(inputs.data, s, scale=inputs.scales[s], conf=p["conf_level"],
                              min_n=p["min_n"], population=p["customer_base"].get(s),
                              weight=p["weight"])
              for s in inputs.present}
    inputs.results["headline"] = tables
    cards = [kpi(table.iloc[0]) for table in tables.values()]
    findings = [card["sentence"] for card in cards]
    shown = {}
    if tables:
        overall = pd.concat([readable(t) for t in tables.values()], ignore_index=True)
        shown["overall"] = overall[[c for c in _OVERALL if c in overall.columns]]
        parts = overall[["metric", *[c for c in _PARTS if c in overall.columns]]]
        parts = parts.dropna(axis=0, how="all", subset=parts.columns[1:])
        if len(parts):
            shown["breakdown"] = parts.reset_index(drop=True)
    return Section("headline metrics", results={"headline": tables}, tables=shown,
                   sentences=findings, findings=findings, cards=cards)


def benchmarks(inputs: MetricsInputs) -> Section:
    """The headline metrics beside the published benchmarks chosen in ``benchmarks``; the
    sources (also named in the sentences) folded under "Details".

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": range(4), "survey": "ces", "score": [5, 4, 2, 5]})
    >>> inputs = prepare(load_responses(frame))
    >>> _ = headline_metrics(inputs)
    >>> benchmarks(inputs).sentences
    ['No benchmark chosen for the metrics in this data.']
    """
    headline = inputs.results.get("headline")
    if headline is None:
        headline = headline_metrics(inputs)["headline"]
    chosen = inputs.params["benchmarks"]
    versus = [compare_to_benchmark(headline[m], chosen[m]) for m in chosen if m in headline]
    if not versus:
        return Section("benchmarks", sentences=["No benchmark chosen for the metrics in this data."])
    table = pd.concat(versus, ignore_index=True)
    shown = table[["metric", "estimate", "ci_low", "ci_high", "benchmark_label", "benchmark_low",
                   "benchmark_high", "verdict"]].round(1)
    notes = [benchmark_sentence(row) for _, row in table.iterrows()]
    sources = people_table(table[["metric", "benchmark_label", "benchmark_source"]],
                           title="Where the benchmarks come from")
    return Section("benchmarks", results={"benchmarks": table}, tables={"benchmarks": shown},
                   sentences=notes, findings=notes, details=[sources])


def _draw_distribution(inputs: MetricsInputs, survey: str):
    """One survey's score distribution, small enough to read on a phone."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.8, 2.8))
    dist = score_distribution(inputs.data, survey, scale=inputs.scales[survey],
                              conf=inputs.params["conf_level"])
    plots.plot_distribution(dist, ax=ax, title=f"{survey.upper()} ({inputs.scales[survey].name}, "
                                               f"n={int(dist['n'].sum()):,})")
    fig.tight_layout()
    return fig


def distributions(inputs: MetricsInputs) -> Section:
    """One chart of the score distribution per survey covered (Wilson intervals), each
    described (alt text) by the survey's headline sentence.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": range(4), "survey": "csat", "score": [5, 4, 2, 5]})
    >>> section = distributions(prepare(load_responses(frame)))
    >>> len(section.figures), section.captions[0][:58]
    (1, 'Chart: share of CSAT answers at each score (Wilson 95% CI)')
    """
    if not inputs.present:
        return Section("score distributions", skipped="No answers: no score distributions.")
    headline = inputs.results.get("headline")
    if headline is None:
        headline = headline_metrics(inputs)["headline"]
    level = format_level(inputs.params["conf_level"])
    captions = [f"Chart: share of {s.upper()} answers at each score (Wilson {level} CI), "
                f"coloured by class. {kpi(headline[s].iloc[0])['sentence']}"
                for s in inputs.present]
    return Section("score distributions", captions=captions,
                   figures=[figure_of(_draw_distribution, inputs, s) for s in inputs.present])


def segments(inputs: MetricsInputs) -> Section:
    """Each segment against the rest, corrected once across the section; ``segments.csv``.

    The breakdowns that cannot run (a missing column, one level) are notes; the findings
    name the significant differences (at most ``max_levels`` per segment column).

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": range(4), "survey": "csat", "score": [5, 4, 2, 5]})
    >>> segments(prepare(load_responses(frame), {"segments": ["channel"]})).notes
    ["Segment column 'channel' is not in the data; skipped."]
    """
    p = inputs.params
    by_segment, skipped = segment_breakdowns(
        inputs.data, inputs.present, p["segments"], scales=inputs.scales, conf=p["conf_level"],
        min_n=p["min_n"], correction=p["correction"], weight=p["weight"])
    table = segment_results(by_segment)
    inputs.results.update(by_segment=by_segment, segment_table=table)
    inputs.write(table, "segments.csv")
    found = []
    for (s, column), (_, tests) in by_segment.items():
        hits = choose_levels(tests[tests["significant"]], limit=p["max_levels"],
                             what=f"significant {s.upper()} differences by {column}")
        found += [describe_comparison(r, key=column) for _, r in hits.table.iterrows()]
        found += [hits.sentence] if hits.sentence else []
    if by_segment and not table["significant"].any():
        found.append("No segment differs from the rest beyond what chance explains.")
    return Section("by segment", results={"by_segment": by_segment, "segments": table},
                   sentences=found, findings=list(skipped) + found, notes=list(skipped))


def segment_charts(inputs: MetricsInputs) -> list[Section]:
    """One chart per survey and segment column (at most ``max_levels`` levels), with a
    sentence (also its alt text) naming the levels above and below the rest; the table
    of tests is folded under "Details".

    Reuses the breakdowns of :func:`segments` (computed here when it has not run).

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": range(4), "survey": "csat", "score": [5, 4, 2, 5]})
    >>> segment_charts(prepare(load_responses(frame), {"segments": []}))
    []
    """
    by_segment = inputs.results.get("by_segment")
    if by_segment is None:
        by_segment = segments(inputs)["by_segment"]
    limit, chosen = inputs.params["max_levels"], inputs.params["benchmarks"]
    shown_sections = []
    for (s, column), (table, tests) in by_segment.items():
        shown = choose_levels(table, tests=tests, key=column, limit=limit)
        band = benchmark_band(chosen[s]) if s in chosen else None
        figure = figure_of(plots.plot_estimates, shown.table, x=column, benchmark=band,
                           max_levels=limit)
        listed = choose_levels(tests, limit=limit)  # the same levels as the chart
        said = _segment_sentence(s, column, listed.table)
        level = format_level(inputs.params["conf_level"])
        shown_sections.append(Section(
            f"{s} by {column}", results={"table": table, "tests": tests}, figures=[figure],
            sentences=[said, *filter(None, [shown.sentence])],
            captions=[f"Chart: {get_metric(s).label} by {column}, each level with its {level} "
                      f"CI. {said}"],
            details=[people_table(readable(listed.table, keys=[column]),
                                  title=f"{s.upper()} by {column}: each level against the rest",
                                  min_n=inputs.params["min_n"])]))
    return shown_sections


def _segment_sentence(survey: str, column: str, tests: pd.DataFrame) -> str:
    """Which levels of a chart differ from the rest, in words (no new numbers).

    Examples
    --------
    >>> tests = pd.DataFrame({"channel": ["chat", "email", "phone"], "difference": [5.0, -4.0, 1.0],
    ...                       "significant": [True, True, False]})
    >>> _segment_sentence("csat", "channel", tests)
    'CSAT (% satisfied) by channel: chat above the rest and email below (significant after correction for multiple testing); the other levels are not told apart from the rest.'
    """
    label = get_metric(survey).label
    called = tests[tests["significant"].fillna(False).astype(bool)]
    names = {sign: ", ".join("(missing)" if pd.isna(v) else str(v)
                             for v in called.loc[(called["difference"] > 0) == sign, column])
             for sign in (True, False)}
    parts = ([f"{names[True]} above the rest"] if names[True] else []) + (
        [f"{names[False]} below{'' if names[True] else ' the rest'}"] if names[False] else [])
    if not parts:
        return f"{label} by {column}: no level differs from the rest beyond what chance explains."
    rest = ("; the other levels are not told apart from the rest" if len(called) < len(tests)
            else "")
    return (f"{label} by {column}: {' and '.join(parts)} (significant after correction for "
            f"multiple testing){rest}.")


def _draw_trends(series: list[pd.DataFrame]):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(series), 1, figsize=(9, 3.2 * len(series)), squeeze=False)
    for ax, table in zip(axes[:, 0], series):
        plots.plot_trend(table, ax=ax)
    fig.tight_layout()
    return fig


def over_time(inputs: MetricsInputs) -> Section:
    """CSAT and NPS per ``period`` with interval bands and the latest period's value in
    words; skipped without dates.

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": range(4), "survey": "csat", "score": [5, 4, 2, 5]})
    >>> over_time(prepare(load_responses(frame))).skipped[:30]
    'No dates in the data (or no CS'
    """
    dated = inputs.data["responded_at"].notna().any()
    surveys = [s for s in inputs.present if s in ("csat", "nps")] if dated else []
    if not surveys:
        return Section("over time", skipped="No dates in the data (or no CSAT/NPS answers): "
                                            "the trend chart is skipped.")
    p = inputs.params
    series = [metric_table(inputs.data, s, period=p["period"], scale=inputs.scales[s],
                           conf=p["conf_level"], min_n=p["min_n"], weight=p["weight"])
              for s in surveys]
    latest = [table[table["n"] > 0].iloc[-1] for table in series]
    said = [kpi(row, label=f"{get_metric(row['metric']).label}, {row['period']}")["sentence"]
            for row in latest]
    level = format_level(p["conf_level"])
    caption = (f"Chart: {' and '.join(s.upper() for s in surveys)} per period with {level} "
               f"interval bands. Latest: {' '.join(said)}")
    return Section("over time", results={"series": dict(zip(surveys, series))},
                   figures=[figure_of(_draw_trends, series)], sentences=said,
                   captions=[caption])


def followup(inputs: MetricsInputs) -> Section:
    """The follow-up queue (oldest first), its summary, and ``followup.csv``.

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": range(4), "survey": "csat", "score": [5, 4, 2, 5]})
    >>> followup(prepare(load_responses(frame))).findings
    ['1 answers need a follow-up (listed in followup.csv).']
    """
    when = inputs.when
    queue = followup_queue(inputs.loaded.followup_rows(), scales=inputs.scales,
                           as_of=when.timestamp if when else None)
    inputs.results["queue"] = queue
    inputs.write(queue, "followup.csv")
    shown = queue.head(inputs.params["followup_rows"]).dropna(axis=1, how="all")
    total = getattr(inputs.loaded, "followup_total", len(queue))
    finding = (f"{len(queue):,} answers need a follow-up (listed in followup.csv)."
               if total <= len(queue) else
               f"{total:,} answers need a follow-up; the newest {len(queue):,} are listed in "
               "followup.csv (the engine brings back at most that many).")
    return Section("follow-up queue", results={"queue": queue},
                   tables={"summary": followup_summary(queue), "queue": shown},
                   findings=[finding])


def headline_extra(inputs: MetricsInputs) -> dict:
    """The report's own keys of ``headline.json`` (rows, surveys, follow-ups, segments, date).

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": range(4), "survey": "csat", "score": [5, 4, 2, 5]})
    >>> inputs = prepare(load_responses(frame), {"segments": []})
    >>> _ = segments(inputs), followup(inputs)
    >>> extra = headline_extra(inputs)
    >>> extra["n_used"], extra["followup"], extra["as_of"]
    (4, 1, None)
    """
    loaded = inputs.loaded
    table = inputs.results.get("segment_table")
    if table is None:
        segments(inputs)
        table = inputs.results["segment_table"]
    queue = inputs.results.get("queue")
    if queue is None:
        queue = followup(inputs)["queue"]
    tiles = _tiles(inputs)
    return {"n_read": loaded.n_read, "n_used": loaded.n_used,
            "n_set_aside": loaded.n_set_aside, "surveys": inputs.present,
            "followup": getattr(loaded, "followup_total", len(queue)),
            "engine": loaded.engine,
            "segments": segment_headline(table, max_levels=inputs.params["headline_levels"]),
            "rows": rows_used(loaded.n_used, loaded.n_read, "answers"),
            "data_period": data_period({"responded_at": inputs.loaded.answer_dates()}),
            "tiles": tiles,
            "highlights": [highlight("change", t["change"]["sentence"], section="Headline metrics")
                           for t in tiles if t["change"] and t["change"]["significant"]],
            **inputs.date_keys}


def _tiles(inputs: MetricsInputs) -> list[dict]:
    """Each headline metric's tile: its card, its last periods, the latest change (the
    trends report's test: :func:`~csat_toolkit.trends.period_changes`, corrected across the
    periods) and its benchmark verdict."""
    p = inputs.params
    headline = inputs.results.get("headline")
    if headline is None:
        headline = headline_metrics(inputs)["headline"]
    chosen, tiles = p["benchmarks"], []
    dated = inputs.data["responded_at"].notna().any()
    for survey, overall in headline.items():
        options = dict(scale=inputs.scales[survey], conf=p["conf_level"], min_n=p["min_n"],
                       weight=p["weight"])
        series = change = sentence = None
        # A survey sent in waves (NPS each quarter) has empty months between its waves:
        # its change is taken at the next coarser period that has one.
        order = ["D", "W", "M", "Q", "Y"]
        periods = ([p["period"]] + order[order.index(p["period"]) + 1:]
                   if p["period"] in order else [p["period"]]) if dated else []
        for period in periods:
            try:
                changes = period_changes(inputs.data, survey, period=period,
                                         correction=p["correction"], **options)
            except DataError:  # a single period: nothing to compare it with
                changes = None
            change = latest_change(changes)
            if change is not None and pd.notna(change["difference"]):
                sentence = describe_changes(changes).iloc[-1]
                break
        if dated:
            series = metric_table(inputs.data, survey, period=period if sentence else p["period"],
                                  **options)
        versus = (compare_to_benchmark(overall, chosen[survey]).iloc[0]
                  if survey in chosen else None)
        tiles.append(tile(kpi(overall.iloc[0]), series=series, change=change,
                          change_sentence=sentence, benchmark=versus))
    return tiles
