"""Alert rules (issue 14): the grammar, its errors, evaluation, and the false-alert rate."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from csat_toolkit.core.scales import get_scale
from csat_toolkit.errors import ParameterError
from csat_toolkit.report.alerts import (SIMULATION_RULES, evaluate_alerts, no_change_responses,
                                        parse_rules, simulate_false_alerts, write_alerts)
from csat_toolkit.report.changes import compare_records
from csat_toolkit.report.record import definitions, read_json, response_figures


def test_rules_parse_with_names_and_defaults():
    rules = parse_rules([
        {"metric": "nps", "drops": "significant"},
        {"metric": "csat", "below": 80, "by": "channel"},
        {"metric": "sla", "below": 95, "by": ["channel", "priority"], "period": "window"},
        {"metric": "ces", "rises": True, "against": "year ago", "min_n": 50, "name": "CES up"},
        {"set_aside_above": 2},
    ])
    assert [r.name for r in rules] == ["nps drops significant", "csat below 80 by channel",
                                       "sla below 95 by channel, priority", "CES up",
                                       "set aside above 2%"]
    assert rules[0].against == "previous run" and rules[0].by is None
    assert rules[2].metrics == ("sla_first_response", "sla_resolution")
    assert rules[3].against == "year ago" and rules[3].min_n == 50
    assert parse_rules(None) == []


@pytest.mark.parametrize("rules, message", [
    ({"metric": "nps"}, "the config's alerts should be a list of rules"),
    (["nps drops"], "Alert rule 1 of the config's alerts ('nps drops'): a rule is a mapping"),
    ([{"metric": "nps", "drop": "significant"}], "unknown key 'drop' (did you mean 'drops'?)"),
    ([{"metric": "nps"}], "give exactly one condition of drops, rises, changes, below, above, "
                          "set_aside_above (found none)"),
    ([{"metric": "nps", "drops": "significant", "below": 10}], "(found drops, below)"),
    ([{"set_aside_above": 2, "by": "channel"}], "set_aside_above is a rule of its own"),
    ([{"set_aside_above": 120}], "set_aside_above is a percentage of the rows read, 0 to 100"),
    ([{"metric": "nsp", "drops": "significant"}], "got 'nsp' (did you mean 'nps'?)"),
    ([{"metric": "nps", "drops": "a lot"}], "drops takes 'significant'"),
    ([{"metric": "nps", "drops": "significant", "period": "window"}], "period goes with below/above"),
    ([{"metric": "csat", "below": 80, "against": "year ago"}], "against goes with drops/rises/changes"),
    ([{"metric": "csat", "drops": "significant", "against": "last week"}],
     "against should be 'previous run', 'year ago' or 'any'; got 'last week'"),
    ([{"metric": "csat", "below": 80, "period": "month"}], "period should be 'latest'"),
    ([{"metric": "csat", "below": 80, "by": 3}], "by should be a segment column"),
    ([{"metric": "csat", "below": 80, "min_n": 0}], "min_n should be a whole number"),
    ([{"metric": "csat", "below": "80%"}], "below should be a number (e.g. below: 80); got '80%'"),
    ([{"metric": "csat", "below": 80, "name": 3}], "name should be text"),
])
def test_rule_errors_name_the_rule_and_the_problem(rules, message):
    with pytest.raises(ParameterError) as caught:
        parse_rules(rules)
    assert message in str(caught.value)
    if isinstance(rules, list) and isinstance(rules[0], dict):
        assert str(caught.value).startswith("Alert rule 1 of the config's alerts ({")


def _figure(metric, segment, level, period, n, estimate, low, high):
    return {"metric": metric, "segment": segment, "level": level, "period": period, "n": n,
            "estimate": estimate, "ci_low": low, "ci_high": high}


RECORD = {"data": {"rows_read": 1000, "set_aside": {"missing score": 15, "duplicate": 10},
                   "min_n": 30, "period": "M"},
          "figures": [
              _figure("csat", "all", "all", "2024-04", 500, 82.0, 78.4, 85.1),
              _figure("csat", "all", "all", "2024-05", 400, 79.0, 74.7, 82.7),
              _figure("csat", "channel", "chat", "2024-05", 300, 72.0, 66.7, 76.8),
              _figure("csat", "channel", "sms", "2024-05", 12, 20.0, 6.0, 49.0),
              _figure("csat", "all", "all", "all", 900, 80.7, 78.0, 83.1),
              _figure("sla_first_response", "all", "all", "all", 2000, 96.0, 95.1, 96.8),
              _figure("sla_first_response", "channel", "email", "all", 800, 90.0, 87.7, 91.9),
          ]}


def _fired(rule, record=RECORD, changes=None):
    result = evaluate_alerts(parse_rules([rule]), record, changes).results[0]
    return result


def test_below_fires_only_when_the_whole_interval_is_below():
    # Overall CSAT 79.0% (74.7 to 82.7) is below 80 but its interval is not.
    assert not _fired({"metric": "csat", "below": 80}).fired
    chat = _fired({"metric": "csat", "below": 80, "by": "channel"})
    assert chat.fired and [h["level"] for h in chat.hits] == ["chat"]
    # sms (12 answers, whole interval below 80) is a small group: held back, never fires.
    assert chat.held_back == 1
    assert chat.sentence == ("csat below 80 by channel: fired on channel chat (72.0, 95% CI 66.7 "
                             "to 76.8, n=300, 2024-05) (1 group under 30 answers not checked).")
    assert _fired({"metric": "csat", "below": 90, "by": "channel", "min_n": 5}).hits[-1]["level"] == "sms"


def test_above_the_latest_period_and_the_window():
    assert not _fired({"metric": "csat", "above": 77}).fired  # latest: 74.7 to 82.7
    assert _fired({"metric": "csat", "above": 77, "period": "window"}).fired  # 78.0 to 83.1


def test_sla_below_target_in_any_channel():
    result = _fired({"metric": "sla", "below": 95, "by": "channel"})
    assert result.fired and result.hits[0]["level"] == "email"
    assert not _fired({"metric": "sla", "below": 95}).fired  # overall 95.1 to 96.8


def test_set_aside_above():
    result = _fired({"set_aside_above": 2})
    assert result.fired and result.hits[0]["share"] == pytest.approx(2.5)
    assert result.sentence == "set aside above 2%: fired (25 of 1,000 rows read set aside, 2.50%)."
    assert not _fired({"set_aside_above": 3}).fired


def test_absent_metrics_do_not_fire_and_say_so():
    result = _fired({"metric": "nps", "below": 0})
    assert not result.fired and result.sentence == "nps below 0: no nps figures in this run."
    assert _fired({"metric": "nps", "drops": "significant"}).sentence == (
        "nps drops significant: no comparisons in this run.")


SCALES = {"csat": get_scale("csat_5")}


def _record(run_id, data):
    data = data.reset_index(drop=True)
    return {"run_id": run_id, "figures": response_figures(data, scales=SCALES, segments=["channel"]),
            "data": {"definitions": definitions(SCALES), "period": "M", "reading": {},
                     "conf": 0.95, "min_n": 30}}


def _csat(month, channel, satisfied, n):
    return pd.DataFrame({"survey": "csat", "score": [5] * satisfied + [2] * (n - satisfied),
                         "channel": channel, "responded_at": pd.Timestamp(f"{month}-10")})


@pytest.fixture(scope="module")
def drop_in_chat():
    april = [_csat("2024-04", "chat", 336, 400), _csat("2024-04", "email", 288, 400),
             _csat("2024-04", "sms", 18, 20)]
    may = [_csat("2024-05", "chat", 240, 400), _csat("2024-05", "email", 296, 400),
           _csat("2024-05", "sms", 2, 20)]
    before, now = _record("r1", pd.concat(april)), _record("r2", pd.concat(april + may))
    return now, compare_records(now, before)


def test_drops_fire_on_a_significant_drop_only(drop_in_chat):
    now, changes = drop_in_chat
    result = _fired({"metric": "csat", "drops": "significant", "by": "channel"}, now, changes)
    assert result.fired and [h["level"] for h in result.hits] == ["chat"]
    # sms fell from 90% to 10% but has 20 answers: never significant, never an alert.
    assert result.held_back == 1
    assert result.hits[0]["difference"] == pytest.approx(-24.0)
    assert not _fired({"metric": "csat", "rises": "significant", "by": "channel"}, now, changes).fired
    assert _fired({"metric": "csat", "changes": "significant", "by": "any"}, now, changes).fired
    # Overall (67.0% against 78.0%) dropped too.
    assert _fired({"metric": "csat", "drops": "significant"}, now, changes).fired
    # No year-ago data: a year-ago rule finds nothing comparable and does not fire.
    assert not _fired({"metric": "csat", "drops": "significant", "against": "year ago"},
                      now, changes).fired
    # A rule's own min_n above the group's answers holds it back.
    assert not _fired({"metric": "csat", "drops": "significant", "by": "channel", "min_n": 500},
                      now, changes).fired


def test_alerts_json(drop_in_chat, tmp_path):
    now, changes = drop_in_chat
    alerts = evaluate_alerts(parse_rules([{"metric": "csat", "drops": "significant", "by": "channel"},
                                          {"set_aside_above": 2}]), now, changes)
    assert alerts.summary() == "1 of 2 alert rules fired: csat drops significant by channel."
    saved = read_json(write_alerts(alerts, tmp_path))
    assert saved["any_fired"] is True and saved["fired"] == ["csat drops significant by channel"]
    assert saved["results"][0]["hits"][0]["level"] == "chat"
    assert saved["results"][1]["sentence"] == "set aside above 2%: no rows read in this run."


def test_no_change_data_has_fixed_rates():
    rng = np.random.default_rng(5)
    data = no_change_responses(rng, [str(p) for p in pd.period_range("2024-01", periods=12, freq="M")],
                               per_month=2000)
    csat = data[data["survey"] == "csat"]
    shares = (csat["score"] >= 4).groupby(csat["channel"]).mean()
    assert shares.to_dict() == pytest.approx({"chat": 0.84, "email": 0.72, "phone": 0.80}, abs=0.01)
    nps = data[data["survey"] == "nps"]
    assert (nps["score"] >= 9).mean() == pytest.approx(0.40, abs=0.01)
    assert (nps["score"] <= 6).mean() == pytest.approx(0.25, abs=0.01)


def test_the_simulation_is_seeded():
    first = simulate_false_alerts(runs=3, seed=11, per_month=300)
    assert simulate_false_alerts(runs=3, seed=11, per_month=300) == first
    assert first["comparisons"] == 16  # (overall + 3 channels) x 2 comparisons x 2 metrics
    assert first["rules"] == ["{metric: csat, changes: significant, by: any, against: any}",
                              "{metric: nps, changes: significant, by: any, against: any}"]


#: The nominal rate: Holm keeps the chance of any false significant change in a run at
#: most alpha = 0.05, whatever the dependence between the run's 16 tests.
ALPHA = 0.05
RUNS = 100


@pytest.mark.slow
@pytest.mark.xdist_group("alerts-simulation")
def test_false_alert_rate_on_no_change_data_is_at_most_alpha():
    """100 simulated reruns at fixed rates; the broadest rules (any significant change of
    CSAT or NPS, overall or in any channel, against the previous run or a year before).

    The tolerance is the sampling error of a rate measured on 100 runs: 2 standard errors
    of a binomial proportion at alpha, 2 * sqrt(0.05 * 0.95 / 100) = 0.044. A rate above
    0.094 would be evidence (at about 2.5%, one-sided) that the alerts fire more often
    than the nominal 5%. (200 and 1,000 reruns, measured with the same function, are in
    the README: 7.5% and 6.0%; the suite runs 100 to stay fast.)
    """
    out = simulate_false_alerts(SIMULATION_RULES, runs=RUNS, seed=2024)
    tolerance = 2 * math.sqrt(ALPHA * (1 - ALPHA) / RUNS)
    assert out["runs"] == RUNS and out["comparisons"] == 16
    assert out["rate"] <= ALPHA + tolerance, out
    assert out["fired"] == 8  # the figure stated in the README (seed 2024): 8.0%
