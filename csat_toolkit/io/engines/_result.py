"""What every engine's load shares: the accounting comes from the engine's counts."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..loaded import LoadResult

__all__ = ["EngineResult"]


@dataclass
class EngineResult(LoadResult):
    """A :class:`~csat_toolkit.io.LoadResult` whose rows were checked in an engine.

    ``rejected`` holds only the first rows set aside; the accounting comes from the
    engine's counts per reason. Subclasses say how many rows ``data`` stands for
    (``n_used``).

    Attributes
    ----------
    reasons : Series
        Rows set aside per reason (joined reasons, as the pandas readers join them).
    rejected_path : Path or None
        Parquet file (DuckDB) or folder (Spark) of every row set aside, when asked for.
    """

    reasons: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    rejected_path: Path | None = None

    @property
    def n_set_aside(self) -> int:
        """Rows set aside (all reasons)."""
        return int(self.reasons.sum())

    @property
    def rows_scanned(self) -> int:
        """Rows the engine read (= :attr:`n_read`)."""
        return self.n_read

    def reason_counts(self) -> pd.Series:
        """Rows set aside per reason, most frequent first (ties by reason text)."""
        counts = self.reasons[self.reasons > 0]
        order = sorted(counts.index, key=lambda r: (-counts[r], r))
        return counts.reindex(order).astype(int).rename("rows")
