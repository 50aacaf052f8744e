"""The same numbers on every engine: pandas, DuckDB and Spark (issue 15).

The golden tests run the same files through the pandas loader, DuckDB and Spark
(``local[1]``) and compare every table the analyses read: the row accounting (rows read,
used, set aside per reason, the rejected rows with their reasons and details), the counted
responses (so every metric, comparison and trend computed from them), the metric tables by
segment and period, and the follow-up queue. Spark tests skip with a message where PySpark
or Java is absent (``make spark`` installs the extra; ``.ci/run`` does).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import csat_toolkit as ct
from csat_toolkit.core.tally import counted, is_counted, tally
from csat_toolkit.errors import (
    DataError, FileFormatError, MissingColumnError, NoValidRowsError, ParameterError,
    RejectedRowsError,
)
from csat_toolkit.io.engines import ScanResult, choose_engine, files_of, scan_responses
from csat_toolkit.io.engines._backends import java_pattern, quiet_spark

from .conftest import SAMPLE

RESPONSES = SAMPLE / "responses.csv"
METRICS = ("csat", "nps", "ces", "pmf")

# Every reason a row can be set aside for, once or more, among good rows (CSV text, as a
# vendor's export would be): ids, surveys, text and number answers, dates, weights.
MESSY = pd.DataFrame({
    "id": ["1", "2", "2", "", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14",
           "15", "16", "17", "18", "19"],
    "when": ["2024-01-05 10:00", "2024-01-06 11:00", "2024-01-07 12:00", "2024-01-08 09:00",
             "2024-01-09 09:30", "", "not a date", "2024-02-01 08:00", "2024-02-02 08:00",
             "2024-02-03 08:00", "2024-02-04 08:00", "2024-02-05 08:00", "2023-12-31 23:00",
             "2024-03-01 00:00", "2024-02-06 08:00", "2024-02-07 08:00", "2024-02-08 08:00",
             "2024-02-09 08:00", "2024-02-10 08:00", "2024-02-11 08:00"],
    "type": ["csat", "csat", "nps", "csat", "", "csat", "csat", "Post-ticket CSAT", "nps",
             "ces", "csat", "csat", "csat", "csat", "weird", "nps", "nps", "csat", "pmf", "csat"],
    "rating": ["5", "4", "9", "3", "5", "4", "2", "Very satisfied", "11", "6", "", "meh", "5",
               "1", "4", "0", "10", "2", "Very disappointed", "N/A"],
    "w": ["1", "2", "1", "1", "1", "1", "1", "1.5", "1", "0", "1", "1", "1", "1", "1", "2", "1",
          "x", "1", "1"],
    "channel": ["chat", "email", "chat", "chat", "email", "chat", "email", "chat", "chat",
                "email", "chat", "email", "chat", "chat", "email", "chat", "email", "chat",
                "email", "chat"],
})
MAPPING = {"id": "response_id", "when": "responded_at", "type": "survey", "rating": "score",
           "w": "weight"}
MESSY_OPTIONS = dict(columns=MAPPING, surveys={"Post-ticket CSAT": "csat"},
                     start="2024-01-01", end="2024-02-29")


@pytest.fixture(scope="module")
def messy_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("messy") / "messy.csv"
    MESSY.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def loads(messy_csv):
    """The messy file and the sample, loaded by pandas and DuckDB (Spark: see below)."""
    return {
        ("messy", "pandas"): ct.load_responses(messy_csv, **MESSY_OPTIONS),
        ("messy", "duckdb"): ct.load_responses(messy_csv, engine="duckdb", **MESSY_OPTIONS),
        ("sample", "pandas"): ct.load_responses(RESPONSES),
        ("sample", "duckdb"): ct.load_responses(RESPONSES, engine="duckdb"),
    }


@pytest.fixture(scope="module")
def spark_loads(spark, messy_csv):
    return {
        "messy": ct.load_responses(messy_csv, engine="spark", **MESSY_OPTIONS),
        "sample": ct.load_responses(RESPONSES, engine="spark"),
    }


def _counted_from(loaded) -> pd.DataFrame:
    """A pandas load counted to the engine's grain (survey, day, segments, score)."""
    data = loaded.data
    keys = ["survey", "responded_at", *[c for c in ("channel", "agent", "team", "region",
                                                    "industry", "product") if c in data], "score"]
    frame = data.assign(responded_at=data["responded_at"].dt.floor("D"))
    weights = frame["weight"] if "weight" in frame else pd.Series(1.0, index=frame.index)
    frame = frame.assign(_w=weights, _w2=weights ** 2)
    out = (frame.groupby(keys, dropna=False, sort=True)
           .agg(n=("score", "size"), w=("_w", "sum"), w2=("_w2", "sum")).reset_index())
    return out


def _same_counts(engine_data: pd.DataFrame, expected: pd.DataFrame) -> None:
    keys = [c for c in expected.columns if c not in ("n", "w", "w2")]
    got = engine_data[keys + ["n", "w", "w2"]].sort_values(keys).reset_index(drop=True)
    want = expected.sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, check_exact=False, rtol=1e-12)


def _same_accounting(engine_load, pandas_load) -> None:
    assert engine_load.n_read == pandas_load.n_read
    assert engine_load.n_used == pandas_load.n_used
    assert engine_load.n_set_aside == pandas_load.n_set_aside
    pd.testing.assert_series_equal(engine_load.reason_counts(), pandas_load.reason_counts(),
                                   check_names=False, check_index_type=False)
    columns = ["source_row", "reason", "detail"]
    pd.testing.assert_frame_equal(
        engine_load.rejected[columns].astype({"source_row": "int64"}).reset_index(drop=True),
        pandas_load.rejected[columns].astype({"source_row": "int64"}).reset_index(drop=True),
        check_dtype=False)


def _same_metrics(engine_load, pandas_load, by) -> None:
    for metric in METRICS:
        if not (pandas_load.data["survey"] == metric).any():
            continue
        for period in (None, "M"):
            want = ct.metric_table(pandas_load.data, metric, by=by, period=period)
            got = ct.metric_table(engine_load.data, metric, by=by, period=period)
            pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12,
                                          check_dtype=False)


# --- the messy file: every reason, the same accounting ---------------------------------

def test_messy_file_accounting_matches_pandas_on_duckdb(loads):
    pandas_load, duck = loads["messy", "pandas"], loads["messy", "duckdb"]
    assert isinstance(duck, ScanResult) and duck.engine.startswith("DuckDB")
    # hand count: 20 rows; the pandas loader's reasons (tests/test_io.py holds them)
    assert pandas_load.n_read == 20
    assert set(pandas_load.reason_counts().index) >= {
        "missing response_id", "duplicate response_id", "missing survey", "unknown survey",
        "missing score", "unrecognised answer", "score outside the scale", "missing date",
        "unparseable date", "invalid weight", "outside the date range"} - {"score outside the scale"}
    _same_accounting(duck, pandas_load)


def test_messy_file_counts_and_metrics_match_pandas_on_duckdb(loads):
    pandas_load, duck = loads["messy", "pandas"], loads["messy", "duckdb"]
    assert is_counted(duck.data)
    _same_counts(duck.data, _counted_from(pandas_load))
    _same_metrics(duck, pandas_load, by="channel")
    # weighted metrics: Kish's n_eff from the counted w and w2
    want = ct.csat(pandas_load.data, weight="weight")
    got = ct.csat(duck.data, weight="weight")
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, check_dtype=False)


def test_sample_matches_pandas_on_duckdb(loads):
    pandas_load, duck = loads["sample", "pandas"], loads["sample", "duckdb"]
    _same_accounting(duck, pandas_load)
    _same_counts(duck.data, _counted_from(pandas_load))
    for by in (None, "channel", ["region", "channel"]):
        _same_metrics(duck, pandas_load, by=by)
    # the exact first and last answers (the report's data period and date)
    assert list(duck.answer_dates()) == [pandas_load.data["responded_at"].min(),
                                         pandas_load.data["responded_at"].max()]


def test_sample_comparisons_and_followup_match_pandas_on_duckdb(loads):
    pandas_load, duck = loads["sample", "pandas"], loads["sample", "duckdb"]
    for metric, by in (("csat", "channel"), ("nps", "region")):
        want = ct.compare(pandas_load.data, metric=metric, by=by)
        got = ct.compare(duck.data, metric=metric, by=by)
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12,
                                      check_dtype=False)
    want = ct.followup_queue(pandas_load.data, as_of="2025-01-01")
    got = ct.followup_queue(duck.followup_rows(), as_of="2025-01-01")
    assert duck.followup_total == len(want) == 4_783
    columns = ["response_id", "responded_at", "survey", "score", "category", "days_open"]
    pd.testing.assert_frame_equal(got[columns].reset_index(drop=True),
                                  want[columns].reset_index(drop=True), check_dtype=False)


# --- Spark: the same tables ----------------------------------------------------------

@pytest.mark.xdist_group("spark")
def test_messy_file_matches_pandas_on_spark(loads, spark_loads):
    pandas_load, on_spark = loads["messy", "pandas"], spark_loads["messy"]
    assert on_spark.engine.startswith("Spark")
    _same_accounting(on_spark, pandas_load)
    _same_counts(on_spark.data, _counted_from(pandas_load))
    _same_metrics(on_spark, pandas_load, by="channel")


@pytest.mark.xdist_group("spark")
def test_sample_matches_pandas_on_spark(loads, spark_loads):
    pandas_load, on_spark = loads["sample", "pandas"], spark_loads["sample"]
    _same_accounting(on_spark, pandas_load)
    _same_counts(on_spark.data, _counted_from(pandas_load))
    _same_metrics(on_spark, pandas_load, by="region")
    assert on_spark.followup_total == loads["sample", "duckdb"].followup_total
    assert list(on_spark.answer_dates()) == list(loads["sample", "duckdb"].answer_dates())


@pytest.mark.xdist_group("spark")
def test_spark_dataframe_source(spark, loads):
    frame = pd.read_csv(RESPONSES, dtype=str, keep_default_na=False, na_values=[""])
    with quiet_spark():
        source = spark.createDataFrame(frame)
    on_spark = ct.load_responses(source)
    assert on_spark.source == "Spark DataFrame" and on_spark.engine.startswith("Spark")
    _same_counts(on_spark.data, _counted_from(loads["sample", "pandas"]))


# --- sources: folders, globs, relations, Parquet -------------------------------------

@pytest.fixture(scope="module")
def parquet_folder(tmp_path_factory) -> Path:
    """The sample split into three Parquet files (typed columns: timestamps, text)."""
    folder = tmp_path_factory.mktemp("parts")
    frame = pd.read_csv(RESPONSES, parse_dates=["responded_at"], keep_default_na=False,
                        na_values=[""])
    cuts = np.linspace(0, len(frame), 4).astype(int)
    for i, (low, high) in enumerate(zip(cuts[:-1], cuts[1:])):
        frame.iloc[low:high].to_parquet(folder / f"part-{i}.parquet", index=False)
    return folder


def test_folder_and_glob_of_parquet_files(parquet_folder, loads):
    assert choose_engine(parquet_folder) == "duckdb"
    assert choose_engine(str(parquet_folder / "*.parquet")) == "duckdb"
    folder = ct.load_responses(parquet_folder)
    glob = ct.load_responses(str(parquet_folder / "part-*.parquet"))
    pandas_load = loads["sample", "pandas"]
    for loaded in (folder, glob):
        assert loaded.n_read == pandas_load.n_read == 22_569
        assert loaded.options["date_format"] is None  # typed timestamps: nothing to parse
        _same_counts(loaded.data, _counted_from(pandas_load))


def test_duckdb_relation_and_dataframe_sources(loads):
    import duckdb
    frame = pd.read_csv(RESPONSES, dtype=str, keep_default_na=False, na_values=[""])
    relation = duckdb.from_df(frame)  # the default connection
    own = duckdb.connect()
    in_own = own.from_df(frame)
    assert choose_engine(relation) == "duckdb" and choose_engine(frame) == "pandas"
    from_relation = ct.load_responses(relation)
    from_own = ct.load_responses(in_own, engine_options={"connection": own})
    from_frame = ct.load_responses(frame, engine="duckdb")
    assert from_relation.source == "DuckDB relation" and from_frame.source == "DataFrame"
    for loaded in (from_relation, from_own, from_frame):
        _same_counts(loaded.data, _counted_from(loads["sample", "pandas"]))


def test_rejected_rows_written_by_the_engine(messy_csv, tmp_path, loads):
    path = tmp_path / "rejected.parquet"
    loaded = scan_responses(messy_csv, engine="duckdb", rejected_path=path, **MESSY_OPTIONS)
    written = pd.read_parquet(path)
    assert loaded.rejected_path == path
    assert len(written) == loaded.n_set_aside == loads["messy", "pandas"].n_set_aside
    assert written["reason"].value_counts().sort_index().to_dict() == \
        loads["messy", "pandas"].rejected["reason"].value_counts().sort_index().to_dict()
    assert list(written.columns[:3]) == ["source_row", "reason", "detail"]


def test_keep_adds_columns_and_notes_the_rest(tmp_path):
    frame = pd.DataFrame({"response_id": [1, 2, 3], "score": [5, 4, 1], "plan": ["a", "b", "a"],
                          "comment": ["x", "y", "z"]})
    default = scan_responses(frame, engine="duckdb", survey="csat")
    assert "plan" not in default.data.columns
    assert any("'plan'" in note and "keep=" in note for note in default.notes)
    kept = scan_responses(frame, engine="duckdb", survey="csat", keep=["plan"])
    assert ct.csat(kept.data, by="plan")[["plan", "n"]].values.tolist() == [["a", 2], ["b", 1]]


def test_weighted_counts_need_the_same_weight():
    frame = pd.DataFrame({"response_id": [1, 2], "score": [5, 1], "weight": [2.0, 1.0]})
    loaded = scan_responses(frame, engine="duckdb", survey="csat")
    # hand: w = 2 + 1, w2 = 4 + 1; weighted CSAT = 2 / 3
    assert loaded.data[["n", "w", "w2"]].sum().tolist() == [2, 3.0, 5.0]
    assert ct.csat(loaded.data, weight="weight")["estimate"].iloc[0] == pytest.approx(200 / 3)
    assert ct.csat(loaded.data)["estimate"].iloc[0] == 50.0
    with pytest.raises(DataError, match="not weighted by 'other'"):
        tally(loaded.data, weight="other")


# --- errors: each names what to do ---------------------------------------------------

def test_unknown_engine_and_engine_options():
    frame = pd.DataFrame({"response_id": [1], "score": [5]})
    with pytest.raises(ParameterError, match="Unknown engine 'polars'.*pandas, duckdb, spark"):
        ct.load_responses(frame, engine="polars")
    with pytest.raises(ParameterError, match="Unknown DuckDB engine option.*'memory'.*memory_limit"):
        ct.load_responses(frame, survey="csat", engine="duckdb", engine_options={"memory": "1GB"})
    with pytest.raises(ParameterError, match="engine_options and keep apply to engine"):
        ct.load_responses(frame, survey="csat", keep=["x"])
    with pytest.raises(ParameterError, match="'sep'.*pandas loader only"):
        ct.load_responses(frame, survey="csat", engine="duckdb", sep=";")
    with pytest.raises(ParameterError, match="keep= names 'plan', not columns"):
        scan_responses(frame, engine="duckdb", survey="csat", keep=["plan"])
    with pytest.raises(ParameterError, match="use engine='duckdb' or 'spark'"):
        scan_responses(frame, engine="pandas")


def test_files_errors(tmp_path):
    with pytest.raises(FileFormatError, match="No data files at .*nothing"):
        files_of(tmp_path / "nothing" / "*.parquet")
    (tmp_path / "a.csv").write_text("response_id,score\n1,5\n")
    (tmp_path / "b.parquet").write_bytes(b"")
    with pytest.raises(FileFormatError, match="mixed or unknown types.*'.csv'.*'.parquet'"):
        files_of(tmp_path)


def test_missing_column_strict_and_no_rows(tmp_path, messy_csv):
    with pytest.raises(MissingColumnError, match="no 'response_id' column.*'id'"):
        scan_responses(messy_csv, engine="duckdb")
    for engine in ("pandas", "duckdb"):  # rows outside the date range are not problems
        with pytest.raises(RejectedRowsError, match="strict=True and 12 of 20 rows"):
            ct.load_responses(messy_csv, engine=engine, strict=True, **MESSY_OPTIONS)
    frame = pd.DataFrame({"response_id": [1, 2], "score": ["x", ""]})
    with pytest.raises(NoValidRowsError, match="all 2 rows were set aside.*source row 1"):
        scan_responses(frame, engine="duckdb", survey="csat")


def test_counted_frame_errors():
    with pytest.raises(DataError, match="needs the columns n, w and w2; 'w2' missing"):
        counted(pd.DataFrame({"score": [5], "n": [1], "w": [1.0]}))
    assert java_pattern("%Y-%m-%dT%H:%M:%S") == "yyyy-MM-dd'T'HH:mm:ss"
    with pytest.raises(ParameterError, match="'%j'.*Spark cannot read"):
        java_pattern("%Y %j")


# --- the notebooks on DuckDB: the same report --------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("name", ["01_metrics", "02_trends"])
def test_notebooks_on_duckdb_match_pandas(page_run, name):
    on_duckdb = page_run(name, load_options={"engine": "duckdb"}).headline
    on_pandas = page_run(name).headline
    assert on_duckdb.pop("engine").startswith("DuckDB") and on_pandas.pop("engine") == "pandas"
    paired = [f for f in on_pandas["findings"] if "respondents" in f]
    if name == "02_trends":  # the paired view needs respondent ids, which counts do not carry
        assert len(paired) == 2
        on_pandas["findings"] = [f for f in on_pandas["findings"] if f not in paired]
        on_duckdb["findings"] = [f for f in on_duckdb["findings"] if "No paired view" not in f]
    assert on_duckdb == on_pandas


def test_engine_key_reaches_the_loaders():
    """``engine: duckdb`` in a config reaches every responses loader."""
    from csat_toolkit.report.runner import _plan, discover_notebooks

    plan = _plan(discover_notebooks(), {"parameters": {
        "engine": "duckdb", "engine_options": {"memory_limit": "1GB"}}}, {})
    wanted = {"engine": "duckdb", "engine_options": {"memory_limit": "1GB"}}
    for name in ("01_metrics", "02_trends", "03_drivers", "04_nps_revenue"):
        assert plan[name]["load_options"] == wanted
    assert plan["04_nps_revenue"]["revenue_options"] == wanted
    assert plan["05_operations"]["ticket_options"] == wanted


def test_rows_from_the_engine_are_the_pandas_rows(loads):
    """Pages that model answers row by row (drivers, revenue, operations) get the rows used
    back from the engine: the pandas loader's rows, value for value, with the engine's
    accounting."""
    from csat_toolkit.report.sections.base import rows_of

    pandas_load, duck = loads["sample", "pandas"], loads["sample", "duckdb"]
    rows = rows_of(duck, seed=3)
    assert (rows.n_read, rows.n_used, rows.n_set_aside) == (22_569, 22_569, 0)
    assert rows.notes[-1] == ("All 22,569 rows used are brought back for the analyses that "
                              "model rows one by one.")
    want = pandas_load.data.drop(columns=["answer"])
    pd.testing.assert_frame_equal(rows.data[want.columns], want, check_dtype=False)
    assert rows_of(pandas_load) is pandas_load


def test_rows_beyond_the_limit_are_a_stated_seeded_sample(loads):
    duck = loads["messy", "duckdb"]  # 8 rows used of 20
    big = ct.load_responses(RESPONSES, engine="duckdb")
    sample = big.to_rows(limit=1_000, seed=7)
    again = big.to_rows(limit=1_000, seed=7)
    assert len(sample.data) == 1_000 and sample.n_used == 22_569
    pd.testing.assert_frame_equal(sample.data, again.data)
    assert sample.notes[-1].startswith("A seeded random sample of 1,000 of the 22,569 rows "
                                       "(seed 7, ")
    assert sample.data["response_id"].isin(loads["sample", "pandas"].data["response_id"]).all()
    assert duck.to_rows().reason_counts().equals(duck.reason_counts())


@pytest.mark.slow
def test_revenue_page_on_duckdb_matches_pandas(page_run):
    """Answers and the revenue table both through DuckDB: the page's numbers are pandas'."""
    engine = {"engine": "duckdb"}
    run = page_run("04_nps_revenue", load_options=engine, revenue_options=engine)
    assert ("Read 48,713 rows from revenue.csv: 48,713 used, none set aside. 48,713 "
            "customer-months of 3,000 customers, summed by DuckDB") in run.text
    assert run.headline == page_run("04_nps_revenue").headline


@pytest.mark.slow
def test_operations_page_on_duckdb_matches_pandas(page_run):
    """Tickets validated in DuckDB and brought back, answers too: pandas' numbers."""
    engine = {"engine": "duckdb"}
    run = page_run("05_operations", load_options=engine, ticket_options=engine)
    assert "Read 39,732 rows from tickets.csv: 39,732 used, none set aside. Counted by " \
        "DuckDB" in run.text
    assert run.headline == page_run("05_operations").headline


def test_report_writes_every_rejected_row_from_the_engine(tmp_path):
    """The report's CSV holds the first 1,000 rows set aside; the engine writes all of them
    to Parquet, and the accounting sentence says where each is."""
    frame = pd.DataFrame({"response_id": range(2_000),
                          "score": ["5"] * 500 + [""] * 1_500})
    loaded = ct.load_responses(frame, engine="duckdb", survey="csat")
    assert loaded.write_rejected(tmp_path) == ["rejected_rows.csv", "rejected_rows.parquet"]
    assert len(pd.read_csv(tmp_path / "rejected_rows.csv")) == 1_000
    every = pd.read_parquet(tmp_path / "rejected_rows.parquet")
    assert len(every) == 1_500 and set(every["reason"]) == {"missing score"}
    assert sorted(every["source_row"]) == list(range(501, 2_001))
    assert loaded.rejected_note() == ("The first 1,000 of the 1,500 rejected rows are in "
                                      "rejected_rows.csv; all of them in rejected_rows.parquet.")
    clean = ct.load_responses(frame.head(500), engine="duckdb", survey="csat")
    (tmp_path / "clean").mkdir()
    assert clean.write_rejected(tmp_path / "clean") == ["rejected_rows.csv"]
    assert clean.rejected_note() == "Rejected rows are in rejected_rows.csv."


def test_ticket_rows_from_the_engine_are_the_loaders_rows():
    """The drivers and operations pages read tickets through ``ticket_rows``: with an engine
    they are load_tickets' rows, with the engine's accounting."""
    from csat_toolkit.io.tables import load_tickets
    from csat_toolkit.report.sections.base import ticket_rows

    path = SAMPLE / "tickets.csv"
    want = load_tickets(path)
    got = ticket_rows(path, {}, {"engine": "duckdb"})
    assert (got.n_read, got.n_used, got.n_set_aside) == (want.n_read, want.n_used,
                                                         want.n_set_aside)
    assert got.engine.startswith("DuckDB")
    columns = ["ticket_id", "created_at", "first_response_at", "resolved_at", "channel"]
    pd.testing.assert_frame_equal(got.data[columns], want.data[columns], check_dtype=False)
    assert ticket_rows(path, {}, {}).engine == "pandas"
