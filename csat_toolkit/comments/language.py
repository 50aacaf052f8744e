"""Which language a comment is written in: script rules first, then a bundled detector.

The rule, in order (``detect_language`` and ``detect_languages`` share it):

1. Masks (``[email]``, ``[phone]`` ...), web addresses, e-mail addresses, digits,
   punctuation and emoji are set aside. Text with no letter left is ``"und"``
   (undetermined: empty, digits, punctuation or emoji only).
2. The script with the most letters decides alone where it is unambiguous (a Han
   character counts three letters: one character is about one word, so "导出 Excel 的功能坏了"
   is Chinese): Greek -> ``el``, Thai -> ``th``; Han -> Chinese, told apart as
   ``zh_hant`` or ``zh_hans`` by the characters that change under a traditional ->
   simplified conversion (zhconv) against those that change under the reverse (ties,
   text written the same in both, count as ``zh_hans``); Han with kana -> ``ja``;
   Hangul -> ``ko``. No detector is asked, so the confidence is 1.0.
3. Other text (Latin, Cyrillic, Arabic ... scripts) goes to the bundled detector,
   py3langid (a naive Bayes model over byte n-grams, 142 labels, in its wheel; about
   0.4 s and 100 MB to load, once per process). Latin-script text of fewer than
   ``SHORT_TEXT_LETTERS`` letters ("Excellent", "Minunat", "Too slow.") is too short to
   choose among 142 languages. In a batch (:func:`detect_languages`) it is decided among
   the languages of the batch's longer Latin-script comments, each weighted by its share
   of them (:data:`CORPUS_MIN_SHARE`): among French reviews "Trop cher" is French, among
   the run's languages "Paldies!" is Latvian. Alone (:func:`detect_language`), or in a
   batch with fewer than :data:`CORPUS_MIN_COMMENTS` longer comments, it is decided among
   the requested Latin-script languages (en, lv, ro by default), so a lone short
   Portuguese "Obrigado!" becomes one of them: the price of the rule. Longer text is
   decided by the model among all its labels, the run's languages expected
   (:data:`EXPECTED_WEIGHT`).
   The detector's "no linguistic content" label gives ``"und"``; codes of languages
   without an ISO 639-1 code stay as the detector gives them (e.g. "ltg", Latgalian).

Any code the detector gives that is not in ``languages`` is kept as it is (e.g. "pt") and
marked unsupported. Nothing is downloaded: the model ships inside the py3langid wheel.
The detector is deterministic (no random sampling), so the same text always gives the
same answer. ``benchmarks/bench_language.py`` measures the rule with each candidate
detector on ``tests/fixtures/languages/comments.csv``.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError, show_values
from .tokens import OTHER_LANGUAGES

__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "SHORT_TEXT_LETTERS", "EXPECTED_WEIGHT",
           "CORPUS_MIN_SHARE", "CORPUS_MIN_COMMENTS", "language_name", "detect_language",
           "detect_languages"]

LANGUAGES: tuple[str, ...] = ("en", "el", "zh_hant", "zh_hans", "lv", "th", "ro")
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English", "el": "Greek", "zh_hant": "Chinese (traditional)",
    "zh_hans": "Chinese (simplified)", "lv": "Latvian", "th": "Thai", "ro": "Romanian",
    "und": "undetermined",
}
_OTHER_NAMES = {
    "pt": "Portuguese", "es": "Spanish", "de": "German", "fr": "French", "it": "Italian",
    "nl": "Dutch", "pl": "Polish", "ru": "Russian", "uk": "Ukrainian", "bg": "Bulgarian",
    "cs": "Czech", "sk": "Slovak", "sl": "Slovenian", "hr": "Croatian", "sr": "Serbian",
    "lt": "Lithuanian", "et": "Estonian", "fi": "Finnish", "sv": "Swedish", "da": "Danish",
    "no": "Norwegian", "nb": "Norwegian", "tr": "Turkish", "hu": "Hungarian", "ca": "Catalan",
    "gl": "Galician", "la": "Latin", "id": "Indonesian", "ms": "Malay", "tl": "Tagalog",
    "vi": "Vietnamese", "ja": "Japanese", "ko": "Korean", "ar": "Arabic", "he": "Hebrew",
    "fa": "Persian", "hi": "Hindi", "hy": "Armenian", "sw": "Swahili", "eo": "Esperanto",
    "ga": "Irish",
}


def language_name(code: str) -> str:
    """The English name of a language code (the code itself when it has none here).

    Examples
    --------
    >>> language_name("zh_hant"), language_name("pt"), language_name("ltg")
    ('Chinese (traditional)', 'Portuguese', 'ltg')
    """
    return LANGUAGE_NAMES.get(code) or _OTHER_NAMES.get(code, code)
# Latin-script text with fewer letters than this is decided among the requested languages.
SHORT_TEXT_LETTERS = 20
#: A short Latin-script comment in a batch (:func:`detect_languages`) is decided among the
#: languages of the batch's longer Latin-script comments with at least this share of them,
#: each weighted by its share (a prior: "RAS" or "Trop cher" among French reviews is French,
#: "Too slow." among English ones English), when the batch has at least
#: CORPUS_MIN_COMMENTS of them; otherwise among the run's Latin-script languages.
CORPUS_MIN_SHARE = 0.01
CORPUS_MIN_COMMENTS = 50
#: The run's languages are expected: their probabilities are multiplied by this before the
#: detector's choice (a prior), so another language must be this many times as likely.
#: py3langid alone calls "Polite, professional support staff." Italian (0.108 against
#: English 0.106) and Romanian typed without diacritics Italian or Latin; with 3, the
#: bundled test set's detector-alone score rises from 275 to 289 of 298, and of 1,500 Olist
#: reviews (Portuguese) 50 instead of 11 are taken for one of the six when ``pt`` is not
#: listed (none once it is). benchmarks/bench_language.py measures it.
EXPECTED_WEIGHT = 3.0
_HAN_WEIGHT = 3

_SET_ASIDE = re.compile(
    r"\[[a-z_]+\]"                     # masks written by core.pii
    r"|\b(?:https?://|www\.)\S+"       # web addresses
    r"|\S+@\S+\.\w+",                  # e-mail addresses
    re.IGNORECASE)
# The ISO 639-1 code the detector uses for each language code of ours (one Chinese).
_ISO = {"en": "en", "el": "el", "zh_hant": "zh", "zh_hans": "zh", "lv": "lv", "th": "th",
        "ro": "ro"}
# ISO codes of the listed languages not written in Latin script (never a short-text choice).
_NOT_LATIN = frozenset({"el", "zh", "th", "bg", "fa", "he", "hi", "hy", "ru", "uk"})
_SCRIPT_DECIDES = {"greek": "el", "thai": "th", "hangul": "ko"}
# py3langid labels that are not languages of their own here: "zxx" is its "no linguistic
# content"; Cantonese and Wu in Han script are Chinese, split by script like "zh".
_CODES = {"zxx": "und", "yue": "zh", "wuu": "zh"}


def _check_languages(languages: object) -> tuple[str, ...]:
    if isinstance(languages, str) or not isinstance(languages, Iterable):
        raise ParameterError(
            f"languages must be a list of language codes from {', '.join(LANGUAGES)}; "
            f"got {languages!r}.")
    languages = tuple(languages)
    unknown = [code for code in languages if code not in LANGUAGES + OTHER_LANGUAGES]
    if unknown or not languages:
        found = show_values(unknown) if unknown else "an empty list"
        raise ParameterError(
            f"languages may only hold the codes {', '.join(LANGUAGES)} (tested) or "
            f"{', '.join(OTHER_LANGUAGES)} (best effort); found {found}. Other languages "
            "are detected and reported without being listed.")
    return languages


def _script(char: str) -> str | None:
    """The script of a letter (only those the rule needs), else None."""
    code = ord(char)
    if 0x0370 <= code <= 0x03FF or 0x1F00 <= code <= 0x1FFF:
        return "greek"
    if 0x0E00 <= code <= 0x0E7F:
        return "thai"
    if (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2FFFF
            or 0xF900 <= code <= 0xFAFF):
        return "han"
    if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF:
        return "kana"
    if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "hangul"
    if char.isascii() or 0x00C0 <= code <= 0x024F or 0x1E00 <= code <= 0x1EFF:
        return "latin"
    return "other"


def _letters(text: str) -> str:
    """The letters of ``text`` once masks, addresses, digits, punctuation and emoji are out."""
    text = _SET_ASIDE.sub(" ", unicodedata.normalize("NFKC", text))
    return "".join(c for c in text if unicodedata.category(c)[0] in "LM" and not c.isdigit())


@functools.lru_cache(maxsize=65536)
def _chinese_script(text: str) -> str:
    """``zh_hant`` when more characters change under traditional->simplified than back."""
    import zhconv

    def changed(target: str) -> int:
        converted = zhconv.convert(text, target)
        if len(converted) == len(text):
            return sum(a != b for a, b in zip(text, converted))
        return sum(zhconv.convert(c, target) != c for c in text)

    return "zh_hant" if changed("zh-hans") > changed("zh-hant") else "zh_hans"


class _Py3langid:
    """The bundled detector: py3langid's naive Bayes model (142 labels, in the wheel)."""

    name = "py3langid"

    def __init__(self) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
        self._model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def full(self, text: str, expected: tuple[str, ...] = ()) -> tuple[str, float]:
        """The most probable label once the ``expected`` ISO codes' probabilities are
        multiplied by :data:`EXPECTED_WEIGHT`, and its probability (renormalised)."""
        ranked = self._model.rank(text)
        weighted = [(code, p * (EXPECTED_WEIGHT if code in expected else 1.0))
                    for code, p in ranked]
        total = sum(p for _, p in weighted)
        code, probability = max(weighted, key=lambda pair: pair[1])
        confidence = probability / total if total > 0 else float("nan")
        return _CODES.get(code, code), float(confidence)

    def weighted(self, text: str, prior: dict[str, float]) -> tuple[str, float]:
        """The most probable of the ``prior``'s ISO codes once each probability is
        multiplied by its prior, and its share of the weighted total."""
        if len(prior) == 1:
            return _CODES.get(next(iter(prior)), next(iter(prior))), float("nan")
        scored = [(code, p * prior[code]) for code, p in self._model.rank(text) if code in prior]
        total = sum(p for _, p in scored)
        code, score = max(scored, key=lambda pair: pair[1])
        return _CODES.get(code, code), float(score / total) if total > 0 else float("nan")

    def restricted(self, text: str, isos: tuple[str, ...]) -> tuple[str, float]:
        if len(isos) == 1:
            return isos[0], float("nan")
        ranked = [(code, p) for code, p in self._model.rank(text) if code in isos]
        total = sum(p for _, p in ranked)
        code, probability = ranked[0]
        return code, float(probability / total) if total > 0 else float("nan")


@functools.lru_cache(maxsize=1)
def _detector() -> _Py3langid:
    return _Py3langid()


def _scripts(letters: str) -> tuple[str, dict[str, int]]:
    """The main script of some letters (a Han character counting three) and the counts."""
    counts: dict[str, int] = {}
    for char in letters:
        script = _script(char)
        if script is not None:
            counts[script] = counts.get(script, 0) + (_HAN_WEIGHT if script == "han" else 1)
    return (max(counts, key=lambda s: (counts[s], s)) if counts else "other"), counts


def _decide(text: str, languages: tuple[str, ...], detector,
            corpus: dict[str, float] | None = None) -> tuple[str, float]:
    """The documented rule for one text: (code, confidence). ``corpus``: ISO code -> share
    of the longer Latin-script comments around it, the prior of a short one."""
    letters = _letters(text)
    if not letters:
        return "und", float("nan")
    script, counts = _scripts(letters)
    if script == "han" or (script == "kana" and "han" in counts):
        if "kana" in counts:
            return "ja", 1.0
        return _chinese_script(text), 1.0
    if script == "kana":
        return "ja", 1.0
    if script in _SCRIPT_DECIDES:
        return _SCRIPT_DECIDES[script], 1.0
    if script == "latin" and len(letters) < SHORT_TEXT_LETTERS:
        if corpus:
            return detector.weighted(text, corpus)
        latin = tuple(sorted({_ISO.get(c, c) for c in languages} - _NOT_LATIN))
        if latin:
            return detector.restricted(text, latin)
    code, confidence = detector.full(text, tuple(_ISO.get(c, c) for c in languages))
    if code == "zh" and "han" in counts:
        code = _chinese_script(text)
    elif code == "zh":
        code = "und"
    return code, confidence


def _corpus_prior(latin: Sequence[tuple[str, int]]) -> dict[str, float] | None:
    """ISO code -> share of the comments of at least SHORT_TEXT_LETTERS Latin letters
    (``latin``: each distinct text's code and its number of comments) detected in it, for
    the languages with at least CORPUS_MIN_SHARE of them; None when fewer than
    CORPUS_MIN_COMMENTS such comments (repeats count)."""
    counts: dict[str, int] = {}
    for code, n in latin:
        if code != "und":
            counts[code] = counts.get(code, 0) + int(n)
    total = sum(counts.values())
    if total < CORPUS_MIN_COMMENTS:
        return None
    return {_ISO.get(code, code): n / total for code, n in counts.items()
            if n / total >= CORPUS_MIN_SHARE}


def _check_text(text: object) -> str:
    if not isinstance(text, str):
        raise ParameterError(
            f"text must be a string; got {text!r} of type {type(text).__name__}. Pass the "
            "comment as text (drop missing comments or fill them with '' first).")
    return text


def detect_language(text: str, languages: Sequence[str] = LANGUAGES) -> str:
    """Return the language code of one comment (see the module's rule).

    Parameters
    ----------
    text : str
        The comment.
    languages : sequence of str
        The supported languages (codes of :data:`LANGUAGES`). Short Latin-script text is
        decided among these; longer text may get any code the detector knows.

    Returns
    -------
    str
        One of ``languages``, another ISO 639-1 code (e.g. ``"pt"``), or ``"und"``.

    Raises
    ------
    ParameterError
        When ``text`` is not a string or ``languages`` holds an unknown code.

    Examples
    --------
    >>> detect_language("Η υποστήριξη ήταν άψογη"), detect_language("服務很好"), detect_language("👍 10/10")
    ('el', 'zh_hant', 'und')
    >>> detect_language("The refund never arrived and nobody answers my e-mails.")
    'en'
    """
    return _decide(_check_text(text), _check_languages(languages), _detector())[0]


def detect_languages(texts: pd.Series, languages: Sequence[str] = LANGUAGES) -> pd.DataFrame:
    """Detect the language of every comment of a Series (each distinct text once).

    Parameters
    ----------
    texts : pandas.Series
        Comments (strings). Missing values (None, NaN) are ``"und"``; any other non-string
        value is an error.
    languages : sequence of str
        The supported languages (codes of :data:`LANGUAGES`).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``texts``, with columns ``language`` (code), ``language_supported``
        (bool: the code is in ``languages``) and ``confidence`` (the detector's value in
        0-1; 1.0 where the script decided; NaN for ``"und"`` and where a single candidate
        language was left).

    Raises
    ------
    ParameterError
        When ``texts`` is not a Series, holds non-string values, or ``languages`` holds an
        unknown code.

    Examples
    --------
    >>> out = detect_languages(pd.Series(["Mulțumesc, problema a fost rezolvată rapid.",
    ...                                   "แย่มาก", "O atendimento foi ótimo, obrigado!", ""]))
    >>> out[["language", "language_supported"]].values.tolist()
    [['ro', True], ['th', True], ['pt', False], ['und', False]]
    """
    if not isinstance(texts, pd.Series):
        raise ParameterError(
            f"texts must be a pandas Series of comments; got {type(texts).__name__}. "
            "Wrap a list as pd.Series(list).")
    languages = _check_languages(languages)
    missing = texts.isna().to_numpy()
    bad = [v for v, m in zip(texts, missing) if not m and not isinstance(v, str)]
    if bad:
        raise ParameterError(
            f"texts must hold strings; found {show_values(bad)} "
            f"({len(bad)} value(s)). Convert the comment column to text first.")
    detector = _detector()
    times = texts[~missing].value_counts(sort=False)  # each distinct text and its count
    letters = {t: _letters(t) for t in times.index}
    script = {t: _scripts(letters[t])[0] for t in times.index}
    short = {t for t in times.index
             if script[t] == "latin" and 0 < len(letters[t]) < SHORT_TEXT_LETTERS}
    decided = {t: _decide(t, languages, detector) for t in times.index if t not in short}
    latin = [(decided[t][0], n) for t, n in times.items() if t not in short and script[t] == "latin"]
    corpus = _corpus_prior(latin)
    decided.update({t: _decide(t, languages, detector, corpus) for t in short})
    codes: list[str] = []
    confidence = np.full(len(texts), np.nan)
    for i, (value, is_missing) in enumerate(zip(texts, missing)):
        if is_missing:
            codes.append("und")
            continue
        result = decided[value]
        codes.append(result[0])
        confidence[i] = result[1]
    supported = set(languages)
    return pd.DataFrame({
        "language": pd.Series(codes, index=texts.index, dtype="str"),
        "language_supported": pd.Series([c in supported for c in codes], index=texts.index,
                                        dtype=bool),
        "confidence": pd.Series(confidence, index=texts.index, dtype="float64"),
    })
