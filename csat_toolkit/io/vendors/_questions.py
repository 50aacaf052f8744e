"""Which column of a survey export holds the score: the rating questions and the survey
type they suggest (SurveyMonkey, Typeform and Google Forms exports share these rules).
"""
from __future__ import annotations

import re

import pandas as pd

from ...core.scales import SCALES, normalise_label
from ...errors import ParameterError, show_values


_KNOWN_LABELS = {key for scale in SCALES.values() for key in map(normalise_label, scale.labels)}


_RATING = re.compile(r"^\s*(\d{1,2})(?:\s*[-–:.]\s*\D.*)?\s*$")


def _is_rating(values: pd.Series) -> bool:
    filled = values.dropna().astype(str).str.strip()
    filled = filled[filled.ne("")]
    if filled.empty:
        return False
    for value in filled.unique():
        match = _RATING.match(value)
        if match and int(match.group(1)) <= 10:
            continue
        if normalise_label(value) not in _KNOWN_LABELS:
            return False
    return True


def _choose(option, rating: list, headings: dict, columns: list, name: str) -> str:
    if option is not None:
        key = str(option).strip()
        for column in columns:
            if key in (column, column[2:] if column.startswith("q:") else None,
                       headings.get(column)):
                return column
        raise ParameterError(
            f"{name}: score_question {option!r} is not a question of the survey; its "
            f"questions are {show_values([headings.get(c, c) for c in columns], 8)}.")
    if len(rating) == 1:
        return rating[0]
    listed = show_values([headings.get(c, c) for c in (rating or columns)], 8)
    if rating:
        raise ParameterError(f"{name}: several rating questions ({listed}); set "
                             "score_question: to the one that holds the score.")
    raise ParameterError(
        f"{name}: no rating question found (one whose answers are all numbers 0-10 or "
        f"satisfaction labels); the questions are {listed}. Set score_question: to the "
        "question that holds the score.")


def _survey(option, heading: str, scores: pd.Series, notes: list) -> str:
    if option is not None:
        if option not in ("csat", "nps", "ces", "pmf"):
            raise ParameterError(f"survey must be csat, nps, ces or pmf; got {option!r}.")
        return option
    text = heading.casefold()
    numbers = pd.to_numeric(scores.astype(str).str.extract(r"^\s*(\d+)")[0], errors="coerce")
    if "recommend" in text or numbers.eq(0).any() or numbers.gt(7).any():
        found = "nps"
    elif "easy" in text or "effort" in text:
        found = "ces"
    elif "disappointed" in text:
        found = "pmf"
    else:
        found = "csat"
    notes.append(f"Survey: {found} (guessed from the score question {heading!r} and its "
                 "answers; set survey: to change it).")
    return found
