"""Survey non-response: who answers, CSAT reweighted to the ticket population, and
transparent predicted satisfaction for tickets without an answer.

Three questions, one function each:

- :func:`response_rates`: what share of the tickets that could be surveyed got an
  answer, per segment, with Wilson intervals and a chi-square test of equal rates.
- :func:`poststratify`: CSAT reweighted so that every cell (channel, priority ...)
  counts as much as its share of the ticket population, beside the raw figure.
- :func:`predict_nonrespondents` (in ``prediction``, re-exported here): a logistic model of satisfaction on ticket features,
  fitted on answered tickets, predicts the unanswered ones ("predictive CSAT", but
  with its coefficients, held-out calibration and assumption in plain view).

Inputs are the ticket population (one row per ticket, ``ticket_id`` unique) and the
survey answers (one row per answer, carrying the ``ticket_id`` of the ticket it
follows). Only some tickets are offered a survey (in the sample data, resolved
tickets): say which with ``eligible=``, a True/False column of the tickets.

Every ticket and answer is accounted for: the ``accounting`` table (``item``,
``rows``) lists what was read, used and set aside and why, e.g. answers whose ticket
is not in the ticket table, or a second answer to the same ticket (the first is kept).

References
----------
- Holt, D. and Smith, T. M. F. (1979). Post-stratification. JRSS A 142(1), 33-46;
  Cochran, W. G. (1977). Sampling Techniques, 3rd ed., section 5A.9 (variance of a
  post-stratified proportion, ``sum W_c^2 p_c (1 - p_c) / n_c``).
- Kish, L. (1965). Survey Sampling. Wiley (effective sample size).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats as _st

from .. import errors
from ..core import stats
from ..core.display import result_html
from ..core.scales import Scale
from ..core.tally import as_keys
from ..errors import DataError, ParameterError, show_values
from ._common import _accounting_text, _match
from .prediction import (HosmerLemeshow, PredictedCsat, calibration_table, hosmer_lemeshow,
                         predict_nonrespondents, roc_auc)

__all__ = [
    "response_rates",
    "response_rate_test",
    "RateTest",
    "poststratify",
    "PostStratResult",
    "predict_nonrespondents",
    "PredictedCsat",
    "hosmer_lemeshow",
    "HosmerLemeshow",
    "roc_auc",
    "calibration_table",
    "COLLAPSE",
    "NonresponseReport",
    "nonresponse_report",
]

COLLAPSE = ("pool", "other")
OTHER = "other"  # label of pooled cells and levels


# --- response rates -------------------------------------------------------------------


class RateTest(NamedTuple):
    """Pearson chi-square test that every segment has the same response rate."""

    statistic: float
    df: int
    p_value: float
    method: str
    note: str


def response_rate_test(rates: pd.DataFrame) -> RateTest:
    """Pearson chi-square test of equal response rates across the rows of a rates table.

    The rows' ``answered`` and ``tickets - answered`` counts form a segments x 2 table;
    no continuity correction (``scipy.stats.chi2_contingency(..., correction=False)``).

    Examples
    --------
    >>> rates = pd.DataFrame({"tickets": [100, 100], "answered": [60, 40]})
    >>> r = response_rate_test(rates)
    >>> round(r.statistic, 3), r.df, round(r.p_value, 4)
    (8.0, 1, 0.0047)
    """
    method = "Pearson chi-square test of equal response rates"
    errors.require_columns(rates, ["tickets", "answered"],
                           "The rates table needs {missing}; pass a table from response_rates().")
    answered = rates["answered"].to_numpy(dtype=float)
    table = np.column_stack([answered, rates["tickets"].to_numpy(dtype=float) - answered])
    if len(table) < 2:
        return RateTest(np.nan, 0, np.nan, method, "one segment: nothing to compare")
    if (table.sum(axis=0) == 0).any():
        return RateTest(np.nan, len(table) - 1, np.nan, method,
                        "every ticket answered, or none: the rates cannot differ")
    result = _st.chi2_contingency(table, correction=False)
    small = (result.expected_freq < 5).any()
    note = ("some expected counts are below 5: the chi-square approximation is rough"
            if small else "")
    return RateTest(float(result.statistic), int(result.dof), float(result.pvalue), method, note)


def response_rates(
    tickets: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    by: str | list[str] | None = None,
    on: str = "ticket_id",
    eligible: str | None = None,
    conf: float = 0.95,
    min_n: int = 30,
) -> pd.DataFrame:
    """Share of eligible tickets with at least one answer, per segment.

    A ticket counts as answered when any answer (of any survey) carries its id: to
    count one survey only, pass only its answers.

    Parameters
    ----------
    tickets : DataFrame
        One row per ticket, with ``on`` and the ``by`` columns.
    responses : DataFrame
        One row per answer, with ``on``.
    by : str or list of str, optional
        Ticket columns to split by; missing values form their own segment.
    on : str
        The ticket id column of both frames.
    eligible : str, optional
        A True/False column of the tickets: which tickets were offered a survey (for
        example resolved ones). Tickets with False are left out and counted.
    conf : float
        Confidence level of the Wilson intervals.
    min_n : int
        Segments with fewer eligible tickets are flagged ``small_n``.

    Returns
    -------
    DataFrame
        One row per segment: the ``by`` keys, ``tickets`` (eligible), ``answered``,
        ``estimate`` (response rate, %), ``ci_low``, ``ci_high``, ``conf``, ``method``,
        ``small_n``. Two plain dictionaries ride along in ``.attrs`` (read them straight
        after the call: pandas may drop attrs in later operations):
        ``attrs["accounting"]`` maps each accounting item (tickets read, used, not
        eligible; answers read, set aside by reason, used) to its row count, and
        ``attrs["test"]`` is :func:`response_rate_test` of the table as a dict.

    Examples
    --------
    >>> tickets = pd.DataFrame({"ticket_id": [1, 2, 3, 4, 5],
    ...                         "channel": ["chat", "chat", "email", "email", "email"]})
    >>> responses = pd.DataFrame({"ticket_id": [1, 3, 3, 9]})
    >>> rates = response_rates(tickets, responses, by="channel", min_n=1)
    >>> rates[["channel", "tickets", "answered", "estimate"]].round(1).values.tolist()
    [['chat', 2, 1, 50.0], ['email', 3, 1, 33.3]]
    >>> rates.attrs["accounting"]["answers set aside: ticket_id not in the ticket table"]
    1
    >>> rates.attrs["accounting"]["answers set aside: another answer to the same ticket came first"]
    1
    """
    keys = as_keys(by)
    matched = _match(tickets, responses, on=on, eligible=eligible, columns=keys)
    frame = matched.tickets
    if frame.empty:
        raise DataError(_no_tickets_message(eligible))
    answered = (frame["_answers"] > 0).to_numpy()
    if keys:
        parts = pd.DataFrame({k: frame[k].to_numpy() for k in keys})
        parts["answered"] = answered
        table = (parts.groupby(keys, dropna=False, sort=True, observed=True)["answered"]
                 .agg(tickets="size", answered="sum").reset_index())
    else:
        table = pd.DataFrame({"tickets": [len(frame)], "answered": [int(answered.sum())]})
    table["tickets"] = table["tickets"].astype(int)
    table["answered"] = table["answered"].astype(int)
    low, high = stats.proportion_interval(table["answered"], table["tickets"], conf=conf)
    table["estimate"] = 100 * table["answered"] / table["tickets"]
    table["ci_low"], table["ci_high"] = 100 * np.asarray(low), 100 * np.asarray(high)
    table["conf"] = conf
    table["method"] = "Wilson score"
    table["small_n"] = table["tickets"] < min_n
    table.attrs["accounting"] = dict(zip(matched.accounting["item"],
                                         matched.accounting["rows"].astype(int).tolist()))
    table.attrs["test"] = response_rate_test(table)._asdict()
    return table


def _no_tickets_message(eligible: str | None) -> str:
    hint = (f" No ticket has {eligible} = True: check the eligible column."
            if eligible else "")
    return "No tickets to analyse: the ticket table has no usable rows." + hint


# --- post-stratification --------------------------------------------------------------


@dataclass(frozen=True)
class PostStratResult:
    """Outcome of :func:`poststratify`.

    Attributes
    ----------
    table : DataFrame
        Two rows, ``kind`` "raw" (share satisfied among the answers, Wilson) and
        "post-stratified": ``n`` (answers), ``tickets`` (eligible tickets N),
        ``cells`` (cells used after collapsing), ``n_eff`` (Kish effective n of the
        weights), ``estimate``, ``ci_low``, ``ci_high``, ``se`` (all in %),
        ``conf``, ``method``, ``small_n``.
    cells : DataFrame
        One row per cell of the ticket population: the cell keys, ``tickets``,
        ``answers``, ``satisfied``, ``share`` (% satisfied, NaN without answers),
        ``pop_share`` and ``answer_share`` (% of tickets / of answers), ``collapsed``
        and ``cell`` (the cell it was estimated in), ``weight`` (N/n of that cell:
        tickets each answer stands for).
    strata : DataFrame
        One row per cell used: ``cell``, ``tickets``, ``answers``, ``satisfied``,
        ``share``, ``pop_share``, ``weight``, ``contribution`` (pop share x share, %).
    accounting : DataFrame
        ``item``, ``rows``: tickets and answers read, used and set aside.
    cell_columns : tuple of str
    collapsed : tuple of str
        The cells (labels "email / urgent" ...) that had fewer than ``min_cell``
        answers and were pooled.
    warnings : tuple of str
    label : str
        How the summary names the outcome ("CSAT", or "Share <column>").
    """

    table: pd.DataFrame
    cells: pd.DataFrame
    strata: pd.DataFrame
    accounting: pd.DataFrame
    cell_columns: tuple[str, ...]
    collapsed: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    label: str = "CSAT"

    def summary(self) -> str:
        """One or two sentences: the post-stratified CSAT beside the raw one.

        Examples
        --------
        >>> tickets = pd.DataFrame({"ticket_id": range(1, 9),
        ...                         "channel": ["chat"] * 4 + ["email"] * 4})
        >>> responses = pd.DataFrame({"ticket_id": [1, 2, 3, 5], "score": [5, 5, 4, 1]})
        >>> print(poststratify(tickets, responses, cells=["channel"], min_cell=1).summary())
        CSAT post-stratified over channel to 8 tickets: 50.0% (95% CI 12.5-87.5%), against 75.0% raw (95% CI 30.1-95.4%, n = 4 answers), a difference of -25.0 points. 2 cells, none collapsed.
        """
        raw, post = self.table.iloc[0], self.table.iloc[1]
        width = f"{post['conf']:.0%} CI"
        text = (
            f"{self.label} post-stratified over {', '.join(self.cell_columns)} to "
            f"{int(post['tickets']):,} tickets: {post['estimate']:.1f}% ({width} "
            f"{post['ci_low']:.1f}-{post['ci_high']:.1f}%), against {raw['estimate']:.1f}% raw "
            f"({width} {raw['ci_low']:.1f}-{raw['ci_high']:.1f}%, n = {int(raw['n']):,} answers), "
            f"a difference of {post['estimate'] - raw['estimate']:+.1f} points. "
            f"{int(post['cells'])} cells, "
        )
        if not self.collapsed:
            return text + "none collapsed."
        return text + (f"{len(self.collapsed)} cell(s) with too few answers pooled: "
                       f"{show_values(self.collapsed, limit=4)} (each estimated in a wider "
                       "cell).")

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.table, warnings=self.warnings)


def poststratify(
    tickets: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    cells: list[str],
    on: str = "ticket_id",
    outcome: str = "satisfied",
    scale: str | Scale | None = None,
    eligible: str | None = None,
    conf: float = 0.95,
    min_cell: int = 5,
    collapse: str = "pool",
    fpc: bool = False,
    min_n: int = 30,
) -> PostStratResult:
    """CSAT post-stratified to the ticket population over the chosen cells.

    Each answer is weighted by ``N_c / n_c`` (eligible tickets / answers of its cell),
    so the estimate is ``sum_c W_c p_c`` with ``W_c = N_c / N``. This removes the bias
    of unequal response rates when, within a cell, those who answer are like those who
    do not (missing at random given the cells).

    Variance ``sum_c W_c^2 p_c (1 - p_c) / n_c`` (times ``1 - n_c / N_c`` with
    ``fpc=True``: the target is then the share among these very tickets, and a cell
    where every ticket answered has no sampling error). The interval is Wilson's at
    the effective n ``p (1 - p) / variance`` (Kish's effective n when the variance is
    0), so with one cell it equals the raw Wilson interval.

    Collapsing (cells with fewer than ``min_cell`` answers, including none):

    - ``collapse="pool"`` (default): small cells are pooled with the other small cells
      that share their values of all but the last cell column ("email / other" for
      ``cells=["channel", "priority"]``); a pooled cell still too small is pooled
      again one column up, and at the top all that remain form one cell "other".
    - ``collapse="other"``: every small cell goes straight into one cell "other".

    If "other" still has fewer than ``min_cell`` answers (and is not the only cell),
    it is merged into the cell with the most answers (ties: the first in sort order)
    and a warning says so. Every collapsed cell is listed in ``.collapsed`` and in
    ``.cells`` (column ``cell``); no ticket is dropped.

    Parameters
    ----------
    tickets, responses : DataFrame
        Tickets (with ``on`` and the ``cells`` columns) and answers (with ``on`` and
        ``score``, or a 0/1 ``outcome`` column).
    cells : list of str
        Ticket columns defining the cells; missing values form their own level.
    on : str
        The ticket id column of both frames.
    outcome : str
        ``"satisfied"``: the positive class of ``scale`` from ``score`` (answers of
        other surveys, by the ``survey`` column, are left out and counted); or the name
        of a 0/1 column of the answers.
    scale : str or Scale, optional
        Defaults to CSAT 1-5 (satisfied = 4-5).
    eligible : str, optional
        True/False ticket column: which tickets were offered the survey.
    conf, min_cell, collapse, fpc, min_n
        Confidence level; smallest number of answers a cell needs; collapsing rule;
        finite population correction; answers below ``min_n`` (Kish n for the
        post-stratified row) are flagged ``small_n``.

    Returns
    -------
    PostStratResult

    Examples
    --------
    >>> tickets = pd.DataFrame({"ticket_id": range(1, 9),
    ...                         "channel": ["chat"] * 4 + ["email"] * 4})
    >>> responses = pd.DataFrame({"ticket_id": [1, 2, 3, 5], "score": [5, 5, 4, 1]})
    >>> result = poststratify(tickets, responses, cells=["channel"], min_cell=1)
    >>> result.table[["kind", "n", "estimate"]].values.tolist()
    [['raw', 4, 75.0], ['post-stratified', 4, 50.0]]
    >>> result.cells[["channel", "tickets", "answers", "share", "weight"]].values.tolist()
    [['chat', 4, 3, 100.0, 1.3333333333333333], ['email', 4, 1, 0.0, 4.0]]
    """
    cell_columns = as_keys(cells)
    if not cell_columns:
        raise ParameterError("cells is empty: name the ticket columns to post-stratify over, "
                             "for example cells=['channel'].")
    if collapse not in COLLAPSE:
        raise ParameterError(f"collapse={collapse!r} is not a choice; use 'pool' (default) or "
                             "'other'.")
    if not isinstance(min_cell, (int, np.integer)) or min_cell < 1:
        raise ParameterError(f"min_cell must be a whole number of answers, 1 or more; got "
                             f"{min_cell!r}.")
    stats.z_value(conf)  # checks conf
    matched = _match(tickets, responses, on=on, eligible=eligible, columns=cell_columns,
                     outcome=outcome, scale=scale)
    frame = matched.tickets
    if frame.empty:
        raise DataError(_no_tickets_message(eligible))
    y = frame["_y"].to_numpy()
    if np.isnan(y).all():
        raise DataError(
            "No usable answer is linked to an eligible ticket, so there is nothing to "
            "reweight. Check the accounting: " + _accounting_text(matched.accounting)
        )
    cell_table = _cell_table(frame, cell_columns)
    labels, notes = _collapse(cell_table, cell_columns, min_cell, collapse)
    cell_table["cell"] = labels
    cell_table["collapsed"] = labels != cell_table["_label"]
    strata = _strata(cell_table)
    cell_table["weight"] = cell_table["cell"].map(strata.set_index("cell")["weight"])
    table = _poststrat_table(strata, conf=conf, fpc=fpc, min_n=min_n)
    collapsed = tuple(cell_table.loc[cell_table["collapsed"], "_label"])
    cells_out = cell_table.drop(columns="_label")
    return PostStratResult(table, cells_out, strata, matched.accounting, tuple(cell_columns),
                           collapsed, tuple(notes), matched.label)


def _cell_table(frame: pd.DataFrame, cell_columns: list[str]) -> pd.DataFrame:
    parts = pd.DataFrame({c: frame[c].to_numpy() for c in cell_columns})
    y = frame["_y"].to_numpy()
    parts["answers"] = ~np.isnan(y)
    parts["satisfied"] = np.nan_to_num(y, nan=0.0)
    grouped = parts.groupby(cell_columns, dropna=False, sort=True, observed=True)
    table = grouped.agg(tickets=("answers", "size"), answers=("answers", "sum"),
                        satisfied=("satisfied", "sum")).reset_index()
    table[["tickets", "answers"]] = table[["tickets", "answers"]].astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["share"] = 100 * table["satisfied"] / table["answers"].where(table["answers"] > 0)
    table["pop_share"] = 100 * table["tickets"] / table["tickets"].sum()
    table["answer_share"] = 100 * table["answers"] / table["answers"].sum()
    table["_label"] = [" / ".join(map(str, row))
                       for row in table[cell_columns].itertuples(index=False)]
    return table


def _collapse(table: pd.DataFrame, cell_columns: list[str], min_cell: int,
              how: str) -> tuple[np.ndarray, list[str]]:
    """The label of the cell each original cell is estimated in, and notes."""
    width = len(cell_columns)
    keys = [tuple(str(v) for v in row) for row in table[cell_columns].itertuples(index=False)]
    answers = table["answers"].to_numpy()
    group = list(keys)  # current group key of each original cell

    def totals() -> dict[tuple, int]:
        out: dict[tuple, int] = {}
        for g, n in zip(group, answers):
            out[g] = out.get(g, 0) + int(n)
        return out

    depths = range(width - 1, -1, -1) if how == "pool" else [0]
    for depth in depths:
        sums = totals()
        group = [g[:depth] + (OTHER,) * (width - depth) if sums[g] < min_cell else g
                 for g in group]
    notes: list[str] = []
    sums = totals()
    top = (OTHER,) * width
    if top in sums and sums[top] < min_cell and len(sums) > 1:
        rest = {g: n for g, n in sums.items() if g != top}
        target = max(sorted(rest), key=lambda g: rest[g])
        group = [target if g == top else g for g in group]
        notes.append(
            f"The pooled cell 'other' had only {sums[top]} answer(s) (fewer than "
            f"min_cell={min_cell}), so it was merged into the cell with the most answers, "
            f"'{_label(target)}': those tickets are assumed to answer like that cell."
        )
    if len(set(group)) == 1 and len(keys) > 1:
        notes.append("Every cell had too few answers: the post-stratified figure equals "
                     "the raw one. Use fewer cell columns or a smaller min_cell.")
    return np.array([_label(g) for g in group], dtype=object), notes


def _label(key: tuple) -> str:
    return OTHER if all(k == OTHER for k in key) else " / ".join(key)


def _strata(cell_table: pd.DataFrame) -> pd.DataFrame:
    grouped = cell_table.groupby("cell", sort=False)
    strata = grouped[["tickets", "answers", "satisfied"]].sum().reset_index()
    strata[["tickets", "answers"]] = strata[["tickets", "answers"]].astype(int)
    strata["share"] = 100 * strata["satisfied"] / strata["answers"]
    strata["pop_share"] = 100 * strata["tickets"] / strata["tickets"].sum()
    strata["weight"] = strata["tickets"] / strata["answers"]
    strata["contribution"] = strata["pop_share"] * strata["share"] / 100
    return strata


def _poststrat_table(strata: pd.DataFrame, *, conf: float, fpc: bool, min_n: int) -> pd.DataFrame:
    big_n = strata["tickets"].to_numpy(dtype=float)
    n = strata["answers"].to_numpy(dtype=float)
    x = strata["satisfied"].to_numpy(dtype=float)
    p_c = x / n
    w_c = big_n / big_n.sum()
    n_all, x_all = n.sum(), x.sum()
    # Raw: the unweighted share of the answers.
    raw_p = x_all / n_all
    raw_low, raw_high = stats.proportion_interval(x_all, n_all, conf=conf)
    # Post-stratified.
    estimate = float(np.sum(w_c * p_c))
    factor = (1 - n / big_n) if fpc else np.ones_like(n)
    variance = float(np.sum(w_c**2 * p_c * (1 - p_c) / n * factor))
    kish = float(big_n.sum() ** 2 / np.sum(big_n**2 / n))
    if variance > 0:
        n_design = estimate * (1 - estimate) / variance
        low, high = stats.proportion_interval(estimate * n_design, n_design, conf=conf)
    elif fpc and 0 < estimate < 1:  # every cell fully answered: a census
        low = high = estimate
    else:
        low, high = stats.proportion_interval(estimate * kish, kish, conf=conf)
    method = ("post-stratified (weights N_c/n_c); variance sum W_c^2 p_c(1-p_c)/n_c"
              + (" x (1 - n_c/N_c)" if fpc else "")
              + "; Wilson interval at the effective n p(1-p)/variance")
    rows = [
        ("raw", int(n_all), int(big_n.sum()), np.nan, n_all, raw_p, raw_low, raw_high,
         np.sqrt(raw_p * (1 - raw_p) / n_all), "Wilson score (unweighted answers)"),
        ("post-stratified", int(n_all), int(big_n.sum()), len(strata), kish, estimate, low,
         high, np.sqrt(variance), method),
    ]
    table = pd.DataFrame(rows, columns=["kind", "n", "tickets", "cells", "n_eff", "estimate",
                                        "ci_low", "ci_high", "se", "method"])
    for column in ("estimate", "ci_low", "ci_high", "se"):
        table[column] = 100 * table[column].astype(float)
    table["conf"] = conf
    table = table[["kind", "n", "tickets", "cells", "n_eff", "estimate", "ci_low", "ci_high",
                   "se", "conf", "method"]]
    table["small_n"] = table["n_eff"] < min_n
    return table


# --- the notebook section ------------------------------------------------------------


@dataclass
class NonresponseReport:
    """Everything the "who did not answer" section shows (see :func:`nonresponse_report`).

    Attributes
    ----------
    eligible : str
        How many tickets count as offered the survey.
    rates : DataFrame or None
        :func:`response_rates` by the cells found (overall without any).
    post : PostStratResult or None
        Post-stratified CSAT (``None`` without a usable cell column).
    predicted : PredictedCsat or None
        Predicted CSAT of non-respondents (``None`` without a usable feature).
    skipped : list of str
        Why a part was not computed (absent columns, with the nearest existing name).
    """

    eligible: str
    rates: pd.DataFrame | None
    post: PostStratResult | None
    predicted: PredictedCsat | None
    skipped: list[str] = field(default_factory=list)

    def findings(self) -> list[str]:
        """The post-stratified and predicted CSAT sentences (what was computed)."""
        return [r.summary() for r in (self.post, self.predicted) if r is not None]

    def summary(self) -> str:
        """Who counts as offered the survey, then the findings."""
        return " ".join([self.eligible, *self.findings()])

    def _repr_html_(self) -> str:
        warnings = [w for r in (self.post, self.predicted) if r is not None for w in r.warnings]
        return result_html([self.eligible, *self.findings()], self.rates, warnings=warnings,
                           notes=self.skipped)


def nonresponse_report(
    tickets: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    survey: str = "csat",
    cells: Sequence[str] = ("channel",),
    features: Sequence[str] = ("channel",),
    on: str = "ticket_id",
    scale: str | Scale | None = None,
    conf: float = 0.95,
    min_n: int = 30,
    seed: int = 0,
) -> NonresponseReport:
    """Response rates, post-stratified and predicted CSAT, with the parts that cannot run skipped.

    Eligible tickets are the resolved ones (all, without ``resolved_at``) that were not
    answered with another survey (a ticket offered CES is not a CSAT non-respondent).
    ``cells`` and ``features`` are checked against the ticket columns (derived ones
    included) by :func:`csat_toolkit.tables.resolve_columns`: an absent column is named
    with the nearest existing one; columns with one value (a single channel) cannot
    separate anyone and are left out with a sentence. Without a cell the rates are
    overall and there is no post-stratification; without a feature, no prediction.

    Parameters
    ----------
    tickets : DataFrame
        One row per ticket, with ``on``.
    responses : DataFrame
        Every answer read (all surveys), with ``on``, ``survey`` and ``score``.
    survey : str
        The survey whose non-respondents are studied.
    cells, features : list of str
        Ticket columns to post-stratify over and to predict satisfaction from.
    on, scale, conf, min_n, seed
        As in :func:`poststratify` and :func:`predict_nonrespondents`.

    Returns
    -------
    NonresponseReport

    Examples
    --------
    >>> tickets = pd.DataFrame({"ticket_id": [f"T{i}" for i in range(8)],
    ...                         "channel": ["chat", "email"] * 4, "team": ["a"] * 8})
    >>> answers = pd.DataFrame({"ticket_id": ["T0", "T1", "T2", "T5"], "survey": "csat",
    ...                         "score": [5, 2, 4, 1]})
    >>> report = nonresponse_report(tickets, answers, cells=["channel", "chanel"],
    ...                             features=[], min_n=1)
    >>> report.rates["estimate"].round(1).tolist()
    [50.0, 50.0]
    >>> report.skipped[0]
    "nonresponse_cells names 'chanel' (nearest: 'channel'), not a column of the tickets: it goes on with 'channel'. Map or derive the column, or change nonresponse_cells."
    """
    from ..io.tables import resolve_columns
    from ..core.metrics import select_survey

    if on not in responses.columns or on not in tickets.columns:
        where = "the answers" if on not in responses.columns else "the tickets"
        return NonresponseReport(eligible="", rates=None, post=None, predicted=None, skipped=[
            f"No column {on!r} (join_on) in {where}: answers cannot be tied to tickets, so "
            "the non-response analysis is skipped."])
    answers = select_survey(responses, survey) if "survey" in responses.columns else responses
    other = (responses.loc[responses["survey"] != survey, on].dropna()
             if "survey" in responses.columns else pd.Series(dtype=object))
    resolved = tickets["resolved_at"].notna() if "resolved_at" in tickets.columns else True
    eligible = tickets.assign(_eligible=resolved & ~tickets[on].isin(other))
    note = (f"Tickets counted as offered {survey.upper()}: {int(eligible['_eligible'].sum()):,} "
            f"of {len(tickets):,} (resolved, and not answered with another survey).")
    check = resolve_columns({"nonresponse_cells": list(cells),
                             "nonresponse_features": list(features)}, tickets,
                            where="the tickets", elsewhere={"the answers": responses.columns})
    skipped = check.sentences()
    usable = eligible[eligible["_eligible"]]
    varied = {c: usable[c].nunique(dropna=True) > 1 for c in {*check["nonresponse_cells"],
                                                              *check["nonresponse_features"]}}
    for c in sorted(c for c, ok in varied.items() if not ok):
        skipped.append(f"Ticket column {c!r} has one value only among the eligible tickets: "
                       "it cannot separate respondents from non-respondents, left out.")
    cells = [c for c in check["nonresponse_cells"] if varied[c]]
    features = [c for c in check["nonresponse_features"] if varied[c]]
    if answers.empty:
        skipped.append(f"No {survey.upper()} answers: the non-response analysis is skipped.")
        return NonresponseReport(eligible=note, rates=None, post=None, predicted=None,
                                 skipped=skipped)
    common = dict(on=on, eligible="_eligible", conf=conf)
    rates = response_rates(eligible, answers, by=cells or None, min_n=min_n, **common)
    post = predicted = None
    if cells:
        post = poststratify(eligible, answers, cells=cells, outcome="satisfied", scale=scale,
                            min_n=min_n, **common)
    else:
        skipped.append("No ticket column to post-stratify over (nonresponse_cells): the "
                       "post-stratified CSAT is skipped.")
    if features:
        predicted = predict_nonrespondents(eligible, answers, features=features,
                                           outcome="satisfied", scale=scale, seed=seed,
                                           min_n=min_n, **common)
    else:
        skipped.append("No ticket feature to predict from (nonresponse_features): the "
                       "predicted CSAT of non-respondents is skipped.")
    return NonresponseReport(eligible=note, rates=rates, post=post, predicted=predicted,
                             skipped=skipped)
