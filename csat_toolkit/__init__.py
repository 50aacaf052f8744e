"""csat_toolkit: open, statistically honest customer-experience analytics.

>>> import csat_toolkit as ct
>>> loaded = ct.load_responses("data/sample/responses.csv")   # doctest: +SKIP
>>> ct.csat(loaded.data, by="channel", period="M")              # doctest: +SKIP
"""
from . import (agents, benchmarks, businesshours, comparisons, drivers, errors, followup,
               forecast, importance, metrics, nonresponse, ops, plots, priorities, report, scales,
               revenue, stats, survival, tables, text, trends, waves)
from .asof import ReportDate, report_date
from .benchmarks import compare_to_benchmark, load_benchmarks
from .comparisons import compare, compare_periods
from .errors import CsatToolkitError, DataError, ParameterError
from .followup import followup_queue, to_safe_csv
from .io import LoadResult, load_responses, read_config
from .metrics import ces, csat, metric_table, nps, pmf, score_distribution
from .scales import Scale, get_scale
from .tally import tally

__version__ = "0.1.0"

__all__ = [
    "CsatToolkitError", "DataError", "ParameterError", "LoadResult", "Scale",
    "benchmarks", "ces", "compare", "comparisons", "compare_periods", "compare_to_benchmark",
    "csat", "errors", "followup_queue", "get_scale", "load_benchmarks", "load_responses",
    "metric_table", "metrics", "nps", "plots", "pmf", "read_config", "scales",
    "score_distribution", "stats", "tally", "text", "to_safe_csv", "followup", "report",
    "trends", "forecast", "waves", "agents", "businesshours", "drivers", "importance",
    "nonresponse", "ops", "priorities", "revenue", "survival", "tables",
]
