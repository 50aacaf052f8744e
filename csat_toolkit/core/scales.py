"""Survey scales: their points, text labels in several languages and thresholds.

A :class:`Scale` turns raw answers (numbers, or labels such as "Very satisfied",
"Πολύ ικανοποιημένος", "非常滿意", "Ļoti apmierināts", "พอใจมาก", "Foarte mulțumit",
or emoji faces) into numbers on the scale, and classifies them (satisfied, promoter,
easy, very disappointed ...). Every metric works on every scale: the scale is a
parameter, never a different function.

Defaults follow the usual industry definitions (see DESIGN.md, "Scales and metric
definitions"); thresholds can be overridden with :meth:`Scale.with_thresholds`.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..errors import ParameterError, ScaleError

__all__ = [
    "Scale", "SCALES", "DEFAULT_SCALES", "SURVEYS", "get_scale", "normalise_label",
    "MISSING", "UNRECOGNISED", "OUT_OF_RANGE", "resolve_scales",
]

SURVEYS = ("csat", "nps", "ces", "pmf")

_CLASS_NAMES = {
    "csat": ("not satisfied", "satisfied"),
    "nps": ("detractor", "passive", "promoter"),
    "ces": ("not easy", "easy"),
    "pmf": ("not very disappointed", "very disappointed"),
}


@dataclass(frozen=True)
class Scale:
    """A survey scale.

    Parameters
    ----------
    name : str
        Registry name, e.g. ``"csat_5"``.
    survey : {"csat", "nps", "ces", "pmf"}
        The metric family the scale belongs to.
    points : tuple of float
        The valid numeric answers.
    positive_min : float
        Smallest score counted as positive (satisfied, promoter, easy, very
        disappointed).
    negative_max : float
        Largest score counted as negative (NPS detractor; CSAT follow-up). Scores
        between the two are neutral (NPS passives).
    labels : mapping of str to float
        Text answers and the score each stands for (matched after normalising case,
        spaces, accents and emoji variation selectors).
    excluded : tuple of float
        Valid answers left out of the metric's denominator (PMF: "I no longer use
        the product").
    description : str
        One line for reports.
    custom_labels : mapping of str to float
        The user's own answers (text or emoji) and their scores, added with
        :meth:`with_labels`; matched like ``labels`` but before anything else, so
        they win over numbers and over the built-in labels.

    Examples
    --------
    >>> scale = get_scale("csat_5")
    >>> scale.parse(pd.Series(["5", "Very satisfied", "Πολύ ικανοποιημένος", 7]))[0].tolist()
    [5.0, 5.0, 5.0, nan]
    >>> scale.is_positive(np.array([3, 4, 5])).tolist()
    [False, True, True]
    """

    name: str
    survey: str
    points: tuple[float, ...]
    positive_min: float
    negative_max: float
    labels: Mapping[str, float] = field(default_factory=dict, repr=False)
    excluded: tuple[float, ...] = ()
    description: str = ""
    custom_labels: Mapping[str, float] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.survey not in SURVEYS:
            raise ParameterError(f"survey must be one of {SURVEYS}; got {self.survey!r}.")
        if self.negative_max >= self.positive_min:
            raise ParameterError(
                f"Scale {self.name!r}: negative_max ({self.negative_max}) must be below "
                f"positive_min ({self.positive_min})."
            )
        lookup = {}
        for label, value in self.labels.items():
            for key in _label_keys(label):
                lookup.setdefault(key, float(value))
        object.__setattr__(self, "_lookup", lookup)
        custom = {}
        for label, value in self.custom_labels.items():  # a later label wins
            custom.update(dict.fromkeys(_label_keys(label), float(value)))
        object.__setattr__(self, "_custom", custom)

    @property
    def low(self) -> float:
        return min(self.points)

    @property
    def high(self) -> float:
        return max(self.points)

    @property
    def class_names(self) -> tuple[str, ...]:
        """Category names from worst to best, e.g. detractor, passive, promoter."""
        return _CLASS_NAMES[self.survey]

    def with_thresholds(
        self, positive_min: float | None = None, negative_max: float | None = None
    ) -> Scale:
        """Return a copy with other thresholds.

        Examples
        --------
        >>> get_scale("csat_5").with_thresholds(positive_min=5).is_positive(np.array([4, 5])).tolist()
        [False, True]
        """
        positive_min = self.positive_min if positive_min is None else float(positive_min)
        given = {"positive_min": positive_min}
        if negative_max is None:  # follow positive_min down; may leave no negative class
            negative_max = min(self.negative_max, positive_min - 1)
        else:
            given["negative_max"] = float(negative_max)
        for label, value in given.items():
            if not self.low <= value <= self.high:
                raise ParameterError(
                    f"{label}={value:g} is outside the {self.name} scale "
                    f"({self.low:g}-{self.high:g}); pick a value on the scale."
                )
        return replace(self, positive_min=positive_min, negative_max=float(negative_max))

    def with_labels(self, labels: Mapping[str, float], *, where: str | None = None) -> Scale:
        """Return a copy that also reads the given answers (text, emoji) as scores.

        Labels are matched as the built-in ones are (Unicode NFKC, case, spacing,
        trailing punctuation, accents, emoji variation selectors) and before
        anything else: a custom label wins over a number and over a built-in label.
        Calling it again adds to the labels given before (a later score for the same
        label replaces the earlier one).

        Parameters
        ----------
        labels : mapping of str to number
            Answer -> score, e.g. ``{"😞": 1, "🙁": 2, "😐": 3, "🙂": 4, "😁": 5}``.
            Every score must be a point of the scale.
        where : str, optional
            How error messages name the mapping (default ``"labels for <scale>"``).

        Raises
        ------
        ParameterError
            ``labels`` is not a mapping; a label is not text or is empty; a score is
            not a number or not a point of the scale; two labels that read the same
            ("Happy" and "happy ") get different scores.

        Examples
        --------
        >>> faces = get_scale("csat_5").with_labels({"😞": 1, "🙁": 2, "😐": 3, "🙂": 4, "😁": 5})
        >>> faces.parse(pd.Series(["😁", " 🙂 ", "Very satisfied", "😀"]))[0].tolist()
        [5.0, 4.0, 5.0, nan]
        """
        where = where or f"labels for {self.name}"
        if not isinstance(labels, Mapping):
            raise ParameterError(
                f"{where} must map answers to scores, e.g. {{'😞': 1, '😁': 5}}; got "
                f"{type(labels).__name__} {labels!r}."
            )
        seen: dict[str, tuple[str, float]] = {}
        checked: dict[str, float] = {}
        for label, value in labels.items():
            if isinstance(label, bool) or not isinstance(label, str):
                hint = (" (YAML reads an unquoted yes/no/on/off as true/false: quote it)"
                        if isinstance(label, bool) else " (quote it to map that text)")
                raise ParameterError(
                    f"{where}: the label {label!r} is not text{hint}; labels are the "
                    "answers as written, e.g. 'Happy' or '🙂'."
                )
            key = normalise_label(label)
            if not key:
                raise ParameterError(f"{where}: the label {label!r} is empty; remove it.")
            number = _label_score(value)
            if number is None:
                raise ParameterError(
                    f"{where}[{label!r}] is {value!r}, not a number; map each answer to a "
                    f"score of the {self.name} scale ({self._points_text()})."
                )
            if not np.any(np.isclose(number, self.points)):
                raise ParameterError(
                    f"{where}[{label!r}] is {value!r}, outside the {self.name} scale "
                    f"({self._points_text()}); map each answer to a point of the scale, or "
                    "pick the scale the survey was asked on (scales=...)."
                )
            if key in seen and seen[key][1] != number:
                raise ParameterError(
                    f"{where}: the labels {seen[key][0]!r} and {label!r} read the same (case, "
                    f"spacing and punctuation are ignored) but map to {seen[key][1]:g} and "
                    f"{number:g}; keep one of them."
                )
            seen[key] = (label, number)
            checked[label] = number
        return replace(self, custom_labels={**self.custom_labels, **checked})

    def _points_text(self) -> str:
        points = [f"{p:g}" for p in sorted(self.points)]
        return ", ".join(points) if len(points) <= 4 else f"{points[0]}-{points[-1]}"

    def is_positive(self, scores) -> np.ndarray:
        """True where a score is positive (satisfied, promoter, easy ...)."""
        return np.asarray(scores, dtype=float) >= self.positive_min

    def is_negative(self, scores) -> np.ndarray:
        """True where a score is negative (detractor, not satisfied ...)."""
        return np.asarray(scores, dtype=float) <= self.negative_max

    def is_excluded(self, scores) -> np.ndarray:
        """True where an answer is valid but outside the denominator (PMF n/a)."""
        return np.isin(np.asarray(scores, dtype=float), self.excluded)

    def classify(self, scores) -> pd.Categorical:
        """Name the class of each score (excluded answers become missing).

        Examples
        --------
        >>> list(get_scale("nps").classify([0, 7, 9]))
        ['detractor', 'passive', 'promoter']
        """
        scores = np.asarray(scores, dtype=float)
        names = self.class_names
        middle = names[1] if len(names) == 3 else names[0]
        labels = np.where(
            self.is_positive(scores),
            names[-1],
            np.where(self.is_negative(scores), names[0], middle),
        ).astype(object)
        labels[self.is_excluded(scores) | np.isnan(scores)] = None
        return pd.Categorical(labels, categories=list(names), ordered=True)

    def parse(self, values: pd.Series) -> tuple[pd.Series, pd.Series]:
        """Turn raw answers into scores on this scale.

        Returns
        -------
        scores : Series of float
            NaN where the answer could not be used.
        problems : Series of object
            Why an answer could not be used: :data:`MISSING`,
            :data:`UNRECOGNISED` or :data:`OUT_OF_RANGE`; None where it is fine.
        """
        values = pd.Series(values)
        # Each distinct answer is parsed once; missing answers share the last slot.
        codes, uniques = pd.factorize(values.to_numpy(dtype=object))
        parsed = [self._parse_one(v) for v in uniques] + [self._parse_one(np.nan)]
        scores = np.array([score for score, _ in parsed], dtype=float)[codes]
        problems = np.array([problem for _, problem in parsed], dtype=object)[codes]
        return (pd.Series(scores, index=values.index),
                pd.Series(problems, index=values.index, dtype=object))

    def _parse_one(self, value) -> tuple[float, str | None]:
        if _is_missing(value):
            return np.nan, MISSING
        if self._custom and isinstance(value, str):
            key = normalise_label(value)
            custom = self._custom.get(key, self._custom.get(_strip_accents(key)))
            if custom is not None:
                return custom, None
        number = _as_number(value, self.high)
        if number is None:
            key = normalise_label(str(value))
            number = self._lookup.get(key, self._lookup.get(_strip_accents(key)))
            if number is None:
                return np.nan, UNRECOGNISED
        if not np.any(np.isclose(number, self.points)):
            return np.nan, OUT_OF_RANGE
        return float(number), None

    def explain(self, value, reason: str) -> str:
        """A sentence for one rejected answer, naming the value and the scale."""
        hint = {
            MISSING: "the answer is empty",
            UNRECOGNISED: "map this text to a number, or pick the scale whose labels it uses",
            OUT_OF_RANGE: "check the scale (scales=...) or the column mapping",
        }[reason]
        return f"{reason}: {value!r} on {self.name} ({self.low:g}-{self.high:g}); {hint}"


# Reasons an answer cannot be used (stable texts: row accounting groups by them).
MISSING = "missing score"
UNRECOGNISED = "unrecognised answer"
OUT_OF_RANGE = "score outside the scale"


# Typographic quotes and dashes that survey tools export, mapped to plain ones.
_TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                              "\u2013": "-", "\u2014": "-", "\u2212": "-"})


def normalise_label(text: str) -> str:
    """Normalise a text answer for matching: Unicode NFKC, case, spaces, punctuation.

    Examples
    --------
    >>> normalise_label("  Very   SATISFIED! ")
    'very satisfied'
    """
    text = unicodedata.normalize("NFKC", text).replace("\ufe0f", "").casefold()
    text = text.translate(_TYPOGRAPHIC)
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip(" .!;")


def _strip_accents(text: str) -> str:
    """Drop Latin and Greek combining accents (Thai marks are letters' parts, kept)."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if not 0x0300 <= ord(ch) <= 0x036F)
    return unicodedata.normalize("NFC", kept)


def _label_keys(label: str) -> set[str]:
    key = normalise_label(label)
    return {key, _strip_accents(key)}


_NUMBER = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)\s*(.*)$", re.S)
_OUT_OF = re.compile(r"^/\s*(\d+(?:[.,]\d+)?)$")


def _as_number(value, high: float) -> float | None:
    """A number; "4/5" when 5 is the scale's top; "5 - Very satisfied" (a number and
    a label). Anything else that starts with a number ("3/10", "4-5", "2 out of 10")
    is not read as a number, so it is reported as unrecognised rather than guessed.
    """
    if isinstance(value, (bool, np.bool_)):
        return None  # True/False only mean something on a yes/no scale (via labels)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    match = _NUMBER.match(str(value))
    if not match:
        return None
    number, rest = float(match.group(1).replace(",", ".")), match.group(2).strip()
    if not rest:
        return number
    out_of = _OUT_OF.match(rest)
    if out_of:
        return number if float(out_of.group(1).replace(",", ".")) == high else None
    return None if any(ch.isdigit() for ch in rest) else number


def _label_score(value) -> float | None:
    """The score a custom label maps to (a finite number), or None."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)) and np.isfinite(value):
        return float(value)
    return None


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


# --- label tables ---------------------------------------------------------------
# Languages: English, Greek, Chinese (traditional, simplified), Latvian, Thai,
# Romanian. Masculine and feminine forms are both listed where they differ.

_SATISFACTION_5 = {
    1: ["very dissatisfied", "very unsatisfied", "extremely dissatisfied",
        "πολύ δυσαρεστημένος", "πολύ δυσαρεστημένη", "πολύ δυσαρεστημένο",
        "非常不滿意", "非常不满意",
        "ļoti neapmierināts", "ļoti neapmierināta",
        "ไม่พอใจมาก", "ไม่พอใจอย่างมาก",
        "foarte nemulțumit", "foarte nemulțumită"],
    2: ["dissatisfied", "unsatisfied", "somewhat dissatisfied",
        "δυσαρεστημένος", "δυσαρεστημένη", "δυσαρεστημένο",
        "不滿意", "不满意",
        "neapmierināts", "neapmierināta",
        "ไม่พอใจ",
        "nemulțumit", "nemulțumită"],
    3: ["neutral", "neither satisfied nor dissatisfied", "neither", "okay",
        "ουδέτερος", "ουδέτερη", "ουδέτερο", "ούτε ικανοποιημένος ούτε δυσαρεστημένος",
        "普通", "一般", "中立", "尚可",
        "neitrāls", "neitrāla", "neitrāli", "ne apmierināts, ne neapmierināts",
        "เฉยๆ", "เฉย ๆ", "ปานกลาง",
        "neutru", "neutră", "nici mulțumit, nici nemulțumit"],
    4: ["satisfied", "somewhat satisfied",
        "ικανοποιημένος", "ικανοποιημένη", "ικανοποιημένο",
        "滿意", "满意",
        "apmierināts", "apmierināta",
        "พอใจ",
        "mulțumit", "mulțumită"],
    5: ["very satisfied", "extremely satisfied",
        "πολύ ικανοποιημένος", "πολύ ικανοποιημένη", "πολύ ικανοποιημένο",
        "非常滿意", "非常满意",
        "ļoti apmierināts", "ļoti apmierināta",
        "พอใจมาก", "พอใจอย่างมาก",
        "foarte mulțumit", "foarte mulțumită"],
}

_YES_NO = {
    1: ["yes", "y", "true", "satisfied", "thumbs up", "👍", "ναι", "是", "對", "对",
        "jā", "ใช่", "da"],
    0: ["no", "n", "false", "not satisfied", "dissatisfied", "unsatisfied",
        "neutral or dissatisfied", "thumbs down", "👎", "όχι", "否", "不是",
        "nē", "ไม่ใช่", "nu"],
}

_GREAT_GOOD_BAD = {
    3: ["great", "excellent", "εξαιρετικό", "εξαιρετικά", "很好", "非常好",
        "lieliski", "ดีมาก", "excelent", "foarte bine"],
    2: ["good", "ok", "καλό", "καλά", "好", "labi", "ดี", "bine", "bun"],
    1: ["bad", "poor", "κακό", "άσχημα", "不好", "差", "slikti", "ไม่ดี", "rău", "prost"],
}

_EMOJI_3 = {
    1: ["😞", "☹", "🙁", "😠", "😡", "😢", "😖", "😣"],
    2: ["😐", "😑", "😶"],
    3: ["🙂", "😊", "😀", "😃", "😄", "😁", "😍", "🤩"],
}

_AGREEMENT_7 = {
    1: ["strongly disagree", "διαφωνώ απόλυτα", "διαφωνώ έντονα", "非常不同意",
        "pilnīgi nepiekrītu", "ไม่เห็นด้วยอย่างยิ่ง", "total dezacord",
        "dezacord total"],
    2: ["disagree", "διαφωνώ", "不同意", "nepiekrītu", "ไม่เห็นด้วย", "dezacord"],
    3: ["somewhat disagree", "διαφωνώ κάπως", "有點不同意", "有点不同意",
        "drīzāk nepiekrītu", "ค่อนข้างไม่เห็นด้วย", "parțial dezacord"],
    4: ["neither agree nor disagree", "neutral", "ούτε συμφωνώ ούτε διαφωνώ",
        "中立", "普通", "一般", "ne piekrītu, ne nepiekrītu", "neitrāli",
        "เฉยๆ", "ไม่แน่ใจ", "nici acord, nici dezacord", "neutru"],
    5: ["somewhat agree", "συμφωνώ κάπως", "有點同意", "有点同意", "drīzāk piekrītu",
        "ค่อนข้างเห็นด้วย", "parțial de acord"],
    6: ["agree", "συμφωνώ", "同意", "piekrītu", "เห็นด้วย", "de acord"],
    7: ["strongly agree", "συμφωνώ απόλυτα", "συμφωνώ έντονα", "非常同意",
        "pilnīgi piekrītu", "เห็นด้วยอย่างยิ่ง", "total de acord"],
}

_EASE_5 = {
    1: ["very difficult", "πολύ δύσκολο", "非常困難", "非常困难", "ļoti grūti",
        "ยากมาก", "foarte dificil", "foarte greu"],
    2: ["difficult", "δύσκολο", "困難", "困难", "grūti", "ยาก", "dificil", "greu"],
    3: ["neutral", "neither easy nor difficult", "ουδέτερο", "普通", "一般",
        "neitrāli", "ปานกลาง", "neutru"],
    4: ["easy", "εύκολο", "容易", "viegli", "ง่าย", "ușor"],
    5: ["very easy", "πολύ εύκολο", "非常容易", "ļoti viegli", "ง่ายมาก", "foarte ușor"],
}

_PMF = {
    3: ["very disappointed", "πολύ απογοητευμένος", "πολύ απογοητευμένη", "非常失望",
        "ļoti vīlies", "ļoti vīlusies", "ผิดหวังมาก", "foarte dezamăgit",
        "foarte dezamăgită"],
    2: ["somewhat disappointed", "κάπως απογοητευμένος", "κάπως απογοητευμένη",
        "有點失望", "有点失望", "nedaudz vīlies", "nedaudz vīlusies", "ค่อนข้างผิดหวัง",
        "oarecum dezamăgit", "oarecum dezamăgită"],
    1: ["not disappointed", "not disappointed (it isn't really that useful)",
        "όχι απογοητευμένος", "όχι απογοητευμένη", "不失望", "nebūtu vīlies",
        "nebūtu vīlusies", "ไม่ผิดหวัง", "nu aș fi dezamăgit", "nu aș fi dezamăgită",
        "nedezamăgit"],
    0: ["n/a - i no longer use the product", "n/a - i no longer use", "n/a",
        "i no longer use the product", "no longer use",
        "δεν το χρησιμοποιώ πλέον", "我已不再使用", "已不再使用", "vairs neizmantoju",
        "ไม่ได้ใช้แล้ว", "nu mai folosesc"],
}


def _labels(table: Mapping[int, list[str]]) -> dict[str, float]:
    return {label: float(value) for value, labels in table.items() for label in labels}


def _points(low: int, high: int) -> tuple[float, ...]:
    return tuple(float(v) for v in range(low, high + 1))


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        Scale("csat_5", "csat", _points(1, 5), 4, 3, _labels(_SATISFACTION_5),
              description="CSAT 1-5, satisfied = 4-5 (top-2-box)"),
        Scale("csat_7", "csat", _points(1, 7), 6, 5,
              description="CSAT 1-7, satisfied = 6-7 (top-2-box)"),
        Scale("csat_10", "csat", _points(1, 10), 8, 7,
              description="CSAT 1-10, satisfied = 8-10"),
        Scale("csat_0_10", "csat", _points(0, 10), 8, 7,
              description="CSAT 0-10, satisfied = 8-10"),
        Scale("csat_binary", "csat", (0.0, 1.0), 1, 0, _labels(_YES_NO),
              description="CSAT yes/no, satisfied = yes"),
        Scale("csat_3", "csat", _points(1, 3), 2, 1, _labels(_GREAT_GOOD_BAD),
              description="CSAT great/good/bad (3-1), satisfied = good or great"),
        Scale("csat_emoji", "csat", _points(1, 3), 3, 2, _labels(_EMOJI_3),
              description="CSAT emoji faces (sad 1, neutral 2, happy 3), satisfied = happy"),
        Scale("nps", "nps", _points(0, 10), 9, 6,
              description="NPS 0-10: promoters 9-10, passives 7-8, detractors 0-6"),
        Scale("nps_1_10", "nps", _points(1, 10), 9, 6,
              description="NPS asked on 1-10: promoters 9-10, passives 7-8, detractors 1-6"),
        Scale("ces_7", "ces", _points(1, 7), 5, 3, _labels(_AGREEMENT_7),
              description="CES 2.0, 1-7 agreement that it was easy; easy = 5-7"),
        Scale("ces_5", "ces", _points(1, 5), 4, 2, _labels(_EASE_5),
              description="CES 1-5 ease; easy = 4-5"),
        Scale("pmf", "pmf", _points(0, 3), 3, 2, _labels(_PMF), excluded=(0.0,),
              description="Sean Ellis PMF test: share 'very disappointed' among current users"),
    )
}

DEFAULT_SCALES = {"csat": "csat_5", "nps": "nps", "ces": "ces_7", "pmf": "pmf"}


def get_scale(scale: str | Scale | None = None, *, survey: str | None = None) -> Scale:
    """Look up a scale by name, or the default scale of a survey type.

    Examples
    --------
    >>> get_scale("nps").description
    'NPS 0-10: promoters 9-10, passives 7-8, detractors 0-6'
    >>> get_scale(survey="ces").name
    'ces_7'
    """
    if isinstance(scale, Scale):
        return scale
    if scale is None:
        if survey not in DEFAULT_SCALES:
            raise ParameterError(
                f"Unknown survey {survey!r}: use one of {SURVEYS}, or pass a scale."
            )
        scale = DEFAULT_SCALES[survey]
    if scale not in SCALES:
        raise ScaleError(
            f"Unknown scale {scale!r}. Known scales: {', '.join(SCALES)}. "
            "Build your own with csat_toolkit.scales.Scale(...)."
        )
    return SCALES[scale]


def resolve_scales(
    scales: Mapping[str, str | Scale] | None = None,
    thresholds: Mapping[str, Mapping[str, float]] | None = None,
) -> dict[str, Scale]:
    """The scale of every survey type, with optional threshold overrides.

    Parameters
    ----------
    scales : mapping, optional
        Survey type to scale name or Scale; the rest take :data:`DEFAULT_SCALES`.
    thresholds : mapping, optional
        Survey type to ``{"positive_min": ..., "negative_max": ...}``.

    Examples
    --------
    >>> resolved = resolve_scales({"csat": "csat_7"}, {"nps": {"positive_min": 10}})
    >>> resolved["csat"].name, resolved["nps"].positive_min
    ('csat_7', 10.0)
    """
    scales, thresholds = dict(scales or {}), dict(thresholds or {})
    unknown = sorted(set(scales) - set(SURVEYS)) + sorted(set(thresholds) - set(SURVEYS))
    if unknown:
        raise ParameterError(
            f"Unknown survey type(s) {unknown} in scales/thresholds; use {SURVEYS}."
        )
    resolved = {}
    for survey in SURVEYS:
        scale = get_scale(scales.get(survey), survey=survey)
        if scale.survey != survey:
            raise ScaleError(
                f"Scale {scale.name!r} is a {scale.survey} scale; it cannot score {survey} answers."
            )
        resolved[survey] = scale.with_thresholds(**thresholds.get(survey, {}))
    return resolved
