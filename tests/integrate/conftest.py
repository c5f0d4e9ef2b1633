"""Fixtures of the integration tests: the small world's customer database, built once."""

from __future__ import annotations

import pytest

from crm_research import integrate as ig


@pytest.fixture(scope="package")
def built(small_world, small_world_folder, tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "crm.duckdb"
    return ig.build_customer_db(small_world_folder, db_path=db, as_of=small_world.as_of, seed=1)
