"""Tests of csat_toolkit.opsplots: each plot draws the estimates, their intervals and n from
the tables of csat_toolkit.ops (run on the bundled sample), and rejects a wrong table with a
message naming the missing column."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from csat_toolkit import ops, opsplots  # noqa: E402
from csat_toolkit.errors import MissingColumnError  # noqa: E402
from csat_toolkit.tables import load_tickets  # noqa: E402

from .conftest import SAMPLE  # noqa: E402

TARGETS = {"first_response": {"urgent": 1, "high": 4, "normal": 8, "low": 24},
           "resolution": {"urgent": 8, "high": 24, "normal": 40, "low": 80}}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def tickets():
    return load_tickets(SAMPLE / "tickets.csv").data.iloc[:3000]


def texts(ax):
    return [t.get_text() for t in ax.texts] + [t.get_text() for t in ax.get_yticklabels()]


def test_plot_sla_intervals_and_n(tickets):
    table = ops.sla_compliance(tickets, TARGETS, by="priority", clock="calendar",
                               as_of="2024-12-31 23:59").table
    ax = opsplots.plot_sla(table, by="priority")
    segments = np.concatenate([c.get_segments() for c in ax.collections
                               if hasattr(c, "get_segments")])
    assert len(segments) == len(table)  # one interval per group and metric
    lows = sorted(s[0][0] for s in segments)
    assert lows == pytest.approx(sorted(table["ci_low"]))
    assert any(t.startswith("  n=") for t in texts(ax))
    assert {"high", "low", "normal", "urgent"} <= set(texts(ax))
    overall = ops.sla_compliance(tickets, TARGETS, clock="calendar", as_of="2024-12-31 23:59").table
    assert "all tickets" in texts(opsplots.plot_sla(overall))


def test_plot_response_times_expectations_and_quantiles(tickets):
    summary = ops.response_time_summary(tickets)
    ax = opsplots.plot_response_times(summary)
    heights = [p.get_height() for p in ax.patches]
    within = summary[summary["statistic"].str.startswith("within_")]
    assert heights == pytest.approx(within["estimate"].tolist())
    dashed = [c for c in ax.collections if c.get_linestyle()[0][1] is not None]
    assert dashed, "the published expectations are drawn"
    assert "median" in ax.get_title() and "90th percentile" in ax.get_title()


def test_plot_volume_heatmap_and_weekly(tickets):
    profile = ops.volume_profile(tickets, horizon=4)
    ax = opsplots.plot_volume_heatmap(profile.heatmap)
    image = ax.get_images()[0].get_array()
    assert image.shape == (7, 24)
    mon_10 = profile.heatmap.query("weekday == 0 and hour == 10")["estimate"].iloc[0]
    assert image[0, 10] == pytest.approx(mon_10)
    assert any(label.startswith("Mon (n=") for label in texts(ax))
    ax = opsplots.plot_weekly_volume(profile.weekly, profile.forecast)
    assert len(ax.lines) == 2 and "weeks" in ax.get_title()


def test_plot_deflection_and_ops_satisfaction():
    volume = pd.read_csv(SAMPLE / "volume.csv")
    result = ops.deflection(volume, period="Q")
    ax = opsplots.plot_deflection(result.table)
    assert ax.lines[0].get_ydata() == pytest.approx(result.table["estimate"].to_numpy())
    table = pd.DataFrame({"comparison": ["first-response SLA", "first-contact resolution"],
                          "group": ["met", "FCR"], "reference": ["breached", "not FCR"],
                          "n": [900, 600], "ref_n": [60, 400], "difference": [18.5, -1.0],
                          "ci_low": [14.5, -3.0], "ci_high": [22.5, 1.0],
                          "significant": [True, False], "conf": [0.9, 0.9]})
    ax = opsplots.plot_ops_satisfaction(table)
    assert "(n=900 vs 60)" in texts(ax)[0] and "90% CI" in ax.get_xlabel()


@pytest.mark.parametrize("plot", [opsplots.plot_sla, opsplots.plot_response_times,
                                  opsplots.plot_volume_heatmap, opsplots.plot_deflection,
                                  opsplots.plot_ops_satisfaction])
def test_wrong_table_is_named(plot):
    with pytest.raises(MissingColumnError, match="needs the column.*Pass the table"):
        plot(pd.DataFrame({"x": [1]}))


def test_weekly_volume_wrong_table():
    with pytest.raises(MissingColumnError, match="'partial'"):
        opsplots.plot_weekly_volume(pd.DataFrame({"period": ["2024-01-01/2024-01-07"],
                                                  "contacts": [3]}))


def test_plot_sla_draws_at_most_max_groups():
    table = pd.DataFrame({"agent": [f"A{i:04d}" for i in range(500)], "metric": "first_response",
                          "n": np.arange(500) + 1, "estimate": 90.0, "ci_low": 80.0,
                          "ci_high": 95.0, "small_n": False, "conf": 0.95})
    ax = opsplots.plot_sla(table, by="agent", max_groups=12)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(l[:5] for l in labels) == [f"A{i:04d}" for i in range(488, 500)]  # most tickets
    assert ax.get_title() == "SLA met by agent: the 12 of 500 with the most decided tickets"
    plt.close("all")
