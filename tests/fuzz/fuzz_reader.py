"""Fuzz the reader on demand: random bytes and mutated exports under random configurations.

    python tests/fuzz/fuzz_reader.py 600      # seconds of fuzzing (default 60)

Every case must end in a clear error (ConfigError, InputFileError) or a count where rows in =
accepted + quarantined. Prints cases, distinct error messages and tracebacks (must be 0).
"""

from __future__ import annotations

import random
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from crm_research.data import reader as byod

GOOD = b"order_id,member_id,ordered_at,amount,channel\nO1,M1,2025-01-02 10:00:00,12000,web\nO2,M2,2025-02-03 11:30:00,5000,app\n"
TOKENS = [
    b'"',
    b",",
    b"\n",
    b"\r",
    b"\r\n",
    b"\x00",
    b"\xff",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"1e309",
    b"inf",
    b"nan",
    b"-",
    b"=",
    b" ",
    b";",
    b"\t",
    b"O1",
    b"2031-01-01 00:00:00",
    "전화".encode("cp949"),
    "전화".encode(),
    b"x" * 5000,
    b"\x1f\x8b",
]


def mutate(rng: random.Random) -> bytes:
    if rng.random() < 0.2:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(200)))
    data = bytearray(GOOD * rng.randint(1, 3))
    for _ in range(rng.randint(1, 8)):
        pos = rng.randrange(len(data) + 1)
        op = rng.random()
        if op < 0.5:
            data[pos:pos] = rng.choice(TOKENS)
        elif op < 0.8 and len(data):
            del data[pos : pos + rng.randint(1, 5)]
        else:
            data[pos:pos] = bytes([rng.randrange(256)])
    return bytes(data)


def config(rng: random.Random) -> str:
    enc = rng.choice(
        ["auto", "utf-8", "cp949", "utf-16", "utf-16-le", "latin-1", "euc-kr", "nonsense"]
    )
    delim = rng.choice([",", ";", "\\t", "|"])
    extra = rng.choice(
        ["", "max_field_chars: 50\n", "fx_to_krw: 1400\ncurrency: USD\n", "chunk_rows: 1\n"]
    )
    name = rng.choice(["o.csv", "o.csv.gz", "o.txt"])
    return (
        f'as_of: 2026-01-01\n{extra}sources:\n  orders: {{path: {name}, encoding: {enc}, delimiter: "{delim}"}}\n',
        name,
    )


def main(budget: float) -> int:
    rng = random.Random(12345)
    cases, tracebacks = 0, 0
    messages: Counter = Counter()
    t_end = time.monotonic() + budget
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        while time.monotonic() < t_end:
            cases += 1
            text, name = config(rng)
            (d / "c.yaml").write_text(text)
            (d / name).write_bytes(mutate(rng))
            try:
                cfg = byod.load_config(d / "c.yaml")
                r = byod.validate_source(cfg.sources["orders"], cfg)
                if r.error:
                    messages[re.sub(r"/\S+", "<path>", r.error)[:120]] += 1
                elif r.rows_in != r.accepted + r.quarantined:
                    raise AssertionError(f"rows in {r.rows_in} != {r.accepted} + {r.quarantined}")
            except byod.ConfigError as e:
                messages[re.sub(r"/\S+", "<path>", str(e))[:120]] += 1
            except Exception:  # noqa: BLE001 - a traceback is what we count
                tracebacks += 1
                print(f"--- traceback in case {cases}:\n{traceback.format_exc()}", file=sys.stderr)
            for f in d.iterdir():
                f.unlink()
    print(f"cases {cases}, distinct error messages {len(messages)}, tracebacks {tracebacks}")
    for m, n in messages.most_common():
        print(f"  {n:6d}  {m}")
    return 1 if tracebacks else 0


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]) if len(sys.argv) > 1 else 60.0))
