"""The survey tool: a customer-satisfaction survey exported as XML.

A share of people answer once, at a random time after their first purchase, leaving a name and
sometimes an e-mail address and phone; people who have dropped out are less satisfied.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd

from crm_research.data.simulator.context import (
    WorldContext,
    add_truth,
    blank,
    contact_email,
    contact_phone,
    draw_mask,
    make_ids,
    record_name,
    to_timestamps,
)


def simulate_survey(ctx: WorldContext) -> tuple[bytes, int]:
    """The survey export (UTF-8 XML: ``<survey>`` of ``<response id submitted>`` holding
    ``<respondent>`` name, e-mail, phone and ``<answers>`` satisfaction 1-5 and NPS 0-10) and the
    number of responses."""
    cfg, rng, n, start = ctx.cfg, ctx.rng, ctx.n, ctx.start
    acq, end_day, active_end = ctx.acq, ctx.end_day, ctx.active_end
    resp = np.flatnonzero(draw_mask(rng, n, cfg.survey_rate))
    r_day = rng.uniform(acq[resp], end_day[resp])
    r_ids = make_ids("R", len(resp), 7)
    r_email = blank(contact_email(ctx, resp, r_day), draw_mask(rng, len(resp), 0.3))
    r_phone = blank(contact_phone(ctx, resp, r_day), draw_mask(rng, len(resp), 0.4))
    r_name = record_name(ctx, resp)
    alive_at_resp = r_day <= active_end[resp]
    sat = np.clip(np.round(rng.normal(np.where(alive_at_resp, 4.0, 2.8), 0.8)), 1, 5).astype(int)
    nps = np.clip(np.round(sat * 2 + rng.normal(0, 1.2, len(resp))), 0, 10).astype(int)
    root = ET.Element("survey", {"name": "customer_satisfaction", "exported": cfg.end})
    r_ts = pd.to_datetime(to_timestamps(start, r_day)).strftime("%Y-%m-%dT%H:%M:%S")
    for i in range(len(resp)):
        el = ET.SubElement(root, "response", {"id": r_ids[i], "submitted": r_ts[i]})
        who = ET.SubElement(el, "respondent")
        ET.SubElement(who, "name").text = r_name[i]
        if pd.notna(r_email[i]):
            ET.SubElement(who, "email").text = r_email[i]
        if pd.notna(r_phone[i]):
            ET.SubElement(who, "phone").text = r_phone[i]
        ans = ET.SubElement(el, "answers")
        ET.SubElement(ans, "satisfaction").text = str(sat[i])
        ET.SubElement(ans, "nps").text = str(nps[i])
    survey_xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    add_truth(ctx, "survey", r_ids, resp)
    return survey_xml, len(resp)
