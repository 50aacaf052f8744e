"""What every engine's load shares: the accounting comes from the engine's counts."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..loaded import LoadResult

__all__ = ["EngineResult", "RowsFromEngine", "rows_from_engine"]


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


@dataclass
class RowsFromEngine(LoadResult):
    """Rows an engine brought back (all, or a stated sample), with the engine's accounting."""

    engine_used: int = 0
    engine_set_aside: int = 0
    engine_reasons: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))

    @property
    def n_used(self) -> int:
        return self.engine_used

    @property
    def n_set_aside(self) -> int:
        return self.engine_set_aside

    def reason_counts(self) -> pd.Series:
        return self.engine_reasons

    def summary(self) -> str:
        return super().summary() + f" Counted by {self.engine}."


def rows_from_engine(result: LoadResult, picked, seed: int) -> RowsFromEngine:
    """``result``'s rows brought back (``picked``: a :class:`~csat_toolkit.io.engines.
    SampledRows`) as a load with the engine's accounting and a note saying which rows."""
    note = (f"A seeded random sample of {picked.n_rows:,} of the {picked.n_total:,} rows "
            f"(seed {seed}, {picked.method.split(': ')[-1]}) is used for the analyses that "
            "model rows one by one." if picked.sampled else
            f"All {picked.n_rows:,} rows used are brought back for the analyses that model "
            "rows one by one.")
    return RowsFromEngine(
        data=picked.data.reset_index(drop=True), rejected=result.rejected,
        source=result.source, n_read=result.n_read, notes=[*result.notes, note],
        options=result.options, scales=result.scales, engine=result.engine,
        engine_used=result.n_used, engine_set_aside=result.n_set_aside,
        engine_reasons=result.reason_counts())
