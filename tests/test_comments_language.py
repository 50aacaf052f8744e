"""Language detection, normalisation and tokens for comments (issue 16)."""
from __future__ import annotations

import socket

import pandas as pd
import pytest

from .conftest import REPO
from csat_toolkit.comments import (LANGUAGES, LANGUAGE_NAMES, detect_language, detect_languages,
                                   normalise, phrases, tokenize, tokenize_many)
from csat_toolkit.errors import ParameterError

TEST_SET = REPO / "tests" / "fixtures" / "languages" / "comments.csv"


@pytest.fixture(scope="module")
def test_set():
    return pd.read_csv(TEST_SET, keep_default_na=False, dtype=str)


def test_test_set_shape(test_set):
    counts = test_set["language"].value_counts()
    assert all(counts[code] == 40 for code in LANGUAGES)
    assert {"pt", "es", "de", "ru", "und"} <= set(counts.index)
    assert len(test_set) == 298


def test_accuracy_per_language_is_the_measured_one(test_set):
    # Measured with benchmarks/bench_language.py (py3langid 0.4.0 with the module's rule);
    # the detector is deterministic, so the counts are exact.
    out = detect_languages(test_set["text"])
    correct = (out["language"] == test_set["language"]).groupby(test_set["language"]).sum()
    expected = {"en": 39, "el": 40, "zh_hant": 40, "zh_hans": 40, "lv": 40, "th": 40, "ro": 40,
                "pt": 3, "es": 3, "de": 3, "ru": 3, "und": 6}
    assert correct.to_dict() == expected
    wrong = test_set.loc[out["language"] != test_set["language"], "text"].tolist()
    assert wrong == ["Kind staff, fast answers."]


def test_detect_languages_columns_and_index():
    texts = pd.Series(["Η παράδοση άργησε πολύ.", "Ainda estou esperando o reembolso.", None,
                       "!!!"], index=[10, 11, 12, 13])
    out = detect_languages(texts)
    assert list(out.columns) == ["language", "language_supported", "confidence"]
    assert list(out.index) == [10, 11, 12, 13]
    assert out["language"].tolist() == ["el", "pt", "und", "und"]
    assert out["language_supported"].tolist() == [True, False, False, False]
    assert out.loc[10, "confidence"] == 1.0  # decided by script
    assert 0 < out.loc[11, "confidence"] <= 1
    assert out.loc[[12, 13], "confidence"].isna().all()


@pytest.mark.parametrize("text, expected", [
    ("服务很好", "zh_hans"), ("服務很好", "zh_hant"),
    ("回覆太慢了", "zh_hant"),             # 覆 is both; the phrase 回覆 is traditional
    ("很好", "zh_hans"),                   # written the same in both scripts: zh_hans
    ("导出 Excel 的功能坏了", "zh_hans"),   # Han counts three letters a character
    ("Το Outlook plugin δεν δουλεύει", "el"),
    ("หลังอัปเดต LINE เชื่อมต่อไม่ได้", "th"),
    ("ありがとうございました", "ja"), ("감사합니다", "ko"),
    ("Minunat", "ro"), ("Excellent", "en"), ("Lieliski", "lv"),   # short: among en/lv/ro
    ("", "und"), ("   ", "und"), ("😡 😡", "und"), ("10/10", "und"), ("[email]", "und"),
    ("jane@example.com", "und"),
    ("Деньги до сих пор не вернули.", "ru"),
])
def test_hard_cases(text, expected):
    assert detect_language(text) == expected


def test_restricting_languages_changes_support_not_codes():
    texts = pd.Series(["Problēmu atrisināja stundas laikā, paldies", "Too slow, far too slow"])
    out = detect_languages(texts, languages=["en"])
    assert out["language"].tolist() == ["lv", "en"]
    assert out["language_supported"].tolist() == [False, True]
    assert detect_language("Minunat", languages=["ro", "lv"]) == "ro"
    assert detect_language("Minunat", languages=["ro"]) == "ro"


def test_language_names_cover_the_codes():
    assert set(LANGUAGES) <= set(LANGUAGE_NAMES)
    assert LANGUAGES == ("en", "el", "zh_hant", "zh_hans", "lv", "th", "ro")


@pytest.mark.parametrize("text, language, expected", [
    ("ΈΞΟΔΟΣ από την ΕΦΑΡΜΟΓΉ", "el", "εξοδοσ απο την εφαρμογη"),
    ("Πρωτεΐνη, ρολόι", "el", "πρωτεινη, ρολοι"),
    ("Mulţumesc  pentru  Ajutor", "ro", "multumesc pentru ajutor"),
    ("ÎNCĂ AȘTEPT răspunsul", "ro", "inca astept raspunsul"),
    ("Ļoti ĀTRI, paldies", "lv", "ļoti ātri, paldies"),
    ("Café au lait", "en", "café au lait"),
    ("ＡＰＰ很好用１２３", "zh_hans", "app很好用123"),
    ("  แย่มาก  ", "th", "แย่มาก"),
    ("Write to [email] 👍", "en", "write to [email] 👍"),
    ("Ótimo", "pt", "ótimo"),
])
def test_normalise(text, language, expected):
    assert normalise(text, language) == expected


@pytest.mark.parametrize("text, language, expected", [
    ("Can't log in, the iOS app crashes 👍🏽 since 10:30 [email]", "en",
     ["cannot", "log", "ios", "app", "crash", "👍🏽", "[email]"]),
    ("Δεν λύθηκε ακόμα 😡😡", "el", ["δεν", "λυνω", "😡", "😡"]),
    ("Nav atrisināts, joprojām gaidu.", "lv", ["nav", "atrisināts", "joprojām", "gaida"]),
    ("Nu mi-au răspuns, aştept de 3 zile", "ro", ["nu", "raspunde", "astepta"]),
    ("问题一个小时就解决了，谢谢 👍", "zh_hans", ["问题", "小时", "解决", "谢谢", "👍"]),
    ("問題一個小時就解決了，謝謝 👍", "zh_hant", ["問題", "小時", "解決", "謝謝", "👍"]),
    ("พนักงานพูดจาไม่สุภาพและปิดแชทใส่ 😡", "th",
     ["พนักงาน", "พูดจา", "ไม่", "สุภาพ", "แชท", "ใส่", "😡"]),
])
def test_tokenize_one_sentence_per_language(text, language, expected):
    assert tokenize(text, language) == expected


def test_english_keeps_the_words_of_satisfaction():
    assert tokenize("Great support, thanks! Good and useful help", "en") == [
        "great", "support", "thanks", "good", "useful", "help"]


def test_emoji_are_tokens_without_variation_selectors():
    assert tokenize("Love it ❤️❤️", "en") == ["love", "❤", "❤"]


@pytest.mark.parametrize("language", ["und", "ja", "xx"])
def test_unsupported_language_gives_no_tokens(language):
    assert tokenize("O atendimento foi ótimo", language) == []


def test_another_listed_language_gets_words_lemmas_and_negations():
    # Portuguese (Olist reviews): stopwordsiso's "o", "foi", "do" go, simplemma's lemmas
    # ("chegou" -> "chegar", "produtos" -> "produto"), the negation "não" is kept.
    assert tokenize("O produto não chegou, foi o pior dos produtos", "pt") == [
        "produto", "não", "chegar", "pior", "produto"]


def test_tokenize_many_matches_tokenize_and_handles_missing():
    texts = ["Fast reply!", "回复太慢了", None, "Fast reply!", float("nan")]
    langs = ["en", "zh_hans", "en", "en", "en"]
    out = tokenize_many(texts, langs)
    assert out == [["fast", "reply"], ["回复", "太慢"], [], ["fast", "reply"], []]
    out[0].append("x")
    assert out[3] == ["fast", "reply"]  # no shared lists


def test_phrases():
    assert phrases(["not", "resolve", "wait"]) == ["not resolve", "resolve wait"]
    assert phrases(["not", "resolve", "wait"], n=3) == ["not resolve wait"]
    assert phrases(["ตอบ", "เกินไป"], language="th") == ["ตอบเกินไป"]
    assert phrases(["one"]) == []


@pytest.mark.parametrize("call, match", [
    (lambda: detect_language(12), "text must be a string; got 12"),
    (lambda: detect_language(None), "got None"),
    (lambda: detect_language("hello", languages=["en", "xx"]), "en, el, zh_hant.*found 'xx'"),
    (lambda: detect_language("hello", languages="en"), "list of language codes"),
    (lambda: detect_language("hello", languages=[]), "empty list"),
    (lambda: detect_languages(["a"]), "pandas Series"),
    (lambda: detect_languages(pd.Series(["ok", 5])), "found 5"),
    (lambda: detect_languages(pd.Series(["ok"]), languages=["xx"]), "'xx'"),
    (lambda: normalise(3.5, "en"), "text must be a string; got 3.5"),
    (lambda: normalise("ok", None), "language must be a language code"),
    (lambda: tokenize(["a"], "en"), r"got \['a'\]"),
    (lambda: tokenize("a", 7), "got 7"),
    (lambda: tokenize_many(["a", "b"], ["en"]), "2 texts and 1 language"),
    (lambda: tokenize_many([1], ["en"]), "found 1"),
    (lambda: tokenize_many(["a"], [None]), "found None"),
    (lambda: phrases(["a", "b"], n=1),
     r"n must be an integer of at least 2 \(words per phrase\); got 1"),
    (lambda: phrases(["a", "b"], n=True), "got True"),
])
def test_errors(call, match):
    with pytest.raises(ParameterError, match=match):
        call()


def test_no_network_is_used(monkeypatch):
    """Detection and tokenisation in every language run with sockets disabled."""
    import csat_toolkit.comments.language as language
    import csat_toolkit.comments.tokens as tokens

    def refuse(*args, **kwargs):
        raise AssertionError("a network connection was attempted")

    language._detector.cache_clear()
    tokens._jieba.cache_clear()
    tokens._stop_words.cache_clear()
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    texts = pd.Series(["Great support, thanks!", "Πολύ καλή εξυπηρέτηση", "服務很好",
                       "服务很好", "Ļoti laba apkalpošana", "บริการดีมาก", "Servicii excelente"])
    out = detect_languages(texts)
    assert out["language"].tolist() == list(
        ("en", "el", "zh_hant", "zh_hans", "lv", "th", "ro"))
    assert all(tokenize_many(texts, out["language"]))
