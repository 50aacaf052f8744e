"""Section builders of the comments report (notebook ``06_comments``).

:func:`load` reads the responses and builds the comment frame
(:func:`csat_toolkit.comments.comment_frame`: personal data masked first, language
detected, tokens, the respondent's tone from the score); each builder then returns one
section: the accounting and the languages (:func:`accounting`), the words that
distinguish unhappy from happy customers (:func:`distinguishing`), the themes found
without a dictionary (:func:`themes`), the topics of the dictionary with their scores
(:func:`topics`) and their trend (:func:`topic_trend`), and keyword in context
(:func:`keywords`); :func:`headline_extra` gives the page's own ``headline.json`` keys.

Every comment this page shows or writes (examples, keyword in context,
``comments.csv``) is the masked text; the page says what was masked.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ...comments import (comment_frame, language_name, distinguishing_terms, find_themes,
                         keyword_in_context, language_table, load_topics, tag_topics,
                         topic_summary)
from ...comments import topic_trend as topic_periods
from ...comments.frame import CommentFrame
from ...comments.topics import TopicDictionary
from ...core.asof import report_date
from ...core.display import people_table
from ...core.text import PERIOD_NAMES
from ...io.responses import LoadResult
from ..commentplots import plot_topic_scores, plot_topic_trend
from ..headline import data_period, highlight, rows_used
from ._inputs import Inputs, pick_parameters, read_answers
from .base import Section, figure_of, loaded_scales

__all__ = ["DEFAULTS", "CommentInputs", "parameters", "load", "prepare", "accounting",
           "distinguishing", "themes", "topics", "topic_trend", "keywords", "headline_extra"]

#: The notebook's parameters and their defaults (the ``parameters`` cell of 06_comments).
DEFAULTS: dict[str, Any] = {
    "responses_path": "../data/sample/responses.csv", "columns": {}, "survey": None,
    "surveys": {}, "scales": {}, "thresholds": {}, "encoding": "utf-8-sig", "sep": None,
    "date_format": None, "dayfirst": None, "load_options": {}, "start": None, "end": None,
    "survey_types": [], "comment_column": "comment",
    "languages": ["en", "el", "zh_hant", "zh_hans", "lv", "th", "ro"],
    "topics_path": None, "min_count": 5, "min_comments": 50, "n_themes": None, "examples": 3,
    "kwic_terms": [], "kwic_window": 6, "kwic_rows": 10, "period": None, "conf_level": 0.95,
    "min_n": 30, "correction": "holm", "mask_pii": True, "seed": 2024, "as_of": None,
    "output_dir": "../reports/notebook/06_comments", "title": "What customers say",
}
_TERM_COLUMNS = ["term", "n_unhappy", "n_happy", "log_odds", "z", "p_adjusted"]


@dataclass(kw_only=True)
class CommentInputs(Inputs):
    """What the comments report reads (:class:`~._inputs.Inputs`) and its comment frame.

    Attributes
    ----------
    comments : CommentFrame
        The comments of the answers read (masked, languages, tokens, tone).
    topics : TopicDictionary
        The topic dictionary (``topics_path``, else the packaged one).
    flags : DataFrame
        One bool column per topic for each comment (:func:`~csat_toolkit.comments.tag_topics`).
    """

    comments: CommentFrame
    topics: TopicDictionary
    flags: pd.DataFrame


def parameters(namespace: Mapping[str, Any]) -> dict:
    """The notebook's parameters picked by name from a namespace (a notebook's ``globals()``).

    Examples
    --------
    >>> parameters({"min_count": 3, "plt": object()})
    {'min_count': 3}
    """
    return pick_parameters(DEFAULTS, namespace)


def load(params: Mapping[str, Any], out: str | Path | None = None) -> CommentInputs:
    """Load the responses; write ``rejected_rows.csv`` (comments masked) to ``out``."""
    params, loaded = read_answers(params, DEFAULTS, out)
    return prepare(loaded, params, out=out)


def prepare(loaded: LoadResult, params: Mapping[str, Any] | None = None, *,
            out: str | Path | None = None) -> CommentInputs:
    """The report's inputs from responses already loaded: the comment frame, the date."""
    params = {**DEFAULTS, **(params or {})}
    data = loaded.data
    if params["survey_types"]:
        data = data[data["survey"].isin(params["survey_types"])]
    scales = loaded_scales(loaded, params)
    column = params["comment_column"]
    if column not in data.columns:
        data = data.assign(**{column: pd.Series(pd.NA, index=data.index, dtype="string")})
    comments = comment_frame(data, column=column, languages=params["languages"],
                             scales=scales, mask=params["mask_pii"])
    dated = bool(params["as_of"]) or data["responded_at"].notna().any()
    when = report_date(params["as_of"], {"responded_at": loaded.answer_dates()}) if dated else None
    topics = load_topics(params["topics_path"])
    return CommentInputs(loaded=loaded, params=params, scales=scales, when=when,
                         out=Path(out) if out is not None else None, comments=comments,
                         topics=topics, flags=tag_topics(comments.analysed, topics))


def _no_comments(inputs: CommentInputs, what: str) -> str | None:
    frame = inputs.comments.analysed
    if not frame.empty:
        return None
    column = inputs.params["comment_column"]
    if inputs.comments.frame.empty:
        return (f"No comments in the column {column!r} (comment_column): {what} is skipped.")
    return (f"No comment is in a language of the run ({', '.join(inputs.comments.languages)}; "
            f"parameter languages): {what} is skipped.")


def accounting(inputs: CommentInputs) -> Section:
    """Rows read and used, comments found, their languages, and what was masked; the
    comments (masked) go to ``comments.csv``."""
    comments = inputs.comments
    sentences = [inputs.loaded.summary(), comments.summary()]
    if inputs.when is not None:
        sentences.insert(0, inputs.when.sentence())
    table = language_table(comments)
    inputs.write(comments.frame.drop(columns=["tokens"]), "comments.csv")
    other = table.loc[~table["analysed"] & (table["code"] != "und"), "comments"].sum() \
        if len(table) else 0
    notes = []
    if other:
        notes.append(f"{int(other):,} comment{' is' if other == 1 else 's are'} in a "
                     "language the run does not analyse; counted above and kept in "
                     "comments.csv, never split into another language's words. Add the "
                     "language's code to `languages` to analyse it.")
    return Section("comments", results={"languages": table, "comments": comments},
                   tables={"Comments per language": table},
                   sentences=sentences, notes=notes,
                   details=[people_table(inputs.loaded.report(),
                                         title="Answers: rows read, used and set aside"),
                            people_table(comments.masked, title="Personal data masked")])


def distinguishing(inputs: CommentInputs) -> Section:
    """The words and phrases over-represented in unhappy against happy comments, per
    language (:func:`csat_toolkit.comments.distinguishing_terms`): one table per
    language with the clearest terms of each side; the method, the languages skipped and
    every term tested (``distinguishing_terms.csv``) under "Details". Result: ``terms``."""
    p = inputs.params
    gap = _no_comments(inputs, "the word comparison")
    if gap:
        return Section("distinguishing words", skipped=gap, results={"terms": None})
    terms = distinguishing_terms(inputs.comments.analysed, min_count=p["min_count"],
                                 min_comments=p["min_comments"])
    inputs.write(terms.table, "distinguishing_terms.csv")
    tables, findings = {}, []
    for code in _by_size(inputs, terms.table["language"].unique()):
        shown = _term_rows(terms, code)
        if shown.empty:
            continue
        tables[f"{language_name(code)}: clearest words and phrases"] = shown
        unhappy = shown.loc[shown["side"] == "unhappy", "term"].head(3).tolist()
        if unhappy and not findings:
            findings.append(f"Unhappy customers writing in {language_name(code)} say "
                            + ", ".join(f"“{t}”" for t in unhappy)
                            + " more often than happy ones (weighted log-odds, |z| ≥ 1.96).")
    sentences = terms.sentences()
    return Section("distinguishing words", results={"terms": terms}, tables=tables, titled=True,
                   sentences=sentences, findings=findings,
                   details=[terms.method, *terms.notes,
                            people_table(terms.comments, title="Comments and words compared")])


def _by_size(inputs: CommentInputs, codes) -> list[str]:
    """Language codes, the language with most analysed comments first."""
    counts = inputs.comments.analysed["language"].value_counts()
    return sorted(codes, key=lambda c: (-counts.get(c, 0), c))


def _term_rows(terms, code: str, k: int = 8) -> pd.DataFrame:
    """The ``k`` clearest terms of each side in one language, unhappy first."""
    a, b = terms.groups
    rows = pd.concat([terms.top(k, side=a, language=code), terms.top(k, side=b, language=code)])
    columns = ["side", "term", "kind", f"n_{a}", f"n_{b}", "log_odds", "z", "p_adjusted"]
    return rows[columns].round({"log_odds": 2, "z": 2}).reset_index(drop=True)


def _kwic_terms(inputs: CommentInputs, terms) -> list[tuple[str, str | None]]:
    """(term, language) pairs to show in context: ``kwic_terms`` in every language, else
    the clearest unhappy word of each language compared."""
    if inputs.params["kwic_terms"]:
        return [(str(t), None) for t in inputs.params["kwic_terms"]]
    if terms is None:
        return []
    # Every term leaning to the unhappy side, clearest first; each language's first word.
    leaning = terms.top(max(len(terms.table), 1), side=terms.groups[0])
    words = leaning[leaning["kind"] == "word"] if "kind" in leaning else leaning
    first = {r.language: r.term for r in words.groupby("language", sort=False).head(1).itertuples()}
    return [(first[code], code) for code in _by_size(inputs, first)]


def keywords(inputs: CommentInputs, distinguishing: Section | None = None) -> Section:
    """Keyword in context (:func:`csat_toolkit.comments.keyword_in_context`) for
    ``kwic_terms``, else the clearest unhappy word of each language: the masked comment
    around each occurrence, newest first, at most ``kwic_rows`` per word."""
    p = inputs.params
    gap = _no_comments(inputs, "keyword in context")
    if gap:
        return Section("keyword in context", skipped=gap, results={"kwic": {}})
    terms = None if distinguishing is None else distinguishing["terms"]
    wanted = _kwic_terms(inputs, terms)
    if not wanted:
        return Section("keyword in context", results={"kwic": {}}, sentences=[
            "No word leans clearly to the unhappy side in any language, and no `kwic_terms` "
            "were given: nothing to show in context."])
    tables, sentences, found = {}, [], {}
    for term, code in wanted:
        rows = keyword_in_context(inputs.comments.frame, term, window=p["kwic_window"],
                                  language=code, limit=None)
        found[term if code is None else f"{term} ({code})"] = rows
        where = "" if code is None else f" ({language_name(code)})"
        if rows.empty:
            sentences.append(f"“{term}”{where}: not found in the comments.")
            continue
        title = f"“{term}”{where}: {len(rows):,} occurrence{'s' if len(rows) != 1 else ''}"
        tables[title] = rows.head(p["kwic_rows"])[["tone", "score", "left", "keyword", "right"]]
    return Section("keyword in context", results={"kwic": found}, tables=tables, titled=True,
                   sentences=sentences)


def themes(inputs: CommentInputs) -> Section:
    """Themes without a dictionary (:func:`csat_toolkit.comments.find_themes`): per
    language, each theme's label (its top terms), size and the score of its comments with
    an interval; representative comments (masked) in a second table; the method, the
    stability of each number of themes tried and the languages skipped under "Details".
    Result: ``themes``."""
    p = inputs.params
    gap = _no_comments(inputs, "the theme model")
    if gap:
        return Section("themes", skipped=gap, results={"themes": None})
    found = find_themes(inputs.comments.analysed, n_themes=p["n_themes"],
                        min_comments=p["min_comments"], seed=p["seed"], examples=p["examples"],
                        scales=inputs.scales, conf=p["conf_level"], min_n=p["min_n"])
    inputs.write(found.table, "themes.csv")
    tables = {}
    main = (_main_surveys(inputs) or [None])[0]
    for code in _by_size(inputs, found.table["language"].unique()):
        part = found.table[found.table["language"] == code]
        tables[f"{language_name(code)}: themes"] = _theme_rows(part, main)
        shown = found.examples[found.examples["language"] == code]
        if len(shown):
            tables[f"{language_name(code)}: representative comments"] = shown[
                [c for c in ("label", "text", "tone", "score") if c in shown]].reset_index(
                    drop=True)
    notes = [*found.skipped.values(), *found.notes]
    return Section("themes", results={"themes": found}, tables=tables, titled=True,
                   sentences=found.summary() or [
                       f"No language has {p['min_comments']} comments with words "
                       "(min_comments): no themes."],
                   details=[found.method, *notes,
                            people_table(found.choices, title="Stability of each number "
                                         "of themes tried")])


def _theme_rows(part: pd.DataFrame, survey: str | None) -> pd.DataFrame:
    """A language's themes as shown: label, size, and the main survey's score (the other
    surveys' are in themes.csv)."""
    columns = ["theme", "label", "comments", "share"]
    if survey is not None and survey in part.columns:
        columns += [survey, f"{survey}_ci_low", f"{survey}_ci_high", f"{survey}_n",
                    f"{survey}_small_n"]
    shown = part[columns].rename(columns={f"{survey}_small_n": "small_n"})
    empty = (shown["theme"] == 0) & (shown["comments"] == 0)  # every comment has a theme
    return shown[~empty].reset_index(drop=True)


def _main_surveys(inputs: CommentInputs) -> list[str]:
    """Surveys with at least ``min_n`` analysed comments, most comments first."""
    counts = inputs.comments.analysed["survey"].value_counts()
    return [s for s in counts.index if counts[s] >= inputs.params["min_n"]]


def topics(inputs: CommentInputs) -> Section:
    """The dictionary's topics (:func:`csat_toolkit.comments.topic_summary`) for each
    survey with at least ``min_n`` comments: share of comments, the survey's score among
    those who mention the topic against the others, the difference corrected across the
    topics; a table and a chart for each of the two surveys with most comments, the other
    surveys' tables and the dictionary itself under "Details". Result: ``summaries``
    (survey -> TopicSummary)."""
    p = inputs.params
    gap = _no_comments(inputs, "the topic analysis")
    if gap:
        return Section("topics", skipped=gap, results={"summaries": {}})
    frame = inputs.comments.analysed
    summaries, tables, figures, sentences, findings, captions = {}, {}, [], [], [], []
    more = []  # the surveys after the first two: their tables fold under "Details"
    for rank, survey in enumerate(_main_surveys(inputs)):
        summary = topic_summary(frame, inputs.flags, survey=survey, conf=p["conf_level"],
                                correction=p["correction"], topics=inputs.topics,
                                scale=inputs.scales.get(survey), min_n=p["min_n"])
        summaries[survey] = summary
        inputs.write(summary.table, f"topics_{survey}.csv")
        shown = summary.table[_TOPIC_COLUMNS].rename(columns=_TOPIC_NAMES)
        if rank >= _SURVEYS_SHOWN:
            more.append(people_table(shown, title=f"{survey.upper()}: topics", min_n=p["min_n"]))
            continue
        tables[f"{survey.upper()}: topics"] = shown
        figures.append(figure_of(plot_topic_scores, summary.table,
                                 title=f"{survey.upper()} when a topic is mentioned"))
        captions.append(f"{survey.upper()} among the comments mentioning each topic against "
                        "the other comments, with intervals.")
        sentences += summary.sentences
        findings += _topic_findings(summary)
    if not summaries:
        return Section("topics", results={"summaries": {}}, skipped=(
            f"No survey has {p['min_n']} comments (min_n): the topic scores are skipped."))
    notes = list(dict.fromkeys(n for s in summaries.values() for n in s.notes))
    return Section("topics", results={"summaries": summaries}, tables=tables, figures=figures,
                   titled=True,
                   captions=captions, sentences=sentences, findings=findings[:3],
                   details=[*notes, *[s.method for s in summaries.values()][:1], *more,
                            people_table(inputs.topics.to_frame(), max_rows=60,
                                         title=f"The topic dictionary ({inputs.topics.source})")])


_TOPIC_COLUMNS = ["label", "comments", "share", "share_ci_low", "share_ci_high", "n", "estimate",
                  "ci_low", "ci_high", "ref_estimate", "difference", "difference_ci_low",
                  "difference_ci_high", "p_adjusted", "significant", "small_n"]
#: How the topic tables name the scores: of those who mention the topic, of the others.
_TOPIC_NAMES = {"label": "topic", "n": "n_scored", "estimate": "score",
                "ci_low": "score_ci_low", "ci_high": "score_ci_high",
                "ref_estimate": "score_of_others"}
#: Surveys whose topic tables and charts are shown (most comments first); the others'
#: tables are under "Details".
_SURVEYS_SHOWN = 2


def _topic_findings(summary) -> list[str]:
    """The topics with the largest significant gaps, as sentences (largest first)."""
    table = summary.table
    rows = table[table["significant"].astype(bool)]
    order = rows["difference"].abs().sort_values(ascending=False, kind="mergesort").index
    by_topic = dict(zip(table["topic"], summary.sentences))
    return [by_topic[table.loc[i, "topic"]] for i in order if table.loc[i, "topic"] in by_topic]


def topic_trend(inputs: CommentInputs, topics: Section | None = None) -> Section:
    """Each topic's share of the comments per period (``period``, else chosen from the
    data's span), for the survey with most comments: the chart of the five most mentioned
    topics, every topic and period in ``topic_trend.csv``. Result: ``trend``."""
    p = inputs.params
    gap = _no_comments(inputs, "the topic trend")
    if gap:
        return Section("topics over time", skipped=gap, results={"trend": None})
    frame = inputs.comments.analysed
    if frame["responded_at"].notna().sum() == 0:
        return Section("topics over time", results={"trend": None}, skipped=(
            "The comments have no dates (responded_at): the topic trend is skipped."))
    surveys = _main_surveys(inputs) or [frame["survey"].value_counts().index[0]]
    trend = topic_periods(frame, inputs.flags, p["period"], survey=surveys[0],
                          conf=p["conf_level"], min_n=p["min_n"],
                          scale=inputs.scales.get(surveys[0]))
    inputs.write(trend, "topic_trend.csv")
    periods = trend["period"].nunique()
    if periods < 2:
        return Section("topics over time", results={"trend": trend}, skipped=(
            f"The comments cover one {PERIOD_NAMES.get(trend.attrs['period'], 'period')} "
            "only: no trend to show."))
    counts = inputs.flags.sum().sort_values(ascending=False, kind="mergesort")
    top = counts[counts > 0].index[:5]  # a topic nobody mentions is not drawn
    labels = {t.removeprefix("topic_"): inputs.topics[t.removeprefix("topic_")].label
              for t in inputs.flags.columns}
    wanted = [t.removeprefix("topic_") for t in top if t.removeprefix("topic_") in
              set(trend["topic"])]
    if not wanted:
        return Section("topics over time", results={"trend": trend}, skipped=(
            "No topic of the dictionary is mentioned in the comments: no trend to show."))
    drawn = ("the most mentioned topic is drawn" if len(wanted) == 1 else
             f"the {len(wanted)} most mentioned topics are drawn")
    sentence = (f"Per {PERIOD_NAMES.get(trend.attrs['period'], 'period')}, {periods} periods; "
                f"{drawn}, every topic is in topic_trend.csv.")
    return Section("topics over time", results={"trend": trend},
                   figures=[figure_of(plot_topic_trend, trend, labels=labels, topics=wanted)],
                   captions=["Share of comments mentioning each topic drawn ("
                             + ", ".join(labels[t] for t in wanted)
                             + ") per period, with Wilson intervals."],
                   sentences=[sentence, *trend.attrs.get("notes", [])])




def headline_extra(inputs: CommentInputs, sections: Mapping[str, Section] | None = None) -> dict:
    """The page's own ``headline.json`` keys: rows, data period, comments per language,
    what was masked, the topics with their score gaps, the clearest unhappy terms."""
    comments, sections = inputs.comments, sections or {}
    topics = sections.get("topics")
    summaries = {} if topics is None else topics["summaries"] or {}
    terms = None if sections.get("distinguishing words") is None else \
        sections["distinguishing words"]["terms"]
    table = language_table(comments)
    return {
        "rows": rows_used(len(comments.frame), inputs.loaded.n_read, "comments"),
        "data_period": data_period({"responded_at": comments.frame["responded_at"]})
        if "responded_at" in comments.frame else None,
        "comments": int(len(comments.frame)),
        "comments_analysed": int(comments.frame["language_supported"].sum()),
        "languages": table[["code", "comments", "analysed"]].to_dict("records"),
        "pii_masked": {str(k): int(v) for k, v in zip(comments.masked["kind"],
                                                      comments.masked["matches"])},
        "topics": {s: t.table[["topic", "comments", "share", "estimate", "ref_estimate",
                               "difference", "p_adjusted", "significant"]].to_dict("records")
                   for s, t in summaries.items()},
        "unhappy_terms": {} if terms is None else {
            code: part["term"].tolist() for code, part in
            terms.top(5, side=terms.groups[0]).groupby("language")},
        "highlights": _highlights(summaries),
        **inputs.date_keys}


def _highlights(summaries: Mapping) -> list[dict]:
    """The topic with the largest significant score gap, for the index."""
    for summary in summaries.values():
        found = _topic_findings(summary)
        if found:
            return [highlight("topic_gap", found[0], section="Topics")]
    return []
