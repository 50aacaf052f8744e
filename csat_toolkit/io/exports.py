"""``read_export``: a vendor's export file read as it is, the vendor recognised if not given.

Examples
--------
>>> import csat_toolkit as ct
>>> found = ct.read_export("qualtrics_export.csv")  # doctest: +SKIP
>>> found.vendor, found.layout, found.responses.summary()  # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import FileFormatError
from . import vendors
from .responses import LoadResult, load_responses
from .tables import load_tickets

__all__ = ["ExportResult", "read_export"]


@dataclass
class ExportResult:
    """What a vendor's file holds, each kind loaded and accounted for.

    Attributes
    ----------
    vendor, layout : str
        The vendor and the layout read (recognised from the file or given).
    responses, tickets : LoadResult or None
        The survey answers and the tickets in the file (None for a kind the vendor's
        files do not hold).
    """

    vendor: str
    layout: str
    responses: LoadResult | None = None
    tickets: LoadResult | None = None


def read_export(path, source: str | None = None, *, timezone: str | None = None,
                **options) -> ExportResult:
    """Read a vendor's export as it is: answers and/or tickets, every row accounted for.

    Parameters
    ----------
    path : str or Path
        The vendor's file.
    source : str, optional
        The vendor (:data:`csat_toolkit.io.vendors.VENDORS`); recognised from the file's
        first lines when omitted.
    timezone : str, optional
        The account's time zone, for files whose times carry no offset and do not name
        their zone.
    **options
        Loader options (``columns``, ``survey``, ``scales`` ...) for every kind read.

    Raises
    ------
    FileFormatError
        ``source`` is omitted and no reader recognises the file.
    """
    if source is None:
        found = vendors.detect_vendor(path)
        if found is None:
            raise FileFormatError(
                f"No vendor layout recognised in {Path(path).name}: give source= (one of "
                f"{', '.join(vendors.VENDORS)}), or load it with ct.load_responses and a "
                "column mapping.")
        source = found[0]
    module = vendors.vendor_module(source)
    loaders = {"responses": load_responses, "tickets": load_tickets}
    loaded = {kind: loaders[kind](path, vendor=module.NAME, timezone=timezone, **options)
              for kind in module.KINDS}
    first = next(iter(loaded.values()))
    return ExportResult(module.NAME, first.options.get("layout", ""),
                        responses=loaded.get("responses"), tickets=loaded.get("tickets"))
