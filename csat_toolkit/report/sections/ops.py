"""Section builders of the support-operations report (notebook ``05_operations``).

:func:`load` reads the tickets, answers and channel volume the notebook's parameters name
and settles the report date, the business-hours schedules and the named columns
(:class:`Inputs`). Each builder then returns one section of the page as a
:class:`~.base.Section`: the data accounting (:func:`accounting`), durations in calendar
and business hours (:func:`durations`), the vendor's own business minutes against them
(:func:`vendor_durations`), SLA compliance (:func:`sla`), the breaches
(:func:`breaches`), the data's own SLA flag (:func:`flag_agreement`), response times
(:func:`response_times`), resolution quality (:func:`quality`), deflection
(:func:`deflection`), volume and forecast (:func:`volume`) and operations tied to
satisfaction (:func:`satisfaction`); :func:`headline` gives the page's extra
``headline.json`` keys. Every decision the page makes (which sections run, the skip
sentences, which columns a table shows, the cards, what goes to ``headline.json``) is
made here; the numbers come from :mod:`csat_toolkit.ops`.

Without tickets every ticket section returns an empty section (the accounting says once
that there is nothing to measure); deflection and the satisfaction skip reason do not
need tickets.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from ...core.display import people_table
from ...core.followup import to_safe_csv
from ...core.pii import mask_columns
from ...core.metrics import select_survey
from ...errors import MissingColumnError
from ...io import load_responses_from_params
from ...io.tables import add_derived, resolve_columns
from ...ops import (VENDOR_DURATIONS, describe_flag_agreement, describe_open_tickets,
                    describe_ops_satisfaction, describe_quality, describe_response_times,
                    duration_overview, vendor_agreement,
                    ops_report_date, ops_satisfaction, quality_both_ways, resolution_quality,
                    response_durations, response_time_summary, sla_compliance, volume_profile)
from ...ops.businesshours import Schedule
from ...ops.selfservice import deflection as _deflection
from ..headline import card, data_period, rounded, rows_used, sla_miss
from ..opsplots import (plot_deflection, plot_ops_satisfaction, plot_response_times, plot_sla,
                        plot_volume_heatmap, plot_weekly_volume)
from .base import Section, figure_of, loaded_scales, page_parameters, rows_of, ticket_rows

__all__ = ["PARAMETERS", "Inputs", "load", "accounting", "durations", "vendor_durations",
           "sla", "breaches",
           "flag_agreement", "response_times", "quality", "deflection", "volume",
           "satisfaction", "headline"]

PARAMETERS = (
    "tickets_path", "tickets_columns", "ticket_options", "derive", "responses_path", "columns",
    "survey", "surveys", "scales", "load_options", "csat_survey", "join_on", "volume_path",
    "as_of", "timezone", "source_timezone", "business_hours", "holidays", "team_schedules",
    "schedule_column", "clock", "sla_targets", "target_key", "sla_by", "unanswered_as_missed",
    "sla_flag_column", "breaches_shown", "response_within", "response_by", "fcr_method",
    "reopen_window_days", "handle_unit", "quality_by", "costs", "deflected_share",
    "deflecting_channels", "deflection_period", "forecast_weeks", "speed_edges", "outcome",
    "conf_level", "min_n", "correction", "output_dir", "title",
)
"""The parameters of ``05_operations`` (its parameter cells, in order), which :func:`load`
needs; ``notebooks/README.md`` documents each."""

# Section names: the keys of Page.sections that headline() reads.
ACCOUNTING, DURATIONS, SLA, BREACHES, FLAG = ("data accounting", "durations", "SLA compliance",
                                              "SLA breaches", "SLA flag agreement")
RESPONSE, QUALITY, DEFLECTION, VOLUME, SATISFACTION = (
    "response times", "resolution quality", "deflection", "volume",
    "operations and satisfaction")
VENDOR = "vendor durations"


@dataclass
class Inputs:
    """What the operations page reads, once, for every section.

    Attributes
    ----------
    params : dict
        The notebook's parameters (:data:`PARAMETERS`).
    tickets : DataFrame or None
        The tickets as loaded, with the ``derive`` columns (None without ``tickets_path``).
    answers : DataFrame or None
        The answers of ``csat_survey`` (None without ``responses_path``).
    volume : DataFrame or None
        The channel volume as read (None without ``volume_path``).
    date : ReportDate or None
        The report date (:func:`csat_toolkit.ops.ops_report_date`); open tickets wait
        until it.
    named : ColumnCheck
        The columns the parameters name that exist (:func:`csat_toolkit.tables.resolve_columns`).
    schedule : Schedule
        The business hours; ``per_team`` the schedules of ``team_schedules``.
    tickets_loaded, loaded : LoadResult or None
        The tickets' and the answers' load results (accounting, notes).
    notes : list of str
        One sentence per input read.
    out : Path
        The folder of the page's files.
    """

    params: dict
    tickets: pd.DataFrame | None
    answers: pd.DataFrame | None
    volume: pd.DataFrame | None
    date: object
    named: object
    schedule: Schedule
    per_team: dict = field(default_factory=dict)
    tickets_loaded: object = None
    loaded: object = None
    notes: list = field(default_factory=list)
    out: Path = Path(".")

    @property
    def stamp(self) -> pd.Timestamp | None:
        """The report date as a Timestamp (the ``as_of`` of the ops functions)."""
        return None if self.date is None else self.date.timestamp

    def schedule_options(self) -> dict:
        """``schedule``, ``schedules``, ``by_column`` and ``source_timezone`` for the ops functions."""
        p = self.params
        return dict(schedule=self.schedule, schedules=self.per_team or None,
                    by_column=p["schedule_column"] if self.per_team else None,
                    source_timezone=p["source_timezone"])


def _schedules(p: Mapping) -> tuple[Schedule, dict]:
    schedule = Schedule.from_dict({"hours": p["business_hours"], "timezone": p["timezone"],
                                   "holidays": p["holidays"], "name": "business hours"})
    per_team = {key: Schedule.from_dict({"timezone": p["timezone"], "name": str(key)} | dict(spec))
                for key, spec in p["team_schedules"].items()}
    return schedule, per_team


def load(params: Mapping, output_dir=None) -> Inputs:
    """Read the tickets, answers and volume; settle the report date, schedules and columns.

    The rejected rows go to ``rejected_tickets.csv`` and ``rejected_rows.csv`` in
    ``output_dir`` (default ``params["output_dir"]``).

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
    >>> load({"tickets_path": "tickets.csv"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    csat_toolkit.errors.ParameterError: The operations page needs the parameter(s) ...
    """
    p, out = page_parameters(params, PARAMETERS, "operations", output_dir)
    schedule, per_team = _schedules(p)
    tickets = answers = volume = tickets_loaded = loaded = None
    notes: list[str] = []
    if p["tickets_path"]:
        tickets_loaded = ticket_rows(p["tickets_path"], p["tickets_columns"], p["ticket_options"])
        to_safe_csv(tickets_loaded.rejected_export(), out / "rejected_tickets.csv")
        tickets = add_derived(tickets_loaded.data, derive=p["derive"], strict=True).data
        notes += [tickets_loaded.summary(), *tickets_loaded.notes]
    if p["responses_path"]:
        loaded = load_responses_from_params({k: p[k] for k in (
            "responses_path", "columns", "survey", "surveys", "scales", "load_options")})
        loaded = rows_of(loaded)
        loaded.write_rejected(out)
        answers = select_survey(loaded.data, p["csat_survey"])
        notes += [loaded.summary(), *loaded.notes,
                  f"{len(answers):,} {p['csat_survey'].upper()} answers can be tied to tickets "
                  f"by {p['join_on']}."]
    if p["volume_path"]:
        volume = pd.read_csv(p["volume_path"], encoding="utf-8-sig")
        notes.append(f"Read {len(volume):,} rows of channel volume from "
                     f"{Path(p['volume_path']).name}.")
    named = resolve_columns(
        {"target_key": p["target_key"], "sla_by": p["sla_by"], "response_by": p["response_by"],
         "quality_by": p["quality_by"], "schedule_column": p["schedule_column"] if per_team else None,
         "sla_flag_column": p["sla_flag_column"]},
        [] if tickets is None else tickets, where="the tickets",
        elsewhere={"the answers": [] if answers is None else answers.columns})
    return Inputs(p, tickets, answers, volume, ops_report_date(p["as_of"], tickets, answers=answers),
                  named, schedule, per_team, tickets_loaded, loaded, notes, out)


def accounting(inputs: Inputs) -> Section:
    """Rows read and used per input, the report date, and the parts the data cannot give.

    Without tickets the one sentence "nothing to measure" is the section's note; with
    them, a note per parameter naming absent columns. The readers' notes (such as cells
    that look like missing-value markers) and the accounting tables of the tickets and
    the answers (results ``tickets`` and ``answers``) are folded under "Details".
    """
    read = [(name, result) for name, result in
            (("tickets", inputs.tickets_loaded), ("answers", inputs.loaded)) if result is not None]
    tables = {name: result.report() for name, result in read}
    folded = [note for _, result in read for note in result.notes]
    sentences = [n for n in inputs.notes if n not in folded] + (
        [] if inputs.date is None else [inputs.date.sentence()])
    notes = (["No ticket table (tickets_path): there is nothing to measure, so every operations "
              "section is skipped."] if inputs.tickets is None else inputs.named.sentences())
    return Section(ACCOUNTING, results=tables, sentences=sentences, notes=notes,
                   details=[*folded, *[people_table(t, title=f"{name.capitalize()}: rows read, "
                                                            "used and set aside")
                                       for name, t in tables.items()]])


def _schedule_sentence(schedule: Schedule, per_team: Mapping) -> str:
    return (f"Schedule: {schedule.weekly_hours:g} business hours a week in {schedule.timezone}"
            + (f", {len(schedule.holidays)} holiday{'s' * (len(schedule.holidays) != 1)}"
               if schedule.holidays else "")
            + (f"; own schedules for {', '.join(map(str, per_team))}" if per_team else "") + ".")


def durations(inputs: Inputs) -> Section:
    """First response and resolution times in calendar and business hours (median, p90);
    the schedule's sentence folded under "Details".

    Results: ``durations`` (:func:`~csat_toolkit.ops.response_durations`) and ``table``
    (:func:`~csat_toolkit.ops.duration_overview`). Skipped when no duration can be computed.
    """
    p, tickets = inputs.params, inputs.tickets
    if tickets is None:
        return Section(DURATIONS)
    frame = response_durations(tickets, as_of=inputs.stamp, **inputs.schedule_options())
    table = duration_overview(frame, within=p["response_within"], conf=p["conf_level"],
                              min_n=p["min_n"])
    results = {"durations": frame, "table": table}
    if table is None:
        return Section(DURATIONS, results=results, skipped=(
            "No durations could be computed (no created_at with first_response_at or resolved_at)."))
    shown = rounded(table, columns=["duration", "statistic", "n", "n_missing", "estimate",
                                    "ci_low", "ci_high", "small_n"])
    shown["duration"] = shown["duration"].map(lambda name: _DURATION_NAMES.get(name, name))
    as_of = None if inputs.date is None else inputs.date.date
    return Section(DURATIONS, results=results, tables={"durations": shown},
                   sentences=describe_open_tickets(frame, tickets, as_of=as_of),
                   details=[_schedule_sentence(inputs.schedule, inputs.per_team)])


def vendor_durations(inputs: Inputs) -> Section:
    """The helpdesk's own business-hours durations against the toolkit's, when the tickets have them.

    Zendesk, Freshdesk, Intercom and HubSpot exports carry the vendor's business minutes
    (``vendor_*_business_minutes``); each is recomputed from the ticket's times under the
    page's schedule (:func:`~csat_toolkit.ops.vendor_agreement`): a check on both. Results:
    ``agreement`` (the table) and ``worst`` (the tickets differing most, folded under
    "Details"). An empty section
    (nothing shown) when the tickets carry no vendor durations.
    """
    tickets = inputs.tickets
    if tickets is None or not any(c in tickets.columns for c in VENDOR_DURATIONS):
        return Section(VENDOR)
    p = inputs.params
    agreement = vendor_agreement(tickets, inputs.schedule, conf=p["conf_level"],
                                 source_timezone=p["source_timezone"])
    table, worst = agreement.table, agreement.worst
    worst = worst[worst["difference"].abs() > agreement.tolerance_minutes]
    sentences = agreement.sentences()
    notes = ([f"The vendor's durations are compared under the main schedule only, not the "
              f"team schedules ({', '.join(map(str, inputs.per_team))})."]
             if inputs.per_team else [])
    shown = {"agreement": rounded(table, columns=[
        "measure", "n", "agree", "estimate", "ci_low", "ci_high", "median_abs_diff",
        "max_abs_diff"])}
    details = ([people_table(rounded(worst), title="The tickets that differ most")]
               if len(worst) else [])
    # The schedule stays beside the agreement: it is what a disagreement asks to check.
    return Section(VENDOR, results={"agreement": table, "worst": worst}, tables=shown,
                   sentences=[_schedule_sentence(inputs.schedule, {}), *sentences],
                   findings=sentences[:1], notes=notes, details=details)


#: The durations as a reader names them (the tables and headline.json keep the column names).
_DURATION_NAMES = {
    "first_response_hours": "first response (calendar hours)",
    "first_response_business_hours": "first response (business hours)",
    "resolution_hours": "resolution (calendar hours)",
    "resolution_business_hours": "resolution (business hours)",
}


def _sla_options(inputs: Inputs) -> dict:
    p = inputs.params
    return dict(clock=p["clock"], as_of=inputs.stamp, target_key=p["target_key"],
                conf=p["conf_level"], min_n=p["min_n"],
                unanswered="breached" if p["unanswered_as_missed"] else "not measurable",
                **inputs.schedule_options())


def _drawn(size: tuple[float, float], draw, *args, **kwargs):
    """A closed figure of ``size`` inches with ``draw(*args, ax=..., **kwargs)`` on it."""
    _, ax = plt.subplots(figsize=size)
    return figure_of(draw, *args, ax=ax, **kwargs)


def sla(inputs: Inputs) -> Section:
    """SLA compliance overall and by each ``sla_by`` column with more than one value.

    Results: ``sla`` (:class:`~csat_toolkit.ops.SlaResult`) and ``by`` (column -> table).
    Skipped when the targets are keyed by a column the tickets lack; the ``sla_by``
    columns with one value are named in a note. Cards: the share met per metric.
    """
    p, tickets = inputs.params, inputs.tickets
    if tickets is None:
        return Section(SLA)
    targets = p["sla_targets"]
    if not (inputs.named["target_key"] or not isinstance(next(iter(targets.values()), 0), dict)):
        return Section(SLA, skipped=f"The SLA targets are keyed by {p['target_key']!r} "
                                    "(target_key), not a ticket column: no SLA section.")
    options = _sla_options(inputs)
    result = sla_compliance(tickets, targets, **options)
    by, figures = {}, []
    for column in [c for c in inputs.named["sla_by"] if tickets[c].nunique() > 1]:
        by[column] = sla_compliance(tickets, targets, by=column, **options).table
        height = max(2.5, 0.3 * min(by[column][column].nunique(), 40) * len(targets))
        figures.append(_drawn((8, height), plot_sla, by[column], by=column, max_groups=40))
    single = [c for c in inputs.named["sla_by"] if c not in by]
    cards = []
    for metric in ("first_response", "resolution"):
        part = result.table[result.table["metric"] == metric]
        if len(part) and part["n"].iloc[0] > 0:
            cards.append(card(f"{metric.replace('_', ' ').capitalize()} SLA met", part.iloc[0],
                              sentence=result.summary()))
    table = rounded(result.table, columns=[
        "metric", "tickets", "met", "breached", "breached_open", "pending", "no_target",
        "not_measurable", "n", "estimate", "ci_low", "ci_high", "small_n"])
    return Section(SLA, results={"sla": result, "by": by}, tables={"sla": table},
                   figures=figures, sentences=[result.summary(), *result.warnings],
                   findings=[result.summary()], cards=cards,
                   notes=[f"No SLA breakdown by {', '.join(single)}: one value only."] if single else [])


def breaches(inputs: Inputs, sla_section: Section) -> Section:
    """The largest overruns (``breaches_shown`` of them); all go to ``sla_breaches.csv``."""
    result = sla_section["sla"]
    if result is None:
        return Section(BREACHES)
    shown = result.breaches.head(inputs.params["breaches_shown"])
    to_safe_csv(mask_columns(result.breaches), inputs.out / "sla_breaches.csv")
    table = rounded(shown, columns=[c for c in shown.columns if c not in ("created_at", "due_at")]
                    + ["created_at", "due_at"])
    return Section(BREACHES, results={"breaches": result.breaches}, tables={"breaches": table},
                   sentences=[f"{len(result.breaches):,} breaches in all; the table shows the "
                              f"{len(shown):,} largest overruns (all in sla_breaches.csv)."])


def flag_agreement(inputs: Inputs, sla_section: Section) -> Section:
    """The toolkit's SLA status against the data's own flag (``sla_flag_column``), when given.

    The resolution SLA is compared when it has a target, else the first metric targeted.
    """
    result, column = sla_section["sla"], inputs.params["sla_flag_column"]
    if result is None or not inputs.named["sla_flag_column"]:
        return Section(FLAG)
    metrics = result.status["metric"]
    metric = "resolution" if "resolution" in set(metrics) else metrics.iloc[0]
    table, sentences = describe_flag_agreement(result, inputs.tickets, column, metric=metric)
    return Section(FLAG, results={"agreement": table}, tables={"agreement": rounded(table)},
                   sentences=sentences, findings=sentences[:2])


def response_times(inputs: Inputs, durations_section: Section) -> Section:
    """Median and 90th percentile first response, the shares answered within; the same by
    ``response_by`` folded under "Details".

    Results: ``response`` (:func:`~csat_toolkit.ops.response_time_summary`). Skipped
    without first response times. Card: the median first response.
    """
    p, frame = inputs.params, durations_section["durations"]
    if frame is None or "first_response_hours" not in frame or \
            not frame["first_response_hours"].notna().any():
        return Section(RESPONSE, skipped=None if inputs.tickets is None else (
            "No first response times (first_response_at or first_response_hours): the "
            "response-time section is skipped."))
    options = dict(within=p["response_within"], conf=p["conf_level"], min_n=p["min_n"])
    response = response_time_summary(frame, **options)
    tables = {"response": rounded(response, drop=["conf", "method", "expectation_source"])}
    details = []
    if inputs.named["response_by"]:
        by = inputs.named["response_by"]
        details.append(people_table(rounded(response_time_summary(
            frame, by=by, expectations=False, **options)),
            title=f"First response by {', '.join(by)}", min_n=p["min_n"]))
    described = describe_response_times(response)
    return Section(RESPONSE, results={"response": response}, tables=tables, details=details,
                   figures=[figure_of(plot_response_times, response)], sentences=described,
                   findings=described[:2],
                   cards=[card("Median first response", response.set_index("statistic").loc[
                       "median"], unit="h", sentence=described[0])])


def quality(inputs: Inputs) -> Section:
    """FCR (both definitions), handle time, contacts and reopens; each measure's
    definition and the breakdown by ``quality_by`` folded under "Details".

    Results: ``quality`` (:func:`~csat_toolkit.ops.resolution_quality` under
    ``fcr_method``). Skipped when the tickets lack the columns it needs. Card: FCR.
    """
    p, tickets = inputs.params, inputs.tickets
    if tickets is None:
        return Section(QUALITY)
    options = dict(reopen_window_days=p["reopen_window_days"], conf=p["conf_level"],
                   min_n=p["min_n"], handle_unit=p["handle_unit"])
    try:
        table = resolution_quality(tickets, method=p["fcr_method"], **options)
    except MissingColumnError as error:
        return Section(QUALITY, skipped=f"No resolution-quality figures: {error}")
    both = quality_both_ways(tickets, method=p["fcr_method"], **options)
    tables = {"quality": rounded(both, drop=["conf", "method", "benchmark_source"])}
    details = [people_table(both[["metric", "method"]].rename(columns={"method": "definition"}),
                            title="How each measure is defined")]
    if inputs.named["quality_by"]:
        by = inputs.named["quality_by"]
        details.append(people_table(rounded(resolution_quality(
            tickets, by=by, method=p["fcr_method"], **options),
            drop=["conf", "method", "benchmark_source"]),
            title=f"Resolution quality by {', '.join(by)}", min_n=p["min_n"]))
    described = describe_quality(table, handle_unit=p["handle_unit"])
    cards = []
    if "fcr" in set(table["metric"]):
        row = table.set_index("metric").loc["fcr"]
        cards.append(card("First-contact resolution", row, sentence=(
            f"FCR {row['estimate']:.1f}% ({row['method'].split('; ', 1)[-1]}).")))
    return Section(QUALITY, results={"quality": table}, tables=tables, sentences=described,
                   findings=described[:1], cards=cards, details=details)


def deflection(inputs: Inputs) -> Section:
    """Self-service against assisted contacts (last six periods and overall); the
    assumptions and the costs used folded under "Details".

    Results: ``deflection`` (:class:`~csat_toolkit.ops.DeflectionResult`). Skipped
    without a volume file. Card: the self-service share.
    """
    p, volume = inputs.params, inputs.volume
    if volume is None:
        return Section(DEFLECTION, skipped="No channel volume file (volume_path): the "
                                           "deflection section is skipped.")
    result = _deflection(volume, period=p["deflection_period"], costs=p["costs"] or None,
                         deflected_share=p["deflected_share"], conf=p["conf_level"],
                         min_n=p["min_n"], self_channels=p["deflecting_channels"])
    periods = pd.concat([result.table.tail(6), result.overall], ignore_index=True)
    return Section(DEFLECTION, results={"deflection": result},
                   tables={"periods": rounded(periods, drop=["conf", "method", "small_n"])},
                   figures=[figure_of(plot_deflection, result.table)],
                   sentences=[result.summary()],
                   details=[f"Assumption: {a}" for a in result.assumptions]
                   + [people_table(rounded(result.costs), title="Costs per contact used")],
                   findings=[result.summary()],
                   cards=[card("Self-service share", result.overall.iloc[0],
                               sentence=result.summary())])


def volume(inputs: Inputs) -> Section:
    """Contacts per weekday, the weekday-by-hour heatmap, the weekly trend and forecast;
    the busiest hours folded under "Details".

    Read in ``timezone``. Results: ``profile`` (:class:`~csat_toolkit.ops.VolumeResult`).
    A history too short for a forecast is a note (``VolumeResult.forecast_gap``).
    """
    p, tickets = inputs.params, inputs.tickets
    if tickets is None:
        return Section(VOLUME)
    profile = volume_profile(tickets, timezone=p["timezone"],
                             source_timezone=p["source_timezone"] or p["timezone"],
                             horizon=p["forecast_weeks"], conf=p["conf_level"], min_n=p["min_n"])
    tables = {"weekday": rounded(profile.weekday, drop=["conf", "method", "weekday"])}
    figures = [] if profile.heatmap.empty else [
        _drawn((10, 3.8), plot_volume_heatmap, profile.heatmap)]
    figures.append(figure_of(plot_weekly_volume, profile.weekly, profile.forecast))
    if profile.forecast is not None:
        tables["forecast"] = rounded(profile.forecast, drop=["conf", "method", "step"])
    details = [] if profile.forecast is None else [
        people_table(rounded(profile.busiest_hours(8)), title="Busiest hours")]
    return Section(VOLUME, results={"profile": profile}, tables=tables, figures=figures,
                   details=details,
                   sentences=[profile.summary(), *profile.warnings], findings=[profile.summary()],
                   notes=[] if profile.forecast is not None else [profile.forecast_gap])


def satisfaction(inputs: Inputs, sla_section: Section) -> Section:
    """Satisfaction when the SLA was met or missed, by response time, with FCR or without;
    the answers' accounting and the warnings folded under "Details".

    Results: ``tied`` (:func:`~csat_toolkit.ops.ops_satisfaction`). Skipped without
    answers of ``csat_survey``; empty without tickets or an SLA section.
    """
    p, answers = inputs.params, inputs.answers
    if answers is None or answers.empty:
        return Section(SATISFACTION, skipped=(
            f"No {p['csat_survey'].upper()} answers (responses_path, csat_survey): satisfaction "
            "cannot be tied to operations."))
    if inputs.tickets is None or sla_section["sla"] is None:
        return Section(SATISFACTION)
    missing = [c for c in (p["join_on"],) if c not in answers.columns or c not in inputs.tickets]
    if missing:
        return Section(SATISFACTION, skipped=(
            f"The answers and the tickets share no {missing[0]!r} column (join_on): "
            "satisfaction cannot be tied to operations. Give the answers the ticket id, or "
            "set join_on to the column both have."))
    tied = ops_satisfaction(inputs.tickets, answers, on=p["join_on"], outcome=p["outcome"],
                            conf=p["conf_level"], correction=p["correction"],
                            sla=sla_section["sla"], edges=p["speed_edges"],
                            scale=loaded_scales(inputs.loaded, p)[p["csat_survey"]],
                            reopen_window_days=p["reopen_window_days"], min_n=p["min_n"])
    counted = pd.DataFrame(list(tied.attrs["accounting"].items()), columns=["answers", "rows"])
    figures = [_drawn((8, max(2.5, 0.6 * len(tied))), plot_ops_satisfaction, tied)] if len(tied) \
        else []
    described = describe_ops_satisfaction(tied)
    return Section(SATISFACTION, results={"tied": tied},
                   tables={"tied": rounded(
                       tied, drop=["conf", "method", "test", "correction", "statistic"])},
                   figures=figures, sentences=described, findings=described[:1],
                   details=[*tied.attrs["warnings"],
                            people_table(counted, title="Answers tied to tickets")])


def _records(table: pd.DataFrame | None):
    return None if table is None else table.drop(columns=["method"], errors="ignore").to_dict(
        "records")


def headline(inputs: Inputs, sections: Mapping[str, Section]) -> dict:
    """The page's own ``headline.json`` keys (besides title, kpis, findings and skipped).

    ``sections`` are the page's sections by name (``Page.sections``); a section not shown
    counts as not run.
    """
    def result(section: str, name: str):
        shown = sections.get(section)
        return None if shown is None else shown[name]

    sla_result, deflected = result(SLA, "sla"), result(DEFLECTION, "deflection")
    profile, p = result(VOLUME, "profile"), inputs.params
    tickets = inputs.tickets
    return {
        "n_tickets_read": 0 if tickets is None else inputs.tickets_loaded.n_read,
        "n_tickets": 0 if tickets is None else len(tickets),
        "clock": p["clock"], "timezone": p["timezone"],
        "weekly_hours": inputs.schedule.weekly_hours,
        "sla": _records(None if sla_result is None else sla_result.table),
        "sla_accounting": _records(None if sla_result is None else sla_result.accounting),
        "sla_by": {c: _records(t) for c, t in (result(SLA, "by") or {}).items()},
        "breaches": 0 if sla_result is None else len(sla_result.breaches),
        "flag_agreement": _records(result(FLAG, "agreement")),
        "vendor_agreement": _records(result(VENDOR, "agreement")),
        "durations": _records(result(DURATIONS, "table")),
        "response_times": _records(result(RESPONSE, "response")),
        "quality": _records(result(QUALITY, "quality")),
        "deflection": None if deflected is None else _records(deflected.overall)[0],
        "volume_weekday": _records(None if profile is None else profile.weekday),
        "forecast": _records(None if profile is None else profile.forecast),
        "ops_satisfaction": _records(result(SATISFACTION, "tied")),
        "rows": rows_used(0 if tickets is None else len(tickets),
                          0 if tickets is None else inputs.tickets_loaded.n_read, "tickets"),
        "data_period": None if tickets is None else data_period(
            {c: tickets[c] for c in ("created_at", "resolved_at") if c in tickets}),
        "highlights": [h for h in [sla_miss(None if sla_result is None else sla_result.table,
                                            section="SLA compliance")] if h],
        **(inputs.date.to_dict() if inputs.date is not None else
           {"as_of": None, "as_of_source": None, "as_of_column": None}),
    }
