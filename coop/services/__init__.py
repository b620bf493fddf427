"""Co-op writes, one module per sub-domain: agreements, accruals, allocations, invoices, disputes."""
