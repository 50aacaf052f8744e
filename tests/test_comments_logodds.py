"""Weighted log-odds with an informative Dirichlet prior (comments.logodds, issue 16).

(a) hand-computed values on a tiny table; (b) the tidylo R package's algorithm and its
own test assertions; (c) properties (hypothesis); then distinguishing_terms on comment
frames and every error path.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sst
from statsmodels.stats.multitest import multipletests

from csat_toolkit.comments.logodds import (Z_SIDE, DistinguishingTerms, distinguishing_terms,
                                           weighted_log_odds)
from csat_toolkit.errors import DataError, MissingColumnError, ParameterError

# --- (a) hand-computed ----------------------------------------------------------------------

# Group a (unhappy): slow 6, refund 3, thanks 1 (n_a = 10).
# Group b (happy):   slow 2, refund 2, thanks 6 (n_b = 10).
# Default prior = pooled counts: a_slow = 8, a_refund = 5, a_thanks = 7; a_0 = 20.
A = {"slow": 6, "refund": 3, "thanks": 1}
B = {"slow": 2, "refund": 2, "thanks": 6}
HAND = {
    # slow:   log(14/16) - log(10/20) = log(1.75)          = 0.5596157879
    #         se = sqrt(1/14 + 1/10) = sqrt(0.1714285714)  = 0.4140393356; z = 1.3516005360
    "slow": (0.5596157879354227, 0.4140393356054125, 1.3516005360146441),
    # refund: log(8/22) - log(7/23) = log(184/154)         = 0.1779831552
    #         se = sqrt(1/8 + 1/7) = sqrt(0.2678571429)    = 0.5175491695; z = 0.3438961275
    "refund": (0.17798315519535635, 0.5175491695067657, 0.3438961275215217),
    # thanks: log(8/22) - log(13/17) = log(136/286)        = -0.7433369251
    #         se = sqrt(1/8 + 1/13) = sqrt(0.2019230769)   = 0.4493585171; z = -1.6542179501
    "thanks": (-0.7433369250838004, 0.4493585171364586, -1.654217950114136),
}


def test_hand_computed_pooled_prior():
    t = weighted_log_odds(A, B).set_index("term")
    assert list(t.index) == ["slow", "refund", "thanks"]  # z, largest first
    for term, (delta, se, z) in HAND.items():
        assert t.loc[term, "log_odds"] == pytest.approx(delta, abs=1e-12)
        assert t.loc[term, "se"] == pytest.approx(se, abs=1e-12)
        assert t.loc[term, "z"] == pytest.approx(z, abs=1e-12)
    assert t["n_a"].tolist() == [6, 3, 1] and t["n_b"].tolist() == [2, 2, 6]
    assert t["share_a"].tolist() == [60.0, 30.0, 10.0]
    assert t["share_b"].tolist() == [20.0, 20.0, 60.0]
    # p two-sided normal: 2 * (1 - Phi(1.3516)) = 2 * (1 - 0.91175) = 0.17650
    assert t.loc["slow", "p"] == pytest.approx(0.17650, abs=1e-5)
    # Benjamini-Hochberg over the 3 terms: sorted p = 0.0981 (thanks), 0.1765, 0.7309;
    # adjusted = min over later of p_(i) * 3 / i
    p = {k: 2 * sst.norm.sf(abs(v[2])) for k, v in HAND.items()}
    assert t.loc["thanks", "p_adjusted"] == pytest.approx(min(p["thanks"] * 3,
                                                              p["slow"] * 3 / 2, p["refund"]))
    assert t.loc["slow", "p_adjusted"] == pytest.approx(min(p["slow"] * 3 / 2, p["refund"]))
    assert t.loc["refund", "p_adjusted"] == pytest.approx(p["refund"])


def test_hand_computed_flat_prior_and_alpha0():
    # Flat prior a_w = 1 (a_0 = 3): slow = log(7/6) - log(3/10), se = sqrt(1/7 + 1/3)
    t = weighted_log_odds(A, B, prior=1).set_index("term")
    assert t.loc["slow", "log_odds"] == pytest.approx(math.log(7 / 6) - math.log(3 / 10))
    assert t.loc["slow", "se"] == pytest.approx(math.sqrt(1 / 7 + 1 / 3))
    # Pooled prior rescaled to a_0 = 2: a_slow = 0.8, a_thanks = 0.7
    # slow = log(6.8/5.2) - log(2.8/9.2); thanks = log(1.7/10.3) - log(6.7/5.3)
    t = weighted_log_odds(A, B, alpha0=2).set_index("term")
    assert t.loc["slow", "log_odds"] == pytest.approx(math.log(6.8 / 5.2) - math.log(2.8 / 9.2))
    assert t.loc["thanks", "log_odds"] == pytest.approx(math.log(1.7 / 10.3)
                                                        - math.log(6.7 / 5.3))
    assert t.loc["thanks", "se"] == pytest.approx(math.sqrt(1 / 1.7 + 1 / 6.7))
    # A background corpus as the prior: slow 30, refund 10, thanks 60 (a_0 = 100)
    # slow = log(36/74) - log(32/78)
    t = weighted_log_odds(A, B, prior={"slow": 30, "refund": 10, "thanks": 60, "x": 5})
    t = t.set_index("term")
    assert "x" not in t.index  # only the groups' terms are tested
    assert t.loc["slow", "log_odds"] == pytest.approx(math.log(36 / 74) - math.log(32 / 78))


def test_terms_missing_from_one_group_count_zero():
    t = weighted_log_odds({"late": 4}, {"great": 4}).set_index("term")
    # pooled prior: late 4, great 4, a_0 = 8; late = log(8/4) - log(4/8) = 2 log 2
    assert t.loc["late", "log_odds"] == pytest.approx(2 * math.log(2))
    assert t.loc["late", "n_b"] == 0 and t.loc["great", "n_a"] == 0


# --- (b) tidylo --------------------------------------------------------------------------
# tidylo (Schnoebelen, Silge & Hayes), R/bind_log_odds.R at commit
# 5b8d9b0dc9edf48873c6db379e62566905e75f5d (github.com/juliasilge/tidylo, 2022-03-22),
# compares each set with the POOLED data (all sets, the set included): pseudo counts
# y_wi = n_wi + alpha_w (alpha_w = the feature's total count, or 1 uninformative),
# y_w = sum_i y_wi, n_i = sum_w y_wi;
# delta_wi = log(y_wi / (n_i - y_wi)) - log(y_w / (sum y_wi - y_w)),
# sigma2 = 1/y_wi + 1/y_w, zeta = delta / sqrt(sigma2) ("log_odds_weighted").
# tidylo gives pseudo-counts only to the (set, feature) rows present, so a feature absent
# from a set gets none there; its documentation asks for "exactly one row per set-feature
# combination", and with every combination present (zeros written out, as
# tidyr::complete) its numbers are the Monroe et al. ones our function computes.
# Neither its tests nor its README/vignette print numbers we can reproduce offline (the
# README's Jane Austen bigrams need the janeaustenr texts; the vignette's mtcars output is
# not in the repository); we reproduce the algorithm line by line below and check its
# published assertions (tests/testthat/test-bind-log-odds.R and the vignette's sentence
# about mtcars) with our function.


def tidylo_bind_log_odds(rows, uninformative=False):
    """Transcription of tidylo's bind_log_odds: rows of (set, feature, n) -> zeta, delta."""
    totals = {}
    for _, feature, n in rows:
        totals[feature] = totals.get(feature, 0) + n
    pseudo = [(s, f, n + (1 if uninformative else totals[f])) for s, f, n in rows]
    y_w, n_i = {}, {}
    for s, f, y in pseudo:
        y_w[f] = y_w.get(f, 0) + y
        n_i[s] = n_i.get(s, 0) + y
    total = sum(y for _, _, y in pseudo)
    out = []
    for s, f, y in pseudo:
        delta = math.log(y / (n_i[s] - y)) - math.log(y_w[f] / (total - y_w[f]))
        out.append((delta / math.sqrt(1 / y + 1 / y_w[f]), delta))
    return out


def set_against_pooled(rows, target, uninformative=False):
    """tidylo's comparison with our function: group a = the set, group b = the pooled
    counts plus the prior (then b's pseudo-counts y_b + a_w are tidylo's y_w)."""
    counts = pd.DataFrame(rows, columns=["set", "feature", "n"])
    pooled = counts.groupby("feature")["n"].sum()
    mine = counts[counts["set"] == target].set_index("feature")["n"].astype(float)
    prior = 1.0 if uninformative else pooled.astype(float)
    background = pooled + (1 if uninformative else pooled)
    return weighted_log_odds(mine, background, prior=prior).set_index("term")


# tidylo's test data (tests/testthat/test-bind-log-odds.R, `w`)
W = [(1, "the", 1), (1, "quick", 1), (1, "brown", 1), (1, "fox", 1), (1, "jumped", 2),
     (2, "over", 1), (2, "the", 1), (2, "lazy", 1), (2, "brown", 1), (2, "dog", 2)]
# mtcars %>% count(vs, gear), tidylo's vignette and help example (R datasets::mtcars)
MTCARS = [(0, 3, 12), (0, 4, 2), (0, 5, 4), (1, 3, 3), (1, 4, 10), (1, 5, 1)]


def complete(rows):
    """Every (set, feature) combination, zeros written out (tidyr::complete)."""
    given = {(s, f): n for s, f, n in rows}
    sets = list(dict.fromkeys(s for s, _, _ in rows))
    features = list(dict.fromkeys(f for _, f, _ in rows))
    return [(s, f, given.get((s, f), 0)) for s in sets for f in features]


@pytest.mark.parametrize("rows", [complete(W), MTCARS], ids=["tidylo_w", "mtcars"])
def test_matches_tidylo_transcription(rows):
    expected = tidylo_bind_log_odds(rows)
    for (s, f, _), (zeta, delta) in zip(rows, expected):
        mine = set_against_pooled(rows, s)
        assert mine.loc[f, "z"] == pytest.approx(zeta, rel=1e-12)
        assert mine.loc[f, "log_odds"] == pytest.approx(delta, rel=1e-12, abs=1e-14)


def test_matches_tidylo_uninformative_when_every_feature_is_in_every_set():
    expected = tidylo_bind_log_odds(MTCARS, uninformative=True)
    for (s, f, _), (zeta, delta) in zip(MTCARS, expected):
        mine = set_against_pooled(MTCARS, s, uninformative=True)
        assert mine.loc[f, "z"] == pytest.approx(zeta, rel=1e-12)
        assert mine.loc[f, "log_odds"] == pytest.approx(delta, rel=1e-12)


def test_tidylo_published_assertions():
    # test-bind-log-odds.R: sum(result$log_odds_weighted[c(2, 4:6, 8, 10)] > 0) == 6
    # (quick, fox, jumped in document 1; over, lazy, dog in document 2: each document's
    # own words lean to it), on the table with every combination written out
    z = [set_against_pooled(complete(W), s).loc[f, "z"] for s, f, _ in W]
    assert sum(z[i - 1] > 0 for i in (2, 4, 5, 6, 8, 10)) == 6
    # the transcription on the table as the test gives it (features absent from a set
    # without pseudo-counts there) passes it too
    z = [zeta for zeta, _ in tidylo_bind_log_odds(W)]
    assert sum(z[i - 1] > 0 for i in (2, 4, 5, 6, 8, 10)) == 6
    # "Weighted log odds works when the feature is a number": rows 1-5 > 0, row 6 < 0
    rows = [(2, "an", 1), (2, "interesting", 1), (2, "text", 3), (3, "a", 1),
            (3, "boring", 2), (3, "text", 1)]
    z = [set_against_pooled(complete(rows), s).loc[f, "z"] for s, f, _ in rows]
    assert all(v > 0 for v in z[:5]) and z[5] < 0
    # Vignette: "For engine shape vs = 0, having three gears has the highest weighted log
    # odds while for engine shape vs = 1, having four gears has the highest"
    assert set_against_pooled(MTCARS, 0)["z"].idxmax() == 3
    assert set_against_pooled(MTCARS, 1)["z"].idxmax() == 4
    # ... and "these log odds [uninformative] will be farther from zero"
    for s in (0, 1):
        informative = set_against_pooled(MTCARS, s)["log_odds"].abs()
        flat = set_against_pooled(MTCARS, s, uninformative=True)["log_odds"].abs()
        assert (flat.sort_index() >= informative.sort_index()).all()


# --- (c) properties ----------------------------------------------------------------------

TERMS = ["slow", "refund", "thanks", "easy", "crash", "late"]
count_maps = st.dictionaries(st.sampled_from(TERMS), st.integers(0, 60), min_size=1).filter(
    lambda d: sum(d.values()) > 0)
# two groups with words, at least two terms seen between them
pairs = st.tuples(count_maps, count_maps).filter(
    lambda ab: len({k for d in ab for k, v in d.items() if v > 0}) >= 2)


@settings(max_examples=60)
@given(pairs)
def test_swapping_groups_negates(ab):
    a, b = ab
    ab = weighted_log_odds(a, b).set_index("term").sort_index()
    ba = weighted_log_odds(b, a).set_index("term").sort_index()
    np.testing.assert_allclose(ab["log_odds"], -ba["log_odds"], atol=1e-12)
    np.testing.assert_allclose(ab["z"], -ba["z"], atol=1e-12)
    np.testing.assert_allclose(ab["se"], ba["se"])
    np.testing.assert_allclose(ab["p"], ba["p"])


@settings(max_examples=60)
@given(pairs, st.floats(0.05, 5), st.floats(1.5, 50))
def test_larger_prior_shrinks(ab, scale, factor):
    a, b = ab
    # The pooled prior's mean lies between the two groups' rates, so a heavier prior pulls
    # both log-odds towards it: |delta| cannot grow.
    total = sum(a.values()) + sum(b.values())
    weak = weighted_log_odds(a, b, alpha0=scale * total).set_index("term").sort_index()
    strong = weighted_log_odds(a, b, alpha0=scale * factor * total).set_index(
        "term").sort_index()
    assert (strong["log_odds"].abs() <= weak["log_odds"].abs() + 1e-12).all()
    assert (np.sign(strong["log_odds"].round(12)) * np.sign(weak["log_odds"].round(12))
            >= 0).all()


# --- errors of weighted_log_odds ------------------------------------------------------------


@pytest.mark.parametrize("kwargs, message", [
    ({"counts_a": {"x": -1}, "counts_b": {"x": 1}}, "counts of 0 or more"),
    ({"counts_a": {"x": float("nan")}, "counts_b": {"x": 1}}, "counts of 0 or more"),
    ({"counts_a": [1, 2], "counts_b": {"x": 1}}, "dict or a pandas Series"),
    ({"counts_a": {}, "counts_b": {}}, "no terms"),
    ({"counts_a": {"x": 2, "y": 0}, "counts_b": {"x": 3}}, "at least two terms seen"),
    ({"counts_a": {"x": 0, "y": 0}, "counts_b": {"x": 3, "y": 1}}, "counts_a has no tokens"),
    ({"counts_a": pd.Series([1, 2], index=["x", "x"]), "counts_b": {"x": 3}},
     "more than once"),
    ({"counts_a": {"x": 1, "y": 1}, "counts_b": {"x": 3}, "prior": 0}, "above 0"),
    ({"counts_a": {"x": 1, "y": 2}, "counts_b": {"x": 3}, "prior": {"x": 4}},
     "no count above 0 for 1 of the groups' terms: 'y'"),
    ({"counts_a": {"x": 1, "y": 1}, "counts_b": {"x": 3}, "alpha0": -2}, "alpha0"),
])
def test_weighted_log_odds_errors(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        weighted_log_odds(**kwargs)


# --- distinguishing_terms -------------------------------------------------------------------


def _frame():
    rows = []
    # English: unhappy comments talk of slow replies, happy ones say thanks.
    for i in range(4):
        rows.append(("en", "unhappy", ["slow", "reply", "refund"]))
        rows.append(("en", "happy", ["thanks", "fast", "reply"]))
    rows.append(("en", "neutral", ["ok"]))
    rows.append(("en", None, ["x"]))
    # Chinese (simplified): two comments per group; phrases join without a space.
    rows += [("zh_hans", "unhappy", ["回复", "慢"]), ("zh_hans", "unhappy", ["回复", "慢"]),
             ("zh_hans", "happy", ["谢谢", "客服"]), ("zh_hans", "happy", ["谢谢", "客服"])]
    # Latvian: only one happy comment.
    rows += [("lv", "unhappy", ["lēni"]), ("lv", "unhappy", ["lēni"]),
             ("lv", "happy", ["paldies"])]
    # Portuguese: unsupported, no tokens.
    rows += [("pt", "unhappy", []), ("pt", "happy", [])]
    return pd.DataFrame(rows, columns=["language", "tone", "tokens"])


def test_distinguishing_terms_counts_and_sides():
    out = distinguishing_terms(_frame(), min_count=4, min_comments=2)
    assert isinstance(out, DistinguishingTerms)
    en = out.table[out.table["language"] == "en"].set_index("term")
    # words: slow 4/0, refund 4/0, reply 4/4, thanks 0/4, fast 0/4 (all >= 4 in total)
    assert en.loc["slow", "n_unhappy"] == 4 and en.loc["slow", "n_happy"] == 0
    assert en.loc["reply", "n_unhappy"] == 4 and en.loc["reply", "n_happy"] == 4
    # phrases: "slow reply" 4/0, "reply refund" 4/0, "thanks fast" 0/4, "fast reply" 0/4
    assert en.loc["slow reply", "kind"] == "phrase" and en.loc["slow", "kind"] == "word"
    assert en.loc["fast reply", "n_happy"] == 4
    # words: n_a = n_b = 12, pooled prior; slow: log((4+4)/(12+24-8)) - log(4/(12+24-4))
    #   = log(8/28) - log(4/32) = log(16/7) = 0.8266785732; se = sqrt(1/8 + 1/4)
    assert en.loc["slow", "log_odds"] == pytest.approx(math.log(16 / 7))
    assert en.loc["slow", "se"] == pytest.approx(math.sqrt(1 / 8 + 1 / 4))
    assert en.loc["slow", "z"] == pytest.approx(math.log(16 / 7) / math.sqrt(0.375))
    assert en.loc["reply", "log_odds"] == pytest.approx(0.0, abs=1e-12)
    # z = 1.35 < 1.96: no side; the sides need more evidence
    assert en.loc["slow", "side"] is None
    zh = distinguishing_terms(_frame(), min_count=2, min_comments=2).table
    zh = zh[zh["language"] == "zh_hans"]
    assert {"回复慢", "谢谢客服", "回复", "慢"} <= set(zh["term"])
    # BH over the language's tested terms (words and phrases together)
    p = 2 * sst.norm.sf(out.table.loc[out.table["language"] == "en", "z"].abs())
    np.testing.assert_allclose(out.table.loc[out.table["language"] == "en", "p_adjusted"],
                               multipletests(p, method="fdr_bh")[1])
    # order: per language, z from the unhappy end
    assert out.table["language"].tolist() == sorted(out.table["language"])
    assert en["z"].is_monotonic_decreasing


def test_distinguishing_terms_side_when_evidence_is_strong():
    rows = [("en", "unhappy", ["slow"] * 5 + ["reply"]) for _ in range(10)]
    rows += [("en", "happy", ["thanks"] * 5 + ["reply"]) for _ in range(10)]
    frame = pd.DataFrame(rows, columns=["language", "tone", "tokens"])
    out = distinguishing_terms(frame, phrases=False)
    t = out.table.set_index("term")
    # slow: n = 50/0, a = 50, n_a = n_b = 60, a_0 = 120:
    # log(100/80) - log(50/130) = log(1.25 * 2.6) = log(3.25); se = sqrt(1/100 + 1/50)
    assert t.loc["slow", "log_odds"] == pytest.approx(math.log(3.25))
    assert t.loc["slow", "z"] == pytest.approx(math.log(3.25) / math.sqrt(0.03))
    assert t.loc["slow", "z"] > Z_SIDE and t.loc["slow", "side"] == "unhappy"
    assert t.loc["thanks", "side"] == "happy" and t.loc["reply", "side"] is None
    assert out.top(5)["term"].tolist() == ["slow"]
    assert out.top(5, side="happy")["term"].tolist() == ["thanks"]
    assert out.top(5, side="happy", language="lv").empty
    assert "unhappy: 'slow'; happy: 'thanks'" in out.summary()


def test_distinguishing_terms_comments_skipped_and_notes():
    out = distinguishing_terms(_frame(), min_count=4, min_comments=2)
    comments = out.comments.set_index(["language", "group"])
    assert comments.loc[("en", "unhappy"), "comments"] == 4
    assert comments.loc[("en", "happy"), "tokens"] == 12
    assert comments.loc[("lv", "happy"), "comments"] == 1
    skipped = dict(zip(out.skipped["language"], out.skipped["reason"]))
    assert set(skipped) == {"lv", "pt", "zh_hans"}
    assert skipped["lv"].startswith("only 1 happy comments with words; at least 2")
    assert "without words" in skipped["pt"]
    assert skipped["zh_hans"] == ("no word is used at least 4 times in its 2 unhappy and 2 "
                                  "happy comments (min_count).")
    assert set(out.table["language"]) == {"en"}
    assert out.notes == ["2 comments are in neither group and are not compared "
                         "(neutral 1, no group 1)."]
    assert "Latvian: only 1 happy" in " ".join(out.sentences())


def test_distinguishing_terms_min_count_and_no_phrases():
    out = distinguishing_terms(_frame(), min_count=5, phrases=False, min_comments=2)
    # every English word is seen 4 or 8 times: only "reply" (8) is kept
    assert out.table.loc[out.table["language"] == "en", "term"].tolist() == ["reply"]
    assert set(out.table["kind"]) == {"word"}


def test_distinguishing_terms_pooled_and_other_groups():
    frame = _frame().assign(survey=lambda d: np.where(d.index % 2 == 0, "csat", "nps"))
    out = distinguishing_terms(frame, by="survey", groups=("csat", "nps"), per=None,
                               min_count=1, min_comments=1)
    assert set(out.table["language"]) == {"all"}
    assert {"n_csat", "n_nps"} <= set(out.table.columns)
    assert "per data set" in out.method


def test_distinguishing_terms_empty_result_and_html():
    out = distinguishing_terms(_frame(), min_comments=50)
    assert out.table.empty and len(out.skipped) == 4
    html = out._repr_html_()
    assert "Monroe" in html and "neither group" in html
    out = distinguishing_terms(_frame().assign(
        tokens=lambda d: d["tokens"].apply(lambda t: ["<b>" + w for w in t])),
        min_count=1, min_comments=2)
    html = out._repr_html_()
    assert "&lt;b&gt;slow" in html and "<b>slow" not in html


def test_distinguishing_terms_errors():
    frame = _frame()
    with pytest.raises(MissingColumnError, match="'tokens'"):
        distinguishing_terms(frame.drop(columns="tokens"))
    with pytest.raises(MissingColumnError, match="'segment'"):
        distinguishing_terms(frame, per="segment")
    with pytest.raises(ParameterError, match=r"groups 'angry' do not occur in column 'tone'"
                                             r", which holds 'happy', 'neutral', 'unhappy'"):
        distinguishing_terms(frame, groups=("angry", "happy"))
    with pytest.raises(ParameterError, match="two different values"):
        distinguishing_terms(frame, groups=("happy", "happy"))
    with pytest.raises(ParameterError, match="two different values"):
        distinguishing_terms(frame, groups="happy")
    with pytest.raises(ParameterError, match="min_count must be a whole number, 1 or more"):
        distinguishing_terms(frame, min_count=0)
    with pytest.raises(ParameterError, match="min_comments"):
        distinguishing_terms(frame, min_comments=0)
    with pytest.raises(DataError, match="tokens column must hold a list"):
        distinguishing_terms(frame.assign(tokens="slow reply"))
    out = distinguishing_terms(frame, min_count=4, min_comments=2)
    with pytest.raises(ParameterError, match="side must be one of"):
        out.top(side="neutral")
    with pytest.raises(ParameterError, match="k must be"):
        out.top(k=0)
