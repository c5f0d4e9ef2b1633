"""Published numbers in one place and the side-by-side reproduction table."""

from __future__ import annotations

import pytest

from crm_research import cases

TOL = 0.01


def test_reproduction_table_pass_fail():
    t = cases.reproduction_table([("s", "x", 1.0, 1.005), ("s", "y", 2.0, 2.1)], tolerance=0.01)
    assert t["pass"].tolist() == [True, False]
    assert t["relative difference"].iloc[1] == pytest.approx(0.05)


def test_published_numbers_in_one_place():
    assert set(cases.PUBLISHED) == set(cases.PUBLISHED_SOURCES)
    assert cases.SBG_PUBLISHED["high end"] == (
        cases.PUBLISHED["sbg high end"]["alpha"],
        cases.PUBLISHED["sbg high end"]["beta"],
    )
    computed = {
        "bgnbd": {k: v * 1.005 for k, v in cases.PUBLISHED["bgnbd"].items()},
        "bgbb": {k: v * 1.02 for k, v in cases.PUBLISHED["bgbb"].items()},
    }
    rep = cases.published_comparison(computed, tolerance=0.01)
    assert len(rep) == 8 and set(rep["source"]) == {"FHL 2005a BG/NBD", "FHS 2010 BG/BB"}
    assert rep.loc[rep["source"] == "FHL 2005a BG/NBD", "pass"].all()
    assert not rep.loc[rep["source"] == "FHS 2010 BG/BB", "pass"].any()
