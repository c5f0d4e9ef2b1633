"""Shared fixtures: small simulated worlds (session-scoped, they take a few seconds)."""

from __future__ import annotations

import pytest

from crm_research.data.simulator import simulate_world


@pytest.fixture(scope="session")
def small_world():
    return simulate_world(2_000, seed=7)


@pytest.fixture(scope="session")
def small_world_folder(small_world, tmp_path_factory):
    return small_world.write(tmp_path_factory.mktemp("world"))
