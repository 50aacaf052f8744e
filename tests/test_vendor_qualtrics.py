"""The Qualtrics reader (csat_toolkit.io.vendors.qualtrics) on the real exports in
../shared/vendor-exports/qualtrics (numbers from its SOURCE.md) and on small files made
from them for every reader path and error path."""
from __future__ import annotations

import json
import zipfile

import pandas as pd
import pytest

import csat_toolkit as ct
from csat_toolkit.errors import FileFormatError, MissingColumnError, ParameterError
from csat_toolkit.io.vendors import qualtrics as q
from tests.conftest import SHARED, require_shared

FOLDER = SHARED / "vendor-exports" / "qualtrics"
NPS = FOLDER / "nps_survey_api_export.csv"
CSAT = FOLDER / "csat_survey_api_export.csv"


def shared(name: str):
    return require_shared(FOLDER / name)


HEADER = (
    'RecordedDate,Status,Finished,Progress,ResponseId,Q1_NPS_GROUP,Q1,Q2,Q3,Plan\n'
    'Erfassungsdatum,Antworttyp,Beendet,Aktueller Stand,Antwort-ID,Gruppe,Empfehlung,'
    'Warum?,Zufriedenheit,Plan\n'
    '"{""ImportId"":""recordedDate"",""timeZone"":""Europe/Berlin""}",'
    '"{""ImportId"":""status""}","{""ImportId"":""finished""}","{""ImportId"":""progress""}",'
    '"{""ImportId"":""_recordId""}","{""ImportId"":""QID1_NPS_GROUP""}",'
    '"{""ImportId"":""QID1""}","{""ImportId"":""QID2_TEXT""}","{""ImportId"":""QID3""}",'
    '"{""ImportId"":""Plan""}"\n'
)
ROWS = (
    "2025-03-01 10:00:00,IP Address,True,100,R_1,Promoter,10,Great,Extremely satisfied,pro\n"
    "2025-03-01 11:00:00,Survey Preview,True,100,R_2,Promoter,9,,Somewhat satisfied,pro\n"
    "2025-03-01 12:00:00,Survey Test,True,100,R_3,Detractor,3,,Somewhat dissatisfied,free\n"
    "2025-03-01 13:00:00,Spam,False,20,R_4,,,,,free\n"
    "2025-03-02 09:00:00,IP Address,False,40,R_5,Passive,7,Slow,,free\n"
    "2025-03-30 02:30:00,IP Address,True,100,R_6,Passive,8,,Neither satisfied nor "
    "dissatisfied,pro\n"
    "2025-03-03 09:00:00,IP Address,True,100,R_7,Passive,6,Meh,Extremely dissatisfied,free\n"
)


def write(tmp_path, text: str, name: str = "export.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- detection ------------------------------------------------------------------------

def test_detect_every_real_layout_and_nothing_else():
    assert q.detect(shared("sample.csv")) == q.CURRENT
    assert q.detect(shared("sample_legacy.csv")) == q.LEGACY  # starts with a BOM
    assert q.detect(shared("nps_survey_api_export.csv")) == q.CURRENT  # CRLF
    assert q.detect(shared("nps_survey_api_export.zip")) == q.CURRENT
    assert q.detect(shared("csat_survey_api_export.csv")) == q.CURRENT
    for other in (FOLDER / "SOURCE.md", FOLDER / "nps_survey_definition.json",
                  SHARED / "vendor-exports" / "hubspot" / "ticket_data.csv",
                  FOLDER / "no_such_file.csv"):
        assert q.detect(other) is None
    assert q.detect(pd.DataFrame({"a": [1]})) is None


def test_detect_synthetic_layouts(tmp_path):
    assert q.detect(write(tmp_path, HEADER + ROWS)) == q.CURRENT
    lines = (HEADER + ROWS).split("\n")
    two = "\n".join([lines[0]] + lines[2:])
    assert q.detect(write(tmp_path, two, "two.csv")) == q.CURRENT_TWO
    assert q.detect(write(tmp_path, "id,score\n1,5\n", "plain.csv")) is None
    assert q.detect(write(tmp_path, HEADER + ROWS, "utf16.csv", "utf-16")) == q.CURRENT


# --- the NPS survey (SOURCE.md, "nps_survey_api_export.csv") -----------------------------

def test_nps_export_accounting_and_scores():
    read = q.read_responses(shared("nps_survey_api_export.csv"))
    assert (read.vendor, read.layout, read.kind, read.n_read) == ("qualtrics", q.CURRENT,
                                                                  "responses", 45)
    # Status: Survey Preview 1, Spam 2; Finished False 17 (2 of them the spam rows).
    assert read.set_aside["reason"].value_counts().to_dict() == {
        "partial response (Finished = False)": 15, "spam (Status = Spam)": 2,
        "preview response (Status = Survey Preview)": 1}
    assert len(read.frame) == 27 and len(read.frame) + len(read.set_aside) == 45
    every = pd.concat([read.frame, read.set_aside])
    # DistributionChannel: social 27, anonymous 17, preview 1.
    assert every["channel"].value_counts().to_dict() == {"social": 27, "anonymous": 17,
                                                         "preview": 1}
    scores = pd.to_numeric(every["score"]).dropna()
    # Scores: 0x4, 2, 4, 5x2, 6, 7x3, 8, 9x6, 10x9 (28 answers).
    assert scores.value_counts().sort_index().to_dict() == {
        0: 4, 2: 1, 4: 1, 5: 2, 6: 1, 7: 3, 8: 1, 9: 6, 10: 9}
    promoters, detractors = int((scores >= 9).sum()), int((scores <= 6).sum())
    assert (promoters, int(((scores >= 7) & (scores <= 8)).sum()), detractors) == (15, 4, 9)
    assert round(100 * (promoters - detractors) / len(scores), 2) == 21.43  # SOURCE: +21.43
    assert set(read.frame["survey"]) == {"nps"}
    assert "agrees with the 0-6 / 7-8 / 9-10 groups of the score on all 28 answers" in \
        " ".join(read.notes)
    assert any("'Q3.13' (QID18" in n and "NPS question" in n for n in read.notes)
    assert read.mapping["Q3.13"] == "score" and read.mapping["ResponseId"] == "response_id"
    # RecordedDate runs from 2020-02-10 20:45:47 to 2024-07-01 14:55:13, America/Denver.
    times = every["responded_at"]
    assert str(times.dt.tz) == "America/Denver"
    assert (str(times.min()), str(times.max())) == ("2020-02-10 20:45:47-07:00",
                                                    "2024-07-01 14:55:13-06:00")
    assert any("America/Denver, named in the export" in n for n in read.notes)
    # embedded data and the other closed questions are segments; personal data is not
    assert read.frame["solution_revision"].eq("2").all()
    assert read.frame["q4_1"].notna().all()
    assert not {"ip_address", "progress", "q3_13_nps_group"} & set(read.frame.columns)
    first = read.frame.loc[read.frame["response_id"] == "R_1KvuANnY3nkRtvE", "comment"]
    assert first.tolist() == ["The salami was soooo delicious | A great morale boost"]


def test_nps_export_loads_with_the_accounting_adding_up():
    """Through the loader (source: qualtrics): read = used + set aside, by reason."""
    loaded = ct.load_responses(shared("nps_survey_api_export.csv"), vendor="qualtrics")
    assert loaded.n_read == 45 and len(loaded.data) == 27
    assert len(loaded.data) + len(loaded.rejected) == loaded.n_read
    assert loaded.rejected["reason"].value_counts().to_dict() == {
        "partial response (Finished = False)": 15, "spam (Status = Spam)": 2,
        "preview response (Status = Survey Preview)": 1}
    assert loaded.rejected["source_row"].tolist()[:3] == [1, 14, 15]
    result = ct.nps(loaded.data)
    # SOURCE: excluding the Survey Preview row, n = 27, 14/4/9, NPS = +18.52
    assert int(result["n"].iloc[0]) == 27
    assert round(float(result["estimate"].iloc[0]), 2) == 18.52


def test_zip_and_definition_read_the_same_rows():
    plain = q.read_responses(shared("nps_survey_api_export.csv"))
    zipped = q.read_responses(shared("nps_survey_api_export.zip"),
                              definition=shared("nps_survey_definition.json"))
    pd.testing.assert_frame_equal(plain.frame, zipped.frame)
    assert zipped.notes[0] == ("Read 'Cats Can Have a Little Salami.csv' from the zip "
                               "nps_survey_api_export.zip.")
    by_id = q.read_responses(shared("nps_survey_api_export.csv"), question="QID18")
    assert by_id.frame["score"].tolist() == plain.frame["score"].tolist()


# --- the CSAT survey (SOURCE.md, "csat_survey_api_export.csv") --------------------------

@pytest.mark.parametrize("definition", [None, "csat_survey_definition.json"])
def test_csat_export_labels_and_recodes(definition):
    read = q.read_responses(shared("csat_survey_api_export.csv"),
                            definition=definition and shared(definition))
    assert read.n_read == 15 and len(read.frame) == 15 and read.set_aside.empty
    scores = pd.to_numeric(read.frame["score"])
    # Q16: Neither 6, Somewhat satisfied 3, Extremely dissatisfied 3, Somewhat dissatisfied 2,
    # Extremely satisfied 1 -> top-2-box 4/15 = 26.7 %, mean 2.80.
    assert scores.value_counts().to_dict() == {3: 6, 4: 3, 1: 3, 2: 2, 5: 1}
    assert int((scores >= 4).sum()) == 4
    assert round(scores.mean(), 2) == 2.80
    assert set(read.frame["survey"]) == {"csat"}
    assert read.frame["q17"].value_counts().to_dict() == {"No": 9, "Yes": 6}  # Q17
    how = "recode values" if definition else "csat_5 scale's labels"
    assert any(how in n for n in read.notes)
    assert any("no Status (Response Type) column" in n for n in read.notes)
    assert any("'EndDate' in America/Denver" in n for n in read.notes)


def test_csat_export_through_the_loader():
    loaded = ct.load_responses(shared("csat_survey_api_export.csv"), vendor="qualtrics")
    result = ct.csat(loaded.data)
    assert (loaded.n_read, len(loaded.data), len(loaded.rejected)) == (15, 15, 0)
    assert round(float(result["estimate"].iloc[0]), 1) == 26.7
    assert round(float(result["mean"].iloc[0]), 2) == 2.80


# --- the samples (German labels; legacy layout with a BOM) ------------------------------

def test_sample_needs_a_time_zone_and_a_question():
    with pytest.raises(ParameterError, match="no UTC offset.*Set timezone:"):
        q.read_responses(shared("sample.csv"), question="Q1")
    with pytest.raises(ParameterError, match=r"no NPS, 0-10 .*question= \(one of 'Q1', 'Q2'\)"):
        q.read_responses(shared("sample.csv"), timezone="Europe/Zurich")


@pytest.mark.parametrize("name, date", [("sample.csv", "RecordedDate"),
                                        ("sample_legacy.csv", "EndDate")])
def test_samples(name, date):
    read = q.read_responses(shared(name), timezone="Europe/Zurich", question="Q1")
    row = read.frame.iloc[0]
    assert (read.n_read, row["response_id"], row["survey"], row["score"]) == (
        1, "R_2YPOQ602ER1jkf1", "csat", 2.0)
    assert str(row["responded_at"]) == "2017-07-18 08:28:48+02:00"
    assert read.mapping[date] == "responded_at"
    assert any("Europe/Zurich, from timezone:" in n for n in read.notes)


def test_sample_comment_and_german_labels_unused():
    read = q.read_responses(shared("sample.csv"), timezone="UTC", question="QID1",
                            comment="QID2_TEXT")
    assert read.frame["comment"].tolist() == ["Hello World!"]
    assert read.frame["user_language"].tolist() == ["DE"]
    assert "Antwort-ID" not in " ".join(read.notes)


# --- synthetic exports: every reason and option -----------------------------------------

def test_reasons_clock_change_and_group_disagreement(tmp_path):
    read = q.read_responses(write(tmp_path, HEADER + ROWS))
    reasons = dict(zip(read.set_aside["response_id"], read.set_aside["reason"]))
    assert reasons == {
        "R_2": "preview response (Status = Survey Preview)",
        "R_3": "test response (Status = Survey Test)",
        "R_4": "spam (Status = Spam)",
        "R_5": "partial response (Finished = False)",
        "R_6": "time does not exist in Europe/Berlin: clocks sprang forward"}
    assert read.set_aside.index.tolist() == [1, 2, 3, 4, 5]  # data rows, for source_row
    assert read.frame["response_id"].tolist() == ["R_1", "R_7"]
    assert read.frame["score"].tolist() == [10.0, 6.0]
    assert read.frame["plan"].tolist() == ["pro", "free"]  # embedded data
    # R_7: 6 is a detractor, Qualtrics said Passive.
    assert any("disagrees with the 0-6 / 7-8 / 9-10 group of the score on 1 of 6 answers"
               in n and "'R_7'" in n for n in read.notes)


def test_numeric_status_codes_and_keep_partial(tmp_path):
    text = (HEADER + ROWS).replace("IP Address,", "0,").replace("Survey Preview", "1") \
        .replace("Survey Test", "2").replace("Spam", "8").replace("True", "1") \
        .replace("False", "0")
    read = q.read_responses(write(tmp_path, text), keep_partial=True)
    assert read.set_aside["reason"].tolist()[:3] == [
        "preview response (Status = 1)", "test response (Status = 2)", "spam (Status = 8)"]
    assert "R_5" in read.frame["response_id"].tolist()
    assert any("1 unfinished responses kept" in n for n in read.notes)


def test_user_zone_differs_from_the_file(tmp_path):
    read = q.read_responses(write(tmp_path, HEADER + ROWS), timezone="UTC")
    assert str(read.frame["responded_at"].dt.tz) == "Europe/Berlin"
    assert any("names its time zone, Europe/Berlin; timezone: UTC was not used" in n
               for n in read.notes)


def test_question_and_survey_options(tmp_path):
    path = write(tmp_path, HEADER + ROWS)
    read = q.read_responses(path, question="Q3")
    assert read.frame["survey"].tolist() == ["csat", "csat"]
    assert read.frame["score"].tolist() == [5.0, 1.0]
    with pytest.raises(ParameterError, match="Did you mean 'Q3'"):
        q.read_responses(path, question="Q33")
    with pytest.raises(ParameterError, match="survey='stars' is not a survey type"):
        q.read_responses(path, survey="stars")
    with pytest.raises(ParameterError, match="comment='Q9'"):
        q.read_responses(path, comment="Q9")
    with pytest.raises(ParameterError, match="date='Submitted'"):
        q.read_responses(path, date="Submitted")


def test_several_candidate_questions(tmp_path):
    text = (HEADER + ROWS).replace("Q1_NPS_GROUP", "Q1_GROUP")
    with pytest.raises(ParameterError, match="several questions.*'Q1', 'Q3'"):
        q.read_responses(write(tmp_path, text))


def test_definition_recodes_that_disagree_with_the_labels(tmp_path):
    definition = {"result": {"questions": {"QID3": {"questionType": {"selector": "SAVR"},
        "choices": {str(i): {"recode": str(6 - i), "description": label} for i, label in
                    enumerate(["Extremely satisfied", "Somewhat satisfied",
                               "Neither satisfied nor dissatisfied",
                               "Somewhat dissatisfied", "Extremely dissatisfied"], 1)}}}}}
    read = q.read_responses(write(tmp_path, HEADER + ROWS), question="Q3", definition=definition)
    assert read.frame["score"].tolist() == [5.0, 1.0]  # recodes 5..1 agree with the labels
    definition["result"]["questions"]["QID3"]["choices"]["1"]["recode"] = "1"
    read = q.read_responses(write(tmp_path, HEADER + ROWS), question="Q3", definition=definition)
    assert read.frame["score"].tolist() == [1.0, 1.0]
    assert any("recodes differ from the csat_5 scale's labels" in n for n in read.notes)


def test_renamed_id_is_found_by_its_import_id(tmp_path):
    read = q.read_responses(write(tmp_path, (HEADER + ROWS).replace("ResponseId", "Resp ID", 1)))
    assert read.frame["response_id"].tolist() == ["R_1", "R_7"]
    assert any("The response id is column 'Resp ID'" in n for n in read.notes)


def test_label_row_removed_is_read(tmp_path):
    lines = (HEADER + ROWS).split("\n")
    read = q.read_responses(write(tmp_path, "\n".join([lines[0]] + lines[2:])))
    assert read.layout == q.CURRENT_TWO and len(read.frame) == 2


def test_utf16_tab_separated(tmp_path):
    frame = pd.read_csv(write(tmp_path, HEADER + ROWS), header=None, dtype=str,
                        keep_default_na=False)
    path = tmp_path / "export.tsv"
    frame.to_csv(path, sep="\t", header=False, index=False, encoding="utf-16")
    read = q.read_responses(path)
    assert read.frame["response_id"].tolist() == ["R_1", "R_7"]
    assert any("UTF-16" in n for n in read.notes)


def test_dataframe_from_read_csv(tmp_path):
    frame = pd.read_csv(write(tmp_path, HEADER + ROWS), dtype=str)
    read = q.read_responses(frame)
    assert read.frame["response_id"].tolist() == ["R_1", "R_7"]


# --- bad input (issue 12): one test per case and layout (three header rows; the legacy
# two-row layout) ------------------------------------------------------------------------

def legacy(tmp_path, change=lambda lines: lines, name="legacy.csv", encoding="utf-8"):
    lines = shared("sample_legacy.csv").read_text(encoding="utf-8-sig").splitlines(True)
    bom = "\ufeff" if encoding.startswith("utf") else ""
    return write(tmp_path, bom + "".join(change(lines)), name, encoding)


@pytest.mark.parametrize("tail, cells", [
    ("2025-03-03 09:00:00,IP Address,True,100,R_7,Pas", 6),
    ('2025-03-03 09:00:00,IP Address,True,100,R_7,Passive,6,"Meh, and', 8)])
def test_truncated_file_last_row_set_aside(tmp_path, tail, cells):
    read = q.read_responses(write(tmp_path, HEADER + ROWS[: ROWS.index("2025-03-03")] + tail))
    assert read.n_read == 7 and read.frame["response_id"].tolist() == ["R_1"]
    cut = read.set_aside.iloc[-1]
    assert read.set_aside.index[-1] == 6 and cut["response_id"] == "R_7"
    assert cut["reason"] == (f"last row cut short (line 10: {cells} of the header's 10 fields);"
                             " the file looks truncated")
    assert any("export.csv looks truncated" in n for n in read.notes)


def test_truncated_file_rows_short_inside(tmp_path):
    text = HEADER + ROWS.replace(",pro\n2025-03-01 11:00:00", "\n2025-03-01 11:00:00", 1)
    with pytest.raises(FileFormatError, match="rows have fewer fields than the header \\(line"
                                              "\\(s\\) 4: 9 fields, the header has 10\\)"):
        q.read_responses(write(tmp_path, text))


def test_truncated_legacy_last_row_set_aside(tmp_path):
    path = legacy(tmp_path, lambda lines: lines[:3] + [lines[2].replace("R_2YPOQ602ER1jkf1",
                                                                      "R_9")[:40]])
    read = q.read_responses(path, timezone="UTC", question="Q1")
    assert read.n_read == 2 and read.frame["response_id"].tolist() == ["R_2YPOQ602ER1jkf1"]
    assert read.set_aside["response_id"].tolist() == ["R_9"]
    assert read.set_aside["reason"].iloc[0].startswith("last row cut short (line 4: ")


def test_wrong_vendor(tmp_path):
    monkey = ("Respondent ID,Collector ID,Start Date,End Date,How satisfied?\n"
              ",,,,Response\n1,2,01/02/2025,01/02/2025,Very satisfied\n")
    with pytest.raises(FileFormatError, match="not a Qualtrics response export.*Respondent ID"
                                              ".*Check source: \\(another vendor\\?\\)"):
        q.read_responses(write(tmp_path, monkey))
    with pytest.raises(FileFormatError, match="not a Qualtrics response export"):
        q.read_responses(shared("../hubspot/ticket_data.csv"))


def test_missing_import_id_row(tmp_path):
    lines = (HEADER + ROWS).split("\n")
    text = "\n".join(lines[:2] + lines[3:])
    with pytest.raises(FileFormatError, match="third row should hold ImportId JSON.*'IP Address'"
                                              ".*header row was probably deleted"):
        q.read_responses(write(tmp_path, text))


def test_missing_legacy_names_row(tmp_path):
    path = legacy(tmp_path, lambda lines: lines[:1] + lines[2:])
    with pytest.raises(FileFormatError, match="legacy.csv starts with the legacy Qualtrics keys "
                                              "V1, V2, V3 .* second row holds 'R_2YPOQ602ER1jkf1'"
                                              ".*header row was probably deleted"):
        q.read_responses(path, timezone="UTC", question="Q1")


def test_renamed_id_in_the_legacy_layout(tmp_path):
    path = legacy(tmp_path, lambda lines: [l.replace("ResponseID", "Response ID") for l in lines])
    assert q.detect(path) == q.LEGACY
    with pytest.raises(MissingColumnError, match="no ResponseId column.*Did you mean 'Response "
                                                 "ID' for ResponseId.*Rename it back"):
        q.read_responses(path, timezone="UTC", question="Q1")


def test_no_response_id_column(tmp_path):
    text = (HEADER + ROWS).replace('""_recordId""', '""recordX""').replace("ResponseId",
                                                                          "ResponseKey")
    with pytest.raises(MissingColumnError, match="no ResponseId column.*'ResponseKey'"):
        q.read_responses(write(tmp_path, text))


def test_other_encoding(tmp_path):
    path = write(tmp_path, (HEADER + ROWS).replace("Warum?", "Gr\u00fcnde"), encoding="latin-1")
    with pytest.raises(FileFormatError, match="not utf-8-sig text.*line 2.*encoding='latin-1'"):
        q.read_responses(path)
    assert len(q.read_responses(path, encoding="latin-1").frame) == 2


def test_other_encoding_legacy(tmp_path):
    path = legacy(tmp_path, lambda lines: [l.replace("Hello World!", "Gr\u00fcezi") for l in lines],
                  encoding="latin-1")
    with pytest.raises(FileFormatError, match="legacy.csv is not utf-8-sig text.*line 3.*"
                                              "encoding='latin-1'"):
        q.read_responses(path, timezone="UTC", question="Q1")
    read = q.read_responses(path, timezone="UTC", question="Q1", encoding="latin-1")
    assert read.frame["q2"].tolist() == ["Gr\u00fcezi"]


def test_other_file_errors(tmp_path):
    with pytest.raises(FileFormatError, match="File not found"):
        q.read_responses(tmp_path / "none.csv")
    with pytest.raises(FileFormatError, match="is empty"):
        q.read_responses(write(tmp_path, "\n\n", "empty.csv"))
    with pytest.raises(ParameterError, match="source must be the path"):
        q.read_responses(42)
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("a.csv", HEADER + ROWS)
        out.writestr("b.csv", HEADER + ROWS)
    with pytest.raises(FileFormatError, match="holds 2 CSV/TSV files"):
        q.read_responses(archive)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(FileFormatError, match="is not JSON"):
        q.read_responses(write(tmp_path, HEADER + ROWS), definition=tmp_path / "bad.json")
    (tmp_path / "wrong.json").write_text(json.dumps({"result": {"name": "x"}}))
    with pytest.raises(FileFormatError, match="has no 'questions'"):
        q.read_responses(write(tmp_path, HEADER + ROWS), definition=tmp_path / "wrong.json")
    with pytest.raises(ParameterError, match="not a known zone"):
        q.read_responses(shared("sample.csv"), timezone="Mars/Olympus", question="Q1")
