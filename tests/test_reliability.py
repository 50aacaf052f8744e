"""Scale reliability (csat_toolkit.core.reliability) against pingouin's published outputs.

Sources
-------
[PG]  pingouin ``cronbach_alpha`` docstring examples (raphaelvallat/pingouin,
      ``src/pingouin/reliability.py``; the data files are in ../shared/reference-data, see
      its README), stated there to agree with R ``psych::alpha``:
      - ``cronbach_wide_missing``, pairwise (``psych::alpha(data, use = "pairwise")``):
        (0.732660835214447, [0.435, 0.909]);
      - listwise (``use = "complete.obs"``): 0.8016949152542373, CI [0.581, 0.933];
      - missing cells imputed with each column's median: (0.7380191693290734, [0.447, 0.911]);
      - ``cronbach_alpha`` long format (Subj, Items, Scores): (0.5917188485995826,
        [0.195, 0.84]).
      pingouin's listwise interval takes n as the rows *before* deletion (12, not the 9
      complete rows the alpha is computed on): ``feldt_interval`` reproduces it with
      n = 12, and ``cronbach_alpha`` uses the 9 rows (checked by hand).
No published ``psych::alpha`` output for item-total statistics with its input data could
be found; ``r_total``, ``r_drop``, ``alpha_if_dropped`` and the standardised alpha are
checked against their definitions computed directly from the rows.
"""
from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from csat_toolkit.core.reliability import cronbach_alpha, feldt_interval, index_score
from csat_toolkit.errors import DataError, MissingColumnError, ParameterError

from .conftest import REFERENCE, require_shared


@pytest.fixture(scope="module")
def wide_missing() -> pd.DataFrame:
    path = require_shared(REFERENCE / "pingouin_cronbach_wide_missing.csv")
    return pd.read_csv(path, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def likert() -> pd.DataFrame:
    path = require_shared(REFERENCE / "pingouin_cronbach_alpha_long.csv")
    return pd.read_csv(path).pivot(index="Subj", columns="Items", values="Scores")


def test_pairwise_matches_pingouin(wide_missing):
    items = list(wide_missing.columns)
    result = cronbach_alpha(wide_missing, items, missing="pairwise")
    assert result.alpha == pytest.approx(0.732660835214447, abs=1e-12)
    assert (round(result.ci_low, 3), round(result.ci_high, 3)) == (0.435, 0.909)
    assert result.n == 12 and result.k == 11 and result.rejected.empty


def test_listwise_matches_pingouin_alpha(wide_missing):
    items = list(wide_missing.columns)
    result = cronbach_alpha(wide_missing, items)
    assert result.alpha == pytest.approx(0.8016949152542373, abs=1e-12)
    # pingouin's interval with its n = 12 ...
    low, high = feldt_interval(result.alpha, 12, 11)
    assert (round(low, 3), round(high, 3)) == (0.581, 0.933)
    # ... ours with the 9 respondents the alpha is computed on, by hand:
    df1, df2 = 8, 80
    assert result.n == 9
    assert result.ci_low == pytest.approx(1 - (1 - result.alpha) * stats.f.ppf(0.975, df1, df2))
    assert result.ci_high == pytest.approx(1 - (1 - result.alpha) * stats.f.ppf(0.025, df1, df2))
    assert len(result.rejected) == 3
    assert result.rejected["reason"].str.startswith("no answer to item(s) ").all()


def test_median_imputed_matches_pingouin(wide_missing):
    filled = wide_missing.fillna(wide_missing.median())
    result = cronbach_alpha(filled, list(filled.columns))
    assert result.alpha == pytest.approx(0.7380191693290734, abs=1e-12)
    assert (round(result.ci_low, 3), round(result.ci_high, 3)) == (0.447, 0.911)


def test_likert_matches_pingouin(likert):
    result = cronbach_alpha(likert.reset_index(drop=True), list(likert.columns))
    assert result.alpha == pytest.approx(0.5917188485995826, abs=1e-12)
    assert (round(result.ci_low, 3), round(result.ci_high, 3)) == (0.195, 0.84)
    assert "too low to average the items" in result.summary()


def test_item_statistics_by_definition(likert):
    data = likert.reset_index(drop=True).astype(float)
    items = list(data.columns)
    result = cronbach_alpha(data, items)
    total = data.sum(axis=1)
    for row in result.items.itertuples():
        rest = total - data[row.item]
        assert row.r_total == pytest.approx(np.corrcoef(data[row.item], total)[0, 1])
        assert row.r_drop == pytest.approx(np.corrcoef(data[row.item], rest)[0, 1])
        others = [c for c in items if c != row.item]
        assert row.alpha_if_dropped == pytest.approx(cronbach_alpha(data, others).alpha)
        assert row.mean == pytest.approx(data[row.item].mean())
        assert row.sd == pytest.approx(data[row.item].std(ddof=1))
    corr = data.corr().to_numpy()
    k = len(items)
    r_bar = corr[np.triu_indices(k, 1)].mean()
    assert result.std_alpha == pytest.approx(k * r_bar / (1 + (k - 1) * r_bar))


def test_alpha_by_hand_and_summary():
    # 3 items, 5 respondents: alpha = k/(k-1) (1 - sum var_i / var_total)
    df = pd.DataFrame({"q1": [1, 2, 3, 4, 5], "q2": [1, 3, 3, 4, 5], "q3": [2, 2, 3, 5, 4]})
    var_items = df.var().sum()
    var_total = df.sum(axis=1).var()
    result = cronbach_alpha(df, ["q1", "q2", "q3"])
    assert result.alpha == pytest.approx(1.5 * (1 - var_items / var_total))
    text = result.summary()
    assert text.startswith(f"Cronbach's alpha {result.alpha:.2f} (95% CI ")
    assert "Dropping would raise alpha: q3" in text
    two = cronbach_alpha(df, ["q1", "q2"])
    assert np.isnan(two.items["alpha_if_dropped"]).all()


def test_index_score_and_interval():
    df = pd.DataFrame({"q1": [4, 5, 4, 4, 3, 5, None], "q2": [5, 5, 4, 3, 3, 4, 2],
                       "q3": [4, 4, 5, 3, 2, 5, 3]})
    result = index_score(df, ["q1", "q2", "q3"])
    expected = df.dropna()[["q1", "q2", "q3"]].mean(axis=1)
    assert result.scores.tolist() == pytest.approx(expected.tolist())
    row = result.table.iloc[0]
    half = stats.t.ppf(0.975, 5) * expected.std() / np.sqrt(6)
    assert (row["estimate"], row["ci_low"], row["ci_high"]) == pytest.approx(
        (expected.mean(), expected.mean() - half, expected.mean() + half))
    assert result.rejected["source_index"].tolist() == [6]
    assert result.rejected["reason"].tolist() == ["no answer to item(s) q1"]
    scaled = index_score(df, ["q1", "q2", "q3"], scale=(1, 5))
    assert scaled.table.iloc[0]["estimate"] == pytest.approx(100 * (expected.mean() - 1) / 4)
    assert scaled.table.iloc[0]["scale"] == "0-100"
    # the interval stays on 0-100
    tiny = index_score(pd.DataFrame({"a": [5, 5, 1], "b": [5, 5, 1]}), ["a", "b"], scale=(1, 5))
    assert tiny.table.iloc[0]["ci_high"] == 100.0 and tiny.table.iloc[0]["ci_low"] == 0.0


@pytest.mark.parametrize("call,error,message", [
    (lambda df: cronbach_alpha(df, ["q1"]), ParameterError, r"at least two different item columns"),
    (lambda df: cronbach_alpha(df, ["q1", "q1"]), ParameterError, r"at least two different"),
    (lambda df: cronbach_alpha(df, ["q1", "q9"]), MissingColumnError, r"Item column\(s\) 'q9' not found"),
    (lambda df: cronbach_alpha(df, ["q1", "q2"], missing="drop"), ParameterError,
     r"missing must be 'listwise' or 'pairwise'"),
    (lambda df: cronbach_alpha(df, ["q1", "txt"]), DataError,
     r"Item 'txt' holds values that are not numbers: 'good'"),
    (lambda df: cronbach_alpha(df, ["q1", "gap"]), DataError,
     r"Only 1 respondent\(s\) answered every item"),
    (lambda df: cronbach_alpha(df, ["q1", "gap", "q2"], missing="pairwise"), DataError,
     r"Too few respondents answered both items of 'gap & q1'"),
    (lambda df: index_score(df, ["q1", "q2"], scale=(5, 1)), ParameterError, r"high above low"),
    (lambda df: index_score(df, ["q1", "q2"], scale=(1, 3)), DataError,
     r"Item answers outside the scale 1-3: 4\. Give the items"),
    (lambda df: feldt_interval(0.8, 10, 3, conf=95), ParameterError, r"conf must be between 0 and 1"),
])
def test_errors(call, error, message):
    df = pd.DataFrame({"q1": [1, 2, 3, 4], "q2": [2, 2, 3, 4], "txt": ["good", 1, 2, 3],
                       "gap": [1, None, None, None]})
    with pytest.raises(error, match=message):
        call(df)


def test_results_show_in_jupyter():
    # Item names come from the data: a column named like markup stays text.
    df = pd.DataFrame({"q1": [1, 2, 3, 4, 5], "q2": [1, 3, 3, 4, 5], "<i>q3</i>": [2, 2, 3, 5, 4]})
    alpha = cronbach_alpha(df, ["q1", "q2", "<i>q3</i>"])
    out = alpha._repr_html_()
    assert html.escape(alpha.summary()) in out
    assert ">Alpha if dropped<" in out and ">Item<" in out
    assert "&lt;i&gt;q3&lt;/i&gt;" in out and "<i>q3" not in out
    assert "Method: Cronbach&#x27;s alpha with Feldt&#x27;s interval; listwise deletion" in out
    index = index_score(df, ["q1", "q2"], scale=(1, 5))
    out = index._repr_html_()
    assert html.escape(index.summary()) in out and ">95% CI<" in out
    assert "Method: mean of the items per respondent; t interval" in out


def test_reliability_is_exported():
    import csat_toolkit as ct

    assert (ct.cronbach_alpha, ct.index_score, ct.feldt_interval) == (
        cronbach_alpha, index_score, feldt_interval)
    assert ct.core.cronbach_alpha is cronbach_alpha and ct.reliability.IndexResult is ct.IndexResult
