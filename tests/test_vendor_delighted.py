"""Delighted reader: the real API records (../shared/vendor-exports/delighted/SOURCE.md) and
a CSV export fixture (tests/fixtures/vendors/delighted/SOURCE.md)."""
from __future__ import annotations

import pandas as pd
import pytest

import csat_toolkit as ct
from csat_toolkit.errors import FileFormatError, MissingColumnError, ParameterError
from csat_toolkit.io.vendors import delighted
from tests.conftest import REPO, SHARED, require_shared

RECORDS = SHARED / "vendor-exports" / "delighted" / "expected_records.txt"
CSV = REPO / "tests" / "fixtures" / "vendors" / "delighted" / "responses.csv"


@pytest.fixture(scope="module")
def real():
    return delighted.read_responses(require_shared(RECORDS))


def test_real_records_reproduce_source_md(real):
    # SOURCE.md: scores in file order 8, 9, 3, 7, 1, 7, 0, 3, 6, 0; NPS -50.0; mean 4.4.
    assert real.frame["score"].tolist() == [8, 9, 3, 7, 1, 7, 0, 3, 6, 0]
    assert real.n_read == 10 and real.set_aside.empty
    assert real.frame["score"].mean() == pytest.approx(4.4)
    table = ct.nps(real.frame.assign(score=real.frame["score"].astype(float)))
    assert table["estimate"].iloc[0] == pytest.approx(-50.0)
    assert (table["pct_promoters"].iloc[0], table["pct_detractors"].iloc[0]) == (10.0, 60.0)
    # Response ids are not in creation order: 210554372 first, 210554370 second.
    assert real.frame["response_id"].tolist()[:2] == ["210554372", "210554370"]
    # Times 1641289688..1641289693 = 2022-01-04 09:48:08..13 UTC.
    times = real.frame["responded_at"]
    assert str(times.min()) == "2022-01-04 09:48:08+00:00"
    assert str(times.max()) == "2022-01-04 09:48:13+00:00"
    assert set(real.frame["survey"]) == {"nps"}
    assert any("bounces 5, people 5, unsubscribes 10" in n for n in real.notes)


def test_detect():
    assert delighted.detect(require_shared(RECORDS)) == "API survey responses (JSON)"
    assert delighted.detect(CSV) == "CSV export"
    assert delighted.detect(REPO / "tests" / "fixtures" / "vendors" / "typeform" /
                            "responses.csv") is None
    assert delighted.detect(REPO / "no_such_file.json") is None


def test_person_properties_become_segments_and_json_array(tmp_path):
    path = tmp_path / "responses.json"
    path.write_text('[{"id": "1", "person": "p", "survey_type": "csat", "score": 4, '
                    '"created_at": 1700000000, "person_properties": {"Customer Tier": "Gold"},'
                    ' "tags": ["a", "b"]}]', encoding="utf-8")
    read = delighted.read_responses(path)
    row = read.frame.iloc[0]
    assert (row["survey"], row["customer_tier"], row["tags"]) == ("csat", "Gold", "a; b")
    assert str(row["responded_at"]) == "2023-11-14 22:13:20+00:00"


def test_csv_export_fixture():
    read = delighted.read_responses(CSV)
    assert read.layout == "CSV export"
    assert read.frame["score"].tolist() == ["10", "7", "3", "9"]
    assert read.frame["plan"].tolist() == ["Pro", "Free", "Free", "Pro"]
    assert str(read.frame["responded_at"].iloc[0]) == "2024-03-05 10:00:00+00:00"
    assert read.mapping["Response ID"] == "response_id"


def test_csv_without_offsets_needs_timezone(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("Response ID,Score,Created At\n1,9,2024-03-05 10:00:00\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="timezone"):
        delighted.read_responses(path)
    read = delighted.read_responses(path, timezone="Europe/Paris")
    assert str(read.frame["responded_at"].iloc[0]) == "2024-03-05 10:00:00+01:00"


# --- bad input (issue 12): one test per case and layout (JSON has no header row) -------

ARRAY = ('[{"id": "1", "person": "p", "survey_type": "nps", "score": 9, "comment": "très bien", '
         '"created_at": 1700000000},\n {"id": "2", "person": "q", "survey_type": "nps", '
         '"score": 4, "comment": "slow", "created_at": 1700003600}]')


def _file(tmp_path, text, name="responses.json", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_json_lines_truncated(tmp_path):
    path = tmp_path / "records.jsonl"
    text = require_shared(RECORDS).read_text(encoding="utf-8")
    path.write_text(text[: len(text) - 40], encoding="utf-8")
    with pytest.raises(FileFormatError, match="records.jsonl: line 30 is not a complete JSON "
                                              "object .*looks truncated; export it again"):
        delighted.read_responses(path)


def test_json_array_truncated(tmp_path):
    with pytest.raises(FileFormatError, match="responses.json is not complete JSON .*line 2.*"
                                              "looks truncated. Export it again"):
        delighted.read_responses(_file(tmp_path, ARRAY[:-30]))


def test_csv_truncated_last_row_set_aside(tmp_path):
    text = CSV.read_text(encoding="utf-8")
    path = _file(tmp_path, text[: text.index("9004") + 12], "cut.csv")
    read = delighted.read_responses(path)
    assert read.n_read == 4 and read.frame["response_id"].tolist() == ["9001", "9002", "9003"]
    assert read.set_aside["response_id"].tolist() == ["9004"]
    assert read.set_aside["reason"].iloc[0] == (
        "last row cut short (line 5: 5 of the header's 10 fields); the file looks truncated")
    assert any("cut.csv looks truncated" in n for n in read.notes)


def test_json_wrong_vendor():
    hubspot = REPO / "tests" / "fixtures" / "vendors" / "hubspot" / "feedback_submissions.json"
    with pytest.raises(FileFormatError, match="feedback_submissions.json is one JSON object "
                                              "with the keys 'results'.*not Delighted's survey "
                                              "responses.*set source: to that tool"):
        delighted.read_responses(hubspot)


def test_csv_wrong_vendor():
    with pytest.raises(MissingColumnError, match="no responded_at, response_id, score column "
                                                 "found for Delighted's export.*'#'.*set source:"):
        delighted.read_responses(REPO / "tests" / "fixtures" / "vendors" / "typeform" /
                                 "responses.csv")


def test_csv_missing_header_row(tmp_path):
    path = _file(tmp_path, "".join(CSV.read_text(encoding="utf-8").splitlines(True)[1:]), "d.csv")
    with pytest.raises(FileFormatError, match="d.csv has no header row: its first line has "
                                              "'9001', '10', 'a@example.com'"):
        delighted.read_responses(path)


def test_json_renamed_field(tmp_path):
    path = _file(tmp_path, ARRAY.replace('"created_at"', '"created"'))
    with pytest.raises(MissingColumnError, match="records 0, 1 \\(0-based\\) lack 'created_at'.*"
                                                 "did you mean 'created' for 'created_at'"):
        delighted.read_responses(path)


def test_csv_renamed_column():
    frame = pd.read_csv(CSV, dtype=str).rename(columns={"Score": "NPS Score"})
    with pytest.raises(MissingColumnError, match="no score column.*Did you mean 'NPS Score' for "
                                                 "'Score'.*Rename the column back"):
        delighted.read_responses(frame)


def test_json_other_encoding(tmp_path):
    path = _file(tmp_path, ARRAY, encoding="latin-1")
    with pytest.raises(FileFormatError, match=r"responses.json is not utf-8-sig text at byte "
                                              r"[\d,]+ \(line 1.*encoding='latin-1'"):
        delighted.read_responses(path)
    assert delighted.read_responses(path, encoding="latin-1").frame["comment"][0] == "très bien"


def test_csv_other_encoding(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("Response ID,Score,Comment,Created At\n1,9,Très bien,1709632800\n"
                     .encode("latin-1"))
    with pytest.raises(FileFormatError, match=r"d.csv is not utf-8-sig text at byte [\d,]+ "
                                              r"\(line 2.*encoding='latin-1'"):
        delighted.read_responses(path)
    assert delighted.read_responses(path, encoding="latin-1").frame["comment"][0] == "Très bien"


def test_unknown_survey_type_and_milliseconds():
    with pytest.raises(ParameterError, match="'stars10'"):
        delighted.read_responses([{"id": 1, "score": 3, "created_at": 1, "survey_type": "stars10"}])
    with pytest.raises(FileFormatError, match="milliseconds"):
        delighted.read_responses([{"id": 1, "score": 3, "created_at": 1641289688000}])
    with pytest.raises(MissingColumnError, match="lack 'score', 'created_at'"):
        delighted.read_responses([{"id": 1}])


def test_through_the_loader_accounting_adds_up():
    loaded = ct.load_responses(require_shared(RECORDS), vendor="delighted")
    assert loaded.n_read == 10 == len(loaded.data) + len(loaded.rejected)
    assert loaded.notes[0] == "Read as a delighted export (API survey responses (JSON))."
