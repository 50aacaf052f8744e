"""Tests of the seeded sample-data generator, ``csat_toolkit.sample``.

Most tests use a fresh ``make_sample()`` (the default seed); one test checks that the
committed files in ``data/sample`` equal a fresh ``write_sample`` with the defaults.
"""
from __future__ import annotations

import pathlib
import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from csat_toolkit import sample
from csat_toolkit.errors import ParameterError
from csat_toolkit.sample import make_sample, write_sample

REPO = pathlib.Path(__file__).resolve().parents[1]
COMMITTED = REPO / "data" / "sample"
START, END = pd.Timestamp("2023-01-01"), pd.Timestamp("2025-01-01")
INCIDENT = pd.Period("2024-03", "M")
SMALL = {"n_customers": 300, "months": 18}
COLUMNS = {
    "responses": ["response_id", "responded_at", "survey", "score", "customer_id",
                  "ticket_id", "channel", "agent", "team", "region", "industry",
                  "product", "comment"],
    "tickets": ["ticket_id", "created_at", "first_response_at", "resolved_at", "channel",
                "priority", "agent", "team", "region", "customer_id", "contacts",
                "handle_time", "reopened"],
    "revenue": ["customer_id", "period", "revenue"],
    "customers": ["customer_id", "account_id", "industry", "region", "segment", "plan",
                  "signed_up_at", "churned_at"],
    "volume": ["date", "channel", "kind", "contacts"],
}


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return make_sample()


@pytest.fixture(scope="module")
def csat(frames) -> pd.DataFrame:
    """CSAT answers joined to their tickets, with ``sat`` and the first-response bucket."""
    r, t = frames["responses"], frames["tickets"]
    out = r[r["survey"] == "csat"].merge(
        t[["ticket_id", "created_at", "first_response_at", "contacts", "reopened"]],
        on="ticket_id", validate="one_to_one")
    minutes = (out["first_response_at"] - out["created_at"]).dt.total_seconds() / 60
    return out.assign(
        sat=(out["score"].astype(int) >= 4).astype(int),
        bucket=pd.cut(minutes, [-1, 60, 240, 1440, np.inf], labels=list("abcd")).astype(str),
        month=out["responded_at"].dt.to_period("M"),
    )


@pytest.fixture(scope="module")
def nps(frames) -> pd.DataFrame:
    r = frames["responses"]
    out = r[r["survey"] == "nps"].copy()
    score = out["score"].astype(int)
    return out.assign(score=score, wave=out["responded_at"].dt.to_period("M"),
                      category=np.select([score >= 9, score >= 7], ["P", "Pa"], "D"))


def _nps_value(score: pd.Series) -> float:
    return 100 * ((score >= 9).mean() - (score <= 6).mean())


# --- determinism and files --------------------------------------------------------
def test_same_seed_gives_same_frames():
    a, b = make_sample(seed=11, **SMALL), make_sample(seed=11, **SMALL)
    assert list(a) == list(sample.FRAMES)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])


def test_different_seed_gives_different_frames():
    a, b = make_sample(seed=11, **SMALL), make_sample(seed=12, **SMALL)
    for name in ("responses", "tickets", "revenue", "volume"):
        assert not a[name].equals(b[name])


def test_write_sample_is_byte_identical(tmp_path):
    first = write_sample(tmp_path / "a", seed=5, **SMALL)
    second = write_sample(tmp_path / "b", seed=5, **SMALL)
    other = write_sample(tmp_path / "c", seed=6, **SMALL)
    assert sorted(first) == sorted(sample.FRAMES)
    for name, path in first.items():
        assert path == tmp_path / "a" / f"{name}.csv"
        assert path.read_bytes() == second[name].read_bytes()
    assert first["tickets"].read_bytes() != other["tickets"].read_bytes()


def test_committed_files_equal_fresh_default(tmp_path):
    fresh = write_sample(tmp_path)
    assert sorted(p.name for p in COMMITTED.glob("*.csv")) == sorted(
        p.name for p in fresh.values())
    for path in fresh.values():
        assert (COMMITTED / path.name).read_bytes() == path.read_bytes(), (
            f"data/sample/{path.name} is stale: regenerate it with "
            "csat_toolkit.sample.write_sample('data/sample')")


def test_sample_folder_is_at_most_10_mb(tmp_path):
    fresh = write_sample(tmp_path)
    assert sum(p.stat().st_size for p in fresh.values()) <= 10 * 2**20
    assert sum(p.stat().st_size for p in COMMITTED.iterdir() if p.is_file()) <= 10 * 2**20


def test_csv_format(tmp_path):
    paths = write_sample(tmp_path, seed=3, **SMALL)
    tickets = paths["tickets"].read_text(encoding="utf-8").splitlines()
    assert tickets[0] == ",".join(COLUMNS["tickets"])
    stamp = re.compile(r"^T\d{6},\d{4}-\d\d-\d\d \d\d:\d\d:00,")
    assert all(stamp.match(line) for line in tickets[1:])
    assert b"\r\n" not in paths["responses"].read_bytes()
    volume = pd.read_csv(paths["volume"])
    assert volume["date"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    revenue = pd.read_csv(paths["revenue"], dtype={"period": str})
    assert revenue["period"].str.fullmatch(r"\d{4}-\d\d").all()


def test_invalid_parameters_are_refused():
    with pytest.raises(ParameterError, match="months"):
        make_sample(months=0)
    with pytest.raises(ParameterError, match="n_customers"):
        make_sample(n_customers=3)
    with pytest.raises(ParameterError, match="start"):
        make_sample(start="not a date")


# --- shape and contracts ------------------------------------------------------------
def test_canonical_columns(frames):
    assert sorted(frames) == sorted(COLUMNS)
    for name, columns in COLUMNS.items():
        assert list(frames[name].columns) == columns


def test_row_counts(frames):
    counts = frames["responses"]["survey"].value_counts()
    assert len(frames["responses"]) >= 20_000
    assert counts["csat"] > len(frames["responses"]) / 2
    assert counts["csat"] >= 12_000
    assert 2_000 <= counts["nps"] <= 6_000
    assert 2_000 <= counts["ces"] <= 6_000
    assert 700 <= counts["pmf"] <= 1_500
    assert len(frames["tickets"]) >= 30_000
    assert len(frames["customers"]) == 3000
    assert frames["customers"]["account_id"].nunique() < 1500


def test_date_ranges(frames):
    for name, column in [("responses", "responded_at"), ("tickets", "created_at"),
                         ("tickets", "first_response_at"), ("tickets", "resolved_at")]:
        values = frames[name][column].dropna()
        assert values.min() >= START and values.max() < END, (name, column)
        assert (values.dt.second == 0).all()
    revenue = frames["revenue"]["period"]
    assert revenue.min() == "2023-01" and revenue.max() == "2024-12"
    volume = frames["volume"]["date"]
    assert volume.min() == START and volume.max() == pd.Timestamp("2024-12-31")
    assert frames["responses"]["responded_at"].dt.to_period("M").nunique() == 24


def test_unique_ids(frames):
    assert frames["responses"]["response_id"].is_unique
    assert frames["tickets"]["ticket_id"].is_unique
    assert frames["customers"]["customer_id"].is_unique
    assert not frames["revenue"].duplicated(["customer_id", "period"]).any()
    assert not frames["volume"].duplicated(["date", "channel"]).any()
    assert frames["tickets"]["ticket_id"].str.fullmatch(r"T\d{6}").all()
    assert frames["responses"]["response_id"].str.fullmatch(r"R\d{6}").all()


def test_references(frames):
    r, t, c = frames["responses"], frames["tickets"], frames["customers"]
    transactional = r["survey"].isin(["csat", "ces"])
    assert r.loc[transactional, "ticket_id"].notna().all()
    assert r.loc[~transactional, "ticket_id"].isna().all()
    assert r["ticket_id"].dropna().isin(t["ticket_id"]).all()
    assert not r["ticket_id"].dropna().duplicated().any()
    for frame in (r, t, frames["revenue"]):
        assert frame["customer_id"].isin(c["customer_id"]).all()
    joined = r[transactional].merge(t, on="ticket_id", suffixes=("", "_t"))
    for column in ("customer_id", "channel", "agent", "team", "region"):
        assert (joined[column] == joined[f"{column}_t"]).all(), column
    assert (joined["responded_at"] >= joined["resolved_at"]).all()


def test_ticket_timestamps_are_ordered(frames):
    t = frames["tickets"]
    assert t["created_at"].notna().all()
    responded = t.dropna(subset=["first_response_at"])
    assert (responded["created_at"] <= responded["first_response_at"]).all()
    resolved = t.dropna(subset=["resolved_at"])
    assert resolved["first_response_at"].notna().all()
    assert (resolved["first_response_at"] <= resolved["resolved_at"]).all()
    assert t["created_at"].is_monotonic_increasing


def test_a_few_tickets_are_still_open_near_the_end(frames):
    open_ = frames["tickets"][frames["tickets"]["resolved_at"].isna()]
    assert 0 < len(open_) < 0.01 * len(frames["tickets"])
    assert open_["created_at"].min() >= pd.Timestamp("2024-11-15")


def test_scores_fit_their_scales(frames):
    r = frames["responses"]
    ranges = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}
    for survey, (low, high) in ranges.items():
        scores = r.loc[r["survey"] == survey, "score"].astype(int)
        assert scores.min() == low and scores.max() == high, survey
    pmf = r.loc[r["survey"] == "pmf", "score"]
    assert set(pmf) == set(sample.PMF_ANSWERS)


def test_vocabularies(frames):
    t, c, v = frames["tickets"], frames["customers"], frames["volume"]
    assert set(t["channel"]) == set(sample.CHANNELS)
    assert set(t["priority"]) == {"urgent", "high", "normal", "low"}
    assert set(t["region"]) == {"NA", "EMEA", "APAC", "LATAM"}
    assert t["agent"].nunique() == 25 and 3 <= t["team"].nunique() <= 4
    assert (t.groupby("agent")["team"].nunique() == 1).all()
    assert set(c["segment"]) == {"SMB", "Mid-market", "Enterprise"}
    assert (c.groupby("account_id")[["industry", "region", "segment"]].nunique() == 1).all().all()
    assert set(v.loc[v["kind"] == "assisted", "channel"]) == set(sample.CHANNELS)
    assert set(v.loc[v["kind"] == "self_service", "channel"]) == set(sample.SELF_SERVICE)
    assert (t["contacts"] >= 1).all() and set(t["reopened"]) == {0, 1}
    assert (t["handle_time"] > 0).all()


def test_office_hour_pattern(frames):
    created = frames["tickets"]["created_at"]
    weekday = created.dt.day_of_week < 5
    assert weekday.mean() > 0.8
    office = created.dt.hour.between(9, 16)
    assert office.mean() > 0.6
    by_hour = created[weekday].dt.hour.value_counts()
    assert by_hour[10] > 5 * by_hour[3]


def test_comments_are_sparse_multilingual_and_include_formula_characters(frames):
    comments = frames["responses"]["comment"].dropna()
    assert 0.05 < len(comments) / len(frames["responses"]) < 0.3
    scripts = {"greek": "[\u0370-\u03ff]", "thai": "[\u0e00-\u0e7f]", "cjk": "[\u4e00-\u9fff]",
               "latvian": "[āēīūļņģķčšž]", "romanian": "[ășțâî]"}
    for name, pattern in scripts.items():
        assert comments.str.contains(pattern).sum() >= 10, name
    assert comments.str.contains("謝謝").any() and comments.str.contains("谢谢").any()
    first = comments.str[:1]
    for char in "=+-@":
        assert (first == char).sum() >= 2, char


def test_nps_waves_allow_paired_analysis(nps):
    assert set(nps["responded_at"].dt.month) == {3, 6, 9, 12}
    assert nps["wave"].nunique() == 8
    waves_per_customer = nps.groupby("customer_id")["wave"].nunique()
    assert (waves_per_customer >= 2).sum() >= 500
    assert not nps.duplicated(["customer_id", "wave"]).any()


def test_revenue_follows_signup_and_churn(frames):
    rev, c = frames["revenue"], frames["customers"].set_index("customer_id")
    assert (rev["revenue"] > 0).all()
    span = rev.groupby("customer_id")["period"].agg(["min", "max"])
    signup = c["signed_up_at"].dt.to_period("M").clip(lower=pd.Period("2023-01", "M"))
    assert (span["min"] == signup.reindex(span.index).astype(str)).all()
    churned = c["churned_at"].dropna()
    assert 0.1 < len(churned) / len(c) < 0.5
    assert (span.loc[churned.index, "max"] == churned.dt.to_period("M").astype(str)).all()
    assert (span.loc[c.index[c["churned_at"].isna()], "max"] == "2024-12").all()
    assert (churned > c.loc[churned.index, "signed_up_at"]).all()


# --- built-in effects, at face value -------------------------------------------------
def test_csat_seasonality(csat):
    month = csat["month"].dt.month
    normal = csat[csat["month"] != INCIDENT]
    holiday = normal.loc[month.isin([11, 12]), "sat"].mean()
    spring = normal.loc[month.isin([3, 4, 5]), "sat"].mean()
    assert spring - holiday > 0.07


def test_ticket_volume_peaks_in_november_december(frames):
    created = frames["tickets"]["created_at"]
    per_day = created.dt.floor("D").value_counts()
    month = per_day.index.month
    incident = per_day.index.to_period("M") == INCIDENT
    peak = per_day[np.isin(month, [11, 12])].mean()
    rest = per_day[~np.isin(month, [11, 12]) & ~incident].mean()
    assert peak > 1.15 * rest


def test_incident_month(frames, csat, nps):
    share = csat.groupby("month")["sat"].mean()
    neighbours = share[[INCIDENT - 1, INCIDENT + 1]]
    assert share[INCIDENT] < neighbours.mean() - 0.07
    assert share[INCIDENT] == share.min()
    by_wave = nps.groupby("wave")["score"].apply(_nps_value)
    assert by_wave[INCIDENT] == by_wave.min()
    assert by_wave[INCIDENT] < by_wave.drop(INCIDENT).mean() - 10
    t = frames["tickets"].assign(month=frames["tickets"]["created_at"].dt.to_period("M"))
    per_day = t.groupby("month").size() / t.groupby("month")["created_at"].first().dt.days_in_month
    assert per_day[INCIDENT] > 1.25 * per_day[[INCIDENT - 1, INCIDENT + 1]].max()
    hours = (t["first_response_at"] - t["created_at"]).dt.total_seconds() / 3600
    median_hours = hours.groupby(t["month"]).median()
    assert median_hours[INCIDENT] > 2 * median_hours[[INCIDENT - 1, INCIDENT + 1]].max()


def test_slow_first_response_lowers_csat(csat):
    share = csat.groupby("bucket")["sat"].mean()
    assert list(share.index) == list("abcd")
    assert (np.diff(share.to_numpy()) < -0.05).all()
    assert (csat.groupby("bucket").size() >= 1000).all()


def test_contacts_and_reopening_lower_csat(csat):
    by_contacts = csat.groupby(csat["contacts"].clip(upper=3))["sat"].mean()
    assert (np.diff(by_contacts.to_numpy()) < -0.04).all()
    by_reopened = csat.groupby("reopened")["sat"].mean()
    assert by_reopened[0] - by_reopened[1] > 0.1


def test_agents_and_channels_differ(csat):
    overall = csat["sat"].mean()
    agents = csat.groupby("agent")["sat"].agg(["mean", "size"])
    assert agents.loc["Agent 07", "mean"] > overall + 0.07
    assert agents.loc["Agent 18", "mean"] < overall - 0.1
    assert (agents.loc[["Agent 07", "Agent 18"], "size"] >= 400).all()
    assert (agents["size"] < 60).sum() >= 2
    regular = agents.loc[agents["size"] >= 300, "mean"]
    assert regular.idxmax() == "Agent 07" and regular.idxmin() == "Agent 18"
    channels = csat.groupby("channel")["sat"].mean()
    assert channels["chat"] - channels["social"] > 0.1


def test_answer_rate_is_below_one_and_lower_for_phone(frames):
    t, r = frames["tickets"], frames["responses"]
    resolved = t[t["resolved_at"].notna() & (t["resolved_at"] < pd.Timestamp("2024-12-01"))]
    answered = resolved["ticket_id"].isin(r["ticket_id"])
    rate = answered.groupby(resolved["channel"]).mean()
    assert 0.3 < answered.mean() < 0.6
    assert rate["phone"] < rate.drop("phone").min() - 0.03
    assert rate["phone"] < 0.3 < rate["chat"]


def test_promoters_grow_revenue_and_churn_less(frames, nps):
    rev = frames["revenue"].set_index(["customer_id", "period"])["revenue"]

    def level(months: int) -> np.ndarray:
        keys = pd.MultiIndex.from_arrays([nps["customer_id"],
                                          (nps["wave"] + months).astype(str)])
        return rev.reindex(keys).to_numpy()

    growth = pd.Series(np.log(level(6) / level(0)), index=nps.index)
    by_category = growth.groupby(nps["category"]).mean()
    assert by_category["P"] > by_category["Pa"] > by_category["D"]
    assert by_category["P"] - by_category["D"] > 0.04
    churned = frames["customers"].set_index("customer_id")["churned_at"]
    when = churned.reindex(nps["customer_id"]).to_numpy()
    horizon = nps["responded_at"] + pd.DateOffset(months=12)
    early = nps["responded_at"] < pd.Timestamp("2024-01-01")
    lost = pd.Series(pd.notna(when) & (when <= horizon), index=nps.index)[early]
    rate = lost.groupby(nps.loc[early, "category"]).mean()
    assert rate["D"] > 1.6 * rate["P"]


def test_self_service_grows(frames):
    v = frames["volume"]
    quarter = v.pivot_table(index=v["date"].dt.to_period("Q"), columns="kind",
                            values="contacts", aggfunc="sum")
    deflection = quarter["self_service"] / quarter.sum(axis=1)
    assert deflection.iloc[-1] > deflection.iloc[0] + 0.1
    assert v.loc[v["channel"] == "chatbot", "date"].min() == pd.Timestamp("2023-06-01")
    assisted = v[v["kind"] == "assisted"].groupby("channel")["contacts"].sum()
    tickets = frames["tickets"]["channel"].value_counts()
    assert (assisted == tickets.reindex(assisted.index)).all()


def test_csat_drivers_recover_true_coefficients(csat):
    data = csat.assign(
        extra=csat["contacts"] - 1,
        agent_=np.where(csat["agent"].isin(["Agent 07", "Agent 18"]), csat["agent"], "other"),
        calendar=csat["month"].dt.month.astype(str),
        incident=(csat["month"] == INCIDENT).astype(int),
        channel_=csat["channel"].astype(object),
        product_=csat["product"].astype(object),
    )
    model = smf.logit(
        "sat ~ C(bucket) + extra + reopened + C(channel_, Treatment('email'))"
        " + C(agent_, Treatment('other')) + C(product_, Treatment('Billing'))"
        " + C(calendar, Treatment('1')) + incident", data).fit(disp=0)
    truth = {
        "C(bucket)[T.b]": sample.CSAT_FRT[1], "C(bucket)[T.c]": sample.CSAT_FRT[2],
        "C(bucket)[T.d]": sample.CSAT_FRT[3], "extra": sample.CSAT_CONTACT,
        "reopened": sample.CSAT_REOPENED, "incident": sample.CSAT_INCIDENT,
        "C(agent_, Treatment('other'))[T.Agent 07]": sample.CSAT_AGENT["Agent 07"],
        "C(agent_, Treatment('other'))[T.Agent 18]": sample.CSAT_AGENT["Agent 18"],
        "C(channel_, Treatment('email'))[T.chat]": sample.CSAT_CHANNEL[1],
        "C(channel_, Treatment('email'))[T.social]": sample.CSAT_CHANNEL[3],
    }
    for name, value in truth.items():
        assert abs(model.params[name] - value) < 3 * model.bse[name] + 0.05, name
