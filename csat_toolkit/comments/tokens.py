"""Comment text to comparable words: normalisation, segmentation, lemmas, stop words.

``normalise(text, language)`` is the one text form every comparison uses (topic
keywords, keyword in context, tokens): NFKC, casefold, whitespace runs as one space;
Greek without tonos or dialytika and with final sigma as sigma; Romanian without its
diacritics (cedilla and comma forms unified first). Latvian keeps its diacritics (they
tell words apart: "kaza" goat, "kāza" wedding). Masks such as ``[email]`` stay whole.
"""
from __future__ import annotations

import re
import unicodedata

from ..errors import ParameterError

__all__ = ["normalise"]

_SPACES = re.compile(r"\s+")
# Combining marks removed after a Greek letter: acute/tonos, diaeresis/dialytika, and the
# polytonic ones (grave, circumflex/perispomeni, breathings, iota subscript).
_GREEK_MARKS = frozenset("\u0301\u0308\u0300\u0342\u0313\u0314\u0345\u0344\u0306\u0304")
# Romanian: cedilla forms (old keyboards and fonts) and comma forms both become plain letters.
_ROMANIAN = str.maketrans({"ă": "a", "â": "a", "î": "i", "ș": "s", "ş": "s", "ț": "t",
                           "ţ": "t"})


def _check_text(text: object, name: str = "text") -> str:
    if not isinstance(text, str):
        raise ParameterError(
            f"{name} must be a string; got {text!r} of type {type(text).__name__}. "
            "Pass the comment as text (convert missing values to '' or drop them first).")
    return text


def _check_language(language: object) -> str:
    if not isinstance(language, str) or not language:
        raise ParameterError(
            f"language must be a language code such as 'en', 'el', 'zh_hant', 'zh_hans', "
            f"'lv', 'th' or 'ro'; got {language!r}.")
    return language


def _strip_greek_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    kept: list[str] = []
    base_is_greek = False
    for char in decomposed:
        if unicodedata.combining(char):
            if base_is_greek and char in _GREEK_MARKS:
                continue
        else:
            base_is_greek = "\u0370" <= char <= "\u03ff" or "\u1f00" <= char <= "\u1fff"
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def normalise(text: str, language: str) -> str:
    """Return the comparable form of a comment: the form keywords and tokens are matched in.

    Steps: Unicode NFKC (full-width letters and digits become ordinary ones), casefold
    (which also turns the Greek final sigma "ς" into "σ"), whitespace runs become one space
    and the ends are trimmed. Then, by language:

    - ``el``: tonos and dialytika (and polytonic marks) are removed from Greek letters, so
      "Γρήγορη" and "ΓΡΗΓΟΡΗ" and "γρηγορη" compare equal; people often type without them.
    - ``ro``: "ş"/"ţ" (cedilla, old keyboards) and "ș"/"ț" (comma) are unified, then the
      Romanian diacritics ă â î ș ț are removed, because many people type Romanian without
      them ("mulțumesc" and "multumesc" must count as one word).
    - every other language (``lv`` included) keeps its diacritics: in Latvian they tell
      words apart. Chinese and Thai only get NFKC and casefold (for Latin words inside).

    Masks written by the PII step (``[email]``, ``[phone]``, ``[card]``) are kept whole,
    emoji are kept as they are. Any language code is accepted (unsupported ones get the
    generic steps only); nothing is translated or transliterated.

    Parameters
    ----------
    text : str
        The comment.
    language : str
        Its language code (``en``, ``el``, ``zh_hant``, ``zh_hans``, ``lv``, ``th``, ``ro``,
        or any other code).

    Returns
    -------
    str
        The normalised text.

    Raises
    ------
    ParameterError
        When ``text`` or ``language`` is not a string.

    Examples
    --------
    >>> normalise("Πολύ  ΓΡΉΓΟΡΗ εξυπηρέτηση!", "el")
    'πολυ γρηγορη εξυπηρετηση!'
    >>> normalise("Mulţumesc, problemă rezolvată", "ro")
    'multumesc, problema rezolvata'
    >>> normalise("Ļoti ĀTRI atbildēja [email]", "lv")
    'ļoti ātri atbildēja [email]'
    """
    text = _check_text(text)
    language = _check_language(language)
    out = unicodedata.normalize("NFKC", text).casefold()
    out = _SPACES.sub(" ", out).strip()
    if language == "el":
        out = _strip_greek_marks(out)
    elif language == "ro":
        out = out.translate(_ROMANIAN)
    return out
