"""The runner and the CLI end to end, in temporary folders."""
from __future__ import annotations

import json

import nbformat
import pytest

from csat_toolkit import cli
from csat_toolkit.errors import FileFormatError, ParameterError
from csat_toolkit.runner import (discover_notebooks, notebook_parameters, parse_assignment,
                                 run_reports)

from .conftest import (NOTEBOOKS, REALDATA, REPO, SAMPLE, SAMPLE_RUN, read_headline,
                       require_shared)


def make_notebook(path, body: str, params: str = 'output_dir = "out"  # str: output folder'):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Tiny"),
                      nbformat.v4.new_code_cell(params), nbformat.v4.new_code_cell(body)]
    notebook.cells[1].metadata["tags"] = ["parameters"]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, str(path))
    return path


GOOD = '''
import json, pathlib
pathlib.Path(output_dir).mkdir(parents=True, exist_ok=True)
pathlib.Path(output_dir, "headline.json").write_text(json.dumps(
    {"title": "Good <one>", "kpis": [{"label": "CSAT", "display": "60.0%", "detail": "n=250"}],
     "findings": ["<script>alert(1)</script> stays text"]}))
print("hello from", label)
'''


@pytest.fixture
def tiny_notebooks(tmp_path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    make_notebook(folder / "01_good.ipynb", GOOD,
                  'output_dir = "out"  # str: output folder\nlabel = "default"  # str: a label')
    make_notebook(folder / "02_broken.ipynb", 'raise ValueError("broken on purpose")')
    return folder


def test_one_failure_does_not_stop_the_others(tiny_notebooks, tmp_path):
    result = run_reports(out=tmp_path / "out", notebooks_dir=tiny_notebooks, progress=False,
                         parameters={"label": "custom"})
    assert not result.ok
    status = {r.name: r.status for r in result.runs}
    assert status == {"01_good": "ok", "02_broken": "failed"}
    broken = result.runs[1]
    assert "broken on purpose" in broken.error
    index = result.index.read_text(encoding="utf-8")
    assert "Failed" in index and "broken on purpose" in index
    assert "&lt;script&gt;" in index and "<script>" not in index  # user text escaped
    assert "Good &lt;one&gt;" in index
    manifest = json.loads((result.out / "manifest.json").read_text())
    assert manifest["ok"] is False
    assert manifest["notebooks"][0]["parameters"]["label"] == "custom"
    assert manifest["versions"]["pandas"]
    html = (result.out / "01_good.html").read_text(encoding="utf-8")
    assert "hello from custom" in html and "pathlib" not in html  # output kept, code hidden
    # The kernel's sockets live in a private temporary folder, not next to the notebooks.
    assert sorted(p.name for p in tiny_notebooks.iterdir()) == ["01_good.ipynb", "02_broken.ipynb"]


def test_cli_exit_codes(tiny_notebooks, tmp_path, capsys):
    code = cli.main(["run", "--notebooks", str(tiny_notebooks), "--out", str(tmp_path / "o"), "--quiet"])
    assert code == 1
    printed = capsys.readouterr().out
    assert "failed  02_broken" in printed and "Report index:" in printed
    code = cli.main(["run", "--notebooks", str(tiny_notebooks), "--out", str(tmp_path / "o2"),
                     "--quiet", "--only", "good"])
    assert code == 0
    code = cli.main(["run", "--notebooks", str(tiny_notebooks), "--quiet", "-p", "lable=x"])
    assert code == 2
    assert "did you mean 'label'" in capsys.readouterr().err


def test_unknown_parameters_are_errors(tiny_notebooks, tmp_path):
    with pytest.raises(ParameterError, match=r"Unknown parameter\(s\) 'colour'"):
        run_reports(notebooks_dir=tiny_notebooks, out=tmp_path, parameters={"colour": 1}, progress=False)
    config = tmp_path / "c.yaml"
    config.write_text("parameters:\n  min_m: 3\n")
    with pytest.raises(ParameterError, match="the config's parameters"):
        run_reports(config=config, notebooks_dir=tiny_notebooks, out=tmp_path, progress=False)
    config.write_text("notebooks:\n  01_good:\n    nope: 1\n")
    with pytest.raises(ParameterError, match="section '01_good'"):
        run_reports(config=config, notebooks_dir=tiny_notebooks, out=tmp_path, progress=False)


def test_only_and_discovery_errors(tiny_notebooks, tmp_path):
    assert [p.stem for p in discover_notebooks(tiny_notebooks, ["good"])] == ["01_good"]
    with pytest.raises(ParameterError, match="No notebook called 'nope'. Available: 01_good, 02_broken"):
        discover_notebooks(tiny_notebooks, ["nope"])
    with pytest.raises(FileFormatError, match="No notebooks"):
        discover_notebooks(tmp_path / "empty")


def test_parameters_cell_rules(tmp_path):
    path = make_notebook(tmp_path / "x.ipynb", "pass", 'a = 1  # int: one\nb = [1, "x"]  # list: two')
    assert notebook_parameters(path) == {"a": {"default": 1, "comment": "int: one"},
                                         "b": {"default": [1, "x"], "comment": "list: two"}}
    bad = make_notebook(tmp_path / "y.ipynb", "pass", "import os")
    with pytest.raises(FileFormatError, match="only assign literal values"):
        notebook_parameters(bad)


def test_parse_assignment():
    assert parse_assignment("conf_level=0.9") == ("conf_level", 0.9)
    assert parse_assignment("columns={Rating: score}") == ("columns", {"Rating": "score"})
    assert parse_assignment("start=") == ("start", None)
    with pytest.raises(ParameterError, match="KEY=VALUE"):
        parse_assignment("min_n")


def test_validate_command(tmp_path, capsys):
    source = tmp_path / "r.csv"
    source.write_text("id;rating;when\n1;5;2024-01-02\n2;9;2024-01-03\n2;4;2024-01-04\n")
    code = cli.main(["validate", str(source), "-p", "survey=csat", "-p", "columns={id: response_id, rating: score, when: responded_at}",
                     "--rejected", str(tmp_path / "rej.csv")])
    out = capsys.readouterr().out
    assert code == 0
    assert "rows read" in out and "3" in out
    assert (tmp_path / "rej.csv").exists()
    code = cli.main(["validate", str(source), "-p", "survey=csat", "-p", "columns={id: response_id, rating: score, when: responded_at}", "--strict"])
    assert code == 2
    assert "error:" in capsys.readouterr().err


def test_sample_data_command(tmp_path, capsys):
    assert cli.main(["sample-data", "--out", str(tmp_path / "s")]) == 0
    assert (tmp_path / "s" / "responses.csv").read_bytes() == (SAMPLE / "responses.csv").read_bytes()


def test_notebooks_command(capsys):
    assert cli.main(["notebooks"]) == 0
    assert "01_metrics" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.xdist_group(SAMPLE_RUN)
def test_full_run_on_sample_data(reports_run):
    result = reports_run()  # what `make report` does, shared with the other sample-run tests
    assert result.ok, result.summary()
    html = (result.out / "01_metrics.html").read_text(encoding="utf-8")
    assert "import csat_toolkit" not in html and "ct.load_responses" not in html
    assert "data:image/svg+xml;base64" in html  # figures inline, as SVG (issue 13)
    assert html.count("<img") == html.count(" alt=")  # every figure has alt text
    assert "Traceback" not in html and "Warning" not in html
    assert " at 0x" not in html and "&lt;Axes" not in html  # plot cells end with ';'
    index = result.index.read_text(encoding="utf-8")
    assert "CSAT (% satisfied)" in index and 'href="01_metrics.html"' in index
    manifest = json.loads((result.out / "manifest.json").read_text())
    hashed = [p for p in manifest["inputs_sha256"] if p.endswith("responses.csv")]
    assert hashed, "the input file hash is recorded"
    headline = read_headline(result.out / "01_metrics")
    assert {k["metric"] for k in headline["kpis"]} == {"csat", "nps", "ces", "pmf"}


@pytest.mark.slow
@pytest.mark.xdist_group(SAMPLE_RUN)
def test_every_report_of_the_sample_run_is_clean(reports_run):
    # Each notebook's HTML: no code, no traceback or warning, no object reprs.
    result = reports_run()
    assert [r.status for r in result.runs] == ["ok"] * len(result.runs)
    for run in result.runs:
        html = (result.out / f"{run.name}.html").read_text(encoding="utf-8")
        assert "Traceback" not in html and "Warning:" not in html, run.name
        assert " at 0x" not in html, run.name


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.parametrize("config", ["olist_reviews", "nps_garden_centre"])
def test_real_data_through_config_only(config, reports_run):
    require_shared(REALDATA)
    result = reports_run(config=REPO / "data" / "examples" / f"{config}.yaml")
    assert result.ok, result.summary() + " " + str([r.error for r in result.runs])
    headline = read_headline(result.out / "01_metrics")
    card = headline["kpis"][0]
    if config == "nps_garden_centre":
        # SOURCE.md check values (python3 csv): 13,612 answered, promoters 62.19%,
        # detractors 8.77%, NPS 53.42; 342 NA answers set aside.
        assert card["metric"] == "nps" and card["n"] == 13612
        assert card["value"] == pytest.approx(53.42, abs=0.01)
        assert headline["n_read"] == 13954 and headline["n_set_aside"] == 342
    else:
        import pandas as pd

        raw = pd.read_csv(REALDATA / "olist_reviews" / "sample_8k" / "olist_order_reviews_dataset.csv")
        kept = raw.drop_duplicates("review_id")  # later duplicates of an id are set aside
        assert card["metric"] == "csat" and card["n"] == len(kept)
        assert card["value"] == pytest.approx((kept["review_score"] >= 4).mean() * 100)
        assert headline["n_read"] == 8225


@pytest.mark.slow
@pytest.mark.realdata
def test_driver_configs_on_real_data(reports_run):
    # Key drivers through configuration only: the airline survey (SOURCE.md checks: 11,403 of
    # 25,976 satisfied, 0.4390; online boarding 4.019 vs 2.669 the largest gap) and the
    # Olist classified reviews (late orders score 1.96 against 3.77 on time).
    # The checks read counts and point estimates, not the bootstrap intervals: the airline's
    # 400 resamples of 15 drivers (the config's n_boot, for Holm over 15 drivers) took most
    # of a minute, so it runs with 60 given as a command-line override (-p n_boot=60).
    require_shared(REALDATA)
    examples = REPO / "data" / "examples"
    results = {"airline_drivers": reports_run(config=examples / "airline_drivers.yaml", n_boot=60),
               "olist_drivers": reports_run(config=examples / "olist_drivers.yaml")}
    for result in results.values():
        assert result.ok, [r.error for r in result.runs]
    airline = read_headline(results["airline_drivers"].out / "03_drivers")
    assert airline["n_read"] == 25976
    assert airline["kpis"][0]["value"] == pytest.approx(100 * 11403 / 25976)
    assert airline["drivers"][0]["driver"] == "online_boarding"
    assert airline["skipped"] and len(airline["drivers"]) == 15
    olist = read_headline(results["olist_drivers"].out / "03_drivers")
    assert olist["n_read"] == 3584
    assert olist["drivers"][0]["driver"] == "late" and olist["drivers"][0]["significant"]


def test_readme_validate_example(capsys):
    # The README's "use your own data" tour, exactly as written there.
    config = REPO / "data" / "examples" / "vendor_export.yaml"
    code = cli.main(["validate", str(REPO / "data" / "examples" / "vendor_export.csv"), "--config", str(config)])
    out = capsys.readouterr().out
    assert code == 0
    assert "Read 405 rows from vendor_export.csv: 400 used, 5 set aside" in out
    for reason in ("duplicate response_id", "missing score", "score outside the scale",
                   "unparseable date", "unrecognised answer"):
        assert f"set aside: {reason}" in out


@pytest.mark.slow
def test_readme_run_example(reports_run):
    result = reports_run(config=REPO / "data" / "examples" / "vendor_export.yaml")
    assert result.ok, [r.error for r in result.runs]
    headline = read_headline(result.out / "01_metrics")
    assert headline["n_read"] == 405 and headline["n_set_aside"] == 5
    assert {k["metric"] for k in headline["kpis"]} == {"csat", "nps"}
    rejected = (result.out / "01_metrics" / "rejected_rows.csv").read_text(encoding="utf-8-sig")
    assert "VX-BAD1" in rejected


def test_command_line_paths_are_relative_to_the_caller(tiny_notebooks, tmp_path, monkeypatch):
    notebook = tiny_notebooks / "03_path.ipynb"
    make_notebook(notebook, 'import pathlib\nprint(pathlib.Path(data_path).read_text())',
                  'output_dir = "out"  # str: output folder\ndata_path = "x"  # str: a file')
    (tmp_path / "here.txt").write_text("found me")
    monkeypatch.chdir(tmp_path)
    result = run_reports(notebooks_dir=tiny_notebooks, out=tmp_path / "o", only=["path"],
                         parameters={"data_path": "here.txt"}, progress=False)
    assert result.ok, result.runs[0].error
    assert "found me" in (tmp_path / "o" / "03_path.html").read_text(encoding="utf-8")
    with pytest.raises(ParameterError, match="output_dir is set by the runner"):
        run_reports(notebooks_dir=tiny_notebooks, out=tmp_path / "o", parameters={"output_dir": "x"})


def test_index_is_the_same_for_identical_reruns(tiny_notebooks, tmp_path):
    first = run_reports(out=tmp_path / "a", notebooks_dir=tiny_notebooks, only=["good"], progress=False)
    second = run_reports(out=tmp_path / "a", notebooks_dir=tiny_notebooks, only=["good"], progress=False)
    assert first.index.read_text() == second.index.read_text()  # no timings in the index


def test_parameters_in_defaults_cells_before_the_parameters_cell(tmp_path):
    # Parameter cells stay under 15 lines: 'defaults' cells, then the 'parameters' cell
    # papermill injects after. A defaults cell after it would overwrite injected values.
    path = make_notebook(tmp_path / "split.ipynb", "pass", params='min_n = 30  # int: smallest')
    notebook = nbformat.read(str(path), as_version=4)
    first = nbformat.v4.new_code_cell('title = "T"  # str: report title')
    first.metadata["tags"] = ["defaults"]
    notebook.cells.insert(1, first)
    nbformat.write(notebook, str(path))
    assert {k: v["default"] for k, v in notebook_parameters(path).items()} == {
        "title": "T", "min_n": 30}
    notebook.cells.append(notebook.cells.pop(1))  # the defaults cell now comes last
    nbformat.write(notebook, str(path))
    with pytest.raises(FileFormatError, match="tagged 'defaults' \\(cell 4\\) comes after the "
                                              "'parameters' cell"):
        notebook_parameters(path)
