"""Key drivers: what moves satisfaction, and what to fix first.

Modules: ``frame`` (the modelling frame and collinearity), ``fitting`` (the driver
model), ``speed`` (what speed is worth: buckets and the effect curve), ``models`` (the
drivers a model can use, the report's model, and the model API in one place),
``importance`` (relative importance), ``priorities`` (importance-performance),
``agents`` (fair agent comparisons), ``nonresponse`` (response rates, post-stratification
and the notebook's non-response section) and ``prediction`` (predicted satisfaction of
non-respondents, calibration); ``engine`` (relative importance from an engine's
cross-products, and seeded engine samples for the models on data beyond memory).
``ct.drivers.fit_drivers`` and the other model functions are re-exported here.
"""
from . import (agents, engine, fitting, frame, importance, models, nonresponse, prediction,
               priorities, speed)
from .engine import SAMPLE_ROWS, SAMPLE_THRESHOLD, engine_importance, engine_sample
from .models import *  # noqa: F401,F403
from .models import __all__ as _models_all

__all__ = ["agents", "engine", "engine_importance", "engine_sample", "SAMPLE_ROWS",
           "SAMPLE_THRESHOLD", "fitting", "frame", "importance", "models", "nonresponse", "prediction",
           "priorities", "speed", *_models_all]
