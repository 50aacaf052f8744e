"""Segments and periods: :func:`segment_period_link` correlates NPS with revenue growth
across segment-periods (Pearson, Spearman, a fixed-effects regression with cluster-robust
errors, lagged correlations and Granger tests); :func:`correlation` and
:func:`granger_test` are its building blocks.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS
from scipy import stats as _st
from statsmodels.tsa.stattools import grangercausalitytests

from ..core import stats
from ..core.display import result_html
from ..core.metrics import nps as _nps_table
from ..core.scales import Scale, get_scale
from ..core.tally import period_code, period_labels
from ..errors import DataError, ParameterError, require_columns
from ._common import (_check_choice, _check_count, _check_frame, _month_label, _prepare_revenue,
                      _timestamps)

__all__ = [
    "UPSELL_CONTEXT",
    "LinkResult",
    "correlation",
    "granger_test",
    "segment_period_link",
]


UPSELL_CONTEXT = (
    "For context only: CustomerGauge publishes that +10 NPS points go with about +3.2% "
    "upsell revenue. That figure comes from other companies with another method; it is "
    "not a benchmark or a test for these data."
)
"""The published +3.2% figure, as a sentence (never used as a benchmark)."""


# --- correlations and Granger -------------------------------------------------------------


def correlation(x, y, *, method: str = "pearson", conf: float = 0.95) -> dict:
    """A correlation with its interval and test.

    - ``pearson``: interval by Fisher's z (``atanh r +- z / sqrt(n - 3)``), t test
      with ``n - 2`` df (as R ``cor.test``).
    - ``spearman``: Pearson's r of the ranks (ties averaged); interval by Fisher's z
      with the Bonett-Wright (2000) standard error ``sqrt((1 + r^2 / 2) / (n - 3))``
      (as R statpsych ``ci.spear``); p from the t approximation (R ``cor.test`` with
      ``exact=FALSE``).

    Pairs with a missing value are left out (``n`` counts the pairs used).

    Returns
    -------
    dict
        ``method``, ``n``, ``estimate``, ``ci_low``, ``ci_high``, ``statistic`` (t),
        ``df``, ``p_value``, ``conf``.

    Examples
    --------
    >>> r = correlation([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5])
    >>> round(r["estimate"], 4), round(r["ci_low"], 4), round(r["ci_high"], 4)
    (0.8286, 0.0519, 0.9807)
    """
    _check_choice(method, "method", ("pearson", "spearman"))
    z = stats.z_value(conf)
    x = pd.to_numeric(pd.Series(np.asarray(x, dtype=object)), errors="coerce").to_numpy(float)
    y = pd.to_numeric(pd.Series(np.asarray(y, dtype=object)), errors="coerce").to_numpy(float)
    if len(x) != len(y):
        raise ParameterError(f"x and y must have the same length; got {len(x)} and {len(y)}.")
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    n = len(x)
    name = "Pearson, Fisher z interval" if method == "pearson" else \
        "Spearman, Fisher z interval with the Bonett-Wright (2000) standard error"
    out = {"method": name, "n": n, "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan,
           "statistic": np.nan, "df": n - 2, "p_value": np.nan, "conf": conf}
    if n < 3 or np.std(x) == 0 or np.std(y) == 0:
        return out
    if method == "spearman":
        x, y = _st.rankdata(x), _st.rankdata(y)
    r = float(np.clip(np.corrcoef(x, y)[0, 1], -1.0, 1.0))
    out["estimate"] = r
    if abs(r) < 1:
        t = r * np.sqrt((n - 2) / (1 - r**2))
        out["statistic"], out["p_value"] = float(t), float(2 * _st.t.sf(abs(t), n - 2))
    else:
        out["statistic"], out["p_value"] = np.sign(r) * np.inf, 0.0
    if n > 3:
        se = np.sqrt((1 + r**2 / 2) / (n - 3)) if method == "spearman" else 1 / np.sqrt(n - 3)
        centre = np.arctanh(np.clip(r, -1 + 1e-15, 1 - 1e-15))
        out["ci_low"], out["ci_high"] = float(np.tanh(centre - z * se)), \
            float(np.tanh(centre + z * se))
    return out


def granger_test(
    data: pd.DataFrame,
    *,
    cause: str,
    effect: str,
    lags: int = 1,
    order: str | None = None,
    by: str | Sequence[str] | None = None,
    min_periods: int = 8,
) -> pd.DataFrame:
    """Does ``cause`` help predict ``effect`` beyond ``effect``'s own past? (Granger).

    The F test of statsmodels' ``grangercausalitytests`` (``ssr_ftest``, identical to R
    ``lmtest::grangertest``): ``effect`` on ``lags`` of itself with and without
    ``lags`` of ``cause``. Per group of ``by`` (each a time series ordered by
    ``order``), Holm-corrected across groups. A group with fewer than ``min_periods``
    periods gets a warning in its ``note``; one too short for the test gets NaN and
    says so. "Granger-causes" means "helps predict", not "causes".

    Returns
    -------
    DataFrame
        One row per group: the ``by`` columns, ``periods``, ``lags``, ``F``, ``df_num``,
        ``df_denom``, ``p_value``, ``p_adjusted``, ``method``, ``note``.

    Examples
    --------
    >>> t = np.arange(12)
    >>> df = pd.DataFrame({"x": np.sin(t), "y": np.r_[0, np.sin(t[:-1])] + 0.1 * np.cos(3 * t)})
    >>> row = granger_test(df, cause="x", effect="y").iloc[0]
    >>> int(row["periods"]), int(row["df_num"]), int(row["df_denom"]), row["p_value"] < 0.001
    (12, 1, 8, np.True_)
    """
    _check_frame(data, "data")
    lags = _check_count(lags, "lags", low=1)
    min_periods = _check_count(min_periods, "min_periods", low=1)
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    require_columns(data, [cause, effect] + keys + ([order] if order else []),
                    "Column(s) {missing} not found; columns are {found}. Name the series with "
                    "cause=... and effect=..., the groups with by=... and the time with order=...")
    frame = data.sort_values(order, kind="stable") if order else data
    groups = frame.groupby(keys, sort=True, observed=True) if keys else [((), frame)]
    rows = []
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(keys, key)), **_granger_one(part, cause, effect, lags,
                                                             min_periods)})
    out = pd.DataFrame(rows)
    out["p_adjusted"] = stats.adjust_pvalues(out["p_value"], "holm")
    cols = keys + ["periods", "lags", "F", "df_num", "df_denom", "p_value", "p_adjusted",
                   "method", "note"]
    return out[cols]


def _granger_one(part: pd.DataFrame, cause: str, effect: str, lags: int, min_periods: int
                 ) -> dict:
    values = part[[effect, cause]].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    n = len(values)
    method = "Granger F test (statsmodels grangercausalitytests, ssr_ftest)"
    row = {"periods": n, "lags": lags, "F": np.nan, "df_num": np.nan, "df_denom": np.nan,
           "p_value": np.nan, "method": method, "note": ""}
    notes = []
    if not np.isfinite(values).all():
        row["note"] = ("the series has gaps (missing values): the test needs consecutive "
                       "periods; not computed")
        return row
    if n < min_periods:
        notes.append(f"only {n} periods (fewer than min_periods={min_periods}): rough")
    if n < 3 * lags + 2 or np.std(values[:, 0]) == 0 or np.std(values[:, 1]) == 0:
        row["note"] = "; ".join(notes + [f"too few periods ({n}) or a constant series for "
                                         f"{lags} lag(s): not computed"])
        return row
    try:
        result = grangercausalitytests(values, [lags])
    except (ValueError, np.linalg.LinAlgError) as error:
        row["note"] = "; ".join(notes + [f"not computed ({error})"])
        return row
    f, p, df_denom, df_num = result[lags][0]["ssr_ftest"]
    row.update({"F": float(f), "df_num": float(df_num), "df_denom": float(df_denom),
                "p_value": float(p), "note": "; ".join(notes)})
    return row


# --- segment-period link ------------------------------------------------------------------


@dataclass(frozen=True)
class LinkResult:
    """Outcome of :func:`segment_period_link`.

    Attributes
    ----------
    panel : DataFrame
        One row per segment and period: the segment columns, ``segment_label`` (their
        values joined by " / "),
        ``period``, ``n`` (answers), ``nps``, ``nps_ci_low``, ``nps_ci_high``,
        ``revenue``, ``growth`` (% log points against the previous period), controls.
    correlations : DataFrame
        Per lag and method: ``lag``, ``method``, ``n``, ``estimate``, ``ci_low``,
        ``ci_high``, ``statistic``, ``df``, ``p_value``, ``conf``.
    regression : DataFrame
        Per lag: ``lag``, ``term`` ("+10 NPS points"), ``estimate`` (% revenue growth
        going with +10 NPS points), ``ci_low``, ``ci_high``, ``p_value``, ``n``
        (segment-periods), ``segments``, ``df``, ``conf``, ``method``.
    granger : DataFrame
        :func:`granger_test` of NPS on growth per segment, plus a pooled row.
    accounting : DataFrame
        ``item`` and ``rows``: answers and revenue rows read, used and left out.
    warnings : list of str
    context : str
        :data:`UPSELL_CONTEXT` (never a benchmark).
    parameters : dict
    """

    panel: pd.DataFrame
    correlations: pd.DataFrame
    regression: pd.DataFrame
    granger: pd.DataFrame
    accounting: pd.DataFrame
    warnings: list = field(default_factory=list)
    context: str = UPSELL_CONTEXT
    parameters: dict = field(default_factory=dict)

    @property
    def table(self) -> pd.DataFrame:
        """The regression table (the headline)."""
        return self.regression

    def summary(self) -> str:
        """"+10 NPS points go with x% revenue growth (CI)" for the longest lag with a fit
        (NPS before the growth it may lead; the headline card uses the same lag)."""
        fits = self.regression.dropna(subset=["estimate"])
        if fits.empty:
            return "Too few segment-periods to relate NPS to revenue growth. " + self.context
        row = fits.iloc[-1]
        lag = int(row["lag"])
        when = "in the same period" if lag == 0 else \
            f"{lag} period{'s' if lag > 1 else ''} later"
        return (
            f"+10 NPS points go with {row['estimate']:+.2f}% revenue growth "
            f"{when} ({self.parameters['conf']:.0%} CI {row['ci_low']:+.2f} to "
            f"{row['ci_high']:+.2f}; {int(row['n'])} segment-periods, {int(row['segments'])} "
            f"segments; {row['method']}). An association, not a cause. {self.context}"
        )

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.regression, warnings=self.warnings)


def segment_period_link(
    answers: pd.DataFrame,
    revenue: pd.DataFrame,
    *,
    segments: list[str],
    period: str = "Q",
    lags: Sequence[int] = (0, 1),
    controls: list[str] | None = None,
    min_periods: int = 8,
    conf: float = 0.95,
    customers: pd.DataFrame | None = None,
    customer: str = "customer_id",
    answered_at: str = "responded_at",
    score: str = "score",
    revenue_period: str = "period",
    amount: str = "revenue",
    scale: str | Scale | None = None,
    survey: str | None = "nps",
    period_effects: bool = True,
    min_n: int = 30,
    max_segments: int | None = 50,
) -> LinkResult:
    """NPS of each segment-period against that segment's revenue growth.

    NPS per segment and period comes from :func:`csat_toolkit.metrics.nps`; revenue
    growth of a segment-period is ``100 * log(revenue / revenue of the previous
    period)`` (all the segment's customers, churned ones included: it is the segment's
    growth). With ``lag = k`` the growth of period ``p + k`` is set against the NPS of
    period ``p``.

    - Pearson and Spearman correlations over all segment-periods, per lag, with
      intervals (:func:`correlation`).
    - OLS of growth on NPS with segment fixed effects (and period fixed effects when
      ``period_effects``: common shocks such as a season or an incident), plus
      ``controls``; cluster-robust standard errors by segment (t with segments - 1 df):
      "+10 NPS points go with x% revenue growth". Few segments make these errors
      unreliable: a warning says so below 20.
    - Granger tests (NPS helps predict growth) per segment with ``lag = max(lags, 1)``,
      and a pooled F test with segment fixed effects.
    - Warnings when a segment has fewer than ``min_periods`` periods, never a silent
      result. :data:`UPSELL_CONTEXT` is attached as context only.
    - Many segments (a customer id used as a segment, 100,000 levels): only the
      ``max_segments`` segments with the most answers are kept apart; the others are
      pooled into one segment ``"(other)"`` (its answers and revenue added up), and a
      warning says how many were pooled. ``max_segments=None`` keeps every segment.

    Parameters
    ----------
    answers, revenue : DataFrame
        NPS answers and monthly revenue per customer.
    segments : list of str
        Segment columns. Taken from ``answers`` and ``revenue`` when there, otherwise
        from ``customers`` (one row per customer) by customer id.
    period : {"M", "Q", "Y"}
        Period length.
    lags : sequence of int
        Lags (>= 0) in periods.
    controls : list of str, optional
        Numeric columns of ``answers`` (averaged per segment-period) or of the panel
        (``n``, ``log_revenue``) added to the regression.
    max_segments : int or None
        Most segments kept apart (by answers); the rest are pooled as ``"(other)"``.

    Returns
    -------
    LinkResult

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> months = pd.period_range("2023-01", "2024-12", freq="M").astype(str)
    >>> revenue = pd.DataFrame([(f"c{i}", m, 100 + 10 * i + j)
    ...                         for i in range(20) for j, m in enumerate(months)],
    ...                        columns=["customer_id", "period", "revenue"])
    >>> answers = pd.DataFrame({"customer_id": [f"c{i}" for i in range(20)] * 8,
    ...     "responded_at": np.repeat(pd.period_range("2023-03", periods=8, freq="3M")
    ...                               .to_timestamp() + pd.Timedelta(days=9), 20),
    ...     "score": rng.integers(0, 11, 160)})
    >>> customers = pd.DataFrame({"customer_id": [f"c{i}" for i in range(20)],
    ...                           "region": ["N", "S"] * 10})
    >>> link = segment_period_link(answers, revenue, segments=["region"],
    ...                            customers=customers, lags=(1,))
    >>> link.panel[["segment_label", "period", "n"]].head(2).values.tolist()
    [['N', '2023Q1', 10], ['N', '2023Q2', 10]]
    >>> any("fewer than min_periods" in w for w in link.warnings)
    True
    """
    stats.z_value(conf)
    min_periods = _check_count(min_periods, "min_periods", low=2)
    lags = _check_lags(lags)
    freq = period_code(period)
    if freq not in ("M", "Q", "Y"):
        raise ParameterError(f"period must be 'M', 'Q' or 'Y' for revenue growth; got {period!r}.")
    segments = _check_segments(segments)
    controls = [] if controls is None else list(controls)
    answers_seg, revenue_seg = _attach_segments(answers, revenue, segments, customers, customer)
    answers_seg, revenue_seg, pooled = _pool_segments(answers_seg, revenue_seg, segments,
                                                      max_segments, survey)
    panel, notes, accounting = _link_panel(answers_seg, revenue_seg, segments, freq, customer,
                                           answered_at, score, revenue_period, amount, scale,
                                           survey, conf, min_n, controls)
    notes = ([pooled] if pooled else []) + notes + _panel_warnings(panel, min_periods, lags)
    correlations = _link_correlations(panel, lags, conf)
    regression, fit_notes = _link_regression(panel, lags, controls, conf, period_effects)
    notes += fit_notes
    granger = _link_granger(panel, max(max(lags), 1), min_periods)
    skipped = granger.iloc[:-1]["F"].isna()
    if skipped.any():
        notes.append(f"The Granger test could not be computed for {int(skipped.sum())} of "
                     f"{len(skipped)} segments (too few periods, gaps or a constant series: "
                     "see granger['note']).")
    parameters = {"segments": segments, "period": freq, "lags": list(lags), "conf": conf,
                  "controls": controls, "period_effects": period_effects,
                  "min_periods": min_periods, "max_segments": max_segments}
    return LinkResult(panel, correlations, regression, granger, accounting, notes,
                      UPSELL_CONTEXT, parameters)


def _check_lags(lags) -> list[int]:
    values = [lags] if isinstance(lags, (int, np.integer)) else list(lags)
    if not values or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0
                         for v in values):
        raise ParameterError(f"lags must be whole numbers of periods, 0 or more, e.g. (0, 1); "
                             f"got {lags!r}.")
    return sorted(set(int(v) for v in values))


def _check_segments(segments) -> list[str]:
    values = [segments] if isinstance(segments, str) else list(segments or [])
    if not values or not all(isinstance(v, str) for v in values):
        raise ParameterError(f"segments must be a list of column names, e.g. ['region']; "
                             f"got {segments!r}.")
    return values


def _attach_segments(answers, revenue, segments, customers, customer):
    _check_frame(answers, "answers")
    _check_frame(revenue, "revenue")
    frames = []
    for frame, name in ((answers, "answers"), (revenue, "revenue")):
        missing = [s for s in segments if s not in frame.columns]
        if missing:
            if customers is None:
                raise DataError(
                    f"The {name} lack the segment column(s) {', '.join(map(repr, missing))}. "
                    "Pass customers=<one row per customer with those columns> so they can be "
                    f"looked up by {customer!r}, or add them to the {name}."
                )
            _check_frame(customers, "customers")
            require_columns(customers, [customer] + missing,
                            "The customer table needs the columns {missing} to give segments; "
                            "found {found}.")
            require_columns(frame, [customer], f"The {name} need the column {{missing}} to look "
                            "up segments; found {found}.")
            lookup = customers.drop_duplicates(customer).set_index(customer)[missing]
            frame = frame.copy()
            for column in missing:
                frame[column] = frame[customer].map(lookup[column])
        frames.append(frame)
    return frames


def _segment_label(frame: pd.DataFrame, segments: list[str]) -> pd.Series:
    text = frame[segments].astype(str)
    if len(segments) == 1:
        return text.iloc[:, 0]
    return text.iloc[:, 0].str.cat([text[c] for c in segments[1:]], sep=" / ")


OTHER_SEGMENT = "(other)"
"""The label of the pooled small segments in :func:`segment_period_link`."""


def _pool_segments(answers, revenue, segments, max_segments, survey):
    """Keep the ``max_segments`` segments with most answers apart; pool the rest."""
    if max_segments is None:
        return answers, revenue, None
    max_segments = _check_count(max_segments, "max_segments", low=2)
    rows = answers
    if survey is not None and "survey" in rows.columns:
        rows = rows[rows["survey"].astype(str).str.lower() == str(survey).lower()]
    rows = rows.dropna(subset=segments)
    counts = _segment_label(rows, segments).value_counts()
    if len(counts) <= max_segments:
        return answers, revenue, None
    order = counts.rename("n").rename_axis("label").reset_index() \
        .sort_values(["n", "label"], ascending=[False, True], kind="stable")
    keep = set(order["label"].iloc[:max_segments])
    out = []
    for frame in (answers, revenue):
        pool = frame[segments].notna().all(axis=1) & ~_segment_label(frame, segments).isin(keep)
        frame = frame.copy()
        for column in segments:
            frame[column] = frame[column].astype(object).where(~pool, OTHER_SEGMENT)
        out.append(frame)
    pooled = len(counts) - max_segments
    note = (f"{pooled:,} of {len(counts):,} segments ({int(order['n'].iloc[max_segments:].sum()):,} "
            f"answers) are pooled as {OTHER_SEGMENT!r}: only the {max_segments} segments with the "
            "most answers are kept apart (max_segments).")
    return out[0], out[1], note


def _link_panel(answers, revenue, segments, freq, customer, answered_at, score, revenue_period,
                amount, scale, survey, conf, min_n, controls) -> pd.DataFrame:
    require_columns(answers, [answered_at, score],
                    "The answers need the columns {missing}; found {found}.")
    rows = answers
    items = [("answers read", len(answers))]
    if survey is not None and "survey" in rows.columns:
        rows = rows[rows["survey"].astype(str).str.lower() == str(survey).lower()]
        items.append(("set aside: not an NPS answer", len(answers) - len(rows)))
    stamps = _timestamps(rows[answered_at])
    scale_obj = get_scale(scale, survey="nps")
    numbers = pd.to_numeric(rows[score], errors="coerce")
    no_segment = rows[segments].isna().any(axis=1)
    checks = [(no_segment, "no segment value"), (stamps.isna(), "no answer date"),
              (~numbers.isin(scale_obj.points), "no score on the scale")]
    dropped = pd.Series(False, index=rows.index)
    for mask, text in checks:
        hit = mask & ~dropped
        items.append((f"set aside: {text}", int(hit.sum())))
        dropped |= mask
    rows = rows[~dropped].assign(**{answered_at: stamps[~dropped], "score": numbers[~dropped]})
    items.append(("answers used", len(rows)))
    if rows.empty:
        raise DataError("No NPS answer with a date, a score and segment values to build the "
                        "panel from. Check the segment columns and the scores.")
    table = _nps_table(rows.rename(columns={answered_at: "responded_at"}), by=segments,
                       period=freq, scale=scale_obj, conf=conf, min_n=min_n, survey=None)
    table = table.rename(columns={"estimate": "nps", "ci_low": "nps_ci_low",
                                  "ci_high": "nps_ci_high"})
    table["period"] = table["period"].astype(str)
    rev = _prepare_revenue(revenue, customer=customer, period=revenue_period, amount=amount,
                           as_of=None, negative="keep")
    seg_rev = revenue.loc[revenue[customer].isin(rev.customers.index), [customer] + segments]
    seg_rev = seg_rev.drop_duplicates(customer).set_index(customer)
    money = rev.rows.join(seg_rev, on="_cust")
    lost = money[segments].isna().any(axis=1)
    items += rev.accounting + [("revenue rows without a segment value (left out)",
                                int(lost.sum()))]
    notes = list(rev.warnings)
    for what, count in (("answers", int(no_segment.sum())), ("revenue rows", int(lost.sum()))):
        if count:
            notes.append(
                f"{count:,} {what} have no value in {', '.join(map(repr, segments))}: left "
                "out of the panel. (A region 'NA' read by pandas.read_csv becomes missing: "
                "read with keep_default_na=False, na_values=[''].)"
            )
    money = money[~lost]
    if money.empty:
        raise DataError(
            f"No revenue row has a value in {', '.join(map(repr, segments))}: there is no "
            f"revenue to set beside the NPS of any segment. Check that the revenue table's "
            f"customer ids ({customer!r}) are those of the answers and of the customers "
            "table that carries the segments.")
    labels = {m: str(pd.Period(_month_label(m), freq="M").asfreq(freq))
              for m in money["_month"].unique()}
    money["period"] = money["_month"].map(labels)
    totals = money.groupby(segments + ["period"], sort=True)["_amount"].sum().rename("revenue")
    totals = totals.reset_index()
    grid = _full_grid(totals, segments, freq)
    panel = grid.merge(totals, on=segments + ["period"], how="left")
    panel = panel.merge(table[segments + ["period", "n", "nps", "nps_ci_low", "nps_ci_high",
                                          "small_n"]],
                        on=segments + ["period"], how="left")
    panel["segment_label"] = _segment_label(panel, segments).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        panel["log_revenue"] = np.where(panel["revenue"] > 0, np.log(panel["revenue"]), np.nan)
    panel["growth"] = 100 * panel.groupby("segment_label", sort=False)["log_revenue"].diff()
    for control in controls:
        if control in panel.columns:
            continue
        if control not in rows.columns or not pd.api.types.is_numeric_dtype(rows[control]):
            raise ParameterError(
                f"Control {control!r} must be a numeric column of the answers (averaged per "
                "segment-period) or one of the panel's columns 'n', 'log_revenue'; add "
                "categorical controls to segments instead."
            )
        means = rows.assign(period=period_labels(rows[answered_at], freq).astype(str)) \
            .groupby(segments + ["period"])[control].mean().rename(control).reset_index()
        panel = panel.merge(means, on=segments + ["period"], how="left")
    panel["n"] = panel["n"].fillna(0).astype(int)
    order = segments + ["segment_label", "period", "n", "nps", "nps_ci_low", "nps_ci_high",
                        "small_n", "revenue", "log_revenue", "growth"]
    order += [c for c in controls if c not in order]
    panel = panel[order].sort_values(["segment_label", "period"], kind="stable")
    outside = len(rows) - int(panel["n"].sum())
    if outside:
        items.append(("answers in segment-periods without revenue (left out)", outside))
        notes.append(f"{outside:,} answers fall in segment-periods without revenue: left out.")
    accounting = pd.DataFrame(items, columns=["item", "rows"])
    return panel.reset_index(drop=True), notes, accounting


def _full_grid(totals: pd.DataFrame, segments: list[str], freq: str) -> pd.DataFrame:
    periods = pd.PeriodIndex(totals["period"], freq=freq)
    every = pd.period_range(periods.min(), periods.max(), freq=freq).astype(str)
    keys = totals[segments].drop_duplicates()
    return keys.merge(pd.DataFrame({"period": every}), how="cross")


def _panel_warnings(panel: pd.DataFrame, min_periods: int, lags: list[int]) -> list[str]:
    notes = []
    periods = panel.dropna(subset=["nps", "growth"]).groupby("segment_label").size()
    few = periods[periods < min_periods]
    if len(few) or periods.empty:
        least = int(periods.min()) if len(periods) else 0
        notes.append(
            f"{len(few)} of {panel['segment_label'].nunique()} segments have fewer than "
            f"min_periods={min_periods} periods with both NPS and growth (as few as {least}): "
            "lagged correlations and Granger tests rest on few points; read them as rough."
        )
    if panel["small_n"].eq(True).any():
        notes.append(
            f"{int(panel['small_n'].eq(True).sum())} segment-periods have "
            "fewer than min_n answers: their NPS is noisy, which weakens (attenuates) the "
            "measured link."
        )
    return notes


def _lagged(panel: pd.DataFrame, lag: int) -> pd.DataFrame:
    frame = panel.copy()
    frame["growth_later"] = frame.groupby("segment_label", sort=False)["growth"].shift(-lag)
    return frame.dropna(subset=["nps", "growth_later"])


def _link_correlations(panel, lags, conf) -> pd.DataFrame:
    rows = []
    for lag in lags:
        frame = _lagged(panel, lag)
        for method in ("pearson", "spearman"):
            rows.append({"lag": lag, **correlation(frame["nps"], frame["growth_later"],
                                                   method=method, conf=conf)})
    return pd.DataFrame(rows)


def _link_regression(panel, lags, controls, conf, period_effects) -> tuple[pd.DataFrame, list]:
    rows, notes = [], []
    for lag in lags:
        frame = _lagged(panel, lag).dropna(subset=list(controls))
        segments = frame["segment_label"].nunique()
        row = {"lag": lag, "term": "+10 NPS points", "estimate": np.nan, "ci_low": np.nan,
               "ci_high": np.nan, "p_value": np.nan, "n": len(frame), "segments": segments,
               "df": np.nan, "conf": conf,
               "method": "OLS, segment fixed effects" + (", period fixed effects"
                                                          if period_effects else "")
               + (", controls " + ", ".join(controls) if controls else "")
               + ", cluster-robust SE by segment (t, segments - 1 df)"}
        parts = [frame[["nps"]].astype(float)]
        parts.append(pd.get_dummies(frame["segment_label"], prefix="s", drop_first=True,
                                    dtype=float))
        if period_effects:
            parts.append(pd.get_dummies(frame["period"], prefix="p", drop_first=True,
                                        dtype=float))
        parts += [frame[[c]].astype(float) for c in controls]
        x = pd.concat(parts, axis=1)
        x.insert(0, "const", 1.0)
        if segments < 2 or len(frame) <= x.shape[1] or np.linalg.matrix_rank(x) < x.shape[1]:
            notes.append(f"Lag {lag}: too few segment-periods ({len(frame)}) for the regression "
                         f"with {x.shape[1]} terms: not fitted.")
            rows.append(row)
            continue
        groups = pd.factorize(frame["segment_label"])[0]
        with np.errstate(invalid="ignore", divide="ignore"):  # few clusters: NaN, not a warning
            fit = OLS(frame["growth_later"].to_numpy(dtype=float), x.to_numpy()).fit(
                cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
            low, high = fit.conf_int(alpha=1 - conf)[1]
            p_value = float(fit.pvalues[1])
        row.update({"estimate": 10 * fit.params[1], "ci_low": 10 * low,
                    "ci_high": 10 * high, "p_value": p_value,
                    "df": float(fit.df_resid_inference)})
        rows.append(row)
    table = pd.DataFrame(rows)
    fitted = table.dropna(subset=["estimate"])
    if len(fitted) and fitted["segments"].min() < 20:
        notes.append(f"Cluster-robust errors with only {int(fitted['segments'].min())} segments "
                     "are rough (they assume many clusters); read the intervals as approximate.")
    return table, notes


def _link_granger(panel, lags, min_periods) -> pd.DataFrame:
    valid = panel["nps"].notna() & panel["growth"].notna()
    grouped = valid.groupby(panel["segment_label"], sort=False)
    started = grouped.cummax()
    not_ended = valid[::-1].groupby(panel["segment_label"][::-1], sort=False).cummax()[::-1]
    series = panel[started & not_ended]  # interior gaps stay (the test then says so)
    per = granger_test(series, cause="nps", effect="growth", lags=lags, order="period",
                       by="segment_label", min_periods=min_periods)
    pooled = _pooled_granger(panel, lags)
    return pd.concat([per, pd.DataFrame([pooled])], ignore_index=True)


def _pooled_granger(panel, lags) -> dict:
    frame = panel.copy()
    names = []
    for k in range(1, lags + 1):
        for column in ("growth", "nps"):
            frame[f"{column}_l{k}"] = frame.groupby("segment_label", sort=False)[column].shift(k)
            names.append(f"{column}_l{k}")
    frame = frame.dropna(subset=["growth"] + names)
    row = {"segment_label": "(pooled, segment fixed effects)", "periods": len(frame), "lags": lags,
           "F": np.nan, "df_num": np.nan, "df_denom": np.nan, "p_value": np.nan,
           "p_adjusted": np.nan,
           "method": "pooled Granger F test: OLS with segment fixed effects", "note": ""}
    x = pd.concat([frame[names].astype(float),
                   pd.get_dummies(frame["segment_label"], prefix="s", drop_first=True,
                                  dtype=float)],
                  axis=1)
    x.insert(0, "const", 1.0)
    if len(frame) <= x.shape[1] + 1 or np.linalg.matrix_rank(x) < x.shape[1]:
        row["note"] = "too few segment-periods: not computed"
        return row
    fit = OLS(frame["growth"].to_numpy(dtype=float), x).fit()
    restriction = np.zeros((lags, x.shape[1]))
    for i, k in enumerate(range(1, lags + 1)):
        restriction[i, list(x.columns).index(f"nps_l{k}")] = 1.0
    test = fit.f_test(restriction)
    row.update({"F": float(np.squeeze(test.fvalue)), "df_num": float(test.df_num),
                "df_denom": float(test.df_denom), "p_value": float(test.pvalue)})
    return row
