"""The report runner: parameters are checked, failures are loud and harmless."""

from __future__ import annotations

import json

import nbformat
import pytest

from crm_research import cli
from crm_research.report import ParameterError, declared_parameters, resolve_parameters


def make_nb(path, body: str, params: str | None = "x = 1\nfail = False"):
    nb = nbformat.v4.new_notebook()
    cells = []
    if params is not None:
        cells.append(nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]}))
    cells.append(nbformat.v4.new_code_cell(body))
    nb.cells = cells
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


GOOD_BODY = (
    "from crm_research.report import headline\n"
    "if fail:\n    raise RuntimeError('planned failure')\n"
    "headline('Answer', x * 2)\nprint('value', x * 2)"
)


@pytest.fixture
def nbdir(tmp_path):
    d = tmp_path / "notebooks"
    d.mkdir()
    make_nb(d / "01_first.ipynb", GOOD_BODY)
    make_nb(d / "02_second.ipynb", "y = 2", params="y0 = 0")
    (d / "scratch.ipynb").write_text("{}")  # not NN_*: ignored
    return d


def run(nbdir, out, *args):
    return cli.main(["report", "--notebooks-dir", str(nbdir), "--reports-dir", str(out), "--timeout", "120", *args])  # fmt: skip


def test_declared_parameters(nbdir):
    assert declared_parameters(nbdir / "01_first.ipynb") == {"x": 1, "fail": False}


def test_notebook_without_parameters_cell_is_refused(tmp_path):
    make_nb(tmp_path / "01_none.ipynb", "1", params=None)
    with pytest.raises(ParameterError, match="exactly one cell tagged 'parameters', found 0"):
        declared_parameters(tmp_path / "01_none.ipynb")


def test_undeclared_parameter_is_refused(nbdir):
    nbs = sorted(nbdir.glob("0*.ipynb"))
    with pytest.raises(ParameterError, match="declares no parameter 'z'"):
        resolve_parameters(nbs, overrides=["01.z=3"])
    with pytest.raises(ParameterError, match="no selected notebook declares a parameter 'z'"):
        resolve_parameters(nbs, overrides=["z=3"])
    got = resolve_parameters(nbs, overrides=["x=5", "02.y0=7"])
    assert got == {"01_first": {"x": 5}, "02_second": {"y0": 7}}


def test_dates_are_passed_as_iso_strings(nbdir, tmp_path):
    nb = nbdir / "01_first.ipynb"
    assert resolve_parameters([nb], overrides=["x=2025-09-30", "fail=2025-09-30 10:00:00"])["01_first"] == {"x": "2025-09-30", "fail": "2025-09-30 10:00:00"}  # fmt: skip
    f = tmp_path / "p.yaml"
    f.write_text("all: {x: 2025-06-30}\n")
    assert resolve_parameters([nb], yaml_file=f)["01_first"] == {"x": "2025-06-30"}


def test_yaml_parameters(nbdir, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("all:\n  x: 4\n'02':\n  y0: 1\n")
    assert resolve_parameters(sorted(nbdir.glob("0*.ipynb")), f) == {"01_first": {"x": 4}, "02_second": {"y0": 1}}  # fmt: skip


def test_cli_refuses_undeclared_parameter_before_running(nbdir, tmp_path, capsys):
    out = tmp_path / "reports"
    assert run(nbdir, out, "-p", "nope=1") == 2
    assert "no selected notebook declares a parameter 'nope'" in capsys.readouterr().err
    assert not (out / "01_first.html").exists()


@pytest.mark.slow
def test_run_writes_html_index_footer_and_headlines(nbdir, tmp_path):
    out = tmp_path / "reports"  # does not exist yet: the runner creates it
    assert run(nbdir, out, "-p", "x=21") == 0
    html = (out / "01_first.html").read_text()
    assert "value 42" in html
    assert "Package versions" in html and "git commit" in html and "x=21" in html
    status = json.loads((out / "status.json").read_text())
    assert status["01_first"]["headlines"] == [{"label": "Answer", "value": "42"}]
    index = (out / "index.html").read_text()
    assert "01_first" in index and "02_second" in index and "Answer" in index


@pytest.mark.slow
def test_failure_keeps_last_good_html_and_exits_non_zero(nbdir, tmp_path):
    out = tmp_path / "reports"
    assert run(nbdir, out, "--only", "01") == 0
    good = (out / "01_first.html").read_text()
    assert run(nbdir, out, "--only", "01", "-p", "fail=True") == 1
    assert (out / "01_first.html").read_text() == good  # untouched
    status = json.loads((out / "status.json").read_text())["01_first"]
    assert status["status"] == "failed" and "planned failure" in status["error"]
    assert status["html"] == "01_first.html"  # index still links the last good report
    index = (out / "index.html").read_text()
    assert "planned failure" in index and "showing the last good report" in index
    assert not list(out.glob(".01_first-*"))  # no temporary leftovers


def kernel_processes(since: float) -> list:
    import psutil

    procs = []
    for p in psutil.process_iter(["cmdline", "create_time"]):
        cmd = " ".join(p.info["cmdline"] or [])
        if "ipykernel_launcher" in cmd and p.info["create_time"] >= since:
            procs.append(p)
    return procs


@pytest.mark.slow
def test_timeout_kills_the_notebook_and_its_kernel(nbdir, tmp_path):
    import time

    make_nb(nbdir / "03_slow.ipynb", "import time\ntime.sleep(120)", params="s = 1")
    out = tmp_path / "reports"
    started = time.time() - 1
    t0 = time.perf_counter()
    assert run(nbdir, out, "--only", "03", "--timeout", "4") == 124  # "timed out", for schedulers
    assert time.perf_counter() - t0 < 60
    status = json.loads((out / "status.json").read_text())["03_slow"]
    assert status["status"] == "timeout" and status["error"].startswith("timed out after 4 s")
    assert not (out / "03_slow.html").exists()
    assert kernel_processes(started) == []
