"""The report date: as_of given, else the end of the data, never the clock (issue 10)."""
from __future__ import annotations

import pandas as pd
import pytest

from csat_toolkit.asof import ReportDate, report_date
from csat_toolkit.errors import ParameterError


def test_given_as_of_wins_over_the_data():
    when = report_date("2024-06-30 12:00", {"responded_at": pd.Series(pd.to_datetime(["2025-01-01"]))})
    assert when.timestamp == pd.Timestamp("2024-06-30 12:00")
    assert when.source == "parameter" and when.column is None
    assert when.sentence() == "Report date 2024-06-30 (as_of)."
    assert when.to_dict() == {"as_of": "2024-06-30T12:00:00", "as_of_source": "parameter",
                              "as_of_column": None}


def test_latest_time_over_every_column_read():
    answers = pd.Series(pd.to_datetime(["2025-11-30 10:00", None, "2025-12-02 09:00"], format="%Y-%m-%d %H:%M"))
    tickets = pd.Series(pd.to_datetime(["2025-12-05 16:45", "2025-10-01 08:00"]))
    when = report_date(None, {"responded_at": answers, "resolved_at": tickets})
    assert when.timestamp == pd.Timestamp("2025-12-05 16:45")
    assert (when.source, when.column, when.date) == ("data", "resolved_at", "2025-12-05")
    assert when.sentence() == ("Report date 2025-12-05: the latest resolved_at in the data "
                               "(as_of not given).")


def test_revenue_months_count_by_their_last_moment():
    months = pd.Series(pd.PeriodIndex(["2025-11", "2025-12"], freq="M"))
    when = report_date(None, [("period", months)])
    assert when.timestamp == pd.Timestamp("2025-12-31 23:59:59")


def test_text_dates_and_zones_are_compared_as_wall_times():
    aware = pd.Series(pd.to_datetime(["2025-03-01 10:00"]).tz_localize("Europe/Riga"))
    text = pd.Series(["2025-03-01 11:00", "not a date"])
    when = report_date(None, {"responded_at": aware, "created_at": text})
    assert when.column == "created_at" and when.timestamp == pd.Timestamp("2025-03-01 11:00")


def test_no_dates_gives_a_false_report_date_that_says_so():
    when = report_date(None, {"responded_at": pd.Series([pd.NaT, pd.NaT])})
    assert not when and when.source == "none" and when.date is None
    assert when.sentence() == "No report date: the data hold no dates and as_of is not given."
    assert when.to_dict() == {"as_of": None, "as_of_source": "none", "as_of_column": None}
    assert not report_date(None, {})
    assert not report_date(None, {"responded_at": None})


def test_unreadable_as_of_is_an_error_that_says_what_to_do():
    with pytest.raises(ParameterError, match=r"as_of='yesterday' is not a date: give it as "
                                             r"'YYYY-MM-DD'"):
        report_date("yesterday", {})


def test_report_date_is_frozen():
    when = ReportDate(pd.Timestamp("2025-01-01"), "parameter")
    with pytest.raises(AttributeError):
        when.source = "data"
