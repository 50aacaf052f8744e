"""Nicereply reader on the fixture of tests/fixtures/vendors/nicereply/SOURCE.md."""
from __future__ import annotations

import json

import pandas as pd
import pytest

import csat_toolkit as ct
from csat_toolkit.errors import FileFormatError, MissingColumnError, ParameterError
from csat_toolkit.io.vendors import nicereply
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "vendors"
CSV = FIXTURES / "nicereply" / "ratings.csv"


def test_fixture_reads_score_never_legacy_score():
    read = nicereply.read_responses(CSV)
    assert read.frame["score"].tolist() == ["5", "2", "4", "9", "4"]
    assert "legacy_score" not in read.frame and read.mapping["Legacy Score"] is None
    assert read.frame["survey"].tolist() == ["csat"] * 3 + ["nps"] * 2
    assert str(read.frame["responded_at"].iloc[0]) == "2023-08-01 07:00:00+00:00"
    csat = read.frame[read.frame["survey"].eq("csat")]
    table = ct.csat(csat.assign(score=csat["score"].astype(float)))
    assert table["estimate"].iloc[0] == pytest.approx(200 / 3)
    assert nicereply.detect(CSV) == "ratings export (CSV)"
    assert nicereply.detect(FIXTURES / "typeform" / "responses.csv") is None


def test_only_legacy_score_is_refused():
    frame = pd.read_csv(CSV, dtype=str).drop(columns="Score")
    with pytest.raises(MissingColumnError, match="deprecated score out of 10"):
        nicereply.read_responses(frame)


def test_api_json_and_survey_option(tmp_path):
    path = tmp_path / "ratings.json"
    path.write_text(json.dumps({"_results": [{"id": 1, "score": 8,
                                              "created": "2023-08-01T10:00:00Z",
                                              "comment": "ok"}]}), encoding="utf-8")
    read = nicereply.read_responses(path, survey="nps")
    assert (read.layout, read.frame["survey"][0], read.frame["score"][0]) == \
        ("API ratings (JSON)", "nps", 8)
    with pytest.raises(ParameterError, match="survey must be csat, ces or nps"):
        nicereply.read_responses(path, survey="pmf")
    path.write_text('{"_results": [{"id": 1, "sco', encoding="utf-8")
    with pytest.raises(FileFormatError, match="truncated"):
        nicereply.read_responses(path)


def test_timezone_needed_without_offsets():
    frame = pd.DataFrame({"ID": ["1"], "Date": ["2023-08-01 10:00:00"], "Score": ["4"]})
    with pytest.raises(ParameterError, match="timezone"):
        nicereply.read_responses(frame)
    read = nicereply.read_responses(frame, timezone="Europe/Bratislava")
    assert str(read.frame["responded_at"][0]) == "2023-08-01 10:00:00+02:00"


# --- bad input (issue 12): one test per case and layout (JSON has no header row) -------

def _api_file(tmp_path, text, name="ratings.json", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


API = json.dumps({"_results": [
    {"id": 1, "score": 8, "created": "2023-08-01T10:00:00Z", "comment": "très bien"},
    {"id": 2, "score": 3, "created": "2023-08-02T10:00:00Z", "comment": "slow"}]},
    ensure_ascii=False)


@pytest.mark.parametrize("cut_at", ["505,2023-08-03", '505,2023-08-03T10:00:00+02:00,NPS,4,4,"Not'])
def test_csv_truncated_last_row_set_aside(tmp_path, cut_at):
    path = tmp_path / "cut.csv"
    text = CSV.read_text(encoding="utf-8")
    path.write_text(text[: text.index("505")] + cut_at, encoding="utf-8")
    read = nicereply.read_responses(path)
    assert read.n_read == 5 and read.frame["response_id"].tolist() == ["501", "502", "503", "504"]
    assert read.set_aside["response_id"].tolist() == ["505"]
    assert read.set_aside.index.tolist() == [4]
    assert read.set_aside["reason"].iloc[0].startswith("last row cut short (line 6: ")


def test_json_truncated(tmp_path):
    with pytest.raises(FileFormatError, match="ratings.json is not complete JSON .*line 1.*"
                                              "looks truncated. Download it again"):
        nicereply.read_responses(_api_file(tmp_path, API[:60]))


def test_csv_wrong_vendor():
    with pytest.raises(MissingColumnError, match="no 'Score' column for Nicereply's ratings; the "
                                                 "columns are 'Timestamp'.*set source: to that "
                                                 "tool"):
        nicereply.read_responses(FIXTURES / "google_forms" / "responses.csv")


def test_json_wrong_vendor():
    with pytest.raises(FileFormatError, match="satisfaction_ratings.json is not a Nicereply API "
                                              "response: no '_results' list \\(found a list\\)"):
        nicereply.read_responses(FIXTURES / "freshdesk" / "satisfaction_ratings.json")


def test_csv_missing_header_row(tmp_path):
    path = tmp_path / "n.csv"
    path.write_text("".join(CSV.read_text(encoding="utf-8").splitlines(True)[1:]),
                    encoding="utf-8")
    with pytest.raises(FileFormatError, match="n.csv has no header row: its first line has "
                                              "'501', '2023-08-01T09:00:00\\+02:00'"):
        nicereply.read_responses(path)


@pytest.mark.parametrize("old, new, missing", [("Date", "Rating date", "responded_at"),
                                               ("Score", "Scores", "'Score'")])
def test_csv_renamed_column(old, new, missing):
    renamed = pd.read_csv(CSV, dtype=str).rename(columns={old: new})
    with pytest.raises(MissingColumnError, match=f"no {missing} column.*Did you mean '{new}' "
                                                 f"for '{old}'.*Rename the column back"):
        nicereply.read_responses(renamed)


def test_json_renamed_field(tmp_path):
    path = _api_file(tmp_path, API.replace('"created"', '"created_on"'))
    with pytest.raises(MissingColumnError, match="no responded_at column.*Did you mean "
                                                 "'created_on' for 'created'"):
        nicereply.read_responses(path)


def test_csv_other_encoding(tmp_path):
    path = tmp_path / "n.csv"
    path.write_bytes(CSV.read_text(encoding="utf-8").replace("Slow", "Lent très")
                     .encode("latin-1"))
    with pytest.raises(FileFormatError, match=r"n.csv is not utf-8-sig text at byte [\d,]+ "
                                              r"\(line 3.*encoding='latin-1'"):
        nicereply.read_responses(path)
    assert nicereply.read_responses(path, encoding="latin-1").frame["comment"][1] == "Lent très"


def test_json_other_encoding(tmp_path):
    path = _api_file(tmp_path, API, encoding="latin-1")
    with pytest.raises(FileFormatError, match=r"ratings.json is not utf-8-sig text at byte "
                                              r"[\d,]+ \(line 1.*encoding='latin-1'"):
        nicereply.read_responses(path)
    read = nicereply.read_responses(path, encoding="latin-1", survey="nps")
    assert read.frame["comment"][0] == "très bien"


def test_through_the_loader_accounting_adds_up():
    loaded = ct.load_responses(CSV, vendor="nicereply")
    assert loaded.n_read == 5 == len(loaded.data) + len(loaded.rejected)
