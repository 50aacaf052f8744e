"""Tests of the trend, forecast and wave plots of :mod:`csat_toolkit.plots`.

Each plot is drawn on the bundled sample data and on small hand-made tables, with every
warning turned into an error (warnings become stderr noise in notebooks and HTML), and
rendered. Checked: a title and labelled axes, the number of marks where it is easy to
count (out-of-control points, heatmap cells, panels), n visible, gaps never bridged,
``ran=False``, and a missing segment read as "(missing)".
"""
from __future__ import annotations

import re
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import PathCollection, QuadMesh  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import csat_toolkit as ct  # noqa: E402
from csat_toolkit import plots  # noqa: E402
from csat_toolkit.errors import ParameterError  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture()
def sample(sample_responses) -> pd.DataFrame:
    """The bundled sample responses (loaded once per session by conftest)."""
    return sample_responses.data


def _draw(plot, *args, **kwargs):
    """Call a plot with every warning as an error, render it, check title and labels."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = plot(*args, **kwargs)
        figure = out if isinstance(out, Figure) else out.figure
        figure.canvas.draw()
    if isinstance(out, Axes):
        assert out.get_title().strip()
        assert out.get_xlabel().strip() and out.get_ylabel().strip()
    else:
        assert isinstance(out, Figure)
        assert out.get_suptitle().strip()
    return out


def _texts(items) -> list[str]:
    return [t.get_text() for t in items]


def _legend(ax) -> list[str]:
    return _texts(ax.get_legend().get_texts())


def _twin(ax) -> Axes:
    """The right-hand axis of the answers strip drawn beside ``ax``."""
    twins = [other for other in ax.figure.axes if other is not ax and other.bbox.bounds == ax.bbox.bounds]
    assert len(twins) == 1
    return twins[0]


def _strip_heights(ax) -> list[float]:
    return [patch.get_height() for patch in _twin(ax).patches]


def _scatter_with_marker(ax, face=None) -> list[PathCollection]:
    found = [c for c in ax.collections if isinstance(c, PathCollection) and len(c.get_offsets())]
    if face is None:
        return found
    return [c for c in found if np.allclose(c.get_facecolor()[0], matplotlib.colors.to_rgba(face))]


def _empty_marks(ax) -> int:
    """Number of ``x`` marks on the x axis (periods without answers)."""
    return sum(len(c.get_offsets()) for c in ax.collections
               if isinstance(c, PathCollection) and c.get_offset_transform() == ax.get_xaxis_transform())


def _answers(dates: list[str], scores: list[int], **columns) -> pd.DataFrame:
    return pd.DataFrame({"responded_at": pd.to_datetime(dates), "score": scores, **columns})


def _with_gap() -> pd.DataFrame:
    """CSAT answers in January, March and April 2024; none in February."""
    dates = ["2024-01-10"] * 40 + ["2024-03-10"] * 40 + ["2024-04-10"] * 40
    return _answers(dates, [5, 4, 2, 1] * 30)


# --- plot_trend ---------------------------------------------------------------------------


def test_plot_trend_rolling_line_on_sample(sample):
    series = ct.trends.period_series(sample, "csat", period="M", window=3)
    ax = _draw(plots.plot_trend, series)
    assert _legend(ax) == ["per period", "rolling 3-period (pooled)"]
    estimate, rolling = ax.lines
    assert rolling.get_linestyle() == "--"
    assert np.isnan(rolling.get_ydata()[:2]).all()  # no complete window yet
    np.testing.assert_allclose(rolling.get_ydata()[2:], series["rolling_estimate"].iloc[2:])
    assert _empty_marks(ax) == 0


def test_plot_trend_leaves_empty_periods_as_gaps():
    series = ct.trends.period_series(_with_gap(), "csat", min_n=10, window=2)
    assert series["empty"].tolist() == [False, True, False, False]
    ax = _draw(plots.plot_trend, series)
    y = ax.lines[0].get_ydata()
    assert np.isnan(y[1]) and not np.isnan(y[[0, 2, 3]]).any()  # Feb not bridged
    assert _empty_marks(ax) == 1
    assert "no answers" in _legend(ax)


def test_plot_trend_inserts_gaps_for_periods_missing_from_the_table():
    table = ct.csat(_with_gap(), period="M", min_n=10)  # metric_table has no February row
    assert len(table) == 3
    ax = _draw(plots.plot_trend, table)
    assert len(ax.lines[0].get_ydata()) == 4 and np.isnan(ax.lines[0].get_ydata()[1])
    assert _empty_marks(ax) == 1


def test_plot_trend_by_segment_with_rolling_and_missing_segment():
    data = _with_gap().assign(channel=["chat", "email", None, "chat"] * 30)
    series = ct.trends.period_series(data, "csat", by="channel", window=2, min_n=5)
    ax = _draw(plots.plot_trend, series, hue="channel")
    legend = _legend(ax)
    assert legend[:3] == ["chat", "email", "(missing)"]
    assert "rolling 2-period (pooled)" in legend and "no answers" in legend
    assert len(ax.lines) == 6  # a line and a rolling line per segment


# --- plot_control_chart -------------------------------------------------------------------


def test_plot_control_chart_on_sample(sample):
    chart = ct.trends.control_chart(sample, "csat", period="M")
    ax = _draw(plots.plot_control_chart, chart)
    flagged = chart[chart["out_of_control"]]
    red = _scatter_with_marker(ax, plots.PALETTE["bad"])
    assert len(red) == 1 and len(red[0].get_offsets()) == len(flagged) > 0
    expected = ["R" + r.replace("; ", ",") for r in flagged["rules_broken"]]
    assert _texts(ax.texts) == expected
    legend = _legend(ax)
    assert any(text.startswith("control limits (±3σ") for text in legend)
    assert any(text.startswith("R1: ") for text in legend)
    assert f"{len(flagged)} of 24 periods out of control" in ax.get_title()
    assert _strip_heights(ax) == chart["n"].tolist()  # n visible


def test_plot_control_chart_limits_are_steps_per_period():
    data = _answers(["2024-01-15"] * 100 + ["2024-02-15"] * 100 + ["2024-03-15"] * 100,
                    [5] * 80 + [1] * 20 + [5] * 78 + [1] * 22 + [5] * 50 + [1] * 50)
    chart = ct.trends.control_chart(data, baseline=("2024-01", "2024-02"))
    ax = _draw(plots.plot_control_chart, chart, title="Monthly p chart")
    assert ax.get_title() == "Monthly p chart"
    assert _texts(ax.texts) == ["R1"]
    ucl = [line for line in ax.lines if line.get_linestyle() == "--"][0]
    assert ucl.get_drawstyle() == "steps-post"
    np.testing.assert_allclose(ucl.get_ydata()[:3], chart["ucl"])
    assert any("baseline 2024-01..2024-02" in text for text in _legend(ax))


def test_plot_control_chart_small_and_empty_periods():
    dates = ["2024-01-10"] * 60 + ["2024-02-10"] * 5 + ["2024-04-10"] * 60
    chart = ct.trends.control_chart(_answers(dates, [5, 4, 1, 5, 2] * 25), min_n=30)
    assert chart["n"].tolist() == [60, 5, 0, 60]
    ax = _draw(plots.plot_control_chart, chart)
    hollow = _scatter_with_marker(ax, "white")
    assert len(hollow) == 1 and len(hollow[0].get_offsets()) == 1  # February only
    assert _empty_marks(ax) == 1  # March
    assert np.isnan(ax.lines[-1].get_ydata()[2])


# --- plot_changes -------------------------------------------------------------------------


def test_plot_changes_on_sample(sample):
    changes = ct.trends.period_changes(sample, "csat", period="M")
    ax = _draw(plots.plot_changes, changes)
    bars = ax.patches
    assert len(bars) == len(changes)
    colours = [matplotlib.colors.to_hex(bar.get_edgecolor()) for bar in bars]
    significant = changes["significant"].to_numpy()
    up = significant & (changes["difference"] > 0).to_numpy()
    assert sum(c == plots.PALETTE["good"] for c in colours) == up.sum()
    assert sum(c == plots.PALETTE["bad"] for c in colours) == (significant & ~up).sum()
    assert sum(c == plots.PALETTE["small"] for c in colours) == (~significant).sum()
    assert ax.get_ylabel() == "difference (points), 95% CI"
    assert "Holm correction" in ax.get_title() and "previous period" in ax.get_title()
    assert _strip_heights(ax) == changes["n"].tolist()


def test_plot_changes_with_an_empty_period_and_one_segment():
    data = _with_gap().assign(channel=["chat", "email"] * 60)
    changes = ct.trends.period_changes(data, "csat", by="channel", min_n=5)
    with pytest.raises(ParameterError, match="several rows per period"):
        plots.plot_changes(changes)
    email = changes[changes["channel"] == "email"]
    ax = _draw(plots.plot_changes, email)
    assert "(channel = email)" in ax.get_title()
    assert _empty_marks(ax) == 2  # Feb vs Jan and Mar vs Feb: no change measurable
    assert "no answers (no change)" in _legend(ax)


def test_plot_changes_missing_segment_and_year_over_year():
    dates = [f"{y}-{m:02d}-10" for y in (2023, 2024) for m in range(1, 13) for _ in range(10)]
    data = _answers(dates, [5, 4, 2, 1, 5] * 48, channel=None)
    yearly = ct.trends.period_changes(data, "csat", kind="yoy", by="channel", min_n=5)
    ax = _draw(plots.plot_changes, yearly)
    assert "(channel = (missing))" in ax.get_title() and "a year before" in ax.get_title()
    assert len(ax.patches) == 12


# --- plot_decomposition -------------------------------------------------------------------


def test_plot_decomposition_on_sample(sample):
    series = ct.trends.period_series(sample, "csat", period="M")
    result = ct.forecast.seasonal_decomposition(series)
    assert result.ran
    fig = _draw(plots.plot_decomposition, result, metric="csat")
    panels = [ax for ax in fig.axes if ax.get_ylabel()]
    assert len(panels) == 4 and len(fig.axes) == 5  # four panels and the answers axis
    assert [ax.get_ylabel().split("\n")[0] for ax in panels] == ["observed", "trend", "seasonal", "remainder"]
    assert panels[2].get_ylabel() == "seasonal\n(points)"
    assert panels[-1].get_xlabel() == "period"
    assert "n=14,375" in fig.get_suptitle()
    seasonal = _legend(panels[2])
    assert seasonal == ["seasonally low: " + ", ".join(result.low),
                        "seasonally high: " + ", ".join(result.high)]
    assert _strip_heights(panels[0]) == result.table["n"].tolist()


def test_plot_decomposition_band_from_standard_errors():
    months = pd.period_range("2023-01", periods=24, freq="M")
    table = pd.DataFrame({"period": months, "n": 400,
                          "estimate": np.where(np.isin(months.month, [11, 12]), 70.0, 78.0)})
    result = ct.forecast.seasonal_decomposition(table)  # no intervals: se from the changes
    fig = _draw(plots.plot_decomposition, result, title="Seasonality")
    assert fig.get_suptitle() == "Seasonality"
    assert "95% CI (± 1.96 se)" in _legend(fig.axes[0])
    assert fig.axes[0].get_ylabel() == "observed\n(metric units)"


def test_plot_decomposition_not_run_states_the_reason():
    table = pd.DataFrame({"period": pd.period_range("2024-01", periods=10, freq="M"), "n": 100,
                          "estimate": 70.0})
    result = ct.forecast.seasonal_decomposition(table)
    assert not result.ran
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plots.plot_decomposition(result)
        fig.canvas.draw()
    assert len(fig.axes) == 1
    assert fig.get_suptitle() == "Seasonal decomposition: not run"
    shown = " ".join(_texts(fig.axes[0].texts)).replace("\n", " ")
    assert "STL needs at least 2 full cycles" in shown


# --- plot_forecast ------------------------------------------------------------------------


def test_plot_forecast_with_goal_on_sample(sample):
    series = ct.trends.period_series(sample, "csat", period="M", window=3)
    prediction = ct.forecast.forecast(series, horizon=3)
    goal = ct.forecast.goal_status(series, change=5, by="2025-03")
    ax = _draw(plots.plot_forecast, series, prediction, goal=goal)
    legend = _legend(ax)
    assert f"P = {goal.probability:.0%} ({goal.status})" in " ".join(legend)
    assert any(text.startswith("goal ≥ 70.5% by 2025-03") for text in legend)
    assert "95% prediction interval" in legend and "forecast" in legend
    forecast_line = [line for line in ax.lines if line.get_label() == "forecast"][0]
    np.testing.assert_allclose(forecast_line.get_ydata(), prediction["forecast"])
    stars = [c for c in ax.collections if isinstance(c, PathCollection) and c.get_label().startswith("goal")]
    assert len(stars) == 1 and stars[0].get_offsets()[0][1] == pytest.approx(goal.table["target"].iloc[0])
    assert "ETS" in ax.get_xlabel()
    assert _strip_heights(ax) == series["n"].tolist()


def test_plot_forecast_one_step_without_goal_and_with_a_gap():
    months = pd.period_range("2023-01", periods=14, freq="M")
    history = pd.DataFrame({"period": months, "metric": "nps", "conf": 0.95,
                            "n": [200] * 3 + [0] + [200] * 10,
                            "estimate": [20.0, 22, 21, np.nan] + [25.0, 24, 26, 27, 25, 28, 27, 29, 30, 29]})
    history["ci_low"], history["ci_high"] = history["estimate"] - 8, history["estimate"] + 8
    prediction = ct.forecast.forecast(history, horizon=1)
    ax = _draw(plots.plot_forecast, history, prediction)
    assert ax.get_ylabel() == "NPS\npoints, -100 to 100"
    assert not any(text.startswith("goal") for text in _legend(ax))
    assert _empty_marks(ax) == 1
    observed = [line for line in ax.lines if line.get_label() == "observed"][0]
    assert np.isnan(observed.get_ydata()[3])


def test_plot_forecast_refuses_several_segments(sample):
    series = ct.trends.period_series(sample, "csat", period="M", by="channel")
    prediction = ct.forecast.forecast(series[series["channel"] == "chat"].drop(columns="channel"))
    with pytest.raises(ParameterError, match="one series"):
        plots.plot_forecast(series, prediction)


# --- plot_transitions ---------------------------------------------------------------------

_CELL = re.compile(r"^\d+% \(\d+\)$")


def test_plot_transitions_on_sample(sample):
    result = ct.waves.transition_matrix(sample, wave_a="2023Q4", wave_b="2024Q1")
    ax = _draw(plots.plot_transitions, result)
    mesh = [c for c in ax.collections if isinstance(c, QuadMesh)]
    assert len(mesh) == 1 and mesh[0].get_array().size == 9
    cells = [t for t in _texts(ax.texts) if _CELL.match(t)]
    assert len(cells) == 9
    assert cells[0] == f"{100 * result.shares.iloc[0, 0]:.0f}% ({result.counts.iloc[0, 0]})"
    rows = result.counts.sum(axis=1)
    assert _texts(ax.get_yticklabels()) == [f"{c} (n={rows[c]})"
                                            for c in ("detractor", "passive", "promoter")]
    assert _texts(ax.get_xticklabels()) == ["detractor", "passive", "promoter"]
    assert ax.get_ylabel() == "category in 2023Q4 (first wave)"
    assert f"n={result.n_matched}" in ax.get_title()


def test_plot_transitions_with_an_empty_row_and_unordered_classes():
    data = pd.DataFrame({"customer_id": list("abcd") * 2, "campaign": [1] * 4 + [2] * 4,
                         "score": [3, 8, 2, 7, 9, 8, 10, 2]})  # nobody a promoter in wave 1
    result = ct.waves.transition_matrix(data, wave_a=1, wave_b=2, wave="campaign")
    shuffled = type(result)(result.table, result.counts.iloc[::-1, ::-1], result.shares.iloc[::-1, ::-1],
                            result.accounting, result.wave_a, result.wave_b)
    ax = _draw(plots.plot_transitions, shuffled)
    assert _texts(ax.get_yticklabels()) == ["detractor (n=2)", "passive (n=2)", "promoter (n=0)"]
    assert sum(bool(_CELL.match(t)) for t in _texts(ax.texts)) == 6  # the empty row is blank


def test_plot_transitions_two_class_scale():
    data = pd.DataFrame({"customer_id": list("abcd") * 2, "campaign": [1] * 4 + [2] * 4,
                         "score": [5, 4, 2, 1, 5, 2, 2, 4]})
    result = ct.waves.transition_matrix(data, wave_a=1, wave_b=2, wave="campaign", scale="csat_5")
    ax = _draw(plots.plot_transitions, result)
    assert ax.collections[0].get_array().size == 4
    assert _texts(ax.get_xticklabels()) == list(result.counts.columns)


# --- plot_small_multiples -----------------------------------------------------------------


def test_plot_small_multiples_on_sample(sample):
    table = ct.trends.period_series(sample, "csat", period="Q", by="channel")
    fig = _draw(plots.plot_small_multiples, table, by="channel")
    channels = sorted(table["channel"].unique())
    assert len(fig.axes) == len(channels) == 5
    totals = table.groupby("channel")["n"].sum()
    assert [ax.get_title() for ax in fig.axes] == [f"{c} (n={totals[c]:,})" for c in channels]
    assert len({ax.get_ylim() for ax in fig.axes}) == 1  # shared y axis
    assert fig.axes[0].get_ylabel() and fig.axes[3].get_ylabel()
    assert all(ax.get_xlabel() == "period" for ax in fig.axes[2:])  # bottom of each column
    assert all(len(ax.collections) >= 1 for ax in fig.axes)  # interval bands


def test_plot_small_multiples_missing_segment_gaps_and_wrap():
    data = _with_gap().assign(channel=["chat", "email", None, "chat"] * 30)
    table = ct.trends.period_series(data, "csat", by="channel", min_n=20)
    fig = _draw(plots.plot_small_multiples, table, by="channel", col_wrap=2, title="By channel")
    assert fig.get_suptitle() == "By channel"
    assert [ax.get_title() for ax in fig.axes] == ["chat (n=60)", "email (n=30)", "(missing) (n=30)"]
    assert all(_empty_marks(ax) == 1 for ax in fig.axes)
    assert all(np.isnan(ax.lines[0].get_ydata()[1]) for ax in fig.axes)
    hollow = [_scatter_with_marker(ax, "white") for ax in fig.axes]
    assert [sum(len(c.get_offsets()) for c in h) for h in hollow] == [0, 3, 3]  # 10 answers < 20
    assert fig.axes[1].get_xlabel() == "period"  # nothing below it in the 2-column grid


def test_plot_small_multiples_two_keys():
    data = _with_gap().assign(channel=["chat", "email"] * 60, region=["EU"] * 60 + ["US"] * 60)
    table = ct.trends.period_series(data, "csat", by=["region", "channel"], min_n=5)
    fig = _draw(plots.plot_small_multiples, table, by=["region", "channel"])
    assert len(fig.axes) == table.groupby(["region", "channel"]).ngroups
    assert fig.axes[0].get_title().startswith("EU, chat (n=")


# --- plot_mix_shift -----------------------------------------------------------------------


def test_plot_mix_shift_on_sample(sample):
    result = ct.waves.mix_shift(sample, metric="csat", segment="channel",
                                period_a="2024-02", period_b="2024-03")
    ax = _draw(plots.plot_mix_shift, result)
    table = result.table
    assert len(ax.patches) == 2 * len(table)  # a mix and a within bar per row
    labels = _texts(ax.get_yticklabels())
    assert labels[-1] == f"total (n {table['n_a'].iloc[-1]} → {table['n_b'].iloc[-1]})"
    assert labels[0] == "chat (n 202 → 270)"
    assert ax.get_xlabel() == "contribution to the change in CSAT (% satisfied) (points)"
    assert f"{table['contribution'].iloc[-1]:+.1f} points" in ax.get_title()
    widths = [p.get_width() for p in ax.patches]
    np.testing.assert_allclose(widths[: len(table)], table["mix"])
    np.testing.assert_allclose(widths[len(table):], table["within"])


def test_plot_mix_shift_missing_segment_and_one_period_segment():
    dates = ["2024-01-10"] * 60 + ["2024-02-10"] * 60
    channel = ["chat"] * 30 + [None] * 30 + ["chat"] * 20 + [None] * 20 + ["phone"] * 20
    data = _answers(dates, [5, 4, 1] * 40, channel=channel)
    result = ct.waves.mix_shift(data, segment="channel", period_a="2024-01", period_b="2024-02")
    ax = _draw(plots.plot_mix_shift, result, title="Mix")
    labels = _texts(ax.get_yticklabels())
    assert "(missing) (n 30 → 20)" in labels
    assert "phone* (n 0 → 20)" in labels
    assert "* only in 2024-02: counted as mix" in _legend(ax)


def test_plot_mix_shift_mean_metric_units():
    dates = ["2024-01-10"] * 60 + ["2024-02-10"] * 60
    data = _answers(dates, [5, 4, 1] * 40, channel=["a", "b"] * 60)
    result = ct.waves.mix_shift(data, metric="csat_mean", segment="channel", period_a="2024-01",
                                period_b="2024-02")
    ax = _draw(plots.plot_mix_shift, result)
    assert ax.get_xlabel().endswith("(score units)")


# --- all plots on a given Axes ------------------------------------------------------------


def test_axes_plots_draw_on_the_given_axes(sample):
    chart = ct.trends.control_chart(sample, "csat", period="M")
    changes = ct.trends.period_changes(sample, "csat", period="M")
    moved = ct.waves.transition_matrix(sample, wave_a="2023Q4", wave_b="2024Q1")
    fig, axes = plt.subplots(2, 2, figsize=(14, 8))
    assert _draw(plots.plot_control_chart, chart, ax=axes[0, 0]) is axes[0, 0]
    assert _draw(plots.plot_changes, changes, ax=axes[0, 1]) is axes[0, 1]
    assert _draw(plots.plot_transitions, moved, ax=axes[1, 0]) is axes[1, 0]
    split = ct.waves.mix_shift(sample, segment="channel", period_a="2024-02", period_b="2024-03")
    assert _draw(plots.plot_mix_shift, split, ax=axes[1, 1]) is axes[1, 1]


# --- many segments (issue 10): panels and bars stay few, the figure stays small --------------


def _many_segments(k: int = 500, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 6000
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90, n), unit="D")
    segment = rng.integers(0, k, n)
    segment[:600] = 0  # the largest segments: 0 (600 more), then 1 and 2
    segment[600:900] = 1
    segment[900:1100] = 2
    return pd.DataFrame({"responded_at": dates, "seg": segment, "score": rng.integers(1, 6, n)})


def test_plot_small_multiples_draws_the_largest_segments_and_says_how_many_more():
    data = _many_segments()
    table = ct.trends.period_series(data, "csat", by="seg", min_n=5)
    fig = _draw(plots.plot_small_multiples, table, by="seg", max_levels=6)
    assert len(fig.axes) == 6
    totals = table.groupby("seg")["n"].sum()
    largest = set(totals.nlargest(6).index)
    assert {int(ax.get_title().split(" ")[0]) for ax in fig.axes} == largest
    assert {0, 1, 2} <= largest
    assert f"{totals.size - 6:,} smaller segments not shown" in fig.get_suptitle()
    assert fig.get_size_inches()[1] <= 2.4 * 2 + 0.8  # two rows of three


def test_plot_mix_shift_sums_the_small_contributions_into_one_row():
    data = _many_segments()
    result = ct.waves.mix_shift(data, segment="seg", period_a="2024-01", period_b="2024-02")
    ax = _draw(plots.plot_mix_shift, result, max_levels=5)
    labels = _texts(ax.get_yticklabels())
    body = result.table.iloc[:-1]
    assert len(labels) == 6 and labels[-1].startswith("total")
    assert labels[-2].startswith(f"other {len(body) - 4:,} segments (n ")
    widths = np.array([p.get_width() for p in ax.patches])
    mix, within = widths[:6], widths[6:]
    total = result.table.iloc[-1]
    assert mix[:-1].sum() == pytest.approx(total["mix"])  # the parts still add up
    assert within[:-1].sum() == pytest.approx(total["within"])
    top = body["contribution"].abs().nlargest(4)
    assert mix[:4] == pytest.approx(body.loc[sorted(top.index), "mix"].to_numpy())
    assert ax.figure.get_size_inches()[1] <= 1.2 + 0.35 * 6


# --- one palette (issue 13) ------------------------------------------------------------

def test_trend_lines_per_segment_take_the_okabe_ito_series_in_order():
    from csat_toolkit.report.style import SERIES

    months = pd.period_range("2024-01", periods=3, freq="M")
    table = pd.DataFrame({"period": list(months) * 9, "channel": np.repeat(list("abcdefghi"), 3),
                          "metric": "csat", "conf": 0.95, "n": 100, "estimate": 70.0,
                          "ci_low": 65.0, "ci_high": 75.0, "small_n": False, "empty": False})
    ax = _draw(plots.plot_trend, table, hue="channel")
    colours = [matplotlib.colors.to_hex(line.get_color()) for line in ax.get_lines()
               if line.get_label() in list("abcdefghi")]
    assert colours == SERIES + SERIES[:1]  # nine segments: the eight colours, then again


def test_forecast_is_drawn_in_the_palettes_extra_colour():
    from csat_toolkit.forecast import forecast
    from csat_toolkit.report.style import PALETTE

    months = pd.period_range("2024-01", periods=12, freq="M")
    history = pd.DataFrame({"period": months, "n": 500, "metric": "csat", "conf": 0.95,
                            "estimate": 75 + np.tile([1.0, -1.0, 0.5, -0.5], 3)})
    history["ci_low"], history["ci_high"] = history["estimate"] - 3, history["estimate"] + 3
    ax = _draw(plots.plot_forecast, history, forecast(history, horizon=3))
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert {matplotlib.colors.to_hex(line.get_color()) for line in dashed} == {PALETTE["extra"]}
