"""Raking (csat_toolkit.core.weighting) against R ``survey::rake``'s documented output.

Sources
-------
[RAKE]  R package ``survey`` 4.5 (cran/survey @ 4834b8bc91f6414ad4514552daaed8990a86d9c1),
        ``tests/rakecheck.R`` and its saved output ``tests/rakecheck.Rout.save`` (R 4.5.2):
        ``dclus1 <- svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc)`` raked with
        ``pop.types = (E 4421, H 755, M 1018)`` and ``pop.schwide = (No 1072, Yes 5122)``,
        ``control = list(epsilon = 1e-10, maxit = 30)``:
        ``svymean(~api00)`` 641.23, ``svytotal(~enroll)`` 3647280; raked to the joint
        table ``xtabs(~stype + sch.wide, apipop)`` and ``comp.imp = (No 1712, Yes 4482)``:
        ``svymean(~api00)`` 642.61. (The survey package's ``rake`` help page shows the
        same example.)
[API]   The ``apiclus1`` data of R ``survey`` (183 schools; all ``pw`` = 33.846996307373),
        read from the copy in xKDR/Survey.jl @ 6b9021021f6838a9b28b9d5f1aaae44e4d0f7cba
        ``assets/apiclus1.csv``; only the columns used are kept below: stype (E/H/M),
        sch.wide and comp.imp (Y/N), api00, enroll. ``xtabs(~stype + sch.wide, apipop)``
        counted from ``assets/apipop.csv`` of the same commit: E 472/3949, H 334/421,
        M 266/752 (No/Yes); its stype and comp.imp totals equal [RAKE]'s margins.
No published example of ``anesrake`` output with its input data could be found; trimming
is checked by hand and by its invariants.
"""
from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csat_toolkit as ct
from csat_toolkit.core.weighting import design_effect, rake, weight_summary
from csat_toolkit.errors import DataError, MissingColumnError, ParameterError

_API = (
    "HYY:608:1689 EYY:684:288 EYY:612:294 EYN:710:143 EYY:729:307 EYY:714:311 EYY:759:362 "
    "EYN:585:263 EYY:625:583 MYY:664:886 MYY:669:955 HYY:443:418 EYY:467:574 MYY:482:286 "
    "EYY:496:158 MNN:411:372 EYY:494:308 EYY:493:358 MNN:592:921 EYY:550:375 MYN:689:962 "
    "MNN:598:954 EYY:628:370 EYY:652:596 EYY:628:485 EYY:832:254 EYY:777:465 EYY:709:481 "
    "ENN:709:425 EYY:736:312 EYY:561:360 EYY:555:323 HNN:696:442 MNN:631:508 EYN:564:166 "
    "EYN:602:525 HYY:529:388 EYY:491:266 EYY:510:671 MNN:547:343 EYY:814:466 EYY:806:516 "
    "EYY:715:489 EYN:785:300 MYY:720:728 EYY:905:512 MYY:617:972 EYY:630:619 EYY:629:562 "
    "EYY:696:358 EYY:476:626 EYN:757:396 EYY:825:571 EYY:595:715 ENN:552:345 MYY:847:850 "
    "HYY:714:258 HYN:724:170 HNN:687:210 HYY:723:467 EYY:662:117 ENN:699:196 EYN:807:205 "
    "MYN:679:233 EYY:691:324 EYY:622:370 EYN:754:309 EYY:655:414 EYY:764:303 EYY:795:407 "
    "EYY:505:504 ENN:638:371 EYY:733:374 EYY:523:631 EYY:511:432 EYN:710:299 EYY:657:500 "
    "EYN:602:499 EYY:490:748 ENN:664:356 EYY:651:302 EYY:603:594 EYY:698:527 EYY:511:446 "
    "EYY:814:436 EYN:669:381 ENN:711:464 EYY:538:462 EYY:705:320 EYY:595:437 EYY:551:295 "
    "EYY:762:512 EYY:521:343 EYY:709:404 EYY:780:504 EYY:780:411 EYN:722:637 EYY:828:555 "
    "EYY:737:491 HNN:595:1585 HYN:661:1855 EYY:502:385 MNN:614:1015 EYY:585:483 "
    "EYY:582:576 MYY:642:1405 EYN:536:549 EYY:746:352 EYN:667:564 ENN:629:540 EYY:745:290 "
    "EYY:674:523 EYY:637:379 EYY:696:391 EYY:632:403 EYY:639:613 EYY:745:596 EYN:789:520 "
    "MYY:656:1573 EYY:789:371 HYN:517:1908 HYY:478:2181 HYN:582:2106 EYY:592:532 "
    "EYY:587:381 EYY:553:624 EYY:516:704 EYN:535:602 EYY:566:686 ENN:481:607 EYY:472:209 "
    "EYN:559:643 EYY:610:331 EYY:599:641 EYN:551:479 EYY:554:535 ENN:561:561 ENN:505:695 "
    "ENN:492:426 EYY:504:657 EYY:487:300 EYY:627:612 EYY:465:466 EYY:529:352 EYY:625:559 "
    "EYN:436:363 EYY:542:558 ENN:515:257 MYY:461:1243 MYY:528:1260 MYY:512:1306 "
    "MYY:508:1344 EYY:670:119 EYY:760:818 EYY:652:118 EYY:546:145 EYY:717:486 EYY:701:371 "
    "EYY:748:377 EYN:735:265 MNN:699:930 EYY:685:336 EYY:827:448 MYY:711:1023 EYY:677:387 "
    "MNN:759:940 EYY:697:525 EYY:742:427 EYY:691:390 EYY:700:358 EYY:551:274 HYY:703:2147 "
    "EYY:676:479 EYY:714:441 EYY:842:476 EYY:824:511 EYY:717:385 EYY:836:443 MYN:733:696 "
    "EYY:719:332 MYY:817:738 EYY:749:425 EYY:781:302 "
)
PW = 33.846996307373
TYPES = {"E": 4421, "H": 755, "M": 1018}
SCHWIDE = {"No": 1072, "Yes": 5122}
JOINT = {("E", "No"): 472, ("E", "Yes"): 3949, ("H", "No"): 334, ("H", "Yes"): 421,
         ("M", "No"): 266, ("M", "Yes"): 752}
COMP_IMP = {"No": 1712, "Yes": 4482}


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    rows = [item.split(":") for item in _API.split()]
    yes = {"Y": "Yes", "N": "No"}
    frame = pd.DataFrame({
        "stype": [r[0][0] for r in rows], "sch.wide": [yes[r[0][1]] for r in rows],
        "comp.imp": [yes[r[0][2]] for r in rows], "api00": [int(r[1]) for r in rows],
        "enroll": [int(r[2]) for r in rows]})
    frame["pw"] = PW
    assert len(frame) == 183
    return frame


def _mean(result, column):
    w = result.data["weight"]
    return float((w * result.data[column]).sum() / w.sum())


def test_rake_matches_survey_rake(apiclus1):
    raked = rake(apiclus1, {"stype": TYPES, "sch.wide": SCHWIDE}, design_weight="pw",
                 scale_to="population")
    assert raked.converged and raked.max_error < 1e-8
    assert round(_mean(raked, "api00"), 2) == 641.23  # [RAKE] svymean
    total = float((raked.data["weight"] * raked.data["enroll"]).sum())
    assert round(total, -1) == 3647280  # [RAKE] svytotal, printed 3647280
    assert raked.data["weight"].sum() == pytest.approx(6194)
    by_type = raked.data.groupby("stype")["weight"].sum()
    assert by_type.to_dict() == pytest.approx(TYPES)


def test_rake_matches_survey_rake_with_a_joint_margin(apiclus1):
    raked = rake(apiclus1, {("stype", "sch.wide"): JOINT, "comp.imp": COMP_IMP},
                 design_weight="pw")
    assert round(_mean(raked, "api00"), 2) == 642.61  # [RAKE] dclus1r2
    labels = raked.margins.set_index("level")
    assert labels.loc["E / No", "target_pct"] == pytest.approx(100 * 472 / 6194)
    assert raked.margins["margin"].tolist()[0] == "stype x sch.wide"


def test_every_metric_uses_the_raked_weight(apiclus1):
    # CSAT on a made-up score: the weighted share through ct.csat(weight="weight")
    # equals the share computed by hand from the raked weights, with Kish's n_eff.
    raked = rake(apiclus1, {"stype": TYPES, "sch.wide": SCHWIDE})
    data = raked.data.assign(score=np.where(raked.data["api00"] >= 650, 5, 2))
    table = ct.csat(data, weight="weight").iloc[0]
    w = data["weight"]
    assert table["estimate"] == pytest.approx(100 * w[data["score"] == 5].sum() / w.sum())
    assert table["n_eff"] == pytest.approx(raked.n_eff)
    assert raked.n_eff == pytest.approx(w.sum() ** 2 / (w**2).sum())
    compared = ct.compare(data, metric="csat", by="stype", weight="weight")
    assert "n_eff" in compared.columns


def test_one_margin_is_post_stratification_by_hand():
    # 6 EU and 4 US answers, population 50/50: weights 0.5/0.6 x 10/... by hand:
    # EU weight = 0.5 / 0.6 = 5/6, US = 0.5 / 0.4 = 5/4 (mean 1)
    df = pd.DataFrame({"region": ["EU"] * 6 + ["US"] * 4, "score": [5] * 6 + [1] * 4})
    raked = rake(df, {"region": {"EU": 50, "US": 50}})
    assert raked.data["weight"].tolist() == pytest.approx([5 / 6] * 6 + [5 / 4] * 4)
    assert raked.iterations == 1 and raked.converged
    # Kish: n sum(w^2) / (sum w)^2 = 10 (6 * 25/36 + 4 * 25/16) / 100 = 1.04166667
    assert raked.deff == pytest.approx(10 * (6 * 25 / 36 + 4 * 25 / 16) / 100)
    assert raked.n_eff == pytest.approx(10 / raked.deff)
    assert ct.csat(raked.data, weight="weight").iloc[0]["estimate"] == pytest.approx(50.0)


def test_two_margins_by_hand_iterations():
    # Cells (region, plan): EU-pro 2, EU-free 4, US-pro 3, US-free 1; targets region
    # 50/50, plan 50/50. A 2x2 table with these margins: IPF converges to weights w_ij
    # with row and column sums 5 (the closed form of a 2x2 fit: cross ratio kept).
    df = pd.DataFrame({"region": ["EU"] * 6 + ["US"] * 4,
                       "plan": ["pro"] * 2 + ["free"] * 4 + ["pro"] * 3 + ["free"]})
    raked = rake(df, {"region": {"EU": 1, "US": 1}, "plan": {"pro": 1, "free": 1}})
    cells = raked.data.groupby(["region", "plan"])["weight"].sum()
    assert cells["EU"].sum() == pytest.approx(5) and cells["US"].sum() == pytest.approx(5)
    assert cells[:, "pro"].sum() == pytest.approx(5)
    # the fitted table keeps the sample's cross-product ratio (2 * 1) / (4 * 3)
    ratio = (cells["EU", "pro"] * cells["US", "free"]) / (cells["EU", "free"] * cells["US", "pro"])
    assert ratio == pytest.approx(2 * 1 / (4 * 3))
    # 50/50 with ratio 1/6: a = EU-pro solves a^2 / (5 - a)^2 = 1/6
    a = 5 / (1 + np.sqrt(6))
    assert cells["EU", "pro"] == pytest.approx(a, rel=1e-8)
    assert raked.history["iteration"].tolist() == list(range(1, raked.iterations + 1))
    assert raked.history["max_error"].is_monotonic_decreasing


def test_trimming_bounds_weights_and_reports_its_effect(apiclus1):
    margins = {"stype": TYPES, "sch.wide": SCHWIDE}
    free = rake(apiclus1, margins)
    capped = rake(apiclus1, margins, cap=1.5)
    w = capped.data["weight"]
    assert w.max() <= 1.5 * w.mean() * (1 + 1e-9)
    assert free.data["weight"].max() > 1.9 * free.data["weight"].mean()
    stages = capped.weights.set_index("stage")
    assert list(stages.index) == ["design", "raked", "trimmed"]
    assert stages.loc["raked", "deff"] == pytest.approx(free.deff)
    assert stages.loc["trimmed", "deff"] < stages.loc["raked", "deff"]
    assert stages.loc["trimmed", "trimmed"] == int((w >= 1.5 * w.mean() * (1 - 1e-9)).sum()) > 0
    assert capped.max_error == pytest.approx(stages.loc["trimmed", "max_error"])
    assert 0.1 < capped.max_error < 5  # the cap costs some margin accuracy, said in points
    text = capped.summary()
    assert "Trimming to at most 1.5x the mean weight bounded" in text
    assert f"margins off by at most {capped.max_error:.2f} points" in text
    floored = rake(apiclus1, margins, floor=0.95)
    fw = floored.data["weight"]
    assert fw.min() >= 0.95 * fw.mean() * (1 - 1e-9)


def test_rows_that_cannot_be_raked_are_set_aside_with_reasons():
    df = pd.DataFrame({"region": ["EU", "US", None, "APAC", "EU", "US", "LATAM"],
                       "w": [1, 2, 1, 1, 0, 1, 1]}, index=list("abcdefg"))
    raked = rake(df, {"region": {"EU": 40, "US": 60, "LATAM": 0}}, design_weight="w")
    assert raked.data.index.tolist() == ["a", "b", "f"]
    reasons = dict(zip(raked.rejected["source_index"], raked.rejected["reason"]))
    assert reasons == {
        "c": "no region value (a raking margin)",
        "d": "region value not in the raking margins",
        "e": "design weight (w) missing or not positive",
        "g": "region level has a population share of 0",
    }
    assert raked.summary().endswith(
        " 4 rows set aside: no region value (a raking margin) 1, region value not in the "
        "raking margins 1, design weight (w) missing or not positive 1, region level has a "
        "population share of 0 1.")
    assert ".rejected" not in raked.summary()
    assert df["region"].tolist()[0] == "EU" and "weight" not in df  # input unchanged


def test_scale_options():
    df = pd.DataFrame({"region": ["EU"] * 6 + ["US"] * 4, "dw": [2.0] * 10})
    margins = {"region": {"EU": 500, "US": 500}}
    assert rake(df, margins).data["weight"].sum() == pytest.approx(10)
    assert rake(df, margins, scale_to="population").data["weight"].sum() == pytest.approx(1000)
    assert rake(df, margins, design_weight="dw", scale_to="design").data["weight"].sum() \
        == pytest.approx(20)
    shares_and_counts = rake(df.assign(plan=["a", "b"] * 5),
                             {"region": {"EU": 600, "US": 400}, "plan": {"a": 30, "b": 70}},
                             scale_to="population")
    assert shares_and_counts.converged
    assert shares_and_counts.data["weight"].sum() == pytest.approx(1000)
    with pytest.raises(ParameterError, match=r"scale_to='population' needs at least one margin "
                                             r"given as counts"):
        rake(df, {"region": {"EU": 0.6, "US": 0.4}}, scale_to="population")
    out = rake(df, margins, weight="raked_w").data
    assert "raked_w" in out and "weight" not in out


def test_not_converging_is_reported():
    df = pd.DataFrame({"region": ["EU"] * 6 + ["US"] * 4,
                       "plan": ["pro"] * 2 + ["free"] * 4 + ["pro"] * 3 + ["free"]})
    raked = rake(df, {"region": {"EU": 1, "US": 1}, "plan": {"pro": 0.5, "free": 1.5}},
                 max_iter=1)
    assert not raked.converged and raked.iterations == 1 and raked.max_error > 0.01
    assert "without converging in 1 iteration" in raked.summary()


def test_design_effect_and_weight_summary():
    assert design_effect([1, 1, 2, 4]) == pytest.approx(4 * 22 / 64)
    assert np.isnan(design_effect([0, 0]))
    summary = weight_summary([1, 1, 2, 4], stage="x")
    assert summary["n_eff"] == pytest.approx(64 / 22) == ct.core.stats.kish_effective_n([1, 1, 2, 4])
    assert summary["cv"] ** 2 + 1 == pytest.approx(summary["deff"])


@pytest.mark.parametrize("margins,message", [
    ({}, r"margins must be a non-empty mapping"),
    ([("region", {"EU": 1})], r"margins must be a non-empty mapping"),
    ({"region": {}}, r"The margin of region must be a non-empty mapping"),
    ({"region": {"EU": -1, "US": 2}}, r"counts or shares of 0 or more.*-1"),
    ({"region": {"EU": "many", "US": 2}}, r"counts or shares of 0 or more.*'many'"),
    ({"region": {"EU": 0, "US": 0}}, r"with a positive total"),
    ({"region": {"EU": 400, "US": 600}, "plan": {"pro": 10, "free": 20}},
     r"The margins disagree on the population size \(region: 1,000, plan: 30\)"),
    ({"region": {"EU": 400, "US": 600}, "plan": {"pro": 0.25, "free": 0.25}},
     r"The margins disagree on the population size \(region: 1,000, plan: 0.5\)"),
    ({("region", "plan"): {"EU": 1}}, r"joint margin \('region', 'plan'\) needs levels that "
                                      r"are tuples of 2 values"),
])
def test_bad_margins(margins, message):
    df = pd.DataFrame({"region": ["EU", "US"], "plan": ["pro", "free"]})
    with pytest.raises(ParameterError, match=message):
        rake(df, margins)


def test_missing_column_and_unreachable_level_and_nothing_left():
    df = pd.DataFrame({"region": ["EU", "US"]})
    with pytest.raises(MissingColumnError, match=r"Raking needs column\(s\) 'plan'.*'region'"):
        rake(df, {"plan": {"pro": 1}})
    with pytest.raises(DataError, match=r"No answers in region level\(s\) 'APAC'.*Merge those"):
        rake(df, {"region": {"EU": 1, "US": 1, "APAC": 1}})
    with pytest.raises(DataError, match=r"No rows left to rake.*not in the raking margins"):
        rake(df, {"region": {"LATAM": 1}})


@pytest.mark.parametrize("options,message", [
    ({"cap": 1}, r"cap must be a multiple of the mean weight above 1"),
    ({"floor": 1.2}, r"floor must be a multiple of the mean weight between 0 and 1"),
    ({"scale_to": "total"}, r"scale_to must be 'n', 'population' or 'design'"),
    ({"max_iter": 0}, r"max_iter must be a whole number"),
    ({"tol": 0}, r"tol must be a share between 0 and 1"),
])
def test_bad_options(options, message):
    df = pd.DataFrame({"region": ["EU", "US"]})
    with pytest.raises(ParameterError, match=message):
        rake(df, {"region": {"EU": 1, "US": 1}}, **options)


@settings(max_examples=60)
@given(st.integers(0, 2**31 - 1), st.integers(2, 4), st.integers(2, 3))
def test_raking_meets_feasible_margins(seed, k1, k2):
    # Margins computed from a random positive population table are always reachable when
    # every cell has answers: IPF meets them to the tolerance.
    rng = np.random.default_rng(seed)
    population = rng.uniform(1, 10, size=(k1, k2))
    a = rng.integers(0, k1, 300)
    b = rng.integers(0, k2, 300)
    a[:k1 * k2], b[:k1 * k2] = np.repeat(np.arange(k1), k2), np.tile(np.arange(k2), k1)
    df = pd.DataFrame({"a": a, "b": b, "dw": rng.uniform(0.5, 2, 300)})
    margins = {"a": dict(enumerate(population.sum(axis=1))), "b": dict(enumerate(population.sum(axis=0)))}
    raked = rake(df, margins, design_weight="dw", max_iter=500)
    assert raked.converged and raked.max_error < 1e-7
    assert (raked.data["weight"] > 0).all() and raked.data["weight"].mean() == pytest.approx(1)


def test_rake_result_shows_in_jupyter():
    # _repr_html_: the summary, the margins table under readable headers, the method; data
    # text (a level named like markup) escaped.
    df = pd.DataFrame({"region": ["<b>EU</b>"] * 6 + ["US"] * 2})
    raked = rake(df, {"region": {"<b>EU</b>": 50, "US": 50}})
    out = raked._repr_html_()
    assert html.escape(raked.summary()) in out
    assert ">Target (%)<" in out and ">Raked (%)<" in out
    assert "&lt;b&gt;EU&lt;/b&gt;" in out and "<b>EU" not in out
    assert "Method: Raking (iterative proportional fitting) to the margins" in out


def test_raking_is_exported():
    assert ct.rake is rake and ct.core.rake is rake and ct.weighting.design_effect is design_effect
    assert ct.RakeResult is ct.core.weighting.RakeResult and ct.weight_summary is weight_summary
