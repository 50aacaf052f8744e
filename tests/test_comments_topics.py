"""Tests of :mod:`csat_toolkit.comments.topics`: the YAML dictionary, tagging, summary, trend.

Matching semantics (C16 contract): text and keywords normalised the same way; a keyword
matches at the start of a word in space-separated languages (a multi-word keyword as a
word sequence, its last word a prefix); a substring in Chinese and Thai; patterns are
regexes searched in the normalised text. The summary numbers are checked by hand.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csat_toolkit.comments.language import LANGUAGES
from csat_toolkit.comments.topics import (choose_period, load_topics, tag_topics,
                                          topic_summary, topic_trend)
from csat_toolkit.core.metrics import metric_table
from csat_toolkit.errors import DataError, FileFormatError, MissingColumnError, ParameterError

Z = 1.959963984540054

TOPICS = {
    "version": 1,
    "topics": [
        {"name": "response_time", "label": "Waiting and response time",
         "en": {"keywords": ["wait", "slow", "took long"],
                "patterns": ["took (too|so|far too) long"]},
         "el": {"keywords": ["αργή", "αναμονή"]},
         "zh_hans": {"keywords": ["等", "慢"]},
         "zh_hant": {"keywords": ["回覆很慢"]},
         "th": {"keywords": ["รอนาน"]},
         "ro": {"keywords": ["întârziere", "așteptat"]},
         "lv": {"keywords": ["gaidīt"]}},
        {"name": "billing_refund",
         "en": {"keywords": ["refund", "invoice"]},
         "lv": {"keywords": ["rēķin"]},
         "zh_hans": {"keywords": ["退款"]}},
    ],
}


@pytest.fixture(scope="module")
def topics():
    return load_topics(TOPICS)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "topics.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- loading ----------------------------------------------------------------------------------


def test_load_from_a_yaml_file(tmp_path):
    path = _write(tmp_path, """
version: 1
topics:
  - name: delivery
    label: Delivery and shipping
    en:
      keywords: [Delivery, shipping, arrived late]
      patterns: ['arrived (damaged|broken)']
    el: {keywords: [Παράδοση, αποστολή]}
  - name: ease_of_use
    en: {keywords: [easy, confusing]}
""")
    topics = load_topics(path)
    assert topics.names == ["delivery", "ease_of_use"]
    assert topics.source == str(path) and len(topics) == 2
    delivery = topics["delivery"]
    assert delivery.label == "Delivery and shipping"
    assert delivery.keywords["en"] == ("delivery", "shipping", "arrived late")  # normalised
    assert delivery.keywords["el"] == ("παραδοση", "αποστολη")  # accents stripped
    assert delivery.patterns["en"] == ("arrived (damaged|broken)",)
    assert delivery.languages == ("en", "el")
    assert topics["ease_of_use"].label == "Ease of use"  # from the name
    assert topics.missing_languages("ease_of_use") == ("el", "zh_hant", "zh_hans", "lv", "th",
                                                       "ro")
    frame = topics.to_frame()
    assert frame[["topic", "language"]].values.tolist() == [
        ["delivery", "en"], ["delivery", "el"], ["ease_of_use", "en"]]
    assert "Delivery and shipping" in topics._repr_html_()


def test_the_packaged_dictionary_when_present():
    from csat_toolkit.comments import topics as module

    if not module._packaged().exists():
        pytest.skip("comments/topics.yaml is not there yet (helper SAMPLE writes it)")
    topics = load_topics()
    assert {"response_time", "resolution", "agent_attitude", "billing_refund", "product_bugs",
            "delivery", "ease_of_use"} <= set(topics.names)
    for topic in topics:
        assert topic.languages, topic.name


BAD = [
    ("topics: [", "is not valid YAML"),
    ("- a\n- b\n", "must be a mapping with 'version: 1'"),
    ("version: 1\n", "must be a mapping with 'version: 1'.*keys 'version'"),
    ("version: 2\ntopics: [{name: a, en: {keywords: [x]}}]", "unknown version 2"),
    ("version: 1\nlevel: 3\ntopics: [{name: a, en: {keywords: [x]}}]",
     "unknown top-level key.*'level'"),
    ("topics: []", "'topics' must be a non-empty list"),
    ("topics: [just text]", "topic #1: a topic must be a mapping"),
    ("topics: [{label: Waiting, en: {keywords: [wait]}}]",
     "topic #1: missing 'name' \\(keys found: 'label', 'en'\\)"),
    ("topics: [{name: Bad Name, en: {keywords: [x]}}]", "name 'Bad Name' must be lower-case"),
    ("topics:\n - {name: a, en: {keywords: [x]}}\n - {name: a, en: {keywords: [y]}}",
     "topic #2 repeats the name 'a'"),
    ("topics: [{name: a, xx: {keywords: [x]}}]",
     "topic 'a': unknown key\\(s\\) 'xx'; language codes are en, el, zh_hant, zh_hans, lv, th, ro "
     "and, best effort, bg, .*, pt, "),
    ("topics: [{name: a, en: [x, y]}]", "topic 'a', en: must be a mapping"),
    ("topics: [{name: a, en: {words: [x]}}]", "topic 'a', en: unknown key\\(s\\) 'words'"),
    ("topics: [{name: a, en: {}}]", "topic 'a', en: empty entry"),
    ("topics: [{name: a, en: {keywords: wait}}]",
     "topic 'a', en.keywords: must be a list such as \\[wait, slow\\]; found 'wait'"),
    ("topics: [{name: a, en: {keywords: []}}]", "topic 'a', en.keywords: empty list"),
    ("topics: [{name: a, en: {keywords: [wait, '', {x: 1}]}}]",
     "en.keywords: entries must be non-empty text; found '', \\{'x': 1\\}"),
    ("topics: [{name: a, en: {keywords: [wait, null]}}]", "found None"),
    ("topics: [{name: a, en: {patterns: ['took (long']}}]",
     "en.patterns: 'took \\(long' is not a valid regular expression \\(missing \\), unterminated"),
    ("topics: [{name: a, en: {patterns: ['(?i)slow']}}]", "cannot be combined.*\\(\\?i:"),
]


@pytest.mark.parametrize("text, match", BAD)
def test_invalid_dictionaries_are_named(tmp_path, text, match):
    path = _write(tmp_path, text)
    with pytest.raises(FileFormatError, match=match) as info:
        load_topics(path)
    assert str(path) in str(info.value)


def test_a_missing_file_and_a_wrong_type(tmp_path):
    with pytest.raises(FileFormatError, match="nothere.yaml not found"):
        load_topics(tmp_path / "nothere.yaml")
    with pytest.raises(ParameterError, match="path must be a YAML file path or a mapping"):
        load_topics(42)


def test_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("topics: [{name: a, ro: {keywords: [întârziere]}}]".encode("cp1250"))
    with pytest.raises(FileFormatError, match="cannot be read.*UTF-8"):
        load_topics(path)


def test_numbers_are_keywords(topics):
    loaded = load_topics({"topics": [{"name": "errors", "en": {"keywords": [404, "error"]}}]})
    assert loaded["errors"].keywords["en"] == ("404", "error")
    with pytest.raises(ParameterError, match="No topic 'nope'"):
        loaded["nope"]


# --- tagging ----------------------------------------------------------------------------------


def _tag(topics, rows):
    frame = pd.DataFrame(rows, columns=["language", "text"])
    return tag_topics(frame, topics)


def test_prefix_semantics_in_english(topics):
    flags = _tag(topics, [
        ("en", "I was waiting for days"),  # wait -> waiting
        ("en", "They WAITED."),  # case
        ("en", "an awaited reply"),  # not at a word start
        ("en", "It took longer than it should"),  # multi-word, last word a prefix
        ("en", "it  took\tlong"),  # spaces normalised
        ("en", "tooklong"),
        ("en", "mistook long words"),  # first word must start a word
        ("en", "took so long"),  # pattern
        ("en", "slowly but surely"),
    ])
    assert flags["topic_response_time"].tolist() == [True, True, False, True, True, False,
                                                     False, True, True]


def test_greek_accents_and_case(topics):
    flags = _tag(topics, [("el", "Πολύ ΑΡΓΉ απάντηση"), ("el", "πολυ αργη"),
                          ("el", "Μεγάλη Αναμονη"), ("el", "γρήγορη")])
    assert flags["topic_response_time"].tolist() == [True, True, True, False]


def test_chinese_and_thai_substrings(topics):
    flags = _tag(topics, [("zh_hans", "我等了很久"), ("zh_hans", "退款还没到"),
                          ("zh_hant", "客服回覆很慢"), ("zh_hant", "等"),  # no keyword 等 in zh_hant
                          ("th", "ต้องรอนานมาก"), ("th", "บริการดี")])
    assert flags["topic_response_time"].tolist() == [True, False, True, False, True, False]
    assert flags["topic_billing_refund"].tolist() == [False, True, False, False, False, False]


def test_romanian_diacritics_and_latvian_kept(topics):
    flags = _tag(topics, [("ro", "Intarziere mare"), ("ro", "am aşteptat mult"),  # cedilla form
                          ("lv", "Nācās gaidīt"), ("lv", "naca gaidit"),  # Latvian keeps marks
                          ("lv", "rēķins nepareizs")])
    assert flags["topic_response_time"].tolist() == [True, True, True, False, False]
    assert flags["topic_billing_refund"].tolist() == [False, False, False, False, True]


def test_languages_without_keywords_and_unsupported_are_never_tagged(topics):
    flags = _tag(topics, [("el", "refund please"), ("pt", "wait refund"), ("und", "wait"),
                          ("en", None)])
    assert not flags.to_numpy().any()


def test_flags_keep_the_frame_index_and_order(topics):
    frame = pd.DataFrame({"language": ["en", "zh_hans", "en"],
                          "text": ["refund", "等", "nothing"]}, index=[30, 10, 20])
    flags = tag_topics(frame, topics)
    assert flags.index.tolist() == [30, 10, 20]
    assert flags.columns.tolist() == ["topic_response_time", "topic_billing_refund"]
    assert flags.dtypes.eq(bool).all()
    assert flags.to_numpy().tolist() == [[False, True], [True, False], [False, False]]
    assert flags.attrs["topic_labels"]["topic_billing_refund"] == "Billing refund"


def test_emoji_keyword_matches_anywhere():
    topics = load_topics({"topics": [{"name": "angry", "en": {"keywords": ["😡", "angry"]}}]})
    flags = _tag(topics, [("en", "so bad😡"), ("en", "angry!"), ("en", "hangry")])
    assert flags["topic_angry"].tolist() == [True, True, False]


def test_tag_topics_errors(topics):
    with pytest.raises(MissingColumnError, match="no column 'language'"):
        tag_topics(pd.DataFrame({"text": ["x"]}), topics)
    with pytest.raises(ParameterError, match="TopicDictionary"):
        tag_topics(pd.DataFrame({"text": ["x"], "language": ["en"]}), {"topics": []})
    with pytest.raises(ParameterError, match="comment frame"):
        tag_topics(["x"], topics)


def test_one_regex_per_topic_and_language(topics):
    regex = topics["response_time"].regex("en")
    assert regex.pattern == (r"(?:(?<!\w)(?:wait|slow|took\s+long))|(?:(?:took (too|so|far too) "
                             r"long))")
    assert topics["billing_refund"].regex("el") is None
    assert topics["billing_refund"].regex("zh_hans").pattern == "退款"


# --- summary ----------------------------------------------------------------------------------


def _summary_frame():
    """100 CSAT comments: 40 mention a refund (12 satisfied), 60 do not (45 satisfied);
    20 NPS comments; 10 Latvian comments among the CSAT ones."""
    rows = []
    for i in range(40):
        rows.append(("en", "csat", 5 if i < 12 else 1, "refund please"))
    for i in range(60):
        rows.append(("en" if i >= 10 else "lv", "csat", 5 if i < 45 else 2, "fine"))
    for i in range(20):
        rows.append(("en", "nps", 10 if i < 5 else 0, "waited forever for a refund"))
    frame = pd.DataFrame(rows, columns=["language", "survey", "score", "text"])
    frame["language_supported"] = True
    return frame


def test_summary_numbers_by_hand(topics):
    frame = _summary_frame()
    flags = tag_topics(frame, topics)
    result = topic_summary(frame, flags, survey="csat", topics=topics)
    row = result.table.set_index("topic").loc["billing_refund"]
    # share of all 120 comments: 60 tagged (40 CSAT + 20 NPS)
    assert row["comments"] == 60 and row["share"] == pytest.approx(50.0)
    p, n = 0.5, 120
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    assert row["share_ci_low"] == pytest.approx(100 * (centre - half))
    assert row["share_ci_high"] == pytest.approx(100 * (centre + half))
    # CSAT among tagged: 12/40 = 30%; among the other CSAT comments: 45/60 = 75%
    assert (row["n"], row["ref_n"]) == (40, 60)
    assert row["estimate"] == pytest.approx(30.0) and row["ref_estimate"] == pytest.approx(75.0)
    tagged = metric_table(frame[flags["topic_billing_refund"] & (frame["survey"] == "csat")], "csat")
    assert row["ci_low"] == pytest.approx(tagged["ci_low"].iloc[0])
    assert row["difference"] == pytest.approx(-45.0)
    # pooled two-proportion z test by hand
    pooled = 57 / 100
    z = (0.30 - 0.75) / math.sqrt(pooled * (1 - pooled) * (1 / 40 + 1 / 60))
    p_value = math.erfc(abs(z) / math.sqrt(2))
    assert row["p_value"] == pytest.approx(p_value)
    other = result.table.set_index("topic").loc["response_time"]
    # response_time: tags the 20 NPS comments only ("waited") -> no CSAT comment tagged
    assert other["comments"] == 20 and other["n"] == 0
    assert np.isnan(other["p_value"]) and other["small_n"] and not other["significant"]
    # Holm over the topics: one p-value present -> unchanged
    assert row["p_adjusted"] == pytest.approx(p_value)
    assert bool(row["significant"]) and not bool(row["small_n"])
    assert row["no_keywords_in"] == ""
    assert other["no_keywords_in"] == ""
    assert result.sentences[1].startswith("Billing refund: 60 of 120 comments (50.0%, 95% CI")
    assert "45.0 points lower than the other comments (75.0%, n=60)" in result.sentences[1]
    assert "none of them from the CSAT survey" in result.sentences[0]
    assert "Holm" in result.method and "Wilson" in result.method


def test_holm_and_bh_across_topics():
    topics = load_topics({"topics": [
        {"name": "a", "en": {"keywords": ["alpha"]}},
        {"name": "b", "en": {"keywords": ["beta"]}},
        {"name": "c", "en": {"keywords": ["gamma"]}}]})
    rng = np.random.default_rng(4)
    words = rng.choice(["alpha", "beta", "gamma", "delta"], size=400)
    good = {"alpha": 0.45, "beta": 0.6, "gamma": 0.7, "delta": 0.7}
    scores = [5 if rng.uniform() < good[w] else 1 for w in words]
    frame = pd.DataFrame({"language": "en", "survey": "csat", "score": scores, "text": words})
    flags = tag_topics(frame, topics)
    holm = topic_summary(frame, flags).table
    bh = topic_summary(frame, flags, correction="bh").table
    none = topic_summary(frame, flags, correction="none").table
    p = none["p_value"].to_numpy()
    assert np.allclose(none["p_adjusted"], p)
    order = np.argsort(p)
    expected_holm = np.maximum.accumulate(np.minimum(1, p[order] * (3 - np.arange(3))))
    assert np.allclose(holm["p_adjusted"].to_numpy()[order], expected_holm)
    ranked = p[order] * 3 / np.arange(1, 4)
    expected_bh = np.minimum.accumulate(ranked[::-1])[::-1]
    assert np.allclose(bh["p_adjusted"].to_numpy()[order], np.minimum(expected_bh, 1))
    assert set(holm["correction"]) == {"Holm"} and set(bh["correction"]) == {"Benjamini-Hochberg"}


def test_nps_summary_and_survey_chosen_by_count(topics):
    frame = _summary_frame()
    extra = frame[frame["survey"] == "nps"].assign(text=["refund", "fine"] * 10)
    frame = pd.concat([frame, *[extra] * 5], ignore_index=True)  # 120 NPS, 100 CSAT comments
    flags = tag_topics(frame, topics)
    result = topic_summary(frame, flags, topics=topics)
    assert result.survey == "nps"
    row = result.table.set_index("topic").loc["billing_refund"]
    rows = frame[flags["topic_billing_refund"] & (frame["survey"] == "nps")]
    expected = metric_table(rows, "nps").iloc[0]
    assert row["n"] == expected["n"] and row["estimate"] == pytest.approx(expected["estimate"])
    assert (row["n"], row["ref_n"]) == (70, 50)
    assert row["test"] == "NPS difference z test; Wald interval"


def test_small_groups_are_never_significant_and_the_sentence_says_so(topics):
    frame = pd.DataFrame({"language": "en", "survey": "csat", "score": [1] * 5 + [5] * 95,
                          "text": ["refund"] * 5 + ["ok"] * 95})
    result = topic_summary(frame, tag_topics(frame, topics), topics=topics)
    row = result.table.set_index("topic").loc["billing_refund"]
    assert row["small_n"] and not row["significant"]
    assert "too few comments on one side" in result.sentences[1]


def test_not_distinguishable_wording(topics):
    frame = pd.DataFrame({"language": "en", "survey": "csat",
                          "score": ([5] * 20 + [1] * 20) * 2,
                          "text": ["refund"] * 40 + ["ok"] * 40})
    result = topic_summary(frame, tag_topics(frame, topics), topics=topics)
    assert "not distinguishable from the other comments (50.0%, n=40)" in result.sentences[1]
    assert "higher" not in result.sentences[1] and "lower" not in result.sentences[1]


def test_languages_without_keywords_are_reported(topics):
    frame = pd.DataFrame({"language": ["en", "el", "th", "pt"], "survey": "csat",
                          "score": [5, 4, 1, 2], "text": ["refund", "x", "y", "z"],
                          "language_supported": [True, True, True, False]})
    result = topic_summary(frame, tag_topics(frame, topics))  # read from the flags' attrs
    table = result.table.set_index("topic")
    assert table.loc["billing_refund", "no_keywords_in"] == "el, th"
    assert table.loc["response_time", "no_keywords_in"] == ""
    assert result.notes == ["Billing refund: no keywords in el, th; those comments are never "
                            "tagged with it."]
    html = result._repr_html_()
    assert "no keywords in el, th" in html


def test_summary_errors(topics):
    frame = _summary_frame()
    flags = tag_topics(frame, topics)
    with pytest.raises(ParameterError, match="survey 'csat_mean' is not a survey type"):
        topic_summary(frame, flags, survey="csat_mean")
    with pytest.raises(DataError, match="No comment from the CES survey.*'csat', 'nps'"):
        topic_summary(frame, flags, survey="ces")
    with pytest.raises(ParameterError, match="Unknown correction 'bonferroni'"):
        topic_summary(frame, flags, correction="bonferroni")
    with pytest.raises(ParameterError, match="conf"):
        topic_summary(frame, flags, conf=95)
    with pytest.raises(DataError, match="do not have the comment frame's index"):
        topic_summary(frame, flags.iloc[:10])
    with pytest.raises(MissingColumnError, match="no 'topic_...' column"):
        topic_summary(frame, flags.rename(columns=lambda c: c[6:]))
    with pytest.raises(ParameterError, match="flags must be the DataFrame"):
        topic_summary(frame, None)
    with pytest.raises(MissingColumnError, match="no column 'survey'"):
        topic_summary(frame.drop(columns="survey"), flags)
    with pytest.raises(DataError, match="No comment comes from a CSAT, NPS, CES or PMF survey"):
        topic_summary(frame.assign(survey="other"), flags)


# --- trend ------------------------------------------------------------------------------------


def _dated():
    frame = _summary_frame()
    days = pd.date_range("2024-01-01", periods=len(frame), freq="D")
    return frame.assign(responded_at=days)


def test_trend_by_month_by_hand(topics):
    frame = _dated()
    flags = tag_topics(frame, topics)
    trend = topic_trend(frame, flags, "M", survey="csat")
    assert trend.attrs["period"] == "M" and trend.attrs["notes"] == []
    jan = trend[(trend["period"] == pd.Period("2024-01", "M"))
                & (trend["topic"] == "billing_refund")].iloc[0]
    # January: rows 0-30, all CSAT; rows 0-30 of the 40 refund comments are tagged
    assert (jan["comments"], jan["tagged"]) == (31, 31)
    assert jan["share"] == 100.0 and jan["share_ci_high"] == 100.0
    assert jan["n"] == 31 and jan["estimate"] == pytest.approx(100 * 12 / 31)
    expected = metric_table(frame.iloc[:31], "csat").iloc[0]
    assert jan["ci_low"] == pytest.approx(expected["ci_low"])
    assert not jan["small_n"]
    assert trend["period"].astype(str).unique().tolist() == ["2024-01", "2024-02", "2024-03",
                                                             "2024-04"]
    april = trend[(trend["period"] == pd.Period("2024-04", "M"))
                  & (trend["topic"] == "billing_refund")].iloc[0]
    # April: rows 91-119: 9 CSAT "fine" + 20 NPS refund comments; no CSAT tagged
    assert (april["comments"], april["tagged"], april["n"]) == (29, 20, 0)
    assert np.isnan(april["estimate"]) and april["small_n"]
    assert "Wilson" in trend["method"].iloc[0]


def test_trend_period_from_the_data_and_undated_rows(topics):
    frame = _dated()
    frame.loc[[0, 1], "responded_at"] = pd.NaT
    trend = topic_trend(frame, tag_topics(frame, topics), period=None)
    assert trend.attrs["period"] == "W"  # 118 days: weeks
    assert trend.attrs["notes"] == ["2 comments without a date are left out of the trend."]
    assert trend.groupby("topic")["comments"].sum().tolist() == [118, 118]
    long = frame.assign(responded_at=pd.date_range("2020-01-01", periods=len(frame), freq="15D"))
    assert topic_trend(long, tag_topics(long, topics), None).attrs["period"] == "Q"


def test_choose_period_rule():
    def span(days):
        return pd.Series([pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-01")
                          + pd.Timedelta(days=days)])
    assert [choose_period(span(d)) for d in (0, 120, 121, 1096, 1097)] == ["W", "W", "M", "M",
                                                                           "Q"]
    with pytest.raises(DataError, match="No dates"):
        choose_period(pd.Series([pd.NaT]))


def test_trend_errors(topics):
    frame = _dated()
    flags = tag_topics(frame, topics)
    with pytest.raises(MissingColumnError, match="no column 'responded_at'"):
        topic_trend(frame.drop(columns="responded_at"), flags)
    with pytest.raises(DataError, match="responded_at is empty in every comment"):
        topic_trend(frame.assign(responded_at=pd.NaT), flags)
    with pytest.raises(ParameterError, match="Unknown period 'fortnight'"):
        topic_trend(frame, flags, "fortnight")


def test_languages_constant_is_the_contract():
    assert LANGUAGES == ("en", "el", "zh_hant", "zh_hans", "lv", "th", "ro")


def test_another_listed_language_can_have_keywords_and_unanalysed_rows_are_not_tagged():
    # Portuguese (a run listing "pt"): word-start keywords as for English; a comment in a
    # language the run does not analyse (language_supported False) is never tagged.
    topics = load_topics({"topics": [{"name": "delivery",
                                      "pt": {"keywords": ["entreg", "prazo"]},
                                      "en": {"keywords": ["delivery"]}}]})
    assert topics["delivery"].languages == ("en", "pt")
    frame = pd.DataFrame({
        "language": ["pt", "pt", "en", "en"],
        "language_supported": [True, True, True, False],
        "text": ["Não foi entregue no prazo", "Ótimo produto", "Late delivery",
                 "Late delivery"]})
    assert tag_topics(frame, topics)["topic_delivery"].tolist() == [True, False, True, False]
