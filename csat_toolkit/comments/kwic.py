"""Keyword in context: every place a word occurs in the comments, with the words around it.

:func:`keyword_in_context` finds a term in the comment frame's ``text`` (the comment
with personal data already masked) the way the topic dictionary matches keywords:
case-insensitive and accent-insensitive as ``comments.tokens.normalise`` (Greek tonos
and dialytika, Romanian diacritics; Latvian keeps its diacritics, which tell words
apart), at the start of a word in space-separated
languages and anywhere in Chinese and Thai, which are written without spaces. It shows
the ORIGINAL text: the search runs on a folded copy whose every character remembers the
position it came from (:func:`fold_with_positions`), so the left context, the keyword
and the right context are slices of what the customer wrote.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import ParameterError, require_columns, show_values
from .tokens import normalise

__all__ = ["UNSPACED", "fold_with_positions", "fold", "keyword_in_context"]

#: Languages written without spaces between words: matched as substrings, context in
#: characters. The six-language codes plus unsupported codes written the same way.
UNSPACED = frozenset({"zh_hant", "zh_hans", "th", "zh", "ja", "lo", "km", "my"})

_KWIC_COLUMNS = ["response_id", "language", "tone", "score", "left", "keyword", "right"]


def _is_folded_mark(char: str) -> bool:
    # Combining Diacritical Marks (U+0300-U+036F): accents written apart from their letter.
    return "\u0300" <= char <= "\u036f"


def _fold_char(char: str, language: str, cache: dict) -> str:
    key = (char, language)
    if key not in cache:
        # normalise() of one character: NFKC, casefold, the language's accents. White
        # space stays one space (normalise would trim a lone space to nothing).
        cache[key] = " " if char.isspace() else normalise(char, language)
    return cache[key]


_FOLD_CACHE: dict = {}


def fold_with_positions(text: str, language: str | None = None) -> tuple[str, list[int]]:
    """Fold ``text`` as :func:`~csat_toolkit.comments.tokens.normalise` does, character by
    character, and say where each folded character came from.

    Each character goes through ``normalise(char, language)``: NFKC, casefold, Greek
    tonos and dialytika removed (``el``), Romanian diacritics removed (``ro``); other
    languages (Latvian included) keep their diacritics. A character may fold to several
    (``ß`` -> ``ss``); ``positions[j]`` is the index in ``text`` of folded character
    ``j``, so a match in the folded text maps back to the original.

    Parameters
    ----------
    text : str
        The original text (best in Unicode NFC, as :func:`keyword_in_context` gives it).
    language : str, optional
        The text's language code (None: generic folding only).

    Returns
    -------
    tuple of (str, list of int)
        The folded text and, per folded character, its position in ``text``.

    Examples
    --------
    >>> fold_with_positions("Άργησε!", "el")
    ('αργησε!', [0, 1, 2, 3, 4, 5, 6])
    >>> fold_with_positions("Straße", "en")
    ('strasse', [0, 1, 2, 3, 4, 4, 5])
    >>> fold_with_positions("Ātri", "lv")[0]
    'ātri'
    """
    code = language if isinstance(language, str) and language else "und"
    chars: list[str] = []
    positions: list[int] = []
    for i, char in enumerate(text):
        for piece in _fold_char(char, code, _FOLD_CACHE):
            chars.append(piece)
            positions.append(i)
    if len(_FOLD_CACHE) > 100_000:
        _FOLD_CACHE.clear()
    return "".join(chars), positions


def fold(text: str, language: str | None = None) -> str:
    """The folded text of :func:`fold_with_positions` (for terms and tests).

    Examples
    --------
    >>> fold("Rambursarea ÎNTÂRZIE", "ro")
    'rambursarea intarzie'
    """
    return fold_with_positions(unicodedata.normalize("NFC", text), language)[0]


def _pattern(term: str, language: str | None) -> re.Pattern:
    folded = fold(term, language)
    if language in UNSPACED:
        return re.compile(re.escape(folded))
    words = folded.split()
    # A word start, the term's words separated by any white space, then the rest of
    # the last word (prefix match: "wait" finds "waiting").
    return re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"\w*")


def _left_words(text: str, window: int) -> str:
    pieces = [m.start() for m in re.finditer(r"\S+", text)]
    # A piece glued to the keyword (an opening quote) is not one of the window's words.
    take = window + (1 if text and not text[-1].isspace() else 0)
    if not pieces or take == 0:
        return ""
    return text[pieces[-take] if len(pieces) >= take else pieces[0]:].rstrip()


def _right_words(text: str, window: int) -> str:
    pieces = [m.end() for m in re.finditer(r"\S+", text)]
    take = window + (1 if text and not text[0].isspace() else 0)
    if not pieces or take == 0:
        return ""
    return text[: pieces[take - 1] if len(pieces) >= take else pieces[-1]].lstrip()


def _matches(text: str, language: str | None, pattern: re.Pattern, window: int):
    folded, positions = fold_with_positions(text, language)
    for found in pattern.finditer(folded):
        if found.end() == found.start():
            continue
        start = positions[found.start()]
        end = positions[found.end() - 1] + 1
        while end < len(text) and _is_folded_mark(unicodedata.normalize("NFD", text[end])[0]):
            end += 1  # combining accents written apart belong to the keyword
        if language in UNSPACED:
            left = text[max(0, start - 2 * window): start]
            right = text[end: end + 2 * window]
        else:
            left = _left_words(text[:start], window)
            right = _right_words(text[end:], window)
        yield left, text[start:end], right


def _languages(language) -> list | None:
    if language is None:
        return None
    values = [language] if isinstance(language, str) else list(language)
    bad = [v for v in values if not isinstance(v, str) or not v.strip()]
    if bad or not values:
        raise ParameterError(
            f"language must be a language code such as 'el' or 'zh_hans', or a list of "
            f"them; got {show_values(bad or [language])}. Leave it out to search every "
            "language.")
    return values


def keyword_in_context(frame: pd.DataFrame, term: str, window: int = 6,
                       language: str | Iterable[str] | None = None,
                       limit: int | None = 50) -> pd.DataFrame:
    """Every occurrence of ``term`` in the comments, with the words around it.

    Matching is case- and accent-insensitive as ``comments.tokens.normalise`` (applied
    character by character, :func:`fold_with_positions`): in space-separated languages
    the term must start a word and its last word may continue (``wait`` finds
    "Waiting", a multi-word term matches across any white space); in Chinese, Thai and
    other languages without spaces (:data:`UNSPACED`) it is a substring. What is shown
    is the comment's own ``text`` (masked for personal data in the comment frame), cut
    at the match.

    Parameters
    ----------
    frame : DataFrame
        The comment frame: ``response_id``, ``text``, ``language``, ``tone``, ``score``
        and, optionally, ``responded_at`` (for the order).
    term : str
        A word, the start of a word, or a phrase.
    window : int, default 6
        Words shown on each side; in languages without spaces ``2 * window``
        characters.
    language : str or list of str, optional
        Search only comments in these languages (codes as in the frame).
    limit : int or None, default 50
        At most this many rows (None: all).

    Returns
    -------
    DataFrame
        One row per occurrence: ``response_id``, ``language``, ``tone``, ``score``,
        ``left``, ``keyword`` (the matched text as written, the whole word in spaced
        languages), ``right``. Ordered by ``responded_at``, newest first (comments
        without a date last), then by the frame's order and the position in the comment.

    Raises
    ------
    MissingColumnError
        A required column is absent.
    ParameterError
        An empty term, ``window`` below 1, ``limit`` below 1, or an invalid language.

    Examples
    --------
    >>> comments = pd.DataFrame({
    ...     "response_id": ["r1", "r2"], "language": ["el", "zh_hans"],
    ...     "tone": ["unhappy", "happy"], "score": [1, 5],
    ...     "text": ["Πολύ ΑΡΓΉ απάντηση από την υποστήριξη", "客服回复很快，谢谢"]})
    >>> shown = ["left", "keyword", "right"]
    >>> keyword_in_context(comments, "αργη", window=2)[shown].values.tolist()
    [['Πολύ', 'ΑΡΓΉ', 'απάντηση από']]
    >>> keyword_in_context(comments, "回复", window=1)[shown].values.tolist()
    [['客服', '回复', '很快']]
    """
    require_columns(frame, ["response_id", "text", "language", "tone", "score"],
                    "The comment frame has no {missing} column (found {found}). Build it "
                    "with the comments frame builder, or rename your columns to these.")
    if not isinstance(term, str) or not term.strip():
        raise ParameterError(f"term must be a word or phrase to look for; got {term!r}.")
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
        raise ParameterError(f"window must be a whole number of words, 1 or more; got "
                             f"{window!r}.")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, np.integer))
                              or limit < 1):
        raise ParameterError(f"limit must be a whole number of rows, 1 or more, or None for "
                             f"all; got {limit!r}.")
    wanted = _languages(language)
    rows = frame
    if wanted is not None:
        rows = rows[rows["language"].isin(wanted)]
    if "responded_at" in rows.columns:
        when = pd.to_datetime(rows["responded_at"], errors="coerce")
        # lexsort sorts by the last key first: dated before undated, newest first,
        # then the frame's order.
        undated = when.isna().to_numpy()
        newest = -np.array([t.value if not pd.isna(t) else 0 for t in when], dtype="int64")
        order = np.lexsort((np.arange(len(rows)), newest, undated))
        rows = rows.iloc[order]
    patterns: dict = {}
    out = []
    for rid, text, lang, tone, score in zip(rows["response_id"], rows["text"],
                                             rows["language"], rows["tone"], rows["score"]):
        if not isinstance(text, str) or not text:
            continue
        code = lang if isinstance(lang, str) else None
        if code not in patterns:
            patterns[code] = _pattern(term, code)
        for left, keyword, right in _matches(unicodedata.normalize("NFC", text), code,
                                             patterns[code], window):
            out.append((rid, lang, tone, score, left, keyword, right))
            if limit is not None and len(out) >= limit:
                break
        if limit is not None and len(out) >= limit:
            break
    return pd.DataFrame(out, columns=_KWIC_COLUMNS)
