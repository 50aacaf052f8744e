"""A vendor's file through a loader: the reader's rows, then the loader's validation.

The loaders (``load_responses``, ``load_tickets``) call :func:`load_vendor_file` when
given ``vendor=``; it takes the loader as an argument, so this layer never imports them.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import NoValidRowsError, show_values
from . import vendor_reader

__all__ = ["load_vendor_file"]


def load_vendor_file(loader, kind: str, source, vendor: str, *, timezone: str | None,
                     encoding: str, sheet=None, vendor_options=None, **loader_options):
    """Read ``source`` with ``vendor``'s reader, then validate it with ``loader``.

    The result is the loader's :class:`~csat_toolkit.io.LoadResult` with the rows the
    reader set aside added to ``rejected`` (each with its reason), ``n_read`` the file's
    data rows, ``source_row`` the 1-based data row of the file (header rows not counted)
    and the reader's notes first.
    """
    extra = dict(vendor_options or {}) | ({} if sheet is None else {"sheet": sheet})
    read = vendor_reader(vendor, kind)(source, timezone=timezone, encoding=encoding, **extra)
    if read.frame.empty:
        _nothing_left(read, kind, source)
    rows = np.asarray(read.frame.index) + 1
    if kind == "responses":  # the vendor's own scales, under the ones the user named
        loader_options["scales"] = {**read.scales, **(loader_options.get("scales") or {})}
    result = loader(read.frame.reset_index(drop=True),
                    timezone="UTC" if timezone is None else timezone, encoding=encoding,
                    **loader_options)
    loaded = result.rejected.copy()
    if len(loaded):
        loaded["source_row"] = rows[loaded["source_row"].to_numpy() - 1]
    aside = read.set_aside.reset_index()
    aside = aside.rename(columns={"index": "source_row"}).assign(
        source_row=lambda f: f["source_row"] + 1)
    default = f"set aside by the {read.vendor} reader"
    aside["detail"] = aside["detail"].fillna(default) if "detail" in aside else default
    front = ["source_row", "reason", "detail"]
    aside = aside[front + [c for c in aside.columns if c not in front]]
    rejected = pd.concat([aside, loaded], ignore_index=True) if len(aside) else loaded
    rejected = rejected.sort_values("source_row", kind="stable").reset_index(drop=True)
    name = source if isinstance(source, pd.DataFrame) else str(Path(source))
    return dataclasses.replace(
        result, rejected=rejected, n_read=read.n_read,
        source="DataFrame" if isinstance(source, pd.DataFrame) else name,
        notes=[f"Read as a {read.vendor} export ({read.layout})."] + list(read.notes)
        + list(result.notes),
        options={**result.options, "vendor": read.vendor, "layout": read.layout,
                 "mapping": dict(read.mapping)})


def _nothing_left(read, kind: str, source) -> None:
    """The reader kept no row: say which file, how many rows and why, and what to do."""
    name = "the DataFrame" if isinstance(source, pd.DataFrame) else Path(source).name
    reasons = read.set_aside["reason"].value_counts() if len(read.set_aside) else None
    why = ("" if reasons is None else ": " + show_values(
        [f"{reason} ({count:,})" for reason, count in reasons.items()], 5))
    other = "tickets" if kind == "responses" else "survey answers"
    raise NoValidRowsError(
        f"No {kind} in {name}: the {read.vendor} reader read {read.n_read:,} rows "
        f"({read.layout}) and set every one aside{why}. If the file holds only {other}, "
        f"read it as such (load_{'tickets' if kind == 'responses' else 'responses'}, or "
        f"{'tickets_path' if kind == 'responses' else 'responses_path'} in a config).")
