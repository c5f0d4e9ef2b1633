"""Tests of crm_research.segment."""
