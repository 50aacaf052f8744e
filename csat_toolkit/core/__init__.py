"""The counts-first core: scales, tallies, statistics, metrics, comparisons, benchmarks,
follow-up lists, report dates and the wording every analysis uses to write sentences.

Core works on DataFrames already in memory; it never reads files and never imports an
analysis or the report layer (see ``docs/design-notes.md``, "Layers").
"""
from . import (asof, benchmarks, comparisons, display, followup, metrics, planning, reliability,
               scales, stats, tally, text, weighting)
from .asof import ReportDate, report_date
from .benchmarks import compare_to_benchmark, load_benchmarks
from .comparisons import compare, compare_periods
from .display import TableView, people_table, result_html
from .followup import followup_queue, to_safe_csv
from .metrics import ces, csat, metric_table, nps, pmf, score_distribution
from .planning import (Plan, answers_for_change, answers_needed, comparison_power,
                       detectable_change, margin_of_error, plan)
from .reliability import IndexResult, ReliabilityResult, cronbach_alpha, feldt_interval, index_score
from .scales import Scale, get_scale
from .tally import tally
from .weighting import RakeResult, design_effect, rake, weight_summary

__all__ = ["asof", "benchmarks", "comparisons", "followup", "metrics", "scales", "stats",
           "tally", "text", "ReportDate", "report_date", "compare_to_benchmark",
           "load_benchmarks", "compare", "compare_periods", "followup_queue", "to_safe_csv",
           "ces", "csat", "metric_table", "nps", "pmf", "score_distribution", "Scale",
           "get_scale", "display", "planning", "reliability", "weighting", "TableView",
           "people_table", "result_html", "Plan", "answers_for_change", "answers_needed",
           "comparison_power", "detectable_change", "margin_of_error", "plan", "IndexResult",
           "ReliabilityResult", "cronbach_alpha", "feldt_interval", "index_score", "RakeResult",
           "design_effect", "rake", "weight_summary"]
