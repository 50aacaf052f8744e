"""The comment frame: one row per comment, masked, in its language, tokenised, with its tone.

:func:`comment_frame` is the pipeline's first step and the only place comments are read.
It keeps the answers that carry a comment, masks personal data in them
(:func:`csat_toolkit.core.pii.mask_pii`, on by default: every later table, example and
export shows the masked text), detects each comment's language, normalises and tokenises
the comments written in a language the run covers, and labels each with the
respondent's own score: ``unhappy``, ``happy`` or ``neutral`` (see :func:`tone_of`). No
sentiment lexicon is involved (none covers the six languages); the score is the label.

Comments in a language outside ``languages`` are kept, counted and shown as they are,
with no tokens: they are never run through another language's stop words or lemmas.
:func:`topic_flags` gives one flag per topic for every answer (False without a comment),
for the key-driver analysis.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.display import result_html
from ..core.pii import mask_pii, masked_sentence
from ..core.scales import Scale, get_scale
from ..errors import MissingColumnError, ParameterError, show_values
from .language import LANGUAGES, detect_languages, language_name
from .tokens import tokenize_many
from .topics import PREFIX, tag_topics

__all__ = ["TONES", "CommentFrame", "comment_frame", "tone_of", "language_table",
           "topic_flags"]

_MASK = re.compile(r"\[[a-z_]+\]")
#: The respondent's tone, from the score: the labels distinguishing terms compare.
TONES = ("unhappy", "neutral", "happy")
_KEEP = ("response_id", "survey", "score", "responded_at", "customer_id", "ticket_id")


@dataclass
class CommentFrame:
    """The comments of a set of answers, ready for every comment analysis.

    Attributes
    ----------
    frame : DataFrame
        One row per non-empty comment: ``response_id``, ``survey``, ``score``,
        ``responded_at``, the segment columns kept, ``text`` (masked), ``language``,
        ``language_supported``, ``tokens`` (list of str) and ``tone``.
    answers : int
        Answers read (with or without a comment).
    languages : tuple of str
        The languages analysed; comments in others are counted, not tokenised.
    masked : DataFrame
        What was masked: ``kind``, ``comments``, ``matches`` (empty when masking is off).
    mask : bool
        Whether personal data was masked.
    """

    frame: pd.DataFrame
    answers: int
    languages: tuple
    masked: pd.DataFrame
    mask: bool = True
    notes: list = field(default_factory=list)

    @property
    def analysed(self) -> pd.DataFrame:
        """The comments in a language of the run (the rows with tokens)."""
        return self.frame[self.frame["language_supported"]]

    def summary(self) -> str:
        """One sentence: answers, comments, comments analysed, other languages, masking.

        Examples
        --------
        >>> answers = pd.DataFrame({"response_id": [1, 2, 3], "survey": "csat",
        ...                         "score": [5.0, 1.0, 4.0],
        ...                         "comment": ["Great help, thanks", None, "ok"]})
        >>> comment_frame(answers).summary()  # doctest: +ELLIPSIS
        '3 answers, 2 with a comment (66.7%)...'
        """
        n = len(self.frame)
        share = f" ({n / self.answers:.1%})" if self.answers else ""
        text = f"{self.answers:,} answers, {n:,} with a comment{share}"
        done = int(self.frame["language_supported"].sum())
        text += f"; {done:,} in the languages analysed ({', '.join(self.languages)})"
        other = self.frame.loc[~self.frame["language_supported"], "language"]
        unknown = int((other == "und").sum())
        other = other[other != "und"]
        if len(other):
            counts = other.value_counts()
            text += ("; " + ", ".join(f"{c:,} in {language_name(k)}"
                                      for k, c in counts.items())
                     + " counted but not analysed (add the language to `languages`)")
        if unknown:
            text += (f"; {unknown:,} with no words to tell the language by (emoji, digits "
                     "or punctuation only), counted but not analysed")
        return text + ". " + self.masked_sentence()

    def masked_sentence(self) -> str:
        """What the masking did, in words (:func:`csat_toolkit.core.pii.masked_sentence`)."""
        said = masked_sentence(self.masked if self.mask else None)
        return said if not self.mask or said.startswith("No ") else \
            f"In the comments, before any analysis: {said}"

    def _repr_html_(self) -> str:
        return result_html(self.summary(), language_table(self))

    def __repr__(self) -> str:
        return f"CommentFrame({self.summary()})"


def tone_of(survey: pd.Series, score: pd.Series,
            scales: Mapping[str, Scale] | None = None) -> pd.Series:
    """The respondent's tone from the score: ``unhappy``, ``neutral`` or ``happy``.

    CSAT (any survey whose scale is a CSAT scale): satisfied (at or above the scale's
    satisfied cut-off) is happy, every other answer unhappy (CSAT's own "not
    satisfied"). NPS: promoters happy, detractors unhappy, passives neutral. CES, PMF and
    other scales: the scale's positive class happy, its negative class unhappy, the middle
    neutral. Answers without a score, answers the scale leaves out of its metric (PMF "I
    no longer use the product") and answers of a survey without a scale are neutral (they
    are never compared).

    Examples
    --------
    >>> tone_of(pd.Series(["csat", "csat", "nps", "nps", "nps"]),
    ...         pd.Series([5, 3, 10, 8, 2])).tolist()
    ['happy', 'unhappy', 'happy', 'neutral', 'unhappy']
    """
    scales = scales or {}
    tone = pd.Series("neutral", index=score.index, dtype=object)
    values = pd.to_numeric(score, errors="coerce")
    for name in pd.unique(survey.dropna()):
        rows = (survey == name).to_numpy() & values.notna().to_numpy()
        scale = scales.get(name) or _default_scale(name)
        if scale is None:
            continue
        v = values[rows].to_numpy()
        happy = scale.is_positive(v)
        unhappy = ~happy if scale.survey == "csat" else scale.is_negative(v)
        out = scale.is_excluded(v)
        tone[rows] = np.where(out, "neutral", np.where(happy, "happy",
                                                       np.where(unhappy, "unhappy", "neutral")))
    return tone


def _default_scale(survey: str) -> Scale | None:
    try:
        return get_scale(survey=survey)
    except Exception:  # a survey type without a default scale: no tone
        return None


def comment_frame(data: pd.DataFrame, *, column: str = "comment",
                  languages: Sequence[str] = LANGUAGES, scales: Mapping[str, Scale] | None = None,
                  keep: Sequence[str] = (), mask: bool = True) -> CommentFrame:
    """The comments of ``data``: masked, language detected, tokenised, with their tone.

    Parameters
    ----------
    data : DataFrame
        Canonical responses (``csat_toolkit.load_responses``): ``response_id``,
        ``survey``, ``score`` and the comment column.
    column : str
        The comment column.
    languages : list of str
        The languages analysed (codes of :data:`~csat_toolkit.comments.LANGUAGES`, or
        other codes the tokeniser supports, such as ``"pt"``); comments in other
        languages are counted and shown, not tokenised.
    scales : dict, optional
        Survey -> :class:`~csat_toolkit.core.scales.Scale` for the tone (defaults: the
        surveys' default scales).
    keep : list of str
        Segment columns to keep (missing ones are ignored).
    mask : bool
        Mask e-mail addresses, phone numbers and card-like numbers (default). Only turn
        it off for data that never leaves your machine.

    Returns
    -------
    CommentFrame

    Raises
    ------
    MissingColumnError
        ``column`` or a required column is not in ``data``.
    ParameterError
        ``languages`` is empty or holds a code the detector does not know.

    Examples
    --------
    >>> answers = pd.DataFrame({"response_id": [1, 2], "survey": "nps", "score": [10, 2],
    ...     "comment": ["Fast and friendly support", "Nobody replied, mail me at a@b.com"]})
    >>> comments = comment_frame(answers)
    >>> comments.frame[["tone", "language", "text"]].values.tolist()
    [['happy', 'en', 'Fast and friendly support'], ['unhappy', 'en', 'Nobody replied, mail me at [email]']]
    """
    missing = [c for c in ("response_id", "survey", "score", column) if c not in data.columns]
    if missing:
        raise MissingColumnError(
            f"comment_frame needs the column(s) {', '.join(missing)}; the data has "
            f"{show_values(list(data.columns))}. Name the comment column with `column=` "
            "(or `columns` in a notebook: {'Your comment column': 'comment'}).")
    if isinstance(languages, str) or not len(languages):
        raise ParameterError(f"languages must be a non-empty list of language codes, e.g. "
                             f"{list(LANGUAGES)}; got {languages!r}.")
    text = data[column].astype("string").str.strip()
    has = text.notna() & (text != "")
    columns = [c for c in dict.fromkeys([*_KEEP, *keep]) if c in data.columns and c != column]
    frame = data.loc[has.to_numpy(), columns].reset_index(drop=True)
    shown = text[has].reset_index(drop=True).astype(object)
    masked = pd.DataFrame({"kind": pd.Series(dtype=object), "comments": pd.Series(dtype="int64"),
                           "matches": pd.Series(dtype="int64")})
    if mask:
        result = mask_pii(shown)
        shown, masked = result.text, result.counts
    frame["text"] = shown
    found = detect_languages(frame["text"], languages=tuple(languages))
    frame["language"] = found["language"].to_numpy()
    frame["language_supported"] = found["language_supported"].to_numpy(dtype=bool)
    tokens = pd.Series([[] for _ in range(len(frame))], index=frame.index, dtype=object)
    done = frame["language_supported"]
    if done.any():
        words = tokenize_many(frame.loc[done, "text"].tolist(),
                              frame.loc[done, "language"].tolist())
        # the masks ([email], [phone], [card]) are not words a customer chose
        words = [[w for w in row if not _MASK.fullmatch(w)] for row in words]
        tokens[done] = pd.Series(words, index=frame.index[done], dtype=object)
    frame["tokens"] = tokens
    frame["tone"] = tone_of(frame["survey"], frame["score"], scales)
    return CommentFrame(frame, len(data), tuple(languages), masked, mask)


def language_table(comments: CommentFrame) -> pd.DataFrame:
    """Comments per language: count, share (%), analysed or not, and the tones.

    Examples
    --------
    >>> answers = pd.DataFrame({"response_id": [1, 2], "survey": "csat", "score": [5, 1],
    ...                         "comment": ["Great help", "Far too slow"]})
    >>> language_table(comment_frame(answers))[["language", "comments", "analysed"]].values.tolist()
    [['English', 2, True]]
    """
    frame = comments.frame
    if frame.empty:
        return pd.DataFrame(columns=["language", "code", "comments", "share", "analysed",
                                     *TONES])
    tones = pd.crosstab(frame["language"], frame["tone"]).reindex(columns=list(TONES),
                                                                  fill_value=0)
    counts = frame["language"].value_counts()
    table = pd.DataFrame({"code": counts.index, "comments": counts.to_numpy()})
    table["language"] = [language_name(c) for c in table["code"]]
    table["share"] = 100 * table["comments"] / len(frame)
    table["analysed"] = table["code"].isin(comments.languages) & (table["code"] != "und")
    table = table.join(tones, on="code")
    return table[["language", "code", "comments", "share", "analysed", *TONES]]


def topic_flags(data: pd.DataFrame, topics, *, column: str = "comment",
                languages: Sequence[str] = LANGUAGES, prefix: str = "topic_") -> pd.DataFrame:
    """One 0/1 flag per topic for every answer of ``data`` (0 without a comment), and
    ``has_comment``: the topics as drivers of the score.

    ``has_comment`` goes with the topics into a driver model: unhappy customers comment
    more often, so without it a topic flag would also carry "wrote a comment at all".

    Parameters
    ----------
    data : DataFrame
        Canonical responses with the comment column (see :func:`comment_frame`).
    topics : TopicDictionary
        From :func:`~csat_toolkit.comments.load_topics`.
    column : str
        The comment column.
    languages : list of str
        The languages analysed (see :func:`comment_frame`).
    prefix : str
        Put before each topic's name in the column names (``topic_response_time``).

    Returns
    -------
    DataFrame
        Same index as ``data``: ``has_comment`` and one 0/1 column per topic, in the
        dictionary's order.

    Examples
    --------
    >>> from csat_toolkit.comments.topics import load_topics
    >>> answers = pd.DataFrame({"response_id": [1, 2, 3], "survey": "csat",
    ...     "score": [1, 5, 4], "comment": ["Still waiting for my refund", "Great", None]})
    >>> flags = topic_flags(answers, load_topics())
    >>> flags[["has_comment", "topic_billing_refund"]].values.tolist()
    [[1, 1], [1, 0], [0, 0]]
    """

    comments = comment_frame(data.reset_index(drop=True), column=column, languages=languages)
    tagged = tag_topics(comments.frame, topics)
    flags = pd.DataFrame(0, index=range(len(data)), columns=["has_comment", *tagged.columns])
    text = data[column].astype("string").str.strip().reset_index(drop=True)
    rows = np.flatnonzero((text.notna() & (text != "")).to_numpy())
    flags.loc[rows, "has_comment"] = 1
    flags.loc[rows, list(tagged.columns)] = tagged.to_numpy(dtype="int64")
    flags.columns = ["has_comment", *[prefix + c.removeprefix(PREFIX) for c in tagged.columns]]
    flags.index = data.index
    return flags
