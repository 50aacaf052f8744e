"""Section builders of the metrics report (csat_toolkit.report.sections.metrics)."""
from __future__ import annotations

import matplotlib
import nbformat
import pandas as pd
import pytest

from csat_toolkit.errors import ParameterError
from csat_toolkit.io import load_responses
from csat_toolkit.report.sections import Page
from csat_toolkit.report.sections import metrics as M
from tests.conftest import NOTEBOOKS

matplotlib.use("Agg")


def answers(scores, survey="csat", **columns):
    """A responses frame: ids 1..n, one survey, optional extra columns."""
    frame = pd.DataFrame({"response_id": range(1, len(scores) + 1), "survey": survey,
                          "score": scores})
    return frame.assign(**columns)


def inputs_of(frame, tmp_path=None, **params):
    return M.prepare(load_responses(frame), params, out=tmp_path)


def csat_150_of_250(**columns):
    """The DESIGN worked example: 150 satisfied answers of 250 (CSAT 60%)."""
    return answers([5] * 100 + [4] * 50 + [3] * 60 + [1] * 40, **columns)


# --- the notebook only calls the builders -------------------------------------------

def _notebook(name):
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def test_defaults_are_the_notebooks_parameters():
    from csat_toolkit.report.runner import notebook_parameters

    values = {k: v["default"] for k, v in
              notebook_parameters(NOTEBOOKS / "01_metrics.ipynb").items()}
    assert values == M.DEFAULTS


def test_notebook_cells_are_short_calls():
    for cell in _notebook("01_metrics").cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        lines = cell.source.splitlines()
        assert len(lines) <= 15, cell.source
        assert not any(line.lstrip().startswith(("if ", "elif ", "try:")) for line in lines)


def test_parameters_picks_the_notebook_names():
    assert M.parameters({"min_n": 50, "title": "x", "pd": pd}) == {"min_n": 50, "title": "x"}


# --- load and accounting -------------------------------------------------------------

def test_load_writes_rejected_rows_and_fills_defaults(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("response_id,survey,score,responded_at\n1,csat,5,2025-03-01\n"
                    "2,csat,9,2025-03-02\n3,nps,10,2025-03-04\n", encoding="utf-8")
    inputs = M.load({"responses_path": str(path), "segments": []}, tmp_path)
    assert inputs.present == ["csat", "nps"]
    assert inputs.params["min_n"] == 30
    assert str(inputs.when.date) == "2025-03-04" and inputs.when.source == "data"
    rejected = pd.read_csv(tmp_path / "rejected_rows.csv")
    assert rejected["response_id"].tolist() == [2]


def test_load_without_a_path_is_a_parameter_error():
    with pytest.raises(ParameterError, match="responses_path"):
        M.load({"responses_path": None})


def test_accounting_names_absent_surveys_and_missing_dates():
    section = M.accounting(inputs_of(answers([5, 4], survey="nps")))
    assert section.notes == [
        "No CSAT, CES, PMF answers in the data: their cards, benchmarks and breakdowns are "
        "skipped.",
        "No answer dates (responded_at): no report date, trend chart or follow-up ages."]
    assert section.tables == {}  # the accounting table is folded under Details
    assert section.sentences == ["Read 2 rows from DataFrame: 2 used, none set aside.",
                                 "Surveys present: nps. Rejected rows are in rejected_rows.csv."]
    table = section.details[-1]
    assert table.title == "Rows read, used and set aside"
    assert table.data.to_dict("list") == {"item": ["rows read", "rows used"], "rows": [2, 2]}
    assert section["accounting"] is table.data


def test_accounting_folds_the_readers_notes(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("response_id,survey,score,region\n1,csat,5,NA\n2,csat,4,EMEA\n",
                    encoding="utf-8")
    section = M.accounting(M.load({"responses_path": str(path), "segments": []}))
    assert not any("missing-value markers" in s for s in section.sentences)
    assert section.details[0].startswith("Cells that look like missing-value markers were "
                                         "kept as text: region 1 ('NA').")
    html = section.to_html()
    assert html.index("<summary>Details</summary>") < html.index("missing-value markers")
    assert html.index("Read 2 rows") < html.index("<summary>Details</summary>")


def test_accounting_with_survey_types_and_a_date():
    frame = answers([5, 4], responded_at=["2025-01-02", "2025-01-03"])
    inputs = inputs_of(frame, survey_types=["csat", "pmf"], as_of="2025-02-01")
    section = M.accounting(inputs)
    assert section.notes == ["No PMF answers in the data: their cards, benchmarks and "
                             "breakdowns are skipped."]
    assert inputs.when.source == "parameter" and inputs.when.sentence() in section.sentences


def test_a_survey_left_out_by_survey_types_is_not_reported():
    frame = pd.concat([answers([5, 4]), answers([9, 10], survey="nps").assign(response_id=[3, 4])])
    assert inputs_of(frame, survey_types=["nps"]).present == ["nps"]


# --- headline metrics and benchmarks -------------------------------------------------

def test_headline_metrics_worked_example():
    section = M.headline_metrics(inputs_of(csat_150_of_250()))
    card = section.cards[0]
    assert (card["metric"], card["value"], card["n"]) == ("csat", 60.0, 250)
    assert card["display"] == "60.0%"
    assert section.findings == [card["sentence"]]
    assert section.tables["overall"]["n"].tolist() == [250]
    assert list(section.tables["overall"].columns) == ["metric", "n", "estimate", "ci_low",
                                                       "ci_high", "small_n", "method"]
    # mean score (5 x 100 + 4 x 50 + 3 x 60 + 1 x 40) / 250 = 920 / 250 = 3.68
    assert section.tables["breakdown"].to_dict("records") == [{"metric": "csat", "mean": 3.68}]


def test_headline_breakdown_holds_the_nps_shares():
    scores = [10] * 5 + [8] * 3 + [2] * 2  # 50% promoters, 30% passives, 20% detractors
    section = M.headline_metrics(inputs_of(answers(scores, survey="nps")))
    assert section.tables["overall"]["estimate"].tolist() == [30.0]
    assert section.tables["breakdown"].to_dict("records") == [
        {"metric": "nps", "pct_promoters": 50.0, "pct_passives": 30.0, "pct_detractors": 20.0}]


def test_benchmarks_verdict_and_sentence():
    inputs = inputs_of(csat_150_of_250())
    section = M.benchmarks(inputs)  # computes the headline itself
    row = section["benchmarks"].iloc[0]
    assert row["verdict"] == "below" and row["benchmark_low"] == 80
    assert section.findings and "80" in section.findings[0]
    assert list(section.tables["benchmarks"].columns)[:2] == ["metric", "estimate"]
    assert "benchmark_source" not in section.tables["benchmarks"]
    assert section.details[0].title == "Where the benchmarks come from"
    assert section.details[0].data["benchmark_source"].iloc[0] == row["benchmark_source"]


def test_benchmarks_skip_sentence_when_none_chosen():
    section = M.benchmarks(inputs_of(csat_150_of_250(), benchmarks={}))
    assert section.sentences == ["No benchmark chosen for the metrics in this data."]
    assert section.findings == [] and section.missing == []


# --- distributions, segments, over time, follow-up -----------------------------------

def test_distributions_one_figure_and_skip_without_surveys():
    assert len(M.distributions(inputs_of(csat_150_of_250())).figures) == 1
    nps = answers([9, 3], survey="nps").assign(response_id=[0, -1])
    frame = pd.concat([csat_150_of_250(), nps])
    section = M.distributions(inputs_of(frame))
    assert len(section.figures) == 2  # one narrow figure per survey
    assert [f.get_size_inches()[0] for f in section.figures] == [4.8, 4.8]
    assert section.captions[0] == (
        "Chart: share of CSAT answers at each score (Wilson 95% CI), coloured by class. "
        + M.headline_metrics(inputs_of(frame)).findings[0])
    assert section.captions[1].startswith("Chart: share of NPS answers at each score")
    section = M.distributions(inputs_of(csat_150_of_250(), survey_types=["pmf"]))
    assert section.skipped == "No answers: no score distributions." and not section.figures


def test_segments_find_the_lower_channel_and_write_the_table(tmp_path):
    channel = ["chat"] * 125 + ["email"] * 125
    scores = [5] * 110 + [2] * 15 + [5] * 40 + [2] * 85  # chat 88%, email 32%
    inputs = inputs_of(answers(scores, channel=channel), tmp_path, segments=["channel", "team"])
    section = M.segments(inputs)
    assert section.notes == ["Segment column 'team' is not in the data; skipped."]
    assert section.findings[0] == section.notes[0]  # the skip note is a finding too (as before)
    assert section.sentences == section.findings[1:] and "88.0%" in section.sentences[0]
    written = pd.read_csv(tmp_path / "segments.csv")
    assert sorted(written["level"]) == ["chat", "email"] and written["significant"].all()
    charts = M.segment_charts(inputs)
    assert [c.name for c in charts] == ["csat by channel"]
    assert len(charts[0].figures) == 1 and charts[0].tables == {}
    folded = charts[0].details[0]
    assert folded.title == "CSAT by channel: each level against the rest"
    assert folded.data["channel"].tolist() == ["chat"]
    said = ("CSAT (% satisfied) by channel: chat above the rest (significant after correction "
            "for multiple testing).")
    assert charts[0].sentences == [said]
    assert charts[0].captions == ["Chart: CSAT (% satisfied) by channel, each level with its "
                                  "95% CI. " + said]
    assert charts[0].alt_text(0) == charts[0].captions[0]


def test_segment_chart_sentence_names_levels_below_and_the_rest():
    channel = ["chat"] * 100 + ["email"] * 100 + ["phone"] * 100
    scores = [5] * 90 + [2] * 10 + [5] * 30 + [2] * 70 + [5] * 60 + [2] * 40
    inputs = inputs_of(answers(scores, channel=channel), segments=["channel"])
    said = M.segment_charts(inputs)[0].sentences[0]
    # chat 90% and email 30% differ from the rest; phone 60% is the overall 60%
    assert said == ("CSAT (% satisfied) by channel: chat above the rest and email below "
                    "(significant after correction for multiple testing); the other levels "
                    "are not told apart from the rest.")
    flat = inputs_of(csat_150_of_250(channel=["chat", "email"] * 125), segments=["channel"])
    assert M.segment_charts(flat)[0].sentences[0] == (
        "CSAT (% satisfied) by channel: no level differs from the rest beyond what chance "
        "explains.")


def test_segments_say_when_nothing_differs():
    channel = ["chat", "email"] * 125
    section = M.segments(inputs_of(csat_150_of_250(channel=channel), segments=["channel"]))
    assert section.findings == ["No segment differs from the rest beyond what chance explains."]


def test_over_time_skips_without_dates_and_draws_with_them():
    assert M.over_time(inputs_of(csat_150_of_250())).skipped == (
        "No dates in the data (or no CSAT/NPS answers): the trend chart is skipped.")
    dates = pd.date_range("2025-01-01", periods=250, freq="D")
    section = M.over_time(inputs_of(csat_150_of_250(responded_at=dates)))
    assert section.skipped is None and len(section.figures) == 1
    # the last period, 2025-09 (7 days: 2025-09-01 to 09-07), holds the last 7 answers: all 1s
    # Wilson upper bound of 0 of 7: z^2 / (n + z^2) = 3.8415 / 10.8415 = 35.4%
    assert section.sentences == ["CSAT (% satisfied), 2025-09 0.0% (95% CI 0.0% to 35.4%, n=7); "
                                 "small sample, read with care."]
    assert section.captions == ["Chart: CSAT per period with 95% interval bands. Latest: "
                                + section.sentences[0]]
    ces = answers([5, 6, 7], survey="ces", responded_at=dates[:3])
    assert M.over_time(inputs_of(ces)).skipped  # CES only: no trend chart


def test_followup_counts_and_writes_the_queue(tmp_path):
    section = M.followup(inputs_of(csat_150_of_250(), tmp_path, followup_rows=5))
    assert section.findings == ["100 answers need a follow-up (listed in followup.csv)."]
    assert len(section.tables["queue"]) == 5
    assert len(pd.read_csv(tmp_path / "followup.csv")) == 100


def test_the_page_gathers_the_headline_in_cell_order(tmp_path):
    frame = csat_150_of_250(channel=["chat", "email"] * 125)
    inputs = inputs_of(frame, tmp_path, segments=["channel", "team"])
    page = Page("Metrics", tmp_path)
    for build in (M.accounting, M.headline_metrics, M.benchmarks, M.segments, M.over_time,
                  M.followup):
        page.add(build(inputs))
    extra = M.headline_extra(inputs)
    assert (extra["n_read"], extra["n_used"], extra["surveys"], extra["followup"]) == (
        250, 250, ["csat"], 100)
    assert extra["as_of"] is None and extra["as_of_source"] is None
    assert page.skipped == [
        "No NPS, CES, PMF answers in the data: their cards, benchmarks and breakdowns are "
        "skipped.",
        "No answer dates (responded_at): no report date, trend chart or follow-up ages.",
        "Segment column 'team' is not in the data; skipped.",
        "No dates in the data (or no CSAT/NPS answers): the trend chart is skipped."]
    assert page.findings[-1].startswith("100 answers")
    assert [k["metric"] for k in page.kpis] == ["csat"]
