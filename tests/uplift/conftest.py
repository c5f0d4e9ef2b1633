"""Fixtures shared by the uplift tests: the Hillstrom campaign."""

from __future__ import annotations

import pytest

from crm_research import uplift as u


@pytest.fixture(scope="package")
def hillstrom():
    return u.load_hillstrom()
