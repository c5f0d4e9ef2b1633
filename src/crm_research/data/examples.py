"""Example exports an analyst would bring, each with its YAML data configuration.

* :func:`write_cdnow_shop_export` — the real CDNOW master log (from the ``lifetimes`` wheel, so
  nothing new is committed) rewritten as a shop's order export: order number, customer id, order
  date, amount in US$. Orders only. The ``cdnow`` dataset is built from it.
* :func:`write_korean_export` — a Korean shop's CP949 exports with Korean headers, orders and
  members only (from a small simulated world).
* :func:`write_log_without_amounts` — a bare purchase log: customer id and date, nothing else.
* :func:`write_campaign_export` — orders and a randomised e-mail campaign's assignments.

Run ``python -m crm_research.data.examples OUT_DIR`` to write all four (README: "Your data in
five minutes").
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from crm_research.data.cdnow import load_cdnow_master, load_cdnow_sample
from crm_research.data.simulator import simulate_campaign, simulate_world

CDNOW_YAML = """\
# CDNOW's 1997-Q1 cohort as a shop's order export (orders only; amounts in US dollars)
name: CDNOW shop export
as_of: 1998-07-01 00:00:00      # the export was taken after the last order day
timezone: America/New_York
currency: USD
sources:
  orders:
    path: cdnow_orders.csv
    columns: {{Order No: order_id, Customer ID: member_id, Order Date: ordered_at, Amount (USD): amount}}
    date_formats: {{ordered_at: "%Y-%m-%d"}}
"""


def write_cdnow_shop_export(folder: str | Path, *, sample: bool = False) -> Path:
    """Write ``cdnow_orders.csv`` (69,659 orders of 23,570 customers; with ``sample``, the
    6,919 orders of the 2,357-customer 1/10th sample) and ``cdnow_shop.yaml`` into ``folder``;
    returns the YAML's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    m = (load_cdnow_sample() if sample else load_cdnow_master()).reset_index(drop=True)
    export = m.assign(order_no=[f"CD{i + 1:06d}" for i in range(len(m))])
    export = export.rename(
        columns={
            "order_no": "Order No",
            "customer_id": "Customer ID",
            "date": "Order Date",
            "dollars": "Amount (USD)",
        }
    )[["Order No", "Customer ID", "Order Date", "Amount (USD)"]]
    export.to_csv(folder / "cdnow_orders.csv", index=False, date_format="%Y-%m-%d")
    cfg = folder / "cdnow_shop.yaml"
    cfg.write_text(CDNOW_YAML.format(), encoding="utf-8")
    return cfg


KOREAN_YAML = """\
# a Korean shop's exports: CP949, Korean headers, orders and members only
name: 한국 쇼핑몰 (example)
as_of: {as_of}
timezone: Asia/Seoul
currency: KRW
sources:
  orders:
    path: 주문내역.csv
    encoding: cp949
    columns: {{주문번호: order_id, 회원번호: member_id, 주문일시: ordered_at, 결제금액: amount, 채널: channel}}
    date_formats: {{ordered_at: "%Y.%m.%d %H:%M:%S"}}
  members:
    path: 회원목록.csv
    encoding: cp949
    columns: {{회원번호: member_id, 이름: name, 생년월일: birth_date, 성별: gender, 휴대폰: phone,
              이메일: email, 주소: address, 가입일시: joined_at, 수정일시: updated_at}}
"""

KOREAN_ORDERS = {
    "order_id": "주문번호",
    "member_id": "회원번호",
    "ordered_at": "주문일시",
    "amount_krw": "결제금액",
    "channel": "채널",
}
KOREAN_MEMBERS = {
    "member_id": "회원번호",
    "name": "이름",
    "birth_date": "생년월일",
    "gender": "성별",
    "phone": "휴대폰",
    "email": "이메일",
    "address": "주소",
    "joined_at": "가입일시",
    "updated_at": "수정일시",
}


def write_korean_export(folder: str | Path, *, n_people: int = 2_000, seed: int = 7) -> Path:
    """CP949 exports with Korean headers (orders with dates as ``2025.03.04 10:00:00``, and
    members) of a small simulated world; returns the YAML's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    world = simulate_world(n_people, seed=seed)
    orders = world.exports["orders"].copy()
    when = pd.to_datetime(orders["ordered_at"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
    orders["ordered_at"] = when.dt.strftime("%Y.%m.%d %H:%M:%S").fillna(orders["ordered_at"])
    orders = orders[list(KOREAN_ORDERS)].rename(columns=KOREAN_ORDERS)
    members = world.exports["members"][list(KOREAN_MEMBERS)].rename(columns=KOREAN_MEMBERS)
    for name, df in (("주문내역.csv", orders), ("회원목록.csv", members)):
        df.to_csv(
            folder / name,
            index=False,
            encoding="cp949",
            errors="replace",
            date_format="%Y-%m-%d %H:%M:%S",
        )
    cfg = folder / "korean_shop.yaml"
    cfg.write_text(KOREAN_YAML.format(as_of=f"{world.as_of:%Y-%m-%d %H:%M:%S}"), encoding="utf-8")
    return cfg


NO_AMOUNT_YAML = """\
# a bare purchase log: customer id and purchase day only (no order number, no amount)
name: purchase log without amounts
as_of: 1998-07-01 00:00:00
currency: USD
sources:
  orders:
    path: purchases.csv
    columns: {{customer: member_id, day: ordered_at}}
    date_formats: {{ordered_at: "%Y%m%d"}}
"""


def write_log_without_amounts(folder: str | Path) -> Path:
    """CDNOW's purchase days per customer (``customer,day``, one row per purchase record, no
    order id, no amount); returns the YAML's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    m = load_cdnow_master()
    out = m.rename(columns={"customer_id": "customer", "date": "day"})[["customer", "day"]]
    out.to_csv(folder / "purchases.csv", index=False, date_format="%Y%m%d")
    cfg = folder / "no_amounts.yaml"
    cfg.write_text(NO_AMOUNT_YAML.format(), encoding="utf-8")
    return cfg


CAMPAIGN_YAML = """\
# a shop's orders and one randomised e-mail campaign (who was assigned, when, e-mailed or control)
name: shop with a randomised campaign (example)
as_of: {as_of}
timezone: Asia/Seoul
currency: KRW
sources:
  orders:
    path: orders.csv
  campaign_assignments:
    path: campaign_assignments.csv
"""


def write_campaign_export(
    folder: str | Path,
    *,
    n_people: int = 4_000,
    seed: int = 11,
    window_days: int = 30,
    campaign_seed: int = 0,
) -> Path:
    """A shop's orders (``orders.csv``, KRW) and a randomised e-mail campaign
    (``campaign_assignments.csv``: campaign_id, member_id, assigned_at, treated) of a small
    simulated world; returns the YAML's path.

    The campaign is sent the day after the world's export to every member with an order, half
    of them at random (:func:`crm_research.data.simulator.simulate_campaign`, seeded by
    ``campaign_seed``); each member who buys within ``window_days`` gets one order in the window
    (its time uniform in the window, its amount the simulated spend, its channel the member's
    last one). The export is taken the day after the window ends. Only the exports are written:
    the campaign's truth stays in the simulator."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    world = simulate_world(n_people, seed=seed)
    orders = world.exports["orders"].rename(columns={"amount_krw": "amount"})
    orders = orders[["order_id", "member_id", "ordered_at", "amount", "channel"]]
    rec = world.truth_records[world.truth_records["source"] == "members"]
    person = rec.set_index("record_id")["person_id"]
    members = np.sort(orders["member_id"].dropna().unique())
    truth = world.truth_people.set_index("person_id").loc[person.reindex(members).to_numpy()]
    truth.index = pd.Index(members, name="member_id")
    start = world.as_of + pd.Timedelta(hours=34)  # 10:00 the day after the export
    camp = simulate_campaign(truth, start, window_days=window_days, seed=campaign_seed)
    rng = np.random.default_rng([campaign_seed, 3])
    buyers = camp.data[camp.data["purchased"] == 1]
    last = orders.dropna(subset=["member_id"]).sort_values("ordered_at").groupby("member_id").last()
    offset = pd.to_timedelta(np.floor(rng.random(len(buyers)) * window_days * 86_400), unit="s")
    extra = pd.DataFrame(
        {
            "order_id": [f"OC{i + 1:08d}" for i in range(len(buyers))],
            "member_id": buyers.index.to_numpy(),
            "ordered_at": start + offset,
            "amount": buyers["spend_krw"].to_numpy(),
            "channel": last["channel"].reindex(buyers.index).to_numpy(),
        }
    )
    orders = pd.concat([orders, extra], ignore_index=True)
    assignments = pd.DataFrame(
        {
            "campaign_id": f"EMAIL-{start:%Y%m}",
            "member_id": camp.data.index.to_numpy(),
            "assigned_at": start,
            "treated": camp.data["treated"].to_numpy(),
        }
    )
    orders.to_csv(folder / "orders.csv", index=False, date_format="%Y-%m-%d %H:%M:%S")
    assignments.to_csv(
        folder / "campaign_assignments.csv", index=False, date_format="%Y-%m-%d %H:%M:%S"
    )
    as_of = (start + pd.Timedelta(days=window_days + 1)).normalize()
    cfg = folder / "campaign_shop.yaml"
    cfg.write_text(CAMPAIGN_YAML.format(as_of=f"{as_of:%Y-%m-%d %H:%M:%S}"), encoding="utf-8")
    return cfg


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m crm_research.data.examples OUT_DIR", file=sys.stderr)
        return 2
    out = Path(args[0])
    for f in (
        write_cdnow_shop_export(out / "cdnow"),
        write_korean_export(out / "korean"),
        write_log_without_amounts(out / "no_amounts"),
        write_campaign_export(out / "campaign"),
    ):
        print(f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
