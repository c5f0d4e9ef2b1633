"""BG/BB on the donations data reproduces Fader, Hardie & Shang (2010)."""

from __future__ import annotations

import pytest

from crm_research import cases
from crm_research.data import cdnow

TOL = 0.01


def test_bgbb_donations_published_parameters():
    got = cases.fit_bgbb(cdnow.load_donations())
    for k, v in cases.PUBLISHED["bgbb"].items():
        assert got[k] == pytest.approx(v, rel=TOL), k
