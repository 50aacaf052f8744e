"""Zendesk reader (csat_toolkit.io.vendors.zendesk).

Real files: ../shared/vendor-exports/zendesk (Fivetran warehouse seeds of fivetran/dbt_zendesk);
the numbers asserted below are those of its SOURCE.md ("Numbers a test can check").
Fixtures: tests/fixtures/vendors/zendesk (hand-made from Zendesk's documentation; their
SOURCE.md gives the hand-computed numbers).
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

import csat_toolkit as ct
from csat_toolkit.errors import FileFormatError, MissingColumnError, ParameterError
from csat_toolkit.io.tables import load_tickets
from csat_toolkit.io.vendors import zendesk as z
from csat_toolkit.ops.businesshours import Schedule
from tests.conftest import REPO, SHARED, require_shared

WAREHOUSE = SHARED / "vendor-exports" / "zendesk"
FIXTURES = REPO / "tests" / "fixtures" / "vendors" / "zendesk"
EXPORT = FIXTURES / "ticket_export.csv"
RATINGS = FIXTURES / "satisfaction_ratings.json"
LA = "America/Los_Angeles"


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def shared(name: str):
    return require_shared(WAREHOUSE / name)


# --------------------------------------------------------------- warehouse (real files)


@pytest.fixture(scope="module")
def warehouse():
    return z.read_tickets(shared("ticket_data.csv"))


def test_warehouse_counts_from_source_md(warehouse):
    # SOURCE.md: 10 tickets; status closed 7, deleted 2, solved 1.
    assert warehouse.n_read == 10
    assert warehouse.layout == z.WAREHOUSE and warehouse.kind == "tickets"
    assert len(warehouse.frame) == 8
    assert warehouse.set_aside["reason"].tolist() == [z.DELETED, z.DELETED]
    assert sorted(warehouse.set_aside["ticket_id"]) == ["11013", "1595"]
    statuses = pd.concat([warehouse.frame, warehouse.set_aside])["status"].value_counts()
    assert statuses.to_dict() == {"closed": 7, "deleted": 2, "solved": 1}


def test_warehouse_priority_channel_dates(warehouse):
    # SOURCE.md: priority blank on 9, urgent on 1 (11071); via_channel email 9, web 1;
    # created_at from 2020-02-13 21:43:58 to 2020-12-22 00:19:23 (UTC).
    every = pd.concat([warehouse.frame, warehouse.set_aside])
    assert every["priority"].isna().sum() == 9
    assert every.loc[every["priority"].notna(), "ticket_id"].tolist() == ["11071"]
    assert every["channel"].value_counts().to_dict() == {"email": 9, "web": 1}
    assert every["created_at"].min() == utc("2020-02-13 21:43:58")
    assert every["created_at"].max() == utc("2020-12-22 00:19:23")
    assert str(warehouse.frame["created_at"].dt.tz) == "UTC"


def test_warehouse_ticket_11071(warehouse):
    # SOURCE.md: created 2020-08-28 18:06:36, solved 2020-11-14 11:01:27: 77.705 days;
    # no reopens; assignee 1111 "Arthur Agent", requester 2222, SLA policy 1002.
    row = warehouse.frame.set_index("ticket_id").loc["11071"]
    assert row["created_at"] == utc("2020-08-28 18:06:36")
    assert row["resolved_at"] == utc("2020-11-14 11:01:27")
    days = (row["resolved_at"] - row["created_at"]).total_seconds() / 86400
    assert round(days, 3) == 77.705
    assert row["reopens"] == 0 and row["reopened"] == 0
    assert row["agent"] == "Arthur Agent" and row["customer_id"] == "2222"
    assert row["sla_policy_id"] == "1002"
    assert any("before their created_at ('11071')" in note for note in warehouse.notes)


def test_warehouse_sla_policies_and_notes(warehouse):
    # SOURCE.md: policy 1001 on 7 tickets, 1002 on 3 (11071, 4721, 6605).
    every = pd.concat([warehouse.frame, warehouse.set_aside])
    assert every["sla_policy_id"].value_counts().to_dict() == {"1001": 7, "1002": 3}
    assert sorted(every.loc[every["sla_policy_id"].eq("1002"), "ticket_id"]) == \
        ["11071", "4721", "6605"]
    # The seed's comments and most history rows do not join (SOURCE.md): said, not hidden.
    assert "found for 0 of 10 tickets" in " ".join(warehouse.notes)
    assert "17 status change(s)" in " ".join(warehouse.notes)
    assert "7 solved or closed ticket(s) have no solved time" in " ".join(warehouse.notes)


def test_warehouse_loads_through_load_tickets(warehouse):
    loaded = load_tickets(warehouse.frame)
    assert len(loaded.data) == 8 and len(loaded.rejected) == 0


def test_warehouse_folder_and_tables_option():
    folder = shared("ticket_data.csv").parent
    read = z.read_tickets(folder)
    assert len(read.frame) == 8
    bare = z.read_tickets(pd.read_csv(WAREHOUSE / "ticket_data.csv", dtype=str),
                          tables={"user_data": WAREHOUSE / "user_data.csv"})
    row = bare.frame.set_index("ticket_id").loc["11071"]
    assert row["agent"] == "Arthur Agent" and pd.isna(row["resolved_at"])
    with pytest.raises(ParameterError, match="Unknown Zendesk table 'users'"):
        z.read_tickets(folder, tables={"users": WAREHOUSE / "user_data.csv"})


def test_warehouse_first_reply_from_agent_comments():
    tickets = pd.DataFrame({"id": ["1", "2"], "created_at": ["2024-01-02 09:00:00"] * 2,
                            "status": "solved", "via_channel": "email", "requester_id": "9"})
    users = pd.DataFrame({"id": ["50", "60"], "role": ["agent", "end-user"],
                          "name": ["Ann", "Bo"]})
    comments = pd.DataFrame({
        "ticket_id": ["1", "1", "1", "2"], "user_id": ["60", "50", "50", "60"],
        "created": ["2024-01-02 09:05:00", "2024-01-02 09:30:00", "2024-01-02 09:20:00",
                    "2024-01-02 10:00:00"],
        "public": ["TRUE", "TRUE", "FALSE", "TRUE"]})
    history = pd.DataFrame({"field_name": "status", "ticket_id": ["1"] * 4,
                            "updated": ["2024-01-02 09:00:00", "2024-01-02 10:00:00",
                                        "2024-01-03 10:00:00", "2024-01-04 10:00:00"],
                            "value": ["open", "solved", "open", "solved"]})
    read = z.read_tickets(tickets, tables={"user_data": users, "ticket_comment_data": comments,
                                           "ticket_field_history_data": history})
    frame = read.frame.set_index("ticket_id")
    assert frame.loc["1", "first_response_at"] == utc("2024-01-02 09:30:00")  # public, agent
    assert pd.isna(frame.loc["2", "first_response_at"])                     # end-user only
    assert frame.loc["1", "resolved_at"] == utc("2024-01-04 10:00:00")      # last solved
    assert frame.loc["1", "reopens"] == 1 and frame.loc["1", "reopened"] == 1


def test_status_durations_ticket_11071():
    # SOURCE.md: calendar time in each status, days: open 30, pending 28, on-hold 20, solved 1.
    table = z.status_durations(shared("ticket_field_history_data.csv"))
    mine = table[table["ticket_id"].eq("11071")].set_index("status")
    assert mine["days"].to_dict() == {"open": 30.0, "pending": 28.0, "on-hold": 20.0,
                                      "solved": 1.0}
    assert mine["periods"].to_dict() == {"open": 4, "pending": 4, "on-hold": 3, "solved": 1}


def test_schedule_spec_from_source_md():
    # SOURCE.md: "SupportCA", Pacific Time, Monday-Friday 08:00-20:00 = 60 hours a week.
    spec = z.schedule_spec(shared("schedule_data.csv"))
    assert spec["name"] == "SupportCA" and spec["timezone"] == LA
    assert spec["hours"] == {day: ["08:00-20:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
    schedule = Schedule.from_dict(spec)
    assert schedule.weekly_hours == 60.0


def test_schedule_holidays_of_unknown_schedule_are_an_error():
    # SOURCE.md: the holidays reference schedule 360000, the schedule rows 360000310393.
    with pytest.raises(FileFormatError, match="'360000', which is not in schedule_data"):
        z.schedule_spec(shared("schedule_data.csv"), shared("schedule_holiday_data.csv"))
    holidays = pd.read_csv(WAREHOUSE / "schedule_holiday_data.csv", dtype=str)
    spec = z.schedule_spec(WAREHOUSE / "schedule_data.csv",
                           holidays.assign(schedule_id="360000310393"))
    # "Test Holiday" 2022-12-26 to 2022-12-27; "Test Holiday 2" 2022-12-29.
    assert spec["holidays"] == ["2022-12-26", "2022-12-27", "2022-12-29"]
    schedule = Schedule.from_dict(spec)
    assert [d.isoformat() for d, _ in schedule.holidays] == spec["holidays"]


def test_schedule_spec_choices_and_errors():
    two = pd.DataFrame({"id": ["1", "2"], "name": ["A", "B"], "time_zone": ["London", "Tokyo"],
                        "start_time": [1980, 1980], "end_time": [2460, 2460]})
    with pytest.raises(ParameterError, match="2 schedules .*schedule_id="):
        z.schedule_spec(two)
    assert z.schedule_spec(two, schedule_id=2)["timezone"] == "Asia/Tokyo"
    with pytest.raises(ParameterError, match="No schedule '3'"):
        z.schedule_spec(two, schedule_id=3)
    night = pd.DataFrame({"id": "1", "name": "Night", "time_zone": "UTC",
                          "start_time": [2580], "end_time": [3000]})   # Mon 19:00 - Tue 02:00
    assert z.schedule_spec(night)["hours"] == {"mon": ["19:00-24:00"], "tue": ["00:00-02:00"]}
    with pytest.raises(FileFormatError, match="outside the week"):
        z.schedule_spec(night.assign(end_time=20000))
    with pytest.raises(ParameterError, match="Unknown time zone 'Mars'"):
        z.schedule_spec(night.assign(time_zone="Mars"))


def test_iana_zone():
    assert z.iana_zone("Pacific Time (US & Canada)") == LA
    assert z.iana_zone("Eastern Time (US & Canada)") == "America/New_York"
    assert z.iana_zone("Europe/Paris") == "Europe/Paris"
    with pytest.raises(ParameterError, match="did you mean 'Pacific Time"):
        z.iana_zone("Pacific Time (US and Canada)")


# ------------------------------------------------------------------- detection


def test_detect_layouts(tmp_path):
    assert z.detect(EXPORT) == z.EXPORT
    assert z.detect(RATINGS) == z.RATINGS
    assert z.detect(shared("ticket_data.csv")) == z.WAREHOUSE
    assert z.detect(WAREHOUSE / "schedule_data.csv") is None
    qualtrics = SHARED / "vendor-exports" / "qualtrics" / "sample.csv"
    if qualtrics.exists():
        assert z.detect(qualtrics) is None
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x01")
    assert z.detect(tmp_path / "bin.csv") is None
    assert z.detect(tmp_path / "absent.csv") is None
    (tmp_path / "empty.csv").write_text("")
    assert z.detect(tmp_path / "empty.csv") is None


# --------------------------------------------------------------- ticket export (fixture)


@pytest.fixture(scope="module")
def export_tickets():
    return z.read_tickets(EXPORT, timezone=LA)


@pytest.fixture(scope="module")
def export_responses():
    return z.read_responses(EXPORT, timezone=LA)


def test_export_tickets(export_tickets):
    read = export_tickets
    assert read.n_read == 10 and len(read.frame) == 10 and len(read.set_aside) == 0
    row = read.frame.set_index("ticket_id").loc["1002"]
    # Fixture SOURCE.md: created 16:40 PST = 00:40 UTC; first reply 200 min; solved at
    # 2024-03-08 01:40 UTC; 140/1,020 business minutes; Resolution time 73 hours.
    assert row["created_at"] == utc("2024-03-05 00:40")
    assert row["first_response_at"] == utc("2024-03-05 04:00")
    assert row["resolved_at"] == utc("2024-03-08 01:40")
    assert row["vendor_first_reply_calendar_minutes"] == 200
    assert row["vendor_first_reply_business_minutes"] == 140
    assert row["vendor_full_resolution_business_minutes"] == 1020
    assert row["vendor_resolution_hours"] == 73
    assert row["agent"] == "Alex Agent" and row["team"] == "Support"
    assert row["channel"] == "Web form" and row["priority"] == "High"
    assert row["customer_id"] == "2002" and row["product_list"] == "billing"
    assert read.frame["reopened"].tolist() == [0, 1, 0, 0, 0, 0, 1, 0, 0, 0]
    assert read.frame.set_index("ticket_id").loc["1004", "vendor_first_reply_business_minutes"] == 90
    open_ticket = read.frame.set_index("ticket_id").loc["1010"]
    assert pd.isna(open_ticket["resolved_at"]) and pd.isna(open_ticket["first_response_at"])
    stems = ("first_reply", "first_resolution", "full_resolution", "agent_wait",
             "requester_wait", "on_hold")
    for stem in stems:
        for kind in ("calendar", "business"):
            assert f"vendor_{stem}_{kind}_minutes" in read.frame
    assert read.mapping["Id"] == "ticket_id" and read.mapping["Reopens"] == "reopened"
    assert "America/Los_Angeles" in read.notes[0]


def test_export_tickets_load(export_tickets):
    loaded = load_tickets(export_tickets.frame, timezone=LA)
    assert len(loaded.data) == 10 and len(loaded.rejected) == 0
    assert loaded.data["reopened"].sum() == 2


def test_export_responses(export_responses):
    read = export_responses
    # Fixture SOURCE.md: Good 4, Bad 2, Offered 2, Not Offered 2; response rate 6/8.
    assert read.n_read == 10 and read.kind == "responses"
    assert read.frame["response_id"].tolist() == ["1001", "1002", "1003", "1005", "1007", "1008"]
    assert read.frame["score"].tolist() == [1, 0, 1, 1, 1, 0]
    assert set(read.frame["survey"]) == {"csat"}
    assert read.set_aside.groupby("reason")["response_id"].apply(sorted).to_dict() == {
        "offered, not answered": ["1004", "1009"], "rating not offered": ["1006", "1010"]}
    assert z.response_rate(read) == {"answered": 6, "offered": 8, "rate": 0.75}
    assert "6 of 8 ratings offered were answered (75.0% response rate)" in read.notes[-1]
    # responded_at: Solved at (1002: 2024-03-08 01:40 UTC).
    assert read.frame.set_index("response_id").loc["1002", "responded_at"] == \
        utc("2024-03-08 01:40")
    assert z.SCALES == {"csat": "csat_binary"}


def test_export_responses_csat(export_responses):
    loaded = ct.load_responses(export_responses.frame, scales=z.SCALES, timezone=LA)
    assert len(loaded.data) == 6
    table = ct.csat(loaded.data, scale="csat_binary")
    assert table["n"].iloc[0] == 6
    assert table["estimate"].iloc[0] == pytest.approx(100 * 4 / 6)   # 66.7%


def test_export_needs_timezone():
    with pytest.raises(ParameterError, match="no UTC offset .*timezone:"):
        z.read_tickets(EXPORT)
    with pytest.raises(ParameterError, match="timezone:"):
        z.read_responses(EXPORT)
    with pytest.raises(ParameterError, match="Unknown time zone"):
        z.read_tickets(EXPORT, timezone="Pacific")
    # Zendesk's own zone names are understood too.
    read = z.read_tickets(EXPORT, timezone="Pacific Time (US & Canada)")
    assert read.frame["created_at"].iloc[0] == utc("2024-03-04 17:15")


def _export_text() -> str:
    return EXPORT.read_text(encoding="utf-8")


def _write(tmp_path, text: str, name: str = "export.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_export_clock_changes_and_offsets(tmp_path):
    lines = _export_text().splitlines()
    # 1001 created in the spring-forward gap, 1003 solved in the repeated hour.
    lines[1] = lines[1].replace("2024-03-04 09:15:00", "2024-03-10 02:30:00", 1)
    lines[3] = lines[3].replace("2024-03-05 11:30:00", "2024-11-03 01:30:00")
    lines[5] = lines[5].replace("2024-03-11 08:05:00", "2024-03-11 08:05:00+00:00", 1)
    path = _write(tmp_path, "\r\n".join(lines) + "\r\n")
    read = z.read_tickets(path, timezone=LA)
    assert read.n_read == 10 and len(read.frame) == 8
    assert dict(zip(read.set_aside["ticket_id"], read.set_aside["reason"])) == {
        "1001": "time does not exist in America/Los_Angeles: clocks sprang forward",
        "1003": "ambiguous time in America/Los_Angeles: clocks went back"}
    assert read.frame.set_index("ticket_id").loc["1005", "created_at"] == utc("2024-03-11 08:05")


def test_export_with_offsets_needs_no_timezone():
    frame = pd.DataFrame({"Id": ["1"], "Created at": ["2024-03-01T09:00:00+01:00"],
                          "Satisfaction Score": ["Good"]})
    read = z.read_responses(frame)
    assert read.frame["ticket_id"].tolist() == ["1"] and read.frame["score"].tolist() == [1.0]
    assert z.read_tickets(frame).frame["created_at"].iloc[0] == utc("2024-03-01 08:00")


def test_export_unreadable_time_and_unknown_score(tmp_path):
    lines = _export_text().splitlines()
    lines[2] = lines[2].replace("2024-03-04 16:40:00", "yesterday", 1)
    lines[3] = lines[3].replace(",Good,", ",Great,")
    lines[4] = lines[4].replace(",Offered,", ",,")
    read = z.read_responses(_write(tmp_path, "\n".join(lines)), timezone=LA)
    reasons = dict(zip(read.set_aside["response_id"], read.set_aside["reason"]))
    assert reasons["1002"] == "unreadable time in 'Created at'"
    assert reasons["1003"] == z.UNKNOWN_SCORE and reasons["1004"] == z.NO_SCORE
    assert read.n_read == 10 and len(read.frame) + len(read.set_aside) == 10


def test_export_truncated(tmp_path):
    text = _export_text()
    cut = _write(tmp_path, text[: text.rindex("2024-03-18")])
    with pytest.raises(FileFormatError, match="cut off: its last row .* fields"):
        z.read_tickets(cut, timezone=LA)


def test_export_wrong_vendor(tmp_path):
    path = _write(tmp_path, "StartDate,EndDate,Status,ResponseId,Q1\n"
                            "2024-01-01 10:00:00,2024-01-01 10:05:00,IP Address,R_1,5\n")
    with pytest.raises(MissingColumnError, match="not a Zendesk ticket export: no column 'Id'"):
        z.read_tickets(path, timezone=LA)
    with pytest.raises(MissingColumnError, match="source:"):
        z.read_responses(path, timezone=LA)


def test_export_missing_header_row(tmp_path):
    path = _write(tmp_path, "\n".join(_export_text().splitlines()[1:]))
    with pytest.raises(FileFormatError, match="no header row"):
        z.read_tickets(path, timezone=LA)


def test_export_renamed_column(tmp_path):
    text = _export_text().replace("Created at", "Created", 1)
    path = _write(tmp_path, text)
    with pytest.raises(MissingColumnError, match="'Created at' may be 'Created'"):
        z.read_tickets(path, timezone=LA)
    read = z.read_tickets(path, timezone=LA, columns={"Created": "Created at"})
    assert len(read.frame) == 10
    with pytest.raises(MissingColumnError, match="columns= names 'Made'"):
        z.read_tickets(path, timezone=LA, columns={"Made": "Created at"})
    no_score = _write(tmp_path, _export_text().replace("Satisfaction Score", "CSAT"), "n.csv")
    with pytest.raises(MissingColumnError, match="Satisfaction Score"):
        z.read_responses(no_score, timezone=LA)


def test_export_other_encoding(tmp_path):
    text = _export_text().replace("Ana Requester", "Zoë Requester")
    path = _write(tmp_path, text, encoding="latin-1")
    with pytest.raises(FileFormatError, match="not utf-8-sig text.*encoding="):
        z.read_tickets(path, timezone=LA)
    read = z.read_tickets(path, timezone=LA, encoding="latin-1")
    assert read.frame["requester"].iloc[0] == "Zoë Requester"
    bom = _write(tmp_path, text, "bom.csv", encoding="utf-8-sig")
    assert z.read_tickets(bom, timezone=LA).frame["ticket_id"].iloc[0] == "1001"


def test_unknown_option_and_wrong_reader():
    with pytest.raises(ParameterError, match="'timezon' \\(did you mean 'timezone'\\?\\)"):
        z.read_tickets(EXPORT, timezon=LA)
    with pytest.raises(ParameterError, match="no satisfaction ratings"):
        z.read_responses(shared("ticket_data.csv"))
    with pytest.raises(ParameterError, match="read it with read_responses"):
        z.read_tickets(RATINGS)
    with pytest.raises(ParameterError, match="tables= is for the warehouse"):
        z.read_tickets(EXPORT, timezone=LA, tables={"user_data": "x.csv"})
    with pytest.raises(ParameterError, match="source must be"):
        z.read_tickets(42)


# ------------------------------------------------------------ API ratings (fixture)


def test_api_ratings():
    read = z.read_responses(RATINGS)
    # Fixture SOURCE.md: good 2, bad 1, offered 1, unoffered 1; answered 3 of 4.
    assert read.layout == z.RATINGS and read.n_read == 5
    assert read.frame["response_id"].tolist() == ["35436", "35437", "35440"]
    assert read.frame["score"].tolist() == [1.0, 0.0, 1.0]
    assert read.frame["ticket_id"].tolist() == ["208", "209", "212"]
    assert read.frame["agent"].tolist() == ["135", "136", "135"]
    assert read.frame["reason"].iloc[1] == "The issue took too long to resolve"
    assert read.frame["responded_at"].tolist() == [
        utc("2024-04-02 10:15"), utc("2024-04-02 16:40"), utc("2024-04-04 10:05")]
    assert read.set_aside["reason"].tolist() == [z.OFFERED, z.NOT_OFFERED]
    assert z.response_rate(read) == {"answered": 3, "offered": 4, "rate": 0.75}
    records = json.loads(RATINGS.read_text())["satisfaction_ratings"]
    assert z.read_responses(records).frame["score"].tolist() == [1.0, 0.0, 1.0]


def test_api_ratings_errors(tmp_path):
    text = RATINGS.read_text()
    with pytest.raises(FileFormatError, match="not complete JSON"):
        z.read_responses(_write(tmp_path, text[:400], "cut.json"))
    with pytest.raises(FileFormatError, match="no 'satisfaction_ratings' list"):
        z.read_responses(_write(tmp_path, '{"tickets": []}', "other.json"))
    with pytest.raises(FileFormatError, match="not utf-8-sig text"):
        z.read_responses(_write(tmp_path, text.replace("friendly", "frïendly"), "l.json",
                                encoding="latin-1"))
    renamed = json.loads(text)["satisfaction_ratings"]
    for record in renamed:
        record["rating"] = record.pop("score")
    with pytest.raises(MissingColumnError, match="no column 'score'"):
        z.read_responses(renamed)
    with pytest.raises(FileFormatError, match="File not found"):
        z.read_responses(tmp_path / "absent.json")


def test_loaders_accounting():
    # Through the loaders (source: zendesk): rows read = used + set aside, by reason.
    answers = ct.load_responses(EXPORT, vendor="zendesk", timezone=LA, scales=z.SCALES)
    assert answers.n_read == 10 and len(answers.data) == 6
    assert answers.rejected["reason"].value_counts().to_dict() == {
        "offered, not answered": 2, "rating not offered": 2}
    assert sorted(answers.rejected["source_row"]) == [4, 6, 9, 10]
    tickets = load_tickets(EXPORT, vendor="zendesk", timezone=LA)
    assert tickets.n_read == 10 and len(tickets.data) == 10 and len(tickets.rejected) == 0
    seeds = load_tickets(shared("ticket_data.csv"), vendor="zendesk")
    assert seeds.n_read == 10 and len(seeds.data) == 8
    assert seeds.rejected["reason"].tolist() == [z.DELETED, z.DELETED]
