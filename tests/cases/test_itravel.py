"""The iTRAVEL re-enactment: the arithmetic of the published changes and their estimate."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_research import cases


def test_itravel_arithmetic_and_estimate():
    imp = cases.itravel_implications(4, -2 / 3, 0.0)
    assert imp["call volume"] == pytest.approx(4 / 3) and imp["cost per booking"] == pytest.approx(
        1 / 3
    )
    assert cases.itravel_implications(4, -2 / 3, 1.0)["cost per booking"] == pytest.approx(0.25)
    est = cases.itravel_estimate(cases.itravel_panel(seed=3))
    assert est["ci low"] <= -2 / 3 <= est["ci high"]
    assert est["bookings multiple"] == pytest.approx(4, rel=0.02)
    assert isinstance(cases.itravel_sensitivity(), pd.DataFrame)
