"""What the operations modules share: the SLA metrics, parameter checks, time stamps,
schedules per row, Wilson shares in percent, groups and yes/no flags.

Private to :mod:`csat_toolkit.ops` (the public names live in ``sla``, ``response``,
``quality``, ``deflection``, ``volume`` and ``satisfaction``); ``SLA_METRICS`` is
re-exported by :mod:`csat_toolkit.ops`.

Time stamps
-----------
Naive time stamps are wall times: in the schedule's time zone for business hours, in
``source_timezone`` when it is given (then calendar durations are real elapsed time,
right across changes of clocks), and read as written otherwise. Nothing here reads
the clock: "now" is always the ``as_of`` parameter.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..core import stats
from ..errors import DataError, ParameterError, show_values
from ..io.responses import parse_iso_times
from .businesshours import Schedule, _zone, business_duration, schedules_for

__all__ = ["SLA_METRICS"]

SLA_METRICS = {"first_response": "first_response_at", "resolution": "resolved_at"}
"""SLA metric -> the time stamp that ends its clock (the clock starts at ``created_at``)."""

_LABELS = {"first_response": "First response", "resolution": "Resolution"}
_UNIT_SECONDS = {"hours": 3600.0, "minutes": 60.0, "seconds": 1.0}
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# --- small helpers ----------------------------------------------------------------------


def _check_min_n(min_n) -> int:
    if isinstance(min_n, bool) or not isinstance(min_n, (int, np.integer)) or min_n < 1:
        raise ParameterError(
            f"min_n must be a whole number, 1 or more (for example 30); got {min_n!r}.")
    return int(min_n)


def _check_unit(unit: str) -> str:
    if unit not in _UNIT_SECONDS:
        raise ParameterError(f"Unknown unit {unit!r}; use one of {', '.join(_UNIT_SECONDS)}.")
    return unit


def _check_frame(data, name: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise ParameterError(f"{name} must be a pandas DataFrame; got {type(data).__name__}.")


def _times(data: pd.DataFrame, column: str) -> pd.Series:
    """A time-stamp column as datetimes (ISO 8601 text is parsed; bad text is an error)."""
    values = data[column]
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values
    if values.isna().all():
        return pd.Series(pd.NaT, index=data.index, dtype="datetime64[ns]")
    return parse_iso_times(values, f"Column {column!r}", hint="load the tickets with "
                           "csat_toolkit.tables.load_tickets(date_format=..., timezone=...) first")


def _parse_as_of(as_of, like: pd.Series | None = None) -> pd.Timestamp | None:
    """``as_of`` as a Timestamp, zone-aware exactly when the data is."""
    if as_of is None:
        return None
    if isinstance(as_of, (bool, int, float, np.number)):
        stamp = pd.NaT
    else:
        try:
            stamp = pd.Timestamp(as_of)
        except (TypeError, ValueError):
            stamp = pd.NaT
    if pd.isna(stamp):
        raise ParameterError(
            f"as_of must be a date and time such as '2024-12-31 23:59' (when the data was "
            f"extracted); got {as_of!r}."
        )
    tz = getattr(like.dtype, "tz", None) if like is not None else None
    if tz is not None and stamp.tzinfo is None:
        stamp = stamp.tz_localize(tz)
    elif tz is None and stamp.tzinfo is not None and like is not None:
        raise ParameterError(
            f"as_of {as_of!r} has a time zone but the ticket times do not. Give as_of as a "
            "wall time in the same zone as the tickets, for example '2024-12-31 23:59'."
        )
    return stamp


def _schedule_rows(tickets: pd.DataFrame, schedule, schedules, by_column):
    """None, one Schedule, or one Schedule per row (from ``schedules`` by ``by_column``)."""
    if schedules is not None:
        if by_column is None:
            raise ParameterError(
                "schedules= needs by_column= naming the column (team, region ...) whose values "
                "choose the schedule, for example by_column='team'."
            )
        return schedules_for(tickets, by_column, schedules, default=schedule)
    if by_column is not None:
        raise ParameterError("by_column= is only used with schedules=; pass both, or neither.")
    if schedule is None or isinstance(schedule, Schedule):
        return schedule
    if isinstance(schedule, Mapping):
        return Schedule.from_dict(schedule)
    raise ParameterError(
        f"schedule must be a Schedule or a mapping such as {{'timezone': 'Europe/London', "
        f"'hours': {{'mon-fri': '08:00-18:00'}}}}; got {schedule!r}."
    )


def _calendar_schedule(per_row, source_timezone):
    """The 24x7 schedule(s) that measure calendar time consistently with ``per_row``."""
    if source_timezone is not None:
        return Schedule.always(_zone(source_timezone).key)
    if per_row is None:
        return Schedule.always("UTC")  # naive times read as written
    if isinstance(per_row, Schedule):
        return Schedule.always(per_row.timezone)
    cache: dict[str, Schedule] = {}
    always = [cache.setdefault(s.timezone, Schedule.always(s.timezone)) for s in per_row]
    return pd.Series(always, index=per_row.index, dtype=object)


def _elapsed(start: pd.Series, end, schedule, unit: str, source_timezone) -> np.ndarray:
    """Durations in ``unit`` under ``schedule``; NaN where a time is missing or end < start."""
    if len(start) == 0:
        return np.zeros(0)
    values = business_duration(start, end, schedule, unit=unit, negative="nan",
                               source_timezone=source_timezone)
    return np.asarray(values, dtype=float)


def _first_reason(reasons: np.ndarray, mask, reason: str) -> np.ndarray:
    mask = np.asarray(mask, dtype=bool) & (reasons == "")
    return np.where(mask, reason, reasons)


def _wilson(x, n, conf):
    low, high = stats.proportion_interval(np.asarray(x, float), np.asarray(n, float), conf=conf)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = 100 * np.asarray(x, float) / np.asarray(n, float)
    return estimate, 100 * np.asarray(low), 100 * np.asarray(high)


def _groups(data: pd.DataFrame, keys: list[str]):
    """(key values tuple, frame) per group, sorted, missing keys kept as a group."""
    if not keys:
        yield (), data
        return
    for values, part in data.groupby(keys, dropna=False, sort=True, observed=True):
        yield (values if isinstance(values, tuple) else (values,)), part


def _flag(values: pd.Series, column: str) -> pd.Series:
    """0/1, yes/no, true/false, Y/N text or booleans as a float 0/1 Series (NaN missing)."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(float)
    text = values.astype("string").str.strip().str.lower()
    mapping = {"1": 1.0, "0": 0.0, "1.0": 1.0, "0.0": 0.0, "true": 1.0, "false": 0.0,
               "yes": 1.0, "no": 0.0, "y": 1.0, "n": 0.0}
    out = text.map(mapping).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    bad = values.notna().to_numpy() & np.isnan(out)
    if bad.any():
        raise DataError(
            f"Column {column!r} must hold yes/no flags (1/0, TRUE/FALSE, Y/N); it has "
            f"{show_values(values[bad].tolist())}. Map those values first."
        )
    return pd.Series(out, index=values.index)
