"""Retention: Kaplan-Meier curves, log-rank tests and Cox hazard ratios.

The survival ("retention") of a customer is the chance of still being a customer a
given time after a start date (here: the date of a survey answer). Customers still
active at the end of the data are *censored*: they count while they are observed and
no longer after. All estimates come from ``statsmodels.duration``
(:class:`~statsmodels.duration.survfunc.SurvfuncRight`,
:func:`~statsmodels.duration.survfunc.survdiff`,
:class:`~statsmodels.duration.hazard_regression.PHReg`).

Conventions
-----------
- Retention (``estimate``), its standard error and interval are in **percent**, like
  the rest of the toolkit; :func:`expected_churn` is ``100 - retention``.
- Standard errors are Greenwood's. Intervals are pointwise, ``ci_type="log-log"`` by
  default (the default of SAS PROC LIFETEST; interval for ``log(-log S)``, always
  inside 0-100%); ``"log"`` is R ``survfit``'s default; ``"plain"`` is ``S +- z se``.
- Months are days / 30.4375 (the mean Gregorian month).

References
----------
- Kaplan, E. L. and Meier, P. (1958). Nonparametric estimation from incomplete
  observations. JASA 53, 457-481. Greenwood, M. (1926), standard error.
- Kalbfleisch, J. D. and Prentice, R. L. (2002). The Statistical Analysis of Failure
  Time Data, 2nd ed. Wiley (log-log interval).
- Cox, D. R. (1972). Regression models and life tables. JRSS B 34, 187-220; Efron, B.
  (1977) for tied event times.
- Grambsch, P. M. and Therneau, T. M. (1994). Proportional hazards tests and
  diagnostics based on weighted residuals. Biometrika 81, 515-526 (the check in
  :func:`hazard_ratios`, as R survival's ``cox.zph`` before version 3.0).
"""
from __future__ import annotations

import warnings as _warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats as _st
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from ..errors import DataError, ParameterError, require_columns, show_values
from ..core.scales import get_scale
from ..core.stats import z_value
from ..core.text import format_p

__all__ = [
    "CI_TYPES",
    "LOGRANK_WEIGHTS",
    "DAYS_PER_MONTH",
    "retention_curves",
    "logrank_test",
    "hazard_ratios",
]

CI_TYPES = ("log-log", "log", "plain")
"""Interval types of :func:`retention_curves` (``log-log`` by default)."""

LOGRANK_WEIGHTS = {
    None: (None, "log-rank test"),
    "logrank": (None, "log-rank test"),
    "gehan_breslow": ("gb", "Gehan-Breslow (generalised Wilcoxon) test"),
    "tarone_ware": ("tw", "Tarone-Ware test"),
    "fleming_harrington": ("fh", "Fleming-Harrington test"),
}
"""Weights of :func:`logrank_test` and the name of the test each gives."""

DAYS_PER_MONTH = 30.4375
"""Days in a month when durations are given in months (365.25 / 12)."""

CATEGORY_ORDER = tuple(get_scale("nps").class_names)  # detractor, passive, promoter

_CI_NAMES = {"log-log": "log-log", "log": "log", "plain": "plain (linear)"}


# --- shared checks ----------------------------------------------------------------------


def _check_frame(data, what: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise ParameterError(
            f"{what} must be a pandas DataFrame; got {type(data).__name__}. "
            "Read your file with pandas.read_csv(...) first."
        )


def _check_min_n(min_n) -> int:
    if isinstance(min_n, bool) or not isinstance(min_n, (int, np.integer)) or min_n < 1:
        raise ParameterError(f"min_n must be a whole number of at least 1; got {min_n!r}.")
    return int(min_n)


def _check_ci_type(ci_type) -> str:
    if ci_type not in CI_TYPES:
        raise ParameterError(
            f"Unknown ci_type {ci_type!r}; use one of {', '.join(CI_TYPES)} "
            "('log-log' is the default of SAS, 'log' the default of R survfit)."
        )
    return ci_type


def _durations(values: pd.Series, column: str) -> np.ndarray:
    """Durations as floats: numeric, present, finite and not negative."""
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna()
    if bad.any():
        raise DataError(
            f"The duration column {column!r} must hold numbers (time to churn or to the end "
            f"of follow-up); {int(bad.sum())} values are not numbers: "
            f"{show_values(values[bad].tolist())}. Convert them to numbers of days or months."
        )
    if numbers.isna().any():
        raise DataError(
            f"The duration column {column!r} is empty in {int(numbers.isna().sum())} rows. "
            "Fill in the time to churn (or to the end of follow-up), or remove those rows."
        )
    times = numbers.to_numpy(dtype=float)
    if not np.isfinite(times).all():
        raise DataError(
            f"The duration column {column!r} holds infinite values; give finite durations."
        )
    negative = times < 0
    if negative.any():
        raise DataError(
            f"The duration column {column!r} has {int(negative.sum())} negative values "
            f"({show_values(times[negative].tolist())}): a time to churn cannot be negative. "
            "Check that each start date comes before its end date, or remove those rows."
        )
    return times


def _events(values: pd.Series, column: str) -> np.ndarray:
    """Event flags as 0/1 integers (1 = churned, 0 = censored)."""
    if values.isna().any():
        raise DataError(
            f"The event column {column!r} is empty in {int(values.isna().sum())} rows. "
            "Use 1 for customers who churned and 0 for those still active (censored)."
        )
    if values.dtype == bool:
        return values.to_numpy(dtype=int)
    numbers = pd.to_numeric(values, errors="coerce")
    bad = ~numbers.isin([0, 1])
    if bad.any():
        raise DataError(
            f"The event column {column!r} must hold 1 (churned) or 0 (still a customer, "
            f"censored); found {show_values(values[bad].tolist())}. Recode it, for example "
            f"data[{column!r}].map({{'yes': 1, 'no': 0}})."
        )
    return numbers.to_numpy(dtype=int)


def _levels(values: pd.Series, column: str, *, allow_empty: bool = False) -> list:
    """Group levels in order: category order for categoricals, else sorted."""
    if values.isna().any():
        raise DataError(
            f"The group column {column!r} is empty in {int(values.isna().sum())} rows. "
            f"Fill them in (for example data[{column!r}].fillna('unknown')) or remove them."
        )
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.unique())
        empty = [c for c in values.cat.categories if c not in present]
        if empty and not allow_empty:
            raise DataError(
                f"The group column {column!r} has groups with no rows: {show_values(empty)}. "
                f"Drop them with data[{column!r}].cat.remove_unused_categories(), or "
                "collect data for them."
            )
        return [c for c in values.cat.categories if c in present]
    return sorted(values.unique().tolist(), key=lambda v: (str(type(v)), v))


def _survival_frame(data, duration: str, event: str, by: str | None,
                    extra: Sequence[str] = ()) -> pd.DataFrame:
    """Checked copy with ``_t`` (duration), ``_e`` (0/1) and ``_g`` (group)."""
    _check_frame(data, "data")
    for name, value in (("duration", duration), ("event", event)):
        if not isinstance(value, str):
            raise ParameterError(f"{name} must be a column name (text); got {value!r}.")
    columns = [duration, event] + ([by] if by is not None else []) + list(extra)
    require_columns(
        data, columns,
        "The retention analysis needs the columns {missing}; found {found}. Name the column "
        "with the time to churn (or to the end of follow-up) in duration=..., the 0/1 churn "
        "flag in event=... and the groups in by=...",
    )
    if len(data) == 0:
        raise DataError("The data has no rows: there is nothing to estimate.")
    frame = pd.DataFrame({
        "_t": _durations(data[duration], duration),
        "_e": _events(data[event], event),
    })
    frame["_g"] = data[by].reset_index(drop=True) if by is not None else "all"
    return frame


# --- Kaplan-Meier -----------------------------------------------------------------------


def _km_table(t: np.ndarray, e: np.ndarray) -> pd.DataFrame:
    """One group's curve at every distinct time (0-1 scale), via SurvfuncRight."""
    times, inverse = np.unique(t, return_inverse=True)
    events = np.bincount(inverse, weights=e, minlength=len(times)).astype(int)
    leaving = np.bincount(inverse, minlength=len(times))
    at_risk = leaving[::-1].cumsum()[::-1]
    fit = SurvfuncRight(t, e)
    # the curve and its SE at churn times, carried forward; 1 and 0 before the first churn
    steps = np.concatenate([[1.0], fit.surv_prob])
    errors = np.concatenate([[0.0], fit.surv_prob_se])
    position = np.searchsorted(fit.surv_times, times, side="right")
    surv, se = steps[position], errors[position]
    return pd.DataFrame({
        "time": times, "at_risk": at_risk, "events": events, "censored": leaving - events,
        "surv": surv, "se": se,
    })


def _km_at(table: pd.DataFrame, t: np.ndarray, e: np.ndarray, at: np.ndarray) -> pd.DataFrame:
    """The curve read at given times (step function), with counts since the previous time."""
    position = np.searchsorted(table["time"].to_numpy(), at, side="right") - 1
    surv = np.where(position >= 0, table["surv"].to_numpy()[np.maximum(position, 0)], 1.0)
    se = np.where(position >= 0, table["se"].to_numpy()[np.maximum(position, 0)], 0.0)
    beyond = (at > t.max()) & (surv > 0)  # after the last follow-up: unknown
    surv, se = np.where(beyond, np.nan, surv), np.where(beyond, np.nan, se)
    previous = np.concatenate([[-np.inf], at[:-1]])
    window = (t[None, :] > previous[:, None]) & (t[None, :] <= at[:, None])
    events = (window & (e[None, :] == 1)).sum(axis=1)
    return pd.DataFrame({
        "time": at, "at_risk": (t[None, :] >= at[:, None]).sum(axis=1), "events": events,
        "censored": window.sum(axis=1) - events, "surv": surv, "se": se,
    })


def _km_interval(surv, se, conf: float, ci_type: str):
    """Pointwise interval of a survival probability (0-1 scale)."""
    z = z_value(conf)
    surv, se = np.asarray(surv, dtype=float), np.asarray(se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if ci_type == "plain":
            low, high = surv - z * se, surv + z * se
        elif ci_type == "log":
            low, high = surv * np.exp(-z * se / surv), surv * np.exp(z * se / surv)
        else:  # log-log: interval for log(-log S), mapped back
            spread = np.exp(z * se / (surv * np.abs(np.log(surv))))
            low, high = surv**spread, surv ** (1 / spread)
    top = surv >= 1  # before the first event: no variance, interval [1, 1]
    low, high = np.where(top, 1.0, low), np.where(top, 1.0, high)
    undefined = (surv <= 0) | np.isnan(se)  # R gives NA here too
    low = np.where(undefined, np.nan, np.clip(low, 0.0, 1.0))
    high = np.where(undefined, np.nan, np.clip(high, 0.0, 1.0))
    return low, high


def _check_times(times) -> np.ndarray | None:
    if times is None:
        return None
    values = np.atleast_1d(np.asarray(times, dtype=object))
    try:
        numbers = values.astype(float)
    except (TypeError, ValueError):
        numbers = np.array([np.nan])
    if len(numbers) == 0 or not np.isfinite(numbers).all() or (numbers < 0).any():
        raise ParameterError(
            f"times must be non-negative numbers in the units of the duration column, "
            f"for example times=[6, 12]; got {times!r}."
        )
    return np.unique(numbers)


def retention_curves(
    data: pd.DataFrame,
    *,
    duration: str,
    event: str,
    by: str | None = None,
    conf: float = 0.95,
    times: Sequence[float] | None = None,
    min_n: int = 30,
    ci_type: str = "log-log",
) -> pd.DataFrame:
    """Kaplan-Meier retention (survival) curves with Greenwood errors, per group.

    Parameters
    ----------
    data : DataFrame
        One row per customer (or per start of follow-up).
    duration : str
        Column with the time from the start to churn, or to the end of follow-up for
        customers still active (any unit; months in :func:`churn_by_category`).
    event : str
        Column with 1 (churned at ``duration``) or 0 (still active: censored).
    by : str, optional
        Column of groups; one curve per group (``group`` is ``"all"`` without it).
    conf : float
        Confidence level of the pointwise intervals.
    times : sequence of float, optional
        Report only these times (step-function read-out, e.g. ``[6, 12]``) instead of
        every distinct time. As in R ``summary(fit, times=)``, ``events`` and
        ``censored`` then count since the previous reported time. Past a group's last
        follow-up the retention is unknown: ``estimate`` is NaN (unless it reached 0).
    min_n : int
        ``small_n`` flags rows with fewer than ``min_n`` customers still at risk: the
        tail of a curve rests on few customers.
    ci_type : {"log-log", "log", "plain"}
        Interval transform; ``log-log`` (SAS's default) stays inside 0-100%; ``log`` is
        R survfit's default.

    Returns
    -------
    DataFrame
        ``group``, ``time``, ``at_risk`` (customers observed just before ``time``),
        ``events``, ``censored``, ``estimate`` (retention in %), ``se`` (Greenwood,
        percentage points), ``ci_low``, ``ci_high`` (%), ``conf``, ``method``, ``n``
        (customers in the group), ``small_n``. Without ``times``, one row per distinct
        time of each group (churn or censoring), as R's survfit object; the curve is
        100% before the first row. Where the curve reaches 0 the interval is NaN.

    Raises
    ------
    MissingColumnError
        A named column is absent.
    DataError
        Durations missing, not numeric or negative; events not 0/1; empty groups.
    ParameterError
        Bad ``conf``, ``times``, ``min_n`` or ``ci_type``.

    Examples
    --------
    >>> df = pd.DataFrame({"months": [1, 2, 2, 3, 4, 5], "churned": [1, 0, 1, 1, 0, 1]})
    >>> curve = retention_curves(df, duration="months", event="churned")
    >>> curve[["time", "at_risk", "events", "estimate"]].round(2).values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [[1.0, 6.0, 1.0, 83.33], [2.0, 5.0, 1.0, 66.67], [3.0, 3.0, 1.0, 44.44],
     [4.0, 2.0, 0.0, 44.44], [5.0, 1.0, 1.0, 0.0]]
    >>> at = retention_curves(df, duration="months", event="churned", times=[3, 6])
    >>> at[["time", "at_risk", "estimate"]].round(2).values.tolist()
    [[3.0, 3.0, 44.44], [6.0, 0.0, 0.0]]
    """
    _check_ci_type(ci_type)
    min_n = _check_min_n(min_n)
    z_value(conf)  # checks conf
    at = _check_times(times)
    frame = _survival_frame(data, duration, event, by)
    levels = _levels(frame["_g"], by or "group")
    parts = []
    for level in levels:
        rows = frame[frame["_g"] == level]
        t, e = rows["_t"].to_numpy(), rows["_e"].to_numpy()
        table = _km_table(t, e)
        if at is not None:
            table = _km_at(table, t, e, at)
        table.insert(0, "group", [level] * len(table))
        table["n"] = len(rows)
        parts.append(table)
    out = pd.concat(parts, ignore_index=True)
    low, high = _km_interval(out["surv"], out["se"], conf, ci_type)
    result = pd.DataFrame({
        "group": _group_column(out["group"], frame["_g"], levels),
        "time": out["time"].astype(float),
        "at_risk": out["at_risk"].astype(int),
        "events": out["events"].astype(int),
        "censored": out["censored"].astype(int),
        "estimate": 100 * out["surv"],
        "se": 100 * out["se"],
        "ci_low": 100 * low,
        "ci_high": 100 * high,
        "conf": conf,
        "method": f"Kaplan-Meier, Greenwood SE, {_CI_NAMES[ci_type]} interval",
        "n": out["n"].astype(int),
        "small_n": out["at_risk"].to_numpy() < min_n,
    })
    result.attrs["times"] = None if at is None else at.tolist()
    result.attrs["by"] = by
    return result


def _group_column(values: pd.Series, source: pd.Series, levels: list):
    if isinstance(source.dtype, pd.CategoricalDtype):
        return pd.Categorical(values, categories=levels, ordered=source.cat.ordered)
    return values.to_numpy()


# --- log-rank ---------------------------------------------------------------------------


def _observed_expected(t, e, g, levels) -> tuple[np.ndarray, np.ndarray]:
    """Observed events per group and those expected if all groups churned alike."""
    times, inverse = np.unique(t, return_inverse=True)
    deaths = np.bincount(inverse, weights=e, minlength=len(times))
    risk_total = np.bincount(inverse, minlength=len(times))[::-1].cumsum()[::-1]
    observed, expected = [], []
    for level in levels:
        mine = g == level
        leaving = np.bincount(inverse[mine], minlength=len(times))
        risk = leaving[::-1].cumsum()[::-1]
        observed.append(e[mine].sum())
        expected.append(np.sum(deaths * risk / np.maximum(risk_total, 1)))
    return np.asarray(observed, dtype=float), np.asarray(expected)


def logrank_test(
    data: pd.DataFrame,
    *,
    duration: str,
    event: str,
    by: str,
    weights: str | None = None,
    strata: str | None = None,
    fh_p: float = 1.0,
) -> pd.DataFrame:
    """Test whether groups churn alike: log-rank test and its weighted variants.

    Parameters
    ----------
    data : DataFrame
        One row per customer.
    duration, event : str
        Columns as in :func:`retention_curves`.
    by : str
        Column of the groups to compare (two or more).
    weights : {None, "logrank", "gehan_breslow", "tarone_ware", "fleming_harrington"}
        ``None`` (log-rank) weighs all times alike; Gehan-Breslow weighs early times
        (by the number at risk), Tarone-Ware by its square root, Fleming-Harrington by
        ``S(t-)**fh_p`` of the pooled Kaplan-Meier curve (R ``survdiff(rho=fh_p)``).
    strata : str, optional
        Column of strata: a stratified test (groups compared within each stratum).
    fh_p : float
        Exponent of the Fleming-Harrington weights.

    Returns
    -------
    DataFrame
        One row per group: ``group``, ``n``, ``observed`` (churned), ``expected``
        (churn expected if every group had the pooled churn rate; summed over strata),
        then the test, repeated on every row: ``chi2``, ``df`` (groups - 1), ``p``,
        ``method``. ``observed`` and ``expected`` are plain counts also when the test
        is weighted.

    Raises
    ------
    DataError
        Fewer than two groups, no churn at all, or the checks of
        :func:`retention_curves`.
    ParameterError
        Unknown ``weights``.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "months": [1, 3, 4, 6, 8, 2, 2, 3, 5, 7],
    ...     "churned": [0, 1, 0, 1, 0, 1, 1, 1, 1, 0],
    ...     "category": ["promoter"] * 5 + ["detractor"] * 5})
    >>> test = logrank_test(df, duration="months", event="churned", by="category")
    >>> test[["group", "observed", "expected"]].round(3).values.tolist()
    [['detractor', 4.0, 2.802], ['promoter', 2.0, 3.198]]
    >>> test[["chi2", "p"]].iloc[0].round(4).tolist()
    [1.0943, 0.2955]
    """
    if weights not in LOGRANK_WEIGHTS:
        raise ParameterError(
            f"Unknown weights {weights!r}; use one of "
            f"{', '.join(repr(k) for k in LOGRANK_WEIGHTS)}."
        )
    if by is None:
        raise ParameterError("logrank_test needs by=..., the column of the groups to compare.")
    frame = _survival_frame(data, duration, event, by, extra=[strata] if strata else [])
    levels = _levels(frame["_g"], by)
    if len(levels) < 2:
        raise DataError(
            f"The log-rank test compares groups, but {by!r} has only one: "
            f"{show_values(levels)}. Choose a column with two or more groups."
        )
    t, e, g = frame["_t"].to_numpy(), frame["_e"].to_numpy(), frame["_g"].to_numpy()
    if e.sum() == 0:
        raise DataError("No customer churned (every event is 0): there is nothing to compare.")
    stratum = None if strata is None else data[strata].to_numpy()
    if stratum is not None and pd.isna(stratum).any():
        raise DataError(
            f"The strata column {strata!r} is empty in {int(pd.isna(stratum).sum())} rows; "
            "fill them in or remove those rows."
        )
    observed, expected = np.zeros(len(levels)), np.zeros(len(levels))
    for s in (np.unique(stratum) if stratum is not None else [None]):
        mine = np.ones(len(t), bool) if s is None else stratum == s
        o, x = _observed_expected(t[mine], e[mine], g[mine], levels)
        observed, expected = observed + o, expected + x
    chi2 = _logrank_chi2(t, e, g, levels, weights, stratum, fh_p)
    df = len(levels) - 1
    code, name = LOGRANK_WEIGHTS[weights]
    if code == "fh":
        name += f" (p={fh_p:g})"
    if stratum is not None:
        name += f", stratified by {strata}"
    return pd.DataFrame({
        "group": _group_column(pd.Series(levels), frame["_g"], levels),
        "n": [int((g == level).sum()) for level in levels],
        "observed": observed,
        "expected": expected,
        "chi2": chi2,
        "df": df,
        "p": float(_st.chi2.sf(chi2, df)) if np.isfinite(chi2) else np.nan,
        "method": name,
    })


def _logrank_chi2(t, e, g, levels, weights, stratum, fh_p) -> float:
    code = LOGRANK_WEIGHTS[weights][0]
    codes = pd.Categorical(g, categories=levels).codes
    kwargs = {"fh_p": fh_p} if code == "fh" else {}
    try:
        chi2, _ = survdiff(t, e, codes, weight_type=code, strata=stratum, **kwargs)
    except np.linalg.LinAlgError as error:
        raise DataError(
            "The test cannot be computed: the groups are never at risk at the same time "
            "with churn among them (no overlap of follow-up). Compare the retention curves "
            "instead."
        ) from error
    return float(chi2)


# --- Cox model --------------------------------------------------------------------------


def _check_covariates(covariates) -> list[str]:
    if isinstance(covariates, str):
        covariates = [covariates]
    if not isinstance(covariates, Sequence) or not covariates or not all(
            isinstance(c, str) for c in covariates):
        raise ParameterError(
            f"covariates must be a list of column names, e.g. ['category']; got {covariates!r}."
        )
    return list(covariates)


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _design(data: pd.DataFrame, covariates: list[str], reference: Mapping
            ) -> tuple[np.ndarray, list[dict]]:
    """Design matrix: numbers as they are, other columns as treatment dummies."""
    columns, terms = [], []
    for name in covariates:
        values = data[name]
        if _is_numeric(values) and name not in reference:
            columns.append(values.to_numpy(dtype=float))
            terms.append({"covariate": name, "level": "", "reference": "", "mask": None})
            continue
        levels = _levels(values, name, allow_empty=True)
        if len(levels) < 2:
            raise DataError(
                f"The covariate {name!r} has a single value ({show_values(levels)}) in the rows "
                "used: there is nothing to compare. Leave it out of covariates."
            )
        ref = reference.get(name, levels[0])
        if ref not in levels:
            raise ParameterError(
                f"reference[{name!r}] = {ref!r} is not a value of {name!r}; use one of "
                f"{show_values(levels, limit=10)}."
            )
        for level in levels:
            if level == ref:
                continue
            mask = (values == level).to_numpy()
            columns.append(mask.astype(float))
            terms.append({"covariate": name, "level": level, "reference": ref, "mask": mask})
    return np.column_stack(columns), terms


def hazard_ratios(
    data: pd.DataFrame,
    *,
    duration: str,
    event: str,
    covariates: str | Sequence[str],
    strata: str | None = None,
    conf: float = 0.95,
    reference: Mapping[str, object] | None = None,
    ties: str = "efron",
) -> pd.DataFrame:
    """Cox proportional-hazards model: hazard ratios of churn with intervals.

    Numeric covariates enter as they are (hazard ratio per unit); other columns
    (text, categories, booleans) become treatment dummies against a reference level,
    the first level (category order, else sorted) unless ``reference`` names one.
    Rows with a missing covariate are left out and counted (``n_missing``, and a
    warning). Fitted by :class:`statsmodels.duration.hazard_regression.PHReg`.

    Proportional-hazards check: for each term, the correlation ``ph_rho`` of the
    scaled Schoenfeld residuals with ``1 - KM(t-)`` (Kaplan-Meier of all rows, also
    with ``strata``) and its
    chi-square test ``ph_chi2``/``ph_p`` (Grambsch and Therneau 1994; R survival's
    ``cox.zph(fit, transform="km")`` before version 3.0). With Efron ties the
    residuals are statsmodels' (Breslow-type means at the Efron estimate), so the
    check is approximate. A term with ``ph_p < 0.05`` gets a warning: its hazard
    ratio changes over the follow-up and is an average.

    Parameters
    ----------
    data : DataFrame
        One row per customer.
    duration, event : str
        Columns as in :func:`retention_curves`.
    covariates : str or list of str
        Columns of the model.
    strata : str, optional
        Column of strata with their own baseline hazard (no ratio estimated).
    conf : float
        Confidence level of the Wald intervals ``exp(coef +- z se)``.
    reference : mapping, optional
        Reference level per categorical covariate, e.g. ``{"category": "promoter"}``;
        naming a numeric column here treats it as categorical.
    ties : {"efron", "breslow"}
        Handling of tied churn times, as R ``coxph(method=...)`` (R's default: Efron).

    Returns
    -------
    DataFrame
        One row per term: ``covariate``, ``level``, ``reference`` (empty for numeric
        covariates), ``n`` and ``events`` (rows and churns at that level; the whole
        model for numeric covariates), ``coef`` (log hazard ratio), ``se``,
        ``estimate`` (hazard ratio), ``ci_low``, ``ci_high``, ``z``, ``p``, ``conf``,
        ``method``, ``ph_rho``, ``ph_chi2``, ``ph_p``, ``n_missing``, ``warning``
        (empty when none). ``attrs`` holds ``n``, ``events``, ``warnings`` (every
        warning, as text) and ``ph_global`` (global check: ``chi2``, ``df``, ``p``).

    Raises
    ------
    DataError
        The checks of :func:`retention_curves`, a covariate with one value, or no churn.
    ParameterError
        Bad ``covariates``, ``reference``, ``ties`` or ``conf``.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "months": [1, 3, 4, 6, 8, 2, 2, 3, 5, 7],
    ...     "churned": [0, 1, 0, 1, 0, 1, 1, 1, 1, 0],
    ...     "category": ["promoter"] * 5 + ["detractor"] * 5})
    >>> hr = hazard_ratios(df, duration="months", event="churned", covariates=["category"],
    ...                    reference={"category": "promoter"})
    >>> hr[["level", "reference", "n", "events"]].values.tolist()
    [['detractor', 'promoter', 5, 4]]
    >>> hr[["estimate", "ci_low", "ci_high"]].round(2).values.tolist()
    [[2.43, 0.44, 13.52]]
    """
    covariates = _check_covariates(covariates)
    reference = dict(reference or {})
    unknown = [k for k in reference if k not in covariates]
    if unknown:
        raise ParameterError(
            f"reference names columns that are not covariates: {show_values(unknown)}; "
            f"covariates are {show_values(covariates)}."
        )
    if ties not in ("efron", "breslow"):
        raise ParameterError(f"ties must be 'efron' or 'breslow'; got {ties!r}.")
    z = z_value(conf)
    extra = covariates + ([strata] if strata else [])
    frame = _survival_frame(data, duration, event, None, extra=extra)
    missing = data[extra].isna().any(axis=1).to_numpy()
    notes = []
    if missing.any():
        notes.append(
            f"{int(missing.sum())} rows left out: a covariate or the stratum is empty "
            f"({', '.join(c for c in extra if data[c].isna().any())})."
        )
    used = data.loc[~missing]
    t, e = frame["_t"].to_numpy()[~missing], frame["_e"].to_numpy()[~missing]
    if e.sum() == 0:
        raise DataError("No customer churned in the rows used: a Cox model needs churn events.")
    exog, terms = _design(used, covariates, reference)
    _check_level_events(terms, e)
    fit, fit_notes = _fit_cox(t, e, exog, None if strata is None else used[strata].to_numpy(), ties)
    notes += fit_notes
    coef, se = np.asarray(fit.params, dtype=float), np.asarray(fit.bse, dtype=float)
    ph, ph_global = _ph_check(fit, t, e)
    rows = []
    for i, term in enumerate(terms):
        mask = term["mask"] if term["mask"] is not None else np.ones(len(t), bool)
        warning = _term_warning(term, ph[i], coef[i], se[i])
        rows.append({
            "covariate": term["covariate"], "level": term["level"],
            "reference": term["reference"], "n": int(mask.sum()), "events": int(e[mask].sum()),
            "coef": coef[i], "se": se[i], "estimate": np.exp(coef[i]),
            "ci_low": np.exp(coef[i] - z * se[i]), "ci_high": np.exp(coef[i] + z * se[i]),
            "z": coef[i] / se[i], "p": 2 * _st.norm.sf(abs(coef[i] / se[i])),
            "conf": conf,
            "method": f"Cox proportional hazards (statsmodels PHReg, {ties.capitalize()} ties)"
                      + (f", stratified by {strata}" if strata else ""),
            "ph_rho": ph[i][0], "ph_chi2": ph[i][1], "ph_p": ph[i][2],
            "n_missing": int(missing.sum()), "warning": warning,
        })
    out = pd.DataFrame(rows)
    out.attrs.update({
        "n": int(len(t)), "events": int(e.sum()), "ph_global": ph_global,
        "warnings": notes + [w for w in out["warning"] if w],
    })
    return out


def _check_level_events(terms: list[dict], e: np.ndarray) -> None:
    """A level (or reference) without churn has a hazard ratio of 0 or infinity."""
    for term in terms:
        if term["mask"] is None:
            continue
        reference = np.ones(len(e), bool)
        for other in terms:
            if other["covariate"] == term["covariate"]:
                reference &= ~other["mask"]
        for level, mask in ((term["level"], term["mask"]), (term["reference"], reference)):
            if e[mask].sum() == 0:
                raise DataError(
                    f"No customer with {term['covariate']} = {level!r} churned, so its hazard "
                    "ratio cannot be estimated (it would be 0 or infinite). Merge that level "
                    "with a similar one, or leave those rows out."
                )


def _fit_cox(t, e, exog, strata, ties):
    notes = []
    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always")
        try:
            fit = PHReg(t, exog, status=e, strata=strata, ties=ties).fit()
        except np.linalg.LinAlgError as error:
            raise DataError(
                "The Cox model cannot be fitted: some covariates carry the same information "
                "(collinear) or a group never churns. Leave out one of the overlapping "
                "covariates, or merge small groups."
            ) from error
    for w in caught:
        notes.append(f"Cox model fit: {w.message}")
    return fit, notes


def _term_warning(term: dict, ph: tuple, coef: float, se: float) -> str:
    name = term["covariate"] + (f" = {term['level']}" if term["level"] != "" else "")
    if not (np.isfinite(coef) and np.isfinite(se)) or se > 20:
        return f"{name}: the estimate did not converge (separation); read it with care."
    if np.isfinite(ph[2]) and ph[2] < 0.05:
        return (f"{name}: the hazard ratio seems to change over the follow-up (proportional-"
                f"hazards check rho={ph[0]:.2f}, {format_p(ph[2])}); it is an average over time. "
                "Compare the retention curves, or stratify on this column.")
    return ""


def _ph_check(fit, t: np.ndarray, e: np.ndarray) -> tuple[list, dict]:
    """Scaled Schoenfeld residuals against 1 - KM(t-): cox.zph (R survival 2.x)."""
    n_terms = len(np.atleast_1d(fit.params))
    empty = [(np.nan, np.nan, np.nan)] * n_terms
    nothing = {"chi2": np.nan, "df": n_terms, "p": np.nan}
    dead = e == 1
    residuals = np.asarray(fit.schoenfeld_residuals)[dead]
    cov = np.asarray(fit.cov_params())
    n_dead = int(dead.sum())
    if n_dead < 3 or not np.isfinite(residuals).all() or not np.isfinite(cov).all():
        return empty, nothing
    pooled = _km_table(t, e)
    km_before = np.concatenate([[1.0], pooled["surv"].to_numpy()[:-1]])  # S(t-)
    g = 1 - km_before[np.searchsorted(pooled["time"].to_numpy(), t[dead])]
    xx = g - g.mean()
    ss = float(np.sum(xx**2))
    if ss <= 0:
        return empty, nothing
    scaled = residuals @ cov * n_dead
    test = xx @ scaled
    chi2 = test**2 / (np.diag(cov) * n_dead * ss)
    out = []
    for j in range(n_terms):
        with np.errstate(invalid="ignore", divide="ignore"):
            rho = float(np.corrcoef(xx, scaled[:, j])[0, 1]) if np.std(scaled[:, j]) > 0 else np.nan
        out.append((rho, float(chi2[j]), float(_st.chi2.sf(chi2[j], 1))))
    raw = xx @ residuals
    total = float(raw @ cov @ raw * n_dead / ss)
    return out, {"chi2": total, "df": n_terms, "p": float(_st.chi2.sf(total, n_terms))}
