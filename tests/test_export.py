"""The exported report page (runner.export_html with the csat_report template)."""
from __future__ import annotations

import base64
import re
import shutil
import subprocess
from html.parser import HTMLParser

import nbformat
import pytest

from csat_toolkit.report.index import report_page, table_of_contents
from csat_toolkit.runner import export_html

from .conftest import SAMPLE_RUN

# A 1x1 PNG, as a plot cell's output carries it.
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()
WIDE = "<table><tr>" + "".join(f"<th>column_{i}</th>" for i in range(40)) + "</tr><tr>" + \
    "".join(f"<td>{i * 1000.5}</td>" for i in range(40)) + "</tr></table>"
INTRO = ("# Customer satisfaction metrics\n\nWhat this report answers: **how satisfied are our\n"
         "customers, and where do we stand?** It gives CSAT with intervals.")
HEADLINE = {
    "title": "Metrics <script>alert('title')</script>",
    "findings": ["CSAT 60.0% (95% CI 53.8% to 65.9%, n=250).",
                 "Segment <img src=x onerror=alert(1)> is 5.0 points above the rest."],
    "highlights": [{"kind": "change", "rank": 1, "anchor": "By-segment", "interval": None,
                    "sentence": "2024-12: CSAT 65.5% is 10.4 points below 2024-11 (95% CI -15.2 to -5.5)."}],
    "skipped": ["NPS answers have fewer than two <b>channel</b> values; no breakdown."],
    "rows": {"used": 22569, "read": 22570, "what": "answers"},
    "data_period": {"start": "2023-01-01T07:37:00", "end": "2024-12-31T22:29:00"},
    "as_of": "2024-12-31T22:29:00", "as_of_source": "data", "as_of_column": "responded_at",
}


def _notebook(path):
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    html = lambda text: nbformat.v4.new_output("display_data", {"text/html": text})  # noqa: E731
    image = nbformat.v4.new_output("display_data", {"image/png": PNG, "text/plain": "<Figure>"})
    cells = [
        md(INTRO),
        code("import csat_toolkit  # hidden"),
        md("## Data accounting\n\nEvery row read is either used or set aside."),
        code("show(table)", outputs=[html(WIDE)]),
        md("## By segment\n\nEach segment against the rest."),
        code("plot()", outputs=[image]),
        md("## Follow-up queue (close the loop)\n\n### A smaller heading"),
        code("show(queue)", outputs=[html("<details><summary>All 40 rows</summary>"
                                          "<p>hidden until opened</p></details>")]),
    ]
    cells[1].metadata["tags"] = ["remove_cell"]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, str(path))
    return path


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.ids, self.text, self.scripts = [], set(), [], []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if "id" in attrs:
            self.ids.add(attrs["id"])
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.text).append(data)


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    path = export_html(_notebook(folder / "01_metrics.ipynb"), folder / "01_metrics.html",
                       HEADLINE, index_link="index.html")
    return path.read_text(encoding="utf-8")


def _external(tags) -> list[str]:
    found = []
    for tag, attrs in tags:
        for name in ("src", "href", "srcset", "data", "action", "poster"):
            value = (attrs.get(name) or "").strip().lower()
            if value and not value.startswith(("#", "data:image/", "index.html")):
                found.append(f"<{tag} {name}={value[:60]}>")
    return found


def _check_page(text: str) -> _Page:
    """What every exported page must hold: no request, working contents, print styles."""
    page = _parse(text)
    assert _external(page.tags) == []
    assert not [t for t, a in page.tags if t == "link"]  # no stylesheet or font links
    assert "@import" not in text and "url(" not in text.split("</style>")[0]
    assert "require.js" not in text and "mathjax" not in text.lower()
    toc = [a["href"] for t, a in page.tags if t == "a" and a.get("href", "").startswith("#")]
    nav = re.search(r'<nav[^>]*class="toc"[^>]*>.*?</nav>', text, re.S).group(0)
    targets = re.findall(r'href="#([^"]+)"', nav)
    assert targets and targets[0] == "Summary"
    for target in targets:
        assert target in page.ids, target
    assert all(href[1:] in page.ids for href in toc)
    style = text.split("<style>")[1].split("</style>")[0]
    printed = style[style.index("@media print"):]
    assert ".toc" in printed and "display: none" in printed
    assert "h2 { break-before: page;" in printed
    assert "details::details-content" in printed and "beforeprint" in text
    return page


def test_no_external_requests_and_no_code(exported):
    page = _check_page(exported)
    assert "import csat_toolkit" not in exported  # inputs hidden, remove_cell dropped
    assert 'src="data:image/png;base64,' in exported
    assert [t for t, _ in page.tags].count("script") == 1  # the print helper only
    assert len(exported) < 20_000  # the page around the cells is small (no lab CSS)


def test_header_from_the_headline(exported):
    header = re.search(r'<header class="report-header">(.*?)</header>', exported, re.S).group(1)
    assert "<h1>Metrics &lt;script&gt;alert('title')&lt;/script&gt;</h1>" in header
    assert ('<p class="question">how satisfied are our customers, and where do we stand?</p>'
            in header)
    facts = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", header))
    assert facts == {"Rows used": "22,569 of 22,570 answers",
                     "Data period": "2023-01-01 to 2024-12-31",
                     "Report date": "2024-12-31 22:29, the latest responded_at in the data"}
    assert '<a href="index.html">\u2190 All reports</a>' in header
    # the first markdown cell is the header: the headline's title replaces its h1, and its
    # other text is under "About this report", not repeated in the body
    assert "Customer satisfaction metrics" not in exported
    about = re.search(r'<details class="about">(.*?)</details>', exported, re.S).group(1)
    assert "It gives CSAT with intervals." in about
    assert exported.count("It gives CSAT with intervals.") == 1
    assert "<h1" not in exported.split("</header>")[1]


def test_summary_first_then_sections(exported):
    summary = re.search(r'<section class="summary">(.*?)</section>', exported, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", summary)
    assert items[:3] == [
        "2024-12: CSAT 65.5% is 10.4 points below 2024-11 (95% CI -15.2 to -5.5).",
        "CSAT 60.0% (95% CI 53.8% to 65.9%, n=250).",
        "Segment &lt;img src=x onerror=alert(1)&gt; is 5.0 points above the rest."]
    assert "NPS answers have fewer than two &lt;b&gt;channel&lt;/b&gt; values" in summary
    assert exported.index('class="summary"') < exported.index('id="Data-accounting"')


def test_contents_lists_the_h2_headings(exported):
    nav = re.search(r'<nav[^>]*class="toc"[^>]*>.*?</nav>', exported, re.S).group(0)
    assert re.findall(r'<a href="#([^"]+)">([^<]+)</a>', nav) == [
        ("Summary", "Summary"), ("Data-accounting", "Data accounting"),
        ("By-segment", "By segment"),
        ("Follow-up-queue-(close-the-loop)", "Follow-up queue (close the loop)")]


def test_data_text_stays_inert(exported):
    page = _check_page(exported)
    assert not [t for t, a in page.tags if t == "img" and not a["src"].startswith("data:image/")]
    assert not [a for _, a in page.tags for k in a if k.startswith("on")]
    text = "".join(page.text)
    assert "Metrics <script>alert('title')</script>" in text
    assert "Segment <img src=x onerror=alert(1)> is 5.0 points" in text
    assert "alert" not in "".join(page.scripts)


def test_wide_tables_scroll_in_their_own_box(exported):
    style = exported.split("<style>")[1].split("</style>")[0]
    assert re.search(r"\.output_html[^{]*\{[^}]*overflow-x: auto", style)
    assert "img, svg { max-width: 100%; height: auto; }" in style
    assert "@media (min-width: 1000px)" in style and "position: sticky" in style


def test_report_page_without_headline_uses_the_notebook():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Tiny")])
    page = report_page(notebook, None, name="01_tiny")
    assert (page["title"], page["question"], page["facts"], page["summary"]) == \
        ("Tiny", None, [], [])
    assert page["toc"] == [{"id": "Summary", "text": "Summary"}]
    assert notebook.cells[0].metadata["csat_header"] is True
    assert report_page(nbformat.v4.new_notebook(), {}, name="02_x_y")["title"] == "02 x y"


def test_table_of_contents_reads_ids_and_text():
    rendered = ['<h2 id="A-%3Cb%3E">A <code>&lt;b&gt;</code><a class="anchor-link" '
                'href="#A-%3Cb%3E">&#182;</a></h2>', "<h3 id='x'>x</h3>"]
    assert table_of_contents(rendered) == [{"id": "A-%3Cb%3E", "text": "A <b>"}]


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="headless Chromium (Debian package 'chromium') is not installed")
@pytest.mark.parametrize("width", [390, 1366])
def test_no_horizontal_overflow_in_a_browser(exported, tmp_path, width):
    (tmp_path / "report.html").write_text(exported, encoding="utf-8")
    (tmp_path / "probe.html").write_text(
        f'<html><body><iframe id="f" src="report.html" style="width:{width}px;height:900px;'
        'border:0"></iframe><script>document.getElementById("f").onload=function(){'
        'var d=this.contentDocument.documentElement;document.body.setAttribute("data-sw",'
        'd.scrollWidth+"/"+d.clientWidth);};</script></body></html>', encoding="utf-8")
    dom = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
         "--allow-file-access-from-files", "--virtual-time-budget=10000",
         "--window-size=1400,1000", "--dump-dom", (tmp_path / "probe.html").as_uri()],
        capture_output=True, text=True, timeout=120).stdout
    scroll, client = map(int, re.search(r'data-sw="(\d+)/(\d+)"', dom).groups())
    assert scroll <= client, f"the page is {scroll} px wide in a {client} px window"


@pytest.mark.slow
@pytest.mark.xdist_group(SAMPLE_RUN)
def test_sample_reports_are_self_contained_with_header_and_contents(reports_run):
    result = reports_run()
    for run in result.runs:
        text = (result.out / run.html).read_text(encoding="utf-8")
        page = _check_page(text)
        header = re.search(r'<header class="report-header">(.*?)</header>', text, re.S).group(1)
        assert "<dt>Rows used</dt>" in header and "<dt>Report date</dt>" in header, run.name
        assert "<dt>Data period</dt>" in header, run.name
        assert '<p class="question">' in header, run.name
        assert len(re.findall(r'<nav[^>]*class="toc"[^>]*>.*?</nav>', text, re.S)[0]) > 200
        # the page around its images is light: under 250 KB without the embedded images
        bare = re.sub(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+", "", text)
        assert len(bare.encode()) < 250_000, (run.name, len(bare.encode()))
        assert sum(1 for t, _ in page.tags if t == "script") == 1, run.name
