"""Tests of :mod:`csat_toolkit.metrics`: CSAT, NPS, CES and PMF tables.

Checked four ways (DESIGN.md, "Tests"):

1. hand-computed values, the arithmetic in the comments (z = 1.959963984540054 for 95%,
   z^2 = 3.8414588206941254), cross-checked with statsmodels / scipy where they apply;
2. the DESIGN conventions: grouping and sort order, ``small_n``, Kish effective n for
   weights, the finite population correction;
3. invariants with hypothesis (ranges, shares adding to 100, containment, row order,
   counts-first == row-by-row, additivity of ``moments``);
4. every error path with its message, and the input frame never changes.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

import csat_toolkit as ct
from csat_toolkit import metrics
from csat_toolkit.errors import DataError, MissingColumnError, ParameterError, ScaleError
from csat_toolkit.metrics import metric_table, moments, score_distribution
from csat_toolkit.scales import get_scale
from csat_toolkit.tally import tally

Z95 = 1.959963984540054
PROPERTY = settings(max_examples=60)  # the rest from the profile in conftest.py


def _row(table: pd.DataFrame, **keys) -> pd.Series:
    """The one row of a table matching the given key values."""
    mask = np.ones(len(table), dtype=bool)
    for key, value in keys.items():
        mask &= (table[key].isna() if value is None else table[key] == value).to_numpy()
    assert mask.sum() == 1, f"expected one row for {keys}, found {mask.sum()}"
    return table[mask].iloc[0]


def _wilson(x: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval by its textbook formula (Wilson 1927)."""
    p = x / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def _worked_example() -> pd.DataFrame:
    """DESIGN.md: 150 satisfied answers out of 250 (150 fives, 100 twos)."""
    return pd.DataFrame({"survey": "csat", "score": [5] * 150 + [2] * 100})


# --------------------------------------------------------------------------------------
# Hand-computed values
# --------------------------------------------------------------------------------------


def test_design_worked_example_csat_60_percent_with_wilson_interval():
    row = ct.csat(_worked_example()).iloc[0]
    # p = 150/250 = 0.6.  Wilson, n = 250:
    # centre = (0.6 + 3.84146/500) / (1 + 3.84146/250) = 0.6076829 / 1.0153658 = 0.5984867
    # half   = 1.959964/1.0153658 * sqrt(0.24/250 + 3.84146/250000)
    #        = 1.9303033 * sqrt(0.000975366) = 1.9303033 * 0.0312308 = 0.0602850
    # -> 53.82% .. 65.88%
    assert row["n"] == 250
    assert row["estimate"] == pytest.approx(60.0)
    assert row["ci_low"] == pytest.approx(53.8202, abs=1e-4)
    assert row["ci_high"] == pytest.approx(65.8772, abs=1e-4)
    low, high = _wilson(150, 250)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((100 * low, 100 * high), abs=1e-10)
    sm_low, sm_high = proportion_confint(150, 250, alpha=0.05, method="wilson")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((100 * sm_low, 100 * sm_high), abs=1e-9)
    assert row["method"] == "Wilson score"
    assert row["metric"] == "csat" and row["scale"] == "csat_5"
    assert row["conf"] == 0.95
    assert not row["small_n"]


def test_design_worked_example_mean_and_t_interval():
    row = ct.csat(_worked_example()).iloc[0]
    # mean = (150*5 + 100*2)/250 = 950/250 = 3.8
    # sample variance = (150*(5-3.8)^2 + 100*(2-3.8)^2)/249 = (216 + 324)/249 = 2.1686747
    # sd = 1.4726421; t(0.975, 249) = 1.9695368; half = 1.9695368*1.4726421/sqrt(250) = 0.183438
    sd = math.sqrt(540 / 249)
    half = sps.t.ppf(0.975, 249) * sd / math.sqrt(250)
    assert row["mean"] == pytest.approx(3.8)
    assert half == pytest.approx(0.183438, abs=1e-6)
    assert row["mean_ci_low"] == pytest.approx(3.8 - half, abs=1e-10)
    assert row["mean_ci_high"] == pytest.approx(3.8 + half, abs=1e-10)
    # The same through the csat_mean metric, which also reports sd.
    mean_row = metric_table(_worked_example(), "csat_mean").iloc[0]
    assert mean_row["estimate"] == pytest.approx(3.8)
    assert mean_row["sd"] == pytest.approx(sd)
    assert (mean_row["ci_low"], mean_row["ci_high"]) == pytest.approx((3.8 - half, 3.8 + half))
    assert mean_row["method"] == "t interval"


def test_mean_t_interval_small_frame_matches_scipy():
    df = pd.DataFrame({"score": [7, 6, 5, 2]})
    row = ct.ces(df, min_n=1).iloc[0]
    # mean = 20/4 = 5; deviations 2, 1, 0, -3; sum of squares 14; variance 14/3;
    # sd = 2.1602469; t(0.975, 3) = 3.1824463; half = 3.1824463*2.1602469/2 = 3.4374352
    assert row["estimate"] == pytest.approx(5.0)
    assert row["sd"] == pytest.approx(math.sqrt(14 / 3))
    assert row["ci_low"] == pytest.approx(1.5625648, abs=1e-6)
    assert row["ci_high"] == pytest.approx(8.4374352, abs=1e-6)
    ref = sps.t.interval(0.95, 3, loc=5.0, scale=sps.sem([7, 6, 5, 2]))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(ref, abs=1e-10)


def test_nps_shares_estimate_and_adjusted_wald_interval():
    df = pd.DataFrame({"score": [10] * 25 + [9] * 25 + [8] * 15 + [7] * 15 + [6] * 10 + [0] * 10})
    row = ct.nps(df).iloc[0]
    # 50 promoters (9-10), 30 passives (7-8), 20 detractors (0-6): NPS = 50 - 20 = 30.
    assert row["n"] == 100
    assert (row["pct_promoters"], row["pct_passives"], row["pct_detractors"]) == pytest.approx(
        (50.0, 30.0, 20.0))
    assert row["estimate"] == pytest.approx(30.0)
    # Adjusted Wald (Rocks 2016): add 0.75 / 1.5 / 0.75 -> 50.75, 31.5, 20.75; n = 103.
    # p_P = 0.4927184, p_D = 0.2014563, centre = 0.2912621
    # variance = p_P + p_D - (p_P - p_D)^2 = 0.6941748 - 0.0848336 = 0.6093412
    # half = 1.959964 * sqrt(0.6093412/103) = 1.959964 * 0.0769148 = 0.1507503
    # -> 14.0512 .. 44.2012
    p_p, p_d = 50.75 / 103, 20.75 / 103
    half = Z95 * math.sqrt((p_p + p_d - (p_p - p_d) ** 2) / 103)
    assert row["ci_low"] == pytest.approx(100 * (p_p - p_d - half), abs=1e-9)
    assert row["ci_high"] == pytest.approx(100 * (p_p - p_d + half), abs=1e-9)
    assert row["ci_low"] == pytest.approx(14.0511, abs=1e-3)
    assert row["ci_high"] == pytest.approx(44.2013, abs=1e-3)
    assert row["method"] == "adjusted Wald (Rocks 2016)"


def test_nps_wald_interval_on_request():
    df = pd.DataFrame({"score": [10] * 50 + [7] * 30 + [3] * 20})
    row = ct.nps(df, method="wald").iloc[0]
    # variance = 0.5 + 0.2 - 0.3^2 = 0.61; half = 1.959964*sqrt(0.61/100) = 0.1530776
    assert row["ci_low"] == pytest.approx(30 - 15.30776, abs=1e-4)
    assert row["ci_high"] == pytest.approx(30 + 15.30776, abs=1e-4)
    assert row["method"] == "Wald"


@pytest.mark.parametrize(
    "scale, scores, easy",
    [
        # ces_7: easy = 5-7. 7, 6, 5 easy; 4, 3, 1 not: 3/6 = 50%.
        ("ces_7", [7, 6, 5, 4, 3, 1], 50.0),
        # ces_5: easy = 4-5. 5, 4 easy; 3, 2 not: 2/4 = 50%; with 4 once more 3/5 = 60%.
        ("ces_5", [5, 4, 3, 2, 4], 60.0),
    ],
)
def test_ces_mean_and_percent_easy(scale, scores, easy):
    df = pd.DataFrame({"score": scores})
    row = ct.ces(df, scale=scale, min_n=1).iloc[0]
    assert row["estimate"] == pytest.approx(np.mean(scores))
    assert row["pct_easy"] == pytest.approx(easy)
    low, high = _wilson(easy / 100 * len(scores), len(scores))
    assert (row["pct_easy_ci_low"], row["pct_easy_ci_high"]) == pytest.approx((100 * low, 100 * high))
    share = metric_table(df, "ces_easy", scale=scale, min_n=1).iloc[0]
    assert share["estimate"] == pytest.approx(easy)
    assert share["method"] == "Wilson score"


def test_ces_default_scale_is_seven_points():
    row = ct.ces(pd.DataFrame({"score": [7, 5, 4, 1]}), min_n=1).iloc[0]
    assert row["scale"] == "ces_7"
    assert row["pct_easy"] == pytest.approx(50.0)  # 7 and 5 of four


def test_pmf_leaves_no_longer_users_out_of_n():
    df = pd.DataFrame({"score": [3, 3, 3, 2, 1, 0, 0]})
    row = ct.pmf(df, min_n=1).iloc[0]
    # Score 0 = "I no longer use the product": 2 such answers left out.
    # Very disappointed (3): 3 of the remaining 5 = 60%.
    assert row["n"] == 5
    assert row["no_longer_users"] == 2
    assert row["estimate"] == pytest.approx(60.0)
    low, high = _wilson(3, 5)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((100 * low, 100 * high))


def test_pmf_labels_are_not_accepted_by_metric_table_only_numbers():
    # metric_table works on scores already on the scale; text answers belong to load_responses.
    with pytest.raises(ScaleError, match="not on the pmf scale"):
        ct.pmf(pd.DataFrame({"score": ["very disappointed"]}))


@pytest.mark.parametrize(
    "scale, scores, expected",
    [
        ("csat_7", [7, 6, 5, 1], 50.0),               # 6-7 satisfied: 2 of 4
        ("csat_10", [10, 8, 7, 1, 9], 60.0),          # 8-10: 3 of 5
        ("csat_0_10", [0, 8, 10, 7, 9], 60.0),        # 8-10: 3 of 5, 0 is on the scale
        ("csat_binary", [1, 0, 1, 1], 75.0),          # yes = 1: 3 of 4
        ("csat_3", [3, 2, 1, 1], 50.0),               # good (2) or great (3): 2 of 4
        ("csat_emoji", [3, 2, 1, 3], 50.0),           # happy (3) only: 2 of 4
        ("csat_5", [5, 4, 3, 2, 1], 40.0),            # 4-5: 2 of 5
    ],
)
def test_csat_on_every_scale(scale, scores, expected):
    row = ct.csat(pd.DataFrame({"score": scores}), scale=scale, min_n=1).iloc[0]
    assert row["estimate"] == pytest.approx(expected)
    assert row["scale"] == scale
    assert row["mean"] == pytest.approx(np.mean(scores))


def test_nps_on_1_to_10_scale():
    df = pd.DataFrame({"score": [10, 9, 8, 1]})
    row = ct.nps(df, scale="nps_1_10", min_n=1).iloc[0]
    # promoters 10, 9 (50%); passive 8 (25%); detractor 1 (25%): NPS 25.
    assert row["estimate"] == pytest.approx(25.0)
    assert row["pct_detractors"] == pytest.approx(25.0)
    with pytest.raises(ScaleError, match=r"not on the nps_1_10 scale \(1-10\): 0"):
        ct.nps(pd.DataFrame({"score": [0, 10]}), scale="nps_1_10")


def test_threshold_overrides():
    csat5 = get_scale("csat_5").with_thresholds(positive_min=5)
    row = ct.csat(pd.DataFrame({"score": [5, 4, 4, 1]}), scale=csat5, min_n=1).iloc[0]
    assert row["estimate"] == pytest.approx(25.0)  # only 5 counts: 1 of 4
    strict_nps = get_scale("nps").with_thresholds(positive_min=10, negative_max=5)
    row = ct.nps(pd.DataFrame({"score": [10, 9, 6, 5]}), scale=strict_nps, min_n=1).iloc[0]
    # promoters: 10 (25%); detractors: 5 (25%); passives: 9 and 6 (50%). NPS 0.
    assert (row["pct_promoters"], row["pct_passives"], row["pct_detractors"]) == pytest.approx(
        (25.0, 50.0, 25.0))
    assert row["estimate"] == pytest.approx(0.0)
    easy = get_scale("ces_7").with_thresholds(positive_min=6)
    row = ct.ces(pd.DataFrame({"score": [7, 6, 5, 5]}), scale=easy, min_n=1).iloc[0]
    assert row["pct_easy"] == pytest.approx(50.0)


def test_other_confidence_levels_and_interval_methods():
    df = _worked_example()
    row90 = ct.csat(df, conf=0.90).iloc[0]
    low, high = _wilson(150, 250, z=sps.norm.ppf(0.95))
    assert (row90["ci_low"], row90["ci_high"]) == pytest.approx((100 * low, 100 * high))
    assert row90["conf"] == 0.90
    for method, name, sm in [("wald", "Wald", "normal"), ("agresti_coull", "Agresti-Coull", "agresti_coull"),
                             ("clopper_pearson", "Clopper-Pearson", "beta")]:
        row = ct.csat(df, method=method).iloc[0]
        ref = proportion_confint(150, 250, alpha=0.05, method=sm)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((100 * ref[0], 100 * ref[1]), abs=1e-8)
        assert row["method"] == name


def test_survey_column_selects_rows():
    df = pd.concat([_worked_example(), pd.DataFrame({"survey": "nps", "score": [10] * 40})])
    assert ct.csat(df).iloc[0]["n"] == 250  # the 40 NPS answers are not CSAT answers
    assert ct.nps(df).iloc[0]["n"] == 40
    # survey=None uses every row (here all on the NPS 0-10 scale).
    assert ct.nps(df, survey=None).iloc[0]["n"] == 290


# --------------------------------------------------------------------------------------
# Grouping, sort order, small_n
# --------------------------------------------------------------------------------------


def _grouped_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "channel": ["web", "chat", "email", None, "chat", "web", "chat", None],
        "region": ["eu", "us", "eu", "eu", "eu", "us", "us", "eu"],
        "score": [5, 4, 1, 2, 5, 3, 2, 5],
        "responded_at": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-01-20", "2024-02-01",
                                        "2024-01-31", "2024-02-29", "2024-02-01", "2024-01-02"]),
    })


def test_group_by_one_column_sorted_with_missing_last():
    table = ct.csat(_grouped_frame(), by="channel", min_n=1)
    assert list(table.columns[:7]) == ["channel", "metric", "n", "estimate", "ci_low", "ci_high", "conf"]
    assert table["channel"].iloc[:3].tolist() == ["chat", "email", "web"]
    assert pd.isna(table["channel"].iloc[3])
    # chat: 4, 5, 2 -> 2 of 3 satisfied; email: 1 -> 0%; web: 5, 3 -> 50%; missing: 2, 5 -> 50%.
    assert table["n"].tolist() == [3, 1, 2, 2]
    assert table["estimate"].tolist() == pytest.approx([200 / 3, 0.0, 50.0, 50.0])


def test_group_by_two_columns():
    table = ct.csat(_grouped_frame(), by=["channel", "region"], min_n=1)
    keys = [(c if isinstance(c, str) else None, r) for c, r in table[["channel", "region"]].itertuples(index=False)]
    assert keys == [("chat", "eu"), ("chat", "us"), ("email", "eu"), ("web", "eu"), ("web", "us"),
                    (None, "eu")]
    # chat/us: 4 and 2 -> 50%; missing/eu: 2 and 5 -> 50%.
    assert _row(table, channel="chat", region="us")["estimate"] == pytest.approx(50.0)
    assert _row(table, channel=None, region="eu")["n"] == 2
    assert table["n"].sum() == len(_grouped_frame())


def test_group_by_period_and_by_column_and_period():
    table = ct.csat(_grouped_frame(), period="M", min_n=1)
    assert table["period"].astype(str).tolist() == ["2024-01", "2024-02"]
    # January: 5, 1, 5, 5 -> 75%; February: 4, 2, 3, 2 -> 25%.
    assert table["estimate"].tolist() == pytest.approx([75.0, 25.0])
    both = ct.csat(_grouped_frame(), by="channel", period="M", min_n=1)
    assert list(both.columns[:3]) == ["channel", "period", "metric"]
    got = [(c if isinstance(c, str) else None, str(p), n)
           for c, p, n in both[["channel", "period", "n"]].itertuples(index=False)]
    assert got == [("chat", "2024-01", 1), ("chat", "2024-02", 2), ("email", "2024-01", 1),
                   ("web", "2024-01", 1), ("web", "2024-02", 1), (None, "2024-01", 1),
                   (None, "2024-02", 1)]


@pytest.mark.parametrize("min_n", [2, 3, 30])
def test_small_n_boundary(min_n):
    df = pd.DataFrame({"channel": ["a"] * (min_n - 1) + ["b"] * min_n, "score": 5})
    table = ct.csat(df, by="channel", min_n=min_n)
    # n = min_n - 1 is flagged, n = min_n is not.
    assert _row(table, channel="a")["small_n"]
    assert not _row(table, channel="b")["small_n"]


def test_small_n_default_is_30():
    assert ct.nps(pd.DataFrame({"score": [10] * 29})).iloc[0]["small_n"]
    assert not ct.nps(pd.DataFrame({"score": [10] * 30})).iloc[0]["small_n"]


# --------------------------------------------------------------------------------------
# Weights: Kish effective n
# --------------------------------------------------------------------------------------


def _weighted() -> pd.DataFrame:
    return pd.DataFrame({"score": [5, 5, 4, 2, 1], "weight": [1.0, 2.0, 1.0, 3.0, 1.0]})


def test_weighted_share_and_kish_effective_n():
    row = ct.csat(_weighted(), weight="weight", min_n=1).iloc[0]
    # sum w = 8, sum w^2 = 1 + 4 + 1 + 9 + 1 = 16 -> n_eff = 64/16 = 4.
    # weighted share = (1 + 2 + 1)/8 = 0.5 (scores 5, 5, 4 are satisfied).
    assert row["n"] == 5
    assert row["n_eff"] == pytest.approx(4.0)
    df = _weighted()
    positive = (df["score"] >= 4).to_numpy()
    share = np.sum(df["weight"] * positive) / np.sum(df["weight"])
    assert row["estimate"] == pytest.approx(100 * share)
    assert row["estimate"] == pytest.approx(50.0)
    # The interval uses n_eff: Wilson with x = p*n_eff = 2 and n = n_eff = 4.
    ref = proportion_confint(count=share * 4.0, nobs=4.0, alpha=0.05, method="wilson")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((100 * ref[0], 100 * ref[1]), abs=1e-9)
    assert "Kish effective n" in row["method"]
    assert row["method"] == "Wilson score, Kish effective n"


def test_weighted_mean_uses_effective_n():
    row = ct.csat(_weighted(), weight="weight", min_n=1).iloc[0]
    # weighted mean = (5 + 10 + 4 + 6 + 1)/8 = 3.25
    # weighted variance = sum w s^2 / sum w - mean^2 = 104/8 - 3.25^2 = 2.4375,
    # times n_eff/(n_eff - 1) = 4/3 -> 3.25; t interval on n_eff - 1 = 3 degrees of freedom.
    half = sps.t.ppf(0.975, 3) * math.sqrt(3.25) / math.sqrt(4)
    assert row["mean"] == pytest.approx(3.25)
    assert (row["mean_ci_low"], row["mean_ci_high"]) == pytest.approx((3.25 - half, 3.25 + half))


def test_weighted_nps_uses_effective_n():
    df = pd.DataFrame({"score": [10, 10, 8, 3], "weight": [2.0, 1.0, 1.0, 2.0]})
    row = ct.nps(df, weight="weight", min_n=1).iloc[0]
    # sum w = 6, sum w^2 = 10 -> n_eff = 3.6; promoters 3/6, passives 1/6, detractors 2/6.
    n_eff = 3.6
    assert row["n_eff"] == pytest.approx(n_eff)
    assert row["estimate"] == pytest.approx(100 * (3 / 6 - 2 / 6))
    low, high = ct.stats.nps_interval(0.5 * n_eff, n_eff / 6, n_eff / 3)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((100 * low, 100 * high))
    assert row["method"] == "adjusted Wald (Rocks 2016), Kish effective n"


def test_small_n_uses_effective_n_when_weighted():
    # n = 5 but n_eff = 4: flagged with min_n = 5.
    assert ct.csat(_weighted(), weight="weight", min_n=5).iloc[0]["small_n"]
    assert not ct.csat(_weighted(), weight="weight", min_n=4).iloc[0]["small_n"]


@pytest.mark.parametrize("metric", ["csat", "csat_mean", "nps", "ces", "ces_easy", "pmf"])
def test_equal_weights_give_the_unweighted_result(metric):
    rng = np.random.default_rng(3)
    scale = get_scale(survey=metrics.METRICS[metric].survey)
    df = pd.DataFrame({"channel": rng.choice(["a", "b"], 80),
                       "score": rng.choice(scale.points, 80), "weight": 2.5})
    plain = metric_table(df, metric, by="channel")
    weighted = metric_table(df, metric, by="channel", weight="weight")
    assert weighted["n_eff"].tolist() == pytest.approx(plain["n"].tolist())
    assert (weighted["method"] == plain["method"] + ", Kish effective n").all()
    pd.testing.assert_frame_equal(weighted.drop(columns=["n_eff", "method"]),
                                  plain.drop(columns="method"), check_exact=False, rtol=1e-12)


# --------------------------------------------------------------------------------------
# Finite population correction
# --------------------------------------------------------------------------------------


def test_finite_population_correction_worked_example():
    df = _worked_example()
    plain = ct.csat(df).iloc[0]
    row = ct.csat(df, population=1000).iloc[0]
    # fpc = (N - n)/(N - 1) = 750/999 = 0.7507508; n_adj = 250/0.7507508 = 333.0
    n_adj = 250 / (750 / 999)
    assert n_adj == pytest.approx(333.0)
    ref = proportion_confint(count=0.6 * n_adj, nobs=n_adj, alpha=0.05, method="wilson")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((100 * ref[0], 100 * ref[1]), abs=1e-9)
    assert row["ci_high"] - row["ci_low"] < plain["ci_high"] - plain["ci_low"]
    assert row["estimate"] == pytest.approx(60.0)
    assert row["population"] == 1000
    assert row["response_rate"] == pytest.approx(25.0)  # 250 of 1,000
    assert row["method"] == "Wilson score, finite population correction"
    # The mean's t interval shrinks by sqrt(fpc).
    half = sps.t.ppf(0.975, 249) * math.sqrt(540 / 249) * math.sqrt(750 / 999) / math.sqrt(250)
    assert (row["mean_ci_low"], row["mean_ci_high"]) == pytest.approx((3.8 - half, 3.8 + half))


def test_population_per_group():
    df = pd.DataFrame({"channel": ["a"] * 150 + ["b"] * 100,
                       "score": [5] * 90 + [2] * 60 + [5] * 60 + [2] * 40})
    table = ct.csat(df, by="channel", population={"a": 600, "b": 400})
    a, b = _row(table, channel="a"), _row(table, channel="b")
    assert (a["population"], b["population"]) == (600, 400)
    assert (a["response_rate"], b["response_rate"]) == pytest.approx((25.0, 25.0))
    # a: fpc = 450/599; b: fpc = 300/399; both 60% satisfied.
    for row, n, pop in ((a, 150, 600), (b, 100, 400)):
        n_adj = n / ((pop - n) / (pop - 1))
        low, high = _wilson(0.6 * n_adj, n_adj)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((100 * low, 100 * high))
    # A pandas Series works like a dict.
    series = ct.csat(df, by="channel", population=pd.Series({"a": 600, "b": 400}))
    pd.testing.assert_frame_equal(series, table)


def test_census_gives_a_zero_width_interval():
    row = ct.csat(_worked_example(), population=250).iloc[0]
    assert row["ci_low"] == row["estimate"] == row["ci_high"] == pytest.approx(60.0)
    assert row["mean_ci_low"] == row["mean"] == row["mean_ci_high"] == pytest.approx(3.8)
    assert row["response_rate"] == pytest.approx(100.0)
    nps_row = ct.nps(pd.DataFrame({"score": [10, 9, 7, 0]}), population=4, min_n=1).iloc[0]
    assert nps_row["ci_low"] == nps_row["estimate"] == nps_row["ci_high"] == pytest.approx(25.0)


def test_population_errors():
    df = _worked_example()
    with pytest.raises(ParameterError, match=r"population.*smaller than the number of answers.*"
                       r"population=200.0, n=\[250.0\]"):
        ct.csat(df, population=200)
    grouped = df.assign(channel=["a", "b"] * 125, region=["x"] * 250)
    with pytest.raises(ParameterError, match=r"No population given for channel = 'b'\. "
                       r"Give a base size for every group"):
        ct.csat(grouped, by="channel", population={"a": 500})
    with pytest.raises(ParameterError, match=r"population per group needs exactly one grouping column"):
        ct.csat(grouped, by=["channel", "region"], population={"a": 500, "b": 500})
    with pytest.raises(ParameterError, match=r"smaller than the number of answers"):
        ct.csat(grouped, by="channel", population={"a": 500, "b": 100})


# --------------------------------------------------------------------------------------
# Properties (hypothesis)
# --------------------------------------------------------------------------------------

_CHANNELS = st.sampled_from(["a", "b", "c", None])


@st.composite
def _responses(draw, scale_name: str, min_size: int = 1, weighted: bool | None = None):
    scale = get_scale(scale_name)
    size = draw(st.integers(min_value=min_size, max_value=60))
    channel = draw(st.lists(_CHANNELS, min_size=size, max_size=size))
    score = draw(st.lists(st.sampled_from(scale.points), min_size=size, max_size=size))
    df = pd.DataFrame({"channel": pd.Series(channel, dtype=object), "score": score})
    if weighted if weighted is not None else draw(st.booleans()):
        df["weight"] = draw(st.lists(st.floats(0.2, 5.0), min_size=size, max_size=size))
    return df


def _groups(df: pd.DataFrame):
    """(key, rows) per channel, the missing channel included."""
    for key in [k for k in ["a", "b", "c"] if (df["channel"] == k).any()]:
        yield key, df[df["channel"] == key]
    if df["channel"].isna().any():
        yield None, df[df["channel"].isna()]


@PROPERTY
@given(_responses("nps"))
def test_nps_range_and_shares_add_to_100(df):
    weight = "weight" if "weight" in df else None
    table = ct.nps(df, by="channel", weight=weight)
    assert ((table["estimate"] >= -100 - 1e-9) & (table["estimate"] <= 100 + 1e-9)).all()
    shares = table[["pct_promoters", "pct_passives", "pct_detractors"]]
    assert ((shares >= -1e-9) & (shares <= 100 + 1e-9)).all().all()
    assert shares.sum(axis=1).to_numpy() == pytest.approx(100.0)
    assert (table["estimate"] - (table["pct_promoters"] - table["pct_detractors"])).abs().max() < 1e-9
    assert ((table["ci_low"] >= -100) & (table["ci_high"] <= 100)).all()


@PROPERTY
@given(_responses("csat_5"))
def test_csat_interval_contains_estimate(df):
    weight = "weight" if "weight" in df else None
    table = ct.csat(df, by="channel", weight=weight)
    # Up to rounding: Wilson at 0% or 100% gives bounds like 2.8e-15 or 99.99999999999999.
    assert (table["ci_low"] <= table["estimate"] + 1e-9).all()
    assert (table["estimate"] <= table["ci_high"] + 1e-9).all()
    assert ((table["ci_low"] >= 0) & (table["ci_high"] <= 100)).all()


@PROPERTY
@given(_responses("nps", min_size=2, weighted=False))
def test_nps_interval_contains_estimate_from_two_answers(df):
    row = ct.nps(df).iloc[0]
    assert row["ci_low"] - 1e-9 <= row["estimate"] <= row["ci_high"] + 1e-9


@PROPERTY
@given(st.sampled_from(["csat", "nps", "ces", "pmf"]).flatmap(
    lambda m: st.tuples(st.just(m), _responses(get_scale(survey=metrics.METRICS[m].survey).name))),
    st.randoms(use_true_random=False))
def test_row_order_does_not_matter(metric_and_df, random):
    metric, df = metric_and_df
    weight = "weight" if "weight" in df else None
    order = list(range(len(df)))
    random.shuffle(order)
    shuffled = df.iloc[order]
    before = metric_table(df, metric, by="channel", weight=weight, min_n=3)
    after = metric_table(shuffled, metric, by="channel", weight=weight, min_n=3)
    if weight is None:
        pd.testing.assert_frame_equal(after, before, check_exact=True)
    else:  # weighted sums may differ in the last bit with the order of addition
        pd.testing.assert_frame_equal(after, before, check_exact=False, rtol=1e-9)


@PROPERTY
@given(_responses("csat_5"), _responses("nps"), _responses("ces_7"))
def test_counts_first_equals_row_by_row(csat_df, nps_df, ces_df):
    for df, metric in ((csat_df, "csat"), (nps_df, "nps"), (ces_df, "ces")):
        weight = "weight" if "weight" in df else None
        table = metric_table(df, metric, by="channel", weight=weight)
        assert len(table) == len(list(_groups(df)))
        for key, rows in _groups(df):
            row = _row(table, channel=key)
            s = rows["score"].to_numpy(dtype=float)
            w = rows["weight"].to_numpy() if weight else np.ones(len(s))
            assert row["n"] == len(s)
            if metric == "csat":
                assert row["estimate"] == pytest.approx(100 * np.sum(w * (s >= 4)) / np.sum(w))
                assert row["mean"] == pytest.approx(np.average(s, weights=w))
            elif metric == "nps":
                expected = 100 * (np.sum(w * (s >= 9)) - np.sum(w * (s <= 6))) / np.sum(w)
                assert row["estimate"] == pytest.approx(expected, abs=1e-9)
            else:
                assert row["estimate"] == pytest.approx(np.average(s, weights=w))
                assert row["pct_easy"] == pytest.approx(100 * np.sum(w * (s >= 5)) / np.sum(w))
                if weight is None and len(s) > 1:
                    assert row["sd"] == pytest.approx(np.std(s, ddof=1), abs=1e-9)
            if weight:
                assert row["n_eff"] == pytest.approx(np.sum(w) ** 2 / np.sum(w**2))


@PROPERTY
@given(_responses("pmf", min_size=2), st.randoms(use_true_random=False))
def test_moments_of_two_parts_add_up_to_the_whole(df, random):
    scale = get_scale("pmf")
    weight = "weight" if "weight" in df else None
    mask = np.array([random.random() < 0.5 for _ in range(len(df))])
    mask[0], mask[-1] = True, False  # both parts non-empty
    parts = [moments(tally(part, weight=weight), scale, []) for part in (df[mask], df[~mask])]
    whole = moments(tally(df, weight=weight), scale, [])
    total = parts[0] + parts[1]
    pd.testing.assert_frame_equal(total, whole, check_exact=False, rtol=1e-9)
    # And the same per group: summing the groups' moments gives the total.
    by_group = moments(tally(df, by="channel", weight=weight), scale, ["channel"])
    summed = by_group[metrics.SUMS].sum().to_frame().T
    pd.testing.assert_frame_equal(summed, whole[metrics.SUMS], check_exact=False, rtol=1e-9,
                                  check_dtype=False)
    assert whole["n"].iloc[0] + whole["n_excluded"].iloc[0] == len(df)


# --------------------------------------------------------------------------------------
# score_distribution
# --------------------------------------------------------------------------------------


def test_score_distribution_every_point_pct_and_classes():
    df = pd.DataFrame({"channel": ["a", "a", "a", "b", None], "score": [5, 5, 1, 4, 3]})
    dist = score_distribution(df, "csat", by="channel")
    assert len(dist) == 3 * 5  # three groups (the missing channel kept) x five points
    for key, rows in dist.groupby("channel", dropna=False):
        assert rows["score"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
        assert rows["pct"].sum() == pytest.approx(100.0)
    a = dist[dist["channel"] == "a"]
    assert a["n"].tolist() == [1, 0, 0, 0, 2]  # zero counts where nobody answered
    assert a["pct"].tolist() == pytest.approx([100 / 3, 0, 0, 0, 200 / 3])
    low, high = _wilson(2, 3)
    assert (a["ci_low"].iloc[4], a["ci_high"].iloc[4]) == pytest.approx((100 * low, 100 * high))
    assert a["class"].astype(str).tolist() == ["not satisfied"] * 3 + ["satisfied"] * 2
    missing = dist[dist["channel"].isna()]
    assert missing["n"].tolist() == [0, 0, 1, 0, 0]


def test_score_distribution_nps_and_pmf_classes():
    dist = score_distribution(pd.DataFrame({"score": [10, 7, 0]}), "nps")
    assert dist["score"].tolist() == [float(v) for v in range(11)]
    assert dist["n"].sum() == 3 and dist["pct"].sum() == pytest.approx(100.0)
    assert dist["class"].astype(str).tolist() == ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2
    pmf = score_distribution(pd.DataFrame({"score": [3, 0, 2]}), "pmf")
    # The "no longer use" answer has no class (it is outside the PMF denominator).
    assert pd.isna(pmf["class"].iloc[0])
    assert pmf["class"].iloc[1:].astype(str).tolist() == [
        "not very disappointed", "not very disappointed", "very disappointed"]


def test_score_distribution_off_scale_scores():
    with pytest.raises(ScaleError, match=r"not on the csat_5 scale"):
        score_distribution(pd.DataFrame({"score": [6]}), "csat")


def test_score_distribution_rejects_a_scale_of_another_survey():
    with pytest.raises(ScaleError, match=r"CSAT scale"):
        score_distribution(pd.DataFrame({"score": [5, 4, 1]}), "csat", scale="nps")


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


def test_unknown_metric():
    with pytest.raises(ParameterError, match=r"Unknown metric 'csatt'; use one of csat, csat_mean, "
                       r"nps, ces, ces_easy, pmf"):
        metric_table(_worked_example(), "csatt")


def test_scale_of_the_wrong_survey():
    with pytest.raises(ScaleError, match=r"Metric 'nps' needs a NPS scale; got 'csat_5'"):
        metric_table(_worked_example(), "nps", scale="csat_5")
    with pytest.raises(ScaleError, match=r"Metric 'csat' needs a CSAT scale; got 'ces_7'"):
        ct.csat(_worked_example(), scale="ces_7")
    with pytest.raises(ScaleError, match=r"Unknown scale 'csat_99'.*Known scales"):
        ct.csat(_worked_example(), scale="csat_99")


def test_scores_off_the_scale_are_named_with_what_to_do():
    df = pd.DataFrame({"score": [5, 6, 0, 6, "x"]})
    with pytest.raises(ScaleError, match=r"4 score\(s\) are not on the csat_5 scale \(1-5\): "
                       r"6, 0, 'x'\. Load the data with csat_toolkit\.load_responses.*"
                       r"or choose the right scale"):
        ct.csat(df)
    with pytest.raises(ScaleError, match=r"not on the csat_5 scale.*nan"):
        ct.csat(pd.DataFrame({"score": [5, np.nan]}))


def test_no_rows_of_the_survey():
    df = pd.DataFrame({"survey": "nps", "score": [10, 9]})
    with pytest.raises(DataError, match=r"No CSAT answers to compute 'csat' from.*survey=None"):
        ct.csat(df)
    with pytest.raises(DataError, match=r"No CES answers to compute 'ces_easy'"):
        metric_table(df, "ces_easy")
    with pytest.raises(DataError, match=r"No CSAT answers"):
        ct.csat(pd.DataFrame({"score": []}))


def test_missing_score_column():
    with pytest.raises(MissingColumnError, match=r"No 'score' column.*columns=\{'Rating': 'score'\}"):
        ct.csat(pd.DataFrame({"Rating": [5, 4]}))


def test_missing_by_column_is_named():
    with pytest.raises(MissingColumnError, match=r"'chanel' not found"):
        ct.csat(_grouped_frame(), by="chanel")
    with pytest.raises(MissingColumnError, match=r"'weight' not found"):
        ct.csat(_grouped_frame(), weight="weight")
    with pytest.raises(MissingColumnError, match=r"'responded_at' not found"):
        ct.csat(_grouped_frame().drop(columns="responded_at"), period="M")


def test_missing_by_column_error_lists_the_frames_columns():
    with pytest.raises(MissingColumnError, match=r"Available columns: 'channel', 'region', 'score'"):
        ct.csat(_grouped_frame(), by="chanel")


@pytest.mark.parametrize("conf", [0, 1.5, 1, -0.1])
@pytest.mark.parametrize("metric", ["csat", "nps", "ces"])
def test_bad_conf(conf, metric):
    df = pd.DataFrame({"score": [5, 4, 3, 1]})
    with pytest.raises(ParameterError, match=rf"conf must be between 0 and 1 \(for example 0.95\); "
                       rf"got {conf}"):
        metric_table(df, metric, conf=conf)


def test_unknown_interval_method():
    with pytest.raises(ParameterError, match=r"Unknown interval method 'exact'; use one of: "
                       r"'wilson', 'wald', 'agresti_coull', 'clopper_pearson', 'jeffreys' "
                       r"\(default 'wilson'\)\.$"):
        ct.csat(_worked_example(), method="exact")
    with pytest.raises(ParameterError, match=r"Unknown NPS interval method 'wilson'"):
        ct.nps(pd.DataFrame({"score": [10, 0]}), method="wilson")
    with pytest.raises(ParameterError, match=r"Means use the t interval; got method='wilson'"):
        ct.ces(pd.DataFrame({"score": [7, 1]}), method="wilson")


def test_errors_are_toolkit_errors():
    with pytest.raises(ct.CsatToolkitError):
        metric_table(_worked_example(), "csatt")
    with pytest.raises(ValueError):  # also a ValueError for generic callers
        ct.csat(pd.DataFrame({"score": [9]}))


# --------------------------------------------------------------------------------------
# The input is not changed
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("call", [
    lambda df: ct.csat(df, by="channel", period="W", weight="weight"),
    lambda df: ct.nps(df, by=["channel", "region"], weight="weight", survey=None),
    lambda df: ct.ces(df, survey=None),
    lambda df: ct.pmf(df.assign(score=[3, 3, 2, 1, 0, 0, 3, 2]), by="channel", survey=None),
    lambda df: score_distribution(df, "csat", by="channel"),
])
def test_input_frame_is_not_mutated(call):
    df = _grouped_frame().assign(survey="csat", weight=[1.0, 2.0, 1.5, 1.0, 0.5, 1.0, 3.0, 1.0],
                                 comment="text")
    df.index = [5, 3, 3, 0, 9, 1, 2, 8]
    before = df.copy(deep=True)
    call(df)
    pd.testing.assert_frame_equal(df, before)


def test_one_population_for_a_split_table_is_an_error():
    # The base of a group is smaller than the whole base: a single number cannot give
    # each group's finite population correction or response rate.
    df = pd.DataFrame({"channel": ["a"] * 40 + ["b"] * 40, "score": [5, 2] * 40})
    with pytest.raises(ParameterError, match=r"size of the whole base, but the table is split by channel"):
        ct.csat(df, by="channel", population=300)
    assert ct.csat(df, population=300)["response_rate"].iloc[0] == pytest.approx(80 / 3)
