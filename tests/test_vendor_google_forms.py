"""Google Forms reader on the fixture of tests/fixtures/vendors/google_forms/SOURCE.md."""
from __future__ import annotations

import pandas as pd
import pytest

import csat_toolkit as ct
from csat_toolkit.errors import DateFormatError, FileFormatError, MissingColumnError, \
    ParameterError
from csat_toolkit.io.vendors import google_forms
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "vendors"
CSV = FIXTURES / "google_forms" / "responses.csv"


def test_fixture_reproduces_source_md():
    read = google_forms.read_responses(CSV, timezone="America/New_York")
    assert read.n_read == 5
    # 3/10/2024 2:30 did not exist in New York (clocks sprang forward): set aside.
    assert read.set_aside.index.tolist() == [3]
    assert read.frame["score"].tolist() == ["5", "4", "2", "5"]
    assert read.frame["response_id"].tolist() == ["row-1", "row-2", "row-3", "row-5"]
    assert str(read.frame["responded_at"].iloc[2]) == "2024-03-10 01:30:00-05:00"
    assert str(read.frame["responded_at"].iloc[3]) == "2024-03-14 16:00:00-04:00"
    table = ct.csat(read.frame.assign(score=read.frame["score"].astype(float)))
    assert table["estimate"].iloc[0] == pytest.approx(75.0)
    assert google_forms.detect(CSV) == "responses CSV"
    assert google_forms.detect(FIXTURES / "typeform" / "responses.csv") is None


def test_timezone_required_unless_gmt_offset():
    with pytest.raises(ParameterError, match="form owner's time zone"):
        google_forms.read_responses(CSV)
    frame = pd.DataFrame({"Timestamp": ["2024/03/05 6:05:57 PM GMT+1"], "Rate us": ["4"]})
    read = google_forms.read_responses(frame)
    assert str(read.frame["responded_at"].iloc[0]) == "2024-03-05 17:05:57+00:00"


def test_day_month_order():
    frame = pd.DataFrame({"Timestamp": ["05/03/2024 10:00:00"], "Rate us": ["4"]})
    with pytest.raises(DateFormatError, match="dayfirst"):
        google_forms.read_responses(frame, timezone="Europe/London")
    read = google_forms.read_responses(frame, timezone="Europe/London", dayfirst=True)
    assert str(read.frame["responded_at"].iloc[0]) == "2024-03-05 10:00:00+00:00"


# --- bad input (issue 12): one test per case ------------------------------------------

@pytest.mark.parametrize("tail", ["3/15/2024 1", '3/15/2024 10:00:00,fay@example.com,4,"Slow, and'])
def test_truncated_last_row_set_aside(tmp_path, tail):
    path = tmp_path / "cut.csv"
    path.write_text(CSV.read_text(encoding="utf-8") + tail, encoding="utf-8")
    read = google_forms.read_responses(path, timezone="America/New_York")
    assert read.n_read == 6 and len(read.frame) == 4
    assert read.set_aside.index.tolist() == [3, 5]
    assert read.set_aside["response_id"].tolist() == ["row-4", "row-6"]
    assert read.set_aside["reason"].iloc[1].startswith("last row cut short (line 7: ")
    assert any("cut.csv looks truncated" in n for n in read.notes)


def test_wrong_vendor():
    with pytest.raises(MissingColumnError, match="responses.csv is not a Google Forms responses "
                                                 "CSV .*: no column 'Timestamp' \\(the columns "
                                                 "are '#'.*set source: to that tool"):
        google_forms.read_responses(FIXTURES / "typeform" / "responses.csv")


def test_missing_header_row(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("".join(CSV.read_text(encoding="utf-8").splitlines(True)[1:]),
                    encoding="utf-8")
    with pytest.raises(FileFormatError, match="g.csv has no header row: its first line has "
                                              "'3/5/2024 9:01:10', 'ana@example.com'"):
        google_forms.read_responses(path, timezone="UTC")


def test_renamed_column():
    renamed = pd.read_csv(CSV, dtype=str).rename(columns={"Timestamp": "Time stamp"})
    with pytest.raises(MissingColumnError, match="no column 'Timestamp'.*did you mean 'Time "
                                                 "stamp' for 'Timestamp'.*Rename the column back"):
        google_forms.read_responses(renamed, timezone="UTC")


def test_other_encoding(tmp_path):
    path = tmp_path / "g.csv"
    path.write_bytes(CSV.read_text(encoding="utf-8").replace("Faster replies", "Réponses")
                     .encode("latin-1"))
    with pytest.raises(FileFormatError, match=r"g.csv is not utf-8-sig text at byte [\d,]+ "
                                              r"\(line 3.*encoding='latin-1'"):
        google_forms.read_responses(path, timezone="UTC")
    read = google_forms.read_responses(path, timezone="America/New_York", encoding="latin-1")
    assert read.frame["what_could_we_improve"].iloc[1] == "Réponses"


def test_through_the_loader_accounting_adds_up():
    loaded = ct.load_responses(CSV, vendor="google_forms", timezone="America/New_York")
    assert loaded.n_read == 5 == len(loaded.data) + len(loaded.rejected)
    assert loaded.rejected["source_row"].tolist() == [4]
