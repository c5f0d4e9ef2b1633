"""E-mail addresses: syntax check (``email_validator``, no DNS) and class of each address
(valid, bounced, invalid syntax, missing), vectorised over distinct addresses and domains.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from email_validator import EmailNotValidError, validate_email

EMAIL_CLASSES = ("valid", "bounced", "invalid_syntax", "missing")


@cache
def _email_ok(raw: str) -> str | None:
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


# an ASCII dot-atom local part (what email_validator accepts for these characters); the domain of
# such an address is then checked once per distinct domain with email_validator itself
_SIMPLE_EMAIL = r"^(?P<local>[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)@(?P<domain>[A-Za-z0-9.-]+)$"


def _arrow(s: pd.Series):
    """A text Series as a pyarrow string array (missing → null), for vectorised RE2 matching."""

    return pa.array(s.astype("string").to_numpy(dtype=object, na_value=None), pa.string())


def email_syntax_ok(emails: pd.Series) -> pd.Series:
    """Whether each e-mail address is syntactically valid (``email_validator``, no DNS); False
    when missing. Each distinct address is checked once: simple ASCII addresses by their local
    part's pattern and their domain (validated once per distinct domain), the rest one by one."""

    s = emails.astype("string").str.strip()
    uniq = pd.Series(s[s.notna() & (s != "")].unique(), dtype="string")
    parts = pc.extract_regex(_arrow(uniq), _SIMPLE_EMAIL)
    local, dom = pc.struct_field(parts, "local"), pc.struct_field(parts, "domain")
    simple = pc.fill_null(
        pc.and_(
            pc.less_equal(pc.utf8_length(local), 64),
            pc.less_equal(pc.utf8_length(_arrow(uniq)), 254),
        ),
        False,
    ).to_numpy(zero_copy_only=False)
    ok = np.zeros(len(uniq), dtype=bool)
    doms = pd.Series(dom.to_numpy(zero_copy_only=False)[simple], dtype=object)
    dom_ok = {d: _email_ok("a@" + d) is not None for d in doms.unique()}
    ok[simple] = doms.map(dom_ok).to_numpy(bool)
    ok[~simple] = [_email_ok(x) is not None for x in uniq[~simple]]
    valid = pa.array(uniq.to_numpy(dtype=object)[ok], pa.string())
    hit = pc.fill_null(pc.is_in(_arrow(s), value_set=valid), False)
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=emails.index)


def classify_email(emails: pd.Series, bounced: pd.Series | None = None) -> pd.Series:
    """Class of each e-mail address: ``valid``, ``bounced`` (last send hard-bounced),
    ``invalid_syntax`` or ``missing``. ``bounced`` is a boolean Series aligned with ``emails``."""
    s = emails.astype("string").str.strip()
    present = (s.notna() & (s != "")).fillna(False).to_numpy(bool)
    ok = email_syntax_ok(emails).to_numpy(bool)
    cls = np.select([~present, ok], ["missing", "valid"], "invalid_syntax")
    if bounced is not None:
        b = bounced.fillna(False).astype(bool).to_numpy()
        cls[(cls == "valid") & b] = "bounced"
    return pd.Series(pd.array(cls, dtype="string"), index=emails.index)
