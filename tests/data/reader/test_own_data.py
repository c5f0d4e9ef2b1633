"""Bring your own data: the YAML contract, streamed validation and its readable report."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_research import cli
from crm_research.data import reader as byod
from crm_research.data.reader import CONTRACTS

KOREAN_ORDERS = (
    "주문번호,회원번호,주문일시,결제금액,채널\n"
    "O1,M1,2025.03.04 10:00,35000,web\n"
    "O2,M2,03/04/2025 10:00,1000,app\n"
    "O3,M3,2025.03.05 11:00,-5,web\n"
    "O1,M1,2025.03.04 10:00,35000,web\n"
    "O4,M4,2031.01.01 00:00,100,web\n"
    "O5,M5,2025.03.06 12:00,99999999999,web\n"
)
MAPPING = "{주문번호: order_id, 회원번호: member_id, 주문일시: ordered_at, 결제금액: amount_krw, 채널: channel}"


def config(tmp_path, sources: str, extra: str = "as_of: 2026-01-01 00:00:00\n") -> object:
    f = tmp_path / "crm-data.yaml"
    f.write_text(
        extra + "output: staged\nsources:\n" + textwrap.indent(textwrap.dedent(sources), "  "),
        encoding="utf-8",
    )
    return f


def korean_config(tmp_path, encoding="cp949"):
    (tmp_path / "orders.csv").write_bytes(KOREAN_ORDERS.encode(encoding))
    return config(
        tmp_path,
        f"""
        orders:
          path: orders.csv
          columns: {MAPPING}
          date_formats: {{ordered_at: "%Y.%m.%d %H:%M"}}
    """,
        "as_of: 2026-01-01 00:00:00\nmax_quarantine_share: 1  # a file of bad rows, on purpose\n",
    )


def test_korean_headers_cp949_and_local_date_format(tmp_path):
    report, ok = byod.validate_config(korean_config(tmp_path))
    assert ok
    assert "rows in 6 = accepted 1 + quarantined 5   (encoding cp949)" in report
    for reason in [
        "line 3: ordered_at: '03/04/2025 10:00' is not a date-time in format %Y.%m.%d %H:%M",
        "line 4: amount: -5 is below the minimum 0",
        "line 5: duplicate row (same as row 2)",
        "line 6: ordered_at: 2031-01-01 00:00:00 is after the as-of date 2026-01-01 00:00",
        "line 7: amount: 99999999999 is above the maximum 50,000,000",
    ]:
        assert reason in report
    staged = pd.read_csv(tmp_path / "staged" / "orders.csv", dtype=str)
    assert staged.to_dict("records") == [
        {
            "order_id": "O1",
            "member_id": "M1",
            "ordered_at": "2025-03-04 10:00:00",
            "amount": "35000",
            "channel": "web",
        }
    ]
    q = pd.read_csv(tmp_path / "staged" / "quarantine.csv")
    assert sorted(q["line"]) == [3, 4, 5, 6, 7]


def test_ambiguous_date_is_not_guessed(tmp_path):
    (tmp_path / "o.csv").write_text(
        "order_id,member_id,ordered_at,amount_krw,channel\nO1,M1,03/04/2025 10:00:00,1,web\n"
    )
    report, _ = byod.validate_config(config(tmp_path, "orders: o.csv\n"))
    assert (
        "line 2: ordered_at: '03/04/2025 10:00:00' is not a date-time in format %Y-%m-%d %H:%M:%S"
        in report
    )


def test_utf8_and_bom_read_the_same(tmp_path):
    for enc in ("utf-8", "utf-8-sig"):
        report, ok = byod.validate_config(korean_config(tmp_path, enc))
        assert ok and "rows in 6 = accepted 1 + quarantined 5   (encoding utf-8-sig)" in report


def test_unmapped_korean_headers_are_refused_with_a_hint(tmp_path):
    (tmp_path / "orders.csv").write_bytes(KOREAN_ORDERS.encode("cp949"))
    report, ok = byod.validate_config(config(tmp_path, "orders: orders.csv\n"))
    assert not ok
    assert (
        "REFUSED: "
        + str(tmp_path / "orders.csv")
        + ", column 'member_id': missing required column(s) member_id, ordered_at (Korean headers: map them to the contract's names under 'columns')"
        in report
    )


@pytest.mark.parametrize(
    "content,problem",
    [
        (None, "file not found"),
        ("", "file is empty (no header row)"),
        (
            "order_id;member_id;ordered_at;amount_krw;channel\nO1;M1;2025-01-01 00:00:00;1;web\n",
            "missing required column(s) member_id, ordered_at (the header has a single column: is the delimiter ',' ?)",
        ),
        ("order_id,member_id,amount_krw\nO1,M1,1\n", "missing required column(s) ordered_at"),
    ],
)
def test_unusable_files_are_refused_by_name(tmp_path, content, problem):
    if content is not None:
        (tmp_path / "o.csv").write_text(content)
    report, ok = byod.validate_config(config(tmp_path, "orders: o.csv\n"))
    assert not ok and f"REFUSED: {tmp_path / 'o.csv'}" in report and problem in report


def test_header_only_warns_and_no_transactions_refuse(tmp_path):
    (tmp_path / "o.csv").write_text("order_id,member_id,ordered_at,amount_krw,channel\n")
    report, ok = byod.validate_config(config(tmp_path, "orders: o.csv\n"))
    assert "rows in 0 = accepted 0 + quarantined 0" in report
    assert "WARNING: the file has a header but no rows" in report
    assert not ok and "REFUSED: no transaction was accepted (orders)" in report


def test_header_only_optional_source_warns_but_is_usable(tmp_path):
    (tmp_path / "o.csv").write_text("member_id,ordered_at\nM1,2025-01-01 00:00:00\n")
    (tmp_path / "m.csv").write_text("member_id,joined_at\n")
    report, ok = byod.validate_config(config(tmp_path, "orders: o.csv\nmembers: m.csv\n"))
    assert ok and "WARNING: the file has a header but no rows" in report
    assert "not in this file (optional): order_id, amount, channel" in report


def test_a_file_mostly_quarantined_is_refused_with_its_top_reasons(tmp_path):
    rows = [f"O{i},M1,2025-01-01 00:00:00,{i},web" for i in range(19)] + [
        "O99,M1,2025-01-01 00:00:00,x,web"
    ]
    (tmp_path / "o.csv").write_text(
        "order_id,member_id,ordered_at,amount,channel\n" + "\n".join(rows) + "\n"
    )
    report, ok = byod.validate_config(config(tmp_path, "orders: o.csv\n"))
    assert ok  # 1 of 20 = 5%: at the limit
    report, ok = byod.validate_config(
        config(tmp_path, "orders: o.csv\n", "max_quarantine_share: 0.04\n")
    )
    assert not ok
    assert (
        "REFUSED: 5.0% of the rows are quarantined, more than the limit 4% (max_quarantine_share); top reasons: not a number (1)"
        in report
    )


def test_wrong_types_and_wrong_field_counts(tmp_path):
    (tmp_path / "o.csv").write_text(
        "order_id,member_id,ordered_at,amount_krw,channel\n"
        "O1,M1,2025-01-01 00:00:00,abc,web\nO2,M2,2025-01-01 00:00:00,1.5,web\nO3,M3,2025-01-01 00:00:00,1\n"
    )
    report, _ = byod.validate_config(config(tmp_path, "orders: o.csv\n"))
    assert "line 4: expected 5 fields, found 4" in report
    assert "line 2: amount: 'abc' is not a number" in report
    assert "line 3" not in report  # 1.5 is an amount in any currency


def test_invalid_bytes_quarantined_line_by_line(tmp_path):
    good = "order_id,member_id,ordered_at,amount_krw,channel\nO1,M1,2025-01-01 00:00:00,1,web\n"
    (tmp_path / "o.csv").write_bytes(good.encode() + b"O2,M\xff\xfe,2025-01-01 00:00:00,1,web\n")
    report, _ = byod.validate_config(config(tmp_path, "orders: o.csv\n"))
    assert "line 3: invalid encoding: byte 4 is not UTF-8" in report


def test_duplicates_are_found_across_chunks(tmp_path):
    rows = [
        "O1,M1,2025-01-01 00:00:00,1,web",
        "O2,M2,2025-01-02 00:00:00,2,web",
        "O1,M1,2025-01-01 00:00:00,1,web",
        "O2,M9,2025-01-05 00:00:00,5,web",
        "O3,M3,2025-01-03 00:00:00,3,web",
    ]
    (tmp_path / "o.csv").write_text(
        "order_id,member_id,ordered_at,amount_krw,channel\n" + "\n".join(rows) + "\n"
    )
    for chunk in (1, 2, 100):
        report, _ = byod.validate_config(
            config(tmp_path, "orders: o.csv\n", f"as_of: 2026-01-01\nchunk_rows: {chunk}\n")
        )
        assert "rows in 5 = accepted 3 + quarantined 2" in report, chunk
        assert "line 4: duplicate row (same as row 2)" in report
        assert "line 5: order_id: duplicate key 'O2'" in report
    (tmp_path / "o.csv").write_text(
        "order_id,member_id,ordered_at,amount_krw,channel\nO1,M1,2025-01-01 00:00:00,1,web\n O1,M2,2025-01-02 00:00:00,2,web\n"
    )
    report, _ = byod.validate_config(
        config(tmp_path, "orders: o.csv\n", "as_of: 2026-01-01\nchunk_rows: 1\n")
    )
    assert (
        "line 3: order_id: duplicate key ' O1'" in report
    )  # keys compared as parsed, across chunks


def test_other_currency_converted_to_won(tmp_path):
    (tmp_path / "o.csv").write_text(
        "order_id,member_id,ordered_at,amount_krw,channel\nO1,M1,2025-01-01 00:00:00,20,web\nO2,M2,2025-01-01 00:00:00,40000,web\n"
    )
    f = config(tmp_path, "orders: o.csv\n", "as_of: 2026-01-01\ncurrency: USD\nfx_to_krw: 1400\n")
    report, _ = byod.validate_config(f)
    assert "amounts in USD × 1400 = KRW" in report
    assert "line 3: amount: 56000000 is above the maximum 50,000,000" in report
    assert pd.read_csv(tmp_path / "staged" / "orders.csv")["amount"].tolist() == [28000]


def test_parquet_source_with_mapping(tmp_path):
    pd.DataFrame(
        {
            "번호": ["O1", "O2"],
            "member_id": ["M1", "M2"],
            "ordered_at": pd.to_datetime(["2025-01-01", "2032-01-01"]),
            "amount_krw": [10, 20],
            "channel": ["web", None],
        }
    ).to_parquet(tmp_path / "o.parquet")
    report, ok = byod.validate_config(
        config(
            tmp_path,
            "orders: {path: o.parquet, columns: {번호: order_id}}\n",
            "as_of: 2026-01-01 00:00:00\nmax_quarantine_share: 0.5\n",
        )
    )
    assert ok and "rows in 2 = accepted 1 + quarantined 1   (encoding parquet)" in report
    assert "line 3: ordered_at: 2032-01-01 00:00:00 is after the as-of date" in report


def test_malformed_survey_xml(tmp_path):
    (tmp_path / "s.xml").write_text("<responses><response id='1'></responses>")
    (tmp_path / "o.csv").write_text("member_id,ordered_at\nM1,2025-01-01 00:00:00\n")
    report, ok = byod.validate_config(config(tmp_path, "orders: o.csv\nsurvey: s.xml\n"))
    assert (
        not ok and "malformed XML at line 1, column 30: mismatched tag: line 1, column 30" in report
    )


@pytest.mark.parametrize(
    "text,message",
    [
        ("sources: {orders: o.csv}\ncolour: red\n", "unknown key(s) colour"),
        ("sources: {order: o.csv}\n", "sources.order: unknown table"),
        (
            "sources: {orders: {path: o.csv, columns: {번호: order_no}}}\n",
            "sources.orders.columns maps to unknown column(s) order_no",
        ),
        (
            "sources: {orders: {path: o.csv, date_formats: {amount: '%Y'}}}\n",
            "sources.orders.date_formats: amount is not a date column",
        ),
        (
            "currency: dollars\nsources: {orders: o.csv}\n",
            "currency 'DOLLARS' is not a three-letter ISO 4217 code (e.g. KRW, USD)",
        ),
        (
            "sources: {members: m.csv}\n",
            "sources needs 'orders', the transaction log (customer id and purchase time at least)",
        ),
        (
            "max_quarantine_share: 5\nsources: {orders: o.csv}\n",
            "max_quarantine_share must be a share between 0 and 1, got 5",
        ),
        (
            "timezone: Mars/Olympus\nsources: {orders: o.csv}\n",
            "timezone 'Mars/Olympus' is not an IANA time zone",
        ),
        ("sources: {}\n", "'sources' must map table names to files"),
        (
            "chunk_rows: many\nsources: {orders: o.csv}\n",
            "chunk_rows must be a positive whole number, got 'many'",
        ),
    ],
)
def test_configuration_errors(tmp_path, text, message):
    f = tmp_path / "c.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(byod.ConfigError, match="^" + __import__("re").escape(f"{f}: {message}")):
        byod.load_config(f)


def test_cli_validate_prints_report_and_exit_code(tmp_path, capsys):
    assert cli.main(["validate", str(korean_config(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "orders: " in out and "quarantined, duplicate row: 1" in out
    assert cli.main(["validate", str(tmp_path / "missing.yaml")]) == 2
    assert "configuration file not found" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------------
# properties and scale

cell = st.one_of(
    st.text(alphabet='O1M2,"; 가-', max_size=6),
    st.sampled_from(["", "2025-01-01 00:00:00", "2031-01-01 00:00:00", "-3", "70000000"]),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.lists(cell, min_size=4, max_size=6), max_size=25), st.integers(1, 7))
def test_property_streamed_nothing_lost_and_contract_holds(tmp_path, rows, chunk):
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CONTRACTS["orders"].names)
    w.writerows(rows)
    (tmp_path / "o.csv").write_text(buf.getvalue())
    cfg = byod.load_config(
        config(tmp_path, "orders: o.csv\n", f"as_of: 2026-01-01\nchunk_rows: {chunk}\n")
    )
    out = tmp_path / "staged"
    out.mkdir(exist_ok=True)
    (out / "quarantine.csv").unlink(missing_ok=True)
    r = byod.validate_source(cfg.sources["orders"], cfg, out_dir=out)
    assert r.error is None
    assert r.rows_in == len(rows) == r.accepted + r.quarantined
    a = pd.read_csv(out / "orders.csv", dtype=str, keep_default_na=False)
    assert len(a) == r.accepted
    assert a["order_id"].ne("").all() and a["order_id"].is_unique and a["member_id"].ne("").all()
    amounts = a["amount"].astype("int64")
    assert amounts.between(0, 50_000_000).all()
    assert (
        pd.to_datetime(a["ordered_at"], format="%Y-%m-%d %H:%M:%S") <= pd.Timestamp("2026-01-01")
    ).all()


STREAM_CHILD = """
import json, sys
from pathlib import Path
import pandas as pd
sys.path.insert(0, {bench!r})
from _memory import peak_rss_gib
from crm_research.data import reader as byod
cfg = byod.DataConfig(file=Path('c.yaml'), sources={{}}, as_of=pd.Timestamp('2026-01-01'))
r = byod.validate_source(byod.Source('orders', Path({path!r})), cfg)
print(json.dumps({{'rows_in': r.rows_in, 'accepted': r.accepted, 'quarantined': r.quarantined,
                  'reasons': dict(r.reasons), 'peak_gib': peak_rss_gib()}}))
"""


@pytest.mark.slow
def test_ten_million_row_file_is_streamed(tmp_path):
    """A 10,000,000-row export (about 0.5 GB of CSV, several GB as a pandas frame of strings) is
    validated in chunks: every row counted, the planted duplicates found across chunks, and the
    validating process never holds more than 1.5 GiB."""
    import duckdb

    from crm_research.config import PROJ_ROOT

    path = tmp_path / "orders.csv"
    duckdb.sql(f"""COPY (SELECT 'O' || (CASE WHEN i % 1000000 = 999999 THEN i - 500000 ELSE i END) AS order_id,
        'M' || (i % 1000000) AS member_id,
        strftime(TIMESTAMP '2024-01-01' + to_seconds(CAST(hash(i) % 63072000 AS BIGINT)), '%Y-%m-%d %H:%M:%S') AS ordered_at,
        CAST(hash(i, 1) % 200000 AS BIGINT) AS amount_krw, 'web' AS channel
        FROM range(10000000) t(i) ORDER BY i) TO '{path}' (HEADER)""")
    code = STREAM_CHILD.format(bench=str(PROJ_ROOT / "benchmarks"), path=str(path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    assert r["rows_in"] == 10_000_000 == r["accepted"] + r["quarantined"]
    assert r["reasons"] == {"duplicate key": 10}  # one planted per million rows, half a chunk back
    assert r["peak_gib"] < 1.5, r
