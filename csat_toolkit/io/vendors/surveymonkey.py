"""SurveyMonkey: the v3 API bulk responses (JSON) and the CSV/XLSX export (two header rows).

API: ``GET /v3/surveys/{id}/responses/bulk`` gives ``data[]`` with ``id``,
``collector_id``, ``survey_id``, ``response_status``, ``date_created``/``date_modified``
(ISO 8601 with an offset) and the answers nested ``pages[].questions[].answers[]``: a
``choice_id`` (resolved to its label through the survey details,
``GET /v3/surveys/{id}/details``) or a ``text``. The details file and the collectors file
(``GET /v3/surveys/{id}/collectors``, the channel) are found beside the responses file
when not given (names containing ``details``/``collectors`` whose survey id matches).

Export: row 1 holds ``Respondent ID, Collector ID, Start Date, End Date, IP Address,
Email Address, First Name, Last Name, Custom Data 1`` and each question's text (blank for
its continuation columns); row 2 ``Response``, ``Open-Ended Response`` or a choice/row
label (the "expanded" layout gives a column per choice, "condensed" one per question).
Its dates have no offset: they are in the account's time zone, which the file does not
name, so ``timezone`` is needed.

Which question is the score: ``score_question`` (question id or text), else the only
rating question (every answer a number from 0 to 10 or a known scale label); the notes
say which. Partial, over-quota and disqualified responses are set aside.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...errors import FileFormatError, MissingColumnError, ParameterError, show_values
from .._common import _snake
from ..reading import _check_path, _raise_decode_error
from ._bad_input import did_you_mean, read_csv_text, split_cut, value_names
from ._questions import _choose, _is_rating, _survey
from ._common import VendorRead, set_aside_rows

__all__ = ["NAME", "KINDS", "detect", "read_responses"]

NAME = "surveymonkey"
KINDS = ("responses",)

_CSV_HEAD = ("Respondent ID", "Collector ID", "Start Date", "End Date")
_META = {"Respondent ID": "response_id", "Collector ID": "collector_id",
         "Start Date": "started_at", "End Date": "responded_at", "IP Address": "ip_address",
         "Email Address": "email", "First Name": "first_name", "Last Name": "last_name"}
_SINGLE = ("response", "open-ended response", "")
_DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
                 "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
_API_FIELDS = ("id", "survey_id", "collector_id", "response_status", "date_created",
               "date_modified", "total_time", "custom_variables", "custom_value",
               "recipient_id", "email_address", "href", "analyze_url", "edit_url",
               "ip_address", "logic_path", "metadata", "page_path")
_API_ASIDE = {"partial": "partial response (response_status = partial)",
              "overquota": "over-quota response (response_status = overquota)",
              "disqualified": "disqualified response (response_status = disqualified)"}


def detect(path) -> str | None:
    """The layout name if ``path`` is a SurveyMonkey file, else None (reads the start).

    Examples
    --------
    >>> detect("no_such_file.csv") is None
    True
    """
    path = Path(path)
    try:
        suffix = path.suffix.lower()
        if suffix == ".json":
            with open(path, encoding="utf-8-sig") as handle:
                head = handle.read(4096)
            if '"response_status"' in head and '"collector_id"' in head or (
                    re.search(r'"href"\s*:\s*"https://api\.surveymonkey\.(com|net)/v3/surveys/'
                              r'\d+/responses', head)):
                return "API bulk responses (JSON)"
            return None
        if suffix in (".xlsx", ".xlsm"):
            first = pd.read_excel(path, header=None, nrows=2, dtype=str)
            cells = [str(v) for v in first.iloc[0].tolist()[:4]]
        elif suffix in (".csv", ".txt"):
            with open(path, encoding="utf-8-sig", errors="replace") as handle:
                cells = [c.strip().strip('"') for c in handle.readline().split(",")[:4]]
        else:
            return None
        return "export with two header rows" if tuple(cells) == _CSV_HEAD else None
    except (OSError, ValueError, UnicodeDecodeError, ImportError, KeyError, IndexError):
        return None


def read_responses(source: Any, *, timezone: str | None = None, encoding: str = "utf-8-sig",
                   sheet: Any = None, details: Any = None, collectors: Any = None,
                   score_question: str | None = None, survey: str | None = None,
                   comment_question: str | None = None) -> VendorRead:
    """Read SurveyMonkey responses (API bulk JSON, or the CSV/XLSX export).

    Parameters
    ----------
    source : path or dict
        The bulk responses JSON (a path, or the parsed dict with ``data``), or the
        export (.csv or .xlsx, two header rows).
    timezone : str, optional
        The account's time zone (IANA name): needed for the export, whose dates have no
        offset. The API's dates carry their offset.
    encoding : str
        The export's text encoding.
    sheet : int or str, optional
        The workbook sheet of an XLSX export (default the first).
    details, collectors : path or dict, optional
        The survey details (choice ids to labels) and collectors (channel) JSON; by
        default the files beside ``source`` whose names hold "details"/"collectors".
    score_question : str, optional
        The question that holds the score (its id, its text, or the export's column
        header); by default the only rating question.
    survey : str, optional
        ``csat``, ``nps``, ``ces`` or ``pmf``; by default guessed from the question
        (0-10 or "recommend" is NPS, "easy"/"effort" CES, else CSAT), said in the notes.
    comment_question : str, optional
        The open-ended question read as ``comment``; by default the only one.

    Returns
    -------
    VendorRead

    Examples
    --------
    >>> import csat_toolkit.io.vendors.surveymonkey as sm
    >>> page = {"data": [{"id": "1", "survey_id": "9", "collector_id": "5",
    ...     "response_status": "completed", "date_modified": "2024-01-02T10:00:00+00:00",
    ...     "pages": [{"questions": [{"id": "q1", "answers": [{"choice_id": "c9"}]}]}]}]}
    >>> details = {"id": "9", "pages": [{"questions": [{"id": "q1",
    ...     "family": "single_choice", "headings": [{"heading": "How likely ... recommend?"}],
    ...     "answers": {"choices": [{"id": f"c{i}", "text": str(i)} for i in range(11)]}}]}]}
    >>> read = sm.read_responses(page, details=details)
    >>> read.frame[["response_id", "survey", "score"]].values.tolist()
    [['1', 'nps', '9']]
    """
    if isinstance(source, dict) or (isinstance(source, (str, Path))
                                    and Path(source).suffix.lower() == ".json"):
        return _read_api(source, details, collectors, score_question, survey,
                         comment_question, encoding)
    return _read_export(source, timezone, encoding, sheet, score_question, survey,
                        comment_question)


# --- API ---------------------------------------------------------------------------------

def _load_json(source: Any, what: str, encoding: str = "utf-8-sig") -> tuple[Any, str]:
    if isinstance(source, (dict, list)):
        return source, f"the {what} given"
    path = Path(source).expanduser()
    if not path.exists():
        raise FileFormatError(f"File not found: {path} (the SurveyMonkey {what}). Check the "
                              "path.")
    try:
        text = path.read_text(encoding=encoding)
    except UnicodeDecodeError:
        _raise_decode_error(path, encoding)
    try:
        return json.loads(text), str(path)
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            f"{path} is not complete JSON ({exc.msg} at line {exc.lineno}, column "
            f"{exc.colno}): the SurveyMonkey {what} looks truncated. Download it again."
        ) from exc


def _sibling(source: Any, word: str, survey_id: str) -> Path | None:
    if not isinstance(source, (str, Path)):
        return None
    for path in sorted(Path(source).expanduser().parent.glob(f"*{word}*.json")):
        try:
            found = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError):
            continue
        if word == "details" and str(found.get("id")) == survey_id:
            return path
        if word == "collectors" and survey_id in path.name:
            return path
    return None


def _read_api(source, details, collectors, score_question, survey, comment_question,
              encoding="utf-8-sig"):
    page, name = _load_json(source, "bulk responses", encoding)
    if not isinstance(page, dict) or not isinstance(page.get("data"), list):
        keys = list(page)[:8] if isinstance(page, dict) else type(page).__name__
        raise FileFormatError(
            f"{name} is not SurveyMonkey's bulk responses JSON: it has no 'data' list (found "
            f"{keys}). Give the file from GET /v3/surveys/ID/responses/bulk.")
    records = page["data"]
    missing = [i for i, r in enumerate(records) if not {"id", "pages"} <= set(r)]
    if missing:
        example = records[missing[0]] if isinstance(records[missing[0]], dict) else {}
        lacking = [k for k in ("id", "pages") if k not in example]
        near = did_you_mean(lacking, list(example), taken=_API_FIELDS)
        raise FileFormatError(
            f"{name}: response records {show_values(missing)} (0-based) lack "
            f"{show_values(lacking or ['id', 'pages'])} (found {show_values(list(example), 8)})"
            + (f": {near} Rename the field back to SurveyMonkey's name." if near else
               ": this is not SurveyMonkey's bulk responses layout (GET "
               "/v3/surveys/ID/responses/bulk)."))
    survey_ids = sorted({str(r.get("survey_id")) for r in records})
    notes = []
    if details is None:
        details = _sibling(source, "details", survey_ids[0] if survey_ids else "")
        if details is None:
            raise ParameterError(
                f"{name}: the survey details JSON (GET /v3/surveys/{survey_ids[0] if survey_ids else 'ID'}"
                "/details) is needed to turn choice ids into labels; put it beside the "
                "responses file (a name containing 'details') or pass details=PATH.")
    details, details_name = _load_json(details, "survey details")
    questions = {str(q["id"]): q for p in details.get("pages", []) for q in p.get("questions", [])}
    if not questions:
        raise FileFormatError(f"{details_name} has no pages[].questions[]: it is not a "
                              "SurveyMonkey survey details file.")
    choices = {str(c["id"]): c.get("text") for q in questions.values()
               for key in ("choices", "rows", "other")
               for c in _as_list((q.get("answers") or {}).get(key))}
    channel = {}
    if collectors is None and survey_ids:
        collectors = _sibling(source, "collectors", survey_ids[0])
    if collectors is not None:
        found, _ = _load_json(collectors, "collectors")
        channel = {str(c["id"]): c.get("type") for c in found.get("data", [])}
    rows = []
    for record in records:
        row = {"response_id": str(record["id"]), "survey_id": str(record.get("survey_id")),
               "collector_id": str(record.get("collector_id")),
               "response_status": record.get("response_status"),
               "started_at": record.get("date_created"),
               "responded_at": record.get("date_modified"),
               "total_time": record.get("total_time")}
        for key in ("custom_value", "email_address", "recipient_id"):
            if record.get(key):
                row[key] = record[key]
        for key, value in (record.get("custom_variables") or {}).items():
            row[_snake(key)] = value
        for page_ in record["pages"]:
            for question in page_.get("questions", []):
                answers = question.get("answers", [])
                row[f"q:{question['id']}"] = "; ".join(
                    str(choices.get(str(a["choice_id"]), a["choice_id"])) if "choice_id" in a
                    else str(a.get("text", "")) for a in answers)
        rows.append(row)
    frame = pd.DataFrame(rows)
    unknown = sorted({v for c in frame.columns if c.startswith("q:")
                      for v in frame[c].dropna() if str(v).isdigit() and len(str(v)) > 8})
    if unknown:
        notes.append(f"Choice ids not in the survey details (left as ids): {show_values(unknown)}.")
    headings = {f"q:{qid}": _heading(q) for qid, q in questions.items()}
    for column in [c for c in frame.columns if c.startswith("q:") and c not in headings]:
        headings[column] = column[2:]
    rating = {c: q for c, q in ((f"q:{i}", q) for i, q in questions.items())
              if q.get("family") in ("single_choice", "matrix") and c in frame
              and _is_rating(pd.Series([c_.get("text") for c_ in _as_list(
                  (q.get("answers") or {}).get("choices"))], dtype=object))}
    open_ended = [f"q:{i}" for i, q in questions.items()
                  if q.get("family") == "open_ended" and f"q:{i}" in frame]
    score = _choose(score_question, list(rating), headings,
                    [c for c in frame.columns if c.startswith("q:")], name)
    frame = frame.rename(columns={score: "score"})
    notes.append(f"Score: question {score[2:]} ({headings[score]!r}).")
    comment = _choose_comment(comment_question, open_ended, headings, name)
    if comment:
        frame = frame.rename(columns={comment: "comment"})
        notes.append(f"Comment: question {comment[2:]} ({headings[comment]!r}).")
    frame = frame.rename(columns={c: _unique(_snake(headings[c]) or c[2:], frame.columns)
                                  for c in frame.columns if c.startswith("q:")})
    frame["survey"] = _survey(survey, headings[score], frame["score"], notes)
    frame["channel"] = frame["collector_id"].map(channel) if channel else frame["collector_id"]
    frame["channel"] = frame["channel"].fillna(frame["collector_id"])
    if not channel:
        notes.append("No collectors file found: channel is the collector id.")
    for column in ("started_at", "responded_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True, errors="coerce", format="ISO8601")
    notes.append("Times: date_modified (the response's last change) as responded_at, with "
                 "its UTC offset.")
    kept, aside = frame, frame.iloc[0:0].assign(reason=[])
    for status, reason in _API_ASIDE.items():
        kept, out = set_aside_rows(kept, kept["response_status"].eq(status), reason)
        aside = pd.concat([aside, out])
    mapping = {"id": "response_id", "date_modified": "responded_at",
               f"question {score[2:]}": "score", "collector_id": "channel"}
    if comment:
        mapping[f"question {comment[2:]}"] = "comment"
    return VendorRead(NAME, "API bulk responses (JSON)", kept, aside.sort_index(),
                      len(frame), notes, mapping)


def _as_list(value) -> list:
    return value if isinstance(value, list) else ([value] if isinstance(value, dict) else [])


def _heading(question: dict) -> str:
    headings = question.get("headings") or [{}]
    return re.sub(r"<[^>]+>", "", str(headings[0].get("heading", question.get("id"))))


def _unique(name: str, taken) -> str:
    return name if name not in taken else f"{name}_question"


# --- export -----------------------------------------------------------------------------

def _read_export(source, timezone, encoding, sheet, score_question, survey, comment_question):
    cut = None
    if isinstance(source, pd.DataFrame):
        raw, name = source.astype(object), "DataFrame"
        raw = pd.concat([pd.DataFrame([raw.columns], columns=raw.columns), raw],
                        ignore_index=True)
    else:
        path = _check_path(Path(source).expanduser())
        name = str(path)
        raw, cut = _read_raw(path, encoding, sheet)
    top = [("" if pd.isna(v) else str(v).strip()) for v in raw.iloc[0]]
    if tuple(top[:4]) != _CSV_HEAD:
        absent = [c for c in _CSV_HEAD if c not in top]
        values = value_names([c for c in top if c])
        if values:
            raise FileFormatError(
                f"{name} has no header rows: its first line has {show_values(values, 3)}, "
                "which look like values, not SurveyMonkey's header row (Respondent ID, "
                "Collector ID, Start Date, End Date ...). Export again from Analyze > Save as "
                "> All responses data (CSV or XLSX), with both header rows.")
        ours = sum(c in top for c in _CSV_HEAD) >= 2
        near = did_you_mean(absent, top[:6], taken=_CSV_HEAD) if ours else ""
        raise MissingColumnError(
            f"{name} does not start with SurveyMonkey's header row: expected "
            f"{', '.join(_CSV_HEAD)} first; found {show_values(top[:6])}. Missing or renamed: "
            f"{show_values(absent)}"
            + (f" ({near} Rename it back.)" if near else
               " (if the file is another tool's, set source: to that tool)")
            + ". Export again from Analyze > Save as > All responses data (CSV or XLSX), "
            "without renaming the first columns.")
    if len(raw) < 2:
        raise FileFormatError(f"{name} has only one header row: SurveyMonkey's export has "
                              "two (question, then Response/choice). Export it again.")
    second = [("" if pd.isna(v) else str(v).strip()) for v in raw.iloc[1]]
    if "Response" not in second and "Open-Ended Response" not in second:
        raise FileFormatError(
            f"{name}: row 2 should be SurveyMonkey's second header row (Response, Open-Ended "
            f"Response or choice labels under each question); found {show_values(second[9:14])}"
            ". The second header row may have been deleted: export the file again.")
    columns, question = [], ""
    for position, (first, sub) in enumerate(zip(top, second)):
        if first:
            question = first
        elif not question:
            question = f"column {position + 1}"
        label = question if (sub.casefold() in _SINGLE or first in _META or not first and
                             sub.casefold() in _SINGLE) else f"{question} - {sub}"
        if not first and sub.casefold() in _SINGLE:
            label = f"{question} - {sub or position + 1}"
        columns.append(label)
    data = raw.iloc[2:].copy()
    data.columns = columns
    data.index = np.arange(len(data))
    n_read = len(data)
    data = data.loc[:, ~pd.Index(columns).duplicated()]
    questions = [c for c in data.columns[9:]]
    open_cols = [c for c, s in zip(columns[9:], second[9:]) if s == "Open-Ended Response"]
    rating = [c for c in questions if c not in open_cols and _is_rating(data[c])]
    headings = {c: c for c in data.columns}
    score = _choose(score_question, rating, headings, questions, name)
    comment = _choose_comment(comment_question, open_cols, headings, name)
    notes = [f"Score: column {score!r}."]
    rename = {**{k: v for k, v in _META.items() if k in data}, score: "score",
              "Custom Data 1": "custom_data_1"}
    if comment:
        rename[comment] = "comment"
        notes.append(f"Comment: column {comment!r}.")
    blank = data[questions].isna() | data[questions].astype(str).apply(lambda s: s.str.strip()
                                                                        .eq(""))
    data = data.rename(columns=rename)
    data = data.rename(columns={c: _snake(c) for c in data.columns if c not in rename.values()})
    data["survey"] = _survey(survey, score, data["score"], notes)
    data["channel"] = data.get("collector_id")
    for column in ("started_at", "responded_at"):
        if column in data:
            data[column] = _local_times(data[column], timezone, name, column, notes)
    kept, aside = set_aside_rows(data, blank.all(axis=1).to_numpy(),
                                 "no answers (every question blank)")
    if cut is not None:
        aside = pd.concat([aside, cut.frame(data.columns,
                                            {"response_id": cut.get("Respondent ID")})])
        notes.append(cut.note(name))
    return VendorRead(NAME, "export with two header rows", kept, aside,
                      n_read + (cut is not None), notes, {**rename, "Collector ID": "channel"})


def _read_raw(path: Path, encoding: str, sheet):
    """The export's rows, header rows included, and its cut last row (or None)."""
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        try:
            return pd.read_excel(path, header=None, dtype=object,
                                 sheet_name=0 if sheet is None else sheet), None
        except Exception as exc:  # openpyxl raises several unrelated types
            raise FileFormatError(f"{path} could not be read as an Excel workbook ({exc}); "
                                  "export it from SurveyMonkey again.") from exc
    text, cut = split_cut(path, encoding, ",", header_rows=2)
    if cut is not None:
        return read_csv_text(text, header=None), cut
    try:
        return pd.read_csv(path, header=None, dtype=str, encoding=encoding,
                           keep_default_na=False, na_values=[""]), None
    except UnicodeDecodeError:
        _raise_decode_error(path, encoding)
    except pd.errors.ParserError as exc:
        raise FileFormatError(
            f"{path} could not be read as SurveyMonkey's CSV ({exc}): rows have a different "
            "number of fields, as in a file cut short. Export it again.") from exc


def _local_times(values: pd.Series, timezone, name, column, notes) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = pd.to_datetime(values)
    else:
        text = values.astype("string").str.strip()
        filled = text.dropna()
        parsed = None
        for fmt in _DATE_FORMATS:
            trial = pd.to_datetime(text, format=fmt, errors="coerce")
            if trial[filled.index].notna().all():
                parsed = trial
                break
        if parsed is None:
            bad = filled[pd.to_datetime(filled, format=_DATE_FORMATS[0], errors="coerce").isna()]
            raise FileFormatError(
                f"{name}: column {column!r} has dates in no format SurveyMonkey writes, e.g. "
                f"{show_values(bad.head(10), 3)}; export with the default date format.")
    if parsed.dt.tz is not None:
        return parsed
    if timezone is None:
        raise ParameterError(
            f"{name}: the times in {column!r} have no UTC offset and SurveyMonkey's export "
            "does not name the zone (it is the account's time zone). Set timezone: "
            "(e.g. timezone: America/New_York), the zone of the SurveyMonkey account.")
    if column == "responded_at":
        notes.append(f"Times: End Date read in {timezone} (the timezone given; the export's "
                     "dates have no offset).")
    return parsed.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")


# --- shared ------------------------------------------------------------------------------


def _choose_comment(option, open_ended: list, headings: dict, name: str) -> str | None:
    if option is not None:
        for column in open_ended:
            if str(option) in (column, column[2:], headings.get(column)):
                return column
        raise ParameterError(f"{name}: comment_question {option!r} is not an open-ended "
                             f"question; those are {show_values([headings[c] for c in open_ended])}.")
    return open_ended[0] if len(open_ended) == 1 else None


