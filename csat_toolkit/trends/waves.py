"""Survey waves and segment mix: what changed between two rounds, and why.

- :func:`wave_comparison`: a metric per survey wave, each wave against the previous
  one with the metric's two-sample test, Holm-corrected across the waves.
- :func:`transition_matrix`: where the respondents who answered two waves moved
  (detractor / passive / promoter), with every answer accounted for.
- :func:`net_movement`: the paired change of NPS (or any metric) among those
  respondents, with its t interval.
- :func:`mix_shift`: an overall change between two periods split exactly into a
  change of segment mix and changes within the segments.

Waves are a column of the data (``wave="campaign"``) or the calendar periods of
``responded_at`` (quarters by default, as for an NPS campaign every three months).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _st

from ..core import stats
from ..core.comparisons import CORRECTION_NAMES, compare
from ..core.display import result_html
from ..core.text import format_p
from ..errors import DataError, ParameterError, require_columns, show_values
from ..core.metrics import get_metric, metric_table, select_survey
from ..core.scales import Scale, get_scale
from ..core.tally import counts_of, period_labels

__all__ = [
    "WaveComparison",
    "TransitionResult",
    "NetMovementResult",
    "MixShiftResult",
    "wave_comparison",
    "transition_matrix",
    "net_movement",
    "mix_shift",
]

_WAVE = "wave"
_MISSING = "(missing)"


# --- waves ----------------------------------------------------------------------------


def _with_wave(
    data: pd.DataFrame, wave: str | None, period: str, date: str, used: list
) -> tuple[pd.DataFrame, str]:
    """The rows that have a wave (``used`` columns only), and the wave column's name.

    With ``wave=None`` a column ``wave`` holds the calendar period of ``date``.
    """
    keep = [c for c in dict.fromkeys([*used, wave, date, *counts_of(data)])
            if c is not None and c in data.columns]
    if wave is not None:
        require_columns(data, [wave], "Wave column {missing} not found; columns are {found}. "
                        "Pass wave='<column>' or leave wave=None to use the quarters of responded_at.")
        return data.loc[data[wave].notna(), keep], wave
    require_columns(data, [date], "No {missing} column to derive waves from; columns are {found}. "
                    "Map the answer date to 'responded_at' when loading, or pass wave='<column>'.")
    if data[date].isna().all():
        raise DataError(f"Column {date!r} has no dates, so waves cannot be derived from it. "
                        "Pass wave='<column>' naming the survey wave of each answer.")
    framed = data[keep].assign(**{_WAVE: period_labels(data[date], period).to_numpy()})
    return framed[framed[_WAVE].notna()], _WAVE


def _level(value, column: pd.Series):
    """A wave given as text ('2024Q1') in the type of the wave column (a Period ...)."""
    if isinstance(column.dtype, pd.PeriodDtype) and not isinstance(value, pd.Period):
        try:
            return pd.Period(value, freq=column.dtype.freq)
        except (ValueError, TypeError):
            return value
    return value


def _check_level(value, column: pd.Series, name: str):
    level = _level(value, column)
    levels = pd.unique(column)
    if level not in set(levels):
        shown = show_values(sorted(str(v) for v in levels), limit=12)
        raise ParameterError(f"{name}={value!r} is not a wave in the data; waves are {shown}.")
    return level


@dataclass(frozen=True)
class WaveComparison:
    """Outcome of :func:`wave_comparison`.

    ``table`` has one row per wave: the wave, ``n``, ``estimate``, ``ci_low``,
    ``ci_high``, ``small_n`` and, against the previous wave (``reference``),
    ``ref_estimate``, ``difference``, ``difference_ci_low``, ``difference_ci_high``,
    ``p_value``, ``p_adjusted``, ``significant`` (NaN / False for the first wave),
    plus ``test``, ``correction``, ``conf`` and ``metric``.
    """

    table: pd.DataFrame
    wave: str
    dropped: int = 0
    min_n: int | None = None

    def summary(self) -> str:
        """The changes that are significant after correction, and the latest change."""
        rows = self.table.iloc[1:]
        label = get_metric(self.table["metric"].iloc[0]).label
        if rows.empty:
            return f"Only one wave ({self.table[self.wave].iloc[0]}): nothing to compare."
        real = rows[rows["significant"]]
        found = ("Significant changes after correction: " + "; ".join(
            f"{r[self.wave]} {r['difference']:+.1f}" for _, r in real.iterrows()) + "."
                 if len(real) else "No wave-over-wave change is significant after correction.")
        last = rows.iloc[-1]
        value = "{:+.1f}" if self.table["metric"].iloc[0] == "nps" else "{:.1f}"
        return (
            f"{label} {value.format(last['estimate'])} in {last[self.wave]} against "
            f"{value.format(last['ref_estimate'])} in {last['reference']}: {last['difference']:+.1f} "
            f"({last['conf']:.0%} CI {last['difference_ci_low']:+.1f} to "
            f"{last['difference_ci_high']:+.1f}, {_adjusted_p(last)}). {found}"
        )

    def _repr_html_(self) -> str:
        notes = ([f"{self.dropped:,} answers without a usable wave left out."]
                 if self.dropped else [])
        return result_html(self.summary(), self.table, notes=notes, min_n=self.min_n)


def _adjusted_p(row: pd.Series) -> str:
    """'Holm-adjusted p = 0.590' ('unadjusted p ...' without a correction)."""
    name = row.get("correction", "none")
    prefix = "unadjusted" if name in (None, "none") else f"{name}-adjusted"
    return f"{prefix} {format_p(row['p_adjusted'])}"


def wave_comparison(
    data: pd.DataFrame,
    *,
    metric: str = "nps",
    wave: str | None = None,
    period: str = "Q",
    scale: str | Scale | None = None,
    conf: float = 0.95,
    min_n: int = 30,
    correction: str = "holm",
    weight: str | None = None,
    date: str = "responded_at",
) -> WaveComparison:
    """A metric per survey wave, each wave against the previous one.

    Each pair of consecutive waves is compared with the metric's two-sample test
    (:func:`csat_toolkit.comparisons.compare`: NPS difference z test, two-proportion
    z test, Welch's t test); the p-values are then adjusted across the pairs (Holm by
    default). Respondents who answer several waves make the waves positively
    correlated; the independent-samples test ignores that, which makes it
    conservative. :func:`net_movement` gives the paired view.

    Parameters
    ----------
    data : DataFrame
        Canonical responses.
    metric : str
        Any metric of :func:`csat_toolkit.metrics.metric_table` (NPS by default).
    wave : str, optional
        Column naming each answer's wave; by default the calendar ``period`` of
        ``date`` (quarters). Rows without a wave are left out (``dropped``).
    period : {"M", "Q", "Y", ...}
        Period that defines a wave when ``wave`` is None.
    scale, conf, min_n, correction, weight
        As in :func:`csat_toolkit.comparisons.compare`.

    Examples
    --------
    >>> df = pd.DataFrame({"survey": "nps", "campaign": ["spring"] * 100 + ["summer"] * 100,
    ...                    "score": [10] * 50 + [5] * 50 + [10] * 70 + [5] * 30})
    >>> table = wave_comparison(df, wave="campaign").table
    >>> table[["campaign", "estimate", "difference"]].values.tolist()
    [['spring', 0.0, nan], ['summer', 40.0, 40.0]]
    """
    framed, column = _with_wave(data, wave, period, date, ["survey", "score", weight])
    levels = metric_table(framed, metric, by=column, scale=scale, conf=conf, min_n=min_n,
                          weight=weight)
    base = levels[[column, "n", "estimate", "ci_low", "ci_high", "small_n"]].reset_index(drop=True)
    waves = base[column].tolist()
    pairs = [_compare_pair(framed, column, a, b, metric, scale, conf, min_n, weight)
             for a, b in zip(waves[:-1], waves[1:])]
    table = _wave_table(base, pairs, column, correction, conf, metric)
    return WaveComparison(table=table, wave=column, dropped=len(data) - len(framed), min_n=min_n)


def _compare_pair(framed, column, a, b, metric, scale, conf, min_n, weight) -> dict:
    pair = framed[framed[column].isin([a, b])]
    row = compare(pair, metric=metric, by=column, against=a, scale=scale, conf=conf,
                  min_n=min_n, correction="none", weight=weight).iloc[0]
    return {"reference": a, "ref_estimate": row["ref_estimate"], "difference": row["difference"],
            "difference_ci_low": row["ci_low"], "difference_ci_high": row["ci_high"],
            "p_value": row["p_value"], "pair_small_n": bool(row["small_n"]), "test": row["test"]}


def _wave_table(base, pairs, column, correction, conf, metric) -> pd.DataFrame:
    columns = ["reference", "ref_estimate", "difference", "difference_ci_low",
               "difference_ci_high", "p_value", "pair_small_n", "test"]
    first = {c: np.nan for c in columns} | {"reference": None, "pair_small_n": False, "test": ""}
    changes = pd.DataFrame([first] + pairs, columns=columns)
    table = pd.concat([base, changes], axis=1)
    table["p_adjusted"] = stats.adjust_pvalues(table["p_value"], correction)
    alpha = round(1 - conf, 12)
    excludes_zero = (table["difference_ci_low"] > 0) | (table["difference_ci_high"] < 0)
    table["significant"] = (table["p_adjusted"] < alpha) & excludes_zero & ~table["pair_small_n"]
    table["correction"] = CORRECTION_NAMES[correction]
    table["conf"] = conf
    table["metric"] = metric
    return table.drop(columns="pair_small_n")


# --- paired view: matched respondents -------------------------------------------------


def _latest_answers(rows: pd.DataFrame, id: str, date: str) -> pd.DataFrame:
    """The latest answer of each respondent (stable: ties keep the later row)."""
    if date in rows.columns:
        rows = rows.sort_values(date, kind="mergesort", na_position="first")
    return rows.drop_duplicates(id, keep="last")


def _wave_answers(framed, column, level, id, scale, date) -> tuple[pd.DataFrame, dict]:
    rows = framed[framed[column] == level]
    scores = pd.to_numeric(rows["score"], errors="coerce").to_numpy(dtype=float)
    usable = np.isin(scores, scale.points) & ~scale.is_excluded(scores)
    with_id = usable & rows[id].notna().to_numpy()
    latest = _latest_answers(rows[with_id], id, date)
    counts = {"answers": len(rows), "not usable on the scale": int((~usable).sum()),
              "without id": int((usable & ~with_id).sum()),
              "earlier answers of the same respondent": int(with_id.sum() - len(latest)),
              "respondents": len(latest)}
    return latest[[id, "score"]].astype({"score": float}), counts


@dataclass(frozen=True)
class _Matched:
    pairs: pd.DataFrame  # id, score_a, score_b, class_a, class_b
    accounting: pd.DataFrame
    scale: Scale
    wave_a: object
    wave_b: object


def _matched(data, wave_a, wave_b, wave, period, id, scale, date) -> _Matched:
    scale = get_scale(scale, survey="nps")
    require_columns(data, [id, "score"], "Column(s) {missing} not found; columns are {found}. "
                    "The paired view needs a respondent id (id='customer_id') and the score.")
    framed, column = _with_wave(select_survey(data, scale.survey), wave, period, date,
                                ["score", id])
    a = _check_level(wave_a, framed[column], "wave_a")
    b = _check_level(wave_b, framed[column], "wave_b")
    if a == b:
        raise ParameterError(f"wave_a and wave_b are the same wave ({a}); choose two different waves.")
    answers_a, counts_a = _wave_answers(framed, column, a, id, scale, date)
    answers_b, counts_b = _wave_answers(framed, column, b, id, scale, date)
    pairs = answers_a.merge(answers_b, on=id, suffixes=("_a", "_b"))
    if pairs.empty:
        raise DataError(
            f"No respondent ({id!r}) answered both {a} ({counts_a['respondents']} respondents) "
            f"and {b} ({counts_b['respondents']}). Check the id column and the waves."
        )
    pairs["class_a"] = scale.classify(pairs["score_a"])
    pairs["class_b"] = scale.classify(pairs["score_b"])
    accounting = _accounting(counts_a, counts_b, len(pairs), a, b)
    return _Matched(pairs, accounting, scale, a, b)


def _accounting(counts_a: dict, counts_b: dict, matched: int, a, b) -> pd.DataFrame:
    rows = list(counts_a) + ["matched (answered both waves)", "only in this wave"]
    values_a = list(counts_a.values()) + [matched, counts_a["respondents"] - matched]
    values_b = list(counts_b.values()) + [matched, counts_b["respondents"] - matched]
    return pd.DataFrame({"item": rows, str(a): values_a, str(b): values_b})


@dataclass(frozen=True)
class TransitionResult:
    """Outcome of :func:`transition_matrix`.

    Attributes
    ----------
    table : DataFrame
        Tidy: ``from``, ``to``, ``n``, ``row_share`` (share of the ``from`` row, 0..1),
        one row per pair of categories (zeros included).
    counts, shares : DataFrame
        The same as matrices: rows are the category in ``wave_a``, columns in ``wave_b``.
    accounting : DataFrame
        Per wave: answers, answers not usable on the scale, without id, earlier
        answers of the same respondent (only the latest counts), respondents,
        matched, and only in this wave.
    """

    table: pd.DataFrame
    counts: pd.DataFrame
    shares: pd.DataFrame
    accounting: pd.DataFrame
    wave_a: object
    wave_b: object

    @property
    def n_matched(self) -> int:
        return int(self.counts.to_numpy().sum())

    def summary(self) -> str:
        """How many matched, and the shares that stayed, moved up, moved down."""
        values = self.counts.to_numpy()
        up, down = np.triu(values, 1).sum(), np.tril(values, -1).sum()
        n = values.sum()
        return (
            f"{n} respondents answered both {self.wave_a} and {self.wave_b}: "
            f"{up / n:.0%} moved to a better category, {down / n:.0%} to a worse one, "
            f"{np.trace(values) / n:.0%} stayed."
        )

    def _repr_html_(self) -> str:
        counts = self.counts.rename_axis(index=f"{self.wave_a} \u2192 {self.wave_b}")
        return result_html(self.summary(), counts, title=(
            f"Respondents by category in {self.wave_a} (rows) and {self.wave_b} (columns)"))


def transition_matrix(
    data: pd.DataFrame,
    *,
    wave_a,
    wave_b,
    wave: str | None = None,
    period: str = "Q",
    id: str = "customer_id",
    scale: str | Scale | None = "nps",
    date: str = "responded_at",
) -> TransitionResult:
    """Where the respondents of two waves moved: a matrix of categories.

    For every respondent (``id``) with an answer in both waves, the latest answer in
    each wave is classified (detractor / passive / promoter for NPS; satisfied / not
    for CSAT ...). Answers without an id, repeat answers within a wave, and
    respondents of only one wave are counted in ``accounting``, not dropped silently.

    Parameters
    ----------
    data : DataFrame
        Canonical responses (rows of other surveys are ignored).
    wave_a, wave_b
        The two waves ("2024Q1", or values of the ``wave`` column).
    wave : str, optional
        Column naming each answer's wave; by default the calendar ``period`` of
        ``date`` (quarters).
    id : str
        Respondent id column.
    scale : str or Scale
        Scale whose categories are used (NPS 0-10 by default).

    Examples
    --------
    >>> df = pd.DataFrame({"customer_id": ["a", "b", "c", "a", "b", "d"],
    ...                    "campaign": [1, 1, 1, 2, 2, 2], "score": [3, 8, 10, 9, 8, 5]})
    >>> result = transition_matrix(df, wave_a=1, wave_b=2, wave="campaign")
    >>> result.counts.loc["detractor", "promoter"], result.n_matched
    (np.int64(1), 2)
    """
    matched = _matched(data, wave_a, wave_b, wave, period, id, scale, date)
    names = list(matched.scale.class_names)
    counts = pd.crosstab(matched.pairs["class_a"], matched.pairs["class_b"], dropna=False)
    counts = counts.reindex(index=names, columns=names, fill_value=0).astype(np.int64)
    counts.index.name, counts.columns.name = f"in {matched.wave_a}", f"in {matched.wave_b}"
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = counts.div(counts.sum(axis=1).replace(0, np.nan), axis=0)
    table = pd.DataFrame({
        "from": np.repeat(names, len(names)),
        "to": np.tile(names, len(names)),
        "n": counts.to_numpy().ravel(),
        "row_share": shares.to_numpy().ravel(),
    })
    return TransitionResult(table, counts, shares, matched.accounting, matched.wave_a, matched.wave_b)


@dataclass(frozen=True)
class NetMovementResult:
    """Outcome of :func:`net_movement`; ``table`` has one row, ``summary()`` a sentence."""

    table: pd.DataFrame

    def summary(self) -> str:
        r = self.table.iloc[0]
        return (
            f"Among {r['n_matched']} respondents of both {r['wave_a']} and {r['wave_b']}, "
            f"the score moved from {r['score_a']:+.1f} to {r['score_b']:+.1f}: "
            f"{r['change']:+.1f} ({r['conf']:.0%} CI {r['ci_low']:+.1f} to {r['ci_high']:+.1f}, "
            f"paired t test {format_p(r['p_value'])}); {r['pct_improved']:.0f}% improved, "
            f"{r['pct_worsened']:.0f}% worsened."
        )

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.table)


def net_movement(
    data: pd.DataFrame,
    *,
    wave_a,
    wave_b,
    wave: str | None = None,
    period: str = "Q",
    id: str = "customer_id",
    scale: str | Scale | None = "nps",
    conf: float = 0.95,
    min_n: int = 30,
    date: str = "responded_at",
) -> NetMovementResult:
    """The paired change of NPS among respondents who answered both waves.

    Each matched respondent gets a score per wave: +100 promoter, 0 passive, -100
    detractor for NPS (so the mean is the NPS of the matched group), 100 or 0 for
    two-category scales (satisfied ...). The change is the mean of the per-respondent
    differences ``d`` with the paired t interval ``mean(d) +- t(n-1) sd(d) / sqrt(n)``
    and the paired t test; the shares that moved to a better or worse category are
    reported too.

    Parameters
    ----------
    data, wave_a, wave_b, wave, period, id, scale, date
        As in :func:`transition_matrix`.
    conf : float
        Confidence level.
    min_n : int
        Fewer matched respondents are flagged ``small_n``.

    Examples
    --------
    >>> df = pd.DataFrame({"customer_id": list("abcd") * 2, "campaign": [1] * 4 + [2] * 4,
    ...                    "score": [3, 8, 10, 9, 9, 8, 10, 6]})
    >>> row = net_movement(df, wave_a=1, wave_b=2, wave="campaign").table.iloc[0]
    >>> float(row["score_a"]), float(row["score_b"]), float(row["change"])
    (25.0, 25.0, 0.0)
    """
    matched = _matched(data, wave_a, wave_b, wave, period, id, scale, date)
    pairs, scale = matched.pairs, matched.scale
    value_a = _respondent_scores(pairs["score_a"], scale)
    value_b = _respondent_scores(pairs["score_b"], scale)
    differences = value_b - value_a
    change, low, high, p_value = _paired_t(differences, conf)
    moved = pairs["class_b"].cat.codes.to_numpy() - pairs["class_a"].cat.codes.to_numpy()
    n = len(pairs)
    return NetMovementResult(pd.DataFrame([{
        "wave_a": matched.wave_a, "wave_b": matched.wave_b, "n_matched": n,
        "score_a": value_a.mean(), "score_b": value_b.mean(), "change": change,
        "ci_low": low, "ci_high": high, "p_value": p_value,
        "pct_improved": 100 * (moved > 0).mean(), "pct_unchanged": 100 * (moved == 0).mean(),
        "pct_worsened": 100 * (moved < 0).mean(), "small_n": n < min_n, "conf": conf,
        "method": "paired t interval of per-respondent scores " + _score_rule(scale),
    }]))


def _respondent_scores(scores: pd.Series, scale: Scale) -> np.ndarray:
    positive = scale.is_positive(scores).astype(float)
    if len(scale.class_names) == 3:
        return 100 * (positive - scale.is_negative(scores))
    return 100 * positive


def _score_rule(scale: Scale) -> str:
    names = scale.class_names
    if len(names) == 3:
        return f"(+100 {names[2]}, 0 {names[1]}, -100 {names[0]})"
    return f"(100 {names[1]}, 0 {names[0]})"


def _paired_t(differences: np.ndarray, conf: float) -> tuple[float, float, float, float]:
    """Mean difference, its t interval and the two-sided paired t test p-value."""
    stats.z_value(conf)  # checks conf
    n = len(differences)
    mean = float(differences.mean())
    if n < 2:
        return mean, np.nan, np.nan, np.nan
    se = float(differences.std(ddof=1)) / np.sqrt(n)
    if se == 0:
        return mean, mean, mean, 1.0 if mean == 0 else 0.0
    half = _st.t.ppf(0.5 + conf / 2, n - 1) * se
    p_value = float(2 * _st.t.sf(abs(mean / se), n - 1))
    return mean, mean - half, mean + half, p_value


# --- mix shift ------------------------------------------------------------------------


@dataclass(frozen=True)
class MixShiftResult:
    """Outcome of :func:`mix_shift`.

    ``table``: one row per segment and a ``total`` row, with ``n_a``, ``n_b``,
    ``share_a``, ``share_b`` (0..1), ``rate_a``, ``rate_b`` (the metric), ``mix``,
    ``within``, ``contribution`` (``mix + within``) and ``note``. In the total row
    ``rate_a``/``rate_b`` are the overall values and ``contribution`` is the total
    change, equal to ``mix + within``.
    """

    table: pd.DataFrame
    segment: str
    period_a: pd.Period
    period_b: pd.Period
    metric: str

    def summary(self) -> str:
        total = self.table.iloc[-1]
        label = get_metric(self.metric).label
        direction = "towards lower" if total["mix"] < 0 else "towards higher"
        return (
            f"{label} changed by {total['contribution']:+.2f} from {self.period_a} to "
            f"{self.period_b}: {total['mix']:+.2f} from the mix of {self.segment} "
            f"(answers shifted {direction}-scoring segments) and {total['within']:+.2f} "
            "from changes within segments."
        )

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.table)


def mix_shift(
    data: pd.DataFrame,
    *,
    metric: str = "csat",
    segment: str,
    period_a,
    period_b,
    period: str = "M",
    scale: str | Scale | None = None,
) -> MixShiftResult:
    """Split an overall change into segment mix and change within segments.

    With segment shares of answers ``w`` and segment values ``r`` in the two periods,
    the overall value is ``R = sum w r`` and the change ``R_b - R_a`` is split by the
    symmetric (Shapley) two-factor rule, which adds up exactly:

    - mix: ``sum (w_b - w_a) (r_a + r_b) / 2``
    - within: ``sum (r_b - r_a) (w_a + w_b) / 2``

    Per segment the mix term is centred on the overall level,
    ``(w_b - w_a) ((r_a + r_b) / 2 - (R_a + R_b) / 2)``, so more answers from a
    lower-scoring segment show as a negative mix; the centring cancels in the total
    (the shares sum to 1 in both periods), which is the formula above. A segment
    present in only one period has no value in the other; its value there is taken
    equal to the one observed, so its whole contribution counts as mix (``note``
    says so). Answers are unweighted.

    Parameters
    ----------
    data : DataFrame
        Canonical responses.
    metric : str
        Any metric of :func:`csat_toolkit.metrics.metric_table`.
    segment : str
        Segment column (channel, region ...); missing values form ``(missing)``.
    period_a, period_b
        The base and comparison periods ("2024-02", "2024-03").
    period : {"D", "W", "M", "Q", "Y"}
    scale : str or Scale, optional

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "responded_at": pd.to_datetime(["2024-01-10"] * 100 + ["2024-02-10"] * 100),
    ...     "channel": ["chat"] * 50 + ["email"] * 50 + ["chat"] * 20 + ["email"] * 80,
    ...     "score": [5] * 40 + [1] * 10 + [5] * 20 + [1] * 30
    ...              + [5] * 16 + [1] * 4 + [5] * 32 + [1] * 48})
    >>> total = mix_shift(df, segment="channel", period_a="2024-01", period_b="2024-02").table.iloc[-1]
    >>> [round(float(total[c]), 6) for c in ("rate_a", "rate_b", "mix", "within", "contribution")]
    [60.0, 48.0, -12.0, 0.0, -12.0]
    """
    require_columns(data, [segment], "Segment column {missing} not found; columns are {found}. "
                    "Pass segment='<column>' (channel, region ...).")
    table = metric_table(data, metric, by=segment, period=period, scale=scale, min_n=0)
    table[segment] = table[segment].astype(object).where(table[segment].notna(), _MISSING)
    first, second = _as_period(table, period_a, "period_a"), _as_period(table, period_b, "period_b")
    if first == second:
        raise ParameterError(f"period_a and period_b are the same period ({first}); choose two.")
    a = _period_rows(table, first, segment, "period_a")
    b = _period_rows(table, second, segment, "period_b")
    parts = _decompose(a, b, segment, (first, second))
    return MixShiftResult(parts, segment, first, second, metric)


def _as_period(table: pd.DataFrame, value, name: str) -> pd.Period:
    try:
        return pd.Period(value, freq=table["period"].dtype.freq)
    except (ValueError, TypeError):
        raise ParameterError(f"{name}={value!r} is not a period such as '2024-03'.") from None


def _period_rows(table: pd.DataFrame, wanted: pd.Period, segment: str, name: str) -> pd.DataFrame:
    rows = table[table["period"] == wanted].set_index(segment)[["n", "estimate"]]
    if rows.empty:
        shown = show_values(table["period"].drop_duplicates().astype(str).tolist()[::-1], limit=8)
        raise DataError(f"No answers in {name} {wanted}; periods with answers: {shown}. "
                        "Choose a period that has data.")
    return rows


def _decompose(a: pd.DataFrame, b: pd.DataFrame, segment: str, periods) -> pd.DataFrame:
    segments = list(dict.fromkeys(list(a.index) + list(b.index)))
    first, second = periods
    if len(segments) < 2:
        raise DataError(
            f"Only one {segment} ({show_values(segments)}) in {first} and {second}: there is "
            "no mix to shift. Choose a segment column with several levels."
        )
    a, b = a.reindex(segments), b.reindex(segments)
    n_a, n_b = a["n"].fillna(0).to_numpy(dtype=float), b["n"].fillna(0).to_numpy(dtype=float)
    w_a, w_b = n_a / n_a.sum(), n_b / n_b.sum()
    r_a, r_b = a["estimate"].to_numpy(dtype=float), b["estimate"].to_numpy(dtype=float)
    note = np.where(np.isnan(r_a), f"only in {second}: counted as mix",
                    np.where(np.isnan(r_b), f"only in {first}: counted as mix", ""))
    r_a, r_b = np.where(np.isnan(r_a), r_b, r_a), np.where(np.isnan(r_b), r_a, r_b)
    total_a, total_b = float(w_a @ r_a), float(w_b @ r_b)
    mix = (w_b - w_a) * ((r_a + r_b) / 2 - (total_a + total_b) / 2)
    within = (r_b - r_a) * (w_a + w_b) / 2
    rows = pd.DataFrame({segment: segments, "n_a": n_a.astype(int), "n_b": n_b.astype(int),
                         "share_a": w_a, "share_b": w_b, "rate_a": r_a, "rate_b": r_b,
                         "mix": mix, "within": within, "contribution": mix + within, "note": note})
    total = {segment: "total", "n_a": int(n_a.sum()), "n_b": int(n_b.sum()), "share_a": 1.0,
             "share_b": 1.0, "rate_a": total_a, "rate_b": total_b, "mix": mix.sum(),
             "within": within.sum(), "contribution": total_b - total_a, "note": ""}
    return pd.concat([rows, pd.DataFrame([total])], ignore_index=True)
