"""Vendors' own business-hours durations against this toolkit's business-hours engine.

Helpdesks export durations they computed themselves (Zendesk "First reply time in minutes
within business hours", Freshdesk's "(in hrs)" columns, Intercom's statistics, HubSpot's
"in operating hours"); the vendor readers keep them as ``vendor_*_business_minutes``.
Given the account's schedule, :func:`vendor_agreement` recomputes each from the ticket's
own times and reports how often the two agree: a check on both (a schedule that is not the
account's, holidays missing, a vendor that pauses the clock on a status).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.display import result_html
from ..errors import DataError, ParameterError, show_values
from ._common import _check_frame, _times, _wilson
from .businesshours import business_duration

__all__ = ["VENDOR_DURATIONS", "VendorAgreement", "vendor_agreement", "describe_vendor_agreement"]

#: Vendor column -> (the measure, its start and end columns), as the readers name them.
VENDOR_DURATIONS = {
    "vendor_first_reply_business_minutes": ("first reply", "created_at", "first_response_at"),
    "vendor_first_response_business_minutes": ("first reply", "created_at",
                                               "first_response_at"),
    "vendor_resolution_business_minutes": ("resolution", "created_at", "resolved_at"),
    "vendor_full_resolution_business_minutes": ("resolution", "created_at", "resolved_at"),
}


@dataclass
class VendorAgreement:
    """A vendor's business-hours durations against the toolkit's (:func:`vendor_agreement`).

    Attributes
    ----------
    table : DataFrame
        One row per vendor column: ``measure``, ``vendor_column``, ``n`` (tickets with
        both durations), ``agree``, ``estimate`` (% agreeing) with ``ci_low``/``ci_high``,
        ``median_abs_diff`` and ``max_abs_diff`` (minutes) and ``method``.
    worst : DataFrame
        The largest disagreements per measure: ``measure``, ``ticket_id``,
        ``vendor_minutes``, ``toolkit_minutes``, ``difference`` (toolkit - vendor).
    tolerance_minutes, conf : float
        Agreement within this many minutes; the intervals' confidence level.
    """

    table: pd.DataFrame
    worst: pd.DataFrame
    tolerance_minutes: float = 1.0
    conf: float = 0.95

    def sentences(self) -> list[str]:
        """One sentence per measure, then what to check where they differ."""
        return describe_vendor_agreement(self.table, tolerance_minutes=self.tolerance_minutes,
                                         conf=self.conf)

    def summary(self) -> str:
        return " ".join(self.sentences())

    def _repr_html_(self) -> str:
        return result_html(self.sentences(), self.table)


def vendor_agreement(tickets: pd.DataFrame, schedule, *,
                     columns: Mapping[str, tuple[str, str]] | None = None,
                     tolerance_minutes: float = 1.0, conf: float = 0.95,
                     worst: int = 5, source_timezone: str | None = None) -> VendorAgreement:
    """How often a vendor's business-hours durations agree with the toolkit's.

    Parameters
    ----------
    tickets : DataFrame
        Canonical tickets with the vendor's ``vendor_*_business_minutes`` columns and the
        times they measure (``created_at``, ``first_response_at``, ``resolved_at``).
    schedule : Schedule
        The account's business hours (``ct.businesshours.Schedule``).
    columns : mapping, optional
        Vendor column -> (start, end) columns; default: those of
        :data:`VENDOR_DURATIONS` the tickets have.
    tolerance_minutes : float
        Agreement: the two differ by at most this much (default one minute).
    conf : float
        Confidence level of the Wilson interval of the share agreeing.
    worst : int
        How many of the largest disagreements to keep per measure (``.worst``).
    source_timezone : str, optional
        Time zone of naive ticket times; default the schedule's.

    Returns
    -------
    VendorAgreement
        ``.table`` (one row per vendor column: tickets compared, agreeing, the share with
        its Wilson interval, median and largest differences), ``.worst`` (the largest
        disagreements), ``.sentences()``.

    Raises
    ------
    DataError
        No vendor duration column, or a named column is missing.

    Examples
    --------
    >>> from csat_toolkit.ops.businesshours import Schedule
    >>> office = Schedule({"mon-fri": "09:00-17:00"}, timezone="UTC")
    >>> tickets = pd.DataFrame({
    ...     "ticket_id": ["A", "B"],
    ...     "created_at": pd.to_datetime(["2024-03-04 09:00", "2024-03-08 16:30"]),
    ...     "first_response_at": pd.to_datetime(["2024-03-04 10:00", "2024-03-11 09:30"]),
    ...     "vendor_first_reply_business_minutes": [60.0, 75.0]})
    >>> out = vendor_agreement(tickets, office)
    >>> out.table[["measure", "n", "agree", "max_abs_diff"]].values.tolist()
    [['first reply', 2, 1, 15.0]]
    """
    _check_frame(tickets, "tickets")
    if not (np.isfinite(tolerance_minutes) and tolerance_minutes >= 0):
        raise ParameterError(f"tolerance_minutes must be 0 or more minutes; got "
                             f"{tolerance_minutes!r}.")
    pairs = _pairs(tickets, columns)
    rows, worst_rows = [], []
    for column, (measure, start, end) in pairs.items():
        vendor = pd.to_numeric(tickets[column], errors="coerce").to_numpy(float)
        ours = business_duration(_times(tickets, start), _times(tickets, end), schedule,
                                 unit="minutes", negative="nan",
                                 source_timezone=source_timezone)
        ours = np.asarray(ours, dtype=float)
        both = ~np.isnan(vendor) & ~np.isnan(ours)
        diff = ours[both] - vendor[both]
        agree = int((np.abs(diff) <= tolerance_minutes + 1e-9).sum())
        estimate, low, high = _wilson(agree, int(both.sum()), conf)
        rows.append({
            "measure": measure, "vendor_column": column, "n": int(both.sum()), "agree": agree,
            "estimate": float(estimate), "ci_low": float(low), "ci_high": float(high),
            "median_abs_diff": float(np.median(np.abs(diff))) if diff.size else np.nan,
            "max_abs_diff": float(np.abs(diff).max()) if diff.size else np.nan,
            "method": f"toolkit business minutes ({schedule.name}) against {column}; agree "
                      f"within {tolerance_minutes:g} min; Wilson interval",
        })
        worst_rows.append(_worst(tickets, column, measure, both, ours, vendor, worst))
    return VendorAgreement(pd.DataFrame(rows), pd.concat(worst_rows, ignore_index=True),
                           float(tolerance_minutes), float(conf))


def describe_vendor_agreement(table: pd.DataFrame, *, tolerance_minutes: float = 1.0,
                              conf: float = 0.95) -> list[str]:
    """One sentence per measure of a :func:`vendor_agreement` table, then what to check.

    Examples
    --------
    >>> table = pd.DataFrame({"measure": ["first reply"], "vendor_column": ["v"], "n": [40],
    ...                       "agree": [38], "estimate": [95.0], "ci_low": [83.5],
    ...                       "ci_high": [98.6], "median_abs_diff": [0.0],
    ...                       "max_abs_diff": [60.0]})
    >>> print(describe_vendor_agreement(table)[0])  # doctest: +NORMALIZE_WHITESPACE
    First reply: the vendor's business minutes and the toolkit's agree within 1 min on 38 of
    40 tickets (95.0%, 95% CI 83.5-98.6%); the largest difference is 60 min.
    """
    tolerance, level = tolerance_minutes, f"{conf:.0%} CI"
    sentences = []
    for row in table.itertuples(index=False):
        if row.n == 0:
            sentences.append(f"{row.measure.capitalize()}: no ticket has both the vendor's and "
                             "the toolkit's business minutes.")
            continue
        sentences.append(
            f"{row.measure.capitalize()}: the vendor's business minutes and the toolkit's agree "
            f"within {tolerance:g} min on {row.agree:,} of {row.n:,} tickets ({row.estimate:.1f}%,"
            f" {level} {row.ci_low:.1f}-{row.ci_high:.1f}%); the largest difference is "
            f"{row.max_abs_diff:,.0f} min.")
    if (table["agree"] < table["n"]).any():
        sentences.append(
            "Where they differ, check that business_hours, holidays and timezone are the "
            "account's own, and whether the vendor pauses its clock (pending, on-hold) where "
            "the toolkit does not; the tickets differing most are listed.")
    return sentences


def _pairs(tickets: pd.DataFrame, columns) -> dict[str, tuple[str, str, str]]:
    if columns is None:
        pairs = {c: spec for c, spec in VENDOR_DURATIONS.items() if c in tickets.columns}
        if not pairs:
            raise DataError(
                "The tickets have no vendor business-hours duration column (one of "
                f"{show_values(list(VENDOR_DURATIONS))}): read the export with its vendor's "
                "reader (source:), or name the columns with columns={column: (start, end)}.")
    else:
        pairs = {c: (c, *ends) for c, ends in dict(columns).items()}
    needed = {c for c, (_, start, end) in pairs.items() for c in (c, start, end)}
    missing = sorted(c for c in needed if c not in tickets.columns)
    if missing:
        raise DataError(f"The tickets have no column {show_values(missing)}; their columns "
                        f"are {show_values(list(tickets.columns), 12)}.")
    return pairs


def _worst(tickets, column, measure, both, ours, vendor, limit) -> pd.DataFrame:
    diff = np.where(both, ours - vendor, np.nan)
    order = np.argsort(-np.nan_to_num(np.abs(diff), nan=-1.0), kind="stable")[:limit]
    order = [i for i in order if both[i]]
    ids = tickets["ticket_id"].to_numpy() if "ticket_id" in tickets else np.arange(len(tickets))
    return pd.DataFrame({"measure": measure, "ticket_id": ids[order],
                         "vendor_minutes": vendor[order], "toolkit_minutes": ours[order],
                         "difference": diff[order]})
