"""Counting in a query engine: DuckDB for files beyond memory, Spark for clusters.

The pandas loaders stay the path for data in memory. For a folder or glob of Parquet/CSV
files, a file too big for memory, a DuckDB relation or a PySpark DataFrame,
:func:`scan_responses` validates every row in the engine, counts the rows set aside per
reason, and returns the counts the statistics need (DESIGN.md, principle 1).
:func:`cross_products` sums the weighted cross-product matrix the relative-importance
methods need in one pass; :func:`sample_rows` brings back every row or a seeded engine
sample for row-level models. The engine-side steps are written once with narwhals;
``_backends`` holds what each engine does its own way.
"""
from ._backends import ENGINES, LARGE_FILE_BYTES, Backend, choose_engine, files_of, open_backend
from .moments import MIN_SAMPLE_ROWS, CrossProducts, SampledRows, cross_products, sample_rows
from .revenue import RevenueScan, scan_revenue
from .tickets import TicketScan, scan_tickets
from .batches import map_batches
from .responses import (
    FOLLOWUP_LIMIT, REJECTED_SHOWN, ROW_LIMIT, SEGMENT_COLUMNS, ScanResult, scan_responses,
)

__all__ = ["ENGINES", "LARGE_FILE_BYTES", "Backend", "choose_engine", "files_of",
           "open_backend", "scan_responses", "ScanResult", "SEGMENT_COLUMNS",
           "FOLLOWUP_LIMIT", "REJECTED_SHOWN", "ROW_LIMIT", "cross_products", "CrossProducts",
           "sample_rows", "SampledRows", "MIN_SAMPLE_ROWS", "scan_revenue", "RevenueScan",
           "scan_tickets", "TicketScan", "map_batches"]
