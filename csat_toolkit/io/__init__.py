"""Reading and validating inputs: survey responses, ticket tables, the sample generator.

Responses: ``responses`` (load_responses, LoadResult, row validation and accounting),
``reading`` (files and frames, numbers), ``dates`` (dates, time zones, changes of clocks),
``options`` (checking loader options), ``config`` (YAML configs); ``_common`` holds the
reason texts and helpers they share. ``vendors`` reads survey and helpdesk vendors' own
export formats (one module per vendor); ``exports.read_export`` recognises them.

Every loader returns the canonical frame plus the rows it set aside, each with a reason.
io imports only ``errors`` and core's scale definitions (to validate answers); it never
imports an analysis or the report layer (see ``docs/design-notes.md``, "Layers").
"""
from . import (config, dates, exports, options, reading, responses, revenue_tables, sample,
               tables, vendors)
from .exports import ExportResult, read_export
from .responses import *  # noqa: F401,F403  (the loaders: ct.io.load_responses, ...)
from .responses import __all__ as _responses_all

__all__ = ["config", "dates", "exports", "options", "reading", "responses", "sample",
           "tables", "vendors", "ExportResult", "read_export", *_responses_all]
