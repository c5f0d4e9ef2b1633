"""Data layer: real datasets, the CRM world simulator, validation and the Ibis/DuckDB engine."""
