"""Typeform reader on the fixture of tests/fixtures/vendors/typeform/SOURCE.md."""
from __future__ import annotations

import pandas as pd
import pytest

import csat_toolkit as ct
from csat_toolkit.errors import FileFormatError, MissingColumnError, ParameterError
from csat_toolkit.io.vendors import typeform
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "vendors"
CSV = FIXTURES / "typeform" / "responses.csv"


def test_fixture_reproduces_source_md():
    read = typeform.read_responses(CSV)
    assert read.n_read == 5
    assert read.set_aside["reason"].tolist() == ["partial response (Response Type = partial)"]
    assert read.frame["score"].tolist() == ["10", "8", "3", "6"]
    assert set(read.frame["survey"]) == {"nps"}
    assert str(read.frame["responded_at"].iloc[0]) == "2024-03-05 09:01:00+00:00"
    table = ct.nps(read.frame.assign(score=read.frame["score"].astype(float)))
    assert table["estimate"].iloc[0] == pytest.approx(-25.0)
    assert typeform.detect(CSV) == "responses CSV"
    assert typeform.detect(FIXTURES / "google_forms" / "responses.csv") is None


def test_score_question_option_and_ambiguity():
    frame = pd.read_csv(CSV, dtype=str).assign(**{"Rate the docs": ["5", "4", "3", "2", "1"]})
    with pytest.raises(ParameterError, match="several rating questions"):
        typeform.read_responses(frame)
    read = typeform.read_responses(frame, score_question="Rate the docs", survey="csat")
    assert read.frame["score"].tolist() == ["5", "4", "3", "1"]


# --- bad input (issue 12): one test per case ------------------------------------------

def test_truncated_last_row_set_aside(tmp_path):
    text = CSV.read_text(encoding="utf-8")
    path = tmp_path / "cut.csv"
    path.write_text(text[: text.index("tok05") + 12], encoding="utf-8")
    read = typeform.read_responses(path)
    assert read.n_read == 5 and read.frame["response_id"].tolist() == ["tok01", "tok02", "tok03"]
    assert read.set_aside["response_id"].tolist() == ["tok04", "tok05"]
    assert read.set_aside["reason"].tolist() == [
        "partial response (Response Type = partial)",
        "last row cut short (line 6: 3 of the header's 10 fields); the file looks truncated"]
    assert any("cut.csv looks truncated" in n for n in read.notes)


def test_wrong_vendor():
    with pytest.raises(MissingColumnError, match="responses.csv is not Typeform's responses "
                                                 "CSV: no column '#', 'Submit Date.*'Timestamp'"
                                                 ".*set source: to that tool"):
        typeform.read_responses(FIXTURES / "google_forms" / "responses.csv")


def test_missing_header_row(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("".join(CSV.read_text(encoding="utf-8").splitlines(True)[1:]),
                    encoding="utf-8")
    with pytest.raises(FileFormatError, match="t.csv has no header row: its first line has "
                                              "'10', '2024-03-05 09:00:00'.*header row"):
        typeform.read_responses(path)


def test_renamed_column():
    renamed = pd.read_csv(CSV, dtype=str).rename(columns={"Submit Date (UTC)": "Submit Date"})
    with pytest.raises(MissingColumnError, match="no column 'Submit Date \\(UTC\\)'.*did you "
                                                 "mean 'Submit Date' for 'Submit Date \\(UTC\\)'"
                                                 ".*Rename the column back"):
        typeform.read_responses(renamed)


def test_other_encoding(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(CSV.read_text(encoding="utf-8").replace("Nothing", "Très bien")
                     .encode("latin-1"))
    with pytest.raises(FileFormatError, match=r"latin.csv is not utf-8-sig text at byte [\d,]+ "
                                              r"\(line 2.*encoding='latin-1'"):
        typeform.read_responses(path)
    assert typeform.read_responses(path, encoding="latin-1").frame["what_could_we_do_better"][0] \
        == "Très bien"


def test_through_the_loader_accounting_adds_up():
    loaded = ct.load_responses(CSV, vendor="typeform")
    assert loaded.n_read == 5 == len(loaded.data) + len(loaded.rejected)
    assert loaded.rejected["source_row"].tolist() == [4]


def test_truncated_file_through_the_loader(tmp_path):
    """The cut row reaches the loader's accounting with its reason and file row."""
    text = CSV.read_text(encoding="utf-8")
    path = tmp_path / "cut.csv"
    path.write_text(text[: text.index("tok05") + 12], encoding="utf-8")
    loaded = ct.load_responses(path, vendor="typeform")
    assert loaded.n_read == 5 == len(loaded.data) + len(loaded.rejected)
    assert loaded.rejected["source_row"].tolist() == [4, 5]
    assert loaded.rejected["reason"].iloc[1].startswith("last row cut short (line 6")
