"""Tests of the sentences (:mod:`csat_toolkit.text`), the headline helpers
(:mod:`csat_toolkit.report`) and the plots (:mod:`csat_toolkit.plots`).

Wording rule (DESIGN.md principle 4, text.py docstring): a difference is called
"above"/"below" only when its corrected test is significant and both groups are large
enough; otherwise the sentence says the groups are not distinguishable, or that there
are too few answers. Plots: labelled axes, n visible, intervals drawn, no warnings
(warnings become stderr noise in notebooks and HTML), missing segments read "(missing)".
"""
from __future__ import annotations

import json
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import csat_toolkit as ct  # noqa: E402
from csat_toolkit import plots, report  # noqa: E402
from csat_toolkit.metrics import METRICS  # noqa: E402
from csat_toolkit.text import (  # noqa: E402
    describe_comparison,
    describe_estimate,
    format_p,
    format_value,
)

PROPERTY = settings(max_examples=80)  # the rest from the profile in conftest.py


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- format_value / format_p ----------------------------------------------------------------


@pytest.mark.parametrize("value, statistic, text", [
    (78.43, "share", "78.4%"),
    (78.45001, "share", "78.5%"),
    (100.0, "share", "100.0%"),
    (0.0, "share", "0.0%"),
    (-12.0, "nps", "-12.0"),
    (33.333, "nps", "33.3"),
    (5.321, "mean", "5.32"),
    (4.0, "mean", "4.00"),
    (float("nan"), "share", "n/a"),
    (np.nan, "mean", "n/a"),
    (np.float64("nan"), "nps", "n/a"),
    (None, "nps", "n/a"),
])
def test_format_value(value, statistic, text):
    assert format_value(value, statistic) == text


@pytest.mark.parametrize("p, text", [
    (0.0, "p < 0.001"),
    (0.0004, "p < 0.001"),
    (0.000999, "p < 0.001"),
    (0.001, "p = 0.001"),
    (0.0312, "p = 0.031"),
    (0.5, "p = 0.500"),
    (1.0, "p = 1.000"),
    (float("nan"), "p not available"),
    (None, "p not available"),
])
def test_format_p(p, text):
    assert format_p(p) == text


# --- describe_estimate ----------------------------------------------------------------------


def _estimate_row(**changes) -> pd.Series:
    row = {"metric": "csat", "n": 12345, "estimate": 78.43, "ci_low": 77.1, "ci_high": 79.6,
           "conf": 0.95, "small_n": False}
    row.update(changes)
    return pd.Series(row)


def test_describe_estimate_states_value_interval_and_n():
    assert describe_estimate(_estimate_row()) == (
        "CSAT (% satisfied) 78.4% (95% CI 77.1% to 79.6%, n=12,345).")


@pytest.mark.parametrize("metric, estimate, low, high, text", [
    ("nps", 30.0, 14.05, 44.2, "NPS 30.0 (95% CI 14.1 to 44.2, n=12,345)."),
    ("ces", 5.321, 5.1, 5.5, "CES mean score 5.32 (95% CI 5.10 to 5.50, n=12,345)."),
    ("pmf", 41.0, 38.0, 44.0, "PMF (% very disappointed) 41.0% (95% CI 38.0% to 44.0%, n=12,345)."),
])
def test_describe_estimate_units_per_metric(metric, estimate, low, high, text):
    row = _estimate_row(metric=metric, estimate=estimate, ci_low=low, ci_high=high)
    assert describe_estimate(row) == text


def test_describe_estimate_small_n():
    row = _estimate_row(n=12, small_n=True, ci_low=50.0, ci_high=90.0)
    assert describe_estimate(row) == (
        "CSAT (% satisfied) 78.4% (95% CI 50.0% to 90.0%, n=12); small sample, read with care.")
    assert describe_estimate(row, min_n=30).endswith(
        "; small sample (fewer than 30 answers), read with care.")
    # Not flagged: no warning even with min_n given.
    assert "small sample" not in describe_estimate(_estimate_row(), min_n=30)


def test_describe_estimate_label_and_missing_interval():
    text = describe_estimate(_estimate_row(ci_low=np.nan, ci_high=np.nan, conf=0.9), label="Satisfaction")
    assert text == "Satisfaction 78.4% (90% CI not available, n=12,345)."


def test_describe_estimate_on_a_real_table_worked_example():
    """DESIGN.md: 150 satisfied answers out of 250 give CSAT 60%."""
    table = ct.csat(pd.DataFrame({"score": [5] * 150 + [2] * 100}))
    assert describe_estimate(table.iloc[0]) == (
        "CSAT (% satisfied) 60.0% (95% CI 53.8% to 65.9%, n=250).")


# --- describe_comparison ----------------------------------------------------------------------


def _comparison_row(**changes) -> pd.Series:
    row = {"channel": "chat", "reference": "rest", "metric": "csat", "estimate": 84.0,
           "ref_estimate": 79.0, "difference": 5.0, "ci_low": 2.1, "ci_high": 7.9,
           "p_adjusted": 0.002, "significant": True, "small_n": False, "conf": 0.95,
           "correction": "Holm", "n": 900, "ref_n": 4000}
    row.update(changes)
    return pd.Series(row)


def test_describe_comparison_significant_above():
    assert describe_comparison(_comparison_row(), key="channel") == (
        "channel = chat: CSAT (% satisfied) 84.0% is 5.0 points above rest (79.0%; difference "
        "unadjusted 95% CI 2.1 to 7.9, Holm-adjusted p = 0.002).")


def test_describe_comparison_significant_below_and_means():
    row = _comparison_row(metric="ces", estimate=4.1, ref_estimate=4.6, difference=-0.5,
                          ci_low=-0.8, ci_high=-0.2, p_adjusted=0.0001,
                          correction="Benjamini-Hochberg")
    assert describe_comparison(row, key="channel") == (
        "channel = chat: CES mean score 4.10 is 0.50 below rest (4.60; difference unadjusted 95% CI -0.80 "
        "to -0.20, Benjamini-Hochberg-adjusted p < 0.001).")


def test_describe_comparison_not_significant():
    row = _comparison_row(significant=False, p_adjusted=0.21, ci_low=-1.0, ci_high=11.0)
    text = describe_comparison(row, key="channel")
    assert text == (
        "channel = chat: CSAT (% satisfied) 84.0% is not distinguishable from rest (79.0%; "
        "difference unadjusted 95% CI -1.0 to 11.0, Holm-adjusted p = 0.210).")
    assert "above" not in text and "below" not in text


def test_describe_comparison_small_n_never_calls_a_difference():
    # Even if a row claims significance, a small group is "too few answers".
    for significant in (True, False):
        row = _comparison_row(small_n=True, significant=significant, n=12, p_adjusted=1e-9)
        text = describe_comparison(row, key="channel")
        assert text == ("channel = chat: CSAT (% satisfied) 84.0% against 79.0% for rest; too few "
                        "answers (n=12 and 4,000) to call a difference.")


def test_describe_comparison_of_periods_without_key():
    data = pd.DataFrame({"responded_at": pd.to_datetime(["2024-01-15"] * 100 + ["2024-02-15"] * 100),
                         "score": [5] * 50 + [1] * 50 + [5] * 80 + [1] * 20})
    row = ct.compare_periods(data, period="M").iloc[0]
    text = describe_comparison(row)
    assert text.startswith("2024-02: CSAT (% satisfied) 80.0% is 30.0 points above 2024-01 (50.0%;")
    # An empty previous period: no difference can be called.
    empty = ct.compare_periods(data, period="M", current="2024-01").iloc[0]
    assert describe_comparison(empty) == (
        "2024-01: CSAT (% satisfied) 50.0% against n/a for 2023-12; too few answers "
        "(n=100 and 0) to call a difference.")


FORBIDDEN = (" above ", " below ")


def _check_wording(text: str, row: pd.Series) -> None:
    if bool(row["small_n"]):
        assert "too few answers" in text
        assert not any(w in text for w in FORBIDDEN) and "not distinguishable" not in text
    elif bool(row["significant"]):
        direction = " above " if row["difference"] > 0 else " below "
        assert direction in text and "not distinguishable" not in text
        assert "too few answers" not in text
    else:
        assert "not distinguishable" in text
        assert not any(w in text for w in FORBIDDEN)


@PROPERTY
@given(
    metric=st.sampled_from(sorted(METRICS)),
    estimate=st.floats(-100, 100, allow_nan=False),
    difference=st.floats(-100, 100, allow_nan=False).filter(lambda d: d != 0),
    width=st.floats(0, 50, allow_nan=False),
    p=st.one_of(st.floats(0, 1), st.just(float("nan"))),
    significant=st.booleans(),
    small_n=st.booleans(),
    n=st.integers(0, 10**6),
    ref_n=st.integers(0, 10**6),
    key=st.sampled_from([None, "channel"]),
)
def test_describe_comparison_never_calls_a_non_significant_difference_real(
        metric, estimate, difference, width, p, significant, small_n, n, ref_n, key):
    row = _comparison_row(metric=metric, estimate=estimate, ref_estimate=estimate - difference,
                          difference=difference, ci_low=difference - width,
                          ci_high=difference + width, p_adjusted=p, significant=significant,
                          small_n=small_n, n=n, ref_n=ref_n, period="2024-05")
    text = describe_comparison(row, key=key)
    _check_wording(text, row)
    assert text.endswith(".")


@settings(max_examples=30)
@given(
    seed=st.integers(0, 2**31 - 1),
    sizes=st.lists(st.integers(5, 80), min_size=2, max_size=4),
    metric=st.sampled_from(["csat", "csat_mean", "nps"]),
    against=st.sampled_from(["rest", "pairs"]),
)
def test_sentences_of_real_comparisons_follow_the_wording_rule(seed, sizes, metric, against):
    rng = np.random.default_rng(seed)
    points = np.arange(11) if metric == "nps" else np.arange(1, 6)
    levels = [f"g{i}" for i in range(len(sizes))]
    # Two different distributions alternate, so that some comparisons are significant.
    uniform = np.full(len(points), 1 / len(points))
    skewed = np.linspace(1, 3, len(points)) / np.linspace(1, 3, len(points)).sum()
    scores = np.concatenate([rng.choice(points, size=s, p=skewed if i % 2 else uniform)
                             for i, s in enumerate(sizes)])
    data = pd.DataFrame({"channel": np.repeat(levels, sizes), "score": scores})
    result = ct.compare(data, metric=metric, by="channel", against=against)
    for _, row in result.iterrows():
        _check_wording(describe_comparison(row, key="channel"), row)


# --- report: kpi, write_headline, readable, sentences_html -----------------------------------


def test_kpi_card():
    table = ct.csat(pd.DataFrame({"score": [5] * 150 + [2] * 100}))
    card = report.kpi(table.iloc[0])
    assert card["metric"] == "csat" and card["label"] == "CSAT (% satisfied)"
    assert card["value"] == 60.0 and card["n"] == 250 and card["small_n"] is False
    assert card["ci_low"] == pytest.approx(53.82, abs=0.01)
    assert card["display"] == "60.0%"
    assert card["detail"] == "95% CI 53.8% to 65.9%, n=250, Wilson score"
    assert card["sentence"] == describe_estimate(table.iloc[0])
    assert report.kpi(table.iloc[0], label="Satisfaction")["sentence"].startswith("Satisfaction 60.0%")
    json.dumps(card, allow_nan=False)  # plain JSON types only


def test_kpi_nps_and_missing_interval():
    nps = ct.nps(pd.DataFrame({"score": [10] * 50 + [7] * 30 + [3] * 20})).iloc[0]
    card = report.kpi(nps)
    assert card["display"] == "30.0" and card["detail"].startswith("95% CI 14.1 to 44.2, n=100")
    one = ct.ces(pd.DataFrame({"score": [7]}), min_n=30).iloc[0]  # n=1: no t interval
    card = report.kpi(one)
    assert card["ci_low"] is None and card["ci_high"] is None and card["small_n"] is True
    json.dumps(card, allow_nan=False)


def test_write_headline_is_deterministic_and_keeps_non_ascii(tmp_path):
    table = ct.csat(pd.DataFrame({"score": [5] * 150 + [2] * 100}))
    kwargs = dict(title="Ικανοποίηση πελατών — 满意度 — Mulțumire", kpis=[report.kpi(table.iloc[0])],
                  findings=["Kanāls = čats: 80.0%", "ช่องทาง <b>"],
                  extra={"zeta": 1, "alpha": [1, 2], "as_of": pd.Timestamp("2024-05-31")})
    first = report.write_headline(tmp_path / "a" / "deep", **kwargs)
    second = report.write_headline(tmp_path / "b", **kwargs)
    assert first.name == "headline.json" and first.exists()
    assert first.read_bytes() == second.read_bytes()
    # Rewriting in place gives the same bytes again.
    before = first.read_bytes()
    report.write_headline(first.parent, **kwargs)
    assert first.read_bytes() == before
    text = before.decode("utf-8")
    assert "Ικανοποίηση πελατών — 满意度 — Mulțumire" in text and "\\u" not in text
    assert "Kanāls = čats" in text and "ช่องทาง <b>" in text
    payload = json.loads(text)
    assert list(payload) == sorted(payload)
    assert payload["kpis"][0]["display"] == "60.0%"
    assert payload["as_of"] == "2024-05-31 00:00:00"


def test_readable_metric_table_rounds_and_keeps_keys_first():
    table = ct.csat(pd.DataFrame({"channel": ["a"] * 70 + ["b"] * 30,
                                  "score": [5, 4, 3, 1, 2, 2, 5] * 10 + [5, 1, 4] * 10}), by="channel")
    out = report.readable(table, keys=["channel"])
    assert out.columns[0] == "channel"
    assert "conf" not in out.columns and "scale" not in out.columns
    assert out["estimate"].tolist() == [42.9, 66.7]
    assert out["ci_low"].tolist() == [round(v, 1) for v in table["ci_low"]]
    assert out["mean"].tolist() == [round(v, 2) for v in table["mean"]]
    pd.testing.assert_frame_equal(table, ct.csat(pd.DataFrame({
        "channel": ["a"] * 70 + ["b"] * 30,
        "score": [5, 4, 3, 1, 2, 2, 5] * 10 + [5, 1, 4] * 10}), by="channel"))  # input untouched


def test_readable_means_keep_two_decimals():
    out = report.readable(ct.ces(pd.DataFrame({"score": [7, 6, 5, 2] * 10})))
    assert out["ci_low"].iloc[0] == 4.39 and out["ci_high"].iloc[0] == 5.61
    assert out["pct_easy"].iloc[0] == 75.0


def test_readable_drops_all_nan_columns_of_a_comparison():
    data = pd.DataFrame({"responded_at": pd.to_datetime(["2024-01-15"] * 50 + ["2024-03-15"] * 50),
                         "team": ["x", "y"] * 50, "score": [5, 1, 4] * 33 + [2]})
    result = ct.compare_periods(data, period="M", by="team")  # previous month is empty
    out = report.readable(result, keys=["team"])
    assert out.columns[0] == "team"
    for column in ("ref_estimate", "difference", "ci_low", "ci_high", "p_value", "p_adjusted"):
        assert result[column].isna().all() and column not in out.columns
    assert {"n", "estimate", "ref_n", "significant", "small_n", "test", "correction"} <= set(out.columns)


def test_readable_comparison_rounds_p_values_to_four_places():
    data = pd.DataFrame({"channel": ["a"] * 100 + ["b"] * 100,
                         "score": [5] * 62 + [1] * 38 + [5] * 48 + [1] * 52})
    result = ct.compare(data, by="channel", against="b")
    out = report.readable(result, keys=["channel"])
    assert out["p_value"].iloc[0] == round(result["p_value"].iloc[0], 4)
    assert out["difference"].iloc[0] == 14.0
    assert out["ci_low"].iloc[0] == round(result["ci_low"].iloc[0], 1)


def test_sentences_html_escapes_user_text():
    html = report.sentences_html(["channel = <script>alert('x')</script>: 80.0% & more", "ok"]).data
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html and "&amp; more" in html
    assert html.startswith("<ul><li>") and html.count("<li>") == 2
    assert report.sentences_html([]).data == "<p><i>Nothing to report.</i></p>"


# --- plots ---------------------------------------------------------------------------------


def _responses() -> pd.DataFrame:
    n = 150
    return pd.DataFrame({
        "channel": (["chat"] * 60 + ["email"] * 50 + ["phone"] * 10 + [None] * 30),
        "responded_at": pd.to_datetime("2024-01-01") + pd.to_timedelta(np.arange(n) % 90, unit="D"),
        "score": [5, 4, 2, 5, 1, 3, 4, 5, 5, 2] * 15,
    })


def _draw(plot, *args, **kwargs):
    """Call a plot function with every warning turned into an error, then render it."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = plot(*args, **kwargs)
        ax.figure.canvas.draw()
    assert isinstance(ax, matplotlib.axes.Axes)
    assert ax.get_xlabel().strip() or ax.get_ylabel().strip()
    assert ax.get_title().strip()
    return ax


def _ticks(ax, axis: str = "y") -> list[str]:
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t.get_text() for t in labels]


def test_use_style_runs_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plots.use_style()
    assert plt.rcParams["figure.figsize"] == [8.0, 4.0]


def test_plot_estimates_shows_n_and_missing():
    table = ct.csat(_responses(), by="channel")
    ax = _draw(plots.plot_estimates, table, benchmark=75.0)
    assert _ticks(ax) == ["chat  (n=60)", "email  (n=50)", "phone  (n=10)", "(missing)  (n=30)"]
    assert ax.get_xlabel() == "CSAT (% satisfied): % of answers, 95% CI"
    assert "grey" in " ".join(t.get_text() for t in ax.texts)  # the small-n note


def test_plot_estimates_on_a_given_axes_with_band_and_no_groups():
    fig, given_ax = plt.subplots()
    table = ct.nps(pd.DataFrame({"score": [10, 9, 8, 3, 6] * 20}))
    ax = _draw(plots.plot_estimates, table, ax=given_ax, benchmark=(20.0, 40.0), title="NPS")
    assert ax is given_ax and ax.get_title() == "NPS"
    assert _ticks(ax) == ["nps  (n=100)"]


def test_plot_estimates_means_with_undefined_interval():
    table = ct.ces(pd.DataFrame({"team": ["a"] * 40 + ["b"], "score": [7, 5, 3, 6] * 10 + [4]}), by="team")
    assert table["ci_low"].isna().any()  # a single answer has no t interval
    ax = _draw(plots.plot_estimates, table)
    assert _ticks(ax) == ["a  (n=40)", "b  (n=1)"]


def test_plot_trend():
    table = ct.csat(_responses(), period="M", min_n=40)
    ax = _draw(plots.plot_trend, table, benchmark=70.0)
    assert ax.get_ylabel() == "CSAT (% satisfied)\n% of answers" and ax.get_xlabel() == "period"
    assert len(ax.collections) >= 1  # the interval band


def test_plot_trend_by_group():
    table = ct.nps(pd.DataFrame({
        "region": ["EU", "US"] * 60,
        "responded_at": pd.to_datetime("2024-01-01") + pd.to_timedelta(np.arange(120), unit="D"),
        "score": [10, 9, 7, 3, 6, 10] * 20}), by="region", period="M")
    ax = _draw(plots.plot_trend, table, hue="region")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["EU", "US"]


def test_plot_trend_labels_missing_group():
    table = ct.csat(_responses(), by="channel", period="M", min_n=5)
    assert table["channel"].isna().sum() > 0
    ax = _draw(plots.plot_trend, table, hue="channel")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "(missing)" in legend
    assert len(ax.lines) == table["channel"].nunique(dropna=False)


@pytest.mark.parametrize("survey, scores, classes", [
    ("csat", [5, 5, 4, 1, 3], ["not satisfied", "satisfied"]),
    ("nps", [0, 6, 7, 9, 10, 10], ["detractor", "passive", "promoter"]),
    ("pmf", [0, 1, 2, 3, 3], ["not very disappointed", "very disappointed"]),
])
def test_plot_distribution(survey, scores, classes):
    dist = ct.score_distribution(pd.DataFrame({"score": scores}), survey)
    ax = _draw(plots.plot_distribution, dist)
    assert ax.get_xlabel() == "score" and ax.get_ylabel() == "% of answers (Wilson CI)"
    assert ax.get_title() == f"Score distribution (n={len(scores)})"
    assert _ticks(ax, "x") == [f"{s:g}" for s in dist["score"]]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == classes


def test_plot_nps_breakdown_shows_n_and_missing():
    table = ct.nps(pd.DataFrame({"region": ["EU"] * 50 + [None] * 40 + ["US"] * 10,
                                 "score": [10, 8, 3, 9, 6] * 20}), by="region")
    ax = _draw(plots.plot_nps_breakdown, table)
    assert _ticks(ax) == ["EU (n=50)", "US (n=10)", "(missing) (n=40)"]
    assert ax.get_xlabel() == "% of answers"
    assert sum(t.get_text().startswith("NPS ") for t in ax.texts) == 3


@pytest.mark.parametrize("metric", ["csat", "csat_mean", "nps"])
def test_plot_comparison_rest_with_missing_level(metric):
    data = _responses()
    if metric == "nps":
        data = data.assign(score=data["score"] * 2)
    result = ct.compare(data, metric=metric, by="channel")
    ax = _draw(plots.plot_comparison, result)
    assert _ticks(ax) == ["chat vs rest", "email vs rest", "phone vs rest", "(missing) vs rest"]
    assert ax.get_xlabel().startswith("difference in ")
    assert "Holm" in ax.get_title()


def test_plot_comparison_pairs_and_periods():
    ax = _draw(plots.plot_comparison, ct.compare(_responses(), by="channel", against="pairs"))
    assert _ticks(ax)[0] == "chat vs email" and len(_ticks(ax)) == 6
    ax = _draw(plots.plot_comparison, ct.compare_periods(_responses(), period="M"))
    assert _ticks(ax) == ["2024-03 vs 2024-02"]
    ax = _draw(plots.plot_comparison, ct.compare_periods(_responses(), period="M", by="channel"),
               key="channel")
    assert _ticks(ax)[-1] == "(missing) vs 2024-02"


# --- many levels: choose_levels, segment_results, segment_headline, bounded charts -----------


def _levels_table(k: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"seg": [f"L{i:05d}" for i in range(k)], "n": rng.integers(1, 1000, k),
                         "significant": False, "p_adjusted": 1.0})


def test_choose_levels_keeps_significant_then_largest_in_input_order():
    t = _levels_table(50)
    t.loc[[3, 7], "significant"] = True
    t.loc[[3, 7], "p_adjusted"] = [0.01, 0.001]
    t.loc[3, "n"], t.loc[7, "n"] = 1, 2  # small but significant: still shown first
    choice = report.choose_levels(t, limit=5)
    largest = t.drop(index=[3, 7]).nlargest(3, "n").index
    assert choice.table.index.tolist() == sorted([3, 7, *largest])
    assert (choice.total, choice.omitted) == (50, 45)
    assert choice.sentence == "45 more levels not shown (see segments.csv)."


def test_choose_levels_more_significant_than_the_limit_keeps_the_smallest_p():
    t = _levels_table(10).assign(significant=True, p_adjusted=np.linspace(0.04, 0.001, 10))
    assert report.choose_levels(t, limit=3).table.index.tolist() == [7, 8, 9]


def test_choose_levels_nothing_left_out_says_nothing():
    t = _levels_table(4).drop(columns=["significant", "p_adjusted"])
    choice = report.choose_levels(t, limit=20)
    assert choice.table.equals(t) and choice.omitted == 0 and choice.sentence == ""


def test_choose_levels_ranks_by_a_comparison_table():
    table = ct.csat(_responses(), by="channel")
    tests = ct.compare(_responses(), by="channel", min_n=5).assign(significant=False)
    tests.loc[tests["channel"] == "phone", ["significant", "p_adjusted"]] = [True, 0.001]
    choice = report.choose_levels(table, limit=2, tests=tests, key="channel",
                                  what="channels", where="channels.csv")
    assert choice.table["channel"].tolist() == ["chat", "phone"]  # phone (n=10) is significant
    assert choice.sentence == "2 more channels not shown (see channels.csv)."


@pytest.mark.parametrize("kwargs, message", [
    (dict(limit=0), "limit must be a whole number"),
    (dict(limit=2.5), "limit must be a whole number"),
    (dict(limit=True), "limit must be a whole number"),
    (dict(tests=pd.DataFrame({"x": [1]})), "needs key= naming the segment column"),
])
def test_choose_levels_errors(kwargs, message):
    with pytest.raises(ct.ParameterError, match=message):
        report.choose_levels(_levels_table(3), **kwargs)


def test_choose_levels_needs_n():
    with pytest.raises(ct.ParameterError, match="needs an 'n' column; found 'seg'"):
        report.choose_levels(pd.DataFrame({"seg": ["a"]}))


def _by_segment(data, metric="csat", column="channel", min_n=5):
    table = ct.metric_table(data, metric, by=column, min_n=min_n)
    tests = ct.compare(data, metric=metric, by=column, min_n=min_n)
    return {(metric, column): (table, tests)}


def test_segment_results_joins_estimates_and_tests():
    data = _responses()
    pairs = _by_segment(data)
    out = report.segment_results(pairs)
    table, tests = pairs[("csat", "channel")]
    assert out["level"].tolist() == ["chat", "email", "phone", "(missing)"]
    assert (out["metric"] == "csat").all() and (out["segment"] == "channel").all()
    np.testing.assert_allclose(out["estimate"], table["estimate"])
    np.testing.assert_allclose(out["difference"], tests["difference"])
    np.testing.assert_allclose(out["p_adjusted"], tests["p_adjusted"])
    expected = np.where(tests["significant"], np.where(tests["difference"] > 0, "above", "below"),
                        "none")
    assert out["direction"].tolist() == expected.tolist()


def test_segment_results_two_levels_mirror_the_single_test():
    df = pd.DataFrame({"channel": ["chat"] * 100 + ["email"] * 100,
                       "score": [5] * 80 + [1] * 20 + [5] * 50 + [1] * 50})
    out = report.segment_results(_by_segment(df))
    chat, email = out.iloc[0], out.iloc[1]
    assert (chat["reference"], email["reference"]) == ("email", "chat")
    assert chat["difference"] == pytest.approx(30.0) and email["difference"] == pytest.approx(-30.0)
    assert email["difference_ci_low"] == pytest.approx(-chat["difference_ci_high"])
    assert email["p_adjusted"] == chat["p_adjusted"]
    assert (chat["direction"], email["direction"]) == ("above", "below")
    assert email["ref_estimate"] == pytest.approx(80.0)


def test_segment_results_of_nothing_is_an_empty_table_with_the_columns():
    out = report.segment_results({})
    assert out.empty and "direction" in out.columns


def test_segment_headline_caps_huge_columns_and_keeps_the_significant():
    rng = np.random.default_rng(7)
    k = 3000
    data = pd.DataFrame({"seg": rng.integers(0, k, 30_000), "score": rng.integers(1, 6, 30_000)})
    data.loc[:499, "seg"] = 5  # one large level, much less satisfied
    data.loc[:499, "score"] = 1
    results = report.segment_results(_by_segment(data, column="seg", min_n=30))
    head = report.segment_headline(results, max_levels=100)
    block = head["csat"]["seg"]
    assert block["levels_total"] == data["seg"].nunique()
    assert block["levels_omitted"] == block["levels_total"] - 100 and len(block["levels"]) == 100
    five = [lv for lv in block["levels"] if lv["level"] == "5"]
    assert five and five[0]["significant"] and five[0]["direction"] == "below"
    level = data[data["seg"] == 5]
    assert five[0]["n"] == len(level)
    assert five[0]["estimate"] == pytest.approx(100 * (level["score"] >= 4).mean(), abs=1e-6)
    assert set(five[0]) == {"level", "n", "estimate", "ci_low", "ci_high", "small_n",
                            "p_adjusted", "significant", "direction"}
    json.dumps(head)  # plain values only


def test_plot_estimates_bounds_the_levels_and_the_figure():
    rng = np.random.default_rng(5)
    data = pd.DataFrame({"seg": rng.integers(0, 5000, 20_000), "score": rng.integers(1, 6, 20_000)})
    table = ct.csat(data, by="seg")
    ax = _draw(plots.plot_estimates, table)
    assert len(_ticks(ax)) == report.MAX_SHOWN
    width, height = ax.figure.get_size_inches()
    assert height <= 1.2 + 0.35 * report.MAX_SHOWN
    more = table["seg"].nunique() - report.MAX_SHOWN
    assert f"{more:,} more levels\nnot shown" in [t.get_text() for t in ax.texts]
    largest = table.nlargest(1, "n")["n"].iloc[0]
    assert any(f"(n={largest:,})" in label for label in _ticks(ax))
