"""Section builders of the trends report (``notebooks/02_trends.ipynb``).

:func:`load` reads the responses with the notebook's parameters (answers after ``end``
or ``as_of`` left out); :func:`prepare` does the same from a
:class:`~csat_toolkit.io.LoadResult` already loaded. Every other builder takes the
:class:`TrendInputs` and returns a :class:`~csat_toolkit.report.sections.Section`:
:func:`accounting`, :func:`series`, :func:`changes`, :func:`yearly`,
:func:`control`, :func:`shape`, :func:`forecast`, :func:`waves`,
:func:`segment_series`, :func:`mix_shift`; :func:`headline_extra` gives the report's
own keys of ``headline.json``. When the metric's survey has no dated answers every
section is empty and :func:`accounting` says so once.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ...core.tally import is_counted
from ...core.asof import report_date
from ...core.display import people_table
from ...core.metrics import MetricSpec, get_metric
from ...errors import DataError, ParameterError
from ...io.responses import LoadResult, load_responses_from_params
from ...trends import forecast as _forecast
from ...trends import series as _series
from ...trends import waves as _waves
from .. import plots
from ..headline import data_period, highlight, kpi, readable, rows_used
from ._inputs import Inputs, pick_parameters
from .base import Section, figure_of, loaded_scales

__all__ = ["DEFAULTS", "TrendInputs", "parameters", "load", "prepare", "accounting", "series",
           "changes", "yearly", "control", "shape", "forecast", "waves", "segment_series",
           "mix_shift", "headline_extra"]

#: The notebook's parameters and their defaults (the ``parameters`` cell of 02_trends).
DEFAULTS: dict[str, Any] = {
    "responses_path": "../data/sample/responses.csv", "columns": {}, "survey": None,
    "surveys": {}, "scales": {}, "thresholds": {}, "encoding": "utf-8-sig",
    "date_format": None, "dayfirst": None, "load_options": {}, "metric": "csat",
    "period": "M", "window": 3, "start": None, "end": None, "segments": ["channel"],
    "max_levels": 12, "mix_periods": [], "weight": None, "conf_level": 0.95, "min_n": 30,
    "correction": "holm", "control_rules": ["1", "2", "3", "4"], "baseline": [],
    "horizon": 3, "goal": {"change": 5, "within": 3}, "waves_metric": "nps",
    "wave_period": "Q", "as_of": None, "output_dir": "../reports/notebook/02_trends",
    "title": "Trends: what changed for real",
}


@dataclass(kw_only=True)
class TrendInputs(Inputs):
    """What the trends report reads (:class:`~csat_toolkit.report.sections._inputs.Inputs`),
    its metric, and whether it can run.

    Attributes
    ----------
    spec : MetricSpec
        The metric of the report (``metric``).
    ready : bool
        Whether the metric's survey has dated answers (else every section is empty).
    """

    spec: MetricSpec
    ready: bool

    @property
    def options(self) -> dict:
        """Scale, confidence, ``min_n`` and weight, as the series functions take them."""
        p = self.params
        return dict(scale=self.scales[self.spec.survey], conf=p["conf_level"], min_n=p["min_n"],
                    weight=p["weight"])


def parameters(namespace: Mapping[str, Any]) -> dict:
    """The notebook's parameters picked by name from a namespace (a notebook's ``globals()``).

    Examples
    --------
    >>> parameters({"metric": "nps", "pd": object()})
    {'metric': 'nps'}
    """
    return pick_parameters(DEFAULTS, namespace)


def load(params: Mapping[str, Any], out: str | Path | None = None) -> TrendInputs:
    """Load the responses with the notebook's parameters (up to ``end``, else ``as_of``).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "r.csv").write_text("response_id,survey,score\\n1,csat,5\\n2,csat,4\\n")
    >>> load({"responses_path": str(folder / "r.csv")}).ready
    False
    """
    params = {**DEFAULTS, **params}
    loader = {key: params[key] for key in ("responses_path", "columns", "survey", "surveys",
                                           "encoding", "date_format", "dayfirst", "start",
                                           "load_options")}
    loaded = load_responses_from_params({**loader, "scales": params["scales"],
                                         "thresholds": params["thresholds"],
                                         "end": params["end"] or params["as_of"]})
    return prepare(loaded, params, out=out)


def prepare(loaded: LoadResult, params: Mapping[str, Any] | None = None, *,
            out: str | Path | None = None) -> TrendInputs:
    """The report's inputs from responses already loaded.

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": [1, 2], "survey": "csat", "score": [5, 3],
    ...                       "responded_at": ["2025-01-05", "2025-02-05"]})
    >>> inputs = prepare(load_responses(frame))
    >>> inputs.ready, str(inputs.when.date)
    (True, '2025-02-05')
    """
    params = {**DEFAULTS, **(params or {})}
    data = loaded.data
    spec = get_metric(params["metric"])
    dated = data["responded_at"].notna()
    ready = bool((dated & (data["survey"] == spec.survey)).any())
    when = report_date(params["as_of"], {"responded_at": loaded.answer_dates()}) \
        if dated.any() else None
    return TrendInputs(loaded=loaded, params=params, spec=spec, ready=ready, when=when,
                       scales=loaded_scales(loaded, params),
                       out=Path(out) if out is not None else None)


def accounting(inputs: TrendInputs) -> Section:
    """Rows read, used and set aside, the report date, and why nothing runs (if so).

    The accounting table (result ``accounting``) and the reader's notes are folded under
    "Details"; the one-line summary and the report date are shown.

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": [1, 2], "survey": "nps", "score": [9, 3]})
    >>> accounting(prepare(load_responses(frame))).skipped
    "No dated CSAT answers (metric 'csat'): every section of this report is skipped."
    """
    loaded = inputs.loaded
    skipped = None if inputs.ready else (
        f"No dated {inputs.spec.survey.upper()} answers (metric {inputs.params['metric']!r}): "
        "every section of this report is skipped.")
    table = loaded.report()
    return Section("data", skipped=skipped, results={"loaded": loaded, "accounting": table},
                   sentences=[loaded.summary(), *([inputs.when.sentence()] if inputs.when else [])],
                   details=[*loaded.notes, people_table(table, title="Rows read, used and set aside")])


def _example() -> TrendInputs:
    """Inputs of the docstring examples: 13 months of two CSAT answers (a 5 and a 3)."""
    from ...io.responses import load_responses

    months = pd.date_range("2024-01-01", periods=13, freq="MS").repeat(2)
    return prepare(load_responses(pd.DataFrame({"response_id": range(26), "survey": "csat",
                                                "score": [5, 3] * 13, "responded_at": months})))


def _series_table(inputs: TrendInputs) -> pd.DataFrame:
    table = inputs.results.get("series")
    if table is None:
        p = inputs.params
        window = p["window"] or None
        try:
            table = _series.period_series(inputs.data, p["metric"], period=p["period"],
                                          window=window, **inputs.options)
        except ParameterError as reason:  # fewer periods than the window: no rolling value
            if window is None:
                raise
            table = _series.period_series(inputs.data, p["metric"], period=p["period"],
                                          window=None, **inputs.options)
            inputs.results["window_note"] = f"No rolling value: {reason}"
        inputs.results["series"] = table
    return table


def series(inputs: TrendInputs) -> Section:
    """The metric per period with its band and rolling value; the latest period's card.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> inputs = _example()
    >>> series(inputs).findings[1].split(":")[0]
    '13 period(s) are empty or below min_n'
    """
    if not inputs.ready:
        return Section("series")
    table = _series_table(inputs)
    latest = table[table["n"] > 0].iloc[-1]
    card = kpi(latest, label=f"{inputs.spec.label}, {latest['period']}")
    gaps = table[table["empty"] | table["small_n"]]
    notes = [card["sentence"]]
    if len(gaps):
        notes.append(f"{len(gaps)} period(s) are empty or below min_n: "
                     + ", ".join(str(p) for p in gaps["period"]) + ".")
    window = [inputs.results["window_note"]] if "window_note" in inputs.results else []
    return Section("series", results={"series": table},
                   figures=[figure_of(plots.plot_trend, table)], sentences=notes,
                   findings=notes, cards=[card], notes=window)


def changes(inputs: TrendInputs) -> Section:
    """Each period against the one before, corrected across the periods shown.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> inputs = _example()
    >>> changes(inputs).findings[0][:58]
    'No period-over-period change is beyond chance after correc'
    """
    if not inputs.ready:
        return Section("changes", results={"real": pd.DataFrame({"period": []})})
    p = inputs.params
    try:
        table = _series.period_changes(inputs.data, p["metric"], period=p["period"],
                                       correction=p["correction"], **inputs.options)
    except DataError as reason:  # a single period: nothing to compare it with
        inputs.results["real"] = pd.DataFrame({"period": []})
        note = f"No period-over-period comparison: {reason}"
        return Section("changes", results={"real": inputs.results["real"]}, notes=[note])
    real = table[table["significant"]]
    testable = table["p_value"].notna() & ~table["small_n"]
    notes = list(_series.describe_changes(real)) or [
        f"No period-over-period change is beyond chance after correction ({int(testable.sum())} of "
        f"{len(table)} changes had enough answers to test)."]
    inputs.results["real"] = real
    return Section("changes", results={"changes": table, "real": real},
                   figures=[figure_of(plots.plot_changes, table)], sentences=notes, findings=notes)


def yearly(inputs: TrendInputs) -> Section:
    """Each period against the same period a year before; a note with less than a year.

    Examples
    --------
    >>> inputs = _example()
    >>> yearly(inputs).findings
    ['No year-over-year change is beyond chance after correction.']
    """
    if not inputs.ready:
        return Section("year over year")
    p = inputs.params
    try:
        table = _series.period_changes(inputs.data, p["metric"], period=p["period"],
                                       kind="yoy", correction=p["correction"], **inputs.options)
    except DataError as reason:  # no period has one a year before inside the data
        note = f"Less than a year of data: no year-over-year comparison. {reason}"
        return Section("year over year", findings=[note], notes=[note])
    table = table[table["ref_n"] > 0]
    if not len(table):
        note = "Less than a year of data: no year-over-year comparison."
        return Section("year over year", results={"yearly": table}, findings=[note], notes=[note])
    notes = list(_series.describe_changes(table[table["significant"]])) or [
        "No year-over-year change is beyond chance after correction."]
    return Section("year over year", results={"yearly": table}, sentences=notes, findings=notes)


def control(inputs: TrendInputs) -> Section:
    """The control chart (limits varying with n, Western Electric ``control_rules``).

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": [1], "survey": "nps", "score": [9]})
    >>> control(prepare(load_responses(frame))).figures
    []
    """
    if not inputs.ready:
        return Section("control chart", results={"flagged": pd.DataFrame({"period": []})})
    p = inputs.params
    chart = _series.control_chart(inputs.data, p["metric"], period=p["period"],
                                  rules=tuple(p["control_rules"]),
                                  baseline=tuple(p["baseline"]) if p["baseline"] else None,
                                  scale=inputs.scales[inputs.spec.survey], min_n=p["min_n"],
                                  weight=p["weight"])
    flagged = chart[chart["out_of_control"]]
    inputs.results["flagged"] = flagged
    notes = _series.describe_control_chart(chart)
    return Section("control chart", results={"chart": chart, "flagged": flagged},
                   figures=[figure_of(plots.plot_control_chart, chart)], sentences=notes,
                   findings=notes[:3])


def shape(inputs: TrendInputs) -> Section:
    """Trend test, seasonal decomposition and breaks; the steps that cannot run are notes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> inputs = _example()
    >>> shape(inputs).notes[0][:25]
    'Seasonality not estimated'
    """
    if not inputs.ready:
        return Section("trend, season and breaks")
    found = _forecast.series_shape(_series_table(inputs), conf=inputs.params["conf_level"])
    inputs.results["shape"] = found
    figure = figure_of(plots.plot_decomposition, found.season, metric=inputs.params["metric"])
    return Section("trend, season and breaks", results={"shape": found}, figures=[figure],
                   sentences=[n for n in found.notes if n not in found.skipped],
                   findings=found.notes, notes=found.skipped)


def forecast(inputs: TrendInputs) -> Section:
    """The forecast with prediction intervals and the goal's probability (a KPI card).

    A series too short or broken to forecast gives a note instead of an error.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> inputs = _example()
    >>> forecast(inputs).cards[0]["display"]
    'off track'
    """
    if not inputs.ready:
        return Section("forecast and goal")
    p, table = inputs.params, _series_table(inputs)
    tables, figures, skipped, cards, target = {}, [], [], [], None
    try:
        prediction = _forecast.forecast(table, horizon=p["horizon"], conf=p["conf_level"])
        inputs.results["prediction"] = prediction
        tables["forecast"] = prediction.round({c: 2 for c in ("forecast", "pi_low", "pi_high")})
        check = _forecast.goal_from_parameter(table, p["goal"], conf=p["conf_level"])
        target, notes = check.result, [check.sentence]
        skipped = notes if check.skipped else []
        figures = [figure_of(plots.plot_forecast, table, prediction, goal=target)]
    except DataError as reason:  # too few or broken periods: say so instead of failing
        notes = [f"Forecast skipped: {reason}"]
        skipped = notes
    inputs.results["target"] = target
    if target:
        cards = [{"metric": p["metric"], "label": "Goal", "display": target.status,
                  "detail": f"probability {target.probability:.0%} by "
                            f"{target.table['period'].iloc[0]}",
                  "value": round(float(target.probability), 6), "sentence": notes[0]}]
    return Section("forecast and goal", results={"target": target}, tables=tables,
                   figures=figures, sentences=[n for n in notes if n not in skipped],
                   findings=notes, notes=skipped, cards=cards)


def waves(inputs: TrendInputs) -> Section:
    """Survey waves (``wave_period``) of ``waves_metric``, and the paired view of the last two.

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": [1], "survey": "csat", "score": [5]})
    >>> waves(prepare(load_responses(frame))).skipped
    'No NPS answers with dates: no wave comparison.'
    """
    p, data = inputs.params, inputs.data
    survey = get_metric(p["waves_metric"]).survey
    if not ((data["survey"] == survey).any() and data["responded_at"].notna().any()):
        return Section("survey waves",
                       skipped=f"No {survey.upper()} answers with dates: no wave comparison.")
    scale = inputs.scales[survey]
    compared = _waves.wave_comparison(data, metric=p["waves_metric"], period=p["wave_period"],
                                      scale=scale, conf=p["conf_level"], min_n=p["min_n"])
    notes, figures = [compared.summary()], []
    labels = [str(w) for w in compared.table["wave"]]
    if len(labels) >= 2 and is_counted(data):
        notes.append("No paired view: the engine's counts carry no respondent id (load with "
                     "engine='pandas' for the respondents who answered both waves).")
    elif len(labels) >= 2 and "customer_id" in data.columns:
        pair = dict(wave_a=labels[-2], wave_b=labels[-1], period=p["wave_period"], scale=scale)
        try:
            moved = _waves.transition_matrix(data, **pair)
            paired = _waves.net_movement(data, **pair, conf=p["conf_level"])
            notes += [moved.summary(), paired.summary()]
            figures = [figure_of(plots.plot_transitions, moved)]
        except DataError as reason:  # e.g. nobody answered both waves
            notes.append(f"No paired view: {reason}")
    return Section("survey waves", results={"waves": compared},
                   tables={"waves": readable(compared.table, keys=["wave"])}, figures=figures,
                   sentences=notes, findings=notes)


def _usable(inputs: TrendInputs) -> list[str]:
    data = inputs.data
    if not inputs.ready:
        return []
    answers = data["survey"] == inputs.spec.survey
    return [c for c in inputs.params["segments"]
            if c in data.columns and data.loc[answers, c].nunique() > 1]


def segment_series(inputs: TrendInputs) -> Section:
    """Small multiples of the series per segment; every level goes to ``segments.csv``.

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": [1], "survey": "csat", "score": [5],
    ...                       "responded_at": ["2025-01-05"]})
    >>> segment_series(prepare(load_responses(frame))).notes
    ["Segment column 'channel' is missing or has one value; skipped."]
    """
    usable = _usable(inputs)
    notes = [f"Segment column {c!r} is missing or has one value; skipped."
             for c in inputs.params["segments"] if c not in usable and inputs.ready]
    p = inputs.params
    by_segment = {c: _series.period_series(inputs.data, p["metric"], period=p["period"], by=c,
                                           **inputs.options) for c in usable}
    if by_segment:  # every level of every segment column, periods with answers
        inputs.write(pd.concat([t[t["n"] > 0].rename(columns={c: "level"}).assign(segment=c)
                                for c, t in by_segment.items()]), "segments.csv")
    figures = [figure_of(plots.plot_small_multiples, table, by=column, max_levels=p["max_levels"])
               for column, table in by_segment.items()]
    return Section("segments", results={"by_segment": by_segment}, figures=figures,
                   findings=notes, notes=notes)


def mix_shift(inputs: TrendInputs) -> Section:
    """The last change (or ``mix_periods``) split into mix and change within segments.

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": [1], "survey": "csat", "score": [5]})
    >>> mix_shift(prepare(load_responses(frame))).sentences
    ['No segment columns chosen.']
    """
    p, notes, figures = inputs.params, [], []
    for column in _usable(inputs):
        table = _series_table(inputs)
        pair = p["mix_periods"] or table.loc[table["n"] > 0, "period"].astype(str).tolist()[-2:]
        try:
            split = _waves.mix_shift(inputs.data, metric=p["metric"], segment=column,
                                     period_a=pair[0], period_b=pair[1], period=p["period"],
                                     scale=inputs.scales[inputs.spec.survey])
            figures.append(figure_of(plots.plot_mix_shift, split, max_levels=p["max_levels"]))
            notes.append(split.summary())
        except (DataError, IndexError) as reason:  # fewer than two periods, or one segment
            notes.append(f"No mix-shift decomposition by {column}: "
                         f"{reason or 'fewer than two periods'}")
    return Section("mix shift", figures=figures, findings=notes,
                   sentences=notes or ["No segment columns chosen."])


def headline_extra(inputs: TrendInputs) -> dict:
    """The report's own keys of ``headline.json`` (from the sections that ran).

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": [1], "survey": "nps", "score": [9]})
    >>> extra = headline_extra(prepare(load_responses(frame)))
    >>> extra["out_of_control"], extra["trend"], extra["goal_status"]
    ([], None, None)
    """
    p, r = inputs.params, inputs.results
    found, target, prediction = r.get("shape"), r.get("target"), r.get("prediction")
    season = found.season if found and found.season.ran else None
    none = pd.DataFrame({"period": []})
    return {
        "metric": p["metric"], "period": p["period"],
        "out_of_control": [str(x) for x in r.get("flagged", none)["period"]],
        "significant_changes": [str(x) for x in r.get("real", none)["period"]],
        "seasonal_low": list(season.low) if season else [],
        "seasonal_high": list(season.high) if season else [],
        "seasonality_p_value": season.p_value if season else None,
        "trend": found.trend if found else None,
        "forecast": [] if prediction is None else
        prediction.astype({"period": str}).to_dict("records"),
        "goal_status": target.status if target else None,
        "goal_probability": float(target.probability) if target else None,
        "rows": rows_used(inputs.loaded.n_used, inputs.loaded.n_read, "answers"),
        "engine": inputs.loaded.engine,
        "data_period": data_period({"responded_at": inputs.loaded.answer_dates()}),
        "highlights": _highlights(inputs),
        **inputs.date_keys,
    }


def _highlights(inputs: TrendInputs) -> list[dict]:
    """The latest significant change and the latest out-of-control period, for the index."""
    r, out = inputs.results, []
    real, flagged = r.get("real"), r.get("flagged")
    if real is not None and len(real) and "significant" in real:
        out.append(highlight("change", _series.describe_changes(real).iloc[-1],
                             section="What changed for real"))
    if flagged is not None and len(flagged):
        last = flagged.sort_values("period").tail(1)
        shown = r.get("series")
        rows = (shown[shown["period"].astype(str) == str(last["period"].iloc[0])]
                if shown is not None else shown)
        interval = (kpi(rows.iloc[0], label=inputs.spec.label)["detail"]
                    if rows is not None and len(rows) else None)
        out.append(highlight("out_of_control", _series.describe_control_chart(last)[0],
                             section="Control chart", interval=interval))
    return out
