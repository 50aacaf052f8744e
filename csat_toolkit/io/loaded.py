"""The result of loading responses, and the column steps every loader shares.

:class:`LoadResult` holds the rows a loader can use and the accounting of every row read;
the pandas loader (``responses``) and the engines (``engines``) both return it. The column
helpers rename a source's columns to the canonical names, fill the survey and check the
required columns, the same way for both.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.display import result_html
from ..core.followup import to_safe_csv
from ..core.pii import PII_KINDS, free_text_columns, mask_columns, mask_pii, masked_sentence
from ..errors import FileFormatError, MissingColumnError, ParameterError, show_values
from ._common import (
    _REQUIRED, _RESERVED, ROW_NUMBER, _display_name, _missing_column_message, _snake,
    _unknown_key_message,
)

__all__ = ["LoadResult", "REJECTED_CSV", "mask_parquet"]

#: The report's file of rows set aside.
REJECTED_CSV = "rejected_rows.csv"


@dataclass
class LoadResult:
    """Rows loaded by :func:`load_responses`, with the accounting of every input row.

    Attributes
    ----------
    data : DataFrame
        Canonical responses in the source's row order (not sorted), with a fresh
        ``RangeIndex``: ``response_id``, ``responded_at`` (naive ``datetime64``; all
        NaT when the source has no dates), ``survey`` (csat, nps, ces or pmf),
        ``score`` (float), ``answer`` (the original answer where it was text, such
        as "Very satisfied"; missing where it was a number), ``survey_label`` (only
        when the file's survey labels are not the canonical names), the optional
        canonical columns present (``customer_id`` ... ``weight``), then every other
        source column under its lower snake case name.
    rejected : DataFrame
        One row per input row set aside: ``source_row`` (1-based data row number;
        for a CSV without line breaks inside fields the file line is
        ``source_row + 1``), ``reason`` (every reason, joined by "; "), ``detail``
        (one sentence per reason, same order), then the row's original values
        under the mapped column names.
    source : str
        The path read, or ``"DataFrame"``.
    n_read : int
        Data rows read from the source.
    notes : list of str
        What the loader inferred or assumed (date format, separator, renamed
        columns, missing dates); show them with the accounting.
    options : dict
        The options used, with inferred values filled in (separator, date
        format), for the run manifest.
    scales : dict
        Survey -> :class:`~csat_toolkit.scales.Scale` the scores were read on: the
        ``scales`` given, else a vendor reader's own (Zendesk's Good/Bad is
        ``csat_binary``), else the defaults. Analyses of these rows use the same scales.
    engine : str
        What validated and counted the rows: "pandas", or the engine and its version
        ("DuckDB 2.0.1", "Spark 4.3.0 (local[2])") for a
        :class:`~csat_toolkit.io.engines.ScanResult`, whose ``data`` is a counted frame.

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"id": [1, 2, 3], "rating": ["5", "Very satisfied", "9"]})
    >>> loaded = load_responses(frame, columns={"id": "response_id", "rating": "score"},
    ...                         survey="csat")
    >>> loaded.summary()
    'Read 3 rows from DataFrame: 2 used, 1 set aside (score outside the scale 1).'
    >>> loaded.report()["rows"].tolist()
    [3, 2, 1]
    """

    data: pd.DataFrame
    rejected: pd.DataFrame
    source: str
    n_read: int
    notes: list[str] = field(default_factory=list)
    options: dict = field(default_factory=dict)
    scales: dict = field(default_factory=dict)
    engine: str = "pandas"

    @property
    def n_used(self) -> int:
        """Rows in :attr:`data`."""
        return len(self.data)

    @property
    def n_set_aside(self) -> int:
        """Rows in :attr:`rejected`."""
        return len(self.rejected)

    def reason_counts(self) -> pd.Series:
        """Rows set aside per reason, most frequent first (ties by reason text)."""
        return _counts(self.rejected).astype(int).rename("rows")

    def report(self) -> pd.DataFrame:
        """The row accounting: rows read, rows used, then rows set aside per reason.

        The ``rows`` column adds up: rows read = rows used + the rows of every
        ``set aside: ...`` item.

        Examples
        --------
        >>> from csat_toolkit.io import load_responses
        >>> frame = pd.DataFrame({"response_id": [1, 1], "score": [4, 5]})
        >>> load_responses(frame, survey="csat").report()
                                       item  rows
        0                         rows read     2
        1                         rows used     1
        2  set aside: duplicate response_id     1
        """
        items = [("rows read", self.n_read), ("rows used", self.n_used)]
        items += [(f"set aside: {r}", int(n)) for r, n in self.reason_counts().items()]
        return pd.DataFrame(items, columns=["item", "rows"])

    def summary(self) -> str:
        """One sentence: rows read, used and set aside with the main reasons.

        Examples
        --------
        >>> from csat_toolkit.io import load_responses
        >>> frame = pd.DataFrame({"response_id": [1, 2], "score": [4, None]})
        >>> load_responses(frame, survey="csat").summary()
        'Read 2 rows from DataFrame: 1 used, 1 set aside (missing score 1).'
        """
        head = f"Read {self.n_read:,} rows from {_display_name(self.source)}: "
        if not self.n_set_aside:
            return head + f"{self.n_used:,} used, none set aside."
        return (head + f"{self.n_used:,} used, {self.n_set_aside:,} set aside "
                f"({_format_counts(self.reason_counts())}).")

    def answer_dates(self) -> pd.Series:
        """The answers' dates, for their span (first, last) and the report date: every
        row's ``responded_at`` (an engine's result gives its exact first and last)."""
        return self.data["responded_at"]

    def rejected_export(self, *, mask_pii: bool = True) -> pd.DataFrame:
        """The rows set aside as they are written out: personal data masked.

        E-mail addresses, phone and card-like numbers in the free-text columns
        (comment, feedback, verbatim, text, reason ...: names as
        :func:`csat_toolkit.core.pii.free_text_columns`) become ``[email]``,
        ``[phone]``, ``[card]``; ids, scores, dates and the ``detail`` column are kept as
        read, so each row can still be found and fixed in the source.

        Parameters
        ----------
        mask_pii : bool
            False: the rows exactly as :attr:`rejected` holds them.

        Returns
        -------
        DataFrame
            A copy; ``attrs["pii_masked"]`` counts the spans masked per kind (None
            with ``mask_pii=False``).

        Examples
        --------
        >>> from csat_toolkit.io import load_responses
        >>> frame = pd.DataFrame({"response_id": [1, 2], "score": [4, 9],
        ...                       "comment": ["ok", "call +44 20 7946 0958"]})
        >>> out = load_responses(frame, survey="csat").rejected_export()
        >>> out["comment"].tolist(), out.attrs["pii_masked"]
        (['call [phone]'], {'email': 0, 'phone': 1, 'card': 0})
        """
        if not isinstance(mask_pii, (bool, np.bool_)):
            raise ParameterError(f"mask_pii must be True or False; got {mask_pii!r}.")
        if not mask_pii:
            out = self.rejected.copy()
            out.attrs["pii_masked"] = None
            return out
        return mask_columns(self.rejected)

    def write_rejected(self, folder, *, mask_pii: bool = True) -> list[str]:
        """Write the rows set aside to ``folder``; return the file names written.

        The pandas loader's are all in ``rejected_rows.csv`` (spreadsheet-safe), with
        personal data in the free-text columns masked unless ``mask_pii=False`` (see
        :meth:`rejected_export`); an engine's result adds ``rejected_rows.parquet``,
        written by the engine.
        """
        to_safe_csv(self.rejected_export(mask_pii=mask_pii), Path(folder) / REJECTED_CSV)
        return [REJECTED_CSV]

    def rejected_note(self) -> str:
        """Where the report's rejected rows are, in one sentence, with what was masked
        in them (when anything was)."""
        note = f"Rejected rows are in {REJECTED_CSV}."
        if not self.n_set_aside:
            return note
        masked = self.rejected_export().attrs["pii_masked"]
        if not any(masked.values()):
            return note
        return f"{note[:-1]} ({masked_sentence(masked)[:-1]})."

    def followup_rows(self) -> pd.DataFrame:
        """Row-level answers for the follow-up queue: every row (an engine's result holds
        only its low scores)."""
        return self.data

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.report(), notes=self.notes)

    def __repr__(self) -> str:
        return (f"LoadResult(source={_display_name(self.source)!r}, read={self.n_read}, "
                f"used={self.n_used}, set_aside={self.n_set_aside}, "
                f"notes={len(self.notes)})")


def mask_parquet(path, *, columns=None, kinds=PII_KINDS,
                 batch_rows: int = 100_000) -> dict[str, int]:
    """Mask personal data in the free-text columns of Parquet written by an engine, in place.

    For the engines' files of rows set aside (``rejected_rows.parquet``, a DuckDB file or a
    Spark folder of parts): each file is read in batches of ``batch_rows``, its text
    columns named like free text (or ``columns``) masked as :func:`csat_toolkit.core.pii.
    mask_pii` masks them, and written back with the same schema (a Spark part's ``.crc``
    checksum, no longer true, is removed). Files in which nothing is found are left
    untouched.

    Parameters
    ----------
    path : str or PathLike
        A Parquet file, or a folder of them (``*.parquet``, read recursively).
    columns : sequence of str, optional
        The columns to mask; by default those named like free text.
    kinds : sequence of str
        What to mask (e-mail addresses, phone and card-like numbers by default).
    batch_rows : int
        Rows read at a time (memory stays bounded whatever the file's size).

    Returns
    -------
    dict
        Spans masked per kind over every file, e.g. ``{"email": 2, "phone": 0, "card": 0}``.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "rejected_rows.parquet"
    >>> pd.DataFrame({"source_row": [3], "comment": ["mail jo@example.com"]}).to_parquet(target)
    >>> mask_parquet(target), pd.read_parquet(target)["comment"].tolist()
    ({'email': 1, 'phone': 0, 'card': 0}, ['mail [email]'])
    """
    import pyarrow.parquet as pq

    target = Path(path)
    if not target.exists():
        raise FileFormatError(f"Cannot mask {target}: no such file or folder. Give the "
                              "Parquet file (or folder) the engine wrote.")
    total = mask_pii(pd.Series([], dtype=object), kinds).to_dict()  # checks kinds
    files = sorted(target.rglob("*.parquet")) if target.is_dir() else [target]
    for file in files:
        with pq.ParquetFile(file) as source:
            found = _mask_parquet_file(source, file, columns, kinds, batch_rows)
        if found is None or not any(found.values()):
            continue
        file.with_name(file.name + ".masking").replace(file)
        file.with_name(f".{file.name}.crc").unlink(missing_ok=True)  # Spark's stale checksum
        for kind, n in found.items():
            total[kind] += n
    return total


def _mask_parquet_file(source, file: Path, columns, kinds, batch_rows: int) -> dict | None:
    """Write ``file`` masked beside it (``.masking``); the spans masked (None: no text
    column; the temporary file is removed when nothing was found)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = source.schema_arrow
    names = schema.names
    wanted = list(columns) if columns is not None else free_text_columns(
        pd.DataFrame(columns=names))
    text = [c for c in wanted if c in names
            and (pa.types.is_string(schema.field(c).type)
                 or pa.types.is_large_string(schema.field(c).type))]
    if not text:
        return None
    found = mask_pii(pd.Series([], dtype=object), kinds).to_dict()
    temporary = file.with_name(file.name + ".masking")
    with pq.ParquetWriter(temporary, schema) as writer:
        for batch in source.iter_batches(batch_size=batch_rows):
            frame = batch.to_pandas()
            for column in text:
                result = mask_pii(frame[column].astype(object), kinds)
                frame[column] = result.text
                for kind, n in result.to_dict().items():
                    found[kind] += n
            writer.write_batch(pa.RecordBatch.from_pandas(frame, schema=schema,
                                                          preserve_index=False))
    if not any(found.values()):
        temporary.unlink()
    return found


def _rename_columns(raw: pd.DataFrame, columns: dict, name: str, notes: list[str]
                    ) -> tuple[pd.DataFrame, dict]:
    """Apply ``columns``, snake-case the rest and add the ``@row`` column if asked.

    Returns the renamed frame and a mapping new name -> source name.
    """
    available = list(raw.columns)
    for key in columns:
        if key != ROW_NUMBER and key not in available:
            raise MissingColumnError(_unknown_key_message(key, available, name))
    taken = set(columns.values()) | set(_RESERVED)
    names = []
    for position, column in enumerate(available):
        if column in columns:
            names.append(columns[column])
            continue
        base = _snake(column) or f"column_{position + 1}"
        new, k = base, 2
        while new in taken:
            new, k = f"{base}_{k}", k + 1
        if new != base:
            notes.append(f"Column {column!r} is kept as {new!r} because {base!r} is taken "
                         "by the column mapping or by the loader.")
        taken.add(new)
        names.append(new)
    frame = raw.set_axis(names, axis=1)
    sources = dict(zip(names, available))
    if ROW_NUMBER in columns:
        rows = pd.Series(np.arange(1, len(frame) + 1), index=frame.index)
        frame = frame.assign(**{columns[ROW_NUMBER]: rows})
        sources[columns[ROW_NUMBER]] = ROW_NUMBER
    return frame, sources


def _fill_survey(frame: pd.DataFrame, options: dict, notes: list[str]) -> pd.DataFrame:
    survey = options["survey"]
    if survey is None:
        return frame
    if "survey" in frame.columns:
        notes.append(f"survey={survey!r} was given, so the file's survey column "
                     f"(values such as {show_values(frame['survey'].dropna().head(100), 3)}) "
                     "was not used.")
    return frame.assign(survey=survey)


def _check_required(frame: pd.DataFrame, sources: dict, options: dict, name: str) -> None:
    needed = [c for c in _REQUIRED if c not in frame.columns]
    if (options["start"] is not None or options["end"] is not None) and \
            "responded_at" not in frame.columns:
        needed.append("responded_at")
    if needed:
        why = "start= and end= filter on it" if needed[0] == "responded_at" else "required"
        raise MissingColumnError(_missing_column_message(needed[0], sources, name, why))


def _counts(rejected: pd.DataFrame) -> pd.Series:
    counts = rejected["reason"].value_counts(sort=False)
    return counts.reindex(sorted(counts.index, key=lambda r: (-counts[r], r)))


def _format_counts(counts: pd.Series) -> str:
    return ", ".join(f"{reason} {int(n):,}" for reason, n in counts.items())


def _rejected_frame(frame: pd.DataFrame, positions: np.ndarray, reasons: np.ndarray,
                    details: np.ndarray) -> pd.DataFrame:
    rows = frame.iloc[positions].reset_index(drop=True)
    head = pd.DataFrame({
        "source_row": positions + 1,
        "reason": pd.Series(reasons, dtype=object).astype(str),
        "detail": pd.Series(details, dtype=object).astype(str),
    })
    return pd.concat([head, rows], axis=1)
