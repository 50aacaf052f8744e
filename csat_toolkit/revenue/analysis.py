"""NPS and revenue: does loyalty pay, how much, and how sure are we.

The answers of a relationship survey (NPS) are set beside the revenue of the customers
who gave them, at three levels:

- **customers**: :func:`revenue_windows` cuts, for every answer, the revenue of the
  months before and after it; :func:`revenue_by_category` gives growth, retention,
  expansion and contraction per category with intervals, and
  :func:`compare_categories` tests promoters against detractors (Holm across the
  outcomes). :func:`category_transitions` follows customers who answered twice.
- **accounts** (B2B): :func:`account_rollup` rolls respondents up to their accounts:
  NPS per account, the revenue-weighted NPS, the share of revenue covered by answers
  and the large accounts with a low NPS.
- **segments and periods**: :func:`segment_period_link` correlates NPS with revenue
  growth across segment-periods (Pearson, Spearman, a fixed-effects regression with
  cluster-robust errors, lagged correlations and Granger tests).

:func:`conversion_scenario` turns the customer-level link into "if 10% of detractors
became passives" money, with a bootstrap interval and its assumptions spelled out.
Churn curves (Kaplan-Meier, log-rank, Cox) are in :mod:`csat_toolkit.survival`.

Conventions
-----------
- Months are calendar months. In :func:`revenue_windows` the answer month belongs to
  neither window: ``before`` months end the month before the answer, ``after`` months
  start the month after it.
- Growth is in percent **log points**: ``100 * log(later / earlier)`` (a fall to half
  is -69.3, a doubling +69.3; small values read as percent). Log growth is symmetric
  and adds up over time, and its means are not dominated by a few customers that
  multiplied their revenue.
- Growth is the growth of customers still paying at the end of the window
  (``retained``); churn is measured by ``retained`` and never mixed into growth.
- Shares (retention, expansion ...) are in percent with Wilson intervals; means have
  t intervals, cluster-robust by customer when a customer answered several times.
- Every input row is used or set aside with a reason, and counted.

Read the results with :data:`CAVEATS` in mind: they show association, not causation.

References
----------
- Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review
  81(12), 46-54.
- Keiningham, T. L., Cooil, B., Andreassen, T. W. and Aksoy, L. (2007). A longitudinal
  examination of net promoter and firm revenue growth. Journal of Marketing 71(3),
  39-51.
- Fisher, R. A. (1921), z transformation; Bonett, D. G. and Wright, T. A. (2000).
  Sample size requirements for estimating Pearson, Kendall and Spearman correlations.
  Psychometrika 65(1), 23-28.
- Cameron, A. C. and Miller, D. L. (2015). A practitioner's guide to cluster-robust
  inference. Journal of Human Resources 50(2), 317-372.
- Granger, C. W. J. (1969). Investigating causal relations by econometric models and
  cross-spectral methods. Econometrica 37(3), 424-438.
- Kish, L. (1965). Survey Sampling. Wiley (effective sample size).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as _st
from statsmodels.tsa.stattools import grangercausalitytests

from ..core import stats
from ..errors import DataError, ParameterError, ScaleError, require_columns, show_values
from ..core.metrics import nps as _nps_table
from ..core.scales import Scale, get_scale
from .survival import ChurnResult
from ..core.tally import period_code, period_labels, period_of

__all__ = [
    "CAVEATS",
    "UPSELL_CONTEXT",
    "COVERAGE_CONTEXT",
    "GROWTH_METHODS",
    "GROWTH_NAMES",
    "WINDOW_REASONS",
    "WindowResult",
    "AccountResult",
    "LinkResult",
    "TransitionResult",
    "ScenarioResult",
    "nps_category",
    "revenue_windows",
    "revenue_by_category",
    "compare_categories",
    "account_rollup",
    "correlation",
    "granger_test",
    "segment_period_link",
    "category_transitions",
    "conversion_scenario",
    "read_table",
    "read_inputs",
    "READ_OPTIONS",
    "add_categories",
    "recent_revenue",
    "revenue_months",
    "churn_from_revenue",
    "churn_customers",
    "usable_segments",
    "shown_rows",
    "current_customers",
    "describe_comparison",
    "headline_cards",
    "Section",
    "category_section",
    "account_section",
    "churn_section",
    "link_section",
    "transition_section",
    "scenario_section",
    "growth_sentence",
    "report_date_of",
    "headline_extra",
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

UPSELL_CONTEXT = (
    "For context only: CustomerGauge publishes that +10 NPS points go with about +3.2% "
    "upsell revenue. That figure comes from other companies with another method; it is "
    "not a benchmark or a test for these data."
)
"""The published +3.2% figure, as a sentence (never used as a benchmark)."""

COVERAGE_CONTEXT = (
    "CustomerGauge recommends that the accounts answering the survey cover at least 80% "
    "of revenue each quarter (a practitioners' rule of thumb, shown as context)."
)
"""Where the 80% revenue-coverage target comes from."""

GROWTH_METHODS = {
    "windows": "100 * log(mean monthly revenue in the {after} months after the answer / "
               "in the {before} months before it), answer month excluded",
    "endpoints": "100 * log(revenue {after} months after the answer month / revenue in "
                 "the answer month)",
}
"""Growth definitions of :func:`revenue_windows` (``growth=``)."""

GROWTH_NAMES = {"log": "windows", "windows": "windows", "endpoints": "endpoints"}
"""Names accepted for ``growth=``: ``"log"`` (the notebooks' name) is ``"windows"``."""

WINDOW_REASONS = (
    "not an NPS answer",
    "no customer id",
    "no answer date",
    "no category",
    "no score",
    "score not on the scale",
    "customer not in the revenue table",
    "answered after the end of the revenue data",
    "customer had stopped paying before the answer",
    "after window not complete",
)
"""Why :func:`revenue_windows` sets an answer aside, in the order checked."""

DEFAULT_OUTCOMES = ("growth", "retained", "expanded", "contracted")

_MISSING_REVENUE = ("missing", "zero")
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
    if pd.api.types.is_datetime64_any_dtype(values):
        dates = values
    else:
        text = values.astype("string").str.strip()
        dates = pd.to_datetime(text, format="%Y-%m", errors="coerce")
        rest = dates.isna() & text.notna()
        if rest.any():
            dates = dates.copy()
            dates[rest] = pd.to_datetime(text[rest], errors="coerce", format="ISO8601")
    dates = pd.Series(dates, index=values.index)
    return (dates.dt.year * 12 + dates.dt.month - 1).to_numpy(dtype=float, na_value=np.nan)


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


# --- customer windows ---------------------------------------------------------------------


@dataclass(frozen=True)
class WindowResult:
    """Outcome of :func:`revenue_windows`.

    Attributes
    ----------
    table : DataFrame
        One row per answer with a complete window: the answer's own columns, then
        ``category``, ``answer_month``, ``months_before``, ``revenue_before`` (mean
        monthly revenue), ``months_after``, ``revenue_after``, ``revenue_at_answer``,
        ``revenue_at_end``, ``last_paid_month``, ``retained`` (paid in the last month of
        the window; a customer who leaves during that month, and is billed for it, still
        counts: the churn section, from churn dates, is the exact view), ``growth`` (% log points),
        ``growth_months`` (the time the growth spans), ``after_months``, ``expanded``,
        ``contracted`` and ``growth_note`` (why growth is missing).
    set_aside : DataFrame
        Answers not used, with a ``reason`` (see :data:`WINDOW_REASONS`).
    accounting : DataFrame
        ``item`` and ``rows``: answers and revenue rows read, used and set aside.
    revenue_issues : DataFrame
        ``customer``, ``issue``, ``months``, ``which``: months missing inside a
        customer's revenue span and negative months (refunds), per customer.
    warnings : list of str
        What to keep in mind (gaps, refunds, unknown customers ...).
    parameters : dict
        The window settings (``before``, ``after``, ``growth``, ``threshold``, ``end``,
        ``customer`` ...).
    """

    table: pd.DataFrame
    set_aside: pd.DataFrame
    accounting: pd.DataFrame
    revenue_issues: pd.DataFrame
    warnings: list = field(default_factory=list)
    parameters: dict = field(default_factory=dict)

    @property
    def method(self) -> str:
        """The growth definition in words."""
        p = self.parameters
        return GROWTH_METHODS[p["growth"]].format(before=p["before"], after=p["after"])

    def summary(self) -> str:
        """What was analysed, what was set aside, and how growth is defined."""
        p = self.parameters
        used = self.table
        counts = self.set_aside["reason"].value_counts()
        aside = ("; set aside: " + ", ".join(f"{r} {n:,}" for r, n in counts.items())
                 if len(counts) else "; no answer set aside")
        customer = p["customer"]
        return (
            f"{len(used):,} answers ({used[customer].nunique():,} customers) with a complete "
            f"{p['after']}-month window up to {p['end']}, {int(used['retained'].sum()):,} "
            f"still paying at its end{aside}. Growth = {self.method}, among customers "
            "still paying."
        )


def revenue_windows(
    answers: pd.DataFrame,
    revenue: pd.DataFrame,
    *,
    customer: str = "customer_id",
    answered_at: str = "responded_at",
    period: str = "period",
    amount: str = "revenue",
    before: int = 3,
    after: int = 6,
    as_of=None,
    score: str = "score",
    category: str | None = None,
    scale: str | Scale | None = None,
    survey: str | None = "nps",
    growth: str = "windows",
    threshold: float = 5.0,
    missing_months: str = "missing",
    negative: str = "keep",
) -> WindowResult:
    """Revenue before and after each answer, with growth, retention and flags.

    For an answer in month ``m``: the *before* window is months ``m - before`` to
    ``m - 1``, the *after* window months ``m + 1`` to ``m + after`` (the answer month
    belongs to neither: part of it is before the answer, part after). ``retained``: the
    customer still pays (revenue > 0) in month ``m + after`` or later. ``growth`` (in
    % log points, for retained customers only):

    - ``growth="windows"`` (default; ``"log"`` is the same):
      ``100 * log(mean monthly revenue after / before)``;
    - ``growth="endpoints"``: ``100 * log(revenue in month m + after / in month m)``,
      the definition of the sample data's README ("from the wave month to 6 months
      later").

    ``expanded`` / ``contracted``: growth above ``+threshold`` / below ``-threshold``.

    Answers are set aside, each with a reason (:data:`WINDOW_REASONS`) and counted:
    other surveys, no customer id or date, no score or one off the scale, customers not
    in the revenue table (their ids in ``warnings``), answers after the end of the data,
    answers of customers who had stopped paying, and answers whose after window ends
    after ``as_of`` (the last revenue month by default): their outcome is not known yet.

    Revenue rows: a repeated customer-month is an error; negative months (refunds,
    credits) are kept and counted (``negative="error"`` stops on them); months missing
    inside a customer's span (between its first and last revenue month) are counted in
    ``revenue_issues`` and treated as unknown (``missing_months="missing"``: window means
    use the months present) or as 0 (``"zero"``: a month without a row earned nothing).

    Parameters
    ----------
    answers : DataFrame
        Survey answers (canonical responses: other surveys are set aside).
    revenue : DataFrame
        One row per customer and month: ``customer``, ``period`` ("2024-03", a date or
        a monthly Period) and ``amount``.
    customer, answered_at, period, amount, score : str
        Column names.
    before, after : int
        Window lengths in months (``before`` >= 1, ``after`` >= 1).
    as_of : date or month, optional
        Last month of data to use (never the clock); default the last revenue month.
    category : str, optional
        Column with ready category labels instead of scores.
    scale : str or Scale, optional
        Scale of the scores (NPS 0-10 by default).
    survey : str or None
        Value of the ``survey`` column to keep ("nps"); None keeps every row.
    growth : {"windows", "log", "endpoints"}
        Growth definition (see above; ``"log"`` is ``"windows"``).
    threshold : float
        Expansion / contraction threshold in % log points.
    missing_months : {"missing", "zero"}
        How a month missing inside a customer's revenue span counts.
    negative : {"keep", "error"}
        What to do with negative revenue months.

    Returns
    -------
    WindowResult
        ``table``, ``set_aside``, ``accounting``, ``revenue_issues``, ``warnings``,
        ``parameters``; ``summary()`` is a sentence.

    Raises
    ------
    MissingColumnError
        A named column is absent.
    DataError
        Repeated customer-months, negative revenue with ``negative="error"``, no answer
        of a customer in the revenue table (ids of both shown), nothing left.
    ParameterError
        Bad window lengths, ``growth``, ``threshold``, ``as_of`` ...

    Examples
    --------
    >>> revenue = pd.DataFrame({
    ...     "customer_id": ["a"] * 5 + ["b"] * 5,
    ...     "period": ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"] * 2,
    ...     "revenue": [100, 100, 110, 120, 120, 100, 100, 100, 90, 80]})
    >>> answers = pd.DataFrame({"customer_id": ["a", "b", "x"],
    ...                         "responded_at": ["2024-03-10"] * 3, "score": [10, 3, 8]})
    >>> result = revenue_windows(answers, revenue, before=2, after=2)
    >>> result.table[["customer_id", "category", "revenue_before", "revenue_after",
    ...               "growth"]].round(1).values.tolist()
    [['a', 'promoter', 100.0, 120.0, 18.2], ['b', 'detractor', 100.0, 85.0, -16.3]]
    >>> result.set_aside["reason"].tolist()
    ['customer not in the revenue table']
    """
    before = _check_count(before, "before", low=1)
    after = _check_count(after, "after", low=1)
    _check_choice(growth, "growth", tuple(GROWTH_NAMES))
    growth = GROWTH_NAMES[growth]
    _check_choice(missing_months, "missing_months", _MISSING_REVENUE)
    threshold = _check_number(threshold, "threshold", low=0, example=" (e.g. 5 for +-5%)")
    _check_frame(answers, "answers")
    answers = answers.reset_index(drop=True)
    rev = _prepare_revenue(revenue, customer=customer, period=period, amount=amount,
                           as_of=as_of, negative=negative)
    frame, reason, _ = _answer_frame(answers, customer=customer, answered_at=answered_at,
                                     score=score, category=category, scale=scale, survey=survey)
    notes = list(rev.warnings)

    def mark(mask, text):
        reason[np.asarray(mask) & reason.isna().to_numpy()] = text

    known = frame["_cust"].isin(rev.customers.index)
    _check_overlap(frame, reason.isna(), known, rev.customers.index, customer, "revenue table")
    unknown = reason.isna() & ~known
    if unknown.any():
        notes.append(f"{int(unknown.sum()):,} answers belong to customers not in the revenue "
                     f"table (ids such as {show_values(frame.loc[unknown, '_cust'].tolist())}): "
                     "set aside.")
    mark(~known, "customer not in the revenue table")
    mark(frame["_month"] > rev.end, "answered after the end of the revenue data")
    last = frame["_cust"].map(rev.customers["last"])
    mark(last < frame["_month"], "customer had stopped paying before the answer")
    incomplete = frame["_month"] + after > rev.end
    mark(incomplete, "after window not complete")
    if (reason == "after window not complete").any():
        notes.append(f"{int((reason == 'after window not complete').sum()):,} answers are too "
                     f"recent: their {after}-month window ends after {_month_label(rev.end)}. "
                     "They are set aside (their outcome is not known yet).")
    kept = frame[reason.isna()]
    if kept.empty:
        counts = reason.value_counts()
        raise DataError(
            "No answer is left with a complete revenue window after setting aside "
            + ", ".join(f"{n:,} ({r})" for r, n in counts.items())
            + f". Shorten after= (now {after})"
            + (f", or {cut}" if (cut := _as_of_cut(rev)) else
               f" (the revenue data end at {_month_label(rev.data_end)})")
            + ", or check the data."
        )
    measures = _window_measures(kept, rev, before, after, growth, missing_months)
    table = answers.loc[kept.index].copy()
    table["category"] = kept["category"].values
    for name, values in measures.items():
        table[name] = values
    table["expanded"] = pd.array(np.where(table["growth"].isna(), None,
                                          table["growth"] > threshold), dtype="boolean")
    table["contracted"] = pd.array(np.where(table["growth"].isna(), None,
                                            table["growth"] < -threshold), dtype="boolean")
    table = table.reset_index(drop=True)
    set_aside = answers.loc[reason.notna()].copy()
    set_aside["reason"] = reason[reason.notna()]
    accounting = _window_accounting(answers, reason, table, rev)
    parameters = {"before": before, "after": after, "growth": growth, "threshold": threshold,
                  "end": _month_label(rev.end), "customer": customer,
                  "missing_months": missing_months, "negative": negative}
    if (rev.customers["gaps"] > 0).any():
        gappy = rev.customers[rev.customers["gaps"] > 0]
        rule = ("treated as unknown (window means use the months present)"
                if missing_months == "missing" else "counted as 0 revenue")
        notes.append(f"{len(gappy):,} customers have months missing inside their revenue span "
                     f"({int(gappy['gaps'].sum()):,} months, e.g. "
                     f"{show_values(gappy.index.tolist())}): {rule}. See revenue_issues.")
    return WindowResult(table, set_aside.reset_index(drop=True), accounting, rev.issues,
                        notes, parameters)


def _window_measures(kept, rev: _Revenue, before, after, growth, missing_months) -> dict:
    keys = pd.DataFrame({"_key": np.arange(len(kept)), "_cust": kept["_cust"].to_numpy(),
                         "_m0": kept["_month"].to_numpy(dtype=int)})
    merged = keys.merge(rev.rows, on="_cust", how="inner")
    offset = (merged["_month"] - merged["_m0"]).to_numpy()
    key = merged["_key"].to_numpy()
    amount = merged["_amount"].to_numpy()
    size = len(kept)

    def total(mask, values):
        return np.bincount(key[mask], weights=values[mask], minlength=size)

    ones = np.ones(len(merged))
    windows = {"before": (offset >= -before) & (offset <= -1),
               "after": (offset >= 1) & (offset <= after),
               "at": offset == 0, "end": offset == after}
    sums = {k: total(m, amount) for k, m in windows.items()}
    counts = {k: total(m, ones) for k, m in windows.items()}
    spans = rev.customers.reindex(keys["_cust"])
    first, last = spans["first"].to_numpy(dtype=float), spans["last"].to_numpy(dtype=float)
    m0 = keys["_m0"].to_numpy(dtype=float)
    if missing_months == "zero":  # every month inside the span counts, rows or not
        n_before = np.clip(np.minimum(m0 - 1, last) - np.maximum(m0 - before, first) + 1, 0, None)
        n_after = np.clip(np.minimum(m0 + after, last) - np.maximum(m0 + 1, first) + 1, 0, None)
        inside = lambda m: (m >= first) & (m <= last)  # noqa: E731
        at = np.where(counts["at"] > 0, sums["at"], np.where(inside(m0), 0.0, np.nan))
        end = np.where(counts["end"] > 0, sums["end"],
                       np.where(inside(m0 + after), 0.0, np.nan))
    else:
        n_before, n_after = counts["before"], counts["after"]
        at = np.where(counts["at"] > 0, sums["at"], np.nan)
        end = np.where(counts["end"] > 0, sums["end"], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_before = np.where(n_before > 0, sums["before"] / n_before, np.nan)
        mean_after = np.where(n_after > 0, sums["after"] / n_after, np.nan)
    last_paid = spans["last_paid"].to_numpy(dtype=float)
    retained = np.nan_to_num(last_paid, nan=-np.inf) >= m0 + after
    if growth == "windows":
        base, later, span = mean_before, mean_after, (after + 1) / 2 + (before + 1) / 2
        notes = [(~retained, "stopped paying within the after window"),
                 (np.isnan(mean_before), "no revenue before the answer (new customer)"),
                 (mean_before <= 0, "revenue before the answer not positive"),
                 (~(mean_after > 0), "revenue after the answer not positive")]
    else:
        base, later, span = at, end, float(after)
        notes = [(~retained, "stopped paying within the after window"),
                 (np.isnan(at), "no revenue in the answer month"),
                 (at <= 0, "revenue in the answer month not positive"),
                 (~(end > 0), "no positive revenue at the end of the window")]
    note = np.select([m for m, _ in notes], [t for _, t in notes], default="")
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(note == "", 100 * np.log(later / base), np.nan)
    return {
        "answer_month": _month_labels(m0),
        "months_before": n_before.astype(int),
        "revenue_before": mean_before,
        "months_after": n_after.astype(int),
        "revenue_after": mean_after,
        "revenue_at_answer": at,
        "revenue_at_end": end,
        "last_paid_month": _month_labels(last_paid),
        "retained": retained,
        "growth": value,
        "growth_months": span,
        "after_months": after,
        "growth_note": np.where(note == "", None, note).astype(object),
    }


def _window_accounting(answers, reason, table, rev: _Revenue) -> pd.DataFrame:
    items = [("answers read", len(answers))] + _count_items(reason, WINDOW_REASONS)
    items += [("answers with a complete window", len(table)),
              ("of which still paying at the end (retained)", int(table["retained"].sum())),
              ("of which with growth", int(table["growth"].notna().sum()))]
    items += rev.accounting
    return pd.DataFrame(items, columns=["item", "rows"])


# --- estimates per category ---------------------------------------------------------------


def _windows_table(windows, cluster):
    if isinstance(windows, WindowResult):
        table = windows.table
        if cluster is not None and cluster not in table.columns:
            cluster = windows.parameters.get("customer", cluster)
        return table, cluster
    _check_frame(windows, "windows")
    return windows, cluster


def _is_share(values: pd.Series) -> bool:
    """True for 0/1 outcomes: booleans, or numbers that are all 0 or 1."""
    if pd.api.types.is_bool_dtype(values):
        return True
    if not pd.api.types.is_numeric_dtype(values):
        return False
    numbers = values.dropna()
    return len(numbers) > 0 and bool(numbers.isin([0, 1]).all())


def _outcome_values(data: pd.DataFrame, outcome: str) -> tuple[np.ndarray, str]:
    values = data[outcome]
    share = _is_share(values)
    numbers = pd.to_numeric(values.astype("Float64") if share else values, errors="coerce")
    return numbers.to_numpy(dtype=float, na_value=np.nan), "share" if share else "mean"


def _check_outcomes(data: pd.DataFrame, outcomes) -> list[str]:
    if outcomes is None:
        chosen = [c for c in DEFAULT_OUTCOMES if c in data.columns]
        if not chosen:
            raise ParameterError(
                "No outcome to summarise: the table has none of "
                f"{', '.join(DEFAULT_OUTCOMES)}. Name numeric or 0/1 columns with "
                "outcomes=[...], e.g. outcomes=['revenue'] for revenue per answer."
            )
        return chosen
    chosen = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    require_columns(data, chosen, "Outcome column(s) {missing} not found; columns are {found}. "
                    "Pass outcomes=[...] naming numeric or 0/1 columns.")
    for name in chosen:
        values = data[name]
        if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
            raise DataError(
                f"The outcome {name!r} must hold numbers or 0/1 (True/False); found "
                f"{show_values(values.dropna().tolist())}. Convert it first."
            )
    return chosen


def _levels(data: pd.DataFrame, by: str) -> list:
    values = data[by]
    if isinstance(values.dtype, pd.CategoricalDtype):
        return list(values.cat.categories)
    return sorted(values.dropna().unique().tolist(), key=str)


def _cluster_codes(data: pd.DataFrame, cluster: str | None) -> np.ndarray | None:
    if cluster is None:
        return None
    require_columns(data, [cluster], "Cluster column {missing} not found; columns are {found}. "
                    "Pass cluster='<customer id column>' or cluster=None when every row is a "
                    "different customer.")
    ids = data[cluster]
    if ids.isna().any():
        raise DataError(f"The cluster column {cluster!r} is empty in {int(ids.isna().sum())} "
                        "rows; fill it in (the customer id) or remove those rows.")
    return pd.factorize(ids)[0]


def _mean_estimate(y: np.ndarray, groups: np.ndarray | None, conf: float) -> dict:
    """Mean with a t interval; cluster-robust (CR1, G - 1 df) when clusters repeat."""
    n = len(y)
    if n == 0:
        return {"n": 0, "customers": 0, "estimate": np.nan, "se": np.nan, "ci_low": np.nan,
                "ci_high": np.nan, "df": np.nan, "method": "t interval"}
    mean = float(y.mean())
    clusters = n if groups is None else len(np.unique(groups))
    if groups is None or clusters == n:
        sd = float(y.std(ddof=1)) if n > 1 else np.nan
        se, df, method = sd / np.sqrt(n), n - 1, "t interval"
    else:
        _, inverse = np.unique(groups, return_inverse=True)
        sums = np.bincount(inverse, weights=y - mean)
        se = float(np.sqrt(clusters / (clusters - 1) * np.sum(sums**2)) / n) \
            if clusters > 1 else np.nan
        df, method = clusters - 1, "t interval, cluster-robust by customer (CR1)"
    half = _st.t.ppf(0.5 + conf / 2, df) * se if df and df > 0 else np.nan
    return {"n": n, "customers": clusters, "estimate": mean, "se": se,
            "ci_low": mean - half, "ci_high": mean + half, "df": df, "method": method}


def _design_effect(y: np.ndarray, groups: np.ndarray | None) -> float:
    """Clustering's variance inflation of a mean (1 without repeated clusters; at least 1)."""
    if groups is None or len(y) < 2:
        return 1.0
    _, inverse = np.unique(groups, return_inverse=True)
    if inverse.max() + 1 == len(y):
        return 1.0
    e = y - y.mean()
    within = np.sum(e**2)
    if within == 0:
        return 1.0
    return max(1.0, float(np.sum(np.bincount(inverse, weights=e) ** 2) / within))


def _share_estimate(y: np.ndarray, groups: np.ndarray | None, conf: float) -> dict:
    """Share in % with the Wilson interval on the n adjusted for clustering."""
    n = len(y)
    clusters = n if groups is None else len(np.unique(groups))
    if n == 0:
        return {"n": 0, "customers": 0, "estimate": np.nan, "se": np.nan, "ci_low": np.nan,
                "ci_high": np.nan, "df": np.nan, "method": "Wilson score"}
    p = float(y.mean())
    deff = _design_effect(y, groups)
    n_eff = n / deff
    low, high = stats.proportion_interval(p * n_eff, n_eff, conf=conf)
    method = "Wilson score" + (", n adjusted for clustering by customer (design effect "
                               f"{deff:.2f})" if deff > 1 else "")
    return {"n": n, "customers": clusters, "estimate": 100 * p,
            "se": 100 * np.sqrt(p * (1 - p) / n_eff), "ci_low": 100 * low,
            "ci_high": 100 * high, "df": np.nan, "method": method}


def revenue_by_category(
    windows,
    *,
    by: str = "category",
    outcomes: str | Sequence[str] | None = None,
    conf: float = 0.95,
    min_n: int = 30,
    cluster: str | None = "customer_id",
) -> pd.DataFrame:
    """Growth, retention, expansion and contraction per category, with intervals.

    Numeric outcomes (``growth``, or revenue per answer) get their mean with a t
    interval, cluster-robust by customer (CR1, ``customers - 1`` degrees of freedom)
    when a customer answered several times. 0/1 outcomes (``retained``, ``expanded``,
    ``contracted``, churn flags) get a share in % with the Wilson interval, its n
    divided by the design effect of the clustering. Rows where an outcome is missing
    (growth of customers who left) do not count for that outcome.

    Parameters
    ----------
    windows : WindowResult or DataFrame
        :func:`revenue_windows`' result, or any frame with one row per answer, a
        category column and outcome columns (e.g. ticket revenue per answer).
    by : str
        Category column.
    outcomes : str or list of str, optional
        Outcome columns; default every one of ``growth``, ``retained``, ``expanded``,
        ``contracted`` present.
    conf, min_n
        Confidence level; categories with fewer answers (for that outcome) are flagged
        ``small_n``.
    cluster : str or None
        Customer id column for clustering (None: every row independent).

    Returns
    -------
    DataFrame
        One row per category and outcome: ``by``, ``outcome``, ``kind`` ("mean" or
        "share"), ``n`` (answers with the outcome), ``customers``, ``estimate`` (mean,
        or share in %), ``se``, ``ci_low``, ``ci_high``, ``conf``, ``method``,
        ``small_n``. A category without answers has n = 0 and NaN estimates. Rows
        without a category are counted in ``.attrs["no_category"]``.

    Examples
    --------
    >>> df = pd.DataFrame({"category": ["promoter"] * 4 + ["detractor"] * 4,
    ...                    "growth": [5.0, 7.0, 6.0, 6.0, -2.0, 0.0, -1.0, -1.0],
    ...                    "retained": [1, 1, 1, 0, 1, 0, 0, 1]})
    >>> table = revenue_by_category(df, cluster=None, min_n=2)
    >>> table[["category", "outcome", "n", "estimate"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['detractor', 'growth', 4, -1.0], ['detractor', 'retained', 4, 50.0],
     ['promoter', 'growth', 4, 6.0], ['promoter', 'retained', 4, 75.0]]
    """
    stats.z_value(conf)
    min_n = _check_count(min_n, "min_n", low=1)
    data, cluster = _windows_table(windows, cluster)
    require_columns(data, [by], "Category column {missing} not found; columns are {found}. "
                    "Pass by='<column>' (revenue_windows adds 'category').")
    chosen = _check_outcomes(data, outcomes)
    groups = _cluster_codes(data, cluster)
    labels = data[by]
    values = {outcome: _outcome_values(data, outcome) for outcome in chosen}
    rows = []
    for level in _levels(data, by):
        mine = (labels == level).to_numpy()
        for outcome in chosen:
            y, kind = values[outcome]
            ok = mine & ~np.isnan(y)
            g = None if groups is None else groups[ok]
            estimate = (_share_estimate if kind == "share" else _mean_estimate)(y[ok], g, conf)
            rows.append({by: level, "outcome": outcome, "kind": kind, **estimate})
    out = pd.DataFrame(rows)
    out = out[[by, "outcome", "kind", "n", "customers", "estimate", "se", "ci_low", "ci_high",
               "method"]]
    out.insert(len(out.columns) - 1, "conf", conf)
    out["small_n"] = out["n"] < min_n
    if isinstance(labels.dtype, pd.CategoricalDtype):
        out[by] = pd.Categorical(out[by], categories=labels.cat.categories,
                                 ordered=labels.cat.ordered)
    out.attrs["no_category"] = int(labels.isna().sum())
    return out


def compare_categories(
    windows,
    a: str = "promoter",
    b: str = "detractor",
    *,
    by: str = "category",
    outcomes: str | Sequence[str] | None = None,
    conf: float = 0.95,
    min_n: int = 30,
    cluster: str | None = "customer_id",
    correction: str = "holm",
) -> pd.DataFrame:
    """Category ``a`` against ``b`` on every outcome: difference, interval, test.

    When customers repeat (several answers of one customer among the rows compared),
    the difference comes from a regression of the outcome on a 0/1 indicator of ``a``
    with cluster-robust errors by customer (CR1, t with ``customers - 1`` df). Without
    repeats: Welch's t test for means; for shares Newcombe's hybrid score interval
    with the pooled two-proportion z test. p-values are corrected across the outcomes
    (Holm by default); ``significant`` needs the corrected p below ``1 - conf`` and
    both groups at ``min_n`` or more.

    Returns
    -------
    DataFrame
        One row per outcome: ``outcome``, ``kind``, ``a``, ``b``, ``n_a``, ``n_b``,
        ``estimate_a``, ``estimate_b``, ``difference`` (a - b; % points for shares),
        ``ci_low``, ``ci_high``, ``statistic``, ``df``, ``p_value``, ``p_adjusted``,
        ``significant``, ``small_n``, ``conf``, ``method``, ``correction``.

    Raises
    ------
    ParameterError
        ``a`` or ``b`` is not a category of ``by``, or they are the same.
    DataError
        ``a`` or ``b`` has no answers (an empty category).

    Examples
    --------
    >>> df = pd.DataFrame({"category": ["promoter"] * 4 + ["detractor"] * 4,
    ...                    "growth": [5.0, 7.0, 6.0, 6.0, -2.0, 0.0, -1.0, -1.0]})
    >>> row = compare_categories(df, cluster=None, min_n=2).iloc[0]
    >>> [round(float(row[c]), 2) for c in ("difference", "ci_low", "ci_high")]
    [7.0, 5.59, 8.41]
    """
    stats.z_value(conf)
    min_n = _check_count(min_n, "min_n", low=1)
    data, cluster = _windows_table(windows, cluster)
    require_columns(data, [by], "Category column {missing} not found; columns are {found}. "
                    "Pass by='<column>' (revenue_windows adds 'category').")
    levels = _levels(data, by)
    for name, value in (("a", a), ("b", b)):
        if value not in levels:
            raise ParameterError(f"{name}={value!r} is not a category of {by!r}; categories are "
                                 f"{show_values(levels, limit=12)}.")
    if a == b:
        raise ParameterError(f"a and b are the same category ({a!r}); choose two different ones.")
    labels = data[by]
    for value in (a, b):
        if not (labels == value).any():
            raise DataError(
                f"No answers in the category {value!r} of {by!r}: there is nothing to compare. "
                f"Categories with answers: {show_values(labels.dropna().unique().tolist())}. "
                "Choose two categories with answers (a=..., b=...), or widen the data."
            )
    chosen = _check_outcomes(data, outcomes)
    groups = _cluster_codes(data, cluster)
    rows = [_compare_outcome(data, outcome, labels, a, b, groups, conf, min_n)
            for outcome in chosen]
    out = pd.DataFrame(rows)
    out["p_adjusted"] = stats.adjust_pvalues(out["p_value"], correction)
    out["significant"] = (out["p_adjusted"] < 1 - conf) & ~out["small_n"]
    out["conf"] = conf
    out["correction"] = correction
    order = ["outcome", "kind", "a", "b", "n_a", "n_b", "estimate_a", "estimate_b",
             "difference", "ci_low", "ci_high", "statistic", "df", "p_value", "p_adjusted",
             "significant", "small_n", "conf", "method", "correction"]
    return out[order]


def _compare_outcome(data, outcome, labels, a, b, groups, conf, min_n) -> dict:
    y, kind = _outcome_values(data, outcome)
    in_a = (labels == a).to_numpy() & ~np.isnan(y)
    in_b = (labels == b).to_numpy() & ~np.isnan(y)
    ya, yb = y[in_a], y[in_b]
    scale = 100.0 if kind == "share" else 1.0
    row = {"outcome": outcome, "kind": kind, "a": a, "b": b, "n_a": len(ya), "n_b": len(yb),
           "estimate_a": scale * ya.mean() if len(ya) else np.nan,
           "estimate_b": scale * yb.mean() if len(yb) else np.nan,
           "small_n": min(len(ya), len(yb)) < min_n}
    nan = {"difference": np.nan, "ci_low": np.nan, "ci_high": np.nan, "statistic": np.nan,
           "df": np.nan, "p_value": np.nan}
    if len(ya) < 2 or len(yb) < 2:
        return {**row, **nan, "method": "too few answers to compare"}
    both = in_a | in_b
    repeated = groups is not None and len(np.unique(groups[both])) < both.sum()
    if repeated:
        x = np.column_stack([np.ones(both.sum()), in_a[both].astype(float)])
        fit = sm.OLS(y[both], x).fit(cov_type="cluster", cov_kwds={"groups": groups[both]},
                                     use_t=True)
        low, high = fit.conf_int(alpha=1 - conf)[1]
        result = {"difference": scale * fit.params[1], "ci_low": scale * low,
                  "ci_high": scale * high, "statistic": float(fit.tvalues[1]),
                  "df": float(fit.df_resid_inference), "p_value": float(fit.pvalues[1])}
        method = "difference from OLS on a category indicator, cluster-robust by customer (CR1)"
    elif kind == "share":
        xa, xb = ya.sum(), yb.sum()
        low, high = stats.proportion_difference_interval(xa, len(ya), xb, len(yb), conf=conf)
        test = stats.two_proportion_test(xa, len(ya), xb, len(yb))
        result = {"difference": 100 * test.difference, "ci_low": 100 * low, "ci_high": 100 * high,
                  "statistic": test.statistic, "df": np.inf, "p_value": test.p_value}
        method = "Newcombe hybrid score interval; two-proportion z test"
    else:
        test = stats.welch_test(ya.mean(), ya.std(ddof=1), len(ya), yb.mean(), yb.std(ddof=1),
                                len(yb))
        half = _st.t.ppf(0.5 + conf / 2, test.df) * test.se
        result = {"difference": test.difference, "ci_low": test.difference - half,
                  "ci_high": test.difference + half, "statistic": test.statistic,
                  "df": test.df, "p_value": test.p_value}
        method = "Welch's t test"
    return {**row, **result, "method": method}


# --- accounts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountResult:
    """Outcome of :func:`account_rollup`.

    Attributes
    ----------
    table : DataFrame
        One row per account, largest revenue first: ``account``, ``customers``, ``n``
        (respondents), ``promoters``, ``passives``, ``detractors``, ``estimate`` (the
        account's NPS), ``ci_low``, ``ci_high`` (adjusted Wald), ``conf``, ``method``,
        ``small_n``, ``revenue`` (in the window), ``revenue_share`` (%), ``answered``,
        ``at_risk``.
    overall : DataFrame
        NPS across accounts three ways (``weighting``: respondents, accounts, revenue):
        ``n`` (respondents), ``accounts``, ``n_eff`` (Kish), ``estimate``, ``ci_low``,
        ``ci_high``, ``conf``, ``method``, ``headline`` (the ``weight_by`` row).
    coverage : DataFrame
        Per quarter with revenue (and ``"window"``): ``quarter``, ``months``, ``accounts``,
        ``accounts_answered``, ``revenue``, ``revenue_covered``, ``coverage`` (%),
        ``target`` (80), ``meets_target``.
    at_risk : DataFrame
        The accounts at risk (rows of ``table``), largest revenue first.
    accounting : DataFrame
        ``item`` and ``rows``.
    warnings : list of str
    parameters : dict
    """

    table: pd.DataFrame
    overall: pd.DataFrame
    coverage: pd.DataFrame
    at_risk: pd.DataFrame
    accounting: pd.DataFrame
    warnings: list = field(default_factory=list)
    parameters: dict = field(default_factory=dict)
    context: str = COVERAGE_CONTEXT

    def summary(self) -> str:
        """Headline NPS, coverage of revenue and accounts at risk, in one sentence."""
        head = self.overall[self.overall["headline"]].iloc[0]
        window = self.coverage[self.coverage["quarter"] == "window"].iloc[0]
        risk = self.at_risk
        return (
            f"{head['weighting'].capitalize()}-weighted NPS {head['estimate']:+.1f} "
            f"({head['conf']:.0%} CI {head['ci_low']:+.1f} to {head['ci_high']:+.1f}; "
            f"{int(head['n']):,} respondents in {int(head['accounts']):,} accounts, "
            f"effective n {head['n_eff']:.0f}); the answering accounts hold "
            f"{window['coverage']:.1f}% of revenue in {self.parameters['window']}; "
            f"{len(risk)} account(s) at risk"
            + (f", {risk['revenue'].sum():,.0f} of revenue." if len(risk) else ".")
        )


def account_rollup(
    answers: pd.DataFrame,
    customers: pd.DataFrame,
    revenue: pd.DataFrame,
    *,
    account: str = "account_id",
    customer: str = "customer_id",
    answered_at: str = "responded_at",
    score: str = "score",
    period=None,
    months: int = 12,
    as_of=None,
    revenue_period: str = "period",
    amount: str = "revenue",
    weight_by: str = "revenue",
    risk_percentile: float = 75.0,
    risk_nps_below: float = 0.0,
    coverage_target: float = 80.0,
    scale: str | Scale | None = None,
    survey: str | None = "nps",
    conf: float = 0.95,
    min_n: int = 30,
) -> AccountResult:
    """Roll respondents up to their accounts: account NPS, revenue-weighted NPS, coverage.

    The window is ``period`` ("2024", "2024Q4", "2024-06") or else the ``months`` months
    ending at ``as_of`` (default: the last revenue month). Each respondent counts once,
    with the latest answer in the window. Account revenue is the sum of its customers'
    revenue in the window.

    - Account NPS: % promoters - % detractors among its respondents, with the adjusted
      Wald interval (:func:`csat_toolkit.stats.nps_interval`); accounts have few
      respondents, so most are ``small_n``.
    - Overall NPS three ways: every respondent alike; every account alike; and weighted
      by account revenue (each account's respondents share its revenue), so that
      ``sum(revenue * account NPS) / sum(revenue)`` over the answering accounts. The
      weighted intervals use Kish's effective n.
    - Revenue coverage per quarter: the share of the quarter's revenue held by accounts
      with at least one answer in that quarter (any answer, not only the latest);
      :data:`COVERAGE_CONTEXT`: 80% is a rule of thumb.
    - At risk: answering accounts whose revenue is at or above the ``risk_percentile``-th
      percentile of account revenue and whose NPS is below ``risk_nps_below``.

    Parameters
    ----------
    answers, customers, revenue : DataFrame
        NPS answers (customer id, date, score); one row per customer with its
        ``account``; monthly revenue per customer.
    weight_by : {"revenue", "accounts", "respondents"}
        Which overall NPS is the headline (all three are in ``overall``).

    Returns
    -------
    AccountResult

    Examples
    --------
    >>> customers = pd.DataFrame({"customer_id": ["c1", "c2", "c3", "c4"],
    ...                           "account_id": ["A", "A", "B", "C"]})
    >>> revenue = pd.DataFrame({"customer_id": ["c1", "c2", "c3", "c4"],
    ...                         "period": ["2024-06"] * 4, "revenue": [600, 400, 3000, 500]})
    >>> answers = pd.DataFrame({"customer_id": ["c1", "c2", "c3"],
    ...                         "responded_at": ["2024-06-10"] * 3, "score": [10, 3, 9]})
    >>> result = account_rollup(answers, customers, revenue, min_n=1)
    >>> result.table[["account_id", "n", "estimate", "revenue"]].values.tolist()
    [['B', 1, 100.0, 3000.0], ['A', 2, 0.0, 1000.0], ['C', 0, nan, 500.0]]
    >>> result.overall.set_index("weighting")["estimate"].round(1).tolist()
    [33.3, 50.0, 75.0]
    """
    stats.z_value(conf)
    min_n = _check_count(min_n, "min_n", low=1)
    months = _check_count(months, "months", low=1)
    _check_choice(weight_by, "weight_by", ("revenue", "accounts", "respondents"))
    risk_percentile = _check_number(risk_percentile, "risk_percentile", low=0, high=100)
    risk_nps_below = _check_number(risk_nps_below, "risk_nps_below", low=-100, high=100)
    coverage_target = _check_number(coverage_target, "coverage_target", low=0, high=100)
    _check_frame(customers, "customers")
    require_columns(customers, [customer, account],
                    "The customer table needs the columns {missing}; found {found}. Name them "
                    "with customer=... and account=...")
    accounts_of = _account_map(customers, customer, account)
    _check_frame(answers, "answers")
    answers = answers.reset_index(drop=True)
    rev = _prepare_revenue(revenue, customer=customer, period=revenue_period, amount=amount,
                           as_of=as_of, negative="keep")
    first, last, label = _rollup_window(period, months, rev.end)
    frame, reason, scale = _answer_frame(answers, customer=customer, answered_at=answered_at,
                                         score=score, category=None, scale=scale, survey=survey)
    notes = list(rev.warnings)

    def mark(mask, text):
        reason[np.asarray(mask) & reason.isna().to_numpy()] = text

    known = frame["_cust"].isin(accounts_of.index)
    _check_overlap(frame, reason.isna(), known, accounts_of.index, customer, "customer table")
    mark(~known, "customer not in the customer table")
    mark(frame["_cust"].map(accounts_of).isna() & known, "customer without an account")
    mark((frame["_month"] < first) | (frame["_month"] > last), "answered outside the window")
    answered = frame[reason.isna()].assign(_account=lambda f: f["_cust"].map(accounts_of))
    usable = frame[reason.isna()].sort_values("_stamp", kind="stable")
    earlier = usable.index[usable["_cust"].duplicated(keep="last")]
    mark(frame.index.isin(earlier), "earlier answer of the same customer")
    used = frame[reason.isna()].copy()
    used["_account"] = used["_cust"].map(accounts_of)
    rows = rev.rows[(rev.rows["_month"] >= first) & (rev.rows["_month"] <= last)].copy()
    rows["_account"] = rows["_cust"].map(accounts_of)
    orphan = rows["_account"].isna()
    if orphan.any():
        notes.append(f"{rows.loc[orphan, '_amount'].sum():,.2f} of revenue in the window belongs "
                     f"to customers without an account in the customer table (ids such as "
                     f"{show_values(rows.loc[orphan, '_cust'].tolist())}): left out of the "
                     "account figures.")
    rows = rows[~orphan]
    table = _account_table(used, rows, accounts_of, account, scale, conf, min_n)
    threshold = _risk_threshold(table, risk_percentile)
    table["at_risk"] = (table["answered"] & (table["revenue"] >= threshold)
                        & (table["estimate"] < risk_nps_below))
    overall = _overall_nps(table, used, scale, conf, weight_by)
    coverage = _coverage(answered, rows, first, last, coverage_target)
    accounting = pd.DataFrame(
        [("answers read", len(answers))]
        + _count_items(reason, ("not an NPS answer", "no customer id", "no answer date",
                                "no category", "no score", "score not on the scale",
                                "customer not in the customer table",
                                "customer without an account", "answered outside the window",
                                "earlier answer of the same customer"))
        + [("respondents used (latest answer each)", len(used)),
           ("accounts in the customer table", int(accounts_of.nunique())),
           ("accounts with respondents", int(table["answered"].sum())),
           ("revenue rows in the window", int(len(rows) + orphan.sum())),
           ("of which of customers without an account", int(orphan.sum()))],
        columns=["item", "rows"])
    if table["answered"].any() and (table.loc[table["answered"], "revenue"] <= 0).any():
        notes.append("Some answering accounts have no revenue in the window: they weigh 0 in "
                     "the revenue-weighted NPS.")
    at_risk = table[table["at_risk"]].reset_index(drop=True)
    parameters = {"window": label, "first": _month_label(first), "last": _month_label(last),
                  "weight_by": weight_by, "risk_percentile": risk_percentile,
                  "risk_revenue_threshold": threshold, "risk_nps_below": risk_nps_below,
                  "coverage_target": coverage_target}
    return AccountResult(table, overall, coverage, at_risk, accounting, notes, parameters)


def _account_map(customers, customer, account) -> pd.Series:
    ids = customers[customer]
    repeated = ids[ids.duplicated(keep=False) & ids.notna()]
    if len(repeated):
        raise DataError(f"The customer table repeats ids in {customer!r}: "
                        f"{show_values(repeated.tolist())}. Keep one row per customer.")
    mapping = customers.loc[ids.notna(), [customer, account]].set_index(customer)[account]
    return mapping


def _rollup_window(period, months: int, end: int) -> tuple[int, int, str]:
    if period is None:
        first = end - months + 1
        return first, end, f"{_month_label(first)} to {_month_label(end)}"
    try:
        start = period_of(period, "M", how="start")
        stop = period_of(period, "M", how="end")
    except (ValueError, TypeError) as error:
        raise ParameterError(f"period must be a year, quarter or month such as '2024', "
                             f"'2024Q4' or '2024-06'; got {period!r}.") from error
    first = start.year * 12 + start.month - 1
    last = stop.year * 12 + stop.month - 1
    if first > end:
        raise ParameterError(f"period={period!r} starts after the last revenue month "
                             f"({_month_label(end)}); choose a period with data.")
    return first, min(last, end), str(period)


def _account_table(used, rows, accounts_of, account, scale, conf, min_n) -> pd.DataFrame:
    labels = used["category"].astype(object)
    names = scale.class_names
    counts = pd.DataFrame({
        "_account": used["_account"].to_numpy(),
        "promoters": (labels == names[-1]).to_numpy(dtype=int),
        "passives": (labels == names[1]).to_numpy(dtype=int) if len(names) == 3 else 0,
        "detractors": (labels == names[0]).to_numpy(dtype=int),
    }).groupby("_account").sum()
    accounts = pd.Index(pd.unique(accounts_of.dropna()), name="_account")
    table = pd.DataFrame(index=accounts)
    table["customers"] = accounts_of.dropna().value_counts().reindex(accounts).to_numpy()
    table = table.join(counts).fillna({"promoters": 0, "passives": 0, "detractors": 0})
    for column in ("promoters", "passives", "detractors"):
        table[column] = table[column].astype(int)
    table["n"] = table[["promoters", "passives", "detractors"]].sum(axis=1)
    n = table["n"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["estimate"] = np.where(n > 0,
                                     100 * (table["promoters"] - table["detractors"]) / n,
                                np.nan)
    low, high = stats.nps_interval(table["promoters"], table["passives"], table["detractors"],
                                   conf=conf)
    table["ci_low"], table["ci_high"] = 100 * np.asarray(low), 100 * np.asarray(high)
    table["conf"] = conf
    table["method"] = "adjusted Wald (Rocks 2016)"
    table["small_n"] = n < min_n
    revenue = rows.groupby("_account")["_amount"].sum()
    table["revenue"] = revenue.reindex(accounts).fillna(0.0).to_numpy(dtype=float)
    total = table["revenue"].sum()
    table["revenue_share"] = 100 * table["revenue"] / total if total > 0 else np.nan
    table["answered"] = n > 0
    table = table.reset_index().rename(columns={"_account": account})
    order = [account, "customers", "n", "promoters", "passives", "detractors", "estimate",
             "ci_low", "ci_high", "conf", "method", "small_n", "revenue", "revenue_share",
             "answered"]
    return table[order].sort_values(["revenue", account], ascending=[False, True],
                                    kind="stable").reset_index(drop=True)


def _risk_threshold(table: pd.DataFrame, percentile: float) -> float:
    paying = table.loc[table["revenue"] > 0, "revenue"].to_numpy()
    return float(np.percentile(paying, percentile)) if len(paying) else np.inf


def _overall_nps(table, used, scale, conf, weight_by) -> pd.DataFrame:
    names = scale.class_names
    per_account = table.set_index(table.columns[0])
    respondents = used["_account"].map(per_account["n"]).to_numpy(dtype=float)
    revenue = used["_account"].map(per_account["revenue"]).to_numpy(dtype=float)
    weights = {
        "respondents": np.ones(len(used)),
        "accounts": 1.0 / respondents,
        "revenue": np.clip(revenue, 0, None) / respondents,
    }
    labels = used["category"].astype(object).to_numpy()
    rows = []
    for name, w in weights.items():
        total = w.sum()
        kept = w > 0
        n_eff = stats.kish_effective_n(w[kept]) if kept.any() else 0.0
        if total > 0:
            p_p = w[labels == names[-1]].sum() / total
            p_d = w[labels == names[0]].sum() / total
            low, high = stats.nps_interval(p_p * n_eff, (1 - p_p - p_d) * n_eff, p_d * n_eff,
                                           conf=conf)
            estimate = 100 * (p_p - p_d)
        else:
            estimate, low, high = np.nan, np.nan, np.nan
        method = "adjusted Wald (Rocks 2016)" + (
            "" if name == "respondents" else f", {name} weights, Kish effective n")
        rows.append({"weighting": name, "n": int(kept.sum()),
                     "accounts": int(pd.Series(used["_account"].to_numpy()[kept]).nunique()),
                     "n_eff": n_eff, "estimate": estimate, "ci_low": 100 * low,
                     "ci_high": 100 * high, "conf": conf, "method": method,
                     "headline": name == weight_by})
    return pd.DataFrame(rows)


def _coverage(answered, rows, first, last, target) -> pd.DataFrame:
    """Revenue share of the accounts with an answer, per quarter with revenue and overall."""
    quarter_of = lambda m: f"{int(m) // 12}Q{(int(m) % 12) // 3 + 1}"  # noqa: E731
    month_quarter = {m: quarter_of(m) for m in range(first, last + 1)}
    billed = set(rows["_month"])
    out = []
    spans = [(q, [m for m, x in month_quarter.items() if x == q])
             for q in dict.fromkeys(month_quarter.values())]
    spans = [(q, months) for q, months in spans if billed & set(months)]
    spans.append(("window", list(month_quarter)))
    for quarter, in_months in spans:
        part = rows[rows["_month"].isin(in_months)]
        accounts = set(answered.loc[answered["_month"].isin(in_months), "_account"])
        by_account = part.groupby("_account")["_amount"].sum()
        total = float(by_account.sum())
        covered = float(by_account[by_account.index.isin(accounts)].sum())
        out.append({"quarter": quarter, "months": len(in_months),
                    "accounts": int((by_account > 0).sum()),
                    "accounts_answered": int(by_account.index.isin(accounts).sum()),
                    "revenue": total, "revenue_covered": covered,
                    "coverage": 100 * covered / total if total > 0 else np.nan,
                    "target": target})
    table = pd.DataFrame(out)
    table["meets_target"] = table["coverage"] >= target
    return table


# --- correlations and Granger -------------------------------------------------------------


def correlation(x, y, *, method: str = "pearson", conf: float = 0.95) -> dict:
    """A correlation with its interval and test.

    - ``pearson``: interval by Fisher's z (``atanh r +- z / sqrt(n - 3)``), t test
      with ``n - 2`` df (as R ``cor.test``).
    - ``spearman``: Pearson's r of the ranks (ties averaged); interval by Fisher's z
      with the Bonett-Wright (2000) standard error ``sqrt((1 + r^2 / 2) / (n - 3))``
      (as R statpsych ``ci.spear``); p from the t approximation (R ``cor.test`` with
      ``exact=FALSE``).

    Pairs with a missing value are left out (``n`` counts the pairs used).

    Returns
    -------
    dict
        ``method``, ``n``, ``estimate``, ``ci_low``, ``ci_high``, ``statistic`` (t),
        ``df``, ``p_value``, ``conf``.

    Examples
    --------
    >>> r = correlation([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5])
    >>> round(r["estimate"], 4), round(r["ci_low"], 4), round(r["ci_high"], 4)
    (0.8286, 0.0519, 0.9807)
    """
    _check_choice(method, "method", ("pearson", "spearman"))
    z = stats.z_value(conf)
    x = pd.to_numeric(pd.Series(np.asarray(x, dtype=object)), errors="coerce").to_numpy(float)
    y = pd.to_numeric(pd.Series(np.asarray(y, dtype=object)), errors="coerce").to_numpy(float)
    if len(x) != len(y):
        raise ParameterError(f"x and y must have the same length; got {len(x)} and {len(y)}.")
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    n = len(x)
    name = "Pearson, Fisher z interval" if method == "pearson" else \
        "Spearman, Fisher z interval with the Bonett-Wright (2000) standard error"
    out = {"method": name, "n": n, "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan,
           "statistic": np.nan, "df": n - 2, "p_value": np.nan, "conf": conf}
    if n < 3 or np.std(x) == 0 or np.std(y) == 0:
        return out
    if method == "spearman":
        x, y = _st.rankdata(x), _st.rankdata(y)
    r = float(np.clip(np.corrcoef(x, y)[0, 1], -1.0, 1.0))
    out["estimate"] = r
    if abs(r) < 1:
        t = r * np.sqrt((n - 2) / (1 - r**2))
        out["statistic"], out["p_value"] = float(t), float(2 * _st.t.sf(abs(t), n - 2))
    else:
        out["statistic"], out["p_value"] = np.sign(r) * np.inf, 0.0
    if n > 3:
        se = np.sqrt((1 + r**2 / 2) / (n - 3)) if method == "spearman" else 1 / np.sqrt(n - 3)
        centre = np.arctanh(np.clip(r, -1 + 1e-15, 1 - 1e-15))
        out["ci_low"], out["ci_high"] = float(np.tanh(centre - z * se)), \
            float(np.tanh(centre + z * se))
    return out


def granger_test(
    data: pd.DataFrame,
    *,
    cause: str,
    effect: str,
    lags: int = 1,
    order: str | None = None,
    by: str | Sequence[str] | None = None,
    min_periods: int = 8,
) -> pd.DataFrame:
    """Does ``cause`` help predict ``effect`` beyond ``effect``'s own past? (Granger).

    The F test of statsmodels' ``grangercausalitytests`` (``ssr_ftest``, identical to R
    ``lmtest::grangertest``): ``effect`` on ``lags`` of itself with and without
    ``lags`` of ``cause``. Per group of ``by`` (each a time series ordered by
    ``order``), Holm-corrected across groups. A group with fewer than ``min_periods``
    periods gets a warning in its ``note``; one too short for the test gets NaN and
    says so. "Granger-causes" means "helps predict", not "causes".

    Returns
    -------
    DataFrame
        One row per group: the ``by`` columns, ``periods``, ``lags``, ``F``, ``df_num``,
        ``df_denom``, ``p_value``, ``p_adjusted``, ``method``, ``note``.

    Examples
    --------
    >>> t = np.arange(12)
    >>> df = pd.DataFrame({"x": np.sin(t), "y": np.r_[0, np.sin(t[:-1])] + 0.1 * np.cos(3 * t)})
    >>> row = granger_test(df, cause="x", effect="y").iloc[0]
    >>> int(row["periods"]), int(row["df_num"]), int(row["df_denom"]), row["p_value"] < 0.001
    (12, 1, 8, np.True_)
    """
    _check_frame(data, "data")
    lags = _check_count(lags, "lags", low=1)
    min_periods = _check_count(min_periods, "min_periods", low=1)
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    require_columns(data, [cause, effect] + keys + ([order] if order else []),
                    "Column(s) {missing} not found; columns are {found}. Name the series with "
                    "cause=... and effect=..., the groups with by=... and the time with order=...")
    frame = data.sort_values(order, kind="stable") if order else data
    groups = frame.groupby(keys, sort=True, observed=True) if keys else [((), frame)]
    rows = []
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(keys, key)), **_granger_one(part, cause, effect, lags,
                                                             min_periods)})
    out = pd.DataFrame(rows)
    out["p_adjusted"] = stats.adjust_pvalues(out["p_value"], "holm")
    cols = keys + ["periods", "lags", "F", "df_num", "df_denom", "p_value", "p_adjusted",
                   "method", "note"]
    return out[cols]


def _granger_one(part: pd.DataFrame, cause: str, effect: str, lags: int, min_periods: int
                 ) -> dict:
    values = part[[effect, cause]].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    n = len(values)
    method = "Granger F test (statsmodels grangercausalitytests, ssr_ftest)"
    row = {"periods": n, "lags": lags, "F": np.nan, "df_num": np.nan, "df_denom": np.nan,
           "p_value": np.nan, "method": method, "note": ""}
    notes = []
    if not np.isfinite(values).all():
        row["note"] = ("the series has gaps (missing values): the test needs consecutive "
                       "periods; not computed")
        return row
    if n < min_periods:
        notes.append(f"only {n} periods (fewer than min_periods={min_periods}): rough")
    if n < 3 * lags + 2 or np.std(values[:, 0]) == 0 or np.std(values[:, 1]) == 0:
        row["note"] = "; ".join(notes + [f"too few periods ({n}) or a constant series for "
                                         f"{lags} lag(s): not computed"])
        return row
    try:
        result = grangercausalitytests(values, [lags])
    except (ValueError, np.linalg.LinAlgError) as error:
        row["note"] = "; ".join(notes + [f"not computed ({error})"])
        return row
    f, p, df_denom, df_num = result[lags][0]["ssr_ftest"]
    row.update({"F": float(f), "df_num": float(df_num), "df_denom": float(df_denom),
                "p_value": float(p), "note": "; ".join(notes)})
    return row


# --- segment-period link ------------------------------------------------------------------


@dataclass(frozen=True)
class LinkResult:
    """Outcome of :func:`segment_period_link`.

    Attributes
    ----------
    panel : DataFrame
        One row per segment and period: the segment columns, ``segment_label`` (their
        values joined by " / "),
        ``period``, ``n`` (answers), ``nps``, ``nps_ci_low``, ``nps_ci_high``,
        ``revenue``, ``growth`` (% log points against the previous period), controls.
    correlations : DataFrame
        Per lag and method: ``lag``, ``method``, ``n``, ``estimate``, ``ci_low``,
        ``ci_high``, ``statistic``, ``df``, ``p_value``, ``conf``.
    regression : DataFrame
        Per lag: ``lag``, ``term`` ("+10 NPS points"), ``estimate`` (% revenue growth
        going with +10 NPS points), ``ci_low``, ``ci_high``, ``p_value``, ``n``
        (segment-periods), ``segments``, ``df``, ``conf``, ``method``.
    granger : DataFrame
        :func:`granger_test` of NPS on growth per segment, plus a pooled row.
    accounting : DataFrame
        ``item`` and ``rows``: answers and revenue rows read, used and left out.
    warnings : list of str
    context : str
        :data:`UPSELL_CONTEXT` (never a benchmark).
    parameters : dict
    """

    panel: pd.DataFrame
    correlations: pd.DataFrame
    regression: pd.DataFrame
    granger: pd.DataFrame
    accounting: pd.DataFrame
    warnings: list = field(default_factory=list)
    context: str = UPSELL_CONTEXT
    parameters: dict = field(default_factory=dict)

    @property
    def table(self) -> pd.DataFrame:
        """The regression table (the headline)."""
        return self.regression

    def summary(self) -> str:
        """"+10 NPS points go with x% revenue growth (CI)" for the longest lag with a fit
        (NPS before the growth it may lead; the headline card uses the same lag)."""
        fits = self.regression.dropna(subset=["estimate"])
        if fits.empty:
            return "Too few segment-periods to relate NPS to revenue growth. " + self.context
        row = fits.iloc[-1]
        lag = int(row["lag"])
        when = "in the same period" if lag == 0 else \
            f"{lag} period{'s' if lag > 1 else ''} later"
        return (
            f"+10 NPS points go with {row['estimate']:+.2f}% revenue growth "
            f"{when} ({self.parameters['conf']:.0%} CI {row['ci_low']:+.2f} to "
            f"{row['ci_high']:+.2f}; {int(row['n'])} segment-periods, {int(row['segments'])} "
            f"segments; {row['method']}). An association, not a cause. {self.context}"
        )


def segment_period_link(
    answers: pd.DataFrame,
    revenue: pd.DataFrame,
    *,
    segments: list[str],
    period: str = "Q",
    lags: Sequence[int] = (0, 1),
    controls: list[str] | None = None,
    min_periods: int = 8,
    conf: float = 0.95,
    customers: pd.DataFrame | None = None,
    customer: str = "customer_id",
    answered_at: str = "responded_at",
    score: str = "score",
    revenue_period: str = "period",
    amount: str = "revenue",
    scale: str | Scale | None = None,
    survey: str | None = "nps",
    period_effects: bool = True,
    min_n: int = 30,
    max_segments: int | None = 50,
) -> LinkResult:
    """NPS of each segment-period against that segment's revenue growth.

    NPS per segment and period comes from :func:`csat_toolkit.metrics.nps`; revenue
    growth of a segment-period is ``100 * log(revenue / revenue of the previous
    period)`` (all the segment's customers, churned ones included: it is the segment's
    growth). With ``lag = k`` the growth of period ``p + k`` is set against the NPS of
    period ``p``.

    - Pearson and Spearman correlations over all segment-periods, per lag, with
      intervals (:func:`correlation`).
    - OLS of growth on NPS with segment fixed effects (and period fixed effects when
      ``period_effects``: common shocks such as a season or an incident), plus
      ``controls``; cluster-robust standard errors by segment (t with segments - 1 df):
      "+10 NPS points go with x% revenue growth". Few segments make these errors
      unreliable: a warning says so below 20.
    - Granger tests (NPS helps predict growth) per segment with ``lag = max(lags, 1)``,
      and a pooled F test with segment fixed effects.
    - Warnings when a segment has fewer than ``min_periods`` periods, never a silent
      result. :data:`UPSELL_CONTEXT` is attached as context only.
    - Many segments (a customer id used as a segment, 100,000 levels): only the
      ``max_segments`` segments with the most answers are kept apart; the others are
      pooled into one segment ``"(other)"`` (its answers and revenue added up), and a
      warning says how many were pooled. ``max_segments=None`` keeps every segment.

    Parameters
    ----------
    answers, revenue : DataFrame
        NPS answers and monthly revenue per customer.
    segments : list of str
        Segment columns. Taken from ``answers`` and ``revenue`` when there, otherwise
        from ``customers`` (one row per customer) by customer id.
    period : {"M", "Q", "Y"}
        Period length.
    lags : sequence of int
        Lags (>= 0) in periods.
    controls : list of str, optional
        Numeric columns of ``answers`` (averaged per segment-period) or of the panel
        (``n``, ``log_revenue``) added to the regression.
    max_segments : int or None
        Most segments kept apart (by answers); the rest are pooled as ``"(other)"``.

    Returns
    -------
    LinkResult

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> months = pd.period_range("2023-01", "2024-12", freq="M").astype(str)
    >>> revenue = pd.DataFrame([(f"c{i}", m, 100 + 10 * i + j)
    ...                         for i in range(20) for j, m in enumerate(months)],
    ...                        columns=["customer_id", "period", "revenue"])
    >>> answers = pd.DataFrame({"customer_id": [f"c{i}" for i in range(20)] * 8,
    ...     "responded_at": np.repeat(pd.period_range("2023-03", periods=8, freq="3M")
    ...                               .to_timestamp() + pd.Timedelta(days=9), 20),
    ...     "score": rng.integers(0, 11, 160)})
    >>> customers = pd.DataFrame({"customer_id": [f"c{i}" for i in range(20)],
    ...                           "region": ["N", "S"] * 10})
    >>> link = segment_period_link(answers, revenue, segments=["region"],
    ...                            customers=customers, lags=(1,))
    >>> link.panel[["segment_label", "period", "n"]].head(2).values.tolist()
    [['N', '2023Q1', 10], ['N', '2023Q2', 10]]
    >>> any("fewer than min_periods" in w for w in link.warnings)
    True
    """
    stats.z_value(conf)
    min_periods = _check_count(min_periods, "min_periods", low=2)
    lags = _check_lags(lags)
    freq = period_code(period)
    if freq not in ("M", "Q", "Y"):
        raise ParameterError(f"period must be 'M', 'Q' or 'Y' for revenue growth; got {period!r}.")
    segments = _check_segments(segments)
    controls = [] if controls is None else list(controls)
    answers_seg, revenue_seg = _attach_segments(answers, revenue, segments, customers, customer)
    answers_seg, revenue_seg, pooled = _pool_segments(answers_seg, revenue_seg, segments,
                                                      max_segments, survey)
    panel, notes, accounting = _link_panel(answers_seg, revenue_seg, segments, freq, customer,
                                           answered_at, score, revenue_period, amount, scale,
                                           survey, conf, min_n, controls)
    notes = ([pooled] if pooled else []) + notes + _panel_warnings(panel, min_periods, lags)
    correlations = _link_correlations(panel, lags, conf)
    regression, fit_notes = _link_regression(panel, lags, controls, conf, period_effects)
    notes += fit_notes
    granger = _link_granger(panel, max(max(lags), 1), min_periods)
    skipped = granger.iloc[:-1]["F"].isna()
    if skipped.any():
        notes.append(f"The Granger test could not be computed for {int(skipped.sum())} of "
                     f"{len(skipped)} segments (too few periods, gaps or a constant series: "
                     "see granger['note']).")
    parameters = {"segments": segments, "period": freq, "lags": list(lags), "conf": conf,
                  "controls": controls, "period_effects": period_effects,
                  "min_periods": min_periods, "max_segments": max_segments}
    return LinkResult(panel, correlations, regression, granger, accounting, notes,
                      UPSELL_CONTEXT, parameters)


def _check_lags(lags) -> list[int]:
    values = [lags] if isinstance(lags, (int, np.integer)) else list(lags)
    if not values or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0
                         for v in values):
        raise ParameterError(f"lags must be whole numbers of periods, 0 or more, e.g. (0, 1); "
                             f"got {lags!r}.")
    return sorted(set(int(v) for v in values))


def _check_segments(segments) -> list[str]:
    values = [segments] if isinstance(segments, str) else list(segments or [])
    if not values or not all(isinstance(v, str) for v in values):
        raise ParameterError(f"segments must be a list of column names, e.g. ['region']; "
                             f"got {segments!r}.")
    return values


def _attach_segments(answers, revenue, segments, customers, customer):
    _check_frame(answers, "answers")
    _check_frame(revenue, "revenue")
    frames = []
    for frame, name in ((answers, "answers"), (revenue, "revenue")):
        missing = [s for s in segments if s not in frame.columns]
        if missing:
            if customers is None:
                raise DataError(
                    f"The {name} lack the segment column(s) {', '.join(map(repr, missing))}. "
                    "Pass customers=<one row per customer with those columns> so they can be "
                    f"looked up by {customer!r}, or add them to the {name}."
                )
            _check_frame(customers, "customers")
            require_columns(customers, [customer] + missing,
                            "The customer table needs the columns {missing} to give segments; "
                            "found {found}.")
            require_columns(frame, [customer], f"The {name} need the column {{missing}} to look "
                            "up segments; found {found}.")
            lookup = customers.drop_duplicates(customer).set_index(customer)[missing]
            frame = frame.copy()
            for column in missing:
                frame[column] = frame[customer].map(lookup[column])
        frames.append(frame)
    return frames


def _segment_label(frame: pd.DataFrame, segments: list[str]) -> pd.Series:
    text = frame[segments].astype(str)
    if len(segments) == 1:
        return text.iloc[:, 0]
    return text.iloc[:, 0].str.cat([text[c] for c in segments[1:]], sep=" / ")


OTHER_SEGMENT = "(other)"
"""The label of the pooled small segments in :func:`segment_period_link`."""


def _pool_segments(answers, revenue, segments, max_segments, survey):
    """Keep the ``max_segments`` segments with most answers apart; pool the rest."""
    if max_segments is None:
        return answers, revenue, None
    max_segments = _check_count(max_segments, "max_segments", low=2)
    rows = answers
    if survey is not None and "survey" in rows.columns:
        rows = rows[rows["survey"].astype(str).str.lower() == str(survey).lower()]
    rows = rows.dropna(subset=segments)
    counts = _segment_label(rows, segments).value_counts()
    if len(counts) <= max_segments:
        return answers, revenue, None
    order = counts.rename("n").rename_axis("label").reset_index() \
        .sort_values(["n", "label"], ascending=[False, True], kind="stable")
    keep = set(order["label"].iloc[:max_segments])
    out = []
    for frame in (answers, revenue):
        pool = frame[segments].notna().all(axis=1) & ~_segment_label(frame, segments).isin(keep)
        frame = frame.copy()
        for column in segments:
            frame[column] = frame[column].astype(object).where(~pool, OTHER_SEGMENT)
        out.append(frame)
    pooled = len(counts) - max_segments
    note = (f"{pooled:,} of {len(counts):,} segments ({int(order['n'].iloc[max_segments:].sum()):,} "
            f"answers) are pooled as {OTHER_SEGMENT!r}: only the {max_segments} segments with the "
            "most answers are kept apart (max_segments).")
    return out[0], out[1], note


def _link_panel(answers, revenue, segments, freq, customer, answered_at, score, revenue_period,
                amount, scale, survey, conf, min_n, controls) -> pd.DataFrame:
    require_columns(answers, [answered_at, score],
                    "The answers need the columns {missing}; found {found}.")
    rows = answers
    items = [("answers read", len(answers))]
    if survey is not None and "survey" in rows.columns:
        rows = rows[rows["survey"].astype(str).str.lower() == str(survey).lower()]
        items.append(("set aside: not an NPS answer", len(answers) - len(rows)))
    stamps = _timestamps(rows[answered_at])
    scale_obj = get_scale(scale, survey="nps")
    numbers = pd.to_numeric(rows[score], errors="coerce")
    no_segment = rows[segments].isna().any(axis=1)
    checks = [(no_segment, "no segment value"), (stamps.isna(), "no answer date"),
              (~numbers.isin(scale_obj.points), "no score on the scale")]
    dropped = pd.Series(False, index=rows.index)
    for mask, text in checks:
        hit = mask & ~dropped
        items.append((f"set aside: {text}", int(hit.sum())))
        dropped |= mask
    rows = rows[~dropped].assign(**{answered_at: stamps[~dropped], "score": numbers[~dropped]})
    items.append(("answers used", len(rows)))
    if rows.empty:
        raise DataError("No NPS answer with a date, a score and segment values to build the "
                        "panel from. Check the segment columns and the scores.")
    table = _nps_table(rows.rename(columns={answered_at: "responded_at"}), by=segments,
                       period=freq, scale=scale_obj, conf=conf, min_n=min_n, survey=None)
    table = table.rename(columns={"estimate": "nps", "ci_low": "nps_ci_low",
                                  "ci_high": "nps_ci_high"})
    table["period"] = table["period"].astype(str)
    rev = _prepare_revenue(revenue, customer=customer, period=revenue_period, amount=amount,
                           as_of=None, negative="keep")
    seg_rev = revenue.loc[revenue[customer].isin(rev.customers.index), [customer] + segments]
    seg_rev = seg_rev.drop_duplicates(customer).set_index(customer)
    money = rev.rows.join(seg_rev, on="_cust")
    lost = money[segments].isna().any(axis=1)
    items += rev.accounting + [("revenue rows without a segment value (left out)",
                                int(lost.sum()))]
    notes = list(rev.warnings)
    for what, count in (("answers", int(no_segment.sum())), ("revenue rows", int(lost.sum()))):
        if count:
            notes.append(
                f"{count:,} {what} have no value in {', '.join(map(repr, segments))}: left "
                "out of the panel. (A region 'NA' read by pandas.read_csv becomes missing: "
                "read with keep_default_na=False, na_values=[''].)"
            )
    money = money[~lost]
    labels = {m: str(pd.Period(_month_label(m), freq="M").asfreq(freq))
              for m in money["_month"].unique()}
    money["period"] = money["_month"].map(labels)
    totals = money.groupby(segments + ["period"], sort=True)["_amount"].sum().rename("revenue")
    totals = totals.reset_index()
    grid = _full_grid(totals, segments, freq)
    panel = grid.merge(totals, on=segments + ["period"], how="left")
    panel = panel.merge(table[segments + ["period", "n", "nps", "nps_ci_low", "nps_ci_high",
                                          "small_n"]],
                        on=segments + ["period"], how="left")
    panel["segment_label"] = _segment_label(panel, segments).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        panel["log_revenue"] = np.where(panel["revenue"] > 0, np.log(panel["revenue"]), np.nan)
    panel["growth"] = 100 * panel.groupby("segment_label", sort=False)["log_revenue"].diff()
    for control in controls:
        if control in panel.columns:
            continue
        if control not in rows.columns or not pd.api.types.is_numeric_dtype(rows[control]):
            raise ParameterError(
                f"Control {control!r} must be a numeric column of the answers (averaged per "
                "segment-period) or one of the panel's columns 'n', 'log_revenue'; add "
                "categorical controls to segments instead."
            )
        means = rows.assign(period=period_labels(rows[answered_at], freq).astype(str)) \
            .groupby(segments + ["period"])[control].mean().rename(control).reset_index()
        panel = panel.merge(means, on=segments + ["period"], how="left")
    panel["n"] = panel["n"].fillna(0).astype(int)
    order = segments + ["segment_label", "period", "n", "nps", "nps_ci_low", "nps_ci_high",
                        "small_n", "revenue", "log_revenue", "growth"]
    order += [c for c in controls if c not in order]
    panel = panel[order].sort_values(["segment_label", "period"], kind="stable")
    outside = len(rows) - int(panel["n"].sum())
    if outside:
        items.append(("answers in segment-periods without revenue (left out)", outside))
        notes.append(f"{outside:,} answers fall in segment-periods without revenue: left out.")
    accounting = pd.DataFrame(items, columns=["item", "rows"])
    return panel.reset_index(drop=True), notes, accounting


def _full_grid(totals: pd.DataFrame, segments: list[str], freq: str) -> pd.DataFrame:
    periods = pd.PeriodIndex(totals["period"], freq=freq)
    every = pd.period_range(periods.min(), periods.max(), freq=freq).astype(str)
    keys = totals[segments].drop_duplicates()
    return keys.merge(pd.DataFrame({"period": every}), how="cross")


def _panel_warnings(panel: pd.DataFrame, min_periods: int, lags: list[int]) -> list[str]:
    notes = []
    periods = panel.dropna(subset=["nps", "growth"]).groupby("segment_label").size()
    few = periods[periods < min_periods]
    if len(few) or periods.empty:
        least = int(periods.min()) if len(periods) else 0
        notes.append(
            f"{len(few)} of {panel['segment_label'].nunique()} segments have fewer than "
            f"min_periods={min_periods} periods with both NPS and growth (as few as {least}): "
            "lagged correlations and Granger tests rest on few points; read them as rough."
        )
    if panel["small_n"].eq(True).any():
        notes.append(
            f"{int(panel['small_n'].eq(True).sum())} segment-periods have "
            "fewer than min_n answers: their NPS is noisy, which weakens (attenuates) the "
            "measured link."
        )
    return notes


def _lagged(panel: pd.DataFrame, lag: int) -> pd.DataFrame:
    frame = panel.copy()
    frame["growth_later"] = frame.groupby("segment_label", sort=False)["growth"].shift(-lag)
    return frame.dropna(subset=["nps", "growth_later"])


def _link_correlations(panel, lags, conf) -> pd.DataFrame:
    rows = []
    for lag in lags:
        frame = _lagged(panel, lag)
        for method in ("pearson", "spearman"):
            rows.append({"lag": lag, **correlation(frame["nps"], frame["growth_later"],
                                                   method=method, conf=conf)})
    return pd.DataFrame(rows)


def _link_regression(panel, lags, controls, conf, period_effects) -> tuple[pd.DataFrame, list]:
    rows, notes = [], []
    for lag in lags:
        frame = _lagged(panel, lag).dropna(subset=list(controls))
        segments = frame["segment_label"].nunique()
        row = {"lag": lag, "term": "+10 NPS points", "estimate": np.nan, "ci_low": np.nan,
               "ci_high": np.nan, "p_value": np.nan, "n": len(frame), "segments": segments,
               "df": np.nan, "conf": conf,
               "method": "OLS, segment fixed effects" + (", period fixed effects"
                                                          if period_effects else "")
               + (", controls " + ", ".join(controls) if controls else "")
               + ", cluster-robust SE by segment (t, segments - 1 df)"}
        parts = [frame[["nps"]].astype(float)]
        parts.append(pd.get_dummies(frame["segment_label"], prefix="s", drop_first=True,
                                    dtype=float))
        if period_effects:
            parts.append(pd.get_dummies(frame["period"], prefix="p", drop_first=True,
                                        dtype=float))
        parts += [frame[[c]].astype(float) for c in controls]
        x = pd.concat(parts, axis=1)
        x.insert(0, "const", 1.0)
        if segments < 2 or len(frame) <= x.shape[1] or np.linalg.matrix_rank(x) < x.shape[1]:
            notes.append(f"Lag {lag}: too few segment-periods ({len(frame)}) for the regression "
                         f"with {x.shape[1]} terms: not fitted.")
            rows.append(row)
            continue
        groups = pd.factorize(frame["segment_label"])[0]
        with np.errstate(invalid="ignore", divide="ignore"):  # few clusters: NaN, not a warning
            fit = sm.OLS(frame["growth_later"].to_numpy(dtype=float), x.to_numpy()).fit(
                cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
            low, high = fit.conf_int(alpha=1 - conf)[1]
            p_value = float(fit.pvalues[1])
        row.update({"estimate": 10 * fit.params[1], "ci_low": 10 * low,
                    "ci_high": 10 * high, "p_value": p_value,
                    "df": float(fit.df_resid_inference)})
        rows.append(row)
    table = pd.DataFrame(rows)
    fitted = table.dropna(subset=["estimate"])
    if len(fitted) and fitted["segments"].min() < 20:
        notes.append(f"Cluster-robust errors with only {int(fitted['segments'].min())} segments "
                     "are rough (they assume many clusters); read the intervals as approximate.")
    return table, notes


def _link_granger(panel, lags, min_periods) -> pd.DataFrame:
    valid = panel["nps"].notna() & panel["growth"].notna()
    grouped = valid.groupby(panel["segment_label"], sort=False)
    started = grouped.cummax()
    not_ended = valid[::-1].groupby(panel["segment_label"][::-1], sort=False).cummax()[::-1]
    series = panel[started & not_ended]  # interior gaps stay (the test then says so)
    per = granger_test(series, cause="nps", effect="growth", lags=lags, order="period",
                       by="segment_label", min_periods=min_periods)
    pooled = _pooled_granger(panel, lags)
    return pd.concat([per, pd.DataFrame([pooled])], ignore_index=True)


def _pooled_granger(panel, lags) -> dict:
    frame = panel.copy()
    names = []
    for k in range(1, lags + 1):
        for column in ("growth", "nps"):
            frame[f"{column}_l{k}"] = frame.groupby("segment_label", sort=False)[column].shift(k)
            names.append(f"{column}_l{k}")
    frame = frame.dropna(subset=["growth"] + names)
    row = {"segment_label": "(pooled, segment fixed effects)", "periods": len(frame), "lags": lags,
           "F": np.nan, "df_num": np.nan, "df_denom": np.nan, "p_value": np.nan,
           "p_adjusted": np.nan,
           "method": "pooled Granger F test: OLS with segment fixed effects", "note": ""}
    x = pd.concat([frame[names].astype(float),
                   pd.get_dummies(frame["segment_label"], prefix="s", drop_first=True,
                                  dtype=float)],
                  axis=1)
    x.insert(0, "const", 1.0)
    if len(frame) <= x.shape[1] + 1 or np.linalg.matrix_rank(x) < x.shape[1]:
        row["note"] = "too few segment-periods: not computed"
        return row
    fit = sm.OLS(frame["growth"].to_numpy(dtype=float), x).fit()
    restriction = np.zeros((lags, x.shape[1]))
    for i, k in enumerate(range(1, lags + 1)):
        restriction[i, list(x.columns).index(f"nps_l{k}")] = 1.0
    test = fit.f_test(restriction)
    row.update({"F": float(np.squeeze(test.fvalue)), "df_num": float(test.df_num),
                "df_denom": float(test.df_denom), "p_value": float(test.pvalue)})
    return row


# --- transitions --------------------------------------------------------------------------


@dataclass(frozen=True)
class TransitionResult:
    """Outcome of :func:`category_transitions`.

    Attributes
    ----------
    table : DataFrame
        One row per (``from``, ``to``) pair of categories (zeros included): ``n``,
        ``share`` (% of the ``from`` row), ``ci_low``, ``ci_high`` (Wilson), and with
        revenue: ``n_growth``, ``growth`` (mean monthly revenue growth between the two
        answers, % log points per month), ``growth_ci_low``, ``growth_ci_high``,
        ``growth_method``.
    counts, shares : DataFrame
        Matrices (rows: earlier category; columns: later category).
    pairs : DataFrame
        Every pair of consecutive answers: customer, dates, months apart, categories,
        revenue at both answer months, growth.
    accounting : DataFrame
    warnings : list of str
    """

    table: pd.DataFrame
    counts: pd.DataFrame
    shares: pd.DataFrame
    pairs: pd.DataFrame
    accounting: pd.DataFrame
    warnings: list = field(default_factory=list)

    def summary(self) -> str:
        """How many pairs, and the shares that moved up, down or stayed."""
        values = self.counts.to_numpy()
        n = values.sum()
        if n == 0:
            return "No customer answered twice."
        up, down = np.triu(values, 1).sum(), np.tril(values, -1).sum()
        return (f"{n:,} pairs of consecutive answers from {self.pairs.iloc[:, 0].nunique():,} "
                f"customers: {up / n:.0%} moved to a better category, {down / n:.0%} to a "
                f"worse one, {np.trace(values) / n:.0%} stayed.")


def category_transitions(
    answers: pd.DataFrame,
    revenue: pd.DataFrame | None = None,
    *,
    customer: str = "customer_id",
    answered_at: str = "responded_at",
    score: str = "score",
    category: str | None = None,
    scale: str | Scale | None = None,
    survey: str | None = "nps",
    period: str = "period",
    amount: str = "revenue",
    conf: float = 0.95,
    min_n: int = 30,
) -> TransitionResult:
    """Customers who answered twice: how their category moved, and their revenue.

    Every customer's answers are put in date order (one per month: an earlier answer in
    the same month is set aside, counted) and each answer is paired with the customer's
    next one. Counts and row shares (Wilson intervals; customers with several pairs
    count each pair) per transition. With ``revenue`` (monthly table), each pair gets
    the monthly growth between the two answer months, ``100 * log(revenue at the later
    answer month / at the earlier) / months apart``, and each transition its mean with
    a t interval, cluster-robust by customer. Pairs without positive revenue at both
    months get no growth (counted).

    :func:`csat_toolkit.waves.transition_matrix` compares two chosen waves; this
    function uses every pair of consecutive answers, whenever they were given.

    Returns
    -------
    TransitionResult

    Examples
    --------
    >>> answers = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "c"],
    ...     "responded_at": ["2024-03-10", "2024-06-10", "2024-03-10", "2024-06-10",
    ...                      "2024-03-10"], "score": [3, 9, 10, 10, 7]})
    >>> result = category_transitions(answers, min_n=1)
    >>> result.counts.loc["detractor", "promoter"], result.counts.to_numpy().sum()
    (np.int64(1), np.int64(2))
    """
    stats.z_value(conf)
    min_n = _check_count(min_n, "min_n", low=1)
    _check_frame(answers, "answers")
    answers = answers.reset_index(drop=True)
    frame, reason, scale_obj = _answer_frame(answers, customer=customer, answered_at=answered_at,
                                             score=score, category=category, scale=scale,
                                             survey=survey)
    usable = frame[reason.isna()].sort_values(["_cust", "_stamp"], kind="stable")
    same_month = usable.duplicated(["_cust", "_month"], keep="last")
    reason[usable.index[same_month.to_numpy()]] = "earlier answer in the same month"
    usable = usable[~same_month]
    following = usable.groupby("_cust", sort=False).shift(-1)
    mask = following["_month"].notna().to_numpy()
    pairs = pd.DataFrame({
        customer: usable["_cust"].to_numpy()[mask],
        "answered_at": usable["_stamp"].to_numpy()[mask],
        "next_answered_at": following["_stamp"].to_numpy()[mask],
        "months_apart": (following["_month"] - usable["_month"]).to_numpy()[mask].astype(int),
        "from": usable["category"].astype(object).to_numpy()[mask],
        "to": following["category"].astype(object).to_numpy()[mask],
    })
    start, stop = usable["_month"].to_numpy()[mask], following["_month"].to_numpy()[mask]
    notes, items = [], []
    if revenue is not None:
        rev = _prepare_revenue(revenue, customer=customer, period=period, amount=amount,
                               as_of=None, negative="keep")
        notes += rev.warnings
        pairs = _pair_growth(pairs, start, stop, rev, customer)
        items = [("pairs with growth", int(pairs["growth"].notna().sum())),
                 ("pairs without positive revenue at both answer months",
                  int(pairs["growth"].isna().sum()))]
    names = list(scale_obj.class_names) if category is None else \
        list(frame["category"].cat.categories)
    counts = pd.crosstab(pd.Categorical(pairs["from"], categories=names),
                         pd.Categorical(pairs["to"], categories=names), dropna=False)
    counts = counts.reindex(index=names, columns=names, fill_value=0).astype(np.int64)
    counts.index.name, counts.columns.name = "from", "to"
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = 100 * counts.div(counts.sum(axis=1).replace(0, np.nan), axis=0)
    table = _transition_table(pairs, counts, names, customer, conf, min_n,
                              with_growth=revenue is not None)
    accounting = pd.DataFrame(
        [("answers read", len(answers))]
        + _count_items(reason, ("not an NPS answer", "no customer id", "no answer date",
                                "no category", "no score", "score not on the scale",
                                "earlier answer in the same month"))
        + [("answers used", len(usable)), ("customers", int(usable["_cust"].nunique())),
           ("customers who answered twice or more", int(pairs[customer].nunique())),
           ("pairs of consecutive answers", len(pairs))] + items,
        columns=["item", "rows"])
    if len(pairs) == 0:
        notes.append("No customer answered twice (in different months): no transition to show.")
    return TransitionResult(table, counts, shares, pairs, accounting, notes)


def _pair_growth(pairs, start, stop, rev: _Revenue, customer) -> pd.DataFrame:
    amounts = rev.rows.set_index(["_cust", "_month"])["_amount"]
    cust = pairs[customer].to_numpy()

    def look(months):
        index = pd.MultiIndex.from_arrays([cust, months.astype(int)])
        return amounts.reindex(index).to_numpy(dtype=float)

    first, later = look(start), look(stop)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where((first > 0) & (later > 0),
                          100 * np.log(later / first) / pairs["months_apart"].to_numpy(), np.nan)
    return pairs.assign(revenue_first=first, revenue_later=later, growth=growth)


def _transition_table(pairs, counts, names, customer, conf, min_n, *, with_growth) -> pd.DataFrame:
    rows = []
    totals = counts.sum(axis=1)
    groups = pd.factorize(pairs[customer])[0] if len(pairs) else np.array([], dtype=int)
    for a in names:
        for b in names:
            n, total = int(counts.loc[a, b]), int(totals[a])
            low, high = stats.proportion_interval(n, total, conf=conf)
            row = {"from": a, "to": b, "n": n, "from_total": total,
                   "share": 100 * n / total if total else np.nan,
                   "ci_low": 100 * low, "ci_high": 100 * high, "conf": conf,
                   "small_n": total < min_n}
            if with_growth:
                mine = ((pairs["from"] == a) & (pairs["to"] == b)
                        & pairs["growth"].notna()).to_numpy()
                est = _mean_estimate(pairs["growth"].to_numpy()[mine], groups[mine], conf)
                row.update({"n_growth": est["n"], "growth": est["estimate"],
                            "growth_ci_low": est["ci_low"], "growth_ci_high": est["ci_high"],
                            "growth_method": est["method"]})
            rows.append(row)
    return pd.DataFrame(rows)


# --- scenario -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioResult:
    """Outcome of :func:`conversion_scenario`.

    Attributes
    ----------
    table : DataFrame
        One row: ``from``, ``to``, ``share`` (%), ``customers_from``, ``converted``,
        ``monthly_revenue`` (mean current monthly revenue of a ``from`` customer),
        ``horizon_months``, ``estimate`` (extra revenue over the horizon), ``ci_low``,
        ``ci_high`` (bootstrap percentile), ``growth_part``, ``retention_part``,
        ``baseline`` (the ``from`` group's revenue over the horizon as it is),
        ``pct_of_baseline``, ``conf``, ``n_boot``, ``seed``, ``method``.
    rates : DataFrame
        Per category used: ``category``, ``customers``, ``answers``,
        ``monthly_growth`` (% log points per month), ``retained`` (% over the window),
        ``monthly_churn`` (% hazard per month), ``churn_source``.
    assumptions : list of str
        Sentences to print with the figure.
    """

    table: pd.DataFrame
    rates: pd.DataFrame
    assumptions: list
    caveats: list = field(default_factory=lambda: list(CAVEATS))

    def summary(self) -> str:
        """The scenario's figure with its interval and split, in a sentence."""
        r = self.table.iloc[0]
        return (
            f"If {r['share']:g}% of {_plural(r['from'])} ({r['converted']:.0f} of "
            f"{int(r['customers_from']):,} customers) became {r['to']}s, revenue over "
            f"{int(r['horizon_months'])} months would change by {r['estimate']:+,.0f} "
            f"({r['conf']:.0%} bootstrap interval {r['ci_low']:+,.0f} to {r['ci_high']:+,.0f}; "
            f"growth {r['growth_part']:+,.0f}, retention {r['retention_part']:+,.0f}), "
            f"{r['pct_of_baseline']:+.1f}% of that group's revenue. This reads an association "
            "as an effect: see the assumptions."
        )


def conversion_scenario(
    windows,
    *,
    share: float = 0.1,
    to: str = "passive",
    from_: str = "detractor",
    n_boot: int = 1000,
    seed: int = 0,
    horizon_months: int = 12,
    churn=None,
    by: str = "category",
    cluster: str | None = "customer_id",
    revenue: str = "revenue_at_answer",
    growth: str | None = "growth",
    retained: str | None = "retained",
    conf: float = 0.95,
    current: pd.DataFrame | None = None,
) -> ScenarioResult:
    """"If ``share`` of ``from_`` customers became ``to`` customers": revenue effect.

    Each category ``c`` has a monthly log growth rate ``g_c`` (mean ``growth`` of its
    answers divided by the months the growth spans, ``growth_months``) and a monthly
    churn hazard ``h_c`` (``-log(retained share) / after_months``, or from ``churn``).
    A customer with monthly revenue ``R`` then earns ``R * F(g_c, h_c)`` over the
    horizon, ``F(g, h) = sum_k exp((g - h) k)`` for months ``k = 1 .. horizon_months``.
    The effect is::

        converted * R_from * (F(g_to, h_to) - F(g_from, h_from))

    with ``converted = share * customers_from``: the customers whose **latest** answer is
    in ``from_`` (today's detractors), and ``R_from`` their mean monthly revenue (the
    ``revenue`` column of that latest answer). ``growth_part`` changes the growth only
    (``F(g_to, h_from) - F(g_from, h_from)``); ``retention_part`` is the rest. The rates
    use every answer of the two categories. Only the rows of ``windows`` count: answers
    too recent for a complete window are not in :func:`revenue_windows`' table, so "latest"
    means latest with a complete window.

    The interval: ``n_boot`` resamples (``np.random.default_rng(seed)``) of customers with
    replacement, within each category for the rates and among today's ``from_`` customers
    for ``R_from``; with ``churn`` the churn shares are drawn from normal distributions
    matching their intervals. Percentile interval.

    Parameters
    ----------
    windows : WindowResult or DataFrame
        :func:`revenue_windows` (or a frame with ``by``, ``cluster``, ``revenue``,
        ``growth``, ``growth_months``, ``retained``, ``after_months`` and, to find each
        customer's latest answer, ``answer_month``).
    share : float
        Share of ``from_`` customers converted, 0 < share <= 1 (a target, not an
        estimate).
    churn : ChurnResult, DataFrame, False or None
        None: retention from ``retained``; a :func:`csat_toolkit.survival.churn_by_category`
        result or an :func:`~csat_toolkit.survival.expected_churn` table: monthly hazard
        ``-log(1 - churned share) / at`` per category (Kaplan-Meier); False: growth only.
    growth, retained : str or None
        Columns; None leaves that part out.
    current : DataFrame, optional
        Today's customers (:func:`current_customers`: still paying in the last month,
        with the category of their latest answer of any age and their monthly revenue
        now). Without it, "today's" ``from_`` customers are those whose latest answer
        with a complete window is ``from_``, which can include customers lost since.

    Returns
    -------
    ScenarioResult
        ``table``, ``rates``, ``assumptions`` and ``caveats``; ``summary()``.

    Examples
    --------
    >>> df = pd.DataFrame({"customer_id": list("abcdef"),
    ...     "category": ["detractor"] * 3 + ["passive"] * 3,
    ...     "growth": [-6.0, -6.0, -6.0, 6.0, 6.0, 6.0], "growth_months": 6.0,
    ...     "retained": [True] * 6, "after_months": 6, "revenue_at_answer": [100.0] * 6})
    >>> result = conversion_scenario(df, share=1 / 3, n_boot=50, horizon_months=1)
    >>> round(float(result.table["estimate"].iloc[0]), 2)   # 100 * (exp(0.01) - exp(-0.01))
    2.0
    """
    share = _check_number(share, "share", low=0, high=1, example=" (e.g. 0.1 for 10%)")
    if share == 0:
        raise ParameterError("share must be above 0 (e.g. 0.1 for 10% of the customers).")
    n_boot = _check_count(n_boot, "n_boot", low=1)
    seed = _check_count(seed, "seed", low=0)
    horizon = _check_count(horizon_months, "horizon_months", low=1)
    z = stats.z_value(conf)
    data, cluster = _windows_table(windows, cluster)
    needed = [by, revenue] + ([cluster] if cluster else []) \
        + ([growth, "growth_months"] if growth else []) \
        + ([retained, "after_months"] if retained and churn is None else [])
    require_columns(data, needed, "The scenario needs the columns {missing}; found {found}. "
                    "Pass the result of revenue_windows, or name the columns (revenue=..., "
                    "growth=..., retained=..., cluster=...).")
    levels = _levels(data, by)
    for name, value in (("from_", from_), ("to", to)):
        if value not in levels:
            raise ParameterError(f"{name}={value!r} is not a category of {by!r}; categories are "
                                 f"{show_values(levels, limit=12)}.")
    if from_ == to:
        raise ParameterError(f"from_ and to are the same category ({to!r}).")
    ids = data[cluster] if cluster else pd.Series(np.arange(len(data)), index=data.index)
    groups = {c: _ScenarioGroup.build(data, ids, by, c, growth, retained) for c in (from_, to)}
    base = _current_revenue(data, ids, by, from_, revenue) if current is None else \
        _current_from(current, by, from_)
    hazards = _churn_hazards(churn, (from_, to), z)
    with_retention = churn is not False and (churn is not None or retained is not None)
    rates = {c: groups[c].rates(hazards[c], with_retention) for c in (from_, to)}
    effect, growth_part, baseline = _scenario_effect(rates[from_], rates[to], base.mean(),
                                                     len(base), share, horizon)
    rng = np.random.default_rng(seed)
    drawn = {c: groups[c].resample(rng, n_boot).rates(_draw_hazard(hazards[c], rng, n_boot),
                                                      with_retention) for c in (from_, to)}
    base_draws = base[rng.integers(0, len(base), size=(n_boot, len(base)))].mean(axis=1)
    boot = _scenario_effect(drawn[from_], drawn[to], base_draws, len(base), share, horizon)[0]
    low, high = np.nanpercentile(boot, [50 * (1 - conf), 50 * (1 + conf)])
    table = pd.DataFrame([{
        "from": from_, "to": to, "share": 100 * share, "customers_from": len(base),
        "converted": share * len(base), "monthly_revenue": float(base.mean()),
        "horizon_months": horizon, "estimate": effect, "ci_low": low, "ci_high": high,
        "growth_part": growth_part, "retention_part": effect - growth_part,
        "baseline": baseline,
        "pct_of_baseline": 100 * effect / baseline if baseline else np.nan,
        "conf": conf, "n_boot": n_boot, "seed": seed,
        "method": "constant monthly growth and churn rates per category; customer bootstrap, "
                  "percentile interval",
    }])
    described = pd.DataFrame([groups[c].describe(c, rates[c], hazards[c]) for c in (from_, to)])
    return ScenarioResult(table, described, _assumptions(share, from_, to, horizon, data, churn,
                                                         n_boot, seed, growth, retained,
                                                         current is not None))


def current_customers(answers: pd.DataFrame, revenue: pd.DataFrame, *, as_of=None,
                      by: str = "category", customer: str = "customer_id",
                      answered_at: str = "responded_at", period: str = "period",
                      amount: str = "revenue") -> pd.DataFrame:
    """Today's customers: paying in the last month, with their latest answer's category.

    Parameters
    ----------
    answers : DataFrame
        Every answer (any age) with ``customer``, ``answered_at`` and ``by``.
    revenue : DataFrame
        Monthly revenue (``customer``, ``period``, ``amount``).
    as_of : date-like, optional
        The month that counts as now (default: the last revenue month).

    Returns
    -------
    DataFrame
        ``customer``, ``by`` (the latest answer's), ``answered_at`` (of that answer),
        ``revenue`` (the monthly revenue now). Customers without an answer or no longer
        paying are not listed; ``.attrs["lost"]`` counts answering customers who stopped.

    Examples
    --------
    >>> answers = pd.DataFrame({"customer_id": ["a", "a", "b"], "category": ["detractor",
    ...     "passive", "detractor"], "responded_at": pd.to_datetime(["2024-01-05",
    ...     "2024-06-05", "2024-02-01"])})
    >>> rev = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...                     "period": ["2024-11", "2024-12", "2024-03"], "revenue": [10, 20, 5]})
    >>> current_customers(answers, rev).values.tolist()
    [['a', 'passive', Timestamp('2024-06-05 00:00:00'), 20.0]]
    """
    require_columns(answers, [customer, answered_at, by], "current_customers needs the answer "
                    "columns {missing}; found {found}.")
    now = recent_revenue(revenue, months=1, as_of=as_of, customer=customer, period=period,
                         amount=amount)
    latest = (answers.dropna(subset=[by]).sort_values(answered_at, kind="stable")
              .drop_duplicates(customer, keep="last")[[customer, by, answered_at]])
    out = latest.merge(now[[customer, "revenue"]], on=customer, how="inner")
    out.attrs["lost"] = int(len(latest) - len(out))
    return out.reset_index(drop=True)


def _current_from(current: pd.DataFrame, by: str, level: str) -> np.ndarray:
    require_columns(current, [by, "revenue"], "current needs the columns {missing} "
                    "(use current_customers); found {found}.")
    values = pd.to_numeric(current.loc[current[by] == level, "revenue"],
                           errors="coerce").to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        raise DataError(f"No current customer's latest answer is {level!r}: there is nobody "
                        "to convert.")
    return values


def _current_revenue(data, ids, by, level, revenue) -> np.ndarray:
    """Monthly revenue of the customers whose latest answer is in ``level``."""
    order = np.argsort(data["answer_month"].astype(str).to_numpy(), kind="stable") \
        if "answer_month" in data.columns else np.arange(len(data))
    latest = data.iloc[order].assign(_id=ids.iloc[order].to_numpy()) \
        .drop_duplicates("_id", keep="last")
    mine = latest[latest[by] == level]
    if mine.empty:
        raise DataError(f"No customer's latest answer is in the category {level!r} of {by!r}: "
                        "there is nobody to convert.")
    values = pd.to_numeric(mine[revenue], errors="coerce").to_numpy(dtype=float)
    known = values[np.isfinite(values)]
    if len(known) == 0:
        raise DataError(f"No {revenue!r} value for the customers whose latest answer is "
                        f"{level!r}: the scenario needs their current monthly revenue.")
    return known


@dataclass
class _ScenarioGroup:
    """Per-customer sums of one category's answers; the rates they give."""

    growth_sum: np.ndarray
    growth_n: np.ndarray
    kept: np.ndarray
    answers: np.ndarray
    growth_months: float
    after_months: float

    @classmethod
    def build(cls, data, ids, by, level, growth, retained) -> _ScenarioGroup:
        mine = (data[by] == level).to_numpy()
        if not mine.any():
            raise DataError(f"No answers in the category {level!r} of {by!r}: the scenario needs "
                            "answers of both categories.")
        part = data[mine]
        codes, uniques = pd.factorize(ids[mine])
        size = len(uniques)
        g = pd.to_numeric(part[growth], errors="coerce").to_numpy(float) if growth else \
            np.full(len(part), np.nan)
        has = ~np.isnan(g)
        if growth and not has.any():
            raise DataError(f"No growth value in the category {level!r} (every {growth!r} is "
                            "missing): the scenario cannot estimate its growth. Pass "
                            "growth=None to leave growth out.")
        kept = pd.to_numeric(part[retained].astype("Float64"), errors="coerce").to_numpy(
            float, na_value=np.nan) if retained and retained in part else np.ones(len(part))
        return cls(np.bincount(codes[has], weights=g[has], minlength=size),
                   np.bincount(codes[has], minlength=size).astype(float),
                   np.bincount(codes, weights=np.nan_to_num(kept, nan=0.0), minlength=size),
                   np.bincount(codes, minlength=size).astype(float),
                   float(part["growth_months"].iloc[0]) if growth else 1.0,
                   float(part["after_months"].iloc[0]) if "after_months" in part else 1.0)

    def rates(self, hazard, with_retention: bool):
        """Monthly log growth (fraction) and monthly churn hazard (0 without retention)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            g_n = self.growth_n.sum(axis=-1)
            g = np.where(g_n > 0, self.growth_sum.sum(axis=-1) / np.maximum(g_n, 1), 0.0)
            kept = self.kept.sum(axis=-1) / self.answers.sum(axis=-1)
            h = -np.log(kept) / self.after_months if hazard is None else hazard[0]
        g = g / 100 / self.growth_months
        return g, (h if with_retention else np.zeros_like(np.asarray(g, dtype=float)))

    def resample(self, rng, n_boot) -> _ScenarioGroup:
        pick = rng.integers(0, self.answers.shape[-1], size=(n_boot, self.answers.shape[-1]))
        return _ScenarioGroup(self.growth_sum[pick], self.growth_n[pick], self.kept[pick],
                              self.answers[pick], self.growth_months, self.after_months)

    def describe(self, level, rates, hazard) -> dict:
        g, h = rates
        return {"category": level, "customers": self.answers.shape[-1],
                "answers": int(self.answers.sum()),
                "monthly_growth": 100 * float(g),
                "retained": 100 * float(self.kept.sum() / self.answers.sum()),
                "monthly_churn": 100 * float(h),
                "churn_source": "retained share in the windows" if hazard is None
                else "Kaplan-Meier churn (survival)"}


def _churn_hazards(churn, levels, z) -> dict:
    if churn is None or churn is False:
        return {c: None for c in levels}
    table = churn.churn if isinstance(churn, ChurnResult) else churn
    _check_frame(table, "churn")
    require_columns(table, ["group", "at", "estimate", "ci_low", "ci_high"],
                    "churn must be a churn_by_category result or an expected_churn table; "
                    "missing {missing} (found {found}).")
    out = {}
    for level in levels:
        row = table[table["group"].astype(str) == str(level)]
        if row.empty or not np.isfinite(row["estimate"].iloc[0]):
            raise DataError(f"The churn table has no churn share for {level!r}; categories there: "
                            f"{show_values(table['group'].astype(str).tolist())}.")
        r = row.iloc[0]
        se = (r["ci_high"] - r["ci_low"]) / (2 * z)
        out[level] = (-np.log(1 - r["estimate"] / 100) / r["at"], r["estimate"], se, r["at"])
    return out


def _draw_hazard(hazard, rng, n_boot):
    if hazard is None:
        return None
    _, estimate, se, at = hazard
    shares = np.clip(rng.normal(estimate, se, n_boot), 0.0, 99.999)
    return (-np.log(1 - shares / 100) / at, estimate, se, at)


def _scenario_effect(rates_from, rates_to, revenue, customers, share, horizon):
    """Effect, its growth part and the baseline over the horizon (arrays broadcast)."""
    k = np.arange(1, horizon + 1)

    def factor(g, h):
        g, h = np.asarray(g, dtype=float)[..., None], np.asarray(h, dtype=float)[..., None]
        return np.exp((g - h) * k).sum(axis=-1)

    (g_f, h_f), (g_t, h_t) = rates_from, rates_to
    converted = share * customers
    effect = converted * revenue * (factor(g_t, h_t) - factor(g_f, h_f))
    growth_part = converted * revenue * (factor(g_t, h_f) - factor(g_f, h_f))
    baseline = customers * revenue * factor(g_f, h_f)
    return effect, growth_part, baseline


def _assumptions(share, from_, to, horizon, data, churn, n_boot, seed, growth, retained,
                 paying_now: bool = False) -> list:
    after = data["after_months"].iloc[0] if "after_months" in data else "the"
    if churn is False or (churn is None and retained is None):
        churn_text = "no churn difference"
    elif churn is None:
        churn_text = f"churn rates from the share still paying {after} months after an answer"
    else:
        churn_text = "churn rates from the Kaplan-Meier curves (survival)"
    return [
        f"Causal reading: converting {share:.0%} of {_plural(from_)} into {_plural(to)} is assumed to give them "
        f"the revenue path of today's {_plural(to)}. The data show an association only; customers "
        f"who become {_plural(to)} may differ in other ways.",
        f"Constant effects: each category's monthly growth and churn rates, measured after "
        f"past answers, hold for all {horizon} months and for the converted customers alike "
        f"({churn_text}).",
        f"Horizon: {horizon} months from the conversion, which happens at once at the start; "
        "nobody converts back and no new customers arrive.",
        "No price changes, new products, discounts or seasonality beyond what the measured "
        "rates contain; revenue is not discounted.",
        f"Starting revenue: the converted customers earn the mean current monthly revenue of "
        f"today's {_plural(from_)} " + (
            f"(customers still paying in the last month whose latest answer is {from_}; their "
            "revenue in that month)." if paying_now else
            f"(customers whose latest answer with a complete window is {from_}; their revenue in "
            "the month of that answer; some may have left since)."),
        f"Uncertainty: the interval is a customer bootstrap ({n_boot} resamples, seed {seed}) "
        "of the rates; it does not cover the assumptions above." + (
            "" if growth else " Growth was left out (growth=None)."),
    ]


# --- inputs for the notebook ----------------------------------------------------------------


def read_table(
    path,
    *,
    columns: dict | None = None,
    required: Sequence[str] = (),
    encoding: str = "utf-8-sig",
    sep: str | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    sheet: str | int | None = None,
    what: str = "table",
) -> pd.DataFrame:
    """Read a revenue or customer table (CSV, Parquet or Excel) as text columns.

    Columns named in ``columns`` (source name -> canonical name) are renamed; the
    others get lower snake-case names ("Total Revenue" -> ``total_revenue``). Every
    cell is read as text and only empty cells are missing, so a region "NA" (North
    America) stays a region; the revenue functions turn numbers and months into
    values themselves and count the rows they cannot read.

    With ``decimal`` or ``thousands`` (e.g. ``decimal=","``, ``thousands="."`` for
    "1.234,56"), every column whose filled cells are all numbers written that way is
    rewritten as plain numbers ("1234.56"), still as text; a column with one cell that
    is not such a number (a text column, or numbers already plain) is left alone. The
    shared reader (``io._read_source``) does this when it takes these keywords; with an
    older reader this function does it itself, leaving the id columns
    (``customer_id``, ``account_id``) and ``period`` alone.

    Parameters
    ----------
    path : str, path or DataFrame
        The file (a DataFrame is renamed and checked as it is).
    columns : dict, optional
        Source column -> canonical name, e.g. ``{"Customer": "customer_id"}``.
    required : sequence of str
        Canonical columns that must be present.
    encoding, sep
        Text encoding and delimiter of a CSV (``sep=None`` detects it).
    decimal, thousands : str
        Decimal mark and thousands separator of the numbers (single characters, not
        equal); defaults ``"."`` and none.
    sheet : str or int, optional
        Excel sheet name or position (default the first sheet).
    what : str
        What the table is, for messages ("revenue table").

    Returns
    -------
    DataFrame

    Raises
    ------
    FileFormatError
        The file is missing, empty or unreadable.
    MissingColumnError
        A ``columns`` key or a ``required`` column is absent.
    ParameterError
        ``decimal`` / ``thousands`` are not single different characters, or the CSV
        separator is the decimal mark.

    Examples
    --------
    >>> raw = pd.DataFrame({"Customer": ["a"], "Month": ["2024-01"], "Net Revenue": ["10"],
    ...                     "Region": ["NA"]})
    >>> read_table(raw, columns={"Customer": "customer_id", "Month": "period",
    ...                          "Net Revenue": "revenue"}).columns.tolist()
    ['customer_id', 'period', 'revenue', 'region']
    >>> euro = pd.DataFrame({"customer_id": ["C1"], "revenue": ["1.234,5"], "plan": ["B"]})
    >>> read_table(euro, decimal=",", thousands=".").values.tolist()
    [['C1', '1234.5', 'B']]
    """
    import inspect

    from ..io.responses import _read_source, _snake

    _check_number_marks(decimal, thousands, sep)
    columns = dict(columns or {})
    extra = {}
    if decimal != "." or thousands is not None:  # only when given: older readers lack them
        if {"decimal", "thousands"} <= set(inspect.signature(_read_source).parameters):
            extra = {"decimal": decimal, "thousands": thousands}
    raw, name, _ = _read_source(path, encoding=encoding, sep=sep,
                                sheet=0 if sheet is None else sheet, **extra)
    label = Path(name).name if name != "DataFrame" else "the DataFrame"
    require_columns(raw, list(columns),
                    f"The {what} ({label}) has no column(s) {{missing}} named in its column "
                    "mapping; its columns are {found}. Fix the mapping's source names.")
    renamed = {c: columns.get(c, _snake(c)) for c in raw.columns}
    frame = raw.rename(columns=renamed)
    if not frame.columns.is_unique:
        doubles = frame.columns[frame.columns.duplicated()].tolist()
        raise DataError(f"The {what} ({label}) has two columns named {show_values(doubles)} "
                        "after renaming; map only one of them.")
    require_columns(frame, list(required),
                    f"The {what} ({label}) needs the column(s) {{missing}}; found {{found}}. "
                    "Map your names to them, e.g. {{'Customer': 'customer_id'}}.")
    if (decimal != "." or thousands is not None) and not extra:
        frame = _plain_numbers(frame, decimal, thousands)  # older reader: do it here
    return frame


_KEEP_AS_TEXT = ("customer_id", "account_id", "period")


def _check_number_marks(decimal, thousands, sep) -> None:
    for name, value in (("decimal", decimal), ("thousands", thousands)):
        if value is None and name == "thousands":
            continue
        if not isinstance(value, str) or len(value) != 1 or value.isalnum():
            raise ParameterError(f"{name} must be one character such as ',' or '.'; got "
                                 f"{value!r}.")
    if thousands == decimal:
        raise ParameterError(f"decimal and thousands are both {decimal!r}: give two different "
                             "marks, e.g. decimal=',' and thousands='.'.")
    if sep is not None and sep == decimal:
        raise ParameterError(f"sep={sep!r} is also the decimal mark: numbers such as '1{sep}5' "
                             "would split into two fields. Give the file's real separator "
                             "(e.g. sep=';') or decimal='.'.")


def _plain_numbers(frame: pd.DataFrame, decimal: str, thousands: str | None) -> pd.DataFrame:
    """Columns whose filled cells are all numbers written with these marks, made plain."""
    import re

    d = re.escape(decimal)
    whole = rf"(?:\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+|\d+)" if thousands else r"\d+"
    pattern = rf"^[+-]?{whole}(?:{d}\d+)?$"
    out = frame.copy()
    for column in frame.columns:
        if column in _KEEP_AS_TEXT or not (pd.api.types.is_object_dtype(frame[column])
                                           or pd.api.types.is_string_dtype(frame[column])):
            continue
        text = frame[column].dropna().astype(str).str.strip()
        if text.empty or not text.str.match(pattern).all():
            continue
        marks = [decimal] + ([thousands] if thousands else [])
        if not text.map(lambda v: any(m in v for m in marks)).any():
            continue
        plain = frame[column].astype("string").str.strip()
        if thousands:
            plain = plain.str.replace(thousands, "", regex=False)
        plain = plain.str.replace(decimal, ".", regex=False)
        out[column] = plain.astype(object).where(frame[column].notna(), None)
    return out


READ_OPTIONS = ("sep", "decimal", "thousands", "sheet", "encoding")
"""Keys of the notebook's ``revenue_options`` (passed to :func:`read_table`)."""


def read_inputs(
    revenue_path=None,
    customers_path=None,
    *,
    revenue_columns: dict | None = None,
    customers_columns: dict | None = None,
    encoding: str = "utf-8-sig",
    options: dict | None = None,
) -> tuple[pd.DataFrame | None, pd.DataFrame | None, list[str]]:
    """Read the optional revenue and customers tables with the same reading options.

    Parameters
    ----------
    revenue_path, customers_path : str, path, DataFrame or None
        The files; None (or "") skips a table.
    revenue_columns, customers_columns : dict, optional
        Source column -> canonical name for each table.
    encoding : str
        Text encoding (an ``encoding`` in ``options`` wins).
    options : dict, optional
        :data:`READ_OPTIONS` for :func:`read_table`, e.g. ``{"decimal": ",",
        "thousands": ".", "sheet": "Revenue"}``.

    Returns
    -------
    (DataFrame or None, DataFrame or None, list of str)
        The revenue table (``customer_id``, ``period``, ``revenue`` required), the
        customers table (``customer_id`` required) and one sentence per table read.

    Raises
    ------
    ParameterError
        An unknown option (the nearest known name is suggested).

    Examples
    --------
    >>> rev = pd.DataFrame({"Customer": ["a", "b"], "period": ["2024-01"] * 2,
    ...                     "revenue": ["1.200,50", "80"]})
    >>> revenue, customers, notes = read_inputs(rev, None, options={"decimal": ",",
    ...     "thousands": "."}, revenue_columns={"Customer": "customer_id"})
    >>> revenue["revenue"].tolist(), customers, notes
    (['1200.50', '80'], None, ['Revenue table: 2 customer-months of 2 customers.'])
    """
    import difflib

    options = dict(options or {})
    unknown = [k for k in options if k not in READ_OPTIONS]
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), READ_OPTIONS, n=1)
        raise ParameterError(
            f"revenue_options has an unknown option {unknown[0]!r}"
            + (f" (did you mean {close[0]!r}?)" if close else "")
            + f"; known options: {', '.join(READ_OPTIONS)}.")
    options = {"encoding": encoding, **options}
    revenue = customers = None
    notes = []
    if revenue_path is not None and not (isinstance(revenue_path, str) and not revenue_path):
        revenue = read_table(revenue_path, columns=revenue_columns, what="revenue table",
                             required=["customer_id", "period", "revenue"], **options)
        notes.append(f"Revenue table: {len(revenue):,} customer-months of "
                     f"{revenue['customer_id'].nunique():,} customers.")
    if customers_path is not None and not (isinstance(customers_path, str) and not customers_path):
        customers = read_table(customers_path, columns=customers_columns,
                               required=["customer_id"], what="customer table", **options)
        notes.append(f"Customer table: {len(customers):,} customers.")
    return revenue, customers, notes


def add_categories(
    answers: pd.DataFrame,
    *,
    scale: str | Scale | None = None,
    mapping: dict | None = None,
    score: str = "score",
    column: str = "category",
) -> pd.DataFrame:
    """A copy of the answers with an ordered category column (worst to best).

    Without ``mapping`` the scale's own classes are used (NPS: detractor, passive,
    promoter). With ``mapping`` (score -> label) the labels are ordered as they first
    appear in it, so list the scores from worst to best: this is how a satisfaction
    score can get three honest groups (dissatisfied, neutral, satisfied) instead of
    NPS names it does not have. Scores not in the mapping get no category; their
    number is in ``.attrs["no_category"]``.

    Parameters
    ----------
    answers : DataFrame
        Answers with a ``score`` column.
    scale : str or Scale, optional
        Scale of the scores (NPS 0-10 by default); not used with ``mapping``.
    mapping : dict, optional
        Score -> category label, e.g. ``{1: "dissatisfied", 2: "dissatisfied", 3:
        "neutral", 4: "satisfied", 5: "satisfied"}`` (keys may be numbers or text).
    score, column : str
        Score column; name of the new column.

    Returns
    -------
    DataFrame

    Raises
    ------
    MissingColumnError
        No ``score`` column.
    ParameterError
        A mapping key that is not a number.
    ScaleError
        Scores off the scale (without ``mapping``).

    Examples
    --------
    >>> df = pd.DataFrame({"score": [1, 3, 5, None]})
    >>> out = add_categories(df, mapping={1: "low", 2: "low", 3: "mid", 4: "high", 5: "high"})
    >>> out["category"].tolist(), list(out["category"].cat.categories)
    (['low', 'mid', 'high', nan], ['low', 'mid', 'high'])
    >>> list(add_categories(pd.DataFrame({"score": [0, 8, 10]}))["category"])
    ['detractor', 'passive', 'promoter']
    """
    _check_frame(answers, "answers")
    require_columns(answers, [score], "The answers need a score column {missing}; found "
                    "{found}. Name it with score=...")
    if mapping:
        keys = {}
        for key, label in mapping.items():
            try:
                keys[float(key)] = str(label)
            except (TypeError, ValueError):
                raise ParameterError(
                    f"The category mapping's keys must be scores (numbers); got {key!r}. "
                    "Write it as {1: 'dissatisfied', 2: 'dissatisfied', 3: 'neutral', ...}."
                ) from None
        order = list(dict.fromkeys(keys.values()))
        numbers = pd.to_numeric(answers[score], errors="coerce")
        labels = numbers.map(keys)
        values = pd.Categorical(labels, categories=order, ordered=True)
    else:
        values = nps_category(answers[score], scale)
    out = answers.copy()
    out[column] = values
    out.attrs["no_category"] = int(pd.isna(values).sum())
    return out


def recent_revenue(
    revenue: pd.DataFrame,
    *,
    months: int = 12,
    as_of=None,
    customer: str = "customer_id",
    period: str = "period",
    amount: str = "revenue",
) -> pd.DataFrame:
    """Revenue of each current customer over the last ``months`` months.

    A current customer pays (revenue > 0) in the last month (``as_of``, default the
    last revenue month). Customers who stopped paying earlier are lost already and are
    not listed (nothing of theirs is at risk).

    Returns
    -------
    DataFrame
        ``customer``, ``revenue`` (sum over the months ``as_of - months + 1`` to
        ``as_of``), ``months`` (months with a row), ``last_month``; ``.attrs`` holds
        ``first``, ``last`` (the window), ``last_day`` (its last day, "2024-12-31") and
        ``lost`` (customers no longer paying).

    Examples
    --------
    >>> rev = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...                     "period": ["2024-11", "2024-12", "2024-11"], "revenue": [10, 20, 5]})
    >>> recent_revenue(rev, months=2).values.tolist()
    [['a', 30.0, 2, '2024-12']]
    """
    months = _check_count(months, "months", low=1)
    rev = _prepare_revenue(revenue, customer=customer, period=period, amount=amount,
                           as_of=as_of, negative="keep")
    rows = rev.rows[rev.rows["_month"] > rev.end - months]
    paying = set(rows.loc[(rows["_month"] == rev.end) & (rows["_amount"] > 0), "_cust"])
    mine = rows[rows["_cust"].isin(paying)]
    out = (mine.groupby("_cust", sort=True)
           .agg(revenue=("_amount", "sum"), months=("_month", "size"))
           .reset_index().rename(columns={"_cust": customer}))
    out["revenue"] = out["revenue"].astype(float)
    out["last_month"] = _month_label(rev.end)
    last_day = (pd.Period(_month_label(rev.end), "M").end_time.strftime("%Y-%m-%d"))
    out.attrs.update(first=_month_label(rev.end - months + 1), last=_month_label(rev.end),
                     last_day=last_day, lost=int(len(rev.customers) - len(out)))
    return out


def revenue_months(revenue: pd.DataFrame, *, period: str = "period") -> pd.Series:
    """The revenue table's months as a monthly ``Period`` series (unreadable ones missing).

    Used to take the report date from the data: the end of the last revenue month
    (:func:`csat_toolkit.asof.report_date` reads a Period by its last moment).

    Examples
    --------
    >>> rev = pd.DataFrame({"period": ["2025-11", "2025-12-01", "x"]})
    >>> [str(m) for m in revenue_months(rev)]
    ['2025-11', '2025-12', 'NaT']
    >>> from csat_toolkit.asof import report_date
    >>> report_date(None, {"period": revenue_months(rev)}).date
    '2025-12-31'
    """
    _check_frame(revenue, "revenue")
    require_columns(revenue, [period], "The revenue table needs the month column {missing}; "
                    "found {found}. Map it with revenue_columns={{'<your month column>': "
                    "'period'}}.")
    index = _month_index(revenue[period])
    labels = _month_labels(index)
    return pd.Series(pd.PeriodIndex([None if x is None else x for x in labels], freq="M"),
                     index=revenue.index, name=period)


def churn_from_revenue(
    revenue: pd.DataFrame,
    *,
    months_without: int = 3,
    as_of=None,
    customer: str = "customer_id",
    period: str = "period",
    amount: str = "revenue",
) -> pd.DataFrame:
    """Churn dates from revenue stopping: ``months_without`` months without revenue.

    For each customer of the revenue table, ``last_paid_month`` is the last month with
    revenue (above 0) up to the month of ``as_of`` (rows after it are not used). The
    customer has churned when the months from ``last_paid_month + 1`` up to and
    including the ``as_of`` month, all without revenue, number ``months_without`` or
    more. ``churned_at`` is then the **first day of the first month without revenue**
    (the start of month ``last_paid_month + 1``).

    - A month "without revenue" has no row, or revenue 0 or below (a refund).
    - A gap followed by revenue again is **not** churn: only the run of months without
      revenue that reaches ``as_of`` counts (a customer who skipped three months and
      paid again is active).
    - A run shorter than ``months_without`` is not churn yet (the customer may still
      pay); ``months_without`` in the table shows how long it is.
    - Customers without any month of revenue above 0 cannot have stopped paying: they
      are not listed, and counted in ``.attrs["never_paid"]``.

    Parameters
    ----------
    revenue : DataFrame
        One row per customer and month (``customer``, ``period``, ``amount``).
    months_without : int
        Months without revenue (at least 1) that make a customer churned.
    as_of : date or month, optional
        The last month of data to use; default the last month of the revenue table
        (never the clock). A later ``as_of`` is cut at the last revenue month: months
        after it are unknown, not months without revenue.
    customer, period, amount : str
        Column names.

    Returns
    -------
    DataFrame
        One row per customer: ``customer``, ``first_month``, ``last_paid_month``,
        ``months_without`` (months without revenue up to ``as_of``), ``churned``
        (bool), ``churned_at`` (Timestamp, ``NaT`` when active). ``.attrs``:
        ``as_of_month``, ``rule`` (``months_without``), ``customers``, ``churned``,
        ``never_paid``.

    Raises
    ------
    ParameterError
        ``months_without`` is not a whole number of at least 1; bad ``as_of``.
    DataError
        As :func:`revenue_windows` for the revenue table (missing columns, repeated
        customer-months, no usable row).

    Examples
    --------
    >>> months = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    >>> rev = pd.DataFrame({"customer_id": ["a"] * 3 + ["b"] * 6 + ["c", "c"],
    ...     "period": months[:3] + months + ["2024-01", "2024-06"],
    ...     "revenue": [10, 10, 10, 5, 5, 5, 5, 5, 5, 7, 7]})
    >>> out = churn_from_revenue(rev, months_without=3)
    >>> out[["customer_id", "last_paid_month", "months_without", "churned"]].values.tolist()
    [['a', '2024-03', 3, True], ['b', '2024-06', 0, False], ['c', '2024-06', 0, False]]
    >>> str(out["churned_at"].iloc[0].date())
    '2024-04-01'
    """
    months_without = _check_count(months_without, "months_without", low=1)
    rev = _prepare_revenue(revenue, customer=customer, period=period, amount=amount,
                           as_of=as_of, negative="keep")
    spans = rev.customers
    paid = spans["last_paid"].notna()
    table = spans[paid]
    gap = (rev.end - table["last_paid"]).astype(int)
    churned = (gap >= months_without).to_numpy()
    starts = [pd.Timestamp(_month_label(m + 1) + "-01") if c else pd.NaT
              for m, c in zip(table["last_paid"].astype(int), churned)]
    out = pd.DataFrame({
        customer: table.index.to_numpy(),
        "first_month": _month_labels(table["first"].to_numpy(dtype=float)),
        "last_paid_month": _month_labels(table["last_paid"].to_numpy(dtype=float)),
        "months_without": gap.to_numpy(),
        "churned": churned,
        "churned_at": pd.to_datetime(pd.Series(starts, dtype="datetime64[ns]")).to_numpy(),
    })
    out.attrs.update(as_of_month=_month_label(rev.end), rule=months_without,
                     customers=len(out), churned=int(churned.sum()),
                     never_paid=int((~paid).sum()))
    return out


def churn_customers(
    customers: pd.DataFrame | None,
    revenue: pd.DataFrame | None,
    *,
    months_without: int | None = None,
    as_of=None,
    customer: str = "customer_id",
) -> tuple[pd.DataFrame | None, str | None]:
    """Where the churn dates come from: the customers table, or revenue stopping.

    - ``months_without`` given and a revenue table: :func:`churn_from_revenue` (it
      **overrides** a ``churned_at`` column of the customers table, and says so).
    - ``months_without`` given without a revenue table: no churn dates.
    - otherwise the customers table when it has a ``churned_at`` column.

    Returns
    -------
    (DataFrame or None, str or None)
        A table with ``customer`` and ``churned_at`` (None when there are no churn
        dates), and a sentence for the report: where the dates come from, or why
        there are none (None when the customers table is used as it is or absent).

    Examples
    --------
    >>> rev = pd.DataFrame({"customer_id": ["a", "a", "b", "b", "b", "b"],
    ...     "period": ["2024-01", "2024-02", "2024-01", "2024-02", "2024-03", "2024-04"],
    ...     "revenue": [1, 1, 1, 1, 1, 1]})
    >>> table, sentence = churn_customers(None, rev, months_without=2)
    >>> table["churned"].tolist()
    [True, False]
    >>> sentence  # doctest: +NORMALIZE_WHITESPACE
    'Churn dates from revenue stopping: a customer without revenue in the 2 months up to
     2024-04 churned at the start of the first month without it (a gap followed by revenue
     again is not churn); 1 of 2 customers churned.'
    """
    has_dates = customers is not None and "churned_at" in customers.columns
    if months_without is None:
        return (customers if has_dates else None), None
    if revenue is None:
        return None, (f"churn_after_months_without_revenue={months_without} needs a revenue "
                      "table (revenue_path): no churn dates from revenue.")
    table = churn_from_revenue(revenue, months_without=months_without, as_of=as_of,
                               customer=customer)
    a = table.attrs
    sentence = (f"Churn dates from revenue stopping: a customer without revenue in the "
                f"{a['rule']} months up to {a['as_of_month']} churned at the start of the first "
                "month without it (a gap followed by revenue again is not churn); "
                f"{a['churned']:,} of {a['customers']:,} customers churned.")
    if a["never_paid"]:
        sentence += f" {a['never_paid']:,} customers never had revenue above 0: left out."
    if has_dates:
        sentence += " These dates replace the churned_at column of the customers table."
    return table, sentence


def usable_segments(segments: Sequence[str], *frames: pd.DataFrame | None
                    ) -> tuple[list[str], list[str]]:
    """Segment columns found in the frames and with two or more values, and why others not.

    Examples
    --------
    >>> answers = pd.DataFrame({"region": ["N", "S"], "plan": ["x", "x"]})
    >>> usable_segments(["region", "plan", "size"], answers)
    (['region'], ["Segment column 'plan' has a single value ('x'): not used.", "Segment column 'size' is in neither the responses nor the customers table: not used."])
    """
    used, notes = [], []
    for name in segments:
        holder = next((f for f in frames if f is not None and name in f.columns), None)
        if holder is None:
            notes.append(f"Segment column {name!r} is in neither the responses nor the "
                         "customers table: not used.")
            continue
        values = holder[name].dropna()
        if values.nunique() < 2:
            notes.append(f"Segment column {name!r} has a single value "
                         f"({show_values(values.unique().tolist()) if len(values) else 'none'}): "
                         "not used.")
            continue
        used.append(name)
    return used, notes


def shown_rows(table: pd.DataFrame, limit: int = 20) -> tuple[pd.DataFrame, str | None]:
    """The first ``limit`` rows, and "N more not shown" when there are more.

    Examples
    --------
    >>> head, note = shown_rows(pd.DataFrame({"x": range(25)}), limit=20)
    >>> len(head), note
    (20, '5 more rows not shown (25 in all).')
    """
    limit = _check_count(limit, "limit", low=1)
    if len(table) <= limit:
        return table, None
    return table.head(limit), f"{len(table) - limit:,} more rows not shown ({len(table):,} in all)."


def _plural(label) -> str:
    """ "promoters" for the NPS classes, "'neutral' customers" for other labels."""
    text = str(label)
    return text + "s" if text in ("detractor", "passive", "promoter") else f"{text} customers"


def describe_comparison(compare: pd.DataFrame) -> list[str]:
    """One sentence per outcome of :func:`compare_categories`, with interval and test.

    Examples
    --------
    >>> df = pd.DataFrame({"category": ["promoter"] * 4 + ["detractor"] * 4,
    ...                    "growth": [5.0, 7.0, 6.0, 6.0, -2.0, 0.0, -1.0, -1.0]})
    >>> describe_comparison(compare_categories(df, cluster=None, min_n=2))[0]
    ... # doctest: +NORMALIZE_WHITESPACE
    'Growth: promoters 6.0 against detractors -1.0, a difference of +7.0 (95% CI +5.6 to
     +8.4; n=4 and 4; significant after holm correction, p=0.0000).'
    """
    require_columns(compare, ["outcome", "kind", "a", "b", "n_a", "n_b", "estimate_a",
                              "estimate_b", "difference", "ci_low", "ci_high", "p_adjusted",
                              "significant", "conf", "correction"],
                    "describe_comparison reads a table of compare_categories; missing "
                    "{missing} (found {found}).")
    out = []
    for r in compare.itertuples(index=False):
        unit = " points" if r.kind == "share" else ""
        level = "{:.1f}%" if r.kind == "share" else "{:,.1f}"
        name = str(r.outcome).replace("_", " ").capitalize()
        if not np.isfinite(r.difference):
            out.append(f"{name}: too few answers to compare {_plural(r.a)} with {_plural(r.b)}.")
            continue
        verdict = (f"significant after {r.correction} correction" if r.significant else
                   "not significant after " + str(r.correction) + " correction"
                   + (" (a group is below min_n)" if r.small_n else ""))
        out.append(
            f"{name}: {_plural(r.a)} {level.format(r.estimate_a)} against {_plural(r.b)} "
            f"{level.format(r.estimate_b)}, a difference of {r.difference:+.1f}{unit} "
            f"({r.conf:.0%} CI {r.ci_low:+.1f} to {r.ci_high:+.1f}; n={r.n_a:,} and "
            f"{r.n_b:,}; {verdict}, p={r.p_adjusted:.4f})."
        )
    return out


def headline_cards(compare=None, churn=None, link=None, scenario=None) -> list[dict]:
    """KPI cards (label, value, display, detail, sentence) for the report index.

    One card per result given: the first outcome of :func:`compare_categories`, the
    worst category's churn share (an :func:`~csat_toolkit.survival.expected_churn`
    table), the segment-period regression at the first lag (:class:`LinkResult`) and
    the scenario (:class:`ScenarioResult`). None are skipped.

    Examples
    --------
    >>> df = pd.DataFrame({"category": ["promoter"] * 4 + ["detractor"] * 4,
    ...                    "growth": [5.0, 7.0, 6.0, 6.0, -2.0, 0.0, -1.0, -1.0]})
    >>> card = headline_cards(compare_categories(df, cluster=None, min_n=2))[0]
    >>> card["label"], card["display"], card["detail"]
    ('Promoters vs detractors: growth', '+7.0', '95% CI +5.6 to +8.4, n=4 and 4')
    """
    cards = []
    if compare is not None and len(compare):
        r = compare.iloc[0]
        unit = " pts" if r["kind"] == "share" else ""
        cards.append({"label": f"{_plural(r['a']).capitalize()} vs {_plural(r['b'])}: "
                               f"{str(r['outcome']).replace('_', ' ')}",
                      "value": None if not np.isfinite(r["difference"]) else
                      round(float(r["difference"]), 6),
                      "display": f"{r['difference']:+.1f}{unit}",
                      "detail": f"{r['conf']:.0%} CI {r['ci_low']:+.1f} to {r['ci_high']:+.1f}, "
                                f"n={int(r['n_a']):,} and {int(r['n_b']):,}",
                      "sentence": describe_comparison(compare.iloc[:1])[0]})
    if churn is not None and len(churn) and np.isfinite(churn["estimate"].iloc[0]):
        r = churn.iloc[0]  # the worst category; no card when its churn is unknown
        cards.append({"label": f"Churn of {_plural(r['group'])} within {r['at']:g} months",
                      "value": None if not np.isfinite(r["estimate"]) else
                      round(float(r["estimate"]), 6),
                      "display": f"{r['estimate']:.1f}%",
                      "detail": f"{r['conf']:.0%} CI {r['ci_low']:.1f}% to {r['ci_high']:.1f}%, "
                                f"n={int(r['n']):,}",
                      "sentence": f"{r['estimate']:.1f}% of {_plural(r['group'])} churned within "
                                  f"{r['at']:g} months ({r['conf']:.0%} CI {r['ci_low']:.1f}% to "
                                  f"{r['ci_high']:.1f}%, n={int(r['n']):,})."})
    if link is not None:
        fits = link.regression.dropna(subset=["estimate"])
        if len(fits):
            r = fits.iloc[-1]  # the lag link.summary() describes
            cards.append({"label": f"Growth with +10 NPS points (lag {int(r['lag'])})",
                          "value": round(float(r["estimate"]), 6),
                          "display": f"{r['estimate']:+.2f}%",
                          "detail": f"{r['conf']:.0%} CI {r['ci_low']:+.2f} to "
                                    f"{r['ci_high']:+.2f}, {int(r['n'])} segment-periods",
                          "sentence": link.summary()})
    if scenario is not None:
        r = scenario.table.iloc[0]
        cards.append({"label": f"Scenario: {r['share']:g}% of {_plural(r['from'])} to "
                               f"{_plural(r['to'])}",
                      "value": round(float(r["estimate"]), 6),
                      "display": f"{r['estimate']:+,.0f}",
                      "detail": f"{r['conf']:.0%} interval {r['ci_low']:+,.0f} to "
                                f"{r['ci_high']:+,.0f} over {int(r['horizon_months'])} months",
                      "sentence": scenario.summary()})
    return cards


def _plural(category: str) -> str:
    """ "detractors" for the NPS classes; other labels (adjectives) read "dissatisfied customers"."""
    name = str(category)
    return name + "s" if name in ("detractor", "passive", "promoter") else f"{name} customers"


# --- notebook sections ----------------------------------------------------------------------
# Each builder takes the notebook's inputs and parameters and returns a Section: its results,
# the sentences to show, or the one sentence saying why it is skipped. The notebook displays.


@dataclass
class Section:
    """What one section of the NPS-and-revenue notebook shows.

    Attributes
    ----------
    name : str
        The section ("revenue by category", "accounts", "churn", ...).
    skipped : str or None
        Why the section is skipped (one sentence), or None when it ran.
    results : dict
        Named result tables and objects (``section["compare"]`` reads one; a missing
        name reads None).
    sentences : list of str
        What to show under the tables (summaries, warnings, notes).
    findings : list of str
        The sentences that go to ``headline.json`` findings.
    notes : list of str
        Parts skipped inside a section that ran (e.g. "no churn observed: no log-rank
        test"); they go to ``headline["skipped"]`` too.
    """

    name: str
    skipped: str | None = None
    results: dict = field(default_factory=dict)
    sentences: list = field(default_factory=list)
    findings: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def __getitem__(self, key):
        return self.results.get(key)


def _has(answers: pd.DataFrame, column: str) -> bool:
    return column in answers.columns and bool(answers[column].notna().any())


def _no_answers(name: str, answers: pd.DataFrame, survey: str) -> Section | None:
    if len(answers):
        return None
    return Section(name, skipped=f"No {survey.upper()} answers in the responses: {name} is "
                                 f"skipped (set link_survey to the survey the file has).")


def category_section(answers, revenue, *, survey="nps", before=3, after=6, as_of=None,
                     growth="log", scale=None, outcomes=(), conf=0.95, min_n=30,
                     correction="holm") -> Section:
    """Revenue by category: windows from a revenue table, else revenue per answer.

    ``answers`` carry ``category`` (:func:`add_categories`); the best category is
    compared with the worst. Skipped with a sentence without answers, without a revenue
    table (with customer ids and dates) and ``outcomes``, or when no answer has a
    complete window (history too short; the sentence says why and what to change).

    Examples
    --------
    >>> answers = add_categories(pd.DataFrame({"customer_id": ["a"], "score": [9]}))
    >>> category_section(answers, None).skipped  # doctest: +ELLIPSIS
    'No revenue table with customer ids and answer dates, and no revenue per answer ...'
    """
    name = "revenue by category"
    if (early := _no_answers(name, answers, survey)) is not None:
        return early
    levels = list(answers["category"].cat.categories)
    worst, best = levels[0], levels[-1]
    out = Section(name)
    if revenue is not None and _has(answers, "customer_id") and _has(answers, "responded_at"):
        try:
            windows = revenue_windows(answers, revenue, before=before, after=after, as_of=as_of,
                                      category="category", scale=scale, survey=None,
                                      growth=growth)
        except DataError as error:
            return Section(name, skipped=f"Revenue by category is skipped: {error}")
        out.results["windows"] = frame = windows
        out.sentences += [windows.summary(), *windows.warnings]
        cluster, chosen = "customer_id", None
    elif outcomes:
        frame = answers.dropna(subset=["category"])
        cluster = "customer_id" if _has(answers, "customer_id") else None
        chosen = list(outcomes)
    else:
        return Section(name, skipped="No revenue table with customer ids and answer dates, and "
                                     "no revenue per answer (answer_revenue_columns): revenue "
                                     "by category is skipped.")
    out.results["by_category"] = revenue_by_category(frame, outcomes=chosen, conf=conf,
                                                     min_n=min_n, cluster=cluster)
    try:
        compare = compare_categories(frame, best, worst, outcomes=chosen, conf=conf,
                                     min_n=min_n, cluster=cluster, correction=correction)
    except DataError as error:
        out.notes.append(f"The {best}-{worst} comparison is skipped: {error}")
        return out
    out.results["compare"] = compare
    described = describe_comparison(compare)
    out.sentences += described
    out.findings += described[:2]
    return out


def account_section(answers, customers, revenue, *, survey="nps", as_of=None, scale=None,
                    named_categories=False, conf=0.95, min_n=30, limit=10) -> Section:
    """Accounts: the rollup of :func:`account_rollup`, or why it is skipped.

    Examples
    --------
    >>> answers = add_categories(pd.DataFrame({"customer_id": ["a"], "score": [9]}))
    >>> account_section(answers, None, None).skipped  # doctest: +ELLIPSIS
    'No account ids (customers table with account_id), monthly revenue ...'
    """
    name = "the account section"
    if (early := _no_answers(name, answers, survey)) is not None:
        return early
    if revenue is None or customers is None or "account_id" not in customers \
            or not _has(answers, "responded_at") or survey != "nps" or named_categories:
        return Section(name, skipped="No account ids (customers table with account_id), monthly "
                                     "revenue and dated NPS answers: the account section is "
                                     "skipped.")
    try:
        accounts = account_rollup(answers, customers, revenue, as_of=as_of, months=12,
                                  scale=scale, survey=None, conf=conf, min_n=min_n)
    except DataError as error:
        return Section(name, skipped=f"The account section is skipped: {error}")
    at_risk, more = shown_rows(accounts.at_risk, limit)
    return Section(name, results={"accounts": accounts, "at_risk": at_risk},
                   sentences=[accounts.summary(), accounts.context, *accounts.warnings]
                   + ([f"Accounts at risk: {more}"] if more else []),
                   findings=[accounts.summary()])


def churn_section(answers, customers, revenue, *, survey="nps", as_of=None, horizon_months=12,
                  churn_column=None, tenure_column=None, risk_revenue_column=None,
                  best=None, conf=0.95, min_n=30) -> Section:
    """Churn by category from churn dates (or a churn flag with tenure), revenue at risk.

    ``customers`` holds ``customer_id`` and ``churned_at`` (from the customers table or
    :func:`churn_customers`). When no customer churned, the curves and the churn shares
    (with their exact upper bounds) are shown and the log-rank test and hazard ratios
    are skipped, each with a sentence.

    Examples
    --------
    >>> answers = add_categories(pd.DataFrame({"customer_id": ["a"], "score": [9]}))
    >>> churn_section(answers, None, None).skipped  # doctest: +ELLIPSIS
    'No churn dates (customers table with churned_at, or churn_after_months_without_revenue) ...'
    """
    from . import survival

    name = "the churn section"
    if (early := _no_answers(name, answers, survey)) is not None:
        return early
    out = Section(name, results={"unit": "months"})
    dated = _has(answers, "customer_id") and _has(answers, "responded_at")
    if customers is not None and "churned_at" in customers and dated:
        try:
            churn = survival.churn_by_category(customers, answers, as_of=as_of,
                                               horizon_months=horizon_months, conf=conf,
                                               min_n=min_n)
        except DataError as error:
            return Section(name, skipped=f"The churn section is skipped: {error}")
        data, duration, event = churn.durations, "months", "churned"
        curves, table, logrank = churn.curves, churn.churn, churn.logrank
        out.results["churn"] = churn
        notes = [churn.summary(), *churn.warnings]
    elif churn_column and tenure_column:
        data = answers.dropna(subset=["category", churn_column, tenure_column])
        duration, event = tenure_column, churn_column
        curves = survival.retention_curves(data, duration=duration, event=event, by="category",
                                           conf=conf, min_n=min_n)
        table = survival.expected_churn(curves, at=horizon_months, min_n=min_n)
        churned = pd.to_numeric(data[event], errors="coerce").sum() > 0
        logrank = survival.logrank_test(data, duration=duration, event=event, by="category") \
            if churned and data["category"].nunique() > 1 else None
        out.results["unit"] = (f"{tenure_column.replace('_', ' ')} (months since the customer "
                               "started)")
        notes = [f"{len(data):,} customers followed from the start of their relationship "
                 f"({tenure_column}) to churn ({churn_column} = 1) or the end of the data; "
                 f"{len(answers) - len(data):,} answers without a category, tenure or churn "
                 "flag set aside. The category was measured at the end, not at the start: the "
                 "curves show how customers who answered this way had fared."]
    else:
        return Section(name, skipped="No churn dates (customers table with churned_at, or "
                                     "churn_after_months_without_revenue) and no churn flag "
                                     "with tenure (churn_column, tenure_column): the churn "
                                     "section is skipped.")
    out.results.update(curves=curves, churn_table=table, logrank=logrank)
    events = pd.to_numeric(data[event], errors="coerce").fillna(0).sum()
    hazards = None
    if events == 0:
        out.notes.append("No customer churned in the follow-up: the log-rank test and the Cox "
                         "hazard ratios are skipped (the churn shares show upper bounds).")
    else:
        try:
            hazards = survival.hazard_ratios(data, duration=duration, event=event,
                                             covariates="category", reference={"category": best},
                                             conf=conf)
            notes += [w for w in hazards["warning"].dropna() if w]
        except DataError as error:
            notes.append(f"No Cox hazard ratios: {error}")
    try:
        at_risk, money = _revenue_at_risk(answers, table, revenue, churn_column,
                                          risk_revenue_column, as_of, min_n,
                                          from_dates="churn" in out.results)
    except DataError as error:
        at_risk = money = None
        out.notes.append(f"The revenue at risk is skipped: {error} When the follow-up is "
                         f"shorter than horizon_months={horizon_months:g}, churn within it is "
                         "unknown: shorten horizon_months or use a longer history.")
    out.results.update(hazards=hazards, at_risk=at_risk)
    described = survival.describe_churn(table, logrank, hazards, at_risk, money=money)
    out.findings += described
    out.sentences += described + notes
    return out


def _revenue_at_risk(answers, table, revenue, churn_column, risk_column, as_of, min_n,
                     from_dates):
    from . import survival

    if risk_column:
        has_ids = _has(answers, "customer_id")
        at_risk = survival.revenue_at_risk(answers, table, amount=risk_column,
                                           churned=None if from_dates else churn_column,
                                           customer="customer_id" if has_ids else None,
                                           min_n=min_n)
        return at_risk, risk_column.replace("_", " ")
    if revenue is None or not _has(answers, "customer_id"):
        return None, None
    recent = recent_revenue(revenue, months=12, as_of=as_of)
    current = answers.merge(recent[["customer_id", "revenue"]], on="customer_id", how="left")
    at_risk = survival.revenue_at_risk(current, table, amount="revenue", customer="customer_id",
                                       order="responded_at", min_n=min_n)
    return at_risk, f"revenue of {recent.attrs['first']} to {recent.attrs['last']}"


def link_section(answers, revenue, customers, *, segments=(), survey="nps",
                 named_categories=False, period="Q", lags=(0, 1), conf=0.95, scale=None,
                 min_n=30, max_segments=50) -> Section:
    """The segment-period link, or why it is skipped (no revenue, no usable segments ...).

    Segment columns with a single value are left out (a sentence says so); many
    segments are pooled (``max_segments``, see :func:`segment_period_link`).

    Examples
    --------
    >>> answers = add_categories(pd.DataFrame({"customer_id": ["a"], "score": [9],
    ...     "responded_at": ["2024-01-02"], "region": ["N"]}))
    >>> rev = pd.DataFrame({"customer_id": ["a"], "period": ["2024-01"], "revenue": [1]})
    >>> link_section(answers, rev, None, segments=["region"]).skipped  # doctest: +ELLIPSIS
    "No segment column with two or more values (segment_columns): the segment-period link ..."
    """
    name = "the segment-period link"
    if (early := _no_answers(name, answers, survey)) is not None:
        return early
    if revenue is None or not _has(answers, "responded_at") or not _has(answers, "customer_id") \
            or survey != "nps" or named_categories:
        return Section(name, skipped="No monthly revenue, or no dated NPS answers with customer "
                                     "ids: the segment-period link is skipped.")
    used, notes = usable_segments(segments, answers, customers)
    if not used:
        return Section(name, skipped="No segment column with two or more values "
                                     "(segment_columns): the segment-period link is skipped."
                                     + (" " + " ".join(notes) if notes else ""))
    try:
        link = segment_period_link(answers, revenue, segments=used, period=period, lags=lags,
                                   customers=customers, conf=conf, scale=scale, survey=None,
                                   min_n=min_n, max_segments=max_segments)
    except DataError as error:
        return Section(name, skipped=f"The segment-period link is skipped: {error}")
    fitted = link.regression.dropna(subset=["estimate"])
    line = fitted.iloc[0] if len(fitted) else None
    return Section(name, results={"link": link, "line": line},
                   sentences=[link.summary(), *link.warnings], findings=[link.summary()],
                   notes=notes)


def transition_section(answers, revenue, *, survey="nps", scale=None, conf=0.95,
                       min_n=30) -> Section:
    """Customers who answered twice, or why the section is skipped.

    Examples
    --------
    >>> answers = add_categories(pd.DataFrame({"customer_id": ["a", "b"], "score": [9, 3],
    ...     "responded_at": ["2024-01-02", "2024-02-01"]}))
    >>> transition_section(answers, None).skipped  # doctest: +ELLIPSIS
    'No customer answered twice (or answers have no dates or customer ids): ...'
    """
    name = "the transitions"
    if (early := _no_answers(name, answers, survey)) is not None:
        return early
    if not (_has(answers, "responded_at") and _has(answers, "customer_id")) \
            or not answers["customer_id"].dropna().duplicated().any():
        return Section(name, skipped="No customer answered twice (or answers have no dates or "
                                     "customer ids): the transitions are skipped.")
    try:
        result = category_transitions(answers, revenue, category="category", scale=scale,
                                      survey=None, conf=conf, min_n=min_n)
    except DataError as error:
        return Section(name, skipped=f"The transitions are skipped: {error}")
    if result.counts.to_numpy().sum() == 0:
        return Section(name, skipped="No customer answered twice in different months: the "
                                     "transitions are skipped.")
    return Section(name, results={"transitions": result},
                   sentences=[result.summary(), *result.warnings], findings=[result.summary()])


def scenario_section(answers, revenue, windows: WindowResult | None = None,
                     churn_table: pd.DataFrame | None = None, *, share=0.1, to="passive",
                     n_boot=1000, seed=0, horizon_months=12, as_of=None, churn_column=None,
                     risk_revenue_column=None, conf=0.95) -> Section:
    """The conversion scenario from the windows (or churn with revenue per answer).

    ``windows`` is :func:`revenue_windows`' result (None without a revenue table);
    ``churn_table`` the churn section's :func:`~csat_toolkit.survival.expected_churn` table.

    Examples
    --------
    >>> answers = add_categories(pd.DataFrame({"customer_id": ["a"], "score": [9]}))
    >>> scenario_section(answers, None).skipped  # doctest: +ELLIPSIS
    'The scenario needs revenue growth (a revenue table) or churn with revenue per answer: ...'
    """
    name = "the scenario"
    levels = list(answers["category"].cat.categories) if "category" in answers else []
    worst = levels[0] if levels else None
    table = churn_table
    try:
        if windows is not None:
            current = current_customers(answers, revenue, as_of=as_of)
            result = conversion_scenario(windows, share=share, to=to, from_=worst,
                                         n_boot=n_boot, seed=seed, horizon_months=horizon_months,
                                         churn=table, conf=conf, current=current)
        elif risk_revenue_column and table is not None:
            rows = answers.dropna(subset=["category"])
            stayed = rows if not churn_column else \
                rows[pd.to_numeric(rows[churn_column], errors="coerce") == 0]
            result = conversion_scenario(
                rows, share=share, to=to, from_=worst, n_boot=n_boot, seed=seed,
                horizon_months=horizon_months, churn=table,
                cluster="customer_id" if _has(answers, "customer_id") else None,
                revenue=risk_revenue_column, growth=None, retained=None, conf=conf,
                current=stayed.assign(revenue=stayed[risk_revenue_column])
                if churn_column else None)
        else:
            return Section(name, skipped="The scenario needs revenue growth (a revenue table) or "
                                         "churn with revenue per answer: it is skipped.")
    except (DataError, ParameterError) as error:
        return Section(name, skipped=f"The scenario could not be computed: {error}")
    return Section(name, results={"scenario": result},
                   sentences=[result.summary()] + ["Assumptions: " + a
                                                   for a in result.assumptions],
                   findings=[result.summary()])


def growth_sentence(growth: str, before: int, after: int) -> str:
    """The growth definition in words, for the report.

    Examples
    --------
    >>> growth_sentence("endpoints", 3, 6)
    'Growth definition (growth="endpoints"): 100 * log(revenue 6 months after the answer month / revenue in the answer month).'
    """
    _check_choice(growth, "growth", tuple(GROWTH_NAMES))
    text = GROWTH_METHODS[GROWTH_NAMES[growth]].format(before=before, after=after)
    return f'Growth definition (growth="{growth}"): {text}.'


def report_date_of(as_of, responses: pd.DataFrame | None, revenue: pd.DataFrame | None):
    """The notebook's report date: ``as_of``, else the end of the last revenue month, else
    the latest answer (:func:`csat_toolkit.asof.report_date`).

    Returns
    -------
    (ReportDate or None, str)
        The date (None when there is neither ``as_of`` nor a date in the data) and the
        sentence for the report.

    Examples
    --------
    >>> rev = pd.DataFrame({"customer_id": ["a"], "period": ["2025-12"], "revenue": [1]})
    >>> date, sentence = report_date_of(None, None, rev)
    >>> date.date, sentence
    ('2025-12-31', 'Report date 2025-12-31: the latest period in the data (as_of not given).')
    >>> report_date_of(None, pd.DataFrame({"responded_at": [pd.NaT]}), None)[1]
    'No report date: the data hold no dates and as_of is not given.'
    """
    from ..core.asof import report_date

    if revenue is not None and "period" in revenue.columns:
        columns = {"period": revenue_months(revenue)}
    elif responses is not None and "responded_at" in responses.columns:
        columns = {"responded_at": responses["responded_at"]}
    else:
        columns = {}
    date = report_date(as_of, columns)
    return (date if date else None), date.sentence()


def _records(table, columns, first=False):
    if table is None:
        return None if first else []
    rows = table[columns].to_dict("records")
    return rows[0] if first else rows


def headline_extra(*, by_category=None, compare=None, churn_table=None, logrank=None,
                   hazards=None, at_risk=None, accounts=None, link=None, scenario=None) -> dict:
    """The result tables of the NPS-and-revenue notebook as plain values for headline.json.

    Absent results give ``[]`` (tables) or ``None`` (single results).

    Examples
    --------
    >>> extra = headline_extra()
    >>> extra["comparison"], extra["scenario"], extra["logrank_p"]
    ([], None, None)
    """
    return {
        "by_category": _records(by_category, ["category", "outcome", "n", "estimate", "ci_low",
                                              "ci_high"]),
        "comparison": _records(compare, ["outcome", "a", "b", "n_a", "n_b", "difference",
                                         "ci_low", "ci_high", "p_adjusted", "significant"]),
        "churn": _records(churn_table, ["group", "at", "n", "estimate", "ci_low", "ci_high"]),
        "logrank_p": None if logrank is None else float(logrank["p"].iloc[0]),
        "hazard_ratios": _records(hazards, ["level", "reference", "estimate", "ci_low",
                                            "ci_high", "p"]),
        "revenue_at_risk": _records(at_risk, ["category", "customers", "revenue", "estimate",
                                              "ci_low", "ci_high", "excess"]),
        "accounts": None if accounts is None else _records(
            accounts.overall, ["weighting", "n", "accounts", "estimate", "ci_low", "ci_high"]),
        "coverage": None if accounts is None else _records(
            accounts.coverage, ["quarter", "coverage", "meets_target"]),
        "link": None if link is None else _records(
            link.regression, ["lag", "estimate", "ci_low", "ci_high", "p_value", "n",
                              "segments"]),
        "link_warnings": [] if link is None else list(link.warnings),
        "scenario": None if scenario is None else _records(
            scenario.table, ["from", "to", "share", "estimate", "ci_low", "ci_high"], first=True),
    }
