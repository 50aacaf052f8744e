"""The runner never hangs and keeps the index whole (issue 10): time limits, ``--only``
merging into an earlier run, reading shorthands, config key checks, the report date."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from csat_toolkit import cli
from csat_toolkit.errors import FileFormatError, ParameterError
from csat_toolkit.runner import (DEFAULT_TIMEOUT, NotebookRun, RunResult, check_config,
                                 route_reading_options, run_reports, write_index)

from .test_runner import make_notebook

OUT_PARAM = 'output_dir = "out"  # str: output folder'

HEADLINE = '''
import json, pathlib
pathlib.Path(output_dir).mkdir(parents=True, exist_ok=True)
pathlib.Path(output_dir, "headline.json").write_text(json.dumps(
    {{"title": "{title}", "kpis": [{{"label": "CSAT", "display": label, "detail": "n=250"}}],
     "findings": ["label is " + label]}}))
'''

# The kernel writes its own process id and starts a child process (its process group is
# killed with it), then sleeps far beyond the limit.
SLOW = '''
import os, pathlib, subprocess, sys, time
pathlib.Path(output_dir).mkdir(parents=True, exist_ok=True)
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
pathlib.Path(output_dir, "pids.txt").write_text(f"{os.getpid()} {child.pid}")
print("started")
'''


def _notebook(folder: Path, name: str, body: str, params: str = OUT_PARAM) -> Path:
    return make_notebook(folder / f"{name}.ipynb", body, params)


def _slow(folder: Path) -> Path:
    path = _notebook(folder, "01_slow", SLOW)
    import nbformat

    notebook = nbformat.read(str(path), as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("time.sleep(120)"))
    nbformat.write(notebook, str(path))
    return path


def _gone(pid: int) -> bool:
    psutil = pytest.importorskip("psutil")  # installed with ipykernel
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------
# 1. The time limit
# --------------------------------------------------------------------------------------


def test_a_notebook_over_its_limit_is_stopped_and_the_others_run(tmp_path, capsys):
    folder = tmp_path / "nbs"
    folder.mkdir()
    _slow(folder)
    _notebook(folder, "02_good", HEADLINE.format(title="Good"),
              OUT_PARAM + '\nlabel = "fine"  # str: a label')
    result = run_reports(out=tmp_path / "out", notebooks_dir=folder, timeout=2.5, progress=True)
    slow, good = result.runs
    assert (slow.status, good.status) == ("timed out", "ok")
    assert not result.ok
    assert "Stopped after 2.5 s, the time limit of one notebook, in code cell 4 of 4 " \
           "('time.sleep(120)'); its kernel was shut down." in slow.error
    assert "--timeout SECONDS" in slow.error and "'timeout: SECONDS'" in slow.error
    assert slow.seconds < 60  # stopped, not waited for (the cell sleeps 120 s)
    kernel, child = map(int, (result.out / "01_slow" / "pids.txt").read_text().split())
    assert _gone(kernel) and _gone(child)  # nothing left running
    index = result.index.read_text(encoding="utf-8")
    assert "<b>Timed out</b>" in index and "Stopped after 2.5 s" in index
    assert "Some reports failed" in index and "label is fine" in index
    manifest = _manifest(result.out)
    assert [(e["name"], e["status"], e["timeout"]) for e in manifest["notebooks"]] == [
        ("01_slow", "timed out", 2.5), ("02_good", "ok", 2.5)]
    assert manifest["ok"] is False
    # What ran before the limit is in the report.
    assert "started" in (result.out / "01_slow.html").read_text(encoding="utf-8")
    assert result.summary() == "1 of 2 notebooks ran. Timed out: 01_slow."
    progress = capsys.readouterr().err
    assert "01_slow cell 4/4" in progress and "02_good cell" in progress


def test_time_limit_from_the_config_and_the_command_line(tmp_path, capsys):
    folder = tmp_path / "nbs"
    folder.mkdir()
    _slow(folder)
    config = tmp_path / "run.yaml"
    config.write_text("title: Limits\ntimeout: 2\n", encoding="utf-8")
    args = ["run", "--config", str(config), "--notebooks", str(folder), "--quiet"]
    assert cli.main(args + ["--out", str(tmp_path / "a")]) == 1
    printed = capsys.readouterr().out
    assert "timed out  01_slow" in printed and "Stopped after 2 s" in printed
    assert printed.splitlines()[-2] == "0 of 1 notebooks ran. Timed out: 01_slow."
    assert _manifest(tmp_path / "a")["notebooks"][0]["timeout"] == 2.0
    # --timeout wins over the config's timeout.
    assert cli.main(args + ["--out", str(tmp_path / "b"), "--timeout", "1.5"]) == 1
    assert "Stopped after 1.5 s" in capsys.readouterr().out


def test_the_default_limit_applies_and_zero_turns_it_off(tmp_path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    _notebook(folder, "01_quick", "x = 1")
    result = run_reports(out=tmp_path / "d", notebooks_dir=folder, progress=False)
    assert result.ok and result.runs[0].timeout == DEFAULT_TIMEOUT == 1800
    result = run_reports(out=tmp_path / "z", notebooks_dir=folder, progress=False, timeout=0)
    assert result.ok and _manifest(tmp_path / "z")["notebooks"][0]["timeout"] is None


@pytest.mark.parametrize("value", [-1, "soon", True, float("nan"), [5]])
def test_bad_time_limits_are_errors_before_anything_runs(value, tmp_path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    _notebook(folder, "01_quick", "x = 1")
    with pytest.raises(ParameterError, match=r"^timeout must be a number of seconds, e\.g\. 1800"):
        run_reports(out=tmp_path / "o", notebooks_dir=folder, progress=False, timeout=value)
    config = tmp_path / "c.yaml"
    config.write_text(f"timeout: {json.dumps(value) if value == value else '.nan'}\n")
    with pytest.raises(ParameterError, match=r"'timeout' in the config .*c\.yaml must be a number"):
        run_reports(config=config, out=tmp_path / "o", notebooks_dir=folder, progress=False)
    assert not (tmp_path / "o").exists()


def test_bad_timeout_on_the_command_line(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["run", "--timeout", "ten"])
    assert stop.value.code == 2
    assert "'ten' is not a number of seconds; give e.g. --timeout 1800" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["run", "--timeout", "-3"])


# --------------------------------------------------------------------------------------
# 2. --only into an earlier run keeps the other reports
# --------------------------------------------------------------------------------------


@pytest.fixture
def three_notebooks(tmp_path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    label = OUT_PARAM + '\nlabel = "one"  # str: a label'
    _notebook(folder, "01_good", HEADLINE.format(title="Good <one>"), label)
    _notebook(folder, "02_broken", 'raise ValueError("broken on purpose")')
    _notebook(folder, "03_data", "import pathlib\nlabel = pathlib.Path(data_path).read_text()\n"
              + HEADLINE.format(title="Data"),
              OUT_PARAM + '\nlabel = "x"  # str: a label\ndata_path = "x"  # str: a file')
    return folder


def test_only_merges_into_the_earlier_run(three_notebooks, tmp_path, capsys):
    data = tmp_path / "data.txt"
    data.write_text("first", encoding="utf-8")
    out = tmp_path / "out"
    common = dict(out=out, notebooks_dir=three_notebooks, progress=False)
    full = run_reports(parameters={"data_path": str(data)}, **common)
    assert [r.status for r in full.runs] == ["ok", "failed", "ok"]
    index = full.index.read_text(encoding="utf-8")
    before = _manifest(out)
    first_hash = hashlib.sha256(b"first").hexdigest()
    assert before["notebooks"][2]["inputs_sha256"] == {str(data.resolve()): first_hash}

    # Re-running one notebook unchanged gives the same index, byte for byte, but for the
    # run time in its header (the notebooks' durations).
    again = run_reports(only=["good"], **common)
    assert again.ok and [r.name for r in again.runs] == ["01_good"]
    runtime = re.compile(r'<dd class="runtime">\d+ (min \d+ )?s of notebook time</dd>')
    assert runtime.search(index)
    assert runtime.sub("", again.index.read_text(encoding="utf-8")) == runtime.sub("", index)
    after = _manifest(out)
    kept = {e["name"]: e for e in after["notebooks"]}
    assert list(kept) == ["01_good", "02_broken", "03_data"]
    for name in ("02_broken", "03_data"):  # status, parameters, durations, hashes kept
        old = next(e for e in before["notebooks"] if e["name"] == name)
        assert kept[name] == {**old, "kept_from_earlier_run": True}
    assert kept["01_good"]["kept_from_earlier_run"] is False
    assert after["ok"] is False  # the folder still holds the failure
    assert again.summary() == ("1 of 1 notebooks ran. Kept from the earlier run in "
                               f"{out}: 02_broken, 03_data.")

    # The input changes, another notebook is re-run: the kept entry keeps its hash.
    data.write_text("second", encoding="utf-8")
    assert cli.main(["run", "--notebooks", str(three_notebooks), "--out", str(out), "--quiet",
                     "--only", "good", "-p", "label=two"]) == 0
    capsys.readouterr()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.index("Good &lt;one&gt;") < index.index("broken on purpose") < index.index("Data")
    assert "label is two" in index and "label is first" in index
    assert _manifest(out)["notebooks"][2]["inputs_sha256"] == {str(data.resolve()): first_hash}
    assert _manifest(out)["inputs_sha256"] == {str(data.resolve()): first_hash}

    # The re-run notebook now reads the new file: its entry is replaced, name order kept.
    run_reports(only=["03_data"], parameters={"data_path": str(data)}, **common)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "label is second" in index and "label is first" not in index
    assert "label is two" in index and "broken on purpose" in index
    assert _manifest(out)["inputs_sha256"] == {
        str(data.resolve()): hashlib.sha256(b"second").hexdigest()}


def test_a_run_without_only_starts_the_index_afresh(three_notebooks, tmp_path):
    out = tmp_path / "out"
    run_reports(out=out, notebooks_dir=three_notebooks, progress=False, only=["broken"])
    config = tmp_path / "c.yaml"
    config.write_text("title: Fresh\nnotebooks: [01_good]\n", encoding="utf-8")
    result = run_reports(config=config, out=out, notebooks_dir=three_notebooks, progress=False)
    index = result.index.read_text(encoding="utf-8")
    assert "Good &lt;one&gt;" in index and "broken on purpose" not in index
    assert "All reports ran." in index and "<title>Fresh</title>" in index
    assert [e["name"] for e in _manifest(out)["notebooks"]] == ["01_good"]
    # An --only run without a config keeps the earlier run's title.
    run_reports(out=out, notebooks_dir=three_notebooks, progress=False, only=["good"])
    assert "<title>Fresh</title>" in result.index.read_text(encoding="utf-8")


@pytest.mark.parametrize("text, message", [
    ("{not json", r"manifest\.json cannot be read \(.*\), so the other reports of the earlier "
                  r"run cannot be kept in the index\. Run without --only"),
    ('{"notebooks": [{"name": "01_good", "status": "great"}]}',
     r"is not a manifest written by csat-toolkit run .* found \[\{\"name\": \"01_good\", "
     r"\"status\": \"great\"\}\]"),
    ("[]", r"is not a manifest written by csat-toolkit run"),
])
def test_an_unreadable_manifest_stops_an_only_run(text, message, three_notebooks, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text(text, encoding="utf-8")
    with pytest.raises(FileFormatError, match=message):
        run_reports(out=out, notebooks_dir=three_notebooks, progress=False, only=["good"])
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]  # nothing ran


# --------------------------------------------------------------------------------------
# 3. Reading shorthands
# --------------------------------------------------------------------------------------


def test_route_reading_options_by_hand():
    defaults = {"load_options": {"na_values": ["?"]}, "ticket_options": {}, "min_n": 30}
    routed = route_reading_options(
        {"decimal": ",", "thousands": ".", "labels": {"csat": {"ok": 4}}, "sheet": "S",
         "ticket_options": {"duplicates": "last"}}, defaults)
    assert routed == {
        "load_options": {"na_values": ["?"], "decimal": ",", "thousands": ".",
                         "labels": {"csat": {"ok": 4}}, "sheet": "S"},
        "ticket_options": {"duplicates": "last", "decimal": ",", "thousands": "."}}
    # The same value in both places is fine; a notebook parameter of that name keeps it.
    assert route_reading_options({"sheet": "S", "load_options": {"sheet": "S"}},
                                 defaults)["load_options"] == {"sheet": "S"}
    assert route_reading_options({"sheet": "S"}, {"sheet": None, "load_options": {}}) == {"sheet": "S"}
    # No dict takes it: left as it is (run_reports then says so).
    assert route_reading_options({"labels": {}}, {"ticket_options": {}}) == {"labels": {}}


def test_route_reading_options_errors():
    with pytest.raises(ParameterError, match=r"^'decimal' is given twice for 03_drivers with "
                       r"different values: 'decimal: ','' at the top of the parameters and "
                       r"'ticket_options: \{decimal: '\.'\}'\. Give it once"):
        route_reading_options({"decimal": ",", "ticket_options": {"decimal": "."}},
                              {"load_options": {}, "ticket_options": {}}, where="03_drivers")
    with pytest.raises(ParameterError, match=r"^load_options of 01_x should be a mapping"):
        route_reading_options({"sheet": "S", "load_options": ["S"]}, {"load_options": {}},
                              where="01_x")


@pytest.fixture
def option_notebooks(tmp_path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    show = "print(sorted(load_options.items()))"
    _notebook(folder, "01_answers", show, OUT_PARAM + "\nload_options = {}  # dict: loader options")
    _notebook(folder, "02_tickets", show, OUT_PARAM + "\nload_options = {}  # dict: loader options"
              "\nticket_options = {}  # dict: ticket options")
    _notebook(folder, "03_revenue", show, OUT_PARAM + "\nload_options = {}  # dict: loader options"
              '\nrevenue_options = {"sep": ";"}  # dict: revenue options\nsheet = None  # str: own')
    _notebook(folder, "04_plain", "x = 1")
    return folder


def test_shorthands_reach_every_notebook_that_takes_them(option_notebooks, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(
        "parameters:\n  decimal: ','\n  labels: {csat: {'🙂': 4}}\n  sheet: Answers\n"
        "notebooks:\n  tickets:\n    thousands: '.'\n    ticket_options: {thousands: '.'}\n",
        encoding="utf-8")
    result = run_reports(config=config, out=tmp_path / "o", notebooks_dir=option_notebooks,
                         progress=False)
    assert result.ok, [r.error for r in result.runs]
    params = {e["name"]: e["parameters"] for e in _manifest(tmp_path / "o")["notebooks"]}
    labels = {"csat": {"🙂": 4}}
    assert params["01_answers"]["load_options"] == {"decimal": ",", "labels": labels,
                                                    "sheet": "Answers"}
    assert params["02_tickets"]["load_options"] == {"decimal": ",", "labels": labels,
                                                    "sheet": "Answers", "thousands": "."}
    assert params["02_tickets"]["ticket_options"] == {"thousands": ".", "decimal": ","}
    assert params["03_revenue"]["revenue_options"] == {"sep": ";", "decimal": ","}
    assert params["03_revenue"]["sheet"] == "Answers"  # its own parameter of that name
    assert "sheet" not in params["03_revenue"]["load_options"]
    assert set(params["04_plain"]) == {"output_dir"}
    html = (tmp_path / "o" / "02_tickets.html").read_text(encoding="utf-8")
    assert "decimal" in html and "Answers" in html  # the notebook received them


def test_shorthand_errors_before_anything_runs(option_notebooks, tmp_path):
    common = dict(out=tmp_path / "o", notebooks_dir=option_notebooks, progress=False)
    with pytest.raises(ParameterError, match=r"'thousands' is given twice for 02_tickets"):
        run_reports(only=["tickets"], parameters={"thousands": ".",
                                                   "ticket_options": {"thousands": " "}}, **common)
    with pytest.raises(ParameterError, match=r"^'labels', 'sheet' would reach no notebook: they go "
                       r"into load_options, which none of the notebooks run \(04_plain\) declares"):
        run_reports(only=["plain"], parameters={"sheet": "S", "labels": {}}, **common)
    with pytest.raises(ParameterError, match=r"^'decimal' would reach no notebook: it goes into "
                       r"load_options / revenue_options / ticket_options, which none"):
        run_reports(only=["plain"], parameters={"decimal": ","}, **common)
    assert not (tmp_path / "o").exists()


def test_validate_routes_the_shorthands(tmp_path, capsys):
    source = tmp_path / "r.csv"
    source.write_text("id;rating\n1;5\n2;4\n", encoding="utf-8")
    code = cli.main(["validate", str(source), "-p", "survey=csat", "-p",
                     "columns={id: response_id, rating: score}", "-p", "decimal=,",
                     "-p", "load_options={decimal: '.'}"])
    assert code == 2
    assert ("'decimal' is given twice for validate with different values: 'decimal: ','' "
            "at the top of the parameters and 'load_options: {decimal: '.'}'") in capsys.readouterr().err


# --------------------------------------------------------------------------------------
# 4. Unknown config keys name the nearest known one
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, message", [
    ("timout: 60\n", r"Unknown key\(s\) 'timout' \(did you mean 'timeout'\?\) at the top of the config"),
    ("titel: x\n", r"'titel' \(did you mean 'title'\?\)"),
    ("parameter: {}\n", r"'parameter' \(did you mean 'parameters'\?\)"),
    ("responses_path: x.csv\n", r"'responses_path' at the top .* notebook parameters go under 'parameters:'"),
    ("parameters:\n  lables: {}\n", r"'lables' \(did you mean 'labels'\?\) in the config's parameters"),
    ("parameters:\n  decimals: ','\n", r"'decimals' \(did you mean 'decimal'\?\)"),
    ("parameters:\n  thousand: '.'\n", r"'thousand' \(did you mean 'thousands'\?\)"),
    ("parameters:\n  shet: S\n", r"'shet' \(did you mean 'sheet'\?\)"),
    ("parameters:\n  timeout: 60\n", r"'timeout' \(the time limit of each notebook is not a "
                                     r"notebook parameter: give it as --timeout SECONDS or as "
                                     r"'timeout: SECONDS' at the top level of the config\)"),
    ("notebooks:\n  01_answers:\n    decimall: ','\n",
     r"'decimall' \(did you mean 'decimal'\?\) in the config's section '01_answers'"),
    ("notebooks:\n  01_answer:\n    decimal: ','\n",
     r"section '01_answer' names no notebook \(did you mean '01_answers'\?\)"),
    ("notebooks:\n  answers: [decimal]\n", r"section 'answers' should map parameter names"),
    ("parameters: [1, 2]\n", r"'parameters' in the config .* should map parameter names to values"),
    ("notebooks: 5\n", r"'notebooks' in the config .* should be a list of notebook names"),
    ("notebooks: [01_answer]\n", r"No notebook called '01_answer' \(did you mean '01_answers'\?\)"),
])
def test_config_typos_name_the_nearest_key(text, message, option_notebooks, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError, match=message):
        run_reports(config=config, out=tmp_path / "o", notebooks_dir=option_notebooks,
                    progress=False)
    assert not (tmp_path / "o").exists()


def test_two_sections_for_one_notebook(option_notebooks, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("notebooks:\n  answers: {sheet: A}\n  01_answers: {sheet: B}\n")
    with pytest.raises(ParameterError, match="two sections for 01_answers"):
        run_reports(config=config, out=tmp_path / "o", notebooks_dir=option_notebooks)


def test_check_config_and_the_p_option_hint(option_notebooks, tmp_path):
    check_config({"title": "x", "parameters": None, "notebooks": ["a"], "timeout": 0})
    with pytest.raises(ParameterError, match=r"'timeout' \(the time limit of each notebook"):
        run_reports(notebooks_dir=option_notebooks, out=tmp_path / "o", parameters={"timeout": 5})
    with pytest.raises(ParameterError, match=r"'notebooks' \(a top-level key of the config"):
        run_reports(notebooks_dir=option_notebooks, out=tmp_path / "o", parameters={"notebooks": 5})


# --------------------------------------------------------------------------------------
# 5. The report date in the index
# --------------------------------------------------------------------------------------


def test_the_index_shows_each_reports_date(tmp_path):
    runs = [
        NotebookRun("01_a", "ok", headline={"title": "A", "as_of": "2024-12-30T09:00:00",
                                            "as_of_source": "data", "as_of_column": "responded_at"}),
        NotebookRun("02_b", "ok", headline={"title": "B", "as_of": "2021-03-31T23:59:00",
                                            "as_of_source": "parameter", "as_of_column": None}),
        NotebookRun("03_c", "ok", headline={"title": "C", "as_of": "2024-06-30T00:00:00+02:00",
                                            "as_of_source": "data", "as_of_column": "<b>when</b>"}),
        NotebookRun("04_d", "ok", headline={"title": "D"}),
        NotebookRun("05_e", "failed", error="boom", headline={"title": "E", "as_of": "soon"}),
    ]
    path = write_index(RunResult(tmp_path, runs), title="Dates")
    index = path.read_text(encoding="utf-8")
    assert ('<h2>A <span class="asof">report date 2024-12-30 09:00, the latest responded_at '
            'in the data</span></h2>') in index
    assert '<h2>B <span class="asof">report date 2021-03-31 23:59, given as as_of</span></h2>' in index
    assert ('<h2>C <span class="asof">report date 2024-06-30 UTC+02:00, the latest '
            '&lt;b&gt;when&lt;/b&gt; in the data</span></h2>') in index
    assert "<h2>D</h2>" in index
    assert '<h2>E <span class="asof">report date soon</span></h2><p><b>Failed</b>' in index


def test_command_line_values_yaml_cannot_read():
    from csat_toolkit.runner import parse_assignment

    assert parse_assignment("decimal=,") == ("decimal", ",")
    assert parse_assignment("thousands='.'") == ("thousands", ".")
    with pytest.raises(ParameterError, match=r"^The value of -p columns is not readable YAML "
                       r"\(.*\): '\{a: b'\. Write lists as \[a, b\]"):
        parse_assignment("columns={a: b")


def test_kernels_start_with_one_blas_thread_unless_the_user_chose(monkeypatch):
    import os

    from csat_toolkit.report.runner import KERNEL_THREADS, _kernel_environment

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "4")  # the user's choice stays
    with _kernel_environment():
        assert os.environ["OPENBLAS_NUM_THREADS"] == "1" == KERNEL_THREADS["MKL_NUM_THREADS"]
        assert os.environ["OMP_NUM_THREADS"] == "4"
    assert "OPENBLAS_NUM_THREADS" not in os.environ and os.environ["OMP_NUM_THREADS"] == "4"
