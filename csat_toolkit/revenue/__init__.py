"""Satisfaction and revenue: revenue windows and categories, accounts, the segment-period
link, transitions, the conversion scenario, and churn (``survival``).
``ct.revenue.revenue_windows`` and the other functions are re-exported here.
"""
from . import analysis, survival
from .analysis import *  # noqa: F401,F403
from .analysis import __all__ as _analysis_all

__all__ = ["analysis", "survival", *_analysis_all]
