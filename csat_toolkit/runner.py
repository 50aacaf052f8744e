"""Run the notebooks with papermill, export HTML with code hidden, write an index.

One failing notebook does not stop the others: the index shows the failure and
:attr:`RunResult.ok` is False (the CLI then exits non-zero). Every run writes a
``manifest.json`` with the parameters, input file hashes, package versions,
durations and statuses.
"""
from __future__ import annotations

import ast
import difflib
import hashlib
import html
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import yaml

from .errors import FileFormatError, ParameterError
from .io import read_config

__all__ = [
    "NOTEBOOKS_DIR",
    "RunResult",
    "discover_notebooks",
    "notebook_parameters",
    "parse_assignment",
    "run_reports",
    "export_html",
    "write_index",
]

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
HEADLINE_FILE = "headline.json"
_PACKAGES = ("csat_toolkit", "pandas", "numpy", "scipy", "statsmodels", "matplotlib",
             "seaborn", "papermill", "nbconvert", "nbformat", "ipykernel")


@dataclass
class NotebookRun:
    """Outcome of one notebook."""

    name: str
    status: str = "pending"  # "ok" or "failed"
    seconds: float = 0.0
    html: str | None = None
    error: str | None = None
    parameters: dict = field(default_factory=dict)
    headline: dict | None = None


@dataclass
class RunResult:
    """Outcome of :func:`run_reports`."""

    out: Path
    runs: list[NotebookRun]
    notebooks_dir: Path = NOTEBOOKS_DIR

    @property
    def ok(self) -> bool:
        return all(r.status == "ok" for r in self.runs)

    @property
    def index(self) -> Path:
        return self.out / "index.html"

    def summary(self) -> str:
        failed = [r.name for r in self.runs if r.status != "ok"]
        text = f"{len(self.runs) - len(failed)} of {len(self.runs)} notebooks ran."
        return text + (f" Failed: {', '.join(failed)}." if failed else "")


def discover_notebooks(folder: Path | str = NOTEBOOKS_DIR, only: list[str] | None = None) -> list[Path]:
    """The notebooks to run, in name order; ``only`` selects by name or suffix.

    ``only=["metrics"]`` selects ``01_metrics.ipynb``.
    """
    folder = Path(folder)
    found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if not found:
        raise FileFormatError(f"No notebooks (*.ipynb) in {folder}. Pass the notebooks folder.")
    if not only:
        return found
    chosen = []
    for name in only:
        match = [p for p in found if p.stem == name or p.stem.split("_", 1)[-1] == name]
        if not match:
            raise ParameterError(
                f"No notebook called {name!r}. Available: "
                f"{', '.join(p.stem for p in found)}."
            )
        chosen += [p for p in match if p not in chosen]
    return chosen


def notebook_parameters(path: Path | str) -> dict[str, dict]:
    """Names, defaults and comments of a notebook's ``parameters`` cell.

    Returns ``{name: {"default": value, "comment": text}}``. The cell must hold
    literal assignments only (DESIGN.md, notebook conventions).
    """
    import nbformat

    notebook = nbformat.read(str(path), as_version=4)
    cells = [c for c in notebook.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise FileFormatError(
            f"{path} must have exactly one cell tagged 'parameters'; found {len(cells)}."
        )
    params = {}
    lines = cells[0].source.splitlines()
    for node in ast.parse(cells[0].source).body:
        if not (isinstance(node, (ast.Assign, ast.AnnAssign))):
            raise FileFormatError(f"{path}: the parameters cell may only assign literal values.")
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target
        line = lines[node.lineno - 1]
        comment = line.split("#", 1)[1].strip() if "#" in line else ""
        params[target.id] = {"default": ast.literal_eval(node.value), "comment": comment}
    return params


def parse_assignment(text: str) -> tuple[str, object]:
    """Parse ``KEY=VALUE`` from the command line; VALUE is read as YAML.

    Examples
    --------
    >>> parse_assignment("min_n=50"), parse_assignment("segments=[channel, region]")
    (('min_n', 50), ('segments', ['channel', 'region']))
    """
    if "=" not in text:
        raise ParameterError(f"Parameters are given as KEY=VALUE; got {text!r}.")
    key, value = text.split("=", 1)
    return key.strip(), yaml.safe_load(value) if value.strip() else None


def _check_names(given: dict, declared: dict[str, set[str]], where: str) -> None:
    known = set().union(*declared.values()) if declared else set()
    unknown = [k for k in given if k not in known]
    if unknown:
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ParameterError(
            f"Unknown parameter(s) {', '.join(hints)} in {where}. The notebooks' "
            f"parameters are: {', '.join(sorted(known))}."
        )


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


def _plan(notebooks, config: dict, overrides: dict) -> dict[str, dict]:
    declared = {nb.stem: set(notebook_parameters(nb)) for nb in notebooks}
    common = dict(config.get("parameters") or {})
    _check_names(common, declared, "the config's parameters")
    _check_names(overrides, declared, "the -p options")
    per_notebook = config.get("notebooks") or {}
    if isinstance(per_notebook, list):  # a plain list selects notebooks
        per_notebook = {}
    plan = {}
    for nb in notebooks:
        own = dict(per_notebook.get(nb.stem) or {})
        _check_names(own, {nb.stem: declared[nb.stem]}, f"the config's section {nb.stem!r}")
        merged = {**common, **own, **overrides}
        plan[nb.stem] = {k: v for k, v in merged.items() if k in declared[nb.stem]}
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
) -> RunResult:
    """Run every notebook (or ``only`` some) and write HTML, an index and a manifest.

    Parameters
    ----------
    config : path, optional
        YAML with ``parameters`` (given to every notebook that declares them),
        optionally ``notebooks`` (a list selecting notebooks, or per-notebook
        parameter sections) and ``title``. Paths in it are relative to the file.
    out : path
        Output folder; each notebook writes into ``out/<notebook>/`` and its HTML
        is ``out/<notebook>.html``.
    only : list of str, optional
        Notebook names to run (``01_metrics`` or ``metrics``).
    parameters : dict, optional
        Overrides (the CLI's ``-p KEY=VALUE``). Unknown names are an error.

    Returns
    -------
    RunResult
    """
    from tqdm.auto import tqdm

    cfg = read_config(config) if config else {}
    parameters = _absolute_paths(parameters or {})
    selection = only or (cfg.get("notebooks") if isinstance(cfg.get("notebooks"), list) else None)
    notebooks = discover_notebooks(notebooks_dir, selection)
    plan = _plan(notebooks, cfg, parameters)
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    runs = []
    bar = tqdm(notebooks, desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
    for nb in bar:
        bar.set_postfix_str(nb.stem)
        runs.append(_run_one(nb, plan[nb.stem], out, kernel))
    result = RunResult(out, runs, Path(notebooks_dir).resolve())
    write_manifest(result, cfg, config)
    write_index(result, title=cfg.get("title", "Customer experience report"))
    return result


def _run_one(notebook: Path, params: dict, out: Path, kernel: str) -> NotebookRun:
    import papermill as pm
    from jupyter_client.manager import KernelManager

    folder = out / notebook.stem
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    params = {**params, "output_dir": str(folder)}
    executed = folder / notebook.name
    defaults = {k: v["default"] for k, v in notebook_parameters(notebook).items()}
    run = NotebookRun(notebook.stem, parameters={**defaults, **params})
    start = time.perf_counter()
    # IPC transport: the kernel talks to the runner over local sockets in a private
    # folder (not TCP ports; concurrent runs cannot collide).
    sockets = Path(tempfile.mkdtemp(prefix="csat-toolkit-kernel-"))
    km = KernelManager(kernel_name=kernel, transport="ipc", ip=str(sockets / "kernel"),
                       connection_file=str(sockets / "kernel.json"))
    try:
        with _kernel_environment():
            pm.execute_notebook(
                str(notebook), str(executed), parameters=params, kernel_name=kernel,
                cwd=str(notebook.parent), progress_bar=False, log_output=False, km=km,
            )
        run.status = "ok"
    except Exception as error:  # noqa: BLE001 - one notebook must not stop the others
        run.status, run.error = "failed", _short_error(error)
    finally:
        if km.has_kernel:
            km.shutdown_kernel()
        shutil.rmtree(sockets, ignore_errors=True)
    run.seconds = round(time.perf_counter() - start, 2)
    if executed.exists():
        run.html = export_html(executed, out / f"{notebook.stem}.html").name
    run.headline = _read_headline(folder)
    return run


class _kernel_environment:
    """Make this environment's kernelspec win over a user-level ``python3``."""

    def __enter__(self):
        self.saved = os.environ.get("JUPYTER_PATH")
        own = str(Path(sys.prefix) / "share" / "jupyter")
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (own, self.saved) if p)

    def __exit__(self, *exc):
        if self.saved is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = self.saved


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


def export_html(notebook: Path, target: Path) -> Path:
    """Export an executed notebook to self-contained HTML without code.

    Inputs and prompts are hidden, cells tagged ``remove_cell`` are dropped, and
    images are embedded.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = {"remove_cell"}
    config.TagRemovePreprocessor.enabled = True
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.embed_images = True
    exporter = HTMLExporter(config=config)
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    notebook_node = nbformat.read(str(notebook), as_version=4)
    body, _ = exporter.from_notebook_node(
        notebook_node, resources={"metadata": {"name": notebook.stem.replace("_", " ")}}
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


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def write_manifest(result: RunResult, config: dict, config_path) -> Path:
    """Write ``manifest.json``: parameters, input hashes, versions, durations, status."""
    manifest = {
        "config": str(config_path) if config_path else None,
        "title": config.get("title"),
        "ok": result.ok,
        "versions": _versions(),
        "inputs_sha256": _input_files(result.runs, result.notebooks_dir),
        "notebooks": [
            {"name": r.name, "status": r.status, "seconds": r.seconds, "html": r.html,
             "error": r.error, "parameters": r.parameters}
            for r in result.runs
        ],
    }
    path = result.out / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    return path


def write_index(result: RunResult, *, title: str) -> Path:
    """Write ``index.html``: headline KPIs of each notebook and links to the reports."""
    sections = "\n".join(_index_section(r) for r in result.runs)
    status = "All reports ran." if result.ok else "Some reports failed: see below."
    page = _INDEX.format(title=html.escape(title), status=html.escape(status), sections=sections)
    result.index.write_text(page, encoding="utf-8")
    return result.index


def _index_section(run: NotebookRun) -> str:
    e = html.escape
    headline = run.headline or {}
    name = e(headline.get("title") or run.name.replace("_", " "))
    link = f'<a href="{e(run.html)}">open the report</a>' if run.html else "no report"
    if run.status != "ok":
        return (f'<section class="failed"><h2>{name}</h2><p><b>Failed</b>: '
                f"<code>{e(run.error or '')}</code></p><p>{link}</p></section>")
    cards = "".join(_card(k) for k in headline.get("kpis", []))
    sentences = "".join(f"<li>{e(s)}</li>" for s in headline.get("findings", []))
    return (f"<section><h2>{name}</h2><div class=\"cards\">{cards}</div>"
            f"<ul>{sentences}</ul><p>{link}</p></section>")


def _card(kpi: dict) -> str:
    e = html.escape
    return (f'<div class="card"><div class="label">{e(str(kpi.get("label", "")))}</div>'
            f'<div class="value">{e(str(kpi.get("display", kpi.get("value", ""))))}</div>'
            f'<div class="ci">{e(str(kpi.get("detail", "")))}</div></div>')


_INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #1a202c; }}
h1 {{ margin-bottom: 0.2rem; }} section {{ border-top: 1px solid #e2e8f0; padding: 0.5rem 0; }}
.cards {{ display: flex; flex-wrap: wrap; gap: 0.8rem; }}
.card {{ border: 1px solid #cbd5e0; border-radius: 6px; padding: 0.6rem 0.9rem; min-width: 11rem; }}
.label {{ font-size: 0.8rem; color: #4a5568; }} .value {{ font-size: 1.6rem; font-weight: 600; }}
.ci {{ font-size: 0.75rem; color: #4a5568; }} .failed {{ background: #fff5f5; }}
code {{ white-space: pre-wrap; }}
</style></head>
<body><h1>{title}</h1><p>{status} Details of the run (parameters, input hashes, versions) are in
<a href="manifest.json">manifest.json</a>.</p>
{sections}
</body></html>
"""
