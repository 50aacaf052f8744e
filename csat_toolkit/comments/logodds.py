"""Words that tell unhappy comments from happy ones: weighted log-odds with a prior.

:func:`weighted_log_odds` is the log-odds ratio with an informative Dirichlet prior of
Monroe, Colaresi & Quinn (2008, "Fightin' words", Political Analysis 16(4) 372-403,
section 3.5). For a term w, with y_w^i its count in group i, n^i the group's total count
and a_w the prior's pseudo-count (a_0 their sum):

    delta_w = log((y_w^a + a_w) / (n^a + a_0 - y_w^a - a_w))
              - log((y_w^b + a_w) / (n^b + a_0 - y_w^b - a_w))
    var(delta_w) ~ 1 / (y_w^a + a_w) + 1 / (y_w^b + a_w)
    z_w = delta_w / sqrt(var(delta_w))

The prior shrinks the log-odds of rare terms towards zero; z weighs each term by how
much evidence it has. By default a_w is the term's pooled count in both groups (a_0 is
then the pooled total), the empirical-Bayes choice of the tidylo R package (Schnoebelen,
Silge & Hayes); ``alpha0`` rescales the prior to another total (smaller: a weaker prior,
larger: stronger shrinking) and ``prior`` takes a background corpus's counts or one
number for a flat prior. z is a ranking statistic: the prior is estimated from the same
counts and words in one comment are not independent, so its normal p-value is approximate
and is best read as "how clearly", not as a test.

:func:`distinguishing_terms` counts the words (and two-word phrases) of the comment frame
per language and compares two groups of comments (by default unhappy against happy).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as _st

from ..core.display import result_html
from ..core.stats import adjust_pvalues
from ..errors import DataError, ParameterError, require_columns, show_values
from .kwic import UNSPACED
from .language import language_name

__all__ = ["Z_SIDE", "SIDE_FDR", "weighted_log_odds", "DistinguishingTerms", "distinguishing_terms"]

#: False discovery rate under which a term is said to lean to one side (with |z| >= Z_SIDE).
SIDE_FDR = 0.05
#: |z| from which a term is said to lean to one side (the two-sided 5% normal point).
Z_SIDE = 1.96

_LOG_ODDS_COLUMNS = ["term", "n_a", "n_b", "share_a", "share_b", "log_odds", "se", "z", "p",
                     "p_adjusted"]


def _counts(counts, name: str) -> pd.Series:
    if isinstance(counts, pd.Series):
        series = counts.copy()
    elif isinstance(counts, Mapping):
        series = pd.Series(dict(counts), dtype=float)
    else:
        raise ParameterError(f"{name} must be term counts: a dict or a pandas Series indexed "
                             f"by term; got {type(counts).__name__}.")
    series = pd.to_numeric(series, errors="coerce").astype(float)
    bad = series[~np.isfinite(series.to_numpy()) | (series.to_numpy() < 0)]
    if len(bad):
        raise ParameterError(
            f"{name} must hold counts of 0 or more; terms {show_values(bad.index)} have "
            f"{show_values(bad.tolist())}. Count each term's occurrences in the group.")
    if series.index.has_duplicates:
        dup = series.index[series.index.duplicated()]
        raise ParameterError(f"{name} lists terms more than once: {show_values(dup)}. Add "
                             "their counts together first.")
    return series


def weighted_log_odds(counts_a, counts_b, prior=None, alpha0: float | None = None
                      ) -> pd.DataFrame:
    """Log-odds ratio of each term between two groups, with an informative Dirichlet prior.

    Monroe, Colaresi & Quinn (2008), section 3.5 (equations 16-22, one topic): the
    posterior log-odds of the term in group a minus that in group b, its approximate
    variance, and the z-score that ranks terms.

    Parameters
    ----------
    counts_a, counts_b : dict or Series
        Each term's count in group a and in group b (a term absent from one counts 0;
        terms counted 0 in both are left out).
    prior : None, float, dict or Series
        The prior's pseudo-counts a_w. None (default): the pooled counts of both groups
        (tidylo's default: a_0 is then the pooled total). A number: the same a_w for
        every term (a flat prior, e.g. 0.01 or 1). Counts of a background corpus: used
        as given; every term of the groups must have a count above 0 there.
    alpha0 : float, optional
        Rescale the prior so that its pseudo-counts add up to ``alpha0`` (the prior's
        weight, in tokens): smaller shrinks less. Default: the prior's own total.

    Returns
    -------
    DataFrame
        One row per term, ordered by ``z`` (largest first, then term): ``term``,
        ``n_a``, ``n_b`` (counts), ``share_a``, ``share_b`` (% of the group's tokens),
        ``log_odds`` (delta, natural log; positive leans to a), ``se``, ``z``, ``p``
        (two-sided normal, approximate) and ``p_adjusted`` (Benjamini-Hochberg over
        the terms in the table). z ranks the terms; p is approximate (see the module).

    Raises
    ------
    ParameterError
        Counts that are negative or not numbers, a term listed twice, fewer than two
        terms seen, a group without tokens, a prior not above 0 for a term, or
        ``alpha0`` not above 0.

    Examples
    --------
    Prior: the pooled counts (10 each, a_0 = 20); "slow": log(18/12) - log(12/18).

    >>> t = weighted_log_odds({"slow": 8, "thanks": 2}, {"slow": 2, "thanks": 8})
    >>> t[["term", "n_a", "n_b", "log_odds"]].round(4).values.tolist()
    [['slow', 8, 2, 0.8109], ['thanks', 2, 8, -0.8109]]
    """
    a = _counts(counts_a, "counts_a")
    b = _counts(counts_b, "counts_b")
    terms = a.index.union(b.index, sort=False)
    if len(terms) == 0:
        raise ParameterError("counts_a and counts_b hold no terms: there is nothing to "
                             "compare. Give each group's term counts.")
    a = a.reindex(terms, fill_value=0.0)
    b = b.reindex(terms, fill_value=0.0)
    seen = (a + b).to_numpy() > 0
    a, b, terms = a[seen], b[seen], terms[seen]  # a term never seen has nothing to say
    if len(terms) < 2:
        raise ParameterError(
            f"counts_a and counts_b must hold at least two terms seen at least once; got "
            f"{show_values(terms) or 'none'}. With one term there is no distribution "
            "of words to compare.")
    if a.sum() == 0 or b.sum() == 0:
        empty = "counts_a" if a.sum() == 0 else "counts_b"
        raise ParameterError(f"{empty} has no tokens (every count is 0): a group without "
                             "words cannot be compared. Check the groups' comments.")
    if prior is None:
        alpha = a + b
    elif isinstance(prior, (int, float, np.integer, np.floating)) and not isinstance(prior,
                                                                                      bool):
        if not (np.isfinite(prior) and prior > 0):
            raise ParameterError(f"A flat prior must be a pseudo-count above 0, such as 0.01 "
                                 f"or 1; got prior={prior!r}.")
        alpha = pd.Series(float(prior), index=terms)
    else:
        background = _counts(prior, "prior")
        alpha = background.reindex(terms)
        absent = alpha.index[~(alpha.fillna(0).to_numpy() > 0)]
        if len(absent):
            raise ParameterError(
                f"The prior has no count above 0 for {len(absent)} of the groups' terms: "
                f"{show_values(absent)}. Give a background corpus that covers them (for "
                "instance add the pooled counts to it), or leave prior=None.")
    if alpha0 is not None:
        if isinstance(alpha0, bool) or not (np.isfinite(alpha0) and alpha0 > 0):
            raise ParameterError(f"alpha0 is the prior's total weight in tokens and must be "
                                 f"above 0; got alpha0={alpha0!r}.")
        alpha = alpha * (float(alpha0) / alpha.sum())
    ya, yb, aw = a.to_numpy(), b.to_numpy(), alpha.to_numpy(float)
    a0 = aw.sum()
    na, nb = ya.sum(), yb.sum()
    delta = (np.log((ya + aw) / (na + a0 - ya - aw))
             - np.log((yb + aw) / (nb + a0 - yb - aw)))
    se = np.sqrt(1.0 / (ya + aw) + 1.0 / (yb + aw))
    z = delta / se
    p = 2.0 * _st.norm.sf(np.abs(z))
    table = pd.DataFrame({
        "term": list(terms), "n_a": ya, "n_b": yb,
        "share_a": 100.0 * ya / na, "share_b": 100.0 * yb / nb,
        "log_odds": delta, "se": se, "z": z, "p": p,
        "p_adjusted": adjust_pvalues(p, "bh"),
    })
    if np.all(np.mod(ya, 1) == 0) and np.all(np.mod(yb, 1) == 0):
        table[["n_a", "n_b"]] = table[["n_a", "n_b"]].astype("int64")
    table["_key"] = table["term"].astype(str)
    table = table.sort_values(["z", "_key"], ascending=[False, True], kind="mergesort")
    return table.drop(columns="_key").reset_index(drop=True)[_LOG_ODDS_COLUMNS]


# --- the comment frame ----------------------------------------------------------------------


@dataclass(frozen=True)
class DistinguishingTerms:
    """Outcome of :func:`distinguishing_terms`.

    Attributes
    ----------
    table : DataFrame
        One row per (language, term) tested: ``language``, ``kind`` ("word" or
        "phrase"), ``term``, ``n_<group a>``, ``n_<group b>`` (occurrences),
        ``log_odds`` (positive: more typical of group a), ``se``, ``z``,
        ``p_adjusted`` (Benjamini-Hochberg over the language's terms tested) and
        ``side`` (group a when z >= 1.96, group b when z <= -1.96, and the adjusted p
        is under :data:`SIDE_FDR`; else None); ordered
        by language, then z from group a's end to group b's.
    comments : DataFrame
        Comments and tokens per language and group: ``language``, ``group``,
        ``comments``, ``tokens``.
    skipped : DataFrame
        Languages not analysed: ``language`` and ``reason``.
    groups : tuple of str
        The two groups (a, b).
    by : str
        The column the groups come from.
    min_count, min_comments : int
    method : str
        How the numbers were computed, in one paragraph.
    notes : list of str
        Comments left out of the comparison (other groups, no group), counted.
    """

    table: pd.DataFrame
    comments: pd.DataFrame
    skipped: pd.DataFrame
    groups: tuple
    by: str
    min_count: int
    min_comments: int
    method: str
    notes: list = field(default_factory=list)

    def top(self, k: int = 10, side: str | None = None, language: str | None = None
            ) -> pd.DataFrame:
        """The ``k`` terms leaning most clearly to ``side`` (default group a), per language.

        Examples
        --------
        >>> frame = pd.DataFrame({
        ...     "language": ["en"] * 4, "tone": ["unhappy"] * 2 + ["happy"] * 2,
        ...     "tokens": [["slow"] * 9, ["slow"] * 9, ["thanks"] * 9, ["thanks"] * 9]})
        >>> distinguishing_terms(frame, min_comments=1).top(1)["term"].tolist()
        ['slow']
        """
        side = self.groups[0] if side is None else side
        if side not in self.groups:
            raise ParameterError(f"side must be one of the groups compared, "
                                 f"{show_values(self.groups)}; got {side!r}.")
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ParameterError(f"k must be a whole number of terms, 1 or more; got {k!r}.")
        rows = self.table[self.table["side"] == side]
        if language is not None:
            rows = rows[rows["language"] == language]
        rows = rows.assign(_strength=rows["z"].abs()).sort_values(
            ["language", "_strength", "term"], ascending=[True, False, True], kind="mergesort")
        return rows.groupby("language", sort=False).head(k).drop(
            columns="_strength").reset_index(drop=True)

    def sentences(self) -> list[str]:
        """What was compared, per language the clearest terms, then what was skipped."""
        a, b = self.groups
        out = []
        for language, rows in self.table.groupby("language", sort=True):
            lean_a = rows[rows["side"] == a].sort_values("z", ascending=False)["term"].head(3)
            lean_b = rows[rows["side"] == b].sort_values("z")["term"].head(3)
            parts = []
            if len(lean_a):
                parts.append(f"{a}: {', '.join(map(repr, lean_a))}")
            if len(lean_b):
                parts.append(f"{b}: {', '.join(map(repr, lean_b))}")
            said = "; ".join(parts) if parts else "no term leans clearly to either side"
            out.append(f"{language_name(language)}: {len(rows):,} terms tested; {said}.")
        out += [f"{language_name(lang)}: {reason}"
                for lang, reason in zip(self.skipped["language"], self.skipped["reason"])]
        return out or ["No language had comments to compare."]

    def summary(self) -> str:
        return " ".join(self.sentences())

    def _repr_html_(self) -> str:
        shown = self.table.drop(columns=["se"])
        return result_html(self.sentences(), shown, method=self.method, notes=self.notes)


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(f"{name} must be a whole number, {minimum} or more; got "
                             f"{value!r}.")
    return int(value)


def _token_lists(values: pd.Series) -> list[list[str]]:
    out, bad = [], []
    for value in values:
        if isinstance(value, (list, tuple, np.ndarray)):
            out.append([str(t) for t in value])
        elif value is None or (isinstance(value, float) and np.isnan(value)):
            out.append([])
        else:
            out.append([])
            bad.append(value)
    if bad:
        raise DataError(f"The tokens column must hold a list of words per comment; found "
                        f"{show_values(bad, limit=3)}. Build the frame with the comments "
                        "frame builder, which tokenises each comment.")
    return out


def _phrases(tokens: list[str], joiner: str) -> list[str]:
    return [joiner.join(pair) for pair in zip(tokens[:-1], tokens[1:])]


def distinguishing_terms(frame: pd.DataFrame, by: str = "tone",
                         groups: Sequence[str] = ("unhappy", "happy"), min_count: int = 5,
                         phrases: bool = True, per: str | None = "language", *,
                         min_comments: int = 10, prior=None,
                         alpha0: float | None = None) -> DistinguishingTerms:
    """The words and phrases that distinguish two groups of comments, per language.

    Counts the normalised tokens of each comment (and, with ``phrases``, each pair of
    consecutive tokens, joined by a space, or directly in Chinese and Thai), separately
    per language; computes :func:`weighted_log_odds` of group a against group b (prior:
    the language's pooled counts unless given), words and phrases as two vocabularies;
    keeps the terms seen at least ``min_count`` times in the two groups together, and
    adjusts their p-values (Benjamini-Hochberg) over the terms kept in the language.

    Parameters
    ----------
    frame : DataFrame
        The comment frame: ``tokens`` (list of str per comment), ``language``
        (when ``per="language"``) and the ``by`` column.
    by : str, default "tone"
        The column holding the groups.
    groups : pair of str, default ("unhappy", "happy")
        Group a and group b. Comments in other groups (neutral) are left out, counted
        in ``.notes``.
    min_count : int, default 5
        Terms seen fewer times in the two groups together are not tested.
    phrases : bool, default True
        Also compare two-word phrases.
    per : str or None, default "language"
        The column to analyse separately (None: all comments together).
    min_comments : int, default 10
        A language with fewer comments with words in either group is skipped, with the
        reason in ``.skipped``.
    prior, alpha0
        Passed to :func:`weighted_log_odds` (the same prior for every language).

    Returns
    -------
    DistinguishingTerms
        ``.table``, ``.top(k, side)``, ``.comments``, ``.skipped``, ``.method``,
        ``.sentences()``; shown in JupyterLab as a table.

    Raises
    ------
    MissingColumnError
        ``tokens``, ``by`` or ``per`` is not a column.
    ParameterError
        ``groups`` not two different values present in ``by`` (the error shows the
        values found), ``min_count`` or ``min_comments`` below 1.
    DataError
        ``tokens`` holds something other than lists.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "language": ["en"] * 4, "tone": ["unhappy", "unhappy", "happy", "happy"],
    ...     "tokens": [["slow", "reply"] * 3, ["slow"] * 4, ["thanks", "reply"] * 3,
    ...                ["thanks"] * 4]})
    >>> out = distinguishing_terms(frame, min_count=5, phrases=False, min_comments=1)
    >>> out.table[["term", "n_unhappy", "n_happy", "side"]].values.tolist()
    [['slow', 7, 0, 'unhappy'], ['reply', 3, 3, None], ['thanks', 0, 7, 'happy']]
    """
    columns = ["tokens", by] + ([per] if per is not None else [])
    require_columns(frame, columns,
                    "The comment frame has no {missing} column (found {found}). Build it "
                    "with the comments frame builder, or name the columns to use with by= "
                    "and per=.")
    groups = tuple(groups) if not isinstance(groups, str) else (groups,)
    if len(groups) != 2 or groups[0] == groups[1]:
        raise ParameterError(f"groups must be two different values of {by!r} to compare, "
                             f"such as ('unhappy', 'happy'); got {groups!r}.")
    found = frame[by].dropna().unique().tolist()
    unknown = [g for g in groups if g not in found]
    if unknown:
        raise ParameterError(
            f"groups {show_values(unknown)} do not occur in column {by!r}, which holds "
            f"{show_values(sorted(map(str, found)), limit=8) or 'no values'}. Choose two "
            "of those values.")
    min_count = _check_int(min_count, "min_count", 1)
    min_comments = _check_int(min_comments, "min_comments", 1)
    a, b = groups
    tokens = _token_lists(frame["tokens"])
    data = pd.DataFrame({
        "language": frame[per].astype(object).where(frame[per].notna(), "und").astype(str)
        if per is not None else "all",
        "row_language": frame["language"].astype(object) if "language" in frame.columns
        else None,
        "group": frame[by].to_numpy(), "tokens": tokens,
    })
    data["has_words"] = [len(t) > 0 for t in tokens]
    notes = []
    other = ~data["group"].isin(groups)
    if other.any():
        counts = data.loc[other, "group"].astype(object).where(data.loc[other, "group"].notna(),
                                                               "no group")
        listed = ", ".join(f"{k} {v:,}" for k, v in counts.value_counts().items())
        notes.append(f"{int(other.sum()):,} comments are in neither group and are not "
                     f"compared ({listed}).")
    compared = data[~other]
    comment_rows, skipped, tables = [], [], []
    for language, rows in compared.groupby("language", sort=True):
        n_comments = {g: int((rows["has_words"] & (rows["group"] == g)).sum()) for g in groups}
        n_tokens = {g: int(sum(len(t) for t in rows.loc[rows["group"] == g, "tokens"]))
                    for g in groups}
        comment_rows += [{"language": language, "group": g, "comments": n_comments[g],
                          "tokens": n_tokens[g]} for g in groups]
        if not rows["has_words"].any():
            skipped.append({"language": language, "reason": (
                f"{len(rows):,} comments without words to count (a language the toolkit "
                "does not tokenise, or comments of emoji or numbers only).")})
            continue
        short = [g for g in groups if n_comments[g] < min_comments]
        if short:
            said = " and ".join(f"{n_comments[g]:,} {g}" for g in short)
            skipped.append({"language": language, "reason": (
                f"only {said} comments with words; at least {min_comments} in each group "
                "are needed to compare their words (min_comments).")})
            continue
        table = _language_table(language, rows, groups, min_count, phrases, prior, alpha0)
        if table.empty:
            skipped.append({"language": language, "reason": (
                f"no word is used at least {min_count} times in its {n_comments[a]:,} "
                f"{a} and {n_comments[b]:,} {b} comments (min_count).")})
            continue
        tables.append(table)
    cols = ["language", "kind", "term", f"n_{a}", f"n_{b}", "log_odds", "se", "z",
            "p_adjusted", "side"]
    table = (pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=cols))
    prior_said = ("the language's pooled counts of both groups (alpha_0 = the pooled total, "
                  "as tidylo)" if prior is None else "the given prior")
    if alpha0 is not None:
        prior_said += f", rescaled to alpha_0 = {alpha0:g}"
    method = (f"Weighted log-odds ratio with an informative Dirichlet prior (Monroe, "
              f"Colaresi & Quinn 2008), {a} against {b} per "
              f"{per or 'data set'}; prior: {prior_said}; words"
              + (" and two-word phrases as separate vocabularies" if phrases else "")
              + f"; terms seen at least {min_count} times; z = log-odds / standard error "
              f"ranks the terms; p two-sided normal, approximate, Benjamini-Hochberg over the "
              f"language's terms tested; a term leans to a side when |z| >= {Z_SIDE} and "
              f"its adjusted p < {SIDE_FDR:g}.")
    return DistinguishingTerms(
        table=table[cols].reset_index(drop=True), comments=pd.DataFrame(
            comment_rows, columns=["language", "group", "comments", "tokens"]),
        skipped=pd.DataFrame(skipped, columns=["language", "reason"]), groups=groups, by=by,
        min_count=min_count, min_comments=min_comments, method=method, notes=notes)


def _language_table(language, rows, groups, min_count, phrases, prior, alpha0):
    a, b = groups
    kinds = {"word": ({g: Counter() for g in groups})}
    if phrases:
        kinds["phrase"] = {g: Counter() for g in groups}
    for group, tokens, row_language in zip(rows["group"], rows["tokens"],
                                           rows["row_language"]):
        kinds["word"][group].update(tokens)
        if phrases:
            joiner = "" if row_language in UNSPACED else " "
            kinds["phrase"][group].update(_phrases(tokens, joiner))
    parts = []
    for kind, counts in kinds.items():
        if not counts[a] and not counts[b]:
            continue
        if not sum(counts[a].values()) or not sum(counts[b].values()):
            continue
        if len(set(counts[a]) | set(counts[b])) < 2:
            continue
        result = weighted_log_odds(pd.Series(counts[a], dtype=float),
                                   pd.Series(counts[b], dtype=float),
                                   prior=prior, alpha0=alpha0)
        result = result[result["n_a"] + result["n_b"] >= min_count]
        parts.append(result.assign(kind=kind))
    if not parts:
        return pd.DataFrame()
    table = pd.concat(parts, ignore_index=True)
    table["p_adjusted"] = adjust_pvalues(table["p"].to_numpy(), "bh")
    # A side needs |z| >= 1.96 and the Benjamini-Hochberg p under 5%: hundreds of terms are
    # tested per language, so |z| >= 1.96 alone would name about 5% of them by chance.
    clear = (table["z"].abs() >= Z_SIDE) & (table["p_adjusted"] < SIDE_FDR)
    table["side"] = np.where(clear & (table["z"] > 0), a, np.where(clear, b, None))
    table["side"] = table["side"].astype(object).where(table["side"].notna(), None)
    table = table.rename(columns={"n_a": f"n_{a}", "n_b": f"n_{b}"})
    table.insert(0, "language", language)
    table["_key"] = table["term"].astype(str)
    table = table.sort_values(["z", "kind", "_key"], ascending=[False, False, True],
                              kind="mergesort").drop(columns="_key")
    return table
