"""The report layer: what turns results into pages. KPI cards and headline JSON
(``headline``), plots with one shared style (``style``, ``plots``, ``driverplots``,
``opsplots``, ``revenueplots``), the runner that executes the notebooks (``runner``; it loads
papermill only when it runs), the pages it writes (``index``, the ``templates``), and the run
history of scheduled reruns (``record``, ``changes``, ``alerts``, ``history``).
``ct.report.card``, ``ct.report.write_headline`` and the other headline helpers are
re-exported here. The report layer may import every other layer; none imports it.
"""
from . import (alerts, changes, driverplots, headline, history, index, opsplots, plots, record,
               revenueplots, runner, sections, style)
from .headline import *  # noqa: F401,F403
from .headline import __all__ as _headline_all

__all__ = ["alerts", "changes", "driverplots", "headline", "history", "index", "opsplots", "plots",
           "record", "revenueplots", "runner", "sections", "style",
           *_headline_all]
