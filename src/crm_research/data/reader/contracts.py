"""The table contracts: what a valid row of each export is (columns, kinds, ranges, date
formats, key), the errors that name a file or a row, and the header check against a contract."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Kind = Literal["str", "int", "float", "datetime", "date", "flag"]


class InputFileError(ValueError):
    """A whole input file is unusable. The message names the file (and column if any)."""

    def __init__(self, file: str | Path, problem: str, column: str | None = None):
        self.file = str(file)
        self.column = column
        self.problem = problem
        where = f"{self.file}" + (f", column '{column}'" if column else "")
        super().__init__(f"{where}: {problem}")


class RowValidationError(ValueError):
    """Raised in strict mode at the first bad row; names file, column and line."""

    def __init__(self, file: str, line: int, column: str | None, reason: str):
        self.file, self.line, self.column, self.reason = file, line, column, reason
        col = f", column '{column}'" if column else ""
        super().__init__(f"{file}{col}, row {line}: {reason}")


@dataclass(frozen=True)
class Col:
    """One column of a contract. ``fmt`` is the strftime format for dates."""

    name: str
    kind: Kind = "str"
    required: bool = True
    min: float | None = None
    max: float | None = None
    fmt: str | None = None
    pattern: str | None = None
    not_future: bool = False
    absent_ok: bool = False  # a required column that may be missing from the header

    @property
    def optional(self) -> bool:
        """May the column be missing from the file's header?"""
        return self.absent_ok or not self.required


@dataclass(frozen=True)
class Contract:
    """The expected shape of one input table. ``aliases`` are header names accepted for a
    column (e.g. ``amount_krw`` for ``amount``)."""

    table: str
    columns: tuple[Col, ...]
    key: str | None = None
    aliases: tuple[tuple[str, str], ...] = ()

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_names(self) -> list[str]:
        """Columns the header must have."""
        return [c.name for c in self.columns if not c.optional]

    def canonical(self, header: list[str]) -> list[str]:
        """Header names with aliases replaced by the contract's names."""
        alias = dict(self.aliases)
        return [alias.get(h, h) if alias.get(h) not in header else h for h in header]


TS = "%Y-%m-%d %H:%M:%S"

DATE = "%Y-%m-%d"

MAX_ORDER_KRW = 50_000_000  # an order above 50 million won is treated as an entry error

MAX_AMOUNT = MAX_ORDER_KRW  # any currency: an order above 50 million units is an entry error


CONTRACTS: dict[str, Contract] = {
    c.table: c
    for c in (
        Contract(
            "members",
            (
                Col("member_id"),
                Col("name", required=False),
                Col("birth_date", "date", required=False, fmt=DATE, not_future=True),
                Col("gender", required=False, pattern=r"^[MF]$"),
                Col("phone", required=False),
                Col("email", required=False),
                Col("address", required=False),
                Col("joined_at", "datetime", fmt=TS, not_future=True),
                Col("updated_at", "datetime", required=False, fmt=TS, not_future=True),
            ),
            key="member_id",
        ),
        Contract(
            "orders",
            (
                Col("order_id", absent_ok=True),  # absent: one order per row (``L<line>``)
                Col("member_id"),  # the customer id of the order system
                Col("ordered_at", "datetime", fmt=TS, not_future=True),
                Col("amount", "float", min=0, max=MAX_AMOUNT, absent_ok=True),  # currency
                Col("channel", required=False),
            ),
            key="order_id",
            aliases=(("amount_krw", "amount"), ("customer_id", "member_id")),
        ),
        Contract(
            "order_lines",
            (
                Col("order_id"),
                Col("line_no", "int", min=1),
                Col("product_id"),
                Col("quantity", "int", min=1, max=10_000),
                Col("unit_price_krw", "int", min=0, max=MAX_ORDER_KRW),
            ),
        ),
        Contract(
            "shipments",
            (
                Col("shipment_id"),
                Col("order_id"),
                Col("recipient_name", required=False),
                Col("recipient_phone", required=False),
                Col("address", required=False),
                Col("shipped_at", "datetime", fmt=TS, not_future=True),
                Col("delivered_at", "datetime", required=False, fmt=TS, not_future=True),
            ),
            key="shipment_id",
        ),
        Contract(
            "cc_customers",
            (
                Col("cc_customer_id"),
                Col("name", required=False),
                Col("phone", required=False),
                Col("birth_date", "date", required=False, fmt=DATE, not_future=True),
                Col("registered_at", "datetime", fmt=TS, not_future=True),
            ),
            key="cc_customer_id",
        ),
        Contract(
            "tickets",
            (
                Col("ticket_id"),
                Col("cc_customer_id"),
                Col("opened_at", "datetime", fmt=TS, not_future=True),
                Col("category", required=False),
                Col("handle_minutes", "float", required=False, min=0, max=24 * 60),
                Col("resolved", "flag", required=False),
            ),
            key="ticket_id",
        ),
        Contract(
            "web_accounts",
            (
                Col("login_id"),
                Col("email", required=False),
                Col("name", required=False),
                Col("birth_date", "date", required=False, fmt=DATE, not_future=True),
                Col("phone", required=False),
                Col("signup_at", "datetime", fmt=TS, not_future=True),
            ),
            key="login_id",
        ),
        Contract(
            "sessions",
            (
                Col("session_id"),
                Col("cookie_id"),
                Col("login_id", required=False),
                Col("started_at", "datetime", fmt=TS, not_future=True),
                Col("pages", "int", min=0, max=10_000),
                Col("duration_s", "int", required=False, min=0, max=7 * 86_400),
            ),
            key="session_id",
        ),
        Contract(
            "email_subscribers",
            (
                Col("subscriber_id"),
                Col("email"),
                Col("name", required=False),
                Col("subscribed_at", "datetime", fmt=TS, not_future=True),
            ),
            key="subscriber_id",
        ),
        Contract(
            "email_sends",
            (
                Col("send_id"),
                Col("campaign_id"),
                Col("subscriber_id"),
                Col("email", required=False),
                Col("sent_at", "datetime", fmt=TS, not_future=True),
                Col("bounced", "flag"),
                Col("opened", "flag"),
                Col("clicked", "flag"),
            ),
            key="send_id",
        ),
        Contract(
            "survey",
            (
                Col("response_id"),
                Col("submitted_at", "datetime", fmt="%Y-%m-%dT%H:%M:%S", not_future=True),
                Col("name", required=False),
                Col("email", required=False),
                Col("phone", required=False),
                Col("satisfaction", "int", required=False, min=1, max=5),
                Col("nps", "int", required=False, min=0, max=10),
            ),
            key="response_id",
        ),
    )
}


# a randomised campaign of the user's own (optional): who was assigned, when, treated or control;
# the outcome is read from the transactions after the assignment
CONTRACTS["campaign_assignments"] = Contract(
    "campaign_assignments",
    (
        Col("campaign_id"),
        Col("member_id"),
        Col("assigned_at", "datetime", fmt=TS, not_future=True),
        Col("treated", "flag"),
    ),
    aliases=(("customer_id", "member_id"),),
)


SOURCE_FILES: dict[str, str] = {t: f"{t}.csv" for t in CONTRACTS if t != "survey"} | {
    "survey": "survey_responses.xml"
}


def check_header(
    file: str,
    contract: Contract,
    names: list[str],
    header_line: str,
    *,
    delimiter: str = ",",
    mapping_hint: bool = False,
) -> None:
    """Raise :class:`InputFileError` naming the contract columns missing from ``names`` (the
    file's header, after any mapping), with a hint when a one-column header suggests another
    delimiter, or (``mapping_hint``) when Korean headers were not mapped."""
    missing = [c for c in contract.required_names if c not in names]
    if not missing:
        return
    hint = ""
    if len(names) == 1 and any(d in header_line for d in ",;\t|" if d != delimiter):
        hint = f" (the header has a single column: is the delimiter {delimiter!r} ?)"
    elif mapping_hint and any(ord(ch) > 0x3000 for ch in header_line):
        hint = " (Korean headers: map them to the contract's names under 'columns')"
    raise InputFileError(
        file, f"missing required column(s) {', '.join(missing)}{hint}", column=missing[0]
    )


def for_header(contract: Contract, names: list[str]) -> Contract:
    """The contract as it applies to a file whose header has ``names``: optional columns the
    header lacks are filled with missing values, so their values are not required."""
    cols = tuple(
        c if c.name in names else dataclasses.replace(c, required=False, min=None, max=None)
        for c in contract.columns
    )
    return dataclasses.replace(contract, columns=cols)
