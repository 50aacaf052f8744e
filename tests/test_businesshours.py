"""Tests of :mod:`csat_toolkit.businesshours`: schedules, business durations, SLA due times.

Checks, each against an independent computation:

- hand-computed cases, the arithmetic in a comment: one day, a weekend, a ticket
  opened outside hours, holidays and special days, lunch breaks, multi-week spans;
- daylight saving time: Europe/London 2024-03-31 and 2024-10-27 (23 h and 25 h days)
  with a 24x7 and a 00:00-24:00 schedule, America/New_York 2024-03-10 and 2024-11-03
  with a 01:00-03:00 window, zone-aware UTC input converted to local time;
- published values: the examples of pandas' BusinessHour (pandas-dev/pandas#7905), the
  test suites of the Python packages businesstimedelta and businesstime, and worked
  examples from helpdesk pull requests (GLPI, osTicket, Chatwoot);
- a peer implementation: pandas' ``CustomBusinessHour`` on random starts and targets;
- properties (hypothesis): ``add_business_time`` inverts ``business_duration``,
  ``Schedule.always()`` is calendar time, whole weeks give weeks x weekly hours,
  durations add up;
- the bug classes found in helpdesk issue trackers (each cited where it is tested);
- every error path, with a message that names the value and says what to do.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from csat_toolkit.businesshours import (
    WEEKDAYS, Schedule, add_business_time, business_duration, schedules_for,
)
from csat_toolkit.errors import DataError, MissingColumnError, ParameterError

PROPERTY = settings(max_examples=40)  # the rest from the profile in conftest.py

OFFICE = Schedule({"mon-fri": "08:00-18:00"}, timezone="Europe/London", name="office")
# 2024-03-01 is a Friday, 2024-03-04 a Monday.


def T(text: str, tz: str | None = None) -> pd.Timestamp:
    return pd.Timestamp(text, tz=tz)


def hours(start, end, schedule=OFFICE, **kwargs) -> float:
    return business_duration(T(start), T(end), schedule, **kwargs)


# --- Schedule: parameters ------------------------------------------------------------------


def test_schedule_normalises_all_forms_of_hours():
    schedule = Schedule({
        "Monday": "08:00-12:00, 13:00-18:00",          # two windows as text
        "tue-thu": [("08:00", "18:00")],                # a list of pairs
        "fri": ("09:00", "17:00"),                      # one pair
        "sat": [dt.time(10), dt.time(14)],              # datetime.time values
        "sun": "closed",
    })
    assert schedule.hours == {
        "mon": (("08:00", "12:00"), ("13:00", "18:00")),
        "tue": (("08:00", "18:00"),), "wed": (("08:00", "18:00"),), "thu": (("08:00", "18:00"),),
        "fri": (("09:00", "17:00"),), "sat": (("10:00", "14:00"),), "sun": (),
    }
    # 9 (mon) + 3 x 10 + 8 (fri) + 4 (sat) = 51 hours a week
    assert schedule.weekly_hours == 51.0
    assert list(schedule.hours) == list(WEEKDAYS)


def test_schedule_day_groups_ranges_and_wrapping():
    assert Schedule({"weekdays": "09:00-17:00"}).weekly_hours == 40.0
    assert Schedule({"weekends": "09:00-17:00"}).hours["sat"] == (("09:00", "17:00"),)
    assert Schedule({"daily": "09:00-17:00"}).weekly_hours == 56.0
    # "fri-mon" wraps round the weekend: fri, sat, sun, mon
    wrapped = Schedule({"fri-mon": "09:00-10:00"})
    assert [day for day, windows in wrapped.hours.items() if windows] == ["mon", "fri", "sat", "sun"]
    assert Schedule({"sat,sun": "10:00-12:00"}).weekly_hours == 4.0


def test_schedule_is_idempotent_hashable_and_round_trips():
    again = Schedule(OFFICE.hours, timezone=OFFICE.timezone, holidays=OFFICE.holidays, name="office")
    assert again == OFFICE and hash(again) == hash(OFFICE)
    special = Schedule({"mon-fri": "08:00-18:00"}, timezone="Europe/London",
                       holidays={"2024-12-24": "08:00-12:00", "2024-12-25": None})
    assert special.holidays == ((dt.date(2024, 12, 24), (("08:00", "12:00"),)),
                                (dt.date(2024, 12, 25), ()))
    spec = special.to_dict()
    assert spec["holidays"] == {"2024-12-24": "08:00-12:00", "2024-12-25": "closed"}
    assert Schedule.from_dict(spec) == special
    assert {special: "usable as a dict key"}[Schedule.from_dict(spec)] == "usable as a dict key"


def test_schedule_from_dict_example_of_the_brief():
    schedule = Schedule.from_dict({
        "timezone": "Europe/London",
        "hours": {"mon-fri": "08:00-18:00", "sat": "10:00-14:00"},
        "holidays": ["2024-12-25", "2024-12-26"],
    })
    assert schedule.timezone == "Europe/London"
    assert schedule.hours["sat"] == (("10:00", "14:00"),) and schedule.hours["sun"] == ()
    assert [day for day, _ in schedule.holidays] == [dt.date(2024, 12, 25), dt.date(2024, 12, 26)]
    assert schedule.weekly_hours == 54.0  # 5 x 10 + 4


def test_schedule_always_is_open_every_minute():
    always = Schedule.always("Europe/London")
    assert always.weekly_hours == 168.0 and always.timezone == "Europe/London"
    assert set(always.hours.values()) == {(("00:00", "24:00"),)}


def test_holidays_accept_dates_timestamps_and_text():
    schedule = Schedule({"mon": "09:00-17:00"},
                        holidays=[dt.date(2024, 1, 1), pd.Timestamp("2024-01-08"), "2024-01-15",
                                  np.datetime64("2024-01-22")])
    assert [day for day, _ in schedule.holidays] == [
        dt.date(2024, 1, 1), dt.date(2024, 1, 8), dt.date(2024, 1, 15), dt.date(2024, 1, 22)]
    # the same date twice is one holiday
    assert len(Schedule({"mon": "09:00-17:00"}, holidays=["2024-01-01", "2024-01-01"]).holidays) == 1


# --- hand-computed durations ---------------------------------------------------------------


def test_ticket_within_one_day():
    # Monday 09:15 -> 11:45, inside 08:00-18:00: 2 h 30 min
    assert hours("2024-03-04 09:15", "2024-03-04 11:45") == 2.5
    assert hours("2024-03-04 09:15", "2024-03-04 11:45", unit="minutes") == 150.0
    assert hours("2024-03-04 09:15", "2024-03-04 11:45", unit="seconds") == 9000.0


def test_friday_evening_to_monday_morning():
    # Friday 17:00-18:00 (1 h) + Saturday, Sunday closed + Monday 08:00-09:00 (1 h) = 2 h
    assert hours("2024-03-01 17:00", "2024-03-04 09:00") == 2.0


def test_ticket_opened_outside_hours_starts_the_clock_at_the_next_opening():
    # Saturday 10:00 -> Monday 08:30: the clock starts Monday 08:00, so 0.5 h
    assert hours("2024-03-02 10:00", "2024-03-04 08:30") == 0.5
    # Sunday 23:00 -> Monday 07:59: no business time at all
    assert hours("2024-03-03 23:00", "2024-03-04 07:59") == 0.0
    # Monday 06:00 + 1 business hour = Monday 09:00 (clock starts at 08:00)
    assert add_business_time("2024-03-04 06:00", 1, OFFICE) == T("2024-03-04 09:00")
    # Saturday 10:00 + 1 h = Monday 09:00; + 0 h = the next opening, Monday 08:00
    assert add_business_time("2024-03-02 10:00", 1, OFFICE) == T("2024-03-04 09:00")
    assert add_business_time("2024-03-02 10:00", 0, OFFICE) == T("2024-03-04 08:00")
    # inside hours, zero hours is the start itself
    assert add_business_time("2024-03-04 10:17", 0, OFFICE) == T("2024-03-04 10:17")


def test_ticket_spanning_holidays():
    xmas = Schedule({"mon-fri": "08:00-18:00"}, timezone="Europe/London",
                    holidays=["2024-12-25", "2024-12-26"])
    # Tuesday 24 Dec 17:00-18:00 (1 h) + 25, 26 closed + Friday 27 Dec 08:00-09:00 (1 h) = 2 h
    assert hours("2024-12-24 17:00", "2024-12-27 09:00", xmas) == 2.0
    # without the holidays: 1 + 10 + 10 + 1 = 22 h
    assert hours("2024-12-24 17:00", "2024-12-27 09:00") == 22.0
    # a ticket opened on a holiday waits for the next working day:
    # 25 Dec 10:00 + 3 h = 27 Dec 11:00
    assert add_business_time("2024-12-25 10:00", 3, xmas) == T("2024-12-27 11:00")


def test_holiday_with_its_own_hours():
    half_day = Schedule({"mon-fri": "08:00-18:00"}, timezone="Europe/London",
                        holidays={"2024-12-24": "08:00-12:00", "2024-12-25": "closed",
                                  "2024-12-26": []})
    # 24 Dec 10:00-12:00 (2 h, closes at noon) + 25, 26 closed + 27 Dec 08:00-09:00 (1 h) = 3 h
    assert hours("2024-12-24 10:00", "2024-12-27 09:00", half_day) == 3.0
    # a special day can also open a weekend day: Saturday 2024-12-28 10:00-12:00
    saturday = Schedule({"mon-fri": "08:00-18:00"}, holidays={"2024-12-28": "10:00-12:00"})
    assert hours("2024-12-27 17:00", "2024-12-30 09:00", saturday) == 1.0 + 2.0 + 1.0


def test_two_windows_a_day_lunch_break():
    # osTicket/osTicket#6847 ("lunch break as holidays" broke due dates): two windows a day.
    lunch = Schedule({"mon-fri": "09:00-13:00, 14:00-18:00"}, timezone="Europe/London")
    # Monday 12:00-13:00 (1 h) + lunch + 14:00-15:30 (1.5 h) = 2.5 h
    assert hours("2024-03-04 12:00", "2024-03-04 15:30", lunch) == 2.5
    # a ticket opened during lunch waits for 14:00: 13:15 -> 14:45 is 0.75 h
    assert hours("2024-03-04 13:15", "2024-03-04 14:45", lunch) == 0.75
    # Monday 12:30 + 1 h = 30 min before lunch + 30 min after = 14:30
    assert add_business_time("2024-03-04 12:30", 1, lunch) == T("2024-03-04 14:30")
    # Monday 12:00 + 1 h uses up the morning: due when the clock restarts, 14:00
    assert add_business_time("2024-03-04 12:00", 1, lunch) == T("2024-03-04 14:00")


def test_multi_week_span_is_weeks_times_weekly_hours():
    # Monday 2024-01-08 00:00 + 6 weeks = 6 x 50 h = 300 h
    assert hours("2024-01-08", "2024-02-19") == 300.0
    # from Wednesday 11:20 to Wednesday 11:20 three weeks later (across the clock change
    # of 2024-03-31, which is outside the 08:00-18:00 windows): 3 x 50 = 150 h
    assert hours("2024-03-20 11:20", "2024-04-10 11:20") == 150.0


def test_schedule_with_some_weekdays_only():
    # osTicket/osTicket#6739: a schedule with Tuesday only was miscounted.
    tuesday = Schedule({"tue": "08:00-17:00"}, timezone="America/Chicago")
    # Monday 2024-08-05 10:00 -> Wednesday 2024-08-07 10:00: all of Tuesday, 9 h
    assert hours("2024-08-05 10:00", "2024-08-07 10:00", tuesday) == 9.0
    # Monday + 10 business hours: Tuesday 9 h, then next Tuesday 08:00 + 1 h = 09:00
    assert add_business_time("2024-08-05 10:00", 10, tuesday) == T("2024-08-13 09:00")


def test_windows_across_midnight_are_split_over_two_days():
    # seppemans/businesstimedelta#5: hours that cross midnight (22:00-06:00) could not be
    # configured. Here they are split: 22:00-24:00 one day and 00:00-06:00 the next.
    nights = Schedule({"mon": "22:00-24:00", "tue-thu": "00:00-06:00, 22:00-24:00",
                       "fri": "00:00-06:00"})
    # Monday 21:00 -> Tuesday 07:00: 22:00-24:00 (2 h) + 00:00-06:00 (6 h) = 8 h, no gap
    assert hours("2024-03-04 21:00", "2024-03-05 07:00", nights) == 8.0
    # Monday 23:30 + 1 h = Tuesday 00:30
    assert add_business_time("2024-03-04 23:30", 1, nights) == T("2024-03-05 00:30")


def test_no_minute_lost_at_midnight_in_24x7_calendars():
    # zammad/zammad#3180: a 24/7 calendar entered as 00:00-23:59 closed for a minute at
    # midnight. "24:00" ends a window, so 23:30 -> 00:30 is exactly 1 h.
    for schedule in (Schedule.always("Europe/Berlin"), Schedule({"daily": "00:00-24:00"})):
        assert hours("2024-05-06 23:30", "2024-05-07 00:30", schedule) == 1.0
        assert add_business_time("2024-05-06 23:30", 24, schedule) == T("2024-05-07 23:30")


# --- daylight saving time ------------------------------------------------------------------


@pytest.mark.parametrize("schedule", [
    Schedule.always("Europe/London"),
    Schedule({"daily": "00:00-24:00"}, timezone="Europe/London"),
], ids=["always", "00-24"])
def test_london_clock_changes_with_round_the_clock_schedules(schedule):
    # 2024-03-31: clocks go from 01:00 GMT to 02:00 BST, the local day lasts 23 h
    assert hours("2024-03-31 00:00", "2024-04-01 00:00", schedule) == 23.0
    # 2024-10-27: clocks go back from 02:00 BST to 01:00 GMT, the day lasts 25 h
    assert hours("2024-10-27 00:00", "2024-10-28 00:00", schedule) == 25.0
    # a normal day around them: 24 h; three days across the spring change: 24 + 23 + 24
    assert hours("2024-03-30 00:00", "2024-03-31 00:00", schedule) == 24.0
    assert hours("2024-03-30 00:00", "2024-04-02 00:00", schedule) == 71.0
    # 00:30 -> 03:30 on the spring day: 00:30-01:00 GMT, then 02:00-03:30 BST = 2 h
    assert hours("2024-03-31 00:30", "2024-03-31 03:30", schedule) == 2.0
    # 00:30 -> 03:30 on the autumn day: 00:30 BST to 03:30 GMT = 4 h elapsed
    assert hours("2024-10-27 00:30", "2024-10-27 03:30", schedule) == 4.0


def test_new_york_window_over_the_skipped_and_repeated_hours():
    early = Schedule({"daily": "01:00-03:00"}, timezone="America/New_York")
    # a normal day: 01:00-03:00 is 2 h
    assert hours("2024-03-09 00:00", "2024-03-09 12:00", early) == 2.0
    # 2024-03-10: 02:00 EST jumps to 03:00 EDT; the window runs 01:00-02:00 EST = 1 h
    assert hours("2024-03-10 00:00", "2024-03-10 12:00", early) == 1.0
    # 2024-11-03: 02:00 EDT falls back to 01:00 EST; the window holds the repeated
    # hour twice: 01:00 EDT -> 03:00 EST = 3 h of real time
    assert hours("2024-11-03 00:00", "2024-11-03 12:00", early) == 3.0
    # the same in UTC: 01:00 EDT = 05:00Z, 03:00 EST = 08:00Z
    assert business_duration(T("2024-11-03 04:00", "UTC"), T("2024-11-03 09:00", "UTC"), early) == 3.0
    # a whole week around each change: 7 x 2 - 1 and 7 x 2 + 1
    assert hours("2024-03-07", "2024-03-14", early) == 13.0
    assert hours("2024-10-31", "2024-11-07", early) == 15.0
    # a window that starts inside the skipped hour is shortened: 02:30-04:00 on
    # 2024-03-10 opens at 03:00 EDT (the first instant after the gap), so 1 h
    skipped = Schedule({"daily": "02:30-04:00"}, timezone="America/New_York")
    assert hours("2024-03-10 00:00", "2024-03-10 12:00", skipped) == 1.0
    # and one that ends inside the repeated hour holds both passes through it:
    # 00:00-01:30 on 2024-11-03 = 00:00-01:30 EDT (1.5 h) + 01:00-01:30 EST (0.5 h) = 2 h
    ends_inside = Schedule({"daily": "00:00-01:30"}, timezone="America/New_York")
    assert hours("2024-11-03 00:00", "2024-11-03 12:00", ends_inside) == 2.0


def test_naive_times_inside_the_skipped_or_repeated_hour():
    always = Schedule.always("America/New_York")
    # a naive 01:30 on 2024-11-03 happened twice; it is read as the first (EDT) one:
    # 01:30 EDT -> 03:00 EST = 2.5 h
    assert hours("2024-11-03 01:30", "2024-11-03 03:00", always) == 2.5
    # a naive 02:30 on 2024-03-10 never happened; it is read as 03:00 EDT: to 04:00 = 1 h
    assert hours("2024-03-10 02:30", "2024-03-10 04:00", always) == 1.0


def test_a_day_that_never_happened_and_half_hour_changes():
    # Samoa skipped 2011-12-30 (UTC-10 to UTC+14): from 29 Dec 00:00 to 31 Dec 00:00
    # local only 29 December passed, 24 h; an office open every day gets 29 Dec 08-18
    apia = Schedule.always("Pacific/Apia")
    assert hours("2011-12-29 00:00", "2011-12-31 00:00", apia) == 24.0
    daily = Schedule({"daily": "08:00-18:00"}, timezone="Pacific/Apia")
    assert hours("2011-12-29 00:00", "2011-12-31 00:00", daily) == 10.0
    # Lord Howe Island moves its clocks by 30 minutes: on 2024-10-06 02:00 becomes 02:30,
    # so the local day lasts 23.5 h
    assert hours("2024-10-06 00:00", "2024-10-07 00:00", Schedule.always("Australia/Lord_Howe")) == 23.5


def test_elapsed_time_across_the_spring_change_in_berlin():
    # abrain/einsatzverwaltung#200: 29.03.2020 01:49 (CET) to 03:15 (CEST) in
    # Europe/Berlin lasted 26 minutes, not 1 h 26 min.
    assert hours("2020-03-29 01:49", "2020-03-29 03:15", Schedule.always("Europe/Berlin"),
                 unit="minutes") == 26.0
    # the same with the naive times declared in Berlin and a UTC schedule
    assert hours("2020-03-29 01:49", "2020-03-29 03:15", Schedule.always(),
                 source_timezone="Europe/Berlin", unit="minutes") == 26.0


def test_aware_utc_input_is_converted_to_local_time():
    # grafana/oncall#3261, MicrosoftDocs/azure-devops-docs#8675: hours kept as a fixed
    # UTC offset move by an hour when the clocks change. Windows here are local wall time.
    # Summer: 07:30Z-16:30Z is 08:30-17:30 BST, all inside 08:00-18:00: 9 h
    assert business_duration(T("2024-07-01 07:30", "UTC"), T("2024-07-01 16:30", "UTC"), OFFICE) == 9.0
    # Winter: 07:30Z-16:30Z is 07:30-16:30 GMT; business time 08:00-16:30 = 8.5 h
    assert business_duration(T("2024-01-15 07:30", "UTC"), T("2024-01-15 16:30", "UTC"), OFFICE) == 8.5
    # any zone converts: 09:00 in Paris (CET) is 08:00 in London
    assert business_duration(T("2024-01-15 09:00", "Europe/Paris"), T("2024-01-15 10:00", "UTC"),
                             OFFICE) == 2.0
    # naive values in another zone than the schedule's: UTC naive 07:30 in July = 08:30 BST
    assert hours("2024-07-01 07:30", "2024-07-01 16:30", source_timezone="UTC") == 9.0


def test_offsets_come_from_each_timestamps_own_date():
    # fivetran/dbt_zendesk#25: business minutes used today's offset for old tickets.
    # Friday 2024-10-25 16:00Z = 17:00 BST; Monday 2024-10-28 09:00Z = 09:00 GMT (after
    # the change on Sunday): 17:00-18:00 (1 h) + 08:00-09:00 (1 h) = 2 h. With one offset
    # (BST) for both, Monday 09:00Z would be 10:00 and give 3 h.
    assert business_duration(T("2024-10-25 16:00", "UTC"), T("2024-10-28 09:00", "UTC"), OFFICE) == 2.0


def test_round_the_clock_schedule_over_week_boundaries_in_a_western_zone():
    # fivetran/dbt_zendesk#215: 24/7 business minutes differed from calendar minutes for
    # a Pacific schedule at week boundaries (UTC weeks cut 420 minutes).
    pacific = Schedule.always("America/Los_Angeles")
    start, end = T("2025-08-29 18:00", "UTC"), T("2025-09-16 03:17", "UTC")
    assert business_duration(start, end, pacific, unit="minutes") == (end - start).total_seconds() / 60


# --- published values -------------------------------------------------------------------------


def test_pandas_business_hour_examples():
    # pandas-dev/pandas#7905 ("ENH: Add BusinessHour offset", sinhrks, merged 2015-05-05),
    # https://github.com/pandas-dev/pandas/pull/7905: BusinessHour() is 09:00-17:00
    # Monday to Friday; 2014-08-01 is a Friday.
    bh = Schedule({"mon-fri": "09:00-17:00"})
    examples = [  # (start, hours, published result)
        ("2014-08-01 10:00", 1, "2014-08-01 11:00"),
        ("2014-08-01 08:00", 1, "2014-08-01 10:00"),
        ("2014-08-01 19:00", 1, "2014-08-04 10:00"),  # moves to the next business day
        ("2014-08-01 16:45", 1, "2014-08-04 09:45"),  # the rest carries over to Monday
        ("2014-08-01 10:00", 2, "2014-08-01 12:00"),
    ]
    for start, amount, expected in examples:
        assert add_business_time(start, amount, bh) == T(expected), (start, amount)


def test_businesstimedelta_published_values():
    # seppemans/businesstimedelta, businesstimedelta/test/businesstimedelta_tests.py
    # (https://github.com/seppemans/businesstimedelta): WorkDayRule 09:00-17:00,
    # working_days=[0..4], tz=UTC. 2016-01-23 is a Saturday.
    workday = Schedule({"mon-fri": "09:00-17:00"})
    # test_add_less_than_one_period: Sat 2016-01-23 13:14 + 2 h = 2016-01-25 11:00
    assert add_business_time("2016-01-23 13:14", 2, workday) == T("2016-01-25 11:00")
    # test_add_more_than_one_period: + 12 h = 2016-01-26 13:00
    assert add_business_time("2016-01-23 13:14", 12, workday) == T("2016-01-26 13:00")
    # test_add_exactly_one_period: Fri 2016-01-22 09:00 + 8 h = "2016-01-22 17:00". We
    # give the next opening, Monday 09:00: the same business instant (no business time
    # between them), chosen so that answered_at <= due_at means the SLA was met.
    due = add_business_time("2016-01-22 09:00", 8, workday)
    assert due == T("2016-01-25 09:00")
    assert business_duration("2016-01-22 17:00", due, workday) == 0.0
    # test_subtract_*: the durations behind them. 2016-01-25 09:14 -> 11:14 is 2 h;
    # Fri 2016-01-22 11:14 -> Mon 2016-01-25 11:14 is 8 h
    assert business_duration("2016-01-25 09:14", "2016-01-25 11:14", workday) == 2.0
    assert business_duration("2016-01-22 11:14", "2016-01-25 11:14", workday) == 8.0

    # ReadmeTest: WorkDayRule 09:00-18:00 with LunchTimeRule 12:00-13:00, Monday-Friday
    lunch = Schedule({"mon-fri": "09:00-12:00, 13:00-18:00"})
    # businesshrs.difference(2016-01-18 09:00, 2016-01-25 09:00).hours == 40
    assert business_duration("2016-01-18 09:00", "2016-01-25 09:00", lunch) == 40.0
    # start + BusinessTimeDelta(hours=40) == "2016-01-22 18:00:00+00:00" (same instant as
    # our Monday 09:00, see above)
    assert business_duration("2016-01-18 09:00", "2016-01-22 18:00", lunch) == 40.0
    assert add_business_time("2016-01-18 09:00", 40, lunch) == T("2016-01-25 09:00")
    # with holidays.US(state='CA') (Christmas, Friday 2015-12-25):
    # difference(2015-12-21 09:00, 2015-12-28 09:00).hours == 32
    ca = Schedule({"mon-fri": "09:00-12:00, 13:00-18:00"}, holidays=["2015-12-25"])
    assert business_duration("2015-12-21 09:00", "2015-12-28 09:00", ca) == 32.0

    # test_readme_localized: the Santiago schedule, San Francisco times 2016-01-18
    # 09:00-18:00 PST -> difference(...).hours == 4 (Santiago is UTC-3 in January: the
    # span is 14:00-23:00 there, business 14:00-18:00)
    santiago = Schedule({"mon-fri": "09:00-12:00, 13:00-18:00"}, timezone="America/Santiago")
    sf = "America/Los_Angeles"
    assert business_duration(T("2016-01-18 09:00", sf), T("2016-01-18 18:00", sf), santiago) == 4.0


# seatgeek/businesstime, businesstime/test/__init__.py (https://github.com/seatgeek/businesstime):
# BusinessTime(holidays=USFederalHolidays()), business hours 09:00-17:00 Monday-Friday; its
# timedelta counts a business day as 8 hours, so timedelta(days=2, hours=1) is 17 hours.
SEATGEEK = Schedule({"mon-fri": "09:00-17:00"},
                    holidays=["2013-12-25", "2014-01-01", "2014-01-20", "2015-02-16"])


@pytest.mark.parametrize("start, end, published, expected_hours", [
    ("2014-01-16 18:30", "2014-01-22 10:00", "days=2, hours=1", 17.0),   # after_during (MLK day)
    ("2015-02-23 17:00", "2015-02-24 14:20", "hours=5, minutes=20", 5 + 20 / 60),
    ("2015-02-23 17:01", "2015-02-24 14:20", "hours=5, minutes=20", 5 + 20 / 60),
    ("2014-01-12 12:00", "2014-01-17 19:30", "days=4, hours=8", 40.0),   # nonbusiness_after
    ("2014-01-13 04:00", "2014-01-17 19:30", "days=4, hours=8", 40.0),   # before_after
    ("2014-01-30 12:15", "2014-01-31 19:30", "days=1, hours=4, minutes=45", 12.75),
    ("2014-08-04 11:00", "2014-08-06 05:00", "days=1, hours=6", 14.0),   # during_before
    ("2014-08-04 01:00", "2014-08-04 05:00", "0", 0.0),                   # before_before
    ("2014-08-04 22:00", "2014-08-04 23:00", "0", 0.0),                   # after_after
    ("2014-01-10 16:15", "2014-01-12 12:30", "minutes=45", 0.75),        # during_nonbusiness
    ("2014-01-09 16:15", "2014-01-12 12:30", "days=1, minutes=45", 8.75),
    ("2014-01-10 17:15", "2014-01-12 12:30", "0", 0.0),                   # after_nonbusiness
    ("2014-01-02 09:12", "2014-01-03 09:10", "hours=7, minutes=58", 7 + 58 / 60),
    ("2014-01-02 09:10", "2014-01-03 09:12", "days=1, minutes=2", 8 + 2 / 60),
    ("2014-01-04 09:10", "2014-01-04 09:12", "0", 0.0),                   # a Saturday
    ("2014-01-07 10:00", "2014-01-08 10:00", "days=1", 8.0),
    ("2014-01-07 09:00", "2014-01-08 09:00", "days=1", 8.0),              # their issue #3
    # README: businesstimedelta(2013-12-23 12:00, 2013-12-26 05:00) == timedelta(1, 18000)
    ("2013-12-23 12:00", "2013-12-26 05:00", "days=1, seconds=18000", 13.0),
])
def test_seatgeek_businesstime_published_values(start, end, published, expected_hours):
    assert business_duration(start, end, SEATGEEK) == pytest.approx(expected_hours, abs=1e-12)


def test_helpdesk_worked_examples():
    office = Schedule({"mon-fri": "08:00-18:00"}, timezone="Europe/Paris")
    # glpi-project/glpi#22678 (fix(calendarSegment), 2026-01-15): Monday-Friday
    # 08:00-18:00, time to own 4 h. Monday 10:00 -> Monday 14:00; Monday 17:00 -> Tuesday
    # 11:00 (1 h left on Monday, 3 h carried over); the escalation 1 h before the
    # deadline (3 h) -> Tuesday 10:00, not Tuesday 00:00.
    assert add_business_time("2026-01-12 10:00", 4, office) == T("2026-01-12 14:00")
    assert add_business_time("2026-01-12 17:00", 4, office) == T("2026-01-13 11:00")
    assert add_business_time("2026-01-12 17:00", 3, office) == T("2026-01-13 10:00")
    # osTicket/osTicket#4807 ("Active SLAs"): SLA 08:00-18:00 Monday-Friday, a ticket at
    # 17:00 (a Friday) with a 4-hour grace period is due at 11:00 on Monday.
    assert add_business_time("2019-03-22 17:00", 4, office) == T("2019-03-25 11:00")
    # chatwoot/chatwoot#13392 (business hours in SLA breaches): Mon-Fri 09:00-17:00,
    # created Friday 4:30 PM with a 1-hour first-response target -> Monday 9:30 AM;
    # created Wednesday 10:00 with 2 hours -> 12:00; created Wednesday 7:00 AM (before
    # hours) with 2 hours -> Wednesday 11:00 AM.
    nine_to_five = Schedule({"mon-fri": "09:00-17:00"})
    assert add_business_time("2026-01-23 16:30", 1, nine_to_five) == T("2026-01-26 09:30")
    assert add_business_time("2026-01-28 10:00", 2, nine_to_five) == T("2026-01-28 12:00")
    assert add_business_time("2026-01-28 07:00", 2, nine_to_five) == T("2026-01-28 11:00")


# --- peer implementation: pandas' CustomBusinessHour ---------------------------------------


@PROPERTY
@given(minute=st.integers(0, 60 * 24 * 90), amount=st.integers(1, 80))
def test_agrees_with_pandas_custom_business_hour(minute, amount):
    # pandas.offsets.CustomBusinessHour(n, start="09:00", end="17:00", holidays=...) on
    # naive times; both move a target that uses up a day exactly to the next opening.
    holidays = ["2024-01-01", "2024-01-15", "2024-02-19"]
    start = T("2023-12-20") + pd.Timedelta(minutes=minute)
    expected = start + pd.offsets.CustomBusinessHour(n=amount, start="09:00", end="17:00",
                                                      holidays=holidays)
    schedule = Schedule({"mon-fri": "09:00-17:00"}, holidays=holidays)
    assert add_business_time(start, amount, schedule) == expected


# --- properties ----------------------------------------------------------------------------------

LUNCH_LONDON = Schedule({"mon-thu": "08:00-12:30, 13:30-18:00", "fri": "08:00-16:00",
                         "sat": "10:00-14:00"}, timezone="Europe/London",
                        holidays={"2024-12-25": None, "2024-12-24": "08:00-12:00"})
EARLY_NEW_YORK = Schedule({"daily": "01:00-03:00, 22:00-24:00"}, timezone="America/New_York")
SCHEDULES = [OFFICE, LUNCH_LONDON, EARLY_NEW_YORK, Schedule.always("Europe/London")]
instants = st.integers(0, 3 * 366 * 24 * 60).map(lambda m: T("2023-01-01", "UTC") + pd.Timedelta(minutes=m))


@PROPERTY
@given(start=instants, amount=st.floats(0, 400, allow_nan=False), which=st.integers(0, 3))
def test_add_business_time_inverts_business_duration(start, amount, which):
    schedule = SCHEDULES[which]
    due = add_business_time(start, amount, schedule)
    assert due >= start
    assert business_duration(start, due, schedule) == pytest.approx(amount, abs=1e-9)


@PROPERTY
@given(start=instants, amount=st.floats(0.01, 100, allow_nan=False), which=st.integers(0, 2))
def test_due_time_is_the_last_instant_within_the_target(start, amount, which):
    # answered at the due time: met (the inverse property above); one second later:
    # breached, since the due time is the last instant before the clock passes the target
    # (a due time at a window's end would leave the second after it still "met")
    schedule = SCHEDULES[which]
    due = add_business_time(start, amount, schedule)
    later = business_duration(start, due + pd.Timedelta(seconds=1), schedule)
    assert later > amount


@PROPERTY
@given(start=instants, length=st.integers(0, 40 * 24 * 60), zone=st.sampled_from(
    ["UTC", "Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
     "Pacific/Apia", "America/Santiago"]))
def test_always_equals_calendar_time_for_aware_timestamps(start, length, zone):
    start = start.tz_convert(zone)
    end = start + pd.Timedelta(minutes=length)
    assert business_duration(start, end, Schedule.always(zone), unit="minutes") == length
    assert business_duration(start, end, Schedule.always(), unit="minutes") == length


@PROPERTY
@given(minute=st.integers(0, 2 * 366 * 24 * 60), weeks=st.integers(0, 30))
def test_whole_weeks_give_weeks_times_weekly_hours(minute, weeks):
    # wall-clock weeks: windows 08:00-18:00 never touch the 01:00-02:00 clock changes
    start = T("2023-01-01") + pd.Timedelta(minutes=minute)
    end = start + pd.Timedelta(weeks=weeks)
    assert business_duration(start, end, OFFICE) == pytest.approx(weeks * OFFICE.weekly_hours, abs=1e-9)


@PROPERTY
@given(a=instants, b=instants, c=instants, which=st.integers(0, 3))
def test_durations_add_up(a, b, c, which):
    a, b, c = sorted([a, b, c])
    schedule = SCHEDULES[which]
    total = business_duration(a, c, schedule)
    assert business_duration(a, b, schedule) + business_duration(b, c, schedule) == pytest.approx(total, abs=1e-9)
    assert 0 <= total <= (c - a).total_seconds() / 3600 + 1e-9


# --- vectors, missing values, per-row schedules --------------------------------------------


def test_series_in_series_out_with_missing_values_and_index_kept():
    frame = pd.DataFrame({
        "created_at": pd.to_datetime(["2024-03-01 17:00", None, "2024-03-04 09:00", "2024-03-04 10:00"]),
        "answered_at": pd.to_datetime(["2024-03-04 09:00", "2024-03-04 10:00", None, "2024-03-04 12:00"]),
    }, index=["a", "b", "c", "d"])
    before = frame.copy()
    result = business_duration(frame["created_at"], frame["answered_at"], OFFICE)
    assert result.name == "business_hours" and list(result.index) == ["a", "b", "c", "d"]
    assert result.tolist()[0] == 2.0 and result.tolist()[3] == 2.0
    assert result.isna().tolist() == [False, True, True, False]
    pd.testing.assert_frame_equal(frame, before)  # the input is not changed


def test_one_end_for_every_row_and_plain_arrays():
    # open tickets measured up to one as_of instant
    created = pd.Series(pd.to_datetime(["2024-03-04 08:00", "2024-03-04 17:00"]))
    assert business_duration(created, "2024-03-05 09:00", OFFICE).tolist() == [11.0, 2.0]
    # lists give arrays
    result = business_duration(["2024-03-04 08:00", "2024-03-04 17:00"], ["2024-03-04 18:30"] * 2, OFFICE)
    assert isinstance(result, np.ndarray) and result.tolist() == [10.0, 1.0]
    # empty input gives an empty result
    assert business_duration(pd.Series([], dtype="datetime64[ns]"),
                             pd.Series([], dtype="datetime64[ns]"), OFFICE).size == 0


def test_add_business_time_vectors_missing_and_aware():
    starts = pd.Series(pd.to_datetime(["2024-03-01 17:00", None, "2024-03-04 09:00"]), index=[5, 6, 7])
    due = add_business_time(starts, pd.Series([4.0, 1.0, np.nan], index=[5, 6, 7]), OFFICE)
    assert due.name == "due_at" and list(due.index) == [5, 6, 7]
    # Friday 17:00 + 4 h = Monday 11:00; the missing start and the missing target give NaT
    assert due.iloc[0] == T("2024-03-04 11:00") and due.iloc[1:].isna().all()
    # aware starts keep their zone: 16:00Z Friday = 16:00 GMT, + 4 h = Monday 10:00 GMT
    aware = add_business_time(pd.Series([T("2024-03-01 16:00", "UTC")]), 4, OFFICE)
    assert str(aware.dt.tz) == "UTC" and aware.iloc[0] == T("2024-03-04 10:00", "UTC")


def test_negative_durations_can_be_set_aside():
    start = pd.Series(pd.to_datetime(["2024-03-04 10:00", "2024-03-04 10:00"]))
    end = pd.Series(pd.to_datetime(["2024-03-04 09:00", "2024-03-04 11:00"]))
    result = business_duration(start, end, OFFICE, negative="nan")
    assert result.isna().tolist() == [True, False] and result.iloc[1] == 1.0
    # a negative wall-clock span outside hours is still caught (09:00 -> 08:30 Sunday)
    with pytest.raises(DataError):
        business_duration("2024-03-03 09:00", "2024-03-03 08:30", OFFICE)


def test_schedules_for_picks_one_schedule_per_team():
    new_york = Schedule({"mon-fri": "09:00-17:00"}, timezone="America/New_York", name="ny")
    tickets = pd.DataFrame({
        "team": ["uk", "us", "uk", None, "apac"],
        "created_at": pd.to_datetime(["2024-03-04 08:00Z"] * 5),
        "answered_at": pd.to_datetime(["2024-03-04 18:00Z"] * 5),
    })
    per_row = schedules_for(tickets, "team", {"uk": OFFICE, "us": new_york}, default="uk")
    assert per_row.name == "schedule" and per_row.tolist() == [OFFICE, new_york, OFFICE, OFFICE, OFFICE]
    result = business_duration(tickets["created_at"], tickets["answered_at"], per_row)
    # UK: 08:00-18:00 GMT = 10 h; US: 08:00Z-18:00Z is 03:00-13:00 EST -> 09:00-13:00 = 4 h
    assert result.tolist() == [10.0, 4.0, 10.0, 10.0, 10.0]
    # the same as one call per schedule
    for schedule in (OFFICE, new_york):
        rows = [s is schedule for s in per_row]
        alone = business_duration(tickets["created_at"][rows], tickets["answered_at"][rows], schedule)
        assert result[rows].tolist() == alone.tolist()
    # specs are accepted in place of schedules, and a default schedule object
    specs = schedules_for(tickets, "team", {"uk": OFFICE.to_dict()}, default=Schedule.always())
    assert specs.iloc[0] == OFFICE and specs.iloc[1] == Schedule.always()
    due = add_business_time(tickets["created_at"], 2, per_row)
    assert due.iloc[0] == T("2024-03-04 10:00", "UTC") and due.iloc[1] == T("2024-03-04 16:00", "UTC")


# --- errors ---------------------------------------------------------------------------------------


def test_unknown_time_zone_names_a_close_match():
    with pytest.raises(ParameterError) as error:
        Schedule({"mon": "08:00-18:00"}, timezone="Europe/Londn")
    message = str(error.value)
    assert "'Europe/Londn'" in message and "'Europe/London'" in message and "IANA" in message
    with pytest.raises(ParameterError, match="Did you mean 'Europe/London'"):
        Schedule.from_dict({"timezone": "london", "hours": {"mon": "08:00-18:00"}})
    with pytest.raises(ParameterError, match="'America/New_York'"):
        business_duration("2024-03-04", "2024-03-05", OFFICE, source_timezone="America/NewYork")


def test_bad_window_says_how_to_split_it():
    with pytest.raises(ParameterError) as error:
        Schedule({"mon-fri": "18:00-08:00"})
    message = str(error.value)
    assert "'18:00-08:00'" in message and "ends before it starts" in message
    assert "'18:00-24:00'" in message and "'00:00-08:00'" in message


@pytest.mark.parametrize("hours, expected", [
    ({"mon": "08:00-08:00"}, "'08:00-08:00' is empty"),
    ({"mon": "08:00-12:00, 11:00-18:00"}, "overlap"),
    ({"mon": "24:00-18:00"}, "'24:00' can only end a window"),
    ({"mon": "08:00-24:30"}, "'24:30' is not a time of day"),
    ({"mon": "8-18"}, "'8' is not a time of day"),
    ({"mon": "08:00-12:00-13:00"}, "is not a window"),
    ({"mon": 8}, "got the number 8"),
    ({"mon": [("08:00", "12:00", "x")]}, "is not a window"),
    ({"mon-fri": "08:00-18:00", "fri": "08:00-12:00"}, "fri is given twice"),
    ({"sat": "closed"}, "has no business hours"),
    ("08:00-18:00", "must be a mapping"),
])
def test_bad_hours(hours, expected):
    with pytest.raises(ParameterError, match=expected):
        Schedule(hours)


def test_unquoted_yaml_times_get_a_hint():
    spec = yaml.safe_load("hours:\n  sat: [10:00, 14:00]\n")  # YAML 1.1 reads 10:00 as 600
    assert spec["hours"]["sat"] == [600, 840]
    with pytest.raises(ParameterError) as error:
        Schedule.from_dict(spec)
    assert "600" in str(error.value) and "quote them" in str(error.value)
    # quoted, or as one range, it works; YAML dates for holidays work too
    spec = yaml.safe_load("hours:\n  sat: 10:00-14:00\nholidays: [2024-12-25]\n")
    assert Schedule.from_dict(spec).holidays == ((dt.date(2024, 12, 25), ()),)


def test_unknown_weekday():
    with pytest.raises(ParameterError) as error:
        Schedule({"mon-fro": "08:00-18:00"})
    message = str(error.value)
    assert "'fro'" in message and "'fri'" in message and "mon, tue, wed" in message
    with pytest.raises(ParameterError, match="not a weekday"):
        Schedule({1: "08:00-18:00"})


@pytest.mark.parametrize("holiday", ["Christmas", "2024-02-30", "25/12/2024", 20241225,
                                     pd.Timestamp("2024-12-25 10:00")])
def test_holiday_not_a_date(holiday):
    with pytest.raises(ParameterError) as error:
        Schedule({"mon": "08:00-18:00"}, holidays=[holiday])
    assert repr(holiday) in str(error.value) and "'YYYY-MM-DD'" in str(error.value)


def test_conflicting_holiday_and_bad_holiday_container():
    with pytest.raises(ParameterError, match="given twice"):
        Schedule({"mon": "08:00-18:00"}, holidays={"2024-12-24": "08:00-12:00",
                                                   dt.date(2024, 12, 24): "closed"})
    with pytest.raises(ParameterError, match="list of dates"):
        Schedule({"mon": "08:00-18:00"}, holidays=2024)


def test_from_dict_errors():
    with pytest.raises(ParameterError, match="'timezon' .*did you mean 'timezone'"):
        Schedule.from_dict({"timezon": "UTC", "hours": {"mon": "08:00-18:00"}})
    with pytest.raises(ParameterError, match="no 'hours'"):
        Schedule.from_dict({"timezone": "UTC"})
    with pytest.raises(ParameterError, match="must be a mapping"):
        Schedule.from_dict(["mon", "08:00-18:00"])
    with pytest.raises(ParameterError, match="name"):
        Schedule({"mon": "08:00-18:00"}, name="")


def test_end_before_start_lists_rows_and_says_what_to_do():
    start = pd.Series(pd.to_datetime(["2024-03-04 10:00", "2024-03-04 10:00", "2024-03-05 12:00"]))
    end = pd.Series(pd.to_datetime(["2024-03-04 11:00", "2024-03-04 09:00", "2024-03-05 08:00"]))
    with pytest.raises(DataError) as error:
        business_duration(start, end, OFFICE)
    message = str(error.value)
    assert "2 of 3 rows" in message
    assert "row 1: start 2024-03-04 10:00:00, end 2024-03-04 09:00:00" in message
    assert "row 2:" in message and "row 0" not in message
    assert "swapped" in message and "time zone" in message and "negative='nan'" in message


def test_unreadable_timestamps():
    with pytest.raises(DataError, match="'yesterday'.*ISO 8601"):
        business_duration(["2024-03-04 10:00", "yesterday"], "2024-03-05", OFFICE)
    with pytest.raises(DataError, match="start holds numbers.*unit='s'"):
        business_duration([1_700_000_000, 1_700_000_100], "2024-03-05", OFFICE)
    with pytest.raises(DataError, match="mixes time zones.*utc=True"):
        business_duration(["2024-03-04T10:00+01:00", "2024-03-04T10:00+02:00"], "2024-03-05T00:00Z", OFFICE)
    with pytest.raises(DataError, match="outside the years"):
        business_duration(pd.Series([pd.Timestamp("2500-01-01").as_unit("s")]), "2024-03-05", OFFICE)
    with pytest.raises(DataError, match="Dates must lie between 1677-09-2.*placeholder"):
        business_duration("1677-09-22", "2024-03-05", OFFICE)


def test_bad_arguments():
    with pytest.raises(ParameterError, match="Unknown unit 'days'.*hours, minutes, seconds"):
        business_duration("2024-03-04", "2024-03-05", OFFICE, unit="days")
    with pytest.raises(ParameterError, match="negative must be"):
        business_duration("2024-03-04", "2024-03-05", OFFICE, negative="zero")
    with pytest.raises(ParameterError, match="different lengths \\(3, 2\\)"):
        business_duration(["2024-03-04"] * 3, ["2024-03-05"] * 2, OFFICE)
    with pytest.raises(ParameterError, match="different indexes"):
        business_duration(pd.Series(pd.to_datetime(["2024-03-04"]), index=[1]),
                          pd.Series(pd.to_datetime(["2024-03-05"]), index=[2]), OFFICE)
    with pytest.raises(ParameterError, match="must be a Schedule"):
        business_duration("2024-03-04", "2024-03-05", {"mon": "08:00-18:00"})
    with pytest.raises(ParameterError, match="not Schedules.*schedules_for"):
        business_duration(["2024-03-04"] * 2, ["2024-03-05"] * 2, [OFFICE, "office"])
    with pytest.raises(ParameterError, match="3 entries for 2 rows"):
        business_duration(["2024-03-04"] * 2, ["2024-03-05"] * 2, [OFFICE] * 3)
    with pytest.raises(ParameterError, match="got -1.0 \\(rows 1\\).*hours"):
        add_business_time(["2024-03-04"] * 2, [1, -1], OFFICE)
    with pytest.raises(ParameterError, match="number of hours"):
        add_business_time("2024-03-04", "four", OFFICE)


def test_due_times_far_away_and_unreachable():
    # one hour a week, every Monday of 2024 a holiday: no business time in 2024, and an
    # hour from June uses up Monday 2025-01-06 09:00-10:00, so it falls due at the next
    # opening, Monday 2025-01-13 09:00
    mondays = pd.date_range("2024-01-01", "2024-12-31", freq="W-MON")
    sparse = Schedule({"mon": "09:00-10:00"}, holidays=[d.date() for d in mondays])
    assert business_duration("2024-01-01", "2024-12-31", sparse) == 0.0
    assert add_business_time("2024-06-01", 1, sparse) == T("2025-01-13 09:00")
    assert business_duration("2024-06-01", "2025-01-13 09:00", sparse) == 1.0
    # holidays on every Monday up to pandas' last date: the search stops and says why
    closed = Schedule({"mon": "09:00-10:00"}, holidays=[
        d.date() for d in pd.date_range("2024-01-01", "2262-04-10", freq="W-MON")])
    with pytest.raises(DataError, match="too few business hours.*holidays"):
        add_business_time("2024-06-01", 1, closed)


def test_schedules_for_errors():
    tickets = pd.DataFrame({"team": ["uk", "mars", None]})
    with pytest.raises(DataError) as error:
        schedules_for(tickets, "team", {"uk": OFFICE})
    message = str(error.value)
    assert "'mars'" in message and "1 row(s) have no team" in message and "default=" in message
    with pytest.raises(MissingColumnError, match="'region'.*found 'team'"):
        schedules_for(tickets, "region", {"uk": OFFICE})
    with pytest.raises(ParameterError, match="non-empty mapping"):
        schedules_for(tickets, "team", {})
    with pytest.raises(ParameterError, match=r"schedules\['uk'\] must be a Schedule"):
        schedules_for(tickets, "team", {"uk": "office"})


# --- naive times at a change of clocks: explicit options (issue 10) --------------------------

BERLIN_24 = Schedule.always("Europe/Berlin")


def test_a_repeated_time_as_its_first_or_second_occurrence():
    # 2025-10-26 in Berlin: 03:00 CEST became 02:00 CET. 02:30 CEST is 00:30Z, 02:30 CET
    # 01:30Z, 04:00 CET 03:00Z: 2.5 h from the first 02:30, 1.5 h from the second.
    assert hours("2025-10-26 02:30", "2025-10-26 04:00", BERLIN_24) == 2.5
    assert hours("2025-10-26 02:30", "2025-10-26 04:00", BERLIN_24, ambiguous="earliest") == 2.5
    assert hours("2025-10-26 02:30", "2025-10-26 04:00", BERLIN_24, ambiguous="latest") == 1.5
    # times outside the repeated hour do not change
    assert hours("2025-10-26 01:30", "2025-10-26 04:00", BERLIN_24, ambiguous="latest") == 3.5


def test_times_at_a_change_of_clocks_can_raise_with_the_times_listed():
    with pytest.raises(DataError, match=(
            r"start has 1 naive time\(s\) that happened twice \(the clocks went back\) in "
            r"Europe/Berlin: '2025-10-26 02:30:00'\. .*ambiguous='earliest' or 'latest'.*"
            r"ambiguous='nan' leaves those rows out.*load_tickets\(timezone='Europe/Berlin'\)")):
        hours("2025-10-26 02:30", "2025-10-26 04:00", BERLIN_24, ambiguous="raise")
    with pytest.raises(DataError, match=(
            r"end has 1 naive time\(s\) that never happened \(the clocks sprang forward over "
            r"them\) in Europe/Berlin: '2025-03-30 02:30:00'.*nonexistent='shift_forward'")):
        hours("2025-03-30 01:00", "2025-03-30 02:30", BERLIN_24, nonexistent="raise")
    # a time that is fine raises nothing
    assert hours("2025-03-30 01:00", "2025-03-30 04:00", BERLIN_24, nonexistent="raise",
                 ambiguous="raise") == 2.0


def test_times_at_a_change_of_clocks_can_be_left_out_as_nan():
    starts = pd.Series(pd.to_datetime(["2025-03-30 02:30", "2025-10-26 02:30", "2025-03-30 01:00"]))
    ends = pd.Series(pd.to_datetime(["2025-03-30 04:00", "2025-10-26 04:00", "2025-03-30 04:00"]))
    out = business_duration(starts, ends, BERLIN_24, nonexistent="nan", ambiguous="nan")
    assert np.isnan(out.iloc[0]) and np.isnan(out.iloc[1]) and out.iloc[2] == 2.0
    # the defaults: 02:30 read as 03:00 (1 h to 04:00), the repeated 02:30 as CEST (2.5 h)
    assert business_duration(starts, ends, BERLIN_24).tolist() == [1.0, 2.5, 2.0]
    # with aware times nothing is ambiguous
    aware = starts.dt.tz_localize("UTC")
    assert not business_duration(aware, ends.dt.tz_localize("UTC"), BERLIN_24,
                                 nonexistent="raise", ambiguous="raise").isna().any()


def test_due_times_from_times_at_a_change_of_clocks():
    starts = pd.Series(pd.to_datetime(["2025-10-26 02:30", "2025-10-26 01:00"]))
    due = add_business_time(starts, 1, BERLIN_24, ambiguous="nan")
    assert pd.isna(due.iloc[0]) and due.iloc[1] == pd.Timestamp("2025-10-26 02:00")
    # the second 02:30 plus one hour is 03:30; the first 02:30 plus one hour is the second 02:30
    assert add_business_time(starts, 1, BERLIN_24, ambiguous="latest").iloc[0] == \
        pd.Timestamp("2025-10-26 03:30")
    assert add_business_time(starts, 1, BERLIN_24).iloc[0] == pd.Timestamp("2025-10-26 02:30")
    with pytest.raises(DataError, match=r"start has 1 naive time\(s\) that never happened"):
        add_business_time("2025-03-30 02:30", 1, BERLIN_24, nonexistent="raise")


@pytest.mark.parametrize("kwargs, message", [
    ({"ambiguous": "first"}, r"ambiguous must be one of 'earliest', 'latest', 'raise', 'nan'"),
    ({"nonexistent": "NaT"}, r"nonexistent must be one of 'shift_forward', 'raise', 'nan'"),
])
def test_invalid_clock_options(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        hours("2025-10-26 01:00", "2025-10-26 04:00", BERLIN_24, **kwargs)
    with pytest.raises(ParameterError, match=message):
        add_business_time("2025-10-26 01:00", 1, BERLIN_24, **kwargs)
