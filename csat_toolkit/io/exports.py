"""``read_export``: a vendor's export file read as it is, the vendor recognised if not given.

Examples
--------
>>> import csat_toolkit as ct
>>> found = ct.read_export("qualtrics_export.csv")  # doctest: +SKIP
>>> found.vendor, found.layout, found.responses.summary()  # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass, field
import re
from pathlib import Path

from ..errors import FileFormatError, NoValidRowsError
from . import vendors
from .responses import LoadResult, load_responses
from .tables import load_tickets

__all__ = ["ExportResult", "read_export", "starting_config"]


@dataclass
class ExportResult:
    """What a vendor's file holds, each kind loaded and accounted for.

    Attributes
    ----------
    vendor, layout : str
        The vendor and the layout read (recognised from the file or given).
    responses, tickets : LoadResult or None
        The survey answers and the tickets in the file (None for a kind the vendor's
        files, or this file, do not hold).
    notes : list of str
        Why a kind the layout can hold is None (e.g. a conversation table without ratings).
    """

    vendor: str
    layout: str
    responses: LoadResult | None = None
    tickets: LoadResult | None = None
    notes: list = field(default_factory=list)


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
    loaded, notes, errors = {}, [], []
    for kind in vendors.file_kinds(module.NAME, path):
        try:
            loaded[kind] = loaders[kind](path, vendor=module.NAME, timezone=timezone, **options)
        except NoValidRowsError as error:  # this file holds none of this kind
            errors.append(error)
            notes.append(str(error))
    if not loaded:
        raise errors[0]
    first = next(iter(loaded.values()))
    return ExportResult(module.NAME, first.options.get("layout", ""),
                        responses=loaded.get("responses"), tickets=loaded.get("tickets"),
                        notes=notes)


#: Header words that suggest a canonical column (checked in this order, whole words).
_ROLE_WORDS = (
    ("response_id", ("response id", "responseid", "respondent id", "id")),
    ("responded_at", ("responded at", "submitted", "submit date", "end date", "recorded date",
                      "timestamp", "date", "created at", "created")),
    ("score", ("score", "rating", "nps", "csat", "satisfaction")),
    ("comment", ("comment", "feedback", "verbatim", "remark", "why")),
    ("survey", ("survey", "survey type")),
    ("channel", ("channel", "queue", "source", "via")),
    ("agent", ("agent", "assignee", "owner", "teammate")),
    ("region", ("region", "market", "country")),
)


def _snake(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(text).strip().lower()).strip("_")


def starting_config(path, *, timezone: str | None = None) -> dict:
    """A starting config for a file, to edit: the vendor if recognised, else column roles.

    For a vendor's export, ``source:`` and the file's path are all a config needs (plus
    ``timezone:`` when the vendor's times carry no offset). For any other file, each
    canonical column gets the first header that looks like it (by whole words); every
    guess is marked for the user to check, and the other headers are listed.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "x.csv").write_text("Ticket,Submitted,Rating,Queue\\n", encoding="utf-8")
    >>> starting_config(folder / "x.csv")["parameters"]["columns"]
    {'Submitted': 'responded_at', 'Rating': 'score', 'Queue': 'channel'}
    """
    path = Path(path)
    parameters: dict = {"responses_path": path.name}
    found = vendors.detect_vendor(path)
    if found is not None:
        module = vendors.vendor_module(found[0])
        parameters["source"] = module.NAME
        if "tickets" in module.KINDS:
            parameters["tickets_path"] = path.name
        if timezone:
            parameters["timezone"] = timezone
        return {"title": f"{module.NAME} export ({found[1]})", "parameters": parameters}
    from .reading import _read_source

    headers = list(_read_source(path, encoding="utf-8-sig", sep=None, sheet=None)[0].columns)
    columns, taken = {}, set()
    for role, words in _ROLE_WORDS:
        for header in headers:
            name = " ".join(_snake(header).split("_"))
            if header not in columns and role not in taken and any(
                    re.search(rf"\b{re.escape(w)}\b", name) for w in words):
                if _snake(header) != role:
                    columns[header] = role
                taken.add(role)
                break
    parameters["columns"] = columns
    if "survey" not in taken:
        parameters["survey"] = "csat"
    return {"title": f"{path.stem} (check the columns: guessed from the headers)",
            "parameters": parameters}
