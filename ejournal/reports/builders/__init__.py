"""One module per report; each defines ``REPORT`` (see ejournal/reports/registry.py)."""
