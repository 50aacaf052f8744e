"""Satisfaction and revenue: does loyalty pay, how much, and how sure are we.

The answers of a relationship survey (NPS) are set beside the revenue of the customers who
gave them. Modules (each re-exported here, so ``ct.revenue.revenue_windows`` and the rest
resolve as before):

- ``windows``: revenue windows around each answer, outcomes by category, the best-worst
  comparison (:func:`revenue_windows`, :func:`revenue_by_category`,
  :func:`compare_categories`, :func:`add_categories`);
- ``accounts``: respondents rolled up to accounts (:func:`account_rollup`);
- ``link``: NPS and growth across segments and periods (:func:`segment_period_link`,
  :func:`correlation`, :func:`granger_test`);
- ``transitions``: customers who answered twice (:func:`category_transitions`);
- ``scenario``: the "what if" in money (:func:`conversion_scenario`);
- ``churn``: churn dates and recent revenue from the revenue table
  (:func:`churn_from_revenue`, :func:`churn_customers`, :func:`recent_revenue`);
- ``retention`` (Kaplan-Meier, log-rank, Cox) and ``survival`` (churn after an answer,
  revenue at risk; it re-exports ``retention``: ``ct.survival.*``);
- ``_common``: what they share (checks, months, the checked revenue table, answers,
  :func:`nps_category`, :data:`CAVEATS`).

The revenue and customer tables are read by :mod:`csat_toolkit.io.revenue_tables`
(:func:`read_table`, :func:`read_inputs`, re-exported here); what the report shows of these
results is decided in :mod:`csat_toolkit.report.sections.revenue`.

Conventions
-----------
- Months are calendar months. In :func:`revenue_windows` the answer month belongs to
  neither window: ``before`` months end the month before the answer, ``after`` months
  start the month after it.
- Growth is in percent **log points**: ``100 * log(later / earlier)`` (a fall to half
  is -69.3, a doubling +69.3; small values read as percent). Log growth is symmetric
  and adds up over time, and its means are not dominated by a few customers that
  multiplied their revenue.
- Growth is the growth of customers still paying at the end of the window
  (``retained``); churn is measured by ``retained`` and never mixed into growth.
- Shares (retention, expansion ...) are in percent with Wilson intervals; means have
  t intervals, cluster-robust by customer when a customer answered several times.
- Every input row is used or set aside with a reason, and counted.

Read the results with :data:`CAVEATS` in mind: they show association, not causation.

References
----------
- Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review
  81(12), 46-54.
- Keiningham, T. L., Cooil, B., Andreassen, T. W. and Aksoy, L. (2007). A longitudinal
  examination of net promoter and firm revenue growth. Journal of Marketing 71(3),
  39-51.
- Fisher, R. A. (1921), z transformation; Bonett, D. G. and Wright, T. A. (2000).
  Sample size requirements for estimating Pearson, Kendall and Spearman correlations.
  Psychometrika 65(1), 23-28.
- Cameron, A. C. and Miller, D. L. (2015). A practitioner's guide to cluster-robust
  inference. Journal of Human Resources 50(2), 317-372.
- Granger, C. W. J. (1969). Investigating causal relations by econometric models and
  cross-spectral methods. Econometrica 37(3), 424-438.
- Kish, L. (1965). Survey Sampling. Wiley (effective sample size).
"""
from ..io.revenue_tables import READ_OPTIONS, read_inputs, read_table
from . import (_common, accounts, churn, link, retention, scenario, survival, transitions,
               windows)
from ._common import *  # noqa: F401,F403
from .accounts import *  # noqa: F401,F403
from .churn import *  # noqa: F401,F403
from .link import *  # noqa: F401,F403
from .scenario import *  # noqa: F401,F403
from .transitions import *  # noqa: F401,F403
from .windows import *  # noqa: F401,F403

__all__ = ["accounts", "churn", "link", "retention", "scenario", "survival", "transitions",
           "windows", "read_table", "read_inputs", "READ_OPTIONS",
           *_common.__all__, *windows.__all__, *accounts.__all__, *link.__all__,
           *transitions.__all__, *scenario.__all__, *churn.__all__]
