"""Survey non-response: who answers, CSAT reweighted to the ticket population, and
transparent predicted satisfaction for tickets without an answer.

Three questions, one function each:

- :func:`response_rates`: what share of the tickets that could be surveyed got an
  answer, per segment, with Wilson intervals and a chi-square test of equal rates.
- :func:`poststratify`: CSAT reweighted so that every cell (channel, priority ...)
  counts as much as its share of the ticket population, beside the raw figure.
- :func:`predict_nonrespondents`: a logistic model of satisfaction on ticket features,
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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from pandas.api.types import is_bool_dtype, is_numeric_dtype
from scipy import stats as _st
from scipy.special import expit, logit

from .. import errors

from ..core import stats
from ..errors import DataError, ParameterError, show_values
from ..core.scales import Scale, get_scale
from ..core.tally import as_keys

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
# A text feature with more distinct values than this among the answered tickets looks
# like an id or a timestamp, not a category.
_MAX_LEVELS = 200


# --- matching answers to tickets ------------------------------------------------------


@dataclass(frozen=True)
class _Matched:
    """Eligible tickets with their answers, and the accounting of every row."""

    tickets: pd.DataFrame  # requested columns + _answers (count) + _y (outcome or NaN)
    accounting: pd.DataFrame
    survey: str | None
    label: str = "CSAT"  # how summaries name the outcome


def _match(
    tickets: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    on: str,
    eligible: str | None,
    columns: Sequence[str],
    outcome: str | None = None,
    scale: str | Scale | None = None,
) -> _Matched:
    for name, frame in (("tickets", tickets), ("responses", responses)):
        if not isinstance(frame, pd.DataFrame):
            raise ParameterError(
                f"{name} must be a pandas DataFrame; got {type(frame).__name__}. Read the "
                "file first, e.g. pd.read_csv(...) or csat_toolkit.load_responses(...).data."
            )
    needed = [on] + [c for c in columns if c != on] + ([eligible] if eligible else [])
    errors.require_columns(
        tickets, list(dict.fromkeys(needed)),
        "Ticket column(s) {missing} not found. Ticket columns: {found}. Pass the right "
        "name (on=..., eligible=..., by=/cells=/features=...) or rename the column.",
    )
    errors.require_columns(
        responses, [on],
        "The answers have no {missing} column to link them to tickets. Answer columns: "
        "{found}. Pass on='<the ticket id column>' or map it when loading.",
    )
    items: list[tuple[str, int]] = [("tickets read", len(tickets))]
    ids = _ids(tickets[on])
    missing_id = ids.isna().to_numpy()
    duplicate = (ids.duplicated() & ids.notna()).to_numpy()
    items += [(f"tickets set aside: missing {on}", int(missing_id.sum())),
              (f"tickets set aside: duplicate {on} (first kept)", int(duplicate.sum()))]
    keep = ~missing_id & ~duplicate
    if eligible:
        flag = _flag(tickets[eligible], eligible, "eligible", "which tickets were offered a survey")
        items.append((f"tickets not eligible ({eligible} is False)", int((keep & ~flag).sum())))
        keep &= flag
    items.append(("tickets used", int(keep.sum())))
    known = ids[~missing_id].to_numpy()
    eligible_ids = ids[keep].to_numpy()

    # Answers: the scope (survey), then their link to a ticket, then the outcome.
    answer_ids = _ids(responses[on])
    in_scope = np.ones(len(responses), dtype=bool)
    y = np.full(len(responses), np.nan)
    outcome_problem = pd.Series(None, index=responses.index, dtype=object)
    survey = None
    if outcome is not None:
        y, outcome_problem, in_scope, survey = _outcome(responses, outcome, scale)
    no_id = in_scope & answer_ids.isna().to_numpy()
    unknown = in_scope & ~no_id & ~answer_ids.isin(known).to_numpy()
    ineligible = in_scope & ~no_id & ~unknown & ~answer_ids.isin(eligible_ids).to_numpy()
    linked = in_scope & ~no_id & ~unknown & ~ineligible
    bad_outcome = linked & outcome_problem.notna().to_numpy()
    usable = linked & ~bad_outcome
    first = usable & ~answer_ids.where(usable).duplicated().to_numpy()
    extra = usable & ~first
    items.append(("answers read", len(responses)))
    if survey is not None:
        items.append((f"answers of other surveys (not {survey})", int((~in_scope).sum())))
    items += [(f"answers set aside: no {on}", int(no_id.sum())),
              (f"answers set aside: {on} not in the ticket table", int(unknown.sum())),
              ("answers set aside: ticket not eligible", int(ineligible.sum()))]
    for reason, count in outcome_problem[bad_outcome].value_counts(sort=False).sort_index().items():
        items.append((f"answers set aside: {reason}", int(count)))
    items += [("answers set aside: another answer to the same ticket came first",
               int(extra.sum())),
              ("answers used", int(first.sum()))]

    out = tickets.loc[keep, list(dict.fromkeys([on] + list(columns)))].copy()
    answers_per_ticket = answer_ids[linked].value_counts()
    out["_answers"] = ids[keep].map(answers_per_ticket).fillna(0).astype(int).to_numpy()
    outcome_by_ticket = pd.Series(y[first], index=answer_ids[first].to_numpy(), dtype=float)
    out["_y"] = ids[keep].map(outcome_by_ticket).astype(float).to_numpy()
    return _Matched(out, _accounting(items), survey, _outcome_label(outcome, survey))


def _outcome_label(outcome: str | None, survey: str | None) -> str:
    if survey is None:
        return f"Share {outcome}" if outcome else "Response rate"
    return {"csat": "CSAT", "ces": "CES (% easy)", "nps": "% promoters",
            "pmf": "PMF (% very disappointed)"}[survey]


def _accounting(items: list[tuple[str, int]]) -> pd.DataFrame:
    """Read/used lines always; set-aside lines only when something was set aside."""
    always = {"tickets read", "tickets used", "answers read", "answers used"}
    rows = [(item, n) for item, n in items
            if n or item in always or item.startswith("answers of other")]
    return pd.DataFrame(rows, columns=["item", "rows"])


def _ids(values: pd.Series) -> pd.Series:
    """Ticket ids as text (object dtype), so that 17, 17.0 and "17" match; missing is None."""
    if is_numeric_dtype(values) and not is_bool_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
        out = np.full(len(values), None, dtype=object)
        finite = np.isfinite(numbers)
        whole = finite & (numbers == np.floor(numbers))
        out[whole] = numbers[whole].astype("int64").astype(str)
        out[finite & ~whole] = numbers[finite & ~whole].astype(str)
        return pd.Series(out, index=values.index, dtype=object)
    text = values.astype("string").str.strip()
    text = text.mask(text == "")
    return pd.Series(np.where(text.isna(), None, text.to_numpy(dtype=object, na_value=None)),
                     index=values.index, dtype=object)


def _flag(values: pd.Series, column: str, parameter: str, meaning: str) -> np.ndarray:
    """A True/False (or 1/0) column as a boolean array; anything else is an error."""
    if is_bool_dtype(values) and not values.isna().any():
        return values.to_numpy(dtype=bool)
    numbers = pd.to_numeric(values, errors="coerce") if not is_bool_dtype(values) else None
    if numbers is not None:
        ok = numbers.isin([0, 1]).to_numpy()
        if ok.all():
            return numbers.to_numpy() == 1
    else:
        ok = values.notna().to_numpy()
    raise DataError(
        f"Column {column!r} ({parameter}=) must be True/False (or 1/0) for every ticket, "
        f"saying {meaning}; found {show_values(values[~ok].tolist())}. Fill it, for "
        "example tickets['eligible'] = tickets['resolved_at'].notna()."
    )


def _outcome(responses: pd.DataFrame, outcome: str, scale: str | Scale | None):
    """Outcome 0/1 per answer, the reason where it cannot be used, the answers in scope."""
    problems = pd.Series(None, index=responses.index, dtype=object)
    if outcome in responses.columns:
        values = responses[outcome]
        numbers = (values.astype(float) if is_bool_dtype(values)
                   else pd.to_numeric(values, errors="coerce"))
        invalid = values.notna() & ~numbers.isin([0, 1])
        if invalid.any():
            raise DataError(
                f"Outcome column {outcome!r} must hold 1 (yes) or 0 (no); found "
                f"{show_values(values[invalid].tolist())}. Give a 0/1 column, or leave "
                "outcome='satisfied' to classify the score with the scale."
            )
        problems[values.isna()] = f"missing {outcome}"
        return numbers.to_numpy(dtype=float), problems, np.ones(len(responses), dtype=bool), None
    if outcome != "satisfied":
        raise ParameterError(
            f"outcome={outcome!r} is not a column of the answers. Use outcome='satisfied' "
            "(the positive class of the scale, from the score) or the name of a 0/1 column."
        )
    scale = get_scale(scale, survey="csat")
    errors.require_columns(
        responses, ["score"],
        "The answers have no {missing} column to classify. Answer columns: {found}. Load "
        "them with csat_toolkit.load_responses or pass outcome='<a 0/1 column>'.",
    )
    in_scope = np.ones(len(responses), dtype=bool)
    if "survey" in responses.columns:
        in_scope = (responses["survey"] == scale.survey).fillna(False).to_numpy(dtype=bool)
    scores, problems = scale.parse(responses["score"])
    problems = problems.where(problems.isna(), problems.astype(str) + f" ({scale.name})")
    y = np.where(scores.notna(), scale.is_positive(scores.fillna(-np.inf)), np.nan)
    return y.astype(float), problems, in_scope, scale.survey


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
                       f"{show_values(self.collapsed, limit=4)} (see .cells).")


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


def _accounting_text(accounting: pd.DataFrame) -> str:
    return "; ".join(f"{item} {rows:,}" for item, rows in accounting.itertuples(index=False)) + "."


# --- calibration measures -------------------------------------------------------------


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
                f"p = {m['hl_p_value']:.2g}."
            )
        return text


_GROUPS = ("answered (observed)", "unanswered (predicted)", "all tickets")


@dataclass(frozen=True)
class _Encoding:
    """How features enter the model: kinds, category levels and reference levels."""

    numeric: tuple[str, ...]
    levels: dict  # categorical feature -> tuple of levels, reference first
    names: dict  # feature -> safe name in the formula

    @property
    def formula(self) -> str:
        terms = [f"C({self.names[f]})" if f in self.levels else self.names[f] for f in self.names]
        return "y ~ " + " + ".join(terms)


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
        model = smf.glm(encoding.formula, data=data, family=sm.families.Binomial())
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
        fit = sm.GLM(y, sm.add_constant(eta), family=sm.families.Binomial()).fit()
    notes = []
    if caught:
        notes.append("Calibration line: the held-out predictions separate the outcomes "
                     "(almost) perfectly, so its intercept and slope are not meaningful.")
    return float(fit.params[0]), float(fit.params[1]), notes


_TERM = re.compile(r"^C\((f\d+)\)\[T\.(.*)\]$")


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
