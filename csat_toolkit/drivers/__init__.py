"""Key drivers: driver models (``models``), relative importance (``importance``),
priorities (``priorities``), agent comparisons (``agents``) and non-response
(``nonresponse``). ``ct.drivers.fit_drivers`` and the other model functions are
re-exported here.
"""
from . import agents, importance, models, nonresponse, priorities
from .models import *  # noqa: F401,F403
from .models import __all__ as _models_all

__all__ = ["agents", "importance", "models", "nonresponse", "priorities", *_models_all]
