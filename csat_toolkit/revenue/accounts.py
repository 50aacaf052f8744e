"""Accounts (B2B): :func:`account_rollup` rolls respondents up to their accounts: NPS per
account, the revenue-weighted NPS, the share of revenue covered by answers and the large
accounts with a low NPS.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core import stats
from ..core.display import result_html
from ..core.scales import Scale
from ..core.tally import period_of
from ..errors import DataError, ParameterError, require_columns, show_values
from ._common import (_answer_frame, _check_choice, _check_count, _check_frame, _check_number,
                      _check_overlap, _count_items, _month_label, _prepare_revenue)

__all__ = [
    "COVERAGE_CONTEXT",
    "AccountResult",
    "account_rollup",
]


COVERAGE_CONTEXT = (
    "CustomerGauge recommends that the accounts answering the survey cover at least 80% "
    "of revenue each quarter (a practitioners' rule of thumb, shown as context)."
)
"""Where the 80% revenue-coverage target comes from."""


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

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.overall, warnings=self.warnings,
                           notes=[self.context])


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
