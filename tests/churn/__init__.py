"""Tests of crm_research.churn."""
