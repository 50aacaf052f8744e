"""``csat-toolkit rake`` and ``csat-toolkit reliability`` (issue 17's entry points).

The numbers are worked by hand here; the functions behind them (core.weighting.rake,
core.reliability) are checked against R survey::rake and pingouin in their own tests.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import csat_toolkit as ct
from csat_toolkit.cli import main


@pytest.fixture
def answers(tmp_path):
    # 6 EU and 2 US answers; the customer base is half EU, half US.
    frame = pd.DataFrame({"response_id": range(1, 10), "survey": "csat",
                          "score": [5, 5, 4, 2, 5, 4, 1, 2, 5],
                          "region": ["EU"] * 6 + ["US"] * 2 + [None]})
    frame.to_csv(tmp_path / "answers.csv", index=False)
    (tmp_path / "margins.yaml").write_text("region: {EU: 50, US: 50}\n", encoding="utf-8")
    return tmp_path


def test_rake_writes_the_weights_every_report_reads(answers, capsys):
    assert main(["rake", str(answers / "answers.csv"), "--margins",
                 str(answers / "margins.yaml")]) == 0
    printed = capsys.readouterr().out
    assert "Raked 8 answers to 1 margin (region) in 1 iteration" in printed
    raked = pd.read_csv(answers / "answers_raked.csv")
    # by hand: 8 answers, half the weight each side: EU 4/6 = 2/3 each, US 4/2 = 2 each
    expected = {"EU": 2 / 3, "US": 2.0}
    assert np.allclose(raked["weight"], raked["region"].map(expected))
    aside = pd.read_csv(answers / "answers_raked_set_aside.csv")
    assert len(aside) == 1 and "region" in aside["reason"].iloc[0]
    # the raked file loads with its weights: weighted CSAT = (EU 5 of 6 satisfied (4 or 5)
    # * 2/3 + US 0 of 2 * 2) / 8 = 41.7%, against 62.5% unweighted
    loaded = ct.load_responses(answers / "answers_raked.csv")
    weighted = ct.csat(loaded.data, weight="weight")
    assert weighted["estimate"].iloc[0] == pytest.approx(100 * (5 * 2 / 3) / 8)
    assert ct.csat(loaded.data)["estimate"].iloc[0] == pytest.approx(62.5)


def test_rake_out_and_trimming(answers, capsys):
    out = answers / "weighted.csv"
    assert main(["rake", str(answers / "answers.csv"), "--margins",
                 str(answers / "margins.yaml"), "--cap", "2", "--out", str(out)]) == 0
    assert "Trimming to at most 2x the mean weight" in capsys.readouterr().out
    assert pd.read_csv(out)["weight"].max() <= 2 * pd.read_csv(out)["weight"].mean() + 1e-9


def test_rake_errors_say_what_to_write(answers, capsys):
    bad = answers / "bad.yaml"
    bad.write_text("region: [EU, US]\n", encoding="utf-8")
    assert main(["rake", str(answers / "answers.csv"), "--margins", str(bad)]) == 2
    assert "must map each margin column to its levels" in capsys.readouterr().err
    missing = answers / "missing.yaml"
    missing.write_text("plan: {pro: 1, free: 3}\n", encoding="utf-8")
    assert main(["rake", str(answers / "answers.csv"), "--margins", str(missing)]) == 2
    assert "plan" in capsys.readouterr().err


def _alpha_by_hand(items: pd.DataFrame) -> float:
    """k/(k-1) * (1 - sum of item variances / variance of the total), sample variances."""
    k = items.shape[1]
    return k / (k - 1) * (1 - items.var(ddof=1).sum() / items.sum(axis=1).var(ddof=1))


def test_reliability_prints_alpha_and_the_index(tmp_path, capsys):
    items = pd.DataFrame({"q1": [4, 5, 3, 2, 5, 4], "q2": [4, 4, 3, 1, 5, 5],
                          "q3": [5, 5, 2, 2, 4, 4]})
    items.to_csv(tmp_path / "items.csv", index=False)
    assert main(["reliability", str(tmp_path / "items.csv"), "--items", "q1", "q2", "q3",
                 "--scale", "1", "5"]) == 0
    printed = capsys.readouterr().out
    alpha = _alpha_by_hand(items)  # 0.893 here
    assert f"{alpha:.2f}" in printed and "q3" in printed
    # the index on 0-100: mean of the respondents' item means, (mean - 1) / 4 * 100
    index = ((items.mean(axis=1) - 1) / 4 * 100).mean()
    assert f"{index:.1f}" in printed


def test_reliability_names_a_text_item(tmp_path, capsys):
    pd.DataFrame({"q1": [4, 5, 3], "q2": ["good", "4", "3"]}).to_csv(tmp_path / "i.csv",
                                                                      index=False)
    assert main(["reliability", str(tmp_path / "i.csv"), "--items", "q1", "q2"]) == 2
    assert "Item 'q2' holds values that are not numbers: 'good'" in capsys.readouterr().err
