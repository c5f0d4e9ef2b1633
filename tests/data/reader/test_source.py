"""The reader on hostile input: every case gives its exact message or quarantine reason."""

from __future__ import annotations

import gzip
import json
import os
import textwrap
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_research.data import reader as byod
from crm_research.data.reader import InputFileError, validate_file

AS_OF = "2025-12-31 23:59:59"
HEADER = b"order_id,member_id,ordered_at,amount,channel"
ROW = b"O1,M1,2024-01-02 10:00:00,12000,web"


def csv_file(tmp_path, body: bytes, name="orders.csv"):
    p = tmp_path / name
    p.write_bytes(body)
    return p


def reasons(v):
    return dict(zip(v.quarantine["line"], v.quarantine["reason"], strict=True))


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"])
def test_every_line_ending(tmp_path, eol):
    body = eol.join([HEADER, ROW, b"O2,M2,2024-01-02 10:00:00,-5,web", b""])
    v = validate_file(csv_file(tmp_path, body), "orders", as_of=AS_OF)
    assert (v.rows_in, len(v.accepted)) == (2, 1)
    assert reasons(v) == {3: "amount: -5 is below the minimum 0"}


def test_rfc4180_quoted_newline_delimiter_and_quotes(tmp_path):
    body = (
        HEADER + b'\nO1,"M1, Seoul",2024-01-02 10:00:00,1,"a ""b"""\n'
        b'O2,M2,2024-01-02 10:00:00,1,"web\nshop"\nO3,M3,2024-01-02 10:00:00,-1,web\n'
    )
    v = validate_file(csv_file(tmp_path, body), "orders", as_of=AS_OF)
    assert v.accepted["member_id"].tolist() == ["M1, Seoul"]
    assert v.accepted["channel"].tolist() == ['a "b"']
    assert v.rows_in == 3 and v.accepted["line"].tolist() == [2]
    assert reasons(v) == {  # a newline is fine in text, not in a code; line = the first line
        3: "channel: 'web\\nshop' contains a control character (U+000A)",
        5: "amount: -1 is below the minimum 0",
    }


def test_control_characters_in_ids_quarantined(tmp_path):
    body = HEADER + b"\nO1,M1\x00x,2024-01-02 10:00:00,1,web\n"
    v = validate_file(csv_file(tmp_path, body), "orders", as_of=AS_OF)
    assert reasons(v) == {2: "member_id: 'M1\\x00x' contains a control character (U+0000)"}


@pytest.mark.parametrize(
    "value,reason",
    [
        ("9223372036854775808", "amount: 9223372036854775808 is above the maximum 50,000,000"),
        ("1e309", "amount: '1e309' is not a finite number"),
        ("inf", "amount: 'inf' is not a finite number"),
        ("-inf", "amount: '-inf' is not a finite number"),
        ("nan", "amount: 'nan' is not a finite number"),
        ("1_000", "amount: '1_000' is not a number"),
    ],
)
def test_truthful_number_reasons(tmp_path, value, reason):
    body = HEADER + b"\nO1,M1,2024-01-02 10:00:00," + value.encode() + b",web\n"
    v = validate_file(csv_file(tmp_path, body), "orders", as_of=AS_OF)
    assert reasons(v) == {2: reason}


def test_integer_overflow_reason(tmp_path):
    body = b"order_id,line_no,product_id,quantity,unit_price_krw\nO1,9223372036854775808,P,1,1\n"
    v = validate_file(csv_file(tmp_path, body, "order_lines.csv"), "order_lines", as_of=AS_OF)
    assert reasons(v) == {2: "line_no: '9223372036854775808' is too large for a whole number"}


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_utf16_and_utf32_with_bom_are_read(tmp_path, codec):
    text = (HEADER + b"\n" + ROW + b"\n").decode() + "O2,M2,2024-01-02 10:00:00,5,전화\n"
    v = validate_file(csv_file(tmp_path, text.encode(codec)), "orders", as_of=AS_OF)
    assert v.encoding == codec and len(v.accepted) == 2
    assert v.accepted["channel"].tolist() == ["web", "전화"]


def test_declared_utf16_in_a_configuration(tmp_path):
    (tmp_path / "o.csv").write_bytes((HEADER + b"\n" + ROW + b"\n").decode().encode("utf-16"))
    f = tmp_path / "c.yaml"
    f.write_text("as_of: 2026-01-01\nsources:\n  orders: {path: o.csv, encoding: utf-16}\n")
    report, ok = byod.validate_config(f, stage=False)
    assert ok and "rows in 1 = accepted 1 + quarantined 0   (encoding utf-16)" in report


def test_gzip_and_zip_are_read(tmp_path):
    data = HEADER + b"\n" + ROW + b"\n"
    gz = tmp_path / "orders.csv.gz"
    gz.write_bytes(gzip.compress(data))
    assert len(validate_file(gz, "orders", as_of=AS_OF).accepted) == 1
    zp = tmp_path / "orders.zip"
    with zipfile.ZipFile(zp, "w") as z:
        z.writestr("orders.csv", data)
    assert len(validate_file(zp, "orders", as_of=AS_OF).accepted) == 1


def test_compressed_file_with_a_csv_name_is_refused_saying_so(tmp_path):
    p = csv_file(tmp_path, gzip.compress(HEADER + b"\n" + ROW + b"\n"))
    with pytest.raises(InputFileError, match="the file is gzip-compressed: name it .csv.gz"):
        validate_file(p, "orders", as_of=AS_OF)
    p = tmp_path / "orders.csv"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("xl/workbook.xml", "<x/>")
    with pytest.raises(InputFileError, match=r"an Excel workbook \(\.xlsx\): save it as CSV"):
        validate_file(p, "orders", as_of=AS_OF)


def test_field_length_limit(tmp_path):
    body = (
        HEADER
        + b"\nO1,M"
        + b"x" * 20_000
        + b",2024-01-02 10:00:00,1,web\n"
        + ROW.replace(b"O1", b"O2")
        + b"\n"
    )
    v = validate_file(csv_file(tmp_path, body), "orders", as_of=AS_OF)
    assert reasons(v) == {
        2: "member_id: value of 20,001 characters is longer than the limit of 10,000"
    }
    assert len(v.quarantine["record"].iloc[0]) < 1_000  # the record is cut, not held whole


def test_giant_line_is_quarantined_without_holding_it(tmp_path):
    body = (
        HEADER
        + b"\nO1,M1,2024-01-02 10:00:00,1,"
        + b"w" * 40_000_000
        + b"\n"
        + ROW.replace(b"O1", b"O2")
        + b"\n"
    )
    v = validate_file(csv_file(tmp_path, body), "orders", as_of=AS_OF)
    assert v.rows_in == 2 and len(v.accepted) == 1
    assert reasons(v)[2].startswith("line longer than 2,097,152 bytes")


def test_paths_that_are_not_files(tmp_path):
    with pytest.raises(InputFileError, match="is a directory, not a file"):
        validate_file(tmp_path, "orders", as_of=AS_OF)
    loop = tmp_path / "loop.csv"
    os.symlink(loop, loop)
    with pytest.raises(InputFileError, match=r"loop\.csv: symbolic link loop"):
        validate_file(loop, "orders", as_of=AS_OF)


def test_duplicate_yaml_keys_refused(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("as_of: 2026-01-01\nsources: {orders: o.csv}\nas_of: 2022-01-01\n")
    with pytest.raises(byod.ConfigError, match=r"duplicate key 'as_of' \(first on line 1\)"):
        byod.load_config(f)


def test_formulas_neutralised_in_staged_and_quarantine_files(tmp_path):
    (tmp_path / "o.csv").write_text(
        "order_id,member_id,ordered_at,amount,channel\n"
        '=HYPERLINK("x"),M1,2024-01-02 10:00:00,1,@web\nO2,+M2,2024-01-02 10:00:00,-1,web\n'
    )
    f = tmp_path / "c.yaml"
    f.write_text(
        textwrap.dedent("""\
        as_of: 2026-01-01
        max_quarantine_share: 1
        output: staged
        sources: {orders: o.csv}
    """)
    )
    byod.validate_config(f)
    staged = (tmp_path / "staged" / "orders.csv").read_text()
    assert "'=HYPERLINK" in staged and "'@web" in staged
    q = (tmp_path / "staged" / "quarantine.csv").read_text()
    assert "NaN" not in q and "\n=" not in q and ",=" not in q and ",+" not in q


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.binary(max_size=400),
    st.sampled_from(["auto", "utf-8", "cp949", "utf-16"]),
    st.sampled_from([",", ";", "\t"]),
)
def test_property_any_bytes_clear_error_or_full_count(tmp_path, data, encoding, delim):
    (tmp_path / "o.csv").write_bytes(b"member_id,ordered_at,amount\n" + data)
    f = tmp_path / "c.yaml"
    f.write_text(
        f"as_of: 2026-01-01\nsources:\n  orders: {{path: o.csv, encoding: {encoding}, delimiter: {json.dumps(delim)}}}\n"
    )
    cfg = byod.load_config(f)
    r = byod.validate_source(cfg.sources["orders"], cfg)
    if r.error is None:
        assert r.rows_in == r.accepted + r.quarantined


def test_rows_keep_their_lines_in_a_file_read_in_parallel(tmp_path):
    """A file large enough for the engine to read in parallel (1,000,000 rows, ~30 MB), with a
    flag column: a bad row and a duplicate near the end are quarantined at their own lines with
    their own values, and the accepted rows keep theirs, in order. (A six-value ``IN`` list in
    the flag's test was rewritten by the engine into a join that reordered the rows.)"""
    import duckdb

    p = tmp_path / "tickets.csv"
    duckdb.sql(
        f"""COPY (SELECT 'T' || lpad(i::VARCHAR, 7, '0') AS ticket_id, 'C' || (i % 1000) AS cc_customer_id,
        CASE WHEN i = 900000 THEN 'not a date' ELSE '2024-01-02 10:00:00' END AS opened_at,
        CASE WHEN i % 2 = 0 THEN 'Y' ELSE 'N' END AS resolved
        FROM range(1000000) t(i)
        UNION ALL SELECT 'T0000005', 'C5', '2024-01-02 10:00:00', 'Y') TO '{p}' (HEADER)"""
    )
    v = validate_file(p, "tickets", as_of=AS_OF)
    assert (v.rows_in, len(v.accepted)) == (1_000_001, 999_999)
    assert list(v.quarantine["line"]) == [900_002, 1_000_002]
    assert json.loads(v.quarantine["record"].iloc[0])["ticket_id"] == "T0900000"
    assert v.quarantine["reason"].iloc[1] == "ticket_id: duplicate key 'T0000005'"
    acc = v.accepted
    assert (acc["line"].diff().dropna() > 0).all()
    num = acc["ticket_id"].str[1:].astype("int64")
    assert (num + 2 == acc["line"]).all()
    assert (acc["resolved"] == (num % 2 == 0)).all()
