"""The report runner: parameters are checked, failures are loud and harmless."""

from __future__ import annotations

import json

import nbformat
import pytest

from crm_research import cli
from crm_research.reporting.navigation import fill_slots
from tests.reporting.helpers import make_nb, run


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
