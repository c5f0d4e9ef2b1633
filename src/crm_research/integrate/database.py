"""The customer database build: store the validated exports, resolve identities, classify
contacts, write the customer-centric tables, and score against the truth when it is known.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from crm_research.data import engine
from crm_research.data.reader.folder import validate_folder
from crm_research.data.reader.quarantine import Validated, quarantine_reason_kind
from crm_research.integrate.clusters import Resolution
from crm_research.integrate.contacts import contactability
from crm_research.integrate.customers import link_sources, validation_counts
from crm_research.integrate.linkage import resolve_identities
from crm_research.integrate.standardise import IDENTITY_SOURCES, identity_records
from crm_research.integrate.truth import scores_in_database


@dataclass
class IntegrationResult:
    """What :func:`build_customer_db` did: counts, timings and scores (no personal data)."""

    db_path: str
    load_log: pd.DataFrame  # per file: rows in, accepted, quarantined, encoding
    quarantine_counts: pd.DataFrame  # table, reason_kind, rows
    resolution: Resolution
    scores: dict[str, float] | None  # against the simulator's truth, when known
    contacts: pd.DataFrame
    timings: dict[str, float]


def build_customer_db(
    folder: str | Path,
    *,
    db_path: str | Path | None = None,
    as_of: str | pd.Timestamp,
    threshold: float = 0.9,
    seed: int = 42,
    validated: dict[str, Validated] | None = None,
) -> IntegrationResult:
    """Validate every export in ``folder`` (or take ``validated``, tables already validated),
    resolve identities and write the customer database (:func:`integrate_validated`). When this
    function validates and ``db_path`` is a file, the reader's engine writes each source's
    accepted rows straight into it (``validate_folder(store=db_path)``: no pandas copies of the
    exports); in memory (no ``db_path``) they pass through frames, released once stored.

    Tables written: ``src_<table>`` (accepted rows), ``quarantine`` (rejected rows with file,
    line and reason), ``load_log``, ``identity_records``, ``identity_map`` (source record →
    customer_id), ``contacts`` (contactability), ``transactions``, ``touchpoints``,
    ``customers``; and, when ``folder/truth`` exists, the simulator's ``truth_people`` and
    ``truth_records`` (for scoring methods; never shown in reports).
    """

    t0 = time.perf_counter()
    own = validated is None
    if own:  # with a database file, the engine writes the accepted rows there (no frames)
        if db_path is not None and Path(db_path).exists():
            Path(db_path).unlink()
        validated = validate_folder(folder, as_of=as_of, store=db_path)
    validate_s = time.perf_counter() - t0
    res = integrate_validated(
        validated,
        folder=folder,
        db_path=db_path,
        as_of=as_of,
        threshold=threshold,
        seed=seed,
        release=own,
    )
    res.timings = {"validate_s": validate_s} | res.timings
    return res


BUILD_MEMORY = "2GB"  # DuckDB's memory limit on the build connection (see integrate_validated)

# large sources, not read by identity resolution: stored, then their pandas frames released
_RELEASED = ("orders", "order_lines", "shipments", "sessions", "email_sends", "tickets")


def integrate_validated(
    validated: dict,
    *,
    folder: str | Path | None = None,
    db_path: str | Path | None = None,
    as_of: str | pd.Timestamp,
    threshold: float = 0.9,
    seed: int = 42,
    release: bool = False,
) -> IntegrationResult:
    """Integrate validated exports (:func:`crm_research.data.reader.validate_folder`) into the
    customer database (see :func:`build_customer_db`); ``folder``: where ``truth/`` may be.

    Sources whose accepted rows the reader already stored (``accepted`` None, ``stored`` in
    ``db_path``) are kept there; the others are stored first, and with ``release`` the pandas
    frames of the large transactional sources are dropped from ``validated`` once stored. The
    small identity sources are read back from the stored tables, the e-mail sends as the last
    send per address (:func:`last_sends`). Timings (s):
    ``store_s`` (source tables), ``records_s`` (identity records), ``resolve_s`` (resolution),
    ``contacts_s``, ``database_s`` (the customer-centric tables, truth and scores).
    """

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    db_path = Path(db_path) if db_path is not None else None
    stored = {n for n, v in validated.items() if v.accepted is None}
    for n in stored:
        if db_path is None or Path(validated[n].stored[0]).resolve() != db_path.resolve():
            raise ValueError(
                f"{n}: its accepted rows are stored in {validated[n].stored}, not in {db_path}"
            )
    if db_path is not None and db_path.exists() and not stored:
        db_path.unlink()
    con = engine.connect(db_path)
    # DuckDB's dictionary compression costs half the store time on high-cardinality text (ids)
    # and saves about 4% of the file: off while building (a write setting; reading is unchanged)
    con.raw_sql("SET disabled_compression_methods = 'dictionary'")
    # the build's buffer memory (beyond it DuckDB spills): the source tables it stored stay on
    # disk instead of in a cache beside identity resolution's own engine
    con.raw_sql(f"SET memory_limit = '{BUILD_MEMORY}'")
    quarantine = pd.concat([v.quarantine for v in validated.values()], ignore_index=True)
    kinds = {r: quarantine_reason_kind(r) for r in quarantine["reason"].unique()}
    quarantine["reason_kind"] = quarantine["reason"].map(kinds).astype("string")
    load_log = pd.DataFrame([v.counts() for v in validated.values()])
    for name, v in validated.items():
        if name in stored:  # written by the reader
            continue
        engine.write(con, f"src_{name}", v.accepted)
        if release and name in _RELEASED:  # stored: its pandas frame is not needed any more
            v.accepted = v.accepted.iloc[:0]
    text = dict.fromkeys(["table", "file", "column", "reason", "record"], "string")
    engine.write(
        con, "quarantine", quarantine.astype(text | {"line": "int64"})
    )  # typed even if empty
    del quarantine
    engine.write(con, "load_log", load_log)
    # what resolution and contactability need from the large sources, from the stored tables
    first_orders = con.sql(
        "SELECT member_id, MIN(ordered_at) AS ordered_at FROM src_orders GROUP BY member_id"
    ).to_pandas()
    sends = last_sends(con)
    timings["store_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    sources = {  # the small identity sources, read back where the reader stored them
        n: validated[n] if n not in stored else con.raw_sql(f"SELECT * FROM src_{n}").df()
        for n in IDENTITY_SOURCES
    }
    records = identity_records({**sources, "orders": first_orders})
    timings["records_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    resolution = resolve_identities(records, threshold=threshold, seed=seed)
    timings["resolve_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    contacts = contactability(records, resolution.clusters, sends, as_of)
    del sends
    timings["contacts_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    engine.write(con, "identity_records", records)
    engine.write(con, "identity_map", resolution.clusters)
    engine.write(con, "contacts", contacts)
    for name, df in resolution_tables(resolution).items():
        engine.write(con, name, df)

    def keep(name, expr):  # built once, read by the tables after it
        con.create_table(name, expr, overwrite=True, temp=name == "web_sessions")
        return con.table(name)

    for name, expr in link_sources(con, materialise=keep).items():
        if name != "transactions":  # already built
            con.create_table(name, expr, overwrite=True)
    con.drop_table("web_sessions")
    truth = Path(folder) / "truth" if folder is not None else None
    scores = None
    if truth is not None and truth.exists():
        engine.write(con, "truth_people", pd.read_parquet(truth / "people.parquet"))
        engine.write(con, "truth_records", pd.read_parquet(truth / "records.parquet"))
        if (truth / "corruptions.parquet").exists():
            engine.write(con, "truth_corruptions", pd.read_parquet(truth / "corruptions.parquet"))
        scores = scores_in_database(con)
    qc = validation_counts(con).to_pandas()
    con.disconnect()
    timings["database_s"] = time.perf_counter() - t0
    return IntegrationResult(
        db_path=str(db_path),
        load_log=load_log,
        quarantine_counts=qc,
        resolution=resolution,
        scores=scores,
        contacts=contacts,
        timings=timings,
    )


def last_sends(con) -> pd.DataFrame:
    """Per e-mail address as sent to (``email``), its last send: ``sent_at`` and ``bounced``
    (what :func:`contactability` needs from ``src_email_sends``; ties on ``sent_at``: the
    later line), from the stored table."""
    out = con.sql(
        "SELECT email, max(sent_at) AS sent_at, arg_max(bounced, (sent_at, line)) AS bounced "
        "FROM src_email_sends GROUP BY email ORDER BY email"
    ).to_pandas()
    return out.astype({"email": "string"})


def resolution_tables(res: Resolution, bins: int = 50) -> dict[str, pd.DataFrame]:
    """How identities were resolved, as tables for the database (no personal data):
    ``resolution`` (one row: method, counts, threshold, notes), ``match_weights`` (the trained
    model) and ``match_probability_histogram`` (pairs per probability bin)."""
    counts, edges = np.histogram(
        res.match_probabilities.to_numpy(dtype=float), bins=bins, range=(0, 1)
    )
    summary = pd.DataFrame(
        {
            "method": [res.method],
            "n_pairs_scored": [res.n_pairs_scored],
            "n_probabilistic_links": [res.n_probabilistic_links],
            "n_deterministic_links": [res.n_deterministic_links],
            "threshold": [res.threshold],
            "notes": ["\n".join(res.notes)],
        }
    )
    weights = res.match_weights.copy()
    for c in weights.columns:
        if weights[c].dtype == object:
            weights[c] = weights[c].astype("string")
    hist = pd.DataFrame({"lower": edges[:-1], "upper": edges[1:], "pairs": counts.astype("int64")})
    return {"resolution": summary, "match_weights": weights, "match_probability_histogram": hist}
