"""Where the rows live: choosing an engine and the few steps each engine does its own way.

The engine-side logic is written once with narwhals (``responses.py``); what differs per
engine is here: opening a source with a row number, parsing date text, turning a small
pandas table into the engine's own table, writing rows to Parquet and counting.
DuckDB reads files and folders out of core; Spark takes a PySpark DataFrame (a cluster,
or ``local[*]``) or reads paths through the active session.
"""
from __future__ import annotations

import contextlib
import glob
import os
import re
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import narwhals as nw
import pandas as pd

from ...errors import FileFormatError, ParameterError, show_values
from ..loaded import mask_parquet

__all__ = ["ENGINES", "Backend", "choose_engine", "open_backend", "files_of",
           "LARGE_FILE_BYTES"]

#: Engines a source can be counted in.
ENGINES = ("pandas", "duckdb", "spark")

#: A single file at least this big is read by DuckDB, not into memory (about a quarter
#: of a laptop's memory once parsed: CSV text grows 3-10x as pandas objects).
LARGE_FILE_BYTES = 1 << 30

#: Column names the engine adds (never in a user's data).
ROW, FILE = "__csat_row", "__csat_file"

_FILE_SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "csv",
                  ".txt": "csv"}


def choose_engine(source: Any, engine: str | None = None) -> str:
    """The engine that counts ``source``: the one asked for, else from what the source is.

    A pandas DataFrame and a single file under :data:`LARGE_FILE_BYTES` stay on pandas
    (the fastest for data in memory); a folder, a glob or a larger file go to DuckDB; a
    DuckDB relation to DuckDB, a PySpark DataFrame to Spark.

    Examples
    --------
    >>> choose_engine(pd.DataFrame({"score": [5]}))
    'pandas'
    >>> choose_engine("data/*.parquet")
    'duckdb'
    """
    if engine is not None:
        if engine not in ENGINES:
            raise ParameterError(f"Unknown engine {engine!r}; use one of {', '.join(ENGINES)}.")
        return engine
    kind = _native_kind(source)
    if kind is not None:
        return kind
    if not isinstance(source, (str, os.PathLike)):
        return "pandas"  # a DataFrame, or something the pandas loader explains it cannot read
    text = os.fspath(source)
    if glob.has_magic(text) or Path(text).is_dir():
        return "duckdb"
    path = Path(text)
    if path.suffix.lower() in _FILE_SUFFIXES and path.is_file() \
            and path.stat().st_size >= LARGE_FILE_BYTES:
        return "duckdb"
    return "pandas"


def _native_kind(source: Any) -> str | None:
    module = type(source).__module__
    if module.startswith("duckdb"):
        return "duckdb"
    if module.startswith("pyspark"):
        return "spark"
    return None


def files_of(source: str | os.PathLike) -> tuple[list[str], str]:
    """The files a path, folder or glob names, and their format ("parquet" or "csv").

    Raises FileFormatError (naming the path) when nothing matches or formats mix.
    """
    text = os.fspath(source)
    path = Path(text)
    if path.is_dir():
        found = sorted(str(p) for p in path.rglob("*") if p.suffix.lower() in _FILE_SUFFIXES)
    else:
        found = sorted(glob.glob(text, recursive=True))
    if not found:
        raise FileFormatError(
            f"No data files at {text!r}: give a file, a folder of .parquet or .csv files, "
            "or a glob such as 'responses/*.parquet'.")
    kinds = {_FILE_SUFFIXES.get(Path(f).suffix.lower()) for f in found}
    if None in kinds or len(kinds) > 1:
        raise FileFormatError(
            f"{text!r} holds files of mixed or unknown types "
            f"({show_values(sorted({Path(f).suffix for f in found}))}): an engine reads one "
            "format at a time, .parquet/.pq or .csv/.tsv/.txt.")
    return found, kinds.pop()


@dataclass
class Backend:
    """One engine's own steps; the logic between them is narwhals.

    Attributes
    ----------
    name : str
        "duckdb" or "spark".
    handle : object
        The DuckDB connection or the SparkSession.
    source : str
        What was read (paths, or "DuckDB relation" / "Spark DataFrame").
    """

    name: str
    handle: Any
    source: str
    options: dict = field(default_factory=dict)

    # --- tables -----------------------------------------------------------------
    def from_pandas(self, frame: pd.DataFrame) -> nw.LazyFrame:
        """A small pandas table as a table of this engine (for joins)."""
        if self.name == "duckdb":
            return nw.from_native(self.handle.from_df(frame))
        with quiet_spark():
            spark_frame = self.handle.createDataFrame(frame, schema=_spark_schema(frame))
        return nw.from_native(spark_frame)

    def collect(self, frame: nw.LazyFrame) -> pd.DataFrame:
        """Bring a (small) result into pandas."""
        with quiet_spark():
            return frame.collect(backend="pandas").to_native()

    def distinct(self, frame: nw.LazyFrame) -> pd.DataFrame:
        """The distinct rows of a (narrow) table, in pandas.

        A ``GROUP BY`` of every column: narwhals' ``unique()`` becomes a partitioned
        ``row_number()`` window on DuckDB, 16 times slower on 10M rows.
        """
        names = frame.collect_schema().names()
        grouped = frame.group_by(*names, drop_null_keys=False).agg(nw.len().alias("__csat_n"))
        return self.collect(grouped).drop(columns="__csat_n")

    def write_parquet(self, frame: nw.LazyFrame, path: Path, *, mask_pii: bool = True) -> Path:
        """Write rows to a Parquet file (DuckDB) or folder (Spark) without collecting them.

        Every file written here leaves the toolkit (rows set aside), so its free-text
        columns are masked for personal data afterwards, in batches
        (:func:`csat_toolkit.io.loaded.mask_parquet`), unless ``mask_pii=False``.
        """
        native = frame.to_native()
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.name == "duckdb":
            native.write_parquet(str(path))
        else:
            native.write.mode("overwrite").parquet(str(path))
        if mask_pii:
            mask_parquet(path)
        return path

    # --- dates ------------------------------------------------------------------
    def parse_dates(self, frame: nw.LazyFrame, column: str, fmt: str | None, timezone: str,
                    out: str) -> nw.LazyFrame:
        """Add ``out``: ``column`` read as naive local time in ``timezone`` (null if unread).

        ``fmt`` None reads a date or timestamp column (an instant is converted to the
        zone's wall time); "ISO8601" reads ISO text (an offset is converted, a time
        without one is a wall time); any other value is a strftime format.
        """
        native = frame.to_native()
        if self.name == "duckdb":
            return nw.from_native(self._duckdb_dates(native, column, fmt, timezone, out))
        self.handle.conf.set("spark.sql.session.timeZone", timezone)
        return nw.from_native(self._spark_dates(native, column, fmt, out))

    def _duckdb_dates(self, rel, column: str, fmt: str | None, timezone: str, out: str):
        self.handle.execute(f"SET TimeZone = '{timezone}'")
        col = _quote(column)
        kind = str(dict(zip(rel.columns, rel.types))[column]).upper()
        if fmt is None:
            expr = (f"timezone('{timezone}', {col})" if "TIME ZONE" in kind
                    else f"CAST({col} AS TIMESTAMP)")
        elif fmt == "ISO8601":
            expr = f"CAST(TRY_CAST(TRIM({col}) AS TIMESTAMPTZ) AS TIMESTAMP)"
        else:
            expr = f"TRY_STRPTIME(TRIM({col}), '{fmt}')"
        return rel.project(f"*, {expr} AS {_quote(out)}")

    def _spark_dates(self, sdf, column: str, fmt: str | None, out: str):
        from pyspark.sql import functions as F
        from pyspark.sql.types import StringType
        col = F.col(f"`{column}`")
        if fmt is None and not isinstance(sdf.schema[column].dataType, StringType):
            expr = col.cast("timestamp_ntz") if "ntz" in sdf.schema[column].dataType.simpleString() \
                else F.to_timestamp_ntz(F.date_format(col, "yyyy-MM-dd HH:mm:ss.SSSSSS"))
        elif fmt in (None, "ISO8601"):
            expr = F.to_timestamp_ntz(F.date_format(F.try_to_timestamp(F.trim(col)),
                                                    "yyyy-MM-dd HH:mm:ss.SSSSSS"))
        else:
            expr = F.try_to_timestamp(F.trim(col), F.lit(java_pattern(fmt))).cast("timestamp_ntz")
        return sdf.withColumn(out, expr)

    def to_number(self, frame: nw.LazyFrame, column: str, out: str, decimal: str = ".",
                  thousands: str | None = None) -> nw.LazyFrame:
        """Add ``out``: ``column`` as a float (null where it does not read as a number)."""
        native = frame.to_native()
        if self.name == "duckdb":
            col = _quote(column)
            kind = str(dict(zip(native.columns, native.types))[column]).upper()
            if kind in ("VARCHAR", "STRING", "TEXT"):
                text = f"TRIM({col})"
                if thousands:
                    text = f"REPLACE({text}, '{thousands}', '')"
                if decimal != ".":
                    text = f"REPLACE({text}, '{decimal}', '.')"
                expr = f"TRY_CAST({text} AS DOUBLE)"
            else:
                expr = f"TRY_CAST({col} AS DOUBLE)"
            return nw.from_native(native.project(f"*, {expr} AS {_quote(out)}"))
        from pyspark.sql import functions as F
        text = F.trim(F.col(f"`{column}`").cast("string"))
        if thousands:
            text = F.replace(text, F.lit(thousands), F.lit(""))
        if decimal != ".":
            text = F.replace(text, F.lit(decimal), F.lit("."))
        return nw.from_native(native.withColumn(out, text.try_cast("double")))

    def describe(self) -> str:
        """"DuckDB 1.x" or "Spark 4.x (local[2])": what ran, for the report."""
        if self.name == "duckdb":
            import duckdb
            return f"DuckDB {duckdb.__version__}"
        master = self.handle.sparkContext.master
        return f"Spark {self.handle.version} ({master})"


@contextlib.contextmanager
def quiet_spark():
    """PySpark warns on every conversion that it does not test pandas 3; the conversions
    here are of small, typed tables (checked by the cross-engine tests)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                                category=FutureWarning)
        warnings.filterwarnings("ignore", message="The copy keyword is deprecated",
                                module="pyspark")
        yield


def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _spark_schema(frame: pd.DataFrame):
    from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType
    kinds = {"i": LongType(), "u": LongType(), "f": DoubleType()}
    return StructType([StructField(str(c), kinds.get(frame[c].dtype.kind, StringType()))
                       for c in frame.columns])


_JAVA = {"%Y": "yyyy", "%y": "yy", "%m": "MM", "%d": "dd", "%H": "HH", "%I": "hh",
         "%M": "mm", "%S": "ss", "%f": "SSSSSS", "%p": "a", "%b": "MMM", "%B": "MMMM",
         "%z": "XX", "%%": "%"}


def java_pattern(fmt: str) -> str:
    """A strftime format as Spark's (Java) datetime pattern; an error names what has none.

    Examples
    --------
    >>> java_pattern("%d/%m/%Y %H:%M")
    'dd/MM/yyyy HH:mm'
    """
    parts = re.split(r"(%.)", fmt)
    unknown = [p for p in parts if p.startswith("%") and p not in _JAVA]
    if unknown:
        raise ParameterError(
            f"date_format {fmt!r} uses {show_values(unknown)}, which Spark cannot read; use "
            f"{', '.join(k for k in _JAVA if k != '%%')}, or load with engine='duckdb'.")
    literal = lambda text: "'" + text.replace("'", "''") + "'" if re.search("[A-Za-z]", text) else text  # noqa: E731
    return "".join(_JAVA[p] if p in _JAVA else literal(p) for p in parts if p)


def open_backend(source: Any, engine: str, options: Mapping[str, Any] | None = None
                 ) -> tuple[Backend, nw.LazyFrame]:
    """The engine's table of ``source`` with a 1-based row number (and file, for folders).

    Parameters
    ----------
    source : path, folder, glob, DataFrame, DuckDB relation or PySpark DataFrame
    engine : {"duckdb", "spark"}
    options : mapping, optional
        ``engine_options``: for DuckDB ``memory_limit`` (e.g. "1GB"), ``threads``,
        ``temp_directory`` and ``connection`` (an open ``duckdb`` connection); for
        Spark ``session`` (a SparkSession; default the active one, else ``local[*]``).
        A DuckDB relation is read in its connection: ``duckdb``'s default one (where
        ``duckdb.sql`` and ``duckdb.from_df`` put it) unless ``connection`` is given.
    """
    options = dict(options or {})
    if engine == "duckdb":
        return _open_duckdb(source, options)
    if engine == "spark":
        return _open_spark(source, options)
    raise ParameterError(f"open_backend needs engine 'duckdb' or 'spark'; got {engine!r}.")


_DUCKDB_SETTINGS = ("memory_limit", "threads", "temp_directory")

#: Where DuckDB spills beyond its memory limit (its own default, ``.tmp`` in the working
#: folder, would land in notebooks/ during a report run).
_DUCKDB_SPILL = os.path.join(tempfile.gettempdir(), "csat_toolkit_duckdb")


def _open_duckdb(source: Any, options: dict) -> tuple[Backend, nw.LazyFrame]:
    import duckdb
    unknown = [k for k in options if k not in (*_DUCKDB_SETTINGS, "connection")]
    if unknown:
        raise ParameterError(f"Unknown DuckDB engine option(s) {show_values(unknown)}; use "
                             f"{', '.join((*_DUCKDB_SETTINGS, 'connection'))}.")
    # A relation lives in its connection: the default one (duckdb.sql, duckdb.from_df)
    # unless engine_options names another.
    relation = _native_kind(source) == "duckdb"
    con = options.get("connection") or (duckdb.default_connection() if relation
                                        else duckdb.connect())
    settings = {"temp_directory": _DUCKDB_SPILL, **options}
    for key in _DUCKDB_SETTINGS:
        if settings.get(key) is not None:
            con.execute(f"SET {key} = '{settings[key]}'")
    if relation:
        rel, name = source, "DuckDB relation"
    elif isinstance(source, pd.DataFrame):
        rel, name = con.from_df(source), "DataFrame"
    else:
        rel, name = _duckdb_files(con, source)
    numbered = rel.project(f"*, row_number() OVER () AS {ROW}") if ROW not in rel.columns else rel
    return Backend("duckdb", con, name, options), nw.from_native(numbered)


def _duckdb_files(con, source) -> tuple[Any, str]:
    files, kind = files_of(source)
    listed = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
    if kind == "parquet":
        rel = con.sql(f"SELECT * FROM read_parquet({listed}, union_by_name = true)")
    else:
        rel = con.sql(f"SELECT * FROM read_csv({listed}, all_varchar = true, "
                      "union_by_name = true)")
    name = files[0] if len(files) == 1 else os.fspath(source)
    return rel, name


def _open_spark(source: Any, options: dict) -> tuple[Backend, nw.LazyFrame]:
    try:
        from pyspark.sql import SparkSession
        from pyspark.sql import functions as F
    except ImportError as exc:
        raise ParameterError(
            "engine='spark' needs PySpark: pip install 'csat_toolkit[spark]' (and Java 17)."
        ) from exc
    unknown = [k for k in options if k != "session"]
    if unknown:
        raise ParameterError(f"Unknown Spark engine option(s) {show_values(unknown)}; use "
                             "session.")
    if _native_kind(source) == "spark":
        sdf, name = source, "Spark DataFrame"
        spark = sdf.sparkSession
    else:
        spark = options.get("session") or SparkSession.getActiveSession() or \
            SparkSession.builder.master("local[*]").config(
                "spark.ui.showConsoleProgress", "false").getOrCreate()
        if isinstance(source, pd.DataFrame):
            sdf, name = spark.createDataFrame(source), "DataFrame"
        else:
            files, kind = files_of(source)
            reader = spark.read.option("mergeSchema", "true")
            sdf = reader.parquet(*files) if kind == "parquet" else \
                reader.option("header", "true").csv(files)
            name = files[0] if len(files) == 1 else os.fspath(source)
    # Spark has no row order of its own: the monotonically increasing id follows the
    # partitions' order (file order), unique but not contiguous across partitions.
    numbered = sdf.withColumn(ROW, F.monotonically_increasing_id() + 1)
    return Backend("spark", spark, name, options), nw.from_native(numbered)
