"""03_drivers with its defaults on anyone's data (issue 10): generated data of another year
and a short history, with no ticket table, one survey type only, a single agent and channel,
an agent per answer, and a derived column named where columns are named. Another year, no
tickets and the single agent and channel are the any-data matrix's runs (``any_data_run``,
tests/conftest.py, shared with tests/test_any_data.py); the others run the notebook's cells
once each in the test process (``page_run``: the same builder calls and headline.json, no
kernel). The tests of one run share its xdist group, so one worker runs it."""
from __future__ import annotations

import pandas as pd
import pytest

import csat_toolkit as ct
import csat_toolkit.sample  # noqa: F401  (ct.sample)

from .conftest import any_data_group

FAST = {"n_boot": 20}


@pytest.fixture(scope="session")
def drivers_data(tmp_path_factory):
    """18 months from July 2024, 300 customers, and the variants the tests need, as CSV."""
    folder = tmp_path_factory.mktemp("drivers_data")
    frames = ct.sample.make_sample(seed=7, n_customers=300, start="2024-07", months=18)
    responses, tickets = frames["responses"], frames["tickets"]
    files = {
        "responses": responses, "tickets": tickets,
        "nps_only": responses[responses["survey"] == "nps"],
        "many_answers": responses.assign(agent=[f"A{i:06d}" for i in range(len(responses))]),
    }
    for name, frame in files.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return {name: str(folder / f"{name}.csv") for name in files} | {"frames": frames}


def run(page_run, data, responses="responses", tickets="tickets", **parameters):
    return page_run("03_drivers", responses_path=data[responses],
                    tickets_path=None if tickets is None else data[tickets], **FAST,
                    **parameters)


OTHER_YEAR, NO_TICKETS, ONE_LEVEL = ("later_short_history", "responses_only_a_level_per_answer",
                                     "csat_only_one_level")


@pytest.mark.slow
@pytest.mark.xdist_group(any_data_group(OTHER_YEAR))
def test_other_year_report_date_is_the_latest_answer(any_data_run):
    # Seed 7, 18 months from July 2024, every file, the defaults (n_boot 300).
    case = any_data_run(OTHER_YEAR)
    headline = case.headline("03_drivers")
    answers = pd.read_csv(case.parameters["responses_path"], usecols=["responded_at"])
    latest = pd.to_datetime(answers["responded_at"]).max()
    assert latest == pd.Timestamp("2025-12-31 23:00")
    assert headline["as_of"] == latest.isoformat() and headline["as_of_source"] == "data"
    assert headline["as_of_column"] == "responded_at"
    # 300 customers: some comment topics are mentioned by fewer than min_n answers; the
    # page names them (and only them) as left out; every other section ran
    assert [s[:31] for s in headline["skipped"]] in ([], ["Fewer than 30 answers mention: "])
    assert "topic: Product bugs and errors (15)" in headline["skipped"][0]
    assert headline["drivers"] and headline["r2"] > 0 and headline["drivers_left_out"] == []
    topics = {d["driver"] for d in headline["topic_drivers"]}
    assert {"has_comment", "topic_agent_attitude"} <= topics  # mentioned often enough
    assert "topic_product_bugs" not in topics


@pytest.mark.slow
@pytest.mark.xdist_group(any_data_group(NO_TICKETS))
def test_no_ticket_table_skips_with_sentences(any_data_run):
    # Only a responses file (and volume), whose channel has a level per answer.
    headline = any_data_run(NO_TICKETS).headline("03_drivers")
    left = {r["driver"]: r["reason"] for r in headline["drivers_left_out"]}
    assert left == {**{d: "not a column" for d in ("first_response_hours", "contacts",
                                                   "reopened", "priority")},
                    "channel": "every level small"}
    assert ("Driver 'contacts' is not a column of the answers (it is in the ticket table "
            "(tickets_path is None)): left out.") in headline["skipped"]
    # The answers' own columns are still drivers without a ticket table.
    assert {d["driver"] for d in headline["drivers"]} == {"agent", "product"}
    assert "No ticket table (tickets_path): the non-response analysis is skipped." in headline["skipped"]
    assert any(s.startswith("No answers with a duration column") for s in headline["skipped"])


def test_one_survey_type_only(page_run, drivers_data):
    headline = run(page_run, drivers_data, responses="nps_only").headline
    assert ("No CSAT answers (driver_survey; surveys in the data: nps): the model, importance "
            "and priorities are skipped.") in headline["skipped"]
    assert headline["drivers"] == [] and headline["kpis"] == [] and headline["n_used"] == 0
    assert not any(s.startswith("Driver ") for s in headline["skipped"])  # one sentence, not seven


@pytest.mark.slow
@pytest.mark.xdist_group(any_data_group(ONE_LEVEL))
def test_single_agent_and_channel(any_data_run):
    # CSAT answers and tickets with one channel ('email') and one agent ('Agent 01').
    headline = any_data_run(ONE_LEVEL).headline("03_drivers")
    left = {r["driver"]: r["reason"] for r in headline["drivers_left_out"]}
    assert left == {"channel": "one value only", "agent": "one value only"}
    assert ("Column 'agent' has one value only in the answers joined to their tickets "
            "('Agent 01'): nobody to compare with, the comparison by agent is skipped."
            ) in headline["skipped"]
    assert "team" in headline["agents_ranked"] and headline["drivers"]


# An agent per answer, a derived column named as a driver and a non-response cell, and a
# misspelt driver: one run (each check reads a different part of the report).
MANY_AGENTS_DERIVED = {"derive": {"urgent": "priority == 'urgent'"},
                       "drivers": ["urgent", "contacts", "chanel", "agent"],
                       "nonresponse_cells": ["urgent"]}


@pytest.mark.xdist_group("drivers_many_agents_derived")
def test_an_agent_per_answer_is_bounded(page_run, drivers_data):
    shown = run(page_run, drivers_data, responses="many_answers", **MANY_AGENTS_DERIVED)
    out, headline = shown.out, shown.headline
    left = {r["driver"]: r["reason"] for r in headline["drivers_left_out"]}
    assert left["agent"] == "every level small" and set(left) == {"agent", "chanel"}
    fair = pd.read_csv(out / "fair_agent.csv")
    assert len(fair) == (drivers_data["frames"]["responses"]["survey"] == "csat").sum()
    assert headline["agents_ranked"]["agent"] == []  # nobody has min_n answers
    assert "Showing 30 of" in shown.text and "agent values" in shown.text


@pytest.mark.xdist_group("drivers_many_agents_derived")
def test_derived_column_named_as_driver_and_nonresponse_cell(page_run, drivers_data):
    headline = run(page_run, drivers_data, responses="many_answers",
                   **MANY_AGENTS_DERIVED).headline
    assert {d["driver"] for d in headline["drivers"]} == {"urgent", "contacts"}
    assert {r["driver"]: r["reason"] for r in headline["drivers_left_out"]}["chanel"] == \
        "not a column"
    assert any("Driver 'chanel' is not a column" in s and "nearest: 'channel'" in s
               for s in headline["skipped"])
    assert any("post-stratified" in f.lower() for f in headline["findings"])
