"""No personal data in any report or export (issue 16).

The sample holds fictitious e-mail addresses, phone numbers and card numbers in 1% of its
topic comments (``csat_toolkit.io.sample``: PII_RATE; ``comment_truth`` says which). The
values are taken from the raw comments of ``data/sample/responses.csv`` with simple
regular expressions, and none of them, written as in the comment or with other
separators (or none: the digits alone), may occur in any file the runner writes for the
sample (every notebook, its HTML, CSV, JSON, the executed notebooks, the index). A second
file sets rows with personal data aside (impossible scores): the rejected rows, the
comments and the follow-up list that 01 and 06 write hold the masks, not the values.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from csat_toolkit.io.sample import comment_truth

from .conftest import SAMPLE, SAMPLE_RUN

#: One value per kind of personal data, as the generator writes it (io/sample.py).
VALUE = {"email": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
         "phone": re.compile(r"\+?\(?\d[\d ()-]{7,}\d"),
         "card": re.compile(r"\d{4}(?:[ -]?\d{4}){3}")}
MASKS = {"email": "[email]", "phone": "[phone]", "card": "[card]"}


@pytest.fixture(scope="module")
def pii_comments() -> pd.DataFrame:
    """The sample's answers whose comment holds personal data: the raw rows of
    responses.csv with ``pii`` (the kind) and ``value`` (the address or number)."""
    truth = comment_truth()
    truth = truth[truth["pii"] != ""]
    raw = pd.read_csv(SAMPLE / "responses.csv", dtype=str, keep_default_na=False)
    rows = raw.merge(truth[["response_id", "pii"]], on="response_id", validate="1:1")
    found = [VALUE[kind].findall(text) for kind, text in zip(rows["pii"], rows["comment"])]
    assert [len(f) for f in found] == [1] * len(rows), "one value per comment"
    return rows.assign(value=[f[0] for f in found])


def forbidden(values) -> list[re.Pattern]:
    """Each value as written, and for numbers also with any (or no) separators between
    the digit groups."""
    patterns = {}
    for value in values:
        patterns[value.casefold()] = re.compile(re.escape(value), re.IGNORECASE)
        groups = re.findall(r"\d+", value)
        if "@" not in value:
            patterns["".join(groups)] = re.compile(r"\D{0,3}".join(groups))
    return list(patterns.values())


def file_text(path: Path) -> str:
    if path.suffix == ".parquet":
        return pd.read_parquet(path).to_csv(index=False)
    return path.read_bytes().decode("utf-8", errors="ignore")


def leaks(folder: Path, patterns) -> list[str]:
    """``file: match`` for every pattern found in any file under ``folder``."""
    out = []
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        text = file_text(path)
        out += [f"{path.relative_to(folder)}: {m.group(0)!r}" for pattern in patterns
                for m in [pattern.search(text)] if m]
    return out


def test_the_sample_holds_each_kind_of_personal_data(pii_comments):
    # 13 e-mail addresses, 16 phone numbers, 13 card numbers on the default sample
    # (counted from comment_truth, the generator's answer key).
    counts = pii_comments["pii"].value_counts().to_dict()
    assert set(counts) == set(VALUE) and all(n >= 5 for n in counts.values())
    for kind, value in zip(pii_comments["pii"], pii_comments["value"]):
        assert VALUE[kind].fullmatch(value)
    # The patterns find the values themselves, with other separators and as bare digits.
    patterns = forbidden(["(212) 555-0142"])
    assert all(any(p.search(t) for p in patterns)
               for t in ("call (212) 555-0142", "2125550142", "212-555-0142", "212.555.0142"))
    assert not any(p.search("2125 55 01 4") for p in forbidden(["4111 1111 1111 1111"]))


@pytest.mark.slow
@pytest.mark.xdist_group(SAMPLE_RUN)
def test_no_personal_data_in_any_file_of_the_sample_run(reports_run, pii_comments):
    result = reports_run()
    assert result.ok, [r.error for r in result.runs]
    files = [p for p in Path(result.out).rglob("*") if p.is_file()]
    suffixes = {p.suffix for p in files}
    assert {".html", ".csv", ".json", ".ipynb"} <= suffixes
    assert leaks(result.out, forbidden(set(pii_comments["value"]))) == []
    # The comments are there, masked (06 writes them all to comments.csv).
    shown = pd.read_csv(Path(result.out) / "06_comments" / "comments.csv")
    texts = shown.set_index("response_id").loc[pii_comments["response_id"], "text"]
    assert [MASKS[k] in t for k, t in zip(pii_comments["pii"], texts)] == [True] * len(texts)


@pytest.fixture(scope="module")
def rejected_file(pii_comments, tmp_path_factory) -> Path:
    """Part of the sample with every answer carrying personal data twice: as it is, and
    with an impossible score (99) under a new id, which sets the copy aside."""
    raw = pd.read_csv(SAMPLE / "responses.csv", dtype=str, keep_default_na=False)
    ids = set(pii_comments["response_id"])
    kept = raw[(raw.index < 3000) | raw["response_id"].isin(ids)]
    bad = raw[raw["response_id"].isin(ids)].assign(
        response_id=lambda f: f["response_id"] + "-bad", score="99")
    path = tmp_path_factory.mktemp("pii_rejected") / "responses.csv"
    pd.concat([kept, bad]).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("notebook", ["01_metrics", "06_comments"])
def test_rejected_rows_and_exports_are_masked(page_run, rejected_file, pii_comments, notebook):
    run = page_run(notebook, responses_path=str(rejected_file))
    patterns = forbidden(set(pii_comments["value"]))
    assert leaks(run.out, patterns) == []
    rejected = pd.read_csv(run.out / "rejected_rows.csv", dtype=str, keep_default_na=False)
    rejected = rejected.set_index("response_id")
    bad = pii_comments.assign(response_id=pii_comments["response_id"] + "-bad")
    assert set(bad["response_id"]) <= set(rejected.index)
    texts = rejected.loc[bad["response_id"], "comment"]
    assert [MASKS[k] in t for k, t in zip(bad["pii"], texts)] == [True] * len(bad)
    if notebook == "06_comments":
        # The valid copies are analysed: masked in comments.csv, counted by kind.
        shown = pd.read_csv(run.out / "comments.csv", dtype=str).set_index("response_id")
        texts = shown.loc[pii_comments["response_id"], "text"]
        assert [MASKS[k] in t for k, t in zip(pii_comments["pii"], texts)] == [True] * len(texts)
        assert run.headline["pii_masked"] == pii_comments["pii"].value_counts().to_dict()
    else:
        # The follow-up list (CSAT 3 or less, NPS detractors) of 01 shows comments masked.
        queue = pd.read_csv(run.out / "followup.csv", dtype=str, keep_default_na=False)
        listed = pii_comments[pii_comments["response_id"].isin(queue["response_id"])]
        assert len(listed) >= 3
        texts = queue.set_index("response_id").loc[listed["response_id"], "comment"]
        assert [MASKS[k] in t for k, t in zip(listed["pii"], texts)] == [True] * len(texts)
