"""Tests of :mod:`csat_toolkit.comments.themes` (TF-IDF + NMF themes, issue 16).

Comment frames are synthetic, with planted themes: each theme draws its words from its
own vocabulary with Zipf frequencies (as words occur in text), plus shared background
words. The tests check that the planted themes come back (number, labels, sizes), that
the result is deterministic, that the examples are diverse, and that the score per
theme is the toolkit's metric function on the same rows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csat_toolkit.comments.themes import (NO_THEME, Themes, average_jaccard, choose_themes,
                                          find_themes, mmr_select)
from csat_toolkit.core.metrics import metric_table
from csat_toolkit.errors import MissingColumnError, ParameterError

VOCAB = {
    "refund": ["refund", "invoice", "charge", "price", "billing", "money", "paid", "fee"],
    "wait": ["wait", "slow", "reply", "hours", "days", "queue", "late", "delay"],
    "agent": ["agent", "friendly", "helpful", "polite", "kind", "patient", "nice", "staff"],
    "app": ["app", "crash", "bug", "error", "update", "login", "freeze", "screen"],
    "delivery": ["delivery", "parcel", "courier", "shipping", "arrived", "box", "tracking",
                 "package"],
}
BACKGROUND = ["service", "customer", "support", "good", "time", "really", "still", "thanks"]
HAPPY = {"agent"}


def planted(n=400, themes=("refund", "wait", "agent", "app"), seed=1, language="en",
            start=0) -> pd.DataFrame:
    """n comments, themes in turn; CSAT answers (1-5) on two rows of three, NPS (0-10) on
    the third; happy themes score high."""
    rng = np.random.default_rng(seed)
    zipf = 1 / np.arange(1, 9)
    zipf /= zipf.sum()
    back = 1 / np.arange(1, len(BACKGROUND) + 1)
    back /= back.sum()
    rows = []
    for i in range(n):
        theme = themes[i % len(themes)]
        words = list(rng.choice(VOCAB[theme], size=rng.integers(4, 9), p=zipf))
        words += list(rng.choice(BACKGROUND, size=rng.integers(1, 4), p=back))
        rng.shuffle(words)
        good = theme in HAPPY
        csat = int(rng.choice([4, 5, 5, 3]) if good else rng.choice([1, 2, 3, 4]))
        nps = int(rng.choice([9, 10, 8, 7]) if good else rng.choice([0, 3, 6, 8, 9]))
        survey = "nps" if i % 3 == 0 else "csat"
        rows.append({"response_id": f"{language}{start + i:05d}", "language": language,
                     "language_supported": True, "survey": survey,
                     "score": float(nps if survey == "nps" else csat),
                     "tokens": [str(w) for w in words], "text": " ".join(words),
                     "tone": "happy" if good else "unhappy", "planted": theme})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def four():
    frame = planted()
    return frame, find_themes(frame, seed=3)


def _theme_of_planted(frame: pd.DataFrame, themes: Themes) -> dict[str, int]:
    joined = frame.join(themes.assignments[["theme"]])
    return {p: int(part["theme"].mode().iloc[0]) for p, part in joined.groupby("planted")}


# --- planted themes -------------------------------------------------------------------------


def test_planted_themes_are_recovered_with_their_words(four):
    frame, themes = four
    table = themes.table
    assert table["language"].eq("en").all()
    assert sorted(table.loc[table["theme"] > 0, "theme"]) == [1, 2, 3, 4]  # k chosen: 4
    mapping = _theme_of_planted(frame, themes)
    assert sorted(mapping.values()) == [1, 2, 3, 4]  # one theme per planted theme
    for name, theme in mapping.items():
        row = table[table["theme"] == theme].iloc[0]
        label_terms = row["label"].split(", ")
        assert len(label_terms) == 3
        words = {w for term in label_terms for w in term.split(" ")}
        assert words <= set(VOCAB[name]), (name, row["label"])
        assert VOCAB[name][0] in row["top_terms"].split(", ")  # the commonest word
        assert len(row["top_terms"].split(", ")) == 8


def test_sizes_and_shares_match_the_planted_themes(four):
    frame, themes = four
    table = themes.table
    assert table["comments"].sum() == len(frame) == 400
    joined = frame.join(themes.assignments[["theme"]])
    mapping = _theme_of_planted(frame, themes)
    for name, theme in mapping.items():
        rows = joined[joined["planted"] == name]
        assert (rows["theme"] == theme).mean() >= 0.95  # 100 planted; nearly all recovered
        size = int(table.loc[table["theme"] == theme, "comments"].iloc[0])
        assert size == int((joined["theme"] == theme).sum())
        assert 95 <= size <= 105
    assert np.allclose(table["share"], 100 * table["comments"] / 400)
    # themes are numbered largest first
    sizes = table.loc[table["theme"] > 0].sort_values("theme")["comments"].tolist()
    assert sizes == sorted(sizes, reverse=True)
    assert table.iloc[-1]["theme"] == 0 and table.iloc[-1]["label"] == NO_THEME


def test_k_is_chosen_by_stability_and_the_choices_are_reported(four):
    _, themes = four
    choices = themes.choices
    assert choices["k"].tolist() == list(range(2, 11))
    best = choices.loc[choices["stability"].idxmax(), "k"]
    assert best == 4
    assert choices["stability"].between(0, 1).all()
    assert "stability" in themes.method and "Greene" in themes.method


@pytest.mark.parametrize("k", [2, 3, 5])
def test_planted_numbers_of_themes_come_back(k):
    names = list(VOCAB)[:k]
    frame = planted(60 * k, tuple(names), seed=k)
    themes = find_themes(frame)
    assert (themes.table["theme"] > 0).sum() == k


def test_assignments_cover_every_comment_with_the_weight_rule(four):
    frame, themes = four
    a = themes.assignments
    assert a.index.equals(frame.index)
    assert a["response_id"].tolist() == frame["response_id"].tolist()
    assert ((a["theme"] == 0) | (a["weight"] >= 0.5)).all()
    assert (a.loc[a["theme"] > 0, "label"] != NO_THEME).all()
    strict = find_themes(frame, seed=3, min_share=0.95)
    assert (strict.assignments["theme"] == 0).sum() > (a["theme"] == 0).sum()
    assert strict.table["comments"].sum() == 400
    zero = int(strict.table.loc[strict.table["theme"] == 0, "comments"].iloc[0])
    assert zero == int((strict.assignments["theme"] == 0).sum())


def test_comments_without_words_have_no_clear_theme():
    frame = planted(200, ("refund", "agent"))
    frame.loc[[0, 5], "tokens"] = pd.Series([[], []], index=[0, 5])
    themes = find_themes(frame, n_themes=2)
    a = themes.assignments
    assert a.loc[[0, 5], "theme"].tolist() == [0, 0]
    assert a.loc[[0, 5], "label"].tolist() == [NO_THEME, NO_THEME]
    assert themes.table["comments"].sum() == 200


def test_deterministic_with_a_seed():
    frame = planted(240, ("refund", "wait", "app"), seed=7)
    one, two = find_themes(frame, seed=11), find_themes(frame, seed=11)
    pd.testing.assert_frame_equal(one.table, two.table)
    pd.testing.assert_frame_equal(one.assignments, two.assignments)
    pd.testing.assert_frame_equal(one.examples, two.examples)
    pd.testing.assert_frame_equal(one.choices, two.choices)
    assert one.method == two.method


# --- examples (MMR) ---------------------------------------------------------------------------


def test_examples_are_different_comments_of_their_theme(four):
    frame, themes = four
    ex = themes.examples
    assert set(ex.columns) >= {"language", "theme", "label", "rank", "response_id", "text",
                               "weight", "survey", "score", "tone"}
    assert sorted(ex["theme"].unique()) == [1, 2, 3, 4]
    assigned = themes.assignments.set_index("response_id")["theme"]
    texts = frame.set_index("response_id")["text"]
    for theme, part in ex.groupby("theme"):
        assert part["rank"].tolist() == [1, 2, 3]
        assert part["response_id"].is_unique and part["text"].is_unique
        assert (assigned[part["response_id"]] == theme).all()
        assert (texts[part["response_id"]].to_numpy() == part["text"].to_numpy()).all()


def test_examples_show_the_masked_text_and_never_the_same_text_twice():
    frame = planted(200, ("refund", "agent"))
    frame.loc[frame.index[:60], "text"] = "call me at [phone]"  # the frame's masked text
    themes = find_themes(frame, n_themes=2, examples=3)
    assert themes.examples["text"].str.contains("@").sum() == 0
    for _, part in themes.examples.groupby("theme"):
        assert part["text"].is_unique


def test_mmr_trades_relevance_for_diversity():
    relevance = np.array([1.0, 0.95, 0.9, 0.6])
    similarity = np.array([[1, .99, .98, 0], [.99, 1, .97, 0], [.98, .97, 1, 0], [0, 0, 0, 1.]])
    assert mmr_select(relevance, similarity, 2, lam=1.0) == [0, 1]  # relevance only
    assert mmr_select(relevance, similarity, 2, lam=0.7) == [0, 3]  # 0.7*.6 = .42 > 0.7*.95-.3*.99 = .368
    assert mmr_select(relevance, similarity, 10) == [0, 3, 1, 2]  # all, once each
    same = np.eye(4, dtype=bool)
    same[0, 1] = same[1, 0] = True
    assert mmr_select(relevance, similarity, 4, lam=1.0, same=same) == [0, 2, 3]


def test_examples_zero_gives_an_empty_table():
    themes = find_themes(planted(120, ("refund", "agent")), n_themes=2, examples=0)
    assert themes.examples.empty and "text" in themes.examples.columns


# --- scores per theme -------------------------------------------------------------------------


@pytest.mark.parametrize("survey", ["csat", "nps"])
def test_score_per_theme_is_the_core_metric_on_those_rows(four, survey):
    frame, themes = four
    table = themes.table
    for theme in table["theme"]:
        rows = frame[themes.assignments["theme"] == theme]
        row = table[table["theme"] == theme].iloc[0]
        if (rows["survey"] == survey).sum() == 0:
            assert row[f"{survey}_n"] == 0 and row[f"{survey}_small_n"]
            continue
        expected = metric_table(rows, survey).iloc[0]
        assert row[f"{survey}_n"] == expected["n"]
        assert row[survey] == pytest.approx(expected["estimate"])
        assert row[f"{survey}_ci_low"] == pytest.approx(expected["ci_low"])
        assert row[f"{survey}_ci_high"] == pytest.approx(expected["ci_high"])
        assert row[f"{survey}_small_n"] == (expected["n"] < 30)
    scores = themes.scores
    assert set(scores["metric"]) == {"csat", "nps"}


def test_a_hand_counted_theme_score():
    # theme "a": 30 CSAT answers, 10 of them 4-5 -> 33.3%; theme "b": all 5 -> 100%
    words = {"a": ["refund", "invoice", "charge"], "b": ["agent", "friendly", "helpful"]}
    rows = []
    for i in range(60):
        t = "a" if i % 2 == 0 else "b"
        score = (5 if i % 6 == 0 else 2) if t == "a" else 5
        rows.append({"response_id": i, "language": "en", "survey": "csat", "score": score,
                     "tokens": words[t][i % 3:] + words[t][:i % 3], "text": t})
    themes = find_themes(pd.DataFrame(rows), n_themes=2, min_n=31)
    table = themes.table.set_index("label")
    a = table.loc["charge, invoice, refund"]
    assert a["comments"] == 30 and a["csat_n"] == 30
    assert a["csat"] == pytest.approx(100 * 10 / 30)
    # Wilson 95% for 10/30 (hand formula)
    z, p, n = 1.959963984540054, 10 / 30, 30
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert a["csat_ci_low"] == pytest.approx(100 * (centre - half))
    assert a["csat_ci_high"] == pytest.approx(100 * (centre + half))
    assert bool(a["csat_small_n"])  # 30 < min_n=31
    assert table.loc["agent, friendly, helpful", "csat"] == 100.0


def test_custom_scale_and_a_survey_without_metric():
    frame = planted(120, ("refund", "agent"))
    frame["survey"] = np.where(frame.index % 2 == 0, "csat", "other")
    frame["score"] = np.where(frame["survey"] == "csat", 7.0, 1.0)
    themes = find_themes(frame, n_themes=2, scales={"csat": "csat_7"})
    assert "other" not in themes.table.columns
    assert (themes.table.loc[themes.table["csat_n"] > 0, "csat"] == 100.0).all()
    assert any("other" in note for note in themes.notes)


# --- languages --------------------------------------------------------------------------------


def test_per_language_models_skip_small_and_unsupported_languages():
    en = planted(200, ("refund", "agent"), language="en")
    el = planted(120, ("wait", "app"), language="el", seed=5)
    lv = planted(20, ("wait", "app"), language="lv", seed=6)
    pt = planted(3, ("wait",), language="pt", seed=7).assign(language_supported=False,
                                                              tokens=[[]] * 3)
    frame = pd.concat([lv, el, pt, en], ignore_index=True)
    themes = find_themes(frame, min_comments=50)
    assert themes.table["language"].unique().tolist() == ["en", "el"]  # LANGUAGES order
    assert set(themes.skipped) == {"lv", "pt"}
    assert "20 comments" in themes.skipped["lv"] and "min_comments=50" in themes.skipped["lv"]
    assert "3 comments counted, not modelled" in themes.skipped["pt"]
    assert set(themes.assignments["language"]) == {"en", "el"}
    assert len(themes.assignments) == 320
    assert themes.table.groupby("language")["comments"].sum().to_dict() == {"el": 120, "en": 200}


def test_one_model_over_all_languages():
    frame = pd.concat([planted(100, ("refund", "agent"), language="en"),
                       planted(100, ("wait", "app"), language="ro", seed=2, start=100)],
                      ignore_index=True)
    themes = find_themes(frame, per_language=False, n_themes=4)
    assert themes.table["language"].unique().tolist() == ["all"]
    assert (themes.table["theme"] > 0).sum() == 4
    assert "over all supported languages" in themes.method


def test_too_many_themes_asked_are_lowered_with_a_note():
    themes = find_themes(planted(120, ("refund", "agent")), n_themes=9)
    assert (themes.table["theme"] > 0).sum() == 3  # one theme per forty comments
    assert any("9 themes asked, 3 fitted" in note for note in themes.notes)


def test_a_language_with_too_few_shared_words_is_skipped():
    rows = [{"response_id": i, "language": "th", "tokens": [f"w{i}", f"x{i}"], "text": "t"}
            for i in range(60)]
    themes = find_themes(pd.DataFrame(rows))
    assert themes.table.empty and list(themes.table.columns[:3]) == ["language", "theme", "label"]
    assert "fewer than three words appear in two or more" in themes.skipped["th"]
    assert themes.summary() == []
    assert "No themes" in themes._repr_html_()


def test_no_language_supported_gives_an_empty_result():
    frame = planted(10, ("refund",)).assign(language="xx", language_supported=False)
    themes = find_themes(frame)
    assert themes.table.empty and themes.assignments.empty and themes.examples.empty
    assert list(themes.skipped) == ["xx"]


def test_summary_and_html(four):
    _, themes = four
    (sentence,) = themes.summary()
    assert sentence.startswith("English: 4 themes in 400 comments; the largest is")
    html = themes._repr_html_()
    assert "Method" in html and "no clear theme" in html


def test_html_escapes_comment_text():
    frame = planted(120, ("refund", "agent"))
    frame["tokens"] = frame["tokens"].map(lambda t: t + ["<b>x</b>"])
    themes = find_themes(frame, n_themes=2)
    assert "<b>x</b>" not in themes._repr_html_()


# --- helpers and errors -----------------------------------------------------------------------


def test_average_jaccard_by_hand():
    # depth 1: {a}/{b} = 0; depth 2: {a,b}/{a,b} = 1; depth 3: {a,b,c}/{a,b,d} = 2/4
    assert average_jaccard(["a", "b", "c"], ["b", "a", "d"]) == pytest.approx((0 + 1 + 0.5) / 3)
    assert average_jaccard([], ["a"]) == 0.0


def test_choose_themes_caps_k_by_rows():
    rng = np.random.default_rng(0)
    matrix = rng.uniform(size=(160, 30))
    k, table = choose_themes(matrix, top_terms=5)
    assert table["k"].tolist() == [2, 3, 4]  # at most one theme per forty rows
    assert k in (2, 3, 4)


def test_missing_columns_name_them():
    frame = planted(10).drop(columns=["tokens"])
    with pytest.raises(MissingColumnError, match="'tokens'.*comment_frame"):
        find_themes(frame)


@pytest.mark.parametrize("kwargs, match", [
    ({"n_themes": 1}, "n_themes must be None .* at least 2; got 1"),
    ({"n_themes": "3"}, "n_themes"),
    ({"n_themes": True}, "n_themes"),
    ({"min_comments": 0}, "min_comments"),
    ({"seed": -1}, "seed"),
    ({"seed": 1.5}, "seed"),
    ({"top_terms": 2}, "top_terms must be a whole number of at least 3"),
    ({"examples": -1}, "examples"),
    ({"min_share": 1.5}, "min_share must be a number from 0 to 1; got 1.5"),
    ({"mmr_lambda": "high"}, "mmr_lambda"),
    ({"conf": 1.2}, "conf"),
])
def test_bad_parameters_are_named(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        find_themes(planted(10), **kwargs)


def test_not_a_frame():
    with pytest.raises(ParameterError, match="comment frame"):
        find_themes([1, 2, 3])


def test_a_repeated_index_is_kept_as_it_is():
    frame = planted(120, ("refund", "agent"))
    frame.index = [7] * len(frame)
    themes = find_themes(frame, n_themes=2)
    assert themes.assignments.index.tolist() == [7] * 120
    assert themes.table["csat_n"].sum() == (frame["survey"] == "csat").sum()


def test_many_comments_choose_k_on_a_seeded_sample_and_fit_every_comment(monkeypatch):
    import csat_toolkit.comments.themes as themes_module

    seen = []
    choose = themes_module.choose_themes

    def spy(matrix, **kwargs):
        seen.append(matrix.shape[0])
        return choose(matrix, **kwargs)

    monkeypatch.setattr(themes_module, "CHOOSE_ROWS", 100)
    monkeypatch.setattr(themes_module, "choose_themes", spy)
    frame = planted(240, ("refund", "agent"))
    found = find_themes(frame)
    assert seen == [100]  # the number of themes from 100 of the 240 comments
    assert found.table["comments"].sum() == 240  # the themes from every comment
    assert "seeded sample of 100 comments" in found.method
    assert find_themes(frame).table.equals(found.table)  # the same sample each time
