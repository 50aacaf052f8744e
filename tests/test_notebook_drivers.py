"""03_drivers with its defaults on anyone's data (issue 10): generated data of another year
and a short history, with no ticket table, one survey type only, a single agent and channel,
an agent per answer, and a derived column named where columns are named. Each configuration
runs once (``notebook_run``) and its tests share that run on one xdist worker."""
from __future__ import annotations

import pandas as pd
import pytest

import csat_toolkit as ct
import csat_toolkit.sample  # noqa: F401  (ct.sample)

from .conftest import executed_notebook, read_headline

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
        "single_answers": responses.assign(agent="Agent 01", channel="email"),
        "single_tickets": tickets.assign(agent="Agent 01", channel="email"),
        "many_answers": responses.assign(agent=[f"A{i:06d}" for i in range(len(responses))]),
    }
    for name, frame in files.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return {name: str(folder / f"{name}.csv") for name in files} | {"frames": frames}


def run(notebook_run, data, responses="responses", tickets="tickets", **parameters):
    return read_headline(notebook_run(
        "03_drivers", responses_path=data[responses],
        tickets_path=None if tickets is None else data[tickets], **FAST, **parameters))


@pytest.mark.slow
@pytest.mark.xdist_group("drivers_other_year")
def test_other_year_report_date_is_the_latest_answer(notebook_run, drivers_data):
    headline = run(notebook_run, drivers_data)
    latest = pd.to_datetime(drivers_data["frames"]["responses"]["responded_at"]).max()
    assert headline["as_of"] == latest.isoformat() and headline["as_of_source"] == "data"
    assert headline["as_of_column"] == "responded_at" and headline["skipped"] == []
    assert headline["drivers"] and headline["r2"] > 0 and headline["drivers_left_out"] == []


@pytest.mark.slow
@pytest.mark.xdist_group("drivers_no_tickets")
def test_no_ticket_table_skips_with_sentences(notebook_run, drivers_data):
    headline = run(notebook_run, drivers_data, tickets=None)
    left = {r["driver"]: r["reason"] for r in headline["drivers_left_out"]}
    assert left == {d: "not a column" for d in ("first_response_hours", "contacts", "reopened",
                                                "priority")}
    assert ("Driver 'contacts' is not a column of the answers (it is in the ticket table "
            "(tickets_path is None)): left out.") in headline["skipped"]
    assert {d["driver"] for d in headline["drivers"]} == {"channel", "agent", "product"}
    assert "No ticket table (tickets_path): the non-response analysis is skipped." in headline["skipped"]
    assert any(s.startswith("No answers with a duration column") for s in headline["skipped"])


@pytest.mark.slow
@pytest.mark.xdist_group("drivers_nps_only")
def test_one_survey_type_only(notebook_run, drivers_data):
    headline = run(notebook_run, drivers_data, responses="nps_only")
    assert ("No CSAT answers (driver_survey; surveys in the data: nps): the model, importance "
            "and priorities are skipped.") in headline["skipped"]
    assert headline["drivers"] == [] and headline["kpis"] == [] and headline["n_used"] == 0
    assert not any(s.startswith("Driver ") for s in headline["skipped"])  # one sentence, not seven


@pytest.mark.slow
@pytest.mark.xdist_group("drivers_single_level")
def test_single_agent_and_channel(notebook_run, drivers_data):
    headline = run(notebook_run, drivers_data, responses="single_answers", tickets="single_tickets")
    left = {r["driver"]: r["reason"] for r in headline["drivers_left_out"]}
    assert left == {"channel": "one value only", "agent": "one value only"}
    assert ("Column 'agent' has one value only in the answers joined to their tickets "
            "('Agent 01'): nobody to compare with, the comparison by agent is skipped."
            ) in headline["skipped"]
    assert "team" in headline["agents_ranked"] and headline["drivers"]


@pytest.mark.slow
@pytest.mark.xdist_group("drivers_many_agents")
def test_an_agent_per_answer_is_bounded(notebook_run, drivers_data):
    out = notebook_run("03_drivers", responses_path=drivers_data["many_answers"],
                       tickets_path=drivers_data["tickets"], **FAST)
    headline = read_headline(out)
    assert headline["drivers_left_out"] == [{"driver": "agent", "reason": "every level small"}]
    fair = pd.read_csv(out / "fair_agent.csv")
    assert len(fair) == (drivers_data["frames"]["responses"]["survey"] == "csat").sum()
    assert headline["agents_ranked"]["agent"] == []  # nobody has min_n answers
    text = executed_notebook(out).read_text(encoding="utf-8")
    assert "Showing 30 of" in text and "agent values" in text


@pytest.mark.slow
@pytest.mark.xdist_group("drivers_derived")
def test_derived_column_named_as_driver_and_nonresponse_cell(notebook_run, drivers_data):
    headline = run(notebook_run, drivers_data, derive={"urgent": "priority == 'urgent'"},
                   drivers=["urgent", "contacts", "chanel"], nonresponse_cells=["urgent"])
    assert {d["driver"] for d in headline["drivers"]} == {"urgent", "contacts"}
    assert any("Driver 'chanel' is not a column" in s and "nearest: 'channel'" in s
               for s in headline["skipped"])
    assert any("post-stratified" in f.lower() for f in headline["findings"])
