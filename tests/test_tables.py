"""Tickets: loading with row accounting, joining to answers, durations."""
import html

import numpy as np
import pandas as pd
import pytest

from csat_toolkit.errors import DataError, DateFormatError, MissingColumnError, NoValidRowsError, \
    ParameterError, RejectedRowsError
from csat_toolkit.tables import add_durations, join_answers, load_tickets

from .conftest import SAMPLE


def _tickets(**extra):
    base = {
        "ticket_id": ["T1", "T2", "T3", "T4"],
        "created_at": ["2024-03-01 09:00", "2024-03-01 10:00", "2024-03-02 08:00",
                       "2024-03-03 08:00"],
        "first_response_at": ["2024-03-01 09:30", "2024-03-01 11:00", None, "2024-03-03 09:00"],
        "resolved_at": ["2024-03-01 12:00", "2024-03-02 10:00", None, "2024-03-03 12:00"],
    }
    base.update(extra)
    return pd.DataFrame(base)


def test_sample_tickets_load_whole():
    loaded = load_tickets(SAMPLE / "tickets.csv")
    assert loaded.n_read == loaded.n_used == 39_732
    assert loaded.data["created_at"].dtype.kind == "M"
    # README: 103 open tickets (empty resolved_at), kept, not set aside.
    assert loaded.data["resolved_at"].isna().sum() == 103
    assert set(loaded.data["reopened"].unique()) == {0.0, 1.0}
    # the region "NA" (North America) is a value, not missing
    assert (loaded.data["region"] == "NA").sum() > 10_000


def test_every_row_accounted_with_reasons():
    frame = _tickets(
        ticket_id=["T1", "T1", None, "T4"],
        created_at=["2024-03-01 09:00", "2024-03-01 10:00", "2024-03-02 08:00", "soon"],
    )
    loaded = load_tickets(frame)
    assert loaded.n_used == 1
    reasons = dict(zip(loaded.rejected["source_row"], loaded.rejected["reason"]))
    assert reasons == {2: "duplicate ticket_id", 3: "missing ticket_id",
                       4: "unreadable created_at"}
    assert loaded.n_used + loaded.n_set_aside == loaded.n_read


def test_order_of_times_checked():
    frame = _tickets(first_response_at=["2024-03-01 08:00", "2024-03-01 11:00", None,
                                        "2024-03-03 13:00"])
    loaded = load_tickets(frame)
    reasons = dict(zip(loaded.rejected["source_row"], loaded.rejected["reason"]))
    assert reasons == {1: "first response before creation",
                       4: "resolved before the first response"}
    assert "is before created_at" in loaded.rejected["detail"].iloc[0]


def test_counts_and_flags_validated():
    frame = _tickets(contacts=["1", "-1", "two", None], reopened=["yes", "0", "maybe", "TRUE"],
                     handle_time=[300, 200, 100, 50])
    loaded = load_tickets(frame)
    assert loaded.data["reopened"].tolist() == [1.0, 1.0]
    reasons = dict(zip(loaded.rejected["source_row"], loaded.rejected["reason"]))
    assert reasons[2] == "invalid contacts"
    assert reasons[3] == "invalid contacts; invalid reopened"
    assert "'maybe'" in loaded.rejected["detail"].iloc[1]
    assert loaded.data["contacts"].tolist()[0] == 1.0
    assert np.isnan(loaded.data["contacts"].tolist()[1])


def test_open_tickets_and_missing_optional_times_kept():
    loaded = load_tickets(_tickets())
    assert loaded.n_used == 4
    assert loaded.data["first_response_at"].isna().sum() == 1


def test_missing_required_column_named():
    with pytest.raises(MissingColumnError, match="created_at.*Map the ticket id"):
        load_tickets(pd.DataFrame({"ticket_id": ["T1"], "opened": ["2024-01-01"]}))


def test_no_usable_rows_and_strict():
    with pytest.raises(DateFormatError, match="reads the dates in created_at, such as 'x'"):
        load_tickets(pd.DataFrame({"ticket_id": ["T1", "T2"], "created_at": ["x", "y"]}))
    with pytest.raises(NoValidRowsError, match="all 2 rows were set aside.*missing ticket_id 2"):
        load_tickets(pd.DataFrame({"ticket_id": [None, ""], "created_at": ["2024-01-01"] * 2}))
    with pytest.raises(RejectedRowsError, match="strict=True and 1 of 4"):
        load_tickets(_tickets(ticket_id=["T1", "T1", "T3", "T4"]), strict=True)


def test_unknown_timezone():
    with pytest.raises(ParameterError, match="Unknown timezone 'Mars/Base'"):
        load_tickets(_tickets(), timezone="Mars/Base")


def test_day_first_dates_inferred_with_note():
    frame = pd.DataFrame({"ticket_id": ["a", "b"], "created_at": ["13/01/2024 10:00",
                                                                  "02/02/2024 11:00"]})
    loaded = load_tickets(frame)
    assert loaded.data["created_at"].tolist() == [pd.Timestamp("2024-01-13 10:00"),
                                                  pd.Timestamp("2024-02-02 11:00")]
    assert any(note.startswith("created_at: read as %d/%m/%Y %H:%M") for note in loaded.notes)


def test_join_counts_every_answer():
    answers = pd.DataFrame({"response_id": [1, 2, 3, 4],
                            "ticket_id": ["T1", " T2", None, "T9"],
                            "channel": ["chat"] * 4})
    tickets = pd.DataFrame({"ticket_id": ["T1", "T2"], "channel": ["email", "email"],
                            "contacts": [1, 3]})
    joined = join_answers(answers, tickets)
    assert len(joined.data) == 4
    assert joined.accounting["rows"].tolist() == [4, 2, 1, 1]
    # the answers' own columns win unless a prefix is asked for
    assert joined.matched["channel"].tolist() == ["chat", "chat"]
    prefixed = join_answers(answers, tickets, prefix="ticket_")
    assert prefixed.matched["ticket_channel"].tolist() == ["email", "email"]


def test_join_result_shows_in_jupyter():
    answers = pd.DataFrame({"response_id": [1, 2], "<b>id</b>": ["T1", "T9"]})
    joined = join_answers(answers, pd.DataFrame({"<b>id</b>": ["T1"]}), on="<b>id</b>")
    out = joined._repr_html_()
    assert "1 of 2 answers (50.0%) matched a row by &lt;b&gt;id&lt;/b&gt;" in out
    assert ">Item<" in out and ">Rows<" in out and ">&lt;b&gt;id&lt;/b&gt; not found<" in out
    assert "<b>" not in out


def test_join_errors():
    answers = pd.DataFrame({"response_id": [1], "ticket_id": ["T1"]})
    with pytest.raises(DataError, match="repeated ticket_id values, such as 'T1'"):
        join_answers(answers, pd.DataFrame({"ticket_id": ["T1", "T1"]}))
    with pytest.raises(MissingColumnError, match="order_id"):
        join_answers(answers, pd.DataFrame({"ticket_id": ["T1"]}), on="order_id")


def test_durations_hand_computed():
    frame = pd.DataFrame({"a": pd.to_datetime(["2024-03-01 09:00", None]),
                          "b": ["2024-03-02 10:30", "2024-03-01"]})
    out = add_durations(frame, {"h": ["a", "b"], "d": ["a", "b", "days"]})
    assert out["h"].iloc[0] == pytest.approx(25.5)
    assert out["d"].iloc[0] == pytest.approx(25.5 / 24)
    assert np.isnan(out["h"].iloc[1])
    assert "h" not in frame.columns


def test_duration_errors():
    frame = pd.DataFrame({"a": ["2024-03-01"], "b": ["tomorrow"]})
    with pytest.raises(DataError, match="Column 'b'.*'tomorrow'"):
        add_durations(frame, {"x": ["a", "b"]})
    with pytest.raises(ParameterError, match="Unknown unit 'weeks'"):
        add_durations(frame, {"x": ["a", "b", "weeks"]})
    with pytest.raises(ParameterError, match=r"\[start column, end column\]"):
        add_durations(frame, {"x": "a"})
    with pytest.raises(MissingColumnError, match="'c'"):
        add_durations(frame, {"x": ["a", "c"]})


def test_derive_keeps_missing_missing_and_chains():
    from csat_toolkit.tables import derive_columns
    frame = pd.DataFrame({"late_days": [3.0, 0.0, None], "price": [10.0, 20.0, 30.0]})
    out = derive_columns(frame, {"late": "late_days > 0", "late_price": "late * price"})
    assert out["late"].tolist()[:2] == [1.0, 0.0] and np.isnan(out["late"].iloc[2])
    assert out["late_price"].tolist()[:2] == [10.0, 0.0]
    with pytest.raises(ParameterError, match="derive\\['x'\\].*cannot be computed"):
        derive_columns(frame, {"x": "no_such_column > 1"})
    with pytest.raises(ParameterError, match="must map a new column"):
        derive_columns(frame, ["late_days > 0"])


def test_set_missing_counts_cells():
    from csat_toolkit.tables import set_missing
    frame = pd.DataFrame({"wifi": [0, 3, 5], "food": [4, 0, 0]})
    clean, counts = set_missing(frame, {"wifi": [0]})
    assert clean["wifi"].isna().tolist() == [True, False, False]
    assert counts.to_dict("records") == [{"column": "wifi", "codes": "0", "cells": 1}]
    assert frame["wifi"].tolist() == [0, 3, 5]
    with pytest.raises(MissingColumnError, match="'seat'"):
        set_missing(frame, {"seat": [0]})


# --- event logs (duplicates="last"), date + time in two columns, HH:MM:SS handle time ---------


def test_duplicates_last_keeps_the_final_row_and_counts_the_others():
    log = pd.DataFrame({"id": ["A", "A", "A", "B", "C", "C"],
                        "opened": ["2024-03-01 09:00"] * 6,
                        "state": ["New", "Active", "Closed", "New", "New", "Closed"]})
    last = load_tickets(log, columns={"id": "ticket_id", "opened": "created_at"}, duplicates="last")
    assert last.data[["ticket_id", "state"]].values.tolist() == [["A", "Closed"], ["B", "New"],
                                                                 ["C", "Closed"]]
    # Hand count: A has 2 earlier rows, C 1 -> 3 rows set aside, each with its reason.
    assert last.rejected["source_row"].tolist() == [1, 2, 5]
    assert set(last.rejected["reason"]) == {"earlier row of the same ticket_id"}
    assert "duplicates='last'" in last.rejected["detail"].iloc[0]
    assert last.n_read == 6 and last.options["duplicates"] == "last"
    first = load_tickets(log, columns={"id": "ticket_id", "opened": "created_at"})
    assert first.data["state"].tolist() == ["New", "New", "New"]
    assert set(first.rejected["reason"]) == {"duplicate ticket_id"}
    with pytest.raises(ParameterError, match="duplicates must be 'first'.*'last'"):
        load_tickets(log, columns={"id": "ticket_id", "opened": "created_at"}, duplicates="keep")


def test_duplicates_last_on_the_incident_log():
    from .conftest import REALDATA, require_shared
    folder = require_shared(REALDATA / "incident_sla_uci")
    loaded = load_tickets(folder / "incident_event_log_head.csv",
                          columns={"number": "ticket_id", "opened_at": "created_at"},
                          date_format="%d-%m-%Y %H:%M", na_values=["?"], duplicates="last")
    # SOURCE.md (incident level = last event row per number): 890 incidents from 5,998 events,
    # made_sla TRUE for 0.5562, 861 with a resolved_at.
    assert loaded.n_read == 5998 and len(loaded.data) == 890 and len(loaded.rejected) == 5108
    assert (loaded.data["made_sla"] == "TRUE").mean() == pytest.approx(0.5562, abs=5e-5)
    assert loaded.data["resolved_at"].notna().sum() == 861


def test_combine_builds_created_at_from_date_and_time():
    calls = pd.DataFrame({"Call": ["c1", "c2", "c3"], "Date": ["2021-01-01", "2021-01-02", None],
                          "Time": ["09:12:58", "17:00:00", "10:00:00"],
                          "Talk": ["00:02:23", "0:10", None]})
    loaded = load_tickets(calls, columns={"Call": "ticket_id", "Talk": "handle_time"},
                          combine={"created_at": ["Date", "Time"]})
    assert loaded.data["created_at"].tolist() == [pd.Timestamp("2021-01-01 09:12:58"),
                                                  pd.Timestamp("2021-01-02 17:00:00")]
    # HH:MM:SS -> seconds by hand: 2 min 23 s = 143 s; "0:10" (MM:SS) = 10 s.
    assert loaded.data["handle_time"].tolist() == [143.0, 10.0]
    assert loaded.rejected["reason"].tolist() == ["missing created_at"]  # a part is missing
    assert any("'Date' + 'Time'" in note for note in loaded.notes)
    assert {"date", "time"} <= set(loaded.data.columns)  # the parts are kept
    with pytest.raises(MissingColumnError, match="combine\\['created_at'\\] names 'Clock'.*source "
                                                 "column names"):
        load_tickets(calls, columns={"Call": "ticket_id"}, combine={"created_at": ["Date", "Clock"]})
    with pytest.raises(ParameterError, match="two or more source columns"):
        load_tickets(calls, columns={"Call": "ticket_id"}, combine={"created_at": "Date"})


def test_derive_constant_expression():
    from csat_toolkit.tables import derive_columns
    out = derive_columns(pd.DataFrame({"a": [1.0, None]}), {"contacts": "1"})
    assert out["contacts"].tolist() == [1.0, 1.0]


def test_fallback_fills_empty_cells_and_counts_them():
    frame = _tickets(resolved_at=["2024-03-01 12:00", None, None, "2024-03-03 12:00"],
                     closed_at=["2024-03-01 13:00", "2024-03-02 09:00", None, None])
    loaded = load_tickets(frame, fallback={"resolved_at": "closed_at"})
    assert loaded.data["resolved_at"].tolist()[:2] == [pd.Timestamp("2024-03-01 12:00"),
                                                       pd.Timestamp("2024-03-02 09:00")]
    assert loaded.data["resolved_at"].isna().sum() == 1
    assert loaded.notes[-1].startswith("resolved_at: 1 empty cells filled from closed_at")
    with pytest.raises(MissingColumnError, match="'shut_at'"):
        load_tickets(frame, fallback={"resolved_at": "shut_at"})
    with pytest.raises(ParameterError, match="fallback must map"):
        load_tickets(frame, fallback=["closed_at"])


# --- reading options (issue 10) ------------------------------------------------------

def test_handle_times_with_decimal_commas_and_thousands_dots(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("ticket_id;created_at;handle_time;contacts\n"
                    "T1;2024-03-01 09:00;1.234,5;1\n"
                    "T2;2024-03-01 10:00;75,25;2\n"
                    "T3;2024-03-01 11:00;00:01:30;1\n", encoding="utf-8")
    loaded = load_tickets(path, decimal=",", thousands=".")
    assert loaded.data["handle_time"].tolist() == [1234.5, 75.25, 90.0]
    assert loaded.data["contacts"].tolist() == [1.0, 2.0, 1.0]
    assert loaded.options["decimal"] == "," and loaded.options["thousands"] == "."


def test_handle_times_with_decimal_commas_without_the_option_suggest_it():
    loaded = load_tickets(_tickets(handle_time=["1,5", "90", "x", "1.234,5"]))
    assert loaded.rejected["reason"].tolist() == ["invalid handle_time"] * 3
    details = loaded.rejected["detail"].tolist()
    assert details[0] == ("handle_time '1,5' is not a number of 0 or more; it looks like a "
                          'number with a decimal comma: set decimal: "," in the load options')
    assert details[1] == "handle_time 'x' is not a number of 0 or more"
    assert details[2].endswith('set decimal: "," and thousands: "." in the load options')
    assert loaded.data["handle_time"].tolist() == [90.0]


def test_times_at_a_change_of_clocks_set_aside_once_per_row():
    frame = _tickets(
        created_at=["2025-03-30 01:50", "2025-10-26 02:10", "2025-03-30 02:30", "2025-10-26 04:00"],
        first_response_at=["2025-03-30 02:20", "2025-10-26 02:40", None, None],
        resolved_at=["2025-03-30 02:40", "2025-10-26 03:10", "2025-03-30 04:00", None])
    loaded = load_tickets(frame, timezone="Europe/Berlin")
    assert loaded.data["ticket_id"].tolist() == ["T4"]
    assert loaded.rejected["reason"].tolist() == [
        "time does not exist in Europe/Berlin: clocks sprang forward",
        "ambiguous time in Europe/Berlin: clocks went back",
        "time does not exist in Europe/Berlin: clocks sprang forward"]
    # one reason per row, with a detail per column that has such a time
    assert loaded.rejected["detail"].iloc[0] == (
        "first_response_at '2025-03-30 02:20' never happened in Europe/Berlin (the clocks sprang "
        "forward over it); correct it, or set nonexistent: shift_forward to read it as "
        "2025-03-30 03:00:00; resolved_at '2025-03-30 02:40' never happened in Europe/Berlin "
        "(the clocks sprang forward over it); correct it, or set nonexistent: shift_forward to "
        "read it as 2025-03-30 03:00:00")
    assert loaded.rejected["detail"].iloc[1].count("happened twice") == 2
    assert loaded.report()["rows"].tolist() == [4, 1, 2, 1]


def test_times_at_a_change_of_clocks_resolved_by_the_options():
    frame = _tickets(
        created_at=["2025-03-30 01:50", "2025-10-26 02:10", "2025-03-30 02:30", "2025-10-26 04:00"],
        first_response_at=["2025-03-30 02:20", "2025-10-26 02:40", None, None],
        resolved_at=["2025-03-30 02:40", "2025-10-26 03:10", "2025-03-30 04:00", None])
    loaded = load_tickets(frame, timezone="Europe/Berlin", nonexistent="shift_forward",
                          ambiguous="earliest")
    assert loaded.n_used == 4
    assert loaded.data["first_response_at"].iloc[0] == pd.Timestamp("2025-03-30 03:00")
    assert loaded.data["created_at"].iloc[2] == pd.Timestamp("2025-03-30 03:00")
    assert any(n.startswith("created_at: 1 time(s) fell in the hour skipped") for n in loaded.notes)
    assert any(n.startswith("first_response_at: 1 time(s) happened twice in Europe/Berlin")
               for n in loaded.notes)


@pytest.mark.parametrize("kwargs, message", [
    ({"timezon": "UTC"}, r"load_tickets got unknown option\(s\) 'timezon' \(did you mean "
                         r"'timezone'\?\)"),
    ({"decimals": ","}, r"'decimals' \(did you mean 'decimal'\?\)"),
    ({"nonexistent": "NaT"}, r"nonexistent must be 'set_aside'"),
    ({"ambiguous": True}, r"ambiguous must be 'set_aside'"),
    ({"decimal": ",", "thousands": ","}, r"decimal and thousands are both ','"),
    ({"decimal": ",", "sep": ","}, r"sep and decimal are both ','"),
    ({"sheet": 1.5}, r"sheet must be a sheet name"),
])
def test_invalid_ticket_options(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        load_tickets(_tickets(), **kwargs)


def test_ticket_options_from_a_notebook_dict_are_all_known():
    from csat_toolkit.tables import TICKET_OPTIONS
    import inspect
    names = [p for p in inspect.signature(load_tickets).parameters if p not in ("source", "unknown")]
    assert list(TICKET_OPTIONS) == names


def test_tickets_on_another_sheet_are_named(tmp_path):
    path = tmp_path / "export.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"About": ["export"]}).to_excel(writer, sheet_name="Read me", index=False)
        pd.DataFrame({"Ticket": ["T1"], "Opened": ["2024-03-01 09:00"]}).to_excel(
            writer, sheet_name="Tickets", index=False)
    mapping = {"Ticket": "ticket_id", "Opened": "created_at"}
    with pytest.raises(MissingColumnError, match=(
            r"export\.xlsx: the first sheet, 'Read me', lacks the columns needed, but sheet "
            r"'Tickets' has them: pass sheet: Tickets \(sheet='Tickets'\)\. The sheets and their "
            r"first columns: 'Read me' \(About\); 'Tickets' \(Ticket, Opened\)")):
        load_tickets(path, columns=mapping)
    assert load_tickets(path, columns=mapping, sheet="Tickets").n_used == 1
    # with combine= the parts are looked for too
    with pytest.raises(MissingColumnError, match=r"no other sheet has the columns needed"):
        load_tickets(path, columns={"Ticket": "ticket_id"},
                     combine={"created_at": ["Day", "Time"]})


def test_column_check_and_derived_columns_show_in_jupyter():
    from csat_toolkit.io.tables import add_derived, resolve_columns

    check = resolve_columns({"cells": ["<i>chanel</i>", "team"]}, ["channel", "team"],
                            where="the tickets")
    out = check._repr_html_()
    assert html.escape(check.sentences()[0]) in out and ">Parameter<" in out
    assert "&lt;i&gt;chanel&lt;/i&gt;" in out and "<i>" not in out
    assert "Every named column is a column of the tickets." in \
        resolve_columns({"x": ["team"]}, ["team"], where="the tickets")._repr_html_()
    tickets = pd.DataFrame({"created_at": ["2024-03-01 09:00"], "priority": ["urgent"],
                            "first_response_at": ["2024-03-01 10:30"]})
    derived = add_derived(tickets, durations={"frt": ["created_at", "first_response_at"],
                                              "rt": ["created_at", "resolved_at"]},
                          derive={"urgent": "priority == 'urgent'"})
    out = derived._repr_html_()
    assert "Added 2 column(s): frt, urgent." in out
    assert "Not computed on the data: rt (needs &#x27;resolved_at&#x27;)." in out
    assert "No column added." in add_derived(tickets)._repr_html_()
