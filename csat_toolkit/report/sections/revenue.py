"""Section builders of the NPS-and-revenue report (notebook ``04_nps_revenue``).

:func:`load` reads the inputs the notebook's parameters name (:class:`Inputs`); each
builder then returns one section of the report as a :class:`~.base.Section`: the data
accounting (:func:`accounting`), revenue by category (:func:`categories`), accounts
(:func:`accounts`), churn (:func:`churn`), the segment-period link (:func:`link`), the
transitions (:func:`transitions`), the scenario (:func:`scenario`) and the caveats
(:func:`caveats`); :func:`headline` gives the page's extra ``headline.json`` keys. These
take the :class:`Inputs` and read their parameters from it. The ``*_section`` builders
under them take plain frames and keywords, so an analyst can build one section from
Python without a notebook. Every decision the page makes (which sections run, the skip
sentences, which columns a table shows, what goes to ``headline.json``) is made here.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...core.asof import report_date
from ...core.display import people_table
from ...core.pii import mask_columns
from ...core.text import format_level
from ...core.followup import to_safe_csv
from ...core.metrics import metric_table, select_survey
from ...errors import DataError, ParameterError, show_values
from ...io import load_responses_from_params
from ...io.engines import choose_engine
from ...io.engines.revenue import scan_revenue
from ...io.revenue_tables import read_inputs
from ...revenue import survival
from ...revenue import (CAVEATS, WindowResult, account_rollup, add_categories,
                        category_transitions, churn_customers, compare_categories,
                        conversion_scenario, current_customers, describe_comparison,
                        growth_sentence, recent_revenue, revenue_by_category, revenue_months,
                        revenue_windows, segment_period_link)
from ...revenue._common import _check_count
from ...revenue.windows import _plural
from ..headline import data_period, highlight, kpi, rounded, rows_used
from ..revenueplots import (plot_nps_growth, plot_retention, plot_revenue_by_category,
                            plot_revenue_transitions)
from .base import Section, figure_of, loaded_scales, page_parameters, rows_of

__all__ = [
    "PARAMETERS",
    "Inputs",
    "load",
    "accounting",
    "categories",
    "accounts",
    "churn",
    "link",
    "transitions",
    "scenario",
    "caveats",
    "headline",
    "usable_segments",
    "shown_rows",
    "headline_cards",
    "category_section",
    "account_section",
    "churn_section",
    "link_section",
    "transition_section",
    "scenario_section",
    "report_date_of",
    "headline_extra",
]



def usable_segments(segments: Sequence[str], *frames: pd.DataFrame | None
                    ) -> tuple[list[str], list[str]]:
    """Segment columns found in the frames and with two or more values, and why others not.

    Examples
    --------
    >>> answers = pd.DataFrame({"region": ["N", "S"], "plan": ["x", "x"]})
    >>> usable_segments(["region", "plan", "size"], answers)
    (['region'], ["Segment column 'plan' has a single value ('x'): not used.", "Segment column 'size' is in neither the responses nor the customers table: not used."])
    """
    used, notes = [], []
    for name in segments:
        holder = next((f for f in frames if f is not None and name in f.columns), None)
        if holder is None:
            notes.append(f"Segment column {name!r} is in neither the responses nor the "
                         "customers table: not used.")
            continue
        values = holder[name].dropna()
        if values.nunique() < 2:
            notes.append(f"Segment column {name!r} has a single value "
                         f"({show_values(values.unique().tolist()) if len(values) else 'none'}): "
                         "not used.")
            continue
        used.append(name)
    return used, notes


def shown_rows(table: pd.DataFrame, limit: int = 20) -> tuple[pd.DataFrame, str | None]:
    """The first ``limit`` rows, and "N more not shown" when there are more.

    Examples
    --------
    >>> head, note = shown_rows(pd.DataFrame({"x": range(25)}), limit=20)
    >>> len(head), note
    (20, '5 more rows not shown (25 in all).')
    """
    limit = _check_count(limit, "limit", low=1)
    if len(table) <= limit:
        return table, None
    return table.head(limit), f"{len(table) - limit:,} more rows not shown ({len(table):,} in all)."


def headline_cards(compare=None, churn=None, link=None, scenario=None) -> list[dict]:
    """KPI cards (label, value, display, detail, sentence) for the report index.

    One card per result given: the first outcome of :func:`compare_categories`, the
    worst category's churn share (an :func:`~csat_toolkit.survival.expected_churn`
    table), the segment-period regression at the first lag (:class:`LinkResult`) and
    the scenario (:class:`ScenarioResult`). None are skipped.

    Examples
    --------
    >>> df = pd.DataFrame({"category": ["promoter"] * 4 + ["detractor"] * 4,
    ...                    "growth": [5.0, 7.0, 6.0, 6.0, -2.0, 0.0, -1.0, -1.0]})
    >>> card = headline_cards(compare_categories(df, cluster=None, min_n=2))[0]
    >>> card["label"], card["display"], card["detail"]
    ('Promoters vs detractors: growth', '+7.0', '95% CI +5.6 to +8.4, n=4 and 4')
    """
    cards = []
    if compare is not None and len(compare):
        r = compare.iloc[0]
        unit = " pts" if r["kind"] == "share" else ""
        cards.append({"label": f"{_plural(r['a']).capitalize()} vs {_plural(r['b'])}: "
                               f"{str(r['outcome']).replace('_', ' ')}",
                      "value": None if not np.isfinite(r["difference"]) else
                      round(float(r["difference"]), 6),
                      "display": f"{r['difference']:+.1f}{unit}",
                      "detail": f"{r['conf']:.0%} CI {r['ci_low']:+.1f} to {r['ci_high']:+.1f}, "
                                f"n={int(r['n_a']):,} and {int(r['n_b']):,}",
                      "sentence": describe_comparison(compare.iloc[:1])[0]})
    if churn is not None and len(churn) and np.isfinite(churn["estimate"].iloc[0]):
        r = churn.iloc[0]  # the worst category; no card when its churn is unknown
        cards.append({"label": f"Churn of {_plural(r['group'])} within {r['at']:g} months",
                      "value": None if not np.isfinite(r["estimate"]) else
                      round(float(r["estimate"]), 6),
                      "display": f"{r['estimate']:.1f}%",
                      "detail": f"{r['conf']:.0%} CI {r['ci_low']:.1f}% to {r['ci_high']:.1f}%, "
                                f"n={int(r['n']):,}",
                      "sentence": f"{r['estimate']:.1f}% of {_plural(r['group'])} churned within "
                                  f"{r['at']:g} months ({r['conf']:.0%} CI {r['ci_low']:.1f}% to "
                                  f"{r['ci_high']:.1f}%, n={int(r['n']):,})."})
    if link is not None:
        fits = link.regression.dropna(subset=["estimate"])
        if len(fits):
            r = fits.iloc[-1]  # the lag link.summary() describes
            cards.append({"label": f"Growth with +10 NPS points (lag {int(r['lag'])})",
                          "value": round(float(r["estimate"]), 6),
                          "display": f"{r['estimate']:+.2f}%",
                          "detail": f"{r['conf']:.0%} CI {r['ci_low']:+.2f} to "
                                    f"{r['ci_high']:+.2f}, {int(r['n'])} segment-periods",
                          "sentence": link.summary()})
    if scenario is not None:
        r = scenario.table.iloc[0]
        cards.append({"label": f"Scenario: {r['share']:g}% of {_plural(r['from'])} to "
                               f"{_plural(r['to'])}",
                      "value": round(float(r["estimate"]), 6),
                      "display": f"{r['estimate']:+,.0f}",
                      "detail": f"{r['conf']:.0%} interval {r['ci_low']:+,.0f} to "
                                f"{r['ci_high']:+,.0f} over {int(r['horizon_months'])} months",
                      "sentence": scenario.summary()})
    return cards


# --- sections from frames ----------------------------------------------------------------
# Each builder takes frames and keywords and returns a Section: its results, the tables and
# figures to show, the sentences, cards and findings, or the one sentence saying why it is
# skipped.


def _has(answers: pd.DataFrame, column: str) -> bool:
    return column in answers.columns and bool(answers[column].notna().any())


def _no_answers(name: str, answers: pd.DataFrame, survey: str) -> Section | None:
    if len(answers):
        return None
    return Section(name, skipped=f"No {survey.upper()} answers in the responses: {name} is "
                                 f"skipped (set link_survey to the survey the file has).")


def category_section(answers, revenue, *, survey="nps", before=3, after=6, as_of=None,
                     growth="log", scale=None, outcomes=(), conf=0.95, min_n=30,
                     correction="holm") -> Section:
    """Revenue by category: windows from a revenue table, else revenue per answer.

    Shown: the best-worst comparison, one chart per outcome (its comparison sentence as
    alt text) and the sentences; the windows' accounting and warnings and the table of
    every outcome by category are folded under "Details".

    ``answers`` carry ``category`` (:func:`add_categories`); the best category is
    compared with the worst. Skipped with a sentence without answers, without a revenue
    table (with customer ids and dates) and ``outcomes``, or when no answer has a
    complete window (history too short; the sentence says why and what to change).

    Examples
    --------
    >>> answers = add_categories(pd.DataFrame({"customer_id": ["a"], "score": [9]}))
    >>> category_section(answers, None).skipped  # doctest: +ELLIPSIS
    'No revenue table with customer ids and answer dates, and no revenue per answer ...'
    """
    name = "revenue by category"
    if (early := _no_answers(name, answers, survey)) is not None:
        return early
    levels = list(answers["category"].cat.categories)
    worst, best = levels[0], levels[-1]
    out = Section(name)
    if revenue is not None and _has(answers, "customer_id") and _has(answers, "responded_at"):
        try:
            windows = revenue_windows(answers, revenue, before=before, after=after, as_of=as_of,
                                      category="category", scale=scale, survey=None,
                                      growth=growth)
        except DataError as error:
            return Section(name, skipped=f"Revenue by category is skipped: {error}")
        out.results["windows"] = frame = windows
        out.sentences.append(windows.summary())
        out.details += [*windows.warnings, people_table(
            rounded(windows.accounting), title="Answers with a complete revenue window")]
        cluster, chosen = "customer_id", None
    elif outcomes:
        frame = answers.dropna(subset=["category"])
        cluster = "customer_id" if _has(answers, "customer_id") else None
        chosen = list(outcomes)
    else:
        return Section(name, skipped="No revenue table with customer ids and answer dates, and "
                                     "no revenue per answer (answer_revenue_columns): revenue "
                                     "by category is skipped.")
    out.results["by_category"] = by_category = revenue_by_category(
        frame, outcomes=chosen, conf=conf, min_n=min_n, cluster=cluster)
    out.details.append(people_table(rounded(by_category, columns=[
        "category", "outcome", "n", "customers", "estimate", "ci_low", "ci_high", "small_n",
        "method"]), title="Revenue outcomes by category", min_n=min_n))
    drawn = list(dict.fromkeys(by_category["outcome"]))
    out.figures += [figure_of(_outcome_chart, by_category, outcome) for outcome in drawn]
    try:
        compare = compare_categories(frame, best, worst, outcomes=chosen, conf=conf,
                                     min_n=min_n, cluster=cluster, correction=correction)
    except DataError as error:
        out.notes.append(f"The {best}-{worst} comparison is skipped: {error}")
        return out
    out.results["compare"] = compare
    out.tables["comparison"] = rounded(compare, columns=[
        "outcome", "a", "b", "n_a", "n_b", "estimate_a", "estimate_b", "difference", "ci_low",
        "ci_high", "p_adjusted", "significant", "small_n", "method"])
    out.cards += headline_cards(compare=compare)
    described = describe_comparison(compare)
    out.sentences += described
    out.findings += described[:2]
    if len(described) == len(compare):  # one sentence per outcome: each chart's alt text
        said = dict(zip(compare["outcome"], described))
        out.captions = [f"Chart: {str(o).replace('_', ' ')} by category with "
                        f"{format_level(conf)} CIs. {said.get(o, '')}".strip() for o in drawn]
    return out


def _outcome_chart(table: pd.DataFrame, outcome: str):
    """One outcome's chart, narrow enough to read on a phone."""
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(4.6, 3.2))
    plot_revenue_by_category(table, outcome, ax=ax)
    ax.figure.tight_layout()
    return ax


def account_section(answers, customers, revenue, *, survey="nps", as_of=None, scale=None,
                    named_categories=False, conf=0.95, min_n=30, limit=10) -> Section:
    """Accounts: the rollup of :func:`account_rollup`, or why it is skipped.

    Examples
    --------
    >>> answers = add_categories(pd.DataFrame({"customer_id": ["a"], "score": [9]}))
    >>> account_section(answers, None, None).skipped  # doctest: +ELLIPSIS
    'No account ids (customers table with account_id), monthly revenue ...'
    """
    name = "the account section"
    if (early := _no_answers(name, answers, survey)) is not None:
        return early
    if revenue is None or customers is None or "account_id" not in customers \
            or not _has(answers, "responded_at") or survey != "nps" or named_categories:
        return Section(name, skipped="No account ids (customers table with account_id), monthly "
                                     "revenue and dated NPS answers: the account section is "
                                     "skipped.")
    try:
        accounts = account_rollup(answers, customers, revenue, as_of=as_of, months=12,
                                  scale=scale, survey=None, conf=conf, min_n=min_n)
    except DataError as error:
        return Section(name, skipped=f"The account section is skipped: {error}")
    at_risk, more = shown_rows(accounts.at_risk, limit)
    tables = {
        "overall": rounded(accounts.overall, columns=["weighting", "n", "accounts", "n_eff",
                                                      "estimate", "ci_low", "ci_high",
                                                      "headline"]),
        "coverage": rounded(accounts.coverage),
        "at risk": rounded(at_risk, columns=["account_id", "customers", "n", "estimate",
                                             "ci_low", "ci_high", "revenue", "revenue_share"])}
    return Section(name, results={"accounts": accounts, "at_risk": at_risk}, tables=tables,
                   sentences=[accounts.summary(), accounts.context, *accounts.warnings]
                   + ([f"Accounts at risk: {more}"] if more else []),
                   findings=[accounts.summary()])


def churn_section(answers, customers, revenue, *, survey="nps", as_of=None, horizon_months=12,
                  churn_column=None, tenure_column=None, risk_revenue_column=None,
                  best=None, conf=0.95, min_n=30) -> Section:
    """Churn by category from churn dates (or a churn flag with tenure), revenue at risk.

    Shown: the retention curves, the churn shares, the revenue at risk and their
    sentences; the log-rank test, the hazard ratios and the warnings are folded under
    "Details" (results ``logrank`` and ``hazards``).

    ``customers`` holds ``customer_id`` and ``churned_at`` (from the customers table or
    :func:`churn_customers`). When no customer churned, the curves and the churn shares
    (with their exact upper bounds) are shown and the log-rank test and hazard ratios
    are skipped, each with a sentence.

    Examples
    --------
    >>> answers = add_categories(pd.DataFrame({"customer_id": ["a"], "score": [9]}))
    >>> churn_section(answers, None, None).skipped  # doctest: +ELLIPSIS
    'No churn dates (customers table with churned_at, or churn_after_months_without_revenue) ...'
    """
    name = "the churn section"
    if (early := _no_answers(name, answers, survey)) is not None:
        return early
    out = Section(name, results={"unit": "months"})
    dated = _has(answers, "customer_id") and _has(answers, "responded_at")
    if customers is not None and "churned_at" in customers and dated:
        try:
            churn = survival.churn_by_category(customers, answers, as_of=as_of,
                                               horizon_months=horizon_months, conf=conf,
                                               min_n=min_n)
        except DataError as error:
            return Section(name, skipped=f"The churn section is skipped: {error}")
        data, duration, event = churn.durations, "months", "churned"
        curves, table, logrank = churn.curves, churn.churn, churn.logrank
        out.results["churn"] = churn
        notes = [churn.summary()]
        out.details += churn.warnings
    elif churn_column and tenure_column:
        data = answers.dropna(subset=["category", churn_column, tenure_column])
        duration, event = tenure_column, churn_column
        curves = survival.retention_curves(data, duration=duration, event=event, by="category",
                                           conf=conf, min_n=min_n)
        table = survival.expected_churn(curves, at=horizon_months, min_n=min_n)
        churned = pd.to_numeric(data[event], errors="coerce").sum() > 0
        logrank = survival.logrank_test(data, duration=duration, event=event, by="category") \
            if churned and data["category"].nunique() > 1 else None
        out.results["unit"] = (f"{tenure_column.replace('_', ' ')} (months since the customer "
                               "started)")
        notes = [f"{len(data):,} customers followed from the start of their relationship "
                 f"({tenure_column}) to churn ({churn_column} = 1) or the end of the data; "
                 f"{len(answers) - len(data):,} answers without a category, tenure or churn "
                 "flag set aside. The category was measured at the end, not at the start: the "
                 "curves show how customers who answered this way had fared."]
    else:
        return Section(name, skipped="No churn dates (customers table with churned_at, or "
                                     "churn_after_months_without_revenue) and no churn flag "
                                     "with tenure (churn_column, tenure_column): the churn "
                                     "section is skipped.")
    out.results.update(curves=curves, churn_table=table, logrank=logrank)
    out.figures.append(figure_of(plot_retention, curves, at=horizon_months,
                                 unit=out.results["unit"]))
    out.tables["churn"] = rounded(table, columns=["group", "at", "n", "at_risk", "estimate",
                                                  "ci_low", "ci_high", "small_n"])
    out.cards += headline_cards(churn=table)
    events = pd.to_numeric(data[event], errors="coerce").fillna(0).sum()
    hazards = None
    if events == 0:
        out.notes.append("No customer churned in the follow-up: the log-rank test and the Cox "
                         "hazard ratios are skipped (the churn shares show upper bounds).")
    else:
        try:
            hazards = survival.hazard_ratios(data, duration=duration, event=event,
                                             covariates="category", reference={"category": best},
                                             conf=conf)
            out.details += [w for w in hazards["warning"].dropna() if w]
        except DataError as error:
            out.details.append(f"No Cox hazard ratios: {error}")
    try:
        at_risk, money = _revenue_at_risk(answers, table, revenue, churn_column,
                                          risk_revenue_column, as_of, min_n,
                                          from_dates="churn" in out.results)
    except DataError as error:
        at_risk = money = None
        out.notes.append(f"The revenue at risk is skipped: {error} When the follow-up is "
                         f"shorter than horizon_months={horizon_months:g}, churn within it is "
                         "unknown: shorten horizon_months or use a longer history.")
    out.results.update(hazards=hazards, at_risk=at_risk)
    if at_risk is not None:
        out.tables["revenue at risk"] = rounded(at_risk, columns=[
            "category", "customers", "revenue", "churn", "estimate", "ci_low", "ci_high",
            "excess", "small_n"])
    for title, shown, columns in (
            ("Log-rank test: do the categories churn alike?", logrank,
             ["group", "n", "observed", "expected", "chi2", "df", "p", "method"]),
            ("Cox hazard ratios against the best category", hazards,
             ["level", "reference", "n", "events", "estimate", "ci_low", "ci_high", "p",
              "ph_p"])):
        if shown is not None:
            out.details.append(people_table(rounded(shown, columns=columns), title=title))
    described = survival.describe_churn(table, logrank, hazards, at_risk, money=money)
    out.findings += described
    out.sentences += described + notes
    return out


def _revenue_at_risk(answers, table, revenue, churn_column, risk_column, as_of, min_n,
                     from_dates):
    if risk_column:
        has_ids = _has(answers, "customer_id")
        at_risk = survival.revenue_at_risk(answers, table, amount=risk_column,
                                           churned=None if from_dates else churn_column,
                                           customer="customer_id" if has_ids else None,
                                           min_n=min_n)
        return at_risk, risk_column.replace("_", " ")
    if revenue is None or not _has(answers, "customer_id"):
        return None, None
    recent = recent_revenue(revenue, months=12, as_of=as_of)
    current = answers.merge(recent[["customer_id", "revenue"]], on="customer_id", how="left")
    at_risk = survival.revenue_at_risk(current, table, amount="revenue", customer="customer_id",
                                       order="responded_at", min_n=min_n)
    return at_risk, f"revenue of {recent.attrs['first']} to {recent.attrs['last']}"


def link_section(answers, revenue, customers, *, segments=(), survey="nps",
                 named_categories=False, period="Q", lags=(0, 1), conf=0.95, scale=None,
                 min_n=30, max_segments=50) -> Section:
    """The segment-period link, or why it is skipped (no revenue, no usable segments ...).

    Shown: the chart and its summary; the correlations, the regression, the Granger test
    and the warnings are folded under "Details".

    Segment columns with a single value are left out (a sentence says so); many
    segments are pooled (``max_segments``, see :func:`segment_period_link`).

    Examples
    --------
    >>> answers = add_categories(pd.DataFrame({"customer_id": ["a"], "score": [9],
    ...     "responded_at": ["2024-01-02"], "region": ["N"]}))
    >>> rev = pd.DataFrame({"customer_id": ["a"], "period": ["2024-01"], "revenue": [1]})
    >>> link_section(answers, rev, None, segments=["region"]).skipped  # doctest: +ELLIPSIS
    "No segment column with two or more values (segment_columns): the segment-period link ..."
    """
    name = "the segment-period link"
    if (early := _no_answers(name, answers, survey)) is not None:
        return early
    if revenue is None or not _has(answers, "responded_at") or not _has(answers, "customer_id") \
            or survey != "nps" or named_categories:
        return Section(name, skipped="No monthly revenue, or no dated NPS answers with customer "
                                     "ids: the segment-period link is skipped.")
    used, notes = usable_segments(segments, answers, customers)
    if not used:
        return Section(name, skipped="No segment column with two or more values "
                                     "(segment_columns): the segment-period link is skipped."
                                     + (" " + " ".join(notes) if notes else ""))
    try:
        link = segment_period_link(answers, revenue, segments=used, period=period, lags=lags,
                                   customers=customers, conf=conf, scale=scale, survey=None,
                                   min_n=min_n, max_segments=max_segments)
    except DataError as error:
        return Section(name, skipped=f"The segment-period link is skipped: {error}")
    fitted = link.regression.dropna(subset=["estimate"])
    line = fitted.iloc[0] if len(fitted) else None
    folded = [
        people_table(rounded(link.correlations, columns=[
            "lag", "method", "n", "estimate", "ci_low", "ci_high", "p_value"]),
            title="Correlations of NPS and growth"),
        people_table(rounded(link.regression, columns=[
            "lag", "term", "estimate", "ci_low", "ci_high", "p_value", "n", "segments"]),
            title="Regression: growth with +10 NPS points"),
        people_table(rounded(link.granger.tail(1)), title="Granger test: does NPS lead growth?")]
    return Section(name, results={"link": link, "line": line},
                   figures=[figure_of(plot_nps_growth, link.panel, line)],
                   cards=headline_cards(link=link), sentences=[link.summary()],
                   findings=[link.summary()], notes=notes,
                   details=[*link.warnings, *folded])


def transition_section(answers, revenue, *, survey="nps", scale=None, conf=0.95,
                       min_n=30) -> Section:
    """Customers who answered twice, or why the section is skipped.

    Examples
    --------
    >>> answers = add_categories(pd.DataFrame({"customer_id": ["a", "b"], "score": [9, 3],
    ...     "responded_at": ["2024-01-02", "2024-02-01"]}))
    >>> transition_section(answers, None).skipped  # doctest: +ELLIPSIS
    'No customer answered twice (or answers have no dates or customer ids): ...'
    """
    name = "the transitions"
    if (early := _no_answers(name, answers, survey)) is not None:
        return early
    if not (_has(answers, "responded_at") and _has(answers, "customer_id")) \
            or not answers["customer_id"].dropna().duplicated().any():
        return Section(name, skipped="No customer answered twice (or answers have no dates or "
                                     "customer ids): the transitions are skipped.")
    try:
        result = category_transitions(answers, revenue, category="category", scale=scale,
                                      survey=None, conf=conf, min_n=min_n)
    except DataError as error:
        return Section(name, skipped=f"The transitions are skipped: {error}")
    if result.counts.to_numpy().sum() == 0:
        return Section(name, skipped="No customer answered twice in different months: the "
                                     "transitions are skipped.")
    return Section(name, results={"transitions": result},
                   figures=[figure_of(plot_revenue_transitions, result)],
                   sentences=[result.summary(), *result.warnings], findings=[result.summary()])


def scenario_section(answers, revenue, windows: WindowResult | None = None,
                     churn_table: pd.DataFrame | None = None, *, share=0.1, to="passive",
                     n_boot=1000, seed=0, horizon_months=12, as_of=None, churn_column=None,
                     risk_revenue_column=None, conf=0.95) -> Section:
    """The conversion scenario from the windows (or churn with revenue per answer).

    Shown: the scenario's main row (converted customers, estimate, interval, share of the
    baseline) and its summary; the assumptions, the estimate's parts (growth, retention)
    and the rates used are folded under "Details".

    ``windows`` is :func:`revenue_windows`' result (None without a revenue table);
    ``churn_table`` the churn section's :func:`~csat_toolkit.survival.expected_churn` table.

    Examples
    --------
    >>> answers = add_categories(pd.DataFrame({"customer_id": ["a"], "score": [9]}))
    >>> scenario_section(answers, None).skipped  # doctest: +ELLIPSIS
    'The scenario needs revenue growth (a revenue table) or churn with revenue per answer: ...'
    """
    name = "the scenario"
    levels = list(answers["category"].cat.categories) if "category" in answers else []
    worst = levels[0] if levels else None
    table = churn_table
    try:
        if windows is not None:
            current = current_customers(answers, revenue, as_of=as_of)
            result = conversion_scenario(windows, share=share, to=to, from_=worst,
                                         n_boot=n_boot, seed=seed, horizon_months=horizon_months,
                                         churn=table, conf=conf, current=current)
        elif risk_revenue_column and table is not None:
            rows = answers.dropna(subset=["category"])
            stayed = rows if not churn_column else \
                rows[pd.to_numeric(rows[churn_column], errors="coerce") == 0]
            result = conversion_scenario(
                rows, share=share, to=to, from_=worst, n_boot=n_boot, seed=seed,
                horizon_months=horizon_months, churn=table,
                cluster="customer_id" if _has(answers, "customer_id") else None,
                revenue=risk_revenue_column, growth=None, retained=None, conf=conf,
                current=stayed.assign(revenue=stayed[risk_revenue_column])
                if churn_column else None)
        else:
            return Section(name, skipped="The scenario needs revenue growth (a revenue table) or "
                                         "churn with revenue per answer: it is skipped.")
    except (DataError, ParameterError) as error:
        return Section(name, skipped=f"The scenario could not be computed: {error}")
    tables = {"scenario": rounded(result.table, columns=[
        "from", "to", "share", "converted", "horizon_months", "estimate", "ci_low", "ci_high",
        "pct_of_baseline"])}
    parts = rounded(result.table, columns=[
        "customers_from", "converted", "monthly_revenue", "horizon_months", "estimate",
        "growth_part", "retention_part", "pct_of_baseline"])
    return Section(name, results={"scenario": result}, tables=tables,
                   cards=headline_cards(scenario=result), sentences=[result.summary()],
                   findings=[result.summary()],
                   details=["Assumptions: " + a for a in result.assumptions] + [
                       people_table(parts, title="The estimate in parts"),
                       people_table(rounded(result.rates), title="Rates the scenario uses")])


def report_date_of(as_of, responses: pd.DataFrame | None, revenue: pd.DataFrame | None):
    """The notebook's report date: ``as_of``, else the end of the last revenue month, else
    the latest answer (:func:`csat_toolkit.asof.report_date`).

    Returns
    -------
    (ReportDate or None, str)
        The date (None when there is neither ``as_of`` nor a date in the data) and the
        sentence for the report.

    Examples
    --------
    >>> rev = pd.DataFrame({"customer_id": ["a"], "period": ["2025-12"], "revenue": [1]})
    >>> date, sentence = report_date_of(None, None, rev)
    >>> date.date, sentence
    ('2025-12-31', 'Report date 2025-12-31: the latest period in the data (as_of not given).')
    >>> report_date_of(None, pd.DataFrame({"responded_at": [pd.NaT]}), None)[1]
    'No report date: the data hold no dates and as_of is not given.'
    """
    if revenue is not None and "period" in revenue.columns:
        columns = {"period": revenue_months(revenue)}
    elif responses is not None and "responded_at" in responses.columns:
        columns = {"responded_at": responses["responded_at"]}
    else:
        columns = {}
    date = report_date(as_of, columns)
    return (date if date else None), date.sentence()


def _records(table, columns, first=False):
    if table is None:
        return None if first else []
    rows = table[columns].to_dict("records")
    return rows[0] if first else rows


def headline_extra(*, by_category=None, compare=None, churn_table=None, logrank=None,
                   hazards=None, at_risk=None, accounts=None, link=None, scenario=None) -> dict:
    """The result tables of the NPS-and-revenue notebook as plain values for headline.json.

    Absent results give ``[]`` (tables) or ``None`` (single results).

    Examples
    --------
    >>> extra = headline_extra()
    >>> extra["comparison"], extra["scenario"], extra["logrank_p"]
    ([], None, None)
    """
    return {
        "by_category": _records(by_category, ["category", "outcome", "n", "estimate", "ci_low",
                                              "ci_high"]),
        "comparison": _records(compare, ["outcome", "a", "b", "n_a", "n_b", "difference",
                                         "ci_low", "ci_high", "p_adjusted", "significant"]),
        "churn": _records(churn_table, ["group", "at", "n", "estimate", "ci_low", "ci_high"]),
        "logrank_p": None if logrank is None else float(logrank["p"].iloc[0]),
        "hazard_ratios": _records(hazards, ["level", "reference", "estimate", "ci_low",
                                            "ci_high", "p"]),
        "revenue_at_risk": _records(at_risk, ["category", "customers", "revenue", "estimate",
                                              "ci_low", "ci_high", "excess"]),
        "accounts": None if accounts is None else _records(
            accounts.overall, ["weighting", "n", "accounts", "estimate", "ci_low", "ci_high"]),
        "coverage": None if accounts is None else _records(
            accounts.coverage, ["quarter", "coverage", "meets_target"]),
        "link": None if link is None else _records(
            link.regression, ["lag", "estimate", "ci_low", "ci_high", "p_value", "n",
                              "segments"]),
        "link_warnings": [] if link is None else list(link.warnings),
        "scenario": None if scenario is None else _records(
            scenario.table, ["from", "to", "share", "estimate", "ci_low", "ci_high"], first=True),
    }


# --- the notebook's page ----------------------------------------------------------------------

PARAMETERS = (
    "responses_path", "columns", "survey", "surveys", "scales", "thresholds", "encoding", "sep",
    "date_format", "dayfirst", "load_options", "start", "end", "link_survey", "categories",
    "answer_revenue_columns", "risk_revenue_column", "churn_column", "tenure_column",
    "revenue_path", "revenue_columns", "customers_path", "customers_columns", "revenue_options",
    "churn_after_months_without_revenue", "months_before", "months_after", "growth",
    "horizon_months", "segment_columns", "period", "lags", "scenario_share", "scenario_to",
    "n_boot", "seed", "conf_level", "min_n", "correction", "as_of", "output_dir",
)
"""The parameters of notebook ``04_nps_revenue`` that :func:`load` reads (``title`` is the
page's)."""

_LOADER_KEYS = ("responses_path", "columns", "survey", "surveys", "encoding", "sep",
                "date_format", "dayfirst", "start", "end", "load_options")


@dataclass
class Inputs:
    """What the NPS-and-revenue page reads, once, for every section.

    Attributes
    ----------
    params : dict
        The notebook's parameters (:data:`PARAMETERS`).
    loaded : LoadResult
        The responses as loaded (accounting, rejected rows).
    answers : DataFrame
        The answers of ``link_survey`` with their ordered ``category``.
    scale : Scale
        The scale of ``link_survey``.
    revenue, customers : DataFrame or None
        The revenue and customers tables (None when not given).
    table_notes : list of str
        One sentence per table read.
    date : ReportDate or None
        The report date (None when neither ``as_of`` nor the data give one).
    date_sentence : str
        The report date in words.
    churn_dates : DataFrame or None
        ``customer_id`` and ``churned_at`` (:func:`~csat_toolkit.revenue.churn_customers`).
    churn_note : str or None
        Where the churn dates come from, when it needs saying.
    out : Path
        The folder of the page's files.
    """

    params: dict
    loaded: object
    answers: pd.DataFrame
    scale: object
    revenue: pd.DataFrame | None = None
    customers: pd.DataFrame | None = None
    table_notes: list = field(default_factory=list)
    date: object = None
    date_sentence: str = ""
    churn_dates: pd.DataFrame | None = None
    churn_note: str | None = None
    out: Path = Path(".")

    @property
    def levels(self) -> list:
        """The categories, worst to best."""
        return list(self.answers["category"].cat.categories)

    @property
    def as_of(self) -> str | None:
        """The report date as "YYYY-MM-DD" (None without one)."""
        return None if self.date is None else self.date.date

    def get(self, name: str):
        """A parameter's value."""
        return self.params[name]


def load(params: Mapping, output_dir=None) -> Inputs:
    """Read the responses, the revenue and customers tables and the churn dates.

    The responses' rejected rows are written to ``rejected_rows.csv`` in ``output_dir``
    (default ``params["output_dir"]``).

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
    csat_toolkit.errors.ParameterError: The NPS-and-revenue page needs the parameter(s) ...
    """
    p, out = page_parameters(params, PARAMETERS, "NPS-and-revenue", output_dir)
    loaded = load_responses_from_params({**{k: p[k] for k in _LOADER_KEYS},
                                         "scales": p["scales"], "thresholds": p["thresholds"]})
    loaded = rows_of(loaded, p["seed"])
    scale = loaded_scales(loaded, p)[p["link_survey"]]
    loaded.write_rejected(out)
    answers = add_categories(select_survey(loaded.data, p["link_survey"]), scale=scale,
                             mapping=p["categories"])
    revenue, customers, notes = _read_tables(p)
    date, sentence = report_date_of(p["as_of"], loaded.data, revenue)
    churn_dates, churn_note = churn_customers(
        customers, revenue, months_without=p["churn_after_months_without_revenue"],
        as_of=None if date is None else date.date)
    return Inputs(p, loaded, answers, scale, revenue, customers, notes, date, sentence,
                  churn_dates, churn_note, out)


def _read_tables(p: dict) -> tuple:
    """The revenue and customer tables: the revenue table summed by customer and month in an
    engine when ``revenue_options`` sets one (or the path is a folder, a glob or a file
    over 1 GiB), else read as today; the notes say what was read and set aside."""
    options = dict(p["revenue_options"] or {})
    engine, engine_options = options.pop("engine", None), options.pop("engine_options", None)
    scan = None
    if p["revenue_path"] and choose_engine(p["revenue_path"], engine) != "pandas":
        scan = scan_revenue(p["revenue_path"], columns=p["revenue_columns"], engine=engine,
                            engine_options=engine_options, decimal=options.get("decimal", "."),
                            thousands=options.get("thousands"))
    revenue, customers, notes = read_inputs(
        None if scan else p["revenue_path"], p["customers_path"],
        revenue_columns=p["revenue_columns"], customers_columns=p["customers_columns"],
        encoding=p["encoding"], options=options)
    if scan is None:
        return revenue, customers, notes
    return scan.data, customers, [scan.summary(), *scan.notes, *notes]


def accounting(inputs: Inputs) -> Section:
    """The data accounting: rows read and used, the report date, the categories, the tables.

    The readers' notes, the growth definition and the accounting table are folded under
    "Details". The card is the overall score of ``link_survey`` (none without answers).
    """
    p, answers = inputs.params, inputs.answers
    cards = []
    if len(answers):
        overall = metric_table(answers, p["link_survey"], scale=inputs.scale,
                               conf=p["conf_level"], min_n=p["min_n"])
        cards.append(kpi(overall.iloc[0]))
    loaded = inputs.loaded
    sentences = [inputs.date_sentence, loaded.summary(),
                 f"{len(answers):,} {p['link_survey'].upper()} answers; categories (worst to "
                 "best): " + ", ".join(inputs.levels) + f"; {answers.attrs['no_category']:,} "
                 "answers without a category.", *inputs.table_notes]
    if inputs.churn_note:
        sentences.append(inputs.churn_note)
    table = loaded.report()
    details = [*loaded.notes, growth_sentence(p["growth"], p["months_before"], p["months_after"]),
               people_table(table, title="Rows read, used and set aside")]
    return Section("data accounting", results={"accounting": table}, sentences=sentences,
                   cards=cards, details=details)


def categories(inputs: Inputs) -> Section:
    """Revenue by category (:func:`category_section` with the page's parameters); the
    answers set aside by the windows are written to ``answers_set_aside.csv``."""
    p = inputs.params
    section = category_section(
        inputs.answers, inputs.revenue, survey=p["link_survey"], before=p["months_before"],
        after=p["months_after"], as_of=inputs.as_of, growth=p["growth"], scale=inputs.scale,
        outcomes=p["answer_revenue_columns"], conf=p["conf_level"], min_n=p["min_n"],
        correction=p["correction"])
    if section["windows"] is not None:
        to_safe_csv(mask_columns(section["windows"].set_aside),
                    inputs.out / "answers_set_aside.csv")
    return section


def accounts(inputs: Inputs) -> Section:
    """Accounts (:func:`account_section` with the page's parameters)."""
    p = inputs.params
    return account_section(inputs.answers, inputs.customers, inputs.revenue,
                           survey=p["link_survey"], as_of=inputs.as_of, scale=inputs.scale,
                           named_categories=bool(p["categories"]), conf=p["conf_level"],
                           min_n=p["min_n"])


def churn(inputs: Inputs) -> Section:
    """Churn by category (:func:`churn_section` with the page's parameters and churn dates)."""
    p, levels = inputs.params, inputs.levels
    return churn_section(
        inputs.answers, inputs.churn_dates, inputs.revenue, survey=p["link_survey"],
        as_of=inputs.as_of, horizon_months=p["horizon_months"], churn_column=p["churn_column"],
        tenure_column=p["tenure_column"], risk_revenue_column=p["risk_revenue_column"],
        best=levels[-1] if levels else None, conf=p["conf_level"], min_n=p["min_n"])


def link(inputs: Inputs) -> Section:
    """The segment-period link (:func:`link_section` with the page's parameters)."""
    p = inputs.params
    return link_section(inputs.answers, inputs.revenue, inputs.customers,
                        segments=p["segment_columns"], survey=p["link_survey"],
                        named_categories=bool(p["categories"]), period=p["period"],
                        lags=p["lags"], conf=p["conf_level"], scale=inputs.scale,
                        min_n=p["min_n"])


def transitions(inputs: Inputs) -> Section:
    """Customers who answered twice (:func:`transition_section`)."""
    p = inputs.params
    return transition_section(inputs.answers, inputs.revenue, survey=p["link_survey"],
                              scale=inputs.scale, conf=p["conf_level"], min_n=p["min_n"])


def scenario(inputs: Inputs, by_category: Section, churned: Section) -> Section:
    """The scenario (:func:`scenario_section`) from the windows of ``by_category``
    (:func:`categories`) and the churn table of ``churned`` (:func:`churn`)."""
    p = inputs.params
    return scenario_section(
        inputs.answers, inputs.revenue, by_category["windows"], churned["churn_table"],
        share=p["scenario_share"], to=p["scenario_to"], n_boot=p["n_boot"], seed=p["seed"],
        horizon_months=p["horizon_months"], as_of=inputs.as_of,
        churn_column=p["churn_column"], risk_revenue_column=p["risk_revenue_column"],
        conf=p["conf_level"])


def caveats() -> Section:
    """The caveats every NPS-to-revenue result is read with (:data:`~csat_toolkit.revenue.CAVEATS`).

    Examples
    --------
    >>> caveats().sentences[0][:30]
    'Correlation is not causation: '
    """
    return Section("caveats", sentences=list(CAVEATS))


def headline(inputs: Inputs, by_category: Section, accounts: Section, churned: Section,
             link: Section, scenario: Section) -> dict:
    """The page's own ``headline.json`` keys (beside kpis, findings and skipped).

    The result tables as plain values (:func:`headline_extra`), the answers read and
    used, the categories, the caveats, the growth definition, where churn dates come
    from and the report date.
    """
    p = inputs.params
    extra = headline_extra(
        by_category=by_category["by_category"], compare=by_category["compare"],
        churn_table=churned["churn_table"], logrank=churned["logrank"],
        hazards=churned["hazards"], at_risk=churned["at_risk"], accounts=accounts["accounts"],
        link=link["link"], scenario=scenario["scenario"])
    extra.update({"n_read": inputs.loaded.n_read, "n_answers": len(inputs.answers),
                  "categories": inputs.levels, "caveats": CAVEATS, "growth": p["growth"],
                  "churn_source": inputs.churn_note,
                  "rows": rows_used(len(inputs.answers), inputs.loaded.n_read, "answers"),
                  "data_period": data_period(
                      {**({"responded_at": inputs.answers["responded_at"]}
                          if "responded_at" in inputs.answers else {}),
                       **({"period": inputs.revenue["period"]}
                          if inputs.revenue is not None and "period" in inputs.revenue else {})}),
                  **(inputs.date.to_dict() if inputs.date is not None else {"as_of": None})})
    compare = by_category["compare"]
    gap = (compare.iloc[:1] if compare is not None and len(compare)
           and np.isfinite(compare["difference"].iloc[0]) else None)
    extra["highlights"] = [] if gap is None else [
        highlight("revenue_gap", describe_comparison(gap)[0], section="Revenue by category")]
    return extra
