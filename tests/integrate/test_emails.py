"""E-mail addresses: classes with bounces, the vectorised syntax check against email_validator."""

from __future__ import annotations

import pandas as pd

from crm_research.data.reader import validate_folder
from crm_research.integrate import emails as ig


def test_classify_email_with_bounces():
    emails = pd.Series(["a.kim@naver.com", "b.lee@gmail.com", "broken.naver.com", None, "x@@y"])
    bounced = pd.Series([False, True, False, False, False])
    assert ig.classify_email(emails, bounced).tolist() == [
        "valid",
        "bounced",
        "invalid_syntax",
        "missing",
        "invalid_syntax",
    ]


EMAIL_SPELLINGS = [
    "a.kim@naver.com",
    "broken.naver.com",
    "x@@y",
    "a@localhost",
    "a@b.test",
    "a..b@naver.com",
    ".a@naver.com",
    "a@-naver.com",
    "a@naver",
    "a@naver.c0m",
    "a@xn--abc.com",
    "a@ab--cd.com",
    "한글@naver.com",
    "a+b@daum.net",
    "A.Kim@NAVER.COM",
    "a@naver..com",
    "a@123.45",
    "a" * 65 + "@naver.com",
    "a@naver.com.",
    " a@b.co ",
    "kim@네이버.com",
    '"a b"@naver.com',
]


def test_vectorised_email_syntax_equals_email_validator(small_world_folder, small_world):
    val = validate_folder(small_world_folder, as_of=small_world.as_of)
    emails = list(val["members"].accepted["email"]) + list(val["web_accounts"].accepted["email"])
    s = pd.Series(EMAIL_SPELLINGS + emails + [None, ""], dtype=object)
    want = [
        isinstance(x, str) and x.strip() != "" and ig._email_ok(x.strip()) is not None for x in s
    ]
    assert ig.email_syntax_ok(s).tolist() == want
