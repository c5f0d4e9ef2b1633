"""Tests of crm_research.uplift."""
