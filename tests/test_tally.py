"""Tests of :mod:`csat_toolkit.tally`: counts per group, period and score.

The tally is the only step whose cost grows with rows (DESIGN.md, principle 1), so it is
checked three ways: against counts done by hand on small frames, against a plain pandas
``groupby`` on random frames (hypothesis), and its sparse path against its dense path.
Error paths are checked with their messages, and the input frame must never change.
"""
from __future__ import annotations

import importlib
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csat_toolkit.errors import DataError, MissingColumnError, ParameterError

# ``csat_toolkit.tally`` the attribute is the function (re-exported in __init__); the
# module is needed for _DENSE_LIMIT and period_labels.
tally_module = importlib.import_module("csat_toolkit.tally")
tally = tally_module.tally
period_labels = tally_module.period_labels

PROPERTY = settings(max_examples=60)  # the rest from the profile in conftest.py

COLUMNS = ["n", "w", "w2"]


def _frame() -> pd.DataFrame:
    """Seven answers: two channels plus a missing channel, two regions, weights."""
    return pd.DataFrame(
        {
            "channel": ["chat", "chat", "email", None, "chat", "email", None],
            "region": ["eu", "us", "eu", "eu", "eu", "eu", "us"],
            "score": [5, 5, 2, 4, 3, 2, 4],
            "weight": [1.0, 2.0, 0.5, 1.5, 3.0, 2.5, 1.0],
            "responded_at": pd.to_datetime(
                [
                    "2024-01-07 23:59",  # Sunday: last day of the week 2024-01-01/07
                    "2024-01-08 00:00",  # the following Monday: a new week
                    "2024-01-31",
                    "2024-02-01",
                    "2024-03-31",
                    "2024-04-01",
                    None,  # NaT
                ],
                format="ISO8601",
            ),
        }
    )


def _rows(table: pd.DataFrame, keys: list[str]) -> list[tuple]:
    """Rows of a tally as plain tuples (missing keys as None) for exact comparisons."""
    out = []
    for record in table[keys + ["score"] + COLUMNS].itertuples(index=False):
        out.append(tuple(None if (not isinstance(v, str) and pd.isna(v)) else v for v in record))
    return out


# --------------------------------------------------------------------------------------
# Counts by hand
# --------------------------------------------------------------------------------------


def test_no_keys_counts_each_score():
    df = pd.DataFrame({"score": [5, 5, 2, 4, 5]})
    out = tally(df)
    assert list(out.columns) == ["score", "n", "w", "w2"]
    # scores 2 (once), 4 (once), 5 (three times); without weights w == w2 == n.
    assert _rows(out, []) == [(2.0, 1, 1.0, 1.0), (4.0, 1, 1.0, 1.0), (5.0, 3, 3.0, 3.0)]
    assert out["score"].dtype == float


def test_one_key_with_missing_value_as_its_own_group():
    out = tally(_frame(), by="channel")
    assert list(out.columns) == ["channel", "score", "n", "w", "w2"]
    # chat: 5, 5, 3 -> (3: 1), (5: 2); email: 2, 2 -> (2: 2); missing: 4, 4 -> (4: 2).
    # The missing channel is kept (not dropped) and sorts last.
    assert _rows(out, ["channel"]) == [
        ("chat", 3.0, 1, 1.0, 1.0),
        ("chat", 5.0, 2, 2.0, 2.0),
        ("email", 2.0, 2, 2.0, 2.0),
        (None, 4.0, 2, 2.0, 2.0),
    ]
    assert out["n"].sum() == len(_frame())  # nothing lost


def test_two_keys():
    out = tally(_frame(), by=["channel", "region"])
    # chat/eu: 5, 3; chat/us: 5; email/eu: 2, 2; missing/eu: 4; missing/us: 4.
    assert _rows(out, ["channel", "region"]) == [
        ("chat", "eu", 3.0, 1, 1.0, 1.0),
        ("chat", "eu", 5.0, 1, 1.0, 1.0),
        ("chat", "us", 5.0, 1, 1.0, 1.0),
        ("email", "eu", 2.0, 2, 2.0, 2.0),
        (None, "eu", 4.0, 1, 1.0, 1.0),
        (None, "us", 4.0, 1, 1.0, 1.0),
    ]


def test_weights_sum_and_sum_of_squares():
    out = tally(_frame(), by="channel", weight="weight")
    # chat/3: w 3.0, w2 9.0; chat/5: w 1 + 2 = 3.0, w2 1 + 4 = 5.0;
    # email/2: w 0.5 + 2.5 = 3.0, w2 0.25 + 6.25 = 6.5; missing/4: w 1.5 + 1 = 2.5,
    # w2 2.25 + 1 = 3.25.
    assert _rows(out, ["channel"]) == [
        ("chat", 3.0, 1, 3.0, 9.0),
        ("chat", 5.0, 2, 3.0, 5.0),
        ("email", 2.0, 2, 3.0, 6.5),
        (None, 4.0, 2, 2.5, 3.25),
    ]


def test_integer_and_boolean_keys_sort_naturally():
    df = pd.DataFrame({"k": [10, 2, 10, 2], "flag": [True, False, True, False],
                       "score": [1, 1, 2, 1]})
    out = tally(df, by=["k", "flag"])
    # 2/False: score 1 twice; 10/True: scores 1 and 2. Numeric order (2 before 10).
    assert _rows(out, ["k", "flag"]) == [
        (2, False, 1.0, 2, 2.0, 2.0),
        (10, True, 1.0, 1, 1.0, 1.0),
        (10, True, 2.0, 1, 1.0, 1.0),
    ]


def test_text_scores_that_are_numbers_are_converted():
    out = tally(pd.DataFrame({"score": ["5", "4", "5"]}))
    assert _rows(out, []) == [(4.0, 1, 1.0, 1.0), (5.0, 2, 2.0, 2.0)]


def test_custom_column_names():
    df = pd.DataFrame({"rating": [1, 1], "when": pd.to_datetime(["2024-05-01", "2024-06-01"]),
                       "wt": [2.0, 3.0]})
    out = tally(df, score="rating", date="when", weight="wt", period="M")
    assert out["period"].astype(str).tolist() == ["2024-05", "2024-06"]
    assert out["w"].tolist() == [2.0, 3.0]
    assert out["w2"].tolist() == [4.0, 9.0]


# --------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------


def _labels(dates, period):
    return period_labels(pd.Series(pd.to_datetime(dates, format="ISO8601")), period).astype(str).tolist()


def test_period_labels_each_frequency():
    dates = ["2024-12-30 10:00", "2025-01-01 00:00"]  # a Monday and the Wednesday after
    assert _labels(dates, "D") == ["2024-12-30", "2025-01-01"]
    # Monday-based weeks straddle the year end: both dates are in the same week.
    assert _labels(dates, "W") == ["2024-12-30/2025-01-05", "2024-12-30/2025-01-05"]
    assert _labels(dates, "M") == ["2024-12", "2025-01"]
    assert _labels(dates, "Q") == ["2024Q4", "2025Q1"]
    assert _labels(dates, "Y") == ["2024", "2025"]


def test_week_sunday_and_following_monday_are_different_weeks():
    labels = _labels(["2024-01-07 23:59", "2024-01-08 00:00", "2024-01-01 00:00"], "W")
    # 2024-01-07 is a Sunday: it closes the week that started on Monday 2024-01-01.
    assert labels == ["2024-01-01/2024-01-07", "2024-01-08/2024-01-14", "2024-01-01/2024-01-07"]


def test_period_boundaries_month_quarter_year():
    dates = ["2024-02-29 23:59", "2024-03-01 00:00", "2024-03-31 23:59", "2024-04-01 00:00",
             "2023-12-31 23:59"]
    assert _labels(dates, "M") == ["2024-02", "2024-03", "2024-03", "2024-04", "2023-12"]
    assert _labels(dates, "Q") == ["2024Q1", "2024Q1", "2024Q1", "2024Q2", "2023Q4"]
    assert _labels(dates, "Y") == ["2024", "2024", "2024", "2024", "2023"]


@pytest.mark.parametrize(
    "alias, canonical",
    [("day", "D"), ("daily", "D"), ("week", "W"), ("weekly", "W"), ("month", "M"),
     ("monthly", "M"), ("quarter", "Q"), ("quarterly", "Q"), ("year", "Y"), ("yearly", "Y")],
)
def test_period_aliases(alias, canonical):
    dates = ["2024-01-07", "2024-01-08", "2024-05-17"]
    assert _labels(dates, alias) == _labels(dates, canonical)
    df = _frame()
    pd.testing.assert_frame_equal(tally(df, period=alias), tally(df, period=canonical))


def test_period_labels_keep_index_and_give_nat_for_missing_dates():
    dates = pd.Series(pd.to_datetime(["2024-01-15", None]), index=[10, 3])
    out = period_labels(dates, "M")
    assert out.index.tolist() == [10, 3]
    assert str(out.iloc[0]) == "2024-01"
    assert pd.isna(out.iloc[1])


def test_period_labels_accept_date_strings():
    out = period_labels(pd.Series(["2024-01-15", None, "2024-02-03"]), "M")
    assert [None if pd.isna(p) else str(p) for p in out] == ["2024-01", None, "2024-02"]


def test_tally_by_week_with_missing_date_kept_as_its_own_period():
    out = tally(_frame(), period="W")
    assert out["period"].astype(str).tolist()[:2] == ["2024-01-01/2024-01-07", "2024-01-08/2024-01-14"]
    # The row without a date is kept, in a missing period sorted last.
    assert pd.isna(out["period"].iloc[-1])
    assert out["score"].iloc[-1] == 4.0
    assert out["n"].sum() == len(_frame())


def test_tally_by_key_and_month():
    out = tally(_frame(), by="channel", period="M")
    got = [(c if isinstance(c, str) else None, str(p) if not pd.isna(p) else None, s, n)
           for c, p, s, n in out[["channel", "period", "score", "n"]].itertuples(index=False)]
    # chat: Jan 5, Jan 5 (Sunday 7th and Monday 8th), Mar 3; email: Jan 2, Apr 2;
    # missing: Feb 4, NaT 4.
    assert got == [
        ("chat", "2024-01", 5.0, 2),
        ("chat", "2024-03", 3.0, 1),
        ("email", "2024-01", 2.0, 1),
        ("email", "2024-04", 2.0, 1),
        (None, "2024-02", 4.0, 1),
        (None, None, 4.0, 1),
    ]


def test_period_labels_do_not_wrap_dates_outside_the_nanosecond_range():
    dates = pd.Series(pd.to_datetime(["3024-01-15", "0202-05-01", "2024-01-15"]))
    try:
        labels = period_labels(dates, "M").astype(str).tolist()
    except DataError:
        return  # refusing such dates with a clear error is acceptable too
    assert labels == ["3024-01", "0202-05", "2024-01"]


# --------------------------------------------------------------------------------------
# Sparse path == dense path == pandas groupby
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [
    {},
    {"by": "channel"},
    {"by": ["channel", "region"], "weight": "weight"},
    {"by": "channel", "period": "W"},
    {"period": "M", "weight": "weight"},
])
def test_sparse_path_equals_dense_path(monkeypatch, kwargs):
    dense = tally(_frame(), **kwargs)
    monkeypatch.setattr(tally_module, "_DENSE_LIMIT", 1)
    sparse = tally(_frame(), **kwargs)
    pd.testing.assert_frame_equal(sparse, dense)


def test_astronomically_many_combinations_fall_back_to_groupby(monkeypatch):
    # Seven key columns with 600 distinct values each: 600**7 ~ 2.8e19 cells, beyond the
    # flat int64 index (2**62), so tally takes its pandas-groupby path. Same result shape
    # and values as a plain groupby.
    rng = np.random.default_rng(7)
    size = 600
    df = pd.DataFrame({f"k{i}": rng.permutation(size) for i in range(7)})
    df.loc[[0, 1], "k0"] = 0  # one repeated combination: rows 0 and 1 share k0 ...
    for i in range(1, 7):
        df.loc[1, f"k{i}"] = df.loc[0, f"k{i}"]  # ... and every other key
    df["score"] = 5
    df["weight"] = rng.uniform(0.5, 2.0, size)
    keys = [f"k{i}" for i in range(7)]
    calls = []
    original = tally_module._count_with_groupby
    monkeypatch.setattr(tally_module, "_count_with_groupby",
                        lambda *a: calls.append(1) or original(*a))
    out = tally(df, by=keys, weight="weight")
    assert calls == [1]  # the groupby path was taken
    assert len(out) == size - 1
    expected = _expected(df, keys, None, True)
    pd.testing.assert_frame_equal(out, expected, check_dtype=False)


_keys1 = st.sampled_from(["a", "b", "c", None])
_keys2 = st.sampled_from([1.0, 2.0, 3.0, np.nan])
_days = st.one_of(st.none(), st.integers(min_value=0, max_value=120))


@st.composite
def _random_frames(draw):
    size = draw(st.integers(min_value=1, max_value=40))
    rows = draw(st.lists(st.tuples(_keys1, _keys2, st.integers(1, 5), _days,
                                   st.floats(0.1, 10.0, allow_nan=False)),
                         min_size=size, max_size=size))
    k1, k2, score, day, weight = zip(*rows)
    start = pd.Timestamp("2024-01-01")
    return pd.DataFrame({
        "k1": pd.Series(k1, dtype=object),
        "k2": np.array(k2, dtype=float),
        "score": np.array(score),
        "responded_at": pd.to_datetime([None if d is None else start + pd.Timedelta(days=d)
                                        for d in day]),
        "weight": np.array(weight),
    })


def _expected(df: pd.DataFrame, keys: list[str], period: str | None, weighted: bool):
    work = df[keys].copy()
    if period:
        work["period"] = df["responded_at"].dt.to_period("W-SUN" if period == "W" else period)
    work["score"] = df["score"].astype(float)
    work["w"] = df["weight"] if weighted else 1.0
    work["w2"] = work["w"] ** 2
    group = keys + (["period"] if period else []) + ["score"]
    grouped = work.groupby(group, dropna=False, sort=True)
    out = grouped[["w", "w2"]].sum()
    out.insert(0, "n", grouped.size())
    return out.reset_index()


@PROPERTY
@given(
    _random_frames(),
    st.sampled_from([[], ["k1"], ["k2"], ["k1", "k2"]]),
    st.sampled_from([None, "D", "W", "M"]),
    st.booleans(),
)
def test_tally_equals_plain_groupby_and_sparse_equals_dense(df, keys, period, weighted):
    if period and df["responded_at"].isna().all():
        period = None
    kwargs = dict(by=keys or None, period=period, weight="weight" if weighted else None)
    dense = tally(df, **kwargs)
    expected = _expected(df, keys, period, weighted)
    pd.testing.assert_frame_equal(dense, expected, check_dtype=False)
    assert dense["n"].sum() == len(df)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tally_module, "_DENSE_LIMIT", 2)
        sparse = tally(df, **kwargs)
    pd.testing.assert_frame_equal(sparse, dense)


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


def test_unknown_period():
    with pytest.raises(ParameterError, match=r"Unknown period 'fortnight'.*'D', 'W', 'M', 'Q' or 'Y'"):
        tally(_frame(), period="fortnight")
    with pytest.raises(ParameterError, match=r"Unknown period 'm'"):
        period_labels(_frame()["responded_at"], "m")


def test_missing_column_named_with_available_ones():
    with pytest.raises(MissingColumnError, match=r"'chanel' not found.*Available columns: "
                       r"'channel', 'region', 'score', 'weight', 'responded_at'"):
        tally(_frame(), by="chanel")


def test_missing_score_weight_and_date_columns():
    df = _frame()
    with pytest.raises(MissingColumnError, match=r"'rating' not found"):
        tally(df, score="rating")
    with pytest.raises(MissingColumnError, match=r"'wt' not found"):
        tally(df, weight="wt")
    with pytest.raises(MissingColumnError, match=r"'created_at' not found"):
        tally(df, period="M", date="created_at")
    # Several missing columns are all named.
    with pytest.raises(MissingColumnError, match=r"'x', 'y' not found"):
        tally(df, by=["x", "y"])
    # A missing date column matters only when a period is asked for.
    tally(df.drop(columns="responded_at"))


def test_missing_column_error_is_a_key_error_with_a_readable_message():
    with pytest.raises(KeyError) as info:
        tally(_frame(), by="chanel")
    assert str(info.value).startswith("Column(s) 'chanel' not found")


def test_all_dates_missing_with_a_period():
    df = _frame().assign(responded_at=pd.NaT)
    with pytest.raises(DataError, match=r"column 'responded_at' has no dates.*period=None"):
        tally(df, period="M")
    tally(df)  # without a period the dates do not matter


@pytest.mark.parametrize(
    "bad, shown",
    [(0.0, "0.0"), (-1.5, "-1.5"), ("heavy", "'heavy'"), (None, "None"), (np.nan, "nan")],
)
def test_non_positive_or_non_numeric_weights_are_named_and_shown(bad, shown):
    df = _frame().astype({"weight": object})
    df.loc[2, "weight"] = bad
    with pytest.raises(DataError, match=r"Column 'weight' must hold positive, finite weights; found "
                       + re.escape(shown)):
        tally(df, weight="weight")


def test_weight_error_shows_a_few_distinct_values():
    df = _frame().assign(weight=[0, 0, -1, "x", "y", "z", -2])
    with pytest.raises(DataError, match=r"found 0, -1, 'x', 'y', 'z' \(and 1 more\)"):
        tally(df, weight="weight")


def test_infinite_weights_are_rejected():
    df = _frame().assign(weight=[1.0, np.inf, 1.0, 1.0, 1.0, 1.0, 1.0])
    with pytest.raises(DataError, match=r"Column 'weight' must hold positive, finite weights; found inf"):
        tally(df, weight="weight")


def test_non_numeric_scores_raise():
    with pytest.raises(ValueError):
        tally(pd.DataFrame({"score": ["5", "very good"]}))


# --------------------------------------------------------------------------------------
# The input is not changed
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [
    {"by": ["channel", "region"], "period": "W", "weight": "weight"},
    {"period": "M"},
])
def test_input_frame_is_not_mutated(kwargs):
    df = _frame()
    before = df.copy(deep=True)
    tally(df, **kwargs)
    pd.testing.assert_frame_equal(df, before)


def test_input_with_text_scores_and_odd_index_is_not_mutated():
    df = _frame().assign(score=lambda d: d["score"].astype(str))
    df.index = [7, 7, 3, 1, 0, 9, 2]  # duplicate and unsorted labels
    before = df.copy(deep=True)
    out = tally(df, by="channel", period="D")
    pd.testing.assert_frame_equal(df, before)
    assert out["n"].sum() == len(df)
