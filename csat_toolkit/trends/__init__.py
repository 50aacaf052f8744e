"""Trends: period series, control charts and changes (``series``), forecasts and goals
(``forecast``), and survey waves (``waves``). ``ct.trends.period_series`` and the other
series functions are re-exported here.
"""
from . import forecast, series, waves
from .series import *  # noqa: F401,F403
from .series import __all__ as _series_all

__all__ = ["forecast", "series", "waves", *_series_all]
