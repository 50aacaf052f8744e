"""Readers for survey and helpdesk vendors' own export formats (issue 12).

One module per vendor turns the vendor's file into the toolkit's canonical responses or
tickets columns (:class:`~csat_toolkit.io.vendors._common.VendorRead`); the loaders then
validate and account for every row as they do for any file::

    ct.load_responses("qualtrics_export.csv", vendor="qualtrics")
    ct.read_export("qualtrics_export.csv")      # the vendor recognised from the headers

In a config, ``source: qualtrics`` does the same for every notebook.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from ...errors import ParameterError, show_values
from ._common import VendorRead, set_aside_rows

__all__ = ["VENDORS", "VendorRead", "set_aside_rows", "vendor_module", "vendor_reader", "file_kinds",
           "detect_vendor"]

#: Every vendor a reader exists for (the module of each is imported when first used).
VENDORS = ("qualtrics", "surveymonkey", "delighted", "typeform", "google_forms", "nicereply",
           "zendesk", "freshdesk", "intercom", "hubspot")


def vendor_module(name: str) -> ModuleType:
    """The reader module of a vendor, by its name (``"qualtrics"``, ``"zendesk"`` ...).

    Examples
    --------
    >>> vendor_module("Qualtrics").NAME  # doctest: +SKIP
    'qualtrics'
    >>> vendor_module("qualtrix")
    Traceback (most recent call last):
    ...
    csat_toolkit.errors.ParameterError: Unknown source 'qualtrix': did you mean 'qualtrics'? ...
    """
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    if key not in VENDORS:
        import difflib

        near = difflib.get_close_matches(key, VENDORS, n=1)
        hint = f"did you mean {near[0]!r}? " if near else ""
        raise ParameterError(f"Unknown source {name!r}: {hint}The vendors read are "
                             f"{show_values(list(VENDORS), 20)}.")
    try:
        return importlib.import_module(f"{__name__}.{key}")
    except ModuleNotFoundError as error:
        if error.name != f"{__name__}.{key}":
            raise
        raise ParameterError(f"The {key} reader is not available in this version.") from None


def vendor_reader(name: str, kind: str):
    """The function that reads a vendor's ``kind`` ("responses" or "tickets") file."""
    module = vendor_module(name)
    if kind not in getattr(module, "KINDS", ()):
        raise ParameterError(
            f"A {module.NAME} file holds {' and '.join(module.KINDS)}, not {kind}: read it "
            f"with the {module.KINDS[0]} loader, or use another source for the {kind}.")
    return getattr(module, f"read_{kind}")


def file_kinds(name: str, path) -> tuple[str, ...]:
    """The kinds ("responses", "tickets") the file at ``path`` holds in ``name``'s layouts.

    A reader whose layouts hold different kinds (Zendesk's ticket export holds both, its
    API ticket metrics only tickets) maps them in ``LAYOUT_KINDS`` (layout -> kinds);
    otherwise every kind of the vendor (``KINDS``).
    """
    module = vendor_module(name)
    by_layout = getattr(module, "LAYOUT_KINDS", {})
    if not by_layout:
        return tuple(module.KINDS)
    try:
        layout = module.detect(Path(path))
    except (OSError, UnicodeDecodeError, ValueError):
        layout = None
    return tuple(by_layout.get(layout, module.KINDS))


def detect_vendor(path) -> tuple[str, str] | None:
    """(vendor, layout) of a file whose layout a reader recognises, else None.

    Every reader's ``detect`` looks at the first lines; the first that recognises the file
    wins (the order of :data:`VENDORS`).
    """
    path = Path(path)
    for name in VENDORS:
        try:
            module = vendor_module(name)
        except ParameterError:  # a reader not available in this version
            continue
        try:
            layout = module.detect(path)
        except (OSError, UnicodeDecodeError, ValueError):
            layout = None
        if layout:
            return module.NAME, layout
    return None
