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


@pytest.fixture(scope="session")
def small_world_db(small_world, small_world_folder, tmp_path_factory):
    """The small world integrated into a customer database (read it with read_only=True)."""
    from crm_research import integrate

    db = tmp_path_factory.mktemp("worlddb") / "crm.duckdb"
    integrate.build_customer_db(small_world_folder, db_path=db, as_of=small_world.as_of, seed=1)
    return db


@pytest.fixture(scope="session")
def small_dataset_dir(tmp_path_factory):
    """A data folder holding the customer database of the dataset ``simulated`` with 2,000
    people and seed 7 (the small world), built once through :mod:`crm_research.data.datasets`.
    Copy its ``processed/`` folder into a test's own data folder."""
    import os

    from crm_research.data import datasets

    root = tmp_path_factory.mktemp("datasets")
    old = os.environ.get("CRM_RESEARCH_DATA_DIR")
    os.environ["CRM_RESEARCH_DATA_DIR"] = str(root)
    try:
        ds = datasets.resolve("simulated", n_people=2_000, seed=7)
        datasets.ensure(ds, echo=lambda *a, **k: None)
    finally:
        if old is None:
            del os.environ["CRM_RESEARCH_DATA_DIR"]
        else:
            os.environ["CRM_RESEARCH_DATA_DIR"] = old
    return root
