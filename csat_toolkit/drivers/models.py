"""Key-driver models: what moves satisfaction, with intervals and honest diagnostics.

The flow is two steps, each in its own module (all re-exported here and by
``csat_toolkit.drivers``):

1. :func:`~csat_toolkit.drivers.frame.driver_frame` (``frame``) turns one row per survey
   answer (joined with its ticket) into a clean modelling frame with a design matrix;
   :func:`~csat_toolkit.drivers.frame.vif` gives collinearity.
2. :func:`~csat_toolkit.drivers.fitting.fit_drivers` (``fitting``) fits the statsmodels
   model: logistic, OLS or ordered logit, with marginal effects, Wald tests and
   corrected p-values.

``speed`` holds what speed is worth (buckets and the modelled effect curve). This module
chooses the drivers a model can use (:func:`choose_drivers`) and fits the model of the
03_drivers report (:func:`fit_driver_model`: durations as speed buckets).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np  # noqa: F401 (doctests)
import pandas as pd

from ..core.display import result_html
from ..core.scales import Scale
from ..core.text import bucket_labels
from ..errors import ParameterError
from ..io.tables import ColumnCheck, DerivedColumns, add_derived, resolve_columns  # noqa: F401 (re-exported)
from .fitting import MODELS, DriverModel, fit_drivers
from .frame import (KINDS, OTHER_LEVEL, OUTCOMES, DriverFrame, _as_model_values, _infer_kind,
                    _is_missing, _level_name, _map_distinct, driver_frame, vif)
from .speed import (bucketize, bucketize_columns, describe_speed, effect_curve, speed_buckets,
                    speed_effect)

__all__ = ["DriverChoice", 
    "add_derived",
    "resolve_columns",
    "choose_drivers",
    "fit_driver_model",
    "speed_effect",
    "OUTCOMES",
    "KINDS",
    "MODELS",
    "OTHER_LEVEL",
    "DriverFrame",
    "DriverModel",
    "driver_frame",
    "fit_drivers",
    "bucketize",
    "bucketize_columns",
    "describe_speed",
    "vif",
    "speed_buckets",
    "bucket_labels",
    "effect_curve",
]


@dataclass
class DriverChoice:
    """The drivers a model can use (see :func:`choose_drivers`).

    Attributes
    ----------
    drivers : list of str
        Usable drivers, in the order given.
    left_out : DataFrame
        ``driver`` and ``reason`` for each driver left out.
    sentences : list of str
        One sentence per driver left out, naming it and why (absent ones with the
        nearest existing column).
    """

    drivers: list[str]
    left_out: pd.DataFrame
    sentences: list[str]

    def summary(self) -> str:
        """The drivers kept, then one sentence per driver left out."""
        return " ".join(self._sentences())

    def _sentences(self) -> list[str]:
        kept = (f"Drivers used: {', '.join(self.drivers)}." if self.drivers
                else "No driver can be used.")
        return [kept, *self.sentences]

    def _repr_html_(self) -> str:
        return result_html(self._sentences(), self.left_out if len(self.left_out) else None)


def choose_drivers(
    data: pd.DataFrame,
    drivers: Sequence[str],
    *,
    kinds: Mapping[str, str] | None = None,
    min_class: int = 30,
    where: str = "the answers",
    elsewhere: Mapping[str, Sequence[str]] | None = None,
) -> DriverChoice:
    """Keep the drivers a model can use; say why each other one is left out.

    A driver is left out when it is not a column of ``data`` (the sentence names the
    nearest column, or the table that has it), when it has no values, when it has one
    value only (a single channel or agent cannot explain a difference), or when it is
    categorical and every level has fewer than ``min_class`` rows (merged, they would be
    one constant level: an agent column with thousands of agents).

    Parameters
    ----------
    data : DataFrame
        One row per answer, joined with its ticket, with derived columns added.
    drivers : list of str
        The driver columns asked for.
    kinds : dict, optional
        Driver -> ``"numeric"``, ``"binary"`` or ``"categorical"`` (as :func:`driver_frame`).
    min_class : int
        Smallest level size (as :func:`driver_frame`).
    where, elsewhere
        How to call ``data``, and other tables' columns (see :func:`resolve_columns`).

    Returns
    -------
    DriverChoice

    Examples
    --------
    >>> answers = pd.DataFrame({"channel": ["email"] * 40, "contacts": [1, 2] * 20,
    ...                         "agent": [f"A{i}" for i in range(40)]})
    >>> choice = choose_drivers(answers, ["channel", "contacts", "agent", "priority"],
    ...                         min_class=5, elsewhere={"the tickets": ["priority"]})
    >>> choice.drivers
    ['contacts']
    >>> choice.left_out["reason"].tolist()
    ['one value only', 'every level small', 'not a column']
    >>> choice.sentences[-1]
    "Driver 'priority' is not a column of the answers (it is in the tickets): left out."
    """
    if not isinstance(drivers, Sequence) or isinstance(drivers, str):
        raise ParameterError(f"drivers must be a list of column names; got {drivers!r}.")
    check = resolve_columns({"drivers": list(drivers)}, data, where=where, elsewhere=elsewhere)
    kept, rows = [], []
    for row in check.missing.itertuples(index=False):
        hint = (f"it is in {row.elsewhere}" if isinstance(row.elsewhere, str) else
                f"nearest: {row.nearest!r}" if isinstance(row.nearest, str) else
                "no similar column")
        rows.append({"driver": row.column, "reason": "not a column",
                     "sentence": f"Driver {row.column!r} is not a column of {where} ({hint}): "
                                 "left out."})
    for d in check["drivers"]:
        values = _as_model_values(data[d], d)
        values = values[~_is_missing(values)]
        counts = _map_distinct(values, _level_name).value_counts()
        kind = (kinds or {}).get(d) or (_infer_kind(values) if len(values) else "numeric")
        if counts.empty:
            reason, text = "no values", f"Driver {d!r} has no values in {where}: left out."
        elif len(counts) == 1:
            reason = "one value only"
            text = (f"Driver {d!r} has one value only in {where} ({counts.index[0]!r}): it "
                    "cannot explain a difference, left out.")
        elif kind == "categorical" and counts.max() < min_class:
            reason = "every level small"
            text = (f"Driver {d!r}: every one of its {len(counts):,} levels has fewer than "
                    f"{min_class} answers (largest {int(counts.max()):,}): left out of the "
                    "model; lower min_n or group the levels.")
        else:
            kept.append(d)
            continue
        rows.append({"driver": d, "reason": reason, "sentence": text})
    order = {d: i for i, d in enumerate(drivers)}
    rows.sort(key=lambda r: order[r["driver"]])
    left_out = pd.DataFrame(rows, columns=["driver", "reason", "sentence"])
    return DriverChoice(drivers=kept, left_out=left_out[["driver", "reason"]],
                        sentences=left_out["sentence"].tolist())


def fit_driver_model(
    data: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    bucket_drivers: Sequence[str] = (),
    edges: Sequence[float] = (1, 4, 24),
    unit: str = "hours",
    scale: str | Scale | None = None,
    kinds: Mapping[str, str] | None = None,
    weights: str | None = None,
    min_class: int = 30,
    model: str = "auto",
    conf: float = 0.95,
    correction: str = "holm",
) -> tuple[DriverFrame, DriverModel]:
    """The driver model of the 03_drivers report: durations as speed buckets, then the fit.

    The ``bucket_drivers`` among ``drivers`` enter as the buckets of :func:`bucketize`
    with the fastest bucket as reference; everything else goes to :func:`driver_frame`
    and :func:`fit_drivers` as given.

    Returns
    -------
    (DriverFrame, DriverModel)

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"score": rng.integers(1, 6, 200), "frt": rng.exponential(5, 200),
    ...                    "channel": rng.choice(["chat", "email"], 200)})
    >>> frame, fit = fit_driver_model(df, "satisfied", ["frt", "channel"], bucket_drivers=["frt"],
    ...                               min_class=5)
    >>> frame.reference["frt"], frame.kinds["channel"]
    ('under 1 h', 'binary')
    """
    bucketed = [c for c in bucket_drivers if c in drivers]
    fastest = {c: bucket_labels(edges, unit)[0] for c in bucketed}
    frame = driver_frame(bucketize_columns(data, bucketed, edges=edges, unit=unit), outcome,
                         list(drivers), scale=scale, kinds=kinds, weights=weights,
                         min_class=min_class, reference=fastest)
    return frame, fit_drivers(frame, model=model, conf=conf, correction=correction)


