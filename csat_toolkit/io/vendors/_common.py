"""What every vendor reader returns (:class:`VendorRead`) and the helpers they share.

A vendor reader turns a vendor's own file (a Qualtrics export with three header rows, a
Zendesk ticket export, API records ...) into a frame with the toolkit's canonical columns
(responses: ``response_id``, ``survey``, ``score``, ``responded_at``, ``comment``, segment
columns ...; tickets: ``ticket_id``, ``created_at``, ``first_response_at``,
``resolved_at``, ...). It decides nothing the loaders decide (scores in range, dates,
duplicates): ``load_responses``/``load_tickets`` validate the frame as they validate any
file. What only the vendor's layout can tell (a preview, a partial response, spam, a
rating offered but not answered) the reader sets aside itself, each row with a reason,
and the loader adds those rows to its own accounting: nothing is dropped unseen.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ...errors import FileFormatError

__all__ = ["VendorRead", "set_aside_rows", "read_json", "first_line"]


@dataclass
class VendorRead:
    """A vendor file read into canonical columns, before the loader validates it.

    Attributes
    ----------
    vendor : str
        The reader's name (``"qualtrics"``, ``"zendesk"`` ...).
    layout : str
        Which of the vendor's layouts was read (``"csv, three header rows"``,
        ``"API survey responses (JSON)"`` ...), said in the report.
    frame : DataFrame
        The rows kept, with canonical column names (and the vendor's other columns,
        snake_cased, e.g. embedded data as segments).
    set_aside : DataFrame
        Rows the vendor's own fields exclude, with a ``reason`` column (e.g. "preview
        response (Status = Survey Preview)"), in the frame's columns where possible.
    n_read : int
        Data rows in the file (header rows not counted).
    notes : list of str
        Sentences for the report: the time zone used and where it came from, columns
        mapped, disagreements found (e.g. a vendor NPS group that differs from the score).
    mapping : dict
        Vendor column -> canonical column, for ``csat-toolkit validate`` and
        ``init-config``.
    kind : str
        ``"responses"`` or ``"tickets"``.
    scales : dict
        Survey -> scale name the vendor's answers are on (e.g. ``{"csat": "csat_binary"}``
        for Zendesk's Good/Bad); used unless the user gives ``scales``.
    """

    vendor: str
    layout: str
    frame: pd.DataFrame
    set_aside: pd.DataFrame
    n_read: int
    notes: list = field(default_factory=list)
    mapping: dict = field(default_factory=dict)
    kind: str = "responses"
    scales: dict = field(default_factory=dict)


def set_aside_rows(frame: pd.DataFrame, mask, reason: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``frame`` by ``mask``: (rows kept, rows set aside with ``reason``).

    Examples
    --------
    >>> frame = pd.DataFrame({"status": ["IP Address", "Survey Preview"]})
    >>> kept, aside = set_aside_rows(frame, frame["status"].eq("Survey Preview"),
    ...                              "preview response (Status = Survey Preview)")
    >>> len(kept), aside["reason"].tolist()
    (1, ['preview response (Status = Survey Preview)'])
    """
    mask = pd.Series(mask, index=frame.index).fillna(False).astype(bool)
    return frame[~mask], frame[mask].assign(reason=reason)


def read_json(path: Path, encoding: str, *, writer: str, again: str = "it") -> Any:
    """A vendor's JSON file, with errors that say what to do (missing, empty, cut short,
    another encoding). ``writer`` names who wrote it ("HubSpot's API"); ``again`` what to
    download again.

    Examples
    --------
    >>> read_json(Path("no_such.json"), "utf-8", writer="HubSpot's API")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    csat_toolkit.errors.FileFormatError: File not found: no_such.json. Check the path ...
    """
    path = Path(path)
    if not path.is_file():
        raise FileFormatError(f"File not found: {path}. Check the path (a relative path "
                              f"starts from {Path.cwd()}).")
    if path.stat().st_size == 0:
        raise FileFormatError(f"{path} is empty (0 bytes): download it again.")
    try:
        return json.loads(path.read_text(encoding=encoding))
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            f"{path} is not {encoding} text (byte {exc.start:,}): {writer} writes UTF-8. "
            "Pass encoding= if the file was saved in another encoding.") from exc
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            f"{path} is not complete JSON ({exc.msg} at line {exc.lineno}, column "
            f"{exc.colno}): the file looks cut short. Download {again} again.") from exc


def first_line(path, size: int | None = None) -> str | None:
    """The first line of a text file (or its first ``size`` characters), None when the
    file cannot be read as UTF-8 text: what a reader's ``detect`` looks at.

    Examples
    --------
    >>> first_line("no_such_file.csv") is None
    True
    """
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return handle.read(size) if size else handle.readline()
    except (OSError, UnicodeDecodeError, TypeError):
        return None
