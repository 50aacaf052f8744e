"""What changed since the last run, and only when it is real.

:func:`compare_records` takes two run records (:mod:`csat_toolkit.report.history`) and,
for every headline metric and segment level, compares the run's latest period with

- the previous complete run's latest period (what the last report showed), and
- the period a year before, from this run's own data,

with the toolkit's own tests from the recorded sums (:func:`~csat_toolkit.core.
comparisons.compare_sums`: two-proportion z test for shares, the NPS difference test,
Welch's t test for means). The p-values of every comparison made in the run are one
family, corrected together (Holm by default, :func:`~csat_toolkit.core.comparisons.
adjust_across`); a change is significant only when the corrected p is below alpha, the
interval of the difference excludes zero and both sides have at least ``min_n`` answers.
Each row gets a verdict: ``"significant change"``, ``"within noise"`` or
``"not comparable"`` with the reason (definitions, parameters or data window differ, or
no answers to compare with). :func:`data_quality_changes` lists what changed in the data
itself: rows read, the set-aside share by reason, segment levels that appeared or
vanished, restated periods and input files that changed.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.comparisons import CORRECTION_NAMES, adjust_across, compare_sums
from ..core.metrics import METRICS, SUMS
from ..core.text import format_p
from ..errors import ParameterError
from .record import ALL, FIGURE_COLUMNS, parse_period, to_json, write_json, year_before

__all__ = ["SIGNIFICANT", "NOISE", "NOT_COMPARABLE", "PREVIOUS_RUN", "YEAR_AGO",
           "CHANGE_COLUMNS", "Changes", "compare_records", "figures_of", "comparability",
           "describe_change", "latest_period",
           "data_quality_changes", "write_changes", "to_json"]

SIGNIFICANT = "significant change"
NOISE = "within noise"
NOT_COMPARABLE = "not comparable"
PREVIOUS_RUN = "previous run"
YEAR_AGO = "year ago"
#: Columns of :attr:`Changes.table`.
CHANGE_COLUMNS = ["comparison", "metric", "segment", "level", "period", "reference_period",
                  "reference_run", "n", "estimate", "ref_n", "ref_estimate", "difference",
                  "ci_low", "ci_high", "statistic", "p_value", "p_adjusted", "significant",
                  "small_n", "direction", "verdict", "reason", "test", "correction"]
_LABELS = {"sla_first_response": "First response SLA met",
           "sla_resolution": "Resolution SLA met"}


@dataclass
class Changes:
    """Outcome of :func:`compare_records`.

    Attributes
    ----------
    table : DataFrame
        One row per metric, segment level and comparison (:data:`CHANGE_COLUMNS`).
    quality : list of dict
        Data-quality changes (:func:`data_quality_changes`), each with a ``sentence``.
    notes : list of str
        What could not be compared at all, in one sentence each (e.g. the first run).
    current_run, previous_run : str or None
        The runs compared.
    correction : str
        The multiple-testing correction used across the run's comparisons.
    """

    table: pd.DataFrame
    quality: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    current_run: str | None = None
    previous_run: str | None = None
    correction: str = "Holm"

    @property
    def significant(self) -> pd.DataFrame:
        """The rows whose verdict is a significant change."""
        return self.table[self.table["verdict"] == SIGNIFICANT]

    def summary(self) -> str:
        """One sentence: how many changes are significant, within noise, not comparable.

        Examples
        --------
        >>> Changes(pd.DataFrame(columns=CHANGE_COLUMNS), notes=["First run."]).summary()
        'No comparisons made. First run.'
        """
        if self.table.empty:
            return " ".join(["No comparisons made.", *self.notes])
        counts = self.table["verdict"].value_counts()
        parts = [f"{int(counts.get(v, 0))} {v}{'s' if v == SIGNIFICANT and counts.get(v, 0) != 1 else ''}"
                 for v in (SIGNIFICANT, NOISE, NOT_COMPARABLE)]
        text = (f"{len(self.table)} comparisons ({self.correction} correction across all of "
                f"them): {', '.join(parts)}.")
        shown = [describe_change(r) for r in self.significant.head(5).to_dict("records")]
        if shown:
            text += " " + " ".join(shown)
        return " ".join([text, *self.notes])

    def to_dict(self) -> dict:
        """What ``changes.json`` holds (strict JSON: NaN as null)."""
        return to_json({
            "current_run": self.current_run, "previous_run": self.previous_run,
            "correction": self.correction, "summary": self.summary(),
            "compared": int((self.table["verdict"] != NOT_COMPARABLE).sum()),
            "significant": int((self.table["verdict"] == SIGNIFICANT).sum()),
            "notes": list(self.notes), "changes": self.table.to_dict("records"),
            "data_quality": list(self.quality),
        })


def figures_of(record: Mapping[str, Any] | None) -> pd.DataFrame:
    """A record's figures as a DataFrame (:data:`~csat_toolkit.report.record.FIGURE_COLUMNS`).

    Examples
    --------
    >>> figures_of({"figures": []}).columns[:3].tolist()
    ['metric', 'statistic', 'segment']
    """
    rows = (record or {}).get("figures")
    if isinstance(rows, pd.DataFrame):
        frame = rows.copy()
    else:
        frame = pd.DataFrame.from_records(list(rows or []))
    for column in FIGURE_COLUMNS:
        if column not in frame:
            frame[column] = np.nan
    frame = frame[FIGURE_COLUMNS]
    for column in ("metric", "statistic", "segment", "level", "period"):
        frame[column] = frame[column].astype(object).map(str)
    for column in ["estimate", "ci_low", "ci_high", *SUMS]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def comparability(metric: str, current: Mapping, previous: Mapping, period: str | None,
                  previous_period: str | None) -> str | None:
    """Why the metric of two runs' data cannot be compared, or None when it can.

    ``current``/``previous`` are the records' ``data`` parts (definitions, period,
    reading parameters); ``period``/``previous_period`` each run's latest period.

    Examples
    --------
    >>> info = {"definitions": {"csat": "csat_5"}, "period": "M", "reading": {}}
    >>> comparability("csat", info, info, "2024-05", "2024-04") is None
    True
    >>> comparability("csat", info, {**info, "definitions": {"csat": "csat_7"}}, "2024-05", "2024-04")
    'definitions differ: csat_7 in the previous run, csat_5 now'
    >>> comparability("csat", info, info, "2024-05", "2024-05")
    'same period (2024-05) as the previous run: its answers overlap with this run'
    """
    survey = METRICS[metric].survey if metric in METRICS else metric
    if previous_period is None:
        return f"no {_label(metric)} figures in the previous run"
    before, now = (previous.get("definitions") or {}).get(survey), (current.get("definitions") or {}).get(survey)
    if survey in METRICS and before != now:
        return f"definitions differ: {before} in the previous run, {now} now"
    if previous.get("period") != current.get("period"):
        return (f"parameters differ: period {previous.get('period')} in the previous run, "
                f"{current.get('period')} now")
    reading_before, reading_now = previous.get("reading") or {}, current.get("reading") or {}
    changed = sorted(k for k in set(reading_before) | set(reading_now)
                     if reading_before.get(k) != reading_now.get(k))
    if changed:
        return f"parameters differ: {', '.join(changed)} changed since the previous run"
    if period == ALL or previous_period == ALL:
        if period == ALL and previous_period == ALL and _disjoint(previous, current):
            return None
        return ("figures cover each run's whole data window (no periods), and the two "
                "windows overlap")
    code = current.get("period") or "M"
    if parse_period(previous_period, code) == parse_period(period, code):
        return f"same period ({period}) as the previous run: its answers overlap with this run"
    if parse_period(previous_period, code) > parse_period(period, code):
        return (f"data window moved back: the previous run's latest period was "
                f"{previous_period}, this run's is {period}")
    return None


def _disjoint(previous: Mapping, current: Mapping) -> bool:
    end = (previous.get("window") or {}).get("end")
    start = (current.get("window") or {}).get("start")
    return bool(end and start and pd.Timestamp(end) < pd.Timestamp(start))


def _label(metric: str) -> str:
    return _LABELS.get(metric) or (METRICS[metric].label if metric in METRICS else metric)


def latest_period(figures: pd.DataFrame, metric: str, code: str) -> str | None:
    """The latest period of a metric's overall figures (``"all"`` if it has none)."""
    rows = figures[(figures["metric"] == metric) & (figures["segment"] == ALL)]
    periods = [p for p in rows["period"].unique() if p != ALL]
    if periods:
        return max(periods, key=lambda p: parse_period(p, code))
    return ALL if len(rows) else None


def compare_records(current: Mapping[str, Any], previous: Mapping[str, Any] | None, *,
                    correction: str = "holm") -> Changes:
    """Compare a run's figures with the previous complete run's and with a year before.

    Parameters
    ----------
    current, previous : mapping
        Run records (:func:`csat_toolkit.report.history.read_record`): ``run_id``,
        ``data`` (the data part: definitions, period, ``conf``, ``min_n``, ...) and
        ``figures``. ``previous`` None (the first run) compares with a year before only.
    correction : {"holm", "bh", "none"}
        Correction of the p-values across every comparison of the run.

    Returns
    -------
    Changes

    Examples
    --------
    >>> from csat_toolkit.core.scales import get_scale
    >>> from csat_toolkit.report.record import response_figures, definitions
    >>> def record(run, rates):
    ...     months = [m for m, r in rates.items() for _ in range(400)]
    ...     scores = [5 if i < 400 * r else 1 for r in rates.values() for i in range(400)]
    ...     df = pd.DataFrame({"survey": "csat", "score": scores,
    ...                        "responded_at": pd.to_datetime([f"{m}-15" for m in months])})
    ...     scales = {"csat": get_scale("csat_5")}
    ...     return {"run_id": run, "figures": response_figures(df, scales=scales),
    ...             "data": {"definitions": definitions(scales), "period": "M", "reading": {},
    ...                      "conf": 0.95, "min_n": 30}}
    >>> before = record("r1", {"2023-05": 0.8, "2024-04": 0.8})
    >>> now = record("r2", {"2023-05": 0.8, "2024-04": 0.8, "2024-05": 0.6})
    >>> changes = compare_records(now, before)
    >>> changes.table[["comparison", "period", "reference_period", "verdict"]].values.tolist()
    [['previous run', '2024-05', '2024-04', 'significant change'], ['year ago', '2024-05', '2023-05', 'significant change']]
    """
    if correction not in CORRECTION_NAMES:
        raise ParameterError(f"Unknown correction {correction!r}; use 'holm' (default), 'bh' or 'none'.")
    info = current.get("data") or {}
    conf = float(info.get("conf") or 0.95)
    min_n = int(info.get("min_n") if info.get("min_n") is not None else 30)
    code = info.get("period") or "M"
    now = figures_of(current)
    before = figures_of(previous) if previous is not None else None
    before_info = (previous or {}).get("data") or {}
    previous_run = (previous or {}).get("run_id")
    notes = []
    if previous is None:
        notes.append("No earlier complete run in the history: nothing to compare with the "
                     "previous run (a year before is compared from this run's data).")
    tested, untested = [], []
    for metric in dict.fromkeys(now["metric"]):
        pairs: list = []
        latest = latest_period(now, metric, code)
        rows = now[(now["metric"] == metric) & (now["period"] == latest)]
        if previous is not None:
            prev_latest = latest_period(before, metric, before_info.get("period") or code)
            reason = comparability(metric, info, before_info, latest, prev_latest)
            reference = (before[(before["metric"] == metric) & (before["period"] == prev_latest)]
                         if prev_latest else before.iloc[0:0])
            _pair(rows, reference, PREVIOUS_RUN, prev_latest, previous_run, reason,
                  "no answers of this level in the previous run's {period}",
                  metric, pairs, untested)
        if latest not in (None, ALL):
            year = year_before(latest, code)
            reference = now[(now["metric"] == metric) & (now["period"] == year)]
            _pair(rows, reference, YEAR_AGO, year, current.get("run_id"), None,
                  f"no answers in {year} (a year before {latest}) in this run's data",
                  metric, pairs, untested)
        if pairs:  # one test call per metric: both comparisons, every level
            labels, first, second = (pd.concat(p, ignore_index=True) for p in zip(*pairs))
            tested.append(compare_sums(labels, first, second, metric, conf, min_n, "none"))
    table = _finish(tested, untested, correction, min_n, conf)
    return Changes(table, data_quality_changes(current, previous) if previous else [], notes,
                   current.get("run_id"), previous_run, CORRECTION_NAMES[correction])


def _pair(rows, reference, comparison, ref_period, ref_run, reason, missing, metric, pairs,
          untested) -> None:
    """Match each current row with its reference row: the pairs to test, the rest aside."""
    labels = pd.DataFrame({"comparison": comparison, "metric": metric,
                           "segment": rows["segment"].to_numpy(), "level": rows["level"].to_numpy(),
                           "period": rows["period"].to_numpy(), "reference_period": ref_period,
                           "reference_run": ref_run})
    if reason is not None:
        untested.append(_untested(labels, rows, reason))
        return
    keys = ["segment", "level"]
    matched = rows[keys].merge(reference[keys + SUMS].drop_duplicates(keys), on=keys, how="left",
                               indicator=True)
    found = (matched["_merge"] == "both").to_numpy() & (matched["n"].fillna(0) > 0).to_numpy()
    if (~found).any():
        text = missing.format(period=ref_period)
        untested.append(_untested(labels[~found], rows[~found], text))
    if found.any():
        first = rows.loc[found, SUMS].reset_index(drop=True).astype(float)
        second = matched.loc[found, SUMS].reset_index(drop=True).astype(float)
        pairs.append((labels[found].reset_index(drop=True), first, second))


def _untested(labels: pd.DataFrame, rows: pd.DataFrame, reason: str) -> pd.DataFrame:
    out = labels.reset_index(drop=True).copy()
    out["n"] = rows["n"].to_numpy()
    out["estimate"] = rows["estimate"].to_numpy()
    out["verdict"], out["reason"] = NOT_COMPARABLE, reason
    return out


def _finish(tested, untested, correction, min_n, conf) -> pd.DataFrame:
    parts = []
    if tested:
        family = pd.concat(tested, ignore_index=True)
        (family,) = adjust_across([family], correction)
        alpha = round(1 - conf, 12)
        family["verdict"] = np.where(family["significant"], SIGNIFICANT, NOISE)
        family["direction"] = np.where(family["significant"],
                                       np.where(family["difference"] > 0, "up", "down"), "none")
        family["reason"] = [
            (f"{format_p(p)} after {family['correction'].iloc[0]} correction" if s else
             f"fewer than {min_n} answers on one side: never called significant" if small else
             f"{format_p(p)} after {family['correction'].iloc[0]} correction (alpha {alpha:g})")
            for p, s, small in zip(family["p_adjusted"], family["significant"], family["small_n"])]
        parts.append(family)
    parts += untested
    if not parts:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    for column in CHANGE_COLUMNS:
        if column not in table:
            table[column] = np.nan
    table["direction"] = table["direction"].astype(object).where(table["direction"].notna(), "none")
    table["significant"] = table["significant"].astype("boolean").fillna(False).astype(bool)
    # Metrics in the record's order; the previous run first; overall before segments.
    metrics = {m: i for i, m in enumerate(dict.fromkeys(table["metric"]))}
    table = table.assign(_m=table["metric"].map(metrics), _s=table["segment"] != ALL,
                         _c=table["comparison"].map({PREVIOUS_RUN: 0, YEAR_AGO: 1}))
    table = table.sort_values(["_m", "_c", "_s", "segment", "level"], kind="stable")
    return table[CHANGE_COLUMNS].reset_index(drop=True)


def describe_change(row: Mapping[str, Any]) -> str:
    """One sentence for a compared row.

    Examples
    --------
    >>> describe_change({"metric": "csat", "segment": "channel", "level": "chat",
    ...                  "comparison": "previous run", "period": "2024-05",
    ...                  "reference_period": "2024-04", "estimate": 70.0, "ref_estimate": 80.0,
    ...                  "difference": -10.0, "ci_low": -14.0, "ci_high": -6.0,
    ...                  "verdict": "significant change", "reason": "p = 0.001"})
    'CSAT (% satisfied), channel chat: 80.0 in 2024-04 -> 70.0 in 2024-05 (change -10.0, 95% CI -14.0 to -6.0; significant change, p = 0.001).'
    """
    where = "" if row.get("segment") in (None, ALL) else f", {row['segment']} {row['level']}"
    head = f"{_label(str(row.get('metric')))}{where}: "
    if row.get("verdict") == NOT_COMPARABLE:
        return head + f"{row.get('period')} not compared with {row.get('reference_period')} ({row.get('reason')})."
    decimals = 2 if METRICS.get(str(row.get("metric"))) and METRICS[row["metric"]].statistic == "mean" else 1
    f = lambda v: f"{float(v):.{decimals}f}"  # noqa: E731
    return (f"{head}{f(row['ref_estimate'])} in {row['reference_period']} -> "
            f"{f(row['estimate'])} in {row['period']} (change {float(row['difference']):+.{decimals}f}, "
            f"95% CI {f(row['ci_low'])} to {f(row['ci_high'])}; {row['verdict']}, {row['reason']}).")


def data_quality_changes(current: Mapping[str, Any], previous: Mapping[str, Any]) -> list[dict]:
    """What changed in the data between two runs, each item with a ``sentence``.

    Items (``kind``): ``rows read``; ``set aside`` (the share of rows read per reason, in
    percent; ``appeared``/``vanished`` when a reason is new or gone); ``level appeared`` /
    ``level vanished`` (per segment column); ``segment column`` (a column that appeared or
    vanished); ``restated period`` (a period already reported whose rows changed: its hash
    differs; the previous run's latest period may grow by new answers, which is not a
    restatement unless it lost rows or kept its count with different contents);
    ``input changed`` (an input file, same path, different SHA-256).

    Examples
    --------
    >>> a = {"data": {"rows_read": 100, "set_aside": {}, "segments": {"channel": {"levels": ["chat"]}},
    ...               "period_hashes": {"2024-01": {"rows": 50, "sha256": "x"}, "2024-02": {"rows": 50, "sha256": "y"}}}}
    >>> b = {"data": {"rows_read": 160, "set_aside": {"missing score": 8}, "segments": {"channel": {"levels": ["chat", "sms"]}},
    ...               "period_hashes": {"2024-01": {"rows": 50, "sha256": "z"}, "2024-02": {"rows": 60, "sha256": "w"},
    ...                                 "2024-03": {"rows": 50, "sha256": "v"}}}}
    >>> [item["kind"] for item in data_quality_changes(b, a)]
    ['rows read', 'set aside', 'level appeared', 'restated period']
    """
    now, before = current.get("data") or {}, previous.get("data") or {}
    items: list[dict] = []
    if not now or not before:
        return items
    read_now, read_before = int(now.get("rows_read") or 0), int(before.get("rows_read") or 0)
    items.append({"kind": "rows read", "previous": read_before, "current": read_now,
                  "change": read_now - read_before,
                  "sentence": f"Rows read: {read_before:,} in the previous run, {read_now:,} now "
                              f"({read_now - read_before:+,})."})
    aside_now, aside_before = now.get("set_aside") or {}, before.get("set_aside") or {}
    for reason in sorted(set(aside_now) | set(aside_before)):
        rows_now, rows_before = int(aside_now.get(reason, 0)), int(aside_before.get(reason, 0))
        share_now = 100 * rows_now / read_now if read_now else 0.0
        share_before = 100 * rows_before / read_before if read_before else 0.0
        status = ("appeared" if not rows_before else "vanished" if not rows_now else "changed"
                  if round(share_now, 2) != round(share_before, 2) else "unchanged")
        items.append({"kind": "set aside", "reason": reason, "status": status,
                      "previous_rows": rows_before, "current_rows": rows_now,
                      "previous_share": share_before, "current_share": share_now,
                      "sentence": f"Set aside ({reason}): {share_before:.2f}% of rows read in "
                                  f"the previous run, {share_now:.2f}% now ({status})."})
    items += _level_changes(now.get("segments") or {}, before.get("segments") or {})
    items += _restated(now, before)
    inputs_now, inputs_before = current.get("inputs_sha256") or {}, previous.get("inputs_sha256") or {}
    for path in sorted(set(inputs_now) & set(inputs_before)):
        if inputs_now[path] != inputs_before[path]:
            items.append({"kind": "input changed", "path": path,
                          "sentence": f"Input {Path(path).name} changed since the previous run "
                                      "(its SHA-256 differs)."})
    return items


def _level_changes(now: Mapping, before: Mapping) -> list[dict]:
    items = []
    for column in sorted(set(now) | set(before)):
        if column not in now or column not in before:
            status = "appeared" if column in now else "vanished"
            items.append({"kind": "segment column", "segment": column, "status": status,
                          "sentence": f"Segment column {column!r} {status} since the previous run."})
            continue
        new, old = set(now[column].get("levels") or []), set(before[column].get("levels") or [])
        complete = now[column].get("listed_all", True) and before[column].get("listed_all", True)
        for kind, levels in (("level appeared", new - old), ("level vanished", old - new)):
            if not levels or not complete:
                continue
            shown = sorted(levels)
            more = f" and {len(shown) - 10} more" if len(shown) > 10 else ""
            items.append({"kind": kind, "segment": column, "levels": shown,
                          "sentence": f"{column}: {', '.join(map(repr, shown[:10]))}{more} "
                                      f"{kind.split()[1]} since the previous run."})
    return items


def _restated(now: Mapping, before: Mapping) -> list[dict]:
    hashes_now, hashes_before = now.get("period_hashes") or {}, before.get("period_hashes") or {}
    if not hashes_before or now.get("period") != before.get("period"):
        return []
    code = before.get("period") or "M"
    last = max(hashes_before, key=lambda p: parse_period(p, code))
    items = []
    for period in sorted(set(hashes_now) & set(hashes_before), key=lambda p: parse_period(p, code)):
        a, b = hashes_before[period], hashes_now[period]
        if a.get("sha256") == b.get("sha256"):
            continue
        if period == last and int(b.get("rows", 0)) > int(a.get("rows", 0)):
            continue  # the previous run's latest period grew by new answers
        items.append({"kind": "restated period", "period": period,
                      "previous_rows": int(a.get("rows", 0)), "current_rows": int(b.get("rows", 0)),
                      "sentence": f"{period} was restated: the previous run reported "
                                  f"{int(a.get('rows', 0)):,} rows, this run read "
                                  f"{int(b.get('rows', 0)):,} with different contents."})
    return items


def write_changes(changes: Changes, folder: str | Path) -> Path:
    """Write ``changes.json`` into a run folder (atomically: a reader never sees half a file)."""
    return write_json(Path(folder) / "changes.json", changes.to_dict())
