"""Revenue windows around each answer and what they give per category.

:func:`revenue_windows` cuts, for every answer, the revenue of the months before and after
it; :func:`revenue_by_category` gives growth, retention, expansion and contraction per
category with intervals; :func:`compare_categories` tests the best category against the
worst (Holm across the outcomes) and :func:`describe_comparison` says it in words.
:func:`add_categories` gives the answers their ordered category.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS
from scipy import stats as _st

from ..core import stats
from ..core.comparisons import CORRECTION_NAMES
from ..core.display import result_html
from ..core.text import format_p
from ..core.scales import Scale
from ..errors import DataError, ParameterError, require_columns, show_values
from ._common import (_answer_frame, _as_of_cut, _check_choice, _check_count, _check_frame,
                      _check_number, _check_overlap, _count_items, _month_label, _month_labels,
                      nps_category, _prepare_revenue, _Revenue)

__all__ = [
    "GROWTH_METHODS",
    "GROWTH_NAMES",
    "WINDOW_REASONS",
    "WindowResult",
    "revenue_windows",
    "revenue_by_category",
    "compare_categories",
    "add_categories",
    "describe_comparison",
    "growth_sentence",
]


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

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.accounting, method=f"Growth = {self.method}",
                           warnings=self.warnings)


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
    out["correction"] = CORRECTION_NAMES[correction]
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
        fit = OLS(y[both], x).fit(cov_type="cluster", cov_kwds={"groups": groups[both]},
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
     +8.4; n=4 and 4; significant after Holm correction, adjusted p < 0.001).'
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
        after = ("without correction" if r.correction in ("none", None)
                 else f"after {r.correction} correction")
        verdict = (f"significant {after}" if r.significant else f"not significant {after}"
                   + (" (too few answers in a group)" if r.small_n else ""))
        p = format_p(r.p_adjusted) if r.correction in ("none", None) else \
            "adjusted " + format_p(r.p_adjusted)
        out.append(
            f"{name}: {_plural(r.a)} {level.format(r.estimate_a)} against {_plural(r.b)} "
            f"{level.format(r.estimate_b)}, a difference of {r.difference:+.1f}{unit} "
            f"({r.conf:.0%} CI {r.ci_low:+.1f} to {r.ci_high:+.1f}; n={r.n_a:,} and "
            f"{r.n_b:,}; {verdict}, {p})."
        )
    return out


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
