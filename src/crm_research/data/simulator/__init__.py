"""A documented, seeded CRM world simulator that records the truth.

The world is a Korean online retailer whose customers leave traces in six separate systems that
never share a key (the integration problem of the background texts, docs/background.md#ko-01 and #ko-05):

========================  =======================================================================
export (file)             what it holds
========================  =======================================================================
``members.csv``           order system's member registry: name, birth date, phone, e-mail, address
``orders.csv``            order headers: member, time, amount (KRW), channel
``order_lines.csv``       order lines: product, quantity, unit price (KRW)
``shipments.csv``         logistics: order, recipient name and phone, address, shipped/delivered
``cc_customers.csv``      call-centre customer file: name, phone, sometimes birth date
``tickets.csv``           call-centre tickets: customer, time, category, handling minutes
``web_accounts.csv``      web shop accounts: login, e-mail, name, verified birth date and phone
``sessions.csv``          web logs: cookie, login (if logged in), time, pages
``email_subscribers.csv`` campaign e-mail list: e-mail, name, subscription time
``email_sends.csv``       campaign sends: e-mail, time, bounced/opened/clicked
``survey_responses.xml``  survey tool export (XML): respondent name/e-mail/phone, answers
========================  =======================================================================

**Purchases follow the BG/NBD buy-till-you-die process** (Fader, Hardie & Lee 2005): person *i*
is acquired at a uniformly drawn date with a first purchase; while alive, repeat purchases arrive
as a Poisson process with rate λ_i (per day); after each repeat purchase the person drops out for
good with probability p_i. Per latent segment, λ ~ Gamma(r, α) and p ~ Beta(a, b). Spend per
order follows the Gamma-Gamma model: z ~ Gamma(p_spend, ν_i), ν_i ~ Gamma(q_spend, γ).
The *true churn date* is the time of the purchase after which the person dropped out (empty if
alive at the export date).

**Identity noise** as real systems have it: a share of people register twice in the order system,
names carry one-syllable keying errors, fields are missing, e-mail addresses change (old ones
bounce), and records copied from older systems keep retired 011/016/017/018/019 mobile numbers or
a landline. A small share of transaction rows is corrupted (negative or absurd amounts, future or
unparseable dates, duplicates) to exercise validation; which rows is recorded.

**A randomised e-mail campaign** after the export (:func:`simulate_campaign`, seeded separately):
customers are split at random into e-mailed and control; the e-mail's true effect on each
customer's 30-day purchase chance is recorded and depends on segment, purchase rate and whether
the customer is still alive (persuadables, sure things, lost causes, sleeping dogs), plus an
individual part no data shows (:func:`campaign_effects`).

**Truth** (never shown in reports): ``truth_people`` (one row per person: segment, λ, p, spend
parameters, acquisition, churn date, alive flag), ``truth_records`` (the person behind every
identity-bearing source record) and ``truth_corruptions`` (every corrupted row and how).

Modules: :mod:`.parameters` (segments, :class:`WorldConfig`), :mod:`.people` (people and BG/NBD
purchases), one module per source system (:mod:`.orders`, :mod:`.call_centre`, :mod:`.web`,
:mod:`.mailing`, :mod:`.survey`), :mod:`.corruption`, :mod:`.world` (:func:`simulate_world`),
:mod:`.btyd` (exact BTYD cohorts), :mod:`.campaign` and :mod:`.korean` (the vocabulary).
"""

from crm_research.data.simulator.btyd import (
    BTYD_PARAMS,
    PARETO_PARAMS,
    SPEND_PARAMS,
    simulate_btyd_cohort,
    simulate_btyd_future,
    simulate_btyd_summary,
)
from crm_research.data.simulator.campaign import (
    UPLIFT_TYPES,
    Campaign,
    campaign_effects,
    simulate_campaign,
)
from crm_research.data.simulator.parameters import (
    DEFAULT_SEGMENTS,
    Segment,
    WorldConfig,
    config_dict,
    export_time,
    world_folder,
)
from crm_research.data.simulator.world import World, simulate_world

__all__ = [
    "BTYD_PARAMS",
    "DEFAULT_SEGMENTS",
    "PARETO_PARAMS",
    "SPEND_PARAMS",
    "UPLIFT_TYPES",
    "Campaign",
    "Segment",
    "World",
    "WorldConfig",
    "campaign_effects",
    "config_dict",
    "export_time",
    "simulate_btyd_cohort",
    "simulate_btyd_future",
    "simulate_btyd_summary",
    "simulate_campaign",
    "simulate_world",
    "world_folder",
]
