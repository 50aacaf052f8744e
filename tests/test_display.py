"""Tables for people (issue 13): csat_toolkit.core.display.people_table.

Expected cells are written by hand from the rules in the function's docstring; the HTML is
read back with the standard library's html.parser (what a browser's parser sees: tags,
attributes and the text between them).
"""
from __future__ import annotations

from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from csat_toolkit.core.display import (MISSING, TableView, column_label, format_p_cell,
                                       people_table)
from csat_toolkit.errors import ParameterError


class Parsed(HTMLParser):
    """Tables (caption, header, rows of cell text), summaries, paragraphs and every tag."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.tables: list[dict] = []
        self.summaries: list[str] = []
        self.notes: list[str] = []
        self._cell: list[str] | None = None
        self._text: list[str] | None = None
        self._in = []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        self._in.append(tag)
        if tag == "table":
            self.tables.append({"caption": None, "header": [], "rows": [], "classes": []})
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
            self.tables[-1]["classes"].append([])
        elif tag in ("td", "th", "caption", "summary") or (tag == "p" and "ct-notes" in
                                                            attrs.get("class", "")):
            self._text = []
            self._cell = attrs.get("class", "")
        elif tag == "br" and self._text is not None:
            self._text.append("\n")

    def handle_endtag(self, tag):
        if self._in:
            self._in.pop()
        text = "".join(self._text or [])
        if tag in ("td", "th"):
            table = self.tables[-1]
            table["rows"][-1].append(text)
            table["classes"][-1].append(self._cell)
        elif tag == "caption":
            self.tables[-1]["caption"] = text
        elif tag == "summary":
            self.summaries.append(text)
        elif tag == "p" and self._text is not None:
            self.notes += text.split("\n")
        if tag in ("td", "th", "caption", "summary", "p"):
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def table(self, i: int = 0) -> tuple[list[str], list[list[str]]]:
        rows = self.tables[i]["rows"]
        return rows[0], rows[1:]


def shown(table, **kwargs) -> tuple[list[str], list[list[str]]]:
    return Parsed(people_table(table, **kwargs).to_html()).table()


COMPARE = pd.DataFrame({
    "channel": ["chat", "email", "tiny"], "reference": "rest", "n": [4984, 5693, 12],
    "estimate": [82.04123, 66.9, 50.0], "ref_n": [9391, 8682, 14363],
    "ref_estimate": [69.9, 78.8, 74.1], "difference": [12.1, -12.0, -24.1],
    "ci_low": [10.7, -13.5, -50.2], "ci_high": [13.5, -10.5, 2.0],
    "p_value": [1e-40, 0.0312, 0.2], "p_adjusted": [3e-40, 0.0624, 0.4],
    "significant": [True, False, False], "small_n": [False, False, True],
    "test": "two-proportion z test; Newcombe interval", "correction": "Holm"})


def test_comparison_table_reads_as_people_read_it():
    parsed = Parsed(people_table(COMPARE, min_n=30).to_html())
    header, rows = parsed.table()
    assert header == ["Channel", "n", "Estimate", "n (reference)", "Estimate (reference)",
                      "Difference", "95% CI (difference)", "p", "p (adjusted)"]
    assert rows == [
        ["chat", "4,984", "82.0", "9,391", "69.9", "12.1\xa0●", "10.7 to 13.5", "< 0.001",
         "< 0.001"],
        ["email", "5,693", "66.9", "8,682", "78.8", "-12.0", "-13.5 to -10.5", "0.031", "0.062"],
        ["tiny", "12\xa0†", "50.0", "14,363", "74.1", "-24.1", "-50.2 to 2.0", "0.200", "0.400"]]
    assert parsed.notes == ["● significant after correction for multiple testing · "
                            "† fewer than 30 answers",
                            "Compared with: rest · Test: two-proportion z test; Newcombe "
                            "interval · Correction for multiple testing: Holm"]
    markup = people_table(COMPARE).to_html()
    assert "True" not in markup and "False" not in markup and "NaN" not in markup


def test_no_index_column_and_a_meaningful_index_is_kept():
    header, rows = shown(pd.DataFrame({"n": [1, 2]}, index=[5, 9]))
    assert header == ["", "n"] and rows == [["5", "1"], ["9", "2"]]
    header, rows = shown(pd.DataFrame({"n": [1, 2]}, index=pd.Index(["a", "b"], name="driver")))
    assert header == ["Driver", "n"] and rows == [["a", "1"], ["b", "2"]]
    header, rows = shown(pd.DataFrame({"n": [1, 2]}))  # 0, 1: no index column
    assert header == ["n"] and rows == [["1"], ["2"]]
    header, _ = shown(pd.DataFrame({"n": [1, 2]}, index=[0, 1]))
    assert header == ["n"]


def test_repeated_and_non_text_column_names():
    table = pd.DataFrame([[1, 2, 3]], columns=["n", "n", 7])
    assert shown(table) == (["n", "N 2", "7"], [["1", "2", "3"]])
    table = pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("csat", "n"),
                                                                      ("nps", "n")]))
    assert shown(table)[0] == ["CSAT n", "NPS n"]


def test_a_table_carrying_attrs_formats_and_keeps_them():
    table = pd.DataFrame({"estimate": [70.0], "ci_low": [65.0], "ci_high": [75.0]})
    table.attrs["worst"] = pd.DataFrame({"x": [1, 2]})  # pandas cannot compare these
    assert shown(table)[1] == [["70.0", "65.0 to 75.0"]]
    assert list(table.attrs) == ["worst"]


def test_headers():
    names = ["n", "n_eff", "p_adjusted", "p_value", "pct_promoters", "pct_very_disappointed",
             "max_days_open", "target_hours", "handle_time_minutes", "lmg_share",
             "revenue_share", "customer_id", "nps_segment", "first_response_sla", "estimate_a",
             "n_b", "Region", "segment"]
    assert [column_label(c) for c in names] == [
        "n", "Effective n", "p (adjusted)", "p", "% promoters", "% very disappointed",
        "Max days open", "Target (hours)", "Handle time (minutes)", "LMG share (%)",
        "Revenue share (%)", "Customer ID", "NPS segment", "First response SLA",
        "Estimate (a)", "n (b)", "Region", "Segment"]


def test_interval_columns_take_the_tables_confidence_level():
    table = pd.DataFrame({"estimate": [70.0], "ci_low": [65.0], "ci_high": [75.0],
                          "conf": [0.9], "lmg": [0.061], "lmg_ci_low": [0.053],
                          "lmg_ci_high": [0.069], "forecast": [547.3], "pi_low": [475.5],
                          "pi_high": [619.2]})
    header, rows = shown(table)
    assert header == ["Estimate", "90% CI", "LMG (share of R²)", "LMG (share of R²) 90% CI",
                      "Forecast", "90% prediction interval"]
    assert rows == [["70.0", "65.0 to 75.0", "0.061", "0.053 to 0.069", "547.3",
                     "475.5 to 619.2"]]
    no_conf = table.drop(columns="conf")
    assert shown(no_conf)[0][1] == "95% CI"
    assert shown(no_conf, conf=0.975)[0][1] == "97.5% CI"
    several = pd.concat([table, table.assign(conf=0.95)], ignore_index=True)
    header, rows = shown(several[["estimate", "ci_low", "ci_high", "conf"]])
    assert header == ["Estimate", "CI", "Confidence level"]  # kept: it differs by row
    assert [r[2] for r in rows] == ["90%", "95%"]
    assert shown(pd.DataFrame({"ci_low": [np.nan], "ci_high": [np.nan]}))[1] == [[MISSING]]


def test_numbers_percent_points_counts_and_p_values():
    table = pd.DataFrame({
        "estimate": [74.123456, 60.0], "pct_easy": [65.56, 70.0], "mean": [3.9612, 4.0],
        "lmg": [0.04551, 0.1], "revenue": [10177089.24, 5.0], "n": [14375, 7],
        "contacts": [7663.0, 12.0], "year": [2024, 2025], "rank": pd.array([1, None], "Int64"),
        "p_value": [0.0004, 0.5], "ph_p": [np.nan, 0.0009999], "noise_p_adj": [0.0233, 1.0]})
    header, rows = shown(table)
    assert header == ["Estimate", "% easy", "Mean", "LMG (share of R²)", "Revenue", "n",
                      "Contacts", "Year", "Rank", "p", "p (proportional hazards)",
                      "p against noise (adjusted)"]
    assert rows[0] == ["74.1", "65.6", "3.96", "0.046", "10,177,089.24", "14,375", "7,663",
                       "2024", "1", "< 0.001", MISSING, "0.023"]
    assert rows[1] == ["60.0", "70.0", "4.00", "0.100", "5.00", "7", "12", "2025", MISSING,
                       "0.500", "< 0.001", "1.000"]


def test_rounded_values_keep_the_decimals_they_were_rounded_to():
    # The section builders round (means to 2 decimals, shares of R² to 3): kept as given.
    header, rows = shown(pd.DataFrame({"estimate": [5.24, 4.6], "difference": [0.41, -0.5],
                                       "odds": [0.63, 1.0]}))
    assert rows == [["5.24", "0.41", "0.63"], ["4.60", "-0.50", "1.00"]]


def test_a_metric_column_sets_each_rows_decimals_and_reads_as_the_metrics_label():
    table = pd.DataFrame({"metric": ["csat", "nps", "ces"], "n": [14375, 4079, 3131],
                          "estimate": [74.1, 14.2, 4.97], "ci_low": [73.4, 11.8, 4.93],
                          "ci_high": [74.8, 16.7, 5.02], "method": ["Wilson score",
                          "adjusted Wald (Rocks 2016)", "t interval"]})
    header, rows = shown(table)
    assert header == ["Metric", "n", "Estimate", "95% CI", "Method"]
    assert rows == [["CSAT (% satisfied)", "14,375", "74.1", "73.4 to 74.8", "Wilson score"],
                    ["NPS", "4,079", "14.2", "11.8 to 16.7", "adjusted Wald (Rocks 2016)"],
                    ["CES mean score", "3,131", "4.97", "4.93 to 5.02", "t interval"]]


def test_missing_values_dates_periods_and_yes_no():
    table = pd.DataFrame({
        "responded_at": pd.to_datetime(["2023-01-02 21:22:05", None]),
        "day": pd.to_datetime(["2024-03-01", "2024-03-02"]),
        "period": pd.period_range("2024-01", periods=2, freq="M"),
        "comment": ["Nobody called me back.", None], "score": [3.0, np.nan],
        "meets_target": [True, False], "reopened": pd.array([True, None], "boolean")})
    header, rows = shown(table)
    assert header == ["Responded at", "Day", "Period", "Comment", "Score", "Meets target",
                      "Reopened"]
    assert rows == [["2023-01-02 21:22", "2024-03-01", "2024-01", "Nobody called me back.",
                     "3", "yes", "yes"],
                    [MISSING, "2024-03-02", "2024-02", MISSING, MISSING, "no", MISSING]]


def test_empty_columns_are_left_out_and_an_empty_table_keeps_its_header():
    header, rows = shown(pd.DataFrame({"driver": ["a"], "note": [""], "x": [np.nan]}))
    assert header == ["Driver"] and rows == [["a"]]
    header, rows = shown(pd.DataFrame({"channel": pd.Series([], dtype=str),
                                       "n": pd.Series([], dtype=int)}))
    assert header == ["Channel", "n"] and rows == []


def test_flags_are_marks_with_a_legend_and_only_when_a_row_has_them():
    table = COMPARE.assign(significant=False, small_n=False)
    parsed = Parsed(people_table(table).to_html())
    assert all("●" not in c and "†" not in c for row in parsed.table()[1] for c in row)
    assert not any("significant" in n or "fewer" in n for n in parsed.notes)
    # Without a difference column the mark goes on the estimate; without min_n the
    # legend names the parameter.
    table = pd.DataFrame({"driver": ["a", "b"], "n": [10, 500], "estimate": [0.63, 1.2],
                          "significant": [False, True], "small_n": [True, False]})
    view = people_table(table)
    assert view.shown["Estimate"].tolist() == ["0.63", "1.20\xa0●"]
    assert view.shown["n"].tolist() == ["10\xa0†", "500"]
    assert view.legend == ("● significant", "† fewer than min_n answers")
    # A nullable flag with a missing value is not a mark.
    table = table.assign(significant=pd.array([pd.NA, True], "boolean"))
    assert people_table(table).shown["Estimate"].tolist() == ["0.63", "1.20\xa0●"]


def test_method_columns_with_several_values_stay_whole():
    long = ("Wilson score interval; FCR: resolved with one customer contact and not reopened "
            "(the reopened flag as recorded: no reopened_at to apply the 7-day window)")
    table = pd.DataFrame({"metric": ["fcr", "aht_mean"], "estimate": [58.2, 10.3],
                          "method": [long, "t interval"], "correction": ["Holm", "Holm"]})
    parsed = Parsed(people_table(table).to_html())
    header, rows = parsed.table()
    assert header == ["Metric", "Estimate", "Method"]
    assert rows[0][2] == long  # never cut
    assert parsed.notes == ["Correction for multiple testing: Holm"]
    assert "white-space:normal" in people_table(table).to_html()


def test_long_tables_fold_the_rest_into_details():
    table = pd.DataFrame({"agent": [f"Agent {i:02d}" for i in range(25)], "n": range(25)})
    parsed = Parsed(people_table(table, max_rows=10, title="Agents").to_html())
    assert len(parsed.tables) == 2
    assert parsed.tables[0]["caption"] == "Agents"
    head, rest = parsed.table(0), parsed.table(1)
    assert head[0] == rest[0] == ["Agent", "n"]
    assert [r[0] for r in head[1]] == [f"Agent {i:02d}" for i in range(10)]
    assert [r[0] for r in rest[1]] == [f"Agent {i:02d}" for i in range(10, 25)]
    assert parsed.summaries == ["All 25 rows (15 more)"]
    tags = [t for t, _ in parsed.tags]
    assert tags.index("details") > [i for i, t in enumerate(tags) if t == "table"][0]
    short = Parsed(people_table(table.head(10), max_rows=10).to_html())
    assert len(short.tables) == 1 and short.summaries == []


def test_text_from_the_data_is_escaped_everywhere():
    evil = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>",
            '"><a href="javascript:alert(3)">x</a>']
    table = pd.DataFrame({"<b>segment</b>": evil, "n": [40, 41, 42],
                          "method": ["<script>alert(4)</script>"] * 3,
                          "comment": ["a & b", "<i>x</i>", "é ✓"]})
    markup = people_table(table, title="<script>alert(5)</script>").to_html()
    parsed = Parsed(markup)
    tags = {t for t, _ in parsed.tags}
    assert not tags & {"script", "img", "a", "b", "i"}
    assert not any(k.startswith("on") or "javascript" in str(v)
                   for _, attrs in parsed.tags for k, v in attrs.items())
    header, rows = parsed.table()
    assert header == ["<b>segment</b>", "n", "Comment"]
    assert [r[0] for r in rows] == evil and [r[2] for r in rows] == ["a & b", "<i>x</i>", "é ✓"]
    assert parsed.tables[0]["caption"] == "<script>alert(5)</script>"
    assert parsed.notes == ["Method: <script>alert(4)</script>"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup


def test_the_fragment_is_self_contained_scoped_and_the_same_each_time():
    view = people_table(COMPARE)
    markup = view.to_html()
    assert markup.startswith('<div class="ct-view"><style>') and markup.endswith("</div>")
    for outside in ("http:", "https:", "@import", "<link", "<script", "url("):
        assert outside not in markup
    css = markup[markup.index("<style>"):markup.index("</style>")]
    rules = [r.split("{")[0] for r in css[len("<style>"):].split("}") if "{" in r]
    assert all(".ct-" in selector or selector.startswith("@media") for selector in rules)
    assert markup == people_table(COMPARE.copy()).to_html()
    assert view._repr_html_() == markup
    assert "<style>" not in view.to_html(css=False)
    assert 'class="ct-table"' in markup
    numeric = Parsed(markup).tables[0]["classes"][1]
    assert numeric[0] == "data row0 col0" and "ct-num" in numeric[1]  # right-aligned numbers


def test_the_view_keeps_the_data():
    view = people_table(COMPARE)
    assert isinstance(view, TableView) and view.data is COMPARE and len(view) == 3
    assert view.numeric == ("n", "Estimate", "n (reference)", "Estimate (reference)",
                            "Difference", "95% CI (difference)", "p", "p (adjusted)")
    assert COMPARE.columns.tolist()[-2:] == ["test", "correction"]  # input not changed


def test_format_p_cell():
    assert [format_p_cell(p) for p in (0.0, 0.000999, 0.001, 0.0495, 1.0, None, pd.NA)] == [
        "< 0.001", "< 0.001", "0.001", "0.050", "1.000", MISSING, MISSING]


@pytest.mark.parametrize("kwargs, message", [
    ({"table": [1, 2]}, "people_table needs a pandas DataFrame; got list"),
    ({"max_rows": 0}, "max_rows must be a whole number of at least 1; got 0"),
    ({"max_rows": 2.5}, "max_rows must be a whole number of at least 1; got 2.5"),
    ({"conf": 95}, "conf must be a confidence level between 0 and 1, e.g. 0.95; got 95"),
])
def test_errors_name_the_parameter(kwargs, message):
    arguments = {"table": COMPARE} | kwargs
    with pytest.raises(ParameterError) as error:
        people_table(arguments.pop("table"), **arguments)
    assert message in str(error.value)


def test_every_sample_table_shape_formats_without_true_false_or_nan(sample_tables):
    for name, table in sample_tables.items():
        markup = people_table(table).to_html()
        text = " ".join(c for row in Parsed(markup).table()[1] for c in row)
        assert "True" not in text and "False" not in text and "nan" not in text.lower(), name


@pytest.fixture
def sample_tables():
    """Tables with the shapes the reports show (drivers, revenue, operations)."""
    return {
        "effects": pd.DataFrame({"driver": ["agent"], "term": ["Agent 25"], "reference": [None],
                                 "n": [29], "estimate": [0.85], "ci_low": [0.65],
                                 "ci_high": [1.12], "p_adjusted": [1.0],
                                 "significant": [False], "ame": [-2.56], "ame_ci_low": [-6.93],
                                 "ame_ci_high": [1.82], "small_n": [True]}),
        "matrix": pd.DataFrame({"driver": ["a"], "importance": [51.9],
                                "significant": pd.array([pd.NA], "boolean"), "note": [""]}),
        "granger": pd.DataFrame({"segment_label": ["(pooled)"], "F": [0.0], "p_value": [0.99],
                                 "p_adjusted": [np.nan], "note": [""]}),
        "waves": pd.DataFrame({"wave": pd.period_range("2023Q1", periods=2, freq="Q"),
                               "reference": [pd.NaT, pd.Period("2023Q1", "Q")],
                               "estimate": [25.3, 20.1], "significant": [False, False]}),
    }


# --- result_html (a result's _repr_html_; added with issue 13's JupyterLab item) ---------


def test_result_html_shows_summary_table_method_warnings_escaped():
    from csat_toolkit.core.display import result_html

    table = pd.DataFrame({"channel": ["<script>x()</script>"], "n": [120], "estimate": [81.25],
                          "ci_low": [73.4], "ci_high": [87.2], "method": "Wilson score"})
    out = result_html(["CSAT 81.2% in <chat>.", ""], table, method="Wilson score",
                      warnings=["Few <b>answers</b>.", "Few <b>answers</b>."],
                      notes=["Assumes & more."])
    assert "<p class=\"ct-summary\">CSAT 81.2% in &lt;chat&gt;.</p>" in out
    assert out.count("<p class=\"ct-summary\">") == 1  # empty sentences are left out
    assert ">Channel<" in out and ">95% CI<" in out and ">73.4 to 87.2<" in out
    assert "&lt;script&gt;x()&lt;/script&gt;" in out and "<script>" not in out
    assert out.count("Wilson score") == 1  # said once: the table's footnote names it
    assert "<strong>Warning</strong><ul><li>Few &lt;b&gt;answers&lt;/b&gt;.</li></ul>" in out
    assert "<strong>Note</strong><ul><li>Assumes &amp; more.</li></ul>" in out


def test_result_html_without_a_table_and_with_a_view():
    from csat_toolkit.core.display import result_html

    out = result_html("Nothing to show.", None, method="Exact <test>")
    assert "<table" not in out and "Method: Exact &lt;test&gt;" in out
    view = people_table(pd.DataFrame({"n": [5]}), title="Answers")
    assert view.to_html() in result_html("s", view)


def test_people_table_is_exported():
    import csat_toolkit as ct

    assert ct.people_table is people_table and ct.core.people_table is people_table
    assert ct.result_html is ct.core.display.result_html
