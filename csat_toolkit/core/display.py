"""Tables for people: the toolkit's tidy result tables formatted for a reader.

:func:`people_table` turns any result table (``n``, ``estimate``, ``ci_low``,
``ci_high``, ``p_adjusted``, ``significant``, ``small_n``, ``method`` ...) into a
:class:`TableView`, which shows in JupyterLab (``_repr_html_``) and in the exported
reports (``to_html()``) as a self-contained HTML fragment: no index column, readable
headers, one "95% CI" column, numbers rounded for reading, p-values as ``< 0.001``,
flags as marks with a legend, one-value method columns as a footnote, long tables
folded into a ``<details>`` block, and every text from the data escaped.

The rules are driven by the column names, which are the same in every analysis. The
HTML is rendered by pandas' ``Styler`` (pandas and jinja2 are already dependencies;
great_tables would add a dependency tree for what these few rules need, see
``docs/design-notes.md``).
"""
from __future__ import annotations

import hashlib
import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .metrics import METRICS
from .text import format_level

__all__ = ["TableView", "people_table", "column_label", "format_p_cell", "MISSING",
           "SIGNIFICANT_MARK", "SMALL_MARK", "TABLE_CSS", "result_html", "RESULT_CSS"]

#: What a missing cell shows (an en dash).
MISSING = "\u2013"
#: The mark of a significant row (after the correction the table names).
SIGNIFICANT_MARK = "\u25cf"
#: The mark of a row with fewer than ``min_n`` answers.
SMALL_MARK = "\u2020"
_NBSP = "\u00a0"

# Headers people read. Anything not here is sentence-cased (see column_label).
_LABELS = {
    "n": "n", "n_eff": "Effective n", "n_missing": "n missing", "ref_n": "n (reference)",
    "estimate": "Estimate", "ref_estimate": "Estimate (reference)",
    "difference": "Difference", "p": "p", "p_value": "p", "p_adjusted": "p (adjusted)",
    "noise_p_adj": "p against noise (adjusted)", "ph_p": "p (proportional hazards)",
    "se": "Standard error", "sd": "Standard deviation", "df": "df", "F": "F",
    "chi2": "\u03c7\u00b2", "df_num": "df (numerator)", "df_denom": "df (denominator)",
    "lmg": "LMG (share of R\u00b2)", "lmg_share": "LMG share (%)", "rw": "Relative weight",
    "relative_weight": "Relative weight", "ame": "Average marginal effect",
    "gvif": "GVIF", "gvif_df": "GVIF^(1/(2 df))", "vif_equivalent": "VIF equivalent",
    "share": "Share (%)", "conf": "Confidence level", "at_risk": "At risk",
    "prob_above_average": "Probability above average", "vs_overall": "Against overall",
    "a": "A", "b": "B", "mean": "Mean", "metric": "Metric",
}
_UNIT_SUFFIXES = {"hours": "hours", "minutes": "minutes", "days": "days",
                  "seconds": "seconds", "months": "months", "weeks": "weeks", "pct": "%"}
_ACRONYMS = {"csat": "CSAT", "nps": "NPS", "ces": "CES", "pmf": "PMF", "sla": "SLA",
             "fcr": "FCR", "aht": "AHT", "id": "ID", "ci": "CI", "pi": "PI", "r2": "R\u00b2",
             "vif": "VIF", "gvif": "GVIF", "lmg": "LMG", "rw": "RW", "ame": "AME",
             "usd": "USD", "eur": "EUR", "kpi": "KPI"}

# Columns whose one value moves to a footnote ("Method: Wilson score").
_FOOTNOTE_COLUMNS = ("method", "test", "correction", "reference", "unit", "source", "note")
_FOOTNOTE_LABELS = {"correction": "Correction for multiple testing", "reference": "Compared with"}
# Integer columns read as codes, never with thousands separators.
_PLAIN_INTEGERS = {"year", "hour", "weekday", "lag", "lags", "rank", "step", "df", "month",
                   "quarter", "week", "priority", "horizon_months", "months", "periods"}
# Numbers on a percent or points scale: at least one decimal.
_ONE_DECIMAL = {"estimate", "ref_estimate", "difference", "raw", "estimate_a",
                "estimate_b", "coverage", "response_rate", "ci", "raw_ci"}
# Columns on the metric's own scale (a mean metric's get two decimals).
_ON_SCALE = {"estimate", "ci_low", "ci_high", "ref_estimate", "difference", "sd"}
# Where the significance mark goes (the first column present), then the row's first column.
_SIGNIFICANT_AT = ("difference", "estimate", "importance", "lmg", "p_adjusted", "p_value")
_SMALL_AT = ("n", "n_eff", "tickets", "customers")

#: The table CSS, scoped to ``.ct-view`` (each fragment carries it: no external file).
TABLE_CSS = (
    ".ct-view{margin:.4em 0 1em;max-width:100%}"
    ".ct-view .ct-scroll{overflow-x:auto;max-width:100%}"
    "div.ct-view table.ct-table{border-collapse:collapse;table-layout:auto;margin:0;"
    "font-size:13px;line-height:1.35;font-variant-numeric:tabular-nums;color:inherit;border:0}"
    "div.ct-view table.ct-table caption{caption-side:top;text-align:left;font-weight:600;"
    "padding:0 0 .3em}"
    "div.ct-view table.ct-table th,div.ct-view table.ct-table td{padding:.3em .6em;"
    "text-align:left;vertical-align:top;white-space:normal;border:0;max-width:26em;"
    "overflow-wrap:break-word}"
    "div.ct-view table.ct-table thead th{border-bottom:1.5px solid rgba(127,127,127,.6);"
    "font-weight:600;vertical-align:bottom}"
    "div.ct-view table.ct-table tbody tr:nth-child(even){background:rgba(127,127,127,.07)}"
    "div.ct-view table.ct-table tbody tr:hover{background:rgba(127,127,127,.15)}"
    "div.ct-view table.ct-table .ct-num{text-align:right;white-space:nowrap}"
    ".ct-view details{margin:.3em 0}.ct-view summary{cursor:pointer;font-size:13px}"
    ".ct-view .ct-notes{font-size:12px;opacity:.8;margin:.3em 0 0;line-height:1.4}"
    "@media print{.ct-view .ct-scroll{overflow:visible}}"
)


@dataclass(frozen=True, eq=False)
class TableView:
    """A result table formatted for people (see :func:`people_table`).

    Attributes
    ----------
    data : DataFrame
        The table as given (numbers unrounded, every column).
    shown : DataFrame
        Every row as the reader sees it: text cells under readable headers.
    numeric : tuple of str
        The headers of ``shown`` that hold numbers (right-aligned).
    legend : tuple of str
        What the marks mean ("● significant ...", "† fewer than ...").
    footnotes : tuple of str
        One-value columns said once ("Method: Wilson score").
    title : str or None
        The caption above the table.
    max_rows : int
        Rows shown before the rest fold into "All N rows".
    """

    data: pd.DataFrame
    shown: pd.DataFrame
    numeric: tuple = ()
    legend: tuple = ()
    footnotes: tuple = ()
    title: str | None = None
    max_rows: int = 10
    _id: str = field(default="", repr=False)

    def __len__(self) -> int:
        return len(self.shown)

    def to_html(self, *, css: bool = True) -> str:
        """The table as an HTML fragment, text escaped; self-contained with ``css=True``
        (a page showing many tables can give :data:`TABLE_CSS` once and ``css=False``)."""
        head = self.shown.iloc[: self.max_rows]
        rest = self.shown.iloc[self.max_rows:]
        parts = ['<div class="ct-view">' + (f"<style>{TABLE_CSS}</style>" if css else ""),
                 self._table(head, self.title, self._id)]
        if len(rest):
            parts.append(f"<details><summary>All {len(self.shown):,} rows "
                         f"({len(rest):,} more)</summary>"
                         f"{self._table(rest, None, self._id + 'r')}</details>")
        notes = [" \u00b7 ".join(part) for part in (self.legend, self.footnotes) if part]
        if notes:
            parts.append('<p class="ct-notes">'
                         + "<br>".join(html.escape(n) for n in notes) + "</p>")
        parts.append("</div>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _table(self, rows: pd.DataFrame, title: str | None, uuid: str) -> str:
        styler = rows.style.hide(axis="index").format(escape="html")
        styler = styler.format_index(escape="html", axis=1)
        styler.set_uuid(uuid)
        styler.cell_ids = False
        numeric = [i for i, c in enumerate(rows.columns) if c in self.numeric]
        if numeric:
            classes = pd.DataFrame("", index=rows.index, columns=rows.columns)
            for i in numeric:
                classes.iloc[:, i] = "ct-num"
            styler.set_td_classes(classes)
            styler.set_table_styles([{"selector": f"th.col{i}", "props": "text-align:right"}
                                     for i in numeric])
        if title:
            styler.set_caption(html.escape(title))
        out = styler.to_html(table_attributes='class="ct-table"')
        return f'<div class="ct-scroll">{_compact(out)}</div>'


def _compact(markup: str) -> str:
    """Styler's HTML without its indentation and empty style block (page weight)."""
    markup = re.sub(r"<style type=\"text/css\">\s*</style>\s*", "", markup)
    return re.sub(r">\s+<", "><", markup).strip()


def people_table(table: pd.DataFrame, *, max_rows: int = 10, title: str | None = None,
                 conf: float | None = None, min_n: int | None = None) -> TableView:
    """A result table formatted for people, for notebooks and reports.

    Rules, by column name: no index column; readable headers (``p_adjusted`` ->
    "p (adjusted)", ``pct_promoters`` -> "% promoters", other snake_case names in
    sentence case, units from ``_hours``/``_minutes``/... suffixes); ``ci_low`` and
    ``ci_high`` (and ``X_ci_low``/``X_ci_high``, ``pi_low``/``pi_high``) become one
    column "95% CI" reading "73.4 to 74.8", at the table's ``conf`` if it has one;
    estimates and points with one decimal (two for a mean metric's rows), other numbers
    with the decimals they were rounded to, thousands separators, p-values as
    "< 0.001" else three decimals, a missing value as an en dash; ``significant`` and
    ``small_n`` as marks (● and †) with a legend; other yes/no columns as "yes"/"no";
    ``method``, ``test``, ``correction``, ``reference``, ``unit`` and ``*source``
    columns with one value as a footnote; rows after ``max_rows`` folded into
    "All N rows". The HTML escapes every text from the data.

    Parameters
    ----------
    table : DataFrame
        A result table (any columns; a named or non-default index is kept as columns).
    max_rows : int, default 10
        Rows shown before the rest fold into a ``<details>`` block.
    title : str, optional
        A caption above the table.
    conf : float, optional
        The confidence level of the intervals when the table has no ``conf`` column
        (default 0.95).
    min_n : int, optional
        The small-group threshold, for the legend of † ("fewer than 30 answers").

    Returns
    -------
    TableView

    Examples
    --------
    >>> t = pd.DataFrame({"channel": ["chat", "email"], "n": [4984, 12],
    ...                   "estimate": [82.0423, 66.9], "ci_low": [80.9, 40.1],
    ...                   "ci_high": [83.1, 88.0], "p_adjusted": [0.0000004, 0.41],
    ...                   "significant": [True, False], "small_n": [False, True],
    ...                   "method": "Wilson score"})
    >>> view = people_table(t, min_n=30)
    >>> view.shown.to_dict("records")[0]
    {'Channel': 'chat', 'n': '4,984', 'Estimate': '82.0\\xa0●', '95% CI': '80.9 to 83.1', 'p (adjusted)': '< 0.001'}
    >>> view.footnotes, view.legend
    (('Method: Wilson score',), ('● significant after correction for multiple testing', '† fewer than 30 answers'))
    """
    if not isinstance(table, pd.DataFrame):
        raise ParameterError(f"people_table needs a pandas DataFrame; got {type(table).__name__}. "
                             "Pass a result table (e.g. ct.csat(...)) or a result's .table.")
    if not isinstance(max_rows, (int, np.integer)) or isinstance(max_rows, bool) or max_rows < 1:
        raise ParameterError(f"max_rows must be a whole number of at least 1; got {max_rows!r}.")
    if conf is not None and not (isinstance(conf, (int, float)) and 0 < conf < 1):
        raise ParameterError(f"conf must be a confidence level between 0 and 1, e.g. 0.95; "
                             f"got {conf!r}.")
    data = _with_index(table)
    level, data = _confidence(data, conf)
    footnotes, data = _footnotes(data)
    flags, data = _flags(data)
    statistic = _statistics(data)
    prefixes = _ci_prefixes(data)
    columns: dict[str, pd.Series] = {}
    numeric: set[str] = set()
    for name in data.columns:
        if name in [f"{p}ci_high" for p in prefixes] or (name == "pi_high" and "pi_low" in data):
            continue
        if name in [f"{p}ci_low" for p in prefixes]:
            prefix = name[: -len("ci_low")]
            label = _interval_label(prefix, level)
            if not prefix and "difference" in data.columns:
                label = f"{label} (difference)"
            cells = _interval_cells(data[name], data[f"{prefix}ci_high"], f"{prefix}ci", statistic)
        elif name == "pi_low" and "pi_high" in data:
            label = f"{_level(level)}prediction interval".capitalize()
            cells = _interval_cells(data["pi_low"], data["pi_high"], "pi", None)
        else:
            label = column_label(name)
            cells, is_number = _cells(data[name], name, statistic)
            if not is_number:
                label = label if label not in columns else f"{label} ({name})"
                columns[label] = cells
                continue
        label = label if label not in columns else f"{label} ({name})"
        columns[label] = cells
        numeric.add(label)
    shown = pd.DataFrame(columns) if columns else pd.DataFrame(index=range(len(data)))
    shown, legend = _marks(shown, flags, data, min_n)
    numeric_labels = tuple(c for c in shown.columns if c in numeric)
    digest = hashlib.sha1(repr((title, list(shown.columns), shown.to_numpy().tolist()))
                          .encode("utf-8")).hexdigest()[:10]
    return TableView(data=table, shown=shown, numeric=numeric_labels, legend=tuple(legend),
                     footnotes=tuple(footnotes), title=title, max_rows=int(max_rows),
                     _id=f"ct{digest}")


def column_label(name) -> str:
    """The header a reader sees for a column name.

    Examples
    --------
    >>> [column_label(c) for c in ("p_adjusted", "pct_promoters", "n", "max_days_open",
    ...                             "target_hours", "first_response_sla", "ci_low")]
    ['p (adjusted)', '% promoters', 'n', 'Max days open', 'Target (hours)', 'First response SLA', 'CI low']
    """
    if not isinstance(name, str):
        return str(name)
    if name in _LABELS:
        return _LABELS[name]
    if name.startswith("pct_"):
        return "% " + _words(name[4:], capital=False)
    for suffix in ("_a", "_b"):
        if name.endswith(suffix) and name[: -2] in _LABELS:
            return f"{_LABELS[name[:-2]]} ({suffix[1]})"
    stem, _, last = name.rpartition("_")
    if stem and last in _UNIT_SUFFIXES:
        return f"{_words(stem)} ({_UNIT_SUFFIXES[last]})"
    if name.endswith("_share"):
        return f"{_words(name[:-6])} share (%)"
    return _words(name)


def format_p_cell(p) -> str:
    """A p-value as a table shows it: "< 0.001", else three decimals; missing as a dash.

    Examples
    --------
    >>> [format_p_cell(p) for p in (0.00004, 0.0312, 1.0, float("nan"))]
    ['< 0.001', '0.031', '1.000', '–']
    """
    if _missing(p):
        return MISSING
    p = float(p)
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


# ----------------------------------------------------------------------------- helpers


def _words(name: str, capital: bool = True) -> str:
    """snake_case -> sentence case, with the toolkit's acronyms in capitals."""
    words = name.replace("-", "_").replace(" ", "_").split("_")
    words = [w for w in words if w != ""]
    if not words:
        return name
    words = [_ACRONYMS.get(w.lower(), w) if w.islower() or w.lower() in _ACRONYMS else w
             for w in words]
    text = " ".join(words)
    if capital and text[:1].islower():
        text = text[:1].upper() + text[1:]
    return text


def _with_index(table: pd.DataFrame) -> pd.DataFrame:
    """The table with a meaningful index as columns and a 0..n-1 index dropped."""
    index = table.index
    default = (isinstance(index, pd.RangeIndex) or
               (index.nlevels == 1 and index.name is None and index.dtype.kind in "iu"
                and np.array_equal(index.to_numpy(), np.arange(len(index)))))
    data = table.reset_index(drop=default)
    if not default:
        data = data.rename(columns={c: "" for c in ("index", "level_0") if c in data.columns
                                    and c not in table.columns})
    names, seen = [], {}
    for column in data.columns:  # text names, repeats numbered ("n", "n 2")
        name = column if isinstance(column, str) else " ".join(map(str, np.ravel(column)))
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} {seen[name]}")
    data.columns = names
    data.attrs = {}  # a result's attrs (which pandas compares when it combines) stay with it
    return data.reset_index(drop=True)


def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value)) if np.ndim(value) == 0 else False
    except (TypeError, ValueError):
        return False


def _empty(column: pd.Series) -> bool:
    return column.map(lambda v: _missing(v) or (isinstance(v, str) and v.strip() == "")).all()


def _confidence(data: pd.DataFrame, conf: float | None) -> tuple[float | None, pd.DataFrame]:
    """The intervals' level: the table's one ``conf``, else ``conf``, else 95%."""
    if "conf" in data.columns:
        levels = data["conf"].dropna().unique()
        if len(levels) == 1:
            return float(levels[0]), data.drop(columns="conf")
        if len(levels) == 0:
            return (conf or 0.95), data.drop(columns="conf")
        return None, data  # several levels: the column stays, the headers name none
    return (conf or 0.95), data


def _footnote_column(name: str) -> bool:
    return name in _FOOTNOTE_COLUMNS or name.endswith("_source")


def _footnotes(data: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
    """One-value method/test/correction/... columns said once under the table; empty
    columns left out."""
    notes, drop = [], []
    for name in data.columns:
        column = data[name]
        if len(data) and _empty(column) and len(data.columns) - len(drop) > 1:
            drop.append(name)
            continue
        if not _footnote_column(name):
            continue
        values = [v for v in column.unique() if not _missing(v) and str(v).strip() != ""]
        if len(values) == 1:
            label = _FOOTNOTE_LABELS.get(name, column_label(name))
            notes.append(f"{label}: {values[0]}")
            drop.append(name)
    return notes, data.drop(columns=drop)


def _flag_values(column: pd.Series) -> np.ndarray:
    return column.map(lambda v: (not _missing(v)) and bool(v)).to_numpy(bool)


def _flags(data: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    flags = {name: _flag_values(data[name]) for name in ("significant", "small_n")
             if name in data.columns and _boolean(data[name])}
    return flags, data.drop(columns=list(flags))


def _boolean(column: pd.Series) -> bool:
    if column.dtype.kind == "b" or str(column.dtype) == "boolean":
        return True
    values = [v for v in column if not _missing(v)]
    return bool(values) and all(isinstance(v, (bool, np.bool_)) for v in values)


def _statistics(data: pd.DataFrame) -> np.ndarray | None:
    """Each row's statistic (share, nps, mean) when a ``metric`` column names known metrics."""
    if "metric" not in data.columns:
        return None
    metrics = data["metric"]
    if not metrics.map(lambda m: isinstance(m, str) and m in METRICS).all():
        return None
    return metrics.map(lambda m: METRICS[m].statistic).to_numpy(object)


def _ci_prefixes(data: pd.DataFrame) -> list[str]:
    return [name[: -len("ci_low")] for name in data.columns
            if isinstance(name, str) and name.endswith("ci_low")
            and f"{name[: -len('ci_low')]}ci_high" in data.columns]


def _level(level: float | None) -> str:
    return f"{format_level(level)} " if level is not None else ""


def _interval_label(prefix: str, level: float | None) -> str:
    base = f"{_level(level)}CI"
    if not prefix:
        return base
    return f"{column_label(prefix.rstrip('_'))} {base}"


def _decimals(values: np.ndarray) -> int | None:
    """The decimals the values were rounded to (0 to 3), or None when they were not."""
    if len(values) == 0:
        return 0
    for digits in range(4):
        if np.allclose(values, np.round(values, digits), rtol=0,
                       atol=1e-9 * max(1.0, float(np.max(np.abs(values))))):
            return digits
    return None


def _column_decimals(name: str, values: np.ndarray) -> int:
    digits = _decimals(values)
    if digits is None:
        size = float(np.max(np.abs(values))) if len(values) else 0.0
        digits = 3 if size < 1 else 2 if size < 10 else 1
    if name.startswith("pct_") or name.endswith("_share") or name == "share":
        return 1  # always a percentage
    if name in _ONE_DECIMAL:
        digits = max(digits, 1)
    return digits


def _is_p(name: str) -> bool:
    return (name == "p" or name.startswith("p_") or name.endswith(("_p", "_p_adj", "p_value"))
            or "_p_adj" in name)


def _number(value, digits: int, separators: bool = True) -> str:
    if _missing(value):
        return MISSING
    value = float(value)
    if math.isinf(value):
        return "\u221e" if value > 0 else "-\u221e"
    text = f"{value:,.{digits}f}" if separators else f"{value:.{digits}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text.replace(",", "")) == 0 else text


def _row_digits(name: str, values: pd.Series, statistic: np.ndarray | None) -> np.ndarray:
    """Decimals per row: by the row's metric on its scale columns, else the column's."""
    finite = values.dropna().astype(float)
    finite = finite[np.isfinite(finite)].to_numpy()
    digits = np.full(len(values), _column_decimals(name, finite), dtype=int)
    if statistic is not None and name in _ON_SCALE:
        digits = np.where(statistic == "mean", 2, 1)
    return digits


def _interval_cells(low: pd.Series, high: pd.Series, key: str, statistic) -> pd.Series:
    """"low to high" per row, both ends with the same decimals."""
    low, high = low.reset_index(drop=True), high.reset_index(drop=True)
    both = np.concatenate([pd.to_numeric(low, errors="coerce").to_numpy(float),
                           pd.to_numeric(high, errors="coerce").to_numpy(float)])
    finite = both[np.isfinite(both)]
    digits = np.full(len(low), _column_decimals(key, finite), dtype=int)
    if statistic is not None and key == "ci":
        digits = np.where(statistic == "mean", 2, 1)
    cells = [MISSING if _missing(lo) and _missing(hi)
             else f"{_number(lo, int(d))} to {_number(hi, int(d))}"
             for lo, hi, d in zip(low, high, digits)]
    return pd.Series(cells, dtype=object)


def _cells(column: pd.Series, name: str, statistic) -> tuple[pd.Series, bool]:
    """A column's cells as text, and whether it holds numbers."""
    values = column.reset_index(drop=True)
    if name == "metric" and statistic is not None:
        return values.map(lambda m: METRICS[m].label).astype(object), False
    if name == "conf" and pd.api.types.is_numeric_dtype(values):
        return values.map(lambda v: MISSING if _missing(v) else format_level(float(v))
                          ).astype(object), True
    if _boolean(values):
        return values.map(lambda v: MISSING if _missing(v) else ("yes" if v else "no")
                          ).astype(object), False
    if pd.api.types.is_datetime64_any_dtype(values):
        times = values.dropna()
        midnight = bool(len(times)) and (times == times.dt.normalize()).all()
        fmt = "%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M"
        return values.map(lambda v: MISSING if _missing(v) else v.strftime(fmt)).astype(object), False
    if isinstance(values.dtype, pd.PeriodDtype) or isinstance(values.dtype, pd.CategoricalDtype):
        return values.map(lambda v: MISSING if _missing(v) else str(v)).astype(object), False
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        if _is_p(name):
            return values.map(format_p_cell).astype(object), True
        if values.dtype.kind in "iu" or str(values.dtype).startswith(("Int", "UInt")):
            plain = name in _PLAIN_INTEGERS
            return values.map(lambda v: _number(v, 0, not plain)).astype(object), True
        digits = _row_digits(name, values, statistic)
        plain = name in _PLAIN_INTEGERS
        return pd.Series([_number(v, int(d), not plain) for v, d in zip(values, digits)],
                         dtype=object), True
    return values.map(_text).astype(object), False


def _text(value) -> str:
    if _missing(value):
        return MISSING
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (float, np.floating)):
        return _number(value, _column_decimals("", np.array([abs(float(value))])))
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d" if value == value.normalize() else "%Y-%m-%d %H:%M")
    return str(value)


def _marks(shown: pd.DataFrame, flags: dict, data: pd.DataFrame,
           min_n: int | None) -> tuple[pd.DataFrame, list[str]]:
    """Append ● to significant rows and † to small ones; the legend says what they mean."""
    legend = []
    shown = shown.copy()
    first = shown.columns[0] if len(shown.columns) else None
    for flag, mark, places in (("significant", SIGNIFICANT_MARK, _SIGNIFICANT_AT),
                               ("small_n", SMALL_MARK, _SMALL_AT)):
        rows = flags.get(flag)
        if rows is None or not rows.any() or first is None:
            continue
        labels = [column_label(p) for p in places if p in data.columns]
        where = next((label for label in labels if label in shown.columns), first)
        shown.loc[rows, where] = shown.loc[rows, where].astype(str) + _NBSP + mark
        if flag == "significant":
            corrected = "p_adjusted" in data.columns or "correction" in data.columns
            legend.append(f"{mark} significant" +
                          (" after correction for multiple testing" if corrected else ""))
        else:
            legend.append(f"{mark} fewer than "
                          + (f"{min_n:,} answers" if min_n is not None else "min_n answers"))
    return shown, legend


# ----------------------------------------------------------------------------- results

#: The result block's CSS, scoped to ``.ct-result`` (with :data:`TABLE_CSS`, no external file).
RESULT_CSS = (
    ".ct-result{max-width:60em;line-height:1.45}.ct-result p{margin:.35em 0}"
    ".ct-result .ct-summary{font-size:14px}.ct-result .ct-method{font-size:12px;opacity:.8}"
    ".ct-result .ct-warnings{border-left:3px solid #E69F00;padding:.1em .7em;margin:.5em 0}"
    ".ct-result .ct-notes-list{font-size:12px;opacity:.85}"
    ".ct-result ul{margin:.2em 0 .4em 1.2em;padding:0}"
)


def result_html(summary: str | Sequence[str], table: pd.DataFrame | TableView | None, *,
                method: str | None = None, warnings: Sequence[str] = (),
                notes: Sequence[str] = (), conf: float | None = None, min_n: int | None = None,
                title: str | None = None, max_rows: int = 10) -> str:
    """A result object's HTML for JupyterLab (``_repr_html_``): what the report shows.

    The summary sentence(s), the main table formatted by :func:`people_table` (folded after
    ``max_rows`` rows), the method (left out when the table's footnote already names it),
    the warnings and any notes, as one self-contained fragment with every text escaped.

    Parameters
    ----------
    summary : str or list of str
        The result's sentence(s), one paragraph each.
    table : DataFrame, TableView or None
        The main table (None: sentences only).
    method : str, optional
        How the numbers were computed, said under the table.
    warnings, notes : list of str
        Warnings (shown marked) and other notes (assumptions, what was skipped).
    conf, min_n, title, max_rows
        Passed to :func:`people_table`.

    Returns
    -------
    str

    Examples
    --------
    >>> t = pd.DataFrame({"channel": ["<b>chat</b>"], "n": [120], "estimate": [81.25],
    ...                   "ci_low": [73.4], "ci_high": [87.2], "method": "Wilson score"})
    >>> out = result_html("CSAT 81.2% in chat.", t, method="Wilson score",
    ...                   warnings=["Few answers in May."])
    >>> "&lt;b&gt;chat&lt;/b&gt;" in out, out.count("Wilson score"), "Few answers in May." in out
    (True, 1, True)
    """
    sentences = [summary] if isinstance(summary, str) else list(summary)
    parts = [f'<div class="ct-result"><style>{RESULT_CSS}</style>']
    parts += [f'<p class="ct-summary">{html.escape(str(s))}</p>' for s in sentences if s]
    footnotes: tuple = ()
    if table is not None:
        view = table if isinstance(table, TableView) else people_table(
            table, max_rows=max_rows, title=title, conf=conf, min_n=min_n)
        footnotes = view.footnotes
        parts.append(view.to_html())
    if method and f"Method: {method}" not in footnotes:
        parts.append(f'<p class="ct-method">Method: {html.escape(str(method))}</p>')
    for label, items, css in (("Warning", warnings, "ct-warnings"), ("Note", notes,
                                                                      "ct-notes-list")):
        items = [str(i) for i in dict.fromkeys(items or ()) if str(i).strip()]
        if items:
            heading = f"{label}s" if len(items) > 1 else label
            parts.append(f'<div class="{css}"><strong>{heading}</strong><ul>'
                         + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul></div>")
    parts.append("</div>")
    return "".join(parts)
