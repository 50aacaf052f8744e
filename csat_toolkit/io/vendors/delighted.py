"""Delighted: API survey responses (JSON, JSON lines, Airbyte records) and the CSV export.

API ``GET /v1/survey_responses.json`` objects: ``id``, ``person``, ``survey_type``
(``nps``, ``csat``, ``ces`` ...), ``score``, ``comment``, ``permalink``, ``created_at``
and ``updated_at`` (Unix seconds, UTC), ``person_properties`` (the properties sent with
the survey: read as segment columns, snake_cased), ``notes``, ``tags``,
``additional_answers``. A sync tool's records (Airbyte: one ``{"stream", "data"}``
object a line) are read from the ``survey_responses`` stream; other streams (people,
bounces, unsubscribes) are counted in the notes, not read as responses.

The CSV export is read by the same field names (``Response ID``/``id``, ``Score``,
``Comment``, ``Survey Type``, ``Created At``/``Response Timestamp`` ...); its times are
Unix seconds or carry an offset, else ``timezone`` is needed. Other columns are
segments.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from ...errors import FileFormatError, MissingColumnError, ParameterError, show_values
from .._common import _snake
from ..reading import _check_path, _raise_decode_error
from ._bad_input import did_you_mean, read_table, value_names
from ._common import VendorRead

__all__ = ["NAME", "KINDS", "detect", "read_responses", "SURVEY_TYPES"]

NAME = "delighted"
KINDS = ("responses",)

#: Delighted's survey types and the toolkit survey each is (the scale is the
#: survey's default unless the config's ``scales:`` says otherwise).
SURVEY_TYPES = {"nps": "nps", "enps": "nps", "csat": "csat", "5star": "csat",
                "smileys": "csat", "thumbs": "csat", "ces": "ces", "ces7": "ces",
                "pmf": "pmf"}
_CSV_NAMES = {"response_id": "response_id", "id": "response_id", "score": "score",
              "comment": "comment", "survey_type": "survey_type", "person": "customer_id",
              "person_id": "customer_id", "created_at": "responded_at",
              "response_timestamp": "responded_at", "date": "responded_at",
              "created_at_utc": "responded_at", "email": "email", "name": "name"}


def detect(path) -> str | None:
    """The layout name if ``path`` is a Delighted file, else None (reads the first line).

    Examples
    --------
    >>> detect("no_such_file.json") is None
    True
    """
    path = Path(path)
    try:
        with open(path, encoding="utf-8-sig") as handle:
            head = handle.read(4096)
    except (OSError, UnicodeDecodeError):
        return None
    if '"survey_type"' in head and '"person"' in head and '"score"' in head:
        return "API survey responses (JSON)"
    if '"stream"' in head and "survey_responses" in head and '"emitted_at"' in head:
        return "API survey responses (JSON)"
    first = head.splitlines()[0].casefold() if head.strip() else ""
    # Delighted's own columns; "Survey type" and "Score" alone are Nicereply's too
    own = "permalink" in first or "delighted" in first or (
        "survey type" in first and "response id" in first)
    if path.suffix.lower() == ".csv" and "score" in first and own \
            and "legacy score" not in first:
        return "CSV export"
    return None


def read_responses(source: Any, *, timezone: str | None = None, encoding: str = "utf-8-sig",
                   sheet: Any = None) -> VendorRead:
    """Read Delighted survey responses (API JSON / JSON lines, or the CSV export).

    Parameters
    ----------
    source : path, list of dict or DataFrame
        A ``.json``/``.jsonl``/``.txt`` file of API objects (an array, one object a
        line, or sync-tool records with ``stream``/``data``), a list of API objects, or
        the CSV export (a path or a DataFrame).
    timezone : str, optional
        Only for a CSV whose times have no offset: the account's time zone.
    encoding : str
        The file's text encoding.
    sheet : int or str, optional
        Not used (Delighted exports CSV); accepted for the loader's call.

    Returns
    -------
    VendorRead

    Examples
    --------
    >>> read = read_responses([{"id": "7", "person": "p1", "survey_type": "nps", "score": 9,
    ...     "comment": "Great", "created_at": 1641289688,
    ...     "person_properties": {"Plan": "Pro"}}])
    >>> read.frame[["response_id", "survey", "score", "plan"]].values.tolist()
    [['7', 'nps', 9, 'Pro']]
    >>> str(read.frame["responded_at"][0])
    '2022-01-04 09:48:08+00:00'
    """
    if isinstance(source, list):
        return _from_records(source, "the records given", [])
    if isinstance(source, pd.DataFrame):
        return _read_csv(source, timezone, encoding)
    path = Path(source).expanduser()
    if path.suffix.lower() in (".json", ".jsonl", ".ndjson") or (
            path.suffix.lower() == ".txt" and _looks_json(path)):
        records, notes = _json_records(path, encoding)
        return _from_records(records, str(path), notes)
    return _read_csv(source, timezone, encoding)


def _looks_json(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(64).lstrip().startswith((b"{", b"["))
    except OSError:
        return False


def _json_records(path: Path, encoding: str = "utf-8-sig") -> tuple[list, list]:
    path = _check_path(path) if path.suffix.lower() == ".txt" else path
    if not path.exists():
        raise FileFormatError(f"File not found: {path}. Check the path.")
    try:
        text = path.read_text(encoding=encoding)
    except UnicodeDecodeError:
        _raise_decode_error(path, encoding)
    stripped = text.strip().lstrip("\ufeff")
    if not stripped:
        raise FileFormatError(f"{path} is empty: export the Delighted responses again.")
    whole = None
    if stripped.startswith("{"):  # one JSON object (another API's page?) or JSON lines
        try:
            whole = json.loads(stripped)
        except json.JSONDecodeError:
            whole = None
    if isinstance(whole, dict) and not ("stream" in whole and "data" in whole):
        listed = [k for k, v in whole.items() if isinstance(v, list)]
        raise FileFormatError(
            f"{path} is one JSON object with the keys {show_values(list(whole), 6)}"
            + (f" (lists under {show_values(listed, 3)})" if listed else "")
            + ", not Delighted's survey responses (a list of objects from GET "
            "/v1/survey_responses.json, or one object a line). If the file is another "
            "tool's, set source: to that tool.")
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise FileFormatError(f"{path} is not complete JSON ({exc.msg}, line {exc.lineno})"
                                  ": it looks truncated. Export it again.") from exc
    elif isinstance(whole, dict):
        items = [whole]
    else:
        items = []
        for number, line in enumerate(stripped.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise FileFormatError(
                    f"{path}: line {number} is not a complete JSON object ({exc.msg}): "
                    f"{line[:60]!r}. The file looks truncated; export it again.") from exc
    notes, records = [], []
    streams: dict = {}
    for item in items:
        if isinstance(item, dict) and "stream" in item and "data" in item:
            streams[item["stream"]] = streams.get(item["stream"], 0) + 1
            if item["stream"] == "survey_responses":
                records.append(item["data"])
        else:
            records.append(item)
    others = {k: v for k, v in streams.items() if k != "survey_responses"}
    if others:
        listed = ", ".join(f"{k} {v}" for k, v in others.items())
        notes.append(f"Sync-tool records of other streams were not read as responses: "
                     f"{listed}.")
    if streams and "survey_responses" not in streams:
        raise FileFormatError(f"{path} has no survey_responses records (streams: "
                              f"{show_values(list(streams))}): give Delighted's survey "
                              "responses.")
    return records, notes


def _from_records(records: list, name: str, notes: list) -> VendorRead:
    bad = [i for i, r in enumerate(records)
           if not isinstance(r, dict) or not {"id", "score", "created_at"} <= set(r)]
    if bad:
        example = records[bad[0]]
        keys = list(example)[:8] if isinstance(example, dict) else type(example).__name__
        lacking = [k for k in ("id", "score", "created_at") if k not in example] \
            if isinstance(example, dict) else []
        near = did_you_mean(lacking, list(example)) if isinstance(example, dict) else ""
        raise MissingColumnError(
            f"{name}: records {show_values(bad)} (0-based) lack "
            f"{show_values(lacking) if lacking else 'id, score or created_at'} (found {keys})"
            + (f": {near} Rename the field back to Delighted's name." if near else
               ": this is not Delighted's survey responses layout (GET "
               "/v1/survey_responses.json); if the file is another tool's, set source: to "
               "that tool."))
    rows = []
    for record in records:
        row = {"response_id": str(record["id"]), "customer_id": record.get("person"),
               "survey_type": record.get("survey_type") or "nps", "score": record["score"],
               "comment": record.get("comment"), "responded_at": record["created_at"],
               "updated_at": record.get("updated_at"), "permalink": record.get("permalink")}
        tags = record.get("tags") or []
        if tags:
            row["tags"] = "; ".join(map(str, tags))
        if record.get("additional_answers"):
            row["additional_answers"] = len(record["additional_answers"])
        for key, value in (record.get("person_properties") or {}).items():
            row.setdefault(_snake(key), value)
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in ("responded_at", "updated_at"):
        frame[column] = _unix(frame[column], name, column)
    frame = _surveys(frame, name, notes)
    notes.append("Times: created_at (Unix seconds, UTC) as responded_at.")
    if "additional_answers" in frame:
        notes.append("Additional answers (follow-up questions) are counted per response in "
                     "additional_answers, not read as scores.")
    mapping = {"id": "response_id", "person": "customer_id", "survey_type": "survey",
               "score": "score", "comment": "comment", "created_at": "responded_at"}
    return VendorRead(NAME, "API survey responses (JSON)", frame,
                      frame.iloc[0:0].assign(reason=[]), len(frame), notes, mapping)


def _unix(values: pd.Series, name: str, column: str) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & numbers.isna()
    if bad.any():
        raise FileFormatError(f"{name}: {column} should be Unix seconds; found "
                              f"{show_values(values[bad].head(10), 3)}.")
    if numbers.gt(1e11).any():  # milliseconds would be year 5000+ as seconds
        raise FileFormatError(f"{name}: {column} values such as {numbers.max():.0f} look like "
                              "milliseconds, not Delighted's Unix seconds.")
    return pd.to_datetime(numbers, unit="s", utc=True)


def _surveys(frame: pd.DataFrame, name: str, notes: list) -> pd.DataFrame:
    types = frame["survey_type"].astype(str).str.strip().str.casefold()
    unknown = sorted(set(types) - set(SURVEY_TYPES))
    if unknown:
        raise ParameterError(
            f"{name}: survey_type {show_values(unknown)} is not one the Delighted reader "
            f"knows ({', '.join(SURVEY_TYPES)}); tell us which survey it is.")
    frame = frame.assign(survey=types.map(SURVEY_TYPES))
    counts = types.value_counts()
    notes.append("Surveys (survey_type): " + ", ".join(
        f"{t} {n:,} -> {SURVEY_TYPES[t]}" for t, n in counts.items()) + ".")
    if {"ces", "ces7", "smileys", "thumbs", "5star"} & set(counts.index):
        notes.append("Delighted's CES, 5-star, smiley and thumbs surveys have their own "
                     "scales: set scales: (e.g. {ces: ces_7}) to match the survey.")
    return frame


def _read_csv(source, timezone, encoding) -> VendorRead:
    raw, name, _, cut = read_table(source, encoding=encoding)
    values = value_names(raw.columns)
    if values:
        raise FileFormatError(
            f"{name} has no header row: its first line has {show_values(values, 3)}, which "
            "look like values, not Delighted's column names such as 'Response ID', 'Score', "
            "'Created At'. Export the responses again with their header row.")
    snaked = {column: _snake(column) for column in raw.columns}
    rename = {}
    for column, key in snaked.items():
        target = _CSV_NAMES.get(key)
        if target and target not in rename.values():
            rename[column] = target
    required = {"response_id", "score", "responded_at"} - set(rename.values())
    if required:
        names = {"response_id": "Response ID", "score": "Score", "responded_at": "Created At"}
        near = did_you_mean([names[k] for k in sorted(required)], raw.columns,
                            taken=list(rename)) if len(rename) >= 2 else ""
        raise MissingColumnError(
            f"{name}: no {', '.join(sorted(required))} column found for Delighted's export "
            f"(looked for Response ID/id, Score, Created At/Response Timestamp); the columns "
            f"are {show_values(list(raw.columns), 10)}. "
            + (f"{near[0].upper()}{near[1:]} Rename the column back." if near else
               "Rename the column back, or read it with load_responses and columns=; if the "
               "file is another tool's, set source: to that tool."))
    frame = raw.rename(columns=rename)
    frame = frame.rename(columns={c: snaked[c] for c in frame.columns if c in snaked})
    frame.index = pd.RangeIndex(len(frame))
    if "survey_type" not in frame:
        frame["survey_type"] = "nps"
    notes = []
    frame["survey_type"] = frame["survey_type"].fillna("nps")
    frame = _surveys(frame, name, notes)
    frame["responded_at"] = _csv_times(frame["responded_at"], timezone, name, notes)
    mapping = {original: target for original, target in rename.items()}
    aside = frame.iloc[0:0].assign(reason=[])
    if cut is not None:
        ids = [c for c, t in rename.items() if t == "response_id"]
        aside = cut.frame(frame.columns, {"response_id": cut.get(ids[0])})
        notes.append(cut.note(name))
    return VendorRead(NAME, "CSV export", frame, aside, len(frame) + (cut is not None),
                      notes, mapping)


def _csv_times(values: pd.Series, timezone, name, notes) -> pd.Series:
    text = values.astype("string").str.strip()
    if text.dropna().str.fullmatch(r"\d{9,10}").all():
        notes.append("Times: Unix seconds (UTC).")
        return pd.to_datetime(pd.to_numeric(text), unit="s", utc=True)
    has_offset = text.dropna().str.contains(r"(?:Z|[+-]\d{2}:?\d{2}|UTC)$", regex=True)
    if len(has_offset) and has_offset.all():
        notes.append("Times: read with their UTC offset.")
        return pd.to_datetime(text.str.replace(r"\s*UTC$", "+00:00", regex=True), utc=True,
                              errors="coerce", format="mixed")
    if timezone is None:
        raise ParameterError(
            f"{name}: the response times have no UTC offset (e.g. "
            f"{show_values(text.dropna().head(3), 2)}) and Delighted's CSV does not name the "
            "zone. Set timezone: to the Delighted account's time zone.")
    notes.append(f"Times: read in {timezone} (the timezone given; the file has no offsets).")
    parsed = pd.to_datetime(text, errors="coerce", format="mixed")
    return parsed.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
