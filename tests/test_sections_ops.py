"""Section builders of the operations page (csat_toolkit.report.sections.ops): every builder
on four hand-counted tickets and on the bundled sample, and every skip reason.

The four tickets (created Monday 2024-03-04 09:00, calendar clock, targets 4 h to first
response and 10 h to resolution):

    T1  first response 09:30 (0.5 h)  resolved 18:00 (9 h)  1 contact           made_sla 1
    T2  first response 11:00 (2 h)    resolved 18:00 (9 h)  1 contact, reopened made_sla 1
    T3  first response 14:00 (5 h)    resolved 18:00 (9 h)  2 contacts          made_sla 0
    T4  open                                                1 contact           made_sla 0

The report date is the latest time stamp, 18:00. First response: T1, T2 met; T3 breached;
T4 waited 9 h > 4 h: breached while open -> 2 met of 4 decided (50%). Resolution: T1-T3 met
(9 h <= 10 h); T4 waited 9 h < 10 h: pending -> 3 of 3. Median first response of 0.5, 2, 5 h
is 2 h. FCR (one contact, not reopened) among the 3 resolved: T1 only -> 1 of 3.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from csat_toolkit import ops  # noqa: E402
from csat_toolkit.errors import ParameterError  # noqa: E402
from csat_toolkit.report.runner import notebook_parameters  # noqa: E402
from csat_toolkit.report.sections import Page  # noqa: E402
from csat_toolkit.report.sections import ops as sections  # noqa: E402
from csat_toolkit.tables import load_tickets  # noqa: E402

from .conftest import NOTEBOOKS, SAMPLE  # noqa: E402

NO_TICKETS = ("No ticket table (tickets_path): there is nothing to measure, so every operations "
              "section is skipped.")


def notebook_defaults() -> dict:
    """The parameter cells of 05_operations: the names and defaults, in order."""
    return {k: v["default"] for k, v in
            notebook_parameters(NOTEBOOKS / "05_operations.ipynb").items()}


def sample_params(tmp_path, **changes) -> dict:
    params = notebook_defaults() | {
        "tickets_path": str(SAMPLE / "tickets.csv"),
        "responses_path": str(SAMPLE / "responses.csv"),
        "volume_path": str(SAMPLE / "volume.csv"), "output_dir": str(tmp_path)}
    return params | changes


FOUR = pd.DataFrame({
    "ticket_id": ["T1", "T2", "T3", "T4"],
    "created_at": ["2024-03-04 09:00"] * 4,
    "first_response_at": ["2024-03-04 09:30", "2024-03-04 11:00", "2024-03-04 14:00", ""],
    "resolved_at": ["2024-03-04 18:00"] * 3 + [""],
    "priority": ["high"] * 4, "channel": ["email", "email", "phone", "phone"],
    "contacts": [1, 1, 2, 1], "reopened": [0, 1, 0, 0], "made_sla": [1, 1, 0, 0]})


def four_params(tmp_path, tickets: pd.DataFrame = FOUR, answers: pd.DataFrame | None = None,
                **changes) -> dict:
    tickets.to_csv(tmp_path / "tickets.csv", index=False)
    responses = None
    if answers is not None:
        answers.to_csv(tmp_path / "responses.csv", index=False)
        responses = str(tmp_path / "responses.csv")
    return notebook_defaults() | {
        "tickets_path": str(tmp_path / "tickets.csv"), "responses_path": responses,
        "volume_path": None, "output_dir": str(tmp_path / "out"), "clock": "calendar",
        "sla_targets": {"first_response": {"*": 4}, "resolution": {"*": 10}},
        "sla_by": ["channel"], "response_by": [], "quality_by": []} | changes


def build(inputs) -> dict:
    """Every section in the notebook's order, by name."""
    page = Page("t", inputs.out)
    durations = page.add(sections.durations(inputs))
    sla = page.add(sections.sla(inputs))
    for section in (sections.accounting(inputs), sections.breaches(inputs, sla),
                    sections.flag_agreement(inputs, sla),
                    sections.response_times(inputs, durations), sections.quality(inputs),
                    sections.deflection(inputs), sections.volume(inputs),
                    sections.satisfaction(inputs, sla)):
        page.add(section)
    return page.sections


def is_empty(section) -> bool:
    return not (section.skipped or section.tables or section.figures or section.sentences
                or section.findings or section.cards or section.notes)


# --- parameters and load ------------------------------------------------------------------


def test_parameters_are_the_notebooks_in_order():
    assert list(sections.PARAMETERS) == list(notebook_defaults())


def test_load_names_the_missing_parameters(tmp_path):
    params = four_params(tmp_path)
    del params["clock"], params["min_n"]
    with pytest.raises(ParameterError, match=r"needs the parameter\(s\) 'clock', 'min_n'"):
        sections.load(params)


def test_load_reads_the_tickets_and_takes_the_latest_time_stamp(tmp_path):
    inputs = sections.load(four_params(tmp_path))
    assert len(inputs.tickets) == 4 and inputs.answers is None and inputs.volume is None
    assert str(inputs.stamp) == "2024-03-04 18:00:00" and inputs.date.source == "data"
    assert (tmp_path / "out" / "rejected_tickets.csv").exists()
    assert inputs.schedule_options()["schedules"] is None


# --- the four tickets, by hand --------------------------------------------------------------


@pytest.fixture
def four(tmp_path):
    answers = pd.DataFrame({"response_id": range(8), "responded_at": ["2024-03-05"] * 8,
                            "survey": "csat", "score": [5, 4, 2, 1] * 2,
                            "ticket_id": ["T1", "T2", "T3", "T4"] * 2})
    inputs = sections.load(four_params(tmp_path, answers=answers, sla_flag_column="made_sla"))
    return inputs, build(inputs)


def test_accounting_shows_each_input_and_the_report_date(four):
    inputs, built = four
    section = built[sections.ACCOUNTING]
    assert section.tables == {} and section.notes == []
    assert section.sentences[-1] == inputs.date.sentence()
    assert "8 CSAT answers can be tied to tickets by ticket_id." in section.sentences
    assert [d.title for d in section.details] == ["Tickets: rows read, used and set aside",
                                                  "Answers: rows read, used and set aside"]
    assert section.details[1].data["rows"].tolist() == [8, 8]
    assert section["tickets"] is section.details[0].data


def test_durations_median_and_schedule(four):
    _, built = four
    section = built[sections.DURATIONS]
    table = section["table"].set_index(["duration", "statistic"])
    assert table.loc[("first_response_hours", "median"), "estimate"] == 2.0
    assert table.loc[("resolution_hours", "median"), "estimate"] == 9.0
    # the page names them as a reader would; the results keep the column names
    assert list(dict.fromkeys(section.tables["durations"]["duration"])) == [
        "first response (calendar hours)", "first response (business hours)",
        "resolution (calendar hours)", "resolution (business hours)"]
    assert section.details == ["Schedule: 50 business hours a week in UTC."]
    assert section.sentences[0].startswith("1 tickets still open at 2024-03-04 have waited a "
                                           "median 9.0 h so far (first response hours)")


def test_sla_counts_cards_and_breakdown(four):
    _, built = four
    section = built[sections.SLA]
    table = section["sla"].table.set_index("metric")
    assert table.loc["first_response", ["met", "breached", "breached_open", "n"]].tolist() == [2, 2, 1, 4]
    assert table.loc["resolution", ["met", "pending", "n"]].tolist() == [3, 1, 3]
    cards = {c["label"]: c for c in section.cards}
    assert cards["First response SLA met"]["value"] == pytest.approx(50.0)
    assert cards["Resolution SLA met"]["value"] == pytest.approx(100.0)
    assert section.findings == [section["sla"].summary()]
    assert list(section["by"]) == ["channel"] and len(section.figures) == 1
    # e-mail (T1, T2): both met both targets; phone: T3 breached the first response, met the
    # resolution; T4 is open.
    assert section["by"]["channel"]["met"].tolist() == [2, 2, 0, 1]


def test_breaches_listed_largest_first_and_written(four):
    inputs, built = four
    section = built[sections.BREACHES]
    assert section["breaches"]["ticket_id"].tolist() == ["T4", "T3"]  # over by 5 h, then 1 h
    assert section.sentences == ["2 breaches in all; the table shows the 2 largest overruns "
                                 "(all in sla_breaches.csv)."]
    assert list(section.tables["breaches"].columns[-2:]) == ["created_at", "due_at"]
    assert len(pd.read_csv(inputs.out / "sla_breaches.csv")) == 2


def test_flag_agreement_on_the_resolution_sla(four):
    _, built = four
    section = built[sections.FLAG]
    # Resolution: T1, T2 met and flagged 1 (agree); T3 met, flagged 0 (disagree); T4 pending.
    assert section.findings[0].startswith("The toolkit's resolution SLA and the data's own flag "
                                          "made_sla agree for 2 of 3 tickets both decide")


def test_response_times_card_and_sentences(four):
    _, built = four
    section = built[sections.RESPONSE]
    assert section.cards[0]["label"] == "Median first response"
    assert section.cards[0]["value"] == pytest.approx(2.0)
    assert section.findings == ops.describe_response_times(section["response"])[:2]
    assert list(section.tables) == ["response"] and len(section.figures) == 1


def test_quality_fcr_card(four):
    _, built = four
    section = built[sections.QUALITY]
    fcr = section["quality"].set_index("metric").loc["fcr"]
    assert (fcr["n"], fcr["estimate"]) == (3, pytest.approx(100 / 3))
    assert section.cards[0]["label"] == "First-contact resolution"
    assert section.cards[0]["value"] == pytest.approx(100 / 3, abs=1e-6)
    assert "fcr (one_touch)" in section.tables["quality"]["metric"].tolist()
    assert "method" not in section.tables["quality"]  # the long definitions fold
    defined = section.details[0]
    assert defined.title == "How each measure is defined"
    assert defined.data["metric"].tolist() == section.tables["quality"]["metric"].tolist()


def test_short_volume_says_why_there_is_no_forecast(four):
    _, built = four
    section = built[sections.VOLUME]
    assert section["profile"].forecast is None
    assert section.notes[0].startswith("No forecast") and "0 full weeks" in section.notes[0]
    assert "forecast" not in section.tables and len(section.figures) == 2  # heatmap, weekly


def test_satisfaction_runs_on_the_tied_answers(four):
    _, built = four
    section = built[sections.SATISFACTION]
    tied = section["tied"]
    assert tied.attrs["accounting"]["answers compared"] == 8
    met = tied[(tied["comparison"] == "first-response SLA") & (tied["group"] == "met")].iloc[0]
    # T1, T2 (scores 5, 4: satisfied) met; T3, T4 (2, 1) breached.
    assert (met["n"], met["estimate"], met["ref_n"], met["ref_estimate"]) == (4, 100.0, 4, 0.0)
    assert list(section.tables) == ["tied"] and section.figures
    assert section.details[-1].title == "Answers tied to tickets"


def test_headline_keys_and_values(four):
    inputs, built = four
    extra = sections.headline(inputs, built)
    assert extra["n_tickets"] == extra["n_tickets_read"] == 4 and extra["breaches"] == 2
    assert extra["sla"][0]["estimate"] == pytest.approx(50.0)
    assert "method" not in extra["sla"][0]
    assert extra["deflection"] is None and extra["forecast"] is None
    assert extra["as_of"] == "2024-03-04T18:00:00" and extra["as_of_source"] == "data"
    assert [r["toolkit"] for r in extra["flag_agreement"]] == ["met", "met", "pending"]


# --- skip reasons ---------------------------------------------------------------------------


def test_no_tickets_one_sentence_and_empty_ticket_sections(tmp_path):
    params = four_params(tmp_path, tickets_path=None,
                         volume_path=str(SAMPLE / "volume.csv"))
    inputs = sections.load(params)
    built = build(inputs)
    assert built[sections.ACCOUNTING].notes == [NO_TICKETS]
    for name in (sections.DURATIONS, sections.SLA, sections.BREACHES, sections.FLAG,
                 sections.RESPONSE, sections.QUALITY, sections.VOLUME):
        assert is_empty(built[name]), name
    assert built[sections.DEFLECTION].cards[0]["label"] == "Self-service share"
    assert built[sections.SATISFACTION].skipped == (
        "No CSAT answers (responses_path, csat_survey): satisfaction cannot be tied to operations.")
    extra = sections.headline(inputs, built)
    assert extra["n_tickets"] == 0 and extra["sla"] is None and extra["sla_by"] == {}


def test_targets_keyed_by_an_absent_column(tmp_path):
    answers = pd.DataFrame({"response_id": [1], "responded_at": ["2024-03-05"],
                            "survey": ["csat"], "score": [5], "ticket_id": ["T1"]})
    inputs = sections.load(four_params(tmp_path, answers=answers, target_key="tier",
                                       sla_targets={"first_response": {"gold": 1}}))
    built = build(inputs)
    assert built[sections.SLA].skipped == ("The SLA targets are keyed by 'tier' (target_key), "
                                           "not a ticket column: no SLA section.")
    # Without an SLA there is nothing to list or to tie to the answers, and nothing more to say.
    assert is_empty(built[sections.BREACHES]) and is_empty(built[sections.SATISFACTION])
    assert any(s.startswith("target_key names 'tier'") for s in built[sections.ACCOUNTING].notes)


def test_one_valued_and_misspelt_breakdowns(tmp_path):
    inputs = sections.load(four_params(tmp_path, sla_by=["priority", "chanel"]))
    assert sections.sla(inputs).notes == ["No SLA breakdown by priority: one value only."]
    assert sections.accounting(inputs).notes == [
        "sla_by names 'chanel' (nearest: 'channel'), not a column of the tickets: it goes on "
        "with 'priority'. Map or derive the column, or change sla_by."]


def test_no_durations_no_response_times_no_quality(tmp_path):
    created_only = FOUR[["ticket_id", "created_at", "priority", "channel"]]
    inputs = sections.load(four_params(tmp_path, tickets=created_only))
    durations = sections.durations(inputs)
    assert durations.skipped == ("No durations could be computed (no created_at with "
                                 "first_response_at or resolved_at).")
    assert sections.response_times(inputs, durations).skipped == (
        "No first response times (first_response_at or first_response_hours): the "
        "response-time section is skipped.")
    assert sections.quality(inputs).skipped.startswith(
        "No resolution-quality figures: resolution_quality needs resolved_at")


def test_no_volume_and_no_answers_of_the_survey(tmp_path):
    nps_only = pd.DataFrame({"response_id": [1], "responded_at": ["2024-03-05"],
                             "survey": ["nps"], "score": [9], "ticket_id": ["T1"]})
    inputs = sections.load(four_params(tmp_path, answers=nps_only))
    assert sections.deflection(inputs).skipped == (
        "No channel volume file (volume_path): the deflection section is skipped.")
    assert sections.satisfaction(inputs, sections.sla(inputs)).skipped.startswith(
        "No CSAT answers (responses_path, csat_survey)")


# --- the sample -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    inputs = sections.load(sample_params(tmp_path_factory.mktemp("ops_sample")))
    return inputs, build(inputs)


def test_sample_cards_in_the_page_order(sample):
    _, built = sample
    labels = [c["label"] for name in (sections.SLA, sections.RESPONSE, sections.QUALITY,
                                      sections.DEFLECTION) for c in built[name].cards]
    assert labels == ["First response SLA met", "Resolution SLA met", "Median first response",
                      "First-contact resolution", "Self-service share"]
    assert all(not s.missing for s in built.values())


def test_sample_sla_as_the_package_computes_it(sample):
    inputs, built = sample
    tickets = load_tickets(SAMPLE / "tickets.csv").data
    direct = ops.sla_compliance(tickets, inputs.params["sla_targets"], schedule=inputs.schedule,
                                as_of=inputs.stamp).table
    assert built[sections.SLA]["sla"].table["estimate"].tolist() == pytest.approx(
        direct["estimate"].tolist())
    assert list(built[sections.SLA]["by"]) == ["priority", "channel", "agent", "team"]
    # The sample's 103 open tickets are pending or breached while open (data/sample/README.md).
    accounting = built[sections.SLA]["sla"].accounting
    open_rows = accounting[(accounting["metric"] == "resolution")
                           & accounting["status"].isin(["pending", "breached while open"])]
    assert open_rows["tickets"].sum() == 103


def test_sample_volume_and_deflection(sample):
    _, built = sample
    volume = built[sections.VOLUME]
    assert list(volume.tables) == ["weekday", "forecast"] and not volume.notes
    assert [d.title for d in volume.details] == ["Busiest hours"] and len(volume.details[0]) == 8
    assert len(volume.figures) == 2
    deflection = built[sections.DEFLECTION]
    assert list(deflection.tables) == ["periods"]
    assert deflection.tables["periods"]["period"].iloc[-1] == "all"
    result = deflection["deflection"]
    assert deflection.sentences == [result.summary()]
    assert deflection.details[:-1] == [f"Assumption: {a}" for a in result.assumptions]
    assert deflection.details[-1].title == "Costs per contact used"
    assert len(deflection.details[-1]) == len(result.costs) == 8


def test_satisfaction_skips_when_the_answers_have_no_ticket_id(tmp_path):
    # HubSpot feedback carries no ticket id (vendor-exports/hubspot): a sentence, not a crash
    answers = pd.DataFrame({"response_id": range(4), "responded_at": ["2024-03-05"] * 4,
                            "survey": "csat", "score": [5, 4, 2, 1]})
    inputs = sections.load(four_params(tmp_path, answers=answers))
    section = build(inputs)[sections.SATISFACTION]
    assert section.skipped == ("The answers and the tickets share no 'ticket_id' column "
                               "(join_on): satisfaction cannot be tied to operations. Give the "
                               "answers the ticket id, or set join_on to the column both have.")
