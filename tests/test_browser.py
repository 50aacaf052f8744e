"""The HTML reports in a real browser (issue 13): headless Chromium through Selenium.

Every report of the sample run (what ``make report`` writes) and of one real-data config
is opened at a laptop width (1366 px) and a phone width (390 px). Checked in the rendered
page, not only in its source: nothing overflows the page sideways, every image has alt
text, every link of the index resolves to a file and an anchor that exist, the table of
contents jumps to its sections, and text from the data that looks like HTML
(``<script>``, ``<img onerror>``, ``javascript:`` links) stays inert text.

The browser is Debian's ``chromium`` with ``chromium-driver`` (``.ci/run`` installs
both); where either is absent the tests skip and say so.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
import pytest

from .conftest import REALDATA, REPO, SAMPLE_RUN, require_shared

WIDTHS = (1366, 390)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
PAYLOADS = ('<script>window.__xss = 1</script>', '<img src=x onerror="window.__xss = 2">',
            '<a href="javascript:window.__xss = 3">click</a>')

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None or DRIVER is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium "
                    "chromium-driver); .ci/run installs it, so these tests run in CI")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed "
                                    "(it is in the test extra: pip install -e '.[test]')")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _open(driver, path: Path, width: int) -> None:
    driver.set_window_size(width, 900)
    driver.get(path.resolve().as_uri())


def _overflow(driver) -> int:
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return driver.execute_script(
        "return Math.max(0, document.documentElement.scrollWidth - window.innerWidth);")


def _images_without_alt(driver) -> list[str]:
    return driver.execute_script(
        "return [...document.images].filter(i => !(i.getAttribute('alt') || '').trim())"
        ".map(i => (i.getAttribute('src') || '').slice(0, 60));")


def _pages(out: Path) -> list[Path]:
    return [out / "index.html", *sorted(out.glob("0*.html"))]


def _check_pages(driver, out: Path) -> list[str]:
    problems = []
    for page in _pages(out):
        for width in WIDTHS:
            _open(driver, page, width)
            wider = _overflow(driver)
            if wider:
                problems.append(f"{page.name} at {width}px: {wider}px wider than the window")
            missing = _images_without_alt(driver)
            if missing:
                problems.append(f"{page.name}: {len(missing)} images without alt text")
    return problems


def _links(driver) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'));")


def _ids(driver) -> set[str]:
    return set(driver.execute_script(
        "return [...document.querySelectorAll('[id]')].map(e => e.id);"))


def _check_index_links(driver, out: Path) -> list[str]:
    """Every link of the index names a file that exists and, with #anchor, an id in it."""
    problems = []
    _open(driver, out / "index.html", WIDTHS[0])
    for href in _links(driver):
        parsed = urlparse(href)
        if parsed.scheme in ("http", "https", "mailto"):
            continue
        target = (out / unquote(parsed.path)) if parsed.path else out / "index.html"
        if not target.exists():
            problems.append(f"index link {href!r}: no file {target.name}")
            continue
        if parsed.fragment:
            _open(driver, target, WIDTHS[0])
            if unquote(parsed.fragment) not in _ids(driver):
                problems.append(f"index link {href!r}: no id {parsed.fragment!r} in {target.name}")
            _open(driver, out / "index.html", WIDTHS[0])
    return problems


def _check_contents(driver, page: Path) -> list[str]:
    """The report's table of contents: each entry jumps to a heading that is then in view."""
    _open(driver, page, WIDTHS[0])
    entries = driver.execute_script(
        "const nav = document.querySelector('nav.toc, nav[aria-label*=\"ontents\"], .toc');"
        "return nav ? [...nav.querySelectorAll('a[href^=\"#\"]')].map(a => a.getAttribute('href'))"
        " : null;")
    if not entries:
        return [f"{page.name}: no table of contents (a nav with links to the sections)"]
    problems = []
    for href in entries:
        in_view = driver.execute_script(
            "const target = document.getElementById(decodeURIComponent(arguments[0].slice(1)));"
            "if (!target) return null;"
            "document.querySelector('a[href=\"' + arguments[0] + '\"]').click();"
            "const box = target.getBoundingClientRect();"
            "return box.top >= -2 && box.top < window.innerHeight;", href)
        if in_view is None:
            problems.append(f"{page.name}: contents entry {href!r} has no target")
        elif not in_view:
            problems.append(f"{page.name}: contents entry {href!r} does not bring it into view")
    return problems


@pytest.mark.xdist_group(SAMPLE_RUN)
def test_the_sample_reports_fit_and_describe_their_images(browser, reports_run):
    result = reports_run()  # what `make report` writes, shared with the other sample-run tests
    assert _check_pages(browser, result.out) == []


@pytest.mark.xdist_group(SAMPLE_RUN)
def test_every_index_link_resolves(browser, reports_run):
    assert _check_index_links(browser, reports_run().out) == []


@pytest.mark.xdist_group(SAMPLE_RUN)
def test_the_table_of_contents_works(browser, reports_run):
    out = reports_run().out
    problems = [p for page in sorted(out.glob("0*.html")) for p in _check_contents(browser, page)]
    assert problems == []


@pytest.mark.realdata
@pytest.mark.xdist_group("ops_real_data")
def test_a_real_data_report_in_the_browser(browser, reports_run):
    require_shared(REALDATA)
    result = reports_run(config=REPO / "data" / "examples" / "incident_sla.yaml")
    assert result.ok
    assert _check_pages(browser, result.out) + _check_index_links(browser, result.out) == []


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """01_metrics over answers whose comments and segment names hold HTML and script."""
    from csat_toolkit.runner import run_reports

    folder = tmp_path_factory.mktemp("hostile")
    rows = []
    for i in range(60):
        rows.append({"response_id": i, "survey": "csat", "score": 1 + i % 5,
                     "responded_at": f"2024-{1 + i % 6:02d}-{1 + i % 27:02d}",
                     "channel": PAYLOADS[i % 3] if i % 2 else "email",
                     "comment": PAYLOADS[i % 3] + " slow reply"})
    pd.DataFrame(rows).to_csv(folder / "answers.csv", index=False)
    (folder / "config.yaml").write_text(
        "title: '<script>window.__xss = 4</script> report'\nnotebooks: [01_metrics]\n"
        "parameters:\n  responses_path: answers.csv\n  min_n: 5\n", encoding="utf-8")
    return run_reports(config=folder / "config.yaml", out=folder / "run", progress=False)


@pytest.mark.xdist_group("browser-hostile")
def test_text_from_the_data_stays_inert(browser, hostile_run):
    assert hostile_run.ok, [r.error for r in hostile_run.runs]
    for page in _pages(hostile_run.out):
        _open(browser, page, WIDTHS[0])
        state = browser.execute_script(
            "for (const a of document.querySelectorAll('a[href^=\"javascript:\"]')) a.click();"
            "return {xss: window.__xss || null,"
            " handlers: document.querySelectorAll('[onerror], [onload], [onclick]').length,"
            " scripts: [...document.scripts].filter(s => s.text.includes('__xss')).length,"
            " links: document.querySelectorAll('a[href^=\"javascript:\"]').length,"
            " text: document.body.innerText.includes('window.__xss')};")
        assert state["xss"] is None, (page.name, state)
        assert (state["handlers"], state["scripts"], state["links"]) == (0, 0, 0), (page.name, state)
    _open(browser, hostile_run.out / "01_metrics.html", WIDTHS[0])
    # the payloads are shown as the text they are
    assert browser.execute_script("return document.body.innerText.includes('<script>');")
