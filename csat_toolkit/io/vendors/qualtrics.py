"""Qualtrics response exports: the CSV with three header rows and the legacy two-row layout.

The current layout (Data & Analysis > Export, or the export-responses API) has three
header rows: the column keys (``StartDate``, ``Status``, ``ResponseId``, ``Q1`` ...), the
labels or question text in the account's language (German in ropensci/qualtRics'
``sample.csv``: ``Anfangsdatum``, ``Antwort-ID`` ...; never used here), and one ImportId JSON
per column (``{"ImportId":"startDate","timeZone":"America/Denver"}``, ``{"ImportId":"QID18"}``),
which names the time zone of the dates. The legacy exporter writes ``V1..V10, Q1 ...`` and
a second row with ``ResponseID, ResponseSet, ... Status, StartDate, EndDate, Finished``.
Both are read here (a UTF-8 byte-order mark, CRLF, a trailing comma, a UTF-16 TSV and the
API's zip are all fine).

What the reader decides, because only Qualtrics' fields tell it:

- previews, tests and spam (``Status``: ``Survey Preview``/1, ``Survey Test``/2, ``Spam``/8,
  preview spam 9, imported spam 12, offline preview 17) and partial responses
  (``Finished`` False/0, with their ``Progress``) are set aside, each with its reason;
- which question is the score: ``question=`` (an export column such as ``"Q3.13"`` or a
  question id such as ``"QID18"``), else the only NPS question (one with a
  ``_NPS_GROUP`` column, or ``selector: NPS`` in the survey definition), else the only
  0-10 question, else the only 5-point question answered with satisfaction labels;
- choice text becomes numbers through the survey definition's recodes (``definition=``, the
  JSON of ``GET /API/v3/surveys/<id>``) or the scale's labels; Qualtrics' own
  ``_NPS_GROUP`` is compared with the group of the 0-10 score and disagreements are noted;
- embedded data, ``UserLanguage`` and the other single-answer questions are kept as
  snake_cased segment columns; personal fields (IP address, location, recipient name and
  e-mail) are not carried.

Validation of scores, dates and ids is the loader's, as for any file.
"""
from __future__ import annotations

import codecs
import csv
import difflib
import html
import io
import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...core.scales import SURVEYS, get_scale
from ...errors import FileFormatError, MissingColumnError, ParameterError, show_values
from .._common import AMBIGUOUS_TIME, NONEXISTENT_TIME, _snake
from ..reading import _raise_decode_error
from ._common import VendorRead

__all__ = ["NAME", "KINDS", "LAYOUTS", "detect", "read_responses"]

NAME = "qualtrics"
KINDS = ("responses",)

CURRENT = "csv, three header rows"
CURRENT_TWO = "csv, column keys and ImportId rows (label row removed)"
LEGACY = "csv, legacy two header rows"
LAYOUTS = (CURRENT, CURRENT_TWO, LEGACY)

PREVIEW = "preview response (Status = {value})"
TEST = "test response (Status = {value})"
SPAM = "spam (Status = {value})"
PARTIAL = "partial response (Finished = {value})"

# Status: labels in choice-text exports, codes in numeric ones. Codes 0, 1, 2, 8 are in
# ropensci/qualtRics' files and the excluder package; 4/9/12/16/17 follow Qualtrics'
# "Response Type" list (imported, preview spam, imported spam, offline, offline preview).
_STATUS_CODES = {"0": None, "1": PREVIEW, "2": TEST, "4": None, "8": SPAM, "9": SPAM,
                 "12": SPAM, "16": None, "17": PREVIEW}
_STATUS_WORDS = ((PREVIEW, ("preview", "vorschau")), (TEST, ("test",)), (SPAM, ("spam",)))
_STATUS_NORMAL = ("ip address", "ip-adresse", "imported", "importiert", "offline", "email",
                  "e-mail", "anonymous", "anonym")
_TRUE = {"true", "1", "wahr", "yes", "ja"}
_FALSE = {"false", "0", "falsch", "no", "nein"}

# ImportIds (current layout) / row-2 names (legacy) of the metadata fields.
_META = {
    "startDate": "StartDate", "endDate": "EndDate", "status": "Status",
    "ipAddress": "IPAddress", "progress": "Progress", "duration": "Duration (in seconds)",
    "finished": "Finished", "recordedDate": "RecordedDate", "_recordId": "ResponseId",
    "recipientLastName": "RecipientLastName", "recipientFirstName": "RecipientFirstName",
    "recipientEmail": "RecipientEmail", "externalDataReference": "ExternalReference",
    "locationLatitude": "LocationLatitude", "locationLongitude": "LocationLongitude",
    "distributionChannel": "DistributionChannel", "userLanguage": "UserLanguage",
}
_LEGACY_META = {"ResponseID": "_recordId", "ResponseSet": "responseSet", "Name": "name",
                "ExternalDataReference": "externalDataReference",
                "EmailAddress": "recipientEmail", "IPAddress": "ipAddress",
                "Status": "status", "StartDate": "startDate", "EndDate": "endDate",
                "Finished": "finished", "LocationLatitude": "locationLatitude",
                "LocationLongitude": "locationLongitude",
                "LocationAccuracy": "locationAccuracy"}
_PRIVATE = {"ipAddress", "recipientLastName", "recipientFirstName", "recipientEmail",
            "locationLatitude", "locationLongitude", "locationAccuracy", "name",
            "responseSet", "duration", "progress", "startDate", "endDate", "recordedDate",
            "status", "finished"}
_QID = re.compile(r"^QID\d+$")
_TEXT_ID = re.compile(r"^QID\d+_TEXT$")
_NPS_GROUPS = {"detractor": "detractor", "passive": "passive", "promoter": "promoter",
               "1": "detractor", "2": "passive", "3": "promoter"}
_SNIFF = 1 << 16


# --- detection ----------------------------------------------------------------------

def detect(path: Any) -> str | None:
    """The layout name if ``path`` is a Qualtrics response export, else None.

    Reads only the first 64 KB; never raises.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "q.csv").write_text(
    ...     'ResponseId,Q1\\nResponse ID,How satisfied?\\n'
    ...     '"{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}"\\nR_1,5\\n')
    >>> detect(folder / "q.csv")
    'csv, three header rows'
    >>> _ = (folder / "other.csv").write_text("id,score\\n1,5\\n")
    >>> detect(folder / "other.csv") is None
    True
    """
    try:
        if not isinstance(path, (str, os.PathLike)):
            return None
        head = _head_bytes(Path(path))
        text = _decode_head(head)
        if text is None:
            return None
        rows = list(csv.reader(io.StringIO(text), delimiter=_separator(text)))[:3]
        return _layout(rows)
    except Exception:  # detection must never fail on someone else's file
        return None


def _head_bytes(path: Path) -> bytes:
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith((".csv", ".tsv"))]
            if len(members) != 1:
                return b""
            with archive.open(members[0]) as handle:
                return handle.read(_SNIFF)
    with open(path, "rb") as handle:
        return handle.read(_SNIFF)


def _decode_head(head: bytes) -> str | None:
    encoding = "utf-16" if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) \
        else "utf-8-sig"
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)
    return text or None


def _separator(text: str) -> str:
    first = text.split("\n", 1)[0]
    return "\t" if first.count("\t") > first.count(",") else ","


def _is_import_row(row: list[str]) -> bool:
    cells = [c for c in row if c.strip()]
    return bool(cells) and sum(c.lstrip().startswith('{"ImportId"') for c in cells) \
        >= max(1, len(cells) // 2)


def _layout(rows: list[list[str]]) -> str | None:
    if len(rows) < 2:
        return None
    first = [c.strip() for c in rows[0]]
    if first[:3] == ["V1", "V2", "V3"]:
        return LEGACY
    if _is_import_row(rows[1]):
        return CURRENT_TWO
    if len(rows) >= 3 and _is_import_row(rows[2]):
        return CURRENT
    return None


# --- reading ------------------------------------------------------------------------

def read_responses(
    source: str | os.PathLike | pd.DataFrame,
    *,
    timezone: str | None = None,
    encoding: str = "utf-8-sig",
    question: str | None = None,
    survey: str | None = None,
    definition: str | os.PathLike | dict | None = None,
    comment: str | list[str] | None = None,
    date: str | None = None,
    keep_partial: bool = False,
) -> VendorRead:
    """Read a Qualtrics response export into canonical response columns.

    Parameters
    ----------
    source : path or DataFrame
        The export: ``.csv``/``.tsv`` (three header rows, or the legacy two), or the
        API's ``.zip`` holding one CSV. A DataFrame read with ``pd.read_csv(path)`` (keys
        as columns, the label and ImportId rows as its first rows) also works.
    timezone : str, optional
        The account's time zone (``timezone:`` in a config). Used only when the file
        does not name one in its ImportId row; required then.
    encoding : str
        The file's encoding; a UTF-16 file with a byte-order mark is read as such.
    question : str, optional
        The score question: an export column (``"Q3.13"``) or a question id
        (``"QID18"``). Default: the only NPS question, else the only 0-10 question,
        else the only 5-point satisfaction question.
    survey : {"csat", "nps", "ces", "pmf"}, optional
        The score's survey type; default ``nps`` for an NPS or 0-10 question, ``csat``
        for a 5-point one.
    definition : path or dict, optional
        The survey definition (JSON of ``GET /API/v3/surveys/<id>``): choice text is
        turned into the choices' recode values, and ``selector: NPS`` marks the NPS
        question.
    comment : str or list of str, optional
        Free-text question(s) for ``comment`` (columns or question ids); default every
        free-text question, joined with `` | `` where several are answered.
    date : str, optional
        The date column for ``responded_at``; default ``RecordedDate``, else ``EndDate``.
    keep_partial : bool
        Keep unfinished responses (default: set aside, "partial response").

    Returns
    -------
    VendorRead

    Raises
    ------
    FileFormatError
        Not a Qualtrics export (wrong vendor, lost header rows), a truncated file, text
        in another encoding.
    MissingColumnError
        No response id column (renamed by hand).
    ParameterError
        Times without a zone and no ``timezone``; an unknown ``question``/``comment``/
        ``date``; no or several candidate score questions.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "export.csv"
    >>> _ = path.write_text(
    ...     'RecordedDate,Status,Finished,ResponseId,Q1\\n'
    ...     'Recorded Date,Response Type,Finished,Response ID,How satisfied?\\n'
    ...     '"{""ImportId"":""recordedDate"",""timeZone"":""Europe/Berlin""}",'
    ...     '"{""ImportId"":""status""}","{""ImportId"":""finished""}",'
    ...     '"{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}"\\n'
    ...     '2024-05-02 10:00:00,IP Address,True,R_1,Very satisfied\\n'
    ...     '2024-05-02 11:00:00,Survey Preview,True,R_2,Dissatisfied\\n')
    >>> read = read_responses(path)
    >>> read.frame[["response_id", "survey", "score"]].values.tolist()
    [['R_1', 'csat', 5.0]]
    >>> str(read.frame["responded_at"].iloc[0])
    '2024-05-02 10:00:00+02:00'
    >>> read.set_aside["reason"].tolist()
    ['preview response (Status = Survey Preview)']
    """
    if survey is not None and survey not in SURVEYS:
        raise ParameterError(f"survey={survey!r} is not a survey type: use one of {SURVEYS}.")
    name, rows, read_notes, open_quote = _rows(source, encoding)
    layout = _layout(rows[:3])
    if layout is None:
        _raise_not_qualtrics(name, rows)
    columns = _columns(rows, layout, name)
    header = 2 if layout == LEGACY else (2 if layout == CURRENT_TWO else 3)
    width = max(c.position for c in columns) + 1
    if layout == LEGACY:
        _check_legacy_names(rows, name)
    table, cut = _data(rows[header:], columns, name, header, width, open_quote)
    notes = list(read_notes)
    spec = _load_definition(definition)
    by_id = {c.import_id: c for c in columns if c.import_id}
    id_column = _find_id(columns, name)
    if id_column.renamed:
        notes.append(f"The response id is column {id_column.key!r} (ImportId _recordId; "
                     "its first header row was changed).")
    question_column, chosen, kind = _choose_question(columns, table, spec, question, name)
    notes.append(chosen)
    survey = survey or kind
    scores, score_notes = _scores(table[question_column.key], question_column, spec, survey)
    notes += score_notes
    out = pd.DataFrame({"response_id": table[id_column.key].to_numpy(dtype=object)})
    out["survey"] = survey
    out["score"] = scores.to_numpy(dtype=object)
    mapping = {id_column.key: "response_id", question_column.key: "score"}
    stamp, date_key, zone_notes = _dates(table, by_id, columns, timezone, date, name)
    notes += zone_notes
    clock_reasons = pd.Series([None] * len(out), dtype=object)
    if stamp is not None:
        out["responded_at"] = stamp[0]
        clock_reasons = stamp[1]
        mapping[date_key] = "responded_at"
    comment_cols = _comment_columns(columns, table, comment, question_column, name)
    if comment_cols:
        out["comment"] = _join_text(table, comment_cols)
        mapping.update({c: "comment" for c in comment_cols})
        if len(comment_cols) > 1:
            notes.append(f"comment joins the free-text answers of {show_values(comment_cols, 10)} "
                         "(with ' | ' where several are answered).")
    for import_id, canonical in (("externalDataReference", "customer_id"),
                                 ("distributionChannel", "channel"),
                                 ("userLanguage", "user_language")):
        column = by_id.get(import_id)
        if column is not None and table[column.key].notna().any():
            out[canonical] = table[column.key].to_numpy(dtype=object)
            mapping[column.key] = canonical
    segments = _segments(columns, question_column, comment_cols, spec)
    for column in segments:
        target = _snake(column.key)
        if target in out.columns or target in ("score", "survey"):
            target = f"qualtrics_{target}"
        out[target] = table[column.key].to_numpy(dtype=object)
        mapping[column.key] = target
    group_note = _nps_group_note(table, id_column, question_column, scores, survey)
    if group_note:
        notes.append(group_note)
    reasons = _status_reasons(table, by_id, keep_partial, notes)
    reasons = reasons.where(reasons.notna(), clock_reasons)
    aside_mask = reasons.notna().to_numpy()
    # both keep the file's 0-based data row as their index (the loader's source_row - 1)
    kept = out[~aside_mask]
    aside = out[aside_mask].assign(reason=reasons[aside_mask].to_numpy())
    if cut is not None:
        line, cells = cut
        value = cells[id_column.position].strip() if id_column.position < len(cells) - 1 \
            else None
        reason = (f"last row cut short (line {line}: {len(cells)} of the header's {width} "
                  "fields); the file looks truncated")
        aside = pd.concat([aside, pd.DataFrame({"response_id": [value or None],
                                                "reason": [reason]}, index=[len(out)])])
        notes.append(f"{name} looks truncated: its last row (line {line}, starting "
                     f"{show_values(cells[:2], 2)}) has {len(cells)} of the header's {width} "
                     "fields and is set aside. Export the responses again to read that row.")
    return VendorRead(vendor=NAME, layout=layout, frame=kept,
                      set_aside=aside, n_read=len(out) + (cut is not None), notes=notes,
                      mapping=mapping, kind="responses")


class _Column:
    """One export column: its key (row 1), label (row 2) and ImportId (row 3)."""

    def __init__(self, position: int, key: str, label: str, import_id: str | None,
                 meta: dict, renamed: bool = False) -> None:
        self.position, self.key, self.label = position, key, label
        self.import_id, self.meta, self.renamed = import_id, meta, renamed

    @property
    def question_id(self) -> str | None:
        return self.import_id if self.import_id and _QID.match(self.import_id) else None


def _rows(source: Any, encoding: str) -> tuple[str, list[list[str]], list[str], bool]:
    """(display name, every row as a list of cells, notes, whether the file ends inside a
    quoted answer) of the source."""
    if isinstance(source, pd.DataFrame):
        keys = [str(c) for c in source.columns]
        body = source.astype(object).where(source.notna(), "").astype(str).values.tolist()
        return "DataFrame", [keys, *body], [], False
    if not isinstance(source, (str, os.PathLike)):
        raise ParameterError(
            f"source must be the path of a Qualtrics export or a DataFrame; got "
            f"{type(source).__name__}."
        )
    path = Path(source).expanduser()
    if not path.is_file():
        raise FileFormatError(f"File not found: {path}. Check the path (a relative path starts "
                              f"from {Path.cwd()}).")
    notes = []
    if path.suffix.lower() == ".zip":
        raw, member = _zip_member(path)
        notes.append(f"Read {member!r} from the zip {path.name}.")
    else:
        raw = path.read_bytes()
    if not raw.strip():
        raise FileFormatError(f"{path} is empty: export the responses from Qualtrics again.")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and \
            encoding.lower().replace("_", "-") in ("utf-8", "utf-8-sig", "utf8"):
        encoding = "utf-16"
        notes.append(f"{path.name} is UTF-16 text (it starts with a UTF-16 byte-order mark).")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        if path.suffix.lower() == ".zip":
            raise FileFormatError(f"{path}: the CSV inside is not {encoding} text; pass "
                                  "encoding=... (e.g. 'latin-1').") from None
        _raise_decode_error(path, encoding)
    except LookupError as exc:
        raise ParameterError(f"encoding={encoding!r} is not an encoding Python knows: {exc}."
                             ) from None
    text = text.lstrip("\ufeff")
    open_quote = text.count('"') % 2 == 1  # cut inside a quoted answer: its row is set aside
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text),
                               strict=not open_quote))
    except csv.Error as exc:
        raise FileFormatError(
            f"{path} could not be read as a Qualtrics CSV ({exc}): a quote or separator is "
            "out of place. Export the responses from Qualtrics again."
        ) from None
    return str(path), [r for r in rows if any(c.strip() for c in r)], notes, open_quote


def _zip_member(path: Path) -> tuple[bytes, str]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith((".csv", ".tsv"))]
            if len(members) != 1:
                raise FileFormatError(
                    f"{path} holds {len(members)} CSV/TSV files ({show_values(members)}); a "
                    "Qualtrics export zip holds one. Unzip it and pass the survey's CSV."
                )
            return archive.read(members[0]), members[0]
    except zipfile.BadZipFile as exc:
        raise FileFormatError(f"{path} is not a readable zip ({exc}): download the export "
                              "again.") from None


def _raise_not_qualtrics(name: str, rows: list[list[str]]):
    first = rows[0] if rows else []
    has_id = any(c.strip() in ("ResponseId", "ResponseID") for c in first)
    if has_id:
        third = rows[2][:4] if len(rows) > 2 else []
        raise FileFormatError(
            f"{name} looks like a Qualtrics export (its first row has ResponseId) but its "
            f"header rows are not Qualtrics': the third row should hold ImportId JSON "
            f"({{\"ImportId\":\"...\"}}) and holds {show_values(third, 4)}. A header row "
            "was probably deleted (e.g. in Excel): export the responses again, or read the "
            "file with load_responses(columns=...) as a plain table."
        )
    raise FileFormatError(
        f"{name} is not a Qualtrics response export: its first rows have neither "
        f"ImportId JSON nor the legacy V1, V2 ... keys (first columns: "
        f"{show_values(first[:8], 8)}). Check source: (another vendor?), or read it with "
        "load_responses(columns=...)."
    )


def _columns(rows: list[list[str]], layout: str, name: str) -> list[_Column]:
    keys = [c.strip() for c in rows[0]]
    if layout == LEGACY:
        names = [c.strip() for c in rows[1]] + [""] * max(0, len(keys) - len(rows[1]))
        out = []
        for position, (key, label) in enumerate(zip(keys, names)):
            if not key:
                continue
            if re.fullmatch(r"V\d+", key) or key.startswith("Location"):
                import_id = _LEGACY_META.get(label or key, _snake(label or key))
                out.append(_Column(position, label or key, label, import_id, {}))
            elif re.fullmatch(r"Q\d+(_\d+)?", key):
                out.append(_Column(position, key, label, None, {}))
            else:
                out.append(_Column(position, key, label, key, {"embedded": True}))
        return out
    labels = rows[1] if layout == CURRENT else [""] * len(keys)
    imports = rows[2] if layout == CURRENT else rows[1]
    out = []
    for position, key in enumerate(keys):
        meta = {}
        cell = imports[position] if position < len(imports) else ""
        if cell.strip():
            try:
                meta = json.loads(cell)
            except ValueError:
                meta = {}
        label = labels[position] if position < len(labels) else ""
        import_id = meta.get("ImportId") if isinstance(meta, dict) else None
        if not key and not import_id:
            continue
        renamed = bool(import_id in _META and key != _META[import_id])
        out.append(_Column(position, key or str(import_id), label, import_id,
                           meta if isinstance(meta, dict) else {}, renamed))
    return out


def _data(rows: list[list[str]], columns: list[_Column], name: str, header: int,
          width: int, open_quote: bool = False) -> tuple[pd.DataFrame, tuple | None]:
    """The data rows as a frame of the columns' cells (blank cells as None), and the cut
    last row of a truncated file as (its line, its cells), else None."""
    cut = None
    short = [i for i, r in enumerate(rows) if len(r) < width]
    if rows and (open_quote or short == [len(rows) - 1]):
        cut = (header + len(rows), rows[-1])
        rows, short = rows[:-1], [i for i in short if i != len(rows) - 1]
    if short:
        where = ", ".join(str(header + i + 1) for i in short[:5])
        raise FileFormatError(
            f"{name}: rows have fewer fields than the header (line(s) {where}: "
            f"{len(rows[short[0]])} fields, the header has {width}). Export the responses from "
            "Qualtrics again (download the whole file)."
        )
    positions = [c.position for c in columns]
    cells = [[r[p] for p in positions] for r in rows]
    table = pd.DataFrame(cells, columns=[c.key for c in columns], dtype=object)
    if not len(table):
        return table, cut
    return table.where(table.notna() & table.apply(lambda s: s.str.strip().ne("")), None), cut


def _check_legacy_names(rows: list[list[str]], name: str) -> None:
    """The legacy layout's second row names the fields (ResponseID, Status, StartDate ...);
    without it the first data row would be read as names."""
    second = {c.strip() for c in rows[1]}
    if not second & set(_LEGACY_META):
        raise FileFormatError(
            f"{name} starts with the legacy Qualtrics keys V1, V2, V3 ... but its second row "
            f"holds {show_values(rows[1][:4], 4)}, not the field names (ResponseID, "
            "ResponseSet, ... Status, StartDate). A header row was probably deleted (e.g. in "
            "Excel): export the responses again.")


def _find_id(columns: list[_Column], name: str) -> _Column:
    for column in columns:
        if column.import_id == "_recordId":
            return column
    for column in columns:
        if column.key in ("ResponseId", "ResponseID"):
            return column
    keys = [c.key for c in columns]
    close = difflib.get_close_matches("ResponseId", keys, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r} for ResponseId (the response id, renamed)? Rename " \
        "it back to ResponseId." if close else ""
    raise MissingColumnError(
        f"{name} has no ResponseId column (Qualtrics' response id, ImportId _recordId). Its "
        f"columns are {show_values(keys, 20)}.{hint} Export the responses again with the "
        "Response ID field."
    )


def _load_definition(definition: Any) -> dict:
    if definition is None:
        return {}
    if isinstance(definition, (str, os.PathLike)):
        path = Path(definition).expanduser()
        try:
            definition = json.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise FileFormatError(f"Survey definition not found: {path}.") from None
        except ValueError as exc:
            raise FileFormatError(
                f"{path} is not JSON ({exc}): pass the body of GET /API/v3/surveys/<id>."
            ) from None
    if not isinstance(definition, dict):
        raise ParameterError(f"definition must be a path or a dict; got "
                             f"{type(definition).__name__}.")
    result = definition.get("result", definition)
    if "questions" not in result:
        raise FileFormatError(
            "The survey definition has no 'questions' (found keys "
            f"{show_values(list(result), 10)}): pass the JSON of GET /API/v3/surveys/<id>."
        )
    return result


def _plain(text: Any) -> str:
    """Choice text without HTML tags and entities, spacing collapsed."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", str(text)))
    return re.sub(r"\s+", " ", text).strip()


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce")


def _candidates(columns, table, spec) -> list[tuple[_Column, str, str]]:
    """(column, kind, why) of the columns that can be a score question."""
    questions = spec.get("questions", {})
    keys = {c.key for c in columns}
    satisfaction = get_scale("csat_5")
    found = []
    for column in columns:
        qid = column.question_id
        if qid is None and not (column.meta == {} and re.fullmatch(r"Q\d+", column.key)):
            continue
        values = table[column.key].dropna()
        selector = questions.get(qid or "", {}).get("questionType", {}).get("selector")
        if f"{column.key}_NPS_GROUP" in keys or selector == "NPS":
            why = "it has a _NPS_GROUP column" if f"{column.key}_NPS_GROUP" in keys \
                else "the survey definition marks it as NPS"
            found.append((column, "nps", f"an NPS question ({why})"))
            continue
        numbers = _numbers(values)
        if len(values) and numbers.notna().all() and (numbers % 1 == 0).all() \
                and numbers.min() >= 0 and numbers.max() <= 10 and numbers.max() > 7:
            found.append((column, "nps", "the only question answered 0-10"))
            continue
        if len(values) and numbers.isna().all():
            _, problems = satisfaction.parse(values)
            if problems.isna().all():
                found.append((column, "csat", "a 5-point question answered with "
                                              "satisfaction labels"))
    return found


def _choose_question(columns, table, spec, question, name):
    if question is not None:
        for column in columns:
            if question in (column.key, column.import_id):
                kind = _kind_of(column, columns, table, spec)
                about = f" ({column.import_id})" if column.question_id else ""
                return column, (f"The score is column {column.key!r}{about}, as question= "
                                f"says; survey {kind}."), kind
        export_map = spec.get("exportColumnMap", {})
        for column in columns:
            if export_map.get(column.key, {}).get("question") == question:
                kind = _kind_of(column, columns, table, spec)
                return column, (f"The score is column {column.key!r} ({question} in the survey "
                                f"definition), as question= says; survey {kind}."), kind
        options = [c.key for c in columns if c.question_id or re.fullmatch(r"Q\d+", c.key)]
        close = difflib.get_close_matches(question, options, n=1, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ParameterError(
            f"question={question!r} is not a column or question id of {name}.{hint} Its "
            f"questions are {show_values(options, 20)}."
        )
    found = _candidates(columns, table, spec)
    nps = [f for f in found if f[2].startswith("an NPS")]
    chosen = nps if len(nps) == 1 else found
    if len(chosen) == 1:
        column, kind, why = chosen[0]
        text = _plain(column.label)
        text = text if len(text) <= 80 else text[:78].rsplit(" ", 1)[0] + " ..."
        about = f", {text!r}" if text else ""
        return column, (f"The score is column {column.key!r} ({column.import_id}{about}), "
                        f"{why}; survey {kind}. Pass question= to choose another."), kind
    if not chosen:
        options = [c.key for c in columns if c.question_id or re.fullmatch(r"Q\d+", c.key)]
        raise ParameterError(
            f"{name}: no NPS, 0-10 or 5-point satisfaction question was found to score. "
            f"Pass question= (one of {show_values(options, 20)}) and survey= (csat, nps, ces "
            "or pmf)."
        )
    raise ParameterError(
        f"{name} has several questions that could be the score: "
        f"{show_values([c.key for c, _, _ in chosen], 10)}. Pass question= to choose one."
    )


def _kind_of(column, columns, table, spec) -> str:
    for found, kind, _ in _candidates(columns, table, spec):
        if found is column:
            return kind
    numbers = _numbers(table[column.key].dropna())
    if len(numbers) and numbers.notna().all() and numbers.min() >= 1 and numbers.max() <= 5:
        return "csat"
    raise ParameterError(
        f"Column {column.key!r} is not an NPS, 0-10 or 5-point satisfaction question: pass "
        "survey= (csat, nps, ces or pmf) to say how to read it."
    )


def _scores(values: pd.Series, column: _Column, spec: dict, survey: str
            ) -> tuple[pd.Series, list[str]]:
    """Scores as numbers where they can be read; other answers kept as written."""
    notes = []
    numbers = _numbers(values)
    out = values.astype(object).copy()
    out[numbers.notna()] = numbers[numbers.notna()].astype(float)
    text = values.notna() & numbers.isna()
    if not text.any():
        return out, notes
    question = spec.get("questions", {}).get(column.question_id or "", {})
    choices = question.get("choices") or {}
    recodes = {}
    for choice in choices.values():
        recode = pd.to_numeric(pd.Series([choice.get("recode")]), errors="coerce").iloc[0]
        for field in ("choiceText", "description"):
            if choice.get(field) is not None and pd.notna(recode):
                recodes[_plain(choice[field]).casefold()] = float(recode)
    scale = get_scale(survey=survey)
    if recodes:
        mapped = values[text].map(lambda v: recodes.get(_plain(v).casefold()))
        found = mapped.notna()
        out[mapped[found].index] = mapped[found]
        notes.append(f"Choice text of {column.key!r} was turned into the survey definition's "
                     f"recode values ({found.sum():,} answers).")
        parsed, problems = scale.parse(values[mapped[found].index])
        differ = problems.isna() & (parsed != mapped[found])
        if differ.any():
            pairs = sorted({f"{v!r} = {m:g}" for v, m in zip(values[differ.index[differ]],
                                                           mapped[found][differ])})
            notes.append(f"The definition's recodes differ from the {scale.name} scale's "
                         f"labels for {show_values(pairs, 5)}: the recodes were used; check "
                         "the question's recode values in Qualtrics.")
        text = text & ~out.index.isin(mapped[found].index)
    if text.any():
        parsed, problems = scale.parse(values[text])
        good = problems.isna()
        out[parsed[good].index] = parsed[good]
        if good.any():
            notes.append(f"Choice text of {column.key!r} was read with the {scale.name} "
                         f"scale's labels ({int(good.sum()):,} answers).")
    return out, notes


def _nps_group_note(table, id_column, column, scores, survey) -> str | None:
    group_key = f"{column.key}_NPS_GROUP"
    if survey != "nps" or group_key not in table.columns:
        return None
    given = table[group_key].map(lambda v: _NPS_GROUPS.get(str(v).strip().casefold())
                                 if v is not None else None)
    numbers = pd.to_numeric(scores, errors="coerce")
    ours = pd.Series(np.select([numbers >= 9, numbers >= 7, numbers >= 0],
                               ["promoter", "passive", "detractor"], default=""),
                     index=numbers.index).where(numbers.notna(), None)
    both = given.notna() & ours.notna()
    differ = both & given.ne(ours)
    if not differ.any():
        return (f"Qualtrics' {group_key} agrees with the 0-6 / 7-8 / 9-10 groups of the score "
                f"on all {int(both.sum()):,} answers.")
    ids = table.loc[differ, id_column.key].tolist()
    return (f"Qualtrics' {group_key} disagrees with the 0-6 / 7-8 / 9-10 group of the score on "
            f"{int(differ.sum()):,} of {int(both.sum()):,} answers (rows "
            f"{show_values([int(i) + 1 for i in np.flatnonzero(differ)], 5)}; e.g. "
            f"{show_values(ids, 3)}): the toolkit groups by the score.")


def _dates(table, by_id, columns, timezone, date, name):
    """((tz-aware dates, clock-change reasons), column used, notes), or (None, None, [])."""
    if date is not None:
        column = next((c for c in columns if date in (c.key, c.import_id)), None)
        if column is None:
            raise ParameterError(
                f"date={date!r} is not a column of {name}; its date columns are "
                f"{show_values([c.key for c in columns if 'date' in c.key.lower()])}."
            )
    else:
        column = by_id.get("recordedDate") or by_id.get("endDate")
        if column is None:
            return None, None, [f"{name} has no RecordedDate or EndDate column: responses have "
                                "no date."]
    zone = column.meta.get("timeZone")
    notes = []
    if zone:
        where = "named in the export's ImportId header row"
        if timezone and timezone != zone:
            notes.append(f"The export names its time zone, {zone}; timezone: {timezone} was "
                         "not used for its dates.")
    elif timezone:
        zone, where = timezone, "from timezone: (the file names no zone)"
    else:
        raise ParameterError(
            f"{name}: the times in {column.key!r} have no UTC offset and the export does not "
            "name its time zone (no timeZone in an ImportId header row). Set timezone: to "
            "the Qualtrics account's time zone (e.g. timezone: America/Denver)."
        )
    text = table[column.key]
    parsed = pd.to_datetime(text, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    other = parsed.isna() & text.notna()
    if other.any():
        parsed[other] = pd.to_datetime(text[other], format="mixed", errors="coerce")
    try:
        local = parsed.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    except Exception as exc:
        raise ParameterError(f"Time zone {zone!r} is not a known zone ({exc}); use an IANA "
                             "name such as Europe/Berlin.") from None
    skipped = parsed.notna() & local.isna() & parsed.dt.tz_localize(
        zone, ambiguous=False, nonexistent="NaT").isna()
    repeated = parsed.notna() & local.isna() & ~skipped
    reasons = pd.Series(np.select([skipped.to_numpy(), repeated.to_numpy()],
                                  [NONEXISTENT_TIME.format(zone=zone),
                                   AMBIGUOUS_TIME.format(zone=zone)], default=""),
                        dtype=object).replace("", None)
    values = local.astype(object)
    bad = parsed.isna() & text.notna()
    values[bad] = text[bad]  # kept as written: the loader sets them aside as unparseable
    if not bad.any():
        values = local
    notes.append(f"responded_at is {column.key!r} in {zone}, {where}.")
    return (values, reasons), column.key, notes


def _comment_columns(columns, table, comment, question_column, name) -> list[str]:
    if comment is not None:
        wanted = [comment] if isinstance(comment, str) else list(comment)
        keys = []
        for item in wanted:
            column = next((c for c in columns if item in (c.key, c.import_id)), None)
            if column is None:
                texts = [c.key for c in columns if c.import_id and _TEXT_ID.match(c.import_id)]
                raise ParameterError(f"comment={item!r} is not a column of {name}; its "
                                     f"free-text questions are {show_values(texts, 10)}.")
            keys.append(column.key)
        return keys
    return [c.key for c in columns if c.import_id and _TEXT_ID.match(c.import_id)
            and c is not question_column]


def _join_text(table, keys) -> pd.Series:
    parts = table[keys].astype(object)
    return parts.apply(lambda row: " | ".join(str(v) for v in row if v is not None) or None,
                       axis=1).astype(object)


def _segments(columns, question_column, comment_cols, spec) -> list[_Column]:
    """Embedded data and other single-answer questions, as segment columns."""
    embedded = {e.get("name") for e in spec.get("embeddedData", []) or []}
    keys = {c.key for c in columns}
    out = []
    for column in columns:
        if column is question_column or column.key in comment_cols:
            continue
        if column.key.endswith("_NPS_GROUP") and column.key[:-10] in keys:
            continue
        iid = column.import_id or ""
        if iid in _META or iid in _PRIVATE or column.meta.get("choiceId"):
            continue
        if column.question_id or column.meta.get("embedded") or iid in embedded:
            out.append(column)
        elif not iid.startswith("QID") and " - " not in column.key:
            out.append(column)  # embedded data: no QID, not Text iQ ("Q3.8 - Topics")
    return out


def _status_reasons(table, by_id, keep_partial, notes) -> pd.Series:
    reasons = pd.Series([None] * len(table), dtype=object)
    status = by_id.get("status")
    if status is None:
        notes.append("The file has no Status (Response Type) column, so previews, tests and "
                     "spam cannot be told apart: export it with Response Type included.")
    else:
        unknown = set()
        for value in table[status.key].dropna().unique():
            text = str(value).strip()
            reason = _STATUS_CODES.get(text, "") if text.isdigit() else ""
            if not text.isdigit():
                low = text.casefold()
                reason = next((r for r, words in _STATUS_WORDS if any(w in low for w in words)),
                              None if any(low.startswith(n) for n in _STATUS_NORMAL) else "")
            if reason == "":
                unknown.add(text)
                continue
            if reason:
                reasons[table[status.key].eq(value).to_numpy()] = reason.format(value=text)
        if unknown:
            notes.append(f"Status values kept as ordinary responses, not recognised: "
                         f"{show_values(sorted(unknown))}.")
    finished = by_id.get("finished")
    if finished is not None:
        flags = table[finished.key].map(lambda v: None if v is None else str(v).strip().casefold())
        partial = flags.isin(_FALSE).to_numpy() & reasons.isna().to_numpy()
        if keep_partial:
            if partial.any():
                notes.append(f"{int(partial.sum()):,} unfinished responses kept "
                             "(keep_partial=True).")
        else:
            values = table[finished.key][partial]
            reasons[partial] = [PARTIAL.format(value=str(v).strip()) for v in values]
        odd = sorted({str(v) for v in flags.dropna() if v not in _TRUE | _FALSE})
        if odd:
            notes.append(f"Finished values not read as true or false, kept: "
                         f"{show_values(odd)}.")
    return reasons
