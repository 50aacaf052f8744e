"""Customers who answered twice: :func:`category_transitions` pairs each answer with the
same customer's next one, counts how the category moved and the revenue growth between.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core import stats
from ..core.display import result_html
from ..core.scales import Scale
from ._common import (_answer_frame, _check_count, _check_frame, _count_items, _prepare_revenue,
                      _Revenue)
from .windows import _mean_estimate

__all__ = [
    "TransitionResult",
    "category_transitions",
]


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

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.table, warnings=self.warnings)


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
