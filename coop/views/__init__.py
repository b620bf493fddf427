"""Co-op pages, one module per sub-domain. Views orchestrate: selectors read, services write."""
