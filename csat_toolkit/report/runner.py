"""Run the notebooks with papermill, export HTML with code hidden, write an index.

One failing notebook does not stop the others: the index shows the failure and
:attr:`RunResult.ok` is False (the CLI then exits non-zero). Every notebook has a
time limit (:data:`DEFAULT_TIMEOUT`); one over it is stopped, its kernel shut down, and
reported as ``timed out``. Every run writes a ``manifest.json`` with the parameters,
input file hashes, package versions, durations and statuses; a run of ``only`` some
notebooks into a folder that already holds a run keeps the other reports' entries.
"""
from __future__ import annotations

import ast
import difflib
import hashlib
import json
import logging
import math
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import yaml

from ..errors import FileFormatError, ParameterError
from ..io.responses import read_config
from ..io import vendors
from .index import report_page, write_index

__all__ = [
    "CONFIG_KEYS",
    "DEFAULT_TIMEOUT",
    "NOTEBOOKS_DIR",
    "READING_SHORTHANDS",
    "RunResult",
    "check_config",
    "config_parameters",
    "discover_notebooks",
    "notebook_parameters",
    "parse_assignment",
    "route_reading_options",
    "run_reports",
    "export_html",
    "write_index",
]

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"
#: nbconvert templates of the exported reports (``csat_report``).
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
HEADLINE_FILE = "headline.json"
MANIFEST_FILE = "manifest.json"
#: Time limit of one notebook, in seconds. The notebooks take well under a minute on the
#: sample and a few minutes on millions of rows, so half an hour is far above any healthy
#: run, yet stops a stuck one (an endless loop, a file on a network drive that never
#: answers) long before a nightly schedule starts the next run on top of it.
DEFAULT_TIMEOUT = 1800.0
#: The keys a run configuration may hold at its top level.
CONFIG_KEYS = ("title", "parameters", "notebooks", "timeout", "source", "vendor_options",
               "history", "alerts")
#: Top-level keys that are reading options for every notebook (a vendor's export).
_TOP_READING = ("source", "vendor_options")
#: Reading options that may be given at the top of ``parameters`` (or a notebook's
#: section, or ``-p``): each goes into these option dicts of every notebook declaring them.
READING_SHORTHANDS = {
    "source": ("load_options", "ticket_options"),  # a vendor: see _route_source
    "vendor_options": ("load_options", "ticket_options"),
    "labels": ("load_options",),
    "sheet": ("load_options",),
    "decimal": ("load_options", "ticket_options", "revenue_options"),
    "thousands": ("load_options", "ticket_options", "revenue_options"),
    "engine": ("load_options", "ticket_options", "revenue_options"),
    "engine_options": ("load_options", "ticket_options", "revenue_options"),
}
STATUSES = ("ok", "failed", "timed out")
DEFAULT_TITLE = "Customer experience report"
_PACKAGES = ("csat_toolkit", "pandas", "numpy", "scipy", "statsmodels", "matplotlib",
             "seaborn", "papermill", "nbconvert", "nbformat", "ipykernel")


@dataclass
class NotebookRun:
    """Outcome of one notebook."""

    name: str
    status: str = "pending"  # "ok", "failed" or "timed out"
    seconds: float = 0.0
    html: str | None = None
    error: str | None = None
    parameters: dict = field(default_factory=dict)
    headline: dict | None = None
    inputs: dict[str, str] = field(default_factory=dict)  # SHA-256 of the files it read
    timeout: float | None = None  # the time limit it ran under (None: no limit)
    config: str | None = None  # the config file of the run that made it
    earlier: bool = False  # kept from an earlier run in the same folder


@dataclass
class RunResult:
    """Outcome of :func:`run_reports`.

    ``runs`` are the notebooks run now; ``earlier`` the entries kept from the folder's
    previous run when only some notebooks were run (:attr:`entries` is both, as the
    index and the manifest show them).
    """

    out: Path
    runs: list[NotebookRun]
    notebooks_dir: Path = NOTEBOOKS_DIR
    earlier: list[NotebookRun] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every notebook run now ran (the CLI's exit status)."""
        return all(r.status == "ok" for r in self.runs)

    @property
    def entries(self) -> list[NotebookRun]:
        """Every report in the folder, in name order: the runs and the kept entries."""
        now = {r.name for r in self.runs}
        return sorted(self.runs + [r for r in self.earlier if r.name not in now],
                      key=lambda r: r.name)

    @property
    def index(self) -> Path:
        return self.out / "index.html"

    def summary(self) -> str:
        """One sentence per outcome, e.g. ``'1 of 2 notebooks ran. Failed: 02_broken.'``."""
        ran = sum(r.status == "ok" for r in self.runs)
        text = f"{ran} of {len(self.runs)} notebooks ran."
        for status in ("failed", "timed out"):
            names = [r.name for r in self.runs if r.status == status]
            if names:
                text += f" {status.capitalize()}: {', '.join(names)}."
        kept = [r.name for r in self.entries if r.earlier]
        if kept:
            text += f" Kept from the earlier run in {self.out}: {', '.join(kept)}."
        return text


def discover_notebooks(folder: Path | str = NOTEBOOKS_DIR, only: list[str] | None = None) -> list[Path]:
    """The notebooks to run, in name order; ``only`` selects by name or suffix.

    ``only=["metrics"]`` selects ``01_metrics.ipynb``.

    Examples
    --------
    >>> [p.stem for p in discover_notebooks(only=["metrics"])]
    ['01_metrics']
    """
    folder = Path(folder)
    found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if not found:
        raise FileFormatError(f"No notebooks (*.ipynb) in {folder}. Pass the notebooks folder.")
    if not only:
        return found
    chosen = []
    for name in only:
        match = _matching(str(name), found)
        if not match:
            raise ParameterError(
                f"No notebook called {name!r}{_nearest(str(name), _names(found))}. Available: "
                f"{', '.join(p.stem for p in found)}."
            )
        chosen += [p for p in match if p not in chosen]
    return chosen


def _matching(name: str, found: list[Path]) -> list[Path]:
    return [p for p in found if p.stem == name or p.stem.split("_", 1)[-1] == name]


def _names(found: list[Path]) -> list[str]:
    return sorted({p.stem for p in found} | {p.stem.split("_", 1)[-1] for p in found})


def _nearest(name: str, known) -> str:
    close = difflib.get_close_matches(str(name), sorted(map(str, known)), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def notebook_parameters(path: Path | str) -> dict[str, dict]:
    """Names, defaults and comments of a notebook's parameter cells.

    The parameters fill consecutive cells of at most 15 lines: cells tagged ``defaults``,
    then the one cell tagged ``parameters``, after which papermill injects the values
    given (so every default is set before the injected values). Returns ``{name:
    {"default": value, "comment": text}}``. The cells hold literal assignments only
    (DESIGN.md, notebook conventions).
    """
    import nbformat

    notebook = nbformat.read(str(path), as_version=4)
    tags = [c.get("metadata", {}).get("tags", []) for c in notebook.cells]
    tagged = [i for i, t in enumerate(tags) if "parameters" in t]
    if len(tagged) != 1:
        raise FileFormatError(
            f"{path} must have exactly one cell tagged 'parameters'; found {len(tagged)}."
        )
    late = [i for i, t in enumerate(tags) if "defaults" in t and i > tagged[0]]
    if late:
        raise FileFormatError(
            f"{path}: a cell tagged 'defaults' (cell {late[0] + 1}) comes after the "
            "'parameters' cell, so it would overwrite the values papermill injects; move it "
            "before.")
    params = {}
    for cell in (c for c, t in zip(notebook.cells, tags) if {"defaults", "parameters"} & set(t)):
        params.update(_cell_parameters(cell.source, path))
    return params


def _cell_parameters(source: str, path) -> dict[str, dict]:
    """``{name: {"default", "comment"}}`` of one cell of literal assignments."""
    params = {}
    lines = source.splitlines()
    for node in ast.parse(source).body:
        if not (isinstance(node, (ast.Assign, ast.AnnAssign))):
            raise FileFormatError(f"{path}: the parameter cells may only assign literal values.")
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target
        line = lines[node.lineno - 1]
        comment = line.split("#", 1)[1].strip() if "#" in line else ""
        params[target.id] = {"default": ast.literal_eval(node.value), "comment": comment}
    return params


def parse_assignment(text: str) -> tuple[str, object]:
    """Parse ``KEY=VALUE`` from the command line; VALUE is read as YAML.

    A value YAML cannot read is taken as text (``decimal=,``) unless it starts a list
    or mapping (``[``, ``{``), which is an error saying what YAML found.

    Examples
    --------
    >>> parse_assignment("min_n=50"), parse_assignment("segments=[channel, region]")
    (('min_n', 50), ('segments', ['channel', 'region']))
    >>> parse_assignment("decimal=,")
    ('decimal', ',')
    """
    if "=" not in text:
        raise ParameterError(f"Parameters are given as KEY=VALUE; got {text!r}.")
    key, value = text.split("=", 1)
    if not value.strip():
        return key.strip(), None
    try:
        return key.strip(), yaml.safe_load(value)
    except yaml.YAMLError as error:
        if value.strip().startswith(("[", "{")):
            problem = " ".join(str(getattr(error, "problem", "") or error).split())
            raise ParameterError(
                f"The value of -p {key.strip()} is not readable YAML ({problem}): {value!r}. "
                "Write lists as [a, b] and mappings as {key: value}; quote text with commas."
            ) from error
        return key.strip(), value.strip()


def _check_names(given: Mapping, declared: dict[str, set[str]], where: str) -> None:
    known = set().union(*declared.values()) if declared else set()
    allowed = known | set(READING_SHORTHANDS)
    unknown = [k for k in given if k not in allowed]
    if unknown:
        hints = []
        for name in unknown:
            if name == "timeout":
                hints.append("'timeout' (the time limit of each notebook is not a notebook "
                             "parameter: give it as --timeout SECONDS or as 'timeout: SECONDS' "
                             "at the top level of the config)")
            elif name in CONFIG_KEYS:
                hints.append(f"{name!r} (a top-level key of the config, not a notebook parameter)")
            else:
                hints.append(f"{name!r}{_nearest(name, allowed)}")
        raise ParameterError(
            f"Unknown parameter(s) {', '.join(hints)} in {where}. The notebooks' "
            f"parameters are: {', '.join(sorted(known))}; the reading options "
            f"{', '.join(READING_SHORTHANDS)} may also be given there."
        )


def check_config(config: Mapping, where: str = "the config") -> None:
    """Check a run configuration's shape: known top-level keys, sections and time limit.

    The top level holds ``title``, ``parameters`` (a mapping), ``notebooks`` (a list of
    notebook names, or a mapping of per-notebook parameter sections), ``timeout``
    (seconds, see :func:`run_reports`), and ``source`` / ``vendor_options`` (a vendor's
    export, for every notebook: :func:`config_parameters`). Parameter names are checked against the
    notebooks by :func:`run_reports`.

    Raises
    ------
    ParameterError
        An unknown key (naming the nearest known one), a section of the wrong kind or a
        time limit that is not a number of seconds.

    Examples
    --------
    >>> check_config({"title": "Demo", "timeout": 600, "parameters": {"min_n": 50}})
    >>> check_config({"timout": 600})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    csat_toolkit.errors.ParameterError: Unknown key(s) 'timout' (did you mean 'timeout'?) at the top of the config. ...
    """
    unknown = [k for k in config if k not in CONFIG_KEYS]
    if unknown:
        hints = ", ".join(f"{str(k)!r}{_nearest(str(k), CONFIG_KEYS)}" for k in unknown)
        raise ParameterError(
            f"Unknown key(s) {hints} at the top of {where}. A config holds only "
            f"{', '.join(CONFIG_KEYS)}; notebook parameters go under 'parameters:' (or under "
            "a notebook's name in 'notebooks:')."
        )
    parameters = config.get("parameters")
    if parameters is not None and not isinstance(parameters, Mapping):
        raise ParameterError(
            f"'parameters' in {where} should map parameter names to values (e.g. "
            f"'parameters: {{min_n: 50}}'); found {type(parameters).__name__} {parameters!r:.80}."
        )
    notebooks = config.get("notebooks")
    if notebooks is not None and not isinstance(notebooks, (list, Mapping)):
        raise ParameterError(
            f"'notebooks' in {where} should be a list of notebook names (e.g. "
            "'notebooks: [01_metrics]') or a mapping of per-notebook parameters; found "
            f"{type(notebooks).__name__} {notebooks!r:.80}."
        )
    _check_timeout(config.get("timeout"), f"'timeout' in {where}")
    history = config.get("history")
    if history is not None and not isinstance(history, str):
        raise ParameterError(
            f"'history' in {where} should be a folder (e.g. 'history: reports/history'); "
            f"found {history!r:.80}.")
    from .alerts import parse_rules  # alerts imports nothing of the runner

    parse_rules(config.get("alerts"), f"the alerts of {where}")


def _check_timeout(value, where: str) -> float | None:
    """A time limit in seconds (``None``: not given; 0: no limit)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            math.isfinite(value) and value >= 0):
        raise ParameterError(
            f"{where} must be a number of seconds, e.g. 1800 for half an hour (0 turns the "
            f"limit off); got {value!r:.80}."
        )
    return float(value)


def _time_limit(timeout, config: Mapping) -> float | None:
    """The limit that applies: the argument, else the config's, else the default; None if off."""
    given = _check_timeout(timeout, "timeout")
    if given is None:
        given = _check_timeout(config.get("timeout"), "'timeout' in the config")
    limit = DEFAULT_TIMEOUT if given is None else given
    return limit or None


def _route_source(out: dict, defaults: Mapping, where: str) -> dict:
    """``source: NAME`` (a vendor) becomes ``vendor`` in the option dicts of the loaders
    that read that vendor's kinds: ``load_options`` (responses), ``ticket_options``."""
    if "source" not in out or "source" in defaults:
        return out
    name = out.pop("source")
    if name in (None, ""):
        return out
    module = vendors.vendor_module(name)
    for kind, target in (("responses", "load_options"), ("tickets", "ticket_options")):
        if kind not in module.KINDS or target not in defaults:
            continue
        options = out.get(target, defaults[target]) or {}
        if not isinstance(options, Mapping):
            raise ParameterError(f"{where}: {target} must be a dict of options; got {options!r}.")
        if options.get("vendor") not in (None, module.NAME):
            raise ParameterError(
                f"{where}: source is {module.NAME!r} but {target} has vendor="
                f"{options['vendor']!r}; give one of them.")
        out[target] = {**options, "vendor": module.NAME}
    return out


def route_reading_options(params: Mapping, defaults: Mapping, *, where: str = "the notebook") -> dict:
    """Move the reading shorthands (``labels``, ``decimal``, ``thousands``, ``sheet``) into
    the option dicts a notebook declares.

    ``labels`` and ``sheet`` go into ``load_options``; ``decimal`` and ``thousands`` into
    ``load_options``, ``ticket_options`` and ``revenue_options``, each where the notebook
    declares it, merged with what was given there (or the notebook's default). A notebook
    parameter of the same name keeps its value instead. A shorthand no declared dict takes
    stays in the result.

    Parameters
    ----------
    params : mapping
        The parameter values given for the notebook.
    defaults : mapping
        The notebook's parameters and their defaults (:func:`notebook_parameters`).
    where : str
        Named in errors, e.g. the notebook's name.

    Returns
    -------
    dict
        A new dict; ``params`` is not changed.

    Raises
    ------
    ParameterError
        The same option with different values at the top and inside an option dict (both
        are named), or an option dict that is not a mapping.

    Examples
    --------
    >>> route_reading_options({"decimal": ",", "min_n": 50},
    ...                       {"load_options": {}, "ticket_options": {}, "min_n": 30})
    {'min_n': 50, 'load_options': {'decimal': ','}, 'ticket_options': {'decimal': ','}}
    """
    out = _route_source(dict(params), defaults, where)
    for key, targets in READING_SHORTHANDS.items():
        if key not in out or key in defaults:
            continue
        declared = [t for t in targets if t in defaults]
        if not declared:
            continue
        value = out.pop(key)
        for target in declared:
            options = out.get(target, defaults[target])
            options = {} if options is None else options
            if not isinstance(options, Mapping):
                raise ParameterError(
                    f"{target} of {where} should be a mapping of options (e.g. "
                    f"'{target}: {{{key}: {value!r}}}'); got {options!r:.80}."
                )
            if key in options and options[key] != value:
                raise ParameterError(
                    f"{key!r} is given twice for {where} with different values: "
                    f"'{key}: {value!r}' at the top of the parameters and "
                    f"'{target}: {{{key}: {options[key]!r}}}'. Give it once: at the top "
                    f"(it then goes into every option dict that takes it) or inside {target}."
                )
            out[target] = {**options, key: value}
    return out


def _absolute_paths(parameters: dict) -> dict:
    """Resolve ``*_path``/``*_dir`` values given on the command line against the
    caller's folder (notebooks run from ``notebooks/``); ``output_dir`` is the runner's."""
    if "output_dir" in parameters:
        raise ParameterError(
            "output_dir is set by the runner (one folder per notebook under --out); "
            "choose the report folder with --out DIR instead."
        )
    return {k: str(Path(v).resolve()) if k.endswith(("_path", "_dir")) and isinstance(v, str) and v
            else v for k, v in parameters.items()}


def _sections(per_notebook, found: list[Path]) -> dict[str, dict]:
    """The config's per-notebook sections, keyed by notebook name (``metrics`` works too)."""
    if not isinstance(per_notebook, Mapping):  # a plain list selects notebooks
        return {}
    sections: dict[str, dict] = {}
    for key, values in per_notebook.items():
        match = _matching(str(key), found)
        if not match:
            raise ParameterError(
                f"The config's notebooks section {str(key)!r} names no notebook"
                f"{_nearest(str(key), _names(found))}. Sections are named after the notebooks: "
                f"{', '.join(p.stem for p in found)}."
            )
        if values is not None and not isinstance(values, Mapping):
            raise ParameterError(
                f"The config's section {str(key)!r} should map parameter names to values; "
                f"found {values!r:.80}."
            )
        stem = match[0].stem
        if stem in sections:
            raise ParameterError(f"The config has two sections for {stem}; merge them into one.")
        sections[stem] = dict(values or {})
    return sections


def config_parameters(config: Mapping) -> dict:
    """The config's ``parameters`` with its top-level ``source:`` and ``vendor_options:``.

    Examples
    --------
    >>> config_parameters({"source": "qualtrics", "parameters": {"min_n": 10}})
    {'min_n': 10, 'source': 'qualtrics'}
    """
    common = dict(config.get("parameters") or {})
    for key in _TOP_READING:
        if key in config:
            if key in common and common[key] != config[key]:
                raise ParameterError(
                    f"The config gives {key} twice, {config[key]!r} at the top and "
                    f"{common[key]!r} under parameters: keep one.")
            common[key] = config[key]
    return common


def _plan(notebooks, config: dict, overrides: dict, found: list[Path] | None = None) -> dict[str, dict]:
    defaults = {nb.stem: {k: v["default"] for k, v in notebook_parameters(nb).items()}
                for nb in notebooks}
    declared = {stem: set(values) for stem, values in defaults.items()}
    common = config_parameters(config)
    _check_names(common, declared, "the config's parameters")
    _check_names(overrides, declared, "the -p options")
    sections = _sections(config.get("notebooks"), found or list(notebooks))
    plan, given, placed = {}, set(), set()
    for nb in notebooks:
        own = sections.get(nb.stem, {})
        _check_names(own, {nb.stem: declared[nb.stem]}, f"the config's section {nb.stem!r}")
        merged = {**common, **own, **overrides}
        routed = route_reading_options(merged, defaults[nb.stem], where=nb.stem)
        shorthands = set(READING_SHORTHANDS) & set(merged)
        given |= shorthands
        placed |= {k for k in shorthands if k not in routed or k in declared[nb.stem]}
        plan[nb.stem] = {k: v for k, v in routed.items() if k in declared[nb.stem]}
    lost = sorted(given - placed)
    if lost:
        targets = sorted({t for k in lost for t in READING_SHORTHANDS[k]})
        raise ParameterError(
            f"{', '.join(map(repr, lost))} would reach no notebook: "
            f"{'they go' if len(lost) > 1 else 'it goes'} into "
            f"{' / '.join(targets)}, which none of the notebooks run "
            f"({', '.join(nb.stem for nb in notebooks)}) declares. Remove it, or run the "
            "notebooks that read data."
        )
    return plan


def run_reports(
    *,
    config: str | Path | None = None,
    out: str | Path = "reports/latest",
    only: list[str] | None = None,
    parameters: dict | None = None,
    notebooks_dir: str | Path = NOTEBOOKS_DIR,
    progress: bool = True,
    kernel: str = "python3",
    timeout: float | None = None,
) -> RunResult:
    """Run every notebook (or ``only`` some) and write HTML, an index and a manifest.

    Parameters
    ----------
    config : path, optional
        YAML with ``parameters`` (given to every notebook that declares them),
        optionally ``notebooks`` (a list selecting notebooks, or per-notebook
        parameter sections named after the notebooks), ``title`` and ``timeout``.
        Paths in it are relative to the file. Unknown keys and parameter names are
        errors naming the nearest known one.
    out : path
        Output folder; each notebook writes into ``out/<notebook>/`` and its HTML
        is ``out/<notebook>.html``.
    only : list of str, optional
        Notebook names to run (``01_metrics`` or ``metrics``). Into a folder that holds
        an earlier run, the other reports' entries (status, headline cards, parameters,
        duration, input hashes) are kept in ``index.html`` and ``manifest.json`` and only
        the re-run notebooks' entries are replaced. Without ``only`` the index and the
        manifest start afresh.
    parameters : dict, optional
        Overrides (the CLI's ``-p KEY=VALUE``). Unknown names are an error.
    notebooks_dir : path
        Folder of the notebooks (default: the package's ``notebooks/``).
    progress : bool
        Show a progress bar (notebook and cell) on stderr, redrawn every second so
        long work never looks hung.
    kernel : str
        Jupyter kernel name.
    timeout : float, optional
        Time limit of each notebook in seconds, counted from its first cell (starting
        the kernel has its own 60 s limit). ``None`` takes the config's ``timeout``, else
        :data:`DEFAULT_TIMEOUT` (1800 s: far above the minutes a healthy run takes on
        millions of rows, well below the gap between scheduled runs). 0 turns the limit
        off. A notebook over its limit is stopped (its kernel and anything it started are
        shut down) and reported with status ``timed out``; the others still run.

    Notes
    -----
    Reading options may be given at the top of ``parameters`` (or a notebook's section,
    or ``-p``) instead of inside the option dicts: ``labels`` and ``sheet`` go into
    ``load_options``; ``decimal`` and ``thousands`` into ``load_options``,
    ``ticket_options`` and ``revenue_options``; each into every notebook that declares
    that dict, merged with what was given there. The same option with different values
    in both places is a :class:`~csat_toolkit.errors.ParameterError` naming both; one no
    notebook run can take is an error too (see :func:`route_reading_options`).

    Returns
    -------
    RunResult

    Examples
    --------
    >>> result = run_reports(out="reports/latest", only=["metrics"],
    ...                      timeout=600)  # doctest: +SKIP
    >>> result.ok, result.index.name  # doctest: +SKIP
    (True, 'index.html')
    >>> run_reports(only=["metrics"], timeout=-5)  # checked before anything runs
    Traceback (most recent call last):
    ...
    csat_toolkit.errors.ParameterError: timeout must be a number of seconds, e.g. 1800 for half an hour (0 turns the limit off); got -5.
    """
    from tqdm.auto import tqdm

    cfg = read_config(config) if config else {}
    check_config(cfg, f"the config {config}" if config else "the config")
    limit = _time_limit(timeout, cfg)
    parameters = _absolute_paths(parameters or {})
    selection = only or (cfg.get("notebooks") if isinstance(cfg.get("notebooks"), list) else None)
    found = discover_notebooks(notebooks_dir)
    notebooks = discover_notebooks(notebooks_dir, selection)
    plan = _plan(notebooks, cfg, parameters, found)
    notebooks_dir = Path(notebooks_dir).resolve()
    out = Path(out).resolve()
    earlier, earlier_title = _earlier_entries(out, notebooks_dir) if only else ([], None)
    out.mkdir(parents=True, exist_ok=True)
    runs = []
    bar = tqdm(notebooks, desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
    with _Heartbeat(bar if progress else None):
        for nb in bar:
            bar.set_postfix_str(nb.stem)
            run = _run_one(nb, plan[nb.stem], out, kernel, limit,
                           on_cell=lambda k, n, stem=nb.stem: bar.set_postfix_str(f"{stem} cell {k}/{n}"))
            run.inputs = _input_files([run], notebooks_dir)
            run.config = str(config) if config else None
            runs.append(run)
    result = RunResult(out, runs, notebooks_dir, earlier)
    title = cfg.get("title") or earlier_title or DEFAULT_TITLE
    write_manifest(result, {**cfg, "title": title}, config)
    write_index(result, title=title)
    return result


class _Heartbeat:
    """Redraw the progress bar every second while a notebook runs (the elapsed time moves)."""

    def __init__(self, bar, every: float = 1.0):
        self.bar, self.every = bar, every
        self.stop = threading.Event()
        self.thread = None

    def __enter__(self):
        if self.bar is not None:
            self.thread = threading.Thread(target=self._beat, daemon=True)
            self.thread.start()
        return self

    def _beat(self):
        while not self.stop.wait(self.every):
            self.bar.refresh()

    def __exit__(self, *exc):
        self.stop.set()
        if self.thread is not None:
            self.thread.join()


class _Deadline:
    """A whole-notebook time limit through nbclient's per-cell ``timeout_func``: each cell
    may run for the time left (papermill's ``execution_timeout`` is per cell)."""

    def __init__(self, limit: float | None, cells: int, on_cell=None):
        self.limit, self.cells, self.on_cell = limit, cells, on_cell
        self.started: float | None = None
        self.cell, self.source = 0, ""

    def __call__(self, cell) -> float | None:
        now = time.monotonic()
        self.started = now if self.started is None else self.started
        self.cell += 1
        self.source = cell.get("source", "")
        if self.on_cell is not None:
            self.on_cell(self.cell, self.cells)
        if self.limit is None:
            return None
        return max(self.limit - (now - self.started), 0.01)  # 0 would mean "no limit"

    def message(self) -> str:
        first = next((line.strip() for line in self.source.splitlines() if line.strip()), "")
        first = first if len(first) <= 60 else first[:57] + "..."
        return (
            f"Stopped after {_format_limit(self.limit)}, the time limit of one notebook, in "
            f"code cell {self.cell} of {self.cells} ({first!r}); its kernel was shut down. "
            "If the notebook needs longer, raise the limit with --timeout SECONDS (or "
            "'timeout: SECONDS' at the top of the config, run_reports(timeout=...)); "
            "0 turns the limit off."
        )


def _format_limit(seconds: float | None) -> str:
    if seconds is None:
        return "no limit"
    text = f"{seconds:g} s"
    return text + (f" ({seconds / 60:g} min)" if seconds >= 120 else "")


def _code_cells(notebook: Path) -> int:
    """Code cells papermill runs: the notebook's own non-empty ones and the injected parameters."""
    import nbformat

    node = nbformat.read(str(notebook), as_version=4)
    return 1 + sum(c.cell_type == "code" and bool(c.source.strip()) for c in node.cells)


class _DefaultsAreKnown(logging.Filter):
    """papermill reads only the cell tagged 'parameters' and logs "Passed unknown
    parameter" for names set in the 'defaults' cells before it; the runner has checked
    every name against all the parameter cells (:func:`notebook_parameters`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Passed unknown parameter")


logging.getLogger("papermill").addFilter(_DefaultsAreKnown())


def _run_one(notebook: Path, params: dict, out: Path, kernel: str,
             limit: float | None = DEFAULT_TIMEOUT, on_cell=None) -> NotebookRun:
    import papermill as pm
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.utils import run_sync
    from nbclient.exceptions import CellTimeoutError

    folder = out / notebook.stem
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    page = out / f"{notebook.stem}.html"
    page.unlink(missing_ok=True)  # no stale report beside a failed run
    params = {**params, "output_dir": str(folder)}
    executed = folder / notebook.name
    defaults = {k: v["default"] for k, v in notebook_parameters(notebook).items()}
    run = NotebookRun(notebook.stem, parameters={**defaults, **params}, timeout=limit)
    deadline = _Deadline(limit, _code_cells(notebook), on_cell)
    start = time.perf_counter()
    # IPC transport: the kernel talks to the runner over local sockets in a private
    # folder (not TCP ports; concurrent runs cannot collide).
    sockets = Path(tempfile.mkdtemp(prefix="csat-toolkit-kernel-"))
    # An asynchronous manager: with a blocking one nbclient waits for output without a
    # limit, and no time limit can fire while a cell is silent.
    km = AsyncKernelManager(kernel_name=kernel, transport="ipc", ip=str(sockets / "kernel"),
                            connection_file=str(sockets / "kernel.json"))
    timed_out = False
    try:
        with _kernel_environment():
            pm.execute_notebook(
                str(notebook), str(executed), parameters=params, kernel_name=kernel,
                cwd=str(notebook.parent), progress_bar=False, log_output=False, km=km,
                timeout_func=deadline,
            )
        run.status = "ok"
    except CellTimeoutError:
        timed_out = True
        run.status, run.error = "timed out", deadline.message()
    except Exception as error:  # noqa: BLE001 - one notebook must not stop the others
        run.status, run.error = "failed", _short_error(error)
    finally:
        if km.has_kernel:
            # Over its limit the kernel is still busy: kill it (and what it started, its
            # process group) at once instead of asking it to finish.
            run_sync(km.shutdown_kernel)(now=timed_out)
        shutil.rmtree(sockets, ignore_errors=True)
    run.seconds = round(time.perf_counter() - start, 2)
    run.headline = _read_headline(folder)
    if executed.exists():
        run.html = export_html(executed, page, run.headline, index_link="index.html").name
    return run


#: Threads of the BLAS/OpenMP libraries in each notebook kernel, unless the user set them:
#: the analyses do many small matrix products, where a second thread only waits (on 2 busy
#: cores it cost 03_drivers half its time; benchmarks/README.md).
KERNEL_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class _kernel_environment:
    """Make this environment's kernelspec win over a user-level ``python3``, and start the
    kernel with one BLAS thread unless the user chose otherwise (:data:`KERNEL_THREADS`)."""

    def __enter__(self):
        names = ("JUPYTER_PATH", *KERNEL_THREADS)
        self.saved = {name: os.environ.get(name) for name in names}
        own = str(Path(sys.prefix) / "share" / "jupyter")
        os.environ["JUPYTER_PATH"] = os.pathsep.join(
            p for p in (own, self.saved["JUPYTER_PATH"]) if p)
        for name, value in KERNEL_THREADS.items():
            os.environ.setdefault(name, value)

    def __exit__(self, *exc):
        for name, value in self.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _short_error(error: Exception) -> str:
    name = getattr(error, "ename", type(error).__name__)
    value = getattr(error, "evalue", str(error))
    return f"{name}: {value}"[:2000]


def _read_headline(folder: Path) -> dict | None:
    path = folder / HEADLINE_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def export_html(notebook: Path, target: Path, headline: dict | None = None, *,
                index_link: str | None = None) -> Path:
    """Export an executed notebook to one self-contained HTML page without code.

    The page uses the ``csat_report`` template (``report/templates``), built on nbconvert's
    ``basic`` template: the cells' output without JupyterLab's stylesheet, MathJax or
    require.js, so the page makes no request (images are embedded, the small stylesheet is
    inline). Around the output: a header (title, the question the report answers, rows
    used, data period, report date, from ``headline``), a summary of the top findings, the
    parts skipped, and a table of contents of the h2 headings, sticky beside the report on
    a wide screen and a block on top of it on a narrow one. Inputs and prompts are
    hidden; cells tagged ``remove_cell`` are dropped. Data text is escaped.

    Parameters
    ----------
    notebook : Path
        The executed notebook.
    target : Path
        The HTML file to write.
    headline : dict, optional
        The report's ``headline.json`` (without it the header shows the notebook's title).
    index_link : str, optional
        Link back to the run's index page (the runner gives ``index.html``).

    Returns
    -------
    Path
        ``target``.

    Examples
    --------
    >>> import nbformat, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T\\n\\n**Why?**"),
    ...                                      nbformat.v4.new_markdown_cell("## Part")])
    >>> nbformat.write(nb, str(folder / "n.ipynb"))
    >>> page = export_html(folder / "n.ipynb", folder / "n.html").read_text()
    >>> '<p class="question">Why?</p>' in page, 'href="#Part"' in page, 'id="Part"' in page
    (True, True, True)
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.filters.markdown import markdown2html
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = {"remove_cell"}
    config.TagRemovePreprocessor.enabled = True
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.embed_images = True
    exporter = HTMLExporter(config=config, template_name="csat_report",
                            extra_template_basedirs=[str(TEMPLATES_DIR)])
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    notebook = Path(notebook)
    notebook_node = nbformat.read(str(notebook), as_version=4)
    page = report_page(notebook_node, headline, name=notebook.stem, index_link=index_link,
                       markdown=markdown2html)
    body, _ = exporter.from_notebook_node(
        notebook_node, resources={"metadata": {"name": notebook.stem.replace("_", " ")},
                                  "csat_page": page}
    )
    target.write_text(body, encoding="utf-8")
    return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _input_files(runs: list[NotebookRun], notebooks_dir: Path) -> dict[str, str]:
    """SHA-256 of every input file named by a ``*_path`` parameter (relative to the notebooks)."""
    files = {}
    for run in runs:
        for key, value in run.parameters.items():
            if key.endswith("_path") and isinstance(value, str):
                path = (notebooks_dir / value).resolve()
                if path.is_file():
                    files[str(path)] = _sha256(path)
    return files


def _earlier_entries(out: Path, notebooks_dir: Path) -> tuple[list[NotebookRun], str | None]:
    """The entries of the run already in ``out`` (its manifest) and its index title."""
    path = out / MANIFEST_FILE
    if not path.is_file():
        return [], None
    what = ("so the other reports of the earlier run cannot be kept in the index. Run "
            f"without --only to start the folder afresh, or delete {path.name}.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FileFormatError(f"{path} cannot be read ({error}), {what}") from error
    items = manifest.get("notebooks") if isinstance(manifest, dict) else None
    bad = ([items] if not isinstance(items, list) else
           [i for i in items if not isinstance(i, dict) or not isinstance(i.get("name"), str)
            or i.get("status") not in STATUSES])
    if bad:
        raise FileFormatError(
            f"{path} is not a manifest written by csat-toolkit run (it should hold a "
            "'notebooks' list of entries with a name and a status: "
            f"{', '.join(STATUSES)}); found {json.dumps(bad[:2], default=str)[:200]}, {what}"
        )
    legacy = manifest.get("inputs_sha256") or {}
    entries = []
    for item in items:
        run = NotebookRun(item["name"], status=item["status"], seconds=item.get("seconds") or 0.0,
                          html=item.get("html"), error=item.get("error"),
                          parameters=item.get("parameters") or {}, timeout=item.get("timeout"),
                          config=item.get("config"), earlier=True)
        if run.html and not (out / run.html).is_file():
            run.html = None
        run.headline = _read_headline(out / run.name)
        inputs = item.get("inputs_sha256")
        if not isinstance(inputs, dict):  # a manifest from before the hashes per notebook
            wanted = {str((notebooks_dir / v).resolve()) for k, v in run.parameters.items()
                      if k.endswith("_path") and isinstance(v, str)}
            inputs = {k: v for k, v in legacy.items() if k in wanted}
        run.inputs = dict(inputs)
        entries.append(run)
    return entries, manifest.get("title")


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def write_manifest(result: RunResult, config: dict, config_path) -> Path:
    """Write ``manifest.json``: parameters, input hashes, versions, durations, status.

    One entry per report in the folder (:attr:`RunResult.entries`, name order), each
    with its own input hashes, time limit and config; ``kept_from_earlier_run`` marks
    the entries a run of only some notebooks kept. ``inputs_sha256`` at the top is the
    union of the entries' hashes (this run's win for a file read by both).
    """
    entries = result.entries
    inputs: dict[str, str] = {}
    for run in sorted(entries, key=lambda r: not r.earlier):
        inputs.update(run.inputs)
    manifest = {
        "config": str(config_path) if config_path else None,
        "title": config.get("title"),
        "ok": all(r.status == "ok" for r in entries),
        "versions": _versions(),
        "notebooks_dir": str(result.notebooks_dir),
        "inputs_sha256": dict(sorted(inputs.items())),
        "notebooks": [
            {"name": r.name, "status": r.status, "seconds": r.seconds, "html": r.html,
             "error": r.error, "parameters": r.parameters, "inputs_sha256": r.inputs,
             "timeout": r.timeout, "config": r.config, "kept_from_earlier_run": r.earlier}
            for r in entries
        ],
    }
    path = result.out / MANIFEST_FILE
    path.write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    return path
