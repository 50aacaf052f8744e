"""The modelling frame of a driver model, and collinearity.

:func:`driver_frame` turns one row per survey answer (joined with its ticket) into a
clean modelling frame (:class:`DriverFrame`): the outcome (satisfied, score, NPS
detractor or promoter), the drivers typed as numeric, binary or categorical, small
categorical levels merged, a reference level per categorical driver, rows with gaps set
aside and counted, and the numeric design matrix (``.design`` with ``.groups``: driver ->
design columns) that relative-importance methods use. :func:`vif` gives the
(generalised) variance inflation factors of a design.

References
----------
- Fox, J. and Monette, G. (1992). Generalized collinearity diagnostics. JASA 87,
  178-183 (GVIF and GVIF^(1/(2 df)); R ``car::vif``).
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.display import result_html
from ..core.scales import MISSING, OUT_OF_RANGE, SURVEYS, UNRECOGNISED, Scale, get_scale
from ..errors import DataError, MissingColumnError, NoValidRowsError, ParameterError, show_values

__all__ = ["OUTCOMES", "KINDS", "OTHER_LEVEL", "DriverFrame", "driver_frame", "vif"]

OUTCOMES = ("satisfied", "score", "detractor", "promoter")
KINDS = ("numeric", "binary", "categorical")
OTHER_LEVEL = "Other (small levels)"
VIF_LIMIT = 5.0  # flag GVIF^(1/(2 df)) above sqrt(5), i.e. a VIF above 5 for one column

_LISTED = 10  # levels named in a sentence; the rest are counted


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

    def _repr_html_(self) -> str:
        table = pd.DataFrame({
            "driver": self.drivers, "kind": [self.kinds[d] for d in self.drivers],
            "levels": [len(self.levels[d]) if d in self.levels else None for d in self.drivers],
            "reference": [self.reference.get(d) for d in self.drivers],
            "columns": [len(self.groups.get(d, [])) for d in self.drivers]})
        return result_html(self.summary(), table, warnings=self.warnings)

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
    blank = _map_distinct(text, lambda v: isinstance(v, str) and not v.strip())
    return text.mask(blank)


def _map_distinct(values: pd.Series, func) -> pd.Series:
    """``values.map(func)`` for a pure ``func``, called once per distinct value.

    Distinct means the same float bits (so -0.0 and 0.0 stay apart) or, for text, the
    same string; any other column is mapped row by row. The result is the row-by-row
    map's: same values, dtype, index and name.

    Examples
    --------
    >>> _map_distinct(pd.Series([1.0, -0.0, 1.0, 0.0]), _level_name).tolist()
    ['1', '-0', '1', '0']
    """
    array = values.to_numpy()
    if len(array) and array.dtype == np.float64:
        codes, _ = pd.factorize(array.view(np.int64))
    elif len(array) and array.dtype == object and pd.api.types.infer_dtype(array, skipna=False) == "string":
        codes, _ = pd.factorize(array)
    else:
        return values.map(func)
    first = np.unique(codes, return_index=True)[1]  # a row of each distinct value, in code order
    mapped = pd.Series(array[first], dtype=values.dtype).map(func)
    out = mapped.iloc[codes]
    out.index, out.name = values.index, values.name
    return out


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
    labels = _map_distinct(values, _level_name)
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


def _wmean(values: np.ndarray, weights: np.ndarray | None) -> float:
    if weights is None:
        return float(np.mean(values))
    return float(np.sum(values * weights) / np.sum(weights))

