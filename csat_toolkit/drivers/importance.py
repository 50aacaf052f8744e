"""Relative importance of drivers: exact Shapley decomposition of R² (LMG) and Johnson's weights.

"What should we fix first?" asks how much of the explained variation of an outcome
(satisfaction, a score) each driver accounts for. Two answers are computed, both from
the (weighted) correlation matrix of the drivers and the outcome, so both are exact,
invariant to each driver's units and origin, and sum to the model's R²:

* **LMG** (Lindeman, Merenda & Gold 1980; the Shapley value of the R² game): a
  driver's increase of R² when it joins a model, averaged over every order in which
  the drivers can enter. Exact, never negative; it needs the R² of all ``2**g``
  subsets of the ``g`` drivers. :func:`r2_all_subsets` gets them without fitting a
  model per subset (see there), so 15 drivers take milliseconds and 20 well under a
  second.
* **Relative weights** (Johnson 2000): the drivers are replaced by their closest
  orthogonal counterparts, the outcome is regressed on those, and the explained
  variance is mapped back. Nearly always close to LMG, cheap for any number of drivers.

A categorical driver enters as the group of its dummy columns (one *player*).
:func:`relative_importance` adds seeded bootstrap intervals and a check against a
random-noise predictor: a driver is called significant only when it beats noise in
the bootstrap (Tonidandel, LeBreton & Johnson 2009). Looking only at whether a
bootstrap interval of a weight excludes zero flags drivers unrelated to the outcome,
because weights are never negative (the lesson of the R package ``rwa``, GitHub
martinctc/rwa issue 26 and pull request 28). A driver coded by k columns (a
categorical's k dummies) must beat k independent noise columns, since the R² that chance
alone gives grows with the number of columns.

References
----------
- Lindeman, R. H., Merenda, P. F. and Gold, R. Z. (1980). Introduction to Bivariate
  and Multivariate Analysis. Scott, Foresman; p. 119 ff.
- Grömping, U. (2006). Relative importance for linear regression in R: the package
  relaimpo. Journal of Statistical Software 17(1).
- Johnson, J. W. (2000). A heuristic method for estimating the relative weight of
  predictor variables in multiple regression. Multivariate Behavioral Research 35, 1-19.
- Tonidandel, S., LeBreton, J. M. and Johnson, J. W. (2009). Determining the
  statistical significance of relative weights. Psychological Methods 14, 387-399.
- Griffin, K. and Tsatsomeros, M. J. (2006). Principal minors, part I: a method for
  computing all the principal minors of a matrix. Linear Algebra Appl. 419, 107-124
  (the elimination tree used by :func:`r2_all_subsets`).
"""
from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from math import comb

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError, require_columns, show_values
from ..core.display import result_html
from ..core.stats import CORRECTIONS, adjust_pvalues, kish_effective_n

__all__ = [
    "MAX_PLAYERS",
    "ImportanceResult",
    "r2_all_subsets",
    "shapley_from_r2",
    "lmg",
    "relative_weights",
    "weighted_corr",
    "relative_importance",
    "top_driver_card",
]

#: Largest number of players (drivers or groups) :func:`r2_all_subsets` accepts; the
#: table of ``2**24`` R² values alone takes 128 MB.
MAX_PLAYERS = 24

_PIVOT_TOL = 1e-12  # smallest share of a column's variance left unexplained by others
_COLLINEAR_TOL = 1e-10  # smallest eigenvalue of the drivers' correlation matrix
_BUDGET = 2**22  # floats per intermediate array (32 MB) in the elimination tree


# --------------------------------------------------------------------- building blocks


def weighted_corr(X, weights=None) -> np.ndarray:
    """Correlation matrix of the columns of ``X``, with optional case weights.

    Weights are frequency-like: an integer weight ``k`` counts a row ``k`` times, so the
    result equals the plain correlation of the data with each row repeated ``k``
    times. A column without spread gives NaN in its row and column.

    Parameters
    ----------
    X : array-like, shape (n, q)
    weights : array-like, shape (n,), optional
        Non-negative, with a positive sum.

    Examples
    --------
    >>> X = [[1, 2], [2, 1], [3, 4], [4, 3]]
    >>> weighted_corr(X).round(3).tolist()
    [[1.0, 0.6], [0.6, 1.0]]
    >>> weighted_corr(X, [1, 1, 1, 3]).round(3).tolist()
    [[1.0, 0.612], [0.612, 1.0]]
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ParameterError(f"X must be a 2-d array (rows x columns); got shape {X.shape}.")
    w = np.ones(len(X)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (len(X),):
        raise ParameterError(
            f"weights must have one value per row of X ({len(X)}); got shape {w.shape}."
        )
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ParameterError(
            "weights must be finite, non-negative and have a positive sum; got "
            f"{show_values(w[~(np.isfinite(w) & (w >= 0))].tolist()) or 'a zero sum'}."
        )
    centred = X - w @ X / w.sum()
    if weights is not None:
        centred *= np.sqrt(w)[:, None]
    return _cov_to_corr(centred.T @ centred)


def _cov_to_corr(cov: np.ndarray) -> np.ndarray:
    """Covariance (or cross-product) matrices, possibly stacked, to correlations."""
    sd = np.sqrt(np.clip(np.diagonal(cov, axis1=-2, axis2=-1), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = cov / (sd[..., :, None] * sd[..., None, :])
    corr = np.where((sd[..., :, None] > 0) & (sd[..., None, :] > 0), corr, np.nan)
    idx = np.arange(cov.shape[-1])
    corr[..., idx, idx] = np.where(sd > 0, 1.0, np.nan)
    return corr


def _as_corr(corr, name: str = "corr") -> np.ndarray:
    """Validate a square (stack of) covariance/correlation matrices; return correlations."""
    C = np.asarray(corr, dtype=float)
    if C.ndim < 2 or C.shape[-1] != C.shape[-2] or C.shape[-1] < 2:
        raise ParameterError(
            f"{name} must be a square matrix of the drivers and the outcome (outcome last), "
            f"at least 2 x 2; got shape {C.shape}."
        )
    if not np.allclose(C, np.swapaxes(C, -1, -2), rtol=1e-8, atol=1e-10, equal_nan=True):
        raise ParameterError(f"{name} must be symmetric (a correlation or covariance matrix).")
    return _cov_to_corr(C)


def _player_groups(groups, n_columns: int) -> list[list[int]]:
    """Default one player per column; check indices."""
    if groups is None:
        return [[j] for j in range(n_columns)]
    out, seen = [], set()
    for g in groups:
        members = [int(j) for j in (g if isinstance(g, Sequence) else [g])]
        if not members:
            raise ParameterError("Every group must hold at least one column index; got an empty group.")
        for j in members:
            if not 0 <= j < n_columns:
                raise ParameterError(
                    f"Group column index {j} is out of range: the drivers are columns 0 to "
                    f"{n_columns - 1} (the outcome is the last column)."
                )
            if j in seen:
                raise ParameterError(f"Column {j} is in more than one group; give each column once.")
            seen.add(j)
        out.append(members)
    if not out:
        raise ParameterError("groups is empty: give at least one driver.")
    if len(out) > MAX_PLAYERS:
        raise ParameterError(
            f"{len(out)} drivers/groups need R² for 2**{len(out)} subsets; at most "
            f"{MAX_PLAYERS} are supported. Group related columns, or use relative_weights()."
        )
    return out


def _elimination_tree(A: np.ndarray, bad: np.ndarray, sizes: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Schur-complement tree over players; returns the outcome's residual share per subset.

    ``A`` has shape (L, B, m, m): L nodes of the tree for each of B matrices, the
    players still to decide first (in the order of ``sizes``), the outcome last. For
    the next player, "leave out" drops its columns and "take in" eliminates them
    (Schur complement, one column at a time), so after all players each leaf holds
    ``1 - R²`` of its subset. Result shape (L * 2**len(sizes), B), node index
    ``parent + L * (bits of the later players)``.
    """
    L, B, m = A.shape[0], A.shape[1], A.shape[-1]
    if not sizes:
        return A[:, :, 0, 0], bad
    k = sizes[0]
    if L > 1 and 2 * L * B * (m - 1) ** 2 > _BUDGET:  # split the level, do the halves in turn
        h = L // 2
        left = _elimination_tree(A[:h], bad[:h], sizes)
        right = _elimination_tree(A[h:], bad[h:], sizes)
        values, flags = (
            np.concatenate([a.reshape(-1, h, B), b.reshape(-1, L - h, B)], axis=1).reshape(-1, B)
            for a, b in zip(left, right)
        )
        return values, flags
    keep = A[:, :, k:, k:]
    take, took_bad = A, bad
    for _ in range(k):
        pivot = take[:, :, 0, 0]
        ok = pivot > _PIVOT_TOL
        took_bad = took_bad | ~ok
        safe = np.where(ok, pivot, 1.0)[:, :, None, None]
        take = take[:, :, 1:, 1:] - take[:, :, 1:, :1] * (take[:, :, :1, 1:] / safe)
    return _elimination_tree(
        np.concatenate([keep, take]), np.concatenate([bad, took_bad]), sizes[1:]
    )


def _r2_schur(C: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """R² of all group subsets for a stack C of correlation matrices, shape (B, 2**g).

    The tree decides the widest players first: every node below a player works on the
    columns still undecided, so eliminating a 24-level categorical at the root costs one
    node instead of one per subset of the players before it. The result is indexed by
    the players in the order given (bit ``i`` = ``groups[i]``).
    """
    q = C.shape[-1]
    turn = sorted(range(len(groups)), key=lambda i: -len(groups[i]))  # stable: ties keep order
    groups = [groups[i] for i in turn]
    order = [j for g in groups for j in g] + [q - 1]
    A = C[:, order][:, :, order]
    B = A.shape[0]
    m = len(order)
    chunk = max(1, _BUDGET // (2 * m * m))
    out = np.empty((B, 2 ** len(groups)))
    sizes = [len(g) for g in groups]
    for start in range(0, B, chunk):
        part = A[start:start + chunk]
        bad0 = ~np.isfinite(part).all(axis=(1, 2))[None, :]
        part = np.where(np.isfinite(part), part, 0.0)[None]
        values, bad = _elimination_tree(part, bad0, sizes)
        values = np.where(bad, np.nan, 1.0 - values)
        out[start:start + chunk] = values.T
    out[:, 0] = np.where(np.isnan(out[:, -1]), np.nan, 0.0)
    if turn != sorted(turn):  # back to the callers' bits: player i's bit moved to turn.index(i)
        masks = np.arange(2 ** len(groups))
        index = np.zeros_like(masks)
        for bit, player in enumerate(turn):
            index |= ((masks >> player) & 1) << bit
        out = out[:, index]
    return out


def _r2_solve(C: np.ndarray, groups: list[list[int]], chunk_size: int) -> np.ndarray:
    """R² of all group subsets by batched linear solves, subsets of equal size together."""
    q = C.shape[-1]
    y = q - 1
    g = len(groups)
    member = np.zeros((g, y), dtype=bool)
    for i, cols in enumerate(groups):
        member[i, cols] = True
    out = np.zeros((C.shape[0], 2**g))
    xs = [j for cols in groups for j in cols]
    for b, R in enumerate(C):
        used = R[np.ix_(xs + [y], xs + [y])]
        if not np.isfinite(used).all() or np.linalg.eigvalsh(used[:-1, :-1]).min() <= _COLLINEAR_TOL:
            out[b] = np.nan  # constant or collinear drivers: no unique fit
            continue
        for start in range(1, 2**g, chunk_size):
            masks = np.arange(start, min(start + chunk_size, 2**g))
            bits = ((masks[:, None] >> np.arange(g)) & 1).astype(bool)
            cols = (bits.astype(np.int64) @ member.astype(np.int64)) > 0
            counts = cols.sum(axis=1)
            for k in np.unique(counts):
                sel = counts == k
                idx = np.nonzero(cols[sel])[1].reshape(-1, k)
                A = R[idx[:, :, None], idx[:, None, :]]
                r = R[idx, y]
                try:
                    x = np.linalg.solve(A, r[:, :, None])[:, :, 0]
                except np.linalg.LinAlgError:
                    out[b] = np.nan
                    break
                out[b, masks[sel]] = np.einsum("ij,ij->i", r, x)
    return out


def r2_all_subsets(
    corr: np.ndarray,
    groups: list[list[int]] | None = None,
    *,
    method: str = "schur",
    chunk_size: int = 2**15,
) -> np.ndarray:
    """R² of the regression of the outcome on every subset of players, from a correlation matrix.

    Parameters
    ----------
    corr : array, shape (p+1, p+1), or a stack (..., p+1, p+1)
        Correlation (or covariance: only correlations are used) matrix of the ``p``
        driver columns and the outcome, **outcome last**.
    groups : list of lists of int, optional
        The players, each a list of driver column indices (a categorical driver's dummy
        columns form one player). Default: one player per column. Columns in no group
        are left out of every model.
    method : {"schur", "solve"}
        ``"schur"`` (default): one elimination tree over the players. Each node holds
        the correlation matrix of the undecided columns and the outcome, conditional on
        the players taken in so far (a Schur complement); a player is left out (its
        columns dropped) or taken in (its columns eliminated), so all ``2**g`` subsets
        cost a few multiply-adds each, processed level by level on stacked arrays, in
        chunks that bound memory. Each leaf holds ``1 - R²`` (the outcome's
        unexplained share). ``"solve"``: the textbook route, ``R² = r' R⁻¹ r`` by
        ``numpy.linalg.solve`` on stacks of subsets with the same number of columns, in
        chunks of ``chunk_size`` subsets; slower, kept as a cross-check.
    chunk_size : int
        Subsets per batch for ``method="solve"``.

    Returns
    -------
    array, shape (2**g,) (or (..., 2**g) for a stack)
        ``r2[mask]`` is the R² with the players whose bits are set in ``mask``
        (bit ``i`` = ``groups[i]``); ``r2[0] == 0``. For a stack, an entry whose drivers
        are perfectly collinear (or constant) gives NaN; a single matrix raises
        :class:`DataError`.

    Examples
    --------
    Two drivers correlated 0.5 with each other and 0.6 and 0.4 with the outcome:

    >>> C = [[1, .5, .6], [.5, 1, .4], [.6, .4, 1]]
    >>> r2_all_subsets(C).round(4).tolist()
    [0.0, 0.36, 0.16, 0.3733]
    >>> r2_all_subsets(C, [[0, 1]]).round(4).tolist()
    [0.0, 0.3733]
    """
    C = _as_corr(corr)
    lead = C.shape[:-2]
    stack = C.reshape((-1,) + C.shape[-2:])
    players = _player_groups(groups, C.shape[-1] - 1)
    if method == "schur":
        out = _r2_schur(stack, players)
    elif method == "solve":
        out = _r2_solve(stack, players, max(1, int(chunk_size)))
    else:
        raise ParameterError(f"Unknown method {method!r}; use 'schur' (default) or 'solve'.")
    if not lead and np.isnan(out).any():
        raise DataError(_singular_message(C, players))
    return out.reshape(lead + (out.shape[-1],))


def _singular_message(C: np.ndarray, players: list[list[int]]) -> str:
    cols = sorted(j for g in players for j in g)
    R = C[np.ix_(cols, cols)]
    flat = [cols[j] for j in range(len(cols)) if not np.isfinite(R[j, j])]
    if flat:
        return (f"Driver column(s) {flat} have no spread (constant): they cannot explain "
                "anything. Leave them out.")
    values, vectors = np.linalg.eigh(R)
    involved = sorted({cols[j] for v in vectors[:, values < _COLLINEAR_TOL * 10].T
                       for j in np.nonzero(np.abs(v) > 1e-6)[0]})
    return (f"The drivers' correlation matrix is singular: columns {involved} are perfectly "
            "collinear (one is an exact combination of the others). Drop one of them.")


def shapley_from_r2(r2: np.ndarray, n_players: int) -> np.ndarray:
    """Exact Shapley values (LMG) of the players from the R² of every subset.

    ``phi_j = sum over S without j of |S|! (g - |S| - 1)! / g! * (R²(S + j) - R²(S))``:
    player ``j``'s gain in R² averaged over all orders of entry. They sum to
    ``r2[-1]``, the R² of the full model.

    Parameters
    ----------
    r2 : array, shape (2**n_players,) or (..., 2**n_players)
        As returned by :func:`r2_all_subsets` (bit ``i`` of the index = player ``i``).
    n_players : int

    Examples
    --------
    >>> r2 = [0.0, 0.36, 0.16, 0.28 / 0.75]
    >>> shapley_from_r2(r2, 2).round(5).tolist()
    [0.28667, 0.08667]
    """
    r2 = np.asarray(r2, dtype=float)
    g = int(n_players)
    if g < 1 or r2.shape[-1] != 2**g:
        raise ParameterError(
            f"r2 must hold 2**n_players = {2**max(g, 0)} values (one per subset); "
            f"got {r2.shape[-1] if r2.ndim else 0}."
        )
    lead = r2.shape[:-1]
    masks = np.arange(2**g)
    sizes = np.zeros(2**g, dtype=np.int64)
    for b in range(g):
        sizes += (masks >> b) & 1
    weight_by_size = np.array([1.0 / (g * comb(g - 1, s)) for s in range(g)] + [0.0])
    weights = weight_by_size[sizes]
    out = np.empty(lead + (g,))
    for j in range(g):
        shape = lead + (2 ** (g - 1 - j), 2, 2**j)
        v = r2.reshape(shape)
        w = weights.reshape(shape[-3:])[:, 0, :]
        out[..., j] = np.sum((v[..., :, 1, :] - v[..., :, 0, :]) * w, axis=(-2, -1))
    return out


def lmg(corr, groups: list[list[int]] | None = None) -> np.ndarray:
    """LMG (exact Shapley) share of R² of each driver or group, from a correlation matrix.

    Parameters
    ----------
    corr : array, shape (p+1, p+1)
        Correlation or covariance matrix of the drivers and the outcome, outcome last.
    groups : list of lists of int, optional
        Players as lists of driver column indices; default one per column.

    Returns
    -------
    array, shape (g,): non-negative, summing to the full model's R².

    Examples
    --------
    >>> C = [[1, .5, .6], [.5, 1, .4], [.6, .4, 1]]
    >>> lmg(C).round(5).tolist()
    [0.28667, 0.08667]
    """
    players = _player_groups(groups, np.shape(corr)[-1] - 1)
    return shapley_from_r2(r2_all_subsets(corr, players), len(players))


def _relative_weights_stack(C: np.ndarray, players: list[list[int]]) -> np.ndarray:
    """Johnson's raw weights for a stack of correlation matrices; NaN when singular."""
    cols = [j for g in players for j in g]
    y = C.shape[-1] - 1
    out = np.full(C.shape[:-2] + (len(players),), np.nan)
    finite = np.isfinite(C).all(axis=(-2, -1))
    if not finite.any():
        return out
    Rxx = C[finite][:, cols][:, :, cols]
    rxy = C[finite][:, cols, y]
    values, vectors = np.linalg.eigh(Rxx)
    ok = values.min(axis=-1) > _COLLINEAR_TOL
    values = np.clip(values, _COLLINEAR_TOL, None)
    # Lambda = Rxx^(1/2): the correlations of the drivers with their orthogonal counterparts.
    lam = (vectors * np.sqrt(values)[:, None, :]) @ np.swapaxes(vectors, -1, -2)
    inv_half = (vectors / np.sqrt(values)[:, None, :]) @ np.swapaxes(vectors, -1, -2)
    beta = np.einsum("bij,bj->bi", inv_half, rxy)
    raw = np.einsum("bij,bj->bi", lam**2, beta**2)
    position = np.cumsum([0] + [len(g) for g in players])
    grouped = np.stack([raw[:, position[i]:position[i + 1]].sum(axis=1)
                        for i in range(len(players))], axis=1)
    grouped[~ok] = np.nan
    out[finite] = grouped
    return out


def relative_weights(corr, groups: list[list[int]] | None = None) -> np.ndarray:
    """Johnson's (2000) relative weights of the drivers, from a correlation matrix.

    With ``Rxx = V diag(e) V'`` the drivers' correlation matrix, ``Lambda = Rxx^(1/2)``
    holds the correlations of the drivers with their closest orthogonal counterparts
    ``Z``; ``beta = Lambda^-1 rxy`` are the outcome's standardised coefficients on
    ``Z``, and driver ``j``'s raw weight is ``sum_k Lambda_jk^2 beta_k^2``. The raw
    weights sum to R².

    For a group (a categorical driver's dummy columns) the weight is the **sum of its
    members' weights**. Unlike LMG for a group, this depends on which columns code the
    categorical (e.g. which level is the reference); use LMG when groups matter.

    Parameters
    ----------
    corr : array, shape (p+1, p+1)
        Correlation or covariance matrix of the drivers and the outcome, outcome last.
    groups : list of lists of int, optional
        Players as lists of driver column indices; default one per column.

    Examples
    --------
    Two drivers: the relative weights equal LMG (a known identity):

    >>> C = [[1, .5, .6], [.5, 1, .4], [.6, .4, 1]]
    >>> relative_weights(C).round(5).tolist()
    [0.28667, 0.08667]
    """
    C = _as_corr(corr)
    if C.ndim != 2:
        raise ParameterError(f"corr must be one square matrix; got shape {C.shape}.")
    players = _player_groups(groups, C.shape[-1] - 1)
    out = _relative_weights_stack(C[None], players)[0]
    if np.isnan(out).any():
        raise DataError(_singular_message(C, players))
    return out


# ------------------------------------------------------------------ the analysis


@dataclass(frozen=True)
class ImportanceResult:
    """Outcome of :func:`relative_importance`.

    Attributes
    ----------
    table : DataFrame
        One row per driver, sorted by LMG (largest first; ties by name): ``driver``,
        ``n``, ``lmg``, ``lmg_ci_low``, ``lmg_ci_high``, ``lmg_share`` (% of R²),
        ``relative_weight``, ``rw_ci_low``, ``rw_ci_high``, ``rw_share`` (% of R²),
        ``lmg_share_ci_low``, ``lmg_share_ci_high`` (bootstrap interval of the share),
        ``rank``, ``noise_p``, ``noise_p_adj``, ``significant``, ``small_n``,
        ``conf``, ``method``. Importances are on the R² scale (0..1).
    r2 : float
        R² of the model with every driver (least squares, weighted when weights are given).
    r2_ci : tuple of float
        Its percentile bootstrap interval (NaN without bootstrap).
    noise : dict
        The random-noise predictor's own ``lmg`` with ``ci_low`` and ``ci_high``
        (in the model with every driver plus the noise), the yardstick of the check.
    n_used : int
        Rows used.
    n_eff : float
        Kish's effective sample size of the weights (``n_used`` without weights).
    set_aside : DataFrame
        Rows not used, by ``reason``, with ``rows``.
    n_boot : int
        Bootstrap replicates used (degenerate resamples are skipped; see ``warnings``).
    method : str
        What was computed, in words.
    warnings : list of str
    replicates : DataFrame
        One row per bootstrap replicate: ``R²``, each driver's LMG (a column per driver)
        and, with the noise check, ``noise predictor`` (its LMG) and each driver's LMG in
        the same model (columns ``with noise: <driver>``).
    """

    table: pd.DataFrame
    r2: float
    r2_ci: tuple[float, float]
    noise: dict
    n_used: int
    n_eff: float
    set_aside: pd.DataFrame
    outcome: str
    conf: float
    alpha: float
    correction: str
    n_boot: int
    method: str
    warnings: list[str] = field(default_factory=list)
    replicates: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def summary(self, labels: dict | None = None) -> str:
        """The decomposition in one sentence, largest drivers first.

        ``labels`` maps driver names to readable ones (``{"frt": "first response time"}``).
        """
        t = self.table.assign(driver=self.table["driver"].map(
            lambda d: (labels or {}).get(d, d)))
        level = f"{self.conf * 100:g}%"
        ci = ("" if not np.isfinite(self.r2_ci[0]) else
              f"{level} CI {self.r2_ci[0]:.2f}-{self.r2_ci[1]:.2f}, ")
        head = f"Of R² = {self.r2:.2f} ({ci}n={self.n_used:,})"
        parts = [f"{r.driver} explains {r.lmg_share:.0f}%" if i == 0 else f"{r.driver} {r.lmg_share:.0f}%"
                 for i, r in enumerate(t.head(3).itertuples())]
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        rest = len(t) - len(parts)
        listed += f" (the other {rest} driver{'s' if rest > 1 else ''} share the rest)" if rest else ""
        if t["significant"].isna().all():
            check = "no check against a random-noise predictor was run"
        else:
            hits = t.loc[t["significant"].fillna(False).astype(bool), "driver"].tolist()
            label = {"holm": "Holm-adjusted", "bh": "BH-adjusted", "fdr_bh": "BH-adjusted",
                     "none": "unadjusted"}[self.correction]
            check = (f"{len(hits)} of {len(t)} driver{'s' if len(t) > 1 else ''} beat a random-noise "
                     f"predictor ({label} p < {self.alpha:g})")
            if hits and len(hits) <= 3:
                check += ": " + ", ".join(hits)
        return f"{head}, {listed}; {check}."

    def _repr_html_(self) -> str:
        shown = [c for c in ("driver", "n", "lmg", "lmg_ci_low", "lmg_ci_high", "lmg_share",
                             "lmg_share_ci_low", "lmg_share_ci_high", "relative_weight",
                             "rw_ci_low", "rw_ci_high", "rank", "noise_p_adj", "significant",
                             "small_n", "conf") if c in self.table.columns]
        return result_html(self.summary(), self.table[shown], method=self.method,
                           warnings=self.warnings, conf=self.conf)


def _driver_map(drivers) -> dict[str, list[str]]:
    if isinstance(drivers, str):
        drivers = [drivers]
    if isinstance(drivers, Mapping):
        out = {}
        for name, cols in drivers.items():
            cols = [cols] if isinstance(cols, str) else list(cols)
            if not cols or not all(isinstance(c, str) for c in cols):
                raise ParameterError(
                    f"Driver {name!r} must list its column names (strings), e.g. "
                    f"{{'channel': ['channel_email', 'channel_phone']}}; got {cols!r}."
                )
            out[str(name)] = cols
    else:
        drivers = list(drivers)
        if not all(isinstance(c, str) for c in drivers):
            raise ParameterError(f"drivers must be column names; got {show_values(drivers)}.")
        if len(set(drivers)) < len(drivers):
            twice = [c for c in drivers if drivers.count(c) > 1]
            raise ParameterError(f"Driver {twice[0]!r} is listed twice; give each driver once.")
        out = {c: [c] for c in drivers}
    if not out:
        raise ParameterError("drivers is empty: give at least one driver column.")
    columns = [c for cols in out.values() for c in cols]
    if len(set(columns)) < len(columns):
        twice = [c for c in columns if columns.count(c) > 1]
        raise ParameterError(
            f"Column {twice[0]!r} belongs to more than one driver; give each column once."
        )
    if len(out) > MAX_PLAYERS:
        raise ParameterError(
            f"{len(out)} drivers is more than the {MAX_PLAYERS} an exact Shapley decomposition "
            "handles (2**drivers subsets): group related columns into one driver with a dict."
        )
    return out


def _numeric(data: pd.DataFrame, column: str, role: str) -> np.ndarray:
    s = data[column]
    if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
        values = show_values(s.dropna().tolist())
        if role == "outcome":
            hint = "Code it as numbers first, e.g. 1 = satisfied and 0 = not, or the score."
        elif role == "weight":
            hint = "Give numeric weights."
        else:
            hint = ("Relative importance needs numbers: give a categorical driver as its dummy "
                    "columns in a dict, e.g. dummies = pd.get_dummies(data[col], prefix=col, "
                    "drop_first=True, dtype=float) and drivers={col: list(dummies.columns)}.")
        raise DataError(f"The {role} column {column!r} is not numeric (values: {values}). {hint}")
    return s.to_numpy(dtype="float64", na_value=np.nan)


def _check_parameters(n_boot, conf, alpha, correction, min_n) -> None:
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise ParameterError(f"n_boot must be a whole number >= 0 (for example 1000); got {n_boot!r}.")
    for name, value, example in (("conf", conf, 0.95), ("alpha", alpha, 0.05)):
        if not isinstance(value, (int, float)) or not 0 < value < 1:
            raise ParameterError(f"{name} must be between 0 and 1 (for example {example}); got {value!r}.")
    if correction not in CORRECTIONS:
        raise ParameterError(f"Unknown correction {correction!r}; use 'holm' (default), 'bh' or 'none'.")
    if isinstance(min_n, bool) or not isinstance(min_n, (int, np.integer)) or min_n < 0:
        raise ParameterError(f"min_n must be a whole number >= 0 (for example 30); got {min_n!r}.")


def _prepare(data, outcome, groups, weights):
    """Numeric arrays of the usable rows, and the rows set aside by reason."""
    columns = [c for cols in groups.values() for c in cols]
    if outcome in columns:
        raise ParameterError(f"The outcome {outcome!r} is also listed as a driver; remove it from drivers.")
    if weights is not None and weights in [outcome, *columns]:
        raise ParameterError(f"The weight column {weights!r} is also the outcome or a driver.")
    needed = [outcome, *columns] + ([weights] if weights is not None else [])
    require_columns(data, needed, "Column(s) {missing} not found; the data has {found}. "
                                  "Check the outcome, drivers and weights names.")
    y = _numeric(data, outcome, "outcome")
    X = np.column_stack([_numeric(data, c, "driver") for c in columns])
    w = np.ones(len(data)) if weights is None else _numeric(data, weights, "weight")
    if weights is not None:
        bad = np.isfinite(w) & (w < 0)
        if bad.any():
            raise DataError(
                f"The weight column {weights!r} has {int(bad.sum())} negative value(s) "
                f"({show_values(w[bad].tolist())}). Weights must be >= 0: fix or drop those rows."
            )
        if not np.nansum(np.where(np.isfinite(w), w, 0.0)) > 0:
            raise DataError(
                f"The weights in {weights!r} sum to zero (or are all missing): no row would "
                "count. Give positive weights, or leave weights out."
            )
    owner = {c: name for name, cols in groups.items() for c in cols}
    reasons = np.full(len(data), "", dtype=object)
    checks = [(f"outcome {outcome!r} missing or not finite", ~np.isfinite(y))]
    for j, c in enumerate(columns):
        label = f"driver {c!r}" if owner[c] == c else f"driver {owner[c]!r} (column {c!r})"
        checks.append((f"{label} missing or not finite", ~np.isfinite(X[:, j])))
    if weights is not None:
        checks += [(f"weight {weights!r} missing or not finite", ~np.isfinite(w)),
                   (f"weight {weights!r} is zero", np.isfinite(w) & (w == 0))]
    for reason, mask in checks:
        reasons[(reasons == "") & mask] = reason
    used = reasons == ""
    order = [r for r, _ in checks]
    counts = pd.Series(reasons[~used], dtype=object).value_counts()
    set_aside = pd.DataFrame({"reason": [r for r in order if r in counts.index],
                              "rows": [int(counts[r]) for r in order if r in counts.index]})
    return X[used], y[used], w[used], set_aside


def _check_data(X, y, w, outcome, groups, weights) -> None:
    columns = [c for cols in groups.values() for c in cols]
    owner = {c: name for name, cols in groups.items() for c in cols}
    n, p = X.shape
    if weights is not None and n and w.sum() <= 0:
        raise DataError(f"The weights in {weights!r} sum to zero over the usable rows; give positive weights.")
    if n < p + 2:
        raise DataError(
            f"Only {n} usable row(s) for {len(groups)} driver(s) with {p} column(s): relative "
            f"importance needs at least {p + 2} rows (driver columns + 2), and many more for "
            "stable results. Use fewer drivers or more data; see set_aside for the rows left out."
        )
    values = np.unique(y)
    if len(values) < 2:
        kind = "one class only" if values[0] in (0, 1) else "one value only"
        raise DataError(
            f"The outcome {outcome!r} has {kind} ({values[0]:g}) in all {n} usable rows: "
            "there is nothing to explain. Check the filter or choose another outcome."
        )
    flat = [c for j, c in enumerate(columns) if np.ptp(X[:, j]) == 0]
    if flat:
        names = ", ".join(repr(c) if owner[c] == c else f"{owner[c]!r} (column {c!r})" for c in flat)
        raise DataError(
            f"Driver {names} is constant ({X[0, columns.index(flat[0])]:g} in every usable "
            "row): it cannot explain anything. Leave it out."
        )
    R = weighted_corr(X, w)
    values, vectors = np.linalg.eigh(R)
    if values.min() <= _COLLINEAR_TOL:
        involved = sorted({j for v in vectors[:, values <= _COLLINEAR_TOL * 10].T
                           for j in np.nonzero(np.abs(v) > 1e-6)[0]})
        names = ", ".join(repr(columns[j]) if owner[columns[j]] == columns[j]
                          else f"{owner[columns[j]]!r} (column {columns[j]!r})" for j in involved)
        raise DataError(
            f"Drivers {names} are perfectly collinear: one is an exact combination of the "
            "others (e.g. a total and its parts, the same measure in two units, or every "
            "dummy column of a categorical), so their shares cannot be told apart. Drop one "
            "of them (for a categorical, leave one level out as the reference)."
        )


def _percentile(values: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    if len(values) == 0:
        nan = np.full(values.shape[1:], np.nan)
        return nan, nan
    low, high = np.quantile(values, [(1 - conf) / 2, 1 - (1 - conf) / 2], axis=0)
    return low, high


def _bootstrap(M, w, players, noise, n_boot, rng, progress):
    """Replicate LMG (with and without noise), relative weights and R²; skips degenerate ones.

    Each replicate draws its resample counts and then (with ``noise``) its noise column
    from ``rng``, in that order; replicates are then computed in chunks
    (:func:`_resampled_covariances`), so the numbers depend only on the seed.
    """
    n, q = M.shape
    g = len(players)
    all_players = players + ([[q - 2]] if noise else [])
    G = len(all_players)
    mean = w @ M / w.sum()
    work = M - mean
    spread = (w @ work**2) / w.sum()  # a resample with almost none of it is degenerate
    if noise:
        spread[q - 2] = 1.0
    fixed = np.delete(work, q - 2, axis=1) if noise else work  # the drivers and the outcome
    chunk = max(1, min(256, _BUDGET // (2**G * 4), _BUDGET // (2 * n)))
    lmg_rows, noisy_rows, rw_rows, r2_rows = [], [], [], []
    from tqdm import tqdm  # the plain bar: tqdm.auto warns in notebooks without widgets

    bar = tqdm(total=n_boot, desc="bootstrap", unit="rep", disable=not progress, file=sys.stderr)
    done = 0
    while done < n_boot:
        size = min(chunk, n_boot - done)
        counts = np.empty((size, n))
        draws = np.empty((size, n)) if noise else None
        for i in range(size):
            counts[i] = np.bincount(rng.integers(0, n, n), minlength=n)
            if noise:
                draws[i] = rng.standard_normal(n)
        covs = _resampled_covariances(fixed, counts * w, draws, q - 2 if noise else None)
        diagonal = np.diagonal(covs, axis1=1, axis2=2)
        flat = diagonal <= 1e-10 * spread
        if flat.any():  # a driver constant in the resample: no correlation defined
            covs[np.nonzero(flat)[0], np.nonzero(flat)[1], np.nonzero(flat)[1]] = 0.0
        C = _cov_to_corr(covs)
        r2 = _r2_schur(C, all_players)
        base = r2[:, : 2**g]
        lmg_rows.append(shapley_from_r2(base, g))
        noisy_rows.append(shapley_from_r2(r2, G) if noise else np.empty((size, 0)))
        keep = [j for grp in players for j in grp] + [q - 1]
        rw_rows.append(_relative_weights_stack(C[:, keep][:, :, keep], _renumber(players)))
        r2_rows.append(base[:, -1])
        done += size
        bar.update(size)
    bar.close()
    stack = [np.concatenate(rows) for rows in (lmg_rows, noisy_rows, rw_rows)] + [np.concatenate(r2_rows)]
    valid = np.all([np.isfinite(a).all(axis=1) if a.ndim == 2 else np.isfinite(a) for a in stack], axis=0)
    return [a[valid] for a in stack], int((~valid).sum())


def _resampled_covariances(fixed: np.ndarray, counts: np.ndarray, draws: np.ndarray | None,
                           at: int | None) -> np.ndarray:
    """Weighted covariance matrices of a chunk of bootstrap replicates, shape (B, q, q).

    ``fixed`` (n, k) holds the centred columns every replicate shares, ``counts`` (B, n)
    each replicate's row weights (resample counts times the case weights), ``draws``
    (B, n) each replicate's own noise column, inserted at column ``at``. For replicate
    ``b`` this is ``X_b' diag(c_b) X_b / s_b - mu_b mu_b'`` with ``X_b`` the shared
    columns and the noise column. The shared cross-products of all replicates come from
    one matrix product, ``counts @ (x_i x_j)`` over the pairs ``i <= j``, in blocks of
    rows: a replicate loop of ``X' diag(c) X`` products costs twice the arithmetic and,
    with a threaded BLAS, stalls on every small product.
    """
    size, n = counts.shape
    k = fixed.shape[1]
    s = counts.sum(axis=1)
    mu = counts @ fixed / s[:, None]
    upper, lower = np.triu_indices(k)
    cross = np.zeros((size, len(upper)))
    rows = max(1, _BUDGET // (4 * len(upper)))
    for start in range(0, n, rows):
        part = fixed[start:start + rows]
        cross += counts[:, start:start + rows] @ (part[:, upper] * part[:, lower])
    shared = np.empty((size, k, k))
    shared[:, upper, lower] = cross
    shared[:, lower, upper] = cross
    shared = shared / s[:, None, None] - mu[:, :, None] * mu[:, None, :]
    if draws is None:
        return shared
    weighted = counts * draws
    mu_noise = weighted.sum(axis=1) / s
    with_shared = weighted @ fixed / s[:, None] - mu_noise[:, None] * mu
    own = np.einsum("bi,bi->b", weighted, draws) / s - mu_noise**2
    place = np.array([j for j in range(k + 1) if j != at])
    covs = np.empty((size, k + 1, k + 1))
    covs[:, place[:, None], place[None, :]] = shared
    covs[:, at, place] = with_shared
    covs[:, place, at] = with_shared
    covs[:, at, at] = own
    return covs


def _noise_yardstick(noise: np.ndarray, players: list[list[int]], rng) -> np.ndarray:
    """Per replicate and driver, the LMG a pure-noise driver of the same width would get.

    Chance R² grows with a driver's columns: a categorical coded by k dummies is compared
    with k independent noise columns. Independent noise columns add their R² almost
    exactly, so k columns' LMG is drawn as the sum of k noise-predictor LMGs taken from
    random replicates (seeded), which keeps the chi-square-like spread of k columns
    (k times one draw would be far too wide).
    """
    out = np.empty((len(noise), len(players)))
    for j, player in enumerate(players):
        k = len(player)
        out[:, j] = noise if k == 1 else noise[rng.integers(0, len(noise), (len(noise), k))].sum(axis=1)
    return out


def _renumber(players: list[list[int]]) -> list[list[int]]:
    """Groups renumbered 0.. in order, for a matrix restricted to the grouped columns."""
    out, start = [], 0
    for grp in players:
        out.append(list(range(start, start + len(grp))))
        start += len(grp)
    return out


def _method_text(binary, weights, n_boot, conf, noise, correction, seed) -> str:
    text = ("LMG (exact Shapley decomposition of R², Lindeman-Merenda-Gold) and Johnson's "
            "relative weights, from the " + ("weighted " if weights else "") + "correlation matrix")
    if binary:
        text += "; outcome 0/1, so R² of the linear probability model (as relaimpo and rwa)"
    if n_boot:
        text += f"; {conf * 100:g}% percentile bootstrap intervals ({n_boot:,} resamples of rows, seed {seed})"
        if noise:
            label = {"holm": "Holm", "bh": "Benjamini-Hochberg", "fdr_bh": "Benjamini-Hochberg",
                     "none": "no"}[correction]
            text += ("; significant = LMG above that of random noise with as many columns "
                     "as the driver, in the bootstrap (Tonidandel, LeBreton & "
                     f"Johnson 2009), {label} correction")
    return text


def relative_importance(
    data: pd.DataFrame,
    outcome: str,
    drivers: list[str] | dict[str, list[str]],
    *,
    weights: str | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    conf: float = 0.95,
    alpha: float = 0.05,
    correction: str = "holm",
    noise: bool = True,
    min_n: int = 30,
    progress: bool = False,
) -> ImportanceResult:
    """How much of the outcome's explained variation each driver accounts for, with intervals.

    The model is the least-squares regression of ``outcome`` on all drivers (weighted
    when ``weights`` is given). Its R² is split exactly among the drivers by LMG (the
    Shapley value) and, beside it, by Johnson's relative weights; both come from the
    weighted correlation matrix, so they do not change when a driver is rescaled or
    shifted. A 0/1 outcome is allowed: R² is then that of the linear probability
    model, as in R's relaimpo and rwa.

    Bootstrap: ``n_boot`` resamples of the rows (each row keeps its weight), drawn from
    ``numpy.random.default_rng(seed)``; percentile intervals at level ``conf``. Each
    replicate needs one weighted pass over the rows and the R² of ``2**(drivers + 1)``
    subsets: under a millisecond for 8 drivers on 5,000 rows, about 35 ms for 15 drivers
    on 100,000 rows, about 0.4 s for 20 drivers (benchmarks/README.md).
    Resamples in which a driver is constant (a rare category) are skipped and counted
    in ``warnings``.

    Noise check (``noise=True``): a standard-normal random predictor is added as an
    extra player, drawn afresh in every replicate. A driver's one-sided p-value is
    ``(1 + #replicates where its LMG <= the noise's) / (1 + replicates)``, adjusted
    across drivers (``correction``, Holm by default); it is ``significant`` when the
    adjusted p is below ``alpha`` and ``n >= min_n``. A driver unrelated to the outcome
    is flagged at most about ``alpha`` of the time (usually far less), unlike "the
    interval of its weight excludes zero", which is nearly always true.

    Parameters
    ----------
    data : DataFrame
    outcome : str
        Numeric outcome column (a score, or 0/1 such as satisfied).
    drivers : list of str, or dict of str to list of str
        Numeric driver columns; or ``{driver name: [columns]}`` to treat several columns
        (the dummy columns of a categorical, leaving one level out) as one driver.
    weights : str, optional
        Column of non-negative case weights. Rows with weight 0 are set aside.
    n_boot : int
        Bootstrap replicates; 0 skips intervals and the noise check.
    seed : int
        Seed of the random numbers (noise predictor and resamples): same seed, same result.
    conf : float
        Level of the intervals.
    alpha : float
        Significance level of the noise check.
    correction : {"holm", "bh", "none"}
        Multiple-testing adjustment of the noise-check p-values across drivers.
    noise : bool
        Run the noise check.
    min_n : int
        Fewer usable rows than this flag every driver ``small_n`` and none is significant.
    progress : bool
        Show a progress bar of the bootstrap (on stderr).

    Returns
    -------
    ImportanceResult
        ``.table`` (one row per driver), ``.r2``, ``.r2_ci``, ``.noise``, ``.n_used``,
        ``.set_aside``, ``.summary()``; see :class:`ImportanceResult`.

    Raises
    ------
    MissingColumnError, DataError, ParameterError
        Absent columns; a non-numeric column, constant driver or outcome, too few rows,
        perfectly collinear drivers, negative or zero-sum weights; bad arguments.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> frt, contacts, other = rng.normal(size=(3, 300))
    >>> score = 2 * frt + contacts + rng.normal(size=300)
    >>> df = pd.DataFrame({"score": score, "frt": frt, "contacts": contacts, "other": other})
    >>> res = relative_importance(df, "score", ["frt", "contacts", "other"], n_boot=200)
    >>> res.table[["driver", "lmg", "lmg_ci_low", "lmg_ci_high", "significant"]].round(2)
         driver   lmg  lmg_ci_low  lmg_ci_high  significant
    0       frt  0.61        0.54         0.67         True
    1  contacts  0.20        0.14         0.26         True
    2     other  0.01        0.00         0.02        False
    >>> res.summary()
    'Of R² = 0.82 (95% CI 0.78-0.86, n=300), frt explains 75%, contacts 24% and other 1%; 2 of 3 drivers beat a random-noise predictor (Holm-adjusted p < 0.05): frt, contacts.'
    """
    _check_parameters(n_boot, conf, alpha, correction, min_n)
    if not isinstance(data, pd.DataFrame):
        raise ParameterError(f"data must be a pandas DataFrame; got {type(data).__name__}.")
    if not isinstance(outcome, str) or (weights is not None and not isinstance(weights, str)):
        raise ParameterError("outcome and weights must be column names (strings).")
    groups = _driver_map(drivers)
    if noise and len(groups) >= MAX_PLAYERS:
        raise ParameterError(
            f"{len(groups)} drivers plus the noise predictor exceed the {MAX_PLAYERS} players "
            "an exact Shapley decomposition handles: group related columns, or noise=False."
        )
    X, y, w, set_aside = _prepare(data, outcome, groups, weights)
    _check_data(X, y, w, outcome, groups, weights)
    n, p = X.shape
    players = _renumber(list(groups.values()))
    g = len(players)
    rng = np.random.default_rng(seed)
    binary = bool(np.isin(np.unique(y), [0.0, 1.0]).all())

    columns = [X] + ([rng.standard_normal(n)[:, None]] if noise else []) + [y[:, None]]
    M = np.hstack(columns)
    C = weighted_corr(M, w)
    all_players = players + ([[p]] if noise else [])
    r2_table = r2_all_subsets(C, all_players)
    point_lmg = shapley_from_r2(r2_table[: 2**g], g)
    point_noise = shapley_from_r2(r2_table, g + 1)[-1] if noise else np.nan
    keep = list(range(p)) + [M.shape[1] - 1]
    point_rw = relative_weights(C[np.ix_(keep, keep)], players)
    r2 = float(r2_table[2**g - 1])

    warnings: list[str] = []
    if n_boot:
        (boot_lmg, boot_noisy, boot_rw, boot_r2), skipped = _bootstrap(
            M, w, players, noise, n_boot, rng, progress)
        if skipped:
            warnings.append(
                f"{skipped} of {n_boot} bootstrap resamples were skipped: a driver was constant "
                "or collinear in them (rare categories?). Intervals use the other "
                f"{n_boot - skipped}."
            )
    else:
        boot_lmg = boot_rw = np.empty((0, g))
        boot_noisy = np.empty((0, g + 1 if noise else 0))
        boot_r2 = np.empty(0)
    B = len(boot_r2)
    lmg_low, lmg_high = _percentile(boot_lmg, conf)
    rw_low, rw_high = _percentile(boot_rw, conf)
    r2_low, r2_high = _percentile(boot_r2, conf)
    with np.errstate(divide="ignore", invalid="ignore"):
        share_low, share_high = _percentile(100 * boot_lmg / boot_r2[:, None], conf) \
            if B else (np.full(g, np.nan), np.full(g, np.nan))
    small = n < min_n
    if noise and B:
        beaten = (boot_noisy[:, :g] <= _noise_yardstick(boot_noisy[:, g], players, rng)).sum(axis=0)
        p_raw = (1 + beaten) / (1 + B)
        p_adj = adjust_pvalues(p_raw, correction)
        significant = pd.array((p_adj < alpha) & (not small), dtype="boolean")
        noise_low, noise_high = _percentile(boot_noisy[:, g], conf)
        smallest = (g if correction == "holm" else 1) / (1 + B)  # all replicates beat noise
        if smallest >= alpha:
            warnings.append(
                f"With {B} bootstrap replicates the smallest possible adjusted p-value is "
                f"{smallest:.3g}, not below alpha = {alpha:g}: no driver can be significant. "
                "Use more replicates (n_boot)."
            )
    else:
        p_raw = p_adj = np.full(g, np.nan)
        significant = pd.array([pd.NA] * g, dtype="boolean")
        noise_low = noise_high = np.nan
    if small:
        warnings.append(f"Only {n} usable rows (fewer than min_n = {min_n}): every driver is flagged "
                        "small_n and none is called significant.")

    method = _method_text(binary, weights, B, conf, noise, correction, seed)
    with np.errstate(divide="ignore", invalid="ignore"):
        table = pd.DataFrame({
            "driver": list(groups),
            "n": n,
            "lmg": point_lmg,
            "lmg_ci_low": lmg_low,
            "lmg_ci_high": lmg_high,
            "lmg_share": 100 * point_lmg / r2,
            "lmg_share_ci_low": share_low,
            "lmg_share_ci_high": share_high,
            "relative_weight": point_rw,
            "rw_ci_low": rw_low,
            "rw_ci_high": rw_high,
            "rw_share": 100 * point_rw / r2,
            "noise_p": p_raw,
            "noise_p_adj": p_adj,
            "significant": significant,
            "small_n": small,
            "conf": conf,
            "method": method,
        })
    table = table.sort_values(["lmg", "driver"], ascending=[False, True], kind="mergesort")
    table = table.reset_index(drop=True)
    table.insert(table.columns.get_loc("noise_p"), "rank", np.arange(1, g + 1))

    columns = {"R²": boot_r2} | {name: boot_lmg[:, j] for j, name in enumerate(groups)}
    if noise and B:
        columns["noise predictor"] = boot_noisy[:, g]
        columns |= {f"with noise: {name}": boot_noisy[:, j] for j, name in enumerate(groups)}
    replicates = pd.DataFrame(columns)
    return ImportanceResult(
        table=table,
        r2=r2,
        r2_ci=(float(r2_low), float(r2_high)),
        noise={"lmg": float(point_noise), "ci_low": float(noise_low), "ci_high": float(noise_high)},
        n_used=int(n),
        n_eff=float(kish_effective_n(w)),
        set_aside=set_aside,
        outcome=outcome,
        conf=conf,
        alpha=alpha,
        correction=correction,
        n_boot=B,
        method=method,
        warnings=warnings,
        replicates=replicates,
    )


def top_driver_card(result: ImportanceResult, *, labels: Mapping[str, str] | None = None,
                    conf: float = 0.95) -> dict:
    """The headline KPI card of the largest driver: its share of R² with the interval.

    Parameters
    ----------
    result : ImportanceResult
        From :func:`relative_importance` (table ordered largest first).
    labels : mapping, optional
        Driver -> readable name.
    conf : float
        The confidence level of the intervals (for the text).

    Returns
    -------
    dict
        ``label``, ``value``, ``display``, ``detail``, ``sentence``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 2))
    >>> df = pd.DataFrame({"frt": x[:, 0], "wait": x[:, 1],
    ...                    "y": 2 * x[:, 0] + x[:, 1] + rng.normal(size=200)})
    >>> result = relative_importance(df, "y", ["frt", "wait"], n_boot=20, seed=1)
    >>> card = top_driver_card(result, labels={"frt": "first response time"})
    >>> card["label"], card["display"] == f"{result.table['lmg_share'].iloc[0]:.0f}% of R²"
    ('Top driver: first response time', True)
    """
    top = result.table.iloc[0]
    name = (labels or {}).get(top["driver"], str(top["driver"]).replace("_", " "))
    return {"label": f"Top driver: {name}", "value": round(float(top["lmg_share"]), 1),
            "display": f"{top['lmg_share']:.0f}% of R²",
            "detail": f"{100 * conf:g}% CI {top['lmg_share_ci_low']:.0f}-"
                      f"{top['lmg_share_ci_high']:.0f}%, R² = {result.r2:.3f}, "
                      f"n={result.n_used:,}",
            "sentence": result.summary(labels)}
