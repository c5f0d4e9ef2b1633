"""Segmentation and profiling: features, clustering, choice of k, stability, names and strategies.

Methodology step 5 of the background texts (ko_03): split customers into groups with similar
characteristics, profile each group and define a strategy per group.

* :func:`customer_features` — one row per customer with at least one order, from the customer
  database: log-scaled RFM, order value, purchase rates per channel, calls, e-mail engagement,
  age, tenure, contactability, and (optionally) CLV and P(alive) from :mod:`crm_research.clv`.
* :func:`feature_pipeline` — scikit-learn ``Pipeline`` (median imputation, standardisation).
* :func:`fit_segments` — k-means, mini-batch k-means (large data) or a Gaussian mixture, seeded.
* :func:`selection_table` — silhouette, Calinski–Harabasz, Davies–Bouldin and BIC per k, and
  :func:`choose_k` with the documented rules.
* :func:`bootstrap_stability` — mean adjusted Rand index between refits on bootstrap resamples.
* :func:`profile`, :func:`name_segments`, :func:`strategy` — the manager's view.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

# behaviour features used for clustering by default (all continuous: rates per year of tenure)
DEFAULT_FEATURES = [
    "log_order_value", "log_web_orders_per_year", "log_app_orders_per_year",
    "log_phone_orders_per_year", "log_calls_per_year", "log_email_opens_per_year", "age",
]  # fmt: skip
ALL_FEATURES = DEFAULT_FEATURES + [
    "log_recency_days", "log_frequency", "log_monetary", "tenure_years", "web_share", "app_share",
    "phone_share", "email_open_rate", "log_sessions_per_year", "reachable_any", "log_clv", "p_alive",
]  # fmt: skip
METHODS = ("kmeans", "minibatch_kmeans", "gmm")
MIN_TENURE_YEARS = 0.25  # rates of customers younger than a quarter are computed over a quarter


def customer_features(con, as_of: str | pd.Timestamp, clv_table: pd.DataFrame | None = None) -> pd.DataFrame:  # fmt: skip
    """Per-customer features at ``as_of`` from the customer database (Ibis connection).

    Only customers with at least one order up to ``as_of`` appear. Money in KRW, times in days or
    years; ``log_*`` are natural logs (``log1p`` for counts and rates). Customers with no e-mail
    sends have a missing ``email_open_rate`` (imputed in the pipeline), no calls or no channel
    use give zero rates. ``clv_table`` (index customer_id; ``clv``, ``p_alive``) adds those.
    """
    as_of = pd.Timestamp(as_of)
    tx = con.table("transactions")
    tx = tx.filter(tx.ordered_at <= as_of)
    per = tx.group_by("customer_id").aggregate(
        n_orders=tx.count(),
        revenue=tx.amount.sum(),
        first_order=tx.ordered_at.min(),
        last_order=tx.ordered_at.max(),
        web_orders=(tx.channel == "web").sum(),
        app_orders=(tx.channel == "app").sum(),
        phone_orders=(tx.channel == "phone").sum(),
    )
    tp = con.table("touchpoints")
    tp = tp.filter(tp.ts <= as_of)
    touch = tp.group_by("customer_id").aggregate(
        n_calls=(tp.channel == "call_centre").sum(),
        n_sessions=(tp.channel == "web").sum(),
        n_emails_sent=(tp.channel == "email").sum(),
        n_emails_opened=((tp.channel == "email") & tp.event.isin(["opened", "clicked"])).sum(),
    )
    idm = con.table("identity_map")
    mem = con.table("src_members")
    ages = (
        mem.join(idm.filter(idm.source == "members"), mem.member_id == idm.record_id)
        .group_by("customer_id")
        .aggregate(birth_date=mem.birth_date.min())
    )
    contacts = con.table("contacts").select("customer_id", "reachable_phone", "reachable_email", "reachable_sms", "reachable_post")  # fmt: skip
    df = (
        per.left_join(touch, "customer_id").drop("customer_id_right")
        .left_join(ages, "customer_id").drop("customer_id_right")
        .left_join(contacts, "customer_id").drop("customer_id_right")
        .to_pandas().set_index("customer_id").sort_index()
    )  # fmt: skip
    for c in ("n_calls", "n_sessions", "n_emails_sent", "n_emails_opened"):
        df[c] = df[c].fillna(0)
    years = ((as_of - df["first_order"]).dt.days / 365.25).clip(lower=MIN_TENURE_YEARS)
    out = pd.DataFrame(index=df.index)
    out["log_order_value"] = np.log(df["revenue"] / df["n_orders"])
    for ch in ("web", "app", "phone"):
        out[f"log_{ch}_orders_per_year"] = np.log1p(df[f"{ch}_orders"] / years)
        out[f"{ch}_share"] = df[f"{ch}_orders"] / df["n_orders"]
    out["log_calls_per_year"] = np.log1p(df["n_calls"] / years)
    out["log_email_opens_per_year"] = np.log1p(df["n_emails_opened"] / years)
    out["email_open_rate"] = (df["n_emails_opened"] / df["n_emails_sent"]).where(df["n_emails_sent"] > 0)  # fmt: skip
    out["log_sessions_per_year"] = np.log1p(df["n_sessions"] / years)
    out["age"] = (as_of - pd.to_datetime(df["birth_date"])).dt.days / 365.25
    out["log_recency_days"] = np.log1p((as_of - df["last_order"]).dt.days)
    out["log_frequency"] = np.log(df["n_orders"])
    out["log_monetary"] = np.log(df["revenue"])
    out["tenure_years"] = (as_of - df["first_order"]).dt.days / 365.25
    reach = df[["reachable_phone", "reachable_email", "reachable_sms", "reachable_post"]].astype("boolean").fillna(False)  # fmt: skip
    # reachable by phone or e-mail (post is left out: every member record carries an address)
    out["reachable_any"] = (reach["reachable_phone"] | reach["reachable_email"]).astype(float)
    out["reachable_email"] = reach["reachable_email"].astype(float)
    out["revenue"] = df["revenue"].astype(float)
    out["n_orders"] = df["n_orders"].astype(float)
    if clv_table is not None:
        out["log_clv"] = np.log1p(clv_table["clv"].reindex(out.index).clip(lower=0))
        out["clv"] = clv_table["clv"].reindex(out.index)
        out["p_alive"] = clv_table["p_alive"].reindex(out.index)
    return out


def feature_pipeline(features: list[str]) -> Pipeline:
    """Median imputation (e.g. e-mail open rate of customers never mailed, unknown age) and
    standardisation of the chosen feature columns."""
    return Pipeline(
        [
            (
                "select",
                ColumnTransformer([("num", "passthrough", list(features))], remainder="drop"),
            ),
            ("impute", SimpleImputer(strategy="median")),
            ("scale", StandardScaler()),
        ]
    )


@dataclass
class Segmentation:
    method: str
    k: int
    labels: np.ndarray
    model: object


def _model(method: str, k: int, seed: int, covariance_type: str = "tied"):
    if method == "kmeans":
        return KMeans(n_clusters=k, n_init=10, random_state=seed)
    if method == "minibatch_kmeans":
        return MiniBatchKMeans(n_clusters=k, n_init=3, batch_size=4096, random_state=seed)
    if method == "gmm":
        return GaussianMixture(n_components=k, covariance_type=covariance_type, n_init=3, random_state=seed)  # fmt: skip
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def _relabel(labels: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Number segments by size (0 = largest), ties by the first feature's mean: reproducible."""
    lab = pd.Series(labels)
    key = pd.DataFrame({"n": lab.value_counts(), "m": pd.Series(X[:, 0]).groupby(lab).mean()})
    order = key.sort_values(["n", "m"], ascending=[False, True]).index
    return lab.map({old: new for new, old in enumerate(order)}).to_numpy()


def fit_segments(X: np.ndarray, method: str, k: int, *, seed: int = 0, covariance_type: str = "tied") -> Segmentation:  # fmt: skip
    """Cluster the standardised feature matrix into ``k`` segments (labels 0 = largest)."""
    m = _model(method, k, seed, covariance_type).fit(X)
    labels = m.predict(X)
    return Segmentation(method, k, _relabel(labels, X), m)


def selection_table(X: np.ndarray, k_range=range(2, 9), *, seed: int = 0, sample: int = 5000,
                    covariance_type: str = "tied") -> pd.DataFrame:  # fmt: skip
    """Per k: k-means silhouette (on a seeded sample of ``sample`` rows), Calinski–Harabasz,
    Davies–Bouldin, inertia; Gaussian-mixture BIC."""
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(X), size=min(sample, len(X)), replace=False)
    rows = []
    for k in k_range:
        km = _model("kmeans", k, seed).fit(X)
        gm = _model("gmm", k, seed, covariance_type).fit(X)
        rows.append({
            "k": k,
            "silhouette": silhouette_score(X[idx], km.labels_[idx]),
            "calinski_harabasz": calinski_harabasz_score(X, km.labels_),
            "davies_bouldin": davies_bouldin_score(X, km.labels_),
            "kmeans_inertia": km.inertia_,
            "gmm_bic": gm.bic(X),
        })  # fmt: skip
    return pd.DataFrame(rows).set_index("k")


def elbow(values: pd.Series, fraction: float = 0.25) -> int:
    """Smallest k after which the next decrease of ``values`` (BIC or inertia, indexed by k) is
    below ``fraction`` of the largest decrease seen up to k. Falls back to the last k."""
    ks = list(values.index)
    drops = -values.diff()  # drop when moving to k from k-1
    for i, k in enumerate(ks[1:-1], start=1):
        best_so_far = drops.iloc[1 : i + 1].max()
        if drops.iloc[i + 1] < fraction * best_so_far:
            return int(k)
    return int(ks[-1])


def choose_k(table: pd.DataFrame) -> dict[str, int]:
    """The documented rules: k-means by highest silhouette (CH and DB shown as corroboration) and
    by the inertia elbow; the Gaussian mixture by the BIC elbow (BIC itself keeps falling on
    non-Gaussian features, so its minimum over the range is not informative)."""
    return {
        "kmeans (silhouette)": int(table["silhouette"].idxmax()),
        "kmeans (inertia elbow)": elbow(table["kmeans_inertia"]),
        "gmm (BIC elbow)": elbow(table["gmm_bic"]),
    }


def bootstrap_stability(X: np.ndarray, method: str, k: int, *, n_boot: int = 10, seed: int = 0,
                        covariance_type: str = "tied", max_rows: int = 20_000) -> float:  # fmt: skip
    """Mean adjusted Rand index between the labellings of all rows by models refitted on
    bootstrap resamples (1 = the same segments every time). Uses at most ``max_rows`` rows."""
    rng = np.random.default_rng(seed)
    if len(X) > max_rows:
        X = X[rng.choice(len(X), max_rows, replace=False)]
    labelings = []
    for b in range(n_boot):
        idx = rng.integers(0, len(X), len(X))
        m = _model(method, k, seed + b + 1, covariance_type).fit(X[idx])
        labelings.append(m.predict(X))
    aris = [adjusted_rand_score(labelings[i], labelings[j]) for i in range(n_boot) for j in range(i + 1, n_boot)]  # fmt: skip
    return float(np.mean(aris))


def recovery(labels, truth: pd.Series) -> tuple[float, pd.DataFrame]:
    """Adjusted Rand index against the true segments, and the confusion table (counts)."""
    truth = pd.Series(np.asarray(truth), name="true segment")
    lab = pd.Series(np.asarray(labels), name="found segment")
    return float(adjusted_rand_score(truth, lab)), pd.crosstab(truth, lab)


# ------------------------------------------------------------------------------------------------
# profiling


def profile(features: pd.DataFrame, labels) -> pd.DataFrame:
    """Segment profile: size, share, revenue share, order value, purchase rate, channel mix,
    e-mail engagement, age, reachable share, and mean CLV and churn risk (1 − P(alive)) when the
    features carry them."""
    f = features.assign(segment=np.asarray(labels))
    g = f.groupby("segment")
    out = pd.DataFrame({"customers": g.size()})
    out["share of customers"] = out["customers"] / len(f)
    out["share of revenue"] = g["revenue"].sum() / f["revenue"].sum()
    out["mean order value"] = g["revenue"].sum() / g["n_orders"].sum()
    out["orders per customer"] = g["n_orders"].mean()
    for ch in ("web", "app", "phone"):
        out[f"{ch} share of orders"] = g[f"{ch}_share"].mean()
    out["calls per year"] = g["log_calls_per_year"].apply(lambda s: np.expm1(s).mean())
    out["e-mail open rate"] = g["email_open_rate"].mean()
    out["mean age"] = g["age"].mean()
    out["reachable share"] = g["reachable_any"].mean()  # by phone or e-mail
    if "clv" in f:
        out["mean CLV (KRW)"] = g["clv"].mean()
        out["share of CLV"] = g["clv"].sum() / f["clv"].sum()
    if "p_alive" in f:
        out["churn risk"] = 1 - g["p_alive"].mean()
    return out


def standardized_means(features: pd.DataFrame, labels, columns: list[str]) -> pd.DataFrame:
    """Per segment, the mean of each feature in population standard deviations (for a heat-map)."""
    z = (features[columns] - features[columns].mean()) / features[columns].std(ddof=0)
    return z.groupby(np.asarray(labels)).mean()


def name_segments(prof: pd.DataFrame) -> pd.Series:
    """Plain-language names from a profile, deterministic: value tier (mean CLV, else revenue, per
    customer against the average customer: high ≥ 2×, mid ≥ 0.5×, else low), main order channel, and 'at risk' when churn
    risk is above the customer-weighted average."""
    value = prof["mean CLV (KRW)"] if "mean CLV (KRW)" in prof else prof["share of revenue"] / prof["customers"]  # fmt: skip
    weights = prof["customers"] / prof["customers"].sum()
    avg = (value * weights).sum()
    tier = np.where(value >= 2 * avg, "high value", np.where(value >= 0.5 * avg, "mid value", "low value"))  # fmt: skip
    shares = prof[["web share of orders", "app share of orders", "phone share of orders"]]
    channel = shares.idxmax(axis=1).str.replace(" share of orders", "", regex=False) + "-first"
    names = pd.Series([f"{t}, {c}" for t, c in zip(tier, channel, strict=True)], index=prof.index)
    if "churn risk" in prof:
        risk_avg = (prof["churn risk"] * weights).sum()
        names = names.where(prof["churn risk"] <= risk_avg, names + ", at risk")
    # make names unique deterministically (segment order)
    dup = names.duplicated(keep=False)
    names[dup] = (
        names[dup] + " (" + names[dup].groupby(names[dup]).cumcount().add(1).astype(str) + ")"
    )
    return names


def strategy(prof: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """One action per segment, from the background texts' repertoire, with the reasoning."""
    rows = []
    for seg, p in prof.iterrows():
        name = names[seg]
        reach = p["reachable share"]
        if reach < 0.8:
            action, why = "data-refresh campaign", f"only {reach:.0%} reachable: fix contact data first (ko_05)"  # fmt: skip
        elif name.startswith("high value") and "at risk" in name:
            action, why = (
                "retention offer",
                "valuable and slipping away: a personal offer pays for itself",
            )
        elif name.startswith("high value"):
            action, why = "leave alone (recognise, do not over-treat)", "loyal and valuable; over-selective treatment can alienate others (ko_03)"  # fmt: skip
        elif "at risk" in name and name.startswith("low value"):
            action, why = "low-cost reactivation", "little value at stake: automated e-mail only"
        elif "at risk" in name:
            action, why = "reactivation", "mid value, lapsing: a reminder with a modest incentive"
        else:
            action, why = "cross-sell / up-sell", "active, room to grow basket and frequency"
        rows.append({"segment": seg, "name": name, "action": action, "reasoning": why})
    return pd.DataFrame(rows).set_index("segment")


RFM_FEATURES = ["log_recency_days", "log_frequency", "log_monetary"]


def rfm_features(rfm_table: pd.DataFrame, extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """Log-scaled segmentation RFM (from :func:`crm_research.rfm.rfm_table`), for data that has
    nothing but transactions (e.g. CDNOW), joined with ``extra`` columns (e.g. a CLV table)."""
    out = pd.DataFrame(index=rfm_table.index)
    out["log_recency_days"] = np.log1p(rfm_table["recency_days"])
    out["log_frequency"] = np.log(rfm_table["frequency"])
    out["log_monetary"] = np.log1p(rfm_table["monetary"])
    out["revenue"] = rfm_table["monetary"]
    if extra is not None:
        out = out.join(extra)
    return out
