"""Do these items measure one thing? Cronbach's alpha and the index built from the items.

Surveys often ask several related questions (satisfaction overall, against expectations,
against an ideal, as the ACSI does) and average them into one index. Before averaging,
check that the items move together: Cronbach's alpha with Feldt's confidence interval,
each item's correlation with the rest (corrected item-total correlation) and alpha if the
item were dropped. Then the index per respondent, and its mean with a t interval.

Everything is computed from the items' covariance matrix, as R's ``psych::alpha`` does:
``missing="listwise"`` (default) uses the respondents who answered every item (the others
are set aside with a reason, counted); ``missing="pairwise"`` uses every pair of answers
(pingouin's default, ``psych::alpha(use = "pairwise")``).

References
----------
- Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
  Psychometrika 16, 297-334.
- Feldt, L. S., Woodruff, D. J. and Salih, F. A. (1987). Statistical inference for
  coefficient alpha. Applied Psychological Measurement 11(1), 93-103.
- Revelle, W. R package ``psych``, ``alpha`` (raw and standardised alpha, ``r.cor``,
  ``r.drop``, alpha if an item is dropped); Vallat, R. pingouin ``cronbach_alpha``.
- Fornell, C. et al. (1996). The American Customer Satisfaction Index. Journal of
  Marketing 60(4), 7-18 (three satisfaction items into a 0-100 index; the ACSI weights
  them by a PLS model, this module averages them with equal weights).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _st

from ..errors import DataError, ParameterError, require_columns, show_values
from .display import result_html
from .stats import mean_interval

__all__ = ["cronbach_alpha", "feldt_interval", "ReliabilityResult", "index_score", "IndexResult"]

MISSING = ("listwise", "pairwise")


@dataclass(frozen=True)
class ReliabilityResult:
    """Outcome of :func:`cronbach_alpha`.

    Attributes
    ----------
    alpha : float
        Cronbach's alpha (raw, from covariances).
    ci_low, ci_high : float
        Feldt's confidence interval.
    std_alpha : float
        Standardised alpha (from correlations: ``k r / (1 + (k - 1) r)``).
    n : int
        Respondents used (listwise: those who answered every item; pairwise: every row).
    k : int
        Items.
    conf : float
    missing : str
    items : DataFrame
        One row per item: ``item``, ``n`` (answers), ``mean``, ``sd``, ``r_total``
        (correlation with the total, the item included; psych ``raw.r``), ``r_drop``
        (with the total of the other items: the corrected item-total correlation; psych
        ``r.drop``) and ``alpha_if_dropped`` (psych ``raw_alpha`` of ``alpha.drop``).
    rejected : DataFrame
        Rows set aside (listwise), with ``source_index`` and ``reason``.
    """

    alpha: float
    ci_low: float
    ci_high: float
    std_alpha: float
    n: int
    k: int
    conf: float
    missing: str
    items: pd.DataFrame
    rejected: pd.DataFrame

    def summary(self) -> str:
        """Alpha with its interval, and which items hold it back.

        Examples
        --------
        >>> df = pd.DataFrame({"q1": [1, 2, 3, 4, 5], "q2": [1, 3, 3, 4, 5], "q3": [2, 2, 3, 5, 4]})
        >>> print(cronbach_alpha(df, ["q1", "q2", "q3"]).summary())
        Cronbach's alpha 0.95 (95% CI 0.72-0.99, 3 items, n = 5): the items measure one thing well (0.8 or more). Dropping would raise alpha: q3 (alpha 0.98 without it, item-rest r 0.81).
        """
        verdict = ("the items measure one thing well (0.8 or more)" if self.alpha >= 0.8
                   else "acceptable for an index (0.7 to 0.8)" if self.alpha >= 0.7
                   else "too low to average the items into one index (below 0.7)")
        text = (f"Cronbach's alpha {self.alpha:.2f} ({self.conf:.0%} CI {self.ci_low:.2f}-"
                f"{self.ci_high:.2f}, {self.k} items, n = {self.n:,}): {verdict}.")
        better = self.items[self.items["alpha_if_dropped"] > self.alpha]
        if better.empty:
            text += " No item raises alpha when dropped."
        else:
            listed = ", ".join(f"{row.item} (alpha {row.alpha_if_dropped:.2f} without it, "
                               f"item-rest r {row.r_drop:.2f})" for row in better.itertuples())
            text += f" Dropping would raise alpha: {listed}."
        if len(self.rejected):
            text += f" {len(self.rejected):,} respondents without every item set aside."
        return text

    def _repr_html_(self) -> str:
        method = (f"Cronbach's alpha with Feldt's interval; {self.missing} deletion of "
                  "missing answers")
        return result_html(self.summary(), self.items, method=method, conf=self.conf)


def feldt_interval(alpha: float, n: int, k: int, *, conf: float = 0.95) -> tuple[float, float]:
    """Feldt's confidence interval of Cronbach's alpha from ``n`` respondents and ``k`` items.

    ``1 - (1 - alpha) F_{1 - a/2}`` to ``1 - (1 - alpha) F_{a/2}`` with ``F`` the quantiles
    of the F distribution on ``n - 1`` and ``(n - 1)(k - 1)`` degrees of freedom
    (Feldt, Woodruff & Salih 1987; as pingouin ``cronbach_alpha``).

    Examples
    --------
    >>> low, high = feldt_interval(0.8016949152542374, 12, 11)
    >>> round(low, 3), round(high, 3)
    (0.581, 0.933)
    """
    if not 0 < conf < 1:
        raise ParameterError(f"conf must be between 0 and 1 (for example 0.95); got {conf!r}.")
    if n < 2 or k < 2:
        return float("nan"), float("nan")
    df1, df2 = n - 1, (n - 1) * (k - 1)
    a = 1 - conf
    return (float(1 - (1 - alpha) * _st.f.isf(a / 2, df1, df2)),
            float(1 - (1 - alpha) * _st.f.isf(1 - a / 2, df1, df2)))


def cronbach_alpha(data: pd.DataFrame, items: Sequence[str], *, conf: float = 0.95,
                   missing: str = "listwise") -> ReliabilityResult:
    """Cronbach's alpha of ``items`` with Feldt's interval, item-total correlations and
    alpha if each item is dropped.

    Parameters
    ----------
    data : DataFrame
        One row per respondent, one column per item (numbers; reverse-scored items must
        be reversed first).
    items : list of str
        The item columns, at least two.
    conf : float
        Confidence level of the interval.
    missing : {"listwise", "pairwise"}
        Respondents who skipped an item: set aside (default; counted in ``.rejected``),
        or kept, each covariance from the answers both items have.

    Returns
    -------
    ReliabilityResult

    Examples
    --------
    >>> df = pd.DataFrame({"q1": [1, 2, 3, 4, 5], "q2": [1, 3, 3, 4, 5], "q3": [2, 2, 3, 5, 4]})
    >>> result = cronbach_alpha(df, ["q1", "q2", "q3"])
    >>> round(result.alpha, 4), result.items["r_drop"].round(3).tolist()
    (0.9451, [0.97, 0.899, 0.809])
    """
    frame, rejected = _item_frame(data, items, missing)
    k = len(items)
    cov = frame.cov()  # pandas: pairwise complete observations
    if cov.isna().any().any():
        pairs = [f"{a} & {b}" for a in items for b in items if a < b and pd.isna(cov.loc[a, b])]
        raise DataError(
            f"Too few respondents answered both items of {show_values(pairs)} to relate them "
            "(at least two are needed). Collect more answers or leave one of the items out.")
    c = cov.to_numpy()
    alpha = _alpha(c)
    diagonal = np.diag(c)
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = c / np.sqrt(np.outer(diagonal, diagonal))
        mean_r = corr[np.triu_indices(k, 1)].mean()
        std_alpha = k * mean_r / (1 + (k - 1) * mean_r)
        total = c.sum()
        with_total = c.sum(axis=1)
        r_total = with_total / np.sqrt(diagonal * total)
        rest = with_total - diagonal
        r_drop = rest / np.sqrt(diagonal * (total - 2 * with_total + diagonal))
    dropped = [_alpha(np.delete(np.delete(c, i, 0), i, 1)) if k > 2 else float("nan")
               for i in range(k)]
    table = pd.DataFrame({"item": list(items), "n": frame.notna().sum().to_numpy(),
                          "mean": frame.mean().to_numpy(), "sd": np.sqrt(diagonal),
                          "r_total": r_total, "r_drop": r_drop, "alpha_if_dropped": dropped})
    n = len(frame)
    low, high = feldt_interval(alpha, n, k, conf=conf)
    return ReliabilityResult(alpha=float(alpha), ci_low=low, ci_high=high,
                             std_alpha=float(std_alpha), n=n, k=k, conf=conf, missing=missing,
                             items=table, rejected=rejected)


@dataclass(frozen=True)
class IndexResult:
    """Outcome of :func:`index_score`.

    Attributes
    ----------
    scores : Series
        The index of each respondent used (index of the input rows).
    table : DataFrame
        One row: ``n``, ``estimate`` (mean index), ``ci_low``, ``ci_high`` (t interval),
        ``sd``, ``conf``, ``method``, ``scale`` ("items" or "0-100").
    rejected : DataFrame
        Respondents set aside (an item missing), with ``source_index`` and ``reason``.
    """

    scores: pd.Series
    table: pd.DataFrame
    rejected: pd.DataFrame

    def summary(self) -> str:
        """The index with its interval.

        Examples
        --------
        >>> df = pd.DataFrame({"q1": [4, 5, 4, 4, 3, 5], "q2": [5, 5, 4, 3, 3, 4]})
        >>> print(index_score(df, ["q1", "q2"], scale=(1, 5)).summary())
        Index 77.1 on 0-100 (95% CI 57.8-96.4, n = 6 respondents; the mean of 2 items).
        """
        row = self.table.iloc[0]
        unit = " on 0-100" if row["scale"] == "0-100" else ""
        return (f"Index {row['estimate']:.1f}{unit} ({row['conf']:.0%} CI {row['ci_low']:.1f}-"
                f"{row['ci_high']:.1f}, n = {int(row['n']):,} respondents; the mean of "
                f"{int(row['items'])} items).")

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.table)


def index_score(data: pd.DataFrame, items: Sequence[str], *, scale: tuple[float, float] | None = None,
                conf: float = 0.95) -> IndexResult:
    """The index of several items per respondent (their mean) and its mean with a t interval.

    Parameters
    ----------
    data : DataFrame
        One row per respondent, one column per item.
    items : list of str
        The item columns (check them with :func:`cronbach_alpha` first).
    scale : (low, high), optional
        The items' scale ends: the index is then rescaled to 0-100
        (``100 (mean - low) / (high - low)``), as the ACSI reports.
    conf : float
        Confidence level.

    Returns
    -------
    IndexResult
        Respondents who skipped an item are set aside with a reason (``.rejected``).

    Examples
    --------
    >>> df = pd.DataFrame({"q1": [1, 5, 4, 4], "q2": [2, 5, 4, 3]})
    >>> index_score(df, ["q1", "q2"]).scores.tolist()
    [1.5, 5.0, 4.0, 3.5]
    """
    frame, rejected = _item_frame(data, items, "listwise")
    scores = frame.mean(axis=1)
    label = "items"
    if scale is not None:
        low, high = scale
        if not high > low:
            raise ParameterError(f"scale must be (low, high) with high above low; got {scale!r}.")
        outside = (frame < low) | (frame > high)
        if outside.any().any():
            bad = frame.to_numpy()[outside.to_numpy()].tolist()
            raise DataError(
                f"Item answers outside the scale {low:g}-{high:g}: {show_values(bad)}. Give the "
                "items' real scale ends, or load the answers with their scale.")
        scores = 100 * (scores - low) / (high - low)
        label = "0-100"
        bounds = (0.0, 100.0)
    else:
        bounds = (-np.inf, np.inf)
    n = len(scores)
    mean, sd = float(scores.mean()), float(scores.std(ddof=1)) if n > 1 else float("nan")
    ci_low, ci_high = mean_interval(mean, sd, n, conf=conf)
    ci_low, ci_high = (float(np.clip(v, *bounds)) for v in (ci_low, ci_high))  # 0-100 ends
    table = pd.DataFrame([{"n": n, "items": len(items), "estimate": mean, "ci_low": ci_low,
                           "ci_high": ci_high, "sd": sd, "conf": conf,
                           "method": "mean of the items per respondent; t interval",
                           "scale": label}])
    return IndexResult(scores=scores.rename("index"), table=table, rejected=rejected)


def _alpha(c: np.ndarray) -> float:
    k = c.shape[0]
    total = c.sum()
    return float(k / (k - 1) * (1 - np.trace(c) / total)) if total > 0 else float("nan")


def _item_frame(data: pd.DataFrame, items: Sequence[str], missing: str):
    items = list(items)
    if missing not in MISSING:
        raise ParameterError(f"missing must be 'listwise' or 'pairwise'; got {missing!r}.")
    if len(items) < 2 or len(set(items)) != len(items):
        raise ParameterError(
            f"Give at least two different item columns; got {show_values(items)}.")
    require_columns(data, items, "Item column(s) {missing} not found; the data has {found}. "
                                 "Name the item columns as they are in the data.")
    frame = data[items].apply(pd.to_numeric, errors="coerce")
    text = data[items].notna() & frame.isna()
    if text.any().any():
        column = text.any().idxmax()
        raise DataError(
            f"Item {column!r} holds values that are not numbers: "
            f"{show_values(data.loc[text[column], column].tolist())}. Map text answers to "
            "numbers first (e.g. with load_responses(labels=...)).")
    rejected = pd.DataFrame({"source_index": pd.Index([]), "reason": pd.Series([], dtype=object)})
    if missing == "listwise":
        incomplete = frame.isna().any(axis=1)
        if incomplete.any():
            reasons = frame[incomplete].isna().apply(
                lambda row: "no answer to item(s) " + ", ".join(row.index[row]), axis=1)
            rejected = pd.DataFrame({"source_index": frame.index[incomplete],
                                     "reason": reasons.to_numpy()})
        frame = frame[~incomplete]
    if len(frame) < 2:
        raise DataError(
            f"Only {len(frame)} respondent(s) answered every item of {show_values(items)}: "
            "at least two are needed. Use missing='pairwise' or collect more answers.")
    return frame, rejected
