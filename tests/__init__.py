"""Tests of crm_research, mirroring the package: tests/<package>/test_<module>.py."""
