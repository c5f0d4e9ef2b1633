"""Identity resolution: quality against the simulator's truth, and seeded."""

from __future__ import annotations

import pandas as pd

from crm_research import integrate as ig
from crm_research.data.reader import validate_folder


def test_identity_resolution_against_truth(built):
    s = built.scores
    assert s["precision"] > 0.99
    assert s["f1"] > 0.93  # the default 20,000-person world reaches 0.977 (notebook 01)


def test_identity_resolution_is_seeded(small_world, small_world_folder, built):
    val = validate_folder(small_world_folder, as_of=small_world.as_of)
    again = ig.resolve_identities(ig.identity_records(val), seed=1)
    pd.testing.assert_frame_equal(
        built.resolution.clusters.reset_index(drop=True), again.clusters.reset_index(drop=True)
    )
