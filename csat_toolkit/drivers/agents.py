"""Fair comparison of agents and teams: empirical-Bayes shrinkage and funnel plots.

Raw CSAT per agent ranks the agents with few answers at the top and bottom by luck.
Two standard remedies, side by side:

- :func:`shrunken_rates`: a beta-binomial prior is fitted to all groups by maximum
  marginal likelihood; each group's rate is its posterior mean, which pulls small
  groups toward the overall rate (empirical Bayes). Groups below ``min_n`` answers are
  never ranked.
- :func:`funnel_limits` / :func:`funnel_table`: control limits around the overall
  rate for every sample size (Spiegelhalter 2005), optionally widened for
  over-dispersion, and which groups fall outside them.

References
----------
- Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
  Statistics in Medicine 24, 1185-1202 (exact binomial limits with interpolation:
  appendix A.1.1; over-dispersion: section 3).
- Gelman, A. et al. (2013). Bayesian Data Analysis, 3rd ed., section 5.3 (the
  beta-binomial hierarchical model, rat tumour data).
- Efron, B. and Morris, C. (1975). Data analysis using Stein's estimator and its
  generalizations. JASA 70, 311-319.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special
from scipy import stats as _st

from ..core import stats
from ..core.display import result_html
from ..core.text import format_p
from ..errors import DataError, ParameterError, require_columns, show_values
from ..core.metrics import select_survey
from ..core.scales import Scale, get_scale
from ..core.tally import as_keys

__all__ = [
    "BetaPrior",
    "ShrinkageResult",
    "shrunken_rates",
    "fit_beta_binomial",
    "funnel_limits",
    "funnel_table",
    "overdispersion",
    "shown_groups",
    "fair_comparison",
]

METHODS = ("beta-binomial",)
_METHOD_NAME = ("empirical Bayes beta-binomial (maximum marginal likelihood), "
                "equal-tailed posterior interval; raw: Wilson score")
# Prior precision (alpha + beta, "equivalent answers") is searched between these.
_PHI_MIN = 1e-3
_LISTED = 10  # groups named in a sentence; the rest are counted
_LOGIT_BOUND = 30.0


# --- the prior ------------------------------------------------------------------------


@dataclass(frozen=True)
class BetaPrior:
    """A fitted Beta(alpha, beta) prior of group rates.

    Attributes
    ----------
    alpha, beta : float
        Shape parameters.
    mean : float
        Prior mean rate in % (``100 * alpha / (alpha + beta)``).
    precision : float
        ``alpha + beta``: what the prior is worth in answers ("equivalent answers").
        A group with this many answers is pulled half way to the prior mean.
    at_bound : bool
        True when the groups vary no more than chance would make them (the precision
        reached its upper bound): every group is then shrunk to the overall rate.
    loglik : float
        Maximised beta-binomial log-likelihood.
    p_value : float
        Likelihood-ratio test of "no between-group variation" (a binomial with one
        common rate) against the beta-binomial; the statistic is referred to the
        50:50 mixture of chi-square(0) and chi-square(1) because the null is on the
        boundary.
    converged : bool
        Whether the optimiser reported convergence.
    """

    alpha: float
    beta: float
    mean: float
    precision: float
    at_bound: bool = False
    loglik: float = float("nan")
    p_value: float = float("nan")
    converged: bool = True

    @property
    def equivalent_answers(self) -> float:
        """The prior's weight in answers (``alpha + beta``)."""
        return self.precision


def _negloglik(theta: np.ndarray, x: np.ndarray, n: np.ndarray) -> tuple[float, np.ndarray]:
    """Beta-binomial negative log-likelihood (without the binomial coefficients, which
    do not depend on the prior) and its gradient in (logit mean, log precision)."""
    mu = 1.0 / (1.0 + np.exp(-theta[0]))
    phi = np.exp(theta[1])
    a, b = mu * phi, (1.0 - mu) * phi
    value = -np.sum(special.betaln(x + a, n - x + b) - special.betaln(a, b))
    common = special.digamma(n + phi) - special.digamma(phi)
    d_a = -np.sum(special.digamma(x + a) - special.digamma(a) - common)
    d_b = -np.sum(special.digamma(n - x + b) - special.digamma(b) - common)
    gradient = np.array([(d_a - d_b) * phi * mu * (1.0 - mu), d_a * a + d_b * b])
    if not np.isfinite(value) or not np.all(np.isfinite(gradient)):
        return 1e300, np.zeros(2)
    return float(value), gradient


def _loglik(x: np.ndarray, n: np.ndarray, alpha: float, beta: float) -> float:
    return float(np.sum(_st.betabinom.logpmf(x, n, alpha, beta)))


def _moment_start(x: np.ndarray, n: np.ndarray, phi_max: float) -> tuple[float, float]:
    """Method-of-moments start: pooled mean, intra-class correlation from the spread.

    ``var(x/n) ~ mu (1 - mu) (rho + (1 - rho) mean(1/n))`` with ``rho = 1 / (phi + 1)``.
    """
    mu = float(np.clip(x.sum() / n.sum(), 1e-6, 1 - 1e-6))
    spread = float(np.var(x / n, ddof=1)) if len(x) > 1 else 0.0
    inv_n = float(np.mean(1.0 / n))
    if inv_n >= 1.0:
        return mu, 1.0
    rho = (spread / (mu * (1 - mu)) - inv_n) / (1.0 - inv_n)
    if rho <= 0:
        return mu, phi_max / 10
    rho = min(rho, 0.999)
    return mu, float(np.clip(1.0 / rho - 1.0, _PHI_MIN * 10, phi_max / 10))


def fit_beta_binomial(successes, n) -> BetaPrior:
    """Fit a Beta(alpha, beta) prior to grouped counts by maximum marginal likelihood.

    The beta-binomial log-likelihood (``scipy.stats.betabinom``) is maximised over the
    logit of the mean and the log of the precision ``alpha + beta``, from a
    method-of-moments start. When the groups vary no more than binomial sampling
    would make them, the precision runs to its upper bound (``1000 * max(n) + 10^6``
    answers) and ``at_bound`` is set: every group is then shrunk to the overall rate.

    Parameters
    ----------
    successes, n : array-like
        Satisfied answers and answers per group (at least two groups, every n > 0).

    Returns
    -------
    BetaPrior

    Examples
    --------
    >>> prior = fit_beta_binomial([2, 8, 5, 9], [20, 20, 20, 20])
    >>> round(prior.alpha, 2), round(prior.beta, 2), round(prior.mean, 1)
    (6.24, 14.6, 29.9)
    >>> fit_beta_binomial([10, 10, 10], [20, 20, 20]).at_bound
    True
    """
    x, n = _check_counts(successes, n)
    if x.sum() in (0, n.sum()):
        raise DataError(
            f"Every answer has the same outcome ({'none' if x.sum() == 0 else 'all'} of "
            f"{int(n.sum()):,} satisfied): the groups cannot differ, so there is nothing to "
            "shrink or rank. Report the overall rate instead (csat_toolkit.csat)."
        )
    phi_max = 1000.0 * float(n.max()) + 1e6
    pooled = float(x.sum() / n.sum())
    bounds = [(-_LOGIT_BOUND, _LOGIT_BOUND), (np.log(_PHI_MIN), np.log(phi_max))]
    mu0, phi0 = _moment_start(x, n, phi_max)
    logit0 = float(np.log(mu0 / (1 - mu0)))
    best = None
    for start_phi in (phi0, 1.0, float(np.median(n))):
        start = np.array([logit0, np.log(np.clip(start_phi, _PHI_MIN, phi_max))])
        fit = optimize.minimize(_negloglik, start, args=(x, n), jac=True, method="L-BFGS-B",
                                bounds=bounds, options={"ftol": 1e-15, "gtol": 1e-10})
        if best is None or fit.fun < best.fun:
            best = fit
    mu = 1.0 / (1.0 + np.exp(-best.x[0]))
    phi = float(np.exp(best.x[1]))
    loglik = _loglik(x, n, mu * phi, (1 - mu) * phi)
    with np.errstate(divide="ignore"):
        loglik_common = float(np.sum(_st.binom.logpmf(x, n, pooled)))
    statistic = max(2.0 * (loglik - loglik_common), 0.0)
    at_bound = phi >= phi_max / 1.01 or statistic < 1e-6
    if at_bound:
        mu, phi, loglik, statistic = pooled, phi_max, max(loglik, loglik_common), 0.0
    p_value = 0.5 * float(_st.chi2.sf(statistic, 1)) if statistic > 0 else 1.0
    return BetaPrior(alpha=float(mu * phi), beta=float((1 - mu) * phi), mean=float(100 * mu),
                     precision=phi, at_bound=bool(at_bound), loglik=loglik,
                     p_value=p_value, converged=_converged(best))


def _converged(fit) -> bool:
    """L-BFGS-B stops "abnormally" in the line search on large counts although the
    gradient is essentially zero; accept that as converged."""
    return bool(fit.success or np.max(np.abs(fit.jac)) < 1e-4 * max(1.0, abs(fit.fun)))


def _check_counts(successes, n) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    if x.shape != n.shape or x.ndim != 1:
        raise ParameterError("successes and n must be two lists of the same length, one "
                             "value per group.")
    if len(x) < 2:
        raise DataError(
            f"Shrinkage needs at least two groups to learn how much groups differ; got "
            f"{len(x)}. Group by a column with several values (for example by='agent')."
        )
    bad = ~np.isfinite(x) | ~np.isfinite(n) | (x < 0) | (x > n) | (x != np.round(x)) | (
        n != np.round(n))
    if bad.any():
        raise DataError(
            "Counts must be whole numbers with 0 <= satisfied <= n; found (satisfied, n) = "
            f"{show_values(list(zip(x[bad].tolist(), n[bad].tolist())))}. Check the count columns."
        )
    if (n == 0).any():
        raise DataError(
            f"{int((n == 0).sum())} group(s) have no answers (n = 0). Drop groups without "
            "answers before comparing them."
        )
    return x, n


# --- shrunken rates -------------------------------------------------------------------


@dataclass(frozen=True)
class ShrinkageResult:
    """Outcome of :func:`shrunken_rates`.

    Attributes
    ----------
    table : DataFrame
        One row per group: the group keys, ``n``, ``satisfied``, ``raw``,
        ``raw_ci_low``, ``raw_ci_high`` (raw rate with its Wilson interval, %),
        ``estimate``, ``ci_low``, ``ci_high`` (posterior mean and equal-tailed
        posterior interval, %), ``shrinkage`` (weight on the prior mean,
        ``(alpha + beta) / (alpha + beta + n)``), ``prob_above_average`` (posterior
        probability that the group's rate exceeds the overall rate), ``small_n``,
        ``rank`` (1 = highest shrunken estimate; missing for groups with fewer than
        ``min_n`` answers, which are listed last), ``vs_overall`` (``"above"``,
        ``"below"`` or ``"not distinguishable"``: whether the posterior interval,
        Bonferroni-adjusted over the groups (level ``1 - (1 - conf) / groups``),
        excludes the overall rate), ``conf``, ``method``.
    prior : BetaPrior
        The fitted prior.
    overall : float
        Pooled rate of all groups, %.
    by : list of str
        Group key columns.
    set_aside : DataFrame
        Rows not used, counted by ``reason`` (columns ``reason``, ``rows``).
    min_n : int
    warnings : list of str
        Problems met while fitting (the optimiser did not converge ...).
    """

    table: pd.DataFrame
    prior: BetaPrior
    overall: float
    by: list[str]
    set_aside: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"reason": pd.Series(dtype=str), "rows": pd.Series(dtype=int)}))
    min_n: int = 30
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A few sentences: the prior, the highest and lowest groups, who is not ranked."""
        table, noun = self.table, " x ".join(self.by)
        conf = float(table["conf"].iloc[0])
        text = (f"Overall rate {self.overall:.1f}% across {len(table)} {noun} groups "
                f"({int(table['n'].sum()):,} answers). ")
        if self.prior.at_bound:
            text += (f"The groups differ no more than chance would make them (test of "
                     f"between-group variation {format_p(self.prior.p_value)}), so all groups "
                     f"are shrunk to the overall rate {self.overall:.1f}%: none can be told "
                     "apart from the others.")
        else:
            test = ("" if np.isnan(self.prior.p_value) else
                    f" (test of between-group variation {format_p(self.prior.p_value)})")
            text += (f"The prior is worth {self.prior.precision:,.0f} answers: a group with "
                     f"that many answers is pulled half way to the prior mean "
                     f"{self.prior.mean:.1f}%{test}.")
            ranked = table[table["rank"].notna()]
            if len(ranked):
                top, bottom = ranked.iloc[0], ranked.iloc[-1]
                text += (f" Highest: {self._name(top)} {_interval(top, conf)}; lowest: "
                         f"{self._name(bottom)} {_interval(bottom, conf)}.")
            above = int((table["vs_overall"] == "above").sum())
            below = int((table["vs_overall"] == "below").sum())
            text += (f" {above} above and {below} below the overall rate (their "
                     f"{100 * conf:g}% interval, Bonferroni-adjusted over the {len(table)} "
                     "groups, excludes it).")
        small = table[table["small_n"]]
        if len(small):
            listed = ", ".join(f"{self._name(r)} (n={int(r['n'])})"
                               for _, r in small.head(_LISTED).iterrows())
            more = f" and {len(small) - _LISTED:,} more" if len(small) > _LISTED else ""
            text += f" Not ranked (fewer than {self.min_n} answers): {listed}{more}."
        return text

    def _name(self, row: pd.Series) -> str:
        return " / ".join(str(row[k]) for k in self.by)

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.table, warnings=self.warnings, min_n=self.min_n)


def _interval(row: pd.Series, conf: float) -> str:
    return (f"{row['estimate']:.1f}% ({100 * conf:g}% interval {row['ci_low']:.1f}-"
            f"{row['ci_high']:.1f}%, n={int(row['n']):,})")


def shrunken_rates(
    data: pd.DataFrame,
    by: str | Sequence[str] = "agent",
    *,
    outcome: str = "satisfied",
    scale: str | Scale | None = None,
    conf: float = 0.95,
    min_n: int = 30,
    method: str = "beta-binomial",
    count: str | None = None,
    prior: BetaPrior | tuple[float, float] | None = None,
) -> ShrinkageResult:
    """Empirical-Bayes (beta-binomial) shrunken rate per group, beside the raw rate.

    A Beta(alpha, beta) prior of group rates is fitted to all groups by maximum
    marginal likelihood (:func:`fit_beta_binomial`); each group's posterior is
    Beta(alpha + satisfied, beta + n - satisfied). Its mean is the shrunken estimate
    and its equal-tailed quantiles the interval. Small groups move toward the overall
    rate, large groups hardly move. Groups with fewer than ``min_n`` answers are
    listed last without a rank: they are never ranked, and never by their raw rate.

    Parameters
    ----------
    data : DataFrame
        Canonical responses (one row per answer), or aggregated counts with ``count``.
    by : str or list of str
        Group columns (agent, team ...).
    outcome : str
        A 0/1 (or True/False) column of satisfied answers when ``data`` has it;
        otherwise satisfied answers are the ``score`` rows the scale counts as positive
        (top-2-box on CSAT 1-5), using the scale's survey rows only.
    scale : str or Scale, optional
        Scale of ``score`` (default CSAT 1-5); ignored when ``outcome`` is a column.
    conf : float
        Level of the posterior and Wilson intervals.
    min_n : int
        Groups with fewer answers are flagged ``small_n`` and not ranked.
    method : {"beta-binomial"}
    count : str, optional
        For aggregated data: the column of answers per row; ``outcome`` then holds the
        satisfied count of the row.
    prior : BetaPrior or (alpha, beta), optional
        Use this prior instead of fitting one (for example last quarter's, to keep
        this quarter's figures comparable).

    Returns
    -------
    ShrinkageResult
        ``.table`` (see :class:`ShrinkageResult`), ``.prior``, ``.overall``,
        ``.set_aside`` (rows not used, by reason), ``.summary()``.

    Examples
    --------
    >>> counts = pd.DataFrame({"agent": ["A", "B", "C", "D"], "satisfied": [2, 8, 5, 9],
    ...                        "n": [20, 20, 20, 20]})
    >>> result = shrunken_rates(counts, count="n", min_n=10)
    >>> result.table[["agent", "raw", "estimate", "rank"]].round(1).values.tolist()
    [['D', 45.0, 37.3, 1], ['B', 40.0, 34.9, 2], ['C', 25.0, 27.5, 3], ['A', 10.0, 20.2, 4]]
    """
    if method not in METHODS:
        raise ParameterError(f"Unknown method {method!r}; use 'beta-binomial'.")
    stats.z_value(conf)  # validates conf
    if not isinstance(min_n, (int, np.integer)) or min_n < 0:
        raise ParameterError(f"min_n must be a whole number of answers, 0 or more; got {min_n!r}.")
    keys = as_keys(by)
    if not keys:
        raise ParameterError("Give the group column(s) to compare, for example by='agent'.")
    counts, set_aside = _group_counts(data, keys, outcome=outcome, scale=scale, count=count)
    if counts.empty:
        reasons = "; ".join(f"{r} ({n})" for r, n in set_aside.itertuples(index=False))
        raise DataError(
            f"No groups to compare: no usable rows with {', '.join(map(repr, keys))} and an "
            f"outcome{' (set aside: ' + reasons + ')' if reasons else ''}. Check the columns "
            "and the survey/score values."
        )
    _check_groups(counts, keys, need_two=prior is None)
    x = counts["satisfied"].to_numpy(dtype=float)
    n = counts["n"].to_numpy(dtype=float)
    prior = fit_beta_binomial(x, n) if prior is None else _given_prior(prior)
    warnings = [] if prior.converged else [
        "The beta-binomial fit did not report convergence; the prior may be imprecise."]
    table = _posterior_table(counts, keys, prior, conf=conf, min_n=min_n)
    overall = float(100 * x.sum() / n.sum())
    return ShrinkageResult(table=table, prior=prior, overall=overall, by=keys,
                           set_aside=set_aside, min_n=int(min_n), warnings=warnings)


def _given_prior(prior) -> BetaPrior:
    if isinstance(prior, BetaPrior):
        return prior
    try:
        alpha, beta = (float(v) for v in prior)
    except (TypeError, ValueError):
        alpha = beta = float("nan")
    if not (np.isfinite(alpha) and np.isfinite(beta) and alpha > 0 and beta > 0):
        raise ParameterError(
            f"prior must be a BetaPrior or two positive numbers (alpha, beta); got {prior!r}."
        )
    return BetaPrior(alpha=alpha, beta=beta, mean=100 * alpha / (alpha + beta),
                     precision=alpha + beta)


def _posterior_table(counts: pd.DataFrame, keys: list[str], prior: BetaPrior, *,
                     conf: float, min_n: int) -> pd.DataFrame:
    x = counts["satisfied"].to_numpy(dtype=float)
    n = counts["n"].to_numpy(dtype=float)
    overall = x.sum() / n.sum()
    a, b = prior.alpha + x, prior.beta + n - x
    tail = (1 - conf) / 2
    table = counts[keys].reset_index(drop=True).copy()
    table["n"] = n.astype(int)
    table["satisfied"] = x.astype(int)
    low, high = stats.proportion_interval(x, n, conf=conf)
    table["raw"], table["raw_ci_low"], table["raw_ci_high"] = 100 * x / n, 100 * low, 100 * high
    table["estimate"] = 100 * a / (a + b)
    table["ci_low"] = 100 * _st.beta.ppf(tail, a, b)
    table["ci_high"] = 100 * _st.beta.ppf(1 - tail, a, b)
    table["shrinkage"] = prior.precision / (prior.precision + n)
    table["prob_above_average"] = _st.beta.sf(overall, a, b)
    table["small_n"] = n < min_n
    eligible = ~table["small_n"]
    rank = table["estimate"].where(eligible).rank(ascending=False, method="min")
    table["rank"] = pd.array(rank, dtype="Int64")
    # "above"/"below" across k groups: Bonferroni-adjusted posterior interval (level
    # 1 - (1 - conf) / k), so that with 25 agents chance alone rarely flags one.
    k = max(1, len(table))
    flag_low = 100 * _st.beta.ppf(tail / k, a, b)
    flag_high = 100 * _st.beta.ppf(1 - tail / k, a, b)
    table["vs_overall"] = np.where(
        flag_low > 100 * overall, "above",
        np.where(flag_high < 100 * overall, "below", "not distinguishable"))
    table["conf"] = conf
    table["method"] = _METHOD_NAME
    ranked = table[eligible].sort_values(["rank", *keys], kind="stable")
    unranked = table[~eligible].sort_values(keys, kind="stable")
    return pd.concat([ranked, unranked]).reset_index(drop=True)


def _check_groups(counts: pd.DataFrame, keys: list[str], need_two: bool = True) -> None:
    empty = counts["n"] == 0
    if empty.any():
        names = [" / ".join(map(str, v)) for v in counts.loc[empty, keys].itertuples(index=False)]
        raise DataError(
            f"Group(s) without answers (n = 0): {show_values(names)}. Drop them, or check "
            "the count column."
        )
    if need_two and len(counts) < 2:
        only = " / ".join(map(str, counts[keys].iloc[0]))
        raise DataError(
            f"Only one group ({only}) has answers: shrinkage compares groups and needs at "
            f"least two. Group by a column with several values, or use csat_toolkit.csat "
            "for a single rate."
        )


def _group_counts(data: pd.DataFrame, keys: list[str], *, outcome: str, scale,
                  count: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Satisfied and answers per group, and the rows set aside by reason."""
    require_columns(data, keys, "Group column(s) {missing} not found. Available columns: "
                    "{found}. Pass the right name, for example by='agent'.")
    reasons: dict[str, int] = {}
    if count is not None:
        require_columns(data, [outcome, count], "Column(s) {missing} not found; columns are "
                        "{found}. With count=..., outcome= names the satisfied count and "
                        "count= the number of answers of each row.")
        rows = data[keys].copy()
        successes = pd.to_numeric(data[outcome], errors="coerce")
        trials = pd.to_numeric(data[count], errors="coerce")
        bad = (successes.isna() | trials.isna() | (successes < 0) | (successes > trials)
               | (successes != successes.round()) | (trials != trials.round()))
        _count_reason(reasons, bad, "counts not whole numbers with 0 <= satisfied <= n")
        rows["satisfied"], rows["n"] = successes, trials
    elif outcome in data.columns:
        rows = data[keys].copy()
        value = data[outcome]
        numeric = pd.to_numeric(value.astype(object).replace({True: 1, False: 0}),
                                errors="coerce")
        missing = value.isna()
        _count_reason(reasons, missing, f"missing {outcome}")
        bad = ~missing & ~numeric.isin([0, 1])
        _count_reason(reasons, bad, f"{outcome} not 0/1")
        bad = bad | missing
        rows["satisfied"], rows["n"] = numeric, 1.0
    else:
        scale = get_scale(scale, survey="csat")
        require_columns(data, ["score"], f"No {outcome!r} column and no 'score' column. "
                        "Columns are {found}. Load answers with csat_toolkit.load_responses, "
                        f"or pass outcome='<0/1 column>'.")
        data = select_survey(data, scale.survey)
        score = pd.to_numeric(data["score"], errors="coerce")
        missing = score.isna()
        _count_reason(reasons, missing, "missing score")
        off = ~missing & ~score.isin(scale.points)
        _count_reason(reasons, off, f"score not on the {scale.name} scale")
        bad = missing | off
        rows = data[keys].copy()
        rows["satisfied"] = scale.is_positive(score.to_numpy()).astype(float)
        rows["n"] = 1.0
    no_key = rows[keys].isna().any(axis=1) & ~bad
    _count_reason(reasons, no_key, f"missing {' / '.join(keys)}")
    rows = rows[~(bad | no_key)]
    counts = rows.groupby(keys, observed=True, sort=True)[["satisfied", "n"]].sum().reset_index()
    set_aside = pd.DataFrame({"reason": list(reasons), "rows": list(reasons.values())})
    return counts, set_aside.astype({"rows": int})


def _count_reason(reasons: dict[str, int], mask: pd.Series, reason: str) -> None:
    total = int(np.asarray(mask).sum())
    if total:
        reasons[reason] = reasons.get(reason, 0) + total


# --- funnel plots ---------------------------------------------------------------------


FUNNEL_METHODS = {"exact": "exact binomial quantiles with interpolation (Spiegelhalter 2005, A.1.1)",
                  "normal": "normal approximation (Spiegelhalter 2005)"}


def _check_p0(p0: float) -> float:
    if not isinstance(p0, (int, float, np.floating, np.integer)) or not 0 < p0 < 1:
        raise ParameterError(
            f"p0 is the overall rate as a proportion strictly between 0 and 1 (74% is 0.74); "
            f"got {p0!r}. From shrunken_rates use result.overall / 100."
        )
    return float(p0)


def _check_levels(levels) -> tuple[float, ...]:
    levels = tuple(float(v) for v in np.atleast_1d(levels))
    if not levels or any(not 0 < v < 1 for v in levels):
        raise ParameterError(
            f"levels must be coverage levels between 0 and 1, such as (0.95, 0.998); got {levels!r}."
        )
    return levels


def _limits(p0: float, n: np.ndarray, level: float, method: str, phi: float):
    """Lower and upper control limits (proportions) around ``p0`` for sample sizes ``n``."""
    tail = (1 - level) / 2
    if method == "normal":
        half = _st.norm.ppf(1 - tail) * np.sqrt(phi * p0 * (1 - p0) / n)
        low, high = p0 - half, p0 + half
    else:
        low = _exact_limit(p0, n, tail)
        high = 1.0 - _exact_limit(1.0 - p0, n, tail)  # the same rule on the other outcome
        low, high = p0 + np.sqrt(phi) * (low - p0), p0 + np.sqrt(phi) * (high - p0)
    return np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)


def _exact_limit(p0: float, n: np.ndarray, p: float) -> np.ndarray:
    """Lower limit of Spiegelhalter (2005) A.1.1: r_p = smallest r with P(R <= r) >= p,
    then ``(r_p - a) / n`` with ``a = (P(R <= r_p) - p) / P(R = r_p)``, in
    ``((r_p - 1) / n, r_p / n]``: a rate falls below it exactly when P(R <= r) < p."""
    r = _st.binom.ppf(p, n, p0)
    a = (_st.binom.cdf(r, n, p0) - p) / _st.binom.pmf(r, n, p0)
    return (r - a) / n


def funnel_limits(
    p0: float,
    n_max: int,
    *,
    levels: Sequence[float] = (0.95, 0.998),
    n_points: int = 200,
    method: str = "exact",
    phi: float = 1.0,
) -> pd.DataFrame:
    """Funnel-plot control limits around a rate for sample sizes 1 to ``n_max``.

    ``exact`` limits are binomial quantiles made continuous by Spiegelhalter's (2005,
    appendix A.1.1) interpolation. The lower limit is his interpolated ``(1 - level) /
    2`` quantile of the satisfied count; the upper limit is the same rule applied to
    the count of the other outcome (mirrored), so that the limits are symmetric for
    ``p0 = 0.5`` and a group falls outside exactly when its one-sided exact binomial
    p-value is below ``(1 - level) / 2``. (Interpolating the upper quantile of the
    satisfied count directly puts the upper limit up to one answer too low: with
    ``n = 1`` and ``p0 = 0.5`` a single satisfied answer would lie outside the 95%
    limits; see Manktelow and Seaton 2012, PLoS ONE 7, e45723, on interpolation
    choices.) ``normal`` limits are ``p0 +- z sqrt(p0 (1 - p0) /
    n)``. The default levels 95% and 99.8% are about 2 and 3 standard deviations, as
    in Spiegelhalter (2005). With an over-dispersion factor ``phi > 1`` the distance
    of each limit from ``p0`` is multiplied by ``sqrt(phi)`` (section 3).

    Parameters
    ----------
    p0 : float
        The overall rate as a proportion (0.74 for 74%).
    n_max : int
        Largest sample size (answers) to draw the limits to.
    levels : sequence of float
    n_points : int
        Number of sample sizes, spread evenly on a log scale (all of 1..n_max when
        there are fewer).
    method : {"exact", "normal"}
    phi : float
        Multiplicative over-dispersion factor (1 = none); see :func:`overdispersion`.

    Returns
    -------
    DataFrame
        Columns ``n``, ``level``, ``low``, ``high`` (%), ``method``; one row per
        level and sample size.

    Examples
    --------
    >>> limits = funnel_limits(0.5, 10, levels=[0.95])
    >>> limits[limits["n"] == 10][["low", "high"]].round(3).values.tolist()
    [[13.244, 86.756]]
    """
    p0 = _check_p0(p0)
    levels = _check_levels(levels)
    if method not in FUNNEL_METHODS:
        raise ParameterError(f"Unknown method {method!r}; use 'exact' or 'normal'.")
    if not isinstance(n_max, (int, np.integer)) or n_max < 1:
        raise ParameterError(f"n_max must be a whole number of answers, 1 or more; got {n_max!r}.")
    if not isinstance(n_points, (int, np.integer)) or n_points < 2:
        raise ParameterError(f"n_points must be a whole number, 2 or more; got {n_points!r}.")
    if not np.isfinite(phi) or phi <= 0:
        raise ParameterError(f"phi must be a positive number (1 = no over-dispersion); got {phi!r}.")
    sizes = (np.arange(1, n_max + 1, dtype=float) if n_max <= n_points
             else np.unique(np.round(np.geomspace(1, n_max, n_points))))
    parts = []
    for level in levels:
        low, high = _limits(p0, sizes, level, method, phi)
        parts.append(pd.DataFrame({"n": sizes.astype(int), "level": level,
                                   "low": 100 * low, "high": 100 * high}))
    out = pd.concat(parts, ignore_index=True)
    out["method"] = FUNNEL_METHODS[method] + (f", over-dispersion phi = {phi:.3g}" if phi != 1 else "")
    return out


def overdispersion(successes, n, p0: float | None = None, *, trim: float = 0.1) -> dict:
    """Multiplicative over-dispersion factor of grouped rates (Spiegelhalter 2005, s. 3).

    Standardised Pearson residuals ``z = (x/n - p0) / sqrt(p0 (1 - p0) / n)`` are
    Winsorised (the ``trim`` share at each end set to the ``trim`` and ``1 - trim``
    quantiles, as in Spiegelhalter's 10% Winsorisation), and ``phi = mean(z^2)``.
    Without over-dispersion ``phi`` is about 1; ``I * phi`` (unwinsorised) is tested
    against chi-square with ``I - 1`` degrees of freedom when ``p0`` is the pooled
    rate (``I`` otherwise).

    Returns
    -------
    dict
        ``phi`` (Winsorised), ``phi_raw``, ``statistic``, ``df``, ``p_value``,
        ``groups``.

    Examples
    --------
    >>> out = overdispersion([10, 20, 30], [50, 50, 50], trim=0)
    >>> round(out["phi"], 4), out["df"]
    (5.5556, 2)
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    estimated = p0 is None
    p0 = _check_p0(float(x.sum() / n.sum()) if estimated else p0)
    if not 0 <= trim < 0.5:
        raise ParameterError(f"trim must be between 0 and 0.5 (0.1 = 10% at each end); got {trim!r}.")
    z = (x / n - p0) / np.sqrt(p0 * (1 - p0) / n)
    if trim > 0:
        low, high = np.quantile(z, [trim, 1 - trim])
        z_w = np.clip(z, low, high)
    else:
        z_w = z
    statistic = float(np.sum(z**2))
    df = len(z) - 1 if estimated else len(z)
    return {"phi": float(np.mean(z_w**2)), "phi_raw": statistic / len(z),
            "statistic": statistic, "df": int(df),
            "p_value": float(_st.chi2.sf(statistic, df)) if df > 0 else float("nan"),
            "groups": int(len(z))}


def funnel_table(
    result: ShrinkageResult,
    *,
    levels: Sequence[float] = (0.95, 0.998),
    method: str = "exact",
    adjust_overdispersion: bool = False,
    trim: float = 0.1,
) -> pd.DataFrame:
    """Which groups fall outside the funnel around the overall rate.

    Each group's raw rate is compared with the control limits at its own number of
    answers (:func:`funnel_limits`). The over-dispersion factor ``phi``
    (:func:`overdispersion`) is always reported; with ``adjust_overdispersion=True``
    and ``phi > 1`` the limits are widened by ``sqrt(phi)``, so that only groups that
    stand out from the ordinary spread between groups are flagged.

    Parameters
    ----------
    result : ShrinkageResult
        From :func:`shrunken_rates` (its counts and overall rate are used).
    levels, method
        As in :func:`funnel_limits`.
    adjust_overdispersion : bool
        Widen the limits by the Winsorised ``phi`` when it exceeds 1.
    trim : float
        Winsorisation share at each end for ``phi``.

    Returns
    -------
    DataFrame
        One row per group: the keys, ``n``, ``satisfied``, ``raw`` (%), ``expected``
        (overall rate, %), ``z`` (standardised residual), for each level ``low_<L>``,
        ``high_<L>`` (limits at the group's n, %) and ``outside_<L>`` (bool), where
        ``<L>`` is the level in percent (``95``, ``99_8``), then ``phi``,
        ``phi_p_value``, ``phi_applied``, ``method``.

    Examples
    --------
    >>> counts = pd.DataFrame({"agent": list("ABCD"), "satisfied": [2, 8, 5, 9],
    ...                        "n": [20, 20, 20, 20]})
    >>> table = funnel_table(shrunken_rates(counts, count="n", min_n=10))
    >>> table[["agent", "raw", "outside_95"]].values.tolist()
    [['A', 10.0, False], ['B', 40.0, False], ['C', 25.0, False], ['D', 45.0, False]]
    """
    if not isinstance(result, ShrinkageResult):
        raise ParameterError("funnel_table needs the result of shrunken_rates(...).")
    levels = _check_levels(levels)
    if method not in FUNNEL_METHODS:
        raise ParameterError(f"Unknown method {method!r}; use 'exact' or 'normal'.")
    keys = result.by
    table = result.table.sort_values(keys, kind="stable").reset_index(drop=True)
    out = table[keys + ["n", "satisfied", "raw"]].copy()
    if not 0 < result.overall < 100:
        raise DataError(
            f"The overall rate is {result.overall:g}%: every answer has the same outcome, so "
            "there is no spread to draw a funnel around."
        )
    p0 = result.overall / 100
    n = out["n"].to_numpy(dtype=float)
    rate = out["satisfied"].to_numpy(dtype=float) / n
    out["expected"] = 100 * p0
    out["z"] = (rate - p0) / np.sqrt(p0 * (1 - p0) / n)
    dispersion = overdispersion(out["satisfied"], n, trim=trim)
    applied = bool(adjust_overdispersion and dispersion["phi"] > 1)
    phi = dispersion["phi"] if applied else 1.0
    for level in levels:
        low, high = _limits(p0, n, level, method, phi)
        name = f"{100 * level:g}".replace(".", "_")
        out[f"low_{name}"], out[f"high_{name}"] = 100 * low, 100 * high
        out[f"outside_{name}"] = (rate < low) | (rate > high)
    out["phi"] = dispersion["phi"]
    out["phi_p_value"] = dispersion["p_value"]
    out["phi_applied"] = applied
    out["method"] = FUNNEL_METHODS[method] + (
        f", limits widened by over-dispersion phi = {phi:.3g}" if applied else "")
    return out


def shown_groups(table: pd.DataFrame, *, limit: int = 30, noun: str = "groups"
                 ) -> tuple[pd.DataFrame, str | None]:
    """The rows of a comparison table worth showing when there are too many to chart.

    Groups flagged above or below the overall rate come first, then those with the most
    answers, up to ``limit`` rows, kept in the table's order; the sentence says how many
    are left out (``None`` when every group is shown). Charts and tables then stay the
    same size for ten agents or a hundred thousand.

    Parameters
    ----------
    table : DataFrame
        :attr:`ShrinkageResult.table` (``n`` and, optionally, ``vs_overall``).
    limit : int
        Most rows shown (1 or more).
    noun : str
        What a group is, for the sentence (``"agents"``).

    Returns
    -------
    (DataFrame, str or None)

    Examples
    --------
    >>> t = pd.DataFrame({"agent": list("ABCDE"), "n": [50, 40, 30, 20, 10],
    ...                   "vs_overall": ["not distinguishable"] * 4 + ["below"]})
    >>> rows, sentence = shown_groups(t, limit=3, noun="agents")
    >>> rows["agent"].tolist()
    ['A', 'B', 'E']
    >>> sentence
    'Showing 3 of 5 agents: those flagged above or below the overall rate, then those with the most answers; 2 are left out of the chart and table (all are in the CSV file).'
    """
    if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
        raise ParameterError(f"limit must be a whole number of rows, 1 or more; got {limit!r}.")
    require_columns(table, ["n"], "shown_groups needs the column {missing}; columns found: "
                    "{found}. Pass ShrinkageResult.table.")
    if len(table) <= limit:
        return table, None
    flagged = (table["vs_overall"].isin(["above", "below"]) if "vs_overall" in table
               else pd.Series(False, index=table.index))
    order = pd.DataFrame({"flagged": ~flagged.to_numpy(), "n": -table["n"].to_numpy(),
                          "position": np.arange(len(table))}).sort_values(
        ["flagged", "n", "position"], kind="stable")
    keep = np.sort(order["position"].to_numpy()[:limit])
    sentence = (f"Showing {limit:,} of {len(table):,} {noun}: those flagged above or below the "
                "overall rate, then those with the most answers; "
                f"{len(table) - limit:,} are left out of the chart and table (all are in the "
                "CSV file).")
    return table.iloc[keep], sentence


def fair_comparison(
    data: pd.DataFrame,
    by: str,
    *,
    outcome: str = "satisfied",
    scale: str | Scale | None = None,
    conf: float = 0.95,
    min_n: int = 30,
    where: str = "the answers",
) -> tuple[ShrinkageResult | None, str | None]:
    """:func:`shrunken_rates` by one column, or the sentence saying why it cannot run.

    The comparison is skipped (``(None, sentence)``) when ``by`` is not a column (the
    sentence names the nearest one), or has fewer than two values among the answers (a
    single agent or channel has nobody to be compared with).

    Returns
    -------
    (ShrinkageResult or None, str or None)

    Examples
    --------
    >>> answers = pd.DataFrame({"agent": ["A"] * 4, "score": [5, 4, 2, 5]})
    >>> fair_comparison(answers, "agent")[1]
    "Column 'agent' has one value only in the answers ('A'): nobody to compare with, the comparison by agent is skipped."
    >>> fair_comparison(answers, "agnt")[1]
    "Column 'agnt' is not in the answers (nearest: 'agent'): the comparison by agnt is skipped."
    """
    from ..io.tables import resolve_columns

    check = resolve_columns({"by": by}, data, where=where)
    if len(check.missing):
        nearest = check.missing["nearest"].iloc[0]
        hint = f" (nearest: {nearest!r})" if isinstance(nearest, str) else ""
        return None, f"Column {by!r} is not in {where}{hint}: the comparison by {by} is skipped."
    values = data[by].dropna().unique()
    if len(values) < 2:
        shown = f" ({values[0]!r})" if len(values) else ""
        return None, (f"Column {by!r} has {'one value only' if len(values) else 'no values'} in "
                      f"{where}{shown}: nobody to compare with, the comparison by {by} is skipped.")
    return shrunken_rates(data, by=by, outcome=outcome, scale=scale, conf=conf, min_n=min_n), None
