"""Co-op reads, one module per sub-domain; facts.py reads ingest facts for the calculations."""
