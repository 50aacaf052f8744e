"""Tests of csat_toolkit.agents: empirical-Bayes shrinkage and funnel plots."""
from __future__ import annotations

import html
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from csat_toolkit import agents
from csat_toolkit.agents import (
    BetaPrior,
    fit_beta_binomial,
    funnel_limits,
    funnel_table,
    overdispersion,
    shrunken_rates,
)
from csat_toolkit.errors import DataError, MissingColumnError, ParameterError

# Rat tumour data: 71 historical experiments, y rats with a tumour out of n (Tarone 1982),
# Gelman et al., Bayesian Data Analysis, 3rd ed., Table 5.1
# (http://www.stat.columbia.edu/~gelman/book/data/rats.asc), in the order of the table.
RATS_Y = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 3, 2, 2, 2, 2,
          2, 2, 2, 2, 2, 1, 5, 2, 5, 2, 7, 7, 3, 3, 2, 9, 10, 4, 4, 4, 4, 4, 4, 4, 10, 4, 4,
          4, 5, 11, 12, 5, 5, 6, 5, 6, 6, 6, 6, 16, 15, 15, 9, 4]
RATS_N = [20, 20, 20, 20, 20, 20, 20, 19, 19, 19, 19, 18, 18, 17, 20, 20, 20, 20, 19, 19,
          18, 18, 27, 25, 24, 23, 20, 20, 20, 20, 20, 20, 10, 49, 19, 46, 17, 49, 47, 20, 20,
          13, 48, 50, 20, 20, 20, 20, 20, 20, 20, 48, 19, 19, 19, 22, 46, 49, 20, 20, 23, 19,
          22, 20, 20, 20, 52, 46, 47, 24, 14]


def counts_frame(x, n, name="agent"):
    return pd.DataFrame({name: [f"G{i:02d}" for i in range(len(x))], "satisfied": x, "n": n})


def rows_frame(x, n, name="agent"):
    """One row per answer (satisfied 0/1) from counts."""
    groups, outcome = [], []
    for i, (xi, ni) in enumerate(zip(x, n)):
        groups += [f"G{i:02d}"] * ni
        outcome += [1] * xi + [0] * (ni - xi)
    return pd.DataFrame({name: groups, "satisfied": outcome})


@pytest.fixture(scope="module")
def sample(sample_responses):
    return sample_responses.data


@pytest.fixture(scope="module")
def sample_result(sample):
    return shrunken_rates(sample, "agent")


# --- the prior: published maximum-likelihood fit -----------------------------------------


def test_rat_tumour_prior_matches_published_marginal_mle():
    # Published: Soren (fractalleaf), "Introduction to empirical Bayes (with rat tumour
    # example)", 2019, notebook github.com/fractalleaf/Bayesian-data-analysis/blob/master/
    # empirical_Bayes_rat_tumour1.ipynb: scipy.optimize.minimize(-sum log betabinom pmf,
    # [2, 2], method="Nelder-Mead") on BDA3 Table 5.1 prints
    # "Estimated alpha parameter = 2.3416074415106394", "beta = 14.114759575657441",
    # and the text gives the prior mean 0.142 and "sample size" alpha + beta = 16.5.
    prior = fit_beta_binomial(RATS_Y, RATS_N)
    assert prior.alpha == pytest.approx(2.3416074415106394, rel=1e-4)
    assert prior.beta == pytest.approx(14.114759575657441, rel=1e-4)
    assert round(prior.mean / 100, 3) == 0.142
    assert round(prior.precision, 1) == 16.5
    assert not prior.at_bound and prior.converged
    # the rats clearly differ more than binomial sampling (BDA3 section 5.1)
    assert prior.p_value < 1e-6


def test_rat_tumour_is_a_maximum():
    prior = fit_beta_binomial(RATS_Y, RATS_N)
    best = np.sum(st.betabinom.logpmf(RATS_Y, RATS_N, prior.alpha, prior.beta))
    assert prior.loglik == pytest.approx(best)
    for da, db in [(0.01, 0), (-0.01, 0), (0, 0.05), (0, -0.05), (0.01, 0.05)]:
        other = np.sum(st.betabinom.logpmf(RATS_Y, RATS_N, prior.alpha + da, prior.beta + db))
        assert other < best


def test_rat_tumour_through_shrunken_rates():
    # The same fit from aggregated counts and from one row per rat.
    by_counts = shrunken_rates(counts_frame(RATS_Y, RATS_N), count="n", min_n=0)
    by_rows = shrunken_rates(rows_frame(RATS_Y, RATS_N), min_n=0)
    pd.testing.assert_frame_equal(by_counts.table, by_rows.table)
    assert by_counts.prior.alpha == pytest.approx(2.3416074415106394, rel=1e-4)
    # experiment 71 (4 of 14): posterior Beta(alpha + 4, beta + 10), computed by hand
    row = by_counts.table.set_index("agent").loc["G70"]
    a, b = by_counts.prior.alpha + 4, by_counts.prior.beta + 10
    assert row["estimate"] == pytest.approx(100 * a / (a + b))
    assert row["shrinkage"] == pytest.approx((a + b - 14) / (a + b))


# --- the posterior with a fixed prior, by hand ---------------------------------------------


def test_posterior_by_hand_uniform_prior():
    # Prior Beta(1, 1). Group A: 2 of 2 -> Beta(3, 1), cdf t^3; group B: 0 of 2 ->
    # Beta(1, 3), cdf 1 - (1 - t)^3. Overall rate 2/4 = 0.5.
    data = pd.DataFrame({"agent": ["A", "B"], "satisfied": [2, 0], "n": [2, 2]})
    result = shrunken_rates(data, count="n", prior=(1, 1), min_n=0)
    table = result.table.set_index("agent")
    a, b = table.loc["A"], table.loc["B"]
    assert a["estimate"] == pytest.approx(75.0) and b["estimate"] == pytest.approx(25.0)
    assert a["ci_low"] == pytest.approx(100 * 0.025 ** (1 / 3))
    assert a["ci_high"] == pytest.approx(100 * 0.975 ** (1 / 3))
    assert b["ci_low"] == pytest.approx(100 * (1 - 0.975 ** (1 / 3)))
    assert b["ci_high"] == pytest.approx(100 * (1 - 0.025 ** (1 / 3)))
    assert a["prob_above_average"] == pytest.approx(1 - 0.5**3)
    assert b["prob_above_average"] == pytest.approx(0.5**3)
    assert a["shrinkage"] == pytest.approx(0.5)  # (1 + 1) / (1 + 1 + 2)
    assert result.overall == 50.0
    assert list(table["rank"]) == [1, 2]


def test_posterior_by_hand_informative_prior():
    # Prior Beta(8, 2) (mean 80%, worth 10 answers); 3 of 10 satisfied -> Beta(11, 9):
    # mean 11/20 = 55% = 0.5 * 80% + 0.5 * 30%.
    data = pd.DataFrame({"agent": ["A", "B"], "satisfied": [3, 90], "n": [10, 100]})
    result = shrunken_rates(data, count="n", prior=BetaPrior(8, 2, 80.0, 10.0), conf=0.9,
                            min_n=0)
    row = result.table.set_index("agent").loc["A"]
    assert row["estimate"] == pytest.approx(55.0)
    assert row["shrinkage"] == pytest.approx(0.5)
    assert row["raw"] == pytest.approx(30.0)
    assert row["ci_low"] == pytest.approx(100 * st.beta.ppf(0.05, 11, 9))
    assert row["ci_high"] == pytest.approx(100 * st.beta.ppf(0.95, 11, 9))
    # raw Wilson interval of 3/10 at 90%: centre (0.3 + z^2/20) / (1 + z^2/10) ...
    z = st.norm.ppf(0.95)
    centre = (0.3 + z**2 / 20) / (1 + z**2 / 10)
    half = z / (1 + z**2 / 10) * np.sqrt(0.3 * 0.7 / 10 + z**2 / 400)
    assert row["raw_ci_low"] == pytest.approx(100 * (centre - half))
    assert row["raw_ci_high"] == pytest.approx(100 * (centre + half))
    assert row["conf"] == 0.9


def test_shrinkage_identity_and_columns():
    result = shrunken_rates(counts_frame([2, 8, 5, 9, 30], [20, 20, 20, 20, 60]), count="n",
                            min_n=0)
    t = result.table
    assert list(t.columns) == [
        "agent", "n", "satisfied", "raw", "raw_ci_low", "raw_ci_high", "estimate", "ci_low",
        "ci_high", "shrinkage", "prob_above_average", "small_n", "rank", "vs_overall", "conf",
        "method"]
    w = t["shrinkage"]
    assert np.allclose(t["estimate"], w * result.prior.mean + (1 - w) * t["raw"])
    assert (t["ci_low"] <= t["estimate"]).all() and (t["estimate"] <= t["ci_high"]).all()
    assert "beta-binomial" in t["method"].iloc[0]


# --- the sample data ---------------------------------------------------------------------


def test_sample_best_and_worst_agent(sample_result):
    table = sample_result.table
    ranked = table[table["rank"].notna()]
    assert ranked.iloc[0]["agent"] == "Agent 07"  # true logit +0.9
    assert ranked.iloc[-1]["agent"] == "Agent 18"  # true logit -0.9
    assert table.loc[table["estimate"].idxmax(), "agent"] == "Agent 07"
    assert table.loc[table["estimate"].idxmin(), "agent"] == "Agent 18"
    by_agent = table.set_index("agent")
    assert by_agent.loc["Agent 07", "vs_overall"] == "above"
    assert by_agent.loc["Agent 18", "vs_overall"] == "below"
    assert sample_result.overall == pytest.approx(74.1, abs=0.05)  # sample README: 74.1%
    assert sample_result.set_aside.empty


def test_sample_small_agents_not_ranked(sample, sample_result):
    # Agent 24 has 40 answers, Agent 25 has 29 (sample README): with min_n=30 only
    # Agent 25 is unranked; with min_n=50 both are, and both are listed last.
    table = sample_result.table.set_index("agent")
    assert table.loc["Agent 25", "n"] == 29 and table.loc["Agent 24", "n"] == 40
    assert pd.isna(table.loc["Agent 25", "rank"]) and bool(table.loc["Agent 25", "small_n"])
    assert not pd.isna(table.loc["Agent 24", "rank"])
    assert sample_result.table["agent"].iloc[-1] == "Agent 25"
    stricter = shrunken_rates(sample, "agent", min_n=50).table
    assert stricter["agent"].iloc[-2:].tolist() == ["Agent 24", "Agent 25"]
    assert stricter["rank"].iloc[-2:].isna().all()
    assert stricter["rank"].dropna().tolist() == list(range(1, 24))
    assert "Not ranked (fewer than 30 answers): Agent 25 (n=29)" in sample_result.summary()


def test_sample_small_agents_move_toward_overall(sample_result):
    table = sample_result.table.set_index("agent")
    overall = sample_result.overall
    moved = (table["estimate"] - overall).abs() <= (table["raw"] - overall).abs()
    assert moved.all()
    for small in ("Agent 24", "Agent 25"):  # raw 67.5% and 65.5%, pulled far up
        assert table.loc[small, "shrinkage"] > 0.6
        assert table.loc[small, "estimate"] - table.loc[small, "raw"] > 4
    big = table[table["n"] > 500]
    assert (big["shrinkage"] < 0.2).all()


def test_sample_summary(sample_result):
    text = sample_result.summary()
    assert "Highest: Agent 07" in text and "lowest: Agent 18" in text
    assert "Overall rate 74.1%" in text


def test_deterministic_and_input_not_modified(sample):
    before = sample.copy()
    first = shrunken_rates(sample, "agent")
    second = shrunken_rates(sample, "agent")
    pd.testing.assert_frame_equal(first.table, second.table)
    assert first.prior == second.prior
    pd.testing.assert_frame_equal(sample, before)


def test_no_warnings_escape(sample):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = shrunken_rates(sample, ["team", "agent"])
        funnel_table(result, adjust_overdispersion=True)
        shrunken_rates(counts_frame([0, 20], [20, 20]), count="n", min_n=0)
        shrunken_rates(counts_frame([10, 10, 10], [20, 20, 20]), count="n")
        shrunken_rates(counts_frame([50000, 50500, 49000], [10**5] * 3), count="n")
    assert result.table.columns[:2].tolist() == ["team", "agent"]


# --- input forms and accounting ------------------------------------------------------------


def test_outcome_column_equals_score_rule(sample):
    csat = sample[sample["survey"] == "csat"]
    from_scores = shrunken_rates(csat, "agent").table
    with_column = csat.assign(satisfied=(csat["score"] >= 4).astype(int))
    from_column = shrunken_rates(with_column, "agent").table
    pd.testing.assert_frame_equal(from_scores, from_column)
    as_bool = csat.assign(satisfied=csat["score"] >= 4)
    pd.testing.assert_frame_equal(from_scores, shrunken_rates(as_bool, "agent").table)


def test_scale_threshold_changes_successes():
    data = pd.DataFrame({"agent": ["A"] * 4 + ["B"] * 4, "score": [5, 4, 4, 1, 5, 5, 3, 2]})
    default = shrunken_rates(data, min_n=0).table.set_index("agent")["satisfied"].to_dict()
    top_box = shrunken_rates(data, min_n=0, scale=agents.get_scale("csat_5").with_thresholds(5))
    assert default == {"A": 3, "B": 2}
    assert top_box.table.set_index("agent")["satisfied"].to_dict() == {"A": 1, "B": 2}


def test_rows_with_problems_are_set_aside_and_counted():
    data = pd.DataFrame({
        "survey": ["csat"] * 9 + ["nps"],
        "agent": ["A", "A", "A", "B", "B", "B", None, "A", "B", None],
        "score": [5, 4, 1, 5, 2, 2, 5, np.nan, 9, 10],
    })
    result = shrunken_rates(data, min_n=0)
    reasons = dict(result.set_aside.itertuples(index=False))
    assert reasons == {"missing score": 1, "score not on the csat_5 scale": 1,
                       "missing agent": 1}
    assert result.table.set_index("agent")["n"].to_dict() == {"A": 3, "B": 3}


def test_outcome_not_binary_is_set_aside():
    data = pd.DataFrame({"agent": list("AAABBB") + ["A"], "ok": [1, 0, 1, 0, 0, 1, 2]})
    data.loc[len(data)] = ["B", np.nan]
    result = shrunken_rates(data, outcome="ok", min_n=0)
    assert dict(result.set_aside.itertuples(index=False)) == {"missing ok": 1, "ok not 0/1": 1}
    assert result.table["n"].sum() == 6


# --- between-group variation zero ----------------------------------------------------------


def test_identical_groups_are_all_shrunk_to_overall():
    result = shrunken_rates(counts_frame([15, 15, 15, 15], [20, 20, 20, 20]), count="n",
                            min_n=0)
    assert result.prior.at_bound and result.prior.p_value == 1.0
    assert np.allclose(result.table["estimate"], 75.0)
    assert (result.table["shrinkage"] > 0.999).all()
    assert (result.table["vs_overall"] == "not distinguishable").all()
    assert "all groups are shrunk to the overall rate 75.0%" in result.summary()


# --- errors ------------------------------------------------------------------------------


def test_missing_by_column(sample):
    with pytest.raises(MissingColumnError, match=r"'agnet' not found.*by='agent'"):
        shrunken_rates(sample, "agnet")


def test_no_groups():
    data = pd.DataFrame({"agent": [None, None], "score": [5, 4]})
    with pytest.raises(DataError, match=r"No groups to compare.*missing agent \(2\)"):
        shrunken_rates(data)


def test_single_group():
    data = pd.DataFrame({"agent": ["A"] * 5, "score": [5, 4, 1, 5, 5]})
    with pytest.raises(DataError, match=r"Only one group \(A\).*at least two"):
        shrunken_rates(data)
    # with a given prior a single group is fine
    assert len(shrunken_rates(data, prior=(8, 2), min_n=0).table) == 1


def test_group_with_no_answers():
    data = counts_frame([3, 0], [10, 0])
    with pytest.raises(DataError, match=r"without answers \(n = 0\): 'G01'.*Drop them"):
        shrunken_rates(data, count="n")
    with pytest.raises(DataError, match=r"no answers \(n = 0\)"):
        fit_beta_binomial([3, 0], [10, 0])


def test_every_answer_same_outcome():
    with pytest.raises(DataError, match=r"all of 30 satisfied.*nothing to shrink"):
        shrunken_rates(counts_frame([10, 20], [10, 20]), count="n")


def test_bad_parameters(sample):
    with pytest.raises(ParameterError, match="Unknown method 'raw'"):
        shrunken_rates(sample, method="raw")
    with pytest.raises(ParameterError, match="conf must be between 0 and 1"):
        shrunken_rates(sample, conf=95)
    with pytest.raises(ParameterError, match="min_n must be a whole number"):
        shrunken_rates(sample, min_n=-1)
    with pytest.raises(ParameterError, match=r"prior must be a BetaPrior or two positive"):
        shrunken_rates(sample, prior=(0, 1))
    with pytest.raises(ParameterError, match="by='agent'"):
        shrunken_rates(sample, by=[])


def test_bad_counts():
    with pytest.raises(DataError, match=r"0 <= satisfied <= n; found \(satisfied, n\) = \(12.0, 10.0\)"):
        fit_beta_binomial([12, 3], [10, 10])
    data = counts_frame([12, 3, 4], [10, 10, 10])
    result = shrunken_rates(data, count="n", min_n=0)  # rows: set aside, counted
    assert result.set_aside["rows"].tolist() == [1]
    assert "counts not whole numbers" in result.set_aside["reason"].iloc[0]
    with pytest.raises(MissingColumnError, match="'trials' not found"):
        shrunken_rates(data, count="trials")


def test_no_outcome_and_no_score():
    with pytest.raises(MissingColumnError, match=r"No 'satisfied' column and no 'score'"):
        shrunken_rates(pd.DataFrame({"agent": ["A", "B"]}))


# --- funnel limits -------------------------------------------------------------------------


def test_exact_limits_by_hand():
    # n = 10, p0 = 0.5, 95%: lower r_p = 2 (P(R<=2) = 56/1024), a = (56/1024 - 0.025) /
    # (45/1024) = 0.675556, limit (2 - a)/10 = 0.1324444 (Spiegelhalter 2005, A.1.1); the
    # upper limit is the mirror image 0.8675556.
    limits = funnel_limits(0.5, 10, levels=[0.95])
    row = limits[limits["n"] == 10].iloc[0]
    a = (56 / 1024 - 0.025) / (45 / 1024)
    assert row["low"] == pytest.approx(100 * (2 - a) / 10)
    assert row["high"] == pytest.approx(100 - 100 * (2 - a) / 10)
    assert limits["n"].tolist() == list(range(1, 11))
    assert list(limits.columns) == ["n", "level", "low", "high", "method"]
    assert "Spiegelhalter" in limits["method"].iloc[0]


def test_normal_limits_by_hand():
    limits = funnel_limits(0.8, 400, levels=(0.95, 0.998), method="normal", n_points=400)
    at = limits[limits["n"] == 100].set_index("level")
    se = np.sqrt(0.8 * 0.2 / 100)
    assert at.loc[0.95, "low"] == pytest.approx(100 * (0.8 - 1.959964 * se), abs=1e-4)
    assert at.loc[0.998, "high"] == pytest.approx(100 * (0.8 + 3.090232 * se), abs=1e-4)
    wider = funnel_limits(0.8, 400, levels=[0.95], method="normal", phi=4.0, n_points=400)
    w = wider[wider["n"] == 100].iloc[0]
    assert w["high"] - 80 == pytest.approx(2 * (at.loc[0.95, "high"] - 80))
    assert "phi = 4" in w["method"]


@pytest.mark.parametrize("p0", [0.07, 0.5, 0.74, 0.93])
@pytest.mark.parametrize("n", [1, 3, 17, 60, 250])
def test_exact_limits_agree_with_exact_binomial_test(p0, n):
    # A count lies outside the exact limits exactly when its one-sided binomial p-value
    # is below the tail probability.
    for level in (0.95, 0.998):
        tail = (1 - level) / 2
        limits = funnel_limits(p0, n, levels=[level], n_points=2 * n + 2)
        row = limits[limits["n"] == n].iloc[0]
        r = np.arange(n + 1)
        below = 100 * r / n < row["low"]
        above = 100 * r / n > row["high"]
        assert (below == (st.binom.cdf(r, n, p0) < tail)).all()
        assert (above == (st.binom.sf(r - 1, n, p0) < tail)).all()


def test_funnel_grid():
    limits = funnel_limits(0.7, 5000, n_points=50)
    assert limits["n"].min() == 1 and limits["n"].max() == 5000
    assert limits.groupby("level").size().tolist() == [len(limits) // 2] * 2
    narrow = limits[limits["level"] == 0.95].set_index("n")
    wide = limits[limits["level"] == 0.998].set_index("n")
    assert (wide["low"] <= narrow["low"]).all() and (wide["high"] >= narrow["high"]).all()
    big = narrow.loc[5000]
    assert 68.5 < big["low"] < 70 < big["high"] < 71.5


def test_funnel_limit_errors():
    with pytest.raises(ParameterError, match=r"74% is 0.74"):
        funnel_limits(74, 100)
    with pytest.raises(ParameterError, match=r"levels must be coverage levels"):
        funnel_limits(0.7, 100, levels=(95,))
    with pytest.raises(ParameterError, match="use 'exact' or 'normal'"):
        funnel_limits(0.7, 100, method="poisson")
    with pytest.raises(ParameterError, match="n_max must be"):
        funnel_limits(0.7, 0)
    with pytest.raises(ParameterError, match="phi must be a positive"):
        funnel_limits(0.7, 10, phi=0)


# --- over-dispersion and the funnel table ------------------------------------------------


def test_overdispersion_by_hand():
    # rates 0.2, 0.4, 0.6 of 50, p0 = 0.4: z = (+-0.2) / sqrt(0.24/50) = +-2.8868, 0
    # phi = (8.3333 + 0 + 8.3333) / 3 = 5.5556; statistic 16.667 on 2 df.
    out = overdispersion([10, 20, 30], [50, 50, 50], trim=0)
    assert out["phi"] == pytest.approx(50 / 9)
    assert out["statistic"] == pytest.approx(50 / 3)
    assert out["df"] == 2 and out["p_value"] == pytest.approx(st.chi2.sf(50 / 3, 2))
    given = overdispersion([10, 20, 30], [50, 50, 50], 0.5, trim=0)
    assert given["df"] == 3
    # Winsorising 10% of 11 groups: the extreme z-scores are pulled in to the
    # 10% / 90% quantiles (numpy's linear interpolation).
    x = np.array([1, 5, 6, 5, 4, 5, 6, 5, 4, 5, 10])
    n = np.full(11, 10)
    z = (x / 10 - 0.5) / np.sqrt(0.25 / 10)
    lo, hi = np.quantile(z, [0.1, 0.9])
    assert overdispersion(x, n, 0.5)["phi"] == pytest.approx(np.mean(np.clip(z, lo, hi) ** 2))
    with pytest.raises(ParameterError, match="trim must be between"):
        overdispersion(x, n, trim=0.6)


def test_funnel_table_sample(sample_result):
    table = funnel_table(sample_result).set_index("agent")
    flagged = set(table.index[table["outside_99_8"]])
    assert flagged == {"Agent 07", "Agent 18"}
    assert table.loc["Agent 07", "z"] > 3 and table.loc["Agent 18", "z"] < -3
    assert not table["phi_applied"].any()
    # The two true outliers make the raw dispersion large; Winsorising keeps phi near 1.
    assert table["phi"].iloc[0] < 1.5
    wide = funnel_table(sample_result, adjust_overdispersion=True).set_index("agent")
    assert wide["phi_applied"].all()
    assert (wide["high_95"] >= table["high_95"]).all()
    assert {"Agent 07", "Agent 18"} <= set(wide.index[wide["outside_99_8"]])
    expected = ["n", "satisfied", "raw", "expected", "z", "low_95", "high_95", "outside_95",
                "low_99_8", "high_99_8", "outside_99_8", "phi", "phi_p_value", "phi_applied",
                "method"]
    assert list(table.columns) == expected


def test_funnel_table_limits_match_funnel_limits(sample_result):
    table = funnel_table(sample_result, levels=[0.9]).set_index("agent")
    n = int(table.loc["Agent 25", "n"])
    limits = funnel_limits(sample_result.overall / 100, n, levels=[0.9], n_points=n + 1)
    row = limits[limits["n"] == n].iloc[0]
    assert table.loc["Agent 25", "low_90"] == pytest.approx(row["low"])
    assert table.loc["Agent 25", "high_90"] == pytest.approx(row["high"])


def test_funnel_table_errors():
    with pytest.raises(ParameterError, match="result of shrunken_rates"):
        funnel_table(pd.DataFrame())


def test_only_the_truly_different_agents_are_flagged(sample):
    # data/sample/README.md effect 3: only Agent 07 (+0.9) and Agent 18 (-0.9) differ. With
    # 25 agents the flags use a Bonferroni-adjusted interval, so chance flags none of the rest.
    table = agents.shrunken_rates(sample, by="agent").table
    flagged = table[table["vs_overall"] != "not distinguishable"]
    assert dict(zip(flagged["agent"], flagged["vs_overall"])) == {"Agent 07": "above",
                                                                  "Agent 18": "below"}


# --- issue 10: any number of agents, a single agent --------------------------------------

def _many(levels=100_000, seed=3):
    rng = np.random.default_rng(seed)
    n = rng.integers(1, 5, levels)
    n[:3] = [400, 300, 200]
    return pd.DataFrame({"agent": [f"A{i:06d}" for i in range(levels)], "n": n,
                         "satisfied": rng.binomial(n, 0.8)})


def test_shown_groups_bounds_a_hundred_thousand_agents():
    result = agents.shrunken_rates(_many(), count="n", outcome="satisfied", min_n=30)
    rows, sentence = agents.shown_groups(result.table, limit=25, noun="agents")
    assert len(rows) == 25
    flagged = result.table[result.table["vs_overall"].isin(["above", "below"])]
    assert set(flagged["agent"].head(25)) <= set(rows["agent"])
    assert {"A000000", "A000001", "A000002"} <= set(rows["agent"])  # the largest
    assert sentence.startswith("Showing 25 of 100,000 agents") and "99,975 are left out" in sentence
    assert list(rows.index) == sorted(rows.index)  # the table's order is kept
    # The summary names ten groups that are not ranked and counts the rest.
    assert "and 99,987 more." in result.summary() and len(result.summary()) < 2000
    few = result.table.head(3)
    assert agents.shown_groups(few, limit=5) == (few, None)
    with pytest.raises(ParameterError, match="limit must be"):
        agents.shown_groups(few, limit=0)
    with pytest.raises(MissingColumnError, match="shown_groups needs the column 'n'"):
        agents.shown_groups(few.drop(columns="n"))


def test_fair_comparison_skips_with_a_sentence():
    one = pd.DataFrame({"agent": ["A"] * 40, "score": [5, 2] * 20})
    assert agents.fair_comparison(one, "agent") == (None, (
        "Column 'agent' has one value only in the answers ('A'): nobody to compare with, the "
        "comparison by agent is skipped."))
    result, why = agents.fair_comparison(one, "agnt", where="the tickets")
    assert result is None and why == ("Column 'agnt' is not in the tickets (nearest: 'agent'): "
                                      "the comparison by agnt is skipped.")
    empty = one.assign(agent=None)
    assert "has no values" in agents.fair_comparison(empty, "agent")[1]
    two = pd.DataFrame({"agent": ["A", "B"] * 20, "score": [5, 2, 5, 5] * 10})
    result, why = agents.fair_comparison(two, "agent", min_n=5)
    assert why is None and result.table["n"].tolist() == [20, 20]
    assert result.overall == pytest.approx(75.0)


def test_funnel_names_only_the_farthest_outliers():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from csat_toolkit.driverplots import plot_funnel

    groups = pd.DataFrame({"agent": [f"A{i}" for i in range(30)], "n": [100] * 30,
                           "raw": [10.0 + i for i in range(30)]})
    limits = agents.funnel_limits(0.8, 200)
    ax = plot_funnel(groups, limits, overall=80.0, max_labels=4)
    assert [t.get_text() for t in ax.texts] == ["A0", "A1", "A2", "A3"]  # farthest below first
    plt.close("all")


def test_between_group_p_reads_the_toolkit_way_and_shows_in_jupyter(sample_result, sample):
    p = sample_result.prior.p_value
    assert (f"(test of between-group variation {'p < 0.001' if p < 0.001 else f'p = {p:.3f}'})"
            in sample_result.summary())
    out = sample_result._repr_html_()
    assert html.escape(sample_result.summary()) in out and ">Agent<" in out
    assert ">Probability above average<" in out and "fewer than 30 answers" in out
    marked = shrunken_rates(sample.assign(agent="<b>" + sample["agent"] + "</b>"), "agent")
    out = marked._repr_html_()
    assert "&lt;b&gt;Agent 07&lt;/b&gt;" in out and "<b>" not in out
