"""Pseudonymous ids for anything shown outside the customer database.

Reports show aggregates; where a report (or an export for another team) must show individual
customers, it shows :func:`pseudonymize` of the id: a keyed hash (HMAC-SHA-256) with a secret
salt, so the shown id cannot be joined back to the database, or to another installation's
reports, without the salt. The salt comes from the environment variable ``CRM_RESEARCH_SALT`` or
from a local file ``data/.salt`` (git-ignored; created with a random value on first use, readable
by its owner only) — never from the repository.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

import pandas as pd

from crm_research.config import data_dir

MIN_SALT_CHARS = 16


def salt_path():
    return data_dir() / ".salt"


def salt() -> bytes:
    """The installation's secret salt (environment first, else the local file)."""
    value = os.environ.get("CRM_RESEARCH_SALT")
    origin = "CRM_RESEARCH_SALT"
    if value is None:
        path = salt_path()
        origin = str(path)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
        value = path.read_text().strip()
    if len(value) < MIN_SALT_CHARS:
        raise ValueError(f"{origin}: the salt must have at least {MIN_SALT_CHARS} characters")
    return value.encode()


def pseudonymize(ids: pd.Series | list, *, length: int = 16) -> pd.Series:
    """``P`` + the first ``length`` hex digits of HMAC-SHA-256(salt, id), per id (missing stays
    missing). Deterministic for one salt, unlinkable without it."""
    key = salt()
    s = pd.Series(ids)
    out = [
        None
        if pd.isna(x)
        else "P" + hmac.new(key, str(x).encode(), hashlib.sha256).hexdigest()[:length]
        for x in s
    ]
    return pd.Series(out, index=s.index, name=s.name, dtype="string")
