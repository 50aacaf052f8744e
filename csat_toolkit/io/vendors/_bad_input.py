"""Bad input the vendor readers share: a CSV cut short and a column renamed by the user.

A CSV cut short (a download or copy that stopped early): its broken last row is found,
the rows before it are read as usual, and the broken row is set aside with a reason
instead of being read as a row with empty cells, or failing the whole file. A column
the reader needs but does not find is looked for among the file's columns by a close
match, for a "did you mean" in the error.
"""
from __future__ import annotations

import csv
import difflib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ...errors import FileFormatError, MissingColumnError, show_values
from .._common import _CSV_SUFFIXES
from ..reading import _check_path, _raise_decode_error, _read_source, _sniff_separator

__all__ = ["CutRow", "split_cut", "read_csv_text", "read_table", "did_you_mean",
           "value_names", "require_columns"]

_VALUE = re.compile(r"[\d.,:\-+TZ /]+(?:\s*[AP]M)?|Unnamed: \d+|\S+@\S+")


@dataclass
class CutRow:
    """The last row of a CSV file that was cut short.

    Attributes
    ----------
    header : list of str
        The cells of the file's first row (its column names).
    cells : list of str
        The cells the cut row still has.
    line : int
        The 1-based line of the file where the cut row starts.
    position : int
        Its 0-based data row (the number of data rows before it).
    quoted : bool
        Whether the file ends inside a quoted cell (the last cell is then incomplete).
    """

    header: list
    cells: list
    line: int
    position: int
    quoted: bool = False

    def get(self, column: str):
        """The cut row's cell under ``column`` (None when cut off or absent)."""
        if column in self.header:
            at = self.header.index(column)
            if at < len(self.cells) - 1 or (at == len(self.cells) - 1 and not self.quoted):
                value = self.cells[at].strip()
                return value or None
        return None

    def reason(self) -> str:
        """The set-aside reason of the row."""
        return (f"last row cut short (line {self.line}: {len(self.cells)} of the header's "
                f"{len(self.header)} fields); the file looks truncated")

    def note(self, name: str) -> str:
        """A sentence for the notes: what was found and what to do."""
        return (f"{name} looks truncated: its last row (line {self.line}, starting "
                f"{show_values(self.cells[:2], 2)}) has {len(self.cells)} of the header's "
                f"{len(self.header)} fields and is set aside. Download or export the file "
                "again to read that row.")

    def frame(self, columns, values: dict) -> pd.DataFrame:
        """The row as a one-row set-aside frame in ``columns`` (``values``: column -> value,
        e.g. the id read from the cut row), indexed by its position, with its reason."""
        columns = list(columns)
        row = {c: values.get(c) for c in columns}
        return pd.DataFrame([row], index=[self.position], columns=columns,
                            dtype=object).assign(reason=self.reason())


def split_cut(path: Path, encoding: str, sep: str = ",",
              header_rows: int = 1) -> tuple[str | None, CutRow | None]:
    """(the text before the cut row, the cut row) when the last row of the CSV at ``path``
    has fewer fields than its first row, or ends inside a quoted cell; (None, None) for a
    complete file.

    ``header_rows`` (rows before the data) sets the cut row's data position.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "cut.csv"
    >>> _ = path.write_text("id,score,comment\\n1,5,fine\\n2,4")
    >>> text, cut = split_cut(path, "utf-8")
    >>> text, cut.cells, cut.line, cut.position
    ('id,score,comment\\n1,5,fine\\n', ['2', '4'], 3, 1)
    >>> cut.reason()
    "last row cut short (line 3: 2 of the header's 3 fields); the file looks truncated"
    >>> _ = path.write_text("id,score\\n1,5\\n")
    >>> split_cut(path, "utf-8")
    (None, None)
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode(encoding)
    except UnicodeDecodeError:
        _raise_decode_error(path, encoding)
    text = text.lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    reader = csv.reader(lines, delimiter=sep)
    records: list[tuple[int, list[str]]] = []   # (index of its first line, cells)
    start = 0
    for cells in reader:
        if cells:
            records.append((start, cells))
        start = reader.line_num
    if len(records) <= header_rows:
        return None, None
    first, cells = records[-1]
    width = len(records[0][1])
    open_quote = "".join(lines[first:]).count('"') % 2 == 1
    if len(cells) >= width and not open_quote:
        return None, None
    cut = CutRow(header=[c.strip() for c in records[0][1]], cells=cells, line=first + 1,
                 position=len(records) - 1 - header_rows, quoted=open_quote)
    return "".join(lines[:first]), cut


def read_table(source: Any, *, encoding: str, sheet: Any = None
               ) -> tuple[pd.DataFrame, str, str | None, CutRow | None]:
    """A vendor's table as the loaders read it (``reading._read_source``: CSV, Excel,
    Parquet or a DataFrame), with the cut last row of a CSV split off: (the rows, the
    source's name, the separator, the cut row or None).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "cut.csv"
    >>> _ = path.write_text('id,comment\\n1,fine\\n2,"sto')
    >>> raw, name, sep, cut = read_table(path, encoding="utf-8")
    >>> raw["id"].tolist(), cut.get("id"), cut.position
    (['1'], '2', 1)
    """
    if isinstance(source, (str, os.PathLike)) and \
            Path(source).suffix.lower() in _CSV_SUFFIXES:
        path = _check_path(Path(source).expanduser())
        sep = _sniff_separator(path, encoding)
        text, cut = split_cut(path, encoding, sep)
        if cut is not None:
            return read_csv_text(text, sep), str(path), sep, cut
    raw, name, sep = _read_source(source, encoding=encoding, sep=None, sheet=sheet)
    return raw, name, sep, None


def read_csv_text(text: str, sep: str = ",", **options) -> pd.DataFrame:
    """The complete rows of a cut file, read as the loaders read a CSV (text cells, empty
    cells missing)."""
    return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                       na_values=[""], **options)


def did_you_mean(missing, found, taken=()) -> str:
    """"did you mean 'X' for 'Y'?" for each missing column Y with a close match X among
    ``found`` (the file's columns, less those ``taken`` as the layout's own), or "" when
    none is close.

    Examples
    --------
    >>> did_you_mean(["Created time"], ["Ticket ID", "Created", "Subject"])
    "did you mean 'Created' for 'Created time'?"
    >>> did_you_mean(["Date"], ["ID", "Rating date"])
    "did you mean 'Rating date' for 'Date'?"
    >>> did_you_mean(["score"], ["id", "date"])
    ''
    """
    found = [str(c) for c in found if str(c) not in set(map(str, taken))]
    pairs = []
    for column in missing:
        near = difflib.get_close_matches(str(column), found, n=1, cutoff=0.6)
        folded = {_words(c): c for c in found}
        if not near:
            near = [folded[n] for n in difflib.get_close_matches(
                _words(column), list(folded), n=1, cutoff=0.6)]
        if not near:  # one name holds the other's words: 'Date' / 'Rating date'
            key = _words(column)
            near = [c for w, c in folded.items()
                    if w and key and (re.search(rf"\b{re.escape(key)}\b", w)
                                      or re.search(rf"\b{re.escape(w)}\b", key))][:1]
        if near:
            pairs.append(f"{near[0]!r} for {str(column)!r}")
    return f"did you mean {'; '.join(pairs)}?" if pairs else ""


def _words(name) -> str:
    return re.sub(r"[_\s]+", " ", str(name).casefold()).strip()


def value_names(columns) -> list[str]:
    """The column names that look like values (numbers, dates, e-mail addresses, pandas'
    ``Unnamed: N`` for a blank cell) when they are at least 30% of them: the file's header
    row is missing and its first data row was read as the header. Else [].

    Examples
    --------
    >>> value_names(["tok01", "10", "2024-03-05 09:00:00", "Unnamed: 3"])
    ['10', '2024-03-05 09:00:00', 'Unnamed: 3']
    >>> value_names(["#", "Score", "Submit Date (UTC)"])
    []
    """
    names = [str(c).strip() for c in columns]
    values = [c for c in names if _VALUE.fullmatch(c)]
    return values if names and len(values) >= max(1, 0.3 * len(names)) else []


def require_columns(columns, required, *, name: str, layout: str, known=None,
                    fix: str, other: str) -> None:
    """Raise the error that says what is wrong when ``required`` columns are missing.

    A first row of values: the header row is missing (FileFormatError). A missing column
    with a close match while at least half of the layout's ``known`` columns are there
    (or whenever ``known`` is None): a column renamed by the user ("did you mean", then
    ``fix``). Else the file is not
    this layout (MissingColumnError, then ``other``). ``name`` names the file, ``layout``
    the vendor's layout (e.g. "Typeform's responses CSV").

    Examples
    --------
    >>> require_columns(["#", "Submit Date", "Network ID", "Tags"], ["#", "Submit Date (UTC)"],
    ...     name="r.csv", layout="Typeform's responses CSV",
    ...     known=["#", "Submit Date (UTC)", "Network ID", "Tags"], fix="Rename it back.",
    ...     other="Check source:.")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    csat_toolkit.errors.MissingColumnError: r.csv: no column ...did you mean 'Submit Date' ...
    """
    names = [str(c) for c in columns]
    missing = [c for c in required if c not in names]
    if not missing:
        return
    values = value_names(names)
    if values:
        raise FileFormatError(
            f"{name} has no header row: its first line has {show_values(values, 3)}, which "
            f"look like values, not {layout} column names such as "
            f"{show_values(list(required), 3)}. Export the file again with its header row "
            "(or put the header line back).")
    ours = known is None or sum(c in names for c in known) >= len(known) / 2
    near = did_you_mean(missing, names, taken=known or ()) if ours else ""
    if near:
        raise MissingColumnError(
            f"{name}: no column {show_values(missing)}, which {layout} has; {near} The "
            f"columns are {show_values(names, 8)}. {fix}")
    raise MissingColumnError(
        f"{name} is not {layout}: no column {show_values(missing)} (the columns are "
        f"{show_values(names, 8)}). {other}")
