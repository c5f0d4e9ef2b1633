"""Korean vocabulary of the simulated world: names, addresses, phone numbers and e-mail addresses.

Kept in the package (rather than drawn from Faker) so that a world is identical across library
versions and 1,000,000 people are generated with vectorised numpy in seconds. Surname shares are
rounded from Statistics Korea's 2015 census (김 21.5%, 이 14.7%, 박 8.4%, ...), renormalised over
the list; given names are two syllables from a list of common name syllables.
"""

from __future__ import annotations

import numpy as np

# (hangul, romanisation, share in %)
SURNAMES: tuple[tuple[str, str, float], ...] = (
    ("김", "kim", 21.5),
    ("이", "lee", 14.7),
    ("박", "park", 8.4),
    ("최", "choi", 4.7),
    ("정", "jung", 4.3),
    ("강", "kang", 2.4),
    ("조", "cho", 2.1),
    ("윤", "yoon", 2.1),
    ("장", "jang", 2.0),
    ("임", "lim", 1.7),
    ("한", "han", 1.5),
    ("오", "oh", 1.5),
    ("서", "seo", 1.5),
    ("신", "shin", 1.4),
    ("권", "kwon", 1.4),
    ("황", "hwang", 1.4),
    ("안", "ahn", 1.3),
    ("송", "song", 1.3),
    ("전", "jeon", 1.1),
    ("홍", "hong", 1.1),
    ("유", "yoo", 1.1),
    ("고", "ko", 0.9),
    ("문", "moon", 0.9),
    ("양", "yang", 0.9),
    ("손", "son", 0.9),
    ("배", "bae", 0.8),
    ("백", "baek", 0.8),
    ("허", "heo", 0.6),
    ("남", "nam", 0.5),
    ("노", "noh", 0.4),
)

GIVEN_SYLLABLES: tuple[tuple[str, str], ...] = (
    ("민", "min"),
    ("준", "jun"),
    ("서", "seo"),
    ("연", "yeon"),
    ("지", "ji"),
    ("우", "woo"),
    ("현", "hyun"),
    ("수", "su"),
    ("영", "young"),
    ("진", "jin"),
    ("은", "eun"),
    ("하", "ha"),
    ("윤", "yoon"),
    ("도", "do"),
    ("예", "ye"),
    ("시", "si"),
    ("유", "yu"),
    ("재", "jae"),
    ("성", "sung"),
    ("호", "ho"),
    ("혜", "hye"),
    ("경", "kyung"),
    ("희", "hee"),
    ("정", "jeong"),
    ("동", "dong"),
    ("상", "sang"),
    ("미", "mi"),
    ("소", "so"),
    ("아", "a"),
    ("나", "na"),
    ("태", "tae"),
    ("건", "geon"),
    ("승", "seung"),
    ("원", "won"),
    ("주", "ju"),
    ("채", "chae"),
    ("다", "da"),
    ("빈", "bin"),
    ("훈", "hoon"),
    ("석", "seok"),
)

# (metropolitan city / province, district) pairs
DISTRICTS: tuple[tuple[str, str], ...] = (
    ("서울특별시", "강남구"),
    ("서울특별시", "서초구"),
    ("서울특별시", "송파구"),
    ("서울특별시", "마포구"),
    ("서울특별시", "영등포구"),
    ("서울특별시", "관악구"),
    ("서울특별시", "노원구"),
    ("서울특별시", "강서구"),
    ("서울특별시", "성북구"),
    ("서울특별시", "종로구"),
    ("서울특별시", "용산구"),
    ("서울특별시", "은평구"),
    ("부산광역시", "해운대구"),
    ("부산광역시", "부산진구"),
    ("부산광역시", "동래구"),
    ("인천광역시", "남동구"),
    ("인천광역시", "연수구"),
    ("대구광역시", "수성구"),
    ("대구광역시", "달서구"),
    ("대전광역시", "유성구"),
    ("광주광역시", "북구"),
    ("울산광역시", "남구"),
    ("경기도", "수원시"),
    ("경기도", "성남시"),
    ("경기도", "고양시"),
    ("경기도", "용인시"),
    ("경기도", "부천시"),
    ("경기도", "안양시"),
    ("경기도", "화성시"),
    ("경기도", "남양주시"),
    ("강원특별자치도", "춘천시"),
    ("충청북도", "청주시"),
    ("충청남도", "천안시"),
    ("전북특별자치도", "전주시"),
    ("전라남도", "순천시"),
    ("경상북도", "포항시"),
    ("경상남도", "창원시"),
    ("경상남도", "김해시"),
    ("제주특별자치도", "제주시"),
)

ROADS: tuple[str, ...] = (
    "중앙로",
    "세종대로",
    "테헤란로",
    "한강대로",
    "시청로",
    "역삼로",
    "대학로",
    "공원로",
    "문화로",
    "해안로",
    "산업로",
    "신촌로",
    "월드컵로",
    "양재대로",
    "동부대로",
    "서부로",
    "남부순환로",
    "북부로",
    "평화로",
    "희망로",
)

EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("naver.com", 0.40),
    ("gmail.com", 0.30),
    ("daum.net", 0.14),
    ("hanmail.net", 0.10),
    ("kakao.com", 0.06),
)

# Second-generation carrier prefixes retired in favour of 010 (2G service ended 2020-2021).
LEGACY_MOBILE_PREFIXES: tuple[str, ...] = ("011", "016", "017", "018", "019")
# Landline area codes (Seoul 02, Gyeonggi 031, Busan 051, ...)
AREA_CODES: tuple[str, ...] = ("02", "031", "032", "051", "053", "042", "062")


def _choice(rng: np.random.Generator, items, n: int, p=None) -> np.ndarray:
    idx = rng.choice(len(items), size=n, p=p)
    return np.asarray(items, dtype=object)[idx]


def names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (hangul full name, romanised given name, romanised surname), each of length n."""
    shares = np.array([s[2] for s in SURNAMES])
    s_idx = rng.choice(len(SURNAMES), size=n, p=shares / shares.sum())
    g1 = rng.integers(0, len(GIVEN_SYLLABLES), n)
    g2 = rng.integers(0, len(GIVEN_SYLLABLES), n)
    hs = np.array([s[0] for s in SURNAMES], dtype=object)
    rs = np.array([s[1] for s in SURNAMES], dtype=object)
    hg = np.array([g[0] for g in GIVEN_SYLLABLES], dtype=object)
    rg = np.array([g[1] for g in GIVEN_SYLLABLES], dtype=object)
    full = hs[s_idx] + hg[g1] + hg[g2]
    given_rom = rg[g1] + rg[g2]
    return full, given_rom, rs[s_idx]


def typo_name(rng: np.random.Generator, full: np.ndarray) -> np.ndarray:
    """Replace one given-name syllable by another (a one-character edit, as in keying errors)."""
    hg = np.array([g[0] for g in GIVEN_SYLLABLES], dtype=object)
    out = full.copy()
    pos = rng.integers(1, 3, len(full))  # position 1 or 2 (keep the surname)
    repl = hg[rng.integers(0, len(hg), len(full))]
    for i, (name, p, r) in enumerate(zip(full, pos, repl, strict=True)):
        if len(name) > p:
            out[i] = name[:p] + r + name[p + 1 :]
    return out


def addresses(rng: np.random.Generator, n: int) -> np.ndarray:
    """Road-name addresses such as '서울특별시 강남구 테헤란로 123'."""
    d = _choice(rng, [f"{a} {b}" for a, b in DISTRICTS], n)
    road = _choice(rng, ROADS, n)
    num = rng.integers(1, 400, n).astype(str).astype(object)
    return d + " " + road + " " + num


def mobile_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Current 010 mobile numbers, formatted 010-XXXX-XXXX (unique within a call)."""
    # draw without replacement from the 10^8 subscriber space so that two people never share one
    sub = rng.choice(90_000_000, size=n, replace=False) + 10_000_000
    s = sub.astype(str).astype(object)
    return np.array([f"010-{x[:4]}-{x[4:]}" for x in s], dtype=object)


def legacy_from_current(rng: np.random.Generator, current: np.ndarray) -> np.ndarray:
    """The legacy 01X number a person had before moving to 010.

    Simulator assumption (documented, not a claim about carriers): the 7 subscriber digits were
    kept, 01X-ABC-DEFG -> 010-?ABC-DEFG, so old and new numbers share their last 7 digits.
    """
    prefix = _choice(rng, LEGACY_MOBILE_PREFIXES, len(current))
    return np.array(
        [f"{p}-{c[5:8]}-{c[9:]}" for p, c in zip(prefix, current, strict=True)], dtype=object
    )


def landlines(rng: np.random.Generator, n: int) -> np.ndarray:
    area = _choice(rng, AREA_CODES, n)
    a = rng.integers(200, 1000, n)
    b = rng.integers(0, 10000, n)
    return np.array([f"{x}-{y}-{z:04d}" for x, y, z in zip(area, a, b, strict=True)], dtype=object)


def emails(
    rng: np.random.Generator, given_rom: np.ndarray, sur_rom: np.ndarray, salt: int = 0
) -> np.ndarray:
    """E-mail addresses built from the romanised name, a number and a Korean-market domain."""
    n = len(given_rom)
    doms = [d for d, _ in EMAIL_DOMAINS]
    p = np.array([w for _, w in EMAIL_DOMAINS])
    dom = _choice(rng, doms, n, p=p / p.sum())
    num = rng.integers(1, 10_000, n)
    style = rng.integers(0, 3, n)
    out = np.empty(n, dtype=object)
    for i in range(n):
        g, s = given_rom[i], sur_rom[i]
        local = (f"{g}.{s}", f"{s}{g}", f"{g[:3]}{s}")[style[i]]
        out[i] = f"{local}{num[i] + salt}@{dom[i]}"
    return out
