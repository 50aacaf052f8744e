"""Exception types with messages a non-programmer can act on.

Every error says what was expected, what was found (a few values) and what to do.
All derive from :class:`CsatToolkitError`, so callers can catch the whole family.
"""
from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "CsatToolkitError",
    "DataError",
    "FileFormatError",
    "MissingColumnError",
    "DateFormatError",
    "ScaleError",
    "NoValidRowsError",
    "RejectedRowsError",
    "ParameterError",
    "show_values",
    "require_columns",
]


class CsatToolkitError(Exception):
    """Base class of every error raised by csat_toolkit."""


class DataError(CsatToolkitError, ValueError):
    """The input data cannot be used as it is."""


class FileFormatError(DataError):
    """A file cannot be read: missing, unknown format, wrong encoding."""


class MissingColumnError(DataError, KeyError):
    """A required column is absent after the column mapping."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class DateFormatError(DataError):
    """Dates cannot be parsed, or their day/month order is ambiguous."""


class ScaleError(DataError):
    """A scale is unknown or scores do not fit the scale."""


class NoValidRowsError(DataError):
    """Validation set aside every row: nothing is left to analyse."""


class RejectedRowsError(DataError):
    """Rows were rejected while ``strict=True``."""


class ParameterError(CsatToolkitError, ValueError):
    """A function argument or a notebook parameter is invalid."""


def show_values(values: Iterable, limit: int = 5) -> str:
    """Format a few distinct offending values for an error message.

    Examples
    --------
    >>> show_values(["a", "b", "a", "c"], limit=2)
    "'a', 'b' (and 1 more)"
    """
    seen: list = []
    for value in values:
        if value not in seen:
            seen.append(value)
    shown = ", ".join(repr(v) for v in seen[:limit])
    rest = len(seen) - limit
    return shown + (f" (and {rest} more)" if rest > 0 else "")


def require_columns(data, columns, message: str) -> None:
    """Raise :class:`MissingColumnError` when any of ``columns`` is not in ``data``.

    ``message`` may use ``{missing}`` (the absent names) and ``{found}`` (a few of the
    columns present), and should say what to do.

    Examples
    --------
    >>> import pandas as pd
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a"], "never raised")
    >>> require_columns(pd.DataFrame({"a": [1]}), ["b"], "No {missing}; found {found}.")
    Traceback (most recent call last):
    ...
    csat_toolkit.errors.MissingColumnError: No 'b'; found 'a'.
    """
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise MissingColumnError(message.format(
            missing=", ".join(map(repr, missing)),
            found=show_values(list(data.columns), limit=12),
        ))
