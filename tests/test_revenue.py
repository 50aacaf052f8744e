"""Tests of :mod:`csat_toolkit.revenue`: NPS against revenue, accounts, segments, scenario.

Checks, each against an independent computation:

- revenue windows on a hand-made table: means, both growth definitions, retention,
  months missing inside a span (as missing and as zero), refunds, new customers, the
  row accounting, and every error path (repeated customer-months, no overlap ...);
- the sample data (data/sample, seed 2024): the generator's built-in link (README
  effect 4) is recovered: per-category growth equals the README's face values, the
  intervals cover the expected values by hidden state where the answers allow, and the
  promoter - detractor difference covers the expectation *by answered category*
  derived here from the generator's constants (csat_toolkit.sample);
- intervals and tests against published outputs: R ``t.test`` (one sample and Welch) and
  ``cor.test`` on mtcars, R statpsych ``ci.spear`` / vcmeta ``se.spear`` (Bonett-Wright),
  R lmtest ``grangertest`` (via statsmodels' own test), Newcombe (1998);
- cluster-robust intervals against the CR1 formula by hand and statsmodels;
- the account roll-up, revenue-weighted NPS (Kish n) and coverage by hand;
- the segment-period link on synthetic data with a known slope, and its warnings;
- transitions by hand; the scenario arithmetic by hand, with a fixed seed.
"""
from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats as sps

import csat_toolkit as ct
from csat_toolkit import sample as gen
from csat_toolkit import survival
from csat_toolkit.errors import DataError, MissingColumnError, ParameterError, ScaleError
from csat_toolkit.revenue import (
    CAVEATS, COVERAGE_CONTEXT, UPSELL_CONTEXT, WINDOW_REASONS, AccountResult, LinkResult, ScenarioResult,
    TransitionResult, WindowResult, account_rollup, category_transitions, compare_categories,
    conversion_scenario, correlation, granger_test, nps_category, revenue_by_category,
    revenue_windows, segment_period_link,
)
from tests.conftest import REALDATA, REFERENCE, SAMPLE, require_shared

Z95 = sps.norm.ppf(0.975)


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    answers = ct.load_responses(SAMPLE / "responses.csv").data
    revenue = pd.read_csv(SAMPLE / "revenue.csv")
    # region "NA" (North America) must not become missing
    customers = pd.read_csv(SAMPLE / "customers.csv", keep_default_na=False, na_values=[""])
    return answers, revenue, customers


@pytest.fixture(scope="module")
def windows6(sample):
    answers, revenue, _ = sample
    return revenue_windows(answers, revenue, growth="endpoints", after=6)


@pytest.fixture(scope="module")
def windows12(sample):
    answers, revenue, _ = sample
    return revenue_windows(answers, revenue, growth="endpoints", after=12)


@pytest.fixture(scope="module")
def windows_default(sample):
    answers, revenue, _ = sample
    return revenue_windows(answers, revenue)


def _monthly(customer, months, amounts):
    return pd.DataFrame({"customer_id": customer, "period": months, "revenue": amounts})


MONTHS = [f"2024-{m:02d}" for m in range(1, 9)]  # 2024-01 .. 2024-08


def small_revenue() -> pd.DataFrame:
    """Hand-made monthly revenue, 2024-01 to 2024-08 (each customer tells one story)."""
    return pd.concat([
        _monthly("a", MONTHS, [100, 100, 100, 110, 120, 130, 140, 150]),  # grows
        _monthly("b", MONTHS[:4], [200, 200, 200, 180]),                  # leaves in April
        _monthly("c", ["2024-01", "2024-03", "2024-04", "2024-06", "2024-07", "2024-08"],
                 [80, 100, 100, 100, 100, 100]),                          # gaps Feb, May
        _monthly("d", MONTHS, [20, -50, 100, 100, 100, 100, 100, 100]),  # refund in Feb
        _monthly("e", MONTHS[2:], [100] * 6),                             # new in March
        _monthly("f", MONTHS, [50] * 8),
        _monthly("h", MONTHS[:4], [70] * 4),                              # left in April
    ], ignore_index=True)


def small_answers() -> pd.DataFrame:
    rows = [
        ("r1", "2024-03-15 10:00", "nps", 10, "a"),
        ("r2", "2024-03-12 09:00", "nps", 2, "b"),
        ("r3", "2024-03-20 12:00", "nps", 8, "c"),
        ("r4", "2024-03-05 08:00", "nps", 9, "d"),
        ("r5", "2024-03-25 15:00", "nps", 7, "e"),
        ("r6", "2024-07-01 10:00", "nps", 9, "f"),   # window ends after the data
        ("r7", "2024-03-10 10:00", "nps", 5, "g"),   # not in the revenue table
        ("r8", "2024-06-10 10:00", "nps", 3, "h"),   # after h stopped paying
        ("r9", "2024-03-10 10:00", "csat", 4, "a"),  # another survey
        ("r10", "2024-03-10 10:00", "nps", 6, None),  # no customer id
        ("r11", "2024-03-10 10:00", "nps", 11, "a"),  # off the scale
        ("r12", None, "nps", 9, "a"),                # no date
    ]
    return pd.DataFrame(rows, columns=["response_id", "responded_at", "survey", "score",
                                       "customer_id"])


def by_id(result: WindowResult) -> pd.DataFrame:
    return result.table.set_index("customer_id")


# --- categories -------------------------------------------------------------------------


def test_nps_category_classes_and_scales():
    assert list(nps_category([0, 6, 7, 8, 9, 10])) == ["detractor"] * 2 + ["passive"] * 2 \
        + ["promoter"] * 2
    assert list(nps_category(["9", " 3 "])) == ["promoter", "detractor"]
    categories = nps_category([1, 10], scale="nps_1_10")
    assert categories.ordered and list(categories.categories) == ["detractor", "passive",
                                                                  "promoter"]
    assert list(nps_category([3, 4], scale="csat_5")) == ["not satisfied", "satisfied"]
    assert pd.isna(nps_category([None, ""])).all()


def test_nps_category_off_scale_names_values_and_what_to_do():
    with pytest.raises(ScaleError, match=r"2 score\(s\).*0-10\): 11, 'ten'.*scale='nps_1_10'"):
        nps_category([5, 11, "ten"])
    with pytest.raises(ScaleError, match="0"):
        nps_category([0, 5], scale="nps_1_10")


# --- customer windows by hand -----------------------------------------------------------


def test_windows_by_hand():
    result = revenue_windows(small_answers(), small_revenue(), before=2, after=3)
    t = by_id(result)
    assert list(t.index) == ["a", "b", "c", "d", "e"]
    # a: before Jan-Feb (100, 100), after Apr-Jun (110, 120, 130)
    a = t.loc["a"]
    assert (a["months_before"], a["revenue_before"], a["months_after"], a["revenue_after"]) \
        == (2, 100.0, 3, 120.0)
    assert a["growth"] == pytest.approx(100 * np.log(120 / 100))
    assert a["growth_months"] == (3 + 1) / 2 + (2 + 1) / 2
    assert a["retained"] and a["expanded"] and not a["contracted"]
    assert (a["revenue_at_answer"], a["revenue_at_end"], a["last_paid_month"]) == \
        (100.0, 130.0, "2024-08")
    # b leaves in April: not retained, no growth (churn is not mixed into growth)
    b = t.loc["b"]
    assert not b["retained"] and np.isnan(b["growth"]) and pd.isna(b["expanded"])
    assert b["growth_note"] == "stopped paying within the after window"
    assert (b["months_after"], b["revenue_after"]) == (1, 180.0)
    # c has no rows in Feb and May: they are unknown, the means use the months present
    c = t.loc["c"]
    assert (c["months_before"], c["revenue_before"], c["months_after"], c["revenue_after"]) \
        == (1, 80.0, 2, 100.0)
    assert c["growth"] == pytest.approx(100 * np.log(100 / 80))
    # d: Feb refund makes the before mean (20 - 50) / 2 negative: no growth, said why
    d = t.loc["d"]
    assert d["revenue_before"] == -15.0 and np.isnan(d["growth"])
    assert d["growth_note"] == "revenue before the answer not positive"
    # e is new in March: nothing before
    e = t.loc["e"]
    assert e["months_before"] == 0 and e["growth_note"] == \
        "no revenue before the answer (new customer)"
    assert list(t["category"]) == ["promoter", "detractor", "passive", "promoter", "passive"]


def test_windows_set_aside_every_answer_with_a_reason_and_count_it():
    answers = small_answers()
    result = revenue_windows(answers, small_revenue(), before=2, after=3)
    reasons = dict(zip(result.set_aside["response_id"], result.set_aside["reason"]))
    assert reasons == {
        "r6": "after window not complete", "r7": "customer not in the revenue table",
        "r8": "customer had stopped paying before the answer", "r9": "not an NPS answer",
        "r10": "no customer id", "r11": "score not on the scale", "r12": "no answer date",
    }
    assert set(reasons.values()) <= set(WINDOW_REASONS)
    items = dict(zip(result.accounting["item"], result.accounting["rows"]))
    aside = sum(v for k, v in items.items() if k.startswith("set aside"))
    assert items["answers read"] == len(answers) == aside + items["answers with a complete window"]
    assert items["answers with a complete window"] == len(result.table) == 5
    assert items["of which still paying at the end (retained)"] == 4
    assert items["of which with growth"] == 2
    assert items["revenue rows read"] == len(small_revenue())
    assert items["of which negative (refunds or credits, kept)"] == 1
    assert items["customers with months missing inside their span"] == 1
    assert any("'g'" in w and "not in the revenue table" in w for w in result.warnings)
    assert any("refunds or credits" in w for w in result.warnings)
    assert any("months missing inside" in w and "'c'" in w for w in result.warnings)
    issues = result.revenue_issues.set_index(["customer", "issue"])
    assert issues.loc[("c", "months missing inside the span"), "which"] == "2024-02, 2024-05"
    assert issues.loc[("d", "negative revenue (refund or credit)"), "months"] == 1
    assert "5 answers (5 customers)" in result.summary()
    assert result.parameters["end"] == "2024-08"


def test_windows_endpoints_growth_by_hand():
    t = by_id(revenue_windows(small_answers(), small_revenue(), before=2, after=3,
                              growth="endpoints"))
    assert t.loc["a", "growth"] == pytest.approx(100 * np.log(130 / 100))
    assert t.loc["a", "growth_months"] == 3
    assert t.loc["e", "growth"] == pytest.approx(0.0)  # March 100 to June 100
    assert t.loc["d", "growth"] == pytest.approx(0.0)  # answer month 100, June 100
    assert t.loc["c", "growth"] == pytest.approx(0.0)  # March 100, June 100 (gaps between)
    shorter = by_id(revenue_windows(small_answers(), small_revenue(), before=2, after=2,
                                    growth="endpoints"))
    assert shorter.loc["c", "growth_note"] == "no positive revenue at the end of the window"


def test_windows_missing_months_as_zero_by_hand():
    t = by_id(revenue_windows(small_answers(), small_revenue(), before=2, after=3,
                              missing_months="zero"))
    c = t.loc["c"]  # Feb and May count as months with 0 revenue
    assert (c["months_before"], c["revenue_before"]) == (2, 40.0)
    assert (c["months_after"], c["revenue_after"]) == (3, pytest.approx(200 / 3))
    assert c["growth"] == pytest.approx(100 * np.log((200 / 3) / 40))
    # e before its first month is outside its span: still nothing before
    assert t.loc["e", "months_before"] == 0


def test_windows_threshold_and_as_of():
    result = revenue_windows(small_answers(), small_revenue(), before=2, after=3,
                             as_of="2024-06-30", threshold=25)
    t = by_id(result)
    assert not t.loc["a", "expanded"]  # 18.2 < 25
    items = dict(zip(result.accounting["item"], result.accounting["rows"]))
    assert items["revenue rows after 2024-06 (not used)"] == 10  # a, c, d, e, f: Jul-Aug
    reasons = dict(zip(result.set_aside["response_id"], result.set_aside["reason"]))
    assert reasons["r6"] == "answered after the end of the revenue data"
    later = revenue_windows(small_answers(), small_revenue(), before=2, after=3, as_of="2025-03")
    assert later.parameters["end"] == "2024-08"
    assert any("after the last revenue month" in w for w in later.warnings)


def test_windows_accept_periods_and_dates_in_the_month_column():
    revenue = small_revenue()
    as_dates = revenue.assign(period=pd.to_datetime(revenue["period"]) + pd.Timedelta(days=4))
    as_periods = revenue.assign(period=pd.PeriodIndex(revenue["period"], freq="M"))
    base = revenue_windows(small_answers(), revenue, before=2, after=3).table
    for other in (as_dates, as_periods):
        table = revenue_windows(small_answers(), other, before=2, after=3).table
        pd.testing.assert_series_equal(table["growth"], base["growth"])


def test_windows_negative_revenue_error_when_asked():
    with pytest.raises(DataError, match=r"1 negative revenue rows: 'd 2024-02'.*refunds.*"
                                        r"negative='keep'"):
        revenue_windows(small_answers(), small_revenue(), negative="error")


def test_windows_repeated_customer_month_is_an_error_naming_it():
    revenue = pd.concat([small_revenue(), _monthly("a", ["2024-01"], [5])], ignore_index=True)
    with pytest.raises(DataError, match=r"repeat a customer and month.*'a 2024-01'.*groupby"):
        revenue_windows(small_answers(), revenue)


def test_windows_no_customer_overlap_shows_ids_of_both_tables():
    answers = small_answers().assign(customer_id=lambda d: "X" + d["customer_id"].fillna(""))
    with pytest.raises(DataError, match=r"No answer belongs.*'Xa'.*'a'.*same 'customer_id'"):
        revenue_windows(answers, small_revenue())


def test_windows_unusable_revenue_rows_are_counted():
    revenue = pd.concat([small_revenue(), pd.DataFrame({
        "customer_id": [None, "a", "a"], "period": ["2024-01", "March", "2024-09"],
        "revenue": [5, 5, "n/a"]})], ignore_index=True)
    result = revenue_windows(small_answers(), revenue, before=2, after=3)
    items = dict(zip(result.accounting["item"], result.accounting["rows"]))
    assert items["revenue rows set aside: no customer id"] == 1
    assert items["revenue rows set aside: unreadable month"] == 1
    assert items["revenue rows set aside: revenue not a number"] == 1
    assert any("'March'" in w for w in result.warnings)


def test_windows_errors_name_the_problem():
    answers, revenue = small_answers(), small_revenue()
    with pytest.raises(MissingColumnError, match=r"'amount_eur'.*amount="):
        revenue_windows(answers, revenue, amount="amount_eur")
    with pytest.raises(MissingColumnError, match=r"'score'.*score="):
        revenue_windows(answers.drop(columns="score"), revenue)
    with pytest.raises(ParameterError, match="before must be a whole number of at least 1"):
        revenue_windows(answers, revenue, before=0)
    with pytest.raises(ParameterError, match="growth must be one of 'log', 'windows', 'endpoints'"):
        revenue_windows(answers, revenue, growth="ratio")
    with pytest.raises(ParameterError, match="missing_months must be one of"):
        revenue_windows(answers, revenue, missing_months="drop")
    with pytest.raises(ParameterError, match="as_of must be a date or month"):
        revenue_windows(answers, revenue, as_of="soon")
    with pytest.raises(ParameterError, match="threshold must be a number"):
        revenue_windows(answers, revenue, threshold=-1)
    with pytest.raises(DataError, match=r"No answer is left.*after window not complete.*after="):
        revenue_windows(answers, revenue, after=7)
    with pytest.raises(DataError, match="has no rows"):
        revenue_windows(answers, revenue.iloc[:0])
    with pytest.raises(ParameterError, match="revenue must be a pandas DataFrame"):
        revenue_windows(answers, "revenue.csv")


def test_windows_with_ready_categories():
    answers = small_answers().assign(label=lambda d: np.where(d["score"] >= 9, "fan", "other"))
    result = revenue_windows(answers, small_revenue(), before=2, after=3, category="label")
    assert set(result.table["category"]) == {"fan", "other"}


# --- estimates per category -------------------------------------------------------------


def test_mean_interval_matches_r_t_test_on_mtcars():
    # R: t.test(mtcars$mpg, mu = 20): mean 20.09062, 95% CI 17.91768 22.26357
    # (published output, e.g. https://insightr.press/tutorial/one-sample-t-test/index.html)
    mtcars = pd.read_csv(require_shared(REFERENCE / "mtcars.csv"))
    table = revenue_by_category(mtcars.assign(category="all"), outcomes="mpg", cluster=None)
    row = table.iloc[0]
    assert row["estimate"] == pytest.approx(20.09062, abs=1e-5)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(17.91768, abs=1e-5),
                                               pytest.approx(22.26357, abs=1e-5))
    assert row["method"] == "t interval" and not row["small_n"]


def test_share_interval_is_wilson_newcombe_example():
    # Newcombe (1998), Stat Med 17:857-872, example 81/263: Wilson 0.2553 to 0.3662
    df = pd.DataFrame({"category": "x", "retained": [1] * 81 + [0] * 182})
    row = revenue_by_category(df, cluster=None).iloc[0]
    assert row["estimate"] == pytest.approx(100 * 81 / 263)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(25.53, abs=0.005),
                                               pytest.approx(36.62, abs=0.005))
    assert row["kind"] == "share" and row["method"] == "Wilson score"


def test_cluster_robust_mean_by_hand_and_statsmodels():
    y = np.array([1.0, 3.0, 2.0, 8.0, 6.0, 5.0, 9.0, 4.0])
    g = np.array(["a", "a", "b", "b", "b", "c", "d", "d"])
    df = pd.DataFrame({"category": "x", "growth": y, "customer_id": g})
    row = revenue_by_category(df, min_n=1).iloc[0]
    # CR1 by hand: V = G/(G-1) * sum_g (sum_i e_i)^2 / n^2, t with G - 1 df
    e = y - y.mean()
    sums = np.array([e[g == k].sum() for k in "abcd"])
    se = np.sqrt(4 / 3 * np.sum(sums**2)) / len(y)
    half = sps.t.ppf(0.975, 3) * se
    assert row["se"] == pytest.approx(se)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(y.mean() - half),
                                               pytest.approx(y.mean() + half))
    assert (row["n"], row["customers"]) == (8, 4)
    assert "cluster-robust" in row["method"]
    fit = sm.OLS(y, np.ones(len(y))).fit(cov_type="cluster",
                                         cov_kwds={"groups": pd.factorize(g)[0]}, use_t=True)
    assert row["ci_low"] == pytest.approx(fit.conf_int()[0, 0])


def test_share_with_repeated_customers_uses_the_design_effect():
    df = pd.DataFrame({"category": "x", "retained": [1, 1, 0, 0, 1, 0],
                       "customer_id": ["a", "a", "b", "b", "c", "d"]})
    row = revenue_by_category(df, min_n=1).iloc[0]
    e = df["retained"].to_numpy() - 0.5
    deff = sum(e[df["customer_id"] == k].sum() ** 2 for k in "abcd") / np.sum(e**2)  # 10/6
    low, high = ct.stats.proportion_interval(0.5 * 6 / deff, 6 / deff)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(100 * low), pytest.approx(100 * high))
    assert "design effect 1.67" in row["method"]


def test_revenue_by_category_keeps_an_empty_category_and_counts_unlabelled_rows():
    df = pd.DataFrame({"category": pd.Categorical(["promoter", "promoter", None],
                                                  categories=["detractor", "promoter"]),
                       "growth": [1.0, 3.0, 5.0]})
    table = revenue_by_category(df, cluster=None)
    empty = table[table["category"] == "detractor"].iloc[0]
    assert empty["n"] == 0 and np.isnan(empty["estimate"]) and empty["small_n"]
    assert table.attrs["no_category"] == 1
    assert list(table["category"].cat.categories) == ["detractor", "promoter"]


def test_revenue_by_category_errors():
    df = pd.DataFrame({"category": ["a", "b"], "note": ["x", "y"], "customer_id": [1, None]})
    with pytest.raises(ParameterError, match="No outcome to summarise.*outcomes="):
        revenue_by_category(df)
    with pytest.raises(DataError, match=r"outcome 'note' must hold numbers.*'x'"):
        revenue_by_category(df, outcomes="note")
    with pytest.raises(MissingColumnError, match=r"'spend'.*outcomes="):
        revenue_by_category(df, outcomes=["spend"])
    with pytest.raises(MissingColumnError, match=r"'segment'.*by="):
        revenue_by_category(df, by="segment")
    with pytest.raises(DataError, match=r"cluster column 'customer_id' is empty in 1"):
        revenue_by_category(df.assign(spend=[1.0, 2.0]), outcomes="spend")


# --- comparisons ------------------------------------------------------------------------


def test_compare_welch_matches_r_t_test_mtcars():
    # R: t.test(mpg ~ am, data = mtcars): t = -3.7671, df = 18.332, p-value = 0.001374,
    # 95% CI -11.280194 -3.209684 (published output, e.g.
    # https://rstudio-pubs-static.s3.amazonaws.com/1153739_a5fe0fd14dbd4ee1b282076152a7d495.html)
    mtcars = pd.read_csv(require_shared(REFERENCE / "mtcars.csv"))
    df = mtcars.assign(category=np.where(mtcars["am"] == 1, "manual", "automatic"))
    row = compare_categories(df, "automatic", "manual", outcomes="mpg", cluster=None,
                             min_n=10).iloc[0]
    assert row["statistic"] == pytest.approx(-3.7671, abs=5e-5)
    assert row["df"] == pytest.approx(18.332, abs=5e-4)
    assert row["p_value"] == pytest.approx(0.001374, abs=5e-7)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(-11.280194, abs=1e-6),
                                               pytest.approx(-3.209684, abs=1e-6))
    assert row["method"] == "Welch's t test"


def test_compare_shares_newcombe_example():
    # Newcombe (1998), Stat Med 17:873-890, example (a): 56/70 - 48/80, method 10
    # (hybrid score): 95% CI 0.0524 to 0.3339
    df = pd.DataFrame({"category": ["a"] * 70 + ["b"] * 80,
                       "retained": [1] * 56 + [0] * 14 + [1] * 48 + [0] * 32})
    row = compare_categories(df, "a", "b", cluster=None).iloc[0]
    assert row["difference"] == pytest.approx(20.0)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(5.24, abs=0.005),
                                               pytest.approx(33.39, abs=0.005))
    test = ct.stats.two_proportion_test(56, 70, 48, 80)
    assert row["p_value"] == pytest.approx(test.p_value)


def test_compare_cluster_robust_when_customers_repeat_and_holm():
    rng = np.random.default_rng(3)
    n = 60
    df = pd.DataFrame({
        "customer_id": np.repeat(np.arange(20), 3),
        "category": np.tile(["promoter", "detractor", "promoter"], 20),
        "growth": rng.normal(0, 1, n), "retained": rng.random(n) < 0.8})
    out = compare_categories(df, min_n=5)
    row = out.set_index("outcome").loc["growth"]
    rows = df["category"].isin(["promoter", "detractor"])
    fit = sm.OLS(df["growth"], np.column_stack([np.ones(n), df["category"] == "promoter"])
                 .astype(float)).fit(cov_type="cluster",
                                     cov_kwds={"groups": df["customer_id"][rows]}, use_t=True)
    assert row["difference"] == pytest.approx(fit.params.iloc[1])
    assert row["ci_low"] == pytest.approx(fit.conf_int().iloc[1, 0])
    assert row["df"] == 19 and "cluster-robust" in row["method"]
    holm = ct.stats.adjust_pvalues(out["p_value"], "holm")
    np.testing.assert_allclose(out["p_adjusted"], holm)
    assert list(out["outcome"]) == ["growth", "retained"]


def test_compare_errors_empty_unknown_and_same_category():
    df = pd.DataFrame({"category": pd.Categorical(["promoter"] * 3,
                                                  categories=["detractor", "promoter"]),
                       "growth": [1.0, 2.0, 3.0]})
    with pytest.raises(DataError, match=r"No answers in the category 'detractor'.*'promoter'"):
        compare_categories(df, cluster=None)
    with pytest.raises(ParameterError, match=r"a='fan' is not a category.*'detractor'"):
        compare_categories(df, a="fan", cluster=None)
    with pytest.raises(ParameterError, match="same category"):
        compare_categories(df, a="promoter", b="promoter", cluster=None)


# --- the sample's built-in link (README effect 4) ---------------------------------------

MU = np.log1p(np.array(gen.STATE_GROWTH))  # monthly log growth: promoter, passive, detractor
PI = np.array(gen.STATE_MIX)


def expected_by_state(weights: dict) -> np.ndarray:
    """E[sum_j w_j * g(month m0 + j) | state at the wave month m0], in % log points.

    The state changes only at wave months (every third month): offsets 0-2 share the
    wave's state, 3-5 the next quarter's (kept with probability STATE_KEEP, else drawn
    from STATE_MIX), -1 to -3 the previous quarter's (the chain is reversible).
    """
    mean = PI @ MU
    out = np.zeros(3)
    for offset, weight in weights.items():
        quarters = offset // 3 if offset >= 0 else (-offset + 2) // 3
        keep = gen.STATE_KEEP ** quarters
        out += weight * (keep * MU + (1 - keep) * mean)
    return 100 * out


def endpoint_weights(after: int) -> dict:
    return {j: 1.0 for j in range(1, after + 1)}


def window_weights(before: int, after: int) -> dict:
    """log(mean after) - log(mean before) ~ mean log after - mean log before."""
    weights = {-i: (before - i) / before for i in range(0, before)}
    weights.update({j: (after - j + 1) / after for j in range(1, after + 1)})
    return weights


def by_answered_category(by_state: np.ndarray, table: pd.DataFrame) -> np.ndarray:
    """Expectation by *answered* category: answers are mood-shifted readings of the state.

    Per wave, P(state | answer) is proportional to STATE_MIX x P(answer | state) (shift up
    in March waves, down in December and in the incident wave 2024-03); waves are weighted
    by the answers that have the outcome. Order: promoter, passive, detractor.
    """
    names = ["promoter", "passive", "detractor"]
    total, weight = np.zeros(3), np.zeros(3)
    incident = f"{2023 + gen.INCIDENT_OFFSET // 12}-{gen.INCIDENT_OFFSET % 12 + 1:02d}"
    for month, part in table.groupby("answer_month"):
        shift = gen.NPS_INCIDENT_SHIFT if month == incident else \
            gen.NPS_WAVE_SHIFT.get(int(month[-2:]), 0.0)
        moved = np.eye(3)  # rows: state, columns: answer
        if shift > 0:  # up one category
            moved[1] = [shift, 1 - shift, 0]
            moved[2] = [0, shift, 1 - shift]
        elif shift < 0:
            moved[0] = [1 + shift, -shift, 0]
            moved[1] = [0, 1 + shift, -shift]
        posterior = PI[:, None] * moved
        posterior /= posterior.sum(axis=0)
        counts = part["category"].astype(str).value_counts().reindex(names, fill_value=0)
        total += counts.to_numpy() * (posterior.T @ by_state)
        weight += counts.to_numpy()
    return total / weight


def test_expected_values_helper_reproduces_the_readme():
    # README effect 4: expected 6-month growth by state +6.2 / +2.5 / -2.1 and 12-month
    # +10.7 / +5.2 / -1.6 (mean log growth from the wave month, by state at the wave)
    np.testing.assert_allclose(expected_by_state(endpoint_weights(6)), [6.2, 2.5, -2.1],
                               atol=0.05)
    np.testing.assert_allclose(expected_by_state(endpoint_weights(12)), [10.7, 5.2, -1.6],
                               atol=0.06)  # 10.65 here


def _growth_rows(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["growth"].notna()]


def test_sample_six_month_growth_by_category(windows6):
    table = revenue_by_category(windows6).set_index(["category", "outcome"])
    growth = table.xs("growth", level="outcome")
    # face values of README effect 4 for these files: +5.7 / +2.1 / -1.6
    np.testing.assert_allclose(growth.loc[["promoter", "passive", "detractor"], "estimate"],
                               [5.7, 2.1, -1.6], atol=0.06)
    # each category's interval covers the expected value by state (+6.2, +2.5, -2.1)
    for name, truth in zip(["promoter", "passive", "detractor"],
                           expected_by_state(endpoint_weights(6))):
        assert growth.loc[name, "ci_low"] < truth < growth.loc[name, "ci_high"], name
    assert (growth["method"].str.contains("cluster-robust")).all()


def test_sample_promoter_detractor_growth_difference(windows6):
    row = compare_categories(windows6).set_index("outcome").loc["growth"]
    answered = by_answered_category(expected_by_state(endpoint_weights(6)),
                                    _growth_rows(windows6.table))
    # The interval (6.32 to 8.28 with these files) covers the expectation by answered
    # category (about 7.8: the answers' mood shifts mix states) and, just, the expectation
    # by hidden state, 8.24 points (the README's "+8.3" is 6.2 + 2.1, rounded values).
    # Answers are noisy readings of the state: the answered difference is attenuated.
    assert row["ci_low"] < answered[0] - answered[2] < row["ci_high"]
    by_state = expected_by_state(endpoint_weights(6))
    assert by_state[0] - by_state[2] == pytest.approx(8.3, abs=0.07)
    assert row["ci_low"] < by_state[0] - by_state[2] < row["ci_high"]
    assert row["significant"]


def test_sample_default_window_growth_recovers_the_link(windows_default):
    # Default definition: log(mean of the 6 months after / the 3 months before); its
    # expectation follows from the same state chain with the window weights (ignoring the
    # small Jensen term of log-of-mean, which cancels in the difference).
    truth = expected_by_state(window_weights(3, 6))
    growth = revenue_by_category(windows_default).set_index(["category", "outcome"]) \
        .xs("growth", level="outcome")
    for name, value in zip(["promoter", "passive", "detractor"], truth):
        assert growth.loc[name, "ci_low"] < value < growth.loc[name, "ci_high"], name
    row = compare_categories(windows_default).set_index("outcome").loc["growth"]
    answered = by_answered_category(truth, _growth_rows(windows_default.table))
    assert row["ci_low"] < answered[0] - answered[2] < row["ci_high"]
    assert row["ci_low"] < truth[0] - truth[2] < row["ci_high"]  # 8.4 by state, covered


def test_sample_twelve_month_growth_and_retention(windows12):
    table = revenue_by_category(windows12).set_index(["category", "outcome"])
    growth = table.xs("growth", level="outcome")
    # README face values +9.5 / +4.2 / -1.6; expected by state +10.7 / +5.2 / -1.6, covered
    np.testing.assert_allclose(growth.loc[["promoter", "passive", "detractor"], "estimate"],
                               [9.5, 4.2, -1.6], atol=0.06)
    for name, truth in zip(["promoter", "passive", "detractor"], [10.7, 5.2, -1.6]):
        assert growth.loc[name, "ci_low"] < truth < growth.loc[name, "ci_high"], name
    # retention: README's expected churn within 12 months of a wave by state is 8.9%,
    # 12.0%, 20.6%; still paying 12 months after the answer (waves of 2023 only, the
    # complete windows) covers 100 - churn, and the promoter - detractor difference covers
    # both the expectation by state (11.7 points) and by answered category.
    retained = table.xs("retained", level="outcome")
    for name, churn in zip(["promoter", "passive", "detractor"], [8.9, 12.0, 20.6]):
        assert retained.loc[name, "ci_low"] < 100 - churn < retained.loc[name, "ci_high"], name
    row = compare_categories(windows12).set_index("outcome").loc["retained"]
    state = 100 - np.array([8.9, 12.0, 20.6])
    answered = by_answered_category(state, windows12.table)
    assert row["ci_low"] < state[0] - state[2] < row["ci_high"]
    assert row["ci_low"] < answered[0] - answered[2] < row["ci_high"]
    assert set(windows12.table["answer_month"]) == {"2023-03", "2023-06", "2023-09", "2023-12"}


def test_sample_accounting_and_summary(windows6):
    items = dict(zip(windows6.accounting["item"], windows6.accounting["rows"]))
    assert items["answers read"] == 22_569
    assert items["set aside: not an NPS answer"] == 22_569 - 4_079  # README: 4,079 NPS answers
    assert items["set aside: not an NPS answer"] + items["set aside: after window not complete"] \
        + items["answers with a complete window"] == 22_569
    assert items["revenue rows used"] == 48_713 and items["of which negative (refunds or " \
                                                          "credits, kept)"] == 0
    assert windows6.summary().startswith("2,886 answers")


# --- accounts ---------------------------------------------------------------------------


def account_data():
    customers = pd.DataFrame({"customer_id": ["c1", "c2", "c3", "c4", "c5"],
                              "account_id": ["A1", "A1", "A2", "A3", "A3"]})
    half = [f"2024-{m:02d}" for m in range(1, 7)]
    revenue = pd.concat([
        _monthly("c1", half, [100] * 6), _monthly("c2", half[3:], [100] * 3),
        _monthly("c3", half, [500] * 6), _monthly("c4", half, [50] * 6),
        _monthly("c8", half, [10] * 6),  # no account in the customer table
    ], ignore_index=True)
    answers = pd.DataFrame({
        "customer_id": ["c1", "c1", "c2", "c3", "c9", "c3", "c4"],
        "responded_at": ["2024-02-10", "2024-05-10", "2024-05-12", "2024-05-01",
                         "2024-05-01", "2024-04-02", "2022-01-05"],
        "score": [3, 10, 6, 9, 9, 4, 10],
        "survey": ["nps", "nps", "nps", "nps", "nps", "csat", "nps"]})
    return answers, customers, revenue


def test_account_rollup_by_hand():
    answers, customers, revenue = account_data()
    result = account_rollup(answers, customers, revenue, min_n=2)
    assert isinstance(result, AccountResult)
    t = result.table.set_index("account_id")
    assert list(t.index) == ["A2", "A1", "A3"]  # largest revenue first
    assert t.loc["A1", ["n", "promoters", "detractors", "estimate", "revenue"]].tolist() \
        == [2, 1, 1, 0.0, 900.0]  # c1's latest answer (May, 10) counts, not February's 3
    assert t.loc["A2", ["n", "estimate", "revenue"]].tolist() == [1, 100.0, 3000.0]
    assert t.loc["A3", "n"] == 0 and np.isnan(t.loc["A3", "estimate"])
    assert t.loc["A3", "customers"] == 2
    assert t.loc["A2", "revenue_share"] == pytest.approx(100 * 3000 / 4200)
    assert list(t["small_n"]) == [True, False, True]
    # adjusted Wald interval of A1 (1 promoter, 0 passives, 1 detractor) by hand
    n = 2 + 3
    p_p, p_d = 1.75 / n, 1.75 / n
    half = Z95 * np.sqrt((p_p + p_d - (p_p - p_d) ** 2) / n)
    assert (t.loc["A1", "ci_low"], t.loc["A1", "ci_high"]) == (pytest.approx(-100 * half),
                                                               pytest.approx(100 * half))


def test_revenue_weighted_nps_by_hand():
    answers, customers, revenue = account_data()
    overall = account_rollup(answers, customers, revenue).overall.set_index("weighting")
    # revenue weights: A1 900 shared by c1 (promoter) and c2 (detractor), A2 3000 (promoter)
    w = np.array([450.0, 450.0, 3000.0])
    assert overall.loc["revenue", "estimate"] == pytest.approx((900 * 0 + 3000 * 100) / 3900)
    n_eff = w.sum() ** 2 / np.sum(w**2)
    assert overall.loc["revenue", "n_eff"] == pytest.approx(n_eff)  # 1.6172
    p_p, p_d = 3450 / 3900, 450 / 3900
    pro, pas, det = p_p * n_eff + 0.75, 1.5, p_d * n_eff + 0.75  # Rocks (2016) pseudo-counts
    total = pro + pas + det
    centre = (pro - det) / total
    half = Z95 * np.sqrt((pro / total + det / total - centre**2) / total)
    assert overall.loc["revenue", "ci_low"] == pytest.approx(100 * (centre - half))
    assert overall.loc["revenue", "ci_high"] == pytest.approx(100 * min(centre + half, 1))
    assert overall.loc["respondents", "estimate"] == pytest.approx(100 / 3)
    assert overall.loc["accounts", "estimate"] == pytest.approx(50.0)  # mean of 0 and 100
    assert overall.loc["revenue", "headline"] and not overall.loc["accounts", "headline"]


def test_revenue_coverage_by_hand_and_context():
    answers, customers, revenue = account_data()
    result = account_rollup(answers, customers, revenue)
    cov = result.coverage.set_index("quarter")
    assert list(cov.index) == ["2024Q1", "2024Q2", "window"]  # quarters without revenue left out
    # Q1: revenue c1 300 + c3 1500 + c4 150 = 1950; only A1 answered (c1 in February)
    assert cov.loc["2024Q1", ["revenue", "revenue_covered"]].tolist() == [1950.0, 300.0]
    assert cov.loc["2024Q1", "coverage"] == pytest.approx(100 * 300 / 1950)
    # Q2: 300 + 300 + 1500 + 150 = 2250, A1 and A2 answered: 2100
    assert cov.loc["2024Q2", "coverage"] == pytest.approx(100 * 2100 / 2250)
    assert cov.loc["window", "coverage"] == pytest.approx(100 * 3900 / 4200)
    assert cov.loc["2024Q2", "meets_target"] and not cov.loc["2024Q1", "meets_target"]
    assert (cov["target"] == 80).all()
    assert "CustomerGauge" in result.context and "80%" in result.context
    assert any("'c8'" in w and "without an account" in w for w in result.warnings)


def test_accounts_at_risk_and_accounting():
    answers, customers, revenue = account_data()
    # percentiles of paying accounts' revenue (300, 900, 3000): 50th = 900
    result = account_rollup(answers, customers, revenue, risk_percentile=50, risk_nps_below=10)
    assert result.parameters["risk_revenue_threshold"] == 900.0
    assert result.at_risk["account_id"].tolist() == ["A1"]
    assert account_rollup(answers, customers, revenue).at_risk.empty  # 75th: 1950, A2 NPS 100
    items = dict(zip(result.accounting["item"], result.accounting["rows"]))
    assert items["set aside: not an NPS answer"] == 1
    assert items["set aside: customer not in the customer table"] == 1
    assert items["set aside: answered outside the window"] == 1
    assert items["set aside: earlier answer of the same customer"] == 1
    assert items["respondents used (latest answer each)"] == 3
    assert "Revenue-weighted NPS +76.9" in result.summary()


def test_account_rollup_period_window():
    answers, customers, revenue = account_data()
    q1 = account_rollup(answers, customers, revenue, period="2024Q1")
    t = q1.table.set_index("account_id")
    assert t.loc["A1", ["n", "estimate", "revenue"]].tolist() == [1, -100.0, 300.0]
    assert q1.parameters["window"] == "2024Q1"
    with pytest.raises(ParameterError, match="period must be a year, quarter or month"):
        account_rollup(answers, customers, revenue, period="spring")
    with pytest.raises(ParameterError, match="starts after the last revenue month"):
        account_rollup(answers, customers, revenue, period="2025")


def test_account_rollup_errors():
    answers, customers, revenue = account_data()
    with pytest.raises(DataError, match=r"repeats ids in 'customer_id': 'c1'"):
        account_rollup(answers, pd.concat([customers, customers.iloc[:1]]), revenue)
    with pytest.raises(DataError, match=r"No answer belongs to a customer of the customer table"):
        account_rollup(answers.assign(customer_id="zz"), customers, revenue)
    with pytest.raises(MissingColumnError, match=r"'account'.*account="):
        account_rollup(answers, customers, revenue, account="account")
    with pytest.raises(ParameterError, match="weight_by must be one of"):
        account_rollup(answers, customers, revenue, weight_by="size")
    with pytest.raises(ParameterError, match="risk_percentile must be a number between 0 and 100"):
        account_rollup(answers, customers, revenue, risk_percentile=120)


def test_account_rollup_on_the_sample(sample):
    answers, revenue, customers = sample
    result = account_rollup(answers, customers, revenue)
    table = result.table[result.table["answered"] & (result.table["revenue"] > 0)]
    weighted = np.sum(table["revenue"] * table["estimate"]) / table["revenue"].sum()
    head = result.overall.set_index("weighting").loc["revenue"]
    assert head["estimate"] == pytest.approx(weighted)
    assert head["ci_low"] < head["estimate"] < head["ci_high"]
    assert head["n_eff"] < head["n"]
    assert result.table["revenue"].is_monotonic_decreasing
    assert result.coverage["quarter"].tolist() == ["2024Q1", "2024Q2", "2024Q3", "2024Q4",
                                                   "window"]
    assert (result.at_risk["estimate"] < 0).all()


# --- correlations and Granger -----------------------------------------------------------


def test_pearson_matches_r_cor_test_mtcars():
    # R: cor.test(mtcars$mpg, mtcars$wt): r = -0.8676594, t = -9.559, df = 30,
    # p-value = 1.294e-10, 95% CI -0.9338264 -0.7440872 (published output:
    # https://rstudio-pubs-static.s3.amazonaws.com/813775_d7f1b6a1e37d4e34906774df4b7387a2.html)
    mtcars = pd.read_csv(require_shared(REFERENCE / "mtcars.csv"))
    r = correlation(mtcars["mpg"], mtcars["wt"])
    assert r["estimate"] == pytest.approx(-0.8676594, abs=1e-7)
    assert (r["ci_low"], r["ci_high"]) == (pytest.approx(-0.9338264, abs=1e-7),
                                           pytest.approx(-0.7440872, abs=1e-7))
    assert r["statistic"] == pytest.approx(-9.559, abs=5e-4) and r["df"] == 30
    assert r["p_value"] == pytest.approx(1.294e-10, rel=1e-3)
    # same page: R cor(mtcars$mpg, mtcars$wt, method = "spearman") = -0.886422
    assert correlation(mtcars["mpg"], mtcars["wt"], method="spearman")["estimate"] == \
        pytest.approx(-0.886422, abs=1e-6)


def test_spearman_interval_matches_statpsych_ci_spear():
    # R statpsych::ci.spear(.05, y, x) documentation example (Bonett & Wright 2000):
    # Estimate 0.8699639, SE 0.08241326, LL 0.5840951, UL 0.9638297
    # (https://search.r-project.org/CRAN/refmans/statpsych/html/ci.spear.html)
    y = [21, 4, 9, 12, 35, 18, 10, 22, 24, 1, 6, 8, 13, 16, 19]
    x = [67, 28, 30, 28, 52, 40, 25, 37, 44, 10, 14, 20, 28, 40, 51]
    r = correlation(y, x, method="spearman")
    assert r["estimate"] == pytest.approx(0.8699639, abs=1e-7)
    assert (r["ci_low"], r["ci_high"]) == (pytest.approx(0.5840951, abs=1e-7),
                                           pytest.approx(0.9638297, abs=1e-7))
    se_z = (np.arctanh(r["ci_high"]) - np.arctanh(r["ci_low"])) / (2 * Z95)
    assert se_z * (1 - r["estimate"] ** 2) == pytest.approx(0.08241326, abs=1e-7)
    assert "Bonett-Wright" in r["method"]
    # R vcmeta::se.spear(.40, 55): SE 0.1210569 (same formula, Bonett-Wright SE)
    assert np.sqrt((1 + 0.4**2 / 2) / 52) * (1 - 0.4**2) == pytest.approx(0.1210569, abs=1e-7)


def test_correlation_edge_cases():
    assert np.isnan(correlation([1, 2], [2, 3])["estimate"])  # too few pairs
    assert np.isnan(correlation([1, 1, 1, 1], [1, 2, 3, 4])["estimate"])  # constant
    r = correlation([1, 2, None, 4, 5], [2, 4, 6, 8, 10.5])
    assert r["n"] == 4
    with pytest.raises(ParameterError, match="same length"):
        correlation([1, 2, 3], [1, 2])
    with pytest.raises(ParameterError, match="method must be one of 'pearson', 'spearman'"):
        correlation([1, 2, 3], [1, 2, 3], method="kendall")


def test_granger_matches_r_lmtest_via_statsmodels_test():
    # statsmodels' own test (statsmodels/tsa/tests/test_stattools.py,
    # TestGrangerCausality): R lmtest::grangertest on macrodata, realgdp -> realcons,
    # differenced logs, order 2: F = 0.243097, p = 0.7844328, df (195, 2)
    data = sm.datasets.macrodata.load_pandas().data[["realgdp", "realcons"]]
    growth = np.log(data).diff().dropna().reset_index(drop=True)
    row = granger_test(growth.assign(t=np.arange(len(growth))), cause="realgdp",
                       effect="realcons", lags=2, order="t").iloc[0]
    assert row["F"] == pytest.approx(0.243097, abs=1e-6)
    assert row["p_value"] == pytest.approx(0.7844328, abs=1e-7)
    assert (row["df_denom"], row["df_num"]) == (195, 2)
    assert row["note"] == ""


def test_granger_warns_and_refuses_when_periods_are_few():
    df = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 7, "x": np.sin(np.arange(11.0)),
                       "y": np.cos(np.arange(11.0) * 1.3)})
    out = granger_test(df, cause="x", effect="y", by="g", min_periods=8).set_index("g")
    assert np.isnan(out.loc["a", "F"]) and "too few periods (4)" in out.loc["a", "note"]
    assert np.isfinite(out.loc["b", "F"]) and "only 7 periods" in out.loc["b", "note"]
    gappy = df.assign(x=lambda d: d["x"].where(d.index != 6))
    notes = granger_test(gappy, cause="x", effect="y", by="g").set_index("g")["note"]
    assert "gaps" in notes["b"]
    with pytest.raises(MissingColumnError, match="'z'"):
        granger_test(df, cause="z", effect="y")


# --- segment-period link ----------------------------------------------------------------


def link_data(segments: int = 30, quarters: int = 10, slope: float = 0.5, seed: int = 7):
    """Answers and revenue where +10 NPS points in a quarter give +slope% growth next one."""
    rng = np.random.default_rng(seed)
    promoters = rng.integers(2, 19, size=(segments, quarters))  # of 20 answers; rest detractors
    nps = 10 * promoters - 100.0
    growth = np.zeros((segments, quarters))
    growth[:, 1:] = slope / 10 * nps[:, :-1] + rng.normal(0, 0.5, (segments, quarters - 1))
    level = 3000 * np.exp(np.cumsum(growth / 100, axis=1))
    quarter_starts = pd.period_range("2022Q1", periods=quarters, freq="Q")
    answers, revenue = [], []
    for s in range(segments):
        for q, start in enumerate(quarter_starts):
            day = start.to_timestamp() + pd.Timedelta(days=40)
            scores = [10] * promoters[s, q] + [2] * (20 - promoters[s, q])
            answers += [(f"s{s}-{q}-{i}", day, score, f"seg{s:02d}")
                        for i, score in enumerate(scores)]
            for month in start.asfreq("M", how="start") + np.arange(3):
                revenue.append((f"cust{s}", str(month), level[s, q] / 3, f"seg{s:02d}"))
    answers = pd.DataFrame(answers, columns=["customer_id", "responded_at", "score", "region"])
    revenue = pd.DataFrame(revenue, columns=["customer_id", "period", "revenue", "region"])
    return answers, revenue


def test_segment_link_recovers_a_known_slope():
    answers, revenue = link_data()
    link = segment_period_link(answers, revenue, segments=["region"], lags=(0, 1))
    assert isinstance(link, LinkResult)
    fit = link.regression.set_index("lag")
    assert fit.loc[1, "ci_low"] < 0.5 < fit.loc[1, "ci_high"]
    assert fit.loc[1, "estimate"] == pytest.approx(0.5, abs=0.05)
    assert fit.loc[1, "segments"] == 30 and fit.loc[1, "df"] == 29
    assert fit.loc[0, "ci_low"] < 0 < fit.loc[0, "ci_high"]  # same quarter: no link built in
    corr = link.correlations.set_index(["lag", "method"])
    assert corr.loc[(1, "Pearson, Fisher z interval"), "estimate"] > 0.9
    panel = link.panel
    assert len(panel) == 300 and (panel["n"] == 20).all()
    first = panel[panel["segment_label"] == "seg00"].iloc[:2]
    assert first["growth"].isna().tolist() == [True, False]
    assert link.granger.iloc[-1]["segment_label"] == "(pooled, segment fixed effects)"
    assert link.granger.iloc[-1]["p_value"] < 1e-6
    assert not any("min_periods" in w for w in link.warnings)  # 9 periods with growth each
    assert "+10 NPS points go with +0.5" in link.summary() and UPSELL_CONTEXT in link.summary()


def test_segment_link_warns_when_periods_are_few_and_refuses_lags_it_cannot_fit():
    answers, revenue = link_data(segments=6, quarters=3)
    link = segment_period_link(answers, revenue, segments=["region"], lags=(0, 2))
    assert any("fewer than min_periods=8" in w for w in link.warnings)
    fit = link.regression.set_index("lag")
    assert np.isnan(fit.loc[2, "estimate"])
    assert any(w.startswith("Lag 2: too few segment-periods") for w in link.warnings)
    per_segment = link.granger.iloc[:-1]
    assert per_segment["F"].isna().all() and per_segment["note"].str.contains("too few").all()
    assert any("could not be computed for 6 of 6 segments" in w for w in link.warnings)
    assert any("only 6 segments are rough" in w for w in link.warnings)
    assert sum("segments are rough" in w for w in link.warnings) == 1


def test_segment_link_errors():
    answers, revenue = link_data(segments=4, quarters=4)
    with pytest.raises(DataError, match=r"answers lack the segment column\(s\) 'plan'.*customers="):
        segment_period_link(answers, revenue, segments=["plan"])
    with pytest.raises(ParameterError, match=r"lags must be whole numbers.*\(0, 1\)"):
        segment_period_link(answers, revenue, segments=["region"], lags=(-1,))
    with pytest.raises(ParameterError, match="segments must be a list of column names"):
        segment_period_link(answers, revenue, segments=[])
    with pytest.raises(ParameterError, match="period must be 'M', 'Q' or 'Y'"):
        segment_period_link(answers, revenue, segments=["region"], period="W")
    with pytest.raises(ParameterError, match="Control 'mood' must be a numeric column"):
        segment_period_link(answers, revenue, segments=["region"], controls=["mood"])


def test_segment_link_on_the_sample(sample):
    answers, revenue, customers = sample
    link = segment_period_link(answers, revenue, segments=["region", "segment"],
                               customers=customers)
    assert link.panel["segment_label"].nunique() == 12  # 4 regions x 3 segments ("NA" kept)
    assert link.panel["period"].nunique() == 8
    assert link.panel["n"].sum() == 4_079  # every NPS answer lands in a segment-quarter
    # 8 quarters give 7 growth values per segment: below min_periods=8, said so
    assert any("fewer than min_periods=8" in w for w in link.warnings)
    assert set(link.correlations["lag"]) == {0, 1} and len(link.correlations) == 4
    assert link.regression["estimate"].notna().all()
    assert (link.granger["note"].iloc[:-1].str.contains("only 7 periods")).all()
    assert link.context == UPSELL_CONTEXT and "not a benchmark" in UPSELL_CONTEXT
    # The generator has no segment effect: segment-quarter NPS from ~20-70 answers is mostly
    # noise, so no link is expected at this level (the customer-level link is above).
    assert link.regression["ci_low"].lt(0).all()


def test_segment_link_counts_rows_without_segments(sample):
    answers, revenue, _ = sample
    customers = pd.read_csv(SAMPLE / "customers.csv")  # region "NA" read as missing
    link = segment_period_link(answers, revenue, segments=["region", "segment"],
                               customers=customers)
    items = dict(zip(link.accounting["item"], link.accounting["rows"]))
    assert items["revenue rows without a segment value (left out)"] > 0
    assert any("keep_default_na=False" in w for w in link.warnings)


# --- transitions ------------------------------------------------------------------------


def test_transitions_by_hand():
    answers = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b", "c", "d", "d"],
        "responded_at": ["2024-03-10", "2024-06-10", "2024-09-10", "2024-03-10", "2024-06-10",
                         "2024-03-10", "2024-03-10", "2024-03-20"],
        "score": [3, 9, 10, 8, 2, 7, 4, 10]})
    revenue = pd.concat([_monthly("a", ["2024-03", "2024-06", "2024-09"], [100, 130, 150]),
                         _monthly("b", ["2024-03", "2024-06"], [200, 170])], ignore_index=True)
    result = category_transitions(answers, revenue, min_n=1)
    assert isinstance(result, TransitionResult)
    # d answered twice in March: the earlier answer is set aside, so d has no pair
    assert result.counts.loc["detractor", "promoter"] == 1
    assert result.counts.loc["promoter", "promoter"] == 1
    assert result.counts.loc["passive", "detractor"] == 1
    assert result.counts.to_numpy().sum() == 3
    t = result.table.set_index(["from", "to"])
    assert t.loc[("detractor", "promoter"), "growth"] == pytest.approx(100 * np.log(1.3) / 3)
    assert t.loc[("promoter", "promoter"), "growth"] == pytest.approx(100 * np.log(150 / 130) / 3)
    assert t.loc[("passive", "detractor"), "growth"] == pytest.approx(100 * np.log(0.85) / 3)
    low, high = ct.stats.proportion_interval(1, 1)
    assert t.loc[("promoter", "promoter"), "ci_low"] == pytest.approx(100 * low)
    items = dict(zip(result.accounting["item"], result.accounting["rows"]))
    assert items["set aside: earlier answer in the same month"] == 1
    assert items["customers who answered twice or more"] == 2
    assert items["pairs of consecutive answers"] == 3
    assert "3 pairs" in result.summary()


def test_transitions_without_pairs_and_without_revenue():
    answers = pd.DataFrame({"customer_id": ["a", "b"], "responded_at": ["2024-03-10"] * 2,
                            "score": [3, 9]})
    result = category_transitions(answers)
    assert result.counts.to_numpy().sum() == 0 and "growth" not in result.table
    assert result.summary() == "No customer answered twice."
    assert any("No customer answered twice" in w for w in result.warnings)


def test_transitions_on_the_sample(sample):
    answers, revenue, _ = sample
    result = category_transitions(answers, revenue)
    items = dict(zip(result.accounting["item"], result.accounting["rows"]))
    assert items["customers"] == 1_914  # README: 1,914 customers answered NPS
    assert items["customers who answered twice or more"] == 1_088  # README: 1,088
    assert result.counts.to_numpy().sum() == items["pairs of consecutive answers"]
    t = result.table.set_index(["from", "to"])
    # staying promoters grow faster than staying detractors (README: +1.2% against -0.6%
    # median monthly growth while in the state)
    assert t.loc[("promoter", "promoter"), "growth_ci_low"] > \
        t.loc[("detractor", "detractor"), "growth_ci_high"]
    assert t.loc[("promoter", "promoter"), "growth_ci_low"] < 100 * MU[0] \
        < t.loc[("promoter", "promoter"), "growth_ci_high"] + 0.1


# --- scenario ---------------------------------------------------------------------------


def scenario_frame():
    return pd.DataFrame({
        "customer_id": ["d1", "d2", "d3", "d4", "p1", "p2", "p3", "p4"],
        "category": ["detractor"] * 4 + ["passive"] * 4,
        "growth": [-6.0, -6.0, -6.0, np.nan, 6.0, 6.0, 6.0, 6.0],
        "growth_months": 6.0, "after_months": 6,
        "retained": [True, True, True, False] + [True] * 4,
        "revenue_at_answer": [100.0, 200.0, 300.0, 400.0, 50.0, 50.0, 50.0, 50.0],
        "answer_month": "2024-03"})


def test_scenario_arithmetic_by_hand():
    result = conversion_scenario(scenario_frame(), share=0.5, horizon_months=12, n_boot=200)
    assert isinstance(result, ScenarioResult)
    row = result.table.iloc[0]
    k = np.arange(1, 13)
    g_d, g_p = -0.06 / 6, 0.06 / 6           # monthly log growth
    h_d, h_p = -np.log(3 / 4) / 6, 0.0       # monthly churn from 3 of 4 still paying
    revenue = (100 + 200 + 300 + 400) / 4    # mean current revenue of a detractor
    converted = 0.5 * 4
    effect = converted * revenue * (np.exp((g_p - h_p) * k).sum() - np.exp((g_d - h_d) * k).sum())
    growth_part = converted * revenue * (np.exp((g_p - h_d) * k).sum()
                                         - np.exp((g_d - h_d) * k).sum())
    assert row["estimate"] == pytest.approx(effect)
    assert row["growth_part"] == pytest.approx(growth_part)
    assert row["retention_part"] == pytest.approx(effect - growth_part)
    assert row["baseline"] == pytest.approx(4 * revenue * np.exp((g_d - h_d) * k).sum())
    assert (row["converted"], row["customers_from"], row["monthly_revenue"]) == (2.0, 4, 250.0)
    assert row["ci_low"] <= row["estimate"] <= row["ci_high"]
    rates = result.rates.set_index("category")
    assert rates.loc["detractor", "monthly_churn"] == pytest.approx(100 * h_d)
    assert rates.loc["passive", "monthly_growth"] == pytest.approx(1.0)
    assert len(result.assumptions) == 6 and result.caveats == CAVEATS
    assert any(a.startswith("Causal reading") for a in result.assumptions)
    assert "If 50% of detractors (2 of 4 customers) became passives" in result.summary()


def test_scenario_counts_only_customers_whose_latest_answer_is_from():
    frame = pd.concat([scenario_frame(), scenario_frame().iloc[[0]].assign(
        category="passive", answer_month="2024-06", growth=6.0, revenue_at_answer=999.0)],
        ignore_index=True)  # d1 became a passive in June
    row = conversion_scenario(frame, n_boot=20).table.iloc[0]
    assert (row["customers_from"], row["monthly_revenue"]) == (3, 300.0)  # d2, d3, d4
    rates = conversion_scenario(frame, n_boot=20).rates.set_index("category")
    assert rates.loc["detractor", "answers"] == 4  # the rates still use every answer


def test_scenario_bootstrap_is_seeded():
    frame = scenario_frame()
    first = conversion_scenario(frame, n_boot=300, seed=5).table
    again = conversion_scenario(frame, n_boot=300, seed=5).table
    other = conversion_scenario(frame, n_boot=300, seed=6).table
    pd.testing.assert_frame_equal(first, again)
    assert (first["ci_low"].iloc[0], first["ci_high"].iloc[0]) != \
        (other["ci_low"].iloc[0], other["ci_high"].iloc[0])
    # without any spread (same growth, revenue, retention within each category) the
    # bootstrap interval collapses on the estimate
    flat = frame.assign(growth=np.where(frame["category"] == "passive", 6.0, -6.0),
                        retained=True, revenue_at_answer=100.0)
    row = conversion_scenario(flat, n_boot=50).table.iloc[0]
    assert row["ci_low"] == pytest.approx(row["estimate"])
    assert row["ci_high"] == pytest.approx(row["estimate"])


def test_scenario_with_churn_from_survival_and_growth_only():
    frame = scenario_frame()
    churn = pd.DataFrame({"group": ["detractor", "passive"], "at": [12.0, 12.0],
                          "estimate": [20.0, 10.0], "ci_low": [15.0, 6.0],
                          "ci_high": [25.0, 14.0]})
    row = conversion_scenario(frame, churn=churn, horizon_months=1, n_boot=100).table.iloc[0]
    h_d, h_p = -np.log(0.8) / 12, -np.log(0.9) / 12
    expected = 0.1 * 4 * 250 * (np.exp(0.01 - h_p) - np.exp(-0.01 - h_d))
    assert row["estimate"] == pytest.approx(expected)
    growth_only = conversion_scenario(frame, churn=False, horizon_months=1).table.iloc[0]
    assert growth_only["estimate"] == pytest.approx(0.1 * 4 * 250 * (np.exp(0.01)
                                                                        - np.exp(-0.01)))
    assert growth_only["retention_part"] == pytest.approx(0.0)


def test_scenario_errors():
    frame = scenario_frame()
    with pytest.raises(ParameterError, match=r"share must be a number between 0 and 1"):
        conversion_scenario(frame, share=10)
    with pytest.raises(ParameterError, match="share must be above 0"):
        conversion_scenario(frame, share=0)
    with pytest.raises(ParameterError, match=r"to='fan' is not a category"):
        conversion_scenario(frame, to="fan")
    with pytest.raises(ParameterError, match="from_ and to are the same"):
        conversion_scenario(frame, to="detractor")
    with pytest.raises(DataError, match=r"No growth value in the category 'detractor'"):
        conversion_scenario(frame.assign(growth=np.where(frame["category"] == "detractor",
                                                         np.nan, 1.0)))
    with pytest.raises(MissingColumnError, match=r"'revenue_at_answer'.*revenue_windows"):
        conversion_scenario(frame.drop(columns="revenue_at_answer"))
    with pytest.raises(DataError, match=r"no churn share for 'passive'"):
        conversion_scenario(frame, churn=pd.DataFrame({"group": ["detractor"], "at": [12.0],
                                                       "estimate": [20.0], "ci_low": [15.0],
                                                       "ci_high": [25.0]}))


def test_scenario_on_the_sample(sample, windows_default):
    answers, _, customers = sample
    result = conversion_scenario(windows_default, n_boot=300)
    row = result.table.iloc[0]
    table = windows_default.table
    latest = table.sort_values("answer_month", kind="stable").drop_duplicates(
        "customer_id", keep="last")
    assert row["customers_from"] == (latest["category"] == "detractor").sum()
    assert row["customers_from"] < table.loc[table["category"] == "detractor",
                                             "customer_id"].nunique()
    assert 0 < row["ci_low"] < row["estimate"] < row["ci_high"]
    churn = survival.churn_by_category(customers, answers[answers["survey"] == "nps"],
                                       as_of="2024-12-31")
    with_km = conversion_scenario(windows_default, churn=churn, to="promoter", n_boot=300)
    rates = with_km.rates.set_index("category")
    assert (rates["churn_source"] == "Kaplan-Meier churn (survival)").all()
    assert rates.loc["detractor", "monthly_churn"] > rates.loc["promoter", "monthly_churn"]
    assert with_km.table["estimate"].iloc[0] > row["estimate"]  # promoters pay more than passives


# --- caveats ----------------------------------------------------------------------------


def test_caveats_name_causation_keiningham_survivorship_and_selection():
    text = " ".join(CAVEATS)
    assert "not causation" in text
    assert "Keiningham et al. (2007" in text and "Journal of Marketing 71(3)" in text
    assert "Survivorship" in text and "Selection" in text


# --- real data (parameters only) --------------------------------------------------------


@pytest.mark.realdata
def test_garden_centre_ticket_revenue_per_answer():
    # ticket revenue given per answer (no monthly table): revenue_by_category on a plain
    # frame. SOURCE.md's checks (python csv): mean CaTicket promoters 76.18, passives
    # 76.30, detractors 64.32 (hand-computed by the data's curator, not a peer package).
    path = require_shared(REALDATA / "nps_garden_centre" / "nps_utf8.csv")
    data = pd.read_csv(path).dropna(subset=["nps"])
    data["category"] = nps_category(data["nps"])
    table = revenue_by_category(data, outcomes="CaTicket", cluster="id").set_index("category")
    np.testing.assert_allclose(table.loc[["promoter", "passive", "detractor"], "estimate"],
                               [76.18, 76.30, 64.32], atol=0.005)
    row = compare_categories(data, outcomes="CaTicket", cluster="id").iloc[0]
    assert row["ci_low"] < row["difference"] < row["ci_high"]


@pytest.mark.realdata
def test_telco_satisfaction_churn_and_charges():
    # satisfaction 1-5 with churn and monthly charges per customer: categories from the
    # CSAT scale, churn as a 0/1 outcome. SOURCE.md: churn rate 1.0 for scores 1-2, 0.161
    # for 3, 0 for 4-5 (counts 922, 518, 2665, 1789, 1149).
    path = require_shared(REALDATA / "telco_churn_ibm" / "telco_joined.csv")
    data = pd.read_csv(path)
    data["category"] = nps_category(data["Satisfaction Score"], scale="csat_5")
    table = revenue_by_category(data, outcomes=["Churn Value", "Monthly Charge"],
                                cluster=None).set_index(["category", "outcome"])
    churned = table.loc[("not satisfied", "Churn Value"), "estimate"]
    assert churned == pytest.approx(100 * (922 + 518 + 0.161 * 2665) / (922 + 518 + 2665),
                                    abs=0.05)
    assert table.loc[("satisfied", "Churn Value"), "estimate"] == 0.0


def test_answers_with_a_repeated_index_are_handled():
    answers = small_answers()
    doubled = pd.concat([answers.iloc[:5], answers.iloc[5:]])  # index 0-4 then 5-11
    doubled.index = [0] * len(doubled)
    base = revenue_windows(answers, small_revenue(), before=2, after=3)
    again = revenue_windows(doubled, small_revenue(), before=2, after=3)
    pd.testing.assert_frame_equal(base.table, again.table)
    assert len(again.set_aside) == len(base.set_aside)


# --- notebook inputs: read_table, add_categories, recent_revenue, sentences, cards ------


def test_read_table_keeps_na_region_and_renames(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("Customer,Region,Plan Name\nc1,NA,Pro\nc2,,Growth\n", encoding="utf-8")
    table = ct.revenue.read_table(path, columns={"Customer": "customer_id"},
                                  required=["customer_id"])
    assert table.columns.tolist() == ["customer_id", "region", "plan_name"]
    assert table["region"].tolist()[0] == "NA" and pd.isna(table["region"].tolist()[1])


def test_read_table_errors_name_the_column_and_what_to_do(tmp_path):
    path = tmp_path / "revenue.csv"
    path.write_text("cust,month,amount\nc1,2024-01,10\n", encoding="utf-8")
    with pytest.raises(MissingColumnError, match="revenue table.*customer_id.*Map your names"):
        ct.revenue.read_table(path, required=["customer_id"], what="revenue table")
    with pytest.raises(MissingColumnError, match="'Customer'.*Fix the mapping"):
        ct.revenue.read_table(path, columns={"Customer": "customer_id"})
    with pytest.raises(DataError, match="two columns named"):
        ct.revenue.read_table(path, columns={"cust": "amount"})


def test_add_categories_mapping_order_and_counts():
    df = pd.DataFrame({"score": [1, 2, 3, 4, 5, 9, None]})
    out = ct.revenue.add_categories(df, mapping={"1": "dissatisfied", 2: "dissatisfied",
                                                 3: "neutral", 4: "satisfied", 5: "satisfied"})
    assert list(out["category"].cat.categories) == ["dissatisfied", "neutral", "satisfied"]
    assert out["category"].cat.ordered
    assert out.attrs["no_category"] == 2  # 9 is not in the mapping, None has no score
    assert "category" not in df.columns  # input not modified
    with pytest.raises(ParameterError, match="keys must be scores"):
        ct.revenue.add_categories(df, mapping={"low": "x"})
    with pytest.raises(MissingColumnError, match="score"):
        ct.revenue.add_categories(pd.DataFrame({"x": [1]}))
    with pytest.raises(ScaleError, match="not on the nps scale"):
        ct.revenue.add_categories(pd.DataFrame({"score": [11]}))


def test_recent_revenue_by_hand():
    rev = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "c", "c"],
                        "period": ["2024-10", "2024-11", "2024-12", "2024-11", "2024-01",
                                   "2024-12"],
                        "revenue": [10, 20, 30, 5, 100, 1]})
    out = ct.revenue.recent_revenue(rev, months=2)
    # a: 20 + 30 (Oct outside the window); b stopped in Nov (lost); c: only Dec in window
    assert out[["customer_id", "revenue", "months"]].values.tolist() == [["a", 50.0, 2],
                                                                         ["c", 1.0, 1]]
    assert out.attrs == {"first": "2024-11", "last": "2024-12", "last_day": "2024-12-31",
                         "lost": 1}
    with pytest.raises(ParameterError, match="months"):
        ct.revenue.recent_revenue(rev, months=0)


def test_describe_comparison_on_the_sample(windows_default):
    compare = compare_categories(windows_default)
    sentences = ct.revenue.describe_comparison(compare)
    row = compare.iloc[0]
    assert sentences[0].startswith("Growth: promoters ")
    assert f"{row['difference']:+.1f}" in sentences[0]
    assert "significant after Holm correction, adjusted p < 0.001)." in sentences[0]
    assert compare["correction"].unique().tolist() == ["Holm"] and "p=0.0000" not in sentences[0]
    assert "points" in sentences[1]  # retention is a share: percentage points


def test_scenario_counts_only_customers_paying_now():
    # Reviewer's case: a detractor who churned long ago is not one of "today's detractors".
    from csat_toolkit.revenue import conversion_scenario, current_customers
    answers = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
                            "category": ["detractor", "detractor", "passive", "passive"],
                            "responded_at": pd.to_datetime(["2024-01-05"] * 4)})
    rev = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "d"],
                        "period": ["2024-11", "2024-12", "2024-02", "2024-12", "2024-12"],
                        "revenue": [100.0, 120.0, 50.0, 80.0, 90.0]})
    current = current_customers(answers, rev)
    assert current["customer_id"].tolist() == ["a", "c", "d"] and current.attrs["lost"] == 1
    windows = pd.DataFrame({"customer_id": list("abcd"), "category": answers["category"],
                            "growth": [-6.0, -6.0, 6.0, 6.0], "growth_months": 6.0,
                            "retained": [True] * 4, "after_months": 6,
                            "revenue_at_answer": [100.0, 50.0, 80.0, 90.0]})
    result = conversion_scenario(windows, share=1.0, n_boot=20, horizon_months=1, current=current)
    row = result.table.iloc[0]
    assert row["customers_from"] == 1 and row["monthly_revenue"] == 120.0
    # 120 * (exp(0.01) - exp(-0.01)) for the one converted customer
    assert row["estimate"] == pytest.approx(120 * (np.exp(0.01) - np.exp(-0.01)))
    assert any("still paying in the last month" in a for a in result.assumptions)


# --- issue 10: any data, churn from revenue, growth and reading options ------------------


def churn_revenue() -> pd.DataFrame:
    """a pays Jan-Mar; b Jan-Jun; c Jan, no rows Feb-Apr, May-Jun; d Jan-Apr then 0 in May
    and Jun; e only a 0 row (never paid)."""
    months = [f"2024-{m:02d}" for m in range(1, 7)]
    rows = ([("a", m, 10.0) for m in months[:3]] + [("b", m, 5.0) for m in months]
            + [("c", m, 7.0) for m in ("2024-01", "2024-05", "2024-06")]
            + [("d", m, 4.0) for m in months[:4]] + [("d", "2024-05", 0.0), ("d", "2024-06", 0.0)]
            + [("e", "2024-02", 0.0)])
    return pd.DataFrame(rows, columns=["customer_id", "period", "revenue"])


def test_churn_from_revenue_by_hand():
    out = ct.revenue.churn_from_revenue(churn_revenue(), months_without=3).set_index("customer_id")
    # as_of: the last month of the data (2024-06). a: Apr, May, Jun without revenue -> churned at
    # the start of April; c: a gap Feb-Apr followed by revenue again is not churn; d: 0 in May
    # and June counts as without revenue, but 2 months < 3.
    assert out["last_paid_month"].to_dict() == {"a": "2024-03", "b": "2024-06", "c": "2024-06",
                                                "d": "2024-04"}
    assert out["months_without"].to_dict() == {"a": 3, "b": 0, "c": 0, "d": 2}
    assert out["churned"].to_dict() == {"a": True, "b": False, "c": False, "d": False}
    assert out.loc["a", "churned_at"] == pd.Timestamp("2024-04-01")
    assert out[["churned_at"]].drop("a")["churned_at"].isna().all()
    assert out.attrs == {"as_of_month": "2024-06", "rule": 3, "customers": 4, "churned": 1,
                         "never_paid": 1}
    two = ct.revenue.churn_from_revenue(churn_revenue(), months_without=2).set_index("customer_id")
    assert two.loc["d", "churned_at"] == pd.Timestamp("2024-05-01") and two["churned"].sum() == 2


def test_churn_from_revenue_as_of_cuts_the_data_and_a_later_one_is_capped():
    # as_of in May: June rows are not used; a has Apr-May without revenue (2 < 3).
    may = ct.revenue.churn_from_revenue(churn_revenue(), months_without=2, as_of="2024-05-15")
    may = may.set_index("customer_id")
    assert may.attrs["as_of_month"] == "2024-05"
    assert may.loc["a", "churned"] and may.loc["a", "months_without"] == 2
    assert may.loc["b", "last_paid_month"] == "2024-05"
    later = ct.revenue.churn_from_revenue(churn_revenue(), as_of="2025-06-30")
    assert later.attrs["as_of_month"] == "2024-06"  # months after the data are unknown


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "3"])
def test_churn_from_revenue_rejects_bad_months_without(bad):
    with pytest.raises(ParameterError, match="months_without must be a whole number"):
        ct.revenue.churn_from_revenue(churn_revenue(), months_without=bad)


def test_churn_from_revenue_errors_name_the_revenue_columns():
    with pytest.raises(MissingColumnError, match="period"):
        ct.revenue.churn_from_revenue(churn_revenue().drop(columns="period"))
    with pytest.raises(ParameterError, match="as_of must be a date"):
        ct.revenue.churn_from_revenue(churn_revenue(), as_of="soon")


def test_churn_customers_says_where_the_dates_come_from():
    customers = pd.DataFrame({"customer_id": ["a", "b"], "churned_at": [None, "2024-02-01"]})
    table, sentence = ct.revenue.churn_customers(customers, churn_revenue())
    assert table is customers and sentence is None
    assert ct.revenue.churn_customers(customers.drop(columns="churned_at"), None) == (None, None)
    table, sentence = ct.revenue.churn_customers(customers, churn_revenue(), months_without=3)
    assert table["churned"].sum() == 1
    assert "1 of 4 customers churned" in sentence and "never had revenue" in sentence
    assert sentence.endswith("These dates replace the churned_at column of the customers table.")
    table, sentence = ct.revenue.churn_customers(customers, None, months_without=3)
    assert table is None and "needs a revenue table" in sentence


def test_windows_error_names_as_of_and_the_data_end():
    months = pd.period_range("2024-01", "2025-12", freq="M").astype(str)
    revenue = pd.DataFrame({"customer_id": "a", "period": months, "revenue": 100.0})
    answers = pd.DataFrame({"customer_id": ["a"], "responded_at": ["2025-03-10"], "score": [9]})
    with pytest.raises(DataError) as error:
        revenue_windows(answers, revenue, as_of="2024-12-31")
    text = str(error.value)
    assert "Shorten after= (now 6)" in text and "as_of='2024-12-31' ends the data at 2024-12" in text
    assert "runs to 2025-12" in text and "as_of=None" in text
    # Without as_of the cause is the short history: the message shows where the data end.
    late = answers.assign(responded_at="2025-10-10")
    with pytest.raises(DataError, match=r"Shorten after= \(now 6\) \(the revenue data end at "
                                        r"2025-12\)"):
        revenue_windows(late, revenue)
    with pytest.raises(DataError, match=r"no row up to 2023-06 \(as_of='2023-06-30'\).*"
                                        r"as_of=None.*2025-12"):
        revenue_windows(answers, revenue, as_of="2023-06-30")


def test_growth_log_is_the_window_definition_and_named():
    log = revenue_windows(small_answers(), small_revenue(), before=2, after=2, growth="log")
    windows = revenue_windows(small_answers(), small_revenue(), before=2, after=2)
    pd.testing.assert_frame_equal(log.table, windows.table)
    assert log.parameters["growth"] == "windows"
    assert ct.revenue.growth_sentence("log", 3, 6) == (
        'Growth definition (growth="log"): 100 * log(mean monthly revenue in the 6 months '
        "after the answer / in the 3 months before it), answer month excluded.")
    with pytest.raises(ParameterError, match="growth must be one of 'log', 'windows', "
                                             "'endpoints'; got 'linear'"):
        revenue_windows(small_answers(), small_revenue(), growth="linear")
    with pytest.raises(ParameterError, match="growth must be one of"):
        ct.revenue.growth_sentence("mean", 3, 6)


def test_read_table_reads_decimal_commas_and_thousands(tmp_path):
    path = tmp_path / "revenue.csv"
    path.write_text("Customer;Month;Revenue;Plan\nC1;2024-01;1.234,50;Basic\n"
                    "C2;2024-01;80;Pro\nC2;2024-02;-2,5;Pro\n", encoding="utf-8")
    table = ct.revenue.read_table(path, columns={"Customer": "customer_id", "Month": "period"},
                                  decimal=",", thousands=".")
    assert table["revenue"].tolist() == ["1234.50", "80", "-2.5"]
    assert table["plan"].tolist() == ["Basic", "Pro", "Pro"]
    windows_ready = pd.to_numeric(table["revenue"]).tolist()
    assert windows_ready == [1234.5, 80.0, -2.5]
    plain = ct.revenue.read_table(path)  # without the options the text stays as it is
    assert plain["revenue"].tolist() == ["1.234,50", "80", "-2,5"]


def test_read_table_falls_back_when_the_reader_lacks_the_keywords(monkeypatch):
    from csat_toolkit.io import revenue_tables as io

    def old_reader(source, *, encoding, sep, sheet):  # the signature before issue 10
        return source, "DataFrame", None

    monkeypatch.setattr(io, "_read_source", old_reader)
    raw = pd.DataFrame({"customer_id": ["1.001", "2.002"], "revenue": ["1.234,5", "7"],
                        "plan": ["B", "1,5"]})
    out = ct.revenue.read_table(raw, decimal=",", thousands=".")
    assert out["revenue"].tolist() == ["1234.5", "7"]
    assert out["customer_id"].tolist() == ["1.001", "2.002"]  # ids are left alone
    assert out["plan"].tolist() == ["B", "1,5"]  # not every cell a number: left alone


def test_read_table_reads_a_named_excel_sheet(tmp_path):
    path = tmp_path / "revenue.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["x"]}).to_excel(writer, sheet_name="Notes", index=False)
        pd.DataFrame({"customer_id": ["C1"], "period": ["2024-01"], "revenue": [12.5]}).to_excel(
            writer, sheet_name="Revenue", index=False)
    table = ct.revenue.read_table(path, sheet="Revenue", required=["customer_id", "revenue"])
    assert table["customer_id"].tolist() == ["C1"] and float(table["revenue"].iloc[0]) == 12.5
    first = ct.revenue.read_table(path)  # no sheet: the first one
    assert first.columns.tolist() == ["note"]


@pytest.mark.parametrize("options, message", [
    ({"decimal": "ab"}, "decimal must be one character"),
    ({"decimal": ",", "thousands": ","}, "decimal and thousands are both ','"),
    ({"decimal": ",", "sep": ","}, "sep=',' is also the decimal mark"),
    ({"thousands": "1"}, "thousands must be one character"),
])
def test_read_table_bad_number_marks(options, message):
    with pytest.raises(ParameterError, match=message):
        ct.revenue.read_table(small_revenue(), **options)


def test_read_inputs_reads_both_tables_with_one_set_of_options(tmp_path):
    (tmp_path / "rev.csv").write_text("customer_id;period;revenue\nC1;2024-01;1,5\n",
                                      encoding="utf-8")
    (tmp_path / "cust.csv").write_text("customer_id;size\nC1;2,25\n", encoding="utf-8")
    revenue, customers, notes = ct.revenue.read_inputs(
        tmp_path / "rev.csv", tmp_path / "cust.csv", options={"decimal": ",", "sep": ";"})
    assert revenue["revenue"].tolist() == ["1.5"] and customers["size"].tolist() == ["2.25"]
    assert notes == ["Revenue table: 1 customer-months of 1 customers.",
                     "Customer table: 1 customers."]
    assert ct.revenue.read_inputs(None, "") == (None, None, [])
    with pytest.raises(ParameterError, match="unknown option 'decimals' \\(did you mean "
                                             "'decimal'\\?\\)"):
        ct.revenue.read_inputs(tmp_path / "rev.csv", None, options={"decimals": ","})


def many_segment_data(levels: int):
    """Two quarters of answers and revenue for 4 * levels customers in ``levels`` shops."""
    ids = [f"c{i}" for i in range(4 * levels)]
    shops = {c: f"shop{i % levels:05d}" for i, c in enumerate(ids)}
    months = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    revenue = pd.DataFrame([(c, m, 100.0 + j * (i % 7)) for i, c in enumerate(ids)
                            for j, m in enumerate(months)],
                           columns=["customer_id", "period", "revenue"])
    answers = pd.DataFrame({"customer_id": ids * 2,
                            "responded_at": ["2024-02-10"] * len(ids) + ["2024-05-10"] * len(ids),
                            "score": ([10, 3, 8, 9] * levels) * 2})
    # The first shop gets extra answers so that it is the largest.
    answers = pd.concat([answers, answers[answers["customer_id"] == "c0"]], ignore_index=True)
    customers = pd.DataFrame({"customer_id": ids, "shop": [shops[c] for c in ids]})
    return answers, revenue, customers


def test_segment_link_pools_many_segments_into_other():
    answers, revenue, customers = many_segment_data(300)
    link = segment_period_link(answers, revenue, segments=["shop"], customers=customers,
                               lags=(0,), max_segments=5)
    labels = link.panel["segment_label"].unique().tolist()
    assert len(labels) == 6 and "(other)" in labels and "shop00000" in labels
    other = link.panel[link.panel["segment_label"] == "(other)"]
    # 295 shops of 4 customers pooled: 1,180 answers a quarter, revenue added up.
    assert other["n"].tolist() == [1180, 1180]
    pooled = customers.loc[~customers["shop"].isin(labels), "customer_id"]
    first = revenue[revenue["customer_id"].isin(pooled) & revenue["period"].le("2024-03")]
    assert other["revenue"].iloc[0] == pytest.approx(first["revenue"].sum())
    assert link.warnings[0] == ("295 of 300 segments (2,360 answers) are pooled as '(other)': "
                                "only the 5 segments with the most answers are kept apart "
                                "(max_segments).")
    assert link.parameters["max_segments"] == 5
    kept = segment_period_link(answers, revenue, segments=["shop"], customers=customers,
                               lags=(0,), max_segments=None)
    assert kept.panel["segment_label"].nunique() == 300
    with pytest.raises(ParameterError, match="max_segments must be a whole number of at least 2"):
        segment_period_link(answers, revenue, segments=["shop"], customers=customers,
                            max_segments=1)

















@pytest.mark.slow
def test_segment_link_with_100000_segment_values_stays_bounded():
    n = 100_000
    rng = np.random.default_rng(1)
    ids = np.array([f"c{i}" for i in range(n)])
    shops = np.array([f"s{i:06d}" for i in range(n)])
    answers = pd.DataFrame({"customer_id": ids, "responded_at": "2024-02-10",
                            "score": rng.integers(0, 11, n), "shop": shops})
    answers = pd.concat([answers, answers.iloc[:10].assign(responded_at="2024-05-10"),
                         answers.assign(responded_at="2024-05-11")], ignore_index=True)
    months = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    revenue = pd.DataFrame({"customer_id": np.repeat(ids, 6), "shop": np.repeat(shops, 6),
                            "period": np.tile(months, n), "revenue": 100 + rng.random(6 * n)})
    link = segment_period_link(answers, revenue, segments=["shop"], lags=(0,))
    labels = link.panel["segment_label"].unique().tolist()
    # The ten shops with three answers, then forty more in label order, then the rest pooled.
    assert len(labels) == 51 and {f"s{i:06d}" for i in range(50)} | {"(other)"} == set(labels)
    assert link.warnings[0].startswith("99,950 of 100,000 segments (199,900 answers) are pooled")
    other = link.panel[link.panel["segment_label"] == "(other)"]
    assert other["n"].tolist() == [99_950, 99_950]


# --- wording and results in JupyterLab (issue 13) ----------------------------------------


def test_describe_comparison_wording_without_correction_and_with_small_groups():
    # The docstring's frame: 4 promoters at 6.0 on average against 4 detractors at -1.0.
    df = pd.DataFrame({"category": ["promoter"] * 4 + ["detractor"] * 4,
                       "growth": [5.0, 7.0, 6.0, 6.0, -2.0, 0.0, -1.0, -1.0]})
    plain = ct.revenue.describe_comparison(compare_categories(df, cluster=None, min_n=2,
                                                              correction="none"))[0]
    assert plain.endswith("n=4 and 4; significant without correction, p < 0.001).")
    small = ct.revenue.describe_comparison(compare_categories(df, cluster=None, min_n=5))[0]
    assert "not significant after Holm correction (too few answers in a group), adjusted p " \
        in small and "min_n" not in small


def _revenue_html_checks(result, *headers):
    out = result._repr_html_()
    assert html.escape(result.summary()) in out
    assert all(f">{h}<" in out for h in headers), [h for h in headers if f">{h}<" not in out]
    assert all(html.escape(w) in out for w in getattr(result, "warnings", []))
    return out


def test_revenue_results_show_in_jupyter():
    answers, customers, revenue = account_data()
    customers = customers.assign(account_id=customers["account_id"].replace("A1", "<b>A1</b>"))
    answers = answers.assign(customer_id=answers["customer_id"].replace("c1", "<b>c1</b>"))
    accounts = account_rollup(answers, customers, revenue, min_n=2)
    out = _revenue_html_checks(accounts, "Weighting", "Effective n", "95% CI")
    assert html.escape(COVERAGE_CONTEXT) in out
    assert "<b>" not in out  # the overall table holds no account names; the sentence none
    windows = revenue_windows(small_answers(), small_revenue(), before=1, after=2)
    out = _revenue_html_checks(windows, "Item", "Rows")
    assert f"Method: Growth = {html.escape(windows.method)}" in out
    answers, revenue = link_data(segments=6, quarters=3)
    link = segment_period_link(answers, revenue, segments=["region"], lags=(0,))
    _revenue_html_checks(link, "Lag", "Term", "Segments")
    assert link.warnings  # few periods: the warnings are shown (checked above)


def test_transitions_and_scenario_show_in_jupyter():
    answers = pd.DataFrame({"customer_id": ["a", "a", "b", "b"],
                            "responded_at": ["2024-03-10", "2024-06-10"] * 2,
                            "score": [3, 9, 8, 2]})
    moved = category_transitions(answers, min_n=1)
    out = _revenue_html_checks(moved, "From", "To", "Share (%)")
    scenario = conversion_scenario(scenario_frame(), share=0.5, horizon_months=12, n_boot=200)
    out = _revenue_html_checks(scenario, "From", "To")
    assert all(html.escape(s) in out for s in [*scenario.assumptions, *scenario.caveats])
