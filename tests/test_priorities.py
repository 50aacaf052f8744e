"""Tests of csat_toolkit.priorities: performance, the importance-performance matrix, sentences.

No peer package publishes importance-performance quadrants with intervals, so every
expected value here is computed by hand (formulas written out in the comments).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from csat_toolkit.errors import DataError, MissingColumnError, ParameterError
from csat_toolkit.priorities import (
    NOISE_NOTE,
    driver_performance,
    importance_performance,
    priority_sentences,
)

from .conftest import SAMPLE


def wilson(x, n, conf=0.95):
    z = st.norm.ppf(0.5 + conf / 2)
    p = x / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return 100 * (centre - half), 100 * (centre + half)


def tables(importance, performance, significant=None, **extra):
    drivers = [f"d{i}" for i in range(len(importance))]
    imp = pd.DataFrame({"driver": drivers, "lmg_share": importance,
                        "significant": significant if significant is not None
                        else [True] * len(drivers), **extra})
    perf = pd.DataFrame({"driver": drivers, "estimate": performance})
    return imp, perf


# --- driver_performance --------------------------------------------------------------------


def test_rating_by_hand():
    # ratings 2, 3, 4, 4, 5, 3 on 1-5: mean 3.5 -> (3.5 - 1) / 4 = 62.5%;
    # sd = sqrt(5.5 / 5) = 1.0488, t(0.975, 5) = 2.570582, half = 2.570582 * 1.0488 / sqrt(6)
    df = pd.DataFrame({"r": [2, 3, 4, 4, 5, 3]})
    row = driver_performance(df, {"r": {"kind": "rating", "scale_max": 5}}).iloc[0]
    half = 2.570582 * np.sqrt(5.5 / 5) / np.sqrt(6)
    assert row["estimate"] == pytest.approx(62.5)
    assert row["ci_low"] == pytest.approx(100 * (3.5 - half - 1) / 4, abs=1e-4)
    assert row["ci_high"] == pytest.approx(100 * (3.5 + half - 1) / 4, abs=1e-4)
    assert row["n"] == 6 and row["n_set_aside"] == 0 and row["note"] == ""
    assert row["kind"] == "rating" and "t interval" in row["method"]


def test_rating_scale_min_and_clipping():
    # 0-10 scale: mean 9 -> 90%; the t interval of two answers runs past 10: clipped to 100.
    df = pd.DataFrame({"nps_like": [8, 10]})
    row = driver_performance(df, {"nps_like": {"kind": "rating", "scale_min": 0,
                                               "scale_max": 10}}).iloc[0]
    assert row["estimate"] == pytest.approx(90.0)
    assert row["ci_high"] == 100.0
    assert row["ci_low"] == 0.0  # 9 - t(0.975, 1) * sqrt(2) / sqrt(2) = 9 - 12.71 < 0


def test_rating_values_set_aside_and_counted():
    df = pd.DataFrame({"r": [5, 4, None, 6, "x", 3]})
    row = driver_performance(df, {"r": {"kind": "rating", "scale_max": 5}}).iloc[0]
    assert row["n"] == 3 and row["n_set_aside"] == 3
    assert row["estimate"] == pytest.approx(75.0)  # mean 4 on 1-5
    assert row["note"] == "3 set aside: 1 missing, 2 outside 1-5 or not a number"


def test_share_by_hand():
    df = pd.DataFrame({"fcr": [1, 0, 1, 1, None], "channel": ["chat", "email", "phone",
                                                                "chat", "sms"]})
    out = driver_performance(df, {
        "fcr": {"kind": "share", "good": 1},
        "live": {"kind": "share", "good": ["chat", "phone"], "column": "channel",
                 "what": "tickets"},
    }, conf=0.9).set_index("driver")
    low, high = wilson(3, 4, conf=0.9)
    assert out.loc["fcr", "estimate"] == pytest.approx(75.0)
    assert out.loc["fcr", "ci_low"] == pytest.approx(low)
    assert out.loc["fcr", "ci_high"] == pytest.approx(high)
    assert out.loc["fcr", "n"] == 4 and out.loc["fcr", "n_set_aside"] == 1
    assert out.loc["live", "estimate"] == pytest.approx(60.0)
    assert out.loc["live", "definition"] == "share of tickets with channel = chat or phone"
    assert out.loc["live", "conf"] == 0.9 and out.loc["live", "method"] == "Wilson score"


def test_within_by_hand():
    df = pd.DataFrame({"hours": [0.5, 1.0, 1.5, 30.0, None, -2.0, 0.1]})
    row = driver_performance(df, {"hours": {"kind": "within", "limit": 1.0,
                                            "unit": "h"}}).iloc[0]
    low, high = wilson(3, 5)  # 0.5, 1.0 (at the limit counts) and 0.1 of 5 valid
    assert row["estimate"] == pytest.approx(60.0)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert row["n_set_aside"] == 2
    assert row["note"] == "2 set aside: 1 missing, 1 negative or not a number"
    assert row["phrase"] == "of rows have {label} at or under 1 h"


def test_within_timedelta_column():
    df = pd.DataFrame({"wait": pd.to_timedelta(["30min", "59min", "2h", "1h"])})
    row = driver_performance(df, {"wait": {"kind": "within", "limit": "1h"}}).iloc[0]
    assert row["estimate"] == pytest.approx(75.0)
    with pytest.raises(ParameterError, match=r"limit as a duration, for example 'limit': '1h'"):
        driver_performance(df, {"wait": {"kind": "within", "limit": 1.0}})


def test_sample_first_response_within_an_hour():
    # Sample README, effect 3: CSAT answers by first-response bucket n = 7,002 (< 1 h),
    # 2,382, 3,502, 1,489: the share within 1 h is 7002 / 14375 = 48.71%.
    responses = pd.read_csv(SAMPLE / "responses.csv", usecols=["survey", "ticket_id"])
    tickets = pd.read_csv(SAMPLE / "tickets.csv", usecols=["ticket_id", "created_at",
                                                           "first_response_at"],
                          parse_dates=["created_at", "first_response_at"])
    csat = responses[responses["survey"] == "csat"].merge(tickets, on="ticket_id")
    csat["frt_hours"] = (csat["first_response_at"] - csat["created_at"]).dt.total_seconds() / 3600
    row = driver_performance(csat, {"frt": {"kind": "within", "limit": 1.0,
                                            "column": "frt_hours"}}).iloc[0]
    assert row["n"] == 14375
    assert row["estimate"] == pytest.approx(100 * 7002 / 14375)


def test_performance_errors():
    df = pd.DataFrame({"r": [1, 2], "s": [None, None]})
    with pytest.raises(ParameterError, match=r"Driver 'r': unknown kind 'mean'"):
        driver_performance(df, {"r": {"kind": "mean"}})
    with pytest.raises(ParameterError, match=r"Driver 'r' \(rating\) needs 'scale_max'"):
        driver_performance(df, {"r": {"kind": "rating"}})
    with pytest.raises(MissingColumnError, match=r"Driver 'speed': column 'speed' not found.*'column'"):
        driver_performance(df, {"speed": {"kind": "within", "limit": 1}})
    with pytest.raises(DataError, match=r"Driver 's': no usable values in column 's' \(2 set aside: 2 missing\)"):
        driver_performance(df, {"s": {"kind": "share", "good": 1}})
    with pytest.raises(ParameterError, match="drivers must be a dict"):
        driver_performance(df, {})
    with pytest.raises(ParameterError, match=r"scale_max \(1\) must be above scale_min \(1\)"):
        driver_performance(df, {"r": {"kind": "rating", "scale_max": 1}})
    with pytest.raises(ParameterError, match=r"'limit' must be a number"):
        driver_performance(df, {"r": {"kind": "within", "limit": "1h"}})
    with pytest.raises(ParameterError, match="conf must be between 0 and 1"):
        driver_performance(df, {"r": {"kind": "share", "good": 1}}, conf=1.5)


# --- importance_performance ------------------------------------------------------------------


def test_each_quadrant():
    # mean importance 25, mean performance 60
    imp, perf = tables([50.0, 10.0, 30.0, 10.0], [40.0, 90.0, 80.0, 30.0])
    m = importance_performance(imp, perf).set_index("driver")
    assert m.loc["d0", "quadrant"] == "fix first"
    assert m.loc["d2", "quadrant"] == "keep up"
    assert m.loc["d3", "quadrant"] == "low priority"
    assert m.loc["d1", "quadrant"] == "possible overkill"
    assert m["priority"].to_dict() == {"d0": 1, "d2": 2, "d3": 3, "d1": 4}
    assert (m["importance_split"] == 25.0).all() and (m["performance_split"] == 60.0).all()
    assert (m["split"] == "mean").all() and (m["note"] == "").all()


def test_columns_and_input_untouched():
    imp, perf = tables([50.0, 10.0, 30.0, 10.0], [40.0, 90.0, 80.0, 30.0])
    before = imp.copy(), perf.copy()
    m = importance_performance(imp, perf)
    assert list(m.columns)[:11] == [
        "driver", "importance", "importance_ci_low", "importance_ci_high", "performance",
        "performance_ci_low", "performance_ci_high", "significant", "quadrant", "priority",
        "note"]
    pd.testing.assert_frame_equal(imp, before[0])
    pd.testing.assert_frame_equal(perf, before[1])


def test_priority_order_within_quadrants():
    # mean importance 23, mean performance 35. Fix first d0 (40) and d1 (35): by
    # importance; keep up d2; low priority d3, d4 (tie 5 / 5: lower performance first).
    imp, perf = tables([40.0, 35.0, 30.0, 5.0, 5.0], [10.0, 20.0, 90.0, 30.0, 25.0])
    m = importance_performance(imp, perf)
    assert m["driver"].tolist() == ["d0", "d1", "d2", "d4", "d3"]
    assert m["quadrant"].tolist() == ["fix first", "fix first", "keep up", "low priority",
                                      "low priority"]


def test_median_and_given_split():
    # importance 60, 20, 10, 10: mean 25 puts d1 low; median 15 puts it high.
    imp, perf = tables([60.0, 20.0, 10.0, 10.0], [50.0, 40.0, 90.0, 95.0])
    by_mean = importance_performance(imp, perf).set_index("driver")
    by_median = importance_performance(imp, perf, split="median").set_index("driver")
    assert by_mean.loc["d1", "quadrant"] == "low priority"
    assert by_median.loc["d1", "quadrant"] == "fix first"
    assert by_median["importance_split"].iloc[0] == 15.0
    assert by_median["performance_split"].iloc[0] == 70.0
    given = importance_performance(imp, perf, split=(5, 92)).set_index("driver")
    assert given["quadrant"].to_dict() == {"d0": "fix first", "d1": "fix first",
                                           "d2": "fix first", "d3": "keep up"}
    assert (given["split"] == "given").all()


def test_all_equal_importance():
    # Every driver sits on the importance line: all count as important, so performance
    # alone decides between "fix first" and "keep up".
    imp, perf = tables([100 / 3] * 3, [40.0, 60.0, 80.0])
    m = importance_performance(imp, perf).set_index("driver")
    assert m["quadrant"].to_dict() == {"d0": "fix first", "d1": "keep up", "d2": "keep up"}
    same, _ = tables([25.0] * 4, [70.0] * 4)
    both = importance_performance(same, pd.DataFrame({"driver": same["driver"],
                                                      "estimate": [70.0] * 4}))
    assert (both["quadrant"] == "keep up").all()
    assert both["priority"].tolist() == [1, 2, 3, 4]
    assert both["driver"].tolist() == ["d0", "d1", "d2", "d3"]


def test_non_significant_driver_is_never_fix_first():
    # d0 is the most important and the worst performer, but not distinguishable from noise.
    imp, perf = tables([60.0, 25.0, 10.0, 5.0], [20.0, 50.0, 90.0, 95.0],
                       significant=[False, True, True, False])
    m = importance_performance(imp, perf).set_index("driver")
    assert m.loc["d0", "quadrant"] == "low priority"
    assert m.loc["d0", "note"] == NOISE_NOTE == "(importance not distinguishable from noise)"
    assert m.loc["d3", "quadrant"] == "possible overkill"
    assert m.loc["d3", "note"] == NOISE_NOTE
    assert m.loc["d1", "quadrant"] == "fix first"  # 25 is the mean: on the line counts high
    assert m["priority"].to_dict() == {"d1": 1, "d2": 2, "d0": 3, "d3": 4}


def test_significance_not_checked():
    imp, perf = tables([60.0, 40.0], [20.0, 90.0])
    imp["significant"] = pd.array([pd.NA, True], dtype="boolean")
    m = importance_performance(imp, perf).set_index("driver")
    assert m.loc["d0", "quadrant"] == "fix first"
    assert "not checked against a random-noise predictor" in m.loc["d0", "note"]
    imp["significant"] = ["maybe", True]
    with pytest.raises(ParameterError, match="'significant' must hold True/False"):
        importance_performance(imp, perf)


def test_interval_notes():
    # mean importance 30: d1's interval 20-45 spans it; mean performance 60: d0's 50-70.
    imp, perf = tables([50.0, 25.0, 15.0], [60.0 + 1, 30.0, 89.0],
                       lmg_share_ci_low=[45.0, 20.0, 10.0], lmg_share_ci_high=[55.0, 45.0, 20.0])
    perf["ci_low"] = [50.0, 28.0, 85.0]
    perf["ci_high"] = [70.0, 32.0, 93.0]
    m = importance_performance(imp, perf).set_index("driver")
    assert m.loc["d1", "note"] == "(importance interval spans the split line)"
    assert m.loc["d0", "note"] == "(performance interval spans the split line)"
    assert m.loc["d2", "note"] == ""
    assert m.loc["d1", "importance_ci_low"] == 20.0 and m.loc["d0", "performance_ci_high"] == 70.0


def test_lmg_interval_converted_to_share():
    # R² = 0.4: lmg 0.2 is 50% of it; its interval 0.1-0.3 on the R² scale is 25-75%.
    imp = pd.DataFrame({"driver": ["a", "b"], "lmg": [0.2, 0.2], "lmg_ci_low": [0.1, 0.15],
                        "lmg_ci_high": [0.3, 0.25], "lmg_share": [50.0, 50.0],
                        "significant": [True, True], "conf": [0.9, 0.9]})
    perf = pd.DataFrame({"driver": ["a", "b"], "estimate": [40.0, 60.0]})
    m = importance_performance(imp, perf).set_index("driver")
    assert m.loc["a", "importance_ci_low"] == pytest.approx(25.0)
    assert m.loc["a", "importance_ci_high"] == pytest.approx(75.0)
    assert m.loc["b", "importance_ci_low"] == pytest.approx(37.5)
    assert m.loc["a", "importance_conf"] == 0.9
    # an interval already on the share scale wins
    own = imp.assign(lmg_share_ci_low=[40.0, 45.0], lmg_share_ci_high=[60.0, 55.0])
    assert importance_performance(own, perf).set_index("driver").loc["a", "importance_ci_low"] == 40.0
    # relative weights
    rw = pd.DataFrame({"driver": ["a", "b"], "relative_weight": [0.1, 0.3],
                       "rw_ci_low": [0.05, 0.2], "rw_ci_high": [0.15, 0.4], "rw_share": [25.0, 75.0],
                       "significant": [True, True]})
    m = importance_performance(rw, perf, importance_col="rw_share").set_index("driver")
    assert m.loc["b", "importance_ci_high"] == pytest.approx(100.0)
    assert np.isnan(m.loc["b", "importance_conf"])


def test_performance_column_choice_and_extra_rows():
    imp, _ = tables([70.0, 30.0], [0, 0])
    perf = pd.DataFrame({"driver": ["d0", "d1", "unused"], "pct": [40.0, 80.0, 10.0],
                         "pct_ci_low": [35.0, 75.0, 5.0], "pct_ci_high": [45.0, 85.0, 15.0]})
    m = importance_performance(imp, perf, performance_col="pct")
    assert m["driver"].tolist() == ["d0", "d1"]
    assert m["performance_ci_low"].tolist() == [35.0, 75.0]


def test_missing_performance_for_a_driver():
    imp, perf = tables([50.0, 30.0, 20.0], [40.0, 90.0, 80.0])
    with pytest.raises(ParameterError, match=r"No performance for driver\(s\) 'd2'.*driver_performance"):
        importance_performance(imp, perf.iloc[:2])
    perf.loc[1, "estimate"] = np.nan
    with pytest.raises(ParameterError, match=r"No performance for driver\(s\) 'd1'"):
        importance_performance(imp, perf)


def test_matrix_errors():
    imp, perf = tables([50.0, 50.0], [40.0, 90.0])
    with pytest.raises(MissingColumnError, match=r"no 'significant' column.*significant=True"):
        importance_performance(imp.drop(columns="significant"), perf)
    with pytest.raises(MissingColumnError, match=r"needs 'rw_share'.*importance_col="):
        importance_performance(imp, perf, importance_col="rw_share")
    with pytest.raises(MissingColumnError, match=r"performance table needs 'estimate'"):
        importance_performance(imp, perf.rename(columns={"estimate": "x"}))
    with pytest.raises(ParameterError, match=r"lists driver\(s\) 'd0' more than once"):
        importance_performance(pd.concat([imp, imp.iloc[:1]]), perf)
    with pytest.raises(ParameterError, match=r"missing or not a number for driver\(s\) 'd1'"):
        importance_performance(imp.assign(lmg_share=[50.0, None]), perf)
    with pytest.raises(ParameterError, match="split must be 'mean', 'median' or two numbers"):
        importance_performance(imp, perf, split="mode")
    with pytest.raises(ParameterError, match="split must be"):
        importance_performance(imp, perf, split=(1, 2, 3))
    with pytest.raises(ParameterError, match="has no drivers"):
        importance_performance(imp.iloc[:0], perf)
    with pytest.raises(ParameterError, match="must be a pandas DataFrame"):
        importance_performance({"driver": ["d0"]}, perf)


# --- sentences ------------------------------------------------------------------------


@pytest.fixture
def matrix():
    imp = pd.DataFrame({
        "driver": ["frt", "fcr", "tone", "price", "rnd"],
        "lmg_share": [38.0, 30.0, 20.0, 8.0, 4.0],
        "lmg_share_ci_low": [31.0, 24.0, 15.0, 5.0, 0.5],
        "lmg_share_ci_high": [45.0, 36.0, 26.0, 12.0, 7.0],
        "significant": [True, True, True, True, False],
        "conf": 0.95,
    })
    perf = pd.DataFrame({
        "driver": ["frt", "fcr", "tone", "price", "rnd"],
        "estimate": [49.2, 81.0, 62.0, 88.0, 50.0],
        "ci_low": [48.1, 79.5, 60.0, 86.0, 45.0],
        "ci_high": [50.3, 82.4, 64.0, 90.0, 55.0],
        "conf": 0.95,
        "phrase": ["of tickets get a first response within 1 hour",
                   "of tickets are resolved at first contact",
                   "of the best possible rating ({label} averages 3.5 on 1-5)",
                   "of customers find the price fair", "of rows have {label} at or under 0"],
    })
    return importance_performance(imp, perf)


def test_sentences(matrix):
    # mean importance 20, mean performance 66.04: frt fix first; fcr and tone (20, on the
    # line) keep up / fix first; price possible overkill; rnd is noise.
    q = matrix.set_index("driver")["quadrant"].to_dict()
    assert q == {"frt": "fix first", "tone": "fix first", "fcr": "keep up",
                 "rnd": "low priority", "price": "possible overkill"}
    sentences = priority_sentences(matrix, labels={"frt": "first response time",
                                                   "tone": "the agent's tone"})
    assert sentences[0] == (
        "Fix first: first response time explains 38% of the explained variation (95% CI "
        "31-45%) and only 49% of tickets get a first response within 1 hour (95% CI 48-50%).")
    assert sentences[1] == (
        "Fix first: the agent's tone explains 20% of the explained variation (95% CI 15-26%) "
        "and only 62% of the best possible rating (the agent's tone averages 3.5 on 1-5) "
        "(95% CI 60-64%).")
    assert sentences[2].startswith("Keep up: fcr explains 30% of the explained variation "
                                   "(95% CI 24-36%) and 81% of tickets are resolved")
    assert sentences[3] == ("Not distinguishable from random noise as a driver: rnd; not a "
                            "priority, whatever its performance.")
    assert sentences[4].startswith("Possible overkill")
    assert "price (performance 88%, 8.0% of the explained variation)" in sentences[4]
    assert len(sentences) == 5


def test_sentences_top_and_low_priority():
    # mean importance 16.67, mean performance 36.67: fix first d0, d1, d2; low priority
    # d3, d5; possible overkill d4.
    imp, perf = tables([30.0, 29.0, 28.0, 5.0, 4.0, 4.0], [10.0, 20.0, 30.0, 35.0, 95.0, 30.0])
    sentences = priority_sentences(importance_performance(imp, perf), top=2)
    assert sentences[0].startswith("Fix first: d0 explains 30%")
    assert "its performance is only 10 out of 100" in sentences[0]
    assert "(95% CI" not in sentences[0]  # no intervals given
    assert sentences[2] == "Also fix first: d2."
    assert sentences[3] == (
        "Low priority (less important than average, performance below average): d3 (5.0% of "
        "the explained variation, performance 35%), d5 (4.0% of the explained variation, "
        "performance 30%).")
    assert sentences[4].startswith("Possible overkill") and "d4 (performance 95%" in sentences[4]


def test_sentences_nothing_to_fix():
    imp, perf = tables([60.0, 40.0], [90.0, 10.0])
    sentences = priority_sentences(importance_performance(imp, perf))
    assert sentences[0].startswith("Nothing to fix first")
    assert sentences[1].startswith("Keep up: d0 explains 60%")


def test_sentences_interval_without_level():
    imp, perf = tables([60.0, 40.0], [10.0, 90.0], lmg_share_ci_low=[50.0, 30.0],
                       lmg_share_ci_high=[70.0, 50.0])
    sentence = priority_sentences(importance_performance(imp, perf))[0]
    assert "explains 60% of the explained variation (CI 50-70%)" in sentence


def test_sentence_errors(matrix):
    with pytest.raises(ParameterError, match="importance_performance"):
        priority_sentences(pd.DataFrame())
    with pytest.raises(ParameterError, match="top must be a whole number"):
        priority_sentences(matrix, top=0)
    with pytest.raises(MissingColumnError, match="needs 'quadrant'"):
        priority_sentences(matrix.drop(columns="quadrant"))
