"""Freshdesk reader (csat_toolkit.io.vendors.freshdesk).

No real Freshdesk file is in ../shared; the fixtures in tests/fixtures/vendors/freshdesk
are hand-made from Freshdesk's documentation (their SOURCE.md gives the numbers below).
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

import csat_toolkit as ct
from csat_toolkit.errors import FileFormatError, MissingColumnError, ParameterError
from csat_toolkit.io.tables import load_tickets
from csat_toolkit.io.vendors import freshdesk as f
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "vendors" / "freshdesk"
RATINGS = FIXTURES / "satisfaction_ratings.json"
EXPORT = FIXTURES / "ticket_export.csv"
ZENDESK = REPO / "tests" / "fixtures" / "vendors" / "zendesk"
BERLIN = "Europe/Berlin"


def _write(tmp_path, text, name="x.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_ratings_seven_point():
    read = f.read_responses(RATINGS)            # 101/-101 occur: 7-point, said in notes
    assert read.n_read == 8 and read.layout == f.RATINGS
    assert read.frame["score"].tolist() == [7, 6, 5, 1, 4, 3, 7]
    assert read.frame["ticket_id"].tolist()[:2] == ["4401", "4402"]
    assert read.frame["agent"].iloc[0] == "31" and read.frame["customer_id"].iloc[0] == "901"
    assert read.frame["comment"].iloc[3] == "Nobody read my mail."
    assert read.frame["responded_at"].iloc[0] == pd.Timestamp("2024-05-02 08:10", tz="UTC")
    assert read.set_aside["reason"].tolist() == ["no rating of the default question"]
    assert read.set_aside["response_id"].tolist() == ["5008"]
    assert "read as 7-point" in " ".join(read.notes)
    loaded = ct.load_responses(read.frame, scales={"csat": f.SCALES[7]})
    table = ct.csat(loaded.data, scale="csat_7")
    # SOURCE.md: mean 33/7 = 4.714, top-2-box 3/7 = 42.9%.
    assert table["n"].iloc[0] == 7
    assert table["estimate"].iloc[0] == pytest.approx(100 * 3 / 7)
    assert table["mean"].iloc[0] == pytest.approx(33 / 7)


def test_ratings_explicit_points_and_questions():
    records = json.loads(RATINGS.read_text())
    read = f.read_responses(records, points=7, questions={"question_22": 7})
    assert read.frame["rating_question_22"].fillna(-1).tolist() == [7, 4, -1, 1, -1, -1, -1]
    three = [r for r in records if r["ratings"].get("default_question") in (103, 100, -103)]
    small = f.read_responses(three, points=3)
    assert small.frame["score"].tolist() == [3, 1, 2, 3]
    off = f.read_responses(records[:3], points=3)          # 102 and 101 are not 3-point codes
    assert off.set_aside["reason"].tolist() == ["rating code not on the 3-point survey"] * 2
    assert f.read_responses(three, points=2).frame["score"].tolist() == [1, 0, 1]


def test_ratings_errors():
    records = json.loads(RATINGS.read_text())
    three = [r for r in records if r["ratings"].get("default_question") in (103, -103)]
    with pytest.raises(ParameterError, match="points: 7, 5, 3 or 2"):
        f.read_responses(three)
    with pytest.raises(ParameterError, match="points must be"):
        f.read_responses(three, points=4)
    with pytest.raises(ParameterError, match="questions\\['question_22'\\]"):
        f.read_responses(three, points=2, questions={"question_22": 9})
    with pytest.raises(ParameterError, match="did you mean 'points'"):
        f.read_responses(three, point=2)
    with pytest.raises(ParameterError, match="ticket export"):
        f.read_responses(EXPORT)


def test_detect(tmp_path):
    assert f.detect(RATINGS) == f.RATINGS
    assert f.detect(EXPORT) == f.EXPORT
    assert f.detect(ZENDESK / "ticket_export.csv") is None
    assert f.detect(tmp_path / "absent.csv") is None


def test_ticket_export():
    read = f.read_tickets(EXPORT, timezone=BERLIN)
    assert read.n_read == 4 and len(read.frame) == 4 and len(read.set_aside) == 0
    frame = read.frame.set_index("ticket_id")
    # SOURCE.md (Mon-Fri 08:00-17:00 Berlin, 2024-05-01 a holiday): 0/0, 75/90, 5/540 business
    # minutes; 4404 empty.
    assert frame["vendor_first_response_business_minutes"].fillna(-1).tolist() == [0, 75, 5, -1]
    assert frame["vendor_resolution_business_minutes"].fillna(-1).tolist() == [0, 90, 540, -1]
    assert frame.loc["4401", "created_at"] == pd.Timestamp("2024-05-01 07:00", tz="UTC")
    assert frame.loc["4401", "first_response_at"] == pd.Timestamp("2024-05-01 07:20", tz="UTC")
    assert frame.loc["4402", "channel"] == "Portal" and frame.loc["4402", "team"] == "Billing"
    assert pd.isna(frame.loc["4402", "closed_at"]) and pd.isna(frame.loc["4404", "resolved_at"])
    assert read.mapping["Customer interactions"] == "contacts"
    loaded = load_tickets(read.frame, timezone=BERLIN)
    assert len(loaded.data) == 4 and len(loaded.rejected) == 0
    assert loaded.data.set_index("ticket_id").loc["4402", "handle_time"] == 4200  # 01:10:00


def test_ticket_export_errors(tmp_path):
    text = EXPORT.read_text()
    with pytest.raises(ParameterError, match="no UTC offset .*timezone:"):
        f.read_tickets(EXPORT)
    bad = _write(tmp_path, text.replace(",09:00:00,", ",9 hours,"), "b.csv")
    read = f.read_tickets(bad, timezone=BERLIN)
    assert read.set_aside["reason"].tolist() == [
        "unreadable 'Resolution time (in hrs)' (not HH:MM:SS)"]
    with pytest.raises(ParameterError, match="satisfaction ratings"):
        f.read_tickets(RATINGS)
    with pytest.raises(ParameterError, match="Unknown Freshdesk reading option"):
        f.read_tickets(EXPORT, timezone=BERLIN, tz=BERLIN)


# --- bad input (issue 12): truncated, wrong vendor, missing header row, renamed column,
# another encoding; each layout (the ratings JSON has no header row to lose) -------------

def test_ratings_truncated_json(tmp_path):
    with pytest.raises(FileFormatError, match=r"cut.json is not complete JSON .*line \d+.*"
                                              "save the API response again"):
        f.read_responses(_write(tmp_path, RATINGS.read_text()[:300], "cut.json"))


def test_ratings_wrong_vendor(tmp_path):
    with pytest.raises(MissingColumnError, match="no 'ratings' field but a 'score' "
                                                 r"\(e.g. 'good', 'bad'.*source: zendesk"):
        f.read_responses(ZENDESK / "satisfaction_ratings.json")
    with pytest.raises(FileFormatError, match="not a list of satisfaction ratings"):
        f.read_responses(_write(tmp_path, '{"tickets": []}', "o.json"))


def test_ratings_renamed_field(tmp_path):
    text = RATINGS.read_text().replace('"ratings"', '"rating"')
    with pytest.raises(MissingColumnError, match="r.json: no column 'ratings'.*did you mean "
                                                 "'rating' for 'ratings'.*Rename the field back"):
        f.read_responses(_write(tmp_path, text, "r.json"), points=7)


def test_ratings_other_encoding(tmp_path):
    path = _write(tmp_path, RATINGS.read_text().replace("Okay", "Okäy"), "l.json", "latin-1")
    with pytest.raises(FileFormatError, match=r"l.json is not utf-8-sig text \(byte [\d,]+\)"
                                              ": pass encoding="):
        f.read_responses(path)
    assert "Okäy" in " ".join(f.read_responses(path, encoding="latin-1").frame["comment"])


@pytest.mark.parametrize("cut_at", ["2024-05-03 14:00", "No reply"])
def test_export_truncated_last_row_set_aside(tmp_path, cut_at):
    """The cut row (4404) is set aside with its reason, the three before it are read."""
    text = EXPORT.read_text()
    read = f.read_tickets(_write(tmp_path, text[: text.index(cut_at)]), timezone=BERLIN)
    assert read.n_read == 4 and read.frame["ticket_id"].tolist() == ["4401", "4402", "4403"]
    assert read.set_aside.index.tolist() == [3]
    assert read.set_aside["ticket_id"].tolist() == ["4404"]
    assert read.set_aside["reason"].iloc[0].startswith("last row cut short (line 5: ")
    assert any("looks truncated" in n and "export the file again" in n.lower()
               for n in read.notes)


def test_export_truncated_inside_quotes(tmp_path):
    text = EXPORT.read_text().replace("Cannot log in", '"Cannot log in, twice"')
    path = _write(tmp_path, text + '4405,"Broken, and')
    read = f.read_tickets(path, timezone=BERLIN)
    assert read.n_read == 5 and len(read.frame) == 4
    assert read.frame["subject"].iloc[0] == "Cannot log in, twice"
    assert read.set_aside["reason"].iloc[0] == (
        "last row cut short (line 6: 2 of the header's 24 fields); the file looks truncated")


def test_export_wrong_vendor():
    with pytest.raises(MissingColumnError, match="ticket_export.csv is not a Freshdesk ticket "
                                                 "export: no column 'Ticket ID', 'Created time'"
                                                 r" \(the columns are 'Summation column', 'Id'"):
        f.read_tickets(ZENDESK / "ticket_export.csv", timezone=BERLIN)


def test_export_missing_header_row(tmp_path):
    path = _write(tmp_path, "\n".join(EXPORT.read_text().splitlines()[1:]), "h.csv")
    with pytest.raises(FileFormatError, match="h.csv has no header row: its first line has "
                                              "'4401'.*Export the file again with its header"):
        f.read_tickets(path, timezone=BERLIN)


def test_export_renamed_column(tmp_path):
    renamed = _write(tmp_path, EXPORT.read_text().replace("Created time", "Created", 1), "r.csv")
    with pytest.raises(MissingColumnError, match="r.csv: no column 'Created time'.*did you mean "
                                                 "'Created' for 'Created time'.*columns="):
        f.read_tickets(renamed, timezone=BERLIN)
    assert len(f.read_tickets(renamed, timezone=BERLIN,
                              columns={"Created": "Created time"}).frame) == 4


def test_export_other_encoding(tmp_path):
    path = _write(tmp_path, EXPORT.read_text().replace("Priya", "Príya"), "l.csv", "latin-1")
    with pytest.raises(FileFormatError, match=r"l.csv is not utf-8-sig text at byte [\d,]+ "
                                              r"\(line 2, .*encoding='latin-1'"):
        f.read_tickets(path, timezone=BERLIN)
    read = f.read_tickets(path, timezone=BERLIN, encoding="latin-1")
    assert read.frame["agent"].iloc[0] == "Príya Agent"


def test_loaders_accounting():
    # Through the loaders (source: freshdesk): rows read = used + set aside, by reason.
    answers = ct.load_responses(RATINGS, vendor="freshdesk", scales={"csat": "csat_7"},
                                vendor_options={"points": 7})
    assert answers.n_read == 8 and len(answers.data) == 7
    assert answers.rejected["reason"].tolist() == ["no rating of the default question"]
    assert answers.rejected["source_row"].tolist() == [8]
    tickets = load_tickets(EXPORT, vendor="freshdesk", timezone=BERLIN)
    assert tickets.n_read == 4 and len(tickets.data) == 4 and len(tickets.rejected) == 0
