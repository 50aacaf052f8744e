"""SurveyMonkey reader: the real v3 API files (../shared/vendor-exports/surveymonkey/SOURCE.md)
and the two-header-row export fixtures (tests/fixtures/vendors/surveymonkey/SOURCE.md)."""
from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

import csat_toolkit as ct
from csat_toolkit.errors import FileFormatError, MissingColumnError, ParameterError
from csat_toolkit.io.vendors import surveymonkey as sm
from tests.conftest import REPO, SHARED, require_shared

API = SHARED / "vendor-exports" / "surveymonkey"
BULK = API / "survey_318754279_responses_bulk.json"
FIXTURES = REPO / "tests" / "fixtures" / "vendors" / "surveymonkey"
EXPANDED = FIXTURES / "responses_expanded.csv"
CONDENSED = FIXTURES / "responses_condensed.csv"


def test_api_files_reproduce_source_md():
    read = sm.read_responses(require_shared(BULK), score_question="769893650")
    frame = read.frame.set_index("response_id")
    # SOURCE.md: 2 responses, both completed, both choice 5096103935 ("3" pets).
    assert read.n_read == 2 and read.set_aside.empty
    assert frame["score"].tolist() == ["3", "3"]
    assert frame.loc["13376313674", "comment"] == "Donut, Mango, Phil"
    assert frame.loc["13376299051", "comment"] == "Phil, Mango, Donut"
    assert frame["collector_id"].to_dict() == {"13376313674": "415838011",
                                               "13376299051": "415837773"}
    assert set(frame["channel"]) == {"weblink"}  # from the collectors file
    assert str(frame.loc["13376313674", "started_at"]) == "2022-03-05 18:05:46+00:00"
    assert str(frame.loc["13376313674", "responded_at"]) == "2022-03-05 18:05:57+00:00"
    assert str(frame.loc["13376299051", "responded_at"]) == "2022-03-05 17:53:02+00:00"
    assert frame["total_time"].tolist() == [10, 12]
    assert "How many pets do you have?" in read.notes[0]


def test_api_without_rating_question_says_which_to_choose():
    # The survey's only choice question has a "4 or more" choice: not a rating.
    with pytest.raises(ParameterError, match="no rating question.*How many pets"):
        sm.read_responses(require_shared(BULK))
    with pytest.raises(ParameterError, match="score_question '1' is not a question"):
        sm.read_responses(BULK, score_question="1")


def test_api_needs_the_details_file(tmp_path):
    shutil.copy(require_shared(BULK), tmp_path / "bulk.json")
    with pytest.raises(ParameterError, match="details JSON"):
        sm.read_responses(tmp_path / "bulk.json")
    read = sm.read_responses(tmp_path / "bulk.json", score_question="769893650",
                             details=API / "survey_318754279_details.json")
    assert read.frame["channel"].tolist() == ["415838011", "415837773"]


def test_api_partial_set_aside():
    page = json.loads(require_shared(BULK).read_text(encoding="utf-8"))
    page["data"][1]["response_status"] = "partial"
    read = sm.read_responses(page, details=API / "survey_318754279_details.json",
                             score_question="How many pets do you have?")
    assert read.set_aside["reason"].tolist() == ["partial response (response_status = partial)"]
    assert read.set_aside.index.tolist() == [1] and read.n_read == 2


def test_detect():
    assert sm.detect(require_shared(BULK)) == "API bulk responses (JSON)"
    assert sm.detect(API / "survey_318754279_details.json") is None
    assert sm.detect(EXPANDED) == "export with two header rows"
    assert sm.detect(REPO / "tests" / "fixtures" / "vendors" / "typeform" / "responses.csv") \
        is None


def test_expanded_export():
    read = sm.read_responses(EXPANDED, timezone="America/New_York")
    # SOURCE.md: 6 rows, the last with no answers; scores 10, 9, 6, 0, 8 -> NPS 0.
    assert read.n_read == 6
    assert read.set_aside["reason"].tolist() == ["no answers (every question blank)"]
    assert read.frame["score"].tolist() == ["10", "9", "6", "0", "8"]
    assert set(read.frame["survey"]) == {"nps"}
    assert read.frame["which_products_do_you_use_billing"].notna().tolist() == \
        [True, False, True, False, True]
    assert read.frame["comment"].tolist()[0] == "Fast answers"
    assert str(read.frame["responded_at"].iloc[0]) == "2024-03-05 09:03:40-05:00"
    table = ct.nps(read.frame.assign(score=read.frame["score"].astype(float)))
    assert table["estimate"].iloc[0] == pytest.approx(0.0)


def test_condensed_export_labels():
    read = sm.read_responses(CONDENSED, timezone="UTC")
    assert read.frame["score"].tolist() == ["Very satisfied", "Satisfied", "Dissatisfied"]
    assert set(read.frame["survey"]) == {"csat"}


def test_export_without_timezone():
    with pytest.raises(ParameterError, match="no UTC offset.*timezone:"):
        sm.read_responses(EXPANDED)


def test_xlsx_export(tmp_path):
    raw = pd.read_csv(EXPANDED, header=None, dtype=str)
    path = tmp_path / "export.xlsx"
    raw.to_excel(path, header=False, index=False)
    assert sm.detect(path) == "export with two header rows"
    read = sm.read_responses(path, timezone="America/New_York")
    assert read.frame["score"].astype(str).tolist() == ["10", "9", "6", "0", "8"]


# --- bad input (issue 12): one test per case and layout (JSON has no header row) -------

def test_api_truncated(tmp_path):
    path = tmp_path / "bulk.json"
    path.write_text(require_shared(BULK).read_text(encoding="utf-8")[:2000], encoding="utf-8")
    with pytest.raises(FileFormatError, match="bulk.json is not complete JSON .* at line \\d+, "
                                              "column \\d+\\): the SurveyMonkey bulk responses "
                                              "looks truncated. Download it again"):
        sm.read_responses(path)


@pytest.mark.parametrize("cut_at", ["114006,400002,03/09", "114006,400002,03/09/2024 08:00:00 AM,"
                                    "03/09/2024 08:00:05 AM,,,,,initech,"])
def test_export_truncated_last_row_set_aside(tmp_path, cut_at):
    path = tmp_path / "cut.csv"
    text = EXPANDED.read_text(encoding="utf-8")
    path.write_text(text[: text.index("114006")] + cut_at, encoding="utf-8")
    read = sm.read_responses(path, timezone="America/New_York")
    assert read.n_read == 6 and read.frame["score"].tolist() == ["10", "9", "6", "0", "8"]
    assert read.set_aside["response_id"].tolist() == ["114006"]
    assert read.set_aside.index.tolist() == [5]
    assert read.set_aside["reason"].iloc[0].startswith("last row cut short (line 8: ")
    assert any("cut.csv looks truncated" in n for n in read.notes)


def test_api_wrong_vendor_json(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"_results": []}', encoding="utf-8")
    with pytest.raises(FileFormatError, match="other.json is not SurveyMonkey's bulk responses "
                                              "JSON: it has no 'data' list \\(found \\['_results'"
                                              "\\]\\)"):
        sm.read_responses(path)


def test_export_wrong_vendor():
    with pytest.raises(MissingColumnError, match="responses.csv does not start with "
                                                 "SurveyMonkey's header row.*found '#'.*set "
                                                 "source: to that tool"):
        sm.read_responses(REPO / "tests" / "fixtures" / "vendors" / "typeform" /
                          "responses.csv", timezone="UTC")


def test_export_missing_first_header_row(tmp_path):
    lines = EXPANDED.read_text(encoding="utf-8").splitlines(True)
    path = tmp_path / "no_header.csv"
    path.write_text("".join(lines[2:]), encoding="utf-8")
    with pytest.raises(FileFormatError, match="no_header.csv has no header rows: its first line "
                                              "has '114001', '400001', '03/05/2024 09:01:10 AM'"):
        sm.read_responses(path, timezone="UTC")


def test_export_missing_second_header_row(tmp_path):
    lines = EXPANDED.read_text(encoding="utf-8").splitlines(True)
    path = tmp_path / "one_header.csv"
    path.write_text(lines[0] + "".join(lines[2:]), encoding="utf-8")
    with pytest.raises(FileFormatError, match="one_header.csv: row 2 should be SurveyMonkey's "
                                              "second header row.*export the file again"):
        sm.read_responses(path, timezone="UTC")


def test_api_renamed_field(tmp_path):
    path = tmp_path / "bulk.json"
    path.write_text(require_shared(BULK).read_text(encoding="utf-8")
                    .replace('"pages"', '"page"'), encoding="utf-8")
    with pytest.raises(FileFormatError, match="records 0, 1 \\(0-based\\) lack 'pages'.*did you "
                                              "mean 'page' for 'pages'"):
        sm.read_responses(path, details=API / "survey_318754279_details.json")


def test_export_renamed_column(tmp_path):
    path = tmp_path / "renamed.csv"
    path.write_text(EXPANDED.read_text(encoding="utf-8").replace("Respondent ID", "Id", 1),
                    encoding="utf-8")
    with pytest.raises(MissingColumnError, match="Missing or renamed: 'Respondent ID' \\(did you "
                                                 "mean 'Id' for 'Respondent ID'\\? Rename it back"):
        sm.read_responses(path, timezone="UTC")


def test_api_other_encoding(tmp_path):
    path = tmp_path / "bulk.json"
    text = require_shared(BULK).read_text(encoding="utf-8").replace("Donut", "Dönut")
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(FileFormatError, match=r"bulk.json is not utf-8-sig text at byte [\d,]+ "
                                              r"\(line \d+.*encoding='latin-1'"):
        sm.read_responses(path)
    read = sm.read_responses(path, encoding="latin-1", score_question="769893650",
                             details=API / "survey_318754279_details.json")
    assert "Dönut" in read.frame["comment"].iloc[0]


def test_export_other_encoding(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(CONDENSED.read_text(encoding="utf-8").replace("Thanks", "Très bien")
                     .encode("latin-1"))
    with pytest.raises(FileFormatError, match=r"latin.csv is not utf-8-sig text at byte [\d,]+ "
                                              r"\(line 3.*encoding='latin-1'"):
        sm.read_responses(path, timezone="UTC")
    assert sm.read_responses(path, timezone="UTC", encoding="latin-1").frame["comment"][0] \
        == "Très bien"


def test_through_the_loader_accounting_adds_up():
    loaded = ct.load_responses(EXPANDED, vendor="surveymonkey", timezone="America/New_York")
    assert loaded.n_read == 6 == len(loaded.data) + len(loaded.rejected)
    assert loaded.rejected["reason"].tolist() == ["no answers (every question blank)"]
    assert loaded.rejected["source_row"].tolist() == [6]
