"""Tests of csat_toolkit.ops: SLA compliance, response times, resolution quality,
deflection, volume and satisfaction.

Hand-computed cases are worked out in the comments. Published values:

- quantile intervals: R package confintr, ``ci_quantile`` (exact binomial method), on
  ``x <- exp(seq(0, 1, by = 0.01))``; the R outputs are recorded in SciPy's test suite
  (scipy/stats/tests/test_stats.py, TestQuantileTest.test_R_ci_quantile, SciPy 1.17):
  ``ci_quantile(x, q = 0.3)`` -> [1.221402758160170, 1.476980793882643] and
  ``ci_quantile(x, q = 0.5, probs = c(0.05, 0.95))`` -> [1.506817785112854, 1.803988415397857].
- real data (../shared/realdata, figures from each folder's SOURCE.md, computed there
  with python3 csv): the PwC call-centre share answered within 60 s (0.4430 of answered
  calls) and share resolved (0.8994 of answered calls); the UCI incident log's share
  with made_sla TRUE (0.5562 of 890 incidents) and median resolution time (54.47 h over
  861 resolved incidents).
"""
from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from csat_toolkit import ops, stats
from csat_toolkit.businesshours import Schedule
from csat_toolkit.errors import DataError, MissingColumnError, ParameterError
from csat_toolkit.tables import load_tickets

from .conftest import REALDATA, SAMPLE, require_shared

OFFICE = Schedule({"mon-fri": "08:00-18:00"}, timezone="Europe/London")
TARGETS = {"first_response": {"urgent": 1, "high": 4, "normal": 8, "low": 24},
           "resolution": {"urgent": 8, "high": 24, "normal": 48, "low": 120}}


def wilson(x, n, conf=0.95):
    """Wilson interval in percent, written out (Wilson 1927)."""
    z = st.norm.ppf(0.5 + conf / 2)
    p = x / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return 100 * (centre - half), 100 * (centre + half)


def stamps(*values):
    return pd.to_datetime(list(values))


@pytest.fixture(scope="module")
def sample_tickets():
    return load_tickets(SAMPLE / "tickets.csv").data


@pytest.fixture(scope="module")
def sample_answers():
    return pd.read_csv(SAMPLE / "responses.csv")


# --- quantile intervals ----------------------------------------------------------------


def test_quantile_interval_matches_r_confintr():
    # R confintr::ci_quantile (see the module docstring for the calls and the source).
    x = np.exp(np.arange(0, 1.01, 0.01))
    _, low, high = ops.quantile_interval(x, 0.3, conf=0.95)
    assert low == pytest.approx(1.221402758160170, rel=1e-14)
    assert high == pytest.approx(1.476980793882643, rel=1e-14)
    _, low, high = ops.quantile_interval(x, 0.5, conf=0.90)
    assert low == pytest.approx(1.506817785112854, rel=1e-14)
    assert high == pytest.approx(1.803988415397857, rel=1e-14)


@pytest.mark.parametrize("n", [5, 12, 37, 250])
@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_quantile_interval_matches_scipy_quantile_test(n, p):
    values = np.random.default_rng(n).lognormal(size=n)
    _, low, high = ops.quantile_interval(values, p)
    ci = st.quantile_test(values, p=p).confidence_interval(0.95)
    assert (math.isnan(low) and math.isnan(ci.low)) or low == ci.low
    assert (math.isnan(high) and math.isnan(ci.high)) or high == ci.high


def test_quantile_interval_by_hand():
    # n = 6, median: P(B <= 0) = 1/64 < 0.025 <= P(B <= 1) = 7/64, so the ranks are 1 and
    # 6 (coverage 1 - 2/64 = 96.9%). The 90th percentile: P(B <= 3) = 0.0159 < 0.025 <=
    # P(B <= 4) = 0.114 for Binomial(6, 0.9): lower rank 4; no upper rank within 1..6.
    x = [0.2, 0.5, 0.8, 1.5, 3.0, 30.0]
    assert ops.quantile_interval(x, 0.5) == (pytest.approx(1.15), 0.2, 30.0)
    estimate, low, high = ops.quantile_interval(x, 0.9)
    assert (estimate, low) == (pytest.approx(16.5), 1.5) and math.isnan(high)
    assert all(math.isnan(v) for v in ops.quantile_interval([], 0.5))
    with pytest.raises(ParameterError, match="strictly between 0 and 1"):
        ops.quantile_interval(x, 1.0)


# --- durations -------------------------------------------------------------------------


def test_durations_calendar_and_business_over_a_weekend():
    tickets = pd.DataFrame({
        "created_at": stamps("2024-03-01 17:00"),          # Friday
        "first_response_at": stamps("2024-03-04 09:00"),   # Monday
        "resolved_at": stamps("2024-03-04 11:30")})
    out = ops.response_durations(tickets, schedule=OFFICE)
    # Calendar: 64 h to the response, 66.5 h to the resolution. Business: Friday 17-18
    # (1 h) + Monday 08-09 (1 h) = 2 h, and 2 + 2.5 = 4.5 h.
    assert out.loc[0, "first_response_hours"] == 64.0
    assert out.loc[0, "first_response_business_hours"] == 2.0
    assert out.loc[0, "resolution_hours"] == 66.5
    assert out.loc[0, "resolution_business_hours"] == 4.5
    assert bool(out.loc[0, "responded"]) and bool(out.loc[0, "resolved"])
    assert list(tickets.columns) == ["created_at", "first_response_at", "resolved_at"]


def test_calendar_durations_across_a_change_of_clocks():
    # Clocks in London go forward at 01:00 on Sunday 31 March 2024: Saturday noon to
    # Monday noon is 47 real hours, 48 hours as the wall clocks read.
    tickets = pd.DataFrame({"created_at": stamps("2024-03-30 12:00"),
                            "first_response_at": stamps("2024-04-01 12:00")})
    real = ops.response_durations(tickets, source_timezone="Europe/London")
    written = ops.response_durations(tickets)
    assert real.loc[0, "first_response_hours"] == 47.0
    assert written.loc[0, "first_response_hours"] == 48.0


def test_open_tickets_and_problem_rows_are_counted():
    tickets = pd.DataFrame({
        "created_at": stamps("2024-03-04 09:00", "2024-03-04 09:00", None,
                             "2024-03-04 12:00", "2024-03-06 09:00", "2024-03-04 09:00"),
        "first_response_at": stamps("2024-03-04 10:00", None, None, "2024-03-04 11:00",
                                    None, None),
        "resolved_at": stamps(None, None, None, None, None, "2024-03-04 10:00")})
    out = ops.response_durations(tickets, schedule=OFFICE, as_of="2024-03-05 09:00")
    assert out["duration_issue"].tolist() == [
        None, None, "missing created_at", "first response before creation",
        "created after as_of", "resolved without a recorded first response"]
    # Ticket 0 answered after 1 h and open for resolution 24 h calendar, 10 business h
    # (Monday 09-18 = 9 h plus Tuesday 08-09 = 1 h); ticket 1 waits for both.
    assert out.loc[0, "first_response_hours"] == 1.0
    assert math.isnan(out.loc[0, "first_response_open_hours"])
    assert out.loc[0, "resolution_open_hours"] == 24.0
    assert out.loc[0, "resolution_open_business_hours"] == 10.0
    assert out.loc[1, "first_response_open_business_hours"] == 10.0
    assert out.loc[5, "resolution_hours"] == 1.0          # resolution itself is fine
    assert out.loc[2:4, ["first_response_hours", "first_response_open_hours"]].isna().all().all()


def test_durations_with_one_schedule_per_team():
    tickets = pd.DataFrame({"team": ["uk", "us"],
                            "created_at": pd.to_datetime(["2024-03-04 08:00Z"] * 2),
                            "first_response_at": pd.to_datetime(["2024-03-04 15:00Z"] * 2)})
    teams = {"uk": OFFICE,
             "us": {"timezone": "America/New_York", "hours": {"mon-fri": "08:00-18:00"}}}
    out = ops.response_durations(tickets, schedules=teams, by_column="team")
    # 08:00-15:00 UTC is 08:00-15:00 in London (7 h) and 03:00-10:00 in New York (2 h).
    assert out["first_response_business_hours"].tolist() == [7.0, 2.0]
    assert out["first_response_hours"].tolist() == [7.0, 7.0]


def test_duration_errors_name_the_column_and_the_fix():
    with pytest.raises(MissingColumnError, match="'created_at'.*load_tickets"):
        ops.response_durations(pd.DataFrame({"opened": ["2024-03-04"]}))
    with pytest.raises(ParameterError, match="Unknown time zone 'Europe/Londn'.*Europe/London"):
        ops.response_durations(pd.DataFrame({"created_at": stamps("2024-03-04")}),
                               source_timezone="Europe/Londn")
    with pytest.raises(ParameterError, match="Unknown time zone"):
        Schedule({"mon-fri": "08:00-18:00"}, timezone="Mars/Olympus")
    with pytest.raises(DataError, match="'first_response_at'.*'yesterday'.*ISO 8601"):
        ops.response_durations(pd.DataFrame({"created_at": ["2024-03-04 09:00"],
                                             "first_response_at": ["yesterday"]}))
    with pytest.raises(ParameterError, match="by_column="):
        ops.response_durations(pd.DataFrame({"created_at": stamps("2024-03-04")}),
                               schedules={"uk": OFFICE})
    with pytest.raises(ParameterError, match="as_of must be a date"):
        ops.response_durations(pd.DataFrame({"created_at": stamps("2024-03-04")}), as_of=5)


# --- SLA compliance --------------------------------------------------------------------


def sla_tickets():
    """Six tickets on Monday 4 March 2024 (London office hours 08-18), as_of 15:00.

    first response target: high 4 h, low 24 h (business hours)
    A high  09:00 -> 10:00  1 h   met
    B high  09:00 -> 13:30  4.5 h breached (over by 0.5 h)
    C high  09:00 open      6 h at as_of: breached while open (over by 2 h)
    D high  12:00 open      3 h at as_of: pending
    E low   09:00 open      6 h: pending
    F p5    09:00 -> 09:30  no target for priority p5
    """
    return pd.DataFrame({
        "ticket_id": list("ABCDEF"),
        "priority": ["high", "high", "high", "high", "low", "p5"],
        "agent": ["Ann", "Ann", "Bob", "Bob", "Bob", "Ann"],
        "created_at": stamps(*(["2024-03-04 09:00"] * 3 + ["2024-03-04 12:00"]
                               + ["2024-03-04 09:00"] * 2)),
        "first_response_at": stamps("2024-03-04 10:00", "2024-03-04 13:30", None, None,
                                    None, "2024-03-04 09:30"),
    })


def test_sla_statuses_for_open_tickets_by_hand():
    result = ops.sla_compliance(sla_tickets(), {"first_response": {"high": 4, "low": 24}},
                                schedule=OFFICE, as_of="2024-03-04 15:00")
    status = result.status.set_index("ticket_id")
    assert status["status"].tolist() == ["met", "breached", "breached while open", "pending",
                                         "pending", "no target"]
    assert status["elapsed_hours"].tolist() == [1.0, 4.5, 6.0, 3.0, 6.0, 0.5]
    assert status.loc["B", "over_by_hours"] == pytest.approx(0.5)
    assert status.loc["C", "over_by_hours"] == pytest.approx(2.0)
    row = result.table.iloc[0]
    # Decided: A met; B and C breached -> 1 of 3 met.
    assert (row["tickets"], row["met"], row["breached"], row["breached_open"], row["pending"],
            row["no_target"], row["n"]) == (6, 1, 2, 1, 2, 1, 3)
    low, high = wilson(1, 3)
    assert row["estimate"] == pytest.approx(100 / 3)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert bool(row["small_n"]) and "Wilson" in row["method"] and "Europe/London" in row["method"]
    assert result.breaches["ticket_id"].tolist() == ["C", "B"]       # largest overrun first
    # Due times: 09:00 + 4 business hours = 13:00 the same day.
    assert result.breaches["due_at"].tolist() == [pd.Timestamp("2024-03-04 13:00")] * 2
    assert any("1 tickets have no first_response target" in w and "'p5'" in w
               for w in result.warnings)
    counts = result.accounting.set_index("status")["tickets"]
    assert counts.sum() == 6 and counts["no target"] == 1
    assert result.summary().startswith("First response target met for 1 of 3 decided tickets")


def test_sla_business_against_calendar_clock_over_a_weekend():
    # Friday 16:00 -> Monday 10:00: 66 calendar hours but 2 + 2 = 4 business hours,
    # exactly the target (a response at the target meets it).
    tickets = pd.DataFrame({"priority": ["high"], "created_at": stamps("2024-03-01 16:00"),
                            "first_response_at": stamps("2024-03-04 10:00")})
    business = ops.sla_compliance(tickets, {"first_response": {"high": 4}}, schedule=OFFICE)
    calendar = ops.sla_compliance(tickets, {"first_response": {"high": 4}}, clock="calendar")
    assert business.status.loc[0, ["status", "elapsed_hours"]].tolist() == ["met", 4.0]
    assert calendar.status.loc[0, ["status", "elapsed_hours"]].tolist() == ["breached", 66.0]
    assert calendar.breaches.loc[0, "over_by_hours"] == 62.0
    assert calendar.breaches.loc[0, "due_at"] == pd.Timestamp("2024-03-01 20:00")


def test_sla_targets_by_priority_and_channel_table():
    tickets = pd.DataFrame({
        "priority": ["high", "high", "low"], "channel": ["social", "email", "social"],
        "created_at": stamps(*["2024-03-04 09:00"] * 3),
        "first_response_at": stamps(*["2024-03-04 10:30"] * 3)})
    table = [{"metric": "first_response", "priority": "high", "channel": "*", "target_hours": 4},
             {"metric": "first_response", "priority": "high", "channel": "social", "target_hours": 1},
             {"metric": "first_response", "priority": None, "channel": None, "target_hours": 2}]
    result = ops.sla_compliance(tickets, table, clock="calendar", by="channel")
    # The most specific row wins: high social 1 h (breached), high email 4 h (met), low
    # social the catch-all 2 h (met).
    assert result.status["target_hours"].tolist() == [1.0, 4.0, 2.0]
    assert result.status["status"].tolist() == ["breached", "met", "met"]
    assert result.table.set_index("channel")["met"].to_dict() == {"email": 1, "social": 1}
    clash = [{"metric": "first_response", "priority": "high", "channel": None, "target_hours": 4},
             {"metric": "first_response", "priority": None, "channel": "social", "target_hours": 1}]
    with pytest.raises(ParameterError, match="Two first_response targets apply to the same 1 "
                                             "tickets.*Add a row for the combination"):
        ops.sla_compliance(tickets, clash, clock="calendar")


def test_sla_bad_targets_and_arguments():
    tickets = sla_tickets()
    with pytest.raises(ParameterError, match=r"positive numbers of hours; got first_response "
                                             r"\(priority='high'\): -4"):
        ops.sla_compliance(tickets, {"first_response": {"high": -4}}, clock="calendar",
                           as_of="2024-03-04 15:00")
    with pytest.raises(ParameterError, match="Unknown SLA metric 'first_reply'.*did you mean "
                                             "'first_response'"):
        ops.sla_compliance(tickets, {"first_reply": 4}, clock="calendar")
    with pytest.raises(ParameterError, match="still open.*Pass as_of="):
        ops.sla_compliance(tickets, {"first_response": 4}, clock="calendar")
    with pytest.raises(ParameterError, match="clock='business' needs business hours"):
        ops.sla_compliance(tickets, {"first_response": 4})
    with pytest.raises(ParameterError, match="same target twice"):
        ops.sla_compliance(tickets, [{"metric": "first_response", "priority": "high",
                                      "target_hours": 4}] * 2, clock="calendar")
    with pytest.raises(MissingColumnError, match="keyed by 'channel'.*target_key="):
        ops.sla_compliance(tickets, {"first_response": {"email": 4}}, target_key="channel",
                           clock="calendar", as_of="2024-03-04 15:00")
    with pytest.raises(MissingColumnError, match="'resolved_at'.*'resolution_hours'"):
        ops.sla_compliance(tickets, {"resolution": 8}, clock="calendar",
                           as_of="2024-03-04 15:00")


def test_sla_warns_about_targets_no_ticket_has():
    result = ops.sla_compliance(sla_tickets(), {"first_response": {"high": 4, "critical": 1,
                                                                   "*": 24}},
                                clock="calendar", as_of="2024-03-04 15:00")
    assert any("priority 'critical' matches no ticket" in w and "spelling" in w
               for w in result.warnings)
    assert result.status["target_hours"].tolist() == [4, 4, 4, 4, 24, 24]  # '*' catches the rest


def test_sla_with_precomputed_durations_and_data_flag():
    # Call-centre style: no time stamps, the speed of answer in hours; unanswered calls
    # have none and are "not measurable" (counted).
    calls = pd.DataFrame({"first_response_hours": [30 / 3600, 90 / 3600, None, 60 / 3600],
                          "made_sla": ["Y", "N", "N", "N"]})
    result = ops.sla_compliance(calls, {"first_response": 60 / 3600}, clock="calendar")
    assert result.status["status"].tolist() == ["met", "breached", "not measurable", "met"]
    assert result.status.loc[2, "reason"] == "no first_response_hours"
    with pytest.raises(ParameterError, match="no 'resolution' target.*metric="):
        result.flag_agreement(calls, "made_sla")
    agreement = result.flag_agreement(calls, "made_sla", metric="first_response")
    assert agreement.values.tolist() == [["met", False, 1, False], ["met", True, 1, True],
                                         ["breached", False, 1, True],
                                         ["not measurable", False, 1, None]]


def test_sla_by_team_on_the_sample(sample_tickets):
    office = Schedule({"mon-fri": "08:00-18:00"}, timezone="UTC")
    result = ops.sla_compliance(sample_tickets, TARGETS, by="team", schedule=office,
                                as_of="2024-12-31 23:59")
    table = result.table
    assert set(table["team"]) == {"Accounts", "Frontline", "Onboarding", "Technical"}
    assert (table.groupby("metric")["tickets"].sum() == len(sample_tickets)).all()
    accounting = result.accounting.groupby("metric")["tickets"].sum()
    assert (accounting == len(sample_tickets)).all()
    # 103 tickets are still open: each is pending or breached while open for resolution.
    res = result.accounting[result.accounting["metric"] == "resolution"].set_index("status")
    assert res.loc["pending", "tickets"] + res.loc["breached while open", "tickets"] == 103
    assert table["estimate"].between(0, 100).all() and not result.warnings


# --- response times --------------------------------------------------------------------


def test_response_time_summary_by_hand_with_expectations():
    tickets = pd.DataFrame({"channel": ["social"] * 5 + ["email"] * 2,
                            "first_response_hours": [0.5, 0.9, 2, 30, None, 1, 50]})
    out = ops.response_time_summary(tickets, by="channel", min_n=2)
    social = out[out["channel"] == "social"].set_index("statistic")
    # 4 social tickets with a time (1 unanswered): 2 within 1 h, 3 within 24 h.
    assert social.loc["within_1h", ["n", "n_missing", "estimate"]].tolist() == [4, 1, 50.0]
    assert social.loc["within_24h", "estimate"] == 75.0
    low, high = wilson(3, 4)
    assert social.loc["within_24h", ["ci_low", "ci_high"]].tolist() == [pytest.approx(low),
                                                                         pytest.approx(high)]
    assert social.loc["median", "estimate"] == pytest.approx(1.45)
    assert social.loc["within_1h", "expectation"] == 40.0     # Sprout Social: 40% within 1 h
    assert social.loc["within_24h", "expectation"] == 79.0    # and 79% within 24 h
    assert social.loc["within_1h", "verdict"] == "not distinguishable"
    assert "sprout_social_reply_1h" in social.loc["within_1h", "expectation_source"]
    assert pd.isna(social.loc["median", "expectation"])
    assert "Conover" in social.loc["median", "method"]


def test_response_time_summary_errors():
    with pytest.raises(DataError, match="negative.*-2.0.*time zones"):
        ops.response_time_summary(pd.DataFrame({"first_response_hours": [1.0, -2.0]}))
    with pytest.raises(MissingColumnError, match="no column 'frt'"):
        ops.response_time_summary(pd.DataFrame({"x": [1.0]}), column="frt")
    with pytest.raises(ParameterError, match="positive hours"):
        ops.response_time_summary(pd.DataFrame({"first_response_hours": [1.0]}), within=(0,))


def test_first_response_shares_match_the_sample_readme(sample_tickets):
    # data/sample/README.md: "Share of tickets by bucket: 49% < 1 h, 17% 1-4 h, 24% 4-24 h,
    # 10% > 24 h" (elapsed time), i.e. cumulative 49%, 66%, 90%.
    out = ops.response_time_summary(sample_tickets, within=(1, 4, 24)).set_index("statistic")
    assert out.loc["within_1h", "estimate"] == pytest.approx(49, abs=1)
    assert out.loc["within_4h", "estimate"] == pytest.approx(66, abs=1)
    assert out.loc["within_24h", "estimate"] == pytest.approx(90, abs=1)
    assert out.loc["within_1h", "n_missing"] == 22        # open tickets without an answer
    assert out.loc["within_1h", "verdict"] == "above"      # 49% answered vs 40% expecting it


# --- resolution quality ----------------------------------------------------------------


def quality_tickets():
    """Five tickets, four resolved.

    FCR (contacts): T1 1 contact, not reopened -> yes; T2 1 contact but reopened -> no;
    T3 2 contacts -> no; T4 1 contact -> yes; T5 open -> not decided. FCR 2/4 = 50%.
    Handle time (minutes) 5, 10, 15, 20, 10: mean 12, sd sqrt(32.5), median 10.
    Contacts of resolved tickets 1, 1, 2, 1: mean 1.25. Reopened 1 of 4: 25%.
    """
    return pd.DataFrame({
        "ticket_id": ["T1", "T2", "T3", "T4", "T5"],
        "resolved_at": stamps("2024-03-01", "2024-03-01", "2024-03-02", "2024-03-03", None),
        "contacts": [1, 1, 2, 1, 1], "reopened": [0, 1, 0, 0, 0],
        "handle_time": [300, 600, 900, 1200, 600]})


def test_resolution_quality_by_hand():
    out = ops.resolution_quality(quality_tickets(), min_n=2).set_index("metric")
    assert out.loc["fcr", ["n", "estimate"]].tolist() == [4, 50.0]
    assert (out.loc["fcr", "ci_low"], out.loc["fcr", "ci_high"]) == tuple(
        pytest.approx(v) for v in wilson(2, 4))
    half = st.t.ppf(0.975, 4) * math.sqrt(32.5) / math.sqrt(5)
    assert out.loc["aht_mean", ["estimate", "ci_low", "ci_high"]].tolist() == [
        pytest.approx(12.0), pytest.approx(12 - half), pytest.approx(12 + half)]
    assert out.loc["aht_median", "estimate"] == 10.0
    assert out.loc["contacts_per_ticket", "estimate"] == 1.25
    assert out.loc["reopen_rate", "estimate"] == 25.0
    assert out.loc["fcr", ["benchmark_average", "benchmark_world_class"]].tolist() == [70.0, 80.0]
    assert out.loc["fcr", "verdict_average"] == "not distinguishable"   # small_n
    assert "one customer contact" in out.loc["fcr", "method"]
    assert "reopened flag as recorded" in out.loc["fcr", "method"]


def test_reopen_window_and_one_touch():
    tickets = quality_tickets().drop(columns="reopened").assign(
        reopened_at=stamps(None, "2024-03-12", None, "2024-03-05", None),
        agent_replies=[1, 1, 1, 3, 1])
    out = ops.resolution_quality(tickets, min_n=1, reopen_window_days=7).set_index("metric")
    # T2 reopened 11 days after resolution: outside the window, so T1 and T2 are FCR; T4
    # reopened after 2 days: not FCR. FCR 2/4, reopen rate 1/4.
    assert out.loc["fcr", "estimate"] == 50.0 and out.loc["reopen_rate", "estimate"] == 25.0
    assert "within 7 days" in out.loc["fcr", "method"]
    touch = ops.resolution_quality(tickets, method="one_touch", min_n=1).set_index("metric")
    # One agent reply: T1, T2, T3 of the four resolved -> 75%, reopens ignored.
    assert touch.loc["fcr", "estimate"] == 75.0
    assert "single agent reply" in touch.loc["fcr", "method"]


def test_resolution_quality_with_a_resolved_flag():
    # Call-centre data: every answered call is decided; unresolved ones count against FCR.
    calls = pd.DataFrame({"resolved": ["Y", "N", "Y", None], "contacts": 1})
    out = ops.resolution_quality(calls, min_n=1).set_index("metric")
    assert out.loc["fcr", ["n", "estimate"]].tolist() == [3, pytest.approx(200 / 3)]


def test_resolution_quality_errors():
    with pytest.raises(ParameterError, match="'contacts' \\(FCR\\) or 'one_touch'"):
        ops.resolution_quality(quality_tickets(), method="survey")
    with pytest.raises(MissingColumnError, match="resolved_at.*resolved flag"):
        ops.resolution_quality(pd.DataFrame({"contacts": [1]}))
    with pytest.raises(MissingColumnError, match="'contacts'.*one_touch"):
        ops.resolution_quality(quality_tickets().drop(columns="contacts"))
    with pytest.raises(DataError, match="'reopened'.*'maybe'"):
        ops.resolution_quality(quality_tickets().assign(reopened=["maybe", 0, 0, 0, 0]))


def test_resolution_quality_on_the_sample(sample_tickets):
    out = ops.resolution_quality(sample_tickets).set_index("metric")
    # README: reopened with probability 0.05 + 0.03 (contacts - 1), contacts = 1 + Poisson.
    assert out.loc["reopen_rate", "estimate"] == pytest.approx(100 * 2575 / 39732, abs=0.3)
    assert out.loc["fcr", "n"] == len(sample_tickets) - 103         # open tickets left out
    assert out.loc["fcr", "verdict_average"] == "below"


# --- deflection ------------------------------------------------------------------------


def deflection_volume():
    """Two months.

    January: phone 10 (12 USD), email 10 (4 USD), help centre 30 (0.25 USD).
      Assisted cost per contact (120 + 40) / 20 = 8; self-service 0.25.
      Deflected 30: cost avoided 30 x 7.75 = 232.5. Ratio 30 / 20 = 1.5; share 60%.
    February: phone 5, email 15 -> (60 + 60) / 20 = 6; help centre 10 and chatbot 10 at
      0.25 and 1.25 -> 0.75. Cost avoided 20 x (6 - 0.75) = 105. Ratio 1.
    Overall: assisted (180 + 100) / 40 = 7; self-service (10 + 12.5) / 50 = 0.45;
      50 x 6.55 = 327.5.
    """
    return pd.DataFrame({
        "date": ["2024-01-05"] * 3 + ["2024-02-10"] * 4 + ["2024-02-11"],
        "channel": ["phone", "email", "help_center", "phone", "email", "help_center",
                    "chatbot", "phone"],
        "kind": ["assisted", "assisted", "self_service", "assisted", "assisted",
                 "self_service", "self_service", "unknown"],
        "contacts": [10, 10, 30, 5, 15, 10, 10, 99]})


COSTS = {"phone": 12, "email": 4, "help_center": 0.25, "chatbot": 1.25}


def test_deflection_arithmetic_by_hand():
    result = ops.deflection(deflection_volume(), costs=COSTS)
    table = result.table.set_index(result.table["period"].astype(str))
    assert table.loc["2024-01", ["self_service", "assisted", "n"]].tolist() == [30, 20, 50]
    assert table.loc["2024-01", ["deflection_ratio", "assisted_cost", "self_service_cost",
                                 "cost_avoided"]].tolist() == [1.5, 8.0, 0.25, 232.5]
    assert table.loc["2024-02", ["deflection_ratio", "assisted_cost", "self_service_cost",
                                 "cost_avoided"]].tolist() == [1.0, 6.0, 0.75, 105.0]
    overall = result.overall.iloc[0]
    assert overall[["assisted_cost", "self_service_cost", "cost_avoided"]].tolist() == [
        7.0, 0.45, pytest.approx(327.5)]
    low, high = wilson(30, 50)
    assert table.loc["2024-01", "estimate"] == 60.0
    assert table.loc["2024-01", "ratio_ci_low"] == pytest.approx(low / (100 - low))
    assert table.loc["2024-01", "ratio_ci_high"] == pytest.approx(high / (100 - high))
    # The row of kind 'unknown' is set aside and counted.
    assert result.accounting.set_index("item")["rows"].to_dict() == {
        "rows read": 8, "rows used": 7, "set aside: kind neither assisted nor self-service": 1}
    half = ops.deflection(deflection_volume(), costs=COSTS, deflected_share=0.5)
    assert half.table["cost_avoided"].tolist() == [116.25, 52.5]
    assert any("50% of self-service contacts" in a for a in half.assumptions)


def test_deflection_default_costs_are_cited():
    assert ops.DEFAULT_COSTS["phone"] == 12.0 and ops.DEFAULT_COSTS["social"] == 1.0
    assert any("HelpSocial" in s["citation"] for s in ops.COST_SOURCES)
    result = ops.deflection(deflection_volume().iloc[:7])
    costs = result.costs.set_index("channel")
    assert costs.loc["phone", "cost_per_contact"] == 12.0
    assert "ContactBabel" in costs.loc["email", "source"]
    assert result.assumptions[0].startswith("Cost per contact by channel:")


def test_deflection_errors():
    with pytest.raises(ParameterError, match="No cost per contact for channel\\(s\\) 'fax'.*costs="):
        ops.deflection(pd.DataFrame({"date": ["2024-01-01"], "channel": ["fax"],
                                     "kind": ["assisted"], "contacts": [1]}))
    with pytest.raises(DataError, match="counts of 0 or more.*-3"):
        ops.deflection(deflection_volume().assign(contacts=[10, 10, -3, 5, 15, 10, 10, 99]))
    with pytest.raises(MissingColumnError, match="'kind'"):
        ops.deflection(deflection_volume().drop(columns="kind"))
    with pytest.raises(ParameterError, match="costs must be numbers of 0 or more"):
        ops.deflection(deflection_volume(), costs={"phone": -1})


def test_deflection_on_the_sample():
    volume = pd.read_csv(SAMPLE / "volume.csv")
    result = ops.deflection(volume, period="Q")
    share = result.table.set_index(result.table["period"].astype(str))["estimate"]
    # README: "self-service share of contacts 66.1% in 2023Q1, 82.6% in 2024Q4".
    assert share["2023Q1"] == pytest.approx(66.1, abs=0.05)
    assert share["2024Q4"] == pytest.approx(82.6, abs=0.05)


# --- volume ----------------------------------------------------------------------------


def test_volume_weekday_by_hour_on_a_tiny_frame():
    # 2024-03-04 and 2024-03-11 are Mondays: the range holds 8 days, Monday twice.
    tickets = pd.DataFrame({"created_at": stamps(
        "2024-03-04 09:10", "2024-03-04 09:40", "2024-03-04 14:00", "2024-03-05 14:00",
        "2024-03-11 09:05", None)})
    result = ops.volume_profile(tickets)
    heat = result.heatmap_table()
    assert heat.loc["Monday", 9] == 1.5          # 3 contacts in 09:00-10:00 over 2 Mondays
    assert heat.loc["Monday", 14] == 0.5
    assert heat.loc["Tuesday", 14] == 1.0        # one Tuesday in the range
    assert heat.loc["Sunday"].sum() == 0.0
    monday = result.weekday.set_index("weekday_name").loc["Monday"]
    # Monday totals 3 and 1: mean 2, sd sqrt(2), t interval with 1 df.
    half = st.t.ppf(0.975, 1) * math.sqrt(2) / math.sqrt(2)
    assert monday[["n", "estimate", "ci_low", "ci_high"]].tolist() == [
        2, 2.0, pytest.approx(2 - half), pytest.approx(2 + half)]
    hourly = result.hourly.set_index("hour")
    assert hourly.loc[9, ["contacts", "n", "estimate", "share"]].tolist() == [3.0, 8, 3 / 8, 60.0]
    cell = result.heatmap.set_index(["weekday_name", "hour"]).loc[("Monday", 9)]
    # Monday 09:00-10:00: 2 and 1 contacts -> mean 1.5, sd sqrt(0.5), 1 df.
    half = st.t.ppf(0.975, 1) * math.sqrt(0.5) / math.sqrt(2)
    assert cell[["n", "ci_low", "ci_high"]].tolist() == [2, pytest.approx(1.5 - half),
                                                         pytest.approx(1.5 + half)]
    assert result.accounting.set_index("item")["rows"].to_dict() == {
        "rows read": 6, "rows used": 5, "set aside: missing created_at": 1}
    assert result.forecast is None and result.trend is None     # far too short
    assert any("trend test needs" in w for w in result.warnings)


def test_volume_time_zone_conversion_and_errors():
    tickets = pd.DataFrame({"created_at": stamps("2024-07-01 08:30")})   # UTC, summer
    london = ops.volume_profile(tickets, timezone="Europe/London")
    assert london.hourly.set_index("hour").loc[9, "contacts"] == 1.0   # 09:30 BST
    with pytest.raises(ParameterError, match="Unknown time zone 'Europe/Londn'.*Europe/London"):
        ops.volume_profile(tickets, timezone="Europe/Londn")
    with pytest.raises(MissingColumnError, match="'opened_at'.*timestamp="):
        ops.volume_profile(tickets, timestamp="opened_at")


def test_volume_profile_on_the_sample(sample_tickets):
    result = ops.volume_profile(sample_tickets, horizon=4)
    weekday = result.weekday.set_index("weekday_name")["estimate"]
    # README weekday factors: Mon 1.15 ... Sat 0.40, Sun 0.35.
    assert weekday.idxmax() == "Monday" and weekday.idxmin() == "Sunday"
    assert weekday["Monday"] / weekday["Saturday"] == pytest.approx(1.15 / 0.40, rel=0.15)
    assert result.heatmap_table().shape == (7, 24)
    assert len(result.forecast) == 4 and (result.forecast["pi_low"] >= 0).all()
    assert result.staffing.groupby("period")["forecast"].sum().round(6).tolist() == \
        result.forecast["forecast"].round(6).tolist()
    assert result.trend.n == result.weekly["partial"].eq(False).sum()
    assert "Monday" in result.summary()


# --- operations and satisfaction --------------------------------------------------------


def test_ops_satisfaction_tests_by_hand():
    tickets = pd.DataFrame({"ticket_id": ["T1", "T2", "T3"],
                            "priority": ["high"] * 3,
                            "created_at": stamps(*["2024-03-04 09:00"] * 3),
                            "first_response_at": stamps("2024-03-04 09:30", "2024-03-04 11:00",
                                                        "2024-03-04 16:00"),
                            "contacts": [1, 1, 2], "resolved_at": stamps(*["2024-03-05"] * 3)})
    answers = pd.DataFrame({"ticket_id": ["T1"] * 40 + ["T2"] * 40 + ["T3"] * 40 + [None],
                            "score": [5] * 30 + [1] * 10 + [4] * 20 + [2] * 20 + [5] * 8
                            + [1] * 32 + [5]})
    out = ops.ops_satisfaction(tickets, answers, targets={"first_response": {"high": 4}},
                               as_of="2024-03-05")
    sla = out[out["comparison"] == "first-response SLA"].iloc[0]
    # SLA met: T1 and T2, 50 of 80 satisfied; breached: T3, 8 of 40.
    assert (sla["n"], sla["estimate"], sla["ref_n"], sla["ref_estimate"]) == (80, 62.5, 40, 20.0)
    test = stats.two_proportion_test(50, 80, 8, 40)
    low, high = stats.proportion_difference_interval(50, 80, 8, 40)
    assert sla["statistic"] == pytest.approx(test.statistic)
    assert (sla["ci_low"], sla["ci_high"]) == (pytest.approx(100 * low), pytest.approx(100 * high))
    assert out["p_adjusted"].tolist() == pytest.approx(
        stats.adjust_pvalues(out["p_value"], "holm").tolist())
    buckets = out[out["comparison"] == "first response time"]
    assert buckets[["group", "reference"]].values.tolist() == [["1-4 h", "under 1 h"],
                                                               ["4-24 h", "under 1 h"]]
    assert out.attrs["accounting"]["without ticket_id"] == 1
    assert any("over 24 h vs under 1 h not compared" in w for w in out.attrs["warnings"])


def test_ops_satisfaction_on_the_sample(sample_tickets, sample_answers):
    out = ops.ops_satisfaction(sample_tickets, sample_answers, targets=TARGETS,
                               as_of="2024-12-31 23:59").set_index(["comparison", "group"])
    # Satisfaction is higher when the SLA was met, lower the longer the first response
    # (README effect 3: 84.6%, 72.8%, 64.4%, 49.6%) and higher with FCR.
    assert out.loc[("first-response SLA", "met"), "difference"] > 10
    assert bool(out.loc[("first-response SLA", "met"), "significant"])
    frt = out.loc["first response time"]
    assert frt.loc["over 24 h", "estimate"] == pytest.approx(49.6, abs=1)
    assert frt.loc["1-4 h", "ref_estimate"] == pytest.approx(84.6, abs=1)
    assert (frt["difference"] < 0).all() and frt["difference"].is_monotonic_decreasing
    assert out.loc[("first-contact resolution", "FCR"), "difference"] > 5
    assert out.attrs["accounting"]["answers compared"] == 14375   # every CSAT answer


def test_ops_satisfaction_errors(sample_tickets):
    answers = pd.DataFrame({"ticket_id": ["T000001"], "score": [5]})
    with pytest.raises(ParameterError, match="Unknown correction 'bonferroni'"):
        ops.ops_satisfaction(sample_tickets, answers, correction="bonferroni")
    with pytest.raises(MissingColumnError, match="'case_id'.*on="):
        ops.ops_satisfaction(sample_tickets, answers, on="case_id")
    out = ops.ops_satisfaction(sample_tickets.head(50), answers)
    assert any("No SLA targets" in w for w in out.attrs["warnings"])


# --- real data (../shared/realdata) ------------------------------------------------------


@pytest.mark.realdata
def test_call_centre_speed_of_answer_and_resolution():
    folder = require_shared(REALDATA / "call_centre_pwc")
    raw = pd.read_csv(folder / "call_centre.csv")
    calls = load_tickets(raw.assign(created_at=raw["Date"] + " " + raw["Time"]),
                         columns={"Call Id": "ticket_id", "Agent": "agent"}).data
    calls = calls.assign(first_response_hours=calls["speed_of_answer_in_seconds"] / 3600)
    sla = ops.sla_compliance(calls, {"first_response": 60 / 3600}, clock="calendar")
    row = sla.table.iloc[0]
    # SOURCE.md: "The share answered within 60 s is 0.4430" (of the 4,054 answered calls).
    assert row["n"] == 4054 and row["estimate"] == pytest.approx(44.30, abs=0.005)
    quality = ops.resolution_quality(
        calls.assign(resolved=calls["resolved"].where(calls["answered_y_n"] == "Y"), contacts=1))
    fcr = quality.set_index("metric").loc["fcr"]
    # SOURCE.md: "Resolved is 0.8994 of answered calls".
    assert fcr["n"] == 4054 and fcr["estimate"] == pytest.approx(89.94, abs=0.005)


@pytest.mark.realdata
def test_incident_log_resolution_times_and_made_sla():
    folder = require_shared(REALDATA / "incident_sla_uci")
    events = pd.read_csv(folder / "incident_event_log_head.csv", na_values=["?"])
    incidents = load_tickets(events.drop_duplicates("number", keep="last"),
                             columns={"number": "ticket_id", "opened_at": "created_at"},
                             dayfirst=True).data
    summary = ops.response_time_summary(incidents, column="resolution_hours",
                                        expectations=False).set_index("statistic")
    # SOURCE.md: 861 incidents with a resolved_at, median resolution 54.47 h.
    assert summary.loc["median", "n"] == 861
    assert summary.loc["median", "estimate"] == pytest.approx(54.47, abs=0.01)
    targets = {"resolution": {"1 - Critical": 4, "2 - High": 8, "3 - Moderate": 72,
                              "4 - Low": 120}}
    sla = ops.sla_compliance(incidents, targets, clock="calendar", as_of="2016-12-31")
    agreement = sla.flag_agreement(incidents, "made_sla")
    flagged = agreement[agreement["data_flag"].eq(True)]["tickets"].sum()
    # SOURCE.md: made_sla is TRUE for 0.5562 of the 890 incidents.
    assert agreement["tickets"].sum() == 890 and flagged / 890 == pytest.approx(0.5562, abs=5e-5)


# --- describe_flag_agreement ------------------------------------------------------------------


def test_describe_flag_agreement_hand_counted():
    # Target 8 h (calendar). Elapsed 1, 11, 2, 3 h and one unresolved at as_of (waited 12 h):
    # toolkit met, breached, met, met, breached while open; flags T, T, F, T, F.
    # Agree: rows 1, 4 (met & T) and 5 (breached & F) -> 3 of 5; 1 met-but-F (2 h), 1 breached-
    # but-T (11 h).
    tickets = pd.DataFrame({
        "created_at": pd.to_datetime(["2024-03-04 09:00"] * 5),
        "resolved_at": pd.to_datetime(["2024-03-04 10:00", "2024-03-04 20:00", "2024-03-04 11:00",
                                       "2024-03-04 12:00", None]),
        "made_sla": ["TRUE", "TRUE", "FALSE", "TRUE", "FALSE"]})
    sla = ops.sla_compliance(tickets, {"resolution": 8}, clock="calendar", as_of="2024-03-04 21:00")
    table, sentences = ops.describe_flag_agreement(sla, tickets, "made_sla")
    assert table["tickets"].sum() == 5
    low, high = wilson(3, 5)
    assert sentences[0] == (f"The toolkit's resolution SLA and the data's own flag made_sla agree "
                            f"for 3 of 5 tickets both decide (60.0%, 95% CI {low:.1f}% to "
                            f"{high:.1f}%).")
    assert "1 tickets are within the target here but not made by made_sla (median 2.0 h" \
        in sentences[1]
    assert "1 tickets are past the target here but made by made_sla (median 11.0 h" in sentences[2]
    assert sentences[-1].startswith("Why they differ: made_sla was set by the source system")
    assert table.loc[table["toolkit"].eq("breached") & table["data_flag"].eq(False),
                     "median_elapsed_hours"].iloc[0] == pytest.approx(12.0)
    with pytest.raises(MissingColumnError, match="no column 'flag'"):
        ops.describe_flag_agreement(sla, tickets, "flag")


def test_deflection_can_count_social_on_the_deflecting_side():
    volume = pd.DataFrame({"date": ["2024-01-02"] * 4,
                           "channel": ["phone", "email", "social", "help_center"],
                           "kind": ["assisted", "assisted", "assisted", "self_service"],
                           "contacts": [10, 10, 10, 30]})
    costs = {"phone": 12, "email": 4, "social": 1, "help_center": 0.25}
    plain = ops.deflection(volume, costs=costs).table.iloc[0]
    moved = ops.deflection(volume, costs=costs, self_channels=["social"]).table.iloc[0]
    assert plain["deflection_ratio"] == 1.0 and moved["deflection_ratio"] == 2.0
    # assisted average (12 + 4) / 2 = 8; deflecting side 10 social at 1 and 30 at 0.25
    # average (10 + 7.5) / 40 = 0.4375: 40 x (8 - 0.4375) = 302.5
    assert moved["cost_avoided"] == pytest.approx(302.5)


def test_unanswered_calls_can_count_as_missed():
    calls = pd.DataFrame({"ticket_id": ["a", "b", "c", "d"], "priority": ["x"] * 4,
                          "first_response_hours": [10 / 3600, 50 / 3600, 90 / 3600, None]})
    target = {"first_response": 1 / 60}  # answer within 60 seconds
    plain = ops.sla_compliance(calls, target, clock="calendar")
    strict = ops.sla_compliance(calls, target, clock="calendar", unanswered="breached")
    # 2 of 3 answered calls within 60 s; counting the abandoned one as missed: 2 of 4.
    assert plain.table["estimate"].iloc[0] == pytest.approx(100 * 2 / 3)
    assert strict.table["estimate"].iloc[0] == pytest.approx(50.0)
    row = strict.status.set_index("ticket_id").loc["d"]
    assert row["status"] == "breached" and row["reason"] == "never answered (counted as missed)"
    assert np.isnan(row["elapsed_hours"])
    with pytest.raises(ParameterError, match="unanswered must be"):
        ops.sla_compliance(calls, target, clock="calendar", unanswered="ignore")


def test_response_sentences_read_in_seconds_minutes_or_hours():
    calls = pd.DataFrame({"first_response_hours": np.array([20, 25, 40, 70, 130] * 10) / 3600})
    summary = ops.response_time_summary(calls, within=(30 / 3600, 1 / 60), expectations=False)
    assert summary["limit_hours"].dropna().tolist() == [30 / 3600, 1 / 60]
    median, within_30, within_60 = ops.describe_response_times(summary)
    assert median.startswith("Median first response 40 s (95% CI")
    assert within_30.startswith("40.0% answered within 30 s")
    assert within_60.startswith("60.0% answered within 1 min")


# --- issue 10: report date from the data, sentences from the package -----------------------

def test_ops_report_date_is_the_latest_ticket_time():
    tickets = pd.DataFrame({"created_at": pd.to_datetime(["2025-03-01 09:00", "2025-03-05 08:00"]),
                            "first_response_at": pd.to_datetime(["2025-03-01 10:00", None]),
                            "resolved_at": pd.to_datetime(["2025-03-04 16:30", None])})
    when = ops.ops_report_date(None, tickets)
    assert str(when.timestamp) == "2025-03-05 08:00:00" and when.column == "created_at"
    assert ops.ops_report_date("2025-06-30", tickets).source == "parameter"
    answers = pd.DataFrame({"responded_at": pd.to_datetime(["2025-04-01 12:00"])})
    assert ops.ops_report_date(None, None, answers=answers).column == "responded_at"
    assert ops.ops_report_date(None, None) is None


def test_duration_overview_and_open_ticket_sentences():
    durations = pd.DataFrame({"first_response_hours": [0.5, 1.0, 2.0, 4.0, np.nan],
                              "resolution_hours": [np.nan] * 5,
                              "first_response_open_hours": [np.nan] * 4 + [9.0],
                              "duration_issue": [None] * 5})
    table = ops.duration_overview(durations, min_n=1)
    assert table["duration"].unique().tolist() == ["first_response_hours"]
    assert table.loc[table["statistic"] == "median", "estimate"].iloc[0] == pytest.approx(1.5)
    assert ops.duration_overview(durations.drop(columns="first_response_hours")) is None
    tickets = pd.DataFrame({"first_response_at": [1, 2, 3, 4, None]})
    assert ops.describe_open_tickets(durations, tickets, as_of="2025-03-05") == [
        "1 tickets still open at 2025-03-05 have waited a median 9.0 h so far (first response hours)."]


def test_quality_both_ways_and_its_sentences():
    tickets = pd.DataFrame({"ticket_id": list("abcd"), "contacts": [1, 2, 1, 1],
                            "reopened": [0, 0, 1, 0],
                            "resolved_at": pd.to_datetime(["2025-01-02"] * 4)})
    both = ops.quality_both_ways(tickets, min_n=1)
    fcr = both.set_index("metric")
    assert fcr.loc["fcr", "estimate"] == pytest.approx(50.0)  # one contact and not reopened: a, d
    assert "fcr (one_touch)" in fcr.index
    sentences = ops.describe_quality(ops.resolution_quality(tickets, min_n=1))
    assert sentences[0].startswith("First-contact resolution 50.0% (95% CI ")
    assert "(95% CI 15.0% to 85.0%, n=4): not distinguishable" in sentences[0]
    assert any(s.startswith("Reopen rate 25.00% (95% CI") for s in sentences)


def test_describe_ops_satisfaction_states_both_sides():
    row = {"comparison": "resolution SLA", "group": "met", "reference": "missed",
           "estimate": 80.0, "ref_estimate": 60.0, "difference": 20.0, "ci_low": 10.5,
           "ci_high": 29.0, "p_adjusted": 0.2, "significant": False, "n": 1200, "ref_n": 40,
           "conf": 0.9}
    assert ops.describe_ops_satisfaction(pd.DataFrame([row])) == [
        "resolution SLA: 80.0% satisfied when met against 60.0% when missed (+20.0 points, 90% "
        "CI +10.5 to +29.0; adjusted p = 0.200; not significant; n=1,200 vs 40)."]
    # p the toolkit's way (05 printed "adjusted p 1.51e-24"), the correction named
    tiny = pd.DataFrame([row | {"p_adjusted": 1.51e-24, "significant": True,
                                "correction": "Holm"}])
    assert "; Holm-adjusted p < 0.001; significant;" in ops.describe_ops_satisfaction(tiny)[0]
    plain = pd.DataFrame([row | {"correction": "none"}])
    assert "; unadjusted p = 0.200; " in ops.describe_ops_satisfaction(plain)[0]


def test_short_history_says_why_there_is_no_forecast():
    days = pd.date_range("2025-03-03", periods=10, freq="D")
    tickets = pd.DataFrame({"created_at": np.repeat(days, 5) + pd.Timedelta(hours=10)})
    profile = ops.volume_profile(tickets, min_n=1)
    assert profile.forecast is None
    assert profile.forecast_gap.startswith("No forecast: ")
    assert profile.forecast_gap.endswith("(1 full weeks of volume; the staffing forecast is skipped).")
    assert profile.busiest_hours().empty


def test_sla_tickets_without_a_priority_are_no_target_and_named_missing():
    # HubSpot tickets come with a blank priority (vendor-exports/hubspot): the warning
    # names them "(missing)" instead of failing on the missing value (categorical or not).
    for priority in (pd.Series(["high", None, None, "low", "high", "low"]),
                     pd.Series(["high", None, None, "low", "high", "low"], dtype="category")):
        tickets = sla_tickets().assign(priority=priority)
        result = ops.sla_compliance(tickets, {"first_response": {"high": 4, "low": 24}},
                                    schedule=OFFICE, as_of="2024-03-04 15:00")
        assert result.status["status"].tolist().count("no target") == 2
        assert any("2 tickets have no first_response target (priority '(missing)'" in w
                   for w in result.warnings), result.warnings


# --- results in JupyterLab (issue 13) ---------------------------------------------------


def test_sla_result_shows_in_jupyter():
    tickets = sla_tickets().assign(agent=lambda d: d["agent"].replace("Ann", "<b>Ann</b>"))
    result = ops.sla_compliance(tickets, {"first_response": {"high": 4, "low": 24}},
                                schedule=OFFICE, as_of="2024-03-04 15:00", by="agent")
    out = result._repr_html_()
    assert html.escape(result.summary()) in out and ">Agent<" in out and ">Breached<" in out
    assert "&lt;b&gt;Ann&lt;/b&gt;" in out and "<b>" not in out
    assert all(html.escape(w) in out for w in result.warnings)
    assert "Times on the business clock, as of 2024-03-04 15:00." in out


def test_deflection_and_volume_show_in_jupyter():
    result = ops.deflection(deflection_volume(), costs=COSTS)
    out = result._repr_html_()
    assert html.escape(result.summary()) in out and ">Deflection ratio<" in out
    assert all(html.escape(a) in out for a in result.assumptions)
    tickets = pd.DataFrame({"created_at": stamps(
        "2024-03-04 09:10", "2024-03-04 09:40", "2024-03-04 14:00", "2024-03-05 14:00",
        "2024-03-11 09:05", None)})
    volume = ops.volume_profile(tickets)
    out = volume._repr_html_()
    assert html.escape(volume.summary()) in out and ">Weekday<" in out
    assert ">Monday<" in out and all(html.escape(w) in out for w in volume.warnings)
