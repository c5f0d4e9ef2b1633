"""Integration: identity resolution across systems and contact-data freshness.

Identity resolution links the identity-bearing records of every system (order-system members,
call-centre customers, web accounts, e-mail subscribers, survey respondents) into one person id
with splink (Fellegi-Sunter model, trained without labels by expectation maximisation, on DuckDB).
Records are standardised first (:mod:`.standardise`, :mod:`.phones`, :mod:`.emails`), linked
(:mod:`.linkage`, :mod:`.clusters`), scored against the simulator's truth (:mod:`.truth`),
classified for contactability (:mod:`.contacts`) and written to the customer database
(:mod:`.database`, :mod:`.customers`). What notebook 01 reports is in :mod:`.report` (imported
on its own: ``from crm_research.integrate import report``).
"""

from crm_research.integrate.clusters import (
    IDENTIFYING,
    Resolution,
    deterministic_links,
    identifying_sources,
)
from crm_research.integrate.contacts import contactability, reachable_shares
from crm_research.integrate.customers import link_sources, validation_counts
from crm_research.integrate.database import (
    IntegrationResult,
    build_customer_db,
    integrate_validated,
    last_sends,
    resolution_tables,
)
from crm_research.integrate.emails import EMAIL_CLASSES, classify_email, email_syntax_ok
from crm_research.integrate.linkage import (
    EM_MAX_PAIRS,
    NAME_EDITS,
    resolve_identities,
    splink_settings,
)
from crm_research.integrate.phones import LEGACY_PREFIXES, PHONE_CLASSES, classify_phone
from crm_research.integrate.standardise import IDENTITY_SOURCES, identity_records, one_edit_keys
from crm_research.integrate.truth import (
    customer_truth,
    pairwise_scores,
    score_resolution,
    scores_in_database,
)

__all__ = [
    "EMAIL_CLASSES",
    "EM_MAX_PAIRS",
    "IDENTIFYING",
    "IDENTITY_SOURCES",
    "LEGACY_PREFIXES",
    "NAME_EDITS",
    "PHONE_CLASSES",
    "IntegrationResult",
    "Resolution",
    "build_customer_db",
    "classify_email",
    "classify_phone",
    "contactability",
    "customer_truth",
    "deterministic_links",
    "email_syntax_ok",
    "identifying_sources",
    "identity_records",
    "integrate_validated",
    "last_sends",
    "link_sources",
    "one_edit_keys",
    "pairwise_scores",
    "reachable_shares",
    "resolution_tables",
    "resolve_identities",
    "score_resolution",
    "scores_in_database",
    "splink_settings",
    "validation_counts",
]
