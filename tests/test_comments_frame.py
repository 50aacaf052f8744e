"""The comment frame (csat_toolkit.comments.frame): tone, masking, languages, topic flags."""
from __future__ import annotations

import pandas as pd
import pytest

from csat_toolkit.comments import (CommentFrame, comment_frame, language_table, load_topics,
                                   tone_of, topic_flags)
from csat_toolkit.core.scales import get_scale
from csat_toolkit.errors import MissingColumnError, ParameterError


def answers(comments, scores=None, survey="csat", **columns):
    """A responses frame: ids 1..n, one survey, the comments, optional extra columns."""
    scores = [5] * len(comments) if scores is None else scores
    frame = pd.DataFrame({"response_id": range(1, len(comments) + 1), "survey": survey,
                          "score": scores, "comment": comments})
    return frame.assign(**columns)


def tones(survey, scores, scales=None):
    surveys = survey if isinstance(survey, list) else [survey] * len(scores)
    return tone_of(pd.Series(surveys, dtype=object), pd.Series(scores, dtype=object),
                   scales).tolist()


# --- tone_of ----------------------------------------------------------------------------

def test_csat_1_to_5_three_is_unhappy():
    # CSAT's own "not satisfied": everything below the top-2-box, 3 included.
    assert tones("csat", [1, 2, 3, 4, 5]) == ["unhappy"] * 3 + ["happy"] * 2


def test_nps_passives_are_neutral():
    assert tones("nps", [0, 6, 7, 8, 9, 10]) == ["unhappy", "unhappy", "neutral", "neutral",
                                                 "happy", "happy"]


def test_ces_bottom_and_top_of_the_scale():
    # ces_7 (CES 2.0): easy 5-7, difficult 1-3, 4 in the middle.
    assert tones("ces", [1, 2, 3, 4, 5, 6, 7]) == ["unhappy"] * 3 + ["neutral"] + ["happy"] * 3
    # ces_5: easy 4-5, difficult 1-2.
    assert tones("ces", [1, 2, 3, 4, 5], {"ces": get_scale("ces_5")}) == [
        "unhappy", "unhappy", "neutral", "happy", "happy"]


def test_custom_scales_and_thresholds():
    strict = get_scale("csat_5").with_thresholds(positive_min=5)
    assert tones("csat", [3, 4, 5], {"csat": strict}) == ["unhappy", "unhappy", "happy"]
    nps = get_scale("nps").with_thresholds(positive_min=10, negative_max=5)
    assert tones("nps", [5, 6, 9, 10], {"nps": nps}) == ["unhappy", "neutral", "neutral",
                                                         "happy"]
    # A CSAT scale under another survey name is still CSAT: no neutral middle, even when
    # negative_max leaves a gap (4 and 5 on 1-7 are "not satisfied").
    seven = get_scale("csat_7").with_thresholds(negative_max=3)
    assert tones("post_ticket", [3, 4, 5, 6], {"post_ticket": seven}) == [
        "unhappy", "unhappy", "unhappy", "happy"]


def test_pmf_no_longer_users_are_neutral():
    # 0 = "I no longer use the product": outside the PMF metric, so never compared.
    assert tones("pmf", [0, 1, 2, 3]) == ["neutral", "unhappy", "unhappy", "happy"]


def test_missing_scores_unknown_and_missing_surveys_are_neutral():
    assert tones("csat", [None, float("nan"), "n/a", 5]) == ["neutral"] * 3 + ["happy"]
    assert tones(["other", None, "nps"], [1, 1, 1]) == ["neutral", "neutral", "unhappy"]


def test_tone_keeps_the_index():
    tone = tone_of(pd.Series(["csat", "nps"], index=[10, 20]), pd.Series([1, 10], index=[10, 20]))
    assert tone.to_dict() == {10: "unhappy", 20: "happy"}


# --- comment_frame ----------------------------------------------------------------------

def test_empty_and_whitespace_comments_are_dropped_and_counted():
    data = answers(["Great help", "", "   ", None, pd.NA, "Far too slow"],
                   scores=[5, 1, 2, 3, 4, 1])
    comments = comment_frame(data)
    assert isinstance(comments, CommentFrame)
    assert comments.answers == 6
    assert comments.frame["response_id"].tolist() == [1, 6]
    assert comments.frame["text"].tolist() == ["Great help", "Far too slow"]
    assert comments.frame["tone"].tolist() == ["happy", "unhappy"]
    assert comments.summary() == (
        "6 answers, 2 with a comment (33.3%); 2 in the languages analysed (en, el, zh_hant, "
        "zh_hans, lv, th, ro). No e-mail address, phone number or card-like number found "
        "to mask.")


def test_surrounding_whitespace_is_stripped():
    assert comment_frame(answers(["  Great help \n"])).frame["text"].tolist() == ["Great help"]


def test_no_answers_at_all():
    comments = comment_frame(answers([]))
    assert comments.frame.empty and comments.answers == 0
    assert comments.summary().startswith("0 answers, 0 with a comment; 0 in the languages")
    assert language_table(comments).empty


PII = ["Great help, thanks",
       "Mail me at jane.doe@example.com or call +44 20 7946 0958",
       "Card 4111 1111 1111 1111 was charged twice, write to a@b.org"]


def test_personal_data_is_masked_by_default():
    comments = comment_frame(answers(PII, scores=[5, 4, 1]))
    assert comments.mask is True
    assert comments.frame["text"].tolist() == [
        "Great help, thanks", "Mail me at [email] or call [phone]",
        "Card [card] was charged twice, write to [email]"]
    masked = comments.masked.set_index("kind")
    assert masked.loc[["email", "phone", "card"], "comments"].tolist() == [2, 1, 1]
    assert masked.loc[["email", "phone", "card"], "matches"].tolist() == [2, 1, 1]
    assert comments.masked_sentence() == ("In the comments, before any analysis: "
                                          "2 e-mail addresses, 1 phone number and "
                                          "1 card-like number masked.")
    assert comments.summary().endswith(comments.masked_sentence())
    # Nothing personal reaches the tokens either.
    assert not any("@" in t or "4111" in t for tokens in comments.frame["tokens"]
                   for t in tokens)


def test_mask_false_keeps_the_text_and_says_so():
    comments = comment_frame(answers(PII, scores=[5, 4, 1]), mask=False)
    assert comments.mask is False
    assert comments.frame["text"].tolist() == PII
    assert comments.masked.empty
    assert comments.masked_sentence() == "Personal data was not masked (mask_pii=False)."
    assert comments.summary().endswith("Personal data was not masked (mask_pii=False).")


SIX = ["Great help 👍", "Η παράδοση άργησε πολύ", "客服態度很好，問題很快就解決了",
       "客服态度很好，问题很快就解决了", "Paldies par ātru palīdzību", "รอนานมากไม่มีใครตอบ",
       "Livrarea a întârziat o săptămână", "O atendimento foi péssimo e demorado", "🙂"]


def test_languages_are_detected_and_tokenised():
    comments = comment_frame(answers(SIX, scores=[5, 1, 5, 1, 5, 1, 4, 2, 5]))
    frame = comments.frame
    assert frame["language"].tolist() == ["en", "el", "zh_hant", "zh_hans", "lv", "th", "ro",
                                          "pt", "und"]
    assert frame["language_supported"].tolist() == [True] * 7 + [False, False]
    assert frame["tokens"].tolist()[:1] == [["great", "help", "👍"]]  # emoji kept as tokens
    assert frame.loc[2, "tokens"] == ["客服", "態度", "問題", "很快", "解決"]
    assert frame.loc[3, "tokens"] == ["客服", "态度", "问题", "很快", "解决"]
    assert all(frame.loc[:6, "tokens"].map(len) > 0)
    assert frame.loc[7:, "tokens"].tolist() == [[], []]  # never another language's words
    assert comments.analysed["response_id"].tolist() == [1, 2, 3, 4, 5, 6, 7]


def test_unsupported_languages_are_counted_by_name():
    comments = comment_frame(answers(SIX, scores=[5, 1, 5, 1, 5, 1, 4, 2, 5]))
    assert comments.summary() == (
        "9 answers, 9 with a comment (100.0%); 7 in the languages analysed (en, el, zh_hant, "
        "zh_hans, lv, th, ro); 1 in Portuguese counted but not analysed (add the language to "
        "`languages`); 1 with no words to tell the language by (emoji, digits or "
        "punctuation only), counted but not analysed. No e-mail address, phone number or "
        "card-like number found to mask.")
    assert "Portuguese" in repr(comments) and "Portuguese" in comments._repr_html_()


def test_a_language_added_to_the_run_is_tokenised():
    comments = comment_frame(answers(["O atendimento foi excelente, muito obrigado",
                                      "Great help"]), languages=["en", "pt"])
    frame = comments.frame
    assert frame["language"].tolist() == ["pt", "en"]
    assert frame["language_supported"].tolist() == [True, True]
    assert {"atendimento", "excelente"} <= set(frame.loc[0, "tokens"])
    assert "foi" not in frame.loc[0, "tokens"]  # Portuguese stop words removed
    assert comments.languages == ("en", "pt")
    assert "2 in the languages analysed (en, pt)." in comments.summary()


def test_columns_kept_and_segment_columns():
    data = answers(["Great help", None], region=["EMEA", "APAC"], customer_id=["c1", "c2"],
                   responded_at=pd.to_datetime(["2025-01-02", None]), agent=["Ann", "Bob"])
    frame = comment_frame(data, keep=["region", "absent"]).frame
    assert frame.columns.tolist() == ["response_id", "survey", "score", "responded_at",
                                      "customer_id", "region", "text", "language",
                                      "language_supported", "tokens", "tone"]
    assert frame["region"].tolist() == ["EMEA"] and "agent" not in frame
    assert "comment" not in frame  # only the masked text is kept


def test_another_comment_column():
    data = answers([None, None]).assign(feedback=["Far too slow", " "])
    comments = comment_frame(data, column="feedback")
    assert comments.frame["text"].tolist() == ["Far too slow"]
    assert "feedback" not in comments.frame


def test_a_missing_column_is_named():
    with pytest.raises(MissingColumnError, match="comment_frame needs the column\\(s\\) comment;"
                       " the data has .*Name the comment column with `column=`"):
        comment_frame(answers(["x"]).drop(columns="comment"))
    with pytest.raises(MissingColumnError, match="column\\(s\\) score, feedback;"):
        comment_frame(answers(["x"]).drop(columns="score"), column="feedback")


@pytest.mark.parametrize("languages", [[], (), "en"])
def test_languages_must_be_a_non_empty_list(languages):
    with pytest.raises(ParameterError, match="languages must be a non-empty list of language "
                                             "codes"):
        comment_frame(answers(["Great help"]), languages=languages)


# --- language_table ---------------------------------------------------------------------

def test_language_table_counts_shares_and_tones():
    data = answers(["Great help", "Far too slow", "Nobody answered me", "Muito obrigado pela ajuda",
                    "O atendimento foi péssimo e demorado", "👍"], scores=[5, 1, 3, 5, 1, 4])
    table = language_table(comment_frame(data))
    assert table.columns.tolist() == ["language", "code", "comments", "share", "analysed",
                                      "unhappy", "neutral", "happy"]
    assert table["code"].tolist() == ["en", "pt", "und"]
    assert table["language"].tolist() == ["English", "Portuguese", "undetermined"]
    assert table["comments"].tolist() == [3, 2, 1]
    assert table["share"].tolist() == pytest.approx([50.0, 100 / 3, 100 / 6])
    assert table["analysed"].tolist() == [True, False, False]
    assert table[["unhappy", "neutral", "happy"]].values.tolist() == [[2, 0, 1], [1, 0, 1],
                                                                      [0, 0, 1]]


def test_an_unknown_language_code_is_a_parameter_error():
    with pytest.raises(ParameterError, match="languages may only hold the codes .*found 'xx'"):
        comment_frame(answers(["Great help"]), languages=["en", "xx"])


# --- topic_flags ------------------------------------------------------------------------

TOPIC_COLUMNS = ["topic_response_time", "topic_resolution", "topic_agent_attitude",
                 "topic_billing_refund", "topic_product_bugs", "topic_delivery",
                 "topic_ease_of_use"]


def test_topic_flags_one_row_per_answer_with_the_index():
    data = answers(["Still waiting for my refund", "Great, friendly agent", None, "   ",
                    "The app crashes"], scores=[1, 5, 4, 2, 1]).set_index(
        pd.Index([10, 20, 30, 40, 50]))
    flags = topic_flags(data, load_topics())
    assert flags.index.tolist() == [10, 20, 30, 40, 50]
    assert flags.columns.tolist() == ["has_comment", *TOPIC_COLUMNS]
    assert flags["has_comment"].tolist() == [1, 1, 0, 0, 1]
    on = {c: flags.index[flags[c] == 1].tolist() for c in TOPIC_COLUMNS}
    assert on == {"topic_response_time": [10], "topic_resolution": [],
                  "topic_agent_attitude": [20], "topic_billing_refund": [10],
                  "topic_product_bugs": [50], "topic_delivery": [], "topic_ease_of_use": []}
    assert set(flags.stack().unique()) <= {0, 1}


def test_topic_flags_prefix_replaces_topic_():
    flags = topic_flags(answers(["Still waiting for my refund"]), load_topics(), prefix="t_")
    assert flags.columns.tolist() == ["has_comment",
                                      *[c.replace("topic_", "t_") for c in TOPIC_COLUMNS]]
    assert flags[["t_response_time", "t_billing_refund"]].values.tolist() == [[1, 1]]


def test_topic_flags_other_column_and_languages():
    data = answers([None, None]).assign(feedback=["Η παράδοση άργησε πολύ", "Great help"])
    flags = topic_flags(data, load_topics(), column="feedback")
    assert flags["has_comment"].tolist() == [1, 1]
    assert flags["topic_delivery"].tolist() == [1, 0]
    # A language the dictionary has no entry for: the comment counts, no topic is tagged.
    data = answers(["A entrega atrasou uma semana", "Delivery was late"])
    flags = topic_flags(data, load_topics(), languages=["en", "pt"])
    assert flags["has_comment"].tolist() == [1, 1]
    assert flags["topic_delivery"].tolist() == [0, 1]
    assert flags.loc[0, TOPIC_COLUMNS].sum() == 0


def test_topic_flags_missing_column():
    with pytest.raises(MissingColumnError, match="feedback"):
        topic_flags(answers(["x"]), load_topics(), column="feedback")
