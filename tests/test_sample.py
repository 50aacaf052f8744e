"""Tests of the seeded sample-data generator, ``csat_toolkit.sample``.

Most tests use a fresh ``make_sample()`` (the default seed); one test checks that the
committed files in ``data/sample`` equal a fresh ``write_sample`` with the defaults.
The comment tests (issue 16) read the generator's answer key, ``comment_truth()``.
"""
from __future__ import annotations

import csv
import hashlib
import pathlib
import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from csat_toolkit import sample
from csat_toolkit.errors import ParameterError
from csat_toolkit.io import sample_comments
from csat_toolkit.sample import comment_truth, make_sample, write_sample

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
    with pytest.raises(ParameterError, match="n_customers"):
        comment_truth(n_customers=3)


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


# --- comments: languages, topics, tone, personal data (issue 16) --------------------------
TOPICS = ("response_time", "resolution", "agent_attitude", "billing_refund", "product_bugs",
          "delivery", "ease_of_use")
# The module docstring's table: % of the comments of a tone that mention each topic
# (first or second sentence), positive / neutral / negative.
MENTIONED = {
    "response_time": (19.7, 26.0, 35.0), "resolution": (14.9, 16.9, 28.6),
    "agent_attitude": (33.3, 12.2, 7.4), "billing_refund": (3.8, 19.2, 17.1),
    "product_bugs": (3.8, 16.9, 19.5), "delivery": (5.0, 9.8, 9.9),
    "ease_of_use": (39.6, 19.2, 2.5),
}
# SHA-256 of the committed files before the topic comments (issue 16), comments reduced to
# "present or not": the comments' words must never move another value of the sample.
UNCHANGED = {
    "responses": "90b8926039b606a39c2a78a2619a2418918c687056c211b253c4b07cbca9b7b9",
    "tickets": "396c72d216ee48f3f1113fd1211eeb79f9b701e608e9a0d9afc04175073f6c3a",
    "revenue": "0c448db66fd4f1e676bc2eb2b40d9ec7ffbc1e0a3889cd38ec2ee977d096eefc",
    "customers": "9b4dd306c0ae78c82d34898d225fbf6128d494d9eeee1808112f52703f9fa139",
    "volume": "14f1914a0eb052f69261a5c945e9776b2d67b5139865057d5076ee2e64f46747",
}


@pytest.fixture(scope="module")
def truth(frames) -> pd.DataFrame:
    """The answer key joined to the responses (survey, score, region, comment)."""
    key = comment_truth()
    columns = ["response_id", "survey", "score", "region", "comment"]
    return key.merge(frames["responses"][columns], on="response_id", validate="one_to_one")


def _mentions(truth: pd.DataFrame, topic: str) -> pd.Series:
    return truth["topics"].map(lambda topics: topic in topics)


def _digest(path: pathlib.Path, responses: bool) -> str:
    digest = hashlib.sha256()
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            if responses:  # the comment (last column) only as present / absent
                row = row[:-1] + ["comment" if row[-1] == "comment" else ("1" if row[-1] else "")]
            digest.update("\x1f".join(row).encode() + b"\n")
    return digest.hexdigest()


def test_sample_unchanged_apart_from_the_comment_words():
    for name, expected in UNCHANGED.items():
        assert _digest(COMMITTED / f"{name}.csv", name == "responses") == expected, (
            f"data/sample/{name}.csv changed beyond the comments' words: the comment "
            "generator must draw its words from its own stream (sample.COMMENT_STREAM)")


def test_comment_words_have_their_own_random_stream(monkeypatch):
    before = make_sample(seed=11, **SMALL)
    monkeypatch.setattr(sample, "COMMENT_STREAM", 17)
    after = make_sample(seed=11, **SMALL)
    for name in sample.FRAMES:
        a, b = before[name], after[name]
        if name == "responses":
            assert not a["comment"].equals(b["comment"])
            pd.testing.assert_series_equal(a["comment"].isna(), b["comment"].isna())
            a, b = a.drop(columns="comment"), b.drop(columns="comment")
        pd.testing.assert_frame_equal(a, b)


def test_comment_truth_describes_every_comment(frames, truth):
    with_comment = frames["responses"].dropna(subset=["comment"])
    assert truth["response_id"].tolist() == with_comment["response_id"].tolist()
    assert list(comment_truth(seed=1, n_customers=200, months=6).columns) == [
        "response_id", "language", "tone", "topics", "pii", "formula"]
    formula = truth["formula"]
    assert truth.loc[formula, "comment"].str[:1].isin(list("=+-@")).all()
    assert (truth.loc[formula, "topics"].map(len) == 0).all()
    assert truth.loc[~formula, "topics"].map(len).isin([1, 2]).all()
    assert (truth.loc[~formula, "topics"].map(lambda t: len(set(t))) ==
            truth.loc[~formula, "topics"].map(len)).all()
    scripts = {"el": "[\u0370-\u03ff]", "th": "[\u0e00-\u0e7f]", "zh_hant": "[\u4e00-\u9fff]",
               "zh_hans": "[\u4e00-\u9fff]", "lv": "[āēīūļņģķčšž]"}
    for code, pattern in scripts.items():
        rows = truth[~formula & (truth["language"] == code)]
        found = rows["comment"].str.contains(pattern, case=False)
        assert found.mean() > 0.95 if code == "lv" else found.all(), code  # "Labs produkts ..."
    # the tone follows the score (CSAT 4-5 positive, 3 neutral, 1-2 negative)
    csat = truth[truth["survey"] == "csat"]
    score = csat["score"].astype(int)
    expected = np.select([score >= 4, score == 3], ["positive", "neutral"], "negative")
    assert (csat["tone"] == expected).all()


def test_comment_languages_follow_the_region_shares(truth):
    for region, shares in sample.LANGUAGE_SHARE.items():
        found = truth.loc[truth["region"] == region, "language"].value_counts(normalize=True)
        found = found.reindex(sample.LANGUAGES, fill_value=0.0).to_numpy()
        n = int((truth["region"] == region).sum())
        assert n >= 250, region
        tolerance = 4 * np.sqrt(0.25 / n)  # four standard errors at worst
        assert np.abs(found - np.array(shares)).max() < tolerance, (region, found)
    assert truth["language"].value_counts()["en"] > 2500
    assert (truth["language"].value_counts() >= 95).all()


def test_every_topic_is_written_in_every_language(truth):
    mentions = truth.explode("topics").dropna(subset=["topics"])
    table = pd.crosstab(mentions["language"], mentions["topics"])
    assert sorted(table.index) == sorted(sample.LANGUAGES)
    assert sorted(table.columns) == sorted(TOPICS)
    assert (table >= 3).all().all(), table
    # and the word banks hold every topic x language x tone, with several variants
    assert sample.TOPICS == TOPICS == sample_comments.TOPICS
    for topic in TOPICS:
        assert sorted(sample_comments.PHRASES[topic]) == sorted(sample.LANGUAGES), topic
        for code, tones in sample_comments.PHRASES[topic].items():
            assert sorted(tones) == ["neg", "neu", "pos"]
            assert all(len(set(texts)) >= 2 for texts in tones.values()), (topic, code)


def test_written_like_natives_type(truth):
    phrases = {code: [t for topic in TOPICS for texts in sample_comments.PHRASES[topic][code]
                      .values() for t in texts] for code in sample.LANGUAGES}
    # Greek with its accents; Romanian mostly with diacritics, some without
    assert all(re.search("[άέήίόύώ]", t) for t in phrases["el"])
    romanian = [bool(re.search("[ăâîșț]", t)) for t in phrases["ro"]]
    assert 0.6 < np.mean(romanian) < 0.95
    # traditional and simplified Chinese are different texts
    assert not set(phrases["zh_hant"]) & {t for t in phrases["zh_hans"] if "App" not in t}
    assert "謝謝" in "".join(phrases["zh_hant"]) and "谢谢" in "".join(phrases["zh_hans"])


def test_topic_rates_by_tone_are_as_documented(truth):
    topical = truth[~truth["formula"]]
    assert abs((topical["topics"].map(len) == 2).mean() - sample.SECOND_TOPIC_RATE) < 0.02
    for k, tone in enumerate(("positive", "neutral", "negative")):
        rows = topical[topical["tone"] == tone]
        first = rows["topics"].str[0].value_counts(normalize=True)
        for i, topic in enumerate(TOPICS):
            p = sample.TOPIC_MIX[("pos", "neu", "neg")[k]][i]
            assert abs(first.get(topic, 0.0) - p) < 4 * np.sqrt(p * (1 - p) / len(rows)) + 0.005
            share = _mentions(rows, topic).mean()
            q = MENTIONED[topic][k] / 100
            assert abs(share - q) < 4 * np.sqrt(q * (1 - q) / len(rows)) + 0.005, (tone, topic)
    # the documented "mentioned" table is what the mix gives
    for k, key in enumerate(("pos", "neu", "neg")):
        mix = np.array(sample.TOPIC_MIX[key])
        second = sum(mix[j] * np.where(np.arange(7) == j, 0, mix) / (1 - mix[j])
                     for j in range(7))
        expected = 100 * (mix + sample.SECOND_TOPIC_RATE * second)
        assert np.allclose(expected, [MENTIONED[t][k] for t in TOPICS], atol=0.051)


def test_topics_have_their_documented_csat_and_nps_gaps(truth):
    csat = truth[truth["survey"] == "csat"]
    satisfied = csat["score"].astype(int) >= 4
    nps = truth[truth["survey"] == "nps"]
    score = nps["score"].astype(int)
    gaps = {}
    for topic in TOPICS:
        tagged = _mentions(csat, topic)
        gaps[topic] = satisfied[tagged].mean() - satisfied[~tagged].mean()
        on = _mentions(nps, topic)
        nps_gap = (100 * ((score[on] >= 9).mean() - (score[on] <= 6).mean())
                   - 100 * ((score[~on] >= 9).mean() - (score[~on] <= 6).mean()))
        assert np.sign(nps_gap) == np.sign(gaps[topic]) and abs(nps_gap) > 10, topic
    assert gaps["agent_attitude"] > 0.25 and gaps["ease_of_use"] > 0.25
    assert min(gaps["billing_refund"], gaps["product_bugs"], gaps["delivery"]) < -0.2
    assert max(gaps["billing_refund"], gaps["product_bugs"], gaps["delivery"]) < -0.2
    assert -0.2 < gaps["response_time"] < -0.05 and -0.2 < gaps["resolution"] < -0.05
    assert gaps["product_bugs"] < gaps["billing_refund"] < gaps["delivery"]


def test_about_one_percent_of_comments_carry_fictitious_personal_data(truth):
    topical = truth[~truth["formula"]]
    pii = topical[topical["pii"] != ""]
    assert 0.005 < len(pii) / len(topical) < 0.016
    assert set(pii["pii"]) == {"email", "phone", "card"}
    assert pii["language"].nunique() >= 3
    patterns = {"email": r"\b[a-z.]+@example\.(?:com|org)\b",
                "phone": r"\+44 20 7946 0\d{3}\b|\(212\) 555-01\d\d\b",
                "card": r"\b4111 1111 1111 1111\b"}
    for kind, pattern in patterns.items():
        rows = pii[pii["pii"] == kind]
        assert rows["comment"].str.contains(pattern).all(), kind
    clean = truth[truth["pii"] == ""]["comment"]
    assert not clean.str.contains(r"@example\.|7946|555-01|4111").any()


def test_default_dictionary_tags_every_generated_comment_with_its_topics(truth):
    # csat_toolkit.comments.topics (issue 16, helper THEMES) reads comments/topics.yaml
    from csat_toolkit.comments.topics import load_topics, tag_topics

    topics = load_topics()
    assert topics.names == list(TOPICS)
    for topic in TOPICS:
        assert topics.missing_languages(topic) == (), topic
    flags = tag_topics(truth.rename(columns={"comment": "text"}), topics)
    for topic in TOPICS:
        written = _mentions(truth, topic)
        tagged = flags[f"topic_{topic}"]
        assert tagged[written].all(), truth.loc[written & ~tagged, "comment"].head().tolist()
        # a topic comment is tagged only with what it was written about
        assert not (tagged & ~written & ~truth["formula"]).any(), topic
    # every sentence of the word banks, not only those drawn
    rows = [{"language": code, "text": text, "topic": topic}
            for topic in TOPICS for code, tones in sample_comments.PHRASES[topic].items()
            for texts in tones.values() for text in texts]
    bank = pd.DataFrame(rows)
    flags = tag_topics(bank, topics)
    hit = [flags.loc[i, f"topic_{t}"] for i, t in bank["topic"].items()]
    assert all(hit), bank.loc[[not h for h in hit], "text"].tolist()
    assert flags.sum(axis=1).eq(1).all()
