"""Tests of :mod:`csat_toolkit.scales`: points, thresholds, classes, labels, errors.

Thresholds follow DESIGN.md, "Scales and metric definitions": CSAT top-2-box on 1-5
(4-5) and 1-7 (6-7), 8-10 on 10/11 points; NPS promoters 9-10, passives 7-8,
detractors 0-6; CES easy 5-7 on 7 points, 4-5 on 5; PMF "very disappointed" among
current users (the "no longer use" answer is excluded).
"""
from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csat_toolkit.errors import CsatToolkitError, ParameterError, ScaleError
from csat_toolkit.scales import (
    DEFAULT_SCALES,
    MISSING,
    OUT_OF_RANGE,
    SCALES,
    SURVEYS,
    UNRECOGNISED,
    Scale,
    get_scale,
    normalise_label,
    resolve_scales,
)

PROPERTY = settings(max_examples=60)  # the rest from the profile in conftest.py


def parse(scale: str | Scale, values) -> tuple[list, list]:
    scale = get_scale(scale) if isinstance(scale, str) else scale
    scores, problems = scale.parse(pd.Series(list(values), dtype=object))
    return scores.tolist(), problems.tolist()


def assert_parses(scale: str, answers: dict) -> None:
    scores, problems = parse(scale, answers)
    got = dict(zip(answers, scores))
    assert got == {a: float(v) for a, v in answers.items()}, scale
    assert problems == [None] * len(answers)


# --- the registry: points, thresholds, classes ------------------------------------------

EXPECTED = {
    # name: (survey, low, high, positive_min, negative_max, excluded)
    "csat_5": ("csat", 1, 5, 4, 3, ()),
    "csat_7": ("csat", 1, 7, 6, 5, ()),
    "csat_10": ("csat", 1, 10, 8, 7, ()),
    "csat_0_10": ("csat", 0, 10, 8, 7, ()),
    "csat_binary": ("csat", 0, 1, 1, 0, ()),
    "csat_3": ("csat", 1, 3, 2, 1, ()),
    "csat_emoji": ("csat", 1, 3, 3, 2, ()),
    "nps": ("nps", 0, 10, 9, 6, ()),
    "nps_1_10": ("nps", 1, 10, 9, 6, ()),
    "ces_7": ("ces", 1, 7, 5, 3, ()),
    "ces_5": ("ces", 1, 5, 4, 2, ()),
    "pmf": ("pmf", 0, 3, 3, 2, (0.0,)),
}


def test_every_scale_is_described():
    assert set(SCALES) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_scale_points_and_thresholds(name):
    survey, low, high, positive_min, negative_max, excluded = EXPECTED[name]
    scale = SCALES[name]
    assert scale.name == name and scale.survey == survey
    assert scale.points == tuple(float(v) for v in range(low, high + 1))
    assert (scale.low, scale.high) == (low, high)
    assert (scale.positive_min, scale.negative_max) == (positive_min, negative_max)
    assert scale.excluded == excluded
    assert scale.description
    points = np.asarray(scale.points)
    assert scale.is_positive(points).tolist() == (points >= positive_min).tolist()
    assert scale.is_negative(points).tolist() == (points <= negative_max).tolist()
    assert scale.is_excluded(points).tolist() == np.isin(points, excluded).tolist()
    classes = scale.classify(points)
    assert list(classes.categories) == list(scale.class_names)
    assert classes.ordered
    # Every valid, non-excluded point gets a class; excluded points get none.
    assert pd.isna(np.asarray(classes, dtype=object)).tolist() == np.isin(points, excluded).tolist()


def test_nps_classes():
    scale = get_scale("nps")
    classes = list(scale.classify(range(11)))
    assert classes == ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2
    assert scale.class_names == ("detractor", "passive", "promoter")
    assert list(get_scale("nps_1_10").classify([1, 6, 7, 8, 9, 10])) == [
        "detractor", "detractor", "passive", "passive", "promoter", "promoter"]


def test_csat_5_top_2_box():
    assert list(get_scale("csat_5").classify([1, 2, 3, 4, 5])) == (
        ["not satisfied"] * 3 + ["satisfied"] * 2)
    # The worked example of DESIGN.md: 150 satisfied answers of 250 give 60%.
    scores = np.array([5] * 100 + [4] * 50 + [3] * 60 + [1] * 40)
    assert 100 * get_scale("csat_5").is_positive(scores).mean() == 60.0


def test_csat_7_and_10_point_boxes():
    assert get_scale("csat_7").is_positive(range(1, 8)).tolist() == [False] * 5 + [True] * 2
    assert get_scale("csat_10").is_positive(range(1, 11)).tolist() == [False] * 7 + [True] * 3
    assert get_scale("csat_0_10").is_positive(range(0, 11)).tolist() == [False] * 8 + [True] * 3


def test_ces_easy():
    assert list(get_scale("ces_7").classify(range(1, 8))) == ["not easy"] * 4 + ["easy"] * 3
    assert list(get_scale("ces_5").classify(range(1, 6))) == ["not easy"] * 3 + ["easy"] * 2


def test_pmf_very_disappointed_and_no_longer_users_excluded():
    scale = get_scale("pmf")
    classes = scale.classify([0, 1, 2, 3])
    assert pd.isna(classes[0])
    assert list(classes[1:]) == ["not very disappointed"] * 2 + ["very disappointed"]
    assert scale.is_excluded([0, 1, 2, 3]).tolist() == [True, False, False, False]


def test_classify_missing_scores_are_missing():
    classes = get_scale("csat_5").classify([np.nan, 5.0])
    assert pd.isna(classes[0]) and classes[1] == "satisfied"


# --- with_thresholds and construction errors --------------------------------------------


def test_with_thresholds_returns_a_copy():
    base = get_scale("csat_5")
    strict = base.with_thresholds(positive_min=5)
    assert strict.is_positive([4, 5]).tolist() == [False, True]
    assert (strict.positive_min, strict.negative_max) == (5.0, 3.0)
    assert (base.positive_min, base.negative_max) == (4, 3)  # unchanged
    assert strict.parse(pd.Series(["Very satisfied"]))[0].tolist() == [5.0]  # labels kept


def test_with_thresholds_lowers_negative_max_below_a_lower_positive_min():
    scale = get_scale("csat_5").with_thresholds(positive_min=3)
    assert (scale.positive_min, scale.negative_max) == (3.0, 2.0)
    nps = get_scale("nps").with_thresholds(positive_min=10, negative_max=5)
    assert list(nps.classify([5, 6, 9, 10])) == ["detractor", "passive", "passive", "promoter"]


@pytest.mark.parametrize("kwargs, message", [
    ({"positive_min": 6}, r"positive_min=6 is outside the csat_5 scale \(1-5\); pick a value on the scale"),
    ({"positive_min": 0}, r"outside the csat_5 scale \(1-5\)"),
    ({"negative_max": 0}, r"negative_max=0 is outside the csat_5 scale \(1-5\)"),
    ({"negative_max": 9}, r"negative_max=9 is outside the csat_5 scale"),
])
def test_with_thresholds_off_the_scale_is_an_error(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        get_scale("csat_5").with_thresholds(**kwargs)


def test_with_thresholds_crossing_is_an_error():
    with pytest.raises(ParameterError, match=r"negative_max \(4.0\) must be below positive_min \(4\)"):
        get_scale("csat_5").with_thresholds(negative_max=4)


@pytest.mark.parametrize("positive_min, negative_max", [(3, 3), (3, 4)])
def test_scale_construction_rejects_negative_max_at_or_above_positive_min(positive_min, negative_max):
    with pytest.raises(ParameterError, match="must be below positive_min"):
        Scale("mine", "csat", (1.0, 2.0, 3.0, 4.0, 5.0), positive_min, negative_max)


def test_scale_construction_rejects_unknown_survey():
    with pytest.raises(ParameterError, match="survey must be one of"):
        Scale("mine", "effort", (1.0, 2.0), 2, 1)


def test_custom_scale_with_labels():
    scale = Scale("stars", "csat", (1.0, 2.0, 3.0), 3, 1, {"★★★": 3, "Ça va": 2})
    scores, problems = parse(scale, ["★★★", "ca va", "ÇA VA", "★"])
    assert scores[:3] == [3.0, 2.0, 2.0] and np.isnan(scores[3])
    assert problems == [None, None, None, UNRECOGNISED]


# --- parse: numbers -----------------------------------------------------------------------


def test_parse_numbers_and_numeric_strings():
    values = [4, 4.0, np.int64(5), np.float32(3), "4", "4.0", "4,0", " 3 ", "5 - Very satisfied",
              "5 – very satisfied", "2. Dissatisfied", "1 (very dissatisfied)", "5/5"]
    scores, problems = parse("csat_5", values)
    assert scores == [4.0, 4.0, 5.0, 3.0, 4.0, 4.0, 4.0, 3.0, 5.0, 5.0, 2.0, 1.0, 5.0]
    assert problems == [None] * len(values)


def test_parse_problems():
    values = [None, np.nan, pd.NA, "", "   ", "7", 0, -1, 4.5, "6 - Delighted", "great!!", "abc", "nan"]
    scores, problems = parse("csat_5", values)
    assert all(np.isnan(s) for s in scores)
    assert problems == [MISSING] * 5 + [OUT_OF_RANGE] * 5 + [UNRECOGNISED] * 3


def test_problem_texts_are_stable():
    # Row accounting groups rejected rows by these exact texts.
    assert (MISSING, UNRECOGNISED, OUT_OF_RANGE) == (
        "missing score", "unrecognised answer", "score outside the scale")


def test_parse_keeps_the_index_and_length():
    values = pd.Series(["5", "bad", None, "Satisfied"] * 3, index=range(100, 112))
    scores, problems = get_scale("csat_5").parse(values)
    assert scores.index.tolist() == problems.index.tolist() == list(range(100, 112))
    assert scores.dtype == float


def test_parse_nps_zero_to_ten():
    scores, problems = parse("nps", [str(v) for v in range(11)] + ["11", "-1"])
    assert scores[:11] == [float(v) for v in range(11)]
    assert problems == [None] * 11 + [OUT_OF_RANGE] * 2
    assert parse("nps_1_10", ["0"])[1] == [OUT_OF_RANGE]


# --- parse: satisfaction labels in seven languages ---------------------------------------

SATISFACTION = {
    "English": ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"],
    "Greek": ["Πολύ δυσαρεστημένος", "Δυσαρεστημένος", "Ουδέτερος", "Ικανοποιημένος",
              "Πολύ ικανοποιημένος"],
    "Greek (feminine)": ["Πολύ δυσαρεστημένη", "Δυσαρεστημένη", "Ουδέτερη", "Ικανοποιημένη",
                         "Πολύ ικανοποιημένη"],
    "Chinese (traditional)": ["非常不滿意", "不滿意", "普通", "滿意", "非常滿意"],
    "Chinese (simplified)": ["非常不满意", "不满意", "一般", "满意", "非常满意"],
    "Latvian": ["Ļoti neapmierināts", "Neapmierināts", "Neitrāls", "Apmierināts", "Ļoti apmierināts"],
    "Latvian (feminine)": ["Ļoti neapmierināta", "Neapmierināta", "Neitrāla", "Apmierināta",
                           "Ļoti apmierināta"],
    "Thai": ["ไม่พอใจมาก", "ไม่พอใจ", "เฉยๆ", "พอใจ", "พอใจมาก"],
    "Romanian": ["Foarte nemulțumit", "Nemulțumit", "Neutru", "Mulțumit", "Foarte mulțumit"],
    "Romanian (feminine)": ["Foarte nemulțumită", "Nemulțumită", "Neutră", "Mulțumită",
                            "Foarte mulțumită"],
}


@pytest.mark.parametrize("language", sorted(SATISFACTION))
def test_satisfaction_labels_all_five_levels(language):
    assert_parses("csat_5", {label: level for level, label in enumerate(SATISFACTION[language], 1)})


@pytest.mark.parametrize("answer, level", [
    # Romanian: s/t with cedilla (legacy encodings) as well as with comma below.
    ("Foarte mulţumit", 5), ("Foarte mulțumit", 5), ("Nemulţumită", 2), ("Nemulțumită", 2),
    ("Foarte multumit", 5), ("FOARTE MULȚUMIT", 5), ("nici mulţumit, nici nemulţumit", 3),
    # Greek without tonos, and in capitals (final sigma folds like the medial one).
    ("Πολυ ικανοποιημενος", 5), ("ΠΟΛΥ ΙΚΑΝΟΠΟΙΗΜΕΝΟΣ", 5), ("ΠΟΛΎ ΙΚΑΝΟΠΟΙΗΜΈΝΟΣ", 5),
    ("πολυ δυσαρεστημενη", 1), ("ΟΥΔΕΤΕΡΟΣ", 3),
    # Latvian without diacritics and in capitals.
    ("Loti apmierinats", 5), ("LOTI NEAPMIERINATS", 1), ("ĻOTI APMIERINĀTS", 5), ("neitrals", 3),
    # English: case, spaces, trailing punctuation.
    ("  VERY   satisfied! ", 5), ("very dissatisfied.", 1), ("Satisfied", 4),
    # Thai with the space before the repetition mark.
    ("เฉย ๆ", 3),
])
def test_accent_and_case_insensitive_matching(answer, level):
    assert_parses("csat_5", {answer: level})


def test_decomposed_unicode_matches_composed():
    answer = unicodedata.normalize("NFD", "Foarte mulțumită")
    assert answer != "Foarte mulțumită"
    assert_parses("csat_5", {answer: 5})


def test_normalise_label():
    assert normalise_label("  Very   SATISFIED! ") == "very satisfied"
    assert normalise_label("👍\ufe0f") == "👍"
    assert normalise_label("Ｖｅｒｙ") == "very"  # full-width letters (NFKC)


# --- parse: emoji, yes/no, great/good/bad -----------------------------------------------


@pytest.mark.parametrize("answer, level", [
    ("🙂", 3), ("😀", 3), ("😊", 3), ("😐", 2), ("😞", 1), ("😡", 1),
    ("☹", 1), ("☹\ufe0f", 1), ("🙂\ufe0f", 3), (" 😐 ", 2),
])
def test_emoji_faces_with_and_without_variation_selector(answer, level):
    assert_parses("csat_emoji", {answer: level})


YES_NO = {
    "English": ("Yes", "No"),
    "Greek": ("Ναι", "Όχι"),
    "Chinese (traditional)": ("對", "不是"),
    "Chinese (simplified)": ("对", "否"),
    "Chinese": ("是", "不是"),
    "Latvian": ("Jā", "Nē"),
    "Thai": ("ใช่", "ไม่ใช่"),
    "Romanian": ("Da", "Nu"),
    "emoji": ("👍", "👎"),
    "emoji with selector": ("👍\ufe0f", "👎\ufe0f"),
}


@pytest.mark.parametrize("language", sorted(YES_NO))
def test_yes_no_in_each_language(language):
    yes, no = YES_NO[language]
    assert_parses("csat_binary", {yes: 1, no: 0, yes.upper(): 1, no.upper(): 0})


def test_yes_no_without_accents_and_booleans():
    assert_parses("csat_binary", {"ja": 1, "ne": 0, "οχι": 0, "thumbs up": 1, "not satisfied": 0})
    assert parse("csat_binary", [True, False, 1, 0]) == ([1.0, 0.0, 1.0, 0.0], [None] * 4)


GREAT_GOOD_BAD = {
    "English": ("Great", "Good", "Bad"),
    "Greek": ("Εξαιρετικό", "Καλό", "Κακό"),
    "Chinese": ("很好", "好", "不好"),
    "Latvian": ("Lieliski", "Labi", "Slikti"),
    "Thai": ("ดีมาก", "ดี", "ไม่ดี"),
    "Romanian": ("Excelent", "Bine", "Rău"),
}


@pytest.mark.parametrize("language", sorted(GREAT_GOOD_BAD))
def test_great_good_bad(language):
    great, good, bad = GREAT_GOOD_BAD[language]
    assert_parses("csat_3", {great: 3, good: 2, bad: 1})


def test_great_good_bad_classes_and_accentless_forms():
    assert_parses("csat_3", {"excellent": 3, "ok": 2, "poor": 1, "καλο": 2, "rau": 1})
    assert list(get_scale("csat_3").classify([1, 2, 3])) == ["not satisfied", "satisfied", "satisfied"]


# --- parse: CES and PMF ----------------------------------------------------------------------

AGREEMENT_7 = {
    "English": ["Strongly disagree", "Disagree", "Somewhat disagree",
                "Neither agree nor disagree", "Somewhat agree", "Agree", "Strongly agree"],
    "Greek": ["Διαφωνώ απόλυτα", "Διαφωνώ", "Διαφωνώ κάπως", "Ούτε συμφωνώ ούτε διαφωνώ",
              "Συμφωνώ κάπως", "Συμφωνώ", "Συμφωνώ απόλυτα"],
    "Chinese (traditional)": ["非常不同意", "不同意", "有點不同意", "中立", "有點同意", "同意", "非常同意"],
    "Chinese (simplified)": ["非常不同意", "不同意", "有点不同意", "一般", "有点同意", "同意", "非常同意"],
    "Latvian": ["Pilnīgi nepiekrītu", "Nepiekrītu", "Drīzāk nepiekrītu", "Ne piekrītu, ne nepiekrītu",
                "Drīzāk piekrītu", "Piekrītu", "Pilnīgi piekrītu"],
    "Thai": ["ไม่เห็นด้วยอย่างยิ่ง", "ไม่เห็นด้วย", "ค่อนข้างไม่เห็นด้วย", "เฉยๆ",
             "ค่อนข้างเห็นด้วย", "เห็นด้วย", "เห็นด้วยอย่างยิ่ง"],
    "Romanian": ["Total dezacord", "Dezacord", "Parțial dezacord", "Nici acord, nici dezacord",
                 "Parțial de acord", "De acord", "Total de acord"],
}


@pytest.mark.parametrize("language", sorted(AGREEMENT_7))
def test_ces_agreement_labels_seven_points(language):
    assert_parses("ces_7", {label: level for level, label in enumerate(AGREEMENT_7[language], 1)})


def test_ces_agreement_accentless():
    assert_parses("ces_7", {"ΣΥΜΦΩΝΩ ΑΠΟΛΥΤΑ": 7,
                            "parţial dezacord": 3, "pilnigi piekritu": 7})


EASE_5 = {
    "English": ["Very difficult", "Difficult", "Neither easy nor difficult", "Easy", "Very easy"],
    "Greek": ["Πολύ δύσκολο", "Δύσκολο", "Ουδέτερο", "Εύκολο", "Πολύ εύκολο"],
    "Chinese (traditional)": ["非常困難", "困難", "普通", "容易", "非常容易"],
    "Chinese (simplified)": ["非常困难", "困难", "一般", "容易", "非常容易"],
    "Latvian": ["Ļoti grūti", "Grūti", "Neitrāli", "Viegli", "Ļoti viegli"],
    "Thai": ["ยากมาก", "ยาก", "ปานกลาง", "ง่าย", "ง่ายมาก"],
    "Romanian": ["Foarte dificil", "Dificil", "Neutru", "Ușor", "Foarte ușor"],
}


@pytest.mark.parametrize("language", sorted(EASE_5))
def test_ces_ease_labels_five_points(language):
    assert_parses("ces_5", {label: level for level, label in enumerate(EASE_5[language], 1)})


def test_ease_labels_do_not_leak_into_the_7_point_scale():
    # "Easy" is an ease label (ces_5), not an agreement label (ces_7).
    assert parse("ces_7", ["Easy"])[1] == [UNRECOGNISED]
    assert parse("ces_7", ["Neutral"])[0] == [4.0]
    assert parse("ces_5", ["Neutral"])[0] == [3.0]


PMF = {
    "English": ["N/A - I no longer use the product", "Not disappointed", "Somewhat disappointed",
                "Very disappointed"],
    "Greek": ["Δεν το χρησιμοποιώ πλέον", "Όχι απογοητευμένος", "Κάπως απογοητευμένος",
              "Πολύ απογοητευμένος"],
    "Chinese (traditional)": ["我已不再使用", "不失望", "有點失望", "非常失望"],
    "Chinese (simplified)": ["已不再使用", "不失望", "有点失望", "非常失望"],
    "Latvian": ["Vairs neizmantoju", "Nebūtu vīlies", "Nedaudz vīlies", "Ļoti vīlies"],
    "Thai": ["ไม่ได้ใช้แล้ว", "ไม่ผิดหวัง", "ค่อนข้างผิดหวัง", "ผิดหวังมาก"],
    "Romanian": ["Nu mai folosesc", "Nu aș fi dezamăgit", "Oarecum dezamăgit", "Foarte dezamăgit"],
}


@pytest.mark.parametrize("language", sorted(PMF))
def test_pmf_answers(language):
    assert_parses("pmf", {label: level for level, label in enumerate(PMF[language])})


def test_pmf_sean_ellis_wording():
    assert_parses("pmf", {"Not disappointed (it isn't really that useful)": 1, "N/A": 0,
                          "Foarte dezamagita": 3})
    scores, _ = get_scale("pmf").parse(pd.Series(["Very disappointed", "N/A - I no longer use"]))
    assert get_scale("pmf").is_excluded(scores).tolist() == [False, True]


# --- parse properties ------------------------------------------------------------------------


@PROPERTY
@given(name=st.sampled_from(sorted(SCALES)), data=st.data())
def test_parse_every_point_as_number_and_string(name, data):
    scale = SCALES[name]
    values = data.draw(st.lists(st.sampled_from(scale.points), min_size=1, max_size=8))
    as_text = [f"{v:g}" for v in values]
    scores, problems = scale.parse(pd.Series(values + as_text, dtype=object))
    assert scores.tolist() == values + values
    assert problems.isna().all()


@PROPERTY
@given(text=st.text(max_size=12))
def test_parse_never_raises_and_flags_every_unusable_answer(text):
    scores, problems = get_scale("csat_5").parse(pd.Series([text], dtype=object))
    if np.isnan(scores.iloc[0]):
        assert problems.iloc[0] in (MISSING, UNRECOGNISED, OUT_OF_RANGE)
    else:
        assert problems.iloc[0] is None
        assert scores.iloc[0] in get_scale("csat_5").points


# --- explain ------------------------------------------------------------------------------


@pytest.mark.parametrize("value, reason, text", [
    ("7", OUT_OF_RANGE, "score outside the scale: '7' on csat_5 (1-5); check the scale "
                        "(scales=...) or the column mapping"),
    ("Meh", UNRECOGNISED, "unrecognised answer: 'Meh' on csat_5 (1-5); map this text to a "
                          "number, or pick the scale whose labels it uses"),
    (None, MISSING, "missing score: None on csat_5 (1-5); the answer is empty"),
])
def test_explain(value, reason, text):
    assert get_scale("csat_5").explain(value, reason) == text


def test_explain_every_problem_returned_by_parse():
    scale = get_scale("nps")
    values = ["11", "great", ""]
    _, problems = scale.parse(pd.Series(values))
    for value, problem in zip(values, problems):
        sentence = scale.explain(value, problem)
        assert sentence.startswith(problem) and repr(value) in sentence and "(0-10)" in sentence


# --- get_scale and resolve_scales --------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SCALES))
def test_get_scale_by_name_and_passthrough(name):
    assert get_scale(name) is SCALES[name]
    assert get_scale(SCALES[name]) is SCALES[name]


@pytest.mark.parametrize("survey, name", [("csat", "csat_5"), ("nps", "nps"), ("ces", "ces_7"),
                                          ("pmf", "pmf")])
def test_get_scale_by_survey_default(survey, name):
    assert DEFAULT_SCALES[survey] == name
    assert get_scale(survey=survey).name == name
    assert get_scale(None, survey=survey) is SCALES[name]


def test_get_scale_unknown_name_lists_known_names():
    with pytest.raises(ScaleError) as info:
        get_scale("csat_11")
    message = str(info.value)
    assert "Unknown scale 'csat_11'" in message
    for name in SCALES:
        assert name in message
    assert isinstance(info.value, CsatToolkitError)


def test_get_scale_unknown_survey():
    with pytest.raises(ParameterError, match="Unknown survey 'effort'"):
        get_scale(survey="effort")


def test_resolve_scales_defaults():
    resolved = resolve_scales()
    assert set(resolved) == set(SURVEYS)
    assert {s: resolved[s].name for s in SURVEYS} == DEFAULT_SCALES


def test_resolve_scales_with_overrides():
    custom = Scale("ces_10", "ces", tuple(float(v) for v in range(1, 11)), 8, 4)
    resolved = resolve_scales({"csat": "csat_7", "ces": custom},
                              {"nps": {"positive_min": 10}, "csat": {"positive_min": 7}})
    assert resolved["csat"].name == "csat_7" and resolved["csat"].positive_min == 7.0
    assert resolved["nps"].positive_min == 10.0 and resolved["nps"].negative_max == 6.0
    assert resolved["ces"].name == "ces_10" and resolved["ces"].positive_min == 8
    assert resolved["pmf"] == SCALES["pmf"]


@pytest.mark.parametrize("scales, thresholds, error, message", [
    ({"csatt": "csat_5"}, None, ParameterError, r"Unknown survey type\(s\) \['csatt'\]"),
    (None, {"effort": {"positive_min": 5}}, ParameterError, r"Unknown survey type\(s\) \['effort'\]"),
    ({"csat": "nps"}, None, ScaleError, "Scale 'nps' is a nps scale; it cannot score csat answers"),
    ({"nps": "ces_7"}, None, ScaleError, "is a ces scale; it cannot score nps answers"),
    ({"csat": "csat_11"}, None, ScaleError, "Unknown scale 'csat_11'"),
    (None, {"nps": {"positive_min": 11}}, ParameterError, "outside the nps scale"),
    (None, {"csat": {"negative_max": 5}}, ParameterError, "must be below positive_min"),
])
def test_resolve_scales_errors(scales, thresholds, error, message):
    with pytest.raises(error, match=message):
        resolve_scales(scales, thresholds)


def test_positive_min_at_the_bottom_leaves_no_negative_class():
    # Every answer counts as satisfied; no error about a negative_max the user never gave.
    scale = get_scale("csat_5").with_thresholds(positive_min=1)
    assert scale.is_positive(np.array([1, 5])).all()
    assert not scale.is_negative(np.array([1, 5])).any()


@pytest.mark.parametrize("answer", ["Not disappointed (it isn\u2019t really that useful)",
                                    "N/A \u2013 I no longer use the product"])
def test_typographic_quotes_and_dashes_are_understood(answer):
    scores, problems = get_scale("pmf").parse(pd.Series([answer]))
    assert problems.tolist() == [None]


@pytest.mark.parametrize("answer", ["3/10", "2 out of 10", "4-5", True])
def test_numbers_are_not_guessed_from_other_scales_or_ranges(answer):
    # "3/10" is on another scale, "4-5" is a range, True is not a satisfaction level:
    # reported as unrecognised instead of being read as 3, 2, 4 or 1.
    scores, problems = get_scale("csat_5").parse(pd.Series([answer], dtype=object))
    assert np.isnan(scores.iloc[0]) and problems.iloc[0] == "unrecognised answer"


@pytest.mark.parametrize("answer, expected", [("4/5", 4.0), ("5 - Very satisfied", 5.0),
                                               ("5 Very satisfied", 5.0), ("5.", 5.0)])
def test_numbers_with_the_scale_top_or_a_label_are_read(answer, expected):
    assert get_scale("csat_5").parse(pd.Series([answer]))[0].iloc[0] == expected


def test_booleans_are_answers_on_the_yes_no_scale():
    scores, _ = get_scale("csat_binary").parse(pd.Series([True, False], dtype=object))
    assert scores.tolist() == [1.0, 0.0]


# --- custom labels (issue 10) ---------------------------------------------------------

FACES = {"😞": 1, "🙁": 2, "😐": 3, "🙂": 4, "😁": 5}


def test_custom_labels_read_emoji_and_keep_the_built_in_labels():
    scale = get_scale("csat_5").with_labels(FACES)
    scores, problems = scale.parse(pd.Series(["😁", " 🙂 ", "😐", "🙁", "😞", "Very satisfied",
                                              "4", "🤷"]))
    assert scores.tolist()[:7] == [5.0, 4.0, 3.0, 2.0, 1.0, 5.0, 4.0]
    assert np.isnan(scores.iloc[7]) and problems.iloc[7] == UNRECOGNISED
    # the registry's scale is unchanged
    assert np.isnan(get_scale("csat_5").parse(pd.Series(["😁"]))[0].iloc[0])


def test_custom_labels_match_like_the_built_in_ones_and_win_over_them():
    scale = get_scale("csat_5").with_labels({"Super Happy!": 5, "neutral": 4, "Très bien": 4})
    scores, _ = scale.parse(pd.Series(["  super   HAPPY ", "Neutral", "tres bien", "NEUTRAL."]))
    # "neutral" is 3 among the built-in labels; the user's mapping wins
    assert scores.tolist() == [5.0, 4.0, 4.0, 4.0]
    # a later call adds to the labels and replaces a score given before
    again = scale.with_labels({"neutral": 3, "meh": 2})
    assert again.parse(pd.Series(["neutral", "meh", "super happy"]))[0].tolist() == [3.0, 2.0, 5.0]
    # thresholds keep the labels
    assert again.with_thresholds(positive_min=5).parse(pd.Series(["meh"]))[0].tolist() == [2.0]


def test_a_custom_label_that_starts_with_a_number_is_read_as_the_label():
    scale = get_scale("nps").with_labels({"10 - would not recommend": 0})
    assert scale.parse(pd.Series(["10 - would not recommend", "10"]))[0].tolist() == [0.0, 10.0]


@pytest.mark.parametrize("labels, message", [
    ({"😁": 6}, r"labels for csat_5\['😁'\] is 6, outside the csat_5 scale \(1-5\)"),
    ({"😁": 4.5}, r"is 4.5, outside the csat_5 scale"),
    ({"😁": "5"}, r"labels for csat_5\['😁'\] is '5', not a number"),
    ({"😁": True}, r"is True, not a number"),
    ({"😁": float("nan")}, r"not a number"),
    ({True: 5}, r"the label True is not text \(YAML reads an unquoted yes"),
    ({5: 5}, r"the label 5 is not text \(quote it"),
    ({" ! ": 5}, r"the label ' ! ' is empty"),
    ({"Happy": 5, "happy ": 4}, r"'Happy' and 'happy ' read the same .* map to 5 and 4"),
])
def test_custom_label_errors_name_the_label(labels, message):
    with pytest.raises(ParameterError, match=message):
        get_scale("csat_5").with_labels(labels)


def test_custom_labels_must_be_a_mapping():
    with pytest.raises(ParameterError, match=r"labels\['csat'\] must map answers to scores"):
        get_scale("csat_5").with_labels(["😁"], where="labels['csat']")


def test_custom_labels_on_a_yes_no_scale_name_its_points():
    with pytest.raises(ParameterError, match=r"outside the csat_binary scale \(0, 1\)"):
        get_scale("csat_binary").with_labels({"👌": 2})
