"""A pandas function applied to an engine's rows batch by batch, inside the engine.

Some row-level steps have no engine expression: business hours need weekly schedules,
time zones and holidays (:mod:`csat_toolkit.ops.businesshours`, vectorised with numpy).
:func:`map_batches` runs such a function on one batch of rows at a time and gives the
results back as a table of the same engine, so that the counting after it stays in the
engine and only one batch is ever in Python's memory:

- DuckDB: the rows stream out as Arrow record batches (``to_arrow_reader``), each batch
  goes through the function, and the results stream back in through an Arrow reader
  into a table of the same database (``from_arrow(...).create``), which the later
  queries read (DuckDB spills it to its temporary directory beyond its memory limit).
- Spark: ``DataFrame.mapInPandas`` (the function runs on the executors, one Arrow batch
  of ``spark.sql.execution.arrow.maxRecordsPerBatch`` rows at a time).

The io layer never imports the analyses: they pass their function in.
"""
from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping

import narwhals as nw
import pandas as pd

from ...errors import DataError, ParameterError, show_values
from ._backends import Backend, quiet_spark

__all__ = ["map_batches", "materialize", "release", "BATCH_ROWS"]

#: Rows per batch on DuckDB (Spark uses its own Arrow batch size).
BATCH_ROWS = 100_000

_ARROW = {"float64": "float64", "int64": "int64", "string": "string", "bool": "bool",
          "datetime": "timestamp[us]"}
_SPARK = {"float64": "double", "int64": "bigint", "string": "string", "bool": "boolean",
          "datetime": "timestamp_ntz"}


def map_batches(
    backend: Backend,
    lazy: nw.LazyFrame,
    fn: Callable[[pd.DataFrame], pd.DataFrame],
    output_schema: Mapping[str, str],
    *,
    batch_rows: int = BATCH_ROWS,
) -> nw.LazyFrame:
    """Apply ``fn`` to the rows of ``lazy`` one pandas batch at a time, inside the engine.

    Parameters
    ----------
    backend : Backend
        The engine ``lazy`` lives in (from :func:`~csat_toolkit.io.engines.open_backend`
        or a scan's ``backend``).
    lazy : narwhals LazyFrame
        The rows; select only the columns ``fn`` needs (each is sent to Python).
    fn : callable
        pandas DataFrame -> pandas DataFrame with the columns of ``output_schema``, one
        output row per input row or any other number (it sees one batch at a time, so
        it must not depend on other batches). It runs on Spark's executors: it must be
        picklable (a module-level function or a ``functools.partial`` of one).
    output_schema : mapping
        Output column -> type: "float64", "int64", "string", "bool" or "datetime"
        (naive, microseconds).
    batch_rows : int
        Rows per batch on DuckDB.

    Returns
    -------
    narwhals LazyFrame
        DuckDB: a table of the input's database, written once (read it as often as
        needed); Spark: the lazy ``mapInPandas`` result (recomputed by each action).

    Raises
    ------
    ParameterError
        An unknown output type, or ``batch_rows`` not a positive whole number.
    DataError
        ``fn`` returned other columns than ``output_schema`` names (the message lists them).

    Examples
    --------
    >>> import duckdb
    >>> from csat_toolkit.io.engines import open_backend
    >>> backend, table = open_backend(pd.DataFrame({"x": [1.0, 2.0, 3.0]}), "duckdb")
    >>> doubled = map_batches(backend, table.select("x"),
    ...                       lambda df: df.assign(y=2 * df["x"]), {"x": "float64", "y": "float64"},
    ...                       batch_rows=2)
    >>> sorted(backend.collect(doubled)["y"].tolist())
    [2.0, 4.0, 6.0]
    """
    schema = _check_schema(output_schema)
    if isinstance(batch_rows, bool) or not isinstance(batch_rows, int) or batch_rows < 1:
        raise ParameterError(f"batch_rows must be a whole number of rows, 1 or more; got "
                             f"{batch_rows!r}.")
    wrapped = _Checked(fn, schema)
    if backend.name == "duckdb":
        return _duckdb(backend, lazy, wrapped, schema, batch_rows)
    if backend.name == "spark":
        return _spark(backend, lazy, wrapped, schema)
    raise ParameterError(f"map_batches runs in 'duckdb' or 'spark'; got {backend.name!r}.")


def _check_schema(output_schema: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(output_schema, Mapping) or not output_schema:
        raise ParameterError("output_schema must map each output column to a type such as "
                             f"'float64'; got {output_schema!r}.")
    bad = {k: v for k, v in output_schema.items() if v not in _ARROW}
    if bad:
        raise ParameterError(f"output_schema has unknown types {show_values(list(bad.items()))}; "
                             f"use {', '.join(_ARROW)}.")
    return {str(k): v for k, v in output_schema.items()}


class _Checked:
    """``fn`` with its output checked and typed as the schema says (picklable)."""

    def __init__(self, fn: Callable[[pd.DataFrame], pd.DataFrame], schema: dict[str, str]):
        self.fn, self.schema = fn, schema

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        out = self.fn(batch)
        if not isinstance(out, pd.DataFrame) or set(out.columns) != set(self.schema):
            found = list(out.columns) if isinstance(out, pd.DataFrame) else type(out).__name__
            raise DataError(
                f"The batch function returned columns {show_values(found, 12)}; the output "
                f"schema names {show_values(list(self.schema), 12)}. Return exactly those.")
        typed = {}
        for column, kind in self.schema.items():
            values = out[column]
            if kind == "datetime":
                values = pd.to_datetime(values).astype("datetime64[us]")
            elif kind == "string":
                values = values.astype(object).where(values.notna(), None)
            elif kind == "int64":
                values = values.astype("int64")
            elif kind == "float64":
                values = values.astype("float64")
            else:
                values = values.astype("bool")
            typed[column] = values.to_numpy()
        return pd.DataFrame(typed, columns=list(self.schema))


def _arrow_schema(schema: dict[str, str]):
    import pyarrow as pa
    return pa.schema([(name, pa.type_for_alias(_ARROW[kind])) for name, kind in schema.items()])


def _duckdb(backend: Backend, lazy: nw.LazyFrame, fn: _Checked, schema: dict[str, str],
            batch_rows: int) -> nw.LazyFrame:
    import pyarrow as pa
    arrow_schema = _arrow_schema(schema)
    relation = lazy.to_native()

    raised: list[Exception] = []

    def batches() -> Iterator[pa.RecordBatch]:
        reader = relation.to_arrow_reader(batch_rows)
        for batch in reader:
            if batch.num_rows:
                try:
                    out = fn(batch.to_pandas())
                except Exception as error:  # DuckDB wraps it: keep it to raise it as it is
                    raised.append(error)
                    raise
                yield pa.RecordBatch.from_pandas(out, schema=arrow_schema, preserve_index=False)

    name = f"__csat_batches_{uuid.uuid4().hex}"
    # The input streams from the relation's own connection while a second connection to
    # the same database (a cursor) reads the results: DuckDB forbids a query to call back
    # into the connection it runs on.
    cursor = backend.handle.cursor()
    try:
        stream = pa.RecordBatchReader.from_batches(arrow_schema, batches())
        cursor.from_arrow(stream).create(name)
    except Exception:
        if raised:
            raise raised[0] from None
        raise
    finally:
        cursor.close()
    return nw.from_native(backend.handle.table(name))


def _spark(backend: Backend, lazy: nw.LazyFrame, fn: _Checked, schema: dict[str, str]
           ) -> nw.LazyFrame:
    context = backend.handle.sparkContext
    configured = os.environ.get("PYSPARK_PYTHON") or context.getConf().get(
        "spark.pyspark.python", None)
    if context.master.startswith("local") and not configured:
        # Local executors are this machine: run them on this Python (which has pandas),
        # not on whatever "python3" is first on the PATH.
        context.pythonExec = sys.executable
    ddl = ", ".join(f"`{name}` {_SPARK[kind]}" for name, kind in schema.items())

    def run(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for frame in frames:
            if len(frame):
                yield fn(frame)

    with quiet_spark():
        mapped = lazy.to_native().mapInPandas(run, ddl)
    return nw.from_native(mapped)



def materialize(backend: Backend, lazy: nw.LazyFrame) -> nw.LazyFrame:
    """Compute ``lazy`` once for the several queries that read it.

    DuckDB writes it to a table of its database (spilled to its temporary directory
    beyond the memory limit); Spark persists it (memory and disk) on its first action.

    Examples
    --------
    >>> from csat_toolkit.io.engines import open_backend
    >>> backend, table = open_backend(pd.DataFrame({"x": [1, 2]}), "duckdb")
    >>> backend.collect(materialize(backend, table.select("x")))["x"].tolist()
    [1, 2]
    """
    if backend.name == "duckdb":
        name = f"__csat_table_{uuid.uuid4().hex}"
        lazy.to_native().create(name)
        return nw.from_native(backend.handle.table(name))
    from pyspark import StorageLevel
    return nw.from_native(lazy.to_native().persist(StorageLevel.MEMORY_AND_DISK))


def release(backend: Backend, lazy: nw.LazyFrame) -> None:
    """Free what :func:`materialize` (or :func:`map_batches` on DuckDB) kept: drop the
    DuckDB table, unpersist the Spark DataFrame. Tables read from it before stay valid
    only if they were materialized themselves.

    Examples
    --------
    >>> from csat_toolkit.io.engines import open_backend
    >>> backend, table = open_backend(pd.DataFrame({"x": [1]}), "duckdb")
    >>> kept = materialize(backend, table)
    >>> release(backend, kept)
    >>> kept.to_native().alias in [r[0] for r in backend.handle.sql("SHOW TABLES").fetchall()]
    False
    """
    native = lazy.to_native()
    if backend.name == "duckdb":
        name = native.alias
        if name.startswith(("__csat_table_", "__csat_batches_")):
            backend.handle.execute(f'DROP TABLE IF EXISTS "{name}"')
        return
    native.unpersist()
