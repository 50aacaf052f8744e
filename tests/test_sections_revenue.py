"""Tests of :mod:`csat_toolkit.report.sections.revenue`: the sections of the NPS-and-revenue
report (notebook 04), each built from frames or from the notebook's parameters, with every
skip reason. The numbers are checked against the analysis functions called directly (whose
own tests check them by hand); the page's headline against the notebook's previous cells.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import csat_toolkit as ct  # noqa: E402
from csat_toolkit.errors import ParameterError  # noqa: E402
from csat_toolkit.report.headline import rounded  # noqa: E402
from csat_toolkit.report.sections import Page, Section  # noqa: E402
from csat_toolkit.report.sections import revenue as rv  # noqa: E402
from csat_toolkit.revenue import compare_categories  # noqa: E402
from tests.conftest import NOTEBOOKS, SAMPLE  # noqa: E402
from tests.test_revenue import (many_segment_data, sample, small_answers,  # noqa: E402,F401
                                small_revenue, windows_default)


def notebook_parameters(**changes) -> dict:
    """The parameter cells of 04_nps_revenue as a dict, on the sample's absolute paths."""
    from csat_toolkit.report.runner import notebook_parameters as cells

    params = {k: v["default"] for k, v in cells(NOTEBOOKS / "04_nps_revenue.ipynb").items()}
    params.update(responses_path=str(SAMPLE / "responses.csv"),
                  revenue_path=str(SAMPLE / "revenue.csv"),
                  customers_path=str(SAMPLE / "customers.csv"), n_boot=50)
    params.update(changes)
    return params


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("rv")
    return rv.load(notebook_parameters(output_dir=str(out)))


@pytest.fixture(scope="module")
def shown(inputs):
    """Every section of the page, built once."""
    by_category, churned = rv.categories(inputs), rv.churn(inputs)
    return {"accounting": rv.accounting(inputs), "categories": by_category,
            "accounts": rv.accounts(inputs), "churn": churned, "link": rv.link(inputs),
            "transitions": rv.transitions(inputs),
            "scenario": rv.scenario(inputs, by_category, churned)}


def nps_answers(**columns) -> pd.DataFrame:
    return ct.revenue.add_categories(pd.DataFrame(columns))


# --- loading and accounting ---------------------------------------------------------------


def test_load_needs_every_parameter():
    with pytest.raises(ParameterError, match="needs the parameter\\(s\\) .*'columns'"):
        rv.load({"responses_path": "responses.csv"})


def test_load_reads_the_sample_as_the_notebook_did(inputs):
    loaded = ct.load_responses(SAMPLE / "responses.csv")
    expected = ct.metrics.select_survey(loaded.data, "nps")
    assert len(inputs.answers) == len(expected) == 4079
    assert inputs.levels == ["detractor", "passive", "promoter"]
    # the report date is the end of the last revenue month, never the clock
    assert inputs.as_of == "2024-12-31" and inputs.date.column == "period"
    assert inputs.churn_note is None and "churned_at" in inputs.churn_dates
    assert len(inputs.revenue) == len(pd.read_csv(SAMPLE / "revenue.csv"))
    assert (inputs.out / "rejected_rows.csv").exists()


def test_accounting_shows_the_overall_nps_card_and_the_sentences(inputs, shown):
    section = shown["accounting"]
    table = ct.metric_table(inputs.answers, "nps", scale=inputs.scale)
    assert section.cards[0]["value"] == pytest.approx(table["estimate"].iloc[0])
    assert section.sentences[0] == inputs.date_sentence
    assert section.sentences[-1] == "Customer table: 3,000 customers."
    assert "4,079 NPS answers; categories (worst to best): detractor, passive, promoter" \
        in " ".join(section.sentences)
    assert section.missing == [] and section.tables == {}
    # folded: the region 'NA' note, the growth definition, the accounting table
    assert section.details[0].startswith("Cells that look like missing-value markers")
    assert section.details[1].startswith('Growth definition (growth="log")')
    assert section.details[2].data["rows"].tolist() == [22569, 22569]
    html = section.to_html()
    assert html.index("Customer table") < html.index("<summary>Details</summary>") \
        < html.index("Growth definition")


def test_accounting_says_where_churn_dates_come_from(tmp_path):
    inputs = rv.load(notebook_parameters(output_dir=str(tmp_path),
                                         churn_after_months_without_revenue=3))
    assert inputs.churn_note.startswith("Churn dates from revenue stopping")
    assert rv.accounting(inputs).sentences[-1] == inputs.churn_note


# --- revenue by category -------------------------------------------------------------------


def test_categories_on_the_sample_are_the_windows_results(inputs, shown):
    section = shown["categories"]
    windows = ct.revenue.revenue_windows(inputs.answers, inputs.revenue, as_of="2024-12-31",
                                         category="category", survey=None)
    expected = ct.revenue.revenue_by_category(windows)
    pd.testing.assert_frame_equal(section["by_category"], expected)
    compare = compare_categories(windows, "promoter", "detractor")
    assert section.cards[0]["value"] == pytest.approx(compare["difference"].iloc[0])
    assert list(section.tables) == ["comparison"]
    folded = {d.title: d.data for d in section.details if not isinstance(d, str)}
    assert list(folded) == ["Answers with a complete revenue window",
                            "Revenue outcomes by category"]
    pd.testing.assert_frame_equal(folded["Answers with a complete revenue window"],
                                  rounded(windows.accounting))
    by_category = folded["Revenue outcomes by category"]
    assert "customers" in by_category and "conf" not in by_category
    outcomes = expected["outcome"].unique().tolist()
    # one narrow chart per outcome, each described by its own comparison sentence
    assert [f.axes[0].get_title() for f in section.figures] == \
        [o.replace("_", " ").capitalize() + " by category" for o in outcomes]
    described = ct.revenue.describe_comparison(compare)
    assert section.captions == [f"Chart: {o.replace('_', ' ')} by category with 95% CIs. {d}"
                                for o, d in zip(compare["outcome"], described)]
    assert section.findings == described[:2]
    set_aside = pd.read_csv(inputs.out / "answers_set_aside.csv")
    assert len(set_aside) == len(windows.set_aside)


def test_categories_from_revenue_per_answer_and_a_skipped_comparison():
    answers = nps_answers(customer_id=list("abcdef"), score=[9, 10, 9, 3, 2, 1],
                          ticket_revenue=[10.0, 12.0, 11.0, 4.0, 5.0, 6.0])
    section = rv.category_section(answers, None, outcomes=["ticket_revenue"], min_n=1)
    table = section["by_category"].set_index("category")
    assert table.loc["promoter", "estimate"] == pytest.approx(11.0)
    assert table.loc["detractor", "estimate"] == pytest.approx(5.0)
    assert section["compare"]["difference"].iloc[0] == pytest.approx(6.0)
    # only promoters: nothing to compare with, the section runs and says so
    only = nps_answers(customer_id=list("ab"), score=[9, 10], ticket_revenue=[1.0, 2.0])
    alone = rv.category_section(only, None, outcomes=["ticket_revenue"], min_n=1)
    assert alone.skipped is None and alone["compare"] is None
    assert alone.notes[0].startswith("The promoter-detractor comparison is skipped: ")


# --- accounts ------------------------------------------------------------------------------


def test_accounts_on_the_sample_and_the_rows_shown(inputs, shown):
    section = shown["accounts"]
    expected = ct.revenue.account_rollup(inputs.answers, inputs.customers, inputs.revenue,
                                         as_of="2024-12-31", months=12, survey=None)
    pd.testing.assert_frame_equal(section["accounts"].overall, expected.overall)
    assert len(section.tables["at risk"]) == min(10, len(expected.at_risk))
    assert section.findings == [expected.summary()]


def test_accounts_skip_reasons(inputs):
    answers = nps_answers(customer_id=["a"], score=[9])
    assert rv.account_section(answers, None, None).skipped.startswith(
        "No account ids (customers table with account_id), monthly revenue and dated NPS answers")
    named = rv.account_section(inputs.answers, inputs.customers, inputs.revenue,
                               named_categories=True)
    assert named.skipped.endswith("the account section is skipped.")
    strangers = inputs.customers.assign(customer_id="X" + inputs.customers["customer_id"])
    failed = rv.account_section(inputs.answers, strangers, inputs.revenue)
    assert failed.skipped.startswith("The account section is skipped: ")
    empty = rv.account_section(inputs.answers.iloc[:0], inputs.customers, inputs.revenue)
    assert empty.skipped == ("No NPS answers in the responses: the account section is skipped "
                             "(set link_survey to the survey the file has).")


# --- churn ---------------------------------------------------------------------------------


def test_churn_on_the_sample_is_churn_by_category(inputs, shown):
    section = shown["churn"]
    expected = ct.survival.churn_by_category(inputs.churn_dates, inputs.answers,
                                             as_of="2024-12-31", horizon_months=12)
    pd.testing.assert_frame_equal(section["churn_table"], expected.churn)
    worst = expected.churn.iloc[0]
    assert section.cards[0]["value"] == pytest.approx(worst["estimate"])
    assert list(section.tables) == ["churn", "revenue at risk"]
    folded = [d for d in section.details if not isinstance(d, str)]
    assert [d.title for d in folded] == ["Log-rank test: do the categories churn alike?",
                                         "Cox hazard ratios against the best category"]
    assert folded[0].data["p"].iloc[0] == round(float(section["logrank"]["p"].iloc[0]), 4)
    assert len(folded[1].data) == len(section["hazards"])
    assert len(section.figures) == 1 and section.skipped is None


def test_churn_skip_reasons_and_the_tenure_flag():
    answers = nps_answers(customer_id=list("abcdef"), score=[9, 10, 7, 3, 2, 1],
                          churned=[0, 0, 1, 1, 1, 0], tenure=[20, 24, 6, 3, 4, 12],
                          responded_at=["2024-01-10"] * 6)
    assert rv.churn_section(answers, None, None).skipped.startswith("No churn dates")
    flagged = rv.churn_section(answers, None, None, churn_column="churned",
                               tenure_column="tenure", horizon_months=12, best="promoter",
                               min_n=1)
    curves = ct.survival.retention_curves(answers, duration="tenure", event="churned",
                                          by="category", min_n=1)
    expected = ct.survival.expected_churn(curves, at=12, min_n=1)
    pd.testing.assert_frame_equal(flagged["churn_table"], expected)
    assert flagged["unit"] == "tenure (months since the customer started)"
    strangers = pd.DataFrame({"customer_id": ["x"], "churned_at": ["2024-05-01"]})
    failed = rv.churn_section(answers, strangers, None, as_of="2024-12-31")
    assert failed.skipped.startswith("The churn section is skipped: ")


# --- the segment-period link ---------------------------------------------------------------


def test_link_on_the_sample_is_segment_period_link(inputs, shown):
    section = shown["link"]
    expected = ct.revenue.segment_period_link(inputs.answers, inputs.revenue,
                                              segments=["industry", "region"], period="Q",
                                              lags=[0, 1], customers=inputs.customers,
                                              survey=None)
    pd.testing.assert_frame_equal(section["link"].regression, expected.regression)
    fitted = expected.regression.dropna(subset=["estimate"])
    assert section.cards[0]["value"] == pytest.approx(fitted["estimate"].iloc[-1])
    assert section.findings == [expected.summary()] == section.sentences
    assert section.tables == {} and len(section.figures) == 1
    folded = [d for d in section.details if not isinstance(d, str)]
    assert [d.title for d in folded] == ["Correlations of NPS and growth",
                                         "Regression: growth with +10 NPS points",
                                         "Granger test: does NPS lead growth?"]
    assert [d for d in section.details if isinstance(d, str)] == list(expected.warnings)


def test_link_skip_reasons(inputs):
    assert rv.link_section(inputs.answers, None, inputs.customers).skipped.startswith(
        "No monthly revenue, or no dated NPS answers with customer ids")
    answers = nps_answers(customer_id=list("abcd"), score=[9, 3, 9, 3],
                          responded_at=["2024-01-05"] * 4, region=list("NSNS"))
    revenue = pd.DataFrame({"customer_id": list("abcd"), "period": ["2024-01"] * 4,
                            "revenue": [1, 2, 3, 4]})
    failed = rv.link_section(answers, revenue, None, segments=["region"])
    assert failed.skipped.startswith("The segment-period link is skipped: The revenue lack the "
                                     "segment column(s) 'region'.")
    # Revenue whose customer ids match no customer of the segments: a sentence, not a crash
    customers = pd.DataFrame({"customer_id": list("abcd"), "region": list("NSNS")})
    strangers = revenue.assign(customer_id=list("wxyz"))
    none_match = rv.link_section(answers.drop(columns="region"), strangers, customers,
                                 segments=["region"])
    assert none_match.skipped.startswith("The segment-period link is skipped: No revenue row "
                                         "has a value in 'region'")
    assert "customer ids ('customer_id')" in none_match.skipped


# --- transitions ---------------------------------------------------------------------------


def test_transitions_on_the_sample_and_skip_reasons(inputs, shown):
    section = shown["transitions"]
    expected = ct.revenue.category_transitions(inputs.answers, inputs.revenue,
                                               category="category", survey=None)
    pd.testing.assert_frame_equal(section["transitions"].counts, expected.counts)
    assert len(section.figures) == 1 and section.findings == [expected.summary()]
    once = nps_answers(customer_id=["a", "b"], score=[9, 3],
                       responded_at=["2024-01-02", "2024-02-01"])
    assert rv.transition_section(once, None).skipped.startswith("No customer answered twice")
    same_month = nps_answers(customer_id=["a", "a"], score=[9, 3],
                             responded_at=["2024-01-02", "2024-01-20"])
    assert rv.transition_section(same_month, None).skipped == (
        "No customer answered twice in different months: the transitions are skipped.")


# --- scenario, caveats and the headline ----------------------------------------------------


def test_scenario_on_the_sample_is_conversion_scenario(inputs, shown):
    section = shown["scenario"]
    windows, table = shown["categories"]["windows"], shown["churn"]["churn_table"]
    current = ct.revenue.current_customers(inputs.answers, inputs.revenue, as_of="2024-12-31")
    expected = ct.revenue.conversion_scenario(windows, share=0.1, to="passive",
                                              from_="detractor", n_boot=50, seed=2024,
                                              horizon_months=12, churn=table, current=current)
    pd.testing.assert_frame_equal(section["scenario"].table, expected.table)
    assert section.cards[0]["value"] == pytest.approx(expected.table["estimate"].iloc[0])
    assert list(section.tables) == ["scenario"]
    assert section.sentences == [expected.summary()]
    assert section.details[:-2] == ["Assumptions: " + a for a in expected.assumptions]
    assert [d.title for d in section.details[-2:]] == ["The estimate in parts",
                                                       "Rates the scenario uses"]
    parts = section.details[-2].data.iloc[0]
    assert parts["growth_part"] + parts["retention_part"] == pytest.approx(
        section.tables["scenario"]["estimate"].iloc[0], abs=0.1)  # each rounded to 0.1
    assert "growth_part" not in section.tables["scenario"]


def test_scenario_skip_reasons(inputs, shown):
    failed = rv.scenario_section(inputs.answers, inputs.revenue, shown["categories"]["windows"],
                                 to="nobody", n_boot=10)
    assert failed.skipped.startswith("The scenario could not be computed: ")


def test_caveats_are_the_revenue_caveats():
    section = rv.caveats()
    assert section.sentences == ct.revenue.CAVEATS and section.missing == []


def test_page_headline_cards_findings_and_extra_keys(inputs, shown, tmp_path):
    page = Page("NPS and revenue", tmp_path)
    for section in shown.values():
        page.add(section)
    extra = rv.headline(inputs, shown["categories"], shown["accounts"], shown["churn"],
                        shown["link"], shown["scenario"])
    assert [card["label"] for card in page.kpis] == [
        "NPS", "Promoters vs detractors: growth", "Churn of detractors within 12 months",
        "Growth with +10 NPS points (lag 1)", "Scenario: 10% of detractors to passives"]
    assert extra["n_answers"] == 4079 and extra["categories"] == inputs.levels
    assert extra["as_of"].startswith("2024-12-31") and extra["caveats"] == ct.revenue.CAVEATS
    assert extra["scenario"]["estimate"] == pytest.approx(page.kpis[-1]["value"])
    assert len(extra["comparison"]) == len(shown["categories"]["compare"])
    assert page.skipped == []


def test_every_section_skips_without_answers(inputs):
    empty = rv.Inputs(inputs.params, inputs.loaded, inputs.answers.iloc[:0], inputs.scale,
                      inputs.revenue, inputs.customers, date=inputs.date,
                      churn_dates=inputs.churn_dates, out=inputs.out)
    for build in (rv.categories, rv.accounts, rv.churn, rv.link, rv.transitions):
        section = build(empty)
        assert section.skipped.startswith("No NPS answers in the responses: ")
    assert rv.accounting(empty).cards == []
    none = Section("x")
    scenario = rv.scenario(empty, none, none)
    assert scenario.skipped.startswith("The scenario needs revenue growth")


# --- moved from test_revenue (issue 11) ---------------------------------------------------


def test_headline_cards_on_the_sample(windows_default):
    compare = compare_categories(windows_default)
    row = compare.iloc[0]
    cards = rv.headline_cards(compare)
    assert cards[0]["value"] == pytest.approx(row["difference"])
    assert cards[0]["label"] == "Promoters vs detractors: growth"
    assert cards[0]["sentence"] == ct.revenue.describe_comparison(compare)[0]
    labels = rv.headline_cards(compare.assign(a="satisfied", b="dissatisfied"))
    assert labels[0]["label"] == "Satisfied customers vs dissatisfied customers: growth"
    assert rv.headline_cards() == []


def test_usable_segments_and_link_section_skip_a_single_level():
    answers, revenue, customers = many_segment_data(3)
    customers["country"] = "FR"
    used, notes = rv.usable_segments(["shop", "country", "size"], answers, customers)
    assert used == ["shop"]
    assert notes == ["Segment column 'country' has a single value ('FR'): not used.",
                     "Segment column 'size' is in neither the responses nor the customers "
                     "table: not used."]
    answers = ct.revenue.add_categories(answers)
    section = rv.link_section(answers, revenue, customers, segments=["country"])
    assert section.skipped == ("No segment column with two or more values (segment_columns): "
                               "the segment-period link is skipped. Segment column 'country' has "
                               "a single value ('FR'): not used.")


def test_shown_rows_bounds_a_table():
    head, note = rv.shown_rows(pd.DataFrame({"x": range(12)}), limit=10)
    assert len(head) == 10 and note == "2 more rows not shown (12 in all)."
    assert rv.shown_rows(pd.DataFrame({"x": range(3)}), limit=10)[1] is None
    with pytest.raises(ParameterError, match="limit"):
        rv.shown_rows(pd.DataFrame(), limit=0)


def test_report_date_of_revenue_end_then_answers_then_given():
    revenue = pd.DataFrame({"customer_id": ["a", "a"], "period": ["2025-11", "2025-12"],
                            "revenue": [1, 1]})
    answers = pd.DataFrame({"responded_at": pd.to_datetime(["2026-01-05"])})
    date, sentence = rv.report_date_of(None, answers, revenue)
    assert date.date == "2025-12-31" and date.source == "data" and date.column == "period"
    date, sentence = rv.report_date_of(None, answers, None)
    assert date.date == "2026-01-05" and date.column == "responded_at"
    date, sentence = rv.report_date_of("2025-06-30", answers, revenue)
    assert date.source == "parameter" and sentence == "Report date 2025-06-30 (as_of)."


def test_sections_skip_with_a_sentence():
    no_answers = ct.revenue.add_categories(pd.DataFrame({"customer_id": [], "score": []}))
    section = rv.category_section(no_answers, small_revenue())
    assert section.skipped == ("No NPS answers in the responses: revenue by category is skipped "
                               "(set link_survey to the survey the file has).")
    # History too short: every window ends after the data; the sentence says what to change.
    answers = ct.revenue.add_categories(small_answers().query("survey == 'nps' and score <= 10"))
    short = rv.category_section(answers, small_revenue(), after=12)
    assert short.skipped.startswith("Revenue by category is skipped: No answer is left")
    assert "Shorten after= (now 12)" in short.skipped
    ran = rv.category_section(answers, small_revenue(), before=2, after=2, min_n=1)
    assert ran.skipped is None and ran["compare"] is not None and len(ran.findings) == 2
    assert rv.scenario_section(answers, None).skipped.startswith("The scenario needs")


def test_churn_section_without_churn_shows_bounds_and_skips_the_tests():
    answers = ct.revenue.add_categories(pd.DataFrame({
        "customer_id": ["a", "b", "c", "d"], "score": [9, 10, 3, 7],
        "responded_at": ["2024-01-10", "2024-01-11", "2024-01-12", "2024-01-13"]}))
    customers = pd.DataFrame({"customer_id": list("abcd"), "churned_at": [None] * 4})
    section = rv.churn_section(answers, customers, None, as_of="2025-03-31",
                                       best="promoter", min_n=1)
    assert section.skipped is None and section["logrank"] is None and section["hazards"] is None
    assert section.notes == ["No customer churned in the follow-up: the log-rank test and the "
                             "Cox hazard ratios are skipped (the churn shares show upper bounds)."]
    table = section["churn_table"].set_index("group")
    assert (table["estimate"] == 0).all() and (table["ci_high"] > 0).all()
