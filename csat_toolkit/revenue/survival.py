"""Churn after a survey answer: retention by category, the share churned within a horizon
and the revenue at risk.

:func:`churn_by_category` follows each customer from their answer to churn (or the end of
the data) and gives Kaplan-Meier curves by category, the log-rank test and the churn share
within the horizon (:class:`ChurnResult`); :func:`expected_churn` reads the share churned
from curves, :func:`revenue_at_risk` turns it into money and :func:`describe_churn` into
sentences. The curves, tests and Cox model themselves are in :mod:`.retention` and are
re-exported here, so ``ct.survival.retention_curves`` and the rest keep working.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.display import result_html
from ..core.scales import get_scale
from ..core.text import format_p
from ..errors import DataError, ParameterError, require_columns, show_values
from .retention import *  # noqa: F401,F403  (ct.survival.retention_curves, ...)
from .retention import (CATEGORY_ORDER, DAYS_PER_MONTH, _check_frame, _check_min_n, logrank_test,
                        retention_curves)
from .retention import __all__ as _retention_all

__all__ = [
    *_retention_all,
    "ChurnResult",
    "churn_by_category",
    "expected_churn",
    "revenue_at_risk",
    "describe_churn",
]

# --- churn after a survey answer --------------------------------------------------------


@dataclass
class ChurnResult:
    """Outcome of :func:`churn_by_category`.

    Attributes
    ----------
    curves : DataFrame
        :func:`retention_curves` by category (``group`` is the category).
    churn : DataFrame
        :func:`expected_churn` at the horizon: share churned within it, per category.
    logrank : DataFrame or None
        :func:`logrank_test` across categories (None with fewer than two).
    durations : DataFrame
        One row per customer analysed: ``customer``, ``category``, ``answered_at``,
        ``churned_at``, ``months``, ``churned`` (0/1), the input to the curves.
    set_aside : DataFrame
        Answers not analysed, with a ``reason`` column.
    accounting : DataFrame
        ``item`` and ``rows``: answers read, customers analysed, answers set aside per
        reason, and notes on the customer table.
    warnings : list of str
        Things to keep in mind when reading the figures.
    """

    curves: pd.DataFrame
    churn: pd.DataFrame
    logrank: pd.DataFrame | None
    durations: pd.DataFrame
    set_aside: pd.DataFrame
    accounting: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One sentence on what was analysed and what was set aside."""
        counts = self.set_aside["reason"].value_counts()
        head = (f"{len(self.durations):,} customers analysed (first answer each), "
                f"{int(self.durations['churned'].sum()):,} churned")
        if counts.empty:
            return head + "; no answer set aside."
        return head + "; set aside: " + ", ".join(f"{r} {n:,}" for r, n in counts.items()) + "."

    def _repr_html_(self) -> str:
        return result_html([self.summary(), *describe_churn(self.churn, self.logrank)],
                           self.churn, warnings=self.warnings)


REASONS = (
    "not an NPS answer",
    "no customer id",
    "no answer date",
    "answered after as_of",
    "no category",
    "later answer of the same customer",
    "customer not in the customer table",
    "unreadable churn date",
    "churned before the answer",
)
"""Why :func:`churn_by_category` sets an answer aside, in the order checked."""


def _as_of(as_of) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(as_of)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if pd.isna(stamp) or isinstance(as_of, (int, float)):
        raise ParameterError(
            f"as_of must be a date such as '2024-12-31' (the day the data ends); got {as_of!r}."
        )
    return stamp.tz_localize(None).normalize() if stamp.tzinfo else stamp.normalize()


def _dates(values: pd.Series, *, normalize: bool = True) -> pd.Series:
    """Timestamps (the day only, by default); unreadable or empty values become NaT."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    parsed = pd.to_datetime(values, errors="coerce", format="mixed") \
        if not pd.api.types.is_datetime64_any_dtype(values) else values
    return parsed.dt.normalize() if normalize else parsed


def _categories(answers: pd.DataFrame, category: str, score: str) -> pd.Series:
    if category in answers.columns:
        values = answers[category].astype(object)
        return values.where(values.notna(), None)
    numbers = pd.to_numeric(answers[score], errors="coerce")
    valid = numbers.between(0, 10) & (numbers == np.round(numbers))
    labels = pd.Series(np.asarray(get_scale("nps").classify(numbers.where(valid)), dtype=object),
                       index=answers.index)
    return labels.where(labels.notna(), None)


def churn_by_category(
    customers: pd.DataFrame,
    answers: pd.DataFrame,
    *,
    customer: str = "customer_id",
    answered_at: str = "responded_at",
    churned_at: str = "churned_at",
    as_of,
    category: str = "category",
    score: str = "score",
    horizon_months: float | None = 12,
    conf: float = 0.95,
    ci_type: str = "log-log",
    min_n: int = 30,
) -> ChurnResult:
    """Retention after a survey answer, by the answer's category (Kaplan-Meier).

    Each customer is followed from the day of the **first** answer (later answers of the
    same customer are set aside, counted, so that every customer counts once and the
    curves are of independent customers) to the churn date (event) or to ``as_of``
    (censored, still a customer). Durations are in months of 30.4375 days; a churn on
    the day of the answer is a churn at 0 months.

    Answers are set aside, each with a reason (see :data:`REASONS`), when they are not
    NPS answers (only when ``answers`` has no ``category`` column and has a ``survey``
    column), have no customer id, date or category, are dated after ``as_of``, are a
    later answer of the same customer, belong to no customer of ``customers``, or
    belong to a customer whose churn date is unreadable or before the answer. A churn
    date after ``as_of`` is not known at ``as_of``: the customer counts as active.

    Parameters
    ----------
    customers : DataFrame
        One row per customer with ``customer`` and ``churned_at`` (empty when active).
    answers : DataFrame
        Answers with ``customer``, ``answered_at`` and either ``category`` (any labels)
        or an NPS ``score`` 0-10 (promoter 9-10, passive 7-8, detractor 0-6).
    customer, answered_at, churned_at, category, score : str
        Column names.
    as_of : str, date or Timestamp
        The day the data ends (never the clock).
    horizon_months : float or None
        Follow-up is cut at this many months (administrative censoring) so every
        figure refers to the same window; ``churn`` is the share churned within it.
        ``None`` keeps all follow-up (``churn`` is then read at 12 months).
    conf, ci_type, min_n
        As in :func:`retention_curves`.

    Returns
    -------
    ChurnResult
        ``curves``, ``churn``, ``logrank``, ``durations``, ``set_aside``,
        ``accounting``, ``warnings``.

    Raises
    ------
    MissingColumnError
        A named column is absent.
    DataError
        Duplicate customer ids, no answer matching a customer (with ids shown), or no
        answer left to analyse.
    ParameterError
        Bad ``as_of`` or ``horizon_months``.

    Examples
    --------
    >>> customers = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
    ...                           "churned_at": ["2024-03-01", None, "2024-01-15", None]})
    >>> answers = pd.DataFrame({
    ...     "customer_id": ["a", "b", "c", "x"],
    ...     "responded_at": ["2024-01-01", "2024-01-01", "2024-02-01", "2024-01-01"],
    ...     "score": [3, 10, 9, 8]})
    >>> result = churn_by_category(customers, answers, as_of="2024-06-30")
    >>> result.durations[["customer", "category", "months", "churned"]].round(2).values.tolist()
    [['a', 'detractor', 1.97, 1], ['b', 'promoter', 5.95, 0]]
    >>> result.set_aside["reason"].tolist()
    ['churned before the answer', 'customer not in the customer table']
    """
    _check_frame(customers, "customers")
    _check_frame(answers, "answers")
    stamp = _as_of(as_of)
    horizon = _check_horizon(horizon_months)
    require_columns(customers, [customer, churned_at],
                    "The customer table needs the columns {missing}; found {found}. Name them "
                    "with customer=... and churned_at=... (empty churn date = still a customer).")
    label = category if category in answers.columns else score
    require_columns(answers, [customer, answered_at, label],
                    "The answers need the columns {missing}; found {found}. Name them with "
                    f"customer=..., answered_at=..., and category=... (or score=... for NPS "
                    "scores 0-10).")
    table = _customer_table(customers, customer, churned_at)
    frame, set_aside = _answer_frame(answers, table, customer, answered_at, category, score,
                                     stamp)
    durations = _follow_up(frame, stamp, horizon)
    return _churn_result(durations, set_aside, answers, table, stamp, horizon,
                         conf=conf, ci_type=ci_type, min_n=min_n)


def _check_horizon(horizon) -> float | None:
    if horizon is None:
        return None
    if isinstance(horizon, bool) or not isinstance(horizon, (int, float, np.number)) \
            or not np.isfinite(horizon) or horizon <= 0:
        raise ParameterError(
            "horizon_months must be a positive number of months (e.g. 12) or None; "
            f"got {horizon!r}."
        )
    return float(horizon)


def _customer_table(customers: pd.DataFrame, customer: str, churned_at: str) -> pd.DataFrame:
    ids = customers[customer]
    duplicated = ids[ids.duplicated(keep=False) & ids.notna()]
    if len(duplicated):
        raise DataError(
            f"The customer table has repeated ids in {customer!r}: "
            f"{show_values(duplicated.tolist())}. Keep one row per customer (with its churn "
            "date, if any)."
        )
    raw = customers[churned_at]
    dates = _dates(raw)
    unreadable = dates.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
    return pd.DataFrame({
        "_id": ids.to_numpy(), "_churn": dates.to_numpy(), "_unreadable": unreadable.to_numpy(),
    }).dropna(subset=["_id"]).set_index("_id")


def _answer_frame(answers, table, customer, answered_at, category, score, stamp):
    stamps = _dates(answers[answered_at], normalize=False)
    frame = pd.DataFrame({
        "customer": answers[customer].to_numpy(),
        "answered_at": stamps.dt.normalize().to_numpy(),
        "_stamp": stamps.to_numpy(),
        "category": _categories(answers, category, score).to_numpy(),
    }, index=answers.index)
    reason = pd.Series(None, index=answers.index, dtype=object)

    def mark(mask, text):
        reason[mask & reason.isna()] = text

    if category not in answers.columns and "survey" in answers.columns:
        mark(answers["survey"].astype(str).str.lower().ne("nps"), "not an NPS answer")
    mark(frame["customer"].isna(), "no customer id")
    mark(frame["answered_at"].isna(), "no answer date")
    mark(frame["answered_at"] > stamp, "answered after as_of")
    mark(frame["category"].isna(), "no category")
    ok = reason.isna()
    order = frame[ok].sort_values(["_stamp"], kind="stable")
    later = order.index[order["customer"].duplicated(keep="first")]
    mark(frame.index.isin(later), "later answer of the same customer")
    known = frame["customer"].isin(table.index)
    _check_overlap(frame, reason, known, table, customer)
    mark(~known, "customer not in the customer table")
    churn = frame["customer"].map(table["_churn"])
    unreadable = frame["customer"].map(table["_unreadable"]).eq(True)
    mark(unreadable, "unreadable churn date")
    mark(churn < frame["answered_at"], "churned before the answer")
    frame["churned_at"] = churn
    kept = frame[reason.isna()]
    aside = answers.loc[reason.notna()].copy()
    aside["reason"] = reason[reason.notna()]
    return kept, aside


def _check_overlap(frame, reason, known, table, customer) -> None:
    candidates = reason.isna()
    if candidates.any() and not (known & candidates).any():
        raise DataError(
            f"No answer belongs to a customer of the customer table: answer ids such as "
            f"{show_values(frame.loc[candidates, 'customer'].tolist())} against customer ids "
            f"such as {show_values(list(table.index))}. Check that both tables use the same "
            f"{customer!r} (same format, e.g. 'C00012' vs '12')."
        )


def _follow_up(frame: pd.DataFrame, stamp: pd.Timestamp, horizon: float | None) -> pd.DataFrame:
    churned = frame["churned_at"].notna() & (frame["churned_at"] <= stamp)
    end = frame["churned_at"].where(churned, stamp)
    months = (end - frame["answered_at"]).dt.days.to_numpy(dtype=float) / DAYS_PER_MONTH
    event = churned.to_numpy().astype(int)
    if horizon is not None:
        cut = months > horizon
        months, event = np.where(cut, horizon, months), np.where(cut, 0, event)
    labels = frame["category"].to_numpy()
    present = [c for c in CATEGORY_ORDER if c in set(labels)]
    others = sorted({c for c in labels if c not in CATEGORY_ORDER}, key=str)
    return pd.DataFrame({
        "customer": frame["customer"].to_numpy(),
        "category": pd.Categorical(labels, categories=present + others, ordered=not others),
        "answered_at": frame["answered_at"].to_numpy(),
        "churned_at": frame["churned_at"].to_numpy(),
        "months": months,
        "churned": event,
    }).sort_values(["category", "customer"], kind="stable").reset_index(drop=True)


def _churn_result(durations, set_aside, answers, table, stamp, horizon, *, conf, ci_type,
                  min_n) -> ChurnResult:
    if durations.empty:
        reasons = set_aside["reason"].value_counts()
        late = ""
        if "answered after as_of" in reasons.index:
            late = (f" {int(reasons['answered after as_of']):,} answers are dated after "
                    f"as_of={stamp.strftime('%Y-%m-%d')!r}: give a later as_of, or as_of=None "
                    "in the notebooks to use the end of the data.")
        raise DataError(
            "No answer is left to analyse after setting aside "
            f"{len(set_aside):,} ({', '.join(reasons.index)})." + late
            + " See the reasons and fix the data."
        )
    notes = []
    curves = retention_curves(durations, duration="months", event="churned", by="category",
                              conf=conf, min_n=min_n, ci_type=ci_type)
    at = horizon if horizon is not None else 12.0
    churn = expected_churn(curves, at=at, min_n=min_n)
    for _, row in churn.iterrows():
        if row["n"] < min_n:
            notes.append(f"Only {row['n']} customers are {row['group']}s (fewer than "
                         f"{min_n}): their figures are rough.")
        if np.isnan(row["estimate"]):
            notes.append(f"Follow-up of {row['group']}s ends before {at:g} months: their "
                         "churn within that window is unknown.")
    missing = [c for c in CATEGORY_ORDER if c not in set(durations["category"].astype(str))]
    if missing and set(durations["category"].astype(str)) <= set(CATEGORY_ORDER):
        notes.append(f"No customer in {', '.join(missing)}: not shown.")
    logrank = None
    if durations["category"].nunique() >= 2 and durations["churned"].sum() > 0:
        logrank = logrank_test(durations, duration="months", event="churned", by="category")
    else:
        notes.append("The log-rank test needs two or more categories and some churn: skipped.")
    late = table["_churn"] > stamp
    accounting = _accounting(answers, durations, set_aside, table, late)
    return ChurnResult(curves=curves, churn=churn, logrank=logrank, durations=durations,
                       set_aside=set_aside, accounting=accounting, warnings=notes)


def _accounting(answers, durations, set_aside, table, late) -> pd.DataFrame:
    items = [("answers read", len(answers)), ("customers analysed (first answer each)",
                                             len(durations))]
    counts = set_aside["reason"].value_counts()
    items += [(f"set aside: {r}", int(counts[r])) for r in REASONS if r in counts.index]
    items += [("customers in the customer table", len(table)),
              ("of which churn dated after as_of (counted as active)", int(late.sum()))]
    return pd.DataFrame(items, columns=["item", "rows"])


def expected_churn(curves, *, at: float = 12, min_n: int = 30) -> pd.DataFrame:
    """Share of customers churned by ``at``: ``100 - retention`` with its interval.

    Parameters
    ----------
    curves : DataFrame or ChurnResult
        A table of :func:`retention_curves` (every distinct time, or fixed ``times``
        that include ``at``), or the result of :func:`churn_by_category`.
    at : float
        Time (units of the curves, months in :func:`churn_by_category`).
    min_n : int
        Used for ``small_n`` when ``at`` is before a group's first time.

    Returns
    -------
    DataFrame
        ``group``, ``at``, ``n``, ``at_risk`` (customers still followed at ``at``),
        ``estimate`` (% churned by ``at``), ``ci_low``, ``ci_high`` (the
        retention interval turned round), ``conf``, ``method``, ``small_n``. The estimate
        is NaN for a group whose follow-up ends before ``at``.

    Examples
    --------
    >>> df = pd.DataFrame({"months": [1, 2, 2, 3, 4, 5], "churned": [1, 0, 1, 1, 0, 1]})
    >>> curves = retention_curves(df, duration="months", event="churned")
    >>> expected_churn(curves, at=3)[["estimate", "ci_low", "ci_high"]].round(2).values.tolist()
    [[55.56, 21.51, 93.38]]
    """
    if isinstance(curves, ChurnResult):
        curves = curves.curves
    _check_frame(curves, "curves")
    require_columns(curves, ["group", "time", "estimate", "ci_low", "ci_high", "conf", "n"],
                    "expected_churn reads a table of retention_curves; missing {missing} "
                    "(found {found}). Pass the output of retention_curves(...).")
    if isinstance(at, bool) or not isinstance(at, (int, float, np.number)) or not at >= 0:
        raise ParameterError(f"at must be a time of at least 0 (e.g. 12); got {at!r}.")
    fixed = curves.attrs.get("times")
    if fixed is not None and float(at) not in fixed:
        raise ParameterError(
            f"These curves were read at fixed times {fixed}, not at {at!r}. Ask "
            f"retention_curves(..., times=[{at!r}]) or pass the full curves (without times)."
        )
    rows = []
    groups = curves["group"].unique()
    for group in groups:
        part = curves[curves["group"] == group].sort_values("time", kind="stable")
        rows.append(_churn_row(part, group, float(at), min_n))
    out = pd.DataFrame(rows)
    if isinstance(curves["group"].dtype, pd.CategoricalDtype):
        out["group"] = pd.Categorical(out["group"], categories=curves["group"].cat.categories,
                                      ordered=curves["group"].cat.ordered)
    return out


def _churn_row(part: pd.DataFrame, group, at: float, min_n: int) -> dict:
    before = part[part["time"] <= at]
    method = part["method"].iloc[0] if "method" in part else ""
    n = int(part["n"].iloc[0])
    method = "100% - retention" + (f" ({method})" if method else " (Kaplan-Meier)")
    if before.empty:  # before the first time: nobody churned yet
        at_risk, estimate, low, high, small = n, 0.0, 0.0, 0.0, n < min_n
    else:
        row = before.iloc[-1]
        ended = bool(at > part["time"].max() and row["estimate"] > 0) or np.isnan(row["estimate"])
        at_risk = int(row["at_risk"]) if row["time"] == at else \
            int(row["at_risk"] - row["events"] - row["censored"])
        small = bool(row.get("small_n", n < min_n))
        estimate, low, high = ((np.nan,) * 3 if ended else
                               (100 - row["estimate"], 100 - row["ci_high"], 100 - row["ci_low"]))
    if estimate == 0 and n > 0:
        # No churn seen: the Kaplan-Meier interval has zero width. Use the exact binomial
        # upper bound for 0 events (Clopper-Pearson, 1 - (tail)^(1/m)) over the m customers
        # followed to `at` (conservative: fewer than the n who started).
        tail = (1 - float(part["conf"].iloc[0])) / 2
        followed = max(at_risk, 1)
        low, high = 0.0, 100 * (1 - tail ** (1 / followed))
        method += "; no churn observed: upper bound exact binomial (0 events) over those followed"
    return {"group": group, "at": at, "n": n, "at_risk": at_risk, "estimate": estimate,
            "ci_low": low, "ci_high": high, "conf": part["conf"].iloc[0], "method": method,
            "small_n": small}


def revenue_at_risk(
    data: pd.DataFrame,
    churn,
    *,
    amount: str,
    by: str = "category",
    customer: str | None = None,
    order: str | None = None,
    churned: str | None = None,
    reference: str | None = None,
    min_n: int = 30,
) -> pd.DataFrame:
    """Revenue expected to be lost to churn, per category: revenue x churn share.

    Each current customer counts once with its **latest** category (the last row per
    ``customer`` when ``order`` sorts the rows, e.g. the answer date). Customers
    already lost (``churned`` = 1) and rows without a category or without revenue
    are left out and counted in ``.attrs``. For each category::

        at risk = revenue of its current customers x share churned by the horizon

    with the churn share (and its interval) of :func:`expected_churn`. ``excess`` is
    the part above what the ``reference`` category's churn would lose on the same
    revenue: the revenue at risk *because of* the lower category, if the churn gap
    were caused by it (an association, not a proof).

    The interval scales the churn interval; the revenue is taken as known, so it
    leaves out the uncertainty of future revenue.

    Parameters
    ----------
    data : DataFrame
        Answers (or customers) with ``by`` and ``amount`` (e.g. revenue of the last 12
        months, or a monthly charge).
    churn : DataFrame or ChurnResult
        :func:`expected_churn` table (``group``, ``at``, ``estimate``, ``ci_low``,
        ``ci_high``, ``conf``) or a :func:`churn_by_category` result.
    amount, by : str
        Revenue and category columns.
    customer, order : str, optional
        Customer id and the column ordering a customer's rows (latest last).
    churned : str, optional
        0/1 column: rows with 1 are lost already and left out.
    reference : str, optional
        Category for ``excess`` (default the last one in ``churn``, the best).
    min_n : int
        Categories with fewer customers are flagged ``small_n``.

    Returns
    -------
    DataFrame
        One row per category of ``churn``: ``category``, ``customers``, ``revenue``,
        ``at`` (horizon), ``churn`` (%), ``churn_ci_low``, ``churn_ci_high``,
        ``estimate`` (revenue at risk), ``ci_low``, ``ci_high``, ``excess``,
        ``reference``, ``conf``, ``method``, ``small_n``. ``.attrs``: ``lost``,
        ``no_category``, ``no_revenue``, ``earlier_rows``.

    Raises
    ------
    MissingColumnError
        A named column is absent.
    DataError
        No row with a category and revenue; a reference without a churn share.

    Examples
    --------
    >>> churn = pd.DataFrame({"group": ["detractor", "promoter"], "at": [12.0, 12.0],
    ...     "estimate": [20.0, 5.0], "ci_low": [15.0, 3.0], "ci_high": [26.0, 8.0],
    ...     "conf": [0.95, 0.95]})
    >>> data = pd.DataFrame({"category": ["detractor", "detractor", "promoter"],
    ...                      "revenue": [1000.0, 3000.0, 2000.0]})
    >>> out = revenue_at_risk(data, churn, amount="revenue", min_n=1)
    >>> out[["category", "revenue", "estimate", "ci_low", "ci_high", "excess"]].values.tolist()
    [['detractor', 4000.0, 800.0, 600.0, 1040.0, 600.0], ['promoter', 2000.0, 100.0, 60.0, 160.0, 0.0]]
    """
    _check_frame(data, "data")
    min_n = _check_min_n(min_n)
    table = churn.churn if isinstance(churn, ChurnResult) else churn
    _check_frame(table, "churn")
    require_columns(table, ["group", "at", "estimate", "ci_low", "ci_high", "conf"],
                    "churn must be an expected_churn table or a churn_by_category result; "
                    "missing {missing} (found {found}).")
    wanted = [by, amount] + [c for c in (customer, order, churned) if c]
    require_columns(data, wanted, "revenue_at_risk needs the column(s) {missing}; found "
                    "{found}. Name them with by=..., amount=..., customer=..., order=..., "
                    "churned=...")
    rows = data
    lost = 0
    if churned:
        flag = pd.to_numeric(rows[churned], errors="coerce")
        lost = int((flag == 1).sum())
        rows = rows[flag != 1]
    earlier = 0
    if customer:
        if order:
            rows = rows.sort_values(order, kind="stable")
        latest = rows.drop_duplicates(customer, keep="last")
        earlier, rows = len(rows) - len(latest), latest
    money = pd.to_numeric(rows[amount], errors="coerce")
    no_category = int(rows[by].isna().sum())
    no_revenue = int((money.isna() & rows[by].notna()).sum())
    keep = rows[by].notna() & money.notna()
    if not keep.any():
        raise DataError(f"No row has both a category ({by!r}) and revenue ({amount!r}): there "
                        "is no revenue to put at risk. Check the revenue column.")
    labels, money = rows.loc[keep, by].astype(str), money[keep]
    groups = [str(g) for g in table["group"]]
    reference = groups[-1] if reference is None else str(reference)
    ref = table[table["group"].astype(str) == reference]
    if ref.empty or not np.isfinite(ref["estimate"].iloc[0]):
        raise DataError(f"The churn table has no churn share for the reference {reference!r}; "
                        f"categories there: {show_values(groups)}.")
    ref_churn = float(ref["estimate"].iloc[0])
    out = []
    for row in table.itertuples(index=False):
        mine = money[labels == str(row.group)]
        revenue = float(mine.sum())
        out.append({
            "category": row.group, "customers": len(mine), "revenue": revenue,
            "at": row.at, "churn": row.estimate, "churn_ci_low": row.ci_low,
            "churn_ci_high": row.ci_high, "estimate": revenue * row.estimate / 100,
            "ci_low": revenue * row.ci_low / 100, "ci_high": revenue * row.ci_high / 100,
            "excess": revenue * (row.estimate - ref_churn) / 100, "reference": reference,
            "conf": row.conf,
            "method": "revenue x Kaplan-Meier share churned by the horizon (revenue taken as "
                      "known)",
            "small_n": len(mine) < min_n,
        })
    result = pd.DataFrame(out)
    result.attrs.update(lost=lost, no_category=no_category, no_revenue=no_revenue,
                        earlier_rows=earlier)
    return result


def describe_churn(churn: pd.DataFrame, logrank: pd.DataFrame | None = None,
                   hazards: pd.DataFrame | None = None, at_risk: pd.DataFrame | None = None,
                   *, money: str | None = None) -> list[str]:
    """Sentences on churn by category: shares, log-rank, hazard ratios, revenue at risk.

    Parameters
    ----------
    churn : DataFrame
        :func:`expected_churn` table (worst category first).
    logrank, hazards, at_risk : DataFrame, optional
        :func:`logrank_test`, :func:`hazard_ratios` (one covariate) and
        :func:`revenue_at_risk` tables.
    money : str, optional
        What the revenue is ("revenue of 2024"), for the revenue-at-risk sentence.

    Examples
    --------
    >>> churn = pd.DataFrame({"group": ["detractor", "promoter"], "at": [12.0, 12.0],
    ...     "n": [80, 120], "estimate": [20.0, 5.0], "ci_low": [12.0, 2.0],
    ...     "ci_high": [30.0, 11.0], "conf": [0.95, 0.95]})
    >>> describe_churn(churn)[0]
    'Churned within 12 months: detractor 20.0% (95% CI 12.0% to 30.0%, n=80); promoter 5.0% (95% CI 2.0% to 11.0%, n=120).'
    """
    require_columns(churn, ["group", "at", "n", "estimate", "ci_low", "ci_high", "conf"],
                    "describe_churn reads an expected_churn table; missing {missing} (found "
                    "{found}).")
    at = churn["at"].iloc[0]
    parts = [f"{g} " + (f"{e:.1f}% ({c:.0%} CI {lo:.1f}% to {hi:.1f}%, n={int(n):,})"
                        if np.isfinite(e) else f"unknown (follow-up too short, n={int(n):,})")
             for g, e, lo, hi, c, n in zip(churn["group"], churn["estimate"], churn["ci_low"],
                                           churn["ci_high"], churn["conf"], churn["n"])]
    out = [f"Churned within {at:g} months: " + "; ".join(parts) + "."]
    if logrank is not None and len(logrank):
        r = logrank.iloc[0]
        p = format_p(r["p"])
        verdict = ("The categories churn at different rates" if r["p"] < 0.05 else
                   "No difference in churn between the categories is detectable")
        out.append(f"{verdict} ({r['method']}, chi2 = {r['chi2']:.1f}, df {int(r['df'])}, {p}).")
    if hazards is not None and len(hazards):
        ratios = [f"{lv} {e:.2f} ({c:.0%} CI {lo:.2f} to {hi:.2f})"
                  for lv, e, lo, hi, c in zip(hazards["level"], hazards["estimate"],
                                              hazards["ci_low"], hazards["ci_high"],
                                              hazards["conf"])]
        out.append(f"Hazard of churn against {hazards['reference'].iloc[0]} (Cox model): "
                   + "; ".join(ratios) + ".")
    if at_risk is not None and len(at_risk):
        r = at_risk.iloc[0]
        what = f" ({money})" if money else ""
        if int(r["customers"]) == 0:
            out.append(f"No {r['category']} customers are still customers: no revenue of theirs "
                       "is at risk (those who were are lost already).")
            return out
        out.append(
            f"Revenue at risk from {r['category']} customers: {r['estimate']:,.0f} "
            f"({r['conf']:.0%} CI {r['ci_low']:,.0f} to {r['ci_high']:,.0f}) of their "
            f"{r['revenue']:,.0f}{what} from {int(r['customers']):,} current customers, "
            f"{r['excess']:,.0f} of it above the churn rate of {r['reference']} customers."
        )
    return out
