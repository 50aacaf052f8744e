"""Tests of :mod:`csat_toolkit.nonresponse`: response rates, post-stratification and
predicted satisfaction of tickets without an answer.

Where the reference values come from:

- Sample data (data/sample/README.md, effect 5 "survey non-response"): 44.2% of resolved
  tickets answered; chat 56.6%, whatsapp 50.1%, email 45.3%, social 30.1%, phone 25.1%
  ("answered" counts CSAT and CES answers); effect 3 "channel": satisfied share chat
  82.0%, phone 79.5%, whatsapp 75.4%, email 66.9%, social 62.1%; overall 74.1%.
- Hosmer-Lemeshow, published R output on mtcars (../shared/reference-data/mtcars.csv):
  * easystats ``performance`` (reference page of ``performance_hosmer``,
    https://easystats.github.io/performance/reference/performance_hosmer.html):
    ``performance_hosmer(glm(vs ~ wt + mpg, data = mtcars, family = "binomial"))``
    gives Chi-squared 5.137, df 8, p-value 0.743 (n_bins = 10, the same quantile cut
    as ``ResourceSelection::hoslem.test``).
  * the reference page of an R package's ``check_hosmer_lemeshow()``, which calls
    ``ResourceSelection::hoslem.test(model$y, fitted(model), g = min(10, floor(n / 5)))``
    (g = 6 for mtcars): ``glm(am ~ wt + hp, data = mtcars, family = binomial)`` gives
    X-squared = 2.3502, df = 4, p-value = 0.6717. (Found as package documentation text
    in the public-code index; the package name was not shown with it.)
  The logistic fits come from statsmodels, which matches R's ``glm`` to about 1e-8.
- Everything else is computed by hand in the tests (Wilson intervals through
  ``csat_toolkit.stats``, the chi-square of a 2 x 2 table, the post-stratified
  estimate, variance and Kish n, AUC by counting pairs, the delta method with patsy's
  design matrix), or checked against a seeded simulation with a known truth.
"""
from __future__ import annotations

import html
import warnings

import numpy as np
import pandas as pd
import patsy
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats as sps
from scipy.special import expit

from csat_toolkit import nonresponse as nr
from csat_toolkit import stats
from csat_toolkit.errors import DataError, MissingColumnError, ParameterError

from .conftest import REFERENCE, SAMPLE, require_shared


# --- fixtures --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    tickets = pd.read_csv(SAMPLE / "tickets.csv")
    tickets["resolved"] = tickets["resolved_at"].notna()
    responses = pd.read_csv(SAMPLE / "responses.csv")
    return tickets, responses


def _no_warnings(function, *args, **kwargs):
    """Call ``function`` with every warning turned into an error (none may leak)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return function(*args, **kwargs)


def _simulated_cells(seed: int, n: int = 20_000):
    """Tickets whose answering and satisfaction depend on the channel only (MAR)."""
    rng = np.random.default_rng(seed)
    channel = rng.choice(["email", "chat", "phone", "social"], n, p=[0.4, 0.3, 0.2, 0.1])
    p_sat = pd.Series(channel).map({"email": 0.65, "chat": 0.9, "phone": 0.8, "social": 0.5})
    p_answer = pd.Series(channel).map({"email": 0.4, "chat": 0.7, "phone": 0.2, "social": 0.15})
    satisfied = rng.random(n) < p_sat.to_numpy()
    answered = rng.random(n) < p_answer.to_numpy()
    tickets = pd.DataFrame({"ticket_id": np.arange(n), "channel": channel})
    responses = pd.DataFrame({"ticket_id": tickets["ticket_id"][answered],
                              "score": np.where(satisfied, 5, 2)[answered]})
    return tickets, responses, satisfied


def _simulated_model(seed: int, n: int = 20_000):
    """Well-specified logistic data; answering depends on the features only (MAR)."""
    rng = np.random.default_rng(seed)
    channel = rng.choice(["email", "chat", "phone"], n, p=[0.5, 0.3, 0.2])
    contacts = 1 + rng.poisson(0.6, n)
    effect = pd.Series(channel).map({"email": 0.0, "chat": 0.6, "phone": -0.4}).to_numpy()
    satisfied = rng.random(n) < expit(1.0 + effect - 0.5 * (contacts - 1))
    answer_effect = pd.Series(channel).map({"email": 0.0, "chat": 0.8, "phone": -0.6}).to_numpy()
    answered = rng.random(n) < expit(-0.3 + answer_effect - 0.4 * (contacts - 1))
    tickets = pd.DataFrame({"ticket_id": [f"T{i:05d}" for i in range(n)],
                            "channel": channel, "contacts": contacts})
    responses = pd.DataFrame({"ticket_id": tickets["ticket_id"][answered],
                              "score": np.where(satisfied, 4, 3)[answered]})
    return tickets, responses, satisfied, answered


# --- response rates ---------------------------------------------------------------------


def test_sample_response_rates_match_the_readme(sample):
    tickets, responses = sample
    rates = _no_warnings(nr.response_rates, tickets, responses, by="channel",
                         eligible="resolved")
    by_channel = rates.set_index("channel")["estimate"].round(1).to_dict()
    assert by_channel == {"chat": 56.6, "email": 45.3, "phone": 25.1, "social": 30.1,
                          "whatsapp": 50.1}
    overall = nr.response_rates(tickets, responses, eligible="resolved")
    assert overall["estimate"].round(1).tolist() == [44.2]
    assert overall[["tickets", "answered"]].values.tolist() == [[39_629, 17_506]]
    accounting = rates.attrs["accounting"]
    assert accounting["tickets not eligible (resolved is False)"] == 103
    assert accounting["answers set aside: no ticket_id"] == 5_063  # NPS and PMF answers
    assert accounting["answers used"] == 14_375 + 3_131  # CSAT and CES answers
    test = rates.attrs["test"]
    assert test["df"] == 4 and test["p_value"] < 1e-100
    assert rates["method"].unique().tolist() == ["Wilson score"]
    assert not rates["small_n"].any()


def test_response_rates_wilson_and_accounting_by_hand():
    tickets = pd.DataFrame({
        "ticket_id": [1, 2, 3, 4, 5, 6, 6, None, 8],
        "channel": ["chat", "chat", "chat", "email", "email", "email", "email", "chat", "chat"],
        "resolved": [True, True, True, True, True, True, True, True, False],
    })
    responses = pd.DataFrame({"ticket_id": [1.0, 1.0, 2.0, 4.0, 8.0, 99.0, np.nan]})
    rates = nr.response_rates(tickets, responses, by="channel", eligible="resolved", min_n=3)
    assert rates[["channel", "tickets", "answered"]].values.tolist() == [
        ["chat", 3, 2], ["email", 3, 1]]
    low, high = stats.proportion_interval(2, 3)
    assert rates.loc[0, "estimate"] == pytest.approx(200 / 3)
    interval = (rates.loc[0, "ci_low"], rates.loc[0, "ci_high"])
    assert interval == pytest.approx((100 * low, 100 * high))
    assert rates["small_n"].tolist() == [False, False]
    assert rates.attrs["accounting"] == {
        "tickets read": 9,
        "tickets set aside: missing ticket_id": 1,
        "tickets set aside: duplicate ticket_id (first kept)": 1,
        "tickets not eligible (resolved is False)": 1,
        "tickets used": 6,
        "answers read": 7,
        "answers set aside: no ticket_id": 1,
        "answers set aside: ticket_id not in the ticket table": 1,
        "answers set aside: ticket not eligible": 1,
        "answers set aside: another answer to the same ticket came first": 1,
        "answers used": 3,
    }
    # Every row is accounted for.
    acc = rates.attrs["accounting"]
    assert acc["tickets read"] == acc["tickets used"] + sum(
        v for k, v in acc.items() if k.startswith(("tickets set aside", "tickets not eligible")))
    assert acc["answers read"] == acc["answers used"] + sum(
        v for k, v in acc.items() if k.startswith("answers set aside"))


def test_ids_match_across_types():
    tickets = pd.DataFrame({"ticket_id": [17, 18, 19]})
    responses = pd.DataFrame({"ticket_id": ["17", " 18 ", None]})
    rates = nr.response_rates(tickets, responses, min_n=1)
    assert rates[["tickets", "answered"]].values.tolist() == [[3, 2]]
    floats = pd.DataFrame({"ticket_id": [17.0, np.nan, 19.0]})
    assert nr.response_rates(tickets, floats)["answered"].tolist() == [2]


def test_missing_segment_values_form_their_own_segment():
    tickets = pd.DataFrame({"ticket_id": [1, 2, 3], "channel": ["chat", None, None]})
    rates = nr.response_rates(tickets, pd.DataFrame({"ticket_id": [2]}), by="channel")
    assert rates["tickets"].tolist() == [1, 2] and rates["answered"].tolist() == [0, 1]
    assert rates["channel"].isna().tolist() == [False, True]


def test_rate_test_matches_hand_chi_square():
    # 60/100 against 40/100: expected 50 in every cell, chi-square 4 * 10^2 / 50 = 8.
    rates = pd.DataFrame({"tickets": [100, 100], "answered": [60, 40]})
    result = nr.response_rate_test(rates)
    assert result.statistic == pytest.approx(8.0)
    assert result.df == 1
    assert result.p_value == pytest.approx(sps.chi2.sf(8.0, 1))
    assert result.note == ""
    # Three segments, by hand: pooled rate 0.5.
    rates = pd.DataFrame({"tickets": [40, 40, 20], "answered": [30, 12, 8]})
    expected = np.array([[20, 20], [20, 20], [10, 10]])
    observed = np.array([[30, 10], [12, 28], [8, 12]])
    hand = ((observed - expected) ** 2 / expected).sum()
    assert nr.response_rate_test(rates).statistic == pytest.approx(hand)
    assert nr.response_rate_test(rates).df == 2


def test_rate_test_edge_cases():
    one = nr.response_rate_test(pd.DataFrame({"tickets": [10], "answered": [4]}))
    assert np.isnan(one.p_value) and "one segment" in one.note
    everyone = nr.response_rate_test(pd.DataFrame({"tickets": [10, 5], "answered": [10, 5]}))
    assert np.isnan(everyone.statistic) and "cannot differ" in everyone.note
    small = nr.response_rate_test(pd.DataFrame({"tickets": [4, 4], "answered": [1, 3]}))
    assert "below 5" in small.note


def test_response_rates_errors():
    tickets = pd.DataFrame({"ticket_id": [1, 2], "channel": ["chat", "email"],
                            "resolved": ["yes", True]})
    with pytest.raises(MissingColumnError, match="'ticket_id'.*on=") as info:
        nr.response_rates(tickets, pd.DataFrame({"id": [1]}))
    assert "Answer columns: 'id'" in str(info.value)
    with pytest.raises(MissingColumnError, match="'region'.*Ticket columns"):
        nr.response_rates(tickets, pd.DataFrame({"ticket_id": [1]}), by="region")
    with pytest.raises(DataError, match="'resolved'.*'yes'.*Fill it"):
        nr.response_rates(tickets, pd.DataFrame({"ticket_id": [1]}), eligible="resolved")
    tickets["resolved"] = False
    with pytest.raises(DataError, match="No ticket has resolved = True"):
        nr.response_rates(tickets, pd.DataFrame({"ticket_id": [1]}), eligible="resolved")
    with pytest.raises(ParameterError, match="tickets must be a pandas DataFrame"):
        nr.response_rates([1, 2], pd.DataFrame({"ticket_id": [1]}))
    with pytest.raises(ParameterError, match="conf must be between 0 and 1"):
        nr.response_rates(tickets, pd.DataFrame({"ticket_id": [1]}), conf=95)


def test_inputs_are_not_modified(sample):
    tickets, responses = sample
    before_t, before_r = tickets.copy(), responses.copy()
    nr.response_rates(tickets, responses, by="channel", eligible="resolved")
    nr.poststratify(tickets, responses, cells=["channel"], eligible="resolved")
    pd.testing.assert_frame_equal(tickets, before_t)
    pd.testing.assert_frame_equal(responses, before_r)


# --- post-stratification ----------------------------------------------------------------


def _two_cells():
    # chat: 4 tickets, 3 answers (2 satisfied); email: 6 tickets, 2 answers (1 satisfied).
    tickets = pd.DataFrame({"ticket_id": range(1, 11), "channel": ["chat"] * 4 + ["email"] * 6})
    responses = pd.DataFrame({"ticket_id": [1, 2, 3, 5, 6], "score": [5, 4, 2, 5, 1]})
    return tickets, responses


def test_poststratified_estimate_variance_and_kish_by_hand():
    tickets, responses = _two_cells()
    result = _no_warnings(nr.poststratify, tickets, responses, cells=["channel"], min_cell=1)
    raw, post = result.table.iloc[0], result.table.iloc[1]
    # Raw: 3 satisfied of 5 answers, Wilson.
    low, high = stats.proportion_interval(3, 5)
    assert raw["estimate"] == pytest.approx(60.0)
    assert (raw["ci_low"], raw["ci_high"]) == pytest.approx((100 * low, 100 * high))
    # Post-stratified: W = (0.4, 0.6), p = (2/3, 1/2).
    estimate = 0.4 * 2 / 3 + 0.6 * 0.5
    variance = 0.4**2 * (2 / 3) * (1 / 3) / 3 + 0.6**2 * 0.25 / 2
    assert post["estimate"] == pytest.approx(100 * estimate)
    assert post["se"] == pytest.approx(100 * np.sqrt(variance))
    n_design = estimate * (1 - estimate) / variance
    low, high = stats.proportion_interval(estimate * n_design, n_design)
    assert (post["ci_low"], post["ci_high"]) == pytest.approx((100 * low, 100 * high))
    # Kish: weights 4/3 (three answers) and 3 (two answers).
    assert post["n_eff"] == pytest.approx(stats.kish_effective_n([4 / 3] * 3 + [3] * 2))
    assert post[["n", "tickets", "cells"]].tolist() == [5, 10, 2]
    cells = result.cells.set_index("channel")
    assert cells["weight"].tolist() == pytest.approx([4 / 3, 3.0])
    assert cells["pop_share"].tolist() == pytest.approx([40.0, 60.0])
    assert cells["answer_share"].tolist() == pytest.approx([60.0, 40.0])
    assert result.strata["contribution"].sum() == pytest.approx(post["estimate"])
    # With the finite population correction: factors 1 - 3/4 and 1 - 2/6.
    fpc = nr.poststratify(tickets, responses, cells=["channel"], min_cell=1, fpc=True)
    variance_fpc = 0.4**2 * (2 / 3) * (1 / 3) / 3 * 0.25 + 0.6**2 * 0.25 / 2 * (4 / 6)
    assert fpc.table.iloc[1]["se"] == pytest.approx(100 * np.sqrt(variance_fpc))
    assert "1 - n_c/N_c" in fpc.table.iloc[1]["method"]


def test_one_cell_equals_the_raw_figure():
    tickets, responses = _two_cells()
    tickets["all"] = "all"
    table = nr.poststratify(tickets, responses, cells=["all"], min_cell=1).table
    for column in ("estimate", "ci_low", "ci_high", "se", "n_eff"):
        assert table.loc[1, column] == pytest.approx(table.loc[0, column])


def test_census_with_fpc_has_no_sampling_error():
    tickets = pd.DataFrame({"ticket_id": [1, 2, 3, 4], "channel": ["a", "a", "b", "b"]})
    responses = pd.DataFrame({"ticket_id": [1, 2, 3, 4], "score": [5, 1, 5, 5]})
    post = nr.poststratify(tickets, responses, cells="channel", min_cell=1, fpc=True).table.iloc[1]
    assert post["estimate"] == post["ci_low"] == post["ci_high"] == 75.0


def test_poststratification_recovers_the_simulated_truth():
    tickets, responses, satisfied = _simulated_cells(seed=7)
    result = nr.poststratify(tickets, responses, cells=["channel"])
    truth = 100 * satisfied.mean()  # every ticket's satisfaction, answered or not
    raw, post = result.table.iloc[0], result.table.iloc[1]
    assert post["ci_low"] <= truth <= post["ci_high"]
    assert abs(post["estimate"] - truth) < 2 * post["se"]
    # Chat answers most and is happiest: the raw share is biased upwards, beyond its interval.
    assert raw["ci_low"] > truth
    assert result.collapsed == () and result.warnings == ()


def test_poststratified_interval_coverage():
    covered = 0
    for seed in range(40):
        tickets, responses, satisfied = _simulated_cells(seed=1_000 + seed, n=2_000)
        post = nr.poststratify(tickets, responses, cells=["channel"], fpc=True).table.iloc[1]
        covered += post["ci_low"] <= 100 * satisfied.mean() <= post["ci_high"]
    assert covered >= 34  # nominal 95%: 38 of 40 expected


def test_sample_poststratified_by_channel(sample):
    tickets, responses = sample
    result = _no_warnings(nr.poststratify, tickets, responses, cells=["channel"],
                          eligible="resolved")
    shares = result.cells.set_index("channel")["share"].round(1).to_dict()
    assert shares == {"chat": 82.0, "email": 66.9, "phone": 79.5, "social": 62.1,
                      "whatsapp": 75.4}
    raw, post = result.table.iloc[0], result.table.iloc[1]
    assert raw["estimate"] == pytest.approx(74.1, abs=0.05)
    cells = result.cells
    by_hand = (cells["tickets"] / cells["tickets"].sum() * cells["share"]).sum()
    assert post["estimate"] == pytest.approx(by_hand)
    assert post["tickets"] == 39_629 and raw["n"] == 14_375
    assert dict(result.accounting.values.tolist())["answers of other surveys (not csat)"] == 8_194
    assert "CSAT post-stratified over channel to 39,629 tickets" in result.summary()
    assert "none collapsed" in result.summary()


def test_pool_collapses_within_the_first_column():
    rows = [("email", "normal", 10, 8), ("email", "urgent", 3, 2), ("email", "low", 2, 1),
            ("chat", "normal", 10, 6), ("chat", "urgent", 2, 2)]
    tickets, responses = _cells_frames(rows)
    result = nr.poststratify(tickets, responses, cells=["channel", "priority"], min_cell=4)
    cells = result.cells.set_index(["channel", "priority"])["cell"].to_dict()
    assert cells[("email", "urgent")] == cells[("email", "low")] == "email / other"
    assert cells[("email", "normal")] == "email / normal"
    # email / urgent (3 answers) and email / low (2) are pooled into email / other (5).
    # chat / urgent alone has 2 answers < 4: pooled into "other", still too small, so merged
    # into the cell with the most answers (chat / normal and email / normal tie at 10 answers;
    # the first in sort order wins).
    assert cells[("chat", "urgent")] == "chat / normal"
    assert set(result.collapsed) == {"email / urgent", "email / low", "chat / urgent"}
    assert any("merged into the cell with the most answers" in w for w in result.warnings)
    assert result.strata["tickets"].sum() == len(tickets)  # no ticket dropped
    assert result.table.iloc[1]["cells"] == 3
    assert "3 cell(s) with too few answers pooled" in result.summary()


def test_other_collapses_every_small_cell_into_one():
    rows = [("email", "normal", 10, 8), ("email", "urgent", 3, 2), ("chat", "urgent", 2, 2),
            ("chat", "normal", 10, 6)]
    tickets, responses = _cells_frames(rows, unanswered={("chat", "low"): 4})
    result = nr.poststratify(tickets, responses, cells=["channel", "priority"], min_cell=4,
                             collapse="other")
    cells = result.cells.set_index(["channel", "priority"])
    assert cells.loc[("email", "urgent"), "cell"] == "other"
    assert cells.loc[("chat", "urgent"), "cell"] == "other"
    assert cells.loc[("chat", "low"), "cell"] == "other"  # a cell without any answer
    assert cells.loc[("chat", "low"), "answers"] == 0
    assert np.isnan(cells.loc[("chat", "low"), "share"])
    other = result.strata.set_index("cell").loc["other"]
    assert other[["tickets", "answers", "satisfied"]].tolist() == [2 * 3 + 2 * 2 + 4, 5, 4]
    assert other["weight"] == pytest.approx(14 / 5)


def _cells_frames(rows, unanswered=None):
    """Tickets answered twice over (2 tickets per answer), first ``satisfied`` answers 5."""
    tickets, responses, next_id = [], [], 0
    for channel, priority, answers, satisfied in rows:
        for i in range(2 * answers):
            tickets.append((next_id, channel, priority))
            if i < answers:
                responses.append((next_id, 5 if i < satisfied else 1))
            next_id += 1
    for (channel, priority), count in (unanswered or {}).items():
        for _ in range(count):
            tickets.append((next_id, channel, priority))
            next_id += 1
    return (pd.DataFrame(tickets, columns=["ticket_id", "channel", "priority"]),
            pd.DataFrame(responses, columns=["ticket_id", "score"]))


def test_every_cell_small_gives_the_raw_figure():
    tickets, responses = _two_cells()
    result = nr.poststratify(tickets, responses, cells=["channel"], min_cell=10)
    assert result.table.iloc[1]["estimate"] == pytest.approx(result.table.iloc[0]["estimate"])
    assert any("equals the raw one" in w for w in result.warnings)


def test_outcome_column_and_scale_problems_are_counted():
    tickets, _ = _two_cells()
    responses = pd.DataFrame({"ticket_id": [1, 2, 3, 5, 6, 7],
                              "survey": ["csat", "csat", "csat", "csat", "ces", "csat"],
                              "score": ["5", "Very satisfied", 9, 2, 7, None]})
    result = nr.poststratify(tickets, responses, cells=["channel"], min_cell=1)
    acc = dict(result.accounting.values.tolist())
    assert acc["answers of other surveys (not csat)"] == 1
    assert acc["answers set aside: score outside the scale (csat_5)"] == 1
    assert acc["answers set aside: missing score (csat_5)"] == 1
    assert acc["answers used"] == 3
    assert result.table.iloc[0][["n", "estimate"]].tolist() == [3, pytest.approx(200 / 3)]
    # A 0/1 column of the answers.
    flags = pd.DataFrame({"ticket_id": [1, 2, 5], "happy": [1, 0, None]})
    result = nr.poststratify(tickets, flags, cells=["channel"], outcome="happy", min_cell=1)
    assert dict(result.accounting.values.tolist())["answers set aside: missing happy"] == 1
    assert result.table.iloc[0]["estimate"] == 50.0
    assert result.summary().startswith("Share happy post-stratified over channel")


def test_poststratify_errors():
    tickets, responses = _two_cells()
    with pytest.raises(ParameterError, match="cells is empty"):
        nr.poststratify(tickets, responses, cells=[])
    with pytest.raises(ParameterError, match="collapse='merge'.*'pool'"):
        nr.poststratify(tickets, responses, cells=["channel"], collapse="merge")
    with pytest.raises(ParameterError, match="min_cell must be a whole number"):
        nr.poststratify(tickets, responses, cells=["channel"], min_cell=0)
    with pytest.raises(MissingColumnError, match="'region'"):
        nr.poststratify(tickets, responses, cells=["region"])
    with pytest.raises(ParameterError, match="outcome='happy' is not a column"):
        nr.poststratify(tickets, responses, cells=["channel"], outcome="happy")
    with pytest.raises(DataError, match="'happy' must hold 1.*found 'yes'"):
        nr.poststratify(tickets, responses.assign(happy=["yes", 1, 0, 1, 0]),
                        cells=["channel"], outcome="happy")
    with pytest.raises(MissingColumnError, match="no 'score' column"):
        nr.poststratify(tickets, responses.drop(columns="score"), cells=["channel"])
    with pytest.raises(DataError, match="No usable answer.*ticket_id not in the ticket table 5"):
        nr.poststratify(tickets, responses.assign(ticket_id=responses["ticket_id"] + 100),
                        cells=["channel"])


# --- calibration measures ---------------------------------------------------------------


def test_hosmer_lemeshow_published_mtcars_values():
    mtcars = pd.read_csv(require_shared(REFERENCE / "mtcars.csv"))
    # easystats performance_hosmer(glm(vs ~ wt + mpg, mtcars, binomial)): 5.137, df 8, p 0.743.
    fit = smf.glm("vs ~ wt + mpg", mtcars, family=sm.families.Binomial()).fit()
    result = nr.hosmer_lemeshow(mtcars["vs"], fit.fittedvalues, n_bins=10)
    assert result.statistic == pytest.approx(5.137, abs=5e-4)
    assert result.df == 8 and result.groups == 10
    assert result.p_value == pytest.approx(0.743, abs=5e-4)
    # ResourceSelection::hoslem.test(y, fitted(glm(am ~ wt + hp)), g = 6): 2.3502, df 4, 0.6717.
    fit = smf.glm("am ~ wt + hp", mtcars, family=sm.families.Binomial()).fit()
    result = nr.hosmer_lemeshow(mtcars["am"], fit.fittedvalues, n_bins=6)
    assert result.statistic == pytest.approx(2.3502, abs=5e-5)
    assert result.df == 4
    assert result.p_value == pytest.approx(0.6717, abs=5e-5)
    # On held-out data the statistic has as many degrees of freedom as groups.
    assert nr.hosmer_lemeshow(mtcars["am"], fit.fittedvalues, n_bins=6, validation=True).df == 6


def test_hosmer_lemeshow_by_hand():
    y = [0, 0, 1, 0, 1, 1]
    p = [0.1, 0.2, 0.4, 0.5, 0.7, 0.9]
    # Quantile breaks 0.1, 0.3333, 0.5667, 0.9 give groups {0.1, 0.2}, {0.4, 0.5}, {0.7, 0.9}.
    hand = ((0 - 0.3) ** 2 / 0.3 + (2 - 1.7) ** 2 / 1.7
            + (1 - 0.9) ** 2 / 0.9 + (1 - 1.1) ** 2 / 1.1
            + (2 - 1.6) ** 2 / 1.6 + (0 - 0.4) ** 2 / 0.4)
    result = nr.hosmer_lemeshow(y, p, n_bins=3)
    assert result.statistic == pytest.approx(hand)
    assert result.p_value == pytest.approx(sps.chi2.sf(hand, 1))
    # Few distinct predictions: one group each.
    assert nr.hosmer_lemeshow([0, 1, 1, 0], [0.3, 0.3, 0.6, 0.6]).groups == 2


def test_roc_auc_counts_pairs():
    assert nr.roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    assert nr.roc_auc([0, 1], [0.5, 0.5]) == 0.5
    assert np.isnan(nr.roc_auc([1, 1], [0.2, 0.3]))
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 300)
    p = np.round(rng.random(300), 2)  # with ties
    pos, neg = p[y == 1], p[y == 0]
    pairs = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    assert nr.roc_auc(y, p) == pytest.approx(pairs / (len(pos) * len(neg)))
    u = sps.mannwhitneyu(pos, neg).statistic
    assert nr.roc_auc(y, p) == pytest.approx(u / (len(pos) * len(neg)))


def test_calibration_table_groups_and_wilson():
    rng = np.random.default_rng(2)
    p = rng.random(500)
    y = (rng.random(500) < p).astype(int)
    table = nr.calibration_table(y, p, n_bins=5)
    assert table["n"].tolist() == [100] * 5
    order = np.argsort(p)
    first = order[:100]
    assert table.loc[0, "predicted"] == pytest.approx(100 * p[first].mean())
    assert table.loc[0, "observed"] == pytest.approx(100 * y[first].mean())
    low, high = stats.proportion_interval(y[first].sum(), 100)
    assert table.loc[0, ["ci_low", "ci_high"]].tolist() == pytest.approx([100 * low, 100 * high])
    assert (table["p_max"].to_numpy()[:-1] <= table["p_min"].to_numpy()[1:]).all()


def test_calibration_measure_errors():
    with pytest.raises(DataError, match="observed must hold 0 or 1; found 2.0"):
        nr.roc_auc([0, 2], [0.1, 0.2])
    with pytest.raises(DataError, match="probabilities between 0 and 1; found 1.5"):
        nr.hosmer_lemeshow([0, 1], [0.1, 1.5])
    with pytest.raises(ParameterError, match="same length"):
        nr.calibration_table([0, 1, 1], [0.1, 0.2])
    with pytest.raises(ParameterError, match="n_bins must be a whole number"):
        nr.hosmer_lemeshow([0, 1], [0.1, 0.2], n_bins=1)


# --- predicted satisfaction -------------------------------------------------------------


@pytest.fixture(scope="module")
def simulated_prediction():
    tickets, responses, satisfied, answered = _simulated_model(seed=11)
    result = _no_warnings(nr.predict_nonrespondents, tickets, responses,
                          features=["channel", "contacts"], seed=3)
    return tickets, responses, satisfied, answered, result


def test_prediction_recovers_the_unanswered_truth(simulated_prediction):
    _, _, satisfied, answered, result = simulated_prediction
    table = result.table.set_index("group")
    unanswered = table.loc["unanswered (predicted)"]
    assert unanswered["tickets"] == (~answered).sum()
    truth = 100 * satisfied[~answered].mean()
    assert unanswered["ci_low"] <= truth <= unanswered["ci_high"]
    every = table.loc["all tickets"]
    assert every["ci_low"] <= 100 * satisfied.mean() <= every["ci_high"]
    observed = table.loc["answered (observed)"]
    assert observed["estimate"] == pytest.approx(100 * satisfied[answered].mean())
    # The respondents are the more satisfied (chat answers more, many contacts less).
    assert observed["ci_low"] > truth


def test_prediction_coefficients_recover_the_truth(simulated_prediction):
    result = simulated_prediction[-1]
    coefficients = result.coefficients.set_index("term")
    assert result.reference_levels == {"channel": "email"}
    truth = {"channel[chat]": 0.6, "channel[phone]": -0.4, "contacts": -0.5, "Intercept": 1.5}
    for term, value in truth.items():  # within 3.29 standard errors (99.9%)
        row = coefficients.loc[term]
        assert abs(row["coef"] - value) < 3.29 * row["se"], term
        assert row["odds_ratio"] == pytest.approx(np.exp(row["coef"]))
    chat = coefficients.loc["channel[chat]"]
    z = stats.z_value(0.95)
    assert chat["ci_low"] == pytest.approx(np.exp(chat["coef"] - z * chat["se"]))
    assert coefficients.loc["channel[chat]", "reference"] == "email"
    assert coefficients.loc["contacts", "feature"] == "contacts"


def test_held_out_calibration_on_well_specified_data(simulated_prediction):
    result = simulated_prediction[-1]
    m = result.metrics
    assert m["n_test"] == round(0.3 * (m["n_train"] + m["n_test"]))
    assert abs(m["calibration_slope"] - 1) < 0.15
    assert abs(m["calibration_intercept"]) < 0.15
    # Predictions take few distinct values (3 channels x a few contact counts), so tied
    # quantiles merge some of the 10 groups, as in R's hoslem.test.
    assert m["hl_df"] == m["hl_groups"] >= 3 and m["hl_p_value"] > 0.01
    assert 0.55 < m["auc"] < 0.75
    assert 0.1 < m["brier"] < 0.25
    calibration = result.calibration
    assert calibration["n"].sum() == m["n_test"]
    inside = (calibration["ci_low"] <= calibration["predicted"]) & (
        calibration["predicted"] <= calibration["ci_high"])
    assert inside.sum() >= len(calibration) - 1
    assert "missing at random given these features" in result.summary()
    assert "calibration slope" in result.summary()


def test_prediction_interval_is_the_delta_method(simulated_prediction):
    tickets, responses, _, _, result = simulated_prediction
    # Refit independently with patsy's default coding (the reference level does not
    # change predictions) and apply the delta method by hand.
    data = tickets.merge(responses, on="ticket_id", how="left")
    data["y"] = (data["score"] >= 4).astype(float)
    seen = data["score"].notna()
    fit = smf.glm("y ~ C(channel) + contacts", data[seen], family=sm.families.Binomial()).fit()
    x = np.asarray(patsy.dmatrix("C(channel) + contacts", data[~seen]))
    p = expit(x @ fit.params.to_numpy())
    gradient = (p * (1 - p)) @ x / len(p)
    variance = gradient @ fit.cov_params().to_numpy() @ gradient + np.sum(p * (1 - p)) / len(p) ** 2
    row = result.table.set_index("group").loc["unanswered (predicted)"]
    assert row["estimate"] == pytest.approx(100 * p.mean())
    assert row["se"] == pytest.approx(100 * np.sqrt(variance), rel=1e-6)
    z = stats.z_value(0.95)
    assert row["ci_low"] == pytest.approx(100 * (p.mean() - z * np.sqrt(variance)), rel=1e-6)
    predictions = result.predictions.set_index("ticket_id")
    unanswered = predictions.loc[data.loc[~seen, "ticket_id"], "p_satisfied"]
    assert unanswered.to_numpy() == pytest.approx(p)
    odds = result.coefficients.set_index("term").loc["contacts", "odds_ratio"]
    assert odds == pytest.approx(np.exp(fit.params["contacts"]))


def test_predictions_table(simulated_prediction):
    tickets, _, _, answered, result = simulated_prediction
    predictions = result.predictions
    assert predictions.columns.tolist() == ["ticket_id", "answered", "observed", "p_satisfied"]
    assert len(predictions) == len(tickets)
    assert predictions["answered"].to_numpy().tolist() == answered.tolist()
    assert predictions.loc[~predictions["answered"], "observed"].isna().all()
    assert predictions["p_satisfied"].between(0, 1).all()


def test_prediction_is_deterministic_and_seeded():
    tickets, responses, _, _ = _simulated_model(seed=4, n=3_000)
    first = nr.predict_nonrespondents(tickets, responses, features=["channel"], seed=1)
    again = nr.predict_nonrespondents(tickets, responses, features=["channel"], seed=1)
    other = nr.predict_nonrespondents(tickets, responses, features=["channel"], seed=2)
    assert first.metrics == again.metrics
    pd.testing.assert_frame_equal(first.calibration, again.calibration)
    assert first.metrics["brier"] != other.metrics["brier"]
    pd.testing.assert_frame_equal(first.table, other.table)  # the split is for calibration only


def test_sample_saturated_model_equals_poststratification(sample):
    tickets, responses = sample
    predicted = _no_warnings(nr.predict_nonrespondents, tickets, responses,
                             features=["channel"], eligible="resolved")
    post = nr.poststratify(tickets, responses, cells=["channel"], eligible="resolved")
    every = predicted.table.set_index("group").loc["all tickets"]
    assert every["estimate"] == pytest.approx(post.table.iloc[1]["estimate"], abs=1e-6)
    assert every["tickets"] == post.table.iloc[1]["tickets"]


def test_sample_prediction_with_ticket_features(sample):
    tickets, responses = sample
    result = _no_warnings(nr.predict_nonrespondents, tickets, responses,
                          features=["channel", "priority", "contacts", "reopened"],
                          eligible="resolved")
    coefficients = result.coefficients.set_index("term")
    # Generator: CSAT logit -0.35 per contact beyond the first (README effect 3).
    contacts = coefficients.loc["contacts"]
    assert np.log(contacts["ci_low"]) <= -0.35 <= np.log(contacts["ci_high"])
    assert coefficients.loc["reopened", "ci_high"] < 1
    assert coefficients.loc["channel[chat]", "ci_low"] > 1  # chat +0.3 against email
    assert coefficients.loc["channel[social]", "ci_high"] < 1  # social -0.4
    assert 0.8 < result.metrics["calibration_slope"] < 1.2
    assert result.metrics["auc"] > 0.55
    assert result.table["tickets"].tolist() == [14_375, 39_629 - 14_375, 39_629]
    assert result.warnings == ()


def test_unknown_levels_and_missing_features_are_counted():
    tickets, responses, _, _ = _simulated_model(seed=5, n=2_000)
    answered = tickets["ticket_id"].isin(responses["ticket_id"])
    unanswered_index = tickets.index[~answered]
    tickets.loc[unanswered_index[:3], "channel"] = "fax"
    tickets.loc[unanswered_index[3:5], "contacts"] = np.nan
    tickets.loc[tickets.index[answered][:2], "channel"] = None
    result = nr.predict_nonrespondents(tickets, responses, features=["channel", "contacts"])
    assert any(w.startswith("3 unanswered ticket(s) have a channel level no answered ticket has")
               and "'email'" in w for w in result.warnings)
    acc = dict(result.accounting.values.tolist())
    assert acc["tickets set aside: missing value in channel, contacts"] == 4
    assert acc["tickets used"] == 2_000 - 4
    assert len(result.predictions) == 2_000 - 4
    # A "fax" ticket is predicted like an email ticket (the reference) with the same contacts.
    fax = result.predictions["ticket_id"].isin(tickets.loc[unanswered_index[:3], "ticket_id"])
    by_id = tickets.set_index("ticket_id").loc[result.predictions["ticket_id"]]
    first = by_id[fax.to_numpy()].iloc[0]
    twin = (by_id["channel"].eq("email") & by_id["contacts"].eq(first["contacts"])).to_numpy()
    assert twin.any()
    p_fax = result.predictions.loc[fax, "p_satisfied"].iloc[0]
    assert result.predictions.loc[twin, "p_satisfied"].to_numpy() == pytest.approx(p_fax)


def test_separation_and_constant_features_are_reported_not_leaked():
    rng = np.random.default_rng(3)
    n = 600
    tickets = pd.DataFrame({"ticket_id": range(n),
                            "channel": rng.choice(["chat", "email", "fax"], n), "region": "EMEA"})
    satisfied = np.where(tickets["channel"] == "fax", False, rng.random(n) < 0.7)
    answered = rng.random(n) < 0.5
    responses = pd.DataFrame({"ticket_id": tickets["ticket_id"][answered],
                              "score": np.where(satisfied, 5, 1)[answered]})
    result = _no_warnings(nr.predict_nonrespondents, tickets, responses,
                          features=["channel", "region"])
    assert any("Perfect separation" in w and "channel = 'fax'" in w for w in result.warnings)
    assert any("Left out of the model" in w and "region" in w for w in result.warnings)
    assert result.features == ("channel",)
    # Complete separation by a numeric feature: statsmodels' warning becomes a note.
    tickets["x"] = rng.normal(size=n)
    responses = pd.DataFrame({"ticket_id": tickets["ticket_id"][answered],
                              "score": np.where(tickets["x"] > 0, 5, 1)[answered]})
    result = _no_warnings(nr.predict_nonrespondents, tickets, responses, features=["x"])
    assert any("separation" in w for w in result.warnings)


def test_predict_errors():
    tickets, responses, _, _ = _simulated_model(seed=6, n=500)
    with pytest.raises(MissingColumnError, match="'priority'.*features="):
        nr.predict_nonrespondents(tickets, responses, features=["priority"])
    with pytest.raises(ParameterError, match="features is empty"):
        nr.predict_nonrespondents(tickets, responses, features=[])
    with pytest.raises(ParameterError, match="n_bins must be a whole number, 3 or more"):
        nr.predict_nonrespondents(tickets, responses, features=["channel"], n_bins=2)
    with pytest.raises(ParameterError, match="test_share must be between 0 and 1"):
        nr.predict_nonrespondents(tickets, responses, features=["channel"], test_share=1.5)
    only_answered = tickets[tickets["ticket_id"].isin(responses["ticket_id"])]
    with pytest.raises(DataError, match="no unanswered tickets to predict.*eligible="):
        nr.predict_nonrespondents(only_answered, responses, features=["channel"])
    with pytest.raises(DataError, match="All .* answered tickets are satisfied.*both outcomes"):
        nr.predict_nonrespondents(tickets, responses.assign(score=5), features=["channel"])
    with pytest.raises(DataError, match="No eligible ticket has a usable answer"):
        nr.predict_nonrespondents(tickets, responses.iloc[:0], features=["channel"])
    with pytest.raises(ParameterError, match=r"'ticket_id' has [\d,]+ different values.*id or a"):
        nr.predict_nonrespondents(tickets, responses, features=["ticket_id"])
    flat = tickets.assign(channel="email", contacts=1)
    with pytest.raises(DataError, match="single value among the answered tickets"):
        nr.predict_nonrespondents(flat, responses, features=["channel", "contacts"])


def test_unusable_answers_and_other_surveys_in_predictions():
    tickets, responses, _, _ = _simulated_model(seed=8, n=1_000)
    responses = responses.assign(survey="csat").reset_index(drop=True)
    responses.loc[0, "score"] = 9  # not on the 1-5 scale: its ticket is set aside
    responses.loc[1, "survey"] = "ces"  # a CES answer: its ticket has no CSAT answer
    result = nr.predict_nonrespondents(tickets, responses, features=["channel", "contacts"])
    acc = dict(result.accounting.values.tolist())
    assert acc["answers set aside: score outside the scale (csat_5)"] == 1
    assert acc["answers of other surveys (not csat)"] == 1
    assert acc["tickets set aside: answered, but no answer was usable"] == 1
    assert acc["tickets used"] == 999
    predictions = result.predictions.set_index("ticket_id")
    assert responses.loc[0, "ticket_id"] not in predictions.index
    assert not predictions.loc[responses.loc[1, "ticket_id"], "answered"]


# --- issue 10: the section on any data ----------------------------------------------------

def _section_data(seed=11, n=600):
    rng = np.random.default_rng(seed)
    tickets = pd.DataFrame({"ticket_id": [f"T{i}" for i in range(n)],
                            "priority": rng.choice(["urgent", "normal", "low"], n),
                            "channel": "email",
                            "resolved_at": pd.Timestamp("2025-02-01")})
    tickets.loc[:9, "resolved_at"] = pd.NaT  # ten open tickets are not offered a survey
    answered = rng.random(n) < 0.4
    ids = tickets.loc[answered, "ticket_id"]
    answers = pd.DataFrame({"ticket_id": ids.to_numpy(), "survey": "csat",
                            "score": rng.choice([1, 2, 3, 4, 5], len(ids))})
    answers.loc[:4, "survey"] = "ces"  # five tickets answered with another survey
    return tickets, answers


def test_nonresponse_report_uses_derived_cells_and_names_absent_ones():
    from csat_toolkit.drivers import add_derived
    from csat_toolkit.nonresponse import nonresponse_report

    tickets, answers = _section_data()
    tickets = add_derived(tickets, derive={"urgent": "priority == 'urgent'"}).data
    report = nonresponse_report(tickets, answers, cells=["urgent", "channel", "prioriy"],
                                features=["urgent", "priority"], min_n=5, seed=1)
    offered = tickets["resolved_at"].notna() & ~tickets["ticket_id"].isin(
        answers.loc[answers["survey"] != "csat", "ticket_id"])
    assert report.eligible == (f"Tickets counted as offered CSAT: {int(offered.sum()):,} of 600 "
                               "(resolved, and not answered with another survey).")
    assert list(report.rates["urgent"]) == [0.0, 1.0]  # the derived column is a cell
    csat = answers[answers["survey"] == "csat"]
    expected = csat["ticket_id"].isin(tickets.loc[offered, "ticket_id"]).sum() / offered.sum()
    assert (report.rates["answered"].sum() / report.rates["tickets"].sum()
            == pytest.approx(expected))
    assert report.skipped == [
        "nonresponse_cells names 'prioriy' (nearest: 'priority'), not a column of the tickets: "
        "it goes on with 'urgent', 'channel'. Map or derive the column, or change "
        "nonresponse_cells.",
        "Ticket column 'channel' has one value only among the eligible tickets: it cannot "
        "separate respondents from non-respondents, left out."]
    assert report.post is not None and report.predicted is not None
    assert report.findings() == [report.post.summary(), report.predicted.summary()]


def test_nonresponse_report_skips_parts_without_inputs():
    from csat_toolkit.nonresponse import nonresponse_report

    tickets, answers = _section_data()
    bare = nonresponse_report(tickets, answers, cells=["channel"], features=[], min_n=5)
    assert bare.post is None and bare.predicted is None and len(bare.rates) == 1
    assert bare.skipped[-2:] == [
        "No ticket column to post-stratify over (nonresponse_cells): the post-stratified CSAT "
        "is skipped.",
        "No ticket feature to predict from (nonresponse_features): the predicted CSAT of "
        "non-respondents is skipped."]
    nps_only = nonresponse_report(tickets, answers.assign(survey="nps"), cells=["priority"],
                                  features=["priority"])
    assert nps_only.rates is None and nps_only.skipped[-1] == (
        "No CSAT answers: the non-response analysis is skipped.")
    no_key = nonresponse_report(tickets, answers.drop(columns="ticket_id"))
    assert no_key.skipped == ["No column 'ticket_id' (join_on) in the answers: answers cannot be "
                              "tied to tickets, so the non-response analysis is skipped."]


def test_results_show_in_jupyter_and_name_no_attribute():
    rows = [("email", "normal", 10, 8), ("email", "urgent", 3, 2), ("email", "low", 2, 1),
            ("<b>chat</b>", "normal", 10, 6), ("<b>chat</b>", "urgent", 2, 2)]
    tickets, responses = _cells_frames(rows)
    post = nr.poststratify(tickets, responses, cells=["channel", "priority"], min_cell=4)
    assert post.summary().endswith("(each estimated in a wider cell).")
    assert ".cells" not in post.summary()
    out = post._repr_html_()
    assert html.escape(post.summary()) in out and ">Kind<" in out and ">Effective n<" in out
    assert all(html.escape(w) in out for w in post.warnings) and "<b>" not in out
    tickets, answers = _section_data()
    report = nr.nonresponse_report(tickets, answers, cells=["channel", "prioriy"],
                                   features=["priority"], min_n=5, seed=1)
    out = report._repr_html_()
    assert report.summary() == " ".join([report.eligible, *report.findings()])
    assert all(html.escape(s) in out for s in [report.eligible, *report.findings()])
    assert all(html.escape(s) in out for s in report.skipped) and ">Tickets<" in out
    predicted = report.predicted
    assert "Hosmer-Lemeshow p " in predicted.summary()
    assert html.escape(predicted.summary()) in predicted._repr_html_()
