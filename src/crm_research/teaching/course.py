"""The course pattern of the notebooks: objectives, exercises, checked solutions, student versions.

Every notebook has, right after its first cell, a Markdown cell with the headings **Learning
objectives** and **Prerequisites**; and at its end, before the navigation cell, 2–4 exercises:
Markdown cells tagged ``exercise``, each followed by a code cell tagged ``solution`` that computes
the answer with package functions and asserts it, so every run of the notebook checks every
solution. A solution that needs the simulator's truth guards with the dataset's capabilities and
says so.

:func:`student_version` drops the solutions (the exercises stay); :func:`write_student_versions`
writes a student copy of every notebook; :func:`student_notebooks` does so for a chosen folder
(``crm-research student OUT_DIR``, ``crm-research report --student``), with links to the
repository's documents made to work from there; :func:`course_problems` lists what a notebook
lacks.
"""

from __future__ import annotations

import copy
import re
import tempfile
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from crm_research.reporting.navigation import rebase_links

EXERCISE, SOLUTION = "exercise", "solution"
NOTEBOOK_RE = re.compile(r"^\d\d_[\w-]+\.ipynb$")


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def student_version(nb: NotebookNode) -> NotebookNode:
    """A copy of ``nb`` without the cells tagged ``solution`` (exercises kept, outputs of the
    remaining cells kept as they are)."""
    out = copy.deepcopy(nb)
    out.cells = [c for c in out.cells if SOLUTION not in tags(c)]
    out.metadata.setdefault("crm_research", {})["student_version"] = True
    return out


def write_student_versions(notebooks_dir: str | Path, out_dir: str | Path) -> list[Path]:
    """Write the student version of every ``NN_*.ipynb`` in ``notebooks_dir`` to ``out_dir``
    (same names); returns the written paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for p in sorted(Path(notebooks_dir).glob("*.ipynb")):
        if not NOTEBOOK_RE.match(p.name):
            continue
        nb = nbformat.read(p, as_version=4)
        target = out_dir / p.name
        nbformat.write(student_version(nb), target)
        written.append(target)
    return written


def student_notebooks(
    notebooks_dir: str | Path, out_dir: str | Path, only: list[str] | None = None
) -> list[Path]:
    """Student versions (:func:`student_version`: no ``solution`` cells, outputs as in the
    source, i.e. none for the stripped notebooks of the repository) of the notebooks in
    ``notebooks_dir`` — those whose ``NN`` or stem is in ``only``, or all — written to
    ``out_dir``. Links to other notebooks stay (the copies sit side by side); links to files of
    the repository (``../docs/glossary.md``) are rewritten relative to ``out_dir``. Returns the
    written paths."""
    with tempfile.TemporaryDirectory() as tmp:
        written = []
        for p in write_student_versions(notebooks_dir, tmp):
            if only and not (p.name[:2] in only or p.stem in only):
                continue
            nb = nbformat.read(p, as_version=4)
            rebase_links(nb, Path(notebooks_dir), Path(out_dir), to_html=False)
            Path(out_dir).mkdir(parents=True, exist_ok=True)
            target = Path(out_dir) / p.name
            nbformat.write(nb, target)
            written.append(target)
    return written


def exercises(nb: NotebookNode) -> list[tuple[str, list[str]]]:
    """Each exercise's Markdown with the sources of the solution cells that follow it (up to the
    next exercise or the end)."""
    out: list[tuple[str, list[str]]] = []
    for c in nb.cells:
        t = tags(c)
        if EXERCISE in t:
            out.append((c.source, []))
        elif SOLUTION in t and out:
            out[-1][1].append(c.source)
    return out


def course_problems(
    nb: NotebookNode, *, min_exercises: int = 2, max_exercises: int = 4
) -> list[str]:
    """What ``nb`` lacks of the course pattern (empty when complete)."""
    problems = []
    top = nb.cells[1] if len(nb.cells) > 1 else None
    if not (
        top is not None
        and top.cell_type == "markdown"
        and "learning objectives" in top.source.lower()
        and "prerequisites" in top.source.lower()
    ):
        problems.append("no 'Learning objectives' and 'Prerequisites' cell right after the first")
    ex = exercises(nb)
    if not min_exercises <= len(ex) <= max_exercises:
        problems.append(f"{len(ex)} exercises (expected {min_exercises}–{max_exercises})")
    for i, (_text, sols) in enumerate(ex, 1):
        if not sols:
            problems.append(f"exercise {i} has no solution cell")
        elif not any(re.search(r"^\s*assert\b", s, flags=re.M) for s in sols):
            problems.append(f"exercise {i}: its solution asserts nothing")
    for c in nb.cells:
        if EXERCISE in tags(c) and c.cell_type != "markdown":
            problems.append("an exercise cell is not Markdown")
        if SOLUTION in tags(c) and c.cell_type != "code":
            problems.append("a solution cell is not code")
    if nb.cells and SOLUTION in tags(nb.cells[-1]):
        problems.append("the last cell is a solution (the navigation cell should stay last)")
    return problems
