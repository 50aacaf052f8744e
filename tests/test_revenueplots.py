"""Plots of the NPS-to-revenue analysis: each runs on real results and draws what it should."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import csat_toolkit as ct  # noqa: E402
from csat_toolkit.errors import MissingColumnError  # noqa: E402
from csat_toolkit.revenueplots import (  # noqa: E402
    plot_nps_growth, plot_retention, plot_revenue_by_category, plot_revenue_transitions,
)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def small_sample():
    answers = pd.DataFrame({
        "customer_id": ["a", "a", "b", "b", "c", "d", "e", "f"],
        "responded_at": ["2024-03-10", "2024-06-10"] * 3 + ["2024-03-10", "2024-03-10"],
        "score": [3, 9, 10, 10, 7, 8, 2, 9]})
    months = pd.period_range("2024-01", "2024-12", freq="M").astype(str)
    revenue = pd.DataFrame([(c, m, 100.0 + i * k) for k, c in enumerate("abcdef")
                            for i, m in enumerate(months)],
                           columns=["customer_id", "period", "revenue"])
    return answers, revenue


def test_revenue_by_category_draws_each_category_with_its_interval():
    table = pd.DataFrame({"category": ["detractor", "passive", "promoter"], "outcome": "growth",
                          "kind": "mean", "n": [10, 80, 120], "estimate": [-2.0, 2.0, 6.0],
                          "ci_low": [-4.0, 0.5, 4.8], "ci_high": [0.0, 3.5, 7.2],
                          "conf": 0.9, "small_n": [True, False, False]})
    ax = plot_revenue_by_category(table)
    assert len(ax.containers) == 3  # one error bar per category
    lows = [c.lines[2][0].get_segments()[0][:, 1] for c in ax.containers]
    assert [tuple(seg) for seg in lows] == [(-4.0, 0.0), (0.5, 3.5), (4.8, 7.2)]
    assert "90% CI" in ax.get_ylabel()
    assert ax.get_xticklabels()[0].get_text() == "detractor\nn=10"
    # hollow marker for the small group
    assert ax.containers[0].lines[0].get_markerfacecolor() == "white"


def test_revenue_by_category_needs_its_columns():
    with pytest.raises(MissingColumnError, match="plot_revenue_by_category needs"):
        plot_revenue_by_category(pd.DataFrame({"category": ["a"]}))


def test_retention_curves_with_bands_start_at_100():
    data = pd.DataFrame({"months": [1, 2, 2, 3, 4, 5, 1, 6], "churned": [1, 0, 1, 1, 0, 1, 0, 0],
                         "category": ["detractor"] * 6 + ["promoter"] * 2})
    curves = ct.survival.retention_curves(data, duration="months", event="churned",
                                          by="category")
    ax = plot_retention(curves, at=3)
    steps = [line for line in ax.lines if line.get_label().startswith(("detractor", "promoter"))]
    assert [line.get_label() for line in steps] == ["detractor (n=6)", "promoter (n=2)"]
    assert steps[0].get_ydata()[0] == 100.0
    assert len(ax.collections) == 2  # one band per group
    assert "Kaplan-Meier" in ax.get_ylabel()


def test_nps_growth_scatter_with_the_regression_slope():
    panel = pd.DataFrame({"nps": [10.0, 20.0, 30.0, 40.0], "growth": [1.0, 2.5, 2.0, 4.0],
                          "n": [40, 50, 20, 60]})
    row = pd.Series({"lag": 0, "estimate": 0.8, "ci_low": 0.2, "ci_high": 1.4, "conf": 0.95})
    ax = plot_nps_growth(panel, row)
    fit = ax.lines[0]
    x, y = fit.get_xdata(), fit.get_ydata()
    assert (y[-1] - y[0]) / (x[-1] - x[0]) == pytest.approx(0.08)  # +0.8% per 10 points
    assert np.mean(x) == pytest.approx(25.0) and np.mean(y) == pytest.approx(2.375)
    labels = ax.get_legend_handles_labels()[1]
    assert "fewer than 30 answers" in labels and "95% CI of the slope" in labels
    # without a regression row: only the points
    ax2 = plot_nps_growth(panel)
    assert not any(line.get_label().startswith("fit") for line in ax2.lines)


def test_transitions_heatmap_shares_counts_and_growth():
    answers, revenue = small_sample()
    result = ct.revenue.category_transitions(answers, revenue, min_n=1)
    ax = plot_revenue_transitions(result)
    texts = [t.get_text() for t in ax.texts]
    assert any(t.startswith("100% (1)\n") and "%/mo" in t for t in texts)
    assert "n=2 pairs" in ax.get_title()  # customers a and b answered twice
    assert [t.get_text() for t in ax.get_yticklabels()][0].startswith("detractor (n=")
