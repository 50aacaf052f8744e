"""Revenue summed by customer and month in an engine (issue 15): the same as pandas.

The golden tests run the bundled sample revenue table and a messy invoice table (every
reason a revenue row is set aside, several invoices in one customer-month) through the
pandas path (``read_table``, the revenue analyses' row checks, a customer-month
``groupby``) and through ``scan_revenue`` on DuckDB and Spark (``local[1]``), and compare
the customer-month tables, the accounting and the notes. The revenue windows of the
NPS-and-revenue page come out the same from the engine's aggregate as from the table read
into memory. Spark tests skip with a message where PySpark or Java is absent.
"""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from csat_toolkit.errors import (
    DataError, FileFormatError, MissingColumnError, ParameterError,
)
from csat_toolkit.io.engines.revenue import (
    REJECTED_SHOWN, RevenueScan, month_numbers, scan_revenue,
)
from csat_toolkit.io.revenue_tables import read_table
from csat_toolkit.revenue import add_categories, revenue_windows
from csat_toolkit.revenue._common import _month_index, _month_label, _prepare_revenue

from .conftest import SAMPLE

REVENUE = SAMPLE / "revenue.csv"
REQUIRED = ["customer_id", "period", "revenue"]

# An invoice export with every reason a row is set aside (several times, and with the
# precedence of reasons), values pandas and DuckDB read differently ("1_000", "+-1"),
# and two customer-months with two invoices each (I2 with I1, I15 with I14).
MESSY = pd.DataFrame([
    ("I1", "C1", "2024-01", "100."),
    ("I2", "C1", "2024-01-31", "50.5"),
    ("I3", "", "2024-01", "10"),
    ("I4", "", "bad", "x"),
    ("I5", "C2", "2024-13", "5"),
    ("I6", "C2", "", "5"),
    ("I7", "C2", "March 2024", "abc"),
    ("I8", "C2", "2024-02-15", "1,000"),
    ("I9", "C2", " 2024-03 ", " 12 "),
    ("I10", "C3", "2024-02-29T10:00:00", "1_000"),
    ("I11", "C3", "2024-02", "+-1"),
    ("I12", "C3", "2024-02", "inf"),
    ("I13", "C3", "2024-05", "1e500"),
    ("I14", "C3", "2024-04-01", "-20.0"),
    ("I15", "C3", "2024-04", "1e2"),
    ("I16", "C4", "2024-02-30", "5"),
    ("I17", "C4", "2024-1", ".5e1"),
    ("I18", "C4", "nan", "7"),
    ("I19", "C5", "2024-05", "NaN"),
    ("I20", "C5", "2024-05", ""),
    ("I21", "C5", "2024-06", "-0"),
    *[(f"I{22 + k}", "C6", "2024-06", f"x{k}") for k in range(7)],
], columns=["Invoice", "Customer", "Month", "Net Revenue"])
MAPPING = {"Customer": "customer_id", "Month": "period", "Net Revenue": "revenue"}
SECOND_INVOICES = ["I2", "I15"]  # without them, each customer-month has one row


# --- the pandas path ----------------------------------------------------------------------


def pandas_reference(source, **read) -> tuple[pd.DataFrame, dict]:
    """read_table, the revenue analyses' row checks (``_prepare_revenue``'s), a groupby."""
    table = read_table(source, required=REQUIRED, what="revenue table", **read)
    months = _month_index(table["period"])
    amounts = pd.to_numeric(table["revenue"], errors="coerce").to_numpy(dtype=float)
    reason = np.full(len(table), "", dtype=object)
    for mask, text in ((table["customer_id"].isna().to_numpy(), "no customer id"),
                       (np.isnan(months), "unreadable month"),
                       (~np.isfinite(amounts), "revenue not a number")):
        reason[mask & (reason == "")] = text
    ok = reason == ""
    used = pd.DataFrame({"customer_id": table["customer_id"].to_numpy()[ok],
                         "month": months[ok].astype(int), "revenue": amounts[ok]})
    summed = (used.groupby(["customer_id", "month"], sort=True)
              .agg(revenue=("revenue", "sum"), rows=("revenue", "size")).reset_index())
    summed.insert(1, "period", [_month_label(m) for m in summed["month"]])
    counts = pd.Series(reason[~ok]).value_counts()
    return summed.drop(columns="month"), {"read": len(table), "reasons": counts.to_dict()}


def same_aggregate(scan: RevenueScan, expected: pd.DataFrame, exact: bool = True) -> None:
    got = scan.data
    assert got.columns.tolist() == ["customer_id", "period", "revenue", "rows"]
    assert got["customer_id"].tolist() == expected["customer_id"].tolist()
    assert got["period"].tolist() == expected["period"].tolist()
    assert got["rows"].tolist() == expected["rows"].tolist()
    if exact:
        np.testing.assert_array_equal(got["revenue"].to_numpy(), expected["revenue"].to_numpy())
    else:  # sums of several invoices: the engines add in their own order
        np.testing.assert_allclose(got["revenue"].to_numpy(), expected["revenue"].to_numpy(),
                                   rtol=1e-12, atol=0)


def same_accounting(scan: RevenueScan, accounting: dict) -> None:
    assert scan.n_read == accounting["read"]
    assert scan.reasons.to_dict() == accounting["reasons"]
    assert scan.n_used + scan.n_set_aside == scan.n_read


@pytest.fixture(scope="module")
def messy_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("revenue") / "invoices.csv"
    MESSY.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def references(messy_csv):
    return {"sample": pandas_reference(REVENUE),
            "messy": pandas_reference(messy_csv, columns=MAPPING)}


@pytest.fixture(scope="module")
def duckdb_scans(messy_csv):
    return {"sample": scan_revenue(REVENUE, engine="duckdb"),
            "messy": scan_revenue(messy_csv, engine="duckdb", columns=MAPPING)}


# --- the month reader ---------------------------------------------------------------------


def test_month_numbers_read_periods_as_the_revenue_analyses_do():
    texts = pd.Series(["2024-03", " 2024-03 ", "2024-1", "2024-13", "2024-02-29", "2023-02-29",
                       "2024-03-15 10:00", "2024-03-15T10:00:00", "March 2024", "", " ",
                       "nan", None, "2024/03", "202403", "0999-01"], dtype=object)
    got = month_numbers(texts)
    np.testing.assert_array_equal(got, _month_index(texts))
    assert got[0] == 2024 * 12 + 2 and got[4] == 2024 * 12 + 1  # hand-computed


# --- golden: pandas = DuckDB --------------------------------------------------------------


def test_sample_matches_pandas_on_duckdb(references, duckdb_scans):
    expected, accounting = references["sample"]
    scan = duckdb_scans["sample"]
    same_aggregate(scan, expected)
    same_accounting(scan, accounting)
    assert (scan.n_read, len(scan.data), scan.data["customer_id"].nunique()) == (48_713, 48_713,
                                                                                 3_000)
    assert scan.data.iloc[0].tolist() == ["C00001", "2023-01", 324.94, 1]  # the file's line 2
    # The revenue analyses count the same rows from the file and from the aggregate.
    table = read_table(REVENUE, required=REQUIRED)
    from_file = _prepare_revenue(table, customer="customer_id", period="period",
                                 amount="revenue", as_of=None, negative="keep").accounting
    items = dict(scan.accounting())
    for item in ("revenue rows read", "revenue rows used", "customers in the revenue table"):
        assert items[item] == dict(from_file)[item]
    assert scan.summary().startswith("Read 48,713 rows from revenue.csv: 48,713 used, none set "
                                     "aside. 48,713 customer-months of 3,000 customers, summed "
                                     "by DuckDB ")


def test_messy_invoices_match_pandas_on_duckdb(references, duckdb_scans, messy_csv):
    expected, accounting = references["messy"]
    scan = duckdb_scans["messy"]
    same_aggregate(scan, expected)
    same_accounting(scan, accounting)
    # Hand-computed: C1 2024-01 = 100 + 50.5 (two invoices), C2 2024-03 = " 12 ", C3 2024-04
    # = -20 + 1e2, C4 2024-01 = "2024-1" (pandas reads %m without a zero), C5 2024-06 = -0.
    assert scan.data.values.tolist() == [["C1", "2024-01", 150.5, 2], ["C2", "2024-03", 12.0, 1],
                                         ["C3", "2024-04", 80.0, 2], ["C4", "2024-01", 5.0, 1],
                                         ["C5", "2024-06", -0.0, 1]]
    assert scan.reasons.to_dict() == {"no customer id": 2, "unreadable month": 5,
                                      "revenue not a number": 14}
    assert scan.report()["rows"].tolist() == [28, 7, 14, 5, 2]
    # The revenue analyses' own accounting and notes, on the same rows with one invoice
    # per customer-month (the analyses stop on a repeated customer-month).
    table = read_table(messy_csv, columns=MAPPING, required=REQUIRED)
    single = table[~table["invoice"].isin(SECOND_INVOICES)]
    checked = _prepare_revenue(single, customer="customer_id", period="period",
                               amount="revenue", as_of=None, negative="keep")
    set_aside = [item for item in checked.accounting if "set aside" in item[0]]
    assert [item for item in scan.accounting() if "set aside" in item[0]] == set_aside
    assert scan.notes == [n for n in checked.warnings if "set aside" in n]
    assert scan.notes[2] == ("14 revenue rows set aside (revenue not a number): 'revenue' holds "
                             "'1,000', '1_000', '+-1', 'inf', '1e500' (and 9 more).")
    # The rows set aside come back in file order with their reasons and values.
    rejected = scan.rejected
    assert rejected["source_row"].tolist()[:4] == [3, 4, 5, 6]
    assert rejected["reason"].tolist()[:4] == ["no customer id", "no customer id",
                                               "unreadable month", "unreadable month"]
    assert rejected.columns.tolist() == ["source_row", "reason", *REQUIRED]
    assert len(rejected) == 21 < REJECTED_SHOWN


def test_examples_from_the_engine_when_many_rows_are_set_aside(monkeypatch, messy_csv,
                                                               duckdb_scans):
    """Beyond the rows brought back, the notes' examples come from one engine query."""
    import csat_toolkit.io.engines.revenue as module

    monkeypatch.setattr(module, "REJECTED_SHOWN", 4)
    scan = scan_revenue(messy_csv, engine="duckdb", columns=MAPPING)
    assert scan.notes == duckdb_scans["messy"].notes
    assert scan.rejected["source_row"].tolist() == [3, 4, 5, 6]
    assert scan.n_set_aside == 21


def test_windows_of_the_page_are_the_same_from_the_engine_aggregate(duckdb_scans):
    """revenue_windows (revenue by category on the NPS-and-revenue page) from the table
    read into memory and from the engine's customer-month table give the same result."""
    rng = np.random.default_rng(15)
    customers = [f"C{k:05d}" for k in rng.choice(np.arange(1, 3001), 400, replace=False)]
    answers = add_categories(pd.DataFrame({
        "customer_id": customers,
        "responded_at": pd.to_datetime("2023-06-01") + pd.to_timedelta(
            rng.integers(0, 400, len(customers)), unit="D"),
        "survey": "nps", "score": rng.integers(0, 11, len(customers)).astype(float)}))
    options = dict(before=3, after=6, category="category", survey=None, growth="log")
    in_memory = revenue_windows(answers, read_table(REVENUE, required=REQUIRED), **options)
    from_engine = revenue_windows(answers, duckdb_scans["sample"].data, **options)
    assert len(in_memory.table) > 100
    pd.testing.assert_frame_equal(from_engine.table, in_memory.table)
    pd.testing.assert_frame_equal(from_engine.accounting, in_memory.accounting)
    pd.testing.assert_frame_equal(from_engine.set_aside, in_memory.set_aside)
    assert from_engine.summary() == in_memory.summary()


def test_invoices_sum_to_the_customer_month_table(tmp_path):
    """The sample split into two invoices a month (and into two Parquet files) sums back
    to the sample's customer-month table."""
    sample = pd.read_csv(REVENUE, dtype=str)
    cents = (pd.to_numeric(sample["revenue"]) * 100).round().astype("int64")
    first = cents // 3
    invoices = pd.concat([sample.assign(revenue=[f"{c / 100:.2f}" for c in first]),
                          sample.assign(revenue=[f"{c / 100:.2f}" for c in cents - first])])
    folder = tmp_path / "invoices"
    folder.mkdir()
    invoices.iloc[::2].to_parquet(folder / "part-1.parquet", index=False)
    invoices.iloc[1::2].to_parquet(folder / "part-2.parquet", index=False)
    expected, _ = pandas_reference(REVENUE)
    for source in (folder, str(folder / "*.parquet")):
        scan = scan_revenue(source, engine="duckdb")
        same_aggregate(scan, expected.assign(rows=2), exact=False)
        assert scan.n_read == 2 * 48_713 and scan.source == str(source)


def test_typed_columns_and_native_sources(tmp_path):
    """Dates and numbers stored as such (Parquet, a DataFrame, a DuckDB relation)."""
    import duckdb

    frame = pd.DataFrame({
        "customer_id": ["a", "a", "b", None, "b"],
        "period": pd.to_datetime(["2024-01-05 00:00", "2024-01-31 23:59", "2024-02-01 00:00",
                                  "2024-02-01 00:00", None]),
        "revenue": [10.0, 2.5, np.inf, 1.0, 3.0]})
    path = tmp_path / "typed.parquet"
    frame.to_parquet(path, index=False)
    expected, accounting = pandas_reference(path)
    assert expected.values.tolist() == [["a", "2024-01", 12.5, 2]]
    relation = duckdb.from_df(frame)
    for source in (path, frame, relation):
        scan = scan_revenue(source, engine="duckdb")
        same_aggregate(scan, expected)
        same_accounting(scan, accounting)
    assert scan.source == "DuckDB relation"
    assert scan.notes[1] == "1 revenue rows set aside (unreadable month): 'period' holds NaT."


def test_decimal_comma_and_thousands(tmp_path):
    """A column of numbers written "1.234,5" is made plain; one that is not stays text."""
    euro = pd.DataFrame({"customer_id": ["C1", "C1", "C2", "C3"],
                         "period": ["2024-01", "2024-01", "2024-02", "2024-02"],
                         "revenue": ["1.234,5", "10", "-0,25", " 2,5 "]})
    path = tmp_path / "euro.csv"
    euro.to_csv(path, index=False, sep=";")
    expected, accounting = pandas_reference(path, sep=";", decimal=",", thousands=".")
    assert expected["revenue"].tolist() == [1244.5, -0.25, 2.5]
    scan = scan_revenue(path, engine="duckdb", decimal=",", thousands=".")
    same_aggregate(scan, expected)
    same_accounting(scan, accounting)
    mixed = euro.assign(revenue=["1.234,5", "10", "n/a", "2,5"])
    mixed.to_csv(path, index=False, sep=";")
    expected, accounting = pandas_reference(path, sep=";", decimal=",", thousands=".")
    scan = scan_revenue(path, engine="duckdb", decimal=",", thousands=".")
    same_aggregate(scan, expected)
    same_accounting(scan, accounting)
    assert scan.reasons.to_dict() == {"revenue not a number": 3}  # the column stayed text
    spaced = euro.assign(revenue=["1 234,5", "10", "-0,25", "1 000 000"])
    expected, accounting = pandas_reference(spaced, decimal=",", thousands=" ")
    assert expected["revenue"].tolist() == [1244.5, -0.25, 1e6]
    scan = scan_revenue(spaced, engine="duckdb", decimal=",", thousands=" ")
    same_aggregate(scan, expected)
    same_accounting(scan, accounting)


def test_rejected_rows_written_by_the_engine(messy_csv, tmp_path):
    out = tmp_path / "rejected" / "revenue.parquet"
    scan = scan_revenue(messy_csv, engine="duckdb", columns=MAPPING, rejected_path=out)
    assert scan.rejected_path == out
    written = pd.read_parquet(out).sort_values("source_row")
    assert written["source_row"].tolist() == scan.rejected["source_row"].tolist()
    assert written["reason"].value_counts().to_dict() == scan.reasons.to_dict()
    clean = scan_revenue(REVENUE, engine="duckdb", rejected_path=tmp_path / "none.parquet")
    assert clean.rejected_path is None and not (tmp_path / "none.parquet").exists()


# --- golden: pandas = Spark ---------------------------------------------------------------


@pytest.mark.xdist_group("spark")
def test_sample_and_messy_invoices_match_pandas_on_spark(spark, references, duckdb_scans,
                                                         messy_csv, monkeypatch):
    import csat_toolkit.io.engines.revenue as module

    # Fewer rows brought back than set aside: the notes' examples come from Spark too.
    monkeypatch.setattr(module, "REJECTED_SHOWN", 20)
    for name, source, options in (("sample", REVENUE, {}),
                                  ("messy", messy_csv, {"columns": MAPPING})):
        scan = scan_revenue(source, engine="spark", **options)
        expected, accounting = references[name]
        same_aggregate(scan, expected)
        same_accounting(scan, accounting)
        assert scan.notes == duckdb_scans[name].notes
        assert scan.engine.startswith("Spark ")
    pd.testing.assert_frame_equal(scan.rejected, duckdb_scans["messy"].rejected.head(20),
                                  check_dtype=False)


@pytest.mark.xdist_group("spark")
def test_spark_dataframe_with_typed_columns(spark):
    from csat_toolkit.io.engines._backends import quiet_spark

    frame = pd.DataFrame({"Customer": ["a", "a", "b", "c"],
                          "Day": pd.to_datetime(["2024-01-05", "2024-01-31", "2024-02-01",
                                                 "2024-03-01"]),
                          "Amount": [10.0, 2.5, np.nan, 4.0]})
    with quiet_spark():
        sdf = spark.createDataFrame(frame)
    scan = scan_revenue(sdf, columns={"Customer": "customer_id", "Day": "period",
                                      "Amount": "revenue"})
    assert scan.source == "Spark DataFrame"
    assert scan.data.values.tolist() == [["a", "2024-01", 12.5, 2], ["c", "2024-03", 4.0, 1]]
    assert scan.reasons.to_dict() == {"revenue not a number": 1}


# --- errors -------------------------------------------------------------------------------


def test_engine_and_number_mark_errors():
    frame = MESSY.rename(columns=MAPPING)
    with pytest.raises(ParameterError, match="scan_revenue sums in an engine"):
        scan_revenue(frame, engine="pandas")
    with pytest.raises(ParameterError, match="Unknown engine 'polars'"):
        scan_revenue(frame, engine="polars")
    with pytest.raises(ParameterError, match="Unknown DuckDB engine option"):
        scan_revenue(frame, engine="duckdb", engine_options={"memory": "1GB"})
    with pytest.raises(ParameterError, match="decimal and thousands are both ','"):
        scan_revenue(frame, engine="duckdb", decimal=",", thousands=",")
    with pytest.raises(ParameterError, match="decimal must be one character"):
        scan_revenue(frame, engine="duckdb", decimal="dot")


def test_column_errors(messy_csv):
    with pytest.raises(MissingColumnError, match=r"The revenue table \(invoices.csv\) has no "
                       r"column\(s\) 'Client' named in its column mapping"):
        scan_revenue(messy_csv, engine="duckdb", columns={"Client": "customer_id"})
    with pytest.raises(MissingColumnError, match=r"needs the column\(s\) 'customer_id', "
                       r"'revenue'; found 'invoice', 'client', 'period', 'net_revenue'. Map your "
                       r"names to them, e.g. \{'Customer': 'customer_id'\}."):
        scan_revenue(messy_csv, engine="duckdb", columns={"Month": "period",
                                                          "Customer": "client"})
    with pytest.raises(DataError, match="has two columns named 'customer_id' after renaming"):
        scan_revenue(messy_csv, engine="duckdb", columns={**MAPPING, "Invoice": "customer_id"})


def test_no_rows_no_usable_row_and_no_files(tmp_path):
    empty = pd.DataFrame({"customer_id": pd.Series([], dtype=object),
                          "period": pd.Series([], dtype=object),
                          "revenue": pd.Series([], dtype=float)})
    with pytest.raises(DataError, match="The revenue table has no rows"):
        scan_revenue(empty, engine="duckdb")
    bad = pd.DataFrame({"customer_id": ["a", None], "period": ["x", "2024-01"],
                        "revenue": ["1", "2"]})
    with pytest.raises(DataError, match="No usable row in the invoice table: every row lacks"):
        scan_revenue(bad, engine="duckdb", what="invoice table")
    with pytest.raises(FileFormatError, match="No data files at"):
        scan_revenue(str(tmp_path / "missing" / "*.parquet"), engine="duckdb")
