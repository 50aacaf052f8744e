"""Intercom reader: the warehouse tables in ../shared/vendor-exports/intercom (numbers from
its SOURCE.md), the API conversations fixture (tests/fixtures/vendors/intercom/SOURCE.md),
the loaders' accounting and every bad input."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from csat_toolkit.errors import FileFormatError, MissingColumnError, ParameterError
from csat_toolkit.io.responses import load_responses
from csat_toolkit.io.tables import load_tickets
from csat_toolkit.io.vendors import intercom
from tests.conftest import REPO, SHARED, require_shared

WAREHOUSE = SHARED / "vendor-exports" / "intercom"
HISTORY = WAREHOUSE / "conversation_history_data.csv"
API = REPO / "tests" / "fixtures" / "vendors" / "intercom" / "conversations.json"
HOURS = pd.Timedelta(hours=1)


@pytest.fixture(scope="module")
def tickets():
    return intercom.read_tickets(require_shared(WAREHOUSE))


def test_source_md_conversation_1311(tickets):
    """SOURCE.md: 3 versions; created 2020-10-28 23:59:37; closed 2020-11-02 14:17:59,
    110.31 h after creation; assignee 4077639 (team Customer support)."""
    row = tickets.frame.set_index("ticket_id").loc["156643300001311"]
    assert row["versions"] == 3
    assert row["created_at"] == pd.Timestamp("2020-10-28 23:59:37", tz="UTC")
    assert row["resolved_at"] == pd.Timestamp("2020-11-02 14:17:59", tz="UTC")
    assert round((row["resolved_at"] - row["created_at"]) / HOURS, 2) == 110.31
    assert row["agent_id"] == "4077639" and row["team"] == "Customer support"
    assert row["agent"] == "auagZ02LBDUvzR4sWgQgTw=="  # admin_data's (hashed) name


def test_source_md_conversation_1372(tickets):
    """SOURCE.md: 6 versions; unassigned at first; first seen assigned at 11:41:22, 8.49 h
    after creation at 03:12:03; closed 2020-11-06 13:55:01, 58.72 h."""
    row = tickets.frame.set_index("ticket_id").loc["156643300001372"]
    assert row["versions"] == 6
    assert round((row["first_assigned_at"] - row["created_at"]) / HOURS, 2) == 8.49
    assert round((row["resolved_at"] - row["created_at"]) / HOURS, 2) == 58.72
    assert row["reopened"] == 0 and row["state"] == "closed"


def test_source_md_history_accounting(tickets):
    """9 rows, one active (closed) version per conversation kept, 7 earlier ones set aside;
    no first admin reply for these ids (the parts belong to other conversations)."""
    assert tickets.n_read == 9 and len(tickets.frame) == 2 and len(tickets.set_aside) == 7
    assert set(tickets.set_aside["reason"]) == {
        "earlier version of the conversation (type-2 history: the latest is kept)"}
    assert tickets.frame["first_response_at"].isna().all()
    assert tickets.frame["channel"].tolist() == ["conversation", "conversation"]
    assert tickets.frame["priority"].tolist() == ["not_priority", "not_priority"]
    assert sorted(tickets.frame.index + 1) == [3, 6]  # the active rows of the file
    assert tickets.layout == intercom.WAREHOUSE and tickets.kind == "tickets"
    assert tickets.mapping["source_type"] == "channel"


def test_parts_first_admin_reply():
    """Parts per conversation id (SOURCE.md: 5 -> 3, 11 -> 2, 12 -> 2, 13 -> 1, 27 -> 1), all by
    admin 4077639: close parts without text and a note are not replies; a comment is."""
    parts = pd.read_csv(require_shared(WAREHOUSE / "conversation_part_history_data.csv"),
                        dtype=str)
    assert parts["conversation_id"].value_counts().to_dict() == {
        "5": 3, "11": 2, "12": 2, "13": 1, "27": 1}
    assert intercom._first_replies(parts, "UTC") == {}
    parts.loc[parts["id"] == "5654817783", "part_type"] = "comment"
    assert intercom._first_replies(parts, "UTC") == {
        "5": pd.Timestamp("2020-06-17 17:55:42", tz="UTC")}


def test_warehouse_has_no_ratings():
    """SOURCE.md: the rating columns are empty: no answer; both conversations set aside."""
    read = intercom.read_responses(require_shared(HISTORY))
    assert read.frame.empty and read.n_read == 9
    assert read.set_aside["reason"].value_counts().to_dict() == {
        "earlier version of the conversation (type-2 history: the latest is kept)": 7,
        "conversation not rated": 2}


def test_warehouse_ratings_and_reopen(tmp_path):
    """A rating in the latest version is a CSAT answer; a closed version followed by an open
    one is a reopen, resolved at the start of the final closed run."""
    raw = pd.read_csv(require_shared(HISTORY), dtype=str)
    raw.loc[raw["updated_at"] == "2020-11-04 14:08:32", "state"] = "closed"
    closed = raw["state"].eq("closed") & raw["id"].eq("156643300001311")
    raw.loc[closed, ["conversation_rating_value", "conversation_rating_remark",
                     "conversation_rating_created_at"]] = ["amazing", "thanks",
                                                           "2020-11-02 14:18:00"]
    read = intercom.read_tickets(raw)
    row = read.frame.set_index("ticket_id").loc["156643300001372"]
    assert row["reopened"] == 1
    assert row["first_closed_at"] == pd.Timestamp("2020-11-04 14:08:32", tz="UTC")
    assert row["resolved_at"] == pd.Timestamp("2020-11-06 13:55:01", tz="UTC")
    answers = intercom.read_responses(raw)
    assert answers.frame[["response_id", "score", "comment"]].values.tolist() == [
        ["156643300001311", 5.0, "thanks"]]
    assert answers.frame["responded_at"].iloc[0] == pd.Timestamp("2020-11-02 14:18:00",
                                                                  tz="UTC")


def test_api_tickets():
    """Fixture: 1001 answered 15 min and resolved 4 h after creation; Intercom's business
    seconds 900 / 14400 -> 15 / 240 business minutes; 1002 reopened; 1004 open (snoozed)."""
    read = intercom.read_tickets(API)
    frame = read.frame.set_index("ticket_id")
    one = frame.loc["1001"]
    assert one["created_at"] == pd.Timestamp("2024-03-01 09:00", tz="UTC")
    assert (one["first_response_at"] - one["created_at"]) / pd.Timedelta(minutes=1) == 15
    assert (one["resolved_at"] - one["created_at"]) / HOURS == 4
    assert one["vendor_first_reply_business_minutes"] == 15
    assert one["vendor_full_resolution_business_minutes"] == 240
    assert one["vendor_assignment_business_minutes"] == 1
    assert one["agent"] == "814860" and one["customer_id"] == "c-17"
    assert frame["reopened"].to_dict() == {"1001": 0, "1002": 1, "1003": 0, "1004": 0}
    assert pd.isna(frame.loc["1004", "resolved_at"]) and frame.loc["1004", "state"] == "snoozed"
    assert frame.loc["1002", "channel"] == "email"
    assert read.layout == intercom.API and read.n_read == 4 and read.set_aside.empty


def test_api_responses():
    """Two ratings (5 and 2: CSAT 1 of 2), one requested and not given, one never asked."""
    read = intercom.read_responses(API)
    assert read.frame[["response_id", "survey", "score"]].values.tolist() == [
        ["1001", "csat", 5.0], ["1002", "csat", 2.0]]
    assert read.frame["responded_at"].tolist() == [
        pd.Timestamp(1709298060, unit="s", tz="UTC"), pd.Timestamp(1709460000, unit="s", tz="UTC")]
    assert read.set_aside["reason"].tolist() == ["rating requested but not given",
                                                 "conversation not rated"]
    assert (read.frame["score"] >= 4).sum() / len(read.frame) == 0.5


def test_rating_labels():
    """Fin CSAT labels terrible..amazing are 1..5; other text is left for the loader."""
    scores = intercom._scores(pd.Series(["terrible", "Bad", "ok", "good", "AMAZING", "3", "meh"]))
    assert scores.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 3.0, "meh"]


def test_timezone_converts_same_instants():
    read = intercom.read_tickets(API, timezone="Europe/Berlin")
    created = read.frame["created_at"].iloc[0]
    assert str(created) == "2024-03-01 10:00:00+01:00"
    assert created == pd.Timestamp("2024-03-01 09:00", tz="UTC")
    assert "Europe/Berlin" in read.notes[0]


def test_loaders_accounting():
    """Through the loaders: rows read = used + set aside, by reason."""
    loaded = load_tickets(require_shared(WAREHOUSE), vendor="intercom")
    assert loaded.n_read == 9 and len(loaded.data) == 2 and len(loaded.rejected) == 7
    assert loaded.rejected["source_row"].tolist() == [1, 2, 4, 5, 7, 8, 9]
    answers = load_responses(API, vendor="intercom")
    counts = answers.rejected["reason"].value_counts().to_dict()
    assert answers.n_read == 4 and len(answers.data) == 2
    assert counts == {"rating requested but not given": 1, "conversation not rated": 1}
    assert answers.data["score"].tolist() == [5.0, 2.0]


def test_detect():
    assert intercom.detect(require_shared(HISTORY)) == intercom.WAREHOUSE
    assert intercom.detect(WAREHOUSE) == intercom.WAREHOUSE
    assert intercom.detect(API) == intercom.API
    assert intercom.detect(SHARED / "vendor-exports" / "hubspot" / "ticket_data.csv") is None
    assert intercom.detect(REPO / "data" / "sample" / "responses.csv") is None
    assert intercom.detect(REPO / "no-such-file.csv") is None


def _copy(tmp_path, text: str | bytes, name="conversation_history_data.csv"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


# --- bad input (issue 12): one test per case and layout (JSON has no header row) -------

def test_truncated_file(tmp_path):
    """Cut 400 characters short: row 9 is gone, row 8 (a version of 156643300001372, 29 of
    30 fields) is set aside; the two active versions (rows 3 and 6) are still read."""
    text = require_shared(HISTORY).read_text()
    read = intercom.read_tickets(_copy(tmp_path, text[:-400]))
    assert read.n_read == 8 and sorted(read.frame.index + 1) == [3, 6]
    cut = read.set_aside[read.set_aside["reason"].str.startswith("last row cut short")]
    assert cut.index.tolist() == [7] and cut["ticket_id"].tolist() == ["156643300001372"]
    assert cut["reason"].iloc[0] == ("last row cut short (line 9: 29 of the header's 30 "
                                     "fields); the file looks truncated")
    assert any("looks truncated" in n and "export the file again" in n.lower()
               for n in read.notes)
    answers = intercom.read_responses(_copy(tmp_path, text[:-400]))
    assert answers.n_read == 8 and answers.set_aside["reason"].str.startswith(
        "last row cut short").sum() == 1


def test_truncated_json(tmp_path):
    with pytest.raises(FileFormatError, match="c.json is not complete JSON .*line \\d+, column "
                                              "\\d+\\): the file looks cut short. Download the "
                                              "conversations again"):
        intercom.read_tickets(_copy(tmp_path, API.read_text()[:500], "c.json"))


def test_wrong_vendor():
    with pytest.raises(MissingColumnError, match="not an Intercom conversation_history.*'state'"
                                                 ".*read it with that vendor's source"):
        intercom.read_tickets(require_shared(SHARED / "vendor-exports" / "hubspot" /
                                             "ticket_data.csv"))


def test_wrong_vendor_json():
    feedback = REPO / "tests" / "fixtures" / "vendors" / "hubspot" / "feedback_submissions.json"
    with pytest.raises(MissingColumnError, match="record\\(s\\) 0 \\(0-based\\) have no 'id', "
                                                 "'created_at' \\(found 'results', 'paging'\\).*"
                                                 "set source: to that tool"):
        intercom.read_tickets(feedback)


def test_missing_header_row(tmp_path):
    lines = require_shared(HISTORY).read_text().splitlines(keepends=True)
    with pytest.raises(FileFormatError, match="conversation_history_data.csv has no header row: "
                                              "its first line has '156643300001311'"):
        intercom.read_tickets(_copy(tmp_path, "".join(lines[1:])))


def test_renamed_column(tmp_path):
    text = require_shared(HISTORY).read_text().replace(",state,", ",Status,", 1)
    path = _copy(tmp_path, text)
    with pytest.raises(MissingColumnError, match="no column 'state'.*Did you mean 'Status' for "
                                                 r"'state'\? .*columns=\{'<your name>': 'state'\}"):
        intercom.read_tickets(path)
    assert len(intercom.read_tickets(path, columns={"Status": "state"}).frame) == 2


def test_renamed_field_json(tmp_path):
    path = _copy(tmp_path, API.read_text().replace('"created_at"', '"created"'), "c.json")
    with pytest.raises(MissingColumnError, match="have no 'created_at'.*did you mean 'created' "
                                                 "for 'created_at'"):
        intercom.read_tickets(path)


def test_other_encoding(tmp_path):
    data = require_shared(HISTORY).read_bytes().replace(b"not_priority", b"n\xe9t_priority", 1)
    with pytest.raises(FileFormatError, match="is not utf-8-sig text.*encoding="):
        intercom.read_tickets(_copy(tmp_path, data))
    read = intercom.read_tickets(_copy(tmp_path, data), encoding="latin-1")
    assert read.n_read == 9 and len(read.frame) == 2


def test_other_encoding_json(tmp_path):
    data = API.read_text().replace("Fast and friendly", "Très rapide").encode("latin-1")
    with pytest.raises(FileFormatError, match=r"c.json is not utf-8-sig text \(byte [\d,]+\): "
                                              "Intercom's API writes UTF-8. Pass encoding="):
        intercom.read_responses(_copy(tmp_path, data, "c.json"))
    read = intercom.read_responses(_copy(tmp_path, data, "c.json"), encoding="latin-1")
    assert read.frame["comment"].iloc[0] == "Très rapide"


def test_unreadable_time(tmp_path):
    text = require_shared(HISTORY).read_text().replace("2020-10-28 23:59:37", "yesterday", 1)
    with pytest.raises(FileFormatError, match="'created_at'.*'yesterday'"):
        intercom.read_tickets(_copy(tmp_path, text))


def test_folder_without_history(tmp_path):
    with pytest.raises(FileFormatError, match="no Intercom conversation_history table"):
        intercom.read_tickets(tmp_path)


def test_side_tables_optional(tmp_path):
    """Without admin/team tables the agent is the admin id and the team is empty."""
    shutil.copy(require_shared(HISTORY), tmp_path / "conversation_history.csv")
    read = intercom.read_tickets(tmp_path)
    assert read.frame["agent"].tolist() == ["4077639", "4077639"]
    assert read.frame["team"].isna().all()
    assert intercom.read_tickets(WAREHOUSE, admins=False).frame["agent"].iloc[0] == "4077639"


def test_bad_options_and_sources():
    with pytest.raises(ParameterError, match="Unknown option.*'colums'"):
        intercom.read_tickets(API, colums={})
    with pytest.raises(ParameterError, match="Unknown timezone"):
        intercom.read_tickets(API, timezone="Mars/Base")
    with pytest.raises(ParameterError, match="source must be"):
        intercom.read_tickets(42)
    with pytest.raises(MissingColumnError, match="have no 'created_at' \\(found 'id'\\)"):
        intercom.read_tickets([{"id": "1"}])
    with pytest.raises(FileFormatError, match="not Intercom API conversations"):
        intercom.read_tickets({"conversations": "nope"})
    with pytest.raises(MissingColumnError, match="not an Intercom conversation_history"):
        intercom.read_tickets(pd.DataFrame({"id": [1]}))
