"""Trends: period series, control charts and changes (``series``), the shape of a series
(seasonality, change points, trend test: ``shape``), forecasts and goals (``forecast``,
which re-exports ``shape``'s names), and survey waves (``waves``); ``_common`` holds the
series-table helpers ``shape`` and ``forecast`` share. ``ct.trends.period_series`` and
the other series functions are re-exported here.
"""
from . import forecast, series, shape, waves
from .series import *  # noqa: F401,F403
from .series import __all__ as _series_all

__all__ = ["forecast", "series", "shape", "waves", *_series_all]
