"""What speed is worth: satisfaction by duration bucket and the modelled effect curve.

:func:`speed_buckets` gives satisfaction by first-response or resolution time bucket
(Wilson intervals, missing times counted in their own row; :func:`bucketize` and
:func:`bucketize_columns` make the buckets, :func:`describe_speed` the sentences);
:func:`effect_curve` the modelled effect of one numeric driver (a natural cubic spline of
``log1p`` of it in a GLM, averaged over the data, with delta-method intervals);
:func:`speed_effect` both for one duration, as the 03_drivers report shows them.

References
----------
- Wood, S. N. (2017). Generalized Additive Models, 2nd ed., section 5.3.1 (cubic
  regression splines; patsy ``cr``).
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import patsy
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.genmod import families
from scipy.special import expit

from ..core import stats
from ..core.metrics import select_survey
from ..core.scales import Scale
from ..core.text import _DURATION_UNITS, bucket_labels, check_edges
from ..errors import DataError, ParameterError, show_values
from .fitting import _GLM_TOL, _model_data, _warning_notes
from .frame import OUTCOMES, DriverFrame, _outcome_values, _require, _resolve_scale, driver_frame

__all__ = ["speed_buckets", "bucketize", "bucketize_columns", "describe_speed", "bucket_labels",
           "effect_curve", "speed_effect"]

_TIMEDELTA_UNIT = {"h": "1h", "min": "1min", "d": "1D", "s": "1s"}
_NO_TIME = "no time recorded"


# --- what speed is worth -----------------------------------------------------------------


def speed_buckets(
    data: pd.DataFrame,
    column: str,
    *,
    outcome: str = "satisfied",
    edges: Sequence[float] = (1, 4, 24),
    unit: str = "hours",
    scale: str | Scale | None = None,
    conf: float = 0.95,
    min_n: int = 30,
    closed: str = "left",
) -> pd.DataFrame:
    """Satisfaction by duration bucket (first response, resolution ...), with intervals.

    Parameters
    ----------
    data : DataFrame
        Answers joined with their tickets.
    column : str
        Durations in ``unit`` (numbers) or as timedeltas.
    outcome : {"satisfied", "detractor", "promoter", "score"} or a 0/1 column
        Shares get Wilson intervals (in %); ``"score"`` the mean with a t interval.
    edges : sequence of float
        Bucket edges in ``unit``; default under 1 h, 1-4 h, 4-24 h, over 24 h.
    unit : str
        ``"hours"``, ``"minutes"``, ``"days"`` or ``"seconds"`` (any other text is used
        as the label unit for numbers).
    scale : str or Scale, optional
        Scale of ``score`` (as in :func:`driver_frame`).
    conf, min_n
        Confidence level; buckets with fewer answers are flagged ``small_n``.
    closed : {"left", "right"}
        ``"left"`` (default): a bucket holds ``lower <= t < upper`` (exactly 1 h is in
        "1-4 h"); ``"right"``: ``lower < t <= upper`` (exactly 1 h is "under 1 h").

    Returns
    -------
    DataFrame
        One row per bucket, plus a ``"no time recorded"`` row when durations are
        missing: ``bucket``, ``lower``, ``upper``, ``n``, ``estimate``, ``ci_low``,
        ``ci_high``, ``conf``, ``method``, ``small_n``.

    Raises
    ------
    DataError
        Negative durations (shown), or unusable outcome values.

    Examples
    --------
    >>> df = pd.DataFrame({"score": [5, 4, 2, 5, 1, 4] * 10,
    ...                    "hours": [0.5, 2, 30, 0.2, 50, None] * 10})
    >>> t = speed_buckets(df, "hours", min_n=5)
    >>> t[["bucket", "n", "estimate"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['under 1 h', 20, 100.0], ['1-4 h', 10, 100.0], ['4-24 h', 0, nan],
     ['over 24 h', 20, 0.0], ['no time recorded', 10, 100.0]]
    """
    stats.z_value(conf)  # checks conf
    if closed not in ("left", "right"):
        raise ParameterError(f"closed must be 'left' or 'right'; got {closed!r}.")
    edges = check_edges(edges)
    _require(data, [column])
    y, kind, scale, label = _bucket_outcome(data, outcome, scale)
    rows = data.loc[y.index]
    hours = _durations(rows[column], column, unit)
    negative = hours < 0
    if negative.any():
        raise DataError(
            f"{int(negative.sum()):,} durations in {column!r} are negative "
            f"({show_values(rows.loc[negative, column].tolist())}): a response cannot come "
            "before the ticket was created. Check the time stamps (time zones, swapped "
            "columns) and fix or drop those rows."
        )
    bounds = [0.0] + edges + [np.inf]
    labels = bucket_labels(edges, unit)
    bucket = pd.cut(hours, bounds, right=closed == "right", labels=False,
                    include_lowest=True)
    records = []
    for i, name in enumerate(labels):
        records.append((name, bounds[i], bounds[i + 1], y[bucket == i].to_numpy(float)))
    missing = hours.isna()
    if missing.any():
        records.append((_NO_TIME, np.nan, np.nan, y[missing].to_numpy(float)))
    out = []
    for name, lower, upper, values in records:
        est, low, high = _estimate(values, kind, conf)
        out.append({"bucket": name, "lower": lower, "upper": upper, "n": len(values),
                    "estimate": est, "ci_low": low, "ci_high": high})
    table = pd.DataFrame(out)
    table["conf"] = conf
    bounds_text = "left-closed" if closed == "left" else "right-closed"
    table["method"] = (("Wilson score interval" if kind == "binary" else "t interval")
                       + f" of {label} per {bounds_text} bucket of {column}")
    table["small_n"] = table["n"] < min_n
    return table


def bucketize(values: pd.Series, edges: Sequence[float] = (1, 4, 24), unit: str = "hours",
              *, closed: str = "left") -> pd.Series:
    """Durations as ordered bucket labels (the buckets of :func:`speed_buckets`).

    Missing durations stay missing; negative ones are an error (as in
    :func:`speed_buckets`).

    Examples
    --------
    >>> bucketize(pd.Series([0.5, 1.0, 30.0, None])).tolist()
    ['under 1 h', '1-4 h', 'over 24 h', nan]
    """
    edges = check_edges(edges)
    hours = _durations(values, str(values.name), unit)
    if (hours < 0).any():
        raise DataError(
            f"{int((hours < 0).sum()):,} durations in {values.name!r} are negative "
            f"({show_values(values[hours < 0].tolist())}); check the time stamps.")
    labels = bucket_labels(edges, unit)
    codes = pd.cut(hours, [0.0, *edges, np.inf], right=closed == "right", labels=False,
                   include_lowest=True)
    return pd.Series(pd.Categorical.from_codes(codes.fillna(-1).astype(int), labels,
                                               ordered=True), index=values.index,
                     name=values.name).astype(object).where(codes.notna())


def bucketize_columns(data: pd.DataFrame, columns: Sequence[str], *,
                      edges: Sequence[float] = (1, 4, 24), unit: str = "hours") -> pd.DataFrame:
    """A copy of ``data`` with each duration column replaced by its bucket labels.

    Use it to enter response times in a driver model as the same buckets the speed
    table shows; pass ``reference={column: bucket_labels(edges, unit)[0]}`` to
    :func:`driver_frame` to compare every bucket with the fastest.

    Examples
    --------
    >>> frame = pd.DataFrame({"frt": [0.2, 5.0], "contacts": [1, 2]})
    >>> bucketize_columns(frame, ["frt"])["frt"].tolist()
    ['under 1 h', '4-24 h']
    """
    _require(data, list(columns))
    return data.assign(**{c: bucketize(data[c], edges, unit) for c in columns})


def describe_speed(buckets: pd.DataFrame, *, label: str = "the first response time") -> list[str]:
    """Sentences for a :func:`speed_buckets` table: fastest against slowest, then each bucket.

    Examples
    --------
    >>> t = pd.DataFrame({"bucket": ["under 1 h", "over 1 h"], "lower": [0, 1.0],
    ...     "upper": [1.0, np.inf], "n": [500, 400], "estimate": [80.0, 60.0],
    ...     "ci_low": [76.3, 55.1], "ci_high": [83.3, 64.7], "conf": [0.95, 0.95],
    ...     "small_n": [False, False], "method": ["Wilson score interval of % satisfied"] * 2})
    >>> describe_speed(t)[0]
    'Satisfaction is 80.0% (95% CI 76.3-83.3%, n=500) when the first response time is under 1 h and 60.0% (95% CI 55.1-64.7%, n=400) when it is over 1 h: a gap of 20.0 points.'
    """
    timed = buckets[buckets["lower"].notna() & (buckets["n"] > 0)].reset_index(drop=True)
    if timed.empty:
        return [f"No answers with {label} recorded."]
    level = f"{100 * float(timed['conf'].iloc[0]):g}% CI"

    def one(row) -> str:
        small = ", too few answers to rely on" if row["small_n"] else ""
        return (f"{row['estimate']:.1f}% ({level} {row['ci_low']:.1f}-{row['ci_high']:.1f}%, "
                f"n={int(row['n']):,}{small})")

    first, last = timed.iloc[0], timed.iloc[-1]
    sentences = [f"Satisfaction is {one(first)} when {label} is {first['bucket']} and "
                 f"{one(last)} when it is {last['bucket']}: a gap of "
                 f"{first['estimate'] - last['estimate']:.1f} points."]
    sentences.append("By bucket: " + "; ".join(f"{r['bucket']} {one(r)}"
                                               for _, r in timed.iterrows()) + ".")
    return sentences


def _bucket_outcome(data: pd.DataFrame, outcome: str, scale):
    if outcome not in data.columns or outcome == "score":
        if outcome not in OUTCOMES:
            _require(data, [outcome], extra=OUTCOMES, what="outcome")
        _require(data, ["score"])
    scale = _resolve_scale(data, outcome, scale)
    rows = data
    derived = outcome not in data.columns or outcome == "score"
    if scale is not None and "survey" in data.columns and derived:
        rows = select_survey(data, scale.survey)
    y, reasons, kind = _outcome_values(rows, outcome, scale)
    bad = reasons.notna()
    if bad.any():
        source = "score" if derived else outcome
        values = show_values(rows.loc[bad, source].tolist())
        raise DataError(
            f"{int(bad.sum()):,} rows have no usable {outcome} "
            f"({show_values(reasons[bad].tolist())}; values {values}). "
            "Load the answers with csat_toolkit.load_responses (it sets such rows aside with "
            "a reason), or filter them out first."
        )
    if y.empty:
        raise DataError(
            f"No answers to compute {outcome!r} from; check the survey column and the scale."
        )
    default = f"% {outcome}" if kind == "binary" else f"mean {outcome}"
    label = {"satisfied": "% satisfied", "detractor": "% detractors", "promoter": "% promoters",
             "score": "mean score"}.get(outcome, default)
    return y, kind, scale, label


def _durations(values: pd.Series, column: str, unit: str) -> pd.Series:
    if pd.api.types.is_timedelta64_dtype(values):
        short = _DURATION_UNITS.get(unit)
        if short is None:
            raise ParameterError(
                f"{column!r} holds durations; unit must be 'hours', 'minutes', 'days' or "
                f"'seconds' to convert them; got {unit!r}."
            )
        return values / pd.Timedelta(_TIMEDELTA_UNIT[short])
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        converted = pd.to_numeric(values, errors="coerce")
        bad = converted.isna() & values.notna()
        if bad.any():
            raise DataError(
                f"{column!r} must hold durations (numbers in {unit}, or timedeltas); it has "
                f"{show_values(values[bad].tolist())}. Compute the duration first, e.g. "
                "(first_response_at - created_at) in hours."
            )
        return converted.astype(float)
    return values.astype(float)


def _estimate(values: np.ndarray, kind: str, conf: float):
    n = len(values)
    if n == 0:
        return np.nan, np.nan, np.nan
    if kind == "binary":
        x = float(values.sum())
        low, high = stats.proportion_interval(x, n, conf=conf)
        return 100 * x / n, 100 * low, 100 * high
    mean = float(values.mean())
    sd = float(values.std(ddof=1)) if n > 1 else np.nan
    low, high = stats.mean_interval(mean, sd, n, conf=conf)
    return mean, low, high


# --- modelled effect curve --------------------------------------------------------------


def effect_curve(
    frame: DriverFrame,
    driver: str,
    *,
    grid: Sequence[float] | None = None,
    n_points: int = 50,
    transform: str | None = "log1p",
    df: int = 4,
    conf: float = 0.95,
) -> pd.DataFrame:
    """Modelled effect of one numeric driver: the average predictive margin at each value.

    A GLM (binomial with logit link for binary outcomes, Gaussian for scores) of the
    outcome on a natural cubic regression spline of ``log1p(driver)`` (patsy
    ``cr(..., df=df, constraints='center')``) plus the other drivers as in the frame.
    At each grid value every row's driver is set to that value and the predictions are
    averaged over the rows (weighted when the frame has weights); the interval is the
    delta method with gradient ``mean(p (1 - p) X)``.

    Parameters
    ----------
    frame : DriverFrame
    driver : str
        A numeric driver of the frame (e.g. first-response hours).
    grid : sequence of float, optional
        Values to evaluate at; default ``n_points`` quantiles from 1% to 99%.
    transform : {"log1p", None}
        Spline of ``log1p(x)`` (durations: fine detail near zero) or of ``x``.
    df : int
        Degrees of freedom of the spline (3 or more).
    conf : float

    Returns
    -------
    DataFrame
        ``value``, ``estimate`` (% for binary outcomes, the score otherwise), ``ci_low``,
        ``ci_high``, ``conf``, ``method``, ``n``; ``attrs["warnings"]`` lists problems of
        the fit (non-convergence ...), empty when there are none.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> df = pd.DataFrame({"hours": rng.exponential(5, 600)})
    >>> df["satisfied"] = (rng.random(600) < 0.9 - 0.4 * (df["hours"] > 4)).astype(int)
    >>> curve = effect_curve(driver_frame(df, "satisfied", ["hours"]), "hours", grid=[0.5, 20])
    >>> curve["estimate"].round(0).tolist()
    [87.0, 48.0]
    """
    if not isinstance(frame, DriverFrame):
        raise ParameterError("effect_curve takes the result of driver_frame(...).")
    stats.z_value(conf)  # checks conf
    if driver not in frame.drivers:
        raise ParameterError(
            f"{driver!r} is not a driver of this frame; drivers: {show_values(frame.drivers)}."
        )
    if frame.kinds[driver] != "numeric":
        raise ParameterError(
            f"{driver!r} is {frame.kinds[driver]}: an effect curve needs a numeric driver. "
            "Its levels' effects are in fit_drivers(...).table."
        )
    if not isinstance(df, (int, np.integer)) or df < 3:
        raise ParameterError(f"df must be a whole number of at least 3; got {df!r}.")
    if transform not in ("log1p", None, "identity"):
        raise ParameterError(f"transform must be 'log1p' or None; got {transform!r}.")
    x = frame.data[driver].to_numpy(dtype=float)
    log = transform == "log1p"
    if log and np.any(x < 0):
        raise DataError(
            f"{driver!r} has negative values ({show_values(x[x < 0].tolist())}); log1p needs "
            "values of 0 or more. Fix the durations, or use transform=None."
        )
    values = _grid(x, grid, n_points, driver)
    mdata, names = _model_data(frame)
    safe = names[driver]
    mdata["t"] = np.log1p(x) if log else x
    spline = f"cr(t, df={int(df)}, constraints='center')"
    others = [names[d] for d in frame.drivers if d != driver]  # categoricals: see _model_data
    binary = frame.outcome_kind == "binary"
    family = families.Binomial() if binary else families.Gaussian()
    w = mdata["w"].to_numpy() if frame.weights is not None else None
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        y, xmat = patsy.dmatrices("y ~ " + " + ".join([spline] + others),
                                  mdata.drop(columns=[safe]), return_type="dataframe")
        fit = GLM(y, xmat, family=family, var_weights=w).fit(
            tol=_GLM_TOL, **({"cov_type": "HC0"} if w is not None else {}))
    info = xmat.design_info
    spline_cols = info.term_name_slices[spline]
    beta = np.asarray(fit.params, dtype=float)
    cov = np.asarray(fit.cov_params(), dtype=float)
    basis_data = mdata.drop(columns=[safe]).iloc[[0] * len(values)].reset_index(drop=True)
    basis_data["t"] = np.log1p(values) if log else values
    basis = np.asarray(patsy.build_design_matrices([info], basis_data)[0])[:, spline_cols]
    xm = np.asarray(xmat, dtype=float)
    other = np.ones(xm.shape[1], dtype=bool)
    other[spline_cols] = False
    eta_other = xm[:, other] @ beta[other]
    eta = eta_other[:, None] + (basis @ beta[spline_cols])[None, :]
    weights = np.ones(len(xm)) if w is None else w
    weights = weights / weights.sum()
    if binary:
        p = expit(eta)
        d = p * (1 - p)
    else:
        p = eta
        d = np.ones_like(eta)
    estimate = weights @ p
    grad = np.zeros((len(values), xm.shape[1]))
    grad[:, other] = (d * weights[:, None]).T @ xm[:, other]
    grad[:, spline_cols] = (weights @ d)[:, None] * basis
    se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", grad, cov, grad), 0.0))
    z = stats.z_value(conf)
    low, high = estimate - z * se, estimate + z * se
    scale = 100.0 if binary else 1.0
    if binary:
        low, high = np.clip(low, 0, 1), np.clip(high, 0, 1)
    model = "logistic GLM" if binary else "Gaussian GLM"
    text = "log1p" if log else "identity"
    curve = pd.DataFrame({
        "value": values,
        "estimate": scale * estimate,
        "ci_low": scale * low,
        "ci_high": scale * high,
        "conf": conf,
        "method": (f"Average predictive margin from a {model} with a natural cubic spline of "
                   f"{text}({driver}) (df={int(df)}) and the other drivers; delta-method interval"
                   + ("; survey weights, sandwich (HC0) errors" if w is not None else "")),
        "n": frame.n_used,
    })
    curve.attrs["warnings"] = _warning_notes(fit, caught)
    return curve


def _grid(x: np.ndarray, grid, n_points: int, driver: str) -> np.ndarray:
    if grid is None:
        if not isinstance(n_points, (int, np.integer)) or n_points < 2:
            raise ParameterError(
                f"n_points must be a whole number of at least 2; got {n_points!r}."
            )
        return np.unique(np.quantile(x, np.linspace(0.01, 0.99, n_points)))
    values = np.asarray(grid, dtype=float)
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise ParameterError(f"grid must be a list of numbers; got {grid!r}.")
    outside = (values < x.min()) | (values > x.max())
    if outside.any():
        raise ParameterError(
            f"grid values {show_values(values[outside].tolist())} are outside the observed "
            f"range of {driver!r} ({x.min():g} to {x.max():g}); the model cannot say what "
            "happens there."
        )
    return values



def speed_effect(
    data: pd.DataFrame,
    column: str,
    *,
    outcome: str = "satisfied",
    drivers: Sequence[str] = (),
    bucket_drivers: Sequence[str] = (),
    edges: Sequence[float] = (1, 4, 24),
    unit: str = "hours",
    scale: str | Scale | None = None,
    kinds: Mapping[str, str] | None = None,
    weights: str | None = None,
    min_class: int = 30,
    conf: float = 0.95,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """What one duration is worth: satisfaction by bucket and the modelled curve.

    The buckets come from :func:`speed_buckets`; the curve from :func:`effect_curve` on
    a model with the duration as a number and the other ``drivers`` (other durations
    as buckets). The curve is ``None`` when the duration has fewer than three distinct
    values (no curve to draw).

    Returns
    -------
    (DataFrame, DataFrame or None)
        The bucket table and the curve.

    Examples
    --------
    >>> df = pd.DataFrame({"score": [5, 4, 2, 5, 1, 4, 5, 3] * 10,
    ...                    "frt": [0.5, 2.0, 30.0, 0.2, 50.0, 3.0, 0.1, 10.0] * 10})
    >>> buckets, curve = speed_effect(df, "frt", min_class=5)
    >>> buckets["bucket"].tolist()[:2], len(curve) > 0
    (['under 1 h', '1-4 h'], True)
    """
    buckets = speed_buckets(data, column, outcome=outcome, edges=edges, unit=unit, scale=scale,
                            conf=conf, min_n=min_class)
    if pd.to_numeric(_durations(data[column], column, unit), errors="coerce").nunique() < 3:
        return buckets, None
    others = [c for c in bucket_drivers if c != column and c in drivers]
    frame = driver_frame(bucketize_columns(data, others, edges=edges, unit=unit), outcome,
                         [*[d for d in drivers if d != column], column], scale=scale,
                         kinds=kinds, weights=weights, min_class=min_class,
                         reference={c: bucket_labels(edges, unit)[0] for c in others})
    return buckets, effect_curve(frame, column, conf=conf)
