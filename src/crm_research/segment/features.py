"""Per-customer segmentation features from the customer database, and which of them the data support.

Log-scaled RFM, order value, purchase rates and shares per channel, calls, e-mail engagement,
age, tenure, contactability and (optionally) CLV and P(alive) from :mod:`crm_research.clv`; the
scikit-learn pipeline that imputes and standardises them.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from crm_research import clv, rfm
from crm_research.clv import sampling
from crm_research.data.datasets import NEEDS
from crm_research.reporting import kpi

# behaviour features used for clustering by default (all continuous: rates per year of tenure)
DEFAULT_FEATURES = [
    "log_order_value",
    "log_web_orders_per_year",
    "log_app_orders_per_year",
    "log_phone_orders_per_year",
    "log_calls_per_year",
    "log_email_opens_per_year",
    "age",
]
ALL_FEATURES = DEFAULT_FEATURES + [
    "log_recency_days",
    "log_frequency",
    "log_monetary",
    "tenure_years",
    "web_share",
    "app_share",
    "phone_share",
    "email_open_rate",
    "log_sessions_per_year",
    "reachable_any",
    "log_clv",
    "p_alive",
]
MIN_TENURE_YEARS = 0.25  # rates of customers younger than a quarter are computed over a quarter


def customer_features(
    con,
    as_of: str | pd.Timestamp,
    clv_table: pd.DataFrame | None = None,
    *,
    channels: list[str] | None = None,
) -> pd.DataFrame:
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
    contacts = con.table("contacts").select(
        "customer_id", "reachable_phone", "reachable_email", "reachable_sms", "reachable_post"
    )
    df = (
        per.left_join(touch, "customer_id")
        .drop("customer_id_right")
        .left_join(ages, "customer_id")
        .drop("customer_id_right")
        .left_join(contacts, "customer_id")
        .drop("customer_id_right")
        .to_pandas()
        .set_index("customer_id")
        .sort_index()
    )
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
    out["email_open_rate"] = (df["n_emails_opened"] / df["n_emails_sent"]).where(
        df["n_emails_sent"] > 0
    )
    out["log_sessions_per_year"] = np.log1p(df["n_sessions"] / years)
    out["age"] = (as_of - pd.to_datetime(df["birth_date"])).dt.days / 365.25
    out["log_recency_days"] = np.log1p((as_of - df["last_order"]).dt.days)
    out["log_frequency"] = np.log(df["n_orders"])
    out["log_monetary"] = np.log(positive)
    out["tenure_years"] = (as_of - df["first_order"]).dt.days / 365.25
    reach = (
        df[["reachable_phone", "reachable_email", "reachable_sms", "reachable_post"]]
        .astype("boolean")
        .fillna(False)
    )
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


# what each feature needs from the data (keys of crm_research.data.datasets.NEEDS)
FEATURE_NEEDS = {
    "log_order_value": "amount",
    "log_monetary": "amount",
    "log_clv": "amount",
    "clv": "amount",
    "log_calls_per_year": "engagement",
    "log_email_opens_per_year": "engagement",
    "email_open_rate": "engagement",
    "log_sessions_per_year": "engagement",
    "age": "members",
    "reachable_any": "contacts",
    "p_alive": "repeat",
}
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


def choose_features(
    features: pd.DataFrame,
    caps: dict[str, bool],
    requested: list[str],
    *,
    fallback: list[str] = FALLBACK_FEATURES,
    min_features: int = 2,
) -> tuple[list[str], pd.DataFrame]:
    """The requested clustering features the data support, and a table saying why each candidate
    is used or left out.

    A feature is used when its need is met (:func:`feature_need`), the column exists, at most
    half of it is missing and it varies. Requested channel rates the data do not have are replaced
    by the rates of the data's own channels. With fewer than ``min_features`` usable, the
    ``fallback`` purchase-log features (log-scaled RFM, P(alive), CLV) are used instead."""
    cands = list(dict.fromkeys(requested))
    if caps.get("channels") and any(
        _CHANNEL_RATE.fullmatch(c) and c not in features for c in cands
    ):
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
    rows = [
        {
            "feature": c,
            "used": c in used,
            "note": "used" if c in used else (why[c] or "replaced by the purchase-log features"),
        }
        for c in why
    ]
    return used, pd.DataFrame(rows).set_index("feature")


def value_table(
    con, as_of: str | pd.Timestamp, currency: str, caps: dict[str, bool]
) -> pd.DataFrame | None:
    """Per customer at ``as_of``: ``p_alive`` (BG/NBD) and, with amounts, ``clv`` and
    ``value_if_alive`` (Gamma-Gamma; in ``currency``). None without repeat purchases.

    Above :data:`crm_research.sampling.FIT_SAMPLE` customers the models are fitted on a
    seeded sample and every customer is scored; ``attrs['fit_note']`` says so (else None)."""
    if not caps.get("repeat"):
        return None
    tx = con.table("transactions")
    tx = tx.filter(tx.ordered_at <= pd.Timestamp(as_of))
    if caps.get("amount"):
        return clv.clv_table(tx, observation_end=as_of, money_scale=kpi.money_scale(currency))
    s = rfm.btyd_summary(tx, observation_end=as_of, freq="D", freq_multiplier=7)
    fitted = sampling.fit_sample(s)
    out = pd.DataFrame({"p_alive": clv.fit_btyd(fitted, "bgnbd").p_alive(s)})
    out.attrs["fit_note"] = sampling.sample_note(len(fitted), len(s))
    return out


def value_note(value: pd.DataFrame | None) -> str | None:
    """One line for the report when :func:`value_table` fitted its models on a sample."""
    note = None if value is None else value.attrs.get("fit_note")
    return f"CLV and P(alive) (BG/NBD): {note[0].lower()}{note[1:]}" if note else None
