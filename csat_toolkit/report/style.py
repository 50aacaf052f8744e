"""The one look every plot module shares: palette, style, axes and legend helpers.

``plots`` (metrics and trends), ``driverplots``, ``opsplots`` and ``revenueplots`` all
import from here, so none of them imports another (``plots`` re-exports the others'
functions for ``ct.plots.*``).
"""
from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

__all__ = ["PALETTE", "SERIES", "PALETTE_SOURCE", "use_style"]

#: Where the colours come from: colour-blind safe for protanopia, deuteranopia and
#: tritanopia (tests/test_sections_base.py checks the roles stay apart under each).
PALETTE_SOURCE = ("Okabe & Ito (2008), 'Color Universal Design': the Okabe-Ito palette "
                  "(also matplotlib's and seaborn's 'colorblind' family), with a mid grey "
                  "for small groups")

#: Colours by role: the estimate, small groups, good/bad, neutral, reference lines, and
#: a fifth for a forecast or a second series. Okabe-Ito: blue, grey, bluish green,
#: vermillion, orange, slate, reddish purple.
PALETTE = {"main": "#0072b2", "small": "#aaaaaa", "good": "#009e73", "bad": "#d55e00",
           "neutral": "#e69f00", "line": "#4a5568", "extra": "#cc79a7"}

#: Colours of series that have no role (lines per segment), in order: Okabe-Ito.
SERIES = ["#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442",
          "#000000"]


def use_style() -> None:
    """Apply the toolkit's one consistent look (seaborn whitegrid, readable sizes, the
    Okabe-Ito colours for every series drawn without a role colour).

    Examples
    --------
    >>> use_style()
    >>> plt.rcParams["axes.titleweight"]
    'bold'
    >>> matplotlib.colors.to_hex(plt.rcParams["axes.prop_cycle"].by_key()["color"][1])
    '#e69f00'
    """
    sns.set_theme(style="whitegrid", context="notebook", font_scale=0.95, palette=SERIES)
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
