"""The run record of a scheduled rerun: headline figures with their sufficient statistics.

A run of the history (:mod:`csat_toolkit.report.history`) keeps, beside its reports, a
small machine-readable record of what it measured, so that the next run can test whether
anything changed without re-reading this run's data:

- per metric, segment level and period (and for the whole data window, ``period="all"``):
  ``n``, the estimate and its interval (exactly as :func:`~csat_toolkit.core.metrics.
  metric_table` computes them) and the additive sums of
  :func:`~csat_toolkit.core.metrics.moments` (``n``, ``w``, ``w2``, ``w_pos``, ``w_neg``,
  ``w_s``, ``w_s2``): the sufficient statistics of every comparison test (counts for
  shares, promoter/passive/detractor counts for NPS, n/mean/sd for means), also written
  out in readable columns;
- the row accounting (rows read, used, set aside by reason), the segment levels, the data
  window and a hash of the rows of each period (a restated month changes its hash);
- the scales (the metric definitions) and the parameters that decide what is read.

Everything is computed by the toolkit's tested core functions, counts first: one
:func:`~csat_toolkit.core.metrics.group_sums` per metric and segment column, the overall
and whole-window rows as sums of those sums.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.metrics import METRICS, SUMS, group_sums, table_from_sums
from ..core.scales import SURVEYS, Scale
from ..core.tally import period_code, period_labels, period_of
from ..errors import ParameterError
from ..io.responses import LoadResult

__all__ = ["ALL", "MISSING_LEVEL", "RECORD_LEVELS", "FIGURE_COLUMNS", "READING_PARAMETERS",
           "response_figures", "sla_figures", "period_hashes", "segment_levels",
           "data_record", "definitions", "year_before", "parse_period", "write_json",
           "read_json", "to_json"]

#: The ``segment``/``level`` of overall figures and the ``period`` of whole-window figures.
ALL = "all"
#: The level of answers without a value in a segment column.
MISSING_LEVEL = "(missing)"
#: Most levels of one segment column kept in the record (those with the most answers):
#: a column with a level per answer would otherwise make a record of millions of rows.
RECORD_LEVELS = 200
#: Most level names of one segment column listed for the appeared/vanished check.
LISTED_LEVELS = 5000
#: Parameters that decide which rows are read and how (a change makes runs not comparable).
READING_PARAMETERS = ("columns", "survey", "surveys", "load_options", "encoding", "sep",
                      "date_format", "dayfirst", "survey_types")
#: The columns of a figures table, in order.
FIGURE_COLUMNS = ["metric", "statistic", "segment", "level", "period", "n", "estimate",
                  "ci_low", "ci_high", "conf", "method", "small_n", "scale", *SUMS[1:],
                  "successes", "promoters", "passives", "detractors", "mean", "sd"]


def response_figures(
    data: pd.DataFrame,
    *,
    scales: Mapping[str, Scale],
    surveys: Sequence[str] | None = None,
    segments: Sequence[str] = (),
    period: str | None = "M",
    conf: float = 0.95,
    min_n: int = 30,
    weight: str | None = None,
    max_levels: int = RECORD_LEVELS,
) -> pd.DataFrame:
    """Headline figures with sufficient statistics per metric, segment level and period.

    One row per metric (the survey's own: ``csat`` share satisfied, ``nps``, ``ces`` mean,
    ``pmf`` share), segment (``"all"`` or a column of ``segments``), level and period
    (a period label, or ``"all"`` for the whole data window). Estimates and intervals are
    :func:`~csat_toolkit.core.metrics.table_from_sums`'s; the sums are
    :func:`~csat_toolkit.core.metrics.moments`' (one tally per metric and column; overall
    and whole-window rows are sums of sums). A column with more than ``max_levels``
    levels keeps those with the most answers; a column with a single level among a
    survey's answers adds nothing to its overall rows and is left out for that survey.
    Answers without a date count in the window rows only.

    Parameters
    ----------
    data : DataFrame
        Canonical responses (``LoadResult.data``).
    scales : mapping
        Survey -> :class:`~csat_toolkit.core.scales.Scale` the scores were read on.
    surveys : sequence of str, optional
        Surveys to cover (default: every survey with answers).
    segments : sequence of str
        Segment columns; absent ones are left out (:func:`data_record` says which).
    period : {"D", "W", "M", "Q", "Y"} or None
        Period of the period rows; None gives the window rows only.
    conf, min_n, weight
        As in :func:`~csat_toolkit.core.metrics.metric_table`.
    max_levels : int
        Most levels of one segment column kept.

    Returns
    -------
    DataFrame
        Columns :data:`FIGURE_COLUMNS`; ``successes`` (shares), ``promoters``,
        ``passives``, ``detractors`` (NPS), ``mean`` and ``sd`` (means) are filled for
        their statistic. Shares and NPS in percent / points.

    Examples
    --------
    >>> from csat_toolkit.core.scales import get_scale
    >>> df = pd.DataFrame({"survey": "csat", "score": [5] * 150 + [2] * 100,
    ...                    "responded_at": pd.to_datetime(["2024-01-10"] * 125 + ["2024-02-10"] * 125)})
    >>> f = response_figures(df, scales={"csat": get_scale("csat_5")})
    >>> f[["period", "n", "estimate", "successes"]].values.tolist()
    [['2024-01', 125, 100.0, 125.0], ['2024-02', 125, 20.0, 25.0], ['all', 250, 60.0, 150.0]]
    """
    if period is not None:
        period = period_code(period)
    present = [s for s in SURVEYS if "survey" in data and (data["survey"] == s).any()]
    chosen = [s for s in present if not surveys or s in surveys]
    columns = [c for c in dict.fromkeys(segments) if c in data.columns]
    frames = []
    for survey in chosen:
        metric = survey  # the survey's own headline metric (METRICS[survey])
        scale = scales.get(survey)
        options = dict(scale=scale, weight=weight)
        if columns:
            per_column = {c: group_sums(data, metric, by=c, period=period, **options)
                          for c in columns}
        else:
            per_column = {None: group_sums(data, metric, period=period, **options)}
        parts = [_collapse(next(iter(per_column.values())), []).assign(segment=ALL, level=ALL)]
        for column, sums in per_column.items():
            if column is None or sums[column].nunique(dropna=False) < 2:
                continue  # one level (NPS answers without a channel): the overall row says it
            sums = sums.assign(**{column: _level_names(sums[column])})
            sums = _top_levels(sums, column, max_levels)
            part = _collapse(sums, [column])
            parts.append(part.drop(columns=column).assign(segment=column, level=part[column]))
        frames.append(_figures(pd.concat(parts, ignore_index=True), metric, scale, conf, min_n,
                               weight))
    if not frames:
        return pd.DataFrame(columns=FIGURE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[FIGURE_COLUMNS]


def _collapse(sums: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Period rows (dated periods) and window rows (all periods, undated answers too)."""
    parts = []
    if "period" in sums.columns:
        dated = sums[sums["period"].notna()]
        if len(dated):
            by_period = dated.groupby(keys + ["period"], sort=True, dropna=False)[SUMS].sum()
            by_period = by_period.reset_index()
            by_period["period"] = by_period["period"].astype(str)
            parts.append(by_period)
    if keys:
        window = sums.groupby(keys, sort=True, dropna=False)[SUMS].sum().reset_index()
    else:
        window = sums[SUMS].sum().to_frame().T
    window["period"] = ALL
    parts.append(window)
    return pd.concat(parts, ignore_index=True)


def _level_names(values: pd.Series) -> pd.Series:
    """Levels as text (JSON keys, stable across runs); missing values named."""
    out = values.astype(object).where(values.notna(), MISSING_LEVEL)
    return out.map(str)


def _top_levels(sums: pd.DataFrame, column: str, limit: int) -> pd.DataFrame:
    sizes = sums.groupby(column, sort=True)["n"].sum()
    if len(sizes) <= limit:
        return sums
    keep = sizes.sort_values(ascending=False, kind="stable").index[:limit]
    return sums[sums[column].isin(set(keep))]


def _figures(sums: pd.DataFrame, metric: str, scale, conf, min_n, weight) -> pd.DataFrame:
    """One metric's figures from sums keyed by segment, level and period (one table call)."""
    keys = ["segment", "level", "period"]
    table = table_from_sums(sums, keys, metric, scale, conf=conf, min_n=min_n, weight=weight)
    spec = METRICS[metric]
    values = {name: sums[name].to_numpy(dtype=float) for name in SUMS[1:]}
    nan = np.full(len(sums), np.nan)
    share, nps, mean = (spec.statistic == s for s in ("share", "nps", "mean"))
    columns = {
        "metric": np.full(len(sums), metric, dtype=object),
        "statistic": np.full(len(sums), spec.statistic, dtype=object),
        **{k: sums[k].to_numpy(dtype=object) for k in keys},
        "n": table["n"].to_numpy(dtype=int),
        "estimate": table["estimate"].to_numpy(dtype=float),
        "ci_low": table["ci_low"].to_numpy(dtype=float),
        "ci_high": table["ci_high"].to_numpy(dtype=float),
        "conf": np.full(len(sums), conf), "method": table["method"].to_numpy(dtype=object),
        "small_n": table["small_n"].to_numpy(dtype=bool),
        "scale": np.full(len(sums), scale.name if scale else None, dtype=object), **values,
        "successes": values["w_pos"] if share else nan,
        "promoters": values["w_pos"] if nps else nan,
        "passives": values["w"] - values["w_pos"] - values["w_neg"] if nps else nan,
        "detractors": values["w_neg"] if nps else nan,
        "mean": table["estimate"].to_numpy(dtype=float) if mean else nan,
        "sd": table["sd"].to_numpy(dtype=float) if mean else nan,
    }
    return pd.DataFrame(columns)


def sla_figures(headline: Mapping[str, Any] | None, *, min_n: int = 30) -> pd.DataFrame:
    """SLA compliance figures from ``05_operations``'s ``headline.json``, for the record.

    The operations report counts each ticket once per SLA clock (``sla``: overall,
    ``sla_by``: per column): ``met`` of ``n`` decided tickets. Each becomes a share row
    (metric ``sla_first_response`` / ``sla_resolution``, period ``"all"``: the report's
    whole window) whose sums are those of a 0/1 score, so the same tests apply.

    Examples
    --------
    >>> h = {"sla": [{"metric": "first_response", "met": 90, "n": 100, "estimate": 90.0,
    ...               "ci_low": 82.6, "ci_high": 94.5, "conf": 0.95, "small_n": False}]}
    >>> sla_figures(h)[["metric", "segment", "n", "successes", "estimate"]].values.tolist()
    [['sla_first_response', 'all', 100, 90.0, 90.0]]
    """
    rows = []
    headline = headline or {}
    groups = [(ALL, None, r) for r in headline.get("sla") or []]
    for column, items in (headline.get("sla_by") or {}).items():
        groups += [(column, column, r) for r in items or []]
    for segment, column, item in groups:
        if not isinstance(item, Mapping) or item.get("met") is None or not item.get("n"):
            continue
        n, met = int(item["n"]), float(item["met"])
        rows.append({
            "metric": f"sla_{item.get('metric')}", "statistic": "share", "segment": segment,
            "level": str(item.get(column)) if column else ALL, "period": ALL, "n": n,
            "estimate": _number(item.get("estimate")), "ci_low": _number(item.get("ci_low")),
            "ci_high": _number(item.get("ci_high")), "conf": _number(item.get("conf")),
            "method": "Wilson score", "small_n": n < min_n, "scale": "met/breached",
            "w": float(n), "w2": float(n), "w_pos": met, "w_neg": 0.0, "w_s": met,
            "w_s2": met, "successes": met,
        })
    return pd.DataFrame(rows, columns=FIGURE_COLUMNS)


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def period_hashes(data: pd.DataFrame, period: str | None) -> dict[str, dict]:
    """Rows and a SHA-256 of the rows of each period, to detect a restated period.

    The hash covers every column of the canonical rows of the period, sorted by
    ``response_id`` and column name, so it does not depend on the file's row order.

    Examples
    --------
    >>> df = pd.DataFrame({"response_id": ["a", "b"], "score": [5, 4],
    ...                    "responded_at": pd.to_datetime(["2024-01-02", "2024-02-03"])})
    >>> h = period_hashes(df, "M")
    >>> sorted(h), h["2024-01"]["rows"], len(h["2024-01"]["sha256"])
    (['2024-01', '2024-02'], 1, 64)
    >>> period_hashes(df.iloc[::-1], "M") == h
    True
    """
    if period is None or "responded_at" not in data or not data["responded_at"].notna().any():
        return {}
    labels = period_labels(data["responded_at"], period_code(period)).astype(str)
    ordered = data.assign(_period=labels.to_numpy())
    ordered = ordered[data["responded_at"].notna().to_numpy()]
    if "response_id" in ordered:
        ordered = ordered.sort_values("response_id", kind="stable")
    columns = sorted(c for c in ordered.columns if c != "_period")
    out = {}
    for label, rows in ordered.groupby("_period", sort=True):
        values = pd.util.hash_pandas_object(rows[columns].astype(str), index=False)
        digest = hashlib.sha256(values.to_numpy().tobytes())
        digest.update("\x1f".join(columns).encode())
        out[str(label)] = {"rows": int(len(rows)), "sha256": digest.hexdigest()}
    return out


def segment_levels(data: pd.DataFrame, segments: Sequence[str],
                   limit: int = LISTED_LEVELS) -> dict[str, dict]:
    """The levels of each segment column present: ``{"levels": [...], "total": k}``.

    At most ``limit`` level names are listed (``"listed_all"`` says whether every one is).

    Examples
    --------
    >>> segment_levels(pd.DataFrame({"channel": ["chat", "email", None]}), ["channel", "team"])
    {'channel': {'levels': ['(missing)', 'chat', 'email'], 'total': 3, 'listed_all': True}}
    """
    out = {}
    for column in dict.fromkeys(segments):
        if column not in data.columns:
            continue
        levels = sorted(set(_level_names(data[column])))
        out[column] = {"levels": levels[:limit], "total": len(levels),
                       "listed_all": len(levels) <= limit}
    return out


def definitions(scales: Mapping[str, Scale], weight: str | None = None) -> dict[str, str]:
    """One line per survey saying how its metric is defined (scale, cut-offs, weights).

    Two runs whose lines differ measure different things: their figures are not compared.

    Examples
    --------
    >>> from csat_toolkit.core.scales import get_scale
    >>> definitions({"csat": get_scale("csat_5")})
    {'csat': 'csat_5: points 1-5, positive >= 4, negative <= 3, unweighted'}
    """
    out = {}
    for survey, scale in sorted(scales.items()):
        points = [float(p) for p in scale.points]
        text = (f"{scale.name}: points {_num(min(points))}-{_num(max(points))}, positive >= "
                f"{_num(scale.positive_min)}, negative <= {_num(scale.negative_max)}")
        if scale.excluded:
            text += f", excluded {', '.join(_num(x) for x in scale.excluded)}"
        out[survey] = text + (f", weighted by {weight}" if weight else ", unweighted")
    return out


def _num(value) -> str:
    return f"{float(value):g}"


def data_record(loaded: LoadResult, params: Mapping[str, Any], *,
                scales: Mapping[str, Scale]) -> tuple[dict, pd.DataFrame]:
    """The responses' part of a run record, and its figures table.

    ``params`` are the metrics notebook's parameters (``segments``, ``period``,
    ``conf_level``, ``min_n``, ``weight``, ``survey_types`` and the reading parameters).

    Returns
    -------
    (dict, DataFrame)
        ``rows_read``, ``rows_used``, ``set_aside`` (reason -> rows), ``window``
        (``start``/``end`` of the answers' dates), ``period``, ``conf``, ``min_n``,
        ``segments`` (:func:`segment_levels`), ``segments_absent``, ``period_hashes``,
        ``definitions``, ``reading`` (the :data:`READING_PARAMETERS` given), and the
        :func:`response_figures` table.

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": [1, 2, 3], "survey": "csat", "score": [5, 2, 9],
    ...                      "responded_at": ["2024-01-02"] * 3, "channel": "chat"})
    >>> loaded = load_responses(frame)
    >>> info, figures = data_record(loaded, {"segments": ["channel"]}, scales=loaded.scales)
    >>> info["rows_read"], info["set_aside"], len(figures)
    (3, {'score outside the scale': 1}, 2)
    """
    params = dict(params)
    period = params.get("period") or "M"
    segments = list(params.get("segments") or [])
    conf = float(params.get("conf_level") or 0.95)
    min_n = int(params.get("min_n") if params.get("min_n") is not None else 30)
    weight = params.get("weight") or None
    if not isinstance(segments, list) or not all(isinstance(s, str) for s in segments):
        raise ParameterError(f"segments should be a list of column names; got {segments!r:.80}.")
    data = loaded.data
    used = {s: scales[s] for s in SURVEYS if s in scales}
    figures = response_figures(data, scales=used, surveys=params.get("survey_types") or None,
                               segments=segments, period=period, conf=conf, min_n=min_n,
                               weight=weight)
    dates = data["responded_at"] if "responded_at" in data else pd.Series(dtype="datetime64[ns]")
    window = ({"start": str(dates.min()), "end": str(dates.max())} if dates.notna().any()
              else {"start": None, "end": None})
    info = {
        "rows_read": int(loaded.n_read), "rows_used": int(loaded.n_used),
        "set_aside": {str(k): int(v) for k, v in loaded.reason_counts().items()},
        "window": window, "period": period_code(period), "conf": conf, "min_n": min_n,
        "segments": segment_levels(data, segments),
        "segments_absent": [s for s in segments if s not in data.columns],
        "period_hashes": period_hashes(data, period),
        "definitions": definitions(used, weight),
        "reading": {k: params.get(k) for k in READING_PARAMETERS if params.get(k)},
        "source": Path(str(loaded.source)).name if loaded.source else None,
    }
    return info, figures


def parse_period(label: str, period: str) -> pd.Period:
    """A period label of the record (``"2024-05"``, ``"2024-05-06/2024-05-12"``) as a Period.

    Examples
    --------
    >>> str(parse_period("2024-05-06/2024-05-12", "W")), str(parse_period("2024Q2", "Q"))
    ('2024-05-06/2024-05-12', '2024Q2')
    """
    return period_of(str(label).split("/")[0], period_code(period))


def year_before(label: str, period: str) -> str:
    """The label of the period holding the same date a year earlier.

    Examples
    --------
    >>> year_before("2024-05", "M"), year_before("2024Q2", "Q"), year_before("2024-05-06/2024-05-12", "W")
    ('2023-05', '2023Q2', '2023-05-01/2023-05-07')
    """
    start = parse_period(label, period).start_time - pd.DateOffset(years=1)
    return str(period_of(start, period_code(period)))


def to_json(value: Any) -> Any:
    """A value made strict-JSON ready: NaN and infinities as None, numpy scalars as Python.

    Examples
    --------
    >>> to_json({"a": float("nan"), "b": [np.int64(2), np.bool_(True)]})
    {'a': None, 'b': [2, True]}
    """
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, (pd.Timestamp, pd.Period)):
        return str(value)
    return value


def write_json(path: str | Path, value: Any) -> Path:
    """Write strict JSON atomically: a temporary file in the same folder, then a rename.

    A reader sees the old file or the new one, never half of one, even when the writer is
    killed part-way or two processes write at once (the last rename wins, whole).

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> read_json(write_json(folder / "a.json", {"x": float("nan"), "y": [1]}))
    {'x': None, 'y': [1]}
    """
    path = Path(path)
    text = json.dumps(to_json(value), indent=1, allow_nan=False, ensure_ascii=False)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def read_json(path: str | Path) -> Any:
    """Read a JSON file written by :func:`write_json`."""
    return json.loads(Path(path).read_text(encoding="utf-8"))
