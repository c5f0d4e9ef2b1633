"""The course order and the ten steps."""

from __future__ import annotations

from crm_research import programme
from crm_research.config import NOTEBOOKS_DIR


def test_ten_steps_cover_one_to_ten_and_name_existing_notebooks():
    table = programme.ten_steps_table()
    assert list(table.index) == [str(i) for i in range(1, 11)]
    stems = programme.chapter_order()
    for where in table["notebook"]:
        for nb in (w.strip() for w in where.split(",")):
            assert nb in stems
    assert stems == sorted(stems)  # the book's order is the runner's NN_ order
    for stem in ("00_crm_programme", "07_review"):
        assert (NOTEBOOKS_DIR / f"{stem}.ipynb").is_file()
