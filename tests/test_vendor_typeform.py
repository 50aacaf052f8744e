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


def test_wrong_vendor_renamed_and_missing_header(tmp_path):
    with pytest.raises(MissingColumnError, match="'#', 'Submit Date"):
        typeform.read_responses(FIXTURES / "google_forms" / "responses.csv")
    renamed = pd.read_csv(CSV, dtype=str).rename(columns={"Submit Date (UTC)": "Submitted"})
    with pytest.raises(MissingColumnError, match="'Submit Date \\(UTC\\)'"):
        typeform.read_responses(renamed)
    path = tmp_path / "t.csv"
    path.write_text("".join(CSV.read_text(encoding="utf-8").splitlines(True)[1:]),
                    encoding="utf-8")
    with pytest.raises(MissingColumnError, match="Typeform's responses CSV"):
        typeform.read_responses(path)


def test_truncated_and_encoding(tmp_path):
    text = CSV.read_text(encoding="utf-8")
    path = tmp_path / "cut.csv"
    path.write_text(text[: text.index("tok03") + 12], encoding="utf-8")
    read = typeform.read_responses(path)  # the cut row has no submit date: partial
    assert read.set_aside["reason"].tolist() == ["partial response (no Submit Date (UTC))"]
    path.write_bytes(text.replace("Nothing", "Très bien").encode("latin-1"))
    with pytest.raises(FileFormatError, match="not utf-8-sig text"):
        typeform.read_responses(path)


def test_through_the_loader_accounting_adds_up():
    loaded = ct.load_responses(CSV, vendor="typeform")
    assert loaded.n_read == 5 == len(loaded.data) + len(loaded.rejected)
    assert loaded.rejected["source_row"].tolist() == [4]
