"""Themes nobody had to name: TF-IDF and non-negative matrix factorisation per language.

:func:`find_themes` takes the comment frame (one row per comment, with its normalised
``tokens``), builds a TF-IDF matrix per language (the tokens as they are, unigrams and
bigrams, terms found in at least two comments) and factorises it with NMF
(scikit-learn, ``init="nndsvda"``, seeded). Each theme is named by its top terms; each
comment joins the theme holding most of its weight when that is a clear majority;
representative comments are picked for diversity (maximal marginal relevance); and the
survey's metric (CSAT, NPS, CES, PMF) is given per theme with its interval by the
package's own metric function.

How many themes (``n_themes=None``): for each k from 2 to 10 (at most one theme per
:data:`ROWS_PER_THEME` comments and fewer than the terms), NMF is fitted on all comments and on
:data:`STABILITY_RUNS` seeded random subsets of :data:`SUBSAMPLE` of them; the stability of k
is the mean agreement between the full fit's top-term rankings and each subset's, themes
matched one-to-one (Hungarian method) and rankings compared by average Jaccard over the
depths 1..``top_terms`` (Greene, O'Callaghan & Cunningham 2014, "How many topics?
Stability analysis for topic models"). Each k is scored by its stability times its
coverage (the share of comments its themes describe, :func:`choose_themes`); the best
score wins, ties going to the smaller k.
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from threadpoolctl import threadpool_limits

from ..core import stats
from ..core.display import result_html
from ..core.metrics import metric_table
from ..errors import MissingColumnError, ParameterError, show_values
from .language import LANGUAGES, language_name

__all__ = ["Themes", "find_themes", "choose_themes", "mmr_select", "average_jaccard",
           "NO_THEME", "MMR_LAMBDA", "MIN_SHARE", "MIN_FIT", "K_RANGE", "ROWS_PER_THEME", "CHOOSE_ROWS", "STABILITY_RUNS",
           "SUBSAMPLE"]

#: The label of the comments that belong to no theme (theme id 0).
NO_THEME = "no clear theme"
#: Maximal marginal relevance: weight of relevance against novelty.
MMR_LAMBDA = 0.7
#: A comment joins its largest theme when that theme holds at least this share of its weight.
MIN_SHARE = 0.5
#: A comment joins a theme only when its words are in it: the cosine of the comment's
#: TF-IDF row with the theme's terms is at least this (NMF gives every comment some weight
#: on some theme; a comment none of the themes describes has "no clear theme").
MIN_FIT = 0.2
#: The numbers of themes tried when ``n_themes=None``.
K_RANGE = (2, 10)
#: At most one theme per this many comments (themes of a handful of comments are noise).
ROWS_PER_THEME = 40
#: Above this many comments in a language, the number of themes is chosen on a seeded
#: sample of this many (54 NMF fits per language otherwise grow with the comments); the
#: themes themselves are fitted on every comment.
CHOOSE_ROWS = 5000
#: Subsets fitted per k for the stability of the themes.
STABILITY_RUNS = 5
#: Share of the comments in each subset.
SUBSAMPLE = 0.8
#: A term must appear in at least this many comments.
MIN_DF = 2
#: Candidates considered for the examples of a theme (its strongest comments).
MMR_CANDIDATES = 200
_METRIC_SURVEYS = ("csat", "nps", "ces", "pmf")



@dataclass
class Themes:
    """Themes found in the comments (see :func:`find_themes`).

    Attributes
    ----------
    table : DataFrame
        One row per language and theme (theme 0 is "no clear theme"): ``language``,
        ``theme``, ``label`` (top three terms), ``top_terms``, ``comments``, ``share`` (%
        of the language's comments modelled), then per survey present ``<survey>`` (the
        metric: CSAT % satisfied, NPS, CES mean, PMF %), ``<survey>_ci_low``,
        ``<survey>_ci_high``, ``<survey>_n``, ``<survey>_small_n``.
    assignments : DataFrame
        One row per comment modelled: ``response_id``, ``language``, ``theme``, ``label``,
        ``weight`` (share of the comment's theme weight in its theme), index as the frame.
    examples : DataFrame
        Representative comments per theme: ``language``, ``theme``, ``label``, ``rank``,
        ``response_id``, ``text`` (PII-masked, as in the frame), ``weight``, and
        ``survey``/``score``/``tone`` when the frame has them.
    scores : DataFrame
        The metric tables behind the survey columns (from
        :func:`csat_toolkit.core.metrics.metric_table`, by language and theme).
    choices : DataFrame
        ``language``, ``k``, ``stability``, ``coverage`` and ``score`` for every k tried
        (empty when given).
    method : str
        How the themes were found.
    skipped : dict
        Language code -> the sentence saying why it has no themes (too few comments, too
        few shared words, or a language the run does not analyse).
    notes : list of str
        What the reader should know: fewer themes fitted than asked, NMF stopped before
        converging, surveys without a metric per theme.
    """

    table: pd.DataFrame
    assignments: pd.DataFrame
    examples: pd.DataFrame
    scores: pd.DataFrame
    choices: pd.DataFrame
    method: str
    skipped: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    def summary(self) -> list[str]:
        """One sentence per language modelled: how many themes, the largest."""
        out = []
        for language, part in self.table.groupby("language", sort=False):
            themes = part[part["theme"] > 0]
            clear = int(part.loc[part["theme"] == 0, "comments"].sum())
            total = int(part["comments"].sum())
            if themes.empty:
                continue
            top = themes.iloc[0]
            out.append(f"{_name(language)}: {len(themes)} themes in {total:,} "
                       f"comments; the largest is \"{top['label']}\" ({int(top['comments']):,}, "
                       f"{top['share']:.1f}%); {clear:,} with no clear theme.")
        return out

    def _repr_html_(self) -> str:
        sentences = self.summary() or ["No themes: no language has enough comments."]
        return result_html(sentences, self.table, method=self.method,
                           notes=[*self.skipped.values(), *self.notes], max_rows=30)


def _name(code: str) -> str:
    return "all languages" if code == "all" else language_name(code)


def _terms(tokens) -> list[str]:
    """Unigrams and bigrams of a token list (the TF-IDF analyzer)."""
    words = [str(t) for t in tokens] if isinstance(tokens, (list, tuple, np.ndarray)) else []
    return words + [f"{a} {b}" for a, b in zip(words[:-1], words[1:])]


def _distinct_terms(ranked: Sequence[str], count: int) -> list[str]:
    """The first ``count`` terms that add a word: a bigram whose words are already shown
    ("agent agent", or "refund late" after "refund" and "late") is left out.

    Examples
    --------
    >>> _distinct_terms(["agent", "agent agent", "friendly agent", "friendly", "kind"], 3)
    ['agent', 'friendly agent', 'kind']
    """
    taken: list[str] = []
    words: set[str] = set()
    for term in ranked:
        parts = set(term.split(" "))
        if parts <= words:
            continue
        taken.append(term)
        words |= parts
        if len(taken) == count:
            break
    return taken


def _nmf(matrix, k: int, seed: int):
    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        weights = model.fit_transform(matrix)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return weights, model.components_, converged


def _rankings(components: np.ndarray, top: int) -> np.ndarray:
    """Column indices of each theme's top terms, heaviest first (ties: column order)."""
    order = np.argsort(-components, axis=1, kind="stable")
    return order[:, :top]


def average_jaccard(first: Sequence, second: Sequence) -> float:
    """Average Jaccard similarity of two rankings over the depths 1..t (Greene et al. 2014).

    Examples
    --------
    >>> average_jaccard(["a", "b"], ["a", "b"]), average_jaccard(["a", "b"], ["b", "a"])
    (1.0, 0.5)
    """
    depth = min(len(first), len(second))
    if depth == 0:
        return 0.0
    total = 0.0
    for d in range(1, depth + 1):
        a, b = set(first[:d]), set(second[:d])
        total += len(a & b) / len(a | b)
    return total / depth


def _agreement(reference: np.ndarray, other: np.ndarray) -> float:
    similarity = np.array([[average_jaccard(list(r), list(o)) for o in other] for r in reference])
    rows, cols = linear_sum_assignment(-similarity)
    return float(similarity[rows, cols].mean())


def choose_themes(matrix, *, seed: int = 0, top_terms: int = 8, k_range: tuple[int, int] = K_RANGE,
                  runs: int = STABILITY_RUNS, subsample: float = SUBSAMPLE) -> tuple[int, pd.DataFrame]:
    """The number of themes whose top terms are most stable under subsampling.

    For each k in ``k_range`` (inclusive, capped at one theme per :data:`ROWS_PER_THEME`
    rows and below the
    number of terms), NMF on all rows is compared with NMF on ``runs`` seeded subsets of
    ``subsample`` of the rows: themes matched one-to-one, top-``top_terms`` rankings
    compared by :func:`average_jaccard` (the stability). Each k's coverage is the share of
    rows its themes describe (cosine with a theme's terms at least :data:`MIN_FIT`).
    Returns the k with the highest stability x coverage (ties: the smaller k) and the
    table of ``k``, ``stability``, ``coverage`` and ``score``. Stability alone often
    prefers two themes (the happy and the unhappy) that leave most comments undescribed:
    on Olist's Portuguese reviews 2 themes are the most stable (0.91) but describe 31% of
    the comments; 7 (0.85) describe 50%: "did not receive", "late", "recommend",
    "great product" ... instead of two catch-alls.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> zipf = 1 / np.arange(1, 7)  # three themes of six terms, word counts as in text
    >>> counts = rng.poisson(np.kron(np.eye(3), np.ones((40, 1))) @ np.kron(np.eye(3), zipf) * 3)
    >>> k, table = choose_themes(counts.astype(float), top_terms=4)
    >>> k, table["stability"].idxmax() == table.index[table["k"] == 3][0]
    (3, True)
    """
    n_rows, n_terms = matrix.shape
    high = max(k_range[0], min(k_range[1], n_rows // ROWS_PER_THEME, n_terms - 1))
    rng = np.random.default_rng(seed)
    size = max(2, int(round(subsample * n_rows)))
    subsets = [np.sort(rng.choice(n_rows, size=size, replace=False)) for _ in range(runs)]
    rows = []
    for k in range(k_range[0], high + 1):
        _, reference, _ = _nmf(matrix, k, seed)
        top = _rankings(reference, top_terms)
        scores = [_agreement(top, _rankings(_nmf(matrix[subset], k, seed)[1], top_terms))
                  for subset in subsets]
        rows.append({"k": k, "stability": float(np.mean(scores)),
                     "coverage": _coverage(matrix, reference)})
    table = pd.DataFrame(rows)
    table["score"] = table["stability"] * table["coverage"]
    best = table["score"].max()
    k = int(table.loc[table["score"] >= best - 1e-9, "k"].min())
    return k, table


def _coverage(matrix, components: np.ndarray) -> float:
    """Share of rows whose words are in some theme: cosine of the row with the theme's
    terms at least :data:`MIN_FIT` for one theme."""
    rows = sparse.csr_matrix(matrix, dtype=float)
    lengths = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
    lengths[lengths == 0] = 1.0
    norms = np.linalg.norm(components, axis=1)
    norms[norms == 0] = 1.0
    cosine = np.asarray(rows.dot((components / norms[:, None]).T)) / lengths[:, None]
    return float((cosine.max(axis=1) >= MIN_FIT).mean())


def mmr_select(relevance: np.ndarray, similarity: np.ndarray, count: int, *,
               lam: float = MMR_LAMBDA, same: np.ndarray | None = None) -> list[int]:
    """Pick ``count`` items by maximal marginal relevance (Carbonell & Goldstein 1998).

    Each step takes the item maximising ``lam * relevance - (1 - lam) * (largest
    similarity to an item already taken)``; ties go to the earlier item. ``same`` (a
    boolean matrix) marks items never taken together (identical texts).

    Examples
    --------
    >>> sim = np.array([[1, .95, 0], [.95, 1, 0], [0, 0, 1]])
    >>> mmr_select(np.array([1.0, 0.9, 0.5]), sim, 2)
    [0, 2]
    """
    relevance = np.asarray(relevance, dtype=float)
    chosen: list[int] = []
    available = np.ones(len(relevance), dtype=bool)
    for _ in range(min(count, len(relevance))):
        if not available.any():
            break
        penalty = similarity[:, chosen].max(axis=1) if chosen else np.zeros(len(relevance))
        score = np.where(available, lam * relevance - (1 - lam) * penalty, -np.inf)
        pick = int(np.argmax(score))
        chosen.append(pick)
        available[pick] = False
        if same is not None:
            available &= ~same[pick]
    return chosen


def _check(frame, n_themes, min_comments, seed, top_terms, examples, min_share, mmr_lambda):
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"find_themes needs the comment frame (a DataFrame from "
                             f"comments.comment_frame(...).frame); got {type(frame).__name__}.")
    missing = [c for c in ("response_id", "tokens", "text", "language") if c not in frame.columns]
    if missing:
        raise MissingColumnError(
            f"find_themes: the comment frame has no column {show_values(missing)} (columns: "
            f"{show_values(list(frame.columns), limit=8)}); build it with comments.comment_frame(...).")
    checks = [
        ("n_themes", n_themes, n_themes is None or (_integer(n_themes) and n_themes >= 2),
         "None (chosen from the data) or a whole number of at least 2"),
        ("min_comments", min_comments, _integer(min_comments) and min_comments >= 1,
         "a whole number of at least 1"),
        ("seed", seed, _integer(seed) and seed >= 0, "a whole number of at least 0"),
        ("top_terms", top_terms, _integer(top_terms) and top_terms >= 3,
         "a whole number of at least 3 (the label uses three)"),
        ("examples", examples, _integer(examples) and examples >= 0, "a whole number of at least 0"),
        ("min_share", min_share, _number(min_share) and 0 <= min_share <= 1, "a number from 0 to 1"),
        ("mmr_lambda", mmr_lambda, _number(mmr_lambda) and 0 <= mmr_lambda <= 1,
         "a number from 0 to 1"),
    ]
    for name, value, ok, wanted in checks:
        if not ok:
            raise ParameterError(f"find_themes: {name} must be {wanted}; got {value!r}.")


def _integer(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _number(value) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool)


def find_themes(frame: pd.DataFrame, n_themes: int | None = None, per_language: bool = True,
                min_comments: int = 50, seed: int = 0, top_terms: int = 8, examples: int = 3,
                *, min_share: float = MIN_SHARE, mmr_lambda: float = MMR_LAMBDA,
                scales: Mapping | None = None, conf: float = 0.95, min_n: int = 30) -> Themes:
    """Themes in the comments, per language, with the survey's score per theme.

    Parameters
    ----------
    frame : DataFrame
        The comment frame: ``response_id``, ``tokens`` (lists of normalised words),
        ``text`` (masked), ``language``, and ``language_supported``, ``survey``,
        ``score``, ``tone`` when present. Comments in languages not supported are
        counted in ``skipped``, never modelled.
    n_themes : int, optional
        Themes per language; None chooses k in 2..10 by stability x coverage
        (:func:`choose_themes`).
        A number above what the comments allow (one theme per :data:`ROWS_PER_THEME`
        comments, fewer than
        the terms) is lowered, with a note.
    per_language : bool
        One model per language (default) or one model over every supported comment
        (language ``"all"``).
    min_comments : int
        Languages with fewer comments that have words are skipped, with a sentence.
    seed : int
        Seeds NMF and the subsets of the stability rule.
    top_terms : int
        Terms kept per theme (the label is the first three).
    examples : int
        Representative comments per theme.
    min_share : float
        A comment joins its largest theme when that theme holds at least this share of
        its theme weight (weights taken with each theme's terms scaled to unit length)
        and its words are in that theme (cosine of its TF-IDF row with the theme's terms
        at least :data:`MIN_FIT`); otherwise it has "no clear theme" (theme 0), as do
        comments without words.
    mmr_lambda : float
        Maximal marginal relevance weight: relevance (the comment's weight in the theme,
        scaled to the theme's largest) against similarity to the examples already taken
        (cosine of TF-IDF rows); identical texts are never shown twice.
    scales : mapping, optional
        Survey -> scale for the metrics (default: each survey's default scale).
    conf, min_n
        Confidence level of the intervals; themes with fewer answers of a survey are
        flagged ``<survey>_small_n``.

    Returns
    -------
    Themes

    Examples
    --------
    >>> words = {"a": ["refund", "invoice", "charge"], "b": ["agent", "friendly", "helpful"]}
    >>> rows = [{"response_id": i, "language": "en", "survey": "csat", "score": 1 if t == "a" else 5,
    ...          "tokens": words[t][i % 3:] + words[t][:i % 3], "text": " ".join(words[t])}
    ...         for i, t in enumerate(["a", "b"] * 30)]
    >>> themes = find_themes(pd.DataFrame(rows), n_themes=2)
    >>> themes.table[["theme", "label", "comments"]].values.tolist()
    [[1, 'charge, invoice, refund', 30], [2, 'agent, friendly, helpful', 30], [0, 'no clear theme', 0]]
    >>> themes.table["csat"].tolist()
    [0.0, 100.0, nan]
    """
    _check(frame, n_themes, min_comments, seed, top_terms, examples, min_share, mmr_lambda)
    stats._check_conf(conf)
    # One BLAS thread: the small fits run several times faster than with threads that
    # compete for busy cores, and the numbers do not depend on the thread count.
    with threadpool_limits(1):
        return _find_themes(frame, n_themes, per_language, min_comments, seed, top_terms,
                            examples, min_share, mmr_lambda, scales, conf, min_n)


def _find_themes(frame, n_themes, per_language, min_comments, seed, top_terms, examples,
                 min_share, mmr_lambda, scales, conf, min_n) -> Themes:
    supported = (frame["language_supported"].astype(bool).to_numpy()
                 if "language_supported" in frame.columns
                 else frame["language"].isin(LANGUAGES).to_numpy())
    skipped: dict[str, str] = {}
    other = frame.loc[~supported, "language"].astype(str).value_counts()
    for code in sorted(other.index):
        skipped[code] = (f"{_name(code)} ({code}): {other[code]:,} comment"
                         f"{'s' if other[code] != 1 else ''} counted, not modelled (not a "
                         "language the run analyses).")
    language = frame["language"].astype(str).to_numpy()
    if per_language:
        codes = [c for c in LANGUAGES if (supported & (language == c)).any()]
        codes += sorted(set(language[supported]) - set(codes))
        groups = [(c, np.flatnonzero(supported & (language == c))) for c in codes]
    else:
        groups = [("all", np.flatnonzero(supported))] if supported.any() else []
    tables, assigned, shown, choices, notes, used = [], [], [], [], [], []
    k_texts = set()
    for code, positions in groups:
        part = frame.iloc[positions]
        result = _one_group(code, part, n_themes, min_comments, seed, top_terms, examples,
                            min_share, mmr_lambda)
        if isinstance(result, str):
            skipped[code] = result
            continue
        table, assignment, example, choice, note, k_text = result
        used.append(positions)
        tables.append(table)
        assigned.append(assignment)
        shown.append(example)
        choices.append(choice)
        notes += note
        k_texts.add(k_text)
    table = pd.concat(tables, ignore_index=True) if tables else _empty_table()
    assignments = pd.concat(assigned) if assigned else pd.DataFrame(
        columns=["response_id", "language", "theme", "label", "weight"])
    example_table = pd.concat(shown, ignore_index=True) if shown else pd.DataFrame(
        columns=["language", "theme", "label", "rank", "response_id", "text", "weight"])
    choice_table = pd.concat(choices, ignore_index=True) if choices else pd.DataFrame(
        columns=["language", "k", "stability", "coverage", "score"])
    rows = frame.iloc[np.concatenate(used)] if used else frame.iloc[:0]
    table, scores, score_notes = _with_scores(table, rows, assignments, scales, conf, min_n)
    method = _method(seed, top_terms, min_share, mmr_lambda, per_language, min_comments,
                     sorted(k_texts))
    return Themes(table, assignments, example_table, scores, choice_table, method, skipped,
                  notes + score_notes)


def _one_group(code, part, n_themes, min_comments, seed, top_terms, examples, min_share,
               mmr_lambda):
    tokens = part["tokens"].tolist()
    has_words = np.array([len(_terms(t)) > 0 for t in tokens], dtype=bool)
    name = f"{_name(code)} ({code})" if code != "all" else "All languages"
    count = int(has_words.sum())
    if count < min_comments:
        return (f"{name}: {count:,} comment{'s' if count != 1 else ''} with words, fewer than "
                f"min_comments={min_comments}; no themes.")
    vectorizer = TfidfVectorizer(analyzer=_terms, min_df=MIN_DF)
    docs = [t for t, w in zip(tokens, has_words) if w]
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:  # no term in two comments
        matrix = None
    if matrix is None or matrix.shape[1] < 3:
        return (f"{name}: fewer than three words appear in two or more of its {count:,} "
                "comments; no themes.")
    terms = vectorizer.get_feature_names_out()
    notes = []
    if n_themes is None:
        sample = matrix
        if matrix.shape[0] > CHOOSE_ROWS:  # k from a seeded sample; the themes from all
            rows = np.random.default_rng(seed).choice(matrix.shape[0], CHOOSE_ROWS,
                                                      replace=False)
            sample = matrix[np.sort(rows)]
        k, choice = choose_themes(sample, seed=seed, top_terms=top_terms)
        choice.insert(0, "language", code)
        k_text = ("number of themes chosen per language by stability x coverage "
                  f"(k in {K_RANGE[0]}.."
                  f"{K_RANGE[1]}, at most one per {ROWS_PER_THEME} comments; on a seeded "
                  f"sample of {CHOOSE_ROWS:,} comments in a language with more)")
    else:
        limit = max(2, min(n_themes, matrix.shape[0] // ROWS_PER_THEME, matrix.shape[1] - 1))
        k = min(n_themes, limit) if n_themes > limit else n_themes
        if k < n_themes:
            notes.append(f"{name}: {n_themes} themes asked, {k} fitted ({count:,} comments, "
                         f"{matrix.shape[1]:,} terms: at most one theme per {ROWS_PER_THEME} comments).")
        choice = pd.DataFrame(columns=["language", "k", "stability", "coverage", "score"])
        k_text = f"{n_themes} themes asked per language"
    weights, components, converged = _nmf(matrix, k, seed)
    if not converged:
        notes.append(f"{name}: NMF stopped at its iteration limit before converging; the "
                     "themes are approximate.")
    norms = np.linalg.norm(components, axis=1)
    norms[norms == 0] = 1.0
    components = components / norms[:, None]
    weights = weights * norms[None, :]
    totals = weights.sum(axis=1)
    best = np.argmax(weights, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(totals > 0, weights[np.arange(len(best)), best] / totals, 0.0)
    # cosine of each comment's TF-IDF row (unit length) with its theme's terms (unit length)
    fit = np.asarray(matrix.multiply(components[best]).sum(axis=1)).ravel()
    clear = (totals > 0) & (share >= min_share) & (fit >= MIN_FIT)
    sizes = np.bincount(best[clear], minlength=k)
    order = sorted(range(k), key=lambda j: (-sizes[j], j))  # largest theme first
    renumber = {old: new + 1 for new, old in enumerate(order)}
    ranking = _rankings(components, 4 * top_terms)
    top = {renumber[j]: _distinct_terms([str(terms[i]) for i in ranking[j]
                                         if components[j, i] > 0], top_terms)
           for j in range(k)}
    labels = {t: ", ".join(words[:3]) for t, words in top.items()}
    labels[0] = NO_THEME
    theme = np.zeros(len(part), dtype=int)
    weight = np.zeros(len(part), dtype=float)
    rows = np.flatnonzero(has_words)
    theme[rows] = np.where(clear, [renumber[j] for j in best], 0)
    weight[rows] = share
    assignment = pd.DataFrame({"response_id": part["response_id"].to_numpy(), "language": code,
                               "theme": theme, "label": [labels[t] for t in theme],
                               "weight": weight}, index=part.index)
    counts = np.bincount(theme, minlength=k + 1)
    table = pd.DataFrame({"language": code, "theme": [*range(1, k + 1), 0],
                          "label": [labels[t] for t in [*range(1, k + 1), 0]],
                          "top_terms": [", ".join(top[t]) for t in range(1, k + 1)] + [""],
                          "comments": [int(counts[t]) for t in [*range(1, k + 1), 0]]})
    table["share"] = 100 * table["comments"] / len(part)
    example = _examples(part, rows, matrix, weights, best, clear, renumber, labels, examples,
                        mmr_lambda, code)
    return table, assignment, example, choice, notes, k_text


def _examples(part, rows, matrix, weights, best, clear, renumber, labels, count, lam, code):
    columns = ["language", "theme", "label", "rank", "response_id", "text", "weight"]
    extra = [c for c in ("survey", "score", "tone") if c in part.columns]
    out = []
    if count == 0:
        return pd.DataFrame(columns=columns + extra)
    texts = part["text"].astype(str).to_numpy()[rows]
    for old, new in sorted(renumber.items(), key=lambda item: item[1]):
        members = np.flatnonzero(clear & (best == old))
        if len(members) == 0:
            continue
        strength = weights[members, old]
        keep = members[np.argsort(-strength, kind="stable")[:MMR_CANDIDATES]]
        relevance = weights[keep, old] / weights[keep, old].max()
        vectors = matrix[keep]
        similarity = (vectors @ vectors.T).toarray()
        candidate_texts = texts[keep]
        same = candidate_texts[:, None] == candidate_texts[None, :]
        picks = mmr_select(relevance, similarity, count, lam=lam, same=same)
        totals = weights[keep].sum(axis=1)
        for rank, pick in enumerate(picks, start=1):
            row = part.iloc[rows[keep[pick]]]
            record = {"language": code, "theme": new, "label": labels[new], "rank": rank,
                      "response_id": row["response_id"], "text": row["text"],
                      "weight": float(weights[keep[pick], old] / totals[pick])}
            record.update({c: row[c] for c in extra})
            out.append(record)
    return pd.DataFrame(out, columns=columns + extra)


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame({"language": pd.Series(dtype=object), "theme": pd.Series(dtype=int),
                         "label": pd.Series(dtype=object), "top_terms": pd.Series(dtype=object),
                         "comments": pd.Series(dtype=int), "share": pd.Series(dtype=float)})


def _with_scores(table, frame, assignments, scales, conf, min_n):
    notes: list[str] = []
    empty = pd.DataFrame(columns=["language", "theme", "metric", "n", "estimate", "ci_low",
                                  "ci_high", "small_n"])
    if table.empty or "survey" not in frame.columns or "score" not in frame.columns:
        return table, empty, notes
    # ``frame`` holds the rows modelled, in the order of ``assignments``
    data = pd.DataFrame({"survey": frame["survey"].to_numpy(), "score": frame["score"].to_numpy(),
                         "language": assignments["language"].to_numpy(),
                         "theme": assignments["theme"].to_numpy()})
    present = data["survey"].dropna().astype(str).unique()
    others = sorted(s for s in present if s not in _METRIC_SURVEYS)
    if others:
        notes.append(f"Surveys without a metric per theme: {show_values(others)}.")
    scales = dict(scales or {})
    parts = []
    for survey in [s for s in _METRIC_SURVEYS if s in present]:
        scores = metric_table(data, survey, by=["language", "theme"], scale=scales.get(survey),
                              conf=conf, min_n=min_n)
        parts.append(scores)
        wide = scores[["language", "theme", "estimate", "ci_low", "ci_high", "n", "small_n"]]
        wide = wide.rename(columns={"estimate": survey, "ci_low": f"{survey}_ci_low",
                                    "ci_high": f"{survey}_ci_high", "n": f"{survey}_n",
                                    "small_n": f"{survey}_small_n"})
        table = table.merge(wide, on=["language", "theme"], how="left")
        table[f"{survey}_n"] = table[f"{survey}_n"].fillna(0).astype(int)
        table[f"{survey}_small_n"] = table[f"{survey}_small_n"].fillna(True).astype(bool)
    scores = pd.concat(parts, ignore_index=True) if parts else empty
    return table, scores, notes


def _method(seed, top_terms, min_share, lam, per_language, min_comments, k_texts) -> str:
    where = "per language" if per_language else "over all supported languages together"
    return (f"TF-IDF of the comments' normalised words (unigrams and bigrams, terms in at least "
            f"{MIN_DF} comments) and NMF (Frobenius, nndsvda start, seed {seed}) {where}, for "
            f"languages with at least {min_comments} comments"
            + "".join(f"; {text}" for text in k_texts) + ". Stability: "
            f"agreement of the top {top_terms} terms between all comments and {STABILITY_RUNS} "
            f"random {SUBSAMPLE:.0%} subsets (average Jaccard, themes matched one-to-one; "
            "Greene et al. 2014); coverage: the share of comments whose words are in a theme; "
            "the best stability x coverage wins, ties to fewer themes. A comment joins its "
            f"largest theme when that holds at least {min_share:.0%} of its theme weight and "
            f"its words are in it (cosine >= {MIN_FIT:g}), else '{NO_THEME}'. "
            f"Examples by maximal marginal relevance (lambda {lam:g}; relevance = weight in the "
            "theme, novelty = cosine of TF-IDF rows), identical texts shown once. Scores per "
            "theme: the toolkit's metric functions (CSAT Wilson, NPS adjusted Wald, means t).")
