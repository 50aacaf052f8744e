"""The series table shared by the trend analyses (``shape``, ``forecast``): periods,
gaps, standard errors from intervals, the latest run without gaps, the metric's range
and the wording of "too short" fixes. Private to ``csat_toolkit.trends``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _st

from ..errors import DataError, ParameterError, require_columns, show_values
from ..core.metrics import METRICS
from ..core.scales import SCALES

def _as_periods(values: pd.Series) -> pd.PeriodIndex:
    if isinstance(values.dtype, pd.PeriodDtype):
        return pd.PeriodIndex(values)
    try:
        periods = [pd.Period(str(v)) for v in values]
    except (ValueError, TypeError):
        periods = None
    freqs = {p.freqstr for p in periods} if periods else set()
    if periods is None or len(freqs) != 1:
        raise ParameterError(
            "The 'period' column must hold calendar periods such as '2024-03' or "
            f"'2024Q1' of one kind; found {show_values(values.tolist())}. Pass the "
            "table of metric_table(data, metric, period='M')."
        )
    return pd.PeriodIndex(periods)


def _series(series_table: pd.DataFrame) -> pd.DataFrame:
    """One row per period from the first to the last, gaps included, with ``se``.

    Columns: ``n``, ``estimate``, ``se`` and ``observed`` (False for gaps), indexed
    by period; the input is not changed.
    """
    require_columns(
        series_table, ["period", "n", "estimate"],
        "The series table needs the column(s) {missing}; found {found}. Pass the table "
        "of metric_table(data, metric, period='M') (one segment at a time).",
    )
    if series_table.empty:
        raise DataError("The series table has no rows: there is no period to analyse.")
    periods = _as_periods(series_table["period"])
    if periods.has_duplicates:
        repeated = show_values(periods[periods.duplicated()].astype(str))
        raise ParameterError(
            f"Several rows for period(s) {repeated}: the table holds more than one "
            "series (split by a segment?). Select one segment's rows, or build the "
            "table without by=."
        )
    frame = pd.DataFrame(
        {"n": series_table["n"].to_numpy(dtype=float),
         "estimate": series_table["estimate"].to_numpy(dtype=float),
         "se": _standard_errors(series_table)},
        index=periods,
    ).sort_index()
    full = pd.period_range(frame.index.min(), frame.index.max(), freq=frame.index.freq)
    frame = frame.reindex(full)
    frame["n"] = frame["n"].fillna(0.0)
    frame["observed"] = (frame["n"] > 0) & frame["estimate"].notna()
    frame.index.name = "period"
    return frame


def _standard_errors(table: pd.DataFrame) -> np.ndarray:
    """Each period's sampling standard error from its interval (NaN without one)."""
    if not {"ci_low", "ci_high"} <= set(table.columns):
        return np.full(len(table), np.nan)
    conf = table["conf"].to_numpy(dtype=float) if "conf" in table else np.full(len(table), 0.95)
    z = _st.norm.ppf(0.5 + conf / 2)
    width = table["ci_high"].to_numpy(dtype=float) - table["ci_low"].to_numpy(dtype=float)
    se = width / (2 * z)
    return np.where(se > 0, se, np.nan)


def _latest_run(frame: pd.DataFrame) -> pd.DataFrame:
    """The periods after the last gap (the latest stretch without missing periods)."""
    missing = np.flatnonzero(~frame["observed"].to_numpy())
    start = missing[-1] + 1 if len(missing) else 0
    return frame.iloc[start:]


def _gaps(frame: pd.DataFrame) -> list[str]:
    return [str(p) for p in frame.index[~frame["observed"].to_numpy()]]


def _span(frame: pd.DataFrame) -> str:
    count = f"{len(frame)} period" + ("s" if len(frame) != 1 else "")
    if len(frame) == 0:
        return f"no period ({count})"
    if len(frame) == 1:
        return f"{frame.index[0]} ({count})"
    return f"{frame.index[0]}..{frame.index[-1]} ({count})"


_FIX_GAPS = ("Use a longer period (for example period='Q' for quarterly waves) so that "
             "every period has answers, or pass only the periods after the gap.")


_UNIT = {"D": ("daily", "day"), "W": ("weekly", "week"), "M": ("monthly", "month"),
         "Q": ("quarterly", "quarter"), "Y": ("yearly", "year"), "A": ("yearly", "year")}


_SHORTER = {"Y": "'Q' or 'M'", "A": "'Q' or 'M'", "Q": "'M'", "M": "'W'", "W": "'D'"}


def _fix_short(freq: str, have: int, need: int, *, shorter_helps: bool = True) -> str:
    """What would give enough periods, for a series of this frequency (never its own).

    Examples
    --------
    >>> _fix_short("M", 18, 24, shorter_helps=False)
    'A monthly series needs 24 months of history here (it has 18): 6 more months of data would do.'
    >>> _fix_short("Q", 6, 8)
    "A quarterly series needs 8 quarters here (it has 6): 2 more quarters of data would do, or a shorter period (period='M')."
    """
    adjective, unit = _UNIT.get(freq[:1].upper(), ("", "period"))
    more = need - have
    text = (f"A {adjective} series needs {need} {unit}s "
            f"{'of history ' if not shorter_helps else ''}here (it has {have}): "
            f"{more} more {unit}{'s' if more != 1 else ''} of data would do")
    shorter = _SHORTER.get(freq[:1].upper())
    if shorter_helps and shorter:
        text += f", or a shorter period (period={shorter})"
    return text + "."


def _metric_range(series_table: pd.DataFrame) -> tuple[float, float]:
    """The range a metric can take (percent shares 0-100, NPS -100..100, scale means)."""
    metric = series_table["metric"].iloc[0] if "metric" in series_table else None
    statistic = METRICS[metric].statistic if metric in METRICS else None
    if statistic == "share":
        return 0.0, 100.0
    if statistic == "nps":
        return -100.0, 100.0
    scale = series_table["scale"].iloc[0] if "scale" in series_table else None
    if statistic == "mean" and scale in SCALES:
        return SCALES[scale].low, SCALES[scale].high
    return -np.inf, np.inf


_CYCLES = {"M": 12, "Q": 4, "W": 52, "D": 7}


def _period_length(index: pd.PeriodIndex, period_length: int | None) -> int | None:
    """Periods per yearly (weekly for days) cycle: 12 months, 4 quarters, 52 weeks, 7 days."""
    if period_length is not None:
        if not (isinstance(period_length, (int, np.integer)) and period_length >= 2):
            raise ParameterError(
                "period_length must be a whole number, 2 or more (12 for months); "
                f"got {period_length!r}."
            )
        return int(period_length)
    return _CYCLES.get(index.freqstr[0])


def _se_from_changes(values: pd.Series, n: pd.Series) -> pd.Series:
    """Standard errors ``sigma / sqrt(n)`` for a table without intervals.

    ``sigma`` (per answer) is estimated robustly (median absolute deviation) from the
    period-to-period changes, each scaled by ``sqrt(1/n_t + 1/n_(t-1))``; seasonal
    and lasting changes make it, if anything, too large.
    """
    counts = n.to_numpy(dtype=float)
    scaled = np.diff(values.to_numpy(dtype=float)) / np.sqrt(1 / counts[1:] + 1 / counts[:-1])
    return pd.Series(_robust_sd(scaled) / np.sqrt(counts), index=values.index)


def _robust_sd(values: np.ndarray) -> float:
    values = values[np.isfinite(values)]
    return float(1.4826 * np.median(np.abs(values - np.median(values)))) if len(values) else np.nan
