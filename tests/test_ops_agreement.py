"""ops.vendor_agreement: a vendor's business-hours durations against the toolkit's engine,
checked on tickets whose business minutes are counted by hand."""
from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest

import csat_toolkit as ct
from csat_toolkit.errors import DataError, ParameterError
from csat_toolkit.ops.businesshours import Schedule

# Mon-Fri 09:00-17:00 in London; Friday 8 March 2024 is a holiday here.
OFFICE = Schedule({"mon-fri": "09:00-17:00"}, timezone="Europe/London",
                  holidays=["2024-03-08"], name="London office")


def tickets():
    """By hand (business minutes):
    A  Mon 04 09:00 -> Mon 04 10:00           60; vendor 60  -> agrees
    B  Thu 07 16:30 -> Mon 11 09:30   30 + (Fri holiday) + 30 = 60; vendor 61 -> within 1 min
    C  Thu 07 16:30 -> Mon 11 09:30           60; vendor 540 (counted Friday) -> 480 off
    D  Tue 05 09:00 -> no reply               -; vendor 15  -> not compared
    E  Tue 05 09:00 -> Tue 05 09:15           15; vendor missing -> not compared
    resolution: A 09:00 -> 17:00 Mon = 480, vendor 480 -> agrees (one ticket)
    """
    times = lambda *v: pd.to_datetime(list(v)).tz_localize("Europe/London")  # noqa: E731
    return pd.DataFrame({
        "ticket_id": list("ABCDE"),
        "created_at": times("2024-03-04 09:00", "2024-03-07 16:30", "2024-03-07 16:30",
                            "2024-03-05 09:00", "2024-03-05 09:00"),
        "first_response_at": times("2024-03-04 10:00", "2024-03-11 09:30",
                                   "2024-03-11 09:30", None, "2024-03-05 09:15"),
        "resolved_at": times("2024-03-04 17:00", None, None, None, None),
        "vendor_first_reply_business_minutes": [60, 61, 540, 15, np.nan],
        "vendor_resolution_business_minutes": [480, np.nan, np.nan, np.nan, np.nan],
    })


def test_agreement_by_hand():
    result = ct.ops.vendor_agreement(tickets(), OFFICE)
    out = result.table.set_index("measure")
    reply = out.loc["first reply"]
    assert (reply["n"], reply["agree"]) == (3, 2)
    assert reply["estimate"] == pytest.approx(200 / 3)
    low, high = ct.stats.proportion_interval(2, 3)
    assert (reply["ci_low"], reply["ci_high"]) == (pytest.approx(100 * low),
                                                   pytest.approx(100 * high))
    assert reply["median_abs_diff"] == 1.0 and reply["max_abs_diff"] == 480.0
    assert "London office" in reply["method"] and "within 1 min" in reply["method"]
    assert (out.loc["resolution", "n"], out.loc["resolution", "agree"]) == (1, 1)
    worst = result.worst
    first = worst[worst["measure"] == "first reply"].iloc[0]
    assert (first["ticket_id"], first["vendor_minutes"], first["toolkit_minutes"],
            first["difference"]) == ("C", 540.0, 60.0, -480.0)


def test_a_wider_tolerance_and_named_columns():
    frame = tickets().rename(columns={"vendor_first_reply_business_minutes": "frt_biz"})
    out = ct.ops.vendor_agreement(frame, OFFICE, tolerance_minutes=0,
                                  columns={"frt_biz": ("created_at", "first_response_at")})
    assert out.table[["measure", "n", "agree"]].values.tolist() == [["frt_biz", 3, 1]]
    # within 0 min: B's one minute is a disagreement too, and the sentences say so
    assert out.sentences()[0].startswith("Frt_biz: the vendor's business minutes and the "
                                         "toolkit's agree within 0 min on 1 of 3 tickets")
    assert "business_hours, holidays and timezone" in out.summary()
    shown = out._repr_html_()
    assert "<table" in shown and all(html.escape(s) in shown for s in out.sentences())
    assert ">Vendor column<" in shown and ">frt_biz<" in shown and ">95% CI<" in shown


def test_errors_name_what_is_missing():
    with pytest.raises(DataError, match="no vendor business-hours duration column"):
        ct.ops.vendor_agreement(tickets().drop(columns=[
            "vendor_first_reply_business_minutes", "vendor_resolution_business_minutes"]),
            OFFICE)
    with pytest.raises(DataError, match="no column 'resolved_at'"):
        ct.ops.vendor_agreement(tickets().drop(columns="resolved_at"), OFFICE)
    with pytest.raises(ParameterError, match="tolerance_minutes must be 0 or more"):
        ct.ops.vendor_agreement(tickets(), OFFICE, tolerance_minutes=-1)


def _page_params(tmp_path, frame: pd.DataFrame, **changes) -> dict:
    """05_operations' defaults with ``frame`` as the tickets (times written as London wall time)."""
    from csat_toolkit.report.runner import notebook_parameters
    from tests.conftest import NOTEBOOKS
    written = frame.copy()
    for column in ("created_at", "first_response_at", "resolved_at"):
        written[column] = written[column].dt.strftime("%Y-%m-%d %H:%M")
    written.to_csv(tmp_path / "tickets.csv", index=False)
    defaults = {k: v["default"] for k, v in
                notebook_parameters(NOTEBOOKS / "05_operations.ipynb").items()}
    return defaults | {
        "tickets_path": str(tmp_path / "tickets.csv"), "responses_path": None,
        "volume_path": None, "output_dir": str(tmp_path / "out"),
        "timezone": "Europe/London", "business_hours": {"mon-fri": "09:00-17:00"},
        "holidays": ["2024-03-08"], "sla_by": [], "response_by": [], "quality_by": []} | changes


def test_the_operations_page_shows_the_agreement(tmp_path):
    from csat_toolkit.report.sections import ops as sections
    inputs = sections.load(_page_params(tmp_path, tickets()))
    shown = sections.vendor_durations(inputs)
    table = shown["agreement"].set_index("measure")
    # the same counts as test_agreement_by_hand: A and B agree, C is 480 min off
    assert table.loc["first reply", ["n", "agree"]].tolist() == [3, 2]
    assert table.loc["resolution", ["n", "agree"]].tolist() == [1, 1]
    assert shown["worst"]["ticket_id"].tolist() == ["C"]  # only tickets beyond a minute
    assert shown["worst"]["difference"].tolist() == [-480.0]
    assert shown.sentences[0].startswith("Schedule: 40 business hours a week in Europe/London, "
                                         "1 holiday.")
    assert shown.sentences[1].startswith("First reply: the vendor's business minutes and the "
                                         "toolkit's agree within 1 min on 2 of 3 tickets (66.7%")
    assert "check that business_hours, holidays and timezone" in shown.sentences[-1]
    assert shown.findings == shown.sentences[1:2]
    extra = sections.headline(inputs, {sections.VENDOR: shown})
    assert [r["agree"] for r in extra["vendor_agreement"]] == [2, 1]


def test_the_page_shows_nothing_without_vendor_durations(tmp_path):
    from csat_toolkit.report.sections import ops as sections
    plain = tickets().drop(columns=["vendor_first_reply_business_minutes",
                                    "vendor_resolution_business_minutes"])
    shown = sections.vendor_durations(sections.load(_page_params(tmp_path, plain)))
    assert shown.tables == {} and shown.sentences == [] and shown.missing == []
    assert sections.headline(sections.load(_page_params(tmp_path, plain)),
                             {})["vendor_agreement"] is None
