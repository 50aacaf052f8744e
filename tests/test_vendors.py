"""The vendor plumbing (issue 12): a vendor's reader through the loaders, the config's
``source:``, detection and ``read_export``. The readers themselves are tested in
tests/test_vendor_<vendor>.py; here a small stand-in reader checks the plumbing."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

import csat_toolkit as ct
from csat_toolkit.errors import FileFormatError, ParameterError
from csat_toolkit.io import vendors
from csat_toolkit.io.vendors import VendorRead, set_aside_rows
from csat_toolkit.report.runner import route_reading_options


def _raw(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _read_responses(source, *, timezone=None, encoding="utf-8-sig", **options):
    raw = _raw(source)
    if timezone is None:
        raise ParameterError("The stand-in export's times have no offset: set timezone:.")
    frame = raw.rename(columns={"Id": "response_id", "Rating": "score", "When": "responded_at"})
    frame = frame.assign(survey="csat")
    kept, aside = set_aside_rows(frame, frame["Status"].eq("Preview"), "preview response")
    return VendorRead("standin", "CSV", kept.drop(columns="Status"), aside, len(raw),
                      notes=[f"Times read in {timezone}."],
                      mapping={"Id": "response_id", "Rating": "score"})


STANDIN = SimpleNamespace(NAME="standin", KINDS=("responses",), read_responses=_read_responses,
                          detect=lambda path: "CSV" if _raw(path).columns[0] == "Id" else None)


@pytest.fixture
def standin(monkeypatch, tmp_path):
    real = vendors.vendor_module
    monkeypatch.setattr(vendors, "vendor_module",
                        lambda name: STANDIN if name == "standin" else real(name))
    monkeypatch.setattr(vendors, "VENDORS", ("standin",))
    path = tmp_path / "export.csv"
    path.write_text("Id,Rating,When,Status\n1,5,2024-03-01 10:00,Done\n2,4,2024-03-02 11:00,"
                    "Preview\n3,9,2024-03-03 12:00,Done\n4,2,2024-03-04 13:00,Done\n",
                    encoding="utf-8")
    return path


def test_a_vendor_file_through_the_loader_accounts_for_every_row(standin):
    loaded = ct.load_responses(standin, vendor="standin", timezone="Europe/Riga")
    assert loaded.n_read == 4 and loaded.n_used == 2 and loaded.n_set_aside == 2
    assert loaded.data["response_id"].tolist() == ["1", "4"]  # ids stay text
    # the reader's preview and the loader's out-of-range score, at their file rows
    assert loaded.rejected[["source_row", "reason"]].values.tolist() == [
        [2, "preview response"], [3, "score outside the scale"]]
    assert loaded.notes[:2] == ["Read as a standin export (CSV).", "Times read in Europe/Riga."]
    assert loaded.options["vendor"] == "standin" and loaded.source.endswith("export.csv")


def test_the_reader_asks_for_the_time_zone_the_file_lacks(standin):
    with pytest.raises(ParameterError, match="set timezone:"):
        ct.load_responses(standin, vendor="standin")


def test_an_unknown_vendor_names_the_nearest():
    with pytest.raises(ParameterError, match="Unknown source 'zendesck': did you mean "
                                             "'zendesk'?"):
        ct.load_responses("x.csv", vendor="zendesck")


def test_a_vendor_of_the_wrong_kind_says_what_its_files_hold(standin):
    with pytest.raises(ParameterError, match="A standin file holds responses, not tickets"):
        ct.tables.load_tickets(standin, vendor="standin")


def test_source_in_a_config_reaches_the_loaders_of_its_kinds(standin):
    defaults = {"load_options": {}, "ticket_options": {}, "min_n": 30}
    routed = route_reading_options({"source": "standin", "min_n": 5}, defaults)
    assert routed == {"min_n": 5, "load_options": {"vendor": "standin"}}
    with pytest.raises(ParameterError, match="source is 'standin' but load_options has "
                                             "vendor='other'"):
        route_reading_options({"source": "standin", "load_options": {"vendor": "other"}},
                              defaults)


def test_read_export_detects_the_vendor(standin, tmp_path):
    found = ct.read_export(standin, timezone="UTC")
    assert (found.vendor, found.layout) == ("standin", "CSV")
    assert found.responses.n_used == 2 and found.tickets is None
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="No vendor layout recognised in other.csv"):
        ct.read_export(other)


def test_validate_recognises_the_vendor_and_prints_its_mapping(standin, capsys):
    from csat_toolkit.cli import main

    assert main(["validate", str(standin), "-p", "timezone=UTC"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Recognised a standin export (CSV): reading it with source: standin.")
    assert "Read 4 rows from export.csv: 2 used, 2 set aside" in out
    assert "maps: Id -> response_id" in out and "note: Read as a standin export (CSV)." in out


def test_init_config_writes_a_config_that_validates(standin, tmp_path, capsys):
    import yaml

    from csat_toolkit.cli import main

    config = tmp_path / "export.yaml"
    assert main(["init-config", str(standin), "--out", str(config), "--timezone", "UTC"]) == 0
    written = yaml.safe_load(config.read_text(encoding="utf-8"))
    assert written["parameters"] == {"responses_path": "export.csv", "source": "standin",
                                     "timezone": "UTC"}
    assert main(["validate", str(standin), "--config", str(config)]) == 0
    assert "2 used, 2 set aside" in capsys.readouterr().out


def test_init_config_guesses_columns_of_any_other_file(tmp_path, capsys):
    from csat_toolkit.cli import main

    path = tmp_path / "mine.csv"
    path.write_text("Response ID,Submitted,Rating,Why,Queue\n1,2024-01-02,5,ok,chat\n",
                    encoding="utf-8")
    assert main(["init-config", str(path)]) == 0
    out = capsys.readouterr().out
    # "Response ID" reads as response_id by itself (headers are snake_cased): no entry
    assert "  columns:\n    Submitted: responded_at\n    Rating: score\n    Why: comment\n" \
           "    Queue: channel\n  survey: csat\n" in out


def test_vendor_options_reach_the_reader_from_the_loader_and_the_config(standin, monkeypatch):
    seen = {}

    def reader(source, *, timezone=None, encoding="utf-8-sig", **options):
        seen.update(options)
        return _read_responses(source, timezone=timezone or "UTC")

    monkeypatch.setattr(STANDIN, "read_responses", reader)
    ct.load_responses(standin, vendor="standin", vendor_options={"question": "Q3"})
    assert seen == {"question": "Q3"}
    from csat_toolkit.report.runner import config_parameters

    params = config_parameters({"source": "standin", "vendor_options": {"question": "Q3"},
                                "parameters": {"min_n": 5}})
    routed = route_reading_options(params, {"load_options": {}, "min_n": 30})
    assert routed["load_options"] == {"vendor": "standin", "vendor_options": {"question": "Q3"}}
    with pytest.raises(ParameterError, match="gives source twice"):
        config_parameters({"source": "standin", "parameters": {"source": "other"}})


def _scaled_reader(source, *, timezone=None, encoding="utf-8-sig", **options):
    """The stand-in export as a 7-point CSAT survey: the reader names its scale."""
    read = _read_responses(source, timezone=timezone, encoding=encoding, **options)
    return VendorRead(read.vendor, read.layout, read.frame, read.set_aside, read.n_read,
                      scales={"csat": "csat_7"})


@pytest.fixture
def scaled(monkeypatch, standin):
    monkeypatch.setattr(STANDIN, "read_responses", _scaled_reader)
    return standin


def test_the_vendor_scale_is_the_one_the_analyses_use(scaled):
    from csat_toolkit.report.sections.base import loaded_scales
    loaded = ct.load_responses(scaled, vendor="standin", timezone="UTC")
    # rows 1 and 4 (5 and 2) are on the 7-point scale; row 3's 9 is not; row 2 is a preview
    assert loaded.n_used == 2 and loaded.scales["csat"].name == "csat_7"
    assert loaded_scales(loaded, {})["csat"].name == "csat_7"
    params = {"responses_path": str(scaled), "load_options": {"vendor": "standin",
                                                              "timezone": "UTC"}}
    # a threshold for another survey keeps the vendor's csat scale
    by_params = ct.io.load_responses_from_params({**params, "thresholds": {"nps": {
        "positive_min": 10}}})
    assert by_params.scales["csat"].name == "csat_7"
    assert by_params.scales["nps"].positive_min == 10


def test_the_users_scale_wins_over_the_vendors(scaled):
    loaded = ct.load_responses(scaled, vendor="standin", timezone="UTC", scales={"csat": "csat_10"})
    # on 1-10 the 9 is an answer too
    assert loaded.scales["csat"].name == "csat_10" and loaded.n_used == 3


def _ticket_reader(source, *, timezone=None, encoding="utf-8-sig", **options):
    frame = pd.DataFrame({"ticket_id": ["T1"], "created_at": ["2024-03-01T10:00:00Z"]})
    kept, aside = set_aside_rows(frame, pd.Series(False, index=frame.index), "unused")
    return VendorRead("standin", "CSV", kept, aside, 1, scales={"csat": "csat_7"})


def test_a_ticket_reader_with_scales_loads_tickets(monkeypatch, standin):
    # scales are for answers: the ticket loader never receives them
    monkeypatch.setattr(STANDIN, "KINDS", ("tickets",), raising=False)
    monkeypatch.setattr(STANDIN, "read_tickets", _ticket_reader, raising=False)
    loaded = ct.tables.load_tickets(standin, vendor="standin")
    assert loaded.n_used == 1 and loaded.data["ticket_id"].tolist() == ["T1"]


# Every fixture: the vendor detect_vendor names and the kinds its layout holds.
FIXTURE_KINDS = {
    "delighted/responses.csv": ("delighted", ("responses",)),
    "freshdesk/satisfaction_ratings.json": ("freshdesk", ("responses",)),
    "freshdesk/ticket_export.csv": ("freshdesk", ("tickets",)),
    "google_forms/responses.csv": ("google_forms", ("responses",)),
    "hubspot/feedback_submissions.json": ("hubspot", ("responses",)),
    "intercom/conversations.json": ("intercom", ("responses", "tickets")),
    "nicereply/ratings.csv": ("nicereply", ("responses",)),
    "surveymonkey/responses_condensed.csv": ("surveymonkey", ("responses",)),
    "surveymonkey/responses_expanded.csv": ("surveymonkey", ("responses",)),
    "typeform/responses.csv": ("typeform", ("responses",)),
    "zendesk/satisfaction_ratings.json": ("zendesk", ("responses",)),
    "zendesk/ticket_export.csv": ("zendesk", ("responses", "tickets")),
    "zendesk/ticket_metrics.json": ("zendesk", ("tickets",)),
    "zendesk/tickets.json": ("zendesk", ("tickets",)),
}


def test_every_fixture_is_a_fixture_kind():
    from tests.conftest import REPO
    folder = REPO / "tests" / "fixtures" / "vendors"
    found = {str(p.relative_to(folder)) for p in folder.glob("*/*") if p.name != "SOURCE.md"}
    assert found == set(FIXTURE_KINDS)


@pytest.mark.parametrize("name", sorted(FIXTURE_KINDS))
def test_read_export_recognises_each_file_and_reads_the_kinds_it_holds(name):
    from tests.conftest import REPO
    path = REPO / "tests" / "fixtures" / "vendors" / name
    vendor, kinds = FIXTURE_KINDS[name]
    assert vendors.detect_vendor(path)[0] == vendor  # by its first lines alone
    assert vendors.file_kinds(vendor, path) == kinds
    read = ct.read_export(path, timezone="Europe/Berlin")
    assert read.vendor == vendor
    assert (read.responses is not None, read.tickets is not None) == (
        "responses" in kinds, "tickets" in kinds)


def test_a_vendor_without_layout_kinds_reads_all_its_kinds(standin):
    assert vendors.file_kinds("standin", standin) == ("responses",)


def test_a_reader_that_keeps_no_row_says_which_file_and_why(monkeypatch, standin):
    from csat_toolkit.errors import NoValidRowsError

    def previews_only(source, *, timezone=None, encoding="utf-8-sig", **options):
        frame = _raw(source).rename(columns={"Id": "response_id", "Rating": "score"})
        kept, aside = set_aside_rows(frame, pd.Series(True, index=frame.index),
                                     "preview response")
        return VendorRead("standin", "CSV", kept, aside, len(frame))

    monkeypatch.setattr(STANDIN, "read_responses", previews_only)
    with pytest.raises(NoValidRowsError, match=r"No responses in export.csv: the standin reader "
                                               r"read 4 rows \(CSV\) and set every one aside: "
                                               r"'preview response \(4\)'.*load_tickets"):
        ct.load_responses(standin, vendor="standin")


def test_read_export_notes_a_kind_the_file_does_not_hold():
    # vendor-exports/intercom/SOURCE.md: 9 versions of 2 conversations, neither rated
    from tests.conftest import SHARED, require_shared
    path = require_shared(SHARED / "vendor-exports" / "intercom" / "conversation_history_data.csv")
    read = ct.read_export(path, timezone="UTC")
    assert read.responses is None and read.tickets.n_used == 2
    assert read.notes[0].startswith("No responses in conversation_history_data.csv")
    assert "'conversation not rated (2)'" in read.notes[0]
