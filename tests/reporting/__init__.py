"""Tests of crm_research.reporting."""
