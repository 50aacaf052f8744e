"""What every vendor reader returns (:class:`VendorRead`) and the helpers they share.

A vendor reader turns a vendor's own file (a Qualtrics export with three header rows, a
Zendesk ticket export, API records ...) into a frame with the toolkit's canonical columns
(responses: ``response_id``, ``survey``, ``score``, ``responded_at``, ``comment``, segment
columns ...; tickets: ``ticket_id``, ``created_at``, ``first_response_at``,
``resolved_at``, ...). It decides nothing the loaders decide (scores in range, dates,
duplicates): ``load_responses``/``load_tickets`` validate the frame as they validate any
file. What only the vendor's layout can tell (a preview, a partial response, spam, a
rating offered but not answered) the reader sets aside itself, each row with a reason,
and the loader adds those rows to its own accounting: nothing is dropped unseen.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["VendorRead", "set_aside_rows"]


@dataclass
class VendorRead:
    """A vendor file read into canonical columns, before the loader validates it.

    Attributes
    ----------
    vendor : str
        The reader's name (``"qualtrics"``, ``"zendesk"`` ...).
    layout : str
        Which of the vendor's layouts was read (``"csv, three header rows"``,
        ``"API survey responses (JSON)"`` ...), said in the report.
    frame : DataFrame
        The rows kept, with canonical column names (and the vendor's other columns,
        snake_cased, e.g. embedded data as segments).
    set_aside : DataFrame
        Rows the vendor's own fields exclude, with a ``reason`` column (e.g. "preview
        response (Status = Survey Preview)"), in the frame's columns where possible.
    n_read : int
        Data rows in the file (header rows not counted).
    notes : list of str
        Sentences for the report: the time zone used and where it came from, columns
        mapped, disagreements found (e.g. a vendor NPS group that differs from the score).
    mapping : dict
        Vendor column -> canonical column, for ``csat-toolkit validate`` and
        ``init-config``.
    kind : str
        ``"responses"`` or ``"tickets"``.
    scales : dict
        Survey -> scale name the vendor's answers are on (e.g. ``{"csat": "csat_binary"}``
        for Zendesk's Good/Bad); used unless the user gives ``scales``.
    """

    vendor: str
    layout: str
    frame: pd.DataFrame
    set_aside: pd.DataFrame
    n_read: int
    notes: list = field(default_factory=list)
    mapping: dict = field(default_factory=dict)
    kind: str = "responses"
    scales: dict = field(default_factory=dict)


def set_aside_rows(frame: pd.DataFrame, mask, reason: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``frame`` by ``mask``: (rows kept, rows set aside with ``reason``).

    Examples
    --------
    >>> frame = pd.DataFrame({"status": ["IP Address", "Survey Preview"]})
    >>> kept, aside = set_aside_rows(frame, frame["status"].eq("Survey Preview"),
    ...                              "preview response (Status = Survey Preview)")
    >>> len(kept), aside["reason"].tolist()
    (1, ['preview response (Status = Survey Preview)'])
    """
    mask = pd.Series(mask, index=frame.index).fillna(False).astype(bool)
    return frame[~mask], frame[mask].assign(reason=reason)
