"""Helpers the helpdesk readers share: required and renamed columns, complete rows, the
set-aside frames, and wall times in an account's zone (Rails zone names read as IANA).
"""
from __future__ import annotations

import csv
import difflib
import re
import zoneinfo
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import FileFormatError, MissingColumnError, ParameterError, show_values
from ._bad_input import require_columns


_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")


# ActiveSupport (Rails) time-zone names, as Zendesk writes them, -> IANA names.
_RAILS_ZONES = {
    "International Date Line West": "Etc/GMT+12", "Midway Island": "Pacific/Midway",
    "American Samoa": "Pacific/Pago_Pago", "Hawaii": "Pacific/Honolulu",
    "Alaska": "America/Juneau", "Pacific Time (US & Canada)": "America/Los_Angeles",
    "Tijuana": "America/Tijuana", "Mountain Time (US & Canada)": "America/Denver",
    "Arizona": "America/Phoenix", "Chihuahua": "America/Chihuahua",
    "Mazatlan": "America/Mazatlan", "Central Time (US & Canada)": "America/Chicago",
    "Saskatchewan": "America/Regina", "Guadalajara": "America/Mexico_City",
    "Mexico City": "America/Mexico_City", "Monterrey": "America/Monterrey",
    "Central America": "America/Guatemala", "Eastern Time (US & Canada)": "America/New_York",
    "Indiana (East)": "America/Indiana/Indianapolis", "Bogota": "America/Bogota",
    "Lima": "America/Lima", "Quito": "America/Lima",
    "Atlantic Time (Canada)": "America/Halifax", "Caracas": "America/Caracas",
    "La Paz": "America/La_Paz", "Santiago": "America/Santiago",
    "Newfoundland": "America/St_Johns", "Brasilia": "America/Sao_Paulo",
    "Buenos Aires": "America/Argentina/Buenos_Aires", "Montevideo": "America/Montevideo",
    "Georgetown": "America/Guyana", "Puerto Rico": "America/Puerto_Rico",
    "Greenland": "America/Godthab", "Mid-Atlantic": "Atlantic/South_Georgia",
    "Azores": "Atlantic/Azores", "Cape Verde Is.": "Atlantic/Cape_Verde",
    "Dublin": "Europe/Dublin", "Edinburgh": "Europe/London", "Lisbon": "Europe/Lisbon",
    "London": "Europe/London", "Casablanca": "Africa/Casablanca",
    "Monrovia": "Africa/Monrovia", "UTC": "Etc/UTC", "Belgrade": "Europe/Belgrade",
    "Bratislava": "Europe/Bratislava", "Budapest": "Europe/Budapest",
    "Ljubljana": "Europe/Ljubljana", "Prague": "Europe/Prague",
    "Sarajevo": "Europe/Sarajevo", "Skopje": "Europe/Skopje", "Warsaw": "Europe/Warsaw",
    "Zagreb": "Europe/Zagreb", "Brussels": "Europe/Brussels",
    "Copenhagen": "Europe/Copenhagen", "Madrid": "Europe/Madrid", "Paris": "Europe/Paris",
    "Amsterdam": "Europe/Amsterdam", "Berlin": "Europe/Berlin", "Bern": "Europe/Zurich",
    "Zurich": "Europe/Zurich", "Rome": "Europe/Rome", "Stockholm": "Europe/Stockholm",
    "Vienna": "Europe/Vienna", "West Central Africa": "Africa/Algiers",
    "Bucharest": "Europe/Bucharest", "Cairo": "Africa/Cairo", "Helsinki": "Europe/Helsinki",
    "Kyiv": "Europe/Kiev", "Kyev": "Europe/Kiev", "Riga": "Europe/Riga",
    "Sofia": "Europe/Sofia", "Tallinn": "Europe/Tallinn", "Vilnius": "Europe/Vilnius",
    "Athens": "Europe/Athens", "Istanbul": "Europe/Istanbul", "Minsk": "Europe/Minsk",
    "Jerusalem": "Asia/Jerusalem", "Harare": "Africa/Harare", "Pretoria": "Africa/Johannesburg",
    "Kaliningrad": "Europe/Kaliningrad", "Moscow": "Europe/Moscow",
    "St. Petersburg": "Europe/Moscow", "Volgograd": "Europe/Volgograd",
    "Samara": "Europe/Samara", "Kuwait": "Asia/Kuwait", "Riyadh": "Asia/Riyadh",
    "Nairobi": "Africa/Nairobi", "Baghdad": "Asia/Baghdad", "Tehran": "Asia/Tehran",
    "Abu Dhabi": "Asia/Muscat", "Muscat": "Asia/Muscat", "Baku": "Asia/Baku",
    "Tbilisi": "Asia/Tbilisi", "Yerevan": "Asia/Yerevan", "Kabul": "Asia/Kabul",
    "Ekaterinburg": "Asia/Yekaterinburg", "Islamabad": "Asia/Karachi",
    "Karachi": "Asia/Karachi", "Tashkent": "Asia/Tashkent", "Chennai": "Asia/Kolkata",
    "Kolkata": "Asia/Kolkata", "Mumbai": "Asia/Kolkata", "New Delhi": "Asia/Kolkata",
    "Kathmandu": "Asia/Kathmandu", "Astana": "Asia/Dhaka", "Dhaka": "Asia/Dhaka",
    "Sri Jayawardenepura": "Asia/Colombo", "Almaty": "Asia/Almaty",
    "Novosibirsk": "Asia/Novosibirsk", "Rangoon": "Asia/Rangoon", "Bangkok": "Asia/Bangkok",
    "Hanoi": "Asia/Bangkok", "Jakarta": "Asia/Jakarta", "Krasnoyarsk": "Asia/Krasnoyarsk",
    "Beijing": "Asia/Shanghai", "Chongqing": "Asia/Chongqing", "Hong Kong": "Asia/Hong_Kong",
    "Urumqi": "Asia/Urumqi", "Kuala Lumpur": "Asia/Kuala_Lumpur",
    "Singapore": "Asia/Singapore", "Taipei": "Asia/Taipei", "Perth": "Australia/Perth",
    "Irkutsk": "Asia/Irkutsk", "Ulaanbaatar": "Asia/Ulaanbaatar", "Seoul": "Asia/Seoul",
    "Osaka": "Asia/Tokyo", "Sapporo": "Asia/Tokyo", "Tokyo": "Asia/Tokyo",
    "Yakutsk": "Asia/Yakutsk", "Darwin": "Australia/Darwin",
    "Adelaide": "Australia/Adelaide", "Canberra": "Australia/Melbourne",
    "Melbourne": "Australia/Melbourne", "Sydney": "Australia/Sydney",
    "Brisbane": "Australia/Brisbane", "Hobart": "Australia/Hobart",
    "Vladivostok": "Asia/Vladivostok", "Guam": "Pacific/Guam",
    "Port Moresby": "Pacific/Port_Moresby", "Magadan": "Asia/Magadan",
    "Srednekolymsk": "Asia/Srednekolymsk", "Solomon Is.": "Pacific/Guadalcanal",
    "New Caledonia": "Pacific/Noumea", "Fiji": "Pacific/Fiji",
    "Kamchatka": "Asia/Kamchatka", "Marshall Is.": "Pacific/Majuro",
    "Auckland": "Pacific/Auckland", "Wellington": "Pacific/Auckland",
    "Nuku'alofa": "Pacific/Tongatapu", "Tokelau Is.": "Pacific/Fakaofo",
    "Chatham Is.": "Pacific/Chatham", "Samoa": "Pacific/Apia",
}


def iana_zone(name: str) -> str:
    """The IANA name of a Zendesk (Rails) time-zone name; IANA names pass through.

    Examples
    --------
    >>> iana_zone("Pacific Time (US & Canada)"), iana_zone("Europe/Berlin")
    ('America/Los_Angeles', 'Europe/Berlin')
    """
    text = str(name).strip()
    if text in _RAILS_ZONES:
        return _RAILS_ZONES[text]
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        near = difflib.get_close_matches(text, list(_RAILS_ZONES), n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise ParameterError(
            f"Unknown time zone {text!r}{hint}: give an IANA name such as "
            "'America/Los_Angeles' or a Zendesk zone name such as 'Pacific Time (US & Canada)'."
        ) from None
    return text


def _local_times(values: pd.Series, column: str, where: str, timezone: str | None
                 ) -> tuple[pd.Series, dict[str, np.ndarray]]:
    """Text times -> tz-aware times, and the rows to set aside per reason.

    Times with an offset are read as such; times without one are wall times in
    ``timezone`` (a ParameterError when it is None). Unreadable, non-existent and
    ambiguous wall times become NaT and are returned as problems.
    """
    text = values.astype("string").str.strip()
    present = text.notna() & text.ne("")
    problems: dict[str, np.ndarray] = {}
    if not present.any():
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]"), problems
    offset = text.str.contains(_OFFSET, na=False)
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    if offset.any():
        parsed[offset] = pd.to_datetime(text[offset], format="ISO8601", utc=True, errors="coerce")
    naive = present & ~offset
    if naive.any():
        if timezone is None:
            raise ParameterError(
                f"{where}: the times in {column!r} have no UTC offset (e.g. "
                f"{show_values(text[naive].head(3).tolist(), 3)}); Zendesk writes them in the "
                "account's time zone. Set timezone: to that zone (Admin Center > Account > "
                "Localization), e.g. timezone: America/Los_Angeles."
            )
        zone = iana_zone(timezone)
        wall = pd.to_datetime(text[naive], format="ISO8601", errors="coerce")
        bad = wall.isna()
        if bad.any():
            problems[f"unreadable time in {column!r}"] = _mask(values.index, bad[bad].index)
        fine = wall[~bad]
        shifted = fine.dt.tz_localize(zone, ambiguous="NaT", nonexistent="shift_forward")
        kept = fine.dt.tz_localize(zone, ambiguous=np.ones(len(fine), dtype=bool),
                                   nonexistent="NaT")
        gap, twice = kept.isna() & shifted.notna(), shifted.isna()
        if gap.any():
            problems[f"time does not exist in {zone}: clocks sprang forward"] = _mask(
                values.index, gap[gap].index)
        if twice.any():
            problems[f"ambiguous time in {zone}: clocks went back"] = _mask(
                values.index, twice[twice].index)
        good = shifted.notna() & kept.notna()
        parsed[good[good].index] = shifted[good].dt.tz_convert("UTC")
    unread = offset & parsed.isna()
    if unread.any():
        problems[f"unreadable time in {column!r}"] = _mask(values.index, unread[unread].index) | \
            problems.get(f"unreadable time in {column!r}", np.zeros(len(values), dtype=bool))
    return parsed, problems


def _mask(index: pd.Index, rows: pd.Index) -> np.ndarray:
    return np.asarray(index.isin(rows), dtype=bool)


def _check_complete(path: Path, encoding: str, sep: str, width: int) -> None:
    """A last row with fewer fields than the header means the file was cut off."""
    last, line = None, 0
    with open(path, encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=sep)
        for last in reader:
            line = reader.line_num
    if last is not None and line > 1 and 0 < len(last) < width:
        raise FileFormatError(
            f"{path} seems cut off: its last row (line {line}) has {len(last)} of the "
            f"header's {width} fields (it starts {show_values(last[:3], 3)}). Export the "
            "file again (or download it completely) and check its size."
        )


def _require(raw: pd.DataFrame, required: tuple, name: str, layout: str, hint: str,
             vendor: str = "Zendesk") -> None:
    """:func:`~._bad_input.require_columns` in the wording of the helpdesk readers."""
    require_columns(raw.columns, required, name=name, layout=f"a {vendor} {layout}",
                    known=required, fix=f"If you renamed columns, map them back with columns={{'your name': "
                        f"'{vendor} name'}}. {hint}", other=hint)


def _rename(raw: pd.DataFrame, columns: Mapping[str, str] | None) -> pd.DataFrame:
    if not columns:
        return raw
    if not isinstance(columns, Mapping):
        raise ParameterError(f"columns must map your column names to Zendesk's; got {columns!r}.")
    absent = [c for c in columns if c not in raw.columns]
    if absent:
        raise MissingColumnError(
            f"columns= names {show_values(absent)}, which the file does not have (found "
            f"{show_values([str(c) for c in raw.columns], 8)}). Check the spelling."
        )
    return raw.rename(columns=dict(columns))


def _concat(parts: list[pd.DataFrame], columns) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=[*columns, "reason"])
    return pd.concat(parts).sort_index(kind="stable")


def split_problems(frame: pd.DataFrame, problems: Mapping[str, np.ndarray]
                   ) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """The rows no problem marks, and the marked rows set aside with the first reason each.

    Examples
    --------
    >>> frame = pd.DataFrame({"id": [1, 2, 3]})
    >>> kept, aside = split_problems(frame, {"bad time": [False, True, True],
    ...                                      "no id": [False, False, True]})
    >>> kept["id"].tolist(), [part["reason"].tolist() for part in aside]
    ([1], [['bad time', 'bad time']])
    """
    aside, taken = [], np.zeros(len(frame), dtype=bool)
    for reason, mask in problems.items():
        mask = np.asarray(mask, dtype=bool) & ~taken
        if mask.any():
            aside.append(frame[mask].assign(reason=reason))
            taken |= mask
    return frame[~taken], aside
