"""Support operations: business hours (``businesshours``), SLA compliance, response and
resolution times, first-contact resolution and quality, deflection and volume.
``ct.ops.sla_compliance`` and the other functions are re-exported here.
"""
from . import businesshours, operations
from .operations import *  # noqa: F401,F403
from .operations import __all__ as _operations_all

__all__ = ["businesshours", "operations", *_operations_all]
