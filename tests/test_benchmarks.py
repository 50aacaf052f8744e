"""Tests of csat_toolkit.benchmarks: the bundled table, verdicts, sentences, errors."""
from __future__ import annotations

import pandas as pd
import pytest

from csat_toolkit.benchmarks import (
    BENCHMARK_COLUMNS,
    BENCHMARK_KINDS,
    DEFAULT_PATH,
    benchmark_sentence,
    compare_to_benchmark,
    load_benchmarks,
)
from csat_toolkit.errors import DataError, FileFormatError, MissingColumnError, ParameterError

NAN = float("nan")


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return load_benchmarks()


def result(estimate, ci_low, ci_high, metric="nps", n=400, **extra) -> pd.DataFrame:
    return pd.DataFrame(
        {"metric": [metric], "n": [n], "estimate": [estimate], "ci_low": [ci_low],
         "ci_high": [ci_high], **{k: [v] for k, v in extra.items()}}
    )


def write_csv(tmp_path, frame: pd.DataFrame):
    path = tmp_path / "bench.csv"
    frame.to_csv(path, index=False)
    return path


# --- integrity of data/benchmarks.csv -------------------------------------------------


def test_default_path_is_repo_data_file():
    assert DEFAULT_PATH.name == "benchmarks.csv"
    assert DEFAULT_PATH.parent.name == "data"
    assert DEFAULT_PATH.is_file()


def test_columns_and_size(table):
    assert list(table.columns) == list(BENCHMARK_COLUMNS)
    assert 15 <= len(table) <= 30


def test_ids_unique_and_slugs(table):
    ids = table["benchmark_id"]
    assert ids.is_unique
    assert ids.str.fullmatch(r"[a-z0-9_]+").all()


def test_low_not_above_high_and_single_figures(table):
    assert (table["low"] <= table["high"]).all()
    single = table[table["kind"] != "range"]
    assert (single["low"] == single["high"]).all()
    ranges = table[table["kind"] == "range"]
    assert (ranges["low"] < ranges["high"]).all()


def test_kinds_known(table):
    assert set(table["kind"]) <= set(BENCHMARK_KINDS)


def test_every_row_sourced_and_dated(table):
    for col in ("source", "label", "method", "sample", "url_or_citation", "scope", "metric"):
        assert table[col].notna().all(), col
        assert (table[col].str.strip() != "").all(), col
    # "Publisher: Title", so sentences can cite the publisher.
    assert table["source"].str.contains(": ", regex=False).all()
    # Every verified figure is dated; the two unverified Sprout Social rows (their
    # edition could not be checked) carry no year rather than a guessed one.
    unverified = table["method"].str.contains("NOT verified")
    assert set(table.loc[unverified, "benchmark_id"]) == {
        "sprout_social_reply_1h", "sprout_social_reply_24h"}
    assert table.loc[unverified, "year"].isna().all()
    assert table.loc[~unverified, "year"].between(1990, 2030).all()


def test_citations_are_not_raw_urls(table):
    assert not table["url_or_citation"].str.contains("http|www\\.", regex=True).any()


def test_values_in_metric_units(table):
    nps = table[table["metric"] == "nps"]
    assert nps["low"].between(-100, 100).all() and nps["high"].between(-100, 100).all()
    shares = table[table["metric"] != "nps"]
    assert shares["low"].between(0, 100).all() and shares["high"].between(0, 100).all()


def required(table, **match) -> pd.DataFrame:
    rows = table
    for col, value in match.items():
        rows = rows[rows[col] == value]
    assert len(rows) >= 1, match
    return rows


def test_required_figures_present(table):
    required(table, metric="nps", scope="e-commerce", kind="threshold_above", low=62.0)
    required(table, metric="csat", kind="threshold_above", low=80.0)
    required(table, metric="nps", kind="range", low=30.0, high=50.0)
    pmf = required(table, metric="pmf", kind="threshold_above", low=40.0)
    assert pmf["source"].str.contains("Sean Ellis").all()
    sqm = table[table["source"].str.startswith("SQM Group")]
    assert ((sqm["metric"] == "fcr") & (sqm["kind"] == "average") & (sqm["low"] == 70)).any()
    assert ((sqm["metric"] == "fcr") & (sqm["kind"] == "threshold_above") & (sqm["low"] == 80)).any()
    xm = table[table["source"].str.startswith("XM Institute") & (table["year"] == 2023)]
    assert xm["metric"].eq("nps").all() and xm["scope"].nunique() >= 4
    one_hour = required(table, metric="first_response_within_1h", low=40.0)
    day = required(table, metric="first_response_within_24h", low=79.0)
    assert one_hour["source"].str.startswith("Sprout Social").all()
    assert day["source"].str.startswith("Sprout Social").all()
    required(table, metric="acsi")


def test_unverified_figures_say_so(table):
    sprout = table[table["source"].str.startswith("Sprout Social")]
    assert sprout["method"].str.contains("not verified", case=False).all()


# --- load_benchmarks errors -----------------------------------------------------------


def test_load_missing_file(tmp_path):
    with pytest.raises(FileFormatError, match=r"Benchmark file not found: .*nope\.csv"):
        load_benchmarks(tmp_path / "nope.csv")


def test_load_missing_columns_names_file_and_columns(tmp_path, table):
    path = write_csv(tmp_path, table.drop(columns=["source", "year"]))
    with pytest.raises(MissingColumnError, match=r"bench\.csv lacks the column\(s\) source, year"):
        load_benchmarks(path)
    # MissingColumnError belongs to the DataError family.
    with pytest.raises(DataError):
        load_benchmarks(path)


def test_load_duplicate_ids(tmp_path, table):
    path = write_csv(tmp_path, pd.concat([table, table.head(1)]))
    with pytest.raises(DataError, match=r"duplicate benchmark_id values: 'ecom_nps_62'"):
        load_benchmarks(path)


def test_load_low_above_high(tmp_path, table):
    bad = table.copy()
    bad.loc[0, "low"] = 99.0
    with pytest.raises(DataError, match=r"`low` is greater than `high` for 'ecom_nps_62'"):
        load_benchmarks(write_csv(tmp_path, bad))


def test_load_non_numeric_value(tmp_path, table):
    bad = table.astype({"high": "object"})
    bad.loc[1, "high"] = "eighty"
    with pytest.raises(DataError, match=r"`high` is missing or not a number for 'csat_excellent_80'"):
        load_benchmarks(write_csv(tmp_path, bad))


def test_load_unknown_kind(tmp_path, table):
    bad = table.copy()
    bad.loc[0, "kind"] = "minimum"
    with pytest.raises(DataError, match=r"`kind` has unknown values 'minimum'. Use one of: range"):
        load_benchmarks(write_csv(tmp_path, bad))


# --- verdicts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ci_low", "ci_high", "expected"),
    [
        (52.0, 58.0, "above"),              # ci_low > high (50)
        (20.0, 28.0, "below"),              # ci_high < low (30)
        (41.0, 49.3, "within"),             # inside [30, 50]
        (30.0, 50.0, "within"),             # touching both ends is still inside
        (45.0, 55.0, "not distinguishable"),  # straddles the upper end
        (25.0, 35.0, "not distinguishable"),  # straddles the lower end
        (20.0, 60.0, "not distinguishable"),  # wider than the range
        (50.0, 56.0, "not distinguishable"),  # ci_low == high is not above
        (NAN, NAN, "not distinguishable"),    # tiny group: no interval
        (NAN, 20.0, "not distinguishable"),   # half an interval is no interval
    ],
)
def test_verdicts_range(ci_low, ci_high, expected):
    out = compare_to_benchmark(result(45.0, ci_low, ci_high), "nps_target_30_50")
    assert out["verdict"].tolist() == [expected]


@pytest.mark.parametrize(
    ("ci_low", "ci_high", "expected"),
    [
        (63.0, 70.0, "above"),
        (50.0, 61.9, "below"),
        (60.0, 64.0, "not distinguishable"),
        (62.0, 62.0, "not distinguishable"),  # a point interval on the bar: not "within"
    ],
)
def test_verdicts_threshold(ci_low, ci_high, expected):
    out = compare_to_benchmark(result(62.0, ci_low, ci_high), "ecom_nps_62")
    assert out["verdict"].tolist() == [expected]


def test_average_is_never_within():
    out = compare_to_benchmark(result(30.0, 29.0, 31.0), "xmi2023_nps_grocery")
    assert out["verdict"].tolist() == ["not distinguishable"]


def test_number_benchmark():
    out = compare_to_benchmark(result(60.0, 53.8, 65.9, metric="csat"), 50)
    row = out.iloc[0]
    assert row["verdict"] == "above"
    assert row["benchmark_id"] == "custom"
    assert row["benchmark_low"] == row["benchmark_high"] == 50.0
    assert out["benchmark_year"].isna().all()


def test_output_columns_and_input_untouched():
    res = result(45.2, 41.0, 49.3, channel="chat")
    before = res.copy()
    out = compare_to_benchmark(res, "nps_target_30_50")
    pd.testing.assert_frame_equal(res, before)
    for col in ("metric", "n", "estimate", "ci_low", "ci_high", "channel", "benchmark_id",
                "benchmark_low", "benchmark_high", "benchmark_label", "benchmark_source",
                "benchmark_year", "verdict"):
        assert col in out.columns
    row = out.iloc[0]
    assert (row["benchmark_low"], row["benchmark_high"]) == (30.0, 50.0)
    assert row["benchmark_label"] == "usual NPS target range"
    assert row["benchmark_source"].startswith("Devoted")


def test_several_rows_and_several_benchmarks():
    res = pd.DataFrame(
        {"channel": ["chat", "email", "phone"], "metric": "nps", "n": [400, 12, 300],
         "estimate": [70.0, 50.0, 20.0], "ci_low": [65.0, NAN, 15.0],
         "ci_high": [75.0, NAN, 25.5]}
    )
    out = compare_to_benchmark(res, ["ecom_nps_62", "nps_target_30_50"])
    assert len(out) == 6
    assert out["channel"].tolist() == ["chat", "chat", "email", "email", "phone", "phone"]
    assert out["verdict"].tolist() == [
        "above", "above", "not distinguishable", "not distinguishable", "below", "below",
    ]


def test_series_row_is_accepted():
    row = result(45.2, 41.0, 49.3).iloc[0]
    out = compare_to_benchmark(row, "nps_target_30_50")
    assert len(out) == 1 and out["verdict"].iloc[0] == "within"
    assert out["estimate"].dtype == "float64"


def test_group_keys_in_index_become_columns():
    res = result(45.2, 41.0, 49.3, channel="chat").set_index("channel")
    out = compare_to_benchmark(res, "nps_target_30_50")
    assert out["channel"].tolist() == ["chat"]


def test_result_without_metric_column_is_compared():
    res = result(45.2, 41.0, 49.3).drop(columns="metric")
    assert compare_to_benchmark(res, "nps_target_30_50")["verdict"].tolist() == ["within"]


def test_custom_benchmarks_table(table):
    small = table[table["benchmark_id"] == "pmf_ellis_40"]
    out = compare_to_benchmark(result(45.0, 41.0, 49.0, metric="pmf"), "pmf_ellis_40",
                               benchmarks=small)
    assert out["verdict"].tolist() == ["above"]


# --- compare_to_benchmark errors ------------------------------------------------------


def test_unknown_id_lists_valid_ids_and_how_to_see_all():
    with pytest.raises(ParameterError, match=r"Unknown benchmark id 'nps_target_30_60'") as info:
        compare_to_benchmark(result(45.0, 41.0, 49.0), "nps_target_30_60")
    message = str(info.value)
    assert "Did you mean 'nps_target_30_50'" in message
    assert "Valid ids include 'ecom_nps_62'" in message
    assert "load_benchmarks()['benchmark_id']" in message


def test_unknown_id_in_list():
    with pytest.raises(ParameterError, match=r"Unknown benchmark id 'no_such_figure'"):
        compare_to_benchmark(result(45.0, 41.0, 49.0), ["nps_target_30_50", "no_such_figure"])


def test_metric_mismatch():
    with pytest.raises(
        ParameterError,
        match=r"Benchmark 'nps_target_30_50' is for metric 'nps', but the result has metric 'csat'",
    ):
        compare_to_benchmark(result(78.0, 75.0, 81.0, metric="csat"), "nps_target_30_50")


def test_metric_mismatch_top_box_vs_top_2_box():
    with pytest.raises(ParameterError, match=r"is for metric 'csat_top_box'"):
        compare_to_benchmark(result(86.0, 84.0, 88.0, metric="csat"), "sqm_csat_top_box_85")


def test_missing_ci_columns():
    res = result(45.0, 41.0, 49.0).drop(columns=["ci_low", "ci_high"])
    with pytest.raises(MissingColumnError, match=r"lacks the column\(s\) 'ci_low', 'ci_high'"):
        compare_to_benchmark(res, "nps_target_30_50")
    with pytest.raises(DataError):
        compare_to_benchmark(res, "nps_target_30_50")


def test_non_numeric_interval():
    res = result(45.0, "low", 49.0)
    with pytest.raises(DataError, match=r"Column `ci_low` of the result must hold numbers; found 'low'"):
        compare_to_benchmark(res, "nps_target_30_50")


@pytest.mark.parametrize(
    ("benchmark", "pattern"),
    [
        (True, r"must be a benchmark id, a list of ids or a number, not True"),
        (float("inf"), r"must be a finite number"),
        ([], r"empty list"),
        ({"id": "x"}, r"must be a benchmark id \(text\), a list of ids or a number"),
    ],
)
def test_bad_benchmark_argument(benchmark, pattern):
    with pytest.raises(ParameterError, match=pattern):
        compare_to_benchmark(result(45.0, 41.0, 49.0), benchmark)


def test_bad_result_type():
    with pytest.raises(ParameterError, match=r"`result` must be a pandas DataFrame or Series, got list"):
        compare_to_benchmark([45.0, 41.0, 49.0], "nps_target_30_50")


def test_already_compared_result():
    once = compare_to_benchmark(result(45.0, 41.0, 49.0), "nps_target_30_50")
    with pytest.raises(ParameterError, match=r"already has the column\(s\) 'benchmark_id'"):
        compare_to_benchmark(once, "ecom_nps_62")


def test_bad_benchmarks_table(table):
    pattern = r"benchmark table passed as `benchmarks` lacks the column\(s\) kind"
    with pytest.raises(MissingColumnError, match=pattern):
        compare_to_benchmark(result(45.0, 41.0, 49.0), "nps_target_30_50",
                             benchmarks=table.drop(columns="kind"))


# --- sentences ------------------------------------------------------------------------


def sentence(res, benchmark) -> str:
    return benchmark_sentence(compare_to_benchmark(res, benchmark).iloc[0])


def test_sentence_range_within():
    assert sentence(result(45.2, 41.0, 49.3), "nps_target_30_50") == (
        "NPS 45.2 (95% CI 41.0 to 49.3) is within the usual NPS target range of 30 to 50 "
        "(Devoted, 2017)."
    )


def test_sentence_not_distinguishable():
    assert sentence(result(52.0, 45.0, 55.0), "nps_target_30_50") == (
        "NPS 52.0 (95% CI 45.0 to 55.0) is not distinguishable from the usual NPS target "
        "range of 30 to 50 (Devoted, 2017)."
    )


def test_sentence_percent_metric_above_and_below():
    assert sentence(result(44.0, 41.2, 46.9, metric="pmf"), "pmf_ellis_40") == (
        "PMF 44.0% (95% CI 41.2 to 46.9%) is above the product-market fit bar of 40% "
        "(Sean Ellis and Morgan Brown, 2017)."
    )
    assert sentence(result(60.0, 53.8, 65.9, metric="csat"), "ecom_csat_75_85") == (
        "CSAT 60.0% (95% CI 53.8 to 65.9%) is below the typical e-commerce CSAT range of "
        "75 to 85% (Opensend, 2025)."
    )


def test_sentence_negative_benchmark_and_conf_level():
    res = result(-2.0, -8.0, 4.0, conf_level=0.9)
    assert sentence(res, "xmi2023_nps_consumer_payments") == (
        "NPS -2.0 (90% CI -8.0 to 4.0) is not distinguishable from the U.S. "
        "consumer-payments average NPS of -6.1 (XM Institute (Qualtrics), 2023)."
    )


def test_sentence_missing_interval_and_custom_number():
    assert sentence(result(50.0, NAN, NAN, metric="csat", n=3), 55) == (
        "CSAT 50.0% (no interval: too few responses) is not distinguishable from the "
        "benchmark of 55%."
    )


def test_sentence_without_metric_column_uses_benchmark_metric():
    res = result(45.2, 41.0, 49.3).drop(columns="metric")
    assert sentence(res, "nps_target_30_50").startswith("NPS 45.2 (95% CI 41.0 to 49.3)")


def test_sentence_every_benchmark_reads(table):
    for benchmark_id, metric in zip(table["benchmark_id"], table["metric"]):
        text = sentence(result(50.0, 45.0, 55.0, metric=metric), benchmark_id)
        assert text.endswith(").") and "nan" not in text.lower()


def test_sentence_missing_fields():
    with pytest.raises(MissingColumnError, match=r"The row lacks verdict, benchmark_low"):
        benchmark_sentence(pd.Series({"estimate": 1.0, "ci_low": 0.5, "ci_high": 1.5}))


def test_small_groups_are_never_above_or_below():
    # DESIGN.md principle 4: small groups are flagged and never called different.
    result = pd.DataFrame({"metric": ["csat"], "n": [5], "estimate": [20.0], "ci_low": [3.0],
                           "ci_high": [60.0], "small_n": [True]})
    assert compare_to_benchmark(result, "csat_excellent_80")["verdict"].tolist() == [
        "not distinguishable"]
