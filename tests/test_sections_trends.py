"""Section builders of the trends report (csat_toolkit.report.sections.trends)."""
from __future__ import annotations


import matplotlib
import nbformat
import numpy as np
import pandas as pd
import pytest

from csat_toolkit.errors import DataError, ParameterError
from csat_toolkit.io import load_responses
from csat_toolkit.report.sections import Page
from csat_toolkit.report.sections import trends as T
from tests.conftest import NOTEBOOKS

matplotlib.use("Agg")


def monthly(shares, n=100, start="2023-01", survey="csat", seed=1, **columns):
    """n CSAT answers a month; ``shares[i]`` of month i are 5s, the rest 2s (exact)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i, share in enumerate(shares):
        month = pd.Period(start, "M") + i
        k = round(share * n)
        scores = [5] * k + [2] * (n - k)
        days = rng.integers(1, 28, n)
        rows += [{"survey": survey, "score": s,
                  "responded_at": pd.Timestamp(month.start_time) + pd.Timedelta(days=int(d))}
                 for s, d in zip(scores, days)]
    frame = pd.DataFrame(rows)
    frame.insert(0, "response_id", range(1, len(frame) + 1))
    return frame.assign(**columns)


def inputs_of(frame, tmp_path=None, **params):
    return T.prepare(load_responses(frame), params, out=tmp_path)


STEADY = [0.8] * 14  # 14 months at 80%
JUMP = [0.8] * 6 + [0.4] + [0.8] * 6  # month 7 (2023-07) drops to 40%


def _notebook():
    return nbformat.read(NOTEBOOKS / "02_trends.ipynb", as_version=4)


def test_defaults_are_the_notebooks_parameters():
    from csat_toolkit.report.runner import notebook_parameters

    values = {k: v["default"] for k, v in
              notebook_parameters(NOTEBOOKS / "02_trends.ipynb").items()}
    assert values == T.DEFAULTS


def test_notebook_cells_are_short_calls():
    for cell in _notebook().cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        lines = cell.source.splitlines()
        assert len(lines) <= 15, cell.source
        assert not any(line.lstrip().startswith(("if ", "for ", "try:")) for line in lines)


def test_parameters_picks_the_notebook_names():
    assert T.parameters({"metric": "nps", "np": np}) == {"metric": "nps"}


# --- load and the report that cannot run ---------------------------------------------

def test_load_stops_at_as_of(tmp_path):
    path = tmp_path / "r.csv"
    monthly([0.8, 0.5], n=4).to_csv(path, index=False)
    inputs = T.load({"responses_path": str(path), "as_of": "2023-01-31"})
    assert inputs.ready and inputs.data["responded_at"].max() < pd.Timestamp("2023-02-01")
    assert inputs.when.source == "parameter"
    assert inputs.loaded.n_set_aside == 4  # February's answers, outside the range


def test_load_without_a_path_is_a_parameter_error():
    with pytest.raises(ParameterError, match="responses_path"):
        T.load({"responses_path": ""})


def test_without_dated_answers_of_the_metric_every_section_is_empty():
    frame = monthly(STEADY[:3], n=10)
    inputs = inputs_of(frame, metric="nps", waves_metric="nps")
    section = T.accounting(inputs)
    assert section.skipped == ("No dated NPS answers (metric 'nps'): every section of this "
                               "report is skipped.")
    for build in (T.series, T.changes, T.yearly, T.control, T.shape, T.forecast,
                  T.segment_series):
        built = build(inputs)
        assert not (built.findings or built.figures or built.cards or built.missing), build
    assert T.mix_shift(inputs).sentences == ["No segment columns chosen."]
    assert T.waves(inputs).skipped == "No NPS answers with dates: no wave comparison."
    extra = T.headline_extra(inputs)
    assert extra["forecast"] == [] and extra["out_of_control"] == []
    assert extra["as_of_source"] == "data"  # CSAT answers have dates


def test_accounting_shows_the_summary_and_folds_the_table():
    inputs = inputs_of(monthly(STEADY[:3], n=10))
    section = T.accounting(inputs)
    assert section.tables == {} and section.skipped is None
    assert section.sentences == [inputs.loaded.summary(), inputs.when.sentence()]
    table = section.details[-1]
    assert table.title == "Rows read, used and set aside"
    assert table.data["rows"].tolist() == [inputs.loaded.n_read, inputs.loaded.n_used]
    assert "<summary>Details</summary>" in section.to_html()


# --- series, changes, control chart --------------------------------------------------

def test_series_card_and_small_periods():
    section = T.series(inputs_of(monthly([0.8, 0.6, 0.7], n=20)))
    card = section.cards[0]
    assert (card["value"], card["n"], card["label"]) == (70.0, 20, "CSAT (% satisfied), 2023-03")
    assert section.findings[1] == "3 period(s) are empty or below min_n: 2023-01, 2023-02, 2023-03."
    assert len(section.figures) == 1


def test_changes_find_the_drop_and_its_recovery():
    inputs = inputs_of(monthly(JUMP))
    section = T.changes(inputs)
    assert [str(p) for p in section["real"]["period"]] == ["2023-07", "2023-08"]
    assert section.findings[0].startswith("2023-07: CSAT (% satisfied) 40.0% is 40.0 points below")


def test_changes_say_when_nothing_changed():
    section = T.changes(inputs_of(monthly(STEADY[:4])))
    assert section.findings == ["No period-over-period change is beyond chance after correction "
                                "(3 of 3 changes had enough answers to test)."]


def test_control_chart_flags_the_drop():
    section = T.control(inputs_of(monthly(JUMP)))
    assert [str(p) for p in section["flagged"]["period"]] == ["2023-07"]
    assert len(section.findings) <= 3 and "2023-07" in section.findings[0]


def test_yearly_compares_with_a_year_before():
    section = T.yearly(inputs_of(monthly([0.8] * 12 + [0.4, 0.8])))
    assert section.findings[0].startswith("2024-01: CSAT (% satisfied) 40.0% is 40.0 points below "
                                          "2023-01")
    assert section.missing == []


def test_yearly_with_less_than_a_year_is_a_note():
    # period_changes(kind="yoy") finds no period with one a year before: a note, not a crash
    section = T.yearly(inputs_of(monthly(STEADY[:6])))
    assert section.skipped is None and section["yearly"] is None
    assert section.notes[0].startswith("Less than a year of data: no year-over-year "
                                       "comparison. No year over year change can be computed")


def test_one_or_two_periods_say_what_they_cannot_show():
    inputs = inputs_of(monthly(STEADY[:2]))
    series = T.series(inputs)
    assert series.notes == ["No rolling value: window=3 needs at least 3 periods; the series "
                            "has 2. Use a shorter window or a finer period."]
    assert series["series"]["n"].gt(0).sum() == 2  # the periods themselves are shown
    one = inputs_of(monthly(STEADY[:1]))
    changes = T.changes(one)
    assert changes.notes[0].startswith("No period-over-period comparison: No period over "
                                       "period change can be computed")
    assert changes["real"].empty
    for builder in (T.series, T.yearly, T.control, T.shape, T.forecast, T.mix_shift,
                    T.segment_series):
        builder(one)  # each runs or says why not; none raises
    extra = T.headline_extra(one)
    assert extra["forecast"] == [] and extra["goal_status"] is None
    assert extra["significant_changes"] == []
    assert extra["trend"].startswith("Trend test skipped: A trend test needs at least 10 "
                                     "periods with data; got 1")


# --- shape, forecast, goal -----------------------------------------------------------

def test_shape_notes_the_missing_season():
    section = T.shape(inputs_of(monthly(STEADY)))
    assert section.notes[0].startswith("Seasonality not estimated: STL needs at least 2 full cycles")
    assert section.findings[0].startswith("CSAT (% satisfied) shows no monotonic trend")
    assert section.notes[0] not in section.sentences and len(section.figures) == 1


def test_forecast_and_goal_card():
    inputs = inputs_of(monthly(STEADY), goal={"target": 70, "within": 2}, horizon=2)
    section = T.forecast(inputs)
    assert section.tables["forecast"]["forecast"].tolist() == [80.0, 80.0]
    card = section.cards[0]
    assert (card["label"], card["display"], card["value"]) == ("Goal", "on track", 1.0)
    assert card["sentence"] == section.findings[0] and card["detail"].endswith("by 2024-04")
    extra = T.headline_extra(inputs)
    assert extra["goal_status"] == "on track" and [f["period"] for f in extra["forecast"]] == [
        "2024-03", "2024-04"]


def test_forecast_of_a_short_series_is_a_note():
    section = T.forecast(inputs_of(monthly(STEADY[:4]), window=0))
    assert section.notes[0].startswith("Forecast skipped: ")
    assert not section.cards and section.findings == section.notes


def test_no_goal_is_a_note():
    section = T.forecast(inputs_of(monthly(STEADY), goal={}))
    assert section.notes == section.findings and not section.cards
    assert "goal" in section.notes[0].lower()


# --- waves, segments, mix shift ------------------------------------------------------

def _nps_waves(customers=True):
    frame = monthly([0.5] * 6, n=40, survey="nps")
    frame["score"] = np.where(frame["score"] == 5, 10, 3)
    if customers:
        frame["customer_id"] = [f"c{i % 40}" for i in range(len(frame))]
    return frame


def test_waves_with_the_paired_view():
    section = T.waves(inputs_of(_nps_waves(), metric="nps"))
    assert section["waves"].table["wave"].astype(str).tolist() == ["2023Q1", "2023Q2"]
    assert len(section.findings) == 3 and "2023Q1 and 2023Q2" in section.findings[1]
    assert len(section.figures) == 1


def test_waves_without_customers_have_no_paired_view():
    section = T.waves(inputs_of(_nps_waves(customers=False), metric="nps"))
    assert len(section.findings) == 1 and not section.figures


def test_segments_and_mix_shift(tmp_path):
    frame = monthly([0.8, 0.6], n=100)
    frame["channel"] = np.where(frame["response_id"] % 2 == 0, "chat", "email")
    inputs = inputs_of(frame, tmp_path, segments=["channel", "team"], window=0)
    section = T.segment_series(inputs)
    assert section.notes == ["Segment column 'team' is missing or has one value; skipped."]
    assert section.findings == section.notes and len(section.figures) == 1
    written = pd.read_csv(tmp_path / "segments.csv")
    assert sorted(set(written["level"])) == ["chat", "email"] and (written["n"] > 0).all()
    mix = T.mix_shift(inputs)
    assert len(mix.findings) == 1 and "from 2023-01 to 2023-02" in mix.findings[0]
    assert len(mix.figures) == 1


def test_mix_shift_with_one_period_is_a_note():
    frame = monthly([0.8], n=50)
    frame["channel"] = np.where(frame["response_id"] % 2 == 0, "chat", "email")
    section = T.mix_shift(inputs_of(frame, window=0))
    assert section.findings[0].startswith("No mix-shift decomposition by channel: ")


def test_the_page_gathers_the_headline_in_cell_order(tmp_path):
    inputs = inputs_of(monthly(JUMP), window=0)
    page = Page("Trends", tmp_path)
    for build in (T.accounting, T.series, T.changes, T.yearly, T.control, T.shape, T.forecast,
                  T.waves, T.segment_series, T.mix_shift):
        page.add(build(inputs))
    assert page.kpis[0]["label"] == "CSAT (% satisfied), 2024-01"
    assert page.skipped[-2:] == ["No NPS answers with dates: no wave comparison.",
                                 "Segment column 'channel' is missing or has one value; skipped."]
    extra = T.headline_extra(inputs)
    assert extra["out_of_control"] == ["2023-07"]
    assert extra["significant_changes"] == ["2023-07", "2023-08"]
    assert extra["seasonal_low"] == [] and extra["seasonality_p_value"] is None
    assert extra["trend"].startswith("CSAT (% satisfied) shows")
