"""The book: staged from the notebooks, built with Sphinx, every local link resolves."""

from __future__ import annotations

import nbformat
import pytest

from crm_research import programme
from crm_research.config import NOTEBOOKS_DIR
from crm_research.teaching import site as book


def test_exercise_box_and_link_rewriting():
    box = book.exercise_box("**Exercise 1 — a goal.** Change `x`.")
    assert (
        box.startswith(":::{admonition} Exercise 1 — a goal\n:class: tip") and "Change `x`." in box
    )
    md = book._markdown_for_book(
        '[g](../docs/glossary.md#kpi) [Index](../reports/index.html) · Next\n<a id="ko-01"></a>'
    )
    assert md == "[g](glossary.md#kpi) Next\n(ko-01)="


def test_stage_follows_the_chapter_order_and_folds_solutions(tmp_path):
    included = book.stage(tmp_path / "src", reports=tmp_path / "no-reports")
    expected = [s for s in programme.chapter_order() if (NOTEBOOKS_DIR / f"{s}.ipynb").exists()]
    assert included == expected
    index = (tmp_path / "src" / "index.md").read_text()
    assert all(s in index for s in included) and "| 10 | Review |" in index
    nb = nbformat.read(tmp_path / "src" / "00_crm_programme.ipynb", as_version=4)
    sols = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    assert sols and all("hide-input" in c.metadata["tags"] for c in sols)
    assert any(c.source.startswith(":::{admonition}") for c in nb.cells)
    assert "no executed notebook was found" in nb.cells[1].source
    student = book.stage(tmp_path / "student", reports=tmp_path / "no-reports", student=True)
    nb = nbformat.read(tmp_path / "student" / f"{student[0]}.ipynb", as_version=4)
    assert not any("solution" in c.metadata.get("tags", []) for c in nb.cells)


@pytest.mark.slow
def test_book_builds_and_its_links_resolve(tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_nb")
    pytest.importorskip("sphinx_book_theme")
    index = book.build(tmp_path / "site", reports=tmp_path / "no-reports", use_executed=False)
    site = index.parent
    assert index.exists() and (site / "glossary.html").exists() and (site / "search.html").exists()
    for stem in programme.chapter_order():
        if (NOTEBOOKS_DIR / f"{stem}.ipynb").exists():
            assert (site / f"{stem}.html").exists(), stem
    assert book.broken_links(site) == []
    warnings = (site / "build-warnings.txt").read_text()
    assert "WARNING" not in warnings, warnings[:2000]
    page = (site / "00_crm_programme.html").read_text()
    assert "admonition" in page and 'rel="next"' in page
