"""Support operations, one module per question, built on ``core`` and ``io`` (and the
trends forecaster for volume):

- ``businesshours``: weekly schedules, time zones, holidays; business durations.
- ``response``: first response and resolution times (calendar and business hours),
  medians and 90th percentiles with distribution-free intervals, shares answered within
  1 and 24 hours beside customer expectations, the report date of the tickets.
- ``sla``: SLA compliance (met, breached, breached while open, pending), the breaches,
  the data's own SLA flag compared.
- ``quality``: first-contact resolution, handle time, contacts per ticket, reopen rate.
- ``selfservice``: deflection (self-service against assisted contacts) and the cost
  avoided (the module is not called ``deflection``: that is its function's name).
- ``volume``: contacts per hour, weekday and week, the heatmap, trend and forecast.
- ``satisfaction``: satisfaction when the SLA was met or missed, by response time, FCR.
- ``agreement``: a vendor's own business-hours durations against the toolkit's engine.
- ``_common``: what they share (SLA metrics, checks, time stamps, Wilson shares).

``engine`` computes durations, SLA compliance and response-time quantiles in DuckDB or
Spark. ``ct.ops.sla_compliance`` and every other public name are re-exported here.
"""
from . import (agreement, businesshours, engine, quality, response, satisfaction, selfservice,
               sla, volume)
from .agreement import *  # noqa: F401,F403
from .agreement import __all__ as _agreement_all
from ._common import *  # noqa: F401,F403
from ._common import __all__ as _common_all
from .selfservice import *  # noqa: F401,F403
from .selfservice import __all__ as _selfservice_all
from .quality import *  # noqa: F401,F403
from .quality import __all__ as _quality_all
from .response import *  # noqa: F401,F403
from .response import __all__ as _response_all
from .satisfaction import *  # noqa: F401,F403
from .satisfaction import __all__ as _satisfaction_all
from .sla import *  # noqa: F401,F403
from .sla import __all__ as _sla_all
from .volume import *  # noqa: F401,F403
from .volume import __all__ as _volume_all

__all__ = ["agreement", "businesshours", "engine", "response", "sla", "quality", "selfservice", "volume",
           "satisfaction", *_common_all, *_response_all, *_sla_all, *_quality_all,
           *_selfservice_all, *_volume_all, *_satisfaction_all, *_agreement_all]
