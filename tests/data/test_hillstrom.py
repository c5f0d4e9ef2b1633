"""The Hillstrom e-mail experiment as committed: its checksum (from the provenance README of
``data/raw``) and the loader."""

import gzip
import hashlib

from crm_research.config import RAW_DIR
from crm_research.data.hillstrom import load_hillstrom


def test_raw_file_is_unchanged_and_documented():
    data = gzip.decompress((RAW_DIR / "hillstrom.csv.gz").read_bytes())
    assert hashlib.md5(data).hexdigest() == "0af45f3c7ee495ed5654b398b1aab809"
    assert "hillstrom.csv.gz" in (RAW_DIR / "README.md").read_text()


def test_loader_keeps_every_customer_and_arm():
    df = load_hillstrom()
    assert len(df) == 64_000
    assert set(df["segment"]) == {"Mens E-Mail", "Womens E-Mail", "No E-Mail"}
