"""Tests of :mod:`csat_toolkit.waves`: wave over wave, transitions, net movement, mix shift.

References computed by hand on small frames: the transition counts and row shares,
the accounting of unmatched answers, the paired mean difference with its t interval
(``mean +- t(n-1) sd / sqrt(n)``, checked against ``scipy.stats.ttest_rel``), and a
two-segment mix-shift example worked out in the docstring of
:func:`test_mix_shift_two_segments_by_hand`. The mix-shift decomposition must add up
exactly (hypothesis). On the sample data the 2024-03 incident shows as a significant
drop of the 2024Q1 NPS wave (README: 2023-12 +12.3, 2024-03 -9.1).
"""
from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

import csat_toolkit as ct
from csat_toolkit import waves
from csat_toolkit.errors import DataError, MissingColumnError, ParameterError

PROPERTY = settings(max_examples=40)  # the rest from the profile in conftest.py


# --- wave comparison ------------------------------------------------------------------


@pytest.fixture(scope="module")
def nps_waves(sample_responses):
    return waves.wave_comparison(sample_responses.data)


def test_sample_waves_are_the_quarters(nps_waves):
    table = nps_waves.table
    assert table["wave"].astype(str).tolist() == [
        "2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    by_wave = table.set_index(table["wave"].astype(str))
    assert by_wave.loc["2024Q1", "estimate"] == pytest.approx(-9.1, abs=0.05)
    assert by_wave.loc["2023Q4", "estimate"] == pytest.approx(12.3, abs=0.05)


def test_sample_incident_wave_is_a_significant_drop(nps_waves):
    by_wave = nps_waves.table.set_index(nps_waves.table["wave"].astype(str))
    incident = by_wave.loc["2024Q1"]
    assert str(incident["reference"]) == "2023Q4"
    assert incident["difference"] == pytest.approx(-9.141791 - 12.320329, abs=1e-4)
    assert incident["significant"] and incident["difference_ci_high"] < 0
    assert by_wave.loc["2024Q2", "significant"]  # the recovery
    assert not by_wave.loc["2023Q2", "significant"]
    assert "2024Q1 -21.5" in nps_waves.summary()


def test_wave_pairs_match_compare_and_holm(sample_responses, nps_waves):
    table = nps_waves.table
    assert np.isnan(table["difference"].iloc[0]) and not table["significant"].iloc[0]
    data = sample_responses.data.assign(q=sample_responses.data["responded_at"].dt.to_period("Q"))
    pair = data[data["q"].isin([pd.Period("2023Q4"), pd.Period("2024Q1")])]
    expected = ct.compare(pair, metric="nps", by="q", against=pd.Period("2023Q4"),
                          correction="none").iloc[0]
    row = table.iloc[4]
    assert row["p_value"] == pytest.approx(expected["p_value"])
    assert row["difference_ci_low"] == pytest.approx(expected["ci_low"])
    holm = multipletests(table["p_value"].iloc[1:], method="holm")[1]
    np.testing.assert_allclose(table["p_adjusted"].iloc[1:], holm)
    assert (table["correction"] == "Holm").all()


def test_wave_column_and_dropped_rows():
    df = pd.DataFrame({"survey": "nps", "campaign": ["b"] * 60 + ["a"] * 60 + [None] * 5,
                       "score": [10] * 40 + [3] * 20 + [10] * 20 + [3] * 40 + [9] * 5})
    result = waves.wave_comparison(df, wave="campaign", correction="bh")
    table = result.table
    assert table["campaign"].tolist() == ["a", "b"]
    assert table["difference"].iloc[1] == pytest.approx(100 * (40 / 60 - 20 / 60) - 100 * (20 / 60 - 40 / 60))
    assert result.dropped == 5
    assert table["correction"].iloc[0] == "Benjamini-Hochberg"


def test_a_single_wave_has_nothing_to_compare():
    df = pd.DataFrame({"survey": "nps", "campaign": 1, "score": [10, 9, 3]})
    result = waves.wave_comparison(df, wave="campaign")
    assert len(result.table) == 1 and np.isnan(result.table["p_value"].iloc[0])
    assert result.summary().startswith("Only one wave")


def test_small_waves_are_never_significant():
    df = pd.DataFrame({"survey": "nps", "campaign": [1] * 20 + [2] * 20,
                       "score": [10] * 20 + [0] * 20})
    table = waves.wave_comparison(df, wave="campaign").table
    assert table["p_value"].iloc[1] < 1e-6 and not table["significant"].iloc[1]


def test_wave_comparison_errors(sample_responses):
    with pytest.raises(MissingColumnError, match="'campaign'"):
        waves.wave_comparison(sample_responses.data, wave="campaign")
    no_dates = sample_responses.data.assign(responded_at=pd.NaT)
    with pytest.raises(DataError, match="has no dates"):
        waves.wave_comparison(no_dates)
    with pytest.raises(MissingColumnError, match="responded_at"):
        waves.wave_comparison(sample_responses.data.drop(columns="responded_at"))


# --- transition matrix and net movement -----------------------------------------------


def _panel() -> pd.DataFrame:
    """Two campaigns; customer a answered campaign 1 twice (3 then 9: the 9 counts).

    Matched a, b, c, d, g: promoter -> passive, passive -> promoter, promoter ->
    detractor, detractor -> detractor, promoter -> promoter. e answered only 1, f only
    2; one answer of campaign 1 has no id.
    """
    rows = [
        ("a", 1, 3, "2024-01-05"), ("a", 1, 9, "2024-01-20"), ("b", 1, 8, "2024-01-06"),
        ("c", 1, 10, "2024-01-07"), ("d", 1, 5, "2024-01-08"), ("e", 1, 9, "2024-01-09"),
        (None, 1, 10, "2024-01-10"), ("g", 1, 9, "2024-01-11"),
        ("a", 2, 8, "2024-04-05"), ("b", 2, 10, "2024-04-06"), ("c", 2, 2, "2024-04-07"),
        ("d", 2, 6, "2024-04-08"), ("f", 2, 7, "2024-04-09"), ("g", 2, 9, "2024-04-10"),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "campaign", "score", "responded_at"])
    frame["responded_at"] = pd.to_datetime(frame["responded_at"])
    frame["survey"] = "nps"
    return frame.iloc[::-1].reset_index(drop=True)  # order must not matter


def test_transition_counts_and_row_shares():
    result = waves.transition_matrix(_panel(), wave_a=1, wave_b=2, wave="campaign")
    names = ["detractor", "passive", "promoter"]
    expected = pd.DataFrame([[1, 0, 0], [0, 0, 1], [1, 1, 1]], index=names, columns=names)
    np.testing.assert_array_equal(result.counts.to_numpy(), expected.to_numpy())
    assert list(result.counts.index) == names and list(result.counts.columns) == names
    np.testing.assert_allclose(result.shares.to_numpy(),
                               [[1, 0, 0], [0, 0, 1], [1 / 3, 1 / 3, 1 / 3]])
    assert result.n_matched == 5
    tidy = result.table.set_index(["from", "to"])
    assert tidy.loc[("promoter", "detractor"), "n"] == 1
    assert tidy.loc[("passive", "promoter"), "row_share"] == 1.0
    assert len(result.table) == 9
    assert "5 respondents" in result.summary()


def test_transition_accounting():
    accounting = waves.transition_matrix(_panel(), wave_a=1, wave_b=2, wave="campaign").accounting
    table = accounting.set_index("item")
    assert table["1"].to_dict() == {
        "answers": 8, "not usable on the scale": 0, "without id": 1,
        "earlier answers of the same respondent": 1, "respondents": 6,
        "matched (answered both waves)": 5, "only in this wave": 1}
    assert table["2"].to_dict() == {
        "answers": 6, "not usable on the scale": 0, "without id": 0,
        "earlier answers of the same respondent": 0, "respondents": 6,
        "matched (answered both waves)": 5, "only in this wave": 1}
    # every answer is accounted for
    for wave in ("1", "2"):
        col = table[wave]
        assert col["answers"] == (col["not usable on the scale"] + col["without id"]
                                  + col["earlier answers of the same respondent"] + col["respondents"])


def test_waves_from_quarters_and_other_surveys_ignored():
    panel = _panel().drop(columns="campaign")
    csat_row = pd.DataFrame({"customer_id": ["a"], "score": [1], "survey": ["csat"],
                             "responded_at": pd.to_datetime(["2024-01-30"])})
    data = pd.concat([panel, csat_row], ignore_index=True)
    result = waves.transition_matrix(data, wave_a="2024Q1", wave_b="2024Q2")
    assert result.n_matched == 5 and str(result.wave_a) == "2024Q1"


def test_net_movement_by_hand():
    result = waves.net_movement(_panel(), wave_a=1, wave_b=2, wave="campaign")
    row = result.table.iloc[0]
    differences = np.array([-100.0, 100.0, -200.0, 0.0, 0.0])  # a, b, c, d, g
    mean, sd = -40.0, np.sqrt(52000 / 4)
    half = sps.t.ppf(0.975, 4) * sd / np.sqrt(5)
    assert row["n_matched"] == 5
    assert row["score_a"] == pytest.approx(40.0) and row["score_b"] == pytest.approx(0.0)
    assert row["change"] == pytest.approx(mean)
    assert row["ci_low"] == pytest.approx(mean - half) and row["ci_high"] == pytest.approx(mean + half)
    assert row["ci_low"] == pytest.approx(-181.5715, abs=1e-3)  # -40 - 2.776445 * 114.0175 / sqrt(5)
    before = np.array([100.0, 0.0, 100.0, -100.0, 100.0])
    assert row["p_value"] == pytest.approx(sps.ttest_rel(before + differences, before).pvalue)
    assert (row["pct_improved"], row["pct_unchanged"], row["pct_worsened"]) == (20.0, 40.0, 40.0)
    assert row["small_n"]
    assert "+40.0 to +0.0" in result.summary()


def test_net_movement_on_a_two_category_scale():
    panel = _panel().assign(survey="csat", score=lambda d: d["score"].clip(1, 5))
    row = waves.net_movement(panel, wave_a=1, wave_b=2, wave="campaign", scale="csat_5").table.iloc[0]
    # satisfied (4-5) in 1: a b c d g all 5 -> 100; in 2: a 5, b 5, c 2, d 5, g 5
    assert row["score_a"] == 100.0 and row["score_b"] == 80.0 and row["change"] == -20.0
    assert "(100 satisfied, 0 not satisfied)" in row["method"]


def test_net_movement_without_spread():
    panel = _panel()
    panel["score"] = 9
    row = waves.net_movement(panel, wave_a=1, wave_b=2, wave="campaign").table.iloc[0]
    assert row["change"] == 0 and row["p_value"] == 1.0 and row["ci_low"] == row["ci_high"] == 0


def test_sample_net_movement_through_the_incident(sample_responses):
    result = waves.net_movement(sample_responses.data, wave_a="2023Q4", wave_b="2024Q1")
    row = result.table.iloc[0]
    assert row["n_matched"] > 100 and row["ci_high"] < 0
    assert row["pct_worsened"] > row["pct_improved"]
    matrix = waves.transition_matrix(sample_responses.data, wave_a="2023Q4", wave_b="2024Q1")
    assert matrix.n_matched == row["n_matched"]


def test_paired_view_errors():
    panel = _panel()
    with pytest.raises(ParameterError, match="wave_b=3 is not a wave"):
        waves.transition_matrix(panel, wave_a=1, wave_b=3, wave="campaign")
    with pytest.raises(ParameterError, match="same wave"):
        waves.net_movement(panel, wave_a=1, wave_b=1, wave="campaign")
    with pytest.raises(MissingColumnError, match="respondent id"):
        waves.transition_matrix(panel.drop(columns="customer_id"), wave_a=1, wave_b=2,
                                wave="campaign")
    no_overlap = panel[~((panel["campaign"] == 2) & panel["customer_id"].isin(list("abcdg")))]
    with pytest.raises(DataError, match="No respondent .* answered both"):
        waves.transition_matrix(no_overlap, wave_a=1, wave_b=2, wave="campaign")


# --- mix shift ------------------------------------------------------------------------


def _segment_frame(cells: dict[tuple[str, str], tuple[int, int]]) -> pd.DataFrame:
    """Rows from {(month, segment): (satisfied, answers)}: satisfied score 5, others 2."""
    parts = []
    for (month, segment), (satisfied, n) in cells.items():
        scores = [5] * satisfied + [2] * (n - satisfied)
        parts.append(pd.DataFrame({"responded_at": pd.Timestamp(f"{month}-15"),
                                   "channel": segment, "score": scores, "survey": "csat"}))
    return pd.concat(parts, ignore_index=True)


def test_mix_shift_two_segments_by_hand():
    """x: 45/60 -> 27/30 (75% -> 90%), y: 20/40 -> 42/70 (50% -> 60%).

    Shares 0.6/0.4 -> 0.3/0.7; CSAT 65% -> 69% (+4).
    mix    = (0.3 - 0.6)(75 + 90)/2 + (0.7 - 0.4)(50 + 60)/2 = -24.75 + 16.5 = -8.25
    within = (90 - 75)(0.6 + 0.3)/2 + (60 - 50)(0.4 + 0.7)/2 = 6.75 + 5.5 = 12.25
    per segment, centred on (65 + 69)/2 = 67: mix x = -0.3 * 15.5 = -4.65,
    mix y = 0.3 * (55 - 67) = -3.6.
    """
    frame = _segment_frame({("2024-01", "x"): (45, 60), ("2024-01", "y"): (20, 40),
                            ("2024-02", "x"): (27, 30), ("2024-02", "y"): (42, 70)})
    result = waves.mix_shift(frame, segment="channel", period_a="2024-01", period_b="2024-02")
    table = result.table.set_index("channel")
    assert table.loc["total", ["rate_a", "rate_b", "contribution"]].tolist() == pytest.approx([65, 69, 4])
    assert table.loc["total", "mix"] == pytest.approx(-8.25)
    assert table.loc["total", "within"] == pytest.approx(12.25)
    assert table.loc["x", "mix"] == pytest.approx(-4.65) and table.loc["y", "mix"] == pytest.approx(-3.6)
    assert table.loc["x", "within"] == pytest.approx(6.75) and table.loc["y", "within"] == pytest.approx(5.5)
    assert table.loc[["x", "y"], "share_b"].tolist() == pytest.approx([0.3, 0.7])
    assert table.loc["total", ["n_a", "n_b"]].tolist() == [100, 100]
    assert "-8.25 from the mix" in result.summary()


cells = st.tuples(st.integers(0, 30), st.integers(1, 30)).map(lambda t: (min(t), t[1]))


@PROPERTY
@given(st.lists(st.tuples(cells, cells), min_size=2, max_size=4))
def test_mix_plus_within_is_the_total_change(segments):
    layout = {}
    for k, (a, b) in enumerate(segments):
        layout[("2024-01", f"s{k}")] = a
        layout[("2024-02", f"s{k}")] = b
    frame = _segment_frame(layout)
    total = waves.mix_shift(frame, segment="channel", period_a="2024-01",
                            period_b="2024-02").table.iloc[-1]
    assert abs(total["mix"] + total["within"] - total["contribution"]) <= 1e-12
    overall = ct.metric_table(frame, "csat", period="M")["estimate"].to_numpy()
    assert total["contribution"] == pytest.approx(overall[1] - overall[0], abs=1e-9)


def test_mix_shift_segment_in_one_period_only():
    frame = _segment_frame({("2024-01", "x"): (30, 40), ("2024-01", "y"): (10, 20),
                            ("2024-02", "x"): (30, 40), ("2024-02", "z"): (5, 20)})
    table = waves.mix_shift(frame, segment="channel", period_a="2024-01",
                            period_b="2024-02").table.set_index("channel")
    assert table.loc["y", "note"] == "only in 2024-01: counted as mix"
    assert table.loc["z", "note"] == "only in 2024-02: counted as mix"
    assert table.loc["y", "within"] == 0 and table.loc["z", "within"] == 0
    assert table.loc["y", "n_b"] == 0 and table.loc["y", "share_b"] == 0
    total = table.loc["total"]
    assert total["mix"] + total["within"] == pytest.approx(total["contribution"], abs=1e-12)
    assert total["contribution"] == pytest.approx((30 + 5) / 60 * 100 - 40 / 60 * 100)


def test_mix_shift_on_the_sample(sample_responses):
    result = waves.mix_shift(sample_responses.data, segment="channel",
                             period_a="2024-02", period_b="2024-03")
    total = result.table.iloc[-1]
    assert total["contribution"] == pytest.approx(62.093863 - 74.873524, abs=1e-5)
    assert abs(total["within"]) > 10 * abs(total["mix"])  # the incident hit every channel


def test_mix_shift_errors(sample_responses):
    data = sample_responses.data
    one = data.assign(channel="chat")
    with pytest.raises(DataError, match="Only one channel"):
        waves.mix_shift(one, segment="channel", period_a="2024-02", period_b="2024-03")
    with pytest.raises(DataError, match="No answers in period_b 2025-03"):
        waves.mix_shift(data, segment="channel", period_a="2024-02", period_b="2025-03")
    with pytest.raises(ParameterError, match="same period"):
        waves.mix_shift(data, segment="channel", period_a="2024-02", period_b="2024-02")
    with pytest.raises(ParameterError, match="not a period"):
        waves.mix_shift(data, segment="channel", period_a="last month", period_b="2024-02")
    with pytest.raises(MissingColumnError, match="'tier'"):
        waves.mix_shift(data, segment="tier", period_a="2024-02", period_b="2024-03")


# --- results in JupyterLab (issue 13) ---------------------------------------------------


def test_wave_comparison_says_the_correction_and_shows_in_jupyter(nps_waves):
    # The latest change (2024Q4 against 2024Q3) with its Holm-adjusted p the toolkit's way.
    last = nps_waves.table.iloc[-1]
    expected = ("Holm-adjusted p < 0.001" if last["p_adjusted"] < 0.001
                else f"Holm-adjusted p = {last['p_adjusted']:.3f}")
    assert f"{expected}). " in nps_waves.summary() and "p adjusted" not in nps_waves.summary()
    out = nps_waves._repr_html_()
    assert html.escape(nps_waves.summary()) in out and ">Wave<" in out
    assert ">p (adjusted)<" in out and nps_waves.min_n == 30 and "Correction for multiple testing: Holm" in out


def test_wave_results_escape_data_text():
    panel = _panel().assign(campaign=lambda d: d["campaign"].map({1: "<b>one</b>", 2: "two"}))
    moved = waves.transition_matrix(panel, wave_a="<b>one</b>", wave_b="two", wave="campaign")
    out = moved._repr_html_()
    assert html.escape(moved.summary()) in out and ">Promoter<" in out
    assert "&lt;b&gt;one&lt;/b&gt;" in out and "<b>" not in out
    net = waves.net_movement(panel, wave_a="<b>one</b>", wave_b="two", wave="campaign")
    out = net._repr_html_()
    assert "paired t test p = " in net.summary() and html.escape(net.summary()) in out
    assert ">Change<" in out and "<b>" not in out
    frame = _segment_frame({("2024-01", "<i>x</i>"): (45, 60), ("2024-01", "y"): (20, 40),
                            ("2024-02", "<i>x</i>"): (27, 30), ("2024-02", "y"): (42, 70)})
    mix = waves.mix_shift(frame, segment="channel", period_a="2024-01", period_b="2024-02")
    out = mix._repr_html_()
    assert html.escape(mix.summary()) in out and ">Within<" in out
    assert "&lt;i&gt;x&lt;/i&gt;" in out and "<i>" not in out
