"""Tests of the section builders of 03_drivers (csat_toolkit.report.sections.drivers).

The builders are called directly, without the notebook: on the bundled sample (its
numbers are those of the sample report, data/sample/README.md and tests/test_notebooks.py)
and on a small generated data set for every skip reason.
"""
from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

import csat_toolkit as ct
import csat_toolkit.sample  # noqa: F401  (ct.sample)
from csat_toolkit.errors import ParameterError
from csat_toolkit.report.sections import Page, Section
from csat_toolkit.report.sections import drivers as dr

from .conftest import NOTEBOOKS, SAMPLE, read_headline

matplotlib.use("Agg")


def defaults() -> dict:
    """The notebook's parameter cells, as values."""
    from csat_toolkit.report.runner import notebook_parameters

    return {k: v["default"] for k, v in
            notebook_parameters(NOTEBOOKS / "03_drivers.ipynb").items()}


def params(tmp_path, **changes) -> dict:
    return {**defaults(), "responses_path": str(SAMPLE / "responses.csv"),
            "tickets_path": str(SAMPLE / "tickets.csv"), "output_dir": str(tmp_path),
            "n_boot": 20, **changes}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample's inputs and every section, built once (n_boot 50)."""
    out = tmp_path_factory.mktemp("sample_sections")
    inputs = dr.load(params(out, n_boot=50))
    model = dr.model(inputs)
    importance = dr.importance(inputs, model)
    built = {"inputs": inputs, "accounting": dr.accounting(inputs), "model": model,
             "importance": importance, "speed": dr.speed(inputs),
             "priorities": dr.priorities(inputs, importance), "agents": dr.agents(inputs),
             "nonresponse": dr.nonresponse(inputs), "out": out}
    built["headline"] = dr.headline(inputs, model, importance, built["priorities"],
                                    built["speed"], built["agents"])
    return built


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A small generated data set (18 months from July 2024, 300 customers) as CSV files."""
    folder = tmp_path_factory.mktemp("small_drivers")
    frames = ct.sample.make_sample(seed=7, n_customers=300, start="2024-07", months=18)
    responses, tickets = frames["responses"], frames["tickets"]
    files = {"responses": responses, "tickets": tickets,
             "nps_only": responses[responses["survey"] == "nps"],
             "one_team_answers": responses.assign(team="Frontline"),
             "one_team_tickets": tickets.assign(team="Frontline")}
    for name, frame in files.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return {name: str(folder / f"{name}.csv") for name in files}


def small_inputs(tmp_path, small, responses="responses", tickets="tickets", **changes):
    return dr.load(params(tmp_path, responses_path=small[responses],
                          tickets_path=None if tickets is None else small[tickets], **changes))


# --- load and accounting ---------------------------------------------------------------


def test_the_builders_read_every_parameter_of_the_notebook():
    assert set(dr.PARAMETERS) == set(defaults()) - {"title"}


def test_load_names_the_missing_parameters(tmp_path):
    given = params(tmp_path)
    del given["drivers"], given["seed"]
    with pytest.raises(ParameterError, match=r"needs the parameter\(s\) 'drivers', 'seed'"):
        dr.load(given)


@pytest.mark.xdist_group("sections_drivers_sample")
def test_sample_accounting_and_its_card(sample):
    inputs, section = sample["inputs"], sample["accounting"]
    assert inputs.loaded.n_read == 22569 and len(inputs.answers) == 14375
    assert inputs.date.source == "data" and str(inputs.date.timestamp) == "2024-12-31 22:29:00"
    assert section.skipped is None and section.tables == {}
    assert section.sentences[0] == inputs.date.sentence()
    assert section.sentences[-1] == "14,375 CSAT answers are explained here."
    # the region 'NA' (North America) notes of both files and the two accounting tables fold
    assert not any("missing-value markers" in s for s in section.sentences)
    notes = [d for d in section.details if isinstance(d, str)]
    assert [n[:45] for n in notes] == ["Cells that look like missing-value markers we"] * 2
    titles = [d.title for d in section.details if not isinstance(d, str)]
    assert titles == ["Answers: rows read, used and set aside",
                      "Tickets: rows read, used and set aside"]
    assert section.details[-1].data["rows"].tolist()[:2] == [39732, 39732]
    assert section["accounting"]["rows"].tolist()[:2] == [22569, 22569]
    assert "the answers joined to their tickets" == inputs.where
    [card] = section.cards
    assert card["value"] == pytest.approx(74.10087) and card["n"] == 14375
    assert (sample["out"] / "rejected_rows.csv").exists()
    assert (sample["out"] / "rejected_tickets.csv").exists()


@pytest.mark.xdist_group("sections_drivers_sample")
def test_labels_of_drivers(sample):
    inputs = sample["inputs"]
    assert inputs.label("contacts") == "contacts per ticket"
    assert inputs.label("product") == "product"
    assert inputs.names["first_response_hours"] == "first response time"


# --- the model and importance ----------------------------------------------------------


@pytest.mark.xdist_group("sections_drivers_sample")
def test_sample_model(sample):
    section = sample["model"]
    assert section.skipped is None and section.missing == []
    assert section["frame"].n_used == 14375 and section["left_out"].empty
    assert section.tables == {}  # the chart shows the effects; the tables fold
    assert section.sentences == [section["fit"].summary()]
    folded = {d.title: d.data for d in section.details if not isinstance(d, str)}
    assert list(folded) == ["Effects of each model term", "Driver tests", "Collinearity"]
    assert list(folded["Effects of each model term"].columns) == dr._EFFECT_COLUMNS
    assert len(folded["Effects of each model term"]) == 40
    assert section.details[0] == section["frame"].summary()
    assert len(section.figures) == 1
    assert section.alt_text(0).startswith("Chart: Model terms (coloured = significant after "
                                          "correction). " + section["fit"].summary()[:40])


@pytest.mark.xdist_group("sections_drivers_sample")
def test_sample_importance_gives_the_reports_r2_and_top_driver(sample):
    section = sample["importance"]
    result = section["importance"]
    assert float(result.r2) == pytest.approx(0.11722659618045317, rel=1e-9)
    assert result.table["driver"].iloc[0] == "first_response_hours"
    assert result.table["lmg_share"].iloc[0] == pytest.approx(51.86369383225579, rel=1e-9)
    assert section.cards[0]["label"] == "Top driver: first response time"
    assert section.sentences == [result.summary(sample["inputs"].names)]
    assert len(section.figures) == 1 and section.tables == {}
    assert section.details[-2] == result.method
    assert list(section.details[-1].data.columns) == dr._IMPORTANCE_COLUMNS


@pytest.mark.xdist_group("sections_drivers_small")
def test_no_answers_of_the_driver_survey_skips_model_importance_priorities_once(tmp_path, small):
    inputs = small_inputs(tmp_path, small, responses="nps_only")
    gap = ("No CSAT answers (driver_survey; surveys in the data: nps): the model, importance "
           "and priorities are skipped.")
    model = dr.model(inputs)
    assert model.skipped == gap and model.missing == [gap]  # no sentence per driver
    importance = dr.importance(inputs, model)
    priorities = dr.priorities(inputs, importance)
    for section in (importance, priorities):
        assert section.skipped is None and section.missing == [] and section.sentences == [gap]
    assert importance["importance"] is None and priorities["matrix"] is None
    assert dr.accounting(inputs).cards == []
    agents = dr.agents(inputs)
    assert agents.results == {} and agents.missing == []
    speed = dr.speed(inputs)
    assert speed.skipped == dr._NO_SPEED and speed.notes == []
    page = Page("drivers", tmp_path)
    for section in (model, importance, speed, priorities, agents):
        page.add(section)
    extra = dr.headline(inputs, model, importance, priorities, speed, agents)
    assert extra["drivers"] == [] and extra["n_used"] == 0 and extra["r2"] is None
    assert extra["top_drivers"] == [] and extra["priorities"] == [] and extra["speed"] == {}
    assert page.skipped == [gap, dr._NO_SPEED]


@pytest.mark.xdist_group("sections_drivers_small")
def test_no_usable_driver(tmp_path, small):
    inputs = small_inputs(tmp_path, small, drivers=["chanel"])
    model = dr.model(inputs)
    assert model.skipped == ("No usable driver (drivers): the model, importance and priorities "
                             "are skipped.")
    assert model.notes == ["Driver 'chanel' is not a column of the answers joined to their "
                           "tickets (nearest: 'channel'): left out."]
    assert model["left_out"].to_dict("records") == [{"driver": "chanel", "reason": "not a column"}]


# --- speed ---------------------------------------------------------------------------------


@pytest.mark.xdist_group("sections_drivers_sample")
def test_sample_speed_buckets_and_findings(sample):
    section = sample["speed"]
    first = section["buckets"]["first_response_hours"].iloc[0]
    # data/sample/README.md: 6,978 answers with a first response under 1 h (left-closed)
    assert first["bucket"] == "under 1 h" and first["n"] == 6978
    assert first["estimate"] == pytest.approx(100 * 5906 / 6978, rel=1e-9)
    assert section.tables == {}
    assert [d.title for d in section.details] == [
        "Satisfaction by first response time bucket", "Satisfaction by resolution time bucket"]
    assert len(section.figures) == 2 and len(section.findings) == 2
    assert section.findings[0].startswith("Satisfaction is 84.6% (95% CI 83.8-85.5%, n=6,978) "
                                          "when the first response time is under 1 h")
    assert not {"conf", "method", "lower", "upper"} & set(section.details[1].data)
    # each chart's alt text is its own column's finding
    assert [section.alt_text(i).split(". ", 1)[1] for i in range(2)] == section.findings


@pytest.mark.xdist_group("sections_drivers_small")
def test_speed_without_duration_columns(tmp_path, small):
    inputs = small_inputs(tmp_path, small, tickets=None)
    section = dr.speed(inputs)
    assert section.skipped == dr._NO_SPEED and section["buckets"] == {}
    assert section.notes == ["speed_columns names 'first_response_hours', 'resolution_hours', "
                             "not a column of the answers: that part is skipped. Map or derive "
                             "the column, or change speed_columns."]


# --- priorities ------------------------------------------------------------------------


@pytest.mark.xdist_group("sections_drivers_sample")
def test_sample_priorities(sample):
    # The drivers with a performance measure; with 50 bootstrap replicates no driver can
    # beat the noise after Holm's correction over 7 (smallest p 7/51), so none is fix first.
    section = sample["priorities"]
    matrix = section["matrix"].set_index("driver")
    assert matrix.index.tolist() == ["first_response_hours", "contacts", "reopened"]
    assert not matrix["significant"].any() and "fix first" not in set(matrix["quadrant"])
    first = section["performance"].set_index("driver").loc["first_response_hours"]
    assert first["estimate"] == pytest.approx(100 * 7002 / 14375, rel=1e-9)  # at or under 1 h
    assert section.findings == section.sentences
    assert section.findings == ct.priorities.priority_sentences(section["matrix"],
                                                                labels=sample["inputs"].names)
    assert list(section.tables["matrix"].columns) == dr._MATRIX_COLUMNS


@pytest.mark.xdist_group("sections_drivers_small")
def test_priorities_without_a_performance_measure(tmp_path, small):
    inputs = small_inputs(tmp_path, small, performance={})
    model = dr.model(inputs)
    importance = dr.importance(inputs, model)
    section = dr.priorities(inputs, importance)
    assert section["matrix"] is None and section.tables == {}
    assert section.sentences == [importance["importance"].summary(inputs.names), dr._NO_MATRIX]
    assert section.findings == section.sentences


# --- agents ----------------------------------------------------------------------------


@pytest.mark.xdist_group("sections_drivers_sample")
def test_sample_agents(sample):
    section = sample["agents"]
    assert set(section.results) == {"agent", "team"} and section.missing == []
    assert sample["headline"]["agents_ranked"]["team"] == ["Frontline", "Onboarding",
                                                           "Technical", "Accounts"]
    assert section.findings == [r.summary() for r in section.results.values()]
    assert len(pd.read_csv(sample["out"] / "fair_agent.csv")) == 25
    assert len(section.figures) == 2 and len(section.figures[0].axes) == 2
    assert list(section.tables["team"].columns) == ["team", *dr._FAIR_COLUMNS]
    assert section.captions[1] == ("Chart: fair comparison and funnel plot by team. "
                                   + section["team"].summary())
    assert "4 team groups" in section.alt_text(1)  # not the agents' 25


@pytest.mark.xdist_group("sections_drivers_small")
def test_agents_skipped_and_a_column_left_out(tmp_path, small):
    none = dr.agents(small_inputs(tmp_path, small, agent_column=None, team_column=None))
    assert none.skipped == dr._NO_GROUPS and none.results == {}
    one = dr.agents(small_inputs(tmp_path, small, responses="one_team_answers",
                                 tickets="one_team_tickets", agent_column="agnt"))
    assert one.skipped is None and one.results == {} and one.findings == []
    assert one.notes == [
        "Column 'agnt' is not in the answers joined to their tickets (nearest: 'agent'): the "
        "comparison by agnt is skipped.",
        "Column 'team' has one value only in the answers joined to their tickets ('Frontline'): "
        "nobody to compare with, the comparison by team is skipped."]


# --- non-response --------------------------------------------------------------------------


@pytest.mark.xdist_group("sections_drivers_sample")
def test_sample_nonresponse(sample):
    section = sample["nonresponse"]
    assert section.skipped is None and section.missing == []
    assert list(section.tables) == ["response rates", "post-stratified", "predicted"]
    assert section.findings[0].startswith("CSAT post-stratified over channel to 36,498 tickets: "
                                          "73.7% (95% CI 72.9-74.4%)")
    assert section.sentences[0].startswith("Tickets counted as offered CSAT: ")
    assert len(section.figures) == 1


@pytest.mark.xdist_group("sections_drivers_small")
def test_nonresponse_without_tickets_and_without_cells(tmp_path, small):
    section = dr.nonresponse(small_inputs(tmp_path, small, tickets=None))
    assert section.skipped == dr._NO_TICKETS and section.missing == [dr._NO_TICKETS]
    section = dr.nonresponse(small_inputs(tmp_path, small, nonresponse_cells=["chanel"],
                                          nonresponse_features=[]))
    assert section.skipped is None and "post-stratified" not in section.tables
    assert section.notes[0].startswith("nonresponse_cells names 'chanel' (nearest: 'channel')")
    assert section.notes[-1].startswith("No ticket feature to predict from")


# --- without tickets, and the headline -------------------------------------------------


@pytest.mark.xdist_group("sections_drivers_small")
def test_without_a_ticket_table_the_ticket_drivers_are_named(tmp_path, small):
    inputs = small_inputs(tmp_path, small, tickets=None)
    model = dr.model(inputs)
    assert ("Driver 'contacts' is not a column of the answers (it is in the ticket table "
            "(tickets_path is None)): left out.") in model.notes
    left = dict(zip(model["left_out"]["driver"], model["left_out"]["reason"]))
    assert {d for d, r in left.items() if r == "not a column"} == {
        "first_response_hours", "contacts", "reopened", "priority"}
    assert model.skipped is None and set(model["frame"].drivers) <= {"channel", "agent", "product"}


@pytest.mark.xdist_group("sections_drivers_sample")
def test_sample_headline_keys(sample, tmp_path):
    extra = sample["headline"]
    assert extra["n_read"] == 22569 and extra["n_used"] == 14375 and extra["outcome"] == "satisfied"
    assert extra["r2"] == pytest.approx(0.11722659618045317, rel=1e-9)
    assert extra["drivers_left_out"] == [] and extra["drivers"][0]["driver"] == "first_response_hours"
    assert extra["speed"]["first_response_hours"][0]["n"] == 6978
    assert extra["as_of"] == "2024-12-31T22:29:00" and extra["as_of_source"] == "data"
    page = Page("What drives satisfaction", tmp_path)
    for name in ("accounting", "model", "importance", "speed", "priorities", "agents",
                 "nonresponse"):
        page.add(sample[name])
    headline = read_headline(page.write_headline(extra).parent)
    assert [k["label"] for k in headline["kpis"]] == ["CSAT (% satisfied)",
                                                      "Top driver: first response time"]
    assert headline["skipped"] == [] and len(headline["findings"]) == 2 + len(
        sample["priorities"].findings) + 2 + 2
    assert extra["top_drivers"] == []  # none beats the noise with 50 replicates
    assert isinstance(sample["model"], Section)
