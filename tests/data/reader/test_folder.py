"""Validation: each bad-input kind gives its error or its quarantine reason; nothing is lost."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_research.data.reader import (
    CONTRACTS,
    InputFileError,
    RowValidationError,
    validate_file,
    validate_folder,
    validate_frame,
)

AS_OF = "2025-12-31 23:59:59"
HEADER = "order_id,member_id,ordered_at,amount_krw,channel"
GOOD = ["O1,M1,2024-01-02 10:00:00,12000,web", "O2,M2,2024-02-03 11:30:00,5000,app"]


def write(tmp_path, lines, name="orders.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return p


def only_reason(v):
    assert v.n_quarantined == 1, v.quarantine
    return v.quarantine["reason"].iloc[0]


def test_clean_file_all_accepted(tmp_path):
    v = validate_file(write(tmp_path, [HEADER, *GOOD]), "orders", as_of=AS_OF)
    assert (v.rows_in, len(v.accepted), v.n_quarantined) == (2, 2, 0)
    assert str(v.accepted["ordered_at"].dtype).startswith("datetime64")
    assert v.accepted["amount"].tolist() == [12000, 5000]


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError, match=r"orders\.csv: file not found"):
        validate_file(tmp_path / "orders.csv", "orders")


def test_empty_file(tmp_path):
    p = tmp_path / "orders.csv"
    p.write_bytes(b"")
    with pytest.raises(InputFileError, match="file is empty"):
        validate_file(p, "orders")


def test_header_only_is_valid_and_empty(tmp_path):
    v = validate_file(write(tmp_path, [HEADER]), "orders", as_of=AS_OF)
    assert (v.rows_in, len(v.accepted), v.n_quarantined) == (0, 0, 0)


def test_missing_column_names_file_and_column(tmp_path):
    p = write(tmp_path, ["order_id,member_id,amount_krw,channel", "O1,M1,5,web"])
    with pytest.raises(InputFileError) as e:
        validate_file(p, "orders")
    assert e.value.column == "ordered_at"
    assert "orders.csv, column 'ordered_at': missing required column(s) ordered_at" in str(e.value)


def test_optional_columns_may_be_absent(tmp_path):
    """Minimum input: customer id and purchase time; no order id means one order per row, no
    amount means missing amounts (not a quarantine), and both alias names are accepted."""
    p = write(
        tmp_path, ["customer_id,ordered_at", "M1,2024-01-02 10:00:00", "M1,2024-01-02 10:00:00"]
    )
    v = validate_file(p, "orders", as_of=AS_OF)
    assert (v.rows_in, len(v.accepted), v.n_quarantined) == (2, 2, 0)
    assert v.accepted["order_id"].tolist() == ["L2", "L3"]
    assert v.accepted["member_id"].tolist() == ["M1", "M1"]
    assert v.accepted["amount"].isna().all() and v.accepted["channel"].isna().all()


def test_amounts_in_any_currency_may_have_decimals(tmp_path):
    v = validate_file(
        write(tmp_path, [HEADER, "O1,M1,2024-01-02 10:00:00,12.5,web"]), "orders", as_of=AS_OF
    )
    assert v.accepted["amount"].tolist() == [12.5]


def test_wrong_delimiter_hint(tmp_path):
    p = write(tmp_path, [HEADER.replace(",", ";"), GOOD[0].replace(",", ";")])
    with pytest.raises(InputFileError, match="is the delimiter"):
        validate_file(p, "orders")


@pytest.mark.parametrize(
    "row,reason",
    [
        ("O3,M3,2024-01-02 10:00:00,-500,web", "amount: -500 is below the minimum 0"),
        (
            "O3,M3,2024-01-02 10:00:00,9999999999,web",
            "amount: 9999999999 is above the maximum 50,000,000",
        ),
        (
            "O3,M3,2031-01-01 00:00:00,500,web",
            "ordered_at: 2031-01-01 00:00:00 is after the as-of date 2025-12-31 23:59",
        ),
        (
            "O3,M3,31/02/2024 25:61,500,web",
            "ordered_at: '31/02/2024 25:61' is not a date-time in format %Y-%m-%d %H:%M:%S",
        ),
        (
            "O3,M3,03/04/2024,500,web",
            "ordered_at: '03/04/2024' is not a date-time in format %Y-%m-%d %H:%M:%S",
        ),
        ("O3,M3,2024-01-02 10:00:00,12.5.1,web", "amount: '12.5.1' is not a number"),
        ("O3,M3,2024-01-02 10:00:00,abc,web", "amount: 'abc' is not a number"),
        ("O3,,2024-01-02 10:00:00,500,web", "member_id: required value is missing"),
        ("O1,M9,2024-01-05 10:00:00,700,web", "order_id: duplicate key 'O1'"),
        (GOOD[0], "duplicate row (same as row 2)"),
        ("O3,M3,2024-01-02 10:00:00,500,web,extra", "expected 5 fields, found 6"),
    ],
)
def test_bad_row_quarantined_with_reason(tmp_path, row, reason):
    v = validate_file(write(tmp_path, [HEADER, *GOOD, row]), "orders", as_of=AS_OF)
    assert only_reason(v) == reason
    q = v.quarantine.iloc[0]
    assert q["line"] == 4 and q["file"].endswith("orders.csv") and q["table"] == "orders"
    assert v.rows_in == 3 and len(v.accepted) == 2


def test_invalid_bytes_on_one_line_quarantined(tmp_path):
    p = tmp_path / "orders.csv"
    p.write_bytes(
        ("\n".join([HEADER, *GOOD]) + "\n").encode()
        + b"O3,M3,2024-01-02 10:00:00,500,\xff\xfe\xfa\n"
    )
    v = validate_file(p, "orders", as_of=AS_OF)
    assert only_reason(v).startswith("invalid encoding")
    assert v.quarantine["line"].iloc[0] == 4


def test_cp949_file_is_detected_and_read(tmp_path):
    header = "order_id,member_id,ordered_at,amount_krw,channel"
    p = write(tmp_path, [header, "O1,M1,2024-01-02 10:00:00,12000,전화"], encoding="cp949")
    v = validate_file(p, "orders", as_of=AS_OF)
    assert v.encoding == "cp949"
    assert v.accepted["channel"].iloc[0] == "전화"


def test_utf8_bom_is_accepted(tmp_path):
    p = tmp_path / "orders.csv"
    p.write_bytes(("\ufeff" + "\n".join([HEADER, *GOOD]) + "\n").encode("utf-8"))
    v = validate_file(p, "orders", as_of=AS_OF)
    assert len(v.accepted) == 2


def test_several_failures_of_one_row_reported_together(tmp_path):
    v = validate_file(
        write(tmp_path, [HEADER, "O3,,2031-01-01 00:00:00,-1,web"]), "orders", as_of=AS_OF
    )
    reason = only_reason(v)
    assert "member_id: required value is missing" in reason
    assert "below the minimum" in reason and "after the as-of date" in reason


def test_strict_mode_names_file_column_and_row(tmp_path):
    p = write(tmp_path, [HEADER, *GOOD, "O3,M3,2024-01-02 10:00:00,-500,web"])
    with pytest.raises(RowValidationError) as e:
        validate_file(p, "orders", as_of=AS_OF, strict=True)
    assert str(e.value).endswith(
        "orders.csv, column 'amount', row 4: amount: -500 is below the minimum 0"
    )


def test_malformed_xml(tmp_path):
    p = tmp_path / "survey_responses.xml"
    p.write_text("<survey><response id='R1'><respondent><name>x</name></respondent>")
    with pytest.raises(InputFileError, match=r"malformed XML at line 1"):
        validate_file(p, "survey")


def test_survey_xml_values_checked(tmp_path):
    p = tmp_path / "survey_responses.xml"
    p.write_text(
        "<survey>"
        "<response id='R1' submitted='2024-01-01T10:00:00'><answers><nps>9</nps></answers></response>"
        "<response id='R2' submitted='2024-01-01T10:00:00'><answers><nps>11</nps></answers></response>"
        "</survey>"
    )
    v = validate_file(p, "survey", as_of=AS_OF)
    assert len(v.accepted) == 1 and only_reason(v) == "nps: 11 is above the maximum 10"


def test_simulated_world_quarantine_equals_planted_corruptions(small_world, small_world_folder):
    res = validate_folder(small_world_folder, as_of=small_world.as_of)
    planted = small_world.truth_corruptions.groupby("table").size()
    for table, v in res.items():
        assert v.rows_in == len(v.accepted) + v.n_quarantined
        assert v.n_quarantined == planted.get(table, 0), table


rows = st.lists(
    st.tuples(
        st.sampled_from(["O1", "O2", "O3", "", "O1 "]),
        st.sampled_from(["M1", "", "M2"]),
        st.sampled_from(
            ["2024-01-02 10:00:00", "2031-01-01 00:00:00", "bad", "", "2024-13-40 00:00:00"]
        ),
        st.one_of(st.integers(-10, 10**11).map(str), st.sampled_from(["", "x", "1.5", "1e3"])),
        st.sampled_from(["web", "", "app"]),
    ),
    max_size=30,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows)
def test_property_nothing_lost_and_accepted_rows_obey_contract(data):
    df = pd.DataFrame(data, columns=CONTRACTS["orders"].names, dtype=object).replace({"": None})
    v = validate_frame(df, CONTRACTS["orders"], as_of=AS_OF)
    assert v.rows_in == len(df) == len(v.accepted) + v.n_quarantined
    a = v.accepted
    assert a["order_id"].notna().all() and a["order_id"].is_unique
    assert a["member_id"].notna().all()
    assert ((a["amount"] >= 0) & (a["amount"] <= 50_000_000)).all()
    assert (a["ordered_at"] <= pd.Timestamp(AS_OF)).all()


def test_keys_are_compared_as_parsed(tmp_path):
    """'O1 ' is stored as the key 'O1': it duplicates O1 (found by the property test)."""
    p = write(tmp_path, [HEADER, GOOD[0], GOOD[0], "O1 ,M1,2024-01-02 10:00:00,0,web"])
    v = validate_file(p, "orders", as_of=AS_OF)
    assert v.accepted["order_id"].tolist() == ["O1"]
    assert v.quarantine["reason"].tolist() == [
        "duplicate row (same as row 2)",
        "order_id: duplicate key 'O1 '",
    ]


def test_readme_contract_table_matches_the_contracts():
    """The README's "contract of every source" table is what the validator enforces."""
    import re

    from crm_research.config import PROJ_ROOT
    from crm_research.data.reader import CONTRACTS

    text = (PROJ_ROOT / "README.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        m = re.match(r"^\| `(\w+)`[^|]*\| (.*) \| (.*) \|$", line)
        if m and m.group(1) in CONTRACTS:
            names = [
                re.findall(r"(?<!or )`(\w+)`", re.sub(r"\([^)]*\)", "", cell))
                for cell in m.groups()[1:]
            ]
            rows[m.group(1)] = names
    assert set(rows) == set(CONTRACTS)
    for t, (req, opt) in rows.items():
        c = CONTRACTS[t]
        assert req == c.required_names, t
        assert opt == [x.name for x in c.columns if x.optional], t


def _same_as_stored(v, stored_v, db):
    """The accepted rows stored by the engine equal the frame, with the types a frame gets."""
    import duckdb

    from crm_research.data import engine
    from crm_research.data.reader.accepted import typed_frame

    assert stored_v.accepted is None and stored_v.n_accepted == len(v.accepted)
    assert stored_v.rows_in == v.rows_in
    pd.testing.assert_frame_equal(stored_v.quarantine, v.quarantine)
    table = stored_v.stored[1]
    con = duckdb.connect(str(db), read_only=True)
    got = con.execute(f'SELECT * FROM "{table}"').df()
    types = con.execute(f'DESCRIBE "{table}"').fetchall()
    con.close()
    pd.testing.assert_frame_equal(typed_frame(got, CONTRACTS[v.table]), v.accepted)
    ref = engine.connect()
    engine.write(ref, "t", v.accepted)
    assert [(c[0], c[1]) for c in types] == [
        (c[0], c[1]) for c in ref.raw_sql("DESCRIBE t").fetchall()
    ]


def test_store_writes_the_accepted_rows_into_a_database(small_world, small_world_folder, tmp_path):
    db = tmp_path / "crm.duckdb"
    frames = validate_folder(small_world_folder, as_of=small_world.as_of)
    stored = validate_folder(small_world_folder, as_of=small_world.as_of, store=db)
    assert stored.keys() == frames.keys()
    for t, v in frames.items():
        assert stored[t].stored == (str(db), f"src_{t}")
        _same_as_stored(v, stored[t], db)


def test_store_on_the_slow_paths(tmp_path):
    """Quoted newlines (Python's record splitter), an absent optional column, a frame."""
    db = tmp_path / "crm.duckdb"
    p = write(tmp_path, [HEADER, GOOD[0], 'O2,M2,2024-02-03 11:30:00,5000,"we\nb"', GOOD[0]])
    _same_as_stored(
        validate_file(p, "orders", as_of=AS_OF),
        validate_file(p, "orders", as_of=AS_OF, store=(str(db), "a")),
        db,
    )
    q = write(
        tmp_path, [HEADER.rsplit(",", 1)[0], "O1,M1,2024-01-02 10:00:00,1", "O2,M2,x,2"], "b.csv"
    )
    _same_as_stored(
        validate_file(q, "orders", as_of=AS_OF),
        validate_file(q, "orders", as_of=AS_OF, store=(str(db), "b")),
        db,
    )
    df = pd.DataFrame([g.split(",") for g in GOOD], columns=CONTRACTS["orders"].names)
    _same_as_stored(
        validate_frame(df, CONTRACTS["orders"], as_of=AS_OF),
        validate_frame(df, CONTRACTS["orders"], as_of=AS_OF, store=(str(db), "c")),
        db,
    )
