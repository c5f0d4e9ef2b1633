"""Segmentation and profiling: features, clustering, choice of k, stability, names and strategies.

Methodology step 5 of the background texts (docs/background.md#ko-03): split customers into groups with similar
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

import re
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
# the panels of notebook 03's k evidence: (column of selection_table, title, axis label)
EVIDENCE_PANELS = (
    ("silhouette", "k-means silhouette (higher better)", "silhouette"),
    ("davies_bouldin", "k-means Davies-Bouldin (lower better)", "Davies-Bouldin index"),
    ("gmm_bic", "Gaussian mixture BIC (lower better)", "BIC"),
)
# column names of selection_table for readers
EVIDENCE_COLUMNS = {
    "silhouette": "k-means silhouette",
    "calinski_harabasz": "k-means Calinski-Harabasz",
    "davies_bouldin": "k-means Davies-Bouldin",
    "kmeans_inertia": "k-means inertia",
    "gmm_bic": "mixture BIC",
}
MIN_TENURE_YEARS = 0.25  # rates of customers younger than a quarter are computed over a quarter


def customer_features(con, as_of: str | pd.Timestamp, clv_table: pd.DataFrame | None = None, *, channels: list[str] | None = None) -> pd.DataFrame:  # fmt: skip
    """Per-customer features at ``as_of`` from the customer database (Ibis connection).

    Only customers with at least one order up to ``as_of`` appear. Money in KRW, times in days or
    years; ``log_*`` are natural logs (``log1p`` for counts and rates). Customers with no e-mail
    sends have a missing ``email_open_rate`` (imputed in the pipeline), no calls or no channel
    use give zero rates. ``clv_table`` (index customer_id; ``clv``, ``p_alive``) adds those.

    Works on any dataset: channel rates and shares are computed for ``channels`` (default: the
    channels in the data, :func:`data_channels`; none when the log has no channel), money columns
    are missing when the log has no amounts, age is missing without members' birth dates. Which
    columns are usable for clustering: :func:`choose_features`.
    """
    as_of = pd.Timestamp(as_of)
    chans = data_channels(con, as_of) if channels is None else list(channels)
    tx = con.table("transactions")
    tx = tx.filter(tx.ordered_at <= as_of)
    per = tx.group_by("customer_id").aggregate(
        n_orders=tx.count(),
        revenue=tx.amount.sum(),
        first_order=tx.ordered_at.min(),
        last_order=tx.ordered_at.max(),
        **{f"{channel_slug(ch)}_orders": (tx.channel == ch).sum() for ch in chans},
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
    df["revenue"] = df["revenue"].astype(float)  # missing when the log has no amounts
    positive = df["revenue"].where(df["revenue"] > 0)  # free orders only (e.g. CDNOW $0): missing
    out["log_order_value"] = np.log(positive / df["n_orders"])
    for ch in map(channel_slug, chans):
        out[f"log_{ch}_orders_per_year"] = np.log1p(df[f"{ch}_orders"] / years)
        out[f"{ch}_share"] = df[f"{ch}_orders"] / df["n_orders"]
    out["log_calls_per_year"] = np.log1p(df["n_calls"] / years)
    out["log_email_opens_per_year"] = np.log1p(df["n_emails_opened"] / years)
    out["email_open_rate"] = (df["n_emails_opened"] / df["n_emails_sent"]).where(df["n_emails_sent"] > 0)  # fmt: skip
    out["log_sessions_per_year"] = np.log1p(df["n_sessions"] / years)
    out["age"] = (as_of - pd.to_datetime(df["birth_date"])).dt.days / 365.25
    out["log_recency_days"] = np.log1p((as_of - df["last_order"]).dt.days)
    out["log_frequency"] = np.log(df["n_orders"])
    out["log_monetary"] = np.log(positive)
    out["tenure_years"] = (as_of - df["first_order"]).dt.days / 365.25
    reach = df[["reachable_phone", "reachable_email", "reachable_sms", "reachable_post"]].astype("boolean").fillna(False)  # fmt: skip
    # reachable by phone or e-mail (post is left out: every member record carries an address)
    out["reachable_any"] = (reach["reachable_phone"] | reach["reachable_email"]).astype(float)
    out["reachable_email"] = reach["reachable_email"].astype(float)
    out["revenue"] = df["revenue"].astype(float)
    out["n_orders"] = df["n_orders"].astype(float)
    if clv_table is not None and "clv" in clv_table:
        out["log_clv"] = np.log1p(clv_table["clv"].reindex(out.index).clip(lower=0))
        out["clv"] = clv_table["clv"].reindex(out.index)
    if clv_table is not None and "p_alive" in clv_table:
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


def profile(features: pd.DataFrame, labels, *, currency: str = "KRW", caps: dict | None = None) -> pd.DataFrame:  # fmt: skip
    """Segment profile: size, share, revenue share, order value, purchase rate, channel mix,
    e-mail engagement, age, reachable share, and mean CLV (in ``currency``) and churn risk
    (1 − P(alive)) when the features carry them.

    Only what the data hold: money columns need amounts, channel shares channels (one column per
    channel in the features), calls and e-mail need engagement data, age members' birth dates,
    the reachable share contact data; with ``caps`` (:func:`crm_research.data.datasets.
    capabilities`) a column whose need is missing is left out even if the features carry it."""
    f = features.assign(segment=np.asarray(labels))
    g = f.groupby("segment")
    out = pd.DataFrame({"customers": g.size()})
    out["share of customers"] = out["customers"] / len(f)

    def has(col: str, need: str | None = None) -> bool:
        ok = col in f and f[col].notna().any()
        return ok and (caps is None or need is None or bool(caps.get(need, False)))

    if has("revenue", "amount"):
        out["share of revenue"] = g["revenue"].sum() / f["revenue"].sum()
        out["mean order value"] = g["revenue"].sum() / g["n_orders"].sum()
    out["orders per customer"] = g["n_orders"].mean()
    for ch in channel_columns(f) if caps is None or caps.get("channels") else []:
        out[f"{ch} share of orders"] = g[f"{ch}_share"].mean()
    if has("log_calls_per_year", "engagement"):
        out["calls per year"] = g["log_calls_per_year"].apply(lambda s: np.expm1(s).mean())
    if has("email_open_rate", "engagement"):
        out["e-mail open rate"] = g["email_open_rate"].mean()
    if has("age", "members"):
        out["mean age"] = g["age"].mean()
    if has("reachable_any", "contacts"):
        out["reachable share"] = g["reachable_any"].mean()  # by phone or e-mail
    if has("clv"):
        out[f"mean CLV ({currency})"] = g["clv"].mean()
        out["share of CLV"] = g["clv"].sum() / f["clv"].sum()
    if has("p_alive"):
        out["churn risk"] = 1 - g["p_alive"].mean()
    return out


def standardized_means(features: pd.DataFrame, labels, columns: list[str]) -> pd.DataFrame:
    """Per segment, the mean of each feature in population standard deviations (for a heat-map)."""
    z = (features[columns] - features[columns].mean()) / features[columns].std(ddof=0)
    return z.groupby(np.asarray(labels)).mean()


def name_segments(prof: pd.DataFrame) -> pd.Series:
    """Plain-language names from a profile, deterministic: value tier (mean CLV, else revenue, else
    orders per customer against the average customer: high ≥ 2×, mid ≥ 0.5×, else low), main
    order channel (without channels: frequent or occasional buyers), and 'at risk' when churn
    risk is above the customer-weighted average."""
    clv_cols = [c for c in prof.columns if c.startswith("mean CLV")]
    if clv_cols:
        value = prof[clv_cols[0]]
    elif "share of revenue" in prof:
        value = prof["share of revenue"] / prof["customers"]
    else:  # no amounts: value is purchase frequency
        value = prof["orders per customer"]
    weights = prof["customers"] / prof["customers"].sum()
    avg = (value * weights).sum()
    tier = np.where(value >= 2 * avg, "high value", np.where(value >= 0.5 * avg, "mid value", "low value"))  # fmt: skip
    share_cols = [c for c in prof.columns if c.endswith(" share of orders")]
    if share_cols:
        channel = prof[share_cols].idxmax(axis=1).str.replace(" share of orders", "", regex=False) + "-first"  # fmt: skip
    else:  # no channels: how often they buy, against the average customer
        opc = prof["orders per customer"]
        channel = pd.Series(np.where(opc >= (opc * weights).sum(), "frequent", "occasional"), index=prof.index)  # fmt: skip
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
        reach = p.get("reachable share", np.nan)  # unknown without contact data
        if reach < 0.8:
            action, why = (
                "data-refresh campaign",
                f"only {reach:.0%} reachable: fix contact data first (docs/background.md#ko-05)",
            )
        elif name.startswith("high value") and "at risk" in name:
            action, why = (
                "retention offer",
                "valuable and slipping away: a personal offer pays for itself",
            )
        elif name.startswith("high value"):
            action, why = (
                "leave alone (recognise, do not over-treat)",
                "loyal and valuable; over-selective treatment can alienate others "
                "(docs/background.md#ko-03)",
            )
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


# ------------------------------------------------------------------------------------------------
# any dataset: which features the data support, samples on large data, scoring, conclusions

# what each feature needs from the data (keys of crm_research.data.datasets.NEEDS)
FEATURE_NEEDS = {
    "log_order_value": "amount", "log_monetary": "amount", "log_clv": "amount", "clv": "amount",
    "log_calls_per_year": "engagement", "log_email_opens_per_year": "engagement",
    "email_open_rate": "engagement", "log_sessions_per_year": "engagement",
    "age": "members", "reachable_any": "contacts", "p_alive": "repeat",
}  # fmt: skip
# used when fewer than two of the requested features exist: what a purchase log alone supports
FALLBACK_FEATURES = RFM_FEATURES + ["p_alive", "log_clv"]
_CHANNEL_RATE = re.compile(r"log_(.+)_orders_per_year")


def channel_slug(channel: str) -> str:
    """A channel value as a column-name part (lower case, non-alphanumerics as '_')."""
    return re.sub(r"[^0-9a-z]+", "_", str(channel).strip().lower()).strip("_") or "unnamed"


def data_channels(con, as_of: str | pd.Timestamp | None = None, max_channels: int = 6) -> list[str]:
    """The sales channels of the transaction log up to ``as_of`` (most orders first, at most
    ``max_channels``); empty when the log has no channel column values."""
    tx = con.table("transactions")
    if as_of is not None:
        tx = tx.filter(tx.ordered_at <= pd.Timestamp(as_of))
    tx = tx.filter(tx.channel.notnull())
    n = tx.group_by("channel").aggregate(n=tx.count()).to_pandas()
    n = n.sort_values(["n", "channel"], ascending=[False, True])
    return n["channel"].astype(str).head(max_channels).tolist()


def channel_columns(features: pd.DataFrame) -> list[str]:
    """Channel slugs for which the features carry a rate and a share column."""
    found = [m.group(1) for c in features.columns if (m := _CHANNEL_RATE.fullmatch(c))]
    return [ch for ch in found if f"{ch}_share" in features]


def feature_need(column: str) -> str | None:
    """The capability a feature needs (None: the transaction log alone)."""
    if _CHANNEL_RATE.fullmatch(column) or column.endswith("_share"):
        return "channels"
    return FEATURE_NEEDS.get(column)


def choose_features(features: pd.DataFrame, caps: dict[str, bool], requested: list[str], *,
                    fallback: list[str] = FALLBACK_FEATURES, min_features: int = 2) -> tuple[list[str], pd.DataFrame]:  # fmt: skip
    """The requested clustering features the data support, and a table saying why each candidate
    is used or left out.

    A feature is used when its need is met (:func:`feature_need`), the column exists, at most
    half of it is missing and it varies. Requested channel rates the data do not have are replaced
    by the rates of the data's own channels. With fewer than ``min_features`` usable, the
    ``fallback`` purchase-log features (log-scaled RFM, P(alive), CLV) are used instead."""
    from crm_research.data.datasets import NEEDS

    cands = list(dict.fromkeys(requested))
    if caps.get("channels") and any(_CHANNEL_RATE.fullmatch(c) and c not in features for c in cands):  # fmt: skip
        cands += [f"log_{ch}_orders_per_year" for ch in channel_columns(features)]
    cands = list(dict.fromkeys(cands))

    def reason(c: str) -> str | None:
        need = feature_need(c)
        if need is not None and not caps.get(need, False):
            return "needs " + NEEDS[need]
        if c not in features:
            return "not in the data"
        col = features[c]
        if col.isna().mean() > 0.5:
            return "missing for most customers"
        return "does not vary" if col.nunique() < 2 else None

    why = {c: reason(c) for c in cands}
    used = [c for c in cands if why[c] is None]
    if len(used) < min_features:
        extra = [c for c in fallback if c not in why]
        why |= {c: reason(c) for c in extra}
        used = [c for c in fallback if why[c] is None]
    rows = [{"feature": c, "used": c in used,
             "note": "used" if c in used else (why[c] or "replaced by the purchase-log features")}
            for c in why]  # fmt: skip
    return used, pd.DataFrame(rows).set_index("feature")


def value_table(con, as_of: str | pd.Timestamp, currency: str, caps: dict[str, bool]) -> pd.DataFrame | None:  # fmt: skip
    """Per customer at ``as_of``: ``p_alive`` (BG/NBD) and, with amounts, ``clv`` and
    ``value_if_alive`` (Gamma-Gamma; in ``currency``). None without repeat purchases."""
    from crm_research import clv, rfm
    from crm_research.reporting import kpi

    if not caps.get("repeat"):
        return None
    tx = con.table("transactions")
    tx = tx.filter(tx.ordered_at <= pd.Timestamp(as_of))
    if caps.get("amount"):
        return clv.clv_table(tx, observation_end=as_of, money_scale=kpi.money_scale(currency))
    s = rfm.btyd_summary(tx, observation_end=as_of, freq="D", freq_multiplier=7)
    return pd.DataFrame({"p_alive": clv.fit_btyd(s, "bgnbd").p_alive(s)})


def sample_index(n: int, max_rows: int | None, seed: int = 0) -> np.ndarray:
    """All row positions when ``n <= max_rows`` (or no limit), else a seeded sample of
    ``max_rows`` positions (sorted)."""
    if max_rows is None or n <= max_rows:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=max_rows, replace=False))


def fit_on_sample(X: np.ndarray, method: str, k: int, *, seed: int = 0, max_rows: int | None = None,
                  covariance_type: str = "tied") -> Segmentation:  # fmt: skip
    """:func:`fit_segments` on a seeded sample of at most ``max_rows`` rows, then every row
    labelled by the fitted model (identical to :func:`fit_segments` when the data are smaller)."""
    idx = sample_index(len(X), max_rows, seed)
    if len(idx) == len(X):
        return fit_segments(X, method, k, seed=seed, covariance_type=covariance_type)
    m = _model(method, k, seed, covariance_type).fit(X[idx])
    return Segmentation(method, k, _relabel(m.predict(X), X), m)


def stability_table(X: np.ndarray, ks, methods=("kmeans", "gmm"), *, n_boot: int = 5, seed: int = 0,
                    max_rows: int = 10_000) -> pd.DataFrame:  # fmt: skip
    """Bootstrap stability (:func:`bootstrap_stability`) per k (rows) and method (columns)."""
    out = pd.DataFrame({m: {k: bootstrap_stability(X, m, k, n_boot=n_boot, seed=seed, max_rows=max_rows)
                            for k in ks} for m in methods})  # fmt: skip
    out.index.name = "k"
    return out


def candidate_runs(X: np.ndarray, chosen: dict[str, int], *, seed: int = 0, max_rows: int | None = None) -> dict[str, Segmentation]:  # fmt: skip
    """One fitted segmentation per k-choice rule of :func:`choose_k`, named for tables."""
    spec = {"kmeans (silhouette)": ("kmeans", "k-means"), "kmeans (inertia elbow)": ("kmeans", "k-means"),
            "gmm (BIC elbow)": ("gmm", "Gaussian mixture")}  # fmt: skip
    out = {}
    for rule, k in chosen.items():
        method, label = spec[rule]
        out[f"{label}, k={k} ({rule.split('(')[1].rstrip(')')})"] = fit_on_sample(X, method, k, seed=seed, max_rows=max_rows)  # fmt: skip
    return out


def rfm_baselines(con, as_of: str | pd.Timestamp, index: pd.Index, has_amount: bool) -> dict[str, pd.Series]:  # fmt: skip
    """RFM-score rule segments (notebook 02) per customer in ``index``: the CRAN ``rfm`` table
    (needs amounts) and the R×F grid (recency and frequency only)."""
    from crm_research import rfm

    tx = con.table("transactions")
    rt = rfm.rfm_table(tx, analysis_date=as_of).reindex(index)
    if not has_amount:
        rt["monetary"] = 0.0  # M is not used by the R×F grid
    rt = rfm.rfm_scores(rt)
    out = {"RFM rules (R×F grid)": rfm.name_segments(rt, rfm.RF_GRID_SEGMENTS)}
    if has_amount:
        out = {"RFM rules (CRAN rfm table)": rfm.name_segments(rt, rfm.CRAN_RFM_SEGMENTS)} | out
    return out


def true_segments(con, index: pd.Index) -> pd.Series:
    """The simulator's true segment of each customer in ``index`` (simulated data only)."""
    from crm_research import integrate

    return integrate.customer_truth(con).reindex(index)["segment"]


def ari_table(labelings: dict[str, np.ndarray | pd.Series], reference, name: str) -> pd.Series:
    """Adjusted Rand index of each labelling against ``reference`` (e.g. the true segments, or
    the chosen segmentation), best first."""
    ref = np.asarray(reference)
    s = pd.Series({k: adjusted_rand_score(ref, np.asarray(v)) for k, v in labelings.items()}, name=name)  # fmt: skip
    return s.sort_values(ascending=False)


def ari_by_k(X: np.ndarray, ks, truth, methods=("kmeans", "gmm"), *, seed: int = 0,
             max_rows: int | None = None) -> pd.DataFrame:  # fmt: skip
    """ARI against the true segments of each method at every k (rows k, columns methods)."""
    out = pd.DataFrame({m: {k: recovery(fit_on_sample(X, m, k, seed=seed, max_rows=max_rows).labels, truth)[0]
                            for k in ks} for m in methods})  # fmt: skip
    out.index.name = "k"
    return out


def pca_view(X: np.ndarray, labels, *, n: int = 5000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:  # fmt: skip
    """First two principal components of a seeded sample of ``n`` rows (``pc1``, ``pc2``,
    ``segment``) and the explained variance ratios."""
    from sklearn.decomposition import PCA

    idx = sample_index(len(X), n, seed)
    pca = PCA(n_components=2, random_state=seed).fit(X)
    P = pca.transform(X[idx])
    return pd.DataFrame({"pc1": P[:, 0], "pc2": P[:, 1], "segment": np.asarray(labels)[idx]}), pca.explained_variance_ratio_  # fmt: skip


def value_measure(prof: pd.DataFrame) -> tuple[str, pd.Series]:
    """The best value share a profile carries: next year's CLV, else revenue, else orders."""
    if "share of CLV" in prof:
        return "next year's expected value", prof["share of CLV"]
    if "share of revenue" in prof:
        return "revenue", prof["share of revenue"]
    orders = prof["customers"] * prof["orders per customer"]
    return "purchases", orders / orders.sum()


def conclusions(prof: pd.DataFrame, plan: pd.DataFrame, *, k: int, method: str, used: list[str],
                truth_ari: float | None = None, rfm_ari: float | None = None,
                rfm_agreement: float | None = None, sampled: int | None = None) -> str:  # fmt: skip
    """Conclusions for managers (Markdown), from the profile, the strategy table and the scores;
    truth scores only when given (simulated data)."""
    what, share = value_measure(prof)
    top = (share / prof["share of customers"]).idxmax()  # the most valuable per customer
    label = {"gmm": "Gaussian mixture", "kmeans": "k-means", "minibatch_kmeans": "mini-batch k-means"}.get(method, method)  # fmt: skip
    lines = [f"* The data support **{k} customer groups** ({label}; evidence and stability above), "
             f"built from {len(used)} features the data hold: {', '.join(f'`{u}`' for u in used)}."]  # fmt: skip
    if sampled:
        lines.append(f"* The models were fitted on a seeded sample of {sampled:,} customers and then applied to everyone.")  # fmt: skip
    if truth_ari is not None:
        base = f", while RFM score rules alone reach only {rfm_ari:.2f}" if rfm_ari is not None else ""  # fmt: skip
        lines.append(f"* They match the true behaviour groups of the simulated customers with ARI {truth_ari:.2f}{base}.")  # fmt: skip
    elif rfm_agreement is not None:
        lines.append(f"* Agreement with the RFM score rules of notebook 02: ARI {rfm_agreement:.2f} "
                     "(1 would mean the groups only restate recency, frequency and spend).")  # fmt: skip
    lines.append(f'* "{prof.loc[top, "name"]}" is {prof.loc[top, "share of customers"]:.0%} of customers '
                 f"but {share[top]:.0%} of {what}: recognise them, do not flood them with offers.")  # fmt: skip
    lines.append("* One action per group (strategy table):")
    lines += [f"  - {r['name']} ({int(prof.loc[seg, 'customers']):,} customers): {r['action']}" for seg, r in plan.iterrows()]  # fmt: skip
    return "\n".join(lines)
