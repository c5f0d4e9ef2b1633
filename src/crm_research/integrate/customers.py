"""The customer-centric tables as Ibis expressions (DuckDB by default): transactions,
touch-points (with cookie stitching) and one row per customer; and validation counts.
"""

from __future__ import annotations

import ibis


def link_sources(con, identity_map_name: str = "identity_map", materialise=None):
    """Ibis expressions of the customer-centric tables, from the stored source tables.

    ``materialise`` (optional: ``(name, expr) -> table``): called on ``transactions`` and on
    ``web_sessions`` (every attributed web session: the cookie stitching) so that the tables
    built from them read them once instead of recomputing their joins (same rows).

    Expects tables ``src_<table>`` (accepted rows) and ``identity_map`` (source, record_id,
    customer_id) in ``con``. Returns a dict of Ibis expressions: ``transactions`` (one row per
    order: customer_id, order_id, ordered_at, amount (in the dataset's currency), channel, n_lines), ``touchpoints``
    (customer_id, ts, channel, event) and ``customers`` (one row per customer, counts and totals).
    Anonymous web sessions are attributed through cookie stitching: a cookie used in a logged-in
    session belongs to that login's customer.
    """

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
    keep = materialise or (lambda _name, expr: expr)
    transactions = keep("transactions", transactions)
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
    web = keep("web_sessions", web.select("customer_id", "started_at", "login_id"))
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
    fill = {
        c: 0
        for c in (
            "n_orders",
            "revenue",
            "n_calls",
            "n_sessions",
            "n_anonymous_sessions",
            "n_emails_sent",
            "n_emails_opened",
            "n_emails_clicked",
            "n_surveys",
        )
    }
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
