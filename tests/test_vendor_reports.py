"""Each vendor's file runs through the notebooks by ``source:`` alone (issue 12).

One runner run per example config in ``data/examples/`` (the config names the file,
``source:`` and, where the file's times carry no offset, the account's time zone); the
checks are the numbers each vendor's SOURCE.md gives (real files in
``../shared/vendor-exports``) or that the fixture was built with.
"""
from __future__ import annotations

import pytest
import yaml

from .conftest import REPO, SHARED, read_headline

EXAMPLES = REPO / "data" / "examples"

# config -> (metric, estimate, n) of the headline card; sources named in each comment
SURVEY_CONFIGS = {
    # vendor-exports/qualtrics/SOURCE.md: NPS +21.43 on the 28 answers; one of them is a
    # preview (Status), set aside by the reader: 27 answers, 14 promoters, 9 detractors
    "qualtrics_nps": ("nps", 18.518519, 27),
    # vendor-exports/qualtrics/SOURCE.md: top-2-box 4 of 15 (26.7%)
    "qualtrics_csat": ("csat", 26.666667, 15),
    # vendor-exports/delighted/SOURCE.md: 10 NPS answers, NPS -50
    "delighted": ("nps", -50.0, 10),
}


def _needs_shared(config: str) -> None:
    text = (EXAMPLES / f"{config}.yaml").read_text(encoding="utf-8")
    if "shared/vendor-exports" in text and not (SHARED / "vendor-exports").exists():
        pytest.skip(f"../shared/vendor-exports is absent: {config}.yaml reads a real file "
                    "from there (it is present in CI)")


@pytest.mark.slow
@pytest.mark.parametrize("config", sorted(SURVEY_CONFIGS))
def test_a_survey_vendors_export_runs_01_metrics_by_source_alone(config, reports_run):
    _needs_shared(config)
    path = EXAMPLES / f"{config}.yaml"
    assert "source:" in path.read_text(encoding="utf-8")
    result = reports_run(config=path)
    assert [(r.name, r.status) for r in result.runs] == [("01_metrics", "ok")], \
        [r.error for r in result.runs]
    headline = read_headline(result.out / "01_metrics")
    metric, estimate, n = SURVEY_CONFIGS[config]
    card = next(k for k in headline["kpis"] if k["metric"] == metric)
    assert card["n"] == n and card["value"] == pytest.approx(estimate, abs=1e-5)
    assert headline["as_of_source"] == "data"


@pytest.mark.parametrize("config", sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
def test_every_example_config_is_a_valid_config(config):
    from csat_toolkit.report.runner import check_config

    check_config(yaml.safe_load((EXAMPLES / f"{config}.yaml").read_text(encoding="utf-8")),
                 f"{config}.yaml")
