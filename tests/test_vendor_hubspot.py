"""HubSpot reader: the ticket tables in ../shared/vendor-exports/hubspot (numbers from its
SOURCE.md), the feedback submissions fixture (tests/fixtures/vendors/hubspot/SOURCE.md),
the loaders' accounting and every bad input."""
from __future__ import annotations

import json

import pandas as pd
import pytest

import csat_toolkit as ct
from csat_toolkit.errors import FileFormatError, MissingColumnError, ParameterError
from csat_toolkit.io.responses import load_responses
from csat_toolkit.io.tables import load_tickets
from csat_toolkit.io.vendors import hubspot
from tests.conftest import REPO, SHARED, require_shared

FOLDER = SHARED / "vendor-exports" / "hubspot"
TICKETS = FOLDER / "ticket_data.csv"
FEEDBACK = REPO / "tests" / "fixtures" / "vendors" / "hubspot" / "feedback_submissions.json"
MINUTE = pd.Timedelta(minutes=1)


@pytest.fixture(scope="module")
def tickets():
    return hubspot.read_tickets(require_shared(TICKETS))


def test_source_md_first_agent_reply_minutes(tickets):
    """SOURCE.md: 4 tickets have a first agent reply: 35.10, 284.40, 47.28, 1528.88 minutes."""
    frame = tickets.frame.set_index("ticket_id")
    replied = frame[frame["first_response_at"].notna()]
    minutes = ((replied["first_response_at"] - replied["created_at"]) / MINUTE).round(2)
    assert minutes.to_dict() == {"307034542": 1528.88, "293370454": 35.10,
                                 "297600437": 284.40, "350123456": 47.28}


def test_source_md_counts(tickets):
    """25 tickets, none deleted; pipelines 1486381 x 21, 1626124 x 3, 3136178a x 1; 23 close
    dates, 21 equal to the creation time; owners blank on 19, 40706000 on 2."""
    frame = tickets.frame
    assert tickets.n_read == 25 and len(frame) == 25 and tickets.set_aside.empty
    assert frame["pipeline_id"].value_counts().to_dict() == {
        "1486381": 21, "1626124": 3, "3136178a": 1}
    closed = frame[frame["resolved_at"].notna()]
    assert len(closed) == 23 and (closed["resolved_at"] == closed["created_at"]).sum() == 21
    assert frame["agent"].isna().sum() == 19
    assert frame["agent"].value_counts().to_dict() == {
        "40706000": 2, "35252170": 1, "42972304": 1, "44023296": 1, "90700234": 1}
    assert frame["priority"].isna().all()
    late = frame.set_index("ticket_id").loc["350123456"]
    assert late["resolved_at"] == pd.Timestamp("2025-07-25 08:15:00", tz="UTC")


def test_source_md_joins(tickets):
    """Only 1 of 25 tickets (stage 14863823a) finds its stage; stages 1706266 (21), 7970058
    (2), 1626129 (1) are missing; pipeline 1626124 (3 tickets) is missing."""
    frame = tickets.frame
    assert frame["stage"].notna().sum() == 1
    assert frame.loc[frame["stage"].notna(), "stage_id"].tolist() == ["14863823a"]
    assert frame["pipeline"].isna().sum() == 3
    notes = " ".join(tickets.notes)
    assert "24 of 25 tickets' stages are not in the stage table: 1706266 (21), 7970058 (2), " \
           "1626129 (1)" in notes
    assert "3 of 25 tickets' pipelines are not in the pipeline table: 1626124 (3)" in notes


def test_close_before_create_left_to_the_loader(tickets):
    """SOURCE.md: 307034542 closes (2020-11-10 14:54:50) before it is created (2021-02-16
    20:31:05): the reader names it, load_tickets sets it aside with the reason."""
    assert any("'307034542'" in n and "resolved before creation" in n for n in tickets.notes)
    loaded = load_tickets(require_shared(TICKETS), vendor="hubspot")
    assert loaded.n_read == 25 and len(loaded.data) == 24
    assert loaded.rejected[["source_row", "ticket_id"]].values.tolist() == [[1, "307034542"]]
    assert loaded.rejected["reason"].iloc[0].startswith("resolved before creation")


def test_api_tickets_and_durations():
    """API JSON: ISO UTC and epoch-millisecond times; durations in ms -> vendor minutes."""
    records = [{"id": "9", "archived": False, "properties": {
        "createdate": "2024-03-01T09:00:00.000Z", "first_agent_reply_date": "1709284500000",
        "closed_date": "2024-03-01T13:00:00Z", "time_to_first_agent_reply": "900000",
        "time_to_close": "14400000", "hs_time_to_first_response_in_operating_hours": "600000",
        "hubspot_owner_id": "77", "source_type": "EMAIL", "hs_ticket_priority": "HIGH"}},
        {"id": "10", "archived": True, "properties": {"createdate": "2024-03-02T09:00:00Z"}}]
    read = hubspot.read_tickets({"results": records})
    row = read.frame.iloc[0]
    assert row["first_response_at"] == pd.Timestamp("2024-03-01 09:15", tz="UTC")
    assert (row["vendor_first_reply_minutes"], row["vendor_resolution_minutes"],
            row["vendor_first_reply_business_minutes"]) == (15.0, 240.0, 10.0)
    assert (row["agent"], row["channel"], row["priority"]) == ("77", "EMAIL", "HIGH")
    assert read.layout == hubspot.TICKETS_API
    assert read.set_aside["reason"].tolist() == ["deleted in HubSpot (is_deleted/archived)"]
    assert list(read.set_aside.index) == [1]


def test_feedback_submissions():
    """Fixture: 5 answers used, 3 set aside; NPS 10/6/8 -> NPS 0; one group disagreement."""
    read = hubspot.read_responses(FEEDBACK)
    assert read.frame[["response_id", "survey", "score"]].values.tolist() == [
        ["701", "nps", "10"], ["702", "nps", "6"], ["703", "nps", "8"],
        ["704", "csat", "4"], ["705", "ces", "6"]]
    assert read.set_aside["reason"].tolist() == [
        "custom survey (hs_survey_type CUSTOM has no standard scale)",
        "no answer (hs_response_value is empty)", "archived in HubSpot"]
    assert read.frame["responded_at"].iloc[0] == pd.Timestamp("2024-03-04 10:00", tz="UTC")
    assert read.frame["customer_id"].iloc[0] == "c1" and read.frame["channel"].iloc[0] == "EMAIL"
    assert any("1 NPS answers have an hs_response_group that differs" in n and "'702'" in n
               for n in read.notes)
    assert read.layout == hubspot.FEEDBACK_API and read.n_read == 8


def test_feedback_through_the_loader():
    """Rows read = used + set aside by reason; the NPS of the three NPS answers is 0."""
    loaded = load_responses(FEEDBACK, vendor="hubspot")
    assert loaded.n_read == 8 and len(loaded.data) == 5 and len(loaded.rejected) == 3
    assert loaded.rejected["source_row"].tolist() == [6, 7, 8]
    nps = ct.nps(loaded.data[loaded.data["survey"] == "nps"])
    assert nps["n"].iloc[0] == 3 and nps["estimate"].iloc[0] == 0


def test_feedback_csv_with_hs_value(tmp_path):
    """A CSV of the properties (property_ prefix) with hs_value instead of hs_response_value."""
    path = tmp_path / "feedback_submission.csv"
    pd.DataFrame({"id": ["1", "2"], "property_hs_survey_type": ["CSAT", "NPS"],
                  "property_hs_value": ["5", "0"],
                  "property_hs_createdate": ["2024-01-01 10:00:00", "2024-01-02 10:00:00"]}
                 ).to_csv(path, index=False)
    read = hubspot.read_responses(path)
    assert read.frame[["survey", "score"]].values.tolist() == [["csat", "5"], ["nps", "0"]]
    assert read.layout == hubspot.FEEDBACK_TABLE and hubspot.detect(path) == read.layout


def test_detect():
    assert hubspot.detect(require_shared(TICKETS)) == hubspot.TICKETS_WAREHOUSE
    assert hubspot.detect(FEEDBACK) == hubspot.FEEDBACK_API
    assert hubspot.detect(FOLDER / "ticket_pipeline_data.csv") is None
    assert hubspot.detect(SHARED / "vendor-exports" / "intercom" /
                          "conversation_history_data.csv") is None
    assert hubspot.detect(REPO / "no-such.json") is None


def _write(tmp_path, data: str | bytes, name="ticket_data.csv"):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


# --- bad input (issue 12): one test per case and layout: the warehouse ticket CSV, the
# tickets' and feedback submissions' API JSON (no header row to lose), a feedback CSV ------

FEEDBACK_CSV = ("id,property_hs_survey_type,property_hs_response_value,property_hs_content,"
                "property_hs_createdate\n1,CSAT,5,très bien,2024-01-01 10:00:00\n"
                "2,NPS,0,slow,2024-01-02 10:00:00\n3,NPS,9,,2024-01-03 10:00:00\n")
TICKETS_API = json.dumps({"results": [
    {"id": "9", "properties": {"createdate": "2024-03-01T09:00:00Z", "subject": "très lent"}},
    {"id": "10", "properties": {"createdate": "2024-03-02T09:00:00Z", "subject": "ok"}}]},
    ensure_ascii=False, indent=1)


def test_truncated_ticket_csv(tmp_path):
    """Cut 80 characters short: the last row (350123456) is set aside, 24 tickets read."""
    text = require_shared(TICKETS).read_text()
    read = hubspot.read_tickets(_write(tmp_path, text[:-80]))
    assert read.n_read == 25 and len(read.frame) == 24
    assert read.set_aside.index.tolist() == [24]
    assert read.set_aside["reason"].iloc[0].startswith("last row cut short (line 26: ")
    assert any("ticket_data.csv looks truncated" in n for n in read.notes)


def test_truncated_feedback_csv(tmp_path):
    read = hubspot.read_responses(_write(tmp_path, FEEDBACK_CSV[:-25], "f.csv"))
    assert read.n_read == 3 and read.frame["response_id"].tolist() == ["1", "2"]
    assert read.set_aside["response_id"].tolist() == ["3"]
    assert read.set_aside["reason"].iloc[0] == (
        "last row cut short (line 4: 2 of the header's 5 fields); the file looks truncated")


@pytest.mark.parametrize("kind", ["tickets", "feedback"])
def test_truncated_json(tmp_path, kind):
    text = TICKETS_API if kind == "tickets" else FEEDBACK.read_text()
    reader = hubspot.read_tickets if kind == "tickets" else hubspot.read_responses
    with pytest.raises(FileFormatError, match=r"f.json is not complete JSON \(.* at line \d+, "
                                              r"column \d+\): the file looks cut short"):
        reader(_write(tmp_path, text[:150], "f.json"))


def test_wrong_vendor_ticket_csv():
    with pytest.raises(MissingColumnError, match="not a HubSpot ticket table.*'createdate'.*"
                                                 "read it with that vendor's source"):
        hubspot.read_tickets(require_shared(SHARED / "vendor-exports" / "intercom" /
                                            "admin_data.csv"))


def test_wrong_vendor_feedback_csv():
    with pytest.raises(MissingColumnError, match="ticket_data.csv is not HubSpot feedback "
                                                 "submissions: it has no column 'hs_survey_type'"):
        hubspot.read_responses(require_shared(TICKETS))


@pytest.mark.parametrize("kind", ["tickets", "feedback"])
def test_wrong_vendor_json(kind):
    intercom = REPO / "tests" / "fixtures" / "vendors" / "intercom" / "conversations.json"
    reader = hubspot.read_tickets if kind == "tickets" else hubspot.read_responses
    with pytest.raises(MissingColumnError, match="conversations.json is not (a HubSpot ticket "
                                                 "table|HubSpot feedback submissions): it has no "
                                                 "column '(createdate|hs_survey_type)'"):
        reader(intercom)


def test_missing_header_row_ticket_csv(tmp_path):
    lines = require_shared(TICKETS).read_text().splitlines(keepends=True)
    with pytest.raises(FileFormatError, match="ticket_data.csv has no header row: its first line "
                                              "has '2020-11-26 18:51:39', '307034542'"):
        hubspot.read_tickets(_write(tmp_path, "".join(lines[1:])))


def test_missing_header_row_feedback_csv(tmp_path):
    path = _write(tmp_path, "".join(FEEDBACK_CSV.splitlines(True)[1:]), "f.csv")
    with pytest.raises(FileFormatError, match="f.csv has no header row: its first line has '1', "
                                              "'5', '2024-01-01 10:00:00'"):
        hubspot.read_responses(path)


def test_renamed_column_ticket_csv(tmp_path):
    text = require_shared(TICKETS).read_text().replace("property_createdate", "Created", 1)
    path = _write(tmp_path, text)
    with pytest.raises(MissingColumnError, match="Did you mean 'Created' for 'createdate'\\? .*"
                                                 "'<your name>': 'property_createdate'"):
        hubspot.read_tickets(path)
    assert len(hubspot.read_tickets(path, columns={"Created": "property_createdate"}).frame) == 25


def test_renamed_column_feedback_csv(tmp_path):
    path = _write(tmp_path, FEEDBACK_CSV.replace("property_hs_survey_type", "survey type"), "f.csv")
    with pytest.raises(MissingColumnError, match="no column 'hs_survey_type'.*Did you mean 'survey "
                                                 "type' for 'hs_survey_type'"):
        hubspot.read_responses(path)


def test_renamed_property_json(tmp_path):
    path = _write(tmp_path, TICKETS_API.replace('"createdate"', '"created_date"'), "t.json")
    with pytest.raises(MissingColumnError, match="no column 'createdate'.*Did you mean "
                                                 "'created_date' for 'createdate'"):
        hubspot.read_tickets(path)
    feedback = _write(tmp_path, FEEDBACK.read_text().replace('"hs_response_value"', '"value"'),
                      "f.json")
    with pytest.raises(MissingColumnError, match="no hs_response_value \\(or hs_value\\) column"):
        hubspot.read_responses(feedback)


def test_other_encoding_ticket_csv(tmp_path):
    data = require_shared(TICKETS).read_bytes().replace(b"FALSE", b"FALS\xc9", 1)
    with pytest.raises(FileFormatError, match=r"ticket_data.csv is not utf-8-sig text at byte "
                                              r"[\d,]+ \(line 2.*encoding='latin-1'"):
        hubspot.read_tickets(_write(tmp_path, data))


def test_other_encoding_feedback_csv(tmp_path):
    path = _write(tmp_path, FEEDBACK_CSV.encode("latin-1"), "f.csv")
    with pytest.raises(FileFormatError, match=r"f.csv is not utf-8-sig text at byte [\d,]+ "
                                              r"\(line 2.*encoding='latin-1'"):
        hubspot.read_responses(path)
    assert hubspot.read_responses(path, encoding="latin-1").frame["comment"][0] == "très bien"


@pytest.mark.parametrize("kind", ["tickets", "feedback"])
def test_other_encoding_json(tmp_path, kind):
    text = TICKETS_API if kind == "tickets" else FEEDBACK.read_text().replace(
        "Great product", "Très bien")
    path = _write(tmp_path, text.encode("latin-1"), "f.json")
    reader = hubspot.read_tickets if kind == "tickets" else hubspot.read_responses
    with pytest.raises(FileFormatError, match=r"f.json is not utf-8-sig text \(byte [\d,]+\): "
                                              "HubSpot's API writes UTF-8. Pass encoding="):
        reader(path)
    read = reader(path, encoding="latin-1")
    column = "subject" if kind == "tickets" else "comment"
    assert read.frame[column].iloc[0] in ("très lent", "Très bien")


def test_unreadable_time_and_options(tmp_path):
    bad = [{"id": "1", "properties": {"createdate": "soon"}}]
    with pytest.raises(FileFormatError, match="'createdate'.*'soon'"):
        hubspot.read_tickets(bad)
    with pytest.raises(ParameterError, match="Unknown option.*'stage'"):
        hubspot.read_tickets(bad, stage=False)
    with pytest.raises(ParameterError, match="source must be"):
        hubspot.read_tickets(3.5)
    with pytest.raises(MissingColumnError, match="hs_response_value"):
        hubspot.read_responses([{"id": "1", "properties": {"hs_survey_type": "NPS"}}])
    with pytest.raises(FileFormatError, match="not HubSpot CRM API output"):
        hubspot.read_responses(_write(tmp_path, json.dumps({"results": 3}), "x.json"))


def test_timezone_converts_same_instants():
    read = hubspot.read_tickets(require_shared(TICKETS), timezone="America/New_York",
                                pipelines=False, stages=False)
    created = read.frame["created_at"].iloc[0]
    assert str(created) == "2021-02-16 15:31:05-05:00"
    assert "pipeline" not in read.frame.columns
