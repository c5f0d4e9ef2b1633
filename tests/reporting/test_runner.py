"""The report runner: parameters are checked, failures are loud and harmless."""

from __future__ import annotations

import json

import nbformat
import pytest

from crm_research import cli
from crm_research.reporting import execution, runs
from crm_research.reporting.navigation import fill_slots
from crm_research.reporting.parameters import (
    ParameterError,
    declared_parameters,
    resolve_parameters,
)
from tests.reporting.helpers import GOOD_BODY, kernel_processes, make_nb


@pytest.fixture
def nbdir(tmp_path):
    d = tmp_path / "notebooks"
    d.mkdir()
    make_nb(d / "01_first.ipynb", GOOD_BODY)
    make_nb(d / "02_second.ipynb", "y = 2", params="y0 = 0")
    (d / "scratch.ipynb").write_text("{}")  # not NN_*: ignored
    return d


def run(nbdir, out, *args):
    return cli.main(
        [
            "report",
            "--notebooks-dir",
            str(nbdir),
            "--reports-dir",
            str(out),
            "--timeout",
            "120",
            *args,
        ]
    )


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
    assert resolve_parameters([nb], overrides=["x=2025-09-30", "fail=2025-09-30 10:00:00"])[
        "01_first"
    ] == {"x": "2025-09-30", "fail": "2025-09-30 10:00:00"}
    f = tmp_path / "p.yaml"
    f.write_text("all: {x: 2025-06-30}\n")
    assert resolve_parameters([nb], yaml_file=f)["01_first"] == {"x": "2025-06-30"}


def test_yaml_parameters(nbdir, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("all:\n  x: 4\n'02':\n  y0: 1\n")
    assert resolve_parameters(sorted(nbdir.glob("0*.ipynb")), f) == {
        "01_first": {"x": 4},
        "02_second": {"y0": 1},
    }


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


def test_report_student_writes_notebooks_without_solutions(nbdir, tmp_path, capsys):
    nb = nbformat.read(nbdir / "02_second.ipynb", as_version=4)
    nb.cells.append(
        nbformat.v4.new_markdown_cell("**Exercise.** y?", metadata={"tags": ["exercise"]})
    )
    nb.cells.append(nbformat.v4.new_code_cell("assert y == 2", metadata={"tags": ["solution"]}))
    nbformat.write(nb, nbdir / "02_second.ipynb")
    out = tmp_path / "reports"
    assert run(nbdir, out, "--only", "02", "--student") == 0
    assert "student notebook(s) without solutions" in capsys.readouterr().out
    assert [p.name for p in (out / "student").iterdir()] == ["02_second.ipynb"]
    student = nbformat.read(out / "student" / "02_second.ipynb", as_version=4)
    assert [c.metadata.get("tags", []) for c in student.cells][-1] == ["exercise"]
    assert not any("solution" in c.metadata.get("tags", []) for c in student.cells)
    executed = nbformat.read(out / "02_second.ipynb", as_version=4)
    assert executed.cells[-2].source == "assert y == 2"  # the report keeps them


@pytest.mark.slow
def test_failure_keeps_last_good_html_and_exits_non_zero(nbdir, tmp_path):
    out = tmp_path / "reports"
    assert run(nbdir, out, "--only", "01") == 0
    good = (out / "01_first.html").read_text()
    assert run(nbdir, out, "--only", "01", "-p", "fail=True") == 1
    kept = (out / "01_first.html").read_text()
    assert fill_slots(kept, "", "") == fill_slots(good, "", "")  # the report itself is untouched
    assert "This is the last good report: the latest run of this notebook failed" in kept
    status = json.loads((out / "status.json").read_text())["01_first"]
    assert status["status"] == "failed" and "planned failure" in status["error"]
    assert status["html"] == "01_first.html"  # index still links the last good report
    index = (out / "index.html").read_text()
    assert "planned failure" in index and "The link shows the last good report" in index
    assert not list(out.glob(".tmp-*"))  # no temporary leftovers


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


def test_bare_call_prints_help_and_version(capsys):
    assert cli.main([]) == 0
    assert "report" in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        cli.main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out.startswith("crm-research ")
    with pytest.raises(SystemExit):
        cli.main(["report", "--help"])
    helptext = capsys.readouterr().out
    assert "examples:" in helptext and "--as-of 2025-12-31" in helptext and "74" in helptext


def test_list_shows_parameters_with_defaults_and_meaning(tmp_path, capsys):
    nb = tmp_path / "01_first.ipynb"
    make_nb(nb, "1", params="x = 1  # how many things\nname = 'a'  # the name")
    nbf = nbformat.read(nb, as_version=4)
    nbf.cells.insert(0, nbformat.v4.new_markdown_cell("# 01 · First\n\n**The question:** *why?*"))
    nbformat.write(nbf, nb)
    assert cli.main(["list", "--notebooks-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "01_first: 01 · First" in out and "Why?" in out
    assert "x = 1" in out and "how many things" in out and "name = 'a'" in out


def test_did_you_mean_and_keep_without_as_of(nbdir, tmp_path, capsys):
    nbs = sorted(nbdir.glob("0*.ipynb"))
    with pytest.raises(ParameterError, match="did you mean 'fail'"):
        resolve_parameters(nbs, overrides=["fial=1"])
    with pytest.raises(ParameterError, match="did you mean 'y0'"):
        resolve_parameters(nbs, overrides=["02.y=1"])
    assert run(nbdir, tmp_path / "r", "--keep", "3") == 2
    assert "--keep applies to dated runs only" in capsys.readouterr().err


def test_kernel_is_the_project_kernel_or_this_environments(monkeypatch):
    assert execution.kernel_name() in ("crm-research", "python3")
    monkeypatch.setattr(execution, "KERNEL_NAME", "no-such-kernel-xyz")
    assert execution.kernel_name() == "python3"


def test_disk_errors_are_recognised():
    assert execution._is_disk_error("OSError: [Errno 28] No space left on device: '/r/x'")
    assert not execution._is_disk_error("RuntimeError: planned failure")


@pytest.mark.slow
def test_full_disk_stops_the_run_naming_the_folder(nbdir, tmp_path, monkeypatch, capsys):
    """The second notebook cannot be written: the run stops there (exit 74) with a message naming
    the folder; the first report stays; no temporary folder is left."""
    import errno

    out = tmp_path / "reports"
    real = execution._export

    def export(book, hide_code):
        if book.metadata.get("title", "").startswith("02"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(book, hide_code)

    monkeypatch.setattr(execution, "_export", export)
    make_nb(nbdir / "03_third.ipynb", "z = 3", params="z0 = 0")
    assert run(nbdir, out) == 74
    err = capsys.readouterr()
    assert f"cannot write reports to {out}: No space left on device" in err.err
    assert "03_third" not in err.out  # stopped at the first failure
    assert (out / "01_first.html").exists() and not (out / "02_second.html").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp")]


def test_leftovers_of_a_killed_run_are_removed(tmp_path):
    (tmp_path / ".tmp-01_first-abc").mkdir()
    (tmp_path / ".01_old-xyz").mkdir()
    run_dir = tmp_path / "runs" / "2025-12-31_x"
    (run_dir / ".tmp-02_second-q").mkdir(parents=True)
    (run_dir / "status.json.tmp").write_text("{")
    (tmp_path / "keep.html").write_text("x")
    said = []
    assert len(runs.remove_leftovers(tmp_path, echo=said.append)) == 4
    assert [p.name for p in tmp_path.iterdir()] == ["runs", "keep.html"] or sorted(
        p.name for p in tmp_path.iterdir()
    ) == ["keep.html", "runs"]
    assert list(run_dir.iterdir()) == [] and "interrupted run" in said[0]
