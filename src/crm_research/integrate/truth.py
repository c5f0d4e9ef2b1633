"""Scoring against the simulator's truth: pairwise precision, recall, F1 and adjusted Rand
index of a resolution, and the true person behind each resolved customer.
"""

from __future__ import annotations

import pandas as pd


def _pairs2(counts: pd.Series) -> int:
    """Ordered pairs within groups of these sizes: the sum of n (n - 1), an exact integer."""
    c = counts.to_numpy(dtype="int64")
    return int((c * (c - 1)).sum())


def scores_from_pairs(
    tp2: int, pred2: int, true2: int, n: int, true_persons: int, predicted_persons: int
) -> dict[str, float]:
    """Pairwise precision, recall, F1 and adjusted Rand index from ordered-pair counts: ``tp2``
    (pairs together in both clusterings), ``pred2`` (together in the prediction), ``true2``
    (together in the truth), over ``n`` records. The adjusted Rand index is scikit-learn's
    formula on its pair confusion matrix, in exact integers."""
    tp, pred_pairs, true_pairs = tp2 / 2, pred2 / 2, true2 / 2
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    fp, fn = pred2 - tp2, true2 - tp2
    tn = n * n - n - pred2 - true2 + tp2
    ari = (
        1.0
        if fn == 0 and fp == 0
        else 2.0 * (tp2 * tn - fn * fp) / ((tp2 + fn) * (fn + tn) + (tp2 + fp) * (fp + tn))
    )
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "adjusted_rand_index": float(ari),
        "true_pairs": true_pairs,
        "predicted_pairs": pred_pairs,
        "records": float(n),
        "true_persons": float(true_persons),
        "predicted_persons": float(predicted_persons),
    }


def pairwise_scores(predicted: pd.Series, truth: pd.Series) -> dict[str, float]:
    """Pairwise precision, recall, F1 and adjusted Rand index of a clustering against the truth.

    ``predicted`` and ``truth`` are cluster labels aligned on the same records. A pair of records
    is a true positive when both clusterings put it together.
    """
    # integer codes: the same partitions, grouped and compared without sorting strings
    df = pd.DataFrame({"p": pd.factorize(predicted)[0], "t": pd.factorize(truth)[0]})
    return scores_from_pairs(
        _pairs2(df.groupby(["p", "t"]).size()),
        _pairs2(df.groupby("p").size()),
        _pairs2(df.groupby("t").size()),
        len(df),
        df["t"].nunique(),
        df["p"].nunique(),
    )


def score_resolution(clusters: pd.DataFrame, truth_records: pd.DataFrame) -> dict[str, float]:
    """Score ``Resolution.clusters`` against the simulator's ``truth_records``."""
    m = clusters.merge(truth_records, on=["source", "record_id"], how="inner", validate="1:1")
    if len(m) != len(clusters):
        raise ValueError(f"{len(clusters) - len(m)} resolved records have no truth row")
    return pairwise_scores(m["customer_id"], m["person_id"])


def scores_in_database(
    con, map_name: str = "identity_map", truth_name: str = "truth_records"
) -> dict[str, float]:
    """:func:`score_resolution` computed by the engine from the stored identity map and truth
    (the same pair counts, so the same numbers: :func:`scores_from_pairs`)."""
    idm, tr = con.table(map_name), con.table(truth_name)
    j = idm.join(tr, ["source", "record_id"])
    cells = j.group_by(["customer_id", "person_id"]).aggregate(n=j.count())

    def sums(t, by=None):
        t = t if by is None else t.group_by(by).aggregate(n=t.n.sum())
        return t.aggregate(pairs=(t.n * (t.n - 1)).sum(), groups=t.count(), rows=t.n.sum())

    got = {
        k: sums(cells, by).to_pandas().iloc[0]
        for k, by in (("cell", None), ("pred", "customer_id"), ("true", "person_id"))
    }
    n = int(got["cell"]["rows"]) if got["cell"]["groups"] else 0
    if n != (n_map := int(idm.count().to_pyarrow().as_py())):
        raise ValueError(f"{n_map - n} resolved records have no truth row")
    tp2, pred2, true2 = (int(got[k]["pairs"]) if n else 0 for k in ("cell", "pred", "true"))
    return scores_from_pairs(
        tp2,
        pred2,
        true2,
        n,
        int(got["true"]["groups"]) if n else 0,
        int(got["pred"]["groups"]) if n else 0,
    )


def customer_truth(con) -> pd.DataFrame:
    """The simulator's truth per resolved customer (for scoring methods; never for reports).

    Each customer is matched to the person behind most of its records (``truth_share`` = that
    share). Columns from ``truth_people``: segment, purchase rate per day, dropout probability,
    acquisition and churn dates, alive flag, spend parameters.
    """
    idm = con.table("identity_map")
    tr = con.table("truth_records")
    j = idm.join(tr, ["source", "record_id"])
    counts = j.group_by(["customer_id", "person_id"]).aggregate(n=j.count()).to_pandas()
    counts = counts.sort_values(["customer_id", "n", "person_id"], ascending=[True, False, True])
    total = counts.groupby("customer_id")["n"].transform("sum")
    counts["truth_share"] = counts["n"] / total
    best = counts.drop_duplicates("customer_id").set_index("customer_id")
    people = con.table("truth_people").to_pandas().set_index("person_id")
    return best[["person_id", "truth_share"]].join(people, on="person_id")
