"""Records to customers: exact unique-identifier links."""

from __future__ import annotations

import pandas as pd

from crm_research import integrate as ig


def test_deterministic_links_skip_landlines_and_bad_emails():
    rec = pd.DataFrame(
        {
            "unique_id": ["a", "b", "c", "d", "e", "f"],
            "email": ["x@naver.com", "x@naver.com", None, None, "bad", "bad"],
            "phone_digits": ["021234567", "021234567", "01011112222", "01011112222", None, None],
            "phone_class": [
                "landline",
                "landline",
                "mobile_010",
                "mobile_010",
                "missing",
                "missing",
            ],
        }
    )
    links = ig.deterministic_links(rec)
    pairs = {tuple(sorted(p)) for p in links[["unique_id_l", "unique_id_r"]].to_numpy()}
    assert pairs == {("a", "b"), ("c", "d")}
