"""Personal data in free text: find and mask e-mail addresses, phone and card-like numbers.

Comments leave the toolkit in tables, examples and exported files; :func:`mask_pii` replaces
what looks like personal contact or payment data with a placeholder first: ``[email]``,
``[phone]``, ``[card]``. Everything else (words, emoji, dates, prices, short ticket
numbers) is kept exactly as written.

What counts as what (the patterns are applied in this order; a span masked by one kind is
not looked at again):

``email``
    ``local@domain.tld`` (ASCII letters, digits and ``._%+-`` before the ``@``, a domain
    with a dot and a 2-24 letter ending), also in a comment written without spaces
    (``请联系zhang@example.com谢谢``). The obfuscated forms ``name [at] domain [dot] com``,
    ``name(at)domain.com`` and ``name at domain dot com`` (the last only with a common
    ending such as com, org, gr, lv, ro, th, cn) are masked too.
``card``
    13 to 19 digits, written together or in groups of at least 3 digits separated by single
    spaces or dashes (``4111 1111 1111 1111``, ``3782-822463-10005``), not starting with
    0 or after ``+``. They are masked whether or not they pass the Luhn check: a mistyped
    card number is still a card number (``counts`` says how many passed,
    :func:`luhn_valid`).
``phone``
    8 to 15 digits in all, with an optional ``+`` country code, in groups separated by
    single spaces, dots or dashes, with optional parentheses: ``+44 20 7946 0958``,
    ``(555) 123-4567``, ``+30 210 123 4567``, ``+371 2000 0000``, ``0712 345 678``,
    ``138 0013 8000``, ``081-234-5678``, ``13800138000``. Any run of 8 or more digits
    that is not a date is therefore masked (long ticket or order numbers written as
    digits only included); numbers glued to letters (``ORD12345678``, ``A-1234-5678``)
    are identifiers and kept. A run of digits is judged whole: two numbers written with
    only a space between them (``0712 345 678 4111 1111 1111 1111``) make one run of 26
    digits, too long for either kind, and are kept; any other character between them
    (a comma, a slash, a word) separates them.

Never masked: dates (``2024-03-01``, ``01/03/2024``, ``1.3.2024``, year ranges
``2019-2024``), times, prices and amounts (``$1,299.00``, ``12.345.678``, a number with a
decimal part or a currency sign), percentages, version numbers (``10.0.19045.3803``) and
numbers under 8 digits.

Unicode digits (full-width ``１３８…``, Thai ``๐๘๑``, Arabic-Indic ...) and full-width
punctuation are read as their ASCII equivalents for matching only; the rest of the text is
returned as written.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import overload

import numpy as np
import pandas as pd

from ..errors import MissingColumnError, ParameterError, show_values
from .display import result_html

__all__ = ["PII_KINDS", "PLACEHOLDERS", "FREE_TEXT_WORDS", "PiiMatch", "MaskResult",
           "find_pii", "mask_text", "mask_pii", "mask_columns", "free_text_columns",
           "masked_sentence", "luhn_valid"]

#: The kinds of personal data masked (the order of ``counts``; they are looked for in the
#: order email, card, phone whatever the order given).
PII_KINDS = ("email", "phone", "card")

#: What replaces each kind.
PLACEHOLDERS = {"email": "[email]", "phone": "[phone]", "card": "[card]"}

#: Words that mark a column as free text (its snake-case name contains one of them).
FREE_TEXT_WORDS = ("comment", "feedback", "verbatim", "text", "reason", "remark", "note",
                   "message", "description", "body", "why", "suggestion", "complaint")

_WORDS = {"email": ("e-mail address", "e-mail addresses"),
          "phone": ("phone number", "phone numbers"),
          "card": ("card-like number", "card-like numbers")}

# --- matching on a normalised copy --------------------------------------------------------

# One character for one: full-width ASCII forms, unusual spaces and dashes. Lengths are
# kept, so a span found in the normalised copy is the same span in the original text.
_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_TABLE.update({cp: ord(" ") for cp in (0x00A0, 0x2007, 0x2009, 0x200A, 0x202F, 0x3000)})
_TABLE.update({cp: ord("-") for cp in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2212,
                                       0xFE63)})
_TABLE.update({0x3002: ord("."), 0xFF61: ord("."), 0x3001: ord(",")})
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")
_ANY_DIGIT = re.compile(r"\d")
_AT_HINT = re.compile(r"@|\bat\b", re.IGNORECASE)

_EMAIL = re.compile(
    r"[A-Za-z0-9_%+\-][A-Za-z0-9._%+\-]*@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9\-])")
_DOT = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+|\.)"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
_ENDINGS = (r"(?:com|net|org|edu|gov|info|biz|io|co|me|eu|uk|us|de|fr|it|es|nl|gr|lv|ro|th|"
            r"cn|tw|hk|sg|jp|kr|ru)")
_EMAIL_BRACKETS = re.compile(
    rf"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9_%+\-][A-Za-z0-9._%+\-]*\s*[\[(<{{]\s*at\s*[\])>}}]\s*"
    rf"{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}[A-Za-z]{{2,24}}(?![A-Za-z0-9\-])", re.IGNORECASE)
_EMAIL_WORDS = re.compile(
    rf"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9_%+\-][A-Za-z0-9._%+\-]*\s+at\s+{_LABEL}"
    rf"(?:(?:\s+dot\s+|\.){_LABEL})*\s+dot\s+{_ENDINGS}(?![A-Za-z0-9\-])", re.IGNORECASE)

# Dates and year ranges are kept: they are hidden from the number patterns.
_DATE = re.compile(
    r"(?<![0-9])(?:(?P<y>[0-9]{4})(?P<s1>[-./])(?P<m>[0-9]{1,2})(?P=s1)(?P<d>[0-9]{1,2})"
    r"|(?P<a>[0-9]{1,2})(?P<s2>[-./])(?P<b>[0-9]{1,2})(?P=s2)(?P<yy>[0-9]{4}|[0-9]{2}))"
    r"(?![0-9]|[-./][0-9])")
_YEARS = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2} ?[-/] ?(?:19|20)[0-9]{2}(?![0-9]|[-./][0-9])")

_CARD = re.compile(
    r"(?<![A-Za-z0-9_+])(?<![0-9][ \-])[1-9][0-9]{2,}(?:[ \-][0-9]{3,})*"
    r"(?![A-Za-z0-9_])(?![ \-][0-9])(?![.,][0-9])")
_PHONE = re.compile(
    r"(?<![A-Za-z0-9_+\-./])(?:\+ ?)?(?:\([0-9]{1,5}\)|[0-9]+)"
    r"(?:(?:[ .\-]|(?<=\)) |(?= ?\())?(?:\([0-9]{1,5}\)|[0-9]+))*"
    r"(?![A-Za-z0-9_])(?![.,\-/][0-9])(?! ?%)")
_GROUPS = re.compile(r"[0-9]+")
_CURRENCY_BEFORE = re.compile(r"[$€£¥₩฿₹₽]\s?$|(?:lei|ron|eur|usd|gbp|rmb|cny|twd|thb)\s?$",
                              re.IGNORECASE)
_CURRENCY_AFTER = re.compile(r"^\s?(?:[$€£¥₩฿₹₽元円]|(?:lei|ron|eur|usd|gbp|rmb|cny|twd|thb|"
                             r"baht|euro)(?![A-Za-z]))", re.IGNORECASE)


@dataclass(frozen=True)
class PiiMatch:
    """One span of personal data found in a text (``text[start:end]``)."""

    kind: str
    start: int
    end: int


def _normalise(text: str) -> str:
    """The text with ASCII digits and punctuation for matching (same length)."""
    norm = text.translate(_TABLE)
    if not norm.isascii():
        norm = _OTHER_DIGIT.sub(lambda m: str(unicodedata.decimal(m.group())), norm)
    return norm


def _blank(text: str, spans: Iterable[tuple[int, int]], fill: str = "\x00") -> str:
    parts, last = [], 0
    for start, end in spans:
        parts += [text[last:start], fill * (end - start)]
        last = end
    return "".join(parts) + text[last:]


def _find_all(pattern: re.Pattern, text: str, accept=None) -> list[tuple[int, int]]:
    found = []
    for match in pattern.finditer(text):
        if accept is None or accept(match, text):
            found.append(match.span())
    return found


def _valid_date(match: re.Match, _text: str) -> bool:
    if match.group("y"):
        month, day = int(match.group("m")), int(match.group("d"))
        return 1 <= month <= 12 and 1 <= day <= 31
    a, b = int(match.group("a")), int(match.group("b"))
    return 1 <= a <= 31 and 1 <= b <= 31 and min(a, b) <= 12


def _n_digits(span: str) -> int:
    return sum(c in "0123456789" for c in span)


def _card(match: re.Match, _text: str) -> bool:
    return 13 <= _n_digits(match.group()) <= 19


def _phone(match: re.Match, text: str) -> bool:
    span = match.group()
    if not 8 <= _n_digits(span) <= 15:
        return False
    if span.count("(") != span.count(")"):
        return False
    groups = [len(g) for g in _GROUPS.findall(span)]
    if "." in span:
        # 555.123.4567 and 01.23.45.67.89 are phones; 10.0.19045.3803 (a version) and
        # 12.345.678 (an amount with dots for thousands) are not.
        if any(c in span for c in " -()+") or not all(2 <= g <= 4 for g in groups):
            return False
        if len(groups) >= 2 and groups[0] <= 3 and all(g == 3 for g in groups[1:]):
            return False
    start, end = match.span()
    return not (_CURRENCY_BEFORE.search(text[max(0, start - 5):start])
                or _CURRENCY_AFTER.search(text[end:end + 6]))


def _spans(text: str, kinds: Sequence[str]) -> list[PiiMatch]:
    """The personal data in ``text``, in text order (kinds looked for email, card, phone)."""
    has_digits = len(_ANY_DIGIT.findall(text)) >= 8
    if not has_digits and not ("email" in kinds and _AT_HINT.search(text)
                               or "＠" in text):
        return []
    norm = _normalise(text)
    found: list[PiiMatch] = []
    work = norm
    if "email" in kinds:
        spans = _find_all(_EMAIL, work)
        work = _blank(work, spans)
        for pattern in (_EMAIL_BRACKETS, _EMAIL_WORDS):
            more = _find_all(pattern, work)
            spans += more
            work = _blank(work, more)
        found += [PiiMatch("email", s, e) for s, e in spans]
    if has_digits and ("card" in kinds or "phone" in kinds):
        kept = sorted(_find_all(_DATE, work, _valid_date) + _find_all(_YEARS, work))
        hidden = _blank(work, _drop_overlaps(kept), "\x00")
        for kind, pattern, accept in (("card", _CARD, _card), ("phone", _PHONE, _phone)):
            if kind not in kinds:
                continue
            spans = _find_all(pattern, hidden, accept)
            hidden = _blank(hidden, spans)
            found += [PiiMatch(kind, s, e) for s, e in spans]
    return sorted(found, key=lambda m: m.start)


def _drop_overlaps(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if not out or start >= out[-1][1]:
            out.append((start, end))
    return out


def _as_kinds(kinds) -> tuple[str, ...]:
    given = (kinds,) if isinstance(kinds, str) else tuple(kinds) if kinds is not None else ()
    unknown = [k for k in given if k not in PII_KINDS]
    if unknown or not given:
        found = show_values(unknown) if unknown else "nothing"
        raise ParameterError(
            f"kinds must name what to mask, from {', '.join(PII_KINDS)}; got {found}. "
            "For example kinds=('email', 'phone'); to turn masking off, pass mask_pii=False "
            "to the function that exports the text.")
    return tuple(dict.fromkeys(given))


def find_pii(text: str, kinds: Sequence[str] = PII_KINDS) -> list[PiiMatch]:
    """The e-mail addresses, card-like and phone numbers in a text, in text order.

    Parameters
    ----------
    text : str
    kinds : sequence of str
        What to look for, from ``"email"``, ``"card"``, ``"phone"``.

    Returns
    -------
    list of PiiMatch
        ``kind``, ``start``, ``end`` (``text[start:end]`` is the span), non-overlapping.

    Examples
    --------
    >>> [(m.kind, m.start, m.end) for m in find_pii("Call +30 210 123 4567 or a@b.gr")]
    [('phone', 5, 21), ('email', 25, 31)]
    """
    if not isinstance(text, str):
        raise ParameterError(f"find_pii needs a text (str); got {type(text).__name__}.")
    return _spans(text, _as_kinds(kinds))


def _apply(text: str, matches: Sequence[PiiMatch]) -> str:
    parts, last = [], 0
    for match in matches:
        parts += [text[last:match.start], PLACEHOLDERS[match.kind]]
        last = match.end
    return "".join(parts) + text[last:]


def mask_text(text: str, kinds: Sequence[str] = PII_KINDS) -> str:
    """One text with its e-mail addresses, card-like and phone numbers masked.

    Parameters
    ----------
    text : str
    kinds : sequence of str
        What to mask, from ``"email"``, ``"card"``, ``"phone"`` (all by default).

    Returns
    -------
    str
        The text with ``[email]``, ``[card]``, ``[phone]`` in place of what was found.

    Examples
    --------
    >>> mask_text("Mail jo@example.com or call (555) 123-4567 before 2024-03-01.")
    'Mail [email] or call [phone] before 2024-03-01.'
    >>> mask_text("Card 4111 1111 1111 1111 charged $1,299.00 twice")
    'Card [card] charged $1,299.00 twice'
    """
    if not isinstance(text, str):
        raise ParameterError(f"mask_text needs a text (str); got {type(text).__name__}. "
                             "Use mask_pii for a column of texts.")
    return _apply(text, _spans(text, _as_kinds(kinds)))


def luhn_valid(number: str) -> bool:
    """Whether the digits of ``number`` pass the Luhn check of payment card numbers.

    Examples
    --------
    >>> luhn_valid("4111 1111 1111 1111"), luhn_valid("4111 1111 1111 1112")
    (True, False)
    """
    digits = [int(c) for c in _normalise(str(number)) if c in "0123456789"]
    if not digits:
        return False
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


# --- columns of texts ---------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MaskResult:
    """Texts with personal data masked (see :func:`mask_pii`).

    Attributes
    ----------
    text : Series
        The texts, masked; same index, name and (text) dtype as given; missing values and
        values that are not text are kept as they are.
    counts : DataFrame
        One row per kind looked for: ``kind``, ``comments`` (texts with at least one
        match), ``matches`` (spans masked); for cards also ``luhn_valid`` (spans passing
        the Luhn check; missing for the other kinds).
    per_text : DataFrame
        Spans masked in each text, one column per kind (same index as ``text``).
    n_texts : int
        Texts looked at (non-missing text values).
    """

    text: pd.Series
    counts: pd.DataFrame
    per_text: pd.DataFrame = field(default_factory=pd.DataFrame)
    n_texts: int = 0

    def to_dict(self) -> dict[str, int]:
        """Spans masked per kind, e.g. ``{"email": 3, "phone": 1, "card": 0}``
        (plain ints: fit for ``headline.json`` and ``DataFrame.attrs``)."""
        return {str(k): int(n) for k, n in zip(self.counts["kind"], self.counts["matches"])}

    def summary(self) -> str:
        """What was masked, in one sentence.

        Examples
        --------
        >>> mask_pii(pd.Series(["a@b.com, c@d.org", "call 0712 345 678", "fine"])).summary()
        '2 e-mail addresses and 1 phone number masked in 2 of 3 texts.'
        """
        comments = int((self.per_text > 0).any(axis=1).sum()) if len(self.per_text) else 0
        sentence = masked_sentence(self.to_dict())
        if not any(self.to_dict().values()):
            return sentence
        return sentence[:-1] + f" in {comments:,} of {self.n_texts:,} texts."

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.counts)

    def __repr__(self) -> str:
        return f"MaskResult({self.summary()})"


@overload
def mask_pii(texts: str, kinds: Sequence[str] = ...) -> str: ...
@overload
def mask_pii(texts: pd.Series, kinds: Sequence[str] = ...) -> MaskResult: ...


def mask_pii(texts, kinds: Sequence[str] = PII_KINDS):
    """Mask e-mail addresses, card-like and phone numbers in texts (see the module notes).

    Parameters
    ----------
    texts : Series or str
        The texts (a list, tuple or array is read as a Series); values that are not
        text (missing values, numbers) are kept as they are. A single ``str`` gives the
        masked ``str`` (as :func:`mask_text`).
    kinds : sequence of str
        What to mask, from ``"email"``, ``"card"``, ``"phone"`` (all by default).

    Returns
    -------
    MaskResult or str
        ``.text`` (masked, same index), ``.counts`` (``kind``, ``comments``, ``matches``,
        ``luhn_valid``), ``.summary()``, ``.to_dict()``; a ``str`` for a ``str``.

    Raises
    ------
    ParameterError
        ``kinds`` names something else, or ``texts`` is not text.

    Examples
    --------
    >>> result = mask_pii(pd.Series(["Call me: +44 20 7946 0958", None, "a@b.com or a@c.com"]))
    >>> result.text.tolist()
    ['Call me: [phone]', nan, '[email] or [email]']
    >>> result.counts[["kind", "comments", "matches"]].values.tolist()
    [['email', 1, 2], ['phone', 1, 1], ['card', 0, 0]]
    """
    wanted = _as_kinds(kinds)
    if isinstance(texts, str):
        return _apply(texts, _spans(texts, wanted))
    series = _as_series(texts)
    values = series.to_numpy(dtype=object)
    is_text = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))
    cache: dict[str, tuple[str, list[PiiMatch]]] = {}
    out = values.copy()
    per_row = {k: np.zeros(len(values), dtype=np.int64) for k in wanted}
    luhn = 0
    for position in np.flatnonzero(is_text):
        text = values[position]
        done = cache.get(text)
        if done is None:
            matches = _spans(text, wanted)
            done = cache[text] = (_apply(text, matches) if matches else text, matches)
        out[position], matches = done
        for match in matches:
            per_row[match.kind][position] += 1
            if match.kind == "card" and luhn_valid(text[match.start:match.end]):
                luhn += 1
    masked = pd.Series(out, index=series.index, name=series.name, dtype=object)
    masked = _same_dtype(masked, series)
    rows = pd.DataFrame(per_row, index=series.index)
    counts = pd.DataFrame({
        "kind": list(wanted),
        "comments": [int((per_row[k] > 0).sum()) for k in wanted],
        "matches": [int(per_row[k].sum()) for k in wanted],
        "luhn_valid": pd.array([luhn if k == "card" else pd.NA for k in wanted], dtype="Int64"),
    })
    return MaskResult(masked, counts, rows, int(is_text.sum()))


def _as_series(texts) -> pd.Series:
    if isinstance(texts, pd.Series):
        return texts
    if isinstance(texts, (list, tuple, np.ndarray, pd.Index)):
        return pd.Series(list(texts), dtype=object)
    raise ParameterError(f"mask_pii needs texts: a pandas Series, a list of str or one str; "
                         f"got {type(texts).__name__}.")


def _same_dtype(masked: pd.Series, original: pd.Series) -> pd.Series:
    dtype = original.dtype
    if isinstance(dtype, pd.StringDtype):
        return masked.astype(dtype)
    if isinstance(dtype, pd.CategoricalDtype):
        return masked.astype("category")
    return masked


def free_text_columns(frame: pd.DataFrame) -> list:
    """The columns of ``frame`` that hold free text, by name (see :data:`FREE_TEXT_WORDS`).

    Examples
    --------
    >>> free_text_columns(pd.DataFrame(columns=["response_id", "Comment", "why_score", "team"]))
    ['Comment', 'why_score']
    """
    found = []
    for column in frame.columns:
        name = re.sub(r"[^a-z]+", "_", str(column).casefold())
        if any(word in name for word in FREE_TEXT_WORDS):
            found.append(column)
    return found


def mask_columns(frame: pd.DataFrame, columns: str | Sequence | None = None, *,
                 kinds: Sequence[str] = PII_KINDS) -> pd.DataFrame:
    """A copy of ``frame`` with personal data masked in its free-text columns.

    Parameters
    ----------
    frame : DataFrame
        Not changed.
    columns : str or sequence, optional
        The columns to mask; by default those :func:`free_text_columns` names
        (comment, feedback, verbatim, text, reason ...).
    kinds : sequence of str
        What to mask (all of email, card, phone by default).

    Returns
    -------
    DataFrame
        The masked copy; ``attrs["pii_masked"]`` holds the spans masked per kind over
        every column (``{"email": 2, "card": 0, "phone": 1}``) and
        ``attrs["pii_masked_columns"]`` the columns looked at.

    Raises
    ------
    MissingColumnError
        A column named in ``columns`` is absent.

    Examples
    --------
    >>> df = pd.DataFrame({"id": [12345678], "comment": ["ring 0712 345 678"]})
    >>> out = mask_columns(df)
    >>> out.values.tolist(), out.attrs["pii_masked"]
    ([[12345678, 'ring [phone]']], {'email': 0, 'phone': 1, 'card': 0})
    """
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"mask_columns needs a DataFrame; got {type(frame).__name__}.")
    wanted = _as_kinds(kinds)
    if columns is None:
        chosen = free_text_columns(frame)
    else:
        chosen = [columns] if isinstance(columns, str) else list(columns)
        missing = [c for c in chosen if c not in frame.columns]
        if missing:
            raise MissingColumnError(
                f"Cannot mask the column(s) {show_values(missing)}: not in the table. "
                f"Its columns are {show_values(list(frame.columns), 10)}.")
    out = frame.copy()
    total = dict.fromkeys(wanted, 0)
    for column in dict.fromkeys(chosen):
        positions = [i for i, c in enumerate(out.columns) if c == column]
        for position in positions:
            result = mask_pii(out.iloc[:, position], wanted)
            if any(result.to_dict().values()):
                out.isetitem(position, result.text)
            for kind, n in result.to_dict().items():
                total[kind] += n
    out.attrs["pii_masked"] = total
    out.attrs["pii_masked_columns"] = [str(c) for c in dict.fromkeys(chosen)]
    return out


def masked_sentence(counts: Mapping[str, int] | pd.DataFrame | None) -> str:
    """What masking did, in words, from ``MaskResult.to_dict()``, ``counts`` or
    ``attrs["pii_masked"]`` (None: masking was off).

    Examples
    --------
    >>> masked_sentence({"email": 3, "card": 0, "phone": 1})
    '3 e-mail addresses and 1 phone number masked.'
    >>> masked_sentence({"email": 0, "card": 0, "phone": 0})
    'No e-mail address, phone number or card-like number found to mask.'
    >>> masked_sentence(None)
    'Personal data was not masked (mask_pii=False).'
    """
    if counts is None:
        return "Personal data was not masked (mask_pii=False)."
    if isinstance(counts, pd.DataFrame):
        counts = dict(zip(counts["kind"], counts["matches"]))
    parts = []
    for kind in ("email", "phone", "card"):
        n = int(counts.get(kind, 0) or 0)
        if n:
            one, many = _WORDS[kind]
            parts.append(f"{n:,} {one if n == 1 else many}")
    if not parts:
        return "No e-mail address, phone number or card-like number found to mask."
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{listed} masked."
