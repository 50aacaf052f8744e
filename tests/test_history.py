"""Scheduled reruns with a history (issue 14): run folders, records, safety, the trend.

Most tests replace the runner's notebook runs by a stand-in that writes the manifest the
runner writes (the record reads the responses itself, with the notebook's parameters), so
the whole history flow runs in-process in seconds. ``test_the_runner_four_times...`` runs
the real runner (``01_metrics`` only) four times over data that changes in known ways.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from csat_toolkit.errors import ParameterError
from csat_toolkit.report import history, runner
from csat_toolkit.report.alerts import no_change_responses
from csat_toolkit.report.changes import NOT_COMPARABLE, PREVIOUS_RUN, SIGNIFICANT
from csat_toolkit.report.history import (EXIT_ALERT, EXIT_FAILED, EXIT_OK, claim_run_folder,
                                         history_report, history_settings, history_table,
                                         index_fragment, previous_complete, read_history,
                                         read_runs, run_record, run_with_history)
from csat_toolkit.report.history_cli import (add_history_parser, add_run_arguments,
                                             main_history, main_run)
from csat_toolkit.report.record import read_json, write_json
from csat_toolkit.report.runner import NotebookRun, RunResult
from csat_toolkit.report.sections.metrics import DEFAULTS

from .conftest import REPO

MONTHS = [str(p) for p in pd.period_range("2023-01", "2024-04", freq="M")]
RULES = [{"metric": "csat", "drops": "significant", "by": "channel"},
         {"metric": "nps", "drops": "significant"},
         {"set_aside_above": 2}]
START = datetime(2024, 2, 1, 6, 0, tzinfo=timezone.utc)


def _stream(seed: int = 3) -> pd.DataFrame:
    """16 months at fixed rates, but chat's CSAT falls from 84% to 55% satisfied in 2024-03."""
    rng = np.random.default_rng(seed)
    data = no_change_responses(rng, MONTHS, per_month=600)
    month = data["responded_at"].dt.strftime("%Y-%m")
    drop = ((month == "2024-03") & (data["channel"] == "chat") & (data["survey"] == "csat")).to_numpy()
    happy = rng.random(drop.sum()) < 0.55
    data.loc[drop, "score"] = np.where(happy, rng.integers(4, 6, drop.sum()),
                                       rng.integers(1, 4, drop.sum()))
    return data


def _run_data(data: pd.DataFrame, run: int) -> pd.DataFrame:
    """What run 1..4 reads: the data to 2024-01 .. 2024-04; run 4 also restates January
    2024 (30 CSAT answers corrected to 1) and has a new channel, sms (80 answers)."""
    month = data["responded_at"].dt.strftime("%Y-%m")
    rows = data[month <= MONTHS[11 + run]].copy()
    if run == 4:
        january = rows.index[(month[rows.index] == "2024-01") & (rows["survey"] == "csat")][:30]
        rows.loc[january, "score"] = 1
        sms = pd.DataFrame({"response_id": np.arange(80) + 10**6, "survey": "csat",
                            "score": [5, 4, 2, 5] * 20, "channel": "sms",
                            "responded_at": pd.Timestamp("2024-04-20 10:00")})
        rows = pd.concat([rows, sms], ignore_index=True)
    return rows


def _write(data: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data.to_csv(path, index=False, date_format="%Y-%m-%d %H:%M:%S")
    return path


def _fake_runner(status: str = "ok", error: Exception | None = None, delay: float = 0.0):
    """A stand-in for runner.run_reports: no kernel, the runner's own manifest."""

    def run_reports(*, config=None, out, only=None, parameters=None,
                    notebooks_dir=runner.NOTEBOOKS_DIR, progress=True, timeout=None):
        if delay:
            time.sleep(delay)
        if error is not None:
            raise error
        out = Path(out)
        params = {**DEFAULTS, **(parameters or {}), "output_dir": str(out / "01_metrics")}
        run = NotebookRun("01_metrics", status=status, parameters=params,
                          error=None if status == "ok" else "NameError: boom")
        source = Path(params["responses_path"])
        if source.is_file():
            run.inputs = {str(source): hashlib.sha256(source.read_bytes()).hexdigest()}
        result = RunResult(out, [run], Path(notebooks_dir))
        runner.write_manifest(result, {}, config)
        return result

    return run_reports


@pytest.fixture(scope="module")
def four_runs(tmp_path_factory):
    """The four runs of the known changes, through the stand-in runner."""
    folder = tmp_path_factory.mktemp("history")
    data, path, root = _stream(), folder / "data" / "responses.csv", folder / "history"
    runs = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(history.runner, "run_reports", _fake_runner())
        for k in range(1, 5):
            _write(_run_data(data, k), path)
            runs.append(run_with_history(
                root, parameters={"responses_path": str(path), "segments": ["channel"]},
                alerts=RULES, fail_on_alert=True, progress=False,
                started=START + timedelta(days=30 * k)))
    return root, runs


def _changes(run, comparison=PREVIOUS_RUN):
    table = run.changes.table
    return table[table["comparison"] == comparison]


def check_known_changes(runs) -> None:
    """The expectations of the issue's test, shared by the fast and the end-to-end runs."""
    assert [r.exit_status for r in runs] == [EXIT_OK, EXIT_OK, EXIT_ALERT, EXIT_OK]
    assert [r.record["status"] for r in runs] == ["complete"] * 4
    first, noise, drop, restated = runs
    # Run 1: nothing earlier; a year before is compared from its own data.
    assert first.changes.previous_run is None and "No earlier complete run" in first.changes.notes[0]
    # Run 2: pure noise: every comparison with run 1 is within noise.
    against = _changes(noise)
    assert len(against) == 8 and (against["verdict"] == "within noise").all()
    assert not noise.alerts.any_fired
    # Run 3: the real drop in chat, found and alerted; the other channels within noise.
    significant = _changes(drop)[_changes(drop)["verdict"] == SIGNIFICANT]
    assert significant[["metric", "segment", "level", "direction"]].values.tolist() == [
        ["csat", "channel", "chat", "down"]]
    assert drop.alerts.summary() == "1 of 3 alert rules fired: csat drops significant by channel."
    assert [h["level"] for h in drop.alerts.fired[0].hits] == ["chat"]
    # Run 4: chat is back (a rise: no drop alert), a restated month and a new level.
    back = _changes(restated)
    chat = back[(back["metric"] == "csat") & (back["level"] == "chat")].iloc[0]
    assert chat["verdict"] == SIGNIFICANT and chat["direction"] == "up"
    sms = back[back["level"] == "sms"].iloc[0]
    assert sms["verdict"] == NOT_COMPARABLE
    assert sms["reason"] == "no answers of this level in the previous run's 2024-03"
    kinds = {(q["kind"], q.get("period") or q.get("segment")) for q in restated.changes.quality}
    assert ("restated period", "2024-01") in kinds and ("level appeared", "channel") in kinds
    appeared = [q for q in restated.changes.quality if q["kind"] == "level appeared"][0]
    assert appeared["levels"] == ["sms"]
    assert not restated.alerts.any_fired


def test_four_runs_over_known_changes_give_the_expected_changes_alerts_and_exit_codes(four_runs):
    _, runs = four_runs
    check_known_changes(runs)
    assert [r.folder.name for r in runs] == ["2024-03-02T0600Z", "2024-04-01T0600Z",
                                             "2024-05-01T0600Z", "2024-05-31T0600Z"]
    assert [r.record["previous_run"] for r in runs] == [None, *[r.run_id for r in runs[:3]]]


def test_each_run_folder_holds_its_record_changes_and_alerts(four_runs):
    root, runs = four_runs
    folder = runs[2].folder
    record = read_json(folder / "run.json")
    assert record["status"] == "complete" and record["exit_status"] == EXIT_ALERT
    assert record["alerts_fired"] == ["csat drops significant by channel"]
    assert record["data"]["rows_read"] == len(_run_data(_stream(), 3))
    assert record["data"]["segments"]["channel"] == {"levels": ["chat", "email", "phone"],
                                                     "total": 3, "listed_all": True}
    assert set(record["data"]["period_hashes"]) == set(MONTHS[:15])
    assert record["versions"]["csat_toolkit"] and record["inputs_sha256"]
    assert record["notebooks"] == [{"name": "01_metrics", "status": "ok", "seconds": 0.0, "error": None}]
    changes = read_json(folder / "changes.json")
    assert changes["previous_run"] == runs[1].run_id and changes["significant"] >= 1
    alerts = read_json(folder / "alerts.json")
    assert alerts["fired"] == ["csat drops significant by channel"]
    # The sufficient statistics of a figure: counts for shares, the three NPS counts.
    figures = pd.DataFrame(record["figures"])
    chat = figures[(figures["metric"] == "csat") & (figures["level"] == "chat")
                   & (figures["period"] == "2024-03")].iloc[0]
    assert chat["successes"] == chat["w_pos"] and chat["n"] == chat["w"]
    assert chat["estimate"] == pytest.approx(100 * chat["successes"] / chat["n"])
    nps = figures[(figures["metric"] == "nps") & (figures["segment"] == "all")].iloc[0]
    assert nps["promoters"] + nps["passives"] + nps["detractors"] == nps["n"]


def test_read_history_has_a_row_per_run_metric_segment_level_and_period(four_runs):
    root, runs = four_runs
    table = read_history(root)
    assert table["run_id"].unique().tolist() == [r.run_id for r in runs]
    assert len(table) == sum(len(r.record["figures"]) for r in runs)
    keys = ["run_id", "metric", "segment", "level", "period"]
    assert not table.duplicated(keys).any()
    one = table[(table["run_id"] == runs[0].run_id) & (table["metric"] == "csat")]
    assert sorted(one["level"].unique()) == ["all", "chat", "email", "phone"]
    assert set(one["period"]) == set(MONTHS[:13]) | {"all"}


def test_history_table_and_page(four_runs, tmp_path):
    root, runs = four_runs
    table = history_table(root)
    csat = table[table["metric"] == "csat"]
    assert csat["period"].tolist() == MONTHS[12:16]
    assert csat["run_id"].tolist() == [r.run_id for r in runs]
    window = history_table(root, period="window", segment="channel", metrics=["csat"])
    assert set(window["level"]) == {"chat", "email", "phone", "sms"}
    assert (window["period"] == "all").all()
    page = history_report(root, tmp_path / "h.html")
    text = page.read_text(encoding="utf-8")
    assert "data:image/png;base64," in text and text.count("<table>") == 2
    assert runs[2].run_id in text and "csat drops significant by channel" in text
    with pytest.raises(ParameterError, match="period should be 'latest' or 'window'"):
        history_table(root, period="month")


def test_index_fragment_puts_alerts_and_changes_first(four_runs):
    _, runs = four_runs
    fragment = index_fragment(runs[2].folder)
    assert fragment.startswith('<section class="alerts" style="border-left: 4px solid #d55e00; '
                               'padding-left: 0.8rem"><h2>Alerts</h2><p>1 of 3 alert rules fired')
    assert "csat drops significant by channel: fired on channel chat" in fragment
    assert f"What changed since run {runs[1].run_id}" in fragment
    assert "restated" in index_fragment(runs[3].folder)


def test_the_fragment_goes_at_the_top_of_the_index(four_runs, tmp_path):
    _, runs = four_runs
    page = tmp_path / "index.html"
    for name in ("alerts.json", "changes.json"):
        (tmp_path / name).write_bytes((runs[2].folder / name).read_bytes())
    page.write_text("<body><header><h1>CX</h1></header><main>reports</main></body>")
    assert history.add_to_index(tmp_path)
    text = page.read_text()
    assert text.startswith("<body><header><h1>CX</h1></header>\n<section class=\"alerts\"")
    assert text.endswith("</section>\n<main>reports</main></body>")
    page.write_text("<p>no heading</p>")
    assert not history.add_to_index(tmp_path) and page.read_text() == "<p>no heading</p>"


def test_a_failed_notebook_wins_over_an_alert(tmp_path, monkeypatch):
    data, path = _stream(), tmp_path / "responses.csv"
    monkeypatch.setattr(history.runner, "run_reports", _fake_runner())
    params = {"responses_path": str(path), "segments": ["channel"]}
    _write(_run_data(data, 2), path)
    run_with_history(tmp_path / "h", parameters=params, progress=False, started=START)
    monkeypatch.setattr(history.runner, "run_reports", _fake_runner(status="failed"))
    _write(_run_data(data, 3), path)
    run = run_with_history(tmp_path / "h", parameters=params, alerts=RULES, fail_on_alert=True,
                           progress=False, started=START + timedelta(days=30))
    assert run.alerts.any_fired and run.exit_status == EXIT_FAILED
    assert run.record["status"] == "failed"
    # A failed run is not the "previous complete run" of the next one.
    monkeypatch.setattr(history.runner, "run_reports", _fake_runner())
    later = run_with_history(tmp_path / "h", parameters=params, progress=False,
                             started=START + timedelta(days=60))
    assert later.record["previous_run"] == "2024-02-01T0600Z"


def test_a_record_that_cannot_be_made_fails_the_run(tmp_path, monkeypatch):
    monkeypatch.setattr(history.runner, "run_reports", _fake_runner())
    run = run_with_history(tmp_path / "h", parameters={"responses_path": str(tmp_path / "none.csv")},
                           progress=False, started=START)
    assert run.exit_status == EXIT_FAILED and run.record["status"] == "failed"
    assert run.record["error"].startswith("the run record could not be made:")
    assert "none.csv" in run.record["error"]
    assert read_runs(tmp_path / "h")["status"].tolist() == ["failed"]


def test_bad_configs_stop_before_a_folder_is_made(tmp_path, monkeypatch):
    monkeypatch.setattr(history.runner, "run_reports",
                        _fake_runner(error=ParameterError("Unknown parameter(s) 'min_m'")))
    with pytest.raises(ParameterError, match="Alert rule 1 of the alerts"):
        run_with_history(tmp_path / "h", alerts=[{"metric": "csat", "under": 80}], progress=False)
    assert not (tmp_path / "h").exists()
    with pytest.raises(ParameterError, match="min_m"):
        run_with_history(tmp_path / "h", progress=False)
    assert list((tmp_path / "h").iterdir()) == []  # the claimed folder was given back
    with pytest.raises(ParameterError, match="No history folder"):
        run_with_history(None, progress=False)


def test_an_interrupted_run_is_marked_incomplete_and_the_history_stays_readable(tmp_path, monkeypatch):
    data, path = _stream(), tmp_path / "responses.csv"
    params = {"responses_path": str(path), "segments": ["channel"]}
    _write(_run_data(data, 1), path)
    monkeypatch.setattr(history.runner, "run_reports", _fake_runner())
    first = run_with_history(tmp_path / "h", parameters=params, progress=False, started=START)
    monkeypatch.setattr(history.runner, "run_reports", _fake_runner(error=KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        run_with_history(tmp_path / "h", parameters=params, progress=False,
                         started=START + timedelta(days=1))
    runs = read_runs(tmp_path / "h")
    assert runs["status"].tolist() == ["complete", "incomplete"]
    assert runs["error"].iloc[1] == "interrupted: KeyboardInterrupt: "
    assert read_history(tmp_path / "h")["run_id"].unique().tolist() == [first.run_id]
    monkeypatch.setattr(history.runner, "run_reports", _fake_runner())
    _write(_run_data(data, 2), path)
    third = run_with_history(tmp_path / "h", parameters=params, progress=False,
                             started=START + timedelta(days=2))
    assert third.record["previous_run"] == first.run_id


SCRIPT = """
import sys, time
from datetime import datetime, timezone
from pathlib import Path
from csat_toolkit.report import history, runner
from csat_toolkit.report.runner import NotebookRun, RunResult
from csat_toolkit.report.sections.metrics import DEFAULTS

root, responses, delay = sys.argv[1], sys.argv[2], float(sys.argv[3])

def run_reports(*, config=None, out, only=None, parameters=None,
                notebooks_dir=runner.NOTEBOOKS_DIR, progress=True, timeout=None):
    (Path(root) / f"started-{Path(out).name}").write_text("")
    time.sleep(delay)
    params = {**DEFAULTS, **parameters, "output_dir": str(Path(out) / "01_metrics")}
    result = RunResult(Path(out), [NotebookRun("01_metrics", status="ok", parameters=params)])
    runner.write_manifest(result, {}, None)
    return result

history.runner.run_reports = run_reports
run = history.run_with_history(root, parameters={"responses_path": responses, "segments": ["channel"]},
                               progress=False, started=datetime(2024, 2, 1, 6, 0, tzinfo=timezone.utc))
print(run.folder.name, run.exit_status)
"""


def _start(tmp_path: Path, root: Path, responses: Path, delay: float) -> subprocess.Popen:
    script = tmp_path / "run_history.py"
    script.write_text(textwrap.dedent(SCRIPT), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, str(script), str(root), str(responses), str(delay)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_a_killed_run_reads_as_incomplete(tmp_path):
    responses = _write(_run_data(_stream(), 1), tmp_path / "responses.csv")
    root = tmp_path / "h"
    child = _start(tmp_path, root, responses, delay=120)
    try:
        for _ in range(600):  # the child is inside the runner once its marker exists
            if list(root.glob("started-*")) or child.poll() is not None:
                break
            time.sleep(0.1)
        assert child.poll() is None, child.communicate()
        assert read_runs(root)["status"].tolist() == ["running"]
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate()  # reaps it and closes its pipes
    runs = read_runs(root)
    assert runs["status"].tolist() == ["incomplete"]
    assert runs["error"].iloc[0] == "the run stopped part-way (its process is gone)"
    assert read_history(root).empty and previous_complete(root) is None


def test_two_runs_started_at_once_get_their_own_folders_and_records(tmp_path):
    responses = _write(_run_data(_stream(), 1), tmp_path / "responses.csv")
    root = tmp_path / "h"
    children = [_start(tmp_path, root, responses, delay=2) for _ in range(2)]
    outputs = [child.communicate(timeout=600) for child in children]
    assert [child.returncode for child in children] == [0, 0], outputs
    names = sorted(out.split()[0] for out, _ in outputs)
    assert names == ["2024-02-01T0600Z", "2024-02-01T0600Z-2"]  # same minute: a suffix
    runs = read_runs(root)
    assert runs["status"].tolist() == ["complete", "complete"]
    for name in names:
        record = read_json(root / name / "run.json")  # whole, valid JSON
        assert record["run_id"] == name and record["figures"]
    table = read_history(root)
    assert sorted(table["run_id"].unique()) == names
    # Both read the same data: the same figures.
    a, b = (table[table["run_id"] == n].drop(columns=["run_id", "started_at"]).reset_index(drop=True)
            for n in names)
    pd.testing.assert_frame_equal(a, b)


def test_folders_claimed_by_many_threads_at_once_are_all_different(tmp_path):
    barrier = threading.Barrier(8)
    names = []

    def claim():
        barrier.wait()
        names.append(claim_run_folder(tmp_path, START).name)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(names) == sorted(["2024-02-01T0600Z"] + [f"2024-02-01T0600Z-{k}" for k in range(2, 9)])


def test_atomic_writes_leave_the_old_file_whole_when_a_write_fails(tmp_path):
    path = write_json(tmp_path / "run.json", {"status": "running"})
    with pytest.raises(TypeError):
        write_json(path, {"bad": object()})  # not JSON: fails before the rename
    assert read_json(path) == {"status": "running"}
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]  # no temporary file left


def test_an_unreadable_record_does_not_stop_the_history(tmp_path):
    (tmp_path / "2024-02-01T0600Z").mkdir()
    (tmp_path / "2024-02-01T0600Z" / "run.json").write_text("{cut", encoding="utf-8")
    runs = read_runs(tmp_path)
    assert runs["status"].tolist() == ["unreadable"]
    assert runs["error"].iloc[0].startswith("run.json cannot be read")
    assert read_history(tmp_path).empty


def test_sla_figures_come_from_the_operations_headline(tmp_path):
    out = tmp_path / "run"
    (out / "05_operations").mkdir(parents=True)
    write_json(out / "05_operations" / "headline.json", {
        "sla": [{"metric": "first_response", "met": 950, "n": 1000, "estimate": 95.0,
                 "ci_low": 93.5, "ci_high": 96.2, "conf": 0.95}],
        "sla_by": {"channel": [{"channel": "email", "metric": "first_response", "met": 80,
                                "n": 100, "estimate": 80.0, "ci_low": 71.1, "ci_high": 86.7,
                                "conf": 0.95}]}})
    result = RunResult(out, [NotebookRun("05_operations", status="ok", parameters={})])
    runner.write_manifest(result, {}, None)
    info, figures = run_record(out)
    assert figures[["metric", "segment", "level", "n", "successes"]].values.tolist() == [
        ["sla_first_response", "all", "all", 1000, 950.0],
        ["sla_first_response", "channel", "email", 100, 80.0]]
    assert info == {"min_n": 30, "conf": 0.95}


def test_history_settings_read_the_config(tmp_path):
    config = tmp_path / "conf" / "run.yaml"
    config.parent.mkdir()
    config.write_text(yaml.safe_dump({"history": "../history", "alerts": RULES}), encoding="utf-8")
    root, rules = history_settings(config)
    assert root == (tmp_path / "history").resolve() and len(rules) == 3
    root, rules = history_settings(config, tmp_path / "other", alerts=[])
    assert root == (tmp_path / "other").resolve() and rules == []
    config.write_text(yaml.safe_dump({"history": ["a"]}), encoding="utf-8")
    with pytest.raises(ParameterError, match="'history' in the config .* should be a folder"):
        history_settings(config)
    config.write_text(yaml.safe_dump({"alerts": [{"metric": "csat"}]}), encoding="utf-8")
    with pytest.raises(ParameterError, match="Alert rule 1 of the alerts of the config"):
        history_settings(config)


def _parser():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run")
    run.add_argument("--config")
    run.add_argument("--only", nargs="+")
    run.add_argument("--quiet", action="store_true")
    add_run_arguments(run)
    add_history_parser(sub)
    return parser


def test_the_command_line_pieces(four_runs, tmp_path, monkeypatch):
    root, runs = four_runs
    out = io.StringIO()
    args = _parser().parse_args(["history", str(root), "--html", str(tmp_path / "t.html")])
    assert main_history(args, out=out) == 0
    text = out.getvalue()
    assert runs[2].run_id in text and "csat drops significant by channel" in text
    assert f"Trend page: {tmp_path / 't.html'}" in text and (tmp_path / "t.html").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    out = io.StringIO()
    assert main_history(_parser().parse_args(["history", str(empty)]), out=out) == 0
    assert out.getvalue().startswith("No runs in")
    with pytest.raises(ParameterError, match="No history folder"):
        main_history(_parser().parse_args(["history", str(tmp_path / "nowhere")]))
    # run without a history: None (the plain run goes on); --fail-on-alert needs one.
    assert main_run(_parser().parse_args(["run"]), {}) is None
    with pytest.raises(ParameterError, match="--fail-on-alert needs a history"):
        main_run(_parser().parse_args(["run", "--fail-on-alert"]), {})
    monkeypatch.setattr(history.runner, "run_reports", _fake_runner())
    responses = _write(_run_data(_stream(), 1), tmp_path / "responses.csv")
    out = io.StringIO()
    status = main_run(_parser().parse_args(["run", "--history", str(tmp_path / "h"), "--quiet"]),
                      {"responses_path": str(responses)}, out=out)
    assert status == EXIT_OK
    assert "       ok  01_metrics" in out.getvalue()
    assert "Exit status 0: every notebook ran" in out.getvalue()


@pytest.mark.slow
@pytest.mark.xdist_group("history-four-runs")
def test_the_runner_four_times_over_known_changes(tmp_path):
    """The issue's test: the real runner (01_metrics only), four runs over data that change
    in known ways; the same changes, alerts and exit codes as the in-process runs."""
    data, path, root = _stream(), tmp_path / "data" / "responses.csv", tmp_path / "history"
    config = tmp_path / "run.yaml"
    config.write_text(yaml.safe_dump({"parameters": {"responses_path": "data/responses.csv",
                                                     "segments": ["channel"]}}),
                      encoding="utf-8")
    runs = []
    for k in range(1, 5):
        _write(_run_data(data, k), path)
        runs.append(run_with_history(root, config=config, only=["01_metrics"], alerts=RULES,
                                     fail_on_alert=True, progress=False))
    check_known_changes(runs)
    assert len({r.folder for r in runs}) == 4
    for run in runs:
        assert (run.folder / "01_metrics.html").exists()
        index = (run.folder / "index.html").read_text(encoding="utf-8")
        assert index.index(index_fragment(run.folder)) < index.index("01_metrics.html")
        headline = json.loads((run.folder / "01_metrics" / "headline.json").read_text())
        card = next(k for k in headline["kpis"] if k["metric"] == "csat")
        window = [f for f in run.record["figures"] if f["metric"] == "csat"
                  and f["segment"] == "all" and f["period"] == "all"][0]
        # The record's whole-window figure is the report's KPI card.
        assert window["n"] == card["n"] and window["estimate"] == pytest.approx(card["value"], abs=1e-5)
    assert read_runs(root)["exit_status"].tolist() == [0, 0, 3, 0]


def test_the_command_and_a_config_with_history_and_alerts(tmp_path, monkeypatch, capsys):
    """`csat-toolkit run --config` with `history:` and `alerts:` keys, then `history DIR`."""
    from csat_toolkit.cli import main

    monkeypatch.setattr(history.runner, "run_reports", _fake_runner())
    responses = _write(_run_data(_stream(), 1), tmp_path / "data" / "responses.csv")
    config = tmp_path / "weekly.yaml"
    config.write_text(yaml.safe_dump({
        "title": "Weekly", "history": "history",
        "parameters": {"responses_path": "data/responses.csv", "segments": ["channel"]},
        "alerts": RULES}), encoding="utf-8")
    assert responses.exists()
    assert main(["run", "--config", str(config), "--quiet", "--fail-on-alert"]) == EXIT_OK
    runs = read_runs(tmp_path / "history")
    assert runs["status"].tolist() == ["complete"]
    assert main(["history", str(tmp_path / "history")]) == 0
    assert runs["run_id"].iloc[0] in capsys.readouterr().out
    # a wrong rule or history folder is refused before anything runs (status 2)
    config.write_text(yaml.safe_dump({"history": 5, "parameters": {}}), encoding="utf-8")
    assert main(["run", "--config", str(config), "--quiet"]) == 2
    assert "'history' in the config" in capsys.readouterr().err
    config.write_text(yaml.safe_dump({"alerts": [{"metric": "csat", "drop": "significant"}],
                                      "history": "history", "parameters": {}}),
                      encoding="utf-8")
    assert main(["run", "--config", str(config), "--quiet"]) == 2
    assert "drop" in capsys.readouterr().err
    # alert rules without a history to compare with
    config.write_text(yaml.safe_dump({"alerts": RULES, "parameters": {}}), encoding="utf-8")
    assert main(["run", "--config", str(config), "--quiet"]) == 2
    assert "has alert rules but no history" in capsys.readouterr().err
