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


def test_wrong_vendor_renamed_missing_header_encoding(tmp_path):
    with pytest.raises(MissingColumnError, match="no 'Timestamp' column"):
        google_forms.read_responses(FIXTURES / "typeform" / "responses.csv")
    path = tmp_path / "g.csv"
    text = CSV.read_text(encoding="utf-8")
    path.write_text("".join(text.splitlines(True)[1:]), encoding="utf-8")
    with pytest.raises(MissingColumnError, match="rename the column back to Timestamp"):
        google_forms.read_responses(path, timezone="UTC")
    path.write_bytes(text.replace("Faster replies", "Réponses").encode("latin-1"))
    with pytest.raises(FileFormatError, match="not utf-8-sig text"):
        google_forms.read_responses(path, timezone="UTC")


def test_truncated_row_is_set_aside(tmp_path):
    path = tmp_path / "cut.csv"
    text = CSV.read_text(encoding="utf-8")
    path.write_text(text + "3/15/2024 1", encoding="utf-8")
    read = google_forms.read_responses(path, timezone="America/New_York")
    assert read.set_aside.index.tolist() == [3, 5] and read.n_read == 6


def test_through_the_loader_accounting_adds_up():
    loaded = ct.load_responses(CSV, vendor="google_forms", timezone="America/New_York")
    assert loaded.n_read == 5 == len(loaded.data) + len(loaded.rejected)
    assert loaded.rejected["source_row"].tolist() == [4]
