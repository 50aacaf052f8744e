"""The index page (report.index) and the headline keys behind its tiles and findings."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from csat_toolkit.errors import ParameterError
from csat_toolkit.report.headline import (HIGHLIGHT_KINDS, data_period, heading_anchor,
                                          highlight, latest_change, rows_used, sla_miss, tile)
from csat_toolkit.report.index import (MAX_FINDINGS, rank_highlights, sparkline, write_index)
from csat_toolkit.runner import NotebookRun, RunResult

from .conftest import SAMPLE_RUN, read_headline


# --------------------------------------------------------------------------------------
# A hand-made run: headlines as the section builders write them.
# --------------------------------------------------------------------------------------


def _series(values, start="2024-01"):
    periods = pd.period_range(start, periods=len(values), freq="M").astype(str)
    return [{"period": p, "n": 100, "estimate": v, "ci_low": v - 5, "ci_high": v + 5}
            for p, v in zip(periods, values)]


def _tile(label, display, change, benchmark=None):
    return {"label": label, "display": display, "detail": "95% CI 53.8% to 65.9%, n=250",
            "n": 250, "series": _series([70.0, 65.0, 60.0]), "change": change,
            "benchmark": benchmark}


DOWN = {"significant": True, "direction": "down", "display": "-30.0 pts",
        "detail": "vs 2024-01 (95% CI -41.7 to -16.9)"}
FLAT = {"significant": False, "direction": "none", "display": "-6.4 pts",
        "detail": "vs 2024-11 (95% CI -10.9 to -1.9)"}


def _h(kind, sentence, anchor="Part", interval=None):
    return {"kind": kind, "sentence": sentence, "anchor": anchor, "interval": interval}


METRICS = {
    "title": "Metrics", "as_of": "2024-12-31T22:29:00", "as_of_source": "data",
    "as_of_column": "responded_at",
    "data_period": {"start": "2023-01-01T07:37:00", "end": "2024-12-31T22:29:00"},
    "kpis": [{"label": "CSAT", "display": "60.0%"}],
    "findings": ["CSAT 60.0% (95% CI 53.8% to 65.9%, n=250)."],
    "skipped": ["NPS answers have fewer than two channel values; no breakdown by channel."],
    "tiles": [_tile("CSAT <b>(% satisfied)</b>", "60.0%", DOWN,
                    {"label": "excellent CSAT level", "verdict": "below", "low": 80.0,
                     "high": 80.0, "source": "Merren"}),
              _tile("NPS", "14.2", FLAT,
                    {"label": "usual NPS target range", "verdict": "not distinguishable",
                     "low": 30.0, "high": 50.0, "source": "Devoted"})],
    "highlights": [_h("change", "CSAT fell 30.0 points (95% CI -41.7 to -16.9).",
                      "Headline-metrics")],
}
TRENDS = {
    "title": "Trends", "as_of": "2024-12-31T22:29:00", "as_of_source": "data",
    "as_of_column": "responded_at",
    "data_period": {"start": "2023-01-01T07:37:00", "end": "2024-12-31T22:29:00"},
    "findings": [], "highlights": [
        _h("out_of_control", "2024-12: CSAT 65.5% is below the control limits.",
           "Control-chart", "95% CI 62.3% to 68.6%, n=856"),
        _h("change", "<script>alert(1)</script> in segment 'x' (95% CI 1 to 2)."),
        _h("change", "2024-04: CSAT 77.6% is 15.5 points above 2024-03 (95% CI 10.7 to 20.0)."),
        _h("change", "2024-03: CSAT is 12.8 points below 2024-02 (95% CI -17.5 to -7.9).")]}
DRIVERS = {"title": "Drivers", "highlights": [
    _h("top_driver", "Fix first: first response time explains 52% (95% CI 46-55%).")]}
REVENUE = {"title": "Revenue", "highlights": [
    _h("revenue_gap", "Growth: promoters +7.6 against detractors (95% CI +6.7 to +8.4).",
       "Revenue-by-category")]}
OPS = {"title": "Operations", "highlights": [
    _h("sla_miss", "First response target missed for 1,683 of 39,712 (4.2%, 95% CI 4.0% to 4.4%).",
       "SLA-compliance")],
    "data_period": {"start": "2022-12-30T00:00:00", "end": "2024-12-31T23:41:00"},
    "as_of": "2024-12-31T23:41:00"}


def _runs():
    return [
        NotebookRun("01_metrics", "ok", html="01_metrics.html", headline=METRICS, seconds=20.0,
                    inputs={"/data/sample/responses.csv": "abc"}),
        NotebookRun("02_trends", "ok", html="02_trends.html", headline=TRENDS, seconds=30.5,
                    inputs={"/data/sample/responses.csv": "abc"}),
        NotebookRun("03_drivers", "ok", html="03_drivers.html", headline=DRIVERS, seconds=40.0,
                    inputs={"/data/sample/tickets.csv": "def"}),
        NotebookRun("04_nps_revenue", "failed", html="04_nps_revenue.html",
                    error="ValueError: <img src=x onerror=alert(1)>", headline=REVENUE),
        NotebookRun("05_operations", "ok", html="05_operations.html", headline=OPS, seconds=10.0),
    ]


class _Links(HTMLParser):
    """Every href, every element's tag and attributes, and the text of the page."""

    def __init__(self):
        super().__init__()
        self.hrefs, self.tags, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Links:
    parser = _Links()
    parser.feed(page)
    return parser


@pytest.fixture
def index(tmp_path):
    path = write_index(RunResult(tmp_path, _runs()), title="CX <report>")
    return path.read_text(encoding="utf-8")


def _tiles(page: str) -> list[str]:
    found = re.search(r'<section class="tiles"[^>]*>(.*?)</section>', page, re.S)
    return found.group(1).split('<div class="tile">')[1:] if found else []


def test_one_tile_per_headline_metric_with_value_interval_and_n(index):
    tiles = _tiles(index)
    assert len(tiles) == 2  # the tiles of 01_metrics, not every report's cards
    assert '<div class="value">60.0%</div>' in tiles[0]
    assert "95% CI 53.8% to 65.9%, n=250" in tiles[0]
    assert "CSAT &lt;b&gt;(% satisfied)&lt;/b&gt;" in tiles[0]  # label escaped


def test_arrow_only_when_the_change_is_significant(index):
    csat, nps = _tiles(index)
    assert '<div class="change down"><span class="arrow" aria-hidden="true">\u25bc</span>' in csat
    assert "-30.0 pts vs 2024-01 (95% CI -41.7 to -16.9), significant" in csat
    assert "\u25b2" not in nps and "\u25bc" not in nps
    assert "-6.4 pts vs 2024-11 (95% CI -10.9 to -1.9), not significant after correction" in nps


def test_no_arrow_for_a_direction_without_significance(tmp_path):
    # a direction alone does not draw an arrow: significance does
    odd = {"tiles": [_tile("X", "1", {**FLAT, "direction": "up"})]}
    runs = [NotebookRun("01_metrics", "ok", html="01_metrics.html", headline=odd)]
    page = write_index(RunResult(tmp_path, runs), title="t").read_text(encoding="utf-8")
    assert "\u25b2" not in page and "not significant after correction" in page


def test_benchmark_badges_and_trend_lines(index):
    csat, nps = _tiles(index)
    assert '<span class="badge below" title="Merren">below the excellent CSAT level (80)</span>' in csat
    assert "not distinguishable from the usual NPS target range (30 to 50)" in nps
    assert csat.count("<svg") == 1 and 'role="img"' in csat
    # the line runs through the three estimates 70, 65, 60 (band 55..75), top to bottom
    assert 'points="2.0,9.0 60.0,16.0 118.0,23.0"' in csat


def test_sparkline_values():
    svg = sparkline([{"period": "a", "estimate": 0.0}, {"period": "b", "estimate": None},
                     {"period": "c", "estimate": 10.0}], width=20, height=12)
    assert 'points="2.0,10.0 18.0,2.0"' in svg  # the missing point is left out
    assert sparkline([]) == ""
    assert 'aria-label="&lt;x&gt; per period, a to c"' in sparkline(
        [{"period": "a", "estimate": 1.0}, {"period": "c", "estimate": 1.0}], label="<x>")


def test_five_findings_at_most_ranked_by_importance(index):
    block = re.search(r'<section class="findings">(.*?)</section>', index, re.S).group(1)
    items = re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)
    assert len(items) == MAX_FINDINGS
    kinds = re.findall(r'<li class="([a-z_]+)">', block)
    # the first of each kind in importance order (the failed report's gap is left out),
    # then the next change
    assert kinds == ["change", "out_of_control", "top_driver", "sla_miss", "change"]
    assert "CSAT fell 30.0 points" in items[0] and "Metrics" in items[0]
    assert "(95% CI 62.3% to 68.6%, n=856)" in items[1]  # interval shown beside the sentence


def test_rank_highlights_dedupes_and_caps():
    from types import SimpleNamespace as E
    same = _h("change", "same")
    runs = [E(name="a", html=None, headline={"highlights": [same, same, _h("news", "x")]}),
            E(name="b", html="b.html", headline={"highlights": [
                _h(k, k) for k in reversed(HIGHLIGHT_KINDS)] * 2})]
    ranked = rank_highlights(runs)
    assert [r["sentence"] for r in ranked] == ["same", "out_of_control", "top_driver",
                                               "revenue_gap", "sla_miss"]
    assert ranked[0]["href"] is None and ranked[1]["href"] == "b.html#Part"
    assert rank_highlights(runs, limit=2)[1]["sentence"] == "out_of_control"


def test_links_resolve_to_files_and_anchors(index, tmp_path):
    hrefs = _parse(index).hrefs
    assert "manifest.json" in hrefs
    assert "01_metrics.html#Headline-metrics" in hrefs
    assert "02_trends.html#Control-chart" in hrefs
    assert "05_operations.html#SLA-compliance" in hrefs
    for href in hrefs:
        assert not href.startswith(("http", "javascript:", "//")), href
        page, _, anchor = href.partition("#")
        assert re.fullmatch(r"[0-9a-z_]+\.(html|json)", page), href


def test_data_text_is_inert(index):
    parsed = _parse(index)
    assert "<script" not in index and "<img" not in index
    assert not any(tag in ("script", "img", "iframe") for tag, _ in parsed.tags)
    assert not any(k.startswith("on") for _, attrs in parsed.tags for k in attrs)
    text = "".join(parsed.text)
    assert "<script>alert(1)</script> in segment 'x'" in text  # shown as text
    assert "<img src=x onerror=alert(1)>" in text
    assert "CX <report>" in text


def test_header_period_date_files_and_run_time(index):
    facts = dict(re.findall(r'<dt>([^<]+)</dt><dd class="[a-z]+">([^<]*)</dd>', index))
    assert facts == {"Data period": "2022-12-30 to 2024-12-31",
                     "Report date": "2024-12-31 22:29 to 2024-12-31 23:41",
                     "Source files": "responses.csv, tickets.csv",
                     "Run time": "1 min 40 s of notebook time"}


def test_reports_with_their_status(index):
    reports = re.findall(r'<section class="report( failed)?"><h2>([^<]+)', index)
    assert [name.strip() for _, name in reports] == ["Metrics", "Trends", "Drivers", "Revenue",
                                                     "Operations"]
    assert [bool(f) for f, _ in reports] == [False, False, False, True, False]
    assert "<b>Failed</b>: <code>ValueError: &lt;img src=x onerror=alert(1)&gt;</code>" in index
    assert "1 part(s) skipped" in index and "no breakdown by channel" in index


def test_without_tiles_the_cards_of_every_report_are_shown(tmp_path):
    runs = [NotebookRun("01_a", "ok", html="01_a.html",
                        headline={"kpis": [{"label": "A", "display": "1"}]}),
            NotebookRun("02_b", "ok", html="02_b.html",
                        headline={"kpis": [{"label": "B", "display": "2", "detail": "n=3"}]})]
    page = write_index(RunResult(tmp_path, runs), title="t").read_text(encoding="utf-8")
    assert [re.search(r'class="label">([^<]*)', t).group(1) for t in _tiles(page)] == ["A", "B"]
    assert '<section class="findings">' not in page  # no highlights: no findings block
    assert "change" not in "".join(_tiles(page))


# --------------------------------------------------------------------------------------
# The headline keys (report.headline): hand-computed values.
# --------------------------------------------------------------------------------------


def test_tile_from_results():
    card = {"metric": "nps", "label": "NPS", "value": 14.2, "display": "14.2"}
    series = pd.DataFrame({"period": pd.period_range("2023Q1", periods=14, freq="Q"),
                           "n": range(100, 114), "estimate": [float(v) for v in range(14)],
                           "ci_low": 0.0, "ci_high": 20.0})
    change = pd.Series({"period": "2024Q4", "reference": "2024Q3", "difference": -7.197,
                        "ci_low": -16.23, "ci_high": 1.84, "conf": 0.95, "p_adjusted": 0.59,
                        "significant": False})
    out = tile(card, series=series, change=change, change_sentence="s")
    assert [p["period"] for p in out["series"]][:2] == ["2023Q3", "2023Q4"]
    assert len(out["series"]) == 12 and out["series"][-1]["n"] == 113
    assert out["change"] == {"period": "2024Q4", "reference": "2024Q3", "difference": -7.197,
                             "ci_low": -16.23, "ci_high": 1.84, "p_adjusted": 0.59,
                             "significant": False, "direction": "none", "display": "-7.2 pts",
                             "detail": "vs 2024Q3 (95% CI -16.2 to +1.8)", "sentence": "s"}
    significant = change.copy()
    significant["significant"] = True
    mean = tile({"metric": "ces", "label": "CES"}, change=significant)  # a mean: 2 decimals
    assert mean["change"]["display"] == "-7.20" and mean["change"]["direction"] == "down"
    assert tile(card)["change"] is None and tile(card)["benchmark"] is None
    missing = change.copy()
    missing["difference"] = float("nan")
    assert tile(card, change=missing)["change"] is None


def test_latest_change_and_rows():
    assert latest_change(pd.DataFrame({"period": []})) is None
    assert rows_used(3, 5, "tickets") == {"used": 3, "read": 5, "what": "tickets"}


def test_data_period_takes_dates_and_periods():
    stamps = pd.Series(pd.to_datetime(["2024-02-01 10:00", "2024-02-03 11:30"])).dt.tz_localize("UTC")
    assert data_period({"created_at": stamps}) == {
        "start": "2024-02-01T10:00:00", "end": "2024-02-03T11:30:00", "columns": ["created_at"]}
    assert data_period({"period": pd.Series(pd.PeriodIndex(["2024-01"], freq="M"))}) == {
        "start": "2024-01-01T00:00:00", "end": "2024-01-31T23:59:59", "columns": ["period"]}
    assert data_period({}) is None


def test_highlights_and_anchors():
    assert heading_anchor("NPS and growth across segments and periods") == \
        "NPS-and-growth-across-segments-and-periods"
    assert heading_anchor("Caf\u00e9 <x>") == "Caf%C3%A9-%3Cx%3E"
    h = highlight("top_driver", "s", section="What speed is worth", interval="95% CI 1-2")
    assert h == {"kind": "top_driver", "rank": 3, "sentence": "s", "interval": "95% CI 1-2",
                 "section": "What speed is worth", "anchor": "What-speed-is-worth"}
    with pytest.raises(ParameterError, match="Unknown highlight kind 'x'; use one of 'change'"):
        highlight("x", "s", section="y")


def test_sla_miss_picks_the_worst_target():
    # 80 of 100 met: Wilson 95% CI of the share met 71.1% to 86.7%, so missed 13.3% to 28.9%
    table = pd.DataFrame({"metric": ["first_response", "resolution", "csat_call"],
                          "met": [95, 80, 0], "n": [100, 100, 0],
                          "estimate": [95.0, 80.0, float("nan")],
                          "ci_low": [88.8, 71.1, float("nan")],
                          "ci_high": [97.8, 86.7, float("nan")], "conf": 0.95})
    h = sla_miss(table)
    assert h["sentence"] == ("Resolution target missed for 20 of 100 decided tickets (20.0%, "
                             "95% CI 13.3% to 28.9%).")
    assert h["kind"] == "sla_miss" and h["anchor"] == "SLA-compliance"
    assert sla_miss(table.assign(met=table["n"])) is None  # every target met
    assert sla_miss(None) is None and sla_miss(table.iloc[:0]) is None


# --------------------------------------------------------------------------------------
# The sample run's index (the session's runner run, shared with the other sample tests).
# --------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.xdist_group(SAMPLE_RUN)
def test_sample_index_tiles_findings_and_links(reports_run):
    result = reports_run()
    index = result.index.read_text(encoding="utf-8")
    metrics = read_headline(result.out / "01_metrics")
    assert [t["metric"] for t in metrics["tiles"]] == ["csat", "nps", "ces", "pmf"]
    assert len(_tiles(index)) == 4
    nps = next(t for t in metrics["tiles"] if t["metric"] == "nps")
    # NPS is asked each quarter: its change is the last quarter against the one before,
    # as the trends report's waves section states it (-7.2, 95% CI -16.2 to +1.8).
    assert (nps["change"]["period"], nps["change"]["reference"]) == ("2024Q4", "2024Q3")
    assert nps["change"]["difference"] == pytest.approx(-7.2, abs=0.05)
    assert nps["change"]["significant"] is False
    block = re.search(r'<section class="findings">(.*?)</section>', index, re.S).group(1)
    assert 1 <= len(re.findall(r"<li ", block)) <= MAX_FINDINGS
    for href in _parse(index).hrefs:
        page, _, anchor = href.partition("#")
        assert (result.out / page).is_file(), href
        if anchor:
            assert f'id="{anchor}"' in (result.out / page).read_text(encoding="utf-8"), href
