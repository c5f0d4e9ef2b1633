"""Pseudonymous ids: keyed by a salt from the environment or a local, git-ignored file."""

from __future__ import annotations

import stat
import subprocess

import pandas as pd
import pytest

from crm_research import privacy
from crm_research.config import PROJ_ROOT


def test_salt_from_environment_changes_every_id(monkeypatch):
    monkeypatch.setenv("CRM_RESEARCH_SALT", "a" * 32)
    a = privacy.pseudonymize(["C000001", "C000002", None, "C000001"])
    assert a.iloc[0] == a.iloc[3] != a.iloc[1] and pd.isna(a.iloc[2])
    assert a.iloc[0].startswith("P") and len(a.iloc[0]) == 17 and "C000001" not in a.iloc[0]
    monkeypatch.setenv("CRM_RESEARCH_SALT", "b" * 32)
    assert privacy.pseudonymize(["C000001"]).iloc[0] != a.iloc[0]


def test_short_salt_is_refused(monkeypatch):
    monkeypatch.setenv("CRM_RESEARCH_SALT", "short")
    with pytest.raises(
        ValueError, match="CRM_RESEARCH_SALT: the salt must have at least 16 characters"
    ):
        privacy.pseudonymize(["C1"])


def test_local_salt_file_is_created_private_and_reused(monkeypatch, tmp_path):
    monkeypatch.delenv("CRM_RESEARCH_SALT", raising=False)
    monkeypatch.setenv("CRM_RESEARCH_DATA_DIR", str(tmp_path))
    first = privacy.pseudonymize(["C000001"]).iloc[0]
    f = tmp_path / ".salt"
    assert stat.S_IMODE(f.stat().st_mode) == 0o600 and len(f.read_text()) == 64
    assert privacy.pseudonymize(["C000001"]).iloc[0] == first


def test_the_default_salt_file_is_never_committed():
    out = subprocess.run(["git", "check-ignore", "-q", "data/.salt"], cwd=PROJ_ROOT)
    assert out.returncode == 0
