"""Phone numbers: classes and national digits, the vectorised classifier against libphonenumber."""

from __future__ import annotations

import pandas as pd
import pytest

from crm_research.data.reader import validate_folder
from crm_research.integrate import phones as ig


@pytest.mark.parametrize(
    "raw,cls,digits",
    [
        ("010-1234-5678", "mobile_010", "01012345678"),
        ("+82 10 1234 5678", "mobile_010", "01012345678"),
        ("01012345678", "mobile_010", "01012345678"),
        ("016-123-4567", "legacy_mobile", "0161234567"),
        ("011-9876-5432", "legacy_mobile", "01198765432"),
        ("019-555-1234", "legacy_mobile", "0195551234"),
        ("02-123-4567", "landline", "021234567"),
        ("031-123-4567", "landline", "0311234567"),
        ("010-123-456", "invalid", "010123456"),
        ("not a number", "invalid", None),
        (None, "missing", None),
        ("", "missing", None),
    ],
)
def test_classify_phone(raw, cls, digits):
    out = ig.classify_phone(pd.Series([raw], dtype=object))
    assert out["phone_class"].iloc[0] == cls
    got = out["phone_digits"].iloc[0]
    assert (pd.isna(got) and digits is None) or got == digits


PHONE_SPELLINGS = [
    "010-1234-5678",
    "+82 10 1234 5678",
    "+82-10-1234-5678",
    "01012345678",
    "010 1234 5678",
    "010.1234.5678",
    "016-123-4567",
    "011-9876-5432",
    "019-555-1234",
    "02-123-4567",
    "031-123-4567",
    "0311234567",
    "064-123-4567",
    "070-1234-5678",
    "080-123-4567",
    "0801234567",
    "060-123-4567",
    "0505-123-4567",
    "1588-1234",
    "02-0123-4567",
    "012-345-6789",
    "010-123-456",
    "010-5959-1234",
    "010-1059-71234",
    "+82 2 123 4567",
    "+1 212 555 1234",
    "(02) 123-4567",
    "0 10 1234 5678",
    "00112345678901",
    "+82 010 1234 5678",
    "not a number",
    "010-1234-567a",
]


def test_vectorised_phone_classes_equal_libphonenumber(small_world_folder, small_world):
    """The vectorised classifier agrees with phonenumbers.parse on hand-picked spellings and on
    every phone number of the small world."""
    val = validate_folder(small_world_folder, as_of=small_world.as_of)
    phones = [
        p for t in ("members", "cc_customers", "web_accounts") for p in val[t].accepted["phone"]
    ]
    s = pd.Series(PHONE_SPELLINGS + phones, dtype=object).dropna().drop_duplicates()
    got = ig.classify_phone(s)
    want = [ig._phone_info(x.strip()) for x in s]
    assert got["phone_class"].tolist() == [c for c, _ in want]
    assert [None if pd.isna(d) else d for d in got["phone_digits"]] == [d for _, d in want]
