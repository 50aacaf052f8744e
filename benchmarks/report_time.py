"""Time each report notebook's section builders in-process, and the papermill run.

The question (issue 13): ``make report`` on the sample must take at most 60 s of notebook
time on 2 cores. Where does the time go? This script runs every code cell of each
notebook (the builders and ``page.show``, which renders the tables and figures exactly as
the kernel does) inside an IPython shell in a fresh child process per notebook, and
records each cell's process CPU time (all threads) and wall time. CPU time is the figure
to read on a shared machine: other jobs inflate wall time, not CPU time (but see the
BLAS note below).

Usage::

    .venv/bin/python benchmarks/report_time.py                       # all five notebooks
    .venv/bin/python benchmarks/report_time.py --only 03_drivers --profile /tmp/prof
    .venv/bin/python benchmarks/report_time.py --blas-threads 1      # OpenBLAS on one thread
    .venv/bin/python benchmarks/report_time.py --papermill           # also `csat-toolkit run`
    .venv/bin/python benchmarks/report_time.py --render benchmarks/results/report_time.json

Prints markdown tables (per notebook, per cell) and writes the raw figures (machine,
load average, settings, every cell) to ``benchmarks/results/report_time.json``
(git-ignored). This is a script, not a test: it measures and reports, it never asserts
timings.

What is timed
-------------
* ``in-process``: each notebook's cells with its default parameters (``output_dir`` set
  to a temporary folder, as the runner does), run in order by
  ``IPython.core.interactiveshell.InteractiveShell.run_cell`` with the working directory
  ``notebooks/``. ``%matplotlib inline`` is active, so each ``page.show`` renders its
  figures to PNG and its tables to HTML as in the kernel. The first cell's time includes
  importing the package. ``--repeats k`` runs each child k times and keeps, per cell,
  the run with the smallest total CPU time.
* ``papermill`` (``--papermill``): ``csat-toolkit run --out <tmp> --quiet`` (all selected
  notebooks): the wall time of each notebook from the run's ``manifest.json`` (kernel
  start, cells and HTML export) and the CPU time of the whole run with its kernels
  (``resource.getrusage(RUSAGE_CHILDREN)``).

BLAS threads: numpy's OpenBLAS starts one thread per core. On a busy 2-core machine its
threads spin while they wait for each other, so a small matrix product can cost ten
times its single-thread CPU time. ``--blas-threads N`` sets ``OPENBLAS_NUM_THREADS``,
``OMP_NUM_THREADS`` and ``MKL_NUM_THREADS`` in the children (default: inherited).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
DEFAULT_NOTEBOOKS = ["01_metrics", "02_trends", "03_drivers", "04_nps_revenue", "05_operations"]
BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


# ------------------------------------------------------------------------ child process


def _label(source: str) -> str:
    """The first line of a cell that is code (not a comment), shortened."""
    for line in source.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line if len(line) <= 60 else line[:57] + "..."
    return "(empty)"


def run_child(name: str, out_json: Path, profile_dir: str | None) -> None:
    """Run one notebook's code cells in an IPython shell; write each cell's times."""
    import nbformat

    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    os.chdir(NOTEBOOKS)
    output_dir = tempfile.mkdtemp(prefix=f"report_time_{name}_")
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    from IPython.core.interactiveshell import InteractiveShell

    class Shell(InteractiveShell):  # the kernel's shell without a GUI event loop
        def enable_gui(self, gui=None):
            pass

    shell = Shell.instance()
    shell_cpu = time.process_time() - start_cpu
    profiler = None
    if profile_dir:
        import cProfile

        profiler = cProfile.Profile()
    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        source = cell.source
        tags = cell.metadata.get("tags", [])
        if "parameters" in tags:  # what papermill injects after the parameters cell
            source += f"\noutput_dir = {output_dir!r}"
        cpu, wall = time.process_time(), time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            if profiler:
                profiler.enable()
            result = shell.run_cell(source, store_history=False)
            if profiler:
                profiler.disable()
        cells.append({"cell": index, "label": _label(source), "tags": tags,
                      "cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall})
        if not result.success:
            raise SystemExit(f"{name} cell {index} failed: {result.error_in_exec!r}")
    if profiler:
        Path(profile_dir).mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(str(Path(profile_dir) / f"{name}.prof"))
    out_json.write_text(json.dumps({
        "notebook": name, "cells": cells, "shell_cpu": shell_cpu,
        "cpu": time.process_time() - start_cpu, "wall": time.perf_counter() - start_wall,
    }))


# ----------------------------------------------------------------------------- parent


def _child_env(blas_threads: int | None) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["MPLBACKEND"] = "Agg"
    if blas_threads:
        env.update({v: str(blas_threads) for v in BLAS_VARIABLES})
    return env


def in_process(name: str, repeats: int, blas_threads: int | None, profile_dir) -> dict:
    """Best (smallest total CPU) of ``repeats`` child runs of one notebook."""
    runs = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "cells.json"
            subprocess.run([sys.executable, __file__, "--child", name, "--child-out", str(out)]
                           + (["--profile", profile_dir] if profile_dir else []),
                           check=True, env=_child_env(blas_threads), cwd=REPO)
            runs.append(json.loads(out.read_text()))
    best = min(runs, key=lambda r: r["cpu"])
    best["repeats_cpu"] = [r["cpu"] for r in runs]
    best["repeats_wall"] = [r["wall"] for r in runs]
    return best


def papermill_run(names: list[str], blas_threads: int | None) -> dict:
    """``csat-toolkit run`` of the notebooks: wall per notebook and CPU of the whole run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        cli = Path(sys.executable).with_name("csat-toolkit")
        command = [str(cli), "run", "--out", out, "--quiet", "--only", *names]
        subprocess.run(command, check=True, env=_child_env(blas_threads), cwd=REPO,
                       stdout=subprocess.DEVNULL)
        manifest = json.loads((Path(out) / "manifest.json").read_text())
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall": time.perf_counter() - wall,
            "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "notebooks": {n["name"]: {"seconds": n["seconds"], "status": n["status"]}
                          for n in manifest["notebooks"]}}


def render(results: dict) -> str:
    lines = [f"Machine: {results['machine']}; load average at start "
             f"{results['load_start']}, at end {results['load_end']}; BLAS threads: "
             f"{results['blas_threads'] or 'default'}; best of {results['repeats']}.", ""]
    lines += ["| notebook | in-process CPU s | in-process wall s | of which the heaviest cells (CPU s) |",
              "|---|---:|---:|---|"]
    total_cpu = total_wall = 0.0
    for name, run in results["in_process"].items():
        heavy = sorted(run["cells"], key=lambda c: -c["cpu"])[:3]
        said = "; ".join(f"`{c['label']}` {c['cpu']:.2f}" for c in heavy)
        lines.append(f"| {name} | {run['cpu']:.1f} | {run['wall']:.1f} | {said} |")
        total_cpu += run["cpu"]
        total_wall += run["wall"]
    lines.append(f"| **all** | **{total_cpu:.1f}** | **{total_wall:.1f}** | |")
    pm = results.get("papermill")
    if pm:
        lines += ["", "| notebook (`csat-toolkit run`) | wall s (manifest) |", "|---|---:|"]
        lines += [f"| {n} | {v['seconds']:.1f} |" for n, v in pm["notebooks"].items()]
        lines.append(f"| **all** | **{sum(v['seconds'] for v in pm['notebooks'].values()):.1f}** "
                     f"(run wall {pm['wall']:.1f} s, CPU of the run and its kernels "
                     f"{pm['cpu']:.1f} s) |")
    for name, run in results["in_process"].items():
        lines += ["", f"{name}: every cell (CPU s / wall s)", "",
                  "| cell | code | CPU s | wall s |", "|---:|---|---:|---:|"]
        lines += [f"| {c['cell']} | `{c['label']}` | {c['cpu']:.2f} | {c['wall']:.2f} |"
                  for c in run["cells"] if "parameters" not in c["tags"]
                  and "defaults" not in c["tags"]]
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", default=DEFAULT_NOTEBOOKS, metavar="NAME",
                        help="notebooks to time (default: all five)")
    parser.add_argument("--repeats", type=int, default=1, help="child runs per notebook (best CPU kept)")
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="set OPENBLAS/OMP/MKL_NUM_THREADS in the children")
    parser.add_argument("--papermill", action="store_true", help="also time `csat-toolkit run`")
    parser.add_argument("--profile", default=None, metavar="DIR",
                        help="write a cProfile of each notebook to DIR/<name>.prof")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "report_time.json"))
    parser.add_argument("--render", default=None, metavar="JSON", help="reprint an earlier results file")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(args.child, Path(args.child_out), args.profile)
        return
    if args.render:
        print(render(json.loads(Path(args.render).read_text())))
        return
    results = {
        "machine": f"{os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}",
        "load_start": [round(x, 2) for x in os.getloadavg()],
        "blas_threads": args.blas_threads, "repeats": args.repeats,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "in_process": {name: in_process(name, args.repeats, args.blas_threads, args.profile)
                       for name in args.only},
    }
    if args.papermill:
        results["papermill"] = papermill_run(args.only, args.blas_threads)
    results["load_end"] = [round(x, 2) for x in os.getloadavg()]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    print(render(results))


if __name__ == "__main__":
    main()
