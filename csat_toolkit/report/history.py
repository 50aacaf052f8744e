"""Scheduled reruns with a history: dated run folders, run records, changes and alerts.

:func:`run_with_history` runs the reports into a new dated folder under one history root
(``2026-12-02T0815Z``, with a suffix when taken; an earlier run's folder is never
touched), writes the run's record (``run.json``), compares it with the previous complete
run (``changes.json``), checks the alert rules (``alerts.json``) and returns the exit
status for a scheduler (:data:`EXIT_CODES`).

Storage: one ``run.json`` per run folder, strict JSON, written atomically (a temporary
file, then a rename). Nothing is shared between runs, so two runs started at once cannot
corrupt each other: each claims its own folder with an atomic ``mkdir`` and compares with
the runs already complete. A run that is killed leaves its ``run.json`` saying
``running`` with its process id; :func:`read_runs` reports it as ``incomplete`` once that
process is gone (an interrupted run says so itself). :func:`read_history` reads every
run's figures into one table; :func:`history_table` and :func:`history_report` show the
trend of the headline figures across runs.
"""
from __future__ import annotations

import base64
import html
import io
import os
import re
import socket
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CsatToolkitError, FileFormatError, ParameterError
from ..io.responses import load_responses_from_params, read_config
from . import runner
from .alerts import Alerts, evaluate_alerts, parse_rules, write_alerts
from .changes import Changes, compare_records, figures_of, write_changes
from .record import ALL, FIGURE_COLUMNS, data_record, read_json, sla_figures, write_json

__all__ = ["EXIT_OK", "EXIT_FAILED", "EXIT_CONFIG", "EXIT_ALERT", "EXIT_CODES", "RUN_FILE",
           "HistoryRun", "run_with_history", "claim_run_folder", "run_record", "read_record",
           "read_runs", "read_history", "previous_complete", "history_table",
           "history_report", "history_settings", "index_fragment", "add_to_index"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_ALERT = 3
#: What each exit status of ``csat-toolkit run --history`` means.
EXIT_CODES = {
    EXIT_OK: "every notebook ran and the record was written (alerts may have fired without "
             "--fail-on-alert)",
    EXIT_FAILED: "a notebook failed or ran over its time limit, or the run record could not "
                 "be made (this wins over an alert)",
    EXIT_CONFIG: "bad config, parameters or arguments: nothing ran (the message says what to "
                 "fix)",
    EXIT_ALERT: "an alert rule fired and --fail-on-alert was given",
}
RUN_FILE = "run.json"
RECORD_FORMAT = 1
#: The notebooks whose parameters give the record's responses, in order of preference.
RESPONSE_NOTEBOOKS = ("01_metrics", "02_trends")
OPERATIONS_NOTEBOOK = "05_operations"


@dataclass
class HistoryRun:
    """Outcome of :func:`run_with_history`.

    Attributes
    ----------
    folder : Path
        The run's own folder under the history root.
    record : dict
        The run record (``run.json``).
    exit_status : int
        The status for the scheduler (:data:`EXIT_CODES`).
    result : RunResult or None
        The runner's result.
    changes, alerts
        The comparison with the previous complete run, the alert rules checked.
    """

    folder: Path
    record: dict
    exit_status: int
    result: Any = None
    changes: Changes | None = None
    alerts: Alerts | None = None

    @property
    def run_id(self) -> str:
        return self.record["run_id"]

    def summary(self) -> str:
        """Sentences for the command line: status, changes, alerts, exit status."""
        parts = [f"Run {self.run_id}: {self.record['status']}."]
        if self.record.get("error"):
            parts.append(f"Record: {self.record['error']}")
        if self.changes is not None:
            parts.append(self.changes.summary())
            parts += [item["sentence"] for item in self.changes.quality
                      if item["kind"] != "rows read" and item.get("status") != "unchanged"]
        if self.alerts is not None:
            parts.append(self.alerts.summary())
            parts += [r.sentence for r in self.alerts.fired]
        parts.append(f"Exit status {self.exit_status}: {EXIT_CODES[self.exit_status]}.")
        return "\n".join(parts)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def claim_run_folder(root: str | Path, started: datetime | None = None) -> Path:
    """Create and return a new run folder under ``root``, named by the start time (UTC).

    ``2026-12-02T0815Z``; when taken (two runs in the same minute), ``-2``, ``-3`` ...
    is added. The folder is created with an atomic ``mkdir``, so two runs started at once
    never share one, and an earlier folder is never reused.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> when = datetime(2026, 12, 2, 8, 15, tzinfo=timezone.utc)
    >>> [claim_run_folder(root, when).name for _ in range(3)]
    ['2026-12-02T0815Z', '2026-12-02T0815Z-2', '2026-12-02T0815Z-3']
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    started = started or _now()
    base = started.astimezone(timezone.utc).strftime("%Y-%m-%dT%H%MZ")
    for suffix in range(1, 10_000):
        folder = root / (base if suffix == 1 else f"{base}-{suffix}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
    raise FileFormatError(f"{root} already holds 10,000 runs named {base}: choose another "
                          "history folder.")


def history_settings(config: str | Path | None, history: str | Path | None = None,
                     alerts: Any = None) -> tuple[Path | None, list]:
    """The history root and alert rules of a run: the arguments, else the config's keys.

    ``history:`` in a config is a folder, relative to the config file; ``alerts:`` a list
    of rules (:func:`~csat_toolkit.report.alerts.parse_rules`). ``--history DIR`` on the
    command line wins over the config's folder.

    Examples
    --------
    >>> history_settings(None, "reports/history")[0].name
    'history'
    """
    cfg = read_config(config) if config else {}
    root = history if history is not None else cfg.get("history")
    if root is not None and not isinstance(root, (str, Path)):
        raise ParameterError(f"'history' in the config {config} should be a folder, e.g. "
                             f"'history: reports/history'; got {root!r:.80}.")
    if root is not None and not Path(root).is_absolute() and history is None and config:
        root = Path(config).resolve().parent / root
    rules = parse_rules(alerts if alerts is not None else cfg.get("alerts"),
                        f"the alerts of the config {config}" if config and alerts is None
                        else "the alerts")
    return (Path(root).resolve() if root is not None else None), rules


def _alive(pid: Any, host: Any) -> bool | None:
    """Whether a run's process still runs (None: another machine, cannot tell)."""
    if host != socket.gethostname():
        return None
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError, TypeError):
        return False
    except PermissionError:
        return True
    return True


def read_record(folder: str | Path) -> dict:
    """A run's record (``run.json``); a run whose process is gone reads as ``incomplete``.

    A folder without a readable record reads as ``{"status": "unreadable", ...}`` with
    the reason, so one broken folder never stops the history from being read.
    """
    folder = Path(folder)
    try:
        record = read_json(folder / RUN_FILE)
        if not isinstance(record, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as error:
        return {"run_id": folder.name, "folder": folder.name, "status": "unreadable",
                "error": f"{RUN_FILE} cannot be read ({error})", "figures": []}
    if record.get("status") == "running" and _alive(record.get("pid"), record.get("host")) is False:
        record = {**record, "status": "incomplete",
                  "error": record.get("error") or "the run stopped part-way (its process is gone)"}
    return record


_RUN_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{4}Z(-\d+)?$")


def _run_folders(root: Path) -> list[Path]:
    """Run folders: those holding a record, and those named as runs (a record not yet
    written reads as unreadable instead of vanishing)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir()
                  if p.is_dir() and ((p / RUN_FILE).exists() or _RUN_NAME.match(p.name)))


def _records(root: str | Path) -> list[dict]:
    """Every run's record, oldest first."""
    return sorted((read_record(folder) for folder in _run_folders(Path(root))), key=_order)


def _order(record: Mapping) -> tuple:
    return (str(record.get("started_at") or ""), str(record.get("folder") or ""))


def read_runs(root: str | Path) -> pd.DataFrame:
    """One row per run folder under ``root``, oldest first.

    Columns: ``run_id``, ``status`` (``complete``, ``failed``, ``incomplete``,
    ``running``, ``unreadable``), ``started_at``, ``finished_at``, ``seconds``,
    ``exit_status``, ``rows_read``, ``alerts_fired`` (names), ``error``.

    Examples
    --------
    >>> import tempfile
    >>> read_runs(tempfile.mkdtemp()).columns.tolist()[:3]
    ['run_id', 'status', 'started_at']
    """
    rows = []
    for record in _records(root):
        rows.append({"run_id": record.get("run_id"), "status": record.get("status"),
                     "started_at": record.get("started_at"), "finished_at": record.get("finished_at"),
                     "seconds": record.get("seconds"), "exit_status": record.get("exit_status"),
                     "rows_read": (record.get("data") or {}).get("rows_read"),
                     "alerts_fired": list(record.get("alerts_fired") or []),
                     "error": record.get("error")})
    columns = ["run_id", "status", "started_at", "finished_at", "seconds", "exit_status",
               "rows_read", "alerts_fired", "error"]
    return pd.DataFrame(rows, columns=columns)


def read_history(root: str | Path, *, status: Sequence[str] | None = None) -> pd.DataFrame:
    """Every run's figures in one table: one row per run x metric x segment x level x period.

    Columns ``run_id``, ``status``, ``started_at`` then
    :data:`~csat_toolkit.report.record.FIGURE_COLUMNS`. Runs without figures (stopped
    part-way, unreadable) add no rows: :func:`read_runs` lists them. ``status`` keeps
    only runs of those statuses (e.g. ``["complete"]``).

    Examples
    --------
    >>> import tempfile
    >>> read_history(tempfile.mkdtemp()).shape
    (0, 29)
    """
    frames = [_figures_of_run(record) for record in _records(root)
              if (status is None or record.get("status") in status) and record.get("figures")]
    if not frames:
        return pd.DataFrame(columns=["run_id", "status", "started_at", *FIGURE_COLUMNS])
    return pd.concat(frames, ignore_index=True)


def _figures_of_run(record: Mapping) -> pd.DataFrame:
    figures = figures_of(record)
    figures.insert(0, "started_at", record.get("started_at"))
    figures.insert(0, "status", record.get("status"))
    figures.insert(0, "run_id", record.get("run_id"))
    return figures


def previous_complete(root: str | Path, current: Mapping | None = None) -> dict | None:
    """The latest complete run before ``current`` (by start time), or None.

    Examples
    --------
    >>> import tempfile
    >>> previous_complete(tempfile.mkdtemp()) is None
    True
    """
    before = []
    for record in _records(root):
        if record.get("status") != "complete":
            continue
        if current is not None and (record.get("run_id") == current.get("run_id")
                                    or _order(record) >= _order(current)):
            continue
        before.append(record)
    return max(before, key=_order) if before else None


def _entry(manifest: Mapping, names: Sequence[str], key: str) -> dict | None:
    entries = {e.get("name"): e for e in manifest.get("notebooks") or []
               if isinstance(e, Mapping) and not e.get("kept_from_earlier_run")}
    for name in names:
        if name in entries and (entries[name].get("parameters") or {}).get(key):
            return entries[name]
    return next((e for e in entries.values() if (e.get("parameters") or {}).get(key)), None)


def _resolved(params: Mapping, notebooks_dir: Path) -> dict:
    """``*_path`` parameters relative to the notebooks folder made absolute (papermill runs
    the notebooks from there)."""
    out = dict(params)
    for key, value in params.items():
        if key.endswith("_path") and isinstance(value, str) and value and not Path(value).is_absolute():
            out[key] = str((notebooks_dir / value).resolve())
    return out


def run_record(folder: str | Path, *, notebooks_dir: str | Path | None = None) -> tuple[dict, pd.DataFrame]:
    """The data part and the figures of a run folder the runner wrote.

    Reads ``manifest.json``; loads the responses with the parameters of ``01_metrics``
    (else ``02_trends``, else any notebook with a ``responses_path``) exactly as that
    notebook did (:func:`~csat_toolkit.io.load_responses_from_params`), and computes the
    figures with :func:`~csat_toolkit.report.record.data_record`; adds the SLA figures of
    ``05_operations``'s ``headline.json`` when it ran. Returns ``({}, empty)`` when no
    notebook read responses or tickets.
    """
    from .sections.base import loaded_scales

    folder = Path(folder)
    manifest = read_json(folder / runner.MANIFEST_FILE)
    notebooks_dir = Path(notebooks_dir or manifest.get("notebooks_dir") or runner.NOTEBOOKS_DIR)
    info: dict = {}
    frames = []
    entry = _entry(manifest, RESPONSE_NOTEBOOKS, "responses_path")
    if entry is not None:
        params = _resolved(entry.get("parameters") or {}, notebooks_dir)
        loaded = load_responses_from_params(params)
        info, figures = data_record(loaded, params, scales=loaded_scales(loaded, params))
        info["notebook"] = entry["name"]
        frames.append(figures)
    operations = folder / OPERATIONS_NOTEBOOK / runner.HEADLINE_FILE
    ops = [e for e in manifest.get("notebooks") or [] if e.get("name") == OPERATIONS_NOTEBOOK]
    if operations.is_file() and ops and ops[0].get("status") == "ok":
        sla = sla_figures(read_json(operations), min_n=int(info.get("min_n") or 30))
        if len(sla):
            frames.append(sla)
            info.setdefault("min_n", 30)
            info.setdefault("conf", float(sla["conf"].iloc[0]))
    figures = (pd.concat([f for f in frames if len(f)], ignore_index=True)
               if any(len(f) for f in frames) else pd.DataFrame(columns=FIGURE_COLUMNS))
    return info, figures


def _base_record(folder: Path, started: datetime, *, config, parameters, only) -> dict:
    return {"format": RECORD_FORMAT, "run_id": folder.name, "folder": folder.name,
            "status": "running", "started_at": started.isoformat(timespec="microseconds"),
            "finished_at": None, "seconds": None, "pid": os.getpid(),
            "host": socket.gethostname(), "config": str(config) if config else None,
            "parameters": dict(parameters or {}), "only": list(only) if only else None,
            "notebooks": [], "inputs_sha256": {}, "versions": {}, "data": {}, "figures": [],
            "error": None, "exit_status": None, "alerts_fired": [], "previous_run": None}


def run_with_history(
    root: str | Path | None = None,
    *,
    config: str | Path | None = None,
    parameters: dict | None = None,
    only: list[str] | None = None,
    progress: bool = True,
    fail_on_alert: bool = False,
    alerts: list | None = None,
    notebooks_dir: str | Path = runner.NOTEBOOKS_DIR,
    timeout: float | None = None,
    correction: str = "holm",
    started: datetime | None = None,
) -> HistoryRun:
    """Run the reports into a new dated folder of a history, compare, alert.

    Parameters
    ----------
    root : path, optional
        The history folder (``--history DIR``); default the config's ``history:`` key.
    config, parameters, only, progress, notebooks_dir, timeout
        As in :func:`~csat_toolkit.report.runner.run_reports`.
    fail_on_alert : bool
        Return :data:`EXIT_ALERT` (3) when a rule fired (unless a notebook failed: 1).
    alerts : list, optional
        Alert rules (default: the config's ``alerts:``).
    correction : {"holm", "bh", "none"}
        Correction across every comparison of the run.
    started : datetime, optional
        The start time naming the folder (default: now, UTC).

    Returns
    -------
    HistoryRun
        With ``exit_status``: 0 ok, 1 a notebook failed (or the record could not be
        made), 3 an alert fired with ``fail_on_alert`` (:data:`EXIT_CODES`). Bad
        configs or arguments raise a :class:`~csat_toolkit.errors.CsatToolkitError`
        before anything runs (the command line exits 2).

    Notes
    -----
    The run folder holds the runner's reports, ``manifest.json``, ``index.html``, and
    ``run.json`` (the record: status, times, parameters, input hashes, versions, the row
    accounting, segment levels, period hashes and the figures), ``changes.json`` and
    ``alerts.json``. An exception or interruption part-way marks the record
    ``incomplete`` with the reason; a killed process leaves ``running`` with its process
    id, read back as ``incomplete``.

    Examples
    --------
    >>> run = run_with_history("reports/history", only=["metrics"],
    ...                        alerts=[{"metric": "nps", "drops": "significant"}])  # doctest: +SKIP
    >>> run.exit_status, run.folder.name  # doctest: +SKIP
    (0, '2026-12-02T0815Z')
    """
    root, rules = history_settings(config, root, alerts)
    if root is None:
        raise ParameterError("No history folder: give --history DIR (run_with_history(root)) "
                             "or 'history: FOLDER' in the config.")
    started = started or _now()
    clock = time.perf_counter()
    folder = claim_run_folder(root, started)
    record = _base_record(folder, started, config=config, parameters=parameters, only=only)
    write_json(folder / RUN_FILE, record)
    try:
        try:
            result = runner.run_reports(config=config, out=folder, only=only,
                                        parameters=parameters, notebooks_dir=notebooks_dir,
                                        progress=progress, timeout=timeout)
        except CsatToolkitError:
            if not (folder / runner.MANIFEST_FILE).exists():
                _remove_own(folder)  # nothing ran: leave no empty run in the history
            else:
                record.update(status="failed", error="the runner stopped (see the message)")
                write_json(folder / RUN_FILE, record)
            raise
        run = _finish_run(folder, record, result, rules, fail_on_alert, correction,
                          Path(notebooks_dir), root)
    except BaseException as error:  # an interruption or a crash: the history stays readable
        if folder.exists() and record["status"] == "running":
            record.update(status="incomplete", error=f"interrupted: {type(error).__name__}: {error}"[:500],
                          finished_at=_now().isoformat(timespec="seconds"),
                          seconds=round(time.perf_counter() - clock, 2))
            write_json(folder / RUN_FILE, record)
        raise
    run.record["seconds"] = round(time.perf_counter() - clock, 2)
    write_json(folder / RUN_FILE, run.record)
    return run


def _remove_own(folder: Path) -> None:
    """Remove a run folder this run created and filled with nothing but its record."""
    for path in folder.iterdir():
        if path.name != RUN_FILE and not path.name.startswith(f".{RUN_FILE}."):
            return
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


def _finish_run(folder, record, result, rules, fail_on_alert, correction, notebooks_dir,
                root) -> HistoryRun:
    manifest = read_json(folder / runner.MANIFEST_FILE)
    record.update(
        notebooks=[{"name": r.name, "status": r.status, "seconds": r.seconds, "error": r.error}
                   for r in result.runs],
        inputs_sha256=manifest.get("inputs_sha256") or {}, versions=manifest.get("versions") or {},
        notebook_parameters={r.name: r.parameters for r in result.runs})
    try:
        info, figures = run_record(folder, notebooks_dir=notebooks_dir)
        record.update(data=info, figures=figures.to_dict("records"))
    except CsatToolkitError as error:
        record["error"] = f"the run record could not be made: {error}"[:2000]
    ok = result.ok and not record["error"]
    record["status"] = "complete" if ok else "failed"
    previous = previous_complete(root, record)
    changes = compare_records(record, previous, correction=correction) if record["figures"] else None
    if changes is not None:
        write_changes(changes, folder)
    found = evaluate_alerts(rules, record, changes)
    write_alerts(found, folder)
    record.update(previous_run=(previous or {}).get("run_id"),
                  alerts_fired=[r.rule.name for r in found.fired],
                  finished_at=_now().isoformat(timespec="seconds"))
    add_to_index(folder)
    status = (EXIT_FAILED if not ok else EXIT_ALERT if fail_on_alert and found.any_fired
              else EXIT_OK)
    record["exit_status"] = status
    return HistoryRun(folder, record, status, result, changes, found)


def history_table(root: str | Path, *, period: str = "latest", segment: str = ALL,
                  metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """The trend of the headline figures across runs: one row per run and metric (and level).

    Parameters
    ----------
    period : {"latest", "window"}
        Each run's latest period (default: what changed since the run before) or its
        whole data window (what the report's KPI cards show).
    segment : str
        ``"all"`` (overall figures) or a segment column (one row per level).
    metrics : sequence of str, optional
        Metrics to keep (default: all).

    Returns
    -------
    DataFrame
        ``run_id``, ``started_at``, ``status``, ``metric``, ``segment``, ``level``,
        ``period``, ``n``, ``estimate``, ``ci_low``, ``ci_high``, ``small_n``.

    Examples
    --------
    >>> import tempfile
    >>> history_table(tempfile.mkdtemp()).empty
    True
    """
    from .changes import latest_period

    if period not in ("latest", "window"):
        raise ParameterError(f"period should be 'latest' or 'window'; got {period!r}.")
    columns = ["run_id", "started_at", "status", "metric", "segment", "level", "period", "n",
               "estimate", "ci_low", "ci_high", "small_n"]
    rows = []
    for record in _records(root):
        if not record.get("figures"):
            continue
        figs = _figures_of_run(record)[columns]
        code = (record.get("data") or {}).get("period") or "M"
        overall = figs[figs["segment"] == ALL][["metric", "segment", "period"]]
        figs = figs[figs["segment"] == segment]
        for metric in dict.fromkeys(figs["metric"]):
            if metrics and metric not in metrics:
                continue
            chosen = ALL if period == "window" else latest_period(overall, metric, code)
            rows.append(figs[(figs["metric"] == metric) & (figs["period"] == chosen)])
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.concat(rows, ignore_index=True)[columns]


def history_report(root: str | Path, out_html: str | Path, *, period: str = "latest",
                   title: str = "Headline figures across runs") -> Path:
    """Write a self-contained HTML page of the trend across runs: small multiples and tables.

    One panel per metric (overall figures; estimate and interval per run, in start
    order, ``n`` under each point, small groups grey), the :func:`history_table`, and the
    runs with their status and the alerts that fired. Images are inline (base64 PNG);
    all text is escaped.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> history_report(folder, folder / "history.html").name
    'history.html'
    """
    from matplotlib.figure import Figure

    from .style import PALETTE

    table = history_table(root, period=period)
    runs = read_runs(root)
    e = html.escape
    parts = [f"<h1>{e(title)}</h1>",
             f"<p>{len(runs)} runs in {e(str(root))}; figures of each run's "
             f"{'latest period' if period == 'latest' else 'whole data window'}.</p>"]
    metrics = list(dict.fromkeys(table["metric"]))
    if metrics:
        columns = min(3, len(metrics))
        rows = int(np.ceil(len(metrics) / columns))
        figure = Figure(figsize=(4.2 * columns, 3.0 * rows), layout="constrained")
        axes = np.atleast_1d(figure.subplots(rows, columns, squeeze=False)).ravel()
        for ax, metric in zip(axes, metrics):
            part = table[table["metric"] == metric].reset_index(drop=True)
            x = np.arange(len(part))
            colours = [PALETTE["small"] if s else PALETTE["main"] for s in part["small_n"]]
            low = (part["estimate"] - part["ci_low"]).clip(lower=0).to_numpy(dtype=float)
            high = (part["ci_high"] - part["estimate"]).clip(lower=0).to_numpy(dtype=float)
            ax.errorbar(x, part["estimate"], yerr=[low, high], fmt="none", ecolor=PALETTE["line"],
                        capsize=3, linewidth=1)
            ax.plot(x, part["estimate"], color=PALETTE["main"], linewidth=1)
            ax.scatter(x, part["estimate"], c=colours, zorder=3)
            ax.set_xticks(x, [f"{r}\n{p}\nn={n:,}" for r, p, n in
                              zip(part["run_id"], part["period"], part["n"])], fontsize=6)
            ax.set_title(_metric_label(metric), fontsize=10)
            ax.set_ylabel("% or points" if metric not in ("ces", "csat_mean") else "mean score",
                          fontsize=8)
        for ax in axes[len(metrics):]:
            ax.set_visible(False)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=110)
        image = base64.b64encode(buffer.getvalue()).decode("ascii")
        parts.append(f'<img alt="headline figures across runs" src="data:image/png;base64,{image}">')
        parts.append(_html_table(table.assign(estimate=table["estimate"].round(2),
                                              ci_low=table["ci_low"].round(2),
                                              ci_high=table["ci_high"].round(2))))
    else:
        parts.append("<p>No run with figures yet.</p>")
    parts.append("<h2>Runs</h2>")
    parts.append(_html_table(runs.assign(alerts_fired=runs["alerts_fired"].map(", ".join))))
    page = _PAGE.format(title=e(title), body="\n".join(parts))
    out_html = Path(out_html)
    out_html.parent.mkdir(parents=True, exist_ok=True)
    out_html.write_text(page, encoding="utf-8")
    return out_html


def _metric_label(metric: str) -> str:
    from .changes import _label

    return _label(metric)


def _html_table(frame: pd.DataFrame) -> str:
    e = html.escape
    head = "".join(f"<th>{e(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{e('' if _missing(v) else str(v))}</td>" for v in row)
                   + "</tr>" for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _missing(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def index_fragment(folder: str | Path) -> str:
    """HTML for the top of a run's index page: the alerts that fired and the changes.

    Reads ``alerts.json`` and ``changes.json`` of a run folder; empty text when neither
    exists (a run without history). All text is escaped.

    Examples
    --------
    >>> import tempfile
    >>> index_fragment(tempfile.mkdtemp())
    ''
    """
    folder = Path(folder)
    e = html.escape
    parts = []
    alerts_path, changes_path = folder / "alerts.json", folder / "changes.json"
    if alerts_path.is_file():
        alerts = read_json(alerts_path)
        fired = [r for r in alerts.get("results") or [] if r.get("fired")]
        items = "".join(f"<li>{e(str(r.get('sentence')))}</li>" for r in fired)
        parts.append(f'<section class="alerts" style="border-left: 4px solid #d55e00; '
                     f'padding-left: 0.8rem"><h2>Alerts</h2><p>{e(str(alerts.get("summary")))}'
                     f"</p>{f'<ul>{items}</ul>' if items else ''}</section>")
    if changes_path.is_file():
        from .changes import SIGNIFICANT, describe_change

        changes = read_json(changes_path)
        significant = [c for c in changes.get("changes") or [] if c.get("verdict") == SIGNIFICANT]
        items = "".join(f"<li>{e(describe_change(c))}</li>" for c in significant[:20])
        quality = "".join(f"<li>{e(str(q.get('sentence')))}</li>"
                          for q in changes.get("data_quality") or []
                          if q.get("kind") != "rows read" and q.get("status") != "unchanged")
        previous = changes.get("previous_run")
        parts.append(
            f'<section class="changes"><h2>What changed'
            f"{e(f' since run {previous}') if previous else ''}</h2>"
            f"<p>{e(str(changes.get('summary', '')))}</p>"
            f"{f'<ul>{items}</ul>' if items else ''}"
            f"{f'<h3>Data quality</h3><ul>{quality}</ul>' if quality else ''}"
            '<p>Every comparison: <a href="changes.json">changes.json</a>; alert rules: '
            '<a href="alerts.json">alerts.json</a>.</p></section>')
    return "\n".join(parts)


def add_to_index(folder: str | Path) -> bool:
    """Put :func:`index_fragment` at the top of a run folder's ``index.html``.

    The fragment goes right after the page's header (``</header>``, else the ``</h1>``);
    returns False, leaving the page as it is, when there is no page, nothing to add, or
    no such place in it.

    Examples
    --------
    >>> import tempfile
    >>> add_to_index(tempfile.mkdtemp())
    False
    """
    page = Path(folder) / "index.html"
    fragment = index_fragment(folder)
    if not fragment or not page.is_file():
        return False
    text = page.read_text(encoding="utf-8")
    for mark in ("</header>", "</h1>"):
        if mark in text:
            head, tail = text.split(mark, 1)
            page.write_text(f"{head}{mark}\n{fragment}\n{tail}", encoding="utf-8")
            return True
    return False


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 75rem; color: #1a202c; }}
table {{ border-collapse: collapse; font-size: 0.8rem; margin: 1rem 0; }}
th, td {{ border: 1px solid #e2e8f0; padding: 0.2rem 0.5rem; text-align: left; }}
img {{ max-width: 100%; }}
</style></head>
<body>
{body}
</body></html>
"""
