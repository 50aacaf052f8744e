"""What the revenue analyses share: argument checks, calendar months, the checked revenue
table (:class:`_Revenue`), checked answers, the NPS categories and :data:`CAVEATS`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.scales import Scale, get_scale
from ..errors import DataError, ParameterError, ScaleError, require_columns, show_values
from ..io.revenue_tables import month_numbers

__all__ = [
    "CAVEATS",
    "nps_category",
]


CAVEATS = [
    "Correlation is not causation: customers who grow may become promoters (rather than "
    "the other way round), and both may follow a third cause such as product fit, "
    "account size or a good account manager.",
    "Keiningham et al. (2007, Journal of Marketing 71(3), 'A longitudinal examination of "
    "net promoter and firm revenue growth') could not replicate the claim that NPS "
    "predicts revenue growth better than other satisfaction and loyalty measures.",
    "Survivorship: customers who churned before a survey cannot answer it, and revenue "
    "growth is measured on customers still paying at the end of the window.",
    "Selection in who answers: respondents differ from non-respondents (often more "
    "engaged), so the link among respondents may not hold for the whole base.",
    "An answer is a noisy reading of a relationship that changes over time: links "
    "measured from single answers understate the link with the underlying loyalty.",
]
"""Sentences to print with every NPS-to-revenue result."""
_NEGATIVE = ("keep", "error")


# --- small checks -------------------------------------------------------------------------


def _check_frame(data, what: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise ParameterError(
            f"{what} must be a pandas DataFrame; got {type(data).__name__}. "
            "Read your file with pandas.read_csv(...) first."
        )


def _check_count(value, name: str, *, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ParameterError(f"{name} must be a whole number of at least {low}; got {value!r}.")
    return int(value)


def _check_choice(value, name: str, choices) -> str:
    if value not in choices:
        raise ParameterError(
            f"{name} must be one of {', '.join(repr(c) for c in choices)}; got {value!r}."
        )
    return value


def _check_number(value, name: str, *, low: float | None = None, high: float | None = None,
                  example: str = "") -> float:
    ok = not isinstance(value, bool) and isinstance(value, (int, float, np.number)) \
        and np.isfinite(value)
    ok = ok and (low is None or value >= low) and (high is None or value <= high)
    if not ok:
        bounds = f" between {low:g} and {high:g}" if low is not None and high is not None \
            else (f" of at least {low:g}" if low is not None else "")
        raise ParameterError(f"{name} must be a number{bounds}{example}; got {value!r}.")
    return float(value)


# --- categories ---------------------------------------------------------------------------


def nps_category(scores, scale: str | Scale | None = None) -> pd.Categorical:
    """Detractor / passive / promoter for each score (the scale's own classes).

    Parameters
    ----------
    scores : array-like
        Scores on the scale (numbers or numeric text); missing values stay missing.
    scale : str or Scale, optional
        NPS 0-10 by default (promoters 9-10, passives 7-8, detractors 0-6). Any scale
        works: ``"nps_1_10"`` for NPS asked on 1-10, or a satisfaction scale
        (``"csat_5"`` gives ``not satisfied`` / ``satisfied``).

    Returns
    -------
    pandas.Categorical
        Ordered from worst to best (detractor < passive < promoter).

    Raises
    ------
    ScaleError
        Scores that are not points of the scale (the values are shown).

    Examples
    --------
    >>> list(nps_category([0, 6, 7, 8, 9, 10, None]))
    ['detractor', 'detractor', 'passive', 'passive', 'promoter', 'promoter', nan]
    >>> list(nps_category([1, 4, 5], scale="csat_5"))
    ['not satisfied', 'satisfied', 'satisfied']
    """
    scale = get_scale(scale, survey="nps")
    values = pd.Series(np.asarray(scores, dtype=object))
    numbers = pd.to_numeric(values, errors="coerce")
    missing = values.isna() | values.astype(str).str.strip().eq("")
    bad = ~missing & ~numbers.isin(scale.points)
    if bad.any():
        raise ScaleError(
            f"{int(bad.sum())} score(s) are not on the {scale.name} scale "
            f"({scale.low:g}-{scale.high:g}): {show_values(values[bad].tolist())}. "
            "Fix or remove them, or choose the scale they use (scale='nps_1_10' for NPS "
            "asked on 1-10)."
        )
    return scale.classify(numbers.where(~missing).to_numpy(dtype=float))


def _ordered_categories(labels: pd.Series, scale: Scale) -> pd.Categorical:
    """A categorical in the scale's order when the labels are its classes."""
    values = labels.astype(object).where(labels.notna(), None)
    present = {v for v in values if v is not None}
    names = list(scale.class_names)
    if present <= set(names):
        return pd.Categorical(values, categories=names, ordered=True)
    return pd.Categorical(values, categories=sorted(present, key=str))


# --- months -------------------------------------------------------------------------------


def _month_index(values: pd.Series) -> np.ndarray:
    """Calendar months as integers (year * 12 + month - 1); NaN when unreadable."""
    if isinstance(values.dtype, pd.PeriodDtype):
        months = values.dt.asfreq("M")
        return np.where(values.isna(), np.nan,
                        months.dt.year.to_numpy(dtype=float) * 12
                        + months.dt.month.to_numpy(dtype=float) - 1)
    if not pd.api.types.is_datetime64_any_dtype(values):
        return month_numbers(values)  # text: "2024-03", else an ISO 8601 date
    return (values.dt.year * 12 + values.dt.month - 1).to_numpy(dtype=float, na_value=np.nan)


def _month_label(index) -> str:
    index = int(index)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _month_labels(indices) -> np.ndarray:
    return np.array([_month_label(i) if np.isfinite(i) else None for i in indices], dtype=object)


def _end_month(as_of) -> int:
    try:
        stamp = pd.Timestamp(as_of) if not isinstance(as_of, pd.Period) else as_of.to_timestamp()
    except (TypeError, ValueError):
        stamp = pd.NaT
    if pd.isna(stamp) or isinstance(as_of, (bool, int, float)):
        raise ParameterError(
            f"as_of must be a date or month such as '2024-12-31' or '2024-12' (the last "
            f"month of data to use); got {as_of!r}."
        )
    return stamp.year * 12 + stamp.month - 1


def _timestamps(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    return pd.to_datetime(values, errors="coerce", format="mixed")


# --- revenue table ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Revenue:
    rows: pd.DataFrame  # _cust, _month, _amount (used rows only)
    customers: pd.DataFrame  # index _cust: first, last, last_paid, rows, gaps
    end: int
    accounting: list
    issues: pd.DataFrame
    warnings: list
    data_end: int = -1  # the last month in the data (``end`` is cut at as_of)
    as_of: object = None


def _as_of_cut(rev: "_Revenue") -> str:
    """Words naming as_of when it cuts the revenue data short, else ''."""
    if rev.as_of is None or rev.end >= rev.data_end:
        return ""
    return (f"as_of={str(rev.as_of)!r} ends the data at {_month_label(rev.end)} while the "
            f"revenue table runs to {_month_label(rev.data_end)}: move as_of later, or give "
            "as_of=None to use the end of the data")


def _prepare_revenue(revenue, *, customer, period, amount, as_of, negative,
                     what: str = "revenue table") -> _Revenue:
    _check_frame(revenue, "revenue")
    _check_choice(negative, "negative", _NEGATIVE)
    require_columns(
        revenue, [customer, period, amount],
        f"The {what} needs the columns {{missing}}; found {{found}}. Name them with "
        "customer=..., period=... (the month, e.g. '2024-03') and amount=... (that "
        "month's revenue).",
    )
    if revenue.empty:
        raise DataError(f"The {what} has no rows: there is no revenue to link to the answers.")
    ids = revenue[customer]
    months = _month_index(revenue[period])
    raw = revenue[amount]
    amounts = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    reason = np.full(len(revenue), None, dtype=object)
    for mask, text in ((ids.isna().to_numpy(), "no customer id"),
                       (np.isnan(months), "unreadable month"),
                       (~np.isfinite(amounts), "revenue not a number")):
        reason[mask & pd.isna(reason)] = text
    accounting = [("revenue rows read", len(revenue))]
    notes = []
    for text in ("no customer id", "unreadable month", "revenue not a number"):
        hit = reason == text
        if hit.any():
            accounting.append((f"revenue rows set aside: {text}", int(hit.sum())))
            column = {"no customer id": customer, "unreadable month": period}.get(text, amount)
            notes.append(f"{int(hit.sum()):,} revenue rows set aside ({text}): {column!r} "
                         f"holds {show_values(revenue.loc[hit, column].tolist())}.")
    ok = pd.isna(reason)
    if not ok.any():
        raise DataError(
            f"No usable row in the {what}: every row lacks a customer id, a readable month "
            f"({period!r}, e.g. '2024-03') or a numeric revenue ({amount!r})."
        )
    rows = pd.DataFrame({"_cust": ids.to_numpy()[ok], "_month": months[ok].astype(int),
                         "_amount": amounts[ok]})
    _check_duplicates(rows, customer, period)
    data_end = int(rows["_month"].max())
    end = data_end if as_of is None else _end_month(as_of)
    if end > data_end:
        notes.append(f"as_of ({_month_label(end)}) is after the last revenue month "
                     f"({_month_label(data_end)}): windows end at {_month_label(data_end)}.")
        end = data_end
    late = rows["_month"] > end
    if late.any():
        accounting.append((f"revenue rows after {_month_label(end)} (not used)", int(late.sum())))
        rows = rows[~late].reset_index(drop=True)
    if rows.empty:
        raise DataError(f"The {what} has no row up to {_month_label(end)} (as_of={as_of!r}); "
                        "its months start later. Give a later as_of, or as_of=None to use the "
                        f"end of the data ({_month_label(data_end)}).")
    negative_rows = rows["_amount"] < 0
    if negative_rows.any() and negative == "error":
        bad = rows[negative_rows]
        where = [f"{c} {_month_label(m)}" for c, m in zip(bad["_cust"], bad["_month"])]
        raise DataError(
            f"The {what} has {int(negative_rows.sum())} negative revenue rows: "
            f"{show_values(where)}. Negative months are usually refunds or credits. Net "
            "them against the month they belong to, or pass negative='keep' to keep them "
            "as they are."
        )
    customers = _customer_spans(rows)
    issues = _revenue_issues(rows, customers)
    accounting += [
        ("revenue rows used", len(rows)),
        ("of which negative (refunds or credits, kept)", int(negative_rows.sum())),
        ("customers in the revenue table", len(customers)),
        ("customers with months missing inside their span", int((customers["gaps"] > 0).sum())),
    ]
    if negative_rows.any():
        who = rows.loc[negative_rows, "_cust"]
        notes.append(
            f"{int(negative_rows.sum()):,} revenue rows are negative (refunds or credits; "
            f"customers such as {show_values(who.tolist())}): kept, they lower that month's "
            "revenue. A window whose revenue is not positive gets no growth (growth_note says "
            "why). Pass negative='error' to stop on them instead."
        )
    return _Revenue(rows, customers, end, accounting, issues, notes, data_end, as_of)


def _check_duplicates(rows: pd.DataFrame, customer: str, period: str) -> None:
    repeated = rows.duplicated(["_cust", "_month"], keep=False)
    if repeated.any():
        bad = rows[repeated]
        pairs = [f"{c} {_month_label(m)}" for c, m in zip(bad["_cust"], bad["_month"])]
        raise DataError(
            f"The revenue table has {int(repeated.sum())} rows that repeat a customer and "
            f"month ({customer!r}, {period!r}): {show_values(pairs)}. Keep one row per "
            f"customer and month, e.g. revenue.groupby([{customer!r}, {period!r}], "
            "as_index=False).sum() to add up the invoices of a month."
        )


def _customer_spans(rows: pd.DataFrame) -> pd.DataFrame:
    grouped = rows.groupby("_cust", sort=True)["_month"]
    spans = pd.DataFrame({"first": grouped.min(), "last": grouped.max(), "rows": grouped.size()})
    paid = rows[rows["_amount"] > 0].groupby("_cust")["_month"].max()
    spans["last_paid"] = paid.reindex(spans.index).to_numpy(dtype=float)
    spans["gaps"] = spans["last"] - spans["first"] + 1 - spans["rows"]
    return spans


def _revenue_issues(rows: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """One row per customer and issue: months missing inside the span, negative months."""
    parts = []
    gappy = customers[customers["gaps"] > 0]
    if len(gappy):
        present = rows[rows["_cust"].isin(gappy.index)].groupby("_cust")["_month"].apply(set)
        for cust, span in gappy.iterrows():
            missing = [m for m in range(int(span["first"]), int(span["last"]) + 1)
                       if m not in present[cust]]
            parts.append((cust, "months missing inside the span", len(missing),
                          ", ".join(_month_label(m) for m in missing[:6])
                          + (" ..." if len(missing) > 6 else "")))
    negative = rows[rows["_amount"] < 0].groupby("_cust")["_month"].apply(list)
    for cust, months in negative.items():
        parts.append((cust, "negative revenue (refund or credit)", len(months),
                      ", ".join(_month_label(m) for m in months[:6])
                      + (" ..." if len(months) > 6 else "")))
    return pd.DataFrame(parts, columns=["customer", "issue", "months", "which"])


# --- answers ------------------------------------------------------------------------------


def _answer_frame(answers, *, customer, answered_at, score, category, scale, survey):
    """Checked answers: ``_cust``, ``_stamp``, ``_month``, ``category``; reasons per row.

    The answers must have a unique index (callers pass ``answers.reset_index(drop=True)``).
    """
    _check_frame(answers, "answers")
    label = category if category is not None else score
    require_columns(
        answers, [customer, answered_at, label],
        "The answers need the columns {missing}; found {found}. Name them with "
        "customer=..., answered_at=... and score=... (or category=... for ready labels).",
    )
    scale = get_scale(scale, survey="nps")
    stamps = _timestamps(answers[answered_at])
    frame = pd.DataFrame({"_cust": answers[customer].to_numpy(), "_stamp": stamps.to_numpy()},
                         index=answers.index)
    frame["_month"] = (stamps.dt.year * 12 + stamps.dt.month - 1).to_numpy(
        dtype=float, na_value=np.nan)
    reason = pd.Series(None, index=answers.index, dtype=object)

    def mark(mask, text):
        reason[np.asarray(mask) & reason.isna().to_numpy()] = text

    if survey is not None and "survey" in answers.columns:
        mark(answers["survey"].astype(str).str.lower().ne(str(survey).lower()), "not an NPS answer")
    mark(frame["_cust"].isna(), "no customer id")
    mark(frame["_stamp"].isna(), "no answer date")
    if category is not None:
        labels = answers[category]
        mark(labels.isna(), "no category")
        frame["category"] = _ordered_categories(labels, scale)
    else:
        values = answers[score]
        numbers = pd.to_numeric(values, errors="coerce")
        blank = values.isna() | values.astype(str).str.strip().eq("")
        mark(blank, "no score")
        mark(~numbers.isin(scale.points), "score not on the scale")
        frame["category"] = scale.classify(numbers.where(numbers.isin(scale.points)))
    return frame, reason, scale


def _check_overlap(frame, candidates, known, known_ids, customer, other: str) -> None:
    if candidates.any() and not (known & candidates).any():
        raise DataError(
            f"No answer belongs to a customer of the {other}: answer ids such as "
            f"{show_values(frame.loc[candidates, '_cust'].tolist())} against ids such as "
            f"{show_values(list(known_ids))}. Check that both tables use the same "
            f"{customer!r} (same format, e.g. 'C00012' against '12')."
        )


def _count_items(reason: pd.Series, order) -> list:
    counts = reason.value_counts()
    return [(f"set aside: {r}", int(counts[r])) for r in order if r in counts.index]
