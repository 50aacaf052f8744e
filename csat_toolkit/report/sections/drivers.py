"""Section builders of the drivers report (notebook ``03_drivers``).

:func:`load` reads what the notebook's parameters name (:class:`Inputs`: the answers,
their tickets with the derived durations, the drivers a model can use); each builder then
returns one section of the report as a :class:`~.base.Section`: the data accounting
(:func:`accounting`), the driver model (:func:`model`), relative importance
(:func:`importance`), what speed is worth (:func:`speed`), importance and performance
(:func:`priorities`), the fair agent and team comparison (:func:`agents`) and who did not
answer (:func:`nonresponse`); :func:`headline` gives the page's extra ``headline.json``
keys. Every decision the page makes (which sections run, the skip sentences, which
columns a table shows, what goes to ``headline.json``) is made here; the numbers come
from :mod:`csat_toolkit.drivers`.

A section that cannot run says why once: when the model is skipped (no answers of
``driver_survey``, no usable driver) its sentence goes to ``headline["skipped"]`` from
:func:`model`, and :func:`importance` and :func:`priorities` only show it again.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ...comments import load_topics, topic_flags
from ...core.asof import ReportDate, report_date
from ...core.display import people_table
from ...core.followup import to_safe_csv
from ...core.metrics import metric_table, select_survey
from ...core.scales import Scale
from ...drivers.agents import fair_comparison, funnel_limits, shown_groups
from ...drivers.importance import relative_importance, top_driver_card
from ...drivers.models import DriverChoice, choose_drivers, fit_driver_model
from ...drivers.nonresponse import nonresponse_report
from ...drivers.priorities import driver_performance, importance_performance, priority_sentences
from ...drivers.speed import describe_speed, speed_effect
from ...io import load_responses_from_params
from ...io.tables import (TICKET_COLUMNS, add_derived, join_answers,
                          resolve_columns, set_missing)
from ..driverplots import (plot_calibration, plot_fair_comparison, plot_importance,
                           plot_importance_performance, plot_odds_ratios, plot_speed)
from ..headline import data_period, highlight, kpi, rounded, rows_used
from .base import Section, figure_of, loaded_scales, page_parameters, rows_of, ticket_rows

__all__ = ["PARAMETERS", "Inputs", "load", "accounting", "model", "importance", "topics", "speed",
           "priorities", "agents", "nonresponse", "headline"]

PARAMETERS = (
    "responses_path", "columns", "survey", "surveys", "scales", "thresholds", "encoding", "sep",
    "date_format", "dayfirst", "load_options", "start", "end", "driver_survey", "tickets_path",
    "tickets_columns", "ticket_options", "join_on", "durations", "derive", "not_applicable",
    "outcome", "drivers", "driver_kinds", "driver_labels", "bucket_drivers", "speed_columns",
    "speed_edges", "speed_unit", "performance", "model", "agent_column", "team_column",
    "nonresponse_cells", "nonresponse_features", "weight", "n_boot", "seed", "conf_level",
    "alpha", "min_n", "correction", "as_of", "output_dir", "comment_column", "topics_path",
    "comment_languages",
)
"""The parameters of notebook ``03_drivers`` that :func:`load` reads (``title`` is the
page's)."""

_LOADER_KEYS = ("responses_path", "columns", "survey", "surveys", "encoding", "sep",
                "date_format", "dayfirst", "start", "end", "load_options")
_EFFECT_COLUMNS = ["driver", "term", "reference", "n", "estimate", "ci_low", "ci_high",
                   "p_adjusted", "significant", "ame", "ame_ci_low", "ame_ci_high", "small_n"]
_IMPORTANCE_COLUMNS = ["driver", "lmg", "lmg_ci_low", "lmg_ci_high", "lmg_share",
                       "lmg_share_ci_low", "lmg_share_ci_high", "relative_weight", "rw_ci_low",
                       "rw_ci_high", "rank", "noise_p_adj", "significant"]
_MATRIX_COLUMNS = ["driver", "importance", "importance_ci_low", "importance_ci_high",
                   "performance", "performance_ci_low", "performance_ci_high", "significant",
                   "quadrant", "priority", "note"]
_FAIR_COLUMNS = ["n", "raw", "raw_ci_low", "raw_ci_high", "estimate", "ci_low", "ci_high",
                 "shrinkage", "prob_above_average", "rank", "vs_overall", "small_n"]
_HEADLINE_DRIVER_COLUMNS = ["driver", "lmg", "lmg_ci_low", "lmg_ci_high", "lmg_share",
                            "relative_weight", "rank", "significant"]
_NO_SPEED = "No answers with a duration column (speed_columns): the speed section is skipped."
_NO_GROUPS = ("No agent or team column (agent_column, team_column): the fair comparison is "
              "skipped.")
_NO_TICKETS = "No ticket table (tickets_path): the non-response analysis is skipped."
_NO_MATRIX = ("No performance measure for the drivers used (parameter performance), so there "
              "is no importance-performance matrix.")


@dataclass
class Inputs:
    """What the drivers page reads, once, for every section.

    Attributes
    ----------
    params : dict
        The notebook's parameters (:data:`PARAMETERS`).
    loaded : LoadResult
        The responses as loaded (accounting, rejected rows; every survey).
    answers : DataFrame
        The answers of ``driver_survey``.
    scale : Scale
        The scale of ``driver_survey``.
    date : ReportDate
        The report date (``as_of``, else the latest answer).
    tickets : DataFrame or None
        The tickets with their derived columns (None without ``tickets_path``).
    data : DataFrame
        The answers explained: joined to their tickets, derived columns added,
        not-applicable codes set to missing.
    where : str
        How sentences name ``data``.
    choice : DriverChoice
        The drivers a model can use and why the others are left out.
    notes : list of str
        The accounting sentences shown (report date, rows read and used, joins).
    out : Path
        The page's folder.
    details : list
        What the accounting folds under "Details": the readers' notes (such as cells
        that look like missing-value markers), the derived columns, and the row
        accounting tables of the answers and the tickets.
    """

    params: dict
    loaded: object
    answers: pd.DataFrame
    scale: Scale
    date: ReportDate
    tickets: pd.DataFrame | None
    data: pd.DataFrame
    where: str
    choice: DriverChoice
    notes: list
    out: Path
    details: list = field(default_factory=list)

    def label(self, column: str) -> str:
        """The readable name of a driver or duration (``driver_labels``, else its name).

        Examples
        --------
        >>> Inputs({"driver_labels": {"contacts": "contacts per ticket"}}, *[None] * 10
        ...        ).label("first_response_hours")
        'first response hours'
        """
        return self.params["driver_labels"].get(column, str(column).replace("_", " "))

    @property
    def names(self) -> dict:
        """Driver and duration -> readable name, for charts and sentences."""
        p = self.params
        return {d: self.label(d) for d in [*p["drivers"], *p["speed_columns"]]}


def load(params: Mapping, output_dir=None) -> Inputs:
    """Read the responses and tickets, add the derived columns, choose the drivers.

    The rejected rows are written to ``rejected_rows.csv`` (responses) and
    ``rejected_tickets.csv`` (tickets) in ``output_dir`` (default ``params["output_dir"]``).
    Without ``tickets_path`` the drivers come from the responses file; a driver that only
    a ticket table would have is named as such.

    Parameters
    ----------
    params : mapping
        The notebook's parameters; every name of :data:`PARAMETERS` must be there.
    output_dir : str or Path, optional
        Folder of the page's files.

    Returns
    -------
    Inputs

    Raises
    ------
    ParameterError
        A parameter of :data:`PARAMETERS` is missing (and the loaders' own errors).

    Examples
    --------
    >>> load({"responses_path": "responses.csv"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    csat_toolkit.errors.ParameterError: The drivers page needs the parameter(s) ...
    """
    p, out = page_parameters(params, PARAMETERS, "drivers", output_dir)
    loaded = load_responses_from_params({**{k: p[k] for k in _LOADER_KEYS},
                                         "scales": p["scales"], "thresholds": p["thresholds"]})
    loaded = rows_of(loaded, p["seed"])
    scale_of = loaded_scales(loaded, p)
    loaded.write_rejected(out)
    answers = select_survey(loaded.data, p["driver_survey"])
    date = report_date(p["as_of"], {"responded_at": loaded.data["responded_at"]})
    notes = [date.sentence(), loaded.summary()]
    details = [*loaded.notes]
    tables = [people_table(loaded.report(), title="Answers: rows read, used and set aside")]
    tickets, made, explained = None, [], answers
    derived = dict(durations=p["durations"], derive=p["derive"], unit=p["speed_unit"])
    if p["tickets_path"]:
        read = ticket_rows(p["tickets_path"], p["tickets_columns"], p["ticket_options"])
        to_safe_csv(read.rejected_export(), out / "rejected_tickets.csv")
        enriched = add_derived(read.data, **derived)
        tickets, made = enriched.data, enriched.added
        joined = join_answers(answers, tickets, on=p["join_on"])
        explained = joined.matched
        notes += [read.summary(), joined.summary()]
        details += read.notes
        tables.append(people_table(read.report(), title="Tickets: rows read, used and set aside"))
    enriched = add_derived(explained, **derived, skip=made, strict=True)
    data = enriched.data
    where = "the answers" + ("" if tickets is None else " joined to their tickets")
    details += enriched.sentences(where)
    if p["not_applicable"]:
        data, counts = set_missing(data, p["not_applicable"])
        notes.append("Answers coded as not applicable were set to missing: " + ", ".join(
            f"{r.column} {r.cells:,}" for r in counts.itertuples()) + " cells.")
    notes.append(f"{len(answers):,} {p['driver_survey'].upper()} answers are explained here.")
    elsewhere = {} if tickets is not None else {
        "the ticket table (tickets_path is None)": [*TICKET_COLUMNS, *p["durations"]]}
    choice = choose_drivers(data, p["drivers"], kinds=p["driver_kinds"], min_class=p["min_n"],
                            where=where, elsewhere=elsewhere)
    return Inputs(p, loaded, answers, scale_of[p["driver_survey"]], date, tickets, data, where,
                  choice, notes, out, details + tables)


def accounting(inputs: Inputs) -> Section:
    """The data accounting: rows read and used, the report date, the joins, the answers
    explained; the readers' notes and the accounting tables folded under "Details". The
    card is the overall score of ``driver_survey`` (none without answers)."""
    p, cards = inputs.params, []
    if not inputs.answers.empty:
        overall = metric_table(inputs.answers, p["driver_survey"], scale=inputs.scale,
                               conf=p["conf_level"], min_n=p["min_n"])
        cards.append(kpi(overall.iloc[0]))
    return Section("data accounting", results={"accounting": inputs.loaded.report()},
                   sentences=list(inputs.notes), cards=cards, details=list(inputs.details))


def _model_gap(inputs: Inputs) -> str | None:
    """Why the model (and with it importance and priorities) cannot run, or None."""
    p = inputs.params
    if inputs.answers.empty:
        surveys = ", ".join(sorted(inputs.loaded.data["survey"].unique()))
        reason = (f"No {p['driver_survey'].upper()} answers (driver_survey; surveys in the data: "
                  f"{surveys})")
    elif not inputs.choice.drivers:
        reason = "No usable driver (drivers)"
    else:
        return None
    return reason + ": the model, importance and priorities are skipped."


def model(inputs: Inputs) -> Section:
    """The driver model (:func:`~csat_toolkit.drivers.fit_driver_model`): the odds-ratio
    chart and the fit's summary; the model's description, its warnings, the effects, the
    Wald tests per driver and the collinearity folded under "Details".

    Skipped without answers of ``driver_survey`` or without a usable driver; the drivers
    left out (:func:`~csat_toolkit.drivers.choose_drivers`) are its notes when there are
    answers. Results: ``frame``, ``fit`` (None when skipped) and ``left_out``.
    """
    p, choice = inputs.params, inputs.choice
    notes = [] if inputs.answers.empty else list(choice.sentences)
    results = {"frame": None, "fit": None, "left_out": choice.left_out}
    gap = _model_gap(inputs)
    if gap:
        return Section("driver model", skipped=gap, results=results, notes=notes)
    frame, fit = _fit(inputs, inputs.data, choice.drivers, p["driver_kinds"])
    method = [s for s in dict.fromkeys([frame.summary(), *frame.warnings, *fit.warnings])
              if s != fit.summary()]
    min_n = p["min_n"]
    return Section(
        "driver model", results={**results, "frame": frame, "fit": fit},
        figures=[figure_of(plot_odds_ratios, fit.table, labels=inputs.names)],
        sentences=[fit.summary()], notes=notes,
        details=[*method,
                 people_table(rounded(fit.table, columns=_EFFECT_COLUMNS, digits=2),
                              title="Effects of each model term", min_n=min_n),
                 people_table(rounded(fit.driver_tests), title="Driver tests"),
                 people_table(rounded(fit.vif), title="Collinearity")])


def _fit(inputs: Inputs, data: pd.DataFrame, drivers: list, kinds: Mapping):
    """The driver model of ``data`` with the page's parameters: (frame, fit)."""
    p = inputs.params
    return fit_driver_model(
        data, p["outcome"], drivers, bucket_drivers=p["bucket_drivers"], edges=p["speed_edges"],
        unit=p["speed_unit"], scale=inputs.scale, kinds=kinds, weights=p["weight"],
        min_class=p["min_n"], model=p["model"], conf=p["conf_level"], correction=p["correction"])


def _importance_of(inputs: Inputs, frame):
    """Relative importance with the noise check on a fitted model's frame."""
    p = inputs.params
    return relative_importance(
        frame.design.assign(_outcome=frame.data[frame.outcome].to_numpy()), "_outcome",
        frame.groups, weights=None if p["weight"] is None else frame.data[p["weight"]].to_numpy(),
        n_boot=p["n_boot"], seed=p["seed"], conf=p["conf_level"], alpha=p["alpha"],
        correction=p["correction"])


def importance(inputs: Inputs, model: Section) -> Section:
    """Relative importance (LMG and relative weights with the noise check) on the frame of
    ``model`` (:func:`model`): the chart and its summary; the warnings, the method and the
    table folded under "Details". Its card is the top driver. Without a model it shows why
    (already counted as skipped by :func:`model`). Result: ``importance``."""
    frame = model["frame"]
    if frame is None:
        return Section("relative importance", results={"importance": None},
                       sentences=[_model_gap(inputs)])
    p, names = inputs.params, inputs.names
    result = _importance_of(inputs, frame)
    return Section(
        "relative importance", results={"importance": result},
        figures=[figure_of(plot_importance, result.table, noise=result.noise.get("lmg"),
                           labels=names)],
        sentences=[result.summary(names)],
        cards=[top_driver_card(result, labels=names, conf=p["conf_level"])],
        details=[*result.warnings, result.method,
                 people_table(rounded(result.table, columns=_IMPORTANCE_COLUMNS),
                              title="Relative importance of each driver")])


def topics(inputs: Inputs, model: Section) -> Section:
    """The topics of the comments as drivers: relative importance (with the noise check)
    of the model's drivers together with ``has_comment`` and one 0/1 flag per topic of the
    dictionary (:func:`csat_toolkit.comments.topic_flags`) that at least ``min_n``
    answers mention.

    ``has_comment`` stays in the model: unhappy customers comment more often, so a topic's
    importance is what its mention adds beyond writing a comment at all. Topics describe
    why a customer gave the score (they are written with it), so read their importance as
    "what the unhappy talk about", not as a cause. Skipped without a model, without the
    comment column or without comments. Results: ``flags`` and ``importance``.
    """
    p = inputs.params
    results = {"flags": None, "importance": None}
    frame = model["frame"]
    column = p["comment_column"]
    if frame is None:
        return Section("comment topics as drivers", results=results,
                       sentences=[_model_gap(inputs)])
    has_text = column in inputs.data.columns and inputs.data[column].astype(
        "string").str.strip().fillna("").ne("").any()
    if not has_text:
        return Section("comment topics as drivers", results=results, skipped=(
            f"No comments in the column {column!r} (comment_column): comment topics do not "
            "join the drivers."))
    dictionary = load_topics(p["topics_path"])
    flags = topic_flags(inputs.data, dictionary, column=column,
                        languages=p["comment_languages"])
    counts = flags.sum()
    kept = [c for c in flags.columns if counts[c] >= p["min_n"]]
    rare = [c for c in flags.columns if c not in kept]
    notes = ([f"Fewer than {p['min_n']} answers mention: "
              + ", ".join(f"{_topic_label(dictionary, c)} ({int(counts[c])})" for c in rare)
              + " (min_n); they are left out."] if rare else [])
    topic_kept = [c for c in kept if c != "has_comment"]
    results["flags"] = flags
    if not topic_kept:
        return Section("comment topics as drivers", results=results, notes=notes, skipped=(
            f"No topic of the dictionary is mentioned in {p['min_n']} answers or more "
            "(min_n): comment topics do not join the drivers."))
    data = inputs.data.join(flags[kept])
    drivers = [*inputs.choice.drivers, *kept]
    kinds = {**p["driver_kinds"], **{c: "binary" for c in kept}}
    names = {**inputs.names, **{c: _topic_label(dictionary, c) for c in kept}}
    result = _importance_of(inputs, _fit(inputs, data, drivers, kinds)[0])
    results["importance"] = result
    table = result.table
    beating = table[table["significant"] & table["driver"].isin(topic_kept)]
    findings = ([f"Comment topics that matter beyond noise for {p['driver_survey'].upper()}: "
                 + ", ".join(names[d] for d in beating["driver"]) + "."] if len(beating) else [])
    return Section(
        "comment topics as drivers", results=results,
        figures=[figure_of(plot_importance, table, noise=result.noise.get("lmg"), labels=names)],
        sentences=[result.summary(names)], findings=findings, notes=notes,
        details=[*result.warnings, result.method,
                 people_table(rounded(table, columns=_IMPORTANCE_COLUMNS),
                              title="Relative importance with the comment topics")])


def _topic_label(dictionary, column: str) -> str:
    """A flag column's readable name: "wrote a comment", or "topic: <label>"."""
    if column == "has_comment":
        return "wrote a comment"
    return "topic: " + dictionary[column.removeprefix("topic_")].label


def speed(inputs: Inputs) -> Section:
    """What speed is worth for each of ``speed_columns`` found
    (:func:`~csat_toolkit.drivers.speed_effect`): the chart with the modelled curve
    (its first sentence as alt text) and the sentences (the first of each is a finding);
    the bucket tables folded under "Details".

    Skipped when no duration column is there (or no answers); each absent column is a note
    naming the nearest one. Result: ``buckets`` (column -> bucket table).
    """
    p, names = inputs.params, {}
    timed = resolve_columns({"speed_columns": p["speed_columns"]}, inputs.data,
                            where=inputs.where)
    empty = inputs.answers.empty
    buckets, tables, figures, sentences, findings, captions = {}, [], [], [], [], []
    for column in [] if empty else timed["speed_columns"]:
        names[column] = inputs.label(column)
        buckets[column], curve = speed_effect(
            inputs.data, column, outcome=p["outcome"], drivers=inputs.choice.drivers,
            bucket_drivers=p["bucket_drivers"], edges=p["speed_edges"], unit=p["speed_unit"],
            scale=inputs.scale, kinds=p["driver_kinds"], weights=p["weight"],
            min_class=p["min_n"], conf=p["conf_level"])
        tables.append(people_table(
            rounded(buckets[column], drop=["conf", "method", "lower", "upper"]),
            title=f"Satisfaction by {names[column]} bucket", min_n=p["min_n"]))
        figures.append(figure_of(plot_speed, buckets[column], curve, label=names[column],
                                 unit=p["speed_unit"]))
        said = describe_speed(buckets[column], label=f"the {names[column]}")
        findings += said[:1]
        sentences += said
        captions.append(f"Chart: satisfaction by {names[column]} bucket with the modelled "
                        f"effect. {' '.join(said[:1])}")
    return Section("what speed is worth", skipped=None if buckets else _NO_SPEED,
                   results={"buckets": buckets}, figures=figures, captions=captions,
                   sentences=sentences, findings=findings, details=tables,
                   notes=[] if empty else timed.sentences())


def priorities(inputs: Inputs, importance: Section) -> Section:
    """Importance against performance (the drivers of ``performance`` in the model): the
    matrix, its chart and the priority sentences, which are findings.

    Without a performance measure for any driver used, the importance summary and a
    sentence saying so; without importance (no model) only why. Results: ``matrix`` and
    ``performance`` (None when not computed).
    """
    result = importance["importance"]
    if result is None:
        return Section("priorities", results={"matrix": None, "performance": None},
                       sentences=[_model_gap(inputs)])
    p, names = inputs.params, inputs.names
    present = {d: spec for d, spec in p["performance"].items() if d in inputs.choice.drivers}
    if not present:
        said = [result.summary(names), _NO_MATRIX]
        return Section("priorities", results={"matrix": None, "performance": None},
                       sentences=said, findings=said)
    performance = driver_performance(inputs.data, present, conf=p["conf_level"])
    matrix = importance_performance(
        result.table[result.table["driver"].isin(performance["driver"])], performance)
    said = priority_sentences(matrix, labels=names)
    return Section("priorities", results={"matrix": matrix, "performance": performance},
                   tables={"matrix": rounded(matrix, columns=_MATRIX_COLUMNS)},
                   figures=[figure_of(plot_importance_performance, matrix, labels=names)],
                   sentences=said, findings=said)


def agents(inputs: Inputs) -> Section:
    """The fair comparison (empirical-Bayes shrinkage and the funnel plot) by
    ``agent_column`` and ``team_column``.

    Each full table goes to ``fair_<column>.csv``; the page shows at most 30 rows
    (:func:`~csat_toolkit.agents.shown_groups`). A column that cannot be compared (absent,
    one value, no values) is a note with the reason; without either column the section
    is skipped; without answers nothing is compared. Results: column -> the
    :class:`~csat_toolkit.agents.ShrinkageResult`.
    """
    p = inputs.params
    results, tables, figures, sentences, notes, captions = {}, {}, [], [], [], []
    asked = [c for c in (p["agent_column"], p["team_column"]) if c]
    columns = [] if inputs.answers.empty else asked
    for column in columns:
        result, why = fair_comparison(inputs.data, column, outcome=p["outcome"],
                                      scale=inputs.scale, conf=p["conf_level"],
                                      min_n=p["min_n"], where=inputs.where)
        if result is None:
            notes.append(why)
            continue
        results[column] = result
        to_safe_csv(result.table, inputs.out / f"fair_{column}.csv")
        rows, note = shown_groups(result.table, noun=f"{column} values")
        tables[column] = rounded(rows, columns=[column, *_FAIR_COLUMNS])
        limits = funnel_limits(result.overall / 100, int(result.table["n"].max() * 1.1))
        figures.append(figure_of(plot_fair_comparison, result.table, limits, rows, by=column,
                                 overall=result.overall))
        sentences += [result.summary(), *([note] if note else [])]
        captions.append(f"Chart: fair comparison and funnel plot by {column}. "
                        f"{result.summary()}")
    skipped = None if asked else _NO_GROUPS
    return Section("fair comparison", skipped=skipped, results=results, tables=tables,
                   figures=figures, sentences=sentences, captions=captions,
                   findings=[r.summary() for r in results.values()], notes=notes)


def nonresponse(inputs: Inputs) -> Section:
    """Who did not answer (:func:`~csat_toolkit.nonresponse.nonresponse_report`): response
    rates, post-stratified CSAT, predicted CSAT of non-respondents and its calibration.

    Skipped without a ticket table; parts that cannot run are notes. The post-stratified
    and predicted CSAT sentences are findings. Result: ``report``.
    """
    if inputs.tickets is None:
        return Section("non-response", skipped=_NO_TICKETS, results={"report": None})
    p = inputs.params
    report = nonresponse_report(
        inputs.tickets, inputs.loaded.data, survey=p["driver_survey"],
        cells=p["nonresponse_cells"], features=p["nonresponse_features"], on=p["join_on"],
        scale=inputs.scale, conf=p["conf_level"], min_n=p["min_n"], seed=p["seed"])
    parts = {"response rates": report.rates,
             "post-stratified": None if report.post is None else report.post.table,
             "predicted": None if report.predicted is None else report.predicted.table}
    figures = ([] if report.predicted is None else
               [figure_of(plot_calibration, report.predicted.calibration)])
    findings = report.findings()
    return Section("non-response", results={"report": report},
                   tables={k: rounded(t) for k, t in parts.items() if t is not None},
                   figures=figures, sentences=[s for s in [report.eligible, *findings] if s],
                   findings=findings, notes=list(report.skipped))


def headline(inputs: Inputs, model: Section, importance: Section, priorities: Section,
             speed: Section, agents: Section, topics: Section | None = None) -> dict:
    """The page's own ``headline.json`` keys (beside kpis, findings and skipped).

    Answers read and used, the outcome, R², the drivers' importance, the top three
    significant drivers, the drivers left out, the priorities, the speed buckets, the
    agents and teams ranked, the importance with the comment topics (``topic_drivers``,
    empty without them) and the report date.
    """
    topic_result = None if topics is None else topics["importance"]
    frame, result, matrix = model["frame"], importance["importance"], priorities["matrix"]
    table = None if result is None else result.table
    return {
        "n_read": inputs.loaded.n_read, "n_used": 0 if frame is None else frame.n_used,
        "outcome": inputs.params["outcome"],
        "r2": None if result is None else float(result.r2),
        "drivers": [] if table is None else table[_HEADLINE_DRIVER_COLUMNS].to_dict("records"),
        "top_drivers": [] if table is None else
        table.loc[table["significant"], "driver"].tolist()[:3],
        "drivers_left_out": inputs.choice.left_out.to_dict("records"),
        "priorities": [] if matrix is None else
        matrix[["driver", "quadrant", "priority"]].to_dict("records"),
        "speed": {c: t[["bucket", "n", "estimate", "ci_low", "ci_high"]].to_dict("records")
                  for c, t in speed["buckets"].items()},
        "agents_ranked": {c: r.table.dropna(subset=["rank"])[c].tolist()
                          for c, r in agents.results.items()},
        "rows": rows_used(0 if frame is None else frame.n_used, inputs.loaded.n_read, "answers"),
        "data_period": data_period({"responded_at": inputs.answers["responded_at"]}),
        "highlights": _top_driver(table, importance, priorities),
        "topic_drivers": [] if topic_result is None else
        topic_result.table[_HEADLINE_DRIVER_COLUMNS].to_dict("records"),
        **inputs.date.to_dict()}


def _top_driver(table, importance: Section, priorities: Section) -> list[dict]:
    """The top driver for the index when it beats noise: the "fix first" sentence of the
    priorities when there is one, else the importance card's sentence and interval."""
    if table is None or not len(table) or not bool(table["significant"].iloc[0]):
        return []
    fix = [s for s in priorities.findings if str(s).startswith("Fix first")]
    if fix:
        return [highlight("top_driver", fix[0],
                          section="Importance and performance: what to fix first")]
    card = importance.cards[0] if importance.cards else None
    if card is None:
        return []
    return [highlight("top_driver", card["sentence"], interval=card.get("detail"),
                      section="Relative importance: which drivers matter most")]
