"""csat_toolkit: open, statistically honest customer-experience analytics.

The package is laid out in layers (``docs/design-notes.md``, "Layers"): ``errors``, then
``core`` (scales, tallies, statistics, metrics), ``io`` (reading inputs), the analyses
(``trends``, ``drivers``, ``revenue``, ``ops``) and ``report`` (pages, plots, the runner).

>>> import csat_toolkit as ct
>>> loaded = ct.load_responses("data/sample/responses.csv")   # doctest: +SKIP
>>> ct.csat(loaded.data, by="channel", period="M")              # doctest: +SKIP
"""
import sys as _sys

from . import core, drivers, errors, io, ops, report, revenue, trends
from .core import (asof, benchmarks, comparisons, display, followup, metrics, planning,
                   reliability, scales, stats, tally, text, weighting)
from .core.asof import ReportDate, report_date
from .core.benchmarks import compare_to_benchmark, load_benchmarks
from .core.comparisons import compare, compare_periods
from .core.display import TableView, people_table, result_html
from .core.followup import followup_queue, to_safe_csv
from .core.metrics import ces, csat, metric_table, nps, pmf, score_distribution
from .core.planning import (Plan, answers_for_change, answers_needed, comparison_power,
                            detectable_change, margin_of_error, plan)
from .core.reliability import (IndexResult, ReliabilityResult, cronbach_alpha, feldt_interval,
                               index_score)
from .core.scales import Scale, get_scale
from .core.tally import tally  # noqa: F811  (the function; the module is core.tally)
from .core.weighting import RakeResult, design_effect, rake, weight_summary
from .drivers import agents, importance, nonresponse, priorities
from .errors import CsatToolkitError, DataError, ParameterError
from .io import sample, tables
from .io.exports import read_export
from .io.responses import LoadResult, load_responses, read_config
from .ops import businesshours
from .report import plots
from .revenue import survival
from .trends import forecast, waves

__version__ = "0.1.0"

# The modules' names before the layers (csat_toolkit.stats, csat_toolkit.importance, ...)
# still import: each is the module in its layer under its old name.
_MOVED = {"asof": "core", "benchmarks": "core", "comparisons": "core", "followup": "core",
          "metrics": "core", "scales": "core", "stats": "core", "tally": "core", "text": "core",
          "agents": "drivers", "importance": "drivers", "nonresponse": "drivers",
          "priorities": "drivers", "sample": "io", "tables": "io", "businesshours": "ops",
          "survival": "revenue", "forecast": "trends", "waves": "trends", "plots": "report",
          "driverplots": "report", "opsplots": "report", "revenueplots": "report",
          "runner": "report", "plotstyle": "report.style"}
for _name, _layer in _MOVED.items():
    _path = _layer if "." in _layer else f"{_layer}.{_name}"
    _sys.modules.setdefault(f"{__name__}.{_name}", _sys.modules[f"{__name__}.{_path}"])


__all__ = [
    "CsatToolkitError", "DataError", "ParameterError", "LoadResult", "Scale", "ReportDate",
    "core", "io", "benchmarks", "ces", "compare", "comparisons", "compare_periods",
    "compare_to_benchmark", "csat", "errors", "followup_queue", "get_scale",
    "load_benchmarks", "load_responses", "metric_table", "metrics", "nps", "plots", "pmf",
    "read_config", "read_export", "report_date", "scales", "score_distribution", "stats", "tally", "text",
    "to_safe_csv", "followup", "report", "trends", "forecast", "waves", "agents",
    "businesshours", "drivers", "importance", "nonresponse", "ops", "priorities", "revenue",
    "survival", "tables", "sample", "asof", "display", "planning", "reliability", "weighting",
    "TableView", "people_table", "result_html", "Plan", "answers_for_change", "answers_needed",
    "comparison_power", "detectable_change", "margin_of_error", "plan", "IndexResult",
    "ReliabilityResult", "cronbach_alpha", "feldt_interval", "index_score", "RakeResult",
    "design_effect", "rake", "weight_summary",
]
