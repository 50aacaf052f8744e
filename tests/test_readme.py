"""The README's Python tour runs as written (from the repository root)."""
import os

import matplotlib
import pytest

from .conftest import REPO


@pytest.mark.slow
def test_python_api_tour_runs(monkeypatch):
    matplotlib.use("Agg")
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("### The Python API", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(REPO)
    namespace: dict = {}
    exec(compile(block, "README.md (The Python API)", "exec"), namespace)  # noqa: S102
    assert os.getcwd() == str(REPO)
    assert len(namespace["imp"].table) == 5 and namespace["sla"].table["n"].sum() > 0


def test_readme_config_for_a_messier_export_is_valid():
    # The "messier export" config in README.md: every key known to the runner, every
    # shorthand routed into a notebook's reading options, the time limit read.
    import yaml

    from csat_toolkit.runner import _plan, check_config, discover_notebooks

    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("title: Support, 2025-2026", 1)[1].split("```", 1)[0]
    config = yaml.safe_load("title: Support, 2025-2026" + block)
    check_config(config)
    plan = _plan(discover_notebooks(), config, {})
    assert plan["01_metrics"]["load_options"]["sheet"] == "Answers"
    assert plan["01_metrics"]["load_options"]["labels"]["csat"]["😁"] == 5
    assert plan["03_drivers"]["ticket_options"]["decimal"] == ","
    assert plan["04_nps_revenue"]["revenue_options"]["thousands"] == "."
    assert plan["03_drivers"]["nonresponse_cells"] == ["channel", "late"]
    assert plan["04_nps_revenue"]["churn_after_months_without_revenue"] == 3
    assert plan["02_trends"]["goal"] == {"change": 5, "within": 3}
    assert config["timeout"] == 1200


def test_readme_vendor_config_routes_source_to_both_loaders():
    # The "Our Zendesk" config in README.md: source: reaches the answers' and the tickets'
    # reading options of the notebooks run, next to the time zone given there.
    import yaml

    from csat_toolkit.runner import _plan, check_config, discover_notebooks

    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("title: Our Zendesk", 1)[1].split("```", 1)[0]
    config = yaml.safe_load("title: Our Zendesk" + block)
    check_config(config)
    plan = _plan(discover_notebooks(), config, {})
    assert config["notebooks"] == ["01_metrics", "05_operations"]
    assert plan["01_metrics"]["load_options"] == {"timezone": "America/Los_Angeles",
                                                  "vendor": "zendesk"}
    assert plan["05_operations"]["ticket_options"] == {"timezone": "America/Los_Angeles",
                                                       "vendor": "zendesk"}
    assert plan["05_operations"]["load_options"]["vendor"] == "zendesk"


def test_readme_engine_config_routes_engine_to_the_loaders():
    # The "Years of answers" config in README.md: engine and engine_options reach the
    # responses loader of the two pages that run on counts.
    import yaml

    from csat_toolkit.runner import _plan, check_config, discover_notebooks

    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("title: Years of answers", 1)[1].split("```", 1)[0]
    config = yaml.safe_load("title: Years of answers" + block)
    check_config(config)
    plan = _plan(discover_notebooks(), config, {})
    for name in config["notebooks"]:
        assert plan[name]["load_options"] == {"engine": "duckdb",
                                              "engine_options": {"memory_limit": "1GB"}}
        assert plan[name]["responses_path"] == "warehouse/responses/"
