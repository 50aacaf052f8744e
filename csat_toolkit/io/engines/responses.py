"""Survey responses validated and counted inside a query engine (DuckDB, Spark).

:func:`scan_responses` does in the engine what :func:`~csat_toolkit.io.load_responses`
does in memory: it renames the columns, validates every row for the same reasons (the
answers and survey labels are parsed once per distinct value in Python, as the pandas
loader does, and joined back as a small table), counts the rows set aside per reason,
writes those rows to Parquet from the engine, and returns the rows it can use as a
*counted frame* (:func:`csat_toolkit.core.tally.counted`): one row per survey, day,
segment and score with their counts. Every metric, comparison and trend takes that
frame as it takes responses. Only the small tables ever reach Python's memory.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from ...core.followup import FOLLOWUP_SURVEYS
from ...core.scales import MISSING, OUT_OF_RANGE, SURVEYS, UNRECOGNISED, Scale, normalise_label
from ...core.tally import counted
from ...errors import NoValidRowsError, ParameterError, RejectedRowsError, show_values
from .._common import (
    _TEXT_COLUMNS, DEFAULT_NA_VALUES, DUPLICATE_ID, INVALID_WEIGHT, MISSING_DATE, MISSING_ID,
    MISSING_SURVEY, OUTSIDE_RANGE, REASONS, ROW_NUMBER, UNKNOWN_SURVEY, UNPARSEABLE_DATE,
    _display_name, _survey_lookup,
)
from ..dates import _parse_dates, _stamp_text
from ..options import _check_options
from ..loaded import (
    REJECTED_CSV, LoadResult, _check_required, _format_counts, _rename_columns,
)
from ._result import EngineResult, rows_from_engine
from .moments import sample_rows
from ._backends import FILE, ROW, Backend, choose_engine, open_backend, quiet_spark

__all__ = ["scan_responses", "ScanResult", "SEGMENT_COLUMNS"]

#: Columns counted by default (besides survey, day and score): the canonical segments.
SEGMENT_COLUMNS = tuple(c for c in _TEXT_COLUMNS
                        if c not in ("customer_id", "ticket_id", "comment"))

#: Rows set aside that are brought back into memory to show (all are written to Parquet).
REJECTED_SHOWN = 1_000

#: The engine's file of every row set aside (next to the report's CSV of the first ones).
REJECTED_PARQUET = "rejected_rows.parquet"

#: Rows used brought back whole for the row-level analyses (drivers, revenue, operations);
#: beyond it, a seeded random sample of this many.
ROW_LIMIT = 1_000_000

#: Low scores brought back for the follow-up queue (the newest first).
FOLLOWUP_LIMIT = 10_000

# Working columns (never in a user's file).
_DATE, _WEIGHT, _SURVEY, _SCORE = "__csat_date", "__csat_weight", "__csat_survey", "__csat_score"
_SREASON, _SDETAIL, _FIRST = "__csat_score_reason", "__csat_score_detail", "__csat_first"
_SURVEY_KEY, _SCORE_KEY = "__csat_survey_key", "__csat_score_key"
_MASK = "__csat_problems"
_DATE_SAMPLE_ROWS = 1_000_000  # rows whose distinct date texts choose the date format
_NO_NUMBER = -1.0e300  # the key of a missing numeric answer (no scale has this point)


@dataclass
class ScanResult(EngineResult):
    """:class:`~csat_toolkit.io.LoadResult` of rows counted in an engine.

    ``data`` is a counted frame (survey, ``responded_at`` as the day, the ``keep``
    columns, score, weight if any, then ``n``, ``w``, ``w2``); ``rejected`` holds the
    first :data:`REJECTED_SHOWN` rows set aside, all of them being in
    ``rejected_path``; the accounting comes from the engine's counts.

    Attributes
    ----------
    engine : str
        What ran, e.g. "DuckDB 1.4.0".
    reasons : Series
        Rows set aside per reason (joined reasons as the pandas loader joins them).
    rejected_path : Path or None
        Parquet file (DuckDB) or folder (Spark) of every row set aside.
    followup : DataFrame
        Kept rows with a negative score (newest first, at most ``followup_limit``).
    followup_total : int
        How many kept rows have a negative score.
    """

    followup: pd.DataFrame = field(default_factory=pd.DataFrame)
    followup_total: int = 0
    first_last: tuple = (pd.NaT, pd.NaT)
    write_all: Callable[[Path, bool], Path] | None = field(default=None, repr=False, compare=False)
    kept_rows: Callable[[int, int], Any] | None = field(default=None, repr=False,
                                                         compare=False)

    @property
    def n_used(self) -> int:
        return int(self.data["n"].sum())

    def followup_rows(self) -> pd.DataFrame:
        return self.followup

    def write_rejected(self, folder, *, mask_pii: bool = True) -> list[str]:
        """The first rows set aside as CSV and, when there are any, all of them as Parquet
        written by the engine (``rejected_rows.parquet``); free text masked in both unless
        ``mask_pii=False``."""
        written = super().write_rejected(folder, mask_pii=mask_pii)
        if self.n_set_aside and self.write_all is not None:
            self.write_all(Path(folder) / REJECTED_PARQUET, mask_pii)
            written.append(REJECTED_PARQUET)
        return written

    def rejected_note(self) -> str:
        if self.n_set_aside <= len(self.rejected):
            return super().rejected_note()
        return (f"The first {len(self.rejected):,} of the {self.n_set_aside:,} rejected rows "
                f"are in {REJECTED_CSV}; all of them in {REJECTED_PARQUET}.")

    def summary(self) -> str:
        return super().summary() + f" Counted by {self.engine}."

    def answer_dates(self) -> pd.Series:
        return pd.Series(pd.to_datetime(list(self.first_last)), name="responded_at")

    def to_rows(self, *, limit: int = ROW_LIMIT, seed: int = 0) -> LoadResult:
        """The rows used, one per answer, for analyses that model rows one by one.

        All of them when there are at most ``limit``; else a seeded random sample of
        ``limit`` drawn by the engine (DuckDB's reservoir sample has exactly that size,
        Spark's Bernoulli sample about it). The accounting stays the engine's (rows read,
        used, set aside); the notes say which rows came back.

        Examples
        --------
        >>> frame = pd.DataFrame({"response_id": range(500), "score": [5, 1] * 250})
        >>> rows = scan_responses(frame, engine="duckdb", survey="csat").to_rows(limit=200, seed=1)
        >>> len(rows.data), rows.n_used, rows.notes[-1][:50]
        (200, 500, 'A seeded random sample of 200 of the 500 rows (see')
        """
        return rows_from_engine(self, self.kept_rows(limit, seed), seed)


def scan_responses(
    source: Any,
    *,
    engine: str | None = None,
    engine_options: Mapping[str, Any] | None = None,
    keep: Sequence[str] | None = None,
    rejected_path: str | os.PathLike | None = None,
    followup_limit: int = FOLLOWUP_LIMIT,
    columns: Mapping[str, str] | None = None,
    survey: str | None = None,
    surveys: Mapping[str, str] | None = None,
    scales: Mapping[str, Any] | None = None,
    labels: Mapping[str, Mapping[str, float]] | None = None,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    timezone: str | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    na_values: list[str] | None = None,
    start: Any = None,
    end: Any = None,
    strict: bool = False,
) -> ScanResult:
    """Validate and count responses in DuckDB or Spark; the same rows and reasons as pandas.

    Parameters
    ----------
    source : path, folder, glob, DataFrame, DuckDB relation or PySpark DataFrame
        Parquet or CSV files (a folder or glob reads every file in it as one table).
    engine : {"duckdb", "spark"}, optional
        Default: Spark for a PySpark DataFrame, else DuckDB.
    engine_options : mapping, optional
        DuckDB: ``memory_limit`` (e.g. "1GB"), ``threads``, ``temp_directory``,
        ``connection``; Spark: ``session``.
    keep : list of str, optional
        More columns to count by: survey, day, score and the canonical segment columns
        present (channel, agent, team, region, industry, product) always are. Row-level
        columns (ids, comments) stay in the engine.
    rejected_path : path, optional
        Where the engine writes every row set aside (Parquet). Default: none written;
        the first :data:`REJECTED_SHOWN` are in ``rejected`` either way.
    followup_limit : int
        Newest low-score rows brought back for the follow-up queue.
    columns, survey, surveys, scales, labels, date_format, dayfirst, timezone, decimal, \
thousands, na_values, start, end, strict
        As for :func:`~csat_toolkit.io.load_responses`. Wall times are not checked against
        changes of clocks (``nonexistent``/``ambiguous`` are pandas-only).

    Returns
    -------
    ScanResult

    Examples
    --------
    >>> frame = pd.DataFrame({"response_id": [1, 2, 2], "score": ["5", "x", "4"],
    ...                       "channel": ["chat", "email", "chat"]})
    >>> result = scan_responses(frame, engine="duckdb", survey="csat")
    >>> result.summary()
    'Read 3 rows from DataFrame: 1 used, 2 set aside (duplicate response_id 1, unrecognised answer 1). Counted by DuckDB ...'
    >>> result.data[["survey", "channel", "score", "n"]].values.tolist()
    [['csat', 'chat', 5.0, 1]]
    """
    engine = engine or ("spark" if choose_engine(source) == "spark" else "duckdb")
    if engine == "pandas":
        raise ParameterError("scan_responses counts in an engine: use engine='duckdb' or "
                             "'spark' (load_responses reads into pandas).")
    options = _check_options(
        columns=columns, survey=survey, surveys=surveys, scales=scales, labels=labels,
        date_format=date_format, dayfirst=dayfirst, timezone=timezone or "UTC",
        nonexistent="set_aside", ambiguous="set_aside", encoding="utf-8", sep=None,
        decimal=decimal, thousands=thousands, sheet=None, na_values=na_values, start=start,
        end=end, strict=strict)
    with quiet_spark():
        backend, table = open_backend(source, engine, engine_options)
        notes: list[str] = []
        table, sources = _canonical(table, options, backend.source, notes)
        checked = _Validation(backend, table, options, notes).run()
        return _result(backend, checked, sources, options, notes, keep=keep,
                       rejected_path=rejected_path, followup_limit=followup_limit)


def _canonical(table: nw.LazyFrame, options: dict, name: str, notes: list[str]
               ) -> tuple[nw.LazyFrame, dict]:
    """Columns renamed (and survey filled) as the pandas loader does; new -> source name."""
    names = [c for c in table.collect_schema().names() if c not in (ROW, FILE)]
    empty = pd.DataFrame(columns=names)
    renamed, sources = _rename_columns(empty, options["columns"], name, notes)
    picks = [nw.col(old).alias(new) for new, old in sources.items() if old != ROW_NUMBER]
    if ROW_NUMBER in options["columns"]:
        picks.append(nw.col(ROW).alias(options["columns"][ROW_NUMBER]))
    table = table.select(*picks, nw.col(ROW))
    if options["survey"] is not None:
        if "survey" in renamed.columns:
            notes.append(f"survey={options['survey']!r} was given, so the file's survey column "
                         "was not used.")
        table = table.with_columns(survey=nw.lit(options["survey"]))
        renamed = renamed.assign(survey=None)
    _check_required(renamed, sources, options, name)
    return table, sources


class _Validation:
    """The loader's row checks as engine expressions; each adds flag and detail columns."""

    def __init__(self, backend: Backend, table: nw.LazyFrame, options: dict, notes: list[str]):
        self.backend, self.table, self.options, self.notes = backend, table, options, notes
        self.names = table.collect_schema().names()
        given = options["na_values"]
        self.markers = list(DEFAULT_NA_VALUES if given is None else given)
        self.flags: list[tuple[str, nw.Expr, nw.Expr]] = []  # (reason, flag, detail)

    def run(self) -> _Checked:
        self._ids()
        self._answers()
        self._dates()
        self._weights()
        self._range()
        order = {r: i for i, r in enumerate(REASONS)}
        flags = sorted(self.flags, key=lambda f: order[f[0]])
        # One bit per check: the counting pass groups by this integer; the reason texts
        # are joined in Python per combination, and the details only for rows set aside.
        mask = nw.sum_horizontal(*[nw.when(f).then(nw.lit(1 << i)).otherwise(nw.lit(0))
                                   for i, (_, f, _) in enumerate(flags)]) if flags else nw.lit(0)
        table = self.table.with_columns(mask.alias(_MASK))
        return _Checked(table, self.names, self.date_format, self.scales, flags)

    # --- the checks -------------------------------------------------------------
    def _blank(self, column: str) -> nw.Expr:
        """Missing: null, and for text also blank or a missing-value marker ("NA" ...)."""
        dtype = self.table.collect_schema()[column]
        if dtype == nw.String:
            text = nw.col(column).str.strip_chars()
            return nw.col(column).is_null() | (text == "") | nw.col(column).is_in(self.markers)
        if dtype.is_float():
            return nw.col(column).is_null() | nw.col(column).is_nan()
        return nw.col(column).is_null()

    def _ids(self) -> None:
        missing = self._blank("response_id")
        self.flags.append((MISSING_ID, missing, nw.lit("response_id is empty")))
        present = self.table.filter(~missing)
        sizes = self.backend.collect(present.select(
            nw.len().alias("rows"), nw.col("response_id").n_unique().alias("ids")))
        repeated = pd.DataFrame()
        if int(sizes["rows"].iloc[0]) > int(sizes["ids"].iloc[0]):  # some id is repeated
            repeated = self.backend.collect(  # only the ids seen twice or more
                present.group_by("response_id")
                .agg(nw.len().alias("__csat_n"), nw.col(ROW).min().alias(_FIRST))
                .filter(nw.col("__csat_n") > 1).drop("__csat_n"))
        if len(repeated):
            self.table = self.table.join(self.backend.from_pandas(repeated), on="response_id",
                                         how="left")
        else:
            self.table = self.table.with_columns(nw.lit(None, dtype=nw.Int64).alias(_FIRST))
        duplicate = ~nw.col(_FIRST).is_null() & (nw.col(ROW) > nw.col(_FIRST))
        text = self._quoted("response_id")
        self.flags.append((DUPLICATE_ID, duplicate, nw.concat_str(
            [nw.lit("response_id "), text, nw.lit(" already seen at source row "),
             nw.col(_FIRST).cast(nw.String)])))

    def _quoted(self, column: str) -> nw.Expr:
        """The value as Python's repr shows it: text in quotes, numbers bare."""
        dtype = self.table.collect_schema()[column]
        text = nw.col(column).cast(nw.String)
        return nw.concat_str([nw.lit("'"), text, nw.lit("'")]) if dtype == nw.String else text

    def _answers(self) -> None:
        """Survey labels and answers: one pass for their distinct pairs, parsed in Python
        as the pandas loader parses them, joined back as one small table."""
        self.scales: dict[str, Scale] = dict(self.options["scales"])
        blank_survey, blank_score = self._blank("survey"), self._blank("score")
        # Numbers are keyed as numbers (a text cast of every row costs more than the rest
        # of the pass); a missing number gets a key no answer can have.
        self.numeric = self.table.collect_schema()["score"].is_numeric()
        missing, kind = (_NO_NUMBER, nw.Float64) if self.numeric else ("", nw.String)
        keys = [nw.when(blank_survey).then(nw.lit("")).otherwise(
                    nw.col("survey").cast(nw.String)).alias(_SURVEY_KEY),
                nw.when(blank_score).then(nw.lit(missing)).otherwise(
                    nw.col("score").cast(kind)).alias(_SCORE_KEY)]
        self.table = self.table.with_columns(*keys)
        pairs = self.backend.distinct(self.table.select(_SURVEY_KEY, _SCORE_KEY))
        lookup = self.backend.from_pandas(self._parsed_pairs(pairs))
        self.table = self.table.join(lookup, on=[_SURVEY_KEY, _SCORE_KEY], how="left")
        unknown = ~blank_survey & nw.col(_SURVEY).is_null()
        self.flags.append((MISSING_SURVEY, blank_survey, nw.lit("survey is empty")))
        self.flags.append((UNKNOWN_SURVEY, unknown, nw.concat_str([
            nw.lit("survey "), self._quoted("survey"),
            nw.lit(f" is not {', '.join(SURVEYS[:-1])} or {SURVEYS[-1]}; map it with surveys={{"),
            self._quoted("survey"), nw.lit(": 'csat'} (or nps, ces, pmf)")])))
        for reason in (MISSING, UNRECOGNISED, OUT_OF_RANGE):
            self.flags.append((reason, nw.col(_SREASON) == reason, nw.col(_SDETAIL)))

    def _parsed_pairs(self, pairs: pd.DataFrame) -> pd.DataFrame:
        """Canonical survey, score, reason and detail of each distinct (label, answer)."""
        lookup = _survey_lookup(self.options["surveys"])
        exact = dict(self.options["surveys"])
        labels = pairs[_SURVEY_KEY].astype(object)
        kinds = {label: (exact.get(label, lookup.get(normalise_label(label))) if label else None)
                 for label in labels.unique()}
        pairs = pairs.assign(**{_SURVEY: labels.map(kinds).astype(object)})
        parts = [pairs[pairs[_SURVEY].isna()].assign(**{_SCORE: np.nan, _SREASON: "",
                                                         _SDETAIL: ""})]
        for survey, group in pairs[pairs[_SURVEY].notna()].groupby(_SURVEY):
            answers = group[_SCORE_KEY].astype(object)
            if self.numeric:
                answers = answers.where(answers != _NO_NUMBER, "")
            parsed = _parse_answers(answers, self.scales[survey])
            parts.append(group.reset_index(drop=True).assign(
                **{c: parsed[c].to_numpy() for c in (_SCORE, _SREASON, _SDETAIL)}))
        table = pd.concat(parts, ignore_index=True)
        return table.astype({_SURVEY_KEY: str, _SCORE_KEY: float if self.numeric else str,
                             _SURVEY: object,
                             _SCORE: float, _SREASON: str, _SDETAIL: str})

    def _dates(self) -> None:
        if "responded_at" not in self.names:
            self.notes.append("No responded_at column: dates are missing, so period and trend "
                              "analyses are unavailable (map a date column to responded_at).")
            self.table = self.table.with_columns(
                nw.lit(None, dtype=nw.Datetime("us")).alias(_DATE))
            self.date_format = None
            return
        is_text = self.table.collect_schema()["responded_at"] == nw.String
        self.date_format = self._date_format() if is_text else None
        self.table = self.backend.parse_dates(self.table, "responded_at", self.date_format,
                                              self.options["timezone"], _DATE)
        missing = self._blank("responded_at")
        unread = nw.col(_DATE).is_null() & ~missing
        self.flags.append((MISSING_DATE, missing, nw.lit("responded_at is empty")))
        self.flags.append((UNPARSEABLE_DATE, unread, nw.concat_str([
            nw.lit("responded_at "), self._quoted("responded_at"),
            nw.lit(f" does not match {self.date_format or 'a date'}")])))

    def _date_format(self) -> str | None:
        """The text dates' format, inferred as pandas infers it, from up to 20,000 distinct
        values among the first :data:`_DATE_SAMPLE_ROWS` rows (the engine then reads every
        date with it and sets aside, as unparseable, any that does not match)."""
        if self.options["date_format"] is not None:
            return self.options["date_format"]
        text = nw.col("responded_at").str.strip_chars()
        first = (self.table.select(text.alias("responded_at")).head(_DATE_SAMPLE_ROWS)
                 .filter(~nw.col("responded_at").is_null() & (nw.col("responded_at") != "")
                         & ~nw.col("responded_at").is_in(self.markers)))
        sample = self.backend.distinct(first).sort_values("responded_at").head(20_000)
        if not len(sample):
            return None
        values = pd.Series(sample["responded_at"].to_numpy(dtype=object), name="responded_at")
        _, _, used = _parse_dates(values, self.options, self.notes)
        return used

    def _weights(self) -> None:
        if "weight" not in self.names:
            return
        self.table = self.backend.to_number(self.table, "weight", _WEIGHT,
                                            self.options["decimal"], self.options["thousands"])
        weight = nw.col(_WEIGHT)
        bad = weight.is_null() | ~(weight > 0) | weight.is_nan() | (weight == float("inf"))
        self.flags.append((INVALID_WEIGHT, bad, nw.concat_str([
            nw.lit("weight "), nw.when(self._blank("weight")).then(nw.lit("nan"))
            .otherwise(self._quoted("weight")), nw.lit(" is not a positive number")])))

    def _range(self) -> None:
        start, end = self.options["start"], self.options["end"]
        date = nw.col(_DATE)
        if start is not None:
            self.flags.append((OUTSIDE_RANGE, date < start.to_pydatetime(),
                               nw.lit(f"responded_at is before start {_stamp_text(start)}")))
        if end is not None:
            late = date >= (end + pd.Timedelta(days=1)).to_pydatetime() \
                if end == end.normalize() else date > end.to_pydatetime()
            self.flags.append((OUTSIDE_RANGE, late,
                               nw.lit(f"responded_at is after end {_stamp_text(end)}")))


def _parse_answers(keys: pd.Series, scale: Scale) -> pd.DataFrame:
    """Score, reason and detail of each distinct answer text, as the pandas loader parses."""
    values = keys.astype(object).tolist()
    scores, reasons = scale.parse(pd.Series(values, dtype=object))
    details = [scale.explain(v, r) if r is not None else None
               for v, r in zip(values, reasons)]
    return pd.DataFrame({
        _SCORE_KEY: pd.Series(values, dtype=object),
        _SCORE: scores.to_numpy(dtype=float),
        _SREASON: pd.Series(reasons.to_numpy(dtype=object), dtype=object).fillna(""),
        _SDETAIL: pd.Series(details, dtype=object).fillna(""),
    })


@dataclass
class _Checked:
    table: nw.LazyFrame
    names: list[str]
    date_format: str | None
    scales: dict
    flags: list  # (reason, flag, detail), in the order reasons are joined

    def reason_of(self, mask: int) -> str:
        """The joined reasons of a combination of check bits ("" for none)."""
        return "; ".join(dict.fromkeys(r for i, (r, _, _) in enumerate(self.flags)
                                       if mask >> i & 1))

    def with_reasons(self) -> nw.LazyFrame:
        """The rows set aside with their joined reasons and details."""
        hit = [(nw.col(_MASK) // (1 << i) % 2 == 1, r, d)
               for i, (r, _, d) in enumerate(self.flags)]
        reason = nw.concat_str([nw.when(h).then(nw.lit(r)) for h, r, _ in hit],
                               separator="; ", ignore_nulls=True)
        detail = nw.concat_str([nw.when(h).then(d) for h, _, d in hit],
                               separator="; ", ignore_nulls=True)
        return (self.table.filter(nw.col(_MASK) != 0)
                .with_columns(reason=reason, detail=detail))


def _result(backend: Backend, checked: _Checked, sources: dict, options: dict,
            notes: list[str], *, keep, rejected_path, followup_limit) -> ScanResult:
    table = checked.table
    kept_columns = _keep_columns(keep, checked.names, notes)
    weighted = "weight" in checked.names
    by = [_MASK, _SURVEY, "__csat_day", *kept_columns, _SCORE]
    grouped = (table.with_columns(nw.col(_DATE).dt.truncate("1d").alias("__csat_day"))
               .group_by(*by, drop_null_keys=False)
               .agg(nw.len().alias("n"), nw.col(_DATE).min().alias("__csat_first_at"),
                    nw.col(_DATE).max().alias("__csat_last_at"),
                    *(_weight_sums() if weighted else [])))
    counts = backend.collect(grouped)
    n_read = int(counts["n"].sum())
    by_mask = counts.groupby(_MASK)["n"].sum()
    reasons = by_mask.groupby([checked.reason_of(int(m)) for m in by_mask.index]).sum()
    reasons = reasons.drop("", errors="ignore").astype("int64")
    good = counts[counts[_MASK] == 0]
    shown = _rejected_rows(backend, checked, sources, REJECTED_SHOWN) \
        if len(reasons) else pd.DataFrame(columns=["source_row", "reason", "detail"])
    name = backend.source
    problems = reasons[[not _only_range(r) for r in reasons.index]]
    if not len(good):
        raise NoValidRowsError(
            f"No usable rows in {_display_name(name)}: all {n_read:,} rows were set aside "
            f"({_format_counts(reasons.sort_values(ascending=False))}). Examples: "
            + " ".join(f"source row {r}: {d}." for r, d in
                       zip(shown["source_row"].head(3), shown["detail"].head(3))))
    if options["strict"] and problems.sum():
        raise RejectedRowsError(
            f"strict=True and {int(problems.sum()):,} of {n_read:,} rows in "
            f"{_display_name(name)} have problems ({_format_counts(problems)}). Fix these "
            "rows in the source, or load without strict=True to set them aside.")
    written = None
    if rejected_path is not None and n_read > len(good):
        written = backend.write_parquet(_rejected_table(checked, sources), Path(rejected_path))
    followup, total = _followup(backend, table, checked, followup_limit, good)
    data = _counted_frame(good, kept_columns, weighted)
    result_options = {"engine": backend.name, "source": name, "keep": kept_columns,
                      "date_format": checked.date_format, "timezone": options["timezone"]}
    return ScanResult(
        data=data, rejected=shown, source=name, n_read=n_read, notes=notes,
        options=result_options, scales=dict(options["scales"]), engine=backend.describe(),
        reasons=reasons, rejected_path=written, followup=followup, followup_total=total,
        first_last=(good["__csat_first_at"].min(), good["__csat_last_at"].max()),
        write_all=lambda path, mask: backend.write_parquet(_rejected_table(checked, sources),
                                                           path, mask_pii=mask),
        kept_rows=lambda limit, seed: sample_rows(
            _kept_table(checked), _kept_columns(checked), n=limit, seed=seed, threshold=limit,
            backend=backend))


def _only_range(reason: str) -> bool:
    return all(part == OUTSIDE_RANGE for part in reason.split("; "))


def _weight_sums() -> list[nw.Expr]:
    weight = nw.col(_WEIGHT)
    return [weight.sum().alias("w"), (weight * weight).sum().alias("w2")]


def _keep_columns(keep, names: list[str], notes: list[str]) -> list[str]:
    """The canonical segment columns present, then the ``keep`` columns."""
    keep = [keep] if isinstance(keep, str) else list(keep or [])
    missing = [c for c in keep if c not in names]
    if missing:
        raise ParameterError(f"keep= names {show_values(missing)}, not columns of the data; "
                             f"columns: {show_values([c for c in names if c != ROW], 20)}.")
    chosen = [c for c in SEGMENT_COLUMNS if c in names]
    chosen += [c for c in keep if c not in chosen and c not in _VALIDATED]
    rest = [c for c in names if c not in chosen and c not in _VALIDATED and c != ROW]
    if rest:
        notes.append(f"Counted by survey, day, score and {', '.join(chosen) or 'no segment'}; "
                     f"{show_values(rest, 8)} stay in the engine (name them in keep= to "
                     "break results down by them).")
    return chosen


_VALIDATED = ("response_id", "responded_at", "survey", "score", "weight")


def _counted_frame(good: pd.DataFrame, kept: list[str], weighted: bool) -> pd.DataFrame:
    frame = pd.DataFrame({"survey": good[_SURVEY].astype(object).to_numpy(),
                          "responded_at": pd.to_datetime(good["__csat_day"]).astype(
                              "datetime64[us]").to_numpy()})
    for column in kept:
        frame[column] = good[column].to_numpy()
    frame["score"] = good[_SCORE].to_numpy(dtype=float)
    frame["n"] = good["n"].to_numpy(dtype="int64")
    frame["w"] = good["w"].to_numpy(dtype=float) if weighted else frame["n"].astype(float)
    frame["w2"] = good["w2"].to_numpy(dtype=float) if weighted else frame["n"].astype(float)
    order = ["survey", "responded_at", *kept, "score"]
    frame = frame.sort_values(order, kind="stable", na_position="last").reset_index(drop=True)
    return counted(frame, weight="weight" if weighted else None)


def _rejected_table(checked: _Checked, sources: dict) -> nw.LazyFrame:
    originals = [nw.col(c) for c in checked.names
                 if c != ROW and sources.get(c) != ROW_NUMBER]
    return checked.with_reasons().select(nw.col(ROW).alias("source_row"), nw.col("reason"),
                                         nw.col("detail"), *originals)


def _kept_columns(checked: _Checked) -> list[str]:
    first = ["response_id", "responded_at", "survey", "score"]
    weight = ["weight"] if "weight" in checked.names else []
    return first + weight + [c for c in checked.names if c not in (*first, "weight", ROW)]


def _kept_table(checked: _Checked) -> nw.LazyFrame:
    """The rows used in canonical form (parsed dates, surveys, scores and weights)."""
    parsed = {"responded_at": _DATE, "survey": _SURVEY, "score": _SCORE, "weight": _WEIGHT}
    return checked.table.filter(nw.col(_MASK) == 0).select(
        *[nw.col(parsed.get(c, c)).alias(c) for c in _kept_columns(checked)], nw.col(ROW))


def _rejected_rows(backend: Backend, checked: _Checked, sources: dict, limit: int
                   ) -> pd.DataFrame:
    """The first ``limit`` rows set aside, in source order. DuckDB keeps the scan's order,
    so it stops after the first ``limit``; Spark has none of its own, so it sorts."""
    rows = _rejected_table(checked, sources)
    rows = rows.head(limit) if backend.name == "duckdb" else rows.sort("source_row").head(limit)
    return backend.collect(rows).sort_values("source_row").reset_index(drop=True)


def _followup(backend: Backend, table: nw.LazyFrame, checked: _Checked, limit: int,
              good: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Kept rows the follow-up queue lists (a negative CSAT or NPS score): the newest
    ``limit`` of them, and how many in all (from the counts)."""
    wanted, total = [], 0
    for survey in FOLLOWUP_SURVEYS:
        scale = checked.scales[survey]
        points = [float(p) for p in scale.points if scale.is_negative(np.array([p]))[0]]
        mine = good[(good[_SURVEY] == survey) & good[_SCORE].isin(points)]
        total += int(mine["n"].sum())
        if points:
            wanted.append((nw.col(_SURVEY) == survey) & nw.col(_SCORE).is_in(points))
    columns = [c for c in checked.names if c not in ("survey", "score", "responded_at", "weight")
               and c != ROW]
    if not total:
        return pd.DataFrame(columns=[*columns, "responded_at", "survey", "score"]), 0
    low = table.filter((nw.col(_MASK) == 0) & nw.any_horizontal(*wanted, ignore_nulls=True))
    rows = backend.collect(
        low.sort(_DATE, ROW, descending=[True, False], nulls_last=True).head(limit)
        .select(*columns, nw.col(_DATE).alias("responded_at"), nw.col(_SURVEY).alias("survey"),
                nw.col(_SCORE).alias("score")))
    return rows, total
