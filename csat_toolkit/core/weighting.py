"""Raking: survey weights that make the answers match known population margins.

When the customers who answer are not the customers you have (more EU than US, more
enterprise than self-serve, more old customers than new ones), raking (iterative
proportional fitting) adjusts the weights so that the weighted answers have the
population's shares on every margin at once: region, plan and tenure band, without the
full cross-table of all three. It starts from design weights (1 per answer unless
given), post-stratifies on each margin in turn and repeats until every margin is met.

The raked weight goes in the ``weight`` column: every metric and comparison then uses
it (``ct.csat(raked.data, weight="weight")``), with Kish's effective sample size in the
intervals. Extreme weights inflate the variance; ``cap`` (and ``floor``) trim them at a
multiple of the mean weight between raking sweeps, and the result shows what trimming
cost (margins no longer met exactly) and gained (design effect, effective n).

References
----------
- Deming, W. E. and Stephan, F. F. (1940). On a least squares adjustment of a sampled
  frequency table when the expected marginal totals are known. Ann. Math. Stat. 11.
- Lumley, T. R package ``survey``: ``rake()`` (repeated ``postStratify``), whose
  documented output the tests reproduce.
- Izrael, D., Battaglia, M. P. and Frankel, M. R. (2009). Extreme survey weight
  adjustment as a component of sample balancing (a.k.a. raking). SAS Global Forum 247
  (trimming inside the raking iterations, as in ``anesrake``'s ``cap``).
- Kish, L. (1965). Survey Sampling. Wiley (design effect of unequal weights
  ``1 + CV^2`` and effective sample size ``n / deff``).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError, require_columns, show_values
from .display import result_html

__all__ = ["rake", "RakeResult", "weight_summary", "design_effect"]

#: Margins whose totals differ by more than this share are taken as a mistake.
TOTALS_TOLERANCE = 0.01


@dataclass(frozen=True)
class RakeResult:
    """Outcome of :func:`rake`.

    Attributes
    ----------
    data : DataFrame
        The rows raked, with the final weights in the ``weight`` column (trimmed when
        ``cap``/``floor`` were given).
    rejected : DataFrame
        Rows set aside, with ``source_index`` (their index in the input) and ``reason``.
    margins : DataFrame
        One row per margin level: ``margin``, ``level``, ``target_pct`` (population
        share), ``sample_pct`` (share of the answers, unweighted), ``design_pct``
        (weighted by the design weights), ``raked_pct`` (final weights) and ``error``
        (``raked_pct - target_pct``, percentage points).
    weights : DataFrame
        One row per stage (``design``, ``raked``, and ``trimmed`` when trimming was
        asked): ``n``, ``min``, ``max``, ``max_to_mean``, ``cv``, ``deff`` (Kish design
        effect), ``n_eff`` (effective sample size), ``trimmed`` (weights at a bound) and
        ``max_error`` (largest margin error, points).
    history : DataFrame
        One row per raking sweep: ``iteration``, ``max_error`` (points, after the sweep
        and any trimming) and ``trimmed``.
    iterations : int
    converged : bool
        Whether every margin was within ``tol`` before ``max_iter`` sweeps or, with
        trimming, the largest margin error stopped changing (trimming and raking in
        balance; the margins are then as close as the bounds allow: ``max_error``).
    max_error : float
        The largest margin error of the final weights, percentage points.
    cap, floor : float or None
        The trimming bounds, as multiples of the mean weight.
    """

    data: pd.DataFrame
    rejected: pd.DataFrame
    margins: pd.DataFrame
    weights: pd.DataFrame
    history: pd.DataFrame
    iterations: int
    converged: bool
    max_error: float
    cap: float | None = None
    floor: float | None = None

    @property
    def n_eff(self) -> float:
        """Kish effective sample size of the final weights."""
        return float(self.weights["n_eff"].iloc[-1])

    @property
    def deff(self) -> float:
        """Kish design effect of the final weights."""
        return float(self.weights["deff"].iloc[-1])

    def summary(self) -> str:
        """Sentences: what was raked, convergence, design effect and trimming's effect.

        Examples
        --------
        >>> df = pd.DataFrame({"region": ["EU"] * 6 + ["US"] * 2})
        >>> print(rake(df, {"region": {"EU": 50, "US": 50}}).summary())
        Raked 8 answers to 1 margin (region) in 1 iteration; the largest margin error is 0.00 points. Kish design effect 1.33: the weighted answers count as 6.0 (effective n).
        """
        names = ", ".join(self.margins["margin"].drop_duplicates())
        count = self.margins["margin"].nunique()
        verb = "in" if self.converged else "without converging in"
        text = (f"Raked {len(self.data):,} answers to {count} margin{'s' * (count != 1)} "
                f"({names}) {verb} {self.iterations} iteration{'s' * (self.iterations != 1)}; "
                f"the largest margin error is {self.max_error:.2f} points.")
        raked = self.weights.set_index("stage").loc["raked"]
        text += (f" Kish design effect {raked['deff']:.2f}: the weighted answers count as "
                 f"{raked['n_eff']:,.1f} (effective n).")
        if "trimmed" in set(self.weights["stage"]):
            trimmed = self.weights.set_index("stage").loc["trimmed"]
            bounds = " and ".join(part for part in (
                f"at most {self.cap:g}x" if self.cap is not None else "",
                f"at least {self.floor:g}x" if self.floor is not None else "") if part)
            text += (f" Trimming to {bounds} the mean weight bounded {int(trimmed['trimmed']):,} "
                     f"weight(s): design effect {raked['deff']:.2f} -> {trimmed['deff']:.2f}, "
                     f"effective n {raked['n_eff']:,.1f} -> {trimmed['n_eff']:,.1f}, margins off "
                     f"by at most {trimmed['max_error']:.2f} points.")
        if len(self.rejected):
            reasons = self.rejected["reason"].value_counts()
            text += (f" {len(self.rejected):,} rows set aside: "
                     + ", ".join(f"{r} {n:,}" for r, n in reasons.items()) + ".")
        return text

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.margins,
                           method="Raking (iterative proportional fitting) to the margins")


def design_effect(weights) -> float:
    """Kish's design effect of unequal weights: ``n * sum(w^2) / (sum w)^2 = 1 + CV^2``.

    Examples
    --------
    >>> design_effect([1, 1, 1, 1])
    1.0
    >>> round(design_effect([1, 1, 2, 4]), 4)
    1.375
    """
    w = np.asarray(weights, dtype=float)
    total = w.sum()
    return float(len(w) * np.sum(w**2) / total**2) if total > 0 else float("nan")


def weight_summary(weights, *, stage: str = "weights") -> dict:
    """Size, spread, Kish design effect and effective n of a set of weights.

    Examples
    --------
    >>> s = weight_summary([1, 1, 2, 4])
    >>> s["deff"], round(s["n_eff"], 3), s["max_to_mean"]
    (1.375, 2.909, 2.0)
    """
    w = np.asarray(weights, dtype=float)
    mean = w.mean() if len(w) else float("nan")
    deff = design_effect(w)
    return {"stage": stage, "n": len(w), "min": float(w.min()) if len(w) else float("nan"),
            "max": float(w.max()) if len(w) else float("nan"),
            "max_to_mean": float(w.max() / mean) if len(w) else float("nan"),
            "cv": float(np.std(w) / mean) if len(w) else float("nan"),
            "deff": deff, "n_eff": float(len(w) / deff) if len(w) else 0.0}


def rake(
    data: pd.DataFrame,
    margins: Mapping,
    *,
    design_weight: str | None = None,
    weight: str = "weight",
    cap: float | None = None,
    floor: float | None = None,
    scale_to: str = "n",
    max_iter: int = 100,
    tol: float = 1e-10,
) -> RakeResult:
    """Rake weights to population margins (iterative proportional fitting).

    Parameters
    ----------
    data : DataFrame
        The answers, with a column for every margin.
    margins : mapping
        ``{column: {level: population count or share}}`` for a one-way margin, or
        ``{(column, column): {(level, level): count}}`` for a joint one (a cross-table
        known in the population). Counts or shares (summing to 1 or 100): each margin
        is taken as shares of its own total; the totals of count margins must agree
        within 1%.
    design_weight : str, optional
        Column of starting weights (selection probabilities' inverses); 1 per answer
        when None.
    weight : str
        Where the raked weights go (default ``"weight"``, the column every metric and
        comparison reads with ``weight="weight"``).
    cap, floor : float, optional
        Trim weights to at most ``cap`` (at least ``floor``) times the mean weight after
        every sweep, then rake again (Izrael et al. 2009; ``anesrake``'s ``cap``).
        Margins are then met only as closely as the bounds allow: see ``.margins``.
    scale_to : {"n", "population", "design"}
        Scale of the final weights: mean 1 (they sum to the number of answers;
        default), the population total of the count margins (one margin at least must be
        counts), or the design weights' total. Estimates and intervals do not depend on it.
    max_iter : int
        Most raking sweeps (one sweep post-stratifies on every margin once).
    tol : float
        Convergence: every margin share within ``tol`` of its target (as a fraction,
        1e-10 by default) after a sweep; with trimming, also when the largest margin
        error changes by less than ``tol`` from one sweep to the next.

    Returns
    -------
    RakeResult
        ``.data`` (rows raked, ``weight`` filled), ``.rejected`` (rows set aside with a
        reason: a missing margin value, a level the margins do not list, a level whose
        population share is 0, a design weight that is not positive), ``.margins``,
        ``.weights`` (design effect and effective n before and after), ``.history``,
        ``.iterations``, ``.converged``, ``.max_error``, ``.summary()``.

    Raises
    ------
    MissingColumnError
        A margin names a column that is not in the data.
    ParameterError
        Margins that are empty, negative or disagree on the population size; bad
        ``cap``/``floor``/``scale_to``.
    DataError
        A level with a population share but no answers (raking cannot give it weight),
        or no rows left to rake.

    Examples
    --------
    >>> df = pd.DataFrame({"region": ["EU"] * 6 + ["US"] * 4,
    ...                    "plan": ["pro", "free"] * 5, "score": [5, 4, 2, 5, 1, 5, 4, 4, 3, 5]})
    >>> raked = rake(df, {"region": {"EU": 0.5, "US": 0.5}, "plan": {"pro": 0.3, "free": 0.7}})
    >>> raked.converged, raked.margins["raked_pct"].round(1).tolist()
    (True, [50.0, 50.0, 30.0, 70.0])
    >>> round(float(raked.data["weight"].sum()), 6)
    10.0
    """
    _check_options(cap, floor, scale_to, max_iter, tol)
    specs = _margin_specs(margins)
    if scale_to == "population":
        _population_total(specs)  # refuses margins that are all shares, before raking
    columns = list(dict.fromkeys(c for spec in specs for c in spec.columns))
    require_columns(data, columns + ([design_weight] if design_weight else []),
                    "Raking needs column(s) {missing}, named in the margins or as "
                    "design_weight; the data has {found}. Name the columns as they are in "
                    "the data.")
    reasons = pd.Series("", index=data.index, dtype=object)
    start = _design_weights(data, design_weight, reasons)
    codes = [spec.codes(data, reasons) for spec in specs]
    kept = (reasons == "").to_numpy()
    rejected = pd.DataFrame({"source_index": data.index[~kept],
                             "reason": reasons[~kept].str.removeprefix("; ").to_numpy()})
    if not kept.any():
        raise DataError(
            "No rows left to rake: every row was set aside ("
            f"{show_values(rejected['reason'].tolist(), 3)}). Check the margins' levels "
            "against the data's values.")
    codes = [c[kept] for c in codes]
    for spec, code in zip(specs, codes):
        spec.check_reachable(code)
    w0 = start[kept]
    w, history, converged, raked = _ipf(w0, codes, specs, cap, floor, max_iter, tol)
    total = (float(kept.sum()) if scale_to == "n" else float(w0.sum()) if scale_to == "design"
             else _population_total(specs))
    w = w * total / w.sum()
    raked = raked * total / raked.sum()
    out = data.loc[kept].copy()
    out[weight] = w
    margin_table = _margin_table(specs, codes, w0, w)
    stages = [weight_summary(w0, stage="design"), weight_summary(raked, stage="raked")]
    stages[0]["max_error"] = _max_error(codes, specs, w0)
    stages[1]["max_error"] = _max_error(codes, specs, raked)
    if cap is not None or floor is not None:
        stages.append({**weight_summary(w, stage="trimmed"), "max_error": _max_error(codes, specs, w)})
    for stage in stages:
        stage["trimmed"] = _at_bounds(np.asarray(w if stage["stage"] == "trimmed" else []),
                                      cap, floor)
    return RakeResult(data=out, rejected=rejected, margins=margin_table,
                      weights=pd.DataFrame(stages), history=history,
                      iterations=len(history), converged=converged,
                      max_error=float(margin_table["error"].abs().max()), cap=cap, floor=floor)


# --- margins ---------------------------------------------------------------------------


@dataclass
class _Margin:
    columns: tuple
    levels: list
    targets: np.ndarray  # shares, summing to 1
    total: float  # the margin's own total as given

    @property
    def name(self) -> str:
        return " x ".join(self.columns)

    def label(self, level) -> str:
        return " / ".join(map(str, level)) if len(self.columns) > 1 else str(level[0])

    def codes(self, data: pd.DataFrame, reasons: pd.Series) -> np.ndarray:
        """Each row's level number; rows that cannot be placed get a reason."""
        values = data[list(self.columns)]
        missing = values.isna().any(axis=1)
        keys = pd.Series(list(zip(*(values[c] for c in self.columns))), index=data.index)
        position = {level: i for i, level in enumerate(self.levels)}
        code = keys.map(lambda k: position.get(k, -1)).to_numpy(dtype=int)
        unknown = (code < 0) & ~missing.to_numpy()
        zero = (code >= 0) & (self.targets[np.maximum(code, 0)] == 0)
        _add_reason(reasons, missing.to_numpy(), f"no {self.name} value (a raking margin)")
        _add_reason(reasons, unknown, f"{self.name} value not in the raking margins")
        _add_reason(reasons, zero, f"{self.name} level has a population share of 0")
        return code

    def check_reachable(self, code: np.ndarray) -> None:
        present = np.bincount(code, minlength=len(self.levels)) > 0
        empty = [self.label(level) for level, here, target
                 in zip(self.levels, present, self.targets) if not here and target > 0]
        if empty:
            raise DataError(
                f"No answers in {self.name} level(s) {show_values(empty)}, which the margins "
                "give a population share: raking cannot give weight to answers that do not "
                "exist. Merge those levels with a neighbouring one (in the data and the "
                "margins) or leave them out of the margins.")


def _margin_specs(margins: Mapping) -> list[_Margin]:
    if not isinstance(margins, Mapping) or not margins:
        raise ParameterError(
            "margins must be a non-empty mapping {column: {level: population count or "
            "share}}, e.g. {'region': {'EU': 0.4, 'US': 0.6}}; got "
            f"{type(margins).__name__}.")
    specs = []
    for key, table in margins.items():
        columns = tuple(key) if isinstance(key, tuple) else (key,)
        if isinstance(table, pd.Series):
            table = table.to_dict()
        if not isinstance(table, Mapping) or not table:
            raise ParameterError(
                f"The margin of {' x '.join(map(str, columns))} must be a non-empty mapping "
                f"{{level: population count or share}}; got {table!r}.")
        levels = [level if isinstance(level, tuple) else (level,) for level in table]
        if any(len(level) != len(columns) for level in levels):
            raise ParameterError(
                f"The joint margin {columns} needs levels that are tuples of {len(columns)} "
                f"values, one per column; got {show_values(list(table))}.")
        values = pd.to_numeric(pd.Series(list(table.values()), dtype=object), errors="coerce")
        bad = values.isna() | (values < 0) | ~np.isfinite(values.fillna(0))
        if bad.any() or values.sum() <= 0:
            raise ParameterError(
                f"The margin of {' x '.join(map(str, columns))} must hold counts or shares of "
                "0 or more with a positive total; found "
                f"{show_values(list(table.values()))}.")
        total = float(values.sum())
        specs.append(_Margin(columns, levels, values.to_numpy(dtype=float) / total, total))
    counts = [s for s in specs if not _is_shares(s.total)]
    totals = np.array([s.total for s in counts])
    if len(counts) > 1 and totals.max() > totals.min() * (1 + TOTALS_TOLERANCE):
        listed = ", ".join(f"{s.name}: {s.total:,.6g}" for s in counts)
        raise ParameterError(
            f"The margins disagree on the population size ({listed}). Give every margin as "
            "counts of the same population, or as shares (summing to 1 or 100).")
    return specs


def _is_shares(total: float) -> bool:
    """A margin summing to 1 or 100 (within 1%) is shares or percentages, not counts."""
    return abs(total - 1) <= TOTALS_TOLERANCE or abs(total - 100) <= 100 * TOTALS_TOLERANCE


def _population_total(specs: Sequence[_Margin]) -> float:
    counts = [s.total for s in specs if not _is_shares(s.total)]
    if not counts:
        raise ParameterError(
            "scale_to='population' needs at least one margin given as counts of the population "
            "(all margins are shares); use scale_to='n' or give counts.")
    return float(counts[0])


def _add_reason(reasons: pd.Series, mask, text: str) -> None:
    mask = np.asarray(mask, dtype=bool)
    if mask.any():
        reasons[mask] = reasons[mask] + "; " + text


def _design_weights(data: pd.DataFrame, column: str | None, reasons: pd.Series) -> np.ndarray:
    if column is None:
        return np.ones(len(data))
    values = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=float)
    bad = ~((values > 0) & np.isfinite(values))
    _add_reason(reasons, bad, f"design weight ({column}) missing or not positive")
    return np.where(bad, 0.0, values)


def _check_options(cap, floor, scale_to, max_iter, tol) -> None:
    if cap is not None and not (np.isfinite(cap) and cap > 1):
        raise ParameterError(f"cap must be a multiple of the mean weight above 1 (e.g. 5); got {cap!r}.")
    if floor is not None and not (np.isfinite(floor) and 0 < floor < 1):
        raise ParameterError(f"floor must be a multiple of the mean weight between 0 and 1 "
                             f"(e.g. 0.2); got {floor!r}.")
    if scale_to not in ("n", "population", "design"):
        raise ParameterError(f"scale_to must be 'n', 'population' or 'design'; got {scale_to!r}.")
    if not (isinstance(max_iter, (int, np.integer)) and max_iter >= 1):
        raise ParameterError(f"max_iter must be a whole number of sweeps, 1 or more; got {max_iter!r}.")
    if not (0 < tol < 1):
        raise ParameterError(f"tol must be a share between 0 and 1 (e.g. 1e-10); got {tol!r}.")


# --- iterative proportional fitting ----------------------------------------------------


def _shares(code: np.ndarray, w: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(code, weights=w, minlength=size) / w.sum()


def _max_error(codes, specs, w) -> float:
    """Largest |weighted share - target| over every margin level, in points."""
    return 100 * max(float(np.max(np.abs(_shares(c, w, len(s.levels)) - s.targets)))
                     for c, s in zip(codes, specs))


def _sweep(w: np.ndarray, codes, specs) -> np.ndarray:
    for code, spec in zip(codes, specs):
        have = _shares(code, w, len(spec.levels))
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(have > 0, spec.targets / have, 0.0)
        w = w * factor[code]
    return w


def _trim(w: np.ndarray, cap, floor) -> np.ndarray:
    """Clip to [floor, cap] x the mean weight; the clip moves the mean, so repeat until
    the bounds hold for the clipped weights' own mean."""
    for _ in range(100):
        mean = w.mean()
        low = floor * mean if floor is not None else 0.0
        high = cap * mean if cap is not None else np.inf
        clipped = np.clip(w, low, high)
        if np.array_equal(clipped, w):
            break
        w = clipped
    return w


def _at_bounds(w: np.ndarray, cap, floor) -> int:
    if not len(w):
        return 0
    mean = w.mean()
    count = 0
    if cap is not None:
        count += int(np.sum(w >= cap * mean * (1 - 1e-9)))
    if floor is not None:
        count += int(np.sum(w <= floor * mean * (1 + 1e-9)))
    return count


def _ipf(w0, codes, specs, cap, floor, max_iter, tol):
    """Rake (and trim) until the margins hold, or with trimming until the weights stop
    changing; also the untrimmed raked weights."""
    trimming = cap is not None or floor is not None
    rows, converged, w, previous = [], False, w0.copy(), np.inf
    for iteration in range(1, max_iter + 1):
        w = _sweep(w, codes, specs)
        bounded = 0
        if trimming:
            w = _trim(w, cap, floor)
            bounded = _at_bounds(w, cap, floor)
        error = _max_error(codes, specs, w)
        rows.append({"iteration": iteration, "max_error": error, "trimmed": bounded})
        # with trimming the margins may stay short of their targets: stop when the
        # largest error no longer moves (raking and trimming in balance)
        stable = trimming and abs(error - previous) < 100 * tol
        if error < 100 * tol or stable:
            converged = True
            break
        previous = error
    history = pd.DataFrame(rows, columns=["iteration", "max_error", "trimmed"])
    if not trimming:
        return w, history, converged, w
    raked = w0.copy()
    for _ in range(max_iter):
        raked = _sweep(raked, codes, specs)
        if _max_error(codes, specs, raked) < 100 * tol:
            break
    return w, history, converged, raked


def _margin_table(specs, codes, w0, w) -> pd.DataFrame:
    rows = []
    for spec, code in zip(specs, codes):
        size = len(spec.levels)
        sample = np.bincount(code, minlength=size) / len(code)
        design = _shares(code, w0, size)
        final = _shares(code, w, size)
        for i, level in enumerate(spec.levels):
            rows.append({"margin": spec.name, "level": spec.label(level),
                         "target_pct": 100 * spec.targets[i], "sample_pct": 100 * sample[i],
                         "design_pct": 100 * design[i], "raked_pct": 100 * final[i],
                         "error": 100 * (final[i] - spec.targets[i])})
    return pd.DataFrame(rows)
