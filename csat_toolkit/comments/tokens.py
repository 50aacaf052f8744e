"""Comment text to comparable words: normalisation, segmentation, lemmas, stop words.

``normalise(text, language)`` is the one text form every comparison uses (topic
keywords, keyword in context, tokens): NFKC, casefold, whitespace runs as one space;
Greek without tonos or dialytika and with final sigma as sigma; Romanian without its
diacritics (cedilla and comma forms unified first). Latvian keeps its diacritics (they
tell words apart: "kaza" goat, "kāza" wedding). Masks such as ``[email]`` stay whole.
"""
from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence

from ..errors import ParameterError, show_values

__all__ = ["normalise", "tokenize", "tokenize_many", "phrases", "STOP_WORD_SOURCES", "OTHER_LANGUAGES",
           "KEPT_NEGATIONS"]

_LANGUAGES = ("en", "el", "zh_hant", "zh_hans", "lv", "th", "ro")
_SEGMENTED = ("zh_hant", "zh_hans", "th")
#: Languages beyond the six that a run may list (``languages=[..., "pt"]``): written with
#: spaces, with stop words in stopwordsiso and lemmas in simplemma (both bundled). They get
#: the same steps as Latvian (case folded, diacritics kept); they are not in the tested
#: language set, so their figures are best effort.
OTHER_LANGUAGES: tuple[str, ...] = (
    "bg", "ca", "cs", "da", "de", "eo", "es", "et", "fa", "fi", "fr", "ga", "gl", "he", "hi",
    "hu", "hy", "id", "it", "la", "lt", "ms", "nl", "pl", "pt", "ru", "sk", "sl", "sv", "sw",
    "tl", "tr", "uk")
STOP_WORD_SOURCES: dict[str, str] = {
    "en": "scikit-learn's ENGLISH_STOP_WORDS (the Glasgow list, 318 words)", "el": "stopwordsiso 0.7.1 (el)",
    "lv": "stopwordsiso 0.7.1 (lv)", "ro": "stopwordsiso 0.7.1 (ro)",
    "zh_hans": "stopwordsiso 0.7.1 (zh)",
    "zh_hant": "stopwordsiso 0.7.1 (zh) and its traditional form (zhconv)",
    "th": "pythainlp 5.4.0 thai_stopwords()",
}
# English: stopwordsiso's list (1,298 words) holds "great", "thanks", "good", "problem",
# "help", "useful": the words satisfied and unhappy customers write; scikit-learn's short
# list keeps them.
# Negations are stop words in those lists, but "not resolved", "δεν λύθηκε", "没解决" are
# what unhappy customers write: they are kept as tokens (removed from the stop lists).
KEPT_NEGATIONS: dict[str, frozenset[str]] = {
    "en": frozenset({"no", "not", "never", "nothing", "nobody", "none", "nor", "cannot",
                     "can't", "cant", "don't", "dont", "doesn't", "didn't", "won't", "isn't",
                     "wasn't", "hasn't", "haven't", "couldn't", "wouldn't", "aren't"}),
    "el": frozenset({"δεν", "δε", "μη", "μην", "όχι", "ούτε", "ποτέ", "κανείς", "τίποτα"}),
    "lv": frozenset({"ne", "nav", "nekad", "neviens", "nekas", "nedz"}),
    "ro": frozenset({"nu", "niciun", "nicio", "niciodată", "nimeni", "nimic", "nici"}),
    "zh_hans": frozenset({"不", "没", "没有", "别", "无", "未"}),
    "zh_hant": frozenset({"不", "沒", "沒有", "別", "無", "未"}),
    "th": frozenset({"ไม่", "ไม่ได้", "ไม่มี", "ไม่เคย"}),
    "pt": frozenset({"não", "nao", "nunca", "nada", "nenhum", "nenhuma", "ninguém"}),
    "es": frozenset({"no", "nunca", "nada", "ningún", "ninguno", "ninguna", "nadie"}),
    "de": frozenset({"nicht", "kein", "keine", "keinen", "nie", "niemand", "nichts"}),
    "fr": frozenset({"ne", "pas", "jamais", "rien", "personne", "aucun", "aucune"}),
    "it": frozenset({"non", "mai", "niente", "nulla", "nessuno", "nessuna"}),
}

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


# --- tokens -----------------------------------------------------------------------------

_EMOJI_CHAR = ("\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF"
               "\u2190-\u21FF\u3030\u303D\u3297\u3299")
_EMOJI = (f"[{_EMOJI_CHAR}][\uFE0F\U0001F3FB-\U0001F3FF]*"
          f"(?:\u200D[{_EMOJI_CHAR}][\uFE0F\U0001F3FB-\U0001F3FF]*)*")
# One token: a mask, an emoji (with its modifiers), or a word (apostrophes inside kept).
_PIECES = re.compile(rf"(\[[a-z_]+\])|({_EMOJI})|([^\W\d_]+(?:['’][^\W\d_]+)*)")
_CHUNKS = re.compile(rf"(\[[a-z_]+\]|{_EMOJI})")
_WORDLIKE = re.compile(r"[^\W\d_]")
_ROMANIAN_CEDILLA = str.maketrans({"ş": "ș", "ţ": "ț"})


def _emoji_token(text: str) -> str:
    return text.replace("\uFE0F", "")


@functools.lru_cache(maxsize=None)
def _stop_words(language: str) -> frozenset[str]:
    """The stop words of a language, normalised (``STOP_WORD_SOURCES``), negations kept."""
    if language == "th":
        from pythainlp.corpus import thai_stopwords
        words = set(thai_stopwords())
    elif language == "en":
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
        words = set(ENGLISH_STOP_WORDS)
    else:
        import stopwordsiso
        words = set(stopwordsiso.stopwords("zh" if language.startswith("zh") else language))
        if language == "zh_hant":
            import zhconv
            words |= {zhconv.convert(w, "zh-hant") for w in words}
    negations = KEPT_NEGATIONS.get(language, frozenset())
    words -= negations
    kept = {normalise(w, language) for w in negations}
    return frozenset(normalise(w, language) for w in words) - kept


@functools.lru_cache(maxsize=262144)
def _word_token(word: str, language: str) -> str | None:
    """Lemma of one casefolded word, normalised; None for a stop word or a 1-letter word."""
    import simplemma
    if language == "ro":
        word = word.translate(_ROMANIAN_CEDILLA)
    stop = _stop_words(language)
    surface = normalise(word, language)
    if surface in stop or len(surface) < 2:
        return None
    lemma = normalise(simplemma.lemmatize(word, lang=language), language)
    if lemma in stop or len(lemma) < 2:
        negations = KEPT_NEGATIONS.get(language, frozenset())
        return surface if surface in {normalise(w, language) for w in negations} else None
    return lemma


@functools.lru_cache(maxsize=1)
def _jieba():
    import jieba
    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict ..." lines stay quiet
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def _segment_chinese(text: str, language: str) -> list[str]:
    """jieba's words; traditional text is cut on its simplified form (jieba's dictionary)."""
    import zhconv
    source = zhconv.convert(text, "zh-hans") if language == "zh_hant" else text
    if len(source) != len(text):
        source = text
    words, start = [], 0
    for piece in _jieba().cut(source):
        words.append(text[start:start + len(piece)])
        start += len(piece)
    return words


def _segment_thai(text: str) -> list[str]:
    from pythainlp.tokenize import word_tokenize
    return word_tokenize(text, engine="newmm", keep_whitespace=False)


def _segmented_tokens(text: str, language: str) -> list[str]:
    stop = _stop_words(language)
    tokens: list[str] = []
    for chunk in _CHUNKS.split(text):
        if not chunk or chunk.isspace():
            continue
        if _CHUNKS.fullmatch(chunk):
            tokens.append(chunk if chunk.startswith("[") else _emoji_token(chunk))
            continue
        words = (_segment_thai(chunk) if language == "th"
                 else _segment_chinese(chunk, language))
        for word in words:
            word = word.strip()
            if not word or not _WORDLIKE.search(word) or word in stop:
                continue
            if word.isascii():  # a product name or an English word inside
                word = "".join(_WORDLIKE.findall(word)) if not word.isalpha() else word
                if len(word) < 2:
                    continue
            tokens.append(word)
    return tokens


def _tokens(text: str, language: str) -> list[str]:
    if language not in _LANGUAGES and language not in OTHER_LANGUAGES:
        return []
    if language in _SEGMENTED:
        return _segmented_tokens(normalise(text, language), language)
    cased = _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold())
    tokens: list[str] = []
    for mask, emoji, word in _PIECES.findall(cased):
        if mask:
            tokens.append(mask)
        elif emoji:
            tokens.append(_emoji_token(emoji))
        else:
            token = _word_token(word.replace("’", "'"), language)
            if token is not None:
                tokens.append(token)
    return tokens


def tokenize(text: str, language: str) -> list[str]:
    """Split a comment into normalised word tokens: lemmas, stop words out, emoji kept.

    - ``en``, ``el``, ``lv``, ``ro``: words are runs of letters (apostrophes inside kept:
      "can't"); each is lemmatised by simplemma (its bundled dictionaries, on the accented
      form where there is one), then normalised with :func:`normalise` (Greek without
      accents, Romanian without diacritics). Romanian typed without diacritics is
      lemmatised less often (simplemma's dictionary has the accented forms).
    - ``zh_hans``, ``zh_hant``: jieba's words (its bundled dictionary, loaded once and
      quietly; traditional text is cut on its simplified conversion, the words keep their
      traditional characters). ``th``: pythainlp's ``newmm`` words. No lemmas (neither
      language inflects).
    - Stop words (sources in :data:`STOP_WORD_SOURCES`) are removed, except the negations
      of :data:`KEPT_NEGATIONS`; so are punctuation, pure numbers, digits inside words and
      one-letter words. Each emoji is its own token (without its variation selector);
      masks such as ``[email]`` stay one token.
    - The languages of :data:`OTHER_LANGUAGES` (``pt``, ``es``, ``de`` ...; a run lists
      them in ``languages``) are split on spaces, lemmatised by simplemma and cleared of
      stopwordsiso's stop words, diacritics kept: best effort, outside the tested set.
    - Any other code (``und``, ``ja`` ...) gives ``[]``: its text is never mangled by
      another language's rules.

    Parameters
    ----------
    text : str
        The comment.
    language : str
        Its language code.

    Returns
    -------
    list of str

    Raises
    ------
    ParameterError
        When ``text`` or ``language`` is not a string.

    Examples
    --------
    >>> tokenize("The agents were waiting for 2 days, not helpful 😡", "en")
    ['agent', 'wait', 'day', 'not', 'helpful', '😡']
    >>> tokenize("Το πρόβλημα λύθηκε, ευχαριστώ!", "el")
    ['προβλημα', 'λυνω', 'ευχαριστω']
    >>> tokenize("O atendimento foi ótimo", "pt"), tokenize("O atendimento foi ótimo", "und")
    (['atendimento', 'ótimo'], [])
    """
    return _tokens(_check_text(text), _check_language(language))


def tokenize_many(texts: Iterable[str], languages: Iterable[str]) -> list[list[str]]:
    """Tokenise many comments, each in its own language (each distinct pair once).

    Parameters
    ----------
    texts : iterable of str
        Comments; missing values (None, NaN) give ``[]``.
    languages : iterable of str
        One language code per comment (e.g. the ``language`` column of
        ``detect_languages``).

    Returns
    -------
    list of list of str
        One token list per comment, as :func:`tokenize` gives it.

    Raises
    ------
    ParameterError
        When the two lengths differ, or a comment or language is not a string.

    Examples
    --------
    >>> tokenize_many(["Fast reply!", "回复太慢了", "👍"], ["en", "zh_hans", "und"])
    [['fast', 'reply'], ['回复', '太慢'], []]
    """
    texts, languages = list(texts), list(languages)
    if len(texts) != len(languages):
        raise ParameterError(
            f"texts and languages must have one entry per comment; got {len(texts)} texts "
            f"and {len(languages)} language codes.")
    bad = [t for t in texts if not isinstance(t, str) and not _missing(t)]
    if bad:
        raise ParameterError(
            f"texts must hold strings; found {show_values(bad)}. Convert the comment "
            "column to text first.")
    bad = [code for code in languages if not isinstance(code, str)]
    if bad:
        raise ParameterError(
            f"languages must hold language codes (strings); found {show_values(bad)}.")
    done: dict[tuple[str, str], list[str]] = {}
    out: list[list[str]] = []
    for text, language in zip(texts, languages):
        if not isinstance(text, str):
            out.append([])
            continue
        key = (text, language)
        if key not in done:
            done[key] = _tokens(text, language)
        out.append(list(done[key]))
    return out


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def phrases(tokens: Sequence[str], n: int = 2, language: str | None = None) -> list[str]:
    """Consecutive n-grams of a token list (after stop words were removed).

    Tokens are joined by a space; for ``zh_hant``, ``zh_hans`` and ``th`` (no spaces
    between words) they are joined with nothing ("回复" + "太慢" -> "回复太慢").

    Parameters
    ----------
    tokens : sequence of str
        Tokens of one comment, as :func:`tokenize` gives them.
    n : int
        Words per phrase, at least 2.
    language : str, optional
        The comment's language (chooses the joiner).

    Returns
    -------
    list of str

    Raises
    ------
    ParameterError
        When ``n`` is not an integer of at least 2.

    Examples
    --------
    >>> phrases(["not", "resolve", "wait"])
    ['not resolve', 'resolve wait']
    >>> phrases(["回复", "太慢"], language="zh_hans")
    ['回复太慢']
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ParameterError(f"n must be an integer of at least 2 (words per phrase); got {n!r}.")
    joiner = "" if language in _SEGMENTED else " "
    tokens = list(tokens)
    return [joiner.join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
