"""Tests of csat_toolkit.io: reading, mapping, validation and row accounting."""
from __future__ import annotations

import csv
import dataclasses
import html
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csat_toolkit.errors import (
    DateFormatError,
    FileFormatError,
    MissingColumnError,
    NoValidRowsError,
    ParameterError,
    RejectedRowsError,
    ScaleError,
)
from csat_toolkit.io import (
    LOADER_PARAMETERS,
    REASONS,
    LoadResult,
    load_responses,
    load_responses_from_params,
    read_config,
)

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
needs_realdata = pytest.mark.skipif(
    not REALDATA.is_dir(),
    reason=f"real data not found at {REALDATA} (the shared realdata folder beside the repo)",
)

MAPPING = {"id": "response_id", "when": "responded_at", "type": "survey", "rating": "score"}
ROWS = [
    ["id", "when", "type", "rating", "channel"],
    ["1", "2024-01-05 10:00", "csat", "5", "chat"],
    ["2", "2024-01-06 11:00", "csat", "4", "email"],
    ["3", "2024-01-07 12:00", "nps", "9", "chat"],
]


def write_rows(path: Path, rows, sep=",", encoding="utf-8") -> Path:
    text = "\n".join(sep.join(row) for row in rows) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def frame(**columns) -> pd.DataFrame:
    """A small responses frame: ids 1..n and csat unless given."""
    n = len(next(iter(columns.values())))
    base = {"response_id": [str(i + 1) for i in range(n)], "survey": ["csat"] * n}
    return pd.DataFrame({**base, **columns})


# --- reading files -------------------------------------------------------------------

@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_reads_every_separator(tmp_path, sep):
    path = write_rows(tmp_path / "r.csv", ROWS, sep=sep)
    loaded = load_responses(path, columns=MAPPING)
    assert loaded.n_read == 3 and loaded.n_used == 3
    assert loaded.options["sep"] == sep
    assert loaded.data["score"].tolist() == [5.0, 4.0, 9.0]
    assert loaded.data["channel"].tolist() == ["chat", "email", "chat"]
    assert any("Separator" in note for note in loaded.notes) == (sep != ",")


def test_sniffing_ignores_separators_inside_quotes(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('id;rating;comment\n1;5;"good, fast, kind"\n2;4;"ok, thanks"\n',
                    encoding="utf-8")
    loaded = load_responses(path, survey="csat", columns={"id": "response_id", "rating": "score"})
    assert loaded.options["sep"] == ";"
    assert loaded.data["comment"].tolist() == ["good, fast, kind", "ok, thanks"]


def test_explicit_separator_and_tsv(tmp_path):
    path = write_rows(tmp_path / "r.tsv", ROWS, sep="\t")
    loaded = load_responses(path, columns=MAPPING, sep="\t")
    assert loaded.n_used == 3 and not loaded.notes


def test_byte_order_mark_is_handled(tmp_path):
    path = write_rows(tmp_path / "r.csv", ROWS, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    loaded = load_responses(path, columns=MAPPING)
    assert loaded.data["response_id"].tolist() == ["1", "2", "3"]


def test_latin1_file_needs_its_encoding(tmp_path):
    rows = [r + [c] for r, c in zip(ROWS, ["comment", "très bien", "déçu", "ça va"])]
    path = write_rows(tmp_path / "r.csv", rows, encoding="latin-1")
    position = path.read_bytes().index("è".encode("latin-1"))
    with pytest.raises(FileFormatError, match=rf"r\.csv is not utf-8-sig text at byte {position} "
                                              r"\(line 2.*encoding='latin-1'.*cp1252"):
        load_responses(path, columns=MAPPING)
    loaded = load_responses(path, columns=MAPPING, encoding="latin-1")
    assert loaded.data["comment"].tolist() == ["très bien", "déçu", "ça va"]


def test_encoding_error_after_the_sniffed_part_names_the_byte(tmp_path):
    good = [[str(i), "2024-01-05", "csat", "5", "x" * 60] for i in range(1, 2001)]
    rows = [ROWS[0] + ["comment"]] + good + [["2001", "2024-01-05", "csat", "5", "caf\xe9"]]
    path = write_rows(tmp_path / "r.csv", rows, encoding="latin-1")
    size = path.stat().st_size
    assert size > 64 * 1024
    with pytest.raises(FileFormatError, match=rf"at byte {size - 2:,} \(line 2002"):
        load_responses(path, columns=MAPPING)


def test_parquet(tmp_path):
    source = pd.DataFrame({
        "response_id": ["a", "b"],
        "responded_at": pd.to_datetime(["2024-01-05 23:30", "2024-01-06 08:00"]).tz_localize("UTC"),
        "survey": ["nps", "nps"],
        "score": [10, 3],
    })
    path = tmp_path / "r.parquet"
    source.to_parquet(path)
    loaded = load_responses(path, timezone="Europe/Paris")
    assert loaded.data["score"].tolist() == [10.0, 3.0]
    assert loaded.data["responded_at"].tolist() == [pd.Timestamp("2024-01-06 00:30"),
                                                    pd.Timestamp("2024-01-06 09:00")]
    assert any("UTC offset" in note for note in loaded.notes)


def test_unreadable_parquet(tmp_path):
    path = tmp_path / "r.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(FileFormatError, match=r"could not be read as Parquet"):
        load_responses(path)


def test_excel_by_sheet_name(tmp_path):
    source = pd.DataFrame({
        "ID": [1, 2, 3],
        "Date": pd.to_datetime(["2024-01-05", "2024-01-06", "2024-01-07"]),
        "Rating": [5, "Very satisfied", None],
    })
    path = tmp_path / "r.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Notes", index=False)
        source.to_excel(writer, sheet_name="Answers", index=False)
    loaded = load_responses(path, sheet="Answers", survey="csat",
                            columns={"ID": "response_id", "Date": "responded_at", "Rating": "score"})
    assert loaded.data["score"].tolist() == [5.0, 5.0]
    assert loaded.data["responded_at"].iloc[1] == pd.Timestamp("2024-01-06")
    assert loaded.rejected["reason"].tolist() == ["missing score"]
    with pytest.raises(FileFormatError, match=r"no sheet 'Nope'.*'Notes', 'Answers'"):
        load_responses(path, sheet="Nope", survey="csat")
    with pytest.raises(FileFormatError, match=r"no sheet 5"):
        load_responses(path, sheet=5, survey="csat")


def test_dataframe_input_is_not_modified():
    source = pd.DataFrame({"Rating": ["5", " 4 ", "Very satisfied"], "Region": ["NA", "EU", None]})
    before = source.copy(deep=True)
    loaded = load_responses(source, survey="csat",
                            columns={"@row": "response_id", "Rating": "score"})
    pd.testing.assert_frame_equal(source, before)
    assert loaded.data["score"].tolist() == [5.0, 4.0, 5.0]
    assert loaded.data["region"].tolist()[:2] == ["NA", "EU"]  # DataFrames keep their text
    assert loaded.source == "DataFrame"


@pytest.mark.parametrize("name, content, message", [
    ("missing.csv", None, r"File not found: .*missing\.csv"),
    ("empty.csv", b"", r"empty\.csv is empty \(0 bytes\)"),
    ("blank.csv", b"\n\n\n", r"blank\.csv has no header line"),
    ("r.json", b"{}", r"unknown file type '\.json'.*CSV/TSV/TXT, Parquet .* Excel"),
    ("noext", b"a,b\n", r"unknown file type '\(no extension\)'"),
])
def test_file_errors(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(FileFormatError, match=message):
        load_responses(path, survey="csat")


def test_folder_is_read_by_duckdb(tmp_path):
    """A folder is one table of all its files, counted by DuckDB (issue 15); its columns
    are checked as a file's are."""
    write_rows(tmp_path / "answers.csv", ROWS)
    with pytest.raises(MissingColumnError, match=r"answers\.csv has no 'response_id'.*'id'"):
        load_responses(tmp_path)
    loaded = load_responses(tmp_path, columns=MAPPING)
    assert loaded.engine.startswith("DuckDB")
    assert loaded.n_read == len(ROWS) - 1


def test_header_only_file(tmp_path):
    path = write_rows(tmp_path / "r.csv", ROWS[:1])
    with pytest.raises(NoValidRowsError, match=r"r\.csv has column names but no data rows"):
        load_responses(path, columns=MAPPING)


def test_ragged_csv(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("id,rating\n1,5\n2,4,extra,fields\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match=r"could not be read as a table separated by ','"):
        load_responses(path, survey="csat", sep=",")


def test_wrong_source_type():
    with pytest.raises(ParameterError, match="file path or a pandas DataFrame"):
        load_responses([1, 2, 3])


def test_duplicate_column_names_in_a_dataframe():
    source = pd.DataFrame([[1, 5, 4]], columns=["response_id", "score", "score"])
    with pytest.raises(ParameterError, match="duplicate column names 'score'"):
        load_responses(source, survey="csat")


# --- columns -------------------------------------------------------------------------

def test_canonical_headers_need_no_mapping_and_others_become_snake_case(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("Response ID,Survey,Score,CaTicket,Zip Code,NbPassageKS,Région\n"
                    "r1,CSAT,5,12.5,01234,3,Nord\nr2,csat,2,-3,10115,NA,Sud\n",
                    encoding="utf-8")
    loaded = load_responses(path)
    data = loaded.data
    assert list(data.columns) == ["response_id", "responded_at", "survey", "score", "answer",
                                  "survey_label", "ca_ticket", "zip_code", "nb_passage_ks",
                                  "région"]
    assert data["ca_ticket"].tolist() == [12.5, -3.0]          # plain numbers become numbers
    assert data["zip_code"].tolist() == ["01234", "10115"]     # leading zeros stay text
    assert data["nb_passage_ks"].iloc[0] == 3 and pd.isna(data["nb_passage_ks"].iloc[1])
    assert data["survey"].tolist() == ["csat", "csat"]
    assert data["survey_label"].tolist() == ["CSAT", "csat"]


def test_mapping_wins_and_a_colliding_column_is_renamed_with_a_note():
    source = pd.DataFrame({"id": [1], "Rating": [5], "Score": ["old"]})
    loaded = load_responses(source, survey="csat", columns={"id": "response_id", "Rating": "score"})
    assert loaded.data["score"].tolist() == [5.0]
    assert loaded.data["score_2"].tolist() == ["old"]
    assert any("'Score' is kept as 'score_2'" in note for note in loaded.notes)


def test_wrong_mapping_key_lists_columns_and_closest(tmp_path):
    path = write_rows(tmp_path / "r.csv", ROWS)
    with pytest.raises(MissingColumnError, match=r"columns= maps 'Rating', but r\.csv has no "
                                                 r"column 'Rating'.*'id', 'when'.*closest is 'rating'"):
        load_responses(path, columns={**MAPPING, "Rating": "score", "rating": "x"})


@pytest.mark.parametrize("drop, message", [
    ("rating", r"no 'score' column \(required\)\. Its columns are: 'id', 'when', 'type', "
               r"'rating', 'channel'\. The closest is 'rating': map it with "
               r"columns=\{'rating': 'score'\}"),
    ("id", r"no 'response_id' column.*columns=\{'@row': 'response_id'\}"),
    ("type", r"no 'survey' column.*pass survey='csat'"),
])
def test_missing_required_column(tmp_path, drop, message):
    path = write_rows(tmp_path / "r.csv", ROWS)
    mapping = {k: v for k, v in MAPPING.items() if k != drop}
    with pytest.raises(MissingColumnError, match=message):
        load_responses(path, columns=mapping)


def test_missing_column_without_a_close_match_shows_how_to_map():
    source = pd.DataFrame({"response_id": [1], "survey": ["csat"], "zzz": [5]})
    with pytest.raises(MissingColumnError, match=r"columns=\{'<your column>': 'score'\}"):
        load_responses(source)


def test_missing_column_suggests_the_closest_and_how_to_map_it():
    source = pd.DataFrame({"response_id": [1], "survey": ["csat"], "Rating": [5]})
    with pytest.raises(MissingColumnError, match=r"closest is 'Rating': map it with "
                                                 r"columns=\{'Rating': 'score'\}"):
        load_responses(source)


def test_row_numbers_as_ids():
    source = pd.DataFrame({"rating": ["5", "4", "3"]})
    loaded = load_responses(source, survey="csat", columns={"@row": "response_id", "rating": "score"})
    assert loaded.data["response_id"].tolist() == [1, 2, 3]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"columns": {"a": "score", "b": "score"}}, ParameterError, r"to the same name 'score'"),
    ({"columns": {"a": "reason"}}, ParameterError, r"'reason' is a name the loader sets"),
    ({"columns": ["a"]}, ParameterError, r"columns must map source names"),
    ({"survey": "happiness"}, ParameterError, r"survey='happiness' is not one of csat"),
    ({"surveys": {"A": "joy"}}, ParameterError, r"surveys\['A'\] is 'joy'"),
    ({"scales": {"nps": "csat_5"}}, ParameterError, r"'csat_5', a csat scale; pick a nps scale"),
    ({"scales": {"csat": "stars_9"}}, ScaleError, r"Unknown scale 'stars_9'"),
    ({"scales": {"happiness": "csat_5"}}, ParameterError, r"keys must be surveys"),
    ({"timezone": "Mars/Olympus"}, ParameterError, r"Unknown timezone 'Mars/Olympus'.*Europe/Paris"),
    ({"dayfirst": "yes"}, ParameterError, r"dayfirst must be True, False or None"),
    ({"sep": ";;"}, ParameterError, r"sep must be one character"),
    ({"encoding": "klingon"}, ParameterError, r"Unknown encoding 'klingon'"),
    ({"start": "not a date"}, ParameterError, r"start='not a date' is not a date"),
    ({"start": "2024-02-01", "end": "2024-01-01"}, ParameterError, r"start .* is after end"),
    ({"strict": "yes"}, ParameterError, r"strict must be True or False"),
    ({"na_values": "NA"}, ParameterError, r"na_values must be a list"),
])
def test_invalid_options(kwargs, error, message):
    source = frame(score=["5"], responded_at=["2024-01-05"])
    with pytest.raises(error, match=message):
        load_responses(source, **kwargs)


# --- row-level validation and accounting ---------------------------------------------

def test_every_reason_is_counted_once():
    source = pd.DataFrame({
        "response_id": ["a", None, "a", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m",
                        "n"],
        "survey": ["csat", "csat", "csat", " ", "joy", "csat", "csat", "csat", "csat",
                   "csat", "csat", "csat", "csat", "csat"],
        "score": ["5", "4", "4", "4", "4", None, "great-ish", "7", "3", "3", "3", "3", "3",
                  "3"],
        "responded_at": ["2024-01-05", "2024-01-05", "2024-01-05", "2024-01-05",
                         "2024-01-05", "2024-01-05", "2024-01-05", "2024-01-05", None,
                         "2024-13-45", "2024-01-05", "2023-06-01", "2025-03-30 02:30",
                         "2025-10-26 02:30"],
        "weight": ["1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "-1", "1", "1", "1"],
    })
    loaded = load_responses(source, start="2024-01-01", timezone="Europe/Berlin")
    assert loaded.n_used == 1
    assert sorted(loaded.rejected["reason"]) == sorted(
        r.format(zone="Europe/Berlin") for r in REASONS)
    assert loaded.rejected["source_row"].tolist() == list(range(2, 15))
    report = loaded.report()
    assert report["rows"].iloc[0] == report["rows"].iloc[1:].sum() == 14
    details = dict(zip(loaded.rejected["reason"], loaded.rejected["detail"]))
    assert details["duplicate response_id"] == "response_id 'a' already seen at source row 1"
    assert "survey 'joy' is not csat, nps, ces or pmf; map it with surveys={'joy': 'csat'}" \
        in details["unknown survey"]
    assert details["unrecognised answer"].startswith("unrecognised answer: 'great-ish' on csat_5")
    assert details["score outside the scale"].startswith("score outside the scale: '7' on csat_5 (1-5)")
    assert details["unparseable date"] == "responded_at '2024-13-45' does not match ISO8601"
    assert details["invalid weight"] == "weight '-1' is not a positive number"
    assert details["outside the date range"] == "responded_at is before start 2024-01-01"
    assert loaded.data["weight"].tolist() == [1.0]


def test_all_reasons_of_a_row_are_joined():
    source = frame(score=["5", "", "4"], responded_at=["2024-01-05", "someday", "2024-01-06"])
    rejected = load_responses(source).rejected
    assert rejected["reason"].tolist() == ["missing score; unparseable date"]
    assert rejected["detail"].iloc[0] == ("missing score: '' on csat_5 (1-5); the answer is "
                                          "empty; responded_at 'someday' does not match ISO8601")


def test_rejected_rows_keep_original_values_and_point_to_the_file_line(tmp_path):
    rows = ROWS + [["4", "2024-01-08 09:00", "csat", "six", "chat"]]
    path = write_rows(tmp_path / "r.csv", rows)
    rejected = load_responses(path, columns=MAPPING).rejected
    assert list(rejected.columns[:3]) == ["source_row", "reason", "detail"]
    assert rejected["score"].tolist() == ["six"]
    line = path.read_text().splitlines()[rejected["source_row"].iloc[0]]  # 0-based line = row + 1 - 1
    assert line == "4,2024-01-08 09:00,csat,six,chat"


def test_duplicate_ids_keep_the_first():
    source = frame(score=["5", "1", "3"])
    source["response_id"] = ["x", "y", "x"]
    loaded = load_responses(source)
    assert loaded.data["score"].tolist() == [5.0, 1.0]
    assert loaded.rejected["detail"].tolist() == ["response_id 'x' already seen at source row 1"]


@settings(max_examples=25)
@given(st.lists(st.tuples(
    st.sampled_from(["a", "b", "c", "", None]),
    st.sampled_from(["csat", "nps", "CSAT", "joy", None]),
    st.sampled_from(["1", "5", "9", "11", "Very satisfied", "", None, "x"]),
    st.sampled_from(["2024-01-05", "2023-12-31 23:00", "2024-02-30", None]),
), min_size=1, max_size=30))
def test_report_adds_up(rows):
    source = pd.DataFrame(rows, columns=["response_id", "survey", "score", "responded_at"])
    try:
        loaded = load_responses(source, start="2024-01-01")
    except NoValidRowsError as exc:
        assert f"all {len(rows):,} rows were set aside" in str(exc)
        return
    except DateFormatError as exc:  # most dates unreadable: structural, not row-level
        assert "2024-02-30" in str(exc)
        return
    report = loaded.report()
    assert report["item"].iloc[0] == "rows read" and report["rows"].iloc[0] == len(rows)
    assert report["rows"].iloc[0] == report["rows"].iloc[1:].sum()
    assert loaded.n_used + loaded.n_set_aside == len(rows)
    assert loaded.rejected["source_row"].is_unique
    counts = report["rows"].iloc[2:].tolist()
    assert counts == sorted(counts, reverse=True)


def test_summary_and_repr():
    source = frame(score=["5"] * 1200 + [None] * 20 + ["12"] * 5)
    loaded = load_responses(source)
    assert loaded.summary() == ("Read 1,225 rows from DataFrame: 1,200 used, 25 set aside "
                                "(missing score 20, score outside the scale 5).")
    assert repr(loaded) == "LoadResult(source='DataFrame', read=1225, used=1200, set_aside=25, notes=1)"
    assert list(loaded.report()["item"]) == ["rows read", "rows used", "set aside: missing score",
                                             "set aside: score outside the scale"]


def test_load_result_shows_in_jupyter():
    # The accounting table under readable headers, the summary and the notes; a file
    # name from the user (here a DataFrame's label) and the notes are escaped.
    loaded = load_responses(frame(score=["5", "4", None]))
    out = loaded._repr_html_()
    assert html.escape(loaded.summary()) in out
    assert ">Item<" in out and ">Rows<" in out and ">set aside: missing score<" in out
    assert all(html.escape(note) in out for note in loaded.notes) and "Note" in out
    marked = dataclasses.replace(loaded, source="<img src=x onerror=alert(1)>.csv")
    out = marked._repr_html_()
    assert "&lt;img src=x onerror=alert(1)&gt;" in out and "<img" not in out


def test_strict_raises_with_counts_and_examples():
    source = frame(score=["5", None, "4", "8"])
    with pytest.raises(RejectedRowsError, match=r"strict=True and 2 of 4 rows in DataFrame have "
                                                r"problems \(missing score 1, score outside the "
                                                r"scale 1\)\. Examples: source row 2: missing score"):
        load_responses(source, strict=True)


def test_strict_ignores_rows_outside_the_date_range():
    source = frame(score=["5", "4"], responded_at=["2024-01-05", "2023-01-05"])
    loaded = load_responses(source, start="2024-01-01", strict=True)
    assert loaded.n_used == 1
    assert loaded.rejected["reason"].tolist() == ["outside the date range"]


def test_no_valid_rows_gives_counts_and_the_fix():
    source = frame(score=[None, None, "9"])
    with pytest.raises(NoValidRowsError, match=r"all 3 rows were set aside \(missing score 2, "
                                               r"score outside the scale 1\)\. Most common fix: "
                                               r"check that columns= maps"):
        load_responses(source)


def test_start_and_end_are_inclusive():
    dates = ["2023-12-31 23:59", "2024-01-01 00:00", "2024-01-31 23:59", "2024-02-01 00:00"]
    loaded = load_responses(frame(score=["5"] * 4, responded_at=dates),
                            start="2024-01-01", end="2024-01-31")
    assert loaded.data["response_id"].tolist() == ["2", "3"]
    assert loaded.rejected["detail"].tolist() == ["responded_at is before start 2024-01-01",
                                                  "responded_at is after end 2024-01-31"]
    loaded = load_responses(frame(score=["5"] * 4, responded_at=dates),
                            end=pd.Timestamp("2024-01-31 12:00"))
    assert loaded.n_used == 2
    assert loaded.options["end"] == "2024-01-31T12:00:00"


def test_date_range_needs_a_date_column():
    with pytest.raises(MissingColumnError, match=r"no 'responded_at' column \(start= and end= "):
        load_responses(frame(score=["5"]), start="2024-01-01")


def test_no_date_column_is_noted():
    loaded = load_responses(frame(score=["5", "4"]))
    assert loaded.data["responded_at"].isna().all()
    assert str(loaded.data["responded_at"].dtype).startswith("datetime64")
    assert any("period and trend analyses are unavailable" in n for n in loaded.notes)


def test_missing_value_markers_count_only_where_they_cannot_be_values(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("response_id,survey,score,region\n1,csat,5,NA\n2,csat,NA,EU\n3,csat,4,\n",
                    encoding="utf-8")
    loaded = load_responses(path)
    # "NA" in a segment is kept (North America), in the score it means missing.
    assert loaded.data["region"].tolist()[0] == "NA"
    assert loaded.data["region"].isna().tolist() == [False, True]
    assert loaded.rejected["reason"].tolist() == ["missing score"]
    assert any("region 1 ('NA')" in n and "kept as text" in n for n in loaded.notes)
    # Given explicitly, the markers count as missing in every column.
    loaded = load_responses(path, na_values=["", "NA"])
    assert loaded.data["region"].isna().tolist() == [True, True]
    loaded = load_responses(path, na_values=[""])
    assert loaded.rejected["detail"].tolist() == [
        "unrecognised answer: 'NA' on csat_5 (1-5); map this text to a number, or pick the "
        "scale whose labels it uses"]


# --- surveys and scales --------------------------------------------------------------

@pytest.mark.parametrize("label", ["Very satisfied", "Πολύ ικανοποιημένος", "非常滿意",
                                   "Ļoti apmierināts", "พอใจมาก", "Foarte mulțumit"])
def test_text_labels_in_several_languages(label):
    loaded = load_responses(frame(score=[label, "3"]))
    assert loaded.data["score"].tolist() == [5.0, 3.0]
    assert loaded.data["answer"].iloc[0] == label
    assert pd.isna(loaded.data["answer"].iloc[1])


def test_nps_on_one_to_ten():
    source = frame(score=["0", "1", "10", "11"], survey=["nps"] * 4)
    loaded = load_responses(source, scales={"nps": "nps_1_10"})
    assert loaded.data["score"].tolist() == [1.0, 10.0]
    assert loaded.rejected["reason"].tolist() == ["score outside the scale"] * 2
    assert "'0' on nps_1_10 (1-10)" in loaded.rejected["detail"].iloc[0]
    assert load_responses(source).data["score"].tolist() == [0.0, 1.0, 10.0]


def test_survey_labels_mapped_case_insensitively():
    source = frame(score=["5", "9", "9", "4"],
                   survey=["Post-ticket CSAT", "NPS", "nps", "Onboarding"])
    loaded = load_responses(source, surveys={"post-ticket csat": "csat"})
    assert loaded.data["survey"].tolist() == ["csat", "nps", "nps"]
    assert loaded.data["survey_label"].tolist() == ["Post-ticket CSAT", "NPS", "nps"]
    assert loaded.rejected["detail"].tolist() == [
        "survey 'Onboarding' is not csat, nps, ces or pmf; map it with "
        "surveys={'Onboarding': 'csat'} (or nps, ces, pmf)"]


def test_survey_parameter_replaces_the_file_column_with_a_note():
    loaded = load_responses(frame(score=["9"], survey=["whatever"]), survey="nps")
    assert loaded.data["survey"].tolist() == ["nps"]
    assert "survey_label" not in loaded.data
    assert any("survey='nps' was given" in n for n in loaded.notes)


def test_each_survey_uses_its_own_scale():
    source = frame(score=["7", "7", "Very disappointed"], survey=["ces", "nps", "pmf"])
    loaded = load_responses(source, scales={"ces": "ces_5"})
    assert loaded.data["survey"].tolist() == ["nps", "pmf"]
    assert loaded.data["score"].tolist() == [7.0, 3.0]
    assert "on ces_5 (1-5)" in loaded.rejected["detail"].iloc[0]


# --- dates ---------------------------------------------------------------------------

def test_ambiguous_day_month_order_is_an_error():
    source = frame(score=["5", "4"], responded_at=["01/02/2024", "03/04/2024"])
    with pytest.raises(DateFormatError, match=r"ambiguous: values such as '01/02/2024', "
                                              r"'03/04/2024'.*date_format='%d/%m/%Y'.*"
                                              r"dayfirst=True / dayfirst=False"):
        load_responses(source)


def test_day_first_is_inferred_from_a_day_above_12_with_a_note():
    source = frame(score=["5", "4"], responded_at=["13/01/2024 10:30", "02/03/2024 08:00"])
    loaded = load_responses(source)
    assert loaded.data["responded_at"].tolist() == [pd.Timestamp("2024-01-13 10:30"),
                                                    pd.Timestamp("2024-03-02 08:00")]
    assert loaded.options["date_format"] == "%d/%m/%Y %H:%M"
    assert loaded.notes == [
        "responded_at: read as %d/%m/%Y %H:%M (day first), because values such as "
        "'13/01/2024 10:30' have a first number above 12, which can only be a day. Set "
        "date_format= or dayfirst= to change this."]


def test_month_first_is_inferred_too():
    source = frame(score=["5", "4"], responded_at=["1/13/24", "2/3/24"])
    loaded = load_responses(source)
    assert loaded.data["responded_at"].tolist() == [pd.Timestamp("2024-01-13"),
                                                    pd.Timestamp("2024-02-03")]
    assert "(month first)" in loaded.notes[0]


@pytest.mark.parametrize("dayfirst, month", [(True, 2), (False, 1)])
def test_dayfirst_settles_the_order(dayfirst, month):
    source = frame(score=["5", "4"], responded_at=["01.02.2024", "03.04.2024"])
    loaded = load_responses(source, dayfirst=dayfirst)
    assert loaded.data["responded_at"].iloc[0].month == month
    assert f"dayfirst={dayfirst} asks" in loaded.notes[0]


def test_explicit_date_format():
    source = frame(score=["5", "4", "3"], responded_at=["05.01.2024 10:00", "06.01.2024 11:00", "x"])
    loaded = load_responses(source, date_format="%d.%m.%Y %H:%M")
    assert loaded.data["responded_at"].tolist() == [pd.Timestamp("2024-01-05 10:00"),
                                                    pd.Timestamp("2024-01-06 11:00")]
    assert loaded.rejected["detail"].tolist() == ["responded_at 'x' does not match %d.%m.%Y %H:%M"]
    assert loaded.options["date_format"] == "%d.%m.%Y %H:%M" and not loaded.notes


def test_format_reading_under_half_the_dates_is_an_error():
    source = frame(score=["5"] * 3, responded_at=["2024-01-05", "05/01/2024", "06/01/2024"])
    with pytest.raises(DateFormatError, match=r"Only 1 of 3 dates in responded_at match "
                                              r"'%Y-%m-%d'.*'05/01/2024', '06/01/2024'.*date_format="):
        load_responses(source, date_format="%Y-%m-%d")


def test_no_known_format_is_an_error():
    source = frame(score=["5", "4"], responded_at=["yesterday", "last week"])
    with pytest.raises(DateFormatError, match=r"No usual date format reads.*'yesterday'"):
        load_responses(source)


def test_invalid_date_format_directive():
    with pytest.raises(ParameterError, match=r"date_format='%Q' is not a valid format"):
        load_responses(frame(score=["5"], responded_at=["2024-01-05"]), date_format="%Q")


def test_offsets_are_converted_to_the_timezone_and_dropped():
    source = frame(score=["5", "4", "3"],
                   responded_at=["2024-01-05T23:30:00Z", "2024-07-01 12:00:00+02:00",
                                 "2024-03-01 09:00"])
    loaded = load_responses(source, timezone="Europe/Paris")
    assert loaded.data["responded_at"].tolist() == [pd.Timestamp("2024-01-06 00:30"),
                                                    pd.Timestamp("2024-07-01 12:00"),
                                                    pd.Timestamp("2024-03-01 09:00")]
    assert loaded.notes == [
        "responded_at: 2 of the dates had a UTC offset; they were converted to Europe/Paris "
        "and the offset dropped (set timezone= to change this). Dates without an offset are "
        "kept as written."]
    same_offset = frame(score=["5"], responded_at=["2024-01-05 23:30:00+00:00"])
    assert load_responses(same_offset).data["responded_at"].iloc[0] == pd.Timestamp("2024-01-05 23:30")


def test_date_objects_and_text_mixed_in_one_column():
    source = frame(score=["5", "4", "3", "2"], responded_at=[
        pd.Timestamp("2024-01-05 10:00").to_pydatetime(), "2024-01-06", None,
        pd.Timestamp("2024-01-07 10:00", tz="UTC")])
    loaded = load_responses(source, timezone="Asia/Tokyo")
    assert loaded.data["responded_at"].tolist() == [pd.Timestamp("2024-01-05 10:00"),
                                                    pd.Timestamp("2024-01-06"),
                                                    pd.Timestamp("2024-01-07 19:00")]
    assert loaded.rejected["reason"].tolist() == ["missing date"]
    assert loaded.notes[0].startswith("responded_at: 1 of the dates had a UTC offset")


def test_options_are_recorded_and_json_friendly(tmp_path):
    path = write_rows(tmp_path / "r.csv", ROWS, sep=";")
    loaded = load_responses(path, columns=MAPPING, start="2024-01-01", scales={"nps": "nps_1_10"})
    options = json.loads(json.dumps(loaded.options))
    assert options["sep"] == ";" and options["date_format"] == "ISO8601"
    assert options["scales"]["nps"] == "nps_1_10" and options["start"] == "2024-01-01T00:00:00"
    assert options["source"] == str(path) and options["columns"] == MAPPING


# --- config and parameters -----------------------------------------------------------

def test_read_config_resolves_paths_relative_to_the_file(tmp_path):
    folder = tmp_path / "configs"
    folder.mkdir()
    config = folder / "run.yaml"
    config.write_text(
        "title: Olist reviews (sample_8k)\n"
        "parameters:\n"
        "  responses_path: ../data/reviews.csv\n"
        f"  tickets_path: {tmp_path / 'abs.csv'}\n"
        "  output_dir: out\n"
        "  inputs: {survey_path: [a.csv, b.csv], notebooks_dir: ../nb}\n"
        "  columns: {review_id: response_id}\n"
        "  title: keep/me.csv\n",
        encoding="utf-8")
    loaded = read_config(config)
    params = loaded["parameters"]
    assert loaded["title"] == "Olist reviews (sample_8k)"
    assert params["responses_path"] == str(tmp_path / "data" / "reviews.csv")
    assert params["tickets_path"] == str(tmp_path / "abs.csv")
    assert params["output_dir"] == str(folder / "out")
    assert params["inputs"] == {"survey_path": [str(folder / "a.csv"), str(folder / "b.csv")],
                                "notebooks_dir": str(tmp_path / "nb")}
    assert params["columns"] == {"review_id": "response_id"} and params["title"] == "keep/me.csv"


@pytest.mark.parametrize("text, message", [
    ("title: x\nparameters:\n  a: [1, 2\n  b: 3\n", r"run\.yaml is not valid YAML at line \d"),
    ("- just\n- a list\n", r"should hold a mapping.*found list"),
    ("", r"should hold a mapping.*found NoneType"),
])
def test_read_config_errors(tmp_path, text, message):
    path = tmp_path / "run.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FileFormatError, match=message):
        read_config(path)
    with pytest.raises(FileFormatError, match=r"was not found"):
        read_config(tmp_path / "nope.yaml")


def test_load_from_params_ignores_other_keys(tmp_path):
    path = write_rows(tmp_path / "r.csv", ROWS)
    config = tmp_path / "run.yaml"
    config.write_text(json.dumps({"parameters": {
        "responses_path": "r.csv", "columns": MAPPING, "seed": 7, "as_of": "2024-06-01",
        "start": "2024-01-06", "scales": {"nps": "nps_1_10"}}}), encoding="utf-8")
    params = read_config(config)["parameters"]
    loaded = load_responses_from_params(params)
    assert loaded.source == str(path)
    assert loaded.n_used == 2 and loaded.rejected["reason"].tolist() == ["outside the date range"]
    assert "strict" in LOADER_PARAMETERS and "seed" not in LOADER_PARAMETERS
    with pytest.raises(ParameterError, match=r"no 'responses_path'.*'columns'"):
        load_responses_from_params({"columns": MAPPING})


def test_load_result_is_a_plain_dataclass():
    result = LoadResult(data=pd.DataFrame(), rejected=pd.DataFrame({"reason": []}),
                        source="x.csv", n_read=0)
    assert result.notes == [] and result.options == {}
    assert result.summary() == "Read 0 rows from x.csv: 0 used, none set aside."


# --- real data -----------------------------------------------------------------------

@pytest.mark.realdata
@needs_realdata
def test_real_nps_garden_centre():
    path = REALDATA / "nps_garden_centre" / "nps.csv"
    with open(path, encoding="latin-1", newline="") as handle:
        answers = [row["nps"] for row in csv.DictReader(handle)]
    loaded = load_responses(path, encoding="latin-1", survey="nps", scales={"nps": "nps_1_10"},
                            columns={"id": "response_id", "nps": "score"})
    assert loaded.n_read == len(answers) == 13_954
    assert answers.count("NA") == 342
    assert loaded.report().set_index("item")["rows"].to_dict() == {
        "rows read": 13_954, "rows used": 13_612, "set aside: missing score": 342}
    scores = loaded.data["score"]
    assert scores.min() == 1 and scores.max() == 10
    promoters, detractors = (scores >= 9).mean(), (scores <= 6).mean()
    assert round(100 * (promoters - detractors), 2) == 53.42  # SOURCE.md check value
    with pytest.raises(FileFormatError, match=r"encoding='latin-1'"):
        load_responses(path, survey="nps", columns={"id": "response_id", "nps": "score"})


@pytest.mark.realdata
@needs_realdata
def test_real_olist_reviews():
    path = REALDATA / "olist_reviews" / "sample_8k" / "olist_order_reviews_dataset.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        ids = [row["review_id"] for row in csv.DictReader(handle)]
    duplicates = len(ids) - len(set(ids))
    loaded = load_responses(path, survey="csat", columns={
        "review_id": "response_id", "review_score": "score",
        "review_answer_timestamp": "responded_at", "review_comment_message": "comment"})
    assert loaded.n_read == len(ids) == 8_225
    assert duplicates == 34
    report = loaded.report().set_index("item")["rows"].to_dict()
    assert report == {"rows read": 8_225, "rows used": 8_225 - duplicates,
                      "set aside: duplicate response_id": duplicates}
    assert loaded.data["response_id"].is_unique
    assert loaded.data["responded_at"].notna().all()
    assert loaded.options["date_format"] == "ISO8601"
    assert set(loaded.data["score"]) == {1.0, 2.0, 3.0, 4.0, 5.0}


def test_read_config_given_a_relative_path_gives_absolute_paths(tmp_path, monkeypatch):
    # The runner executes notebooks from notebooks/, so a config path given relative to
    # the caller's folder must still point at the right files.
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "c.yaml").write_text("parameters:\n  responses_path: ../data/r.csv\n")
    monkeypatch.chdir(tmp_path)
    resolved = read_config("cfg/c.yaml")["parameters"]["responses_path"]
    assert Path(resolved).is_absolute()
    assert Path(resolved) == (tmp_path / "data" / "r.csv").resolve()


def test_utf16_file_gets_utf16_advice(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("response_id,survey,score\n1,csat,5\n", encoding="utf-16")
    with pytest.raises(FileFormatError, match="UTF-16 byte-order mark: pass encoding='utf-16'"):
        load_responses(path)
    assert load_responses(path, encoding="utf-16").n_used == 1


def test_params_merge_thresholds_and_load_options(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("response_id,survey,score,region\n1,csat,4,NA\n2,csat,5,EU\n", encoding="utf-8")
    params = {"responses_path": str(path), "thresholds": {"csat": {"positive_min": 5}},
              "load_options": {"na_values": ["", "NA"]}}
    loaded = load_responses_from_params(params)
    assert loaded.data["region"].isna().tolist() == [True, False]
    with pytest.raises(ParameterError, match="unknown option"):
        load_responses_from_params({**params, "load_options": {"colour": 1}})
    with pytest.raises(ParameterError, match="repeats 'encoding'"):
        load_responses_from_params({**params, "encoding": "utf-8", "load_options": {"encoding": "latin-1"}})


# --- reading options (issue 10) ------------------------------------------------------

FACES = {"😞": 1, "🙁": 2, "😐": 3, "🙂": 4, "😁": 5}


def test_emoji_labels_per_survey():
    source = frame(score=["😞", "🙁", "😐", " 🙂", "😁", "Very satisfied", "🤷"])
    without = load_responses(source)
    assert without.n_used == 1  # only the built-in text label reads
    loaded = load_responses(source, labels={"csat": FACES})
    assert loaded.data["score"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 5.0]
    assert loaded.data["answer"].tolist()[:2] == ["😞", "🙁"]
    # an answer in neither the mapping nor the scale's labels is still set aside
    assert loaded.rejected["reason"].tolist() == ["unrecognised answer"]
    assert loaded.rejected["detail"].iloc[0].startswith("unrecognised answer: '🤷' on csat_5")
    assert json.loads(json.dumps(loaded.options))["labels"] == {
        "csat": {k: float(v) for k, v in FACES.items()}}


def test_labels_per_scale_name_and_the_survey_key_wins():
    source = pd.DataFrame({"response_id": ["1", "2", "3", "4"],
                           "survey": ["ces", "ces", "ces", "nps"],
                           "score": ["Agree a lot", "meh", "Strongly agree", "Top"]})
    loaded = load_responses(source, labels={"ces_7": {"Agree a lot": 7, "meh": 3},
                                            "ces": {"meh": 4}, "nps": {"top": 10}})
    assert loaded.data["score"].tolist() == [7.0, 4.0, 7.0, 10.0]
    # a scale chosen by scales= takes its own labels key
    on_five = load_responses(source.iloc[:2], scales={"ces": "ces_5"},
                             labels={"ces_5": {"Agree a lot": 5, "meh": 3}})
    assert on_five.data["score"].tolist() == [5.0, 3.0]


@pytest.mark.parametrize("labels, message", [
    ({"cstat": {"😁": 5}}, r"labels has the key 'cstat'.*Did you mean 'csat'\?"),
    ({"nps_110": {"top": 10}}, r"key 'nps_110'.*Did you mean 'nps_1_10'\?"),
    ({"csat_7": {"😁": 7}}, r"key 'csat_7', but no survey is read on that scale.*"
                            r"scales=\{'csat': 'csat_7'\}"),
    ({"csat": {"😁": 6}}, r"labels\['csat'\]\['😁'\] is 6, outside the csat_5 scale \(1-5\)"),
    ({"nps": {"top": 11}}, r"labels\['nps'\]\['top'\] is 11, outside the nps scale \(0-10\)"),
    ({"csat": ["😁"]}, r"labels\['csat'\] must map answers to scores"),
    (["csat"], r"labels must map a survey"),
])
def test_label_errors_name_the_key_or_label(labels, message):
    with pytest.raises(ParameterError, match=message):
        load_responses(frame(score=["5"]), labels=labels)


def test_labels_through_load_options(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("id;score\n1;🙂\n2;😁\n", encoding="utf-8")
    params = {"responses_path": str(path), "survey": "csat", "columns": {"id": "response_id"},
              "load_options": {"labels": {"csat": FACES}}}
    assert load_responses_from_params(params).data["score"].tolist() == [4.0, 5.0]


def test_decimal_comma_and_thousands_dot(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("id;score;weight;amount;code\n"
                    "1;5;1,5;1.234,5;007\n"
                    "2;4;0,25;12,75;010\n"
                    "3;4;2;3;012\n", encoding="utf-8")
    loaded = load_responses(path, survey="csat", columns={"id": "response_id"},
                            decimal=",", thousands=".")
    assert loaded.data["weight"].tolist() == [1.5, 0.25, 2.0]
    assert loaded.data["amount"].tolist() == [1234.5, 12.75, 3.0]
    assert loaded.data["code"].tolist() == ["007", "010", "012"]  # codes are left alone
    assert loaded.options["decimal"] == "," and loaded.options["thousands"] == "."


def test_a_mixed_column_is_left_as_text_but_weights_read_value_by_value(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("id;score;weight;ref\n1;5;1,5;2,5\n2;4;n/a;A-1\n", encoding="utf-8")
    loaded = load_responses(path, survey="csat", columns={"id": "response_id"}, decimal=",")
    assert loaded.data["weight"].tolist() == [1.5]
    assert loaded.data["ref"].tolist() == ["2,5"]  # not every value is a number
    assert loaded.rejected["reason"].tolist() == ["invalid weight"]  # 'n/a' is missing


def test_decimal_commas_without_the_option_suggest_it(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("id;score;weight\n1;5;1,5\n2;4;1.234,5\n3;4;1,234\n4;3;x\n5;3;2\n",
                    encoding="utf-8")
    loaded = load_responses(path, survey="csat", columns={"id": "response_id"})
    details = loaded.rejected["detail"].tolist()
    assert loaded.rejected["reason"].tolist() == ["invalid weight"] * 4
    assert details[0] == ("weight '1,5' is not a positive number; it looks like a number with "
                          'a decimal comma: set decimal: "," in the load options')
    assert details[1].endswith('set decimal: "," and thousands: "." in the load options')
    assert details[2].endswith('(or thousands: "," if the comma separates thousands)')
    assert details[3] == "weight 'x' is not a positive number"
    assert loaded.data["weight"].tolist() == [2.0]


def test_decimal_in_a_dataframe_and_the_default_leaves_text_alone():
    source = frame(score=["5", "4"], weight=["1,5", "2,5"])
    assert load_responses(source, decimal=",").data["weight"].tolist() == [1.5, 2.5]
    assert source["weight"].tolist() == ["1,5", "2,5"]  # the input is not modified


@pytest.mark.parametrize("kwargs, message", [
    ({"decimal": ",", "sep": ","}, r"sep and decimal are both ','.*pass sep=';'"),
    ({"thousands": ";", "sep": ";"}, r"sep and thousands are both ';'.*pass sep=','"),
    ({"decimal": ",", "thousands": ","}, r"decimal and thousands are both ','; they must differ"),
    ({"decimal": ""}, r"decimal must be one character"),
    ({"decimal": "1"}, r"decimal must be one character that is not a digit"),
    ({"decimal": " "}, r"decimal must be one character"),
    ({"thousands": ".."}, r"thousands must be one character"),
    ({"thousands": "-"}, r"thousands must be one character that is not a digit or a sign"),
    ({"nonexistent": "forward"}, r"nonexistent must be 'set_aside'.*'shift_forward'"),
    ({"ambiguous": "first"}, r"ambiguous must be 'set_aside'.*'earliest' or 'latest'"),
    ({"sheet": -1}, r"sheet must be a sheet name, a position from 0, or None"),
    ({"sheet": True}, r"sheet must be"),
])
def test_invalid_reading_options(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        load_responses(frame(score=["5"]), **kwargs)


def test_unknown_option_names_give_the_nearest(tmp_path):
    with pytest.raises(ParameterError, match=r"load_responses got unknown option\(s\) "
                                             r"'decmal' \(did you mean 'decimal'\?\)"):
        load_responses(frame(score=["5"]), decmal=",")
    with pytest.raises(ParameterError, match=r"'xyzzy'\. Known options: columns, survey"):
        load_responses(frame(score=["5"]), xyzzy=1)
    path = tmp_path / "r.csv"
    path.write_text("response_id,survey,score\n1,csat,4\n", encoding="utf-8")
    params = {"responses_path": str(path), "load_options": {"timezon": "Europe/Riga"}}
    with pytest.raises(ParameterError, match=r"load_options got unknown option\(s\) 'timezon' "
                                             r"\(did you mean 'timezone'\?\)"):
        load_responses_from_params(params)


def test_every_new_option_passes_through_load_options(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("id;score;when;weight\n1;🙂;2025-03-30 02:30;1,5\n2;4;2025-10-26 02:30;2\n",
                    encoding="utf-8")
    options = {"labels": {"csat": FACES}, "decimal": ",", "thousands": ".",
               "timezone": "Europe/Berlin", "nonexistent": "shift_forward",
               "ambiguous": "earliest", "sheet": None}
    assert set(options) <= set(LOADER_PARAMETERS)
    loaded = load_responses_from_params({
        "responses_path": str(path), "survey": "csat", "load_options": options,
        "columns": {"id": "response_id", "when": "responded_at"}})
    assert loaded.data["score"].tolist() == [4.0, 4.0]
    assert loaded.data["weight"].tolist() == [1.5, 2.0]
    assert loaded.data["responded_at"].tolist() == [pd.Timestamp("2025-03-30 03:00"),
                                                    pd.Timestamp("2025-10-26 02:30")]


def _workbook(path: Path) -> Path:
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Period": ["2024-01"], "Total": [2], "Share": [0.5], "Note": ["x"],
                      "Extra": [1]}).to_excel(writer, sheet_name="Summary", index=False)
        pd.DataFrame({"id": [1, 2], "rating": [5, 4], "when": ["2024-01-01", "2024-01-02"]}
                     ).to_excel(writer, sheet_name="Responses", index=False)
    return path


def test_a_missing_sheet_lists_the_sheets_with_their_first_columns(tmp_path):
    path = _workbook(tmp_path / "book.xlsx")
    mapping = {"id": "response_id", "rating": "score"}
    with pytest.raises(FileFormatError, match=(
            r"no sheet 'Respones'\. Its sheets are 'Summary', 'Responses'; their first columns: "
            r"'Summary' \(Period, Total, Share, Note \.\.\.\); 'Responses' \(id, rating, when\)\. "
            r"Pass one of these names, e\.g\. sheet: Responses \(sheet='Responses'\)")):
        load_responses(path, survey="csat", columns=mapping, sheet="Respones")
    with pytest.raises(FileFormatError, match=r"no sheet 2\. .*e\.g\. sheet: Summary"):
        load_responses(path, survey="csat", columns=mapping, sheet=2)
    assert load_responses(path, survey="csat", columns=mapping, sheet=1).n_used == 2


def test_first_sheet_without_the_columns_names_the_sheet_that_has_them(tmp_path):
    path = _workbook(tmp_path / "book.xlsx")
    with pytest.raises(MissingColumnError, match=(
            r"book\.xlsx: the first sheet, 'Summary', lacks the columns needed, but sheet "
            r"'Responses' has them: pass sheet: Responses \(sheet='Responses'\)\. The sheets and "
            r"their first columns: 'Summary' \(Period, Total, Share, Note \.\.\.\); "
            r"'Responses' \(id, rating, when\)")):
        load_responses(path, survey="csat", columns={"id": "response_id", "rating": "score"})
    # without a mapping: the required canonical names are looked for in each sheet
    with pytest.raises(MissingColumnError, match=r"sheet 'Responses' has them"):
        load_responses(path, survey="csat", columns={"@row": "response_id", "rating": "score"})
    # no sheet has them: the message still lists the sheets
    with pytest.raises(MissingColumnError, match=r"no other sheet has the columns needed either\. "
                                                 r"The sheets and their first columns: 'Summary'"):
        load_responses(path, survey="csat", columns={"@row": "response_id"})


def test_the_shared_reader_keeps_its_old_call(tmp_path):
    from csat_toolkit.io.responses import _read_source
    path = _workbook(tmp_path / "book.xlsx")
    raw, name, sep = _read_source(path, encoding="utf-8", sep=None, sheet=None)
    assert list(raw.columns) == ["Period", "Total", "Share", "Note", "Extra"] and sep is None
    csv_path = tmp_path / "t.csv"
    csv_path.write_text("customer;revenue\na;1.234,5\n", encoding="utf-8")
    raw, _, sep = _read_source(csv_path, encoding="utf-8", sep=None, sheet=None,
                               decimal=",", thousands=".")
    assert sep == ";" and raw["revenue"].tolist() == ["1234.5"]
    raw, _, _ = _read_source(csv_path, encoding="utf-8", sep=None, sheet=None)
    assert raw["revenue"].tolist() == ["1.234,5"]


BERLIN = ["2025-03-30 01:59", "2025-03-30 02:30", "2025-03-30 03:00", "2025-10-26 01:30",
          "2025-10-26 02:30", "2025-10-26 03:00", "2025-10-26 02:30+01:00"]


def test_wall_times_at_a_change_of_clocks_are_set_aside_and_counted():
    source = frame(score=["5"] * 7, responded_at=BERLIN)
    loaded = load_responses(source, timezone="Europe/Berlin")
    assert loaded.n_used == 5
    assert loaded.reason_counts().to_dict() == {
        "ambiguous time in Europe/Berlin: clocks went back": 1,
        "time does not exist in Europe/Berlin: clocks sprang forward": 1}
    rejected = loaded.rejected.set_index("source_row")
    assert rejected.loc[2, "detail"] == (
        "responded_at '2025-03-30 02:30' never happened in Europe/Berlin (the clocks sprang "
        "forward over it); correct it, or set nonexistent: shift_forward to read it as "
        "2025-03-30 03:00:00")
    assert rejected.loc[5, "detail"].startswith(
        "responded_at '2025-10-26 02:30' happened twice in Europe/Berlin (the clocks went back)")
    # the time with an offset is a real instant: converted (01:30Z = 02:30 CET), kept
    assert loaded.data["responded_at"].iloc[-1] == pd.Timestamp("2025-10-26 02:30")
    with pytest.raises(RejectedRowsError, match="time does not exist in Europe/Berlin"):
        load_responses(source, timezone="Europe/Berlin", strict=True)
    # with the default UTC no wall time is either
    assert load_responses(source).n_used == 7


def test_wall_times_at_a_change_of_clocks_resolved_by_the_options():
    source = frame(score=["5"] * 7, responded_at=BERLIN)
    loaded = load_responses(source, timezone="Europe/Berlin", nonexistent="shift_forward",
                            ambiguous="latest")
    assert loaded.n_used == 7
    assert loaded.data["responded_at"].iloc[1] == pd.Timestamp("2025-03-30 03:00")
    assert loaded.data["responded_at"].iloc[4] == pd.Timestamp("2025-10-26 02:30")
    assert ("responded_at: 1 time(s) fell in the hour skipped when clocks sprang forward in "
            "Europe/Berlin; they were read as the first time after the gap "
            "(nonexistent='shift_forward').") in loaded.notes
    assert ("responded_at: 1 time(s) happened twice in Europe/Berlin (clocks went back); they "
            "are kept as written and taken as the later of the two (ambiguous='latest').") \
        in loaded.notes
    assert loaded.options["ambiguous"] == "latest"


def test_naive_datetimes_and_date_objects_are_checked_too():
    stamps = pd.to_datetime(pd.Series(["2024-03-31 02:15", "2024-03-31 03:15"]))
    source = frame(score=["5", "4"], responded_at=stamps)
    loaded = load_responses(source, timezone="America/New_York")  # no change on that day
    assert loaded.n_used == 2
    loaded = load_responses(source, timezone="Europe/London")  # 01:00-02:00 skipped
    assert loaded.n_used == 2
    loaded = load_responses(source, timezone="Europe/Paris")  # 02:00-03:00 skipped
    assert loaded.rejected["reason"].tolist() == [
        "time does not exist in Europe/Paris: clocks sprang forward"]
    objects = frame(score=["5", "4"], responded_at=[dt_value(2024, 3, 31, 2, 15), "2024-03-31"])
    assert load_responses(objects, timezone="Europe/Paris").rejected["source_row"].tolist() == [1]


def dt_value(*parts):
    import datetime
    return datetime.datetime(*parts)


def test_no_usable_rows_because_of_the_clocks_gives_the_fix():
    source = frame(score=["5"], responded_at=["2025-03-30 02:30"])
    with pytest.raises(NoValidRowsError, match=r"Most common fix: check timezone=.*"
                                               r"nonexistent='shift_forward'"):
        load_responses(source, timezone="Europe/Berlin")
