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
    path.write_text(json.dumps({"_results": [{"id": 1, "score": 8, "created": "2023-08-01T10:00:00Z",
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


def test_wrong_vendor_renamed_missing_header_encoding(tmp_path):
    with pytest.raises(MissingColumnError, match="no 'Score' column"):
        nicereply.read_responses(FIXTURES / "google_forms" / "responses.csv")
    renamed = pd.read_csv(CSV, dtype=str).rename(columns={"Date": "When"})
    with pytest.raises(MissingColumnError, match="no responded_at column"):
        nicereply.read_responses(renamed)
    path = tmp_path / "n.csv"
    text = CSV.read_text(encoding="utf-8")
    path.write_text("".join(text.splitlines(True)[1:]), encoding="utf-8")
    with pytest.raises(MissingColumnError, match="no 'Score' column"):
        nicereply.read_responses(path)
    path.write_bytes(text.replace("Slow", "Lent, très").encode("latin-1"))
    with pytest.raises(FileFormatError, match="not utf-8-sig text"):
        nicereply.read_responses(path)


def test_through_the_loader_accounting_adds_up():
    loaded = ct.load_responses(CSV, vendor="nicereply")
    assert loaded.n_read == 5 == len(loaded.data) + len(loaded.rejected)
