"""What changed between runs (issue 14): tests, correction, verdicts, data quality."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from csat_toolkit.core import stats
from csat_toolkit.core.scales import get_scale
from csat_toolkit.errors import ParameterError
from csat_toolkit.report.changes import (NOISE, NOT_COMPARABLE, PREVIOUS_RUN, SIGNIFICANT,
                                         YEAR_AGO, compare_records, comparability,
                                         data_quality_changes, describe_change, write_changes)
from csat_toolkit.report.record import definitions, period_hashes, read_json, response_figures

SCALES = {"csat": get_scale("csat_5"), "nps": get_scale("nps"), "ces": get_scale("ces_7")}


def _rows(month: str, survey: str, scores: list, channel: str = "chat") -> pd.DataFrame:
    return pd.DataFrame({"survey": survey, "score": scores, "channel": channel,
                         "responded_at": pd.Timestamp(f"{month}-15 12:00")})


def _csat(month: str, satisfied: int, n: int, channel: str = "chat") -> pd.DataFrame:
    return _rows(month, "csat", [5] * satisfied + [2] * (n - satisfied), channel)


def _record(run_id: str, data: pd.DataFrame, *, scales=None, period="M", reading=None,
            min_n=30, segments=("channel",)) -> dict:
    scales = scales or {s: SCALES[s] for s in data["survey"].unique()}
    data = data.reset_index(drop=True)
    data.insert(0, "response_id", np.arange(len(data)))
    return {"run_id": run_id,
            "figures": response_figures(data, scales=scales, segments=list(segments),
                                        period=period, min_n=min_n),
            "data": {"definitions": definitions(scales), "period": period,
                     "reading": reading or {}, "conf": 0.95, "min_n": min_n,
                     "period_hashes": period_hashes(data, period)}}


def _row(changes, comparison, segment="all", level="all", metric="csat"):
    t = changes.table
    found = t[(t["comparison"] == comparison) & (t["segment"] == segment)
              & (t["level"] == level) & (t["metric"] == metric)]
    assert len(found) == 1, t
    return found.iloc[0]


def test_a_drop_against_the_previous_run_is_the_two_proportion_test_by_hand():
    before = _record("r1", _csat("2024-04", 320, 400))
    now = _record("r2", pd.concat([_csat("2024-04", 320, 400), _csat("2024-05", 240, 400)]))
    row = _row(compare_records(now, before), PREVIOUS_RUN)
    # 240/400 = 60% against 320/400 = 80%: pooled 70%, se = sqrt(.7 * .3 * 2/400).
    se = math.sqrt(0.7 * 0.3 * (2 / 400))
    assert row["difference"] == pytest.approx(-20.0)
    assert row["statistic"] == pytest.approx(-0.2 / se)  # -6.172
    assert row["statistic"] == pytest.approx(-6.1721, abs=1e-4)
    assert (row["period"], row["reference_period"], row["reference_run"]) == ("2024-05", "2024-04", "r1")
    assert row["verdict"] == SIGNIFICANT and row["direction"] == "down"
    assert row["test"].startswith("two-proportion z test")


def test_nps_and_means_use_the_nps_difference_and_welch_tests():
    nps_before = _rows("2024-04", "nps", [10] * 50 + [8] * 30 + [3] * 20)
    nps_now = _rows("2024-05", "nps", [10] * 40 + [8] * 30 + [3] * 30)
    ces_before = _rows("2024-04", "ces", [7] * 30 + [5] * 30 + [2] * 40)
    ces_now = _rows("2024-05", "ces", [7] * 20 + [5] * 30 + [2] * 50)
    before = _record("r1", pd.concat([nps_before, ces_before]))
    now = _record("r2", pd.concat([nps_before, ces_before, nps_now, ces_now]))
    changes = compare_records(now, before)
    nps = _row(changes, PREVIOUS_RUN, metric="nps")
    expected = stats.nps_difference_test(40, 30, 30, 50, 30, 20)
    assert nps["difference"] == pytest.approx(-20.0)  # NPS 10 against 30
    assert nps["statistic"] == pytest.approx(expected.statistic)
    assert nps["p_value"] == pytest.approx(expected.p_value)
    ces = _row(changes, PREVIOUS_RUN, metric="ces")
    now_scores = np.array([7] * 20 + [5] * 30 + [2] * 50, dtype=float)
    old_scores = np.array([7] * 30 + [5] * 30 + [2] * 40, dtype=float)
    welch = stats.welch_test(now_scores.mean(), now_scores.std(ddof=1), 100,
                             old_scores.mean(), old_scores.std(ddof=1), 100)
    assert ces["difference"] == pytest.approx(now_scores.mean() - old_scores.mean())
    assert ces["statistic"] == pytest.approx(welch.statistic)
    assert ces["test"].startswith("Welch")


def test_the_year_ago_comparison_uses_this_runs_own_data():
    data = pd.concat([_csat("2023-05", 200, 250), _csat("2024-05", 150, 250)])
    changes = compare_records(_record("r1", data), None)
    row = _row(changes, YEAR_AGO)
    assert (row["period"], row["reference_period"], row["reference_run"]) == ("2024-05", "2023-05", "r1")
    assert row["estimate"] == pytest.approx(60.0) and row["ref_estimate"] == pytest.approx(80.0)
    assert row["verdict"] == SIGNIFICANT
    assert "No earlier complete run" in changes.notes[0]
    assert set(changes.table["comparison"]) == {YEAR_AGO}


def test_every_comparison_of_the_run_is_one_holm_family():
    months = ["2023-05", "2024-04", "2024-05"]
    parts = []
    for channel, rates in (("chat", (0.8, 0.8, 0.74)), ("email", (0.7, 0.7, 0.66)),
                           ("phone", (0.75, 0.75, 0.8))):
        parts += [_csat(m, int(400 * r), 400, channel) for m, r in zip(months, rates)]
    data = pd.concat(parts)
    before = _record("r1", data[data["responded_at"] < "2024-05-01"])
    changes = compare_records(_record("r2", data), before)
    tested = changes.table[changes.table["verdict"] != NOT_COMPARABLE]
    assert len(tested) == 8  # (overall + 3 channels) x (previous run, year ago)
    expected = stats.adjust_pvalues(tested["p_value"].to_numpy(), "holm")
    assert tested["p_adjusted"].to_numpy() == pytest.approx(expected)
    assert (tested["correction"] == "Holm").all()
    # Significant exactly where the corrected p is below 0.05 (none is small here).
    assert (tested["significant"] == (tested["p_adjusted"] < 0.05)).all()


def test_small_groups_are_never_significant():
    before = _record("r1", pd.concat([_csat("2024-04", 20, 20), _csat("2024-04", 300, 400, "email")]))
    now = _record("r2", pd.concat([_csat("2024-04", 20, 20), _csat("2024-04", 300, 400, "email"),
                                   _csat("2024-05", 0, 20), _csat("2024-05", 300, 400, "email")]))
    row = _row(compare_records(now, before), PREVIOUS_RUN, "channel", "chat")
    assert row["difference"] == pytest.approx(-100.0) and row["p_value"] < 1e-6
    assert row["verdict"] == NOISE and bool(row["small_n"])
    assert row["reason"] == "fewer than 30 answers on one side: never called significant"


INFO = {"definitions": {"csat": "csat_5"}, "period": "M", "reading": {}}


@pytest.mark.parametrize("previous, periods, reason", [
    ({**INFO, "definitions": {"csat": "csat_7"}}, ("2024-05", "2024-04"),
     "definitions differ: csat_7 in the previous run, csat_5 now"),
    ({**INFO, "period": "W"}, ("2024-05", "2024-04"),
     "parameters differ: period W in the previous run, M now"),
    ({**INFO, "reading": {"columns": {"Rating": "score"}}}, ("2024-05", "2024-04"),
     "parameters differ: columns changed since the previous run"),
    (INFO, ("2024-05", "2024-05"),
     "same period (2024-05) as the previous run: its answers overlap with this run"),
    (INFO, ("2024-04", "2024-05"), "data window moved back: the previous run's latest "
                                   "period was 2024-05, this run's is 2024-04"),
    (INFO, ("2024-05", None), "no CSAT (% satisfied) figures in the previous run"),
    (INFO, ("all", "all"), "figures cover each run's whole data window (no periods), and "
                           "the two windows overlap"),
])
def test_not_comparable_says_why(previous, periods, reason):
    assert comparability("csat", INFO, previous, *periods) == reason


def test_whole_window_figures_compare_when_the_windows_do_not_overlap():
    a = {**INFO, "window": {"start": "2024-01-01", "end": "2024-01-31"}}
    b = {**INFO, "window": {"start": "2024-02-01", "end": "2024-02-29"}}
    assert comparability("sla_first_response", b, a, "all", "all") is None


def test_not_comparable_rows_keep_their_figures_and_reason():
    before = _record("r1", _csat("2024-04", 320, 400), scales={"csat": get_scale("csat_5")})
    now_data = _rows("2024-05", "csat", [7] * 300 + [2] * 100)
    now = _record("r2", now_data, scales={"csat": get_scale("csat_7")})
    row = _row(compare_records(now, before), PREVIOUS_RUN)
    assert row["verdict"] == NOT_COMPARABLE and row["n"] == 400
    assert row["reason"].startswith("definitions differ: csat_5: points 1-5")
    assert row["estimate"] == pytest.approx(75.0) and math.isnan(row["p_value"])


def test_a_new_level_and_a_missing_year_are_not_comparable_with_a_reason():
    before = _record("r1", _csat("2024-04", 320, 400))
    now = _record("r2", pd.concat([_csat("2024-04", 320, 400), _csat("2024-05", 240, 400),
                                   _csat("2024-05", 30, 40, "sms")]))
    changes = compare_records(now, before)
    sms = _row(changes, PREVIOUS_RUN, "channel", "sms")
    assert sms["verdict"] == NOT_COMPARABLE
    assert sms["reason"] == "no answers of this level in the previous run's 2024-04"
    year = _row(changes, YEAR_AGO)
    assert year["reason"] == "no answers in 2023-05 (a year before 2024-05) in this run's data"


def test_summary_json_and_sentences():
    before = _record("r1", _csat("2024-04", 320, 400))
    now = _record("r2", pd.concat([_csat("2024-04", 320, 400), _csat("2024-05", 240, 400)]))
    changes = compare_records(now, before)
    assert changes.summary().startswith("2 comparisons (Holm correction across all of them): "
                                        "1 significant change, 0 within noise, 1 not comparable.")
    row = _row(changes, PREVIOUS_RUN)
    assert describe_change(row).startswith("CSAT (% satisfied): 80.0 in 2024-04 -> 60.0 in "
                                           "2024-05 (change -20.0, 95% CI")
    text = json.dumps(changes.to_dict(), allow_nan=False)  # strict JSON
    assert json.loads(text)["significant"] == 1


def test_write_changes_writes_strict_json(tmp_path):
    before = _record("r1", _csat("2024-04", 320, 400))
    now = _record("r2", pd.concat([_csat("2024-04", 320, 400), _csat("2024-05", 240, 400)]))
    path = write_changes(compare_records(now, before), tmp_path)
    saved = read_json(path)
    assert saved["previous_run"] == "r1" and saved["current_run"] == "r2"
    assert len(saved["changes"]) == 2 and saved["compared"] == 1


def test_unknown_correction_is_an_error():
    with pytest.raises(ParameterError, match="Unknown correction 'bonferoni'"):
        compare_records({"figures": []}, None, correction="bonferoni")


def _quality(data: dict) -> dict:
    return {"data": data}


def test_data_quality_lists_rows_set_aside_levels_and_restated_periods():
    before = _quality({"rows_read": 1000, "set_aside": {"missing score": 10, "duplicate response_id": 5},
                       "segments": {"channel": {"levels": ["chat", "email"]},
                                    "region": {"levels": ["EU"]}},
                       "period": "M",
                       "period_hashes": {"2024-03": {"rows": 300, "sha256": "a"},
                                         "2024-04": {"rows": 300, "sha256": "b"},
                                         "2024-05": {"rows": 100, "sha256": "c"}}})
    now = _quality({"rows_read": 1250, "set_aside": {"missing score": 50, "score outside the scale": 3},
                    "segments": {"channel": {"levels": ["chat", "sms"]}},
                    "period": "M",
                    "period_hashes": {"2024-03": {"rows": 300, "sha256": "a"},
                                      "2024-04": {"rows": 290, "sha256": "x"},
                                      "2024-05": {"rows": 400, "sha256": "y"},
                                      "2024-06": {"rows": 250, "sha256": "z"}}})
    items = data_quality_changes(now, before)
    kinds = [(i["kind"], i.get("status") or i.get("period") or i.get("segment")) for i in items]
    assert kinds == [("rows read", None), ("set aside", "vanished"), ("set aside", "changed"),
                     ("set aside", "appeared"), ("level appeared", "channel"),
                     ("level vanished", "channel"), ("segment column", "vanished"),
                     ("restated period", "2024-04")]
    missing = items[2]
    assert missing["previous_share"] == pytest.approx(1.0) and missing["current_share"] == pytest.approx(4.0)
    assert items[0]["change"] == 250
    assert items[-1]["sentence"] == ("2024-04 was restated: the previous run reported 300 rows, "
                                     "this run read 290 with different contents.")
    # 2024-05 was the previous run's latest period and grew: new answers, not a restatement.


def test_the_previous_latest_period_that_lost_rows_is_restated():
    before = _quality({"period": "M", "period_hashes": {"2024-05": {"rows": 100, "sha256": "c"}}})
    now = _quality({"period": "M", "period_hashes": {"2024-05": {"rows": 90, "sha256": "d"}}})
    assert [i["kind"] for i in data_quality_changes(now, before)] == ["rows read", "restated period"]


def test_changed_input_files_are_listed():
    before = {"data": {"rows_read": 1}, "inputs_sha256": {"/d/r.csv": "a", "/d/t.csv": "b"}}
    now = {"data": {"rows_read": 1}, "inputs_sha256": {"/d/r.csv": "c", "/d/t.csv": "b"}}
    items = data_quality_changes(now, before)
    assert items[-1] == {"kind": "input changed", "path": "/d/r.csv",
                         "sentence": "Input r.csv changed since the previous run (its SHA-256 differs)."}


def test_a_restated_month_changes_its_hash_and_nothing_else_does():
    data = pd.concat([_csat("2024-04", 320, 400), _csat("2024-05", 240, 400)]).reset_index(drop=True)
    data.insert(0, "response_id", np.arange(len(data)))
    hashes = period_hashes(data, "M")
    shuffled = data.sample(frac=1, random_state=1)
    assert period_hashes(shuffled, "M") == hashes
    restated = data.copy()
    restated.loc[3, "score"] = 2  # one April answer corrected
    changed = period_hashes(restated, "M")
    assert changed["2024-05"] == hashes["2024-05"]
    assert changed["2024-04"]["sha256"] != hashes["2024-04"]["sha256"]
