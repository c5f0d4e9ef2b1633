"""Fixtures shared by the segmentation tests: customer features of the small simulated world."""

from __future__ import annotations

import pytest

from crm_research import segment
from crm_research.data import engine


@pytest.fixture(scope="package")
def world_db(small_world_db):
    return small_world_db


@pytest.fixture(scope="package")
def features(world_db):
    con = engine.connect(world_db, read_only=True)
    f = segment.customer_features(con, "2025-12-31 23:59:59")
    truth = segment.true_segments(con, f.index)
    con.disconnect()
    return f, truth
