"""Records to customers: exact unique-identifier links, connected components of the links and
pseudonymous customer ids (the :class:`Resolution` every resolution method returns).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from crm_research.integrate.emails import email_syntax_ok


@dataclass
class Resolution:
    """Identity resolution output: record → customer, and how the links were made."""

    clusters: pd.DataFrame  # unique_id, source, record_id, customer_id
    n_pairs_scored: int  # candidate pairs splink scored (after blocking)
    n_probabilistic_links: int  # pairs with match probability >= threshold
    n_deterministic_links: int  # pairs sharing an exact unique identifier
    threshold: float
    match_weights: pd.DataFrame  # the trained model: comparison, level, m, u, match weight
    match_probabilities: pd.Series  # probability of every scored pair, sorted (for a histogram)
    model: dict = field(default_factory=dict)  # the trained splink model (settings JSON)
    method: str = "splink"  # "splink", "exact identifiers" (splink could not train) or "ids"
    notes: list[str] = field(default_factory=list)  # what could not be done, in plain words


def deterministic_links(records: pd.DataFrame) -> pd.DataFrame:
    """Pairs of records sharing an exact unique identifier: a syntactically valid e-mail address,
    or a full mobile number (010 or legacy). Landlines are excluded: households share them.

    Why: when duplicates are dense (here about 3 records per person), splink's random-sample
    u-probability of an exact unique identifier is dominated by the true matches in the sample,
    so that identifier alone only cancels the prior (match probability ≈ 0.5). Exact unique
    identifiers are therefore linked by rule, fuzzy evidence by the probabilistic model.
    """
    edges = []
    valid_email = email_syntax_ok(records["email"])
    mobile = records["phone_class"].isin(["mobile_010", "legacy_mobile"])
    for key, ok in (("email", valid_email), ("phone_digits", mobile)):
        g = records.loc[ok, ["unique_id", key]].sort_values([key, "unique_id"])
        first = g.groupby(key)["unique_id"].transform("first")
        e = pd.DataFrame({"unique_id_l": first, "unique_id_r": g["unique_id"]})
        edges.append(e[e["unique_id_l"] != e["unique_id_r"]])
    return pd.concat(edges, ignore_index=True).drop_duplicates()


def _arrow_chunks(s: pd.Series) -> list:
    """The chunks of a text Series as pyarrow arrays (no copy for pyarrow-backed strings)."""
    got = pa.array(s.astype("string"))
    return got.chunks if isinstance(got, pa.ChunkedArray) else [got]


def _connected_components(ids: pd.Series, edges: pd.DataFrame) -> pd.Series:
    """Component label (0, 1, ...) of each record in the graph of ``edges`` (``ids``: the
    records' unique ids). The ids and the edges' ids are numbered in one hashing pass (pyarrow's
    dictionary encoding: the unique ids come first, so record i is number i)."""
    n, m = len(ids), len(edges)
    parts = [ids, edges["unique_id_l"], edges["unique_id_r"]]
    chunks = [c.cast(pa.large_string()) for p in parts for c in _arrow_chunks(p)]
    text = pa.chunked_array(chunks, pa.large_string())
    codes = pc.dictionary_encode(text).combine_chunks().indices.to_numpy(zero_copy_only=False)
    a, b = codes[n : n + m], codes[n + m :]
    g = coo_matrix((np.ones(m), (a, b)), shape=(n, n))
    _, labels = connected_components(g, directed=False)
    return pd.Series(labels, index=ids.index)


def _rank_by_smallest_id(ids: pd.Series, labels: pd.Series) -> np.ndarray:
    """Running number (0, 1, ...) of each record's cluster, in order of the cluster's smallest
    id (ids compared by code point, as Python compares strings)."""
    uid = pa.array(ids.astype("string"))
    if uid.null_count:  # a record without an id: pandas' rules for missing values
        first_id = ids.groupby(labels).transform("min")
        return pd.factorize(first_id.astype(object), sort=True)[0]
    lab = labels.to_numpy()
    in_order = lab[pc.sort_indices(uid).to_numpy()]  # clusters of the records by ascending id
    clusters, first = np.unique(in_order, return_index=True)
    rank = np.empty(clusters.max() + 1 if len(clusters) else 0, dtype=np.int64)
    rank[clusters[np.argsort(first)]] = np.arange(len(clusters))
    return rank[lab]


IDENTIFYING = ("name", "birth_date", "phone_digits", "email")


def identifying_sources(records: pd.DataFrame) -> list[str]:
    """Sources with at least one record carrying an identifying field (name, birth date, phone,
    e-mail)."""
    has = records[list(IDENTIFYING)].notna().any(axis=1)
    return sorted(records.loc[has, "source"].unique())


def _ids_only(records: pd.DataFrame, threshold: float, carrying: list[str]) -> Resolution:
    """One customer per source record: nothing to link across sources."""
    what = f"only {carrying[0]} carries" if carrying else "no source carries"
    note = (
        f"identity resolution not run: {what} identifying fields (it needs two sources that do); "
        "each customer id is one customer"
    )
    empty = pd.DataFrame(columns=["unique_id_l", "unique_id_r"])
    return _clustered(records, empty, threshold=threshold, n_prob=0, method="ids", notes=[note])


def _clustered(records, edges, *, threshold, n_prob, method, notes, **kw) -> Resolution:
    """Connected components of ``edges`` as pseudonymous customers (see resolve_identities)."""
    labels = _connected_components(records["unique_id"], edges)
    out = records[["unique_id", "source", "record_id"]].copy()
    codes = _rank_by_smallest_id(out["unique_id"], labels)
    width = max(6, len(str(codes.max() + 1 if len(codes) else 0)))
    out["customer_id"] = (
        "C" + pd.Series(codes + 1, index=out.index).astype(str).str.zfill(width)
    ).astype("string")
    kw.setdefault("n_pairs_scored", 0)
    kw.setdefault(
        "match_weights", pd.DataFrame(columns=["comparison", "level", "m", "u", "match_weight"])
    )
    kw.setdefault("match_probabilities", pd.Series(dtype=float))
    return Resolution(
        clusters=out,
        n_probabilistic_links=n_prob,
        n_deterministic_links=len(edges) - n_prob,
        threshold=threshold,
        method=method,
        notes=notes,
        **kw,
    )
