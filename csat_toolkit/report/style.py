"""The one look every plot module shares: palette, style, axes and legend helpers.

``plots`` (metrics and trends), ``driverplots``, ``opsplots`` and ``revenueplots`` all
import from here, so none of them imports another (``plots`` re-exports the others'
functions for ``ct.plots.*``).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

__all__ = ["PALETTE", "use_style"]

#: Colours by role: the estimate, small groups, good/bad, neutral, reference lines.
PALETTE = {"main": "#2b6cb0", "small": "#a0aec0", "good": "#2f855a", "bad": "#c53030",
           "neutral": "#d69e2e", "line": "#4a5568"}


def use_style() -> None:
    """Apply the toolkit's one consistent look (seaborn whitegrid, readable sizes).

    Examples
    --------
    >>> use_style()
    >>> plt.rcParams["axes.titleweight"]
    'bold'
    """
    sns.set_theme(style="whitegrid", context="notebook", font_scale=0.95)
    plt.rcParams.update({"figure.figsize": (8, 4), "figure.dpi": 100,
                         "axes.titleweight": "bold", "axes.titlesize": 12})


def _names(values: pd.Series) -> list[str]:
    """Group labels for axes; a missing segment value reads "(missing)"."""
    return ["(missing)" if pd.isna(v) else str(v) for v in values]


def _ax(ax):
    """The given axes, or new ones."""
    return ax if ax is not None else plt.subplots()[1]


def _outside_legend(ax, handles=None, labels=None) -> None:
    """A legend to the right of the axes, out of the data's way."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.07, 1.0), fontsize=8,
              frameon=False, borderaxespad=0)
