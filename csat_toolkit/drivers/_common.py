"""Private helpers of the non-response modules: answers matched to their tickets.

:func:`_match` ties survey answers to the eligible tickets they follow and accounts for
every ticket and answer (the ``accounting`` table of ``item`` and ``rows``); both
``nonresponse`` (response rates, post-stratification) and ``prediction`` (predicted
satisfaction of non-respondents) start from it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from .. import errors
from ..core.scales import Scale, get_scale
from ..errors import DataError, ParameterError, show_values


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


def _accounting_text(accounting: pd.DataFrame) -> str:
    return "; ".join(f"{item} {rows:,}" for item, rows in accounting.itertuples(index=False)) + "."


