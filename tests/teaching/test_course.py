"""The course pattern: objectives, exercises with checked solutions, student versions."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from crm_research import teaching
from crm_research.config import NOTEBOOKS_DIR

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
# notebooks being reshaped in other branches: their exercises come with them
PENDING: set[str] = set()


def _tagged(cell, tag):
    cell.metadata["tags"] = [tag]
    return cell


def tiny(n_exercises=2, with_solutions=True):
    cells = [
        new_markdown_cell("# question"),
        new_markdown_cell("### Learning objectives\n\n### Prerequisites"),
    ]
    for i in range(n_exercises):
        cells.append(_tagged(new_markdown_cell(f"**Exercise {i}.** do it"), "exercise"))
        if with_solutions:
            cells.append(_tagged(new_code_cell("x = 1\nassert x == 1"), "solution"))
    cells.append(new_markdown_cell("[Index](../reports/index.html)"))
    return new_notebook(cells=cells)


def test_student_version_drops_solutions_only():
    nb = tiny(3)
    student = teaching.student_version(nb)
    assert not any("solution" in teaching.tags(c) for c in student.cells)
    assert sum("exercise" in teaching.tags(c) for c in student.cells) == 3
    assert len(nb.cells) == len(student.cells) + 3  # the original is untouched


def test_course_problems():
    assert teaching.course_problems(tiny(2)) == []
    assert "1 exercises (expected 2–4)" in teaching.course_problems(tiny(1))
    assert "exercise 1 has no solution cell" in teaching.course_problems(
        tiny(2, with_solutions=False)
    )
    nb = tiny(2)
    nb.cells[3].source = "x = 1"  # a solution that checks nothing
    assert "exercise 1: its solution asserts nothing" in teaching.course_problems(nb)
    nb = tiny(2)
    del nb.cells[1]
    assert any("Learning objectives" in p for p in teaching.course_problems(nb))


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_has_objectives_exercises_and_checked_solutions(nb):
    if nb.stem in PENDING:
        pytest.xfail("exercises are added when the notebook's reshaping lands")
    assert teaching.course_problems(nbformat.read(nb, as_version=4)) == []


def test_student_versions_of_every_notebook_have_no_solutions(tmp_path):
    written = teaching.write_student_versions(NOTEBOOKS_DIR, tmp_path)
    assert [p.name for p in written] == [p.name for p in NOTEBOOKS]
    for p in written:
        nb = nbformat.read(p, as_version=4)
        assert not any("solution" in teaching.tags(c) for c in nb.cells), p.name
        assert nb.metadata["crm_research"]["student_version"] is True


def test_student_command_writes_notebooks_without_solutions(tmp_path, capsys):
    from crm_research import cli

    out = tmp_path / "class"
    assert cli.main(["student", str(out)]) == 0
    assert "without solutions" in capsys.readouterr().out
    assert sorted(p.name for p in out.glob("*.ipynb")) == [p.name for p in NOTEBOOKS]
    for p in out.glob("*.ipynb"):
        source = nbformat.read(NOTEBOOKS_DIR / p.name, as_version=4)
        nb = nbformat.read(p, as_version=4)
        assert not any("solution" in teaching.tags(c) for c in nb.cells), p.name
        exercises = [c for c in source.cells if "exercise" in teaching.tags(c)]
        assert sum("exercise" in teaching.tags(c) for c in nb.cells) == len(exercises)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "](../docs/" not in text  # repository links rewritten relative to the folder
    nb = nbformat.read(out / "00_crm_programme.ipynb", as_version=4)
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    docs = (NOTEBOOKS_DIR.parent / "docs" / "glossary.md").resolve()
    import os

    assert f"]({os.path.relpath(docs, out.resolve())}#kpi)" in md
    assert "(01_data_integration.ipynb)" in md  # notebooks side by side: links kept
    assert cli.main(["student", str(tmp_path / "one"), "--only", "07"]) == 0
    assert [p.name for p in (tmp_path / "one").iterdir()] == ["07_review.ipynb"]
    assert cli.main(["student", str(tmp_path / "none"), "--only", "99"]) == 2
