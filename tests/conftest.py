"""Shared fixtures: repository paths, the real-data folder, notebook runs."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
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


def pytest_collection_finish(session):
    """Freeze what the imports built, so that a garbage collection skips it.

    statsmodels' ``multipletests(method="holm")`` (behind ``stats.adjust_pvalues`` and so
    every Holm correction) calls ``gc.collect()`` on each call: with a test session's heap
    (pandas, statsmodels, scipy, hypothesis, ~350,000 objects) that took 0.24 s a call, most
    of the time of the property and simulation tests (test_comparisons, test_importance,
    test_stats ...). Objects alive once the tests are collected (modules, their constants)
    are moved to the permanent generation (``gc.freeze``): collections then walk only what
    the tests themselves create. Reference counting still frees frozen objects; only cycles
    among them are kept to the end of the session.
    """
    import gc

    gc.collect()
    gc.freeze()

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


@dataclass
class PageRun:
    """A notebook's code run in the test process (:func:`page_run`).

    ``out`` holds what the notebook writes (``headline.json``, CSV files); ``headline`` is
    its headline; ``page`` the notebook's :class:`~csat_toolkit.report.sections.Page`
    (``page.sections`` by name); ``shown`` the sections in the order the notebook showed
    them; ``text`` every sentence shown with them (under the tables and figures, the skip
    reasons and notes, the texts of their details); ``figures`` their figures;
    ``warnings`` and ``stderr`` what reached the output (always empty: a run that warns or
    writes to stderr fails).
    """

    out: Path
    namespace: dict
    shown: list
    warnings: list = field(default_factory=list)
    stderr: str = ""

    @property
    def headline(self) -> dict:
        return read_headline(self.out)

    @property
    def page(self):
        return self.namespace["page"]

    @property
    def text(self) -> str:
        return "\n".join(s for section in self.shown for s in
                         [*section.sentences, *section.missing,
                          *(d for d in getattr(section, "details", []) if isinstance(d, str))])

    @property
    def figures(self) -> list:
        return [f for section in self.shown for f in section.figures]


def notebook_code(name: str, parameters: dict, folder: Path = NOTEBOOKS) -> list[str]:
    """The code cells of ``notebooks/<name>.ipynb`` with ``parameters`` injected as papermill
    injects them (a cell after the ``parameters`` cell), IPython magics left out."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    notebook = load_notebook_node(str(Path(folder) / f"{name}.ipynb"))
    notebook = parameterize_notebook(notebook, parameters, kernel_name="python3",
                                     language="python")
    return ["\n".join(line for line in cell.source.splitlines()
                      if not line.lstrip().startswith("%"))
            for cell in notebook.cells if cell.cell_type == "code"]


def run_in_process(name: str, parameters: dict, out: Path, folder: Path = NOTEBOOKS) -> PageRun:
    """Run the code cells of ``<folder>/<name>.ipynb`` in this process (see :func:`page_run`)."""
    import contextlib
    import io
    import warnings
    from unittest import mock

    import matplotlib

    from csat_toolkit.report.sections import Page

    shown: list = []

    def show(page, section):
        shown.append(section)
        return page.add(section)

    namespace: dict = {"__name__": "__main__"}
    with contextlib.ExitStack() as stack:
        stack.enter_context(contextlib.chdir(folder))
        stack.enter_context(matplotlib.rc_context())
        stack.enter_context(mock.patch.object(Page, "show", show))
        stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
        stderr = stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
        caught = stack.enter_context(warnings.catch_warnings(record=True))
        warnings.simplefilter("always")
        cells = notebook_code(name, {"output_dir": str(out), **parameters}, folder)
        for i, source in enumerate(cells):
            exec(compile(source, f"<{name} code cell {i + 1}>", "exec"), namespace)
    # What a kernel would show: Python's default filters hide these categories unless a
    # notebook cell itself warns (IPython shows DeprecationWarnings of __main__). The
    # ResourceWarnings are the garbage collector finding other tests' kernel sockets.
    hidden = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)
    said = [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in caught
            if not issubclass(w.category, hidden) or w.filename.startswith(f"<{name} ")]
    assert not said and not stderr.getvalue(), (
        f"{name} with {parameters} let warnings or stderr reach its output: {said} "
        f"{stderr.getvalue()[:2000]}")
    return PageRun(Path(out), namespace, shown)


@pytest.fixture(scope="session")
def page_run(tmp_path_factory):
    """Run a notebook's cells in this process, once per session per parameters.

    ``page_run("01_metrics", min_n=50)`` executes the code cells of
    ``notebooks/01_metrics.ipynb`` with the parameters injected as papermill injects them
    (cwd ``notebooks/``, ``output_dir`` a session folder) in the test process: no kernel
    and no display (``Page.show`` gathers and records the section as the notebook's page
    would), matplotlib's settings restored afterwards. A warning the kernel would show, or
    anything written to stderr, fails the run (no warning may reach a notebook's output). The notebooks only call the section
    builders (tests/test_sections_*.py hold them to that), so this builds every section the
    notebook builds, with the same parameters, and writes the same ``headline.json``
    (tests/test_any_data.py checks that against a kernel run) for a fraction of a kernel
    run's cost. What only a kernel run shows (the executed notebook, its HTML) is tested
    on ``notebook_run`` / ``reports_run``. Returns a :class:`PageRun`.
    """
    cache: dict[str, PageRun] = {}

    def run(name: str, **parameters) -> PageRun:
        key = _cache_key(name, parameters)
        if key not in cache:
            cache[key] = run_in_process(name, parameters, tmp_path_factory.mktemp(name))
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


# --------------------------------------------------------------------------------------
# The any-data matrix (issue 10): the runner with its defaults over generated data that is
# not the sample, with a config that only names the files (what a new user writes). Each
# case runs once per session (``any_data_run(name)``); every test reading a case, in any
# file, carries ``pytest.mark.xdist_group(any_data_group(name))`` so one worker runs it.
# Together the cases cover: another calendar (data ending 2025-12, 2026-06 and 2026-12), a
# short history (18 months), one survey type only, no comments, no revenue, customers or
# volume files, no tickets, a segment with a single level and one with a level per answer.
# --------------------------------------------------------------------------------------


def _write_csv(frames: dict, folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in frames.items():
        paths[name] = str(folder / f"{name}.csv")
        frame.to_csv(paths[name], index=False, date_format="%Y-%m-%d %H:%M:%S")
    return paths


def _parameters(paths: dict[str, str]) -> dict:
    names = ("responses", "tickets", "revenue", "customers", "volume")
    return {f"{name}_path": paths.get(name) for name in names}


def later_short_history(folder: Path) -> dict:
    """All five files, 18 months from 2024-07 (seed 7, 300 customers): the data end in
    2025-12. The drivers, operations and revenue tests of another year read this run."""
    from csat_toolkit.sample import make_sample

    frames = make_sample(seed=7, n_customers=300, start="2024-07", months=18)
    return _parameters(_write_csv(frames, folder))


def csat_only_one_level(folder: Path) -> dict:
    """Two years to 2026-12 (seed 12): CSAT answers only, no comments, one channel and one
    agent (answers and tickets; the regions vary, so 01 has one breakdown); tickets but no
    revenue, customers or volume files."""
    from csat_toolkit.sample import make_sample

    frames = make_sample(seed=12, n_customers=300, start="2025-01", months=24)
    answers = frames["responses"]
    answers = answers[answers["survey"] == "csat"].drop(columns="comment")
    answers = answers.assign(channel="email", agent="Agent 01")
    tickets = frames["tickets"].assign(channel="email", agent="Agent 01")
    return _parameters(_write_csv({"responses": answers, "tickets": tickets}, folder))


def responses_only_a_level_per_answer(folder: Path) -> dict:
    """A responses file (18 months to 2026-06, seed 13) whose channel has a level per
    answer, and the channel volume file; no tickets, revenue or customers. (01 and 02 on
    100,000 levels are in tests/test_notebook_metrics_trends.py.)"""
    from csat_toolkit.sample import make_sample

    frames = make_sample(seed=13, n_customers=300, start="2025-01", months=18)
    answers = frames["responses"]
    answers = answers.assign(channel=[f"L{i:06d}" for i in range(len(answers))])
    return _parameters(_write_csv({"responses": answers, "volume": frames["volume"]}, folder))


ANY_DATA_CASES = {"later_short_history": later_short_history,
                  "csat_only_one_level": csat_only_one_level,
                  "responses_only_a_level_per_answer": responses_only_a_level_per_answer}


def any_data_group(name: str) -> str:
    """The xdist group of every test that reads the any-data case ``name``."""
    return f"any-data-{name}"


@dataclass
class AnyDataRun:
    """One any-data case: its generated files (``parameters``, the config's paths) and the
    runner's result; ``folder(notebook)`` holds that notebook's headline and tables."""

    name: str
    parameters: dict
    result: object  # csat_toolkit.runner.RunResult

    @property
    def out(self) -> Path:
        return Path(self.result.out)

    def folder(self, notebook: str) -> Path:
        return self.out / notebook

    def headline(self, notebook: str) -> dict:
        return read_headline(self.folder(notebook))


@pytest.fixture(scope="session")
def any_data_run(tmp_path_factory, reports_run):
    """``any_data_run(name)``: the case's files and the runner's run over them, once."""
    import yaml

    cache: dict[str, AnyDataRun] = {}

    def run(name: str) -> AnyDataRun:
        if name not in cache:
            folder = tmp_path_factory.mktemp(any_data_group(name))
            parameters = ANY_DATA_CASES[name](folder / "data")
            config = folder / f"{name}.yaml"
            config.write_text(yaml.safe_dump({"title": name, "parameters": parameters}),
                              encoding="utf-8")
            cache[name] = AnyDataRun(name, parameters, reports_run(config=config))
        return cache[name]

    return run


@pytest.fixture(scope="session")
def spark():
    """A local Spark session (``local[1]``, UTC) for the cross-engine tests, started once per
    worker; skips with a message where PySpark or Java is absent (``make spark`` installs
    the spark extra; .ci/run does). Tests using it carry ``xdist_group("spark")`` so one
    worker holds the JVM."""
    import shutil

    pytest.importorskip("pyspark", reason="PySpark is absent: `make spark` installs the "
                        "spark extra")
    if shutil.which("java") is None:
        pytest.skip("Java is absent: Spark needs Java 17")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("csat_toolkit tests")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "1")
               .config("spark.sql.session.timeZone", "UTC")
               # small test tables: compiling whole-stage code costs more than it saves
               .config("spark.sql.codegen.wholeStage", "false")
               .config("spark.sql.adaptive.enabled", "false")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session
