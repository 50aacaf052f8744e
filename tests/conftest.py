"""Shared fixtures: repository paths, the real-data folder, notebook runs."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests are deterministic by default (make test, CI): one profile for the whole
# suite instead of per-file copies. HYPOTHESIS_PROFILE=dev explores with fresh random
# examples and the example database, for finding new failures by hand.
settings.register_profile("ci", derandomize=True, database=None, deadline=None,
                          print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=200)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
SAMPLE = REPO / "data" / "sample"
SHARED = REPO.parent / "shared"
REALDATA = SHARED / "realdata"
REFERENCE = SHARED / "reference-data"


def require_shared(path: Path) -> Path:
    """Skip the calling test, with a clear message, when ../shared is not there."""
    if not path.exists():
        pytest.skip(f"{path} is absent: the real-data tests need the workplace's shared/ "
                    "folder beside the repository (it is present in CI).")
    return path


@pytest.fixture(scope="session")
def sample_responses():
    """The bundled sample responses, loaded once per test session."""
    import csat_toolkit as ct

    return ct.load_responses(SAMPLE / "responses.csv")


def executed_notebook(folder: Path) -> Path:
    """The executed notebook in a notebook's output folder (as the runner names it)."""
    (path,) = Path(folder).glob("*.ipynb")
    return path


def read_headline(folder: Path) -> dict:
    return json.loads((Path(folder) / "headline.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------
# Notebook runs, once per test session (DESIGN.md: run each configuration once and share
# its outputs). Tests that use one of these carry ``pytest.mark.xdist_group(<key>)`` so that
# pytest-xdist sends every test of one configuration to the same worker, which runs it once.
# --------------------------------------------------------------------------------------


def _cache_key(*parts) -> str:
    return json.dumps(parts, sort_keys=True, default=str)


#: The xdist group of every test that reads the bundled sample's default run.
SAMPLE_RUN = "sample-run"


@pytest.fixture(scope="session")
def notebook_run(tmp_path_factory, reports_run):
    """Run one notebook with parameters once per session; returns its output folder.

    ``notebook_run("01_metrics", min_n=50)`` executes ``notebooks/01_metrics.ipynb`` with
    papermill (cwd ``notebooks/``, as the runner does) and returns the folder holding its
    ``headline.json``; a second call with the same arguments returns the same folder.
    Without parameters it is the notebook's folder of the runner's sample run
    (``reports_run()``, what ``make report`` does): tests of the defaults carry
    ``pytest.mark.xdist_group(SAMPLE_RUN)`` so that one worker runs it once.
    """
    import papermill as pm

    cache: dict[str, Path] = {}

    def run(name: str, **parameters) -> Path:
        if not parameters:
            return reports_run().out / name
        key = _cache_key(name, parameters)
        if key not in cache:
            out = tmp_path_factory.mktemp(name)
            pm.execute_notebook(str(NOTEBOOKS / f"{name}.ipynb"), str(out / f"{name}.ipynb"),
                                parameters={"output_dir": str(out), **parameters},
                                kernel_name="python3", cwd=str(NOTEBOOKS), progress_bar=False,
                                execution_timeout=600)
            cache[key] = out
        return cache[key]

    return run


@pytest.fixture(scope="session")
def reports_run(tmp_path_factory):
    """Run the runner (every notebook, HTML, index) once per session per config.

    ``reports_run()`` is the bundled sample with the defaults (what ``make report`` does);
    ``reports_run(config=path, **parameters)`` a config. Returns the ``RunResult``.
    """
    from csat_toolkit.runner import run_reports

    cache: dict[str, object] = {}

    def run(config: Path | None = None, **parameters):
        key = _cache_key(str(config), parameters)
        if key not in cache:
            name = Path(config).stem if config else "sample"
            cache[key] = run_reports(config=config, out=tmp_path_factory.mktemp(name) / "run",
                                     parameters=parameters or None, progress=False)
        return cache[key]

    return run
