"""Tests of crm_research.data."""
