"""Reading a source into a raw frame: CSV/TSV/TXT (separator sniffed, encoding checked),
Parquet, Excel (sheet chosen or suggested) or a DataFrame; missing-value markers and
numbers written with a decimal comma or thousands separators.

``_read_source`` is the shared reader of responses, tickets and revenue tables.
"""
from __future__ import annotations

import codecs
import csv
import difflib
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import FileFormatError, MissingColumnError, ParameterError, show_values

from ._common import (
    _CSV_SUFFIXES, DEFAULT_NA_VALUES, _display_name, _EXCEL_SUFFIXES, _PARQUET_SUFFIXES,
    _SEPARATORS, _snake, _SNIFF_BYTES, _VALIDATED,
)
from .options import _check_number_format, _check_sheet

def _read_source(source: Any, *, encoding: str, sep: str | None, sheet: Any,
                 decimal: str = ".", thousands: str | None = None
                 ) -> tuple[pd.DataFrame, str, str | None]:
    """Read the source into a DataFrame; return it, its name and the separator used.

    ``sheet=None`` reads an Excel workbook's first sheet. With ``decimal`` other than
    "." or a ``thousands`` separator, text columns whose every value is a number
    written that way are rewritten as plain numbers ("1.234,5" -> "1234.5"), still
    as text (see :func:`_plain_number_columns`).
    """
    _check_number_format(decimal, thousands, sep)
    if isinstance(source, pd.DataFrame):
        if not source.columns.is_unique:
            doubles = source.columns[source.columns.duplicated()].tolist()
            raise ParameterError(
                f"The DataFrame has duplicate column names {show_values(doubles)}; rename them."
            )
        return _plain_number_columns(source, decimal, thousands), "DataFrame", None
    if not isinstance(source, (str, os.PathLike)):
        raise ParameterError(
            f"source must be a file path or a pandas DataFrame; got {type(source).__name__}."
        )
    path = _check_path(Path(source).expanduser())
    suffix = path.suffix.lower()
    if suffix in _CSV_SUFFIXES:
        sep = sep or _sniff_separator(path, encoding)
        raw = _read_csv(path, encoding, sep)
        return _plain_number_columns(raw, decimal, thousands), str(path), sep
    if suffix in _PARQUET_SUFFIXES:
        return _plain_number_columns(_read_parquet(path), decimal, thousands), str(path), None
    raw = _read_excel(path, _check_sheet(sheet))
    return _plain_number_columns(raw, decimal, thousands), str(path), None


def _number_pattern(decimal: str, thousands: str | None) -> re.Pattern:
    """A whole number or decimal written with these marks, e.g. ``-1.234,5``."""
    d = re.escape(decimal)
    whole = r"\d+" if thousands is None else rf"(?:\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+|\d+)"
    return re.compile(rf"[-+]?(?:{whole}(?:{d}\d*)?|{d}\d+)")


def _plain_numbers(values: pd.Series, decimal: str, thousands: str | None
                   ) -> tuple[pd.Series, bool]:
    """Text numbers written with ``decimal``/``thousands`` as plain text numbers.

    Returns the values (others unchanged) and whether every non-blank value is such a
    number (or a number already) and at least one is text. Works on distinct values
    with vectorized string operations, so it is cheap on long columns.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if not len(uniques):
        return values, False
    uniques = np.asarray(uniques, dtype=object)
    is_text = np.fromiter((isinstance(u, str) for u in uniques), dtype=bool, count=len(uniques))
    others = uniques[~is_text]
    numeric = all(isinstance(u, (int, float, np.integer, np.floating))
                  and not isinstance(u, (bool, np.bool_)) for u in others)
    text = pd.Series(uniques[is_text], dtype="string[pyarrow]").str.strip()
    filled = (text != "").to_numpy(dtype=bool, na_value=False)
    match = text.str.fullmatch(_number_pattern(decimal, thousands).pattern
                               ).to_numpy(dtype=bool, na_value=False)
    every = numeric and bool(filled.any()) and bool(match[filled].all())
    marks = text.str.contains(decimal, regex=False).to_numpy(dtype=bool, na_value=False)
    if thousands is not None:
        marks |= text.str.contains(thousands, regex=False).to_numpy(dtype=bool, na_value=False)
    change = match & marks & filled
    if not change.any():
        return values, every
    plain = text[change]
    if thousands is not None:
        plain = plain.str.replace(thousands, "", regex=False)
    plain = plain.str.replace(decimal, ".", regex=False)
    converted = uniques.copy()
    converted[np.flatnonzero(is_text)[change]] = plain.to_numpy(dtype=object)
    lookup = np.append(converted, None)
    out = pd.Series(lookup[codes], index=values.index, name=values.name, dtype=object)
    return out.where(codes >= 0, values), every


def _plain_number_columns(raw: pd.DataFrame, decimal: str, thousands: str | None
                          ) -> pd.DataFrame:
    """Rewrite the text columns whose every value is a localized number."""
    if decimal == "." and thousands is None:
        return raw
    changed = {}
    for position, column in enumerate(raw.columns):
        values = raw.iloc[:, position]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            continue
        if not _plain_numbers(values.head(1000), decimal, thousands)[1]:
            continue  # quick rejection on the first rows (text, dates)
        marked = values.str.contains(decimal, regex=False)
        if thousands is not None:
            marked = marked | values.str.contains(thousands, regex=False)
        if not marked.fillna(False).astype(bool).any():
            continue  # nothing to rewrite (ids, whole numbers)
        plain, every = _plain_numbers(values, decimal, thousands)
        if every and plain is not values:
            changed[position] = plain
    if not changed:
        return raw
    out = raw.copy()
    for position, values in changed.items():
        out.isetitem(position, values.astype(object))
    return out


def _to_numbers(values: pd.Series, decimal: str = ".", thousands: str | None = None
                ) -> np.ndarray:
    """Numbers (float) value by value; NaN where a value is not one."""
    if decimal != "." or thousands is not None:
        values, _ = _plain_numbers(values, decimal, thousands)
    return np.array(pd.to_numeric(values, errors="coerce"), dtype=float)


_DECIMAL_COMMA = re.compile(r"\s*[-+]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+\s*")


_THOUSANDS_COMMA = re.compile(r"\s*[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?\s*")


def _number_hint(value: Any, decimal: str = ".") -> str:
    """What to set when a value that failed to read looks like a localized number."""
    if not isinstance(value, str) or decimal == ",":
        return ""
    if _DECIMAL_COMMA.fullmatch(value):
        dots = "." in value
        extra = ' and thousands: "."' if dots else ""
        also = ("" if dots or not _THOUSANDS_COMMA.fullmatch(value) else
                ' (or thousands: "," if the comma separates thousands)')
        return (f'; it looks like a number with a decimal comma: set decimal: ","{extra} in the '
                f"load options{also}")
    if _THOUSANDS_COMMA.fullmatch(value):
        return '; it looks like a number with commas between thousands: set thousands: ","'
    return ""


def _sheet_columns(path: Path, limit: int = 20) -> list[tuple[str, list]]:
    """(sheet name, column names) of the first ``limit`` sheets of a workbook."""
    try:
        with pd.ExcelFile(path) as book:
            return [(name, list(pd.read_excel(book, sheet_name=name, nrows=0).columns))
                    for name in book.sheet_names[:limit]]
    except Exception:  # listing sheets only improves a message; never fail on it
        return []


def _sheets_text(sheets: list[tuple[str, list]]) -> str:
    shown = []
    for name, columns in sheets:
        first = ", ".join(str(c) for c in columns[:4]) + (" ..." if len(columns) > 4 else "")
        shown.append(f"{name!r} ({first or 'empty'})")
    return "; ".join(shown)


def _suggest_sheet(name: str, sheet: Any, exc: Exception, fits) -> None:
    """Raise a better MissingColumnError when another sheet has the columns needed.

    Only for an Excel workbook read without ``sheet=`` (its first sheet): the message
    lists the sheets with their first columns and says which ``sheet:`` to pass.
    """
    if sheet is not None or not name.lower().endswith(_EXCEL_SUFFIXES):
        return
    sheets = _sheet_columns(Path(name))
    if len(sheets) < 2:
        return
    fitting = [sheet_name for sheet_name, columns in sheets[1:] if fits(columns)]
    listing = _sheets_text(sheets)
    if fitting:
        raise MissingColumnError(
            f"{_display_name(name)}: the first sheet, {sheets[0][0]!r}, lacks the columns "
            f"needed, but sheet {fitting[0]!r} has them: pass sheet: {fitting[0]} (sheet="
            f"{fitting[0]!r}). The sheets and their first columns: {listing}. (On the first "
            f"sheet: {exc})"
        ) from exc
    raise MissingColumnError(
        f"{exc} (This was the workbook's first sheet, {sheets[0][0]!r}; no other sheet "
        f"has the columns needed either. The sheets and their first columns: {listing}. "
        f"Pass sheet: NAME to read another.)"
    ) from exc


def _check_path(path: Path) -> Path:
    if path.is_dir():
        found = sorted(p.name for p in path.iterdir() if p.suffix.lower() in
                       _CSV_SUFFIXES + _PARQUET_SUFFIXES + _EXCEL_SUFFIXES)
        inside = f" Files there: {show_values(found)}." if found else ""
        raise FileFormatError(
            f"{path} is a folder, not a file: give the path of the responses file inside "
            f"it.{inside}"
        )
    if not path.exists():
        raise FileFormatError(
            f"File not found: {path}. Check the path (a relative path starts from "
            f"{Path.cwd()})."
        )
    if path.suffix.lower() not in _CSV_SUFFIXES + _PARQUET_SUFFIXES + _EXCEL_SUFFIXES:
        raise FileFormatError(
            f"Cannot read {path}: unknown file type {path.suffix or '(no extension)'!r}. "
            "Use a CSV/TSV/TXT, Parquet (.parquet, .pq) or Excel (.xlsx) file, or load it "
            "into a pandas DataFrame and pass that."
        )
    if path.stat().st_size == 0:
        raise FileFormatError(f"{path} is empty (0 bytes): export the responses again.")
    return path


def _sniff_separator(path: Path, encoding: str) -> str:
    """Guess the separator from the first 64 KB (csv.Sniffer, checked on the header)."""
    with open(path, "rb") as handle:
        sample = handle.read(_SNIFF_BYTES)
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
    except UnicodeDecodeError:
        _raise_decode_error(path, encoding)
    if len(sample) == _SNIFF_BYTES and "\n" in text:
        text = text[: text.rindex("\n")]
    header = text.splitlines()[0] if text.strip() else ""
    try:
        found = csv.Sniffer().sniff(text, delimiters=_SEPARATORS).delimiter
    except csv.Error:
        found = None
    if found and found in _SEPARATORS and found in header:
        return found
    counts = {s: header.count(s) for s in _SEPARATORS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _apply_na_values(raw: pd.DataFrame, options: dict, notes: list[str]) -> pd.DataFrame:
    """Blank out text cells that mean "missing".

    With ``na_values`` given, its markers count as missing in every column. By default
    pandas' usual markers (:data:`DEFAULT_NA_VALUES`) count as missing only in the
    validated columns (id, survey, score, dates, weight), where they cannot be real
    values; elsewhere only empty cells do, so a segment value such as "NA" (North
    America) is kept, and a note says where such markers were kept as text.
    """
    given = options["na_values"]
    columns, kept = {}, {}
    for column in raw.columns:
        values = raw[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            continue
        validated = options["columns"].get(column, _snake(column)) in _VALIDATED
        markers = given if given is not None else (DEFAULT_NA_VALUES if validated else ("",))
        hit = values.isin(markers).to_numpy(dtype=bool) & values.notna().to_numpy()
        if hit.any():
            columns[column] = values.where(~hit)
        if given is None and not validated:
            lookalike = values.isin(DEFAULT_NA_VALUES[1:]).to_numpy(dtype=bool)
            if lookalike.any():
                kept[column] = (int(lookalike.sum()), show_values(values[lookalike].head(1000), 3))
    if kept:
        listed = "; ".join(f"{c!s} {n:,} ({v})" for c, (n, v) in kept.items())
        notes.append(f"Cells that look like missing-value markers were kept as text: {listed}. "
                     "If they mean 'missing', pass na_values=['', 'NA', ...].")
    return raw.assign(**columns) if columns else raw


def _separator_notes(given: str | None, used: str | None) -> list[str]:
    if given is None and used not in (None, ","):
        return [f"Separator {used!r} detected from the first lines of the file "
                "(set sep= to override)."]
    return []


def _read_csv(path: Path, encoding: str, sep: str) -> pd.DataFrame:
    try:
        return pd.read_csv(path, sep=sep, dtype=str, encoding=encoding, engine="c",
                           keep_default_na=False, na_values=[""])
    except UnicodeDecodeError:
        _raise_decode_error(path, encoding)
    except pd.errors.EmptyDataError as exc:
        raise FileFormatError(
            f"{path} has no header line (only blank space): export the responses again."
        ) from exc
    except pd.errors.ParserError as exc:
        raise FileFormatError(
            f"{path} could not be read as a table separated by {sep!r}: {exc}. If the "
            "separator is wrong, pass sep=...; fields that contain the separator must be "
            "in double quotes."
        ) from exc


def _raise_decode_error(path: Path, encoding: str):
    position, line, bad = _find_decode_error(path, encoding)
    where = (f" at byte {position:,} (line {line}, bytes {bad!r})"
             if position is not None else "")
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        advice = "It starts with a UTF-16 byte-order mark: pass encoding='utf-16'."
    else:
        advice = ("Pass the file's encoding, e.g. encoding='latin-1' or encoding='cp1252' "
                  "(files saved by Excel on Windows).")
    raise FileFormatError(f"{path} is not {encoding} text{where}. {advice}")


def _find_decode_error(path: Path, encoding: str) -> tuple[int | None, int, bytes]:
    """Byte offset, line number and bytes of the first undecodable byte."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset, lines = 0, 1
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                position = offset - pending + exc.start
                lines += chunk[: max(position - offset, 0)].count(b"\n")
                return position, lines, exc.object[exc.start: exc.end]
            offset += len(chunk)
            lines += chunk.count(b"\n")
    return None, lines, b""


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except ImportError as exc:
        raise FileFormatError(f"Reading {path} needs pyarrow: pip install pyarrow.") from exc
    except Exception as exc:  # pyarrow raises several unrelated types
        raise FileFormatError(
            f"{path} could not be read as Parquet ({exc}); check that it is a Parquet "
            "file, or export it again."
        ) from exc


def _read_excel(path: Path, sheet: int | str | None) -> pd.DataFrame:
    sheet = 0 if sheet is None else sheet
    try:
        with pd.ExcelFile(path) as book:
            names = book.sheet_names
            if not (sheet in names or (isinstance(sheet, int) and 0 <= sheet < len(names))):
                _raise_no_sheet(path, sheet, names)
            return pd.read_excel(book, sheet_name=sheet, keep_default_na=False, na_values=[""])
    except ImportError as exc:
        raise FileFormatError(
            f"Reading {path} needs an Excel reader ({exc}); save it as .xlsx, or "
            "install xlrd for .xls files."
        ) from exc
    except FileFormatError:
        raise
    except Exception as exc:  # openpyxl/xlrd raise several unrelated types
        raise FileFormatError(
            f"{path} could not be read as an Excel workbook ({exc}); open it in Excel "
            "and save it as .xlsx, or export a CSV."
        ) from exc


def _raise_no_sheet(path: Path, sheet: Any, names: list[str]):
    close = difflib.get_close_matches(str(sheet), [str(n) for n in names], n=1, cutoff=0.0)
    suggestion = close[0] if close and isinstance(sheet, str) else names[0]
    raise FileFormatError(
        f"{path} has no sheet {sheet!r}. Its sheets are {show_values(names, 20)}; their "
        f"first columns: {_sheets_text(_sheet_columns(path))}. Pass one of these names, e.g. "
        f"sheet: {suggestion} (sheet={suggestion!r}), or a position from 0."
    )
