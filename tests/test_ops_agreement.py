"""ops.vendor_agreement: a vendor's business-hours durations against the toolkit's engine,
checked on tickets whose business minutes are counted by hand."""
from __future__ import annotations

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
    out = ct.ops.vendor_agreement(tickets(), OFFICE).set_index("measure")
    reply = out.loc["first reply"]
    assert (reply["n"], reply["agree"]) == (3, 2)
    assert reply["estimate"] == pytest.approx(200 / 3)
    low, high = ct.stats.proportion_interval(2, 3)
    assert (reply["ci_low"], reply["ci_high"]) == (pytest.approx(100 * low),
                                                   pytest.approx(100 * high))
    assert reply["median_abs_diff"] == 1.0 and reply["max_abs_diff"] == 480.0
    assert "London office" in reply["method"] and "within 1 min" in reply["method"]
    assert (out.loc["resolution", "n"], out.loc["resolution", "agree"]) == (1, 1)
    worst = out.attrs["worst"]
    first = worst[worst["measure"] == "first reply"].iloc[0]
    assert (first["ticket_id"], first["vendor_minutes"], first["toolkit_minutes"],
            first["difference"]) == ("C", 540.0, 60.0, -480.0)


def test_a_wider_tolerance_and_named_columns():
    frame = tickets().rename(columns={"vendor_first_reply_business_minutes": "frt_biz"})
    out = ct.ops.vendor_agreement(frame, OFFICE, tolerance_minutes=0,
                                  columns={"frt_biz": ("created_at", "first_response_at")})
    assert out[["measure", "n", "agree"]].values.tolist() == [["frt_biz", 3, 1]]


def test_errors_name_what_is_missing():
    with pytest.raises(DataError, match="no vendor business-hours duration column"):
        ct.ops.vendor_agreement(tickets().drop(columns=[
            "vendor_first_reply_business_minutes", "vendor_resolution_business_minutes"]),
            OFFICE)
    with pytest.raises(DataError, match="no column 'resolved_at'"):
        ct.ops.vendor_agreement(tickets().drop(columns="resolved_at"), OFFICE)
    with pytest.raises(ParameterError, match="tolerance_minutes must be 0 or more"):
        ct.ops.vendor_agreement(tickets(), OFFICE, tolerance_minutes=-1)
