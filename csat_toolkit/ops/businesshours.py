"""Business-hours durations and SLA clocks: weekly schedules, time zones and holidays.

A :class:`Schedule` holds opening windows per weekday in local wall time, an IANA time
zone and holidays (closed days, or days with their own windows).
:func:`business_duration` measures the business time between two instants,
:func:`add_business_time` finds the instant a given amount of business time after a
start (an SLA due time), and :func:`schedules_for` picks a schedule per row (team,
region).

Method
------
Business time is counted by one function per schedule, ``B(t)``: the business seconds
between a fixed origin and the instant ``t``. It is built once per call on a grid of
local days covering the data: every opening window of every day becomes an interval
of real (UTC) time, and ``B`` is the cumulative length of the intervals before ``t``
plus the part of the interval that holds ``t`` (found by :func:`numpy.searchsorted`).
A duration is ``B(end) - B(start)``; a due time is the inverse of ``B``. The cost is
one pass over the days of the span plus a binary search per timestamp: a million
tickets over four years take about half a second, however long each ticket stays open.

Wall time and daylight saving time
----------------------------------
Windows are in local wall time ("08:00-18:00" in Europe/London is 08:00 GMT in
winter and 08:00 BST in summer). An interval is the set of real instants whose wall
clock reading lies in the window, so:

- on a spring-forward day the skipped hour is not business time: a 24x7 day lasts
  23 hours and a window 01:00-03:00 in America/New_York on 2024-03-10 lasts 1 hour;
- on a fall-back day the repeated hour counts twice when it lies inside a window
  (real elapsed time): a 24x7 day lasts 25 hours, a window 01:00-03:00 lasts 3 hours;
- a window may end at "24:00"; "00:00-24:00" every day is calendar time with no gap
  at midnight.

Naive timestamps are wall times in ``source_timezone`` (default: the schedule's time
zone). A naive time that occurs twice (the repeated hour) is read as its first
occurrence (``ambiguous="earliest"``); one that never occurs (the skipped hour) as the
first instant after the gap (``nonexistent="shift_forward"``). These defaults match the
loaders' resolutions (``load_tickets(ambiguous="earliest",
nonexistent="shift_forward")``); the loaders, by default, set such rows aside and count
them, so data loaded with the same time zone never reaches these functions with them.
``ambiguous="latest"`` reads the second occurrence; ``"raise"`` (either option) raises a
:class:`~csat_toolkit.errors.DataError` that lists them; ``"nan"`` gives NaN (NaT) for
those rows, for the caller to count. Time-zone-aware timestamps are converted.

The bug classes these rules avoid were collected from helpdesk and calendar projects'
issue trackers (each has a test in ``tests/test_businesshours.py``): offsets taken
from today's date instead of the ticket's (fivetran/dbt_zendesk#25), schedules stored
as fixed UTC offsets that move by an hour after a change of clocks
(grafana/oncall#3261, MicrosoftDocs/azure-devops-docs#8675), a minute lost at midnight
in 24x7 calendars (zammad/zammad#3180), windows that cross midnight
(seppemans/businesstimedelta#5), schedules with only some weekdays
(osTicket/osTicket#6739), lunch breaks (osTicket/osTicket#6847) and deadlines that
carry over to the next day (glpi-project/glpi#22678).
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError, require_columns, show_values
from ..io.responses import parse_iso_times

__all__ = [
    "WEEKDAYS",
    "UNITS",
    "Schedule",
    "business_duration",
    "add_business_time",
    "schedules_for",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday keys of :attr:`Schedule.hours`, Monday first."""

_NS = 10**9
_HOUR = 3600 * _NS
_DAY = 24 * _HOUR
_NEVER = np.iinfo(np.int64).max
_EPOCH = dt.date(1970, 1, 1)  # a Thursday: weekday index 3
_FIRST_DAY = -(_NEVER // _DAY) + 3  # local days whose clocks fit in int64 nanoseconds
_LAST_DAY = _NEVER // _DAY - 3

UNITS = {"hours": _HOUR, "minutes": 60 * _NS, "seconds": _NS}
"""Units :func:`business_duration` can return, in nanoseconds."""

_DAY_NAMES = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}
_DAY_GROUPS = {
    "weekdays": (0, 1, 2, 3, 4), "weekend": (5, 6), "weekends": (5, 6),
    "daily": tuple(range(7)), "everyday": tuple(range(7)), "all": tuple(range(7)),
}
_CLOSED = {"", "closed", "none", "off", "-"}
_SPEC_KEYS = ("hours", "timezone", "holidays", "name")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --- parsing schedule parameters ------------------------------------------------------


def _parse_clock(value, where: str, *, end: bool) -> int:
    """Seconds after midnight of a clock time such as "08:00" ("24:00" only as an end)."""
    if isinstance(value, dt.time):
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        raise ParameterError(
            f"{where}: got the number {value!r} where a time such as '10:00' was expected. "
            "YAML reads unquoted times such as 10:00 as numbers: quote them, for example "
            "'10:00-14:00'."
        )
    match = _CLOCK.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ParameterError(
            f"{where}: {value!r} is not a time of day. Write times as 'HH:MM' on a 24-hour "
            "clock, for example '08:00' or '17:30' ('24:00' may end a window)."
        )
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    if minutes > 59 or seconds > 59 or hours > 24 or (hours == 24 and (minutes or seconds)):
        raise ParameterError(
            f"{where}: {value!r} is not a time of day. Use 00:00 to 23:59, or '24:00' for "
            "the end of the day."
        )
    if hours == 24 and not end:
        raise ParameterError(
            f"{where}: a window cannot start at {value!r}; '24:00' can only end a window. "
            "Start it at '00:00' of the next day instead."
        )
    return hours * 3600 + minutes * 60 + seconds


def _format_clock(seconds: int) -> str:
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def _is_clock_like(item) -> bool:
    if isinstance(item, dt.time):
        return True
    if isinstance(item, (int, float, np.integer, np.floating)) and not isinstance(item, bool):
        return True  # a YAML-mangled time: reported by _parse_clock
    return isinstance(item, str) and ":" in item and "-" not in item


def _split_range(text: str, where: str) -> tuple[str, str]:
    parts = text.replace("\u2013", "-").replace("\u2014", "-").split("-")
    if len(parts) != 2:
        raise ParameterError(
            f"{where}: {text!r} is not a window. Write a window as 'HH:MM-HH:MM', for "
            "example '08:00-18:00', and separate two windows with a comma: "
            "'08:00-12:00, 13:00-18:00'."
        )
    return parts[0].strip(), parts[1].strip()


def _raw_windows(value, where: str) -> list[tuple]:
    """Split a windows parameter into (start, end) pairs, not yet validated."""
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in _CLOSED:
            return []
        return [_split_range(part, where) for part in re.split(r"[,;]", text) if part.strip()]
    if isinstance(value, Sequence) or isinstance(value, np.ndarray):
        items = list(value)
        if len(items) == 2 and all(_is_clock_like(item) for item in items):
            return [(items[0], items[1])]
        pairs: list[tuple] = []
        for item in items:
            if isinstance(item, str):
                pairs.extend(_raw_windows(item, where))
            elif isinstance(item, Sequence) and len(item) == 2:
                pairs.append((item[0], item[1]))
            else:
                raise ParameterError(
                    f"{where}: {item!r} is not a window. Give windows as 'HH:MM-HH:MM' "
                    "text or as (start, end) pairs, for example ('08:00', '18:00')."
                )
        return pairs
    _parse_clock(value, where, end=False)  # numbers get the YAML hint
    raise ParameterError(
        f"{where}: {value!r} is not a list of windows. Write 'HH:MM-HH:MM' text such as "
        "'08:00-18:00', a list of such windows, or 'closed'."
    )


def _parse_windows(value, where: str, day: str = "") -> tuple[tuple[int, int], ...]:
    """Validated, sorted windows in seconds after local midnight."""
    windows = []
    for raw_start, raw_end in _raw_windows(value, where):
        start = _parse_clock(raw_start, where, end=False)
        end = _parse_clock(raw_end, where, end=True)
        label = f"'{_format_clock(start)}-{_format_clock(end)}'"
        if end == start:
            raise ParameterError(
                f"{where}: the window {label} is empty (it starts when it ends). "
                "Remove it, or give its real closing time."
            )
        if end < start:
            on = f" on {day}" if day else ""
            raise ParameterError(
                f"{where}: the window {label} ends before it starts. A window cannot "
                f"cross midnight: split it into '{_format_clock(start)}-24:00'{on} and "
                f"'00:00-{_format_clock(end)}' on the next day."
            )
        windows.append((start, end))
    windows.sort()
    for (s1, e1), (s2, e2) in zip(windows, windows[1:]):
        if s2 < e1:
            raise ParameterError(
                f"{where}: the windows '{_format_clock(s1)}-{_format_clock(e1)}' and "
                f"'{_format_clock(s2)}-{_format_clock(e2)}' overlap. Merge them into one "
                "window or make the second start when the first ends."
            )
    return tuple(windows)


def _format_windows(windows) -> tuple[tuple[str, str], ...]:
    return tuple((_format_clock(s), _format_clock(e)) for s, e in windows)


def _parse_days(key) -> tuple[int, ...]:
    """Weekday indices (Monday 0) of a key such as "mon", "mon-fri", "sat,sun", "weekdays"."""
    if not isinstance(key, str):
        raise ParameterError(
            f"Schedule hours: the key {key!r} is not a weekday. Use "
            f"{', '.join(WEEKDAYS)}, a range such as 'mon-fri' or a list such as 'sat,sun'."
        )
    days: list[int] = []
    for part in key.lower().replace("\u2013", "-").split(","):
        part = part.strip()
        if part in _DAY_GROUPS:
            days.extend(_DAY_GROUPS[part])
            continue
        ends = [end.strip() for end in part.split("-")]
        if len(ends) > 2 or any(end not in _DAY_NAMES for end in ends):
            bad = next((end for end in ends if end not in _DAY_NAMES), part)
            close = difflib.get_close_matches(bad, list(_DAY_NAMES) + list(_DAY_GROUPS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParameterError(
                f"Schedule hours: unknown weekday {bad!r} in {key!r}{hint}. Use "
                f"{', '.join(WEEKDAYS)}, a range such as 'mon-fri', a list such as "
                "'sat,sun', or 'weekdays', 'weekends', 'daily'."
            )
        first, last = _DAY_NAMES[ends[0]], _DAY_NAMES[ends[-1]]
        days.extend((first + step) % 7 for step in range((last - first) % 7 + 1))
    return tuple(days)


def _normalise_hours(hours) -> dict[str, tuple[tuple[str, str], ...]]:
    if not isinstance(hours, Mapping):
        raise ParameterError(
            f"Schedule hours must be a mapping from weekdays to windows, for example "
            f"{{'mon-fri': '08:00-18:00', 'sat': '10:00-14:00'}}; got {hours!r}."
        )
    week: dict[int, tuple] = {}
    given_by: dict[int, str] = {}
    for key, value in hours.items():
        for day in _parse_days(key):
            if day in week:
                raise ParameterError(
                    f"Schedule hours: {WEEKDAYS[day]} is given twice (in {given_by[day]!r} "
                    f"and {key!r}). Give each weekday once, for example 'mon-thu' and 'fri'."
                )
            week[day] = _parse_windows(value, f"Schedule hours for {key!r}", WEEKDAYS[day])
            given_by[day] = key
    return {WEEKDAYS[day]: _format_windows(week.get(day, ())) for day in range(7)}


def _parse_date(value, where: str) -> dt.date:
    if isinstance(value, (pd.Timestamp, dt.datetime, np.datetime64)):
        stamp = pd.Timestamp(value)
        if pd.isna(stamp) or stamp != stamp.normalize():
            raise ParameterError(
                f"{where}: {value!r} is not a date (it has a time of day or is missing). "
                "Give the date only, as 'YYYY-MM-DD' text such as '2024-12-25'."
            )
        return stamp.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ParameterError(
        f"{where}: {value!r} is not a date. Write holidays as 'YYYY-MM-DD' text, for "
        "example '2024-12-25', or as dates."
    )


def _holiday_items(holidays) -> list[tuple]:
    if holidays is None:
        return []
    if isinstance(holidays, Mapping):
        return list(holidays.items())
    if isinstance(holidays, (str, dt.date, pd.Timestamp, np.datetime64)):
        return [(holidays, ())]
    if not isinstance(holidays, (Sequence, np.ndarray, pd.Series, pd.Index, set, frozenset)):
        raise ParameterError(
            f"Schedule holidays must be a list of dates or a mapping from dates to "
            f"windows; got {holidays!r}."
        )
    items = []
    for item in holidays:
        is_pair = (isinstance(item, tuple) and len(item) == 2
                   and isinstance(item[0], dt.date) and isinstance(item[1], tuple))
        items.append(item if is_pair else (item, ()))
    return items


def _normalise_holidays(holidays) -> tuple[tuple[dt.date, tuple[tuple[str, str], ...]], ...]:
    days: dict[dt.date, tuple] = {}
    for raw_day, windows in _holiday_items(holidays):
        day = _parse_date(raw_day, "Schedule holidays")
        parsed = _format_windows(_parse_windows(windows, f"Schedule holidays: {day}"))
        if day in days and days[day] != parsed:
            raise ParameterError(
                f"Schedule holidays: {day} is given twice with different hours. Give each "
                "date once."
            )
        days[day] = parsed
    return tuple(sorted(days.items()))


def _zone(name) -> zoneinfo.ZoneInfo:
    """The ZoneInfo of an IANA name; ParameterError with close matches when unknown."""
    if isinstance(name, str) and name.strip():
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            pass
    known = sorted(zoneinfo.available_timezones())
    text = str(name)
    lowered = {zone.lower(): zone for zone in known}
    close = [lowered[text.lower()]] if text.lower() in lowered else []
    close += [zone for zone in known if zone.lower().rsplit("/", 1)[-1] == text.lower()]
    close += difflib.get_close_matches(text, known, n=3, cutoff=0.6)
    close = list(dict.fromkeys(close))[:3]
    hint = f" Did you mean {show_values(close)}?" if close else ""
    raise ParameterError(
        f"Unknown time zone {name!r}.{hint} Use an IANA time zone name such as "
        "'Europe/London', 'America/New_York' or 'UTC' (the list is at "
        "https://en.wikipedia.org/wiki/List_of_tz_database_time_zones)."
    )


# --- the schedule ---------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """Opening hours per weekday in local wall time, a time zone and holidays.

    Parameters
    ----------
    hours : mapping
        Weekday -> windows. Keys are ``"mon"`` .. ``"sun"`` (or full names, ranges such
        as ``"mon-fri"``, lists such as ``"sat,sun"``, ``"weekdays"``, ``"weekends"``,
        ``"daily"``); values are ``"08:00-18:00"``, ``"08:00-12:00, 13:00-18:00"``, a
        list of such windows or of ``("08:00", "18:00")`` pairs, or ``"closed"``. A
        window may end at ``"24:00"`` but not cross midnight. Days not given are
        closed. Normalised to all seven days, each a tuple of ``("HH:MM", "HH:MM")``.
    timezone : str
        IANA time zone of the windows and holidays (``"Europe/London"``).
    holidays : sequence or mapping
        Local dates without business hours (``"2024-12-25"`` or dates), or a mapping
        from dates to that day's own windows (``{"2024-12-24": "08:00-12:00"}``).
        Normalised to a sorted tuple of ``(date, windows)`` pairs (``()`` = closed).
    name : str
        A label for tables and messages.

    Examples
    --------
    >>> office = Schedule({"mon-fri": "08:00-18:00"}, timezone="Europe/London",
    ...                   holidays=["2024-12-25"])
    >>> office.hours["mon"], office.hours["sat"], office.weekly_hours
    ((('08:00', '18:00'),), (), 50.0)
    >>> office.holidays
    ((datetime.date(2024, 12, 25), ()),)
    """

    hours: dict
    timezone: str = "UTC"
    holidays: tuple = ()
    name: str = "default"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ParameterError(f"A schedule's name must be non-empty text; got {self.name!r}.")
        timezone = self.timezone.key if isinstance(self.timezone, zoneinfo.ZoneInfo) else self.timezone
        _zone(timezone)
        object.__setattr__(self, "timezone", timezone)
        object.__setattr__(self, "hours", _normalise_hours(self.hours))
        object.__setattr__(self, "holidays", _normalise_holidays(self.holidays))
        if self.weekly_hours == 0:
            raise ParameterError(
                f"The schedule {self.name!r} has no business hours in its week. Give at "
                "least one window, for example {'mon-fri': '08:00-18:00'}, or use "
                "Schedule.always() for calendar time."
            )

    def __hash__(self) -> int:
        return hash((self.name, self.timezone, tuple(self.hours.items()), self.holidays))

    @classmethod
    def from_dict(cls, spec: Mapping) -> Schedule:
        """A schedule from notebook or YAML parameters.

        ``spec`` has ``hours`` (required), and optionally ``timezone``, ``holidays``
        and ``name``, with the forms :class:`Schedule` accepts.

        Examples
        --------
        >>> Schedule.from_dict({
        ...     "timezone": "Europe/London",
        ...     "hours": {"mon-fri": "08:00-18:00", "sat": "10:00-14:00"},
        ...     "holidays": ["2024-12-25", "2024-12-26"],
        ... }).weekly_hours
        54.0
        """
        if not isinstance(spec, Mapping):
            raise ParameterError(
                "A schedule must be a mapping such as {'timezone': 'Europe/London', "
                f"'hours': {{'mon-fri': '08:00-18:00'}}}}; got {spec!r}."
            )
        unknown = [key for key in spec if key not in _SPEC_KEYS]
        if unknown:
            close = difflib.get_close_matches(str(unknown[0]), _SPEC_KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParameterError(
                f"Unknown schedule setting {show_values(unknown)}{hint}. A schedule takes "
                f"{', '.join(_SPEC_KEYS)}."
            )
        if "hours" not in spec:
            raise ParameterError(
                "The schedule has no 'hours'. Add them, for example "
                "'hours': {'mon-fri': '08:00-18:00'}; use Schedule.always() for 24x7."
            )
        return cls(hours=spec["hours"], timezone=spec.get("timezone", "UTC"),
                   holidays=spec.get("holidays", ()), name=spec.get("name", "default"))

    @classmethod
    def always(cls, timezone: str = "UTC", name: str = "24x7") -> Schedule:
        """Open all the time: business time equals calendar (elapsed) time.

        Examples
        --------
        >>> Schedule.always().weekly_hours
        168.0
        """
        return cls({"daily": "00:00-24:00"}, timezone=timezone, name=name)

    def to_dict(self) -> dict:
        """The schedule as plain parameters (the inverse of :meth:`from_dict`).

        Examples
        --------
        >>> Schedule({"mon": "09:00-17:00"}, holidays={"2024-12-24": "09:00-12:00"}).to_dict()["holidays"]
        {'2024-12-24': '09:00-12:00'}
        """
        def text(windows):
            return ", ".join(f"{s}-{e}" for s, e in windows) or "closed"

        return {
            "name": self.name,
            "timezone": self.timezone,
            "hours": {day: text(windows) for day, windows in self.hours.items()},
            "holidays": {day.isoformat(): text(windows) for day, windows in self.holidays},
        }

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The :class:`zoneinfo.ZoneInfo` of :attr:`timezone`."""
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def weekly_hours(self) -> float:
        """Business hours in a week without holidays or clock changes."""
        seconds = sum(e - s for windows in self._week() for s, e in windows)
        return seconds / 3600

    def _week(self) -> tuple[tuple[tuple[int, int], ...], ...]:
        return tuple(_parse_windows(self.hours[day], "hours", day) for day in WEEKDAYS)



# --- clocks: UTC offsets per local day --------------------------------------------------


def _offsets(zone: zoneinfo.ZoneInfo, utc_ns: np.ndarray) -> np.ndarray:
    """UTC offset (ns) of ``zone`` at each UTC instant."""
    utc_ns = np.asarray(utc_ns, dtype=np.int64)
    index = pd.DatetimeIndex(utc_ns.view("datetime64[ns]")).tz_localize("UTC")
    local = index.tz_convert(zone).tz_localize(None).as_unit("ns").asi8
    return local - utc_ns


@dataclass(frozen=True)
class _Clock:
    """Per local day: the offset before and after a change of clocks near it, and when.

    Any wall time of local day ``d`` happens between ``d - 14 h`` and ``d + 38 h`` in
    UTC (offsets lie between -12 h and +14 h); ``switch`` is the UTC instant in that
    bracket where the offset changes (``_NEVER`` when it does not). One change per
    52-hour bracket is assumed: in the tz database no two changes of any zone are
    closer than that between 1900 and 2040 (checked on an hourly grid of every zone).
    """

    first_day: int
    before: np.ndarray
    after: np.ndarray
    switch: np.ndarray

    def rows(self, days: np.ndarray) -> np.ndarray:
        return np.asarray(days, dtype=np.int64) - self.first_day


def _clock(zone: zoneinfo.ZoneInfo, first_day: int, last_day: int) -> _Clock:
    days = np.arange(first_day, last_day + 1, dtype=np.int64)
    low, high = days * _DAY - 14 * _HOUR, days * _DAY + 38 * _HOUR
    before, after = _offsets(zone, low), _offsets(zone, high)
    switch = np.full(days.size, _NEVER, dtype=np.int64)
    moved = np.flatnonzero(before != after)
    if moved.size:  # bisection to the second (transitions fall on whole seconds)
        lo, hi, old = low[moved] // _NS, high[moved] // _NS, before[moved]
        while np.any(hi - lo > 1):
            mid = (lo + hi) // 2
            same = _offsets(zone, mid * _NS) == old
            lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
        switch[moved] = hi * _NS
    return _Clock(first_day, before, after, switch)


def _localize(local_ns: np.ndarray, zone: zoneinfo.ZoneInfo, ambiguous: str = "earliest",
              nonexistent: str = "shift_forward") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """UTC ns of naive wall times, and masks of the skipped and the repeated ones.

    A repeated time is its first occurrence (``ambiguous="earliest"``) or its second
    (``"latest"``); a skipped time is the first instant after the gap. The masks let
    the caller raise or give NaN instead.
    """
    empty = np.zeros(local_ns.size, dtype=bool)
    if local_ns.size == 0:
        return local_ns.astype(np.int64), empty, empty
    days = local_ns // _DAY
    clock = _clock(zone, *_check_days(local_ns, int(days.min()) - 2, int(days.max()) + 2))
    row = clock.rows(days)
    first, second, switch = local_ns - clock.before[row], local_ns - clock.after[row], clock.switch[row]
    skipped = (first >= switch) & (second < switch)
    repeated = (first < switch) & (second >= switch)
    utc = np.where(first < switch, first, np.where(second >= switch, second, switch))
    if ambiguous == "latest":
        utc = np.where(repeated, second, utc)
    return utc, skipped, repeated


# --- timelines: business intervals in UTC ---------------------------------------------


@dataclass(frozen=True)
class _Timeline:
    """Sorted, disjoint business intervals (UTC ns) and the business time before each."""

    starts: np.ndarray
    lengths: np.ndarray
    before: np.ndarray

    @property
    def total(self) -> int:
        return int(self.before[-1] + self.lengths[-1]) if self.starts.size else 0

    def elapsed(self, utc_ns: np.ndarray) -> np.ndarray:
        """Business ns between the timeline's start and each instant (``B(t)``)."""
        if self.starts.size == 0:
            return np.zeros(np.shape(utc_ns), dtype=np.int64)
        k = np.searchsorted(self.starts, utc_ns, side="right") - 1
        row = np.maximum(k, 0)
        inside = np.clip(utc_ns - self.starts[row], 0, self.lengths[row])
        return np.where(k < 0, 0, self.before[row] + inside)

    def reach(self, target: np.ndarray) -> np.ndarray:
        """The last instant where ``B`` is still ``target`` (which must be < total).

        A target that ends a window exactly is reached at the next opening, so that
        ``t <= reach(target)`` exactly when ``B(t) <= target``.
        """
        k = np.searchsorted(self.before, target, side="right") - 1
        return self.starts[k] + (target - self.before[k])


def _window_table(schedule: Schedule, days: np.ndarray, first_day: int):
    """Window starts, ends (seconds) and mask per day, holidays applied."""
    week = schedule._week()
    special = [(day, _parse_windows(windows, "holidays")) for day, windows in schedule.holidays
               if windows]
    width = max([1] + [len(w) for w in week] + [len(w) for _, w in special])
    start, end = np.zeros((7, width), np.int64), np.zeros((7, width), np.int64)
    used = np.zeros((7, width), bool)
    for day, windows in enumerate(week):
        for j, (s, e) in enumerate(windows):
            start[day, j], end[day, j], used[day, j] = s, e, True
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    start, end, used = start[weekday], end[weekday], used[weekday]
    rows = np.array([(day - _EPOCH).days for day, _ in schedule.holidays], dtype=np.int64) - first_day
    used[rows[(rows >= 0) & (rows < days.size)]] = False  # holidays and special days
    for day, windows in special:  # special days' own windows: a few rows
        row = (day - _EPOCH).days - first_day
        if 0 <= row < days.size:
            for j, (s, e) in enumerate(windows):
                start[row, j], end[row, j], used[row, j] = s, e, True
    return start, end, used


def _timeline(schedule: Schedule, first_day: int, last_day: int) -> _Timeline:
    """Business intervals of the local days ``first_day .. last_day`` (days since 1970)."""
    days = np.arange(first_day, last_day + 1, dtype=np.int64)
    start, end, used = _window_table(schedule, days, first_day)
    clock = _clock(schedule.zone, first_day, last_day)
    midnight = (days * _DAY)[:, None]
    wall_start, wall_end = midnight + start * _NS, midnight + end * _NS
    before, after, switch = (clock.before[:, None], clock.after[:, None], clock.switch[:, None])
    # Real instants whose wall time lies in [start, end): before the change of clocks
    # the offset is `before`, from it on `after` (see _Clock).
    first = (wall_start - before, np.minimum(wall_end - before, switch))
    second = (np.maximum(wall_start - after, switch), wall_end - after)
    keep1, keep2 = used & (first[0] < first[1]), used & (second[0] < second[1])
    starts = np.concatenate([first[0][keep1], second[0][keep2]])
    ends = np.concatenate([first[1][keep1], second[1][keep2]])
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    if starts.size:  # merge touching intervals (24:00 then 00:00)
        reach = np.maximum.accumulate(ends)
        new = np.ones(starts.size, bool)
        new[1:] = starts[1:] > reach[:-1]
        last = np.append(np.flatnonzero(new)[1:] - 1, starts.size - 1)
        starts, ends = starts[new], reach[last]
    lengths = ends - starts
    before_each = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    return _Timeline(starts, lengths, before_each)


def _span_days(utc_ns: np.ndarray) -> tuple[int, int]:
    """Local days (any zone) whose windows can touch the instants' range."""
    return _check_days(utc_ns, int(utc_ns.min() // _DAY) - 2, int(utc_ns.max() // _DAY) + 2)


def _check_days(ns: np.ndarray, first: int, last: int) -> tuple[int, int]:
    if first < _FIRST_DAY or last > _LAST_DAY:
        raise DataError(
            f"Dates must lie between {_EPOCH + dt.timedelta(days=_FIRST_DAY + 2)} and "
            f"{_EPOCH + dt.timedelta(days=_LAST_DAY - 2)} for business-time arithmetic; got "
            f"{show_values([str(pd.Timestamp(int(v))) for v in (ns.min(), ns.max())])}. "
            "Check the date columns for placeholder or mistyped dates."
        )
    return first, last


# --- reading timestamps ----------------------------------------------------------------


@dataclass(frozen=True)
class _Times:
    """Timestamps as int64 ns: UTC when ``tz`` is set, naive wall time otherwise."""

    ns: np.ndarray
    missing: np.ndarray
    tz: object
    index: pd.Index | None
    scalar: bool
    original: pd.Series


def _read_times(values, what: str) -> _Times:
    scalar = not isinstance(values, (pd.Series, pd.Index)) and np.ndim(values) == 0
    index = values.index if isinstance(values, pd.Series) else None
    if isinstance(values, pd.Series):
        series = values.reset_index(drop=True)
    elif scalar:
        series = pd.Series([values])
    elif isinstance(values, (np.ndarray, pd.Index)):
        series = pd.Series(values)
    else:
        series = pd.Series(list(values))
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        parsed = series
    elif (pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype)) \
            and series.notna().any():
        raise DataError(
            f"{what} holds numbers ({show_values(series.dropna().head(20).tolist(), 3)}), "
            "not dates and times. Convert them first, for example with "
            "pd.to_datetime(values, unit='s') for Unix seconds, or load the file with "
            "csat_toolkit.io."
        )
    else:
        parsed = parse_iso_times(series, what)
    try:
        stamps = pd.DatetimeIndex(parsed).as_unit("ns")
    except (pd.errors.OutOfBoundsDatetime, OverflowError) as error:
        raise DataError(
            f"{what} has dates outside the years 1678-2261 ({error}). Check the date "
            "column for typing errors such as '20224-01-05'."
        ) from error
    return _Times(stamps.asi8.copy(), np.asarray(stamps.isna()), stamps.tz, index, scalar, series)


_AMBIGUOUS = ("earliest", "latest", "raise", "nan")
_NONEXISTENT = ("shift_forward", "raise", "nan")


def _check_clock_options(ambiguous, nonexistent) -> None:
    if ambiguous not in _AMBIGUOUS:
        raise ParameterError(
            f"ambiguous must be one of {', '.join(map(repr, _AMBIGUOUS))} (what a naive time "
            f"that happened twice, at a change of clocks, means); got {ambiguous!r}."
        )
    if nonexistent not in _NONEXISTENT:
        raise ParameterError(
            f"nonexistent must be one of {', '.join(map(repr, _NONEXISTENT))} (what a naive "
            f"time that never happened, at a change of clocks, means); got {nonexistent!r}."
        )


def _utc(ns: np.ndarray, tz, zone: zoneinfo.ZoneInfo, ambiguous: str = "earliest",
         nonexistent: str = "shift_forward", what: str = "start") -> tuple[np.ndarray, np.ndarray]:
    """UTC ns of non-missing timestamps (naive values are wall times in ``zone``), and
    the rows to leave out (naive times at a change of clocks with ``"nan"``).

    With ``"raise"`` such times are a :class:`DataError` that lists them.
    """
    if tz is not None:
        return ns, np.zeros(ns.size, dtype=bool)
    utc, skipped, repeated = _localize(ns, zone, ambiguous, nonexistent)
    for mask, option, happened, fix in (
            (skipped, nonexistent, "never happened (the clocks sprang forward over them)",
             "nonexistent='shift_forward' reads them as the first instant after the gap"),
            (repeated, ambiguous, "happened twice (the clocks went back)",
             "ambiguous='earliest' or 'latest' says which occurrence is meant")):
        if option == "raise" and mask.any():
            shown = show_values([str(pd.Timestamp(int(v))) for v in ns[mask]], 3)
            name = "nonexistent" if mask is skipped else "ambiguous"
            raise DataError(
                f"{what} has {int(mask.sum()):,} naive time(s) that {happened} in {zone.key}: "
                f"{shown}. Correct them or say what they mean: {fix}; {name}='nan' leaves "
                "those rows out. Loading the times with load_tickets(timezone="
                f"{zone.key!r}) sets them aside and counts them."
            )
    drop = (skipped & (nonexistent == "nan")) | (repeated & (ambiguous == "nan"))
    return utc, drop


def _row_count(*lengths: int) -> int:
    sizes = {n for n in lengths if n != 1}
    if len(sizes) > 1:
        raise ParameterError(
            f"The inputs have different lengths ({', '.join(map(str, lengths))}). Pass "
            "columns of the same frame, or a single value to use for every row."
        )
    return sizes.pop() if sizes else 1


def _expand(values: np.ndarray, n: int) -> np.ndarray:
    return np.broadcast_to(values, (n,)) if values.size == 1 and n != 1 else values


def _schedule_groups(schedule, n: int) -> list[tuple[Schedule, np.ndarray]]:
    """(schedule, row positions) pairs; one schedule or one per row."""
    if isinstance(schedule, Schedule):
        return [(schedule, np.arange(n))]
    if isinstance(schedule, (pd.Series, Sequence, np.ndarray)) and not isinstance(schedule, str):
        items = list(schedule)
        bad = [item for item in items if not isinstance(item, Schedule)]
        if bad:
            raise ParameterError(
                f"schedule holds values that are not Schedules: {show_values(bad, 3)}. Build "
                "one schedule per row with schedules_for(data, column, schedules, default=...)."
            )
        if len(items) != n:
            raise ParameterError(
                f"schedule has {len(items)} entries for {n} rows. Build it from the same "
                "frame with schedules_for(...)."
            )
        codes, _ = pd.factorize(np.fromiter(map(id, items), dtype=np.int64, count=n))
        order = np.argsort(codes, kind="stable")
        groups = np.split(order, np.flatnonzero(np.diff(codes[order])) + 1)
        return [(items[int(rows[0])], rows) for rows in groups if rows.size]
    raise ParameterError(
        f"schedule must be a Schedule (or one per row from schedules_for); got {schedule!r}. "
        "Build one with Schedule.from_dict({'timezone': ..., 'hours': {...}})."
    )


def _source_zone(source_timezone, schedule: Schedule) -> zoneinfo.ZoneInfo:
    return schedule.zone if source_timezone is None else _zone(source_timezone)


def _describe(value) -> str:
    return "missing" if pd.isna(value) else str(pd.Timestamp(value))


# --- public functions ------------------------------------------------------------------


def business_duration(
    start,
    end,
    schedule,
    *,
    unit: str = "hours",
    source_timezone: str | None = None,
    negative: str = "raise",
    ambiguous: str = "earliest",
    nonexistent: str = "shift_forward",
):
    """Business time between ``start`` and ``end`` under a schedule.

    Parameters
    ----------
    start, end : Series, array-like or scalar of timestamps
        Naive values are wall times in ``source_timezone``; zone-aware values are
        converted. ISO 8601 text is parsed. A single value is used for every row (for
        example ``end=as_of`` for tickets still open).
    schedule : Schedule or sequence of Schedule
        One schedule, or one per row (see :func:`schedules_for`).
    unit : {"hours", "minutes", "seconds"}
    source_timezone : str, optional
        Time zone of naive timestamps; default: the schedule's.
    negative : {"raise", "nan"}
        What to do when ``end`` is before ``start``: raise a :class:`DataError`
        listing the rows, or return NaN for them (the caller counts them).
    ambiguous : {"earliest", "latest", "raise", "nan"}
        A naive time that happened twice in its zone (the hour repeated when clocks
        go back): its first occurrence (default), its second, a
        :class:`DataError` listing such times, or NaN for the row (counted by the
        caller).
    nonexistent : {"shift_forward", "raise", "nan"}
        A naive time that never happened (the hour skipped when clocks spring
        forward): the first instant after the gap (default), a :class:`DataError`,
        or NaN for the row.

    Returns
    -------
    Series, ndarray or float
        A float Series named ``business_<unit>`` with ``start``'s (or ``end``'s) index
        when either is a Series; a float for two scalars; an ndarray otherwise.
        Missing ``start`` or ``end`` gives NaN.

    Examples
    --------
    >>> office = Schedule({"mon-fri": "08:00-18:00"}, timezone="Europe/London")
    >>> business_duration("2024-03-01 17:00", "2024-03-04 09:00", office)  # Fri -> Mon
    2.0
    >>> tickets = pd.DataFrame({"created_at": pd.to_datetime(["2024-03-02 10:00", None]),
    ...                         "resolved_at": pd.to_datetime(["2024-03-04 10:30", "2024-03-04 11:00"])})
    >>> business_duration(tickets["created_at"], tickets["resolved_at"], office, unit="minutes")
    0    150.0
    1      NaN
    Name: business_minutes, dtype: float64
    """
    if unit not in UNITS:
        raise ParameterError(f"Unknown unit {unit!r}; use one of {', '.join(UNITS)}.")
    if negative not in ("raise", "nan"):
        raise ParameterError(f"negative must be 'raise' or 'nan'; got {negative!r}.")
    _check_clock_options(ambiguous, nonexistent)
    begins, ends = _read_times(start, "start"), _read_times(end, "end")
    index = _result_index(begins, ends)
    n = _row_count(begins.ns.size, ends.ns.size)
    begin_ns, end_ns = _expand(begins.ns, n), _expand(ends.ns, n)
    missing = _expand(begins.missing, n) | _expand(ends.missing, n)
    result = np.full(n, np.nan)
    backwards = np.zeros(n, bool)
    for sched, rows in _schedule_groups(schedule, n):
        rows = rows[~missing[rows]]
        if rows.size == 0:
            continue
        zone = _source_zone(source_timezone, sched)
        b, drop_b = _utc(begin_ns[rows], begins.tz, zone, ambiguous, nonexistent, "start")
        e, drop_e = _utc(end_ns[rows], ends.tz, zone, ambiguous, nonexistent, "end")
        timeline = _timeline(sched, *_span_days(np.concatenate([b, e])))
        result[rows] = np.where(drop_b | drop_e, np.nan,
                                (timeline.elapsed(e) - timeline.elapsed(b)) / UNITS[unit])
        backwards[rows] = (e < b) & ~(drop_b | drop_e)
    if backwards.any():
        if negative == "raise":
            _raise_backwards(backwards, begins, ends, n)
        result[backwards] = np.nan
    if begins.scalar and ends.scalar:
        return float(result[0])
    if index is None:
        return result
    return pd.Series(result, index=index, name=f"business_{unit}")


def _result_index(*times: _Times) -> pd.Index | None:
    indexes = [t.index for t in times if t.index is not None]
    if len(indexes) == 2 and not indexes[0].equals(indexes[1]):
        raise ParameterError(
            "start and end are Series with different indexes. Pass two columns of the "
            "same frame (or reset their indexes) so rows pair up."
        )
    return indexes[0] if indexes else None


def _raise_backwards(backwards: np.ndarray, begins: _Times, ends: _Times, n: int) -> None:
    rows = np.flatnonzero(backwards)
    begin_values = begins.original.iloc[np.minimum(rows[:5], len(begins.original) - 1)]
    end_values = ends.original.iloc[np.minimum(rows[:5], len(ends.original) - 1)]
    examples = "; ".join(
        f"row {row}: start {_describe(b)}, end {_describe(e)}"
        for row, b, e in zip(rows[:5], begin_values, end_values)
    )
    more = f" (and {rows.size - 5} more)" if rows.size > 5 else ""
    raise DataError(
        f"end is before start in {rows.size} of {n} rows: {examples}{more}. Check that the "
        "start and end columns are not swapped and that both are in the same time zone "
        "(naive times are read in source_timezone, default the schedule's). To keep going, "
        "pass negative='nan': those rows become NaN and can be counted."
    )


def add_business_time(start, amount_hours, schedule, *, source_timezone: str | None = None,
                      ambiguous: str = "earliest", nonexistent: str = "shift_forward"):
    """The instant ``amount_hours`` business hours after ``start`` (an SLA due time).

    The inverse of :func:`business_duration`: ``business_duration(start,
    add_business_time(start, h, s), s) == h``. Starting outside business hours, the
    clock starts at the next opening. The due time is the *last* instant at which no
    more than ``h`` business hours have passed, so ``answered_at <= due_at`` exactly
    when ``business_duration(start, answered_at) <= h``: a target that uses up a
    window exactly falls due at the next opening (Monday 08:00 rather than Friday
    18:00, the same business instant; pandas' ``BusinessHour`` does the same). Zero
    hours give ``start`` inside business hours and the next opening outside them.

    Parameters
    ----------
    start : Series, array-like or scalar of timestamps
        As for :func:`business_duration`.
    amount_hours : float or array-like
        Business hours to add (zero or more); NaN gives NaT.
    schedule : Schedule or sequence of Schedule
    source_timezone : str, optional
        Time zone of naive ``start`` values; default: the schedule's.
    ambiguous, nonexistent : str
        Naive starts at a change of clocks, as for :func:`business_duration`
        (``"nan"`` gives NaT for those rows).

    Returns
    -------
    Series or Timestamp
        Due times named ``due_at``, naive wall times in the source time zone when
        ``start`` is naive, in ``start``'s time zone otherwise. A Timestamp when both
        inputs are scalars.

    Examples
    --------
    >>> office = Schedule({"mon-fri": "08:00-18:00"}, timezone="Europe/London")
    >>> add_business_time("2024-03-01 17:00", 4, office)  # Friday 17:00 + 4 h
    Timestamp('2024-03-04 11:00:00')
    >>> add_business_time(pd.Series(pd.to_datetime(["2024-03-02 12:00"])), [2.5], office)
    0   2024-03-04 10:30:00
    Name: due_at, dtype: datetime64[ns]
    """
    _check_clock_options(ambiguous, nonexistent)
    begins = _read_times(start, "start")
    amounts, amount_index, amount_scalar = _read_amounts(amount_hours)
    n = _row_count(begins.ns.size, amounts.size)
    begin_ns, hours = _expand(begins.ns, n), _expand(amounts, n)
    missing = _expand(begins.missing, n) | np.isnan(hours)
    out = np.zeros(n, np.int64)
    for sched, rows in _schedule_groups(schedule, n):
        rows = rows[~missing[rows]]
        if rows.size == 0:
            continue
        zone = _source_zone(source_timezone, sched)
        utc, drop = _utc(begin_ns[rows], begins.tz, zone, ambiguous, nonexistent, "start")
        missing[rows[drop]] = True
        rows, utc = rows[~drop], utc[~drop]
        if rows.size == 0:
            continue
        due = _due(sched, utc, np.round(hours[rows] * _HOUR).astype(np.int64))
        out[rows] = due if begins.tz is not None else _wall(due, zone)
    stamps = pd.DatetimeIndex(out.view("datetime64[ns]"))
    stamps = stamps.tz_localize("UTC").tz_convert(begins.tz) if begins.tz is not None else stamps
    stamps = stamps.where(~missing)  # NaT where start or amount is missing
    if begins.scalar and amount_scalar:
        return stamps[0]
    index = begins.index if begins.index is not None else amount_index
    return pd.Series(stamps, index=index if index is not None else pd.RangeIndex(n), name="due_at")


def _read_amounts(amount_hours) -> tuple[np.ndarray, pd.Index | None, bool]:
    scalar = np.ndim(amount_hours) == 0 and not isinstance(amount_hours, pd.Series)
    index = amount_hours.index if isinstance(amount_hours, pd.Series) else None
    try:
        values = np.atleast_1d(np.asarray(amount_hours, dtype=float))
    except (TypeError, ValueError) as error:
        raise ParameterError(
            f"amount_hours must be a number of hours (or one per row); got "
            f"{show_values(np.atleast_1d(np.asarray(amount_hours, dtype=object)).tolist(), 3)}."
        ) from error
    bad = ~np.isnan(values) & ((values < 0) | ~np.isfinite(values) | (values > 1e6))
    if bad.any():
        rows = np.flatnonzero(bad)
        raise ParameterError(
            f"amount_hours must be between 0 and 1,000,000 hours; got "
            f"{show_values(values[bad].tolist(), 3)} (rows {', '.join(map(str, rows[:5]))}). "
            "An SLA target is a length of business time in hours, for example 4 or 0.5."
        )
    return values, index, scalar


def _due(schedule: Schedule, utc: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """Due instants (UTC ns); the grid of days grows until it holds the largest target."""
    first, last = _span_days(utc)
    extra = int(np.ceil(amount.max() / _HOUR / schedule.weekly_hours * 7)) + 8
    while True:
        until = min(last + extra, _LAST_DAY)
        timeline = _timeline(schedule, first, until)
        target = timeline.elapsed(utc) + amount
        if timeline.starts.size and target.max() < timeline.total:
            return np.maximum(timeline.reach(target), utc)
        if until == _LAST_DAY:
            raise DataError(
                f"The schedule {schedule.name!r} has too few business hours after "
                f"{pd.Timestamp(int(utc.max()), tz='UTC')} to add {amount.max() / _HOUR:g} "
                f"hours before {_EPOCH + dt.timedelta(days=_LAST_DAY)}. Check its holidays "
                "and hours."
            )
        extra = 2 * extra + 7


def _wall(utc_ns: np.ndarray, zone: zoneinfo.ZoneInfo) -> np.ndarray:
    """Naive wall-time ns in ``zone`` of UTC instants."""
    return utc_ns + _offsets(zone, utc_ns)


def unscheduled_error(column: str, named: list, rows: int, missing: int, known: list
                      ) -> DataError:
    """The error of rows whose ``column`` value has no schedule (``named``: those values,
    on ``rows`` rows) or no value (``missing`` rows); it says what to add."""
    parts = []
    if named:
        parts.append(f"{rows} row(s) have values with no schedule: {show_values(named)}")
    if missing:
        parts.append(f"{missing} row(s) have no {column}")
    return DataError(
        f"schedules_for({column!r}): {'; '.join(parts)}. Add these values to schedules "
        f"(known: {show_values(known)}) or pass default=... for them.")


def schedules_for(data: pd.DataFrame, column: str, schedules: Mapping, default=None) -> pd.Series:
    """One schedule per row, chosen by the value of ``column`` (team, region ...).

    Parameters
    ----------
    data : DataFrame
    column : str
        Column whose values name the schedules.
    schedules : mapping
        Column value -> :class:`Schedule` (or a spec for :meth:`Schedule.from_dict`).
    default : Schedule, spec or key of ``schedules``, optional
        For rows whose value is missing or not in ``schedules``. Without it, such rows
        raise a :class:`DataError` that lists the values.

    Returns
    -------
    Series
        Schedules aligned with ``data``'s index, named ``schedule``; pass it as the
        ``schedule`` of :func:`business_duration` or :func:`add_business_time`.

    Examples
    --------
    >>> tickets = pd.DataFrame({"team": ["uk", "us"],
    ...                         "created_at": pd.to_datetime(["2024-03-04 08:00Z"] * 2),
    ...                         "answered_at": pd.to_datetime(["2024-03-04 15:00Z"] * 2)})
    >>> teams = {"uk": {"timezone": "Europe/London", "hours": {"mon-fri": "08:00-18:00"}},
    ...          "us": {"timezone": "America/New_York", "hours": {"mon-fri": "08:00-18:00"}}}
    >>> per_row = schedules_for(tickets, "team", teams)
    >>> business_duration(tickets["created_at"], tickets["answered_at"], per_row).tolist()
    [7.0, 2.0]
    """
    require_columns(data, [column], "schedules_for needs the column {missing} to choose a "
                    "schedule per row; found {found}. Pass the name of the team or region column.")
    if not isinstance(schedules, Mapping) or not schedules:
        raise ParameterError(
            "schedules must be a non-empty mapping from the values of "
            f"{column!r} to schedules, for example {{'uk': Schedule(...), 'us': Schedule(...)}}."
        )
    table = {key: _as_schedule(value, f"schedules[{key!r}]") for key, value in schedules.items()}
    fallback = None
    if default is not None:
        fallback = (table[default] if isinstance(default, str) and default in table
                    else _as_schedule(default, "default"))
    values = data[column]
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    per_value = [table.get(value) for value in uniques]
    unmatched = (codes < 0) | np.isin(codes, [i for i, s in enumerate(per_value) if s is None])
    if unmatched.any() and fallback is None:
        named = [value for value in values[unmatched] if not _is_missing(value)]
        raise unscheduled_error(column, named, len(named), int(unmatched.sum()) - len(named),
                                list(table))
    lookup = np.empty(len(uniques) + 1, dtype=object)
    lookup[:-1] = [schedule if schedule is not None else fallback for schedule in per_value]
    lookup[-1] = fallback  # code -1: missing value
    return pd.Series(lookup[codes], index=data.index, name="schedule", dtype=object)


def _is_missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _as_schedule(value, where: str) -> Schedule:
    if isinstance(value, Schedule):
        return value
    if isinstance(value, Mapping):
        return Schedule.from_dict(value)
    raise ParameterError(
        f"{where} must be a Schedule or a mapping such as {{'timezone': 'Europe/London', "
        f"'hours': {{'mon-fri': '08:00-18:00'}}}}; got {value!r}."
    )
