"""Keyword in context (comments.kwic, issue 16): matching folded, showing the original."""
from __future__ import annotations

import pandas as pd
import pytest

from csat_toolkit.comments.kwic import fold, fold_with_positions, keyword_in_context
from csat_toolkit.errors import MissingColumnError, ParameterError


def _frame(rows):
    columns = ["response_id", "language", "tone", "score", "text", "responded_at"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["responded_at"] = pd.to_datetime(frame["responded_at"])
    return frame


FRAME = _frame([
    ("r1", "en", "unhappy", 1,
     "I was Waiting for three days, and after waiting again nobody wrote to [email].",
     "2024-05-01"),
    ("r2", "el", "unhappy", 2, "Πολύ ΑΡΓΉ απάντηση από την υποστήριξη, αργησαν πολύ.",
     "2024-05-03"),
    ("r3", "zh_hans", "happy", 5, "客服回复很快，问题当天就解决了。", "2024-05-02"),
    ("r4", "zh_hant", "unhappy", 1, "等了三天才回覆，太慢了", None),
    ("r5", "ro", "unhappy", 1, "Rambursarea întârzie de două săptămâni.", "2024-04-30"),
    ("r6", "lv", "happy", 5, "Kāza bija skaista, kaza arī.", "2024-04-29"),
    ("r7", "th", "unhappy", 2, "รอนานมากกว่าจะได้คำตอบ", "2024-05-04"),
    ("r8", "en", "happy", 5, "Await no more: the reply came fast", "2024-04-01"),
])


def _shown(out):
    return out[["response_id", "left", "keyword", "right"]].values.tolist()


def test_english_prefix_whole_word_and_original_text():
    out = keyword_in_context(FRAME, "wait", window=3)
    # "Await" does not start with "wait"; "Waiting" and "waiting" do (case folded);
    # the keyword is the whole word as written; the masked e-mail is shown as masked.
    assert _shown(out) == [
        ["r1", "I was", "Waiting", "for three days,"],
        ["r1", "days, and after", "waiting", "again nobody wrote"],
    ]
    assert out[["language", "tone", "score"]].values.tolist() == [["en", "unhappy", 1]] * 2
    assert _shown(keyword_in_context(FRAME, "nobody wrote", window=2)) == [
        ["r1", "waiting again", "nobody wrote", "to [email]."]]


def test_window_counts_words_and_stops_at_the_ends():
    out = keyword_in_context(FRAME, "waiting", window=1)
    assert _shown(out) == [["r1", "was", "Waiting", "for"], ["r1", "after", "waiting", "again"]]
    out = keyword_in_context(FRAME, "reply", window=10)
    assert _shown(out) == [["r8", "Await no more: the", "reply", "came fast"]]


def test_punctuation_glued_to_the_keyword_is_not_a_word_of_the_window():
    frame = _frame([("q", "en", "unhappy", 1, 'He said "slow," then left the chat today',
                     "2024-01-01")])
    assert _shown(keyword_in_context(frame, "slow", window=2)) == [
        ["q", 'He said "', "slow", '," then left']]


def test_greek_accents_and_case_folded_both_ways():
    out = keyword_in_context(FRAME, "αργη", window=2)
    assert _shown(out) == [["r2", "Πολύ", "ΑΡΓΉ", "απάντηση από"],
                           ["r2", "την υποστήριξη,", "αργησαν", "πολύ."]]
    # an accented term finds unaccented text, and the prefix runs to the word's end
    out = keyword_in_context(FRAME, "ΑΡΓΉΣ", window=1)
    assert _shown(out) == [["r2", "υποστήριξη,", "αργησαν", "πολύ."]]


def test_romanian_diacritics_folded():
    out = keyword_in_context(FRAME, "intarzie", window=1)
    assert _shown(out) == [["r5", "Rambursarea", "întârzie", "de"]]
    assert _shown(keyword_in_context(FRAME, "saptamani", window=1)) == [
        ["r5", "două", "săptămâni", "."]]


def test_latvian_keeps_its_diacritics():
    assert _shown(keyword_in_context(FRAME, "kāza", window=1)) == [["r6", "", "Kāza", "bija"]]
    assert _shown(keyword_in_context(FRAME, "kaza", window=1)) == [
        ["r6", "skaista,", "kaza", "arī."]]


def test_chinese_and_thai_substrings_with_character_windows():
    out = keyword_in_context(FRAME, "回复", window=1)  # 2 characters each side
    assert _shown(out) == [["r3", "客服", "回复", "很快"]]
    out = keyword_in_context(FRAME, "解决", window=2)  # 4 characters each side
    assert _shown(out) == [["r3", "题当天就", "解决", "了。"]]
    out = keyword_in_context(FRAME, "回覆", window=3)
    assert _shown(out) == [["r4", "等了三天才", "回覆", "，太慢了"]]
    out = keyword_in_context(FRAME, "นาน", window=1)
    assert _shown(out) == [["r7", "รอ", "นาน", "มา"]]


def test_order_newest_first_undated_last_then_limit_and_language():
    frame = _frame([
        ("old", "en", "happy", 5, "fast reply", "2024-01-01"),
        ("none", "en", "happy", 5, "fast answer", None),
        ("new", "en", "unhappy", 1, "not fast", "2024-03-01"),
        ("mid", "el", "happy", 5, "fast", "2024-02-01"),
    ])
    assert keyword_in_context(frame, "fast")["response_id"].tolist() == [
        "new", "mid", "old", "none"]
    assert keyword_in_context(frame, "fast", limit=2)["response_id"].tolist() == ["new", "mid"]
    assert keyword_in_context(frame, "fast", language="el")["response_id"].tolist() == ["mid"]
    assert keyword_in_context(frame, "fast", language=["en"], limit=None)[
        "response_id"].tolist() == ["new", "old", "none"]
    # without responded_at: the frame's order
    assert keyword_in_context(frame.drop(columns="responded_at"), "fast")[
        "response_id"].tolist() == ["old", "none", "new", "mid"]


def test_time_zone_aware_dates_and_missing_text():
    frame = _frame([("a", "en", "happy", 5, "fast", "2024-01-01"),
                    ("b", "en", "happy", 5, None, "2024-02-01"),
                    ("c", "en", "happy", 5, "fast too", "2024-03-01")])
    frame["responded_at"] = frame["responded_at"].dt.tz_localize("Europe/Riga")
    assert keyword_in_context(frame, "fast")["response_id"].tolist() == ["c", "a"]


def test_no_match_gives_the_columns():
    out = keyword_in_context(FRAME, "zzz")
    assert out.empty and list(out.columns) == ["response_id", "language", "tone", "score",
                                               "left", "keyword", "right"]


def test_fold_with_positions_maps_back():
    folded, positions = fold_with_positions("ΆΡΓΗΣΕ ß", "el")
    assert folded == "αργησε ss" and positions == [0, 1, 2, 3, 4, 5, 6, 7, 7]
    assert fold("Mulţumesc ȘI", "ro") == "multumesc si"
    assert fold("Ļoti", "lv") == "ļoti" and fold("Café", "en") == "café"


def test_errors():
    with pytest.raises(MissingColumnError, match="'text'"):
        keyword_in_context(FRAME.drop(columns="text"), "wait")
    with pytest.raises(MissingColumnError, match="'tone', 'score'"):
        keyword_in_context(FRAME.drop(columns=["tone", "score"]), "wait")
    with pytest.raises(ParameterError, match="term must be a word"):
        keyword_in_context(FRAME, "  ")
    with pytest.raises(ParameterError, match="term must be a word"):
        keyword_in_context(FRAME, None)
    with pytest.raises(ParameterError, match="window must be a whole number"):
        keyword_in_context(FRAME, "wait", window=0)
    with pytest.raises(ParameterError, match="limit must be"):
        keyword_in_context(FRAME, "wait", limit=0)
    with pytest.raises(ParameterError, match="language must be a language code"):
        keyword_in_context(FRAME, "wait", language=[""])
