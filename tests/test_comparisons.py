"""Tests of :mod:`csat_toolkit.comparisons` (``compare`` and ``compare_periods``).

Every statistic is checked against an independent computation on the same small frame:

- shares (CSAT, % easy, PMF): ``statsmodels.stats.proportion.proportions_ztest`` on the
  counts (pooled two-proportion z test); the difference interval is Newcombe's hybrid
  score interval (Newcombe 1998, method 10), computed by hand from two Wilson intervals
  and checked against ``confint_proportions_2indep(method="newcomb")``;
- means (CSAT mean, CES): ``scipy.stats.ttest_ind(equal_var=False)`` on the raw rows
  (statistic, p-value and its Welch-Satterthwaite confidence interval);
- NPS: ``(nps1 - nps2) / sqrt(v1/n1 + v2/n2)`` with ``v = pP + pD - (pP - pD)^2``
  written out by hand;
- corrections: ``statsmodels.stats.multitest.multipletests`` (holm, fdr_bh).

DESIGN.md principle 4: small groups (``min_n``) are never significant, and many
comparisons are corrected (Holm by default). The null simulation at the end checks
that the correction does its job.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

import csat_toolkit as ct
from csat_toolkit.comparisons import compare, compare_periods
from csat_toolkit.errors import CsatToolkitError, DataError, ParameterError, ScaleError

PROPERTY = settings(max_examples=40)  # the rest from the profile in conftest.py
Z95 = sps.norm.ppf(0.975)


# --- fixtures -------------------------------------------------------------------------


def _frame(groups: dict[str, list[float]], column: str = "channel") -> pd.DataFrame:
    """A response frame from {level: scores}, levels in the given order."""
    rows = [(level, score) for level, scores in groups.items() for score in scores]
    return pd.DataFrame(rows, columns=[column, "score"])


# CSAT 1-5: satisfied = 4-5. a: 30/40 satisfied, b: 25/50, c: 10/45.
CSAT_GROUPS = {
    "a": [5] * 20 + [4] * 10 + [2] * 6 + [1] * 4,
    "b": [5] * 15 + [4] * 10 + [3] * 15 + [1] * 10,
    "c": [4] * 10 + [3] * 20 + [2] * 10 + [1] * 5,
}
# NPS 0-10: promoters 9-10, passives 7-8, detractors 0-6.
NPS_GROUPS = {
    "north": [10] * 25 + [9] * 10 + [8] * 10 + [7] * 5 + [6] * 5 + [2] * 5,    # P/pas/D 35/15/10 of 60
    "south": [10] * 10 + [9] * 5 + [8] * 15 + [6] * 10 + [3] * 10 + [0] * 5,   # 15/15/25 of 55
    "west": [9] * 20 + [7] * 20 + [5] * 10,                                     # 20/20/10 of 50
}
# CES 1-7 (agreement that it was easy).
CES_GROUPS = {
    "chat": [7] * 12 + [6] * 15 + [5] * 8 + [4] * 3 + [2] * 2,
    "email": [7] * 5 + [6] * 10 + [5] * 10 + [4] * 8 + [3] * 5 + [1] * 4,
    "phone": [7] * 9 + [6] * 9 + [5] * 9 + [3] * 9,
}


@pytest.fixture
def csat_frame():
    return _frame(CSAT_GROUPS)


def _satisfied(scores) -> int:
    return int(sum(1 for s in scores if s >= 4))


def _nps_parts(scores):
    scores = np.asarray(scores, dtype=float)
    n = len(scores)
    p_p = np.mean(scores >= 9)
    p_d = np.mean(scores <= 6)
    return p_p - p_d, p_p + p_d - (p_p - p_d) ** 2, n


def _wilson(x: float, n: float) -> tuple[float, float]:
    p = x / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 / (1 + Z95**2 / n) * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2))
    return centre - half, centre + half


def _newcombe(x1, n1, x2, n2) -> tuple[float, float]:
    """Newcombe's hybrid score interval of p1 - p2 written out from two Wilson intervals."""
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = _wilson(x1, n1), _wilson(x2, n2)
    d = p1 - p2
    return (d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def _others(groups: dict, level: str) -> list:
    return [s for other, scores in groups.items() if other != level for s in scores]


# --- against="rest" -------------------------------------------------------------------


def test_compare_is_exported_at_top_level():
    assert ct.compare is compare
    assert ct.compare_periods is compare_periods
    assert ct.comparisons.compare is compare


def test_rest_shares_match_statsmodels_ztest_and_newcombe_interval(csat_frame):
    result = compare(csat_frame, metric="csat", by="channel")
    assert result["channel"].tolist() == ["a", "b", "c"]
    assert (result["reference"] == "rest").all()
    assert set(result["test"]) == {"two-proportion z test; Newcombe interval"}
    total = len(csat_frame)
    for _, row in result.iterrows():
        mine = CSAT_GROUPS[row["channel"]]
        rest = _others(CSAT_GROUPS, row["channel"])
        x1, n1, x2, n2 = _satisfied(mine), len(mine), _satisfied(rest), len(rest)
        # The rest is every other answer pooled: its n and estimate are those of the
        # other rows together.
        assert row["n"] == n1 and row["ref_n"] == n2 and n1 + n2 == total
        assert row["estimate"] == pytest.approx(100 * x1 / n1)
        assert row["ref_estimate"] == pytest.approx(100 * x2 / n2)
        assert row["difference"] == pytest.approx(100 * (x1 / n1 - x2 / n2))
        z, p = proportions_ztest([x1, x2], [n1, n2])
        assert row["statistic"] == pytest.approx(z, rel=1e-10)
        assert row["p_value"] == pytest.approx(p, rel=1e-9)
        # Difference interval: Newcombe's hybrid score interval, by hand and statsmodels.
        low, high = _newcombe(x1, n1, x2, n2)
        assert row["ci_low"] == pytest.approx(100 * low, rel=1e-10)
        assert row["ci_high"] == pytest.approx(100 * high, rel=1e-10)
        sm_low, sm_high = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb")
        assert row["ci_low"] == pytest.approx(100 * sm_low, rel=1e-9)
        assert row["ci_high"] == pytest.approx(100 * sm_high, rel=1e-9)


def test_share_difference_interval_does_not_collapse_at_100_percent():
    """All 40 of a satisfied against 30 of 60: the Wald interval would have zero width on
    a's side; Newcombe's stays a proper interval that contains the difference."""
    data = _frame({"a": [5] * 40, "b": [5] * 30 + [1] * 30})
    row = compare(data, by="channel", against="b").iloc[0]
    low, high = _newcombe(40, 40, 30, 60)
    assert row["difference"] == pytest.approx(50.0)
    assert row["ci_low"] == pytest.approx(100 * low) and row["ci_high"] == pytest.approx(100 * high)
    assert row["ci_low"] < 50.0 < row["ci_high"] <= 100.0
    wald_half = 100 * Z95 * math.sqrt(0.25 / 60)
    assert row["ci_high"] - row["ci_low"] != pytest.approx(2 * wald_half)


@pytest.mark.parametrize("conf", [0.8, 0.99])
def test_share_interval_follows_conf(csat_frame, conf):
    row = compare(csat_frame, by="channel", against="c", conf=conf).iloc[0]  # a against c
    sm_low, sm_high = confint_proportions_2indep(30, 40, 10, 45, method="newcomb", alpha=1 - conf)
    assert row["ci_low"] == pytest.approx(100 * sm_low) and row["ci_high"] == pytest.approx(100 * sm_high)


def test_rest_hand_numbers_for_level_a(csat_frame):
    """Level a: 30/40 = 75% against the rest 35/95 = 36.84%; the numbers written out."""
    row = compare(csat_frame, metric="csat", by="channel").iloc[0]
    p1, p2 = 30 / 40, 35 / 95
    pooled = 65 / 135
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / 40 + 1 / 95))
    assert row["ref_n"] == 95
    assert row["ref_estimate"] == pytest.approx(100 * 35 / 95)
    assert row["statistic"] == pytest.approx(z)
    assert row["p_value"] == pytest.approx(2 * sps.norm.sf(abs(z)))


@pytest.mark.parametrize("metric, groups, key", [
    ("csat_mean", CSAT_GROUPS, "channel"),
    ("ces", CES_GROUPS, "channel"),
])
def test_rest_means_match_scipy_welch_on_raw_rows(metric, groups, key):
    data = _frame(groups, key)
    result = compare(data, metric=metric, by=key)
    assert set(result["test"]) == {"Welch t test; Welch interval"}
    for _, row in result.iterrows():
        mine = np.asarray(groups[row[key]], dtype=float)
        rest = np.asarray(_others(groups, row[key]), dtype=float)
        ref = sps.ttest_ind(mine, rest, equal_var=False)
        assert row["n"] == len(mine) and row["ref_n"] == len(rest)
        assert row["estimate"] == pytest.approx(mine.mean())
        assert row["ref_estimate"] == pytest.approx(rest.mean())
        assert row["difference"] == pytest.approx(mine.mean() - rest.mean())
        assert row["statistic"] == pytest.approx(ref.statistic, rel=1e-9)
        assert row["p_value"] == pytest.approx(ref.pvalue, rel=1e-7)
        low, high = ref.confidence_interval(0.95)
        assert row["ci_low"] == pytest.approx(low, rel=1e-9)
        assert row["ci_high"] == pytest.approx(high, rel=1e-9)


def test_rest_nps_difference_z_by_hand():
    data = _frame(NPS_GROUPS, "region")
    result = compare(data, metric="nps", by="region")
    assert set(result["test"]) == {"NPS difference z test; Wald interval"}
    for _, row in result.iterrows():
        nps1, v1, n1 = _nps_parts(NPS_GROUPS[row["region"]])
        nps2, v2, n2 = _nps_parts(_others(NPS_GROUPS, row["region"]))
        se = math.sqrt(v1 / n1 + v2 / n2)
        z = (nps1 - nps2) / se
        assert row["n"] == n1 and row["ref_n"] == n2
        assert row["estimate"] == pytest.approx(100 * nps1)
        assert row["ref_estimate"] == pytest.approx(100 * nps2)
        assert row["difference"] == pytest.approx(100 * (nps1 - nps2))
        assert row["statistic"] == pytest.approx(z, rel=1e-10)
        assert row["p_value"] == pytest.approx(2 * sps.norm.sf(abs(z)), rel=1e-9)
        assert row["ci_low"] == pytest.approx(100 * (nps1 - nps2 - Z95 * se), rel=1e-10)
        assert row["ci_high"] == pytest.approx(100 * (nps1 - nps2 + Z95 * se), rel=1e-10)


def test_nps_north_numbers_written_out():
    """north: 35 promoters, 10 detractors of 60; rest: 35 promoters, 35 detractors of 105."""
    row = compare(_frame(NPS_GROUPS, "region"), metric="nps", by="region").iloc[0]
    assert row["region"] == "north"
    pp1, pd1, pp2, pd2 = 35 / 60, 10 / 60, 35 / 105, 35 / 105
    v1 = pp1 + pd1 - (pp1 - pd1) ** 2
    v2 = pp2 + pd2 - (pp2 - pd2) ** 2
    z = ((pp1 - pd1) - (pp2 - pd2)) / math.sqrt(v1 / 60 + v2 / 105)
    assert row["estimate"] == pytest.approx(100 * 25 / 60)
    assert row["ref_estimate"] == pytest.approx(0.0)
    assert row["statistic"] == pytest.approx(z)


def test_metric_estimates_agree_with_metric_tables(csat_frame):
    """A comparison row's n and estimate are those of the metric table for that level."""
    table = ct.csat(csat_frame, by="channel").set_index("channel")
    result = compare(csat_frame, by="channel", against="pairs")
    for _, row in result.iterrows():
        assert row["n"] == table.loc[row["channel"], "n"]
        assert row["estimate"] == pytest.approx(table.loc[row["channel"], "estimate"])
        assert row["ref_n"] == table.loc[row["reference"], "n"]
        assert row["ref_estimate"] == pytest.approx(table.loc[row["reference"], "estimate"])


def test_ces_easy_and_pmf_are_share_tests():
    data = _frame(CES_GROUPS)
    result = compare(data, metric="ces_easy", by="channel", against="email")
    assert set(result["test"]) == {"two-proportion z test; Newcombe interval"}
    chat = result.set_index("channel").loc["chat"]
    x1, x2 = sum(s >= 5 for s in CES_GROUPS["chat"]), sum(s >= 5 for s in CES_GROUPS["email"])
    z, p = proportions_ztest([x1, x2], [40, 42])
    assert chat["statistic"] == pytest.approx(z) and chat["p_value"] == pytest.approx(p)
    # PMF: "no longer use" (0) answers are outside n on both sides.
    pmf = _frame({"a": [3] * 20 + [2] * 10 + [0] * 7, "b": [3] * 5 + [1] * 25 + [0] * 3}, "plan")
    r = compare(pmf, metric="pmf", by="plan", against="b", min_n=10).iloc[0]
    assert (r["n"], r["ref_n"]) == (30, 30)
    z, p = proportions_ztest([20, 5], [30, 30])
    assert r["statistic"] == pytest.approx(z) and r["p_value"] == pytest.approx(p)


def test_missing_segment_values_are_a_level_of_their_own(csat_frame):
    data = csat_frame.copy()
    data.loc[:9, "channel"] = None
    result = compare(data, by="channel")
    assert len(result) == 4
    missing = result[result["channel"].isna()].iloc[0]
    assert missing["n"] == 10 and missing["ref_n"] == len(data) - 10


def test_unit_weights_give_the_unweighted_result(csat_frame):
    weighted = compare(csat_frame.assign(w=1.0), by="channel", weight="w")
    plain = compare(csat_frame, by="channel")
    for column in ("n", "estimate", "ref_estimate", "statistic", "p_value", "ci_low", "ci_high"):
        np.testing.assert_allclose(weighted[column], plain[column], rtol=1e-12)


# --- against="pairs" and against=<level> ----------------------------------------------


def test_pairs_gives_k_choose_2_rows(csat_frame):
    result = compare(csat_frame, by="channel", against="pairs")
    assert len(result) == 3
    assert list(zip(result["channel"], result["reference"])) == [("a", "b"), ("a", "c"), ("b", "c")]
    for _, row in result.iterrows():
        g1, g2 = CSAT_GROUPS[row["channel"]], CSAT_GROUPS[row["reference"]]
        z, p = proportions_ztest([_satisfied(g1), _satisfied(g2)], [len(g1), len(g2)])
        assert row["statistic"] == pytest.approx(z) and row["p_value"] == pytest.approx(p)


@pytest.mark.parametrize("k", [2, 4, 6])
def test_pairs_count_for_k_levels(k):
    groups = {f"g{i}": [5, 4, 3, 2, 1] * 8 for i in range(k)}
    result = compare(_frame(groups), by="channel", against="pairs")
    assert len(result) == k * (k - 1) // 2
    assert len(compare(_frame(groups), by="channel", against="g0")) == k - 1
    # With two levels, "a vs rest" and "b vs rest" are one test: reported once.
    assert len(compare(_frame(groups), by="channel", against="rest")) == (1 if k == 2 else k)


def test_against_a_level_gives_k_minus_1_rows(csat_frame):
    result = compare(csat_frame, by="channel", against="b")
    assert result["channel"].tolist() == ["a", "c"]
    assert (result["reference"] == "b").all()
    assert (result["ref_n"] == 50).all()
    assert result["ref_estimate"].tolist() == pytest.approx([50.0, 50.0])
    pairs = compare(csat_frame, by="channel", against="pairs").set_index(["channel", "reference"])
    # Same raw p-values as the matching pair (a, b); c against b is the pair (b, c) reversed.
    assert result.iloc[0]["p_value"] == pytest.approx(pairs.loc[("a", "b"), "p_value"])
    assert result.iloc[1]["p_value"] == pytest.approx(pairs.loc[("b", "c"), "p_value"])
    assert result.iloc[1]["difference"] == pytest.approx(-pairs.loc[("b", "c"), "difference"])


# --- corrections and significance -----------------------------------------------------


def _many_groups() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    groups = {}
    for i, p in enumerate([0.5, 0.55, 0.6, 0.7, 0.45, 0.8, 0.35, 0.62]):
        satisfied = rng.random(80) < p
        groups[f"s{i}"] = np.where(satisfied, 5, 2).tolist()
    return _frame(groups, "segment")


@pytest.mark.parametrize("correction, method, label", [
    ("holm", "holm", "Holm"),
    ("bh", "fdr_bh", "Benjamini-Hochberg"),
])
def test_p_adjusted_equals_statsmodels_multipletests(correction, method, label):
    data = _many_groups()
    for against in ("rest", "pairs", "s0"):
        result = compare(data, by="segment", against=against, correction=correction)
        expected = multipletests(result["p_value"].to_numpy(), method=method)[1]
        np.testing.assert_allclose(result["p_adjusted"], expected, rtol=1e-12)
        assert (result["correction"] == label).all()
        assert (result["p_adjusted"] >= result["p_value"] - 1e-15).all()


def test_holm_is_the_default():
    data = _many_groups()
    assert compare(data, by="segment").equals(compare(data, by="segment", correction="holm"))


def test_correction_none_leaves_p_values_alone():
    result = compare(_many_groups(), by="segment", against="pairs", correction="none")
    np.testing.assert_array_equal(result["p_adjusted"], result["p_value"])
    assert (result["correction"] == "none").all()


def test_unknown_correction_is_an_error():
    with pytest.raises(ParameterError, match="Unknown correction 'bonferroni'"):
        compare(_many_groups(), by="segment", correction="bonferroni")


@pytest.mark.parametrize("conf", [0.9, 0.95, 0.99])
@pytest.mark.parametrize("correction", ["holm", "bh", "none"])
def test_significance_is_p_adjusted_below_alpha_and_not_small(conf, correction):
    result = compare(_many_groups(), by="segment", against="pairs", conf=conf,
                     correction=correction, min_n=30)
    expected = (result["p_adjusted"] < 1 - conf) & ~result["small_n"]
    assert result["significant"].tolist() == expected.tolist()
    assert (result["conf"] == conf).all()
    # Both outcomes occur, so the rule is really exercised.
    assert result["significant"].any() and not result["significant"].all()


def test_significance_uses_adjusted_not_raw_p():
    """With Holm over 28 pairs, some raw p-values below 0.05 are no longer significant."""
    result = compare(_many_groups(), by="segment", against="pairs")
    raw_only = (result["p_value"] < 0.05) & (result["p_adjusted"] >= 0.05)
    assert raw_only.any()
    assert not result.loc[raw_only, "significant"].any()


def test_small_group_is_never_significant_even_with_tiny_p():
    data = _frame({"tiny": [5] * 20, "big": [1] * 200})
    result = compare(data, by="channel", against="big")
    row = result.iloc[0]
    assert row["p_value"] < 1e-20 and row["p_adjusted"] < 1e-20
    assert bool(row["small_n"]) and not bool(row["significant"])
    # The flag is the only reason: with min_n below the group size it is significant.
    assert bool(compare(data, by="channel", against="big", min_n=10).iloc[0]["significant"])
    # Same for the rest comparison, and for a small reference group.
    rest = compare(data, by="channel")
    assert rest["small_n"].all() and not rest["significant"].any()


def test_small_n_uses_the_smaller_side(csat_frame):
    result = compare(csat_frame, by="channel", against="pairs", min_n=45)
    # a has 40 answers, b 50, c 45: only (b, c) has both at or above 45.
    assert result["small_n"].tolist() == [True, True, False]


def test_difference_lies_inside_its_interval():
    result = compare(_many_groups(), by="segment", against="pairs", correction="none")
    for _, row in result.iterrows():
        assert row["ci_low"] <= row["difference"] <= row["ci_high"]


# --- compare_periods ------------------------------------------------------------------


def _monthly(months: dict[str, list[float]], segment: list | None = None) -> pd.DataFrame:
    rows = []
    for month, scores in months.items():
        for i, s in enumerate(scores):
            rows.append({"responded_at": pd.Timestamp(f"{month}-15"), "score": s,
                         **({"team": segment[i % len(segment)]} if segment else {})})
    return pd.DataFrame(rows)


MONTHS = {
    "2024-01": [5] * 40 + [2] * 40,   # 50%
    "2024-02": [5] * 45 + [2] * 35,   # 56.25%
    "2024-03": [5] * 60 + [2] * 20,   # 75%
}


def test_compare_periods_default_is_last_against_the_one_before():
    result = compare_periods(_monthly(MONTHS), metric="csat", period="M")
    assert len(result) == 1
    row = result.iloc[0]
    assert str(row["period"]) == "2024-03" and str(row["reference"]) == "2024-02"
    assert (row["n"], row["ref_n"]) == (80, 80)
    assert row["estimate"] == pytest.approx(75.0) and row["ref_estimate"] == pytest.approx(56.25)
    z, p = proportions_ztest([60, 45], [80, 80])
    assert row["statistic"] == pytest.approx(z) and row["p_value"] == pytest.approx(p)
    assert row["p_adjusted"] == pytest.approx(p)  # one comparison: Holm changes nothing


def test_compare_periods_explicit_current_and_previous():
    data = _monthly(MONTHS)
    row = compare_periods(data, period="M", current="2024-03", previous="2024-01").iloc[0]
    assert str(row["period"]) == "2024-03" and str(row["reference"]) == "2024-01"
    z, p = proportions_ztest([60, 40], [80, 80])
    assert row["statistic"] == pytest.approx(z)
    row = compare_periods(data, period="M", current="2024-02").iloc[0]
    assert str(row["period"]) == "2024-02" and str(row["reference"]) == "2024-01"
    assert row["difference"] == pytest.approx(6.25)


@pytest.mark.parametrize("period, current, expected_previous", [
    ("Q", "2024Q2", "2024Q1"),
    ("Y", "2024", "2023"),
    ("W", "2024-04-10", "2024-04-01/2024-04-07"),
])
def test_compare_periods_other_frequencies(period, current, expected_previous):
    data = pd.DataFrame({
        "responded_at": pd.to_datetime(["2023-06-01"] * 40 + ["2024-04-03"] * 40 + ["2024-04-10"] * 40),
        "score": [5, 1] * 60,
    })
    row = compare_periods(data, period=period, current=current).iloc[0]
    assert str(row["reference"]) == expected_previous


def test_compare_periods_by_segment_one_row_each_with_holm_across_segments():
    rng = np.random.default_rng(3)
    teams = ["t1", "t2", "t3", "t4", "t5"]
    rows = []
    for month, shift in (("2024-05", 0.0), ("2024-06", 0.15)):
        for i, team in enumerate(teams):
            p = 0.5 + (shift if i < 2 else 0.0)
            for _ in range(120):
                rows.append({"responded_at": pd.Timestamp(f"{month}-10"), "team": team,
                             "score": 5 if rng.random() < p else 2})
    data = pd.DataFrame(rows)
    result = compare_periods(data, period="M", by="team")
    assert result["team"].tolist() == teams
    assert (result["period"].astype(str) == "2024-06").all()
    assert (result["reference"].astype(str) == "2024-05").all()
    expected = multipletests(result["p_value"].to_numpy(), method="holm")[1]
    np.testing.assert_allclose(result["p_adjusted"], expected)
    for _, row in result.iterrows():
        part = data[data["team"] == row["team"]]
        now = part[part["responded_at"].dt.month == 6]["score"]
        before = part[part["responded_at"].dt.month == 5]["score"]
        z, p = proportions_ztest([(now >= 4).sum(), (before >= 4).sum()], [len(now), len(before)])
        assert row["statistic"] == pytest.approx(z) and row["p_value"] == pytest.approx(p)
    bh = compare_periods(data, period="M", by="team", correction="bh")
    np.testing.assert_allclose(bh["p_adjusted"],
                               multipletests(bh["p_value"].to_numpy(), method="fdr_bh")[1])


def test_previous_period_without_answers_gives_nan_and_is_not_significant():
    data = _monthly({"2024-01": [5] * 50, "2024-03": [5] * 40 + [1] * 40})
    row = compare_periods(data, period="M").iloc[0]
    assert str(row["reference"]) == "2024-02"
    assert row["ref_n"] == 0
    assert math.isnan(row["ref_estimate"]) and math.isnan(row["difference"])
    assert math.isnan(row["p_value"]) and math.isnan(row["p_adjusted"])
    assert not bool(row["significant"]) and bool(row["small_n"])
    assert row["n"] == 80 and row["estimate"] == pytest.approx(50.0)


def test_segment_without_answers_in_one_period_does_not_disturb_the_others():
    data = _monthly({"2024-01": [5] * 60 + [1] * 60, "2024-02": [5] * 90 + [1] * 30},
                    segment=["x", "y"])
    data = data[~((data["team"] == "y") & (data["responded_at"].dt.month == 1))]
    result = compare_periods(data, period="M", by="team").set_index("team")
    assert result.loc["y", "ref_n"] == 0 and not result.loc["y", "significant"]
    # Only one finite p-value: Holm adjusts over that one.
    assert result.loc["x", "p_adjusted"] == pytest.approx(result.loc["x", "p_value"])


def test_compare_periods_errors():
    data = _monthly(MONTHS)
    with pytest.raises(DataError, match="No answers in period 2024-09"):
        compare_periods(data, period="M", current="2024-09")
    with pytest.raises(ParameterError, match="Comparing periods needs period="):
        compare_periods(data, period=None)
    with pytest.raises(ParameterError, match="Unknown period 'fortnight'"):
        compare_periods(data, period="fortnight")


def test_compare_by_period_needs_a_period_parameter():
    data = _monthly(MONTHS)
    with pytest.raises(ParameterError, match="Comparing periods needs period="):
        compare(data, by="period")
    # With the period it compares each month against the other months pooled.
    result = compare(data, by="period", period="M")
    assert result["period"].astype(str).tolist() == ["2024-01", "2024-02", "2024-03"]
    assert (result["n"] + result["ref_n"] == 240).all()


# --- errors -----------------------------------------------------------------------------


def test_unknown_level_is_an_error_listing_levels(csat_frame):
    with pytest.raises(ParameterError, match=r"'z' is not a level of 'channel'; levels are 'a', 'b', 'c'"):
        compare(csat_frame, by="channel", against="z")


@pytest.mark.parametrize("against", ["pairs", "a"])
def test_single_level_is_nothing_to_compare(against):
    data = _frame({"a": [5, 4, 3] * 20})
    with pytest.raises(DataError, match="Nothing to compare: 'channel' has a single level"):
        compare(data, by="channel", against=against)


def test_single_level_is_nothing_to_compare_against_rest():
    data = _frame({"a": [5, 4, 3] * 20})
    with pytest.raises(DataError, match="Nothing to compare"):
        compare(data, by="channel", against="rest")


def test_unknown_metric_is_an_error(csat_frame):
    with pytest.raises(ParameterError, match="Unknown metric 'satisfaction'"):
        compare(csat_frame, metric="satisfaction", by="channel")
    with pytest.raises(ParameterError, match="Unknown metric"):
        compare_periods(_monthly(MONTHS), metric="satisfaction")


def test_missing_by_column_is_an_error(csat_frame):
    with pytest.raises(CsatToolkitError, match="'region'"):
        compare(csat_frame, by="region")


def test_scores_off_the_scale_are_an_error(csat_frame):
    with pytest.raises(DataError, match="not on the csat_5 scale"):
        compare(csat_frame.assign(score=csat_frame["score"] + 5), by="channel")


def test_input_frame_is_not_changed(csat_frame):
    before = csat_frame.copy()
    compare(csat_frame, by="channel", against="pairs")
    pd.testing.assert_frame_equal(csat_frame, before)


# --- properties -----------------------------------------------------------------------


@PROPERTY
@given(
    sizes=st.lists(st.integers(min_value=2, max_value=40), min_size=2, max_size=5),
    seed=st.integers(min_value=0, max_value=2**31 - 1),
    metric=st.sampled_from(["csat", "csat_mean", "nps"]),
)
def test_rest_invariants(sizes, seed, metric):
    rng = np.random.default_rng(seed)
    scale_points = np.arange(0, 11) if metric == "nps" else np.arange(1, 6)
    data = pd.DataFrame({
        "g": np.repeat([f"g{i}" for i in range(len(sizes))], sizes),
        "score": rng.choice(scale_points, size=sum(sizes)),
    })
    assume(len(sizes) > 2)  # two levels give a single test (see test_two_levels_...)
    result = compare(data, metric=metric, by="g", min_n=15)
    assert len(result) == len(sizes)
    assert (result["n"] + result["ref_n"] == len(data)).all()
    assert result["n"].tolist() == sizes
    ok = result["p_value"].notna()
    assert (result.loc[ok, "p_adjusted"] >= result.loc[ok, "p_value"] - 1e-12).all()
    assert (result.loc[ok, "p_adjusted"] <= 1 + 1e-12).all()
    # Never significant when small, and only when the corrected p is below alpha.
    assert not (result["significant"] & result["small_n"]).any()
    assert not (result["significant"] & ~(result["p_adjusted"] < 0.05)).any()
    assert (result["small_n"] == [s < 15 or len(data) - s < 15 for s in sizes]).all()
    # The rest estimate is the pooled metric of the other rows.
    for _, row in result.iterrows():
        rest = data.loc[data["g"] != row["g"], "score"].to_numpy(dtype=float)
        if metric == "csat":
            expected = 100 * np.mean(rest >= 4)
        elif metric == "nps":
            expected = 100 * (np.mean(rest >= 9) - np.mean(rest <= 6))
        else:
            expected = rest.mean()
        assert row["ref_estimate"] == pytest.approx(expected)


# --- the correction controls false alarms ---------------------------------------------


def _null_results(repetitions: int = 40, segments: int = 20) -> list[pd.DataFrame]:
    """compare(..., against="rest") with Holm on ``repetitions`` frames in which every
    one of ``segments`` segments is drawn from the same CSAT distribution."""
    rng = np.random.default_rng(20240601)
    probabilities = [0.05, 0.1, 0.15, 0.3, 0.4]  # scores 1..5; 70% satisfied
    results = []
    for _ in range(repetitions):
        data = pd.DataFrame({
            "segment": np.repeat([f"s{i:02d}" for i in range(segments)], 60),
            "score": rng.choice([1, 2, 3, 4, 5], size=60 * segments, p=probabilities),
        })
        results.append(compare(data, metric="csat", by="segment"))
    return results


def test_holm_controls_false_alarms_under_the_null():
    results = _null_results()
    assert all(len(r) == 20 and (r["correction"] == "Holm").all() for r in results)
    holm = sum(bool(r["significant"].any()) for r in results)
    # Holm keeps the family-wise error near 5%: at least 95% of the 40 repetitions are
    # clean (seeded: 1 of 40 has a false alarm).
    assert holm <= 2, f"{holm} of 40 null repetitions had a significant segment with Holm"
    # The same raw p-values without a correction (20 tests at 5%) raise an alarm most
    # of the time, so the test has teeth.
    uncorrected = sum(bool(((r["p_value"] < 0.05) & ~r["small_n"]).any()) for r in results)
    assert uncorrected >= 15, uncorrected


def test_two_levels_against_rest_is_one_test_not_two():
    # 120/200 against 100/200: "a vs rest" is "a vs b". Reporting both rows would make
    # Holm double the p-value of what is one test.
    data = _frame({"a": [5] * 120 + [1] * 80, "b": [5] * 100 + [1] * 100})
    rest = compare(data, by="channel")
    level = compare(data, by="channel", against="b")
    assert len(rest) == 1
    pd.testing.assert_frame_equal(rest, level)


def test_significance_needs_the_interval_to_exclude_zero():
    # 4/30 against 0/30: the pooled z test gives p = 0.038, but Newcombe's interval of
    # the difference (-0.6 to 29.7 points) includes 0, so the difference is not called.
    data = _frame({"a": [5] * 4 + [1] * 26, "b": [1] * 30})
    row = compare(data, by="channel", against="b", min_n=30).iloc[0]
    assert row["p_adjusted"] < 0.05
    assert row["ci_low"] < 0 < row["ci_high"]
    assert not row["significant"]


def test_weighted_comparisons_report_effective_sizes():
    data = _frame({"a": [5, 1] * 50, "b": [5, 5, 1] * 30})
    data["weight"] = np.where(np.arange(len(data)) % 10 == 0, 20.0, 1.0)
    result = compare(data, by="channel", against="b", weight="weight")
    assert {"n_eff", "ref_n_eff"} <= set(result.columns)
    assert (result["n_eff"] < result["n"]).all()
    assert "n_eff" not in compare(data, by="channel", against="b").columns


def test_period_without_comparing_periods_is_an_error():
    data = _frame({"a": [5, 4] * 20, "b": [1, 2] * 20})
    data["responded_at"] = pd.Timestamp("2024-01-01")
    with pytest.raises(ParameterError, match="only used to compare periods"):
        compare(data, by="channel", period="M")


def test_compare_checks_the_scale_belongs_to_the_metric():
    data = _frame({"a": [5, 4] * 20, "b": [1, 2] * 20})
    with pytest.raises(ScaleError, match="needs a NPS scale"):
        compare(data, metric="nps", scale="csat_5", by="channel")


def test_adjust_across_tables_is_one_family():
    from csat_toolkit.comparisons import adjust_across

    data = _frame({"a": [5] * 30 + [1] * 10, "b": [5] * 20 + [1] * 20, "c": [5] * 25 + [1] * 15})
    one = compare(data, by="channel", correction="none")
    two = compare(data, by="channel", correction="none")
    joint = adjust_across([one, two], "holm")
    p = np.concatenate([one["p_value"], two["p_value"]])
    expected = multipletests(p, method="holm")[1]
    assert np.allclose(np.concatenate([t["p_adjusted"] for t in joint]), expected)
    assert (joint[0]["correction"] == "Holm").all()


# --- the vectorised path (issue 10) ------------------------------------------------------


def _loop_compare(data, *, metric, by, against, weight=None, min_n=30, conf=0.95,
                  correction="holm"):
    """The per-level loop compare() used before issue 10, kept as the reference."""
    from itertools import combinations

    from csat_toolkit.comparisons import compare_sums
    from csat_toolkit.metrics import SUMS, group_sums

    sums = group_sums(data, metric, by=[by], weight=weight)
    levels = sums[by].tolist()
    if against == "rest" and len(levels) == 2:
        against = levels[1]
    if against == "rest":
        total = sums[SUMS].sum()
        pairs = [(i, None) for i in range(len(levels))]
        rest = pd.DataFrame([total - sums.loc[i, SUMS] for i in range(len(levels))])
        first = sums.loc[:, SUMS].reset_index(drop=True)
        second = rest.reset_index(drop=True)
        labels = ["rest"] * len(levels)
    else:
        if against == "pairs":
            pairs = list(combinations(range(len(levels)), 2))
        else:
            ref = levels.index(against)
            pairs = [(i, ref) for i in range(len(levels)) if i != ref]
        first = sums.loc[[i for i, _ in pairs], SUMS].reset_index(drop=True)
        second = sums.loc[[j for _, j in pairs], SUMS].reset_index(drop=True)
        labels = [levels[j] for _, j in pairs]
    result = pd.DataFrame({by: [levels[i] for i, _ in pairs], "reference": labels})
    return compare_sums(result, first, second, metric, conf, min_n, correction)


@pytest.mark.parametrize("metric", ["csat", "csat_mean", "nps"])
@pytest.mark.parametrize("against", ["rest", "pairs", "b"])
@pytest.mark.parametrize("weighted", [False, True])
def test_vectorised_compare_gives_the_loop_results(metric, against, weighted):
    rng = np.random.default_rng(10)
    high = 11 if metric == "nps" else 6
    low = 0 if metric == "nps" else 1
    data = pd.DataFrame({"channel": rng.choice(list("abcdefg"), 700),
                         "score": rng.integers(low, high, 700),
                         "weight": rng.uniform(0.5, 2.0, 700)})
    data.loc[:5, "channel"] = "h"  # a small level (never significant)
    weight = "weight" if weighted else None
    new = compare(data, metric=metric, by="channel", against=against, weight=weight)
    old = _loop_compare(data, metric=metric, by="channel", against=against, weight=weight)
    pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=1e-12, atol=1e-12)


def test_compare_over_100000_levels():
    rng = np.random.default_rng(2026)
    segment = rng.permutation(np.r_[np.arange(300_000) % 100_000, np.full(400, 7)])
    n = len(segment)  # 100,000 levels of 3 answers, and level 7 with 403
    satisfied = rng.random(n) < np.where(segment == 7, 0.2, 0.75)  # level 7 is worse
    data = pd.DataFrame({"segment": segment, "score": np.where(satisfied, 5, 2)})
    result = compare(data, metric="csat", by="segment")
    levels = data["segment"].nunique()
    assert levels == 100_000 and len(result) == levels
    assert result["segment"].is_unique and (result["reference"] == "rest").all()
    assert int(result["n"].sum()) == n
    assert (result["n"] + result["ref_n"] == n).all()
    flagged = result[result["significant"]]
    assert flagged["segment"].tolist() == [7]
    assert flagged["difference"].iloc[0] < -40
    assert result["small_n"].sum() == levels - 1  # every other level has a handful of answers
    ref = compare(data, metric="csat", by="segment", against=7)
    assert len(ref) == levels - 1 and (ref["reference"] == 7).all()


def test_pairs_over_too_many_levels_is_an_error():
    data = pd.DataFrame({"segment": np.arange(1500), "score": 5})
    with pytest.raises(ParameterError, match=r"1,124,250 comparisons.*against='rest'"):
        compare(data, metric="csat", by="segment", against="pairs")


def test_segment_breakdowns_correct_once_across_surveys_and_columns():
    from csat_toolkit.comparisons import adjust_across, segment_breakdowns

    rng = np.random.default_rng(4)
    n = 900
    data = pd.DataFrame({"survey": rng.choice(["csat", "nps"], n), "channel": rng.choice(list("abc"), n),
                         "region": rng.choice(["EU", "US"], n), "team": "one"})
    data["score"] = np.where(data["survey"] == "csat", rng.integers(1, 6, n), rng.integers(0, 11, n))
    pairs, skipped = segment_breakdowns(data, ["csat", "nps"], ["channel", "region", "team", "agent"])
    assert list(pairs) == [("csat", "channel"), ("csat", "region"), ("nps", "channel"), ("nps", "region")]
    assert skipped == ["Segment column 'agent' is not in the data; skipped.",
                       "CSAT answers have fewer than two team values; no breakdown by team.",
                       "NPS answers have fewer than two team values; no breakdown by team."]
    raw = [compare(data, metric=s, by=c, correction="none") for s, c in pairs]
    expected = adjust_across(raw, "holm")
    for (table, tests), want in zip(pairs.values(), expected):
        np.testing.assert_allclose(tests["p_adjusted"], want["p_adjusted"])
    table, _ = pairs[("nps", "region")]
    pd.testing.assert_frame_equal(table, ct.metric_table(data, "nps", by="region"))


def test_segment_breakdowns_without_columns_says_so():
    from csat_toolkit.comparisons import segment_breakdowns

    pairs, skipped = segment_breakdowns(pd.DataFrame({"survey": ["csat"], "score": [5]}), ["csat"], [])
    assert pairs == {} and skipped == ["No segment columns chosen (parameter segments): no breakdown."]
