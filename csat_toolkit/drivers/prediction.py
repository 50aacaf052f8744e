"""Predicted satisfaction of tickets without an answer, and calibration measures.

:func:`predict_nonrespondents` fits a logistic model of satisfaction on ticket features
to the answered tickets and predicts the unanswered ones ("predictive CSAT", but with
its coefficients, held-out calibration and assumption in plain view). The calibration
measures it reports are public too: :func:`hosmer_lemeshow`, :func:`roc_auc` and
:func:`calibration_table`. Tickets and answers are matched and accounted for as in
:mod:`csat_toolkit.drivers.nonresponse`, which re-exports these names.

References
----------
- Hosmer, D. W. and Lemeshow, S. (2000). Applied Logistic Regression, 2nd ed. Wiley
  (goodness-of-fit statistic over groups of predicted risk; ``g - 2`` degrees of
  freedom on the fitting data, ``g`` on data the model was not fitted to). Grouping
  as in R's ``ResourceSelection::hoslem.test``.
- Cox, D. R. (1958). Two further applications of a model for binary regression.
  Biometrika 45, 562-565 (calibration intercept and slope: logistic regression of the
  outcome on the logit of the prediction, as in R's ``rms::val.prob``).
- Hanley, J. A. and McNeil, B. J. (1982). The meaning and use of the area under a
  ROC curve. Radiology 143, 29-36 (AUC as the Mann-Whitney statistic).
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.genmod import families
from statsmodels.tools.tools import add_constant
import statsmodels.formula.api as smf
from pandas.api.types import is_bool_dtype, is_numeric_dtype
from scipy import stats as _st
from scipy.special import expit, logit

from ..core import stats
from ..core.display import result_html
from ..core.text import format_p
from ..core.scales import Scale
from ..core.tally import as_keys
from ..errors import DataError, ParameterError, show_values
from ._common import _accounting, _accounting_text, _match, _Matched

__all__ = ["predict_nonrespondents", "PredictedCsat", "hosmer_lemeshow", "HosmerLemeshow",
           "roc_auc", "calibration_table"]

# A text feature with more distinct values than this among the answered tickets looks
# like an id or a timestamp, not a category.
_MAX_LEVELS = 200


class HosmerLemeshow(NamedTuple):
    """Hosmer-Lemeshow goodness-of-fit statistic over groups of predicted risk."""

    statistic: float
    df: int
    p_value: float
    groups: int


def _risk_groups(predicted: np.ndarray, n_bins: int) -> np.ndarray:
    """Group number (0-based) of each prediction, as ``ResourceSelection::hoslem.test``.

    Breaks are the ``n_bins``-quantiles (R's type 7, numpy's default) made unique;
    intervals are closed on the right, the lowest one also on the left. When there are
    no more than ``n_bins`` distinct predictions (a model of a few categories), each
    distinct value is its own group (R would merge the lowest two).
    """
    distinct, inverse = np.unique(predicted, return_inverse=True)
    if len(distinct) <= n_bins:
        return inverse.astype(int)
    breaks = np.unique(np.quantile(predicted, np.linspace(0, 1, n_bins + 1)))
    if len(breaks) < 2:
        return np.zeros(len(predicted), dtype=int)
    index = np.clip(np.searchsorted(breaks, predicted, side="left"), 1, len(breaks) - 1) - 1
    return np.unique(index, return_inverse=True)[1]


def _check_binary(observed, predicted) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(observed, dtype=float)
    p = np.asarray(predicted, dtype=float)
    if y.shape != p.shape or y.ndim != 1:
        raise ParameterError("observed and predicted must be 1-d and of the same length; got "
                             f"shapes {y.shape} and {p.shape}.")
    if not np.isin(y, [0, 1]).all():
        bad = y[~np.isin(y, [0, 1])]
        raise DataError(f"observed must hold 0 or 1; found {show_values(bad.tolist())}.")
    if not ((p >= 0) & (p <= 1)).all():
        raise DataError("predicted must be probabilities between 0 and 1; found "
                        f"{show_values(p[~((p >= 0) & (p <= 1))].tolist())}.")
    return y, p


def hosmer_lemeshow(observed, predicted, *, n_bins: int = 10,
                    validation: bool = False) -> HosmerLemeshow:
    """Hosmer-Lemeshow statistic ``sum (O - E)^2 / E`` over groups of predicted risk.

    Groups as R's ``ResourceSelection::hoslem.test(x, y, g)``: cut at the unique
    ``n_bins``-quantiles of the predictions (one group per distinct prediction when
    there are no more than ``n_bins`` of them); both outcome classes enter the sum.
    Degrees of freedom: groups - 2 on the data the model was fitted to (as R), the
    number of groups with ``validation=True`` (held-out data; Hosmer & Lemeshow 2000).

    Examples
    --------
    >>> r = hosmer_lemeshow([0, 0, 1, 0, 1, 1], [0.1, 0.2, 0.4, 0.5, 0.7, 0.9], n_bins=3)
    >>> round(r.statistic, 4), r.df, r.groups
    (0.8731, 1, 3)
    """
    y, p = _check_binary(observed, predicted)
    if not isinstance(n_bins, (int, np.integer)) or n_bins < 2:
        raise ParameterError(f"n_bins must be a whole number, 2 or more; got {n_bins!r}.")
    group = _risk_groups(p, n_bins)
    groups = int(group.max()) + 1 if len(group) else 0
    o1 = np.bincount(group, weights=y, minlength=groups)
    e1 = np.bincount(group, weights=p, minlength=groups)
    size = np.bincount(group, minlength=groups).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = (o1 - e1) ** 2 / e1 + ((size - o1) - (size - e1)) ** 2 / (size - e1)
    statistic = float(np.sum(terms))
    df = groups if validation else groups - 2
    p_value = float(_st.chi2.sf(statistic, df)) if df > 0 else np.nan
    return HosmerLemeshow(statistic, df, p_value, groups)


def roc_auc(observed, predicted) -> float:
    """Area under the ROC curve as the Mann-Whitney statistic (ties count one half).

    ``(sum of the ranks of the positives - n1 (n1 + 1) / 2) / (n1 n0)``: the chance
    that a random satisfied ticket gets a higher prediction than a random unsatisfied
    one. NaN when either class is absent.

    Examples
    --------
    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    y, p = _check_binary(observed, predicted)
    n1 = y.sum()
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return np.nan
    ranks = _st.rankdata(p)
    return float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def calibration_table(observed, predicted, *, n_bins: int = 10,
                      conf: float = 0.95) -> pd.DataFrame:
    """Observed against predicted share per group of predicted probability.

    The groups are those of :func:`hosmer_lemeshow` (quantiles of the predictions).

    Returns
    -------
    DataFrame
        One row per group: ``bin`` (1 = lowest predictions), ``p_min``, ``p_max``
        (range of predictions, %), ``n``, ``predicted`` (mean prediction, %),
        ``observed`` (share satisfied, %), ``ci_low``, ``ci_high`` (Wilson),
        ``conf``, ``method``.

    Examples
    --------
    >>> table = calibration_table([0, 0, 1, 0, 1, 1], [0.1, 0.2, 0.4, 0.5, 0.7, 0.9], n_bins=3)
    >>> table["n"].tolist()
    [2, 2, 2]
    >>> table[["predicted", "observed"]].round(1).values.tolist()
    [[15.0, 0.0], [45.0, 50.0], [80.0, 100.0]]
    """
    y, p = _check_binary(observed, predicted)
    group = _risk_groups(p, n_bins)
    frame = pd.DataFrame({"bin": group + 1, "y": y, "p": p})
    table = frame.groupby("bin", sort=True).agg(
        p_min=("p", "min"), p_max=("p", "max"), n=("y", "size"), predicted=("p", "mean"),
        satisfied=("y", "sum")).reset_index()
    low, high = stats.proportion_interval(table["satisfied"], table["n"], conf=conf)
    out = table[["bin"]].copy()
    out["p_min"], out["p_max"] = 100 * table["p_min"], 100 * table["p_max"]
    out["n"] = table["n"].astype(int)
    out["predicted"] = 100 * table["predicted"]
    out["observed"] = 100 * table["satisfied"] / table["n"]
    out["ci_low"], out["ci_high"] = 100 * np.asarray(low), 100 * np.asarray(high)
    out["conf"] = conf
    out["method"] = "Wilson score"
    return out


# --- predicted satisfaction of non-respondents ----------------------------------------


@dataclass(frozen=True)
class PredictedCsat:
    """Outcome of :func:`predict_nonrespondents`.

    Attributes
    ----------
    predictions : DataFrame
        One row per ticket used: ``ticket_id`` (the ``on`` column), ``answered``,
        ``observed`` (1/0 for answered tickets, NaN otherwise), ``p_satisfied``
        (model probability, for every ticket).
    table : DataFrame
        Three rows, ``group``: "answered (observed)", "unanswered (predicted)" and
        "all tickets" (answered ones at their observed outcome); ``tickets``,
        ``estimate``, ``ci_low``, ``ci_high``, ``se`` (%), ``conf``, ``method``,
        ``small_n``.
    calibration : DataFrame
        Held-out calibration per group of predicted probability
        (:func:`calibration_table`).
    metrics : dict
        Held-out measures: ``n_train``, ``n_test``, ``brier``, ``auc``,
        ``calibration_intercept``, ``calibration_slope``, ``hl_statistic``,
        ``hl_df``, ``hl_p_value``, ``hl_groups``.
    coefficients : DataFrame
        The model fitted on every answered ticket: ``term``, ``feature``, ``level``,
        ``reference``, ``odds_ratio``, ``ci_low``, ``ci_high`` (Wald), ``p_value``,
        ``coef``, ``se``, ``conf``.
    accounting : DataFrame
        ``item``, ``rows``: tickets and answers read, used and set aside.
    features : tuple of str
        The features in the model (constant ones are left out with a warning).
    reference_levels : dict
        Reference level of each categorical feature (its most frequent level among
        the answered tickets).
    warnings : tuple of str
        Model and data warnings (separation, convergence, unseen levels ...).
    label : str
        How the summary names the outcome ("CSAT", or "Share <column>").
    """

    predictions: pd.DataFrame
    table: pd.DataFrame
    calibration: pd.DataFrame
    metrics: dict
    coefficients: pd.DataFrame
    accounting: pd.DataFrame
    features: tuple[str, ...]
    reference_levels: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    label: str = "CSAT"

    def summary(self) -> str:
        """Observed and predicted CSAT, the assumption, and how well the model is calibrated."""
        rows = {r["group"]: r for _, r in self.table.iterrows()}
        obs, pred, every = (rows[g] for g in _GROUPS)
        width = f"{obs['conf']:.0%} CI"

        def part(row) -> str:
            return (f"{row['estimate']:.1f}% ({width} {row['ci_low']:.1f}-{row['ci_high']:.1f}%, "
                    f"{int(row['tickets']):,} tickets)")

        m = self.metrics
        text = (
            f"Answered tickets: {self.label} {part(obs)}. Predicted for the unanswered tickets: "
            f"{part(pred)}; all tickets: {part(every)}. This assumes that tickets without "
            f"an answer would have been as satisfied as answered tickets with the same "
            f"{', '.join(self.features)} (missing at random given these features); reasons "
            f"for not answering that the features do not capture are not corrected for."
        )
        if np.isfinite(m.get("auc", np.nan)):
            text += (
                f" On {m['n_test']:,} held-out answers: AUC {m['auc']:.2f}, calibration "
                f"slope {m['calibration_slope']:.2f} (1 is ideal), Hosmer-Lemeshow "
                f"{format_p(m['hl_p_value'])}."
            )
        return text

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.table, warnings=self.warnings)


_GROUPS = ("answered (observed)", "unanswered (predicted)", "all tickets")


@dataclass(frozen=True)
class _Encoding:
    """How features enter the model: kinds, category levels and reference levels."""

    numeric: tuple[str, ...]
    levels: dict  # categorical feature -> tuple of levels, reference first
    names: dict  # feature -> safe name in the formula

    @property
    def formula(self) -> str:
        # a categorical feature is a pandas Categorical (see _design): patsy takes its
        # codes as they are, where C() would look every row up in Python
        return "y ~ " + " + ".join(self.names[f] for f in self.names)


def predict_nonrespondents(
    tickets: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    features: list[str],
    on: str = "ticket_id",
    outcome: str = "satisfied",
    scale: str | Scale | None = None,
    eligible: str | None = None,
    n_bins: int = 10,
    seed: int = 0,
    test_share: float = 0.3,
    conf: float = 0.95,
    min_n: int = 30,
) -> PredictedCsat:
    """Predicted satisfaction of tickets without an answer, from a transparent logistic model.

    A logistic regression (statsmodels GLM, binomial, through a formula; text features
    as ``C()`` with their most frequent level as reference, numeric features linear) is
    fitted on the answered tickets and predicts P(satisfied) for every ticket.

    Estimates (``.table``): the observed CSAT of answered tickets (Wilson); the mean
    prediction of unanswered tickets, with a normal interval whose variance is the
    delta method for the coefficients (``g' V g``, ``g`` the mean of ``p (1 - p) x``)
    plus the binomial variation of their answers (``sum p (1 - p) / n^2``); and all
    tickets, answered ones at their observed outcome (the same variance times
    ``(n_unanswered / N)^2``).

    Calibration (``.calibration``, ``.metrics``): the answered tickets are split at
    random (``seed``) into ``1 - test_share`` for fitting and ``test_share`` held out;
    on the held-out answers: observed against predicted per group of prediction, Brier
    score, AUC, calibration intercept and slope (logistic regression of the outcome on
    the logit of the prediction; 0 and 1 when calibrated), Hosmer-Lemeshow statistic
    with the number of groups as degrees of freedom (held-out data). The predictions
    themselves come from the model fitted on every answered ticket.

    Rows set aside and counted (``.accounting``): tickets with a missing feature value,
    tickets whose only answers could not be used. Levels of a text feature that no
    answered ticket has are predicted as the reference level (counted in ``.warnings``).

    Parameters
    ----------
    tickets, responses : DataFrame
        Tickets (with ``on`` and the features) and answers (with ``on`` and ``score``,
        or a 0/1 ``outcome`` column).
    features : list of str
        Ticket columns to predict from.
    on, outcome, scale, eligible
        As in :func:`poststratify`.
    n_bins : int
        Groups of predicted probability for the calibration table and Hosmer-Lemeshow
        (3 or more).
    seed : int
        Seed of the train/test split.
    test_share : float
        Share of answered tickets held out for calibration (between 0 and 1).
    conf : float
        Confidence level.
    min_n : int
        Rows of ``.table`` with fewer tickets are flagged ``small_n``.

    Returns
    -------
    PredictedCsat

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> tickets = pd.DataFrame({"ticket_id": range(600),
    ...                         "channel": rng.choice(["chat", "email"], 600)})
    >>> satisfied = rng.random(600) < np.where(tickets["channel"] == "chat", 0.85, 0.6)
    >>> asked = rng.random(600) < np.where(tickets["channel"] == "chat", 0.7, 0.3)
    >>> responses = pd.DataFrame({"ticket_id": tickets["ticket_id"][asked],
    ...                           "score": np.where(satisfied, 5, 2)[asked]})
    >>> result = predict_nonrespondents(tickets, responses, features=["channel"])
    >>> result.table[["group", "tickets"]].values.tolist()
    [['answered (observed)', 292], ['unanswered (predicted)', 308], ['all tickets', 600]]
    >>> result.table["estimate"].round(1).tolist()
    [76.4, 64.2, 70.1]
    >>> result.coefficients["term"].tolist(), result.reference_levels
    (['Intercept', 'channel[email]'], {'channel': 'chat'})
    """
    feature_list = as_keys(features)
    if not feature_list:
        raise ParameterError("features is empty: name the ticket columns to predict from, "
                             "for example features=['channel', 'priority'].")
    if not isinstance(n_bins, (int, np.integer)) or n_bins < 3:
        raise ParameterError(f"n_bins must be a whole number, 3 or more; got {n_bins!r}.")
    if not 0 < test_share < 1:
        raise ParameterError(f"test_share must be between 0 and 1 (for example 0.3); got "
                             f"{test_share!r}.")
    stats.z_value(conf)
    matched = _match(tickets, responses, on=on, eligible=eligible, columns=feature_list,
                     outcome=outcome, scale=scale)
    frame, accounting = _usable_tickets(matched, feature_list)
    answered = frame["_y"].notna().to_numpy()
    _check_classes(frame, answered, matched)
    notes: list[str] = []
    encoding, dropped = _encoding(frame.loc[answered], feature_list)
    if dropped:
        notes.append(f"Left out of the model (one value among the answered tickets): "
                     f"{', '.join(dropped)}.")
    if not encoding.names:
        raise DataError(
            f"Every feature ({', '.join(feature_list)}) has a single value among the "
            "answered tickets, so nothing can be predicted. Choose features that vary."
        )
    design, unseen = _design(frame, encoding)
    notes += _unseen_notes(unseen, ~answered, encoding, "unanswered", "no answered ticket has")
    fit, fit_notes = _fit(design[answered], frame["_y"].to_numpy()[answered], encoding)
    notes += fit_notes
    p_all = _predict(fit, design)
    se_model = _mean_prediction_se(fit, design.loc[~answered])
    table = _prediction_table(frame["_y"].to_numpy(), p_all, se_model, answered,
                              conf=conf, min_n=min_n)
    calibration, metrics, cal_notes = _held_out(frame.loc[answered], feature_list, n_bins,
                                                seed, test_share, conf)
    notes += cal_notes
    predictions = pd.DataFrame({
        on: frame[on].to_numpy(),
        "answered": answered,
        "observed": frame["_y"].to_numpy(),
        "p_satisfied": p_all,
    })
    return PredictedCsat(
        predictions=predictions,
        table=table,
        calibration=calibration,
        metrics=metrics,
        coefficients=_coefficients(fit, encoding, conf),
        accounting=accounting,
        features=tuple(encoding.names),
        reference_levels={f: levels[0] for f, levels in encoding.levels.items()},
        warnings=tuple(notes),
        label=matched.label,
    )


def _usable_tickets(matched: _Matched, features: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Set aside tickets with a missing feature, or answered with no usable answer."""
    frame = matched.tickets
    missing = frame[features].isna().any(axis=1).to_numpy()
    unusable = ~missing & (frame["_answers"] > 0).to_numpy() & frame["_y"].isna().to_numpy()
    items = list(matched.accounting.itertuples(index=False, name=None))
    at = next(i for i, (item, _) in enumerate(items) if item == "tickets used")
    extra = [(f"tickets set aside: missing value in {', '.join(features)}", int(missing.sum())),
             ("tickets set aside: answered, but no answer was usable", int(unusable.sum()))]
    used = int((~missing & ~unusable).sum())
    items = items[:at] + extra + [("tickets used", used)] + items[at + 1:]
    return frame.loc[~missing & ~unusable].reset_index(drop=True), _accounting(items)


def _check_classes(frame: pd.DataFrame, answered: np.ndarray, matched: _Matched) -> None:
    if frame.empty:
        raise DataError("No tickets left to model: " + _accounting_text(matched.accounting))
    if not answered.any():
        raise DataError(
            "No eligible ticket has a usable answer, so no model can be fitted. Check that "
            "the answers carry the tickets' ids: " + _accounting_text(matched.accounting)
        )
    if answered.all():
        raise DataError(
            "Every eligible ticket has an answer: there are no unanswered tickets to "
            "predict. Use the observed CSAT (or check eligible=, which says which tickets "
            "were offered the survey)."
        )
    values = np.unique(frame["_y"].to_numpy()[answered])
    if len(values) < 2:
        label = "satisfied" if values[0] == 1 else "not satisfied"
        raise DataError(
            f"All {int(answered.sum()):,} answered tickets are {label}: a model needs both "
            "outcomes. Nothing can be learnt about who is satisfied; report the observed "
            "share instead."
        )


def _encoding(answered: pd.DataFrame, features: list[str]) -> tuple[_Encoding, list[str]]:
    numeric, levels, names, dropped = [], {}, {}, []
    for i, feature in enumerate(features):
        values = answered[feature]
        if is_numeric_dtype(values) and not is_bool_dtype(values):
            if values.nunique() < 2:
                dropped.append(feature)
                continue
            numeric.append(feature)
        else:
            counts = values.astype(str).value_counts()
            if len(counts) > _MAX_LEVELS:
                raise ParameterError(
                    f"Feature {feature!r} has {len(counts):,} different values among the "
                    f"answered tickets (for example {show_values(counts.index[:3].tolist())}): "
                    "it looks like an id or a timestamp. Derive a grouped or numeric column "
                    "(hour of day, time to first response ...) and use that."
                )
            if len(counts) < 2:
                dropped.append(feature)
                continue
            ordered = sorted(counts.index, key=lambda level: (-counts[level], level))
            levels[feature] = (ordered[0],) + tuple(sorted(ordered[1:]))
        names[feature] = f"f{i}"
    return _Encoding(tuple(numeric), levels, names), dropped


def _design(frame: pd.DataFrame, encoding: _Encoding) -> tuple[pd.DataFrame, dict]:
    """Model frame with safe names; unseen levels become the reference (counted)."""
    design = pd.DataFrame(index=frame.index)
    unseen: dict[str, np.ndarray] = {}
    for feature, name in encoding.names.items():
        if feature in encoding.levels:
            levels = encoding.levels[feature]
            text = frame[feature].astype(str)
            new = ~text.isin(levels).to_numpy()
            unseen[feature] = new
            text = text.where(~new, levels[0])
            design[name] = pd.Categorical(text, categories=list(levels))
        else:
            design[name] = frame[feature].astype(float).to_numpy()
    return design, unseen


def _unseen_notes(unseen: dict, rows: np.ndarray, encoding: _Encoding, what: str,
                  why: str) -> list[str]:
    notes = []
    for feature, new in unseen.items():
        count = int((new & rows).sum())
        if count:
            notes.append(
                f"{count:,} {what} ticket(s) have a {feature} level {why}: "
                f"predicted as {feature} = {encoding.levels[feature][0]!r} (the reference level)."
            )
    return notes


def _fit(design: pd.DataFrame, y: np.ndarray, encoding: _Encoding):
    """Fit the GLM; statsmodels warnings become notes, never leak to the user."""
    data = design.assign(y=y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = smf.glm(encoding.formula, data=data, family=families.Binomial())
        fit = model.fit()
    # Overflow and divide-by-zero RuntimeWarnings are symptoms of separation, which
    # the notes below name.
    notes = [_translate_warning(w) for w in caught if not issubclass(w.category, RuntimeWarning)]
    notes += _separation_notes(design, y, encoding, fit, reported=bool(notes))
    return fit, list(dict.fromkeys(notes))


def _separation_notes(design: pd.DataFrame, y: np.ndarray, encoding: _Encoding, fit,
                      reported: bool) -> list[str]:
    """Name levels whose answers all have one outcome, and runaway coefficients."""
    notes = []
    for feature, levels in encoding.levels.items():
        codes = design[encoding.names[feature]]
        shares = pd.Series(y).groupby(codes.to_numpy(), observed=True).mean()
        pure = [str(level) for level, share in shares.items() if share in (0.0, 1.0)]
        if pure:
            notes.append(
                f"Perfect separation: the answered tickets with {feature} = "
                f"{show_values(pure)} are all satisfied or all not, so their odds ratios "
                "run off to infinity and their predictions (near 0% or 100%) are not "
                "trustworthy. Group rare levels or drop the feature."
            )
    by_name = {name: feature for feature, name in encoding.names.items()}
    runaway = [_term_label(term, by_name) for term, coef, se
               in zip(fit.params.index, fit.params, fit.bse)
               if abs(coef) > 15 or not np.isfinite(se) or se > 100]
    if runaway and not notes and not reported:
        notes.append(
            f"Some coefficients are unstable ({show_values(runaway)}: huge values or "
            "standard errors), a sign of (quasi-)separation or collinear features; their "
            "odds ratios and the predictions they drive are not trustworthy."
        )
    return notes


def _term_label(term: str, by_name: dict) -> str:
    match = _TERM.match(term)
    if match:
        return f"{by_name[match.group(1)]}[{match.group(2)}]"
    return by_name.get(term, term)


def _translate_warning(warning: warnings.WarningMessage) -> str:
    name = warning.category.__name__
    if "PerfectSeparation" in name:
        return ("Perfect separation: some feature values occur with one outcome only, so "
                "their odds ratios run off to infinity and predictions near 0% or 100% are "
                "not trustworthy. Group rare levels or drop the feature.")
    if "Convergence" in name:
        return ("The model fit did not converge; the coefficients may be unreliable. Group "
                "rare levels or use fewer features.")
    return f"statsmodels: {warning.message}"


def _predict(fit, design: pd.DataFrame) -> np.ndarray:
    """P(satisfied): the inverse logit of the linear predictor (no overflow warnings)."""
    return expit(np.asarray(fit.predict(design, which="linear"), dtype=float))


def _mean_prediction_se(fit, design: pd.DataFrame) -> float:
    """Delta-method standard error of the mean prediction over ``design``'s rows.

    statsmodels' ``get_prediction(which="mean", average=True)``: ``sqrt(g' V g)`` with
    ``g`` the mean over the rows of ``p (1 - p) x`` and ``V`` the coefficients' covariance.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow at separated levels
        prediction = fit.get_prediction(design, which="mean", average=True)
    return float(np.asarray(prediction.se, dtype=float).ravel()[0])


def _prediction_table(y: np.ndarray, p: np.ndarray, se_model: float, answered: np.ndarray,
                      *, conf: float, min_n: int) -> pd.DataFrame:
    z = stats.z_value(conf)
    y_obs = y[answered]
    n_obs, n_un = int(answered.sum()), int((~answered).sum())
    total = n_obs + n_un
    obs_p = y_obs.mean()
    low, high = stats.proportion_interval(y_obs.sum(), n_obs, conf=conf)
    p_un = p[~answered]
    var_binomial = float(np.sum(p_un * (1 - p_un))) / n_un**2
    var_un = se_model**2 + var_binomial
    mean_un = float(p_un.mean())
    all_p = (y_obs.sum() + p_un.sum()) / total
    var_all = (n_un / total) ** 2 * var_un
    method_pred = ("mean prediction; delta-method variance of the coefficients plus binomial "
                   "variation of the answers; normal interval")
    rows = [
        (_GROUPS[0], n_obs, obs_p, low, high, np.sqrt(obs_p * (1 - obs_p) / n_obs),
         "Wilson score"),
        (_GROUPS[1], n_un, mean_un, mean_un - z * np.sqrt(var_un), mean_un + z * np.sqrt(var_un),
         np.sqrt(var_un), method_pred),
        (_GROUPS[2], total, all_p, all_p - z * np.sqrt(var_all), all_p + z * np.sqrt(var_all),
         np.sqrt(var_all), "observed outcomes plus " + method_pred),
    ]
    table = pd.DataFrame(rows, columns=["group", "tickets", "estimate", "ci_low", "ci_high",
                                        "se", "method"])
    table[["ci_low", "ci_high"]] = table[["ci_low", "ci_high"]].clip(0, 1)
    for column in ("estimate", "ci_low", "ci_high", "se"):
        table[column] = 100 * table[column].astype(float)
    table.insert(6, "conf", conf)
    table["small_n"] = table["tickets"] < min_n
    return table


def _held_out(answered: pd.DataFrame, features: list[str], n_bins: int, seed: int,
              test_share: float, conf: float) -> tuple[pd.DataFrame, dict, list[str]]:
    """Fit on a seeded share of the answered tickets, measure calibration on the rest."""
    rng = np.random.default_rng(seed)
    n = len(answered)
    order = rng.permutation(n)
    n_test = int(round(test_share * n))
    test = np.zeros(n, dtype=bool)
    test[order[:n_test]] = True
    y = answered["_y"].to_numpy()
    metrics = {"n_train": int((~test).sum()), "n_test": int(test.sum()), "brier": np.nan,
               "auc": np.nan, "calibration_intercept": np.nan, "calibration_slope": np.nan,
               "hl_statistic": np.nan, "hl_df": 0, "hl_p_value": np.nan, "hl_groups": 0}
    empty = pd.DataFrame(columns=["bin", "p_min", "p_max", "n", "predicted", "observed",
                                  "ci_low", "ci_high", "conf", "method"])
    train = answered.loc[~test]
    if n_test < 2 or len(np.unique(y[~test])) < 2 or len(np.unique(y[test])) < 2:
        return empty, metrics, [
            "Calibration not measured: the held-out or the fitting share of the answered "
            "tickets lacks satisfied or unsatisfied answers. Use more data or another "
            "test_share."]
    encoding, _ = _encoding(train, features)
    if not encoding.names:
        return empty, metrics, ["Calibration not measured: no feature varies among the "
                                "tickets used for fitting."]
    design, unseen = _design(answered, encoding)
    notes = _unseen_notes(unseen, test, encoding, "held-out",
                          "no ticket of the fitting share has")
    fit, fit_notes = _fit(design.loc[~test], y[~test], encoding)
    notes += [f"Held-out fit: {note}" for note in fit_notes]
    p = _predict(fit, design.loc[test])
    y_test = y[test]
    hl = hosmer_lemeshow(y_test, p, n_bins=n_bins, validation=True)
    intercept, slope, slope_notes = _calibration_line(y_test, p)
    notes += slope_notes
    metrics.update(
        brier=float(np.mean((p - y_test) ** 2)), auc=roc_auc(y_test, p),
        calibration_intercept=intercept, calibration_slope=slope,
        hl_statistic=hl.statistic, hl_df=hl.df, hl_p_value=hl.p_value, hl_groups=hl.groups,
    )
    return calibration_table(y_test, p, n_bins=n_bins, conf=conf), metrics, notes


def _calibration_line(y: np.ndarray, p: np.ndarray) -> tuple[float, float, list[str]]:
    """Cox's recalibration: logistic regression of y on logit(p)."""
    eta = logit(np.clip(p, 1e-12, 1 - 1e-12))
    if np.ptp(eta) == 0:
        return np.nan, np.nan, ["Calibration slope not measured: every held-out prediction "
                                "is the same."]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = GLM(y, add_constant(eta), family=families.Binomial()).fit()
    notes = []
    if caught:
        notes.append("Calibration line: the held-out predictions separate the outcomes "
                     "(almost) perfectly, so its intercept and slope are not meaningful.")
    return float(fit.params[0]), float(fit.params[1]), notes


_TERM = re.compile(r"^(f\d+)\[T\.(.*)\]$")


def _coefficients(fit, encoding: _Encoding, conf: float) -> pd.DataFrame:
    by_name = {name: feature for feature, name in encoding.names.items()}
    rows = []
    ci = np.asarray(fit.conf_int(alpha=1 - conf), dtype=float)
    for i, term in enumerate(fit.params.index):
        match = _TERM.match(term)
        label = _term_label(term, by_name)
        if term == "Intercept":
            feature, level, reference = "(intercept)", None, None
        elif match:
            feature = by_name[match.group(1)]
            level, reference = match.group(2), encoding.levels[feature][0]
        else:
            feature, level, reference = label, None, None
        coef, se = float(fit.params.iloc[i]), float(fit.bse.iloc[i])
        with np.errstate(over="ignore"):
            rows.append((label, feature, level, reference, np.exp(coef), np.exp(ci[i, 0]),
                         np.exp(ci[i, 1]), float(fit.pvalues.iloc[i]), coef, se, conf))
    return pd.DataFrame(rows, columns=["term", "feature", "level", "reference", "odds_ratio",
                                       "ci_low", "ci_high", "p_value", "coef", "se", "conf"])


