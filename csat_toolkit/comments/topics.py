"""User-defined topics: a YAML dictionary of keywords per language, tagged in the comments.

:func:`load_topics` reads and validates the dictionary (the packaged
``comments/topics.yaml`` by default), :func:`tag_topics` gives one flag per topic for each
comment of the comment frame, :func:`topic_summary` ties each topic to the survey's score
(tagged comments against the others, corrected for testing every topic) and
:func:`topic_trend` follows each topic's share and score over periods.

Matching: the comment and each keyword both go through
:func:`csat_toolkit.comments.tokens.normalise` (casefold; Greek accents and Romanian
diacritics removed). In space-separated languages a keyword matches at the start of a
word ("wait" matches "waiting" and "waited", not "await"); a keyword of several words
matches that word sequence, its last word as a prefix. In Chinese (``zh_hant``,
``zh_hans``) and Thai (``th``), written without spaces, a keyword matches anywhere
(substring). ``patterns`` are Python regular expressions searched in the normalised text
(write them in lower case, without accents where the language drops them). A topic
without an entry for a language never tags that language's comments; the summary says
which languages those are.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..core import stats
from ..core.comparisons import CORRECTION_NAMES, adjust_across, compare
from ..core.display import result_html
from ..core.metrics import METRICS, get_metric, metric_table
from ..core.tally import period_code, period_labels
from ..core.text import format_level, format_p, format_value
from ..errors import DataError, FileFormatError, MissingColumnError, ParameterError, show_values
from .language import LANGUAGES
from .tokens import OTHER_LANGUAGES

#: Language codes a dictionary may hold: the six (tested) and the others a run may list.
_CODES = LANGUAGES + OTHER_LANGUAGES
from .tokens import normalise

__all__ = ["UNSPACED", "Topic", "TopicDictionary", "load_topics", "tag_topics",
           "topic_summary", "TopicSummary", "topic_trend", "choose_period"]

#: Languages written without spaces between words: keywords match as substrings.
UNSPACED = ("zh_hant", "zh_hans", "th")
_TOPIC_KEYS = ("name", "label", "description")
_ENTRY_KEYS = ("keywords", "patterns")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
PREFIX = "topic_"


@dataclass(frozen=True)
class Topic:
    """One topic: its name, label and, per language, keywords and patterns.

    ``keywords`` hold the normalised keywords (as matched); ``patterns`` the regular
    expressions as written.
    """

    name: str
    label: str
    keywords: Mapping[str, tuple[str, ...]]
    patterns: Mapping[str, tuple[str, ...]]
    description: str = ""

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this topic can tag, the six first (in the order of :data:`LANGUAGES`)."""
        have = set(self.keywords) | set(self.patterns)
        return tuple(code for code in _CODES if code in have)

    def regex(self, language: str) -> re.Pattern | None:
        """The one compiled expression matching this topic in ``language`` (None: no entry).

        Examples
        --------
        >>> t = Topic("response_time", "Waiting", {"en": ("wait", "took long")}, {})
        >>> t.regex("en").pattern
        '(?<!\\\\w)(?:wait|took\\\\s+long)'
        >>> bool(t.regex("en").search("i waited and waited")), bool(t.regex("en").search("await"))
        (True, False)
        """
        return _compile(self, language)


@dataclass(frozen=True)
class TopicDictionary:
    """A validated topic dictionary (see :func:`load_topics`)."""

    topics: tuple[Topic, ...]
    source: str = "<mapping>"
    version: int = 1

    @property
    def names(self) -> list[str]:
        """Topic names, in the file's order."""
        return [t.name for t in self.topics]

    def __len__(self) -> int:
        return len(self.topics)

    def __iter__(self) -> Iterator[Topic]:
        return iter(self.topics)

    def __getitem__(self, name: str) -> Topic:
        for topic in self.topics:
            if topic.name == name:
                return topic
        raise ParameterError(f"No topic {name!r} in {self.source}; topics: "
                             f"{show_values(self.names, limit=10)}.")

    def missing_languages(self, name: str) -> tuple[str, ...]:
        """The languages where topic ``name`` has neither keywords nor patterns."""
        have = self[name].languages
        return tuple(code for code in LANGUAGES if code not in have)

    def to_frame(self) -> pd.DataFrame:
        """One row per topic and language: ``topic``, ``label``, ``language``,
        ``keywords`` (joined), ``patterns`` (joined)."""
        rows = [{"topic": t.name, "label": t.label, "language": code,
                 "keywords": ", ".join(t.keywords.get(code, ())),
                 "patterns": ", ".join(t.patterns.get(code, ()))}
                for t in self.topics for code in t.languages]
        return pd.DataFrame(rows, columns=["topic", "label", "language", "keywords", "patterns"])

    def _repr_html_(self) -> str:
        return result_html(f"{len(self)} topics from {self.source}.", self.to_frame(),
                           max_rows=20)


# --- loading and validation -------------------------------------------------------------


def _packaged() -> Path:
    return Path(str(resources.files("csat_toolkit.comments").joinpath("topics.yaml")))


def load_topics(path: str | Path | Mapping | None = None) -> TopicDictionary:
    """Read and validate a topic dictionary.

    Parameters
    ----------
    path : str, Path, mapping or None
        A YAML file in the format of ``csat_toolkit/comments/topics.yaml`` (None: that
        packaged file), or the same content already read into a mapping.

    Returns
    -------
    TopicDictionary

    Raises
    ------
    FileFormatError
        The file is missing or not YAML, or a topic is invalid: no ``name``, a repeated
        name, an unknown key or language code, ``keywords``/``patterns`` not a list or
        empty, a keyword that is not text, or a regular expression that does not compile.
        The message names the file, the topic and the key.
    ParameterError
        ``path`` is of another type.

    Examples
    --------
    >>> topics = load_topics({"version": 1, "topics": [
    ...     {"name": "delivery", "label": "Delivery", "en": {"keywords": ["Shipping", "arrived late"]},
    ...      "el": {"keywords": ["Παράδοση"]}}]})
    >>> topics.names, topics["delivery"].keywords["en"], topics["delivery"].keywords["el"]
    (['delivery'], ('shipping', 'arrived late'), ('παραδοση',))
    """
    if path is None:
        path = _packaged()
    if isinstance(path, Mapping):
        return _parse(path, "<mapping>")
    if not isinstance(path, (str, Path)):
        raise ParameterError(f"path must be a YAML file path or a mapping; got "
                             f"{type(path).__name__}.")
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileFormatError(f"Topic dictionary {source} not found; give the path of a YAML "
                              "file (or None for the packaged topics).") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FileFormatError(f"Topic dictionary {source} cannot be read ({exc}); save it as "
                              "UTF-8 text.") from None
    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FileFormatError(f"Topic dictionary {source} is not valid YAML: {exc}. Check the "
                              "indentation and quote regular expressions in '...'.") from None
    return _parse(content, source)


def _parse(content, source: str) -> TopicDictionary:
    if not isinstance(content, Mapping) or "topics" not in content:
        keys = f" with keys {show_values(list(content))}" if isinstance(content, Mapping) else ""
        raise FileFormatError(f"Topic dictionary {source} must be a mapping with 'version: 1' "
                              f"and a 'topics:' list; found {type(content).__name__}{keys}.")
    version = content.get("version", 1)
    if version != 1:
        raise FileFormatError(f"Topic dictionary {source}: unknown version {version!r}; this "
                              "toolkit reads version 1.")
    extra = [k for k in content if k not in ("version", "topics")]
    if extra:
        raise FileFormatError(f"Topic dictionary {source}: unknown top-level key(s) "
                              f"{show_values(extra)}; only 'version' and 'topics' are read.")
    items = content["topics"]
    if not isinstance(items, list) or not items:
        raise FileFormatError(f"Topic dictionary {source}: 'topics' must be a non-empty list "
                              f"of topics; found {items!r}.")
    topics: list[Topic] = []
    for position, item in enumerate(items, start=1):
        topic = _parse_topic(item, position, source)
        if topic.name in [t.name for t in topics]:
            raise FileFormatError(f"Topic dictionary {source}: topic #{position} repeats the "
                                  f"name {topic.name!r}; each topic needs its own name (merge "
                                  "the two entries or rename one).")
        topics.append(topic)
    return TopicDictionary(tuple(topics), source, int(version))


def _parse_topic(item, position: int, source: str) -> Topic:
    where = f"Topic dictionary {source}, topic #{position}"
    if not isinstance(item, Mapping):
        raise FileFormatError(f"{where}: a topic must be a mapping with 'name' and language "
                              f"entries; found {item!r}.")
    name = item.get("name")
    if name is None:
        raise FileFormatError(f"{where}: missing 'name' (keys found: {show_values(list(item))}); "
                              "give each topic a name such as 'response_time'.")
    if not isinstance(name, str) or not _NAME.match(name):
        raise FileFormatError(f"{where}: name {name!r} must be lower-case letters, digits and "
                              "underscores, starting with a letter (it becomes the column "
                              f"'{PREFIX}<name>').")
    where = f"Topic dictionary {source}, topic {name!r}"
    unknown = [k for k in item if k not in _TOPIC_KEYS and k not in _CODES]
    if unknown:
        raise FileFormatError(f"{where}: unknown key(s) {show_values(unknown)}; language codes "
                              f"are {', '.join(LANGUAGES)} and, best effort, "
                              f"{', '.join(OTHER_LANGUAGES)} (other keys: "
                              f"{', '.join(_TOPIC_KEYS)}).")
    label = item.get("label") or name.replace("_", " ").capitalize()
    keywords: dict[str, tuple[str, ...]] = {}
    patterns: dict[str, tuple[str, ...]] = {}
    for code in _CODES:
        if code not in item:
            continue
        entry = item[code]
        if not isinstance(entry, Mapping):
            raise FileFormatError(f"{where}, {code}: must be a mapping with 'keywords' and/or "
                                  f"'patterns' lists; found {entry!r}.")
        bad = [k for k in entry if k not in _ENTRY_KEYS]
        if bad:
            raise FileFormatError(f"{where}, {code}: unknown key(s) {show_values(bad)}; use "
                                  "'keywords' and/or 'patterns'.")
        if not entry:
            raise FileFormatError(f"{where}, {code}: empty entry; give 'keywords' or "
                                  "'patterns', or remove the language.")
        for key in _ENTRY_KEYS:
            if key not in entry:
                continue
            values = entry[key]
            if not isinstance(values, list):
                raise FileFormatError(f"{where}, {code}.{key}: must be a list such as "
                                      f"[wait, slow]; found {values!r}.")
            if not values:
                raise FileFormatError(f"{where}, {code}.{key}: empty list; give at least one "
                                      f"entry or remove '{key}'.")
            texts = [v for v in values if not isinstance(v, (str, int)) or isinstance(v, bool)
                     or not str(v).strip()]
            if texts:
                raise FileFormatError(f"{where}, {code}.{key}: entries must be non-empty text; "
                                      f"found {show_values(texts)}.")
            if key == "keywords":
                words = tuple(dict.fromkeys(normalise(str(v), code) for v in values))
                keywords[code] = words
            else:
                for pattern in values:
                    try:
                        re.compile(str(pattern))
                    except re.error as exc:
                        raise FileFormatError(
                            f"{where}, {code}.patterns: {str(pattern)!r} is not a valid "
                            f"regular expression ({exc}); fix it or quote it in '...'."
                        ) from None
                patterns[code] = tuple(str(p) for p in values)
    topic = Topic(name, str(label), keywords, patterns, str(item.get("description") or ""))
    for code in topic.languages:
        try:
            _compile(topic, code)
        except re.error as exc:
            raise FileFormatError(
                f"{where}, {code}: the patterns {show_values(patterns.get(code, ()))} cannot be "
                f"combined into one expression ({exc}); move inline flags such as (?i) "
                "inside a group, e.g. (?i:...).") from None
    return topic


def _keyword_regex(keyword: str, language: str) -> str:
    if language in UNSPACED:
        return re.escape(keyword)
    words = keyword.split(" ")
    body = r"\s+".join(re.escape(w) for w in words)
    return body


def _compile(topic: Topic, language: str) -> re.Pattern | None:
    words = topic.keywords.get(language, ())
    patterns = topic.patterns.get(language, ())
    if not words and not patterns:
        return None
    parts = []
    if words:
        if language in UNSPACED:
            parts.append("|".join(_keyword_regex(w, language) for w in words))
        else:
            # a word start: not after a letter/digit (keywords opening with a symbol such
            # as an emoji match anywhere)
            starts = [w for w in words if re.match(r"\w", w)]
            others = [w for w in words if not re.match(r"\w", w)]
            if starts:
                parts.append(r"(?<!\w)(?:" + "|".join(_keyword_regex(w, language)
                                                       for w in starts) + ")")
            if others:
                parts.append("|".join(_keyword_regex(w, language) for w in others))
    parts += [f"(?:{p})" for p in patterns]
    return re.compile(parts[0] if len(parts) == 1 else "|".join(f"(?:{p})" for p in parts))


# --- tagging ------------------------------------------------------------------------------


def _check_frame(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"{what} needs the comment frame (a DataFrame from "
                             f"comments.comment_frame(...).frame); got {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MissingColumnError(
            f"{what}: the comment frame has no column {show_values(missing)} (columns: "
            f"{show_values(list(frame.columns), limit=8)}); build it with "
            "comments.comment_frame(...).")


def tag_topics(frame: pd.DataFrame, topics: TopicDictionary) -> pd.DataFrame:
    """One boolean column per topic (``topic_<name>``): does the comment mention it?

    Parameters
    ----------
    frame : DataFrame
        The comment frame (``text`` and ``language`` are read).
    topics : TopicDictionary
        From :func:`load_topics`.

    Returns
    -------
    DataFrame
        Same index as ``frame``, one bool column per topic in the dictionary's order.
        Comments in a language the topic has no entry for, and comments in a language the
        run does not analyse (``language_supported`` False, when the frame has it), are
        False.

    Examples
    --------
    >>> topics = load_topics({"topics": [{"name": "response_time",
    ...     "en": {"keywords": ["wait"], "patterns": ["took (too|so) long"]},
    ...     "el": {"keywords": ["αργή"]}, "zh_hans": {"keywords": ["慢"]}}]})
    >>> frame = pd.DataFrame({"language": ["en", "en", "en", "el", "zh_hans", "lv"],
    ...     "text": ["Waiting forever", "It took so long", "await", "Πολύ ΑΡΓΗ απάντηση",
    ...              "回复太慢了", "gaidīju"]})
    >>> tag_topics(frame, topics)["topic_response_time"].tolist()
    [True, True, False, True, True, False]
    """
    _check_frame(frame, ["text", "language"], "tag_topics")
    if not isinstance(topics, TopicDictionary):
        raise ParameterError(f"topics must be a TopicDictionary from load_topics(); got "
                             f"{type(topics).__name__}.")
    flags = pd.DataFrame(False, index=frame.index,
                         columns=[PREFIX + t.name for t in topics], dtype=bool)
    language = frame["language"].astype(object).to_numpy()
    analysed = (frame["language_supported"].to_numpy(dtype=bool)
                if "language_supported" in frame else np.ones(len(frame), dtype=bool))
    for code in _CODES:
        rows = (language == code) & analysed
        if not rows.any():
            continue
        compiled = [(PREFIX + t.name, t.regex(code)) for t in topics]
        compiled = [(c, r) for c, r in compiled if r is not None]
        if not compiled:
            continue
        # each distinct text is normalised and searched once, then spread to its rows
        raw = pd.Series(frame["text"].to_numpy(dtype=object)[rows], dtype=object)
        codes, distinct = pd.factorize(raw, use_na_sentinel=False)
        texts = [normalise(t if isinstance(t, str) else "", code) for t in distinct]
        for column, regex in compiled:
            found = np.fromiter((regex.search(t) is not None for t in texts), bool, len(texts))
            flags.loc[rows, column] = found[codes]
    flags.attrs["topic_labels"] = {PREFIX + t.name: t.label for t in topics}
    flags.attrs["topic_languages"] = {PREFIX + t.name: list(t.languages) for t in topics}
    return flags


# --- summary ------------------------------------------------------------------------------


def _choose_survey(frame: pd.DataFrame, survey: str | None) -> str:
    present = frame["survey"].dropna().astype(str)
    if survey is not None:
        if survey not in METRICS or survey in ("csat_mean", "ces_easy"):
            raise ParameterError(f"survey {survey!r} is not a survey type; use one of "
                                 "'csat', 'nps', 'ces', 'pmf'.")
        if not (present == survey).any():
            raise DataError(f"No comment from the {survey.upper()} survey (surveys present: "
                            f"{show_values(sorted(present.unique()))}); choose one of those.")
        return survey
    counts = present[present.isin(["csat", "nps", "ces", "pmf"])].value_counts()
    if counts.empty:
        raise DataError(f"No comment comes from a CSAT, NPS, CES or PMF survey (surveys: "
                        f"{show_values(sorted(present.unique()))}); map the survey column.")
    best = counts[counts == counts.max()]
    return sorted(best.index)[0]


def _topic_columns(flags: pd.DataFrame, frame: pd.DataFrame) -> list[str]:
    if not isinstance(flags, pd.DataFrame):
        raise ParameterError(f"flags must be the DataFrame from tag_topics(); got "
                             f"{type(flags).__name__}.")
    columns = [c for c in flags.columns if str(c).startswith(PREFIX)]
    if not columns:
        raise MissingColumnError(f"flags has no '{PREFIX}...' column (columns: "
                                 f"{show_values(list(flags.columns))}); pass tag_topics(...)'s result.")
    if not flags.index.equals(frame.index):
        raise DataError(f"flags ({len(flags):,} rows) do not have the comment frame's index "
                        f"({len(frame):,} rows); tag the same frame: tag_topics(frame, topics).")
    return columns


@dataclass
class TopicSummary:
    """Topics against the survey's score (see :func:`topic_summary`).

    ``table``: one row per topic; ``sentences``: one per topic; ``method``: how the
    numbers were computed; ``notes``: what the reader should know (languages a topic
    cannot tag, the survey chosen).
    """

    table: pd.DataFrame
    sentences: list[str]
    method: str
    survey: str
    metric: str
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """All sentences, one paragraph."""
        return " ".join(self.sentences)

    def _repr_html_(self) -> str:
        shown = self.table.drop(columns=["p_value"], errors="ignore")
        return result_html(self.sentences, shown, method=self.method, notes=self.notes,
                           max_rows=20)


def topic_summary(frame: pd.DataFrame, flags: pd.DataFrame, survey: str | None = None,
                  conf: float = 0.95, correction: str = "holm", *, topics: TopicDictionary | None = None,
                  scale=None, min_n: int = 30) -> TopicSummary:
    """How often each topic comes up, and the score of those who mention it.

    Per topic: comments tagged and their share of all comments (Wilson interval); the
    survey's metric (CSAT % satisfied, NPS, CES mean, PMF) among the tagged comments of
    that survey and among its other comments, each with its interval and n; the
    difference (tagged minus others) with the package's test (two-proportion z test, NPS
    difference test or Welch) and its p corrected over all topics; ``small_n`` when
    either side has fewer than ``min_n`` comments (never significant); and the languages
    present whose comments the topic cannot tag (no keywords there).

    Parameters
    ----------
    frame : DataFrame
        The comment frame (``survey``, ``score``, ``language``, ``language_supported``).
    flags : DataFrame
        :func:`tag_topics` on ``frame``.
    survey : {"csat", "nps", "ces", "pmf"}, optional
        Whose scores; None takes the survey with the most comments (ties: alphabetical).
    conf : float
        Confidence level.
    correction : {"holm", "bh", "none"}
        Multiple-testing correction across the topics.
    topics : TopicDictionary, optional
        For the labels and the languages without keywords (else read from ``flags``).
    scale : str or Scale, optional
        The survey's scale (default: the survey's default scale).
    min_n : int
        Smaller groups are flagged and never called different.

    Returns
    -------
    TopicSummary

    Examples
    --------
    >>> frame = pd.DataFrame({"survey": "csat", "language": "en", "language_supported": True,
    ...     "score": [1] * 40 + [5] * 10 + [5] * 45 + [1] * 5,
    ...     "text": ["refund please"] * 50 + ["great"] * 50})
    >>> topics = load_topics({"topics": [{"name": "billing_refund", "en": {"keywords": ["refund"]}}]})
    >>> s = topic_summary(frame, tag_topics(frame, topics), topics=topics)
    >>> row = s.table.iloc[0]
    >>> int(row["comments"]), float(row["share"]), float(row["estimate"]), float(row["ref_estimate"])
    (50, 50.0, 20.0, 90.0)
    >>> bool(row["significant"])
    True
    """
    _check_frame(frame, ["survey", "score", "language"], "topic_summary")
    columns = _topic_columns(flags, frame)
    if correction not in CORRECTION_NAMES:
        raise ParameterError(f"Unknown correction {correction!r}; use 'holm', 'bh' or 'none'.")
    stats._check_conf(conf)
    survey = _choose_survey(frame, survey)
    spec = get_metric(survey)
    labels = _labels(columns, flags, topics)
    missing = _missing_languages(columns, frame, flags, topics)
    total = len(frame)
    rows = frame["survey"].astype(object).to_numpy() == survey
    answers = frame.loc[rows, ["score"]].assign(survey=survey)
    records, tests = [], []
    for column in columns:
        tagged = flags[column].to_numpy(bool)
        count = int(tagged.sum())
        low, high = stats.proportion_interval(count, total, conf=conf)
        group = pd.Series(np.where(tagged[rows], "tagged", "untagged"), index=answers.index)
        data = answers.assign(group=group)
        table = metric_table(data, survey, by="group", scale=scale, conf=conf, min_n=min_n)
        side = {g: r for g, r in zip(table["group"], table.to_dict("records"))}
        record = {"topic": column[len(PREFIX):], "label": labels[column], "comments": count,
                  "share": 100 * count / total if total else np.nan,
                  "share_ci_low": 100 * low, "share_ci_high": 100 * high,
                  "survey": survey, "metric": survey}
        for prefix, name in (("", "tagged"), ("ref_", "untagged")):
            one = side.get(name, {})
            record[f"{prefix}n"] = int(one.get("n", 0))
            record[f"{prefix}estimate"] = one.get("estimate", np.nan)
            record[f"{prefix}ci_low"] = one.get("ci_low", np.nan)
            record[f"{prefix}ci_high"] = one.get("ci_high", np.nan)
        if len(side) == 2:
            test = compare(data, metric=survey, by="group", against="untagged", scale=scale,
                           conf=conf, min_n=min_n, correction="none")
        else:  # nobody or everybody mentions it: nothing to compare
            test = pd.DataFrame({"difference": [np.nan], "ci_low": [np.nan], "ci_high": [np.nan],
                                 "statistic": [np.nan], "p_value": [np.nan], "small_n": [True],
                                 "conf": [conf], "test": ["none (one side empty)"]})
        tests.append(test)
        record["method"] = table["method"].iloc[0] if len(table) else ""
        record["no_keywords_in"] = ", ".join(missing[column])
        records.append(record)
    adjusted = adjust_across(tests, correction)
    for record, test in zip(records, adjusted):
        row = test.iloc[0]
        record.update(difference=row["difference"], difference_ci_low=row["ci_low"],
                      difference_ci_high=row["ci_high"], p_value=row["p_value"],
                      p_adjusted=row["p_adjusted"], significant=bool(row["significant"]),
                      small_n=bool(row["small_n"]), test=row["test"],
                      correction=CORRECTION_NAMES[correction], conf=conf)
    table = pd.DataFrame(records)
    order = ["topic", "label", "comments", "share", "share_ci_low", "share_ci_high", "survey",
             "metric", "n", "estimate", "ci_low", "ci_high", "ref_n", "ref_estimate",
             "ref_ci_low", "ref_ci_high", "difference", "difference_ci_low",
             "difference_ci_high", "p_value", "p_adjusted", "significant", "small_n",
             "no_keywords_in", "conf", "method", "test", "correction"]
    table = table[order]
    sentences = [_sentence(r, spec, total) for r in table.to_dict("records")]
    tests_used = sorted({t for t in table["test"] if not t.startswith("none")})
    method = (f"Share of all {total:,} comments tagged: Wilson score interval. {spec.label} "
              f"among the {survey.upper()} comments tagged against the other "
              f"{survey.upper()} comments: {table['method'].iloc[0] if len(table) else ''}; "
              f"{'; '.join(tests_used) or 'no test'}, p corrected over the {len(table)} topics "
              f"({CORRECTION_NAMES[correction]}).")
    notes = [f"{labels[c]}: no keywords in {', '.join(missing[c])}; those comments are never "
             "tagged with it." for c in columns if missing[c]]
    return TopicSummary(table, sentences, method, survey, survey, notes)


def _labels(columns, flags, topics) -> dict[str, str]:
    if topics is not None:
        return {c: topics[c[len(PREFIX):]].label for c in columns}
    known = flags.attrs.get("topic_labels", {})
    return {c: known.get(c, c[len(PREFIX):].replace("_", " ").capitalize()) for c in columns}


def _missing_languages(columns, frame, flags, topics) -> dict[str, list[str]]:
    supported = frame["language_supported"].astype(bool) if "language_supported" in frame \
        else frame["language"].isin(_CODES)
    present = [c for c in _CODES if (frame.loc[supported, "language"] == c).any()]
    known = flags.attrs.get("topic_languages", {})
    out = {}
    for column in columns:
        if topics is not None:
            have = topics[column[len(PREFIX):]].languages
        elif column in known:
            have = known[column]
        else:
            have = _CODES  # not known: say nothing
        out[column] = [c for c in present if c not in have]
    return out


def _sentence(row: Mapping, spec, total: int) -> str:
    level = format_level(row["conf"])
    share = (f"{row['label']}: {row['comments']:,} of {total:,} comments "
             f"({format_value(row['share'], 'share')}, {level} CI "
             f"{format_value(row['share_ci_low'], 'share')} to "
             f"{format_value(row['share_ci_high'], 'share')})")
    stat = spec.statistic
    if row["n"] == 0:
        return share + f"; none of them from the {row['survey'].upper()} survey."
    own = (f"{spec.label} among them {format_value(row['estimate'], stat)} ({level} CI "
           f"{format_value(row['ci_low'], stat)} to {format_value(row['ci_high'], stat)}, "
           f"n={row['n']:,})")
    ref = f"the other comments ({format_value(row['ref_estimate'], stat)}, n={row['ref_n']:,})"
    if row["small_n"] or pd.isna(row["p_adjusted"]):
        return f"{share}; {own}; too few comments on one side to compare with {ref}."
    detail = f"{row['correction']}-adjusted {format_p(row['p_adjusted'])}"
    if row["significant"]:
        size = abs(row["difference"])
        amount = f"{size:.1f} points" if stat != "mean" else f"{size:.2f}"
        direction = "higher" if row["difference"] > 0 else "lower"
        return f"{share}; {own}, {amount} {direction} than {ref}; {detail}."
    return f"{share}; {own}, not distinguishable from {ref}; {detail}."


# --- trend --------------------------------------------------------------------------------


def choose_period(dates: pd.Series) -> str:
    """A period for a trend from the dates' span: weeks up to 120 days, months up to
    three years (1,096 days), quarters beyond.

    Examples
    --------
    >>> choose_period(pd.Series(pd.to_datetime(["2024-01-01", "2024-03-01"])))
    'W'
    >>> choose_period(pd.Series(pd.to_datetime(["2024-01-01", "2025-06-30"])))
    'M'
    """
    values = pd.to_datetime(dates).dropna()
    if values.empty:
        raise DataError("No dates to choose a period from (responded_at is empty); map a date "
                        "column to responded_at or give period=.")
    days = (values.max() - values.min()) / pd.Timedelta(days=1)
    return "W" if days <= 120 else "M" if days <= 1096 else "Q"


def topic_trend(frame: pd.DataFrame, flags: pd.DataFrame, period: str | None = "M", *,
                survey: str | None = None, conf: float = 0.95, min_n: int = 30,
                scale=None) -> pd.DataFrame:
    """Each topic's share of comments and the survey's score among them, per period.

    Parameters
    ----------
    frame : DataFrame
        The comment frame (``responded_at``, ``survey``, ``score``).
    flags : DataFrame
        :func:`tag_topics` on ``frame``.
    period : {"W", "M", "Q", "Y", "D"} or None
        Calendar period; None chooses from the data's span (:func:`choose_period`).
    survey : str, optional
        As in :func:`topic_summary` (None: the survey with the most comments).
    conf, min_n, scale
        As in :func:`topic_summary`.

    Returns
    -------
    DataFrame
        One row per period and topic: ``period``, ``topic``, ``comments`` (all comments
        of the period), ``tagged``, ``share`` with ``share_ci_low``/``share_ci_high``
        (Wilson), the survey's metric among the tagged comments (``n``, ``estimate``,
        ``ci_low``, ``ci_high``, ``small_n``), ``metric``, ``conf`` and ``method``.
        Comments without a date are left out; ``attrs["notes"]`` says how many, and
        ``attrs["period"]`` the period used.

    Examples
    --------
    >>> frame = pd.DataFrame({"survey": "csat", "language": "en", "score": [1, 5, 5, 4],
    ...     "responded_at": pd.to_datetime(["2024-01-03", "2024-01-20", "2024-02-02", None]),
    ...     "text": ["refund", "ok", "refund ok", "refund"]})
    >>> topics = load_topics({"topics": [{"name": "billing", "en": {"keywords": ["refund"]}}]})
    >>> t = topic_trend(frame, tag_topics(frame, topics), "M")
    >>> t[["period", "comments", "tagged", "share", "n", "estimate"]].astype(str).values.tolist()
    [['2024-01', '2', '1', '50.0', '1', '0.0'], ['2024-02', '1', '1', '100.0', '1', '100.0']]
    >>> t.attrs["notes"]
    ['1 comment without a date is left out of the trend.']
    """
    _check_frame(frame, ["responded_at", "survey", "score"], "topic_trend")
    columns = _topic_columns(flags, frame)
    stats._check_conf(conf)
    dates = pd.to_datetime(frame["responded_at"])
    dated = dates.notna().to_numpy()
    if not dated.any():
        raise DataError("topic_trend needs dates, but responded_at is empty in every comment; "
                        "map a date column to responded_at when loading.")
    code = period_code(period) if period is not None else choose_period(dates)
    survey = _choose_survey(frame, survey)
    spec = get_metric(survey)
    labels = _labels(columns, flags, None)
    periods = period_labels(dates[dated], code)
    counts = periods.value_counts().sort_index()
    calendar = pd.period_range(counts.index.min(), counts.index.max(), freq=counts.index.freq)
    totals = counts.reindex(calendar, fill_value=0)
    data = frame.loc[dated, ["score", "responded_at"]].assign(survey=frame.loc[dated, "survey"])
    parts = []
    for column in columns:
        tagged = flags.loc[dated, column].to_numpy(bool)
        per = pd.Series(tagged, index=periods.index).groupby(periods.to_numpy()).sum()
        per = per.reindex(calendar, fill_value=0).astype(int)
        low, high = stats.proportion_interval(per.to_numpy(), totals.to_numpy(), conf=conf)
        part = pd.DataFrame({"period": calendar, "topic": column[len(PREFIX):],
                             "label": labels[column], "comments": totals.to_numpy(),
                             "tagged": per.to_numpy()})
        with np.errstate(divide="ignore", invalid="ignore"):
            part["share"] = 100 * part["tagged"] / part["comments"]
        part["share_ci_low"], part["share_ci_high"] = 100 * np.asarray(low), 100 * np.asarray(high)
        rows = data[tagged & (data["survey"] == survey).to_numpy()]
        if len(rows):
            scores = metric_table(rows, survey, period=code, scale=scale, conf=conf,
                                  min_n=min_n)
            scores = scores[["period", "n", "estimate", "ci_low", "ci_high", "method"]]
            part = part.merge(scores, on="period", how="left")
        else:
            part = part.assign(n=0, estimate=np.nan, ci_low=np.nan, ci_high=np.nan, method="")
        part["n"] = part["n"].fillna(0).astype(int)
        part["small_n"] = part["n"] < min_n
        part["metric"] = survey
        part["conf"] = conf
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    score_methods = [m for m in out["method"].dropna().unique() if m]
    out["method"] = "share of the period's comments: Wilson score" + (
        f"; {spec.label} among the tagged {survey.upper()} comments: {score_methods[0]}"
        if score_methods else "")
    out = out[["period", "topic", "label", "comments", "tagged", "share", "share_ci_low",
               "share_ci_high", "metric", "n", "estimate", "ci_low", "ci_high", "small_n",
               "conf", "method"]]
    undated = int((~dated).sum())
    out.attrs["period"] = code
    words = "comment without a date is" if undated == 1 else "comments without a date are"
    out.attrs["notes"] = [f"{undated:,} {words} left out of the trend."] if undated else []
    return out
