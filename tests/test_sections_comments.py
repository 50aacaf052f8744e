"""Section builders of the comments report (csat_toolkit.report.sections.comments) and the
comment plots (csat_toolkit.report.commentplots), on small hand-made answers."""
from __future__ import annotations

import json
import math

import matplotlib
import pandas as pd
import pytest

from csat_toolkit.errors import MissingColumnError
from csat_toolkit.io import load_responses
from csat_toolkit.report.commentplots import plot_topic_scores, plot_topic_trend
from csat_toolkit.report.headline import _plain, write_headline
from csat_toolkit.report.sections import comments as C
from tests.conftest import NOTEBOOKS

matplotlib.use("Agg")

# English: three unhappy and three happy comments, each ten times, half in January and
# half in February 2025; Romanian: one unhappy and one happy comment, twenty times each;
# four NPS passives (neutral: never compared), two of them with personal data.
UNHAPPY = ["Still waiting for my refund, so slow", "Slow reply and no refund yet",
           "Waiting a week for a refund"]
HAPPY = ["Friendly agent, great help", "Great help from a friendly agent",
         "The agent was friendly and quick"]
RO_UNHAPPY, RO_HAPPY = "Livrarea a întârziat din nou", "Agentul a fost foarte amabil"
PASSIVES = ["Okay, but the refund went to jane.doe@example.com",
            "Fine, call me on +44 20 7946 0958", "Okay overall", "Fine"]
PARAMS = {"min_n": 10, "min_count": 3, "min_comments": 8, "period": "M"}


def main_frame() -> pd.DataFrame:
    rows = []
    for i in range(60):
        unhappy = i % 2 == 0
        rows.append({"response_id": i + 1, "survey": "csat", "score": 1 if unhappy else 5,
                     "comment": (UNHAPPY if unhappy else HAPPY)[(i // 2) % 3],
                     "responded_at": f"2025-0{1 + i // 30}-{1 + i % 28:02d}"})
    for i in range(40):
        rows.append({"response_id": 100 + i, "survey": "csat", "score": 2 if i % 2 == 0 else 4,
                     "comment": RO_UNHAPPY if i % 2 == 0 else RO_HAPPY,
                     "responded_at": "2025-02-10"})
    for i, text in enumerate(PASSIVES):
        rows.append({"response_id": 200 + i, "survey": "nps", "score": 8, "comment": text,
                     "responded_at": "2025-02-11"})
    return pd.DataFrame(rows)


def inputs_of(frame, out=None, **params):
    return C.prepare(load_responses(frame), params, out=out)


@pytest.fixture(scope="module")
def main(tmp_path_factory):
    """The main answers' inputs and every section, built once (writing to a folder)."""
    out = tmp_path_factory.mktemp("comments")
    inputs = inputs_of(main_frame(), out, **PARAMS)
    sections = {"accounting": C.accounting(inputs), "distinguishing": C.distinguishing(inputs),
                "themes": C.themes(inputs), "topics": C.topics(inputs),
                "trend": C.topic_trend(inputs)}
    sections["keywords"] = C.keywords(inputs, sections["distinguishing"])
    return inputs, sections, out


def every_section(inputs):
    distinguishing = C.distinguishing(inputs)
    return [C.accounting(inputs), distinguishing, C.themes(inputs), C.topics(inputs),
            C.topic_trend(inputs), C.keywords(inputs, distinguishing)]


def wilson(k, n, z=1.959963984540054):
    """Wilson score interval in percent (hand formula)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return 100 * (centre - half), 100 * (centre + half)


# --- the notebook's parameters ----------------------------------------------------------

def test_defaults_are_the_notebooks_parameters():
    from csat_toolkit.report.runner import notebook_parameters

    values = {k: v["default"] for k, v in
              notebook_parameters(NOTEBOOKS / "06_comments.ipynb").items()}
    assert values == C.DEFAULTS


def test_parameters_picks_the_notebook_names():
    assert C.parameters({"min_count": 3, "kwic_terms": ["x"], "pd": pd}) == {
        "min_count": 3, "kwic_terms": ["x"]}


# --- load and prepare -------------------------------------------------------------------

def test_load_writes_masked_rejected_rows_and_fills_defaults(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("response_id,survey,score,responded_at,comment\n"
                    "1,csat,5,2025-03-01,Great help\n"
                    "2,csat,9,2025-03-02,Write to jane.doe@example.com\n"
                    "3,nps,0,2025-03-04,Far too slow\n", encoding="utf-8")
    inputs = C.load({"responses_path": str(path)}, tmp_path)
    assert inputs.params["min_count"] == 5 and inputs.params["mask_pii"] is True
    assert str(inputs.when.date) == "2025-03-04" and inputs.when.source == "data"
    assert inputs.comments.frame["text"].tolist() == ["Great help", "Far too slow"]
    assert inputs.comments.frame["tone"].tolist() == ["happy", "unhappy"]
    assert inputs.comments.answers == 2
    rejected = pd.read_csv(tmp_path / "rejected_rows.csv")
    assert rejected["response_id"].tolist() == [2]
    assert rejected["comment"].tolist() == ["Write to [email]"]


def test_prepare_survey_types_as_of_and_flags():
    inputs = inputs_of(main_frame(), survey_types=["nps"], as_of="2025-03-31")
    assert inputs.comments.answers == 4
    assert set(inputs.comments.frame["survey"]) == {"nps"}
    assert inputs.when.source == "parameter" and str(inputs.when.date) == "2025-03-31"
    assert inputs.flags.shape == (4, 7)
    assert inputs.flags["topic_billing_refund"].tolist() == [True, False, False, False]
    assert inputs.topics.source.endswith("topics.yaml")


def test_prepare_without_dates_has_no_report_date():
    inputs = inputs_of(pd.DataFrame({"response_id": [1], "survey": "csat", "score": [5],
                                     "comment": ["Great help"]}))
    assert inputs.when is None
    assert inputs.date_keys == {"as_of": None, "as_of_source": None, "as_of_column": None}


# --- inputs without comments: every section says why ------------------------------------

def test_no_comment_column_skips_every_section():
    frame = pd.DataFrame({"response_id": [1, 2, 3], "survey": "csat", "score": [1, 5, 4]})
    sections = every_section(inputs_of(frame, comment_column="feedback"))
    assert sections[0].skipped is None
    assert sections[0].sentences[-1] == (
        "3 answers, 0 with a comment (0.0%); 0 in the languages analysed (en, el, zh_hant, "
        "zh_hans, lv, th, ro). No e-mail address, phone number or card-like number found "
        "to mask.")
    what = ["the word comparison", "the theme model", "the topic analysis", "the topic trend",
            "keyword in context"]
    assert [s.skipped for s in sections[1:]] == [
        f"No comments in the column 'feedback' (comment_column): {w} is skipped." for w in what]


def test_comments_only_in_languages_not_analysed(tmp_path):
    frame = pd.DataFrame({"response_id": [1, 2, 3], "survey": "csat", "score": [1, 5, 4],
                          "comment": ["O atendimento foi péssimo e demorado",
                                      "Excelente atendimento, muito obrigado", "👍"]})
    sections = every_section(inputs_of(frame, tmp_path))
    assert sections[0].notes == [
        "2 comments are in a language the run does not analyse; counted above and kept in "
        "comments.csv, never split into another language's words. Add the language's code "
        "to `languages` to analyse it."]
    assert sections[0]["languages"]["code"].tolist() == ["pt", "und"]
    for section in sections[1:]:
        assert section.skipped.startswith(
            "No comment is in a language of the run (en, el, zh_hant, zh_hans, lv, th, ro; "
            "parameter languages): ")
    written = pd.read_csv(tmp_path / "comments.csv")
    assert written["language"].tolist() == ["pt", "pt", "und"]


# --- accounting -------------------------------------------------------------------------

def test_accounting_sentences_and_language_table(main):
    inputs, sections, _ = main
    section = sections["accounting"]
    assert section.skipped is None and section.notes == []
    assert section.sentences == [
        "Report date 2025-02-28: the latest responded_at in the data (as_of not given).",
        "Read 104 rows from DataFrame: 104 used, none set aside.",
        "104 answers, 104 with a comment (100.0%); 104 in the languages analysed (en, el, "
        "zh_hant, zh_hans, lv, th, ro). In the comments, before any analysis: "
        "1 e-mail address and 1 phone number masked."]
    table = section.tables["Comments per language"]
    assert table[["code", "comments", "analysed", "unhappy", "neutral", "happy"]].values.tolist() \
        == [["en", 64, True, 30, 4, 30], ["ro", 40, True, 20, 0, 20]]
    assert table["share"].tolist() == pytest.approx([6400 / 104, 4000 / 104])
    assert section["comments"] is inputs.comments


def test_accounting_writes_masked_comments_without_tokens(main):
    _, _, out = main
    written = pd.read_csv(out / "comments.csv")
    assert "tokens" not in written.columns and "comment" not in written.columns
    assert written.columns.tolist() == ["response_id", "survey", "score", "responded_at",
                                        "text", "language", "language_supported", "tone"]
    assert len(written) == 104
    passives = written[written["survey"] == "nps"]["text"].tolist()
    assert passives == ["Okay, but the refund went to [email]", "Fine, call me on [phone]",
                        "Okay overall", "Fine"]
    assert not written["text"].str.contains("example.com|7946").any()


def test_accounting_with_mask_pii_false_says_so(tmp_path):
    frame = main_frame().tail(4)
    section = C.accounting(inputs_of(frame, tmp_path, mask_pii=False))
    assert section.sentences[-1].endswith("Personal data was not masked (mask_pii=False).")
    assert "jane.doe@example.com" in pd.read_csv(tmp_path / "comments.csv")["text"].iloc[0]


# --- distinguishing words ---------------------------------------------------------------

def test_distinguishing_one_table_per_language_largest_first(main):
    _, sections, out = main
    section = sections["distinguishing"]
    assert list(section.tables) == ["English: clearest words and phrases",
                                    "Romanian: clearest words and phrases"]
    english = section.tables["English: clearest words and phrases"]
    assert english.columns.tolist() == ["side", "term", "kind", "n_unhappy", "n_happy",
                                        "log_odds", "z", "p_adjusted"]
    # Counted by hand from the comments: "refund" in the 30 unhappy ones, "slow" and
    # "wait" in 20; "agent" and "friendly" in the 30 happy ones, "great help" in 20.
    unhappy = english[english["side"] == "unhappy"]
    assert unhappy[["term", "n_unhappy", "n_happy"]].values.tolist() == [
        ["refund", 30, 0], ["slow", 20, 0], ["wait", 20, 0]]
    happy = english[english["side"] == "happy"].set_index("term")
    assert happy.loc[["agent", "friendly", "great help"], "n_happy"].tolist() == [30, 30, 20]
    assert happy.loc["great help", "kind"] == "phrase"
    assert (unhappy["z"] > 1.96).all() and (happy["z"] < -1.96).all()
    assert (english["p_adjusted"] < 0.05).all()
    romanian = section.tables["Romanian: clearest words and phrases"]
    assert romanian[["side", "term", "n_unhappy", "n_happy"]].values.tolist()[:3] == [
        ["unhappy", "livrare intarzia", 20, 0], ["unhappy", "intarzia", 20, 0],
        ["unhappy", "livrare", 20, 0]]
    assert section.findings == [
        "Unhappy customers writing in English say “refund”, “slow”, “wait” more often than "
        "happy ones (weighted log-odds, |z| ≥ 1.96)."]
    assert section.sentences[0].startswith("English: 24 terms tested; unhappy: 'refund'")
    assert section.sentences[1].startswith("Romanian: ")
    tested = pd.read_csv(out / "distinguishing_terms.csv")
    assert set(tested["language"]) == {"en", "ro"}


def test_distinguishing_with_too_few_comments_shows_no_table():
    section = C.distinguishing(inputs_of(main_frame(), min_comments=50))
    assert section.skipped is None and section.tables == {} and section.findings == []
    assert section["terms"].table.empty


# --- themes -----------------------------------------------------------------------------

def test_themes_tables_per_language(main):
    _, sections, out = main
    section = sections["themes"]
    assert list(section.tables) == ["English: themes", "English: representative comments",
                                    "Romanian: themes", "Romanian: representative comments"]
    english = section.tables["English: themes"]
    assert english.columns.tolist() == ["theme", "label", "comments", "share", "csat",
                                        "csat_ci_low", "csat_ci_high", "csat_n", "small_n"]
    assert english["comments"].sum() == 64  # every English comment, one theme each (or none)
    examples = section.tables["English: representative comments"]
    assert set(examples["text"]) <= set(UNHAPPY + HAPPY)
    assert (out / "themes.csv").exists()


def test_themes_with_too_few_comments():
    section = C.themes(inputs_of(main_frame(), min_comments=500))
    assert section.tables == {}
    assert section.sentences == ["No language has 500 comments with words (min_comments): "
                                 "no themes."]


# --- topics -----------------------------------------------------------------------------

def test_topics_one_table_and_figure_per_survey_with_min_n_comments(main):
    inputs, sections, out = main
    section = sections["topics"]
    # CSAT has 100 comments; NPS 4 (< min_n 10): no NPS table.
    assert list(section.tables) == ["CSAT: topics"]
    assert list(section["summaries"]) == ["csat"]
    assert len(section.figures) == 1 and len(section.captions) == 1
    assert (out / "topics_csat.csv").exists() and not (out / "topics_nps.csv").exists()
    table = section.tables["CSAT: topics"].set_index("topic")
    # Billing, price and refunds: the 30 English unhappy comments ("refund") and one NPS
    # passive; CSAT among the 30 CSAT ones 0%, among the other 70 CSAT comments 50 of 70
    # satisfied (30 English and 20 Romanian happy ones).
    billing = table.loc["Billing, price and refunds"]
    assert billing["comments"] == 31 and billing["n_scored"] == 30
    assert billing["share"] == pytest.approx(3100 / 104)
    assert (billing["share_ci_low"], billing["share_ci_high"]) == pytest.approx(wilson(31, 104))
    assert billing["score"] == 0.0
    assert billing["score_of_others"] == pytest.approx(5000 / 70)
    assert billing["difference"] == pytest.approx(-5000 / 70)
    assert bool(billing["significant"]) and not bool(billing["small_n"])
    # Agent attitude: the 30 English and 20 Romanian happy comments: 100% against 0%.
    agent = table.loc["Agent attitude"]
    assert (agent["comments"], agent["score"], agent["score_of_others"]) == (50, 100.0, 0.0)
    # Nobody mentions bugs: no estimate, never significant.
    bugs = table.loc["Product bugs and errors"]
    assert bugs["comments"] == 0 and math.isnan(bugs["score"])
    assert not bool(bugs["significant"]) and bool(bugs["small_n"])
    # Findings: the largest significant gaps first, three at most.
    assert [f.split(":")[0] for f in section.findings] == [
        "Agent attitude", "Waiting and response time", "Billing, price and refunds"]


def test_topics_skipped_when_no_survey_has_min_n_comments():
    section = C.topics(inputs_of(main_frame(), min_n=500))
    assert section.skipped == ("No survey has 500 comments (min_n): the topic scores are "
                               "skipped.")
    assert section["summaries"] == {}


# --- topic trend ------------------------------------------------------------------------

def test_topic_trend_with_two_months(main):
    _, sections, out = main
    section = sections["trend"]
    assert section.skipped is None and len(section.figures) == 1
    assert section.sentences[0].startswith("Per month, 2 periods; the ")
    assert section.sentences[0].endswith(" most mentioned topics are drawn, every topic is in "
                                         "topic_trend.csv.")
    trend = section["trend"]
    assert trend["period"].astype(str).unique().tolist() == ["2025-01", "2025-02"]
    billing = trend[trend["topic"] == "billing_refund"]
    # January: 30 English comments, 15 about a refund; February: 30 English, 40 Romanian
    # and 4 NPS comments, of which 16 about a refund (15 English CSAT, 1 NPS passive).
    assert billing["comments"].tolist() == [30, 74]
    assert billing["tagged"].tolist() == [15, 16]
    assert billing["share"].tolist() == pytest.approx([50.0, 1600 / 74])
    assert billing["n"].tolist() == [15, 15]  # the CSAT comments about a refund
    assert billing["estimate"].tolist() == [0.0, 0.0]
    assert (out / "topic_trend.csv").exists()
    # The five most mentioned topics are drawn; the ones nobody mentions are not.
    lines = section.figures[0].axes[0].get_lines()
    assert sorted(line.get_label() for line in lines) == sorted(
        ["Waiting and response time", "Agent attitude", "Billing, price and refunds",
         "Delivery and shipping"])


def test_topic_trend_with_one_period_is_skipped():
    frame = main_frame().assign(responded_at="2025-01-15")
    section = C.topic_trend(inputs_of(frame, **PARAMS))
    assert section.skipped == "The comments cover one month only: no trend to show."
    assert section["trend"]["period"].nunique() == 1


def test_topic_trend_without_dates_is_skipped():
    frame = main_frame().drop(columns="responded_at")
    section = C.topic_trend(inputs_of(frame, **PARAMS))
    assert section.skipped == ("The comments have no dates (responded_at): the topic trend is "
                               "skipped.")


# --- keyword in context -----------------------------------------------------------------

def test_keywords_default_the_clearest_unhappy_word_of_each_language(main):
    _, sections, _ = main
    section = sections["keywords"]
    assert list(section.tables) == ["“refund” (English): 31 occurrences",
                                    "“intarzia” (Romanian): 20 occurrences"]
    refund = section.tables["“refund” (English): 31 occurrences"]
    assert refund.columns.tolist() == ["tone", "score", "left", "keyword", "right"]
    assert len(refund) == 10  # kwic_rows
    assert set(refund["keyword"]) == {"refund"}
    assert set(section.tables["“intarzia” (Romanian): 20 occurrences"]["keyword"]) == {
        "întârziat"}
    assert list(section["kwic"]) == ["refund (en)", "intarzia (ro)"]
    # The NPS passive's e-mail address is masked in its context.
    rows = section["kwic"]["refund (en)"]
    assert rows.loc[rows["tone"] == "neutral", "right"].str.strip().tolist() == ["went to [email]"]


def test_keywords_given_terms_and_a_term_not_found(main):
    inputs, _, _ = main
    params = {**inputs.params, "kwic_terms": ["slow", "banana"], "kwic_rows": 3}
    section = C.keywords(C.CommentInputs(**{**vars(inputs), "params": params}))
    assert list(section.tables) == ["“slow”: 20 occurrences"]
    assert len(section.tables["“slow”: 20 occurrences"]) == 3
    assert section.sentences == ["“banana”: not found in the comments."]
    assert section["kwic"]["banana"].empty


def test_keywords_without_terms_to_show(main):
    inputs, _, _ = main
    section = C.keywords(inputs)  # no distinguishing section and no kwic_terms
    assert section.tables == {}
    assert section.sentences == [
        "No word leans clearly to the unhappy side in any language, and no `kwic_terms` were "
        "given: nothing to show in context."]


# --- headline.json ----------------------------------------------------------------------

def test_headline_extra_keys_and_values(main):
    inputs, sections, _ = main
    named = {s.name: s for s in sections.values()}
    extra = C.headline_extra(inputs, named)
    assert set(extra) == {"rows", "data_period", "comments", "comments_analysed", "languages",
                          "pii_masked", "topics", "unhappy_terms", "highlights", "as_of",
                          "as_of_source", "as_of_column"}
    assert extra["rows"] == {"used": 104, "read": 104, "what": "comments"}
    assert (extra["comments"], extra["comments_analysed"]) == (104, 104)
    assert extra["languages"] == [{"code": "en", "comments": 64, "analysed": True},
                                  {"code": "ro", "comments": 40, "analysed": True}]
    assert extra["pii_masked"] == {"email": 1, "phone": 1, "card": 0}
    assert list(extra["topics"]) == ["csat"]
    billing = {r["topic"]: r for r in extra["topics"]["csat"]}["billing_refund"]
    assert (billing["comments"], billing["estimate"]) == (31, 0.0)
    assert extra["unhappy_terms"]["en"] == ["refund", "slow", "wait"]
    assert extra["unhappy_terms"]["ro"][:3] == ["livrare intarzia", "intarzia", "livrare"]
    (gap,) = extra["highlights"]
    assert gap["kind"] == "topic_gap" and gap["section"] == "Topics"
    assert gap["sentence"] == named["topics"].findings[0]
    assert gap["sentence"].startswith("Agent attitude: 50 of 104 comments")
    assert (extra["as_of_source"], extra["as_of_column"]) == ("data", "responded_at")


def test_headline_extra_is_strict_json(main, tmp_path):
    inputs, sections, _ = main
    extra = C.headline_extra(inputs, {s.name: s for s in sections.values()})
    text = json.dumps(_plain(extra), allow_nan=False)  # NaN estimates become null
    assert json.loads(text)["topics"]["csat"][4]["estimate"] is None
    path = write_headline(tmp_path, title="What customers say", kpis=[], findings=[],
                          extra=extra)

    def refuse(value):
        raise ValueError(f"not strict JSON: {value}")

    written = json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
    assert written["comments"] == 104


def test_headline_extra_without_comments_or_gaps():
    frame = pd.DataFrame({"response_id": [1, 2], "survey": "csat", "score": [1, 5]})
    inputs = inputs_of(frame)
    extra = C.headline_extra(inputs)
    assert extra["comments"] == 0 and extra["languages"] == [] and extra["topics"] == {}
    assert extra["unhappy_terms"] == {} and extra["highlights"] == []
    assert extra["data_period"] is None and extra["as_of"] is None
    json.dumps(_plain(extra), allow_nan=False)


# --- plots ------------------------------------------------------------------------------

SCORES = pd.DataFrame({"label": ["Refunds", "Agent", "Bugs"], "metric": "csat",
                       "n": [50, 80, 12], "estimate": [20.0, 85.0, 40.0],
                       "ci_low": [11.0, 76.0, 19.0], "ci_high": [33.0, 91.0, 64.0],
                       "ref_estimate": [70.0, 55.0, 60.0],
                       "significant": [True, True, False],
                       "difference": [-50.0, 30.0, -20.0], "conf": 0.95})


def test_plot_topic_scores_draws_each_topic_and_its_reference():
    ax = plot_topic_scores(SCORES)
    segments, topics, others = ax.collections
    assert len(segments.get_segments()) == 3
    # Sorted by the gap: Refunds (-50), Bugs (-20), Agent (+30).
    assert topics.get_offsets()[:, 0].tolist() == [20.0, 40.0, 85.0]
    assert others.get_offsets()[:, 0].tolist() == [70.0, 60.0, 55.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Refunds  (n=50)", "Bugs  (n=12)", "Agent  (n=80)"]
    assert ax.get_xlabel() == "CSAT (% satisfied) of the comments, 95% CI"
    matplotlib.pyplot.close(ax.figure)


def test_plot_topic_trend_draws_one_line_per_topic():
    trend = pd.DataFrame({"period": ["2024-01", "2024-02", "2024-03"] * 2,
                          "topic": ["a"] * 3 + ["b"] * 3,
                          "share": [10.0, 12.0, 11.0, 5.0, 4.0, 6.0],
                          "share_ci_low": [8.0, 9.0, 8.0, 3.0, 2.0, 4.0],
                          "share_ci_high": [12.0, 15.0, 14.0, 7.0, 6.0, 8.0]})
    ax = plot_topic_trend(trend, labels={"a": "Refunds"})
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["Refunds", "b"]
    assert [line.get_ydata().tolist() for line in lines] == [[10.0, 12.0, 11.0], [5.0, 4.0, 6.0]]
    assert len(ax.collections) == 2  # one interval band per topic
    matplotlib.pyplot.close(ax.figure)
    # Periods in time order even when the first topic lacks the first one; a gap is NaN.
    ax = plot_topic_trend(trend.iloc[1:], topics=["a", "b"])
    first, second = ax.get_lines()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2024-01", "2024-02", "2024-03"]
    assert math.isnan(first.get_ydata()[0]) and first.get_ydata()[1:].tolist() == [12.0, 11.0]
    assert second.get_ydata().tolist() == [5.0, 4.0, 6.0]
    matplotlib.pyplot.close(ax.figure)


def test_plots_name_the_missing_columns():
    with pytest.raises(MissingColumnError, match="plot_topic_scores needs the column\\(s\\) "
                                                 "'ref_estimate', 'conf'; the table has"):
        plot_topic_scores(SCORES.drop(columns=["ref_estimate", "conf"]))
    with pytest.raises(MissingColumnError, match="plot_topic_trend needs the column\\(s\\) "
                                                 "'share_ci_low'"):
        plot_topic_trend(pd.DataFrame({"period": [], "topic": [], "share": [],
                                       "share_ci_high": []}))


def test_every_section_renders_and_shows_only_masked_text(main):
    _, sections, _ = main
    html = "".join(section.to_html() for section in sections.values())
    assert "jane.doe@example.com" not in html and "7946" not in html
    assert "[email]" in html  # the passive's comment, in keyword in context


def test_a_single_language_table_keeps_its_title():
    # One table named after its language: the title is shown even when it is alone.
    from csat_toolkit.report.sections import Section

    table = pd.DataFrame({"term": ["slow"], "z": [3.1]})
    shown = Section("distinguishing words", tables={"Greek: clearest words": table},
                    titled=True).to_html()
    assert "Greek: clearest words" in shown
    assert "Greek: clearest words" not in Section("x", tables={"Greek: clearest words": table}
                                                  ).to_html()
