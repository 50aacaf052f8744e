"""The "what if": :func:`conversion_scenario` turns the customer-level link into "if 10% of
detractors became passives" money, with a bootstrap interval and its assumptions spelled
out; :func:`current_customers` gives the customers it applies to.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core import stats
from ..core.display import result_html
from ..errors import DataError, ParameterError, require_columns, show_values
from ._common import CAVEATS, _check_count, _check_frame, _check_number
from .churn import recent_revenue
from .survival import ChurnResult
from .windows import _levels, _plural, _windows_table

__all__ = [
    "ScenarioResult",
    "conversion_scenario",
    "current_customers",
]


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

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.table, notes=[*self.assumptions, *self.caveats])


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
