"""Tickets in an engine: the same accounting, durations, SLA and quantiles as pandas (issue 15).

Golden tests: the bundled sample tickets and a messy file with every reason a ticket can be
set aside for go through the pandas loader and operations functions
(``load_tickets``, ``response_durations``, ``sla_compliance``, ``response_time_summary``)
and through DuckDB and Spark (``local[1]``: ``scan_tickets`` then ``ops.engine``); the
accounting, rejected rows, per-ticket durations (calendar and business hours), SLA tables,
exact quantiles with their intervals must be the same, the approximate quantiles within
their documented error. Spark tests skip with a message where PySpark or Java is absent.
"""
from __future__ import annotations

from pathlib import Path

import narwhals as nw
import numpy as np
import pandas as pd
import pytest

from csat_toolkit.errors import (
    DataError, DateFormatError, MissingColumnError, NoValidRowsError, ParameterError,
    RejectedRowsError,
)
from csat_toolkit.io.engines import open_backend
from csat_toolkit.io.engines._backends import Backend, quiet_spark
from csat_toolkit.io.engines.batches import map_batches, materialize
from csat_toolkit.io.engines.tickets import (
    SPARK_ACCURACY, TicketScan, clock_changes, group_quantiles, scan_tickets,
)
from csat_toolkit.io.tables import load_tickets
from csat_toolkit.ops import (
    ops_report_date, response_durations, response_time_summary, sla_compliance,
)
from csat_toolkit.ops.businesshours import Schedule
from csat_toolkit.ops.engine import (
    EngineSlaResult, engine_durations, engine_response_times, engine_sla,
)

from .conftest import SAMPLE

TICKETS = SAMPLE / "tickets.csv"
ROW = "__csat_row"
DURATIONS = ("first_response_hours", "first_response_business_hours", "resolution_hours",
             "resolution_business_hours")
PER_TICKET = (*DURATIONS, "first_response_open_hours", "first_response_open_business_hours",
              "resolution_open_hours", "resolution_open_business_hours")
TARGETS = {"first_response": {"urgent": 1, "high": 4, "normal": 8, "low": 24},
           "resolution": {"urgent": 8, "high": 24, "*": 72}}
# Office hours in UTC, the sample's zone: calendar hours are engine expressions, business
# hours go through map_batches.
OFFICE = Schedule({"mon-fri": "08:00-18:00", "sat": "10:00-14:00"}, timezone="UTC",
                  holidays=["2023-12-25", "2024-01-01"])

# Every reason a ticket can be set aside for, among good rows (CSV text, as a helpdesk
# export): ids, times (unreadable, out of order, at a change of clocks, with offsets),
# counts (negative, text, localized), handle times as HH:MM:SS, reopened flags.
MESSY = pd.DataFrame({
    "Ticket": ["T1", "T2", "T2", "", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12",
               "T13", "T14", "T15", "T16", "T17", "T18"],
    "Opened": ["2024-03-01 09:00", "2024-03-01 10:00", "2024-03-01 11:00", "2024-03-02 08:00",
               "", "not a date", "2024-03-03 09:00+01:00", "2024-07-03T10:00:00Z",
               "2024-03-03 11:00", "2024-03-04 09:00", "2024-03-04 10:00", "2024-03-31 01:30",
               "2024-10-27 01:30", "2024-03-05 09:00", "2024-03-05 10:00", "2024-03-06 09:00",
               "2024-03-06 10:00", "2024-03-07 08:00", "2024-03-10 02:30"],
    "First": ["2024-03-01 09:30", "2024-03-01 10:05", None, "2024-03-02 08:10", None, None,
              "yesterday", "2024-07-03 09:00", "2024-03-03 11:30", "2024-03-04 09:10",
              "2024-03-04 10:30", "2024-03-31 03:00", "2024-10-27 03:00", None,
              "2024-03-05 10:10", "2024-03-06 09:05", "2024-03-06 10:05", "2024-03-07 08:15",
              "2024-03-11 09:00"],
    "Closed": ["2024-03-01 12:00", "2024-03-01 11:00", None, None, None, None,
               "2024-03-03 12:00", "2024-07-03 12:00", "2024-03-03 11:10", "2024-03-04 08:00",
               "soon", "2024-03-31 05:00", "2024-10-27 05:00", "2024-03-05 12:00",
               "2024-03-05 18:00", "2024-03-06 12:00", None, "2024-03-07 09:00", None],
    "channel": ["chat", "email", "chat", "phone", "chat", "email", "chat", "email", "chat",
                "phone", "chat", "email", "chat", "phone", "chat", "email", "NA", "chat", "chat"],
    "priority": ["high", "low", "high", "low", "high", "low", "high", "urgent", "high", "low",
                 "high", "low", "high", "urgent", "high", "low", "high", "normal", "low"],
    "contacts": ["1", "2", "1", "1", "1", "1", "1", "1", "-1", "1,5", "1.000", "1", "1", "x", "2",
                 "1", "3", "1", "1"],
    "handle_time": ["300", "1:30", "01:02:03.5", "60", "60", "60", "60", "60", "60", "60", "abc",
                    "60", "60", "-5", "1,234.5", "60", "7", " 42 ", "1_000"],
    "reopened": ["0", "yes", "1", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "maybe",
                 "TRUE", "n", "1.0", "0"],
})
MESSY_COLUMNS = {"Ticket": "ticket_id", "Opened": "created_at", "First": "first_response_at",
                 "Closed": "resolved_at"}
MESSY_OPTIONS = {
    "default": dict(columns=MESSY_COLUMNS),
    "london": dict(columns=MESSY_COLUMNS, timezone="Europe/London"),
    "new_york_mapped": dict(
        columns={k: v for k, v in MESSY_COLUMNS.items() if k != "Opened"},
        combine={"created_at": ["Date", "Time"]}, fallback={"resolved_at": "closed_at"},
        timezone="America/New_York", nonexistent="shift_forward", ambiguous="latest",
        duplicates="last", decimal=",", thousands=".", na_values=["", "NA"]),
}


@pytest.fixture(scope="module")
def messy_csv(tmp_path_factory) -> Path:
    frame = MESSY.assign(Date=MESSY["Opened"].str[:10], Time=MESSY["Opened"].str[11:],
                         closed_at="2024-12-01 10:00")
    path = tmp_path_factory.mktemp("tickets") / "messy.csv"
    frame.to_csv(path, index=False)
    return path


def _same_load(engine_scan: TicketScan, loaded) -> None:
    """Accounting, rejected rows, notes and valid rows as the pandas loader gives them."""
    head, tail = loaded.summary().split(": ", 1)  # "Read n rows from <source>: ..."
    assert engine_scan.summary().split(": ", 1)[1] == f"{tail} Validated by {engine_scan.engine}."
    assert engine_scan.summary().startswith(head.rsplit(" from ", 1)[0])
    pd.testing.assert_frame_equal(engine_scan.report(), loaded.report())
    assert engine_scan.notes == loaded.notes
    for column in ("source_row", "reason", "detail"):
        assert engine_scan.rejected[column].tolist() == loaded.rejected[column].tolist(), column
    rows = engine_scan.backend.collect(engine_scan.data.sort(ROW))
    for column in loaded.data.columns:
        expected = pd.Series(loaded.data[column].tolist(), dtype=object)
        got = pd.Series(rows[column].tolist(), dtype=object)
        assert got.equals(expected), column


# --- validation ------------------------------------------------------------------------


@pytest.mark.parametrize("config", list(MESSY_OPTIONS))
def test_messy_file_matches_pandas_on_duckdb(messy_csv, config):
    options = MESSY_OPTIONS[config]
    loaded = load_tickets(messy_csv, **options)
    scan = scan_tickets(messy_csv, engine="duckdb", **options)
    _same_load(scan, loaded)
    assert scan.n_read == 19 and scan.rows_scanned == 19
    if config == "london":  # both changes of clocks set aside, the offsets converted
        assert set(scan.reason_counts().index) >= {
            "time does not exist in Europe/London: clocks sprang forward",
            "ambiguous time in Europe/London: clocks went back"}
        assert any("2 of the dates had a UTC offset" in note for note in scan.notes)


@pytest.fixture(scope="module")
def sample_runs():
    """The sample through pandas and DuckDB: loads, durations, SLA."""
    loaded = load_tickets(TICKETS)
    as_of = ops_report_date(None, loaded.data).timestamp
    scan = scan_tickets(TICKETS, engine="duckdb")
    durations = engine_durations(scan, schedule=OFFICE)
    return {"loaded": loaded, "as_of": as_of, "scan": scan, "durations": durations,
            "pandas": response_durations(loaded.data, schedule=OFFICE, as_of=as_of)}


def test_sample_accounting_and_rows_match_pandas_on_duckdb(sample_runs):
    scan = sample_runs["scan"]
    _same_load(scan, sample_runs["loaded"])
    assert scan.n_read == scan.n_used == 39_732 and scan.engine.startswith("DuckDB")
    assert scan.summary().endswith(f"Validated by {scan.engine}.")


def _same_durations(rows: pd.DataFrame, expected: pd.DataFrame, columns=PER_TICKET) -> None:
    for column in columns:
        np.testing.assert_allclose(rows[column].to_numpy(float),
                                   expected[column].to_numpy(float), rtol=0, atol=1e-9,
                                   err_msg=column)
    for column in ("responded", "resolved"):
        assert rows[column].tolist() == expected[column].tolist(), column
    issue = expected["duration_issue"].astype(object)
    assert rows["duration_issue"].astype(object).where(rows["duration_issue"].notna(),
                                                       None).tolist() == \
        issue.where(issue.notna(), None).tolist()


def test_sample_durations_match_pandas_per_ticket(sample_runs):
    durations = sample_runs["durations"]
    assert durations.as_of.timestamp == sample_runs["as_of"]  # the latest time stamp
    assert durations.as_of.source == "data" and durations.as_of.column == "resolved_at"
    assert durations.clock.startswith("calendar hours: engine expressions")
    rows = durations.backend.collect(durations.table.sort(ROW))
    _same_durations(rows, sample_runs["pandas"])
    # hand-checked ticket: T000004 created Sun 2023-01-01 09:12, first response Mon 09:32
    # = 24.33 h in calendar time, 1.53 h of office time (Monday from 08:00).
    first = rows.set_index("ticket_id").loc["T000004"]
    assert first["first_response_hours"] == pytest.approx(24 + 20 / 60)
    assert first["first_response_business_hours"] == pytest.approx(1 + 32 / 60)


def test_durations_per_batch_with_a_zone_and_schedules_per_team(sample_runs):
    """Calendar hours across clock changes (a 24x7 schedule per batch) and one schedule
    per team: the same per ticket as pandas."""
    data = sample_runs["loaded"].data
    teams = {"Technical": {"timezone": "Europe/London", "hours": {"mon-fri": "09:00-17:00"}},
             "Accounts": {"timezone": "America/New_York", "hours": {"mon-fri": "08:00-18:00"}}}
    options = dict(schedule=OFFICE, schedules=teams, by_column="team", as_of="2024-06-30 12:00")
    part = data.head(5_000)
    expected = response_durations(part, **options)
    durations = engine_durations(scan_tickets(part), batch_rows=2_000, **options)
    assert "per batch" in durations.clock
    _same_durations(durations.backend.collect(durations.table.sort(ROW)), expected)
    london = Schedule({"mon-fri": "08:00-18:00"}, timezone="Europe/London")
    head = data.head(2_000)
    in_zone = engine_durations(scan_tickets(head, engine="duckdb"), schedule=london,
                               as_of="2023-06-30")
    _same_durations(in_zone.backend.collect(in_zone.table.sort(ROW)),
                    response_durations(head, schedule=london, as_of="2023-06-30"))


@pytest.mark.parametrize("by, period, clock", [(["channel", "priority"], None, "business"),
                                               ("channel", "M", "calendar")])
def test_sample_sla_matches_pandas_on_duckdb(sample_runs, by, period, clock):
    data = sample_runs["loaded"].data
    keys = [by] if isinstance(by, str) else list(by)
    if period:
        data = data.assign(period=data["created_at"].dt.to_period(period).dt.start_time)
        keys.append("period")
    expected = sla_compliance(data, TARGETS, by=keys, clock=clock, schedule=OFFICE,
                              as_of=sample_runs["as_of"])
    result = engine_sla(sample_runs["durations"], TARGETS, by=by, period=period, clock=clock)
    assert isinstance(result, EngineSlaResult)
    pd.testing.assert_frame_equal(result.table, expected.table)
    pd.testing.assert_frame_equal(result.accounting, expected.accounting)
    assert result.summary() == expected.summary()
    assert result.warnings == expected.warnings
    assert result.breaches_total == len(expected.breaches)
    pd.testing.assert_frame_equal(result.breaches.head(200),
                                  expected.breaches.head(200)[list(result.breaches.columns)],
                                  check_dtype=False)
    assert result.status.empty and "rows" not in result.table


def test_sample_quantiles_match_pandas_exactly(sample_runs):
    """DuckDB quantile_cont is pandas' (numpy's) linear interpolation, R type 7."""
    expected_data = sample_runs["pandas"].assign(
        period=sample_runs["pandas"]["created_at"].dt.to_period("M").dt.start_time)
    out = engine_response_times(sample_runs["durations"], by="channel", period="M")
    assert set(out["duration"]) == set(DURATIONS)
    for column in DURATIONS:
        expected = response_time_summary(expected_data, column=column, by=["channel", "period"],
                                         expectations=False)
        got = out[out["duration"] == column].drop(columns="duration").reset_index(drop=True)
        pd.testing.assert_frame_equal(got.drop(columns="method"),
                                      expected.drop(columns="method"), check_dtype=False)
    methods = out.loc[out["statistic"] == "median", "method"].unique().tolist()
    assert methods == ["sample quantile (R type 7, exact: DuckDB quantile_cont); order-statistic "
                       "(binomial) distribution-free interval, Conover 1999 sec. 3.2, as R "
                       "confintr::ci_quantile"]
    # pandas' own quantile is the same interpolation (and numpy's default)
    values = sample_runs["pandas"]["first_response_hours"].dropna()
    overall = engine_response_times(sample_runs["durations"], columns=["first_response_hours"])
    assert overall["estimate"].iloc[0] == pytest.approx(values.quantile(0.5), abs=1e-12)
    assert overall["estimate"].iloc[1] == pytest.approx(np.quantile(values, 0.9), abs=1e-12)


def _rank_error(values: np.ndarray, estimate: float, p: float) -> float:
    """How far (as a share of n) ``estimate``'s rank is from the p-th quantile's rank."""
    below = np.mean(values < estimate)
    at_or_below = np.mean(values <= estimate)
    return 0.0 if below <= p <= at_or_below else min(abs(below - p), abs(at_or_below - p))


def test_approximate_quantiles_within_their_error(sample_runs):
    approx = engine_response_times(sample_runs["durations"], by="channel",
                                   quantiles="approximate")
    exact = engine_response_times(sample_runs["durations"], by="channel", quantiles="auto",
                                  exact_limit=10**9)
    assert approx["method"].str.startswith("approximate quantile (DuckDB approx_quantile").any()
    quantile_rows = approx["statistic"].isin(["median", "p90"])
    assert approx.loc[quantile_rows, "ci_low"].isna().all()
    pandas_rows = sample_runs["pandas"]
    for row in approx[quantile_rows].itertuples():
        values = pandas_rows.loc[pandas_rows["channel"] == row.channel, row.duration].dropna()
        p = 0.5 if row.statistic == "median" else 0.9
        # A t-digest has no proven bound, and DuckDB's merges its threads' digests in no
        # fixed order: on the sample the rank error is at most about 0.7% (measured over
        # runs); 2% leaves room without letting a wrong quantile through.
        assert _rank_error(values.to_numpy(), row.estimate, p) <= 0.02, row
    shares = ~quantile_rows
    pd.testing.assert_frame_equal(approx[shares].reset_index(drop=True),
                                  exact[shares].reset_index(drop=True))
    auto = engine_response_times(sample_runs["durations"], columns=["resolution_hours"],
                                 exact_limit=10)
    assert auto["method"].iloc[0].startswith("approximate")


def test_rejected_rows_written_by_the_engine(messy_csv, tmp_path):
    path = tmp_path / "rejected.parquet"
    scan = scan_tickets(messy_csv, columns=MESSY_COLUMNS, rejected_path=path)
    written = pd.read_parquet(path).sort_values("source_row").reset_index(drop=True)
    assert scan.rejected_path == path and len(written) == scan.n_set_aside == 12
    pd.testing.assert_frame_equal(written[["source_row", "reason", "detail", "ticket_id"]],
                                  scan.rejected[["source_row", "reason", "detail", "ticket_id"]],
                                  check_dtype=False)


def test_parquet_folder_with_typed_times_and_a_duckdb_relation(tmp_path, sample_runs):
    import duckdb
    frame = pd.read_csv(TICKETS, dtype=str).head(4_000)
    for column in ("created_at", "first_response_at", "resolved_at"):
        frame[column] = pd.to_datetime(frame[column])
    folder = tmp_path / "tickets"
    folder.mkdir()
    frame.iloc[:2_500].to_parquet(folder / "a.parquet")
    frame.iloc[2_500:].to_parquet(folder / "b.parquet")
    expected = load_tickets(frame)
    _same_load(scan_tickets(folder), expected)
    relation = duckdb.from_df(frame)
    scan = scan_tickets(relation)
    assert scan.source == "DuckDB relation" and scan.n_used == 4_000


def test_clock_changes_of_zones():
    changes = clock_changes("America/New_York", pd.Timestamp("2024-03-01"),
                            pd.Timestamp("2024-11-30"))
    assert [(k, str(a), str(b)) for k, a, b in changes] == [
        ("skipped", "2024-03-10 02:00:00", "2024-03-10 03:00:00"),
        ("repeated", "2024-11-03 01:00:00", "2024-11-03 02:00:00")]
    assert clock_changes("Asia/Tokyo", pd.Timestamp("2020-01-01"), pd.Timestamp("2024-12-31")) == []
    # Lord Howe Island moves its clocks by half an hour
    howe = clock_changes("Australia/Lord_Howe", pd.Timestamp("2024-01-01"),
                         pd.Timestamp("2024-12-31"))
    assert [(k, str(a), str(b)) for k, a, b in howe] == [
        ("repeated", "2024-04-07 01:30:00", "2024-04-07 02:00:00"),
        ("skipped", "2024-10-06 02:00:00", "2024-10-06 02:30:00")]


# --- map_batches -------------------------------------------------------------------------


def _double(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"x": frame["x"], "y": 2 * frame["x"], "n": len(frame)})


def test_map_batches_streams_batches_into_a_table():
    backend, table = open_backend(pd.DataFrame({"x": np.arange(10, dtype=float)}), "duckdb")
    out = map_batches(backend, table.select("x"), _double,
                      {"x": "float64", "y": "float64", "n": "int64"}, batch_rows=4)
    rows = backend.collect(out.sort("x"))
    assert rows["y"].tolist() == [2.0 * i for i in range(10)]
    assert sorted(rows["n"].unique().tolist()) == [2, 4]  # batches of 4, 4 and 2 rows
    assert backend.collect(out.select(nw.len()))["len"].iloc[0] == 10  # read again
    kept = materialize(backend, table.with_columns(z=nw.col("x") + 1))
    assert backend.collect(kept.select(nw.col("z").sum()))["z"].iloc[0] == 55.0


def test_map_batches_errors():
    backend, table = open_backend(pd.DataFrame({"x": [1.0]}), "duckdb")
    with pytest.raises(ParameterError, match=r"unknown types \('y', 'float32'\)"):
        map_batches(backend, table, _double, {"x": "float64", "y": "float32"})
    with pytest.raises(ParameterError, match="output_schema must map"):
        map_batches(backend, table, _double, {})
    with pytest.raises(ParameterError, match="batch_rows must be a whole number"):
        map_batches(backend, table, _double, {"x": "float64"}, batch_rows=0)
    with pytest.raises(DataError, match="The batch function returned columns 'x', 'y', 'n'; "
                       "the output schema names 'x', 'z'. Return exactly those."):
        map_batches(backend, table.select("x"), _double, {"x": "float64", "z": "float64"})
    with pytest.raises(ParameterError, match="map_batches runs in 'duckdb' or 'spark'"):
        map_batches(Backend("pandas", None, "DataFrame"), table, _double, {"x": "float64"})
    with pytest.raises(ParameterError, match="method must be one of exact, approximate"):
        group_quantiles(backend, table, [], ["x"], [0.5], "nearest")


# --- error paths ---------------------------------------------------------------------------


def _same_error(error, call_pandas, call_engine) -> None:
    with pytest.raises(error) as expected:
        call_pandas()
    with pytest.raises(error) as got:
        call_engine()
    assert str(got.value) == str(expected.value)


def test_scan_errors_are_the_loaders(messy_csv, tmp_path):
    def both(error, **options):
        _same_error(error, lambda: load_tickets(messy_csv, **options),
                    lambda: scan_tickets(messy_csv, **options))

    both(MissingColumnError)  # no ticket_id after the mapping
    both(RejectedRowsError, columns=MESSY_COLUMNS, strict=True)
    both(ParameterError, columns=MESSY_COLUMNS, duplicates="all")
    both(ParameterError, columns=MESSY_COLUMNS, dayfirst="yes")
    both(ParameterError, columns=MESSY_COLUMNS, nonexistent="later")
    both(ParameterError, columns=MESSY_COLUMNS, timezone="Mars/Olympus")
    both(ParameterError, columns=MESSY_COLUMNS, fallback=["closed_at"])
    both(MissingColumnError, columns=MESSY_COLUMNS, fallback={"resolved_at": "closed"})
    both(MissingColumnError, columns=MESSY_COLUMNS, combine={"created_at": ["Day", "Time"]})
    both(ParameterError, columns=MESSY_COLUMNS, combine={"created_at": "Opened"})
    bad = tmp_path / "bad.csv"
    MESSY.assign(Ticket=" ").to_csv(bad, index=False)
    _same_error(NoValidRowsError, lambda: load_tickets(bad, columns=MESSY_COLUMNS),
                lambda: scan_tickets(bad, columns=MESSY_COLUMNS))
    _same_error(DateFormatError, lambda: load_tickets(bad, columns=MESSY_COLUMNS,
                                                      date_format="%d/%m/%Y"),
                lambda: scan_tickets(bad, columns=MESSY_COLUMNS, date_format="%d/%m/%Y"))
    empty = tmp_path / "empty.csv"
    MESSY.head(0).to_csv(empty, index=False)
    _same_error(NoValidRowsError, lambda: load_tickets(empty, columns=MESSY_COLUMNS),
                lambda: scan_tickets(empty, columns=MESSY_COLUMNS))
    with pytest.raises(ParameterError, match="scan_tickets validates in an engine"):
        scan_tickets(messy_csv, engine="pandas")


def test_ops_errors(sample_runs):
    scan, durations = sample_runs["scan"], sample_runs["durations"]
    data = sample_runs["loaded"].data
    with pytest.raises(ParameterError, match="takes the result of scan_tickets"):
        engine_durations(data)
    with pytest.raises(ParameterError, match="takes engine_durations"):
        engine_response_times(scan)
    with pytest.raises(ParameterError, match="clock must be 'business' or 'calendar'"):
        engine_sla(durations, TARGETS, clock="wall")
    with pytest.raises(ParameterError, match="clock='business' needs business hours"):
        engine_sla(scan, TARGETS)
    with pytest.raises(ParameterError, match="breach_limit must be a whole number"):
        engine_sla(durations, TARGETS, breach_limit=-1)
    with pytest.raises(ParameterError, match="period must be one of D, M, Q, Y"):
        engine_sla(durations, TARGETS, period="W")
    with pytest.raises(MissingColumnError, match="engine_sla\\(by=...\\) names 'tier'"):
        engine_sla(durations, TARGETS, by="tier")
    with pytest.raises(ParameterError, match="quantiles must be 'auto', 'exact' or"):
        engine_response_times(durations, quantiles="median")
    with pytest.raises(ParameterError, match="within must be positive hours"):
        engine_response_times(durations, within=(0,))
    with pytest.raises(ParameterError, match="within must be hours such as"):
        engine_response_times(durations, within=("soon",))
    with pytest.raises(MissingColumnError, match="columns names 'wait_hours'"):
        engine_response_times(durations, columns=["wait_hours"])
    with pytest.raises(ParameterError, match="Unknown time zone .Mars/Olympus."):
        engine_durations(scan, source_timezone="Mars/Olympus")
    with pytest.raises(ParameterError, match="as_of must be a date and time"):
        engine_durations(scan, as_of="soon")
    with pytest.raises(ParameterError, match="min_n must be a whole number"):
        engine_sla(durations, TARGETS, min_n=0)
    with pytest.raises(ParameterError, match="conf must be between 0 and 1"):
        engine_response_times(durations, conf=1.5)
    with pytest.raises(ParameterError, match="stay in the engine"):
        engine_sla(durations, TARGETS).flag_agreement(data, "made_sla")
    # the pandas functions' own errors, with their messages
    as_of = sample_runs["as_of"]
    for targets, options, error in [
            ({"first_respons": 4}, {}, ParameterError),
            ({"first_response": {"high": -1}}, {}, ParameterError),
            (TARGETS, {"target_key": "tier"}, MissingColumnError),
            (pd.DataFrame({"metric": ["first_response"] * 2, "priority": ["high", "*"],
                           "channel": ["*", "chat"], "target_hours": [4, 2]}), {},
             ParameterError)]:
        _same_error(error, lambda: sla_compliance(data, targets, clock="calendar", as_of=as_of,
                                                  **options),
                    lambda: engine_sla(durations, targets, clock="calendar", **options))
    _same_error(ParameterError, lambda: response_durations(data, schedules={"x": OFFICE}),
                lambda: engine_durations(scan, schedules={"x": OFFICE}))
    _same_error(DataError, lambda: response_durations(data, schedules={"x": OFFICE},
                                                      by_column="team"),
                lambda: engine_durations(scan, schedules={"x": OFFICE}, by_column="team"))
    _same_error(ParameterError, lambda: response_durations(data, as_of="2024-01-01 10:00+01:00"),
                lambda: engine_durations(scan, as_of="2024-01-01 10:00+01:00"))
    no_reply = scan_tickets(data[["ticket_id", "created_at", "priority"]].head(50))
    with pytest.raises(MissingColumnError, match="target needs 'first_response_at'"):
        engine_sla(no_reply, {"first_response": 4}, clock="calendar")


def test_sla_warnings_match_pandas(sample_runs):
    data = sample_runs["loaded"].data
    targets = {"first_response": {"urgent": 1, "hihg": 4, "low": 24}}
    expected = sla_compliance(data, targets, clock="calendar", as_of=sample_runs["as_of"])
    result = engine_sla(sample_runs["durations"], targets, clock="calendar")
    assert len(result.warnings) == 2 and result.warnings == expected.warnings
    pd.testing.assert_frame_equal(result.table, expected.table)


# --- Spark ---------------------------------------------------------------------------------


@pytest.mark.xdist_group("spark")
def test_messy_file_matches_pandas_on_spark(spark, messy_csv):
    options = MESSY_OPTIONS["london"]
    scan = scan_tickets(messy_csv, engine="spark", **options)
    assert scan.engine.startswith("Spark")
    _same_load(scan, load_tickets(messy_csv, **options))


@pytest.mark.xdist_group("spark")
def test_sample_matches_pandas_on_spark(spark, sample_runs):
    """The sample's first 3,000 tickets as a Spark DataFrame: accounting, durations per
    ticket (business hours through mapInPandas), SLA table, exact quantiles with their
    intervals, and percentile_approx within its documented rank error."""
    head = pd.read_csv(TICKETS, dtype=str).head(3_000)
    loaded = load_tickets(head)
    with quiet_spark():
        frame = spark.createDataFrame(head)
    scan = scan_tickets(frame)
    assert scan.source == "Spark DataFrame" and scan.n_used == 3_000
    as_of = ops_report_date(None, loaded.data).timestamp
    expected = response_durations(loaded.data, schedule=OFFICE, as_of=as_of)
    durations = engine_durations(scan, schedule=OFFICE)
    _same_durations(durations.backend.collect(durations.table.sort(ROW)), expected)
    sla = engine_sla(durations, TARGETS, by="priority")
    pd.testing.assert_frame_equal(sla.table, sla_compliance(
        loaded.data, TARGETS, by="priority", schedule=OFFICE, as_of=as_of).table)
    columns = ["first_response_hours", "resolution_business_hours"]
    times = engine_response_times(durations, by="channel", columns=columns)
    for column in columns:
        got = times[times["duration"] == column].drop(columns=["duration", "method"])
        want = response_time_summary(expected, column=column, by="channel", expectations=False)
        pd.testing.assert_frame_equal(got.reset_index(drop=True), want.drop(columns="method"),
                                      check_dtype=False)
    assert times["method"].str.contains("exact: Spark percentile").any()
    approx = engine_response_times(durations, by="channel", quantiles="approximate",
                                   columns=["resolution_hours"])
    for row in approx[approx["statistic"].isin(["median", "p90"])].itertuples():
        values = expected.loc[expected["channel"] == row.channel, "resolution_hours"].dropna()
        p = 0.5 if row.statistic == "median" else 0.9
        assert _rank_error(values.to_numpy(), row.estimate, p) <= 1 / SPARK_ACCURACY + 1e-12
