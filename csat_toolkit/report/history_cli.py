"""Command-line pieces of the run history, for ``csat_toolkit.cli`` to wire.

- ``csat-toolkit run --history DIR [--fail-on-alert]``: :func:`add_run_arguments` adds the
  two options to the ``run`` parser; :func:`main_run` runs with history when asked (the
  option, or ``history:`` in the config) and returns the exit status, else None (the
  plain run goes on).
- ``csat-toolkit history DIR``: :func:`add_history_parser` adds the command,
  :func:`main_history` prints the trend of the headline figures across runs and writes
  the HTML page of small multiples.

Like ``cli.py``, these functions print for the command line (the library functions they
call print nothing). Exit statuses: :data:`~csat_toolkit.report.history.EXIT_CODES`.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from ..errors import ParameterError

__all__ = ["add_run_arguments", "add_history_parser", "main_run", "main_history"]


def add_run_arguments(run: argparse.ArgumentParser) -> None:
    """Add ``--history DIR`` and ``--fail-on-alert`` to the ``run`` command's parser.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_run_arguments(parser)
    >>> vars(parser.parse_args(["--history", "h", "--fail-on-alert"]))
    {'history': 'h', 'fail_on_alert': True}
    """
    run.add_argument("--history", metavar="DIR",
                     help="keep this run in a new dated folder under DIR, with a record, "
                          "changes.json (what changed since the last complete run) and "
                          "alerts.json (default: the config's 'history:' folder)")
    run.add_argument("--fail-on-alert", action="store_true",
                     help="with a history: exit with status 3 when an alert rule of the "
                          "config's 'alerts:' fired")


def add_history_parser(sub) -> argparse.ArgumentParser:
    """Add the ``history DIR`` command to the CLI's subparsers; returns its parser.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> sub = parser.add_subparsers(dest="command")
    >>> _ = add_history_parser(sub)
    >>> parser.parse_args(["history", "reports/history"]).period
    'latest'
    """
    history = sub.add_parser("history", help="the trend of the headline figures across the "
                                             "runs of a history folder (a table and an HTML page)")
    history.add_argument("dir", help="the history folder (run --history DIR)")
    history.add_argument("--html", metavar="FILE",
                         help="where to write the page of small multiples (default: "
                              "DIR/history.html)")
    history.add_argument("--period", choices=("latest", "window"), default="latest",
                         help="each run's latest period (default) or its whole data window")
    history.add_argument("--segment", default="all",
                         help="'all' (overall figures, default) or a segment column")
    return history


def main_run(args: argparse.Namespace, parameters: dict | None = None, *,
             out: TextIO | None = None) -> int | None:
    """``run`` with a history, when ``--history`` or the config's ``history:`` asks for one.

    Returns the exit status (0 ok, 1 a notebook failed, 3 an alert fired with
    ``--fail-on-alert``), or None when no history is asked for (the caller runs as
    before). Bad configs and arguments raise (the CLI exits 2).
    """
    from ..io.responses import read_config
    from .history import run_with_history

    out = out or sys.stdout
    history = getattr(args, "history", None)
    config = getattr(args, "config", None)
    settings = read_config(config) if config else {}
    wanted = history is not None or bool(settings.get("history"))
    if not wanted:
        if settings.get("alerts"):
            raise ParameterError(
                f"The config {config} has alert rules but no history to compare runs with: "
                "add 'history: FOLDER' to it (or run with --history DIR).")
        if getattr(args, "fail_on_alert", False):
            raise ParameterError(
                "--fail-on-alert needs a history to compare with: add --history DIR (or "
                "'history: FOLDER' to the config).")
        return None
    from .runner import NOTEBOOKS_DIR

    run = run_with_history(history, config=config, parameters=parameters,
                           only=getattr(args, "only", None),
                           progress=not getattr(args, "quiet", False),
                           fail_on_alert=getattr(args, "fail_on_alert", False),
                           notebooks_dir=getattr(args, "notebooks", None) or NOTEBOOKS_DIR,
                           timeout=getattr(args, "timeout", None))
    if run.result is not None:
        for item in run.result.runs:
            line = f"{item.status:>9}  {item.name}  ({item.seconds:.1f} s)"
            print(line + (f"  {item.error}" if item.error else ""), file=out)
        print(run.result.summary(), file=out)
    print(run.summary(), file=out)
    print(f"Run folder: {run.folder}", file=out)
    return run.exit_status


def main_history(args: argparse.Namespace, *, out: TextIO | None = None) -> int:
    """``history DIR``: print the runs and the trend table, write the HTML page; 0."""
    import pandas as pd

    from .history import history_report, history_table, read_runs

    out = out or sys.stdout
    root = Path(args.dir)
    if not root.is_dir():
        raise ParameterError(f"No history folder {root}: give the folder of "
                             "'csat-toolkit run --history DIR'.")
    runs = read_runs(root)
    if runs.empty:
        print(f"No runs in {root} yet: 'csat-toolkit run --history {root}' makes the first.",
              file=out)
        return 0
    table = history_table(root, period=args.period, segment=args.segment)
    shown = runs.assign(alerts_fired=runs["alerts_fired"].map(", ".join))
    with pd.option_context("display.width", 200, "display.max_columns", 20,
                           "display.max_colwidth", 60):
        print(shown[["run_id", "status", "exit_status", "rows_read", "alerts_fired"]]
              .to_string(index=False), file=out)
        print(file=out)
        if table.empty:
            print(f"No figures for segment {args.segment!r} in these runs.", file=out)
        else:
            print(table.drop(columns=["started_at"]).round(2).to_string(index=False), file=out)
    page = history_report(root, args.html or root / "history.html", period=args.period)
    print(f"Trend page: {page}", file=out)
    return 0
