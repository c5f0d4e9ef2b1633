"""The committed real datasets are unchanged (checksums from their provenance README)."""

import gzip
import hashlib

import pytest

from crm_research.config import RAW_DIR

EXPECTED = {
    "hillstrom.csv.gz": "0af45f3c7ee495ed5654b398b1aab809",
    "telco_customer_churn.csv.gz": "0f9de68e012bd3aed5fa7cdc9fc421af",
}


@pytest.mark.parametrize("name,md5", EXPECTED.items())
def test_raw_dataset_checksum(name, md5):
    data = gzip.decompress((RAW_DIR / name).read_bytes())
    assert hashlib.md5(data).hexdigest() == md5


def test_provenance_readme_names_every_raw_file():
    readme = (RAW_DIR / "README.md").read_text()
    for name in EXPECTED:
        assert name in readme
