"""Checking the options of the loaders (columns, surveys, scales, labels, time zone, number
format, sheet, missing-value markers, date bounds) before any file is read.

Every bad option is a :class:`~csat_toolkit.errors.ParameterError` naming the option,
showing the value and the nearest valid one.
"""
from __future__ import annotations

import codecs
import difflib
import zoneinfo
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError, show_values
from ..core.scales import DEFAULT_SCALES, SCALES, SURVEYS, Scale, get_scale, normalise_label

from ._common import (
    AMBIGUOUS_OPTIONS, NONEXISTENT_OPTIONS, _REQUIRED, _RESERVED, ROW_NUMBER, _snake,
    _survey_lookup,
)

def _check_options(**opts: Any) -> dict:
    """Validate the options before touching the file; return them, normalised."""
    opts["timezone"] = _check_timezone(opts["timezone"])
    if opts["dayfirst"] not in (None, True, False):
        raise ParameterError(f"dayfirst must be True, False or None; got {opts['dayfirst']!r}.")
    if not isinstance(opts["strict"], bool):
        raise ParameterError(f"strict must be True or False; got {opts['strict']!r}.")
    sep = opts["sep"]
    if sep is not None and (not isinstance(sep, str) or len(sep) != 1):
        raise ParameterError(
            f"sep must be one character such as ',', ';', '\\t' or '|'; got {sep!r}."
        )
    if opts["date_format"] is not None and not isinstance(opts["date_format"], str):
        raise ParameterError(
            f"date_format must be a string such as '%d/%m/%Y'; got {opts['date_format']!r}."
        )
    try:
        codecs.lookup(opts["encoding"])
    except (LookupError, TypeError) as exc:
        raise ParameterError(
            f"Unknown encoding {opts['encoding']!r}; try 'utf-8-sig', 'latin-1' or 'cp1252'."
        ) from exc
    _check_number_format(opts["decimal"], opts["thousands"], sep)
    _check_local_time_options(opts["nonexistent"], opts["ambiguous"])
    opts["sheet"] = _check_sheet(opts["sheet"])
    opts["na_values"] = _check_na_values(opts["na_values"])
    opts["columns"] = _check_columns(opts["columns"])
    opts["surveys"] = _check_surveys(opts["surveys"])
    opts["survey"] = _check_survey(opts["survey"], opts["surveys"])
    opts["scales"] = _check_scales(opts["scales"])
    opts["scales"], opts["labels"] = _check_labels(opts["labels"], opts["scales"])
    opts["start"] = _check_bound(opts["start"], "start", opts["timezone"])
    opts["end"] = _check_bound(opts["end"], "end", opts["timezone"])
    if opts["start"] is not None and opts["end"] is not None and opts["start"] > opts["end"]:
        raise ParameterError(f"start ({opts['start']}) is after end ({opts['end']}); swap them.")
    return opts


def _reject_unknown_options(given: Mapping[str, Any], known: tuple[str, ...], where: str
                            ) -> None:
    """ParameterError naming each unknown option and the nearest known one."""
    unknown = [key for key in given if key not in known]
    if not unknown:
        return
    parts = []
    for key in unknown:
        match = difflib.get_close_matches(str(key), known, n=1, cutoff=0.5)
        parts.append(f"{key!r}" + (f" (did you mean {match[0]!r}?)" if match else ""))
    raise ParameterError(
        f"{where} got unknown option(s) {', '.join(parts)}. Known options: "
        f"{', '.join(known)}. Fix the name, e.g. in the notebook's or config's options."
    )


def _check_number_format(decimal: Any, thousands: Any, sep: Any) -> None:
    """decimal and thousands: single characters that differ, neither the separator."""
    for name, value in (("decimal", decimal), ("thousands", thousands)):
        if value is None and name == "thousands":
            continue
        if not isinstance(value, str) or len(value) != 1 or value.isdigit() or \
                value in "+-" or (name == "decimal" and value.isspace()):
            example = "decimal=','" if name == "decimal" else "thousands='.' (or None)"
            raise ParameterError(
                f"{name} must be one character that is not a digit or a sign, e.g. "
                f"{example}; got {value!r}."
            )
    if thousands == decimal:
        raise ParameterError(
            f"decimal and thousands are both {decimal!r}; they must differ, e.g. "
            "decimal=',' with thousands='.' for 1.234,5 (or thousands=None)."
        )
    for name, value in (("decimal", decimal), ("thousands", thousands)):
        if sep is not None and value == sep:
            other = ";" if sep == "," else ","
            raise ParameterError(
                f"sep and {name} are both {sep!r}: a file cannot use one character for both. "
                f"Files with decimal commas are usually separated by ';': pass sep={other!r} "
                f"(the file's real separator), or leave sep=None to detect it."
            )


def _check_local_time_options(nonexistent: Any, ambiguous: Any) -> None:
    if nonexistent not in NONEXISTENT_OPTIONS:
        raise ParameterError(
            f"nonexistent must be 'set_aside' (rows whose time never happened in the time "
            f"zone are set aside) or 'shift_forward' (read as the first time after the "
            f"skipped hour); got {nonexistent!r}."
        )
    if ambiguous not in AMBIGUOUS_OPTIONS:
        raise ParameterError(
            f"ambiguous must be 'set_aside' (rows whose time happened twice are set aside), "
            f"'earliest' or 'latest' (which of the two is meant); got {ambiguous!r}."
        )


def _check_sheet(sheet: Any) -> int | str | None:
    if sheet is None or isinstance(sheet, str):
        return sheet
    if isinstance(sheet, (int, np.integer)) and not isinstance(sheet, bool) and sheet >= 0:
        return int(sheet)
    raise ParameterError(
        f"sheet must be a sheet name, a position from 0, or None for the first sheet; got "
        f"{sheet!r}."
    )


def _check_labels(labels: Any, scales: dict[str, Scale]
                  ) -> tuple[dict[str, Scale], dict[str, dict[str, float]]]:
    """Scales with the user's labels added; the labels as a plain dict (for options)."""
    if labels is None:
        return scales, {}
    if not isinstance(labels, Mapping):
        raise ParameterError(
            "labels must map a survey (or a scale name) to answers and their scores, e.g. "
            f"labels={{'csat': {{'😞': 1, '😁': 5}}}}; got {type(labels).__name__}."
        )
    in_use = {scale.name: survey for survey, scale in scales.items()}
    known = list(SURVEYS) + [n for n in list(SCALES) + list(in_use) if n not in SURVEYS]
    out = dict(scales)
    for key in labels:  # scale keys first, so that a survey key wins for a shared label
        if key in SURVEYS:
            continue
        if key not in in_use:
            match = difflib.get_close_matches(str(key), known, n=1, cutoff=0.5)
            hint = f" Did you mean {match[0]!r}?" if match else ""
            if key in SCALES:
                raise ParameterError(
                    f"labels has the key {key!r}, but no survey is read on that scale "
                    f"(scales in use: {', '.join(f'{s}: {v.name}' for s, v in scales.items())}). "
                    f"Use the survey as the key, e.g. labels={{'{SCALES[key].survey}': ...}}, "
                    f"or pick the scale with scales={{'{SCALES[key].survey}': '{key}'}}."
                )
            raise ParameterError(
                f"labels has the key {key!r}, which is neither a survey ({', '.join(SURVEYS)}) "
                f"nor a scale name.{hint} Use e.g. labels={{'csat': {{'😁': 5}}}}."
            )
        survey = in_use[key]
        out[survey] = out[survey].with_labels(labels[key], where=f"labels[{key!r}]")
    for key in labels:
        if key in SURVEYS:
            out[key] = out[key].with_labels(labels[key], where=f"labels[{key!r}]")
    plain = {str(k): {str(label): float(v) for label, v in labels[k].items()} for k in labels}
    return out, plain


def _responses_fit(found: list, options: dict) -> bool:
    """Would a sheet with these columns give the required response columns?"""
    mapping = options["columns"]
    if any(key != ROW_NUMBER and key not in found for key in mapping):
        return False
    names = {mapping.get(c, _snake(c)) for c in found}
    names |= {mapping[ROW_NUMBER]} if ROW_NUMBER in mapping else set()
    names |= {"survey"} if options["survey"] is not None else set()
    needed = set(_REQUIRED)
    if options["start"] is not None or options["end"] is not None:
        needed.add("responded_at")
    return needed <= names


def _check_timezone(timezone: Any) -> str:
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ParameterError(
            f"Unknown timezone {timezone!r}: use an IANA name such as 'UTC', "
            "'Europe/Paris' or 'America/New_York'."
        ) from exc
    return timezone


def _check_na_values(na_values: Any) -> list[str] | None:
    if na_values is None:
        return None
    if isinstance(na_values, str) or not all(isinstance(v, str) for v in na_values):
        raise ParameterError(
            f"na_values must be a list of texts, e.g. na_values=['', 'NULL']; got {na_values!r}."
        )
    return list(na_values)


def _check_columns(columns: Any) -> dict:
    if columns is None:
        return {}
    if not isinstance(columns, Mapping):
        raise ParameterError(
            "columns must map source names to canonical names, e.g. "
            f"columns={{'Rating': 'score'}}; got {type(columns).__name__}."
        )
    mapped: dict = {}
    for key, target in columns.items():
        if not isinstance(target, str) or not _snake(target):
            raise ParameterError(f"columns[{key!r}] must be a column name; got {target!r}.")
        mapped[key] = _snake(target)
    targets = list(mapped.values())
    doubles = [t for t in dict.fromkeys(targets) if targets.count(t) > 1]
    if doubles:
        keys = [k for k, t in mapped.items() if t in doubles]
        raise ParameterError(
            f"columns maps {show_values(keys)} to the same name {doubles[0]!r}; map one "
            "source column to each name."
        )
    reserved = [t for t in targets if t in _RESERVED]
    if reserved:
        raise ParameterError(
            f"{reserved[0]!r} is a name the loader sets itself; map the column to "
            "another name."
        )
    return mapped


def _check_surveys(surveys: Any) -> dict:
    if surveys is None:
        return {}
    if not isinstance(surveys, Mapping):
        raise ParameterError("surveys must map survey labels to csat/nps/ces/pmf, e.g. "
                             "surveys={'Post-ticket CSAT': 'csat'}.")
    checked = {}
    for label, kind in surveys.items():
        canonical = normalise_label(str(kind))
        if canonical not in SURVEYS:
            raise ParameterError(
                f"surveys[{label!r}] is {kind!r}; each label must map to one of "
                f"{', '.join(SURVEYS)}."
            )
        checked[label] = canonical
    return checked


def _check_survey(survey: Any, surveys: dict) -> str | None:
    if survey is None:
        return None
    canonical = _survey_lookup(surveys).get(normalise_label(str(survey)))
    if canonical is None:
        raise ParameterError(
            f"survey={survey!r} is not one of {', '.join(SURVEYS)} (nor a label in "
            "surveys=); use e.g. survey='csat'."
        )
    return canonical


def _check_scales(scales: Any) -> dict[str, Scale]:
    if scales is not None and not isinstance(scales, Mapping):
        raise ParameterError("scales must map surveys to scales, e.g. scales={'nps': 'nps_1_10'}.")
    chosen = {**DEFAULT_SCALES, **(scales or {})}
    checked = {}
    for survey, scale in chosen.items():
        if survey not in SURVEYS:
            raise ParameterError(
                f"scales has the key {survey!r}; keys must be surveys ({', '.join(SURVEYS)})."
            )
        checked[survey] = get_scale(scale)
        if checked[survey].survey != survey:
            raise ParameterError(
                f"scales[{survey!r}] is {checked[survey].name!r}, a "
                f"{checked[survey].survey} scale; pick a {survey} scale."
            )
    return checked


def _check_bound(value: Any, name: str, timezone: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise ParameterError(f"{name}={value!r} is not a date; use e.g. {name}='2024-01-31'.")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(timezone).tz_localize(None)
    return stamp


def _jsonable_options(options: dict, date_format: str | None) -> dict:
    out = dict(options)
    out["date_format"] = date_format
    out["scales"] = {k: s.name for k, s in options["scales"].items()}
    for key in ("start", "end"):
        out[key] = None if options[key] is None else options[key].isoformat()
    out["columns"] = {str(k): v for k, v in options["columns"].items()}
    out["labels"] = {k: dict(v) for k, v in options["labels"].items()}
    out["surveys"] = {str(k): v for k, v in options["surveys"].items()}
    return out
