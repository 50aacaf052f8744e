"""Churn and recent revenue from the revenue table: :func:`churn_from_revenue` (churn dates
from revenue stopping), :func:`churn_customers` (where the churn dates come from),
:func:`recent_revenue` and :func:`revenue_months`.
"""
from __future__ import annotations

import pandas as pd

from ..errors import require_columns
from ._common import (_check_count, _check_frame, _month_index, _month_label, _month_labels,
                      _prepare_revenue)

__all__ = [
    "recent_revenue",
    "revenue_months",
    "churn_from_revenue",
    "churn_customers",
]


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
