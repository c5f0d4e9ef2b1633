"""Fixtures of the tests of crm_research.reporting."""

from __future__ import annotations

import pytest

from tests.reporting.helpers import GOOD_BODY, make_nb


@pytest.fixture
def nbdir(tmp_path):
    d = tmp_path / "notebooks"
    d.mkdir()
    make_nb(d / "01_first.ipynb", GOOD_BODY)
    make_nb(d / "02_second.ipynb", "y = 2", params="y0 = 0")
    (d / "scratch.ipynb").write_text("{}")  # not NN_*: ignored
    return d
