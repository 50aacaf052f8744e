"""What the section builders of one notebook share: the loaded inputs and the parameters.

:class:`Inputs` holds a notebook's load (:class:`~csat_toolkit.io.LoadResult`), its
parameters with defaults filled in, the survey scales, the report date, the output folder
and the results later sections reuse; each notebook's module adds its own fields
(``metrics.MetricsInputs``, ``trends.TrendInputs``).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ...core.asof import ReportDate
from ...core.followup import to_safe_csv
from ...io.responses import LoadResult, load_responses_from_params

__all__ = ["Inputs", "pick_parameters", "read_answers"]

#: headline.json's date keys when the report has no date.
NO_DATE = {"as_of": None, "as_of_source": None, "as_of_column": None}


@dataclass
class Inputs:
    """A notebook's loaded inputs.

    Attributes
    ----------
    loaded : LoadResult
        The responses and the accounting of every row.
    params : dict
        The notebook's parameters (defaults filled in).
    scales : dict
        Survey -> :class:`~csat_toolkit.scales.Scale` (``scales`` with ``thresholds``).
    when : ReportDate or None
        The report date; None without ``as_of`` or answer dates.
    out : Path or None
        Where the report's files go (None: nothing is written).
    results : dict
        Results later sections and ``headline.json`` reuse.

    Examples
    --------
    >>> from csat_toolkit.io import load_responses
    >>> frame = pd.DataFrame({"response_id": [1], "survey": "csat", "score": [5]})
    >>> Inputs(load_responses(frame), {}, {}, None).data["score"].tolist()
    [5.0]
    """

    loaded: LoadResult
    params: dict
    scales: dict
    when: ReportDate | None
    out: Path | None = None
    results: dict = field(default_factory=dict)

    @property
    def data(self) -> pd.DataFrame:
        """The canonical responses frame."""
        return self.loaded.data

    def write(self, frame: pd.DataFrame, name: str) -> None:
        """Write a table (spreadsheet-safe CSV) to the output folder, if there is one."""
        if self.out is not None:
            to_safe_csv(frame, Path(self.out) / name)

    @property
    def date_keys(self) -> dict:
        """``as_of``, ``as_of_source`` and ``as_of_column`` for ``headline.json``."""
        return self.when.to_dict() if self.when else dict(NO_DATE)


def pick_parameters(defaults: Mapping[str, Any], namespace: Mapping[str, Any]) -> dict:
    """The parameters named in ``defaults`` picked from a namespace (a notebook's globals).

    Examples
    --------
    >>> pick_parameters({"min_n": 30}, {"min_n": 50, "pd": pd})
    {'min_n': 50}
    """
    return {name: namespace[name] for name in defaults if name in namespace}


def read_answers(params: Mapping[str, Any], defaults: Mapping[str, Any],
                 out: str | Path | None = None) -> tuple[dict, LoadResult]:
    """A page's parameters (``defaults`` filled in) and its answers loaded with them; the
    rows set aside (free text masked) written to ``out`` when given.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "r.csv").write_text("response_id,survey,score\\n1,csat,5\\n2,csat,x\\n")
    >>> params, loaded = read_answers({"responses_path": str(folder / "r.csv")},
    ...                               {"min_n": 30}, folder)
    >>> params["min_n"], loaded.n_used, (folder / "rejected_rows.csv").exists()
    (30, 1, True)
    """
    params = {**defaults, **params}
    loaded = load_responses_from_params(params)
    if out is not None:
        loaded.write_rejected(out)
    return params, loaded
