"""Tests of the follow-up ("close the loop") list and the formula-safe CSV export."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from csat_toolkit.errors import DataError, MissingColumnError, ParameterError, ScaleError
from csat_toolkit.followup import (
    followup_queue,
    followup_summary,
    neutralise_formulas,
    to_safe_csv,
)

LAYOUT = [
    "response_id", "responded_at", "survey", "score", "category",
    "ticket_id", "customer_id", "channel", "agent", "team", "comment",
]


def responses(survey: str, scores, dates=None, **extra) -> pd.DataFrame:
    """A small canonical responses frame: ids r1, r2 ... one day apart by default."""
    n = len(scores)
    if dates is None:
        dates = pd.date_range("2024-03-01", periods=n, freq="D")
    return pd.DataFrame(
        {
            "response_id": [f"r{i + 1}" for i in range(n)],
            "responded_at": pd.to_datetime(dates),
            "survey": survey,
            "score": np.asarray(scores, dtype=float),
            **extra,
        }
    )


def mixed() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "response_id": ["c1", "c2", "n1", "n2", "c3", "x1"],
            "responded_at": pd.to_datetime(
                ["2024-03-05", "2024-03-01", "2024-03-03", "2024-03-02", "2024-03-04", "2024-03-01"]
            ),
            "survey": ["csat", "csat", "nps", "nps", "csat", "ces"],
            "score": [1.0, 3.0, 0.0, 6.0, 4.0, 1.0],
            "customer_id": ["A", "B", "C", "D", "E", "F"],
            "ticket_id": [11, 12, 13, 14, 15, 16],
            "channel": ["email", "chat", "phone", "email", "chat", "chat"],
            "comment": ["slow", "=SUM(A1)", "Πολύ κακό", "很慢", "ok", "hard"],
            "region": ["EU", "EU", "APAC", "APAC", "EU", "EU"],
        }
    )


# --- which answers are listed ------------------------------------------------------


def test_csat_1_to_5_lists_3_or_less():
    queue = followup_queue(responses("csat", [1, 2, 3, 4, 5]))
    assert queue["score"].tolist() == [1.0, 2.0, 3.0]
    assert queue["response_id"].tolist() == ["r1", "r2", "r3"]
    assert set(queue["category"]) == {"not satisfied"}


def test_nps_lists_detractors_6_in_7_out():
    queue = followup_queue(responses("nps", [0, 6, 7, 8, 9, 10]))
    assert queue["score"].tolist() == [0.0, 6.0]
    assert set(queue["category"]) == {"detractor"}


def test_default_surveys_are_csat_and_nps():
    queue = followup_queue(mixed())
    assert set(queue["survey"]) == {"csat", "nps"}
    assert "x1" not in queue["response_id"].tolist()


def test_surveys_parameter_picks_one_type():
    queue = followup_queue(mixed(), surveys="nps")
    assert queue["response_id"].tolist() == ["n2", "n1"]
    ces = followup_queue(mixed(), surveys=["ces"])
    assert ces["response_id"].tolist() == ["x1"]
    assert ces["category"].tolist() == ["not easy"]


def test_csat_max_overrides_threshold():
    data = responses("csat", [1, 2, 3, 4, 5])
    assert followup_queue(data, csat_max=2)["score"].tolist() == [1.0, 2.0]
    wider = followup_queue(data, csat_max=4)
    assert wider["score"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert wider["category"].tolist() == ["not satisfied"] * 3 + ["satisfied"]


def test_csat_max_leaves_nps_alone():
    data = pd.concat([responses("csat", [2, 3]), responses("nps", [5, 6])], ignore_index=True)
    data["response_id"] = ["c1", "c2", "n1", "n2"]
    queue = followup_queue(data, csat_max=2)
    assert sorted(queue["response_id"]) == ["c1", "n1", "n2"]


@pytest.mark.parametrize("bad", [0, 6, "3", True])
def test_csat_max_off_the_scale(bad):
    with pytest.raises(ParameterError, match=r"csat_max must be a score on the csat_5 scale \(1-5\)"):
        followup_queue(responses("csat", [1, 5]), csat_max=bad)


def test_non_default_scale_csat_7():
    data = responses("csat", [1, 2, 3, 4, 5, 6, 7])
    queue = followup_queue(data, scales={"csat": "csat_7"})
    assert queue["score"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    with pytest.raises(ScaleError, match=r"not on the csat_5 scale \(1-5\).*scales="):
        followup_queue(data)


def test_scale_of_the_wrong_survey():
    with pytest.raises(ParameterError, match=r"scales\['csat'\] is 'nps', a NPS scale"):
        followup_queue(responses("csat", [1]), scales={"csat": "nps"})


def test_unknown_scales_key():
    with pytest.raises(ParameterError, match=r"got the key\(s\) 'satisfaction'"):
        followup_queue(responses("csat", [1]), scales={"satisfaction": "csat_5"})


def test_missing_or_text_scores_raise():
    data = responses("csat", [1, 2])
    data["score"] = pd.Series([1.0, np.nan])
    with pytest.raises(ScaleError, match=r"1 CSAT score\(s\) are missing.*response_id 'r2'"):
        followup_queue(data)


def test_rows_of_other_surveys_are_not_checked_against_csat_scale():
    data = pd.concat([responses("csat", [2]), responses("nps", [10])], ignore_index=True)
    assert followup_queue(data, surveys="csat")["score"].tolist() == [2.0]


# --- layout and order ----------------------------------------------------------------


def test_layout_with_absent_optional_columns():
    queue = followup_queue(responses("csat", [1, 5]))
    assert list(queue.columns) == LAYOUT
    assert queue["agent"].isna().all() and queue["comment"].isna().all()
    assert queue.index.tolist() == [0]


def test_layout_with_extra_columns_and_days_open():
    queue = followup_queue(mixed(), as_of="2024-03-10", columns=["region", "channel"])
    assert list(queue.columns) == LAYOUT + ["days_open", "region"]
    assert queue["customer_id"].tolist() == ["B", "D", "C", "A"]
    assert queue["ticket_id"].tolist() == [12, 14, 13, 11]


def test_empty_queue_keeps_layout():
    queue = followup_queue(responses("csat", [4, 5]), as_of="2024-03-10")
    assert queue.empty
    assert list(queue.columns) == LAYOUT + ["days_open"]


def test_oldest_first_ties_by_response_id():
    dates = ["2024-03-02", "2024-03-01", "2024-03-01", None, "2024-03-01"]
    data = responses("nps", [1, 2, 3, 4, 5], dates=dates)
    data["response_id"] = ["e", "c", "a", "z", "b"]
    queue = followup_queue(data)
    assert queue["response_id"].tolist() == ["a", "b", "c", "e", "z"]
    assert pd.isna(queue["responded_at"].iloc[-1])


def test_order_is_stable_for_duplicate_keys():
    data = responses("csat", [1, 2, 3], dates=["2024-03-01"] * 3)
    data["response_id"] = ["same", "same", "same"]
    assert followup_queue(data)["score"].tolist() == [1.0, 2.0, 3.0]


def test_responded_at_may_be_absent_or_all_missing():
    data = responses("csat", [3, 1, 2]).drop(columns="responded_at")
    data["response_id"] = ["b", "c", "a"]
    queue = followup_queue(data)
    assert queue["response_id"].tolist() == ["a", "b", "c"]
    assert queue["responded_at"].isna().all()
    blank = responses("csat", [3, 1], dates=[pd.NaT, pd.NaT])
    assert followup_queue(blank, as_of="2024-03-01")["days_open"].isna().all()


def test_responded_at_must_hold_dates():
    data = responses("csat", [1]).assign(responded_at=["2024-03-01"])
    with pytest.raises(DataError, match="responded_at must hold dates.*pandas.to_datetime"):
        followup_queue(data)


# --- days open and as_of ---------------------------------------------------------------


def test_days_open_counts_calendar_days_to_as_of():
    dates = ["2024-03-01 09:00", "2024-03-09 23:30", "2024-03-10 08:00"]
    queue = followup_queue(responses("csat", [1, 2, 3], dates=dates), as_of="2024-03-10")
    assert queue["days_open"].tolist() == [9, 1, 0]
    assert str(queue["days_open"].dtype) == "Int64"


def test_as_of_accepts_timestamp_and_is_never_the_clock():
    data = responses("csat", [1], dates=["2020-01-01"])
    queue = followup_queue(data, as_of=pd.Timestamp("2020-01-31 12:00"))
    assert queue["days_open"].tolist() == [30]
    assert "days_open" not in followup_queue(data).columns


def test_as_of_before_the_data_names_the_ids():
    data = responses("csat", [1, 2, 5], dates=["2024-03-01", "2024-03-05", "2024-03-06"])
    with pytest.raises(DataError, match=r"2 response\(s\) are dated after as_of.*'r2', 'r3'.*later as_of"):
        followup_queue(data, as_of="2024-03-04")


def test_as_of_with_time_checks_the_moment():
    data = responses("csat", [1], dates=["2024-03-04 15:00"])
    with pytest.raises(DataError, match="after as_of"):
        followup_queue(data, as_of="2024-03-04 09:00")


def test_unreadable_as_of():
    with pytest.raises(ParameterError, match="as_of must be a date"):
        followup_queue(responses("csat", [1]), as_of="next tuesday")


def test_time_zones():
    data = responses("csat", [1], dates=["2024-03-01 10:00"])
    data["responded_at"] = data["responded_at"].dt.tz_localize("Europe/Athens")
    assert followup_queue(data, as_of="2024-03-03")["days_open"].tolist() == [2]
    naive = responses("csat", [1])
    with pytest.raises(ParameterError, match="as_of=.* has a time zone"):
        followup_queue(naive, as_of=pd.Timestamp("2024-03-03", tz="UTC"))


# --- errors on the inputs ----------------------------------------------------------------


@pytest.mark.parametrize("column", ["response_id", "survey", "score"])
def test_missing_required_column(column):
    data = responses("csat", [1]).drop(columns=column)
    with pytest.raises(MissingColumnError, match=rf"missing: '{column}'.*load_responses"):
        followup_queue(data)


def test_missing_extra_column():
    with pytest.raises(MissingColumnError, match=r"columns= asks for 'segment'"):
        followup_queue(responses("csat", [1]), columns=["segment"])


@pytest.mark.parametrize("surveys", [("csat", "promoters"), ["NPS"], ()])
def test_unknown_survey(surveys):
    with pytest.raises(ParameterError, match=r"surveys must name survey types from csat, nps"):
        followup_queue(responses("csat", [1]), surveys=surveys)


def test_not_a_frame():
    with pytest.raises(ParameterError, match="needs a pandas DataFrame"):
        followup_queue([{"score": 1}])


# --- the input is never changed -------------------------------------------------------------


def test_input_frame_unchanged():
    data = mixed()
    data.index = [10, 10, 3, 2, 1, 0]  # duplicate, unsorted labels
    before = data.copy()
    queue = followup_queue(data, as_of="2024-03-10", columns=["region"])
    followup_summary(queue)
    pdt.assert_frame_equal(data, before)
    queue["comment"] = "changed"
    pdt.assert_frame_equal(data, before)


def test_neutralise_does_not_change_input():
    data = mixed()
    before = data.copy()
    neutralise_formulas(data)
    pdt.assert_frame_equal(data, before)


# --- summary ----------------------------------------------------------------------------------


def test_followup_summary_counts_and_oldest():
    summary = followup_summary(followup_queue(mixed(), as_of="2024-03-10"))
    assert list(summary.columns) == ["survey", "category", "n", "oldest", "max_days_open"]
    assert summary[["survey", "category", "n"]].values.tolist() == [
        ["csat", "not satisfied", 2],
        ["nps", "detractor", 2],
    ]
    assert summary["oldest"].tolist() == [pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-02")]
    assert summary["max_days_open"].tolist() == [9, 8]


def test_followup_summary_orders_categories_worst_first():
    queue = followup_queue(responses("csat", [5, 4, 1]), csat_max=5)
    summary = followup_summary(queue)
    assert summary["category"].tolist() == ["not satisfied", "satisfied"]
    assert summary["n"].tolist() == [1, 2]
    assert "max_days_open" not in summary.columns


def test_followup_summary_of_empty_queue():
    summary = followup_summary(followup_queue(responses("csat", [5])))
    assert summary.empty
    assert list(summary.columns) == ["survey", "category", "n", "oldest"]


def test_followup_summary_needs_a_queue():
    with pytest.raises(MissingColumnError, match="missing: 'category'"):
        followup_summary(responses("csat", [1]))


# --- safe CSV ----------------------------------------------------------------------------------


def risky_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "comment": [
                "=SUM(A1)", "-- not happy", "@support", "+1 555", "\tindent",
                "\rreturn", "fine - really", "Πολύ κακή εξυπηρέτηση", "客服太慢", "บริการแย่มาก",
            ],
            "score": [-5, 1, 2, 3, 4, 5, 6, 7, 8, 9],
            "mixed": ["=1+1", 3, None, "ok", "'=already", "a", "b", "c", "d", "e"],
            "=HYPERLINK(\"x\")": ["x"] * 10,
        }
    )


def test_neutralise_formulas():
    out = neutralise_formulas(risky_frame())
    assert out["comment"].tolist()[:7] == [
        "'=SUM(A1)", "'-- not happy", "'@support", "'+1 555", "'\tindent", "'\rreturn", "fine - really",
    ]
    assert out["score"].tolist()[0] == -5
    assert out["score"].dtype == risky_frame()["score"].dtype
    assert out["mixed"].tolist()[:5] == ["'=1+1", 3, None, "ok", "'=already"]
    assert list(out.columns)[-1] == "'=HYPERLINK(\"x\")"


def test_neutralise_categorical_and_index():
    frame = pd.DataFrame(
        {"agent": pd.Categorical(["=evil", "ann", "=evil"])}, index=pd.Index(["@a", "b", "c"])
    )
    out = neutralise_formulas(frame)
    assert out["agent"].tolist() == ["'=evil", "ann", "'=evil"]
    assert isinstance(out["agent"].dtype, pd.CategoricalDtype)
    assert out.index.tolist() == ["'@a", "b", "c"]
    clash = pd.DataFrame({"agent": pd.Categorical(["=x", "'=x"])})
    assert neutralise_formulas(clash)["agent"].tolist() == ["'=x", "'=x"]


def test_to_safe_csv_round_trip(tmp_path):
    frame = risky_frame()
    before = frame.copy()
    path = to_safe_csv(frame, tmp_path / "queue.csv")
    assert path == tmp_path / "queue.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert not raw[3:].startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)
    assert list(back.columns) == ["comment", "score", "mixed", "'=HYPERLINK(\"x\")"]
    comments = back["comment"].tolist()
    assert comments[0] == "'=SUM(A1)"
    assert comments[1] == "'-- not happy"
    assert comments[2] == "'@support"
    assert comments[3] == "'+1 555"
    assert comments[4:6] == ["'\tindent", "'\rreturn"]  # a CR stays inside its cell
    assert comments[6] == "fine - really"
    assert comments[7:] == ["Πολύ κακή εξυπηρέτηση", "客服太慢", "บริการแย่มาก"]
    assert back["score"].tolist()[0] == -5
    assert len(back) == len(frame) and len(back.columns) == 4  # no index column
    assert back["mixed"].tolist()[:5] == ["'=1+1", "3", "", "ok", "'=already"]
    pdt.assert_frame_equal(frame, before)


def test_to_safe_csv_of_a_queue(tmp_path):
    queue = followup_queue(mixed(), as_of="2024-03-10")
    path = to_safe_csv(queue, str(tmp_path / "q.csv"))
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back["comment"].tolist() == ["'=SUM(A1)", "很慢", "Πολύ κακό", "slow"]
    assert back["days_open"].tolist() == [9, 8, 7, 5]


def test_to_safe_csv_needs_a_path():
    with pytest.raises(ParameterError, match="path must be a file path"):
        to_safe_csv(risky_frame(), 42)
