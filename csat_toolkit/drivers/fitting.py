"""Fitting a driver model: effects with intervals and honest diagnostics.

:func:`fit_drivers` fits a statsmodels formula model on a :class:`DriverFrame`
(:func:`csat_toolkit.drivers.frame.driver_frame`): logistic regression for binary
outcomes (odds ratios and average marginal effects in percentage points), OLS with HC3
(or cluster-robust) errors for scores, or an ordered logit for scores with few points. It
checks separation before fitting, reports (generalised) variance inflation factors, Wald
tests per driver and Holm-adjusted p-values, and turns statsmodels' warnings into entries
of ``.warnings``.

References
----------
- Long, J. S. and Freese, J. (2014). Regression Models for Categorical Dependent
  Variables Using Stata, 3rd ed. (average marginal effects; discrete changes for
  factor variables, as Stata's ``margins, dydx()``).
- Albert, A. and Anderson, J. A. (1984). On the existence of maximum likelihood
  estimates in logistic regression models. Biometrika 71, 1-10 (separation).
- MacKinnon, J. G. and White, H. (1985). Some heteroskedasticity-consistent covariance
  matrix estimators with improved finite sample properties. J. Econometrics 29 (HC3).
- McCullagh, P. (1980). Regression models for ordinal data. JRSS B 42, 109-142
  (proportional-odds model; R ``MASS::polr``).
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.genmod import families
import statsmodels.formula.api as smf
from scipy.special import expit
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools import sm_exceptions

from ..core import stats
from ..core.display import result_html
from ..core.text import format_p
from ..errors import DataError, ParameterError
from .frame import (DriverFrame, _column_vif, _level_name, _map_distinct, _require,  # noqa: F401 (driver_frame: doctests)
                    driver_frame, vif)

__all__ = ["MODELS", "DriverModel", "fit_drivers"]

MODELS = ("auto", "logit", "ols", "ordered")
WEIGHT_KINDS = ("survey", "frequency")
#: Standard errors of the OLS model: HC3 (default), the ordinary ones, or another HC type.
OLS_COV_TYPES = ("HC3", "nonrobust", "HC0", "HC1", "HC2")

_GLM_TOL = 1e-10  # IRLS convergence (statsmodels' 1e-8 leaves errors off in the 6th digit)


# --- fitting -----------------------------------------------------------------------------


@dataclass
class DriverModel:
    """A fitted driver model (see :func:`fit_drivers`).

    Attributes
    ----------
    table : DataFrame
        One row per term: ``driver``, ``term`` (level, ``"per unit"`` for numeric
        drivers, ``"1"`` for 0/1 drivers), ``reference``, ``kind``, ``n`` (rows at the
        level; all rows for numeric drivers), ``estimate`` (odds ratio for logit and
        ordered logit, coefficient for OLS), ``ci_low``, ``ci_high``, ``coef`` and ``se``
        (log-odds or score scale), ``statistic``, ``p_value``, ``p_adjusted``,
        ``significant``, ``small_n``, ``ame``, ``ame_ci_low``, ``ame_ci_high``
        (average marginal effect in percentage points, logit only), ``conf``, ``method``.
    driver_tests : DataFrame
        One row per driver: joint Wald test of its terms (``test``, ``statistic``,
        ``df``, ``p_value``, ``p_adjusted``, ``significant``).
    vif : DataFrame
        Per driver: ``driver``, ``df``, ``gvif``, ``gvif_df``, ``vif_equivalent``, ``high``.
    vif_columns : DataFrame
        Per design column: ``column``, ``driver``, ``vif``.
    fit : statsmodels results
    warnings : list of str
    n : int
    model : {"logit", "ols", "ordered"}
    method : str
    outcome : str
    conf : float
    thresholds : DataFrame or None
        Ordered logit cut points (``threshold``, ``estimate``, ``se``).
    """

    table: pd.DataFrame
    driver_tests: pd.DataFrame
    vif: pd.DataFrame
    vif_columns: pd.DataFrame
    fit: object
    warnings: list[str]
    n: int
    model: str
    method: str
    outcome: str
    conf: float
    correction: str
    thresholds: pd.DataFrame | None = None

    def summary(self) -> str:
        """Which drivers matter (joint Wald tests, corrected), strongest first."""
        tests = self.driver_tests.sort_values(["p_value", "statistic"], ascending=[True, False])
        name = {"logit": "Logistic regression", "ols": "Linear regression (OLS)",
                "ordered": "Ordered logit"}[self.model]
        found = tests[tests["significant"]]
        label = _adjusted(self.correction)
        if found.empty:
            verdict = (f"no driver is distinguishable from no effect ({label} "
                       f"p >= {1 - self.conf:.2f})")
        else:
            listed = ", ".join(
                f"{r.driver} ({r.test} = {r.statistic:.1f}, df = {r.df}, {format_p(r.p_adjusted)})"
                for r in found.itertuples()
            )
            rest = tests.loc[~tests["significant"], "driver"].tolist()
            verdict = f"drivers that matter ({label} p-values): {listed}"
            if rest:
                verdict += f"; not distinguishable from no effect: {', '.join(rest)}"
        text = f"{name} of {self.outcome} on {len(tests)} drivers (n = {self.n:,}): {verdict}."
        if self.warnings:
            count = len(self.warnings)
            text += (f" Read it with the {count} warning{'s' * (count != 1)} on this model "
                     "listed with it.")
        return text

    def _repr_html_(self) -> str:
        shown = [c for c in _SHOWN_EFFECTS if c in self.table.columns]
        return result_html(self.summary(), self.table[shown], method=self.method,
                           warnings=self.warnings, conf=self.conf)


#: The effects table's columns a reader sees (as the drivers report's).
_SHOWN_EFFECTS = ["driver", "term", "reference", "n", "estimate", "ci_low", "ci_high",
                  "p_adjusted", "significant", "ame", "ame_ci_low", "ame_ci_high", "small_n",
                  "conf", "method"]


def fit_drivers(
    frame: DriverFrame,
    *,
    model: str = "auto",
    conf: float = 0.95,
    correction: str = "holm",
    cluster: str | None = None,
    weight_kind: str = "survey",
    min_n: int = 30,
    cov_type: str = "HC3",
) -> DriverModel:
    """Fit a driver model with statsmodels formulas, with diagnostics.

    Parameters
    ----------
    frame : DriverFrame
        From :func:`driver_frame`.
    model : {"auto", "logit", "ols", "ordered"}
        ``"auto"``: logit for binary outcomes, ordered logit for scores with at most 7
        points, OLS otherwise. ``"logit"`` is a binomial GLM with logit link (odds
        ratios, average marginal effects); ``"ols"`` uses HC3 robust errors (cluster-
        robust with ``cluster``); ``"ordered"`` is the proportional-odds model of
        ``statsmodels.miscmodels.ordinal_model.OrderedModel`` (logit link; odds ratios
        above 1 mean higher scores).
    conf : float
        Confidence level of the intervals; ``significant`` means an adjusted p-value
        below ``1 - conf``.
    correction : {"holm", "bh", "none"}
        Adjustment of p-values across terms (``table``) and across drivers
        (``driver_tests``).
    cluster : str, optional
        Column of ``frame.data`` (customer, agent ...) for cluster-robust errors.
    weight_kind : {"survey", "frequency"}
        How ``frame.weights`` are used: survey (sampling) weights give weighted
        pseudo-likelihood estimates with sandwich (HC0) errors (GLM ``var_weights``; WLS
        with HC3 for OLS); frequency weights count each row ``w`` times (GLM
        ``freq_weights``, model-based errors). The ordered logit takes no weights.
    min_n : int
        Terms whose level has fewer rows are flagged ``small_n`` and never significant.
    cov_type : {"HC3", "nonrobust", "HC0", "HC1", "HC2"}
        Standard errors of the OLS (and WLS) model. ``"HC3"`` (default): robust to
        unequal spread of the scores, with good small-sample behaviour (MacKinnon & White
        1985; Long & Ervin 2000). ``"nonrobust"``: the ordinary errors that assume equal
        spread, as R's ``summary(lm(...))`` and most textbooks report them (tested
        against R on ``swiss``); ``"HC0"``-``"HC2"``: the other White-type estimators, as
        R ``sandwich::vcovHC(type = ...)``. Only for ``model="ols"``; ``cluster`` takes
        precedence (cluster-robust errors).

    Returns
    -------
    DriverModel

    Raises
    ------
    DataError
        Separation (a level where the outcome is all 0 or all 1), or a model that
        cannot be estimated.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"contacts": rng.integers(1, 5, 400),
    ...                    "channel": rng.choice(["chat", "email", "phone"], 400)})
    >>> logit = 1.5 - 0.6 * (df["contacts"] - 1) + np.where(df["channel"] == "chat", 0.8, 0)
    >>> df["satisfied"] = (rng.random(400) < 1 / (1 + np.exp(-logit))).astype(int)
    >>> frame = driver_frame(df, "satisfied", ["contacts", "channel"],
    ...                      reference={"channel": "chat"})
    >>> m = fit_drivers(frame)
    >>> m.table[["driver", "term", "reference"]].values.tolist()
    [['contacts', 'per unit', None], ['channel', 'email', 'chat'], ['channel', 'phone', 'chat']]
    >>> m.table["estimate"].round(2).tolist(), m.table["significant"].tolist()
    ([0.62, 0.56, 0.38], [True, True, True])
    >>> m.table["ame"].round(1).tolist()  # percentage points
    [-9.9, -11.5, -20.1]
    """
    if not isinstance(frame, DriverFrame):
        raise ParameterError("fit_drivers takes the result of driver_frame(...).")
    stats.z_value(conf)  # checks conf
    if correction not in stats.CORRECTIONS:
        raise ParameterError(
            f"Unknown correction {correction!r}; use 'holm' (default), 'bh' or 'none'."
        )
    if weight_kind not in WEIGHT_KINDS:
        raise ParameterError(f"weight_kind must be one of {WEIGHT_KINDS}; got {weight_kind!r}.")
    kind = _resolve_model(frame, model)
    if cov_type not in OLS_COV_TYPES:
        raise ParameterError(f"cov_type must be one of {OLS_COV_TYPES}; got {cov_type!r}.")
    if cov_type != "HC3" and kind != "ols":
        raise ParameterError(
            f"cov_type={cov_type!r} applies to the OLS model only; this model is {kind!r}. "
            "Use model='ols', or leave cov_type at its default.")
    notes = list(frame.warnings)
    groups_codes = _cluster_codes(frame, cluster)
    mdata, names = _model_data(frame)
    formula = "y ~ " + " + ".join(names[d] for d in frame.drivers)  # see _model_data
    if kind in ("logit", "ordered"):
        _check_separation(frame, kind)
    if kind == "ordered":
        _check_ordered_size(frame)
    fit, method, caught = _fit(kind, formula, mdata, frame, groups_codes, weight_kind, cluster,
                               cov_type)
    with np.errstate(all="ignore"):
        _raise_on_separation(fit, caught, kind, frame, mdata)
    notes += _warning_notes(fit, caught)
    terms = _terms(frame, names, list(fit.model.exog_names))
    table = _term_table(fit, terms, kind, frame, conf, correction, min_n, method)
    tests = _driver_tests(fit, terms, frame, kind, conf, correction)
    vif_table = vif(frame.design, frame.groups)
    for r in vif_table[vif_table["high"]].itertuples():
        notes.append(
            f"{r.driver}: collinear with other drivers (GVIF^(1/(2 df)) = {r.gvif_df:.2f} > "
            f"sqrt(5)); its own effect is estimated imprecisely."
        )
    thresholds = _thresholds(fit) if kind == "ordered" else None
    return DriverModel(
        table=table, driver_tests=tests, vif=vif_table,
        vif_columns=_column_vif(frame.design, frame.groups), fit=fit, warnings=notes,
        n=frame.n_used, model=kind, method=method, outcome=frame.outcome, conf=conf,
        correction=correction, thresholds=thresholds,
    )


def _resolve_model(frame: DriverFrame, model: str) -> str:
    if model not in MODELS:
        raise ParameterError(f"Unknown model {model!r}; use one of {MODELS}.")
    binary = frame.outcome_kind == "binary"
    if model == "auto":
        if binary:
            return "logit"
        points = len(frame.scale.points) if frame.scale is not None else frame.points
        return "ordered" if points <= 7 else "ols"
    if model == "logit" and not binary:
        raise ParameterError(
            f"model='logit' needs a binary outcome; {frame.outcome!r} is a score. Use "
            "outcome='satisfied' in driver_frame, or model='ordered' / 'ols'."
        )
    if model == "ordered" and binary:
        raise ParameterError(
            "model='ordered' needs a score outcome; use model='logit' for a 0/1 outcome."
        )
    if model == "ordered" and frame.weights is not None:
        raise ParameterError(
            "The ordered logit (statsmodels OrderedModel) takes no weights. Use model='ols', "
            "or a binary outcome with model='logit', or build the frame without weights."
        )
    return model


def _cluster_codes(frame: DriverFrame, cluster: str | None):
    if cluster is None:
        return None
    if cluster not in frame.data.columns:
        _require(frame.data, [cluster])
    values = frame.data[cluster]
    if values.isna().any():
        raise DataError(
            f"The cluster column {cluster!r} is empty in {int(values.isna().sum()):,} of the rows "
            "used. Fill it (each row needs its cluster), or fit without cluster=."
        )
    codes, uniques = pd.factorize(values)
    if len(uniques) < 2:
        raise DataError(
            f"The cluster column {cluster!r} has a single value; cluster-robust errors need "
            "many clusters (customers, agents ...)."
        )
    return codes


def _model_data(frame: DriverFrame):
    """The frame with safe column names (y, x0, x1, ...) for the formula.

    A dummy-coded driver is a pandas Categorical whose categories are its levels,
    reference first: patsy codes it by treatment contrasts against that first level and
    takes the codes as they are. (Wrapped in ``C()``, patsy 1.0 would look every row up
    in Python instead: seconds on ten thousand answers.)
    """
    names = {d: f"x{i}" for i, d in enumerate(frame.drivers)}
    columns = {"y": frame.data[frame.outcome].to_numpy(dtype=float)}
    for d, safe in names.items():
        columns[safe] = frame.data[d].to_numpy()
        if frame.codings[d] == "dummies":
            columns[safe] = pd.Categorical(frame.data[d].astype(str), categories=frame.levels[d])
    if frame.weights is not None:
        columns["w"] = frame.data[frame.weights].to_numpy(dtype=float)
    return pd.DataFrame(columns), names


def _check_separation(frame: DriverFrame, kind: str) -> None:
    y = frame.data[frame.outcome].to_numpy(dtype=float)
    low, high = np.min(y), np.max(y)
    for d in frame.drivers:
        if d not in frame.levels:
            continue
        values = frame.data[d].astype(str).to_numpy() if frame.codings[d] == "dummies" else \
            _map_distinct(frame.data[d], _level_name).to_numpy()
        for level in frame.levels[d]:
            at = y[values == level]
            if len(at) == 0:
                continue
            for bound, word in ((low, "lowest"), (high, "highest")):
                if np.all(at == bound):
                    if kind == "logit":
                        what = f"is {'1 (yes)' if bound == 1 else '0 (no)'} in all {len(at):,} rows"
                    else:
                        what = f"is the {word} score ({bound:g}) in all {len(at):,} rows"
                    raise DataError(
                        f"Perfect separation: the outcome {frame.outcome!r} {what} with "
                        f"{d} = {level!r}, so its odds ratio would be infinite. Merge that "
                        f"level with another (or raise min_class), or drop {d!r} from the "
                        "drivers."
                    )


def _check_ordered_size(frame: DriverFrame) -> None:
    k = frame.design.shape[1] + frame.points - 1
    if k >= frame.n_used:
        raise DataError(
            f"Too many parameters for the rows: the ordered logit needs {k} but only "
            f"{frame.n_used} rows are usable. Use fewer drivers or model='ols'."
        )


def _fit(kind, formula, mdata, frame, codes, weight_kind, cluster_name, cov_type="HC3"):
    """Fit the statsmodels formula model; returns (results, method text, warnings seen)."""
    model, fit_kwargs, errors, weights_text = _model_spec(kind, formula, mdata, frame, weight_kind,
                                                          cov_type)
    if codes is not None:
        fit_kwargs.update(cov_type="cluster", cov_kwds={"groups": codes})
        errors = f"cluster-robust errors by {cluster_name}"
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        try:
            fit = model.fit(**fit_kwargs)
        except (sm_exceptions.PerfectSeparationError, np.linalg.LinAlgError) as exc:
            raise DataError(
                f"The model cannot be estimated ({type(exc).__name__}: {exc}). This usually "
                "means perfect separation or collinear drivers: merge small levels, or drop "
                "the driver that predicts the outcome perfectly."
            ) from exc
    method = {
        "logit": "Logistic regression (binomial GLM, logit link), odds ratios, "
                 f"{errors}, average marginal effects (delta method)",
        "ols": f"Linear regression (OLS), {errors}",
        "ordered": "Ordered logit (proportional odds, statsmodels OrderedModel), odds ratios, "
                   f"{errors}",
    }[kind]
    return fit, method + (f"; {weights_text}" if weights_text else ""), list(caught)


def _model_spec(kind, formula, mdata, frame, weight_kind, cov_type="HC3"):
    """The model, its fit arguments, and the texts naming the errors and the weights."""
    w = mdata["w"].to_numpy() if frame.weights is not None else None
    frequency = w is not None and weight_kind == "frequency"
    if kind == "ordered":
        model = _OrderedLogit.from_formula(formula, mdata, distr="logit")
        return model, {"method": "bfgs", "maxiter": 1000, "gtol": 1e-8, "disp": False}, \
            "model-based errors", ""
    if kind == "logit" or frequency:
        family = families.Binomial() if kind == "logit" else families.Gaussian()
        if frequency:
            model = smf.glm(formula, mdata, family=family, freq_weights=w)
            return model, {"tol": _GLM_TOL}, "model-based errors", "frequency weights"
        if w is not None:
            model = smf.glm(formula, mdata, family=family, var_weights=w)
            return model, {"tol": _GLM_TOL, "cov_type": "HC0"}, "sandwich (HC0) errors", \
                "survey weights (weighted pseudo-likelihood)"
        return smf.glm(formula, mdata, family=family), {"tol": _GLM_TOL}, "model-based errors", ""
    errors = ("ordinary (non-robust) errors" if cov_type == "nonrobust"
              else f"{cov_type} robust errors")
    fit_kwargs = {"cov_type": cov_type, "use_t": True}
    if w is not None:
        return smf.wls(formula, mdata, weights=w), fit_kwargs, errors, "survey weights (WLS)"
    return smf.ols(formula, mdata), fit_kwargs, errors, ""


class _OrderedLogit(OrderedModel):
    """statsmodels' OrderedModel with an analytic score; the likelihood is unchanged.

    OrderedModel differentiates the log-likelihood numerically, which takes minutes on
    ten thousand answers with forty parameters; the analytic gradient (and a Hessian
    differentiated numerically from it) gives the same estimates in seconds.
    """

    def _score_parts(self, params):
        params = np.asarray(params, dtype=float)
        low, upp = self._bounds(params)
        denom = self.prob(low, upp) + 1e-20  # as in OrderedModel.loglikeobs
        with np.errstate(invalid="ignore"):
            f_low = np.where(np.isfinite(low), self.pdf(low), 0.0)
            f_upp = np.where(np.isfinite(upp), self.pdf(upp), 0.0)
        cuts = self.k_levels - 1
        rows, level = np.arange(len(denom)), np.asarray(self.endog, dtype=int)
        d_cut = np.zeros((len(denom), cuts))
        up, down = level < cuts, level > 0
        d_cut[rows[up], level[up]] += f_upp[up] / denom[up]
        d_cut[rows[down], level[down] - 1] -= f_low[down] / denom[down]
        # cut m = a_0 + sum_{j=1..m} exp(a_j): d cut_m / d a_j = exp(a_j) (a_0: 1), j <= m
        raw = params[-cuts:]
        chain = np.concatenate(([1.0], np.exp(raw[1:])))
        return -(f_upp - f_low) / denom, d_cut, chain

    def score_obs(self, params):
        d_linpred, d_cut, chain = self._score_parts(params)
        tail = np.cumsum(d_cut[:, ::-1], axis=1)[:, ::-1]
        return np.column_stack([d_linpred[:, None] * self.exog, tail * chain])

    def score(self, params):
        d_linpred, d_cut, chain = self._score_parts(params)
        tail = np.cumsum(d_cut.sum(axis=0)[::-1])[::-1]
        return np.concatenate([d_linpred @ self.exog, tail * chain])

    def hessian(self, params):
        from statsmodels.tools.numdiff import approx_fprime

        h = approx_fprime(np.asarray(params, dtype=float), self.score, centered=True)
        return (h + h.T) / 2


def _thresholds(fit) -> pd.DataFrame:
    """Cut points of the ordered logit (between score classes), with delta-method SEs."""
    model = fit.model
    params = np.asarray(fit.params, dtype=float)
    cuts = model.k_levels - 1
    raw = params[-cuts:]
    cut = model.transform_threshold_params(params)[1:-1]
    jac = np.zeros((cuts, cuts))
    jac[:, 0] = 1.0
    for m in range(1, cuts):
        jac[m:, m] = np.exp(raw[m])
    cov = np.asarray(fit.cov_params(), dtype=float)[-cuts:, -cuts:]
    labels = [_level_name(v) for v in np.asarray(model.labels)]
    return pd.DataFrame({
        "threshold": [f"{a}|{b}" for a, b in zip(labels[:-1], labels[1:])],
        "estimate": cut,
        "se": np.sqrt(np.diag(jac @ cov @ jac.T)),
    })


def _raise_on_separation(fit, caught, kind, frame, mdata) -> None:
    flagged = any(issubclass(c.category, sm_exceptions.PerfectSeparationWarning) for c in caught)
    if kind == "logit":
        mu = np.asarray(fit.mu, dtype=float)
        y = mdata["y"].to_numpy()
        extreme = (mu < 1e-8) | (mu > 1 - 1e-8)  # |linear predictor| > 18
        if extreme.any() and np.all(np.round(mu[extreme]) == y[extreme]):
            params = np.asarray(fit.params)
            flagged = flagged or np.max(np.abs(params[1:])) > 15
    if not flagged:
        return
    exog = np.asarray(fit.model.exog, dtype=float)
    params = np.asarray(fit.params)[: exog.shape[1]]
    scale = exog.std(axis=0)
    scale[np.asarray(fit.model.exog_names) == "Intercept"] = 0
    worst = list(fit.model.exog_names)[int(np.argmax(np.abs(params * scale)))]
    names = {f"x{i}": d for i, d in enumerate(frame.drivers)}
    driver = next((d for safe, d in names.items() if re.search(rf"\b{safe}\b", worst)), worst)
    raise DataError(
        f"Perfect separation: {driver!r} predicts the outcome {frame.outcome!r} (almost) "
        "perfectly, so its effect would be infinite. Merge or drop the levels involved, "
        f"bucket {driver!r}, or drop it from the drivers."
    )


def _warning_notes(fit, caught) -> list[str]:
    notes = []
    converged = True
    retvals = getattr(fit, "mle_retvals", None)
    if isinstance(retvals, dict) and "converged" in retvals:
        converged = bool(retvals["converged"])
    elif hasattr(fit, "converged"):
        converged = bool(fit.converged)
    warned = any(issubclass(c.category, sm_exceptions.ConvergenceWarning) for c in caught)
    if not converged or warned:
        notes.append("The model did not converge: estimates may be unreliable. Merge small "
                     "levels, drop drivers or rescale numeric drivers.")
    seen = set()
    for c in caught:
        if issubclass(c.category, (sm_exceptions.ConvergenceWarning, RuntimeWarning,
                                   sm_exceptions.PerfectSeparationWarning, DeprecationWarning,
                                   FutureWarning)):
            continue
        text = f"statsmodels: {str(c.message).splitlines()[0]}"
        if text not in seen:
            seen.add(text)
            notes.append(text)
    return notes


@dataclass
class _Term:
    driver: str
    term: str
    reference: str | None
    kind: str
    coding: str  # "value", "indicator" (0/1 driver), "level"
    index: int
    group: list[int]
    design_column: str


def _terms(frame: DriverFrame, names: dict[str, str], exog_names: list[str]) -> list[_Term]:
    position = {name: i for i, name in enumerate(exog_names)}
    terms = []
    for d in frame.drivers:
        safe = names[d]
        if frame.codings[d] == "value":
            i = position[safe]
            coding = "indicator" if frame.kinds[d] == "binary" else "value"
            terms.append(_Term(d, "1" if coding == "indicator" else "per unit",
                               "0" if coding == "indicator" else None, frame.kinds[d],
                               coding, i, [i], d))
        else:
            idx = [position[f"{safe}[T.{level}]"] for level in frame.levels[d][1:]]
            for level, i in zip(frame.levels[d][1:], idx):
                terms.append(_Term(d, level, frame.reference[d], frame.kinds[d], "level", i, idx,
                                   f"{d}[{level}]"))
    return terms


def _term_table(fit, terms, kind, frame, conf, correction, min_n, method) -> pd.DataFrame:
    params = np.asarray(fit.params, dtype=float)
    bse = np.asarray(fit.bse, dtype=float)
    ci = np.asarray(fit.conf_int(alpha=1 - conf), dtype=float)
    pvalues = np.asarray(fit.pvalues, dtype=float)
    tvalues = np.asarray(fit.tvalues, dtype=float)
    idx = [t.index for t in terms]
    coef, low, high = params[idx], ci[idx, 0], ci[idx, 1]
    ratio = kind in ("logit", "ordered")
    n_level = []
    for t in terms:
        if t.coding == "value":
            n_level.append(frame.n_used)
        else:
            n_level.append(int(frame.design[t.design_column].sum()))
    table = pd.DataFrame({
        "driver": [t.driver for t in terms],
        "term": [t.term for t in terms],
        "reference": pd.Series([t.reference for t in terms], dtype=object),
        "kind": [t.kind for t in terms],
        "n": n_level,
        "estimate": np.exp(coef) if ratio else coef,
        "ci_low": np.exp(low) if ratio else low,
        "ci_high": np.exp(high) if ratio else high,
        "coef": coef,
        "se": bse[idx],
        "statistic": tvalues[idx],
        "p_value": pvalues[idx],
    })
    table["p_adjusted"] = stats.adjust_pvalues(table["p_value"].to_numpy(), correction)
    table["small_n"] = table["n"] < min_n
    table["significant"] = (table["p_adjusted"] < 1 - conf) & ~table["small_n"]
    if kind == "logit":
        ame = _average_marginal_effects(fit, terms, frame, conf)
        table["ame"], table["ame_ci_low"], table["ame_ci_high"] = ame.T
    else:
        table["ame"] = table["ame_ci_low"] = table["ame_ci_high"] = np.nan
    table["conf"] = conf
    table["method"] = method + f"; {_adjusted(correction)} p-values"
    columns = ["driver", "term", "reference", "kind", "n", "estimate", "ci_low", "ci_high",
               "coef", "se", "statistic", "p_value", "p_adjusted", "significant", "small_n",
               "ame", "ame_ci_low", "ame_ci_high", "conf", "method"]
    return table[columns]


def _correction_label(correction: str) -> str:
    return {"holm": "Holm", "bh": "Benjamini-Hochberg", "fdr_bh": "Benjamini-Hochberg",
            "none": "none"}[correction]


def _adjusted(correction: str) -> str:
    label = _correction_label(correction)
    return "unadjusted" if label == "none" else f"{label}-adjusted"


def _weights_of(fit, n: int) -> np.ndarray:
    model = fit.model
    for name in ("freq_weights", "var_weights", "weights"):
        w = getattr(model, name, None)
        if w is not None and np.size(w) == n:
            return np.asarray(w, dtype=float)
    return np.ones(n)


def _average_marginal_effects(fit, terms, frame, conf) -> np.ndarray:
    """AME in percentage points with delta-method intervals (Stata ``margins, dydx()``).

    Numeric drivers: mean of dp/dx = mean(p(1-p)) b. 0/1 drivers and categorical levels:
    discrete change, mean of p(level) - p(reference) with every row set to each.
    """
    x = np.asarray(fit.model.exog, dtype=float)
    beta = np.asarray(fit.params, dtype=float)
    cov = np.asarray(fit.cov_params(), dtype=float)
    w = _weights_of(fit, x.shape[0])
    w = w / w.sum()
    z = stats.z_value(conf)
    out = np.empty((len(terms), 3))
    eta = x @ beta
    p = expit(eta)
    # A level's counterfactual rows differ from x only in its driver's columns (all 0, or
    # 1 in the level's own), so their linear predictors and gradients follow from eta and
    # x without copying x for every level.
    for k, t in enumerate(terms):
        if t.coding == "value":
            d = p * (1 - p)
            ame = (w @ d) * beta[t.index]
            grad = (w * d * (1 - 2 * p)) @ x * beta[t.index]
            grad[t.index] += w @ d
        else:
            base = eta - x[:, t.group] @ beta[t.group]
            p1, p0 = expit(base + beta[t.index]), expit(base)
            g1, g0 = w * p1 * (1 - p1), w * p0 * (1 - p0)
            grad = (g1 - g0) @ x
            grad[t.group] = 0.0
            grad[t.index] = g1.sum()
            ame = w @ (p1 - p0)
        se = float(np.sqrt(max(grad @ cov @ grad, 0.0)))
        out[k] = 100 * np.array([ame, ame - z * se, ame + z * se])
    return out


def _driver_tests(fit, terms, frame, kind, conf, correction) -> pd.DataFrame:
    k = len(np.asarray(fit.params))
    rows = []
    use_f = kind == "ols" and getattr(fit, "use_t", False)
    for d in frame.drivers:
        idx = sorted({i for t in terms if t.driver == d for i in t.group})
        r = np.zeros((len(idx), k))
        r[np.arange(len(idx)), idx] = 1.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = fit.wald_test(r, use_f=use_f, scalar=True)
        rows.append((d, frame.kinds[d], "Wald F" if use_f else "Wald chi2",
                     float(np.squeeze(res.statistic)), len(idx), float(res.pvalue)))
    table = pd.DataFrame(rows, columns=["driver", "kind", "test", "statistic", "df", "p_value"])
    table["p_adjusted"] = stats.adjust_pvalues(table["p_value"].to_numpy(), correction)
    table["significant"] = table["p_adjusted"] < 1 - conf
    table["correction"] = _correction_label(correction)
    return table
