"""Alert rules of a scheduled rerun: a small YAML grammar, checked, evaluated per run.

A config's ``alerts:`` key is a list of rules, each a mapping with one condition::

    alerts:
      - {metric: nps, drops: significant}                 # NPS fell, significant after correction
      - {metric: csat, drops: significant, by: channel, against: any}
      - {metric: csat, below: 80}                         # the whole interval below 80%
      - {metric: sla_first_response, below: 95, by: channel}   # SLA compliance under target
      - {set_aside_above: 2}                              # over 2% of the rows read set aside

Keys of a rule:

``metric``
    ``csat``, ``nps``, ``ces`` (mean), ``pmf``, ``sla_first_response``,
    ``sla_resolution`` or ``sla`` (both SLA clocks; from ``05_operations``).
``drops`` / ``rises`` / ``changes``: ``significant``
    A change (down / up / either) whose verdict is "significant change"
    (:mod:`csat_toolkit.report.changes`: corrected across every comparison of the run,
    never on fewer than ``min_n`` answers).
``against``
    With a change condition: ``previous run`` (default), ``year ago`` or ``any``.
``below`` / ``above``: a number
    Fires only when the whole interval is below (above) it: percent for shares and SLA,
    points for NPS, the scale for CES means.
``period``
    With a threshold: ``latest`` (default: the run's latest period) or ``window`` (the
    whole data window, what the KPI cards show). SLA figures are the window's.
``by``
    A segment column (or a list): the rule is checked on each of its levels;
    ``any``: overall and every segment; absent: overall only.
``min_n``
    Groups with fewer answers never fire (default: the run's ``min_n``, 30).
``set_aside_above``: a percentage
    A rule of its own: the share of rows read that were set aside, any reason.
``name``
    A label for the rule (default: the rule written out).

:func:`parse_rules` checks the rules (errors name the rule and the key);
:func:`evaluate_alerts` checks them on a run's record and changes; the result goes to
``alerts.json``. :func:`simulate_false_alerts` measures how often rules fire on data with
no real change.
"""
from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.text import format_p
from ..errors import ParameterError
from .changes import (ALL, NOT_COMPARABLE, PREVIOUS_RUN, SIGNIFICANT, YEAR_AGO, Changes,
                      compare_records, figures_of, to_json, write_json)

__all__ = ["RULE_KEYS", "ALERT_METRICS", "AlertRule", "AlertResult", "Alerts", "parse_rules",
           "evaluate_alerts", "write_alerts", "simulate_false_alerts", "no_change_responses",
           "SIMULATION_RULES"]

RULE_KEYS = ("name", "metric", "drops", "rises", "changes", "against", "below", "above",
             "period", "by", "min_n", "set_aside_above")
CONDITIONS = ("drops", "rises", "changes", "below", "above", "set_aside_above")
ALERT_METRICS = ("csat", "nps", "ces", "pmf", "sla_first_response", "sla_resolution", "sla")
_AGAINST = {"previous run": PREVIOUS_RUN, "previous_run": PREVIOUS_RUN, "previous": PREVIOUS_RUN,
            "year ago": YEAR_AGO, "year_ago": YEAR_AGO, "any": "any"}
#: The rules of the false-alert simulation: any significant change of CSAT or NPS, overall
#: or in any channel, against the previous run or a year before (the broadest rules).
SIMULATION_RULES = [{"metric": "csat", "changes": "significant", "by": "any", "against": "any"},
                    {"metric": "nps", "changes": "significant", "by": "any", "against": "any"}]


@dataclass(frozen=True)
class AlertRule:
    """One checked rule (see the module's grammar); ``text`` is the rule as written."""

    name: str
    condition: str
    metrics: tuple = ()
    value: float | None = None
    against: str = PREVIOUS_RUN
    period: str = "latest"
    by: tuple | str | None = None
    min_n: int | None = None
    text: str = ""


def _nearest(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(str(name), list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def parse_rules(rules: Any, where: str = "the config's alerts") -> list[AlertRule]:
    """Check the ``alerts:`` list and return its rules.

    Raises
    ------
    ParameterError
        Naming the rule (its number and text) and what is wrong: an unknown key (with the
        nearest known one), no condition or two, an unknown metric, a value of the wrong
        kind.

    Examples
    --------
    >>> [r.name for r in parse_rules([{"metric": "nps", "drops": "significant"},
    ...                               {"set_aside_above": 2}])]
    ['nps drops significant', 'set aside above 2%']
    >>> parse_rules([{"metric": "nps", "drop": "significant"}])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    csat_toolkit.errors.ParameterError: Alert rule 1 of the config's alerts ({metric: nps, drop: significant}): unknown key 'drop' (did you mean 'drops'?). ...
    """
    if rules is None:
        return []
    if not isinstance(rules, list):
        raise ParameterError(
            f"{where} should be a list of rules, e.g. 'alerts: [{{metric: nps, drops: "
            f"significant}}, {{set_aside_above: 2}}]'; got {type(rules).__name__} {rules!r:.80}.")
    return [_parse_rule(rule, i + 1, where) for i, rule in enumerate(rules)]


def _text(rule: Any) -> str:
    if isinstance(rule, Mapping):
        return "{" + ", ".join(f"{k}: {v}" for k, v in rule.items()) + "}"
    return repr(rule)


def _parse_rule(rule: Any, number: int, where: str) -> AlertRule:
    head = f"Alert rule {number} of {where} ({_text(rule)[:120]})"
    if not isinstance(rule, Mapping):
        raise ParameterError(f"{head}: a rule is a mapping such as {{metric: csat, below: 80}}.")
    unknown = [k for k in rule if k not in RULE_KEYS]
    if unknown:
        raise ParameterError(
            f"{head}: unknown key {unknown[0]!r}{_nearest(str(unknown[0]), RULE_KEYS)}. A rule "
            f"takes {', '.join(RULE_KEYS)}.")
    conditions = [k for k in CONDITIONS if k in rule]
    if len(conditions) != 1:
        found = f"found {', '.join(conditions)}" if conditions else "found none"
        raise ParameterError(
            f"{head}: give exactly one condition of {', '.join(CONDITIONS)} ({found}); write "
            "two rules for two conditions.")
    condition = conditions[0]
    name = rule.get("name")
    if name is not None and not isinstance(name, str):
        raise ParameterError(f"{head}: name should be text; got {name!r}.")
    if condition == "set_aside_above":
        other = [k for k in rule if k not in ("set_aside_above", "name")]
        if other:
            raise ParameterError(f"{head}: set_aside_above is a rule of its own (rows set aside "
                                 f"of all rows read); remove {', '.join(other)}.")
        value = _number(rule["set_aside_above"], head, "set_aside_above", percent=True)
        return AlertRule(name or f"set aside above {value:g}%", condition, value=value,
                         text=_text(rule))
    metric = rule.get("metric")
    if metric not in ALERT_METRICS:
        raise ParameterError(
            f"{head}: metric should be one of {', '.join(ALERT_METRICS)}; got "
            f"{metric!r}{_nearest(str(metric), ALERT_METRICS)}.")
    metrics = ("sla_first_response", "sla_resolution") if metric == "sla" else (metric,)
    value = None
    if condition in ("drops", "rises", "changes"):
        if rule[condition] not in ("significant", True):
            raise ParameterError(f"{head}: {condition} takes 'significant' (a change that is "
                                 f"significant after correction); got {rule[condition]!r}.")
        if "period" in rule:
            raise ParameterError(f"{head}: period goes with below/above; a change compares the "
                                 "run's latest period (use against: to choose with what).")
    else:
        value = _number(rule[condition], head, condition)
        if "against" in rule:
            raise ParameterError(f"{head}: against goes with drops/rises/changes, not {condition}.")
    against = rule.get("against", "previous run")
    if against not in _AGAINST:
        raise ParameterError(f"{head}: against should be 'previous run', 'year ago' or 'any'; "
                             f"got {against!r}.")
    period = rule.get("period", "latest")
    if period not in ("latest", "window"):
        raise ParameterError(f"{head}: period should be 'latest' (the run's latest period) or "
                             f"'window' (the whole data window); got {period!r}.")
    by = rule.get("by")
    if isinstance(by, str) and by != "any":
        by = (by,)
    elif isinstance(by, list) and by and all(isinstance(b, str) for b in by):
        by = tuple(by)
    elif by not in (None, "any"):
        raise ParameterError(f"{head}: by should be a segment column, a list of them, or 'any'; "
                             f"got {by!r}.")
    min_n = rule.get("min_n")
    if min_n is not None and (isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1):
        raise ParameterError(f"{head}: min_n should be a whole number of answers, 1 or more; "
                             f"got {min_n!r}.")
    if name is None:
        name = f"{metric} {condition} {'significant' if value is None else f'{value:g}'}"
        name += "" if by is None else f" by {by if by == 'any' else ', '.join(by)}"
        name += f" against {_AGAINST[against]}" if value is None and against != "previous run" else ""
    return AlertRule(name, condition, metrics, value, _AGAINST[against], period, by, min_n,
                     _text(rule))


def _number(value: Any, head: str, key: str, percent: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise ParameterError(f"{head}: {key} should be a number (e.g. {key}: 80); got {value!r}.")
    if percent and not 0 <= value <= 100:
        raise ParameterError(f"{head}: {key} is a percentage of the rows read, 0 to 100; got {value!r}.")
    return float(value)


@dataclass
class AlertResult:
    """One rule checked on one run: ``fired``, the groups it fired on (``hits``), the
    small groups held back, and a ``sentence``."""

    rule: AlertRule
    fired: bool
    hits: list = field(default_factory=list)
    held_back: int = 0
    sentence: str = ""

    def to_dict(self) -> dict:
        return to_json({"name": self.rule.name, "rule": self.rule.text, "fired": self.fired,
                        "hits": self.hits, "held_back_small_n": self.held_back,
                        "sentence": self.sentence})


@dataclass
class Alerts:
    """The alerts of one run (:func:`evaluate_alerts`)."""

    results: list

    @property
    def fired(self) -> list:
        """The results of the rules that fired."""
        return [r for r in self.results if r.fired]

    @property
    def any_fired(self) -> bool:
        return bool(self.fired)

    def summary(self) -> str:
        """One sentence, e.g. ``'1 of 3 alert rules fired: nps drops significant.'``.

        Examples
        --------
        >>> Alerts([]).summary()
        'No alert rules (add alerts: to the config).'
        """
        if not self.results:
            return "No alert rules (add alerts: to the config)."
        names = [r.rule.name for r in self.fired]
        text = f"{len(names)} of {len(self.results)} alert rules fired"
        return text + (f": {', '.join(names)}." if names else ".")

    def to_dict(self) -> dict:
        """What ``alerts.json`` holds."""
        return {"any_fired": self.any_fired, "fired": [r.rule.name for r in self.fired],
                "summary": self.summary(), "results": [r.to_dict() for r in self.results]}


def evaluate_alerts(rules: Sequence[AlertRule], record: Mapping[str, Any],
                    changes: Changes | None = None) -> Alerts:
    """Check each rule on a run's record (thresholds, set-aside share) and changes.

    A group with fewer than ``min_n`` answers never fires (it is counted in
    ``held_back``); a change fires only with the verdict "significant change", which the
    comparison gives only after correction and never on a small group.

    Examples
    --------
    >>> record = {"data": {"rows_read": 1000, "set_aside": {"missing score": 30}, "min_n": 30,
    ...                    "period": "M"}, "figures": [
    ...     {"metric": "csat", "segment": "all", "level": "all", "period": "2024-05",
    ...      "n": 400, "estimate": 74.0, "ci_low": 69.5, "ci_high": 78.1}]}
    >>> alerts = evaluate_alerts(parse_rules([{"metric": "csat", "below": 80},
    ...                                       {"set_aside_above": 2}]), record)
    >>> [r.fired for r in alerts.results], alerts.results[0].sentence
    ([True, True], 'csat below 80: fired on overall (74.0, 95% CI 69.5 to 78.1, n=400, 2024-05).')
    """
    info = record.get("data") or {}
    figures = figures_of(record)
    results = []
    for rule in rules:
        if rule.condition == "set_aside_above":
            results.append(_set_aside(rule, info))
        elif rule.condition in ("below", "above"):
            results.append(_threshold(rule, figures, info))
        else:
            results.append(_change(rule, changes, info))
    return Alerts(results)


def _set_aside(rule: AlertRule, info: Mapping) -> AlertResult:
    read = int(info.get("rows_read") or 0)
    aside = sum(int(v) for v in (info.get("set_aside") or {}).values())
    if not read:
        return AlertResult(rule, False, sentence=f"{rule.name}: no rows read in this run.")
    share = 100 * aside / read
    fired = share > rule.value
    hits = [{"rows_read": read, "set_aside": aside, "share": share}] if fired else []
    verb = "fired" if fired else "not fired"
    return AlertResult(rule, fired, hits, sentence=f"{rule.name}: {verb} ({aside:,} of {read:,} "
                                                   f"rows read set aside, {share:.2f}%).")


def _segment_filter(frame: pd.DataFrame, by) -> pd.Series:
    if by is None:
        return frame["segment"] == ALL
    if by == "any":
        return pd.Series(True, index=frame.index)
    return frame["segment"].isin(list(by))


def _where(row: Mapping) -> str:
    return "overall" if row["segment"] == ALL else f"{row['segment']} {row['level']}"


def _threshold(rule: AlertRule, figures: pd.DataFrame, info: Mapping) -> AlertResult:
    from .changes import latest_period

    min_n = rule.min_n or int(info.get("min_n") or 30)
    code = info.get("period") or "M"
    hits, held, seen = [], 0, 0
    for metric in rule.metrics:
        period = ALL if rule.period == "window" else latest_period(figures, metric, code)
        rows = figures[(figures["metric"] == metric) & (figures["period"] == period)]
        rows = rows[_segment_filter(rows, rule.by)]
        seen += len(rows)
        for row in rows.to_dict("records"):
            if row["n"] < min_n:
                held += 1
                continue
            fires = (row["ci_high"] < rule.value if rule.condition == "below"
                     else row["ci_low"] > rule.value)
            if fires:
                hits.append({"metric": metric, "segment": row["segment"], "level": row["level"],
                             "period": row["period"], "n": int(row["n"]),
                             "estimate": row["estimate"], "ci_low": row["ci_low"],
                             "ci_high": row["ci_high"]})
    if not seen:
        return AlertResult(rule, False, sentence=f"{rule.name}: no {' or '.join(rule.metrics)} "
                                                 "figures in this run.")
    return AlertResult(rule, bool(hits), hits, held, _sentence(rule, hits, held, min_n))


def _sentence(rule: AlertRule, hits: list, held: int, min_n: int) -> str:
    small = f" ({held} group{'s' if held != 1 else ''} under {min_n} answers not checked)" if held else ""
    if not hits:
        return f"{rule.name}: not fired{small}."
    shown = []
    for h in hits[:10]:
        if "difference" in h:
            shown.append(f"{_where(h)} ({h['comparison']}: {h['reference_period']} -> "
                         f"{h['period']}, change {h['difference']:+.1f}, adjusted {format_p(h['p_adjusted'])})")
        else:
            shown.append(f"{_where(h)} ({h['estimate']:.1f}, 95% CI {h['ci_low']:.1f} to "
                         f"{h['ci_high']:.1f}, n={h['n']:,}, {h['period']})")
    more = f" and {len(hits) - 10} more" if len(hits) > 10 else ""
    return f"{rule.name}: fired on {'; '.join(shown)}{more}{small}."


def _change(rule: AlertRule, changes: Changes | None, info: Mapping) -> AlertResult:
    min_n = rule.min_n or int(info.get("min_n") or 30)
    if changes is None or changes.table.empty:
        return AlertResult(rule, False, sentence=f"{rule.name}: no comparisons in this run.")
    table = changes.table
    rows = table[table["metric"].isin(rule.metrics) & _segment_filter(table, rule.by)]
    if rule.against != "any":
        rows = rows[rows["comparison"] == rule.against]
    compared = rows[rows["verdict"] != NOT_COMPARABLE]
    small = (compared["n"] < min_n) | (compared["ref_n"] < min_n)
    held = int(small.sum())
    chosen = compared[(compared["verdict"] == SIGNIFICANT) & ~small]
    if rule.condition == "drops":
        chosen = chosen[chosen["difference"] < 0]
    elif rule.condition == "rises":
        chosen = chosen[chosen["difference"] > 0]
    hits = [{k: row[k] for k in ("metric", "comparison", "segment", "level", "period",
                                 "reference_period", "n", "ref_n", "estimate", "ref_estimate",
                                 "difference", "ci_low", "ci_high", "p_adjusted")}
            for row in chosen.to_dict("records")]
    if rows.empty:
        return AlertResult(rule, False, sentence=f"{rule.name}: no {' or '.join(rule.metrics)} "
                                                 "comparisons in this run.")
    return AlertResult(rule, bool(hits), hits, held, _sentence(rule, hits, held, min_n))


def write_alerts(alerts: Alerts, folder: str | Path) -> Path:
    """Write ``alerts.json`` into a run folder (atomically)."""
    return write_json(Path(folder) / "alerts.json", alerts.to_dict())


def no_change_responses(rng: np.random.Generator, months: Sequence[str], *,
                        per_month: int = 600) -> pd.DataFrame:
    """Canonical responses drawn at fixed rates: no real change between any months.

    Three channels (email 50%, chat 30%, phone 20% of the answers); two thirds CSAT
    answers, satisfied (4-5) with probability 0.72, 0.84, 0.80 by channel; one third NPS,
    promoters/passives/detractors 40/35/25% in every channel. ``per_month`` answers a
    month on average (Poisson). The rates are those of the sample data's channels.

    Examples
    --------
    >>> df = no_change_responses(np.random.default_rng(1), ["2024-01"], per_month=100)
    >>> sorted(df["survey"].unique()), df["responded_at"].dt.strftime("%Y-%m").unique().tolist()
    (['csat', 'nps'], ['2024-01'])
    """
    channels = np.array(["email", "chat", "phone"])
    satisfied = np.array([0.72, 0.84, 0.80])
    frames = []
    for month in months:
        n = int(rng.poisson(per_month))
        channel = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
        is_csat = rng.random(n) < 2 / 3
        happy = rng.random(n) < satisfied[channel]
        csat = np.where(happy, rng.integers(4, 6, n), rng.integers(1, 4, n))
        category = rng.choice(3, size=n, p=[0.40, 0.35, 0.25])
        nps = np.select([category == 0, category == 1],
                        [rng.integers(9, 11, n), rng.integers(7, 9, n)], rng.integers(0, 7, n))
        start = pd.Period(month, freq="M").start_time
        days = rng.integers(0, pd.Period(month, freq="M").days_in_month, n)
        frames.append(pd.DataFrame({
            "survey": np.where(is_csat, "csat", "nps"), "score": np.where(is_csat, csat, nps),
            "channel": channels[channel],
            "responded_at": start + pd.to_timedelta(days, unit="D") + pd.Timedelta(hours=12)}))
    data = pd.concat(frames, ignore_index=True)
    data.insert(0, "response_id", np.arange(len(data)))
    return data


def simulate_false_alerts(rules: Sequence[Mapping] | None = None, *, runs: int = 200,
                          seed: int = 2024, months: int = 13, per_month: int = 600,
                          conf: float = 0.95, min_n: int = 30,
                          correction: str = "holm") -> dict:
    """How often the rules fire on data with no real change (the false-alert rate).

    Each of ``runs`` simulated reruns draws ``months`` months of
    :func:`no_change_responses` (fixed rates), makes the record of the previous run (all
    but the last month) and of this run (all months), compares them
    (:func:`~csat_toolkit.report.changes.compare_records`, which also compares the last
    month with the same month a year before) and evaluates the rules. Seeded: the same
    arguments give the same figures.

    Returns
    -------
    dict
        ``runs``, ``fired`` (runs in which any rule fired), ``rate`` (``fired / runs``),
        ``comparisons`` (tests per run), ``rules`` and ``seed``.

    Examples
    --------
    >>> out = simulate_false_alerts(runs=3, seed=1, per_month=300)
    >>> out["runs"], out["comparisons"], 0 <= out["rate"] <= 1
    (3, 16, True)
    """
    from ..core.scales import get_scale
    from .record import definitions, response_figures

    parsed = parse_rules(list(rules) if rules is not None else SIMULATION_RULES,
                         "the simulation's rules")
    labels = [str(p) for p in pd.period_range("2023-01", periods=months, freq="M")]
    scales = {"csat": get_scale("csat_5"), "nps": get_scale("nps")}
    info = {"definitions": definitions(scales), "period": "M", "reading": {}, "conf": conf,
            "min_n": min_n}
    rng = np.random.default_rng(seed)
    fired, tests = 0, 0
    for run in range(runs):
        data = no_change_responses(rng, labels, per_month=per_month)
        last = data["responded_at"] >= pd.Period(labels[-1], freq="M").start_time
        records = [{"run_id": f"run-{run}-{k}", "data": info,
                    "figures": response_figures(frame, scales=scales, segments=["channel"],
                                                conf=conf, min_n=min_n)}
                   for k, frame in enumerate((data[~last], data))]
        changes = compare_records(records[1], records[0], correction=correction)
        tests = int((changes.table["verdict"] != NOT_COMPARABLE).sum())
        fired += evaluate_alerts(parsed, records[1], changes).any_fired
    return {"runs": runs, "fired": int(fired), "rate": fired / runs if runs else float("nan"),
            "comparisons": tests, "rules": [r.text for r in parsed], "seed": seed,
            "conf": conf, "correction": correction}
