"""Key-driver models: what moves satisfaction, with intervals and honest diagnostics.

The flow is two steps:

1. :func:`driver_frame` turns one row per survey answer (joined with its ticket) into a
   clean modelling frame: the outcome (satisfied, score, NPS detractor or promoter),
   the drivers typed as numeric, binary or categorical, small categorical levels merged,
   a reference level per categorical driver, rows with gaps set aside and counted, and
   the numeric design matrix (``.design`` with ``.groups``: driver -> design columns)
   that relative-importance methods use.
2. :func:`fit_drivers` fits a statsmodels formula model on that frame: logistic
   regression for binary outcomes (odds ratios and average marginal effects in
   percentage points), OLS with HC3 (or cluster-robust) errors for scores, or an
   ordered logit for scores with few points. It checks separation before fitting,
   reports (generalised) variance inflation factors, Wald tests per driver and Holm-
   adjusted p-values, and turns statsmodels' warnings into entries of ``.warnings``.

Also: :func:`speed_buckets` (satisfaction by first-response or resolution time bucket,
Wilson intervals, missing times counted in their own row) and :func:`effect_curve`
(the modelled effect of one numeric driver: a natural cubic spline of ``log1p`` of it
in a GLM, averaged over the data, with delta-method intervals).

References
----------
- Fox, J. and Monette, G. (1992). Generalized collinearity diagnostics. JASA 87,
  178-183 (GVIF and GVIF^(1/(2 df)); R ``car::vif``).
- Long, J. S. and Freese, J. (2014). Regression Models for Categorical Dependent
  Variables Using Stata, 3rd ed. (average marginal effects; discrete changes for
  factor variables, as Stata's ``margins, dydx()``).
- Albert, A. and Anderson, J. A. (1984). On the existence of maximum likelihood
  estimates in logistic regression models. Biometrika 71, 1-10 (separation).
- MacKinnon, J. G. and White, H. (1985). Some heteroskedasticity-consistent covariance
  matrix estimators with improved finite sample properties. J. Econometrics 29 (HC3).
- McCullagh, P. (1980). Regression models for ordinal data. JRSS B 42, 109-142
  (proportional-odds model; R ``MASS::polr``).
- Wood, S. N. (2017). Generalized Additive Models, 2nd ed., section 5.3.1 (cubic
  regression splines; patsy ``cr``).
"""
from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import patsy
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy.special import expit
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools import sm_exceptions

from ..core import stats
from ..errors import DataError, MissingColumnError, NoValidRowsError, ParameterError, show_values
from ..core.metrics import select_survey
from ..core.scales import MISSING, OUT_OF_RANGE, SURVEYS, UNRECOGNISED, Scale, get_scale
from ..io.tables import ColumnCheck, DerivedColumns, add_derived, resolve_columns  # noqa: F401 (re-exported)
from ..core.text import _DURATION_UNITS, bucket_labels, check_edges, format_hours, format_p

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

OUTCOMES = ("satisfied", "score", "detractor", "promoter")
KINDS = ("numeric", "binary", "categorical")
MODELS = ("auto", "logit", "ols", "ordered")
WEIGHT_KINDS = ("survey", "frequency")
OTHER_LEVEL = "Other (small levels)"
VIF_LIMIT = 5.0  # flag GVIF^(1/(2 df)) above sqrt(5), i.e. a VIF above 5 for one column

_TIMEDELTA_UNIT = {"h": "1h", "min": "1min", "d": "1D", "s": "1s"}
_NO_TIME = "no time recorded"
_LISTED = 10  # levels named in a sentence; the rest are counted
_GLM_TOL = 1e-10  # IRLS convergence (statsmodels' 1e-8 leaves errors off in the 6th digit)


# --- the modelling frame ---------------------------------------------------------------


@dataclass
class DriverFrame:
    """Clean data for a driver model (see :func:`driver_frame`).

    Attributes
    ----------
    data : DataFrame
        The rows used (original index): every input column, the outcome column (named
        ``outcome``, 0/1 or the score) and the drivers cleaned (categorical drivers as
        ordered pandas categoricals with the reference level first, small levels merged
        into :data:`OTHER_LEVEL`; binary 0/1 drivers as 0.0/1.0; durations in hours).
    outcome : str
        Name of the outcome column in ``data``.
    outcome_kind : {"binary", "score"}
    drivers : list of str
    kinds : dict
        Driver -> ``"numeric"``, ``"binary"`` or ``"categorical"``.
    levels : dict
        Categorical and binary drivers -> their levels, reference first.
    reference : dict
        Categorical and binary drivers -> their reference level.
    design : DataFrame
        Numeric design matrix (no intercept): numeric and 0/1 drivers as they are, one
        0/1 dummy column per non-reference level (``"channel[chat]"``).
    groups : dict
        Driver -> its columns in ``design`` (also in ``design.attrs["groups"]``).
    warnings : list of str
    set_aside : DataFrame
        ``reason`` and ``rows``: rows not used, by reason.
    n_used : int
    weights : str or None
        Weight column in ``data``, if any.
    scale : Scale or None
        The scale the outcome was derived with.
    points : int
        Number of distinct outcome values (2 for binary outcomes).
    """

    data: pd.DataFrame
    outcome: str
    outcome_kind: str
    drivers: list[str]
    kinds: dict[str, str]
    levels: dict[str, list[str]]
    reference: dict[str, str]
    design: pd.DataFrame
    groups: dict[str, list[str]]
    warnings: list[str]
    set_aside: pd.DataFrame
    n_used: int
    weights: str | None = None
    scale: Scale | None = None
    points: int = 2
    codings: dict[str, str] = field(default_factory=dict, repr=False)

    def summary(self) -> str:
        """One paragraph: rows used and set aside, the outcome, the drivers."""
        aside = int(self.set_aside["rows"].sum()) if len(self.set_aside) else 0
        if self.outcome_kind == "binary":
            share = 100 * _wmean(self.data[self.outcome].to_numpy(float), self._w())
            what = f"{self.outcome} ({share:.1f}% = 1)"
        else:
            mean = _wmean(self.data[self.outcome].to_numpy(float), self._w())
            what = f"{self.outcome} (mean {mean:.2f})"
        parts = []
        for d in self.drivers:
            if self.codings[d] == "dummies":
                parts.append(f"{d} ({self.kinds[d]}, {len(self.levels[d])} levels, "
                             f"reference {self.reference[d]!r})")
            else:
                parts.append(f"{d} ({self.kinds[d]})")
        reasons = "; ".join(f"{r}: {n:,}" for r, n in zip(self.set_aside["reason"],
                                                          self.set_aside["rows"]))
        text = (f"{self.n_used:,} rows used, {aside:,} set aside"
                + (f" ({reasons})" if aside else "") + f". Outcome: {what}. "
                f"Drivers: {', '.join(parts)}.")
        return text

    def _w(self) -> np.ndarray | None:
        return None if self.weights is None else self.data[self.weights].to_numpy(float)


def driver_frame(
    data: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    scale: str | Scale | None = None,
    kinds: Mapping[str, str] | None = None,
    weights: str | None = None,
    min_class: int = 30,
    reference: Mapping[str, object] | None = None,
) -> DriverFrame:
    """Prepare answers and their drivers for a driver model.

    Parameters
    ----------
    data : DataFrame
        One row per survey answer, joined with ticket data.
    outcome : str
        ``"satisfied"`` (top-box share on the scale), ``"score"``, ``"detractor"`` or
        ``"promoter"`` (NPS classes) computed from the ``score`` column; or the name of
        an existing column (0/1 or True/False: binary; other numbers: a score). An
        existing column named ``satisfied`` (...) is used as it is.
    drivers : list of str
        Driver columns.
    scale : str or Scale, optional
        Scale of ``score``. Default: the scale of the ``survey`` column when it holds
        one survey type, else CSAT 1-5 (``satisfied``), NPS 0-10 (``detractor``,
        ``promoter``) or no scale (``score``: the values as numbers). Rows of other
        survey types are set aside.
    kinds : dict, optional
        Driver -> ``"numeric"``, ``"binary"`` or ``"categorical"``. Inferred otherwise:
        True/False, 0/1 or any two values are binary, other numbers numeric, text
        categorical (two text values: binary). Durations (timedelta) become hours.
    weights : str, optional
        Column of weights (survey or frequency weights; see :func:`fit_drivers`); rows
        without a weight are set aside, negative weights are an error.
    min_class : int
        Categorical levels with fewer rows are merged into ``"Other (small levels)"``
        (with a warning); binary drivers and outcome classes below it are warned about.
    reference : dict, optional
        Driver -> reference level. Default: the most frequent level (for binary numeric
        drivers, the smaller value).

    Returns
    -------
    DriverFrame

    Raises
    ------
    MissingColumnError
        A column is not in ``data`` (with the closest names).
    DataError
        The outcome has one class only, a driver is constant, two drivers are perfectly
        collinear, there are more parameters than rows, or no rows are usable.

    Examples
    --------
    >>> df = pd.DataFrame({"score": [5, 4, 2, 5, 1, 4, 5, 3] * 10,
    ...                    "channel": ["chat", "email"] * 40,
    ...                    "contacts": [1, 2, 3, 1, 2, 1, 1, 4] * 10})
    >>> frame = driver_frame(df, "satisfied", ["channel", "contacts"], min_class=5)
    >>> frame.kinds
    {'channel': 'binary', 'contacts': 'numeric'}
    >>> list(frame.design.columns), frame.groups
    (['channel[email]', 'contacts'], {'channel': ['channel[email]'], 'contacts': ['contacts']})
    >>> frame.n_used, float(frame.data["satisfied"].mean())
    (80, 0.625)
    """
    drivers = _check_arguments(data, outcome, drivers, kinds, weights, min_class, reference)
    scale = _resolve_scale(data, outcome, scale)
    y, reasons, outcome_kind = _outcome_values(data, outcome, scale)
    cleaned, reasons = _driver_values(data, drivers, weights, reasons)
    used = reasons.isna().to_numpy()
    set_aside = _set_aside_table(reasons)
    if not used.any():
        raise NoValidRowsError(
            "No row has a usable outcome and every driver: "
            + "; ".join(f"{r}: {n:,}" for r, n in zip(set_aside["reason"], set_aside["rows"]))
            + ". Check the join with the tickets and the columns chosen as drivers."
        )
    notes: list[str] = []
    out = data.loc[used].copy()
    out[outcome] = y[used].astype(float)
    points = _check_outcome(out[outcome], outcome, outcome_kind, min_class, notes)
    if weights is not None:
        out[weights] = pd.to_numeric(out[weights]).astype(float)
    final_kinds, codings, levels, refs = {}, {}, {}, {}
    for d in drivers:
        kind = (kinds or {}).get(d) or _infer_kind(cleaned[d][used])
        values, info = _code_driver(cleaned[d][used], d, kind, min_class,
                                    (reference or {}).get(d), notes)
        out[d] = values
        final_kinds[d], codings[d] = kind, info["coding"]
        if info["coding"] == "dummies":
            levels[d], refs[d] = info["levels"], info["reference"]
        elif kind == "binary":
            levels[d], refs[d] = ["0", "1"], "0"
    design, groups = _design(out, drivers, codings, levels)
    _check_size(design, len(out))
    _check_collinear(design, groups)
    return DriverFrame(
        data=out, outcome=outcome, outcome_kind=outcome_kind, drivers=drivers,
        kinds=final_kinds, levels=levels, reference=refs, design=design, groups=groups,
        warnings=notes, set_aside=set_aside, n_used=len(out), weights=weights, scale=scale,
        points=points, codings=codings,
    )


def _driver_values(data: pd.DataFrame, drivers: list[str], weights: str | None,
                   reasons: pd.Series) -> tuple[dict[str, pd.Series], pd.Series]:
    """Each driver ready for typing, and the reasons with rows missing a driver or weight."""
    cleaned = {}
    for d in drivers:
        cleaned[d] = _as_model_values(data[d], d)
        reasons = _first_reason(reasons, _is_missing(cleaned[d]), f"missing {d}")
    if weights is not None:
        w = pd.to_numeric(data[weights], errors="coerce")
        reasons = _first_reason(reasons, w.isna().to_numpy(), f"missing weight ({weights})")
        negative = (w < 0).to_numpy()
        if negative.any():
            raise DataError(
                f"Weights must not be negative: column {weights!r} has "
                f"{show_values(data.loc[negative, weights].tolist())}. Fix or drop those rows."
            )
    return cleaned, reasons


def _check_arguments(data, outcome, drivers, kinds, weights, min_class, reference) -> list[str]:
    if not isinstance(data, pd.DataFrame):
        raise ParameterError(f"data must be a pandas DataFrame; got {type(data).__name__}.")
    if isinstance(drivers, str):
        drivers = [drivers]
    drivers = list(drivers)
    if not drivers:
        raise ParameterError("Give at least one driver column (drivers=[...]).")
    if len(set(drivers)) != len(drivers):
        twice = [d for d in drivers if drivers.count(d) > 1]
        raise ParameterError(f"Drivers are listed twice: {show_values(twice)}.")
    if outcome in drivers or (outcome in OUTCOMES and "score" in drivers):
        raise ParameterError(
            f"{'score' if outcome not in drivers else outcome!r} holds the outcome; it cannot "
            "also be a driver."
        )
    if not isinstance(min_class, (int, np.integer)) or min_class < 1:
        raise ParameterError(
            f"min_class must be a whole number of rows, 1 or more; got {min_class!r}."
        )
    for name, mapping in (("kinds", kinds), ("reference", reference)):
        unknown = [k for k in (mapping or {}) if k not in drivers]
        if unknown:
            raise ParameterError(
                f"{name} names {show_values(unknown)}, which are not among the drivers "
                f"({show_values(drivers)})."
            )
    bad = {d: k for d, k in (kinds or {}).items() if k not in KINDS}
    if bad:
        raise ParameterError(f"Unknown driver kind(s) {bad}; use one of {KINDS}.")
    needed = drivers + ([weights] if weights else [])
    if outcome not in data.columns or outcome == "score":
        if outcome not in OUTCOMES:
            _require(data, [outcome], extra=OUTCOMES, what="outcome")
        needed = ["score"] + needed
    _require(data, needed)
    return drivers


def _require(data: pd.DataFrame, columns: Sequence[str], extra: Sequence[str] = (),
             what: str = "column") -> None:
    """MissingColumnError naming the absent columns and the closest present ones."""
    missing = [c for c in columns if c not in data.columns]
    if not missing:
        return
    choices = [str(c) for c in data.columns] + list(extra)
    hints = []
    for c in missing:
        close = difflib.get_close_matches(str(c), choices, n=3, cutoff=0.6)
        if close:
            hints.append(f"For {c!r} did you mean {show_values(close)}?")
    hint = (" " + "; ".join(hints)) if hints else ""
    extra_text = f" or one of {show_values(list(extra))}" if extra else ""
    raise MissingColumnError(
        f"No {what} {show_values(missing)} in the data.{hint} Columns present: "
        f"{show_values([str(c) for c in data.columns], limit=12)}. Use a column name{extra_text}, "
        "or rename the column before the analysis."
    )


def _resolve_scale(data: pd.DataFrame, outcome: str, scale) -> Scale | None:
    derived = outcome in OUTCOMES and (outcome not in data.columns or outcome == "score")
    if not derived:
        return None if scale is None else get_scale(scale)
    if scale is not None:
        scale = get_scale(scale)
    else:
        surveys = _surveys(data)
        if len(surveys) == 1 and surveys[0] in SURVEYS:
            scale = get_scale(survey=surveys[0])
        elif outcome == "score":
            if len(surveys) > 1:
                raise ParameterError(
                    f"The data mixes survey types ({show_values(surveys)}): pass scale=... "
                    "(for example 'csat_5') so that only answers on that scale are modelled."
                )
            return None
        else:
            scale = get_scale(survey="nps" if outcome in ("detractor", "promoter") else "csat")
    if outcome in ("detractor", "promoter") and scale.survey != "nps":
        raise ParameterError(
            f"outcome={outcome!r} needs an NPS scale; got {scale.name!r}. Use outcome="
            "'satisfied' or 'score' for this survey, or pass scale='nps'."
        )
    return scale


def _surveys(data: pd.DataFrame) -> list:
    if "survey" not in data.columns:
        return []
    return sorted(data["survey"].dropna().astype(str).unique().tolist())


def _outcome_values(data: pd.DataFrame, outcome: str, scale: Scale | None):
    """Outcome per row (float, NaN where unusable), the reasons, and the kind."""
    reasons = pd.Series(None, index=data.index, dtype=object)
    if outcome in data.columns and outcome != "score":
        raw = data[outcome]
        if pd.api.types.is_bool_dtype(raw):
            raw = raw.astype(float)
        values = pd.to_numeric(raw, errors="coerce")
        bad = values.isna() & raw.notna()
        if bad.any():
            raise DataError(
                f"The outcome column {outcome!r} must hold numbers (0/1 or scores); it has "
                f"{show_values(raw[bad].tolist())}. Convert it, or use outcome='satisfied' "
                "with the score column."
            )
        reasons = _first_reason(reasons, values.isna(), f"missing {outcome}")
        distinct = set(values.dropna().unique().tolist())
        kind = "binary" if distinct <= {0.0, 1.0} else "score"
        return values, reasons, kind
    raw = data["score"]
    if scale is not None:
        if "survey" in data.columns:
            other = data["survey"].astype(str) != scale.survey
            reasons = _first_reason(reasons, other, f"not a {scale.survey} answer")
        scores, problems = scale.parse(raw)
        for reason in (MISSING, UNRECOGNISED, OUT_OF_RANGE):
            reasons = _first_reason(reasons, problems == reason, reason)
        excluded = pd.Series(scale.is_excluded(scores.fillna(-np.inf)), index=data.index)
        reasons = _first_reason(reasons, excluded, "answer outside the metric (n/a)")
    else:
        scores = pd.to_numeric(raw, errors="coerce")
        reasons = _first_reason(reasons, raw.isna(), MISSING)
        reasons = _first_reason(reasons, scores.isna(), "score is not a number")
    if outcome == "score":
        return scores, reasons, "score"
    if outcome == "satisfied":
        flag = scale.is_positive(scores.to_numpy())
    elif outcome == "promoter":
        flag = scale.is_positive(scores.to_numpy())
    else:
        flag = scale.is_negative(scores.to_numpy())
    values = pd.Series(np.where(scores.isna(), np.nan, flag.astype(float)), index=data.index)
    return values, reasons, "binary"


def _first_reason(reasons: pd.Series, mask, reason: str) -> pd.Series:
    """Record ``reason`` for the rows in ``mask`` that have no reason yet (by position)."""
    values = reasons.to_numpy(dtype=object).copy()
    values[np.asarray(mask, dtype=bool) & pd.isna(values)] = reason
    return pd.Series(values, index=reasons.index, dtype=object)


def _set_aside_table(reasons: pd.Series) -> pd.DataFrame:
    counts = reasons.dropna().value_counts(sort=False)
    table = pd.DataFrame({"reason": counts.index.astype(str), "rows": counts.to_numpy(dtype=int)})
    return table.sort_values(["rows", "reason"], ascending=[False, True], ignore_index=True)


def _as_model_values(values: pd.Series, name: str) -> pd.Series:
    """Driver values ready for typing: durations in hours, blank text as missing."""
    if pd.api.types.is_timedelta64_dtype(values):
        return values / pd.Timedelta(hours=1)
    if pd.api.types.is_datetime64_any_dtype(values):
        raise ParameterError(
            f"Driver {name!r} holds dates; a model needs a number. Use a duration instead "
            "(for example hours from created_at to first_response_at), or the month as a "
            "category."
        )
    if pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    text = values.astype(object)
    blank = text.map(lambda v: isinstance(v, str) and not v.strip())
    return text.mask(blank)


def _is_missing(values: pd.Series) -> np.ndarray:
    missing = values.isna().to_numpy().copy()
    if pd.api.types.is_float_dtype(values):
        missing |= ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
    return missing


def _infer_kind(values: pd.Series) -> str:
    distinct = pd.unique(values.dropna())
    if pd.api.types.is_numeric_dtype(values):
        if len(distinct) == 2 or set(distinct.tolist()) <= {0.0, 1.0}:
            return "binary"
        return "numeric"
    return "binary" if len(distinct) == 2 else "categorical"


def _level_name(value) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return f"{value:g}"
    return str(value)


def _natural_key(text: str):
    return [(0, int(t), "") if t.isdigit() else (1, 0, t.lower()) for t in re.split(r"(\d+)", text)]


def _code_driver(values: pd.Series, name: str, kind: str, min_class: int, reference, notes):
    """Clean one driver's used values; returns the column and its coding."""
    numeric = pd.api.types.is_numeric_dtype(values)
    distinct = pd.unique(values.dropna())
    if kind == "numeric":
        if not numeric:
            converted = pd.to_numeric(values, errors="coerce")
            bad = converted.isna()
            if bad.any():
                raise DataError(
                    f"Driver {name!r} is declared numeric but has text values "
                    f"{show_values(values[bad].tolist())}. Declare it categorical "
                    f"(kinds={{{name!r}: 'categorical'}}) or clean the values."
                )
            values = converted.astype(float)
        if values.nunique() < 2:
            raise _constant(name, values)
        if reference is not None:
            raise ParameterError(f"Driver {name!r} is numeric: it has no reference level to set.")
        return values.astype(float), {"coding": "value"}
    zero_one = numeric and set(distinct.tolist()) <= {0.0, 1.0}
    if kind == "binary" and zero_one and reference in (None, 0, "0"):
        if len(distinct) < 2:
            raise _constant(name, values)
        _warn_tiny_binary(values, name, min_class, notes)
        return values.astype(float), {"coding": "value"}
    labels = values.map(_level_name)
    counts = labels.value_counts()
    if kind == "binary" and len(counts) != 2:
        if len(counts) < 2:
            raise _constant(name, values)
        raise DataError(
            f"Driver {name!r} is declared binary but has {len(counts)} values "
            f"({show_values(counts.index.tolist())}). Declare it categorical, or recode it "
            "to two values."
        )
    if len(counts) < 2:
        raise _constant(name, values)
    if kind == "categorical":
        labels, counts = _merge_small(labels, counts, name, min_class, reference, notes)
    else:
        _warn_tiny_binary(labels, name, min_class, notes)
    ref = _reference(counts, name, reference, numeric and kind == "binary", distinct)
    others = sorted((v for v in counts.index if v not in (ref, OTHER_LEVEL)), key=_natural_key)
    merged = [OTHER_LEVEL] if OTHER_LEVEL in counts.index and ref != OTHER_LEVEL else []
    order = [ref] + others + merged
    column = pd.Series(pd.Categorical(labels, categories=order), index=values.index)
    return column, {"coding": "dummies", "levels": order, "reference": ref}


def _constant(name: str, values: pd.Series) -> DataError:
    return DataError(
        f"Driver {name!r} is constant in the rows used (every value is "
        f"{show_values(pd.unique(values.dropna()).tolist())}): it cannot explain any "
        "difference. Drop it from the drivers, or check the filter."
    )


def _warn_tiny_binary(values: pd.Series, name: str, min_class: int, notes: list[str]) -> None:
    counts = values.value_counts()
    if counts.min() < min_class:
        notes.append(
            f"{name}: only {int(counts.min()):,} rows are {_level_name(counts.idxmin())!r} "
            f"(fewer than {min_class}); its effect is estimated from very few answers."
        )


def _merge_small(labels, counts, name, min_class, reference, notes):
    small = counts[counts < min_class]
    if reference is not None and _level_name(reference) in small.index:
        raise ParameterError(
            f"The reference level {reference!r} of {name!r} has only "
            f"{int(small[_level_name(reference)])} rows (fewer than min_class={min_class}). "
            "Pick a larger level as reference, or lower min_class."
        )
    if small.empty:
        return labels, counts
    if len(small) == len(counts):
        raise DataError(
            f"Every level of {name!r} has fewer than min_class={min_class} rows "
            f"({show_values([f'{k} ({v})' for k, v in small.items()])}): merged, they would "
            "be one constant level. Lower min_class, or drop the driver."
        )
    ordered = sorted(small.items(), key=lambda kv: _natural_key(kv[0]))
    listed = ", ".join(f"{k!r} ({v:,})" for k, v in ordered[:_LISTED])
    if len(ordered) > _LISTED:
        listed += f" and {len(ordered) - _LISTED:,} more"
    notes.append(
        f"{name}: {len(ordered):,} levels with fewer than {min_class} rows merged into "
        f"{OTHER_LEVEL!r}: {listed}."
    )
    labels = labels.where(~labels.isin(small.index), OTHER_LEVEL)
    counts = labels.value_counts()
    if counts[OTHER_LEVEL] < min_class:
        notes.append(
            f"{name}: {OTHER_LEVEL!r} still has only {int(counts[OTHER_LEVEL]):,} rows; "
            "its estimate is imprecise."
        )
    if len(counts) < 2:
        raise _constant(name, labels)
    return labels, counts


def _reference(counts: pd.Series, name: str, reference, numeric_binary: bool, distinct) -> str:
    if reference is not None:
        ref = _level_name(reference)
        if ref not in counts.index:
            raise ParameterError(
                f"Reference level {reference!r} is not a level of {name!r}; levels: "
                f"{show_values(sorted(counts.index, key=_natural_key), limit=10)}."
            )
        return ref
    if numeric_binary:
        return _level_name(min(distinct))
    candidates = counts.drop(OTHER_LEVEL, errors="ignore")
    top = candidates.max()
    return sorted(candidates[candidates == top].index, key=_natural_key)[0]


def _check_outcome(y: pd.Series, outcome: str, kind: str, min_class: int, notes: list[str]) -> int:
    counts = y.value_counts()
    if len(counts) < 2:
        value = counts.index[0]
        label = (f"{value:g}" + (f" ({'yes' if value == 1 else 'no'})" if kind == "binary" else ""))
        raise DataError(
            f"The outcome {outcome!r} has one class only: all {int(counts.iloc[0]):,} rows used "
            f"are {label}. A driver model needs answers on both sides; check the filter, "
            "the scale thresholds, or the outcome."
        )
    if kind == "binary" and counts.min() < min_class:
        notes.append(
            f"The outcome {outcome!r} has only {int(counts.min()):,} rows equal to "
            f"{counts.idxmin():g} (fewer than {min_class}); estimates will be unstable."
        )
    return int(len(counts))


def _design(out: pd.DataFrame, drivers, codings, levels):
    columns, groups = {}, {}
    for d in drivers:
        if codings[d] == "value":
            columns[d] = out[d].to_numpy(dtype=float)
            groups[d] = [d]
        else:
            names = []
            codes = out[d].astype(str).to_numpy()
            for level in levels[d][1:]:
                name = f"{d}[{level}]"
                columns[name] = (codes == level).astype(float)
                names.append(name)
            groups[d] = names
    design = pd.DataFrame(columns, index=out.index)
    design.attrs["groups"] = groups
    return design, groups


def _check_size(design: pd.DataFrame, n_used: int) -> None:
    k = design.shape[1] + 1
    if k >= n_used:
        raise DataError(
            f"Too many parameters for the rows: the model needs {k} (an intercept and "
            f"{design.shape[1]} driver columns) but only {n_used} rows are usable. Use fewer "
            "drivers, merge levels (raise min_class), or add data."
        )


def _check_collinear(design: pd.DataFrame, groups: dict[str, list[str]]) -> None:
    x = np.column_stack([np.ones(len(design)), design.to_numpy(dtype=float)])
    if np.linalg.matrix_rank(x) == x.shape[1]:
        return
    table = vif(design, groups)
    culprits = table.loc[~np.isfinite(table["gvif"]) | (table["gvif"] > 1e8), "driver"].tolist()
    raise DataError(
        "Some drivers are perfectly collinear (one is fixed by the others), so their "
        f"effects cannot be separated: {show_values(culprits or list(groups))}. Drop one of "
        "them (for example a team column beside the agent column)."
    )


# --- collinearity ------------------------------------------------------------------------


def vif(design: pd.DataFrame, groups: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Variance inflation factors per driver (generalised VIF for grouped dummies).

    GVIF of a group of columns = det(R11) det(R22) / det(R), with R the correlation
    matrix of all design columns, R11 that of the group and R22 that of the others
    (Fox & Monette 1992, as R's ``car::vif``). ``gvif_df`` = GVIF^(1/(2 df)) is
    comparable across drivers with different numbers of columns; ``high`` flags
    ``gvif_df > sqrt(5)`` (a VIF above 5 for a one-column driver).

    Parameters
    ----------
    design : DataFrame
        Numeric design columns without intercept.
    groups : dict, optional
        Driver -> its columns; each column its own driver by default.

    Returns
    -------
    DataFrame
        ``driver``, ``df``, ``gvif``, ``gvif_df``, ``vif_equivalent``
        (``gvif_df ** 2``), ``high``.

    Examples
    --------
    >>> x = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6], "b": [2.0, 1, 4, 3, 6, 5],
    ...                   "c": [1.0, 0, 1, 0, 1, 1]})
    >>> vif(x).round(3)[["driver", "gvif"]].values.tolist()
    [['a', 6.271], ['b', 9.771], ['c', 3.2]]
    """
    columns = list(design.columns)
    if groups is None:
        groups = {c: [c] for c in columns}
    groups = {k: list(v) for k, v in groups.items()}
    x = design.to_numpy(dtype=float)
    rows = []
    if x.shape[1] < 2:
        for name, cols in groups.items():
            rows.append((name, len(cols), 1.0))
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.corrcoef(x, rowvar=False)
        sign, logdet = np.linalg.slogdet(r)
        for name, cols in groups.items():
            idx = [columns.index(c) for c in cols]
            rest = [i for i in range(len(columns)) if i not in idx]
            if sign <= 0 or not np.isfinite(logdet):
                rows.append((name, len(idx), np.inf))
                continue
            s1, l1 = np.linalg.slogdet(r[np.ix_(idx, idx)])
            s2, l2 = np.linalg.slogdet(r[np.ix_(rest, rest)]) if rest else (1.0, 0.0)
            rows.append((name, len(idx), float(np.exp(l1 + l2 - logdet))))
    table = pd.DataFrame(rows, columns=["driver", "df", "gvif"])
    table["gvif_df"] = table["gvif"] ** (1 / (2 * table["df"]))
    table["vif_equivalent"] = table["gvif_df"] ** 2
    table["high"] = table["gvif_df"] > np.sqrt(VIF_LIMIT)
    return table


def _column_vif(design: pd.DataFrame, groups: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    owner = {c: d for d, cols in groups.items() for c in cols}
    table = vif(design)
    return pd.DataFrame({"column": table["driver"], "driver": table["driver"].map(owner),
                         "vif": table["gvif"]})


# --- fitting -----------------------------------------------------------------------------


@dataclass
class DriverModel:
    """A fitted driver model (see :func:`fit_drivers`).

    Attributes
    ----------
    table : DataFrame
        One row per term: ``driver``, ``term`` (level, ``"per unit"`` for numeric
        drivers, ``"1"`` for 0/1 drivers), ``reference``, ``kind``, ``n`` (rows at the
        level; all rows for numeric drivers), ``estimate`` (odds ratio for logit and
        ordered logit, coefficient for OLS), ``ci_low``, ``ci_high``, ``coef`` and ``se``
        (log-odds or score scale), ``statistic``, ``p_value``, ``p_adjusted``,
        ``significant``, ``small_n``, ``ame``, ``ame_ci_low``, ``ame_ci_high``
        (average marginal effect in percentage points, logit only), ``conf``, ``method``.
    driver_tests : DataFrame
        One row per driver: joint Wald test of its terms (``test``, ``statistic``,
        ``df``, ``p_value``, ``p_adjusted``, ``significant``).
    vif : DataFrame
        Per driver: ``driver``, ``df``, ``gvif``, ``gvif_df``, ``vif_equivalent``, ``high``.
    vif_columns : DataFrame
        Per design column: ``column``, ``driver``, ``vif``.
    fit : statsmodels results
    warnings : list of str
    n : int
    model : {"logit", "ols", "ordered"}
    method : str
    outcome : str
    conf : float
    thresholds : DataFrame or None
        Ordered logit cut points (``threshold``, ``estimate``, ``se``).
    """

    table: pd.DataFrame
    driver_tests: pd.DataFrame
    vif: pd.DataFrame
    vif_columns: pd.DataFrame
    fit: object
    warnings: list[str]
    n: int
    model: str
    method: str
    outcome: str
    conf: float
    correction: str
    thresholds: pd.DataFrame | None = None

    def summary(self) -> str:
        """Which drivers matter (joint Wald tests, corrected), strongest first."""
        tests = self.driver_tests.sort_values(["p_value", "statistic"], ascending=[True, False])
        name = {"logit": "Logistic regression", "ols": "Linear regression (OLS)",
                "ordered": "Ordered logit"}[self.model]
        found = tests[tests["significant"]]
        label = _adjusted(self.correction)
        if found.empty:
            verdict = (f"no driver is distinguishable from no effect ({label} "
                       f"p >= {1 - self.conf:.2f})")
        else:
            listed = ", ".join(
                f"{r.driver} ({r.test} = {r.statistic:.1f}, df = {r.df}, {format_p(r.p_adjusted)})"
                for r in found.itertuples()
            )
            rest = tests.loc[~tests["significant"], "driver"].tolist()
            verdict = f"drivers that matter ({label} p-values): {listed}"
            if rest:
                verdict += f"; not distinguishable from no effect: {', '.join(rest)}"
        text = f"{name} of {self.outcome} on {len(tests)} drivers (n = {self.n:,}): {verdict}."
        if self.warnings:
            text += f" {len(self.warnings)} warning(s): see .warnings."
        return text


def fit_drivers(
    frame: DriverFrame,
    *,
    model: str = "auto",
    conf: float = 0.95,
    correction: str = "holm",
    cluster: str | None = None,
    weight_kind: str = "survey",
    min_n: int = 30,
) -> DriverModel:
    """Fit a driver model with statsmodels formulas, with diagnostics.

    Parameters
    ----------
    frame : DriverFrame
        From :func:`driver_frame`.
    model : {"auto", "logit", "ols", "ordered"}
        ``"auto"``: logit for binary outcomes, ordered logit for scores with at most 7
        points, OLS otherwise. ``"logit"`` is a binomial GLM with logit link (odds
        ratios, average marginal effects); ``"ols"`` uses HC3 robust errors (cluster-
        robust with ``cluster``); ``"ordered"`` is the proportional-odds model of
        ``statsmodels.miscmodels.ordinal_model.OrderedModel`` (logit link; odds ratios
        above 1 mean higher scores).
    conf : float
        Confidence level of the intervals; ``significant`` means an adjusted p-value
        below ``1 - conf``.
    correction : {"holm", "bh", "none"}
        Adjustment of p-values across terms (``table``) and across drivers
        (``driver_tests``).
    cluster : str, optional
        Column of ``frame.data`` (customer, agent ...) for cluster-robust errors.
    weight_kind : {"survey", "frequency"}
        How ``frame.weights`` are used: survey (sampling) weights give weighted
        pseudo-likelihood estimates with sandwich (HC0) errors (GLM ``var_weights``; WLS
        with HC3 for OLS); frequency weights count each row ``w`` times (GLM
        ``freq_weights``, model-based errors). The ordered logit takes no weights.
    min_n : int
        Terms whose level has fewer rows are flagged ``small_n`` and never significant.

    Returns
    -------
    DriverModel

    Raises
    ------
    DataError
        Separation (a level where the outcome is all 0 or all 1), or a model that
        cannot be estimated.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"contacts": rng.integers(1, 5, 400),
    ...                    "channel": rng.choice(["chat", "email", "phone"], 400)})
    >>> logit = 1.5 - 0.6 * (df["contacts"] - 1) + np.where(df["channel"] == "chat", 0.8, 0)
    >>> df["satisfied"] = (rng.random(400) < 1 / (1 + np.exp(-logit))).astype(int)
    >>> frame = driver_frame(df, "satisfied", ["contacts", "channel"],
    ...                      reference={"channel": "chat"})
    >>> m = fit_drivers(frame)
    >>> m.table[["driver", "term", "reference"]].values.tolist()
    [['contacts', 'per unit', None], ['channel', 'email', 'chat'], ['channel', 'phone', 'chat']]
    >>> m.table["estimate"].round(2).tolist(), m.table["significant"].tolist()
    ([0.62, 0.56, 0.38], [True, True, True])
    >>> m.table["ame"].round(1).tolist()  # percentage points
    [-9.9, -11.5, -20.1]
    """
    if not isinstance(frame, DriverFrame):
        raise ParameterError("fit_drivers takes the result of driver_frame(...).")
    stats.z_value(conf)  # checks conf
    if correction not in stats.CORRECTIONS:
        raise ParameterError(
            f"Unknown correction {correction!r}; use 'holm' (default), 'bh' or 'none'."
        )
    if weight_kind not in WEIGHT_KINDS:
        raise ParameterError(f"weight_kind must be one of {WEIGHT_KINDS}; got {weight_kind!r}.")
    kind = _resolve_model(frame, model)
    notes = list(frame.warnings)
    groups_codes = _cluster_codes(frame, cluster)
    mdata, names = _model_data(frame)
    formula = "y ~ " + " + ".join(
        f"C({names[d]})" if frame.codings[d] == "dummies" else names[d] for d in frame.drivers
    )
    if kind in ("logit", "ordered"):
        _check_separation(frame, kind)
    if kind == "ordered":
        _check_ordered_size(frame)
    fit, method, caught = _fit(kind, formula, mdata, frame, groups_codes, weight_kind, cluster)
    with np.errstate(all="ignore"):
        _raise_on_separation(fit, caught, kind, frame, mdata)
    notes += _warning_notes(fit, caught)
    terms = _terms(frame, names, list(fit.model.exog_names))
    table = _term_table(fit, terms, kind, frame, conf, correction, min_n, method)
    tests = _driver_tests(fit, terms, frame, kind, conf, correction)
    vif_table = vif(frame.design, frame.groups)
    for r in vif_table[vif_table["high"]].itertuples():
        notes.append(
            f"{r.driver}: collinear with other drivers (GVIF^(1/(2 df)) = {r.gvif_df:.2f} > "
            f"sqrt(5)); its own effect is estimated imprecisely."
        )
    thresholds = _thresholds(fit) if kind == "ordered" else None
    return DriverModel(
        table=table, driver_tests=tests, vif=vif_table,
        vif_columns=_column_vif(frame.design, frame.groups), fit=fit, warnings=notes,
        n=frame.n_used, model=kind, method=method, outcome=frame.outcome, conf=conf,
        correction=correction, thresholds=thresholds,
    )


def _resolve_model(frame: DriverFrame, model: str) -> str:
    if model not in MODELS:
        raise ParameterError(f"Unknown model {model!r}; use one of {MODELS}.")
    binary = frame.outcome_kind == "binary"
    if model == "auto":
        if binary:
            return "logit"
        points = len(frame.scale.points) if frame.scale is not None else frame.points
        return "ordered" if points <= 7 else "ols"
    if model == "logit" and not binary:
        raise ParameterError(
            f"model='logit' needs a binary outcome; {frame.outcome!r} is a score. Use "
            "outcome='satisfied' in driver_frame, or model='ordered' / 'ols'."
        )
    if model == "ordered" and binary:
        raise ParameterError(
            "model='ordered' needs a score outcome; use model='logit' for a 0/1 outcome."
        )
    if model == "ordered" and frame.weights is not None:
        raise ParameterError(
            "The ordered logit (statsmodels OrderedModel) takes no weights. Use model='ols', "
            "or a binary outcome with model='logit', or build the frame without weights."
        )
    return model


def _cluster_codes(frame: DriverFrame, cluster: str | None):
    if cluster is None:
        return None
    if cluster not in frame.data.columns:
        _require(frame.data, [cluster])
    values = frame.data[cluster]
    if values.isna().any():
        raise DataError(
            f"The cluster column {cluster!r} is empty in {int(values.isna().sum()):,} of the rows "
            "used. Fill it (each row needs its cluster), or fit without cluster=."
        )
    codes, uniques = pd.factorize(values)
    if len(uniques) < 2:
        raise DataError(
            f"The cluster column {cluster!r} has a single value; cluster-robust errors need "
            "many clusters (customers, agents ...)."
        )
    return codes


def _model_data(frame: DriverFrame):
    """The frame with safe column names (y, x0, x1, ...) for the formula."""
    names = {d: f"x{i}" for i, d in enumerate(frame.drivers)}
    columns = {"y": frame.data[frame.outcome].to_numpy(dtype=float)}
    for d, safe in names.items():
        columns[safe] = frame.data[d].to_numpy()
        if frame.codings[d] == "dummies":
            columns[safe] = pd.Categorical(frame.data[d].astype(str), categories=frame.levels[d])
    if frame.weights is not None:
        columns["w"] = frame.data[frame.weights].to_numpy(dtype=float)
    return pd.DataFrame(columns), names


def _check_separation(frame: DriverFrame, kind: str) -> None:
    y = frame.data[frame.outcome].to_numpy(dtype=float)
    low, high = np.min(y), np.max(y)
    for d in frame.drivers:
        if d not in frame.levels:
            continue
        values = frame.data[d].astype(str).to_numpy() if frame.codings[d] == "dummies" else \
            frame.data[d].map(_level_name).to_numpy()
        for level in frame.levels[d]:
            at = y[values == level]
            if len(at) == 0:
                continue
            for bound, word in ((low, "lowest"), (high, "highest")):
                if np.all(at == bound):
                    if kind == "logit":
                        what = f"is {'1 (yes)' if bound == 1 else '0 (no)'} in all {len(at):,} rows"
                    else:
                        what = f"is the {word} score ({bound:g}) in all {len(at):,} rows"
                    raise DataError(
                        f"Perfect separation: the outcome {frame.outcome!r} {what} with "
                        f"{d} = {level!r}, so its odds ratio would be infinite. Merge that "
                        f"level with another (or raise min_class), or drop {d!r} from the "
                        "drivers."
                    )


def _check_ordered_size(frame: DriverFrame) -> None:
    k = frame.design.shape[1] + frame.points - 1
    if k >= frame.n_used:
        raise DataError(
            f"Too many parameters for the rows: the ordered logit needs {k} but only "
            f"{frame.n_used} rows are usable. Use fewer drivers or model='ols'."
        )


def _fit(kind, formula, mdata, frame, codes, weight_kind, cluster_name):
    """Fit the statsmodels formula model; returns (results, method text, warnings seen)."""
    model, fit_kwargs, errors, weights_text = _model_spec(kind, formula, mdata, frame, weight_kind)
    if codes is not None:
        fit_kwargs.update(cov_type="cluster", cov_kwds={"groups": codes})
        errors = f"cluster-robust errors by {cluster_name}"
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        try:
            fit = model.fit(**fit_kwargs)
        except (sm_exceptions.PerfectSeparationError, np.linalg.LinAlgError) as exc:
            raise DataError(
                f"The model cannot be estimated ({type(exc).__name__}: {exc}). This usually "
                "means perfect separation or collinear drivers: merge small levels, or drop "
                "the driver that predicts the outcome perfectly."
            ) from exc
    method = {
        "logit": "Logistic regression (binomial GLM, logit link), odds ratios, "
                 f"{errors}, average marginal effects (delta method)",
        "ols": f"Linear regression (OLS), {errors}",
        "ordered": "Ordered logit (proportional odds, statsmodels OrderedModel), odds ratios, "
                   f"{errors}",
    }[kind]
    return fit, method + (f"; {weights_text}" if weights_text else ""), list(caught)


def _model_spec(kind, formula, mdata, frame, weight_kind):
    """The model, its fit arguments, and the texts naming the errors and the weights."""
    w = mdata["w"].to_numpy() if frame.weights is not None else None
    frequency = w is not None and weight_kind == "frequency"
    if kind == "ordered":
        model = _OrderedLogit.from_formula(formula, mdata, distr="logit")
        return model, {"method": "bfgs", "maxiter": 1000, "gtol": 1e-8, "disp": False}, \
            "model-based errors", ""
    if kind == "logit" or frequency:
        family = sm.families.Binomial() if kind == "logit" else sm.families.Gaussian()
        if frequency:
            model = smf.glm(formula, mdata, family=family, freq_weights=w)
            return model, {"tol": _GLM_TOL}, "model-based errors", "frequency weights"
        if w is not None:
            model = smf.glm(formula, mdata, family=family, var_weights=w)
            return model, {"tol": _GLM_TOL, "cov_type": "HC0"}, "sandwich (HC0) errors", \
                "survey weights (weighted pseudo-likelihood)"
        return smf.glm(formula, mdata, family=family), {"tol": _GLM_TOL}, "model-based errors", ""
    if w is not None:
        return smf.wls(formula, mdata, weights=w), {"cov_type": "HC3", "use_t": True}, \
            "HC3 robust errors", "survey weights (WLS)"
    return smf.ols(formula, mdata), {"cov_type": "HC3", "use_t": True}, "HC3 robust errors", ""


class _OrderedLogit(OrderedModel):
    """statsmodels' OrderedModel with an analytic score; the likelihood is unchanged.

    OrderedModel differentiates the log-likelihood numerically, which takes minutes on
    ten thousand answers with forty parameters; the analytic gradient (and a Hessian
    differentiated numerically from it) gives the same estimates in seconds.
    """

    def _score_parts(self, params):
        params = np.asarray(params, dtype=float)
        low, upp = self._bounds(params)
        denom = self.prob(low, upp) + 1e-20  # as in OrderedModel.loglikeobs
        with np.errstate(invalid="ignore"):
            f_low = np.where(np.isfinite(low), self.pdf(low), 0.0)
            f_upp = np.where(np.isfinite(upp), self.pdf(upp), 0.0)
        cuts = self.k_levels - 1
        rows, level = np.arange(len(denom)), np.asarray(self.endog, dtype=int)
        d_cut = np.zeros((len(denom), cuts))
        up, down = level < cuts, level > 0
        d_cut[rows[up], level[up]] += f_upp[up] / denom[up]
        d_cut[rows[down], level[down] - 1] -= f_low[down] / denom[down]
        # cut m = a_0 + sum_{j=1..m} exp(a_j): d cut_m / d a_j = exp(a_j) (a_0: 1), j <= m
        raw = params[-cuts:]
        chain = np.concatenate(([1.0], np.exp(raw[1:])))
        return -(f_upp - f_low) / denom, d_cut, chain

    def score_obs(self, params):
        d_linpred, d_cut, chain = self._score_parts(params)
        tail = np.cumsum(d_cut[:, ::-1], axis=1)[:, ::-1]
        return np.column_stack([d_linpred[:, None] * self.exog, tail * chain])

    def score(self, params):
        d_linpred, d_cut, chain = self._score_parts(params)
        tail = np.cumsum(d_cut.sum(axis=0)[::-1])[::-1]
        return np.concatenate([d_linpred @ self.exog, tail * chain])

    def hessian(self, params):
        from statsmodels.tools.numdiff import approx_fprime

        h = approx_fprime(np.asarray(params, dtype=float), self.score, centered=True)
        return (h + h.T) / 2


def _thresholds(fit) -> pd.DataFrame:
    """Cut points of the ordered logit (between score classes), with delta-method SEs."""
    model = fit.model
    params = np.asarray(fit.params, dtype=float)
    cuts = model.k_levels - 1
    raw = params[-cuts:]
    cut = model.transform_threshold_params(params)[1:-1]
    jac = np.zeros((cuts, cuts))
    jac[:, 0] = 1.0
    for m in range(1, cuts):
        jac[m:, m] = np.exp(raw[m])
    cov = np.asarray(fit.cov_params(), dtype=float)[-cuts:, -cuts:]
    labels = [_level_name(v) for v in np.asarray(model.labels)]
    return pd.DataFrame({
        "threshold": [f"{a}|{b}" for a, b in zip(labels[:-1], labels[1:])],
        "estimate": cut,
        "se": np.sqrt(np.diag(jac @ cov @ jac.T)),
    })


def _raise_on_separation(fit, caught, kind, frame, mdata) -> None:
    flagged = any(issubclass(c.category, sm_exceptions.PerfectSeparationWarning) for c in caught)
    if kind == "logit":
        mu = np.asarray(fit.mu, dtype=float)
        y = mdata["y"].to_numpy()
        extreme = (mu < 1e-8) | (mu > 1 - 1e-8)  # |linear predictor| > 18
        if extreme.any() and np.all(np.round(mu[extreme]) == y[extreme]):
            params = np.asarray(fit.params)
            flagged = flagged or np.max(np.abs(params[1:])) > 15
    if not flagged:
        return
    exog = np.asarray(fit.model.exog, dtype=float)
    params = np.asarray(fit.params)[: exog.shape[1]]
    scale = exog.std(axis=0)
    scale[np.asarray(fit.model.exog_names) == "Intercept"] = 0
    worst = list(fit.model.exog_names)[int(np.argmax(np.abs(params * scale)))]
    names = {f"x{i}": d for i, d in enumerate(frame.drivers)}
    driver = next((d for safe, d in names.items() if re.search(rf"\b{safe}\b", worst)), worst)
    raise DataError(
        f"Perfect separation: {driver!r} predicts the outcome {frame.outcome!r} (almost) "
        "perfectly, so its effect would be infinite. Merge or drop the levels involved, "
        f"bucket {driver!r}, or drop it from the drivers."
    )


def _warning_notes(fit, caught) -> list[str]:
    notes = []
    converged = True
    retvals = getattr(fit, "mle_retvals", None)
    if isinstance(retvals, dict) and "converged" in retvals:
        converged = bool(retvals["converged"])
    elif hasattr(fit, "converged"):
        converged = bool(fit.converged)
    warned = any(issubclass(c.category, sm_exceptions.ConvergenceWarning) for c in caught)
    if not converged or warned:
        notes.append("The model did not converge: estimates may be unreliable. Merge small "
                     "levels, drop drivers or rescale numeric drivers.")
    seen = set()
    for c in caught:
        if issubclass(c.category, (sm_exceptions.ConvergenceWarning, RuntimeWarning,
                                   sm_exceptions.PerfectSeparationWarning, DeprecationWarning,
                                   FutureWarning)):
            continue
        text = f"statsmodels: {str(c.message).splitlines()[0]}"
        if text not in seen:
            seen.add(text)
            notes.append(text)
    return notes


@dataclass
class _Term:
    driver: str
    term: str
    reference: str | None
    kind: str
    coding: str  # "value", "indicator" (0/1 driver), "level"
    index: int
    group: list[int]
    design_column: str


def _terms(frame: DriverFrame, names: dict[str, str], exog_names: list[str]) -> list[_Term]:
    position = {name: i for i, name in enumerate(exog_names)}
    terms = []
    for d in frame.drivers:
        safe = names[d]
        if frame.codings[d] == "value":
            i = position[safe]
            coding = "indicator" if frame.kinds[d] == "binary" else "value"
            terms.append(_Term(d, "1" if coding == "indicator" else "per unit",
                               "0" if coding == "indicator" else None, frame.kinds[d],
                               coding, i, [i], d))
        else:
            idx = [position[f"C({safe})[T.{level}]"] for level in frame.levels[d][1:]]
            for level, i in zip(frame.levels[d][1:], idx):
                terms.append(_Term(d, level, frame.reference[d], frame.kinds[d], "level", i, idx,
                                   f"{d}[{level}]"))
    return terms


def _term_table(fit, terms, kind, frame, conf, correction, min_n, method) -> pd.DataFrame:
    params = np.asarray(fit.params, dtype=float)
    bse = np.asarray(fit.bse, dtype=float)
    ci = np.asarray(fit.conf_int(alpha=1 - conf), dtype=float)
    pvalues = np.asarray(fit.pvalues, dtype=float)
    tvalues = np.asarray(fit.tvalues, dtype=float)
    idx = [t.index for t in terms]
    coef, low, high = params[idx], ci[idx, 0], ci[idx, 1]
    ratio = kind in ("logit", "ordered")
    n_level = []
    for t in terms:
        if t.coding == "value":
            n_level.append(frame.n_used)
        else:
            n_level.append(int(frame.design[t.design_column].sum()))
    table = pd.DataFrame({
        "driver": [t.driver for t in terms],
        "term": [t.term for t in terms],
        "reference": pd.Series([t.reference for t in terms], dtype=object),
        "kind": [t.kind for t in terms],
        "n": n_level,
        "estimate": np.exp(coef) if ratio else coef,
        "ci_low": np.exp(low) if ratio else low,
        "ci_high": np.exp(high) if ratio else high,
        "coef": coef,
        "se": bse[idx],
        "statistic": tvalues[idx],
        "p_value": pvalues[idx],
    })
    table["p_adjusted"] = stats.adjust_pvalues(table["p_value"].to_numpy(), correction)
    table["small_n"] = table["n"] < min_n
    table["significant"] = (table["p_adjusted"] < 1 - conf) & ~table["small_n"]
    if kind == "logit":
        ame = _average_marginal_effects(fit, terms, frame, conf)
        table["ame"], table["ame_ci_low"], table["ame_ci_high"] = ame.T
    else:
        table["ame"] = table["ame_ci_low"] = table["ame_ci_high"] = np.nan
    table["conf"] = conf
    table["method"] = method + f"; {_adjusted(correction)} p-values"
    columns = ["driver", "term", "reference", "kind", "n", "estimate", "ci_low", "ci_high",
               "coef", "se", "statistic", "p_value", "p_adjusted", "significant", "small_n",
               "ame", "ame_ci_low", "ame_ci_high", "conf", "method"]
    return table[columns]


def _correction_label(correction: str) -> str:
    return {"holm": "Holm", "bh": "Benjamini-Hochberg", "fdr_bh": "Benjamini-Hochberg",
            "none": "none"}[correction]


def _adjusted(correction: str) -> str:
    label = _correction_label(correction)
    return "unadjusted" if label == "none" else f"{label}-adjusted"


def _weights_of(fit, n: int) -> np.ndarray:
    model = fit.model
    for name in ("freq_weights", "var_weights", "weights"):
        w = getattr(model, name, None)
        if w is not None and np.size(w) == n:
            return np.asarray(w, dtype=float)
    return np.ones(n)


def _average_marginal_effects(fit, terms, frame, conf) -> np.ndarray:
    """AME in percentage points with delta-method intervals (Stata ``margins, dydx()``).

    Numeric drivers: mean of dp/dx = mean(p(1-p)) b. 0/1 drivers and categorical levels:
    discrete change, mean of p(level) - p(reference) with every row set to each.
    """
    x = np.asarray(fit.model.exog, dtype=float)
    beta = np.asarray(fit.params, dtype=float)
    cov = np.asarray(fit.cov_params(), dtype=float)
    w = _weights_of(fit, x.shape[0])
    w = w / w.sum()
    z = stats.z_value(conf)
    out = np.empty((len(terms), 3))
    p = expit(x @ beta)
    for k, t in enumerate(terms):
        if t.coding == "value":
            d = p * (1 - p)
            ame = (w @ d) * beta[t.index]
            grad = (w * d * (1 - 2 * p)) @ x * beta[t.index]
            grad[t.index] += w @ d
        else:
            x1, x0 = x.copy(), x.copy()
            x1[:, t.group] = 0.0
            x0[:, t.group] = 0.0
            x1[:, t.index] = 1.0
            p1, p0 = expit(x1 @ beta), expit(x0 @ beta)
            ame = w @ (p1 - p0)
            grad = (w * p1 * (1 - p1)) @ x1 - (w * p0 * (1 - p0)) @ x0
        se = float(np.sqrt(max(grad @ cov @ grad, 0.0)))
        out[k] = 100 * np.array([ame, ame - z * se, ame + z * se])
    return out


def _driver_tests(fit, terms, frame, kind, conf, correction) -> pd.DataFrame:
    k = len(np.asarray(fit.params))
    rows = []
    use_f = kind == "ols" and getattr(fit, "use_t", False)
    for d in frame.drivers:
        idx = sorted({i for t in terms if t.driver == d for i in t.group})
        r = np.zeros((len(idx), k))
        r[np.arange(len(idx)), idx] = 1.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = fit.wald_test(r, use_f=use_f, scalar=True)
        rows.append((d, frame.kinds[d], "Wald F" if use_f else "Wald chi2",
                     float(np.squeeze(res.statistic)), len(idx), float(res.pvalue)))
    table = pd.DataFrame(rows, columns=["driver", "kind", "test", "statistic", "df", "p_value"])
    table["p_adjusted"] = stats.adjust_pvalues(table["p_value"].to_numpy(), correction)
    table["significant"] = table["p_adjusted"] < 1 - conf
    table["correction"] = _correction_label(correction)
    return table


def _wmean(values: np.ndarray, weights: np.ndarray | None) -> float:
    if weights is None:
        return float(np.mean(values))
    return float(np.sum(values * weights) / np.sum(weights))


# --- what speed is worth -----------------------------------------------------------------


def speed_buckets(
    data: pd.DataFrame,
    column: str,
    *,
    outcome: str = "satisfied",
    edges: Sequence[float] = (1, 4, 24),
    unit: str = "hours",
    scale: str | Scale | None = None,
    conf: float = 0.95,
    min_n: int = 30,
    closed: str = "left",
) -> pd.DataFrame:
    """Satisfaction by duration bucket (first response, resolution ...), with intervals.

    Parameters
    ----------
    data : DataFrame
        Answers joined with their tickets.
    column : str
        Durations in ``unit`` (numbers) or as timedeltas.
    outcome : {"satisfied", "detractor", "promoter", "score"} or a 0/1 column
        Shares get Wilson intervals (in %); ``"score"`` the mean with a t interval.
    edges : sequence of float
        Bucket edges in ``unit``; default under 1 h, 1-4 h, 4-24 h, over 24 h.
    unit : str
        ``"hours"``, ``"minutes"``, ``"days"`` or ``"seconds"`` (any other text is used
        as the label unit for numbers).
    scale : str or Scale, optional
        Scale of ``score`` (as in :func:`driver_frame`).
    conf, min_n
        Confidence level; buckets with fewer answers are flagged ``small_n``.
    closed : {"left", "right"}
        ``"left"`` (default): a bucket holds ``lower <= t < upper`` (exactly 1 h is in
        "1-4 h"); ``"right"``: ``lower < t <= upper`` (exactly 1 h is "under 1 h").

    Returns
    -------
    DataFrame
        One row per bucket, plus a ``"no time recorded"`` row when durations are
        missing: ``bucket``, ``lower``, ``upper``, ``n``, ``estimate``, ``ci_low``,
        ``ci_high``, ``conf``, ``method``, ``small_n``.

    Raises
    ------
    DataError
        Negative durations (shown), or unusable outcome values.

    Examples
    --------
    >>> df = pd.DataFrame({"score": [5, 4, 2, 5, 1, 4] * 10,
    ...                    "hours": [0.5, 2, 30, 0.2, 50, None] * 10})
    >>> t = speed_buckets(df, "hours", min_n=5)
    >>> t[["bucket", "n", "estimate"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['under 1 h', 20, 100.0], ['1-4 h', 10, 100.0], ['4-24 h', 0, nan],
     ['over 24 h', 20, 0.0], ['no time recorded', 10, 100.0]]
    """
    stats.z_value(conf)  # checks conf
    if closed not in ("left", "right"):
        raise ParameterError(f"closed must be 'left' or 'right'; got {closed!r}.")
    edges = check_edges(edges)
    _require(data, [column])
    y, kind, scale, label = _bucket_outcome(data, outcome, scale)
    rows = data.loc[y.index]
    hours = _durations(rows[column], column, unit)
    negative = hours < 0
    if negative.any():
        raise DataError(
            f"{int(negative.sum()):,} durations in {column!r} are negative "
            f"({show_values(rows.loc[negative, column].tolist())}): a response cannot come "
            "before the ticket was created. Check the time stamps (time zones, swapped "
            "columns) and fix or drop those rows."
        )
    bounds = [0.0] + edges + [np.inf]
    labels = bucket_labels(edges, unit)
    bucket = pd.cut(hours, bounds, right=closed == "right", labels=False,
                    include_lowest=True)
    records = []
    for i, name in enumerate(labels):
        records.append((name, bounds[i], bounds[i + 1], y[bucket == i].to_numpy(float)))
    missing = hours.isna()
    if missing.any():
        records.append((_NO_TIME, np.nan, np.nan, y[missing].to_numpy(float)))
    out = []
    for name, lower, upper, values in records:
        est, low, high = _estimate(values, kind, conf)
        out.append({"bucket": name, "lower": lower, "upper": upper, "n": len(values),
                    "estimate": est, "ci_low": low, "ci_high": high})
    table = pd.DataFrame(out)
    table["conf"] = conf
    bounds_text = "left-closed" if closed == "left" else "right-closed"
    table["method"] = (("Wilson score interval" if kind == "binary" else "t interval")
                       + f" of {label} per {bounds_text} bucket of {column}")
    table["small_n"] = table["n"] < min_n
    return table


def bucketize(values: pd.Series, edges: Sequence[float] = (1, 4, 24), unit: str = "hours",
              *, closed: str = "left") -> pd.Series:
    """Durations as ordered bucket labels (the buckets of :func:`speed_buckets`).

    Missing durations stay missing; negative ones are an error (as in
    :func:`speed_buckets`).

    Examples
    --------
    >>> bucketize(pd.Series([0.5, 1.0, 30.0, None])).tolist()
    ['under 1 h', '1-4 h', 'over 24 h', nan]
    """
    edges = check_edges(edges)
    hours = _durations(values, str(values.name), unit)
    if (hours < 0).any():
        raise DataError(
            f"{int((hours < 0).sum()):,} durations in {values.name!r} are negative "
            f"({show_values(values[hours < 0].tolist())}); check the time stamps.")
    labels = bucket_labels(edges, unit)
    codes = pd.cut(hours, [0.0, *edges, np.inf], right=closed == "right", labels=False,
                   include_lowest=True)
    return pd.Series(pd.Categorical.from_codes(codes.fillna(-1).astype(int), labels,
                                               ordered=True), index=values.index,
                     name=values.name).astype(object).where(codes.notna())


def bucketize_columns(data: pd.DataFrame, columns: Sequence[str], *,
                      edges: Sequence[float] = (1, 4, 24), unit: str = "hours") -> pd.DataFrame:
    """A copy of ``data`` with each duration column replaced by its bucket labels.

    Use it to enter response times in a driver model as the same buckets the speed
    table shows; pass ``reference={column: bucket_labels(edges, unit)[0]}`` to
    :func:`driver_frame` to compare every bucket with the fastest.

    Examples
    --------
    >>> frame = pd.DataFrame({"frt": [0.2, 5.0], "contacts": [1, 2]})
    >>> bucketize_columns(frame, ["frt"])["frt"].tolist()
    ['under 1 h', '4-24 h']
    """
    _require(data, list(columns))
    return data.assign(**{c: bucketize(data[c], edges, unit) for c in columns})


def describe_speed(buckets: pd.DataFrame, *, label: str = "the first response time") -> list[str]:
    """Sentences for a :func:`speed_buckets` table: fastest against slowest, then each bucket.

    Examples
    --------
    >>> t = pd.DataFrame({"bucket": ["under 1 h", "over 1 h"], "lower": [0, 1.0],
    ...     "upper": [1.0, np.inf], "n": [500, 400], "estimate": [80.0, 60.0],
    ...     "ci_low": [76.3, 55.1], "ci_high": [83.3, 64.7], "conf": [0.95, 0.95],
    ...     "small_n": [False, False], "method": ["Wilson score interval of % satisfied"] * 2})
    >>> describe_speed(t)[0]
    'Satisfaction is 80.0% (95% CI 76.3-83.3%, n=500) when the first response time is under 1 h and 60.0% (95% CI 55.1-64.7%, n=400) when it is over 1 h: a gap of 20.0 points.'
    """
    timed = buckets[buckets["lower"].notna() & (buckets["n"] > 0)].reset_index(drop=True)
    if timed.empty:
        return [f"No answers with {label} recorded."]
    level = f"{100 * float(timed['conf'].iloc[0]):g}% CI"

    def one(row) -> str:
        small = ", too few answers to rely on" if row["small_n"] else ""
        return (f"{row['estimate']:.1f}% ({level} {row['ci_low']:.1f}-{row['ci_high']:.1f}%, "
                f"n={int(row['n']):,}{small})")

    first, last = timed.iloc[0], timed.iloc[-1]
    sentences = [f"Satisfaction is {one(first)} when {label} is {first['bucket']} and "
                 f"{one(last)} when it is {last['bucket']}: a gap of "
                 f"{first['estimate'] - last['estimate']:.1f} points."]
    sentences.append("By bucket: " + "; ".join(f"{r['bucket']} {one(r)}"
                                               for _, r in timed.iterrows()) + ".")
    return sentences


def _bucket_outcome(data: pd.DataFrame, outcome: str, scale):
    if outcome not in data.columns or outcome == "score":
        if outcome not in OUTCOMES:
            _require(data, [outcome], extra=OUTCOMES, what="outcome")
        _require(data, ["score"])
    scale = _resolve_scale(data, outcome, scale)
    rows = data
    derived = outcome not in data.columns or outcome == "score"
    if scale is not None and "survey" in data.columns and derived:
        rows = select_survey(data, scale.survey)
    y, reasons, kind = _outcome_values(rows, outcome, scale)
    bad = reasons.notna()
    if bad.any():
        source = "score" if derived else outcome
        values = show_values(rows.loc[bad, source].tolist())
        raise DataError(
            f"{int(bad.sum()):,} rows have no usable {outcome} "
            f"({show_values(reasons[bad].tolist())}; values {values}). "
            "Load the answers with csat_toolkit.load_responses (it sets such rows aside with "
            "a reason), or filter them out first."
        )
    if y.empty:
        raise DataError(
            f"No answers to compute {outcome!r} from; check the survey column and the scale."
        )
    default = f"% {outcome}" if kind == "binary" else f"mean {outcome}"
    label = {"satisfied": "% satisfied", "detractor": "% detractors", "promoter": "% promoters",
             "score": "mean score"}.get(outcome, default)
    return y, kind, scale, label


def _durations(values: pd.Series, column: str, unit: str) -> pd.Series:
    if pd.api.types.is_timedelta64_dtype(values):
        short = _DURATION_UNITS.get(unit)
        if short is None:
            raise ParameterError(
                f"{column!r} holds durations; unit must be 'hours', 'minutes', 'days' or "
                f"'seconds' to convert them; got {unit!r}."
            )
        return values / pd.Timedelta(_TIMEDELTA_UNIT[short])
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        converted = pd.to_numeric(values, errors="coerce")
        bad = converted.isna() & values.notna()
        if bad.any():
            raise DataError(
                f"{column!r} must hold durations (numbers in {unit}, or timedeltas); it has "
                f"{show_values(values[bad].tolist())}. Compute the duration first, e.g. "
                "(first_response_at - created_at) in hours."
            )
        return converted.astype(float)
    return values.astype(float)


def _estimate(values: np.ndarray, kind: str, conf: float):
    n = len(values)
    if n == 0:
        return np.nan, np.nan, np.nan
    if kind == "binary":
        x = float(values.sum())
        low, high = stats.proportion_interval(x, n, conf=conf)
        return 100 * x / n, 100 * low, 100 * high
    mean = float(values.mean())
    sd = float(values.std(ddof=1)) if n > 1 else np.nan
    low, high = stats.mean_interval(mean, sd, n, conf=conf)
    return mean, low, high


# --- modelled effect curve --------------------------------------------------------------


def effect_curve(
    frame: DriverFrame,
    driver: str,
    *,
    grid: Sequence[float] | None = None,
    n_points: int = 50,
    transform: str | None = "log1p",
    df: int = 4,
    conf: float = 0.95,
) -> pd.DataFrame:
    """Modelled effect of one numeric driver: the average predictive margin at each value.

    A GLM (binomial with logit link for binary outcomes, Gaussian for scores) of the
    outcome on a natural cubic regression spline of ``log1p(driver)`` (patsy
    ``cr(..., df=df, constraints='center')``) plus the other drivers as in the frame.
    At each grid value every row's driver is set to that value and the predictions are
    averaged over the rows (weighted when the frame has weights); the interval is the
    delta method with gradient ``mean(p (1 - p) X)``.

    Parameters
    ----------
    frame : DriverFrame
    driver : str
        A numeric driver of the frame (e.g. first-response hours).
    grid : sequence of float, optional
        Values to evaluate at; default ``n_points`` quantiles from 1% to 99%.
    transform : {"log1p", None}
        Spline of ``log1p(x)`` (durations: fine detail near zero) or of ``x``.
    df : int
        Degrees of freedom of the spline (3 or more).
    conf : float

    Returns
    -------
    DataFrame
        ``value``, ``estimate`` (% for binary outcomes, the score otherwise), ``ci_low``,
        ``ci_high``, ``conf``, ``method``, ``n``; ``attrs["warnings"]`` lists problems of
        the fit (non-convergence ...), empty when there are none.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> df = pd.DataFrame({"hours": rng.exponential(5, 600)})
    >>> df["satisfied"] = (rng.random(600) < 0.9 - 0.4 * (df["hours"] > 4)).astype(int)
    >>> curve = effect_curve(driver_frame(df, "satisfied", ["hours"]), "hours", grid=[0.5, 20])
    >>> curve["estimate"].round(0).tolist()
    [87.0, 48.0]
    """
    if not isinstance(frame, DriverFrame):
        raise ParameterError("effect_curve takes the result of driver_frame(...).")
    stats.z_value(conf)  # checks conf
    if driver not in frame.drivers:
        raise ParameterError(
            f"{driver!r} is not a driver of this frame; drivers: {show_values(frame.drivers)}."
        )
    if frame.kinds[driver] != "numeric":
        raise ParameterError(
            f"{driver!r} is {frame.kinds[driver]}: an effect curve needs a numeric driver. "
            "Its levels' effects are in fit_drivers(...).table."
        )
    if not isinstance(df, (int, np.integer)) or df < 3:
        raise ParameterError(f"df must be a whole number of at least 3; got {df!r}.")
    if transform not in ("log1p", None, "identity"):
        raise ParameterError(f"transform must be 'log1p' or None; got {transform!r}.")
    x = frame.data[driver].to_numpy(dtype=float)
    log = transform == "log1p"
    if log and np.any(x < 0):
        raise DataError(
            f"{driver!r} has negative values ({show_values(x[x < 0].tolist())}); log1p needs "
            "values of 0 or more. Fix the durations, or use transform=None."
        )
    values = _grid(x, grid, n_points, driver)
    mdata, names = _model_data(frame)
    safe = names[driver]
    mdata["t"] = np.log1p(x) if log else x
    spline = f"cr(t, df={int(df)}, constraints='center')"
    others = [f"C({names[d]})" if frame.codings[d] == "dummies" else names[d]
              for d in frame.drivers if d != driver]
    binary = frame.outcome_kind == "binary"
    family = sm.families.Binomial() if binary else sm.families.Gaussian()
    w = mdata["w"].to_numpy() if frame.weights is not None else None
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        y, xmat = patsy.dmatrices("y ~ " + " + ".join([spline] + others),
                                  mdata.drop(columns=[safe]), return_type="dataframe")
        fit = sm.GLM(y, xmat, family=family, var_weights=w).fit(
            tol=_GLM_TOL, **({"cov_type": "HC0"} if w is not None else {}))
    info = xmat.design_info
    spline_cols = info.term_name_slices[spline]
    beta = np.asarray(fit.params, dtype=float)
    cov = np.asarray(fit.cov_params(), dtype=float)
    basis_data = mdata.drop(columns=[safe]).iloc[[0] * len(values)].reset_index(drop=True)
    basis_data["t"] = np.log1p(values) if log else values
    basis = np.asarray(patsy.build_design_matrices([info], basis_data)[0])[:, spline_cols]
    xm = np.asarray(xmat, dtype=float)
    other = np.ones(xm.shape[1], dtype=bool)
    other[spline_cols] = False
    eta_other = xm[:, other] @ beta[other]
    eta = eta_other[:, None] + (basis @ beta[spline_cols])[None, :]
    weights = np.ones(len(xm)) if w is None else w
    weights = weights / weights.sum()
    if binary:
        p = expit(eta)
        d = p * (1 - p)
    else:
        p = eta
        d = np.ones_like(eta)
    estimate = weights @ p
    grad = np.zeros((len(values), xm.shape[1]))
    grad[:, other] = (d * weights[:, None]).T @ xm[:, other]
    grad[:, spline_cols] = (weights @ d)[:, None] * basis
    se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", grad, cov, grad), 0.0))
    z = stats.z_value(conf)
    low, high = estimate - z * se, estimate + z * se
    scale = 100.0 if binary else 1.0
    if binary:
        low, high = np.clip(low, 0, 1), np.clip(high, 0, 1)
    model = "logistic GLM" if binary else "Gaussian GLM"
    text = "log1p" if log else "identity"
    curve = pd.DataFrame({
        "value": values,
        "estimate": scale * estimate,
        "ci_low": scale * low,
        "ci_high": scale * high,
        "conf": conf,
        "method": (f"Average predictive margin from a {model} with a natural cubic spline of "
                   f"{text}({driver}) (df={int(df)}) and the other drivers; delta-method interval"
                   + ("; survey weights, sandwich (HC0) errors" if w is not None else "")),
        "n": frame.n_used,
    })
    curve.attrs["warnings"] = _warning_notes(fit, caught)
    return curve


def _grid(x: np.ndarray, grid, n_points: int, driver: str) -> np.ndarray:
    if grid is None:
        if not isinstance(n_points, (int, np.integer)) or n_points < 2:
            raise ParameterError(
                f"n_points must be a whole number of at least 2; got {n_points!r}."
            )
        return np.unique(np.quantile(x, np.linspace(0.01, 0.99, n_points)))
    values = np.asarray(grid, dtype=float)
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise ParameterError(f"grid must be a list of numbers; got {grid!r}.")
    outside = (values < x.min()) | (values > x.max())
    if outside.any():
        raise ParameterError(
            f"grid values {show_values(values[outside].tolist())} are outside the observed "
            f"range of {driver!r} ({x.min():g} to {x.max():g}); the model cannot say what "
            "happens there."
        )
    return values


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
        counts = values.map(_level_name).value_counts()
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


def speed_effect(
    data: pd.DataFrame,
    column: str,
    *,
    outcome: str = "satisfied",
    drivers: Sequence[str] = (),
    bucket_drivers: Sequence[str] = (),
    edges: Sequence[float] = (1, 4, 24),
    unit: str = "hours",
    scale: str | Scale | None = None,
    kinds: Mapping[str, str] | None = None,
    weights: str | None = None,
    min_class: int = 30,
    conf: float = 0.95,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """What one duration is worth: satisfaction by bucket and the modelled curve.

    The buckets come from :func:`speed_buckets`; the curve from :func:`effect_curve` on
    a model with the duration as a number and the other ``drivers`` (other durations
    as buckets). The curve is ``None`` when the duration has fewer than three distinct
    values (no curve to draw).

    Returns
    -------
    (DataFrame, DataFrame or None)
        The bucket table and the curve.

    Examples
    --------
    >>> df = pd.DataFrame({"score": [5, 4, 2, 5, 1, 4, 5, 3] * 10,
    ...                    "frt": [0.5, 2.0, 30.0, 0.2, 50.0, 3.0, 0.1, 10.0] * 10})
    >>> buckets, curve = speed_effect(df, "frt", min_class=5)
    >>> buckets["bucket"].tolist()[:2], len(curve) > 0
    (['under 1 h', '1-4 h'], True)
    """
    buckets = speed_buckets(data, column, outcome=outcome, edges=edges, unit=unit, scale=scale,
                            conf=conf, min_n=min_class)
    if pd.to_numeric(_durations(data[column], column, unit), errors="coerce").nunique() < 3:
        return buckets, None
    others = [c for c in bucket_drivers if c != column and c in drivers]
    frame = driver_frame(bucketize_columns(data, others, edges=edges, unit=unit), outcome,
                         [*[d for d in drivers if d != column], column], scale=scale,
                         kinds=kinds, weights=weights, min_class=min_class,
                         reference={c: bucket_labels(edges, unit)[0] for c in others})
    return buckets, effect_curve(frame, column, conf=conf)
