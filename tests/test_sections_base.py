"""What Page.show puts on the page (issue 13): tables for people, figures with alt text,
a folded Details block, and the one colour-blind-safe palette of every plot."""
from __future__ import annotations

import base64
import itertools
import re
from unittest import mock

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from csat_toolkit.report import style  # noqa: E402
from csat_toolkit.report.sections import Page, Section  # noqa: E402
from csat_toolkit.report.sections.base import figure_html  # noqa: E402

from .test_display import Parsed  # noqa: E402


def _figure(title="CSAT (% satisfied) by channel", points=2):
    fig, ax = plt.subplots(figsize=(6, 3), dpi=100)
    ax.scatter(np.arange(points), np.sin(np.arange(points)), s=4)
    ax.set_title(title)
    plt.close(fig)
    return fig


def _section(**kwargs):
    table = pd.DataFrame({"channel": ["chat", "<script>alert(1)</script>"], "n": [4984, 12],
                          "estimate": [82.0, 50.0], "ci_low": [80.9, 30.1],
                          "ci_high": [83.1, 69.9], "small_n": [False, True],
                          "method": "Wilson score"})
    fields = dict(name="by channel", tables={"tests": table}, figures=[_figure()],
                  sentences=["chat: CSAT 82.0% is 12.1 points above the rest."],
                  findings=["CSAT by channel: chat is highest."],
                  notes=["NPS answers have fewer than two channel values; no breakdown."],
                  cards=[{"metric": "csat", "value": 82.0}])
    return Section(**(fields | kwargs))


def _shown(section):
    """What Page.show displays, through a mock of IPython's display."""
    page = Page("Test", "/tmp/ct-test-sections-base")
    with mock.patch("IPython.display.display") as display:
        returned = page.show(section)
    assert returned is section
    return page, [call.args[0] for call in display.call_args_list]


def test_page_show_displays_one_html_block_and_gathers_the_section():
    section = _section()
    page, shown = _shown(section)
    assert len(shown) == 1 and type(shown[0]).__name__ == "HTML"
    markup = shown[0].data
    assert markup == section.to_html()
    assert page.kpis == [{"metric": "csat", "value": 82.0}]
    assert page.findings == ["CSAT by channel: chat is highest."]
    assert page.skipped == ["NPS answers have fewer than two channel values; no breakdown."]
    parsed = Parsed(markup)
    header, rows = parsed.table()
    assert header == ["Channel", "n", "Estimate", "95% CI"]
    assert rows == [["chat", "4,984", "82.0", "80.9 to 83.1"],
                    ["<script>alert(1)</script>", "12\xa0†", "50.0", "30.1 to 69.9"]]
    assert "Method: Wilson score" in parsed.notes[-1]
    tags = [t for t, _ in parsed.tags]
    assert "script" not in tags
    # Order: table, figure, sentences, then the folded details with the notes.
    assert tags.index("table") < tags.index("img") < tags.index("ul") < tags.index("details")
    assert parsed.summaries == ["Details"]
    details = markup[markup.index("<details"):]
    assert "NPS answers have fewer than two channel values; no breakdown." in details
    assert "points above the rest" not in details


def test_figures_are_svg_images_with_alt_text_at_their_own_width():
    section = _section()
    img = dict(next(attrs for tag, attrs in Parsed(section.to_html()).tags if tag == "img"))
    assert img["alt"] == ("Chart: CSAT (% satisfied) by channel. "
                          "CSAT by channel: chat is highest.")
    assert img["src"].startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(img["src"].split(",", 1)[1])
    assert svg.startswith(b"<svg") and b"<metadata>" not in svg and b"<!DOCTYPE" not in svg
    assert b">CSAT (% satisfied) by channel<" in svg  # text kept as text
    width_pt = float(re.search(rb'width="([0-9.]+)pt"', svg).group(1))
    assert int(img["width"]) == round(width_pt / 72 * 100)  # the figure's 1x width in px
    assert "max-width:100%" in img["style"]


def test_alt_text_from_a_caption_or_the_first_sentence_escaped():
    section = _section(captions=["Chat <b>leads</b> & email trails"])
    assert section.alt_text(0) == "Chat <b>leads</b> & email trails"
    markup = section.to_html()
    assert 'alt="Chat &lt;b&gt;leads&lt;/b&gt; &amp; email trails"' in markup
    plain = _section(findings=[], figures=[_figure(title="")])
    assert plain.alt_text(0) == ("Chart (by channel). chat: CSAT 82.0% is 12.1 points above "
                                 "the rest.")
    long = _section(findings=["x" * 1000])
    assert len(long.alt_text(0)) == 400 and long.alt_text(0).endswith("…")
    hostile = _section(figures=[_figure(title='<img src=x onerror=alert(1)> "q"')], findings=[])
    img = [attrs for tag, attrs in Parsed(hostile.to_html()).tags if tag == "img"]
    assert len(img) == 1 and img[0]["alt"].startswith('Chart: <img src=x onerror=alert(1)> "q".')


def test_a_png_at_twice_the_dpi_when_the_svg_is_heavy():
    fig = _figure(points=5000)
    markup = figure_html(fig, "many points", max_svg_bytes=1000)
    src = re.search(r'src="data:image/png;base64,([^"]+)"', markup).group(1)
    png = base64.b64decode(src)
    pixels = int.from_bytes(png[16:20], "big")
    assert re.search(r'width="(\d+)"', markup).group(1) == str(round(pixels / 2))
    as_svg = figure_html(fig, "many points", max_svg_bytes=10**9)  # the width the SVG has
    assert as_svg.startswith('<img class="ct-figure" src="data:image/svg+xml')
    assert abs(int(re.search(r'width="(\d+)"', as_svg).group(1)) - pixels / 2) <= 1
    assert 500 < pixels / 2 < 600  # 6 inches at 100 dpi, tight: shown at 1x, drawn at 2x
    assert figure_html(fig, "x") == figure_html(fig, "x")  # the same bytes each time
    assert figure_html(fig, "x").startswith('<img class="ct-figure" src="data:image/png')


def test_details_hold_tables_and_sentences_and_a_skipped_section_says_why():
    accounting = pd.DataFrame({"item": ["rows read", "rows used"], "rows": [22569, 22569]})
    section = Section("model", sentences=["Drivers that matter: speed."],
                      details=["Logistic regression, Holm-adjusted p-values.", accounting])
    markup = section.to_html()
    details = Parsed(markup[markup.index("<details"):])
    assert details.table() == (["Item", "Rows"], [["rows read", "22,569"],
                                                  ["rows used", "22,569"]])
    assert "Logistic regression, Holm-adjusted p-values." in markup[markup.index("<details"):]
    skipped = Section("churn", skipped="No customers table: churn is skipped.",
                      notes=["No log-rank test."])
    markup = skipped.to_html()
    assert markup.index('<p class="ct-skipped">No customers table: churn is skipped.</p>') \
        < markup.index("<details")
    page, shown = _shown(skipped)
    assert page.skipped == ["No customers table: churn is skipped.", "No log-rank test."]
    assert len(shown) == 1


def test_an_empty_section_shows_nothing():
    page, shown = _shown(Section("nothing"))
    assert shown == [] and "nothing" in page.sections


def test_sections_show_in_jupyterlab():
    section = _section()
    assert section._repr_html_() == section.to_html()
    assert section.to_html().count("<style>") == 1  # one style block, not one per table


# ------------------------------------------------------------------------------ palette
# Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of
# color vision deficiency", IEEE TVCG 15(6): matrices at severity 1.0 on linear RGB.
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}
# Roles drawn side by side: rise/fall/not significant/neutral, the estimate against small
# groups, a forecast or warning line, the passives between detractors and promoters.
PAIRS = [*itertools.combinations(["good", "bad", "neutral", "small"], 2),
         ("main", "neutral"), ("main", "small"), ("main", "bad"), ("main", "extra")]


def _lab(hex_colour, matrix=None):
    rgb = np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    if matrix is not None:
        linear = np.clip(np.array(matrix) @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ linear / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _distance(palette, a, b, matrix=None):
    return float(np.linalg.norm(_lab(palette[a], matrix) - _lab(palette[b], matrix)))


def test_lab_distance_against_a_published_value():
    # CIE76 distance of pure red and pure green in CIELAB (D65): 170.6.
    assert _distance({"r": "#ff0000", "g": "#00ff00"}, "r", "g") == pytest.approx(170.6, abs=0.3)


@pytest.mark.parametrize("vision", [None, *CVD])
def test_the_palettes_roles_stay_apart_for_colour_blind_readers(vision):
    matrix = CVD.get(vision)
    distances = {pair: _distance(style.PALETTE, *pair, matrix) for pair in PAIRS}
    assert min(distances.values()) > 15, distances  # clearly different (CIE76 ΔE)
    assert distances[("good", "bad")] > 35  # a rise and a fall never look alike


def test_the_old_palette_failed_the_same_check():
    old = {"main": "#2b6cb0", "small": "#a0aec0", "good": "#2f855a", "bad": "#c53030",
           "neutral": "#d69e2e"}
    assert _distance(old, "good", "bad", CVD["protanopia"]) < 16  # red/green: alike


def test_every_series_colour_is_okabe_ito_and_use_style_sets_them():
    okabe_ito = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7",
                 "#000000"}
    assert set(style.SERIES) == okabe_ito
    assert {v for k, v in style.PALETTE.items() if k not in ("small", "line")} <= okabe_ito
    assert "Okabe" in style.PALETTE_SOURCE
    with plt.rc_context():
        style.use_style()
        cycle = [matplotlib.colors.to_hex(c) for c in
                 plt.rcParams["axes.prop_cycle"].by_key()["color"]]
    assert cycle == style.SERIES
