"""Phone numbers: classify Korean phone numbers (010 mobile, legacy 01X mobile, landline,
invalid, missing) and standardise them to their national digits, vectorised over distinct numbers.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

LEGACY_PREFIXES = ("11", "16", "17", "18", "19")  # national significant number starts (011 → 11)
PHONE_CLASSES = ("mobile_010", "legacy_mobile", "landline", "invalid", "missing")


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
