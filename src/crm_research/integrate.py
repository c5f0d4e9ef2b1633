"""Integration: identity resolution across systems and contact-data freshness.

Identity resolution links the identity-bearing records of every system (order-system members,
call-centre customers, web accounts, e-mail subscribers, survey respondents) into one person id
with splink (Fellegi-Sunter model, trained without labels by expectation maximisation, on DuckDB).
Records are standardised first: phone numbers to their national digits (and their last 7 digits,
which survive the move from a legacy 01X prefix to 010), e-mails lower-cased and split into local
part and domain.

Contactability classifies every phone number (valid 010 mobile, legacy 011/016/017/018/019
prefix, landline, invalid) and e-mail (syntax, hard bounces), and the age of each customer's
most recent record update, into a per-customer table and reachable shares per channel.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sklearn.metrics import adjusted_rand_score

from crm_research.data.reader.quarantine import Validated

# which column holds the record's id and its "last updated" time, per identity source
IDENTITY_SOURCES: dict[str, tuple[str, str]] = {
    "members": ("member_id", "updated_at"),
    "cc_customers": ("cc_customer_id", "registered_at"),
    "web_accounts": ("login_id", "signup_at"),
    "email_subscribers": ("subscriber_id", "subscribed_at"),
    "survey": ("response_id", "submitted_at"),
}

LEGACY_PREFIXES = ("11", "16", "17", "18", "19")  # national significant number starts (011 → 11)
PHONE_CLASSES = ("mobile_010", "legacy_mobile", "landline", "invalid", "missing")
EMAIL_CLASSES = ("valid", "bounced", "invalid_syntax", "missing")


# ------------------------------------------------------------------------------------------------
# standardisation


@cache
def _phone_info(raw: str) -> tuple[str, str | None]:
    """(class, national digits) of one phone string; see :func:`classify_phone`."""
    try:
        num = phonenumbers.parse(raw, "KR")
    except phonenumbers.NumberParseException:
        return "invalid", None
    nsn = phonenumbers.national_significant_number(num)
    digits = "0" + nsn if num.country_code == 82 else nsn
    if num.country_code != 82 or not phonenumbers.is_valid_number(num):
        return "invalid", digits
    if nsn.startswith(LEGACY_PREFIXES):
        # libphonenumber still accepts 01X numbers as valid mobiles; the networks are closed
        return "legacy_mobile", digits
    kind = phonenumbers.number_type(num)
    if nsn.startswith("10") and kind == phonenumbers.PhoneNumberType.MOBILE:
        return "mobile_010", digits
    if kind in (
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        phonenumbers.PhoneNumberType.VOIP,
    ):
        return "landline", digits
    return "invalid", digits


_PHONE_TYPES_BEFORE_FIXED = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)
# simple national ("010-1234-5678", "0212345678") and +82 ("+82 10 1234 5678") spellings: parsed
# here without libphonenumber's parser; anything else goes through phonenumbers.parse
_SIMPLE_NATIONAL = r"0[1-79]\d*(?:[-. ]\d+){0,3}"
_SIMPLE_PLUS82 = r"\+82[-. ]?[1-9]\d*(?:[-. ]\d+){0,3}"


def _matches_desc(nsn, lengths: np.ndarray, desc) -> np.ndarray:
    """Vectorised ``phonenumbers._is_number_matching_desc``: possible lengths, then a full match
    of the national number pattern (RE2 through pyarrow)."""
    import pyarrow.compute as pc

    if desc is None or desc.national_number_pattern is None:
        return np.zeros(len(lengths), dtype=bool)
    pattern = f"^(?:{desc.national_number_pattern})$"
    ok = pc.match_substring_regex(nsn, pattern).to_numpy(zero_copy_only=False).astype(bool)
    if desc.possible_length:
        ok &= np.isin(lengths, list(desc.possible_length))
    return ok


def _kr_number_types(nsn: np.ndarray) -> np.ndarray:
    """libphonenumber's number type of Korean national significant numbers, vectorised
    (``phonenumbers._number_type_helper`` on the KR metadata)."""
    import pyarrow as pa

    T = phonenumbers.PhoneNumberType
    meta = phonenumbers.PhoneMetadata.metadata_for_region("KR")
    arr = pa.array(nsn, pa.string())
    lengths = np.array([len(x) for x in nsn], dtype=int)
    out = np.full(len(nsn), T.UNKNOWN, dtype=int)
    open_ = _matches_desc(arr, lengths, meta.general_desc)
    for name in _PHONE_TYPES_BEFORE_FIXED:
        hit = open_ & _matches_desc(arr, lengths, getattr(meta, name))
        out[hit] = getattr(T, name.upper())
        open_ &= ~hit
    fixed = open_ & _matches_desc(arr, lengths, meta.fixed_line)
    mobile = _matches_desc(arr, lengths, meta.mobile)
    same = meta.same_mobile_and_fixed_line_pattern
    out[fixed] = np.where(same | mobile[fixed], T.FIXED_LINE_OR_MOBILE, T.FIXED_LINE)
    open_ &= ~fixed
    if not same:
        out[open_ & mobile] = T.MOBILE
    return out


def _phone_info_many(uniq: pd.Series) -> pd.DataFrame:
    """(class, digits) of distinct non-empty phone strings, as :func:`_phone_info` gives them.

    Simple spellings are parsed with vectorised string operations and typed against the KR
    metadata patterns (:func:`_kr_number_types`); the rest (and any simple national spelling
    libphonenumber might read differently: a carrier-code or international prefix, or digits
    that are a viable number with their leading 0) goes through :func:`_phone_info`.
    """
    T = phonenumbers.PhoneNumberType
    u = uniq.astype("string").reset_index(drop=True)
    digits = u.str.replace(r"[-. ]", "", regex=True)
    national = u.str.fullmatch(_SIMPLE_NATIONAL).fillna(False).to_numpy(bool)
    plus = u.str.fullmatch(_SIMPLE_PLUS82).fillna(False).to_numpy(bool)
    nsn = pd.Series(pd.NA, index=u.index, dtype="string")
    nsn[national] = digits[national].str[1:]
    nsn[plus] = digits[plus].str[3:]
    n = nsn.str.len().fillna(0).to_numpy(int)
    fast = (national | plus) & (n >= 2) & (n <= 17)
    if fast.any():  # a national spelling whose leading 0 libphonenumber would keep: slow path
        meta = phonenumbers.PhoneMetadata.metadata_for_region("KR")
        d = digits[national & fast].to_numpy(dtype=object)
        import pyarrow as pa

        keep0 = _matches_desc(
            pa.array(d, pa.string()), np.array([len(x) for x in d]), meta.general_desc
        )
        idx = np.flatnonzero(national & fast)
        fast[idx[keep0]] = False
    cls = np.empty(len(u), dtype=object)
    dig = np.empty(len(u), dtype=object)
    f = np.flatnonzero(fast)
    if len(f):
        ns = nsn.to_numpy(dtype=object)[f]
        types = _kr_number_types(ns)
        ns_s = pd.Series(ns, dtype="string")
        valid = types != T.UNKNOWN
        legacy = ns_s.str.startswith(LEGACY_PREFIXES).to_numpy(bool)
        mob010 = ns_s.str.startswith("10").to_numpy(bool) & (types == T.MOBILE)
        land = np.isin(types, [T.FIXED_LINE, T.FIXED_LINE_OR_MOBILE, T.VOIP])
        cls[f] = np.select(
            [~valid, legacy, mob010, land],
            ["invalid", "legacy_mobile", "mobile_010", "landline"],
            "invalid",
        )
        dig[f] = ("0" + ns_s).to_numpy(dtype=object)
    for i in np.flatnonzero(~fast):
        cls[i], dig[i] = _phone_info(u[i])
    return pd.DataFrame({"phone_class": cls, "phone_digits": dig}, index=uniq.to_numpy())


def classify_phone(phones: pd.Series) -> pd.DataFrame:
    """Classify Korean phone numbers.

    Returns columns ``phone_class`` (one of ``PHONE_CLASSES``) and ``phone_digits`` (national
    digits, e.g. ``01012345678``; empty when unparseable). Legacy 01X mobiles are classified by
    prefix because libphonenumber still reports them valid. Each distinct number is classified
    once; common spellings without the Python parser (see :func:`_phone_info_many`).
    """
    s = phones.astype("string").str.strip()
    uniq = pd.Series(s[s.notna() & (s != "")].unique(), dtype="string")
    info = _phone_info_many(uniq)
    out = pd.DataFrame(index=phones.index)
    key = s.to_numpy(dtype=object)
    pos = info.index.get_indexer(key)
    hit = pos >= 0
    cls = np.full(len(s), "missing", dtype=object)
    dig = np.full(len(s), None, dtype=object)
    cls[hit] = info["phone_class"].to_numpy()[pos[hit]]
    dig[hit] = info["phone_digits"].to_numpy()[pos[hit]]
    out["phone_class"] = pd.array(cls, dtype="string")
    out["phone_digits"] = pd.array(dig, dtype="string")
    return out


@cache
def _email_ok(raw: str) -> str | None:
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


# an ASCII dot-atom local part (what email_validator accepts for these characters); the domain of
# such an address is then checked once per distinct domain with email_validator itself
_SIMPLE_EMAIL = r"^(?P<local>[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)@(?P<domain>[A-Za-z0-9.-]+)$"


def _arrow(s: pd.Series):
    """A text Series as a pyarrow string array (missing → null), for vectorised RE2 matching."""
    import pyarrow as pa

    return pa.array(s.astype("string").to_numpy(dtype=object, na_value=None), pa.string())


def _extract(s: pd.Series, pattern: str) -> pd.Series:
    """The first group of a regex anchored at the start of each value (pyarrow's RE2, no Python
    loop), as a string Series aligned with ``s``; missing where ``s`` is missing or no match."""
    import pyarrow.compute as pc

    got = pc.struct_field(pc.extract_regex(_arrow(s), f"(?P<g>{pattern})"), "g")
    return pd.Series(pd.array(got.to_numpy(zero_copy_only=False), dtype="string"), index=s.index)


def email_syntax_ok(emails: pd.Series) -> pd.Series:
    """Whether each e-mail address is syntactically valid (``email_validator``, no DNS); False
    when missing. Each distinct address is checked once: simple ASCII addresses by their local
    part's pattern and their domain (validated once per distinct domain), the rest one by one."""
    import pyarrow as pa
    import pyarrow.compute as pc

    s = emails.astype("string").str.strip()
    uniq = pd.Series(s[s.notna() & (s != "")].unique(), dtype="string")
    parts = pc.extract_regex(_arrow(uniq), _SIMPLE_EMAIL)
    local, dom = pc.struct_field(parts, "local"), pc.struct_field(parts, "domain")
    simple = pc.fill_null(
        pc.and_(
            pc.less_equal(pc.utf8_length(local), 64),
            pc.less_equal(pc.utf8_length(_arrow(uniq)), 254),
        ),
        False,
    ).to_numpy(zero_copy_only=False)
    ok = np.zeros(len(uniq), dtype=bool)
    doms = pd.Series(dom.to_numpy(zero_copy_only=False)[simple], dtype=object)
    dom_ok = {d: _email_ok("a@" + d) is not None for d in doms.unique()}
    ok[simple] = doms.map(dom_ok).to_numpy(bool)
    ok[~simple] = [_email_ok(x) is not None for x in uniq[~simple]]
    valid = pa.array(uniq.to_numpy(dtype=object)[ok], pa.string())
    hit = pc.fill_null(pc.is_in(_arrow(s), value_set=valid), False)
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=emails.index)


def classify_email(emails: pd.Series, bounced: pd.Series | None = None) -> pd.Series:
    """Class of each e-mail address: ``valid``, ``bounced`` (last send hard-bounced),
    ``invalid_syntax`` or ``missing``. ``bounced`` is a boolean Series aligned with ``emails``."""
    s = emails.astype("string").str.strip()
    present = (s.notna() & (s != "")).fillna(False).to_numpy(bool)
    ok = email_syntax_ok(emails).to_numpy(bool)
    cls = np.select([~present, ok], ["missing", "valid"], "invalid_syntax")
    if bounced is not None:
        b = bounced.fillna(False).astype(bool).to_numpy()
        cls[(cls == "valid") & b] = "bounced"
    return pd.Series(pd.array(cls, dtype="string"), index=emails.index)


def identity_records(tables: dict[str, Validated | pd.DataFrame]) -> pd.DataFrame:
    """One standardised row per identity-bearing source record (input of identity resolution).

    Columns: ``unique_id`` ('source:record_id'), ``source``, ``record_id``, ``name``,
    ``birth_date`` (ISO text), ``phone_digits``, ``phone_last7``, ``phone_class``, ``email``,
    ``email_local``, ``address``, ``district``, ``updated_at``.
    """
    frames = []
    for source, (id_col, ts_col) in IDENTITY_SOURCES.items():
        t = tables[source]
        df = t.accepted if isinstance(t, Validated) else t
        f = pd.DataFrame(
            {
                "source": source,
                "record_id": df[id_col].astype("string"),
                "name": df["name"].astype("string") if "name" in df else pd.NA,
                "birth_date": pd.to_datetime(df["birth_date"]).dt.strftime("%Y-%m-%d")
                if "birth_date" in df
                else pd.NA,
                "phone": df["phone"].astype("string") if "phone" in df else pd.NA,
                "email": df["email"].astype("string") if "email" in df else pd.NA,
                "address": df["address"].astype("string") if "address" in df else pd.NA,
                "updated_at": pd.to_datetime(df[ts_col]),
            }
        )
        frames.append(f)
    orders = tables.get("orders")
    if orders is not None:  # order-system customers without a customer-master record
        o = orders.accepted if isinstance(orders, Validated) else orders
        known = frames[0]["record_id"]  # members
        first = o.groupby("member_id")["ordered_at"].min()
        first = first[~first.index.isin(known.dropna())]
        if len(first):
            frames.append(
                pd.DataFrame(
                    {
                        "source": "members",
                        "record_id": first.index.astype("string"),
                        "name": pd.NA,
                        "birth_date": pd.NA,
                        "phone": pd.NA,
                        "email": pd.NA,
                        "address": pd.NA,
                        "updated_at": pd.to_datetime(first.to_numpy()),
                    }  # fmt: skip
                )
            )
    r = (
        pd.concat([f for f in frames if len(f)], ignore_index=True)
        if any(len(f) for f in frames)
        else frames[0]
    )
    for c in ("record_id", "name", "birth_date", "phone", "email", "address"):
        r[c] = r[c].astype("string")  # blank or numeric personal fields are text too
    r["unique_id"] = r["source"] + ":" + r["record_id"]
    ph = classify_phone(r["phone"])
    r["phone_class"] = ph["phone_class"]
    r["phone_digits"] = ph["phone_digits"]
    r["phone_last7"] = (
        r["phone_digits"].str[-7:].where(r["phone_class"].isin(["mobile_010", "legacy_mobile"]))
    )
    em = r["email"].str.strip().str.lower()
    r["email"] = em
    r["email_local"] = _extract(em, r"^[^@]*")  # the part before the first @
    r["district"] = _extract(r["address"], r"^[^ ]*(?: [^ ]*)?")  # the first two words
    cols = ["unique_id", "source", "record_id", "name", "birth_date", "phone_digits",
            "phone_last7", "phone_class", "email", "email_local", "address", "district",
            "updated_at"]  # fmt: skip
    text = [c for c in cols if c != "updated_at"]
    return r[cols].astype(dict.fromkeys(text, "string"))


def one_edit_keys(name: str) -> list[str]:
    """Keys two names share when they are one *character* edit apart: the name, each character
    replaced by ``*`` (substitution) and each character deleted (insertion/deletion).

    Why not SQL ``levenshtein``: DuckDB counts UTF-8 *bytes* (a one-syllable Hangul typo is 2
    or 3 apart) while Spark counts characters, so the same model would link different pairs on
    the two engines. An array-intersection level on these keys means the same on both. Sharing
    two deletion keys can also link some distance-2 pairs (e.g. a swapped pair of characters).
    """
    subs = [name[:i] + "*" + name[i + 1 :] for i in range(len(name))]
    dels = [name[:i] + name[i + 1 :] for i in range(len(name))]
    return sorted({name, *subs, *dels})


# ------------------------------------------------------------------------------------------------
# identity resolution with splink


NAME_EDITS = ("levenshtein", "characters")
EM_MAX_PAIRS = 6e5  # pairs per EM training pass (larger blocks are sampled down to about this)


def splink_settings(name_edit: str = "levenshtein"):
    """The splink model: comparisons and blocking rules (documented in notebook 01).

    ``name_edit``: the name level for one edit. ``"levenshtein"`` (default, what every quoted
    figure used) is SQL ``levenshtein(name) <= 1``, which DuckDB computes on UTF-8 *bytes*
    (a one-syllable Hangul typo is 2-3 bytes apart, so it rarely fires) and Spark on characters;
    ``"characters"`` intersects :func:`one_edit_keys` and means the same on every engine (use it
    to move between DuckDB and Spark). Switching the default is left open: it changes which
    pairs link only marginally (recall 0.9547 → 0.9548 on the default world) but flips the
    segmentation's BIC elbow from k = 4 to k = 5 (ARI 0.782 → 0.700).
    """
    if name_edit not in NAME_EDITS:
        raise ValueError(f"name_edit must be one of {NAME_EDITS}, got {name_edit!r}")
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name"),
            cll.ExactMatchLevel("name").configure(tf_adjustment_column="name"),
            cll.LevenshteinLevel("name", 1)
            if name_edit == "levenshtein"
            else cll.ArrayIntersectLevel("name_edits", 1),
            cll.ElseLevel(),
        ],
    )
    phone = cl.CustomComparison(
        output_column_name="phone",
        comparison_levels=[
            cll.NullLevel("phone_last7"),
            cll.ExactMatchLevel("phone_digits"),
            cll.ExactMatchLevel("phone_last7"),  # same subscriber digits: a 01X → 010 move
            cll.ElseLevel(),
        ],
    )
    email = cl.CustomComparison(
        output_column_name="email",
        comparison_levels=[
            cll.NullLevel("email"),
            cll.ExactMatchLevel("email"),
            cll.ExactMatchLevel("email_local"),  # same mailbox name, other provider
            cll.LevenshteinLevel("email", 2),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            name,
            cl.ExactMatch("birth_date"),
            phone,
            email,
            cl.CustomComparison(
                output_column_name="address",
                comparison_levels=[
                    cll.NullLevel("address"),
                    cll.ExactMatchLevel("address"),
                    cll.ExactMatchLevel("district"),
                    cll.ElseLevel(),
                ],
            ),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("phone_last7"),
            block_on("email"),
            block_on("email_local"),
            block_on("name", "birth_date"),
        ],
        retain_intermediate_calculation_columns=False,
    )


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


def _connected_components(ids: pd.Series, edges: pd.DataFrame) -> pd.Series:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    pos = pd.Series(np.arange(len(ids)), index=ids.to_numpy())
    a = pos[edges["unique_id_l"].to_numpy()].to_numpy()
    b = pos[edges["unique_id_r"].to_numpy()].to_numpy()
    g = coo_matrix((np.ones(len(a)), (a, b)), shape=(len(ids), len(ids)))
    _, labels = connected_components(g, directed=False)
    return pd.Series(labels, index=ids.index)


def resolve_identities(
    records: pd.DataFrame,
    *,
    threshold: float = 0.9,
    seed: int = 42,
    max_pairs: float = 2e6,
    backend: str = "duckdb",
    spark=None,
    model: dict | None = None,
    name_edit: str = "levenshtein",
    em_max_pairs: float = EM_MAX_PAIRS,
) -> Resolution:
    """Cluster records into persons: splink plus exact unique-identifier links.

    splink runs on DuckDB (``backend="duckdb"``) or Spark (``backend="spark"``, on ``spark`` or
    :func:`crm_research.data.engine.spark_session`); the comparisons use only exact matches and
    Levenshtein distance, built into both engines. ``model``: a trained splink model
    (:attr:`Resolution.model`, e.g. trained locally on DuckDB) to predict with, skipping
    training — how one model is applied unchanged at scale, and why DuckDB and Spark then give
    the same clusters (their random samples for training differ) — with
    ``name_edit="characters"`` (see :func:`splink_settings`).

    Training uses no labels: u-probabilities by random sampling (``max_pairs``, ``seed``),
    m-probabilities by expectation maximisation on two blocking passes (phone subscriber digits;
    name and birth date), each on at most about ``em_max_pairs`` pairs (splink samples records
    by a hash of their id when a pass would yield more, so training cost stays flat as the data
    grow; the 20,000- and 100,000-person worlds are below it and train on every pair). Pairs with match probability ≥ ``threshold`` and the pairs of
    :func:`deterministic_links` are joined by connected components. Customer ids are
    pseudonymous: ``C`` + a running number in order of the smallest record id of the cluster.
    """
    carrying = identifying_sources(records)
    if len(carrying) < 2:
        return _ids_only(records, threshold, carrying)
    try:
        return _resolve_splink(
            records,
            threshold=threshold,
            seed=seed,
            max_pairs=max_pairs,
            backend=backend,
            spark=spark,
            model=model,
            name_edit=name_edit,
            em_max_pairs=em_max_pairs,
        )
    except Exception as e:  # noqa: BLE001 - any splink failure falls back to exact identifiers
        det = deterministic_links(records)
        note = (f"splink could not be trained on these records ({type(e).__name__}: {str(e)[:200]}); "
                "records are linked by exact e-mail address and mobile number only")  # fmt: skip
        return _clustered(records, det, threshold=threshold, n_prob=0, method="exact identifiers", notes=[note])  # fmt: skip


IDENTIFYING = ("name", "birth_date", "phone_digits", "email")


def identifying_sources(records: pd.DataFrame) -> list[str]:
    """Sources with at least one record carrying an identifying field (name, birth date, phone,
    e-mail)."""
    has = records[list(IDENTIFYING)].notna().any(axis=1)
    return sorted(records.loc[has, "source"].unique())


def _ids_only(records: pd.DataFrame, threshold: float, carrying: list[str]) -> Resolution:
    """One customer per source record: nothing to link across sources."""
    what = f"only {carrying[0]} carries" if carrying else "no source carries"
    note = (f"identity resolution not run: {what} identifying fields (it needs two sources that do); "
            "each customer id is one customer")  # fmt: skip
    empty = pd.DataFrame(columns=["unique_id_l", "unique_id_r"])
    return _clustered(records, empty, threshold=threshold, n_prob=0, method="ids", notes=[note])


def _clustered(records, edges, *, threshold, n_prob, method, notes, **kw) -> Resolution:
    """Connected components of ``edges`` as pseudonymous customers (see resolve_identities)."""
    labels = _connected_components(records["unique_id"], edges)
    out = records[["unique_id", "source", "record_id"]].copy()
    first_id = out.groupby(labels)["unique_id"].transform("min")
    codes, uniq = pd.factorize(first_id.astype(object), sort=True)  # running number by smallest id
    width = max(6, len(str(len(uniq))))
    out["customer_id"] = (
        "C" + pd.Series(codes + 1, index=out.index).astype(str).str.zfill(width)
    ).astype("string")
    kw.setdefault("n_pairs_scored", 0)
    kw.setdefault(
        "match_weights", pd.DataFrame(columns=["comparison", "level", "m", "u", "match_weight"])
    )
    kw.setdefault("match_probabilities", pd.Series(dtype=float))
    return Resolution(clusters=out, n_probabilistic_links=n_prob,
                      n_deterministic_links=len(edges) - n_prob, threshold=threshold,
                      method=method, notes=notes, **kw)  # fmt: skip


def _resolve_splink(records, *, threshold, seed, max_pairs, backend, spark, model, name_edit, em_max_pairs) -> Resolution:  # fmt: skip
    """splink (trained without labels) plus exact unique-identifier links."""
    import pyarrow as pa
    from splink import DuckDBAPI, Linker, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    if backend == "duckdb":
        db = DuckDBAPI()
    elif backend == "spark":
        from splink import SparkAPI

        from crm_research.data.engine import spark_session

        db = SparkAPI(spark_session=spark or spark_session())
    else:
        raise ValueError(f"unknown splink backend {backend!r}: choose duckdb or spark")
    cols = ["unique_id", "name", "birth_date", "phone_digits", "phone_last7", "email",
            "email_local", "address", "district"]  # fmt: skip
    if name_edit == "characters" or backend != "duckdb":
        frame = records[cols].astype(object).where(records[cols].notna(), None)
        if name_edit == "characters":  # only this comparison reads the keys
            frame["name_edits"] = [None if n is None else one_edit_keys(n) for n in frame["name"]]
    else:
        frame = records[cols].astype("string")
    if backend == "duckdb":  # typed text even where a column is blank throughout
        schema = pa.schema([(c, pa.list_(pa.string()) if c == "name_edits" else pa.string()) for c in frame.columns])  # fmt: skip
        frame = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    sdf = db.register(frame)
    settings = splink_settings(name_edit) if model is None else _trained_settings(model, db.sql_dialect.sqlglot_dialect, name_edit)  # fmt: skip
    linker = Linker(sdf, settings, log_level=None)
    if model is None:
        linker.training.estimate_probability_two_random_records_match(
            [block_on("email"), block_on("phone_digits")], recall=0.7
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
        for rule in (block_on("phone_last7"), block_on("name", "birth_date")):
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, record_sample_proportion=0.1, max_pairs=em_max_pairs
            )
    scored = linker.inference.predict(threshold_match_probability=0.001)
    # only what is needed leaves the engine: the linked pairs and one column of probabilities
    links = f"match_probability >= {float(threshold)!r}"
    if backend == "duckdb":  # select before materialising: the pair table is wide
        rel = scored.as_duckdbpyrelation()
        prob = rel.filter(links).select("unique_id_l, unique_id_r").df()
        p = rel.select("match_probability").order("match_probability").fetchnumpy()
        p = p["match_probability"]
    else:
        sdf = scored.as_spark_dataframe()
        prob = sdf.filter(links).select("unique_id_l", "unique_id_r").toPandas()
        p = np.sort(sdf.select("match_probability").toPandas()["match_probability"].to_numpy())
    det = deterministic_links(records)
    return _clustered(
        records,
        pd.concat([prob, det], ignore_index=True),
        threshold=threshold,
        n_prob=len(prob),
        method="splink",
        notes=[],
        n_pairs_scored=len(p),
        match_weights=_match_weights(linker),
        match_probabilities=pd.Series(np.asarray(p, dtype=float)),
        model=linker.misc.save_model_to_json(),
    )


def _trained_settings(model: dict, dialect: str, name_edit: str) -> dict:
    """:func:`splink_settings` rendered for ``dialect`` with a trained model's probabilities
    (a saved model's SQL is in the dialect it was trained in)."""
    d = splink_settings(name_edit).create_settings_dict(dialect)
    d["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    for comp, trained in zip(d["comparisons"], model["comparisons"], strict=True):
        for lvl, t in zip(comp["comparison_levels"], trained["comparison_levels"], strict=True):
            for k in ("m_probability", "u_probability"):
                if k in t:
                    lvl[k] = t[k]
    return d


def _match_weights(linker) -> pd.DataFrame:
    """The trained model: m and u per comparison level and the match weight log2(m/u)."""
    rows = [
        {
            "comparison": comp.output_column_name,
            "level": lvl.label_for_charts,
            "m": lvl.m_probability,
            "u": lvl.u_probability,
        }  # fmt: skip
        for comp in linker._settings_obj.comparisons
        for lvl in comp.comparison_levels
        if not lvl.is_null_level
    ]
    w = pd.DataFrame(rows)
    w["match_weight"] = np.log2(w["m"] / w["u"])
    return w


# ------------------------------------------------------------------------------------------------
# scoring against the truth


def _pairs(counts: pd.Series) -> float:
    c = counts.to_numpy(dtype="float64")
    return float((c * (c - 1) / 2).sum())


def pairwise_scores(predicted: pd.Series, truth: pd.Series) -> dict[str, float]:
    """Pairwise precision, recall, F1 and adjusted Rand index of a clustering against the truth.

    ``predicted`` and ``truth`` are cluster labels aligned on the same records. A pair of records
    is a true positive when both clusterings put it together.
    """
    # integer codes: the same partitions, grouped and compared without sorting strings
    df = pd.DataFrame({"p": pd.factorize(predicted)[0], "t": pd.factorize(truth)[0]})
    tp = _pairs(df.groupby(["p", "t"]).size())
    pred_pairs = _pairs(df.groupby("p").size())
    true_pairs = _pairs(df.groupby("t").size())
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "adjusted_rand_index": float(adjusted_rand_score(df["t"], df["p"])),
        "true_pairs": true_pairs,
        "predicted_pairs": pred_pairs,
        "records": float(len(df)),
        "true_persons": float(df["t"].nunique()),
        "predicted_persons": float(df["p"].nunique()),
    }


def score_resolution(clusters: pd.DataFrame, truth_records: pd.DataFrame) -> dict[str, float]:
    """Score ``Resolution.clusters`` against the simulator's ``truth_records``."""
    m = clusters.merge(truth_records, on=["source", "record_id"], how="inner", validate="1:1")
    if len(m) != len(clusters):
        raise ValueError(f"{len(clusters) - len(m)} resolved records have no truth row")
    return pairwise_scores(m["customer_id"], m["person_id"])


# ------------------------------------------------------------------------------------------------
# contactability


def contactability(
    records: pd.DataFrame,
    clusters: pd.DataFrame,
    email_sends: pd.DataFrame | None,
    as_of: str | pd.Timestamp,
) -> pd.DataFrame:
    """Per customer: best phone and e-mail status, reachable flags and age of the freshest record.

    ``records`` from :func:`identity_records`; ``clusters`` from :func:`resolve_identities`;
    ``email_sends`` with ``email``, ``sent_at``, ``bounced`` (the last send to an address decides
    whether it bounces). Output columns: ``customer_id``, ``phone_status``, ``email_status``,
    ``reachable_phone`` (010 mobile or landline), ``reachable_sms`` (010 mobile),
    ``reachable_email``, ``reachable_post`` (an address on file), ``days_since_update``.
    """
    as_of = pd.Timestamp(as_of)
    cols = ["unique_id", "source", "email", "phone_class", "address", "updated_at"]
    r = records[cols].merge(clusters[["unique_id", "customer_id"]], on="unique_id")
    bounced = pd.Series(False, index=r.index)
    if email_sends is not None and len(email_sends):
        last = email_sends[["sent_at", "bounced"]].assign(key=email_sends["email"].str.lower())
        last = last.sort_values("sent_at").drop_duplicates("key", keep="last")
        last_bounce = pd.Series(
            last["bounced"].astype(bool).to_numpy(), index=last["key"].to_numpy()
        )
        bounced = r["email"].map(last_bounce).fillna(False).astype(bool)
    r["email_class"] = classify_email(r["email"], bounced)
    rank_phone = {c: i for i, c in enumerate(PHONE_CLASSES)}
    rank_email = {c: i for i, c in enumerate(EMAIL_CLASSES)}
    r["pr"] = r["phone_class"].map(rank_phone)
    r["er"] = r["email_class"].map(rank_email)
    g = r.groupby("customer_id")
    out = pd.DataFrame(
        {
            "phone_status": g["pr"].min().map(dict(enumerate(PHONE_CLASSES))),
            "email_status": g["er"].min().map(dict(enumerate(EMAIL_CLASSES))),
            "has_address": g["address"].count() > 0,
            "n_records": g.size(),
            "n_sources": g["source"].nunique(),
            "last_update": g["updated_at"].max(),
        }
    )
    out["reachable_phone"] = out["phone_status"].isin(["mobile_010", "landline"])
    out["reachable_sms"] = out["phone_status"].eq("mobile_010")
    out["reachable_email"] = out["email_status"].eq("valid")
    out["reachable_post"] = out["has_address"]
    out["days_since_update"] = (as_of - out["last_update"]).dt.total_seconds() / 86_400
    return out.drop(columns="has_address").reset_index()


def reachable_shares(contacts: pd.DataFrame) -> pd.Series:
    """Share of customers reachable per channel (and by at least one channel)."""
    cols = ["reachable_phone", "reachable_sms", "reachable_email", "reachable_post"]
    s = contacts[cols].mean()
    s["reachable_any"] = contacts[cols].any(axis=1).mean()
    s.index = s.index.str.replace("reachable_", "")
    return s


# ------------------------------------------------------------------------------------------------
# the customer-centric database (Ibis expressions; DuckDB by default)


def link_sources(con, identity_map_name: str = "identity_map"):
    """Ibis expressions of the customer-centric tables, from the stored source tables.

    Expects tables ``src_<table>`` (accepted rows) and ``identity_map`` (source, record_id,
    customer_id) in ``con``. Returns a dict of Ibis expressions: ``transactions`` (one row per
    order: customer_id, order_id, ordered_at, amount (in the dataset's currency), channel, n_lines), ``touchpoints``
    (customer_id, ts, channel, event) and ``customers`` (one row per customer, counts and totals).
    Anonymous web sessions are attributed through cookie stitching: a cookie used in a logged-in
    session belongs to that login's customer.
    """
    import ibis

    idm = con.table(identity_map_name)

    def ids(source: str, as_col: str):
        t = idm.filter(idm.source == source)
        return t.select(**{as_col: t.record_id, "customer_id": t.customer_id})

    orders = con.table("src_orders")
    lines = con.table("src_order_lines")
    n_lines = lines.group_by("order_id").aggregate(n_lines=lines.count())
    transactions = (
        orders.join(ids("members", "member_id"), "member_id")
        .left_join(n_lines, "order_id")
        .select("customer_id", "order_id", "ordered_at", "amount", "channel", "n_lines")
    )
    tickets = con.table("src_tickets").join(ids("cc_customers", "cc_customer_id"), "cc_customer_id")
    sessions = con.table("src_sessions")
    logged = sessions.filter(sessions.login_id.notnull()).join(
        ids("web_accounts", "login_id"), "login_id"
    )
    # a cookie belongs to the customer with most logged-in sessions on it (ties: smallest id)
    per_cookie = logged.group_by(["cookie_id", "customer_id"]).aggregate(_n=logged.count())
    rank = ibis.row_number().over(group_by="cookie_id", order_by=[ibis.desc("_n"), "customer_id"])
    cookie_owner = (
        per_cookie.mutate(_rk=rank)
        .filter(lambda t: t._rk == 0)
        .select("cookie_id", cookie_customer="customer_id")
    )
    web = sessions.left_join(ids("web_accounts", "login_id"), "login_id").left_join(
        cookie_owner, "cookie_id"
    )
    web = web.mutate(customer_id=ibis.coalesce(web.customer_id, web.cookie_customer)).filter(
        lambda t: t.customer_id.notnull()
    )
    sends = con.table("src_email_sends").join(
        ids("email_subscribers", "subscriber_id"), "subscriber_id"
    )
    survey = con.table("src_survey").join(ids("survey", "response_id"), "response_id")

    def tp(t, ts, channel, event):
        return t.select(
            customer_id=t.customer_id, ts=t[ts], channel=ibis.literal(channel), event=event
        )

    touchpoints = ibis.union(
        tp(transactions, "ordered_at", "order", transactions.channel),
        tp(tickets, "opened_at", "call_centre", tickets.category),
        tp(web, "started_at", "web", ibis.literal("session")),
        tp(
            sends,
            "sent_at",
            "email",
            ibis.cases(
                (sends.bounced, "bounced"),
                (sends.clicked, "clicked"),
                (sends.opened, "opened"),
                else_="sent",
            ),
        ),
        tp(survey, "submitted_at", "survey", ibis.literal("response")),
    )
    per = {
        "orders": transactions.group_by("customer_id").aggregate(
            n_orders=transactions.count(),
            revenue=transactions.amount.sum(),
            first_order=transactions.ordered_at.min(),
            last_order=transactions.ordered_at.max(),
        ),
        "calls": tickets.group_by("customer_id").aggregate(n_calls=tickets.count()),
        "web": web.group_by("customer_id").aggregate(
            n_sessions=web.count(), n_anonymous_sessions=web.login_id.isnull().sum()
        ),
        "email": sends.group_by("customer_id").aggregate(
            n_emails_sent=sends.count(),
            n_emails_opened=sends.opened.cast("int64").sum(),
            n_emails_clicked=sends.clicked.cast("int64").sum(),
        ),
        "survey": survey.group_by("customer_id").aggregate(
            n_surveys=survey.count(), mean_satisfaction=survey.satisfaction.mean()
        ),
    }
    base = idm.group_by("customer_id").aggregate(
        n_records=idm.count(), n_sources=idm.source.nunique()
    )
    customers = base
    for t in per.values():
        customers = customers.left_join(t, "customer_id").drop("customer_id_right")
    fill = {c: 0 for c in ("n_orders", "revenue", "n_calls", "n_sessions",
                           "n_anonymous_sessions", "n_emails_sent", "n_emails_opened",
                           "n_emails_clicked", "n_surveys")}  # fmt: skip
    customers = customers.mutate(**{c: customers[c].fill_null(v) for c, v in fill.items()})
    return {
        "transactions": transactions,
        "touchpoints": touchpoints,
        "customers": customers.order_by("customer_id"),
    }


def validation_counts(con):
    """Ibis expression: per table, rows accepted and quarantined, and quarantined rows by reason
    kind. Expects ``load_log`` (table, file, rows_in, accepted, quarantined) and ``quarantine``."""
    q = con.table("quarantine")
    return (
        q.group_by(["table", "reason_kind"])
        .aggregate(rows=q.line.nunique())
        .order_by(["table", "reason_kind"])
    )


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
    resolve identities and write the customer database (:func:`integrate_validated`; the large
    sources' pandas frames are released once stored when this function validated them itself).

    Tables written: ``src_<table>`` (accepted rows), ``quarantine`` (rejected rows with file,
    line and reason), ``load_log``, ``identity_records``, ``identity_map`` (source record →
    customer_id), ``contacts`` (contactability), ``transactions``, ``touchpoints``,
    ``customers``; and, when ``folder/truth`` exists, the simulator's ``truth_people`` and
    ``truth_records`` (for scoring methods; never shown in reports).
    """
    import time

    from crm_research.data.reader.folder import validate_folder

    t0 = time.perf_counter()
    own = validated is None
    if own:
        validated = validate_folder(folder, as_of=as_of)
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
    """Integrate validated exports (:func:`crm_research.data.validate.validate_folder`) into the
    customer database (see :func:`build_customer_db`); ``folder``: where ``truth/`` may be.

    The accepted rows are stored first; with ``release`` the pandas frames of the large
    transactional sources are dropped from ``validated`` once stored (their per-customer work
    is done by the engine), so identity resolution runs without them in memory. Timings:
    ``store_s`` (source tables), ``resolve_s`` (identity records and resolution),
    ``contacts_s``, ``database_s`` (the customer-centric tables, truth and scores).
    """
    import time

    from crm_research.data import engine
    from crm_research.data.reader.quarantine import quarantine_reason_kind

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    db_path = Path(db_path) if db_path is not None else None
    if db_path is not None and db_path.exists():
        db_path.unlink()
    con = engine.connect(db_path)
    quarantine = pd.concat([v.quarantine for v in validated.values()], ignore_index=True)
    quarantine["reason_kind"] = quarantine["reason"].map(quarantine_reason_kind).astype("string")
    load_log = pd.DataFrame([v.counts() for v in validated.values()])
    for name, v in validated.items():
        engine.write(con, f"src_{name}", v.accepted)
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
    sends = validated["email_sends"].accepted[["email", "sent_at", "bounced"]]
    if release:
        for name in _RELEASED:
            v = validated[name]
            v.accepted = v.accepted.iloc[:0]
    timings["store_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    records = identity_records({**validated, "orders": first_orders})
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
    for name, expr in link_sources(con).items():
        con.create_table(name, expr, overwrite=True)
    truth = Path(folder) / "truth" if folder is not None else None
    scores = None
    if truth is not None and truth.exists():
        truth_records = pd.read_parquet(truth / "records.parquet")
        engine.write(con, "truth_people", pd.read_parquet(truth / "people.parquet"))
        engine.write(con, "truth_records", truth_records)
        if (truth / "corruptions.parquet").exists():
            engine.write(con, "truth_corruptions", pd.read_parquet(truth / "corruptions.parquet"))
        scores = score_resolution(resolution.clusters, truth_records)
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
        }  # fmt: skip
    )
    weights = res.match_weights.copy()
    for c in weights.columns:
        if weights[c].dtype == object:
            weights[c] = weights[c].astype("string")
    hist = pd.DataFrame({"lower": edges[:-1], "upper": edges[1:], "pairs": counts.astype("int64")})
    return {"resolution": summary, "match_weights": weights, "match_probability_histogram": hist}


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
