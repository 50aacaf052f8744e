"""Reading and validating inputs: survey responses, ticket tables, the sample generator.

Every loader returns the canonical frame plus the rows it set aside, each with a reason.
io imports only ``errors`` and core's scale definitions (to validate answers); it never
imports an analysis or the report layer (see ``docs/design-notes.md``, "Layers").
"""
from . import responses, sample, tables
from .responses import *  # noqa: F401,F403  (the loaders: ct.io.load_responses, ...)
from .responses import __all__ as _responses_all

__all__ = ["responses", "sample", "tables", *_responses_all]
